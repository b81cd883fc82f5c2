//! Random runs: seeds, how many scenarios, the workers that run them, and shrinking a failure
//! to a short reproduction.
//!
//! A run has a seed (16 hex digits); scenario `i` of the run is generated from seed `seed + i`
//! (wrapping), so `PERUN_SEED=<that seed> PERUN_SCENARIOS=1` replays exactly one scenario of a
//! run, and `PERUN_SEED=<the run's seed>` the whole run. Each seed gives a proptest value tree
//! (ChaCha, seeded with the 8 bytes of the seed in little-endian order); a failing scenario is
//! shrunk through that tree, keeping only failures of the same kind.

use super::compile::{compile, Scenario};
use super::coverage::Tally;
use super::plan::Plan;
use super::run::{listing, Failure, FailureKind, Runner};
use super::strategy;
use crate::world::WorldError;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config as ProptestConfig, RngAlgorithm, TestRng, TestRunner};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most scenarios a shrink runs.
const SHRINK_LIMIT: usize = 2_000;

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// How many scenarios.
    pub scenarios: u64,
    /// The run's seed.
    pub seed: u64,
    /// How many worker threads (each with its own pair of worlds).
    pub threads: usize,
}

/// A configuration value that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A seed from the clock, for runs without `PERUN_SEED`.
pub fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let h = alloy_primitives::keccak256(nanos.to_le_bytes());
    u64::from_le_bytes([h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7]])
}

impl Config {
    /// The configuration from the environment: `PERUN_SCENARIOS` (default `default`),
    /// `PERUN_SEED` (hex, optionally `0x`-prefixed; default [`fresh_seed`]) and
    /// `PERUN_THREADS` (default: the available cores, at most 2).
    ///
    /// # Errors
    /// If a variable is set but not a number.
    pub fn from_env(default: u64) -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let scenarios = match var("PERUN_SCENARIOS") {
            Some(v) => v
                .trim()
                .replace('_', "")
                .parse()
                .map_err(|e| ConfigError(format!("PERUN_SCENARIOS={v}: {e}")))?,
            None => default,
        };
        let seed = match var("PERUN_SEED") {
            Some(v) => parse_seed(&v)?,
            None => fresh_seed(),
        };
        let threads = match var("PERUN_THREADS") {
            Some(v) => v
                .trim()
                .parse::<usize>()
                .map_err(|e| ConfigError(format!("PERUN_THREADS={v}: {e}")))?
                .max(1),
            None => std::thread::available_parallelism().map_or(1, |n| n.get().min(2)),
        };
        Ok(Config {
            scenarios,
            seed,
            threads,
        })
    }
}

/// Parses a seed: up to 16 hex digits, optionally `0x`-prefixed.
///
/// # Errors
/// If it is not.
pub fn parse_seed(v: &str) -> Result<u64, ConfigError> {
    let t = v.trim();
    let t = t.strip_prefix("0x").unwrap_or(t);
    u64::from_str_radix(t, 16).map_err(|e| ConfigError(format!("PERUN_SEED={v}: {e}")))
}

/// The value tree of scenario seed `seed`.
pub fn tree(seed: u64) -> Box<dyn ValueTree<Value = Plan>> {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    let mut runner = TestRunner::new_with_rng(ProptestConfig::default(), rng);
    match plan_strategy().boxed().new_tree(&mut runner) {
        Ok(t) => t,
        // The plan strategies have no filters, so they never reject.
        Err(e) => unreachable!("plan strategy rejected: {e}"),
    }
}

fn plan_strategy() -> impl Strategy<Value = Plan> {
    strategy::plan()
}

/// The plan of scenario seed `seed`.
pub fn plan(seed: u64) -> Plan {
    tree(seed).current()
}

/// A failing scenario, shrunk.
#[derive(Clone, Debug)]
pub struct Found {
    /// The scenario's seed.
    pub seed: u64,
    /// The failure of the scenario as generated.
    pub original: Failure,
    /// The shrunk plan.
    pub plan: Plan,
    /// Its steps.
    pub scenario: Option<Scenario>,
    /// Its failure.
    pub failure: Failure,
    /// Scenarios run while shrinking.
    pub shrink_runs: usize,
    /// Why shrinking stopped early, if it did (a fresh pair of worlds could not be built after
    /// a panic); the failure above is then the smallest found until then.
    pub shrink_stopped: Option<String>,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "scenario seed {:016x} failed: {}",
            self.seed, self.original
        )?;
        writeln!(
            f,
            "replay: PERUN_SEED={:016x} PERUN_SCENARIOS=1 cargo test -p perun-harness --test differential",
            self.seed
        )?;
        writeln!(
            f,
            "shrunk in {} runs to: {}",
            self.shrink_runs, self.failure
        )?;
        if let Some(why) = &self.shrink_stopped {
            writeln!(f, "shrinking stopped early: {why}")?;
        }
        writeln!(f, "plan: {:?}", self.plan)?;
        if let Some(sc) = &self.scenario {
            writeln!(f, "steps:")?;
            // A panic's step is not known: all steps.
            let upto = (self.failure.kind != FailureKind::Panic).then_some(self.failure.step);
            write!(f, "{}", listing(sc, upto))?;
        }
        Ok(())
    }
}

/// What a run did.
#[derive(Debug)]
pub struct Summary {
    /// The counts.
    pub tally: Tally,
    /// The first failure found, shrunk.
    pub found: Option<Found>,
    /// How long the run took.
    pub elapsed: Duration,
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// Compiles and runs `plan`; a panic is a failure.
pub fn attempt(runner: &mut Runner, plan: &Plan, tally: &mut Tally) -> Result<(), Failure> {
    let at = runner.addresses();
    match catch_unwind(AssertUnwindSafe(|| {
        let sc = compile(plan, &at);
        runner.run(&sc, tally)
    })) {
        Ok(r) => r,
        Err(p) => Err(Failure {
            step: 0,
            kind: FailureKind::Panic,
            message: panic_message(p.as_ref()),
        }),
    }
}

/// Shrinks a failing scenario, keeping failures of the same kind, for at most
/// [`SHRINK_LIMIT`] runs. A panic leaves the worlds in an unknown state, so the runner is
/// rebuilt after one; if that fails, shrinking stops there and [`Found::shrink_stopped`] says
/// why, so the failure is never lost.
pub fn shrink(runner: &mut Runner, seed: u64, original: Failure) -> Found {
    let mut t = tree(seed);
    let mut best = (t.current(), original.clone());
    let mut runs = 0;
    let mut stopped = None;
    let mut more = t.simplify();
    while more && runs < SHRINK_LIMIT {
        runs += 1;
        let plan = t.current();
        let mut scratch = Tally::default();
        match attempt(runner, &plan, &mut scratch) {
            Err(f) => {
                let panicked = f.kind == FailureKind::Panic;
                if f.kind == original.kind {
                    best = (plan, f);
                    more = t.simplify();
                } else {
                    more = t.complicate();
                }
                if panicked {
                    match Runner::new() {
                        Ok(r) => *runner = r,
                        Err(e) => {
                            stopped = Some(e.to_string());
                            break;
                        }
                    }
                }
            }
            Ok(()) => more = t.complicate(),
        }
    }
    let (plan, failure) = best;
    let at = runner.addresses();
    let scenario = catch_unwind(AssertUnwindSafe(|| compile(&plan, &at))).ok();
    Found {
        seed,
        original,
        plan,
        scenario,
        failure,
        shrink_runs: runs,
        shrink_stopped: stopped,
    }
}

/// A failure that could not be shrunk: the worlds could not be rebuilt after its panic.
fn unshrunk(runner: &Runner, seed: u64, original: Failure, why: &WorldError) -> Found {
    let plan = plan(seed);
    let at = runner.addresses();
    let scenario = catch_unwind(AssertUnwindSafe(|| compile(&plan, &at))).ok();
    Found {
        seed,
        failure: original.clone(),
        original,
        plan,
        scenario,
        shrink_runs: 0,
        shrink_stopped: Some(why.to_string()),
    }
}

fn worker(
    cfg: &Config,
    observe: &(dyn Fn(u64, Duration) + Sync),
    next: &AtomicU64,
    stop: &AtomicBool,
    progress: &Mutex<(u64, Instant)>,
) -> Result<(Tally, Option<Found>), WorldError> {
    let mut runner = Runner::new()?;
    let mut tally = Tally::default();
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok((tally, None));
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= cfg.scenarios {
            return Ok((tally, None));
        }
        let seed = cfg.seed.wrapping_add(i);
        if let Err(f) = attempt(&mut runner, &plan(seed), &mut tally) {
            stop.store(true, Ordering::Relaxed);
            if f.kind == FailureKind::Panic {
                match Runner::new() {
                    Ok(r) => runner = r,
                    Err(e) => return Ok((tally, Some(unshrunk(&runner, seed, f, &e)))),
                }
            }
            let found = shrink(&mut runner, seed, f);
            return Ok((tally, Some(found)));
        }
        if let Ok(mut p) = progress.lock() {
            p.0 += 1;
            observe(p.0, p.1.elapsed());
        }
    }
}

/// Runs `cfg.scenarios` scenarios on `cfg.threads` workers; stops at the first failure and
/// shrinks it.
///
/// # Errors
/// If a worker's pair of worlds cannot be built and no worker found a failure.
pub fn run(cfg: &Config) -> Result<Summary, WorldError> {
    let every = |done: u64, elapsed: Duration| {
        if done.is_multiple_of(250) {
            super::note(&format!(
                "differential: {done}/{} scenarios, {:.0} s",
                cfg.scenarios,
                elapsed.as_secs_f64()
            ));
        }
    };
    run_observed(cfg, &every)
}

/// [`run`], calling `observe` with the number of scenarios done and the time taken after each
/// scenario that passes (for a progress bar).
///
/// # Errors
/// As [`run`].
pub fn run_observed(
    cfg: &Config,
    observe: &(dyn Fn(u64, Duration) + Sync),
) -> Result<Summary, WorldError> {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let stop = AtomicBool::new(false);
    let progress = Mutex::new((0u64, start));
    let results: Vec<Result<(Tally, Option<Found>), WorldError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cfg.threads.max(1))
            .map(|_| s.spawn(|| worker(cfg, observe, &next, &stop, &progress)))
            .collect();
        handles
            .into_iter()
            .map(|h| match h.join() {
                Ok(r) => r,
                Err(p) => std::panic::resume_unwind(p),
            })
            .collect()
    });
    // Every worker's result is read before an error is returned, so a failure found by one
    // worker is reported even if another could not build its worlds.
    let mut tally = Tally::default();
    let mut found: Option<Found> = None;
    let mut error = None;
    for r in results {
        match r {
            Ok((t, f)) => {
                tally.merge(&t);
                if let Some(f) = f {
                    if found.as_ref().is_none_or(|g| f.seed < g.seed) {
                        found = Some(f);
                    }
                }
            }
            Err(e) => error = error.or(Some(e)),
        }
    }
    if let (None, Some(e)) = (&found, error) {
        return Err(e);
    }
    Ok(Summary {
        tally,
        found,
        elapsed: start.elapsed(),
    })
}

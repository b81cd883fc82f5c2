//! Running adversarial scenarios: a pair of worlds per worker with every party funded and the
//! ERC20 holder approved, restored before each scenario; the seeds of a run; the workers; the
//! summary of what the oracle found; and the shrinking of a failure to fewer actions.
//!
//! Scenario `i` of a run has seed `seed + i` (wrapping): `PERUN_SEED=<that seed>
//! PERUN_ADV_SCENARIOS=1` replays it alone, `PERUN_SEED=<the run's seed>` the whole run.

use super::coverage::Tally;
use super::oracle::{Outcome, ViolationKind};
use super::plan::Plan;
use super::session::Session;
use super::topology::CD;
use crate::abi;
use crate::build::address;
use crate::pair::{Divergence, Pair};
use crate::scenario::driver::{fresh_seed, parse_seed, ConfigError};
use crate::scenario::flaw::stranger;
use crate::snapshot::PairSnapshot;
use crate::world::{Addresses, WorldError};
use alloy_primitives::{Address, U256};
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The test keys the parties use (a topology has at most 5 parties).
pub const KEYS: std::ops::Range<u64> = 0..8;

/// Why a scenario could not be judged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// What went wrong: a divergence between the implementations, or a panic.
    pub message: String,
    /// The scenario's steps until then.
    pub log: Vec<String>,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.message)?;
        for (i, l) in self.log.iter().enumerate() {
            writeln!(f, "  {i:>3}. {l}")?;
        }
        Ok(())
    }
}

/// A pair of worlds with every party funded, and its fresh state.
pub struct Runner {
    pair: Pair,
    fresh: PairSnapshot,
    at: Addresses,
}

impl Runner {
    /// Deploys both worlds, funds the parties and the stranger, and approves the ERC20 holder
    /// for every party (so an ERC20 deposit is one transaction).
    ///
    /// # Errors
    /// If a world cannot be built or an approval fails.
    pub fn new() -> Result<Self, WorldError> {
        let mut accounts: Vec<Address> = KEYS.map(address).collect();
        accounts.push(stranger());
        let mut pair = Pair::new(&accounts)?;
        let at = Addresses::new();
        for &a in &accounts {
            let ok = pair
                .call(
                    "approve",
                    a,
                    at.token,
                    abi::approve(at.erc20_holder, U256::MAX),
                    U256::ZERO,
                )
                .map(|b| b.success())
                .unwrap_or(false);
            if !ok {
                return Err(WorldError::Program(format!(
                    "approving the ERC20 holder for {a} failed"
                )));
            }
        }
        let fresh = pair.snapshot();
        Ok(Runner { pair, fresh, at })
    }

    /// Where the contracts live.
    pub fn addresses(&self) -> Addresses {
        self.at
    }

    /// Runs `plan`: opening, off-chain updates, the adversary's actions (with the honest
    /// parties reacting), the honest conclusion, then the oracle.
    ///
    /// # Errors
    /// A divergence between the implementations or a panic.
    pub fn run(&mut self, plan: &Plan) -> Result<Outcome, Failure> {
        self.script(plan, |s| {
            for u in &plan.updates {
                s.random_update(u);
            }
            for a in &plan.acts {
                s.perform(a)?;
            }
            Ok(())
        })
    }

    /// Runs `plan`'s channels with `script` as the adversary (after opening and before the
    /// honest conclusion); `plan`'s own updates and actions are not used.
    ///
    /// # Errors
    /// A divergence between the implementations or a panic.
    pub fn script(
        &mut self,
        plan: &Plan,
        script: impl FnOnce(&mut Session<'_>) -> Result<(), Divergence>,
    ) -> Result<Outcome, Failure> {
        self.pair.restore(&self.fresh);
        let log = Mutex::new(Vec::new());
        let r = catch_unwind(AssertUnwindSafe(|| {
            let mut s = Session::new(&mut self.pair, plan);
            let res = (|| {
                if let Some(v) = s.topo.virt {
                    let cd = s.topo.nodes[v].chan.params.challengeDuration;
                    // Beyond the parents' own bound (v1 keeps the low 64 bits).
                    let low: u64 = (cd & U256::from(u64::MAX)).to::<u64>();
                    if low > CD {
                        s.tags.insert(format!(
                            "hole 3: the virtual channel's endpoints chose challenge duration {cd}"
                        ));
                    }
                }
                s.open()?;
                script(&mut s)?;
                s.conclude_all()?;
                s.judge(plan.seed, plan.corrupt_names())
            })();
            if let Ok(mut l) = log.lock() {
                l.clone_from(&s.log);
            }
            res
        }));
        let steps = log.into_inner().unwrap_or_default();
        match r {
            Ok(Ok(o)) => Ok(o),
            Ok(Err(d)) => Err(Failure {
                message: format!("Stylus and Solidity differ: {d}"),
                log: steps,
            }),
            Err(p) => Err(Failure {
                message: format!("the scenario panicked: {}", panic_message(p.as_ref())),
                log: steps,
            }),
        }
    }
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

/// What a run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Config {
    /// How many scenarios.
    pub scenarios: u64,
    /// The run's seed.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// The most runs spent shrinking each kind of violation (0: no shrinking).
    pub shrink: usize,
}

impl Config {
    /// From the environment: `PERUN_ADV_SCENARIOS` (default `default`), `PERUN_SEED` (hex),
    /// `PERUN_THREADS` (default: the cores, at most 2), `PERUN_ADV_SHRINK` (default 60).
    ///
    /// # Errors
    /// If a variable is set but not a number.
    pub fn from_env(default: u64) -> Result<Self, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let num = |name: &str, d: u64| -> Result<u64, ConfigError> {
            match var(name) {
                Some(v) => v
                    .trim()
                    .replace('_', "")
                    .parse()
                    .map_err(|e| ConfigError(format!("{name}={v}: {e}"))),
                None => Ok(d),
            }
        };
        let seed = match var("PERUN_SEED") {
            Some(v) => parse_seed(&v)?,
            None => fresh_seed(),
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(2));
        Ok(Config {
            scenarios: num("PERUN_ADV_SCENARIOS", default)?,
            seed,
            threads: (num("PERUN_THREADS", cores as u64)? as usize).max(1),
            shrink: num("PERUN_ADV_SHRINK", 60)? as usize,
        })
    }
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Summary {
    /// The counts, over every scenario.
    pub tally: Tally,
    /// Every unsafe scenario's seed and kinds of violation, in seed order.
    pub unsafe_seeds: Vec<(u64, Vec<ViolationKind>, Vec<String>)>,
    /// The first unsafe outcome of each kind of violation, shrunk.
    pub examples: BTreeMap<ViolationKind, Outcome>,
    /// Scenarios that diverged or panicked.
    pub failures: Vec<(u64, Failure)>,
    /// How long the run took.
    pub elapsed: Duration,
}

impl Summary {
    /// Whether every scenario was safe and ran.
    pub fn is_clean(&self) -> bool {
        self.unsafe_seeds.is_empty() && self.failures.is_empty()
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.tally)?;
        if !self.unsafe_seeds.is_empty() {
            writeln!(
                f,
                "unsafe scenarios ({}), by kind of violation (first seeds):",
                self.unsafe_seeds.len()
            )?;
            let mut by: BTreeMap<ViolationKind, Vec<u64>> = BTreeMap::new();
            for (seed, kinds, _) in &self.unsafe_seeds {
                for k in kinds {
                    by.entry(*k).or_default().push(*seed);
                }
            }
            for (k, seeds) in by {
                let first: Vec<String> =
                    seeds.iter().take(6).map(|s| format!("{s:016x}")).collect();
                writeln!(f, "  {:>5}  {}: {}", seeds.len(), k.name(), first.join(" "))?;
                // What succeeded in those scenarios: which hole they went through.
                let mut tags: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
                for (seed, kinds, ts) in &self.unsafe_seeds {
                    if kinds.contains(&k) {
                        for t in ts {
                            tags.entry(t.as_str()).or_default().push(*seed);
                        }
                        if ts.is_empty() {
                            tags.entry("(nothing notable)").or_default().push(*seed);
                        }
                    }
                }
                for (t, seeds) in tags {
                    let first: Vec<String> =
                        seeds.iter().take(3).map(|s| format!("{s:016x}")).collect();
                    writeln!(
                        f,
                        "           {:>5} with {t}: {}",
                        seeds.len(),
                        first.join(" ")
                    )?;
                }
            }
        }
        for (seed, fail) in self.failures.iter().take(3) {
            writeln!(f, "scenario {seed:016x} failed to run: {fail}")?;
        }
        Ok(())
    }
}

/// Shrinks an unsafe plan: drops actions, front-runs and updates one at a time while a
/// violation of kind `kind` remains, for at most `limit` runs.
pub fn shrink(
    runner: &mut Runner,
    plan: &Plan,
    kind: ViolationKind,
    limit: usize,
) -> (Plan, usize) {
    let mut best = plan.clone();
    let mut runs = 0;
    let still = |runner: &mut Runner, p: &Plan| {
        runner
            .run(p)
            .map(|o| o.kinds().contains(&kind))
            .unwrap_or(false)
    };
    loop {
        let mut progress = false;
        for which in 0..3 {
            let mut i = 0;
            loop {
                let len = match which {
                    0 => best.acts.len(),
                    1 => best.front_runs.len(),
                    _ => best.updates.len(),
                };
                if i >= len || runs >= limit {
                    break;
                }
                let mut p = best.clone();
                match which {
                    0 => {
                        p.acts.remove(i);
                    }
                    1 => {
                        p.front_runs.remove(i);
                    }
                    _ => {
                        p.updates.remove(i);
                    }
                }
                runs += 1;
                if still(runner, &p) {
                    best = p;
                    progress = true;
                } else {
                    i += 1;
                }
            }
        }
        if !progress || runs >= limit {
            return (best, runs);
        }
    }
}

/// Runs `cfg.scenarios` scenarios on `cfg.threads` workers, then shrinks the first unsafe
/// scenario of each kind of violation.
///
/// # Errors
/// If a worker cannot build its worlds.
pub fn run(cfg: &Config) -> Result<Summary, WorldError> {
    let start = Instant::now();
    let next = AtomicU64::new(0);
    let done = AtomicU64::new(0);
    type Found = (Tally, Vec<(u64, Outcome)>, Vec<(u64, Failure)>);
    let results: Vec<Result<Found, WorldError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cfg.threads)
            .map(|_| {
                s.spawn(|| -> Result<Found, WorldError> {
                    let mut runner = Runner::new()?;
                    let at = runner.addresses();
                    let mut tally = Tally::default();
                    let mut bad = Vec::new();
                    let mut failed = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= cfg.scenarios {
                            return Ok((tally, bad, failed));
                        }
                        let seed = cfg.seed.wrapping_add(i);
                        let plan = Plan::generate(seed, &at);
                        match runner.run(&plan) {
                            Ok(o) => {
                                tally.merge(&o.tally);
                                if !o.is_safe() {
                                    bad.push((seed, o));
                                }
                            }
                            Err(f) => {
                                // A panic may leave the worlds half-way: build new ones.
                                if f.message.contains("panicked") {
                                    runner = Runner::new()?;
                                }
                                failed.push((seed, f));
                            }
                        }
                        let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                        if d.is_multiple_of(100) {
                            crate::scenario::note(&format!(
                                "adversary: {d}/{} scenarios, {:.0} s",
                                cfg.scenarios,
                                start.elapsed().as_secs_f64()
                            ));
                        }
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    });
    let mut summary = Summary::default();
    let mut bad: Vec<(u64, Outcome)> = Vec::new();
    let mut error = None;
    for r in results {
        match r {
            Ok((t, b, f)) => {
                summary.tally.merge(&t);
                bad.extend(b);
                summary.failures.extend(f);
            }
            Err(e) => error = error.or(Some(e)),
        }
    }
    if let Some(e) = error {
        if bad.is_empty() && summary.failures.is_empty() {
            return Err(e);
        }
    }
    bad.sort_by_key(|(s, _)| *s);
    summary.failures.sort_by_key(|(s, _)| *s);
    for (seed, o) in &bad {
        let tags = o.tags.iter().cloned().collect();
        summary
            .unsafe_seeds
            .push((*seed, o.kinds().into_iter().collect(), tags));
    }
    if !bad.is_empty() {
        let mut runner = Runner::new()?;
        let at = runner.addresses();
        for (seed, o) in &bad {
            for k in o.kinds() {
                if summary.examples.contains_key(&k) {
                    continue;
                }
                let plan = Plan::generate(*seed, &at);
                let (small, runs) = shrink(&mut runner, &plan, k, cfg.shrink);
                let shrunk = runner.run(&small).ok().filter(|x| x.kinds().contains(&k));
                let mut example = shrunk.unwrap_or_else(|| o.clone());
                example.log.insert(
                    0,
                    format!(
                        "(seed {seed:016x}, shrunk in {runs} runs to {} of {} actions, {} of {} front-runs, {} of {} updates)",
                        small.acts.len(),
                        plan.acts.len(),
                        small.front_runs.len(),
                        plan.front_runs.len(),
                        small.updates.len(),
                        plan.updates.len()
                    ),
                );
                summary.examples.insert(k, example);
            }
        }
    }
    summary.elapsed = start.elapsed();
    Ok(summary)
}

//! `perun-report`: the main job. Measures every operation and flow of the reference set on the
//! Solidity mirrors and the Stylus programs, runs the conformance vectors, the random
//! differential scenarios and the adversarial scenarios judged by the safety oracle, prints the
//! report and writes it as `report/gas.md` and `report/gas.svg`.
//!
//! Usage: `perun-report [--scenarios N] [--adversarial N] [--seed HEX] [--out DIR]` (defaults:
//! 2,000 differential and 2,000 adversarial scenarios, a random seed for both, `report/`).
//! Exits 1 if a vector or a scenario diverges or an adversarial scenario is unsafe, 2 on bad
//! usage or a missing build.

mod anchors;
mod markdown;
mod measure;
mod progress;
mod svg;
mod table;

use markdown::Conformance;
use perun_conformance::{check, default_vectors_path, vectors};
use perun_harness::adversary;
use perun_harness::scenario::driver;
use progress::Progress;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Mutex;

struct Args {
    scenarios: usize,
    adversarial: usize,
    seed: Option<String>,
    out: PathBuf,
}

fn usage() -> ExitCode {
    eprintln!("usage: perun-report [--scenarios N] [--adversarial N] [--seed HEX] [--out DIR]");
    ExitCode::from(2)
}

fn args() -> Option<Args> {
    let mut a = Args {
        scenarios: 2_000,
        adversarial: 2_000,
        seed: None,
        out: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../report"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next()?;
        match flag.as_str() {
            "--scenarios" => a.scenarios = value.replace('_', "").parse().ok()?,
            "--adversarial" => a.adversarial = value.replace('_', "").parse().ok()?,
            "--seed" => a.seed = Some(value),
            "--out" => a.out = value.into(),
            _ => return None,
        }
    }
    Some(a)
}

fn vectors_summary(c: &mut Conformance) -> Result<(), String> {
    let path = default_vectors_path();
    let file = vectors::load(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    for v in &file.vectors {
        let r = check::check_vector(v).map_err(|e| format!("vector {}: {e}", v.id))?;
        c.vectors.1 += 1;
        if r.passed() {
            c.vectors.0 += 1;
        }
        let failed = r.failures().count();
        c.fields.1 += r.checks.len();
        c.fields.0 += r.checks.len() - failed;
    }
    Ok(())
}

/// The differential run, as the report shows it.
struct Summary {
    scenarios: usize,
    steps: usize,
    seed: String,
    divergences: Vec<String>,
}

/// Runs `n` random differential scenarios (the harness's driver, the same one as the test
/// command's `differential` test) from `seed`, or from a fresh seed.
fn differential(n: usize, seed: Option<&str>) -> Result<Summary, String> {
    let seed = match seed {
        Some(s) => driver::parse_seed(s).map_err(|e| e.to_string())?,
        None => driver::fresh_seed(),
    };
    let cfg = driver::Config {
        scenarios: n as u64,
        seed,
        threads: std::thread::available_parallelism().map_or(1, |c| c.get().min(2)),
    };
    eprintln!(
        "differential scenarios: {n} from seed {seed:016x} on {} threads",
        cfg.threads
    );
    let bar = Mutex::new(Progress::new("differential scenarios", n));
    let summary = driver::run_observed(&cfg, &|_, _| {
        if let Ok(mut b) = bar.lock() {
            b.tick("");
        }
    })
    .map_err(|e| e.to_string())?;
    if let Ok(b) = bar.into_inner() {
        b.finish();
    }
    eprintln!(
        "differential scenarios: {} scenarios, {} transactions in {:.1} s",
        summary.tally.scenarios,
        summary.tally.transactions,
        summary.elapsed.as_secs_f64()
    );
    let divergences = match summary.found {
        Some(found) => {
            eprintln!("{found}");
            vec![format!(
                "scenario seed {:016x}: {} (replay: PERUN_SEED={:016x} PERUN_SCENARIOS=1 \
                 cargo test -p perun-harness --test differential)",
                found.seed, found.failure, found.seed
            )]
        }
        None => Vec::new(),
    };
    Ok(Summary {
        scenarios: usize::try_from(summary.tally.scenarios).unwrap_or(usize::MAX),
        steps: usize::try_from(summary.tally.transactions).unwrap_or(usize::MAX),
        seed: format!("{seed:016x}"),
        divergences,
    })
}

/// The adversarial run, as the report shows it.
struct Adversarial {
    scenarios: usize,
    steps: usize,
    seed: String,
    unsafe_scenarios: Vec<String>,
}

/// Runs `n` adversarial scenarios judged by the safety oracle (the harness's driver, the same
/// one as the test command's `adversary` test) from `seed`, or from a fresh seed.
fn adversarial(n: usize, seed: Option<&str>) -> Result<Adversarial, String> {
    let seed = match seed {
        Some(s) => driver::parse_seed(s).map_err(|e| e.to_string())?,
        None => driver::fresh_seed(),
    };
    let cfg = adversary::driver::Config {
        scenarios: n as u64,
        seed,
        threads: std::thread::available_parallelism().map_or(1, |c| c.get().min(2)),
        shrink: 60,
    };
    eprintln!(
        "adversarial scenarios: {n} from seed {seed:016x} on {} threads",
        cfg.threads
    );
    let summary = adversary::driver::run(&cfg).map_err(|e| e.to_string())?;
    eprintln!("{summary}");
    let mut unsafe_scenarios: Vec<String> = summary
        .unsafe_seeds
        .iter()
        .map(|(s, kinds, _)| {
            let kinds: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
            format!(
                "scenario seed {s:016x}: {} (replay: PERUN_SEED={s:016x} PERUN_ADV_SCENARIOS=1 \
                 cargo test -p perun-harness --test adversary)",
                kinds.join(", ")
            )
        })
        .collect();
    unsafe_scenarios.extend(
        summary
            .failures
            .iter()
            .map(|(s, f)| format!("scenario seed {s:016x} did not run: {f}")),
    );
    Ok(Adversarial {
        scenarios: usize::try_from(summary.tally.scenarios).unwrap_or(usize::MAX),
        steps: usize::try_from(summary.tally.transactions).unwrap_or(usize::MAX),
        seed: format!("{seed:016x}"),
        unsafe_scenarios,
    })
}

fn main() -> ExitCode {
    let Some(args) = args() else {
        return usage();
    };
    let mut conformance = Conformance::default();
    if let Err(e) = vectors_summary(&mut conformance) {
        eprintln!("perun-report: {e}");
        return ExitCode::from(2);
    }
    let anchors_path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../report/anchors/reference-gas.csv");
    let anchors = match anchors::load(&anchors_path) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("perun-report: {e}");
            return ExitCode::from(2);
        }
    };
    let mut bar = Progress::new("gas: flows on 3 worlds", table::RUNS);
    let measured = match table::measure(&anchors, |label| bar.tick(label)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("\nperun-report: {e}");
            // A flow on which the implementations disagree is a divergence (1); a world that
            // cannot be built is a missing build (2).
            return match e {
                measure::MeasureError::Step(_) => ExitCode::FAILURE,
                measure::MeasureError::World(_) => ExitCode::from(2),
            };
        }
    };
    bar.finish();

    match differential(args.scenarios, args.seed.as_deref()) {
        Ok(summary) => {
            conformance.scenarios = summary.scenarios;
            conformance.steps = summary.steps;
            conformance.seed = summary.seed;
            conformance.divergences = summary.divergences;
        }
        Err(e) => {
            eprintln!("perun-report: {e}");
            return ExitCode::from(2);
        }
    }

    match adversarial(args.adversarial, args.seed.as_deref()) {
        Ok(a) => {
            conformance.adversarial = a.scenarios;
            conformance.adversarial_steps = a.steps;
            conformance.adversarial_seed = a.seed;
            conformance.unsafe_scenarios = a.unsafe_scenarios;
        }
        Err(e) => {
            eprintln!("perun-report: {e}");
            return ExitCode::from(2);
        }
    }

    let md = markdown::report(&measured, &conformance);
    let svg = svg::figure(&measured);
    if let Err(e) = std::fs::create_dir_all(&args.out)
        .and_then(|()| std::fs::write(args.out.join("gas.md"), &md))
        .and_then(|()| std::fs::write(args.out.join("gas.svg"), &svg))
    {
        eprintln!("perun-report: writing {}: {e}", args.out.display());
        return ExitCode::from(2);
    }
    println!("{md}");
    eprintln!(
        "perun-report: wrote {} and {}",
        args.out.join("gas.md").display(),
        args.out.join("gas.svg").display()
    );
    let clean = conformance.vectors.0 == conformance.vectors.1
        && conformance.fields.0 == conformance.fields.1
        && conformance.divergences.is_empty()
        && conformance.unsafe_scenarios.is_empty();
    if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

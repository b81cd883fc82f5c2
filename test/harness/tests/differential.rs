//! The random differential scenarios: 2,000 by default (`PERUN_SCENARIOS=N` runs N), from a
//! seed printed at the start (`PERUN_SEED=<16 hex digits>` replays a run, or with
//! `PERUN_SCENARIOS=1` one scenario), each on the Stylus programs, the Solidity mirrors and the
//! verifier's model with every result, view and balance compared after every transaction. A
//! failure prints its seed and the shrunk steps that reproduce it. `PERUN_THREADS=N` sets the
//! workers (default: the cores, at most 2); `PERUN_COVERAGE=1` prints what the run covered. A
//! run of at least the default size must reach every custom error of `Errors.sol`.

use perun_harness::scenario::coverage;
use perun_harness::scenario::driver::{self, Config};
use perun_harness::scenario::note;

/// The number of scenarios of the README's test command.
const DEFAULT_SCENARIOS: u64 = 2_000;

#[test]
fn differential_random_scenarios_agree_with_each_other_and_the_verifier() {
    let cfg = Config::from_env(DEFAULT_SCENARIOS).unwrap_or_else(|e| panic!("{e}"));
    note(&format!(
        "differential: {} scenarios from seed {:016x} on {} threads (PERUN_SEED={:016x} replays)",
        cfg.scenarios, cfg.seed, cfg.threads, cfg.seed
    ));
    let summary = driver::run(&cfg).unwrap_or_else(|e| panic!("{e}"));
    if std::env::var_os("PERUN_COVERAGE").is_some() || summary.found.is_some() {
        note(&summary.tally.to_string());
    }
    note(&format!(
        "differential: {} scenarios, {} transactions in {:.1} s (seed {:016x})",
        summary.tally.scenarios,
        summary.tally.transactions,
        summary.elapsed.as_secs_f64(),
        cfg.seed
    ));
    if let Some(found) = summary.found {
        note(&found.to_string());
        panic!("a differential scenario failed (seed {:016x})", found.seed);
    }
    assert_eq!(summary.tally.scenarios, cfg.scenarios);
    // Every custom error of Errors.sol: as a transaction's revert data, or (`Reentrancy`, which
    // a holder never lets reach a transaction's revert data) recorded from an inner call.
    let missing = summary.tally.missing();
    note(&format!(
        "differential: {} of {} custom errors reached{}",
        coverage::ERRORS.len() - missing.len(),
        coverage::ERRORS.len(),
        if missing.is_empty() {
            String::new()
        } else {
            format!(", not {}", missing.join(", "))
        }
    ));
    if cfg.scenarios >= DEFAULT_SCENARIOS {
        assert!(
            missing.is_empty(),
            "a run of {} scenarios (seed {:016x}) reached no call reverting with {}",
            cfg.scenarios,
            cfg.seed,
            missing.join(", ")
        );
    }
}

//! Random differential scenarios: proptest generates a small [`plan::Plan`] (channels, funding,
//! a lifecycle, extra actions, flaws), [`compile`] turns it into transactions, and [`run`] runs
//! them on the Stylus programs and the Solidity mirrors beside the verifier's model of the
//! contracts, comparing every result, view and balance after every transaction.
//!
//! - [`plan`]: what a scenario is made of; [`strategy`]: how plans are generated;
//! - [`compile`]: plans to steps; [`flaw`]: the flaws put into calls;
//! - [`envelope`], [`oracle`]: the verifier's predictions and the rules outside its model;
//! - [`run`]: one scenario on a pair of worlds; [`driver`]: seeds, workers and shrinking;
//! - [`coverage`]: what a run covered.

pub mod compile;
pub mod coverage;
pub mod driver;
pub mod envelope;
pub mod flaw;
pub mod oracle;
pub mod plan;
pub mod run;
pub mod strategy;

use std::io::Write;

/// Writes a line to the process's standard error directly, past the test harness's output
/// capture, so seeds and progress show in every run.
pub fn note(line: &str) {
    let mut e = std::io::stderr().lock();
    // Nothing useful can be done if standard error is closed.
    let _ = writeln!(e, "{line}");
}

//! The off-chain Perun verifier: checks signed states, predicts what the contracts would decide,
//! builds ready-to-send calldata and watches the chain for stale registrations.
//!
//! - [`schema`]: the JSON input document (SCHEMA.md) and its parsing, with JSON paths in errors;
//! - [`tree`]: the resolved document and its channel tree;
//! - [`check`]: the checks, signatures verified in parallel;
//! - [`chain`]: a model of the contracts that runs calldata through `perun-channel`'s views;
//! - [`predict`]: what `register`, `progress`, `conclude`, `concludeFinal` and `withdraw` would
//!   do, when, and what each asset holder would be told;
//! - [`calldata`]: selectors and encodings;
//! - [`events`], [`rpc`]: chain events from a file or a JSON-RPC endpoint;
//! - [`watch`], [`tx`]: refuting stale registrations, signing and sending transactions;
//! - [`lifetime`]: keeping the Stylus programs the watcher relies on alive (keepalive,
//!   reactivation after expiry or an upgrade);
//! - [`node`]: the node the watcher acts through, as a small trait over JSON-RPC;
//! - [`report`]: the readable and the JSON report.

pub mod calldata;
pub mod chain;
pub mod check;
pub mod error;
pub mod events;
pub mod lifetime;
pub mod node;
pub mod predict;
pub mod report;
pub mod rpc;
pub mod schema;
pub mod tree;
pub mod tx;
pub mod watch;

pub use error::{Error, Result};

use check::{Finding, Severity, Verdict};
use tree::Doc;

/// A verified document: the resolved document, each state's verdict and the findings.
#[derive(Clone, Debug)]
pub struct Verification {
    /// The resolved document.
    pub doc: Doc,
    /// `[channel][state]` verdicts.
    pub verdicts: Vec<Vec<Verdict>>,
    /// Every failed check.
    pub findings: Vec<Finding>,
}

impl Verification {
    /// Whether no check failed with an error (warnings allowed).
    pub fn valid(&self) -> bool {
        self.findings.iter().all(|f| f.severity != Severity::Error)
    }
}

/// Resolves and checks a parsed document.
///
/// # Errors
/// [`Error::Input`] for an inconsistent document (duplicate channels, dangling references, a
/// sub-channel cycle).
pub fn verify(document: &schema::Document) -> Result<Verification> {
    let doc = Doc::from_document(document)?;
    let verdicts = check::verify_doc(&doc);
    let findings = check::check(&doc, &verdicts);
    Ok(Verification {
        doc,
        verdicts,
        findings,
    })
}

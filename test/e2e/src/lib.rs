//! End-to-end dispute runs on a real local node: anvil (the npm-pinned `@foundry-rs/anvil`) on
//! a free loopback port, the Solidity suite deployed by `script/Deploy.s.sol` through
//! `forge script --broadcast`, states signed off chain with `perun-channel`, stale
//! registrations refuted by `perun-verify watch`, and every transaction's gas as the node's
//! receipts report it.
//!
//! - [`tools`]: where forge, anvil and `perun-verify` are;
//! - [`process`]: child processes stopped when their guard is dropped;
//! - [`anvil`]: the node;
//! - [`node`]: transactions, calls, balances and anvil's clock, over the verifier's JSON-RPC
//!   client and transaction signing;
//! - [`abi`]: the view functions the runs read;
//! - [`deployment`]: the suite deployed by the forge script;
//! - [`channel`]: parties, params, signed states and withdrawals, off chain;
//! - [`suite`]: the parties' calls to the deployed suite, and its views;
//! - [`watcher`]: `perun-verify watch --follow` as a party runs it;
//! - [`gas`]: the table of every transaction's gas;
//! - [`run`]: one run: a node, the suite on it, funded parties.

pub mod abi;
pub mod anvil;
pub mod channel;
pub mod deployment;
pub mod error;
pub mod gas;
pub mod node;
pub mod process;
pub mod run;
pub mod suite;
pub mod tools;
pub mod watcher;

pub use error::{Error, Result};

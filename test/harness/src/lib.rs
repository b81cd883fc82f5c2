//! The differential harness: the Stylus programs and the Solidity mirrors, each deployed in a
//! revm world of its own at the same addresses, so one transaction means the same thing in both
//! and every result (status, return or revert data, logs, views, balances) can be compared byte
//! for byte.
//!
//! - [`artifacts`] reads forge's build output (creation code and selectors of the mirrors);
//! - [`world`] deploys one implementation, with the shared ERC20 test token and apps;
//! - [`abi`] builds the calldata of every Perun function from the mirrors' selectors;
//! - [`sign`] signs states and withdrawal authorizations;
//! - [`pair`] runs each step on both worlds and reports the first difference;
//! - [`build`] makes channels, states and sub-allocations; [`ops`] the transactions of every
//!   operation; [`flows`] the named lifecycles of the gas report;
//! - [`snapshot`] saves and restores worlds; [`scenario`] generates random scenarios and runs
//!   them on both worlds beside the verifier's model;
//! - [`adversary`] runs adversarial scenarios (colluding parties, fake parents, non-canonical
//!   encodings, front-running, extreme durations) against honest watchers, judged by a safety
//!   oracle that trusts neither the contracts nor the verifier's model.

pub mod abi;
pub mod adversary;
pub mod artifacts;
pub mod build;
pub mod flows;
pub mod ops;
pub mod pair;
pub mod scenario;
pub mod sign;
pub mod snapshot;
pub mod world;

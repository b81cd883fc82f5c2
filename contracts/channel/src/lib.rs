//! The Perun v1 channel wire format, shared by the Stylus contracts, the verifier and the tests.
//!
//! Everything that crosses the wire between a Perun client and the chain is defined here once:
//!
//! - [`sol`]: the `Channel.sol` types of perun-eth-contracts v1.0.0 (`Params`, `State`,
//!   `Allocation`, `SubAlloc`, ...), the withdrawal authorization, the events and the contract
//!   interfaces, as `sol!` definitions;
//! - [`errors`]: the custom errors every contract reverts with, generated from the Solidity
//!   mirror's `Errors.sol` so both implementations share their selectors;
//! - [`hash`]: channel IDs, state hashes, funding IDs and the eth-signed digests that
//!   participants sign;
//! - [`sig`]: parsing of 65-byte `r ‖ s ‖ v` signatures with the v1 rules (v 27 or 28, low s);
//! - [`calldata`]: checked, in-place views over ABI-encoded arguments, used by the contracts
//!   instead of generic decoding ([`owned`] copies them into the `sol!` types);
//! - [`checks`]: the allocation and signature checks that the contracts and the verifier share;
//! - [`dispute`]: dispute records and their transitions, as pure functions;
//! - `native` (feature `native`): signing and recovery with libsecp256k1 for off-chain use.
//!
//! The crate is `no_std` + `alloc` and builds for `wasm32-unknown-unknown`.
#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod calldata;
pub mod checks;
pub mod dispute;
pub mod error;
pub mod errors;
pub mod hash;
#[cfg(feature = "native")]
pub mod native;
pub mod owned;
pub mod sig;
pub mod sol;

pub use error::{Error, Result};

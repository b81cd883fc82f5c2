//! Support shared by the Perun Stylus programs: the ABI envelope solc's dispatcher checks, revert
//! data, the ecrecover precompile, raw storage of dispute records, events and outgoing calls.
//!
//! The programs route calls by hand (stylus-sdk's `Router`) and read their arguments through
//! `perun-channel`'s calldata views, so that they accept and reject exactly what the Solidity
//! mirrors do.
#![no_std]

extern crate alloc;

pub mod abi;
pub mod calls;
pub mod envelope;
pub mod events;
pub mod records;
pub mod revert;

pub use revert::{Outcome, Revert};

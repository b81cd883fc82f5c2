//! The custom errors of every Perun contract, generated from the Solidity mirror's `Errors.sol`.
//!
//! Generating them from the one Solidity file makes their selectors equal in both
//! implementations by construction; [`crate::Error::selector`] maps each Rust error to one.
#![allow(missing_docs)] // Documented in `Errors.sol`; `sol!` carries those docs over.

alloy_sol_types::sol!("../solidity/Errors.sol");

//! The trivial Perun app as an Arbitrum Stylus program: the Rust twin of
//! `contracts/solidity/TrivialApp.sol`; every transition is valid.
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
// `#[entrypoint]` generates the undocumented `user_entrypoint` export.
#![allow(missing_docs)]

#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use perun_stylus::abi::{Function, Mutability};
use perun_stylus::abi_type;
use perun_stylus::envelope::{self, Arg};
use stylus_sdk::abi::Router;
use stylus_sdk::prelude::*;
use stylus_sdk::ArbResult;

/// The interface.
pub const FUNCTIONS: &[Function] = &[Function {
    signature: concat!(
        "validTransition(", abi_type!(Params), ",", abi_type!(State), ",", abi_type!(State),
        ",uint256)"
    ),
    declaration: "validTransition(Params calldata params, State calldata from, State calldata to, uint256 actorIdx)",
    mutability: Mutability::Pure,
    returns: "",
}];

/// The app has no state.
#[storage]
#[entrypoint]
pub struct TrivialApp {}

impl Router<TrivialApp> for TrivialApp {
    type Storage = TrivialApp;

    fn route(s: &mut TrivialApp, selector: u32, input: &[u8]) -> Option<ArbResult> {
        const VALID_TRANSITION: u32 = FUNCTIONS[0].selector();
        if selector != VALID_TRANSITION {
            return None;
        }
        if let Err(e) = s.deny_value("") {
            return Some(Err(e));
        }
        let shape = [Arg::Struct(6), Arg::Struct(5), Arg::Struct(5), Arg::Word];
        if envelope::check(input, &shape) {
            Some(Ok(Vec::new()))
        } else {
            Some(Err(Vec::new()))
        }
    }

    fn receive(_: &mut TrivialApp) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_: &mut TrivialApp, _: &[u8]) -> Option<ArbResult> {
        None
    }

    /// `constructor()`: nothing to set. Like Solidity's default constructor it refuses value;
    /// like every program's constructor it runs once (stylus-sdk's constructor slot), so the
    /// StylusDeployer can deploy, activate and construct the app in one transaction.
    fn constructor(s: &mut TrivialApp, _: &[u8]) -> Option<ArbResult> {
        if let Err(e) = s.deny_value("constructor") {
            return Some(Err(e));
        }
        if let Err(e) = s.check_constructor_slot() {
            return Some(Err(e));
        }
        Some(Ok(Vec::new()))
    }
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::GenerateAbi for TrivialApp {
    const NAME: &'static str = "TrivialApp";

    fn fmt_abi(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        perun_stylus::abi::write_interface(f, "TrivialApp", true, &[], &[], FUNCTIONS)
    }

    fn fmt_constructor_signature(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "constructor()")
    }
}

/// Prints the interface (`cargo run -p perun-trivial-app --features export-abi`).
#[cfg(feature = "export-abi")]
pub fn print_from_args() {
    // The license and pragma lines first, as `#[public]` contracts print them.
    stylus_sdk::abi::export::handle_license_and_pragma();
    stylus_sdk::abi::export::print_from_args::<TrivialApp>();
}

#[cfg(test)]
mod tests;

//! The Perun ETH asset holder as an Arbitrum Stylus program: the Rust twin of
//! `contracts/solidity/AssetHolderETH.sol`. Deposits carry exactly their amount as value;
//! withdrawals pay with a call that forwards gas.
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
// `#[entrypoint]` generates the undocumented `user_entrypoint` export.
#![allow(missing_docs)]

#[macro_use]
extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use perun_asset_holder::{self as holder, abi as h, Asset};
use perun_channel::calldata::Args;
use perun_channel::Error;
use perun_stylus::abi::Function;
use perun_stylus::calls::call_bubbling;
use perun_stylus::envelope::{self, Arg};
use perun_stylus::revert::{respond, Route};
use perun_stylus::{Outcome, Revert};
use stylus_sdk::abi::Router;
use stylus_sdk::prelude::*;
use stylus_sdk::storage::StorageAddress;
use stylus_sdk::ArbResult;

/// The interface, in the order `export-abi` prints it.
pub const FUNCTIONS: &[Function] = &[
    h::DEPOSIT,
    h::SET_OUTCOME,
    h::WITHDRAW,
    h::HOLDINGS,
    h::SETTLED,
    h::ADJUDICATOR,
];

/// The custom errors the holder can revert with.
pub const ERRORS: &[&str] = &[
    "AlreadySettled",
    "BalanceOverflow",
    "EthTransferFailed",
    "InsufficientHoldings",
    "InvalidSignature",
    "InvalidSignatureLength",
    "InvalidSignatureS",
    "InvalidSignatureV",
    "MalformedCalldata",
    "NotSettled",
    "OnlyAdjudicator",
    "OutcomeLengthMismatch",
    "PartialWithdrawal",
    "Reentrancy",
    "WrongDepositValue",
];

/// The holder's storage: the Adjudicator's address (slot 0); holdings are raw (slot 2).
#[storage]
#[entrypoint]
pub struct AssetHolderETH {
    adjudicator: StorageAddress,
}

impl Asset for AssetHolderETH {
    fn pay_out(&mut self, to: Address, amount: U256) -> Result<(), Revert> {
        call_bubbling(self, to, amount, &[])
            .map(|_| ())
            .map_err(|_| Error::EthTransferFailed.into())
    }
}

impl Router<AssetHolderETH> for AssetHolderETH {
    type Storage = AssetHolderETH;

    fn route(s: &mut AssetHolderETH, selector: u32, input: &[u8]) -> Option<ArbResult> {
        const DEPOSIT: u32 = h::DEPOSIT.selector();
        const SET_OUTCOME: u32 = h::SET_OUTCOME.selector();
        const WITHDRAW: u32 = h::WITHDRAW.selector();
        const HOLDINGS: u32 = h::HOLDINGS.selector();
        const SETTLED: u32 = h::SETTLED.selector();
        const ADJUDICATOR: u32 = h::ADJUDICATOR.selector();
        let args = Args::new(input);
        if selector != DEPOSIT {
            if let Err(e) = s.deny_value("") {
                return Some(Err(e));
            }
        }
        let (outcome, shape): Route<AssetHolderETH> = match selector {
            DEPOSIT => (Self::deposit, &[Arg::Word, Arg::Word]),
            SET_OUTCOME => (Self::set_outcome, &[Arg::Word, Arg::Array, Arg::Array]),
            WITHDRAW => (|s, a| holder::withdraw(s, a), &[Arg::Struct(4), Arg::Bytes]),
            HOLDINGS => (|s, a| holder::holdings(s.vm(), a), &[Arg::Word]),
            SETTLED => (|s, a| holder::settled(s.vm(), a), &[Arg::Word]),
            ADJUDICATOR => (Self::adjudicator_address, &[]),
            _ => return None,
        };
        if !envelope::check(input, shape) {
            return Some(Err(Vec::new()));
        }
        respond(outcome(s, args))
    }

    fn receive(_: &mut AssetHolderETH) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_: &mut AssetHolderETH, _: &[u8]) -> Option<ArbResult> {
        None
    }

    /// `constructor(address adjudicator)`, once.
    fn constructor(s: &mut AssetHolderETH, input: &[u8]) -> Option<ArbResult> {
        if let Err(e) = s.deny_value("constructor") {
            return Some(Err(e));
        }
        if !envelope::check(input, &[Arg::Value(160)]) {
            return Some(Err(Vec::new()));
        }
        if let Err(e) = s.check_constructor_slot() {
            return Some(Err(e));
        }
        s.adjudicator.set(Address::from_slice(&input[12..32]));
        Some(Ok(Vec::new()))
    }
}

impl AssetHolderETH {
    /// `deposit(bytes32 fundingID, uint256 amount)`: the value sent must equal `amount`.
    fn deposit(&mut self, args: Args) -> Outcome {
        let fid = B256::from(args.word(0)?);
        let amount = args.word(1)?;
        if self.vm().msg_value() != amount {
            return Err(Error::WrongDepositValue.into());
        }
        holder::credit(self.vm(), fid, amount)?;
        Ok(Vec::new())
    }

    fn set_outcome(&mut self, args: Args) -> Outcome {
        holder::set_outcome(self.vm(), self.adjudicator.get(), args)
    }

    fn adjudicator_address(&mut self, _: Args) -> Outcome {
        Ok(B256::left_padding_from(self.adjudicator.get().as_slice()).to_vec())
    }
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::GenerateAbi for AssetHolderETH {
    const NAME: &'static str = "AssetHolderETH";

    fn fmt_abi(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        perun_stylus::abi::write_interface(f, "AssetHolderETH", true, h::EVENTS, ERRORS, FUNCTIONS)
    }

    fn fmt_constructor_signature(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "constructor(address adjudicator)")
    }
}

/// Prints the interface (`cargo run -p perun-asset-holder-eth --features export-abi`).
#[cfg(feature = "export-abi")]
pub fn print_from_args() {
    // The license and pragma lines first, as `#[public]` contracts print them.
    stylus_sdk::abi::export::handle_license_and_pragma();
    stylus_sdk::abi::export::print_from_args::<AssetHolderETH>();
}

#[cfg(test)]
mod tests;

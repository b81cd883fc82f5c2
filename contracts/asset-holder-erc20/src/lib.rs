//! The Perun ERC20 asset holder as an Arbitrum Stylus program: the Rust twin of
//! `contracts/solidity/AssetHolderERC20.sol`. Deposits pull the tokens and credit what arrived;
//! tokens that return no value are accepted.
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
use perun_stylus::abi::{Function, Mutability};
use perun_stylus::calls::{call_bubbling, static_call_bubbling};
use perun_stylus::envelope::{self, Arg};
use perun_stylus::revert::{respond, Route};
use perun_stylus::{Outcome, Revert};
use stylus_sdk::abi::Router;
use stylus_sdk::prelude::*;
use stylus_sdk::storage::StorageAddress;
use stylus_sdk::ArbResult;

/// `token()`.
pub const TOKEN: Function = Function {
    signature: "token()",
    declaration: "token()",
    mutability: Mutability::View,
    returns: "address",
};

/// The interface, in the order `export-abi` prints it.
pub const FUNCTIONS: &[Function] = &[
    h::DEPOSIT,
    h::SET_OUTCOME,
    h::WITHDRAW,
    h::HOLDINGS,
    h::SETTLED,
    h::ADJUDICATOR,
    TOKEN,
];

/// The custom errors the holder can revert with.
pub const ERRORS: &[&str] = &[
    "AlreadySettled",
    "BalanceOverflow",
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
    "TokenTransferFailed",
    "WrongDepositValue",
];

/// The holder's storage: the Adjudicator's address (slot 0), the token's (slot 1); holdings
/// are raw (slot 2).
#[storage]
#[entrypoint]
pub struct AssetHolderERC20 {
    adjudicator: StorageAddress,
    token: StorageAddress,
}

/// `transferFrom(address,address,uint256)`.
const TRANSFER_FROM: [u8; 4] = [0x23, 0xb8, 0x72, 0xdd];
/// `transfer(address,uint256)`.
const TRANSFER: [u8; 4] = [0xa9, 0x05, 0x9c, 0xbb];
/// `balanceOf(address)`.
const BALANCE_OF: [u8; 4] = [0x70, 0xa0, 0x82, 0x31];

fn address_word(a: Address) -> [u8; 32] {
    B256::left_padding_from(a.as_slice()).0
}

impl AssetHolderERC20 {
    /// Calls the token; it must not revert and must return nothing or a first word of 1.
    fn call_token(&mut self, data: &[u8]) -> Result<(), Revert> {
        let token = self.token.get();
        let ret = call_bubbling(self, token, U256::ZERO, data)
            .map_err(|_| Revert::from(Error::TokenTransferFailed))?;
        let ok =
            ret.is_empty() || (ret.len() >= 32 && U256::from_be_slice(&ret[..32]) == U256::from(1));
        if ok {
            Ok(())
        } else {
            Err(Error::TokenTransferFailed.into())
        }
    }

    /// The holder's token balance; the token must answer `balanceOf` with a word.
    fn balance(&self) -> Result<U256, Revert> {
        let mut data = BALANCE_OF.to_vec();
        data.extend_from_slice(&address_word(self.vm().contract_address()));
        let ret = static_call_bubbling(self.vm(), self.token.get(), &data)
            .map_err(|_| Revert::from(Error::TokenTransferFailed))?;
        if ret.len() < 32 {
            return Err(Error::TokenTransferFailed.into());
        }
        Ok(U256::from_be_slice(&ret[..32]))
    }

    /// `deposit(bytes32 fundingID, uint256 amount)`: no value; pulls the tokens and credits
    /// what arrived.
    fn deposit(&mut self, args: Args) -> Outcome {
        holder::non_reentrant(self.vm())?;
        let fid = B256::from(args.word(0)?);
        let amount = args.word(1)?;
        if !self.vm().msg_value().is_zero() {
            return Err(Error::WrongDepositValue.into());
        }
        let before = self.balance()?;
        let mut data = TRANSFER_FROM.to_vec();
        data.extend_from_slice(&address_word(self.vm().msg_sender()));
        data.extend_from_slice(&address_word(self.vm().contract_address()));
        data.extend_from_slice(&amount.to_be_bytes::<32>());
        self.call_token(&data)?;
        let after = self.balance()?;
        let received = after
            .checked_sub(before)
            .ok_or(Error::TokenTransferFailed)?;
        holder::credit(self.vm(), fid, received)?;
        Ok(Vec::new())
    }

    fn set_outcome(&mut self, args: Args) -> Outcome {
        holder::set_outcome(self.vm(), self.adjudicator.get(), args)
    }

    fn adjudicator_address(&mut self, _: Args) -> Outcome {
        Ok(address_word(self.adjudicator.get()).to_vec())
    }

    fn token_address(&mut self, _: Args) -> Outcome {
        Ok(address_word(self.token.get()).to_vec())
    }
}

impl Asset for AssetHolderERC20 {
    fn pay_out(&mut self, to: Address, amount: U256) -> Result<(), Revert> {
        let mut data = TRANSFER.to_vec();
        data.extend_from_slice(&address_word(to));
        data.extend_from_slice(&amount.to_be_bytes::<32>());
        self.call_token(&data)
    }
}

impl Router<AssetHolderERC20> for AssetHolderERC20 {
    type Storage = AssetHolderERC20;

    fn route(s: &mut AssetHolderERC20, selector: u32, input: &[u8]) -> Option<ArbResult> {
        const DEPOSIT: u32 = h::DEPOSIT.selector();
        const SET_OUTCOME: u32 = h::SET_OUTCOME.selector();
        const WITHDRAW: u32 = h::WITHDRAW.selector();
        const HOLDINGS: u32 = h::HOLDINGS.selector();
        const SETTLED: u32 = h::SETTLED.selector();
        const ADJUDICATOR: u32 = h::ADJUDICATOR.selector();
        const TOKEN_SEL: u32 = TOKEN.selector();
        let args = Args::new(input);
        if selector != DEPOSIT {
            if let Err(e) = s.deny_value("") {
                return Some(Err(e));
            }
        }
        let (outcome, shape): Route<AssetHolderERC20> = match selector {
            DEPOSIT => (Self::deposit, &[Arg::Word, Arg::Word]),
            SET_OUTCOME => (Self::set_outcome, &[Arg::Word, Arg::Array, Arg::Array]),
            WITHDRAW => (|s, a| holder::withdraw(s, a), &[Arg::Struct(4), Arg::Bytes]),
            HOLDINGS => (|s, a| holder::holdings(s.vm(), a), &[Arg::Word]),
            SETTLED => (|s, a| holder::settled(s.vm(), a), &[Arg::Word]),
            ADJUDICATOR => (Self::adjudicator_address, &[]),
            TOKEN_SEL => (Self::token_address, &[]),
            _ => return None,
        };
        if !envelope::check(input, shape) {
            return Some(Err(Vec::new()));
        }
        respond(outcome(s, args))
    }

    fn receive(_: &mut AssetHolderERC20) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_: &mut AssetHolderERC20, _: &[u8]) -> Option<ArbResult> {
        None
    }

    /// `constructor(address adjudicator, address token)`, once.
    fn constructor(s: &mut AssetHolderERC20, input: &[u8]) -> Option<ArbResult> {
        if let Err(e) = s.deny_value("constructor") {
            return Some(Err(e));
        }
        if !envelope::check(input, &[Arg::Value(160), Arg::Value(160)]) {
            return Some(Err(Vec::new()));
        }
        if let Err(e) = s.check_constructor_slot() {
            return Some(Err(e));
        }
        s.adjudicator.set(Address::from_slice(&input[12..32]));
        s.token.set(Address::from_slice(&input[44..64]));
        Some(Ok(Vec::new()))
    }
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::GenerateAbi for AssetHolderERC20 {
    const NAME: &'static str = "AssetHolderERC20";

    fn fmt_abi(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        perun_stylus::abi::write_interface(
            f,
            "AssetHolderERC20",
            true,
            h::EVENTS,
            ERRORS,
            FUNCTIONS,
        )
    }

    fn fmt_constructor_signature(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "constructor(address adjudicator, address token)")
    }
}

/// Prints the interface (`cargo run -p perun-asset-holder-erc20 --features export-abi`).
#[cfg(feature = "export-abi")]
pub fn print_from_args() {
    // The license and pragma lines first, as `#[public]` contracts print them.
    stylus_sdk::abi::export::handle_license_and_pragma();
    stylus_sdk::abi::export::print_from_args::<AssetHolderERC20>();
}

#[cfg(test)]
mod tests;

//! The asset-holder component of the Perun Stylus programs: the Rust twin of
//! `contracts/solidity/AssetHolder.sol`. The ETH and ERC20 holder programs route their calls
//! here and supply the asset's transfers ([`Asset`]).
//!
//! Storage: the adjudicator's address in slot 0 (and the token's in slot 1), and the holdings
//! mapping raw at slot [`HOLDINGS`]. As in the mirror, the top bit of a holdings entry
//! ([`SETTLED`]) marks a channel ID's entry settled, so entries hold at most 2^255 - 1.
#![no_std]

extern crate alloc;

use alloc::vec::Vec;
use alloy_primitives::{keccak256, Address, B256, U256};
use perun_channel::calldata::{Args, ArrayRef, BytesRef, ParticipantRef, WithdrawalAuthRef};
use perun_channel::checks::check_signature;
use perun_channel::hash::{eth_signed_digest, funding_id};
use perun_channel::Error;
use perun_stylus::calls::ecrecover;
use perun_stylus::{events, Outcome, Revert};
use stylus_sdk::host::VM;
use stylus_sdk::prelude::*;

/// The storage slot of the holdings mapping.
pub const HOLDINGS: U256 = U256::from_limbs([2, 0, 0, 0]);

/// The top bit of a holdings entry: set in a channel ID's entry once its outcome is set.
pub const SETTLED: U256 = U256::from_limbs([0, 0, 0, 1 << 63]);

type Result<T, E = Revert> = core::result::Result<T, E>;

/// How a holder moves its asset.
pub trait Asset {
    /// Pays `amount` to `to`.
    ///
    /// # Errors
    /// `EthTransferFailed` or `TokenTransferFailed`.
    fn pay_out(&mut self, to: Address, amount: U256) -> Result<()>;
}

/// The storage slot of `id`'s holdings entry.
pub fn slot_of(id: B256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(id.as_slice());
    buf[32..].copy_from_slice(&HOLDINGS.to_be_bytes::<32>());
    U256::from_be_bytes(keccak256(buf).0)
}

/// The raw entry of `id` (with the [`SETTLED`] bit).
pub fn entry(vm: &VM, id: B256) -> U256 {
    U256::from_be_bytes(vm.storage_load_bytes32(slot_of(id)).0)
}

fn set_entry(vm: &VM, id: B256, value: U256) {
    // SAFETY: holdings entries are written only through this function, and no storage accessor
    // of the program holds them.
    #[allow(unsafe_code)]
    unsafe {
        vm.storage_cache_bytes32(slot_of(id), B256::from(value));
    }
}

/// `holdings(bytes32)`: the funds of a funding ID (or under a channel ID).
pub fn holdings(vm: &VM, args: Args) -> Outcome {
    let id = B256::from(args.word(0)?);
    Ok((entry(vm, id) & !SETTLED).to_be_bytes::<32>().to_vec())
}

/// `settled(bytes32)`: whether a channel's outcome is set.
pub fn settled(vm: &VM, args: Args) -> Outcome {
    let id = B256::from(args.word(0)?);
    let set = !(entry(vm, id) & SETTLED).is_zero();
    Ok(perun_stylus::revert::word(u64::from(set)).to_vec())
}

/// Credits `amount` to `fid` and emits `Deposited`.
///
/// # Errors
/// `BalanceOverflow` if the entry would reach 2^255.
pub fn credit(vm: &VM, fid: B256, amount: U256) -> Result<()> {
    if amount >= SETTLED {
        return Err(Error::BalanceOverflow.into());
    }
    let e = entry(vm, fid);
    // Both terms are below 2^255, so the sum cannot wrap.
    let sum = (e & !SETTLED) + amount;
    if sum >= SETTLED {
        return Err(Error::BalanceOverflow.into());
    }
    set_entry(vm, fid, (e & SETTLED) | sum);
    events::deposited(vm, fid, amount);
    Ok(())
}

/// The reentrancy guard of `withdraw` and token deposits: the program must not be on the call
/// stack already. (The holder is re-entered only from a guarded function's outgoing call, so
/// this is exactly the mirror's transient flag.)
///
/// # Errors
/// `Reentrancy`.
pub fn non_reentrant(vm: &VM) -> Result<()> {
    if vm.msg_reentrant() {
        return Err(Error::Reentrancy.into());
    }
    Ok(())
}

/// `setOutcome(bytes32 channelID, Participant[] parts, uint256[] newBals)`.
pub fn set_outcome(vm: &VM, adjudicator: Address, args: Args) -> Outcome {
    if vm.msg_sender() != adjudicator {
        return Err(Error::OnlyAdjudicator.into());
    }
    let channel_id = B256::from(args.word(0)?);
    let parts: ArrayRef<ParticipantRef> = args.get(1)?;
    let bals: ArrayRef<U256> = args.get(2)?;
    let n = parts.len();
    if n != bals.len() {
        return Err(Error::OutcomeLengthMismatch.into());
    }
    let mut sum_held = entry(vm, channel_id);
    if !(sum_held & SETTLED).is_zero() {
        return Err(Error::AlreadySettled.into());
    }
    let mut sum_outcome = U256::ZERO;
    let mut fids: Vec<B256> = Vec::with_capacity(n);
    let mut repeated = false;
    for i in 0..n {
        let fid = funding_id(channel_id, parts.get(i)?.eth_address()?);
        repeated |= fids.contains(&fid);
        fids.push(fid);
        sum_held = sum_held
            .checked_add(entry(vm, fid))
            .ok_or(Error::BalanceOverflow)?;
        sum_outcome = sum_outcome
            .checked_add(bals.word(i))
            .ok_or(Error::BalanceOverflow)?;
    }
    // A channel whose participants repeat an address is treated as underfunded: everyone keeps
    // its deposit (v1 let it take out more than was deposited for it).
    if !repeated && sum_held >= sum_outcome {
        for (i, fid) in fids.iter().enumerate() {
            let bal = bals.word(i);
            if bal >= SETTLED {
                return Err(Error::BalanceOverflow.into());
            }
            set_entry(vm, *fid, bal);
        }
    }
    // The channel ID's funds are used up (as in v1), and the channel is settled.
    set_entry(vm, channel_id, SETTLED);
    events::outcome_set(vm, channel_id);
    Ok(Vec::new())
}

/// `withdraw(WithdrawalAuth authorization, bytes signature)`.
pub fn withdraw<A: Asset + HostAccess<Host = VM>>(holder: &mut A, args: Args) -> Outcome {
    let vm = holder.vm().clone();
    non_reentrant(&vm)?;
    let auth: WithdrawalAuthRef = args.get(0)?;
    let a = auth.decode()?;
    let sig: BytesRef = args.get(1)?;
    if (entry(&vm, a.channel_id) & SETTLED).is_zero() {
        return Err(Error::NotSettled.into());
    }
    let digest = eth_signed_digest(a.hash);
    check_signature(0, &digest, sig.as_slice(), a.participant, |d, s| {
        ecrecover(&vm, d, s)
    })?;
    let fid = funding_id(a.channel_id, a.participant);
    let held = entry(&vm, fid);
    if held < a.amount {
        return Err(Error::InsufficientHoldings.into());
    }
    // A withdrawal to someone else takes the whole holdings: its authorization (which names no
    // holder and no nonce, as in v1) cannot then be replayed here while holdings last.
    if a.receiver != a.participant && a.amount != held {
        return Err(Error::PartialWithdrawal.into());
    }
    // A participant's entry never has the SETTLED bit (a funding ID is a hash of 64 bytes,
    // never a channel ID), so this is its balance. State first, then the payout.
    set_entry(&vm, fid, held - a.amount);
    holder.pay_out(a.receiver, a.amount)?;
    events::withdrawn(&vm, fid, a.amount, a.receiver);
    Ok(Vec::new())
}

/// The functions every holder has, as ABI data: the ETH and ERC20 programs add theirs.
pub mod abi {
    use perun_stylus::abi::{Function, Mutability};
    use perun_stylus::abi_type;

    /// `deposit(bytes32,uint256)`.
    pub const DEPOSIT: Function = Function {
        signature: "deposit(bytes32,uint256)",
        declaration: "deposit(bytes32 fundingID, uint256 amount)",
        mutability: Mutability::Payable,
        returns: "",
    };
    /// `setOutcome(bytes32,Participant[],uint256[])`.
    pub const SET_OUTCOME: Function = Function {
        signature: concat!("setOutcome(bytes32,", abi_type!(Participant), "[],uint256[])"),
        declaration: "setOutcome(bytes32 channelID, Participant[] calldata parts, uint256[] calldata newBals)",
        mutability: Mutability::NonPayable,
        returns: "",
    };
    /// `withdraw(WithdrawalAuth,bytes)`.
    pub const WITHDRAW: Function = Function {
        signature: concat!("withdraw(", abi_type!(WithdrawalAuth), ",bytes)"),
        declaration: "withdraw(WithdrawalAuth calldata authorization, bytes calldata signature)",
        mutability: Mutability::NonPayable,
        returns: "",
    };
    /// `holdings(bytes32)`.
    pub const HOLDINGS: Function = Function {
        signature: "holdings(bytes32)",
        declaration: "holdings(bytes32 fundingID)",
        mutability: Mutability::View,
        returns: "uint256",
    };
    /// `settled(bytes32)`.
    pub const SETTLED: Function = Function {
        signature: "settled(bytes32)",
        declaration: "settled(bytes32 channelID)",
        mutability: Mutability::View,
        returns: "bool",
    };
    /// `adjudicator()`.
    pub const ADJUDICATOR: Function = Function {
        signature: "adjudicator()",
        declaration: "adjudicator()",
        mutability: Mutability::View,
        returns: "address",
    };

    /// The events every holder emits.
    pub const EVENTS: &[&str] = &[
        "Deposited(bytes32 indexed fundingID, uint256 amount)",
        "Withdrawn(bytes32 indexed fundingID, uint256 amount, address receiver)",
        "OutcomeSet(bytes32 indexed channelID)",
    ];
}

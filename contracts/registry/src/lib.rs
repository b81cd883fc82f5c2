//! The Perun virtual-channel registry as an Arbitrum Stylus program: the Rust twin of
//! `contracts/solidity/VirtualChannelRegistry.sol`, with the same ABI, checks, errors and events.
//!
//! It holds the one dispute record of every virtual channel (a mapping at slot 1, in the
//! Adjudicator's two-slot layout): the Adjudicator records and concludes virtual channels here on
//! the v1 path, and anyone may register, refute and conclude them directly. A record is keyed by
//! the channel ID bound to the channel's funding (`perun_channel::hash::sub_channel_key`: its
//! assets and per-asset totals), so a parent reads the record of the funding it locked and a
//! state funded otherwise never reaches it. Calls are routed by hand, as in
//! `perun-adjudicator`.
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
// `#[entrypoint]` generates the undocumented `user_entrypoint` export.
#![allow(missing_docs)]

#[macro_use]
extern crate alloc;

pub mod abi;

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use perun_channel::calldata::{Args, ParamsRef, SignedStateRef, StateRef};
use perun_channel::checks::{check_shape, own_key, verify_all};
use perun_channel::dispute::{self, Dispute};
use perun_channel::hash::eth_signed_digest;
use perun_channel::Error;
use perun_stylus::calls::ecrecover;
use perun_stylus::envelope::{self, Arg};
use perun_stylus::revert::{respond, word, Route};
use perun_stylus::{records, Outcome, Revert};
use stylus_sdk::abi::Router;
use stylus_sdk::prelude::*;
use stylus_sdk::storage::StorageAddress;
use stylus_sdk::ArbResult;

pub use abi::FUNCTIONS;

/// The storage slot of the dispute records' mapping.
const DISPUTES: U256 = U256::from_limbs([1, 0, 0, 0]);

/// The registry's storage: the Adjudicator's address (slot 0); the records (slot 1) are raw.
#[storage]
#[entrypoint]
pub struct VirtualChannelRegistry {
    adjudicator: StorageAddress,
}

type Result<T, E = Revert> = core::result::Result<T, E>;

impl Router<VirtualChannelRegistry> for VirtualChannelRegistry {
    type Storage = VirtualChannelRegistry;

    fn route(s: &mut VirtualChannelRegistry, selector: u32, input: &[u8]) -> Option<ArbResult> {
        use abi::sel;
        let args = Args::new(input);
        // Every function here is non-payable: value reverts with empty data, as in solc.
        if let Err(e) = s.deny_value("") {
            return Some(Err(e));
        }
        let (outcome, shape): Route<VirtualChannelRegistry> = match selector {
            sel::REGISTER => (Self::register, &[Arg::Struct(3)]),
            sel::CONCLUDE => (Self::conclude, &[Arg::Struct(6), Arg::Struct(5)]),
            sel::REGISTER_VIRTUAL => (
                Self::register_virtual,
                &[
                    Arg::Word,
                    Arg::Word,
                    Arg::Value(64),
                    Arg::Word,
                    Arg::Word,
                    Arg::Value(1),
                ],
            ),
            sel::CONCLUDE_VIRTUAL => (
                Self::conclude_virtual,
                &[Arg::Word, Arg::Word, Arg::Word, Arg::Value(1)],
            ),
            sel::CONCLUDE_FINAL_VIRTUAL => (
                Self::conclude_final_virtual,
                &[Arg::Word, Arg::Value(64), Arg::Word, Arg::Word],
            ),
            sel::DISPUTES => (Self::disputes, &[Arg::Word]),
            sel::ADJUDICATOR => (Self::adjudicator_address, &[]),
            _ => return None,
        };
        if !envelope::check(input, shape) {
            return Some(Err(Vec::new()));
        }
        respond(outcome(s, args))
    }

    fn receive(_: &mut VirtualChannelRegistry) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_: &mut VirtualChannelRegistry, _: &[u8]) -> Option<ArbResult> {
        None
    }

    /// `constructor(address adjudicator)`, once.
    fn constructor(s: &mut VirtualChannelRegistry, input: &[u8]) -> Option<ArbResult> {
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

impl VirtualChannelRegistry {
    fn now(&self) -> u64 {
        self.vm().block_timestamp()
    }

    fn record(&self, key: B256) -> Dispute {
        records::load(self.vm(), DISPUTES, key)
    }

    fn store(&self, key: B256, id: B256, d: &Dispute) {
        records::store(self.vm(), DISPUTES, key, id, d);
    }

    /// The direct path takes virtual channels only, and no channel that is also a ledger
    /// channel: such a channel's record lives here too, but only the Adjudicator's `conclude` and
    /// `concludeFinal` may conclude it, since they push its outcome to the asset holders.
    fn require_direct(params: ParamsRef) -> Result<()> {
        if !params.virtual_channel()? || params.ledger_channel()? {
            return Err(Error::NotVirtualChannel.into());
        }
        Ok(())
    }

    fn only_adjudicator(&self) -> Result<()> {
        if self.vm().msg_sender() != self.adjudicator.get() {
            return Err(Error::OnlyAdjudicator.into());
        }
        Ok(())
    }

    /// `register(SignedState channel)`: registers or refutes directly.
    fn register(&mut self, args: Args) -> Outcome {
        let channel: SignedStateRef = args.get(0)?;
        let params = channel.params()?;
        let state = channel.state()?;
        Self::require_direct(params)?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams.into());
        }
        let h = state.hash()?;
        let vm = self.vm();
        verify_all(
            &eth_signed_digest(h),
            params.participants()?,
            channel.sigs()?,
            |d, s| ecrecover(vm, d, s),
        )?;
        if !params.app()?.is_zero() {
            return Err(Error::HasApp.into());
        }
        let outcome = state.outcome()?;
        if !outcome.locked()?.is_empty() {
            return Err(Error::HasLockedFunds.into());
        }
        check_shape(outcome, params.participants()?.len())?;
        let key = own_key(id, outcome)?;
        let version = state.version()?;
        let cd = params.challenge_duration()?;
        let is_final = state.is_final()?;
        let old = self.record(key);
        let d = dispute::register(&old, version, h, cd, false, is_final, self.now())?;
        // A state is canonical if its hash is recorded already (equal hashes, equal bytes);
        // otherwise, now recorded, it must be found so (perun-channel's calldata module).
        if old.state_hash != h {
            params.check_canonical()?;
            state.check_canonical()?;
        }
        if let Some(d) = d {
            self.store(key, id, &d);
        }
        Ok(Vec::new())
    }

    /// `conclude(Params params, State state)`: concludes directly after the timeout.
    fn conclude(&mut self, args: Args) -> Outcome {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        Self::require_direct(params)?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams.into());
        }
        let h = state.hash()?;
        let key = own_key(id, state.outcome()?)?;
        let old = self.record(key);
        if let Some(d) = dispute::conclude(&old, h, true, self.now())? {
            self.store(key, id, &d);
        }
        Ok(Vec::new())
    }

    /// `registerVirtual(id, key, version, stateHash, challengeDuration, isFinal)`, for the
    /// Adjudicator: the record under `key`.
    fn register_virtual(&mut self, args: Args) -> Outcome {
        self.only_adjudicator()?;
        let id = B256::from(args.word(0)?);
        let key = B256::from(args.word(1)?);
        // The envelope check found the word clean for a uint64.
        let version = args.word(2)?.as_limbs()[0];
        let h = B256::from(args.word(3)?);
        let cd = args.word(4)?;
        let is_final = !args.word(5)?.is_zero();
        let old = self.record(key);
        let r = dispute::register(&old, version, h, cd, false, is_final, self.now());
        // A sub-channel (keyed by its funding, not its ID) keeps a record it cannot replace.
        let (changed, timeout) = match if key == id { r } else { dispute::kept(r) }? {
            Some(d) => {
                self.store(key, id, &d);
                (true, d.timeout)
            }
            None => (false, old.timeout),
        };
        let mut ret = word(u64::from(changed)).to_vec();
        ret.extend_from_slice(&word(timeout));
        ret.extend_from_slice(&word(u64::from(old.state_hash == h)));
        Ok(ret)
    }

    /// `concludeVirtual(id, key, stateHash, root)`, for the Adjudicator: the record under `key`.
    fn conclude_virtual(&mut self, args: Args) -> Outcome {
        self.only_adjudicator()?;
        let id = B256::from(args.word(0)?);
        let key = B256::from(args.word(1)?);
        let h = B256::from(args.word(2)?);
        let root = !args.word(3)?.is_zero();
        let old = self.record(key);
        let (changed, d) = match dispute::conclude(&old, h, root, self.now())? {
            Some(d) => {
                self.store(key, id, &d);
                (true, d)
            }
            None => (false, old),
        };
        let mut ret = word(u64::from(changed)).to_vec();
        ret.extend_from_slice(&word(d.version));
        ret.extend_from_slice(&word(d.timeout));
        Ok(ret)
    }

    /// `concludeFinalVirtual(id, version, stateHash, challengeDuration)`, for the Adjudicator.
    fn conclude_final_virtual(&mut self, args: Args) -> Outcome {
        self.only_adjudicator()?;
        let id = B256::from(args.word(0)?);
        // The envelope check found the word clean for a uint64.
        let version = args.word(1)?.as_limbs()[0];
        let h = B256::from(args.word(2)?);
        let cd: U256 = args.word(3)?;
        let old = self.record(id);
        let d = dispute::conclude_final(&old, version, h, cd, false, self.now())?;
        self.store(id, id, &d);
        Ok(Vec::new())
    }

    /// `disputes(bytes32 key)`: the record under `key` (a virtual channel's ID bound to its
    /// funding; a ledger channel's ID).
    fn disputes(&mut self, args: Args) -> Outcome {
        let key = B256::from(args.word(0)?);
        Ok(self.record(key).abi_encode().to_vec())
    }

    /// `adjudicator()`.
    fn adjudicator_address(&mut self, _: Args) -> Outcome {
        Ok(B256::left_padding_from(self.adjudicator.get().as_slice()).to_vec())
    }
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::GenerateAbi for VirtualChannelRegistry {
    const NAME: &'static str = "VirtualChannelRegistry";

    fn fmt_abi(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        perun_stylus::abi::write_interface(
            f,
            "VirtualChannelRegistry",
            true,
            abi::EVENTS,
            abi::ERRORS,
            FUNCTIONS,
        )
    }

    fn fmt_constructor_signature(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "constructor(address adjudicator)")
    }
}

/// Prints the interface (`cargo run -p perun-registry --features export-abi`).
#[cfg(feature = "export-abi")]
pub fn print_from_args() {
    // The license and pragma lines first, as `#[public]` contracts print them.
    stylus_sdk::abi::export::handle_license_and_pragma();
    stylus_sdk::abi::export::print_from_args::<VirtualChannelRegistry>();
}

#[cfg(test)]
mod tests;

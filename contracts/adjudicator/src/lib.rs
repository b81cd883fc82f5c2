//! The Perun Adjudicator as an Arbitrum Stylus program: the Rust twin of
//! `contracts/solidity/Adjudicator.sol`, with the same ABI, checks, errors and events.
//!
//! Calls are routed by hand: each function checks the ABI envelope as solc's dispatcher does,
//! then reads its arguments through `perun-channel`'s checked calldata views, in the order the
//! Solidity mirror reads them, so both revert alike on every input. Dispute records of ledger
//! channels and sub-channels live here (a mapping at slot 1, in the mirror's two-slot layout);
//! those of virtual channels in the registry (`perun-registry`), whose address is set at
//! construction. A ledger channel's record is keyed by its channel ID, a sub-channel's or
//! virtual channel's by its channel ID bound to the funding its parent locks for it
//! (`perun_channel::hash::sub_channel_key`), so a parent only ever folds in an outcome of the
//! assets and totals it locked (SPEC section 10).
#![cfg_attr(not(any(test, feature = "export-abi")), no_std)]
// `#[entrypoint]` generates the undocumented `user_entrypoint` export.
#![allow(missing_docs)]

#[macro_use]
extern crate alloc;

pub mod abi;

use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use perun_channel::calldata::{
    AllocationRef, Args, ArrayRef, BytesRef, ParamsRef, SignedStateRef, StateRef,
};
use perun_channel::checks::{
    add_totals, check_assets_equal, check_depth, check_equal_totals, check_index_map, check_shape,
    check_signature, check_sub_params, check_transition, fold_sub_outcome, locked_key, own_key,
    row_sums, verify_all,
};
use perun_channel::dispute::{self, CONCLUDED, DISPUTE};
use perun_channel::hash::eth_signed_digest;
use perun_channel::Error;
use perun_stylus::calls::{call_bubbling, ecrecover, has_code, static_call_bubbling};
use perun_stylus::envelope::{self, Arg};
use perun_stylus::revert::{respond, word, Route};
use perun_stylus::{events, records, Outcome, Revert};
use stylus_sdk::abi::Router;
use stylus_sdk::prelude::*;
use stylus_sdk::storage::StorageAddress;
use stylus_sdk::ArbResult;

pub use abi::FUNCTIONS;

/// The storage slot of the dispute records' mapping.
const DISPUTES: U256 = U256::from_limbs([1, 0, 0, 0]);

/// The Adjudicator's storage: the registry's address (slot 0); the records (slot 1) are raw.
#[storage]
#[entrypoint]
pub struct Adjudicator {
    registry: StorageAddress,
}

type Result<T, E = Revert> = core::result::Result<T, E>;

impl Router<Adjudicator> for Adjudicator {
    type Storage = Adjudicator;

    fn route(s: &mut Adjudicator, selector: u32, input: &[u8]) -> Option<ArbResult> {
        use abi::sel;
        let args = Args::new(input);
        // Every function here is non-payable: value reverts with empty data, as in solc.
        if let Err(e) = s.deny_value("") {
            return Some(Err(e));
        }
        let (outcome, shape): Route<Adjudicator> = match selector {
            sel::REGISTER => (Self::register, &[Arg::Struct(3), Arg::Array]),
            sel::PROGRESS => (
                Self::progress,
                &[
                    Arg::Struct(6),
                    Arg::Struct(5),
                    Arg::Struct(5),
                    Arg::Word,
                    Arg::Bytes,
                ],
            ),
            sel::CONCLUDE => (
                Self::conclude,
                &[Arg::Struct(6), Arg::Struct(5), Arg::Array],
            ),
            sel::CONCLUDE_FINAL => (
                Self::conclude_final,
                &[Arg::Struct(6), Arg::Struct(5), Arg::Array],
            ),
            sel::CHANNEL_ID => (Self::channel_id, &[Arg::Struct(6)]),
            sel::HASH_STATE => (Self::hash_state, &[Arg::Struct(5)]),
            sel::DISPUTES => (Self::disputes, &[Arg::Word]),
            sel::REGISTRY => (Self::registry_address, &[]),
            _ => return None,
        };
        if !envelope::check(input, shape) {
            return Some(Err(Vec::new()));
        }
        respond(outcome(s, args))
    }

    fn receive(_: &mut Adjudicator) -> Option<Result<(), Vec<u8>>> {
        None
    }

    fn fallback(_: &mut Adjudicator, _: &[u8]) -> Option<ArbResult> {
        None
    }

    /// `constructor(address registry)`, once.
    fn constructor(s: &mut Adjudicator, input: &[u8]) -> Option<ArbResult> {
        if let Err(e) = s.deny_value("constructor") {
            return Some(Err(e));
        }
        if !envelope::check(input, &[Arg::Value(160)]) {
            return Some(Err(Vec::new()));
        }
        if let Err(e) = s.check_constructor_slot() {
            return Some(Err(e));
        }
        s.registry.set(Address::from_slice(&input[12..32]));
        Some(Ok(Vec::new()))
    }
}

impl Adjudicator {
    fn now(&self) -> u64 {
        self.vm().block_timestamp()
    }

    fn recover(&self) -> impl FnMut(&B256, &perun_channel::sig::Signature) -> Option<Address> + '_ {
        let vm = self.vm();
        move |d, s| ecrecover(vm, d, s)
    }

    // -----------------------------------------------------------------------------------------
    // register
    // -----------------------------------------------------------------------------------------

    /// `register(SignedState channel, SignedState[] subChannels)`.
    fn register(&mut self, args: Args) -> Outcome {
        let channel: SignedStateRef = args.get(0)?;
        let subs: ArrayRef<SignedStateRef> = args.get(1)?;
        if !channel.params()?.ledger_channel()? {
            return Err(Error::NotLedgerChannel.into());
        }
        self.register_recursive(channel, subs, 0, None, 0)?;
        Ok(Vec::new())
    }

    /// Registers `ch` (under `sub`'s key, or as the ledger channel under its ID), then its
    /// sub-channels from `subs[next..]`, each under the key of the SubAlloc locking it; returns
    /// `ch`'s per-asset totals, the next unused index and `ch`'s participant count. `depth` is
    /// `ch`'s depth.
    fn register_recursive(
        &mut self,
        ch: SignedStateRef,
        subs: ArrayRef<SignedStateRef>,
        mut next: usize,
        sub: Option<SubOf>,
        depth: usize,
    ) -> Result<(Vec<U256>, usize, usize)> {
        let parts = self.register_single(ch, sub)?;
        let outcome = ch.state()?.outcome()?;
        let mut totals = row_sums(outcome.balances()?)?;
        let locked = outcome.locked()?;
        if locked.len() > subs.len() {
            return Err(Error::SubChannelsTooShort.into());
        }
        for i in 0..locked.len() {
            if next >= subs.len() {
                return Err(Error::SubChannelsTooShort.into());
            }
            let sub = subs.get(next)?;
            next += 1;
            let l = locked.get(i)?;
            let locked_id = l.id()?;
            if locked_id != sub.state()?.channel_id()? {
                return Err(Error::SubChannelIdMismatch.into());
            }
            check_depth(depth + 1)?;
            let of = SubOf {
                key: locked_key(outcome, l)?,
                parent_duration: ch.params()?.challenge_duration()?,
            };
            let (sub_totals, after, sub_parts) =
                self.register_recursive(sub, subs, next, Some(of), depth + 1)?;
            next = after;
            check_assets_equal(outcome.assets()?, sub.state()?.outcome()?.assets()?)?;
            check_equal_totals(l.balances()?, &sub_totals)?;
            check_index_map(l.index_map()?, sub_parts, parts)?;
            add_totals(&mut totals, &sub_totals)?;
        }
        Ok((totals, next, parts))
    }

    /// Checks one signed state and records it (a virtual channel in the registry): a ledger
    /// channel under its ID, a sub-channel under `sub`'s key once its params and shape pass.
    /// Returns its participant count.
    fn register_single(&mut self, s: SignedStateRef, sub: Option<SubOf>) -> Result<usize> {
        let params = s.params()?;
        let state = s.state()?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams.into());
        }
        let h = state.hash()?;
        let parts = params.participants()?;
        verify_all(&eth_signed_digest(h), parts, s.sigs()?, self.recover())?;
        let key = match sub {
            None => id,
            Some(of) => {
                check_sub_params(
                    params.ledger_channel()?,
                    params.challenge_duration()?,
                    of.parent_duration,
                )?;
                check_shape(state.outcome()?, parts.len())?;
                of.key
            }
        };
        if params.virtual_channel()? {
            if !params.app()?.is_zero() {
                return Err(Error::HasApp.into());
            }
            if !state.outcome()?.locked()?.is_empty() {
                return Err(Error::HasLockedFunds.into());
            }
            let version = state.version()?;
            let cd = params.challenge_duration()?;
            let is_final = state.is_final()?;
            let ret = self.call_registry(
                &abi::register_virtual(id, key, version, h, cd, is_final),
                &[1, 64, 1],
            )?;
            let (changed, timeout, same) = (ret[31] == 1, u64_word(&ret[32..64]), ret[95] == 1);
            if !same {
                check_canonical(params, state)?;
            }
            // v1 emits the virtual channel's update from the Adjudicator; go-perun watches it.
            if changed {
                events::channel_update(self.vm(), id, version, DISPUTE, timeout);
            }
        } else {
            let version = state.version()?;
            let cd = params.challenge_duration()?;
            let has_app = !params.app()?.is_zero();
            let is_final = state.is_final()?;
            let old = records::load(self.vm(), DISPUTES, key);
            let r = dispute::register(&old, version, h, cd, has_app, is_final, self.now());
            // A sub-channel (keyed by its funding, not its ID) keeps a record it cannot replace.
            let d = if key == id { r } else { dispute::kept(r) }?;
            if old.state_hash != h {
                check_canonical(params, state)?;
            }
            if let Some(d) = d {
                records::store(self.vm(), DISPUTES, key, id, &d);
            }
        }
        Ok(parts.len())
    }

    // -----------------------------------------------------------------------------------------
    // progress
    // -----------------------------------------------------------------------------------------

    /// `progress(Params params, State stateOld, State state, uint256 actorIdx, bytes sig)`.
    fn progress(&mut self, args: Args) -> Outcome {
        let params: ParamsRef = args.get(0)?;
        let old: StateRef = args.get(1)?;
        let state: StateRef = args.get(2)?;
        let sig: BytesRef = args.get(4)?;
        // The envelope check guarantees the word is inside.
        let actor_idx = args.word(3)?;
        let id = state.channel_id()?;
        // A ledger channel's record is under its ID, a sub-channel's under its ID and funding,
        // which a transition keeps (same assets, locked funds and totals).
        let key = if params.ledger_channel()? {
            id
        } else {
            own_key(id, old.outcome()?)?
        };
        let d = records::load(self.vm(), DISPUTES, key);
        dispute::progress_gate(&d, self.now())?;
        let app = params.app()?;
        if app.is_zero() {
            return Err(Error::NoApp.into());
        }
        let parts = params.participants()?;
        if actor_idx >= U256::from(parts.len()) {
            return Err(Error::ActorIndexOutOfRange.into());
        }
        // Below the participant count, itself below 2^32.
        let actor = actor_idx.as_limbs()[0] as usize;
        if params.id()? != id {
            return Err(Error::InvalidParams.into());
        }
        if old.hash()? != d.state_hash {
            return Err(Error::WrongOldState.into());
        }
        let h = state.hash()?;
        let signer = parts.get(actor)?.eth_address()?;
        let digest = eth_signed_digest(h);
        check_signature(actor, &digest, sig.as_slice(), signer, self.recover())?;
        let version = state.version()?;
        if u128::from(version) != u128::from(old.version()?) + 1 {
            return Err(Error::VersionNotIncremented.into());
        }
        if old.is_final()? {
            return Err(Error::ProgressFromFinalState.into());
        }
        check_transition(old.outcome()?, state.outcome()?, parts.len())?;
        self.call_app(app, params, old, state, actor_idx)?;
        // The new state's hash is recorded: it must be the canonical encoding.
        state.check_canonical()?;
        let cd = params.challenge_duration()?;
        let is_final = state.is_final()?;
        let d = dispute::progress(version, h, cd, is_final, self.now())?;
        records::store(self.vm(), DISPUTES, key, id, &d);
        Ok(Vec::new())
    }

    /// `App(app).validTransition(params, from, to, actorIdx)` as a static call, with the three
    /// structs copied from calldata as they lie, bubbling the app's revert data (`params` and
    /// `from` hash to recorded hashes and `to` is checked canonical before it is recorded, so
    /// they are the canonical encodings).
    fn call_app(
        &self,
        app: Address,
        params: ParamsRef,
        from: StateRef,
        to: StateRef,
        actor_idx: U256,
    ) -> Result<()> {
        if !has_code(self.vm(), app) {
            return Err(Error::NoContractCode.into());
        }
        let p = params.encoding()?;
        let f = from.encoding()?;
        let t = to.encoding()?;
        let mut data = Vec::with_capacity(4 + 128 + p.len() + f.len() + t.len());
        data.extend_from_slice(&abi::VALID_TRANSITION.to_be_bytes());
        data.extend_from_slice(&word(0x80));
        data.extend_from_slice(&word(0x80 + p.len() as u64));
        data.extend_from_slice(&word(0x80 + (p.len() + f.len()) as u64));
        data.extend_from_slice(&actor_idx.to_be_bytes::<32>());
        data.extend_from_slice(p);
        data.extend_from_slice(f);
        data.extend_from_slice(t);
        static_call_bubbling(self.vm(), app, &data)?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // conclude
    // -----------------------------------------------------------------------------------------

    /// `conclude(Params params, State state, State[] subStates)`.
    fn conclude(&mut self, args: Args) -> Outcome {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        let subs: ArrayRef<StateRef> = args.get(2)?;
        if !params.ledger_channel()? {
            return Err(Error::NotLedgerChannel.into());
        }
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams.into());
        }
        let h = state.hash()?;
        if params.virtual_channel()? {
            self.conclude_in_registry(id, id, h, true)?;
        } else {
            let old = records::load(self.vm(), DISPUTES, id);
            if let Some(d) = dispute::conclude(&old, h, true, self.now())? {
                records::store(self.vm(), DISPUTES, id, id, &d);
            }
        }
        let outcome = state.outcome()?;
        if outcome.locked()?.is_empty() {
            self.push_outcome(id, params, outcome, None)?;
        } else {
            let (folded, _) = self.conclude_recursive(state, subs, 0, None, 0)?;
            self.push_outcome(id, params, outcome, Some(&folded))?;
        }
        Ok(Vec::new())
    }

    /// The outcome of `s` (at `depth`) with its sub-channels' outcomes added through their index
    /// maps, concluding `s` under `key` first unless it is the root (concluded already). Each
    /// sub-channel's record is read under the key of the SubAlloc locking it.
    fn conclude_recursive(
        &mut self,
        s: StateRef,
        subs: ArrayRef<StateRef>,
        mut next: usize,
        key: Option<B256>,
        depth: usize,
    ) -> Result<(Vec<Vec<U256>>, usize)> {
        if let Some(key) = key {
            self.conclude_sub(s, key)?;
        }
        let alloc = s.outcome()?;
        let rows = alloc.balances()?;
        let mut outcome = Vec::with_capacity(rows.len());
        for a in 0..rows.len() {
            outcome.push(rows.get(a)?.words().collect());
        }
        let locked = alloc.locked()?;
        let asset_count = alloc.assets()?.len();
        for i in 0..locked.len() {
            if next >= subs.len() {
                return Err(Error::SubChannelsTooShort.into());
            }
            let sub = subs.get(next)?;
            next += 1;
            let l = locked.get(i)?;
            let locked_id = l.id()?;
            if locked_id != sub.channel_id()? {
                return Err(Error::SubChannelIdMismatch.into());
            }
            check_depth(depth + 1)?;
            let sub_key = locked_key(alloc, l)?;
            let (sub_outcome, after) =
                self.conclude_recursive(sub, subs, next, Some(sub_key), depth + 1)?;
            next = after;
            fold_sub_outcome(
                &mut outcome,
                asset_count,
                l.index_map()?,
                l.balances()?,
                &sub_outcome,
            )?;
        }
        Ok((outcome, next))
    }

    /// Concludes a sub-channel's record under `key` after its own timeout, or uses it as
    /// concluded.
    fn conclude_sub(&mut self, s: StateRef, key: B256) -> Result<()> {
        let id = s.channel_id()?;
        let h = s.hash()?;
        let old = records::load(self.vm(), DISPUTES, key);
        if old.registered() {
            if let Some(d) = dispute::conclude(&old, h, false, self.now())? {
                records::store(self.vm(), DISPUTES, key, id, &d);
            }
            Ok(())
        } else {
            self.conclude_in_registry(id, key, h, false)
        }
    }

    /// Concludes a virtual channel's record (under `key`) in the registry; emits its update here
    /// too.
    fn conclude_in_registry(&mut self, id: B256, key: B256, h: B256, root: bool) -> Result<()> {
        let ret = self.call_registry(&abi::conclude_virtual(id, key, h, root), &[1, 64, 64])?;
        if ret[31] == 1 {
            let (version, timeout) = (u64_word(&ret[32..64]), u64_word(&ret[64..96]));
            events::channel_update(self.vm(), id, version, CONCLUDED, timeout);
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // concludeFinal
    // -----------------------------------------------------------------------------------------

    /// `concludeFinal(Params params, State state, bytes[] sigs)`.
    fn conclude_final(&mut self, args: Args) -> Outcome {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        let sigs: ArrayRef<BytesRef> = args.get(2)?;
        if !params.ledger_channel()? {
            return Err(Error::NotLedgerChannel.into());
        }
        if !state.is_final()? {
            return Err(Error::StateNotFinal.into());
        }
        let outcome = state.outcome()?;
        if !outcome.locked()?.is_empty() {
            return Err(Error::HasLockedFunds.into());
        }
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams.into());
        }
        let h = state.hash()?;
        verify_all(
            &eth_signed_digest(h),
            params.participants()?,
            sigs,
            self.recover(),
        )?;
        let version = state.version()?;
        let cd = params.challenge_duration()?;
        // The state's hash is recorded and its outcome paid out: both structs must be canonical.
        check_canonical(params, state)?;
        if params.virtual_channel()? {
            self.call_registry(&abi::conclude_final_virtual(id, version, h, cd), &[])?;
            events::channel_update(self.vm(), id, version, CONCLUDED, self.now());
        } else {
            let has_app = !params.app()?.is_zero();
            let old = records::load(self.vm(), DISPUTES, id);
            let d = dispute::conclude_final(&old, version, h, cd, has_app, self.now())?;
            records::store(self.vm(), DISPUTES, id, id, &d);
        }
        self.push_outcome(id, params, outcome, None)?;
        Ok(Vec::new())
    }

    // -----------------------------------------------------------------------------------------
    // Outcomes
    // -----------------------------------------------------------------------------------------

    /// For each asset of this chain with a holder, calls
    /// `setOutcome(channelID, participants, outcome[asset])` on it, bubbling its revert data. The
    /// outcome is `folded` (sub-channels added) if given, otherwise the state's own balances.
    fn push_outcome(
        &mut self,
        id: B256,
        params: ParamsRef,
        alloc: AllocationRef,
        folded: Option<&[Vec<U256>]>,
    ) -> Result<()> {
        let assets = alloc.assets()?;
        let rows = match folded {
            Some(_) => None,
            None => Some(alloc.balances()?),
        };
        let row_count = match (folded, rows) {
            (Some(f), _) => f.len(),
            (None, Some(r)) => r.len(),
            (None, None) => 0,
        };
        let (start, end) = params.participants_span()?;
        // Inside the data: the span's reads checked both ends.
        let parts = &params.data()[start as usize..end as usize];
        let chain = U256::from(self.vm().chain_id());
        for a in 0..assets.len() {
            let asset = assets.get(a)?;
            if asset.chain_id()? != chain {
                continue;
            }
            let holder = asset.eth_holder()?;
            if holder.is_zero() {
                continue;
            }
            if a >= row_count {
                return Err(Error::BalancesLengthMismatch.into());
            }
            let row: Vec<U256> = match (folded, rows) {
                (Some(f), _) => f[a].clone(),
                (None, Some(r)) => r.get(a)?.words().collect(),
                (None, None) => Vec::new(),
            };
            if !has_code(self.vm(), holder) {
                return Err(Error::NoContractCode.into());
            }
            let data = abi::set_outcome(id, parts, &row);
            call_bubbling(self, holder, U256::ZERO, &data)?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Views and the registry
    // -----------------------------------------------------------------------------------------

    /// `channelID(Params params)`.
    fn channel_id(&mut self, args: Args) -> Outcome {
        let params: ParamsRef = args.get(0)?;
        let id = params.id()?;
        // Only a canonical encoding has the ID v1's `keccak256(abi.encode(params))` gives.
        params.check_canonical()?;
        Ok(id.to_vec())
    }

    /// `hashState(State state)`.
    fn hash_state(&mut self, args: Args) -> Outcome {
        let state: StateRef = args.get(0)?;
        let h = state.hash()?;
        // Only a canonical encoding has the hash v1's `keccak256(abi.encode(state))` gives.
        state.check_canonical()?;
        Ok(h.to_vec())
    }

    /// `disputes(bytes32 id)`: the record under key `id` here (a ledger channel's ID, or a
    /// sub-channel's ID bound to its funding), else the registry's (a virtual channel's).
    fn disputes(&mut self, args: Args) -> Outcome {
        let id = B256::from(args.word(0)?);
        let d = records::load(self.vm(), DISPUTES, id);
        if d.registered() {
            Ok(d.abi_encode().to_vec())
        } else {
            // As solc decodes `registry.disputes(id)`: at least six words, each clean for its
            // type (three uint64, a uint8, a bytes32, a bool), re-encoded as exactly six.
            let registry = self.registry.get();
            let ret = static_call_bubbling(self.vm(), registry, &abi::disputes(id))?;
            const ZEROS: [usize; 6] = [24, 24, 24, 31, 0, 31];
            let clean = ret.len() >= 192
                && ZEROS.iter().enumerate().all(|(i, &z)| {
                    let w = &ret[32 * i..32 * i + 32];
                    w[..z].iter().all(|&b| b == 0) && (i != 5 || w[31] <= 1)
                });
            if !clean {
                return Err(Revert::Empty);
            }
            Ok(ret[..192].to_vec())
        }
    }

    /// `registry()`.
    fn registry_address(&mut self, _: Args) -> Outcome {
        Ok(B256::left_padding_from(self.registry.get().as_slice()).to_vec())
    }

    /// Calls the registry, bubbling its revert data. Its return data must hold one word per
    /// entry of `bits`, each clean for its type as solc's decoder checks it: 1 a bool, 64 a
    /// `uint64`.
    fn call_registry(&mut self, data: &[u8], bits: &[u8]) -> Result<Vec<u8>> {
        let registry = self.registry.get();
        if !has_code(self.vm(), registry) {
            return Err(Revert::Empty);
        }
        let ret = call_bubbling(self, registry, U256::ZERO, data)?;
        let clean = ret.len() >= 32 * bits.len()
            && bits.iter().enumerate().all(|(i, &b)| {
                let w = &ret[32 * i..32 * i + 32];
                let zero = if b == 1 { 31 } else { 24 };
                w[..zero].iter().all(|&x| x == 0) && (b != 1 || w[31] <= 1)
            });
        if clean {
            Ok(ret)
        } else {
            Err(Revert::Empty)
        }
    }
}

/// A state given to `register`, and its params, must be canonical encodings: one whose hash is
/// the recorded one is (equal hashes, equal bytes) and is not walked; any other is, whether it is
/// now recorded or (a sub-channel's) the record is kept.
fn check_canonical(params: ParamsRef, state: StateRef) -> Result<()> {
    params.check_canonical()?;
    state.check_canonical()?;
    Ok(())
}

/// Where a sub-channel sits: the key of the SubAlloc locking it and its parent's challenge
/// duration.
#[derive(Clone, Copy)]
struct SubOf {
    key: B256,
    parent_duration: U256,
}

/// The `uint64` in the low 8 bytes of a word.
fn u64_word(w: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&w[24..32]);
    u64::from_be_bytes(b)
}

#[cfg(feature = "export-abi")]
impl stylus_sdk::abi::GenerateAbi for Adjudicator {
    const NAME: &'static str = "Adjudicator";

    fn fmt_abi(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        perun_stylus::abi::write_interface(
            f,
            "Adjudicator",
            true,
            abi::EVENTS,
            abi::ERRORS,
            FUNCTIONS,
        )
    }

    fn fmt_constructor_signature(f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        writeln!(f, "constructor(address registry)")
    }
}

/// Prints the interface (`cargo run -p perun-adjudicator --features export-abi`).
#[cfg(feature = "export-abi")]
pub fn print_from_args() {
    // The license and pragma lines first, as `#[public]` contracts print them.
    stylus_sdk::abi::export::handle_license_and_pragma();
    stylus_sdk::abi::export::print_from_args::<Adjudicator>();
}

#[cfg(test)]
mod tests;

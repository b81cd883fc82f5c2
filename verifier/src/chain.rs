//! A model of the contracts that runs calldata: the Adjudicator, the virtual-channel registry
//! and the asset holders, with their records and holdings in memory.
//!
//! Each function reads its arguments through `perun-channel`'s checked calldata views and runs
//! `perun-channel`'s checks and dispute rules, in the order of the Stylus programs
//! (contracts/adjudicator, contracts/registry, contracts/asset-holder) and their Solidity
//! mirrors, so it accepts what they accept and reverts with the same error. What it cannot
//! see it assumes: every app and holder has code, and an app accepts the transitions it is
//! asked about (`progress` reports that assumption).

use crate::calldata::{self, Target};
use alloy_primitives::{Address, B256, U256};
use perun_channel::calldata::{
    AllocationRef, Args, ArrayRef, BytesRef, ParamsRef, ParticipantRef, SignedStateRef, StateRef,
    WithdrawalAuthRef,
};
use perun_channel::checks::{
    add_totals, check_assets_equal, check_depth, check_equal_totals, check_index_map, check_shape,
    check_signature, check_sub_params, check_transition, fold_sub_outcome, locked_key, own_key,
    row_sums, verify_all,
};
use perun_channel::dispute::{self, Dispute, CONCLUDED, DISPUTE};
use perun_channel::hash::{eth_signed_digest, funding_id};
use perun_channel::native::recover;
use perun_channel::sig::Signature;
use perun_channel::Error;
use serde::Serialize;
use std::collections::HashMap;

type R<T> = Result<T, Error>;

/// The top bit of a holdings entry: the channel's outcome is set.
pub const SETTLED: U256 = U256::from_limbs([0, 0, 0, 1 << 63]);

/// What a successful call did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Effect {
    /// A dispute record changed (`ChannelUpdate`).
    #[serde(rename_all = "camelCase")]
    ChannelUpdate {
        /// The contract whose record it is.
        contract: Target,
        /// The channel.
        channel_id: B256,
        /// The record's version.
        version: u64,
        /// Its phase.
        phase: u8,
        /// Its timeout.
        timeout: u64,
    },
    /// The Adjudicator pushed an outcome to a holder, which set it (`OutcomeSet`).
    #[serde(rename_all = "camelCase")]
    OutcomeSet {
        /// The holder.
        holder: Address,
        /// The channel.
        channel_id: B256,
        /// The participants' addresses.
        participants: Vec<Address>,
        /// The outcome pushed, one balance per participant.
        #[serde(serialize_with = "crate::schema::decimal::list")]
        balances: Vec<U256>,
        /// Whether the holdings covered it (otherwise everyone keeps its deposit).
        funded: bool,
        /// The holdings of each participant afterwards.
        #[serde(serialize_with = "crate::schema::decimal::list")]
        holdings: Vec<U256>,
    },
    /// A participant withdrew (`Withdrawn`).
    #[serde(rename_all = "camelCase")]
    Withdrawn {
        /// The holder.
        holder: Address,
        /// The participant's funding ID.
        funding_id: B256,
        /// The amount paid.
        #[serde(serialize_with = "crate::schema::decimal::one")]
        amount: U256,
        /// Who got it.
        receiver: Address,
    },
}

/// The contracts' state: dispute records, holdings, the chain ID and the time.
#[derive(Clone, Debug, Default)]
pub struct Chain {
    /// `block.chainid`.
    pub chain_id: U256,
    /// `block.timestamp`.
    pub now: u64,
    /// The Adjudicator's records by key: a ledger channel's ID, a sub-channel's ID bound to its
    /// funding (`perun_channel::hash::sub_channel_key`).
    pub adjudicator: HashMap<B256, Dispute>,
    /// The registry's records by key (virtual channels, keyed by ID and funding).
    pub registry: HashMap<B256, Dispute>,
    /// Each holder's raw entries (with the [`SETTLED`] bit) by funding or channel ID.
    pub holders: HashMap<Address, HashMap<B256, U256>>,
}

fn rec() -> impl FnMut(&B256, &Signature) -> Option<Address> {
    |d, s| recover(d, s).ok()
}

impl Chain {
    /// An empty chain with ID `chain_id` at time `now`.
    pub fn new(chain_id: U256, now: u64) -> Self {
        Chain {
            chain_id,
            now,
            ..Default::default()
        }
    }

    /// The record under `key`: the Adjudicator's, else the registry's (as `disputes` reads).
    pub fn record(&self, key: &B256) -> Dispute {
        match self.adjudicator.get(key) {
            Some(d) if d.registered() => *d,
            _ => self.registry.get(key).copied().unwrap_or_default(),
        }
    }

    /// A holder's entry for `id`, without the settled bit.
    pub fn holdings(&self, holder: &Address, id: &B256) -> U256 {
        self.entry(holder, id) & !SETTLED
    }

    /// Whether a holder has set the channel's outcome.
    pub fn settled(&self, holder: &Address, id: &B256) -> bool {
        !(self.entry(holder, id) & SETTLED).is_zero()
    }

    fn entry(&self, holder: &Address, id: &B256) -> U256 {
        self.holders
            .get(holder)
            .and_then(|h| h.get(id))
            .copied()
            .unwrap_or_default()
    }

    fn set_entry(&mut self, holder: Address, id: B256, v: U256) {
        self.holders.entry(holder).or_default().insert(id, v);
    }

    /// Credits a deposit (`Deposited`), as the holders do (capped below the settled bit).
    pub fn deposit(&mut self, holder: Address, fid: B256, amount: U256) {
        let e = self.entry(&holder, &fid);
        let sum = ((e & !SETTLED).saturating_add(amount)).min(SETTLED - U256::from(1));
        self.set_entry(holder, fid, (e & SETTLED) | sum);
    }

    /// Debits a withdrawal (`Withdrawn`) seen on chain.
    pub fn debit(&mut self, holder: Address, fid: B256, amount: U256) {
        let e = self.entry(&holder, &fid);
        let left = (e & !SETTLED).saturating_sub(amount);
        self.set_entry(holder, fid, (e & SETTLED) | left);
    }

    /// Marks a channel settled at a holder (`OutcomeSet` seen on chain).
    pub fn mark_settled(&mut self, holder: Address, id: B256) {
        self.set_entry(holder, id, SETTLED);
    }

    /// Runs a call: on success the state changes and the effects are returned, on a revert
    /// nothing changes and the contract's error is returned.
    ///
    /// # Errors
    /// The error the contract reverts with.
    pub fn call(&mut self, target: Target, data: &[u8]) -> R<Vec<Effect>> {
        let mut next = self.clone();
        let mut fx = Vec::new();
        let (selector, args) = data.split_at(4.min(data.len()));
        let args = Args::new(args);
        let sel: [u8; 4] = selector.try_into().map_err(|_| decode_error())?;
        match (target, sel) {
            (Target::Adjudicator, calldata::REGISTER) => next.register(args, &mut fx)?,
            (Target::Adjudicator, calldata::PROGRESS) => next.progress(args, &mut fx)?,
            (Target::Adjudicator, calldata::CONCLUDE) => next.conclude(args, &mut fx)?,
            (Target::Adjudicator, calldata::CONCLUDE_FINAL) => {
                next.conclude_final(args, &mut fx)?;
            }
            (Target::Registry, calldata::REGISTRY_REGISTER) => {
                next.registry_register(args, &mut fx)?;
            }
            (Target::Registry, calldata::REGISTRY_CONCLUDE) => {
                next.registry_conclude(args, &mut fx)?;
            }
            (Target::Holder(h), calldata::WITHDRAW) => next.withdraw(h, args, &mut fx)?,
            _ => return Err(decode_error()),
        }
        *self = next;
        Ok(fx)
    }

    // -----------------------------------------------------------------------------------------
    // Adjudicator: register
    // -----------------------------------------------------------------------------------------

    fn register(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let channel: SignedStateRef = args.get(0)?;
        let subs: ArrayRef<SignedStateRef> = args.get(1)?;
        if !channel.params()?.ledger_channel()? {
            return Err(Error::NotLedgerChannel);
        }
        self.register_recursive(channel, subs, 0, None, 0, fx)?;
        Ok(())
    }

    fn register_recursive(
        &mut self,
        ch: SignedStateRef,
        subs: ArrayRef<SignedStateRef>,
        mut next: usize,
        sub_of: Option<(B256, U256)>,
        depth: usize,
        fx: &mut Vec<Effect>,
    ) -> R<(Vec<U256>, usize, usize)> {
        let parts = self.register_single(ch, sub_of, fx)?;
        let outcome = ch.state()?.outcome()?;
        let mut totals = row_sums(outcome.balances()?)?;
        let locked = outcome.locked()?;
        if locked.len() > subs.len() {
            return Err(Error::SubChannelsTooShort);
        }
        for i in 0..locked.len() {
            if next >= subs.len() {
                return Err(Error::SubChannelsTooShort);
            }
            let sub = subs.get(next)?;
            next += 1;
            let l = locked.get(i)?;
            if l.id()? != sub.state()?.channel_id()? {
                return Err(Error::SubChannelIdMismatch);
            }
            check_depth(depth + 1)?;
            let of = (locked_key(outcome, l)?, ch.params()?.challenge_duration()?);
            let (sub_totals, after, sub_parts) =
                self.register_recursive(sub, subs, next, Some(of), depth + 1, fx)?;
            next = after;
            check_assets_equal(outcome.assets()?, sub.state()?.outcome()?.assets()?)?;
            check_equal_totals(l.balances()?, &sub_totals)?;
            check_index_map(l.index_map()?, sub_parts, parts)?;
            add_totals(&mut totals, &sub_totals)?;
        }
        Ok((totals, next, parts))
    }

    fn register_single(
        &mut self,
        s: SignedStateRef,
        sub_of: Option<(B256, U256)>,
        fx: &mut Vec<Effect>,
    ) -> R<usize> {
        let params = s.params()?;
        let state = s.state()?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        let parts = params.participants()?;
        verify_all(&eth_signed_digest(h), parts, s.sigs()?, rec())?;
        let key = match sub_of {
            None => id,
            Some((key, parent_duration)) => {
                check_sub_params(
                    params.ledger_channel()?,
                    params.challenge_duration()?,
                    parent_duration,
                )?;
                check_shape(state.outcome()?, parts.len())?;
                key
            }
        };
        if params.virtual_channel()? {
            if !params.app()?.is_zero() {
                return Err(Error::HasApp);
            }
            if !state.outcome()?.locked()?.is_empty() {
                return Err(Error::HasLockedFunds);
            }
            let version = state.version()?;
            let cd = params.challenge_duration()?;
            let is_final = state.is_final()?;
            let old = self.registry.get(&key).copied().unwrap_or_default();
            let r = dispute::register(&old, version, h, cd, false, is_final, self.now);
            let d = if key == id { r } else { dispute::kept(r) }?;
            if old.state_hash != h {
                params.check_canonical()?;
                state.check_canonical()?;
            }
            if let Some(d) = d {
                self.registry.insert(key, d);
                // The registry emits its update, and the Adjudicator emits it too (v1 path).
                fx.push(update(Target::Registry, id, &d));
                fx.push(update(Target::Adjudicator, id, &d));
            }
        } else {
            let version = state.version()?;
            let cd = params.challenge_duration()?;
            let has_app = !params.app()?.is_zero();
            let is_final = state.is_final()?;
            let old = self.adjudicator.get(&key).copied().unwrap_or_default();
            let r = dispute::register(&old, version, h, cd, has_app, is_final, self.now);
            let d = if key == id { r } else { dispute::kept(r) }?;
            if old.state_hash != h {
                params.check_canonical()?;
                state.check_canonical()?;
            }
            if let Some(d) = d {
                self.adjudicator.insert(key, d);
                fx.push(update(Target::Adjudicator, id, &d));
            }
        }
        Ok(parts.len())
    }

    // -----------------------------------------------------------------------------------------
    // Adjudicator: progress
    // -----------------------------------------------------------------------------------------

    fn progress(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let params: ParamsRef = args.get(0)?;
        let old: StateRef = args.get(1)?;
        let state: StateRef = args.get(2)?;
        let sig: BytesRef = args.get(4)?;
        let actor_idx = args.word(3)?;
        let id = state.channel_id()?;
        let key = if params.ledger_channel()? {
            id
        } else {
            own_key(id, old.outcome()?)?
        };
        let d = self.adjudicator.get(&key).copied().unwrap_or_default();
        dispute::progress_gate(&d, self.now)?;
        let app = params.app()?;
        if app.is_zero() {
            return Err(Error::NoApp);
        }
        let parts = params.participants()?;
        if actor_idx >= U256::from(parts.len()) {
            return Err(Error::ActorIndexOutOfRange);
        }
        let actor = actor_idx.to::<usize>();
        if params.id()? != id {
            return Err(Error::InvalidParams);
        }
        if old.hash()? != d.state_hash {
            return Err(Error::WrongOldState);
        }
        let h = state.hash()?;
        let signer = parts.get(actor)?.eth_address()?;
        check_signature(actor, &eth_signed_digest(h), sig.as_slice(), signer, rec())?;
        let version = state.version()?;
        if u128::from(version) != u128::from(old.version()?) + 1 {
            return Err(Error::VersionNotIncremented);
        }
        if old.is_final()? {
            return Err(Error::ProgressFromFinalState);
        }
        check_transition(old.outcome()?, state.outcome()?, parts.len())?;
        // App(app).validTransition is assumed to accept (the caller reports the assumption).
        state.check_canonical()?;
        let cd = params.challenge_duration()?;
        let is_final = state.is_final()?;
        let d = dispute::progress(version, h, cd, is_final, self.now)?;
        self.adjudicator.insert(key, d);
        fx.push(update(Target::Adjudicator, id, &d));
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Adjudicator: conclude and concludeFinal
    // -----------------------------------------------------------------------------------------

    fn conclude(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        let subs: ArrayRef<StateRef> = args.get(2)?;
        if !params.ledger_channel()? {
            return Err(Error::NotLedgerChannel);
        }
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        if params.virtual_channel()? {
            self.conclude_in_registry(id, id, h, true, fx)?;
        } else {
            let old = self.adjudicator.get(&id).copied().unwrap_or_default();
            if let Some(d) = dispute::conclude(&old, h, true, self.now)? {
                self.adjudicator.insert(id, d);
                fx.push(update(Target::Adjudicator, id, &d));
            }
        }
        let outcome = state.outcome()?;
        if outcome.locked()?.is_empty() {
            self.push_outcome(id, params, outcome, None, fx)?;
        } else {
            let (folded, _) = self.conclude_recursive(state, subs, 0, None, 0, fx)?;
            self.push_outcome(id, params, outcome, Some(&folded), fx)?;
        }
        Ok(())
    }

    fn conclude_recursive(
        &mut self,
        s: StateRef,
        subs: ArrayRef<StateRef>,
        mut next: usize,
        key: Option<B256>,
        depth: usize,
        fx: &mut Vec<Effect>,
    ) -> R<(Vec<Vec<U256>>, usize)> {
        if let Some(key) = key {
            self.conclude_sub(s, key, fx)?;
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
                return Err(Error::SubChannelsTooShort);
            }
            let sub = subs.get(next)?;
            next += 1;
            let l = locked.get(i)?;
            if l.id()? != sub.channel_id()? {
                return Err(Error::SubChannelIdMismatch);
            }
            check_depth(depth + 1)?;
            let sub_key = locked_key(alloc, l)?;
            let (sub_outcome, after) =
                self.conclude_recursive(sub, subs, next, Some(sub_key), depth + 1, fx)?;
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

    fn conclude_sub(&mut self, s: StateRef, key: B256, fx: &mut Vec<Effect>) -> R<()> {
        let id = s.channel_id()?;
        let h = s.hash()?;
        let old = self.adjudicator.get(&key).copied().unwrap_or_default();
        if old.registered() {
            if let Some(d) = dispute::conclude(&old, h, false, self.now)? {
                self.adjudicator.insert(key, d);
                fx.push(update(Target::Adjudicator, id, &d));
            }
            Ok(())
        } else {
            self.conclude_in_registry(id, key, h, false, fx)
        }
    }

    fn conclude_in_registry(
        &mut self,
        id: B256,
        key: B256,
        h: B256,
        root: bool,
        fx: &mut Vec<Effect>,
    ) -> R<()> {
        let old = self.registry.get(&key).copied().unwrap_or_default();
        if let Some(d) = dispute::conclude(&old, h, root, self.now)? {
            self.registry.insert(key, d);
            fx.push(update(Target::Registry, id, &d));
            fx.push(update(Target::Adjudicator, id, &d));
        }
        Ok(())
    }

    fn conclude_final(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        let sigs: ArrayRef<BytesRef> = args.get(2)?;
        if !params.ledger_channel()? {
            return Err(Error::NotLedgerChannel);
        }
        if !state.is_final()? {
            return Err(Error::StateNotFinal);
        }
        let outcome = state.outcome()?;
        if !outcome.locked()?.is_empty() {
            return Err(Error::HasLockedFunds);
        }
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        verify_all(&eth_signed_digest(h), params.participants()?, sigs, rec())?;
        let version = state.version()?;
        let cd = params.challenge_duration()?;
        params.check_canonical()?;
        state.check_canonical()?;
        if params.virtual_channel()? {
            let old = self.registry.get(&id).copied().unwrap_or_default();
            let d = dispute::conclude_final(&old, version, h, cd, false, self.now)?;
            self.registry.insert(id, d);
            fx.push(update(Target::Registry, id, &d));
            fx.push(update(Target::Adjudicator, id, &d));
        } else {
            let has_app = !params.app()?.is_zero();
            let old = self.adjudicator.get(&id).copied().unwrap_or_default();
            let d = dispute::conclude_final(&old, version, h, cd, has_app, self.now)?;
            self.adjudicator.insert(id, d);
            fx.push(update(Target::Adjudicator, id, &d));
        }
        self.push_outcome(id, params, outcome, None, fx)
    }

    fn push_outcome(
        &mut self,
        id: B256,
        params: ParamsRef,
        alloc: AllocationRef,
        folded: Option<&[Vec<U256>]>,
        fx: &mut Vec<Effect>,
    ) -> R<()> {
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
        let parts = &params.data()[start as usize..end as usize];
        for a in 0..assets.len() {
            let asset = assets.get(a)?;
            if asset.chain_id()? != self.chain_id {
                continue;
            }
            let holder = asset.eth_holder()?;
            if holder.is_zero() {
                continue;
            }
            if a >= row_count {
                return Err(Error::BalancesLengthMismatch);
            }
            let row: Vec<U256> = match (folded, rows) {
                (Some(f), _) => f[a].clone(),
                (None, Some(r)) => r.get(a)?.words().collect(),
                (None, None) => Vec::new(),
            };
            let data = calldata::set_outcome(&id.0, parts, &row);
            self.set_outcome(holder, Args::new(&data[4..]), fx)?;
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Registry: direct path
    // -----------------------------------------------------------------------------------------

    fn require_direct(params: ParamsRef) -> R<()> {
        if !params.virtual_channel()? || params.ledger_channel()? {
            return Err(Error::NotVirtualChannel);
        }
        Ok(())
    }

    fn registry_register(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let channel: SignedStateRef = args.get(0)?;
        let params = channel.params()?;
        let state = channel.state()?;
        Self::require_direct(params)?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        verify_all(
            &eth_signed_digest(h),
            params.participants()?,
            channel.sigs()?,
            rec(),
        )?;
        if !params.app()?.is_zero() {
            return Err(Error::HasApp);
        }
        let outcome = state.outcome()?;
        if !outcome.locked()?.is_empty() {
            return Err(Error::HasLockedFunds);
        }
        check_shape(outcome, params.participants()?.len())?;
        let key = own_key(id, outcome)?;
        let version = state.version()?;
        let cd = params.challenge_duration()?;
        let is_final = state.is_final()?;
        let old = self.registry.get(&key).copied().unwrap_or_default();
        let d = dispute::register(&old, version, h, cd, false, is_final, self.now)?;
        if old.state_hash != h {
            params.check_canonical()?;
            state.check_canonical()?;
        }
        if let Some(d) = d {
            self.registry.insert(key, d);
            fx.push(update(Target::Registry, id, &d));
        }
        Ok(())
    }

    fn registry_conclude(&mut self, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let params: ParamsRef = args.get(0)?;
        let state: StateRef = args.get(1)?;
        Self::require_direct(params)?;
        let id = params.id()?;
        if state.channel_id()? != id {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        let key = own_key(id, state.outcome()?)?;
        let old = self.registry.get(&key).copied().unwrap_or_default();
        if let Some(d) = dispute::conclude(&old, h, true, self.now)? {
            self.registry.insert(key, d);
            fx.push(update(Target::Registry, id, &d));
        }
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Asset holders
    // -----------------------------------------------------------------------------------------

    /// `setOutcome`, as called by the Adjudicator.
    fn set_outcome(&mut self, holder: Address, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let channel_id = B256::from(args.word(0)?);
        let parts: ArrayRef<ParticipantRef> = args.get(1)?;
        let bals: ArrayRef<U256> = args.get(2)?;
        let n = parts.len();
        if n != bals.len() {
            return Err(Error::OutcomeLengthMismatch);
        }
        let mut sum_held = self.entry(&holder, &channel_id);
        if !(sum_held & SETTLED).is_zero() {
            return Err(Error::AlreadySettled);
        }
        let mut sum_outcome = U256::ZERO;
        let mut fids: Vec<B256> = Vec::with_capacity(n);
        let mut addrs = Vec::with_capacity(n);
        let mut repeated = false;
        for i in 0..n {
            let a = parts.get(i)?.eth_address()?;
            let fid = funding_id(channel_id, a);
            repeated |= fids.contains(&fid);
            fids.push(fid);
            addrs.push(a);
            sum_held = sum_held
                .checked_add(self.entry(&holder, &fid))
                .ok_or(Error::BalanceOverflow)?;
            sum_outcome = sum_outcome
                .checked_add(bals.word(i))
                .ok_or(Error::BalanceOverflow)?;
        }
        let funded = !repeated && sum_held >= sum_outcome;
        if funded {
            for (i, fid) in fids.iter().enumerate() {
                let bal = bals.word(i);
                if bal >= SETTLED {
                    return Err(Error::BalanceOverflow);
                }
                self.set_entry(holder, *fid, bal);
            }
        }
        self.set_entry(holder, channel_id, SETTLED);
        fx.push(Effect::OutcomeSet {
            holder,
            channel_id,
            participants: addrs,
            balances: bals.words().collect(),
            funded,
            holdings: fids.iter().map(|f| self.holdings(&holder, f)).collect(),
        });
        Ok(())
    }

    fn withdraw(&mut self, holder: Address, args: Args, fx: &mut Vec<Effect>) -> R<()> {
        let auth: WithdrawalAuthRef = args.get(0)?;
        let a = auth.decode()?;
        let sig: BytesRef = args.get(1)?;
        if !self.settled(&holder, &a.channel_id) {
            return Err(Error::NotSettled);
        }
        let digest = eth_signed_digest(a.hash);
        check_signature(0, &digest, sig.as_slice(), a.participant, rec())?;
        let fid = funding_id(a.channel_id, a.participant);
        let held = self.entry(&holder, &fid);
        if held < a.amount {
            return Err(Error::InsufficientHoldings);
        }
        if a.receiver != a.participant && a.amount != held {
            return Err(Error::PartialWithdrawal);
        }
        self.set_entry(holder, fid, held - a.amount);
        fx.push(Effect::Withdrawn {
            holder,
            funding_id: fid,
            amount: a.amount,
            receiver: a.receiver,
        });
        Ok(())
    }
}

fn update(contract: Target, channel_id: B256, d: &Dispute) -> Effect {
    Effect::ChannelUpdate {
        contract,
        channel_id,
        version: d.version,
        phase: d.phase,
        timeout: d.timeout,
    }
}

fn decode_error() -> Error {
    Error::Decode(perun_channel::calldata::DecodeError {
        kind: perun_channel::calldata::DecodeErrorKind::OutOfBounds,
        at: 0,
    })
}

/// The phase's name.
pub fn phase_name(phase: u8) -> &'static str {
    match phase {
        DISPUTE => "DISPUTE",
        1 => "FORCEEXEC",
        CONCLUDED => "CONCLUDED",
        _ => "UNKNOWN",
    }
}

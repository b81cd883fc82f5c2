//! The transactions of each operation: deposits and funding, the token's behaviour,
//! `register` (and refutations), `progress`, `conclude`, `concludeFinal`, the registry's direct
//! path and withdrawals, each with the flaws of the plan put in.

use super::{arm, reentrant_receiver, set_callback, set_mode, units, Compiler, OUTSIDER};
use crate::abi;
use crate::build::{address, AssetKind, Chan};
use crate::ops::Call;
use crate::scenario::flaw::{self, stranger, word};
use crate::scenario::plan::{
    Amount, AppKind, Change, Flaw, FundMode, Receiver, Signer, StateFlaw, TokenMode, Version,
    Withdrawal,
};
use crate::sign::{sign_auth, sign_state};
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer::test_signer;

impl Compiler<'_> {
    pub(super) fn deposit(
        &mut self,
        l: usize,
        i: usize,
        a: usize,
        amount: U256,
        channel: bool,
        flaw: Option<&Flaw>,
    ) {
        let at = self.at;
        let chan = self.chans[l].chan.clone();
        let from = chan.address(i);
        let fid = if channel { chan.id } else { chan.funding_id(i) };
        let data = abi::deposit(fid, amount);
        let who = if channel {
            "channel".to_string()
        } else {
            format!("{i}")
        };
        let name = self.chans[l].name.clone();
        match self.kinds[a] {
            AssetKind::Eth => {
                let label = format!("deposit ETH {name} {who} {amount}");
                self.push_call(
                    "deposit ETH",
                    Call {
                        label,
                        from,
                        to: at.eth_holder,
                        data,
                        value: amount,
                    },
                    2,
                    flaw,
                );
            }
            AssetKind::Erc20 => {
                self.push(
                    "approve",
                    format!("approve {name} {i} {amount}"),
                    from,
                    at.token,
                    abi::approve(at.erc20_holder, amount),
                    U256::ZERO,
                );
                let label = format!("deposit ERC20 {name} {who} {amount}");
                self.push_call(
                    "deposit ERC20",
                    Call {
                        label,
                        from,
                        to: at.erc20_holder,
                        data,
                        value: U256::ZERO,
                    },
                    2,
                    flaw,
                );
            }
        }
        if !channel && !self.applied {
            *self.deposited.entry((l, i, a)).or_default() += amount;
        }
    }

    pub(super) fn fund(&mut self, modes: &[FundMode]) {
        let mut k = 0;
        for l in self.ledgers.clone() {
            let share = {
                let s = self.state_at(l, 0, false);
                self.fold(l, &s)
            };
            for (a, row) in share.iter().enumerate().take(self.kinds.len()) {
                for (i, &amount) in row.iter().enumerate() {
                    let mode = if modes.is_empty() {
                        FundMode::Exact
                    } else {
                        modes[k % modes.len()]
                    };
                    k += 1;
                    match mode {
                        FundMode::Exact => self.deposit(l, i, a, amount, false, None),
                        FundMode::Short(u) => {
                            let amount = amount.saturating_sub(units(u64::from(u % 8) + 1));
                            self.deposit(l, i, a, amount, false, None);
                        }
                        FundMode::Over(u) => {
                            let amount = amount + units(u64::from(u % 8) + 1);
                            self.deposit(l, i, a, amount, false, None);
                        }
                        FundMode::Zero => self.deposit(l, i, a, U256::ZERO, false, None),
                        FundMode::Skip => {}
                        FundMode::ChannelId => self.deposit(l, i, a, amount, true, None),
                        FundMode::Value(v) => {
                            self.deposit(l, i, a, amount, false, Some(&Flaw::Value(v)));
                        }
                    }
                }
            }
        }
    }

    pub(super) fn token(&mut self, mode: TokenMode) {
        let at = self.at;
        let from = address(OUTSIDER);
        let label = format!("token {mode:?}");
        let data = match mode {
            TokenMode::Normal => set_mode(0),
            TokenMode::NoReturn => set_mode(1),
            TokenMode::ReturnFalse => set_mode(2),
            TokenMode::Revert => set_mode(3),
            TokenMode::Fee => set_mode(4),
            TokenMode::Reenter => set_callback(
                at.erc20_holder,
                abi::deposit(B256::repeat_byte(0xee), U256::ZERO),
            ),
            TokenMode::Callback => set_callback(at.adjudicator, abi::disputes(B256::ZERO)),
            TokenMode::NoCallback => set_callback(Address::ZERO, Vec::new()),
        };
        self.push("token", label, from, at.token, data, U256::ZERO);
    }

    /// Puts a signature, params or state flaw into a signed state of channel `c`.
    pub(super) fn flaw_signed(
        &self,
        c: usize,
        signed: &mut Channel::SignedState,
        f: &Flaw,
    ) -> bool {
        let at = self.at;
        match f {
            Flaw::Sig(sf) => {
                let state = signed.state.clone();
                flaw::sigs(&mut signed.sigs, *sf, |_| {
                    sign_state(&test_signer(OUTSIDER), &state)
                })
            }
            Flaw::Params(pf) => flaw::params(&mut signed.params, *pf, at),
            Flaw::State { flaw: sf, resign } => {
                let ok = flaw::state(&mut signed.state, *sf, at);
                if ok && *resign {
                    signed.sigs = self.chans[c].chan.sigs(&signed.state);
                }
                ok
            }
            _ => false,
        }
    }

    /// Puts a params or state flaw into the params and state of a call without signatures.
    pub(super) fn flaw_params_state(
        &self,
        params: &mut Channel::Params,
        state: &mut Channel::State,
        f: &Flaw,
    ) -> bool {
        match f {
            Flaw::Params(pf) => flaw::params(params, *pf, self.at),
            Flaw::State { flaw: sf, .. } => flaw::state(state, *sf, self.at),
            _ => false,
        }
    }

    /// `register` of ledger `l` at `state` with its sub-channels' current states, depth first
    /// (channel `sub.0` at `sub.1` instead).
    pub(super) fn register(
        &mut self,
        l: usize,
        state: Channel::State,
        sub: Option<(usize, Channel::State)>,
        flaw: Option<&Flaw>,
    ) {
        let at = self.at;
        let (subs, sub_states): (Vec<usize>, Vec<Channel::State>) =
            self.walk(l, &state, sub.as_ref()).into_iter().unzip();
        let mut signed = self.chans[l].chan.signed(&state);
        let mut signed_subs: Vec<Channel::SignedState> = subs
            .iter()
            .zip(&sub_states)
            .map(|(s, st)| self.chans[*s].chan.signed(st))
            .collect();
        let sub_pos = sub
            .as_ref()
            .and_then(|(k, _)| subs.iter().position(|s| s == k));
        let refute = self.chans[l]
            .registered
            .as_ref()
            .is_some_and(|r| r.version < state.version);
        let (kind, mut label) = match &sub {
            Some((k, st)) => (
                "refute sub-channel",
                format!(
                    "register {} v{} with {} v{}",
                    self.chans[l].name, state.version, self.chans[*k].name, st.version
                ),
            ),
            None if refute => (
                "refute",
                format!("refute {} v{}", self.chans[l].name, state.version),
            ),
            None => (
                "register",
                format!("register {} v{}", self.chans[l].name, state.version),
            ),
        };
        if state.isFinal {
            label += " final";
        }
        if let Some(f) = flaw {
            let applied = match f {
                Flaw::Sig(sf) => {
                    if let Some(j) = sub_pos {
                        let st = signed_subs[j].state.clone();
                        flaw::sigs(&mut signed_subs[j].sigs, *sf, |_| {
                            sign_state(&test_signer(OUTSIDER), &st)
                        })
                    } else {
                        self.flaw_signed(l, &mut signed, f)
                    }
                }
                Flaw::Subs(sf) => {
                    let chans: Vec<Chan> =
                        subs.iter().map(|s| self.chans[*s].chan.clone()).collect();
                    let by_id = |id: B256| chans.iter().find(|c| c.id == id).cloned();
                    flaw::subs(
                        &mut signed_subs,
                        *sf,
                        |x| {
                            let mut st = x.state.clone();
                            st.version = st.version.saturating_sub(1);
                            by_id(st.channelID).map_or_else(|| x.clone(), |c| c.signed(&st))
                        },
                        |x, extra| {
                            let mut st = x.state.clone();
                            flaw::reshape(&mut st, extra, U256::from(1));
                            by_id(st.channelID).map_or_else(|| x.clone(), |c| c.signed(&st))
                        },
                    )
                }
                _ => self.flaw_signed(l, &mut signed, f),
            };
            if applied {
                label += &self.mark(f);
            }
        }
        let from = self.chans[l].chan.address(0);
        let data = abi::register(&signed, &signed_subs);
        self.push_call(
            kind,
            Call {
                label,
                from,
                to: at.adjudicator,
                data,
                value: U256::ZERO,
            },
            2,
            flaw,
        );
        if !self.applied || matches!(flaw, Some(Flaw::Sender)) {
            self.chans[l].registered = Some(state);
            for (s, st) in subs.iter().zip(sub_states) {
                self.chans[*s].registered = Some(st);
            }
        }
    }

    /// The channel `target` names: 0 the first ledger channel, k its sub-channel k - 1.
    pub(super) fn progress_target(&self, target: u8) -> usize {
        let l = self.ledgers[0];
        let subs = self.descendants(l);
        if target == 0 || subs.is_empty() {
            l
        } else {
            subs[(usize::from(target) - 1) % subs.len()]
        }
    }

    pub(super) fn progress(&mut self, target: u8, change: Change, flaw: Option<&Flaw>) {
        let at = self.at;
        let c = self.progress_target(target);
        let mut old = self.current(c);
        let n = self.chans[c].chan.len();
        let mut actor = (old.version % n as u64) as usize;
        let v = old.version + 1;
        self.chans[c].held = self.chans[c].held.max(v);
        let mut new = self.state_at(c, v, false);
        match change {
            Change::Valid => {}
            Change::Final => new.isFinal = true,
            Change::Shift => {
                for row in &mut new.outcome.balances {
                    if row.len() >= 2 && row[0] >= units(1) {
                        row[0] -= units(1);
                        row[1] += units(1);
                    }
                }
            }
            Change::WrongActor => actor = (actor + 1) % n,
            Change::CounterSkip => new.appData = word(v + 1),
            Change::Totals => {
                if let Some(b) = new.outcome.balances.first_mut().and_then(|r| r.first_mut()) {
                    *b += units(1);
                }
            }
            Change::VersionSkip => new.version += 1,
            Change::FromStale => old = self.state_at(c, old.version.saturating_sub(1), false),
            Change::ActorOutOfRange => actor = n,
            Change::Locked => match new.outcome.locked.first_mut() {
                Some(l) => {
                    if let Some(b) = l.balances.first_mut() {
                        *b += units(1);
                    }
                }
                None => new.outcome.locked.push(Channel::SubAlloc {
                    ID: alloy_primitives::keccak256(new.channelID),
                    balances: vec![U256::ZERO; new.outcome.assets.len()],
                    indexMap: vec![0, 1],
                }),
            },
        }
        let mut params = self.chans[c].chan.params.clone();
        let signer = self.chans[c].chan.signer(actor % n);
        let mut sig = vec![sign_state(&signer, &new)];
        let mut label = format!(
            "progress {} v{} -> v{} by {actor} ({change:?})",
            self.chans[c].name, old.version, new.version
        );
        if let Some(f) = flaw {
            let applied = match f {
                Flaw::Sig(sf) => {
                    let st = new.clone();
                    flaw::sigs(&mut sig, *sf, |_| sign_state(&test_signer(OUTSIDER), &st))
                }
                Flaw::Params(pf) => flaw::params(&mut params, *pf, at),
                Flaw::State { flaw: sf, resign } => {
                    let ok = flaw::state(&mut new, *sf, at);
                    if ok && *resign {
                        sig = vec![sign_state(&signer, &new)];
                    }
                    ok
                }
                _ => false,
            };
            if applied {
                label += &self.mark(f);
            }
        }
        let from = self.chans[c].chan.address(actor % n);
        // One signature; a dropped one leaves none, an extra one makes it 130 bytes long.
        let sig: Vec<u8> = sig.iter().flat_map(|b| b.iter().copied()).collect();
        let data = abi::progress(&params, &old, &new, actor, &sig);
        self.push_call(
            match self.chans[c].app {
                AppKind::None => "progress (no app)",
                AppKind::Trivial => "progress (trivial app)",
                AppKind::Counter => "progress (counter app)",
            },
            Call {
                label,
                from,
                to: at.adjudicator,
                data,
                value: U256::ZERO,
            },
            5,
            flaw,
        );
        let accepted = !old.isFinal
            && (matches!(change, Change::Valid | Change::Final)
                || (self.chans[c].app == AppKind::Trivial
                    && matches!(change, Change::Shift | Change::CounterSkip)));
        if !self.applied && self.chans[c].app != AppKind::None && accepted {
            self.chans[c].registered = Some(new);
        }
    }

    pub(super) fn conclude(
        &mut self,
        l: usize,
        mut state: Channel::State,
        registered: bool,
        flaw: Option<&Flaw>,
    ) {
        let at = self.at;
        let mut sub_states: Vec<Channel::State> = self
            .walk(l, &state, None)
            .into_iter()
            .map(|(_, st)| st)
            .collect();
        let mut params = self.chans[l].chan.params.clone();
        let mut label = format!("conclude {} v{}", self.chans[l].name, state.version);
        if let Some(f) = flaw {
            let applied = match f {
                Flaw::Subs(sf) => flaw::subs(
                    &mut sub_states,
                    *sf,
                    |x| {
                        let mut st = x.clone();
                        st.version = st.version.saturating_sub(1);
                        st
                    },
                    |x, extra| {
                        let mut st = x.clone();
                        flaw::reshape(&mut st, extra, U256::from(1));
                        st
                    },
                ),
                _ => self.flaw_params_state(&mut params, &mut state, f),
            };
            if applied {
                label += &self.mark(f);
            }
        }
        let from = self.chans[l].chan.address(0);
        let data = abi::conclude(&params, &state, &sub_states);
        self.push_call(
            "conclude",
            Call {
                label,
                from,
                to: at.adjudicator,
                data,
                value: U256::ZERO,
            },
            3,
            flaw,
        );
        if registered && (!self.applied || matches!(flaw, Some(Flaw::Sender))) {
            let o = self.fold(l, &state);
            self.chans[l].outcome = Some(o);
        }
    }

    pub(super) fn conclude_final(
        &mut self,
        l: usize,
        version: Version,
        merged: bool,
        fin: bool,
        flaw: Option<&Flaw>,
    ) {
        let at = self.at;
        let mut state = self.pick_state(l, version, fin);
        state.isFinal = fin;
        if merged {
            state.outcome.balances = self.fold(l, &state);
            state.outcome.locked.clear();
        }
        let mut params = self.chans[l].chan.params.clone();
        let mut sigs = self.chans[l].chan.sigs(&state);
        let mut label = format!("concludeFinal {} v{}", self.chans[l].name, state.version);
        if !fin {
            label += " not final";
        }
        if merged && !self.chans[l].subs.is_empty() {
            label += " merged";
        }
        if let Some(f) = flaw {
            let applied = match f {
                Flaw::Sig(sf) => {
                    let st = state.clone();
                    flaw::sigs(&mut sigs, *sf, |_| sign_state(&test_signer(OUTSIDER), &st))
                }
                Flaw::Params(pf) => flaw::params(&mut params, *pf, at),
                Flaw::State { flaw: sf, resign } => {
                    let ok = flaw::state(&mut state, *sf, at);
                    if ok && *resign {
                        sigs = self.chans[l].chan.sigs(&state);
                    }
                    ok
                }
                _ => false,
            };
            if applied {
                label += &self.mark(f);
            }
        }
        let from = self.chans[l].chan.address(self.chans[l].chan.len() - 1);
        let data = abi::conclude_final(&params, &state, &sigs);
        self.push_call(
            "concludeFinal",
            Call {
                label,
                from,
                to: at.adjudicator,
                data,
                value: U256::ZERO,
            },
            3,
            flaw,
        );
        if fin && (!self.applied || matches!(flaw, Some(Flaw::Sender))) {
            let o = self.fold(l, &state);
            self.chans[l].outcome = Some(o);
            self.chans[l].registered = Some(state);
        }
    }

    pub(super) fn withdraw(&mut self, w: Withdrawal, flaw: Option<&Flaw>) {
        let at = self.at;
        let l = self.ledger(w.ledger);
        let chan = self.chans[l].chan.clone();
        let n = chan.len();
        let i = usize::from(w.who) % n;
        let a = usize::from(w.asset) % self.kinds.len();
        let share = self.expected(l)[a][i];
        let amount = match w.amount {
            Amount::Outcome => share,
            Amount::Deposited => self.deposited.get(&(l, i, a)).copied().unwrap_or_default(),
            Amount::Half => share / U256::from(2),
            Amount::TooMuch => share + units(1),
            Amount::Zero => U256::ZERO,
        };
        let receiver = match w.receiver {
            Receiver::Own => chan.address(i),
            Receiver::Other => stranger(),
            Receiver::Contract => at.token,
            Receiver::Reentrant => reentrant_receiver(),
        };
        let mut auth = WithdrawalAuth {
            channelID: chan.id,
            participant: Channel::Participant {
                ethAddress: chan.address(i),
                ccAddress: Bytes::new(),
            },
            receiver,
            amount,
        };
        let signer = match w.signer {
            Signer::Own => chan.signer(i),
            Signer::Other => chan.signer((i + 1) % n),
            Signer::Outsider => test_signer(OUTSIDER),
        };
        let mut sigs = vec![sign_auth(&signer, &auth)];
        let kind = match self.kinds[a] {
            AssetKind::Eth => "withdraw ETH",
            AssetKind::Erc20 => "withdraw ERC20",
        };
        let mut label = format!(
            "{kind} {} {i} {amount} ({:?}, signed {:?}, to {:?})",
            self.chans[l].name, w.amount, w.signer, w.receiver
        );
        if let Some(f) = flaw {
            let applied = match f {
                Flaw::Sig(sf) => {
                    let au = auth.clone();
                    flaw::sigs(&mut sigs, *sf, |_| sign_auth(&test_signer(OUTSIDER), &au))
                }
                Flaw::State { flaw: sf, resign } => {
                    let ok = match sf {
                        StateFlaw::ChannelId => {
                            auth.channelID = alloy_primitives::keccak256(auth.channelID);
                            true
                        }
                        StateFlaw::Version | StateFlaw::Balance => {
                            auth.amount += U256::from(1);
                            true
                        }
                        StateFlaw::AppData => {
                            auth.participant.ccAddress = Bytes::from_static(&[1]);
                            true
                        }
                        _ => {
                            auth.receiver = address(OUTSIDER);
                            true
                        }
                    };
                    if *resign {
                        sigs = vec![sign_auth(&signer, &auth)];
                    }
                    ok
                }
                _ => false,
            };
            if applied {
                label += &self.mark(f);
            }
        }
        // One signature; a dropped one leaves none, an extra one makes it 130 bytes long.
        let sig: Vec<u8> = sigs.iter().flat_map(|b| b.iter().copied()).collect();
        let data = abi::withdraw(&auth, &sig);
        let holder = self.kinds[a].holder(at);
        if w.receiver == Receiver::Reentrant {
            self.reentrant = true;
            if self.kinds[a] == AssetKind::Eth {
                // The receiver re-submits this very withdrawal when it is paid.
                self.push(
                    "arm receiver",
                    format!("arm the reentrant receiver with: {label}"),
                    address(OUTSIDER),
                    reentrant_receiver(),
                    arm(&data),
                    U256::ZERO,
                );
            }
        }
        self.push_call(
            kind,
            Call {
                label,
                from: chan.address(i),
                to: holder,
                data,
                value: U256::ZERO,
            },
            2,
            flaw,
        );
    }
}

//! The honest parties: watchers that refute stale registrations as soon as they see them (as
//! `perun-verify watch` would), and, at the end, the conclusion of every channel they are in and
//! the withdrawal of everything they hold.
//!
//! Reaction. After every successful adversary transaction each honest party reads its logs
//! (`ChannelUpdate` from the Adjudicator or the registry) and its calldata (the signed states in
//! it). If a channel it is in was registered with a version below its latest, it refutes at once,
//! before any time passes: a ledger channel or sub-channel by `Adjudicator.register` of its root
//! with the best state it knows of every channel below the root (its latest for its own
//! channels; for the others the state recorded for them that fits their funding, else their
//! funding state); a virtual channel by the registry's direct path or through its parent,
//! alternately. If the root cannot be registered (its record holds a force-executed state
//! nobody signed in full, say), it refutes through a helper parent: a ledger channel of its own
//! locking just that sub-channel.
//!
//! Conclusion. The honest parties register every ledger channel they are in whose record (or a
//! sub-channel's) does not hold their best state, wait two challenge durations and a second
//! (a channel with an app gets one more challenge duration for force-execution), conclude with
//! the states recorded, and withdraw their full holdings to themselves. The bound checked: every
//! such channel is settled by then, `2 * CD + 1` seconds after their last registration.
//!
//! Which recorded state. An honest party never reads a dispute record: it knows what was
//! recorded from events and calldata, and it only takes recorded states that fit the funding its
//! channel locked (same assets, one balance per participant, same sub-allocations and per-asset
//! totals). Where several fit (a contract that keeps one record per funding may hold several),
//! it simulates its candidate calls without committing them, as a wallet does before sending,
//! and sends the first that would succeed.
//!
//! Front-running. Before any honest transaction the adversary may insert one action of its
//! plan's front-runs (in the same block: no time passes). An honest transaction that reverts
//! right after a front-run is rebuilt and sent once more.

use super::raw::{self, AuthLayout, AuthVal, ParamsVal, SignedVal, StateVal};
use super::session::{register_tx, totals, Actor, Sent, Session, Tx, Update, DISPUTE};
use super::topology::{Role, CD};
use crate::build::Chan;
use crate::pair::Divergence;
use alloy_primitives::{Bytes, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};

/// The most candidate calls an honest party simulates for one transaction.
pub const CANDIDATES: usize = 8;

/// The combinations of one element of each list, the first elements first (an odometer over
/// the lists, the last list turning fastest), at most [`CANDIDATES`]; none if a list is empty.
fn combos<T: Clone>(lists: &[Vec<T>]) -> Vec<Vec<T>> {
    if lists.iter().any(Vec::is_empty) {
        return Vec::new();
    }
    let mut idx = vec![0usize; lists.len()];
    let mut out = Vec::new();
    loop {
        out.push(idx.iter().zip(lists).map(|(&i, l)| l[i].clone()).collect());
        if out.len() >= CANDIDATES {
            return out;
        }
        let mut k = lists.len();
        loop {
            if k == 0 {
                return out;
            }
            k -= 1;
            idx[k] += 1;
            if idx[k] < lists[k].len() {
                break;
            }
            idx[k] = 0;
        }
    }
}
/// What an honest transaction is for (in the revert counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Purpose {
    Refute,
    Register,
    Conclude,
    Withdraw,
}

impl Session<'_> {
    /// The honest parties' reaction to a transaction (an adversary's or another party's).
    pub(super) fn react(&mut self, updates: &[Update], tx: &Tx) -> Result<(), Divergence> {
        let mut touched: Vec<(usize, u64)> = Vec::new();
        for u in updates.iter().filter(|u| u.phase == DISPUTE) {
            if let Some(c) = self.topo.node_by_id(u.id) {
                touched.push((c, u.version));
            }
        }
        for s in &tx.signed {
            if let Some(c) = self.topo.node_by_id(s.state.state.channelID) {
                touched.push((c, s.state.version()));
            }
        }
        for h in self.honest() {
            let mut todo: Vec<usize> = Vec::new();
            for &(c, v) in &touched {
                let member = self.topo.index_of(c, h).is_some();
                if member && self.latest[c].version() > v && !todo.contains(&c) {
                    todo.push(c);
                }
            }
            for c in todo {
                self.refute(h, c)?;
            }
        }
        Ok(())
    }

    /// The state `h` wants recorded for `node`: its latest if it is in the channel, else the
    /// recorded state that fits the channel's funding, else the funding state.
    pub(super) fn best(&self, h: usize, node: usize) -> StateVal {
        if self.topo.index_of(node, h).is_some() {
            return self.latest[node].clone();
        }
        self.registered(node)
            .unwrap_or_else(|| StateVal::canonical(self.topo.initial_state(node)))
    }

    /// The states `h` may give for `node` in a registration, best first: its latest if it is
    /// in the channel; else every recorded state that fits the channel's funding (highest
    /// version first), then the funding state.
    fn options(&self, h: usize, node: usize) -> Vec<StateVal> {
        if self.topo.index_of(node, h).is_some() {
            return vec![self.latest[node].clone()];
        }
        let mut out = self.fitting_recorded(node);
        let init = StateVal::canonical(self.topo.initial_state(node));
        if !out.iter().any(|s| s.hash() == init.hash()) {
            out.push(init);
        }
        out
    }

    /// Every recorded state of `node` that fits its funding, distinct, highest version first.
    fn fitting_recorded(&self, node: usize) -> Vec<StateVal> {
        let mut out: Vec<StateVal> = Vec::new();
        for s in self.recorded(self.topo.nodes[node].chan.id) {
            if self.fits(node, &s.state) && !out.iter().any(|o| o.hash() == s.hash()) {
                out.push(s);
            }
        }
        // Stable: among equal versions the later recording first.
        out.reverse();
        out.sort_by_key(|s| std::cmp::Reverse(s.version()));
        out
    }

    /// `Adjudicator.register` of `root` with the combinations of `h`'s options, best first, for
    /// those `h` has signed (at most [`CANDIDATES`]).
    fn register_candidates(&self, h: usize, root: usize, label: &str) -> Vec<Tx> {
        let nodes: Vec<usize> = std::iter::once(root)
            .chain(self.topo.descendants(root))
            .collect();
        let lists: Vec<Vec<SignedVal>> = nodes
            .iter()
            .map(|&n| {
                self.options(h, n)
                    .iter()
                    .filter_map(|s| self.signed_for(n, s))
                    .collect()
            })
            .collect();
        let at = self.at();
        combos(&lists)
            .into_iter()
            .map(|mut c| {
                let root_signed = c.remove(0);
                register_tx(
                    format!(
                        "{label} {} with {}",
                        self.topo.nodes[root].name,
                        self.show(&root_signed.state)
                    ),
                    self.topo.parties[h].address(),
                    &at,
                    root_signed,
                    c,
                )
            })
            .collect()
    }

    /// The registry's direct path with `h`'s latest state of the virtual channel.
    fn registry_call(&self, h: usize, v: usize) -> Vec<Tx> {
        let s = self.best(h, v);
        let Some(signed) = self.signed_for(v, &s) else {
            return Vec::new();
        };
        let at = self.at();
        vec![Tx {
            label: format!("registry register V {}", self.show(&s)),
            from: self.topo.parties[h].address(),
            to: at.registry,
            data: raw::registry_register(&signed),
            value: U256::ZERO,
            signed: vec![signed],
            states: Vec::new(),
            non_canonical: false,
        }]
    }

    /// A helper parent of `h` alone locking `node` (with its best states below).
    fn helper_call(&self, h: usize, node: usize) -> Vec<Tx> {
        self.helper_tx(h, node).into_iter().collect()
    }

    fn helper_tx(&self, h: usize, node: usize) -> Option<Tx> {
        let s = self.best(h, node);
        let target = self.signed_for(node, &s)?;
        let mut subs = vec![target];
        for c in self.topo.descendants(node) {
            let b = self.best(h, c);
            subs.push(self.signed_for(c, &b)?);
        }
        let party = &self.topo.parties[h];
        let nonce = 0x4e1f_0000 + self.tally.honest_helper_refutations + 100 * h as u64;
        let chan = Chan::ledger(&[party.key], nonce);
        let mut state = chan.state(
            0,
            &self.topo.asset_list(),
            vec![vec![U256::ZERO]; self.topo.assets.len()],
            false,
        );
        state.outcome.locked.push(Channel::SubAlloc {
            ID: self.topo.nodes[node].chan.id,
            balances: totals(&s.state)?,
            indexMap: vec![0; self.topo.nodes[node].members.len()],
        });
        let sv = StateVal::canonical(state);
        let signed = SignedVal {
            params: ParamsVal::canonical(chan.params.clone()),
            sigs: vec![sv.sign(&party.signer())],
            state: sv,
        };
        let at = self.at();
        Some(register_tx(
            format!(
                "register helper parent locking {} {}",
                self.topo.nodes[node].name,
                self.show(&s)
            ),
            party.address(),
            &at,
            signed,
            subs,
        ))
    }

    /// Lets the adversary insert an action before an honest transaction (at most one, never
    /// within another front-run).
    fn maybe_front_run(&mut self) -> Result<bool, Divergence> {
        if self.in_front_run || self.front.is_empty() || !self.front_rng.chance(40) {
            return Ok(false);
        }
        let Some(act) = self.front.pop_front() else {
            return Ok(false);
        };
        self.in_front_run = true;
        self.log.push(format!("front-run: {:?}", act.kind));
        self.tally.front_runs += 1;
        let r = self.perform(&act);
        self.in_front_run = false;
        r.map(|()| true)
    }

    /// Runs `tx` in both worlds without committing it (as a wallet simulates a transaction
    /// before sending it); whether it would succeed.
    fn simulate(&mut self, tx: &Tx) -> Result<bool, Divergence> {
        let s = self.pair.stylus.chain.view(tx.from, tx.to, tx.data.clone());
        let o = self
            .pair
            .solidity
            .chain
            .view(tx.from, tx.to, tx.data.clone());
        if (s.success, &s.output) != (o.success, &o.output) {
            return Err(Divergence {
                step: format!("simulating {}", tx.label),
                what: "status and output".into(),
                stylus: format!(
                    "{} 0x{}",
                    s.success,
                    alloy_primitives::hex::encode(&s.output)
                ),
                solidity: format!(
                    "{} 0x{}",
                    o.success,
                    alloy_primitives::hex::encode(&o.output)
                ),
            });
        }
        Ok(o.success)
    }

    /// The first of `cands` that would succeed, else the first.
    fn pick(&mut self, mut cands: Vec<Tx>) -> Result<Option<Tx>, Divergence> {
        if cands.len() > 1 {
            for i in 0..cands.len() {
                if self.simulate(&cands[i])? {
                    return Ok(Some(cands.swap_remove(i)));
                }
            }
        }
        Ok(cands.into_iter().next())
    }

    /// Sends an honest transaction: the first candidate `build` makes that would succeed (after
    /// a possible front-run); one retry, rebuilt, if it reverted after a front-run.
    fn honest_send(
        &mut self,
        h: usize,
        purpose: Purpose,
        build: &dyn Fn(&Session<'_>) -> Vec<Tx>,
    ) -> Result<Option<Sent>, Divergence> {
        let fronted = self.maybe_front_run()?;
        let Some(tx) = self.pick(build(self))? else {
            return Ok(None);
        };
        let label = tx.label.clone();
        let mut sent = self.send(Actor::Honest(h), tx)?;
        if !sent.ok {
            *self
                .tally
                .honest_reverts
                .entry(format!("{purpose:?}: {}", sent.error))
                .or_default() += 1;
            self.honest_reverts.push((
                h,
                format!("{purpose:?} {label}"),
                sent.error.clone(),
                fronted,
            ));
            if fronted {
                if let Some(tx) = self.pick(build(self))? {
                    sent = self.send(Actor::Honest(h), tx)?;
                    if !sent.ok {
                        self.honest_reverts.push((
                            h,
                            format!("{purpose:?} (retry) {label}"),
                            sent.error.clone(),
                            false,
                        ));
                    }
                }
            }
        }
        Ok(Some(sent))
    }

    /// `h` refutes the registration of `node` with its latest state.
    pub(super) fn refute(&mut self, h: usize, node: usize) -> Result<(), Divergence> {
        self.tally.honest_refute_attempts += 1;
        let role = self.topo.nodes[node].role;
        let direct = role == Role::Virtual && self.tally.honest_refute_attempts.is_multiple_of(2);
        let root = if role == Role::Virtual {
            self.topo
                .roots_of(node)
                .into_iter()
                .find(|&r| self.topo.index_of(r, h).is_some())
        } else {
            self.topo.roots_of(node).first().copied()
        };
        let sent = if direct {
            self.honest_send(h, Purpose::Refute, &|s| s.registry_call(h, node))?
        } else if let Some(r) = root {
            self.honest_send(h, Purpose::Refute, &|s| {
                s.register_candidates(h, r, "refute via")
            })?
        } else {
            None
        };
        let mut ok = sent.as_ref().is_some_and(|s| s.ok);
        let mut changed = sent.as_ref().is_some_and(|s| !s.updates.is_empty());
        if !ok && role != Role::Root {
            let sent = self.honest_send(h, Purpose::Refute, &|s| s.helper_call(h, node))?;
            ok = sent.as_ref().is_some_and(|s| s.ok);
            if ok {
                self.tally.honest_helper_refutations += 1;
                changed = true;
            }
        }
        if changed && ok && !self.final_phase {
            self.tally.honest_refutations += 1;
        }
        Ok(())
    }

    /// Whether `h` must register root `r` before concluding it: some channel of its tree is
    /// not recorded with `h`'s best state.
    fn needs_registration(&self, h: usize, r: usize) -> bool {
        std::iter::once(r)
            .chain(self.topo.descendants(r))
            .any(|c| self.registered(c).map(|s| s.hash()) != Some(self.best(h, c).hash()))
    }

    /// `conclude` of root `r` with the recorded states that fit their channels' funding (the
    /// combinations, highest versions first, at most [`CANDIDATES`]).
    fn conclude_candidates(&self, h: usize, r: usize) -> Vec<Tx> {
        if self.settled_seen(self.topo.nodes[r].chan.id) {
            return Vec::new();
        }
        let nodes: Vec<usize> = std::iter::once(r).chain(self.topo.descendants(r)).collect();
        let lists: Vec<Vec<StateVal>> = nodes.iter().map(|&n| self.fitting_recorded(n)).collect();
        let at = self.at();
        let params = ParamsVal::canonical(self.topo.nodes[r].chan.params.clone());
        combos(&lists)
            .into_iter()
            .map(|mut c| {
                let state = c.remove(0);
                let non_canonical = !state.is_canonical() || c.iter().any(|s| !s.is_canonical());
                Tx {
                    label: format!(
                        "conclude {} at {}",
                        self.topo.nodes[r].name,
                        self.show(&state)
                    ),
                    from: self.topo.parties[h].address(),
                    to: at.adjudicator,
                    data: raw::conclude(&params, &state, &c),
                    value: U256::ZERO,
                    signed: Vec::new(),
                    states: Vec::new(),
                    non_canonical,
                }
            })
            .collect()
    }

    /// `h` withdraws everything it holds in root `r` of asset `a`, to itself.
    fn withdraw_call(&mut self, h: usize, r: usize, a: usize) -> Result<Option<Tx>, Divergence> {
        let id = self.topo.nodes[r].chan.id;
        let at = self.at();
        let holder = self.topo.assets[a].holder(&at);
        let fid = self.fid(id, h);
        let amount = self.holdings(holder, fid)?;
        if amount.is_zero() {
            return Ok(None);
        }
        let party = &self.topo.parties[h];
        let auth = AuthVal {
            auth: WithdrawalAuth {
                channelID: id,
                participant: Channel::Participant {
                    ethAddress: party.address(),
                    ccAddress: Bytes::new(),
                },
                receiver: party.address(),
                amount,
            },
            layout: AuthLayout::Canonical,
        };
        let sig = raw::sign_hash(&party.signer(), auth.hash());
        Ok(Some(Tx::plain(
            format!(
                "withdraw {} {:?} from {}",
                super::session::show_amount(amount),
                self.topo.assets[a],
                self.topo.nodes[r].name
            ),
            party.address(),
            holder,
            raw::withdraw(&auth, &sig),
            U256::ZERO,
        )))
    }

    /// The honest parties' final phase: register, wait, conclude, withdraw.
    ///
    /// # Errors
    /// A divergence between the implementations.
    pub fn conclude_all(&mut self) -> Result<(), Divergence> {
        self.final_phase = true;
        self.log.push("honest parties conclude".into());
        let honest = self.honest();
        let roots = self.topo.roots.clone();
        for &h in &honest {
            for &r in &roots {
                if self.topo.index_of(r, h).is_none() {
                    continue;
                }
                let id = self.topo.nodes[r].chan.id;
                if self.is_settled(id)? || self.concluded(id) || !self.needs_registration(h, r) {
                    continue;
                }
                if self.register_candidates(h, r, "register").is_empty() {
                    self.honest_reverts.push((
                        h,
                        format!("register {}", self.topo.nodes[r].name),
                        "no fully signed state of every channel it locks matches what is recorded"
                            .into(),
                        false,
                    ));
                    continue;
                }
                self.honest_send(h, Purpose::Register, &|s| {
                    s.register_candidates(h, r, "register")
                })?;
            }
        }
        self.final_registration = Some(self.now());
        self.advance(2 * CD + 1);
        for &h in &honest {
            for &r in &roots {
                if self.topo.index_of(r, h).is_none() {
                    continue;
                }
                let id = self.topo.nodes[r].chan.id;
                if self.is_settled(id)? {
                    continue;
                }
                let sent =
                    self.honest_send(h, Purpose::Conclude, &|s| s.conclude_candidates(h, r))?;
                if sent.is_none() && !self.settled_seen(id) {
                    self.honest_reverts.push((
                        h,
                        format!("conclude {}", self.topo.nodes[r].name),
                        "no recorded state fits its funding".into(),
                        false,
                    ));
                }
            }
        }
        for &h in &honest {
            for &r in &roots {
                if self.topo.index_of(r, h).is_none() {
                    continue;
                }
                let id = self.topo.nodes[r].chan.id;
                if !self.is_settled(id)? {
                    continue;
                }
                for a in 0..self.topo.assets.len() {
                    // Built before a possible front-run: the amount is read now, and rebuilt
                    // (read again) for the retry.
                    let fronted = self.maybe_front_run()?;
                    let Some(tx) = self.withdraw_call(h, r, a)? else {
                        continue;
                    };
                    let label = tx.label.clone();
                    let sent = self.send(Actor::Honest(h), tx)?;
                    if !sent.ok {
                        *self
                            .tally
                            .honest_reverts
                            .entry(format!("{:?}: {}", Purpose::Withdraw, sent.error))
                            .or_default() += 1;
                        self.honest_reverts
                            .push((h, label, sent.error.clone(), fronted));
                        if let Some(tx) = self.withdraw_call(h, r, a)? {
                            let sent = self.send(Actor::Honest(h), tx)?;
                            if !sent.ok {
                                self.honest_reverts.push((
                                    h,
                                    "withdraw (retry)".into(),
                                    sent.error,
                                    false,
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether `OutcomeSet` was seen for channel ID `id` at the holder of every asset.
    pub fn settled_seen(&self, id: alloy_primitives::B256) -> bool {
        (0..self.topo.assets.len()).all(|a| self.settled.contains(&(self.holder(a), id)))
    }
}

//! Predictions: what `register` (or a refutation), `progress`, `conclude`, `concludeFinal` and
//! `withdraw` would do on the chain the events show, when, and what each asset holder would be
//! told to pay each participant.
//!
//! For each channel the prediction is a plan run on the [`Chain`] model: register (or refute)
//! now with the latest fully signed state and its sub-channels, force-execute the next state if
//! one is held, conclude at the earliest time the contracts allow, then withdraw. Each step
//! runs on the chain as the previous accepted steps leave it, with the calldata the `calldata`
//! command prints, so the prediction is what the contracts decide for exactly those bytes.
//! `concludeFinal` is predicted on its own, on the chain as it is.

use crate::calldata::{self, Call, Target};
use crate::chain::{phase_name, Chain, Effect};
use crate::check::{chosen_state, Verdict};
use crate::error::revert_name;
use crate::events::History;
use crate::tree::{ChannelEntry, Doc, Held};
use alloy_primitives::{Address, B256, U256};
use perun_channel::dispute::{Dispute, CONCLUDED, DISPUTE, FORCEEXEC};
use perun_channel::hash::sub_channel_key_of;
use perun_channel::sol::Channel;
use serde::Serialize;

/// What a contract would do with a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Decision {
    /// The call succeeds and changes the chain.
    Accepts,
    /// The call succeeds and changes nothing (the same state registered again).
    NoChange,
    /// The call reverts.
    Rejects,
    /// No call can be built from what the document holds.
    Unavailable,
}

/// The prediction of one call.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// `register`, `refute`, `progress`, `conclude`, `concludeFinal` or `withdraw`.
    pub operation: &'static str,
    /// What the contract would do.
    pub decision: Decision,
    /// The block time the call is predicted for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<u64>,
    /// The version of the state sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    /// The custom error it reverts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert: Option<&'static str>,
    /// Why it reverts or cannot be built.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The deadline the call sets: the end of the refutation or force-execution window.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline: Option<u64>,
    /// What it does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<Effect>,
    /// The call to send.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<Call>,
    /// Assumptions the prediction makes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Operation {
    fn unavailable(operation: &'static str, reason: impl Into<String>) -> Self {
        Operation {
            operation,
            decision: Decision::Unavailable,
            at: None,
            version: None,
            revert: None,
            reason: Some(reason.into()),
            deadline: None,
            effects: Vec::new(),
            call: None,
            notes: Vec::new(),
        }
    }

    /// Whether the call succeeds.
    pub fn succeeds(&self) -> bool {
        matches!(self.decision, Decision::Accepts | Decision::NoChange)
    }
}

/// A channel's dispute record as the events show it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    /// `adjudicator` or `registry`.
    pub contract: &'static str,
    /// The registered version.
    pub version: u64,
    /// The phase.
    pub phase: &'static str,
    /// The timeout.
    pub timeout: u64,
    /// The path of the held state that is registered, if one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
}

/// What one asset holder would be told for a channel.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Payout {
    /// The holder.
    pub holder: Address,
    /// The participants.
    pub participants: Vec<Address>,
    /// The outcome pushed (`setOutcome`'s `newBals`).
    #[serde(serialize_with = "crate::schema::decimal::list")]
    pub outcome: Vec<U256>,
    /// Whether the deposits seen cover it.
    pub funded: bool,
    /// Each participant's holdings afterwards (its outcome if funded, else its deposit).
    #[serde(serialize_with = "crate::schema::decimal::list")]
    pub holdings: Vec<U256>,
}

/// The predictions for one channel.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelPrediction {
    /// The channel's name.
    pub channel: String,
    /// Its ID.
    pub channel_id: B256,
    /// `ledger`, `virtual` or `sub-channel`.
    pub kind: &'static str,
    /// Its record on chain, if registered.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
    /// The latest fully signed state's version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<u64>,
    /// The plan's calls, in order, then `concludeFinal`.
    pub operations: Vec<Operation>,
    /// What the asset holders would be told at the conclusion.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payouts: Vec<Payout>,
}

/// Everything the predictor needs.
pub struct Context<'a> {
    /// The document.
    pub doc: &'a Doc,
    /// Its verdicts.
    pub verdicts: &'a [Vec<Verdict>],
    /// The chain as the events show it.
    pub history: &'a History,
    /// The time of the prediction.
    pub now: u64,
}

impl Context<'_> {
    fn call(&self, function: &'static str, target: Target, data: alloy_primitives::Bytes) -> Call {
        let to = match target {
            Target::Adjudicator => self.doc.adjudicator,
            Target::Registry => self.doc.registry,
            Target::Holder(h) => Some(h),
        };
        Call {
            function,
            target,
            to,
            data,
        }
    }

    /// The latest fully signed state of channel `c`, if any.
    pub fn best(&self, c: usize) -> Option<&Held> {
        crate::check::best_state(&self.doc.channels[c], &self.verdicts[c])
            .map(|j| &self.doc.channels[c].states[j])
    }

    /// The signed sub-channels `register` needs after channel `c`'s state `s`: depth first,
    /// each sub-channel's latest fully signed state (or its latest state), as far as the
    /// document holds them.
    pub fn register_subs(&self, s: &Channel::State, out: &mut Vec<Channel::SignedState>) {
        for l in &s.outcome.locked {
            if let Some(&i) = self.doc.by_id.get(&l.ID) {
                let h = chosen_state(&self.doc.channels[i], &self.verdicts[i]);
                out.push(h.signed.clone());
                self.register_subs(h.state(), out);
            }
        }
    }

    /// The refutation or registration call for channel `c`'s best state: `register` at the
    /// Adjudicator for a ledger channel, the registry's `register` for a virtual channel, and
    /// for any other sub-channel `register` of its nearest ledger ancestor with its subtree.
    pub fn register_call(&self, c: usize) -> Option<Call> {
        let ch = &self.doc.channels[c];
        let best = self.best(c)?;
        if ch.params.ledgerChannel {
            let mut subs = Vec::new();
            self.register_subs(best.state(), &mut subs);
            return Some(self.call(
                "register",
                Target::Adjudicator,
                calldata::register(&best.signed, &subs),
            ));
        }
        if ch.params.virtualChannel {
            return Some(self.call(
                "register",
                Target::Registry,
                calldata::registry_register(&best.signed),
            ));
        }
        // A sub-channel: register the ledger ancestor, whose subtree carries this state.
        let mut at = c;
        loop {
            let parent = self.parent_of(at)?;
            if self.doc.channels[parent].params.ledgerChannel {
                return self.register_call(parent);
            }
            at = parent;
        }
    }

    /// The channel whose chosen state locks channel `c` (the first, for a virtual channel).
    pub fn parent_of(&self, c: usize) -> Option<usize> {
        let id = self.doc.channels[c].id;
        (0..self.doc.channels.len()).find(|&p| {
            chosen_state(&self.doc.channels[p], &self.verdicts[p])
                .state()
                .outcome
                .locked
                .iter()
                .any(|l| l.ID == id)
        })
    }

    /// The key of channel `c`'s record: its ID for a ledger channel, else its ID bound to the
    /// funding of its chosen state.
    pub fn record_key(&self, c: usize) -> B256 {
        let ch = &self.doc.channels[c];
        ch.record_key(chosen_state(ch, &self.verdicts[c]).state())
    }

    /// The held state a record names, if the document holds it.
    fn registered_state(&self, c: usize, d: &Dispute) -> Option<&Held> {
        self.doc.channels[c]
            .states
            .iter()
            .find(|h| h.hash == d.state_hash)
    }

    /// The sub-states `conclude` needs after state `s`, depth first: each sub-channel's
    /// registered state, or its chosen state where it is not registered.
    fn conclude_subs(&self, chain: &Chain, s: &Channel::State, out: &mut Vec<Channel::State>) {
        for l in &s.outcome.locked {
            if let Some(&i) = self.doc.by_id.get(&l.ID) {
                let d = chain.record(&sub_channel_key_of(l.ID, &s.outcome.assets, &l.balances));
                let h = self
                    .registered_state(i, &d)
                    .unwrap_or_else(|| chosen_state(&self.doc.channels[i], &self.verdicts[i]));
                out.push(h.state().clone());
                self.conclude_subs(chain, h.state(), out);
            }
        }
    }

    /// The earliest time `conclude` of `s`'s tree passes every timeout check.
    fn conclude_time(&self, chain: &Chain, key: B256, s: &Channel::State) -> u64 {
        let own = ready(&chain.record(&key));
        s.outcome.locked.iter().fold(own, |t, l| {
            let sub_key = sub_channel_key_of(l.ID, &s.outcome.assets, &l.balances);
            let d = chain.record(&sub_key);
            let sub = match self.doc.by_id.get(&l.ID) {
                Some(&i) => self
                    .registered_state(i, &d)
                    .map(|h| self.conclude_time(chain, sub_key, h.state()))
                    .unwrap_or(ready(&d)),
                None => ready(&d),
            };
            t.max(sub)
        })
    }
}

/// When a record can be concluded: its timeout, one challenge duration later for a channel
/// with an app still in DISPUTE; a concluded record at once.
fn ready(d: &Dispute) -> u64 {
    if !d.registered() || d.phase == CONCLUDED {
        return 0;
    }
    if d.phase == DISPUTE && d.has_app {
        d.timeout.saturating_add(d.challenge_duration)
    } else {
        d.timeout
    }
}

/// Runs `call` on `chain` at time `at`, returning the prediction; the chain keeps the changes
/// of an accepted call.
fn simulate(
    chain: &mut Chain,
    operation: &'static str,
    call: Call,
    at: u64,
    version: Option<u64>,
) -> Operation {
    chain.now = at;
    let target = call.target;
    let r = chain.call(target, &call.data);
    let mut op = Operation {
        operation,
        decision: Decision::Accepts,
        at: Some(at),
        version,
        revert: None,
        reason: None,
        deadline: None,
        effects: Vec::new(),
        call: Some(call),
        notes: Vec::new(),
    };
    match r {
        Ok(fx) => {
            if fx.is_empty() {
                op.decision = Decision::NoChange;
            }
            // The first update is the channel the call names (sub-channels follow it).
            op.deadline = fx.iter().find_map(|e| match e {
                Effect::ChannelUpdate { phase, timeout, .. } if *phase != CONCLUDED => {
                    Some(*timeout)
                }
                _ => None,
            });
            op.effects = fx;
        }
        Err(e) => {
            op.decision = Decision::Rejects;
            op.revert = Some(revert_name(&e));
            op.reason = Some(e.to_string());
        }
    }
    op
}

fn record_of(ctx: &Context, c: usize) -> Option<Record> {
    let chain = &ctx.history.chain;
    let key = ctx.record_key(c);
    let (contract, d) = match chain.adjudicator.get(&key) {
        Some(d) if d.registered() => ("adjudicator", *d),
        _ => match chain.registry.get(&key) {
            Some(d) if d.registered() => ("registry", *d),
            _ => return None,
        },
    };
    Some(Record {
        contract,
        version: d.version,
        phase: phase_name(d.phase),
        timeout: d.timeout,
        state: ctx.registered_state(c, &d).map(|h| h.path.clone()),
    })
}

/// Predicts every channel of the document.
pub fn predict(ctx: &Context) -> Vec<ChannelPrediction> {
    (0..ctx.doc.channels.len())
        .map(|c| predict_channel(ctx, c))
        .collect()
}

/// Predicts one channel.
pub fn predict_channel(ctx: &Context, c: usize) -> ChannelPrediction {
    let ch = &ctx.doc.channels[c];
    let kind = if ch.params.ledgerChannel {
        "ledger"
    } else if ch.params.virtualChannel {
        "virtual"
    } else {
        "sub-channel"
    };
    let mut p = ChannelPrediction {
        channel: ch.name.clone(),
        channel_id: ch.id,
        kind,
        record: record_of(ctx, c),
        latest_version: ctx.best(c).map(|h| h.state().version),
        operations: Vec::new(),
        payouts: Vec::new(),
    };
    if kind == "sub-channel" {
        p.operations.push(Operation::unavailable(
            "register",
            "a sub-channel is registered and concluded with its ledger parent",
        ));
        return p;
    }
    let mut chain = ctx.history.chain.clone();
    let now = ctx.now;

    // 1. register or refute.
    let key = ctx.record_key(c);
    let old = chain.record(&key);
    match (ctx.best(c), ctx.register_call(c)) {
        (Some(best), Some(call)) => {
            let refutes = old.registered() && old.version < best.state().version;
            let name = if refutes { "refute" } else { "register" };
            let op = simulate(&mut chain, name, call, now, Some(best.state().version));
            p.operations.push(op);
        }
        _ => p.operations.push(Operation::unavailable(
            "register",
            "no fully signed state is held",
        )),
    }

    // 2. progress, for a channel with an app whose next state is held.
    if kind == "ledger" && !ch.params.app.is_zero() {
        p.operations.push(progress(ctx, &mut chain, c));
    }

    // 3. conclude at the earliest time.
    let d = chain.record(&key);
    let concluded;
    if !d.registered() {
        p.operations.push(Operation::unavailable(
            "conclude",
            "the channel is not registered",
        ));
        concluded = false;
    } else if let Some(h) = ctx.registered_state(c, &d) {
        let state = h.state().clone();
        let at = now.max(ctx.conclude_time(&chain, key, &state));
        let call = if kind == "virtual" {
            ctx.call(
                "conclude",
                Target::Registry,
                calldata::registry_conclude(&ch.params, &state),
            )
        } else {
            let mut subs = Vec::new();
            ctx.conclude_subs(&chain, &state, &mut subs);
            ctx.call(
                "conclude",
                Target::Adjudicator,
                calldata::conclude(&ch.params, &state, &subs),
            )
        };
        let op = simulate(&mut chain, "conclude", call, at, Some(state.version));
        concluded = op.succeeds();
        collect_payouts(&op, &mut p.payouts);
        p.operations.push(op);
    } else {
        p.operations.push(Operation::unavailable(
            "conclude",
            format!(
                "the registered state (version {}) is not held: only a party holding it can \
                 conclude",
                d.version
            ),
        ));
        concluded = false;
    }

    // 4. concludeFinal on the chain as it is.
    let mut final_chain = ctx.history.chain.clone();
    let mut final_ok = false;
    if kind == "ledger" {
        if let Some(best) = ctx.best(c).filter(|b| b.state().isFinal) {
            let call = ctx.call(
                "concludeFinal",
                Target::Adjudicator,
                calldata::conclude_final(&ch.params, best.state(), &best.signed.sigs),
            );
            let op = simulate(
                &mut final_chain,
                "concludeFinal",
                call,
                now,
                Some(best.state().version),
            );
            final_ok = op.succeeds();
            if final_ok && !concluded {
                collect_payouts(&op, &mut p.payouts);
            }
            p.operations.push(op);
        }
    }

    // 5. withdrawals of this channel, after the conclusion.
    let (mut after, at) = if concluded {
        let at = chain.now;
        (chain, at)
    } else if final_ok {
        (final_chain, now)
    } else {
        (chain, now)
    };
    for w in ctx
        .doc
        .withdrawals
        .iter()
        .filter(|w| w.auth.channelID == ch.id)
    {
        let holders: Vec<Address> = p.payouts.iter().map(|x| x.holder).collect();
        let holder = w.holder.or(match holders.as_slice() {
            [h] => Some(*h),
            _ => None,
        });
        let Some(holder) = holder else {
            p.operations.push(Operation::unavailable(
                "withdraw",
                format!(
                    "{}: name the asset holder (`holder`): the channel pays out at {} holders",
                    w.path,
                    holders.len()
                ),
            ));
            continue;
        };
        let call = ctx.call(
            "withdraw",
            Target::Holder(holder),
            calldata::withdraw(&w.auth, &w.signature),
        );
        let mut op = simulate(&mut after, "withdraw", call, at, None);
        op.notes
            .push(format!("{} (amount {})", w.path, w.auth.amount));
        p.operations.push(op);
    }
    p
}

fn collect_payouts(op: &Operation, out: &mut Vec<Payout>) {
    for e in &op.effects {
        if let Effect::OutcomeSet {
            holder,
            participants,
            balances,
            funded,
            holdings,
            ..
        } = e
        {
            out.push(Payout {
                holder: *holder,
                participants: participants.clone(),
                outcome: balances.clone(),
                funded: *funded,
                holdings: holdings.clone(),
            });
        }
    }
}

/// `progress` with the held state after the registered one, signed by one participant.
fn progress(ctx: &Context, chain: &mut Chain, c: usize) -> Operation {
    let ch: &ChannelEntry = &ctx.doc.channels[c];
    let d = chain.record(&ctx.record_key(c));
    if !d.registered() {
        return Operation::unavailable("progress", "the channel is not registered");
    }
    let Some(old) = ctx.registered_state(c, &d) else {
        return Operation::unavailable("progress", "the registered state is not held");
    };
    let next = ch.states.iter().enumerate().find_map(|(j, h)| {
        if h.state().version != d.version.wrapping_add(1) {
            return None;
        }
        let v = &ctx.verdicts[c][j];
        (0..ch.params.participants.len())
            .find(|&k| v.signed_by(k))
            .map(|k| (h, k))
    });
    let Some((next, actor)) = next else {
        return Operation::unavailable(
            "progress",
            format!(
                "no state of version {} signed by a participant is held",
                d.version.wrapping_add(1)
            ),
        );
    };
    let at = match d.phase {
        DISPUTE => ctx.now.max(d.timeout),
        FORCEEXEC => ctx.now,
        _ => ctx.now,
    };
    let call = ctx.call(
        "progress",
        Target::Adjudicator,
        calldata::progress(
            &ch.params,
            old.state(),
            next.state(),
            actor,
            &next.signed.sigs[actor],
        ),
    );
    let mut op = simulate(chain, "progress", call, at, Some(next.state().version));
    op.notes.push(format!(
        "assumes App({}).validTransition accepts the step, by participant {actor}",
        ch.params.app
    ));
    op
}

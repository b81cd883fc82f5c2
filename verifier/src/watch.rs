//! The watcher: finds registrations of states older than the ones a party holds, builds the
//! refutation before the timeout, and (with a key and an endpoint) sends it.
//!
//! One [`poll`] against a [`Node`] first keeps the Stylus programs the document's calls reach
//! usable ([`crate::lifetime`]: a keepalive ahead of expiry, an activation of an expired or
//! outdated program), then scans for stale registrations ([`scan`]) and sends each refutation
//! whose contracts are usable. The decisions are pure functions ([`scan`],
//! [`crate::lifetime::plan`]); the node is a small trait, so a test drives the whole cycle over an
//! in-process chain.

use crate::calldata::Call;
use crate::chain::phase_name;
use crate::error::{Error, Result};
use crate::lifetime::{self, Pending, Policy, ProgramCheck};
use crate::node::Node;
pub use crate::node::SendOptions;
use crate::predict::{Context, Decision, Operation};
use crate::rpc::Rpc;
use crate::tree::Doc;
use alloy_primitives::{Address, B256, U256};
use perun_channel::dispute::{CONCLUDED, DISPUTE};
use perun_channel::native::Signer;
use serde::Serialize;

/// What the watcher found about a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// An older state is registered and can be refuted: send the refutation.
    Refute,
    /// An older state is registered, but the refutation window has closed.
    TooLate,
    /// An older state is registered, and the refutation would revert.
    CannotRefute,
    /// A different state of the same version is registered: the parties signed two.
    Conflict,
}

/// A registration the party must act on.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Alarm {
    /// The channel's name.
    pub channel: String,
    /// Its ID.
    pub channel_id: B256,
    /// The registered version.
    pub registered_version: u64,
    /// The record's phase.
    pub phase: &'static str,
    /// The record's timeout: the refutation deadline.
    pub timeout: u64,
    /// The version of the latest fully signed state held.
    pub held_version: u64,
    /// What to do.
    pub action: Action,
    /// The refutation and what the contract would do with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refutation: Option<Operation>,
    /// The hash of the transaction sent, if one was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<B256>,
    /// Why the refutation was not sent although it is due: a contract it calls holds a Stylus
    /// program that is not usable (expired, outdated or not activated, and not reactivated).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocked: Option<String>,
}

impl Alarm {
    /// The call to send, when the refutation is predicted to succeed.
    pub fn call(&self) -> Option<&Call> {
        match (&self.action, &self.refutation) {
            (Action::Refute, Some(op)) => op.call.as_ref(),
            _ => None,
        }
    }
}

/// Scans the records the events show against the states held, at `ctx.now`.
pub fn scan(ctx: &Context) -> Vec<Alarm> {
    let mut out = Vec::new();
    for (c, ch) in ctx.doc.channels.iter().enumerate() {
        let key = ctx.record_key(c);
        let d = ctx.history.chain.record(&key);
        if !d.registered() || d.phase == CONCLUDED {
            continue;
        }
        let Some(best) = ctx.best(c) else { continue };
        let held_version = best.state().version;
        let mut alarm = Alarm {
            channel: ch.name.clone(),
            channel_id: ch.id,
            registered_version: d.version,
            phase: phase_name(d.phase),
            timeout: d.timeout,
            held_version,
            action: Action::Refute,
            refutation: None,
            sent: None,
            blocked: None,
        };
        if held_version == d.version && best.hash != d.state_hash {
            alarm.action = Action::Conflict;
            out.push(alarm);
            continue;
        }
        if held_version <= d.version {
            continue;
        }
        let Some(call) = ctx.register_call(c) else {
            continue;
        };
        let mut chain = ctx.history.chain.clone();
        chain.now = ctx.now;
        let mut op = Operation {
            operation: "refute",
            decision: Decision::Accepts,
            at: Some(ctx.now),
            version: Some(held_version),
            revert: None,
            reason: None,
            deadline: Some(d.timeout),
            effects: Vec::new(),
            call: Some(call.clone()),
            notes: Vec::new(),
        };
        match chain.call(call.target, &call.data) {
            Ok(fx) if chain.record(&key).version == held_version => op.effects = fx,
            Ok(fx) => {
                op.decision = Decision::NoChange;
                op.effects = fx;
                op.reason = Some("the call would leave the registered version as it is".into());
                alarm.action = Action::CannotRefute;
            }
            Err(e) => {
                op.decision = Decision::Rejects;
                op.revert = Some(crate::error::revert_name(&e));
                op.reason = Some(e.to_string());
                alarm.action = if d.phase == DISPUTE && ctx.now >= d.timeout {
                    Action::TooLate
                } else {
                    Action::CannotRefute
                };
            }
        }
        alarm.refutation = Some(op);
        out.push(alarm);
    }
    out
}

/// The destination of `call`.
///
/// # Errors
/// [`Error::Argument`] if the document names no address for its contract.
fn destination(call: &Call) -> Result<Address> {
    call.to.ok_or_else(|| {
        Error::Argument(format!(
            "the document names no address for the {:?}: set `contracts`",
            call.target
        ))
    })
}

/// Signs `call` with `signer` and sends it through `rpc`; returns the transaction hash.
///
/// The nonce is the sender's pending count, the gas limit the node's estimate plus a fifth,
/// the fee cap twice the node's gas price and the tip a tenth of it.
///
/// # Errors
/// [`Error::Argument`] if the document names no destination, [`Error::Rpc`] if a request
/// fails.
pub fn send(rpc: &Rpc, signer: &Signer, call: &Call, opts: SendOptions) -> Result<B256> {
    let to = destination(call)?;
    crate::node::send(rpc, signer, to, &call.data, U256::ZERO, opts)
}

/// The holders of the document's assets on its chain.
pub fn holders(doc: &Doc) -> Vec<Address> {
    let mut out = Vec::new();
    for c in &doc.channels {
        for h in &c.states {
            for a in &h.state().outcome.assets {
                if a.chainID == doc.chain_id
                    && !a.ethHolder.is_zero()
                    && !out.contains(&a.ethHolder)
                {
                    out.push(a.ethHolder);
                }
            }
        }
    }
    out
}

/// Every contract the document's calls reach on its chain: the Adjudicator, the registry, the
/// holders of its assets and the apps of its channels.
pub fn contracts_used(doc: &Doc) -> Vec<Address> {
    let mut out: Vec<Address> = doc.adjudicator.into_iter().chain(doc.registry).collect();
    let apps = doc.channels.iter().map(|c| c.params.app);
    for a in holders(doc).into_iter().chain(apps) {
        if !a.is_zero() && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// The contracts a refutation sent to `to` runs: `to`, and the registry when `to` is the
/// Adjudicator (it records virtual sub-channels there).
fn refutation_contracts(doc: &Doc, to: Address) -> Vec<Address> {
    let mut v = vec![to];
    if doc.adjudicator == Some(to) {
        v.extend(doc.registry);
    }
    v
}

/// What the watcher remembers from one poll to the next.
#[derive(Clone, Debug, Default)]
pub struct Memory {
    /// The registrations refuted: (channel ID, registered version).
    pub refuted: Vec<(B256, u64)>,
    /// Keepalives and activations sent and not mined yet.
    pub pending: Pending,
}

/// What one poll found and did.
#[derive(Clone, Debug)]
pub struct Poll {
    /// The Stylus programs among the contracts the document's calls reach.
    pub programs: Vec<ProgramCheck>,
    /// The stale registrations.
    pub alarms: Vec<Alarm>,
}

impl Poll {
    /// Whether all is well: every alarm is a refutation that was (or can be) sent and every
    /// program is usable.
    pub fn ok(&self) -> bool {
        self.alarms
            .iter()
            .all(|a| a.action == Action::Refute && a.blocked.is_none())
            && self.programs.iter().all(|p| p.usable)
    }
}

/// One poll of the watcher against `node` at `ctx.now`: keeps the Stylus programs the
/// document's calls reach usable ([`lifetime::upkeep`]), scans for stale registrations
/// ([`scan`]) and, with a `signer`, sends each refutation not sent before whose contracts are
/// usable (a refutation to a program that is not would fail and consume its gas).
///
/// # Errors
/// [`Error::Argument`] if a refutation has no destination, the node's errors.
pub fn poll<N: Node + ?Sized>(
    node: &N,
    ctx: &Context,
    signer: Option<&Signer>,
    policy: &Policy,
    memory: &mut Memory,
) -> Result<Poll> {
    let durations: Vec<U256> = ctx
        .doc
        .channels
        .iter()
        .map(|c| c.params.challengeDuration)
        .collect();
    let margin = lifetime::margin(policy.margin, &durations);
    let addresses = contracts_used(ctx.doc);
    let programs = lifetime::upkeep(
        node,
        &addresses,
        signer,
        policy,
        margin,
        &mut memory.pending,
    )?;
    let mut alarms = scan(ctx);
    for a in &mut alarms {
        let key = (a.channel_id, a.registered_version);
        let Some(call) = a.call().cloned() else {
            continue;
        };
        let to = destination(&call)?;
        let needs = refutation_contracts(ctx.doc, to);
        if let Some(p) = programs
            .iter()
            .find(|p| needs.contains(&p.address) && !p.usable)
        {
            a.blocked = Some(format!(
                "the Stylus program at {} is not usable ({}){}",
                p.address,
                serde_json::to_value(&p.status)
                    .ok()
                    .and_then(|v| v["status"].as_str().map(str::to_owned))
                    .unwrap_or_default(),
                p.note
                    .as_deref()
                    .map(|n| format!(": {n}"))
                    .unwrap_or_default()
            ));
            continue;
        }
        let Some(signer) = signer else { continue };
        if memory.refuted.contains(&key) {
            continue;
        }
        a.sent = Some(node.send(signer, to, &call.data, U256::ZERO)?);
        memory.refuted.push(key);
    }
    Ok(Poll { programs, alarms })
}

/// Parses a private key: 32 bytes of hex, `0x` optional.
///
/// # Errors
/// [`Error::Key`].
pub fn parse_key(s: &str) -> Result<Signer> {
    let s = s.trim();
    let digits = s.strip_prefix("0x").unwrap_or(s);
    let bytes: [u8; 32] = hex::decode(digits)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or(Error::Key)?;
    Signer::from_bytes(&bytes).map_err(|_| Error::Key)
}

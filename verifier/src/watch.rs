//! The watcher: finds registrations of states older than the ones a party holds, builds the
//! refutation before the timeout, and (with a key and an endpoint) sends it.

use crate::calldata::Call;
use crate::chain::phase_name;
use crate::error::{Error, Result};
use crate::predict::{Context, Decision, Operation};
use crate::rpc::Rpc;
use crate::tx::TxRequest;
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

/// Fees and gas for a transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct SendOptions {
    /// Send legacy transactions instead of EIP-1559 ones.
    pub legacy: bool,
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
    let to: Address = call.to.ok_or_else(|| {
        Error::Argument(format!(
            "the document names no address for the {:?}: set `contracts`",
            call.target
        ))
    })?;
    let from = signer.address();
    let chain_id = rpc.chain_id()?;
    let nonce = rpc.nonce(from)?;
    let price = rpc.gas_price()?;
    let gas = rpc.estimate_gas(from, to, &call.data)?;
    let tx = TxRequest {
        chain_id,
        nonce,
        max_priority_fee_per_gas: (price / U256::from(10)).max(U256::from(1)),
        max_fee_per_gas: price.saturating_mul(U256::from(2)),
        gas_limit: gas.saturating_add(gas / 5),
        to,
        value: U256::ZERO,
        data: call.data.clone(),
        legacy: opts.legacy,
    };
    let signed = tx.sign(signer);
    let hash = rpc.send_raw_transaction(&signed.raw)?;
    Ok(hash)
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

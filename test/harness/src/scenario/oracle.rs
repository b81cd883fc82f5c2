//! The verifier beside the run: `perun-verifier`'s model of the contracts (its `chain` module)
//! predicts every call it models (`register`, `progress`, `conclude`, `concludeFinal`, the
//! registry's `register` and `conclude`, `withdraw`) from the calldata alone, and the prediction
//! must match what both implementations did: success or the exact revert data, the
//! `ChannelUpdate`, `OutcomeSet` and `Withdrawn` events in order, and afterwards every dispute
//! record, holdings entry and settled flag the scenario touches.
//!
//! The model has no `deposit`. ETH deposits are predicted here by SPEC section 4 (the value must
//! be the amount; the holdings must not overflow; one `Deposited` event with the amount), then
//! credited to the model. ERC20 deposits, whose credit depends on the token, are credited from
//! the holder's `Deposited` events, as the verifier does with events read from a chain. What the model
//! states it cannot see is decided here, each by a rule of its own that is counted:
//! - value sent to a non-payable function, and a malformed ABI envelope ([`super::envelope`]):
//!   an empty revert, before any check the model makes;
//! - the app's `validTransition` (the model assumes it accepts): the trivial app accepts, the
//!   counter app's rules are those of `CounterApp.sol`;
//! - the token (the model assumes transfers succeed): a token that returns false, reverts, or
//!   re-enters the holder fails the holder's transfer with `TokenTransferFailed`;
//! - the receiver of ETH (the model assumes it accepts): a contract without a payable fallback
//!   fails it with `EthTransferFailed`; the reentrant receiver accepts, and the first time it
//!   is paid while armed, re-submits its armed call to the ETH holder, whose guard refuses it
//!   with `Reentrancy` (which the receiver records: the comparison reads it back);
//! - code (the model assumes every holder a state names has code): pushing an outcome to a
//!   holder of this chain without code fails with `NoContractCode`. The model checks a row's
//!   length before the push, as the contracts check it before the code; what it checks at the
//!   push itself (`setOutcome`) the contracts never reach, so this rule is exact as long as the
//!   model's `setOutcome` at such a holder would accept, as it does for every row the
//!   generator builds (a mismatch would fail the comparison, never pass it).

use super::envelope::{self, Arg};
use crate::ops::Call;
use crate::world::Addresses;
use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::dispute::Dispute;
use perun_channel::sol::Channel;
use perun_engine::chain::Outcome;
use perun_verifier::calldata::{self as vc, Target};
use perun_verifier::chain::{Chain, Effect};
use std::collections::BTreeMap;

/// The selector of a custom error without arguments.
pub fn error_selector(name: &str) -> [u8; 4] {
    let h = keccak256(format!("{name}()"));
    [h[0], h[1], h[2], h[3]]
}

/// An event the comparison looks at, as both the chain's logs and the model's effects give it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Event {
    Update {
        contract: Address,
        id: B256,
        version: u64,
        phase: u8,
        timeout: u64,
    },
    OutcomeSet {
        holder: Address,
        id: B256,
    },
    Withdrawn {
        holder: Address,
        fid: B256,
        amount: U256,
        receiver: Address,
    },
}

fn topic(sig: &str) -> B256 {
    keccak256(sig)
}

fn word(data: &[u8], i: usize) -> U256 {
    data.get(32 * i..32 * i + 32)
        .map_or(U256::MAX, U256::from_be_slice)
}

fn events_of_logs(logs: &[Log], at: &Addresses) -> Vec<Event> {
    let update = topic("ChannelUpdate(bytes32,uint64,uint8,uint64)");
    let outcome = topic("OutcomeSet(bytes32)");
    let withdrawn = topic("Withdrawn(bytes32,uint256,address)");
    let mut out = Vec::new();
    for log in logs {
        let topics = log.topics();
        let (Some(t0), Some(t1)) = (topics.first(), topics.get(1)) else {
            continue;
        };
        let d = &log.data.data;
        let holder = log.address == at.eth_holder || log.address == at.erc20_holder;
        if *t0 == update && (log.address == at.adjudicator || log.address == at.registry) {
            out.push(Event::Update {
                contract: log.address,
                id: *t1,
                version: word(d, 0).saturating_to(),
                phase: word(d, 1).saturating_to(),
                timeout: word(d, 2).saturating_to(),
            });
        } else if *t0 == outcome && holder {
            out.push(Event::OutcomeSet {
                holder: log.address,
                id: *t1,
            });
        } else if *t0 == withdrawn && holder {
            out.push(Event::Withdrawn {
                holder: log.address,
                fid: *t1,
                amount: word(d, 0),
                receiver: Address::from_word(B256::from(word(d, 1))),
            });
        }
    }
    out
}

fn events_of_effects(fx: &[Effect], at: &Addresses) -> Vec<Event> {
    fx.iter()
        .map(|e| match e {
            Effect::ChannelUpdate {
                contract,
                channel_id,
                version,
                phase,
                timeout,
            } => Event::Update {
                contract: match contract {
                    Target::Registry => at.registry,
                    Target::Adjudicator => at.adjudicator,
                    Target::Holder(h) => *h,
                },
                id: *channel_id,
                version: *version,
                phase: *phase,
                timeout: *timeout,
            },
            Effect::OutcomeSet {
                holder, channel_id, ..
            } => Event::OutcomeSet {
                holder: *holder,
                id: *channel_id,
            },
            Effect::Withdrawn {
                holder,
                funding_id,
                amount,
                receiver,
            } => Event::Withdrawn {
                holder: *holder,
                fid: *funding_id,
                amount: *amount,
                receiver: *receiver,
            },
        })
        .collect()
}

/// What the comparison expects of a call.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Expect {
    /// Success with these events.
    Success(Vec<Event>),
    /// A revert with this data.
    Revert(Vec<u8>),
}

/// What the harness knows of the reentrant receiver ([`super::compile::reentrant_receiver`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Receiver {
    /// The call it sends to the ETH holder when first paid (empty: none).
    call: Vec<u8>,
    /// Whether it reverts with the inner call's revert data when that call fails.
    bubble: bool,
    /// Whether it sent its call (`attempted()`).
    attempted: bool,
    /// The inner call's revert data it recorded (`innerData()`).
    inner: Vec<u8>,
    /// Whether the last call made it re-enter the holder.
    reentered: bool,
}

/// The verifier's model and what it needs beside it.
#[derive(Clone, Debug)]
pub struct Oracle {
    model: Chain,
    at: Addresses,
    token_mode: u8,
    callback: Address,
    receiver: Receiver,
    /// How often each kind of decision was made (`predicted success`, `envelope`, ...).
    pub counts: BTreeMap<&'static str, u64>,
}

impl Oracle {
    /// A model of freshly deployed contracts at `at`, at block time `now`.
    pub fn new(at: Addresses, now: u64) -> Self {
        Oracle {
            model: Chain::new(U256::from(crate::world::CHAIN_ID), now),
            at,
            token_mode: 0,
            callback: Address::ZERO,
            receiver: Receiver::default(),
            counts: BTreeMap::new(),
        }
    }

    /// What the reentrant receiver's `innerData()` must return now: the revert data of the
    /// inner call it recorded, ABI-encoded as `bytes`.
    pub fn receiver_inner_data(&self) -> Vec<u8> {
        Bytes::copy_from_slice(&self.receiver.inner).abi_encode()
    }

    /// What the reentrant receiver's `attempted()` must return now, ABI-encoded.
    pub fn receiver_attempted(&self) -> Vec<u8> {
        self.receiver.attempted.abi_encode()
    }

    /// The revert data of the inner call the reentrant receiver recorded during the last call
    /// checked, if it re-entered a holder then.
    pub fn reentered(&self) -> Option<&[u8]> {
        self.receiver
            .reentered
            .then_some(self.receiver.inner.as_slice())
    }

    fn count(&mut self, what: &'static str) {
        *self.counts.entry(what).or_default() += 1;
    }

    fn modeled(&self, to: Address, sel: [u8; 4]) -> Option<(Target, &'static [Arg])> {
        let at = &self.at;
        if to == at.adjudicator {
            match sel {
                vc::REGISTER => Some((Target::Adjudicator, envelope::REGISTER)),
                vc::PROGRESS => Some((Target::Adjudicator, envelope::PROGRESS)),
                vc::CONCLUDE | vc::CONCLUDE_FINAL => {
                    Some((Target::Adjudicator, envelope::CONCLUDE))
                }
                _ => None,
            }
        } else if to == at.registry {
            match sel {
                vc::REGISTRY_REGISTER => Some((Target::Registry, envelope::REGISTRY_REGISTER)),
                vc::REGISTRY_CONCLUDE => Some((Target::Registry, envelope::REGISTRY_CONCLUDE)),
                _ => None,
            }
        } else if (to == at.eth_holder || to == at.erc20_holder) && sel == vc::WITHDRAW {
            Some((Target::Holder(to), envelope::WITHDRAW))
        } else {
            None
        }
    }

    /// Checks `call`, which both implementations ran with the same `outcome` at block time
    /// `now`; `has_code(a)` says whether account `a` has code. Updates the model.
    ///
    /// # Errors
    /// What the model predicted and what the contracts did, when they differ.
    pub fn check(
        &mut self,
        call: &Call,
        outcome: &Outcome,
        now: u64,
        has_code: impl Fn(Address) -> bool,
    ) -> Result<(), String> {
        let (to, data, value) = (call.to, call.data.as_slice(), call.value);
        self.model.now = now;
        self.receiver.reentered = false;
        let sel: Option<[u8; 4]> = data.get(..4).and_then(|s| s.try_into().ok());
        let at = self.at;
        if to == at.token {
            self.token_call(data, outcome);
            return Ok(());
        }
        if to == super::compile::reentrant_receiver() {
            self.receiver_call(data, outcome);
            return Ok(());
        }
        let Some(sel) = sel else {
            self.count("not modeled");
            return Ok(());
        };
        if to == at.eth_holder && Some(sel) == abi_deposit() && data.len() == 68 {
            return self.eth_deposit(data, value, outcome);
        }
        if (to == at.eth_holder || to == at.erc20_holder) && Some(sel) == abi_deposit() {
            if outcome.success {
                self.mirror_deposits(to, &outcome.logs);
                self.count("deposit mirrored");
            }
            return Ok(());
        }
        let Some((target, shape)) = self.modeled(to, sel) else {
            self.count("not modeled");
            return Ok(());
        };
        let expect = if !value.is_zero() {
            self.count("value to a non-payable function: empty revert");
            Expect::Revert(Vec::new())
        } else if !envelope::passes(&data[4..], shape) {
            self.count("malformed envelope: empty revert");
            Expect::Revert(Vec::new())
        } else {
            let before = self.model.clone();
            match self.model.call(target, data) {
                Err(e) => {
                    self.count("predicted revert");
                    Expect::Revert(e.selector().to_vec())
                }
                Ok(fx) => {
                    let receiver = self.receiver.clone();
                    match self.outside(sel, target, data, &fx, &has_code) {
                        Some(err) => {
                            self.model = before;
                            self.receiver = receiver;
                            Expect::Revert(err)
                        }
                        None => {
                            self.count("predicted success");
                            Expect::Success(events_of_effects(&fx, &at))
                        }
                    }
                }
            }
        };
        let actual = if outcome.success {
            Expect::Success(events_of_logs(&outcome.logs, &at))
        } else {
            Expect::Revert(outcome.output.to_vec())
        };
        if actual == expect {
            Ok(())
        } else {
            Err(format!(
                "the verifier's model predicted {} but the contracts {}",
                describe(&expect),
                describe(&actual)
            ))
        }
    }

    /// The decisions outside the model for a call the model accepted: the revert data if one
    /// of them refuses it.
    fn outside(
        &mut self,
        sel: [u8; 4],
        target: Target,
        data: &[u8],
        fx: &[Effect],
        has_code: &impl Fn(Address) -> bool,
    ) -> Option<Vec<u8>> {
        let at = self.at;
        let codeless = fx
            .iter()
            .any(|e| matches!(e, Effect::OutcomeSet { holder, .. } if !has_code(*holder)));
        if codeless {
            self.count("code rule: an outcome pushed to a holder without code");
            return Some(error_selector("NoContractCode").to_vec());
        }
        if sel == vc::PROGRESS {
            let decoded =
                <(Channel::Params, Channel::State, Channel::State, U256, Bytes)>::abi_decode_params(
                    &data[4..],
                );
            let Ok((params, from, to, actor, _)) = decoded else {
                self.count("app rule: undecodable calldata, assumed to accept");
                return None;
            };
            if params.app == at.trivial_app {
                self.count("app rule: trivial app accepts");
                return None;
            }
            if params.app == at.counter_app {
                self.count("app rule: counter app");
                return counter_app(&params, &from, &to, actor);
            }
            self.count("app rule: unknown app, assumed to accept");
            return None;
        }
        if let Target::Holder(h) = target {
            if h == at.erc20_holder {
                let fails = self.token_mode == 2
                    || self.token_mode == 3
                    || self.callback == at.erc20_holder;
                if fails {
                    self.count("token rule: the transfer fails");
                    return Some(error_selector("TokenTransferFailed").to_vec());
                }
            } else {
                let reentrant = super::compile::reentrant_receiver();
                let paid = |r: &Address| {
                    fx.iter()
                        .any(|e| matches!(e, Effect::Withdrawn { receiver, .. } if receiver == r))
                };
                if paid(&reentrant) {
                    let r = &mut self.receiver;
                    if r.attempted || r.call.is_empty() {
                        self.count("receiver rule: the reentrant receiver accepts ETH");
                        return None;
                    }
                    // Its call goes to the ETH holder, whose withdrawal is running: the guard
                    // refuses it before anything else.
                    let inner = error_selector("Reentrancy").to_vec();
                    if r.bubble {
                        self.count("receiver rule: the re-entry refused, bubbled by the receiver");
                        return Some(error_selector("EthTransferFailed").to_vec());
                    }
                    r.attempted = true;
                    r.inner = inner;
                    r.reentered = true;
                    self.count("receiver rule: the re-entry refused with Reentrancy, recorded");
                    return None;
                }
                let to_contract = fx.iter().any(
                    |e| matches!(e, Effect::Withdrawn { receiver, .. } if has_code(*receiver)),
                );
                if to_contract {
                    self.count("receiver rule: a contract refuses ETH");
                    return Some(error_selector("EthTransferFailed").to_vec());
                }
            }
        }
        None
    }

    /// A call to the reentrant receiver: `arm(call, bubble)` sets what it does when paid.
    fn receiver_call(&mut self, data: &[u8], outcome: &Outcome) {
        if !outcome.success
            || data.get(..4) != Some(super::compile::receiver_selector("arm").as_slice())
        {
            return;
        }
        if let Ok((call, bubble)) = <(Bytes, bool)>::abi_decode_params(&data[4..]) {
            self.receiver.call = call.to_vec();
            self.receiver.bubble = bubble;
        }
    }

    fn token_call(&mut self, data: &[u8], outcome: &Outcome) {
        if !outcome.success || data.len() < 36 {
            return;
        }
        let sel = &data[..4];
        if sel == super::compile::token_selector("setMode") {
            self.token_mode = word(&data[4..], 0).saturating_to();
        } else if sel == super::compile::token_selector("setCallback") {
            self.callback = Address::from_word(B256::from(word(&data[4..], 0)));
        }
    }

    /// An ETH deposit, predicted by SPEC section 4 (the verifier's model has no `deposit`):
    /// `WrongDepositValue` unless the value sent is the amount, `BalanceOverflow` if the
    /// holdings would pass 2^256 - 1, else one `Deposited(fundingID, amount)` event and the
    /// amount credited.
    fn eth_deposit(&mut self, data: &[u8], value: U256, outcome: &Outcome) -> Result<(), String> {
        let holder = self.at.eth_holder;
        let fid = B256::from_slice(&data[4..36]);
        let amount = U256::from_be_slice(&data[36..68]);
        let revert = if value != amount {
            Some("WrongDepositValue")
        } else if self
            .model
            .holdings(&holder, &fid)
            .checked_add(amount)
            .is_none()
        {
            Some("BalanceOverflow")
        } else {
            None
        };
        self.count("ETH deposit predicted");
        match (revert, outcome.success) {
            (Some(e), false) if outcome.output.as_ref() == error_selector(e) => Ok(()),
            (None, true) => {
                let deposited = topic("Deposited(bytes32,uint256)");
                let ours: Vec<&Log> = outcome
                    .logs
                    .iter()
                    .filter(|l| l.address == holder && l.topics().first() == Some(&deposited))
                    .collect();
                let one = ours.len() == 1
                    && ours[0].topics().get(1) == Some(&fid)
                    && word(&ours[0].data.data, 0) == amount;
                if !one {
                    return Err(format!(
                        "the verifier expected one Deposited({fid}, {amount}) event, the \
                         contracts emitted {ours:?}"
                    ));
                }
                self.model.deposit(holder, fid, amount);
                Ok(())
            }
            (e, _) => Err(format!(
                "the rule for ETH deposits predicted {} but the contracts {}",
                e.map_or_else(|| "success".to_string(), |e| format!("a revert with {e}")),
                if outcome.success {
                    "succeeded".to_string()
                } else {
                    format!(
                        "reverted with {}",
                        super::coverage::error_name(&outcome.output)
                    )
                }
            )),
        }
    }

    fn mirror_deposits(&mut self, holder: Address, logs: &[Log]) {
        let deposited = topic("Deposited(bytes32,uint256)");
        for log in logs {
            let topics = log.topics();
            if log.address == holder && topics.first() == Some(&deposited) {
                if let Some(fid) = topics.get(1) {
                    self.model.deposit(holder, *fid, word(&log.data.data, 0));
                }
            }
        }
    }

    /// The model's record of `id` as the Adjudicator's `disputes` returns it (its own record,
    /// else the registry's).
    pub fn adjudicator_record(&self, id: &B256) -> Dispute {
        self.model.record(id)
    }

    /// The model's record of `id` in the registry.
    pub fn registry_record(&self, id: &B256) -> Dispute {
        self.model.registry.get(id).copied().unwrap_or_default()
    }

    /// The model's holdings of `id` at `holder`.
    pub fn holdings(&self, holder: &Address, id: &B256) -> U256 {
        self.model.holdings(holder, id)
    }

    /// Whether the model has `id` settled at `holder`.
    pub fn settled(&self, holder: &Address, id: &B256) -> bool {
        self.model.settled(holder, id)
    }
}

fn abi_deposit() -> Option<[u8; 4]> {
    Some(crate::abi::sel().deposit)
}

fn describe(e: &Expect) -> String {
    match e {
        Expect::Success(ev) => format!("success with events {ev:?}"),
        Expect::Revert(d) if d.is_empty() => "a revert with empty data".into(),
        Expect::Revert(d) => format!(
            "a revert with {} (0x{})",
            super::coverage::error_name(d),
            alloy_primitives::hex::encode(d)
        ),
    }
}

/// Solidity's `Panic(uint256)` revert data with `code`.
fn panic_data(code: u8) -> Vec<u8> {
    let mut d = vec![0x4e, 0x48, 0x7b, 0x71];
    d.extend_from_slice(&U256::from(code).to_be_bytes::<32>());
    d
}

/// `CounterApp.validTransition`: the revert data it reverts with, if it does (its custom
/// errors, or solc's panics for a modulo by zero and an index out of bounds, which the
/// Adjudicator's own checks make unreachable but which are modelled all the same).
fn counter_app(
    params: &Channel::Params,
    from: &Channel::State,
    to: &Channel::State,
    actor: U256,
) -> Option<Vec<u8>> {
    let err = |name: &str| Some(error_selector(name).to_vec());
    let n = params.participants.len() as u64;
    if n == 0 {
        return Some(panic_data(0x12));
    }
    if actor != U256::from(from.version % n) {
        return err("NotYourTurn");
    }
    if from.appData.len() != 32 || to.appData.len() != 32 {
        return err("InvalidAppData");
    }
    let counter = U256::from_be_slice(&from.appData);
    if counter == U256::MAX || U256::from_be_slice(&to.appData) != counter + U256::from(1) {
        return err("InvalidAppData");
    }
    let (a, b) = (&from.outcome.balances, &to.outcome.balances);
    for (i, row) in a.iter().enumerate() {
        let Some(other) = b.get(i) else {
            return Some(panic_data(0x32));
        };
        // Rows of other lengths, or other values: both `BalancesChanged`.
        if row != other {
            return err("BalancesChanged");
        }
    }
    None
}

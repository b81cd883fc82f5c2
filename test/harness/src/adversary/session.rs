//! One adversarial scenario in progress on a pair of worlds: what every party knows (the
//! off-chain states, what the chain showed), every transaction sent (to both worlds through
//! [`Pair`], so a difference between the implementations stops the scenario), and the log of
//! what happened, for the report.
//!
//! Knowledge:
//! - honest parties know the latest fully signed state of every channel they are in (or the
//!   state force-executed from it), and the funding state of every sub-channel their channels
//!   lock (an intermediary: the virtual channel's funding state);
//! - adversaries know every state ever signed and sign anything a channel of adversaries only
//!   can sign;
//! - everybody sees every successful transaction: its calldata (the signed states in it, with
//!   their signatures) and its logs (`ChannelUpdate`, `OutcomeSet`, `Withdrawn`). Which state a
//!   `ChannelUpdate` recorded is found among the states of that transaction's calldata by
//!   channel ID and version: the scenario never reads a dispute record by channel ID.

use super::coverage::Tally;
use super::plan::{Kind, Plan};
use super::raw::{self, ParamsVal, SignedVal, StateVal};
use super::rng::Rng;
use super::topology::{Role, Topology};
use crate::abi;
use crate::build::AssetKind;
use crate::pair::{Divergence, Pair};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use perun_channel::hash::funding_id;
use perun_channel::native::Signer;
use perun_channel::sol::Channel;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::sync::OnceLock;

/// `ChannelUpdate` phases.
pub const DISPUTE: u8 = 0;
/// Force-execution.
pub const FORCEEXEC: u8 = 1;
/// Concluded.
pub const CONCLUDED: u8 = 2;

/// A `ChannelUpdate` seen in a transaction's logs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    /// The contract that emitted it.
    pub contract: Address,
    /// The channel ID (the event's indexed topic).
    pub id: B256,
    /// The version.
    pub version: u64,
    /// The phase.
    pub phase: u8,
    /// The timeout.
    pub timeout: u64,
}

/// What an observer knows of one `ChannelUpdate`: the event and, for a registration or
/// force-execution, the state of the transaction's calldata it recorded.
#[derive(Clone, Debug)]
pub struct Observed {
    /// The event.
    pub update: Update,
    /// The state recorded (none for a conclusion, or if none in the calldata matches).
    pub state: Option<StateVal>,
    /// The block time.
    pub time: u64,
}

/// A fake parent an adversary built: a ledger channel of adversaries only.
#[derive(Clone, Debug)]
pub struct Fake {
    /// Its members (parties).
    pub members: Vec<usize>,
    /// Its params as sent.
    pub params: ParamsVal,
    /// Its channel ID as the contracts compute it.
    pub id: B256,
    /// The state it was registered with.
    pub state: StateVal,
}

/// Who sends a transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// Opening the channels.
    Setup,
    /// An adversary's action of this kind.
    Adversary(Kind),
    /// An honest party.
    Honest(usize),
}

/// The result of a transaction.
#[derive(Clone, Debug)]
pub struct Sent {
    /// Whether it succeeded.
    pub ok: bool,
    /// The error's name, empty on success.
    pub error: String,
    /// Its `ChannelUpdate` events.
    pub updates: Vec<Update>,
}

/// A transaction to send.
#[derive(Clone, Debug)]
pub struct Tx {
    /// What it is, for the log.
    pub label: String,
    /// The sender.
    pub from: Address,
    /// The contract.
    pub to: Address,
    /// The calldata.
    pub data: Vec<u8>,
    /// The ETH sent.
    pub value: U256,
    /// The signed states in the calldata (registrations).
    pub signed: Vec<SignedVal>,
    /// The other states in the calldata (force-execution).
    pub states: Vec<StateVal>,
    /// Whether a hashed struct in it is laid out non-canonically.
    pub non_canonical: bool,
}

impl Tx {
    /// A transaction without states.
    pub fn plain(label: String, from: Address, to: Address, data: Vec<u8>, value: U256) -> Self {
        Tx {
            label,
            from,
            to,
            data,
            value,
            signed: Vec::new(),
            states: Vec::new(),
            non_canonical: false,
        }
    }
}

/// A non-canonical call that succeeded.
#[derive(Clone, Debug)]
pub struct Accepted {
    /// The transaction's label.
    pub label: String,
}

/// A scenario in progress.
pub struct Session<'p> {
    pub(super) pair: &'p mut Pair,
    /// The channels.
    pub topo: Topology,
    /// Who is an adversary.
    pub corrupt: Vec<bool>,
    /// Every fully signed state of each channel, in version order (version 0 first).
    pub(super) signed: Vec<Vec<Channel::State>>,
    /// The latest state of each channel its honest members accepted: fully signed, or
    /// force-executed from their latest.
    pub(super) latest: Vec<StateVal>,
    /// States adversaries signed alone (channels of adversaries only), per channel.
    pub(super) forged: Vec<Vec<SignedVal>>,
    /// Signed states seen in successful transactions, by the hash the contracts compute.
    pub(super) seen: HashMap<B256, SignedVal>,
    /// Every `ChannelUpdate` seen, per channel ID, in order.
    pub(super) observed: HashMap<B256, Vec<Observed>>,
    /// `OutcomeSet` seen: (holder, channel ID).
    pub(super) settled: BTreeSet<(Address, B256)>,
    /// `Withdrawn` seen: (holder, funding ID, amount, receiver).
    pub(super) withdrawals: Vec<(Address, B256, U256, Address)>,
    /// Withdrawal calls sent (for replays): (holder, calldata).
    pub(super) withdraw_calls: Vec<(Address, Vec<u8>)>,
    /// Fake parents registered.
    pub(super) fakes: Vec<Fake>,
    /// What each party deposited, per asset.
    pub(super) deposited: Vec<Vec<U256>>,
    /// The last amount by which an adversary inflated a forged state.
    pub(super) inflation: U256,
    /// Non-canonical calls that succeeded.
    pub(super) accepted: Vec<Accepted>,
    /// Honest transactions that reverted: (party, label, error, whether a front-run came first).
    pub(super) honest_reverts: Vec<(usize, String, String, bool)>,
    /// What happened, one line per transaction or step.
    pub log: Vec<String>,
    /// Notes on notable successes (a hole's footprint), for the report.
    pub tags: BTreeSet<String>,
    /// Counts.
    pub tally: Tally,
    pub(super) front: VecDeque<super::plan::Act>,
    pub(super) front_rng: Rng,
    pub(super) in_front_run: bool,
    /// How deep honest reactions are nested: a reaction's own transactions are watched too, as a
    /// watcher sees every registration, bounded so reactions end.
    pub(super) reacting: u32,
    pub(super) final_phase: bool,
    /// The block time at which the honest parties' final registrations ended.
    pub(super) final_registration: Option<u64>,
    pub(super) initial_balances: Vec<Vec<U256>>,
    /// Each party's signer.
    pub(super) signers: Vec<Signer>,
    /// Signatures of every participant on history states: (channel, hash) to signatures.
    pub(super) sig_cache: RefCell<HashMap<(usize, B256), Vec<Bytes>>>,
}

/// The name of the custom error revert data `data` carries, from the errors the mirrors'
/// build output declares (so errors added to the contracts are named too), else as the
/// differential harness names it.
pub fn error_name(data: &[u8]) -> String {
    static NAMES: OnceLock<BTreeMap<[u8; 4], String>> = OnceLock::new();
    let names = NAMES.get_or_init(|| {
        let mut m = BTreeMap::new();
        for c in [
            "Adjudicator",
            "VirtualChannelRegistry",
            "AssetHolderETH",
            "AssetHolderERC20",
            "CounterApp",
        ] {
            let path = crate::artifacts::out_dir().join(format!("{c}.sol/{c}.json"));
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
                continue;
            };
            for e in json["abi"].as_array().into_iter().flatten() {
                if e["type"] != "error" {
                    continue;
                }
                let (Some(name), Some(inputs)) = (e["name"].as_str(), e["inputs"].as_array())
                else {
                    continue;
                };
                let types: Vec<&str> = inputs.iter().filter_map(|i| i["type"].as_str()).collect();
                let h = keccak256(format!("{name}({})", types.join(",")));
                m.insert([h[0], h[1], h[2], h[3]], name.to_string());
            }
        }
        m
    });
    data.get(..4)
        .and_then(|s| <[u8; 4]>::try_from(s).ok())
        .and_then(|s| names.get(&s).cloned())
        .unwrap_or_else(|| crate::scenario::coverage::error_name(data))
}

/// The `ChannelUpdate` event's topic.
pub fn update_topic() -> B256 {
    keccak256("ChannelUpdate(bytes32,uint64,uint8,uint64)")
}

fn word(data: &[u8], i: usize) -> U256 {
    data.get(32 * i..32 * i + 32)
        .map_or(U256::MAX, U256::from_be_slice)
}

/// The per-asset sums of a state's balances and locked amounts, `None` if a row or locked entry
/// is shorter than the asset list or a sum overflows.
pub fn totals(s: &Channel::State) -> Option<Vec<U256>> {
    let o = &s.outcome;
    (0..o.assets.len())
        .map(|a| {
            let mut sum = U256::ZERO;
            for v in o.balances.get(a)? {
                sum = sum.checked_add(*v)?;
            }
            for l in &o.locked {
                sum = sum.checked_add(*l.balances.get(a)?)?;
            }
            Some(sum)
        })
        .collect()
}

impl<'p> Session<'p> {
    /// A scenario of `plan` on `pair` (freshly restored): nothing sent yet.
    pub fn new(pair: &'p mut Pair, plan: &Plan) -> Self {
        let topo = plan.topology.clone();
        let n = topo.nodes.len();
        let signed: Vec<Vec<Channel::State>> =
            (0..n).map(|c| vec![topo.initial_state(c)]).collect();
        let latest = signed
            .iter()
            .map(|v| StateVal::canonical(v[0].clone()))
            .collect();
        let parties = topo.parties.len();
        let assets = topo.assets.len();
        let mut tally = Tally {
            scenarios: 1,
            ..Tally::default()
        };
        *tally.shapes.entry(topo.shape.name()).or_default() += 1;
        let mut s = Session {
            pair,
            corrupt: plan.corrupt.clone(),
            signed,
            latest,
            forged: vec![Vec::new(); n],
            seen: HashMap::new(),
            observed: HashMap::new(),
            settled: BTreeSet::new(),
            withdrawals: Vec::new(),
            withdraw_calls: Vec::new(),
            fakes: Vec::new(),
            deposited: vec![vec![U256::ZERO; assets]; parties],
            inflation: U256::from(1),
            accepted: Vec::new(),
            honest_reverts: Vec::new(),
            log: Vec::new(),
            tags: BTreeSet::new(),
            tally,
            front: plan.front_runs.iter().copied().collect(),
            front_rng: Rng::new(plan.front_seed),
            in_front_run: false,
            reacting: 0,
            final_phase: false,
            final_registration: None,
            initial_balances: Vec::new(),
            signers: topo.parties.iter().map(|p| p.signer()).collect(),
            sig_cache: RefCell::new(HashMap::new()),
            topo,
        };
        s.initial_balances = (0..parties).map(|p| s.balances_of(p)).collect();
        s
    }

    /// Where everything lives.
    pub fn at(&self) -> crate::world::Addresses {
        self.topo.addresses()
    }

    /// The honest parties.
    pub fn honest(&self) -> Vec<usize> {
        (0..self.corrupt.len())
            .filter(|&p| !self.corrupt[p])
            .collect()
    }

    /// The adversaries.
    pub fn adversaries(&self) -> Vec<usize> {
        (0..self.corrupt.len())
            .filter(|&p| self.corrupt[p])
            .collect()
    }

    /// Whether every participant of channel `node` is an adversary.
    pub fn all_adversaries(&self, node: usize) -> bool {
        self.topo.all_in(node, &self.corrupt)
    }

    /// The address of party `p`.
    pub fn address_of(&self, p: usize) -> Address {
        self.topo.parties[p].address()
    }

    /// Records that an adversary action of `kind` was chosen.
    pub fn chosen(&mut self, kind: Kind) {
        self.tally
            .actions
            .entry(format!("{kind:?}"))
            .or_default()
            .chosen += 1;
    }

    /// The party's name.
    pub fn name(&self, p: usize) -> String {
        self.topo.parties[p].name.clone()
    }

    /// The current block time.
    pub fn now(&self) -> u64 {
        self.pair.solidity.chain.timestamp()
    }

    /// Moves time forward.
    pub fn advance(&mut self, dt: u64) {
        self.pair.advance(dt);
        self.log
            .push(format!("advance {dt} s (now {})", self.now()));
    }

    /// A party's ETH and token balances, per asset of the topology.
    pub fn balances_of(&mut self, p: usize) -> Vec<U256> {
        let who = self.topo.parties[p].address();
        let at = self.at();
        let assets = self.topo.assets.clone();
        assets
            .iter()
            .map(|a| match a {
                AssetKind::Eth => self.pair.solidity.chain.balance(who),
                AssetKind::Erc20 => self
                    .pair
                    .view("balanceOf", at.token, abi::balance_of(who))
                    .map_or(U256::ZERO, |o| word(&o, 0)),
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------------
    // Opening and off-chain updates
    // -----------------------------------------------------------------------------------------

    /// Every participant of every ledger channel deposits exactly its share (the funding state
    /// with its sub-channels' funding states folded in).
    ///
    /// # Errors
    /// A divergence between the implementations.
    pub fn open(&mut self) -> Result<(), Divergence> {
        self.log.push(format!("topology: {}", self.topo.describe()));
        let roots = self.topo.roots.clone();
        for r in roots {
            let dep = self.topo.deposits(r);
            for (a, row) in dep.iter().enumerate() {
                for (i, &amount) in row.iter().enumerate() {
                    if amount.is_zero() {
                        continue;
                    }
                    let p = self.topo.nodes[r].members[i];
                    let fid = self.topo.nodes[r].chan.funding_id(i);
                    let sent = self.deposit(Actor::Setup, p, r, a, fid, amount)?;
                    if !sent.ok {
                        // Opening deposits of exact amounts never fail; if one does, the
                        // scenario's accounting would be off, so say so loudly.
                        panic!("opening deposit failed: {}", sent.error);
                    }
                    self.deposited[p][a] += amount;
                }
            }
        }
        Ok(())
    }

    /// `p` deposits `amount` of asset `a` for `fid` (of channel `node`, for the log).
    pub(super) fn deposit(
        &mut self,
        actor: Actor,
        p: usize,
        node: usize,
        a: usize,
        fid: B256,
        amount: U256,
    ) -> Result<Sent, Divergence> {
        let kind = self.topo.assets[a];
        let at = self.at();
        let value = if kind == AssetKind::Eth {
            amount
        } else {
            U256::ZERO
        };
        let id = self.topo.nodes[node].chan.id;
        let whose = if fid == id {
            "the channel ID".to_string()
        } else {
            (0..self.topo.parties.len())
                .find(|&q| self.fid(id, q) == fid)
                .map_or_else(|| fid.to_string(), |q| self.name(q))
        };
        let label = format!(
            "{} deposits {} {kind:?} into {} for {whose}",
            self.name(p),
            show_amount(amount),
            self.topo.nodes[node].name,
        );
        let tx = Tx::plain(
            label,
            self.topo.parties[p].address(),
            kind.holder(&at),
            abi::deposit(fid, amount),
            value,
        );
        self.send(actor, tx)
    }

    /// An off-chain update of channel `node` to `balances`, signed by all its participants.
    pub fn update(&mut self, node: usize, balances: Vec<Vec<U256>>) {
        let v = self.signed[node].last().map_or(0, |s| s.version) + 1;
        let s = self.topo.state(node, v, balances);
        self.log.push(format!(
            "off chain: {} v{v} {}",
            self.topo.nodes[node].name,
            show_balances(&s)
        ));
        self.signed[node].push(s.clone());
        self.latest[node] = StateVal::canonical(s);
    }

    /// A random update: `node` picked modulo the channels, balances redistributed per asset.
    pub fn random_update(&mut self, u: &super::plan::Update) {
        let node = (u.node % self.topo.nodes.len() as u64) as usize;
        let mut rng = Rng::new(u.seed);
        let cur = self.latest[node].state.outcome.balances.clone();
        let bals = cur.iter().map(|row| redistribute(&mut rng, row)).collect();
        self.update(node, bals);
    }

    // -----------------------------------------------------------------------------------------
    // Sending and observing
    // -----------------------------------------------------------------------------------------

    /// Sends `tx` to both worlds; records its events; lets the honest parties react to an
    /// adversary's successful transaction.
    ///
    /// # Errors
    /// A divergence between the implementations.
    pub fn send(&mut self, actor: Actor, tx: Tx) -> Result<Sent, Divergence> {
        let both = self
            .pair
            .call(&tx.label, tx.from, tx.to, tx.data.clone(), tx.value)?;
        self.tally.transactions += 1;
        let o = &both.solidity;
        let ok = o.success;
        let error = if ok {
            String::new()
        } else {
            error_name(&o.output)
        };
        let now = self.now();
        let at = self.at();
        let mut updates = Vec::new();
        let topic = update_topic();
        let outcome_set = keccak256("OutcomeSet(bytes32)");
        let withdrawn = keccak256("Withdrawn(bytes32,uint256,address)");
        for log in &o.logs {
            let topics = log.topics();
            let (Some(t0), Some(t1)) = (topics.first(), topics.get(1)) else {
                continue;
            };
            let d = &log.data.data;
            let holder = log.address == at.eth_holder || log.address == at.erc20_holder;
            if *t0 == topic && (log.address == at.adjudicator || log.address == at.registry) {
                updates.push(Update {
                    contract: log.address,
                    id: *t1,
                    version: word(d, 0).saturating_to(),
                    phase: word(d, 1).saturating_to(),
                    timeout: word(d, 2).saturating_to(),
                });
            } else if *t0 == outcome_set && holder {
                self.settled.insert((log.address, *t1));
            } else if *t0 == withdrawn && holder {
                let receiver = Address::from_word(B256::from(word(d, 1)));
                self.withdrawals
                    .push((log.address, *t1, word(d, 0), receiver));
            }
        }
        for u in &updates {
            let state = if u.phase == CONCLUDED {
                None
            } else {
                tx.signed
                    .iter()
                    .map(|s| &s.state)
                    .chain(&tx.states)
                    .find(|s| s.state.channelID == u.id && s.version() == u.version)
                    .cloned()
            };
            self.observed.entry(u.id).or_default().push(Observed {
                update: u.clone(),
                state,
                time: now,
            });
        }
        if ok {
            for s in &tx.signed {
                self.seen.entry(s.state.hash()).or_insert_with(|| s.clone());
            }
            let holder = tx.to == at.eth_holder || tx.to == at.erc20_holder;
            if holder && tx.data.get(..4) == Some(&abi::sel().withdraw[..]) {
                self.withdraw_calls.push((tx.to, tx.data.clone()));
            }
        }
        let who = match actor {
            Actor::Setup => "setup".to_string(),
            Actor::Adversary(_) => "adversary".to_string(),
            Actor::Honest(p) => format!("honest {}", self.name(p)),
        };
        let result = if ok { "ok".to_string() } else { error.clone() };
        let events: Vec<String> = updates
            .iter()
            .map(|u| {
                let name = self.topo.node_by_id(u.id).map_or_else(
                    || format!("{:.10}", u.id.to_string()),
                    |n| self.topo.nodes[n].name.clone(),
                );
                format!(
                    "{name} v{} phase {} timeout {}",
                    u.version, u.phase, u.timeout
                )
            })
            .collect();
        let mut line = format!("[{who}] {} -> {result}", tx.label);
        if !events.is_empty() {
            line.push_str(&format!(" [{}]", events.join("; ")));
        }
        if tx.non_canonical {
            line.push_str(" (non-canonical layout)");
        }
        self.log.push(line);
        if let Actor::Adversary(kind) = actor {
            let e = self.tally.actions.entry(format!("{kind:?}")).or_default();
            e.sent += 1;
            if ok {
                e.succeeded += 1;
            }
        }
        // Only the adversary's non-canonical calls count: an honest party reuses the bytes of a
        // state somebody else recorded that way.
        if tx.non_canonical && matches!(actor, Actor::Adversary(_)) {
            self.tally.non_canonical.sent += 1;
            if ok {
                self.tally.non_canonical.accepted += 1;
                self.accepted.push(Accepted {
                    label: tx.label.clone(),
                });
            } else if error == "MalformedCalldata" {
                self.tally.non_canonical.malformed += 1;
            } else {
                *self
                    .tally
                    .non_canonical
                    .other
                    .entry(error.clone())
                    .or_default() += 1;
            }
        }
        let sent = Sent { ok, error, updates };
        // Every party watches every registration, whoever sent it: an honest party that is not
        // in a sub-channel registers the state of it that it holds, which may be older than the
        // latest one its participants hold, and they refute it.
        if ok && !matches!(actor, Actor::Setup) && self.reacting < 4 {
            self.reacting += 1;
            let r = self.react(&sent.updates, &tx);
            self.reacting -= 1;
            r?;
        }
        Ok(sent)
    }

    // -----------------------------------------------------------------------------------------
    // Knowledge
    // -----------------------------------------------------------------------------------------

    /// Whether `s` is a state of channel `node` funded as its parents locked it (or as it was
    /// opened): the same assets, one balance per participant, the channel's sub-allocations and
    /// its per-asset totals.
    pub fn fits(&self, node: usize, s: &Channel::State) -> bool {
        let o = &s.outcome;
        s.channelID == self.topo.nodes[node].chan.id
            && o.assets == self.topo.asset_list()
            && o.balances.len() == o.assets.len()
            && o.balances
                .iter()
                .all(|r| r.len() == self.topo.nodes[node].members.len())
            && o.locked == self.topo.sub_allocs(node)
            && totals(s).as_deref() == Some(&self.topo.total(node)[..])
    }

    /// The state recorded for `node` that fits its funding, with the highest version, as the
    /// chain's events and calldata showed it.
    pub fn registered(&self, node: usize) -> Option<StateVal> {
        let id = self.topo.nodes[node].chan.id;
        self.observed
            .get(&id)?
            .iter()
            .filter_map(|o| o.state.as_ref())
            .filter(|s| self.fits(node, &s.state))
            .max_by_key(|s| s.version())
            .cloned()
    }

    /// Whether a conclusion of `node`'s record was seen.
    pub fn concluded(&self, id: B256) -> bool {
        self.observed
            .get(&id)
            .is_some_and(|v| v.iter().any(|o| o.update.phase == CONCLUDED))
    }

    /// Every state recorded for channel ID `id` (any funding), in order.
    pub fn recorded(&self, id: B256) -> Vec<StateVal> {
        self.observed
            .get(&id)
            .map(|v| v.iter().filter_map(|o| o.state.clone()).collect())
            .unwrap_or_default()
    }

    /// `node`'s state `s`, signed by every participant: only for states of the history, which
    /// every participant signed.
    pub(super) fn sign_all(&self, node: usize, s: &StateVal) -> SignedVal {
        let n = &self.topo.nodes[node];
        let h = s.hash();
        let cached = self.sig_cache.borrow().get(&(node, h)).cloned();
        let sigs = cached.unwrap_or_else(|| {
            let sigs: Vec<Bytes> = n
                .members
                .iter()
                .map(|&m| s.sign(&self.signers[m]))
                .collect();
            self.sig_cache.borrow_mut().insert((node, h), sigs.clone());
            sigs
        });
        SignedVal {
            params: ParamsVal::canonical(n.chan.params.clone()),
            state: s.clone(),
            sigs,
        }
    }

    /// The signed state of `node` whose hash is that of `s`, if anybody can produce it: from the
    /// signed history, from what adversaries forged, or as seen on chain.
    pub fn signed_for(&self, node: usize, s: &StateVal) -> Option<SignedVal> {
        let h = s.hash();
        if s.is_canonical() && self.signed[node].contains(&s.state) {
            return Some(self.sign_all(node, s));
        }
        if let Some(f) = self.forged[node].iter().find(|f| f.state.hash() == h) {
            return Some(f.clone());
        }
        self.seen.get(&h).cloned()
    }

    /// Every signed state of `node` an adversary can send: the history, its forgeries, and
    /// every signed state seen on chain.
    pub fn known(&self, node: usize) -> Vec<SignedVal> {
        let id = self.topo.nodes[node].chan.id;
        let mut out: Vec<SignedVal> = self.signed[node]
            .iter()
            .map(|s| self.sign_all(node, &StateVal::canonical(s.clone())))
            .collect();
        out.extend(self.forged[node].iter().cloned());
        for s in self.seen.values() {
            if s.state.state.channelID == id && !out.iter().any(|o| o.state == s.state) {
                out.push(s.clone());
            }
        }
        out
    }

    /// The funding ID of party `p` in channel `id`.
    pub fn fid(&self, id: B256, p: usize) -> B256 {
        funding_id(id, self.topo.parties[p].address())
    }

    /// Whether the channel `id` is settled at the holder of every asset (views).
    ///
    /// # Errors
    /// A divergence.
    pub fn is_settled(&mut self, id: B256) -> Result<bool, Divergence> {
        let at = self.at();
        let holders: Vec<Address> = self.topo.assets.iter().map(|a| a.holder(&at)).collect();
        for h in holders {
            let o = self.pair.view("settled", h, abi::settled(id))?;
            if word(&o, 0).is_zero() {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Holdings of `fid` at `holder` (a view).
    ///
    /// # Errors
    /// A divergence.
    pub fn holdings(&mut self, holder: Address, fid: B256) -> Result<U256, Divergence> {
        let o = self.pair.view("holdings", holder, abi::holdings(fid))?;
        Ok(word(&o, 0))
    }

    /// The description of a state for the log: `v3 [[1,2],[3,4]]` in units where exact.
    pub fn show(&self, s: &StateVal) -> String {
        let mut t = format!("v{} {}", s.version(), show_balances(&s.state));
        if s.state.isFinal {
            t.push_str(" final");
        }
        if !s.is_canonical() {
            t.push_str(&format!(" ({:?})", s.layout));
        }
        t
    }

    /// The name of channel ID `id` (a topology channel, a fake parent, or the ID).
    pub fn id_name(&self, id: B256) -> String {
        if let Some(n) = self.topo.node_by_id(id) {
            return self.topo.nodes[n].name.clone();
        }
        if let Some(k) = self.fakes.iter().position(|f| f.id == id) {
            return format!("F{k}");
        }
        format!("{:.10}", id.to_string())
    }

    /// Whether the roles say `node` is a root.
    pub fn is_root(&self, node: usize) -> bool {
        self.topo.nodes[node].role == Role::Root
    }

    /// Signs the state of a fake or forged channel by `members` (parties).
    pub fn sign_by(&self, members: &[usize], params: ParamsVal, state: StateVal) -> SignedVal {
        let sigs = members
            .iter()
            .map(|&m| state.sign(&self.signers[m]))
            .collect();
        SignedVal {
            params,
            state,
            sigs,
        }
    }
}

/// A random redistribution of `row`'s sum over its entries.
pub fn redistribute(rng: &mut Rng, row: &[U256]) -> Vec<U256> {
    let total: U256 = row.iter().copied().sum();
    let n = row.len();
    if n == 0 {
        return Vec::new();
    }
    let mut left = total;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if i + 1 == n {
            out.push(left);
        } else {
            let x = if left.is_zero() {
                U256::ZERO
            } else {
                // Most of the time whole units, sometimes odd wei.
                let cap = left / U256::from(super::topology::UNIT);
                let units = U256::from(rng.below(cap.saturating_to::<u64>().saturating_add(1)));
                let v = units * U256::from(super::topology::UNIT);
                if rng.chance(10) && v < left {
                    v + U256::from(1)
                } else {
                    v.min(left)
                }
            };
            out.push(x);
            left -= x;
        }
    }
    rng.shuffle(&mut out);
    out
}

/// An amount in units where it is whole, else in wei.
pub fn show_amount(v: U256) -> String {
    let unit = U256::from(super::topology::UNIT);
    if v == U256::MAX {
        "MAX".into()
    } else if (v % unit).is_zero() {
        format!("{}u", v / unit)
    } else {
        format!("{v}wei")
    }
}

/// Balances in units where they are whole, else in wei.
pub fn show_balances(s: &Channel::State) -> String {
    let rows: Vec<String> = s
        .outcome
        .balances
        .iter()
        .map(|r| {
            let xs: Vec<String> = r.iter().map(|v| show_amount(*v)).collect();
            format!("[{}]", xs.join(","))
        })
        .collect();
    format!("[{}]", rows.join(","))
}

/// The call that registers `root` with `subs`.
pub fn register_tx(
    label: String,
    from: Address,
    at: &crate::world::Addresses,
    root: SignedVal,
    subs: Vec<SignedVal>,
) -> Tx {
    let non_canonical = std::iter::once(&root)
        .chain(&subs)
        .any(|s| !s.state.is_canonical() || s.params.layout != raw::ParamsLayout::Canonical);
    let data = raw::register(&root, &subs);
    let mut signed = vec![root];
    signed.extend(subs);
    Tx {
        label,
        from,
        to: at.adjudicator,
        data,
        value: U256::ZERO,
        signed,
        states: Vec::new(),
        non_canonical,
    }
}

//! Turning a plan into the transactions of a scenario.
//!
//! The compiler knows the channels of the plan's shape and follows what the scenario intends:
//! the versions used so far, the state it registered, the outcome it concluded, what each
//! participant deposited. It does not run anything, so an action after a call that reverts
//! still uses what that call intended (a flawed call is expected to revert and changes nothing
//! the compiler tracks). Both implementations then run the same steps, whatever they decide.
//!
//! Here: the compiled [`Scenario`], [`compile`] and the dispatch of actions; in the
//! submodules: the channels and their states (`channels`), the stories (`story`), the
//! operations' transactions (`calls`) and the wrong calls (`junk`).

use super::flaw::{self, no_code_holder, stranger, UNIT};
use super::plan::{Action, AppKind, Assets, Flaw, Foreign, Plan, Shape, Time, Version};
use crate::abi;
use crate::artifacts::load;
use crate::build::{address, AssetKind, Chan, CHALLENGE};
use crate::ops::{Call, Step};
use crate::world::Addresses;
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::sol::Channel;
use std::collections::HashMap;

mod calls;
mod channels;
mod junk;
mod story;

/// The test key of an account outside every channel (it sends the outsiders' calls and makes
/// the wrong signatures).
pub const OUTSIDER: u64 = 13;

/// The test keys of every account the scenarios use (funded in every world).
pub const KEYS: std::ops::Range<u64> = 0..14;

/// The account that deploys the reentrant receiver (its first creation), in both worlds.
pub const RECEIVER_DEPLOYER: Address = Address::new([0xdf; 20]);

/// The forge artifact of the reentrant receiver: `ReentrantReceiver` of
/// `test/forge/AssetHolderETH.t.sol` (constructed with the ETH holder's address; `arm(call,
/// bubble)` makes its first `receive` send `call` to the holder and record how it ended).
pub const RECEIVER_ARTIFACT: (&str, &str) = ("AssetHolderETH.t.sol", "ReentrantReceiver");

/// Where the reentrant receiver lives (deployed by [`super::run::Runner::new`]).
pub fn reentrant_receiver() -> Address {
    RECEIVER_DEPLOYER.create(0)
}

/// A compiled scenario: its steps, and what the comparisons need to look at.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// The transactions and time steps.
    pub steps: Vec<Step>,
    /// The kind of each step (for the coverage counts): `register`, `withdraw ERC20`, ...
    pub kinds: Vec<&'static str>,
    /// The IDs of every channel of the scenario.
    pub channel_ids: Vec<B256>,
    /// The funding IDs of every participant of its ledger channels.
    pub funding_ids: Vec<B256>,
    /// Every account a step sends from or pays to.
    pub accounts: Vec<Address>,
    /// What the scenario covers (for the coverage counts): the plan's tags and the flaws put
    /// into calls.
    pub tags: Vec<String>,
}

/// The number of seconds a [`Time`] stands for.
pub fn seconds(t: Time) -> u64 {
    match t {
        Time::Tick(s) => u64::from(s % 10) + 1,
        Time::Challenge => CHALLENGE,
        Time::PastChallenge => CHALLENGE + 1,
        Time::TwoChallenges => 2 * CHALLENGE + 1,
        Time::Long => 86_400,
    }
}

/// The selector of the test token's function `name`.
///
/// # Panics
/// If forge's artifacts are missing (as [`abi::sel`] does).
pub fn token_selector(name: &str) -> [u8; 4] {
    load("TestToken")
        .and_then(|a| a.selector(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The selector of the reentrant receiver's function `name`.
///
/// # Panics
/// If forge's artifacts are missing (as [`abi::sel`] does).
pub fn receiver_selector(name: &str) -> [u8; 4] {
    let (file, contract) = RECEIVER_ARTIFACT;
    crate::artifacts::load_in(file, contract)
        .and_then(|a| a.selector(name))
        .unwrap_or_else(|e| panic!("{e}"))
}

/// The calldata of the test token's `setMode(uint8)`.
fn set_mode(mode: u8) -> Vec<u8> {
    with_selector("TestToken", "setMode", U256::from(mode).abi_encode())
}

/// The calldata of the test token's `setCallback(address, bytes)`.
fn set_callback(target: Address, data: Vec<u8>) -> Vec<u8> {
    with_selector(
        "TestToken",
        "setCallback",
        (target, Bytes::from(data)).abi_encode_params(),
    )
}

/// The calldata of the reentrant receiver's `arm(call, false)`: its first payment sends `call`
/// to the ETH holder and records how it ended, without reverting.
///
/// # Panics
/// If forge's artifacts are missing (as [`abi::sel`] does).
fn arm(call: &[u8]) -> Vec<u8> {
    let mut data = receiver_selector("arm").to_vec();
    data.extend((Bytes::copy_from_slice(call), false).abi_encode_params());
    data
}

/// `selector(contract.function) ‖ args`.
///
/// # Panics
/// If forge's artifacts are missing (as [`abi::sel`] does).
fn with_selector(contract: &str, function: &str, args: Vec<u8>) -> Vec<u8> {
    let sel = load(contract)
        .and_then(|a| a.selector(function))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut data = sel.to_vec();
    data.extend(args);
    data
}

/// What the compiler knows of one channel.
#[derive(Clone, Debug)]
struct Ch {
    /// The channel.
    chan: Chan,
    /// Its name in labels.
    name: String,
    /// Its app.
    app: AppKind,
    /// `[asset][participant]` balances of its version 0.
    base: Vec<Vec<U256>>,
    /// Its sub-channels and their index maps.
    subs: Vec<(usize, Vec<u16>)>,
    /// The highest version used.
    held: u64,
    /// The state the scenario registered (or progressed to).
    registered: Option<Channel::State>,
    /// The first version whose states lock its sub-channels (before it, their funds are its
    /// first participant's).
    opens_at: u64,
    /// Whether its states name other assets than the scenario's (`StateFlaw::Assets`).
    other_assets: bool,
    /// The `[asset][participant]` outcome the scenario concluded.
    outcome: Option<Vec<Vec<U256>>>,
}

struct Compiler<'a> {
    at: &'a Addresses,
    /// The assets held on this chain (deposited and withdrawn), the first of `assets`.
    kinds: Vec<AssetKind>,
    /// Every asset of the channels' states.
    assets: Vec<Channel::Asset>,
    chans: Vec<Ch>,
    ledgers: Vec<usize>,
    virt: Option<usize>,
    deposited: HashMap<(usize, usize, usize), U256>,
    steps: Vec<Step>,
    step_kinds: Vec<&'static str>,
    /// Whether the current action's flaw was put into its call (a flaw that does not fit the
    /// call, such as a signature flaw on a deposit, leaves it clean).
    applied: bool,
    /// The coverage names of the flaws put into calls.
    applied_flaws: Vec<String>,
    /// Whether a withdrawal pays the reentrant receiver.
    reentrant: bool,
}

fn units(n: u64) -> U256 {
    U256::from(n) * U256::from(UNIT)
}

fn app_address(at: &Addresses, app: AppKind) -> Address {
    match app {
        AppKind::None => Address::ZERO,
        AppKind::Trivial => at.trivial_app,
        AppKind::Counter => at.counter_app,
    }
}

fn flaw_label(f: &Flaw) -> String {
    format!(" [{f:?}]")
}

/// Compiles `plan` for the worlds at `at`.
///
/// # Panics
/// If the forge artifacts a call's selector is read from are missing (`script/forge build`
/// makes them; the driver reports such a panic as the scenario's failure).
pub fn compile(plan: &Plan, at: &Addresses) -> Scenario {
    let kinds = match plan.shape {
        Shape::Ledger { assets, .. }
        | Shape::Virtual { assets, .. }
        | Shape::Chain { assets, .. } => match assets {
            Assets::Eth => vec![AssetKind::Eth],
            Assets::Erc20 => vec![AssetKind::Erc20],
            Assets::Both => vec![AssetKind::Eth, AssetKind::Erc20],
        },
    };
    let mut assets: Vec<Channel::Asset> = kinds.iter().map(|k| k.asset(at)).collect();
    if let Shape::Ledger { foreign, .. } = plan.shape {
        match foreign {
            Foreign::None => {}
            Foreign::OtherChain => assets.push(Channel::Asset {
                chainID: U256::from(1),
                ethHolder: stranger(),
                ccHolder: Bytes::copy_from_slice(stranger().as_slice()),
            }),
            Foreign::NoHolder => assets.push(Channel::Asset {
                chainID: U256::from(crate::world::CHAIN_ID),
                ethHolder: Address::ZERO,
                ccHolder: Bytes::new(),
            }),
            Foreign::NoCode => assets.push(Channel::Asset {
                chainID: U256::from(crate::world::CHAIN_ID),
                ethHolder: no_code_holder(),
                ccHolder: Bytes::new(),
            }),
            Foreign::Again | Foreign::AgainShort => assets.push(assets[0].clone()),
        }
    }
    let mut c = Compiler {
        at,
        assets,
        kinds,
        chans: Vec::new(),
        ledgers: Vec::new(),
        virt: None,
        deposited: HashMap::new(),
        steps: Vec::new(),
        step_kinds: Vec::new(),
        applied: false,
        applied_flaws: Vec::new(),
        reentrant: false,
    };
    c.channels(&plan.shape);
    c.fund(&plan.funding);
    let mut actions = c.story(plan.story, plan.payee);
    // Where the lifecycle's closing withdrawals start (the end if it has none).
    let mut tail = actions
        .iter()
        .position(|a| matches!(a, Action::Withdraw(_)))
        .unwrap_or(actions.len());
    for (pos, extra) in &plan.extras {
        let pos = usize::from(*pos);
        let p = if matches!(extra, Action::Withdraw(_)) && pos % 2 == 0 {
            tail + (pos / 2) % (actions.len() + 1 - tail)
        } else {
            pos % (actions.len() + 1)
        };
        if p < tail {
            tail += 1;
        }
        actions.insert(p, extra.clone());
    }
    let mut flaws: Vec<Option<Flaw>> = vec![None; actions.len()];
    // A sub-channel flaw goes into a call that sends sub-channels (`register` or `conclude`)
    // if the scenario has one; every other flaw into any action.
    let sends_subs: Vec<usize> = (0..actions.len())
        .filter(|&i| {
            matches!(
                actions[i],
                Action::Register { .. } | Action::RefuteSub { .. } | Action::Conclude { .. }
            )
        })
        .collect();
    if !actions.is_empty() {
        for (pos, f) in &plan.flaws {
            let p = usize::from(*pos);
            let at = match f {
                Flaw::Subs(_) if !sends_subs.is_empty() => sends_subs[p % sends_subs.len()],
                _ => p % actions.len(),
            };
            flaws[at] = Some(*f);
        }
    }
    for (a, f) in actions.iter().zip(&flaws) {
        c.action(a, f.as_ref());
    }
    let mut channel_ids: Vec<B256> = c.chans.iter().map(|ch| ch.chan.id).collect();
    channel_ids.dedup();
    let mut funding_ids = Vec::new();
    for &l in &c.ledgers {
        let chan = &c.chans[l].chan;
        for i in 0..chan.len() {
            let f = chan.funding_id(i);
            if !funding_ids.contains(&f) {
                funding_ids.push(f);
            }
        }
    }
    let mut tags = super::coverage::tags(plan);
    tags.append(&mut c.applied_flaws);
    tags.sort();
    tags.dedup();
    let mut accounts: Vec<Address> = KEYS.map(address).collect();
    accounts.push(stranger());
    if c.reentrant {
        accounts.push(reentrant_receiver());
    }
    Scenario {
        steps: c.steps,
        kinds: c.step_kinds,
        channel_ids,
        funding_ids,
        accounts,
        tags,
    }
}

impl Compiler<'_> {
    // -----------------------------------------------------------------------------------------
    // Steps
    // -----------------------------------------------------------------------------------------

    fn push(
        &mut self,
        kind: &'static str,
        label: String,
        from: Address,
        to: Address,
        data: Vec<u8>,
        value: U256,
    ) {
        self.steps.push(Step::Call(Call {
            label,
            from,
            to,
            data,
            value,
        }));
        self.step_kinds.push(kind);
    }

    /// Pushes a call with the flaws that act on the call itself (calldata, value, sender).
    /// (`head`: the number of head words of the function's arguments.)
    fn push_call(&mut self, kind: &'static str, mut call: Call, head: usize, flaw: Option<&Flaw>) {
        let applied = match flaw {
            Some(Flaw::Calldata(cf)) => flaw::calldata(&mut call.data, *cf, head),
            Some(Flaw::Value(v)) => {
                call.value = call.value + U256::from(*v) + U256::from(1);
                true
            }
            Some(Flaw::Sender) => {
                call.from = address(OUTSIDER);
                true
            }
            _ => false,
        };
        if let (true, Some(f)) = (applied, flaw) {
            call.label += &self.mark(f);
        }
        self.push(kind, call.label, call.from, call.to, call.data, call.value);
    }

    /// Records that flaw `f` was put into the current action's call; returns its label suffix.
    fn mark(&mut self, f: &Flaw) -> String {
        self.applied = true;
        self.applied_flaws.push(super::coverage::flaw_name(f));
        flaw_label(f)
    }

    fn advance(&mut self, t: Time) {
        self.steps.push(Step::Advance(seconds(t)));
        self.step_kinds.push("advance");
    }

    fn ledger(&self, l: u8) -> usize {
        self.ledgers[usize::from(l) % self.ledgers.len()]
    }

    fn action(&mut self, action: &Action, flaw: Option<&Flaw>) {
        let at = self.at;
        self.applied = false;
        match *action {
            Action::Deposit {
                ledger,
                who,
                asset,
                units: u,
                channel,
            } => {
                let l = self.ledger(ledger);
                let i = usize::from(who) % self.chans[l].chan.len();
                let a = usize::from(asset) % self.kinds.len();
                self.deposit(l, i, a, units(u64::from(u)), channel, flaw);
            }
            Action::Token(mode) => self.token(mode),
            Action::Register {
                ledger,
                version,
                fin,
            } => {
                let l = self.ledger(ledger);
                let state = self.pick_state(l, version, fin);
                self.register(l, state, None, flaw);
            }
            Action::RefuteSub {
                ledger,
                sub,
                version,
            } => {
                let l = self.ledger(ledger);
                let state = self.current(l);
                let all = self.descendants(l);
                if all.is_empty() {
                    self.register(l, state, None, flaw);
                } else {
                    let s = all[usize::from(sub) % all.len()];
                    let sub_state = self.pick_state(s, version, false);
                    self.register(l, state, Some((s, sub_state)), flaw);
                }
            }
            Action::Progress { target, change } => self.progress(target, change, flaw),
            Action::Conclude { ledger, state } => {
                let l = self.ledger(ledger);
                let st = match state {
                    Version::Same => self.current(l),
                    pick => self.pick_state(l, pick, false),
                };
                self.conclude(l, st, state == Version::Same, flaw);
            }
            Action::ConcludeFinal {
                ledger,
                version,
                merged,
                fin,
            } => {
                let l = self.ledger(ledger);
                self.conclude_final(l, version, merged, fin, flaw);
            }
            Action::RegistryRegister { version, fin } => {
                let v = self.virt.unwrap_or(self.ledgers[0]);
                let state = self.pick_state(v, version, fin);
                let ch = &self.chans[v];
                let mut signed = ch.chan.signed(&state);
                let mut label = format!("registry register {} v{}", ch.name, state.version);
                if let Some(f) = flaw {
                    if self.flaw_signed(v, &mut signed, f) {
                        label += &self.mark(f);
                    }
                }
                let from = self.chans[v].chan.address(0);
                let data = abi::registry_register(&signed);
                self.push_call(
                    "registry register",
                    Call {
                        label,
                        from,
                        to: at.registry,
                        data,
                        value: U256::ZERO,
                    },
                    1,
                    flaw,
                );
                if !self.applied {
                    self.chans[v].registered = Some(state);
                }
            }
            Action::RegistryConclude => {
                let v = self.virt.unwrap_or(self.ledgers[0]);
                let mut state = self.current(v);
                let mut params = self.chans[v].chan.params.clone();
                let mut label = format!(
                    "registry conclude {} v{}",
                    self.chans[v].name, state.version
                );
                if let Some(f) = flaw {
                    if self.flaw_params_state(&mut params, &mut state, f) {
                        label += &self.mark(f);
                    }
                }
                let from = self.chans[v].chan.address(1);
                let data = abi::registry_conclude(&params, &state);
                self.push_call(
                    "registry conclude",
                    Call {
                        label,
                        from,
                        to: at.registry,
                        data,
                        value: U256::ZERO,
                    },
                    2,
                    flaw,
                );
                if !self.applied {
                    let o = self.fold(v, &state);
                    self.chans[v].outcome = Some(o);
                }
            }
            Action::Withdraw(w) => self.withdraw(w, flaw),
            Action::Advance(t) => self.advance(t),
            Action::Junk(j) => self.junk(j, flaw),
        }
    }
}

//! The named flows of the gas report and the flow tests: complete lifecycles of ledger, app,
//! sub- and virtual channels, each a list of labelled steps that succeed on both worlds.

use crate::build::{ether, lock, AssetKind, Chan, CHALLENGE};
use crate::ops::{self, Step};
use crate::world::Addresses;
use alloy_primitives::U256;
use perun_channel::sol::Channel;

/// A flow: its name and its steps.
#[derive(Clone, Debug)]
pub struct Flow {
    /// The name in the report.
    pub name: String,
    /// The steps.
    pub steps: Vec<Step>,
}

/// Participant `i`'s balance in the flows: `i + 1` ether (1 and 2 for two parties).
fn balance(i: usize) -> U256 {
    ether(i as u64 + 1)
}

fn balances(n: usize, assets: usize) -> Vec<Vec<U256>> {
    vec![(0..n).map(balance).collect(); assets]
}

fn deposits(at: &Addresses, chan: &Chan, assets: &[AssetKind]) -> Vec<Step> {
    let mut steps = Vec::new();
    for &a in assets {
        for i in 0..chan.len() {
            steps.extend(ops::deposit(at, chan, i, a, balance(i)));
        }
    }
    steps
}

fn withdrawals(at: &Addresses, chan: &Chan, assets: &[AssetKind], bals: &[Vec<U256>]) -> Vec<Step> {
    let mut steps = Vec::new();
    for (&kind, amounts) in assets.iter().zip(bals) {
        for (i, &amount) in amounts.iter().enumerate() {
            steps.push(ops::withdraw(at, chan, i, kind, amount));
        }
    }
    steps
}

/// Deposits, a final state concluded at once, withdrawals: `n` parties, `assets`.
pub fn happy_close(at: &Addresses, n: usize, assets: &[AssetKind], nonce: u64) -> Flow {
    let keys: Vec<u64> = (0..n as u64).collect();
    let chan = Chan::ledger(&keys, nonce);
    let list: Vec<Channel::Asset> = assets.iter().map(|a| a.asset(at)).collect();
    // The final state moves funds: the participants' balances in reverse order.
    let mut bals = balances(n, assets.len());
    for b in &mut bals {
        b.reverse();
    }
    let fin = chan.state(2, &list, bals.clone(), true);
    let mut steps = deposits(at, &chan, assets);
    steps.push(ops::conclude_final(at, chan.address(0), &chan, &fin));
    steps.extend(withdrawals(at, &chan, assets, &bals));
    Flow {
        name: format!("happy close, {n} parties, {} assets", assets.len()),
        steps,
    }
}

/// Deposits of 1 and 2 ether, a registered state (refuted by a newer one if `refute`),
/// conclusion after the timeout on the outcome (2, 1), withdrawals: 2 parties, ETH.
pub fn dispute_close(at: &Addresses, refute: bool, nonce: u64) -> Flow {
    let chan = Chan::ledger(&[0, 1], nonce);
    let eth = [AssetKind::Eth.asset(at)];
    let mut steps = deposits(at, &chan, &[AssetKind::Eth]);
    let last = chan.state(2, &eth, vec![vec![ether(2), ether(1)]], false);
    if refute {
        let old = chan.state(1, &eth, vec![vec![ether(1), ether(2)]], false);
        steps.push(ops::register(
            at,
            "register",
            chan.address(0),
            &chan.signed(&old),
            &[],
        ));
        steps.push(ops::register(
            at,
            "refute",
            chan.address(1),
            &chan.signed(&last),
            &[],
        ));
    } else {
        steps.push(ops::register(
            at,
            "register",
            chan.address(0),
            &chan.signed(&last),
            &[],
        ));
    }
    let last = &last;
    steps.push(Step::Advance(CHALLENGE + 1));
    steps.push(ops::conclude(
        at,
        "conclude",
        chan.address(0),
        &chan,
        last,
        &[],
    ));
    let bals = last.outcome.balances.clone();
    steps.extend(withdrawals(at, &chan, &[AssetKind::Eth], &bals));
    Flow {
        name: if refute {
            "dispute close with refutation".into()
        } else {
            "dispute close".into()
        },
        steps,
    }
}

/// An app channel (the trivial app): registered, advanced once by force-execution, concluded
/// after the force-execution timeout, withdrawn.
pub fn force_execution(at: &Addresses, nonce: u64) -> Flow {
    let chan = Chan::new(&[0, 1], at.trivial_app, true, false, nonce);
    let eth = [AssetKind::Eth.asset(at)];
    let v1 = chan.state(1, &eth, vec![vec![ether(1), ether(2)]], false);
    let v2 = chan.state(2, &eth, vec![vec![ether(2), ether(1)]], false);
    let mut steps = deposits(at, &chan, &[AssetKind::Eth]);
    steps.push(ops::register(
        at,
        "register app",
        chan.address(0),
        &chan.signed(&v1),
        &[],
    ));
    steps.push(Step::Advance(CHALLENGE + 1));
    steps.push(ops::progress(at, &chan, &v1, &v2, 1));
    steps.push(Step::Advance(CHALLENGE + 1));
    steps.push(ops::conclude(
        at,
        "conclude after force-execution",
        chan.address(0),
        &chan,
        &v2,
        &[],
    ));
    steps.extend(withdrawals(
        at,
        &chan,
        &[AssetKind::Eth],
        &v2.outcome.balances,
    ));
    Flow {
        name: "force-execution".into(),
        steps,
    }
}

/// A ledger channel of `n` participants locking `subs` 2-party sub-channels of its first two
/// (with the trivial app if `app`), registered and concluded.
pub fn sub_channels(at: &Addresses, n: usize, subs: usize, app: bool, nonce: u64) -> Flow {
    let keys: Vec<u64> = (0..n as u64).collect();
    let chan = Chan::ledger(&keys, nonce);
    let eth = [AssetKind::Eth.asset(at)];
    let mut state = chan.state(1, &eth, balances(n, 1), false);
    let mut signed_subs = Vec::new();
    let mut sub_states = Vec::new();
    let app_addr = if app {
        at.trivial_app
    } else {
        alloy_primitives::Address::ZERO
    };
    for s in 0..subs {
        let sub = Chan::sub(&[0, 1], app_addr, nonce * 1_000 + s as u64 + 1);
        let ss = sub.state(1, &eth, vec![vec![ether(1), ether(1)]], false);
        lock(&mut state, &sub, &ss, &[0, 1]);
        signed_subs.push(sub.signed(&ss));
        sub_states.push(ss);
    }
    // Each participant deposits its share; participants 0 and 1 also fund the sub-channels.
    let mut steps = Vec::new();
    for i in 0..n {
        let extra = if i < 2 {
            ether(subs as u64)
        } else {
            U256::ZERO
        };
        steps.extend(ops::deposit(
            at,
            &chan,
            i,
            AssetKind::Eth,
            balance(i) + extra,
        ));
    }
    let label = format!("register {n} parties {subs} subs");
    steps.push(ops::register(
        at,
        &label,
        chan.address(0),
        &chan.signed(&state),
        &signed_subs,
    ));
    // Sub-channels with an app still in dispute get one more challenge duration.
    steps.push(Step::Advance(2 * CHALLENGE + 1));
    let label = format!("conclude {n} parties {subs} subs");
    steps.push(ops::conclude(
        at,
        &label,
        chan.address(0),
        &chan,
        &state,
        &sub_states,
    ));
    Flow {
        name: format!("sub-channels: {n} parties, {subs} sub-channels"),
        steps,
    }
}

/// The participants of the virtual-channel flows: A (key 0), I (key 1), B (key 2); the parents
/// A–I and I–B and the virtual channel A–B; each parent holds (1, 1) ether and locks the
/// virtual channel's 2 ether with index map [0, 1].
pub struct Virtual {
    /// The parent A–I.
    pub ai: Chan,
    /// The parent I–B.
    pub ib: Chan,
    /// The virtual channel A–B.
    pub v: Chan,
    /// The virtual channel's state.
    pub vs: Channel::State,
    /// A–I's state locking it.
    pub ai_state: Channel::State,
    /// I–B's state locking it.
    pub ib_state: Channel::State,
}

impl Virtual {
    /// The channels, with A holding `a` of the virtual channel's 2 ether.
    pub fn new(at: &Addresses, a: U256, nonce: u64) -> Self {
        let eth = [AssetKind::Eth.asset(at)];
        let ai = Chan::ledger(&[0, 1], nonce);
        let ib = Chan::ledger(&[1, 2], nonce + 1);
        let v = Chan::virtual_(&[0, 2], nonce + 2);
        let vs = v.state(1, &eth, vec![vec![a, ether(2) - a]], false);
        let mut ai_state = ai.state(1, &eth, vec![vec![ether(1), ether(1)]], false);
        lock(&mut ai_state, &v, &vs, &[0, 1]);
        let mut ib_state = ib.state(1, &eth, vec![vec![ether(1), ether(1)]], false);
        lock(&mut ib_state, &v, &vs, &[0, 1]);
        Virtual {
            ai,
            ib,
            v,
            vs,
            ai_state,
            ib_state,
        }
    }

    fn deposits(&self, at: &Addresses) -> Vec<Step> {
        let mut steps = Vec::new();
        for chan in [&self.ai, &self.ib] {
            for i in 0..2 {
                steps.extend(ops::deposit(at, chan, i, AssetKind::Eth, ether(2)));
            }
        }
        steps
    }

    /// Both parents registered with the virtual channel's signed state `sv`, then, after their
    /// timeout, concluded with it.
    fn settle_parents(&self, at: &Addresses, sv: Channel::SignedState) -> Vec<Step> {
        vec![
            ops::register(
                at,
                "register A-I with V",
                self.ai.address(0),
                &self.ai.signed(&self.ai_state),
                std::slice::from_ref(&sv),
            ),
            ops::register(
                at,
                "register I-B with V",
                self.ib.address(1),
                &self.ib.signed(&self.ib_state),
                &[sv],
            ),
            Step::Advance(CHALLENGE + 1),
            ops::conclude(
                at,
                "conclude A-I",
                self.ai.address(0),
                &self.ai,
                &self.ai_state,
                std::slice::from_ref(&self.vs),
            ),
            ops::conclude(
                at,
                "conclude I-B",
                self.ib.address(1),
                &self.ib,
                &self.ib_state,
                std::slice::from_ref(&self.vs),
            ),
        ]
    }
}

/// The virtual channel settled by the v1 path: each parent registered with it, then concluded.
pub fn virtual_v1(at: &Addresses, nonce: u64) -> Flow {
    let x = Virtual::new(at, ether(1) / U256::from(2), nonce);
    let mut steps = x.deposits(at);
    let sv = x.v.signed(&x.vs);
    steps.extend(x.settle_parents(at, sv));
    Flow {
        name: "virtual dispute, v1 path".into(),
        steps,
    }
}

/// The virtual channel settled by the registry's direct path: registered and concluded in the
/// registry by A, then each parent registered and concluded with it.
pub fn virtual_direct(at: &Addresses, nonce: u64) -> Flow {
    let x = Virtual::new(at, ether(1) / U256::from(2), nonce);
    let mut steps = x.deposits(at);
    let sv = x.v.signed(&x.vs);
    steps.push(ops::registry_register(
        at,
        "registry register V",
        x.v.address(0),
        &sv,
    ));
    steps.push(Step::Advance(CHALLENGE + 1));
    steps.push(ops::registry_conclude(
        at,
        "registry conclude V",
        x.v.address(0),
        &x.v,
        &x.vs,
    ));
    steps.extend(x.settle_parents(at, sv));
    Flow {
        name: "virtual dispute, direct path".into(),
        steps,
    }
}

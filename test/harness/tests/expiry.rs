//! The watcher against expiring Stylus programs, end to end in `perun-engine`: its poll
//! (`perun_verifier::watch::poll`) drives the Stylus world through the `Node` trait. A stale
//! registration sits in the Adjudicator when the programs expire: the watcher reactivates them
//! (paying the data fees), then refutes; later it keeps them alive ahead of expiry, and after a
//! Stylus upgrade it activates them again. With a fee cap below the fee it sends nothing: the
//! refutation is blocked rather than lost in a failing call.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use perun_channel::hash::channel_id;
use perun_channel::native::Signer;
use perun_channel::sol::Channel;
use perun_engine::arbwasm::{hours_since_arbitrum, ARBITRUM_START_TIME, FEE_ACCOUNT};
use perun_engine::chain::Outcome;
use perun_harness::sign::signed;
use perun_harness::world::{Addresses, Impl, World, CHAIN_ID, START};
use perun_randomizer::test_signer;
use perun_verifier::events::{self, Log};
use perun_verifier::lifetime::{Plan, Policy, ProgramCheck, Status, DAY};
use perun_verifier::node::{CallResult, Node};
use perun_verifier::predict::Context;
use perun_verifier::schema::{
    Addr, ChannelDoc, Contracts, Document, ParamsDoc, SignedStateDoc, Uint,
};
use perun_verifier::watch::{self, Memory, Poll};
use perun_verifier::{calldata, Verification};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

const YEAR: u64 = 365 * DAY;
/// The channel's challenge duration: two days, so a dispute outlives an expiry.
const CHALLENGE: u64 = 2 * DAY;
/// The engine's default data fee per byte.
const PRICE: u64 = 82_928_201;

/// A [`Node`] over a Stylus world: `eth_call` is a simulated call, a sent transaction runs at
/// once in the world's current block, and its receipt is its outcome.
struct EngineNode {
    world: RefCell<World>,
    /// Every transaction sent, by hash, with its outcome.
    sent: RefCell<HashMap<B256, Outcome>>,
    /// The order they were sent in: (hash, to, value).
    order: RefCell<Vec<(B256, Address, U256)>>,
}

impl EngineNode {
    fn new(world: World) -> Self {
        EngineNode {
            world: RefCell::new(world),
            sent: RefCell::default(),
            order: RefCell::default(),
        }
    }

    fn at(&self) -> Addresses {
        self.world.borrow().at
    }

    fn set_time(&self, t: u64) {
        self.world.borrow_mut().chain.set_timestamp(t);
    }

    /// The logs of every transaction sent so far, in order, as the verifier reads them.
    fn logs(&self, before: &[Outcome]) -> Vec<Log> {
        let sent = self.sent.borrow();
        let outcomes = before
            .iter()
            .chain(self.order.borrow().iter().map(|(h, _, _)| &sent[h]))
            .cloned()
            .collect::<Vec<_>>();
        let mut out = Vec::new();
        for (block, o) in outcomes.iter().enumerate() {
            for (k, l) in o.logs.iter().enumerate() {
                out.push(Log {
                    address: l.address,
                    topics: l.data.topics().to_vec(),
                    data: l.data.data.clone(),
                    block_number: block as u64 + 1,
                    timestamp: None,
                    log_index: Some(k as u64),
                    path: format!("tx {block}"),
                });
            }
        }
        out
    }
}

impl Node for EngineNode {
    fn code(&self, at: Address) -> perun_verifier::Result<Bytes> {
        Ok(self.world.borrow().chain.code(at))
    }

    fn call(
        &self,
        from: Address,
        to: Address,
        data: &Bytes,
        value: U256,
    ) -> perun_verifier::Result<CallResult> {
        let o = self
            .world
            .borrow_mut()
            .chain
            .simulate(from, to, data.to_vec(), value);
        Ok(match (o.success, o.halt) {
            (true, _) => CallResult::Return(o.output),
            (false, None) => CallResult::Revert(o.output),
            // As nitro's eth_call reports a call into an inactive program: a message, no data.
            (false, Some(h)) => CallResult::Failed(match o.trap {
                Some((_, why)) => format!("error {why}"),
                None => format!("{h:?}"),
            }),
        })
    }

    fn send(
        &self,
        signer: &Signer,
        to: Address,
        data: &Bytes,
        value: U256,
    ) -> perun_verifier::Result<B256> {
        let o = self
            .world
            .borrow_mut()
            .chain
            .call(signer.address(), to, data.to_vec(), value);
        let n = self.order.borrow().len() as u64;
        let hash = keccak256(n.to_be_bytes());
        self.sent.borrow_mut().insert(hash, o);
        self.order.borrow_mut().push((hash, to, value));
        Ok(hash)
    }

    fn receipt(&self, tx: B256) -> perun_verifier::Result<Option<bool>> {
        Ok(self.sent.borrow().get(&tx).map(|o| o.success))
    }
}

/// Alice and Bob's ledger channel in ETH, and the states Alice holds.
struct Setup {
    alice: Signer,
    bob: Signer,
    params: Channel::Params,
    v1: Channel::State,
    v2: Channel::State,
}

fn setup(at: &Addresses) -> Setup {
    let (alice, bob) = (test_signer(0), test_signer(1));
    let part = |s: &Signer| Channel::Participant {
        ethAddress: s.address(),
        ccAddress: Bytes::new(),
    };
    let params = Channel::Params {
        challengeDuration: U256::from(CHALLENGE),
        nonce: U256::from(7),
        participants: vec![part(&alice), part(&bob)],
        app: Address::ZERO,
        ledgerChannel: true,
        virtualChannel: false,
    };
    let state = |version: u64, a: u64, b: u64| Channel::State {
        channelID: channel_id(&params),
        version,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(CHAIN_ID),
                ethHolder: at.eth_holder,
                ccHolder: Bytes::new(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![U256::from(a), U256::from(b)]],
            locked: vec![],
        },
        appData: Bytes::new(),
        isFinal: false,
    };
    let (v1, v2) = (state(1, 6, 4), state(2, 5, 5));
    Setup {
        alice,
        bob,
        params,
        v1,
        v2,
    }
}

/// The document Alice's watcher reads: both states, fully signed.
fn document(s: &Setup, at: &Addresses) -> Verification {
    let signers = [&s.alice, &s.bob];
    let states = [&s.v1, &s.v2]
        .iter()
        .map(|st| {
            let sigs: Vec<Option<Bytes>> = signed(&s.params, st, &signers)
                .sigs
                .into_iter()
                .map(Some)
                .collect();
            SignedStateDoc::new(st, &sigs)
        })
        .collect();
    let doc = Document {
        chain_id: Uint(U256::from(CHAIN_ID)),
        contracts: Some(Contracts {
            adjudicator: Some(Addr(at.adjudicator)),
            registry: Some(Addr(at.registry)),
        }),
        channels: vec![ChannelDoc {
            name: Some("alice-bob".into()),
            params: ParamsDoc::from(&s.params),
            states,
        }],
        virtual_channels: Vec::new(),
        withdrawals: Vec::new(),
    };
    let v = perun_verifier::verify(&doc).expect("a consistent document");
    assert!(v.valid(), "{:?}", v.findings);
    v
}

/// One poll of Alice's watcher at the world's time, over the logs of `before` and of every
/// transaction the node sent.
fn poll(
    node: &EngineNode,
    v: &Verification,
    before: &[Outcome],
    alice: &Signer,
    policy: &Policy,
    memory: &mut Memory,
) -> Poll {
    let logs = node.logs(before);
    let h = events::replay(&v.doc, &v.verdicts, &logs).expect("the logs replay");
    let now = node.world.borrow().chain.timestamp();
    let ctx = Context {
        doc: &v.doc,
        verdicts: &v.verdicts,
        history: &h,
        now,
    };
    watch::poll(node, &ctx, Some(alice), policy, memory).expect("the poll runs")
}

/// The policy of the tests: receipts come at once.
fn policy() -> Policy {
    Policy {
        confirm_polls: 1,
        confirm_interval: Duration::ZERO,
        ..Policy::default()
    }
}

/// Bob registers the stale version 1 an hour before the programs expire.
fn stale_registration(node: &EngineNode, s: &Setup) -> Outcome {
    let at = node.at();
    let start = ARBITRUM_START_TIME + u64::from(hours_since_arbitrum(START)) * 3_600;
    node.set_time(start + YEAR - 3_600);
    let data = calldata::register(&signed(&s.params, &s.v1, &[&s.alice, &s.bob]), &[]);
    let o = node.world.borrow_mut().chain.call(
        s.bob.address(),
        at.adjudicator,
        data.to_vec(),
        U256::ZERO,
    );
    assert!(o.success, "Bob's registration: {o:?}");
    o
}

/// The programs the watcher checks: the Adjudicator, the registry and the ETH holder.
fn watched(at: &Addresses) -> [Address; 3] {
    [at.adjudicator, at.registry, at.eth_holder]
}

fn check(p: &Poll, a: Address) -> &ProgramCheck {
    p.programs
        .iter()
        .find(|c| c.address == a)
        .unwrap_or_else(|| panic!("{a} was not checked: {:#?}", p.programs))
}

/// The data fee of activating the program at `a`: the default price per byte of its wasm.
fn activation_fee(node: &EngineNode, a: Address) -> U256 {
    let code = node.world.borrow().chain.code(a);
    let wasm = perun_engine::program::decompress(&code).expect("a program");
    U256::from(PRICE) * U256::from(wasm.len() as u64)
}

#[test]
fn the_watcher_reactivates_expired_programs_then_refutes_and_later_keeps_them_alive() {
    let at = Addresses::new();
    let s = setup(&at);
    let world = World::new(Impl::Stylus, &[s.alice.address(), s.bob.address()])
        .unwrap_or_else(|e| panic!("{e}"));
    let node = EngineNode::new(world);
    let v = document(&s, &at);
    let register = stale_registration(&node, &s);
    let before = [register];
    let mut memory = Memory::default();

    // Two hours later the programs have expired; the dispute is still open for almost 2 days.
    let expired_at = node.world.borrow().chain.timestamp() + 3 * 3_600;
    node.set_time(expired_at);
    let refutation = calldata::register(&signed(&s.params, &s.v2, &[&s.alice, &s.bob]), &[]);
    let direct = node.call(s.alice.address(), at.adjudicator, &refutation, U256::ZERO);
    assert!(
        matches!(&direct, Ok(CallResult::Failed(m)) if m.starts_with("error ProgramExpired(")),
        "a refutation now fails: {direct:?}"
    );

    let fees: Vec<U256> = watched(&at)
        .iter()
        .map(|&a| activation_fee(&node, a))
        .collect();
    let alice_before = node.world.borrow().chain.balance(s.alice.address());
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p.ok(), "{p:#?}");
    for (&a, &fee) in watched(&at).iter().zip(&fees) {
        let c = check(&p, a);
        assert!(matches!(c.status, Status::Expired { .. }), "{c:#?}");
        assert_eq!(c.plan, Plan::Activate);
        assert_eq!(c.data_fee, Some(fee));
        assert_eq!(c.value, Some(fee + fee.div_ceil(U256::from(10))));
        assert_eq!(c.confirmed, Some(true));
        assert!(c.usable);
    }
    // The token and the counter app are EVM code: not checked.
    assert_eq!(p.programs.len(), 3);
    // Three activations, then the refutation.
    let order = node.order.borrow().clone();
    assert_eq!(order.len(), 4, "{order:?}");
    let arbwasm = perun_verifier::lifetime::ARBWASM;
    assert!(order[..3].iter().all(|(_, to, _)| *to == arbwasm));
    assert_eq!(order[3].1, at.adjudicator);
    assert_eq!(p.alarms.len(), 1);
    assert_eq!(p.alarms[0].sent, Some(order[3].0));
    assert!(
        node.sent.borrow()[&order[3].0].success,
        "the refutation succeeded"
    );
    // The fees went to the fee account; the margins came back.
    let total: U256 = fees.iter().copied().sum();
    let world = node.world.borrow();
    assert_eq!(world.chain.balance(FEE_ACCOUNT), total);
    assert_eq!(world.chain.balance(s.alice.address()), alice_before - total);
    drop(world);

    // The next poll: nothing to do, nothing stale.
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p.ok(), "{p:#?}");
    assert!(
        p.alarms.is_empty(),
        "the refutation is on chain: {:#?}",
        p.alarms
    );
    for &a in &watched(&at) {
        let c = check(&p, a);
        assert_eq!(c.plan, Plan::Nothing);
        assert!(matches!(c.status, Status::Active { time_left, .. } if time_left > YEAR - 3_600));
    }
    assert_eq!(node.order.borrow().len(), 4, "nothing sent");

    // A year later, 3 days before the new expiry: within the 7-day margin, old enough.
    let react = ARBITRUM_START_TIME + u64::from(hours_since_arbitrum(expired_at)) * 3_600;
    node.set_time(react + YEAR - 3 * DAY);
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p.ok(), "{p:#?}");
    for &a in &watched(&at) {
        let c = check(&p, a);
        assert_eq!(c.plan, Plan::Keepalive, "{c:#?}");
        assert!(matches!(c.status, Status::Active { time_left, .. } if time_left == 3 * DAY));
        assert_eq!(c.confirmed, Some(true));
        let rec = {
            let w = node.world.borrow();
            w.chain.program_record(w.chain.code_hash(a))
        };
        assert_eq!(
            rec.activated_at,
            hours_since_arbitrum(react + YEAR - 3 * DAY)
        );
    }
    assert_eq!(node.order.borrow().len(), 7, "three keepalives");
    // The programs outlive their first year of reactivation.
    node.set_time(react + YEAR + DAY);
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p
        .programs
        .iter()
        .all(|c| c.plan == Plan::Nothing && c.usable));

    // An ArbOS upgrade: every program needs activating again, and gets it.
    node.world.borrow_mut().chain.set_stylus_version(3);
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p.ok(), "{p:#?}");
    for &a in &watched(&at) {
        let c = check(&p, a);
        assert_eq!(
            c.status,
            Status::NeedsUpgrade {
                version: 2,
                stylus_version: 3
            }
        );
        assert_eq!(c.plan, Plan::Activate);
        assert!(c.usable);
    }
    assert_eq!(node.order.borrow().len(), 10, "three activations");
}

#[test]
fn with_a_fee_cap_below_the_fee_the_refutation_is_blocked_not_lost() {
    let at = Addresses::new();
    let s = setup(&at);
    let world = World::new(Impl::Stylus, &[s.alice.address(), s.bob.address()])
        .unwrap_or_else(|e| panic!("{e}"));
    let node = EngineNode::new(world);
    let v = document(&s, &at);
    let before = [stale_registration(&node, &s)];
    let t = node.world.borrow().chain.timestamp() + 3 * 3_600;
    node.set_time(t);
    let capped = Policy {
        max_fee: Some(U256::from(1_000)),
        ..policy()
    };
    let mut memory = Memory::default();
    let p = poll(&node, &v, &before, &s.alice, &capped, &mut memory);
    assert!(!p.ok());
    assert!(node.order.borrow().is_empty(), "nothing sent");
    for &a in &watched(&at) {
        let c = check(&p, a);
        assert!(!c.usable);
        assert!(
            c.note.as_deref().unwrap().contains("exceeds the cap"),
            "{c:#?}"
        );
    }
    let blocked = p.alarms[0].blocked.as_deref().expect("blocked");
    assert!(blocked.contains(&at.adjudicator.to_string()), "{blocked}");
    // Raising the cap, the next poll reactivates and refutes before the timeout.
    let p = poll(&node, &v, &before, &s.alice, &policy(), &mut memory);
    assert!(p.ok(), "{p:#?}");
    assert!(p.alarms[0].sent.is_some());
    assert_eq!(node.order.borrow().len(), 4);
}

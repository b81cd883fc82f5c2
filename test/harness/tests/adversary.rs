//! Adversarial random scenarios with a safety oracle (SPEC section 10), on the Stylus programs
//! and the Solidity mirrors at once: `PERUN_ADV_SCENARIOS=N` scenarios (500 by default) from a
//! seed printed first (`PERUN_SEED=<16 hex digits>` replays a run, with
//! `PERUN_ADV_SCENARIOS=1` one scenario); `PERUN_THREADS` workers; `PERUN_ADV_SHRINK` runs spent
//! shrinking each kind of violation. Then the known attacks, each built step by step and judged
//! by the same oracle through [`assert_safe`]: they fail while the holes are open and pass once
//! they are closed. Last, checks of the generator's own parts.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::hash::{channel_id, hash_state, hash_withdrawal};
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_harness::adversary::driver::{self, Config, Runner};
use perun_harness::adversary::plan::{Kind, Plan};
use perun_harness::adversary::raw::{
    self, AuthLayout, AuthVal, ParamsLayout, ParamsVal, SignedVal, StateLayout, StateVal,
};
use perun_harness::adversary::rng::Rng;
use perun_harness::adversary::session::Session;
use perun_harness::adversary::topology::{units, Topology, CD};
use perun_harness::adversary::{assert_safe, Outcome, ViolationKind};
use perun_harness::build::{address, AssetKind, Chan};
use perun_harness::pair::Divergence;
use perun_harness::scenario::note;
use perun_harness::world::Addresses;

/// The number of scenarios by default.
const DEFAULT_SCENARIOS: u64 = 500;

#[test]
fn adversarial_random_scenarios_are_safe() {
    let cfg = Config::from_env(DEFAULT_SCENARIOS).unwrap_or_else(|e| panic!("{e}"));
    note(&format!(
        "adversary: {} scenarios from seed {:016x} on {} threads (PERUN_SEED={:016x} replays)",
        cfg.scenarios, cfg.seed, cfg.threads, cfg.seed
    ));
    let summary = driver::run(&cfg).unwrap_or_else(|e| panic!("{e}"));
    note(&summary.to_string());
    note(&format!(
        "adversary: {} scenarios, {} transactions in {:.1} s (seed {:016x})",
        summary.tally.scenarios,
        summary.tally.transactions,
        summary.elapsed.as_secs_f64(),
        cfg.seed
    ));
    for (k, example) in &summary.examples {
        note(&format!(
            "first scenario with {} (shrunk):\n{example}",
            k.name()
        ));
    }
    if let Some((seed, f)) = summary.failures.first() {
        panic!(
            "scenario {seed:016x} did not run: {f}\nreplay: PERUN_SEED={seed:016x} PERUN_ADV_SCENARIOS=1 cargo test -p perun-harness --test adversary"
        );
    }
    if let Some((seed, _, _)) = summary.unsafe_seeds.first() {
        let example = summary.examples.values().next();
        if let Some(o) = example {
            assert_safe(o);
        }
        panic!(
            "{} unsafe scenarios; replay the first: PERUN_SEED={seed:016x} PERUN_ADV_SCENARIOS=1 cargo test -p perun-harness --test adversary",
            summary.unsafe_seeds.len()
        );
    }
    assert_eq!(summary.tally.scenarios, cfg.scenarios);
}

// ---------------------------------------------------------------------------------------------
// The known attacks. Each builds exactly one attack and ends in `assert_safe`: today it fails
// with the oracle's report; once the hole is closed it passes unchanged.
// ---------------------------------------------------------------------------------------------

fn runner() -> Runner {
    Runner::new().unwrap_or_else(|e| panic!("{e}"))
}

fn run(plan: &Plan, script: impl FnOnce(&mut Session<'_>) -> Result<(), Divergence>) -> Outcome {
    let o = runner()
        .script(plan, script)
        .unwrap_or_else(|f| panic!("{f}"));
    eprintln!("{o}");
    o
}

/// Node indices of the one-intermediary topology: parents A-I and I-B, then V.
const AI: usize = 0;
const IB: usize = 1;
const V: usize = 2;
/// Party indices of the one-intermediary topology (the intermediary I is party 1).
const A: usize = 0;
const B: usize = 2;

/// The ledger channel P0-P1-P2 (ETH) locking a sub-channel of P0 and P1, who collude against
/// P2.
fn colluding_sub_channel_plan() -> Plan {
    let at = Addresses::new();
    let t = Topology::ledger(
        &at,
        vec![AssetKind::Eth],
        3,
        false,
        &[(vec![0, 1], false, None)],
        2,
    );
    Plan::fixed(t, &["P0", "P1"])
}

/// A-I and I-B each hold (2u, 2u) and lock V, which holds (1u, 1u): A and B collude.
fn virtual_plan(cd: U256) -> Plan {
    let at = Addresses::new();
    let mut t = Topology::virtual_(&at, vec![AssetKind::Eth], 1, cd, 2);
    t.nodes[V].initial = vec![vec![units(1), units(1)]];
    Plan::fixed(t, &["A", "B"])
}

/// Both parents registered (by A and B, with V's funding state), as in any dispute.
fn register_parents(s: &mut Session<'_>) -> Result<(), Divergence> {
    let v0 = s.history(V, Some(0));
    let ai = s.history(AI, None);
    s.adv_register(Kind::RegisterLedger, A, ai, vec![v0.clone()])?;
    let ib = s.history(IB, None);
    s.adv_register(Kind::RegisterLedger, B, ib, vec![v0])?;
    Ok(())
}

/// Hole 1, theft: A and B refute V through the registry's direct path with (0, 2u + 1 wei);
/// B tops up I-B by 1 wei. A-I is then underfunded and falls back to deposits, I-B pays B the
/// intermediary's money: I loses 1u.
#[test]
fn known_attack_theft_by_inflated_virtual_channel() {
    let plan = virtual_plan(U256::from(CD));
    let o = run(&plan, |s| {
        register_parents(s)?;
        let mut fake = s.latest(V).state;
        fake.version = 5;
        fake.outcome.balances = vec![vec![U256::ZERO, units(2) + U256::from(1)]];
        let fake = s.sign_forged(V, fake, StateLayout::Canonical, "inflated by 1 wei");
        s.adv_registry_register(Kind::RegistryRegister, A, fake.clone())?;
        let fid = s.fid(s.topo.nodes[IB].chan.id, B);
        s.adv_top_up(B, IB, 0, fid, U256::from(1))?;
        s.advance(CD + 1);
        for (who, parent) in [(A, AI), (B, IB)] {
            let params = ParamsVal::canonical(s.topo.nodes[parent].chan.params.clone());
            let state = s.latest(parent);
            s.adv_conclude(Kind::Conclude, who, params, state, vec![fake.state.clone()])?;
        }
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 1, theft through a fake parent: A and B register V's inflated state through a ledger
/// channel of their own whose sub-allocation matches the inflated total.
#[test]
fn known_attack_theft_by_virtual_channel_through_fake_parent() {
    let plan = virtual_plan(U256::from(CD));
    let o = run(&plan, |s| {
        register_parents(s)?;
        let mut fake = s.latest(V).state;
        fake.version = 5;
        fake.outcome.balances = vec![vec![U256::ZERO, units(2) + U256::from(1)]];
        let fake = s.sign_forged(V, fake, StateLayout::Canonical, "inflated by 1 wei");
        let mut rng = Rng::new(1);
        let f = s.fake_parent(
            &mut rng,
            &[A, B],
            U256::from(CD),
            &fake,
            perun_harness::adversary::actions::FakeLock::Totals,
            ParamsLayout::Canonical,
            StateLayout::Canonical,
        );
        s.adv_register(Kind::FakeParent, A, f, vec![fake.clone()])?;
        let fid = s.fid(s.topo.nodes[IB].chan.id, B);
        s.adv_top_up(B, IB, 0, fid, U256::from(1))?;
        s.advance(CD + 1);
        for (who, parent) in [(A, AI), (B, IB)] {
            let params = ParamsVal::canonical(s.topo.nodes[parent].chan.params.clone());
            let state = s.latest(parent);
            s.adv_conclude(Kind::Conclude, who, params, state, vec![fake.state.clone()])?;
        }
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 1, lock: A and B refute V with a one-entry balance row; every conclusion of either
/// parent reverts from then on, so the intermediary's funds stay locked.
#[test]
fn known_attack_lock_by_short_virtual_state() {
    let plan = virtual_plan(U256::from(CD));
    let o = run(&plan, |s| {
        register_parents(s)?;
        let mut fake = s.latest(V).state;
        fake.version = 5;
        fake.outcome.balances = vec![vec![units(2)]];
        let fake = s.sign_forged(V, fake, StateLayout::Canonical, "one-entry row");
        s.adv_registry_register(Kind::RegistryRegister, A, fake)?;
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 1 for sub-channels: in the ledger channel P0-P1-P2, P0 and P1 (colluding) refute
/// their sub-channel S0 through a fake parent with a balance of 2^256 - 1: every conclusion of
/// the ledger channel reverts, and honest P2's funds stay locked.
#[test]
fn known_attack_lock_by_huge_sub_state_through_fake_parent() {
    let plan = colluding_sub_channel_plan();
    let o = run(&plan, |s| {
        let (l, sub) = (0, 1);
        let s0 = s.history(sub, None);
        let root = s.history(l, None);
        s.adv_register(Kind::RegisterLedger, 0, root, vec![s0])?;
        let mut fake = s.latest(sub).state;
        fake.version = 3;
        fake.outcome.balances = vec![vec![U256::MAX, U256::ZERO]];
        let fake = s.sign_forged(sub, fake, StateLayout::Canonical, "2^256 - 1");
        let mut rng = Rng::new(2);
        let f = s.fake_parent(
            &mut rng,
            &[0, 1],
            U256::ZERO,
            &fake,
            perun_harness::adversary::actions::FakeLock::Totals,
            ParamsLayout::Canonical,
            StateLayout::Canonical,
        );
        s.adv_register(Kind::FakeParent, 1, f, vec![fake])?;
        Ok(())
    });
    assert_safe(&o);
}

/// Finding 8, lock: in the ledger channel P0-P1-P2, colluding P0 and P1 hold every key of
/// their sub-channel S. They sign a state of S with the same funding that locks a sub-channel
/// SS of their own through a SubAlloc whose index map points outside S, and register it
/// through the ledger channel itself. On main it was recorded and every `conclude` of the
/// ledger channel reverted with `IndexMapOutOfRange`: honest P2's funds were locked.
#[test]
fn known_attack_lock_by_bad_index_map_in_a_sub_channel() {
    let plan = colluding_sub_channel_plan();
    let o = run(&plan, |s| {
        let (l, sub) = (0, 1);
        let keys: Vec<u64> = [0usize, 1].iter().map(|&m| s.topo.parties[m].key).collect();
        let ss_chan = Chan::new(&keys, Address::ZERO, false, false, 0x55_5555);
        let s0 = s.latest(sub).state;
        let mut ss = s0.clone();
        ss.channelID = ss_chan.id;
        ss.version = 1;
        ss.outcome.locked = Vec::new();
        let ss = s.sign_by(
            &[0, 1],
            ParamsVal::canonical(ss_chan.params.clone()),
            StateVal::canonical(ss),
        );
        let per_asset: Vec<U256> = s0
            .outcome
            .balances
            .iter()
            .map(|row| row.iter().fold(U256::ZERO, |a, b| a + b))
            .collect();
        let mut forged = s0.clone();
        forged.version = s0.version + 5;
        forged.outcome.balances = s0
            .outcome
            .balances
            .iter()
            .map(|row| vec![U256::ZERO; row.len()])
            .collect();
        forged.outcome.locked = vec![Channel::SubAlloc {
            ID: ss_chan.id,
            balances: per_asset,
            indexMap: vec![7, 9],
        }];
        let forged = s.sign_forged(
            sub,
            forged,
            StateLayout::Canonical,
            "same funding; locks SS with an index map outside S",
        );
        let root = s.history(l, None);
        s.adv_register(
            Kind::RegisterLedger,
            0,
            root,
            vec![forged.clone(), ss.clone()],
        )?;
        s.advance(3 * CD);
        let params = ParamsVal::canonical(s.topo.nodes[l].chan.params.clone());
        let state = s.latest(l);
        s.adv_conclude(
            Kind::Conclude,
            0,
            params,
            state,
            vec![forged.state, ss.state],
        )?;
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 1 for sub-channels, loss: honest P2 was paid 1u off chain; P0 and P1 inflate their
/// sub-channel by 1 wei through a fake parent, so the ledger channel settles as underfunded and
/// P2 gets back only its deposit.
#[test]
fn known_attack_loss_by_inflated_sub_channel() {
    let plan = colluding_sub_channel_plan();
    let o = run(&plan, |s| {
        let (l, sub) = (0, 1);
        s.update(l, vec![vec![units(1), units(2), units(3)]]);
        let s0 = s.history(sub, None);
        let root = s.history(l, None);
        s.adv_register(Kind::RegisterLedger, 0, root, vec![s0])?;
        let mut fake = s.latest(sub).state;
        fake.version = 3;
        fake.outcome.balances = vec![vec![units(4) + U256::from(1), U256::ZERO]];
        let fake = s.sign_forged(sub, fake, StateLayout::Canonical, "inflated by 1 wei");
        let mut rng = Rng::new(3);
        let f = s.fake_parent(
            &mut rng,
            &[0, 1],
            U256::from(CD),
            &fake,
            perun_harness::adversary::actions::FakeLock::Totals,
            ParamsLayout::Canonical,
            StateLayout::Canonical,
        );
        s.adv_register(Kind::FakeParent, 1, f, vec![fake.clone()])?;
        s.advance(CD + 1);
        let params = ParamsVal::canonical(s.topo.nodes[l].chan.params.clone());
        let state = s.latest(l);
        s.adv_conclude(Kind::Conclude, 0, params, state, vec![fake.state])?;
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 2: in a ledger channel with the trivial app, P0 registers the latest state (1u, 3u),
/// force-executes it with one signature to a state of the same balances whose outcome lies
/// after its appData, and concludes with the same hashed bytes and the outcome (4u, 0).
#[test]
fn known_attack_outcome_after_app_data() {
    let at = Addresses::new();
    let t = Topology::ledger(&at, vec![AssetKind::Eth], 2, true, &[], 2);
    let plan = Plan::fixed(t, &["P0"]);
    let o = run(&plan, |s| {
        s.update(0, vec![vec![units(1), units(3)]]);
        let latest = s.history(0, None);
        s.adv_register(Kind::RegisterLedger, 0, latest.clone(), Vec::new())?;
        s.advance(CD + 1);
        let mut next = latest.state.state.clone();
        next.version += 1;
        let next = StateVal::laid_out(next, StateLayout::OutcomeAfterAppData);
        s.adv_progress(
            Kind::ProgressOutcomeAfterAppData,
            0,
            0,
            latest.state,
            next.clone(),
        )?;
        s.advance(CD + 1);
        let mut swapped = next;
        swapped.state.outcome.balances = vec![vec![units(4), U256::ZERO]];
        let params = ParamsVal::canonical(s.topo.nodes[0].chan.params.clone());
        s.adv_conclude(Kind::ConcludeSwapped, 0, params, swapped, Vec::new())?;
        Ok(())
    });
    assert_safe(&o);
}

/// Hole 3: A and B propose V with a challenge duration of 2^63 s or 2^64 - 1 s, which would hold
/// every parent's conclusion back for ever. The contracts refuse to register a parent locking
/// such a V (`ChallengeDurationTooLong`), so nobody can make a parent wait on it; honest
/// intermediaries fund a virtual channel only as the verifier accepts it (perun-verifier's
/// `a_virtual_channel_outlasting_its_parents_is_found`), and the generator's never fund one.
#[test]
fn known_attack_extreme_virtual_duration_cannot_hold_a_parent() {
    for cd in [U256::from(1u64 << 63), U256::from(u64::MAX)] {
        let plan = virtual_plan(cd);
        let mut errors = Vec::new();
        runner()
            .script(&plan, |s| {
                let v0 = s.history(V, Some(0));
                for (parent, by) in [(AI, A), (IB, B)] {
                    let root = s.history(parent, None);
                    let sent = s.adv_register(Kind::RegisterLedger, by, root, vec![v0.clone()])?;
                    errors.push(sent.error);
                }
                Ok(())
            })
            .unwrap_or_else(|f| panic!("{f}"));
        assert_eq!(
            errors,
            ["ChallengeDurationTooLong", "ChallengeDurationTooLong"],
            "duration {cd}"
        );
    }
    for seed in 0..400 {
        let plan = Plan::generate(seed, &Addresses::new());
        if let Some(v) = plan.topology.virt {
            let cd = plan.topology.nodes[v].chan.params.challengeDuration;
            assert!(
                perun_channel::dispute::challenge_duration(cd) <= CD,
                "seed {seed}: honest intermediaries funded a virtual channel of duration {cd}"
            );
        }
    }
}

/// Hole 1, the record of a ledger channel itself: P0 locks the registered ledger channel
/// P0-P1-P2 in a fake parent of its own and concludes the fake parent; the ledger channel's
/// record is concluded as a sub-channel, its outcome never pushed, and every later conclusion
/// reverts.
#[test]
fn known_attack_ledger_channel_concluded_as_fake_sub_channel() {
    let at = Addresses::new();
    let t = Topology::ledger(&at, vec![AssetKind::Erc20], 3, false, &[], 2);
    let plan = Plan::fixed(t, &["P0"]);
    let o = run(&plan, |s| {
        let latest = s.history(0, None);
        s.adv_register(Kind::RegisterLedger, 0, latest.clone(), Vec::new())?;
        let mut rng = Rng::new(4);
        let f = s.fake_parent(
            &mut rng,
            &[0],
            U256::ZERO,
            &latest,
            perun_harness::adversary::actions::FakeLock::Totals,
            ParamsLayout::Canonical,
            StateLayout::Canonical,
        );
        s.adv_register(Kind::FakeParent, 0, f.clone(), vec![latest.clone()])?;
        s.advance(CD + 1);
        s.adv_conclude(Kind::Conclude, 0, f.params, f.state, vec![latest.state])?;
        Ok(())
    });
    assert_safe(&o);
}

// ---------------------------------------------------------------------------------------------
// Safe today: the oracle must not cry wolf.
// ---------------------------------------------------------------------------------------------

/// Stale registrations of a ledger channel and of a sub-channel, refuted by the honest
/// watchers; everybody is paid what the latest states give.
#[test]
fn stale_registrations_are_refuted_and_nobody_loses() {
    let at = Addresses::new();
    let t = Topology::ledger(
        &at,
        vec![AssetKind::Eth, AssetKind::Erc20],
        3,
        false,
        &[(vec![2, 0], true, Some((vec![1, 0], false)))],
        3,
    );
    let plan = Plan::fixed(t, &["P2"]);
    let o = run(&plan, |s| {
        s.update(
            0,
            vec![
                vec![units(1), units(4), units(4)],
                vec![units(5), units(2), units(2)],
            ],
        );
        s.update(
            1,
            vec![vec![units(6), U256::ZERO], vec![U256::ZERO, units(6)]],
        );
        s.update(2, vec![vec![units(2), units(4)], vec![units(5), units(1)]]);
        let root = s.history(0, Some(0));
        let subs = vec![s.history(1, Some(0)), s.history(2, Some(0))];
        s.adv_register(Kind::RegisterLedger, 2, root, subs)?;
        Ok(())
    });
    assert!(o.tally.honest_refutations > 0, "the watchers refuted:\n{o}");
    assert_safe(&o);
}

/// A virtual channel refuted by its honest endpoint through the registry, then settled: the
/// intermediary nets zero and the endpoint gets its latest share.
#[test]
fn a_stale_virtual_state_is_refuted_and_the_intermediary_nets_zero() {
    let at = Addresses::new();
    let mut t = Topology::virtual_(&at, vec![AssetKind::Erc20], 1, U256::from(CD), 2);
    t.nodes[V].initial = vec![vec![units(1), units(1)]];
    let plan = Plan::fixed(t, &["B"]);
    let o = run(&plan, |s| {
        s.update(V, vec![vec![units(2), U256::ZERO]]);
        let v0 = s.history(V, Some(0));
        s.adv_registry_register(Kind::RegistryRegister, B, v0)?;
        Ok(())
    });
    assert!(o.tally.honest_refutations > 0, "the watcher refuted:\n{o}");
    assert_safe(&o);
}

/// Random scenarios whose adversary only uses what the protocol allows it (stale and latest
/// states, force-execution in canonical layout, conclusions, withdrawals, replays, deposits,
/// time): safe, so the oracle does not cry wolf. `PERUN_ADV_SANITY=N` runs N seeds (60).
#[test]
fn random_scenarios_without_forgeries_are_safe() {
    let at = Addresses::new();
    let mut r = runner();
    let allowed = |k: Kind| {
        matches!(
            k,
            Kind::RegisterLedger
                | Kind::Progress
                | Kind::Conclude
                | Kind::Withdraw
                | Kind::Replay
                | Kind::TopUp
                | Kind::Advance
        )
    };
    let mut refutations = 0;
    let n: u64 = std::env::var("PERUN_ADV_SANITY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    for seed in 0..n {
        let mut plan = Plan::generate(seed, &at);
        plan.acts.retain(|a| allowed(a.kind));
        plan.front_runs.retain(|a| allowed(a.kind));
        // An honest endpoint would not have agreed to an extreme duration; neither do these.
        plan.topology.set_virtual_duration(U256::from(CD));
        let o = r.run(&plan).unwrap_or_else(|f| panic!("seed {seed}: {f}"));
        refutations += o.tally.honest_refutations;
        assert_safe(&o);
    }
    assert!(refutations > 0, "no watcher ever refuted");
}

// ---------------------------------------------------------------------------------------------
// The generator's parts.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_seed_gives_the_same_plan() {
    let at = Addresses::new();
    for seed in [0, 1, 0xdead_beef, u64::MAX] {
        let (a, b) = (Plan::generate(seed, &at), Plan::generate(seed, &at));
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
    let mut c = Rng::new(1);
    let hits = (0..10_000).filter(|_| c.chance(30)).count();
    assert!((2_500..3_500).contains(&hits), "{hits}");
}

#[test]
fn plans_cover_every_topology_and_corruption_leaves_an_honest_party() {
    let at = Addresses::new();
    let mut shapes = std::collections::BTreeSet::new();
    for seed in 0..300u64 {
        let p = Plan::generate(seed, &at);
        shapes.insert(p.topology.shape);
        assert!(p.corrupt.iter().any(|&c| c) && p.corrupt.iter().any(|&c| !c));
        for &r in &p.topology.roots {
            for l in &p.topology.nodes[r].locks {
                assert!(l
                    .index_map
                    .iter()
                    .all(|&i| usize::from(i) < p.topology.nodes[r].members.len()));
            }
        }
    }
    assert_eq!(shapes.len(), 4, "{shapes:?}");
}

#[test]
fn an_intermediary_deposits_the_virtual_total_across_its_parents() {
    let at = Addresses::new();
    let mut rng = Rng::new(3);
    for hops in 1..=3 {
        let mut t = Topology::virtual_(&at, vec![AssetKind::Eth], hops, U256::from(CD), 1);
        t.fill_random(&mut rng);
        let v = t.virt.unwrap_or_default();
        let vt = t.total(v)[0];
        for &i in &t.intermediaries {
            let (mut dep, mut own) = (U256::ZERO, U256::ZERO);
            for &r in &t.roots {
                if let Some(k) = t.index_of(r, i) {
                    dep += t.deposits(r)[0][k];
                    own += t.nodes[r].initial[0][k];
                }
            }
            assert_eq!(dep, own + vt);
        }
    }
}

fn sample() -> (Chan, Channel::State) {
    let at = Addresses::new();
    let ch = Chan::ledger(&[0, 1, 2], 7);
    let assets = [AssetKind::Eth.asset(&at), AssetKind::Erc20.asset(&at)];
    let mut s = ch.state(
        3,
        &assets,
        vec![
            vec![units(1), units(2), U256::from(3)],
            vec![U256::ZERO, U256::from(5), units(4)],
        ],
        false,
    );
    s.outcome.locked.push(Channel::SubAlloc {
        ID: B256::repeat_byte(7),
        balances: vec![U256::from(9), U256::from(10)],
        indexMap: vec![2, 0],
    });
    s.appData = Bytes::from(vec![1, 2, 3]);
    (ch, s)
}

#[test]
fn canonical_layouts_encode_as_abi_encode_does() {
    let (ch, s) = sample();
    let sv = StateVal::canonical(s.clone());
    assert_eq!(sv.encode(), s.abi_encode()[32..].to_vec());
    assert_eq!(sv.hash(), hash_state(&s));
    let pv = ParamsVal::canonical(ch.params.clone());
    assert_eq!(pv.id(), channel_id(&ch.params));
    let signed = SignedVal {
        params: pv.clone(),
        state: sv.clone(),
        sigs: ch.sigs(&s),
    };
    assert_eq!(
        raw::register(&signed, std::slice::from_ref(&signed)),
        perun_harness::abi::register(&ch.signed(&s), &[ch.signed(&s)])
    );
    assert_eq!(
        raw::registry_register(&signed),
        perun_harness::abi::registry_register(&ch.signed(&s))
    );
    assert_eq!(
        raw::conclude(&pv, &sv, std::slice::from_ref(&sv)),
        perun_harness::abi::conclude(&ch.params, &s, std::slice::from_ref(&s))
    );
    assert_eq!(
        raw::progress(&pv, &sv, &sv, 1, &[9, 9]),
        perun_harness::abi::progress(&ch.params, &s, &s, 1, &[9, 9])
    );
    assert_eq!(
        raw::registry_conclude(&pv, &sv),
        perun_harness::abi::registry_conclude(&ch.params, &s)
    );
    assert_eq!(
        raw::conclude_final(&pv, &sv, &ch.sigs(&s)),
        perun_harness::abi::conclude_final(&ch.params, &s, &ch.sigs(&s))
    );
    let auth = WithdrawalAuth {
        channelID: ch.id,
        participant: Channel::Participant {
            ethAddress: address(1),
            ccAddress: Bytes::new(),
        },
        receiver: address(2),
        amount: units(1),
    };
    let av = AuthVal {
        auth: auth.clone(),
        layout: AuthLayout::Canonical,
    };
    assert_eq!(av.hash(), hash_withdrawal(&auth));
    assert_eq!(
        raw::withdraw(&av, &[1]),
        perun_harness::abi::withdraw(&auth, &[1])
    );
}

#[test]
fn bent_layouts_keep_values_but_change_bytes() {
    let (ch, s) = sample();
    let wrap = |enc: Vec<u8>| {
        let mut v = B256::left_padding_from(&[0x20]).to_vec();
        v.extend(enc);
        v
    };
    for layout in [
        StateLayout::OutcomeAfterAppData,
        StateLayout::GapBetweenTails,
        StateLayout::DirtyPadding,
    ] {
        let sv = StateVal::laid_out(s.clone(), layout);
        let decoded = Channel::State::abi_decode(&wrap(sv.encode()))
            .unwrap_or_else(|e| panic!("{layout:?}: {e}"));
        assert_eq!(decoded, sv.state, "{layout:?}");
        assert_ne!(
            sv.encode(),
            sv.state.abi_encode()[32..].to_vec(),
            "{layout:?}"
        );
        assert_ne!(sv.hash(), hash_state(&sv.state), "{layout:?}");
    }
    for layout in [
        ParamsLayout::ParticipantOutsideSpan,
        ParamsLayout::GapBetweenTails,
        ParamsLayout::DirtyPadding,
    ] {
        let pv = ParamsVal::laid_out(ch.params.clone(), layout);
        let decoded = Channel::Params::abi_decode(&wrap(pv.val().encode()))
            .unwrap_or_else(|e| panic!("{layout:?}: {e}"));
        assert_eq!(decoded, pv.params, "{layout:?}");
        assert_ne!(pv.id(), channel_id(&pv.params), "{layout:?}");
    }
    // The outcome after the appData is not hashed: another outcome, the same hash.
    let a = StateVal::laid_out(s.clone(), StateLayout::OutcomeAfterAppData);
    let mut other = s.clone();
    other.outcome.balances[0][0] = units(100);
    let b = StateVal::laid_out(other, StateLayout::OutcomeAfterAppData);
    assert_eq!(a.hash(), b.hash());
    // Participant 0 outside the span: another participant 0, the same ID.
    let p = ParamsVal::laid_out(ch.params.clone(), ParamsLayout::ParticipantOutsideSpan);
    let mut q = p.clone();
    q.params.participants[0].ethAddress = address(9);
    assert_eq!(p.id(), q.id());
}

#[test]
fn the_oracle_names_every_kind_of_violation() {
    for k in [
        ViolationKind::FundsLost,
        ViolationKind::IntermediaryLoss,
        ViolationKind::NotConcluded,
        ViolationKind::HonestRevert,
        ViolationKind::PaidElsewhere,
        ViolationKind::NonCanonicalAccepted,
    ] {
        assert!(!k.name().is_empty());
    }
}

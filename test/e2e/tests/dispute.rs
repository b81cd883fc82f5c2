//! End-to-end dispute runs on anvil: the suite deployed by script/Deploy.s.sol, channels funded
//! on chain and updated off chain, a stale registration refuted by `perun-verify watch` before
//! its timeout, conclusion after it, withdrawals, and every balance checked to the wei (gas
//! paid included); once for a ledger channel, once for a virtual channel through an
//! intermediary on the registry's direct path. Each run prints its gas table.

use alloy_primitives::{Address, B256, U256};
use perun_channel::dispute::{CONCLUDED, DISPUTE};
use perun_channel::hash::{channel_id, hash_state, sub_channel_key_of};
use perun_e2e::abi::{IAssetHolder, IDisputes};
use perun_e2e::channel::{document, eth_asset, params, state, sub_alloc, Party, Signed};
use perun_e2e::deployment::Deployment;
use perun_e2e::gas::{self, GasRow};
use perun_e2e::node::{Node, Transaction};
use perun_e2e::process::tail;
use perun_e2e::run::{milli_ether, Run};
use perun_e2e::suite::Suite;
use perun_e2e::watcher::Watcher;
use perun_e2e::{Error, Result};
use perun_verifier::calldata;
use perun_verifier::schema::VirtualDoc;
use std::path::PathBuf;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The challenge duration of every channel (seconds of node time).
const CHALLENGE: u64 = 60;

/// How long a watcher polling every second may take to refute: well inside the challenge
/// duration, which runs on the node's clock (the wall clock while nobody advances it).
const REFUTATION_LIMIT: Duration = Duration::from_secs(30);

fn scratch() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("perun-e2e")
}

/// `milli` thousandths of an ether per participant.
fn bals(milli: &[u64]) -> Vec<U256> {
    milli.iter().map(|&m| milli_ether(m)).collect()
}

/// Waits until `done`, while the watcher keeps running.
fn wait_for(
    what: &str,
    watcher: &mut Watcher,
    mut done: impl FnMut() -> Result<bool>,
) -> Result<()> {
    let start = Instant::now();
    loop {
        if done()? {
            return Ok(());
        }
        if let Some(status) = watcher.exited() {
            return Err(Error::command(
                "perun-verify watch",
                format!("exited ({status}):\n{}", tail(&watcher.log(), 30)),
            ));
        }
        if start.elapsed() > REFUTATION_LIMIT {
            return Err(Error::Timeout {
                what: what.to_owned(),
                detail: format!("the watcher printed:\n{}", tail(&watcher.log(), 30)),
            });
        }
        sleep(Duration::from_millis(100));
    }
}

/// The deployment's cross-references, as the contracts report them.
fn check_deployment(node: &Node, d: &Deployment, tokens: &[Address]) -> Result<()> {
    assert_eq!(d.tokens, tokens);
    assert_eq!(d.asset_holders_erc20.len(), tokens.len());
    assert_eq!(
        node.view(d.adjudicator, &IDisputes::registryCall {})?,
        d.registry
    );
    assert_eq!(
        node.view(d.registry, &IDisputes::adjudicatorCall {})?,
        d.adjudicator
    );
    assert_eq!(
        node.view(d.asset_holder_eth, &IAssetHolder::adjudicatorCall {})?,
        d.adjudicator
    );
    for (holder, token) in d.asset_holders_erc20.iter().zip(tokens) {
        assert_eq!(
            node.view(*holder, &IAssetHolder::adjudicatorCall {})?,
            d.adjudicator
        );
        assert_eq!(node.view(*holder, &IAssetHolder::tokenCall {})?, *token);
    }
    Ok(())
}

/// What a transaction the run did not send itself was: forge's deployments and the watcher's
/// refutations.
fn describe(t: &Transaction, d: &Deployment) -> String {
    let r = &t.receipt;
    if let Some(created) = r.contract_address {
        let name = if created == d.adjudicator {
            "Adjudicator + its VirtualChannelRegistry"
        } else if created == d.asset_holder_eth {
            "AssetHolderETH"
        } else if d.asset_holders_erc20.contains(&created) {
            "AssetHolderERC20"
        } else if created == d.trivial_app {
            "TrivialApp"
        } else {
            "an unknown contract"
        };
        return format!("deploy {name} (forge script)");
    }
    let selector = t.input.get(..4);
    if r.to == Some(d.adjudicator) && selector == Some(&calldata::REGISTER[..]) {
        return "refutation, Adjudicator.register (perun-verify watch)".into();
    }
    if r.to == Some(d.registry) && selector == Some(&calldata::REGISTRY_REGISTER[..]) {
        return "refutation, registry.register (perun-verify watch)".into();
    }
    format!("unknown transaction {}", r.hash)
}

/// Each party's balance now against its balance before, what it deposited and withdrew, and
/// the gas fees of every transaction it sent (the watcher's included), to the wei.
fn check_balances(
    node: &Node,
    txs: &[Transaction],
    books: &[(&Party, U256, U256, U256)],
) -> Result<()> {
    for &(party, before, deposited, withdrawn) in books {
        let fees = txs
            .iter()
            .filter(|t| t.receipt.from == party.address())
            .fold(U256::ZERO, |sum, t| sum + t.receipt.fee());
        let expected = before - deposited + withdrawn - fees;
        assert_eq!(
            node.balance(party.address())?,
            expected,
            "{}: before {before}, deposited {deposited}, withdrew {withdrawn}, fees {fees}",
            party.name
        );
    }
    Ok(())
}

/// Prints the gas table of the run (and keeps it in the run's directory).
fn report(run: &Run, d: &Deployment, title: &str, parties: &[&Party]) -> Result<Vec<GasRow>> {
    let mut names: Vec<(Address, &str)> = parties.iter().map(|p| (p.address(), p.name)).collect();
    names.push((run.deployer.address(), run.deployer.name));
    let rows = gas::rows(&run.node, &names, |t| describe(t, d))?;
    let text = gas::table(title, &rows);
    let file = run.dir.join("gas.md");
    std::fs::write(&file, &text).map_err(|e| Error::io(&file, e))?;
    gas::show(&text);
    Ok(rows)
}

/// The record under key `id` (a ledger channel's ID, or a virtual channel's funded key) holds
/// `signed`'s state, in `phase`.
fn assert_record(suite: &Suite<'_>, id: B256, signed: &Signed, phase: u8) -> Result<u64> {
    let r = suite.record(id)?;
    assert_eq!(r.version, signed.state.version, "version of {id}");
    assert_eq!(r.stateHash, hash_state(&signed.state), "state of {id}");
    assert_eq!(r.phase, phase, "phase of {id}");
    Ok(r.timeout)
}

#[test]
fn ledger_channel_stale_registration_is_refuted_by_the_watcher_and_every_balance_settles() {
    if let Err(e) = ledger_run() {
        panic!("{e}");
    }
}

fn ledger_run() -> Result<()> {
    let run = Run::start(&scratch(), "ledger")?;
    // One ERC20 holder, for a token with code (its storage is not needed: nobody deposits it).
    let token = Address::repeat_byte(0x70);
    run.place_code("TestToken.sol/TestToken.json", token)?;
    let d = run.deploy(&[token])?;
    check_deployment(&run.node, &d, &[token])?;
    let node = &run.node;
    let suite = Suite {
        node,
        deployment: &d,
    };

    let alice = Party::new("alice")?;
    let bob = Party::new("bob")?;
    for p in [&alice, &bob] {
        run.fund(p, milli_ether(10_000))?;
    }
    let before = [node.balance(alice.address())?, node.balance(bob.address())?];

    // Open: a ledger channel funded by both.
    let asset = eth_asset(node.chain_id(), d.asset_holder_eth);
    let p = params(&[&alice, &bob], 1, CHALLENGE, true);
    let id = channel_id(&p);
    suite.deposit(&alice, id, milli_ether(1000), "deposit")?;
    suite.deposit(&bob, id, milli_ether(2000), "deposit")?;
    assert_eq!(suite.holdings(&alice, id)?, milli_ether(1000));
    assert_eq!(suite.holdings(&bob, id)?, milli_ether(2000));

    // Off chain: Alice pays Bob 0.3, then Bob pays Alice 0.5.
    let ab = [&alice, &bob];
    let st = |v, b: &[u64]| Signed::new(&p, state(&p, v, &asset, &bals(b), vec![], false), &ab);
    let states = [
        st(0, &[1000, 2000]),
        st(1, &[700, 2300]),
        st(2, &[1200, 1800]),
    ];

    // Alice's watcher holds every state; Bob registers the one that pays him more.
    let doc = document(
        node.chain_id(),
        d.adjudicator,
        d.registry,
        &[("alice-bob", &p, &states)],
    );
    let mut watcher = Watcher::start(&doc, run.url(), &alice, &run.dir, "watch-alice")?;
    watcher.wait_first_report(REFUTATION_LIMIT)?;
    suite.register(&bob, &states[1], &[], "register version 1, stale")?;
    let timeout = assert_record(&suite, id, &states[1], DISPUTE)?;
    wait_for("the watcher's refutation", &mut watcher, || {
        Ok(suite.record(id)?.version == 2)
    })?;
    drop(watcher);
    // A refutation keeps the timeout of the first registration.
    assert_eq!(assert_record(&suite, id, &states[2], DISPUTE)?, timeout);

    // Concluding is refused before the timeout (the node's gas estimate sees the revert) and
    // accepted once it has passed; the holder gets version 2's balances.
    let early = suite.conclude(&bob, &states[2], &[], "conclude, early");
    let refused = hex::encode(perun_channel::Error::TimeoutNotPassed.selector());
    assert!(
        matches!(&early, Err(e) if e.to_string().contains(&refused)),
        "{early:?}"
    );
    node.advance(CHALLENGE + 1)?;
    suite.conclude(&bob, &states[2], &[], "conclude")?;
    assert_record(&suite, id, &states[2], CONCLUDED)?;
    assert!(suite.settled(id)?);
    assert_eq!(suite.holdings(&alice, id)?, milli_ether(1200));
    assert_eq!(suite.holdings(&bob, id)?, milli_ether(1800));

    suite.withdraw(&alice, id, milli_ether(1200), "withdraw")?;
    suite.withdraw(&bob, id, milli_ether(1800), "withdraw")?;
    assert_eq!(suite.holdings(&alice, id)?, U256::ZERO);
    assert_eq!(suite.holdings(&bob, id)?, U256::ZERO);
    assert_eq!(node.balance(d.asset_holder_eth)?, U256::ZERO);

    let txs = node.transactions()?;
    check_balances(
        node,
        &txs,
        &[
            (&alice, before[0], milli_ether(1000), milli_ether(1200)),
            (&bob, before[1], milli_ether(2000), milli_ether(1800)),
        ],
    )?;
    let rows = report(
        &run,
        &d,
        "Gas of the ledger-channel run (anvil receipts)",
        &ab,
    )?;
    // Exactly one refutation, sent by the watcher with Alice's key.
    let refutations: Vec<&GasRow> = rows
        .iter()
        .filter(|r| r.label.starts_with("refutation"))
        .collect();
    assert_eq!(refutations.len(), 1, "{rows:#?}");
    assert_eq!(refutations[0].sender, "alice");
    Ok(())
}

#[test]
fn virtual_channel_stale_registration_in_the_registry_is_refuted_and_every_balance_settles() {
    if let Err(e) = virtual_run() {
        panic!("{e}");
    }
}

fn virtual_run() -> Result<()> {
    let run = Run::start(&scratch(), "virtual")?;
    let d = run.deploy(&[])?;
    check_deployment(&run.node, &d, &[])?;
    let node = &run.node;
    let suite = Suite {
        node,
        deployment: &d,
    };

    let alice = Party::new("alice")?;
    let bob = Party::new("bob")?;
    let ingrid = Party::new("ingrid")?;
    for p in [&alice, &bob, &ingrid] {
        run.fund(p, milli_ether(10_000))?;
    }
    let before = [
        node.balance(alice.address())?,
        node.balance(bob.address())?,
        node.balance(ingrid.address())?,
    ];

    // Two ledger channels through Ingrid, each funded with 1 ether by each side.
    let asset = eth_asset(node.chain_id(), d.asset_holder_eth);
    let ai = [&alice, &ingrid];
    let ib = [&ingrid, &bob];
    let ab = [&alice, &bob];
    let pai = params(&ai, 2, CHALLENGE, true);
    let pib = params(&ib, 3, CHALLENGE, true);
    let pv = params(&ab, 4, CHALLENGE, false);
    let (ai_id, ib_id, v_id) = (channel_id(&pai), channel_id(&pib), channel_id(&pv));
    suite.deposit(&alice, ai_id, milli_ether(1000), "deposit alice-ingrid")?;
    suite.deposit(&ingrid, ai_id, milli_ether(1000), "deposit alice-ingrid")?;
    suite.deposit(&ingrid, ib_id, milli_ether(1000), "deposit ingrid-bob")?;
    suite.deposit(&bob, ib_id, milli_ether(1000), "deposit ingrid-bob")?;

    // Off chain: the virtual channel Alice-Bob (0.5 each) is funded in both parents, each
    // locking 1 ether for it: in alice-ingrid, Ingrid stands for Bob; in ingrid-bob, for Alice.
    let locked = sub_alloc(&pv, milli_ether(1000), vec![0, 1]);
    let ai0 = Signed::new(
        &pai,
        state(&pai, 0, &asset, &bals(&[1000, 1000]), vec![], false),
        &ai,
    );
    let ib0 = Signed::new(
        &pib,
        state(&pib, 0, &asset, &bals(&[1000, 1000]), vec![], false),
        &ib,
    );
    let ai1 = Signed::new(
        &pai,
        state(
            &pai,
            1,
            &asset,
            &bals(&[500, 500]),
            vec![locked.clone()],
            false,
        ),
        &ai,
    );
    let ib1 = Signed::new(
        &pib,
        state(&pib, 1, &asset, &bals(&[500, 500]), vec![locked], false),
        &ib,
    );
    let v =
        |ver, b: &[u64]| Signed::new(&pv, state(&pv, ver, &asset, &bals(b), vec![], false), &ab);
    // Alice pays Bob 0.2, then Bob pays Alice 0.3.
    let vs = [v(0, &[500, 500]), v(1, &[300, 700]), v(2, &[600, 400])];

    // Before the virtual channel is used, Ingrid checks its funding with the verifier: both
    // parents lock it, and her net position is zero whatever its outcome.
    let mut setup = document(
        node.chain_id(),
        d.adjudicator,
        d.registry,
        &[
            ("alice-ingrid", &pai, &[ai0.clone(), ai1.clone()]),
            ("ingrid-bob", &pib, &[ib0, ib1]),
            ("alice-bob", &pv, &vs[..1]),
        ],
    );
    setup.virtual_channels.push(VirtualDoc {
        channel: "alice-bob".into(),
        parents: vec!["alice-ingrid".into(), "ingrid-bob".into()],
    });
    let verdict = perun_verifier::verify(&setup)?;
    assert!(verdict.valid(), "{:#?}", verdict.findings);

    // Alice's watcher holds her parent channel and the virtual channel; Bob registers the
    // stale version 1 in the registry directly, without touching either parent.
    let doc = document(
        node.chain_id(),
        d.adjudicator,
        d.registry,
        &[
            ("alice-ingrid", &pai, &[ai0, ai1.clone()]),
            ("alice-bob", &pv, &vs),
        ],
    );
    let mut watcher = Watcher::start(&doc, run.url(), &alice, &run.dir, "watch-alice")?;
    watcher.wait_first_report(REFUTATION_LIMIT)?;
    suite.registry_register(&bob, &vs[1], "registry.register version 1, stale")?;
    // The virtual channel's record is keyed by its ID bound to its funding (its assets and
    // total), the same for every state of it.
    let v_key = {
        let o = &vs[1].state.outcome;
        let totals: Vec<U256> = o.balances.iter().map(|row| row.iter().sum()).collect();
        sub_channel_key_of(v_id, &o.assets, &totals)
    };
    let timeout = assert_record(&suite, v_key, &vs[1], DISPUTE)?;
    wait_for(
        "the watcher's refutation in the registry",
        &mut watcher,
        || Ok(suite.record(v_key)?.version == 2),
    )?;
    drop(watcher);
    assert_eq!(assert_record(&suite, v_key, &vs[2], DISPUTE)?, timeout);
    // Neither parent is in dispute.
    assert_eq!(suite.record(ai_id)?.stateHash, B256::ZERO);
    assert_eq!(suite.record(ib_id)?.stateHash, B256::ZERO);

    // The registry concludes the virtual channel after its timeout: its outcome is fixed.
    node.advance(CHALLENGE + 1)?;
    suite.registry_conclude(&alice, &vs[2], "registry.conclude alice-bob")?;
    assert_record(&suite, v_key, &vs[2], CONCLUDED)?;

    // alice-ingrid settles on chain from that outcome: registered with the virtual channel's
    // concluded state (a no-op for the record), concluded after its own timeout.
    suite.register(&alice, &ai1, &[&vs[2]], "register alice-ingrid")?;
    node.advance(CHALLENGE + 1)?;
    suite.conclude(&alice, &ai1, &[&vs[2]], "conclude alice-ingrid")?;
    // ingrid-bob settles off chain from the same outcome: a final state both sign.
    let ib2 = Signed::new(
        &pib,
        state(&pib, 2, &asset, &bals(&[1100, 900]), vec![], true),
        &ib,
    );
    suite.conclude_final(&ingrid, &ib2, "concludeFinal ingrid-bob")?;

    // Alice 0.5 + 0.6, Ingrid 0.5 + 0.4 in alice-ingrid; Ingrid 0.5 + 0.6, Bob 0.5 + 0.4 in
    // ingrid-bob: Ingrid receives in one parent what she pays in the other.
    assert!(suite.settled(ai_id)? && suite.settled(ib_id)?);
    let expect = [
        (&alice, ai_id, 1100),
        (&ingrid, ai_id, 900),
        (&ingrid, ib_id, 1100),
        (&bob, ib_id, 900),
    ];
    for &(party, id, milli) in &expect {
        assert_eq!(
            suite.holdings(party, id)?,
            milli_ether(milli),
            "{}",
            party.name
        );
    }
    for &(party, id, milli) in &expect {
        let what = if id == ai_id {
            "withdraw alice-ingrid"
        } else {
            "withdraw ingrid-bob"
        };
        suite.withdraw(party, id, milli_ether(milli), what)?;
        assert_eq!(suite.holdings(party, id)?, U256::ZERO);
    }
    assert_eq!(node.balance(d.asset_holder_eth)?, U256::ZERO);

    let txs = node.transactions()?;
    check_balances(
        node,
        &txs,
        &[
            (&alice, before[0], milli_ether(1000), milli_ether(1100)),
            (&bob, before[1], milli_ether(1000), milli_ether(900)),
            (&ingrid, before[2], milli_ether(2000), milli_ether(2000)),
        ],
    )?;
    let rows = report(
        &run,
        &d,
        "Gas of the virtual-channel run (anvil receipts)",
        &[&alice, &bob, &ingrid],
    )?;
    let refutations: Vec<&GasRow> = rows
        .iter()
        .filter(|r| r.label.starts_with("refutation"))
        .collect();
    assert_eq!(refutations.len(), 1, "{rows:#?}");
    assert_eq!(refutations[0].sender, "alice");
    Ok(())
}

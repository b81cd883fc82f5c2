//! The full dispute flow (deposit, register, refute, conclude, withdraw) on the Stylus programs
//! and on the Solidity mirrors, step by step with the same results, and what it leaves behind.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::hash::{channel_id, funding_id, hash_state};
use perun_channel::native::Signer;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_harness::abi;
use perun_harness::pair::Pair;
use perun_harness::sign::{sign_auth, signed};
use perun_harness::world::{Addresses, Impl, World, CHAIN_ID, START};
use perun_randomizer::test_signer;

const ETH: u128 = 1_000_000_000_000_000_000;

fn eth(n: u128) -> U256 {
    U256::from(n * ETH)
}

struct Channel2 {
    alice: Signer,
    bob: Signer,
    params: Channel::Params,
    id: B256,
}

fn channel(at: &Addresses) -> Channel2 {
    let (alice, bob) = (test_signer(0), test_signer(1));
    let part = |s: &Signer| Channel::Participant {
        ethAddress: s.address(),
        ccAddress: Bytes::new(),
    };
    let params = Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(1),
        participants: vec![part(&alice), part(&bob)],
        app: Address::ZERO,
        ledgerChannel: true,
        virtualChannel: false,
    };
    let _ = at;
    let id = channel_id(&params);
    Channel2 {
        alice,
        bob,
        params,
        id,
    }
}

fn state(c: &Channel2, at: &Addresses, version: u64, a: u128, b: u128) -> Channel::State {
    Channel::State {
        channelID: c.id,
        version,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(CHAIN_ID),
                ethHolder: at.eth_holder,
                ccHolder: Bytes::new(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![eth(a), eth(b)]],
            locked: vec![],
        },
        appData: Bytes::new(),
        isFinal: false,
    }
}

#[test]
fn both_worlds_deploy_at_the_same_addresses() {
    let at = Addresses::new();
    for imp in Impl::ALL {
        let w = World::new(imp, &[]).unwrap_or_else(|e| panic!("{}: {e}", imp.name()));
        for (name, a) in [
            ("adjudicator", at.adjudicator),
            ("registry", at.registry),
            ("eth holder", at.eth_holder),
            ("erc20 holder", at.erc20_holder),
            ("token", at.token),
            ("trivial app", at.trivial_app),
            ("counter app", at.counter_app),
        ] {
            let code = w.chain.code(a);
            assert!(!code.is_empty(), "{}: no code at the {name}", imp.name());
            let stylus = code.starts_with(&[0xef, 0xf0, 0x00]);
            let expect_stylus = imp == Impl::Stylus && !matches!(name, "token" | "counter app");
            assert_eq!(stylus, expect_stylus, "{}: {name}", imp.name());
        }
    }
}

#[test]
fn the_full_dispute_flow_gives_the_same_results_on_stylus_and_solidity() {
    let at = Addresses::new();
    let c = channel(&at);
    let (a, b) = (c.alice.address(), c.bob.address());
    let mut pair = Pair::new(&[a, b]).unwrap_or_else(|e| panic!("{e}"));
    let ids = [c.id, funding_id(c.id, a), funding_id(c.id, b)];
    let mut gas = Vec::new();
    let mut step =
        |pair: &mut Pair, label: &str, from: Address, to: Address, data: Vec<u8>, value: U256| {
            let both = pair
                .call(label, from, to, data, value)
                .unwrap_or_else(|d| panic!("{d}"));
            assert!(both.success(), "{label} failed: {:?}", both.solidity);
            gas.push((
                label.to_string(),
                both.stylus.gas_used,
                both.solidity.gas_used,
            ));
            for p in pair.stylus.chain.evm.stylus.profiles() {
                eprintln!("{label}: {p:?}");
            }
            pair.compare_state(label, &ids, &[a, b])
                .unwrap_or_else(|d| panic!("{d}"));
            both
        };
    let holding = |pair: &mut Pair, id: B256| {
        U256::abi_decode(
            &pair
                .view("holdings", at.eth_holder, abi::holdings(id))
                .unwrap(),
        )
        .unwrap()
    };

    // Deposit: 6 ETH for Alice, 4 for Bob.
    let both = step(
        &mut pair,
        "deposit A",
        a,
        at.eth_holder,
        abi::deposit(ids[1], eth(6)),
        eth(6),
    );
    assert_eq!(both.solidity.logs.len(), 1, "Deposited");
    step(
        &mut pair,
        "deposit B",
        b,
        at.eth_holder,
        abi::deposit(ids[2], eth(4)),
        eth(4),
    );
    assert_eq!(holding(&mut pair, ids[1]), eth(6));
    assert_eq!(holding(&mut pair, ids[2]), eth(4));

    // Register version 1 (6/4), then Bob refutes with version 2 (5/5).
    let v1 = state(&c, &at, 1, 6, 4);
    let v2 = state(&c, &at, 2, 5, 5);
    let signers = [&c.alice, &c.bob];
    step(
        &mut pair,
        "register",
        a,
        at.adjudicator,
        abi::register(&signed(&c.params, &v1, &signers), &[]),
        U256::ZERO,
    );
    let record = pair
        .view("disputes", at.adjudicator, abi::disputes(c.id))
        .unwrap();
    assert_eq!(
        &record[128..160],
        hash_state(&v1).as_slice(),
        "the record holds version 1"
    );
    step(
        &mut pair,
        "refute",
        b,
        at.adjudicator,
        abi::register(&signed(&c.params, &v2, &signers), &[]),
        U256::ZERO,
    );
    let record = pair
        .view("disputes", at.adjudicator, abi::disputes(c.id))
        .unwrap();
    assert_eq!(
        &record[128..160],
        hash_state(&v2).as_slice(),
        "the record holds version 2"
    );
    let timeout = u64::abi_decode(&record[..32]).unwrap();
    assert_eq!(timeout, START + 60);

    // Too early to conclude: the same revert in both.
    let early = pair
        .call(
            "conclude early",
            a,
            at.adjudicator,
            abi::conclude(&c.params, &v2, &[]),
            U256::ZERO,
        )
        .unwrap_or_else(|d| panic!("{d}"));
    assert!(!early.success());
    assert!(!early.output().is_empty(), "a custom error");

    // After the timeout anyone concludes; the holder gets the outcome.
    pair.set_timestamp(timeout + 1);
    let both = step(
        &mut pair,
        "conclude",
        a,
        at.adjudicator,
        abi::conclude(&c.params, &v2, &[]),
        U256::ZERO,
    );
    assert!(
        both.solidity.logs.len() >= 2,
        "ChannelUpdate and OutcomeSet"
    );
    assert_eq!(holding(&mut pair, ids[1]), eth(5));
    assert_eq!(holding(&mut pair, ids[2]), eth(5));

    // Both withdraw their 5 ETH.
    for (who, signer) in [(a, &c.alice), (b, &c.bob)] {
        let auth = WithdrawalAuth {
            channelID: c.id,
            participant: Channel::Participant {
                ethAddress: who,
                ccAddress: Bytes::new(),
            },
            receiver: who,
            amount: eth(5),
        };
        let before = pair.solidity.chain.balance(who);
        step(
            &mut pair,
            "withdraw",
            who,
            at.eth_holder,
            abi::withdraw(&auth, &sign_auth(signer, &auth)),
            U256::ZERO,
        );
        assert_eq!(pair.solidity.chain.balance(who), before + eth(5));
        assert_eq!(
            pair.stylus.chain.balance(who),
            pair.solidity.chain.balance(who)
        );
    }
    assert_eq!(holding(&mut pair, ids[1]), U256::ZERO);
    assert_eq!(pair.solidity.chain.balance(at.eth_holder), U256::ZERO);

    eprintln!("| step | Stylus gas | Solidity gas |");
    for (label, s, o) in gas {
        eprintln!("| {label} | {s} | {o} |");
    }
}

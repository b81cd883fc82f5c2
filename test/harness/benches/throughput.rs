//! Calls per second through the engine, Stylus programs against the Solidity mirrors in the same
//! run: a trivial storage call (an ETH `deposit`: one storage write and a log) and `register` of
//! a 2-party channel (two signature recoveries through the ecrecover precompile). Each call runs
//! in a full transaction; `register` is never committed, so every run does the same work.
//! Modules are compiled once: the run checks that no call re-validates or re-compiles.

use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::hash::channel_id;
use perun_channel::sol::Channel;
use perun_harness::abi;
use perun_harness::sign::signed;
use perun_harness::world::{Addresses, Impl, World, CHAIN_ID};
use perun_randomizer::test_signer;
use std::time::{Duration, Instant};

/// Runs `f` repeatedly for about `budget`; returns calls per second (median of 5 rounds).
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..20 {
        f();
    }
    let mut rates = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < budget / 5 {
            f();
            n += 1;
        }
        rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    rates.sort_by(f64::total_cmp);
    rates[2]
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("PERUN_BENCH_MS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(3000),
    );
    let (alice, bob) = (test_signer(0), test_signer(1));
    let at = Addresses::new();
    let part = |a: Address| Channel::Participant {
        ethAddress: a,
        ccAddress: Bytes::new(),
    };
    let params = Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(7),
        participants: vec![part(alice.address()), part(bob.address())],
        app: Address::ZERO,
        ledgerChannel: true,
        virtualChannel: false,
    };
    let id = channel_id(&params);
    let state = Channel::State {
        channelID: id,
        version: 1,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(CHAIN_ID),
                ethHolder: at.eth_holder,
                ccHolder: Bytes::new(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![U256::from(5), U256::from(5)]],
            locked: vec![],
        },
        appData: Bytes::new(),
        isFinal: false,
    };
    let register = abi::register(&signed(&params, &state, &[&alice, &bob]), &[]);
    let deposit = abi::deposit(B256::repeat_byte(0x11), U256::from(1));

    println!("| call | Stylus calls/s | Solidity calls/s | Stylus/Solidity |");
    println!("|---|---:|---:|---:|");
    let mut rows: Vec<(&str, [f64; 2])> = vec![
        ("deposit (storage write)", [0.0; 2]),
        ("register, 2 parties", [0.0; 2]),
    ];
    for (i, imp) in Impl::ALL.into_iter().enumerate() {
        let mut w = World::new(imp, &[alice.address()]).expect("the world deploys");
        let a = alice.address();
        // The first call of each program compiles it; afterwards nothing may compile again.
        assert!(
            w.chain
                .call(a, at.eth_holder, deposit.clone(), U256::from(1))
                .success
        );
        assert!(w.chain.view(a, at.adjudicator, register.clone()).success);
        let compiled = w.chain.evm.stylus.compilations();
        rows[0].1[i] = rate(budget, || {
            let o = w
                .chain
                .call(a, at.eth_holder, deposit.clone(), U256::from(1));
            assert!(o.success);
        });
        rows[1].1[i] = rate(budget, || {
            let o = w.chain.view(a, at.adjudicator, register.clone());
            assert!(o.success);
        });
        assert_eq!(
            w.chain.evm.stylus.compilations(),
            compiled,
            "a call recompiled a module"
        );
    }
    for (name, [s, o]) in rows {
        println!("| {name} | {s:.0} | {o:.0} | {:.2} |", s / o);
    }
}

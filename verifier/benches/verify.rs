//! Benchmark: fully signed 2-party states verified per second per core (channel ID, state hash
//! and two recoveries, through the calldata views, as `register` checks them) beside raw
//! libsecp256k1 recovery measured in the same run, and the speed-up of rayon on 2 threads.
//!
//! Run with `cargo bench -p perun-verifier --bench verify`. The goals: a state rate of at least
//! 0.9 of half the raw recovery rate (a state needs two recoveries: everything else is
//! negligible), and a speed-up of at least 1.8 on 2 cores.

use alloy_primitives::{Address, U256};
use perun_channel::hash;
use perun_channel::native::Signer;
use perun_channel::sig::Signature;
use perun_channel::sol::Channel;
use perun_verifier::check::verify_many;
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, SECP256K1};
use std::hint::black_box;
use std::time::{Duration, Instant};

const STATES: usize = 2_000;
const ROUNDS: usize = 9;

fn signer(i: u8) -> Signer {
    Signer::from_bytes(&[i + 1; 32]).expect("valid key")
}

/// `n` distinct 2-party ledger states with one ETH asset, signed by both.
fn signed_states(n: usize) -> Vec<Channel::SignedState> {
    let parts = [signer(0), signer(1)];
    let params = Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(7),
        participants: parts
            .iter()
            .map(|s| Channel::Participant {
                ethAddress: s.address(),
                ccAddress: Default::default(),
            })
            .collect(),
        app: Address::ZERO,
        ledgerChannel: true,
        virtualChannel: false,
    };
    let id = hash::channel_id(&params);
    (0..n)
        .map(|i| {
            let state = Channel::State {
                channelID: id,
                version: i as u64,
                outcome: Channel::Allocation {
                    assets: vec![Channel::Asset {
                        chainID: U256::from(42161),
                        ethHolder: Address::repeat_byte(0xee),
                        ccHolder: Default::default(),
                    }],
                    backends: vec![U256::ZERO],
                    balances: vec![vec![
                        U256::from(i),
                        U256::from(3 * 10u64.pow(18) - i as u64),
                    ]],
                    locked: vec![],
                },
                appData: Default::default(),
                isFinal: false,
            };
            let digest = hash::eth_signed_digest(hash::hash_state(&state));
            let sigs = parts
                .iter()
                .map(|s| s.sign_digest(&digest).to_bytes().to_vec().into())
                .collect();
            Channel::SignedState {
                params: params.clone(),
                state,
                sigs,
            }
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let states = signed_states(STATES);
    assert!(
        verify_many(&states).iter().all(Result::is_ok),
        "the states verify"
    );

    // Raw recovery: the prepared libsecp256k1 call alone, over the same signatures.
    let prepared: Vec<(Message, RecoverableSignature)> = states
        .iter()
        .flat_map(|s| {
            let digest = hash::eth_signed_digest(hash::hash_state(&s.state));
            s.sigs
                .iter()
                .map(move |b| {
                    let sig = Signature::parse(b).expect("valid signature");
                    let mut compact = [0u8; 64];
                    compact[..32].copy_from_slice(sig.r.as_slice());
                    compact[32..].copy_from_slice(sig.s.as_slice());
                    let id = RecoveryId::try_from(i32::from(sig.v) - 27).expect("27 or 28");
                    let rsig = RecoverableSignature::from_compact(&compact, id).expect("valid");
                    (Message::from_digest(digest.0), rsig)
                })
                .collect::<Vec<_>>()
        })
        .collect();

    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a pool");
    let two = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a pool");

    // Interleave the measurements so a busy machine slows them alike.
    let (mut raw, mut t1, mut t2) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for (m, s) in &prepared {
            black_box(
                SECP256K1
                    .recover_ecdsa(black_box(*m), black_box(s))
                    .expect("recovers"),
            );
        }
        raw.push(t.elapsed() / prepared.len() as u32);
        let t = Instant::now();
        black_box(one.install(|| verify_many(black_box(&states))));
        t1.push(t.elapsed());
        let t = Instant::now();
        black_box(two.install(|| verify_many(black_box(&states))));
        t2.push(t.elapsed());
    }
    let (raw, t1, t2) = (median(raw), median(t1), median(t2));
    let raw_rate = 1.0 / raw.as_secs_f64();
    let rate1 = STATES as f64 / t1.as_secs_f64();
    let rate2 = STATES as f64 / t2.as_secs_f64();
    println!(
        "raw libsecp256k1 recovery:            {:>9.2} µs  ({raw_rate:>8.0} /s)",
        raw.as_secs_f64() * 1e6
    );
    println!(
        "2-party states verified, 1 thread:    {:>9.2} µs  ({rate1:>8.0} /s per core)",
        t1.as_secs_f64() * 1e6 / STATES as f64
    );
    println!(
        "2-party states verified, 2 threads:   {:>9.2} µs  ({rate2:>8.0} /s)",
        t2.as_secs_f64() * 1e6 / STATES as f64
    );
    println!(
        "state rate / (raw rate / 2):          {:>9.3}     (goal >= 0.9)",
        rate1 / (raw_rate / 2.0)
    );
    println!(
        "speed-up on 2 threads:                {:>9.3}     (goal >= 1.8)",
        rate2 / rate1
    );
    println!(
        "cores available:                      {:>9}",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
}

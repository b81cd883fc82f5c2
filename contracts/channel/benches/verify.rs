//! Benchmark: verifying a fully signed 2-party state (channel ID, state hash, 2 recoveries)
//! beside raw libsecp256k1 recovery, measured in the same run.
//!
//! Run with `cargo bench -p perun-channel --bench verify`. Prints the median time per operation
//! over repeated batches and the share of the verification that is signature recovery.

use alloy_primitives::{Address, U256};
use perun_channel::native::{verify_signed_state, Signer};
use perun_channel::sol::Channel;
use perun_channel::{hash, sig::Signature};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, SECP256K1};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn signer(i: u8) -> Signer {
    Signer::from_bytes(&[i + 1; 32]).expect("valid key")
}

/// A 2-party ledger channel with one ETH asset, signed by both.
fn signed_state() -> Channel::SignedState {
    let parts: Vec<_> = (0..2).map(signer).collect();
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
    let state = Channel::State {
        channelID: hash::channel_id(&params),
        version: 3,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(42161),
                ethHolder: Address::repeat_byte(0xee),
                ccHolder: Default::default(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![
                U256::from(10u64.pow(18)),
                U256::from(2 * 10u64.pow(18)),
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
        params,
        state,
        sigs,
    }
}

/// The median time of one call of `f`, over batches of about 100 ms after a warm-up.
fn median_per_op(mut f: impl FnMut()) -> Duration {
    let mut batch = 1u32;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed() > Duration::from_millis(100) {
            break;
        }
        batch *= 2;
    }
    let mut samples: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..batch {
                f();
            }
            t.elapsed() / batch
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn main() {
    let signed = signed_state();
    assert!(
        verify_signed_state(&signed).is_ok(),
        "the benchmark state verifies"
    );

    // Raw recovery: the prepared libsecp256k1 call alone, as `recover_ecdsa` takes it.
    let digest = hash::eth_signed_digest(hash::hash_state(&signed.state));
    let sig = Signature::parse(&signed.sigs[0]).expect("valid signature");
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(sig.r.as_slice());
    compact[32..].copy_from_slice(sig.s.as_slice());
    let rsig = RecoverableSignature::from_compact(
        &compact,
        RecoveryId::try_from(i32::from(sig.v) - 27).unwrap(),
    )
    .expect("valid signature");
    let msg = Message::from_digest(digest.0);

    let raw = median_per_op(|| {
        black_box(
            SECP256K1
                .recover_ecdsa(black_box(msg), black_box(&rsig))
                .unwrap(),
        );
    });
    let verify = median_per_op(|| {
        black_box(verify_signed_state(black_box(&signed)).unwrap());
    });
    let per_sec = |d: Duration| 1.0 / d.as_secs_f64();
    println!(
        "raw libsecp256k1 recovery:        {:>9.2} µs  ({:>8.0} /s)",
        raw.as_secs_f64() * 1e6,
        per_sec(raw)
    );
    println!(
        "verify 2-party signed state:      {:>9.2} µs  ({:>8.0} /s)",
        verify.as_secs_f64() * 1e6,
        per_sec(verify)
    );
    println!(
        "recovery share of verification:   {:>9.1} %   (2 recoveries / verification)",
        200.0 * raw.as_secs_f64() / verify.as_secs_f64()
    );
}

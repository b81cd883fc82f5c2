//! The canonical-layout check of hashed structs: every encoding an ABI encoder produces passes
//! and hashes as `abi.encode`; layouts that decode to the same values but place, pad or dirty
//! anything differently are refused.

use alloy_primitives::{keccak256, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::calldata::{DecodeErrorKind, ParamsRef, StateRef, View, WithdrawalAuthRef};
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer as rnd;
use proptest::prelude::*;

/// The word at `pos` as a number.
fn word(enc: &[u8], pos: usize) -> usize {
    U256::from_be_slice(&enc[pos..pos + 32]).to::<usize>()
}

fn set_word(enc: &mut [u8], pos: usize, v: usize) {
    enc[pos..pos + 32].copy_from_slice(&U256::from(v).to_be_bytes::<32>());
}

/// `enc` (with `abi.encode`'s leading 0x20 word) with 32 zero bytes inserted at `at`, and the
/// offsets in `fix` (positions of offset words, before the insertion) moved past it.
fn with_gap(enc: &[u8], at: usize, fix: &[usize]) -> Vec<u8> {
    let mut out = enc.to_vec();
    for &pos in fix {
        let v = word(&out, pos);
        set_word(&mut out, pos, v + 32);
    }
    out.splice(at..at, [0u8; 32]);
    out
}

fn state_check(enc: &[u8]) -> Result<(), DecodeErrorKind> {
    StateRef::at(enc, 32)
        .unwrap()
        .check_canonical()
        .map_err(|e| e.kind)
}

fn params_check(enc: &[u8]) -> Result<(), DecodeErrorKind> {
    ParamsRef::at(enc, 32)
        .unwrap()
        .check_canonical()
        .map_err(|e| e.kind)
}

fn auth() -> impl Strategy<Value = WithdrawalAuth> {
    (rnd::b256(), rnd::participant(), rnd::address(), rnd::uint()).prop_map(
        |(channel_id, participant, receiver, amount)| WithdrawalAuth {
            channelID: channel_id,
            participant,
            receiver,
            amount,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn canonical_encodings_pass_and_hash_as_abi_encode((params, state) in rnd::channel(), a in auth()) {
        let p = params.abi_encode();
        prop_assert_eq!(params_check(&p), Ok(()));
        prop_assert_eq!(ParamsRef::at(&p, 32).unwrap().id().unwrap(), keccak256(&p));
        let s = state.abi_encode();
        prop_assert_eq!(state_check(&s), Ok(()));
        prop_assert_eq!(StateRef::at(&s, 32).unwrap().hash().unwrap(), keccak256(&s));
        let w = a.abi_encode();
        prop_assert_eq!(WithdrawalAuthRef::at(&w, 32).unwrap().hash().unwrap(), keccak256(&w));
    }

    #[test]
    fn a_state_laid_out_otherwise_is_refused((_, state) in rnd::channel(), which in 0usize..6) {
        let enc = state.abi_encode();
        let base = 32;
        let outcome = base + word(&enc, base + 64);
        let app_data = base + word(&enc, base + 96);
        let mutated = match which {
            // The outcome's tail after appData's (finding 2).
            0 => {
                let mut head = enc[..base + 0xa0].to_vec();
                let tail_out = &enc[outcome..app_data];
                let tail_app = &enc[app_data..];
                set_word(&mut head, base + 64, 0xa0 + tail_app.len());
                set_word(&mut head, base + 96, 0xa0);
                [head, tail_app.to_vec(), tail_out.to_vec()].concat()
            }
            // A gap between the head and the outcome.
            1 => with_gap(&enc, outcome, &[base + 64, base + 96]),
            // A gap between the outcome and appData.
            2 => with_gap(&enc, app_data, &[base + 96]),
            // A gap inside the allocation, after its head (its four offsets move).
            3 => with_gap(
                &enc,
                outcome + 0x80,
                &[base + 96, outcome, outcome + 32, outcome + 64, outcome + 96],
            ),
            // A dirty version word (a uint64 with bit 64 set).
            4 => {
                let mut e = enc.clone();
                e[base + 32 + 23] |= 1;
                e
            }
            // Bytes after the end of appData's length word made non-zero: padding if appData
            // does not fill its last word, else an extra word that no decoder reads.
            _ => {
                let mut e = enc.clone();
                e.extend_from_slice(&[0u8; 32]);
                let len = word(&e, app_data);
                let end = app_data + 32 + len.div_ceil(32) * 32;
                if !len.is_multiple_of(32) {
                    e[end - 1] = 7;
                    e.truncate(end);
                    e
                } else {
                    // An extra word is no layout change of the state itself: give it a gap
                    // before appData instead.
                    with_gap(&enc, app_data, &[base + 96])
                }
            }
        };
        prop_assert_ne!(&mutated, &enc);
        prop_assert!(state_check(&mutated).is_err(), "mutation {} passed", which);
        if which != 4 {
            // The same values: an ABI decoder reads the mutated bytes as the original state.
            let decoded = Channel::State::abi_decode(&mutated).unwrap();
            prop_assert_eq!(decoded, state);
        }
    }

    #[test]
    fn params_laid_out_otherwise_are_refused((params, _) in rnd::channel(), which in 0usize..3) {
        let enc = params.abi_encode();
        let base = 32;
        let parts = base + 0xc0;
        let n = word(&enc, parts);
        let mutated = match which {
            // A gap between the head and the participants.
            0 => with_gap(&enc, parts, &[base + 64]),
            // A dirty bool.
            1 => {
                let mut e = enc.clone();
                e[base + 0x80 + 30] = 1;
                e
            }
            // The first participant placed after the others (offsets permuted), when there
            // are several; else a gap after the offsets.
            _ if n >= 2 => {
                let slots = parts + 32;
                let first = slots + word(&enc, slots);
                let second = slots + word(&enc, slots + 32);
                let moved = enc[first..second].to_vec();
                let mut e = enc.clone();
                e.drain(first..second);
                let shift = second - first;
                for i in 1..n {
                    let v = word(&e, slots + 32 * i);
                    set_word(&mut e, slots + 32 * i, v - shift);
                }
                let at = e.len() - slots;
                set_word(&mut e, slots, at);
                e.extend_from_slice(&moved);
                e
            }
            _ => with_gap(&enc, parts + 32 + 32 * n, &[]),
        };
        prop_assert_ne!(&mutated, &enc);
        prop_assert!(params_check(&mutated).is_err(), "mutation {} passed", which);
        if which != 1 && n >= 1 {
            let decoded = Channel::Params::abi_decode(&mutated).unwrap();
            prop_assert_eq!(decoded, params);
        }
    }
}

#[test]
fn a_withdrawal_authorization_with_a_gap_is_refused() {
    let a = WithdrawalAuth {
        channelID: B256::repeat_byte(1),
        participant: Channel::Participant {
            ethAddress: rnd::test_signer(0).address(),
            ccAddress: vec![1, 2, 3].into(),
        },
        receiver: rnd::test_signer(1).address(),
        amount: U256::from(5),
    };
    let enc = a.abi_encode();
    let gapped = with_gap(&enc, 32 + 0x80, &[32 + 32]);
    assert_eq!(WithdrawalAuth::abi_decode(&gapped).unwrap(), a);
    let e = WithdrawalAuthRef::at(&gapped, 32)
        .unwrap()
        .hash()
        .unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::NonCanonical);
    let mut dirty = enc.clone();
    let n = dirty.len();
    dirty[n - 1] = 9;
    let e = WithdrawalAuthRef::at(&dirty, 32)
        .unwrap()
        .hash()
        .unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::NonCanonical);
}

//! Bad input: every decoder takes random and mutated bytes without panicking, and each kind of
//! malformed data gets its typed error.

use alloy_primitives::U256;
use alloy_sol_types::SolValue;
use perun_channel::calldata::{
    ArrayRef, BytesRef, Decode, DecodeError, DecodeErrorKind, Encoded, ParamsRef, SignedStateRef,
    StateRef, WithdrawalAuthRef,
};
use perun_channel::hash;
use perun_channel::sig::Signature;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer as rnd;
use proptest::prelude::*;

/// Decodes `data` at `pos` as every view type and, where that succeeds, reads every field and
/// hashes the encodings: none of it may panic.
fn decode_everything(data: &[u8], pos: usize) {
    if let Ok(v) = ParamsRef::decode(data, pos) {
        let _ = Channel::Params::from(v);
        let _ = hash::hash_encoded(&v);
    }
    if let Ok(v) = StateRef::decode(data, pos) {
        let _ = Channel::State::from(v);
        let _ = hash::hash_encoded(&v);
    }
    if let Ok(v) = SignedStateRef::decode(data, pos) {
        let _ = Channel::SignedState::from(v);
        let _ = hash::hash_encoded(&v.params());
        let _ = hash::hash_encoded(&v.state());
    }
    if let Ok(v) = WithdrawalAuthRef::decode(data, pos) {
        let _ = WithdrawalAuth::from(v);
        let _ = hash::hash_encoded(&v);
    }
    if let Ok(v) = ArrayRef::<SignedStateRef>::decode(data, pos) {
        for s in v.iter() {
            let _ = Channel::SignedState::from(s);
        }
    }
    if let Ok(v) = ArrayRef::<StateRef>::decode(data, pos) {
        for s in v.iter() {
            let _ = hash::hash_encoded(&s);
        }
    }
    if let Ok(v) = ArrayRef::<BytesRef>::decode(data, pos) {
        for s in v.iter() {
            let _ = Signature::parse(s.as_slice());
        }
    }
    let _ = Signature::parse(data);
    let _ = Channel::SignedState::abi_decode(data);
    let _ = Channel::State::abi_decode(data);
}

/// A valid `abi.encode(signedState)`.
fn signed_state_encoding() -> impl Strategy<Value = Vec<u8>> {
    rnd::channel().prop_map(|(params, state)| {
        let sigs = (0..params.participants.len())
            .map(|i| vec![i as u8; 65].into())
            .collect();
        Channel::SignedState {
            params,
            state,
            sigs,
        }
        .abi_encode()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn random_bytes_never_panic_a_decoder(data in proptest::collection::vec(any::<u8>(), 0..600), pos in 0usize..64) {
        decode_everything(&data, pos);
    }

    #[test]
    fn mutated_encodings_never_panic_a_decoder(
        enc in signed_state_encoding(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let mut data = enc;
        for (at, byte) in edits {
            let i = at.index(data.len());
            data[i] = byte;
        }
        if truncate {
            data.truncate(cut.index(data.len()));
        }
        decode_everything(&data, 32);
    }

    #[test]
    fn word_aligned_mutations_of_offsets_never_panic_a_decoder(
        enc in signed_state_encoding(),
        word in any::<prop::sample::Index>(),
        value in prop_oneof![Just(U256::MAX), Just(U256::from(u32::MAX)), Just(U256::from(1u64 << 32)), (0u64..4096).prop_map(U256::from)],
    ) {
        let mut data = enc;
        let w = word.index(data.len() / 32);
        data[w * 32..w * 32 + 32].copy_from_slice(&value.to_be_bytes::<32>());
        decode_everything(&data, 32);
    }
}

fn state_encoding() -> Vec<u8> {
    let params = Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(1),
        participants: vec![],
        app: Default::default(),
        ledgerChannel: true,
        virtualChannel: false,
    };
    Channel::State {
        channelID: hash::channel_id(&params),
        version: 3,
        outcome: Channel::Allocation {
            assets: vec![],
            backends: vec![],
            balances: vec![vec![U256::from(5)]],
            locked: vec![],
        },
        appData: vec![1, 2, 3].into(),
        isFinal: false,
    }
    .abi_encode()
}

fn kind(r: Result<StateRef, DecodeError>) -> Option<DecodeErrorKind> {
    r.err().map(|e| e.kind)
}

fn set_word(data: &mut [u8], pos: usize, v: U256) {
    data[pos..pos + 32].copy_from_slice(&v.to_be_bytes::<32>());
}

#[test]
fn an_offset_past_the_end_is_out_of_bounds() {
    let mut data = state_encoding();
    // State head: channelID, version, outcome offset, appData offset, isFinal.
    let len = data.len();
    set_word(&mut data, 32 + 96, U256::from(len));
    let err = StateRef::decode(&data, 32).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::OutOfBounds);
    assert!(
        err.to_string().contains("data ends before the value does"),
        "{err}"
    );
}

#[test]
fn an_offset_of_2_to_the_32_is_too_large() {
    let mut data = state_encoding();
    set_word(&mut data, 32 + 64, U256::from(1u64 << 32));
    assert_eq!(
        StateRef::decode(&data, 32).unwrap_err(),
        DecodeError {
            kind: DecodeErrorKind::TooLarge,
            at: 32 + 64
        }
    );
}

#[test]
fn an_array_length_that_overflows_is_rejected() {
    let mut data = state_encoding();
    // The appData length word: the bytes value's content would run far past the end.
    let off = u32::from_be_bytes(data[32 + 96 + 28..32 + 128].try_into().unwrap()) as usize;
    set_word(&mut data, 32 + off, U256::from(u32::MAX));
    assert_eq!(
        kind(StateRef::decode(&data, 32)),
        Some(DecodeErrorKind::OutOfBounds)
    );
    set_word(&mut data, 32 + off, U256::MAX);
    assert_eq!(
        kind(StateRef::decode(&data, 32)),
        Some(DecodeErrorKind::TooLarge)
    );
}

#[test]
fn dirty_value_words_are_rejected_by_type() {
    let base = state_encoding();
    let mut data = base.clone();
    data[32 + 32 + 23] = 1; // version: a bit above bit 63
    assert_eq!(
        kind(StateRef::decode(&data, 32)),
        Some(DecodeErrorKind::DirtyUint64)
    );
    let mut data = base.clone();
    data[32 + 128 + 31] = 2; // isFinal = 2
    assert_eq!(
        kind(StateRef::decode(&data, 32)),
        Some(DecodeErrorKind::DirtyBool)
    );

    let auth = WithdrawalAuth {
        channelID: Default::default(),
        participant: Channel::Participant {
            ethAddress: Default::default(),
            ccAddress: vec![].into(),
        },
        receiver: Default::default(),
        amount: U256::from(1),
    };
    let mut data = auth.abi_encode();
    data[32 + 64] = 1; // receiver: upper bytes
    assert_eq!(
        WithdrawalAuthRef::decode(&data, 32).unwrap_err().kind,
        DecodeErrorKind::DirtyAddress
    );

    let sub = Channel::SubAlloc {
        ID: Default::default(),
        balances: vec![],
        indexMap: vec![1],
    };
    let mut data = sub.abi_encode();
    let last = data.len() - 32;
    data[last + 29] = 1; // indexMap[0] above 16 bits
    assert_eq!(
        perun_channel::calldata::SubAllocRef::decode(&data, 32)
            .unwrap_err()
            .kind,
        DecodeErrorKind::DirtyUint16
    );
}

#[test]
fn truncated_data_is_out_of_bounds_at_every_length() {
    let data = state_encoding();
    for len in 32..data.len() {
        let r = StateRef::decode(&data[..len], 32);
        assert_eq!(kind(r), Some(DecodeErrorKind::OutOfBounds), "length {len}");
    }
    assert!(StateRef::decode(&data, 32).is_ok());
}

#[test]
fn missing_padding_after_the_last_bytes_value_is_out_of_bounds() {
    // The encoding of a state ends with appData's padding; without it the hashed span would
    // reach past the data.
    let data = state_encoding();
    let unpadded = &data[..data.len() - 29];
    let err = StateRef::decode(unpadded, 32).unwrap_err();
    assert_eq!(err.kind, DecodeErrorKind::OutOfBounds);
    let s = StateRef::decode(&data, 32).unwrap();
    assert_eq!(s.encoding().len(), data.len() - 32);
}

//! Bad input: the views take random and mutated bytes without panicking, and each kind of
//! malformed data gets its typed error.

use alloy_primitives::U256;
use alloy_sol_types::SolValue;
use perun_channel::calldata::{
    ArrayRef, BytesRef, DecodeError, DecodeErrorKind, ParamsRef, SignedStateRef, StateRef,
    SubAllocRef, View, WithdrawalAuthRef,
};
use perun_channel::hash;
use perun_channel::sig::Signature;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer as rnd;
use proptest::prelude::*;

/// Views `data` at `pos` as every type and reads every field and hash: none of it may panic.
fn read_everything(data: &[u8], pos: u64) {
    let _ = ParamsRef::at(data, pos).map(|v| (Channel::Params::try_from(v), v.id()));
    let _ = StateRef::at(data, pos).map(|v| (Channel::State::try_from(v), v.hash()));
    let _ = SignedStateRef::at(data, pos).map(|v| {
        let _ = Channel::SignedState::try_from(v);
        let _ = v.params().map(|p| p.id());
        let _ = v.state().map(|s| s.hash());
    });
    let _ = WithdrawalAuthRef::at(data, pos).map(|v| (WithdrawalAuth::try_from(v), v.decode()));
    if let Ok(a) = ArrayRef::<SignedStateRef>::at(data, pos) {
        for i in 0..a.len() {
            let _ = a.get(i).map(Channel::SignedState::try_from);
        }
    }
    if let Ok(a) = ArrayRef::<StateRef>::at(data, pos) {
        for i in 0..a.len() {
            let _ = a.get(i).map(|s| s.hash());
        }
    }
    if let Ok(a) = ArrayRef::<BytesRef>::at(data, pos) {
        for i in 0..a.len() {
            let _ = a.get(i).map(|b| Signature::parse(b.as_slice()));
        }
    }
    let _ = Signature::parse(data);
    let _ = Channel::SignedState::abi_decode(data);
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
    fn random_bytes_never_panic_a_view(data in proptest::collection::vec(any::<u8>(), 0..600), pos in 0u64..64) {
        read_everything(&data, pos);
    }

    #[test]
    fn mutated_encodings_never_panic_a_view(
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
        read_everything(&data, 32);
    }

    #[test]
    fn word_aligned_mutations_of_offsets_never_panic_a_view(
        enc in signed_state_encoding(),
        word in any::<prop::sample::Index>(),
        value in prop_oneof![Just(U256::MAX), Just(U256::from(u32::MAX)), Just(U256::from(1u64 << 32)), (0u64..4096).prop_map(U256::from)],
    ) {
        let mut data = enc;
        let w = word.index(data.len() / 32);
        data[w * 32..w * 32 + 32].copy_from_slice(&value.to_be_bytes::<32>());
        read_everything(&data, 32);
    }
}

fn state_encoding() -> Vec<u8> {
    Channel::State {
        channelID: Default::default(),
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

fn set_word(data: &mut [u8], pos: usize, v: U256) {
    data[pos..pos + 32].copy_from_slice(&v.to_be_bytes::<32>());
}

fn state(data: &[u8]) -> StateRef<'_> {
    StateRef::at(data, 32).unwrap()
}

#[test]
fn an_offset_past_the_end_is_out_of_bounds_when_read() {
    let mut data = state_encoding();
    let len = data.len();
    // State head: channelID, version, outcome offset, appData offset, isFinal.
    set_word(&mut data, 32 + 96, U256::from(len));
    let s = state(&data);
    // Fields that do not touch appData still read; appData and the hash do not.
    assert_eq!(s.version(), Ok(3));
    let e = s.app_data().unwrap_err();
    assert_eq!(e.kind, DecodeErrorKind::OutOfBounds);
    assert!(
        e.to_string().contains("data ends before the value does"),
        "{e}"
    );
    assert_eq!(s.hash().unwrap_err().kind, DecodeErrorKind::OutOfBounds);
    // The canonical-layout check fails where appData should start.
    assert_eq!(
        s.check_canonical().unwrap_err().kind,
        DecodeErrorKind::NonCanonical
    );
}

#[test]
fn an_offset_of_2_to_the_32_is_too_large() {
    let mut data = state_encoding();
    set_word(&mut data, 32 + 64, U256::from(1u64 << 32));
    assert_eq!(
        state(&data).outcome().unwrap_err(),
        DecodeError {
            kind: DecodeErrorKind::TooLarge,
            at: 32 + 64
        }
    );
}

#[test]
fn an_array_length_that_overflows_is_rejected() {
    let mut data = state_encoding();
    let off = u32::from_be_bytes(data[32 + 96 + 28..32 + 128].try_into().unwrap()) as usize;
    set_word(&mut data, 32 + off, U256::from(u32::MAX));
    assert_eq!(
        state(&data).app_data().unwrap_err().kind,
        DecodeErrorKind::OutOfBounds
    );
    set_word(&mut data, 32 + off, U256::MAX);
    assert_eq!(
        state(&data).app_data().unwrap_err().kind,
        DecodeErrorKind::TooLarge
    );
}

#[test]
fn dirty_value_words_are_rejected_by_type() {
    let base = state_encoding();
    let mut data = base.clone();
    data[32 + 32 + 23] = 1; // version: a bit above bit 63
    assert_eq!(
        state(&data).version().unwrap_err().kind,
        DecodeErrorKind::DirtyUint64
    );
    let mut data = base.clone();
    data[32 + 128 + 31] = 2; // isFinal = 2
    assert_eq!(
        state(&data).is_final().unwrap_err().kind,
        DecodeErrorKind::DirtyBool
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
    let a = WithdrawalAuthRef::at(&data, 32).unwrap();
    assert_eq!(
        a.receiver().unwrap_err().kind,
        DecodeErrorKind::DirtyAddress
    );
    assert_eq!(a.decode().unwrap_err().kind, DecodeErrorKind::DirtyAddress);

    let sub = Channel::SubAlloc {
        ID: Default::default(),
        balances: vec![],
        indexMap: vec![1],
    };
    let mut data = sub.abi_encode();
    let last = data.len() - 32;
    data[last + 29] = 1; // indexMap[0] above 16 bits
    let map = SubAllocRef::at(&data, 32).unwrap().index_map().unwrap();
    assert_eq!(map.get(0).unwrap_err().kind, DecodeErrorKind::DirtyUint16);
}

#[test]
fn truncated_data_fails_the_hash_at_every_length() {
    let data = state_encoding();
    for len in 32..data.len() {
        assert!(state(&data[..len]).hash().is_err(), "length {len}");
    }
    assert_eq!(
        state(&data).hash().unwrap(),
        alloy_primitives::keccak256(&data)
    );
}

#[test]
fn missing_padding_after_the_last_bytes_value_is_out_of_bounds() {
    // The encoding of a state ends with appData's padding; without it the hashed span would
    // reach past the data.
    let data = state_encoding();
    let unpadded = &data[..data.len() - 29];
    assert!(
        state(unpadded).app_data().is_ok(),
        "the content itself is inside"
    );
    assert_eq!(
        state(unpadded).hash().unwrap_err().kind,
        DecodeErrorKind::OutOfBounds
    );
    assert_eq!(state(&data).encoding().unwrap().len(), data.len() - 32);
    let _ = hash::eth_signed_digest(state(&data).hash().unwrap());
}

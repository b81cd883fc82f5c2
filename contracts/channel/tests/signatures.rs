//! Signatures: sign/recover round trips, and every malformed signature gets its typed error.

use alloy_primitives::{Address, B256, U256};
use perun_channel::checks::check_signature;
use perun_channel::native::recover;
use perun_channel::sig::{SigError, Signature, HALF_ORDER};
use perun_channel::{hash, Error};
use perun_randomizer as rnd;
use proptest::prelude::*;

/// secp256k1's group order n.
fn order() -> U256 {
    (HALF_ORDER << 1) + U256::from(1)
}

fn native(d: &B256, s: &Signature) -> Option<Address> {
    recover(d, s).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn signatures_recover_to_their_signer(key in 0u64..1000, hash in rnd::b256()) {
        let signer = rnd::test_signer(key);
        let digest = hash::eth_signed_digest(hash);
        let sig = signer.sign_digest(&digest);
        prop_assert!(U256::from_be_bytes(sig.s.0) <= HALF_ORDER, "low s");
        prop_assert!(sig.v == 27 || sig.v == 28);
        prop_assert_eq!(Signature::parse(&sig.to_bytes()), Ok(sig));
        prop_assert_eq!(recover(&digest, &sig), Ok(signer.address()));
        prop_assert_eq!(check_signature(3, &digest, &sig.to_bytes(), signer.address(), native), Ok(()));
    }

    #[test]
    fn a_signature_by_another_key_is_a_wrong_signer(hash in rnd::b256()) {
        let digest = hash::eth_signed_digest(hash);
        let sig = rnd::test_signer(1).sign_digest(&digest).to_bytes();
        prop_assert_eq!(
            check_signature(1, &digest, &sig, rnd::test_signer(2).address(), native),
            Err(Error::WrongSigner { index: 1 })
        );
    }

    #[test]
    fn signing_is_deterministic(key in 0u64..1000, hash in rnd::b256()) {
        let s = rnd::test_signer(key);
        prop_assert_eq!(s.sign_digest(&hash), s.sign_digest(&hash));
    }
}

fn good() -> (B256, [u8; 65]) {
    let digest = hash::eth_signed_digest(B256::repeat_byte(7));
    (digest, rnd::test_signer(0).sign_digest(&digest).to_bytes())
}

#[test]
fn signatures_of_64_and_66_bytes_are_rejected_with_their_length() {
    let (_, sig) = good();
    assert_eq!(Signature::parse(&sig[..64]), Err(SigError::Length(64)));
    let mut long = sig.to_vec();
    long.push(0);
    assert_eq!(Signature::parse(&long), Err(SigError::Length(66)));
    assert_eq!(Signature::parse(&[]), Err(SigError::Length(0)));
}

#[test]
fn v_of_0_1_and_29_is_rejected_with_its_value() {
    let (_, mut sig) = good();
    for v in [0u8, 1, 29, 255] {
        sig[64] = v;
        assert_eq!(Signature::parse(&sig), Err(SigError::V(v)));
    }
}

#[test]
fn a_high_s_signature_is_rejected() {
    let (digest, sig) = good();
    let parsed = Signature::parse(&sig).unwrap();
    // The other valid signature of the same digest: (r, n - s) with v flipped.
    let high_s = order() - U256::from_be_bytes(parsed.s.0);
    let mut malleated = sig;
    malleated[32..64].copy_from_slice(&high_s.to_be_bytes::<32>());
    malleated[64] = if sig[64] == 27 { 28 } else { 27 };
    assert_eq!(Signature::parse(&malleated), Err(SigError::HighS));
    // It would recover to the same signer if it were accepted: that is why it is not.
    let raw = Signature {
        r: parsed.r,
        s: B256::from(high_s.to_be_bytes::<32>()),
        v: malleated[64],
    };
    assert_eq!(recover(&digest, &raw), Ok(rnd::test_signer(0).address()));
    // Exactly half the order is still low.
    let mut edge = sig;
    edge[32..64].copy_from_slice(&HALF_ORDER.to_be_bytes::<32>());
    assert_ne!(Signature::parse(&edge), Err(SigError::HighS));
}

#[test]
fn a_signature_that_recovers_to_no_address_is_unrecoverable() {
    let (digest, mut sig) = good();
    // r = 0 is not a point: ecrecover returns nothing.
    sig[..32].fill(0);
    assert_eq!(
        check_signature(0, &digest, &sig, rnd::test_signer(0).address(), native),
        Err(Error::Signature {
            index: 0,
            error: SigError::Unrecoverable
        })
    );
    // A platform whose ecrecover returns the zero address is treated the same.
    let (digest, sig) = good();
    assert_eq!(
        check_signature(0, &digest, &sig, Address::ZERO, |_, _| Some(Address::ZERO)),
        Err(Error::Signature {
            index: 0,
            error: SigError::Unrecoverable
        })
    );
}

#[test]
fn signature_errors_map_to_their_custom_errors() {
    use alloy_sol_types::SolError;
    use perun_channel::errors as e;
    let sig = |error| Error::Signature { index: 0, error }.selector();
    assert_eq!(
        sig(SigError::Length(64)),
        e::InvalidSignatureLength::SELECTOR
    );
    assert_eq!(sig(SigError::V(0)), e::InvalidSignatureV::SELECTOR);
    assert_eq!(sig(SigError::HighS), e::InvalidSignatureS::SELECTOR);
    assert_eq!(sig(SigError::Unrecoverable), e::InvalidSignature::SELECTOR);
    assert_eq!(
        Error::WrongSigner { index: 0 }.selector(),
        e::InvalidSignature::SELECTOR
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// A state signed by all its participants verifies; each kind of fault is named.
    #[test]
    fn signed_states_verify_and_faults_are_named((mut params, state) in rnd::channel(), wrong in 0usize..8) {
        use perun_channel::native::verify_signed_state;
        use perun_channel::sol::Channel;
        let signers: Vec<_> = (0..params.participants.len() as u64).map(rnd::test_signer).collect();
        for (p, s) in params.participants.iter_mut().zip(&signers) {
            p.ethAddress = s.address();
        }
        let mut state = state;
        state.channelID = hash::channel_id(&params);
        let digest = hash::eth_signed_digest(hash::hash_state(&state));
        let sigs: Vec<_> = signers.iter().map(|s| s.sign_digest(&digest).to_bytes().to_vec().into()).collect();
        let signed = Channel::SignedState { params: params.clone(), state: state.clone(), sigs: sigs.clone() };
        prop_assert_eq!(verify_signed_state(&signed), Ok(hash::hash_state(&state)));

        let n = sigs.len();
        let mut short = signed.clone();
        short.sigs.pop();
        prop_assert_eq!(verify_signed_state(&short), Err(Error::SignatureCount { expected: n, actual: n - 1 }));

        let i = wrong % n;
        let mut swapped = signed.clone();
        swapped.sigs.swap(i, (i + 1) % n);
        prop_assert_eq!(verify_signed_state(&swapped), Err(Error::WrongSigner { index: i.min((i + 1) % n) }));

        let mut other = signed.clone();
        other.params.nonce += U256::from(1);
        prop_assert_eq!(verify_signed_state(&other), Err(Error::InvalidParams));
    }
}

#[test]
fn verify_all_checks_the_count_then_each_signature_in_order() {
    use alloy_sol_types::SolValue;
    use perun_channel::calldata::{ArrayRef, BytesRef, ParticipantRef, View};
    use perun_channel::checks::verify_all;
    use perun_channel::sol::Channel;
    let signers: Vec<_> = (0..3).map(rnd::test_signer).collect();
    let parts: Vec<Channel::Participant> = signers
        .iter()
        .map(|s| Channel::Participant {
            ethAddress: s.address(),
            ccAddress: vec![].into(),
        })
        .collect();
    let digest = hash::eth_signed_digest(B256::repeat_byte(9));
    let sigs: Vec<alloy_primitives::Bytes> = signers
        .iter()
        .map(|s| s.sign_digest(&digest).to_bytes().to_vec().into())
        .collect();
    let run = |parts: &Vec<Channel::Participant>, sigs: &Vec<alloy_primitives::Bytes>| {
        let (pe, se) = (parts.abi_encode(), sigs.abi_encode());
        verify_all(
            &digest,
            ArrayRef::<ParticipantRef>::at(&pe, 32).unwrap(),
            ArrayRef::<BytesRef>::at(&se, 32).unwrap(),
            native,
        )
    };
    assert_eq!(run(&parts, &sigs), Ok(()));
    assert_eq!(
        run(&parts, &sigs[..2].to_vec()),
        Err(Error::SignatureCount {
            expected: 3,
            actual: 2
        })
    );
    let mut swapped = sigs.clone();
    swapped.swap(1, 2);
    assert_eq!(run(&parts, &swapped), Err(Error::WrongSigner { index: 1 }));
    let mut short = sigs.clone();
    short[2] = sigs[2][..64].to_vec().into();
    assert_eq!(
        run(&parts, &short),
        Err(Error::Signature {
            index: 2,
            error: SigError::Length(64)
        })
    );
}

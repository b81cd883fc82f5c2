//! Property tests: any channel the randomizer makes is checked and predicted without a panic,
//! any truncation of a document is bad input, and a registration the model accepts is one the
//! signature checks accept.

mod common;

use alloy_primitives::{Address, Bytes};
use common::*;
use perun_channel::hash;
use perun_randomizer::{channel, test_signer};
use perun_verifier::events::{self, channel_update_log};
use perun_verifier::predict::{self, Context, Decision};
use perun_verifier::schema::{self, ChannelDoc, Document, SignedStateDoc};
use perun_verifier::Error;
use proptest::prelude::*;

fn doc_of(params: &perun_channel::sol::Channel::Params, states: Vec<SignedStateDoc>) -> Document {
    document(vec![ChannelDoc {
        name: None,
        params: params.into(),
        states,
    }])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_channels_are_checked_and_predicted_without_panics(
        (mut params, state) in channel(),
        signed_by in proptest::collection::vec(any::<bool>(), 8),
        registered in 0u64..4,
        now in 0u64..5_000,
    ) {
        // Some participants get real keys so some signatures verify.
        for (i, p) in params.participants.iter_mut().enumerate() {
            if signed_by[i % signed_by.len()] {
                p.ethAddress = test_signer(i as u64).address();
            }
        }
        let mut state = state;
        state.channelID = hash::channel_id(&params);
        let digest = hash::eth_signed_digest(hash::hash_state(&state));
        let sigs: Vec<Option<Bytes>> = params
            .participants
            .iter()
            .enumerate()
            .map(|(i, _)| Some(test_signer(i as u64).sign_digest(&digest).to_bytes().to_vec().into()))
            .collect();
        let d = doc_of(&params, vec![SignedStateDoc::new(&state, &sigs)]);
        let v = perun_verifier::verify(&d).unwrap();
        let logs = vec![channel_update_log(
            adjudicator(),
            hash::channel_id(&params),
            registered,
            0,
            1000,
            1,
            900,
        )];
        let h = events::replay(&v.doc, &v.verdicts, &logs).unwrap();
        let ctx = Context { doc: &v.doc, verdicts: &v.verdicts, history: &h, now };
        let preds = predict::predict(&ctx);
        // A registration the model accepts has valid signatures for the channel.
        if let Some(op) = preds[0].operations.first() {
            if op.decision == Decision::Accepts {
                prop_assert!(v.verdicts[0][0].fully_signed());
            }
        }
        let _ = perun_verifier::watch::scan(&ctx);
        let r = perun_verifier::report::Report::new(&v);
        prop_assert!(!r.to_text().is_empty());
    }

    #[test]
    fn every_truncation_of_the_example_is_bad_input(cut in 0usize..1000) {
        let text = to_json(&example());
        let cut = cut * text.len() / 1000;
        match schema::parse::<Document>(&text[..cut]) {
            Err(Error::Input { path, .. }) => prop_assert!(path.starts_with('$')),
            other => prop_assert!(false, "{:?}", other.map(|_| ())),
        }
    }
}

#[test]
fn a_document_with_a_zero_address_participant_is_checked() {
    let (a, _) = (alice(), bob());
    let mut params = params(&[&a, &a], 4, Address::ZERO, true, false);
    params.participants[1].ethAddress = Address::ZERO;
    let s = state(&params, 0, &[1, 1], vec![], false);
    let d = document(vec![channel_doc(
        "z",
        &params,
        &[(s.clone(), sign(&s, &[&a, &a]))],
    )]);
    let v = perun_verifier::verify(&d).unwrap();
    assert!(!v.valid());
}

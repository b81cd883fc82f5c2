//! The library's checks and predictions on the scenarios: a valid virtual channel through an
//! intermediary, each kind of broken input, refutations, force-execution and final states.

mod common;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolValue;
use common::*;
use perun_channel::hash;
use perun_channel::sol::Channel;
use perun_verifier::chain::Effect;
use perun_verifier::check::{CheckKind, Finding, Severity};
use perun_verifier::events::{self, channel_update_log, deposited_log, History, Log};
use perun_verifier::predict::{self, ChannelPrediction, Context, Decision, Operation};
use perun_verifier::schema::{Document, Hex};
use perun_verifier::{calldata, verify, Error, Verification};

fn errors(v: &Verification) -> Vec<&Finding> {
    v.findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

fn has(v: &Verification, check: CheckKind, path: &str) -> bool {
    v.findings
        .iter()
        .any(|f| f.check == check && f.path == path && f.severity == Severity::Error)
}

fn predictions(d: &Document, logs: &[Log], now: u64) -> Vec<ChannelPrediction> {
    let v = verify(d).unwrap();
    let h: History = events::replay(&v.doc, &v.verdicts, logs).unwrap();
    let ctx = Context {
        doc: &v.doc,
        verdicts: &v.verdicts,
        history: &h,
        now,
    };
    predict::predict(&ctx)
}

fn op<'a>(p: &'a ChannelPrediction, name: &str) -> &'a Operation {
    p.operations
        .iter()
        .find(|o| o.operation == name)
        .unwrap_or_else(|| panic!("no {name} in {:#?}", p.operations))
}

fn deposits() -> Vec<Log> {
    let s = virtual_scenario();
    let ai = hash::channel_id(&s.ai);
    vec![
        deposited_log(
            eth_holder(),
            hash::funding_id(ai, alice().address()),
            U256::from(10),
            1,
        ),
        deposited_log(
            eth_holder(),
            hash::funding_id(ai, ingrid().address()),
            U256::from(10),
            1,
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// Valid documents
// ---------------------------------------------------------------------------------------------

#[test]
fn the_example_passes_every_check() {
    let v = verify(&example()).unwrap();
    assert!(v.findings.is_empty(), "{:#?}", v.findings);
    assert!(v.valid());
    assert!(v.verdicts.iter().flatten().all(|x| x.fully_signed()));
}

#[test]
fn predictions_register_then_conclude_with_the_virtual_outcome_folded_in() {
    let p = predictions(&example(), &deposits(), 1000);
    let ai = &p[0];
    let reg = op(ai, "register");
    assert_eq!(reg.decision, Decision::Accepts);
    assert_eq!(reg.deadline, Some(1000 + CHALLENGE));
    // The ledger channel and its virtual sub-channel are registered (the registry's update is
    // also emitted by the Adjudicator).
    assert_eq!(reg.effects.len(), 3, "{:#?}", reg.effects);
    let conclude = op(ai, "conclude");
    assert_eq!(conclude.decision, Decision::Accepts, "{conclude:#?}");
    assert_eq!(conclude.at, Some(1000 + CHALLENGE));
    // Alice 7 + 1 from the virtual channel, Ingrid 7 + Bob's 5.
    assert_eq!(ai.payouts.len(), 1);
    assert_eq!(ai.payouts[0].outcome, u(&[8, 12]));
    assert!(ai.payouts[0].funded);
    assert_eq!(ai.payouts[0].holdings, u(&[8, 12]));
    // Alice's withdrawal of 8 succeeds after the conclusion.
    let w = op(ai, "withdraw");
    assert_eq!(w.decision, Decision::Accepts, "{w:#?}");
    assert!(matches!(w.effects[0], Effect::Withdrawn { amount, .. } if amount == U256::from(8)));
    // The other parent pays Ingrid Alice's 1 and Bob his 5: Ingrid's net is zero.
    let ib = &p[1];
    assert_eq!(op(ib, "conclude").decision, Decision::Accepts);
    assert_eq!(ib.payouts[0].outcome, u(&[8, 12]));
    // Without deposits the holder keeps everyone's deposit (none): the outcome is not funded.
    assert!(!ib.payouts[0].funded);
    // The virtual channel's direct path.
    let ab = &p[2];
    assert_eq!(ab.kind, "virtual");
    assert_eq!(op(ab, "register").decision, Decision::Accepts);
    assert_eq!(op(ab, "conclude").decision, Decision::Accepts);
}

#[test]
fn a_withdrawal_without_deposits_is_predicted_to_revert() {
    let p = predictions(&example(), &[], 1000);
    let w = op(&p[0], "withdraw");
    assert_eq!(w.decision, Decision::Rejects);
    assert_eq!(w.revert, Some("InsufficientHoldings"));
}

#[test]
fn every_call_carries_its_selector_and_decodes() {
    let p = predictions(&example(), &deposits(), 1000);
    let calls: Vec<_> = p
        .iter()
        .flat_map(|c| &c.operations)
        .filter_map(|o| o.call.as_ref().map(|c| (o.operation, c)))
        .collect();
    assert!(calls.len() >= 6);
    for (name, c) in calls {
        let (sel, args) = c.data.split_at(4);
        match (name, c.target) {
            ("register", calldata::Target::Adjudicator) => {
                assert_eq!(sel, calldata::REGISTER);
                assert_eq!(c.to, Some(adjudicator()));
                <(Channel::SignedState, Vec<Channel::SignedState>)>::abi_decode_params(args)
                    .unwrap();
            }
            ("register", calldata::Target::Registry) => {
                assert_eq!(sel, calldata::REGISTRY_REGISTER);
                assert_eq!(c.to, Some(registry()));
                <(Channel::SignedState,)>::abi_decode_params(args).unwrap();
            }
            ("conclude", calldata::Target::Adjudicator) => {
                assert_eq!(sel, calldata::CONCLUDE);
                <(Channel::Params, Channel::State, Vec<Channel::State>)>::abi_decode_params(args)
                    .unwrap();
            }
            ("conclude", calldata::Target::Registry) => {
                assert_eq!(sel, calldata::REGISTRY_CONCLUDE);
                <(Channel::Params, Channel::State)>::abi_decode_params(args).unwrap();
            }
            ("withdraw", calldata::Target::Holder(h)) => {
                assert_eq!(h, eth_holder());
                assert_eq!(sel, calldata::WITHDRAW);
                <(perun_channel::sol::WithdrawalAuth, Bytes)>::abi_decode_params(args).unwrap();
            }
            other => panic!("unexpected call {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Broken documents: each failure names its field
// ---------------------------------------------------------------------------------------------

fn ai_doc(edit: impl FnOnce(&mut Vec<(Channel::State, Vec<Option<Bytes>>)>)) -> Document {
    let mut s = virtual_scenario();
    edit(&mut s.ai_states);
    let mut d = example();
    d.channels[0] = channel_doc("alice-ingrid", &s.ai, &s.ai_states);
    d
}

#[test]
fn swapped_signatures_are_out_of_order() {
    let d = ai_doc(|s| s[1].1.swap(0, 1));
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::SignatureOrder,
        "$.channels[0].states[1].sigs[0]"
    ));
    assert!(has(
        &v,
        CheckKind::SignatureOrder,
        "$.channels[0].states[1].sigs[1]"
    ));
    let f = &errors(&v)[0];
    assert_eq!(f.revert, Some("InvalidSignature"));
    assert!(f.message.contains("out of order"), "{}", f.message);
}

#[test]
fn malformed_signatures_are_named() {
    let d = ai_doc(|s| {
        let mut short = s[0].1[1].clone().unwrap().to_vec();
        short.pop();
        s[0].1[1] = Some(short.into());
        let mut bad_v = s[1].1[0].clone().unwrap().to_vec();
        bad_v[64] = 29;
        s[1].1[0] = Some(bad_v.into());
    });
    let v = verify(&d).unwrap();
    let f = v
        .findings
        .iter()
        .find(|f| f.path == "$.channels[0].states[0].sigs[1]")
        .unwrap();
    assert_eq!(f.revert, Some("InvalidSignatureLength"));
    let f = v
        .findings
        .iter()
        .find(|f| f.path == "$.channels[0].states[1].sigs[0]")
        .unwrap();
    assert_eq!(f.revert, Some("InvalidSignatureV"));
}

#[test]
fn a_stranger_signature_and_a_missing_count_are_found() {
    let d = ai_doc(|s| {
        s[0].1 = sign(&s[0].0, &[&alice(), &bob()]);
        s[1].1.pop();
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Signature,
        "$.channels[0].states[0].sigs[1]"
    ));
    assert!(has(
        &v,
        CheckKind::SignatureCount,
        "$.channels[0].states[1].sigs"
    ));
}

#[test]
fn a_wrong_channel_id_is_found() {
    let d = ai_doc(|s| {
        s[0].0.channelID = alloy_primitives::B256::repeat_byte(1);
        s[0].1 = sign(&s[0].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::ChannelId,
        "$.channels[0].states[0].state.channelID"
    ));
    assert_eq!(errors(&v)[0].revert, Some("InvalidParams"));
}

#[test]
fn versions_must_increase() {
    let d = ai_doc(|s| s.swap(0, 1));
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Version,
        "$.channels[0].states[1].state.version"
    ));
}

#[test]
fn conflicting_states_of_one_version_are_found() {
    let d = ai_doc(|s| {
        let mut other = s[1].0.clone();
        other.appData = vec![1].into();
        let sigs = sign(&other, &[&alice(), &ingrid()]);
        s.push((other, sigs));
    });
    let v = verify(&d).unwrap();
    let f = v
        .findings
        .iter()
        .find(|f| f.path == "$.channels[0].states[2].state.version")
        .unwrap();
    assert!(f.message.contains("conflicting"), "{}", f.message);
}

#[test]
fn a_step_that_changes_a_total_is_found() {
    let d = ai_doc(|s| {
        s[1].0.outcome.balances[0][1] = U256::from(8);
        s[1].1 = sign(&s[1].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Transition,
        "$.channels[0].states[1].state.outcome.balances"
    ));
}

#[test]
fn a_changed_sub_allocation_is_found() {
    let d = ai_doc(|s| {
        let mut next = s[1].0.clone();
        next.version = 2;
        next.outcome.locked[0].indexMap = vec![1, 0];
        let sigs = sign(&next, &[&alice(), &ingrid()]);
        s.push((next, sigs));
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Transition,
        "$.channels[0].states[2].state.outcome.locked[0]"
    ));
}

#[test]
fn a_sub_allocation_that_does_not_match_its_sub_channel_is_found() {
    let d = ai_doc(|s| {
        s[1].0.outcome.locked[0].balances = u(&[5]);
        s[1].0.outcome.balances[0] = u(&[7, 8]);
        s[1].1 = sign(&s[1].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::SubAlloc,
        "$.channels[0].states[1].state.outcome.locked[0].balances"
    ));
    assert!(has(
        &v,
        CheckKind::Virtual,
        "$.channels[0].states[1].state.outcome.locked[0].balances"
    ));
    // The contracts agree: register reverts with SubAllocMismatch.
    let p = predictions(&d, &[], 1000);
    assert_eq!(op(&p[0], "register").revert, Some("SubAllocMismatch"));
}

#[test]
fn an_index_map_that_leaves_the_intermediary_exposed_is_found() {
    // Alice's share credited to Ingrid in both parents: Ingrid's position depends on the outcome.
    let d = ai_doc(|s| {
        s[1].0.outcome.locked[0].indexMap = vec![1, 1];
        s[1].1 = sign(&s[1].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::IndexMap,
        "$.channels[0].states[1].state.outcome.locked[0].indexMap[0]"
    ));
    assert!(has(
        &v,
        CheckKind::IndexMap,
        "$.channels[0].states[1].state.outcome.locked[0].indexMap[1]"
    ));
    assert!(v
        .findings
        .iter()
        .any(|f| f.check == CheckKind::Virtual && f.message.contains("net position")));
}

#[test]
fn an_index_map_out_of_range_is_found() {
    let d = ai_doc(|s| {
        s[1].0.outcome.locked[0].indexMap = vec![0, 2];
        s[1].1 = sign(&s[1].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    let f = v
        .findings
        .iter()
        .find(|f| f.path == "$.channels[0].states[1].state.outcome.locked[0].indexMap[1]")
        .unwrap();
    assert_eq!(f.revert, Some("IndexMapOutOfRange"));
}

#[test]
fn a_final_state_with_locked_funds_is_found() {
    let d = ai_doc(|s| {
        s[1].0.isFinal = true;
        s[1].1 = sign(&s[1].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Final,
        "$.channels[0].states[1].state.outcome.locked"
    ));
}

#[test]
fn a_state_after_a_final_state_is_found() {
    let d = ai_doc(|s| {
        s[0].0.isFinal = true;
        s[0].1 = sign(&s[0].0, &[&alice(), &ingrid()]);
    });
    let v = verify(&d).unwrap();
    assert!(has(
        &v,
        CheckKind::Final,
        "$.channels[0].states[1].state.version"
    ));
}

#[test]
fn a_virtual_channel_with_an_app_is_found() {
    let mut s = virtual_scenario();
    s.ab.app = Address::repeat_byte(1);
    let id = hash::channel_id(&s.ab);
    for (st, sigs) in &mut s.ab_states {
        st.channelID = id;
        *sigs = sign(st, &[&alice(), &bob()]);
    }
    let mut d = example();
    d.channels[2] = channel_doc("alice-bob", &s.ab, &s.ab_states);
    let v = verify(&d).unwrap();
    assert!(has(&v, CheckKind::Virtual, "$.channels[2].params.app"));
}

#[test]
fn a_withdrawal_signed_by_another_key_is_found() {
    let mut d = example();
    let good = d.withdrawals[0].clone();
    let mut bad = withdrawal(good.auth.channel_id.0, &bob(), bob().address(), 1);
    bad.auth.participant = good.auth.participant.clone();
    d.withdrawals.push(bad);
    let v = verify(&d).unwrap();
    assert!(has(&v, CheckKind::Withdrawal, "$.withdrawals[1].signature"));
    assert!(!has(
        &v,
        CheckKind::Withdrawal,
        "$.withdrawals[0].signature"
    ));
}

#[test]
fn bad_signature_bytes_in_the_document_are_kept_for_the_checks() {
    let mut d = example();
    let mut zero = vec![0u8; 65];
    zero[64] = 27;
    d.channels[0].states[0].sigs[0] = Some(Hex(zero.into()));
    let v = verify(&d).unwrap();
    let f = v
        .findings
        .iter()
        .find(|f| f.path == "$.channels[0].states[0].sigs[0]")
        .unwrap();
    assert_eq!(f.revert, Some("InvalidSignature"));
}

#[test]
fn a_virtual_channel_naming_an_unknown_parent_is_bad_input() {
    let mut d = example();
    d.virtual_channels[0].parents[1] = "nobody".into();
    match verify(&d) {
        Err(Error::Input { path, .. }) => assert_eq!(path, "$.virtualChannels[0].parents[1]"),
        other => panic!("{other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Refutation, force-execution, final states
// ---------------------------------------------------------------------------------------------

#[test]
fn a_virtual_channel_outlasting_its_parents_is_found() {
    // Finding 3: a virtual channel's duration, chosen by its endpoints, may not exceed a
    // parent's, or the parent could not conclude before it.
    let mut s = virtual_scenario();
    s.ab.challengeDuration = U256::from(CHALLENGE + 1);
    let id = hash::channel_id(&s.ab);
    for (st, sigs) in &mut s.ab_states {
        st.channelID = id;
        *sigs = sign(st, &[&alice(), &bob()]);
    }
    for (states, by) in [
        (&mut s.ai_states, [&alice(), &ingrid()]),
        (&mut s.ib_states, [&ingrid(), &bob()]),
    ] {
        let (st, sigs) = &mut states[1];
        st.outcome.locked[0].ID = id;
        *sigs = sign(st, &by);
    }
    let mut d = example();
    d.channels[0] = channel_doc("alice-ingrid", &s.ai, &s.ai_states);
    d.channels[1] = channel_doc("ingrid-bob", &s.ib, &s.ib_states);
    d.channels[2] = channel_doc("alice-bob", &s.ab, &s.ab_states);
    let v = verify(&d).unwrap();
    for parent in 0..2 {
        let path = format!("$.channels[{parent}].states[1].state.outcome.locked[0].ID");
        let f = v
            .findings
            .iter()
            .find(|f| f.path == path && f.revert == Some("ChallengeDurationTooLong"))
            .unwrap_or_else(|| panic!("no finding at {path}: {:#?}", v.findings));
        assert_eq!(f.check, CheckKind::SubAlloc);
    }
}

#[test]
fn a_ledger_sub_channel_and_nesting_beyond_the_limit_are_found() {
    let (a, b) = (alice(), bob());
    // A chain of sub-channels of a and b, `depth` deep below a ledger channel.
    let chain = |depth: usize, ledger_sub: bool| {
        let mut docs = Vec::new();
        let mut below: Option<Channel::SubAlloc> = None;
        for level in (1..=depth).rev() {
            let p = params(
                &[&a, &b],
                100 + level as u64,
                Address::ZERO,
                ledger_sub,
                false,
            );
            let total = 2 + below.as_ref().map_or(0, |l| l.balances[0].to::<u64>());
            let st = state(&p, 1, &[1, 1], below.take().into_iter().collect(), false);
            below = Some(sub_alloc(hash::channel_id(&p), total, &[0, 1]));
            let sigs = sign(&st, &[&a, &b]);
            docs.push(channel_doc(&format!("level-{level}"), &p, &[(st, sigs)]));
        }
        let root = params(&[&a, &b], 1, Address::ZERO, true, false);
        let st = state(&root, 1, &[5, 5], below.into_iter().collect(), false);
        let sigs = sign(&st, &[&a, &b]);
        docs.push(channel_doc("root", &root, &[(st, sigs)]));
        verify(&document(docs)).unwrap()
    };
    let deep = |v: &Verification| {
        v.findings
            .iter()
            .filter(|f| f.revert == Some("NestingTooDeep"))
            .count()
    };
    let limit = perun_channel::checks::MAX_DEPTH;
    let v = chain(limit, false);
    assert_eq!(deep(&v), 0, "{:#?}", errors(&v));
    assert!(errors(&v).is_empty(), "{:#?}", errors(&v));
    let v = chain(limit + 1, false);
    assert_eq!(deep(&v), 1, "{:#?}", v.findings);
    let f = v
        .findings
        .iter()
        .find(|f| f.revert == Some("NestingTooDeep"))
        .unwrap();
    assert!(
        f.message
            .contains("level-17 sits at depth 17 below root > level-1 >")
            && f.message.ends_with("> level-16 (at most 16)"),
        "{}",
        f.message
    );
    let v = chain(1, true);
    assert!(v
        .findings
        .iter()
        .any(|f| f.revert == Some("LedgerSubChannel")));
}

#[test]
fn a_watcher_reads_a_virtual_channels_record_under_its_funding() {
    // The registry's events carry the channel ID; the record they describe is keyed by the
    // funding of the state registered. A stale state of the virtual channel, registered by the
    // registry's direct path, is refuted with the latest one.
    let s = virtual_scenario();
    let v = hash::channel_id(&s.ab);
    let logs = vec![channel_update_log(
        registry(),
        v,
        0,
        0,
        1000 + CHALLENGE,
        100,
        1000,
    )];
    let p = predictions(&example(), &logs, 1010);
    let record = p[2].record.as_ref().expect("the virtual channel's record");
    assert_eq!((record.contract, record.version), ("registry", 0));
    let r = op(&p[2], "refute");
    assert_eq!(r.decision, Decision::Accepts, "{r:#?}");
}

fn old_registration() -> Vec<Log> {
    let s = virtual_scenario();
    vec![channel_update_log(
        adjudicator(),
        hash::channel_id(&s.ai),
        0,
        0,
        1000 + CHALLENGE,
        100,
        1000,
    )]
}

#[test]
fn a_registered_older_version_is_refuted_before_its_timeout_and_not_after() {
    let p = predictions(&example(), &old_registration(), 1010);
    let r = op(&p[0], "refute");
    assert_eq!(r.decision, Decision::Accepts);
    // A refutation keeps the timeout it found.
    assert_eq!(r.deadline, Some(1000 + CHALLENGE));
    assert_eq!(p[0].record.as_ref().unwrap().version, 0);
    let p = predictions(&example(), &old_registration(), 1000 + CHALLENGE);
    let r = op(&p[0], "refute");
    assert_eq!(r.decision, Decision::Rejects);
    assert_eq!(r.revert, Some("RefutationTimeoutPassed"));
}

#[test]
fn a_concluded_channel_cannot_be_concluded_again() {
    let s = virtual_scenario();
    let logs = vec![channel_update_log(
        adjudicator(),
        hash::channel_id(&s.ai),
        1,
        2,
        1060,
        100,
        1060,
    )];
    let p = predictions(&example(), &logs, 2000);
    // The same state again changes nothing (only its virtual sub-channel, not yet registered,
    // is recorded); concluding again reverts.
    let reg = op(&p[0], "register");
    assert_eq!(reg.decision, Decision::Accepts);
    let ai = hash::channel_id(&virtual_scenario().ai);
    assert!(reg
        .effects
        .iter()
        .all(|e| !matches!(e, Effect::ChannelUpdate { channel_id, .. } if *channel_id == ai)));
    assert_eq!(op(&p[0], "conclude").revert, Some("AlreadyConcluded"));
}

#[test]
fn a_final_state_concludes_at_once() {
    let (a, b) = (alice(), bob());
    let params = params(&[&a, &b], 9, Address::ZERO, true, false);
    let s0 = state(&params, 0, &[5, 5], vec![], false);
    let s1 = state(&params, 1, &[2, 8], vec![], true);
    let d = document(vec![channel_doc(
        "final",
        &params,
        &[
            (s0.clone(), sign(&s0, &[&a, &b])),
            (s1.clone(), sign(&s1, &[&a, &b])),
        ],
    )]);
    let p = predictions(&d, &[], 500);
    let f = op(&p[0], "concludeFinal");
    assert_eq!(f.decision, Decision::Accepts);
    assert_eq!(f.call.as_ref().unwrap().data[..4], calldata::CONCLUDE_FINAL);
    // Registering a final state times out at once: conclude works at the same time.
    assert_eq!(op(&p[0], "register").deadline, Some(500));
    assert_eq!(op(&p[0], "conclude").at, Some(500));
    assert_eq!(p[0].payouts[0].outcome, u(&[2, 8]));
}

#[test]
fn force_execution_follows_the_registered_state_and_delays_the_conclusion() {
    let (a, b) = (alice(), bob());
    let app = Address::repeat_byte(0xa9);
    let params = params(&[&a, &b], 11, app, true, false);
    let s0 = state(&params, 0, &[5, 5], vec![], false);
    let s1 = state(&params, 1, &[4, 6], vec![], false);
    // Version 1 is signed by Bob alone: a force-execution step.
    let sig1 = vec![None, sign(&s1, &[&b])[0].clone()];
    let d = document(vec![channel_doc(
        "app",
        &params,
        &[(s0.clone(), sign(&s0, &[&a, &b])), (s1, sig1)],
    )]);
    let v = verify(&d).unwrap();
    assert!(v.valid(), "{:#?}", v.findings);
    let logs = vec![channel_update_log(
        adjudicator(),
        hash::channel_id(&params),
        0,
        0,
        1060,
        100,
        1000,
    )];
    let p = predictions(&d, &logs, 1010);
    assert_eq!(op(&p[0], "register").decision, Decision::NoChange);
    let prog = op(&p[0], "progress");
    assert_eq!(prog.decision, Decision::Accepts, "{prog:#?}");
    assert_eq!(prog.at, Some(1060));
    assert_eq!(prog.deadline, Some(1060 + CHALLENGE));
    assert_eq!(prog.call.as_ref().unwrap().data[..4], calldata::PROGRESS);
    let c = op(&p[0], "conclude");
    assert_eq!(c.decision, Decision::Accepts, "{c:#?}");
    assert_eq!(c.at, Some(1060 + CHALLENGE));
    assert_eq!(p[0].payouts[0].outcome, u(&[4, 6]));
    // Before the dispute's timeout, progress is early.
    let logs_late = logs.clone();
    let v = verify(&d).unwrap();
    let h = events::replay(&v.doc, &v.verdicts, &logs_late).unwrap();
    let mut chain = h.chain.clone();
    chain.now = 1010;
    let call = prog.call.as_ref().unwrap();
    assert_eq!(
        chain.call(call.target, &call.data),
        Err(perun_channel::Error::TimeoutNotPassed)
    );
}

#[test]
fn an_app_channel_without_force_execution_concludes_one_challenge_later() {
    let (a, b) = (alice(), bob());
    let params = params(&[&a, &b], 12, Address::repeat_byte(0xa9), true, false);
    let s0 = state(&params, 0, &[5, 5], vec![], false);
    let d = document(vec![channel_doc(
        "app",
        &params,
        &[(s0.clone(), sign(&s0, &[&a, &b]))],
    )]);
    let p = predictions(&d, &[], 1000);
    assert_eq!(op(&p[0], "conclude").at, Some(1000 + 2 * CHALLENGE));
    assert_eq!(op(&p[0], "progress").decision, Decision::Unavailable);
}

#[test]
fn verify_many_agrees_with_the_per_state_check() {
    let s = virtual_scenario();
    let mut signed: Vec<Channel::SignedState> = s
        .ai_states
        .iter()
        .map(|(st, sigs)| Channel::SignedState {
            params: s.ai.clone(),
            state: st.clone(),
            sigs: sigs.iter().map(|x| x.clone().unwrap()).collect(),
        })
        .collect();
    signed[1].sigs.swap(0, 1);
    let r = perun_verifier::check::verify_many(&signed);
    assert_eq!(r[0], Ok(hash::hash_state(&signed[0].state)));
    assert_eq!(r[1], Err(perun_channel::Error::WrongSigner { index: 0 }));
}

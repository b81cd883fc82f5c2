//! The honest party's rules in the verifier, from the second adversarial review (SECURITY.md,
//! findings 9 and 10): the watcher refutes a stale registration of a state it no longer holds
//! (a client such as go-perun keeps only its latest state; on main such a `ChannelUpdate` was
//! filed under the bare channel ID and never compared with the record of the held funding),
//! and `check` refuses challenge durations that leave no dispute to answer.

mod common;

use common::*;
use perun_channel::hash;
use serde_json::{json, Value};
use std::process::Command;

/// `perun-verify watch --json --events <logs> --now 1010 <doc>`, its JSON output.
fn watch(doc: &perun_verifier::schema::Document, logs: &Value, name: &str) -> Value {
    let d = scratch(&format!("honest-{name}.json"), &to_json(doc));
    let e = scratch(&format!("honest-{name}-events.json"), &logs.to_string());
    let o = Command::new(env!("CARGO_BIN_EXE_perun-verify"))
        .args([
            "watch",
            "--json",
            "--events",
            e.to_str().unwrap(),
            "--now",
            "1010",
            d.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)))
}

/// Alice registers her better, older state of the virtual channel (version 0: 3, 3; Bob's
/// latest, version 1, gives 1, 5) directly in the registry at time 1000 (timeout 1060).
fn stale_virtual_registration() -> Value {
    let s = virtual_scenario();
    let ab = hash::channel_id(&s.ab);
    json!([{
        "address": format!("{:#x}", registry()),
        "topics": [
            "0x895ef5a5fc3efd313a300b006d6ce97ff0670dfe04f6eea90417edf924fa786b",
            format!("{ab}"),
        ],
        "data": format!("0x{:064x}{:064x}{:064x}", 0, 0, 1060),
        "blockNumber": 100,
        "timestamp": 1000,
    }])
}

#[test]
fn watch_sees_a_stale_virtual_state_only_if_it_still_holds_that_version() {
    let logs = stale_virtual_registration();
    // Control: the example document holds both versions of alice-bob: one alarm, a refutation.
    let v = watch(&example(), &logs, "full");
    let alarms = v["alarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 1, "{v:#}");
    assert_eq!(alarms[0]["channel"], "alice-bob");
    assert_eq!(alarms[0]["action"], "refute");
    // Bob keeps only his latest state of alice-bob: the same registration goes unseen.
    let mut latest_only = example();
    latest_only.channels[2].states.remove(0);
    let v = watch(&latest_only, &logs, "latest-only");
    let alarms = v["alarms"].as_array().unwrap();
    assert_eq!(
        alarms.len(),
        1,
        "the stale registration of alice-bob at version 0 must raise an alarm: {v:#}"
    );
}

/// `perun-verify check --json <doc>`, its JSON output.
fn check(doc: &perun_verifier::schema::Document, name: &str) -> Value {
    let d = scratch(&format!("honest-{name}.json"), &to_json(doc));
    let o = Command::new(env!("CARGO_BIN_EXE_perun-verify"))
        .args(["check", "--json", d.to_str().unwrap()])
        .output()
        .unwrap();
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&o.stderr)))
}

/// A ledger channel whose challenge duration is 0 gives no refutation window at all (a stale
/// registration times out in the block it is mined in and concludes at once); one of
/// 2^64 - 1 can never be registered (`TimeoutOverflow`), so its funds leave only if everybody
/// signs a final state. `check`, whose acceptance SECURITY.md makes the honest party's rule,
/// refuses both (it accepted them before finding 10).
#[test]
fn check_rejects_challenge_durations_that_leave_no_dispute() {
    use alloy_primitives::{Address, U256};
    let (a, b) = (alice(), bob());
    for cd in [U256::ZERO, U256::from(u64::MAX)] {
        let mut p = params(&[&a, &b], 9, Address::ZERO, true, false);
        p.challengeDuration = cd;
        let s = state(&p, 1, &[5, 5], vec![], false);
        let sigs = sign(&s, &[&a, &b]);
        let doc = document(vec![channel_doc("l", &p, &[(s, sigs)])]);
        let v = check(&doc, &format!("cd-{cd}"));
        assert_eq!(v["valid"], false, "challenge duration {cd} accepted: {v:#}");
    }
}

/// A sub-channel that leaves out a participant of its parent (Alice and Bob inside
/// Alice-Ingrid-Bob) is valid but warned about: its participants alone decide what it locks in
/// turn (SECURITY.md, finding 11). A sub-channel of all the parent's participants is not.
#[test]
fn check_warns_of_a_sub_channel_that_leaves_out_a_parent_participant() {
    use alloy_primitives::Address;
    let (a, i, b) = (alice(), ingrid(), bob());
    let lp = params(&[&a, &i, &b], 1, Address::ZERO, true, false);
    for (name, members, map) in [
        ("subset", vec![&a, &b], vec![0u16, 2]),
        ("all", vec![&a, &i, &b], vec![0u16, 1, 2]),
    ] {
        let sp = params(&members, 2, Address::ZERO, false, false);
        let bals: Vec<u64> = members.iter().map(|_| 1).collect();
        let ss = state(&sp, 1, &bals, vec![], false);
        let total = bals.len() as u64;
        let ls = state(
            &lp,
            1,
            &[5, 5, 5],
            vec![sub_alloc(hash::channel_id(&sp), total, &map)],
            false,
        );
        let doc = document(vec![
            channel_doc("l", &lp, &[(ls.clone(), sign(&ls, &[&a, &i, &b]))]),
            channel_doc("s", &sp, &[(ss.clone(), sign(&ss, &members))]),
        ]);
        let v = check(&doc, &format!("subset-{name}"));
        let warned = v.to_string().contains("finding 11");
        assert_eq!(warned, name == "subset", "{name}: {v:#}");
    }
}

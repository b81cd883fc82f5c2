//! The `perun-verify` binary: exit codes (0 valid, 1 invalid, 2 bad input), reports, calldata
//! and bad input with the path of the offending field.

mod common;

use alloy_primitives::{Address, Bytes};
use alloy_sol_types::SolValue;
use common::*;
use perun_channel::sol::Channel;
use perun_verifier::calldata;
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perun-verify"))
        .args(args)
        .output()
        .expect("the binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("an exit code, not a signal")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn example_path() -> String {
    manifest()
        .join("examples/channel.json")
        .to_string_lossy()
        .into_owned()
}

fn events_path() -> String {
    manifest()
        .join("tests/fixtures/events.json")
        .to_string_lossy()
        .into_owned()
}

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Runs with a document that is the example with `edit` applied to its JSON.
fn with_example(name: &str, edit: impl FnOnce(&mut Value), args: &[&str]) -> Output {
    let mut v: Value =
        serde_json::from_str(&std::fs::read_to_string(example_path()).unwrap()).unwrap();
    edit(&mut v);
    let f = scratch(name, &v.to_string());
    let mut all: Vec<&str> = args.to_vec();
    all.push(p(&f));
    run(&all)
}

fn bad_input(o: &Output, path: &str) {
    assert_eq!(code(o), 2, "stdout: {}\nstderr: {}", stdout(o), stderr(o));
    assert!(
        stderr(o).contains(path),
        "expected {path} in stderr: {}",
        stderr(o)
    );
}

// ---------------------------------------------------------------------------------------------
// check
// ---------------------------------------------------------------------------------------------

#[test]
fn check_accepts_the_example() {
    let o = run(&["check", &example_path()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("all checks pass"), "{}", stdout(&o));
    let o = run(&["check", "--json", &example_path()]);
    let v = json(&o);
    assert_eq!(v["valid"], true);
    assert_eq!(v["channels"].as_array().unwrap().len(), 3);
    assert_eq!(v["channels"][0]["states"][1]["fullySigned"], true);
}

#[test]
fn check_reports_swapped_signatures_with_exit_code_1() {
    let o = with_example(
        "swapped.json",
        |v| {
            let sigs = v["channels"][0]["states"][1]["sigs"]
                .as_array_mut()
                .unwrap();
            sigs.swap(0, 1);
        },
        &["check"],
    );
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(out.contains("$.channels[0].states[1].sigs[0]"), "{out}");
    assert!(out.contains("out of order"), "{out}");
    assert!(out.contains("InvalidSignature()"), "{out}");
}

#[test]
fn check_reports_findings_as_json() {
    let o = with_example(
        "wrong-id.json",
        |v| {
            v["channels"][1]["states"][0]["state"]["channelID"] =
                Value::String(format!("0x{}", "11".repeat(32)));
        },
        &["check", "--json"],
    );
    assert_eq!(code(&o), 1);
    let v = json(&o);
    assert_eq!(v["valid"], false);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["check"] == "channelId")
        .expect("a channel ID finding");
    assert_eq!(f["path"], "$.channels[1].states[0].state.channelID");
    assert_eq!(f["revert"], "InvalidParams");
}

// ---------------------------------------------------------------------------------------------
// Bad input: exit code 2 and the path
// ---------------------------------------------------------------------------------------------

#[test]
fn malformed_json_is_bad_input() {
    let f = scratch("malformed.json", "{\"chainID\": \"1\", \"channels\": [");
    bad_input(&run(&["check", p(&f)]), "malformed JSON");
}

#[test]
fn an_unknown_field_is_bad_input_with_its_path() {
    let o = with_example(
        "unknown.json",
        |v| {
            v["channels"][0]["states"][0]["state"]["outcome"]["extra"] = Value::Bool(true);
        },
        &["check"],
    );
    bad_input(&o, "$.channels[0].states[0].state.outcome");
    assert!(
        stderr(&o).contains("unknown field `extra`"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_short_signature_word_is_bad_input_with_its_path() {
    let o = with_example(
        "short-sig.json",
        |v| {
            v["channels"][0]["states"][1]["sigs"][1] = Value::String("0x12g4".into());
        },
        &["check"],
    );
    bad_input(&o, "$.channels[0].states[1].sigs[1]");
}

#[test]
fn a_short_channel_id_is_bad_input_with_its_path() {
    let o = with_example(
        "short-id.json",
        |v| {
            v["channels"][2]["states"][1]["state"]["channelID"] = Value::String("0x1234".into());
        },
        &["check"],
    );
    bad_input(&o, "$.channels[2].states[1].state.channelID");
    assert!(stderr(&o).contains("32 bytes"), "{}", stderr(&o));
}

#[test]
fn a_number_where_a_uint256_string_belongs_is_bad_input() {
    let o = with_example(
        "number.json",
        |v| {
            v["channels"][0]["states"][0]["state"]["outcome"]["balances"][0][1] = Value::from(10);
        },
        &["check"],
    );
    bad_input(&o, "$.channels[0].states[0].state.outcome.balances[0][1]");
}

#[test]
fn a_wrong_address_length_is_bad_input() {
    let o = with_example(
        "address.json",
        |v| {
            v["channels"][1]["params"]["participants"][1]["ethAddress"] =
                Value::String("0x00112233".into());
        },
        &["check"],
    );
    bad_input(&o, "$.channels[1].params.participants[1].ethAddress");
}

#[test]
fn an_inconsistent_tree_is_bad_input() {
    let o = with_example(
        "tree.json",
        |v| {
            v["virtualChannels"][0]["parents"][1] = Value::String("nobody".into());
        },
        &["check"],
    );
    bad_input(&o, "$.virtualChannels[0].parents[1]");
    let o = with_example(
        "no-states.json",
        |v| {
            v["channels"][1]["states"] = Value::Array(vec![]);
        },
        &["check"],
    );
    bad_input(&o, "$.channels[1].states");
}

#[test]
fn a_missing_file_and_a_bad_event_file_are_bad_input() {
    bad_input(
        &run(&["check", "/nonexistent/doc.json"]),
        "/nonexistent/doc.json",
    );
    let f = scratch("events-bad.json", "[{\"address\": \"0x01\"}]");
    bad_input(
        &run(&["predict", "--events", p(&f), &example_path()]),
        "$[0].address",
    );
}

// ---------------------------------------------------------------------------------------------
// predict and calldata
// ---------------------------------------------------------------------------------------------

#[test]
fn predict_prints_the_plan_and_the_payouts() {
    let o = run(&[
        "predict",
        "--events",
        &events_path(),
        "--now",
        "1010",
        &example_path(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("predictions at time 1010"), "{text}");
    assert!(text.contains("refute v1: at 1010 accepts"), "{text}");
    let o = run(&[
        "predict",
        "--json",
        "--events",
        &events_path(),
        "--now",
        "1010",
        &example_path(),
    ]);
    let v = json(&o);
    let ai = &v["predictions"][0];
    assert_eq!(ai["record"]["version"], 0);
    assert_eq!(ai["operations"][0]["operation"], "refute");
    assert_eq!(ai["operations"][0]["decision"], "accepts");
    assert_eq!(ai["operations"][0]["deadline"], 1060);
    assert_eq!(ai["payouts"][0]["outcome"], serde_json::json!(["8", "12"]));
    assert_eq!(ai["payouts"][0]["funded"], true);
}

fn calldata_of(args: &[&str]) -> (Bytes, Option<String>) {
    let o = run(args);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let v = json(&o);
    let data: Bytes = v["call"]["data"].as_str().unwrap().parse().unwrap();
    (data, v["call"]["to"].as_str().map(str::to_owned))
}

#[test]
fn calldata_for_register_conclude_and_withdraw_has_the_selectors_and_decodes() {
    let ex = example_path();
    let (d, to) = calldata_of(&[
        "calldata",
        &ex,
        "register",
        "--channel",
        "alice-ingrid",
        "--now",
        "1000",
        "--json",
    ]);
    assert_eq!(d[..4], calldata::REGISTER);
    assert_eq!(
        to.unwrap().to_lowercase(),
        adjudicator().to_string().to_lowercase()
    );
    let (signed, subs) =
        <(Channel::SignedState, Vec<Channel::SignedState>)>::abi_decode_params(&d[4..]).unwrap();
    assert_eq!(signed.state.version, 1);
    assert_eq!(subs.len(), 1);

    let (d, _) = calldata_of(&[
        "calldata",
        &ex,
        "refute",
        "--channel",
        "alice-ingrid",
        "--events",
        &events_path(),
        "--now",
        "1010",
        "--json",
    ]);
    assert_eq!(d[..4], calldata::REGISTER);

    let (d, _) = calldata_of(&[
        "calldata",
        &ex,
        "conclude",
        "--channel",
        "ingrid-bob",
        "--now",
        "1000",
        "--json",
    ]);
    assert_eq!(d[..4], calldata::CONCLUDE);
    let (_, state, subs) =
        <(Channel::Params, Channel::State, Vec<Channel::State>)>::abi_decode_params(&d[4..])
            .unwrap();
    assert_eq!(state.version, 1);
    assert_eq!(subs.len(), 1);

    let (d, to) = calldata_of(&[
        "calldata",
        &ex,
        "withdraw",
        "--events",
        &events_path(),
        "--now",
        "1010",
        "--json",
    ]);
    assert_eq!(d[..4], calldata::WITHDRAW);
    assert_eq!(
        to.unwrap().to_lowercase(),
        eth_holder().to_string().to_lowercase()
    );
    <(perun_channel::sol::WithdrawalAuth, Bytes)>::abi_decode_params(&d[4..]).unwrap();

    // Plain output: the destination, then the data.
    let o = run(&[
        "calldata",
        &ex,
        "register",
        "--channel",
        "alice-bob",
        "--now",
        "1000",
    ]);
    assert_eq!(code(&o), 0);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert!(lines.next().unwrap().starts_with("to: 0x"));
    assert!(lines.next().unwrap().starts_with("0xc230dcb6"), "{out}");
}

#[test]
fn calldata_for_conclude_final_and_progress() {
    let (a, b) = (alice(), bob());
    let fin = params(&[&a, &b], 9, Address::ZERO, true, false);
    let s = state(&fin, 3, &[2, 8], vec![], true);
    let d = document(vec![channel_doc(
        "final",
        &fin,
        &[(s.clone(), sign(&s, &[&a, &b]))],
    )]);
    let f = scratch("final.json", &to_json(&d));
    let (data, _) = calldata_of(&["calldata", p(&f), "conclude-final", "--json"]);
    assert_eq!(data[..4], calldata::CONCLUDE_FINAL);
    let (_, st, sigs) =
        <(Channel::Params, Channel::State, Vec<Bytes>)>::abi_decode_params(&data[4..]).unwrap();
    assert!(st.isFinal);
    assert_eq!(sigs.len(), 2);

    let app = params(&[&a, &b], 11, Address::repeat_byte(0xa9), true, false);
    let s0 = state(&app, 0, &[5, 5], vec![], false);
    let s1 = state(&app, 1, &[4, 6], vec![], false);
    let d = document(vec![channel_doc(
        "app",
        &app,
        &[
            (s0.clone(), sign(&s0, &[&a, &b])),
            (s1.clone(), vec![None, sign(&s1, &[&b])[0].clone()]),
        ],
    )]);
    let f = scratch("app.json", &to_json(&d));
    let (data, _) = calldata_of(&["calldata", p(&f), "progress", "--now", "1000", "--json"]);
    assert_eq!(data[..4], calldata::PROGRESS);
    let (_, old, new, actor, _) = <(
        Channel::Params,
        Channel::State,
        Channel::State,
        alloy_primitives::U256,
        Bytes,
    )>::abi_decode_params(&data[4..])
    .unwrap();
    assert_eq!((old.version, new.version), (0, 1));
    assert_eq!(actor, alloy_primitives::U256::from(1));
}

#[test]
fn calldata_that_would_revert_exits_with_1() {
    // After the timeout, the refutation reverts.
    let o = run(&[
        "calldata",
        &example_path(),
        "refute",
        "--channel",
        "alice-ingrid",
        "--events",
        &events_path(),
        "--now",
        "1060",
    ]);
    assert_eq!(code(&o), 1);
    assert!(
        stderr(&o).contains("RefutationTimeoutPassed"),
        "{}",
        stderr(&o)
    );
    let o = run(&[
        "calldata",
        &example_path(),
        "conclude-final",
        "--channel",
        "alice-ingrid",
    ]);
    assert_eq!(code(&o), 2);
    let o = run(&[
        "calldata",
        &example_path(),
        "register",
        "--channel",
        "nobody",
    ]);
    assert_eq!(code(&o), 2);
}

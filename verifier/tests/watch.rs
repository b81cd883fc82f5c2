//! `perun-verify watch` against the recorded event log (tests/fixtures/events.json: Ingrid
//! registers version 0 of Alice–Ingrid at time 1000 while version 1 is signed) and against a
//! JSON-RPC endpoint on the loopback that records the transaction sent.

mod common;

use alloy_primitives::{Address, Bytes, B256};
use common::*;
use perun_channel::native::recover;
use perun_channel::sig::Signature;
use perun_verifier::calldata;
use perun_verifier::schema::Document;
use perun_verifier::tx::rlp_list_items;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perun-verify"))
        .args(args)
        .output()
        .unwrap()
}

fn example_path() -> String {
    manifest()
        .join("examples/channel.json")
        .to_string_lossy()
        .into()
}

fn events_path() -> String {
    manifest()
        .join("tests/fixtures/events.json")
        .to_string_lossy()
        .into()
}

/// The refutation the watcher must send: Alice–Ingrid's version 1 with its virtual channel.
fn expected_refutation() -> Bytes {
    let s = virtual_scenario();
    let signed =
        |p: &perun_channel::sol::Channel::Params,
         (st, sigs): &(perun_channel::sol::Channel::State, Vec<Option<Bytes>>)| {
            perun_channel::sol::Channel::SignedState {
                params: p.clone(),
                state: st.clone(),
                sigs: sigs.iter().map(|x| x.clone().unwrap()).collect(),
            }
        };
    calldata::register(
        &signed(&s.ai, &s.ai_states[1]),
        &[signed(&s.ab, &s.ab_states[1])],
    )
}

#[test]
fn watch_emits_the_refutation_before_the_timeout() {
    let o = run(&[
        "watch",
        "--json",
        "--events",
        &events_path(),
        "--now",
        "1010",
        &example_path(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let alarms = v["alarms"].as_array().unwrap();
    assert_eq!(alarms.len(), 1, "{alarms:#?}");
    let a = &alarms[0];
    assert_eq!(a["channel"], "alice-ingrid");
    assert_eq!(a["registeredVersion"], 0);
    assert_eq!(a["heldVersion"], 1);
    assert_eq!(a["timeout"], 1060);
    assert_eq!(a["action"], "refute");
    assert_eq!(a["refutation"]["decision"], "accepts");
    let data: Bytes = a["refutation"]["call"]["data"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(data, expected_refutation());
    let to: Address = a["refutation"]["call"]["to"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(to, adjudicator());

    let o = run(&[
        "watch",
        "--events",
        &events_path(),
        "--now",
        "1010",
        &example_path(),
    ]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("REFUTE: alice-ingrid registered at version 0"),
        "{text}"
    );
    assert!(
        text.contains(&format!("{}", expected_refutation())),
        "{text}"
    );
}

#[test]
fn watch_reports_a_refutation_that_comes_too_late() {
    let o = run(&[
        "watch",
        "--json",
        "--events",
        &events_path(),
        "--now",
        "1060",
        &example_path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["alarms"][0]["action"], "tooLate");
    assert_eq!(
        v["alarms"][0]["refutation"]["revert"],
        "RefutationTimeoutPassed"
    );
}

#[test]
fn watch_is_quiet_when_the_latest_state_is_registered() {
    let mut logs: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(events_path()).unwrap()).unwrap();
    // The registration names version 1 instead.
    let data = logs[2]["data"].as_str().unwrap().to_owned();
    let mut bytes = hex::decode(&data[2..]).unwrap();
    bytes[31] = 1;
    logs[2]["data"] = json!(format!("0x{}", hex::encode(bytes)));
    let f = scratch("events-v1.json", &serde_json::to_string(&logs).unwrap());
    let o = run(&[
        "watch",
        "--events",
        f.to_str().unwrap(),
        "--now",
        "1010",
        &example_path(),
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("no stale registration"));
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC
// ---------------------------------------------------------------------------------------------

/// A JSON-RPC endpoint on the loopback answering the watcher's calls from the recorded log and
/// recording the raw transactions it is sent; `extra` answers first when it knows the request
/// (a whole response object: `result` or `error`). Serves for at most 60 seconds.
fn serve_with(
    logs: Vec<Value>,
    sent: Arc<Mutex<Vec<String>>>,
    extra: impl Fn(&Value) -> Option<Value> + Send + 'static,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let end = Instant::now() + Duration::from_secs(60);
        while Instant::now() < end {
            let Ok((mut stream, _)) = listener.accept() else {
                std::thread::sleep(Duration::from_millis(5));
                continue;
            };
            stream.set_nonblocking(false).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let body = loop {
                let n = stream.read(&mut chunk).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some(i) = text.find("\r\n\r\n") {
                    let len: usize = text[..i]
                        .lines()
                        .find_map(|l| {
                            let l = l.to_ascii_lowercase();
                            l.strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if buf.len() >= i + 4 + len {
                        break Some(text[i + 4..i + 4 + len].to_owned());
                    }
                }
            };
            let Some(body) = body else { continue };
            let req: Value = serde_json::from_str(&body).unwrap();
            let answer = extra(&req).unwrap_or_else(|| {
                let result = match req["method"].as_str().unwrap() {
                    "eth_blockNumber" => json!("0x64"),
                    "eth_getBlockByNumber" => json!({"number": "0x64", "timestamp": "0x3f2"}),
                    "eth_getLogs" => {
                        let want: Vec<String> = req["params"][0]["address"]
                            .as_array()
                            .map(|a| {
                                a.iter()
                                    .map(|x| x.as_str().unwrap().to_lowercase())
                                    .collect()
                            })
                            .unwrap_or_default();
                        json!(logs
                            .iter()
                            .filter(|l| want.is_empty()
                                || want.contains(&l["address"].as_str().unwrap().to_lowercase()))
                            .collect::<Vec<_>>())
                    }
                    "eth_chainId" => json!(format!("0x{CHAIN:x}")),
                    "eth_getTransactionCount" => {
                        json!(format!("0x{:x}", 5 + sent.lock().unwrap().len()))
                    }
                    "eth_gasPrice" => json!("0x5f5e100"),
                    "eth_estimateGas" => json!("0x30d40"),
                    // EVM code everywhere unless `extra` says otherwise.
                    "eth_getCode" => json!("0x6000"),
                    "eth_getTransactionReceipt" => json!({"status": "0x1"}),
                    "eth_sendRawTransaction" => {
                        let raw = req["params"][0].as_str().unwrap().to_owned();
                        let mut sent = sent.lock().unwrap();
                        sent.push(raw);
                        json!(format!("0x{:064x}", sent.len()))
                    }
                    m => panic!("unexpected method {m}"),
                };
                json!({ "result": result })
            });
            let mut resp = json!({"jsonrpc": "2.0", "id": req["id"]});
            for (k, v) in answer.as_object().unwrap() {
                resp[k] = v.clone();
            }
            let resp = resp.to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{resp}",
                resp.len()
            );
        }
    });
    format!("http://{addr}")
}

/// [`serve_with`] answering everything from the recorded log.
fn serve(logs: Vec<Value>, sent: Arc<Mutex<Vec<String>>>) -> String {
    serve_with(logs, sent, |_| None)
}

/// The recorded log in `eth_getLogs`' form: hex quantities, no timestamps.
fn rpc_logs() -> Vec<Value> {
    let logs: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(events_path()).unwrap()).unwrap();
    logs.into_iter()
        .enumerate()
        .map(|(k, l)| {
            json!({
                "address": l["address"],
                "topics": l["topics"],
                "data": l["data"],
                "blockNumber": format!("0x{:x}", l["blockNumber"].as_u64().unwrap()),
                "logIndex": format!("0x{k:x}"),
                "transactionHash": format!("0x{}", "00".repeat(32)),
                "removed": false,
            })
        })
        .collect()
}

#[test]
fn watch_sends_the_refutation_through_json_rpc() {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve(rpc_logs(), sent.clone());
    let key = format!("0x{}", hex::encode([0x11u8; 32]));
    let o = run(&[
        "watch",
        "--json",
        "--rpc-url",
        &url,
        "--key",
        &key,
        &example_path(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // The endpoint's latest block time (0x3f2 = 1010) is the watcher's now.
    assert_eq!(v["now"], 1010);
    assert_eq!(v["alarms"][0]["action"], "refute");
    assert_eq!(v["alarms"][0]["sent"], format!("0x{:064x}", 1));
    // The contracts hold EVM code: no program to keep alive.
    assert_eq!(v["programs"], json!([]));
    let raws = sent.lock().unwrap().clone();
    assert_eq!(raws.len(), 1);
    let raw = hex::decode(&raws[0][2..]).unwrap();
    assert_eq!(raw[0], 2, "an EIP-1559 transaction");
    let items = rlp_list_items(&raw[1..]).unwrap();
    assert_eq!(items[0], CHAIN.to_be_bytes()[6..].to_vec());
    assert_eq!(items[1], vec![5u8], "the pending nonce");
    assert_eq!(items[5], adjudicator().to_vec());
    assert_eq!(Bytes::from(items[7].clone()), expected_refutation());
    // The signature is the key's.
    let tx = perun_verifier::tx::TxRequest {
        chain_id: CHAIN,
        nonce: 5,
        max_priority_fee_per_gas: alloy_primitives::U256::from(10_000_000u64),
        max_fee_per_gas: alloy_primitives::U256::from(200_000_000u64),
        gas_limit: 200_000 + 40_000,
        to: adjudicator(),
        value: alloy_primitives::U256::ZERO,
        data: expected_refutation(),
        legacy: false,
    };
    let sig = Signature {
        r: B256::left_padding_from(&items[10]),
        s: B256::left_padding_from(&items[11]),
        v: 27 + items[9].first().copied().unwrap_or(0),
    };
    let signer = perun_channel::native::Signer::from_bytes(&[0x11u8; 32]).unwrap();
    assert_eq!(recover(&tx.signing_hash(), &sig), Ok(signer.address()));
}

#[test]
fn watch_rejects_a_bad_key_as_bad_input() {
    let o = run(&[
        "watch",
        "--rpc-url",
        "http://127.0.0.1:9",
        "--key",
        "0x00",
        &example_path(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_example_has_no_alarm_without_events() {
    let d: Document =
        perun_verifier::schema::parse(&std::fs::read_to_string(example_path()).unwrap()).unwrap();
    let v = perun_verifier::verify(&d).unwrap();
    let h = perun_verifier::events::replay(&v.doc, &v.verdicts, &[]).unwrap();
    let ctx = perun_verifier::predict::Context {
        doc: &v.doc,
        verdicts: &v.verdicts,
        history: &h,
        now: 0,
    };
    assert!(perun_verifier::watch::scan(&ctx).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Stylus program lifetimes through JSON-RPC
// ---------------------------------------------------------------------------------------------

/// The data fee the simulated chain asks for.
const WANT: u64 = 5_000_000_000;

/// An endpoint where the Adjudicator holds an expired Stylus program: `programTimeLeft` reverts
/// with `ProgramExpired` until a transaction was sent, `activateProgram` without value reverts
/// with `ProgramInsufficientValue(0, WANT)`, and receipts report `activation_ok`.
fn serve_expired(sent: Arc<Mutex<Vec<String>>>, activation_ok: bool) -> String {
    use alloy_sol_types::{SolCall, SolInterface, SolValue};
    use perun_verifier::lifetime::abi::ArbWasm::*;
    let seen = sent.clone();
    serve_with(rpc_logs(), sent, move |req| {
        let method = req["method"].as_str().unwrap();
        let param = &req["params"][0];
        let to = |a: Address| {
            param["to"]
                .as_str()
                .is_some_and(|t| t.eq_ignore_ascii_case(&a.to_string()))
        };
        let revert = |e: ArbWasmErrors| {
            let data = format!("0x{}", hex::encode(e.abi_encode()));
            json!({"error": {"code": 3, "message": "execution reverted", "data": data}})
        };
        let result = |data: Vec<u8>| json!({"result": format!("0x{}", hex::encode(data))});
        match method {
            "eth_getCode"
                if req["params"][0]
                    .as_str()
                    .unwrap()
                    .eq_ignore_ascii_case(&adjudicator().to_string()) =>
            {
                Some(json!({"result": "0xeff00000aabbcc"}))
            }
            "eth_getTransactionReceipt" if !activation_ok => {
                Some(json!({"result": {"status": "0x0"}}))
            }
            "eth_call" if to(perun_verifier::lifetime::ARBWASM) => {
                let data = hex::decode(&param["data"].as_str().unwrap()[2..]).unwrap();
                let sel: [u8; 4] = data[..4].try_into().unwrap();
                Some(match sel {
                    expiryDaysCall::SELECTOR => result(365u16.abi_encode()),
                    keepaliveDaysCall::SELECTOR => result(31u16.abi_encode()),
                    programTimeLeftCall::SELECTOR if seen.lock().unwrap().is_empty() => {
                        revert(ArbWasmErrors::ProgramExpired(ProgramExpired {
                            ageInSeconds: 400 * 86_400,
                        }))
                    }
                    programTimeLeftCall::SELECTOR => result(1_000u64.abi_encode()),
                    activateProgramCall::SELECTOR => revert(
                        ArbWasmErrors::ProgramInsufficientValue(ProgramInsufficientValue {
                            have: alloy_primitives::U256::ZERO,
                            want: alloy_primitives::U256::from(WANT),
                        }),
                    ),
                    _ => panic!("unexpected ArbWasm call {}", hex::encode(sel)),
                })
            }
            _ => None,
        }
    })
}

/// The transactions sent, decoded: (nonce, to, value, data).
fn sent_txs(sent: &Arc<Mutex<Vec<String>>>) -> Vec<(u64, Address, alloy_primitives::U256, Bytes)> {
    sent.lock()
        .unwrap()
        .iter()
        .map(|raw| {
            let raw = hex::decode(&raw[2..]).unwrap();
            let items = rlp_list_items(&raw[1..]).unwrap();
            let nonce = items[1].iter().fold(0u64, |n, b| n << 8 | u64::from(*b));
            (
                nonce,
                Address::from_slice(&items[5]),
                alloy_primitives::U256::from_be_slice(&items[6]),
                Bytes::from(items[7].clone()),
            )
        })
        .collect()
}

#[test]
fn watch_reactivates_an_expired_adjudicator_before_refuting() {
    use alloy_sol_types::SolCall;
    use perun_verifier::lifetime::abi::ArbWasm::activateProgramCall;
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve_expired(sent.clone(), true);
    let key = format!("0x{}", hex::encode([0x11u8; 32]));
    let o = run(&[
        "watch",
        "--json",
        "--rpc-url",
        &url,
        "--key",
        &key,
        &example_path(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let p = &v["programs"][0];
    assert_eq!(v["programs"].as_array().unwrap().len(), 1, "{stdout}");
    assert_eq!(
        p["address"].as_str().unwrap().to_lowercase(),
        adjudicator().to_string().to_lowercase()
    );
    assert_eq!(p["status"], "expired");
    assert_eq!(p["age"], 400 * 86_400);
    assert_eq!(p["plan"], "activate");
    assert_eq!(p["confirmed"], true);
    assert_eq!(p["usable"], true);
    assert_eq!(p["sent"], format!("0x{:064x}", 1));
    assert_eq!(v["alarms"][0]["sent"], format!("0x{:064x}", 2));
    // First the activation with the fee and a tenth more, then the refutation.
    let txs = sent_txs(&sent);
    assert_eq!(txs.len(), 2);
    let want = alloy_primitives::U256::from(WANT);
    let activation = activateProgramCall {
        program: adjudicator(),
    }
    .abi_encode();
    assert_eq!(
        txs[0],
        (
            5,
            perun_verifier::lifetime::ARBWASM,
            want + want / alloy_primitives::U256::from(10),
            Bytes::from(activation)
        )
    );
    assert_eq!(
        txs[1],
        (
            6,
            adjudicator(),
            alloy_primitives::U256::ZERO,
            expected_refutation()
        )
    );

    // The text report says the same.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve_expired(sent, true);
    let o = run(&["watch", "--rpc-url", &url, "--key", &key, &example_path()]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("EXPIRED, 34560000 s old"), "{text}");
    assert!(
        text.contains("needs reactivation (activateProgram)"),
        "{text}"
    );
    assert!(text.contains("(succeeded)"), "{text}");
}

#[test]
fn watch_does_not_refute_through_a_program_it_could_not_reactivate() {
    // The activation fails on chain: the refutation would fail too, so it is not sent.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve_expired(sent.clone(), false);
    let key = format!("0x{}", hex::encode([0x11u8; 32]));
    let o = run(&[
        "watch",
        "--json",
        "--rpc-url",
        &url,
        "--key",
        &key,
        &example_path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["programs"][0]["confirmed"], false);
    assert_eq!(v["programs"][0]["usable"], false);
    assert!(v["alarms"][0].get("sent").is_none());
    let blocked = v["alarms"][0]["blocked"].as_str().unwrap();
    assert!(blocked.contains("is not usable (expired)"), "{blocked}");
    assert_eq!(sent_txs(&sent).len(), 1, "the activation only");

    // Without a key: the plan and the fee are reported, nothing is sent.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve_expired(sent.clone(), true);
    let o = run(&["watch", "--json", "--rpc-url", &url, &example_path()]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["programs"][0]["plan"], "activate");
    assert_eq!(v["programs"][0]["note"], "not sent: no key");
    assert!(sent_txs(&sent).is_empty());

    // A cap below the fee: not sent either.
    let sent = Arc::new(Mutex::new(Vec::new()));
    let url = serve_expired(sent.clone(), true);
    let o = run(&[
        "watch",
        "--json",
        "--rpc-url",
        &url,
        "--key",
        &key,
        "--max-data-fee",
        "1000",
        &example_path(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["programs"][0]["note"]
        .as_str()
        .unwrap()
        .contains("exceeds the cap"));
    assert!(sent_txs(&sent).is_empty());
}

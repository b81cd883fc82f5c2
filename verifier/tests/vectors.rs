//! The v1 reference vectors (test/fixtures/perun-v1.json): every state signature and
//! withdrawal signature verifies and every channel ID and state hash matches, through the
//! library and through the binary.

mod common;

use alloy_primitives::B256;
use common::*;
use perun_verifier::check::{verify_signed_state, CheckKind};
use perun_verifier::schema::{self, Document};
use serde_json::{json, Value};
use std::process::Command;

const SIGNATURE_CHECKS: [CheckKind; 5] = [
    CheckKind::ChannelId,
    CheckKind::Signature,
    CheckKind::SignatureOrder,
    CheckKind::SignatureCount,
    CheckKind::Withdrawal,
];

fn vectors() -> Vec<Value> {
    let path = manifest().join("../test/fixtures/perun-v1.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["vectors"].as_array().unwrap().clone()
}

/// A document holding one vector: its params, its state signed by every participant, and each
/// participant's withdrawal authorization.
fn document_of(v: &Value) -> String {
    let per = v["perParticipant"].as_array().unwrap();
    let sigs: Vec<Value> = per.iter().map(|p| p["stateSignature"].clone()).collect();
    let withdrawals: Vec<Value> = per
        .iter()
        .map(
            |p| json!({"auth": p["withdrawal"]["auth"], "signature": p["withdrawal"]["signature"]}),
        )
        .collect();
    json!({
        "chainID": "1",
        "channels": [{"params": v["params"], "states": [{"state": v["state"], "sigs": sigs}]}],
        "withdrawals": withdrawals,
    })
    .to_string()
}

#[test]
fn every_vector_verifies_through_the_library() {
    let vs = vectors();
    assert_eq!(vs.len(), 30);
    for v in &vs {
        let id = v["id"].as_str().unwrap();
        let d: Document = schema::parse(&document_of(v)).unwrap();
        let r = perun_verifier::verify(&d).unwrap();
        let ch = &r.doc.channels[0];
        let want_id: B256 = v["channelID"].as_str().unwrap().parse().unwrap();
        let want_hash: B256 = v["stateHash"].as_str().unwrap().parse().unwrap();
        assert_eq!(ch.id, want_id, "{id}");
        assert_eq!(ch.states[0].hash, want_hash, "{id}");
        assert!(r.verdicts[0][0].fully_signed(), "{id}");
        assert_eq!(
            verify_signed_state(&ch.states[0].signed),
            Ok(want_hash),
            "{id}"
        );
        let bad: Vec<_> = r
            .findings
            .iter()
            .filter(|f| SIGNATURE_CHECKS.contains(&f.check))
            .collect();
        assert!(bad.is_empty(), "{id}: {bad:#?}");
    }
}

#[test]
fn every_vector_verifies_through_the_binary() {
    for v in vectors() {
        let id = v["id"].as_str().unwrap().to_owned();
        let f = scratch(&format!("vector-{id}.json"), &document_of(&v));
        let o = Command::new(env!("CARGO_BIN_EXE_perun-verify"))
            .args(["check", "--json", f.to_str().unwrap()])
            .output()
            .unwrap();
        // Many vectors are semantically invalid on purpose (FORMAT.md): exit 0 or 1, never 2.
        let code = o.status.code().unwrap();
        assert!(code == 0 || code == 1, "{id}: exit {code}");
        let r: Value = serde_json::from_slice(&o.stdout).unwrap();
        let ch = &r["channels"][0];
        assert_eq!(
            ch["channelId"].as_str().unwrap(),
            v["channelID"].as_str().unwrap(),
            "{id}"
        );
        assert_eq!(ch["states"][0]["hash"], v["stateHash"], "{id}");
        assert_eq!(ch["states"][0]["fullySigned"], true, "{id}");
        for f in r["findings"].as_array().unwrap() {
            let check = f["check"].as_str().unwrap();
            assert!(
                ![
                    "channelId",
                    "signature",
                    "signatureOrder",
                    "signatureCount",
                    "withdrawal"
                ]
                .contains(&check),
                "{id}: {f}"
            );
        }
    }
}

#[test]
fn a_vector_with_a_tampered_signature_fails_with_its_path() {
    let v = &vectors()[4];
    let mut d: Value = serde_json::from_str(&document_of(v)).unwrap();
    // Participant 1's signature over another participant's: out of order.
    let s0 = d["channels"][0]["states"][0]["sigs"][0].clone();
    d["channels"][0]["states"][0]["sigs"][1] = s0;
    let r = perun_verifier::verify(&schema::parse(&d.to_string()).unwrap()).unwrap();
    let f = r
        .findings
        .iter()
        .find(|f| f.check == CheckKind::SignatureOrder)
        .unwrap();
    assert_eq!(f.path, "$.channels[0].states[0].sigs[1]");
}

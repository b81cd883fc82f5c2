//! The committed example document and recorded event log are what the scenarios build:
//! deterministic keys and RFC 6979 signatures make them reproducible byte for byte.

mod common;

use alloy_primitives::U256;
use common::*;
use perun_channel::hash;
use perun_verifier::events::{channel_update_log, deposited_log, LogDoc};

/// The recorded event log of the watch tests: Alice and Ingrid fund their channel (10 each),
/// then Ingrid registers its version 0 at time 1000, although version 1 is signed.
pub fn recorded_log() -> Vec<LogDoc> {
    let s = virtual_scenario();
    let ai = hash::channel_id(&s.ai);
    let mut logs = [
        deposited_log(
            eth_holder(),
            hash::funding_id(ai, alice().address()),
            U256::from(10),
            90,
        ),
        deposited_log(
            eth_holder(),
            hash::funding_id(ai, ingrid().address()),
            U256::from(10),
            91,
        ),
        channel_update_log(adjudicator(), ai, 0, 0, 1000 + CHALLENGE, 100, 1000),
    ];
    logs[0].timestamp = Some(900);
    logs[1].timestamp = Some(910);
    logs.iter().map(Into::into).collect()
}

#[test]
fn the_example_document_is_current() {
    committed("examples/channel.json", &to_json(&example()));
}

#[test]
fn the_recorded_event_log_is_current() {
    committed("tests/fixtures/events.json", &to_json(&recorded_log()));
}

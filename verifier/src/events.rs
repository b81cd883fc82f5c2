//! Chain events: the log file format, decoding of `ChannelUpdate`, `Deposited`, `OutcomeSet`
//! and `Withdrawn`, and their replay into the [`Chain`] model.

use crate::chain::Chain;
use crate::check::{chosen_state, Verdict};
use crate::error::{Error, Result};
use crate::schema::{self, Addr, Hex, Word};
use crate::tree::Doc;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolEvent;
use perun_channel::dispute::{self, Dispute};
use perun_channel::sol::{ChannelUpdate, Deposited, OutcomeSet, Withdrawn};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// A block number or a time: a JSON number, a decimal string or a `0x` hex quantity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Quantity(pub u64);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Q {
            N(u64),
            S(String),
        }
        match Q::deserialize(d)? {
            Q::N(n) => Ok(Quantity(n)),
            Q::S(s) => parse_quantity(&s).map(Quantity).map_err(de::Error::custom),
        }
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

/// Parses `0x`-hex or decimal into a `u64`.
///
/// # Errors
/// A message saying what is wrong.
pub fn parse_quantity(s: &str) -> std::result::Result<u64, String> {
    let r = match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16),
        None => s.parse(),
    };
    r.map_err(|_| format!("{s:?} is not a 64-bit quantity (decimal or 0x-hex)"))
}

/// One log, as in the event file (and as `eth_getLogs` returns it, with a time).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LogDoc {
    /// The emitting contract.
    pub address: Addr,
    /// The topics: the event's signature hash, then its indexed arguments.
    pub topics: Vec<Word>,
    /// The non-indexed arguments.
    pub data: Hex,
    /// The block.
    pub block_number: Quantity,
    /// The block's time (unix seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<Quantity>,
    /// The transaction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction_hash: Option<Word>,
    /// The log's index in its block.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_index: Option<Quantity>,
}

/// A log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Log {
    /// The emitting contract.
    pub address: Address,
    /// The topics.
    pub topics: Vec<B256>,
    /// The data.
    pub data: Bytes,
    /// The block.
    pub block_number: u64,
    /// The block's time, if known.
    pub timestamp: Option<u64>,
    /// The log's index in its block, if known.
    pub log_index: Option<u64>,
    /// Where it came from (`$[3]` in a file, `rpc` otherwise).
    pub path: String,
}

impl From<&LogDoc> for Log {
    fn from(l: &LogDoc) -> Self {
        Log {
            address: l.address.0,
            topics: l.topics.iter().map(|t| t.0).collect(),
            data: l.data.0.clone(),
            block_number: l.block_number.0,
            timestamp: l.timestamp.map(|t| t.0),
            log_index: l.log_index.map(|t| t.0),
            path: String::new(),
        }
    }
}

impl From<&Log> for LogDoc {
    fn from(l: &Log) -> Self {
        LogDoc {
            address: Addr(l.address),
            topics: l.topics.iter().map(|t| Word(*t)).collect(),
            data: Hex(l.data.clone()),
            block_number: Quantity(l.block_number),
            timestamp: l.timestamp.map(Quantity),
            transaction_hash: None,
            log_index: l.log_index.map(Quantity),
        }
    }
}

/// Parses an event file: a JSON array of logs.
///
/// # Errors
/// [`Error::Input`] with the path of the offending field.
pub fn parse_logs(text: &str) -> Result<Vec<Log>> {
    let docs: Vec<LogDoc> = schema::parse(text)?;
    Ok(docs
        .iter()
        .enumerate()
        .map(|(k, d)| Log {
            path: format!("$[{k}]"),
            ..d.into()
        })
        .collect())
}

/// Reads an event file.
///
/// # Errors
/// [`Error::Io`] or [`Error::Input`].
pub fn load_logs(file: &str) -> Result<Vec<Log>> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        file: file.to_owned(),
        source,
    })?;
    parse_logs(&text)
}

/// A decoded event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "camelCase")]
pub enum Event {
    /// A dispute record changed.
    #[serde(rename_all = "camelCase")]
    ChannelUpdate {
        /// The channel.
        channel_id: B256,
        /// The record's version.
        version: u64,
        /// Its phase.
        phase: u8,
        /// Its timeout.
        timeout: u64,
    },
    /// Funds were deposited.
    #[serde(rename_all = "camelCase")]
    Deposited {
        /// The funding ID.
        funding_id: B256,
        /// The amount.
        #[serde(serialize_with = "crate::schema::decimal::one")]
        amount: U256,
    },
    /// A holder set a channel's outcome.
    #[serde(rename_all = "camelCase")]
    OutcomeSet {
        /// The channel.
        channel_id: B256,
    },
    /// A participant withdrew.
    #[serde(rename_all = "camelCase")]
    Withdrawn {
        /// The funding ID.
        funding_id: B256,
        /// The amount.
        #[serde(serialize_with = "crate::schema::decimal::one")]
        amount: U256,
        /// The receiver.
        receiver: Address,
    },
}

/// Decodes a log; `Ok(None)` for events of other contracts.
///
/// # Errors
/// [`Error::Input`] if the log has a Perun event's signature but not its shape.
pub fn decode(log: &Log) -> Result<Option<Event>> {
    let Some(topic0) = log.topics.first() else {
        return Ok(None);
    };
    let bad = |e: alloy_sol_types::Error| {
        Error::input(
            format!("{}.data", log.path),
            format!("not a well-formed event: {e}"),
        )
    };
    let topics = log.topics.iter().copied();
    let ev = match *topic0 {
        ChannelUpdate::SIGNATURE_HASH => {
            let e = ChannelUpdate::decode_raw_log_validate(topics, &log.data).map_err(bad)?;
            Event::ChannelUpdate {
                channel_id: e.channelID,
                version: e.version,
                phase: e.phase,
                timeout: e.timeout,
            }
        }
        Deposited::SIGNATURE_HASH => {
            let e = Deposited::decode_raw_log_validate(topics, &log.data).map_err(bad)?;
            Event::Deposited {
                funding_id: e.fundingID,
                amount: e.amount,
            }
        }
        OutcomeSet::SIGNATURE_HASH => {
            let e = OutcomeSet::decode_raw_log_validate(topics, &log.data).map_err(bad)?;
            Event::OutcomeSet {
                channel_id: e.channelID,
            }
        }
        Withdrawn::SIGNATURE_HASH => {
            let e = Withdrawn::decode_raw_log_validate(topics, &log.data).map_err(bad)?;
            Event::Withdrawn {
                funding_id: e.fundingID,
                amount: e.amount,
                receiver: e.receiver,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(ev))
}

/// A `ChannelUpdate` log as the contracts emit it: topic 0 the event's signature hash, topic 1
/// the channel ID, data the version, phase and timeout words.
pub fn channel_update_log(
    emitter: Address,
    channel_id: B256,
    version: u64,
    phase: u8,
    timeout: u64,
    block_number: u64,
    timestamp: u64,
) -> Log {
    let mut data = vec![0u8; 96];
    data[24..32].copy_from_slice(&version.to_be_bytes());
    data[63] = phase;
    data[88..96].copy_from_slice(&timeout.to_be_bytes());
    Log {
        address: emitter,
        topics: vec![ChannelUpdate::SIGNATURE_HASH, channel_id],
        data: data.into(),
        block_number,
        timestamp: Some(timestamp),
        log_index: None,
        path: String::new(),
    }
}

/// A `Deposited` log.
pub fn deposited_log(holder: Address, funding_id: B256, amount: U256, block_number: u64) -> Log {
    Log {
        address: holder,
        topics: vec![Deposited::SIGNATURE_HASH, funding_id],
        data: amount.to_be_bytes::<32>().to_vec().into(),
        block_number,
        timestamp: None,
        log_index: None,
        path: String::new(),
    }
}

/// The state hash put into a record rebuilt from an event whose state the document does not
/// hold: no state hashes to it, so every call naming a held state as the registered one
/// fails as the contract would (`WrongState`, `WrongOldState`).
pub fn unknown_state_hash() -> B256 {
    keccak256(b"perun-verify: a registered state that the document does not hold")
}

/// A `ChannelUpdate` seen on chain, with what the document knows about it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Update {
    /// The emitting contract.
    pub emitter: Address,
    /// The block.
    pub block_number: u64,
    /// The channel.
    pub channel_id: B256,
    /// The channel's index in the document, if it is there.
    #[serde(skip)]
    pub channel: Option<usize>,
    /// The record's version.
    pub version: u64,
    /// Its phase.
    pub phase: u8,
    /// Its timeout.
    pub timeout: u64,
    /// The held state of that version (its index), if one is held.
    #[serde(skip)]
    pub state: Option<usize>,
}

/// The chain as the events show it.
#[derive(Clone, Debug, Default)]
pub struct History {
    /// The contracts' records and holdings.
    pub chain: Chain,
    /// Every `ChannelUpdate`, in order.
    pub updates: Vec<Update>,
    /// The latest block seen.
    pub last_block: u64,
    /// The latest time seen.
    pub last_timestamp: Option<u64>,
}

/// The held state of channel `c` with `version`: the fully signed one if several are held.
pub fn held_with_version(
    doc: &Doc,
    verdicts: &[Vec<Verdict>],
    c: usize,
    version: u64,
) -> Option<usize> {
    let ch = &doc.channels[c];
    let same: Vec<usize> = (0..ch.states.len())
        .filter(|&j| ch.states[j].state().version == version)
        .collect();
    same.iter()
        .copied()
        .find(|&j| verdicts[c][j].fully_signed())
        .or_else(|| same.first().copied())
}

/// Replays logs into the chain model: records from `ChannelUpdate` (from the document's
/// Adjudicator or registry when it names them, else from any contract), holdings from
/// `Deposited` and `Withdrawn`, settled channels from `OutcomeSet`. Logs are taken in block
/// order (and log index order where given).
///
/// # Errors
/// [`Error::Input`] for a malformed Perun event.
pub fn replay(doc: &Doc, verdicts: &[Vec<Verdict>], logs: &[Log]) -> Result<History> {
    let mut order: Vec<&Log> = logs.iter().collect();
    order.sort_by_key(|l| (l.block_number, l.log_index.unwrap_or(0)));
    let mut h = History {
        chain: Chain::new(doc.chain_id, 0),
        ..Default::default()
    };
    let records_from = |a: &Address| {
        let named: Vec<Address> = doc.adjudicator.into_iter().chain(doc.registry).collect();
        named.is_empty() || named.contains(a)
    };
    for log in order {
        h.last_block = h.last_block.max(log.block_number);
        if let Some(t) = log.timestamp {
            h.last_timestamp = Some(h.last_timestamp.map_or(t, |l| l.max(t)));
        }
        let Some(ev) = decode(log)? else { continue };
        match ev {
            Event::ChannelUpdate {
                channel_id,
                version,
                phase,
                timeout,
            } => {
                if !records_from(&log.address) {
                    continue;
                }
                let channel = doc.by_id.get(&channel_id).copied();
                let state = channel.and_then(|c| held_with_version(doc, verdicts, c, version));
                let (cd, has_app, virt) = match channel {
                    Some(c) => {
                        let p = &doc.channels[c].params;
                        (
                            dispute::challenge_duration(p.challengeDuration),
                            !p.app.is_zero() && !p.virtualChannel,
                            p.virtualChannel,
                        )
                    }
                    None => (0, false, doc.registry == Some(log.address)),
                };
                let state_hash = match (channel, state) {
                    (Some(c), Some(j)) => doc.channels[c].states[j].hash,
                    _ => unknown_state_hash(),
                };
                let d = Dispute {
                    timeout,
                    challenge_duration: cd,
                    version,
                    phase,
                    has_app,
                    state_hash,
                };
                // The record's key: a sub-channel's or virtual channel's ID bound to the funding
                // of the state registered, where the document holds it. A registration of an
                // older version than the channel's chosen state that the document no longer
                // holds (a client keeps only its latest state) is taken as one under the chosen
                // state's funding while nothing is known to be recorded there, so the watcher
                // refutes it. It never overwrites a known record: the event does not say which
                // funding it was registered under, and one of another funding (a fake parent's)
                // must not hide or replace ours. Anything else stays under the bare ID.
                let key = match (channel, state) {
                    (Some(c), Some(j)) => {
                        doc.channels[c].record_key(doc.channels[c].states[j].state())
                    }
                    (Some(c), None) if !doc.channels[c].states.is_empty() => {
                        let chosen = chosen_state(&doc.channels[c], &verdicts[c]).state();
                        let ours = doc.channels[c].record_key(chosen);
                        let known = if virt {
                            h.chain.registry.get(&ours)
                        } else {
                            h.chain.adjudicator.get(&ours)
                        }
                        .is_some_and(|d| d.registered());
                        if version < chosen.version && phase != dispute::CONCLUDED && !known {
                            ours
                        } else {
                            channel_id
                        }
                    }
                    _ => channel_id,
                };
                if virt {
                    h.chain.registry.insert(key, d);
                } else {
                    h.chain.adjudicator.insert(key, d);
                }
                h.updates.push(Update {
                    emitter: log.address,
                    block_number: log.block_number,
                    channel_id,
                    channel,
                    version,
                    phase,
                    timeout,
                    state,
                });
            }
            Event::Deposited { funding_id, amount } => {
                h.chain.deposit(log.address, funding_id, amount);
            }
            Event::Withdrawn {
                funding_id, amount, ..
            } => h.chain.debit(log.address, funding_id, amount),
            Event::OutcomeSet { channel_id } => h.chain.mark_settled(log.address, channel_id),
        }
    }
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_update_logs_decode_to_what_was_encoded() {
        let id = B256::repeat_byte(7);
        let log = channel_update_log(Address::repeat_byte(1), id, 5, 1, 1234, 9, 100);
        assert_eq!(
            ChannelUpdate::SIGNATURE_HASH.to_string(),
            "0x895ef5a5fc3efd313a300b006d6ce97ff0670dfe04f6eea90417edf924fa786b"
        );
        assert_eq!(
            decode(&log).unwrap(),
            Some(Event::ChannelUpdate {
                channel_id: id,
                version: 5,
                phase: 1,
                timeout: 1234
            })
        );
    }

    #[test]
    fn a_malformed_channel_update_is_bad_input() {
        let mut log = channel_update_log(Address::ZERO, B256::ZERO, 5, 1, 1234, 9, 100);
        log.data = log.data[..64].to_vec().into();
        log.path = "$[0]".into();
        match decode(&log) {
            Err(Error::Input { path, .. }) => assert_eq!(path, "$[0].data"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quantities_are_numbers_decimal_or_hex() {
        assert_eq!(parse_quantity("0x1a"), Ok(26));
        assert_eq!(parse_quantity("26"), Ok(26));
        assert!(parse_quantity("x").is_err());
        let logs = parse_logs(
            r#"[{"address": "0x0000000000000000000000000000000000000001", "topics": [],
                 "data": "0x", "blockNumber": "0x10", "timestamp": 5}]"#,
        )
        .unwrap();
        assert_eq!(logs[0].block_number, 16);
        assert_eq!(logs[0].timestamp, Some(5));
    }
}

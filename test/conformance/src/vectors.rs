//! The reference vector file: its JSON model and its conversion into `perun-channel` types.

use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};
use serde::Deserialize;
use std::path::Path;

/// Why the vector file could not be used.
#[derive(Debug)]
pub enum VectorError {
    /// The file could not be read.
    Io(std::io::Error),
    /// The file is not valid JSON of the documented format.
    Json(serde_json::Error),
    /// A field holds a value of the wrong form; the field's path and the problem are given.
    Field(String, String),
}

impl std::fmt::Display for VectorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VectorError::Io(e) => write!(f, "cannot read the vectors: {e}"),
            VectorError::Json(e) => write!(f, "malformed vector file: {e}"),
            VectorError::Field(path, what) => write!(f, "{path}: {what}"),
        }
    }
}

impl std::error::Error for VectorError {}

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VectorFile {
    /// The set's name.
    pub set: String,
    /// The contract source the values come from.
    pub source: String,
    /// The compiler of that source.
    pub compiler: String,
    /// The number of vectors.
    pub count: usize,
    /// The vectors.
    pub vectors: Vec<Vector>,
}

/// One case.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Vector {
    /// `<set>-NN`.
    pub id: String,
    /// What the case varies.
    pub description: String,
    /// The channel params.
    pub params: JsonParams,
    /// `abi.encode(params)`.
    pub params_encoded: String,
    /// `keccak256(paramsEncoded)`.
    #[serde(rename = "channelID")]
    pub channel_id: String,
    /// The state.
    pub state: JsonState,
    /// `abi.encode(state)`.
    pub state_encoded: String,
    /// `keccak256(stateEncoded)`.
    pub state_hash: String,
    /// The eth-signed digest of the state hash.
    pub state_signing_digest: String,
    /// One entry per participant.
    pub per_participant: Vec<JsonParticipantCase>,
}

/// `Channel.Params`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct JsonParams {
    pub challenge_duration: String,
    pub nonce: String,
    pub participants: Vec<JsonParticipant>,
    pub app: String,
    pub ledger_channel: bool,
    pub virtual_channel: bool,
}

/// `Channel.Participant`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct JsonParticipant {
    pub eth_address: String,
    pub cc_address: String,
}

/// `Channel.State`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct JsonState {
    #[serde(rename = "channelID")]
    pub channel_id: String,
    pub version: String,
    pub outcome: JsonAllocation,
    pub app_data: String,
    pub is_final: bool,
}

/// `Channel.Allocation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct JsonAllocation {
    pub assets: Vec<JsonAsset>,
    pub backends: Vec<String>,
    pub balances: Vec<Vec<String>>,
    pub locked: Vec<JsonSubAlloc>,
}

/// `Channel.Asset`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct JsonAsset {
    #[serde(rename = "chainID")]
    pub chain_id: String,
    #[serde(rename = "ethHolder")]
    pub eth_holder: String,
    #[serde(rename = "ccHolder")]
    pub cc_holder: String,
}

/// `Channel.SubAlloc`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct JsonSubAlloc {
    #[serde(rename = "ID")]
    pub id: String,
    pub balances: Vec<String>,
    #[serde(rename = "indexMap")]
    pub index_map: Vec<u16>,
}

/// `perParticipant[j]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct JsonParticipantCase {
    pub index: usize,
    pub eth_address: String,
    pub private_key: String,
    pub state_signature: String,
    #[serde(rename = "fundingID")]
    pub funding_id: String,
    pub withdrawal: JsonWithdrawal,
}

/// `perParticipant[j].withdrawal`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct JsonWithdrawal {
    pub auth: JsonAuth,
    pub encoded: String,
    pub hash: String,
    pub signing_digest: String,
    pub signature: String,
}

/// `WithdrawalAuth`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct JsonAuth {
    #[serde(rename = "channelID")]
    pub channel_id: String,
    pub participant: JsonParticipant,
    pub receiver: String,
    pub amount: String,
}

/// Reads and parses the vector file at `path`.
///
/// # Errors
/// [`VectorError::Io`] or [`VectorError::Json`].
pub fn load(path: &Path) -> Result<VectorFile, VectorError> {
    let text = std::fs::read_to_string(path).map_err(VectorError::Io)?;
    serde_json::from_str(&text).map_err(VectorError::Json)
}

type R<T> = Result<T, VectorError>;

fn field(path: &str, what: impl std::fmt::Display) -> VectorError {
    VectorError::Field(path.to_owned(), what.to_string())
}

/// A `0x`-prefixed hex byte string.
pub fn bytes(path: &str, s: &str) -> R<Vec<u8>> {
    let digits = s
        .strip_prefix("0x")
        .ok_or_else(|| field(path, "hex value without 0x prefix"))?;
    hex::decode(digits).map_err(|e| field(path, e))
}

/// A 32-byte hex value.
pub fn b256(path: &str, s: &str) -> R<B256> {
    let b = bytes(path, s)?;
    B256::try_from(b.as_slice()).map_err(|_| field(path, format!("{} bytes, not 32", b.len())))
}

/// A 20-byte hex address (any case).
pub fn address(path: &str, s: &str) -> R<Address> {
    let b = bytes(path, s)?;
    Address::try_from(b.as_slice()).map_err(|_| field(path, format!("{} bytes, not 20", b.len())))
}

/// A decimal `uint256`.
pub fn uint(path: &str, s: &str) -> R<U256> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) {
        return Err(field(path, "not a decimal without leading zeros"));
    }
    U256::from_str_radix(s, 10).map_err(|e| field(path, e))
}

fn participant(path: &str, p: &JsonParticipant) -> R<Channel::Participant> {
    Ok(Channel::Participant {
        ethAddress: address(&format!("{path}.ethAddress"), &p.eth_address)?,
        ccAddress: Bytes::from(bytes(&format!("{path}.ccAddress"), &p.cc_address)?),
    })
}

impl Vector {
    /// The params as a `Channel.Params`.
    ///
    /// # Errors
    /// [`VectorError::Field`] for a value of the wrong form.
    pub fn params(&self) -> R<Channel::Params> {
        let p = &self.params;
        Ok(Channel::Params {
            challengeDuration: uint("params.challengeDuration", &p.challenge_duration)?,
            nonce: uint("params.nonce", &p.nonce)?,
            participants: p
                .participants
                .iter()
                .enumerate()
                .map(|(i, q)| participant(&format!("params.participants[{i}]"), q))
                .collect::<R<_>>()?,
            app: address("params.app", &p.app)?,
            ledgerChannel: p.ledger_channel,
            virtualChannel: p.virtual_channel,
        })
    }

    /// The state as a `Channel.State`.
    ///
    /// # Errors
    /// [`VectorError::Field`] for a value of the wrong form.
    pub fn state(&self) -> R<Channel::State> {
        let s = &self.state;
        let o = &s.outcome;
        let version = uint("state.version", &s.version)?;
        Ok(Channel::State {
            channelID: b256("state.channelID", &s.channel_id)?,
            version: u64::try_from(version).map_err(|e| field("state.version", e))?,
            outcome: Channel::Allocation {
                assets: o
                    .assets
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        let p = format!("state.outcome.assets[{i}]");
                        Ok(Channel::Asset {
                            chainID: uint(&format!("{p}.chainID"), &a.chain_id)?,
                            ethHolder: address(&format!("{p}.ethHolder"), &a.eth_holder)?,
                            ccHolder: Bytes::from(bytes(&format!("{p}.ccHolder"), &a.cc_holder)?),
                        })
                    })
                    .collect::<R<_>>()?,
                backends: o
                    .backends
                    .iter()
                    .enumerate()
                    .map(|(i, b)| uint(&format!("state.outcome.backends[{i}]"), b))
                    .collect::<R<_>>()?,
                balances: o
                    .balances
                    .iter()
                    .enumerate()
                    .map(|(a, row)| {
                        row.iter()
                            .enumerate()
                            .map(|(p, v)| uint(&format!("state.outcome.balances[{a}][{p}]"), v))
                            .collect::<R<_>>()
                    })
                    .collect::<R<_>>()?,
                locked: o
                    .locked
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        let p = format!("state.outcome.locked[{i}]");
                        Ok(Channel::SubAlloc {
                            ID: b256(&format!("{p}.ID"), &l.id)?,
                            balances: l
                                .balances
                                .iter()
                                .enumerate()
                                .map(|(k, v)| uint(&format!("{p}.balances[{k}]"), v))
                                .collect::<R<_>>()?,
                            indexMap: l.index_map.clone(),
                        })
                    })
                    .collect::<R<_>>()?,
            },
            appData: Bytes::from(bytes("state.appData", &s.app_data)?),
            isFinal: s.is_final,
        })
    }
}

impl JsonAuth {
    /// The authorization as a `WithdrawalAuth`.
    ///
    /// # Errors
    /// [`VectorError::Field`] for a value of the wrong form.
    pub fn auth(&self, path: &str) -> R<WithdrawalAuth> {
        Ok(WithdrawalAuth {
            channelID: b256(&format!("{path}.channelID"), &self.channel_id)?,
            participant: participant(&format!("{path}.participant"), &self.participant)?,
            receiver: address(&format!("{path}.receiver"), &self.receiver)?,
            amount: uint(&format!("{path}.amount"), &self.amount)?,
        })
    }
}

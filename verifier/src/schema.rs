//! The JSON input document (SCHEMA.md): its serde model, value forms and parsing with paths.
//!
//! Values are written as in the v1 reference vectors (test/fixtures/FORMAT.md): `uint256` and
//! `uint64` as decimal strings, byte strings and addresses as `0x`-prefixed hex, `indexMap`
//! entries as JSON numbers. Every object denies unknown fields. A parse error names the JSON
//! path of the offending field (`$.channels[0].states[2].sigs[1]`).

use crate::error::{Error, Result};
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

// ---------------------------------------------------------------------------------------------
// Value forms
// ---------------------------------------------------------------------------------------------

fn hex_digits<'a, E: de::Error>(s: &'a str, what: &str) -> std::result::Result<&'a str, E> {
    s.strip_prefix("0x")
        .ok_or_else(|| E::custom(format!("{what} must be 0x-prefixed hex, got {s:?}")))
}

fn decode_hex<E: de::Error>(s: &str, what: &str) -> std::result::Result<Vec<u8>, E> {
    let digits = hex_digits(s, what)?;
    hex::decode(digits).map_err(|e| E::custom(format!("{what} is not valid hex ({e}): {s:?}")))
}

/// A byte string: `0x` followed by two hex digits per byte (`0x` alone is empty).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Hex(pub Bytes);

impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Hex(decode_hex::<D::Error>(&s, "a byte string")?.into()))
    }
}

impl Serialize for Hex {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("0x{}", hex::encode(&self.0)))
    }
}

/// A 32-byte value: `0x` and 64 hex digits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Word(pub B256);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let b = decode_hex::<D::Error>(&s, "a bytes32 value")?;
        if b.len() != 32 {
            return Err(de::Error::custom(format!(
                "a bytes32 value must be 32 bytes, got {}",
                b.len()
            )));
        }
        Ok(Word(B256::from_slice(&b)))
    }
}

impl Serialize for Word {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// An address: `0x` and 40 hex digits; a mixed-case address must carry a valid EIP-55
/// checksum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Addr(pub Address);

impl<'de> Deserialize<'de> for Addr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let b = decode_hex::<D::Error>(&s, "an address")?;
        if b.len() != 20 {
            return Err(de::Error::custom(format!(
                "an address must be 20 bytes, got {}",
                b.len()
            )));
        }
        let a = Address::from_slice(&b);
        let digits = &s[2..];
        let mixed = digits.chars().any(|c| c.is_ascii_lowercase())
            && digits.chars().any(|c| c.is_ascii_uppercase());
        if mixed && a.to_checksum(None) != s {
            return Err(de::Error::custom(format!(
                "address {s} has a wrong EIP-55 checksum"
            )));
        }
        Ok(Addr(a))
    }
}

impl Serialize for Addr {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_checksum(None))
    }
}

fn parse_decimal<E: de::Error>(s: &str, what: &str) -> std::result::Result<U256, E> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(E::custom(format!(
            "{what} must be a decimal string of digits, got {s:?}"
        )));
    }
    if s.len() > 1 && s.starts_with('0') {
        return Err(E::custom(format!(
            "{what} must have no leading zeros, got {s:?}"
        )));
    }
    U256::from_str_radix(s, 10).map_err(|_| E::custom(format!("{what} {s} does not fit")))
}

/// A `uint256`: a decimal string without leading zeros.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uint(pub U256);

impl<'de> Deserialize<'de> for Uint {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(Uint(parse_decimal::<D::Error>(&s, "a uint256")?))
    }
}

impl Serialize for Uint {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

/// A `uint64`: a decimal string without leading zeros.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Uint64(pub u64);

impl<'de> Deserialize<'de> for Uint64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let v = parse_decimal::<D::Error>(&s, "a uint64")?;
        let v = u64::try_from(v)
            .map_err(|_| de::Error::custom(format!("a uint64 must be below 2^64, got {s}")))?;
        Ok(Uint64(v))
    }
}

impl Serialize for Uint64 {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_string())
    }
}

impl fmt::Display for Uint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Serializes `uint256` values as decimal strings, the input's form (serde `serialize_with`).
pub mod decimal {
    use alloy_primitives::U256;
    use serde::ser::SerializeSeq;
    use serde::Serializer;

    /// One value.
    ///
    /// # Errors
    /// The serializer's.
    pub fn one<S: Serializer>(v: &U256, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_string())
    }

    /// A list of values.
    ///
    /// # Errors
    /// The serializer's.
    pub fn list<S: Serializer>(v: &[U256], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&x.to_string())?;
        }
        seq.end()
    }
}

// ---------------------------------------------------------------------------------------------
// The document
// ---------------------------------------------------------------------------------------------

/// The input document: what a party, an intermediary or an auditor holds.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Document {
    /// The ID of the chain the contracts run on (`block.chainid`): only assets of this chain
    /// are pushed to their holders.
    #[serde(rename = "chainID")]
    pub chain_id: Uint,
    /// Where the contracts are deployed (needed to send transactions and to filter events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contracts: Option<Contracts>,
    /// The channels, each with its params and the signed states held, oldest first.
    pub channels: Vec<ChannelDoc>,
    /// The virtual channels and their two parent ledger channels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub virtual_channels: Vec<VirtualDoc>,
    /// Signed withdrawal authorizations.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withdrawals: Vec<WithdrawalDoc>,
}

/// The deployed contracts.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Contracts {
    /// The Adjudicator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adjudicator: Option<Addr>,
    /// The virtual-channel registry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registry: Option<Addr>,
}

/// A channel: its params and the states held, oldest first.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChannelDoc {
    /// A name to refer to the channel by (in `virtualChannels`, on the command line).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `Channel.Params`.
    pub params: ParamsDoc,
    /// The signed states held, oldest first.
    pub states: Vec<SignedStateDoc>,
}

/// A state and its signatures, one per participant in participant order; `null` where a
/// participant's signature is not held.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SignedStateDoc {
    /// `Channel.State`.
    pub state: StateDoc,
    /// The signatures.
    pub sigs: Vec<Option<Hex>>,
}

/// A virtual channel between two parties through an intermediary, funded in two parents.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct VirtualDoc {
    /// The virtual channel: a channel's name or its ID.
    pub channel: String,
    /// Its two parent ledger channels, by name or ID.
    pub parents: Vec<String>,
}

/// A signed withdrawal authorization.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WithdrawalDoc {
    /// The asset holder to withdraw from (the transaction's destination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<Addr>,
    /// `WithdrawalAuth`.
    pub auth: AuthDoc,
    /// The participant's signature over the authorization.
    pub signature: Hex,
}

/// `Channel.Params`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ParamsDoc {
    pub challenge_duration: Uint,
    pub nonce: Uint,
    pub participants: Vec<ParticipantDoc>,
    pub app: Addr,
    pub ledger_channel: bool,
    pub virtual_channel: bool,
}

/// `Channel.Participant`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct ParticipantDoc {
    pub eth_address: Addr,
    pub cc_address: Hex,
}

/// `Channel.State`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[allow(missing_docs)]
pub struct StateDoc {
    #[serde(rename = "channelID")]
    pub channel_id: Word,
    pub version: Uint64,
    pub outcome: AllocationDoc,
    pub app_data: Hex,
    pub is_final: bool,
}

/// `Channel.Allocation`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct AllocationDoc {
    pub assets: Vec<AssetDoc>,
    pub backends: Vec<Uint>,
    pub balances: Vec<Vec<Uint>>,
    pub locked: Vec<SubAllocDoc>,
}

/// `Channel.Asset`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct AssetDoc {
    #[serde(rename = "chainID")]
    pub chain_id: Uint,
    #[serde(rename = "ethHolder")]
    pub eth_holder: Addr,
    #[serde(rename = "ccHolder")]
    pub cc_holder: Hex,
}

/// `Channel.SubAlloc`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct SubAllocDoc {
    #[serde(rename = "ID")]
    pub id: Word,
    pub balances: Vec<Uint>,
    #[serde(rename = "indexMap")]
    pub index_map: Vec<u16>,
}

/// `WithdrawalAuth`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct AuthDoc {
    #[serde(rename = "channelID")]
    pub channel_id: Word,
    pub participant: ParticipantDoc,
    pub receiver: Addr,
    pub amount: Uint,
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/// `$` followed by serde's path (`channels[0].states`), as JSONPath.
pub fn json_path(p: &serde_path_to_error::Path) -> String {
    let s = p.to_string();
    if s == "." || s.is_empty() {
        "$".to_owned()
    } else if s.starts_with('[') {
        format!("${s}")
    } else {
        format!("$.{s}")
    }
}

/// Parses JSON text into `T`, naming the path of the first offending field on error.
///
/// # Errors
/// [`Error::Input`] for malformed JSON or a field of the wrong form.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = json_path(e.path());
        let inner = e.into_inner();
        let message = if inner.is_syntax() || inner.is_eof() {
            format!("malformed JSON: {inner}")
        } else {
            strip_position(&inner.to_string())
        };
        Error::input(path, message)
    })?;
    // Trailing content is rejected by `Deserializer::end`.
    de.end()
        .map_err(|e| Error::input("$", format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// serde_json's messages end in " at line L column C"; the path says more.
fn strip_position(m: &str) -> String {
    match m.rfind(" at line ") {
        Some(i) => m[..i].to_owned(),
        None => m.to_owned(),
    }
}

/// Reads and parses the document at `file`.
///
/// # Errors
/// [`Error::Io`] or [`Error::Input`].
pub fn load(file: &str) -> Result<Document> {
    let text = std::fs::read_to_string(file).map_err(|source| Error::Io {
        file: file.to_owned(),
        source,
    })?;
    parse(&text)
}

// ---------------------------------------------------------------------------------------------
// Conversions to and from the wire types
// ---------------------------------------------------------------------------------------------

impl From<&ParticipantDoc> for Channel::Participant {
    fn from(p: &ParticipantDoc) -> Self {
        Channel::Participant {
            ethAddress: p.eth_address.0,
            ccAddress: p.cc_address.0.clone(),
        }
    }
}

impl From<&ParamsDoc> for Channel::Params {
    fn from(p: &ParamsDoc) -> Self {
        Channel::Params {
            challengeDuration: p.challenge_duration.0,
            nonce: p.nonce.0,
            participants: p.participants.iter().map(Into::into).collect(),
            app: p.app.0,
            ledgerChannel: p.ledger_channel,
            virtualChannel: p.virtual_channel,
        }
    }
}

impl From<&StateDoc> for Channel::State {
    fn from(s: &StateDoc) -> Self {
        let o = &s.outcome;
        Channel::State {
            channelID: s.channel_id.0,
            version: s.version.0,
            outcome: Channel::Allocation {
                assets: o
                    .assets
                    .iter()
                    .map(|a| Channel::Asset {
                        chainID: a.chain_id.0,
                        ethHolder: a.eth_holder.0,
                        ccHolder: a.cc_holder.0.clone(),
                    })
                    .collect(),
                backends: o.backends.iter().map(|b| b.0).collect(),
                balances: o
                    .balances
                    .iter()
                    .map(|row| row.iter().map(|b| b.0).collect())
                    .collect(),
                locked: o
                    .locked
                    .iter()
                    .map(|l| Channel::SubAlloc {
                        ID: l.id.0,
                        balances: l.balances.iter().map(|b| b.0).collect(),
                        indexMap: l.index_map.clone(),
                    })
                    .collect(),
            },
            appData: s.app_data.0.clone(),
            isFinal: s.is_final,
        }
    }
}

impl From<&AuthDoc> for WithdrawalAuth {
    fn from(a: &AuthDoc) -> Self {
        WithdrawalAuth {
            channelID: a.channel_id.0,
            participant: (&a.participant).into(),
            receiver: a.receiver.0,
            amount: a.amount.0,
        }
    }
}

impl From<&Channel::Participant> for ParticipantDoc {
    fn from(p: &Channel::Participant) -> Self {
        ParticipantDoc {
            eth_address: Addr(p.ethAddress),
            cc_address: Hex(p.ccAddress.clone()),
        }
    }
}

impl From<&Channel::Params> for ParamsDoc {
    fn from(p: &Channel::Params) -> Self {
        ParamsDoc {
            challenge_duration: Uint(p.challengeDuration),
            nonce: Uint(p.nonce),
            participants: p.participants.iter().map(Into::into).collect(),
            app: Addr(p.app),
            ledger_channel: p.ledgerChannel,
            virtual_channel: p.virtualChannel,
        }
    }
}

impl From<&Channel::State> for StateDoc {
    fn from(s: &Channel::State) -> Self {
        let o = &s.outcome;
        StateDoc {
            channel_id: Word(s.channelID),
            version: Uint64(s.version),
            outcome: AllocationDoc {
                assets: o
                    .assets
                    .iter()
                    .map(|a| AssetDoc {
                        chain_id: Uint(a.chainID),
                        eth_holder: Addr(a.ethHolder),
                        cc_holder: Hex(a.ccHolder.clone()),
                    })
                    .collect(),
                backends: o.backends.iter().map(|b| Uint(*b)).collect(),
                balances: o
                    .balances
                    .iter()
                    .map(|row| row.iter().map(|b| Uint(*b)).collect())
                    .collect(),
                locked: o
                    .locked
                    .iter()
                    .map(|l| SubAllocDoc {
                        id: Word(l.ID),
                        balances: l.balances.iter().map(|b| Uint(*b)).collect(),
                        index_map: l.indexMap.clone(),
                    })
                    .collect(),
            },
            app_data: Hex(s.appData.clone()),
            is_final: s.isFinal,
        }
    }
}

impl From<&WithdrawalAuth> for AuthDoc {
    fn from(a: &WithdrawalAuth) -> Self {
        AuthDoc {
            channel_id: Word(a.channelID),
            participant: (&a.participant).into(),
            receiver: Addr(a.receiver),
            amount: Uint(a.amount),
        }
    }
}

impl SignedStateDoc {
    /// A state with the signatures held (`None` where one is missing).
    pub fn new(state: &Channel::State, sigs: &[Option<Bytes>]) -> Self {
        SignedStateDoc {
            state: state.into(),
            sigs: sigs.iter().map(|s| s.clone().map(Hex)).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of<T: serde::de::DeserializeOwned + fmt::Debug>(text: &str) -> (String, String) {
        match parse::<T>(text) {
            Err(Error::Input { path, message }) => (path, message),
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn uint_rejects_numbers_leading_zeros_and_overflow() {
        assert_eq!(parse::<Uint>("\"0\"").unwrap().0, U256::ZERO);
        assert!(parse::<Uint>("5").is_err());
        assert!(parse::<Uint>("\"007\"").is_err());
        assert!(parse::<Uint>("\"-1\"").is_err());
        let max = U256::MAX.to_string();
        assert_eq!(parse::<Uint>(&format!("\"{max}\"")).unwrap().0, U256::MAX);
        assert!(parse::<Uint>(&format!("\"{max}0\"")).is_err());
        assert!(parse::<Uint64>("\"18446744073709551616\"").is_err());
    }

    #[test]
    fn words_and_addresses_must_have_their_length() {
        let (_, m) = err_of::<Word>("\"0x00\"");
        assert!(m.contains("32 bytes"), "{m}");
        let (_, m) = err_of::<Addr>("\"0x0000000000000000000000000000000000000000ff\"");
        assert!(m.contains("20 bytes"), "{m}");
        let (_, m) = err_of::<Hex>("\"abcd\"");
        assert!(m.contains("0x-prefixed"), "{m}");
        let (_, m) = err_of::<Hex>("\"0xabc\"");
        assert!(m.contains("not valid hex"), "{m}");
    }

    #[test]
    fn a_mixed_case_address_needs_a_valid_checksum() {
        assert!(parse::<Addr>("\"0x9fb17Ec48C6E07391ca7f53b10f0615C557DAE1b\"").is_ok());
        assert!(parse::<Addr>("\"0x9fb17ec48c6e07391ca7f53b10f0615c557dae1b\"").is_ok());
        let (_, m) = err_of::<Addr>("\"0x9fb17Ec48C6E07391ca7f53b10f0615C557DAE1B\"");
        assert!(m.contains("checksum"), "{m}");
    }

    #[test]
    fn errors_name_the_path_of_the_field() {
        let (p, m) = err_of::<Contracts>("{\"adjudicator\": \"0x12\"}");
        assert_eq!(p, "$.adjudicator");
        assert!(m.contains("20 bytes"), "{m}");
        let (p, m) = err_of::<Contracts>("{\"adjudicatr\": \"0x12\"}");
        assert!(m.contains("unknown field"), "{p}: {m}");
        let (p, _) = err_of::<Vec<Contracts>>("[{}, {\"registry\": 5}]");
        assert_eq!(p, "$[1].registry");
        let (p, m) = err_of::<Contracts>("{\"registry\": ");
        assert!(m.contains("malformed JSON"), "{p}: {m}");
    }
}

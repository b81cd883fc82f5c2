//! Recomputes every field of a reference vector with `perun-channel` and compares.

use crate::vectors::{self, Vector, VectorError};
use alloy_primitives::{hex, keccak256, Address, B256};
use alloy_sol_types::SolValue;
use perun_channel::calldata::{ParamsRef, StateRef, View, WithdrawalAuthRef};
use perun_channel::hash;
use perun_channel::native::{recover, Signer};
use perun_channel::sig::Signature;
use perun_channel::sol::{Channel, WithdrawalAuth};

/// One comparison of a recomputed value with the vector's.
#[derive(Debug, Clone)]
pub struct FieldCheck {
    /// The field compared, as a path in the vector (`perParticipant[1].fundingID`).
    pub field: String,
    /// `None` if the values agree, otherwise what differs.
    pub mismatch: Option<String>,
}

/// The comparisons of one vector.
#[derive(Debug, Clone)]
pub struct VectorReport {
    /// The vector's ID.
    pub id: String,
    /// Its description.
    pub description: String,
    /// Every comparison made.
    pub checks: Vec<FieldCheck>,
}

impl VectorReport {
    /// The comparisons that failed.
    pub fn failures(&self) -> impl Iterator<Item = &FieldCheck> {
        self.checks.iter().filter(|c| c.mismatch.is_some())
    }

    /// Whether every comparison agreed.
    pub fn passed(&self) -> bool {
        self.failures().next().is_none()
    }
}

struct Checks(Vec<FieldCheck>);

impl Checks {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, field: impl Into<String>, got: T, want: T) {
        let mismatch = (got != want).then(|| format!("computed {got:?}, vector has {want:?}"));
        self.0.push(FieldCheck {
            field: field.into(),
            mismatch,
        });
    }

    fn bytes(&mut self, field: impl Into<String>, got: &[u8], want: &[u8]) {
        let mismatch = (got != want).then(|| {
            let at = got.iter().zip(want).position(|(a, b)| a != b);
            format!(
                "computed {} bytes, vector has {}; first difference at byte {}",
                got.len(),
                want.len(),
                at.unwrap_or(got.len().min(want.len()))
            )
        });
        self.0.push(FieldCheck {
            field: field.into(),
            mismatch,
        });
    }

    fn ok(&mut self, field: impl Into<String>, result: Result<(), String>) {
        self.0.push(FieldCheck {
            field: field.into(),
            mismatch: result.err(),
        });
    }
}

/// Views `encoded` (`abi.encode(x)`: the `0x20` word, then `x`) as a `T`.
fn view<'a, T: View<'a>>(encoded: &'a [u8]) -> Result<T, String> {
    T::at(encoded, 32).map_err(|e| e.to_string())
}

/// Copies a view into its owned type.
fn owned<V, T: TryFrom<V, Error = perun_channel::calldata::DecodeError>>(
    v: V,
) -> Result<T, String> {
    T::try_from(v).map_err(|e| e.to_string())
}

/// Recomputes and compares every field of `v`.
///
/// # Errors
/// [`VectorError::Field`] if a field of the vector is not of the documented form.
pub fn check_vector(v: &Vector) -> Result<VectorReport, VectorError> {
    let mut c = Checks(Vec::new());
    let params = v.params()?;
    let state = v.state()?;
    let params_encoded = vectors::bytes("paramsEncoded", &v.params_encoded)?;
    let state_encoded = vectors::bytes("stateEncoded", &v.state_encoded)?;
    let channel_id = vectors::b256("channelID", &v.channel_id)?;
    let state_hash = vectors::b256("stateHash", &v.state_hash)?;
    let digest = vectors::b256("stateSigningDigest", &v.state_signing_digest)?;

    // Encodings, both ways.
    c.bytes("paramsEncoded", &params.abi_encode(), &params_encoded);
    c.eq(
        "paramsEncoded (decoded)",
        Channel::Params::abi_decode(&params_encoded).ok().as_ref(),
        Some(&params),
    );
    c.bytes("stateEncoded", &state.abi_encode(), &state_encoded);
    c.eq(
        "stateEncoded (decoded)",
        Channel::State::abi_decode(&state_encoded).ok().as_ref(),
        Some(&state),
    );

    // Identifiers and digests.
    c.eq("channelID", hash::channel_id(&params), channel_id);
    c.eq(
        "channelID (of paramsEncoded)",
        keccak256(&params_encoded),
        channel_id,
    );
    c.eq("state.channelID", state.channelID, channel_id);
    c.eq("stateHash", hash::hash_state(&state), state_hash);
    c.eq(
        "stateSigningDigest",
        hash::eth_signed_digest(state_hash),
        digest,
    );

    // The calldata views read the same values and hash the same bytes.
    c.ok(
        "paramsEncoded (calldata view)",
        view::<ParamsRef>(&params_encoded).and_then(|p| {
            check_same(owned::<_, Channel::Params>(p)?, &params)?;
            check_same(p.id().map_err(|e| e.to_string())?, &channel_id)
        }),
    );
    c.ok(
        "stateEncoded (calldata view)",
        view::<StateRef>(&state_encoded).and_then(|s| {
            check_same(owned::<_, Channel::State>(s)?, &state)?;
            check_same(s.hash().map_err(|e| e.to_string())?, &state_hash)
        }),
    );

    c.eq(
        "perParticipant (count)",
        v.per_participant.len(),
        params.participants.len(),
    );
    for (j, p) in v.per_participant.iter().enumerate() {
        check_participant(&mut c, j, p, &params, &state, channel_id, &digest)?;
    }
    Ok(VectorReport {
        id: v.id.clone(),
        description: v.description.clone(),
        checks: c.0,
    })
}

fn check_same<T: PartialEq + std::fmt::Debug>(got: T, want: &T) -> Result<(), String> {
    if &got == want {
        Ok(())
    } else {
        Err(format!("view gives {got:?}, expected {want:?}"))
    }
}

fn check_participant(
    c: &mut Checks,
    j: usize,
    p: &vectors::JsonParticipantCase,
    params: &Channel::Params,
    state: &Channel::State,
    channel_id: B256,
    digest: &B256,
) -> Result<(), VectorError> {
    let f = |name: &str| format!("perParticipant[{j}].{name}");
    let eth_address = vectors::address(&f("ethAddress"), &p.eth_address)?;
    let key: [u8; 32] = vectors::b256(&f("privateKey"), &p.private_key)?.0;
    let state_sig = vectors::bytes(&f("stateSignature"), &p.state_signature)?;
    let funding_id = vectors::b256(&f("fundingID"), &p.funding_id)?;
    let w = &p.withdrawal;
    let auth = w.auth.auth(&f("withdrawal.auth"))?;
    let w_encoded = vectors::bytes(&f("withdrawal.encoded"), &w.encoded)?;
    let w_hash = vectors::b256(&f("withdrawal.hash"), &w.hash)?;
    let w_digest = vectors::b256(&f("withdrawal.signingDigest"), &w.signing_digest)?;
    let w_sig = vectors::bytes(&f("withdrawal.signature"), &w.signature)?;

    c.eq(f("index"), p.index, j);
    c.eq(
        f("ethAddress (params)"),
        Some(eth_address),
        params.participants.get(j).map(|q| q.ethAddress),
    );
    let signer =
        Signer::from_bytes(&key).map_err(|e| VectorError::Field(f("privateKey"), e.to_string()))?;
    c.eq(
        f("ethAddress (of privateKey)"),
        signer.address(),
        eth_address,
    );

    // The state signature: reproduced byte for byte (RFC 6979) from the state itself, as a
    // client signs it, and recovered.
    c.bytes(
        f("stateSignature"),
        &signer.sign_state(state).to_bytes(),
        &state_sig,
    );
    c.eq(
        f("stateSignature (recovered)"),
        recovered(digest, &state_sig),
        Ok(eth_address),
    );

    c.eq(
        f("fundingID"),
        hash::funding_id(channel_id, eth_address),
        funding_id,
    );

    // The withdrawal authorization.
    c.eq(f("withdrawal.auth.channelID"), auth.channelID, channel_id);
    c.eq(
        f("withdrawal.auth.participant"),
        Some(&auth.participant),
        params.participants.get(j),
    );
    c.eq(
        f("withdrawal.auth.amount"),
        Some(auth.amount),
        state
            .outcome
            .balances
            .first()
            .and_then(|row| row.get(j))
            .copied(),
    );
    c.bytes(f("withdrawal.encoded"), &auth.abi_encode(), &w_encoded);
    c.eq(
        f("withdrawal.encoded (decoded)"),
        WithdrawalAuth::abi_decode(&w_encoded).ok().as_ref(),
        Some(&auth),
    );
    c.eq(f("withdrawal.hash"), hash::hash_withdrawal(&auth), w_hash);
    c.ok(
        f("withdrawal.encoded (calldata view)"),
        view::<WithdrawalAuthRef>(&w_encoded).and_then(|a| {
            check_same(owned::<_, WithdrawalAuth>(a)?, &auth)?;
            check_same(a.hash().map_err(|e| e.to_string())?, &w_hash)
        }),
    );
    c.eq(
        f("withdrawal.signingDigest"),
        hash::eth_signed_digest(w_hash),
        w_digest,
    );
    c.bytes(
        f("withdrawal.signature"),
        &signer.sign_withdrawal(&auth).to_bytes(),
        &w_sig,
    );
    c.eq(
        f("withdrawal.signature (recovered)"),
        recovered(&w_digest, &w_sig),
        Ok(eth_address),
    );
    Ok(())
}

/// The signer of `sig` over `digest`, or why there is none.
fn recovered(digest: &B256, sig: &[u8]) -> Result<Address, String> {
    let sig = Signature::parse(sig).map_err(|e| e.to_string())?;
    recover(digest, &sig).map_err(|e| e.to_string())
}

/// Formats a value as `0x` hex.
pub fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

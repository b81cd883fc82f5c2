//! Signing and recovery with libsecp256k1, for off-chain tools and tests (feature `native`).
//!
//! Signing uses RFC 6979 deterministic nonces and low-s normalisation, as Foundry's `vm.sign`
//! and go-perun do, so the same key and digest give the same 65 bytes everywhere.

use crate::hash;
use crate::sig::{SigError, Signature};
use crate::sol::{Channel, WithdrawalAuth};
use alloy_primitives::{keccak256, Address, B256};
use secp256k1::ecdsa::{RecoverableSignature, RecoveryId};
use secp256k1::{Message, PublicKey, SecretKey, SECP256K1};

/// Why a private key is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidKey;

impl core::fmt::Display for InvalidKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("private key is zero or not below the secp256k1 group order")
    }
}

impl std::error::Error for InvalidKey {}

/// A secp256k1 private key with its Ethereum address.
#[derive(Clone, Copy, Debug)]
pub struct Signer {
    key: SecretKey,
    address: Address,
}

impl Signer {
    /// The signer of the 32-byte private key `key`.
    ///
    /// # Errors
    /// [`InvalidKey`] if `key` is zero or not below the group order.
    pub fn from_bytes(key: &[u8; 32]) -> Result<Self, InvalidKey> {
        let key = SecretKey::from_byte_array(*key).map_err(|_| InvalidKey)?;
        let address = address_of(&PublicKey::from_secret_key_global(&key));
        Ok(Signer { key, address })
    }

    /// The Ethereum address of the key.
    pub fn address(&self) -> Address {
        self.address
    }

    /// Signs `digest` (already eth-signed-prefixed, see [`crate::hash::eth_signed_digest`]).
    pub fn sign_digest(&self, digest: &B256) -> Signature {
        let sig = SECP256K1.sign_ecdsa_recoverable(Message::from_digest(digest.0), &self.key);
        let (recid, compact) = sig.serialize_compact();
        Signature {
            r: B256::from_slice(&compact[..32]),
            s: B256::from_slice(&compact[32..]),
            // The recovery id of a signature is 0 or 1 for every key and digest, so this fits.
            v: 27 + u8::from(i32::from(recid) == 1),
        }
    }

    /// Signs `state` as go-perun clients do: the eth-signed digest of `abi.encode(state)`.
    pub fn sign_state(&self, state: &Channel::State) -> Signature {
        self.sign_digest(&hash::eth_signed_digest(hash::hash_state(state)))
    }

    /// Signs a withdrawal authorization: the eth-signed digest of `abi.encode(auth)`.
    pub fn sign_withdrawal(&self, auth: &WithdrawalAuth) -> Signature {
        self.sign_digest(&hash::eth_signed_digest(hash::hash_withdrawal(auth)))
    }
}

/// The Ethereum address of a public key: the last 20 bytes of the hash of its 64-byte form.
pub fn address_of(key: &PublicKey) -> Address {
    let bytes = key.serialize_uncompressed();
    Address::from_slice(&keccak256(&bytes[1..])[12..])
}

/// The address that signed `digest`, as the `ecrecover` precompile computes it.
///
/// # Errors
/// [`SigError::Unrecoverable`] if `r` or `s` is out of range or no point matches `r`.
pub fn recover(digest: &B256, sig: &Signature) -> Result<Address, SigError> {
    let recid = RecoveryId::try_from(i32::from(sig.v) - 27).map_err(|_| SigError::V(sig.v))?;
    let mut compact = [0u8; 64];
    compact[..32].copy_from_slice(sig.r.as_slice());
    compact[32..].copy_from_slice(sig.s.as_slice());
    let sig =
        RecoverableSignature::from_compact(&compact, recid).map_err(|_| SigError::Unrecoverable)?;
    let key = SECP256K1
        .recover_ecdsa(Message::from_digest(digest.0), &sig)
        .map_err(|_| SigError::Unrecoverable)?;
    Ok(address_of(&key))
}

/// Verifies a fully signed state off chain: its channel ID is that of its params, and it carries
/// one valid signature per participant, in participant order. Returns the state's hash.
///
/// # Errors
/// [`crate::Error::InvalidParams`], [`crate::Error::SignatureCount`], or the first failing
/// signature's [`crate::Error::Signature`] or [`crate::Error::WrongSigner`].
pub fn verify_signed_state(signed: &crate::sol::Channel::SignedState) -> crate::Result<B256> {
    use crate::{checks, hash};
    let params = &signed.params;
    if hash::channel_id(params) != signed.state.channelID {
        return Err(crate::Error::InvalidParams);
    }
    if params.participants.len() != signed.sigs.len() {
        return Err(crate::Error::SignatureCount {
            expected: params.participants.len(),
            actual: signed.sigs.len(),
        });
    }
    let state_hash = hash::hash_state(&signed.state);
    let digest = hash::eth_signed_digest(state_hash);
    for (i, (p, sig)) in params.participants.iter().zip(&signed.sigs).enumerate() {
        checks::check_signature(i, &digest, sig, p.ethAddress, |d, s| recover(d, s).ok())?;
    }
    Ok(state_hash)
}

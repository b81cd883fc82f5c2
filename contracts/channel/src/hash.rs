//! Channel IDs, state hashes, funding IDs and the digests participants sign (SPEC section 2).
//!
//! On `wasm32` with alloy-primitives' `native-keccak` feature (enabled by the Stylus contracts),
//! `keccak256` is the host's; elsewhere it is computed in Rust.

use crate::sol::{Channel, WithdrawalAuth};
use alloc::vec::Vec;
use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolValue;

/// The prefix of an Ethereum signed message of 32 bytes (`"\x19Ethereum Signed Message:\n32"`).
pub const ETH_SIGNED_PREFIX: &[u8; 28] = b"\x19Ethereum Signed Message:\n32";

/// `keccak256(abi.encode(params))`: the channel's ID.
pub fn channel_id(params: &Channel::Params) -> B256 {
    keccak256(params.abi_encode())
}

/// `keccak256(abi.encode(state))`: what participants sign (after the eth-signed prefix).
pub fn hash_state(state: &Channel::State) -> B256 {
    keccak256(state.abi_encode())
}

/// `keccak256(abi.encode(auth))`.
pub fn hash_withdrawal(auth: &WithdrawalAuth) -> B256 {
    keccak256(auth.abi_encode())
}

/// `keccak256(abi.encode(channelID, participant))`: the ID under which an asset holder keeps a
/// participant's deposits for a channel.
pub fn funding_id(channel_id: B256, participant: Address) -> B256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(channel_id.as_slice());
    buf[44..].copy_from_slice(participant.as_slice());
    keccak256(buf)
}

/// `keccak256("\x19Ethereum Signed Message:\n32" ‖ hash)`: the digest a signature is made over.
pub fn eth_signed_digest(hash: B256) -> B256 {
    let mut buf = [0u8; 60];
    buf[..28].copy_from_slice(ETH_SIGNED_PREFIX);
    buf[28..].copy_from_slice(hash.as_slice());
    keccak256(buf)
}

/// The key of a sub-channel's or virtual channel's dispute record: its channel ID bound to the
/// funding its parents lock for it,
/// `keccak256(channelID ‖ keccak256(assetsEncoding ‖ totals[0] ‖ … ‖ totals[n-1]))`.
///
/// `assets` is the ABI encoding of the asset array (its length word, offsets and elements, as
/// `abi.encode(assets)` gives it after its leading `0x20`), `totals` the per-asset amounts the
/// channel holds (its balances plus what it locks itself). A ledger channel's record is keyed
/// by its channel ID alone. A parent reads its sub-channel's record under the key of the
/// SubAlloc it locked, so a state funded otherwise, whoever signed it and by whichever path it
/// was recorded, lives under another key and never reaches an honest parent (SPEC section 10).
pub fn sub_channel_key(channel_id: B256, assets: &[u8], totals: &[U256]) -> B256 {
    let mut buf = Vec::with_capacity(assets.len() + 32 * totals.len());
    buf.extend_from_slice(assets);
    for t in totals {
        buf.extend_from_slice(&t.to_be_bytes::<32>());
    }
    let funding = keccak256(&buf);
    let mut key = [0u8; 64];
    key[..32].copy_from_slice(channel_id.as_slice());
    key[32..].copy_from_slice(funding.as_slice());
    keccak256(key)
}

/// [`sub_channel_key`] of owned values: channel `id` funded with `assets` and `totals`.
pub fn sub_channel_key_of(id: B256, assets: &[Channel::Asset], totals: &[U256]) -> B256 {
    // `abi.encode(assets)` is the word 0x20, then the array's encoding.
    let enc = assets.to_vec().abi_encode();
    sub_channel_key(id, &enc[32..], totals)
}

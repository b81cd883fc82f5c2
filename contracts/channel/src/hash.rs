//! Channel IDs, state hashes, funding IDs and the digests participants sign (SPEC section 2).
//!
//! On `wasm32` with alloy-primitives' `native-keccak` feature (enabled by the Stylus contracts),
//! `keccak256` is the host's; elsewhere it is computed in Rust.

use crate::sol::{Channel, WithdrawalAuth};
use alloy_primitives::{keccak256, Address, B256};
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

//! Ready-to-send calldata for the contracts' functions: the selectors and the ABI encodings.
//!
//! Arguments are encoded with alloy's `abi_encode_params` from the `perun-channel` wire types,
//! so the bytes are the canonical encoding every ABI encoder (and go-perun) produces; the
//! contracts read them through the same checked views the [`crate::chain`] model uses.

use alloy_primitives::{hex, keccak256, Address, Bytes, U256};
use alloy_sol_types::SolValue;
use perun_channel::sol::{Channel, WithdrawalAuth};
use serde::Serialize;

/// The canonical ABI type strings of the wire types, as in function signatures.
pub mod types {
    /// `Channel.Params`.
    pub const PARAMS: &str = "(uint256,uint256,(address,bytes)[],address,bool,bool)";
    /// `Channel.State`.
    pub const STATE: &str = "(bytes32,uint64,((uint256,address,bytes)[],uint256[],uint256[][],\
                             (bytes32,uint256[],uint16[])[]),bytes,bool)";
    /// `WithdrawalAuth`.
    pub const WITHDRAWAL_AUTH: &str = "(bytes32,(address,bytes),address,uint256)";
}

/// `Adjudicator.register(SignedState,SignedState[])`.
pub const REGISTER: [u8; 4] = hex!("e9aa7e02");
/// `Adjudicator.progress(Params,State,State,uint256,bytes)`.
pub const PROGRESS: [u8; 4] = hex!("4c8a2c90");
/// `Adjudicator.conclude(Params,State,State[])`.
pub const CONCLUDE: [u8; 4] = hex!("e7c01d05");
/// `Adjudicator.concludeFinal(Params,State,bytes[])`.
pub const CONCLUDE_FINAL: [u8; 4] = hex!("75a87223");
/// `AssetHolder.withdraw(WithdrawalAuth,bytes)`.
pub const WITHDRAW: [u8; 4] = hex!("fca0f778");
/// `AssetHolder.setOutcome(bytes32,Participant[],uint256[])` (called by the Adjudicator).
pub const SET_OUTCOME: [u8; 4] = hex!("295482ce");
/// `VirtualChannelRegistry.register(SignedState)`: the direct path.
pub const REGISTRY_REGISTER: [u8; 4] = hex!("c230dcb6");
/// `VirtualChannelRegistry.conclude(Params,State)`: the direct path.
pub const REGISTRY_CONCLUDE: [u8; 4] = hex!("311150ca");
/// `disputes(bytes32)` of the Adjudicator and the registry.
pub const DISPUTES: [u8; 4] = hex!("11be1997");

/// The function signatures the selectors above are the hashes of, in the same order.
pub fn signatures() -> [(String, [u8; 4]); 9] {
    use types::{PARAMS, STATE, WITHDRAWAL_AUTH};
    let signed = format!("({PARAMS},{STATE},bytes[])");
    [
        (format!("register({signed},{signed}[])"), REGISTER),
        (
            format!("progress({PARAMS},{STATE},{STATE},uint256,bytes)"),
            PROGRESS,
        ),
        (format!("conclude({PARAMS},{STATE},{STATE}[])"), CONCLUDE),
        (
            format!("concludeFinal({PARAMS},{STATE},bytes[])"),
            CONCLUDE_FINAL,
        ),
        (format!("withdraw({WITHDRAWAL_AUTH},bytes)"), WITHDRAW),
        (
            "setOutcome(bytes32,(address,bytes)[],uint256[])".to_owned(),
            SET_OUTCOME,
        ),
        (format!("register({signed})"), REGISTRY_REGISTER),
        (format!("conclude({PARAMS},{STATE})"), REGISTRY_CONCLUDE),
        ("disputes(bytes32)".to_owned(), DISPUTES),
    ]
}

/// The selector of a function signature.
pub fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Which contract a call goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Target {
    /// The Adjudicator.
    Adjudicator,
    /// The virtual-channel registry.
    Registry,
    /// An asset holder.
    Holder(Address),
}

/// A call ready to send: its function, destination and data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The function, as in the contract (`register`, `withdraw`, ...).
    pub function: &'static str,
    /// The contract it goes to.
    pub target: Target,
    /// The destination address, when the document names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<Address>,
    /// Selector and ABI-encoded arguments.
    pub data: Bytes,
}

impl Call {
    /// The data after the selector.
    pub fn args(&self) -> &[u8] {
        &self.data[4..]
    }
}

fn with_selector(selector: [u8; 4], args: Vec<u8>) -> Bytes {
    let mut data = Vec::with_capacity(4 + args.len());
    data.extend_from_slice(&selector);
    data.extend_from_slice(&args);
    data.into()
}

/// `register(channel, subChannels)`: the ledger channel and, depth first, its sub-channels.
pub fn register(channel: &Channel::SignedState, subs: &[Channel::SignedState]) -> Bytes {
    with_selector(
        REGISTER,
        (channel.clone(), subs.to_vec()).abi_encode_params(),
    )
}

/// `progress(params, stateOld, state, actorIdx, sig)`.
pub fn progress(
    params: &Channel::Params,
    old: &Channel::State,
    state: &Channel::State,
    actor: usize,
    sig: &Bytes,
) -> Bytes {
    with_selector(
        PROGRESS,
        (
            params.clone(),
            old.clone(),
            state.clone(),
            U256::from(actor),
            sig.clone(),
        )
            .abi_encode_params(),
    )
}

/// `conclude(params, state, subStates)`.
pub fn conclude(
    params: &Channel::Params,
    state: &Channel::State,
    subs: &[Channel::State],
) -> Bytes {
    with_selector(
        CONCLUDE,
        (params.clone(), state.clone(), subs.to_vec()).abi_encode_params(),
    )
}

/// `concludeFinal(params, state, sigs)`.
pub fn conclude_final(params: &Channel::Params, state: &Channel::State, sigs: &[Bytes]) -> Bytes {
    with_selector(
        CONCLUDE_FINAL,
        (params.clone(), state.clone(), sigs.to_vec()).abi_encode_params(),
    )
}

/// `withdraw(authorization, signature)`.
pub fn withdraw(auth: &WithdrawalAuth, sig: &Bytes) -> Bytes {
    with_selector(WITHDRAW, (auth.clone(), sig.clone()).abi_encode_params())
}

/// The registry's `register(channel)` (direct path).
pub fn registry_register(channel: &Channel::SignedState) -> Bytes {
    with_selector(REGISTRY_REGISTER, (channel.clone(),).abi_encode_params())
}

/// The registry's `conclude(params, state)` (direct path).
pub fn registry_conclude(params: &Channel::Params, state: &Channel::State) -> Bytes {
    with_selector(
        REGISTRY_CONCLUDE,
        (params.clone(), state.clone()).abi_encode_params(),
    )
}

/// `setOutcome(channelID, parts, newBals)` as the Adjudicator encodes it: the participants'
/// encoding copied from the params (`parts`: the array from its length word on).
pub fn set_outcome(channel_id: &[u8; 32], parts: &[u8], bals: &[U256]) -> Vec<u8> {
    let mut data = Vec::with_capacity(4 + 96 + parts.len() + 32 * (bals.len() + 1));
    data.extend_from_slice(&SET_OUTCOME);
    data.extend_from_slice(channel_id);
    data.extend_from_slice(&U256::from(0x60).to_be_bytes::<32>());
    data.extend_from_slice(&U256::from(0x60 + parts.len()).to_be_bytes::<32>());
    data.extend_from_slice(parts);
    data.extend_from_slice(&U256::from(bals.len()).to_be_bytes::<32>());
    for b in bals {
        data.extend_from_slice(&b.to_be_bytes::<32>());
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_hashes_of_the_signatures() {
        for (sig, sel) in signatures() {
            assert_eq!(selector(&sig), sel, "{sig}");
        }
    }
}

//! Signing: states as go-perun clients sign them (the eth-signed hash of `abi.encode(state)`),
//! and withdrawal authorizations.

use alloy_primitives::Bytes;
use perun_channel::native::Signer;
use perun_channel::sol::{Channel, WithdrawalAuth};

/// The signature of `signer` on `state`, 65 bytes `r ‖ s ‖ v`.
pub fn sign_state(signer: &Signer, state: &Channel::State) -> Bytes {
    Bytes::copy_from_slice(&signer.sign_state(state).to_bytes())
}

/// `state` with `params`, signed by each of `signers` in order.
pub fn signed(
    params: &Channel::Params,
    state: &Channel::State,
    signers: &[&Signer],
) -> Channel::SignedState {
    Channel::SignedState {
        params: params.clone(),
        state: state.clone(),
        sigs: signers.iter().map(|s| sign_state(s, state)).collect(),
    }
}

/// The signature of `signer` on a withdrawal authorization.
pub fn sign_auth(signer: &Signer, auth: &WithdrawalAuth) -> Bytes {
    Bytes::copy_from_slice(&signer.sign_withdrawal(auth).to_bytes())
}

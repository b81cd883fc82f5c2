//! What a route returns: data, or the revert data of a custom error, of a callee, or none.

use alloc::vec::Vec;
use perun_channel::calldata::DecodeError;
use perun_channel::Error;

/// Why a call reverts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Revert {
    /// With one of the custom errors of `Errors.sol`.
    Custom(Error),
    /// With a callee's revert data, unchanged (an app's or an asset holder's).
    Bubble(Vec<u8>),
    /// With no data: what solc's dispatcher and decoders do for a value sent to a
    /// non-payable function or a malformed ABI envelope.
    Empty,
}

impl From<Error> for Revert {
    fn from(e: Error) -> Self {
        Revert::Custom(e)
    }
}

impl From<DecodeError> for Revert {
    fn from(e: DecodeError) -> Self {
        Revert::Custom(Error::Decode(e))
    }
}

impl From<Revert> for Vec<u8> {
    fn from(r: Revert) -> Self {
        match r {
            Revert::Custom(e) => e.revert_data(),
            Revert::Bubble(data) => data,
            Revert::Empty => Vec::new(),
        }
    }
}

/// The result of a route: return data, or why it reverts.
pub type Outcome = Result<Vec<u8>, Revert>;

/// A route's result in the form `Router::route` returns it.
pub fn respond(outcome: Outcome) -> Option<stylus_sdk::ArbResult> {
    Some(outcome.map_err(Vec::from))
}

/// One ABI word holding `v` (a `bool` or an integer).
pub fn word(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

/// A function of a program: its handler and the shape of its arguments for the envelope check.
pub type Route<S> = (
    fn(&mut S, perun_channel::calldata::Args) -> Outcome,
    &'static [crate::envelope::Arg],
);

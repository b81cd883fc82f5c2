//! Outgoing calls: the ecrecover precompile, and calls whose revert data bubbles up unchanged.

use crate::revert::Revert;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};
use perun_channel::sig::Signature;
use stylus_sdk::call::{call, static_call};
use stylus_sdk::host::VM;
use stylus_sdk::prelude::*;
use stylus_sdk::stylus_core::calls::errors::Error as CallError;
use stylus_sdk::stylus_core::calls::Call;
use stylus_sdk::stylus_core::storage::TopLevelStorage;

/// The ecrecover precompile.
pub const ECRECOVER: Address =
    Address::new([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);

/// The address that signed `digest`, through the ecrecover precompile; `None` where it returns
/// no address (it returns nothing for a signature of no key).
pub fn ecrecover(vm: &VM, digest: &B256, sig: &Signature) -> Option<Address> {
    let out = static_call(vm, Call::new(), ECRECOVER, &sig.ecrecover_input(digest)).ok()?;
    // A 32-byte word holding an address.
    (out.len() == 32).then(|| Address::from_slice(&out[12..]))
}

fn bubble(e: CallError) -> Revert {
    match e {
        CallError::Revert(data) => Revert::Bubble(data),
        // The low-level calls here decode nothing.
        CallError::AbiDecodingFailed(_) => Revert::Empty,
    }
}

/// A static call whose revert data bubbles up unchanged.
///
/// # Errors
/// [`Revert::Bubble`] with the callee's revert data.
pub fn static_call_bubbling(vm: &VM, to: Address, data: &[u8]) -> Result<Vec<u8>, Revert> {
    static_call(vm, Call::new(), to, data).map_err(bubble)
}

/// A call (all gas, optionally with value) whose revert data bubbles up unchanged. Flushes the
/// storage cache first, as every Stylus call does, so the callee sees this program's writes.
///
/// # Errors
/// [`Revert::Bubble`] with the callee's revert data.
pub fn call_bubbling<S: TopLevelStorage + HostAccess<Host = VM>>(
    storage: &mut S,
    to: Address,
    value: U256,
    data: &[u8],
) -> Result<Vec<u8>, Revert> {
    let vm = storage.vm().clone();
    let result = if value.is_zero() {
        call(&vm, Call::new_mutating(storage), to, data)
    } else {
        call(&vm, Call::new_payable(storage, value), to, data)
    };
    result.map_err(bubble)
}

/// Whether `a` has code.
pub fn has_code(vm: &VM, a: Address) -> bool {
    vm.code_size(a) > 0
}

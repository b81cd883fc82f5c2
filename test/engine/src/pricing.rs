//! What Stylus execution costs: ink, the unit wasm execution and host calls are metered in, and
//! its price in gas.
//!
//! Wasm execution is metered as wasmi fuel, one unit of fuel per ink; between host calls the
//! frame keeps revm's `Gas` and the fuel in step (`1 gas = INK_PER_GAS ink`).

use crate::host::HostData;
use wasmi::Caller;

/// Ink per gas: Arbitrum's default `ink_price`.
pub const INK_PER_GAS: u64 = 10_000;

/// The ink a running program has left.
pub fn ink_left(c: &Caller<'_, HostData>) -> u64 {
    c.get_fuel().unwrap_or(0)
}

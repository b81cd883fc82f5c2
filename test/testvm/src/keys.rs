//! Record keys of sub-channels and virtual channels, computed from their definition (SPEC
//! section 10), independently of the programs' code, for the programs' unit tests.

use alloy_primitives::{keccak256, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::sol::Channel;

/// The record key of a sub-channel or virtual channel registered with state `s`:
/// `keccak256(channelID ‖ keccak256(abi-encoded asset array ‖ totals))`, the totals being each
/// asset's balances plus locked amounts.
pub fn funded_key(s: &Channel::State) -> B256 {
    let o = &s.outcome;
    // `abi.encode(assets)` is the word 0x20, then the array's encoding.
    let mut buf = o.assets.abi_encode()[32..].to_vec();
    for (a, row) in o.balances.iter().enumerate() {
        let locked: U256 = o.locked.iter().map(|l| l.balances[a]).sum();
        let total: U256 = row.iter().copied().sum::<U256>() + locked;
        buf.extend_from_slice(&total.to_be_bytes::<32>());
    }
    let mut pre = s.channelID.to_vec();
    pre.extend_from_slice(keccak256(&buf).as_slice());
    keccak256(pre)
}

//! Dispute records in raw storage, in the Solidity mirror's layout: `mapping(bytes32 => Dispute)`
//! at a given slot, the record under `key` in slots `keccak256(key ‖ slot)` and the one after. A
//! ledger channel's key is its channel ID, a sub-channel's or virtual channel's its channel ID
//! bound to its funding (`perun_channel::hash::sub_channel_key`).

use crate::events;
use alloy_primitives::{keccak256, B256, U256};
use perun_channel::dispute::Dispute;
use stylus_sdk::host::VM;
use stylus_sdk::prelude::*;

/// The first storage slot of the record under `key` in the mapping at `map_slot`.
pub fn slot_of(key: B256, map_slot: U256) -> U256 {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(key.as_slice());
    buf[32..].copy_from_slice(&map_slot.to_be_bytes::<32>());
    U256::from_be_bytes(keccak256(buf).0)
}

/// The record under `key`.
pub fn load(vm: &VM, map_slot: U256, key: B256) -> Dispute {
    let slot = slot_of(key, map_slot);
    Dispute::from_slots([
        vm.storage_load_bytes32(slot),
        vm.storage_load_bytes32(slot + U256::from(1)),
    ])
}

/// Writes the record under `key` and emits `ChannelUpdate` for channel `id` with its values.
pub fn store(vm: &VM, map_slot: U256, key: B256, id: B256, d: &Dispute) {
    let slot = slot_of(key, map_slot);
    let [w0, w1] = d.to_slots();
    // SAFETY: the record's slots are written only here, and no storage accessor of the
    // program holds them: nothing aliases the cached words.
    #[allow(unsafe_code)]
    unsafe {
        vm.storage_cache_bytes32(slot, w0);
        vm.storage_cache_bytes32(slot + U256::from(1), w1);
    }
    events::channel_update(vm, id, d.version, d.phase, d.timeout);
}

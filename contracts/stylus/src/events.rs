//! The events the programs emit, encoded by hand: one `emit_log` each.

use alloy_primitives::{b256, Address, B256, U256};
use stylus_sdk::host::VM;
use stylus_sdk::prelude::*;

/// `ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout)`.
pub const CHANNEL_UPDATE: B256 =
    b256!("895ef5a5fc3efd313a300b006d6ce97ff0670dfe04f6eea90417edf924fa786b");
/// `Deposited(bytes32 indexed fundingID, uint256 amount)`.
pub const DEPOSITED: B256 =
    b256!("cd2fe07293de5928c5df9505b65a8d6506f8668dfe81af09090920687edc48a9");
/// `Withdrawn(bytes32 indexed fundingID, uint256 amount, address receiver)`.
pub const WITHDRAWN: B256 =
    b256!("d0b6e7d0170f56c62f87de6a8a47a0ccf41c86ffb5084d399d8eb62e823f2a81");
/// `OutcomeSet(bytes32 indexed channelID)`.
pub const OUTCOME_SET: B256 =
    b256!("ef898d6cd3395b6dfe67a3c1923e5c726c1b154e979fb0a25a9c41d0093168b8");

fn emit<const N: usize>(vm: &VM, buf: [u8; N], topics: usize) {
    vm.emit_log(&buf, topics);
}

/// Emits `ChannelUpdate`.
pub fn channel_update(vm: &VM, id: B256, version: u64, phase: u8, timeout: u64) {
    let mut buf = [0u8; 64 + 96];
    buf[..32].copy_from_slice(CHANNEL_UPDATE.as_slice());
    buf[32..64].copy_from_slice(id.as_slice());
    buf[88..96].copy_from_slice(&version.to_be_bytes());
    buf[127] = phase;
    buf[152..160].copy_from_slice(&timeout.to_be_bytes());
    emit(vm, buf, 2);
}

/// Emits `Deposited`.
pub fn deposited(vm: &VM, funding_id: B256, amount: U256) {
    let mut buf = [0u8; 96];
    buf[..32].copy_from_slice(DEPOSITED.as_slice());
    buf[32..64].copy_from_slice(funding_id.as_slice());
    buf[64..].copy_from_slice(&amount.to_be_bytes::<32>());
    emit(vm, buf, 2);
}

/// Emits `Withdrawn`.
pub fn withdrawn(vm: &VM, funding_id: B256, amount: U256, receiver: Address) {
    let mut buf = [0u8; 128];
    buf[..32].copy_from_slice(WITHDRAWN.as_slice());
    buf[32..64].copy_from_slice(funding_id.as_slice());
    buf[64..96].copy_from_slice(&amount.to_be_bytes::<32>());
    buf[108..].copy_from_slice(receiver.as_slice());
    emit(vm, buf, 2);
}

/// Emits `OutcomeSet`.
pub fn outcome_set(vm: &VM, channel_id: B256) {
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(OUTCOME_SET.as_slice());
    buf[32..].copy_from_slice(channel_id.as_slice());
    emit(vm, buf, 2);
}

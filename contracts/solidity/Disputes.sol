// SPDX-License-Identifier: Apache-2.0
// Dispute records and their transitions, shared by the Adjudicator and the virtual-channel registry.
pragma solidity ^0.8.30;

import {
    AlreadyConcluded,
    NotInDisputePhase,
    NotRegistered,
    RefutationTimeoutPassed,
    TimeoutNotPassed,
    TimeoutOverflow,
    VersionTooLow,
    WrongState
} from "./Errors.sol";

/// @title Disputes
/// @notice One dispute record per channel, in two storage slots (v1 takes three): slot 0 packs
/// timeout, challenge duration, version, phase and hasApp (208 bits); slot 1 is the state hash.
/// A channel is registered when its state hash is not zero. Records are kept under a key: a
/// ledger channel's is its channel ID, a sub-channel's or virtual channel's its channel ID
/// bound to its funding (`Allocations.key`). Every change of a record emits `ChannelUpdate`
/// with the channel ID and the values stored. The rules are SPEC section 3's, in v1's check
/// order.
library Disputes {
    uint8 internal constant DISPUTE = 0;
    uint8 internal constant FORCEEXEC = 1;
    uint8 internal constant CONCLUDED = 2;

    /// @notice A channel's dispute record.
    struct Dispute {
        uint64 timeout;
        uint64 challengeDuration;
        uint64 version;
        uint8 phase;
        bool hasApp;
        bytes32 stateHash;
    }

    /// @notice Emitted on every change of a dispute record, with the values stored.
    event ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout);

    /// @notice `now + challengeDuration`, which must fit in 64 bits.
    function deadline(uint64 challengeDuration) internal view returns (uint64) {
        uint256 t = block.timestamp + challengeDuration;
        if (t > type(uint64).max) revert TimeoutOverflow();
        // Safe: checked against the uint64 range on the line above.
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(t);
    }

    /// @notice Writes the record under `key` (both slots at once) and emits `ChannelUpdate` for
    /// channel `id`.
    /// @dev In assembly: solc's struct copy to storage and `emit` cost about 500 gas more. Slot 0
    /// packs the fields as solc lays out `Dispute` (timeout in bits 0-63, challengeDuration
    /// 64-127, version 128-191, phase 192-199, hasApp 200-207), so solc's reads of the struct
    /// see exactly what is written here.
    function store(
        mapping(bytes32 => Disputes.Dispute) storage disputes,
        bytes32 key,
        bytes32 id,
        Dispute memory d
    ) internal {
        bytes32 topic = ChannelUpdate.selector;
        assembly ("memory-safe") {
            mstore(0, key)
            mstore(32, disputes.slot)
            let slot := keccak256(0, 64)
            let timeout := mload(d)
            let version := mload(add(d, 64))
            let phase := mload(add(d, 96))
            let packed := or(timeout, shl(64, mload(add(d, 32))))
            packed := or(packed, or(shl(128, version), shl(192, phase)))
            packed := or(packed, shl(200, mload(add(d, 128))))
            sstore(slot, packed)
            sstore(add(slot, 1), mload(add(d, 160)))
            let m := mload(0x40)
            mstore(m, version)
            mstore(add(m, 32), phase)
            mstore(add(m, 64), timeout)
            log2(m, 96, topic, id)
        }
    }

    /// @notice Registers a state, or refutes the registered one with it (SPEC section 3): the
    /// same state again changes nothing; otherwise a registered channel takes only a higher
    /// version, in its DISPUTE phase, before its timeout (a sub-channel's record that cannot be
    /// replaced is kept, without a revert). A first registration times out after
    /// the challenge duration, a final state at once; a refutation keeps the timeout it found.
    /// @param challengeDuration The params' challenge duration; like v1, its low 64 bits count.
    /// @param keep Whether a record the state cannot replace is kept rather than reverting on.
    /// @return changed Whether the record changed (and `ChannelUpdate` was emitted).
    /// @return timeout The record's timeout afterwards.
    /// @return same Whether the record held this very state already (it then changed nothing).
    function register(
        mapping(bytes32 => Dispute) storage disputes,
        bytes32 key,
        bytes32 id,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration,
        bool hasApp,
        bool isFinal,
        bool keep
    ) internal returns (bool changed, uint64 timeout, bool same) {
        Dispute memory old = disputes[key];
        // v1 stores the challenge duration in 64 bits and truncates it the same way (SPEC 3).
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 cd = uint64(challengeDuration);
        if (old.stateHash != 0) {
            if (old.stateHash == stateHash) return (false, old.timeout, true);
            // With `keep` (a sub-channel registered with its parent), a record the state cannot
            // replace is kept (perun-channel's `dispute::kept`): the parent stays
            // registrable whatever was done to the record first, and concludes with it.
            if (old.version >= version) {
                if (keep) return (false, old.timeout, false);
                revert VersionTooLow();
            }
            if (old.phase != DISPUTE) {
                if (keep) return (false, old.timeout, false);
                revert NotInDisputePhase();
            }
            if (block.timestamp >= old.timeout) {
                if (keep) return (false, old.timeout, false);
                revert RefutationTimeoutPassed();
            }
            // Safe: a timestamp fits in 64 bits until the year 584,942,417,355.
            // forge-lint: disable-next-line(unsafe-typecast)
            timeout = isFinal ? uint64(block.timestamp) : old.timeout;
        } else {
            timeout = isFinal ? uint64(block.timestamp) : deadline(cd);
        }
        store(disputes, key, id, Dispute(timeout, cd, version, DISPUTE, hasApp, stateHash));
        return (true, timeout, false);
    }

    /// @notice Concludes a registered channel whose registered state hashes to `stateHash` once
    /// its timeout has passed; a channel with an app still in DISPUTE first gets one more
    /// challenge duration for force-execution, and that extended timeout is stored.
    /// @param root True for the channel a `conclude` names (a concluded one is an error), false
    /// for a sub-channel (a concluded one is left as it is, its outcome used as concluded).
    /// @return changed Whether the record changed.
    /// @return d The record afterwards.
    function conclude(
        mapping(bytes32 => Dispute) storage disputes,
        bytes32 key,
        bytes32 id,
        bytes32 stateHash,
        bool root
    ) internal returns (bool changed, Dispute memory d) {
        d = disputes[key];
        if (d.stateHash == 0) revert NotRegistered();
        if (d.stateHash != stateHash) revert WrongState();
        if (d.phase == CONCLUDED) {
            if (root) revert AlreadyConcluded();
            return (false, d);
        }
        if (d.phase == DISPUTE && d.hasApp) {
            uint256 t = uint256(d.timeout) + d.challengeDuration;
            if (t > type(uint64).max) revert TimeoutOverflow();
            // Safe: checked against the uint64 range on the line above.
            // forge-lint: disable-next-line(unsafe-typecast)
            d.timeout = uint64(t);
        }
        if (block.timestamp < d.timeout) revert TimeoutNotPassed();
        d.phase = CONCLUDED;
        store(disputes, key, id, d);
        return (true, d);
    }

    /// @notice Concludes a ledger channel (keyed by its ID) at once with a final state signed by
    /// all (`concludeFinal`), overriding any dispute that is not concluded.
    function concludeFinal(
        mapping(bytes32 => Dispute) storage disputes,
        bytes32 id,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration,
        bool hasApp
    ) internal {
        Dispute storage old = disputes[id];
        if (old.stateHash != 0 && old.phase == CONCLUDED) revert AlreadyConcluded();
        store(
            disputes,
            id,
            id,
            Dispute(
                // Safe: a timestamp fits in 64 bits.
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64(block.timestamp),
                // The duration is truncated to 64 bits as in v1 (SPEC 3).
                // forge-lint: disable-next-line(unsafe-typecast)
                uint64(challengeDuration),
                version,
                CONCLUDED,
                hasApp,
                stateHash
            )
        );
    }
}

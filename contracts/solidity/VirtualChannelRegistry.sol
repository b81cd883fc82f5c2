// SPDX-License-Identifier: Apache-2.0
// The virtual-channel registry: the one dispute record of every virtual channel.
pragma solidity ^0.8.30;

import {Allocations} from "./Allocations.sol";
import {AllocationRef, Calldata, ParamsRef, SignedStateRef, StateRef} from "./Calldata.sol";
import {Channel} from "./Channel.sol";
import {Disputes} from "./Disputes.sol";
import {
    HasApp,
    HasLockedFunds,
    InvalidParams,
    NotVirtualChannel,
    OnlyAdjudicator
} from "./Errors.sol";
import {Sig} from "./Sig.sol";

/// @title VirtualChannelRegistry
/// @notice Holds the dispute record of every virtual channel (SPEC section 6; the `VPC` contract
/// of the 2017 prototype). A virtual channel between A and B through I is funded by a SubAlloc
/// in each parent ledger channel (A–I and I–B). Two paths lead to its one record:
/// - the v1 path: the Adjudicator's `register` of either parent with the virtual channel as a
///   sub-channel records it here (the other parent's registration of the same state changes
///   nothing, a higher version refutes), and concluding either parent concludes it here;
/// - the direct path: anyone registers, refutes (`register`) and concludes (`conclude`) it here
///   with its own signed state, without a dispute on either parent.
/// Both parents settle from the same concluded record, so what the intermediary receives in one
/// parent equals what it pays in the other. A virtual channel's record is keyed by its channel
/// ID bound to its funding (`Allocations.key`: its assets and per-asset totals): a parent reads
/// the record under the key of the SubAlloc it locked, so a state funded otherwise, registered by
/// either path or through a fake parent, never reaches an honest parent (SPEC section 10).
/// Records and `ChannelUpdate` events (carrying the channel ID) have the Adjudicator's shape,
/// so one watcher decodes both contracts.
contract VirtualChannelRegistry {
    using Disputes for mapping(bytes32 => Disputes.Dispute);

    /// @notice The Adjudicator, the only caller of the v1-path functions.
    address public immutable adjudicator;

    mapping(bytes32 => Disputes.Dispute) internal _disputes;

    /// @param adjudicator_ The Adjudicator this registry serves.
    constructor(address adjudicator_) {
        adjudicator = adjudicator_;
    }

    modifier onlyAdjudicator() {
        if (msg.sender != adjudicator) revert OnlyAdjudicator();
        _;
    }

    // -----------------------------------------------------------------------------------------
    // Direct path
    // -----------------------------------------------------------------------------------------

    /// @notice Registers, or refutes with, a signed state of a virtual channel.
    function register(Channel.SignedState calldata) external {
        SignedStateRef channel = Calldata.signedStateArg(0);
        ParamsRef params = channel.params();
        StateRef state = channel.state();
        _requireDirect(params);
        bytes32 id = params.id();
        if (state.channelID() != id) revert InvalidParams();
        bytes32 h = state.hash();
        Sig.verifyAll(Sig.ethSignedDigest(h), params.participants(), channel.sigs());
        if (params.app() != address(0)) revert HasApp();
        AllocationRef outcome = state.outcome();
        if (outcome.locked().length() != 0) revert HasLockedFunds();
        Allocations.requireShape(outcome, params.participants().length());
        uint256[] memory totals = Allocations.totals(outcome);
        bytes32 key = Allocations.key(id, outcome, totals);
        uint64 version = state.version();
        uint256 cd = params.challengeDuration();
        (,, bool same) = _disputes.register(key, id, version, h, cd, false, state.isFinal(), false);
        // A state is canonical if its hash is recorded already (equal hashes, equal bytes);
        // otherwise, now recorded, it must be found so (`Calldata.requireCanonical`).
        if (!same) {
            params.requireCanonical();
            state.requireCanonical();
        }
    }

    /// @notice Concludes a virtual channel whose registered state is `state`, after its timeout.
    function conclude(Channel.Params calldata, Channel.State calldata) external {
        ParamsRef params = Calldata.paramsArg(0);
        StateRef state = Calldata.stateArg(1);
        _requireDirect(params);
        bytes32 id = params.id();
        if (state.channelID() != id) revert InvalidParams();
        bytes32 h = state.hash();
        AllocationRef outcome = state.outcome();
        uint256[] memory totals = Allocations.totals(outcome);
        _disputes.conclude(Allocations.key(id, outcome, totals), id, h, true);
    }

    /// @dev The direct path takes virtual channels only, and no channel that is also a ledger
    /// channel: such a channel's record lives here too, but only the Adjudicator's `conclude` and
    /// `concludeFinal` may conclude it, since they push its outcome to the asset holders.
    function _requireDirect(ParamsRef params) private pure {
        if (!params.virtualChannel() || params.ledgerChannel()) revert NotVirtualChannel();
    }

    // -----------------------------------------------------------------------------------------
    // v1 path: called by the Adjudicator, which has checked the signed state
    // -----------------------------------------------------------------------------------------

    /// @notice Registers or refutes, under `key`, a virtual channel's state that the Adjudicator
    /// verified (and whose funding it checked against the parent's SubAlloc). Under a funded key
    /// (a sub-channel), a record the state cannot replace is kept as it is.
    /// @return changed Whether the record changed.
    /// @return timeout The record's timeout afterwards.
    /// @return same Whether the record held this very state already.
    function registerVirtual(
        bytes32 channelID,
        bytes32 key,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration,
        bool isFinal
    ) external onlyAdjudicator returns (bool changed, uint64 timeout, bool same) {
        // A sub-channel (keyed by its funding, not its ID) keeps a record it cannot replace.
        return _disputes.register(
            key, channelID, version, stateHash, challengeDuration, false, isFinal, key != channelID
        );
    }

    /// @notice Concludes the record under `key` for the Adjudicator's `conclude`: as a
    /// sub-channel (`root` false: a concluded record is used as it is) or as the channel it
    /// names.
    /// @return changed Whether the record changed.
    /// @return version The record's version.
    /// @return timeout The record's timeout afterwards.
    function concludeVirtual(bytes32 channelID, bytes32 key, bytes32 stateHash, bool root)
        external
        onlyAdjudicator
        returns (bool changed, uint64 version, uint64 timeout)
    {
        Disputes.Dispute memory d;
        (changed, d) = _disputes.conclude(key, channelID, stateHash, root);
        return (changed, d.version, d.timeout);
    }

    /// @notice Concludes a virtual channel at once with a final state the Adjudicator verified.
    function concludeFinalVirtual(
        bytes32 channelID,
        uint64 version,
        bytes32 stateHash,
        uint256 challengeDuration
    ) external onlyAdjudicator {
        _disputes.concludeFinal(channelID, version, stateHash, challengeDuration, false);
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// @notice The record under `key` (a virtual channel's channel ID bound to its funding; a
    /// ledger channel's ID), in the order of the Adjudicator's `disputes`.
    function disputes(bytes32 key)
        external
        view
        returns (
            uint64 timeout,
            uint64 challengeDuration,
            uint64 version,
            uint8 phase,
            bytes32 stateHash,
            bool hasApp
        )
    {
        Disputes.Dispute storage d = _disputes[key];
        return (d.timeout, d.challengeDuration, d.version, d.phase, d.stateHash, d.hasApp);
    }
}

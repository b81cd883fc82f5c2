// SPDX-License-Identifier: Apache-2.0
// The Adjudicator: registers, refutes, force-executes and concludes disputes of ledger channels.
pragma solidity ^0.8.30;

import {Allocations} from "./Allocations.sol";
import {App} from "./App.sol";
import {
    AllocationRef,
    ArrayRef,
    AssetRef,
    BytesRef,
    Calldata,
    ParamsRef,
    SignedStateRef,
    StateRef,
    SubAllocRef
} from "./Calldata.sol";
import {Channel} from "./Channel.sol";
import {Disputes} from "./Disputes.sol";
import {
    ActorIndexOutOfRange,
    AlreadyConcluded,
    AssetsMismatch,
    BalanceOverflow,
    BalancesLengthMismatch,
    ChallengeDurationTooLong,
    HasApp,
    HasLockedFunds,
    IndexMapOutOfRange,
    InvalidParams,
    LedgerSubChannel,
    LockedMismatch,
    NestingTooDeep,
    NoApp,
    NoContractCode,
    NotLedgerChannel,
    NotRegistered,
    ProgressFromFinalState,
    StateNotFinal,
    SubAllocMismatch,
    SubChannelIDMismatch,
    SubChannelsTooShort,
    SumOfBalancesMismatch,
    TimeoutNotPassed,
    TimeoutPassed,
    VersionNotIncremented,
    WrongOldState
} from "./Errors.sol";
import {Sig} from "./Sig.sol";
import {VirtualChannelRegistry} from "./VirtualChannelRegistry.sol";

/// @title Adjudicator
/// @notice The v1 Adjudicator's ABI and behaviour (SPEC sections 3 and 8), with dispute records in
/// two slots, arguments read in place through checked calldata views, and virtual channels
/// recorded in the `VirtualChannelRegistry` it deploys. A ledger channel's record is keyed by its
/// channel ID; a sub-channel's (here) or virtual channel's (in the registry) by its channel ID
/// bound to the funding its parent locks for it (`Allocations.key`), so a parent only ever
/// folds in an outcome of the assets and totals it locked (SPEC section 10). Checks run in v1's order, so the error a
/// call reverts with is the one v1's revert string names (README, "Errors"); fields are read in
/// the order of the Stylus program (contracts/adjudicator), so malformed calldata fails at the
/// same read in both.
contract Adjudicator {
    using Disputes for mapping(bytes32 => Disputes.Dispute);

    /// @notice How deep sub-channels may nest below the ledger channel (at depth 0) `register`
    /// and `conclude` name: perun-channel's `checks::MAX_DEPTH`.
    uint256 internal constant MAX_DEPTH = 16;

    /// @notice The registry holding the records of virtual channels.
    VirtualChannelRegistry public immutable registry;

    mapping(bytes32 => Disputes.Dispute) internal _disputes;

    /// @notice Deploys the registry; like v1, the Adjudicator takes no constructor arguments.
    constructor() {
        registry = new VirtualChannelRegistry(address(this));
    }

    // -----------------------------------------------------------------------------------------
    // register
    // -----------------------------------------------------------------------------------------

    /// @notice Registers a ledger channel's signed state and, depth first, every sub-channel its
    /// `outcome.locked` names, taken from `subChannels` in order; or refutes a registered state
    /// with a higher version.
    function register(Channel.SignedState calldata, Channel.SignedState[] calldata) external {
        SignedStateRef channel = Calldata.signedStateArg(0);
        ArrayRef subChannels = Calldata.arrayArg(1);
        if (!channel.params().ledgerChannel()) revert NotLedgerChannel();
        _registerRecursive(channel, subChannels, 0, 0, 0, 0);
    }

    /// @dev Registers `ch` under `key` (zero for the ledger channel: its ID), then its
    /// sub-channels from `subs[next..]`, each under the key of the SubAlloc locking it. Returns
    /// `ch`'s per-asset totals (its balances plus what its sub-channels hold), the next unused
    /// index and `ch`'s participant count. `parentCd` is the parent's challenge duration, `depth`
    /// `ch`'s depth.
    function _registerRecursive(
        SignedStateRef ch,
        ArrayRef subs,
        uint256 next,
        bytes32 key,
        uint256 parentCd,
        uint256 depth
    ) internal returns (uint256[] memory totals, uint256, uint256 parts) {
        parts = _registerSingle(ch, key, parentCd);
        AllocationRef outcome = ch.state().outcome();
        totals = Allocations.rowSums(outcome.balances());
        ArrayRef locked = outcome.locked();
        uint256 n = locked.length();
        if (n > subs.length()) revert SubChannelsTooShort();
        for (uint256 i; i < n; ++i) {
            if (next >= subs.length()) revert SubChannelsTooShort();
            SignedStateRef sub = subs.signedState(next++);
            SubAllocRef l = locked.subAlloc(i);
            bytes32 lockedID = l.ID();
            if (lockedID != sub.state().channelID()) revert SubChannelIDMismatch();
            if (depth >= MAX_DEPTH) revert NestingTooDeep();
            bytes32 subKey = Allocations.key(lockedID, outcome, l.balances());
            uint256 cd = ch.params().challengeDuration();
            uint256[] memory subTotals;
            uint256 subParts;
            (subTotals, next, subParts) = _registerRecursive(sub, subs, next, subKey, cd, depth + 1);
            _requireEqualAssets(outcome.assets(), sub.state().outcome().assets());
            _requireEqualTotals(l.balances(), subTotals);
            _requireIndexMap(l.indexMap(), subParts, parts);
            Allocations.addTotals(totals, subTotals);
        }
        return (totals, next, parts);
    }

    /// @dev Checks one signed state and records it under `key` (a virtual channel in the
    /// registry); a sub-channel (`key` not zero) must not be a ledger channel, must not outlast
    /// its parent (`parentCd`) and must have the shape a parent folds. Returns its participant
    /// count.
    function _registerSingle(SignedStateRef s, bytes32 key, uint256 parentCd)
        internal
        returns (uint256 partCount)
    {
        ParamsRef params = s.params();
        StateRef state = s.state();
        bytes32 id = params.id();
        if (state.channelID() != id) revert InvalidParams();
        bytes32 h = state.hash();
        ArrayRef parts = params.participants();
        Sig.verifyAll(Sig.ethSignedDigest(h), parts, s.sigs());
        partCount = parts.length();
        if (key == 0) {
            key = id;
        } else {
            if (params.ledgerChannel()) revert LedgerSubChannel();
            // Records keep the low 64 bits of a duration (v1); so does the comparison.
            // forge-lint: disable-next-line(unsafe-typecast)
            if (uint64(params.challengeDuration()) > uint64(parentCd)) {
                revert ChallengeDurationTooLong();
            }
            Allocations.requireShape(state.outcome(), partCount);
        }
        if (params.virtualChannel()) {
            if (params.app() != address(0)) revert HasApp();
            if (state.outcome().locked().length() != 0) revert HasLockedFunds();
            uint64 version = state.version();
            uint256 cd = params.challengeDuration();
            (bool changed, uint64 timeout, bool same) =
                registry.registerVirtual(id, key, version, h, cd, state.isFinal());
            if (!same) _requireCanonical(params, state);
            // v1 emits the virtual channel's update from the Adjudicator; go-perun watches it.
            if (changed) emit Disputes.ChannelUpdate(id, version, Disputes.DISPUTE, timeout);
        } else {
            uint64 version = state.version();
            uint256 cd = params.challengeDuration();
            bool hasApp = params.app() != address(0);
            // A sub-channel (keyed by its funding, not its ID) keeps a record it cannot replace.
            (,, bool same) =
                _disputes.register(key, id, version, h, cd, hasApp, state.isFinal(), key != id);
            if (!same) _requireCanonical(params, state);
        }
    }

    /// @dev A state given to `register`, and its params, must be canonical encodings: one whose
    /// hash is the recorded one is (equal hashes, equal bytes) and is not walked; any other is,
    /// whether it is now recorded or (a sub-channel's) the record is kept.
    function _requireCanonical(ParamsRef params, StateRef state) internal pure {
        params.requireCanonical();
        state.requireCanonical();
    }

    // -----------------------------------------------------------------------------------------
    // progress
    // -----------------------------------------------------------------------------------------

    /// @notice Force-executes one step of a channel with an app: once its dispute timed out, or
    /// during force-execution, `state` (signed by `participants[actorIdx]`) replaces the
    /// registered `stateOld` if the app accepts the transition.
    function progress(
        Channel.Params calldata,
        Channel.State calldata,
        Channel.State calldata,
        uint256 actorIdx,
        bytes calldata
    ) external {
        ParamsRef params = Calldata.paramsArg(0);
        StateRef stateOld = Calldata.stateArg(1);
        StateRef state = Calldata.stateArg(2);
        BytesRef sig = Calldata.bytesArg(4);
        bytes32 id = state.channelID();
        // A ledger channel's record is under its ID, a sub-channel's under its ID and funding,
        // which a transition keeps (same assets, locked funds and totals).
        bytes32 key = id;
        if (!params.ledgerChannel()) {
            AllocationRef oldOutcome = stateOld.outcome();
            uint256[] memory oldTotals = Allocations.totals(oldOutcome);
            key = Allocations.key(id, oldOutcome, oldTotals);
        }
        Disputes.Dispute memory d = _disputes[key];
        if (d.stateHash == 0) revert NotRegistered();
        if (d.phase == Disputes.DISPUTE) {
            if (block.timestamp < d.timeout) revert TimeoutNotPassed();
        } else if (d.phase == Disputes.FORCEEXEC) {
            if (block.timestamp >= d.timeout) revert TimeoutPassed();
        } else {
            revert AlreadyConcluded();
        }
        address app = params.app();
        if (app == address(0)) revert NoApp();
        ArrayRef parts = params.participants();
        if (actorIdx >= parts.length()) revert ActorIndexOutOfRange();
        if (params.id() != id) revert InvalidParams();
        if (stateOld.hash() != d.stateHash) revert WrongOldState();
        bytes32 h = state.hash();
        address actor = parts.participant(actorIdx).ethAddress();
        Sig.verify(Sig.ethSignedDigest(h), sig, actor);
        uint64 version = state.version();
        if (uint256(version) != uint256(stateOld.version()) + 1) revert VersionNotIncremented();
        if (stateOld.isFinal()) revert ProgressFromFinalState();
        _requireTransition(stateOld.outcome(), state.outcome(), parts.length());
        _callApp(app, params, stateOld, state, actorIdx);
        // The new state's hash is recorded: it must be the canonical encoding.
        state.requireCanonical();
        // forge-lint: disable-next-line(unsafe-typecast)
        uint64 cd = uint64(params.challengeDuration()); // v1 keeps the low 64 bits
        uint64 timeout = state.isFinal() ? uint64(block.timestamp) : Disputes.deadline(cd);
        _disputes.store(
            key, id, Disputes.Dispute(timeout, cd, version, Disputes.FORCEEXEC, true, h)
        );
    }

    /// @dev `App(app).validTransition(params, from, to, actorIdx)` as a static call, bubbling
    /// the app's revert data. The three structs are copied from calldata as they lie: `params`
    /// and `from` hash to recorded hashes and `to` is checked canonical before it is recorded,
    /// so their bytes are the canonical encodings solc would produce.
    function _callApp(address app, ParamsRef params, StateRef from, StateRef to, uint256 actorIdx)
        internal
        view
    {
        if (app.code.length == 0) revert NoContractCode();
        (, uint256 pEnd) = params.participantsSpan();
        uint256 m = _copyArgs(
            App.validTransition.selector,
            ParamsRef.unwrap(params),
            pEnd,
            StateRef.unwrap(from),
            from.end()
        );
        uint256 size = _appendArg(m, StateRef.unwrap(to), to.end(), actorIdx);
        assembly ("memory-safe") {
            if iszero(staticcall(gas(), app, m, size, 0, 0)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
        }
    }

    /// @dev Writes `selector`, a 4-slot head with the first two offsets, and the first two
    /// struct encodings (`calldata[p..pEnd]`, `calldata[f..fEnd]`) at the free memory pointer.
    function _copyArgs(bytes4 selector, uint256 p, uint256 pEnd, uint256 f, uint256 fEnd)
        private
        pure
        returns (uint256 m)
    {
        assembly ("memory-safe") {
            m := mload(0x40)
            let pLen := sub(pEnd, p)
            mstore(m, selector)
            mstore(add(m, 4), 0x80)
            mstore(add(m, 36), add(0x80, pLen))
            calldatacopy(add(m, 0x84), p, pLen)
            calldatacopy(add(add(m, 0x84), pLen), f, sub(fEnd, f))
            // The third offset: after both encodings.
            mstore(add(m, 68), add(add(0x80, pLen), sub(fEnd, f)))
        }
    }

    /// @dev Appends the third struct encoding and the word argument to the call at `m`; returns
    /// the call's size.
    function _appendArg(uint256 m, uint256 t, uint256 tEnd, uint256 w)
        private
        pure
        returns (uint256 size)
    {
        assembly ("memory-safe") {
            let tailStart := add(add(m, 4), mload(add(m, 68)))
            calldatacopy(tailStart, t, sub(tEnd, t))
            mstore(add(m, 100), w)
            size := sub(add(tailStart, sub(tEnd, t)), m)
        }
    }

    // -----------------------------------------------------------------------------------------
    // conclude
    // -----------------------------------------------------------------------------------------

    /// @notice Concludes a registered ledger channel once its timeout has passed (for a channel
    /// with an app still in DISPUTE, one more challenge duration later), and, depth first, each
    /// sub-channel its locked funds name, after the sub-channel's own timeout; adds each
    /// sub-channel's outcome into its parent's and pushes the result to the asset holders.
    function conclude(Channel.Params calldata, Channel.State calldata, Channel.State[] calldata)
        external
    {
        ParamsRef params = Calldata.paramsArg(0);
        StateRef state = Calldata.stateArg(1);
        ArrayRef subStates = Calldata.arrayArg(2);
        if (!params.ledgerChannel()) revert NotLedgerChannel();
        bytes32 id = params.id();
        if (state.channelID() != id) revert InvalidParams();
        bytes32 h = state.hash();
        if (params.virtualChannel()) {
            _concludeInRegistry(id, id, h, true);
        } else {
            _disputes.conclude(id, id, h, true);
        }
        AllocationRef outcome = state.outcome();
        if (outcome.locked().length() == 0) {
            // No sub-channels: the outcome is the state's balances, pushed from calldata.
            _pushOutcome(id, params, outcome, false, new uint256[][](0));
        } else {
            (uint256[][] memory folded,) = _concludeRecursive(state, subStates, 0, 0, 0);
            _pushOutcome(id, params, outcome, true, folded);
        }
    }

    /// @dev The outcome of `s` (at `depth`) with its sub-channels' outcomes added through their
    /// index maps, concluding `s` under `key` first unless it is the root (`key` zero, concluded
    /// already). Each sub-channel's record is read under the key of the SubAlloc locking it.
    function _concludeRecursive(StateRef s, ArrayRef subs, uint256 next, bytes32 key, uint256 depth)
        internal
        returns (uint256[][] memory outcome, uint256)
    {
        if (key != 0) _concludeSub(s, key);
        AllocationRef alloc = s.outcome();
        ArrayRef rows = alloc.balances();
        outcome = new uint256[][](rows.length());
        for (uint256 a; a < outcome.length; ++a) {
            ArrayRef row = rows.arrayAt(a);
            uint256[] memory copy = new uint256[](row.length());
            for (uint256 p; p < copy.length; ++p) {
                copy[p] = row.word(p);
            }
            outcome[a] = copy;
        }
        ArrayRef locked = alloc.locked();
        uint256 assetCount = alloc.assets().length();
        for (uint256 i; i < locked.length(); ++i) {
            if (next >= subs.length()) revert SubChannelsTooShort();
            StateRef sub = subs.stateAt(next++);
            SubAllocRef l = locked.subAlloc(i);
            bytes32 lockedID = l.ID();
            if (lockedID != sub.channelID()) revert SubChannelIDMismatch();
            if (depth >= MAX_DEPTH) revert NestingTooDeep();
            bytes32 subKey = Allocations.key(lockedID, alloc, l.balances());
            uint256[][] memory subOutcome;
            (subOutcome, next) = _concludeRecursive(sub, subs, next, subKey, depth + 1);
            _fold(outcome, assetCount, l.indexMap(), l.balances(), subOutcome);
        }
        return (outcome, next);
    }

    /// @dev Concludes a sub-channel's record under `key` after its own timeout, or uses it as
    /// concluded: a sub-channel's record is here, a virtual channel's in the registry.
    function _concludeSub(StateRef s, bytes32 key) internal {
        bytes32 id = s.channelID();
        bytes32 h = s.hash();
        if (_disputes[key].stateHash != 0) {
            _disputes.conclude(key, id, h, false);
        } else {
            _concludeInRegistry(id, key, h, false);
        }
    }

    /// @dev Concludes a virtual channel's record (under `key`) in the registry and, as v1 did
    /// for every channel, emits its update from the Adjudicator too.
    function _concludeInRegistry(bytes32 id, bytes32 key, bytes32 h, bool root) internal {
        (bool changed, uint64 version, uint64 timeout) = registry.concludeVirtual(id, key, h, root);
        if (changed) emit Disputes.ChannelUpdate(id, version, Disputes.CONCLUDED, timeout);
    }

    /// @dev `outcome[a][indexMap[p]] += sub[a][p]` for each of the parent's assets `a` and each
    /// sub-channel participant `p`; what is added per asset must be what the parent locked
    /// (`lockedBals[a]`). perun-channel's `fold_sub_outcome`.
    function _fold(
        uint256[][] memory outcome,
        uint256 assetCount,
        ArrayRef indexMap,
        ArrayRef lockedBals,
        uint256[][] memory sub
    ) internal pure {
        uint256 n = indexMap.length();
        for (uint256 a; a < assetCount; ++a) {
            if (a >= outcome.length || a >= sub.length) revert BalancesLengthMismatch();
            uint256[] memory row = outcome[a];
            uint256[] memory subRow = sub[a];
            uint256 moved;
            for (uint256 p; p < n; ++p) {
                if (p >= subRow.length) revert BalancesLengthMismatch();
                uint256 col = indexMap.uint16At(p);
                if (col >= row.length) revert IndexMapOutOfRange();
                uint256 v = subRow[p];
                uint256 sum;
                unchecked {
                    // Checked below: an unsigned sum that wrapped is smaller than its summand.
                    sum = row[col] + v;
                }
                if (sum < v) revert BalanceOverflow();
                row[col] = sum;
                unchecked {
                    // Checked below, as above.
                    sum = moved + v;
                }
                if (sum < v) revert BalanceOverflow();
                moved = sum;
            }
            if (a >= lockedBals.length() || lockedBals.word(a) != moved) {
                revert SubAllocMismatch();
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // concludeFinal
    // -----------------------------------------------------------------------------------------

    /// @notice Concludes a ledger channel at once with a final state without locked funds,
    /// signed by all participants, overriding any dispute that is not concluded.
    function concludeFinal(Channel.Params calldata, Channel.State calldata, bytes[] calldata)
        external
    {
        ParamsRef params = Calldata.paramsArg(0);
        StateRef state = Calldata.stateArg(1);
        ArrayRef sigs = Calldata.arrayArg(2);
        if (!params.ledgerChannel()) revert NotLedgerChannel();
        if (!state.isFinal()) revert StateNotFinal();
        AllocationRef outcome = state.outcome();
        if (outcome.locked().length() != 0) revert HasLockedFunds();
        bytes32 id = params.id();
        if (state.channelID() != id) revert InvalidParams();
        bytes32 h = state.hash();
        Sig.verifyAll(Sig.ethSignedDigest(h), params.participants(), sigs);
        uint64 version = state.version();
        uint256 cd = params.challengeDuration();
        // The state's hash is recorded and its outcome paid out: both structs must be canonical.
        params.requireCanonical();
        state.requireCanonical();
        if (params.virtualChannel()) {
            registry.concludeFinalVirtual(id, version, h, cd);
            emit Disputes.ChannelUpdate(id, version, Disputes.CONCLUDED, uint64(block.timestamp));
        } else {
            _disputes.concludeFinal(id, version, h, cd, params.app() != address(0));
        }
        _pushOutcome(id, params, outcome, false, new uint256[][](0));
    }

    // -----------------------------------------------------------------------------------------
    // Outcomes
    // -----------------------------------------------------------------------------------------

    /// @dev For each asset of this chain with a holder, calls
    /// `setOutcome(channelID, participants, outcome[asset])` on the holder, bubbling its revert
    /// data. The outcome is `folded` (sub-channels added) if `useFolded`, otherwise the state's
    /// own balances, pushed straight from calldata.
    function _pushOutcome(
        bytes32 id,
        ParamsRef params,
        AllocationRef alloc,
        bool useFolded,
        uint256[][] memory folded
    ) internal {
        ArrayRef assetArray = alloc.assets();
        ArrayRef rows;
        uint256 rowCount;
        if (useFolded) {
            rowCount = folded.length;
        } else {
            rows = alloc.balances();
            rowCount = rows.length();
        }
        (uint256 partsStart, uint256 partsEnd) = params.participantsSpan();
        for (uint256 a; a < assetArray.length(); ++a) {
            AssetRef asset = assetArray.asset(a);
            if (asset.chainID() != block.chainid) continue;
            address holder = asset.ethHolder();
            if (holder == address(0)) continue;
            if (a >= rowCount) revert BalancesLengthMismatch();
            if (useFolded) {
                if (holder.code.length == 0) revert NoContractCode();
                _callSetOutcomeMemory(holder, id, partsStart, partsEnd, folded[a]);
            } else {
                ArrayRef row = rows.arrayAt(a);
                if (holder.code.length == 0) revert NoContractCode();
                _callSetOutcomeCalldata(holder, id, partsStart, partsEnd, row);
            }
        }
    }

    /// @dev Encodes `setOutcome(channelID, parts, newBals)` with the participants array copied
    /// from calldata (canonical: the params' hash matched the signed channel ID).
    function _callSetOutcomeMemory(
        address holder,
        bytes32 id,
        uint256 partsStart,
        uint256 partsEnd,
        uint256[] memory bals
    ) internal {
        assembly ("memory-safe") {
            let m := mload(0x40)
            let partsLen := sub(partsEnd, partsStart)
            let n := mload(bals)
            mstore(m, 0x295482ce00000000000000000000000000000000000000000000000000000000)
            mstore(add(m, 4), id)
            mstore(add(m, 36), 0x60)
            mstore(add(m, 68), add(0x60, partsLen))
            calldatacopy(add(m, 100), partsStart, partsLen)
            let b := add(add(m, 100), partsLen)
            mstore(b, n)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(b, shl(5, add(i, 1))), mload(add(bals, shl(5, add(i, 1)))))
            }
            if iszero(call(gas(), holder, 0, m, add(add(100, partsLen), shl(5, add(n, 1))), 0, 0)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
        }
    }

    /// @dev As above, with the balances row copied from calldata.
    function _callSetOutcomeCalldata(
        address holder,
        bytes32 id,
        uint256 partsStart,
        uint256 partsEnd,
        ArrayRef bals
    ) internal {
        uint256 n = bals.length();
        uint256 rowStart = bals.start();
        assembly ("memory-safe") {
            let m := mload(0x40)
            let partsLen := sub(partsEnd, partsStart)
            mstore(m, 0x295482ce00000000000000000000000000000000000000000000000000000000)
            mstore(add(m, 4), id)
            mstore(add(m, 36), 0x60)
            mstore(add(m, 68), add(0x60, partsLen))
            calldatacopy(add(m, 100), partsStart, partsLen)
            let b := add(add(m, 100), partsLen)
            mstore(b, n)
            calldatacopy(add(b, 32), rowStart, shl(5, n))
            if iszero(call(gas(), holder, 0, m, add(add(132, partsLen), shl(5, n)), 0, 0)) {
                returndatacopy(m, 0, returndatasize())
                revert(m, returndatasize())
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Allocation checks (perun-channel's `checks` module, in the same order and reads)
    // -----------------------------------------------------------------------------------------

    function _requireEqualTotals(ArrayRef lockedBals, uint256[] memory totals) internal pure {
        if (lockedBals.length() != totals.length) revert SubAllocMismatch();
        for (uint256 i; i < totals.length; ++i) {
            if (lockedBals.word(i) != totals[i]) revert SubAllocMismatch();
        }
    }

    /// @dev A SubAlloc's index map has one entry per sub-channel participant, each a participant
    /// of the channel whose state holds it, so every later `_fold` of the sub-channel's outcome
    /// reads each balance once and adds it to a participant's column (`check_index_map` in Rust).
    function _requireIndexMap(
        ArrayRef indexMap,
        uint256 subParticipants,
        uint256 parentParticipants
    ) internal pure {
        uint256 n = indexMap.length();
        if (n != subParticipants) revert SubAllocMismatch();
        for (uint256 p; p < n; ++p) {
            if (indexMap.uint16At(p) >= parentParticipants) revert IndexMapOutOfRange();
        }
    }

    /// @dev Reads `a`'s chain ID, `b`'s, then the holders, then the cross-chain holders,
    /// stopping at the first difference.
    function _assetEqual(AssetRef a, AssetRef b) internal pure returns (bool) {
        uint256 chainA = a.chainID();
        if (chainA != b.chainID()) return false;
        address holderA = a.ethHolder();
        if (holderA != b.ethHolder()) return false;
        BytesRef ccA = a.ccHolder();
        BytesRef ccB = b.ccHolder();
        return ccA.length() == ccB.length() && ccA.contentHash() == ccB.contentHash();
    }

    function _requireEqualAssets(ArrayRef a, ArrayRef b) internal pure {
        uint256 n = a.length();
        if (n != b.length()) revert AssetsMismatch();
        for (uint256 i; i < n; ++i) {
            if (!_assetEqual(a.asset(i), b.asset(i))) revert AssetsMismatch();
        }
    }

    /// @dev Reads IDs, then the balances arrays and their elements, then the index maps and
    /// theirs, `a` before `b` each time, stopping at the first difference.
    function _subAllocEqual(SubAllocRef a, SubAllocRef b) internal pure returns (bool) {
        bytes32 idA = a.ID();
        if (idA != b.ID()) return false;
        ArrayRef ba = a.balances();
        ArrayRef bb = b.balances();
        uint256 n = ba.length();
        if (n != bb.length()) return false;
        for (uint256 i; i < n; ++i) {
            if (ba.word(i) != bb.word(i)) return false;
        }
        ArrayRef ia = a.indexMap();
        ArrayRef ib = b.indexMap();
        n = ia.length();
        if (n != ib.length()) return false;
        for (uint256 i; i < n; ++i) {
            uint16 x = ia.uint16At(i);
            if (x != ib.uint16At(i)) return false;
        }
        return true;
    }

    /// @dev perun-channel's `check_transition`: row counts, asset counts, locked funds, then per
    /// asset its equality, both row lengths and the sums.
    function _requireTransition(AllocationRef old, AllocationRef cur, uint256 participants)
        internal
        pure
    {
        ArrayRef oldRows = old.balances();
        ArrayRef curRows = cur.balances();
        if (oldRows.length() != curRows.length()) revert BalancesLengthMismatch();
        ArrayRef oldAssets = old.assets();
        ArrayRef curAssets = cur.assets();
        uint256 assetCount = oldAssets.length();
        if (assetCount != curAssets.length()) revert AssetsMismatch();
        ArrayRef oldLocked = old.locked();
        ArrayRef curLocked = cur.locked();
        uint256 n = oldLocked.length();
        if (n != curLocked.length()) revert LockedMismatch();
        for (uint256 i; i < n; ++i) {
            if (!_subAllocEqual(oldLocked.subAlloc(i), curLocked.subAlloc(i))) {
                revert LockedMismatch();
            }
        }
        for (uint256 a; a < assetCount; ++a) {
            if (!_assetEqual(oldAssets.asset(a), curAssets.asset(a))) revert AssetsMismatch();
            if (a >= oldRows.length()) revert BalancesLengthMismatch();
            ArrayRef oldRow = oldRows.arrayAt(a);
            if (oldRow.length() != participants) revert BalancesLengthMismatch();
            ArrayRef curRow = curRows.arrayAt(a);
            if (curRow.length() != participants) revert BalancesLengthMismatch();
            if (Allocations.rowSum(oldRow) != Allocations.rowSum(curRow)) {
                revert SumOfBalancesMismatch();
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Views
    // -----------------------------------------------------------------------------------------

    /// @notice `keccak256(abi.encode(params))`.
    function channelID(Channel.Params calldata) external pure returns (bytes32) {
        ParamsRef params = Calldata.paramsArg(0);
        bytes32 id = params.id();
        // Only a canonical encoding has the ID v1's `keccak256(abi.encode(params))` gives.
        params.requireCanonical();
        return id;
    }

    /// @notice `keccak256(abi.encode(state))`.
    function hashState(Channel.State calldata) external pure returns (bytes32) {
        StateRef state = Calldata.stateArg(0);
        bytes32 h = state.hash();
        // Only a canonical encoding has the hash v1's `keccak256(abi.encode(state))` gives.
        state.requireCanonical();
        return h;
    }

    /// @notice The dispute record under `id`, in v1's order: a ledger channel's under its channel
    /// ID; a sub-channel's or virtual channel's under its channel ID bound to its funding
    /// (`Allocations.key`), a virtual channel's read from the registry.
    function disputes(bytes32 id)
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
        Disputes.Dispute memory d = _disputes[id];
        if (d.stateHash == 0) return registry.disputes(id);
        return (d.timeout, d.challengeDuration, d.version, d.phase, d.stateHash, d.hasApp);
    }
}

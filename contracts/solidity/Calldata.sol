// SPDX-License-Identifier: Apache-2.0
// Checked, in-place views of ABI-encoded Perun arguments: the Solidity side of perun-channel's calldata module.
pragma solidity ^0.8.30;

import {MalformedCalldata} from "./Errors.sol";

/// @notice A `Channel.Params` in calldata: the position of its head.
type ParamsRef is uint256;

/// @notice A `Channel.Participant` in calldata.
type ParticipantRef is uint256;

/// @notice A `Channel.State` in calldata.
type StateRef is uint256;

/// @notice A `Channel.Allocation` in calldata.
type AllocationRef is uint256;

/// @notice A `Channel.Asset` in calldata.
type AssetRef is uint256;

/// @notice A `Channel.SubAlloc` in calldata.
type SubAllocRef is uint256;

/// @notice A `Channel.SignedState` in calldata.
type SignedStateRef is uint256;

/// @notice A `WithdrawalAuth` in calldata.
type WithdrawalAuthRef is uint256;

/// @notice An array in calldata whose length and element slots were checked: the position of
/// its first element slot (high 128 bits) and its length (low 128 bits).
type ArrayRef is uint256;

/// @notice A `bytes` value in calldata whose length and content were checked: the position of
/// its content (high 128 bits) and its length (low 128 bits).
type BytesRef is uint256;

using Calldata for ParamsRef global;
using Calldata for ParticipantRef global;
using Calldata for StateRef global;
using Calldata for AllocationRef global;
using Calldata for AssetRef global;
using Calldata for SubAllocRef global;
using Calldata for SignedStateRef global;
using Calldata for WithdrawalAuthRef global;
using Calldata for ArrayRef global;
using Calldata for BytesRef global;

/// @title Calldata
/// @notice The contracts read their arguments where they lie in calldata, through these views,
/// by exactly the rules of `perun-channel`'s calldata module (contracts/channel/src/calldata.rs),
/// so the Solidity mirror and the Stylus programs accept the same inputs and reject the rest
/// with `MalformedCalldata()`. Every read checks what it reads, and nothing else (lazily):
/// - a word read must lie inside the calldata;
/// - an offset must be below 2^32; the member it leads to is checked when read;
/// - an array's length must be below 2^32, and its element slots must lie inside the calldata;
/// - a `bytes` value's length must be below 2^32, and its content must lie inside;
/// - an `address`, `bool`, `uint64` or `uint16` word must have no bits set outside its type;
/// - a hashed struct must be in canonical ABI layout where the contracts first trust its hash
///   (below).
/// The contracts read fields in the same order as their Rust twins, so a malformed input fails
/// at the same read in both, with the same error.
///
/// Hashing: `keccak256(abi.encode(x))` of a struct with dynamic members is the hash of the word
/// 0x20 followed by the struct's encoding. `hash` and `id` copy that encoding straight from
/// calldata (one `calldatacopy`) instead of re-encoding the value: the bytes from the head to
/// the end of the last dynamic member (a state's appData, the last participant's ccAddress).
/// For the canonical layout every ABI encoder produces that is exactly `abi.encode(x)`; for
/// another layout values could lie outside the bytes hashed (a state whose outcome tail sits
/// after its appData would hash without its outcome). So a hash is trusted only for the
/// canonical layout: wherever a contract records a hash (a registration, a refutation, a
/// force-executed state, a final conclusion), `requireCanonical` first walks the struct and
/// finds every offset equal to where the previous tail ends, every `bytes` padding zero and
/// every word clean for its type; a withdrawal authorization is walked when it is decoded.
/// Everywhere else a hash is only compared with a recorded one, and equal hashes mean equal
/// bytes: the struct is then that canonical encoding, and every value read lies inside the
/// bytes hashed. Two layouts with one trusted hash cannot carry two values.
library Calldata {
    // -----------------------------------------------------------------------------------------
    // Words
    // -----------------------------------------------------------------------------------------

    // Every primitive below is assembly without checked arithmetic: positions and lengths stay
    // far below 2^256 (offsets and lengths are below 2^32, positions below 2^34), so no sum
    // can wrap, and each bound is compared with the calldata size directly.

    /// @dev The selector of `MalformedCalldata()`, left-aligned in a word.
    uint256 private constant MALFORMED =
        0x59170bf000000000000000000000000000000000000000000000000000000000;

    /// @dev The word at `p`, which must lie inside the calldata.
    function _word(uint256 p) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            if gt(add(p, 32), calldatasize()) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
            w := calldataload(p)
        }
    }

    /// @dev The position of the member whose offset is in head slot `slot` of the struct at `p`:
    /// the offset word must lie inside and be below 2^32.
    function _member(uint256 p, uint256 slot) private pure returns (uint256 q) {
        assembly ("memory-safe") {
            let s := add(p, shl(5, slot))
            let o := calldataload(s)
            if or(gt(add(s, 32), calldatasize()), shr(32, o)) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
            q := add(p, o)
        }
    }

    /// @dev The word in head slot `slot` of the struct at `p`, which must lie inside and have
    /// no bits set above bit `bits - 1`.
    function _typed(uint256 p, uint256 slot, uint256 bits) private pure returns (uint256 w) {
        assembly ("memory-safe") {
            let s := add(p, shl(5, slot))
            w := calldataload(s)
            if or(gt(add(s, 32), calldatasize()), shr(bits, w)) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
        }
    }

    function _address(uint256 p, uint256 slot) private pure returns (address a) {
        uint256 w = _typed(p, slot, 160);
        assembly ("memory-safe") {
            a := w
        }
    }

    function _bool(uint256 p, uint256 slot) private pure returns (bool b) {
        uint256 w = _typed(p, slot, 1);
        assembly ("memory-safe") {
            b := w
        }
    }

    function _uint64(uint256 p, uint256 slot) private pure returns (uint64 v) {
        uint256 w = _typed(p, slot, 64);
        assembly ("memory-safe") {
            v := w
        }
    }

    /// @dev The array at `p`: its length word inside and below 2^32, its element slots inside.
    function _array(uint256 p) private pure returns (ArrayRef a) {
        assembly ("memory-safe") {
            let n := calldataload(p)
            let first := add(p, 32)
            if or(shr(32, n), gt(add(first, shl(5, n)), calldatasize())) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
            a := or(shl(128, first), n)
        }
    }

    /// @dev The `bytes` value at `p`: its length word inside and below 2^32, its content inside.
    function _bytes(uint256 p) private pure returns (BytesRef b) {
        assembly ("memory-safe") {
            let n := calldataload(p)
            let first := add(p, 32)
            if or(or(shr(32, n), gt(first, calldatasize())), gt(add(first, n), calldatasize())) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
            b := or(shl(128, first), n)
        }
    }

    /// @dev Where the struct at `p` ends if it is in canonical ABI layout (reverts with
    /// `MalformedCalldata()` otherwise): a `Params` (`kind` 0), `State` (1) or `WithdrawalAuth`
    /// (2). perun-channel's `params_end`, `state_end` and `withdrawal_auth_end` accept exactly
    /// the same encodings: each offset equal to where the previous tail ends, each length below
    /// 2^32, each typed word clean, each `bytes` padding zero, and the whole encoding inside the
    /// calldata.
    /// @dev In assembly, straight-line, with the rule breaks gathered in `bad` and checked once
    /// at the end (a Yul function per rule costs several times more gas): every word is read
    /// below the running end, so one final comparison of that end with the calldata size covers
    /// every read; only an array's element slots are checked at once, which bounds each loop by
    /// the calldata's length. A length of 2^32 or more sets `bad` (a sum it wraps is then
    /// meaningless but harmless: the loops stay bounded, and the call reverts).
    function _canonicalEnd(uint256 p, uint256 kind) private pure returns (uint256 end) {
        assembly ("memory-safe") {
            function fail() {
                // MalformedCalldata()
                mstore(0, 0x59170bf000000000000000000000000000000000000000000000000000000000)
                revert(0, 4)
            }
            let cds := calldatasize()
            let bad := 0
            let q := 0
            switch kind
            case 1 {
                // State: channelID, version, outcome, appData, isFinal.
                bad := or(
                    shr(64, calldataload(add(p, 0x20))),
                    xor(calldataload(add(p, 0x40)), 0xa0)
                )
                bad := or(bad, gt(calldataload(add(p, 0x80)), 1))
                // Allocation: assets, backends, balances, locked.
                let a := add(p, 0xa0)
                bad := or(bad, xor(calldataload(a), 0x80))
                // assets: Asset[] (chainID, ethHolder, ccHolder).
                q := add(a, 0x80)
                let n := calldataload(q)
                let first := add(q, 0x20)
                let slots := add(first, shl(5, n))
                if or(shr(32, n), gt(slots, cds)) { fail() }
                end := slots
                for { let i := first } lt(i, slots) { i := add(i, 0x20) } {
                    bad := or(bad, xor(calldataload(i), sub(end, first)))
                    bad := or(bad, shr(160, calldataload(add(end, 0x20))))
                    bad := or(bad, xor(calldataload(add(end, 0x40)), 0x60))
                    let len := calldataload(add(end, 0x60))
                    bad := or(bad, shr(32, len))
                    end := add(add(end, 0x80), and(add(len, 31), not(31)))
                    let r := and(len, 31)
                    if r { bad := or(bad, shl(shl(3, r), calldataload(sub(end, 0x20)))) }
                }
                // backends: uint256[].
                bad := or(bad, xor(calldataload(add(a, 0x20)), sub(end, a)))
                n := calldataload(end)
                end := add(add(end, 0x20), shl(5, n))
                if or(shr(32, n), gt(end, cds)) { fail() }
                // balances: uint256[][].
                bad := or(bad, xor(calldataload(add(a, 0x40)), sub(end, a)))
                q := end
                n := calldataload(q)
                first := add(q, 0x20)
                slots := add(first, shl(5, n))
                if or(shr(32, n), gt(slots, cds)) { fail() }
                end := slots
                for { let i := first } lt(i, slots) { i := add(i, 0x20) } {
                    bad := or(bad, xor(calldataload(i), sub(end, first)))
                    let m := calldataload(end)
                    bad := or(bad, shr(32, m))
                    end := add(add(end, 0x20), shl(5, m))
                }
                // locked: SubAlloc[] (ID, balances, indexMap).
                bad := or(bad, xor(calldataload(add(a, 0x60)), sub(end, a)))
                q := end
                n := calldataload(q)
                first := add(q, 0x20)
                slots := add(first, shl(5, n))
                if or(shr(32, n), gt(slots, cds)) { fail() }
                end := slots
                for { let i := first } lt(i, slots) { i := add(i, 0x20) } {
                    bad := or(bad, xor(calldataload(i), sub(end, first)))
                    let s := end
                    bad := or(bad, xor(calldataload(add(s, 0x20)), 0x60))
                    let m := calldataload(add(s, 0x60))
                    bad := or(bad, shr(32, m))
                    let e := add(add(s, 0x80), shl(5, m))
                    bad := or(bad, xor(calldataload(add(s, 0x40)), sub(e, s)))
                    // indexMap: uint16[]; its elements are checked one by one, so bound them.
                    m := calldataload(e)
                    let from := add(e, 0x20)
                    end := add(from, shl(5, m))
                    if or(shr(32, m), gt(end, cds)) { fail() }
                    for { let j := from } lt(j, end) { j := add(j, 0x20) } {
                        bad := or(bad, shr(16, calldataload(j)))
                    }
                }
                // appData: bytes, then the end of the State.
                bad := or(bad, xor(calldataload(add(p, 0x60)), sub(end, p)))
                q := end
            }
            case 0 {
                // Params: challengeDuration, nonce, participants, app, ledgerChannel,
                // virtualChannel.
                bad := or(
                    xor(calldataload(add(p, 0x40)), 0xc0),
                    shr(160, calldataload(add(p, 0x60)))
                )
                bad := or(
                    bad,
                    or(gt(calldataload(add(p, 0x80)), 1), gt(calldataload(add(p, 0xa0)), 1))
                )
                // participants: Participant[] (ethAddress, ccAddress); the last one's ccAddress is
                // left for the shared tail below.
                let arr := add(p, 0xc0)
                let n := calldataload(arr)
                let first := add(arr, 0x20)
                let slots := add(first, shl(5, n))
                if or(shr(32, n), gt(slots, cds)) { fail() }
                end := slots
                q := 0
                for { let i := first } lt(i, slots) { i := add(i, 0x20) } {
                    if q {
                        // The previous participant's ccAddress.
                        let len := calldataload(q)
                        bad := or(bad, shr(32, len))
                        end := add(add(q, 0x20), and(add(len, 31), not(31)))
                        let r := and(len, 31)
                        if r { bad := or(bad, shl(shl(3, r), calldataload(sub(end, 0x20)))) }
                    }
                    bad := or(bad, xor(calldataload(i), sub(end, first)))
                    bad := or(bad, shr(160, calldataload(end)))
                    bad := or(bad, xor(calldataload(add(end, 0x20)), 0x40))
                    q := add(end, 0x40)
                }
                // No participants: the encoding ends after the length word (`q` stays 0).
            }
            default {
                // WithdrawalAuth: channelID, participant, receiver, amount; the participant's
                // ccAddress is the shared tail below.
                bad := or(
                    xor(calldataload(add(p, 0x20)), 0x80),
                    shr(160, calldataload(add(p, 0x40)))
                )
                let part := add(p, 0x80)
                bad := or(bad, shr(160, calldataload(part)))
                bad := or(bad, xor(calldataload(add(part, 0x20)), 0x40))
                q := add(part, 0x40)
            }
            // The last `bytes` value, at `q`: appData, or the last ccAddress.
            if q {
                let len := calldataload(q)
                bad := or(bad, shr(32, len))
                end := add(add(q, 0x20), and(add(len, 31), not(31)))
                let r := and(len, 31)
                if r { bad := or(bad, shl(shl(3, r), calldataload(sub(end, 0x20)))) }
            }
            if or(bad, gt(end, cds)) { fail() }
        }
    }

    /// @dev `keccak256(0x20 ‖ calldata[start:end])`.
    function _hashSpan(uint256 start, uint256 end) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let m := mload(0x40)
            mstore(m, 0x20)
            calldatacopy(add(m, 32), start, sub(end, start))
            h := keccak256(m, add(32, sub(end, start)))
        }
    }

    // -----------------------------------------------------------------------------------------
    // Arguments
    // -----------------------------------------------------------------------------------------

    /// @notice The position of dynamic argument `i` (its head slot lies inside: solc's
    /// dispatcher checked the arguments' head).
    function arg(uint256 i) internal pure returns (uint256) {
        return _member(4, i);
    }

    function paramsArg(uint256 i) internal pure returns (ParamsRef) {
        return ParamsRef.wrap(arg(i));
    }

    function stateArg(uint256 i) internal pure returns (StateRef) {
        return StateRef.wrap(arg(i));
    }

    function signedStateArg(uint256 i) internal pure returns (SignedStateRef) {
        return SignedStateRef.wrap(arg(i));
    }

    function withdrawalAuthArg(uint256 i) internal pure returns (WithdrawalAuthRef) {
        return WithdrawalAuthRef.wrap(arg(i));
    }

    /// @notice Dynamic argument `i` as an array.
    function arrayArg(uint256 i) internal pure returns (ArrayRef) {
        return _array(arg(i));
    }

    /// @notice Dynamic argument `i` as `bytes`.
    function bytesArg(uint256 i) internal pure returns (BytesRef) {
        return _bytes(arg(i));
    }

    // -----------------------------------------------------------------------------------------
    // Arrays and bytes
    // -----------------------------------------------------------------------------------------

    function length(ArrayRef a) internal pure returns (uint256) {
        return uint128(ArrayRef.unwrap(a));
    }

    /// @notice The word in element slot `i` (`i` below the length): a `uint256` or `bytes32`.
    function word(ArrayRef a, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := calldataload(add(shr(128, a), shl(5, i)))
        }
    }

    /// @notice Element `i` (below the length) of a `uint16[]`.
    function uint16At(ArrayRef a, uint256 i) internal pure returns (uint16 v) {
        uint256 w = _typed(ArrayRef.unwrap(a) >> 128, i, 16);
        assembly ("memory-safe") {
            v := w
        }
    }

    /// @notice The position of dynamic element `i` (below the length).
    function at(ArrayRef a, uint256 i) internal pure returns (uint256) {
        return _member(ArrayRef.unwrap(a) >> 128, i);
    }

    /// @notice Element `i` (below the length) of a `uint256[]` array of arrays.
    function arrayAt(ArrayRef a, uint256 i) internal pure returns (ArrayRef) {
        return _array(at(a, i));
    }

    /// @notice Element `i` (below the length) of a `bytes[]`.
    function bytesAt(ArrayRef a, uint256 i) internal pure returns (BytesRef) {
        return _bytes(at(a, i));
    }

    /// @notice The position of element 0's slot.
    function start(ArrayRef a) internal pure returns (uint256) {
        return ArrayRef.unwrap(a) >> 128;
    }

    function length(BytesRef b) internal pure returns (uint256) {
        return uint128(BytesRef.unwrap(b));
    }

    /// @notice The position of the content.
    function start(BytesRef b) internal pure returns (uint256) {
        return BytesRef.unwrap(b) >> 128;
    }

    /// @notice `keccak256` of the content.
    function contentHash(BytesRef b) internal pure returns (bytes32 h) {
        uint256 p = start(b);
        uint256 n = length(b);
        assembly ("memory-safe") {
            let m := mload(0x40)
            calldatacopy(m, p, n)
            h := keccak256(m, n)
        }
    }

    // -----------------------------------------------------------------------------------------
    // Structs
    // -----------------------------------------------------------------------------------------

    // Params: challengeDuration, nonce, participants, app, ledgerChannel, virtualChannel.

    function challengeDuration(ParamsRef p) internal pure returns (uint256) {
        return _word(ParamsRef.unwrap(p));
    }

    function participants(ParamsRef p) internal pure returns (ArrayRef) {
        return _array(_member(ParamsRef.unwrap(p), 2));
    }

    function app(ParamsRef p) internal pure returns (address) {
        return _address(ParamsRef.unwrap(p), 3);
    }

    function ledgerChannel(ParamsRef p) internal pure returns (bool) {
        return _bool(ParamsRef.unwrap(p), 4);
    }

    function virtualChannel(ParamsRef p) internal pure returns (bool) {
        return _bool(ParamsRef.unwrap(p), 5);
    }

    /// @notice Participant `i` (below the length of `participants()`).
    function participant(ArrayRef parts, uint256 i) internal pure returns (ParticipantRef) {
        return ParticipantRef.wrap(at(parts, i));
    }

    /// @notice Where the participants array starts and the params' encoding ends: the array's
    /// encoding runs to the end of the last participant's ccAddress (or its length word).
    /// @dev One assembly block doing the reads of `participants()`, `at(n - 1)`, its ccAddress
    /// member and `_encodingEnd`, in that order, with the same checks: the inliner does not
    /// merge the separate functions, and their calls cost more than the checks.
    function participantsSpan(ParamsRef p) internal pure returns (uint256 begin, uint256 end) {
        assembly ("memory-safe") {
            let cds := calldatasize()
            // participants: the offset in head slot 2, then the array there.
            let bad := gt(add(p, 96), cds)
            let o := calldataload(add(p, 64))
            bad := or(bad, shr(32, o))
            begin := add(p, o)
            let n := calldataload(begin)
            bad := or(bad, or(shr(32, n), gt(add(add(begin, 32), shl(5, n)), cds)))
            end := add(begin, 32)
            if iszero(or(bad, iszero(n))) {
                // The last participant, its ccAddress member, that bytes value and its padding.
                let slot := add(end, shl(5, sub(n, 1)))
                o := calldataload(slot)
                bad := shr(32, o)
                let last := add(end, o)
                o := calldataload(add(last, 32))
                bad := or(bad, or(gt(add(last, 64), cds), shr(32, o)))
                let b := add(last, o)
                let len := calldataload(b)
                bad := or(
                    bad,
                    or(shr(32, len), or(gt(add(b, 32), cds), gt(add(add(b, 32), len), cds)))
                )
                end := add(add(b, 32), and(add(len, 31), not(31)))
                bad := or(bad, gt(end, cds))
            }
            if bad {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
        }
    }

    /// @notice `keccak256(abi.encode(params))`: the channel ID, of the bytes from the head to
    /// the end of the last participant's ccAddress (see `requireCanonical`).
    function id(ParamsRef p) internal pure returns (bytes32) {
        (, uint256 end) = participantsSpan(p);
        return _hashSpan(ParamsRef.unwrap(p), end);
    }

    /// @notice Reverts with `MalformedCalldata()` unless the params are in canonical layout.
    function requireCanonical(ParamsRef p) internal pure {
        _canonicalEnd(ParamsRef.unwrap(p), 0);
    }

    // Participant: ethAddress, ccAddress.

    function ethAddress(ParticipantRef p) internal pure returns (address) {
        return _address(ParticipantRef.unwrap(p), 0);
    }

    // State: channelID, version, outcome, appData, isFinal.

    function channelID(StateRef s) internal pure returns (bytes32) {
        return bytes32(_word(StateRef.unwrap(s)));
    }

    function version(StateRef s) internal pure returns (uint64) {
        return _uint64(StateRef.unwrap(s), 1);
    }

    function outcome(StateRef s) internal pure returns (AllocationRef) {
        return AllocationRef.wrap(_member(StateRef.unwrap(s), 2));
    }

    function isFinal(StateRef s) internal pure returns (bool) {
        return _bool(StateRef.unwrap(s), 4);
    }

    /// @notice Where the state's encoding ends: after its appData and padding.
    /// @dev The reads of `_member(s, 3)` and `_encodingEnd` in one block, as above.
    function end(StateRef s) internal pure returns (uint256 e) {
        assembly ("memory-safe") {
            let cds := calldatasize()
            let o := calldataload(add(s, 96))
            let bad := or(gt(add(s, 128), cds), shr(32, o))
            let b := add(s, o)
            let len := calldataload(b)
            bad := or(bad, or(shr(32, len), or(gt(add(b, 32), cds), gt(add(add(b, 32), len), cds))))
            e := add(add(b, 32), and(add(len, 31), not(31)))
            if or(bad, gt(e, cds)) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
        }
    }

    /// @notice `keccak256(abi.encode(state))`, of the bytes from the head to the end of
    /// appData (see `requireCanonical`).
    function hash(StateRef s) internal pure returns (bytes32) {
        return _hashSpan(StateRef.unwrap(s), end(s));
    }

    /// @notice Reverts with `MalformedCalldata()` unless the state is in canonical layout.
    function requireCanonical(StateRef s) internal pure {
        _canonicalEnd(StateRef.unwrap(s), 1);
    }

    // Allocation: assets, backends, balances, locked.

    function assets(AllocationRef a) internal pure returns (ArrayRef) {
        return _array(_member(AllocationRef.unwrap(a), 0));
    }

    function balances(AllocationRef a) internal pure returns (ArrayRef) {
        return _array(_member(AllocationRef.unwrap(a), 2));
    }

    function locked(AllocationRef a) internal pure returns (ArrayRef) {
        return _array(_member(AllocationRef.unwrap(a), 3));
    }

    /// @notice Where the ABI encoding of `assets` lies: from the array's length word to where
    /// `backends` begins. It is the canonical encoding of the asset array once the state holding
    /// the allocation was hashed (which checks the layout), and is used only then.
    function assetsSpan(AllocationRef a) internal pure returns (uint256 begin, uint256 finish) {
        uint256 p = AllocationRef.unwrap(a);
        begin = _member(p, 0);
        finish = _member(p, 1);
        assembly ("memory-safe") {
            if or(lt(finish, begin), gt(finish, calldatasize())) {
                mstore(0, MALFORMED)
                revert(0, 4)
            }
        }
    }

    // Asset: chainID, ethHolder, ccHolder.

    function asset(ArrayRef assetArray, uint256 i) internal pure returns (AssetRef) {
        return AssetRef.wrap(at(assetArray, i));
    }

    function chainID(AssetRef a) internal pure returns (uint256) {
        return _word(AssetRef.unwrap(a));
    }

    function ethHolder(AssetRef a) internal pure returns (address) {
        return _address(AssetRef.unwrap(a), 1);
    }

    function ccHolder(AssetRef a) internal pure returns (BytesRef) {
        return _bytes(_member(AssetRef.unwrap(a), 2));
    }

    // SubAlloc: ID, balances, indexMap.

    function subAlloc(ArrayRef lockedArray, uint256 i) internal pure returns (SubAllocRef) {
        return SubAllocRef.wrap(at(lockedArray, i));
    }

    function ID(SubAllocRef l) internal pure returns (bytes32) {
        return bytes32(_word(SubAllocRef.unwrap(l)));
    }

    function balances(SubAllocRef l) internal pure returns (ArrayRef) {
        return _array(_member(SubAllocRef.unwrap(l), 1));
    }

    function indexMap(SubAllocRef l) internal pure returns (ArrayRef) {
        return _array(_member(SubAllocRef.unwrap(l), 2));
    }

    // SignedState: params, state, sigs.

    function signedState(ArrayRef a, uint256 i) internal pure returns (SignedStateRef) {
        return SignedStateRef.wrap(at(a, i));
    }

    function params(SignedStateRef s) internal pure returns (ParamsRef) {
        return ParamsRef.wrap(_member(SignedStateRef.unwrap(s), 0));
    }

    function state(SignedStateRef s) internal pure returns (StateRef) {
        return StateRef.wrap(_member(SignedStateRef.unwrap(s), 1));
    }

    function sigs(SignedStateRef s) internal pure returns (ArrayRef) {
        return _array(_member(SignedStateRef.unwrap(s), 2));
    }

    /// @notice Element `i` of a `State[]`.
    function stateAt(ArrayRef a, uint256 i) internal pure returns (StateRef) {
        return StateRef.wrap(at(a, i));
    }

    // WithdrawalAuth: channelID, participant, receiver, amount.

    function channelID(WithdrawalAuthRef w) internal pure returns (bytes32) {
        return bytes32(_word(WithdrawalAuthRef.unwrap(w)));
    }

    function participant(WithdrawalAuthRef w) internal pure returns (ParticipantRef) {
        return ParticipantRef.wrap(_member(WithdrawalAuthRef.unwrap(w), 1));
    }

    function receiver(WithdrawalAuthRef w) internal pure returns (address) {
        return _address(WithdrawalAuthRef.unwrap(w), 2);
    }

    function amount(WithdrawalAuthRef w) internal pure returns (uint256) {
        return _typed(WithdrawalAuthRef.unwrap(w), 3, 256);
    }

    /// @notice Every field of a withdrawal authorization and its hash, once the authorization is
    /// found in canonical layout (then every field lies inside and is clean).
    function decode(WithdrawalAuthRef w)
        internal
        pure
        returns (bytes32 cid, address who, bytes32 h, uint256 value, address to)
    {
        uint256 p = WithdrawalAuthRef.unwrap(w);
        uint256 e = _canonicalEnd(p, 2);
        assembly ("memory-safe") {
            cid := calldataload(p)
            who := calldataload(add(p, 0x80))
            value := calldataload(add(p, 96))
            to := calldataload(add(p, 64))
            let m := mload(0x40)
            mstore(m, 0x20)
            calldatacopy(add(m, 32), p, sub(e, p))
            h := keccak256(m, add(32, sub(e, p)))
        }
    }

    /// @notice `keccak256(abi.encode(auth))`.
    function hash(WithdrawalAuthRef w) internal pure returns (bytes32) {
        uint256 p = WithdrawalAuthRef.unwrap(w);
        return _hashSpan(p, _canonicalEnd(p, 2));
    }
}

// SPDX-License-Identifier: Apache-2.0
// Sums, shapes and record keys of allocations in calldata, shared by the Adjudicator and the registry.
pragma solidity ^0.8.30;

import {AllocationRef, ArrayRef, Calldata} from "./Calldata.sol";
import {BalanceOverflow, BalancesLengthMismatch} from "./Errors.sol";

/// @title Allocations
/// @notice perun-channel's `checks::{row_sum, row_sums, add_totals, check_shape, state_totals}`
/// and `hash::sub_channel_key`, in the same order and with the same errors.
///
/// A sub-channel's or virtual channel's dispute record is keyed by its channel ID bound to the
/// funding its parents lock for it (`key`): a parent reads it under the key of the SubAlloc it
/// locked, so a state funded otherwise, whoever signed it and by whichever path it was
/// recorded, lives under another key and never changes what an honest parent pays (SPEC
/// section 10).
library Allocations {
    /// @notice The sum of a row of balances.
    function rowSum(ArrayRef row) internal pure returns (uint256 sum) {
        uint256 n = row.length();
        for (uint256 p; p < n; ++p) {
            uint256 v = row.word(p);
            unchecked {
                // Checked below: an unsigned sum that wrapped is smaller than its summand.
                sum += v;
            }
            if (sum < v) revert BalanceOverflow();
        }
    }

    /// @notice The sum of each row of `rows` (one per asset), not counting locked funds.
    function rowSums(ArrayRef rows) internal pure returns (uint256[] memory sums) {
        sums = new uint256[](rows.length());
        for (uint256 a; a < sums.length; ++a) {
            sums[a] = rowSum(rows.arrayAt(a));
        }
    }

    /// @notice Adds `add` into `sums`; `add` may be longer (the extra entries are ignored, as
    /// v1 does), not shorter.
    function addTotals(uint256[] memory sums, uint256[] memory add) internal pure {
        if (add.length < sums.length) revert BalancesLengthMismatch();
        for (uint256 i; i < sums.length; ++i) {
            uint256 sum;
            unchecked {
                // Checked below, as in `rowSum`.
                sum = sums[i] + add[i];
            }
            if (sum < add[i]) revert BalanceOverflow();
            sums[i] = sum;
        }
    }

    /// @notice A sub-channel's or virtual channel's outcome has one balances row per asset and
    /// one balance per participant in each, so folding it into a parent reads every balance.
    function requireShape(AllocationRef alloc, uint256 participants) internal pure {
        ArrayRef rows = alloc.balances();
        uint256 n = rows.length();
        if (n != alloc.assets().length()) revert BalancesLengthMismatch();
        for (uint256 a; a < n; ++a) {
            if (rows.arrayAt(a).length() != participants) revert BalancesLengthMismatch();
        }
    }

    /// @notice What a channel holds per asset: its balances plus each sub-allocation's.
    function totals(AllocationRef alloc) internal pure returns (uint256[] memory t) {
        t = rowSums(alloc.balances());
        ArrayRef locked = alloc.locked();
        uint256 n = locked.length();
        for (uint256 i; i < n; ++i) {
            ArrayRef l = locked.subAlloc(i).balances();
            uint256[] memory add = new uint256[](l.length());
            for (uint256 a; a < add.length; ++a) {
                add[a] = l.word(a);
            }
            addTotals(t, add);
        }
    }

    /// @notice The record key of channel `id` funded with `alloc`'s assets and `amounts` (a
    /// `uint256[]` in calldata: a SubAlloc's balances).
    function key(bytes32 id, AllocationRef alloc, ArrayRef amounts)
        internal
        pure
        returns (bytes32 k)
    {
        (uint256 begin, uint256 finish) = alloc.assetsSpan();
        uint256 from = amounts.start();
        uint256 n = amounts.length();
        // In assembly: one copy of each span into scratch memory and two hashes.
        assembly ("memory-safe") {
            let m := mload(0x40)
            let len := sub(finish, begin)
            calldatacopy(m, begin, len)
            calldatacopy(add(m, len), from, shl(5, n))
            mstore(0x20, keccak256(m, add(len, shl(5, n))))
            mstore(0, id)
            k := keccak256(0, 0x40)
        }
    }

    /// @notice As above, with the amounts in memory (a channel's own totals).
    function key(bytes32 id, AllocationRef alloc, uint256[] memory amounts)
        internal
        pure
        returns (bytes32 k)
    {
        (uint256 begin, uint256 finish) = alloc.assetsSpan();
        // In assembly: as above, the amounts copied word by word after the assets.
        assembly ("memory-safe") {
            let m := mload(0x40)
            let len := sub(finish, begin)
            calldatacopy(m, begin, len)
            let n := mload(amounts)
            for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                mstore(add(add(m, len), shl(5, i)), mload(add(amounts, shl(5, add(i, 1)))))
            }
            mstore(0x20, keccak256(m, add(len, shl(5, n))))
            mstore(0, id)
            k := keccak256(0, 0x40)
        }
    }
}

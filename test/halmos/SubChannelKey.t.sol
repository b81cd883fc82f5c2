// Symbolic checks that a sub-channel's record key (Allocations.key) differs for different funding: injective for the asset array and amounts, keccak256 being injective as halmos assumes.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Allocations} from "../../contracts/solidity/Allocations.sol";
import {Calldata, StateRef} from "../../contracts/solidity/Calldata.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {SymTest} from "./utils/SymTest.sol";

/// @notice `Allocations.key(id, state.outcome, amounts)` as the Adjudicator computes it: for a
/// state whose layout was checked canonical, over the asset array's bytes in calldata.
contract KeyHarness {
    function key(Channel.State calldata, uint256[] calldata, bytes32 id)
        external
        pure
        returns (bytes32)
    {
        StateRef s = Calldata.stateArg(0);
        s.requireCanonical();
        return Allocations.key(id, s.outcome(), Calldata.arrayArg(1));
    }
}

/// @notice Two fundings given as states of symbolic assets (chain IDs, holders, ccHolders) and
/// symbolic amounts, in fixed shapes that may differ between the two (chosen so that some pairs
/// hash equally long byte strings): equal keys imply the same channel ID, the same assets and
/// the same amounts. keccak256 is injective to halmos (an uninterpreted function with an
/// inverse, its input length included), so this checks that the hashed bytes encode the
/// funding without ambiguity.
contract SubChannelKeyCheck is SymTest {
    KeyHarness internal h;

    function setUp() public {
        h = new KeyHarness();
    }

    function _state(uint256[] memory cc) internal pure returns (Channel.State memory s) {
        s.channelID = svm.createBytes32("channelID");
        s.outcome.assets = new Channel.Asset[](cc.length);
        for (uint256 i; i < cc.length; ++i) {
            s.outcome.assets[i] = Channel.Asset(
                svm.createUint256("chainID"),
                svm.createAddress("holder"),
                svm.createBytes(cc[i], "cc")
            );
        }
        s.outcome.backends = new uint256[](cc.length);
        s.outcome.balances = new uint256[][](cc.length);
        for (uint256 i; i < cc.length; ++i) {
            s.outcome.balances[i] = new uint256[](0);
        }
    }

    function _amounts(uint256 n) internal pure returns (uint256[] memory a) {
        a = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            a[i] = svm.createUint256("amount");
        }
    }

    function _key(Channel.State memory s, uint256[] memory amounts, bytes32 id)
        internal
        view
        returns (bytes32)
    {
        return h.key(s, amounts, id);
    }

    function _bytesEq(bytes memory a, bytes memory b) internal pure returns (bool) {
        if (a.length != b.length) return false;
        for (uint256 i; i < a.length; i += 32) {
            uint256 x;
            uint256 y;
            assembly ("memory-safe") {
                x := mload(add(add(a, 32), i))
                y := mload(add(add(b, 32), i))
            }
            // the last word's bytes past the length are not compared
            uint256 tail = a.length - i;
            if (tail < 32) {
                x >>= 8 * (32 - tail);
                y >>= 8 * (32 - tail);
            }
            if (x != y) return false;
        }
        return true;
    }

    function _check(uint256[] memory ccA, uint256 nA, uint256[] memory ccB, uint256 nB) internal {
        Channel.State memory a = _state(ccA);
        Channel.State memory b = _state(ccB);
        uint256[] memory amountsA = _amounts(nA);
        uint256[] memory amountsB = _amounts(nB);
        bytes32 idA = svm.createBytes32("idA");
        bytes32 idB = svm.createBytes32("idB");
        if (_key(a, amountsA, idA) != _key(b, amountsB, idB)) return;
        assert(idA == idB);
        assert(ccA.length == ccB.length && nA == nB);
        for (uint256 i; i < ccA.length; ++i) {
            Channel.Asset memory x = a.outcome.assets[i];
            Channel.Asset memory y = b.outcome.assets[i];
            assert(x.chainID == y.chainID && x.ethHolder == y.ethHolder);
            assert(_bytesEq(x.ccHolder, y.ccHolder));
        }
        for (uint256 i; i < nA; ++i) {
            assert(amountsA[i] == amountsB[i]);
        }
        _reached("key");
    }

    function _u(uint256 x) internal pure returns (uint256[] memory r) {
        r = new uint256[](1);
        r[0] = x;
    }

    function _u(uint256 x, uint256 y) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = x;
        r[1] = y;
    }

    /// @notice The same shape: one asset with a 20-byte ccHolder, two amounts.
    function check_key_sameShape() public {
        _check(_u(20), 2, _u(20), 2);
    }

    /// @notice Two assets on both sides, ccHolders of 0 and 33 bytes, one amount each.
    function check_key_sameShape2() public {
        _check(_u(0, 33), 1, _u(0, 33), 1);
    }

    /// @notice Equally long hashed bytes: a 32-byte ccHolder and one amount against an empty
    /// ccHolder and two amounts.
    function check_key_ccHolderVsAmount() public {
        _check(_u(32), 1, _u(0), 2);
    }

    /// @notice Equally long hashed bytes: two assets without ccHolder and one amount against
    /// one asset with a 128-byte ccHolder and two amounts.
    function check_key_assetsVsCcHolder() public {
        _check(_u(0, 0), 1, _u(128), 2);
    }

    /// @notice Equally long: one asset with a 1-byte ccHolder and one amount against one asset
    /// with an empty ccHolder and two amounts.
    function check_key_shortCcHolder() public {
        _check(_u(1), 1, _u(0), 2);
    }

    function canary_key() public {
        canary = "key";
        _check(_u(20), 2, _u(20), 2);
    }
}

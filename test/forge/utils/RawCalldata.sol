// SPDX-License-Identifier: Apache-2.0
// Reading, patching and checking raw calldata in forge tests: positions, spans and their hashes.
pragma solidity ^0.8.30;

import {Channel} from "../../../contracts/solidity/Channel.sol";
import {MalformedCalldata} from "../../../contracts/solidity/Errors.sol";
import {PerunTest} from "./PerunTest.sol";

/// @notice The suite of PerunTest with helpers on raw calldata: positions count the 4-byte
/// selector, as in Calldata.sol.
abstract contract RawCalldata is PerunTest {
    function rd(bytes memory cd, uint256 pos) internal pure returns (uint256 x) {
        require(pos + 32 <= cd.length, "rd: past the end");
        assembly ("memory-safe") {
            x := mload(add(add(cd, 32), pos))
        }
    }

    function wr(bytes memory cd, uint256 pos, uint256 x) internal pure {
        require(pos + 32 <= cd.length, "wr: past the end");
        assembly ("memory-safe") {
            mstore(add(add(cd, 32), pos), x)
        }
    }

    /// @dev The position of dynamic argument `i`.
    function argPos(bytes memory cd, uint256 i) internal pure returns (uint256) {
        return 4 + rd(cd, 4 + 32 * i);
    }

    /// @dev The position of the member whose offset is in head slot `slot` of the struct at `p`.
    function member(bytes memory cd, uint256 p, uint256 slot) internal pure returns (uint256) {
        return p + rd(cd, p + 32 * slot);
    }

    /// @dev The position of dynamic element `i` of the array at `arr`.
    function elemPos(bytes memory cd, uint256 arr, uint256 i) internal pure returns (uint256) {
        return arr + 32 + rd(cd, arr + 32 + 32 * i);
    }

    function bytesEnd(bytes memory cd, uint256 b) internal pure returns (uint256) {
        return b + 32 + (rd(cd, b) + 31) / 32 * 32;
    }

    function paramsEnd(bytes memory cd, uint256 p) internal pure returns (uint256) {
        uint256 parts = member(cd, p, 2);
        uint256 last = elemPos(cd, parts, rd(cd, parts) - 1);
        return bytesEnd(cd, member(cd, last, 1));
    }

    function stateEnd(bytes memory cd, uint256 s) internal pure returns (uint256) {
        return bytesEnd(cd, member(cd, s, 3));
    }

    function slice(bytes memory cd, uint256 from, uint256 to)
        internal
        pure
        returns (bytes memory r)
    {
        r = new bytes(to - from);
        for (uint256 i; i < r.length; ++i) {
            r[i] = cd[from + i];
        }
    }

    /// @dev `keccak256(0x20 ‖ cd[from:to])`: the hash of a struct encoded there.
    function spanHash(bytes memory cd, uint256 from, uint256 to) internal pure returns (bytes32) {
        return keccak256(abi.encodePacked(uint256(0x20), slice(cd, from, to)));
    }

    /// @dev Replaces the 65-byte signatures of the `bytes[]` at `sigs` by the participants'
    /// signatures over `h`.
    function resign(bytes memory cd, uint256 sigs, bytes32 h, Channel.Params memory p)
        internal
        view
    {
        uint256 n = rd(cd, sigs);
        for (uint256 i; i < n; ++i) {
            uint256 b = elemPos(cd, sigs, i);
            require(rd(cd, b) == 65, "resign: not a 65-byte signature");
            bytes memory sig = signDigest(keyOf(p.participants[i].ethAddress), h);
            for (uint256 j; j < 65; ++j) {
                cd[b + 32 + j] = sig[j];
            }
        }
    }

    function expectMalformed(address target, bytes memory cd) internal {
        (bool ok, bytes memory ret) = target.call(cd);
        assertFalse(ok, "malformed calldata was accepted");
        assertEq(ret, abi.encodeWithSelector(MalformedCalldata.selector), "revert data");
    }

    function expectEmptyRevert(address target, bytes memory cd) internal {
        (bool ok, bytes memory ret) = target.call(cd);
        assertFalse(ok, "short calldata was accepted");
        assertEq(ret.length, 0, "solc's dispatcher reverts without data");
    }

    function expectOk(address target, bytes memory cd) internal returns (bytes memory ret) {
        bool ok;
        (ok, ret) = target.call(cd);
        assertTrue(ok, string.concat("well-formed calldata failed: ", vm.toString(ret)));
    }
}

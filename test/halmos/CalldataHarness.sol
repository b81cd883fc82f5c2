// The calldata views of contracts/solidity/Calldata.sol behind external functions, for the symbolic binding checks.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {
    Calldata,
    ParamsRef,
    StateRef,
    WithdrawalAuthRef
} from "../../contracts/solidity/Calldata.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";

/// @notice Each view of one argument, read in place exactly as the contracts read it, and, apart
/// from it, what solc's own ABI decoder makes of the same calldata (`abi.encode` of the decoded
/// argument). The views never follow an offset in `*Canonical` and `auth*`, so those run on
/// calldata whose offsets are symbolic.
contract CalldataHarness {
    /// @dev `calldata[from:to]`.
    function _span(uint256 from, uint256 to) private pure returns (bytes memory b) {
        b = new bytes(to - from);
        assembly ("memory-safe") {
            calldatacopy(add(b, 32), from, sub(to, from))
        }
    }

    // State

    function stateCanonical(Channel.State calldata) external pure {
        Calldata.stateArg(0).requireCanonical();
    }

    /// @notice `hash()` and the bytes it hashes (head to the end of appData), after the walk.
    function stateHash(Channel.State calldata)
        external
        pure
        returns (bytes32 h, bytes memory span)
    {
        StateRef s = Calldata.stateArg(0);
        s.requireCanonical();
        h = s.hash();
        span = _span(StateRef.unwrap(s), s.end());
    }

    function stateEncode(Channel.State calldata s) external pure returns (bytes memory) {
        return abi.encode(s);
    }

    // Params

    function paramsCanonical(Channel.Params calldata) external pure {
        Calldata.paramsArg(0).requireCanonical();
    }

    /// @notice `id()` and the bytes it hashes (head to the end of the last ccAddress).
    function paramsId(Channel.Params calldata)
        external
        pure
        returns (bytes32 h, bytes memory span)
    {
        ParamsRef p = Calldata.paramsArg(0);
        p.requireCanonical();
        h = p.id();
        (, uint256 end) = p.participantsSpan();
        span = _span(ParamsRef.unwrap(p), end);
    }

    function paramsEncode(Channel.Params calldata p) external pure returns (bytes memory) {
        return abi.encode(p);
    }

    // WithdrawalAuth

    /// @notice `hash()` (which walks the layout first) and the bytes it hashes: the canonical
    /// encoding ends after the participant's ccAddress, whose length is at head + 0xc0.
    function authHash(AssetHolder.WithdrawalAuth calldata)
        external
        pure
        returns (bytes32 h, bytes memory span)
    {
        WithdrawalAuthRef w = Calldata.withdrawalAuthArg(0);
        h = w.hash();
        uint256 p = WithdrawalAuthRef.unwrap(w);
        uint256 len;
        assembly ("memory-safe") {
            len := calldataload(add(p, 0xc0))
        }
        span = _span(p, p + 0xe0 + (len + 31) / 32 * 32);
    }

    /// @notice `decode()`: the fields `withdraw` uses and the hash it verifies.
    function authDecode(AssetHolder.WithdrawalAuth calldata)
        external
        pure
        returns (bytes32 cid, address who, bytes32 h, uint256 value, address to)
    {
        return Calldata.withdrawalAuthArg(0).decode();
    }

    function authEncode(AssetHolder.WithdrawalAuth calldata a)
        external
        pure
        returns (bytes memory enc, bytes32 cid, address who, uint256 value, address to)
    {
        return (abi.encode(a), a.channelID, a.participant.ethAddress, a.amount, a.receiver);
    }
}

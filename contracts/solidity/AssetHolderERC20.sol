// SPDX-License-Identifier: Apache-2.0
// The asset holder for one ERC20 token.
pragma solidity ^0.8.30;

import {AssetHolder} from "./AssetHolder.sol";
import {TokenTransferFailed, WrongDepositValue} from "./Errors.sol";

/// @title AssetHolderERC20
/// @notice Holds one ERC20 token for Perun channels. Deposits pull the tokens from the caller
/// and credit what actually arrived (a token that charges a fee on transfer is credited net);
/// tokens that return no value from `transfer` and `transferFrom` are accepted.
contract AssetHolderERC20 is AssetHolder {
    /// @notice The token held.
    address public immutable token;

    /// @param adjudicator_ The Adjudicator whose outcomes this holder accepts.
    /// @param token_ The token held.
    constructor(address adjudicator_, address token_) AssetHolder(adjudicator_) {
        token = token_;
    }

    /// @inheritdoc AssetHolder
    function deposit(bytes32 fundingID, uint256 amount) external payable override nonReentrant {
        if (msg.value != 0) revert WrongDepositValue();
        uint256 before = _balance();
        // transferFrom(msg.sender, this, amount)
        _callToken(abi.encodeWithSelector(0x23b872dd, msg.sender, address(this), amount));
        uint256 received = _balance();
        if (received < before) revert TokenTransferFailed();
        unchecked {
            // Checked just above.
            received -= before;
        }
        _credit(fundingID, received);
    }

    /// @inheritdoc AssetHolder
    function _payOut(address payable receiver, uint256 amount) internal override {
        // transfer(receiver, amount)
        _callToken(abi.encodeWithSelector(0xa9059cbb, receiver, amount));
    }

    /// @dev Calls the token; it must not revert and must return nothing or `true`.
    function _callToken(bytes memory data) private {
        address t = token;
        bool ok;
        assembly ("memory-safe") {
            ok := call(gas(), t, 0, add(data, 32), mload(data), 0, 32)
            // Success: no return data, or a first word of 1.
            if ok {
                ok := or(iszero(returndatasize()), and(gt(returndatasize(), 31), eq(mload(0), 1)))
            }
        }
        if (!ok) revert TokenTransferFailed();
    }

    /// @dev The holder's token balance; the token must answer `balanceOf`.
    function _balance() private view returns (uint256 bal) {
        address t = token;
        bool ok;
        assembly ("memory-safe") {
            mstore(0, 0x70a0823100000000000000000000000000000000000000000000000000000000)
            mstore(4, address())
            // Two statements: Yul evaluates arguments right to left, so `returndatasize()` must
            // be read after the call, not beside it.
            ok := staticcall(gas(), t, 0, 36, 0, 32)
            ok := and(ok, gt(returndatasize(), 31))
            bal := mload(0)
        }
        if (!ok) revert TokenTransferFailed();
    }
}

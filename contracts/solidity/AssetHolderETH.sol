// SPDX-License-Identifier: Apache-2.0
// The asset holder for ETH.
pragma solidity ^0.8.30;

import {AssetHolder} from "./AssetHolder.sol";
import {EthTransferFailed, WrongDepositValue} from "./Errors.sol";

/// @title AssetHolderETH
/// @notice Holds ETH for Perun channels. Deposits carry exactly their amount as value;
/// withdrawals pay with a call that forwards gas, so contract wallets can receive (v1's
/// `transfer` gave them 2,300 gas).
contract AssetHolderETH is AssetHolder {
    /// @param adjudicator_ The Adjudicator whose outcomes this holder accepts.
    constructor(address adjudicator_) AssetHolder(adjudicator_) {}

    /// @inheritdoc AssetHolder
    function deposit(bytes32 fundingID, uint256 amount) external payable override {
        if (msg.value != amount) revert WrongDepositValue();
        _credit(fundingID, amount);
    }

    /// @inheritdoc AssetHolder
    function _payOut(address payable receiver, uint256 amount) internal override {
        bool ok;
        assembly ("memory-safe") {
            // All gas, no call data, and no return data copied (a receiver cannot make the
            // payer pay for copying what it returns).
            ok := call(gas(), receiver, amount, 0, 0, 0, 0)
        }
        if (!ok) revert EthTransferFailed();
    }
}

// SPDX-License-Identifier: Apache-2.0
// The trivial app: every transition is valid.
pragma solidity ^0.8.30;

import {App} from "./App.sol";
import {Channel} from "./Channel.sol";

/// @title TrivialApp
/// @notice Accepts every transition the Adjudicator's own checks accept.
contract TrivialApp is App {
    /// @inheritdoc App
    function validTransition(
        Channel.Params calldata,
        Channel.State calldata,
        Channel.State calldata,
        uint256
    ) external pure override {}
}

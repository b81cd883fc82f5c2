// SPDX-License-Identifier: Apache-2.0
// The interface of a channel app: the rules of force-execution (`progress`).
pragma solidity ^0.8.30;

import {Channel} from "./Channel.sol";

/// @title App
/// @notice An app decides which transitions of a channel's state are valid during force-execution.
interface App {
    /// @notice Reverts unless `to` may follow `from` when participant `actorIdx` moves. The
    /// Adjudicator has already checked the version, the signature, the assets, the locked funds
    /// and that every asset's total is kept.
    function validTransition(
        Channel.Params calldata params,
        Channel.State calldata from,
        Channel.State calldata to,
        uint256 actorIdx
    ) external pure;
}

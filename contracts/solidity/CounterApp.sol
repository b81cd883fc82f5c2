// SPDX-License-Identifier: Apache-2.0
// A turn-based counter app: the participants take turns incrementing a shared counter.
pragma solidity ^0.8.30;

import {App} from "./App.sol";
import {Channel} from "./Channel.sol";
import {BalancesChanged, InvalidAppData, NotYourTurn} from "./Errors.sol";

/// @title CounterApp
/// @notice A real app with turn rules, for force-execution tests and demos. The app data is one
/// word, the counter. Participants move in turn: the actor of the step to version `v + 1` is
/// participant `v % n`. Each step increments the counter by one and leaves every balance as it
/// is; the actor may mark the new state final.
contract CounterApp is App {
    /// @inheritdoc App
    function validTransition(
        Channel.Params calldata params,
        Channel.State calldata from,
        Channel.State calldata to,
        uint256 actorIdx
    ) external pure override {
        if (actorIdx != from.version % params.participants.length) {
            revert NotYourTurn();
        }
        if (from.appData.length != 32 || to.appData.length != 32) revert InvalidAppData();
        uint256 counter = uint256(bytes32(from.appData));
        if (counter == type(uint256).max || uint256(bytes32(to.appData)) != counter + 1) {
            revert InvalidAppData();
        }
        uint256[][] calldata a = from.outcome.balances;
        uint256[][] calldata b = to.outcome.balances;
        for (uint256 i; i < a.length; ++i) {
            if (a[i].length != b[i].length) revert BalancesChanged();
            for (uint256 j; j < a[i].length; ++j) {
                if (a[i][j] != b[i][j]) revert BalancesChanged();
            }
        }
    }
}

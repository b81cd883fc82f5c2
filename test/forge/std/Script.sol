// Script: this project's minimal forge script base (the cheatcode handle for `forge script`).
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @notice Base contract for the forge scripts under script/.
/// @dev Declares no public function, so a script's only entry point is the `run()` it defines.
abstract contract Script {
    /// @notice The cheatcode contract (its address is keccak256("hevm cheat code")[12:]).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);
}

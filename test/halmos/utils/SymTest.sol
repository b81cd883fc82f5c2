// Halmos's symbolic-value cheatcodes (the SVM at keccak256("svm cheat code")[12:]) and a base for the checks.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "../../forge/std/Vm.sol";

/// @notice The halmos cheatcodes the checks use (halmos-cheatcodes' `SVM`, written out: the
/// repository has no git dependencies).
interface SVM {
    function createUint(uint256 bits, string calldata name) external pure returns (uint256);
    function createUint256(string calldata name) external pure returns (uint256);
    function createBytes(uint256 len, string calldata name) external pure returns (bytes memory);
    function createBytes32(string calldata name) external pure returns (bytes32);
    function createAddress(string calldata name) external pure returns (address);
    function createBool(string calldata name) external pure returns (bool);
    function enableSymbolicStorage(address target) external;
    /// @notice A call to any external function of the contract at `target` (views too if
    /// `includeViews`), with symbolic arguments: one calldata per function and argument size.
    function createCalldata(address target, bool includeViews) external pure returns (bytes memory);
}

/// @notice The base of the symbolic checks. Halmos reports a path as a counterexample only when
/// it fails an `assert` (Panic 0x01); any other revert ends the path as if assumed away, so a
/// property that something reverts is checked on the `ok` of a low-level call.
///
/// A check that passes says nothing if the paths it asserts on are never reached (an assumption
/// or a revert ruling them all out). So each check marks where its assertions end with
/// `_reached(tag)`, and a `canary_*` function runs it with `canary` set to one tag: halmos must
/// then find a counterexample, a witness that the path is feasible. script/halmos runs the
/// canaries apart and fails unless every one of them fails.
abstract contract SymTest {
    SVM internal constant svm = SVM(0xF3993A62377BCd56AE39D773740A5390411E8BC9);
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @dev The tag of the path a `canary_*` function wants reached; zero in the checks.
    bytes32 internal canary;

    /// @dev The end of a path whose assertions held.
    function _reached(bytes32 tag) internal view {
        assert(canary != tag);
    }
}

// Test: this project's minimal forge test base (assertions, bound, test keys, invariant targets).
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Vm} from "./Vm.sol";

/// @notice Base contract for the forge tests under test/forge.
/// @dev Every failed assertion reverts with a string: forge 1.x counts a reverting test as
/// failed and prints the string. Messages read "<err>: <detail>" when an `err` is given and
/// "assertion failed: <detail>" otherwise.
abstract contract Test {
    /// @notice A target for the invariant runner: the functions of `addr` it may call.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    /// @notice The cheatcode contract (its address is keccak256("hevm cheat code")[12:]).
    Vm internal constant vm = Vm(0x7109709ECfa91a80626fF3989D68f67F5b1DD12D);

    /// @notice Marks the contract as a test contract.
    bool public IS_TEST = true;

    /// @dev The order of the secp256k1 group; private keys live in [1, N - 1].
    uint256 private constant SECP256K1_ORDER =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    address[] private _targetContracts;
    FuzzSelector[] private _targetSelectors;
    address[] private _excludeContracts;
    address[] private _targetSenders;
    address[] private _excludeSenders;

    // ---------------------------------------------------------------- assertions

    function fail(string memory err) internal pure {
        _fail(err, "fail() called");
    }

    function assertTrue(bool condition) internal pure {
        assertTrue(condition, "");
    }

    function assertTrue(bool condition, string memory err) internal pure {
        if (!condition) _fail(err, "expected true, got false");
    }

    function assertFalse(bool condition) internal pure {
        assertFalse(condition, "");
    }

    function assertFalse(bool condition, string memory err) internal pure {
        if (condition) _fail(err, "expected false, got true");
    }

    function assertEq(uint256 left, uint256 right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(uint256 left, uint256 right, string memory err) internal pure {
        if (left != right) _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
    }

    function assertEq(int256 left, int256 right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(int256 left, int256 right, string memory err) internal pure {
        if (left != right) _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
    }

    function assertEq(address left, address right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(address left, address right, string memory err) internal pure {
        if (left != right) _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
    }

    function assertEq(bytes32 left, bytes32 right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(bytes32 left, bytes32 right, string memory err) internal pure {
        if (left != right) _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
    }

    function assertEq(bool left, bool right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(bool left, bool right, string memory err) internal pure {
        if (left != right) _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
    }

    function assertEq(bytes memory left, bytes memory right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(bytes memory left, bytes memory right, string memory err) internal pure {
        if (keccak256(left) != keccak256(right)) {
            _fail(err, _pair(vm.toString(left), " != ", vm.toString(right)));
        }
    }

    function assertEq(string memory left, string memory right) internal pure {
        assertEq(left, right, "");
    }

    function assertEq(string memory left, string memory right, string memory err) internal pure {
        if (keccak256(bytes(left)) != keccak256(bytes(right))) {
            _fail(err, _pair(string.concat('"', left, '"'), " != ", string.concat('"', right, '"')));
        }
    }

    function assertEq(uint256[] memory left, uint256[] memory right) internal pure {
        assertEq(left, right, "");
    }

    /// @dev Reports the lengths when they differ, else the first differing index.
    function assertEq(uint256[] memory left, uint256[] memory right, string memory err)
        internal
        pure
    {
        if (left.length != right.length) {
            _fail(
                err,
                _pair(
                    string.concat("length ", vm.toString(left.length)),
                    " != ",
                    vm.toString(right.length)
                )
            );
        }
        for (uint256 i = 0; i < left.length; ++i) {
            if (left[i] != right[i]) {
                _fail(
                    err,
                    _pair(
                        string.concat("[", vm.toString(i), "] ", vm.toString(left[i])),
                        " != ",
                        vm.toString(right[i])
                    )
                );
            }
        }
    }

    function assertNotEq(uint256 left, uint256 right) internal pure {
        assertNotEq(left, right, "");
    }

    function assertNotEq(uint256 left, uint256 right, string memory err) internal pure {
        if (left == right) _fail(err, _pair(vm.toString(left), " == ", vm.toString(right)));
    }

    function assertNotEq(bytes32 left, bytes32 right) internal pure {
        assertNotEq(left, right, "");
    }

    function assertNotEq(bytes32 left, bytes32 right, string memory err) internal pure {
        if (left == right) _fail(err, _pair(vm.toString(left), " == ", vm.toString(right)));
    }

    function assertNotEq(address left, address right) internal pure {
        assertNotEq(left, right, "");
    }

    function assertNotEq(address left, address right, string memory err) internal pure {
        if (left == right) _fail(err, _pair(vm.toString(left), " == ", vm.toString(right)));
    }

    function assertLt(uint256 left, uint256 right) internal pure {
        assertLt(left, right, "");
    }

    function assertLt(uint256 left, uint256 right, string memory err) internal pure {
        if (left >= right) _fail(err, _pair(vm.toString(left), " >= ", vm.toString(right)));
    }

    function assertLe(uint256 left, uint256 right) internal pure {
        assertLe(left, right, "");
    }

    function assertLe(uint256 left, uint256 right, string memory err) internal pure {
        if (left > right) _fail(err, _pair(vm.toString(left), " > ", vm.toString(right)));
    }

    function assertGt(uint256 left, uint256 right) internal pure {
        assertGt(left, right, "");
    }

    function assertGt(uint256 left, uint256 right, string memory err) internal pure {
        if (left <= right) _fail(err, _pair(vm.toString(left), " <= ", vm.toString(right)));
    }

    function assertGe(uint256 left, uint256 right) internal pure {
        assertGe(left, right, "");
    }

    function assertGe(uint256 left, uint256 right, string memory err) internal pure {
        if (left < right) _fail(err, _pair(vm.toString(left), " < ", vm.toString(right)));
    }

    function assertApproxEqAbs(uint256 left, uint256 right, uint256 maxDelta) internal pure {
        assertApproxEqAbs(left, right, maxDelta, "");
    }

    /// @notice Passes when |left - right| <= maxDelta.
    function assertApproxEqAbs(uint256 left, uint256 right, uint256 maxDelta, string memory err)
        internal
        pure
    {
        uint256 delta = left > right ? left - right : right - left;
        if (delta > maxDelta) {
            _fail(
                err,
                string.concat(
                    _pair(vm.toString(left), " !~ ", vm.toString(right)),
                    " (delta ",
                    vm.toString(delta),
                    " > max ",
                    vm.toString(maxDelta),
                    ")"
                )
            );
        }
    }

    // ---------------------------------------------------------------- fuzz helpers

    /// @notice Maps a fuzz input `x` into [min, max] inclusive; reverts if min > max.
    /// @dev The mapping, with size = max - min + 1:
    ///   - x in [min, max]:  x itself (inputs already in range keep their value);
    ///   - x < min:          min + (x % size), so 0, 1, 2, ... land on min, min+1, min+2, ...;
    ///   - x > max:          max - ((2^256-1 - x) % size), so 2^256-1, 2^256-2, ... land on
    ///                       max, max-1, ...
    /// The fuzzer favours the extreme inputs 0, 1, 2^256-1, 2^256-2 and values near the range
    /// edges; this mapping sends each of them to the matching edge of [min, max] instead of
    /// to an arbitrary point inside it, and every output in [min, max] stays reachable. When
    /// [min, max] covers all of uint256 every x is in range, so size never overflows.
    function bound(uint256 x, uint256 min, uint256 max) internal pure returns (uint256) {
        if (min > max) {
            revert(string.concat("bound: min ", vm.toString(min), " > max ", vm.toString(max)));
        }
        if (x >= min && x <= max) return x;
        uint256 size = max - min + 1; // x is outside, so [min, max] is not all of uint256
        if (x < min) return min + (x % size);
        return max - ((type(uint256).max - x) % size);
    }

    // ---------------------------------------------------------------- test accounts

    /// @notice A labelled address derived from `name` (the address of makeAddrAndKey(name)).
    function makeAddr(string memory name) internal returns (address addr) {
        (addr,) = makeAddrAndKey(name);
    }

    /// @notice A labelled address and its private key, derived from `name`.
    /// @dev key = keccak256(name) reduced into [1, N - 1], N the secp256k1 group order: this
    /// differs from the raw hash only for the negligible fraction of hashes >= N - 1.
    function makeAddrAndKey(string memory name) internal returns (address addr, uint256 key) {
        key = (uint256(keccak256(bytes(name))) % (SECP256K1_ORDER - 1)) + 1;
        addr = vm.addr(key);
        vm.label(addr, name);
    }

    // ---------------------------------------------------------------- invariant targets
    // forge calls the public getters below after setUp() of an invariant test. With no
    // target contract, every contract deployed in setUp() (except the test) is a target.

    /// @notice Restricts the invariant runner to `target` (may be called repeatedly).
    function targetContract(address target) internal {
        _targetContracts.push(target);
    }

    /// @notice Restricts the calls the runner makes to `target.addr` to `target.selectors`.
    function targetSelector(FuzzSelector memory target) internal {
        _targetSelectors.push(target);
    }

    /// @notice Keeps the runner from calling `target`.
    function excludeContract(address target) internal {
        _excludeContracts.push(target);
    }

    /// @notice Restricts the `msg.sender`s the runner uses to the ones added here.
    function targetSender(address sender) internal {
        _targetSenders.push(sender);
    }

    /// @notice Keeps the runner from using `sender` as `msg.sender`.
    function excludeSender(address sender) internal {
        _excludeSenders.push(sender);
    }

    function targetContracts() public view returns (address[] memory) {
        return _targetContracts;
    }

    function targetSelectors() public view returns (FuzzSelector[] memory) {
        return _targetSelectors;
    }

    function excludeContracts() public view returns (address[] memory) {
        return _excludeContracts;
    }

    function targetSenders() public view returns (address[] memory) {
        return _targetSenders;
    }

    function excludeSenders() public view returns (address[] memory) {
        return _excludeSenders;
    }

    // ---------------------------------------------------------------- internals

    function _pair(string memory left, string memory op, string memory right)
        private
        pure
        returns (string memory)
    {
        return string.concat(left, op, right);
    }

    function _fail(string memory err, string memory detail) private pure {
        if (bytes(err).length == 0) revert(string.concat("assertion failed: ", detail));
        revert(string.concat(err, ": ", detail));
    }
}

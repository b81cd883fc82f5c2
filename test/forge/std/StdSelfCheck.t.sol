// StdSelfCheck: forge tests proving our own Vm/Test replacement of forge-std works.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Test} from "./Test.sol";
import {Vm} from "./Vm.sol";

/// @dev Exposes Test's internal helpers as external calls, so vm.expectRevert can watch them.
contract StdHarness is Test {
    function eqUint(uint256 a, uint256 b) external pure {
        assertEq(a, b);
    }

    function eqUintErr(uint256 a, uint256 b, string calldata err) external pure {
        assertEq(a, b, err);
    }

    function eqString(string calldata a, string calldata b) external pure {
        assertEq(a, b);
    }

    function eqBytes(bytes calldata a, bytes calldata b) external pure {
        assertEq(a, b);
    }

    function eqArray(uint256[] calldata a, uint256[] calldata b) external pure {
        assertEq(a, b);
    }

    function isTrue(bool c) external pure {
        assertTrue(c);
    }

    function lt(uint256 a, uint256 b) external pure {
        assertLt(a, b);
    }

    function approx(uint256 a, uint256 b, uint256 d) external pure {
        assertApproxEqAbs(a, b, d);
    }

    function boundOf(uint256 x, uint256 min, uint256 max) external pure returns (uint256) {
        return bound(x, min, max);
    }
}

/// @dev The handler the invariant runner drives: adds at most 10 per call.
contract CounterHandler {
    uint256 public calls;
    uint256 public total;

    function add(uint256 amount) external {
        calls += 1;
        total += amount % 11;
    }

    /// @dev Would break the invariant; the test's targetSelector keeps the runner away from it.
    function poison() external {
        total = type(uint256).max;
    }
}

contract StdSelfCheckTest is Test {
    StdHarness internal harness;

    event Ping(address indexed from, uint256 value);

    function setUp() public {
        harness = new StdHarness();
    }

    // ---- assertions ----

    function test_assertionsPassOnEqualValues() public pure {
        assertTrue(true);
        assertFalse(false, "false");
        assertEq(uint256(7), uint256(7));
        assertEq(int256(-7), int256(-7), "int");
        assertEq(address(0xBEEF), address(0xBEEF));
        assertEq(bytes32("x"), bytes32("x"));
        assertEq(true, true);
        assertEq(bytes(hex"01ff"), bytes(hex"01ff"));
        assertEq(string("abc"), string("abc"));
        uint256[] memory a = new uint256[](2);
        uint256[] memory b = new uint256[](2);
        (a[0], a[1], b[0], b[1]) = (1, 2, 1, 2);
        assertEq(a, b, "array");
        assertNotEq(uint256(1), uint256(2));
        assertNotEq(bytes32("a"), bytes32("b"));
        assertNotEq(address(1), address(2));
        assertLt(1, 2);
        assertLe(2, 2);
        assertGt(3, 2);
        assertGe(3, 3);
        assertApproxEqAbs(100, 103, 3);
        assertApproxEqAbs(103, 100, 3);
    }

    function test_failingAssertionsRevertWithMessage() public {
        vm.expectRevert(bytes("assertion failed: 1 != 2"));
        harness.eqUint(1, 2);

        vm.expectRevert(bytes("balance: 1 != 2"));
        harness.eqUintErr(1, 2, "balance");

        vm.expectRevert(bytes('assertion failed: "a" != "b"'));
        harness.eqString("a", "b");

        vm.expectRevert(bytes("assertion failed: 0x01 != 0x02"));
        harness.eqBytes(hex"01", hex"02");

        vm.expectRevert(bytes("assertion failed: expected true, got false"));
        harness.isTrue(false);

        vm.expectRevert(bytes("assertion failed: 2 >= 2"));
        harness.lt(2, 2);

        vm.expectRevert(bytes("assertion failed: 100 !~ 104 (delta 4 > max 3)"));
        harness.approx(100, 104, 3);

        uint256[] memory a = new uint256[](2);
        uint256[] memory b = new uint256[](2);
        b[1] = 5;
        vm.expectRevert(bytes("assertion failed: [1] 0 != 5"));
        harness.eqArray(a, b);
        vm.expectRevert(bytes("assertion failed: length 2 != 1"));
        harness.eqArray(a, new uint256[](1));
    }

    // ---- bound ----

    function test_boundEdges() public pure {
        assertEq(bound(5, 5, 10), 5, "x == min");
        assertEq(bound(10, 5, 10), 10, "x == max");
        assertEq(bound(7, 5, 10), 7, "x inside");
        assertEq(bound(0, 5, 10), 5, "0 -> min");
        assertEq(bound(1, 5, 10), 6, "1 -> min + 1");
        assertEq(bound(type(uint256).max, 5, 10), 10, "max uint -> max");
        assertEq(bound(type(uint256).max - 1, 5, 10), 9, "max uint - 1 -> max - 1");
        assertEq(bound(11, 5, 10), 10 - ((type(uint256).max - 11) % 6), "just above");
        assertEq(bound(123, 0, type(uint256).max), 123, "full range");
        assertEq(bound(type(uint256).max, 0, type(uint256).max), type(uint256).max, "full top");
        assertEq(bound(0, 3, type(uint256).max), 3, "max == uint max, x below");
        assertEq(bound(2, 3, type(uint256).max), 5, "max == uint max, x below (2)");
        assertEq(bound(type(uint256).max, 3, type(uint256).max), type(uint256).max, "top");
        assertEq(bound(42, 9, 9), 9, "single point");
    }

    function test_boundRevertsWhenMinAboveMax() public {
        vm.expectRevert(bytes("bound: min 2 > max 1"));
        harness.boundOf(0, 2, 1);
    }

    function testFuzz_boundStaysInRange(uint256 x, uint256 a, uint256 b) public pure {
        (uint256 min, uint256 max) = a <= b ? (a, b) : (b, a);
        uint256 y = bound(x, min, max);
        assertGe(y, min, "below min");
        assertLe(y, max, "above max");
        if (x >= min && x <= max) assertEq(y, x, "in-range input changed");
    }

    // ---- keys and signatures ----

    function test_makeAddrAndKeyMatchesVmAddr() public {
        (address alice, uint256 key) = makeAddrAndKey("alice");
        assertEq(alice, vm.addr(key));
        assertEq(makeAddr("alice"), alice, "makeAddr is makeAddrAndKey's address");
        assertNotEq(makeAddr("bob"), alice);
        assertGt(key, 0);
        assertLt(key, 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141);
    }

    function test_signRecoversToSigner() public {
        (address alice, uint256 key) = makeAddrAndKey("alice");
        bytes32 digest = keccak256("perun state");
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        assertEq(ecrecover(digest, v, r, s), alice);
        assertEq(ecrecover(digest, v, r, s), vm.addr(key));
    }

    // ---- a few cheatcodes through the Vm interface ----

    function test_cheatcodesReachForge() public {
        vm.warp(1000);
        assertEq(vm.getBlockTimestamp(), 1000);
        vm.roll(12);
        assertEq(block.number, 12);
        vm.deal(address(0xA11CE), 3 ether);
        assertEq(address(0xA11CE).balance, 3 ether);
        assertEq(vm.toString(uint256(42)), "42");
        assertEq(vm.parseJsonUint('{"a":{"b":[4,5]}}', ".a.b[1]"), 5);

        uint256 id = vm.snapshotState();
        vm.store(address(harness), bytes32(uint256(99)), bytes32(uint256(1)));
        assertEq(vm.load(address(harness), bytes32(uint256(99))), bytes32(uint256(1)));
        assertTrue(vm.revertToState(id));
        assertEq(vm.load(address(harness), bytes32(uint256(99))), bytes32(0));

        vm.expectEmit(true, false, false, true, address(this));
        emit Ping(address(this), 1);
        this.ping(1);
    }

    function ping(uint256 value) external {
        emit Ping(msg.sender, value);
    }
}

/// @dev The invariant runner calls only CounterHandler.add (targetContract + targetSelector).
contract StdInvariantSelfCheckTest is Test {
    CounterHandler internal handler;

    function setUp() public {
        handler = new CounterHandler();
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](1);
        selectors[0] = CounterHandler.add.selector;
        targetSelector(FuzzSelector({addr: address(handler), selectors: selectors}));
    }

    /// @dev Each add() contributes at most 10, and poison() is never called.
    function invariant_totalBoundedByCalls() public view {
        assertLe(handler.total(), handler.calls() * 10, "total above 10 per call");
    }

    /// @dev After each run's call sequence: the runner did call the handler.
    function afterInvariant() public view {
        assertGt(handler.calls(), 0, "invariant runner never called the handler");
    }

    function test_targetGetters() public view {
        assertEq(targetContracts().length, 1);
        assertEq(targetContracts()[0], address(handler));
        assertEq(targetSelectors().length, 1);
        assertEq(targetSelectors()[0].selectors[0], CounterHandler.add.selector);
        assertEq(excludeContracts().length, 0);
        assertEq(targetSenders().length, 0);
    }

    function test_handlerCountsCalls() public {
        handler.add(25);
        handler.add(3);
        assertEq(handler.calls(), 2);
        assertEq(handler.total(), 3 + 3);
    }
}

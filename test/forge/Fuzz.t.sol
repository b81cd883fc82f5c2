// SPDX-License-Identifier: Apache-2.0
// Property tests over amounts, versions, timing and holdings near the 2^255 cap of the asset holders.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    BalanceOverflow,
    InsufficientHoldings,
    NotInDisputePhase,
    PartialWithdrawal,
    RefutationTimeoutPassed,
    TimeoutNotPassed,
    TimeoutOverflow,
    TimeoutPassed,
    VersionTooLow,
    WrongDepositValue
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

contract FuzzTest is PerunTest {
    /// @dev The first value a holdings entry cannot hold (its top bit is the settled flag).
    uint256 internal constant CAP = 1 << 255;
    uint256 internal constant MAX_AMOUNT = 1e30;

    address internal stranger;
    address internal payee;

    function setUp() public override {
        super.setUp();
        stranger = makeAddr("stranger");
        payee = makeAddr("payee");
    }

    function fid(Channel.Params memory p, uint256 i) internal pure returns (bytes32) {
        return fundingID(idOf(p), p.participants[i].ethAddress);
    }

    function setOutcome(Channel.Params memory p, uint256 o0, uint256 o1) internal {
        vm.prank(address(adj));
        eth.setOutcome(idOf(p), p.participants, bals2(o0, o1));
    }

    function withdrawTo(Channel.Params memory p, uint256 i, address to, uint256 amount) internal {
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, i, to, amount);
        eth.withdraw(a, sig);
    }

    /// @dev The storage slot of `_holdings[id]` (the holder's only state variable, slot 0).
    function slotOf(bytes32 id) internal pure returns (bytes32) {
        return keccak256(abi.encode(id, uint256(0)));
    }

    function depositAs(address who, bytes32 id, uint256 amount) internal {
        vm.deal(who, amount);
        vm.prank(who);
        eth.deposit{value: amount}(id, amount);
    }

    // -----------------------------------------------------------------------------------------
    // Amounts
    // -----------------------------------------------------------------------------------------

    function testFuzz_deposit_valueMustEqualAmount(uint256 amount, uint256 value) public {
        amount = bound(amount, 0, MAX_AMOUNT);
        value = bound(value, 0, MAX_AMOUNT);
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.deal(stranger, value);
        vm.prank(stranger);
        if (value != amount) vm.expectRevert(WrongDepositValue.selector);
        eth.deposit{value: value}(f, amount);
        assertEq(eth.holdings(f), value == amount ? amount : 0);
        assertEq(address(eth).balance, value == amount ? amount : 0);
    }

    function testFuzz_depositSettleWithdraw(uint256 d0, uint256 d1, uint256 split, uint256 first)
        public
    {
        d0 = bound(d0, 0, MAX_AMOUNT);
        d1 = bound(d1, 0, MAX_AMOUNT);
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, d0);
        depositETH(p, 1, d1);
        uint256 total = d0 + d1;
        uint256 o0 = bound(split, 0, total);
        uint256 o1 = total - o0;
        setOutcome(p, o0, o1);
        assertEq(eth.holdings(fid(p, 0)), o0, "outcome 0");
        assertEq(eth.holdings(fid(p, 1)), o1, "outcome 1");
        first = bound(first, 0, o0);
        // Participant 0 withdraws to itself in two parts; participant 1 all to another receiver.
        uint256 before0 = addrs[0].balance;
        withdrawTo(p, 0, addrs[0], first);
        withdrawTo(p, 0, addrs[0], o0 - first);
        withdrawTo(p, 1, payee, o1);
        assertEq(addrs[0].balance - before0, o0, "participant 0");
        assertEq(payee.balance, o1, "participant 1's receiver");
        assertEq(address(eth).balance, 0, "holder drained");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function testFuzz_partialWithdrawals_sum(uint256 total, uint256[6] memory parts) public {
        total = bound(total, 1, MAX_AMOUNT);
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, total);
        setOutcome(p, total, 0);
        uint256 left = total;
        uint256 sum;
        uint256 before = addrs[0].balance;
        for (uint256 i; i < parts.length; ++i) {
            uint256 amount = bound(parts[i], 0, left);
            if (amount != left) {
                // Part of the holdings only to the participant itself (finding 4).
                (AssetHolder.WithdrawalAuth memory other, bytes memory otherSig) =
                    auth(p, 0, payee, amount);
                vm.expectRevert(PartialWithdrawal.selector);
                eth.withdraw(other, otherSig);
            }
            withdrawTo(p, 0, addrs[0], amount);
            left -= amount;
            sum += amount;
            assertEq(eth.holdings(fid(p, 0)), left, "holdings after a partial withdrawal");
        }
        assertEq(addrs[0].balance - before, sum, "paid the sum of the parts");
        assertEq(address(eth).balance, left, "the rest stays");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, left + 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function testFuzz_withdraw_overdrawReverts(uint256 held, uint256 amount) public {
        held = bound(held, 0, MAX_AMOUNT);
        amount = bound(amount, 0, CAP);
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, held);
        setOutcome(p, held, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, amount);
        // More than held reverts; to another receiver, anything but all of it too.
        bool pays = amount == held;
        if (amount > held) vm.expectRevert(InsufficientHoldings.selector);
        else if (!pays) vm.expectRevert(PartialWithdrawal.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), pays ? 0 : held);
        assertEq(payee.balance, pays ? amount : 0);
    }

    /// @dev setOutcome against a model of SPEC section 4 (and the 2^255 cap): the channel ID's
    /// entry and the participants' entries are summed; an outcome is applied iff covered.
    function testFuzz_setOutcome_model(uint256 hc, uint256 h0, uint256 h1, uint256 b0, uint256 b1)
        public
    {
        hc = bound(hc, 0, CAP - 1);
        h0 = bound(h0, 0, CAP - 1);
        h1 = bound(h1, 0, CAP - 1);
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        vm.store(address(eth), slotOf(cid), bytes32(hc));
        vm.store(address(eth), slotOf(fid(p, 0)), bytes32(h0));
        vm.store(address(eth), slotOf(fid(p, 1)), bytes32(h1));
        (bool overflow, uint256 held, uint256 out) = sums(hc, h0, h1, b0, b1);
        bool covered = !overflow && held >= out;
        bool tooLarge = covered && (b0 >= CAP || b1 >= CAP);
        if (overflow || tooLarge) vm.expectRevert(BalanceOverflow.selector);
        setOutcome(p, b0, b1);
        if (overflow || tooLarge) {
            assertFalse(eth.settled(cid), "not settled");
            assertEq(eth.holdings(cid), hc, "channel entry kept");
            assertEq(eth.holdings(fid(p, 0)), h0);
            assertEq(eth.holdings(fid(p, 1)), h1);
        } else {
            assertTrue(eth.settled(cid), "settled");
            assertEq(eth.holdings(cid), 0, "channel entry used up");
            assertEq(eth.holdings(fid(p, 0)), covered ? b0 : h0, "participant 0");
            assertEq(eth.holdings(fid(p, 1)), covered ? b1 : h1, "participant 1");
        }
    }

    function sums(uint256 hc, uint256 h0, uint256 h1, uint256 b0, uint256 b1)
        internal
        pure
        returns (bool overflow, uint256 held, uint256 out)
    {
        unchecked {
            held = hc + h0;
            overflow = held < h0;
            out = b0;
            uint256 held2 = held + h1;
            overflow = overflow || held2 < h1;
            held = held2;
            out = b0 + b1;
            overflow = overflow || out < b1;
        }
    }

    // -----------------------------------------------------------------------------------------
    // Holdings near 2^255
    // -----------------------------------------------------------------------------------------

    function testFuzz_deposit_capAt2pow255(uint256 a, uint256 b) public {
        a = bound(a, CAP - 2 ** 64, CAP + 2 ** 64);
        b = bound(b, 0, 2 ** 65);
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.deal(stranger, a);
        vm.prank(stranger);
        if (a >= CAP) vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: a}(f, a);
        if (a >= CAP) {
            assertEq(eth.holdings(f), 0);
            return;
        }
        assertEq(eth.holdings(f), a);
        vm.deal(stranger, b);
        vm.prank(stranger);
        if (a + b >= CAP) vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: b}(f, b);
        assertEq(eth.holdings(f), a + b >= CAP ? a : a + b);
    }

    function testFuzz_deposit_capBoundaryExact(uint256 x, uint256 e) public {
        // a + b runs over CAP - 2 .. CAP + 2, hitting the boundary exactly.
        x = bound(x, 1, 2 ** 64);
        e = bound(e, 0, 4);
        uint256 a = CAP - 1 - x;
        uint256 b = x + e - 1;
        bytes32 f = keccak256(abi.encode("capped", x));
        depositAs(stranger, f, a);
        vm.deal(stranger, b);
        vm.prank(stranger);
        if (a + b >= CAP) vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: b}(f, b);
        assertEq(eth.holdings(f), a + b >= CAP ? a : a + b);
        assertEq(eth.holdings(f) < CAP, true);
    }

    function testFuzz_settledChannelEntry_keepsFlagNearCap(uint256 amount, uint256 more) public {
        amount = bound(amount, CAP - 2 ** 64, CAP - 1);
        more = bound(more, 0, 2 ** 65);
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        setOutcome(p, 0, 0);
        depositAs(stranger, cid, amount);
        assertTrue(eth.settled(cid), "the flag survives a deposit");
        assertEq(eth.holdings(cid), amount, "the flag is not part of the holdings");
        vm.deal(stranger, more);
        vm.prank(stranger);
        if (amount + more >= CAP) vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: more}(cid, more);
        assertTrue(eth.settled(cid));
        assertEq(eth.holdings(cid), amount + more >= CAP ? amount : amount + more);
    }

    function testFuzz_setOutcome_balanceAtCap(uint256 h, uint256 b0) public {
        // Two entries just below the cap cover an outcome at or above it, which cannot be held.
        h = bound(h, CAP / 2, CAP - 1);
        b0 = bound(b0, CAP - 2 ** 32, 2 * h);
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, h);
        depositETH(p, 1, h);
        if (b0 >= CAP) vm.expectRevert(BalanceOverflow.selector);
        setOutcome(p, b0, 0);
        assertEq(eth.holdings(fid(p, 0)), b0 >= CAP ? h : b0);
        assertEq(eth.settled(idOf(p)), b0 < CAP);
    }

    // -----------------------------------------------------------------------------------------
    // Versions
    // -----------------------------------------------------------------------------------------

    function testFuzz_refutation_iffHigherVersionBeforeTimeout(uint64 v1, uint64 v2, uint256 dt)
        public
    {
        dt = bound(dt, 0, 3 * CD);
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        Channel.State memory s1 = state(p, v1, bals2(1, 2), false);
        adj.register(signed(p, s1), none());
        // Different balances: never the registered state, whatever the versions.
        Channel.State memory s2 = state(p, v2, bals2(2, 1), false);
        Channel.SignedState memory signed2 = signed(p, s2);
        vm.warp(START + dt);
        bool accepted = v2 > v1 && dt < CD;
        if (v2 <= v1) {
            vm.expectRevert(VersionTooLow.selector);
        } else if (dt >= CD) {
            vm.expectRevert(RefutationTimeoutPassed.selector);
        }
        adj.register(signed2, none());
        (uint64 timeout,, uint64 version, uint8 phase, bytes32 h,) = record(cid);
        assertEq(version, accepted ? v2 : v1, "version");
        assertEq(h, accepted ? hashOf(s2) : hashOf(s1), "state hash");
        assertEq(timeout, START + CD, "a refutation keeps the timeout");
        assertEq(phase, 0, "DISPUTE");
    }

    function testFuzz_refutation_refusedInForceExec(uint64 v, uint256 dt) public {
        v = uint64(bound(v, 3, type(uint64).max));
        dt = bound(dt, 0, CD - 1);
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s1 = state(p, 1, bals2(1, 2), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD);
        Channel.State memory s2 = state(p, 2, bals2(2, 1), false);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
        vm.warp(START + CD + dt);
        Channel.State memory s3 = state(p, v, bals2(3, 0), false);
        Channel.SignedState memory signed3 = signed(p, s3);
        vm.expectRevert(NotInDisputePhase.selector);
        adj.register(signed3, none());
    }

    // -----------------------------------------------------------------------------------------
    // Timing
    // -----------------------------------------------------------------------------------------

    function testFuzz_register_timeoutFitsIn64Bits(uint256 t0, uint64 cd, bool isFinal) public {
        t0 = bound(t0, 1, type(uint64).max);
        vm.warp(t0);
        Channel.Params memory p = ledger2(address(0), 1);
        p.challengeDuration = cd;
        Channel.State memory s = state(p, 1, bals2(0, 0), isFinal);
        Channel.SignedState memory ss = signed(p, s);
        bool overflows = !isFinal && t0 + cd > type(uint64).max;
        if (overflows) vm.expectRevert(TimeoutOverflow.selector);
        adj.register(ss, none());
        (uint64 timeout,,,, bytes32 h,) = record(idOf(p));
        if (overflows) {
            assertEq(h, bytes32(0), "not registered");
        } else {
            assertEq(timeout, isFinal ? t0 : t0 + cd, "timeout");
        }
    }

    function testFuzz_conclude_iffTimeoutPassed(uint256 t0, uint256 cd, uint256 dt, bool withApp)
        public
    {
        t0 = bound(t0, 1, 2 ** 40);
        cd = bound(cd, 0, 2 ** 32);
        vm.warp(t0);
        Channel.Params memory p = ledger2(withApp ? address(trivial) : address(0), 1);
        p.challengeDuration = cd;
        bytes32 cid = idOf(p);
        Channel.State memory s = state(p, 1, bals2(0, 0), false);
        adj.register(signed(p, s), none());
        // A channel with an app in DISPUTE gets one more challenge duration for force-execution.
        uint256 due = t0 + cd + (withApp ? cd : 0);
        dt = bound(dt, 0, 2 * cd + 2);
        vm.warp(t0 + dt);
        if (t0 + dt < due) vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s, noStates());
        (uint64 timeout,,, uint8 phase,,) = record(cid);
        assertEq(eth.settled(cid), t0 + dt >= due, "settled iff concluded");
        assertEq(phase, t0 + dt >= due ? 2 : 0, "phase");
        if (t0 + dt >= due) assertEq(timeout, due, "the extended timeout is stored");
    }

    function testFuzz_progress_timing(uint256 dt, uint256 dt2) public {
        dt = bound(dt, 0, 3 * CD);
        dt2 = bound(dt2, 0, 2 * CD);
        Channel.Params memory p = ledger2(address(trivial), 1);
        bytes32 cid = idOf(p);
        Channel.State memory s1 = state(p, 1, bals2(1, 2), false);
        adj.register(signed(p, s1), none());
        Channel.State memory s2 = state(p, 2, bals2(2, 1), false);
        bytes memory sig2 = sigOf(keys[1], s2);
        vm.warp(START + dt);
        // Force-execution starts once the dispute timed out.
        if (dt < CD) vm.expectRevert(TimeoutNotPassed.selector);
        adj.progress(p, s1, s2, 1, sig2);
        if (dt < CD) return;
        (uint64 timeout,,, uint8 phase,,) = record(cid);
        assertEq(phase, 1, "FORCEEXEC");
        assertEq(timeout, START + dt + CD, "a new challenge duration");
        // ...and continues until that timeout.
        Channel.State memory s3 = state(p, 3, bals2(3, 0), false);
        bytes memory sig3 = sigOf(keys[0], s3);
        vm.warp(START + dt + dt2);
        if (dt2 >= CD) vm.expectRevert(TimeoutPassed.selector);
        adj.progress(p, s2, s3, 0, sig3);
        if (dt2 >= CD) {
            // Concludable now, with s2.
            adj.conclude(p, s2, noStates());
            assertTrue(eth.settled(cid));
        } else {
            (,, uint64 version,,,) = record(cid);
            assertEq(version, 3);
        }
    }
}

// SPDX-License-Identifier: Apache-2.0
// Participants: full channel lifecycles with 3 and 5 participants.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {InsufficientHoldings} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice Every participant deposits, the outcome moves funds between them, and each withdraws
/// exactly its outcome to a fresh receiver; the ETH holder ends empty.
contract ParticipantsTest is PerunTest {
    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    /// @dev Deposits: participant i puts in (i + 1) ether.
    function deposits(uint256 n) internal pure returns (uint256[] memory d) {
        d = new uint256[](n);
        for (uint256 i; i < n; ++i) {
            d[i] = (i + 1) * 1 ether;
        }
    }

    /// @dev An outcome of the same total: the deposits rotated by `shift` places.
    function rotated(uint256[] memory d, uint256 shift) internal pure returns (uint256[] memory r) {
        r = new uint256[](d.length);
        for (uint256 i; i < d.length; ++i) {
            r[i] = d[(i + shift) % d.length];
        }
    }

    function fund(Channel.Params memory p, uint256[] memory d) internal {
        for (uint256 i; i < d.length; ++i) {
            depositETH(p, i, d[i]);
        }
        assertEq(address(eth).balance, sum(d), "ETH holder balance after deposits");
    }

    function sum(uint256[] memory a) internal pure returns (uint256 s) {
        for (uint256 i; i < a.length; ++i) {
            s += a[i];
        }
    }

    /// @dev Each participant withdraws its whole outcome to a fresh receiver.
    function withdrawAll(Channel.Params memory p, uint256[] memory outcome) internal {
        bytes32 id = idOf(p);
        for (uint256 i; i < outcome.length; ++i) {
            assertEq(eth.holdings(fundingID(id, addrs[i])), outcome[i], "holdings before");
            address receiver = makeAddr(string.concat("receiver", vm.toString(i)));
            (AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
                auth(p, i, receiver, outcome[i]);
            vm.expectEmit(true, true, true, true, address(eth));
            emit AssetHolder.Withdrawn(fundingID(id, addrs[i]), outcome[i], receiver);
            eth.withdraw(a, sig);
            assertEq(receiver.balance, outcome[i], "receiver balance");
            assertEq(eth.holdings(fundingID(id, addrs[i])), 0, "holdings after");
        }
        assertEq(address(eth).balance, 0, "ETH holder empty");
    }

    function disputeFlow(uint256 n) internal {
        Channel.Params memory p = params(0, n, address(0), true, false, n);
        uint256[] memory d = deposits(n);
        fund(p, d);
        // Register version 1 (an old outcome), refute with version 2 (the latest).
        Channel.State memory s1 = state(p, 1, rotated(d, 1), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD / 2);
        uint256[] memory outcome = rotated(d, 2);
        Channel.State memory s2 = state(p, 2, outcome, false);
        adj.register(signed(p, s2), none());
        (uint64 timeout,, uint64 version,,,) = record(idOf(p));
        assertEq(timeout, START + CD, "refutation keeps the timeout");
        assertEq(version, 2, "refuted");
        vm.warp(START + CD);
        adj.conclude(p, s2, noStates());
        assertTrue(eth.settled(idOf(p)), "settled");
        withdrawAll(p, outcome);
    }

    function concludeFinalFlow(uint256 n) internal {
        Channel.Params memory p = params(0, n, address(0), true, false, n);
        uint256[] memory d = deposits(n);
        fund(p, d);
        uint256[] memory outcome = rotated(d, n - 1);
        Channel.State memory s = state(p, 7, outcome, true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertTrue(eth.settled(idOf(p)), "settled");
        withdrawAll(p, outcome);
    }

    // -----------------------------------------------------------------------------------------
    // Tests
    // -----------------------------------------------------------------------------------------

    function test_Flow_ThreeParticipants() public {
        disputeFlow(3);
    }

    function test_Flow_FiveParticipants() public {
        disputeFlow(5);
    }

    function test_ConcludeFinal_ThreeParticipants() public {
        concludeFinalFlow(3);
    }

    function test_ConcludeFinal_FiveParticipants() public {
        concludeFinalFlow(5);
    }

    /// @dev Five participants: a partial withdrawal, the rest, then one wei more fails.
    function test_RevertWhen_FiveParticipantsWithdrawMoreThanOutcome() public {
        Channel.Params memory p = params(0, 5, address(0), true, false, 5);
        uint256[] memory d = deposits(5);
        fund(p, d);
        uint256[] memory outcome = rotated(d, 3);
        Channel.State memory s = state(p, 7, outcome, true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        // Part of its holdings the participant withdraws to itself only, the rest to anyone.
        address me = p.participants[4].ethAddress;
        uint256 before = me.balance;
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 4, me, 1 ether);
        eth.withdraw(a, sig);
        assertEq(me.balance - before, 1 ether, "participant's balance");
        address receiver = makeAddr("receiver");
        (a, sig) = auth(p, 4, receiver, outcome[4] - 1 ether);
        eth.withdraw(a, sig);
        assertEq(receiver.balance, outcome[4] - 1 ether, "receiver balance");
        (a, sig) = auth(p, 4, receiver, 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }
}

// SPDX-License-Identifier: Apache-2.0
// Regression tests of the adversarial reviews' findings (SECURITY.md), one or more per finding.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    BalancesLengthMismatch,
    IndexMapOutOfRange,
    InsufficientHoldings,
    LedgerSubChannel,
    NestingTooDeep,
    PartialWithdrawal,
    SubAllocMismatch,
    WrongState
} from "../../contracts/solidity/Errors.sol";
import {RawCalldata} from "./utils/RawCalldata.sol";

/// @notice Each test reproduces an attack that worked before its fix and shows it no longer
/// does (findings 1 to 5 of SECURITY.md, and the sub-channel record an adversary advanced). The
/// virtual-channel variants are in VirtualChannels.t.sol, the durations in SubChannels.t.sol and
/// VirtualChannels.t.sol.
contract SafetyTest is RawCalldata {
    uint256 internal constant E = 1 ether;

    /// @dev The ledger channel L of participants 0, 1 and 2 (C, the honest one), nonce 1.
    function lp() internal view returns (Channel.Params memory) {
        return params(0, 3, address(0), true, false, 1);
    }

    /// @dev The sub-channel S of participants 0 and 1 inside L, with `app`.
    function sp(address app) internal view returns (Channel.Params memory p) {
        p = params(0, 2, app, false, false, 2);
    }

    /// @dev A fake ledger parent of participants 0 and 1 alone.
    function fake() internal view returns (Channel.Params memory) {
        return params(0, 2, address(0), true, false, 99);
    }

    function bals3(uint256 a, uint256 b, uint256 c) internal pure returns (uint256[] memory r) {
        r = new uint256[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    /// @dev `parent` with one sub-allocation locking `total` for `sub`, index map [0, 1].
    function locking(Channel.State memory parent, Channel.State memory sub, uint256 total)
        internal
        pure
        returns (Channel.State memory)
    {
        uint256[] memory t = new uint256[](1);
        t[0] = total;
        uint16[] memory map = new uint16[](2);
        map[1] = 1;
        parent.outcome.locked = new Channel.SubAlloc[](1);
        parent.outcome.locked[0] = Channel.SubAlloc(sub.channelID, t, map);
        return parent;
    }

    /// @dev The deposits into L of the findings' scenarios: 2, 2 and 1 ether.
    function fundL(Channel.Params memory l) internal {
        depositETH(l, 0, 2 * E);
        depositETH(l, 1, 2 * E);
        depositETH(l, 2, E);
    }

    function held(Channel.Params memory p, uint256 i) internal view returns (uint256) {
        return eth.holdings(fundingID(idOf(p), p.participants[i].ethAddress));
    }

    // -----------------------------------------------------------------------------------------
    // Finding 1: sub-channel outcomes folded without being checked against what parents locked
    // -----------------------------------------------------------------------------------------

    /// A and B (participants 0 and 1) share S inside A–B–C. C received 1 ether from A off chain
    /// (L: 0.5, 0.5, 2 and S's 2 locked; deposits 2, 2, 1). A and B record S with 3 ether through
    /// a fake parent of their own: had L folded that, L would be underfunded and fall back to
    /// deposits, and C would lose the ether it was paid. L reads S under the funding it locked.
    function test_Finding1_inflatedSubChannelNeverReachesItsParent() public {
        Channel.Params memory l = lp();
        Channel.Params memory s = sp(address(0));
        fundL(l);
        Channel.State memory sv = state(s, 1, bals2(E, E), false);
        Channel.State memory lv = locking(state(l, 5, bals3(E / 2, E / 2, 2 * E), false), sv, 2 * E);
        Channel.State memory inflated = state(s, 9, bals2(0, 3 * E), false);
        Channel.State memory fv = locking(state(fake(), 1, bals2(0, 0), false), inflated, 3 * E);
        adj.register(signed(fake(), fv), one(signed(s, inflated)));
        adj.register(signed(l, lv), one(signed(s, sv)));
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(l, lv, oneState(inflated));
        adj.conclude(l, lv, oneState(sv));
        assertEq(held(l, 2), 2 * E, "C keeps what it was paid");
        assertEq(held(l, 0) + held(l, 1), 3 * E, "A and B share the rest");
    }

    /// A state of S with a one-entry row would make every fold of S revert, locking C's funds;
    /// it is not recorded, whoever signed it and through whichever parent.
    function test_Finding1_subStateThatCannotBeFoldedIsNotRecorded() public {
        Channel.Params memory s = sp(address(0));
        Channel.State memory bad = state(s, 9, bals2(E, E), false);
        bad.outcome.balances[0] = new uint256[](1);
        bad.outcome.balances[0][0] = 2 * E;
        Channel.State memory fv = locking(state(fake(), 1, bals2(0, 0), false), bad, 2 * E);
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.register(signed(fake(), fv), one(signed(s, bad)));
    }

    /// A and B lock the real ledger channel L (whose participants they are) in a fake parent of
    /// their own, so that concluding the fake parent would conclude L's record without paying
    /// L out. A ledger channel cannot be a sub-channel.
    function test_Finding1_ledgerChannelCannotBeLockedAsASubChannel() public {
        Channel.Params memory l = params(0, 2, address(0), true, false, 7);
        Channel.State memory lv = state(l, 1, bals2(E, E), false);
        Channel.State memory fv = locking(state(fake(), 1, bals2(0, 0), false), lv, 2 * E);
        vm.expectRevert(LedgerSubChannel.selector);
        adj.register(signed(fake(), fv), one(signed(l, lv)));
    }

    /// A and B register S (an app channel) through a fake parent and force-execute it; no
    /// fully signed state of S can replace that record any more. L must still be registrable
    /// with S's state C holds, and concludes with S's record.
    function test_Finding1_parentRegistersAfterItsSubChannelWasAdvanced() public {
        Channel.Params memory l = lp();
        Channel.Params memory s = sp(address(trivial));
        fundL(l);
        Channel.State memory sv = state(s, 1, bals2(E, E), false);
        Channel.State memory fv = locking(state(fake(), 1, bals2(0, 0), false), sv, 2 * E);
        adj.register(signed(fake(), fv), one(signed(s, sv)));
        vm.warp(START + CD);
        Channel.State memory sv2 = state(s, 2, bals2(2 * E, 0), false);
        adj.progress(s, sv, sv2, 0, sigOf(keys[0], sv2));
        Channel.State memory lv = locking(state(l, 5, bals3(E / 2, E / 2, 2 * E), false), sv, 2 * E);
        adj.register(signed(l, lv), one(signed(s, sv)));
        (,, uint64 version, uint8 phase,,) = record(keyOfState(sv));
        assertEq(version, 2, "S's record is kept");
        assertEq(phase, 1, "in force-execution");
        vm.warp(START + 3 * CD);
        adj.conclude(l, lv, oneState(sv2));
        assertEq(held(l, 0), 2 * E + E / 2, "A");
        assertEq(held(l, 2), 2 * E, "C");
    }

    // -----------------------------------------------------------------------------------------
    // Finding 2: a state's hash did not cover an outcome placed after appData
    // -----------------------------------------------------------------------------------------

    /// Participant 0 of an app channel signs the hash of a state's head and empty appData with
    /// the outcome placed after them, and force-executes to it: the state is not canonical and
    /// is refused before its hash is recorded.
    function test_Finding2_outcomeAfterAppDataCannotBeForceExecuted() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s1 = state(p, 1, bals2(E, E), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD);
        Channel.State memory s2 = state(p, 2, bals2(0, 2 * E), false);
        bytes memory cd = abi.encodeCall(adj.progress, (p, s1, s2, 0, sigOf(keys[0], s2)));
        // Rearrange s2: its appData (empty: one length word) right after the head, then the
        // outcome; the head's offsets follow.
        uint256 st = argPos(cd, 2);
        uint256 outcome = member(cd, st, 2);
        uint256 appData = member(cd, st, 3);
        bytes memory out = slice(cd, outcome, appData);
        wr(cd, st + 0xa0, 0);
        for (uint256 i; i < out.length; ++i) {
            cd[st + 0xc0 + i] = out[i];
        }
        wr(cd, st + 64, 0xc0);
        wr(cd, st + 96, 0xa0);
        // The signature over the bytes a hash up to the end of appData covers.
        bytes32 h = spanHash(cd, st, st + 0xc0);
        bytes memory sig = signDigest(keys[0], h);
        uint256 sigPos = argPos(cd, 4) + 32;
        for (uint256 j; j < 65; ++j) {
            cd[sigPos + j] = sig[j];
        }
        expectMalformed(address(adj), cd);
    }

    // -----------------------------------------------------------------------------------------
    // Finding 4: a withdrawal authorization names no holder and no nonce
    // -----------------------------------------------------------------------------------------

    /// A receiver other than the participant replays the participant's authorization: the
    /// first withdrawal took the whole holdings, so the replay finds nothing left; and a part
    /// of the holdings cannot be paid to someone else.
    function test_Finding4_withdrawalToAnotherReceiverCannotBeReplayed() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, 3 * E);
        Channel.State memory s = state(p, 2, bals2(3 * E, 0), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        address receiver = makeAddr("receiver");
        (AssetHolder.WithdrawalAuth memory part, bytes memory partSig) = auth(p, 0, receiver, E);
        vm.expectRevert(PartialWithdrawal.selector);
        eth.withdraw(part, partSig);
        (AssetHolder.WithdrawalAuth memory all, bytes memory sig) = auth(p, 0, receiver, 3 * E);
        eth.withdraw(all, sig);
        assertEq(receiver.balance, 3 * E);
        depositETH(p, 1, E); // more ether arrives for the channel, under another funding ID
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(all, sig);
    }

    // -----------------------------------------------------------------------------------------
    // Finding 5: one nesting limit for both implementations
    // -----------------------------------------------------------------------------------------

    /// @dev A ledger channel of participants 0 and 1 locking a chain of `depth` sub-channels,
    /// each of participants 0 and 1 locking the next; the sub-channels' signed states in the
    /// order `register` takes them and their states.
    function chain(uint256 depth)
        internal
        view
        returns (
            Channel.Params memory p,
            Channel.State memory ls,
            Channel.SignedState[] memory subs,
            Channel.State[] memory states
        )
    {
        subs = new Channel.SignedState[](depth);
        states = new Channel.State[](depth);
        Channel.State memory below;
        uint256 total;
        for (uint256 level = depth; level >= 1; --level) {
            Channel.Params memory q = params(0, 2, address(0), false, false, 100 + level);
            Channel.State memory qs = state(q, 1, bals2(1, 1), false);
            if (level < depth) qs = locking(qs, below, total);
            total += 2;
            subs[level - 1] = signed(q, qs);
            states[level - 1] = qs;
            below = qs;
        }
        p = ledger2(address(0), 1);
        ls = locking(state(p, 1, bals2(10, 20), false), below, total);
    }

    function test_Finding5_sixteenLevelsRegisterAndConclude() public {
        (
            Channel.Params memory p,
            Channel.State memory ls,
            Channel.SignedState[] memory subs,
            Channel.State[] memory states
        ) = chain(16);
        depositETH(p, 0, 100);
        depositETH(p, 1, 100);
        adj.register(signed(p, ls), subs);
        vm.warp(START + CD);
        adj.conclude(p, ls, states);
        assertEq(held(p, 0), 10 + 16, "every level folds its 1 + 1");
        assertEq(held(p, 1), 20 + 16);
    }

    function test_Finding5_seventeenLevelsRevert() public {
        (Channel.Params memory p, Channel.State memory ls, Channel.SignedState[] memory subs,) =
            chain(17);
        vm.expectRevert(NestingTooDeep.selector);
        adj.register(signed(p, ls), subs);
    }

    // -----------------------------------------------------------------------------------------
    // Finding 8: an index map of a sub-channel's own sub-allocation, unchecked until a fold
    // -----------------------------------------------------------------------------------------

    /// A and B (participants 0 and 1) hold every key of S inside A–B–C. They sign a later state
    /// of S with the same funding that locks a channel SS of their own through an index map
    /// pointing outside S (or one entry short), and register it through L itself. Recorded, it
    /// made every `conclude` of L revert and locked C's funds; `register` now refuses it, and L
    /// concludes with the state of S that C holds.
    function test_Finding8_subChannelCannotLockItsParentWithABadIndexMap() public {
        Channel.Params memory l = lp();
        Channel.Params memory s = sp(address(0));
        fundL(l);
        Channel.State memory sv = state(s, 1, bals2(E, E), false);
        Channel.State memory lv = locking(state(l, 5, bals3(E / 2, E / 2, 2 * E), false), sv, 2 * E);
        adj.register(signed(l, lv), one(signed(s, sv)));
        Channel.Params memory ssp = params(0, 2, address(0), false, false, 3);
        Channel.State memory ss = state(ssp, 1, bals2(E, E), false);
        Channel.State memory sv2 = locking(state(s, 2, bals2(0, 0), false), ss, 2 * E);
        uint16[] memory outside = new uint16[](2);
        (outside[0], outside[1]) = (7, 9);
        sv2.outcome.locked[0].indexMap = outside;
        Channel.SignedState[] memory both = new Channel.SignedState[](2);
        (both[0], both[1]) = (signed(s, sv2), signed(ssp, ss));
        vm.expectRevert(IndexMapOutOfRange.selector);
        adj.register(signed(l, lv), both);
        sv2.outcome.locked[0].indexMap = new uint16[](1);
        both[0] = signed(s, sv2);
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(l, lv), both);
        vm.warp(START + CD);
        adj.conclude(l, lv, oneState(sv));
        assertEq(held(l, 2), 2 * E, "C");
        assertEq(held(l, 0) + held(l, 1), 3 * E, "A and B");
    }
}

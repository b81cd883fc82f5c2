// SPDX-License-Identifier: Apache-2.0
// AdjudicatorProgress: force-execution with CounterApp and TrivialApp, and every failure.
pragma solidity ^0.8.30;

import {Channel} from "../../contracts/solidity/Channel.sol";
import {Disputes} from "../../contracts/solidity/Disputes.sol";
import {
    ActorIndexOutOfRange,
    AlreadyConcluded,
    AssetsMismatch,
    BalancesChanged,
    BalancesLengthMismatch,
    InvalidAppData,
    InvalidParams,
    InvalidSignature,
    InvalidSignatureLength,
    InvalidSignatureS,
    InvalidSignatureV,
    LockedMismatch,
    NoApp,
    NoContractCode,
    NotRegistered,
    NotYourTurn,
    ProgressFromFinalState,
    SumOfBalancesMismatch,
    TimeoutNotPassed,
    TimeoutOverflow,
    TimeoutPassed,
    VersionNotIncremented,
    WrongOldState
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice `progress`: a channel registered at START (timeout START + CD) may force-execute from
/// START + CD on; each step moves the record to FORCEEXEC with timeout now + CD.
/// CounterApp: app data is one counter word; the step to version v + 1 is participant v % n's,
/// adds one to the counter and keeps every balance.
contract AdjudicatorProgressTest is PerunTest {
    uint256 internal constant ORDER =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;
    uint256 internal constant C0 = 10;

    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    /// @dev A state of `p` with the counter `c` as app data.
    function cstate(Channel.Params memory p, uint64 v, uint256 c, uint256[] memory b, bool fin)
        internal
        view
        returns (Channel.State memory s)
    {
        s = state(p, v, b, fin);
        s.appData = abi.encode(c);
    }

    /// @dev The next CounterApp state after `s`: version + 1, counter + 1, same balances.
    function next(Channel.State memory s) internal pure returns (Channel.State memory n) {
        n = copy(s);
        n.version = s.version + 1;
        n.appData = abi.encode(abi.decode(s.appData, (uint256)) + 1);
    }

    /// @dev A deep copy, through the ABI.
    function copy(Channel.State memory s) internal pure returns (Channel.State memory) {
        return abi.decode(abi.encode(s), (Channel.State));
    }

    /// @dev Registers version 1 (counter C0, balances A/B) of a 2-party channel with `app` at
    /// START and warps to its timeout.
    function disputed(address app)
        internal
        returns (Channel.Params memory p, Channel.State memory s)
    {
        p = ledger2(app, 1);
        s = cstate(p, 1, C0, bals2(A, B), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
    }

    /// @dev The actor of the step from version `v` of a 2-party channel.
    function actorOf(uint64 v) internal pure returns (uint256) {
        return v % 2;
    }

    function step(Channel.Params memory p, Channel.State memory from)
        internal
        returns (Channel.State memory to)
    {
        to = next(from);
        uint256 actor = actorOf(from.version);
        adj.progress(p, from, to, actor, sigOf(keys[actor], to));
    }

    function assertRecord(bytes32 id, uint256 timeout, uint256 version, uint256 phase, bytes32 h)
        internal
        view
    {
        (uint64 t, uint64 c, uint64 v, uint8 ph, bytes32 sh, bool app) = record(id);
        assertEq(t, timeout, "timeout");
        assertEq(c, CD, "challengeDuration");
        assertEq(v, version, "version");
        assertEq(ph, phase, "phase");
        assertEq(sh, h, "stateHash");
        assertTrue(app, "hasApp");
    }

    function split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
    }

    // -----------------------------------------------------------------------------------------
    // Valid force-execution
    // -----------------------------------------------------------------------------------------

    function test_Progress_CounterChain() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        bytes32 id = idOf(p);
        depositETH(p, 0, A);
        depositETH(p, 1, B);

        // DISPUTE timed out: the first step moves to FORCEEXEC, timeout now + CD.
        Channel.State memory s2 = next(s1);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(id, 2, 1, uint64(START + 2 * CD));
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
        assertRecord(id, START + 2 * CD, 2, 1, hashOf(s2));

        // More steps before the force-execution timeout, each resetting it.
        vm.warp(START + CD + 10);
        Channel.State memory s3 = step(p, s2);
        assertRecord(id, START + 2 * CD + 10, 3, 1, hashOf(s3));
        vm.warp(START + 2 * CD + 9);
        Channel.State memory s4 = step(p, s3);
        assertRecord(id, START + 3 * CD + 9, 4, 1, hashOf(s4));
        Channel.State memory s5 = step(p, s4);
        assertRecord(id, START + 3 * CD + 9, 5, 1, hashOf(s5));
        assertEq(abi.decode(s5.appData, (uint256)), C0 + 4, "counter");

        // Conclude only after the force-execution timeout, with the last state.
        vm.warp(START + 3 * CD + 8);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s5, noStates());
        vm.warp(START + 3 * CD + 9);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(id, 5, 2, uint64(START + 3 * CD + 9));
        adj.conclude(p, s5, noStates());
        assertRecord(id, START + 3 * CD + 9, 5, 2, hashOf(s5));
        assertEq(eth.holdings(fundingID(id, addrs[0])), A, "holdings 0");
        assertEq(eth.holdings(fundingID(id, addrs[1])), B, "holdings 1");
    }

    function test_Progress_CounterThreeParticipantsTakeTurns() public {
        Channel.Params memory p = params(0, 3, address(counter), true, false, 1);
        uint256[] memory b = new uint256[](3);
        b[0] = 1;
        b[1] = 2;
        b[2] = 3;
        Channel.State memory s = cstate(p, 4, C0, b, false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        // From version 4: participant 1, then 2, then 0, then 1.
        uint256[4] memory actors = [uint256(1), 2, 0, 1];
        for (uint256 i; i < 4; ++i) {
            Channel.State memory n = next(s);
            adj.progress(p, s, n, actors[i], sigOf(keys[actors[i]], n));
            s = n;
        }
        assertRecord(idOf(p), START + 2 * CD, 8, 1, hashOf(s));
    }

    function test_Progress_TrivialAppMovesBalances() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        bytes32 id = idOf(p);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        // Any signed participant may move; balances may shift within the total.
        Channel.State memory s2 = copy(s1);
        s2.version = 2;
        s2.outcome.balances[0] = bals2(A + B, 0);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
        vm.warp(START + CD + 30);
        Channel.State memory s3 = copy(s2);
        s3.version = 3;
        s3.outcome.balances[0] = bals2(B, A);
        s3.appData = hex"c0ffee";
        adj.progress(p, s2, s3, 0, sigOf(keys[0], s3));
        assertRecord(id, START + 2 * CD + 30, 3, 1, hashOf(s3));
        vm.warp(START + 2 * CD + 30);
        adj.conclude(p, s3, noStates());
        assertEq(eth.holdings(fundingID(id, addrs[0])), B, "holdings 0");
        assertEq(eth.holdings(fundingID(id, addrs[1])), A, "holdings 1");
    }

    function test_Progress_AtDisputeTimeoutExactly() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = step(p, s1);
        assertRecord(idOf(p), START + 2 * CD, 2, 1, hashOf(s2));
    }

    function test_Progress_JustBeforeForceExecTimeout() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = step(p, s1);
        vm.warp(START + 2 * CD - 1);
        Channel.State memory s3 = step(p, s2);
        assertRecord(idOf(p), START + 3 * CD - 1, 3, 1, hashOf(s3));
    }

    function test_Progress_IntoFinalStateTimesOutAtOnce() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        bytes32 id = idOf(p);
        vm.warp(START + CD + 7);
        Channel.State memory s2 = next(s1);
        s2.isFinal = true;
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(id, 2, 1, uint64(START + CD + 7));
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
        assertRecord(id, START + CD + 7, 2, 1, hashOf(s2));
        // Nothing may follow a final state, and the channel concludes at once.
        Channel.State memory s3 = next(s2);
        vm.expectRevert(TimeoutPassed.selector);
        adj.progress(p, s2, s3, 0, sigOf(keys[0], s3));
        adj.conclude(p, s2, noStates());
        assertRecord(id, START + CD + 7, 2, 2, hashOf(s2));
    }

    /// @dev DISPUTE phase stays open to progress after its timeout until someone concludes,
    /// even past timeout + CD (v1's gate is only now >= timeout).
    function test_Progress_LateFirstStep() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        vm.warp(START + 5 * CD);
        Channel.State memory s2 = step(p, s1);
        assertRecord(idOf(p), START + 6 * CD, 2, 1, hashOf(s2));
    }

    function test_RevertWhen_ForceExecTimeoutOverflows() public {
        Channel.Params memory p = ledger2(address(counter), 1);
        p.challengeDuration = type(uint64).max - START;
        Channel.State memory s1 = cstate(p, 1, C0, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        vm.warp(type(uint64).max);
        Channel.State memory s2 = next(s1);
        vm.expectRevert(TimeoutOverflow.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    // -----------------------------------------------------------------------------------------
    // Phase and registration
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_NotRegistered() public {
        Channel.Params memory p = ledger2(address(counter), 1);
        Channel.State memory s1 = cstate(p, 1, C0, bals2(A, B), false);
        Channel.State memory s2 = next(s1);
        vm.expectRevert(NotRegistered.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_DisputeTimeoutNotPassed() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        vm.warp(START + CD - 1);
        Channel.State memory s2 = next(s1);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_ForceExecTimeoutPassed() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = step(p, s1);
        vm.warp(START + 2 * CD);
        Channel.State memory s3 = next(s2);
        vm.expectRevert(TimeoutPassed.selector);
        adj.progress(p, s2, s3, 0, sigOf(keys[0], s3));
    }

    function test_RevertWhen_AlreadyConcluded() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        vm.warp(START + 2 * CD);
        adj.conclude(p, s1, noStates());
        Channel.State memory s2 = next(s1);
        vm.expectRevert(AlreadyConcluded.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_NoApp() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(0));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(NoApp.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_ActorIndexOutOfRange() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(ActorIndexOutOfRange.selector);
        adj.progress(p, s1, s2, 2, sigOf(keys[2], s2));
    }

    function test_RevertWhen_ActorIndexHuge() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(ActorIndexOutOfRange.selector);
        adj.progress(p, s1, s2, type(uint256).max, sigOf(keys[1], s2));
    }

    function test_RevertWhen_ParamsOfAnotherChannel() public {
        (, Channel.State memory s1) = disputed(address(counter));
        Channel.Params memory other = ledger2(address(counter), 2);
        Channel.State memory s2 = next(s1);
        vm.expectRevert(InvalidParams.selector);
        adj.progress(other, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_OldStateNotRegistered() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory other = cstate(p, 1, C0 + 5, bals2(A, B), false);
        Channel.State memory s2 = next(other);
        vm.expectRevert(WrongOldState.selector);
        adj.progress(p, other, s2, 1, sigOf(keys[1], s2));
        // Control: the registered old state passes.
        s2 = next(s1);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    // -----------------------------------------------------------------------------------------
    // Signature
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_SignedByOtherParticipant() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(InvalidSignature.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[0], s2));
    }

    function test_RevertWhen_SignedByOutsider() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(InvalidSignature.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[5], s2));
    }

    function test_RevertWhen_SignatureOverOldState() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(InvalidSignature.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s1));
    }

    function test_RevertWhen_SignatureTooShort() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        (bytes32 r, bytes32 s,) = split(sigOf(keys[1], s2));
        vm.expectRevert(InvalidSignatureLength.selector);
        adj.progress(p, s1, s2, 1, abi.encodePacked(r, s));
    }

    function test_RevertWhen_SignatureTooLong() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(InvalidSignatureLength.selector);
        adj.progress(p, s1, s2, 1, abi.encodePacked(sigOf(keys[1], s2), uint8(27)));
    }

    function test_RevertWhen_SignatureHighS() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        (bytes32 r, bytes32 s, uint8 v) = split(sigOf(keys[1], s2));
        bytes memory twin = abi.encodePacked(r, bytes32(ORDER - uint256(s)), v == 27 ? 28 : 27);
        vm.expectRevert(InvalidSignatureS.selector);
        adj.progress(p, s1, s2, 1, twin);
    }

    function test_RevertWhen_SignatureBadV() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        (bytes32 r, bytes32 s, uint8 v) = split(sigOf(keys[1], s2));
        vm.expectRevert(InvalidSignatureV.selector);
        adj.progress(p, s1, s2, 1, abi.encodePacked(r, s, v - 27));
    }

    // -----------------------------------------------------------------------------------------
    // Transition rules of the Adjudicator
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_VersionSame() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        s2.version = 1;
        vm.expectRevert(VersionNotIncremented.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_VersionPlusTwo() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        s2.version = 3;
        vm.expectRevert(VersionNotIncremented.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_VersionLower() public {
        Channel.Params memory p = ledger2(address(counter), 1);
        Channel.State memory s1 = cstate(p, 5, C0, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD);
        Channel.State memory s2 = next(s1);
        s2.version = 4;
        vm.expectRevert(VersionNotIncremented.selector);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_VersionWrapsAtUint64Max() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s1 = cstate(p, type(uint64).max, C0, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD);
        Channel.State memory s2 = copy(s1);
        s2.version = 0;
        vm.expectRevert(VersionNotIncremented.selector);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_ProgressFromFinalState() public {
        Channel.Params memory p = ledger2(address(counter), 1);
        Channel.State memory s1 = cstate(p, 1, C0, bals2(A, B), true);
        adj.register(signed(p, s1), none());
        // A registered final state timed out at once: the DISPUTE gate is open now.
        Channel.State memory s2 = next(s1);
        s2.isFinal = false;
        vm.expectRevert(ProgressFromFinalState.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_BalanceRowsAdded() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.balances = new uint256[][](2);
        s2.outcome.balances[0] = bals2(A, B);
        s2.outcome.balances[1] = bals2(0, 0);
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_BalanceRowTooLong() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        uint256[] memory row = new uint256[](3);
        row[0] = A;
        row[1] = B;
        s2.outcome.balances[0] = row;
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_BalanceRowTooShort() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        uint256[] memory row = new uint256[](1);
        row[0] = A + B;
        s2.outcome.balances[0] = row;
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AssetHolderChanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.assets[0].ethHolder = address(erc20);
        vm.expectRevert(AssetsMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AssetChainChanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.assets[0].chainID = block.chainid + 1;
        vm.expectRevert(AssetsMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AssetCcHolderChanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.assets[0].ccHolder = hex"01";
        vm.expectRevert(AssetsMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AssetRemoved() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.assets = new Channel.Asset[](0);
        vm.expectRevert(AssetsMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_LockedAdded() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.locked = new Channel.SubAlloc[](1);
        s2.outcome.locked[0] = Channel.SubAlloc(keccak256("sub"), new uint256[](1), new uint16[](2));
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_SumOfBalancesChanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.balances[0] = bals2(A, B + 1);
        vm.expectRevert(SumOfBalancesMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_SumOfBalancesDecreased() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        s2.outcome.balances[0] = bals2(0, B);
        vm.expectRevert(SumOfBalancesMismatch.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    // -----------------------------------------------------------------------------------------
    // The app's own rules and the app's code
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_NotYourTurn() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        // The step from version 1 is participant 1's; participant 0 signs and moves.
        Channel.State memory s2 = next(s1);
        vm.expectRevert(NotYourTurn.selector);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_CounterSkips() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        s2.appData = abi.encode(C0 + 2);
        vm.expectRevert(InvalidAppData.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_CounterUnchanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        s2.appData = abi.encode(C0);
        vm.expectRevert(InvalidAppData.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AppDataNotOneWord() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        s2.appData = abi.encodePacked(C0 + 1, uint8(0));
        vm.expectRevert(InvalidAppData.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_CounterBalancesChanged() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(counter));
        Channel.State memory s2 = next(s1);
        // Same total, so the Adjudicator's checks pass; the app forbids any move of funds.
        s2.outcome.balances[0] = bals2(B, A);
        vm.expectRevert(BalancesChanged.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    function test_RevertWhen_AppHasNoCode() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(0xA11CE));
        Channel.State memory s2 = next(s1);
        vm.expectRevert(NoContractCode.selector);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }

    /// @dev An app's revert data, whatever it is, comes back unchanged.
    function test_RevertWhen_AppRevertsWithString() public {
        (Channel.Params memory p, Channel.State memory s1) = disputed(address(trivial));
        Channel.State memory s2 = next(s1);
        vm.mockCallRevert(address(trivial), "", abi.encodeWithSignature("Error(string)", "nope"));
        vm.expectRevert(abi.encodeWithSignature("Error(string)", "nope"));
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
    }
}

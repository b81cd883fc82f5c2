// SPDX-License-Identifier: Apache-2.0
// AdjudicatorRegister: register and refutation edge cases, ChannelUpdate and disputes().
pragma solidity ^0.8.30;

import {Channel} from "../../contracts/solidity/Channel.sol";
import {Disputes} from "../../contracts/solidity/Disputes.sol";
import {
    InvalidParams,
    InvalidSignature,
    InvalidSignatureLength,
    InvalidSignatureS,
    InvalidSignatureV,
    NotInDisputePhase,
    NotLedgerChannel,
    RefutationTimeoutPassed,
    SignatureCountMismatch,
    TimeoutOverflow,
    VersionTooLow
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice `register` of a single ledger channel (no sub-channels): first registration,
/// refutation, the same state again, and every way a signed state is rejected.
contract AdjudicatorRegisterTest is PerunTest {
    /// @dev The order of the secp256k1 group.
    uint256 internal constant ORDER =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;

    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    function channel() internal view returns (Channel.Params memory) {
        return ledger2(address(0), 1);
    }

    function split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assertEq(sig.length, 65, "signature length");
        assembly ("memory-safe") {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
    }

    /// @dev A valid signed state of `channel()` whose second signature is replaced by `sig`.
    function withSecondSig(bytes memory sig) internal view returns (Channel.SignedState memory ss) {
        Channel.Params memory p = channel();
        ss = signed(p, state(p, 1, bals2(A, B), false));
        ss.sigs[1] = sig;
    }

    function assertRecord(
        bytes32 id,
        uint256 timeout,
        uint256 cd,
        uint256 version,
        uint256 phase,
        bytes32 h,
        bool hasApp
    ) internal view {
        (uint64 t, uint64 c, uint64 v, uint8 ph, bytes32 sh, bool app) = record(id);
        assertEq(t, timeout, "timeout");
        assertEq(c, cd, "challengeDuration");
        assertEq(v, version, "version");
        assertEq(ph, phase, "phase");
        assertEq(sh, h, "stateHash");
        assertEq(app, hasApp, "hasApp");
    }

    // -----------------------------------------------------------------------------------------
    // First registration
    // -----------------------------------------------------------------------------------------

    function test_Register_StoresRecord() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(A, B), false);
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), START + CD, CD, 3, 0, hashOf(s), false);
    }

    function test_Register_WithAppRecordsHasApp() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s = state(p, 3, bals2(A, B), false);
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), START + CD, CD, 3, 0, hashOf(s), true);
    }

    function test_Register_EmitsChannelUpdate() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(A, B), false);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 3, 0, uint64(START + CD));
        adj.register(signed(p, s), none());
    }

    function test_Register_RefutationEmitsChannelUpdateWithKeptTimeout() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + 17);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 9, 0, uint64(START + CD));
        adj.register(signed(p, state(p, 9, bals2(B, A), false)), none());
    }

    function test_Register_FinalStateTimesOutAtOnce() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(A, B), true);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 3, 0, uint64(START));
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), START, CD, 3, 0, hashOf(s), false);
        // Its timeout is now: even in the same block, a newer state comes too late.
        Channel.State memory s2 = state(p, 4, bals2(A, B), true);
        vm.expectRevert(RefutationTimeoutPassed.selector);
        adj.register(signed(p, s2), none());
    }

    function test_Register_FinalRefutationTimesOutAtOnce() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + 20);
        Channel.State memory s = state(p, 4, bals2(B, A), true);
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), START + 20, CD, 4, 0, hashOf(s), false);
    }

    function test_Register_ChallengeDurationTruncatedTo64Bits() public {
        Channel.Params memory p = channel();
        p.challengeDuration = (uint256(1) << 64) + 5;
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s), none());
        // v1 stores uint64(challengeDuration): only the low 64 bits count.
        assertRecord(idOf(p), START + 5, 5, 1, 0, hashOf(s), false);
    }

    function test_Register_TimeoutAtUint64Max() public {
        Channel.Params memory p = channel();
        p.challengeDuration = type(uint64).max - START;
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), type(uint64).max, type(uint64).max - START, 1, 0, hashOf(s), false);
    }

    function test_RevertWhen_TimeoutOverflows() public {
        Channel.Params memory p = channel();
        p.challengeDuration = type(uint64).max - START + 1;
        vm.expectRevert(TimeoutOverflow.selector);
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
    }

    function test_RevertWhen_TimeoutOverflowsAfterTruncation() public {
        Channel.Params memory p = channel();
        // Low 64 bits all ones: now + 2^64 - 1 does not fit in 64 bits.
        p.challengeDuration = (uint256(7) << 64) | type(uint64).max;
        vm.expectRevert(TimeoutOverflow.selector);
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
    }

    function testFuzz_Register_ChallengeDurationLow64Bits(uint256 cd) public {
        Channel.Params memory p = channel();
        p.challengeDuration = cd;
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        uint256 low = uint64(cd);
        if (START + low > type(uint64).max) {
            vm.expectRevert(TimeoutOverflow.selector);
            adj.register(signed(p, s), none());
        } else {
            adj.register(signed(p, s), none());
            assertRecord(idOf(p), START + low, low, 1, 0, hashOf(s), false);
        }
    }

    function test_Register_FinalStateIgnoresHugeChallengeDuration() public {
        Channel.Params memory p = channel();
        p.challengeDuration = type(uint64).max;
        Channel.State memory s = state(p, 1, bals2(A, B), true);
        adj.register(signed(p, s), none());
        // A final state's timeout is now; now + cd is never computed (as in v1).
        assertRecord(idOf(p), START, type(uint64).max, 1, 0, hashOf(s), false);
    }

    // -----------------------------------------------------------------------------------------
    // The disputes() view
    // -----------------------------------------------------------------------------------------

    /// @dev Reads the raw return words, so a swapped field of the same ABI type shows.
    function test_Disputes_TupleOrder() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s = state(p, 7, bals2(A, B), false);
        adj.register(signed(p, s), none());
        (bool ok, bytes memory ret) =
            address(adj).staticcall(abi.encodeWithSelector(adj.disputes.selector, idOf(p)));
        assertTrue(ok, "disputes() call");
        assertEq(ret.length, 6 * 32, "six words");
        (uint256 w0, uint256 w1, uint256 w2, uint256 w3, bytes32 w4, uint256 w5) =
            abi.decode(ret, (uint256, uint256, uint256, uint256, bytes32, uint256));
        assertEq(w0, START + CD, "word 0: timeout");
        assertEq(w1, CD, "word 1: challengeDuration");
        assertEq(w2, 7, "word 2: version");
        assertEq(w3, 0, "word 3: phase (DISPUTE)");
        assertEq(w4, hashOf(s), "word 4: stateHash");
        assertEq(w5, 1, "word 5: hasApp");
    }

    function test_Disputes_TupleOrderAfterConclude() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s = state(p, 7, bals2(0, 0), false);
        adj.register(signed(p, s), none());
        vm.warp(START + 2 * CD);
        adj.conclude(p, s, noStates());
        (bool ok, bytes memory ret) =
            address(adj).staticcall(abi.encodeWithSelector(adj.disputes.selector, idOf(p)));
        assertTrue(ok, "disputes() call");
        (uint256 w0, uint256 w1, uint256 w2, uint256 w3, bytes32 w4, uint256 w5) =
            abi.decode(ret, (uint256, uint256, uint256, uint256, bytes32, uint256));
        assertEq(w0, START + 2 * CD, "word 0: timeout (extended for force-execution)");
        assertEq(w1, CD, "word 1: challengeDuration");
        assertEq(w2, 7, "word 2: version");
        assertEq(w3, 2, "word 3: phase (CONCLUDED)");
        assertEq(w4, hashOf(s), "word 4: stateHash");
        assertEq(w5, 1, "word 5: hasApp");
    }

    function test_Disputes_UnknownChannelIsZero() public view {
        assertRecord(keccak256("unknown"), 0, 0, 0, 0, bytes32(0), false);
    }

    // -----------------------------------------------------------------------------------------
    // Params and ledger flag
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_StateChannelIDWrong() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        s.channelID = keccak256("another channel");
        vm.expectRevert(InvalidParams.selector);
        adj.register(signed(p, s), none());
    }

    function test_RevertWhen_ParamsOfAnotherChannel() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        Channel.Params memory other = ledger2(address(0), 2);
        vm.expectRevert(InvalidParams.selector);
        adj.register(Channel.SignedState(other, s, sigsOf(p, s)), none());
    }

    function test_RevertWhen_NotLedgerChannel() public {
        Channel.Params memory p = params(0, 2, address(0), false, false, 1);
        vm.expectRevert(NotLedgerChannel.selector);
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
    }

    function test_RevertWhen_VirtualChannelAtTopLevel() public {
        Channel.Params memory p = params(0, 2, address(0), false, true, 1);
        vm.expectRevert(NotLedgerChannel.selector);
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
    }

    // -----------------------------------------------------------------------------------------
    // Signatures
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_TooFewSignatures() public {
        Channel.Params memory p = channel();
        Channel.SignedState memory ss = signed(p, state(p, 1, bals2(A, B), false));
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = ss.sigs[0];
        ss.sigs = sigs;
        vm.expectRevert(SignatureCountMismatch.selector);
        adj.register(ss, none());
    }

    function test_RevertWhen_TooManySignatures() public {
        Channel.Params memory p = channel();
        Channel.SignedState memory ss = signed(p, state(p, 1, bals2(A, B), false));
        bytes[] memory sigs = new bytes[](3);
        sigs[0] = ss.sigs[0];
        sigs[1] = ss.sigs[1];
        sigs[2] = ss.sigs[1];
        ss.sigs = sigs;
        vm.expectRevert(SignatureCountMismatch.selector);
        adj.register(ss, none());
    }

    function test_RevertWhen_NoSignatures() public {
        Channel.Params memory p = channel();
        Channel.SignedState memory ss = signed(p, state(p, 1, bals2(A, B), false));
        ss.sigs = new bytes[](0);
        vm.expectRevert(SignatureCountMismatch.selector);
        adj.register(ss, none());
    }

    function test_RevertWhen_SignatureOfAnotherKey() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        vm.expectRevert(InvalidSignature.selector);
        adj.register(withSecondSig(sigOf(keys[2], s)), none());
    }

    function test_RevertWhen_SignatureOverAnotherState() public {
        Channel.Params memory p = channel();
        Channel.State memory other = state(p, 2, bals2(A, B), false);
        vm.expectRevert(InvalidSignature.selector);
        adj.register(withSecondSig(sigOf(keys[1], other)), none());
    }

    function test_RevertWhen_SignaturesReordered() public {
        Channel.Params memory p = channel();
        Channel.SignedState memory ss = signed(p, state(p, 1, bals2(A, B), false));
        (ss.sigs[0], ss.sigs[1]) = (ss.sigs[1], ss.sigs[0]);
        vm.expectRevert(InvalidSignature.selector);
        adj.register(ss, none());
    }

    function test_RevertWhen_SignatureZeroed() public {
        vm.expectRevert(InvalidSignatureV.selector);
        adj.register(withSecondSig(new bytes(65)), none());
    }

    function test_RevertWhen_Signature64Bytes() public {
        Channel.Params memory p = channel();
        (bytes32 r, bytes32 s,) = split(sigOf(keys[1], state(p, 1, bals2(A, B), false)));
        vm.expectRevert(InvalidSignatureLength.selector);
        adj.register(withSecondSig(abi.encodePacked(r, s)), none());
    }

    function test_RevertWhen_Signature66Bytes() public {
        Channel.Params memory p = channel();
        bytes memory sig = sigOf(keys[1], state(p, 1, bals2(A, B), false));
        vm.expectRevert(InvalidSignatureLength.selector);
        adj.register(withSecondSig(abi.encodePacked(sig, uint8(0))), none());
    }

    function test_RevertWhen_SignatureEmpty() public {
        vm.expectRevert(InvalidSignatureLength.selector);
        adj.register(withSecondSig(""), none());
    }

    function test_RevertWhen_SignatureHighS() public {
        Channel.Params memory p = channel();
        Channel.State memory st = state(p, 1, bals2(A, B), false);
        (bytes32 r, bytes32 s, uint8 v) = split(sigOf(keys[1], st));
        bytes32 highS = bytes32(ORDER - uint256(s));
        uint8 flippedV = v == 27 ? 28 : 27;
        // The malleable twin recovers to the same signer: only the EIP-2 rule rejects it.
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hashOf(st)));
        assertEq(ecrecover(digest, flippedV, r, highS), addrs[1], "twin recovers");
        vm.expectRevert(InvalidSignatureS.selector);
        adj.register(withSecondSig(abi.encodePacked(r, highS, flippedV)), none());
    }

    function test_RevertWhen_SignatureV0() public {
        _expectBadV(0);
    }

    function test_RevertWhen_SignatureV1() public {
        _expectBadV(1);
    }

    function test_RevertWhen_SignatureV29() public {
        _expectBadV(29);
    }

    /// @dev The raw recovery parity (v - 27), which some libraries accept: still rejected.
    function test_RevertWhen_SignatureVRawParity() public {
        Channel.Params memory p = channel();
        (bytes32 r, bytes32 s, uint8 v) = split(sigOf(keys[1], state(p, 1, bals2(A, B), false)));
        vm.expectRevert(InvalidSignatureV.selector);
        adj.register(withSecondSig(abi.encodePacked(r, s, v - 27)), none());
    }

    /// @dev The valid signature with its `v` replaced by `badV`.
    function _expectBadV(uint8 badV) internal {
        Channel.Params memory p = channel();
        (bytes32 r, bytes32 s,) = split(sigOf(keys[1], state(p, 1, bals2(A, B), false)));
        vm.expectRevert(InvalidSignatureV.selector);
        adj.register(withSecondSig(abi.encodePacked(r, s, badV)), none());
    }

    // -----------------------------------------------------------------------------------------
    // The same state again
    // -----------------------------------------------------------------------------------------

    function _expectNoWrites() internal {
        (, bytes32[] memory writesAdj) = vm.accesses(address(adj));
        (, bytes32[] memory writesReg) = vm.accesses(address(registry));
        assertEq(writesAdj.length, 0, "adjudicator storage writes");
        assertEq(writesReg.length, 0, "registry storage writes");
    }

    function test_Register_SameStateTwiceIsNoOp() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(A, B), false);
        adj.register(signed(p, s), none());
        vm.warp(START + 10);
        vm.record();
        adj.register(signed(p, s), none());
        _expectNoWrites();
        assertRecord(idOf(p), START + CD, CD, 3, 0, hashOf(s), false);
    }

    /// @dev The control of the no-op tests: a real change shows up as storage writes.
    function test_Register_RefutationWritesStorage() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.record();
        adj.register(signed(p, state(p, 4, bals2(A, B), false)), none());
        (, bytes32[] memory writes) = vm.accesses(address(adj));
        assertGt(writes.length, 0, "refutation writes the record");
    }

    function test_Register_SameStateAfterTimeoutIsNoOp() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(A, B), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD + 1000);
        // v1 skips an identical state before any phase or timeout check.
        vm.record();
        adj.register(signed(p, s), none());
        _expectNoWrites();
        assertRecord(idOf(p), START + CD, CD, 3, 0, hashOf(s), false);
    }

    function test_Register_SameStateAfterConcludeIsNoOp() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(0, 0), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        vm.record();
        adj.register(signed(p, s), none());
        _expectNoWrites();
        assertRecord(idOf(p), START + CD, CD, 3, 2, hashOf(s), false);
    }

    // -----------------------------------------------------------------------------------------
    // Refutation
    // -----------------------------------------------------------------------------------------

    function test_Register_RefutationKeepsTimeout() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + CD - 1);
        Channel.State memory s = state(p, 4, bals2(B, A), false);
        adj.register(signed(p, s), none());
        assertRecord(idOf(p), START + CD, CD, 4, 0, hashOf(s), false);
    }

    function test_Register_SeveralRefutations() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
        Channel.State memory s;
        for (uint64 v = 2; v <= 5; ++v) {
            vm.warp(START + v * 10);
            s = state(p, v * 3, bals2(A + v, B - v), false);
            adj.register(signed(p, s), none());
        }
        assertRecord(idOf(p), START + CD, CD, 15, 0, hashOf(s), false);
    }

    function test_RevertWhen_RefutationVersionEqual() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.expectRevert(VersionTooLow.selector);
        adj.register(signed(p, state(p, 3, bals2(B, A), false)), none());
    }

    function test_RevertWhen_RefutationVersionLower() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.expectRevert(VersionTooLow.selector);
        adj.register(signed(p, state(p, 2, bals2(B, A), false)), none());
    }

    function test_RevertWhen_RefutationAtTimeout() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + CD);
        vm.expectRevert(RefutationTimeoutPassed.selector);
        adj.register(signed(p, state(p, 4, bals2(B, A), false)), none());
    }

    function test_RevertWhen_RefutationAfterTimeout() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + CD + 1000);
        vm.expectRevert(RefutationTimeoutPassed.selector);
        adj.register(signed(p, state(p, 4, bals2(B, A), false)), none());
    }

    /// @dev v1's order: the version check comes before the timeout check.
    function test_RevertWhen_OldVersionAfterTimeout() public {
        Channel.Params memory p = channel();
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        vm.warp(START + CD + 1000);
        vm.expectRevert(VersionTooLow.selector);
        adj.register(signed(p, state(p, 2, bals2(B, A), false)), none());
    }

    function test_RevertWhen_RefutationDuringForceExecution() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        Channel.State memory s1 = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        vm.warp(START + CD);
        Channel.State memory s2 = state(p, 2, bals2(B, A), false);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
        (,,, uint8 phase,,) = record(idOf(p));
        assertEq(phase, 1, "FORCEEXEC");
        // A newer state, signed by all, before the force-execution timeout.
        vm.expectRevert(NotInDisputePhase.selector);
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
    }

    function test_RevertWhen_RefutationAfterConclude() public {
        Channel.Params memory p = channel();
        Channel.State memory s = state(p, 3, bals2(0, 0), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        vm.expectRevert(NotInDisputePhase.selector);
        adj.register(signed(p, state(p, 4, bals2(0, 0), false)), none());
    }
}

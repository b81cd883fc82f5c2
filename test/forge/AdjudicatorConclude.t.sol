// SPDX-License-Identifier: Apache-2.0
// AdjudicatorConclude: conclude and concludeFinal timing, errors and pushed outcomes.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {Disputes} from "../../contracts/solidity/Disputes.sol";
import {
    AlreadyConcluded,
    BalancesLengthMismatch,
    HasLockedFunds,
    InvalidParams,
    InvalidSignature,
    NoContractCode,
    NotLedgerChannel,
    NotRegistered,
    OutcomeLengthMismatch,
    SignatureCountMismatch,
    StateNotFinal,
    TimeoutNotPassed,
    TimeoutOverflow,
    WrongState
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice `conclude` (after a dispute) and `concludeFinal` (at once, signed by all). Channels
/// are registered at START; with CD = 60 a channel without an app concludes at START + CD, one
/// with an app still in DISPUTE at START + 2 CD.
contract AdjudicatorConcludeTest is PerunTest {
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;

    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    function funded(address app, uint256 nonce) internal returns (Channel.Params memory p) {
        p = ledger2(app, nonce);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
    }

    function registered(address app, bool fin)
        internal
        returns (Channel.Params memory p, Channel.State memory s)
    {
        p = funded(app, 1);
        s = state(p, 5, bals2(B, A), fin);
        adj.register(signed(p, s), none());
    }

    function assertRecord(
        bytes32 id,
        uint256 timeout,
        uint256 version,
        uint256 phase,
        bytes32 h,
        bool hasApp
    ) internal view {
        (uint64 t, uint64 c, uint64 v, uint8 ph, bytes32 sh, bool app) = record(id);
        assertEq(t, timeout, "timeout");
        assertEq(c, CD, "challengeDuration");
        assertEq(v, version, "version");
        assertEq(ph, phase, "phase");
        assertEq(sh, h, "stateHash");
        assertEq(app, hasApp, "hasApp");
    }

    function assertHoldings(Channel.Params memory p, uint256 h0, uint256 h1) internal view {
        bytes32 id = idOf(p);
        assertEq(eth.holdings(fundingID(id, addrs[0])), h0, "ETH holdings 0");
        assertEq(eth.holdings(fundingID(id, addrs[1])), h1, "ETH holdings 1");
    }

    /// @dev Credits `amount` of tokens to participant `i` without `deposit`: mints them to the
    /// holder and writes its holdings entry (`_holdings` is the holder's storage slot 0), so the
    /// outcome tests here exercise only the Adjudicator's push and `setOutcome`.
    function seedERC20(Channel.Params memory p, uint256 i, uint256 amount) internal {
        bytes32 fid = fundingID(idOf(p), p.participants[i].ethAddress);
        token.mint(address(erc20), amount);
        vm.store(address(erc20), keccak256(abi.encode(fid, uint256(0))), bytes32(amount));
        assertEq(erc20.holdings(fid), amount, "seeded ERC20 holdings");
    }

    function erc20Asset() internal view returns (Channel.Asset memory) {
        return Channel.Asset(block.chainid, address(erc20), "");
    }

    /// @dev `s` with its assets and balance rows replaced.
    function withAssets(
        Channel.State memory s,
        Channel.Asset[] memory assets,
        uint256[][] memory rows
    ) internal pure returns (Channel.State memory) {
        s.outcome.assets = assets;
        s.outcome.backends = new uint256[](assets.length);
        s.outcome.balances = rows;
        return s;
    }

    // -----------------------------------------------------------------------------------------
    // conclude: timing
    // -----------------------------------------------------------------------------------------

    function test_Conclude_NoAppAtRegisterTimeout() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), false);
        vm.warp(START + CD - 1);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s, noStates());
        vm.warp(START + CD);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 5, 2, uint64(START + CD));
        adj.conclude(p, s, noStates());
        assertRecord(idOf(p), START + CD, 5, 2, hashOf(s), false);
    }

    function test_Conclude_AppInDisputeWaitsForForceExecution() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(trivial), false);
        vm.warp(START + CD);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s, noStates());
        vm.warp(START + 2 * CD - 1);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s, noStates());
        vm.warp(START + 2 * CD);
        // The extended timeout is what is stored and emitted.
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 5, 2, uint64(START + 2 * CD));
        adj.conclude(p, s, noStates());
        assertRecord(idOf(p), START + 2 * CD, 5, 2, hashOf(s), true);
    }

    function test_Conclude_AppLateConclusionStoresExtendedTimeout() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(trivial), false);
        vm.warp(START + 10 * CD);
        adj.conclude(p, s, noStates());
        assertRecord(idOf(p), START + 2 * CD, 5, 2, hashOf(s), true);
    }

    function test_Conclude_FinalStateNoAppAtOnce() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), true);
        adj.conclude(p, s, noStates());
        assertRecord(idOf(p), START, 5, 2, hashOf(s), false);
        assertHoldings(p, B, A);
    }

    /// @dev v1: a registered final state of a channel with an app still waits one challenge
    /// duration (its timeout, the registration time, plus the force-execution window).
    function test_Conclude_FinalStateWithAppWaitsOneChallengeDuration() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(trivial), true);
        vm.warp(START + CD - 1);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s, noStates());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        assertRecord(idOf(p), START + CD, 5, 2, hashOf(s), true);
    }

    function test_Conclude_AfterProgressAtForceExecTimeout() public {
        (Channel.Params memory p, Channel.State memory s1) = registered(address(trivial), false);
        vm.warp(START + CD + 5);
        Channel.State memory s2 = state(p, 6, bals2(A, B), false);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
        vm.warp(START + 2 * CD + 4);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, s2, noStates());
        vm.warp(START + 2 * CD + 5);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 6, 2, uint64(START + 2 * CD + 5));
        adj.conclude(p, s2, noStates());
        assertRecord(idOf(p), START + 2 * CD + 5, 6, 2, hashOf(s2), true);
        assertHoldings(p, A, B);
    }

    // -----------------------------------------------------------------------------------------
    // conclude: errors
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_ConcludeTwice() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), false);
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        vm.expectRevert(AlreadyConcluded.selector);
        adj.conclude(p, s, noStates());
    }

    function test_RevertWhen_ConcludeNotRegistered() public {
        Channel.Params memory p = ledger2(address(0), 1);
        vm.expectRevert(NotRegistered.selector);
        adj.conclude(p, state(p, 5, bals2(B, A), false), noStates());
    }

    function test_RevertWhen_ConcludeWrongState() public {
        (Channel.Params memory p,) = registered(address(0), false);
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(p, state(p, 5, bals2(A, B), false), noStates());
    }

    function test_RevertWhen_ConcludeOlderState() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s1 = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        adj.register(signed(p, state(p, 2, bals2(B, A), false)), none());
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(p, s1, noStates());
    }

    function test_RevertWhen_ConcludeNotLedger() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), false);
        vm.warp(START + CD);
        p.ledgerChannel = false;
        vm.expectRevert(NotLedgerChannel.selector);
        adj.conclude(p, s, noStates());
    }

    function test_RevertWhen_ConcludeParamsMismatch() public {
        (, Channel.State memory s) = registered(address(0), false);
        vm.warp(START + CD);
        vm.expectRevert(InvalidParams.selector);
        adj.conclude(ledger2(address(0), 2), s, noStates());
    }

    /// @dev The force-execution extension must fit in 64 bits too (v1: checked uint64
    /// arithmetic, a panic).
    function test_RevertWhen_ConcludeExtensionOverflows() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        p.challengeDuration = type(uint64).max - START;
        Channel.State memory s = state(p, 5, bals2(0, 0), false);
        adj.register(signed(p, s), none());
        (uint64 timeout,,,,,) = record(idOf(p));
        assertEq(timeout, type(uint64).max, "registered at the last second");
        vm.warp(type(uint64).max);
        vm.expectRevert(TimeoutOverflow.selector);
        adj.conclude(p, s, noStates());
    }

    // -----------------------------------------------------------------------------------------
    // conclude: the outcome
    // -----------------------------------------------------------------------------------------

    function test_Conclude_PushesOutcomeToETHHolder() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), false);
        bytes32 id = idOf(p);
        assertHoldings(p, A, B);
        assertFalse(eth.settled(id), "not settled before");
        vm.warp(START + CD);
        vm.expectEmit(true, true, true, true, address(eth));
        emit AssetHolder.OutcomeSet(id);
        adj.conclude(p, s, noStates());
        assertHoldings(p, B, A);
        assertTrue(eth.settled(id), "settled");
    }

    /// @dev SPEC 4: an outcome the deposits do not cover leaves every deposit as it was.
    function test_Conclude_UnderfundedKeepsDeposits() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 5, bals2(A + B, 1), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        assertHoldings(p, A, B);
        assertTrue(eth.settled(idOf(p)), "settled");
    }

    function test_Conclude_FoldsSubChannelOutcome() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sub = params(0, 2, address(0), false, false, 7);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        // Parent: 0.5 A / B - 0.5 A, 1 A locked; the sub-channel's participants are swapped.
        Channel.State memory ps = state(p, 3, bals2(A / 2, B - A / 2), false);
        uint256[] memory locked = new uint256[](1);
        locked[0] = A;
        uint16[] memory indexMap = new uint16[](2);
        indexMap[0] = 1;
        indexMap[1] = 0;
        ps.outcome.locked = new Channel.SubAlloc[](1);
        ps.outcome.locked[0] = Channel.SubAlloc(idOf(sub), locked, indexMap);
        Channel.State memory ss = state(sub, 2, bals2(A / 4, 3 * A / 4), false);
        adj.register(signed(p, ps), one(signed(sub, ss)));
        vm.warp(START + CD);
        adj.conclude(p, ps, oneState(ss));
        // Sub participant 0 is parent 1 and vice versa.
        assertHoldings(p, A / 2 + 3 * A / 4, B - A / 2 + A / 4);
        (,,, uint8 subPhase,,) = record(keyOfState(ss));
        assertEq(subPhase, 2, "sub-channel concluded");
    }

    // -----------------------------------------------------------------------------------------
    // concludeFinal
    // -----------------------------------------------------------------------------------------

    function test_ConcludeFinal_Success() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        vm.expectEmit(true, true, true, true, address(adj));
        emit Disputes.ChannelUpdate(idOf(p), 9, 2, uint64(START));
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertRecord(idOf(p), START, 9, 2, hashOf(s), false);
        assertHoldings(p, B, A);
        assertTrue(eth.settled(idOf(p)), "settled");
    }

    function test_RevertWhen_ConcludeFinalNotFinal() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), false);
        vm.expectRevert(StateNotFinal.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeFinalNotLedger() public {
        Channel.Params memory p = params(0, 2, address(0), false, false, 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        vm.expectRevert(NotLedgerChannel.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeFinalLockedFunds() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B - 1, A), true);
        uint256[] memory locked = new uint256[](1);
        locked[0] = 1;
        s.outcome.locked = new Channel.SubAlloc[](1);
        s.outcome.locked[0] = Channel.SubAlloc(keccak256("sub"), locked, new uint16[](2));
        vm.expectRevert(HasLockedFunds.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeFinalParamsMismatch() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        vm.expectRevert(InvalidParams.selector);
        adj.concludeFinal(ledger2(address(0), 2), s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeFinalBadSignature() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        bytes[] memory sigs = sigsOf(p, s);
        sigs[1] = sigOf(keys[3], s);
        vm.expectRevert(InvalidSignature.selector);
        adj.concludeFinal(p, s, sigs);
    }

    function test_RevertWhen_ConcludeFinalMissingSignature() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        bytes[] memory sigs = new bytes[](1);
        sigs[0] = sigOf(keys[0], s);
        vm.expectRevert(SignatureCountMismatch.selector);
        adj.concludeFinal(p, s, sigs);
    }

    function test_RevertWhen_ConcludeFinalTwice() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        vm.expectRevert(AlreadyConcluded.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeFinalAfterConclude() public {
        (Channel.Params memory p, Channel.State memory s) = registered(address(0), false);
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        Channel.State memory f = state(p, 9, bals2(A, B), true);
        vm.expectRevert(AlreadyConcluded.selector);
        adj.concludeFinal(p, f, sigsOf(p, f));
    }

    function test_RevertWhen_ConcludeAfterConcludeFinal() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(B, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        vm.expectRevert(AlreadyConcluded.selector);
        adj.conclude(p, s, noStates());
    }

    function test_ConcludeFinal_OverridesDisputeWithLowerVersion() public {
        (Channel.Params memory p,) = registered(address(0), false);
        vm.warp(START + 3);
        Channel.State memory f = state(p, 2, bals2(A, B), true);
        adj.concludeFinal(p, f, sigsOf(p, f));
        assertRecord(idOf(p), START + 3, 2, 2, hashOf(f), false);
        assertHoldings(p, A, B);
    }

    function test_ConcludeFinal_OverridesDisputeWithHigherVersion() public {
        (Channel.Params memory p,) = registered(address(0), false);
        vm.warp(START + 3);
        Channel.State memory f = state(p, 6, bals2(A + B, 0), true);
        adj.concludeFinal(p, f, sigsOf(p, f));
        assertRecord(idOf(p), START + 3, 6, 2, hashOf(f), false);
        assertHoldings(p, A + B, 0);
    }

    function test_ConcludeFinal_OverridesDisputeAfterItsTimeout() public {
        (Channel.Params memory p,) = registered(address(0), false);
        vm.warp(START + 5 * CD);
        Channel.State memory f = state(p, 1, bals2(A, B), true);
        adj.concludeFinal(p, f, sigsOf(p, f));
        assertRecord(idOf(p), START + 5 * CD, 1, 2, hashOf(f), false);
    }

    function test_ConcludeFinal_OverridesForceExecution() public {
        (Channel.Params memory p, Channel.State memory s1) = registered(address(trivial), false);
        vm.warp(START + CD);
        Channel.State memory s2 = state(p, 6, bals2(A + B, 0), false);
        adj.progress(p, s1, s2, 0, sigOf(keys[0], s2));
        Channel.State memory f = state(p, 4, bals2(A, B), true);
        adj.concludeFinal(p, f, sigsOf(p, f));
        assertRecord(idOf(p), START + CD, 4, 2, hashOf(f), true);
        assertHoldings(p, A, B);
    }

    // -----------------------------------------------------------------------------------------
    // Several assets
    // -----------------------------------------------------------------------------------------

    /// @dev Assets: ETH here; the ETH holder's address but on another chain; a non-EVM asset
    /// (holder 0) on this chain; the ERC20 holder here. Were the other-chain asset pushed, the
    /// ETH holder would be settled twice (AlreadySettled); were the holder-0 asset pushed, the
    /// call would hit an address without code.
    function _multiAssetState(Channel.Params memory p)
        internal
        view
        returns (Channel.State memory s)
    {
        Channel.Asset[] memory assets = new Channel.Asset[](4);
        assets[0] = ethAsset();
        assets[1] = Channel.Asset(block.chainid + 1, address(eth), "");
        assets[2] = Channel.Asset(block.chainid, address(0), hex"c0c0");
        assets[3] = erc20Asset();
        uint256[][] memory rows = new uint256[][](4);
        rows[0] = bals2(B, A);
        rows[1] = bals2(7, 7);
        rows[2] = bals2(9, 9);
        rows[3] = bals2(300, 700);
        s = withAssets(state(p, 9, bals2(0, 0), true), assets, rows);
    }

    function test_ConcludeFinal_MultiAsset() public {
        Channel.Params memory p = funded(address(0), 1);
        seedERC20(p, 0, 600);
        seedERC20(p, 1, 400);
        Channel.State memory s = _multiAssetState(p);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertHoldings(p, B, A);
        bytes32 id = idOf(p);
        assertEq(erc20.holdings(fundingID(id, addrs[0])), 300, "ERC20 holdings 0");
        assertEq(erc20.holdings(fundingID(id, addrs[1])), 700, "ERC20 holdings 1");
        assertTrue(erc20.settled(id), "ERC20 settled");
    }

    function test_Conclude_MultiAsset() public {
        Channel.Params memory p = funded(address(0), 1);
        seedERC20(p, 0, 600);
        seedERC20(p, 1, 400);
        Channel.State memory s = _multiAssetState(p);
        s.isFinal = false;
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        assertHoldings(p, B, A);
        bytes32 id = idOf(p);
        assertEq(erc20.holdings(fundingID(id, addrs[0])), 300, "ERC20 holdings 0");
        assertEq(erc20.holdings(fundingID(id, addrs[1])), 700, "ERC20 holdings 1");
    }

    /// @dev A skipped asset after the last row needs no row of its own (v1 never reads it).
    function test_ConcludeFinal_SkippedAssetsNeedNoRow() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.Asset[] memory assets = new Channel.Asset[](2);
        assets[0] = ethAsset();
        assets[1] = Channel.Asset(block.chainid + 1, address(0xdead), "");
        uint256[][] memory rows = new uint256[][](1);
        rows[0] = bals2(B, A);
        Channel.State memory s = withAssets(state(p, 9, bals2(0, 0), true), assets, rows);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertHoldings(p, B, A);
    }

    function test_RevertWhen_ConcludeFinalOutcomeLacksRow() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.Asset[] memory assets = new Channel.Asset[](2);
        assets[0] = ethAsset();
        assets[1] = erc20Asset();
        uint256[][] memory rows = new uint256[][](1);
        rows[0] = bals2(B, A);
        Channel.State memory s = withAssets(state(p, 9, bals2(0, 0), true), assets, rows);
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_ConcludeOutcomeLacksRow() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.Asset[] memory assets = new Channel.Asset[](2);
        assets[0] = ethAsset();
        assets[1] = erc20Asset();
        uint256[][] memory rows = new uint256[][](1);
        rows[0] = bals2(B, A);
        Channel.State memory s = withAssets(state(p, 9, bals2(0, 0), false), assets, rows);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        vm.expectRevert(BalancesLengthMismatch.selector);
        adj.conclude(p, s, noStates());
    }

    function test_RevertWhen_HolderHasNoCode() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.Asset[] memory assets = new Channel.Asset[](1);
        assets[0] = Channel.Asset(block.chainid, address(0xBEEF), "");
        uint256[][] memory rows = new uint256[][](1);
        rows[0] = bals2(B, A);
        Channel.State memory s = withAssets(state(p, 9, bals2(0, 0), true), assets, rows);
        vm.expectRevert(NoContractCode.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_HolderHasNoCodeInFoldedOutcome() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sub = params(0, 2, address(0), false, false, 7);
        Channel.Asset[] memory assets = new Channel.Asset[](1);
        assets[0] = Channel.Asset(block.chainid, address(0xBEEF), "");
        uint256[][] memory rows = new uint256[][](1);
        rows[0] = bals2(1, 1);
        Channel.State memory ps = withAssets(state(p, 3, bals2(0, 0), false), assets, rows);
        uint256[] memory locked = new uint256[](1);
        locked[0] = 2;
        uint16[] memory indexMap = new uint16[](2);
        indexMap[1] = 1;
        ps.outcome.locked = new Channel.SubAlloc[](1);
        ps.outcome.locked[0] = Channel.SubAlloc(idOf(sub), locked, indexMap);
        Channel.State memory ss = withAssets(state(sub, 2, bals2(0, 0), false), assets, rows);
        adj.register(signed(p, ps), one(signed(sub, ss)));
        vm.warp(START + CD);
        vm.expectRevert(NoContractCode.selector);
        adj.conclude(p, ps, oneState(ss));
    }

    function test_RevertWhen_HolderRejectsRowLength() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(0, 0), true);
        uint256[] memory row = new uint256[](3);
        row[0] = B;
        row[1] = A;
        s.outcome.balances[0] = row;
        vm.expectRevert(OutcomeLengthMismatch.selector);
        adj.concludeFinal(p, s, sigsOf(p, s));
    }

    function test_RevertWhen_HolderRejectsRowLengthOnConclude() public {
        Channel.Params memory p = funded(address(0), 1);
        Channel.State memory s = state(p, 9, bals2(0, 0), false);
        uint256[] memory row = new uint256[](1);
        row[0] = A + B;
        s.outcome.balances[0] = row;
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        vm.expectRevert(OutcomeLengthMismatch.selector);
        adj.conclude(p, s, noStates());
    }
}

// SPDX-License-Identifier: Apache-2.0
// Sub-channels: register, progress and conclude ledger states that lock funds in sub-channels.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    AssetsMismatch,
    BalanceOverflow,
    ChallengeDurationTooLong,
    HasLockedFunds,
    IndexMapOutOfRange,
    InvalidParams,
    InvalidSignature,
    LockedMismatch,
    SubAllocMismatch,
    SubChannelIDMismatch,
    SubChannelsTooShort,
    TimeoutNotPassed,
    WrongState
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice SPEC sections 3 and 8 on sub-channels. The ledger channel L is between participants 0
/// and 1 and holds (1, 2) ether itself. S1 is between 0 and 1 (indexMap [0, 1]) with (3, 4); S2
/// is between 1 and 0 (indexMap [1, 0]) with (5, 6); SS is a sub-channel of S1 between 1 and 0
/// (indexMap into S1 [1, 0]) with (1, 2). Sub-channels are neither ledger nor virtual channels.
contract SubChannelsTest is PerunTest {
    event ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout);

    uint256 internal constant E = 1 ether;
    uint8 internal constant DISPUTE = 0;
    uint8 internal constant FORCEEXEC = 1;
    uint8 internal constant CONCLUDED = 2;

    /// @dev A ledger channel, up to two sub-channels and one sub-sub-channel (in S1).
    struct Tree {
        Channel.Params lp;
        Channel.State ls;
        Channel.Params s1p;
        Channel.State s1;
        Channel.Params s2p;
        Channel.State s2;
        Channel.Params ssp;
        Channel.State ss;
    }

    // -----------------------------------------------------------------------------------------
    // Builders
    // -----------------------------------------------------------------------------------------

    /// @dev Params of the test participants `who`, in that order.
    function paramsOf(uint256[] memory who, address app, bool ledger, uint256 nonce)
        internal
        view
        returns (Channel.Params memory p)
    {
        p.challengeDuration = CD;
        p.nonce = nonce;
        p.participants = new Channel.Participant[](who.length);
        for (uint256 i; i < who.length; ++i) {
            p.participants[i] = Channel.Participant(addrs[who[i]], "");
        }
        p.app = app;
        p.ledgerChannel = ledger;
    }

    function ids2(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    function map2(uint16 a, uint16 b) internal pure returns (uint16[] memory r) {
        r = new uint16[](2);
        r[0] = a;
        r[1] = b;
    }

    /// @dev Per asset: the sum of `s`'s balances plus what its sub-allocations lock.
    function totalsOf(Channel.State memory s) internal pure returns (uint256[] memory t) {
        t = new uint256[](s.outcome.balances.length);
        for (uint256 a; a < t.length; ++a) {
            for (uint256 p; p < s.outcome.balances[a].length; ++p) {
                t[a] += s.outcome.balances[a][p];
            }
            for (uint256 l; l < s.outcome.locked.length; ++l) {
                t[a] += s.outcome.locked[l].balances[a];
            }
        }
    }

    /// @dev Appends to `parent`'s locked funds a SubAlloc for `sub` holding `sub`'s totals.
    function lockIn(Channel.State memory parent, Channel.State memory sub, uint16[] memory map)
        internal
        pure
    {
        Channel.SubAlloc[] memory old = parent.outcome.locked;
        Channel.SubAlloc[] memory l = new Channel.SubAlloc[](old.length + 1);
        for (uint256 i; i < old.length; ++i) {
            l[i] = old[i];
        }
        l[old.length] = Channel.SubAlloc(sub.channelID, totalsOf(sub), map);
        parent.outcome.locked = l;
    }

    function lp() internal view returns (Channel.Params memory) {
        return paramsOf(ids2(0, 1), address(0), true, 1);
    }

    function s1p() internal view returns (Channel.Params memory) {
        return paramsOf(ids2(0, 1), address(0), false, 11);
    }

    function s2p() internal view returns (Channel.Params memory) {
        return paramsOf(ids2(1, 0), address(0), false, 12);
    }

    function ssp() internal view returns (Channel.Params memory) {
        return paramsOf(ids2(1, 0), address(0), false, 13);
    }

    /// @dev L with S1 only: final outcome (1 + 3, 2 + 4).
    function oneSub() internal view returns (Tree memory t) {
        t.s1p = s1p();
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        t.lp = lp();
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
    }

    /// @dev L with S1 and S2: final outcome (1 + 3 + 6, 2 + 4 + 5) = (10, 11).
    function twoSubs() internal view returns (Tree memory t) {
        t = oneSub();
        t.s2p = s2p();
        t.s2 = state(t.s2p, 1, bals2(5 * E, 6 * E), false);
        lockIn(t.ls, t.s2, map2(1, 0));
    }

    /// @dev L with S1 (holding SS) and S2: S1 folds to (3 + 2, 4 + 1); final (1 + 5 + 6,
    /// 2 + 5 + 5) = (12, 12). Folding SS without its index map would give (11, 13).
    function nested() internal view returns (Tree memory t) {
        t.ssp = ssp();
        t.ss = state(t.ssp, 1, bals2(E, 2 * E), false);
        t.s1p = s1p();
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        lockIn(t.s1, t.ss, map2(1, 0));
        t.s2p = s2p();
        t.s2 = state(t.s2p, 1, bals2(5 * E, 6 * E), false);
        t.lp = lp();
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        lockIn(t.ls, t.s2, map2(1, 0));
    }

    function two(Channel.SignedState memory a, Channel.SignedState memory b)
        internal
        pure
        returns (Channel.SignedState[] memory r)
    {
        r = new Channel.SignedState[](2);
        r[0] = a;
        r[1] = b;
    }

    function three(
        Channel.SignedState memory a,
        Channel.SignedState memory b,
        Channel.SignedState memory c
    ) internal pure returns (Channel.SignedState[] memory r) {
        r = new Channel.SignedState[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    function twoStates(Channel.State memory a, Channel.State memory b)
        internal
        pure
        returns (Channel.State[] memory r)
    {
        r = new Channel.State[](2);
        r[0] = a;
        r[1] = b;
    }

    function threeStates(Channel.State memory a, Channel.State memory b, Channel.State memory c)
        internal
        pure
        returns (Channel.State[] memory r)
    {
        r = new Channel.State[](3);
        r[0] = a;
        r[1] = b;
        r[2] = c;
    }

    /// @dev Deposits `a` for participant 0 and `b` for participant 1 of `p`.
    function fund(Channel.Params memory p, uint256 a, uint256 b) internal {
        depositETH(p, 0, a);
        depositETH(p, 1, b);
    }

    /// @dev ETH held for participant `i` of `p`.
    function held(Channel.Params memory p, uint256 i) internal view returns (uint256) {
        return eth.holdings(fundingID(idOf(p), p.participants[i].ethAddress));
    }

    function assertRecord(
        bytes32 id,
        uint256 timeout,
        uint256 version,
        uint8 phase,
        bytes32 h,
        bool hasApp
    ) internal view {
        (uint64 t, uint64 cd, uint64 v, uint8 ph, bytes32 sh, bool app) = record(id);
        assertEq(t, timeout, "timeout");
        assertEq(cd, CD, "challengeDuration");
        assertEq(v, version, "version");
        assertEq(ph, phase, "phase");
        assertEq(sh, h, "stateHash");
        assertEq(app, hasApp, "hasApp");
    }

    function phaseOf(bytes32 id) internal view returns (uint8 phase) {
        (,,, phase,,) = record(id);
    }

    function timeoutOf(bytes32 id) internal view returns (uint64 timeout) {
        (timeout,,,,,) = record(id);
    }

    // -----------------------------------------------------------------------------------------
    // register
    // -----------------------------------------------------------------------------------------

    function test_register_oneSubChannel() public {
        Tree memory t = oneSub();
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        assertRecord(idOf(t.lp), START + CD, 1, DISPUTE, hashOf(t.ls), false);
        assertRecord(keyOfState(t.s1), START + CD, 1, DISPUTE, hashOf(t.s1), false);
        // A sub-channel that is not virtual is recorded by the Adjudicator, not the registry.
        (,,,, bytes32 inRegistry,) = registry.disputes(keyOfState(t.s1));
        assertEq(inRegistry, bytes32(0), "not in the registry");
    }

    function test_register_twoSubChannels() public {
        Tree memory t = twoSubs();
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.lp), 1, DISPUTE, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.s1p), 1, DISPUTE, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.s2p), 1, DISPUTE, uint64(START + CD));
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), signed(t.s2p, t.s2)));
        assertRecord(idOf(t.lp), START + CD, 1, DISPUTE, hashOf(t.ls), false);
        assertRecord(keyOfState(t.s1), START + CD, 1, DISPUTE, hashOf(t.s1), false);
        assertRecord(keyOfState(t.s2), START + CD, 1, DISPUTE, hashOf(t.s2), false);
    }

    function test_register_nestedDepthFirst() public {
        Tree memory t = nested();
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.ssp, t.ss), signed(t.s2p, t.s2))
        );
        assertRecord(idOf(t.lp), START + CD, 1, DISPUTE, hashOf(t.ls), false);
        assertRecord(keyOfState(t.s1), START + CD, 1, DISPUTE, hashOf(t.s1), false);
        assertRecord(keyOfState(t.ss), START + CD, 1, DISPUTE, hashOf(t.ss), false);
        assertRecord(keyOfState(t.s2), START + CD, 1, DISPUTE, hashOf(t.s2), false);
    }

    /// Trailing sub-channel states nothing names are ignored (as in v1).
    function test_register_ignoresTrailingSubChannels() public {
        Tree memory t = twoSubs();
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.s2p, t.s2), signed(t.s2p, t.s2))
        );
        assertRecord(keyOfState(t.s2), START + CD, 1, DISPUTE, hashOf(t.s2), false);
    }

    function test_RevertWhen_register_nestedBreadthFirst() public {
        Tree memory t = nested();
        vm.expectRevert(SubChannelIDMismatch.selector);
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.s2p, t.s2), signed(t.ssp, t.ss))
        );
    }

    function test_RevertWhen_register_subChannelsSwapped() public {
        Tree memory t = twoSubs();
        vm.expectRevert(SubChannelIDMismatch.selector);
        adj.register(signed(t.lp, t.ls), two(signed(t.s2p, t.s2), signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_wrongSubChannelID() public {
        Tree memory t = oneSub();
        t.ls.outcome.locked[0].ID = keccak256("some other channel");
        vm.expectRevert(SubChannelIDMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_noSubChannels() public {
        Tree memory t = oneSub();
        vm.expectRevert(SubChannelsTooShort.selector);
        adj.register(signed(t.lp, t.ls), none());
    }

    function test_RevertWhen_register_tooFewSubChannels() public {
        Tree memory t = twoSubs();
        vm.expectRevert(SubChannelsTooShort.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// Two entries for L's two locks, but S1's own lock (SS) uses one of them up.
    function test_RevertWhen_register_nestedTooFewSubChannels() public {
        Tree memory t = nested();
        vm.expectRevert(SubChannelsTooShort.selector);
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), signed(t.ssp, t.ss)));
    }

    /// A sub-channel is checked like any channel: all its participants sign its state.
    function test_RevertWhen_register_subChannelSignatureInvalid() public {
        Tree memory t = twoSubs();
        Channel.SignedState memory bad = signed(t.s2p, t.s2);
        bad.sigs[1] = sigOf(keys[1], t.s2);
        vm.expectRevert(InvalidSignature.selector);
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), bad));
    }

    /// A sub-channel's params must be those its state's channel ID names.
    function test_RevertWhen_register_subChannelParamsMismatch() public {
        Tree memory t = oneSub();
        Channel.Params memory other = s1p();
        other.nonce = 99;
        vm.expectRevert(InvalidParams.selector);
        adj.register(signed(t.lp, t.ls), one(Channel.SignedState(other, t.s1, sigsOf(t.s1p, t.s1))));
    }

    function test_RevertWhen_register_subAssetHolderDiffers() public {
        Tree memory t = oneSub();
        t.s1.outcome.assets[0].ethHolder = address(erc20);
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_subAssetChainDiffers() public {
        Tree memory t = oneSub();
        t.s1.outcome.assets[0].chainID = block.chainid + 1;
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_subCcHolderDiffers() public {
        Tree memory t = oneSub();
        t.s1.outcome.assets[0].ccHolder = hex"01";
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// The sub-channel has a second asset (with balances), the parent one.
    function test_RevertWhen_register_subHasExtraAsset() public {
        Tree memory t = oneSub();
        Channel.Asset[] memory assets = new Channel.Asset[](2);
        assets[0] = ethAsset();
        assets[1] = Channel.Asset(block.chainid, address(erc20), "");
        t.s1.outcome.assets = assets;
        t.s1.outcome.backends = new uint256[](2);
        uint256[][] memory rows = new uint256[][](2);
        rows[0] = bals2(3 * E, 4 * E);
        rows[1] = bals2(0, 0);
        t.s1.outcome.balances = rows;
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_subAllocTooHigh() public {
        Tree memory t = oneSub();
        t.ls.outcome.locked[0].balances[0] = 7 * E + 1;
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_subAllocTooLow() public {
        Tree memory t = oneSub();
        t.ls.outcome.locked[0].balances[0] = 7 * E - 1;
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_subAllocLengthDiffers() public {
        Tree memory t = oneSub();
        uint256[] memory b = new uint256[](2);
        b[0] = 7 * E;
        t.ls.outcome.locked[0].balances = b;
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// L's SubAlloc for S1 counts S1's balances but not what S1 locks in SS.
    function test_RevertWhen_register_subAllocIgnoresNestedLock() public {
        Tree memory t = nested();
        t.ls.outcome.locked[0].balances[0] = 7 * E;
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.ssp, t.ss), signed(t.s2p, t.s2))
        );
    }

    /// S1's own balances overflow.
    function test_RevertWhen_register_subBalancesOverflow() public {
        Tree memory t = oneSub();
        t.s1.outcome.balances[0] = bals2(type(uint256).max, 1);
        t.ls.outcome.locked[0].balances[0] = 0;
        vm.expectRevert(BalanceOverflow.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// L's balances plus S1's totals overflow.
    function test_RevertWhen_register_parentTotalOverflows() public {
        Tree memory t = oneSub();
        t.s1.outcome.balances[0] = bals2(1, 0);
        t.ls.outcome.locked[0].balances[0] = 1;
        t.ls.outcome.balances[0] = bals2(type(uint256).max, 0);
        vm.expectRevert(BalanceOverflow.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// S1's balances plus what it locks in SS overflow.
    function test_RevertWhen_register_nestedTotalOverflows() public {
        Tree memory t = nested();
        t.s1.outcome.balances[0] = bals2(type(uint256).max - 1, 0);
        t.ls.outcome.locked[0].balances[0] = 0;
        vm.expectRevert(BalanceOverflow.selector);
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.ssp, t.ss), signed(t.s2p, t.s2))
        );
    }

    /// Registering L again with its registered state and a newer S1 refutes S1 alone.
    function test_register_refutesSubChannelThroughSameParent() public {
        Tree memory t = oneSub();
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        vm.warp(START + CD / 2);
        Channel.State memory s1v2 = state(t.s1p, 2, bals2(4 * E, 3 * E), false);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, s1v2)));
        assertRecord(idOf(t.lp), START + CD, 1, DISPUTE, hashOf(t.ls), false);
        assertRecord(keyOfState(t.s1), START + CD, 2, DISPUTE, hashOf(s1v2), false);
    }

    // -----------------------------------------------------------------------------------------
    // progress
    // -----------------------------------------------------------------------------------------

    /// @dev L with the trivial app, locking S1, registered; at START + CD.
    function progressable() internal returns (Tree memory t) {
        t = oneSub();
        t.lp = paramsOf(ids2(0, 1), address(trivial), true, 1);
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        fund(t.lp, 5 * E, 5 * E);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        vm.warp(START + CD);
    }

    /// @dev Version 2 of L's state: balances moved, S1's lock as in version 1.
    function lv2(Tree memory t) internal view returns (Channel.State memory s) {
        s = state(t.lp, 2, bals2(2 * E, E), false);
        lockIn(s, t.s1, map2(0, 1));
    }

    function test_progress_keepsLockedFunds() public {
        Tree memory t = progressable();
        Channel.State memory s2 = lv2(t);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
        assertRecord(idOf(t.lp), START + 2 * CD, 2, FORCEEXEC, hashOf(s2), true);
        vm.warp(START + 2 * CD);
        adj.conclude(t.lp, s2, oneState(t.s1));
        assertEq(held(t.lp, 0), 2 * E + 3 * E, "participant 0");
        assertEq(held(t.lp, 1), E + 4 * E, "participant 1");
    }

    /// Less locked, the difference moved into a balance: every asset's total is kept.
    function test_RevertWhen_progress_lockedAmountChanged() public {
        Tree memory t = progressable();
        Channel.State memory s2 = lv2(t);
        s2.outcome.balances[0] = bals2(3 * E, E);
        s2.outcome.locked[0].balances[0] = 6 * E;
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_progress_lockedRemoved() public {
        Tree memory t = progressable();
        Channel.State memory s2 = state(t.lp, 2, bals2(5 * E, 5 * E), false);
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_progress_lockedIDChanged() public {
        Tree memory t = progressable();
        Channel.State memory s2 = lv2(t);
        s2.outcome.locked[0].ID = idOf(s2p());
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_progress_lockedIndexMapChanged() public {
        Tree memory t = progressable();
        Channel.State memory s2 = lv2(t);
        s2.outcome.locked[0].indexMap = map2(1, 0);
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
    }

    function test_RevertWhen_progress_lockAdded() public {
        Tree memory t = progressable();
        Channel.State memory s2 = lv2(t);
        s2.outcome.balances[0] = bals2(E, E);
        Channel.State memory extra = state(s2p(), 1, bals2(E, 0), false);
        lockIn(s2, extra, map2(1, 0));
        vm.expectRevert(LockedMismatch.selector);
        adj.progress(t.lp, t.ls, s2, 0, sigOf(keys[0], s2));
    }

    // -----------------------------------------------------------------------------------------
    // conclude
    // -----------------------------------------------------------------------------------------

    /// A state that locks funds in sub-channels cannot be concluded at once.
    function test_RevertWhen_concludeFinal_withLockedFunds() public {
        Tree memory t = oneSub();
        t.ls.isFinal = true;
        vm.expectRevert(HasLockedFunds.selector);
        adj.concludeFinal(t.lp, t.ls, sigsOf(t.lp, t.ls));
    }

    function test_conclude_oneSubChannel() public {
        Tree memory t = oneSub();
        fund(t.lp, 6 * E, 4 * E);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        vm.warp(START + CD);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        assertEq(held(t.lp, 0), 4 * E, "participant 0");
        assertEq(held(t.lp, 1), 6 * E, "participant 1");
        assertEq(phaseOf(idOf(t.lp)), CONCLUDED, "L concluded");
        assertEq(phaseOf(keyOfState(t.s1)), CONCLUDED, "S1 concluded");
        assertTrue(eth.settled(idOf(t.lp)), "L settled");
        // Sub-channels hold no funds of their own: only the ledger channel is settled.
        assertFalse(eth.settled(idOf(t.s1p)), "S1 not settled");
    }

    /// S2's participants are (1, 0), mapped by [1, 0]: its 5 go to participant 1, its 6 to 0.
    /// The funds are then withdrawn, so the ETH itself is checked too.
    function test_conclude_twoSubChannelsThroughIndexMap() public {
        Tree memory t = twoSubs();
        fund(t.lp, 12 * E, 9 * E);
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), signed(t.s2p, t.s2)));
        vm.warp(START + CD);
        adj.conclude(t.lp, t.ls, twoStates(t.s1, t.s2));
        assertEq(held(t.lp, 0), 10 * E, "participant 0");
        assertEq(held(t.lp, 1), 11 * E, "participant 1");
        for (uint256 i; i < 2; ++i) {
            address to = makeAddr(string.concat("receiver", vm.toString(i)));
            uint256 amount = held(t.lp, i);
            (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(t.lp, i, to, amount);
            eth.withdraw(a, sig);
            assertEq(to.balance, amount, "paid out");
            assertEq(held(t.lp, i), 0, "withdrawn");
        }
        assertEq(address(eth).balance, 0, "holder empty");
    }

    function test_conclude_nested() public {
        Tree memory t = nested();
        fund(t.lp, 20 * E, 4 * E);
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.ssp, t.ss), signed(t.s2p, t.s2))
        );
        vm.warp(START + CD);
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.lp), 1, CONCLUDED, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.s1p), 1, CONCLUDED, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.ssp), 1, CONCLUDED, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(t.s2p), 1, CONCLUDED, uint64(START + CD));
        adj.conclude(t.lp, t.ls, threeStates(t.s1, t.ss, t.s2));
        assertEq(held(t.lp, 0), 12 * E, "participant 0");
        assertEq(held(t.lp, 1), 12 * E, "participant 1");
        assertEq(phaseOf(keyOfState(t.ss)), CONCLUDED, "SS concluded");
        assertEq(phaseOf(keyOfState(t.s2)), CONCLUDED, "S2 concluded");
    }

    /// A 3-party ledger (0, 1, 2) with a sub-channel between 2 and 0: indexMap [2, 0].
    function test_conclude_threePartyIndexMap() public {
        uint256[] memory who = new uint256[](3);
        (who[0], who[1], who[2]) = (0, 1, 2);
        Channel.Params memory p = paramsOf(who, address(0), true, 1);
        Channel.Params memory sp = paramsOf(ids2(2, 0), address(0), false, 11);
        Channel.State memory ss = state(sp, 1, bals2(4 * E, 5 * E), false);
        uint256[] memory b = new uint256[](3);
        (b[0], b[1], b[2]) = (E, E, E);
        Channel.State memory s = state(p, 1, b, false);
        lockIn(s, ss, map2(2, 0));
        depositETH(p, 0, 4 * E);
        depositETH(p, 1, 4 * E);
        depositETH(p, 2, 4 * E);
        adj.register(signed(p, s), one(signed(sp, ss)));
        vm.warp(START + CD);
        adj.conclude(p, s, oneState(ss));
        assertEq(held(p, 0), E + 5 * E, "participant 0");
        assertEq(held(p, 1), E, "participant 1");
        assertEq(held(p, 2), E + 4 * E, "participant 2");
    }

    /// An index map is checked where it is recorded (finding 8), not where a fold would read it.
    function test_RevertWhen_register_indexMapOutOfRange() public {
        Tree memory t = oneSub();
        t.ls.outcome.locked[0].indexMap = map2(0, 2);
        vm.expectRevert(IndexMapOutOfRange.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    function test_RevertWhen_register_indexMapShort() public {
        Tree memory t = oneSub();
        t.ls.outcome.locked[0].indexMap = new uint16[](1);
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// A signed but unregistered state of S1 is not the one to conclude with.
    function test_RevertWhen_conclude_wrongSubState() public {
        Tree memory t = oneSub();
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        vm.warp(START + CD);
        Channel.State memory other = state(t.s1p, 2, bals2(7 * E, 0), false);
        vm.expectRevert(WrongState.selector);
        adj.conclude(t.lp, t.ls, oneState(other));
    }

    function test_RevertWhen_conclude_nestedWrongSubSubState() public {
        Tree memory t = nested();
        adj.register(
            signed(t.lp, t.ls), three(signed(t.s1p, t.s1), signed(t.ssp, t.ss), signed(t.s2p, t.s2))
        );
        vm.warp(START + CD);
        Channel.State memory other = state(t.ssp, 1, bals2(2 * E, E), false);
        vm.expectRevert(WrongState.selector);
        adj.conclude(t.lp, t.ls, threeStates(t.s1, other, t.s2));
    }

    /// After S1 was refuted through L, only its newer state concludes L.
    function test_conclude_usesRefutedSubState() public {
        Tree memory t = oneSub();
        fund(t.lp, 5 * E, 5 * E);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        Channel.State memory s1v2 = state(t.s1p, 2, bals2(7 * E, 0), false);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, s1v2)));
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        adj.conclude(t.lp, t.ls, oneState(s1v2));
        assertEq(held(t.lp, 0), E + 7 * E, "participant 0");
        assertEq(held(t.lp, 1), 2 * E, "participant 1");
    }

    function test_RevertWhen_conclude_subStatesSwapped() public {
        Tree memory t = twoSubs();
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), signed(t.s2p, t.s2)));
        vm.warp(START + CD);
        vm.expectRevert(SubChannelIDMismatch.selector);
        adj.conclude(t.lp, t.ls, twoStates(t.s2, t.s1));
    }

    function test_RevertWhen_conclude_subStatesTooShort() public {
        Tree memory t = twoSubs();
        adj.register(signed(t.lp, t.ls), two(signed(t.s1p, t.s1), signed(t.s2p, t.s2)));
        vm.warp(START + CD);
        vm.expectRevert(SubChannelsTooShort.selector);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
    }

    /// SPEC 8: S1's challenge duration is twice L's, so L's timeout passes first; L cannot
    /// Finding 3: a sub-channel whose challenge duration exceeds its parent's could hold the
    /// parent's conclusion back past the parent's own timeout; it is not registered. (A sub-channel
    /// still concludes only after its own timeout: see the late refutation below.)
    function test_RevertWhen_register_subChannelOutlastsItsParent() public {
        Tree memory t = oneSub();
        t.s1p.challengeDuration = CD + 1;
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        vm.expectRevert(ChallengeDurationTooLong.selector);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        // As long as the parent's, it is.
        t.s1p.challengeDuration = CD;
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        assertEq(timeoutOf(keyOfState(t.s1)), START + CD);
    }

    /// SPEC 8, the case it names: a refutation of L locks a new sub-channel S1 late in L's
    /// window; S1 gets its full challenge duration, so L waits for S1's timeout.
    function test_RevertWhen_conclude_subRegisteredByLateRefutation() public {
        Tree memory t = oneSub();
        Channel.State memory lv1 = state(t.lp, 1, bals2(5 * E, 5 * E), false);
        t.ls.version = 2;
        fund(t.lp, 5 * E, 5 * E);
        adj.register(signed(t.lp, lv1), none());
        vm.warp(START + CD - 1);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        assertEq(timeoutOf(idOf(t.lp)), START + CD, "refutation keeps L's timeout");
        assertEq(timeoutOf(keyOfState(t.s1)), START + 2 * CD - 1, "S1's own timeout");
        vm.warp(START + CD);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        vm.warp(START + 2 * CD - 1);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        assertEq(held(t.lp, 0), 4 * E, "participant 0");
        assertEq(held(t.lp, 1), 6 * E, "participant 1");
    }

    /// S1 has an app and is still in DISPUTE: it concludes one challenge duration after its
    /// timeout (room for force-execution), and that timeout is stored.
    function test_conclude_subWithAppInDisputeWaitsForForceExecution() public {
        Tree memory t = oneSub();
        t.s1p.app = address(trivial);
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        fund(t.lp, 5 * E, 5 * E);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
        assertRecord(keyOfState(t.s1), START + CD, 1, DISPUTE, hashOf(t.s1), true);
        vm.warp(START + 2 * CD - 1);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        vm.warp(START + 2 * CD);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        assertRecord(keyOfState(t.s1), START + 2 * CD, 1, CONCLUDED, hashOf(t.s1), true);
        assertEq(held(t.lp, 0), 4 * E, "participant 0");
        assertEq(held(t.lp, 1), 6 * E, "participant 1");
    }

    /// @dev L without app locking S1 with the trivial app, funded and registered at START.
    function withAppSub() internal returns (Tree memory t) {
        t = oneSub();
        t.s1p.app = address(trivial);
        t.s1 = state(t.s1p, 1, bals2(3 * E, 4 * E), false);
        t.ls = state(t.lp, 1, bals2(E, 2 * E), false);
        lockIn(t.ls, t.s1, map2(0, 1));
        fund(t.lp, 5 * E, 5 * E);
        adj.register(signed(t.lp, t.ls), one(signed(t.s1p, t.s1)));
    }

    /// S1 was force-executed: L concludes with S1's progressed state after its FORCEEXEC timeout.
    function test_conclude_subProgressed() public {
        Tree memory t = withAppSub();
        vm.warp(START + CD);
        Channel.State memory s1v2 = state(t.s1p, 2, bals2(E, 6 * E), false);
        adj.progress(t.s1p, t.s1, s1v2, 1, sigOf(keys[1], s1v2));
        assertRecord(keyOfState(t.s1), START + 2 * CD, 2, FORCEEXEC, hashOf(s1v2), true);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(t.lp, t.ls, oneState(s1v2));
        vm.warp(START + 2 * CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(t.lp, t.ls, oneState(t.s1));
        adj.conclude(t.lp, t.ls, oneState(s1v2));
        assertEq(held(t.lp, 0), E + E, "participant 0");
        assertEq(held(t.lp, 1), 2 * E + 6 * E, "participant 1");
    }

    /// S1 was force-executed into a final state: its timeout is now, so L concludes at once.
    function test_conclude_subProgressedToFinal() public {
        Tree memory t = withAppSub();
        vm.warp(START + CD);
        Channel.State memory s1v2 = state(t.s1p, 2, bals2(7 * E, 0), true);
        adj.progress(t.s1p, t.s1, s1v2, 1, sigOf(keys[1], s1v2));
        adj.conclude(t.lp, t.ls, oneState(s1v2));
        assertEq(held(t.lp, 0), 8 * E, "participant 0");
        assertEq(held(t.lp, 1), 2 * E, "participant 1");
    }

    /// S is locked in two ledger channels L1 and L2. Concluding L1 concludes S (after its
    /// extended timeout: it has an app); L2's conclude later uses S as concluded, unchanged.
    function test_conclude_subConcludedEarlierIsUsedAsConcluded() public {
        Channel.Params memory sp = paramsOf(ids2(0, 1), address(trivial), false, 11);
        Channel.State memory ss = state(sp, 1, bals2(3 * E, 4 * E), false);
        Channel.Params memory l1 = paramsOf(ids2(0, 1), address(0), true, 1);
        Channel.Params memory l2 = paramsOf(ids2(0, 1), address(0), true, 2);
        Channel.State memory s1 = state(l1, 1, bals2(E, 2 * E), false);
        Channel.State memory s2 = state(l2, 1, bals2(2 * E, E), false);
        lockIn(s1, ss, map2(0, 1));
        lockIn(s2, ss, map2(0, 1));
        fund(l1, 5 * E, 5 * E);
        fund(l2, 5 * E, 5 * E);
        adj.register(signed(l1, s1), one(signed(sp, ss)));
        vm.warp(START + 10);
        adj.register(signed(l2, s2), one(signed(sp, ss)));
        assertRecord(keyOfState(ss), START + CD, 1, DISPUTE, hashOf(ss), true);
        vm.warp(START + 2 * CD);
        adj.conclude(l1, s1, oneState(ss));
        assertRecord(keyOfState(ss), START + 2 * CD, 1, CONCLUDED, hashOf(ss), true);
        vm.warp(START + 3 * CD);
        adj.conclude(l2, s2, oneState(ss));
        assertRecord(keyOfState(ss), START + 2 * CD, 1, CONCLUDED, hashOf(ss), true);
        assertEq(held(l1, 0), 4 * E, "L1 participant 0");
        assertEq(held(l1, 1), 6 * E, "L1 participant 1");
        assertEq(held(l2, 0), 2 * E + 3 * E, "L2 participant 0");
        assertEq(held(l2, 1), E + 4 * E, "L2 participant 1");
    }

    /// Any split of two sub-channels folds into the parent through their index maps.
    function testFuzz_conclude_foldsSubChannels(uint64 a, uint64 b, uint64 c, uint64 d) public {
        Channel.State memory x = state(s1p(), 1, bals2(a, b), false);
        Channel.State memory y = state(s2p(), 1, bals2(c, d), false);
        Channel.Params memory p = lp();
        Channel.State memory s = state(p, 1, bals2(1, 2), false);
        lockIn(s, x, map2(0, 1));
        lockIn(s, y, map2(1, 0));
        uint256 total = 3 + uint256(a) + b + c + d;
        fund(p, total, 0);
        adj.register(signed(p, s), two(signed(s1p(), x), signed(s2p(), y)));
        vm.warp(START + CD);
        adj.conclude(p, s, twoStates(x, y));
        assertEq(held(p, 0), 1 + uint256(a) + d, "participant 0");
        assertEq(held(p, 1), 2 + uint256(b) + c, "participant 1");
    }
}

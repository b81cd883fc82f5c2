// SPDX-License-Identifier: Apache-2.0
// Virtual channels: the v1 path through the parents' disputes and the registry's direct path.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    AlreadyConcluded,
    BalanceOverflow,
    BalancesLengthMismatch,
    ChallengeDurationTooLong,
    HasApp,
    HasLockedFunds,
    InvalidParams,
    InvalidSignature,
    NotInDisputePhase,
    NotRegistered,
    NotVirtualChannel,
    OnlyAdjudicator,
    RefutationTimeoutPassed,
    TimeoutNotPassed,
    WrongState
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice SPEC section 6. A (participant 0) and B (participant 2) share a virtual channel V
/// through the intermediary I (participant 1). Each parent ledger channel, A–I and I–B, holds
/// (1, 1) ether and locks V's 2 ether with indexMap [0, 1]: in A–I, V's B is I; in I–B, V's A is
/// I. Each participant deposits 2 ether in each of its parents.
contract VirtualChannelsTest is PerunTest {
    event ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout);

    uint256 internal constant E = 1 ether;
    uint8 internal constant DISPUTE = 0;
    uint8 internal constant CONCLUDED = 2;

    function setUp() public override {
        super.setUp();
        depositETH(ai(), 0, 2 * E);
        depositETH(ai(), 1, 2 * E);
        depositETH(ib(), 0, 2 * E);
        depositETH(ib(), 1, 2 * E);
    }

    // -----------------------------------------------------------------------------------------
    // Builders
    // -----------------------------------------------------------------------------------------

    /// @dev The parent A–I.
    function ai() internal view returns (Channel.Params memory) {
        return params(0, 2, address(0), true, false, 1);
    }

    /// @dev The parent I–B.
    function ib() internal view returns (Channel.Params memory) {
        return params(1, 2, address(0), true, false, 2);
    }

    /// @dev The virtual channel between A and B.
    function vp() internal view returns (Channel.Params memory v) {
        v = params(0, 2, address(0), false, true, 3);
        v.participants[1] = Channel.Participant(addrs[2], "");
    }

    /// @dev V's state: A holds `x` of the 2 ether, B the rest.
    function vs(uint64 version, uint256 x) internal view returns (Channel.State memory) {
        return state(vp(), version, bals2(x, 2 * E - x), false);
    }

    /// @dev A state of parent `l` holding (1, 1) and locking `v`'s totals with indexMap [0, 1].
    function locking(Channel.Params memory l, Channel.State memory v)
        internal
        view
        returns (Channel.State memory s)
    {
        s = state(l, 1, bals2(E, E), false);
        s.outcome.locked = new Channel.SubAlloc[](1);
        uint256[] memory total = new uint256[](1);
        for (uint256 p; p < v.outcome.balances[0].length; ++p) {
            total[0] += v.outcome.balances[0][p];
        }
        for (uint256 i; i < v.outcome.locked.length; ++i) {
            total[0] += v.outcome.locked[i].balances[0];
        }
        uint16[] memory map = new uint16[](2);
        map[1] = 1;
        s.outcome.locked[0] = Channel.SubAlloc(v.channelID, total, map);
    }

    /// @dev Registers parent `l` locking `v`, with `v`'s signed state as its sub-channel.
    function registerParent(Channel.Params memory l, Channel.State memory v) internal {
        adj.register(signed(l, locking(l, v)), one(signed(vp(), v)));
    }

    function concludeParent(Channel.Params memory l, Channel.State memory v) internal {
        adj.conclude(l, locking(l, v), oneState(v));
    }

    function held(Channel.Params memory p, uint256 i) internal view returns (uint256) {
        return eth.holdings(fundingID(idOf(p), p.participants[i].ethAddress));
    }

    /// @dev The key of V's record: its ID bound to its funding (2 ether of ETH), the same for
    /// every state of V this suite signs.
    function vkey() internal view returns (bytes32) {
        return keyOfState(vs(1, 0));
    }

    /// @dev Checks V's record in the registry, and that the Adjudicator's view shows the same.
    function assertVirtual(uint256 timeout, uint256 version, uint8 phase, bytes32 h) internal view {
        bytes32 vid = vkey();
        (uint64 t, uint64 cd, uint64 v, uint8 ph, bytes32 sh, bool app) = registry.disputes(vid);
        assertEq(t, timeout, "timeout");
        assertEq(cd, CD, "challengeDuration");
        assertEq(v, version, "version");
        assertEq(ph, phase, "phase");
        assertEq(sh, h, "stateHash");
        assertFalse(app, "hasApp");
        (uint64 t2, uint64 cd2, uint64 v2, uint8 ph2, bytes32 sh2, bool app2) = adj.disputes(vid);
        assertEq(t2, t, "adjudicator's view: timeout");
        assertEq(cd2, cd, "adjudicator's view: challengeDuration");
        assertEq(v2, v, "adjudicator's view: version");
        assertEq(ph2, ph, "adjudicator's view: phase");
        assertEq(sh2, sh, "adjudicator's view: stateHash");
        assertEq(app2, app, "adjudicator's view: hasApp");
    }

    function stateHashOf(bytes32 id) internal view returns (bytes32 h) {
        (,,,, h,) = adj.disputes(id);
    }

    /// @dev Checks each party's holdings after both parents settled with V's outcome `x`, and
    /// that I withdraws exactly its 4 ether of deposits from the two parents together.
    function assertSettled(uint256 x) internal {
        assertEq(held(ai(), 0), E + x, "A");
        assertEq(held(ai(), 1), E + (2 * E - x), "I in A-I");
        assertEq(held(ib(), 0), E + x, "I in I-B");
        assertEq(held(ib(), 1), E + (2 * E - x), "B");
        assertEq(held(ai(), 1) + held(ib(), 0), 4 * E, "I's net position is zero");
        address to = makeAddr("intermediary's wallet");
        (AssetHolder.WithdrawalAuth memory a1, bytes memory sig1) = auth(ai(), 1, to, held(ai(), 1));
        eth.withdraw(a1, sig1);
        (AssetHolder.WithdrawalAuth memory a2, bytes memory sig2) = auth(ib(), 0, to, held(ib(), 0));
        eth.withdraw(a2, sig2);
        assertEq(to.balance, 4 * E, "I withdrew what it deposited");
    }

    // -----------------------------------------------------------------------------------------
    // v1 path: register
    // -----------------------------------------------------------------------------------------

    function test_v1_registerRecordsVirtualChannelInRegistry() public {
        Channel.State memory v = vs(1, E / 2);
        bytes32 vid = idOf(vp());
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(idOf(ai()), 1, DISPUTE, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 1, DISPUTE, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(vid, 1, DISPUTE, uint64(START + CD));
        registerParent(ai(), v);
        assertVirtual(START + CD, 1, DISPUTE, hashOf(v));
        assertEq(stateHashOf(idOf(ai())), hashOf(locking(ai(), v)), "A-I registered");
        (,,,, bytes32 parentInRegistry,) = registry.disputes(idOf(ai()));
        assertEq(parentInRegistry, bytes32(0), "ledger channels are not in the registry");
    }

    function test_RevertWhen_v1_virtualHasApp() public {
        Channel.Params memory v = vp();
        v.app = address(trivial);
        Channel.State memory s = state(v, 1, bals2(E, E), false);
        vm.expectRevert(HasApp.selector);
        adj.register(signed(ai(), locking(ai(), s)), one(signed(v, s)));
    }

    function test_RevertWhen_v1_virtualHasLockedFunds() public {
        Channel.State memory s = lockingVirtual();
        vm.expectRevert(HasLockedFunds.selector);
        adj.register(signed(ai(), locking(ai(), s)), one(signed(vp(), s)));
    }

    /// @dev V's state locking 1 of its 2 ether in some channel.
    function lockingVirtual() internal view returns (Channel.State memory s) {
        s = vs(1, E / 2);
        s.outcome.balances[0] = bals2(E / 2, E / 2);
        s.outcome.locked = new Channel.SubAlloc[](1);
        uint256[] memory b = new uint256[](1);
        b[0] = E;
        uint16[] memory map = new uint16[](2);
        map[1] = 1;
        s.outcome.locked[0] = Channel.SubAlloc(keccak256("a sub-channel of V"), b, map);
    }

    /// I–B registers V's state later: V's record keeps the timeout of its first registration.
    function test_v1_secondParentSameStateIsNoOp() public {
        Channel.State memory v = vs(1, E / 2);
        registerParent(ai(), v);
        vm.warp(START + CD / 2);
        registerParent(ib(), v);
        assertVirtual(START + CD, 1, DISPUTE, hashOf(v));
        (uint64 t,,,,,) = adj.disputes(idOf(ib()));
        assertEq(t, START + CD / 2 + CD, "I-B's own timeout");
    }

    function test_v1_higherVersionRefutesThroughOtherParent() public {
        registerParent(ai(), vs(1, E / 2));
        vm.warp(START + CD - 1);
        Channel.State memory v2 = vs(2, 3 * E / 2);
        bytes32 vid = idOf(vp());
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 2, DISPUTE, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(vid, 2, DISPUTE, uint64(START + CD));
        registerParent(ib(), v2);
        assertVirtual(START + CD, 2, DISPUTE, hashOf(v2));
    }

    /// A–I registered again with its registered state and a newer V.
    function test_v1_higherVersionRefutesThroughSameParent() public {
        registerParent(ai(), vs(1, E / 2));
        vm.warp(START + 1);
        Channel.State memory v2 = vs(2, 3 * E / 2);
        adj.register(signed(ai(), locking(ai(), v2)), one(signed(vp(), v2)));
        assertVirtual(START + CD, 2, DISPUTE, hashOf(v2));
    }

    function test_v1_higherVersionRefutesDirectlyInRegistry() public {
        registerParent(ai(), vs(1, E / 2));
        vm.warp(START + 1);
        Channel.State memory v2 = vs(2, 3 * E / 2);
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(idOf(vp()), 2, DISPUTE, uint64(START + CD));
        registry.register(signed(vp(), v2));
        assertVirtual(START + CD, 2, DISPUTE, hashOf(v2));
    }

    /// A lower or conflicting state of V through the other parent does not refute V: V's record
    /// is kept and the parent is registered (v1 reverted, which let whoever advanced V's record
    /// first keep a parent from ever being registered).
    function test_v1_lowerVersionThroughOtherParentKeepsTheRecord() public {
        registerParent(ai(), vs(2, E / 2));
        registerParent(ib(), vs(1, E));
        assertVirtual(START + CD, 2, DISPUTE, hashOf(vs(2, E / 2)));
        assertEq(stateHashOf(idOf(ib())), hashOf(locking(ib(), vs(1, E))), "I-B registered");
        // A conflicting state of the same version: the record is kept too.
        vm.warp(START + 1);
        registerParent(ib(), vs(2, E));
        assertVirtual(START + CD, 2, DISPUTE, hashOf(vs(2, E / 2)));
    }

    /// After V's timeout a higher version no longer refutes V; the parent is still registered.
    function test_v1_refutationAfterTimeoutKeepsTheRecord() public {
        registerParent(ai(), vs(1, E / 2));
        vm.warp(START + CD);
        registerParent(ib(), vs(2, E));
        assertVirtual(START + CD, 1, DISPUTE, hashOf(vs(1, E / 2)));
        vm.expectRevert(RefutationTimeoutPassed.selector);
        registry.register(signed(vp(), vs(2, E)));
    }

    // -----------------------------------------------------------------------------------------
    // v1 path: conclude
    // -----------------------------------------------------------------------------------------

    /// @dev Both parents register V's state with A's share `x`, then both conclude.
    function settleV1(uint256 x) internal {
        Channel.State memory v = vs(1, x);
        registerParent(ai(), v);
        registerParent(ib(), v);
        vm.warp(START + CD);
        bytes32 vid = idOf(vp());
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 1, CONCLUDED, uint64(START + CD));
        vm.expectEmit(true, false, false, true, address(adj));
        emit ChannelUpdate(vid, 1, CONCLUDED, uint64(START + CD));
        concludeParent(ai(), v);
        assertVirtual(START + CD, 1, CONCLUDED, hashOf(v));
        concludeParent(ib(), v);
        assertVirtual(START + CD, 1, CONCLUDED, hashOf(v));
        assertSettled(x);
    }

    function test_v1_bothParentsConcludeFromOneRecord_outcomeFavoursB() public {
        settleV1(E / 2);
    }

    function test_v1_bothParentsConcludeFromOneRecord_outcomeFavoursA() public {
        settleV1(7 * E / 4);
    }

    function testFuzz_v1_intermediaryNetZero(uint256 x) public {
        settleV1(bound(x, 0, 2 * E));
    }

    /// V refuted through I–B; both parents conclude with the refuting state, not the first.
    function test_v1_bothParentsConcludeWithRefutedState() public {
        Channel.State memory v1 = vs(1, E / 2);
        Channel.State memory v2 = vs(2, 3 * E / 2);
        Channel.State memory a1 = locking(ai(), v1);
        registerParent(ai(), v1);
        registerParent(ib(), v2);
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(ai(), a1, oneState(v1));
        adj.conclude(ai(), a1, oneState(v2));
        concludeParent(ib(), v2);
        assertSettled(3 * E / 2);
    }

    /// Once a parent concluded V, the registry has nothing more to conclude.
    function test_RevertWhen_v1_registryConcludesAfterParent() public {
        Channel.State memory v = vs(1, E / 2);
        registerParent(ai(), v);
        vm.warp(START + CD);
        concludeParent(ai(), v);
        vm.expectRevert(AlreadyConcluded.selector);
        registry.conclude(vp(), v);
    }

    /// SPEC 8 for virtual channels: V's challenge duration is longer than A–I's, and A–I
    /// cannot conclude before V's own timeout.
    /// V is first locked by a refutation of A–I late in A–I's window: A–I waits for V's own
    /// timeout before it concludes.
    function test_RevertWhen_v1_virtualTimeoutNotPassed() public {
        Channel.State memory s = vs(1, E / 2);
        Channel.State memory parent = locking(ai(), s);
        parent.version = 2;
        adj.register(signed(ai(), state(ai(), 1, bals2(2 * E, 2 * E), false)), none());
        vm.warp(START + CD - 1);
        adj.register(signed(ai(), parent), one(signed(vp(), s)));
        vm.warp(START + CD);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(ai(), parent, oneState(s));
        vm.warp(START + 2 * CD - 1);
        adj.conclude(ai(), parent, oneState(s));
        assertEq(held(ai(), 0), E + E / 2, "A");
        assertEq(held(ai(), 1), E + 3 * E / 2, "I");
    }

    /// Finding 3: V's challenge duration, chosen by its endpoints, may not exceed a parent's,
    /// or a duration near 2^64 would lock the parents for ever.
    function test_RevertWhen_v1_virtualOutlastsItsParent() public {
        Channel.Params memory v = vp();
        v.challengeDuration = type(uint64).max;
        Channel.State memory s = state(v, 1, bals2(E / 2, 3 * E / 2), false);
        vm.expectRevert(ChallengeDurationTooLong.selector);
        adj.register(signed(ai(), locking(ai(), s)), one(signed(v, s)));
    }

    // -----------------------------------------------------------------------------------------
    // Finding 1: a virtual channel's record is bound to the funding its parents lock
    // -----------------------------------------------------------------------------------------

    /// @dev V's state at `version` giving A `a` and B `b` (any total).
    function vsAny(uint64 version, uint256 a, uint256 b)
        internal
        view
        returns (Channel.State memory)
    {
        return state(vp(), version, bals2(a, b), false);
    }

    /// @dev A fake ledger parent of A and B alone (nonce `n`) locking `v`'s totals, registered
    /// with `v`: the endpoints' own way into the v1 path.
    function registerFakeParent(Channel.State memory v, uint256 n) internal {
        Channel.Params memory f = params(0, 2, address(0), true, false, n);
        f.participants[1] = Channel.Participant(addrs[2], "");
        adj.register(signed(f, locking(f, v)), one(signed(vp(), v)));
    }

    /// The theft of the review: A and B (one person with two keys) record V with 2 ether + 1
    /// wei for B, by a fake parent and by the registry's direct path, after B topped up I–B by
    /// one wei. The parents read V under the funding they locked (2 ether), so I–B pays B only
    /// what V's real state gives it, A–I is not underfunded, and I nets zero.
    function test_v1_inflatedVirtualStateNeverReachesTheParents() public {
        Channel.State memory v = vs(1, E / 2);
        registerParent(ai(), v);
        registerParent(ib(), v);
        depositETH(ib(), 1, 1);
        Channel.State memory inflated = vsAny(9, 0, 2 * E + 1);
        registerFakeParent(inflated, 77);
        assertEq(stateHashOf(keyOfState(inflated)), hashOf(inflated), "recorded apart");
        Channel.State memory inflated10 = vsAny(10, 0, 2 * E + 1);
        registry.register(signed(vp(), inflated10));
        assertEq(stateHashOf(keyOfState(inflated)), hashOf(inflated10), "refuted apart");
        assertVirtual(START + CD, 1, DISPUTE, hashOf(v));
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        adj.conclude(ib(), locking(ib(), v), oneState(inflated));
        concludeParent(ai(), v);
        concludeParent(ib(), v);
        // V's real outcome in both parents (B's extra wei is a surplus I–B's outcome does not
        // assign); I gets back exactly its 4 ether.
        assertSettled(E / 2);
    }

    /// The lock of the review: a state of V with a one-entry row, or one whose balances sum past
    /// 2^256, would make every fold of V revert. Neither path records such a state.
    function test_RevertWhen_virtualStateCannotBeFolded() public {
        Channel.State memory short = vs(2, E / 2);
        short.outcome.balances[0] = new uint256[](1);
        short.outcome.balances[0][0] = 2 * E;
        vm.expectRevert(BalancesLengthMismatch.selector);
        registry.register(signed(vp(), short));
        vm.expectRevert(BalancesLengthMismatch.selector);
        registerFakeParent(short, 78);
        Channel.State memory huge = vsAny(2, type(uint256).max, 1);
        vm.expectRevert(BalanceOverflow.selector);
        registry.register(signed(vp(), huge));
        // The honest parents still settle.
        Channel.State memory v = vs(1, E / 2);
        registerParent(ai(), v);
        registerParent(ib(), v);
        vm.warp(START + CD);
        concludeParent(ai(), v);
        concludeParent(ib(), v);
        assertSettled(E / 2);
    }

    // -----------------------------------------------------------------------------------------
    // Direct path
    // -----------------------------------------------------------------------------------------

    /// @dev V registered, refuted and concluded in the registry alone (neither parent is
    /// disputed meanwhile); then each parent is registered and concludes from V's record.
    function settleDirect(uint256 x) internal {
        Channel.State memory v1 = vs(1, 2 * E - x);
        Channel.State memory v2 = vs(2, x);
        bytes32 vid = idOf(vp());
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 1, DISPUTE, uint64(START + CD));
        registry.register(signed(vp(), v1));
        assertVirtual(START + CD, 1, DISPUTE, hashOf(v1));
        vm.warp(START + 10);
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 2, DISPUTE, uint64(START + CD));
        registry.register(signed(vp(), v2));
        assertVirtual(START + CD, 2, DISPUTE, hashOf(v2));
        assertEq(stateHashOf(idOf(ai())), bytes32(0), "A-I not disputed");
        assertEq(stateHashOf(idOf(ib())), bytes32(0), "I-B not disputed");
        vm.warp(START + CD);
        vm.expectEmit(true, false, false, true, address(registry));
        emit ChannelUpdate(vid, 2, CONCLUDED, uint64(START + CD));
        registry.conclude(vp(), v2);
        assertVirtual(START + CD, 2, CONCLUDED, hashOf(v2));
        assertEq(stateHashOf(idOf(ai())), bytes32(0), "A-I still not disputed");

        // The parents register V's concluded state: its record does not change.
        registerParent(ai(), v2);
        vm.warp(START + CD + 1);
        registerParent(ib(), v2);
        assertVirtual(START + CD, 2, CONCLUDED, hashOf(v2));
        vm.warp(START + 2 * CD + 1);
        vm.expectRevert(WrongState.selector);
        adj.conclude(ai(), locking(ai(), v2), oneState(v1));
        concludeParent(ai(), v2);
        concludeParent(ib(), v2);
        assertVirtual(START + CD, 2, CONCLUDED, hashOf(v2));
        assertSettled(x);
    }

    function test_direct_registerRefuteConclude_outcomeFavoursB() public {
        settleDirect(E / 4);
    }

    function test_direct_registerRefuteConclude_outcomeFavoursA() public {
        settleDirect(2 * E);
    }

    /// A concluded record cannot be refuted, by a newer or an older state: directly that
    /// reverts; through a parent the record is kept as it is and the parent is registered (so a
    /// parent is registrable whatever happened to V's record first), and it concludes with V's
    /// concluded outcome.
    function test_direct_concludedRecordIsKeptThroughAParent() public {
        Channel.State memory v2 = vs(2, E);
        registry.register(signed(vp(), v2));
        vm.warp(START + CD);
        registry.conclude(vp(), v2);
        registerParent(ai(), vs(3, 2 * E));
        registerParent(ib(), vs(1, 0));
        assertVirtual(START + CD, 2, CONCLUDED, hashOf(v2));
        assertEq(stateHashOf(idOf(ai())), hashOf(locking(ai(), vs(3, 2 * E))), "A-I registered");
        vm.expectRevert(NotInDisputePhase.selector);
        registry.register(signed(vp(), vs(3, 2 * E)));
        vm.warp(START + 2 * CD);
        adj.conclude(ai(), locking(ai(), vs(3, 2 * E)), oneState(v2));
        adj.conclude(ib(), locking(ib(), vs(1, 0)), oneState(v2));
        assertSettled(E);
    }

    /// With V's result fixed on chain, the parties settle both parents off chain
    /// (concludeFinal), without disputing them.
    function test_direct_parentsSettleOffChainFromFixedResult() public {
        Channel.State memory v = vs(1, E / 2);
        registry.register(signed(vp(), v));
        vm.warp(START + CD);
        registry.conclude(vp(), v);
        Channel.State memory a = state(ai(), 2, bals2(E + E / 2, E + 3 * E / 2), true);
        Channel.State memory b = state(ib(), 2, bals2(E + E / 2, E + 3 * E / 2), true);
        adj.concludeFinal(ai(), a, sigsOf(ai(), a));
        adj.concludeFinal(ib(), b, sigsOf(ib(), b));
        assertSettled(E / 2);
    }

    /// A final state is registered with timeout now and concludes in the same block.
    function test_direct_finalStateConcludesAtOnce() public {
        Channel.State memory v = state(vp(), 4, bals2(E, E), true);
        registry.register(signed(vp(), v));
        assertVirtual(START, 4, DISPUTE, hashOf(v));
        registry.conclude(vp(), v);
        assertVirtual(START, 4, CONCLUDED, hashOf(v));
    }

    function test_RevertWhen_direct_virtualHasApp() public {
        Channel.Params memory v = vp();
        v.app = address(trivial);
        Channel.State memory s = state(v, 1, bals2(E, E), false);
        vm.expectRevert(HasApp.selector);
        registry.register(signed(v, s));
    }

    function test_RevertWhen_direct_virtualHasLockedFunds() public {
        Channel.State memory s = lockingVirtual();
        vm.expectRevert(HasLockedFunds.selector);
        registry.register(signed(vp(), s));
    }

    function test_RevertWhen_direct_invalidSignature() public {
        Channel.State memory s = vs(1, E);
        Channel.SignedState memory ss = signed(vp(), s);
        (ss.sigs[0], ss.sigs[1]) = (ss.sigs[1], ss.sigs[0]);
        vm.expectRevert(InvalidSignature.selector);
        registry.register(ss);
    }

    function test_RevertWhen_direct_paramsDoNotMatchState() public {
        Channel.Params memory other = vp();
        other.nonce = 4;
        vm.expectRevert(InvalidParams.selector);
        registry.register(Channel.SignedState(other, vs(1, E), sigsOf(vp(), vs(1, E))));
    }

    // -----------------------------------------------------------------------------------------
    // The registry's own rules
    // -----------------------------------------------------------------------------------------

    function test_RevertWhen_registry_notVirtualChannel() public {
        Channel.State memory s = state(ai(), 1, bals2(2 * E, 2 * E), false);
        vm.expectRevert(NotVirtualChannel.selector);
        registry.register(signed(ai(), s));
        adj.register(signed(ai(), s), none());
        vm.warp(START + CD);
        vm.expectRevert(NotVirtualChannel.selector);
        registry.conclude(ai(), s);
    }

    /// BUG: a channel flagged both ledger and virtual is accepted by the registry's direct
    /// path (only `virtualChannel` is checked), and once concluded there its outcome can never
    /// be pushed: the Adjudicator's `conclude` (and `concludeFinal`) then revert with
    /// AlreadyConcluded, and the deposits stay locked for good. SPEC 3: a registered ledger
    /// channel concludes after its timeout and its outcome is pushed (v1 had no other way to
    /// conclude it). Whatever the registry does with such a channel, the parties must still be
    /// able to settle it through the Adjudicator.
    function test_ledgerChannelFlaggedVirtualStillSettlesAfterRegistry() public {
        Channel.Params memory p = params(0, 2, address(0), true, true, 7);
        depositETH(p, 0, E);
        depositETH(p, 1, E);
        Channel.State memory s = state(p, 1, bals2(2 * E, 0), false);
        try registry.register(signed(p, s)) {} catch {}
        vm.warp(START + CD);
        try registry.conclude(p, s) {} catch {}
        if (stateHashOf(idOf(p)) == 0) {
            adj.register(signed(p, s), none());
            vm.warp(START + 2 * CD);
        }
        adj.conclude(p, s, noStates());
        assertTrue(eth.settled(idOf(p)), "settled");
        assertEq(held(p, 0), 2 * E, "participant 0");
        assertEq(held(p, 1), 0, "participant 1");
    }

    function test_RevertWhen_registry_v1PathCalledByOthers() public {
        assertEq(registry.adjudicator(), address(adj), "the registry's adjudicator");
        bytes32 vid = idOf(vp());
        bytes32 h = hashOf(vs(1, E));
        vm.expectRevert(OnlyAdjudicator.selector);
        registry.registerVirtual(vid, vid, 1, h, CD, false);
        vm.prank(addrs[1]);
        vm.expectRevert(OnlyAdjudicator.selector);
        registry.registerVirtual(vid, vid, 1, h, CD, false);
        registry.register(signed(vp(), vs(1, E)));
        vm.warp(START + CD);
        vm.prank(addrs[0]);
        vm.expectRevert(OnlyAdjudicator.selector);
        registry.concludeVirtual(vid, vid, h, false);
        vm.expectRevert(OnlyAdjudicator.selector);
        registry.concludeVirtual(vid, vid, h, true);
        vm.prank(addrs[2]);
        vm.expectRevert(OnlyAdjudicator.selector);
        registry.concludeFinalVirtual(vid, 9, keccak256("final"), CD);
        assertVirtual(START + CD, 1, DISPUTE, h);
    }

    function test_RevertWhen_registry_concludeTwice() public {
        Channel.State memory v = vs(1, E);
        registry.register(signed(vp(), v));
        vm.warp(START + CD);
        registry.conclude(vp(), v);
        vm.expectRevert(AlreadyConcluded.selector);
        registry.conclude(vp(), v);
    }

    function test_RevertWhen_registry_concludeTooEarly() public {
        Channel.State memory v = vs(1, E);
        registry.register(signed(vp(), v));
        vm.warp(START + CD - 1);
        vm.expectRevert(TimeoutNotPassed.selector);
        registry.conclude(vp(), v);
        vm.warp(START + CD);
        registry.conclude(vp(), v);
        assertVirtual(START + CD, 1, CONCLUDED, hashOf(v));
    }

    function test_RevertWhen_registry_concludeUnregistered() public {
        vm.expectRevert(NotRegistered.selector);
        registry.conclude(vp(), vs(1, E));
    }

    function test_RevertWhen_registry_concludeWrongState() public {
        registry.register(signed(vp(), vs(2, E)));
        vm.warp(START + CD);
        vm.expectRevert(WrongState.selector);
        registry.conclude(vp(), vs(1, E));
    }

    function test_RevertWhen_registry_refutationAfterTimeout() public {
        registry.register(signed(vp(), vs(1, E)));
        vm.warp(START + CD);
        vm.expectRevert(RefutationTimeoutPassed.selector);
        registry.register(signed(vp(), vs(2, E)));
    }
}

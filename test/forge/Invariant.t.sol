// SPDX-License-Identifier: Apache-2.0
// Invariants of the ETH holder under random deposits, disputes, conclusions and withdrawals.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderETH} from "../../contracts/solidity/AssetHolderETH.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {InsufficientHoldings, PartialWithdrawal} from "../../contracts/solidity/Errors.sol";
import {Test} from "./std/Test.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice A contract wallet among the receivers: its `receive` writes storage.
contract InvariantWallet {
    uint256 public payments;

    receive() external payable {
        ++payments;
    }
}

/// @notice Drives the suite (its own deployment, built by `PerunTest.setUp`) through random but
/// mostly valid operations on four fixed 2-party ledger channels (two without an app, two with
/// the TrivialApp), each reopened under a fresh nonce once settled. It keeps a model of every
/// holdings entry (SPEC section 4) and ghost totals; an operation the model expects to succeed
/// but the contracts reject is counted in `unexpected`.
contract PerunHandler is PerunTest {
    uint256 internal constant SLOTS = 4;
    uint256 internal constant MAX_DEPOSIT = 10 ether;
    uint8 internal constant OPEN = 0;
    uint8 internal constant REGISTERED = 1;
    uint8 internal constant SETTLED = 2;

    struct Slot {
        uint256 epoch;
        uint8 status;
        uint64 version;
        uint256 bal0;
        uint256 bal1;
        bool isFinal;
    }

    struct Closed {
        uint256 k;
        uint256 epoch;
    }

    struct Pair {
        bytes32 cid;
        address who;
    }

    Slot[SLOTS] internal slots;
    Closed[] internal closed;
    Pair[] internal pairs;
    bytes32[] internal ids;
    bytes32[] internal channelIDs;
    mapping(bytes32 => bool) internal known;

    address internal depositor;
    address internal payee;
    InvariantWallet internal wallet;

    uint256 public now_;

    // Ghosts.
    uint256 public ghostDeposited;
    uint256 public ghostWithdrawn;
    /// @notice Funds no entry holds any more: the excess of overfunded channels and the
    /// channel-ID funds of underfunded ones.
    uint256 public ghostUnassigned;
    /// @notice The model of `holdings(id)`.
    mapping(bytes32 => uint256) public ghostHeld;
    mapping(bytes32 => bool) public ghostSettled;
    /// @notice What a participant may take out of a settled channel: its outcome (or, if the
    /// channel was underfunded, its deposit), plus what was deposited for it afterwards.
    mapping(bytes32 => mapping(address => uint256)) public entitlement;
    mapping(bytes32 => mapping(address => uint256)) public withdrawnBy;
    /// @notice Withdrawals beyond the model's holdings that the holder let through.
    uint256 public overdrafts;
    uint256 public unexpected;
    bytes public lastUnexpected;

    // Counters.
    uint256 public nDeposits;
    uint256 public nRegisters;
    uint256 public nRefutations;
    uint256 public nProgress;
    uint256 public nConcludes;
    uint256 public nConcludeFinals;
    uint256 public nWithdrawals;
    uint256 public nRejectedOverdraws;
    uint256 public nRejectedPartials;
    uint256 public nReopens;

    constructor() {
        setUp();
        now_ = START;
        depositor = makeAddr("depositor");
        payee = makeAddr("payee");
        wallet = new InvariantWallet();
    }

    // -----------------------------------------------------------------------------------------
    // Views for the invariants
    // -----------------------------------------------------------------------------------------

    function holder() external view returns (AssetHolderETH) {
        return eth;
    }

    function idCount() external view returns (uint256) {
        return ids.length;
    }

    function idAt(uint256 i) external view returns (bytes32) {
        return ids[i];
    }

    function channelCount() external view returns (uint256) {
        return channelIDs.length;
    }

    function channelAt(uint256 i) external view returns (bytes32) {
        return channelIDs[i];
    }

    function pairCount() external view returns (uint256) {
        return pairs.length;
    }

    function pairAt(uint256 i) external view returns (bytes32, address) {
        return (pairs[i].cid, pairs[i].who);
    }

    // -----------------------------------------------------------------------------------------
    // Actions
    // -----------------------------------------------------------------------------------------

    /// @notice Deposits for participant 0 or 1 of a channel, or under its channel ID.
    function deposit(uint256 k, uint256 target, uint256 amount) external {
        k = bound(k, 0, SLOTS - 1);
        target = bound(target, 0, 2);
        amount = bound(amount, 0, MAX_DEPOSIT);
        vm.warp(now_);
        Channel.Params memory p = current(k);
        bytes32 cid = idOf(p);
        bytes32 id = target == 2 ? cid : fundingID(cid, p.participants[target].ethAddress);
        track(cid);
        track(id);
        vm.deal(depositor, amount);
        vm.prank(depositor);
        try eth.deposit{value: amount}(id, amount) {
            ghostDeposited += amount;
            ghostHeld[id] += amount;
            if (target < 2 && ghostSettled[cid]) {
                entitlement[cid][p.participants[target].ethAddress] += amount;
            }
            ++nDeposits;
        } catch (bytes memory err) {
            fault(err);
        }
    }

    /// @notice Registers a state of a channel, or refutes its registered state.
    function register(uint256 k, uint256 vSeed, uint256 balSeed, uint256 finalSeed) external {
        k = bound(k, 0, SLOTS - 1);
        Slot storage sl = slots[k];
        if (sl.status == SETTLED) return;
        vm.warp(now_);
        Channel.Params memory p = current(k);
        bytes32 cid = idOf(p);
        uint64 v;
        bool refutation = sl.status == REGISTERED;
        if (refutation) {
            (uint64 timeout,, uint64 version, uint8 phase,,) = adj.disputes(cid);
            if (phase != 0 || now_ >= timeout) return;
            v = version + 1 + uint64(bound(vSeed, 0, 3));
        } else {
            v = uint64(bound(vSeed, 0, 5));
        }
        (uint256 b0, uint256 b1) = outcome(p, balSeed);
        bool fin = finalSeed % 4 == 0;
        Channel.State memory s = state(p, v, bals2(b0, b1), fin);
        try adj.register(signed(p, s), none()) {
            sl.status = REGISTERED;
            sl.version = v;
            sl.bal0 = b0;
            sl.bal1 = b1;
            sl.isFinal = fin;
            if (refutation) ++nRefutations;
            else ++nRegisters;
        } catch (bytes memory err) {
            fault(err);
        }
    }

    /// @notice Force-executes one step of a TrivialApp channel, waiting for its dispute to time
    /// out first if needed.
    function progress(uint256 k, uint256 balSeed, uint256 actorSeed, uint256 finalSeed) external {
        k = 2 + bound(k, 0, 1);
        Slot storage sl = slots[k];
        if (sl.status != REGISTERED || sl.isFinal) return;
        Channel.Params memory p = current(k);
        (uint64 timeout,,, uint8 phase,,) = adj.disputes(idOf(p));
        if (phase == 0 && now_ < timeout) now_ = timeout;
        if (phase == 1 && now_ >= timeout) return;
        vm.warp(now_);
        Channel.State memory old = state(p, sl.version, bals2(sl.bal0, sl.bal1), false);
        uint256 total = sl.bal0 + sl.bal1;
        uint256 b0 = bound(balSeed, 0, total);
        uint256 actor = actorSeed % 2;
        bool fin = finalSeed % 4 == 0;
        Channel.State memory s = state(p, sl.version + 1, bals2(b0, total - b0), fin);
        bytes memory sig = sigOf(keyOf(p.participants[actor].ethAddress), s);
        try adj.progress(p, old, s, actor, sig) {
            sl.version += 1;
            sl.bal0 = b0;
            sl.bal1 = total - b0;
            sl.isFinal = fin;
            ++nProgress;
        } catch (bytes memory err) {
            fault(err);
        }
    }

    /// @notice Lets time pass.
    function warp(uint256 dt) external {
        now_ += bound(dt, 0, 3 * CD);
        vm.warp(now_);
    }

    /// @notice Concludes a registered channel, waiting for its timeout first if needed.
    function conclude(uint256 k) external {
        k = bound(k, 0, SLOTS - 1);
        Slot storage sl = slots[k];
        if (sl.status != REGISTERED) return;
        Channel.Params memory p = current(k);
        bytes32 cid = idOf(p);
        (uint64 timeout, uint64 cd,, uint8 phase,, bool hasApp) = adj.disputes(cid);
        uint256 due = uint256(timeout) + (phase == 0 && hasApp ? cd : 0);
        if (now_ < due) now_ = due;
        vm.warp(now_);
        Channel.State memory s = state(p, sl.version, bals2(sl.bal0, sl.bal1), sl.isFinal);
        try adj.conclude(p, s, noStates()) {
            settle(k, p, sl.bal0, sl.bal1);
            ++nConcludes;
        } catch (bytes memory err) {
            fault(err);
        }
    }

    /// @notice Concludes a channel at once with a final state signed by both.
    function concludeFinal(uint256 k, uint256 vSeed, uint256 balSeed) public {
        k = bound(k, 0, SLOTS - 1);
        if (slots[k].status == SETTLED) return;
        vm.warp(now_);
        Channel.Params memory p = current(k);
        (uint256 b0, uint256 b1) = outcome(p, balSeed);
        Channel.State memory s = state(p, uint64(bound(vSeed, 0, 20)), bals2(b0, b1), true);
        try adj.concludeFinal(p, s, sigsOf(p, s)) {
            settle(k, p, b0, b1);
            ++nConcludeFinals;
        } catch (bytes memory err) {
            fault(err);
        }
    }

    /// @notice Withdraws from a settled channel (any epoch); one call in eight tries to take
    /// more than the model holds, which must fail with InsufficientHoldings (chosen by
    /// `mode % 8 == 3`, not by small modes: the fuzzer favours edge values such as 0 and 1).
    function withdraw(uint256 idx, uint256 whoSeed, uint256 amountSeed, uint8 mode) public {
        if (closed.length == 0) return;
        Closed memory c = closed[bound(idx, 0, closed.length - 1)];
        Channel.Params memory p = paramsOf(c.k, c.epoch);
        uint256 i = whoSeed % 2;
        address who = p.participants[i].ethAddress;
        uint256 held = ghostHeld[fundingID(idOf(p), who)];
        uint256 amount =
            mode % 8 == 3 ? held + 1 + bound(amountSeed, 0, 1 ether) : bound(amountSeed, 0, held);
        address receiver = mode % 3 == 0 ? who : mode % 3 == 1 ? payee : address(wallet);
        // To someone else a withdrawal takes the whole holdings (one in five tries less, which
        // must fail with PartialWithdrawal).
        if (receiver != who && mode % 8 != 3 && mode % 5 != 4) amount = held;
        pay(p, i, receiver, amount);
    }

    /// @notice Gives a settled slot a fresh channel (the next nonce).
    function reopen(uint256 k) external {
        k = bound(k, 0, SLOTS - 1);
        Slot storage sl = slots[k];
        if (sl.status != SETTLED) return;
        sl.epoch += 1;
        sl.status = OPEN;
        sl.version = 0;
        sl.bal0 = 0;
        sl.bal1 = 0;
        sl.isFinal = false;
        ++nReopens;
    }

    /// @notice Settles every open channel and withdraws everything the model holds for the
    /// participants of every settled channel (the end of a run).
    function drain() external {
        for (uint256 k; k < SLOTS; ++k) {
            concludeFinal(k, 1, uint256(keccak256(abi.encode("drain", k))) | 3);
        }
        for (uint256 j; j < closed.length; ++j) {
            Channel.Params memory p = paramsOf(closed[j].k, closed[j].epoch);
            for (uint256 i; i < 2; ++i) {
                uint256 held = ghostHeld[fundingID(idOf(p), p.participants[i].ethAddress)];
                if (held != 0) pay(p, i, p.participants[i].ethAddress, held);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Model
    // -----------------------------------------------------------------------------------------

    function paramsOf(uint256 k, uint256 epoch) internal view returns (Channel.Params memory) {
        uint256[SLOTS] memory first = [uint256(0), 2, 4, 1];
        address app = k >= 2 ? address(trivial) : address(0);
        return params(first[k], 2, app, true, false, k * 1_000_000 + epoch);
    }

    function current(uint256 k) internal view returns (Channel.Params memory) {
        return paramsOf(k, slots[k].epoch);
    }

    function track(bytes32 id) internal {
        if (known[id]) return;
        known[id] = true;
        ids.push(id);
    }

    /// @dev A random outcome: mostly what is held for the channel, sometimes more
    /// (underfunded) or half of it (overfunded).
    function outcome(Channel.Params memory p, uint256 seed)
        internal
        view
        returns (uint256 b0, uint256 b1)
    {
        bytes32 cid = idOf(p);
        uint256 held = ghostHeld[cid] + ghostHeld[fundingID(cid, p.participants[0].ethAddress)]
            + ghostHeld[fundingID(cid, p.participants[1].ethAddress)];
        uint256 mode = seed % 4;
        uint256 total = mode == 0 ? held + 1 + (seed >> 2) % 5 ether : mode == 1 ? held / 2 : held;
        b0 = bound(seed >> 8, 0, total);
        b1 = total - b0;
    }

    /// @dev SPEC section 4's setOutcome on the model.
    function settle(uint256 k, Channel.Params memory p, uint256 b0, uint256 b1) internal {
        bytes32 cid = idOf(p);
        address a0 = p.participants[0].ethAddress;
        address a1 = p.participants[1].ethAddress;
        bytes32 f0 = fundingID(cid, a0);
        bytes32 f1 = fundingID(cid, a1);
        uint256 held = ghostHeld[cid] + ghostHeld[f0] + ghostHeld[f1];
        if (held >= b0 + b1) {
            ghostUnassigned += held - b0 - b1;
            ghostHeld[f0] = b0;
            ghostHeld[f1] = b1;
        } else {
            ghostUnassigned += ghostHeld[cid];
        }
        ghostHeld[cid] = 0;
        ghostSettled[cid] = true;
        entitlement[cid][a0] = ghostHeld[f0];
        entitlement[cid][a1] = ghostHeld[f1];
        track(cid);
        track(f0);
        track(f1);
        channelIDs.push(cid);
        pairs.push(Pair(cid, a0));
        pairs.push(Pair(cid, a1));
        closed.push(Closed(k, slots[k].epoch));
        slots[k].status = SETTLED;
    }

    function pay(Channel.Params memory p, uint256 i, address receiver, uint256 amount) internal {
        vm.warp(now_);
        bytes32 cid = idOf(p);
        address who = p.participants[i].ethAddress;
        bytes32 f = fundingID(cid, who);
        uint256 held = ghostHeld[f];
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, i, receiver, amount);
        uint256 before = receiver.balance;
        try eth.withdraw(a, sig) {
            if (amount > held) {
                ++overdrafts;
                ghostHeld[f] = 0;
            } else {
                ghostHeld[f] = held - amount;
            }
            if (receiver.balance != before + amount) fault("receiver not paid the amount");
            ghostWithdrawn += amount;
            withdrawnBy[cid][who] += amount;
            ++nWithdrawals;
        } catch (bytes memory err) {
            if (
                amount > held
                    && keccak256(err)
                        == keccak256(abi.encodeWithSelector(InsufficientHoldings.selector))
            ) {
                ++nRejectedOverdraws;
            } else if (
                amount < held && receiver != who
                    && keccak256(err)
                        == keccak256(abi.encodeWithSelector(PartialWithdrawal.selector))
            ) {
                ++nRejectedPartials;
            } else {
                fault(err);
            }
        }
    }

    function fault(bytes memory err) internal {
        ++unexpected;
        lastUnexpected = err;
    }
}

contract InvariantTest is Test {
    PerunHandler internal h;
    AssetHolderETH internal eth;

    function setUp() public {
        h = new PerunHandler();
        eth = h.holder();
        targetContract(address(h));
        bytes4[] memory selectors = new bytes4[](8);
        selectors[0] = PerunHandler.deposit.selector;
        selectors[1] = PerunHandler.register.selector;
        selectors[2] = PerunHandler.progress.selector;
        selectors[3] = PerunHandler.warp.selector;
        selectors[4] = PerunHandler.conclude.selector;
        selectors[5] = PerunHandler.concludeFinal.selector;
        selectors[6] = PerunHandler.withdraw.selector;
        selectors[7] = PerunHandler.reopen.selector;
        targetSelector(FuzzSelector(address(h), selectors));
    }

    // -----------------------------------------------------------------------------------------
    // Invariants
    // -----------------------------------------------------------------------------------------

    function invariant_holderBalanceIsDepositsMinusWithdrawals() public view {
        assertEq(address(eth).balance, h.ghostDeposited() - h.ghostWithdrawn(), "holder balance");
    }

    function invariant_holdingsWithinBalance() public view {
        uint256 sum;
        for (uint256 i; i < h.idCount(); ++i) {
            sum += eth.holdings(h.idAt(i));
        }
        assertLe(sum, address(eth).balance, "holdings exceed the balance");
        assertEq(sum + h.ghostUnassigned(), address(eth).balance, "unassigned funds");
    }

    function invariant_holdingsMatchModel() public view {
        for (uint256 i; i < h.idCount(); ++i) {
            bytes32 id = h.idAt(i);
            assertEq(eth.holdings(id), h.ghostHeld(id), "holdings entry");
        }
        for (uint256 i; i < h.channelCount(); ++i) {
            assertTrue(eth.settled(h.channelAt(i)), "settled channel");
        }
    }

    function invariant_noOneWithdrewMoreThanEntitled() public view {
        for (uint256 i; i < h.pairCount(); ++i) {
            (bytes32 cid, address who) = h.pairAt(i);
            assertLe(h.withdrawnBy(cid, who), h.entitlement(cid, who), "withdrew too much");
        }
        assertEq(h.overdrafts(), 0, "overdrafts");
    }

    function invariant_noUnexpectedReverts() public view {
        assertEq(h.unexpected(), 0, string(h.lastUnexpected()));
    }

    /// @notice At the end of every run: settle everything, take everything out, and check that
    /// only unassigned funds (and deposits under settled channel IDs) are left.
    function afterInvariant() public {
        h.drain();
        checkDrained();
    }

    function checkDrained() internal view {
        assertEq(h.unexpected(), 0, string(h.lastUnexpected()));
        for (uint256 i; i < h.pairCount(); ++i) {
            (bytes32 cid, address who) = h.pairAt(i);
            assertEq(eth.holdings(keccak256(abi.encode(cid, who))), 0, "participant drained");
            assertLe(h.withdrawnBy(cid, who), h.entitlement(cid, who), "withdrew too much");
        }
        uint256 stuck;
        for (uint256 i; i < h.channelCount(); ++i) {
            stuck += eth.holdings(h.channelAt(i));
        }
        assertEq(address(eth).balance, h.ghostUnassigned() + stuck, "left in the holder");
        assertEq(h.ghostDeposited(), h.ghostWithdrawn() + h.ghostUnassigned() + stuck, "ghosts");
        if (h.ghostDeposited() > h.ghostUnassigned() + stuck) {
            assertGt(h.ghostWithdrawn(), 0, "withdrawals happened");
        }
    }

    // -----------------------------------------------------------------------------------------
    // The handler, deterministically
    // -----------------------------------------------------------------------------------------

    function test_handlerSequence_movesGhosts() public {
        uint256 max = type(uint256).max;
        // Channel 0 (no app): deposits, a channel-ID deposit, register, refute, conclude.
        h.deposit(0, 0, 1 ether);
        h.deposit(0, 1, 2 ether);
        h.deposit(0, 2, 1 ether);
        h.register(0, 1, 2 << 8 | 2, 1); // exactly funded: 4 ether, split by the seed
        h.register(0, 0, 3 << 8 | 2, 1); // refutation, version + 1
        h.conclude(0);
        // Channel 2 (TrivialApp): register, progress twice, conclude.
        h.deposit(2, 0, 3 ether);
        h.register(2, 2, 2, 1);
        h.progress(0, 1 ether, 1, 1);
        h.progress(0, 2 ether, 0, 1);
        h.conclude(0 + 2);
        // Channel 1: overfunded concludeFinal; then reopen it.
        h.deposit(1, 0, 4 ether);
        h.concludeFinal(1, 7, 1 << 8 | 1);
        h.reopen(1);
        // Withdrawals: everything, an overdraw attempt, and a deposit after settlement.
        h.withdraw(0, 0, max, 255);
        h.withdraw(0, 1, max, 254);
        h.withdraw(1, 0, max, 253);
        h.withdraw(2, 1, 1, 3);
        h.deposit(0, 0, 1 ether); // channel 0 was settled: a post-settlement deposit...
        assertEq(h.nDeposits(), 6, "deposits");
        assertEq(h.nRegisters(), 2, "registrations");
        assertEq(h.nRefutations(), 1, "refutations");
        assertEq(h.nProgress(), 2, "progress");
        assertEq(h.nConcludes(), 2, "concludes");
        assertEq(h.nConcludeFinals(), 1, "concludeFinals");
        assertEq(h.nReopens(), 1, "reopens");
        assertGe(h.nWithdrawals(), 3, "withdrawals");
        assertEq(h.nRejectedOverdraws(), 1, "overdraw rejected");
        assertGt(h.ghostWithdrawn(), 0, "ghost withdrawals moved");
        assertEq(h.ghostDeposited(), 12 ether, "ghost deposits moved");
        assertEq(h.ghostUnassigned(), 2 ether, "channel 1 was overfunded by half");
        invariant_holderBalanceIsDepositsMinusWithdrawals();
        invariant_holdingsWithinBalance();
        invariant_holdingsMatchModel();
        invariant_noOneWithdrewMoreThanEntitled();
        invariant_noUnexpectedReverts();
        h.drain();
        checkDrained();
    }
}

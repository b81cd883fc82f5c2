// SPDX-License-Identifier: Apache-2.0
// Differences: one test per SPEC section 8 difference from v1, and the 2^255 holdings cap.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    BalanceOverflow,
    InvalidParams,
    NotSettled,
    TimeoutNotPassed,
    TokenTransferFailed
} from "../../contracts/solidity/Errors.sol";
import {TestToken} from "./utils/TestToken.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice A contract wallet whose `receive` needs far more than the 2,300 gas of `transfer`:
/// it writes two storage slots.
contract CostlyWallet {
    uint256 public received;
    uint256 public payments;

    receive() external payable {
        received += msg.value;
        payments += 1;
    }
}

/// @notice SPEC section 8, one test (or group) per difference:
/// (a) a dispute record takes two storage slots (v1: three);
/// (b) a sub-channel concludes with its parent only after its own timeout (v1: never checked);
/// (c) ETH is paid with a call forwarding gas (v1: `transfer`, 2,300 gas);
/// (d) ERC20 tokens that return no value work, fee-on-transfer tokens are credited net (v1:
///     `require(token.transferFrom(..))` and crediting the nominal amount);
/// (e) reverts carry custom errors (v1: revert strings).
///
/// Our one extra limit: a holdings entry holds at most 2^255 - 1, because its top bit marks a
/// channel ID's entry as settled (one storage slot for both `holdings(channelID)` and
/// `settled(channelID)`). A deposit that would bring an entry to 2^255 or more reverts with
/// `BalanceOverflow` (v1 reverted only beyond 2^256 - 1). No real asset comes near.
contract DifferencesTest is PerunTest {
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;
    uint256 internal constant SETTLED = 1 << 255;

    function slotOf(bytes32 key, uint256 mappingSlot) internal pure returns (bytes32) {
        return keccak256(abi.encode(key, mappingSlot));
    }

    // -----------------------------------------------------------------------------------------
    // (a) Two storage slots per dispute record
    // -----------------------------------------------------------------------------------------

    function packed(uint256 timeout, uint256 cd, uint256 version, uint256 phase, bool hasApp)
        internal
        pure
        returns (bytes32)
    {
        return bytes32(
            timeout | (cd << 64) | (version << 128) | (phase << 192)
                | (uint256(hasApp ? 1 : 0) << 200)
        );
    }

    /// @dev v1 keeps hasApp alone in the third slot; here it is packed into the first, and the
    /// third slot stays empty through every phase.
    function test_Diff_DisputeRecordTakesTwoSlots() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        bytes32 id = idOf(p);
        bytes32 slot0 = slotOf(id, 0);
        bytes32 slot1 = bytes32(uint256(slot0) + 1);
        bytes32 slot2 = bytes32(uint256(slot0) + 2);

        Channel.State memory s1 = state(p, 7, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        assertEq(vm.load(address(adj), slot0), packed(START + CD, CD, 7, 0, true), "DISPUTE slot 0");
        assertEq(vm.load(address(adj), slot1), hashOf(s1), "DISPUTE slot 1");
        assertEq(vm.load(address(adj), slot2), bytes32(0), "DISPUTE slot 2");

        vm.warp(START + CD + 3);
        Channel.State memory s2 = state(p, 8, bals2(B, A), false);
        adj.progress(p, s1, s2, 1, sigOf(keys[1], s2));
        assertEq(
            vm.load(address(adj), slot0),
            packed(START + 2 * CD + 3, CD, 8, 1, true),
            "FORCEEXEC slot 0"
        );
        assertEq(vm.load(address(adj), slot1), hashOf(s2), "FORCEEXEC slot 1");
        assertEq(vm.load(address(adj), slot2), bytes32(0), "FORCEEXEC slot 2");

        vm.warp(START + 2 * CD + 3);
        adj.conclude(p, s2, noStates());
        assertEq(
            vm.load(address(adj), slot0),
            packed(START + 2 * CD + 3, CD, 8, 2, true),
            "CONCLUDED slot 0"
        );
        assertEq(vm.load(address(adj), slot1), hashOf(s2), "CONCLUDED slot 1");
        assertEq(vm.load(address(adj), slot2), bytes32(0), "CONCLUDED slot 2");
    }

    /// @dev The packing with extreme values: each field in its own bits, nothing above bit 207.
    function test_Diff_DisputeRecordPackingBounds() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        p.challengeDuration = type(uint64).max - START;
        Channel.State memory s = state(p, type(uint64).max, bals2(A, B), false);
        adj.register(signed(p, s), none());
        bytes32 word = vm.load(address(adj), slotOf(idOf(p), 0));
        assertEq(
            word, packed(type(uint64).max, type(uint64).max - START, type(uint64).max, 0, true)
        );
        assertEq(uint256(word) >> 208, 0, "bits above hasApp");
    }

    /// @dev Only two slots are ever written by a registration.
    function test_Diff_RegisterWritesTwoSlots() public {
        Channel.Params memory p = ledger2(address(trivial), 1);
        bytes32 slot0 = slotOf(idOf(p), 0);
        vm.record();
        adj.register(signed(p, state(p, 1, bals2(A, B), false)), none());
        (, bytes32[] memory writes) = vm.accesses(address(adj));
        for (uint256 i; i < writes.length; ++i) {
            assertTrue(
                writes[i] == slot0 || writes[i] == bytes32(uint256(slot0) + 1),
                "write outside the two record slots"
            );
        }
        assertGt(writes.length, 0, "record written");
    }

    // -----------------------------------------------------------------------------------------
    // (b) A sub-channel's own timeout
    // -----------------------------------------------------------------------------------------

    /// @dev A parent registered at START (timeout START + CD) and refuted at START + CD - 1 with
    /// a state locking a sub-channel, which is registered then: the sub-channel's own timeout is
    /// START + 2 CD - 1, after the parent's. (A sub-channel's challenge duration may not exceed
    /// its parent's, so a late registration is how its timeout comes after the parent's.)
    function parentWithSub()
        internal
        returns (
            Channel.Params memory p,
            Channel.State memory ps,
            Channel.Params memory sub,
            Channel.State memory ss
        )
    {
        p = ledger2(address(0), 1);
        sub = params(0, 2, address(0), false, false, 9);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        adj.register(signed(p, state(p, 3, bals2(A, B), false)), none());
        ps = state(p, 4, bals2(A / 2, B / 2), false);
        uint256[] memory locked = new uint256[](1);
        locked[0] = (A + B) / 2;
        uint16[] memory indexMap = new uint16[](2);
        indexMap[1] = 1;
        ps.outcome.locked = new Channel.SubAlloc[](1);
        ps.outcome.locked[0] = Channel.SubAlloc(idOf(sub), locked, indexMap);
        ss = state(sub, 2, bals2(B / 2, A / 2), false);
        vm.warp(START + CD - 1);
        adj.register(signed(p, ps), one(signed(sub, ss)));
    }

    /// @dev v1 concludes the parent at START + CD and force-concludes the sub-channel with it,
    /// cutting the sub-channel's refutation window short.
    function test_Diff_SubChannelTimeoutBlocksParentConclude() public {
        (Channel.Params memory p, Channel.State memory ps,, Channel.State memory ss) =
            parentWithSub();
        vm.warp(START + CD);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, ps, oneState(ss));
        vm.warp(START + 2 * CD - 2);
        vm.expectRevert(TimeoutNotPassed.selector);
        adj.conclude(p, ps, oneState(ss));
    }

    /// @dev The sub-channel can still be refuted after the parent's timeout, and the parent
    /// concludes with the refuted outcome once the sub-channel's timeout passed.
    function test_Diff_SubChannelRefutableAfterParentTimeout() public {
        (Channel.Params memory p, Channel.State memory ps, Channel.Params memory sub,) =
            parentWithSub();
        vm.warp(START + CD + 10);
        // Refute the sub-channel through the parent (its state unchanged: the same-hash no-op).
        Channel.State memory ss2 = state(sub, 3, bals2(0, (A + B) / 2), false);
        adj.register(signed(p, ps), one(signed(sub, ss2)));
        (uint64 subTimeout,, uint64 subVersion, uint8 subPhase,,) = record(keyOfState(ss2));
        assertEq(subTimeout, START + 2 * CD - 1, "sub timeout kept");
        assertEq(subVersion, 3, "sub refuted");
        assertEq(subPhase, 0, "sub in DISPUTE");
        vm.warp(START + 2 * CD - 1);
        adj.conclude(p, ps, oneState(ss2));
        bytes32 id = idOf(p);
        assertEq(eth.holdings(fundingID(id, addrs[0])), A / 2, "holdings 0");
        assertEq(eth.holdings(fundingID(id, addrs[1])), B / 2 + (A + B) / 2, "holdings 1");
        (,,, subPhase,,) = record(keyOfState(ss2));
        assertEq(subPhase, 2, "sub concluded");
    }

    // -----------------------------------------------------------------------------------------
    // (c) ETH to contract wallets
    // -----------------------------------------------------------------------------------------

    /// @dev v1's `receiver.transfer(amount)` gives the wallet 2,300 gas and reverts.
    function test_Diff_WithdrawETHToCostlyContractWallet() public {
        CostlyWallet wallet = new CostlyWallet();
        // The wallet really needs more than transfer's stipend.
        vm.deal(address(this), 1);
        (bool ok,) = address(wallet).call{value: 1, gas: 2300}("");
        assertFalse(ok, "wallet accepts 2,300 gas");

        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        Channel.State memory s = state(p, 3, bals2(B, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, address(wallet), B);
        eth.withdraw(a, sig);
        assertEq(address(wallet).balance, B, "wallet balance");
        assertEq(wallet.received(), B, "wallet bookkeeping");
        assertEq(wallet.payments(), 1, "one payment");
        assertEq(eth.holdings(fundingID(idOf(p), addrs[0])), 0, "holdings debited");
    }

    // -----------------------------------------------------------------------------------------
    // (d) ERC20 tokens in the wild
    // -----------------------------------------------------------------------------------------

    function erc20Channel() internal view returns (Channel.Params memory p) {
        p = ledger2(address(0), 11);
    }

    function erc20State(Channel.Params memory p, uint256[] memory b)
        internal
        view
        returns (Channel.State memory s)
    {
        s = state(p, 5, b, true);
        s.outcome.assets[0] = Channel.Asset(block.chainid, address(erc20), "");
    }

    function depositToken(Channel.Params memory p, uint256 i, uint256 amount) internal {
        address who = p.participants[i].ethAddress;
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(erc20), amount);
        vm.prank(who);
        erc20.deposit(fundingID(idOf(p), who), amount);
    }

    /// @dev Credits `amount` of tokens to participant `i`'s funding ID without `deposit`: mints
    /// them to the holder and writes the holdings entry (the holder's `_holdings` mapping is at
    /// storage slot 0), so the withdrawal tests exercise `withdraw` alone.
    function seedToken(Channel.Params memory p, uint256 i, uint256 amount) internal {
        bytes32 fid = fundingID(idOf(p), p.participants[i].ethAddress);
        token.mint(address(erc20), amount);
        bytes32 slot = slotOf(fid, 0);
        vm.store(address(erc20), slot, bytes32(uint256(vm.load(address(erc20), slot)) + amount));
        assertEq(erc20.holdings(fid), amount, "seeded holdings");
    }

    /// @dev A plain token deposit credits the amount (the control of the tests below).
    /// Regression: AssetHolderERC20._balance() once computed `and(staticcall(..),
    /// gt(returndatasize(), 31))`; Yul evaluates arguments right to left, so returndatasize()
    /// was read before the staticcall (0 at the start of `deposit`) and every ERC20 deposit
    /// reverted with TokenTransferFailed right after a successful balanceOf. Fixed in the
    /// working tree during this work (two statements); this test and the three deposit tests
    /// below failed before the fix.
    function test_ERC20_DepositCreditsAmount() public {
        Channel.Params memory p = erc20Channel();
        bytes32 fid = fundingID(idOf(p), addrs[0]);
        token.mint(addrs[0], 600);
        vm.prank(addrs[0]);
        token.approve(address(erc20), 600);
        vm.expectEmit(true, true, true, true, address(erc20));
        emit AssetHolder.Deposited(fid, 600);
        vm.prank(addrs[0]);
        erc20.deposit(fid, 600);
        assertEq(erc20.holdings(fid), 600, "credited");
        assertEq(token.balanceOf(address(erc20)), 600, "holder's tokens");
        assertEq(token.balanceOf(addrs[0]), 0, "pulled from the caller");
    }

    /// @dev v1 requires `transferFrom` to return true; decoding no return data as a bool
    /// reverts there. (Regression for the `_balance()` evaluation order, above.)
    function test_Diff_TokenWithoutReturnValueDeposit() public {
        token.setMode(TestToken.Mode.NoReturn);
        Channel.Params memory p = erc20Channel();
        bytes32 id = idOf(p);
        depositToken(p, 0, 600);
        depositToken(p, 1, 400);
        assertEq(erc20.holdings(fundingID(id, addrs[0])), 600, "credited 0");
        assertEq(erc20.holdings(fundingID(id, addrs[1])), 400, "credited 1");
        assertEq(token.balanceOf(address(erc20)), 1000, "holder's tokens");
    }

    /// @dev v1 requires `transfer` to return true.
    function test_Diff_TokenWithoutReturnValueWithdraw() public {
        Channel.Params memory p = erc20Channel();
        bytes32 id = idOf(p);
        seedToken(p, 0, 600);
        seedToken(p, 1, 400);
        Channel.State memory s = erc20State(p, bals2(100, 900));
        adj.concludeFinal(p, s, sigsOf(p, s));
        token.setMode(TestToken.Mode.NoReturn);
        address receiver = makeAddr("receiver");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, receiver, 900);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(receiver), 900, "receiver's tokens");
        assertEq(token.balanceOf(address(erc20)), 100, "holder's tokens");
        assertEq(erc20.holdings(fundingID(id, addrs[1])), 0, "holdings debited");
    }

    /// @dev Contrast: a token whose `transfer` returns false is still rejected, and the
    /// holdings stay.
    function test_RevertWhen_TokenTransferReturnsFalse() public {
        Channel.Params memory p = erc20Channel();
        seedToken(p, 0, 600);
        Channel.State memory s = erc20State(p, bals2(600, 0));
        adj.concludeFinal(p, s, sigsOf(p, s));
        token.setMode(TestToken.Mode.ReturnFalse);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 600);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fundingID(idOf(p), addrs[0])), 600, "holdings kept");
    }

    /// @dev v1 credits the nominal amount, more than the holder received. (Regression for the
    /// `_balance()` evaluation order, above.)
    function test_Diff_FeeOnTransferTokenCreditedNet() public {
        token.setMode(TestToken.Mode.Fee); // 1 % fee
        Channel.Params memory p = erc20Channel();
        bytes32 id = idOf(p);
        address who = addrs[0];
        token.mint(who, 10_000);
        vm.prank(who);
        token.approve(address(erc20), 10_000);
        vm.expectEmit(true, true, true, true, address(erc20));
        emit AssetHolder.Deposited(fundingID(id, who), 9_900);
        vm.prank(who);
        erc20.deposit(fundingID(id, who), 10_000);
        assertEq(erc20.holdings(fundingID(id, who)), 9_900, "credited what arrived");
        assertEq(token.balanceOf(address(erc20)), 9_900, "holder's tokens");

        // The credit is fully withdrawable (the receiver bears the fee of the payout).
        Channel.State memory s = erc20State(p, bals2(9_900, 0));
        adj.concludeFinal(p, s, sigsOf(p, s));
        address receiver = makeAddr("receiver");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, receiver, 9_900);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(address(erc20)), 0, "holder empty");
        assertEq(token.balanceOf(receiver), 9_801, "receiver's tokens after the fee");
    }

    // -----------------------------------------------------------------------------------------
    // (e) Custom errors
    // -----------------------------------------------------------------------------------------

    /// @dev v1 reverts with `Error(string)` ("invalid params", "channel not settled").
    function test_Diff_RevertsCarryCustomErrors() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.State memory s = state(p, 1, bals2(A, B), false);
        s.channelID = bytes32(0);
        (bool ok, bytes memory ret) =
            address(adj).call(abi.encodeCall(adj.register, (signed(p, s), none())));
        assertFalse(ok, "register reverted");
        assertEq(ret, abi.encodePacked(InvalidParams.selector), "register: InvalidParams()");
        assertEq(ret.length, 4, "register: selector only");
        assertTrue(bytes4(ret) != bytes4(0x08c379a0), "register: not Error(string)");

        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 1);
        (ok, ret) = address(eth).call(abi.encodeCall(eth.withdraw, (a, sig)));
        assertFalse(ok, "withdraw reverted");
        assertEq(ret, abi.encodePacked(NotSettled.selector), "withdraw: NotSettled()");
    }

    // -----------------------------------------------------------------------------------------
    // Our extra limit: holdings below 2^255
    // -----------------------------------------------------------------------------------------

    function test_Holdings_DepositUpTo2Pow255Minus1() public {
        bytes32 fid = keccak256("fid");
        vm.deal(address(this), SETTLED - 1);
        eth.deposit{value: SETTLED - 2}(fid, SETTLED - 2);
        eth.deposit{value: 1}(fid, 1);
        assertEq(eth.holdings(fid), SETTLED - 1, "holdings");
        assertFalse(eth.settled(fid), "not settled: the top bit is free");
    }

    function test_RevertWhen_DepositReaches2Pow255() public {
        bytes32 fid = keccak256("fid");
        vm.deal(address(this), SETTLED);
        eth.deposit{value: SETTLED - 1}(fid, SETTLED - 1);
        vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: 1}(fid, 1);
        assertEq(eth.holdings(fid), SETTLED - 1, "unchanged");
        assertFalse(eth.settled(fid), "not settled");
    }

    function test_RevertWhen_SingleDepositOf2Pow255() public {
        vm.deal(address(this), SETTLED);
        vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: SETTLED}(keccak256("fid"), SETTLED);
    }

    /// @dev Regression for the `_balance()` evaluation order (above) too.
    function test_RevertWhen_TokenDepositReaches2Pow255() public {
        bytes32 fid = keccak256("fid");
        token.mint(address(this), SETTLED);
        token.approve(address(erc20), type(uint256).max);
        erc20.deposit(fid, SETTLED - 1);
        vm.expectRevert(BalanceOverflow.selector);
        erc20.deposit(fid, 1);
    }

    /// @dev After settlement the channel ID's entry has its top bit set: `settled` reads the
    /// bit, `holdings` the 255 bits below it, and a deposit under the channel ID keeps both.
    function test_Holdings_SettledBitSplit() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 id = idOf(p);
        depositETH(p, 0, A);
        Channel.State memory s = state(p, 3, bals2(0, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        bytes32 raw = vm.load(address(eth), slotOf(id, 0));
        assertEq(uint256(raw), SETTLED, "raw entry: settled bit only");
        assertTrue(eth.settled(id), "settled");
        assertEq(eth.holdings(id), 0, "holdings without the bit");

        uint256 big = SETTLED - 1;
        vm.deal(address(this), big);
        eth.deposit{value: big}(id, big);
        raw = vm.load(address(eth), slotOf(id, 0));
        assertEq(uint256(raw), SETTLED | big, "raw entry: bit and amount");
        assertTrue(eth.settled(id), "still settled");
        assertEq(eth.holdings(id), big, "holdings: the low 255 bits");
        vm.deal(address(this), 1);
        vm.expectRevert(BalanceOverflow.selector);
        eth.deposit{value: 1}(id, 1);
        // Participant entries are plain amounts.
        assertEq(uint256(vm.load(address(eth), slotOf(fundingID(id, addrs[1]), 0))), A, "fid entry");
    }
}

// SPDX-License-Identifier: Apache-2.0
// AssetHolderETH: deposits, outcomes, withdrawals, signatures, payouts to contracts and reentrancy.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderETH} from "../../contracts/solidity/AssetHolderETH.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    AlreadySettled,
    EthTransferFailed,
    InsufficientHoldings,
    InvalidSignature,
    InvalidSignatureLength,
    InvalidSignatureS,
    InvalidSignatureV,
    NotSettled,
    OnlyAdjudicator,
    OutcomeLengthMismatch,
    Reentrancy,
    WrongDepositValue
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice A receiver that, on its first payment, calls `holder` with a prepared call (a second
/// withdrawal) and records how that inner call ended; it swallows the inner revert or, when
/// `bubble` is set, reverts with the inner revert data.
contract ReentrantReceiver {
    address internal immutable holder;
    bytes internal reenterCall;
    bool internal bubble;
    bool public attempted;
    bool public innerOk;
    bytes public innerData;
    uint256 public received;

    constructor(address holder_) {
        holder = holder_;
    }

    function arm(bytes calldata call_, bool bubble_) external {
        reenterCall = call_;
        bubble = bubble_;
    }

    receive() external payable {
        received += msg.value;
        if (attempted || reenterCall.length == 0) return;
        attempted = true;
        (bool ok, bytes memory data) = holder.call(reenterCall);
        innerOk = ok;
        innerData = data;
        if (bubble && !ok) {
            assembly ("memory-safe") {
                revert(add(data, 32), mload(data))
            }
        }
    }
}

/// @notice A receiver that deposits what it is paid straight back under `fid`.
contract DepositingReceiver {
    AssetHolderETH internal immutable holder;
    bytes32 internal immutable fid;

    constructor(AssetHolderETH holder_, bytes32 fid_) {
        holder = holder_;
        fid = fid_;
    }

    receive() external payable {
        holder.deposit{value: msg.value}(fid, msg.value);
    }
}

/// @notice A receiver that refuses every payment.
contract RevertingReceiver {
    receive() external payable {
        revert("RevertingReceiver: no");
    }
}

/// @notice A contract without `receive` or a payable fallback.
contract NoReceive {}

/// @notice A contract wallet whose `receive` writes storage: far more than 2,300 gas.
contract GasHungryWallet {
    uint256[] public receipts;

    receive() external payable {
        receipts.push(msg.value);
    }

    function count() external view returns (uint256) {
        return receipts.length;
    }
}

/// @notice Makes two calls to the holder in one transaction; both must succeed.
contract Batcher {
    function both(address target, bytes calldata first, bytes calldata second) external {
        (bool ok,) = target.call(first);
        require(ok, "Batcher: first failed");
        (ok,) = target.call(second);
        require(ok, "Batcher: second failed");
    }
}

contract AssetHolderETHTest is PerunTest {
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;
    uint256 internal constant N =
        0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141;

    address internal stranger;
    address internal payee;

    function setUp() public override {
        super.setUp();
        stranger = makeAddr("stranger");
        payee = makeAddr("payee");
    }

    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    /// @dev Deposits `d0`, `d1` for participants 0 and 1 of `p` and sets the outcome `o0`, `o1`
    /// as the Adjudicator.
    function settle(Channel.Params memory p, uint256 d0, uint256 d1, uint256 o0, uint256 o1)
        internal
        returns (bytes32 cid)
    {
        if (d0 != 0) depositETH(p, 0, d0);
        if (d1 != 0) depositETH(p, 1, d1);
        cid = idOf(p);
        vm.prank(address(adj));
        eth.setOutcome(cid, p.participants, bals2(o0, o1));
    }

    function fid(Channel.Params memory p, uint256 i) internal pure returns (bytes32) {
        return fundingID(idOf(p), p.participants[i].ethAddress);
    }

    function split(bytes memory sig) internal pure returns (bytes32 r, bytes32 s, uint8 v) {
        assembly ("memory-safe") {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
    }

    // -----------------------------------------------------------------------------------------
    // deposit
    // -----------------------------------------------------------------------------------------

    function test_deposit_creditsFundingID() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        depositETH(p, 0, B);
        assertEq(eth.holdings(fid(p, 0)), A + B, "holdings");
        assertEq(eth.holdings(fid(p, 1)), 0, "other participant");
        assertEq(address(eth).balance, A + B, "holder balance");
        assertFalse(eth.settled(idOf(p)), "not settled");
    }

    function test_deposit_revertsWhenValueExceedsAmount() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.deal(stranger, B);
        vm.prank(stranger);
        vm.expectRevert(WrongDepositValue.selector);
        eth.deposit{value: A + 1}(f, A);
    }

    function test_deposit_revertsWhenValueBelowAmount() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.deal(stranger, B);
        vm.prank(stranger);
        vm.expectRevert(WrongDepositValue.selector);
        eth.deposit{value: A - 1}(f, A);
    }

    function test_deposit_revertsWithoutValue() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.prank(stranger);
        vm.expectRevert(WrongDepositValue.selector);
        eth.deposit(f, A);
    }

    function test_deposit_anyoneForAnyFundingID() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 arbitrary = keccak256("not a funding ID of any channel");
        vm.deal(stranger, 3 * A);
        vm.prank(stranger);
        eth.deposit{value: A}(fid(p, 1), A);
        vm.prank(stranger);
        eth.deposit{value: A}(arbitrary, A);
        vm.prank(stranger);
        eth.deposit{value: A}(idOf(p), A);
        assertEq(eth.holdings(fid(p, 1)), A, "participant's funding ID");
        assertEq(eth.holdings(arbitrary), A, "arbitrary ID");
        assertEq(eth.holdings(idOf(p)), A, "channel ID");
        assertFalse(eth.settled(idOf(p)), "a deposit under the channel ID does not settle it");
        assertEq(address(eth).balance, 3 * A);
    }

    function test_deposit_emitsDeposited() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.deal(stranger, A);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.Deposited(f, A);
        vm.prank(stranger);
        eth.deposit{value: A}(f, A);
    }

    function test_deposit_zeroAmount() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.Deposited(f, 0);
        vm.prank(stranger);
        eth.deposit(f, 0);
        assertEq(eth.holdings(f), 0);
    }

    function test_views() public view {
        assertEq(eth.adjudicator(), address(adj), "adjudicator");
    }

    // -----------------------------------------------------------------------------------------
    // setOutcome
    // -----------------------------------------------------------------------------------------

    function test_setOutcome_onlyAdjudicator() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        address[3] memory callers = [stranger, addrs[0], address(registry)];
        for (uint256 i; i < callers.length; ++i) {
            vm.prank(callers[i]);
            vm.expectRevert(OnlyAdjudicator.selector);
            eth.setOutcome(cid, p.participants, bals2(0, 0));
        }
        assertFalse(eth.settled(cid));
    }

    function test_setOutcome_onlyOnce() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = settle(p, A, A, B, 0);
        vm.prank(address(adj));
        vm.expectRevert(AlreadySettled.selector);
        eth.setOutcome(cid, p.participants, bals2(0, B));
        assertEq(eth.holdings(fid(p, 0)), B, "first outcome stays");
    }

    function test_setOutcome_onlyOnce_afterConcludeFinal() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        Channel.State memory s = state(p, 1, bals2(0, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertTrue(eth.settled(idOf(p)));
        vm.prank(address(adj));
        vm.expectRevert(AlreadySettled.selector);
        eth.setOutcome(idOf(p), p.participants, bals2(A, 0));
    }

    function test_setOutcome_revertsOnLengthMismatch() public {
        Channel.Params memory p = ledger2(address(0), 1);
        uint256[] memory three = new uint256[](3);
        uint256[] memory oneBal = new uint256[](1);
        vm.prank(address(adj));
        vm.expectRevert(OutcomeLengthMismatch.selector);
        eth.setOutcome(idOf(p), p.participants, three);
        vm.prank(address(adj));
        vm.expectRevert(OutcomeLengthMismatch.selector);
        eth.setOutcome(idOf(p), p.participants, oneBal);
        assertFalse(eth.settled(idOf(p)));
    }

    function test_setOutcome_emitsOutcomeSetAndSettles() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.OutcomeSet(cid);
        vm.prank(address(adj));
        eth.setOutcome(cid, p.participants, bals2(0, 0));
        assertTrue(eth.settled(cid), "settled");
        assertEq(eth.holdings(cid), 0, "the settled flag is not part of the holdings");
    }

    function test_setOutcome_exactlyFunded_appliesOutcome() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, B, A);
        assertEq(eth.holdings(fid(p, 0)), B);
        assertEq(eth.holdings(fid(p, 1)), A);
    }

    function test_setOutcome_underfunded_everyoneKeepsDeposit() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = settle(p, A, B, 3 * A, 3 * A);
        assertTrue(eth.settled(cid), "settled");
        assertEq(eth.holdings(fid(p, 0)), A, "participant 0 keeps its deposit");
        assertEq(eth.holdings(fid(p, 1)), B, "participant 1 keeps its deposit");
        // Each can take its deposit back, and no more.
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, addrs[1], B);
        eth.withdraw(a, sig);
        assertEq(addrs[1].balance, B);
        (a, sig) = auth(p, 0, addrs[0], A + 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function test_setOutcome_overfunded_excessStaysUnassigned() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, 5 * A, 5 * A, 3 * A, 4 * A);
        assertEq(eth.holdings(fid(p, 0)), 3 * A);
        assertEq(eth.holdings(fid(p, 1)), 4 * A);
        assertEq(address(eth).balance, 10 * A, "nothing leaves the holder");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 3 * A);
        eth.withdraw(a, sig);
        (a, sig) = auth(p, 1, addrs[1], 4 * A);
        eth.withdraw(a, sig);
        assertEq(address(eth).balance, 3 * A, "the excess stays, assigned to nobody");
        (a, sig) = auth(p, 1, addrs[1], 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function test_setOutcome_channelIDDepositsCountAndAreUsedUp() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        vm.deal(stranger, 4 * A);
        vm.prank(stranger);
        eth.deposit{value: 4 * A}(cid, 4 * A);
        // 4 under the channel ID + 1 from participant 0 cover the outcome 2 + 3.
        settle(p, A, 0, 2 * A, 3 * A);
        assertEq(eth.holdings(fid(p, 0)), 2 * A);
        assertEq(eth.holdings(fid(p, 1)), 3 * A);
        assertEq(eth.holdings(cid), 0, "the channel ID's funds are used up");
        assertTrue(eth.settled(cid));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, addrs[1], 3 * A);
        eth.withdraw(a, sig);
        (a, sig) = auth(p, 0, addrs[0], 2 * A);
        eth.withdraw(a, sig);
        assertEq(address(eth).balance, 0, "all paid out");
    }

    function test_setOutcome_channelIDDepositsUsedUpWhenUnderfunded() public {
        // v1's rule: the channel ID's entry is zeroed even when the outcome is not covered; the
        // participants keep their own deposits.
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = idOf(p);
        vm.deal(stranger, A);
        vm.prank(stranger);
        eth.deposit{value: A}(cid, A);
        settle(p, A, A, 2 * A, 2 * A);
        assertEq(eth.holdings(fid(p, 0)), A);
        assertEq(eth.holdings(fid(p, 1)), A);
        assertEq(eth.holdings(cid), 0);
        assertTrue(eth.settled(cid));
    }

    function test_setOutcome_depositAfterSettlement() public {
        Channel.Params memory p = ledger2(address(0), 1);
        bytes32 cid = settle(p, A, A, B, 0);
        depositETH(p, 1, A);
        assertEq(eth.holdings(fid(p, 1)), A, "credited after settlement");
        vm.deal(stranger, A);
        vm.prank(stranger);
        eth.deposit{value: A}(cid, A);
        assertEq(eth.holdings(cid), A, "channel ID entry");
        assertTrue(eth.settled(cid), "a deposit keeps the settled flag");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, addrs[1], A);
        eth.withdraw(a, sig);
        assertEq(addrs[1].balance, A);
    }

    // Regression: a participant listed twice once had its one funding ID counted twice in what
    // is held (as in v1), so an outcome of up to twice its deposit counted as covered and the
    // last balance written won: the participant withdrew other channels' funds (this test failed
    // with "the victims' funds left the holder: 9 ether != 10 ether"). SPEC section 4: the
    // holdings become `newBals` only if "what is held for the channel" covers them; here only
    // `A` is held for the channel, the outcome `2A` is not covered, so the participant keeps `A`.
    function test_setOutcome_duplicateParticipant_cannotCreateFunds() public {
        // Victims' funds in another channel.
        Channel.Params memory victims = params(2, 2, address(0), true, false, 7);
        depositETH(victims, 0, 5 * A);
        depositETH(victims, 1, 5 * A);
        // The attacker's channel lists participant 0 twice; it signs for both.
        Channel.Params memory p = params(0, 2, address(0), true, false, 1);
        p.participants[1] = p.participants[0];
        depositETH(p, 0, A);
        Channel.State memory s = state(p, 1, bals2(0, 2 * A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        // The attacker takes whatever it was given.
        uint256 held = eth.holdings(fid(p, 0));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], held);
        eth.withdraw(a, sig);
        assertEq(address(eth).balance, 10 * A, "the victims' funds left the holder");
        assertLe(held, A, "a participant's holdings exceed what was held");
    }

    // -----------------------------------------------------------------------------------------
    // withdraw
    // -----------------------------------------------------------------------------------------

    function test_withdraw_revertsWhenNotSettled() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        vm.expectRevert(NotSettled.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), A);
    }

    function test_withdraw_paysParticipant() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, B, A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], B);
        eth.withdraw(a, sig);
        assertEq(addrs[0].balance, B, "paid");
        assertEq(eth.holdings(fid(p, 0)), 0, "debited");
        assertEq(eth.holdings(fid(p, 1)), A, "other untouched");
        assertEq(address(eth).balance, A);
    }

    function test_withdraw_emitsWithdrawn() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, B, A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, payee, A);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.Withdrawn(fid(p, 1), A, payee);
        eth.withdraw(a, sig);
    }

    function test_withdraw_toOtherReceiver_sentByAnyone() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, B, A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, B);
        vm.prank(stranger);
        eth.withdraw(a, sig);
        assertEq(payee.balance, B, "receiver paid");
        assertEq(addrs[0].balance, 0, "participant not paid");
        assertEq(stranger.balance, 0, "sender not paid");
        assertEq(eth.holdings(fid(p, 0)), 0);
    }

    function test_withdraw_partial() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, 3 * A, 0, 3 * A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), 2 * A);
        (a, sig) = auth(p, 0, addrs[0], B);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), 0);
        assertEq(addrs[0].balance, 3 * A);
        (a, sig) = auth(p, 0, addrs[0], 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_sameAuthRepeatsWhileFundsLast() public {
        // v1 has no nonce in a WithdrawalAuth: the holdings are the only limit.
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, 2 * A, 0, 2 * A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        eth.withdraw(a, sig);
        eth.withdraw(a, sig);
        assertEq(addrs[0].balance, 2 * A);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_revertsOnOverdraw() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, A, B);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A + 1);
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), A);
    }

    function test_withdraw_zeroAmount() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, addrs[1], 0);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.Withdrawn(fid(p, 1), 0, addrs[1]);
        eth.withdraw(a, sig);
    }

    function test_withdraw_revertsOnSignatureOverOtherAuth() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, A, B);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 1);
        a.amount = A; // signed for 1 wei, submitted for 1 ether
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, sig);
        (a, sig) = auth(p, 0, addrs[0], A);
        a.receiver = payable(stranger); // signed for the participant, submitted for another
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_revertsOnSignatureByOtherParticipant() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, A, B);
        (AssetHolder.WithdrawalAuth memory a,) = auth(p, 0, addrs[1], A);
        // Participant 1 signs participant 0's authorization.
        bytes memory sig = signDigest(keys[1], keccak256(abi.encode(a)));
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, sig);
        // And a stranger's key.
        sig = signDigest(keys[7], keccak256(abi.encode(a)));
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_revertsOnRawDigestSignature() public {
        // Signed over the hash itself instead of the eth-signed digest.
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a,) = auth(p, 0, addrs[0], A);
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(keys[0], keccak256(abi.encode(a)));
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, abi.encodePacked(r, s, v));
    }

    function test_withdraw_revertsOnSignatureLength() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        (bytes32 r, bytes32 s, uint8 v) = split(sig);
        vm.expectRevert(InvalidSignatureLength.selector);
        eth.withdraw(a, abi.encodePacked(r, s)); // 64 bytes (no EIP-2098 compact form)
        vm.expectRevert(InvalidSignatureLength.selector);
        eth.withdraw(a, abi.encodePacked(sig, uint8(0))); // 66 bytes
        vm.expectRevert(InvalidSignatureLength.selector);
        eth.withdraw(a, "");
        assertEq(v == 27 || v == 28, true, "the well-formed signature's v");
    }

    function test_withdraw_revertsOnHighS() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        (bytes32 r, bytes32 s, uint8 v) = split(sig);
        // The malleated twin (N - s, other v) recovers the same key, but s is high.
        bytes memory twin = abi.encodePacked(r, bytes32(N - uint256(s)), v == 27 ? 28 : 27);
        vm.expectRevert(InvalidSignatureS.selector);
        eth.withdraw(a, twin);
    }

    function test_withdraw_revertsOnBadV() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        (bytes32 r, bytes32 s, uint8 v) = split(sig);
        uint8[4] memory bad = [v - 27, 29, 0, 255];
        for (uint256 i; i < bad.length; ++i) {
            vm.expectRevert(InvalidSignatureV.selector);
            eth.withdraw(a, abi.encodePacked(r, s, bad[i]));
        }
    }

    function test_withdraw_revertsOnUnrecoverableSignature() public {
        // r = 0: the precompile recovers no key; never the zero address as a signer.
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a,) = auth(p, 0, addrs[0], A);
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, abi.encodePacked(bytes32(0), bytes32(uint256(1)), uint8(27)));
    }

    function test_withdraw_checkOrder_notSettledBeforeSignature() public {
        Channel.Params memory p = ledger2(address(0), 1);
        (AssetHolder.WithdrawalAuth memory a,) = auth(p, 0, addrs[0], A);
        vm.expectRevert(NotSettled.selector);
        eth.withdraw(a, "");
    }

    function test_withdraw_checkOrder_signatureBeforeHoldings() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 2 * A);
        a.amount = 3 * A;
        vm.expectRevert(InvalidSignature.selector);
        eth.withdraw(a, sig);
    }

    // -----------------------------------------------------------------------------------------
    // Payouts to contracts and reentrancy
    // -----------------------------------------------------------------------------------------

    /// @dev Settles `p` with 3 ether for participant 0 and returns an authorization of 1 ether
    /// to `receiver`.
    function reentrySetup(address receiver)
        internal
        returns (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig)
    {
        p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        // To another receiver a withdrawal takes the whole holdings.
        (a, sig) = auth(p, 0, receiver, A);
    }

    function test_withdraw_reentry_swallowed_outerSucceedsOnce() public {
        ReentrantReceiver rr = new ReentrantReceiver(address(eth));
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(rr));
        // The receiver re-submits the same (replayable) authorization during its payout.
        rr.arm(abi.encodeCall(eth.withdraw, (a, sig)), false);
        eth.withdraw(a, sig);
        assertTrue(rr.attempted(), "the receiver re-entered");
        assertFalse(rr.innerOk(), "the inner withdrawal failed");
        assertEq(rr.innerData(), abi.encodeWithSelector(Reentrancy.selector), "inner revert data");
        assertEq(rr.received(), A, "paid once");
        assertEq(address(rr).balance, A);
        assertEq(eth.holdings(fid(p, 0)), 0, "debited once");
        // The guard is released, and a replay of the authorization finds nothing left.
        vm.expectRevert(InsufficientHoldings.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_reentry_bubbled_outerFailsWithEthTransferFailed() public {
        ReentrantReceiver rr = new ReentrantReceiver(address(eth));
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(rr));
        rr.arm(abi.encodeCall(eth.withdraw, (a, sig)), true);
        // The receiver reverts with the inner Reentrancy(); the holder copies no return data
        // of a payout and reports its own error.
        vm.expectRevert(EthTransferFailed.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), A, "nothing debited");
        assertEq(address(rr).balance, 0, "nothing paid");
    }

    function test_withdraw_reentry_otherChannel_blocked() public {
        // The guard is global: a payout cannot start a withdrawal of another channel either.
        ReentrantReceiver rr = new ReentrantReceiver(address(eth));
        (, AssetHolder.WithdrawalAuth memory a, bytes memory sig) = reentrySetup(address(rr));
        Channel.Params memory q = params(2, 2, address(0), true, false, 9);
        depositETH(q, 0, A);
        vm.prank(address(adj));
        eth.setOutcome(idOf(q), q.participants, bals2(A, 0));
        (AssetHolder.WithdrawalAuth memory b, bytes memory sigB) = auth(q, 0, addrs[2], A);
        rr.arm(abi.encodeCall(eth.withdraw, (b, sigB)), false);
        eth.withdraw(a, sig);
        assertEq(rr.innerData(), abi.encodeWithSelector(Reentrancy.selector));
        assertEq(eth.holdings(fundingID(idOf(q), addrs[2])), A, "other channel untouched");
    }

    function test_withdraw_reentry_depositAllowed() public {
        // A deposit is not guarded: state is updated before the payout, so re-depositing the
        // payout is consistent.
        Channel.Params memory q = params(2, 2, address(0), true, false, 9);
        bytes32 target = fundingID(idOf(q), addrs[2]);
        DepositingReceiver dr = new DepositingReceiver(eth, target);
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(dr));
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), 0);
        assertEq(eth.holdings(target), A);
        assertEq(address(eth).balance, A);
    }

    function test_withdraw_guardReleasedWithinTransaction() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, A, B);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sigA) = auth(p, 0, addrs[0], A);
        (AssetHolder.WithdrawalAuth memory b, bytes memory sigB) = auth(p, 1, addrs[1], B);
        Batcher batcher = new Batcher();
        batcher.both(
            address(eth),
            abi.encodeCall(eth.withdraw, (a, sigA)),
            abi.encodeCall(eth.withdraw, (b, sigB))
        );
        assertEq(addrs[0].balance, A);
        assertEq(addrs[1].balance, B);
    }

    function test_withdraw_revertsWhenReceiverReverts() public {
        RevertingReceiver r = new RevertingReceiver();
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(r));
        vm.expectRevert(EthTransferFailed.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), A, "nothing debited");
    }

    function test_withdraw_revertsWhenReceiverCannotReceive() public {
        NoReceive r = new NoReceive();
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(r));
        vm.expectRevert(EthTransferFailed.selector);
        eth.withdraw(a, sig);
        assertEq(eth.holdings(fid(p, 0)), A);
        // Paying the holder itself fails the same way.
        (a, sig) = auth(p, 0, address(eth), A);
        vm.expectRevert(EthTransferFailed.selector);
        eth.withdraw(a, sig);
    }

    function test_withdraw_paysGasHungryContractWallet() public {
        GasHungryWallet w = new GasHungryWallet();
        // v1 paid with `transfer` (2,300 gas): this wallet cannot take such a payment.
        vm.deal(address(this), 1);
        assertFalse(payable(address(w)).send(1), "the wallet needs more than 2,300 gas");
        (Channel.Params memory p, AssetHolder.WithdrawalAuth memory a, bytes memory sig) =
            reentrySetup(address(w));
        eth.withdraw(a, sig);
        assertEq(address(w).balance, A, "paid");
        assertEq(w.count(), 1, "receive ran");
        assertEq(w.receipts(0), A);
        assertEq(eth.holdings(fid(p, 0)), 0);
    }

    // -----------------------------------------------------------------------------------------
    // End to end through the Adjudicator
    // -----------------------------------------------------------------------------------------

    function test_endToEnd_concludeFinalThenWithdrawAll() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        Channel.State memory s = state(p, 4, bals2(B, A), true);
        vm.expectEmit(true, false, false, true, address(eth));
        emit AssetHolder.OutcomeSet(idOf(p));
        adj.concludeFinal(p, s, sigsOf(p, s));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], B);
        eth.withdraw(a, sig);
        (a, sig) = auth(p, 1, addrs[1], A);
        eth.withdraw(a, sig);
        assertEq(addrs[0].balance, B);
        assertEq(addrs[1].balance, A);
        assertEq(address(eth).balance, 0);
    }

    function test_endToEnd_disputeThenConclude() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
        Channel.State memory s1 = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        Channel.State memory s2 = state(p, 2, bals2(3 * A, 0), false);
        adj.register(signed(p, s2), none());
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], 3 * A);
        vm.expectRevert(NotSettled.selector);
        eth.withdraw(a, sig);
        vm.warp(START + CD);
        adj.conclude(p, s2, noStates());
        eth.withdraw(a, sig);
        assertEq(addrs[0].balance, 3 * A);
        assertEq(eth.holdings(fid(p, 1)), 0);
    }
}

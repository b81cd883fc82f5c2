// SPDX-License-Identifier: Apache-2.0
// AssetHolderERC20: approvals, deposit value, odd tokens (no return, false, revert, fee) and token callbacks.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderERC20} from "../../contracts/solidity/AssetHolderERC20.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    InsufficientHoldings,
    NotSettled,
    Reentrancy,
    TokenTransferFailed,
    WrongDepositValue
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";
import {TestToken} from "./utils/TestToken.sol";

/// @notice The token's callback target: calls `target` with a prepared call and records how it
/// ended; swallows the inner revert or, when `bubble` is set, reverts with its data.
contract CallbackRecorder {
    address internal target;
    bytes internal data;
    bool internal bubble;
    uint256 public calls;
    bool public innerOk;
    bytes public innerData;

    function arm(address target_, bytes calldata data_, bool bubble_) external {
        target = target_;
        data = data_;
        bubble = bubble_;
    }

    function poke() external {
        ++calls;
        (bool ok, bytes memory ret) = target.call(data);
        innerOk = ok;
        innerData = ret;
        if (bubble && !ok) {
            assembly ("memory-safe") {
                revert(add(ret, 32), mload(ret))
            }
        }
    }
}

/// @notice Makes two calls in one transaction; both must succeed.
contract ERC20Batcher {
    function both(address target, bytes calldata first, bytes calldata second) external {
        (bool ok,) = target.call(first);
        require(ok, "ERC20Batcher: first failed");
        (ok,) = target.call(second);
        require(ok, "ERC20Batcher: second failed");
    }
}

contract AssetHolderERC20Test is PerunTest {
    uint256 internal constant A = 10_000;
    uint256 internal constant B = 20_000;

    address internal stranger;
    address internal payee;
    CallbackRecorder internal recorder;

    function setUp() public override {
        super.setUp();
        stranger = makeAddr("stranger");
        payee = makeAddr("payee");
        recorder = new CallbackRecorder();
    }

    // -----------------------------------------------------------------------------------------
    // Helpers
    // -----------------------------------------------------------------------------------------

    function fid(Channel.Params memory p, uint256 i) internal pure returns (bytes32) {
        return fundingID(idOf(p), p.participants[i].ethAddress);
    }

    /// @dev Mints `amount` to `who`, approves the holder and deposits it under `f`.
    function depositToken(address who, bytes32 f, uint256 amount) internal {
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(erc20), amount);
        vm.prank(who);
        erc20.deposit(f, amount);
    }

    /// @dev Gives the holder `amount` tokens and credits them to `f` as a deposit would, without
    /// `deposit`, so the withdrawal tests do not depend on the deposit path: the holdings
    /// mapping is the holder's only storage variable (slot 0).
    function seed(bytes32 f, uint256 amount) internal {
        token.mint(address(erc20), amount);
        bytes32 slot = keccak256(abi.encode(f, uint256(0)));
        uint256 entry = uint256(vm.load(address(erc20), slot));
        vm.store(address(erc20), slot, bytes32(entry + amount));
    }

    /// @dev Seeds `d0`, `d1` for participants 0 and 1 and sets the outcome `o0`, `o1`.
    function settle(Channel.Params memory p, uint256 d0, uint256 d1, uint256 o0, uint256 o1)
        internal
    {
        if (d0 != 0) seed(fid(p, 0), d0);
        if (d1 != 0) seed(fid(p, 1), d1);
        vm.prank(address(adj));
        erc20.setOutcome(idOf(p), p.participants, bals2(o0, o1));
    }

    function reentrancy() internal pure returns (bytes memory) {
        return abi.encodeWithSelector(Reentrancy.selector);
    }

    // -----------------------------------------------------------------------------------------
    // Views and plain deposits
    // -----------------------------------------------------------------------------------------

    function test_views() public view {
        assertEq(erc20.token(), address(token), "token");
        assertEq(erc20.adjudicator(), address(adj), "adjudicator");
    }

    // Regression: `_balance()` once computed `and(staticcall(...), gt(returndatasize(), 31))`;
    // Yul evaluates arguments right to left, so `returndatasize()` was read before the call (0
    // at the start of the deposit's frame) and every deposit reverted with TokenTransferFailed
    // before `transferFrom`. This test and every other deposit test here failed on that code.
    function test_deposit_pullsTokensAndCredits() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.mint(addrs[0], B);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.expectEmit(true, false, false, true, address(erc20));
        emit AssetHolder.Deposited(fid(p, 0), A);
        vm.prank(addrs[0]);
        erc20.deposit(fid(p, 0), A);
        assertEq(erc20.holdings(fid(p, 0)), A, "credited");
        assertEq(token.balanceOf(address(erc20)), A, "holder's tokens");
        assertEq(token.balanceOf(addrs[0]), B - A, "depositor's tokens");
        assertEq(token.allowance(addrs[0], address(erc20)), 0, "allowance used");
    }

    function test_deposit_revertsWithoutApproval() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.mint(addrs[0], A);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(f, A);
        assertEq(erc20.holdings(f), 0);
    }

    function test_deposit_revertsWithInsufficientApproval() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A - 1);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(f, A);
    }

    function test_deposit_revertsWithInsufficientBalance() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.mint(addrs[0], A - 1);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(f, A);
    }

    function test_deposit_revertsWithValue() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.deal(addrs[0], 1);
        vm.prank(addrs[0]);
        vm.expectRevert(WrongDepositValue.selector);
        erc20.deposit{value: 1}(f, A);
        assertEq(token.balanceOf(addrs[0]), A, "nothing pulled");
    }

    function test_deposit_anyoneForAnyFundingID() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositToken(stranger, fid(p, 1), A);
        depositToken(stranger, idOf(p), B);
        assertEq(erc20.holdings(fid(p, 1)), A);
        assertEq(erc20.holdings(idOf(p)), B);
    }

    function test_deposit_guardReleasedWithinTransaction() public {
        Channel.Params memory p = ledger2(address(0), 1);
        ERC20Batcher batcher = new ERC20Batcher();
        token.mint(address(batcher), 2 * A);
        vm.prank(address(batcher));
        token.approve(address(erc20), 2 * A);
        batcher.both(
            address(erc20),
            abi.encodeCall(erc20.deposit, (fid(p, 0), A)),
            abi.encodeCall(erc20.deposit, (fid(p, 1), A))
        );
        assertEq(erc20.holdings(fid(p, 0)), A);
        assertEq(erc20.holdings(fid(p, 1)), A);
    }

    function test_seed_matchesHoldingsView() public {
        bytes32 f = keccak256("some funding ID");
        seed(f, A);
        seed(f, B);
        assertEq(erc20.holdings(f), A + B, "the seeding helper writes the holdings entry");
        assertEq(token.balanceOf(address(erc20)), A + B);
    }

    function test_deposit_revertsForTokenWithoutCode() public {
        AssetHolderERC20 h = new AssetHolderERC20(address(adj), makeAddr("no code"));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        h.deposit(keccak256("f"), A);
    }

    // -----------------------------------------------------------------------------------------
    // Withdrawals
    // -----------------------------------------------------------------------------------------

    function test_withdraw_paysReceiver() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, B, B, A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, B);
        vm.expectEmit(true, false, false, true, address(erc20));
        emit AssetHolder.Withdrawn(fid(p, 0), B, payee);
        vm.prank(stranger);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(payee), B);
        assertEq(erc20.holdings(fid(p, 0)), 0);
        assertEq(token.balanceOf(address(erc20)), A);
    }

    function test_withdraw_revertsWhenNotSettledOrOverdrawn() public {
        Channel.Params memory p = ledger2(address(0), 1);
        seed(fid(p, 0), A);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        vm.expectRevert(NotSettled.selector);
        erc20.withdraw(a, sig);
        vm.prank(address(adj));
        erc20.setOutcome(idOf(p), p.participants, bals2(A, 0));
        (a, sig) = auth(p, 0, addrs[0], A + 1);
        vm.expectRevert(InsufficientHoldings.selector);
        erc20.withdraw(a, sig);
    }

    function test_endToEnd_concludeFinalWithTokenAsset() public {
        Channel.Params memory p = ledger2(address(0), 1);
        seed(fid(p, 0), A);
        seed(fid(p, 1), B);
        Channel.State memory s = state(p, 3, bals2(B, A), true);
        s.outcome.assets[0] = Channel.Asset(block.chainid, address(erc20), "");
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertTrue(erc20.settled(idOf(p)));
        assertFalse(eth.settled(idOf(p)), "the ETH holder is not named");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], B);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(addrs[0]), B);
    }

    // -----------------------------------------------------------------------------------------
    // Tokens that misbehave
    // -----------------------------------------------------------------------------------------

    // With the regression above, the second `_balance()` also read the empty return data of a
    // no-return token's `transferFrom`.
    function test_noReturnToken_depositWorks() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.setMode(TestToken.Mode.NoReturn);
        depositToken(addrs[0], fid(p, 0), A);
        assertEq(erc20.holdings(fid(p, 0)), A, "credited");
        assertEq(token.balanceOf(address(erc20)), A);
    }

    function test_noReturnToken_withdrawWorks() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, 0, A);
        token.setMode(TestToken.Mode.NoReturn);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 1, addrs[1], A);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(addrs[1]), A, "paid");
        assertEq(erc20.holdings(fid(p, 1)), 0);
    }

    function test_returnFalseToken_depositFails() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.setMode(TestToken.Mode.ReturnFalse);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(f, A);
        assertEq(erc20.holdings(f), 0);
    }

    function test_returnFalseToken_withdrawFails() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        token.setMode(TestToken.Mode.ReturnFalse);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fid(p, 0)), A, "nothing debited");
    }

    function test_revertingToken_depositFails() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        token.setMode(TestToken.Mode.Revert);
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(f, A);
    }

    function test_revertingToken_withdrawFails() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        token.setMode(TestToken.Mode.Revert);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fid(p, 0)), A);
    }

    function test_tokenReturningOtherWord_fails() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        // transfer(...) answers 2: neither nothing nor true.
        vm.mockCall(address(token), abi.encodeWithSelector(0xa9059cbb), abi.encode(uint256(2)));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
    }

    function test_feeToken_creditedNet() public {
        bytes32 f = fid(ledger2(address(0), 1), 0);
        token.setMode(TestToken.Mode.Fee); // 1 %
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.expectEmit(true, false, false, true, address(erc20));
        emit AssetHolder.Deposited(f, A - A / 100);
        vm.prank(addrs[0]);
        erc20.deposit(f, A);
        assertEq(erc20.holdings(f), A - A / 100, "credited what arrived");
        assertEq(token.balanceOf(address(erc20)), A - A / 100);
    }

    function test_feeToken_withdrawDebitsGross() public {
        Channel.Params memory p = ledger2(address(0), 1);
        uint256 net = A - A / 100;
        settle(p, net, 0, net, 0);
        token.setMode(TestToken.Mode.Fee);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, net);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fid(p, 0)), 0);
        assertEq(token.balanceOf(address(erc20)), 0, "the holder sent the full amount");
        assertEq(token.balanceOf(payee), net - net / 100, "the token took its fee");
    }

    // -----------------------------------------------------------------------------------------
    // Tokens that call back into the holder
    // -----------------------------------------------------------------------------------------

    function test_callback_depositReentersDeposit_directly() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        // The token itself calls deposit during transferFrom; it bubbles the inner
        // Reentrancy(), and the holder reports the failed transfer.
        token.setCallback(address(erc20), abi.encodeCall(erc20.deposit, (fid(p, 1), 0)));
        vm.expectCall(address(erc20), abi.encodeCall(erc20.deposit, (fid(p, 1), 0)));
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(fid(p, 0), A);
        assertEq(erc20.holdings(fid(p, 0)), 0);
    }

    function test_callback_depositReentersDeposit_swallowed() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.mint(addrs[0], A);
        token.mint(address(recorder), A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        vm.prank(address(recorder));
        token.approve(address(erc20), A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.deposit, (fid(p, 1), A)), false);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.prank(addrs[0]);
        erc20.deposit(fid(p, 0), A);
        assertEq(recorder.calls(), 1, "the token called back");
        assertFalse(recorder.innerOk(), "inner deposit failed");
        assertEq(recorder.innerData(), reentrancy(), "inner revert data");
        assertEq(erc20.holdings(fid(p, 0)), A, "outer deposit credited");
        assertEq(erc20.holdings(fid(p, 1)), 0, "inner deposit not credited");
        assertEq(token.balanceOf(address(erc20)), A);
    }

    function test_callback_depositReentersDeposit_bubbled() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.mint(addrs[0], A);
        vm.prank(addrs[0]);
        token.approve(address(erc20), A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.deposit, (fid(p, 1), 0)), true);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.expectCall(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.expectCall(address(token), abi.encodeWithSelector(token.transferFrom.selector));
        vm.prank(addrs[0]);
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.deposit(fid(p, 0), A);
    }

    function test_callback_depositReentersWithdraw_blocked() public {
        // A deposit's transferFrom cannot start a withdrawal.
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        token.mint(addrs[2], A);
        vm.prank(addrs[2]);
        token.approve(address(erc20), A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.withdraw, (a, sig)), false);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.prank(addrs[2]);
        erc20.deposit(keccak256("elsewhere"), A);
        assertEq(recorder.innerData(), reentrancy());
        assertEq(erc20.holdings(fid(p, 0)), A, "no withdrawal happened");
    }

    function test_callback_withdrawReentersWithdraw_swallowed() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        // To another receiver a withdrawal takes the whole holdings.
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.withdraw, (a, sig)), false);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        erc20.withdraw(a, sig);
        assertEq(recorder.calls(), 1);
        assertEq(recorder.innerData(), reentrancy(), "inner revert data");
        assertEq(token.balanceOf(payee), A, "paid once");
        assertEq(erc20.holdings(fid(p, 0)), 0, "debited once");
    }

    function test_callback_withdrawReentersWithdraw_bubbled() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        // To another receiver a withdrawal takes the whole holdings.
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.withdraw, (a, sig)), true);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.expectCall(address(recorder), abi.encodeCall(recorder.poke, ()));
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fid(p, 0)), A, "nothing debited");
        assertEq(token.balanceOf(payee), 0);
    }

    function test_callback_withdrawReentersWithdraw_directly() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        // To another receiver a withdrawal takes the whole holdings.
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, payee, A);
        token.setCallback(address(erc20), abi.encodeCall(erc20.withdraw, (a, sig)));
        vm.expectCall(address(token), abi.encodeWithSelector(token.transfer.selector));
        vm.expectRevert(TokenTransferFailed.selector);
        erc20.withdraw(a, sig);
        assertEq(erc20.holdings(fid(p, 0)), A);
    }

    function test_callback_withdrawReentersDeposit_blocked() public {
        Channel.Params memory p = ledger2(address(0), 1);
        settle(p, A, 0, A, 0);
        token.mint(address(recorder), A);
        vm.prank(address(recorder));
        token.approve(address(erc20), A);
        recorder.arm(address(erc20), abi.encodeCall(erc20.deposit, (fid(p, 1), A)), false);
        token.setCallback(address(recorder), abi.encodeCall(recorder.poke, ()));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], A);
        erc20.withdraw(a, sig);
        assertEq(recorder.innerData(), reentrancy(), "deposit during a payout is blocked");
        assertEq(erc20.holdings(fid(p, 1)), 0);
        assertEq(token.balanceOf(addrs[0]), A);
    }
}

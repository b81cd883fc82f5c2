// Symbolic checks of AssetHolderETH: holdings move only by deposits, paid withdrawals and the adjudicator's outcome, which is set once.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderETH} from "../../contracts/solidity/AssetHolderETH.sol";
import {SymTest} from "./utils/SymTest.sol";

/// @notice Properties 2 and 3 (README, "Symbolic checks") on the ETH holder, from an arbitrary
/// storage (every holdings entry and settled flag symbolic) and an arbitrary ETH balance below
/// 2^128, for one call of any of its functions with symbolic arguments, sender and value.
/// `ecrecover` is an uninterpreted function to halmos, so a withdrawal's signature may verify for
/// any signer: the properties hold whoever authorizes. A receiver is an account without code
/// (or one of the deployed contracts): its code cannot re-enter here.
contract AssetHolderETHCheck is SymTest {
    address internal constant ADJ = address(0xAD1);
    uint256 internal constant SETTLED = 1 << 255;

    AssetHolderETH internal holder;

    function setUp() public {
        holder = new AssetHolderETH(ADJ);
    }

    function _selector(bytes memory data) internal pure returns (bytes4 s) {
        if (data.length < 4) return 0;
        assembly ("memory-safe") {
            s := mload(add(data, 32))
        }
    }

    /// @dev Word `i` of the arguments (after the selector). The checks read only words at fixed
    /// positions: a decoder would have to copy `bytes` whose length halmos keeps symbolic.
    function _arg(bytes memory data, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(data, 36), shl(5, i)))
        }
    }

    function _fundingID(bytes32 channelID, address participant) internal pure returns (bytes32) {
        return keccak256(abi.encode(channelID, participant));
    }

    /// @dev Symbolic storage and balances, and a sender that is neither contract.
    function _arbitraryState(address sender, uint256 value, uint256 balance) internal {
        svm.enableSymbolicStorage(address(holder));
        vm.assume(sender != address(holder) && sender != address(this));
        vm.assume(balance < 1 << 128 && value < 1 << 128);
        vm.deal(address(holder), balance);
        vm.deal(sender, value);
    }

    /// @notice Property 2: one call of any function. Any holdings entry `fid` (a participant's
    /// funding ID or a channel ID's own entry) grows only by a deposit to it, of exactly the
    /// value sent; shrinks only in `withdraw` (of the authorization's funding ID, by exactly the
    /// amount the receiver is paid, in a settled channel) or in `setOutcome` by the adjudicator;
    /// the holder's ETH balance moves by exactly the deposits in and the payments out; a settled
    /// flag is set only by the adjudicator's `setOutcome` and never cleared.
    /// @dev Assumed, as the Adjudicator guarantees: the entry a withdrawal debits (a funding ID,
    /// keccak256 of 64 bytes) does not carry the settled flag, which only a channel ID's entry
    /// gets (a channel ID is keccak256 of a params encoding, 224 bytes or more). Without it the
    /// holder alone, given a `setOutcome` for a "channel ID" that is some funding ID, would let
    /// that entry's flag count as funds.
    function check_eth_anyCall(bytes32 fid, address sender, uint256 value, uint256 balance) public {
        _arbitraryState(sender, value, balance);
        bytes memory data = svm.createCalldata(address(holder), true);
        bytes4 sel = _selector(data);
        if (canary != 0) vm.assume(bytes32(sel) == canary);
        uint256 held0 = holder.holdings(fid);
        bool settled0 = holder.settled(fid);

        AssetHolder.WithdrawalAuth memory auth;
        bytes32 wfid;
        uint256 receiver0;
        if (sel == AssetHolder.withdraw.selector) {
            // withdraw((channelID, participant, receiver, amount), sig): the auth's head at
            // argument word 2, its participant (ethAddress first) at word 6.
            auth.channelID = bytes32(_arg(data, 2));
            auth.receiver = payable(address(uint160(_arg(data, 4))));
            auth.amount = _arg(data, 5);
            auth.participant.ethAddress = address(uint160(_arg(data, 6)));
            wfid = _fundingID(auth.channelID, auth.participant.ethAddress);
            vm.assume(!holder.settled(wfid));
            receiver0 = auth.receiver.balance;
        }

        vm.prank(sender);
        (bool ok,) = address(holder).call{value: value}(data);
        if (!ok) return;

        uint256 held1 = holder.holdings(fid);
        bool settled1 = holder.settled(fid);
        uint256 balance1 = address(holder).balance;

        // Balances as the EVM keeps them, modulo 2^256 (the checks' own arithmetic must not
        // revert: script/halmos counts every panic as a failure).
        if (sel == AssetHolder.deposit.selector) {
            bytes32 dfid = bytes32(_arg(data, 0));
            uint256 amount = _arg(data, 1);
            assert(value == amount);
            unchecked {
                assert(balance1 == balance + value);
                assert(held1 == (fid == dfid ? held0 + amount : held0));
            }
            assert(settled1 == settled0);
            _reached(sel);
        } else if (sel == AssetHolder.setOutcome.selector) {
            assert(sender == ADJ);
            assert(value == 0);
            assert(balance1 == balance);
            bytes32 cid = bytes32(_arg(data, 0));
            assert(holder.settled(cid));
            // no other entry becomes settled (one a withdrawal could debit stays unsettled:
            // check_eth_settledStaysSettled)
            assert(!settled1 || settled0 || fid == cid);
            _reached(sel);
        } else if (sel == AssetHolder.withdraw.selector) {
            assert(value == 0);
            assert(holder.settled(auth.channelID));
            unchecked {
                assert(balance1 == balance - auth.amount);
                assert(auth.receiver.balance == receiver0 + auth.amount);
                assert(held1 == (fid == wfid ? held0 - auth.amount : held0));
            }
            assert(settled1 == settled0);
            _reached(sel);
        } else {
            // the views, and nothing else succeeds
            assert(
                sel == AssetHolder.holdings.selector || sel == AssetHolder.settled.selector
                    || sel == bytes4(keccak256("adjudicator()"))
            );
            assert(value == 0 && balance1 == balance);
            assert(held1 == held0 && settled1 == settled0);
        }
    }

    /// @dev A channel ID as the Adjudicator passes it: keccak256 of a params encoding (here of
    /// two participants without ccAddress, 480 bytes), so to halmos never a funding ID.
    function _channelID() internal pure returns (bytes32) {
        return keccak256(svm.createBytes(480, "params"));
    }

    /// @dev A call of `selector` with symbolic arguments (paths of other functions end here).
    function _callOf(bytes4 selector) internal view returns (bytes memory data) {
        data = svm.createCalldata(address(holder), true);
        vm.assume(_selector(data) == selector);
    }

    function _setArg(bytes memory data, uint256 i, bytes32 w) internal pure {
        assembly ("memory-safe") {
            mstore(add(add(data, 36), shl(5, i)), w)
        }
    }

    /// @notice Property 3: once a channel is settled, no call of any function by anyone clears
    /// its flag.
    function check_eth_settledStaysSettled(address sender, uint256 value, uint256 balance) public {
        _arbitraryState(sender, value, balance);
        bytes32 cid = _channelID();
        vm.assume(holder.settled(cid));
        bytes memory data = svm.createCalldata(address(holder), true);
        vm.prank(sender);
        (bool ok,) = address(holder).call{value: value}(data);
        if (!ok) return;
        assert(holder.settled(cid));
        _reached("stays");
    }

    /// @notice Property 3: after a successful `setOutcome(cid, ...)` by the adjudicator, a second
    /// `setOutcome(cid, ...)` with any arguments, by anyone (the adjudicator included), with any
    /// value, reverts. With check_eth_settledStaysSettled (no call in between clears the flag)
    /// and check_eth_setOutcomeOnSettled, this holds for any later call, not just the next one.
    function check_eth_setOutcomeOnce(address sender, uint256 value) public {
        _arbitraryState(sender, value, 0);
        bytes32 cid = _channelID();
        bytes memory first = _callOf(AssetHolder.setOutcome.selector);
        _setArg(first, 0, cid);
        vm.prank(ADJ);
        (bool ok,) = address(holder).call(first);
        if (!ok) return;
        assert(holder.settled(cid));
        bytes memory again = _callOf(AssetHolder.setOutcome.selector);
        _setArg(again, 0, cid);
        vm.prank(sender);
        (ok,) = address(holder).call{value: value}(again);
        assert(!ok);
        _reached("once");
    }

    /// @notice Property 3: `setOutcome` for a settled channel reverts, from any storage, whoever
    /// calls, whatever the arguments.
    function check_eth_setOutcomeOnSettled(address sender, uint256 value, uint256 balance) public {
        _arbitraryState(sender, value, balance);
        bytes memory data = _callOf(AssetHolder.setOutcome.selector);
        vm.assume(holder.settled(bytes32(_arg(data, 0))));
        vm.prank(sender);
        (bool ok,) = address(holder).call{value: value}(data);
        assert(!ok);
        _reached("onSettled");
    }

    /// @notice Property 3: `withdraw` from a channel that is not settled reverts, whatever the
    /// authorization, signature, sender and value.
    function check_eth_withdrawNeedsSettled(address sender, uint256 value, uint256 balance) public {
        _arbitraryState(sender, value, balance);
        bytes memory data = _callOf(AssetHolder.withdraw.selector);
        vm.assume(!holder.settled(bytes32(_arg(data, 2))));
        vm.prank(sender);
        (bool ok,) = address(holder).call{value: value}(data);
        assert(!ok);
        _reached("needsSettled");
    }

    // -----------------------------------------------------------------------------------------
    // Canaries: each must fail (script/halmos), showing the checked path is reached
    // -----------------------------------------------------------------------------------------

    function canary_eth_deposit(bytes32 fid, address sender, uint256 value, uint256 balance)
        public
    {
        canary = AssetHolder.deposit.selector;
        check_eth_anyCall(fid, sender, value, balance);
    }

    function canary_eth_setOutcome(bytes32 fid, address sender, uint256 value, uint256 balance)
        public
    {
        canary = AssetHolder.setOutcome.selector;
        check_eth_anyCall(fid, sender, value, balance);
    }

    function canary_eth_withdraw(bytes32 fid, address sender, uint256 value, uint256 balance)
        public
    {
        canary = AssetHolder.withdraw.selector;
        check_eth_anyCall(fid, sender, value, balance);
    }

    function canary_eth_settledStaysSettled(address sender, uint256 value, uint256 balance) public {
        canary = "stays";
        check_eth_settledStaysSettled(sender, value, balance);
    }

    function canary_eth_setOutcomeOnce(address sender, uint256 value) public {
        canary = "once";
        check_eth_setOutcomeOnce(sender, value);
    }

    function canary_eth_setOutcomeOnSettled(address sender, uint256 value, uint256 balance) public {
        canary = "onSettled";
        check_eth_setOutcomeOnSettled(sender, value, balance);
    }

    function canary_eth_withdrawNeedsSettled(address sender, uint256 value, uint256 balance)
        public
    {
        canary = "needsSettled";
        check_eth_withdrawNeedsSettled(sender, value, balance);
    }
}

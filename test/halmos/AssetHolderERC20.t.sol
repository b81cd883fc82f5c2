// Symbolic checks of AssetHolderERC20: holdings move only by what a deposit brought in, by paid withdrawals and by the adjudicator's outcome.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderERC20} from "../../contracts/solidity/AssetHolderERC20.sol";
import {SymTest} from "./utils/SymTest.sol";
import {SymToken} from "./utils/SymToken.sol";

/// @notice Property 2 (README, "Symbolic checks") on the ERC20 holder, as check_eth_anyCall on
/// the ETH holder: arbitrary holder storage, one call of any function with symbolic arguments
/// and sender. The token (SymToken, storage symbolic too) is any standard token, returning a
/// value or not, with or without a fee on transfers, and any balances and allowances.
contract AssetHolderERC20Check is SymTest {
    address internal constant ADJ = address(0xAD1);

    AssetHolderERC20 internal holder;
    SymToken internal token;

    function setUp() public {
        token = new SymToken();
        holder = new AssetHolderERC20(ADJ, address(token));
    }

    function _selector(bytes memory data) internal pure returns (bytes4 s) {
        if (data.length < 4) return 0;
        assembly ("memory-safe") {
            s := mload(add(data, 32))
        }
    }

    function _arg(bytes memory data, uint256 i) internal pure returns (uint256 w) {
        assembly ("memory-safe") {
            w := mload(add(add(data, 36), shl(5, i)))
        }
    }

    /// @notice Any holdings entry grows only by a deposit to it, by exactly the tokens the holder
    /// received; shrinks only in `withdraw` (of the authorization's funding ID, by exactly the
    /// tokens that left the holder, all of them to the receiver unless the token charges a fee,
    /// in a settled channel) or in `setOutcome` by the adjudicator; the holder's token balance
    /// moves only by deposits and withdrawals; no ETH is accepted.
    /// @dev Assumed as in check_eth_anyCall: a withdrawal's funding ID is not flagged settled.
    function check_erc20_anyCall(bytes32 fid, address sender, uint256 value) public {
        svm.enableSymbolicStorage(address(holder));
        svm.enableSymbolicStorage(address(token));
        vm.assume(sender != address(holder) && sender != address(this) && sender != address(token));
        vm.assume(value < 1 << 128);
        vm.deal(sender, value);

        bytes memory data = svm.createCalldata(address(holder), true);
        bytes4 sel = _selector(data);
        if (canary != 0) vm.assume(bytes32(sel) == canary);
        uint256 held0 = holder.holdings(fid);
        bool settled0 = holder.settled(fid);
        bytes32 wcid;
        address receiver;
        uint256 amount;
        bytes32 wfid;
        uint256 receiver0;
        if (sel == AssetHolder.withdraw.selector) {
            wcid = bytes32(_arg(data, 2));
            receiver = address(uint160(_arg(data, 4)));
            amount = _arg(data, 5);
            wfid = keccak256(abi.encode(wcid, address(uint160(_arg(data, 6)))));
            vm.assume(!holder.settled(wfid));
            receiver0 = token.balanceOf(receiver);
        }
        uint256 tokens0 = token.balanceOf(address(holder));

        vm.prank(sender);
        (bool ok,) = address(holder).call{value: value}(data);
        if (!ok) return;

        uint256 held1 = holder.holdings(fid);
        bool settled1 = holder.settled(fid);
        uint256 tokens1 = token.balanceOf(address(holder));
        assert(value == 0 && address(holder).balance == 0);

        if (sel == AssetHolder.deposit.selector) {
            bytes32 dfid = bytes32(_arg(data, 0));
            assert(tokens1 >= tokens0);
            unchecked {
                assert(held1 == (fid == dfid ? held0 + (tokens1 - tokens0) : held0));
            }
            assert(settled1 == settled0);
            _reached(sel);
        } else if (sel == AssetHolder.setOutcome.selector) {
            assert(sender == ADJ);
            assert(tokens1 == tokens0);
            bytes32 cid = bytes32(_arg(data, 0));
            assert(holder.settled(cid));
            assert(!settled1 || settled0 || fid == cid);
            _reached(sel);
        } else if (sel == AssetHolder.withdraw.selector) {
            assert(holder.settled(wcid));
            bool fee = token.fee() != 0;
            unchecked {
                if (receiver != address(holder)) {
                    assert(tokens1 == tokens0 - amount);
                    uint256 got = token.balanceOf(receiver) - receiver0;
                    // all of it, or less by the token's fee
                    assert(fee ? got <= amount : got == amount);
                } else {
                    // paid to itself: at most the fee leaves
                    assert(fee ? tokens0 - tokens1 <= amount : tokens1 == tokens0);
                }
                assert(held1 == (fid == wfid ? held0 - amount : held0));
            }
            assert(settled1 == settled0);
            _reached(sel);
        } else {
            assert(
                sel == AssetHolder.holdings.selector || sel == AssetHolder.settled.selector
                    || sel == bytes4(keccak256("adjudicator()"))
                    || sel == bytes4(keccak256("token()"))
            );
            assert(tokens1 == tokens0);
            assert(held1 == held0 && settled1 == settled0);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Canaries: each must fail (script/halmos), showing the checked path is reached
    // -----------------------------------------------------------------------------------------

    function canary_erc20_deposit(bytes32 fid, address sender, uint256 value) public {
        canary = AssetHolder.deposit.selector;
        check_erc20_anyCall(fid, sender, value);
    }

    function canary_erc20_withdraw(bytes32 fid, address sender, uint256 value) public {
        canary = AssetHolder.withdraw.selector;
        check_erc20_anyCall(fid, sender, value);
    }
}

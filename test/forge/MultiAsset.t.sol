// SPDX-License-Identifier: Apache-2.0
// Multi-asset channels: ETH, an ERC20 token and an asset of another chain, settled together.
pragma solidity ^0.8.30;

import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderETH} from "../../contracts/solidity/AssetHolderETH.sol";
import {Channel} from "../../contracts/solidity/Channel.sol";
import {
    AssetsMismatch,
    SubAllocMismatch,
    WrongDepositValue
} from "../../contracts/solidity/Errors.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice SPEC sections 3 and 4 with several assets. The channel between participants 0 and 1
/// holds ETH (asset 0), the test token through `erc20` (asset 1) and an asset of another chain
/// (asset 2). The other chain's holder is a real AssetHolderETH of this Adjudicator, deployed
/// here: had the Adjudicator pushed the foreign asset's outcome to it, the channel would be
/// settled there.
contract MultiAssetTest is PerunTest {
    uint256 internal constant E = 1 ether;
    uint256 internal constant T = 1e18;

    AssetHolderETH internal foreign;

    function setUp() public override {
        super.setUp();
        foreign = new AssetHolderETH(address(adj));
    }

    // -----------------------------------------------------------------------------------------
    // Builders
    // -----------------------------------------------------------------------------------------

    function tokenAsset() internal view returns (Channel.Asset memory) {
        return Channel.Asset(block.chainid, address(erc20), "");
    }

    function foreignAsset() internal view returns (Channel.Asset memory) {
        return Channel.Asset(block.chainid + 1, address(foreign), hex"c0ffee");
    }

    /// @dev A state of `p` with ETH balances `e`, token balances `t` and, on the other chain,
    /// (7, 7).
    function multi(
        Channel.Params memory p,
        uint64 version,
        uint256[] memory e,
        uint256[] memory t,
        bool isFinal
    ) internal view returns (Channel.State memory s) {
        s = state(p, version, e, isFinal);
        Channel.Asset[] memory assets = new Channel.Asset[](3);
        assets[0] = ethAsset();
        assets[1] = tokenAsset();
        assets[2] = foreignAsset();
        s.outcome.assets = assets;
        s.outcome.backends = new uint256[](3);
        uint256[][] memory rows = new uint256[][](3);
        rows[0] = e;
        rows[1] = t;
        rows[2] = bals2(7, 7);
        s.outcome.balances = rows;
    }

    /// @dev A state of `p` with ETH and the token only.
    function ethAndToken(
        Channel.Params memory p,
        uint64 version,
        uint256[] memory e,
        uint256[] memory t
    ) internal view returns (Channel.State memory s) {
        s = state(p, version, e, false);
        Channel.Asset[] memory assets = new Channel.Asset[](2);
        assets[0] = ethAsset();
        assets[1] = tokenAsset();
        s.outcome.assets = assets;
        s.outcome.backends = new uint256[](2);
        uint256[][] memory rows = new uint256[][](2);
        rows[0] = e;
        rows[1] = t;
        s.outcome.balances = rows;
    }

    /// @dev Mints `amount` tokens to participant `i` of `p`, who deposits them.
    function depositToken(Channel.Params memory p, uint256 i, uint256 amount) internal {
        address who = p.participants[i].ethAddress;
        token.mint(who, amount);
        vm.prank(who);
        token.approve(address(erc20), amount);
        vm.prank(who);
        erc20.deposit(fundingID(idOf(p), who), amount);
    }

    /// @dev Credits `amount` tokens to participant `i` of `p` as a deposit would, without
    /// `deposit` (broken, see `test_deposit_bothAssets`; the settlement tests would otherwise
    /// fail for that one reason): the holder receives the tokens and its holdings entry, in the
    /// mapping at slot 0 (its only storage variable), grows by `amount`.
    function seedToken(Channel.Params memory p, uint256 i, uint256 amount) internal {
        bytes32 f = fundingID(idOf(p), p.participants[i].ethAddress);
        uint256 before = erc20.holdings(f);
        token.mint(address(erc20), amount);
        bytes32 slot = keccak256(abi.encode(f, uint256(0)));
        vm.store(address(erc20), slot, bytes32(uint256(vm.load(address(erc20), slot)) + amount));
        assertEq(erc20.holdings(f), before + amount, "seeded");
    }

    /// @dev Funds `p` with ETH (1, 2) and tokens (10, 20), the tokens seeded.
    function fund(Channel.Params memory p) internal {
        depositETH(p, 0, E);
        depositETH(p, 1, 2 * E);
        seedToken(p, 0, 10 * T);
        seedToken(p, 1, 20 * T);
    }

    function ethOf(Channel.Params memory p, uint256 i) internal view returns (uint256) {
        return eth.holdings(fundingID(idOf(p), p.participants[i].ethAddress));
    }

    function tokOf(Channel.Params memory p, uint256 i) internal view returns (uint256) {
        return erc20.holdings(fundingID(idOf(p), p.participants[i].ethAddress));
    }

    /// @dev The outcome of `final_()`: ETH (2, 1), tokens (25, 5).
    function final_(Channel.Params memory p) internal view returns (Channel.State memory) {
        return multi(p, 3, bals2(2 * E, E), bals2(25 * T, 5 * T), true);
    }

    function assertFinalOutcome(Channel.Params memory p) internal view {
        bytes32 id = idOf(p);
        assertTrue(eth.settled(id), "ETH settled");
        assertTrue(erc20.settled(id), "token settled");
        assertFalse(foreign.settled(id), "the other chain's asset is skipped");
        assertEq(foreign.holdings(fundingID(id, addrs[0])), 0, "nothing on the other chain");
        assertEq(ethOf(p, 0), 2 * E, "ETH of participant 0");
        assertEq(ethOf(p, 1), E, "ETH of participant 1");
        assertEq(tokOf(p, 0), 25 * T, "tokens of participant 0");
        assertEq(tokOf(p, 1), 5 * T, "tokens of participant 1");
    }

    // -----------------------------------------------------------------------------------------
    // Deposits
    // -----------------------------------------------------------------------------------------

    /// BUG: every ERC20 deposit reverts with TokenTransferFailed before `transferFrom` is
    /// called. AssetHolderERC20._balance computes `and(staticcall(...), gt(returndatasize(),
    /// 31))`, and Yul evaluates arguments right to left, so `returndatasize()` is read before
    /// the staticcall (0 at the start of the deposit's frame). SPEC section 4: the tokens are
    /// pulled from the caller and credited.
    function test_deposit_bothAssets() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, E);
        depositETH(p, 1, 2 * E);
        depositToken(p, 0, 10 * T);
        depositToken(p, 1, 20 * T);
        assertEq(ethOf(p, 0), E, "ETH of participant 0");
        assertEq(ethOf(p, 1), 2 * E, "ETH of participant 1");
        assertEq(tokOf(p, 0), 10 * T, "tokens of participant 0");
        assertEq(tokOf(p, 1), 20 * T, "tokens of participant 1");
        assertEq(address(eth).balance, 3 * E, "ETH held");
        assertEq(token.balanceOf(address(erc20)), 30 * T, "tokens held");
        assertEq(token.balanceOf(addrs[0]), 0, "tokens pulled from participant 0");
        // Each holder counts its own asset only.
        assertEq(erc20.holdings(fundingID(idOf(p), addrs[0])), 10 * T, "no ETH in the token");
    }

    function test_RevertWhen_depositToken_withValue() public {
        Channel.Params memory p = ledger2(address(0), 1);
        token.mint(addrs[0], T);
        vm.deal(addrs[0], 1);
        vm.startPrank(addrs[0]);
        token.approve(address(erc20), T);
        vm.expectRevert(WrongDepositValue.selector);
        erc20.deposit{value: 1}(fundingID(idOf(p), addrs[0]), T);
        vm.stopPrank();
    }

    // -----------------------------------------------------------------------------------------
    // Concluding
    // -----------------------------------------------------------------------------------------

    function test_concludeFinal_bothAssetsForeignSkipped() public {
        Channel.Params memory p = ledger2(address(0), 1);
        fund(p);
        Channel.State memory s = final_(p);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertFinalOutcome(p);
    }

    function test_conclude_bothAssetsForeignSkipped() public {
        Channel.Params memory p = ledger2(address(0), 1);
        fund(p);
        Channel.State memory s = multi(p, 2, bals2(2 * E, E), bals2(25 * T, 5 * T), false);
        adj.register(signed(p, s), none());
        vm.warp(START + CD);
        adj.conclude(p, s, noStates());
        assertFinalOutcome(p);
    }

    /// An asset of this chain without an EVM holder (another backend's) is skipped too.
    function test_concludeFinal_skipsAssetWithoutHolder() public {
        Channel.Params memory p = ledger2(address(0), 1);
        fund(p);
        Channel.State memory s = final_(p);
        s.outcome.assets[2] = Channel.Asset(block.chainid, address(0), hex"c0ffee");
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertEq(ethOf(p, 0), 2 * E, "ETH of participant 0");
        assertEq(tokOf(p, 1), 5 * T, "tokens of participant 1");
    }

    /// Each asset is settled on its own: the token is underfunded (everyone keeps its deposit),
    /// ETH is not.
    function test_concludeFinal_underfundedTokenKeepsDeposits() public {
        Channel.Params memory p = ledger2(address(0), 1);
        fund(p);
        Channel.State memory s = multi(p, 3, bals2(2 * E, E), bals2(25 * T, 6 * T), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        assertEq(ethOf(p, 0), 2 * E, "ETH of participant 0");
        assertEq(ethOf(p, 1), E, "ETH of participant 1");
        assertEq(tokOf(p, 0), 10 * T, "participant 0 keeps its tokens");
        assertEq(tokOf(p, 1), 20 * T, "participant 1 keeps its tokens");
        assertTrue(erc20.settled(idOf(p)), "token settled");
    }

    function test_withdraw_bothAssets() public {
        Channel.Params memory p = ledger2(address(0), 1);
        fund(p);
        Channel.State memory s = final_(p);
        adj.concludeFinal(p, s, sigsOf(p, s));
        for (uint256 i; i < 2; ++i) {
            address to = makeAddr(string.concat("receiver", vm.toString(i)));
            uint256 e = ethOf(p, i);
            uint256 t = tokOf(p, i);
            (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, i, to, e);
            eth.withdraw(a, sig);
            (a, sig) = auth(p, i, to, t);
            erc20.withdraw(a, sig);
            assertEq(to.balance, e, "ETH paid");
            assertEq(token.balanceOf(to), t, "tokens paid");
            assertEq(ethOf(p, i), 0, "no ETH left");
            assertEq(tokOf(p, i), 0, "no tokens left");
        }
        assertEq(makeAddr("receiver0").balance, 2 * E, "receiver 0's ETH");
        assertEq(token.balanceOf(makeAddr("receiver1")), 5 * T, "receiver 1's tokens");
        assertEq(address(eth).balance, 0, "ETH holder empty");
        assertEq(token.balanceOf(address(erc20)), 0, "token holder empty");
    }

    // -----------------------------------------------------------------------------------------
    // A sub-channel with two assets
    // -----------------------------------------------------------------------------------------

    /// @dev The sub-channel between participants 1 and 0: ETH (2, 3), tokens (30, 40).
    function subParams() internal view returns (Channel.Params memory sp) {
        sp = params(0, 2, address(0), false, false, 11);
        (sp.participants[0], sp.participants[1]) = (sp.participants[1], sp.participants[0]);
    }

    /// @dev The ledger's state, ETH (1, 1) and tokens (10, 10), locking `sub` with the given
    /// totals and indexMap [1, 0].
    function lockingState(
        Channel.Params memory p,
        Channel.State memory sub,
        uint256 ethTotal,
        uint256 tokTotal
    ) internal view returns (Channel.State memory s) {
        s = ethAndToken(p, 1, bals2(E, E), bals2(10 * T, 10 * T));
        uint256[] memory totals = new uint256[](2);
        (totals[0], totals[1]) = (ethTotal, tokTotal);
        uint16[] memory map = new uint16[](2);
        map[0] = 1;
        s.outcome.locked = new Channel.SubAlloc[](1);
        s.outcome.locked[0] = Channel.SubAlloc(sub.channelID, totals, map);
    }

    function test_conclude_subChannelWithTwoAssets() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sp = subParams();
        Channel.State memory sub = ethAndToken(sp, 1, bals2(2 * E, 3 * E), bals2(30 * T, 40 * T));
        Channel.State memory s = lockingState(p, sub, 5 * E, 70 * T);
        depositETH(p, 0, 7 * E);
        seedToken(p, 1, 90 * T);
        adj.register(signed(p, s), one(signed(sp, sub)));
        vm.warp(START + CD);
        adj.conclude(p, s, oneState(sub));
        assertEq(ethOf(p, 0), E + 3 * E, "ETH of participant 0");
        assertEq(ethOf(p, 1), E + 2 * E, "ETH of participant 1");
        assertEq(tokOf(p, 0), 10 * T + 40 * T, "tokens of participant 0");
        assertEq(tokOf(p, 1), 10 * T + 30 * T, "tokens of participant 1");
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[3], 50 * T);
        erc20.withdraw(a, sig);
        assertEq(token.balanceOf(addrs[3]), 50 * T, "tokens paid");
    }

    function test_RevertWhen_register_subAssetsInOtherOrder() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sp = subParams();
        Channel.State memory sub = ethAndToken(sp, 1, bals2(2 * E, 3 * E), bals2(30 * T, 40 * T));
        (sub.outcome.assets[0], sub.outcome.assets[1]) = (tokenAsset(), ethAsset());
        Channel.State memory s = lockingState(p, sub, 5 * E, 70 * T);
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(p, s), one(signed(sp, sub)));
    }

    function test_RevertWhen_register_subMissesSecondAsset() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sp = subParams();
        Channel.State memory sub = state(sp, 1, bals2(2 * E, 3 * E), false);
        Channel.State memory s = lockingState(p, sub, 5 * E, 0);
        vm.expectRevert(AssetsMismatch.selector);
        adj.register(signed(p, s), one(signed(sp, sub)));
    }

    function test_RevertWhen_register_subTokenTotalDiffers() public {
        Channel.Params memory p = ledger2(address(0), 1);
        Channel.Params memory sp = subParams();
        Channel.State memory sub = ethAndToken(sp, 1, bals2(2 * E, 3 * E), bals2(30 * T, 40 * T));
        Channel.State memory s = lockingState(p, sub, 5 * E, 70 * T - 1);
        vm.expectRevert(SubAllocMismatch.selector);
        adj.register(signed(p, s), one(signed(sp, sub)));
    }
}

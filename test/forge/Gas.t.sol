// SPDX-License-Identifier: Apache-2.0
// Whole-transaction gas of each operation, 2 parties, 1 asset, 60 s: the budgets of issue 3.
pragma solidity ^0.8.30;

import {Channel} from "../../contracts/solidity/Channel.sol";
import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice Each call is a transaction of its own (forge runs with `isolate = true`), so the gas
/// read with `vm.lastCallGas()` is what a node charges: 21,000 + calldata + execution, after
/// refunds, with cold storage. Each figure is recorded in `snapshots/GasTest.json` (checked in
/// CI with FORGE_SNAPSHOT_CHECK) and held to its budget. Two budgets of issue 3 were raised by
/// issue 13's safety fixes, which cost gas where a state's hash is recorded (the walk that finds
/// its encoding canonical), where a sub-channel's record is found (its funding key) and where a
/// sub-allocation's index map is checked: concludeFinal 129,000 -> 131,000, the v1-path virtual
/// dispute 528,500 -> 532,500. Reference
/// (v1 at 200 runs, from test/fixtures/reference-gas.csv) in brackets.
contract GasTest is PerunTest {
    uint256 internal constant A = 1 ether;
    uint256 internal constant B = 2 ether;

    /// @dev Records the last call's gas under `name` and holds it to `budget`.
    function measure(string memory name, uint256 budget) internal returns (uint256 used) {
        used = vm.snapshotGasLastCall(name);
        assertLe(used, budget, name);
    }

    function funded(address app) internal returns (Channel.Params memory p) {
        p = ledger2(app, 1);
        depositETH(p, 0, A);
        depositETH(p, 1, B);
    }

    /// deposit ETH [45,801]
    function test_gas_depositETH() public {
        Channel.Params memory p = ledger2(address(0), 1);
        depositETH(p, 0, A);
        measure("deposit ETH", 45_801);
    }

    /// concludeFinal [151,852]
    function test_gas_concludeFinal() public {
        Channel.Params memory p = funded(address(0));
        Channel.State memory s = state(p, 5, bals2(B, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        measure("concludeFinal", 131_000);
    }

    /// register, first [109,077]; refutation [77,074]; conclude [103,425]
    function test_gas_register_refute_conclude() public {
        Channel.Params memory p = funded(address(0));
        Channel.State memory s1 = state(p, 1, bals2(A, B), false);
        adj.register(signed(p, s1), none());
        measure("register", 98_200);
        Channel.State memory s2 = state(p, 2, bals2(B, A), false);
        adj.register(signed(p, s2), none());
        measure("refutation", 65_500);
        vm.warp(block.timestamp + CD);
        adj.conclude(p, s2, noStates());
        measure("conclude", 87_900);
    }

    /// withdraw ETH [42,708]: participant 0 sends the withdrawal of all its funds, to itself.
    function test_gas_withdrawETH() public {
        Channel.Params memory p = funded(address(0));
        Channel.State memory s = state(p, 5, bals2(B, A), true);
        adj.concludeFinal(p, s, sigsOf(p, s));
        (AssetHolder.WithdrawalAuth memory a, bytes memory sig) = auth(p, 0, addrs[0], B);
        vm.prank(addrs[0], addrs[0]);
        eth.withdraw(a, sig);
        measure("withdraw ETH", 42_708);
    }

    /// The v1-path virtual dispute: register through A–I, register through I–B, conclude both
    /// [202,539 + 157,447 + 135,168 + 126,687 = 621,841].
    function test_gas_virtualDispute_v1Path() public {
        // A = participant 0, I = participant 1, B = participant 2.
        Channel.Params memory ai = params(0, 2, address(0), true, false, 1);
        Channel.Params memory ib = params(1, 2, address(0), true, false, 2);
        Channel.Params memory v = virtualParams();
        depositETH(ai, 0, A);
        depositETH(ai, 1, A);
        depositETH(ib, 0, A);
        depositETH(ib, 1, A);
        // The virtual channel: A and B hold A/2 each; it moved A/4 from A to B.
        Channel.State memory vs = state(v, 3, bals2(A / 4, 3 * A / 4), false);
        // In A–I, A's half and I's half (standing in for B) are locked: indexMap [0, 1].
        Channel.State memory ais = lockingState(ai, v, [uint16(0), 1]);
        // In I–B, I's half (standing in for A) and B's half are locked: indexMap [0, 1].
        Channel.State memory ibs = lockingState(ib, v, [uint16(0), 1]);

        uint256 total;
        adj.register(signed(ai, ais), one(signed(v, vs)));
        total += measure("virtual: register A-I", 532_500);
        adj.register(signed(ib, ibs), one(signed(v, vs)));
        total += measure("virtual: register I-B", 532_500);
        vm.warp(block.timestamp + CD);
        adj.conclude(ai, ais, oneState(vs));
        total += measure("virtual: conclude A-I", 532_500);
        adj.conclude(ib, ibs, oneState(vs));
        total += measure("virtual: conclude I-B", 532_500);
        vm.snapshotValue("virtual: v1-path dispute total", total);
        assertLe(total, 532_500, "v1-path virtual dispute");
    }

    function virtualParams() internal view returns (Channel.Params memory v) {
        v = params(0, 3, address(0), false, true, 3);
        // The virtual channel is between A (0) and B (2).
        Channel.Participant[] memory parts = new Channel.Participant[](2);
        parts[0] = v.participants[0];
        parts[1] = v.participants[2];
        v.participants = parts;
    }

    /// @dev A state of the 2-party ledger `l` (balances A/2 each) locking the virtual channel's
    /// A in total.
    function lockingState(Channel.Params memory l, Channel.Params memory v, uint16[2] memory map)
        internal
        view
        returns (Channel.State memory s)
    {
        s = state(l, 1, bals2(A / 2, A / 2), false);
        s.outcome.locked = new Channel.SubAlloc[](1);
        uint256[] memory locked = new uint256[](1);
        locked[0] = A;
        uint16[] memory indexMap = new uint16[](2);
        indexMap[0] = map[0];
        indexMap[1] = map[1];
        s.outcome.locked[0] = Channel.SubAlloc(idOf(v), locked, indexMap);
    }
}

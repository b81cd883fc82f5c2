// SPDX-License-Identifier: Apache-2.0
// The base of the Perun forge tests: a deployed suite, test participants and state builders.
pragma solidity ^0.8.30;

import {Test} from "../std/Test.sol";
import {Adjudicator} from "../../../contracts/solidity/Adjudicator.sol";
import {AssetHolder} from "../../../contracts/solidity/AssetHolder.sol";
import {AssetHolderETH} from "../../../contracts/solidity/AssetHolderETH.sol";
import {AssetHolderERC20} from "../../../contracts/solidity/AssetHolderERC20.sol";
import {Channel} from "../../../contracts/solidity/Channel.sol";
import {CounterApp} from "../../../contracts/solidity/CounterApp.sol";
import {TrivialApp} from "../../../contracts/solidity/TrivialApp.sol";
import {VirtualChannelRegistry} from "../../../contracts/solidity/VirtualChannelRegistry.sol";
import {TestToken} from "./TestToken.sol";

/// @notice Deploys the suite and builds params, states, signatures and withdrawal
/// authorizations. IDs and hashes are computed here with Solidity's own `abi.encode`, independent
/// of the contracts' in-place hashing, so every test cross-checks it.
abstract contract PerunTest is Test {
    uint256 internal constant CD = 60;
    uint256 internal constant START = 1_000_000;

    Adjudicator internal adj;
    VirtualChannelRegistry internal registry;
    AssetHolderETH internal eth;
    AssetHolderERC20 internal erc20;
    TestToken internal token;
    TrivialApp internal trivial;
    CounterApp internal counter;

    uint256[] internal keys;
    address[] internal addrs;

    function setUp() public virtual {
        vm.warp(START);
        adj = new Adjudicator();
        registry = adj.registry();
        eth = new AssetHolderETH(address(adj));
        token = new TestToken();
        erc20 = new AssetHolderERC20(address(adj), address(token));
        trivial = new TrivialApp();
        counter = new CounterApp();
        for (uint256 i; i < 8; ++i) {
            uint256 key = uint256(keccak256(abi.encode("perun test participant", i))) % 2 ** 250 + 1;
            keys.push(key);
            addrs.push(vm.addr(key));
            vm.label(vm.addr(key), string.concat("participant", vm.toString(i)));
        }
    }

    // -----------------------------------------------------------------------------------------
    // Builders
    // -----------------------------------------------------------------------------------------

    /// @dev Params of participants `first..first+n-1` (indices into `keys`).
    function params(uint256 first, uint256 n, address app, bool ledger, bool virt, uint256 nonce)
        internal
        view
        returns (Channel.Params memory p)
    {
        p.challengeDuration = CD;
        p.nonce = nonce;
        p.participants = new Channel.Participant[](n);
        for (uint256 i; i < n; ++i) {
            p.participants[i] = Channel.Participant(addrs[first + i], "");
        }
        p.app = app;
        p.ledgerChannel = ledger;
        p.virtualChannel = virt;
    }

    /// @dev A 2-party ledger channel of participants 0 and 1.
    function ledger2(address app, uint256 nonce) internal view returns (Channel.Params memory) {
        return params(0, 2, app, true, false, nonce);
    }

    function idOf(Channel.Params memory p) internal pure returns (bytes32) {
        return keccak256(abi.encode(p));
    }

    function hashOf(Channel.State memory s) internal pure returns (bytes32) {
        return keccak256(abi.encode(s));
    }

    /// @dev The ETH asset of this chain.
    function ethAsset() internal view returns (Channel.Asset memory) {
        return Channel.Asset(block.chainid, address(eth), "");
    }

    /// @dev A state of `p` with one ETH asset and the given balances.
    function state(Channel.Params memory p, uint64 version, uint256[] memory bals, bool isFinal)
        internal
        view
        returns (Channel.State memory s)
    {
        s.channelID = idOf(p);
        s.version = version;
        s.outcome.assets = new Channel.Asset[](1);
        s.outcome.assets[0] = ethAsset();
        s.outcome.backends = new uint256[](1);
        s.outcome.balances = new uint256[][](1);
        s.outcome.balances[0] = bals;
        s.isFinal = isFinal;
    }

    function bals2(uint256 a, uint256 b) internal pure returns (uint256[] memory r) {
        r = new uint256[](2);
        r[0] = a;
        r[1] = b;
    }

    /// @dev The signature of key `key` over a state.
    function sigOf(uint256 key, Channel.State memory s) internal pure returns (bytes memory) {
        return signDigest(key, hashOf(s));
    }

    function signDigest(uint256 key, bytes32 hash) internal pure returns (bytes memory) {
        bytes32 digest = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", hash));
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }

    /// @dev Signatures of every participant of `p` (they must be test participants).
    function sigsOf(Channel.Params memory p, Channel.State memory s)
        internal
        view
        returns (bytes[] memory sigs)
    {
        sigs = new bytes[](p.participants.length);
        for (uint256 i; i < sigs.length; ++i) {
            sigs[i] = sigOf(keyOf(p.participants[i].ethAddress), s);
        }
    }

    function keyOf(address a) internal view returns (uint256) {
        for (uint256 i; i < addrs.length; ++i) {
            if (addrs[i] == a) return keys[i];
        }
        revert("not a test participant");
    }

    function signed(Channel.Params memory p, Channel.State memory s)
        internal
        view
        returns (Channel.SignedState memory)
    {
        return Channel.SignedState(p, s, sigsOf(p, s));
    }

    function none() internal pure returns (Channel.SignedState[] memory) {
        return new Channel.SignedState[](0);
    }

    function noStates() internal pure returns (Channel.State[] memory) {
        return new Channel.State[](0);
    }

    function one(Channel.SignedState memory s)
        internal
        pure
        returns (Channel.SignedState[] memory r)
    {
        r = new Channel.SignedState[](1);
        r[0] = s;
    }

    function oneState(Channel.State memory s) internal pure returns (Channel.State[] memory r) {
        r = new Channel.State[](1);
        r[0] = s;
    }

    function fundingID(bytes32 channelID, address a) internal pure returns (bytes32) {
        return keccak256(abi.encode(channelID, a));
    }

    /// @dev A withdrawal authorization of participant `i` of `p`, signed.
    function auth(Channel.Params memory p, uint256 i, address receiver, uint256 amount)
        internal
        view
        returns (AssetHolder.WithdrawalAuth memory a, bytes memory sig)
    {
        a = AssetHolder.WithdrawalAuth(idOf(p), p.participants[i], payable(receiver), amount);
        sig = signDigest(keyOf(p.participants[i].ethAddress), keccak256(abi.encode(a)));
    }

    /// @dev Deposits `amount` ETH for participant `i` of `p`.
    function depositETH(Channel.Params memory p, uint256 i, uint256 amount) internal {
        address who = p.participants[i].ethAddress;
        vm.deal(who, who.balance + amount);
        vm.prank(who);
        eth.deposit{value: amount}(fundingID(idOf(p), who), amount);
    }

    /// @dev The record key of a sub-channel or virtual channel `id` whose parents lock `totals`
    /// of `assets` (SPEC section 10; perun-channel's `hash::sub_channel_key`), computed here from
    /// its definition: `keccak256(id ‖ keccak256(abi-encoded asset array ‖ totals))`.
    function fundedKey(bytes32 id, Channel.Asset[] memory assets, uint256[] memory totals)
        internal
        pure
        returns (bytes32)
    {
        bytes memory enc = abi.encode(assets);
        bytes memory arr = new bytes(enc.length - 32);
        for (uint256 i; i < arr.length; ++i) {
            arr[i] = enc[i + 32];
        }
        return keccak256(abi.encodePacked(id, keccak256(abi.encodePacked(arr, totals))));
    }

    /// @dev The record key of a sub-channel or virtual channel registered with state `s`: its
    /// ID bound to its assets and totals (balances plus locked amounts).
    function keyOfState(Channel.State memory s) internal pure returns (bytes32) {
        Channel.Allocation memory o = s.outcome;
        uint256[] memory totals = new uint256[](o.balances.length);
        for (uint256 a; a < totals.length; ++a) {
            for (uint256 p; p < o.balances[a].length; ++p) {
                totals[a] += o.balances[a][p];
            }
            for (uint256 l; l < o.locked.length; ++l) {
                totals[a] += o.locked[l].balances[a];
            }
        }
        return fundedKey(s.channelID, o.assets, totals);
    }

    /// @dev The dispute record of a channel, as a tuple.
    function record(bytes32 id)
        internal
        view
        returns (uint64 timeout, uint64 cd, uint64 version, uint8 phase, bytes32 h, bool hasApp)
    {
        return adj.disputes(id);
    }
}

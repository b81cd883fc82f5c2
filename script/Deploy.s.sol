// Deploy: the forge script deploying the EVM suite to any chain, writing its addresses as JSON.
// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.30;

import {Adjudicator} from "../contracts/solidity/Adjudicator.sol";
import {AssetHolderERC20} from "../contracts/solidity/AssetHolderERC20.sol";
import {AssetHolderETH} from "../contracts/solidity/AssetHolderETH.sol";
import {TrivialApp} from "../contracts/solidity/TrivialApp.sol";
import {Script} from "../test/forge/std/Script.sol";
import {Vm} from "../test/forge/std/Vm.sol";

/// @title Deploy
/// @notice Deploys the Solidity suite: the Adjudicator (which creates its
/// VirtualChannelRegistry), the ETH asset holder, one ERC20 asset holder per token and the
/// TrivialApp; the transactions are sent by the key or account given to forge.
///
///     script/forge script script/Deploy.s.sol --rpc-url URL --broadcast --private-key KEY
///
/// Environment:
/// - `PERUN_TOKENS`: the ERC20 tokens, comma-separated addresses (none if unset or empty);
///   each must have code on the chain.
/// - `PERUN_DEPLOYMENTS`: where to write the addresses, relative to the project root (its
///   directory is created); default `deployments/<chainid>.json`. foundry.toml lets scripts
///   write under `deployments/` only.
///
/// The JSON: `chainID`, `startBlock` (the head before deployment: where to start reading the
/// contracts' events), `adjudicator`, `registry`, `assetHolderETH`, `tokens`,
/// `assetHoldersERC20` (the holder of `tokens[i]` at index i) and `trivialApp`. `run()` returns
/// it; the file is written only with `--broadcast`, so a dry run leaves it untouched.
contract Deploy is Script {
    /// @notice A token given in `PERUN_TOKENS` has no code on the chain.
    error TokenWithoutCode(address token);

    /// @notice Deploys the suite and, when broadcasting, writes its addresses.
    /// @return json The addresses as JSON (the contract's notice lists the keys).
    function run() external returns (string memory json) {
        address[] memory tokens = _tokens();
        uint256 startBlock = block.number;

        vm.startBroadcast();
        Adjudicator adjudicator = new Adjudicator();
        AssetHolderETH ethHolder = new AssetHolderETH(address(adjudicator));
        address[] memory erc20Holders = new address[](tokens.length);
        for (uint256 i; i < tokens.length; ++i) {
            erc20Holders[i] = address(new AssetHolderERC20(address(adjudicator), tokens[i]));
        }
        TrivialApp app = new TrivialApp();
        vm.stopBroadcast();

        string memory o = "deployment";
        vm.serializeUint(o, "chainID", block.chainid);
        vm.serializeUint(o, "startBlock", startBlock);
        vm.serializeAddress(o, "adjudicator", address(adjudicator));
        vm.serializeAddress(o, "registry", address(adjudicator.registry()));
        vm.serializeAddress(o, "assetHolderETH", address(ethHolder));
        vm.serializeAddress(o, "tokens", tokens);
        vm.serializeAddress(o, "assetHoldersERC20", erc20Holders);
        json = vm.serializeAddress(o, "trivialApp", address(app));
        if (vm.isContext(Vm.ForgeContext.ScriptBroadcast)) vm.writeJson(json, _path());
    }

    /// @dev The tokens of `PERUN_TOKENS`, each checked to have code.
    function _tokens() private view returns (address[] memory tokens) {
        if (bytes(vm.envOr("PERUN_TOKENS", string(""))).length == 0) return new address[](0);
        tokens = vm.envAddress("PERUN_TOKENS", ",");
        for (uint256 i; i < tokens.length; ++i) {
            if (tokens[i].code.length == 0) revert TokenWithoutCode(tokens[i]);
        }
    }

    /// @dev `PERUN_DEPLOYMENTS`, or `deployments/<chainid>.json`; creates its directory.
    function _path() private returns (string memory path) {
        path = vm.envOr("PERUN_DEPLOYMENTS", string(""));
        if (bytes(path).length == 0) {
            path = string.concat("deployments/", vm.toString(block.chainid), ".json");
        }
        bytes memory b = bytes(path);
        uint256 slash = b.length;
        while (slash > 0 && b[slash - 1] != "/") --slash;
        if (slash > 1) {
            bytes memory dir = new bytes(slash - 1);
            for (uint256 i; i < dir.length; ++i) {
                dir[i] = b[i];
            }
            vm.createDir(string(dir), true);
        }
    }
}

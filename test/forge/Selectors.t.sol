// SPDX-License-Identifier: Apache-2.0
// Selectors: function selectors and event topics equal v1's.
pragma solidity ^0.8.30;

import {Adjudicator} from "../../contracts/solidity/Adjudicator.sol";
import {AssetHolder} from "../../contracts/solidity/AssetHolder.sol";
import {AssetHolderERC20} from "../../contracts/solidity/AssetHolderERC20.sol";
import {AssetHolderETH} from "../../contracts/solidity/AssetHolderETH.sol";
import {Disputes} from "../../contracts/solidity/Disputes.sol";
import {PerunTest} from "./utils/PerunTest.sol";

/// @notice go-perun calls v1's ABI: each selector compiled from our declarations must equal
/// v1's (the constants are v1's, from the v1 fact sheet), and each event topic must be the hash
/// of v1's event signature.
contract SelectorsTest is PerunTest {
    // -----------------------------------------------------------------------------------------
    // Adjudicator
    // -----------------------------------------------------------------------------------------

    function test_Selector_Register() public pure {
        assertEq(bytes32(Adjudicator.register.selector), bytes32(bytes4(0xe9aa7e02)));
    }

    function test_Selector_Progress() public pure {
        assertEq(bytes32(Adjudicator.progress.selector), bytes32(bytes4(0x4c8a2c90)));
    }

    function test_Selector_Conclude() public pure {
        assertEq(bytes32(Adjudicator.conclude.selector), bytes32(bytes4(0xe7c01d05)));
    }

    function test_Selector_ConcludeFinal() public pure {
        assertEq(bytes32(Adjudicator.concludeFinal.selector), bytes32(bytes4(0x75a87223)));
    }

    function test_Selector_ChannelID() public pure {
        assertEq(bytes32(Adjudicator.channelID.selector), bytes32(bytes4(0xdb77bb27)));
    }

    function test_Selector_HashState() public pure {
        assertEq(bytes32(Adjudicator.hashState.selector), bytes32(bytes4(0x7a114d3d)));
    }

    function test_Selector_Disputes() public pure {
        assertEq(bytes32(Adjudicator.disputes.selector), bytes32(bytes4(0x11be1997)));
    }

    /// @dev The v1 selectors are the hashes of v1's canonical signatures (cross-check of the
    /// constants above with the tuple types of the fact sheet).
    function test_Selector_AdjudicatorFromV1Signatures() public pure {
        string memory params = "(uint256,uint256,(address,bytes)[],address,bool,bool)";
        string memory alloc =
            "((uint256,address,bytes)[],uint256[],uint256[][],(bytes32,uint256[],uint16[])[])";
        string memory st = string.concat("(bytes32,uint64,", alloc, ",bytes,bool)");
        string memory signedSt = string.concat("(", params, ",", st, ",bytes[])");
        assertEq(
            bytes32(Adjudicator.register.selector),
            bytes32(
                bytes4(keccak256(bytes(string.concat("register(", signedSt, ",", signedSt, "[])"))))
            ),
            "register"
        );
        assertEq(
            bytes32(Adjudicator.progress.selector),
            bytes32(
                bytes4(
                    keccak256(
                        bytes(
                            string.concat("progress(", params, ",", st, ",", st, ",uint256,bytes)")
                        )
                    )
                )
            ),
            "progress"
        );
        assertEq(
            bytes32(Adjudicator.conclude.selector),
            bytes32(
                bytes4(
                    keccak256(bytes(string.concat("conclude(", params, ",", st, ",", st, "[])")))
                )
            ),
            "conclude"
        );
        assertEq(
            bytes32(Adjudicator.concludeFinal.selector),
            bytes32(
                bytes4(
                    keccak256(bytes(string.concat("concludeFinal(", params, ",", st, ",bytes[])")))
                )
            ),
            "concludeFinal"
        );
        assertEq(
            bytes32(Adjudicator.channelID.selector),
            bytes32(bytes4(keccak256(bytes(string.concat("channelID(", params, ")"))))),
            "channelID"
        );
        assertEq(
            bytes32(Adjudicator.hashState.selector),
            bytes32(bytes4(keccak256(bytes(string.concat("hashState(", st, ")"))))),
            "hashState"
        );
        assertEq(
            bytes32(Adjudicator.disputes.selector),
            bytes32(bytes4(keccak256("disputes(bytes32)"))),
            "disputes"
        );
    }

    // -----------------------------------------------------------------------------------------
    // Asset holders
    // -----------------------------------------------------------------------------------------

    function test_Selector_Deposit() public pure {
        assertEq(bytes32(AssetHolder.deposit.selector), bytes32(bytes4(0x1de26e16)));
        assertEq(bytes32(AssetHolderETH.deposit.selector), bytes32(bytes4(0x1de26e16)));
        assertEq(bytes32(AssetHolderERC20.deposit.selector), bytes32(bytes4(0x1de26e16)));
    }

    function test_Selector_Withdraw() public pure {
        assertEq(bytes32(AssetHolder.withdraw.selector), bytes32(bytes4(0xfca0f778)));
        assertEq(
            bytes32(AssetHolder.withdraw.selector),
            bytes32(bytes4(keccak256("withdraw((bytes32,(address,bytes),address,uint256),bytes)")))
        );
    }

    function test_Selector_SetOutcome() public pure {
        assertEq(bytes32(AssetHolder.setOutcome.selector), bytes32(bytes4(0x295482ce)));
        assertEq(
            bytes32(AssetHolder.setOutcome.selector),
            bytes32(bytes4(keccak256("setOutcome(bytes32,(address,bytes)[],uint256[])")))
        );
    }

    function test_Selector_Holdings() public pure {
        assertEq(bytes32(AssetHolder.holdings.selector), bytes32(bytes4(0xae9ee18c)));
    }

    function test_Selector_Settled() public pure {
        assertEq(bytes32(AssetHolder.settled.selector), bytes32(bytes4(0xd945af1d)));
    }

    /// @dev A public variable's getter has a selector only on an instance; the deployed
    /// holders must also answer v1's selector with the right address.
    function test_Selector_Adjudicator() public view {
        assertEq(bytes32(eth.adjudicator.selector), bytes32(bytes4(0x53c2ed8e)));
        assertEq(bytes32(erc20.adjudicator.selector), bytes32(bytes4(0x53c2ed8e)));
        (bool ok, bytes memory ret) = address(eth).staticcall(abi.encodeWithSelector(0x53c2ed8e));
        assertTrue(ok, "ETH holder answers adjudicator()");
        assertEq(abi.decode(ret, (address)), address(adj), "ETH holder's adjudicator");
        (ok, ret) = address(erc20).staticcall(abi.encodeWithSelector(0x53c2ed8e));
        assertTrue(ok, "ERC20 holder answers adjudicator()");
        assertEq(abi.decode(ret, (address)), address(adj), "ERC20 holder's adjudicator");
    }

    function test_Selector_Token() public view {
        assertEq(bytes32(erc20.token.selector), bytes32(bytes4(0xfc0c546a)));
        (bool ok, bytes memory ret) = address(erc20).staticcall(abi.encodeWithSelector(0xfc0c546a));
        assertTrue(ok, "ERC20 holder answers token()");
        assertEq(abi.decode(ret, (address)), address(token), "token");
    }

    // -----------------------------------------------------------------------------------------
    // Events
    // -----------------------------------------------------------------------------------------

    function test_Topic_ChannelUpdate() public pure {
        assertEq(
            Disputes.ChannelUpdate.selector, keccak256("ChannelUpdate(bytes32,uint64,uint8,uint64)")
        );
        assertEq(
            Disputes.ChannelUpdate.selector,
            0x895ef5a5fc3efd313a300b006d6ce97ff0670dfe04f6eea90417edf924fa786b
        );
    }

    function test_Topic_Deposited() public pure {
        assertEq(AssetHolder.Deposited.selector, keccak256("Deposited(bytes32,uint256)"));
        assertEq(
            AssetHolder.Deposited.selector,
            0xcd2fe07293de5928c5df9505b65a8d6506f8668dfe81af09090920687edc48a9
        );
    }

    function test_Topic_Withdrawn() public pure {
        assertEq(AssetHolder.Withdrawn.selector, keccak256("Withdrawn(bytes32,uint256,address)"));
        assertEq(
            AssetHolder.Withdrawn.selector,
            0xd0b6e7d0170f56c62f87de6a8a47a0ccf41c86ffb5084d399d8eb62e823f2a81
        );
    }

    function test_Topic_OutcomeSet() public pure {
        assertEq(AssetHolder.OutcomeSet.selector, keccak256("OutcomeSet(bytes32)"));
        assertEq(
            AssetHolder.OutcomeSet.selector,
            0xef898d6cd3395b6dfe67a3c1923e5c726c1b154e979fb0a25a9c41d0093168b8
        );
    }
}

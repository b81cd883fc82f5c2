// SPDX-License-Identifier: Apache-2.0
// The channel types of Perun v1 (`Channel.sol` of perun-eth-contracts v1.0.0), field for field.
pragma solidity ^0.8.30;

/// @title Channel
/// @notice The wire format every Perun client signs: names, types and field order are v1's
/// (hyperledger-labs/perun-eth-contracts, commit 88b3ce2), so `abi.encode` of each value is unchanged.
library Channel {
    /// @notice The fixed parameters of a channel; `keccak256(abi.encode(params))` is its ID.
    struct Params {
        uint256 challengeDuration;
        uint256 nonce;
        Participant[] participants;
        address app;
        bool ledgerChannel;
        bool virtualChannel;
    }

    /// @notice A participant: its Ethereum address and its key on another chain (may be empty).
    struct Participant {
        address ethAddress;
        bytes ccAddress;
    }

    /// @notice One state of a channel; participants sign `keccak256(abi.encode(state))`.
    struct State {
        bytes32 channelID;
        uint64 version;
        Allocation outcome;
        bytes appData;
        bool isFinal;
    }

    /// @notice An asset: the chain it lives on and its holder there (or on another chain).
    struct Asset {
        uint256 chainID;
        address ethHolder;
        bytes ccHolder;
    }

    /// @notice A channel's funds: `balances[asset][participant]`, plus what sub-channels lock.
    struct Allocation {
        Asset[] assets;
        uint256[] backends;
        uint256[][] balances;
        SubAlloc[] locked;
    }

    /// @notice Funds locked in a sub-channel: `balances[asset]` in total, and for each of the
    /// sub-channel's participants its index in the parent (`indexMap`).
    struct SubAlloc {
        bytes32 ID;
        uint256[] balances;
        uint16[] indexMap;
    }

    /// @notice A state with its params and one signature per participant, in order.
    struct SignedState {
        Params params;
        State state;
        bytes[] sigs;
    }
}

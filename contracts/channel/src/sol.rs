//! `sol!` definitions of the Perun v1 wire format: types, events and contract interfaces.
//!
//! Names, field order and types are those of perun-eth-contracts v1.0.0
//! (hyperledger-labs/perun-eth-contracts@88b3ce2, `contracts/Channel.sol`,
//! `contracts/AssetHolder.sol`, `contracts/Adjudicator.sol`), so `abi.encode` of every value is
//! byte for byte what go-perun clients sign and what the v1 contracts accept.
#![allow(missing_docs)] // The `sol!` macro generates the items; their docs are the comments below.

alloy_sol_types::sol! {
    /// The channel types of `Channel.sol`.
    #[derive(Debug, PartialEq, Eq)]
    library Channel {
        /// The fixed parameters of a channel; `keccak256(abi.encode(params))` is its ID.
        struct Params {
            uint256 challengeDuration;
            uint256 nonce;
            Participant[] participants;
            address app;
            bool ledgerChannel;
            bool virtualChannel;
        }

        /// A channel participant: its Ethereum address and its key on another chain (may be empty).
        struct Participant {
            address ethAddress;
            bytes ccAddress;
        }

        /// One state of a channel; participants sign `keccak256(abi.encode(state))`.
        struct State {
            bytes32 channelID;
            uint64 version;
            Allocation outcome;
            bytes appData;
            bool isFinal;
        }

        /// An asset: the chain it lives on and its holder contract there (or on another chain).
        struct Asset {
            uint256 chainID;
            address ethHolder;
            bytes ccHolder;
        }

        /// The distribution of a channel's funds: `balances[asset][participant]` plus the funds
        /// locked in sub-channels.
        struct Allocation {
            Asset[] assets;
            uint256[] backends;
            uint256[][] balances;
            SubAlloc[] locked;
        }

        /// Funds locked in a sub-channel: `balances[asset]` in total, and for each of the
        /// sub-channel's participants its index in the parent channel.
        struct SubAlloc {
            bytes32 ID;
            uint256[] balances;
            uint16[] indexMap;
        }

        /// A state with its parameters and one signature per participant, in participant order.
        struct SignedState {
            Params params;
            State state;
            bytes[] sigs;
        }
    }

    /// The withdrawal authorization of `AssetHolder.sol`, signed by the withdrawing participant.
    #[derive(Debug, PartialEq, Eq)]
    struct WithdrawalAuth {
        bytes32 channelID;
        Channel.Participant participant;
        address receiver;
        uint256 amount;
    }

    /// The phases of a dispute record.
    #[derive(Debug, PartialEq, Eq)]
    enum DisputePhase {
        DISPUTE,
        FORCEEXEC,
        CONCLUDED
    }

    /// Emitted by the Adjudicator (and the registry) on every change of a dispute record.
    #[derive(Debug, PartialEq, Eq)]
    event ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout);

    /// Emitted by an asset holder when funds are deposited for a funding ID.
    #[derive(Debug, PartialEq, Eq)]
    event Deposited(bytes32 indexed fundingID, uint256 amount);

    /// Emitted by an asset holder when a participant withdraws.
    #[derive(Debug, PartialEq, Eq)]
    event Withdrawn(bytes32 indexed fundingID, uint256 amount, address receiver);

    /// Emitted by an asset holder when the Adjudicator sets a channel's outcome.
    #[derive(Debug, PartialEq, Eq)]
    event OutcomeSet(bytes32 indexed channelID);
}

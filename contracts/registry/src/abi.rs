//! The registry's ABI: its functions (from which the router's selectors come), events and
//! errors.

use perun_stylus::abi::{Function, Mutability};
use perun_stylus::abi_type;

/// The interface, in the order `export-abi` prints it.
pub const FUNCTIONS: &[Function] = &[
    Function {
        signature: concat!("register(", abi_type!(SignedState), ")"),
        declaration: "register(SignedState calldata channel)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: concat!("conclude(", abi_type!(Params), ",", abi_type!(State), ")"),
        declaration: "conclude(Params calldata params, State calldata state)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: "registerVirtual(bytes32,bytes32,uint64,bytes32,uint256,bool)",
        declaration: "registerVirtual(bytes32 channelID, bytes32 key, uint64 version, bytes32 stateHash, uint256 challengeDuration, bool isFinal)",
        mutability: Mutability::NonPayable,
        returns: "bool changed, uint64 timeout, bool same",
    },
    Function {
        signature: "concludeVirtual(bytes32,bytes32,bytes32,bool)",
        declaration: "concludeVirtual(bytes32 channelID, bytes32 key, bytes32 stateHash, bool root)",
        mutability: Mutability::NonPayable,
        returns: "bool changed, uint64 version, uint64 timeout",
    },
    Function {
        signature: "concludeFinalVirtual(bytes32,uint64,bytes32,uint256)",
        declaration: "concludeFinalVirtual(bytes32 channelID, uint64 version, bytes32 stateHash, uint256 challengeDuration)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: "disputes(bytes32)",
        declaration: "disputes(bytes32 key)",
        mutability: Mutability::View,
        returns: "uint64 timeout, uint64 challengeDuration, uint64 version, uint8 phase, bytes32 stateHash, bool hasApp",
    },
    Function {
        signature: "adjudicator()",
        declaration: "adjudicator()",
        mutability: Mutability::View,
        returns: "address",
    },
];

/// The selectors the router dispatches on, from [`FUNCTIONS`].
pub mod sel {
    use super::FUNCTIONS;
    /// `register`.
    pub const REGISTER: u32 = FUNCTIONS[0].selector();
    /// `conclude`.
    pub const CONCLUDE: u32 = FUNCTIONS[1].selector();
    /// `registerVirtual`.
    pub const REGISTER_VIRTUAL: u32 = FUNCTIONS[2].selector();
    /// `concludeVirtual`.
    pub const CONCLUDE_VIRTUAL: u32 = FUNCTIONS[3].selector();
    /// `concludeFinalVirtual`.
    pub const CONCLUDE_FINAL_VIRTUAL: u32 = FUNCTIONS[4].selector();
    /// `disputes`.
    pub const DISPUTES: u32 = FUNCTIONS[5].selector();
    /// `adjudicator`.
    pub const ADJUDICATOR: u32 = FUNCTIONS[6].selector();
}

/// The events the registry emits.
pub const EVENTS: &[&str] =
    &["ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout)"];

/// The custom errors the registry can revert with.
pub const ERRORS: &[&str] = &[
    "AlreadyConcluded",
    "BalanceOverflow",
    "BalancesLengthMismatch",
    "HasApp",
    "HasLockedFunds",
    "InvalidParams",
    "InvalidSignature",
    "InvalidSignatureLength",
    "InvalidSignatureS",
    "InvalidSignatureV",
    "MalformedCalldata",
    "NotInDisputePhase",
    "NotRegistered",
    "NotVirtualChannel",
    "OnlyAdjudicator",
    "RefutationTimeoutPassed",
    "SignatureCountMismatch",
    "TimeoutNotPassed",
    "TimeoutOverflow",
    "VersionTooLow",
    "WrongState",
];

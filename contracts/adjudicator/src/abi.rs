//! The Adjudicator's ABI: its functions (from which the router's selectors come), events and
//! errors, and the encodings of the calls it makes.

use alloc::vec::Vec;
use alloy_primitives::{B256, U256};
use perun_stylus::abi::{selector, Function, Mutability};
use perun_stylus::abi_type;
use perun_stylus::revert::word;

/// The interface, in the order `export-abi` prints it.
pub const FUNCTIONS: &[Function] = &[
    Function {
        signature: concat!("register(", abi_type!(SignedState), ",", abi_type!(SignedState), "[])"),
        declaration: "register(SignedState calldata channel, SignedState[] calldata subChannels)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: concat!(
            "progress(", abi_type!(Params), ",", abi_type!(State), ",", abi_type!(State),
            ",uint256,bytes)"
        ),
        declaration: "progress(Params calldata params, State calldata stateOld, State calldata state, uint256 actorIdx, bytes calldata sig)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: concat!("conclude(", abi_type!(Params), ",", abi_type!(State), ",", abi_type!(State), "[])"),
        declaration: "conclude(Params calldata params, State calldata state, State[] calldata subStates)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: concat!("concludeFinal(", abi_type!(Params), ",", abi_type!(State), ",bytes[])"),
        declaration: "concludeFinal(Params calldata params, State calldata state, bytes[] calldata sigs)",
        mutability: Mutability::NonPayable,
        returns: "",
    },
    Function {
        signature: concat!("channelID(", abi_type!(Params), ")"),
        declaration: "channelID(Params calldata params)",
        mutability: Mutability::Pure,
        returns: "bytes32",
    },
    Function {
        signature: concat!("hashState(", abi_type!(State), ")"),
        declaration: "hashState(State calldata state)",
        mutability: Mutability::Pure,
        returns: "bytes32",
    },
    Function {
        signature: "disputes(bytes32)",
        declaration: "disputes(bytes32 id)",
        mutability: Mutability::View,
        returns: "uint64 timeout, uint64 challengeDuration, uint64 version, uint8 phase, bytes32 stateHash, bool hasApp",
    },
    Function {
        signature: "registry()",
        declaration: "registry()",
        mutability: Mutability::View,
        returns: "address",
    },
];

/// The selectors the router dispatches on, from [`FUNCTIONS`].
pub mod sel {
    use super::FUNCTIONS;
    /// `register`.
    pub const REGISTER: u32 = FUNCTIONS[0].selector();
    /// `progress`.
    pub const PROGRESS: u32 = FUNCTIONS[1].selector();
    /// `conclude`.
    pub const CONCLUDE: u32 = FUNCTIONS[2].selector();
    /// `concludeFinal`.
    pub const CONCLUDE_FINAL: u32 = FUNCTIONS[3].selector();
    /// `channelID`.
    pub const CHANNEL_ID: u32 = FUNCTIONS[4].selector();
    /// `hashState`.
    pub const HASH_STATE: u32 = FUNCTIONS[5].selector();
    /// `disputes`.
    pub const DISPUTES: u32 = FUNCTIONS[6].selector();
    /// `registry`.
    pub const REGISTRY: u32 = FUNCTIONS[7].selector();
}

/// The events the Adjudicator emits.
pub const EVENTS: &[&str] =
    &["ChannelUpdate(bytes32 indexed channelID, uint64 version, uint8 phase, uint64 timeout)"];

/// The custom errors the Adjudicator can revert with (its own and its libraries').
pub const ERRORS: &[&str] = &[
    "ActorIndexOutOfRange",
    "AlreadyConcluded",
    "AssetsMismatch",
    "BalanceOverflow",
    "BalancesLengthMismatch",
    "ChallengeDurationTooLong",
    "HasApp",
    "HasLockedFunds",
    "IndexMapOutOfRange",
    "InvalidParams",
    "InvalidSignature",
    "InvalidSignatureLength",
    "InvalidSignatureS",
    "InvalidSignatureV",
    "LedgerSubChannel",
    "LockedMismatch",
    "MalformedCalldata",
    "NestingTooDeep",
    "NoApp",
    "NoContractCode",
    "NotInDisputePhase",
    "NotLedgerChannel",
    "NotRegistered",
    "ProgressFromFinalState",
    "RefutationTimeoutPassed",
    "SignatureCountMismatch",
    "StateNotFinal",
    "SubAllocMismatch",
    "SubChannelIDMismatch",
    "SubChannelsTooShort",
    "SumOfBalancesMismatch",
    "TimeoutNotPassed",
    "TimeoutOverflow",
    "TimeoutPassed",
    "VersionNotIncremented",
    "VersionTooLow",
    "WrongOldState",
    "WrongState",
];

/// `App.validTransition`'s selector.
pub const VALID_TRANSITION: u32 = selector(concat!(
    "validTransition(",
    abi_type!(Params),
    ",",
    abi_type!(State),
    ",",
    abi_type!(State),
    ",uint256)"
));
/// `setOutcome(bytes32,(address,bytes)[],uint256[])`.
pub const SET_OUTCOME: u32 = selector(concat!(
    "setOutcome(bytes32,",
    abi_type!(Participant),
    "[],uint256[])"
));
/// The registry's `registerVirtual(bytes32,bytes32,uint64,bytes32,uint256,bool)`.
pub const REGISTER_VIRTUAL: u32 =
    selector("registerVirtual(bytes32,bytes32,uint64,bytes32,uint256,bool)");
/// The registry's `concludeVirtual(bytes32,bytes32,bytes32,bool)`.
pub const CONCLUDE_VIRTUAL: u32 = selector("concludeVirtual(bytes32,bytes32,bytes32,bool)");
/// The registry's `concludeFinalVirtual(bytes32,uint64,bytes32,uint256)`.
pub const CONCLUDE_FINAL_VIRTUAL: u32 =
    selector("concludeFinalVirtual(bytes32,uint64,bytes32,uint256)");
/// The registry's `disputes(bytes32)`.
pub const REGISTRY_DISPUTES: u32 = selector("disputes(bytes32)");

fn call(selector: u32, words: &[[u8; 32]]) -> Vec<u8> {
    let mut data = Vec::with_capacity(4 + 32 * words.len());
    data.extend_from_slice(&selector.to_be_bytes());
    for w in words {
        data.extend_from_slice(w);
    }
    data
}

/// `registerVirtual(id, version, stateHash, challengeDuration, isFinal)`.
pub fn register_virtual(
    id: B256,
    key: B256,
    version: u64,
    h: B256,
    cd: U256,
    is_final: bool,
) -> Vec<u8> {
    call(
        REGISTER_VIRTUAL,
        &[
            id.0,
            key.0,
            word(version),
            h.0,
            cd.to_be_bytes(),
            word(u64::from(is_final)),
        ],
    )
}

/// `concludeVirtual(id, key, stateHash, root)`.
pub fn conclude_virtual(id: B256, key: B256, h: B256, root: bool) -> Vec<u8> {
    call(CONCLUDE_VIRTUAL, &[id.0, key.0, h.0, word(u64::from(root))])
}

/// `concludeFinalVirtual(id, version, stateHash, challengeDuration)`.
pub fn conclude_final_virtual(id: B256, version: u64, h: B256, cd: U256) -> Vec<u8> {
    call(
        CONCLUDE_FINAL_VIRTUAL,
        &[id.0, word(version), h.0, cd.to_be_bytes()],
    )
}

/// The registry's `disputes(id)`.
pub fn disputes(id: B256) -> Vec<u8> {
    call(REGISTRY_DISPUTES, &[id.0])
}

/// `setOutcome(id, parts, bals)` with the participants array's encoding `parts` as it lies in
/// the params.
pub fn set_outcome(id: B256, parts: &[u8], bals: &[U256]) -> Vec<u8> {
    let mut data = call(
        SET_OUTCOME,
        &[id.0, word(0x60), word(0x60 + parts.len() as u64)],
    );
    data.extend_from_slice(parts);
    data.extend_from_slice(&word(bals.len() as u64));
    for b in bals {
        data.extend_from_slice(&b.to_be_bytes::<32>());
    }
    data
}

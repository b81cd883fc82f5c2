//! The error type of this crate: one variant per custom error of `Errors.sol`, with details.

use crate::calldata::DecodeError;
use crate::errors as sol;
use crate::sig::SigError;
use alloy_sol_types::SolError;
use core::fmt;

/// The result type of this crate.
pub type Result<T, E = Error> = core::result::Result<T, E>;

/// Everything a Perun contract can revert with, and every check of this crate can fail with.
///
/// Each variant maps to one custom error of `Errors.sol` ([`Error::selector`]); some carry
/// details that off-chain tools print but the contracts do not put into revert data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error {
    /// Malformed ABI data (`MalformedCalldata`).
    Decode(DecodeError),
    /// The number of signatures differs from the number of participants
    /// (`SignatureCountMismatch`).
    SignatureCount {
        /// The number of participants.
        expected: usize,
        /// The number of signatures.
        actual: usize,
    },
    /// Signature `index` is malformed or unrecoverable (`InvalidSignatureLength`,
    /// `InvalidSignatureS`, `InvalidSignatureV` or `InvalidSignature`, by [`SigError`]).
    Signature {
        /// The participant index the signature belongs to.
        index: usize,
        /// What is wrong with it.
        error: SigError,
    },
    /// Signature `index` recovers to another address than participant `index`'s
    /// (`InvalidSignature`).
    WrongSigner {
        /// The participant index.
        index: usize,
    },
    /// `NotLedgerChannel`.
    NotLedgerChannel,
    /// `InvalidParams`: the state's channel ID is not the params' ID.
    InvalidParams,
    /// `HasApp`: a virtual channel with an app.
    HasApp,
    /// `HasLockedFunds`: a virtual channel or a final state with locked funds.
    HasLockedFunds,
    /// `NoApp`: force-execution of a channel without an app.
    NoApp,
    /// `SubChannelsTooShort`.
    SubChannelsTooShort,
    /// `SubChannelIDMismatch`.
    SubChannelIdMismatch,
    /// `AssetsMismatch`.
    AssetsMismatch,
    /// `SubAllocMismatch`: a sub-allocation's totals differ from its sub-channel's funds.
    SubAllocMismatch,
    /// `LockedMismatch`: a transition changed the locked sub-allocations.
    LockedMismatch,
    /// `BalancesLengthMismatch`.
    BalancesLengthMismatch,
    /// `SumOfBalancesMismatch`: a transition changed an asset's total.
    SumOfBalancesMismatch,
    /// `BalanceOverflow`.
    BalanceOverflow,
    /// `IndexMapOutOfRange`.
    IndexMapOutOfRange,
    /// `LedgerSubChannel`: a sub-channel is a ledger channel.
    LedgerSubChannel,
    /// `ChallengeDurationTooLong`: a sub-channel's challenge duration exceeds its parent's.
    ChallengeDurationTooLong,
    /// `NestingTooDeep`: sub-channels nested deeper than [`crate::checks::MAX_DEPTH`].
    NestingTooDeep,
    /// `NotRegistered`.
    NotRegistered,
    /// `VersionTooLow`.
    VersionTooLow,
    /// `NotInDisputePhase`.
    NotInDisputePhase,
    /// `RefutationTimeoutPassed`.
    RefutationTimeoutPassed,
    /// `TimeoutNotPassed`.
    TimeoutNotPassed,
    /// `TimeoutPassed`.
    TimeoutPassed,
    /// `AlreadyConcluded`.
    AlreadyConcluded,
    /// `WrongState`.
    WrongState,
    /// `WrongOldState`.
    WrongOldState,
    /// `ActorIndexOutOfRange`.
    ActorIndexOutOfRange,
    /// `VersionNotIncremented`.
    VersionNotIncremented,
    /// `ProgressFromFinalState`.
    ProgressFromFinalState,
    /// `StateNotFinal`.
    StateNotFinal,
    /// `OnlyAdjudicator`.
    OnlyAdjudicator,
    /// `OutcomeLengthMismatch`.
    OutcomeLengthMismatch,
    /// `AlreadySettled`.
    AlreadySettled,
    /// `NotSettled`.
    NotSettled,
    /// `WrongDepositValue`.
    WrongDepositValue,
    /// `InsufficientHoldings`.
    InsufficientHoldings,
    /// `PartialWithdrawal`: a withdrawal to another receiver takes less than the holdings.
    PartialWithdrawal,
    /// `TokenTransferFailed`.
    TokenTransferFailed,
    /// `EthTransferFailed`.
    EthTransferFailed,
    /// `Reentrancy`.
    Reentrancy,
    /// `NotVirtualChannel`.
    NotVirtualChannel,
    /// `TimeoutOverflow`.
    TimeoutOverflow,
    /// `NoContractCode`.
    NoContractCode,
}

impl Error {
    /// The selector of the custom error this error reverts with.
    pub fn selector(&self) -> [u8; 4] {
        match self {
            Error::Decode(_) => sol::MalformedCalldata::SELECTOR,
            Error::SignatureCount { .. } => sol::SignatureCountMismatch::SELECTOR,
            Error::Signature { error, .. } => match error {
                SigError::Length(_) => sol::InvalidSignatureLength::SELECTOR,
                SigError::HighS => sol::InvalidSignatureS::SELECTOR,
                SigError::V(_) => sol::InvalidSignatureV::SELECTOR,
                SigError::Unrecoverable => sol::InvalidSignature::SELECTOR,
            },
            Error::WrongSigner { .. } => sol::InvalidSignature::SELECTOR,
            Error::NotLedgerChannel => sol::NotLedgerChannel::SELECTOR,
            Error::InvalidParams => sol::InvalidParams::SELECTOR,
            Error::HasApp => sol::HasApp::SELECTOR,
            Error::HasLockedFunds => sol::HasLockedFunds::SELECTOR,
            Error::NoApp => sol::NoApp::SELECTOR,
            Error::SubChannelsTooShort => sol::SubChannelsTooShort::SELECTOR,
            Error::SubChannelIdMismatch => sol::SubChannelIDMismatch::SELECTOR,
            Error::AssetsMismatch => sol::AssetsMismatch::SELECTOR,
            Error::SubAllocMismatch => sol::SubAllocMismatch::SELECTOR,
            Error::LockedMismatch => sol::LockedMismatch::SELECTOR,
            Error::BalancesLengthMismatch => sol::BalancesLengthMismatch::SELECTOR,
            Error::SumOfBalancesMismatch => sol::SumOfBalancesMismatch::SELECTOR,
            Error::BalanceOverflow => sol::BalanceOverflow::SELECTOR,
            Error::IndexMapOutOfRange => sol::IndexMapOutOfRange::SELECTOR,
            Error::LedgerSubChannel => sol::LedgerSubChannel::SELECTOR,
            Error::ChallengeDurationTooLong => sol::ChallengeDurationTooLong::SELECTOR,
            Error::NestingTooDeep => sol::NestingTooDeep::SELECTOR,
            Error::NotRegistered => sol::NotRegistered::SELECTOR,
            Error::VersionTooLow => sol::VersionTooLow::SELECTOR,
            Error::NotInDisputePhase => sol::NotInDisputePhase::SELECTOR,
            Error::RefutationTimeoutPassed => sol::RefutationTimeoutPassed::SELECTOR,
            Error::TimeoutNotPassed => sol::TimeoutNotPassed::SELECTOR,
            Error::TimeoutPassed => sol::TimeoutPassed::SELECTOR,
            Error::AlreadyConcluded => sol::AlreadyConcluded::SELECTOR,
            Error::WrongState => sol::WrongState::SELECTOR,
            Error::WrongOldState => sol::WrongOldState::SELECTOR,
            Error::ActorIndexOutOfRange => sol::ActorIndexOutOfRange::SELECTOR,
            Error::VersionNotIncremented => sol::VersionNotIncremented::SELECTOR,
            Error::ProgressFromFinalState => sol::ProgressFromFinalState::SELECTOR,
            Error::StateNotFinal => sol::StateNotFinal::SELECTOR,
            Error::OnlyAdjudicator => sol::OnlyAdjudicator::SELECTOR,
            Error::OutcomeLengthMismatch => sol::OutcomeLengthMismatch::SELECTOR,
            Error::AlreadySettled => sol::AlreadySettled::SELECTOR,
            Error::NotSettled => sol::NotSettled::SELECTOR,
            Error::WrongDepositValue => sol::WrongDepositValue::SELECTOR,
            Error::InsufficientHoldings => sol::InsufficientHoldings::SELECTOR,
            Error::PartialWithdrawal => sol::PartialWithdrawal::SELECTOR,
            Error::TokenTransferFailed => sol::TokenTransferFailed::SELECTOR,
            Error::EthTransferFailed => sol::EthTransferFailed::SELECTOR,
            Error::Reentrancy => sol::Reentrancy::SELECTOR,
            Error::NotVirtualChannel => sol::NotVirtualChannel::SELECTOR,
            Error::TimeoutOverflow => sol::TimeoutOverflow::SELECTOR,
            Error::NoContractCode => sol::NoContractCode::SELECTOR,
        }
    }

    /// The revert data of this error: its selector (every Perun error has no arguments).
    pub fn revert_data(&self) -> alloc::vec::Vec<u8> {
        self.selector().to_vec()
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

impl From<Error> for alloc::vec::Vec<u8> {
    fn from(e: Error) -> Self {
        e.revert_data()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Decode(e) => e.fmt(f),
            Error::SignatureCount { expected, actual } => {
                write!(f, "{actual} signatures for {expected} participants")
            }
            Error::Signature { index, error } => write!(f, "signature {index}: {error}"),
            Error::WrongSigner { index } => {
                write!(f, "signature {index} is not by participant {index}")
            }
            Error::NotLedgerChannel => f.write_str("not a ledger channel"),
            Error::InvalidParams => f.write_str("state.channelID is not the ID of the params"),
            Error::HasApp => f.write_str("a virtual channel cannot have an app"),
            Error::HasLockedFunds => f.write_str("the state must not lock funds in sub-channels"),
            Error::NoApp => f.write_str("the channel has no app"),
            Error::SubChannelsTooShort => f.write_str("fewer sub-channels than locked entries"),
            Error::SubChannelIdMismatch => {
                f.write_str("a sub-channel's ID differs from its sub-allocation's")
            }
            Error::AssetsMismatch => f.write_str("asset arrays differ"),
            Error::SubAllocMismatch => {
                f.write_str("a sub-allocation's totals differ from its sub-channel's funds")
            }
            Error::LockedMismatch => f.write_str("the locked sub-allocations changed"),
            Error::BalancesLengthMismatch => f.write_str("a balances array has the wrong length"),
            Error::SumOfBalancesMismatch => f.write_str("the total of an asset changed"),
            Error::BalanceOverflow => f.write_str("a sum of balances overflows 256 bits"),
            Error::IndexMapOutOfRange => {
                f.write_str("an index map points outside the parent's participants")
            }
            Error::LedgerSubChannel => f.write_str("a sub-channel cannot be a ledger channel"),
            Error::ChallengeDurationTooLong => {
                f.write_str("a sub-channel's challenge duration exceeds its parent's")
            }
            Error::NestingTooDeep => f.write_str("sub-channels are nested too deep"),
            Error::NotRegistered => f.write_str("the channel is not registered"),
            Error::VersionTooLow => {
                f.write_str("the version is not higher than the registered one")
            }
            Error::NotInDisputePhase => f.write_str("the channel is not in its dispute phase"),
            Error::RefutationTimeoutPassed => f.write_str("the refutation timeout has passed"),
            Error::TimeoutNotPassed => f.write_str("the timeout has not passed"),
            Error::TimeoutPassed => f.write_str("the force-execution timeout has passed"),
            Error::AlreadyConcluded => f.write_str("the channel is concluded already"),
            Error::WrongState => f.write_str("the state is not the registered one"),
            Error::WrongOldState => f.write_str("the old state is not the registered one"),
            Error::ActorIndexOutOfRange => f.write_str("the actor index is not a participant"),
            Error::VersionNotIncremented => f.write_str("the version does not increment by one"),
            Error::ProgressFromFinalState => f.write_str("cannot progress from a final state"),
            Error::StateNotFinal => f.write_str("the state is not final"),
            Error::OnlyAdjudicator => f.write_str("only the adjudicator may call this"),
            Error::OutcomeLengthMismatch => {
                f.write_str("participants and balances differ in length")
            }
            Error::AlreadySettled => f.write_str("the channel is settled already"),
            Error::NotSettled => f.write_str("the channel is not settled"),
            Error::WrongDepositValue => f.write_str("the value sent does not match the deposit"),
            Error::InsufficientHoldings => f.write_str("the withdrawal exceeds the holdings"),
            Error::PartialWithdrawal => {
                f.write_str("a withdrawal to another receiver must take the whole holdings")
            }
            Error::TokenTransferFailed => f.write_str("the token transfer failed"),
            Error::EthTransferFailed => f.write_str("the ETH transfer failed"),
            Error::Reentrancy => f.write_str("re-entered a guarded function"),
            Error::NotVirtualChannel => f.write_str("not a virtual channel"),
            Error::TimeoutOverflow => f.write_str("a timeout does not fit in 64 bits"),
            Error::NoContractCode => f.write_str("the app or asset holder has no code"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

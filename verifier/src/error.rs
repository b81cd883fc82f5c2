//! The verifier's error type: why an input could not be used, with the JSON path to blame.

use std::fmt;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why the verifier could not do its job. A failed check is not an error: checks report
/// [`crate::check::Finding`]s. Errors are bad input (exit code 2) or a failing environment.
#[derive(Debug)]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The file.
        file: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The input is malformed: bad JSON, an unknown or missing field, a value of the wrong
    /// form or length, or an inconsistent channel tree.
    Input {
        /// The JSON path of the offending field, such as `$.channels[0].states[2].sigs[1]`.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// A command-line argument names something the document does not have.
    Argument(String),
    /// A JSON-RPC request failed or returned something unusable.
    Rpc(String),
    /// A private key is not a valid secp256k1 key.
    Key,
}

impl Error {
    /// An [`Error::Input`] at `path`.
    pub fn input(path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Input {
            path: path.into(),
            message: message.into(),
        }
    }

    /// Whether the error is the caller's input (exit code 2: a file, a document, an argument
    /// or a key) rather than the environment (a JSON-RPC endpoint).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            Error::Input { .. } | Error::Argument(_) | Error::Key | Error::Io { .. }
        )
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { file, source } => write!(f, "{file}: {source}"),
            Error::Input { path, message } => write!(f, "{path}: {message}"),
            Error::Argument(m) => f.write_str(m),
            Error::Rpc(m) => write!(f, "JSON-RPC: {m}"),
            Error::Key => f.write_str("the private key is zero or not below the group order"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The name of the custom error a contract error reverts with (`InvalidSignature`, ...).
pub fn revert_name(e: &perun_channel::Error) -> &'static str {
    use perun_channel::sig::SigError;
    use perun_channel::Error as E;
    match e {
        E::Decode(_) => "MalformedCalldata",
        E::SignatureCount { .. } => "SignatureCountMismatch",
        E::Signature { error, .. } => match error {
            SigError::Length(_) => "InvalidSignatureLength",
            SigError::HighS => "InvalidSignatureS",
            SigError::V(_) => "InvalidSignatureV",
            SigError::Unrecoverable => "InvalidSignature",
        },
        E::WrongSigner { .. } => "InvalidSignature",
        E::NotLedgerChannel => "NotLedgerChannel",
        E::InvalidParams => "InvalidParams",
        E::HasApp => "HasApp",
        E::HasLockedFunds => "HasLockedFunds",
        E::NoApp => "NoApp",
        E::SubChannelsTooShort => "SubChannelsTooShort",
        E::SubChannelIdMismatch => "SubChannelIDMismatch",
        E::AssetsMismatch => "AssetsMismatch",
        E::SubAllocMismatch => "SubAllocMismatch",
        E::LockedMismatch => "LockedMismatch",
        E::BalancesLengthMismatch => "BalancesLengthMismatch",
        E::SumOfBalancesMismatch => "SumOfBalancesMismatch",
        E::BalanceOverflow => "BalanceOverflow",
        E::IndexMapOutOfRange => "IndexMapOutOfRange",
        E::LedgerSubChannel => "LedgerSubChannel",
        E::ChallengeDurationTooLong => "ChallengeDurationTooLong",
        E::NestingTooDeep => "NestingTooDeep",
        E::NotRegistered => "NotRegistered",
        E::VersionTooLow => "VersionTooLow",
        E::NotInDisputePhase => "NotInDisputePhase",
        E::RefutationTimeoutPassed => "RefutationTimeoutPassed",
        E::TimeoutNotPassed => "TimeoutNotPassed",
        E::TimeoutPassed => "TimeoutPassed",
        E::AlreadyConcluded => "AlreadyConcluded",
        E::WrongState => "WrongState",
        E::WrongOldState => "WrongOldState",
        E::ActorIndexOutOfRange => "ActorIndexOutOfRange",
        E::VersionNotIncremented => "VersionNotIncremented",
        E::ProgressFromFinalState => "ProgressFromFinalState",
        E::StateNotFinal => "StateNotFinal",
        E::OnlyAdjudicator => "OnlyAdjudicator",
        E::OutcomeLengthMismatch => "OutcomeLengthMismatch",
        E::AlreadySettled => "AlreadySettled",
        E::NotSettled => "NotSettled",
        E::WrongDepositValue => "WrongDepositValue",
        E::InsufficientHoldings => "InsufficientHoldings",
        E::PartialWithdrawal => "PartialWithdrawal",
        E::TokenTransferFailed => "TokenTransferFailed",
        E::EthTransferFailed => "EthTransferFailed",
        E::Reentrancy => "Reentrancy",
        E::NotVirtualChannel => "NotVirtualChannel",
        E::TimeoutOverflow => "TimeoutOverflow",
        E::NoContractCode => "NoContractCode",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_primitives::keccak256;

    #[test]
    fn revert_names_match_the_selectors() {
        use perun_channel::sig::SigError;
        use perun_channel::Error as E;
        let all = [
            E::SignatureCount {
                expected: 2,
                actual: 1,
            },
            E::Signature {
                index: 0,
                error: SigError::Length(3),
            },
            E::Signature {
                index: 0,
                error: SigError::HighS,
            },
            E::Signature {
                index: 0,
                error: SigError::V(1),
            },
            E::WrongSigner { index: 1 },
            E::NotLedgerChannel,
            E::SubChannelIdMismatch,
            E::RefutationTimeoutPassed,
            E::InsufficientHoldings,
            E::TimeoutOverflow,
            E::LedgerSubChannel,
            E::ChallengeDurationTooLong,
            E::NestingTooDeep,
            E::PartialWithdrawal,
        ];
        for e in all {
            let sel = keccak256(format!("{}()", revert_name(&e)));
            assert_eq!(sel[..4], e.selector(), "{e:?}");
        }
    }
}

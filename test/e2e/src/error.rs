//! The e2e harness's error type: a missing tool, a failing command or node, a reverted
//! transaction, or something that did not happen in time.

use alloy_primitives::B256;
use std::fmt;
use std::path::PathBuf;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a run could not go on.
#[derive(Debug)]
pub enum Error {
    /// A tool the run needs is not where it should be.
    MissingTool {
        /// The tool (`forge`, `anvil`).
        tool: &'static str,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A command could not be started, failed, or printed something unusable.
    Command {
        /// The command, in a few words.
        what: String,
        /// Why: its exit status and the end of its output, or the start error.
        detail: String,
    },
    /// The verifier's library failed: the node refused a JSON-RPC request or answered with
    /// something unusable, or a document is inconsistent.
    Verifier(perun_verifier::Error),
    /// A transaction was mined but reverted.
    Reverted {
        /// What the transaction was.
        label: String,
        /// Its hash.
        hash: B256,
    },
    /// Something the run waits for did not happen in time.
    Timeout {
        /// What was awaited.
        what: String,
        /// What is known about why (a log's end).
        detail: String,
    },
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file or an answer did not have the expected form.
    Parse {
        /// What was parsed.
        what: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Error {
    /// An [`Error::Io`] on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// An [`Error::Command`].
    pub fn command(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Error::Command {
            what: what.into(),
            detail: detail.into(),
        }
    }

    /// An [`Error::Parse`].
    pub fn parse(what: impl Into<String>, message: impl fmt::Display) -> Self {
        Error::Parse {
            what: what.into(),
            message: message.to_string(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::MissingTool { tool, path } => write!(
                f,
                "{tool} is missing ({} does not exist): run script/setup, which installs the \
                 version pinned in package-lock.json",
                path.display()
            ),
            Error::Command { what, detail } => write!(f, "{what} failed: {detail}"),
            Error::Verifier(e) => write!(f, "perun-verifier: {e}"),
            Error::Reverted { label, hash } => write!(f, "{label}: transaction {hash} reverted"),
            Error::Timeout { what, detail } => write!(f, "timed out waiting for {what}: {detail}"),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Parse { what, message } => write!(f, "{what}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Verifier(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<perun_verifier::Error> for Error {
    fn from(e: perun_verifier::Error) -> Self {
        Error::Verifier(e)
    }
}

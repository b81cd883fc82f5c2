//! A local anvil node listening on a free port of 127.0.0.1 only, stopped when dropped.

use crate::error::{Error, Result};
use crate::process::{read_log, tail, ChildGuard};
use crate::tools;
use perun_verifier::rpc::Rpc;
use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// The chain ID the node runs with (anvil's default).
pub const CHAIN_ID: u64 = 31337;

/// How long the node may take to answer its first request.
const STARTUP: Duration = Duration::from_secs(20);

/// A running anvil node; dropping it kills the process.
pub struct Anvil {
    child: ChildGuard,
    url: String,
    log: PathBuf,
}

impl Anvil {
    /// Starts anvil on a free loopback port, with its output in `dir/anvil.log`, and waits
    /// until it answers. A port taken between choosing and binding it is retried with another.
    ///
    /// # Errors
    /// [`Error::MissingTool`] without anvil, [`Error::Timeout`] if it never answers,
    /// [`Error::Command`] if it keeps exiting.
    pub fn start(dir: &Path) -> Result<Self> {
        let binary = tools::anvil()?;
        let log = dir.join("anvil.log");
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_port().map_err(|e| Error::io("127.0.0.1:0", e))?;
            let out = File::create(&log).map_err(|e| Error::io(&log, e))?;
            let err = out.try_clone().map_err(|e| Error::io(&log, e))?;
            let mut cmd = Command::new(&binary);
            cmd.args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--chain-id", &CHAIN_ID.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::from(out))
                .stderr(Stdio::from(err));
            let mut child = ChildGuard::spawn(&mut cmd, "anvil")?;
            let url = format!("http://127.0.0.1:{port}");
            let rpc = Rpc::new(&url);
            let start = Instant::now();
            while start.elapsed() < STARTUP {
                if child.exited().is_some() {
                    break;
                }
                if rpc.chain_id().is_ok() {
                    return Ok(Anvil { child, url, log });
                }
                sleep(Duration::from_millis(50));
            }
            last = tail(&read_log(&log), 10);
            if child.exited().is_none() {
                return Err(Error::Timeout {
                    what: format!("anvil to answer on {url}"),
                    detail: last,
                });
            }
        }
        Err(Error::command(
            "anvil",
            format!("exited three times: {last}"),
        ))
    }

    /// The JSON-RPC endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The node's output so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// The process ID.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// A port of 127.0.0.1 that is free now: the operating system's choice for a listener that is
/// closed again at once.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

//! `perun-verify watch --follow` as a party runs it: a child process that polls the node every
//! second with the states the party holds and sends refutations with the party's key; stopped
//! when dropped.

use crate::channel::Party;
use crate::error::{Error, Result};
use crate::process::{read_log, tail, ChildGuard};
use crate::tools;
use perun_verifier::schema::Document;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A running watcher; dropping it kills the process.
pub struct Watcher {
    child: ChildGuard,
    log: PathBuf,
}

impl Watcher {
    /// Writes `doc` to `dir/<name>.json` and starts `perun-verify watch` on it against `url`
    /// with `party`'s key; its reports (JSON, one per poll) go to `dir/<name>.log`.
    ///
    /// # Errors
    /// [`Error::Command`] if `perun-verify` cannot be built or started, [`Error::Io`] if the
    /// files cannot be written.
    pub fn start(doc: &Document, url: &str, party: &Party, dir: &Path, name: &str) -> Result<Self> {
        let binary = tools::perun_verify(dir)?;
        let doc_path = dir.join(format!("{name}.json"));
        let text = serde_json::to_string_pretty(doc).map_err(|e| Error::parse(name, e))?;
        std::fs::write(&doc_path, text).map_err(|e| Error::io(&doc_path, e))?;
        let log = dir.join(format!("{name}.log"));
        let out = File::create(&log).map_err(|e| Error::io(&log, e))?;
        let err = out.try_clone().map_err(|e| Error::io(&log, e))?;
        let mut cmd = Command::new(binary);
        cmd.arg("watch")
            .arg(&doc_path)
            .args(["--rpc-url", url])
            .args(["--key", &party.key_hex()])
            .args(["--follow", "--interval", "1", "--json"])
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err));
        let child = ChildGuard::spawn(&mut cmd, "perun-verify watch")?;
        Ok(Watcher { child, log })
    }

    /// Waits until the watcher has printed its first report (it has scanned the chain once),
    /// so what it does next comes from following the node.
    ///
    /// # Errors
    /// [`Error::Command`] if it exits, [`Error::Timeout`] if no report comes within `limit`
    /// (a report names its `alarms`, even when there are none).
    pub fn wait_first_report(&mut self, limit: Duration) -> Result<()> {
        let start = Instant::now();
        while !self.log().contains("\"alarms\"") {
            if let Some(status) = self.exited() {
                return Err(Error::command(
                    "perun-verify watch",
                    format!("exited ({status}):\n{}", tail(&self.log(), 30)),
                ));
            }
            if start.elapsed() > limit {
                return Err(Error::Timeout {
                    what: "the watcher's first report".into(),
                    detail: tail(&self.log(), 30),
                });
            }
            sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// What the watcher printed so far.
    pub fn log(&self) -> String {
        read_log(&self.log)
    }

    /// The exit status, if the watcher has stopped (it should not, while following).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.exited()
    }
}

//! Child processes of a run: a guard that kills its child when dropped (on every exit path of a
//! test, panics included), and commands run to their end within a time limit.

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// A running child process, killed and reaped when the guard is dropped.
pub struct ChildGuard {
    child: Child,
    name: String,
}

impl ChildGuard {
    /// Starts `cmd`.
    ///
    /// # Errors
    /// [`Error::Command`] if it cannot be started.
    pub fn spawn(cmd: &mut Command, name: &str) -> Result<Self> {
        let child = cmd
            .spawn()
            .map_err(|e| Error::command(format!("starting {name}"), e.to_string()))?;
        Ok(ChildGuard {
            child,
            name: name.to_owned(),
        })
    }

    /// The process ID.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// The exit status if the process has ended (an unknown state counts as ended).
    pub fn exited(&mut self) -> Option<ExitStatus> {
        match self.child.try_wait() {
            Ok(status) => status,
            Err(_) => Some(ExitStatus::default()),
        }
    }

    /// What the guard was started as.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        // Killing a process that has already ended fails harmlessly; waiting reaps it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a finished command printed.
#[derive(Clone, Debug)]
pub struct Finished {
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
}

/// The last `lines` lines of `text`.
pub fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Reads a log file, or says why it cannot be read.
pub fn read_log(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
}

fn log_file(dir: &Path, name: &str) -> Result<(PathBuf, File)> {
    let path = dir.join(name);
    let file = File::create(&path).map_err(|e| Error::io(&path, e))?;
    Ok((path, file))
}

/// Runs `cmd` to its end within `limit`; `stem` names its output files in `dir` (files, not
/// pipes, so no full pipe can stall it). Kills it at the limit.
///
/// # Errors
/// [`Error::Command`] if it cannot be started or exits unsuccessfully, [`Error::Timeout`] at
/// the limit, [`Error::Io`] if its output cannot be kept.
pub fn run_within(
    cmd: &mut Command,
    what: &str,
    stem: &str,
    limit: Duration,
    dir: &Path,
) -> Result<Finished> {
    let (out_path, out) = log_file(dir, &format!("{stem}.out"))?;
    let (err_path, err) = log_file(dir, &format!("{stem}.err"))?;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    let mut guard = ChildGuard::spawn(cmd, what)?;
    let start = Instant::now();
    let status = loop {
        if let Some(status) = guard.exited() {
            break status;
        }
        if start.elapsed() > limit {
            return Err(Error::Timeout {
                what: format!("{what} ({} s limit)", limit.as_secs()),
                detail: tail(&read_log(&err_path), 20),
            });
        }
        sleep(Duration::from_millis(50));
    };
    let finished = Finished {
        stdout: read_log(&out_path),
        stderr: read_log(&err_path),
    };
    if !status.success() {
        return Err(Error::command(
            what,
            format!(
                "{status}\n{}\n{}",
                tail(&finished.stderr, 30),
                tail(&finished.stdout, 10)
            ),
        ));
    }
    Ok(finished)
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn alive(pid: u32) -> bool {
        Path::new(&format!("/proc/{pid}")).exists()
    }

    #[test]
    fn a_guarded_child_is_killed_when_a_panic_unwinds_past_its_guard() {
        static PID: AtomicU32 = AtomicU32::new(0);
        let result = std::panic::catch_unwind(|| {
            let guard = ChildGuard::spawn(Command::new("sleep").arg("60"), "sleep").unwrap();
            PID.store(guard.id(), Ordering::SeqCst);
            assert!(alive(guard.id()));
            panic!("a failing step of a run");
        });
        assert!(result.is_err());
        assert!(!alive(PID.load(Ordering::SeqCst)));
    }

    #[test]
    fn a_command_over_its_time_limit_is_stopped() {
        let dir = std::env::temp_dir();
        let start = Instant::now();
        let mut cmd = Command::new("sleep");
        cmd.arg("60");
        let r = run_within(
            &mut cmd,
            "sleep 60",
            "perun-e2e-sleep",
            Duration::from_millis(200),
            &dir,
        );
        assert!(matches!(r, Err(Error::Timeout { .. })), "{r:?}");
        assert!(start.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_failing_command_reports_its_status_and_output() {
        let dir = std::env::temp_dir();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo to-stdout; echo to-stderr >&2; exit 3"]);
        match run_within(
            &mut cmd,
            "sh",
            "perun-e2e-sh",
            Duration::from_secs(10),
            &dir,
        ) {
            Err(Error::Command { detail, .. }) => {
                assert!(detail.contains("exit status: 3"), "{detail}");
                assert!(
                    detail.contains("to-stderr") && detail.contains("to-stdout"),
                    "{detail}"
                );
            }
            other => panic!("{other:?}"),
        }
    }
}

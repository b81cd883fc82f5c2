//! The tools a run drives: the npm-pinned forge and anvil binaries, found where script/forge
//! finds forge (the npm launchers exit 0 whatever the tool did, so they are bypassed), and the
//! `perun-verify` CLI, built on first use.

use crate::error::{Error, Result};
use crate::process::run_within;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

/// The workspace root (where foundry.toml, script/ and node_modules/ are).
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    // test/e2e -> the workspace root; a path built at compile time always has two parents.
    manifest
        .parent()
        .and_then(Path::parent)
        .map_or_else(|| manifest.to_path_buf(), Path::to_path_buf)
}

/// `node_modules/@foundry-rs/<tool>-<os>-<arch>/bin/<tool>`, as script/forge names it.
fn npm_binary(tool: &'static str) -> Result<PathBuf> {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        "windows" => "win32",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    let path = root()
        .join("node_modules/@foundry-rs")
        .join(format!("{tool}-{os}-{arch}"))
        .join("bin")
        .join(format!("{tool}{}", std::env::consts::EXE_SUFFIX));
    if path.is_file() {
        Ok(path)
    } else {
        Err(Error::MissingTool { tool, path })
    }
}

/// The forge binary.
///
/// # Errors
/// [`Error::MissingTool`] if script/setup has not installed it.
pub fn forge() -> Result<PathBuf> {
    npm_binary("forge")
}

/// The anvil binary.
///
/// # Errors
/// [`Error::MissingTool`] if script/setup has not installed it.
pub fn anvil() -> Result<PathBuf> {
    npm_binary("anvil")
}

/// The `perun-verify` binary of this workspace, built (`cargo build -p perun-verifier`) on
/// first use in the process; `dir` keeps the build's output.
///
/// # Errors
/// [`Error::Command`] if the build fails or names no executable.
pub fn perun_verify(dir: &Path) -> Result<PathBuf> {
    static BUILT: OnceLock<std::result::Result<PathBuf, String>> = OnceLock::new();
    BUILT
        .get_or_init(|| build_perun_verify(dir).map_err(|e| e.to_string()))
        .clone()
        .map_err(|e| Error::command("building perun-verify", e))
}

fn build_perun_verify(dir: &Path) -> Result<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(root()).args([
        "build",
        "--locked",
        "-p",
        "perun-verifier",
        "--bin",
        "perun-verify",
        "--message-format",
        "json-render-diagnostics",
    ]);
    // A cold build compiles the verifier's dependencies; a warm one takes a second.
    let out = run_within(
        &mut cmd,
        "cargo build -p perun-verifier",
        "cargo-build-perun-verify",
        Duration::from_secs(900),
        dir,
    )?;
    out.stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == "perun-verify")
        .find_map(|m| m["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| Error::command("building perun-verify", "cargo named no executable"))
}

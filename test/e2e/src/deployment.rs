//! The Solidity suite on the node: deployed by `script/Deploy.s.sol` through `forge script
//! --broadcast`, and read back from the JSON the script writes.

use crate::channel::Party;
use crate::error::{Error, Result};
use crate::process::run_within;
use crate::tools;
use alloy_primitives::Address;
use serde::Deserialize;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// How long `forge script` may take: a second with forge's build cache up to date (script/test
/// builds first), minutes if it must compile the via-IR suite.
const FORGE_LIMIT: Duration = Duration::from_secs(600);

/// The addresses `script/Deploy.s.sol` writes.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Deployment {
    /// The chain deployed to.
    #[serde(rename = "chainID")]
    pub chain_id: u64,
    /// The head block before the deployment.
    pub start_block: u64,
    /// The Adjudicator.
    pub adjudicator: Address,
    /// The VirtualChannelRegistry the Adjudicator created.
    pub registry: Address,
    /// The ETH asset holder.
    #[serde(rename = "assetHolderETH")]
    pub asset_holder_eth: Address,
    /// The ERC20 tokens given.
    pub tokens: Vec<Address>,
    /// Their asset holders, in the same order.
    #[serde(rename = "assetHoldersERC20")]
    pub asset_holders_erc20: Vec<Address>,
    /// The TrivialApp.
    pub trivial_app: Address,
}

/// Runs `script/forge script script/Deploy.s.sol --broadcast` against `url`, sent by
/// `deployer`, with `tokens` as `PERUN_TOKENS`. forge's output and transaction log stay in
/// `dir`; the JSON goes to `deployments/e2e-<name>-<pid>.json` (the one directory
/// foundry.toml lets scripts write), which is read and removed.
///
/// # Errors
/// [`Error::MissingTool`] without forge, [`Error::Command`] or [`Error::Timeout`] if the script
/// fails, [`Error::Io`] or [`Error::Parse`] if its JSON is missing or malformed.
pub fn deploy(
    url: &str,
    deployer: &Party,
    tokens: &[Address],
    dir: &Path,
    name: &str,
) -> Result<Deployment> {
    let forge = tools::forge()?;
    let root = tools::root();
    let relative = format!("deployments/e2e-{name}-{}.json", std::process::id());
    let file = root.join(&relative);
    let tokens: Vec<String> = tokens.iter().map(ToString::to_string).collect();
    let mut cmd = Command::new(forge);
    cmd.current_dir(&root)
        .args(["script", "script/Deploy.s.sol", "--broadcast"])
        .args(["--rpc-url", url])
        .args(["--private-key", &deployer.key_hex()])
        .env("PERUN_TOKENS", tokens.join(","))
        .env("PERUN_DEPLOYMENTS", &relative)
        .env("FOUNDRY_BROADCAST", dir.join("broadcast"));
    run_within(
        &mut cmd,
        "forge script script/Deploy.s.sol",
        "forge-script",
        FORGE_LIMIT,
        dir,
    )?;
    let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
    std::fs::remove_file(&file).map_err(|e| Error::io(&file, e))?;
    serde_json::from_str(&text).map_err(|e| Error::parse(relative, e))
}

//! One end-to-end run: its scratch directory, an anvil node with a funded deployer, the suite
//! deployed on it by the forge script, and helpers that fund parties and place test code.

use crate::anvil::Anvil;
use crate::channel::Party;
use crate::deployment::{self, Deployment};
use crate::error::{Error, Result};
use crate::node::Node;
use crate::tools;
use alloy_primitives::{Address, U256};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// One ether in wei.
pub const ETHER: u64 = 1_000_000_000_000_000_000;

/// `milli` thousandths of an ether, in wei.
pub fn milli_ether(milli: u64) -> U256 {
    U256::from(milli) * U256::from(ETHER / 1000)
}

/// A node and the deployer of the suite on it. Dropping the run stops the node.
pub struct Run {
    /// The run's scratch directory (node and forge output, watcher documents and logs).
    pub dir: PathBuf,
    /// The connection to the node.
    pub node: Node,
    /// Who deploys the suite (funded with 100 ether).
    pub deployer: Party,
    anvil: Anvil,
}

impl Run {
    /// Starts a node for the run `name`, with `base/name` as its (emptied) scratch directory,
    /// and funds the deployer.
    ///
    /// # Errors
    /// What starting anvil or talking to it fails with.
    pub fn start(base: &Path, name: &str) -> Result<Self> {
        let dir = base.join(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let anvil = Anvil::start(&dir)?;
        let node = Node::new(anvil.url())?;
        let deployer = Party::new("deployer")?;
        node.set_balance(deployer.address(), milli_ether(100_000))?;
        Ok(Run {
            dir,
            node,
            deployer,
            anvil,
        })
    }

    /// The node's JSON-RPC endpoint.
    pub fn url(&self) -> &str {
        self.anvil.url()
    }

    /// The node's output so far, for failure messages.
    pub fn node_log(&self) -> String {
        self.anvil.log()
    }

    /// Deploys the suite with `script/Deploy.s.sol`, one ERC20 holder per token.
    ///
    /// # Errors
    /// What [`deployment::deploy`] fails with; [`Error::Parse`] if the script deployed to
    /// another chain than the node's.
    pub fn deploy(&self, tokens: &[Address]) -> Result<Deployment> {
        let name = self
            .dir
            .file_name()
            .map_or_else(|| "run".into(), |n| n.to_string_lossy().into_owned());
        let d = deployment::deploy(self.url(), &self.deployer, tokens, &self.dir, &name)?;
        if d.chain_id != self.node.chain_id() {
            return Err(Error::parse(
                "the deployment",
                format!(
                    "chain {} is not the node's {}",
                    d.chain_id,
                    self.node.chain_id()
                ),
            ));
        }
        Ok(d)
    }

    /// Gives `party` a balance of `wei`.
    ///
    /// # Errors
    /// What the node fails with.
    pub fn fund(&self, party: &Party, wei: U256) -> Result<()> {
        self.node.set_balance(party.address(), wei)
    }

    /// Puts the runtime code of the forge artifact `artifact` (`out/<artifact>`, such as
    /// `TestToken.sol/TestToken.json`) at `at`, without running its constructor.
    ///
    /// # Errors
    /// [`Error::Command`] if the artifact is missing (run `script/forge build`),
    /// [`Error::Parse`] if it has no runtime code, and what the node fails with.
    pub fn place_code(&self, artifact: &str, at: Address) -> Result<()> {
        let path = tools::root().join("out").join(artifact);
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Error::command(
                format!("reading forge's artifact {artifact}"),
                format!("{}: {e} (run script/forge build)", path.display()),
            )
        })?;
        let json: Value = serde_json::from_str(&text).map_err(|e| Error::parse(artifact, e))?;
        let code = json["deployedBytecode"]["object"]
            .as_str()
            .and_then(|s| hex::decode(s.trim_start_matches("0x")).ok())
            .filter(|c| !c.is_empty())
            .ok_or_else(|| Error::parse(artifact, "no deployedBytecode.object"))?;
        self.node.set_code(at, &code)
    }
}

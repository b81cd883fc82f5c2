//! One implementation deployed in a revm world of its own: the Adjudicator, its registry, the ETH
//! and ERC20 asset holders and the trivial app (Stylus programs or Solidity mirrors), beside the
//! ERC20 test token and the counter app (EVM code in both worlds), at the same addresses in every
//! world, with funded accounts.
//!
//! Addresses follow from one deployer's nonces: the token (nonce 0), the counter app (1), the
//! Adjudicator (2), the ETH holder (3), the ERC20 holder (4) and the trivial app (5). The Solidity
//! Adjudicator creates its registry (its own nonce 1); in the Stylus world the registry program is
//! placed at that same address. Stylus programs are deployed by create transactions whose init
//! code returns the compressed program, and initialised by their `stylus_constructor` calls.

use crate::abi;
use crate::artifacts::{load, ArtifactError};
use perun_engine::chain::{init_code, Chain, Outcome};
use perun_engine::program::deployed_code;
use revm::primitives::{Address, U256};
use std::fmt;

/// Which implementation a world runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Impl {
    /// The Rust programs for Arbitrum Stylus.
    Stylus,
    /// The Solidity mirrors.
    Solidity,
}

impl Impl {
    /// Both, Stylus first.
    pub const ALL: [Impl; 2] = [Impl::Stylus, Impl::Solidity];

    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Impl::Stylus => "Stylus",
            Impl::Solidity => "Solidity",
        }
    }
}

/// The chain ID of every world (Arbitrum One's), which states' assets name.
pub const CHAIN_ID: u64 = 42_161;
/// The block time a world starts at.
pub const START: u64 = 1_700_000_000;
/// The account that deploys everything.
pub const DEPLOYER: Address = Address::new([0xde; 20]);
/// What each funded account holds in ETH and tokens.
pub const FUNDS: u128 = 1_000_000 * 10u128.pow(18);

/// Where everything lives (the same in every world).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addresses {
    /// The Adjudicator.
    pub adjudicator: Address,
    /// The virtual-channel registry.
    pub registry: Address,
    /// The ETH asset holder.
    pub eth_holder: Address,
    /// The ERC20 asset holder (of [`Addresses::token`]).
    pub erc20_holder: Address,
    /// The ERC20 test token.
    pub token: Address,
    /// The trivial app (every transition valid).
    pub trivial_app: Address,
    /// The counter app (a real app: see `CounterApp.sol`).
    pub counter_app: Address,
}

impl Addresses {
    /// The addresses of the deployment described in the module docs.
    pub fn new() -> Self {
        let adjudicator = DEPLOYER.create(2);
        Addresses {
            token: DEPLOYER.create(0),
            counter_app: DEPLOYER.create(1),
            adjudicator,
            registry: adjudicator.create(1),
            eth_holder: DEPLOYER.create(3),
            erc20_holder: DEPLOYER.create(4),
            trivial_app: DEPLOYER.create(5),
        }
    }
}

impl Default for Addresses {
    fn default() -> Self {
        Self::new()
    }
}

/// Why a world could not be built.
#[derive(Debug)]
pub enum WorldError {
    /// A Solidity artifact is missing or malformed.
    Artifact(ArtifactError),
    /// A Stylus program's wasm is missing.
    Program(String),
    /// A deployment step failed.
    Deploy(String, Box<Outcome>),
}

impl fmt::Display for WorldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldError::Artifact(e) => write!(f, "{e}"),
            WorldError::Program(e) => write!(f, "{e}"),
            WorldError::Deploy(what, o) => write!(f, "deploying {what} failed: {o:?}"),
        }
    }
}

impl std::error::Error for WorldError {}

impl From<ArtifactError> for WorldError {
    fn from(e: ArtifactError) -> Self {
        WorldError::Artifact(e)
    }
}

/// One world.
pub struct World {
    /// The chain.
    pub chain: Chain,
    /// Which implementation runs in it.
    pub imp: Impl,
    /// Where everything lives.
    pub at: Addresses,
}

fn program(package: &str) -> Result<Vec<u8>, WorldError> {
    perun_sizes::read_wasm(package).map_err(|e| WorldError::Program(e.to_string()))
}

fn with_args(code: &[u8], args: &[Address]) -> Vec<u8> {
    let mut v = code.to_vec();
    for a in args {
        v.extend_from_slice(&[0u8; 12]);
        v.extend_from_slice(a.as_slice());
    }
    v
}

impl World {
    /// Deploys `imp` and the shared contracts; funds `accounts` with [`FUNDS`] of ETH and
    /// tokens.
    ///
    /// # Errors
    /// If an artifact or program is missing or a deployment step fails.
    pub fn new(imp: Impl, accounts: &[Address]) -> Result<Self, WorldError> {
        let at = Addresses::new();
        let mut chain = Chain::new(CHAIN_ID, START);
        chain.fund(DEPLOYER, U256::from(FUNDS));
        let mut w = World { chain, imp, at };
        w.create("TestToken", load("TestToken")?.creation.clone(), at.token)?;
        w.create(
            "CounterApp",
            load("CounterApp")?.creation.clone(),
            at.counter_app,
        )?;
        match imp {
            Impl::Solidity => {
                w.create(
                    "Adjudicator",
                    load("Adjudicator")?.creation.clone(),
                    at.adjudicator,
                )?;
                let eth = with_args(&load("AssetHolderETH")?.creation, &[at.adjudicator]);
                w.create("AssetHolderETH", eth, at.eth_holder)?;
                let erc = load("AssetHolderERC20")?.creation.clone();
                let erc = with_args(&erc, &[at.adjudicator, at.token]);
                w.create("AssetHolderERC20", erc, at.erc20_holder)?;
                w.create(
                    "TrivialApp",
                    load("TrivialApp")?.creation.clone(),
                    at.trivial_app,
                )?;
            }
            Impl::Stylus => {
                let stylus = |p: &str| program(p).map(|wasm| init_code(&deployed_code(&wasm)));
                w.create(
                    "perun-adjudicator",
                    stylus("perun-adjudicator")?,
                    at.adjudicator,
                )?;
                w.create(
                    "perun-asset-holder-eth",
                    stylus("perun-asset-holder-eth")?,
                    at.eth_holder,
                )?;
                w.create(
                    "perun-asset-holder-erc20",
                    stylus("perun-asset-holder-erc20")?,
                    at.erc20_holder,
                )?;
                w.create(
                    "perun-trivial-app",
                    stylus("perun-trivial-app")?,
                    at.trivial_app,
                )?;
                w.chain
                    .place_program(at.registry, &program("perun-registry")?);
                let inits = [
                    (at.adjudicator, vec![at.registry]),
                    (at.registry, vec![at.adjudicator]),
                    (at.eth_holder, vec![at.adjudicator]),
                    (at.erc20_holder, vec![at.adjudicator, at.token]),
                ];
                for (to, args) in inits {
                    let o = w
                        .chain
                        .call(DEPLOYER, to, abi::stylus_constructor(&args), U256::ZERO);
                    if !o.success {
                        return Err(WorldError::Deploy(
                            format!("constructor of {to}"),
                            Box::new(o),
                        ));
                    }
                }
            }
        }
        for &a in accounts {
            w.chain.fund(a, U256::from(FUNDS));
            let o = w
                .chain
                .call(a, at.token, abi::mint(a, U256::from(FUNDS)), U256::ZERO);
            if !o.success {
                return Err(WorldError::Deploy("minting tokens".into(), Box::new(o)));
            }
        }
        Ok(w)
    }

    fn create(&mut self, what: &str, init: Vec<u8>, expected: Address) -> Result<(), WorldError> {
        let o = self.chain.create(DEPLOYER, init, U256::ZERO);
        if !o.success || o.created != Some(expected) {
            return Err(WorldError::Deploy(what.into(), Box::new(o)));
        }
        Ok(())
    }
}

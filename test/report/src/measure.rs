//! Running flows for the report: each flow on three worlds (the Solidity mirrors, the Stylus
//! programs uncached, and the Stylus programs cached), with the Solidity and uncached Stylus
//! worlds compared step by step and the cached world checked to agree (status, return data and
//! logs), and the gas of every transaction recorded.

use perun_engine::pricing::{CacheModel, StylusParams};
use perun_engine::profile::GasProfile;
use perun_harness::build::address;
use perun_harness::ops::Step;
use perun_harness::pair::Pair;
use perun_harness::world::{Impl, World, WorldError};
use std::fmt;

/// The gas of one transaction in each implementation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Gas {
    /// The Solidity mirror.
    pub solidity: u64,
    /// The Stylus programs, none cached (every call pays the init cost).
    pub stylus: u64,
    /// The Stylus programs, all cached.
    pub cached: u64,
}

impl std::ops::Add for Gas {
    type Output = Gas;
    fn add(self, o: Gas) -> Gas {
        Gas {
            solidity: self.solidity + o.solidity,
            stylus: self.stylus + o.stylus,
            cached: self.cached + o.cached,
        }
    }
}

/// One transaction's results.
#[derive(Clone, Debug)]
pub struct StepGas {
    /// The step's label.
    pub label: String,
    /// Its gas in each implementation.
    pub gas: Gas,
    /// Where the uncached Stylus world's gas went, per program call.
    pub profiles: Vec<GasProfile>,
}

/// Why a flow could not be measured.
#[derive(Debug)]
pub enum MeasureError {
    /// A world could not be built.
    World(WorldError),
    /// The implementations disagreed, or a step failed.
    Step(String),
}

impl fmt::Display for MeasureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeasureError::World(e) => write!(f, "{e}"),
            MeasureError::Step(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for MeasureError {}

impl From<WorldError> for MeasureError {
    fn from(e: WorldError) -> Self {
        MeasureError::World(e)
    }
}

/// The three worlds.
pub struct Worlds {
    pair: Pair,
    cached: World,
}

impl Worlds {
    /// Fresh worlds with the first 16 test keys funded.
    ///
    /// # Errors
    /// If a world cannot be built.
    pub fn new() -> Result<Self, MeasureError> {
        let accounts: Vec<_> = (0..16).map(address).collect();
        let pair = Pair::new(&accounts)?;
        let mut cached = World::new(Impl::Stylus, &accounts)?;
        cached.chain.evm.stylus.set_params(StylusParams {
            cache: CacheModel::Always,
            ..StylusParams::default()
        });
        Ok(Worlds { pair, cached })
    }

    /// Runs `steps`; every transaction must succeed in every world with the same results.
    ///
    /// # Errors
    /// The first step that failed or diverged.
    pub fn run(&mut self, steps: &[Step]) -> Result<Vec<StepGas>, MeasureError> {
        let mut out = Vec::new();
        for step in steps {
            match step {
                Step::Advance(s) => {
                    self.pair.advance(*s);
                    let t = self.cached.chain.timestamp() + s;
                    self.cached.chain.set_timestamp(t);
                }
                Step::Call(c) => {
                    let both = self
                        .pair
                        .call(&c.label, c.from, c.to, c.data.clone(), c.value)
                        .map_err(|d| MeasureError::Step(d.to_string()))?;
                    if !both.success() {
                        return Err(MeasureError::Step(format!(
                            "{} failed: {:?}",
                            c.label, both.solidity
                        )));
                    }
                    let cached = self
                        .cached
                        .chain
                        .call(c.from, c.to, c.data.clone(), c.value);
                    if !cached.success
                        || cached.output != both.solidity.output
                        || cached.logs != both.solidity.logs
                    {
                        return Err(MeasureError::Step(format!(
                            "{}: the cached Stylus world differs: {cached:?}",
                            c.label
                        )));
                    }
                    out.push(StepGas {
                        label: c.label.clone(),
                        gas: Gas {
                            solidity: both.solidity.gas_used,
                            stylus: both.stylus.gas_used,
                            cached: cached.gas_used,
                        },
                        profiles: self.pair.stylus.chain.evm.stylus.profiles().to_vec(),
                    });
                }
            }
        }
        Ok(out)
    }
}

/// The step labelled `label` (the first one).
pub fn pick<'a>(results: &'a [StepGas], label: &str) -> Option<&'a StepGas> {
    results.iter().find(|s| s.label == label)
}

/// The total gas of the steps whose label passes `keep`.
pub fn sum(results: &[StepGas], keep: impl Fn(&str) -> bool) -> Gas {
    results
        .iter()
        .filter(|s| keep(&s.label))
        .fold(Gas::default(), |acc, s| acc + s.gas)
}

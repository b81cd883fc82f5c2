//! The differential runner: one world per implementation, every step sent to both, and the
//! results compared: success or failure, return or revert data, logs (address, topics, data),
//! and on request the views (`disputes`, `holdings`, `settled`) and ETH and token balances.

use crate::abi;
use crate::world::{Impl, World, WorldError};
use perun_engine::chain::Outcome;
use revm::primitives::{Address, B256, U256};
use std::fmt;

/// The first difference between the two implementations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// The step (a label the caller gave).
    pub step: String,
    /// What differs.
    pub what: String,
    /// The Stylus world's value.
    pub stylus: String,
    /// The Solidity world's value.
    pub solidity: String,
}

impl fmt::Display for Divergence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} differs\n  Stylus:   {}\n  Solidity: {}",
            self.step, self.what, self.stylus, self.solidity
        )
    }
}

impl std::error::Error for Divergence {}

/// Both results of one step.
#[derive(Debug, Clone)]
pub struct Both {
    /// The Stylus world's outcome.
    pub stylus: Outcome,
    /// The Solidity world's outcome.
    pub solidity: Outcome,
}

impl Both {
    /// Whether the step succeeded (in both, since they agree).
    pub fn success(&self) -> bool {
        self.solidity.success
    }

    /// The return or revert data (equal in both).
    pub fn output(&self) -> &[u8] {
        &self.solidity.output
    }

    /// The outcome of `imp`.
    pub fn of(&self, imp: Impl) -> &Outcome {
        match imp {
            Impl::Stylus => &self.stylus,
            Impl::Solidity => &self.solidity,
        }
    }
}

/// The two worlds.
pub struct Pair {
    /// The Stylus world.
    pub stylus: World,
    /// The Solidity world.
    pub solidity: World,
}

fn hex(b: &[u8]) -> String {
    format!("0x{}", alloy_primitives::hex::encode(b))
}

fn compare<T: PartialEq + fmt::Debug>(
    step: &str,
    what: &str,
    s: T,
    o: T,
) -> Result<(), Divergence> {
    if s == o {
        Ok(())
    } else {
        Err(Divergence {
            step: step.into(),
            what: what.into(),
            stylus: format!("{s:?}"),
            solidity: format!("{o:?}"),
        })
    }
}

impl Pair {
    /// Both worlds, with `accounts` funded.
    ///
    /// # Errors
    /// If either world cannot be built.
    pub fn new(accounts: &[Address]) -> Result<Self, WorldError> {
        Ok(Pair {
            stylus: World::new(Impl::Stylus, accounts)?,
            solidity: World::new(Impl::Solidity, accounts)?,
        })
    }

    /// The world of `imp`.
    pub fn world(&mut self, imp: Impl) -> &mut World {
        match imp {
            Impl::Stylus => &mut self.stylus,
            Impl::Solidity => &mut self.solidity,
        }
    }

    /// Sends a transaction to both worlds and compares the outcomes.
    ///
    /// # Errors
    /// The first difference in status, output or logs.
    pub fn call(
        &mut self,
        step: &str,
        from: Address,
        to: Address,
        data: Vec<u8>,
        value: U256,
    ) -> Result<Both, Divergence> {
        let stylus = self.stylus.chain.call(from, to, data.clone(), value);
        let solidity = self.solidity.chain.call(from, to, data, value);
        Self::same(step, &stylus, &solidity)?;
        Ok(Both { stylus, solidity })
    }

    /// Runs a call in both worlds without committing it, and compares.
    ///
    /// # Errors
    /// The first difference in status or output.
    pub fn view(&mut self, step: &str, to: Address, data: Vec<u8>) -> Result<Vec<u8>, Divergence> {
        let s = self.stylus.chain.view(Address::ZERO, to, data.clone());
        let o = self.solidity.chain.view(Address::ZERO, to, data);
        Self::same(step, &s, &o)?;
        Ok(o.output.to_vec())
    }

    fn same(step: &str, s: &Outcome, o: &Outcome) -> Result<(), Divergence> {
        let status = |x: &Outcome| (x.success, x.halt.clone(), x.trap.clone(), hex(&x.output));
        compare(
            step,
            "status (success, halt, trap, output)",
            status(s),
            status(o),
        )?;
        compare(step, "output", hex(&s.output), hex(&o.output))?;
        compare(step, "number of logs", s.logs.len(), o.logs.len())?;
        for (i, (a, b)) in s.logs.iter().zip(&o.logs).enumerate() {
            compare(step, &format!("log {i} address"), a.address, b.address)?;
            compare(step, &format!("log {i} topics"), a.topics(), b.topics())?;
            compare(
                step,
                &format!("log {i} data"),
                hex(&a.data.data),
                hex(&b.data.data),
            )?;
        }
        Ok(())
    }

    /// Sets both worlds' block time.
    pub fn set_timestamp(&mut self, t: u64) {
        self.stylus.chain.set_timestamp(t);
        self.solidity.chain.set_timestamp(t);
    }

    /// Moves both worlds' block time forward by `dt` seconds.
    pub fn advance(&mut self, dt: u64) {
        let t = self.solidity.chain.timestamp() + dt;
        self.set_timestamp(t);
    }

    /// Compares the views and balances the harness can read: `disputes` of each channel in the
    /// Adjudicator and the registry; `holdings` and `settled` of each ID in both holders; ETH
    /// and token balances of each account and of the holders.
    ///
    /// # Errors
    /// The first difference.
    pub fn compare_state(
        &mut self,
        step: &str,
        ids: &[B256],
        accounts: &[Address],
    ) -> Result<(), Divergence> {
        let at = self.solidity.at;
        for &id in ids {
            self.view(step, at.adjudicator, abi::disputes(id))?;
            self.view(step, at.registry, abi::disputes(id))?;
            for holder in [at.eth_holder, at.erc20_holder] {
                self.view(step, holder, abi::holdings(id))?;
                self.view(step, holder, abi::settled(id))?;
            }
        }
        for a in accounts.iter().chain(&[at.eth_holder, at.erc20_holder]) {
            let (s, o) = (
                self.stylus.chain.balance(*a),
                self.solidity.chain.balance(*a),
            );
            compare(step, &format!("ETH balance of {a}"), s, o)?;
            self.view(step, at.token, abi::balance_of(*a))?;
        }
        Ok(())
    }
}

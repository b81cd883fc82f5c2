//! Running scenarios: each on a freshly restored pair of worlds, every transaction on both
//! implementations (status, output and logs compared by [`Pair`]) and through the verifier's
//! model ([`super::oracle`]); after each transaction the views and balances are compared.
//!
//! After a transaction the comparison reads in both worlds what [`Pair::compare_state`] reads,
//! for every channel ID and funding ID of the scenario and every account: the Adjudicator's and
//! the registry's `disputes`, both holders' `holdings` and `settled`, and the ETH and token
//! balances of every account and of the holders. The verifier's records, holdings and settled
//! flags must equal what the views return.

use super::compile::Scenario;
use super::coverage::{error_name, Tally};
use super::oracle::Oracle;
use crate::abi;
use crate::build::address;
use crate::ops::Step;
use crate::pair::Pair;
use crate::snapshot::PairSnapshot;
use crate::world::{Addresses, WorldError, START};
use alloy_primitives::{hex, Address, B256, U256};
use std::fmt;

/// How a scenario failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureKind {
    /// The two implementations differ.
    Implementations,
    /// The verifier's model differs from both implementations.
    Verifier,
    /// The run panicked.
    Panic,
}

/// The first failure of a scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// The index of the step (0 for a panic, whose step is not known).
    pub step: usize,
    /// Which comparison failed.
    pub kind: FailureKind,
    /// What differs.
    pub message: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match self.kind {
            FailureKind::Implementations => "Stylus and Solidity differ",
            FailureKind::Verifier => "the verifier differs from both implementations",
            FailureKind::Panic => "the run panicked",
        };
        write!(f, "step {}: {who}: {}", self.step, self.message)
    }
}

/// What one transaction of the last scenario did (in both implementations alike).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traced {
    /// The step's index.
    pub step: usize,
    /// Its label.
    pub label: String,
    /// Whether it succeeded.
    pub success: bool,
    /// The name of the error it reverted with ([`error_name`]), empty on success.
    pub error: String,
}

/// A pair of worlds with every scenario account funded, and its freshly deployed state.
pub struct Runner {
    pair: Pair,
    fresh: PairSnapshot,
    at: Addresses,
    trace: Vec<Traced>,
}

fn encode_u256(v: U256) -> Vec<u8> {
    v.to_be_bytes::<32>().to_vec()
}

impl Runner {
    /// Deploys both worlds, funds the accounts of [`super::compile::KEYS`] and the stranger,
    /// and deploys the reentrant receiver ([`super::compile::reentrant_receiver`]) in each.
    ///
    /// # Errors
    /// If a world cannot be built.
    pub fn new() -> Result<Self, WorldError> {
        let mut accounts: Vec<Address> = super::compile::KEYS.map(address).collect();
        accounts.push(super::flaw::stranger());
        let mut pair = Pair::new(&accounts)?;
        let at = Addresses::new();
        let (file, name) = super::compile::RECEIVER_ARTIFACT;
        let mut init = crate::artifacts::load_in(file, name)?.creation.clone();
        init.extend_from_slice(B256::left_padding_from(at.eth_holder.as_slice()).as_slice());
        let deployer = super::compile::RECEIVER_DEPLOYER;
        for world in [&mut pair.stylus, &mut pair.solidity] {
            world.chain.fund(deployer, U256::from(crate::world::FUNDS));
            let o = world.chain.create(deployer, init.clone(), U256::ZERO);
            if !o.success || o.created != Some(super::compile::reentrant_receiver()) {
                return Err(WorldError::Deploy(name.into(), Box::new(o)));
            }
        }
        let fresh = pair.snapshot();
        Ok(Runner {
            pair,
            fresh,
            at,
            trace: Vec::new(),
        })
    }

    /// What each transaction of the last scenario run did, up to its failure.
    pub fn trace(&self) -> &[Traced] {
        &self.trace
    }

    /// Where the contracts live.
    pub fn addresses(&self) -> Addresses {
        self.at
    }

    /// Runs `sc` from the freshly deployed worlds, counting into `tally`.
    ///
    /// # Errors
    /// The first failure.
    pub fn run(&mut self, sc: &Scenario, tally: &mut Tally) -> Result<(), Failure> {
        self.pair.restore(&self.fresh);
        self.trace.clear();
        let mut oracle = Oracle::new(self.at, START);
        tally.scenarios += 1;
        for t in &sc.tags {
            *tally.tags.entry(t.clone()).or_default() += 1;
        }
        let result = self.steps(sc, &mut oracle, tally);
        for (k, v) in &oracle.counts {
            *tally.verifier.entry((*k).to_string()).or_default() += v;
        }
        result
    }

    fn steps(
        &mut self,
        sc: &Scenario,
        oracle: &mut Oracle,
        tally: &mut Tally,
    ) -> Result<(), Failure> {
        for (k, step) in sc.steps.iter().enumerate() {
            let Step::Call(c) = step else {
                if let Step::Advance(dt) = step {
                    self.pair.advance(*dt);
                }
                continue;
            };
            tally.transactions += 1;
            let fail = |kind, message: String| Failure {
                step: k,
                kind,
                message,
            };
            let both = self
                .pair
                .call(&c.label, c.from, c.to, c.data.clone(), c.value)
                .map_err(|d| fail(FailureKind::Implementations, d.to_string()))?;
            let o = &both.solidity;
            self.trace.push(Traced {
                step: k,
                label: c.label.clone(),
                success: o.success,
                error: if o.success {
                    String::new()
                } else {
                    error_name(&o.output)
                },
            });
            let entry = tally.calls.entry(sc.kinds[k].to_string()).or_default();
            if o.success {
                entry.0 += 1;
            } else {
                entry.1 += 1;
                *tally.reverts.entry(error_name(&o.output)).or_default() += 1;
            }
            let now = self.pair.solidity.chain.timestamp();
            let solidity = &self.pair.solidity.chain;
            oracle
                .check(c, o, now, |a| !solidity.code(a).is_empty())
                .map_err(|m| fail(FailureKind::Verifier, format!("{}: {m}", c.label)))?;
            self.compare(&c.label, sc, oracle).map_err(|e| match e {
                Compare::Implementations(m) => fail(FailureKind::Implementations, m),
                Compare::Verifier(m) => fail(FailureKind::Verifier, format!("{}: {m}", c.label)),
            })?;
            // Compared above with what the receiver recorded in both worlds.
            if let Some(inner) = oracle.reentered() {
                *tally.inner.entry(error_name(inner)).or_default() += 1;
            }
        }
        Ok(())
    }

    fn view(&mut self, step: &str, to: Address, data: Vec<u8>) -> Result<Vec<u8>, Compare> {
        self.pair
            .view(step, to, data)
            .map_err(|d| Compare::Implementations(d.to_string()))
    }

    fn compare(&mut self, step: &str, sc: &Scenario, oracle: &Oracle) -> Result<(), Compare> {
        let at = self.at;
        let holders = [at.eth_holder, at.erc20_holder];
        let model = |what: String, got: &[u8], want: &[u8]| {
            if got == want {
                Ok(())
            } else {
                Err(Compare::Verifier(format!(
                    "{what}: the contracts return 0x{}, the verifier's model 0x{}",
                    hex::encode(got),
                    hex::encode(want)
                )))
            }
        };
        for id in sc.channel_ids.iter().chain(&sc.funding_ids) {
            let got = self.view(step, at.adjudicator, abi::disputes(*id))?;
            model(
                format!("Adjudicator disputes({id})"),
                &got,
                &oracle.adjudicator_record(id).abi_encode(),
            )?;
            let got = self.view(step, at.registry, abi::disputes(*id))?;
            model(
                format!("registry disputes({id})"),
                &got,
                &oracle.registry_record(id).abi_encode(),
            )?;
            for h in holders {
                let got = self.view(step, h, abi::settled(*id))?;
                let want = encode_u256(U256::from(u8::from(oracle.settled(&h, id))));
                model(format!("settled({id}) at {h}"), &got, &want)?;
                let got = self.view(step, h, abi::holdings(*id))?;
                model(
                    format!("holdings({id}) at {h}"),
                    &got,
                    &encode_u256(oracle.holdings(&h, id)),
                )?;
            }
        }
        let receiver = super::compile::reentrant_receiver();
        if sc.accounts.contains(&receiver) {
            let sel = super::compile::receiver_selector;
            let got = self.view(step, receiver, sel("innerData").to_vec())?;
            model(
                "the reentrant receiver's innerData()".into(),
                &got,
                &oracle.receiver_inner_data(),
            )?;
            let got = self.view(step, receiver, sel("attempted").to_vec())?;
            model(
                "the reentrant receiver's attempted()".into(),
                &got,
                &oracle.receiver_attempted(),
            )?;
        }
        self.pair
            .compare_state(step, &[], &sc.accounts)
            .map_err(|d| Compare::Implementations(d.to_string()))
    }
}

enum Compare {
    Implementations(String),
    Verifier(String),
}

/// A scenario's steps as a reproduction: one line per step with its label, sender, contract,
/// value and calldata.
pub fn listing(sc: &Scenario, upto: Option<usize>) -> String {
    let mut out = String::new();
    let end = upto.map_or(sc.steps.len(), |k| (k + 1).min(sc.steps.len()));
    for (k, step) in sc.steps[..end].iter().enumerate() {
        match step {
            Step::Advance(dt) => out.push_str(&format!("{k:>3}. advance {dt} s\n")),
            Step::Call(c) => {
                out.push_str(&format!(
                    "{k:>3}. {}\n     from {} to {} value {}\n     0x{}\n",
                    c.label,
                    c.from,
                    c.to,
                    c.value,
                    hex::encode(&c.data)
                ));
            }
        }
    }
    out
}

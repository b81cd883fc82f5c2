//! What the adversarial scenarios covered: scenarios per topology, each kind of adversary action
//! (chosen, sent, succeeded on chain), the honest parties' refutations and reverts, the
//! non-canonical calls and how they ended, and the violations the oracle found.

use std::collections::BTreeMap;
use std::fmt;

/// Counts of one kind of adversary action.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ActionCount {
    /// Chosen by a plan.
    pub chosen: u64,
    /// Sent as transactions (an action with nothing to act on sends none; one action may send
    /// several).
    pub sent: u64,
    /// Transactions that succeeded.
    pub succeeded: u64,
}

/// Non-canonical calls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NonCanonical {
    /// Sent.
    pub sent: u64,
    /// Reverted with `MalformedCalldata()`.
    pub malformed: u64,
    /// Reverted with another error, by error.
    pub other: BTreeMap<String, u64>,
    /// Succeeded.
    pub accepted: u64,
}

/// The counts of a run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Scenarios run.
    pub scenarios: u64,
    /// Transactions sent (both worlds count once).
    pub transactions: u64,
    /// Scenarios per topology.
    pub shapes: BTreeMap<String, u64>,
    /// Adversary actions per kind.
    pub actions: BTreeMap<String, ActionCount>,
    /// Front-runs inserted before honest transactions.
    pub front_runs: u64,
    /// Honest refutations that changed a record (during the adversary's actions).
    pub honest_refutations: u64,
    /// Honest refutations tried (including those that found the record already right).
    pub honest_refute_attempts: u64,
    /// Honest refutations through a helper parent of the honest party's own.
    pub honest_helper_refutations: u64,
    /// Honest transactions that reverted, by kind and error.
    pub honest_reverts: BTreeMap<String, u64>,
    /// Non-canonical calls.
    pub non_canonical: NonCanonical,
    /// Scenarios with a violation, per kind of violation.
    pub violations: BTreeMap<String, u64>,
    /// Notes on notable successes (the holes' footprints), per scenario.
    pub tags: BTreeMap<String, u64>,
}

impl Tally {
    /// Adds `other` into this tally.
    pub fn merge(&mut self, other: &Tally) {
        self.scenarios += other.scenarios;
        self.transactions += other.transactions;
        for (k, v) in &other.shapes {
            *self.shapes.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.actions {
            let e = self.actions.entry(k.clone()).or_default();
            e.chosen += v.chosen;
            e.sent += v.sent;
            e.succeeded += v.succeeded;
        }
        self.front_runs += other.front_runs;
        self.honest_refutations += other.honest_refutations;
        self.honest_refute_attempts += other.honest_refute_attempts;
        self.honest_helper_refutations += other.honest_helper_refutations;
        for (k, v) in &other.honest_reverts {
            *self.honest_reverts.entry(k.clone()).or_default() += v;
        }
        let (a, b) = (&mut self.non_canonical, &other.non_canonical);
        a.sent += b.sent;
        a.malformed += b.malformed;
        a.accepted += b.accepted;
        for (k, v) in &b.other {
            *a.other.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.violations {
            *self.violations.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.tags {
            *self.tags.entry(k.clone()).or_default() += v;
        }
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "adversary coverage: {} scenarios, {} transactions",
            self.scenarios, self.transactions
        )?;
        writeln!(f, "  scenarios per topology:")?;
        for (k, v) in &self.shapes {
            writeln!(f, "    {v:>6}  {k}")?;
        }
        writeln!(
            f,
            "  adversary actions (chosen / transactions sent / succeeded on chain):"
        )?;
        for (k, v) in &self.actions {
            writeln!(
                f,
                "    {:>6} / {:>6} / {:>6}  {k}",
                v.chosen, v.sent, v.succeeded
            )?;
        }
        writeln!(
            f,
            "  front-runs before honest transactions: {}",
            self.front_runs
        )?;
        writeln!(
            f,
            "  honest refutations: {} changed a record ({} through a helper parent), {} tried",
            self.honest_refutations, self.honest_helper_refutations, self.honest_refute_attempts
        )?;
        if !self.honest_reverts.is_empty() {
            writeln!(f, "  honest transactions reverted:")?;
            for (k, v) in &self.honest_reverts {
                writeln!(f, "    {v:>6}  {k}")?;
            }
        }
        let nc = &self.non_canonical;
        writeln!(
            f,
            "  non-canonical calls: {} sent, {} MalformedCalldata, {} accepted, other reverts: {:?}",
            nc.sent, nc.malformed, nc.accepted, nc.other
        )?;
        if !self.tags.is_empty() {
            writeln!(f, "  scenarios with notable successes:")?;
            for (k, v) in &self.tags {
                writeln!(f, "    {v:>6}  {k}")?;
            }
        }
        if self.violations.is_empty() {
            writeln!(f, "  violations: none")?;
        } else {
            writeln!(f, "  scenarios with violations:")?;
            for (k, v) in &self.violations {
                writeln!(f, "    {v:>6}  {k}")?;
            }
        }
        Ok(())
    }
}

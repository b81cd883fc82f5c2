//! What the random scenarios covered: each plan's tags (shape, story, funding, extras, flaws),
//! each call kind's successes and reverts, the revert errors seen and the verifier's decisions,
//! counted over a run and printed at its end.

use super::plan::{Action, Duration, Flaw, Foreign, FundMode, Junk, Plan, Shape, SubKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The custom errors of `contracts/solidity/Errors.sol`, in its order.
pub const ERRORS: &[&str] = &[
    "MalformedCalldata",
    "SignatureCountMismatch",
    "InvalidSignatureLength",
    "InvalidSignatureS",
    "InvalidSignatureV",
    "InvalidSignature",
    "NotLedgerChannel",
    "InvalidParams",
    "HasApp",
    "HasLockedFunds",
    "NoApp",
    "SubChannelsTooShort",
    "SubChannelIDMismatch",
    "AssetsMismatch",
    "SubAllocMismatch",
    "LockedMismatch",
    "BalancesLengthMismatch",
    "SumOfBalancesMismatch",
    "BalanceOverflow",
    "IndexMapOutOfRange",
    "LedgerSubChannel",
    "ChallengeDurationTooLong",
    "NestingTooDeep",
    "NotRegistered",
    "VersionTooLow",
    "NotInDisputePhase",
    "RefutationTimeoutPassed",
    "TimeoutNotPassed",
    "TimeoutPassed",
    "AlreadyConcluded",
    "WrongState",
    "WrongOldState",
    "ActorIndexOutOfRange",
    "VersionNotIncremented",
    "ProgressFromFinalState",
    "StateNotFinal",
    "OnlyAdjudicator",
    "OutcomeLengthMismatch",
    "AlreadySettled",
    "NotSettled",
    "WrongDepositValue",
    "InsufficientHoldings",
    "PartialWithdrawal",
    "TokenTransferFailed",
    "EthTransferFailed",
    "Reentrancy",
    "NotVirtualChannel",
    "TimeoutOverflow",
    "NoContractCode",
    "NotYourTurn",
    "InvalidAppData",
    "BalancesChanged",
];

/// The name of the error revert data `data` carries: a custom error's name, `(empty)`, or the
/// data in hex.
pub fn error_name(data: &[u8]) -> String {
    if data.is_empty() {
        return "(empty)".into();
    }
    if data.len() == 4 {
        if let Some(name) = ERRORS
            .iter()
            .find(|n| super::oracle::error_selector(n) == data[..4])
        {
            return (*name).into();
        }
    }
    format!("0x{}", alloy_primitives::hex::encode(data))
}

/// The first word of a `Debug` form: the variant's name.
fn variant(v: &impl fmt::Debug) -> String {
    let s = format!("{v:?}");
    s.split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The coverage name of a flaw.
pub fn flaw_name(f: &Flaw) -> String {
    match f {
        Flaw::Sig(s) => format!("flaw: signature {}", variant(s)),
        Flaw::Params(p) => format!("flaw: params {}", variant(p)),
        Flaw::State { flaw, resign } => format!(
            "flaw: state {}{}",
            variant(flaw),
            if *resign { " (re-signed)" } else { "" }
        ),
        Flaw::Subs(s) => format!("flaw: sub-channels {}", variant(s)),
        Flaw::Calldata(c) => format!("flaw: calldata {}", variant(c)),
        Flaw::Value(_) => "flaw: ETH value".into(),
        Flaw::Sender => "flaw: unexpected sender".into(),
    }
}

fn action_name(a: &Action) -> String {
    match a {
        Action::Token(m) => format!("extra: token {m:?}"),
        Action::Junk(j) => match j {
            Junk::Garbage { .. } => "extra: garbage calldata".into(),
            Junk::OnlyAdjudicator { .. } => "extra: adjudicator-only call by an outsider".into(),
            Junk::Views { value: true } => "extra: views with ETH".into(),
            Junk::Views { value: false } => "extra: views".into(),
            Junk::WrongKind { .. } => "extra: wrong channel kind".into(),
            Junk::HugeDeposit { .. } => "extra: deposit beyond 2^255".into(),
        },
        Action::Withdraw(w) => format!(
            "extra: withdraw {:?} signed {:?} to {:?}",
            w.amount, w.signer, w.receiver
        ),
        other => format!("extra: {}", variant(other)),
    }
}

/// The tags of a plan, but for its flaws: the compiler adds those it put into calls
/// ([`super::compile::Scenario::tags`]).
pub fn tags(plan: &Plan) -> Vec<String> {
    let mut t = Vec::new();
    match &plan.shape {
        Shape::Ledger {
            parties,
            repeat,
            also_virtual,
            assets,
            foreign,
            app,
            duration,
            subs,
        } => {
            t.push("shape: ledger channel".to_string());
            t.push(format!("parties: {}", parties.clamp(&2, &8)));
            if *repeat && *parties >= 3 {
                t.push("parties: a repeated participant".into());
            }
            if *also_virtual {
                t.push("ledger channel with the virtual flag".into());
            }
            t.push(format!("assets: {assets:?}"));
            if *foreign != Foreign::None {
                t.push(format!("assets: foreign {foreign:?}"));
            }
            t.push(format!("app: {app:?}"));
            if *duration != Duration::Normal {
                t.push(format!("challenge duration: {duration:?}"));
            }
            t.push(format!("sub-channels: {}", subs.len().min(8)));
            for s in subs.iter().take(8) {
                t.push(format!("sub-channel app: {:?}", s.app));
                if s.nested % 3 > 0 {
                    t.push("sub-channels: nested".into());
                }
                if s.kind != SubKind::Plain {
                    t.push(format!("sub-channel kind: {:?}", s.kind));
                }
            }
        }
        Shape::Chain {
            depth,
            shortcut,
            assets,
        } => {
            t.push("shape: chain of sub-channels".into());
            t.push(format!("chain depth: {}", depth.clamp(&1, &17)));
            if *shortcut {
                t.push("chain: shortcut through a second ledger channel".into());
            }
            t.push(format!("assets: {assets:?}"));
        }
        Shape::Virtual { assets, app } => {
            t.push("shape: virtual channel".into());
            t.push(format!("assets: {assets:?}"));
            if *app {
                t.push("virtual channel with an app".into());
            }
        }
    }
    t.push(format!("story: {}", variant(&plan.story)));
    if plan.payee != super::plan::Receiver::Own {
        t.push(format!("story: first withdrawal to {:?}", plan.payee));
    }
    for f in &plan.funding {
        t.push(match f {
            FundMode::Exact => "funding: exact".into(),
            FundMode::Short(_) => "funding: short (underfunded)".into(),
            FundMode::Over(_) => "funding: over (overfunded)".into(),
            FundMode::Zero => "funding: zero deposit".into(),
            FundMode::Skip => "funding: no deposit (underfunded)".into(),
            FundMode::ChannelId => "funding: under the channel ID".into(),
            FundMode::Value(_) => "funding: the wrong ETH value (refused)".into(),
        });
    }
    for (_, a) in &plan.extras {
        t.push(action_name(a));
    }
    t.sort();
    t.dedup();
    t
}

/// Counts over a run.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    /// Scenarios run.
    pub scenarios: u64,
    /// Transactions run (time steps not counted).
    pub transactions: u64,
    /// Per call kind: (succeeded, reverted).
    pub calls: BTreeMap<String, (u64, u64)>,
    /// Per plan tag: the number of scenarios with it.
    pub tags: BTreeMap<String, u64>,
    /// Per revert error: how often a call reverted with it.
    pub reverts: BTreeMap<String, u64>,
    /// Per decision of the verifier comparison: how often it was made.
    pub verifier: BTreeMap<String, u64>,
    /// Per error of an inner call that a contract of the scenario recorded and swallowed (the
    /// reentrant receiver's re-entry into a holder): how often it was recorded. Such an error
    /// never reaches a transaction's revert data (a holder reports a failed payout with its
    /// own error).
    pub inner: BTreeMap<String, u64>,
}

impl Tally {
    /// Adds `other` to this tally.
    pub fn merge(&mut self, other: &Tally) {
        self.scenarios += other.scenarios;
        self.transactions += other.transactions;
        for (k, (a, b)) in &other.calls {
            let e = self.calls.entry(k.clone()).or_default();
            e.0 += a;
            e.1 += b;
        }
        for (map, from) in [
            (&mut self.tags, &other.tags),
            (&mut self.reverts, &other.reverts),
            (&mut self.verifier, &other.verifier),
            (&mut self.inner, &other.inner),
        ] {
            for (k, v) in from {
                *map.entry(k.clone()).or_default() += v;
            }
        }
    }

    /// The custom errors of [`ERRORS`] the run reached: as a transaction's revert data, or
    /// recorded from an inner call ([`Tally::inner`]).
    pub fn reached(&self) -> BTreeSet<&'static str> {
        ERRORS
            .iter()
            .copied()
            .filter(|e| self.reverts.contains_key(*e) || self.inner.contains_key(*e))
            .collect()
    }

    /// The custom errors of [`ERRORS`] the run did not reach, in `Errors.sol`'s order.
    pub fn missing(&self) -> Vec<&'static str> {
        let reached = self.reached();
        ERRORS
            .iter()
            .copied()
            .filter(|e| !reached.contains(e))
            .collect()
    }
}

impl fmt::Display for Tally {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} scenarios, {} transactions",
            self.scenarios, self.transactions
        )?;
        writeln!(f, "calls (succeeded / reverted):")?;
        for (k, (ok, rev)) in &self.calls {
            writeln!(f, "  {k:<28} {ok:>7} / {rev:>7}")?;
        }
        writeln!(f, "scenarios per tag:")?;
        for (k, n) in &self.tags {
            writeln!(f, "  {k:<52} {n:>6}")?;
        }
        writeln!(f, "reverts per error:")?;
        for (k, n) in &self.reverts {
            writeln!(f, "  {k:<28} {n:>7}")?;
        }
        writeln!(f, "errors of inner calls recorded:")?;
        for (k, n) in &self.inner {
            writeln!(f, "  {k:<28} {n:>7}")?;
        }
        writeln!(
            f,
            "custom errors reached: {} of {}",
            self.reached().len(),
            ERRORS.len()
        )?;
        writeln!(f, "verifier comparison:")?;
        for (k, n) in &self.verifier {
            writeln!(f, "  {k:<60} {n:>7}")?;
        }
        Ok(())
    }
}

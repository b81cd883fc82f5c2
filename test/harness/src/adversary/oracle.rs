//! The safety oracle (SPEC section 10), computed from the protocol's semantics alone: the
//! topology, the states the honest parties accepted and the index maps, never the contracts'
//! records or the verifier's model.
//!
//! For each honest party `h` and asset:
//! - entitlement: for every ledger channel `h` is in, `h`'s entry of that channel's latest state
//!   (fully signed, or force-executed from it) with every locked sub-channel's outcome added
//!   through its index map, recursively. A sub-channel `h` is in counts with its latest state;
//!   one `h` is not in maps nothing to `h` (its funding state stands in); a virtual channel
//!   counts for its intermediary with its funding state in every parent, so across the parents
//!   the intermediary is owed exactly the virtual channel's total, which it funded (net zero,
//!   whatever the virtual channel's outcome).
//! - withdrawn: the sum of the `Withdrawn` events paying `h`'s funding IDs to `h`.
//! - (a) withdrawn >= entitlement, over the channels that settled (a locked channel is (c));
//!   for an intermediary this is (b): once all its parents settled, its net across them
//!   (withdrawn - deposited) is at least what its accepted parent states allow.
//! - (c) every ledger channel `h` is in is settled at every holder of its assets once the
//!   honest parties waited `2 * CD + 1` seconds after their last registration, and no honest
//!   conclude or withdrawal reverted unless an adversary's transaction came right before it.
//! - no funds of `h` were paid to another receiver.
//!
//! Beside safety: every call with a non-canonical params, state or withdrawal authorization must
//! revert (today's contracts accept them; after the fix they revert with `MalformedCalldata()`).

use super::coverage::Tally;
use super::session::Session;
use super::topology::CD;
use crate::pair::Divergence;
use alloy_primitives::U256;
use std::collections::BTreeSet;
use std::fmt;

/// What kind of violation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ViolationKind {
    /// (a) An honest party withdrew less from its settled channels than its latest states give
    /// it there.
    FundsLost,
    /// (b) An intermediary whose parents all settled netted less than zero across them
    /// (relative to its states).
    IntermediaryLoss,
    /// (c) A channel of an honest party was not settled within the bound.
    NotConcluded,
    /// (c) An honest conclude or withdrawal reverted with no adversary transaction before it.
    HonestRevert,
    /// (a) An honest party's funds were paid to another receiver.
    PaidElsewhere,
    /// A call with a non-canonical layout succeeded.
    NonCanonicalAccepted,
}

impl ViolationKind {
    /// The name in reports.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::FundsLost => "(a) funds lost",
            ViolationKind::IntermediaryLoss => "(b) intermediary lost",
            ViolationKind::NotConcluded => "(c) channel not concluded in time (funds locked)",
            ViolationKind::HonestRevert => "(c) honest conclude/withdraw reverted",
            ViolationKind::PaidElsewhere => "(a) honest funds paid to another receiver",
            ViolationKind::NonCanonicalAccepted => "non-canonical layout accepted",
        }
    }
}

/// One violation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// Its kind.
    pub kind: ViolationKind,
    /// What happened.
    pub message: String,
}

/// The result of a scenario.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The scenario's seed (0 for hand-made ones).
    pub seed: u64,
    /// The topology.
    pub topology: String,
    /// The adversaries.
    pub corrupt: Vec<String>,
    /// What happened, step by step.
    pub log: Vec<String>,
    /// Per honest party and asset: entitled, withdrawn, deposited, balance change.
    pub figures: Vec<String>,
    /// The violations found.
    pub violations: Vec<Violation>,
    /// Notable successes (footprints of the known holes).
    pub tags: BTreeSet<String>,
    /// The scenario's counts.
    pub tally: Tally,
}

impl Outcome {
    /// The kinds of violation found.
    pub fn kinds(&self) -> BTreeSet<ViolationKind> {
        self.violations.iter().map(|v| v.kind).collect()
    }

    /// Whether the scenario was safe.
    pub fn is_safe(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "scenario seed {:016x}", self.seed)?;
        writeln!(f, "topology: {}", self.topology)?;
        writeln!(f, "adversaries: {}", self.corrupt.join(", "))?;
        if !self.violations.is_empty() {
            writeln!(f, "violations:")?;
            for v in &self.violations {
                writeln!(f, "  {}: {}", v.kind.name(), v.message)?;
            }
        }
        if !self.tags.is_empty() {
            writeln!(f, "notable:")?;
            for t in &self.tags {
                writeln!(f, "  {t}")?;
            }
        }
        writeln!(f, "amounts (honest parties; u = 10^12 base units):")?;
        for l in &self.figures {
            writeln!(f, "  {l}")?;
        }
        writeln!(f, "steps:")?;
        for (i, l) in self.log.iter().enumerate() {
            writeln!(f, "  {i:>3}. {l}")?;
        }
        Ok(())
    }
}

/// Fails with the outcome's report if the scenario was not safe. Every test of the adversarial
/// scenarios ends here.
///
/// # Panics
/// If the oracle found a violation.
pub fn assert_safe(o: &Outcome) {
    if !o.is_safe() {
        let kinds: Vec<&str> = o.kinds().iter().map(|k| k.name()).collect();
        panic!("the safety oracle found: {}\n{o}", kinds.join(", "));
    }
}

fn show(v: U256) -> String {
    let unit = U256::from(super::topology::UNIT);
    if (v % unit).is_zero() {
        format!("{}u", v / unit)
    } else {
        format!("{v} wei")
    }
}

fn signed_diff(a: U256, b: U256) -> String {
    if a >= b {
        format!("+{}", show(a - b))
    } else {
        format!("-{}", show(b - a))
    }
}

impl Session<'_> {
    /// `[asset][participant]` outcome of channel `node` as honest party `h` counts it: its
    /// latest state if `h` is in it, else its funding state, with its sub-channels folded in.
    fn fold_for(&self, h: usize, node: usize) -> Vec<Vec<U256>> {
        let s = if self.topo.index_of(node, h).is_some() {
            self.latest[node].state.clone()
        } else {
            self.topo.initial_state(node)
        };
        let mut out = s.outcome.balances.clone();
        for l in &s.outcome.locked {
            let Some(child) = self.topo.node_by_id(l.ID) else {
                continue;
            };
            let sub = self.fold_for(h, child);
            for (a, row) in sub.iter().enumerate() {
                for (i, v) in row.iter().enumerate() {
                    let Some(&m) = l.indexMap.get(i) else {
                        continue;
                    };
                    if let Some(x) = out.get_mut(a).and_then(|r| r.get_mut(usize::from(m))) {
                        *x = x.saturating_add(*v);
                    }
                }
            }
        }
        out
    }

    /// What honest party `h` is entitled to from the ledger channels `roots`, per asset.
    pub fn entitlement(&self, h: usize, roots: &[usize]) -> Vec<U256> {
        let mut out = vec![U256::ZERO; self.topo.assets.len()];
        for &r in roots {
            let Some(i) = self.topo.index_of(r, h) else {
                continue;
            };
            let f = self.fold_for(h, r);
            for (a, x) in out.iter_mut().enumerate() {
                *x = x.saturating_add(f[a][i]);
            }
        }
        out
    }

    /// What honest party `h` withdrew to itself from its funding IDs in `roots`, per asset, and
    /// what went from its funding IDs to anybody else.
    fn withdrawn(&self, h: usize, roots: &[usize]) -> (Vec<U256>, Vec<String>) {
        let fids: Vec<_> = roots
            .iter()
            .filter(|&&r| self.topo.index_of(r, h).is_some())
            .map(|&r| self.fid(self.topo.nodes[r].chan.id, h))
            .collect();
        let me = self.address_of(h);
        let mut out = vec![U256::ZERO; self.topo.assets.len()];
        let mut elsewhere = Vec::new();
        for &(holder, fid, amount, receiver) in &self.withdrawals {
            if !fids.contains(&fid) {
                continue;
            }
            let Some(a) = (0..self.topo.assets.len()).find(|&a| self.holder(a) == holder) else {
                continue;
            };
            if receiver == me {
                out[a] += amount;
            } else {
                elsewhere.push(format!(
                    "{} of {}'s funds to {receiver}",
                    show(amount),
                    self.name(h)
                ));
            }
        }
        (out, elsewhere)
    }

    /// Runs the oracle over the finished scenario.
    ///
    /// # Errors
    /// A divergence while reading views.
    pub fn judge(&mut self, seed: u64, corrupt: Vec<String>) -> Result<Outcome, Divergence> {
        let mut violations = Vec::new();
        let mut figures = Vec::new();
        let bound = self.final_registration.map_or_else(String::new, |t| {
            format!(
                " (bound: {} s after the last honest registration at {t})",
                2 * CD + 1
            )
        });
        for h in self.honest() {
            // Locked channels are (c); (a) and (b) compare what the settled ones paid. An
            // intermediary is owed the virtual channel's total only across all its parents, so
            // its (b) needs all of them settled.
            let mine: Vec<usize> = self
                .topo
                .roots
                .iter()
                .copied()
                .filter(|&r| self.topo.index_of(r, h).is_some())
                .collect();
            let mut settled = Vec::new();
            for &r in &mine {
                let id = self.topo.nodes[r].chan.id;
                if self.is_settled(id)? {
                    settled.push(r);
                } else {
                    let why: Vec<String> = self
                        .honest_reverts
                        .iter()
                        .filter(|(p, label, _, _)| {
                            *p == h && label.contains(&self.topo.nodes[r].name)
                        })
                        .map(|(_, l, e, _)| format!("{l}: {e}"))
                        .collect();
                    violations.push(Violation {
                        kind: ViolationKind::NotConcluded,
                        message: format!(
                            "{}'s channel {} is not settled{bound}; honest reverts: [{}]",
                            self.name(h),
                            self.topo.nodes[r].name,
                            why.join("; ")
                        ),
                    });
                }
            }
            let intermediary = self.topo.intermediaries.contains(&h);
            let judged: &[usize] = if intermediary && settled.len() < mine.len() {
                &[]
            } else {
                &settled
            };
            let ent = self.entitlement(h, judged);
            let (got, elsewhere) = self.withdrawn(h, &mine);
            let (got_judged, _) = self.withdrawn(h, judged);
            let all_ent = self.entitlement(h, &mine);
            let now = self.balances_of(h);
            for (a, kind) in self.topo.assets.iter().enumerate() {
                let dep = self.deposited[h][a];
                let change = signed_diff(now[a], self.initial_balances[h][a]);
                figures.push(format!(
                    "{} {kind:?}: entitled {} ({} in settled channels), withdrew {}, deposited {}, balance change {change}",
                    self.name(h),
                    show(all_ent[a]),
                    show(ent[a]),
                    show(got[a]),
                    show(dep)
                ));
                if got_judged[a] < ent[a] {
                    let lost = ent[a] - got_judged[a];
                    if intermediary {
                        violations.push(Violation {
                            kind: ViolationKind::IntermediaryLoss,
                            message: format!(
                                "intermediary {} nets {} {kind:?} across its parents (deposited {}, withdrew {}); its accepted states allow {}: it lost {}",
                                self.name(h),
                                signed_diff(got_judged[a], dep),
                                show(dep),
                                show(got_judged[a]),
                                signed_diff(ent[a], dep),
                                show(lost)
                            ),
                        });
                    } else {
                        violations.push(Violation {
                            kind: ViolationKind::FundsLost,
                            message: format!(
                                "{} withdrew {} {kind:?} from its settled channels but its latest states give it {} there: it lost {}",
                                self.name(h),
                                show(got_judged[a]),
                                show(ent[a]),
                                show(lost)
                            ),
                        });
                    }
                }
            }
            for e in elsewhere {
                violations.push(Violation {
                    kind: ViolationKind::PaidElsewhere,
                    message: e,
                });
            }
        }
        for (h, label, error, fronted) in &self.honest_reverts {
            let counted = label.starts_with("Conclude") || label.starts_with("withdraw");
            if counted && !fronted {
                violations.push(Violation {
                    kind: ViolationKind::HonestRevert,
                    message: format!("{}: {label} reverted with {error}", self.name(*h)),
                });
            }
        }
        for a in &self.accepted {
            violations.push(Violation {
                kind: ViolationKind::NonCanonicalAccepted,
                message: format!("accepted: {}", a.label),
            });
        }
        let mut tally = std::mem::take(&mut self.tally);
        let kinds: BTreeSet<ViolationKind> = violations.iter().map(|v| v.kind).collect();
        for k in kinds {
            *tally.violations.entry(k.name().to_string()).or_default() += 1;
        }
        for t in &self.tags {
            *tally.tags.entry(t.clone()).or_default() += 1;
        }
        Ok(Outcome {
            seed,
            topology: self.topo.describe(),
            corrupt,
            log: std::mem::take(&mut self.log),
            figures,
            violations,
            tags: self.tags.clone(),
            tally,
        })
    }
}

//! The checks: channel IDs, signatures and their order, versions, transitions, locked funds,
//! final states, virtual channels and withdrawals, each failure named with its field's path.
//!
//! Signatures are verified in parallel (rayon), each state through the calldata views of its
//! ABI encoding, as the contracts read it: the channel ID from the params' encoding, the state
//! hash from the state's, and `perun-channel`'s signature check per participant.

use crate::error::revert_name;
use crate::tree::{ChannelEntry, Doc, Held};
use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::calldata::{ArrayRef, ParamsRef, SignedStateRef, StateRef, View};
use perun_channel::checks::{self, check_signature};
use perun_channel::dispute;
use perun_channel::hash::{eth_signed_digest, hash_withdrawal};
use perun_channel::native::recover;
use perun_channel::sol::Channel;
use perun_channel::Error;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;

// ---------------------------------------------------------------------------------------------
// Findings
// ---------------------------------------------------------------------------------------------

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; the state can still be used.
    Warning,
    /// The value is invalid: the contracts reject it or a party loses by it.
    Error,
}

/// What a finding is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CheckKind {
    /// The state's channel ID is not the params'.
    ChannelId,
    /// A signature is malformed, missing or not by its participant.
    Signature,
    /// A signature is by another participant: the signatures are out of order.
    SignatureOrder,
    /// The number of signatures is not the number of participants.
    SignatureCount,
    /// Versions do not increase, or two states share a version.
    Version,
    /// A step between consecutive states changes an asset, a total or a locked entry.
    Transition,
    /// The balances do not have one row per asset and one entry per participant, or overflow.
    Balances,
    /// A sub-allocation's totals, assets or sub-channel are wrong or unknown.
    SubAlloc,
    /// An index map points outside the parent or to the wrong participant.
    IndexMap,
    /// A final state breaks the final-state rules.
    Final,
    /// The params are unusual or unusable.
    Params,
    /// A virtual channel or its parents are inconsistent.
    Virtual,
    /// A withdrawal authorization is invalid.
    Withdrawal,
}

/// One failed check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check.
    pub check: CheckKind,
    /// How bad it is.
    pub severity: Severity,
    /// The JSON path of the offending field.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// The custom error a contract reverts with on it, if one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revert: Option<&'static str>,
}

impl Finding {
    fn error(check: CheckKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            check,
            severity: Severity::Error,
            path: path.into(),
            message: message.into(),
            revert: None,
        }
    }

    fn warning(check: CheckKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(check, path, message)
        }
    }

    fn reverts(mut self, e: &Error) -> Self {
        self.revert = Some(revert_name(e));
        self
    }
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// Verifies a fully signed state as `register` does: through the views of its encoding, the
/// channel ID from the params, the state hash, then one valid signature per participant in
/// participant order (`Sig.verifyAll`). Returns the state hash.
///
/// # Errors
/// The contract's error: [`Error::InvalidParams`], [`Error::SignatureCount`],
/// [`Error::Signature`] or [`Error::WrongSigner`].
pub fn verify_signed_state(signed: &Channel::SignedState) -> Result<B256, Error> {
    let enc = signed.abi_encode();
    let s = SignedStateRef::at(&enc, 32)?;
    let params = s.params()?;
    let state = s.state()?;
    if state.channel_id()? != params.id()? {
        return Err(Error::InvalidParams);
    }
    let h = state.hash()?;
    checks::verify_all(
        &eth_signed_digest(h),
        params.participants()?,
        s.sigs()?,
        |d, sig| recover(d, sig).ok(),
    )?;
    Ok(h)
}

/// [`verify_signed_state`] over many states in parallel, on rayon's current pool, with the same
/// results. A channel's states share their params, so each worker encodes and hashes a
/// channel's params once for a run of states with equal params.
pub fn verify_many(states: &[Channel::SignedState]) -> Vec<Result<B256, Error>> {
    states
        .par_iter()
        .map_init(ParamsCache::default, |cache, s| cache.verify(s))
        .collect()
}

/// The last params seen by a worker, their encoding and their channel ID.
struct ParamsCache {
    params: Option<Channel::Params>,
    encoding: Vec<u8>,
    id: Result<B256, Error>,
}

impl Default for ParamsCache {
    fn default() -> Self {
        ParamsCache {
            params: None,
            encoding: Vec::new(),
            // Replaced before first use: `params` is `None`.
            id: Err(Error::InvalidParams),
        }
    }
}

impl ParamsCache {
    /// [`verify_signed_state`], reusing the params' encoding and ID when they repeat.
    fn verify(&mut self, signed: &Channel::SignedState) -> Result<B256, Error> {
        if self.params.as_ref() != Some(&signed.params) {
            self.encoding = signed.params.abi_encode();
            self.id = ParamsRef::at(&self.encoding, 32)
                .and_then(|p| p.id())
                .map_err(Into::into);
            self.params = Some(signed.params.clone());
        }
        let params = ParamsRef::at(&self.encoding, 32)?;
        let enc = signed.state.abi_encode();
        let state = StateRef::at(&enc, 32)?;
        if state.channel_id()? != self.id? {
            return Err(Error::InvalidParams);
        }
        let h = state.hash()?;
        let sigs = signed.sigs.abi_encode();
        checks::verify_all(
            &eth_signed_digest(h),
            params.participants()?,
            ArrayRef::at(&sigs, 32)?,
            |d, sig| recover(d, sig).ok(),
        )?;
        Ok(h)
    }
}

/// The outcome of one participant's signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SigStatus {
    /// Valid, by the participant.
    Valid,
    /// Not held.
    Missing,
    /// Malformed or unrecoverable.
    Invalid(Error),
    /// Valid, but by another address: participant `Some(j)`'s, or a stranger's.
    OtherSigner(Address, Option<usize>),
}

/// The verification of one held state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Whether the state's channel ID is the params'.
    pub id_ok: bool,
    /// Per participant, its signature's status (empty signatures beyond the participants are
    /// not listed).
    pub sigs: Vec<SigStatus>,
    /// Whether there is exactly one signature entry per participant.
    pub count_ok: bool,
}

impl Verdict {
    /// Whether the state is fully and validly signed for its channel: `register` accepts its
    /// signatures.
    pub fn fully_signed(&self) -> bool {
        self.id_ok && self.count_ok && self.sigs.iter().all(|s| *s == SigStatus::Valid)
    }

    /// Whether participant `i` signed the state validly.
    pub fn signed_by(&self, i: usize) -> bool {
        self.id_ok && self.sigs.get(i) == Some(&SigStatus::Valid)
    }
}

/// Verifies each signature of a held state on its own (as `Sig.verify` does).
pub fn verify_held(h: &Held) -> Verdict {
    let signed = &h.signed;
    let parts = &signed.params.participants;
    let id_ok = perun_channel::hash::channel_id(&signed.params) == signed.state.channelID;
    let digest = eth_signed_digest(h.hash);
    let sigs = parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            if !h.present.get(i).copied().unwrap_or(false) {
                return SigStatus::Missing;
            }
            let mut got = None;
            let r = check_signature(i, &digest, &signed.sigs[i], p.ethAddress, |d, s| {
                got = recover(d, s).ok();
                got
            });
            match r {
                Ok(()) => SigStatus::Valid,
                Err(Error::WrongSigner { .. }) => {
                    let a = got.unwrap_or_default();
                    SigStatus::OtherSigner(a, parts.iter().position(|q| q.ethAddress == a))
                }
                Err(e) => SigStatus::Invalid(e),
            }
        })
        .collect();
    Verdict {
        id_ok,
        sigs,
        count_ok: signed.sigs.len() == parts.len(),
    }
}

/// The verdicts of every state of the document, `[channel][state]`, computed in parallel.
pub fn verify_doc(doc: &Doc) -> Vec<Vec<Verdict>> {
    let flat: Vec<(usize, &Held)> = doc
        .channels
        .iter()
        .enumerate()
        .flat_map(|(i, c)| c.states.iter().map(move |h| (i, h)))
        .collect();
    let verdicts: Vec<Verdict> = flat.par_iter().map(|(_, h)| verify_held(h)).collect();
    let mut out: Vec<Vec<Verdict>> = doc.channels.iter().map(|_| Vec::new()).collect();
    for ((i, _), v) in flat.into_iter().zip(verdicts) {
        out[i].push(v);
    }
    out
}

/// The index of a channel's latest fully signed state (highest version, first held).
pub fn best_state(c: &ChannelEntry, verdicts: &[Verdict]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (j, h) in c.states.iter().enumerate() {
        if verdicts[j].fully_signed()
            && best.is_none_or(|b| h.state().version > c.states[b].state().version)
        {
            best = Some(j);
        }
    }
    best
}

/// The state a channel would be registered with: its best fully signed state, or its latest.
pub fn chosen_state<'a>(c: &'a ChannelEntry, verdicts: &[Verdict]) -> &'a Held {
    let j = best_state(c, verdicts).unwrap_or(c.states.len() - 1);
    &c.states[j]
}

// ---------------------------------------------------------------------------------------------
// All checks
// ---------------------------------------------------------------------------------------------

/// Runs every check on the document, given its verdicts.
pub fn check(doc: &Doc, verdicts: &[Vec<Verdict>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, c) in doc.channels.iter().enumerate() {
        check_params(c, &mut out);
        for (j, h) in c.states.iter().enumerate() {
            check_signatures(c, h, &verdicts[i][j], &mut out);
            check_state(doc, verdicts, c, h, &mut out);
        }
        check_history(c, &verdicts[i], &mut out);
    }
    check_nesting(doc, verdicts, &mut out);
    for v in &doc.virtuals {
        check_virtual(doc, verdicts, v, &mut out);
    }
    for w in &doc.withdrawals {
        check_withdrawal(doc, w, &mut out);
    }
    out
}

/// Every channel's sub-channel tree (through the states the checks chose) is at most
/// [`checks::MAX_DEPTH`] deep below its ledger channel; each channel found deeper is named once
/// with the path that reaches it. (Cycles are refused when the document is read.)
fn check_nesting(doc: &Doc, verdicts: &[Vec<Verdict>], out: &mut Vec<Finding>) {
    let locks = |i: usize| -> Vec<usize> {
        let s = chosen_state(&doc.channels[i], &verdicts[i]).state();
        s.outcome
            .locked
            .iter()
            .filter_map(|l| doc.by_id.get(&l.ID).copied())
            .collect()
    };
    let mut named = HashSet::new();
    for root in 0..doc.channels.len() {
        if !doc.channels[root].params.ledgerChannel {
            continue;
        }
        // Depth-first over the tree, carrying the path from the root; it ends at the limit.
        let mut stack = vec![vec![root]];
        while let Some(path) = stack.pop() {
            for sub in locks(path[path.len() - 1]) {
                let depth = path.len();
                if depth <= checks::MAX_DEPTH {
                    let mut next = path.clone();
                    next.push(sub);
                    stack.push(next);
                } else if named.insert(sub) {
                    let names: Vec<&str> = path
                        .iter()
                        .map(|&i| doc.channels[i].name.as_str())
                        .collect();
                    out.push(
                        Finding::error(
                            CheckKind::SubAlloc,
                            format!("{}.params", doc.channels[sub].path),
                            format!(
                                "sub-channel {} sits at depth {depth} below {} (at most {})",
                                doc.channels[sub].name,
                                names.join(" > "),
                                checks::MAX_DEPTH
                            ),
                        )
                        .reverts(&Error::NestingTooDeep),
                    );
                }
            }
        }
    }
}

/// The longest challenge duration `check` accepts, 2^32 - 1 s (about 136 years): longer ones
/// keep a dispute open beyond any party's horizon, and near 2^64 make every registration
/// overflow its timeout. The contracts accept any duration; this is the honest party's rule.
pub const MAX_HONEST_CHALLENGE_DURATION: u64 = u32::MAX as u64;

fn check_params(c: &ChannelEntry, out: &mut Vec<Finding>) {
    let p = &c.params;
    let path = format!("{}.params", c.path);
    if p.participants.len() < 2 {
        out.push(Finding::warning(
            CheckKind::Params,
            format!("{path}.participants"),
            format!(
                "{} participants: a channel has two or more",
                p.participants.len()
            ),
        ));
    }
    let mut seen = HashSet::new();
    for (k, q) in p.participants.iter().enumerate() {
        if !seen.insert(q.ethAddress) {
            out.push(Finding::error(
                CheckKind::Params,
                format!("{path}.participants[{k}].ethAddress"),
                format!(
                    "{} is a participant twice: the asset holders treat the channel as \
                     underfunded and everyone keeps its deposit",
                    q.ethAddress
                ),
            ));
        }
    }
    if p.challengeDuration > U256::from(u64::MAX) {
        out.push(Finding::warning(
            CheckKind::Params,
            format!("{path}.challengeDuration"),
            "above 2^64 - 1: the contracts keep only its low 64 bits",
        ));
    }
    // The contracts keep the low 64 bits; the honest party needs a window to refute in, and a
    // timeout that fits 64 bits for as long as the channel may be disputed.
    let cd = dispute::challenge_duration(p.challengeDuration);
    if cd == 0 {
        out.push(Finding::error(
            CheckKind::Params,
            format!("{path}.challengeDuration"),
            "0 s (low 64 bits): no time to refute; a stale state registered concludes in the \
             block it is registered in",
        ));
    } else if cd > MAX_HONEST_CHALLENGE_DURATION {
        out.push(Finding::error(
            CheckKind::Params,
            format!("{path}.challengeDuration"),
            format!(
                "{cd} s (low 64 bits) is above {MAX_HONEST_CHALLENGE_DURATION} s (about 136 \
                 years): a dispute would not end in anybody's lifetime, or its timeout would \
                 overflow (`TimeoutOverflow`) and only a final state signed by everybody could \
                 free the funds"
            ),
        ));
    }
    if p.ledgerChannel && p.virtualChannel {
        out.push(Finding::warning(
            CheckKind::Params,
            format!("{path}.virtualChannel"),
            "both a ledger and a virtual channel: the registry's direct path refuses it",
        ));
    }
    if p.virtualChannel && !p.app.is_zero() {
        out.push(
            Finding::error(
                CheckKind::Virtual,
                format!("{path}.app"),
                "a virtual channel cannot have an app",
            )
            .reverts(&Error::HasApp),
        );
    }
}

fn check_signatures(c: &ChannelEntry, h: &Held, v: &Verdict, out: &mut Vec<Finding>) {
    let st = format!("{}.state", h.path);
    if !v.id_ok {
        out.push(
            Finding::error(
                CheckKind::ChannelId,
                format!("{st}.channelID"),
                format!(
                    "{} is not the ID of the channel's params ({})",
                    h.state().channelID,
                    c.id
                ),
            )
            .reverts(&Error::InvalidParams),
        );
    }
    let n = c.params.participants.len();
    if !v.count_ok {
        let e = Error::SignatureCount {
            expected: n,
            actual: h.signed.sigs.len(),
        };
        out.push(
            Finding::error(
                CheckKind::SignatureCount,
                format!("{}.sigs", h.path),
                format!("{} signatures for {n} participants", h.signed.sigs.len()),
            )
            .reverts(&e),
        );
    }
    // Partially signed states (proposals, force-execution steps) are normal to hold.
    for (i, s) in v.sigs.iter().enumerate() {
        if *s == SigStatus::Missing && i < h.signed.sigs.len() {
            out.push(Finding::warning(
                CheckKind::Signature,
                format!("{}.sigs[{i}]", h.path),
                format!("participant {i}'s signature is not held: not fully signed"),
            ));
        }
    }
    for (i, s) in v.sigs.iter().enumerate() {
        let path = format!("{}.sigs[{i}]", h.path);
        match s {
            SigStatus::Valid | SigStatus::Missing => {}
            SigStatus::Invalid(e) => {
                out.push(Finding::error(CheckKind::Signature, path, format!("{e}")).reverts(e))
            }
            SigStatus::OtherSigner(a, Some(j)) => out.push(
                Finding::error(
                    CheckKind::SignatureOrder,
                    path,
                    format!(
                        "signature {i} is participant {j}'s ({a}), not participant {i}'s: the \
                         signatures are out of order"
                    ),
                )
                .reverts(&Error::WrongSigner { index: i }),
            ),
            SigStatus::OtherSigner(a, None) => out.push(
                Finding::error(
                    CheckKind::Signature,
                    path,
                    format!(
                        "signature {i} is by {a}, not by participant {i} ({})",
                        c.params.participants[i].ethAddress
                    ),
                )
                .reverts(&Error::WrongSigner { index: i }),
            ),
        }
    }
}

/// Per-asset totals of a state: its balances plus what it locks.
fn totals(s: &Channel::State) -> Result<Vec<U256>, Error> {
    let enc = s.abi_encode();
    let view = StateRef::at(&enc, 32)?;
    let outcome = view.outcome()?;
    let mut t = checks::row_sums(outcome.balances()?)?;
    let locked = outcome.locked()?;
    for l in 0..locked.len() {
        let b: Vec<U256> = locked.get(l)?.balances()?.words().collect();
        checks::add_totals(&mut t, &b)?;
    }
    Ok(t)
}

fn check_state(
    doc: &Doc,
    verdicts: &[Vec<Verdict>],
    c: &ChannelEntry,
    h: &Held,
    out: &mut Vec<Finding>,
) {
    let st = format!("{}.state", h.path);
    let s = h.state();
    let o = &s.outcome;
    let n = c.params.participants.len();
    if o.balances.len() != o.assets.len() {
        out.push(
            Finding::error(
                CheckKind::Balances,
                format!("{st}.outcome.balances"),
                format!("{} rows for {} assets", o.balances.len(), o.assets.len()),
            )
            .reverts(&Error::BalancesLengthMismatch),
        );
    }
    for (a, row) in o.balances.iter().enumerate() {
        if row.len() != n {
            out.push(
                Finding::error(
                    CheckKind::Balances,
                    format!("{st}.outcome.balances[{a}]"),
                    format!("{} balances for {n} participants", row.len()),
                )
                .reverts(&Error::BalancesLengthMismatch),
            );
        }
        if row
            .iter()
            .try_fold(U256::ZERO, |acc, b| acc.checked_add(*b))
            .is_none()
        {
            out.push(
                Finding::error(
                    CheckKind::Balances,
                    format!("{st}.outcome.balances[{a}]"),
                    "the balances overflow 256 bits",
                )
                .reverts(&Error::BalanceOverflow),
            );
        }
    }
    if o.backends.len() != o.assets.len() {
        out.push(Finding::warning(
            CheckKind::Balances,
            format!("{st}.outcome.backends"),
            format!(
                "{} backends for {} assets",
                o.backends.len(),
                o.assets.len()
            ),
        ));
    }
    if s.isFinal && !o.locked.is_empty() {
        out.push(
            Finding::error(
                CheckKind::Final,
                format!("{st}.outcome.locked"),
                "a final state locks funds in sub-channels: concludeFinal rejects it",
            )
            .reverts(&Error::HasLockedFunds),
        );
    }
    if c.params.virtualChannel && !o.locked.is_empty() {
        out.push(
            Finding::error(
                CheckKind::Virtual,
                format!("{st}.outcome.locked"),
                "a virtual channel cannot lock funds",
            )
            .reverts(&Error::HasLockedFunds),
        );
    }
    let mut ids = HashSet::new();
    for (l, sa) in o.locked.iter().enumerate() {
        let lp = format!("{st}.outcome.locked[{l}]");
        if !ids.insert(sa.ID) {
            out.push(Finding::error(
                CheckKind::SubAlloc,
                format!("{lp}.ID"),
                format!("sub-channel {} is locked twice", sa.ID),
            ));
        }
        if sa.balances.len() != o.assets.len() {
            out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.balances"),
                    format!(
                        "{} balances for {} assets",
                        sa.balances.len(),
                        o.assets.len()
                    ),
                )
                .reverts(&Error::SubAllocMismatch),
            );
        }
        let mut cols = HashSet::new();
        for (m, &k) in sa.indexMap.iter().enumerate() {
            if usize::from(k) >= n {
                out.push(
                    Finding::error(
                        CheckKind::IndexMap,
                        format!("{lp}.indexMap[{m}]"),
                        format!("index {k} is not a participant of the parent ({n})"),
                    )
                    .reverts(&Error::IndexMapOutOfRange),
                );
            } else if !cols.insert(k) {
                out.push(Finding::error(
                    CheckKind::IndexMap,
                    format!("{lp}.indexMap[{m}]"),
                    format!("index {k} appears twice in the index map"),
                ));
            }
        }
        let Some(&sub_i) = doc.by_id.get(&sa.ID) else {
            out.push(Finding::warning(
                CheckKind::SubAlloc,
                format!("{lp}.ID"),
                format!(
                    "sub-channel {} is not in the document: register and conclude need its \
                     state",
                    sa.ID
                ),
            ));
            continue;
        };
        let sub = &doc.channels[sub_i];
        let sub_state = chosen_state(sub, &verdicts[sub_i]).state();
        if sub.params.ledgerChannel {
            out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.ID"),
                    format!("sub-channel {} is a ledger channel", sub.name),
                )
                .reverts(&Error::LedgerSubChannel),
            );
        }
        if !sub.params.virtualChannel {
            let outside: Vec<String> = c
                .params
                .participants
                .iter()
                .filter(|q| {
                    !sub.params
                        .participants
                        .iter()
                        .any(|r| r.ethAddress == q.ethAddress)
                })
                .map(|q| q.ethAddress.to_string())
                .collect();
            if !outside.is_empty() {
                out.push(Finding::warning(
                    CheckKind::SubAlloc,
                    format!("{lp}.ID"),
                    format!(
                        "sub-channel {} leaves out {}: its own participants decide what it \
                         locks in turn and can grow the tree below it until the parent's \
                         conclude cannot walk it (SECURITY.md, finding 11)",
                        sub.name,
                        outside.join(", ")
                    ),
                ));
            }
        }
        let (sub_cd, cd) = (
            dispute::challenge_duration(sub.params.challengeDuration),
            dispute::challenge_duration(c.params.challengeDuration),
        );
        if sub_cd > cd {
            out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.ID"),
                    format!(
                        "sub-channel {}'s challenge duration {sub_cd} exceeds its parent's \
                         {cd}: its dispute could hold the parent's conclusion back",
                        sub.name
                    ),
                )
                .reverts(&Error::ChallengeDurationTooLong),
            );
        }
        if sa.indexMap.len() != sub.params.participants.len() {
            out.push(
                Finding::error(
                    CheckKind::IndexMap,
                    format!("{lp}.indexMap"),
                    format!(
                        "{} entries for the {} participants of sub-channel {}",
                        sa.indexMap.len(),
                        sub.params.participants.len(),
                        sub.name
                    ),
                )
                .reverts(&Error::SubAllocMismatch),
            );
        } else if !sub.params.virtualChannel {
            for (m, &k) in sa.indexMap.iter().enumerate() {
                let (Some(pp), Some(sp)) = (
                    c.params.participants.get(usize::from(k)),
                    sub.params.participants.get(m),
                ) else {
                    continue;
                };
                if pp.ethAddress != sp.ethAddress {
                    out.push(Finding::error(
                        CheckKind::IndexMap,
                        format!("{lp}.indexMap[{m}]"),
                        format!(
                            "maps sub-channel participant {m} ({}) to parent participant {k} \
                             ({})",
                            sp.ethAddress, pp.ethAddress
                        ),
                    ));
                }
            }
        }
        if let Err(e) = assets_equal(&o.assets, &sub_state.outcome.assets) {
            out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.ID"),
                    format!("sub-channel {} has other assets than its parent", sub.name),
                )
                .reverts(&e),
            );
        }
        match totals(sub_state) {
            Ok(t) if t != sa.balances => out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.balances"),
                    format!(
                        "locks {} but sub-channel {} (version {}) holds {}",
                        list(&sa.balances),
                        sub.name,
                        sub_state.version,
                        list(&t)
                    ),
                )
                .reverts(&Error::SubAllocMismatch),
            ),
            Ok(_) => {}
            Err(e) => out.push(
                Finding::error(
                    CheckKind::SubAlloc,
                    format!("{lp}.ID"),
                    format!("the totals of sub-channel {}: {e}", sub.name),
                )
                .reverts(&e),
            ),
        }
    }
}

fn assets_equal(a: &[Channel::Asset], b: &[Channel::Asset]) -> Result<(), Error> {
    let (ea, eb) = (a.to_vec().abi_encode(), b.to_vec().abi_encode());
    checks::check_assets_equal(
        perun_channel::calldata::ArrayRef::at(&ea, 32)?,
        perun_channel::calldata::ArrayRef::at(&eb, 32)?,
    )
}

fn list(v: &[U256]) -> String {
    let items: Vec<String> = v.iter().map(U256::to_string).collect();
    format!("[{}]", items.join(", "))
}

/// Versions in document order, conflicting states, states after a final one, and the
/// transitions between consecutive states.
fn check_history(c: &ChannelEntry, verdicts: &[Verdict], out: &mut Vec<Finding>) {
    let mut final_at: Option<(u64, usize)> = None;
    for j in 1..c.states.len() {
        let (prev, cur) = (&c.states[j - 1], &c.states[j]);
        let (pv, cv) = (prev.state().version, cur.state().version);
        let vpath = format!("{}.state.version", cur.path);
        if prev.state().isFinal && verdicts[j - 1].fully_signed() {
            final_at.get_or_insert((pv, j - 1));
        }
        if let Some((fv, _)) = final_at {
            if cv > fv {
                out.push(Finding::error(
                    CheckKind::Final,
                    vpath.clone(),
                    format!("version {cv} follows the final state of version {fv}"),
                ));
            }
        }
        if cv == pv && cur.hash != prev.hash {
            let both = verdicts[j - 1].fully_signed() && verdicts[j].fully_signed();
            out.push(Finding::error(
                CheckKind::Version,
                vpath,
                format!(
                    "two different states of version {cv}{}",
                    if both {
                        ", both fully signed: the participants signed conflicting states"
                    } else {
                        ""
                    }
                ),
            ));
            continue;
        }
        if cv <= pv {
            out.push(Finding::error(
                CheckKind::Version,
                vpath,
                format!("version {cv} does not follow version {pv}: keep states oldest first"),
            ));
            continue;
        }
        check_step(prev, cur, out);
    }
}

/// One off-chain step: the assets stay, every asset's total (balances plus locked funds)
/// stays, and a sub-allocation kept from the previous state is unchanged.
fn check_step(prev: &Held, cur: &Held, out: &mut Vec<Finding>) {
    let st = format!("{}.state.outcome", cur.path);
    let (p, s) = (prev.state(), cur.state());
    if let Err(e) = assets_equal(&p.outcome.assets, &s.outcome.assets) {
        out.push(
            Finding::error(
                CheckKind::Transition,
                format!("{st}.assets"),
                format!("the assets differ from those of version {}", p.version),
            )
            .reverts(&e),
        );
        return;
    }
    match (totals(p), totals(s)) {
        (Ok(a), Ok(b)) if a != b => out.push(
            Finding::error(
                CheckKind::Transition,
                format!("{st}.balances"),
                format!(
                    "the totals per asset (balances plus locked) change from {} at version {} \
                     to {}",
                    list(&a),
                    p.version,
                    list(&b)
                ),
            )
            .reverts(&Error::SumOfBalancesMismatch),
        ),
        _ => {}
    }
    for (l, sa) in s.outcome.locked.iter().enumerate() {
        if let Some(old) = p.outcome.locked.iter().find(|o| o.ID == sa.ID) {
            if old != sa {
                out.push(
                    Finding::error(
                        CheckKind::Transition,
                        format!("{st}.locked[{l}]"),
                        format!(
                            "the sub-allocation of {} changed since version {}: locked funds \
                             stay as they are while the sub-channel is open",
                            sa.ID, p.version
                        ),
                    )
                    .reverts(&Error::LockedMismatch),
                );
            }
        }
    }
}

/// A virtual channel and its parents: the parents lock it with its totals in the same assets,
/// each of its participants maps to itself in the parent it belongs to and to the intermediary
/// in the other, so the intermediary's net position is zero whatever the outcome.
fn check_virtual(
    doc: &Doc,
    verdicts: &[Vec<Verdict>],
    v: &crate::tree::Virtual,
    out: &mut Vec<Finding>,
) {
    let vc = &doc.channels[v.channel];
    let vstate = chosen_state(vc, &verdicts[v.channel]).state();
    if !vc.params.virtualChannel {
        out.push(Finding::error(
            CheckKind::Virtual,
            format!("{}.channel", v.path),
            format!("{}'s params are not those of a virtual channel", vc.name),
        ));
    }
    let vparts: Vec<Address> = vc
        .params
        .participants
        .iter()
        .map(|p| p.ethAddress)
        .collect();
    let parent_parts: Vec<Vec<Address>> = v
        .parents
        .iter()
        .map(|&p| {
            doc.channels[p]
                .params
                .participants
                .iter()
                .map(|q| q.ethAddress)
                .collect()
        })
        .collect();
    // The intermediary: in both parents, not in the virtual channel.
    let common: Vec<Address> = parent_parts[0]
        .iter()
        .filter(|a| parent_parts[1].contains(a) && !vparts.contains(a))
        .copied()
        .collect();
    let intermediary = match common.as_slice() {
        [i] => *i,
        _ => {
            out.push(Finding::error(
                CheckKind::Virtual,
                format!("{}.parents", v.path),
                format!(
                    "the parents share {} participants outside the virtual channel; there must \
                     be exactly one intermediary",
                    common.len()
                ),
            ));
            return;
        }
    };
    for (m, a) in vparts.iter().enumerate() {
        let inside = parent_parts.iter().filter(|pp| pp.contains(a)).count();
        if inside != 1 {
            out.push(Finding::error(
                CheckKind::Virtual,
                format!("{}.params.participants[{m}].ethAddress", vc.path),
                format!(
                    "participant {a} of the virtual channel is in {inside} of its parents, not \
                     in exactly one"
                ),
            ));
            return;
        }
    }
    let vtotals = match totals(vstate) {
        Ok(t) => t,
        Err(e) => {
            out.push(
                Finding::error(
                    CheckKind::Virtual,
                    format!("{}.channel", v.path),
                    format!("the virtual channel's totals: {e}"),
                )
                .reverts(&e),
            );
            return;
        }
    };
    // The intermediary's credit per asset, for each outcome: everything to one participant.
    let mut credit_coeff = vec![0u32; vparts.len()];
    let mut locks: Vec<Vec<U256>> = Vec::new();
    for (m, &p) in v.parents.iter().enumerate() {
        let pc = &doc.channels[p];
        let ppath = format!("{}.parents[{m}]", v.path);
        if !pc.params.ledgerChannel {
            out.push(Finding::error(
                CheckKind::Virtual,
                ppath.clone(),
                format!("parent {} is not a ledger channel", pc.name),
            ));
        }
        let held = chosen_state(pc, &verdicts[p]);
        let Some((l, sa)) = held
            .state()
            .outcome
            .locked
            .iter()
            .enumerate()
            .find(|(_, s)| s.ID == vc.id)
        else {
            out.push(Finding::error(
                CheckKind::Virtual,
                ppath,
                format!(
                    "parent {} (version {}) does not lock virtual channel {}",
                    pc.name,
                    held.state().version,
                    vc.name
                ),
            ));
            return;
        };
        let lp = format!("{}.state.outcome.locked[{l}]", held.path);
        if assets_equal(&held.state().outcome.assets, &vstate.outcome.assets).is_err() {
            out.push(
                Finding::error(
                    CheckKind::Virtual,
                    format!("{}.state.outcome.assets", held.path),
                    format!(
                        "parent {} has other assets than the virtual channel",
                        pc.name
                    ),
                )
                .reverts(&Error::AssetsMismatch),
            );
        }
        if sa.indexMap.len() != vparts.len() {
            out.push(Finding::error(
                CheckKind::IndexMap,
                format!("{lp}.indexMap"),
                format!(
                    "{} entries for the {} participants of the virtual channel",
                    sa.indexMap.len(),
                    vparts.len()
                ),
            ));
            return;
        }
        for (q, &k) in sa.indexMap.iter().enumerate() {
            let Some(&to) = parent_parts[m].get(usize::from(k)) else {
                return; // reported by the state checks (IndexMapOutOfRange)
            };
            let expected = if parent_parts[m].contains(&vparts[q]) {
                vparts[q]
            } else {
                intermediary
            };
            if to != expected {
                out.push(Finding::error(
                    CheckKind::IndexMap,
                    format!("{lp}.indexMap[{q}]"),
                    format!(
                        "maps virtual participant {q} ({}) to {to}, not to {expected}",
                        vparts[q]
                    ),
                ));
            }
            if to == intermediary {
                credit_coeff[q] += 1;
            }
        }
        locks.push(sa.balances.clone());
        if sa.balances != vtotals {
            out.push(
                Finding::error(
                    CheckKind::Virtual,
                    format!("{lp}.balances"),
                    format!(
                        "parent {} locks {} for a virtual channel holding {}",
                        pc.name,
                        list(&sa.balances),
                        list(&vtotals)
                    ),
                )
                .reverts(&Error::SubAllocMismatch),
            );
        }
    }
    // The intermediary funds the virtual channel once over both parents (it stands in for the
    // participant missing from each), so its stake is the total; it is credited, in each
    // parent, the outcome of the participants it stands in for there.
    for (a, &total) in vtotals.iter().enumerate() {
        for (q, &c) in credit_coeff.iter().enumerate() {
            // The outcome that gives participant q everything: the intermediary gets c * total.
            let credit = total.saturating_mul(U256::from(c));
            if credit != total {
                out.push(Finding::error(
                    CheckKind::Virtual,
                    format!("{}.parents", v.path),
                    format!(
                        "if participant {q} of {} gets all of asset {a} ({total}), the \
                         intermediary {intermediary} receives {credit} for a stake of {total}: \
                         its net position is not zero",
                        vc.name
                    ),
                ));
                return;
            }
        }
    }
    if locks.len() == 2 && locks[0] != locks[1] {
        out.push(Finding::error(
            CheckKind::Virtual,
            format!("{}.parents", v.path),
            format!(
                "the parents lock different amounts: {} and {}",
                list(&locks[0]),
                list(&locks[1])
            ),
        ));
    }
}

fn check_withdrawal(doc: &Doc, w: &crate::tree::Withdrawal, out: &mut Vec<Finding>) {
    let digest = eth_signed_digest(hash_withdrawal(&w.auth));
    let signer = w.auth.participant.ethAddress;
    if let Err(e) = check_signature(0, &digest, &w.signature, signer, |d, s| recover(d, s).ok()) {
        let msg = match e {
            Error::WrongSigner { .. } => format!("not signed by the participant {signer}"),
            e => format!("{e}"),
        };
        out.push(
            Finding::error(CheckKind::Withdrawal, format!("{}.signature", w.path), msg).reverts(&e),
        );
    }
    match doc.by_id.get(&w.auth.channelID) {
        None => out.push(Finding::warning(
            CheckKind::Withdrawal,
            format!("{}.auth.channelID", w.path),
            format!("channel {} is not in the document", w.auth.channelID),
        )),
        Some(&i) => {
            let c = &doc.channels[i];
            if !c.params.participants.contains(&w.auth.participant) {
                out.push(Finding::error(
                    CheckKind::Withdrawal,
                    format!("{}.auth.participant", w.path),
                    format!("{signer} is not a participant of channel {}", c.name),
                ));
            }
        }
    }
}

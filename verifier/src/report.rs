//! The report: what was checked, what failed, what the contracts would do, and what to send;
//! as readable text or as JSON.

use crate::chain::Effect;
use crate::check::{Finding, Severity};
use crate::lifetime::{Plan, ProgramCheck, Status};
use crate::predict::{ChannelPrediction, Decision, Operation};
use crate::watch::{Action, Alarm};
use crate::Verification;
use alloy_primitives::{B256, U256};
use serde::Serialize;
use std::fmt::Write;

/// One held state, summarised.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StateSummary {
    /// Its path in the document.
    pub path: String,
    /// Its version.
    pub version: u64,
    /// `keccak256(abi.encode(state))`.
    pub hash: B256,
    /// Whether it is final.
    pub is_final: bool,
    /// Whether all participants signed it validly.
    pub fully_signed: bool,
}

/// One channel, summarised.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChannelSummary {
    /// Its name.
    pub name: String,
    /// Its ID.
    pub channel_id: B256,
    /// The number of participants.
    pub participants: usize,
    /// Whether it is a ledger channel.
    pub ledger_channel: bool,
    /// Whether it is a virtual channel.
    pub virtual_channel: bool,
    /// Its states.
    pub states: Vec<StateSummary>,
}

/// The whole report.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Whether every check passed (warnings allowed).
    pub valid: bool,
    /// The number of findings of each severity.
    pub errors: usize,
    /// The number of warnings.
    pub warnings: usize,
    /// The channels.
    pub channels: Vec<ChannelSummary>,
    /// Every failed check.
    pub findings: Vec<Finding>,
    /// The time predictions and refutations are made for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub now: Option<u64>,
    /// Per channel, the predictions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub predictions: Vec<ChannelPrediction>,
    /// The Stylus programs the watcher checked, and what it did to keep them usable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub programs: Option<Vec<ProgramCheck>>,
    /// The stale registrations the watcher found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alarms: Option<Vec<Alarm>>,
}

impl Report {
    /// The report of a verification.
    pub fn new(v: &Verification) -> Self {
        let channels = v
            .doc
            .channels
            .iter()
            .enumerate()
            .map(|(i, c)| ChannelSummary {
                name: c.name.clone(),
                channel_id: c.id,
                participants: c.params.participants.len(),
                ledger_channel: c.params.ledgerChannel,
                virtual_channel: c.params.virtualChannel,
                states: c
                    .states
                    .iter()
                    .enumerate()
                    .map(|(j, h)| StateSummary {
                        path: h.path.clone(),
                        version: h.state().version,
                        hash: h.hash,
                        is_final: h.state().isFinal,
                        fully_signed: v.verdicts[i][j].fully_signed(),
                    })
                    .collect(),
            })
            .collect();
        let errors = v
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        Report {
            valid: errors == 0,
            errors,
            warnings: v.findings.len() - errors,
            channels,
            findings: v.findings.clone(),
            now: None,
            predictions: Vec::new(),
            programs: None,
            alarms: None,
        }
    }

    /// The report as pretty JSON.
    pub fn to_json(&self) -> String {
        // Every field serializes: strings, numbers, and alloy values with serde impls.
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// The report as text.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        for c in &self.channels {
            let kind = match (c.ledger_channel, c.virtual_channel) {
                (true, true) => "ledger and virtual",
                (true, false) => "ledger",
                (false, true) => "virtual",
                (false, false) => "sub-channel",
            };
            let _ = writeln!(
                s,
                "channel {} ({kind}, {} participants)\n  id {}",
                c.name, c.participants, c.channel_id
            );
            for st in &c.states {
                let _ = writeln!(
                    s,
                    "  {:<28} version {:<6} {}{}",
                    st.path,
                    st.version,
                    if st.fully_signed {
                        "fully signed"
                    } else {
                        "not fully signed"
                    },
                    if st.is_final { ", final" } else { "" }
                );
            }
        }
        if self.findings.is_empty() {
            let _ = writeln!(s, "\nall checks pass");
        } else {
            let _ = writeln!(
                s,
                "\n{} error(s), {} warning(s):",
                self.errors, self.warnings
            );
            for f in &self.findings {
                let sev = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                };
                let check = serde_json::to_value(f.check)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default();
                let _ = write!(s, "  {sev:<7} {check:<14} {}: {}", f.path, f.message);
                match f.revert {
                    Some(r) => {
                        let _ = writeln!(s, " (the contracts revert: {r}())");
                    }
                    None => s.push('\n'),
                }
            }
        }
        if let Some(now) = self.now {
            if !self.predictions.is_empty() {
                let _ = writeln!(s, "\npredictions at time {now}:");
            }
        }
        for p in &self.predictions {
            let _ = writeln!(s, "  {} ({}):", p.channel, p.kind);
            match &p.record {
                Some(r) => {
                    let _ = writeln!(
                        s,
                        "    on chain: {} record, version {}, {}, timeout {}{}",
                        r.contract,
                        r.version,
                        r.phase,
                        r.timeout,
                        match &r.state {
                            Some(path) => format!(" (state {path})"),
                            None => " (a state the document does not hold)".to_owned(),
                        }
                    );
                }
                None => {
                    let _ = writeln!(s, "    on chain: not registered");
                }
            }
            for op in &p.operations {
                write_operation(&mut s, op, "    ");
            }
            for pay in &p.payouts {
                let _ = writeln!(
                    s,
                    "    holder {}: outcome {} {}",
                    pay.holder,
                    list(&pay.outcome),
                    if pay.funded {
                        "(funded by the deposits seen)".to_owned()
                    } else {
                        format!(
                            "(not covered by the deposits seen: each keeps its deposit {})",
                            list(&pay.holdings)
                        )
                    }
                );
            }
        }
        if let Some(programs) = &self.programs {
            write_programs(&mut s, programs);
        }
        if let Some(alarms) = &self.alarms {
            if alarms.is_empty() {
                let _ = writeln!(s, "\nwatch: no stale registration");
            } else {
                let _ = writeln!(s, "\nwatch:");
            }
            for a in alarms {
                let what = match a.action {
                    Action::Refute => "REFUTE",
                    Action::TooLate => "TOO LATE",
                    Action::CannotRefute => "CANNOT REFUTE",
                    Action::Conflict => "CONFLICT",
                };
                let _ = writeln!(
                    s,
                    "  {what}: {} registered at version {} ({}, timeout {}), latest held \
                     version {}",
                    a.channel, a.registered_version, a.phase, a.timeout, a.held_version
                );
                if let Some(op) = &a.refutation {
                    write_operation(&mut s, op, "    ");
                }
                if let Some(h) = a.sent {
                    let _ = writeln!(s, "    sent: transaction {h}");
                }
                if let Some(why) = &a.blocked {
                    let _ = writeln!(s, "    NOT SENT: {why}");
                }
            }
        }
        s
    }
}

fn write_programs(s: &mut String, programs: &[ProgramCheck]) {
    if programs.is_empty() {
        let _ = writeln!(s, "\nprograms: no Stylus program among the contracts");
        return;
    }
    let _ = writeln!(s, "\nprograms:");
    for p in programs {
        let state = match &p.status {
            Status::Active { time_left, age } => format!(
                "active, {time_left} s left ({:.1} days), {age} s old",
                *time_left as f64 / 86_400.0
            ),
            Status::Expired { age } => format!("EXPIRED, {age} s old"),
            Status::NeedsUpgrade {
                version,
                stylus_version,
            } => format!("NEEDS UPGRADE from version {version} to {stylus_version}"),
            Status::NotActivated => "NOT ACTIVATED".to_owned(),
            Status::Unknown { error } => format!("unknown: {error}"),
        };
        let _ = writeln!(s, "  {} (code hash {}): {state}", p.address, p.codehash);
        let what = match p.plan {
            Plan::Nothing | Plan::Unknown => None,
            Plan::Keepalive => Some("keepalive (codehashKeepalive)"),
            Plan::Activate => Some("reactivation (activateProgram)"),
            Plan::TooSoon => Some("keepalive, not allowed yet"),
        };
        if let Some(what) = what {
            let fee = match (p.data_fee, p.value) {
                (Some(f), Some(v)) => format!(", data fee {f} wei, sending {v} wei"),
                (Some(f), None) => format!(", data fee {f} wei"),
                _ => String::new(),
            };
            let _ = writeln!(s, "    needs {what}{fee}");
        }
        if let Some(h) = p.sent {
            let status = match p.confirmed {
                Some(true) => "succeeded",
                Some(false) => "FAILED",
                None => "not mined yet",
            };
            let _ = writeln!(s, "    sent: transaction {h} ({status})");
        }
        if let Some(n) = &p.note {
            let _ = writeln!(s, "    note: {n}");
        }
        if !p.usable {
            let _ = writeln!(s, "    calls into it fail");
        }
    }
}

fn list(v: &[U256]) -> String {
    let items: Vec<String> = v.iter().map(U256::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn write_operation(s: &mut String, op: &Operation, indent: &str) {
    let version = op.version.map(|v| format!(" v{v}")).unwrap_or_default();
    let at = op.at.map(|t| format!(" at {t}")).unwrap_or_default();
    let what = match op.decision {
        Decision::Accepts => "accepts".to_owned(),
        Decision::NoChange => "accepts, changes nothing".to_owned(),
        Decision::Rejects => format!(
            "REVERTS {}() ({})",
            op.revert.unwrap_or("?"),
            op.reason.as_deref().unwrap_or("")
        ),
        Decision::Unavailable => format!("cannot be built: {}", op.reason.as_deref().unwrap_or("")),
    };
    let _ = writeln!(s, "{indent}{}{version}:{at} {what}", op.operation);
    if let Some(d) = op.deadline {
        let _ = writeln!(s, "{indent}  deadline {d}");
    }
    for e in &op.effects {
        match e {
            Effect::ChannelUpdate {
                contract,
                channel_id,
                version,
                phase,
                timeout,
            } => {
                let _ = writeln!(
                    s,
                    "{indent}  {contract:?} ChannelUpdate {channel_id} version {version} {} \
                     timeout {timeout}",
                    crate::chain::phase_name(*phase)
                );
            }
            Effect::OutcomeSet {
                holder, balances, ..
            } => {
                let _ = writeln!(s, "{indent}  setOutcome at {holder}: {}", list(balances));
            }
            Effect::Withdrawn {
                holder,
                amount,
                receiver,
                ..
            } => {
                let _ = writeln!(s, "{indent}  {holder} pays {amount} to {receiver}");
            }
        }
    }
    for n in &op.notes {
        let _ = writeln!(s, "{indent}  note: {n}");
    }
    if let Some(c) = &op.call {
        let to =
            c.to.map(|a| a.to_string())
                .unwrap_or_else(|| format!("{:?} (address not in the document)", c.target));
        let _ = writeln!(s, "{indent}  send {} to {to}: {}", c.function, c.data);
    }
}

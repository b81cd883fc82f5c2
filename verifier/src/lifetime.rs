//! Keeping alive the Stylus programs a watcher relies on.
//!
//! On Arbitrum a Stylus program expires 365 days (`ExpiryDays`) after its activation unless it
//! is kept alive, and needs activating again after an ArbOS upgrade raises the chain's Stylus
//! version. Every call into an expired, outdated or never-activated program fails, consuming its
//! gas (nitro 6dce8d13, arbos/programs/programs.go:213-216), while dispute timeouts run on: a
//! refutation sent to an expired Adjudicator is lost. Anyone may pay to keep a program alive
//! (`ArbWasm.codehashKeepalive(codehash)`, once it is `KeepaliveDays` = 31 days old) or to
//! activate it again (`ArbWasm.activateProgram(program)`); both are payable and charge a data
//! fee, refunding the excess to the caller (nitro 6dce8d13, precompiles/ArbWasm.go:36-101).
//!
//! Each poll, for every contract the document's calls reach that holds a Stylus program (code
//! starting `EF F0 00`), [`upkeep`] asks ArbWasm for `programTimeLeft(program)` and decides with
//! the pure [`plan`]:
//! - active with at least the margin left: nothing;
//! - active with less than the margin left and at least `keepaliveDays` old: `codehashKeepalive`;
//!   younger: nothing can be done yet (reported as `tooSoon`);
//! - `ProgramExpired`, `ProgramNeedsUpgrade` or `ProgramNotActivated` (`programTimeLeft`
//!   reverts with them, nitro 6dce8d13, arbos/programs/programs.go:537-557, 676-687):
//!   `activateProgram`, before any refutation.
//!
//! The fee is discovered without a view for it: an `eth_call` of the same call with value 0
//! reverts with `ProgramInsufficientValue(have, want)` once every other check passes (nitro
//! 6dce8d13, precompiles/ArbWasm.go:84-89). The watcher sends `want` plus a margin (the fee grows
//! with recent activations between the call and the transaction; the excess is refunded), at
//! most a configurable cap, and waits for the receipt before it relies on the program.

use crate::error::Result;
use crate::node::{CallResult, Node};
use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolInterface, SolValue};
use perun_channel::native::Signer;
use serde::Serialize;
use std::collections::HashMap;
use std::time::Duration;

/// The ArbWasm precompile.
pub const ARBWASM: Address = address!("0000000000000000000000000000000000000071");

/// The first bytes of deployed Stylus code.
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];

/// Seconds per day.
pub const DAY: u64 = 86_400;

/// The part of ArbWasm's interface the watcher uses (nitro-precompile-interfaces 1012d9dd,
/// `ArbWasm.sol`).
#[allow(missing_docs)]
pub mod abi {
    alloy_sol_types::sol! {
        /// ArbWasm at `0x71`.
        #[sol(all_derives)]
        interface ArbWasm {
            function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
            function codehashKeepalive(bytes32 codehash) external payable;
            function programTimeLeft(address program) external view returns (uint64 _secs);
            function expiryDays() external view returns (uint16 _days);
            function keepaliveDays() external view returns (uint16 _days);

            error ProgramNotWasm();
            error ProgramNotActivated();
            error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
            error ProgramExpired(uint64 ageInSeconds);
            error ProgramUpToDate();
            error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
            error ProgramInsufficientValue(uint256 have, uint256 want);
        }
    }
}

use abi::ArbWasm::ArbWasmErrors;

/// Whether `code` is a Stylus program.
pub fn is_stylus(code: &[u8]) -> bool {
    code.starts_with(&STYLUS_PREFIX)
}

/// How the watcher keeps programs alive.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Keep a program alive once it has less than this many seconds left. The watcher raises
    /// it to twice the longest challenge duration of the document's channels ([`margin`]).
    pub margin: u64,
    /// Percent added to the fee the chain asks for, against its growth before the transaction
    /// is mined; the excess is refunded.
    pub fee_margin_percent: u64,
    /// The most wei to send with one keepalive or activation; `None`: no cap.
    pub max_fee: Option<U256>,
    /// Whether to send keepalives and activations (with a key); otherwise only report.
    pub act: bool,
    /// How many times to ask for the receipt of a keepalive or activation before moving on.
    pub confirm_polls: u32,
    /// How long to wait between those requests.
    pub confirm_interval: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            margin: 7 * DAY,
            fee_margin_percent: 10,
            max_fee: None,
            act: true,
            confirm_polls: 60,
            confirm_interval: Duration::from_secs(1),
        }
    }
}

/// A program's state as ArbWasm reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(
    tag = "status",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum Status {
    /// Calls run; it expires in `time_left` seconds. `age` is the seconds since its activation
    /// hour (the expiry less the time left).
    Active {
        /// Seconds until it expires.
        time_left: u64,
        /// Its age in seconds.
        age: u64,
    },
    /// Older than the expiry: every call fails.
    Expired {
        /// Its age in seconds.
        age: u64,
    },
    /// Activated under an older Stylus version: every call fails.
    NeedsUpgrade {
        /// The version it was activated under.
        version: u16,
        /// The chain's version.
        stylus_version: u16,
    },
    /// Deployed but never activated: every call fails.
    NotActivated,
    /// ArbWasm gave no usable answer (not an Arbitrum chain, or an unexpected error).
    Unknown {
        /// What it answered.
        error: String,
    },
}

impl Status {
    /// Whether calls into the program run.
    pub fn usable(&self) -> bool {
        matches!(self, Status::Active { .. })
    }
}

/// What to do about a program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Plan {
    /// Nothing: it has enough time left.
    Nothing,
    /// Keep it alive (`codehashKeepalive`).
    Keepalive,
    /// Activate it again (`activateProgram`).
    Activate,
    /// It needs a keepalive but is younger than `keepaliveDays`: nothing can be done yet.
    TooSoon,
    /// Its state is unknown: nothing to do but report.
    Unknown,
}

/// The margin a poll uses: the configured one, raised to twice the longest challenge duration
/// (so a dispute opened now can run its course, and be refuted, before the programs expire).
pub fn margin(configured: u64, challenge_durations: &[U256]) -> u64 {
    let longest = challenge_durations
        .iter()
        .map(|d| d.saturating_to::<u64>())
        .max()
        .unwrap_or(0);
    configured.max(longest.saturating_mul(2))
}

/// What to do about a program in `status`, with `margin` seconds of time left wanted and
/// keepalives allowed from an age of `keepalive` seconds (nitro's rule: not before, a strict
/// `<`, nitro 6dce8d13, arbos/programs/programs.go:581-601).
pub fn plan(status: &Status, margin: u64, keepalive: u64) -> Plan {
    match *status {
        Status::Active { time_left, .. } if time_left >= margin => Plan::Nothing,
        Status::Active { age, .. } if age >= keepalive => Plan::Keepalive,
        Status::Active { .. } => Plan::TooSoon,
        Status::Expired { .. } | Status::NeedsUpgrade { .. } | Status::NotActivated => {
            Plan::Activate
        }
        Status::Unknown { .. } => Plan::Unknown,
    }
}

/// The value to send for a fee of `want` wei: `want` plus the policy's margin, at most the cap;
/// `None` if `want` itself exceeds the cap.
pub fn value_to_send(want: U256, policy: &Policy) -> Option<U256> {
    let extra = want
        .saturating_mul(U256::from(policy.fee_margin_percent))
        .div_ceil(U256::from(100));
    let value = want.saturating_add(extra);
    match policy.max_fee {
        Some(cap) if want > cap => None,
        Some(cap) => Some(value.min(cap)),
        None => Some(value),
    }
}

/// An ArbWasm error as nitro prints it (`ProgramExpired(31539600)`).
pub fn error_text(e: &ArbWasmErrors) -> String {
    match e {
        ArbWasmErrors::ProgramNotWasm(_) => "ProgramNotWasm()".into(),
        ArbWasmErrors::ProgramNotActivated(_) => "ProgramNotActivated()".into(),
        ArbWasmErrors::ProgramNeedsUpgrade(x) => {
            format!("ProgramNeedsUpgrade({}, {})", x.version, x.stylusVersion)
        }
        ArbWasmErrors::ProgramExpired(x) => format!("ProgramExpired({})", x.ageInSeconds),
        ArbWasmErrors::ProgramUpToDate(_) => "ProgramUpToDate()".into(),
        ArbWasmErrors::ProgramKeepaliveTooSoon(x) => {
            format!("ProgramKeepaliveTooSoon({})", x.ageInSeconds)
        }
        ArbWasmErrors::ProgramInsufficientValue(x) => {
            format!("ProgramInsufficientValue({}, {})", x.have, x.want)
        }
    }
}

/// A call's outcome in words, for reports.
fn describe(r: &CallResult) -> String {
    match r {
        CallResult::Return(d) => format!("returned {d}"),
        CallResult::Revert(d) => match ArbWasmErrors::abi_decode(d) {
            Ok(e) => format!("reverted with {}", error_text(&e)),
            Err(_) if d.is_empty() => "reverted without data".into(),
            Err(_) => format!("reverted with {d}"),
        },
        CallResult::Failed(m) => format!("failed: {m}"),
    }
}

/// The status `programTimeLeft(program)` answered, with an expiry of `expiry` seconds.
pub fn status_of(r: &CallResult, expiry: u64) -> Status {
    use abi::ArbWasm::programTimeLeftCall;
    match r {
        CallResult::Return(d) => match programTimeLeftCall::abi_decode_returns(d) {
            Ok(left) => Status::Active {
                time_left: left,
                age: expiry.saturating_sub(left),
            },
            Err(_) => Status::Unknown {
                error: format!("programTimeLeft {}", describe(r)),
            },
        },
        CallResult::Revert(d) => match ArbWasmErrors::abi_decode(d) {
            Ok(ArbWasmErrors::ProgramExpired(e)) => Status::Expired {
                age: e.ageInSeconds,
            },
            Ok(ArbWasmErrors::ProgramNeedsUpgrade(e)) => Status::NeedsUpgrade {
                version: e.version,
                stylus_version: e.stylusVersion,
            },
            Ok(ArbWasmErrors::ProgramNotActivated(_)) => Status::NotActivated,
            _ => Status::Unknown {
                error: format!("programTimeLeft {}", describe(r)),
            },
        },
        CallResult::Failed(_) => Status::Unknown {
            error: format!("programTimeLeft {}", describe(r)),
        },
    }
}

/// The data fee a zero-value `eth_call` of a keepalive or activation asks for: the `want` of
/// `ProgramInsufficientValue`, or zero if the call succeeds without value.
///
/// # Errors
/// What the call did otherwise (`ProgramKeepaliveTooSoon`, `ProgramUpToDate`, ...), in words.
pub fn fee_of(r: &CallResult) -> Result<U256, String> {
    match r {
        CallResult::Return(_) => Ok(U256::ZERO),
        CallResult::Revert(d) => match ArbWasmErrors::abi_decode(d) {
            Ok(ArbWasmErrors::ProgramInsufficientValue(e)) => Ok(e.want),
            _ => Err(describe(r)),
        },
        CallResult::Failed(_) => Err(describe(r)),
    }
}

/// What the watcher found about one program and did about it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgramCheck {
    /// The program's address.
    pub address: Address,
    /// Its code hash (what a keepalive names).
    pub codehash: B256,
    /// Its state before the poll acted.
    #[serde(flatten)]
    pub status: Status,
    /// What it needed.
    pub plan: Plan,
    /// The data fee the chain asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_fee: Option<U256>,
    /// The value sent (or that would be sent) with the keepalive or activation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<U256>,
    /// The hash of the keepalive or activation sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<B256>,
    /// Whether that transaction succeeded; absent while it is not mined.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confirmed: Option<bool>,
    /// Whether calls into the program run after this poll.
    pub usable: bool,
    /// Why nothing was sent, or what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Keepalives and activations sent in earlier polls and not mined yet, by code hash: not sent
/// again while they are pending.
#[derive(Clone, Debug, Default)]
pub struct Pending(HashMap<B256, B256>);

/// The chain's expiry and keepalive ages in seconds.
fn ages<N: Node + ?Sized>(node: &N, from: Address) -> Result<Result<(u64, u64), String>> {
    use abi::ArbWasm::{expiryDaysCall, keepaliveDaysCall};
    let mut days = [0u64; 2];
    let calls = [
        expiryDaysCall {}.abi_encode(),
        keepaliveDaysCall {}.abi_encode(),
    ];
    for (slot, data) in days.iter_mut().zip(calls) {
        let r = node.call(from, ARBWASM, &data.into(), U256::ZERO)?;
        let CallResult::Return(d) = &r else {
            return Ok(Err(format!("ArbWasm {}", describe(&r))));
        };
        // Both return one uint16.
        match u16::abi_decode(d) {
            Ok(v) => *slot = u64::from(v) * DAY,
            Err(_) => return Ok(Err(format!("ArbWasm {}", describe(&r)))),
        }
    }
    Ok(Ok((days[0], days[1])))
}

/// Waits for the receipt of `tx`: its status, or `None` if it is not mined in time.
fn confirm<N: Node + ?Sized>(node: &N, tx: B256, policy: &Policy) -> Result<Option<bool>> {
    for k in 0..policy.confirm_polls.max(1) {
        if let Some(ok) = node.receipt(tx)? {
            return Ok(Some(ok));
        }
        if k + 1 < policy.confirm_polls {
            std::thread::sleep(policy.confirm_interval);
        }
    }
    Ok(None)
}

/// Checks every Stylus program among `addresses` and keeps it usable: a keepalive when less
/// than `margin` seconds are left, an activation when it is expired, outdated or not activated
/// (see the module docs). Sends only with a `signer` and [`Policy::act`]; EVM contracts and
/// empty accounts are skipped.
///
/// # Errors
/// The node cannot be asked, or refuses a transaction.
pub fn upkeep<N: Node + ?Sized>(
    node: &N,
    addresses: &[Address],
    signer: Option<&Signer>,
    policy: &Policy,
    margin: u64,
    pending: &mut Pending,
) -> Result<Vec<ProgramCheck>> {
    use abi::ArbWasm::{activateProgramCall, codehashKeepaliveCall, programTimeLeftCall};
    let from = signer.map(Signer::address).unwrap_or_default();
    let mut ages_read: Option<Result<(u64, u64), String>> = None;
    let mut out = Vec::new();
    for &address in addresses {
        let code = node.code(address)?;
        if !is_stylus(&code) {
            continue;
        }
        let codehash = keccak256(&code);
        let ages = match &ages_read {
            Some(a) => a.clone(),
            None => {
                let a = ages(node, from)?;
                ages_read = Some(a.clone());
                a
            }
        };
        let (status, plan) = match ages {
            Ok((expiry, keepalive)) => {
                let data: Bytes = programTimeLeftCall { program: address }.abi_encode().into();
                let status = status_of(&node.call(from, ARBWASM, &data, U256::ZERO)?, expiry);
                let p = plan(&status, margin, keepalive);
                (status, p)
            }
            Err(error) => (Status::Unknown { error }, Plan::Unknown),
        };
        let mut check = ProgramCheck {
            address,
            codehash,
            usable: status.usable(),
            status,
            plan,
            data_fee: None,
            value: None,
            sent: None,
            confirmed: None,
            note: None,
        };
        let data: Bytes = match plan {
            Plan::Keepalive => codehashKeepaliveCall { codehash }.abi_encode().into(),
            Plan::Activate => activateProgramCall { program: address }.abi_encode().into(),
            Plan::TooSoon => {
                check.note = Some("a keepalive is not allowed before keepaliveDays".into());
                out.push(check);
                continue;
            }
            Plan::Nothing | Plan::Unknown => {
                out.push(check);
                continue;
            }
        };
        if let Some(&tx) = pending.0.get(&codehash) {
            match node.receipt(tx)? {
                None => {
                    check.sent = Some(tx);
                    check.note = Some("the transaction sent earlier is not mined yet".into());
                    out.push(check);
                    continue;
                }
                Some(_) => {
                    pending.0.remove(&codehash);
                }
            }
        }
        let want = match fee_of(&node.call(from, ARBWASM, &data, U256::ZERO)?) {
            Ok(w) => w,
            Err(why) => {
                check.note = Some(format!("the fee could not be read: the call {why}"));
                out.push(check);
                continue;
            }
        };
        check.data_fee = Some(want);
        let Some(value) = value_to_send(want, policy) else {
            check.note = Some(format!(
                "the data fee of {want} wei exceeds the cap of {} wei",
                policy.max_fee.unwrap_or_default()
            ));
            out.push(check);
            continue;
        };
        check.value = Some(value);
        let Some(signer) = signer.filter(|_| policy.act) else {
            check.note = Some(if policy.act {
                "not sent: no key".into()
            } else {
                "not sent: upkeep is off".into()
            });
            out.push(check);
            continue;
        };
        let tx = node.send(signer, ARBWASM, &data, value)?;
        check.sent = Some(tx);
        check.confirmed = confirm(node, tx, policy)?;
        match check.confirmed {
            Some(true) => check.usable = true,
            Some(false) => check.note = Some("the transaction failed".into()),
            None => {
                pending.0.insert(codehash, tx);
                check.note = Some("the transaction is not mined yet".into());
            }
        }
        out.push(check);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use abi::ArbWasm::*;

    fn active(time_left: u64) -> Status {
        Status::Active {
            time_left,
            age: 365 * DAY - time_left,
        }
    }

    #[test]
    fn the_plan_follows_the_time_left_and_the_age() {
        let (m, k) = (7 * DAY, 31 * DAY);
        assert_eq!(plan(&active(8 * DAY), m, k), Plan::Nothing);
        assert_eq!(plan(&active(7 * DAY), m, k), Plan::Nothing);
        assert_eq!(plan(&active(7 * DAY - 1), m, k), Plan::Keepalive);
        assert_eq!(plan(&active(0), m, k), Plan::Keepalive);
        // A margin beyond expiry less keepalive: too soon while younger than 31 days.
        let big = 340 * DAY;
        assert_eq!(plan(&active(335 * DAY), big, k), Plan::TooSoon);
        assert_eq!(plan(&active(334 * DAY), big, k), Plan::Keepalive);
        assert_eq!(plan(&Status::Expired { age: 1 }, m, k), Plan::Activate);
        let up = Status::NeedsUpgrade {
            version: 1,
            stylus_version: 2,
        };
        assert_eq!(plan(&up, m, k), Plan::Activate);
        assert_eq!(plan(&Status::NotActivated, m, k), Plan::Activate);
        let unknown = Status::Unknown { error: "x".into() };
        assert_eq!(plan(&unknown, m, k), Plan::Unknown);
    }

    #[test]
    fn the_margin_is_at_least_twice_the_longest_challenge() {
        assert_eq!(margin(7 * DAY, &[]), 7 * DAY);
        assert_eq!(margin(7 * DAY, &[U256::from(60)]), 7 * DAY);
        assert_eq!(
            margin(7 * DAY, &[U256::from(5 * DAY), U256::from(60)]),
            10 * DAY
        );
        assert_eq!(margin(0, &[U256::MAX]), u64::MAX);
    }

    #[test]
    fn the_value_adds_the_margin_under_the_cap() {
        let p = Policy::default();
        assert_eq!(
            value_to_send(U256::from(1_000), &p),
            Some(U256::from(1_100))
        );
        assert_eq!(value_to_send(U256::from(1), &p), Some(U256::from(2)));
        assert_eq!(value_to_send(U256::ZERO, &p), Some(U256::ZERO));
        let capped = Policy {
            max_fee: Some(U256::from(1_050)),
            ..Policy::default()
        };
        assert_eq!(
            value_to_send(U256::from(1_000), &capped),
            Some(U256::from(1_050))
        );
        assert_eq!(value_to_send(U256::from(1_051), &capped), None);
    }

    #[test]
    fn statuses_and_fees_are_read_from_arbwasms_answers() {
        let ret = |v: u64| CallResult::Return(v.abi_encode().into());
        let rev = |e: ArbWasmErrors| CallResult::Revert(e.abi_encode().into());
        assert_eq!(
            status_of(&ret(100), 365 * DAY),
            Status::Active {
                time_left: 100,
                age: 365 * DAY - 100
            }
        );
        let e = ArbWasmErrors::ProgramExpired(ProgramExpired { ageInSeconds: 7 });
        assert_eq!(status_of(&rev(e), 1), Status::Expired { age: 7 });
        let e = ArbWasmErrors::ProgramNeedsUpgrade(ProgramNeedsUpgrade {
            version: 1,
            stylusVersion: 2,
        });
        assert_eq!(
            status_of(&rev(e), 1),
            Status::NeedsUpgrade {
                version: 1,
                stylus_version: 2
            }
        );
        let e = ArbWasmErrors::ProgramNotActivated(ProgramNotActivated {});
        assert_eq!(status_of(&rev(e), 1), Status::NotActivated);
        // Not an Arbitrum chain: 0x71 has no code and returns nothing.
        assert!(matches!(
            status_of(&CallResult::Return(Bytes::new()), 1),
            Status::Unknown { .. }
        ));
        assert!(matches!(
            status_of(&CallResult::Failed("boom".into()), 1),
            Status::Unknown { .. }
        ));

        let want = U256::from(123_456);
        let e = ArbWasmErrors::ProgramInsufficientValue(ProgramInsufficientValue {
            have: U256::ZERO,
            want,
        });
        assert_eq!(fee_of(&rev(e)), Ok(want));
        assert_eq!(fee_of(&CallResult::Return(Bytes::new())), Ok(U256::ZERO));
        let e = ArbWasmErrors::ProgramKeepaliveTooSoon(ProgramKeepaliveTooSoon { ageInSeconds: 9 });
        assert_eq!(
            fee_of(&rev(e)),
            Err("reverted with ProgramKeepaliveTooSoon(9)".into())
        );
    }

    #[test]
    fn a_check_serializes_its_status_inline() {
        let c = ProgramCheck {
            address: Address::repeat_byte(1),
            codehash: B256::repeat_byte(2),
            status: Status::Expired { age: 5 },
            plan: Plan::Activate,
            data_fee: Some(U256::from(10)),
            value: Some(U256::from(11)),
            sent: None,
            confirmed: None,
            usable: false,
            note: Some("not sent: no key".into()),
        };
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["status"], "expired");
        assert_eq!(v["age"], 5);
        assert_eq!(v["plan"], "activate");
        assert_eq!(v["usable"], false);
        assert!(v.get("sent").is_none());
        let v = serde_json::to_value(active(3)).unwrap();
        assert_eq!(v["status"], "active");
        assert_eq!(v["timeLeft"], 3);
    }
}

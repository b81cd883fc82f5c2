//! `perun-verify`: checks Perun channel documents, predicts the contracts' decisions, prints
//! calldata and watches the chain. Exit codes: 0 valid, 1 invalid, 2 bad input.

use alloy_primitives::U256;
use clap::{Parser, Subcommand, ValueEnum};
use perun_verifier::events::{self, History, Log};
use perun_verifier::lifetime::{self, Policy};
use perun_verifier::node::{RpcNode, SendOptions};
use perun_verifier::predict::{self, Context, Decision};
use perun_verifier::report::Report;
use perun_verifier::rpc::Rpc;
use perun_verifier::watch::{self, Action, Memory};
use perun_verifier::{schema, Error, Verification};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Verify Perun channel states, predict what the contracts decide, and build calldata.
#[derive(Parser)]
#[command(name = "perun-verify", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where chain events come from.
#[derive(clap::Args, Clone)]
struct Source {
    /// A JSON file of logs (address, topics, data, blockNumber, timestamp).
    #[arg(long, conflicts_with = "rpc_url")]
    events: Option<String>,
    /// A JSON-RPC endpoint to read logs from (eth_getLogs).
    #[arg(long)]
    rpc_url: Option<String>,
    /// The first block to read logs from (with --rpc-url).
    #[arg(long, default_value_t = 0)]
    from_block: u64,
    /// The block time to predict for (unix seconds); default: the latest event's or block's
    /// time, else the clock.
    #[arg(long)]
    now: Option<u64>,
}

#[derive(Subcommand)]
enum Command {
    /// Check a document: channel IDs, signatures, versions, transitions, locked funds, final
    /// states, virtual channels, withdrawals.
    Check {
        /// The document (SCHEMA.md).
        document: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Check, then predict register, progress, conclude, concludeFinal and withdraw.
    Predict {
        /// The document (SCHEMA.md).
        document: String,
        #[command(flatten)]
        source: Source,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print the calldata of one call, as predicted.
    Calldata {
        /// The document (SCHEMA.md).
        document: String,
        /// The call.
        op: Op,
        /// The channel, by name or ID (default: the document's only ledger channel).
        #[arg(long)]
        channel: Option<String>,
        /// For `withdraw`: the index of the withdrawal in the document.
        #[arg(long, default_value_t = 0)]
        withdrawal: usize,
        #[command(flatten)]
        source: Source,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Find registrations of older states and emit (or send) the refutation; with an endpoint,
    /// first keep the Stylus programs the calls reach alive (keepalive, reactivation).
    Watch {
        /// The document (SCHEMA.md) with the states the party holds.
        document: String,
        #[command(flatten)]
        source: Source,
        /// The private key to send refutations with (hex; needs --rpc-url).
        #[arg(long, requires = "rpc_url")]
        key: Option<String>,
        /// Send legacy (EIP-155) transactions instead of EIP-1559 ones.
        #[arg(long)]
        legacy: bool,
        /// Keep polling the endpoint.
        #[arg(long, requires = "rpc_url")]
        follow: bool,
        /// Seconds between polls.
        #[arg(long, default_value_t = 5)]
        interval: u64,
        /// Keep a Stylus program alive once it has less than this many days left (raised to
        /// twice the longest challenge duration of the document's channels).
        #[arg(long, default_value_t = 7)]
        keepalive_margin_days: u64,
        /// The most wei to send with one keepalive or activation (the excess of the value over
        /// the fee is refunded); default: no cap.
        #[arg(long)]
        max_data_fee: Option<U256>,
        /// Percent added to the data fee the chain asks for (it can grow before the
        /// transaction is mined; the excess is refunded).
        #[arg(long, default_value_t = 10)]
        data_fee_margin: u64,
        /// Report programs that need a keepalive or activation without sending either.
        #[arg(long)]
        no_upkeep: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Op {
    Register,
    Refute,
    Progress,
    Conclude,
    ConcludeFinal,
    Withdraw,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("perun-verify: {e}");
            ExitCode::from(if e.is_bad_input() { 2 } else { 3 })
        }
    }
}

fn load(file: &str) -> Result<Verification, Error> {
    perun_verifier::verify(&schema::load(file)?)
}

fn exit(valid: bool) -> ExitCode {
    ExitCode::from(if valid { 0 } else { 1 })
}

fn print(report: &Report, json: bool) {
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
}

/// The logs and the time.
fn history(v: &Verification, source: &Source) -> Result<(History, u64), Error> {
    let (logs, rpc_now): (Vec<Log>, Option<u64>) = match (&source.events, &source.rpc_url) {
        (Some(file), _) => (events::load_logs(file)?, None),
        (None, Some(url)) => {
            let rpc = Rpc::new(url);
            let head = rpc.block_number()?;
            let addresses: Vec<_> = v
                .doc
                .adjudicator
                .into_iter()
                .chain(v.doc.registry)
                .collect();
            let mut logs = rpc.get_logs(&addresses, source.from_block, head)?;
            // Holders' events come from the assets' holders.
            let holders = watch::holders(&v.doc);
            if !holders.is_empty() {
                logs.extend(rpc.get_logs(&holders, source.from_block, head)?);
            }
            (logs, Some(rpc.block_timestamp(head)?))
        }
        (None, None) => (Vec::new(), None),
    };
    let h = events::replay(&v.doc, &v.verdicts, &logs)?;
    let now = source
        .now
        .or(rpc_now)
        .or(h.last_timestamp)
        .unwrap_or_else(|| {
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
        });
    Ok((h, now))
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Check { document, json } => {
            let v = load(&document)?;
            let report = Report::new(&v);
            print(&report, json);
            Ok(exit(report.valid))
        }
        Command::Predict {
            document,
            source,
            json,
        } => {
            let v = load(&document)?;
            let (h, now) = history(&v, &source)?;
            let ctx = Context {
                doc: &v.doc,
                verdicts: &v.verdicts,
                history: &h,
                now,
            };
            let mut report = Report::new(&v);
            report.now = Some(now);
            report.predictions = predict::predict(&ctx);
            print(&report, json);
            Ok(exit(report.valid))
        }
        Command::Calldata {
            document,
            op,
            channel,
            withdrawal,
            source,
            json,
        } => {
            let v = load(&document)?;
            let (h, now) = history(&v, &source)?;
            let ctx = Context {
                doc: &v.doc,
                verdicts: &v.verdicts,
                history: &h,
                now,
            };
            let c = match (&channel, op) {
                (Some(name), _) => v.doc.resolve(name).ok_or_else(|| {
                    Error::Argument(format!("--channel {name:?} names no channel"))
                })?,
                (None, Op::Withdraw) => {
                    let w = v.doc.withdrawals.get(withdrawal).ok_or_else(|| {
                        Error::Argument(format!("the document has no withdrawal {withdrawal}"))
                    })?;
                    *v.doc.by_id.get(&w.auth.channelID).ok_or_else(|| {
                        Error::Argument(format!(
                            "withdrawal {withdrawal}'s channel is not in the document"
                        ))
                    })?
                }
                (None, _) => {
                    let ledgers: Vec<usize> = (0..v.doc.channels.len())
                        .filter(|&i| v.doc.channels[i].params.ledgerChannel)
                        .collect();
                    match ledgers.as_slice() {
                        [i] => *i,
                        _ => {
                            return Err(Error::Argument(format!(
                                "the document has {} ledger channels: name one with --channel",
                                ledgers.len()
                            )))
                        }
                    }
                }
            };
            let p = predict::predict_channel(&ctx, c);
            let wanted: &[&str] = match op {
                Op::Register | Op::Refute => &["register", "refute"],
                Op::Progress => &["progress"],
                Op::Conclude => &["conclude"],
                Op::ConcludeFinal => &["concludeFinal"],
                Op::Withdraw => &["withdraw"],
            };
            let mut ops = p
                .operations
                .iter()
                .filter(|o| wanted.contains(&o.operation));
            let found = if op == Op::Withdraw {
                let path = format!("$.withdrawals[{withdrawal}]");
                ops.find(|o| {
                    o.notes.iter().any(|n| n.starts_with(&path))
                        || o.reason.as_deref().is_some_and(|r| r.starts_with(&path))
                })
            } else {
                ops.next()
            };
            let Some(o) = found else {
                return Err(Error::Argument(format!(
                    "no such call for channel {}: {}",
                    p.channel,
                    match op {
                        Op::ConcludeFinal => "its latest fully signed state is not final",
                        Op::Progress => "it has no app",
                        _ => "nothing to send",
                    }
                )));
            };
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(o).unwrap_or_else(|e| e.to_string())
                );
            } else if let Some(call) = &o.call {
                if let Some(to) = call.to {
                    println!("to: {to}");
                }
                println!("{}", call.data);
                if o.decision == Decision::Rejects {
                    eprintln!(
                        "perun-verify: the contract would revert with {}(): {}",
                        o.revert.unwrap_or("?"),
                        o.reason.as_deref().unwrap_or("")
                    );
                }
            } else {
                eprintln!(
                    "perun-verify: {}: {}",
                    o.operation,
                    o.reason.as_deref().unwrap_or("cannot be built")
                );
            }
            Ok(exit(o.call.is_some() && o.decision != Decision::Rejects))
        }
        Command::Watch {
            document,
            source,
            key,
            legacy,
            follow,
            interval,
            keepalive_margin_days,
            max_data_fee,
            data_fee_margin,
            no_upkeep,
            json,
        } => {
            let v = load(&document)?;
            let signer = key.as_deref().map(watch::parse_key).transpose()?;
            let policy = Policy {
                margin: keepalive_margin_days.saturating_mul(lifetime::DAY),
                fee_margin_percent: data_fee_margin,
                max_fee: max_data_fee,
                act: !no_upkeep,
                ..Policy::default()
            };
            let mut memory = Memory::default();
            loop {
                let (h, now) = history(&v, &source)?;
                let ctx = Context {
                    doc: &v.doc,
                    verdicts: &v.verdicts,
                    history: &h,
                    now,
                };
                let (alarms, programs, ok) = match &source.rpc_url {
                    Some(url) => {
                        let rpc = Rpc::new(url);
                        let node = RpcNode {
                            rpc: &rpc,
                            opts: SendOptions { legacy },
                        };
                        let p = watch::poll(&node, &ctx, signer.as_ref(), &policy, &mut memory)?;
                        let ok = p.ok();
                        (p.alarms, Some(p.programs), ok)
                    }
                    None => {
                        let alarms = watch::scan(&ctx);
                        let ok = alarms.iter().all(|a| a.action == Action::Refute);
                        (alarms, None, ok)
                    }
                };
                let mut report = Report::new(&v);
                report.now = Some(now);
                report.programs = programs;
                report.alarms = Some(alarms);
                print(&report, json);
                if !follow {
                    return Ok(exit(ok));
                }
                std::thread::sleep(Duration::from_secs(interval.max(1)));
            }
        }
    }
}

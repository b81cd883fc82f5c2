//! `perun-verify`: checks Perun channel documents, predicts the contracts' decisions, prints
//! calldata and watches the chain. Exit codes: 0 valid, 1 invalid, 2 bad input.

use clap::{Parser, Subcommand, ValueEnum};
use perun_verifier::events::{self, History, Log};
use perun_verifier::predict::{self, Context, Decision};
use perun_verifier::report::Report;
use perun_verifier::rpc::Rpc;
use perun_verifier::watch::{self, Action, SendOptions};
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
    /// Find registrations of older states and emit (or send) the refutation.
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
            let holders = holders(v);
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

/// The holders of the document's assets on its chain.
fn holders(v: &Verification) -> Vec<alloy_primitives::Address> {
    let mut out = Vec::new();
    for c in &v.doc.channels {
        for h in &c.states {
            for a in &h.state().outcome.assets {
                if a.chainID == v.doc.chain_id
                    && !a.ethHolder.is_zero()
                    && !out.contains(&a.ethHolder)
                {
                    out.push(a.ethHolder);
                }
            }
        }
    }
    out
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
            json,
        } => {
            let v = load(&document)?;
            let signer = key.as_deref().map(watch::parse_key).transpose()?;
            let mut sent: Vec<(alloy_primitives::B256, u64)> = Vec::new();
            loop {
                let (h, now) = history(&v, &source)?;
                let ctx = Context {
                    doc: &v.doc,
                    verdicts: &v.verdicts,
                    history: &h,
                    now,
                };
                let mut alarms = watch::scan(&ctx);
                if let (Some(signer), Some(url)) = (&signer, &source.rpc_url) {
                    let rpc = Rpc::new(url);
                    for a in &mut alarms {
                        let key = (a.channel_id, a.registered_version);
                        if sent.contains(&key) {
                            continue;
                        }
                        if let Some(call) = a.call() {
                            let call = call.clone();
                            a.sent =
                                Some(watch::send(&rpc, signer, &call, SendOptions { legacy })?);
                            sent.push(key);
                        }
                    }
                }
                let ok = alarms.iter().all(|a| a.action == Action::Refute);
                let mut report = Report::new(&v);
                report.now = Some(now);
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

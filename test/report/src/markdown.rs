//! The report as Markdown: the gas table with ratios to v1, the curves, where Stylus gas goes,
//! and the conformance summary.

use crate::table::{Measurements, Row};
use perun_engine::profile::GasProfile;
use std::fmt::Write;

/// The conformance results the report ends with.
#[derive(Clone, Debug, Default)]
pub struct Conformance {
    /// Vectors checked and passed.
    pub vectors: (usize, usize),
    /// Fields checked and agreeing.
    pub fields: (usize, usize),
    /// Differential scenarios run (each on both implementations, step by step).
    pub scenarios: usize,
    /// Their steps.
    pub steps: usize,
    /// The seed of the scenario run.
    pub seed: String,
    /// Divergences found (described).
    pub divergences: Vec<String>,
    /// Adversarial scenarios run, judged by the safety oracle.
    pub adversarial: usize,
    /// Their transactions.
    pub adversarial_steps: usize,
    /// The seed of the adversarial run.
    pub adversarial_seed: String,
    /// Unsafe or failed adversarial scenarios (described).
    pub unsafe_scenarios: Vec<String>,
}

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn ratio(x: u64, base: Option<u64>) -> String {
    match base {
        Some(b) if b > 0 => format!("{:.2}", x as f64 / b as f64),
        _ => "".into(),
    }
}

fn row(r: &Row) -> String {
    format!(
        "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        r.operation,
        r.v1.map(thousands).unwrap_or_default(),
        r.prototype.clone().unwrap_or_default(),
        r.nitro.clone().unwrap_or_default(),
        thousands(r.gas.solidity),
        thousands(r.gas.stylus),
        thousands(r.gas.cached),
        ratio(r.gas.solidity, r.v1),
        ratio(r.gas.stylus, r.v1),
        ratio(r.gas.cached, r.v1),
    )
}

/// The gas table alone (for the README).
pub fn gas_table(m: &Measurements) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| operation | v1 | 2017 prototype | Nitro | Solidity (ours) | Stylus (ours) | Stylus, cached | Solidity / v1 | Stylus / v1 | cached / v1 |"
    );
    let _ = writeln!(s, "|---|---:|---|---|---:|---:|---:|---:|---:|---:|");
    for r in &m.rows {
        let _ = writeln!(s, "{}", row(r));
    }
    s
}

fn profile_line(op: &str, total: u64, p: &GasProfile) -> String {
    format!(
        "| {op} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        p.depth,
        thousands(total),
        thousands(p.entry),
        thousands(p.execution),
        thousands(p.host),
        thousands(p.storage),
        thousands(p.calls),
        thousands(p.logs + p.memory + p.other),
        thousands(p.total),
    )
}

/// The whole report.
pub fn report(m: &Measurements, c: &Conformance) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Gas and conformance report\n");
    let _ = writeln!(
        s,
        "Whole-transaction gas (21,000 + calldata + execution, after refunds), each call its own \
         transaction, 2 participants and 1 asset unless named, challenge duration 60 s, \
         balances of 1 and 2 ether. Ours are measured by `script/report` in revm 43 (Cancun): \
         the Solidity mirrors from forge's build, the Stylus programs from their wasm, metered \
         with Arbitrum's default Stylus prices (`perun-engine`). \"Stylus\" assumes no program \
         is cached, so every call pays the init cost; \"cached\" assumes all are (after \
         `ArbWasmCache.cacheProgram`, or a program called earlier in the block under ArbOS 60). \
         Reference figures: `report/anchors/reference-gas.csv` (v1 = perun-eth-contracts \
         v1.0.0, solc 0.8.30, 200 runs; the 2017 prototype under Byzantium rules; Nitro = \
         go-nitro's contracts), each with what it measures.\n"
    );
    let _ = writeln!(s, "## Operations and flows\n");
    s.push_str(&gas_table(m));
    let _ = writeln!(s, "\n![gas curves](gas.svg)\n");
    let _ = writeln!(
        s,
        "## Register and conclude by participants (no sub-channels)\n"
    );
    let _ = writeln!(
        s,
        "| participants | register: Solidity | Stylus | cached | conclude: Solidity | Stylus | cached |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for (n, r, k) in &m.curves.participants {
        let _ = writeln!(
            s,
            "| {n} | {} | {} | {} | {} | {} | {} |",
            thousands(r.solidity),
            thousands(r.stylus),
            thousands(r.cached),
            thousands(k.solidity),
            thousands(k.stylus),
            thousands(k.cached)
        );
    }
    let _ = writeln!(
        s,
        "\n## Register and conclude by sub-channels (2 participants)\n"
    );
    let _ = writeln!(
        s,
        "| sub-channels | register: Solidity | Stylus | cached | conclude: Solidity | Stylus | cached |"
    );
    let _ = writeln!(s, "|---:|---:|---:|---:|---:|---:|---:|");
    for (n, r, k) in &m.curves.sub_channels {
        let _ = writeln!(
            s,
            "| {n} | {} | {} | {} | {} | {} | {} |",
            thousands(r.solidity),
            thousands(r.stylus),
            thousands(r.cached),
            thousands(k.solidity),
            thousands(k.stylus),
            thousands(k.cached)
        );
    }
    let _ = writeln!(s, "\n## Where the Stylus programs' gas goes\n");
    let _ = writeln!(
        s,
        "Per program call (depth 0 is the called program; deeper rows are the programs it calls, \
         whose gas is also inside their caller's `calls`), uncached. Entry: memory pages and the \
         init cost; execution: wasm opcodes; host: the fixed ink of host calls (keccak, \
         calldata and return-data copies, account access); storage: SLOAD/SSTORE and the \
         cache's surcharges; calls: ecrecover and other calls, including the callee's gas.\n"
    );
    let _ = writeln!(
        s,
        "| operation | depth | tx gas | entry | execution | host | storage | calls | logs, memory, floor | program call |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for b in &m.breakdowns {
        for p in b.profiles.iter().rev() {
            let _ = writeln!(s, "{}", profile_line(&b.operation, b.gas.stylus, p));
        }
    }
    let _ = writeln!(s, "\n## Conformance\n");
    let _ = writeln!(
        s,
        "- Wire format: {}/{} reference vectors pass, {}/{} fields agree (`perun-conformance`).",
        c.vectors.0,
        c.vectors.1,
        thousands(c.fields.0 as u64),
        thousands(c.fields.1 as u64)
    );
    let _ = writeln!(
        s,
        "- Differential: {} random scenarios ({} transactions) run on both implementations with \
         every result compared (seed {}); {} divergences.",
        thousands(c.scenarios as u64),
        thousands(c.steps as u64),
        if c.seed.is_empty() { "-" } else { &c.seed },
        c.divergences.len()
    );
    for d in &c.divergences {
        let _ = writeln!(s, "  - {d}");
    }
    let _ = writeln!(
        s,
        "- Adversarial: {} random scenarios ({} transactions) in which a random subset of the \
         parties colludes against honest watchers, on both implementations, each judged by the \
         safety oracle (SPEC section 10; seed {}); {} unsafe.",
        thousands(c.adversarial as u64),
        thousands(c.adversarial_steps as u64),
        if c.adversarial_seed.is_empty() {
            "-"
        } else {
            &c.adversarial_seed
        },
        c.unsafe_scenarios.len()
    );
    for u in &c.unsafe_scenarios {
        let _ = writeln!(s, "  - {u}");
    }
    let _ = writeln!(
        s,
        "- Every flow above ran on the Solidity mirrors and the uncached Stylus programs with \
         identical status, return data and logs compared transaction by transaction, and on \
         the cached Stylus programs with the same."
    );
    s
}

//! The gas table of a run: every transaction of the chain, what it was, who sent it, and the
//! gas its receipt reports (`gasUsed`: intrinsic gas, calldata and execution, after refunds).

use crate::error::Result;
use crate::node::{Node, Transaction};
use alloy_primitives::Address;
use std::fmt::Write as _;
use std::io::Write as _;

/// One transaction of the table.
#[derive(Clone, Debug)]
pub struct GasRow {
    /// The block it is in.
    pub block: u64,
    /// What it was.
    pub label: String,
    /// Who sent it.
    pub sender: String,
    /// `gasUsed` from its receipt.
    pub gas_used: u64,
}

/// A row per transaction of the chain, oldest first: labelled as the run sent it, or by
/// `unlabelled` for the ones others sent (forge, the watcher); senders named by `names`.
///
/// # Errors
/// What reading the chain fails with.
pub fn rows(
    node: &Node,
    names: &[(Address, &str)],
    unlabelled: impl Fn(&Transaction) -> String,
) -> Result<Vec<GasRow>> {
    let name_of = |a: Address| {
        names
            .iter()
            .find(|(x, _)| *x == a)
            .map_or_else(|| a.to_string(), |(_, n)| (*n).to_owned())
    };
    Ok(node
        .transactions()?
        .iter()
        .map(|t| GasRow {
            block: t.receipt.block,
            label: node.label(&t.receipt.hash).unwrap_or_else(|| unlabelled(t)),
            sender: name_of(t.receipt.from),
            gas_used: t.receipt.gas_used,
        })
        .collect())
}

/// The rows as a Markdown table under `title`, with their total.
pub fn table(title: &str, rows: &[GasRow]) -> String {
    let mut out =
        format!("\n{title}\n\n| block | transaction | sender | gasUsed |\n|---:|---|---|---:|\n");
    for r in rows {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            r.block,
            r.label,
            r.sender,
            thousands(r.gas_used)
        );
    }
    let total: u64 = rows.iter().map(|r| r.gas_used).sum();
    let _ = writeln!(out, "| | total | | {} |", thousands(total));
    out
}

/// Prints `text` on the process's standard output itself: the test harness captures `print!`
/// of passing tests, not writes to the handle, so the table shows in every run.
pub fn show(text: &str) {
    let mut stdout = std::io::stdout().lock();
    // A closed standard output is no reason to fail the run.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_separated_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(45_636), "45,636");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }
}

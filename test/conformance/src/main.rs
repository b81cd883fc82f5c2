//! `perun-conformance`: prints the wire-format conformance report against the v1 vectors.
//!
//! Usage: `perun-conformance [--vectors <path>]`. Exits with 1 if any field differs, 2 if the
//! vector file cannot be used.

use perun_conformance::{check, default_vectors_path, vectors};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut path = default_vectors_path();
    while let Some(arg) = args.next() {
        match (arg.as_str(), args.next()) {
            ("--vectors", Some(p)) => path = p.into(),
            _ => {
                eprintln!("usage: perun-conformance [--vectors <path>]");
                return ExitCode::from(2);
            }
        }
    }
    let file = match vectors::load(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("perun-conformance: {}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    println!(
        "Wire-format conformance: {} ({})",
        file.source, file.compiler
    );
    println!(
        "vectors: {} ({} cases, set \"{}\")",
        path.display(),
        file.count,
        file.set
    );
    let (mut passed, mut fields, mut failed_fields) = (0, 0, 0);
    for v in &file.vectors {
        let report = match check::check_vector(v) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("perun-conformance: {}: {e}", v.id);
                return ExitCode::from(2);
            }
        };
        fields += report.checks.len();
        let failures: Vec<_> = report.failures().collect();
        failed_fields += failures.len();
        if failures.is_empty() {
            passed += 1;
            println!(
                "  ok    {}  {:>3} fields  {}",
                report.id,
                report.checks.len(),
                short(&report.description)
            );
        } else {
            println!(
                "  FAIL  {}  {}/{} fields differ",
                report.id,
                failures.len(),
                report.checks.len()
            );
            for f in failures {
                println!(
                    "          {}: {}",
                    f.field,
                    f.mismatch.as_deref().unwrap_or_default()
                );
            }
        }
    }
    let total = file.vectors.len();
    println!(
        "summary: {passed}/{total} vectors pass, {}/{fields} fields agree{}",
        fields - failed_fields,
        if file.count == total {
            String::new()
        } else {
            format!(" (file says count {})", file.count)
        }
    );
    if passed == total && file.count == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The description up to its first `;`: the participant count.
fn short(description: &str) -> &str {
    description.split(';').next().unwrap_or(description)
}

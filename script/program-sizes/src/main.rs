//! `perun-sizes <package>...`: prints each Stylus program's wasm and deployed size from
//! `target/wasm32-unknown-unknown/release/` and exits 1 if one does not fit.

use perun_sizes::{sizes, MAX_DEPLOYED, MAX_WASM};
use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/wasm32-unknown-unknown/release");
    let mut ok = true;
    println!("| program | wasm (bytes) | deployed (bytes) | limit | fits |");
    println!("|---|---:|---:|---:|---|");
    for package in std::env::args().skip(1) {
        let file = dir.join(format!("{}.wasm", package.replace('-', "_")));
        let wasm = match std::fs::read(&file) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("perun-sizes: {}: {e}", file.display());
                return ExitCode::from(2);
            }
        };
        let s = sizes(&wasm);
        ok &= s.fits();
        println!(
            "| {package} | {} | {} | {MAX_DEPLOYED} (wasm {MAX_WASM}) | {} |",
            s.wasm,
            s.deployed,
            if s.fits() { "yes" } else { "NO" }
        );
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("perun-sizes: a program does not fit Arbitrum's limits");
        ExitCode::FAILURE
    }
}

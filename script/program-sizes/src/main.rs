//! `perun-sizes <package>...`: prints each Stylus program's wasm and deployed size from
//! the workspace's wasm32 release build and exits 1 if one does not fit.

use perun_sizes::{read_wasm, sizes, MAX_DEPLOYED, MAX_WASM};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut ok = true;
    println!("| program | wasm (bytes) | deployed (bytes) | limit | fits |");
    println!("|---|---:|---:|---:|---|");
    for package in std::env::args().skip(1) {
        let wasm = match read_wasm(&package) {
            Ok(w) => w,
            Err(e) => {
                eprintln!("perun-sizes: {e}");
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

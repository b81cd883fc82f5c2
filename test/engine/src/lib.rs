//! Runs Arbitrum Stylus programs inside revm.
//!
//! `perun-engine` adds a frame kind to revm 43's frame loop: a call to code that starts with
//! `EF F0 00` runs the program's wasm in a fresh wasmi instance of its cached, validated module,
//! with the 34 `vm_hooks` host functions of Stylus implemented over revm's journal. EVM contracts
//! and Stylus programs call each other through one journal, so a revert at any depth rolls back
//! exactly what the EVM would, static calls cannot write, and gas is bounded as the EVM bounds
//! it. [`Chain`] wraps it for tests: deploy, call, read state.
//!
//! - [`program`]: the deployed code format, decompression and validation;
//! - [`host`]: the host functions and what a suspended program asks for;
//! - [`frame`]: one running program call;
//! - [`evm`]: the EVM with both frame kinds;
//! - [`runtime`]: the shared engine, linker and program cache;
//! - [`pricing`]: ink and its price in gas;
//! - [`chain`]: a small test chain over an in-memory database.

pub mod chain;
pub mod evm;
pub mod frame;
pub mod host;
pub mod pricing;
pub mod program;
pub mod runtime;

pub use chain::{Chain, Outcome};
pub use evm::StylusEvm;
pub use program::{deployed_code, ProgramError};

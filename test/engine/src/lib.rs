//! Runs Arbitrum Stylus programs inside revm.
//!
//! `perun-engine` adds a frame kind to revm 43's frame loop: a call to code that starts with
//! `EF F0 00` runs the program's wasm in a fresh wasmi instance of its cached, validated module,
//! with the 34 `vm_hooks` host functions of Stylus implemented over revm's journal. EVM contracts
//! and Stylus programs call each other through one journal, so a revert at any depth rolls back
//! exactly what the EVM would and static calls cannot write. Programs are metered as Arbitrum
//! meters them: ink per basic block by instrumentation, host calls, storage, memory pages and
//! entry at Stylus's prices ([`pricing::StylusParams`], Arbitrum's defaults). [`Chain`] wraps it
//! for tests: deploy, call, read state.
//!
//! - [`program`]: the deployed code format, decompression and validation;
//! - [`arbwasm`]: program lifetimes (activation, expiry, keepalive, upgrades) and the ArbWasm
//!   precompile at `0x71`;
//! - [`instrument`]: the metering passes Stylus applies at activation;
//! - [`host`]: the host functions and what a suspended program asks for;
//! - [`frame`]: one running program call;
//! - [`evm`]: the EVM with both frame kinds;
//! - [`runtime`]: the shared engine, linker and program cache;
//! - [`pricing`]: the chain's Stylus parameters and every price;
//! - [`profile`]: where a program call's gas went;
//! - [`chain`]: a small test chain over an in-memory database.

pub mod arbwasm;
pub mod chain;
pub mod evm;
pub mod frame;
pub mod host;
pub mod instrument;
pub mod pricing;
pub mod profile;
pub mod program;
pub mod runtime;

pub use chain::{Chain, Outcome};
pub use evm::StylusEvm;
pub use program::{deployed_code, ProgramError};

//! Stylus programs: the deployed code format, decompression and validation, done once per code
//! hash before a program first runs.
//!
//! Deployed code is `EF F0 00`, a dictionary byte (0: none), then the brotli-compressed wasm. A
//! valid program imports only the `vm_hooks` host functions, each with its exact signature;
//! exports `user_entrypoint(i32) -> i32` and `memory`; uses no floats, SIMD, atomics, reference
//! types or further tables; and asks for at most 128 pages of memory.

use crate::instrument::instrument;
use crate::pricing::{InitCosts, ModuleStats, StylusParams};
use std::fmt;
use std::io::Read;
use wasm_encoder::reencode::{Reencode, RoundtripReencoder};
use wasmi::ValType;
use wasmi::{Engine, Module};
use wasmparser::{Parser, Validator, WasmFeatures};

/// The first bytes of every deployed Stylus program.
pub const STYLUS_PREFIX: [u8; 3] = [0xEF, 0xF0, 0x00];

/// The most bytes a program's wasm may have once decompressed.
pub const MAX_WASM_SIZE: usize = perun_sizes::MAX_WASM;

/// The most 64 KiB pages a program's memory may have.
pub const MAX_PAGES: u32 = 128;

/// Why code is not a valid Stylus program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProgramError {
    /// The code does not start with `EF F0 00`.
    NotStylus,
    /// The dictionary byte names a dictionary the engine does not have.
    UnknownDictionary(u8),
    /// The brotli stream is corrupt or decompresses past 128 KiB.
    Decompression(String),
    /// The payload is not binary wasm (wrong magic).
    NotWasm,
    /// wasmi rejected the module: malformed, or a disabled feature (floats, SIMD, atomics, ...).
    Invalid(String),
    /// An import from a module other than `vm_hooks`.
    ForeignImport {
        /// The import's module.
        module: String,
        /// The import's name.
        name: String,
    },
    /// An import of `vm_hooks` that is no host function of Stylus.
    UnknownHostio(String),
    /// A host function imported with the wrong signature.
    HostioSignature(String),
    /// An import that is not a function (a memory, table or global).
    NonFunctionImport(String),
    /// `user_entrypoint` is missing or not `(i32) -> i32`.
    NoEntrypoint,
    /// The `memory` export is missing.
    NoMemory,
    /// The memory's initial size exceeds 128 pages.
    MemoryTooLarge(u64),
}

impl fmt::Display for ProgramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProgramError::NotStylus => f.write_str("code does not start with EF F0 00"),
            ProgramError::UnknownDictionary(d) => write!(f, "unknown compression dictionary {d}"),
            ProgramError::Decompression(e) => write!(f, "brotli decompression failed: {e}"),
            ProgramError::NotWasm => f.write_str("payload is not binary wasm"),
            ProgramError::Invalid(e) => write!(f, "invalid wasm: {e}"),
            ProgramError::ForeignImport { module, name } => {
                write!(f, "import {module}::{name} is not from vm_hooks")
            }
            ProgramError::UnknownHostio(n) => {
                write!(f, "vm_hooks::{n} is not a Stylus host function")
            }
            ProgramError::HostioSignature(n) => write!(f, "vm_hooks::{n} has the wrong signature"),
            ProgramError::NonFunctionImport(n) => write!(f, "import {n} is not a function"),
            ProgramError::NoEntrypoint => f.write_str("no export user_entrypoint(i32) -> i32"),
            ProgramError::NoMemory => f.write_str("no memory export"),
            ProgramError::MemoryTooLarge(p) => write!(f, "memory of {p} pages exceeds 128"),
        }
    }
}

impl std::error::Error for ProgramError {}

use ValType::{I32, I64};

/// The 34 host functions of Stylus (stylus-sdk 0.10 `hostio.rs`), with their wasm signatures.
pub const HOSTIOS: [(&str, &[ValType], &[ValType]); 34] = [
    ("account_balance", &[I32, I32], &[]),
    ("account_code", &[I32, I32, I32, I32], &[I32]),
    ("account_code_size", &[I32], &[I32]),
    ("account_codehash", &[I32, I32], &[]),
    ("storage_load_bytes32", &[I32, I32], &[]),
    ("storage_cache_bytes32", &[I32, I32], &[]),
    ("storage_flush_cache", &[I32], &[]),
    ("block_basefee", &[I32], &[]),
    ("chainid", &[], &[I64]),
    ("block_coinbase", &[I32], &[]),
    ("block_gas_limit", &[], &[I64]),
    ("block_number", &[], &[I64]),
    ("block_timestamp", &[], &[I64]),
    ("call_contract", &[I32, I32, I32, I32, I64, I32], &[I32]),
    ("contract_address", &[I32], &[]),
    ("create1", &[I32, I32, I32, I32, I32], &[]),
    ("create2", &[I32, I32, I32, I32, I32, I32], &[]),
    ("delegate_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    ("emit_log", &[I32, I32, I32], &[]),
    ("evm_gas_left", &[], &[I64]),
    ("evm_ink_left", &[], &[I64]),
    ("pay_for_memory_grow", &[I32], &[]),
    ("msg_reentrant", &[], &[I32]),
    ("msg_sender", &[I32], &[]),
    ("msg_value", &[I32], &[]),
    ("native_keccak256", &[I32, I32, I32], &[]),
    ("read_args", &[I32], &[]),
    ("read_return_data", &[I32, I32, I32], &[I32]),
    ("write_result", &[I32, I32], &[]),
    ("return_data_size", &[], &[I32]),
    ("static_call_contract", &[I32, I32, I32, I64, I32], &[I32]),
    ("tx_gas_price", &[I32], &[]),
    ("tx_ink_price", &[], &[I32]),
    ("tx_origin", &[I32], &[]),
];

/// Whether `code` is deployed Stylus code.
pub fn is_stylus(code: &[u8]) -> bool {
    code.starts_with(&STYLUS_PREFIX)
}

/// The wasm of deployed Stylus code.
///
/// # Errors
/// [`ProgramError::NotStylus`], [`ProgramError::UnknownDictionary`] or
/// [`ProgramError::Decompression`].
pub fn decompress(code: &[u8]) -> Result<Vec<u8>, ProgramError> {
    let body = code
        .strip_prefix(&STYLUS_PREFIX[..])
        .ok_or(ProgramError::NotStylus)?;
    let (&dict, payload) = body.split_first().ok_or(ProgramError::NotStylus)?;
    if dict != 0 {
        return Err(ProgramError::UnknownDictionary(dict));
    }
    let mut out = Vec::new();
    brotli::Decompressor::new(payload, 4096)
        .take(MAX_WASM_SIZE as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| ProgramError::Decompression(e.to_string()))?;
    if out.len() > MAX_WASM_SIZE {
        return Err(ProgramError::Decompression(format!(
            "more than {MAX_WASM_SIZE} bytes"
        )));
    }
    Ok(out)
}

pub use perun_sizes::deployed_code;

/// A validated, instrumented and compiled program.
#[derive(Clone, Debug)]
pub struct Program {
    /// The compiled module (cheap to clone; instantiate once per call).
    pub module: Module,
    /// The memory's initial pages, paid for at every call.
    pub footprint: u32,
    /// The init-cost estimates Stylus stores at activation.
    pub init_costs: InitCosts,
    /// What the estimates were computed from.
    pub stats: ModuleStats,
}

/// The wasm features Stylus activates programs with: the MVP plus mutable globals, sign
/// extension, multi-value and bulk memory; no floats, SIMD, threads, reference types, tail
/// calls, multiple memories, exceptions, 64-bit memory or extended constants.
pub fn stylus_features() -> WasmFeatures {
    WasmFeatures::MUTABLE_GLOBAL
        | WasmFeatures::SIGN_EXTENSION
        | WasmFeatures::MULTI_VALUE
        | WasmFeatures::BULK_MEMORY
}

/// Re-encodes a wasm in canonical form. Since Rust 1.82, LLVM writes the table index of
/// `call_indirect` as a 5-byte LEB128, an encoding only reference types allow; Stylus accepts
/// it (the index must still be 0), so the engine parses leniently, writes the one-byte form,
/// and validates the result strictly.
fn canonical(wasm: &[u8]) -> Result<Vec<u8>, ProgramError> {
    let mut module = wasm_encoder::Module::new();
    RoundtripReencoder
        .parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| ProgramError::Invalid(e.to_string()))?;
    Ok(module.finish())
}

/// Validates a wasm as Stylus activation does, instruments it for ink metering (see
/// [`crate::instrument`]) and compiles it.
///
/// # Errors
/// The first rule the wasm breaks (see [`ProgramError`]).
pub fn compile(
    engine: &Engine,
    wasm: &[u8],
    params: &StylusParams,
) -> Result<Program, ProgramError> {
    if !wasm.starts_with(b"\0asm") {
        return Err(ProgramError::NotWasm);
    }
    let canonical = canonical(wasm)?;
    Validator::new_with_features(stylus_features())
        .validate_all(&canonical)
        .map_err(|e| ProgramError::Invalid(e.message().to_string()))?;
    let (metered, info) = instrument(&canonical, wasm.len(), params)?;
    let init_costs = info
        .stats
        .init_costs()
        .ok_or_else(|| ProgramError::Invalid("init cost estimates exceed 65,535 gas".into()))?;
    let module = Module::new(engine, &metered).map_err(|e| ProgramError::Invalid(e.to_string()))?;
    Ok(Program {
        module,
        footprint: info.footprint,
        init_costs,
        stats: info.stats,
    })
}

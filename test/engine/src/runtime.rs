//! The state the Stylus frames share: the wasmi engine and linker, the cache of validated and
//! compiled programs (one compilation per code hash), the reasons programs were rejected, and
//! the programs on the call stack (for `msg_reentrant`).

use crate::host::{linker, HostData};
use crate::program::{compile, decompress, Program, ProgramError};
use revm::primitives::{Address, B256};
use std::collections::HashMap;
use wasmi::{CompilationMode, Config, Engine, Linker};

/// Engine, linker and program cache. Shared by every Stylus frame of an EVM.
pub struct StylusRuntime {
    /// The wasmi engine.
    pub engine: Engine,
    /// The host functions.
    pub linker: Linker<HostData>,
    programs: HashMap<B256, Result<Program, ProgramError>>,
    active: Vec<Address>,
    compilations: usize,
    last_trap: Option<(Address, String)>,
}

impl Default for StylusRuntime {
    fn default() -> Self {
        Self::new()
    }
}

impl StylusRuntime {
    /// A runtime whose engine rejects what Stylus rejects at activation: floats, SIMD,
    /// atomics, reference types and further tables; compiling eagerly so metering does not
    /// depend on which functions ran before.
    pub fn new() -> Self {
        let mut config = Config::default();
        config
            .floats(false)
            .wasm_reference_types(false)
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .allow_start_fn(false)
            .consume_fuel(true)
            .compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&config);
        let linker = linker(&engine);
        StylusRuntime {
            engine,
            linker,
            programs: HashMap::new(),
            active: Vec::new(),
            compilations: 0,
            last_trap: None,
        }
    }

    /// The program of deployed code `code` with hash `hash`: decompressed, validated and
    /// compiled on first use, from the cache afterwards (also when it was rejected).
    ///
    /// # Errors
    /// Why the code is not a valid program.
    pub fn program(&mut self, hash: B256, code: &[u8]) -> Result<Program, ProgramError> {
        if let Some(p) = self.programs.get(&hash) {
            return p.clone();
        }
        self.compilations += 1;
        let p = decompress(code).and_then(|wasm| compile(&self.engine, &wasm));
        self.programs.insert(hash, p.clone());
        p
    }

    /// Why the program with code hash `hash` was rejected, if it was.
    pub fn error(&self, hash: &B256) -> Option<&ProgramError> {
        self.programs.get(hash).and_then(|p| p.as_ref().err())
    }

    /// How many programs were validated and compiled (each code hash once).
    pub fn compilations(&self) -> usize {
        self.compilations
    }

    /// The program that trapped last and why (an `unreachable`, an access out of bounds, a
    /// host call with bad arguments, ...): what a failed call with no revert data means.
    pub fn last_trap(&self) -> Option<&(Address, String)> {
        self.last_trap.as_ref()
    }

    /// Forgets the last trap (before a transaction).
    pub fn clear_trap(&mut self) {
        self.last_trap = None;
    }

    /// Records a trap of the program at `address`.
    pub fn trapped(&mut self, address: Address, reason: String) {
        self.last_trap = Some((address, reason));
    }

    /// Records that the program at `address` starts running; returns whether it was already
    /// on the call stack.
    pub fn enter(&mut self, address: Address) -> bool {
        let reentrant = self.active.contains(&address);
        self.active.push(address);
        reentrant
    }

    /// Records that the innermost program at `address` stopped.
    pub fn leave(&mut self, address: Address) {
        if let Some(i) = self.active.iter().rposition(|a| *a == address) {
            self.active.remove(i);
        }
    }
}

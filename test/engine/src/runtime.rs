//! The state the Stylus frames share: the chain's Stylus parameters, the wasmi engine and linker,
//! the cache of validated, instrumented and compiled programs (one compilation per code hash),
//! the reasons programs were rejected, and what Stylus tracks per transaction: the memory pages
//! open, the frames on the call stack (for `msg_reentrant`) and the programs called recently.

use crate::arbwasm::LifetimeParams;
use crate::host::{linker, HostData};
use crate::pricing::{CacheModel, Pages, StylusParams};
use crate::profile::GasProfile;
use crate::program::{compile, decompress, Program, ProgramError};
use revm::primitives::{Address, B256};
use std::collections::{HashMap, VecDeque};
use wasmi::{CompilationMode, Config, Engine, Linker};

/// Engine, linker, program cache and per-transaction state. One per EVM.
pub struct StylusRuntime {
    /// The wasmi engine.
    pub engine: Engine,
    /// The host functions.
    pub linker: Linker<HostData>,
    params: StylusParams,
    lifetime: LifetimeParams,
    programs: HashMap<B256, Result<Program, ProgramError>>,
    compilations: usize,
    last_trap: Option<(Address, String)>,
    /// The memory pages of this transaction.
    pub pages: Pages,
    /// The acting address of every frame on the call stack (`None` for delegate calls and
    /// creates, which do not count for reentrancy).
    frames: Vec<Option<Address>>,
    /// ArbOS 60's recently called programs, and the block they belong to.
    recent: (u64, VecDeque<B256>),
    /// Where the gas of each program call of the last transaction went, in the order the calls
    /// ended.
    profiles: Vec<GasProfile>,
}

impl Default for StylusRuntime {
    fn default() -> Self {
        Self::new(StylusParams::default())
    }
}

impl StylusRuntime {
    /// A runtime for a chain with `params`. The wasmi engine rejects what Stylus rejects
    /// (floats, SIMD, reference types, further memories and tables, start functions); metering
    /// is the instrumentation's, so wasmi's own fuel is off.
    pub fn new(params: StylusParams) -> Self {
        let mut config = Config::default();
        config
            .floats(false)
            .wasm_reference_types(false)
            .wasm_multi_memory(false)
            .wasm_tail_call(false)
            .wasm_extended_const(false)
            .allow_start_fn(false)
            .consume_fuel(false)
            .compilation_mode(CompilationMode::Eager);
        let engine = Engine::new(&config);
        let linker = linker(&engine);
        StylusRuntime {
            engine,
            linker,
            params,
            lifetime: LifetimeParams::default(),
            programs: HashMap::new(),
            compilations: 0,
            last_trap: None,
            pages: Pages::default(),
            frames: Vec::new(),
            recent: (u64::MAX, VecDeque::new()),
            profiles: Vec::new(),
        }
    }

    /// The chain's Stylus parameters.
    pub fn params(&self) -> &StylusParams {
        &self.params
    }

    /// Sets the parameters; programs are instrumented with them, so the cache is emptied.
    pub fn set_params(&mut self, params: StylusParams) {
        self.params = params;
        self.programs.clear();
    }

    /// The chain's rules for program lifetimes: versions, expiry, keepalive, data fees.
    pub fn lifetime(&self) -> &LifetimeParams {
        &self.lifetime
    }

    /// Sets the rules for program lifetimes (a new Stylus version, another expiry, ...). The
    /// compiled programs stay valid: only the activation records decide what may run.
    pub fn set_lifetime(&mut self, lifetime: LifetimeParams) {
        self.lifetime = lifetime;
    }

    /// The program of deployed code `code` with hash `hash`: decompressed, validated,
    /// instrumented and compiled on first use, from the cache afterwards (also when rejected).
    ///
    /// # Errors
    /// Why the code is not a valid program.
    pub fn program(&mut self, hash: B256, code: &[u8]) -> Result<Program, ProgramError> {
        if let Some(p) = self.programs.get(&hash) {
            return p.clone();
        }
        self.compilations += 1;
        let p = decompress(code).and_then(|wasm| compile(&self.engine, &wasm, &self.params));
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
    /// host call with bad arguments, running out of ink, ...): what a failed call with no
    /// revert data means.
    pub fn last_trap(&self) -> Option<&(Address, String)> {
        self.last_trap.as_ref()
    }

    /// Forgets the last trap.
    pub fn clear_trap(&mut self) {
        self.last_trap = None;
    }

    /// Records a trap of the program at `address`.
    pub fn trapped(&mut self, address: Address, reason: String) {
        self.last_trap = Some((address, reason));
    }

    /// Starts a transaction: no pages open, no frames.
    pub fn begin_transaction(&mut self) {
        self.pages = Pages::default();
        self.frames.clear();
        self.profiles.clear();
    }

    /// Records where a program call's gas went.
    pub fn record(&mut self, profile: GasProfile) {
        self.profiles.push(profile);
    }

    /// Where the gas of each program call of the last transaction went, innermost calls first.
    pub fn profiles(&self) -> &[GasProfile] {
        &self.profiles
    }

    /// A frame starts; `acting` is its address unless it is a delegate call or a create.
    pub fn push_frame(&mut self, acting: Option<Address>) {
        self.frames.push(acting);
    }

    /// The innermost frame ended.
    pub fn pop_frame(&mut self) {
        self.frames.pop();
    }

    /// Whether a program at `address` is re-entered: another frame acting for the same address
    /// (EVM or Stylus, not a delegate call) is open below the current one.
    pub fn reentrant(&self, address: Address) -> bool {
        self.frames.iter().filter(|a| **a == Some(address)).count() > 1
    }

    /// Whether the program with code hash `hash` counts as cached for a call in block `block`;
    /// records the call for [`CacheModel::RecentPerBlock`].
    pub fn cached(&mut self, hash: B256, block: u64) -> bool {
        match self.params.cache {
            CacheModel::Never => false,
            CacheModel::Always => true,
            CacheModel::RecentPerBlock { size } => {
                let (at, list) = &mut self.recent;
                if *at != block {
                    *at = block;
                    list.clear();
                }
                let hit = list.iter().position(|h| *h == hash);
                if let Some(i) = hit {
                    list.remove(i);
                }
                list.push_front(hash);
                list.truncate(size);
                hit.is_some()
            }
        }
    }
}

//! What Stylus execution costs: the chain parameters (with Arbitrum's defaults), the ink of each
//! wasm opcode, the prices of host calls, memory pages and program entry.
//!
//! Sources (OffchainLabs/nitro; prices are facts, the code here is ours): the opcode table
//! `pricing_v1` of `crates/prover/src/programs/meter.rs` (commit 03e9a013), the host-call
//! constants of `crates/arbutil/src/pricing.rs` (2e58bb9a) and their use in
//! `crates/wasm-libraries/user-host-trait/src/lib.rs` (1a766266), the storage cache of
//! `crates/arbutil/src/evm/storage.rs` (1ac11503), the memory model of `arbos/programs/memory.go`
//! (5c6c72f2), the entry cost of `arbos/programs/programs.go` (0019f5b6) and the defaults of
//! `arbos/programs/params.go` (015243bc). Every value is a parameter a chain owner can change, so
//! [`StylusParams`] holds them all.

use wasmparser::Operator;

/// How the engine decides whether a called program is cached (cheaper to enter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheModel {
    /// No program is cached: every call pays the full init cost.
    Never,
    /// Every program is cached (as after `ArbWasmCache.cacheProgram`).
    Always,
    /// ArbOS 60's per-block cache: a program called earlier in the same block, among the last
    /// `size` distinct ones, is cached.
    RecentPerBlock {
        /// How many code hashes the block remembers.
        size: usize,
    },
}

/// The Stylus parameters of a chain. [`StylusParams::default`] gives Arbitrum's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StylusParams {
    /// Ink per gas (`InkPrice`).
    pub ink_price: u64,
    /// The stack budget of each program call in words (`MaxStackDepth`).
    pub max_stack_depth: u32,
    /// Pages each transaction gets for free (`FreePages`).
    pub free_pages: u16,
    /// Gas per page beyond the free ones (`PageGas`).
    pub page_gas: u64,
    /// The minimum init gas in units of 128 gas (`MinInitGas`, 69 from Stylus v2).
    pub min_init_gas: u64,
    /// The minimum cached init gas in units of 32 gas (`MinCachedInitGas`).
    pub min_cached_init_gas: u64,
    /// The init-cost scalar in units of 2 % (`InitCostScalar`).
    pub init_cost_scalar: u64,
    /// The cached-init-cost scalar in units of 2 % (`CachedCostScalar`).
    pub cached_cost_scalar: u64,
    /// Ink charged at the start of every basic block.
    pub ink_header_cost: u64,
    /// Ink per byte of `memory.copy` and `memory.fill`.
    pub memory_byte_ink: u64,
    /// The largest frame a function may have, in words (activation fails above it).
    pub max_frame_size: u32,
    /// The largest operand stack a function may need, in words (activation fails above it).
    pub max_frame_contention: u32,
    /// Which programs count as cached.
    pub cache: CacheModel,
}

impl Default for StylusParams {
    fn default() -> Self {
        StylusParams {
            ink_price: 10_000,
            max_stack_depth: 4 * 65_536,
            free_pages: 2,
            page_gas: 1_000,
            min_init_gas: 69,
            min_cached_init_gas: 11,
            init_cost_scalar: 50,
            cached_cost_scalar: 50,
            ink_header_cost: 2_450,
            memory_byte_ink: 100,
            max_frame_size: 10 * 1024,
            max_frame_contention: 4_096,
            cache: CacheModel::Never,
        }
    }
}

/// Ink to enter the host (`HOSTIO_INK`).
pub const HOSTIO_INK: u64 = 8_400;
/// Ink per pointer argument (`PTR_INK`).
pub const PTR_INK: u64 = 13_440 - HOSTIO_INK;
/// Ink of a host call that reaches the EVM (`EVM_API_INK`).
pub const EVM_API_INK: u64 = 59_673;
/// The extra gas a storage access pays per cache request (`REQUIRED_ACCESS_GAS`).
pub const STORAGE_ACCESS_GAS: u64 = 10;

/// The ink of writing `bytes` bytes into guest memory.
pub fn write_ink(bytes: usize) -> u64 {
    5_040 + 30 * (bytes as u64).saturating_sub(32)
}

/// The ink of reading `bytes` bytes from guest memory.
pub fn read_ink(bytes: usize) -> u64 {
    16_381 + 55 * (bytes as u64).saturating_sub(32)
}

/// The ink of `native_keccak256` over `bytes` bytes.
pub fn keccak_ink(bytes: usize) -> u64 {
    let words = (bytes as u64).div_ceil(32);
    121_800 + 21_000 * words.saturating_sub(2)
}

/// The gas surcharge of the `n`-th storage load of a call (counting from 1), hit or miss.
pub fn cache_read_gas(n: u64) -> u64 {
    match n {
        0..=32 => 0,
        33..=128 => 2,
        _ => 10,
    }
}

/// The gas surcharge of the `n`-th storage write of a call (counting from 1).
pub fn cache_write_gas(n: u64) -> u64 {
    match n {
        0..=8 => 0,
        9..=64 => 7,
        _ => 10,
    }
}

/// The exponential part of the memory price: `floor(b^pages)` for pages 0..=128, with `b` such
/// that 128 pages cost about 31,874,000 gas.
const MEMORY_EXP: [u32; 129] = [
    1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 11, 12, 14, 17, 19, 22, 25, 29, 33, 38,
    43, 50, 57, 65, 75, 85, 98, 112, 128, 147, 168, 193, 221, 253, 289, 331, 379, 434, 497, 569,
    651, 745, 853, 976, 1_117, 1_279, 1_463, 1_675, 1_917, 2_194, 2_511, 2_874, 3_290, 3_765,
    4_309, 4_932, 5_645, 6_461, 7_395, 8_464, 9_687, 11_087, 12_689, 14_523, 16_621, 19_024,
    21_773, 24_919, 28_521, 32_642, 37_359, 42_758, 48_938, 56_010, 64_104, 73_368, 83_971, 96_106,
    109_994, 125_890, 144_082, 164_904, 188_735, 216_010, 247_226, 282_953, 323_844, 370_643,
    424_206, 485_509, 555_672, 635_973, 727_880, 833_067, 953_456, 1_091_243, 1_248_941, 1_429_429,
    1_636_000, 1_872_423, 2_143_012, 2_452_704, 2_807_151, 3_212_820, 3_677_113, 4_208_502,
    4_816_684, 5_512_756, 6_309_419, 7_221_210, 8_264_766, 9_459_129, 10_826_093, 12_390_601,
    14_181_199, 16_230_562, 18_576_084, 21_260_563, 24_332_984, 27_849_408, 31_873_999,
];

fn memory_exp(pages: u32) -> u64 {
    MEMORY_EXP
        .get(pages as usize)
        .map_or(u64::MAX, |&v| u64::from(v))
}

/// A transaction's Stylus memory: the pages open now and the most ever open at once.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pages {
    /// Pages of the programs now running.
    pub open: u32,
    /// The peak of `open` in this transaction.
    pub ever: u32,
}

impl Pages {
    /// The gas of opening `new` more pages: the linear price of the pages beyond the free ones,
    /// plus the growth of the exponential part at the peak. Past 128 pages it is about
    /// `u64::MAX`, which no call can pay: the runtime limit.
    pub fn cost(&self, new: u32, p: &StylusParams) -> u64 {
        let new_open = self.open.saturating_add(new);
        let new_ever = self.ever.max(new_open);
        let free = u32::from(p.free_pages);
        if new_ever <= free {
            return 0;
        }
        let linear = u64::from(new_open.saturating_sub(free) - self.open.saturating_sub(free))
            .saturating_mul(p.page_gas);
        let expand = memory_exp(new_ever).saturating_sub(memory_exp(self.ever));
        linear.saturating_add(expand)
    }

    /// Opens `new` pages.
    pub fn add(&mut self, new: u32) {
        self.open = self.open.saturating_add(new);
        self.ever = self.ever.max(self.open);
    }
}

/// The per-program estimates Stylus computes at activation, in gas at 100 % scaling.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InitCosts {
    /// The cost of instantiating a program that is not cached (`init_cost`).
    pub init: u16,
    /// The cost of instantiating a cached program (`cached_init_cost`).
    pub cached_init: u16,
}

/// What the init-cost estimates are computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ModuleStats {
    /// Functions defined in the module (not imported).
    pub funcs: u64,
    /// The sum over those functions of their parameters and results.
    pub type_len: u64,
    /// The length of the decompressed wasm.
    pub wasm_len: u64,
    /// Globals, including the four instrumentation adds.
    pub globals: u64,
    /// Bytes of data segments plus entries of element segments.
    pub data_len: u64,
    /// The memory's initial pages.
    pub footprint: u64,
}

impl ModuleStats {
    /// The estimates of Stylus v2 and later; `None` if one exceeds `u16` (activation fails).
    pub fn init_costs(&self) -> Option<InitCosts> {
        let cached = self.funcs * 13_420 / 100_000
            + self.type_len * 89 / 100_000
            + self.wasm_len * 122 / 100_000
            + self.globals * 1_628 / 1_000
            + self.data_len * 75_244 / 100_000
            + 5 * self.footprint;
        let init = self.funcs * 8_252 / 1_000
            + self.type_len * 1_059 / 1_000
            + self.wasm_len * 1_286 / 10_000;
        Some(InitCosts {
            init: u16::try_from(init).ok()?,
            cached_init: u16::try_from(cached).ok()?,
        })
    }
}

impl StylusParams {
    /// The gas of entering a program beyond its memory: the cached part always, the init part
    /// when it is not cached.
    pub fn entry_gas(&self, costs: InitCosts, cached: bool) -> u64 {
        let cached_gas = self.min_cached_init_gas * 32
            + (u64::from(costs.cached_init) * self.cached_cost_scalar * 2).div_ceil(100);
        let init_gas = self.min_init_gas * 128
            + (u64::from(costs.init) * self.init_cost_scalar * 2).div_ceil(100);
        if cached {
            cached_gas
        } else {
            cached_gas + init_gas
        }
    }

    /// Gas as ink, saturating.
    pub fn gas_to_ink(&self, gas: u64) -> u64 {
        gas.saturating_mul(self.ink_price)
    }

    /// Ink as whole gas (rounding down).
    pub fn ink_to_gas(&self, ink: u64) -> u64 {
        ink / self.ink_price
    }
}

/// The EVM memory cost of `len` bytes of return data, which a call that returns data consumes
/// at least (ArbOS 31 and later).
pub fn return_data_gas(len: usize) -> u64 {
    let words = (len as u64).div_ceil(32);
    3 * words + words * words / 512
}

/// Whether an opcode ends a basic block: the meter charges each block at its start, for every
/// opcode up to and including the one that ends it.
pub fn ends_basic_block(op: &Operator<'_>) -> bool {
    use Operator::*;
    matches!(
        op,
        End | Else
            | Return
            | Loop { .. }
            | Br { .. }
            | BrIf { .. }
            | BrTable { .. }
            | If { .. }
            | Call { .. }
            | CallIndirect { .. }
    )
}

/// The ink of one opcode (`pricing_v1`); `u64::MAX` for opcodes Stylus never executes.
/// `call_indirect_params` is the parameter count of a `call_indirect`'s type.
pub fn op_ink(op: &Operator<'_>, call_indirect_params: u64) -> u64 {
    use Operator::*;
    match op {
        Unreachable
        | Return
        | Nop
        | I32Const { .. }
        | I64Const { .. }
        | Block { .. }
        | Loop { .. }
        | Else
        | End => 1,
        Drop => 9,
        Br { .. } | BrIf { .. } | If { .. } => 765,
        BrTable { targets } => 2_400 + 325 * u64::from(targets.len()),
        Select => 1_250,
        Call { .. } => 3_800,
        CallIndirect { .. } => 13_610 + 650 * call_indirect_params,
        LocalGet { .. } | LocalTee { .. } => 75,
        LocalSet { .. } => 210,
        GlobalGet { .. } => 225,
        GlobalSet { .. } => 575,
        I32Load { .. }
        | I32Load8S { .. }
        | I32Load8U { .. }
        | I32Load16S { .. }
        | I32Load16U { .. } => 670,
        I64Load { .. }
        | I64Load8S { .. }
        | I64Load8U { .. }
        | I64Load16S { .. }
        | I64Load16U { .. }
        | I64Load32S { .. }
        | I64Load32U { .. } => 680,
        I32Store { .. } | I32Store8 { .. } | I32Store16 { .. } => 825,
        I64Store { .. } | I64Store8 { .. } | I64Store16 { .. } | I64Store32 { .. } => 950,
        MemorySize { .. } => 3_000,
        MemoryGrow { .. } => 8_050,
        I32Eqz | I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS
        | I32GeU => 170,
        I64Eqz | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU | I64GeS
        | I64GeU => 225,
        I32Clz | I32Ctz | I64Clz | I64Ctz => 210,
        I32Add | I32Sub | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl
        | I32Rotr => 70,
        I64Add | I64Sub | I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl
        | I64Rotr => 100,
        I32Mul | I64Mul => 160,
        I32DivS | I32DivU | I32RemS | I32RemU => 1_120,
        I64DivS | I64DivU | I64RemS | I64RemU => 1_270,
        I32Popcnt => 2_650,
        I64Popcnt => 6_000,
        I32WrapI64 | I64ExtendI32S | I64ExtendI32U => 100,
        I32Extend8S | I32Extend16S | I64Extend8S | I64Extend16S | I64Extend32S => 100,
        MemoryCopy { .. } | MemoryFill { .. } => 950,
        _ => u64::MAX,
    }
}

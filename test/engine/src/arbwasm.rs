//! The lifetime of Stylus programs and the ArbWasm precompile at `0x71`: activation records,
//! expiry, keepalive, reactivation after a Stylus upgrade, and what a call into a program that is
//! not active does.
//!
//! Sources (OffchainLabs/nitro, commit 6dce8d13; the code here is ours, the facts are nitro's):
//! `arbos/programs/programs.go` (the program record, `getActiveProgram`, `ActivateProgram`,
//! `ProgramKeepalive`, `ProgramTimeLeft`, the hour arithmetic), `precompiles/ArbWasm.go` (the
//! methods and `payActivationDataFee`), `precompiles/precompile.go` (how the dispatcher reports
//! outcomes), `arbos/programs/data_pricer.go` (the data fee), `arbos/programs/params.go` (the
//! defaults) and `arbos/storage/storage.go` (ArbOS storage prices); and the interface
//! `ArbWasm.sol` of OffchainLabs/nitro-precompile-interfaces (commit 1012d9dd).
//!
//! # The model
//!
//! - **Records.** Each code hash has a record packed into one word as nitro packs it (nitro
//!   6dce8d13, arbos/programs/programs.go:559-569): version (2 bytes), init cost, cached init
//!   cost, footprint (2 each), the activation time in hours since 2015-01-16 06:00 UTC rounded
//!   down (3 bytes, [`hours_since_arbitrum`]), the asm size estimate in KiB (3 bytes) and the
//!   cached flag. The engine keeps the records in the storage of [`ARBOS_STATE`] at the slot
//!   equal to the code hash, so they live in revm's journal: a reverted activation is undone, a
//!   view (`eth_call`) leaves nothing behind, and snapshots of the database carry them.
//! - **Deployment.** With [`LifetimeParams::activate_on_deploy`] (the default) a create whose
//!   code is a Stylus program, and [`crate::Chain::place`] of Stylus code, record the program
//!   as activated at that block's time with the chain's Stylus version, as the engine has always
//!   treated deployed programs (on Arbitrum, `cargo stylus deploy` and the StylusDeployer
//!   activate in the same run). The record then has the asm estimate (the decompressed wasm's
//!   length: the engine compiles no native code) and no init costs; the engine keeps those in its
//!   compile cache. Without it, programs must be activated through `activateProgram`.
//! - **Calls.** A call into a program whose record has version 0 (`ProgramNotActivated`), an
//!   older version than the chain's (`ProgramNeedsUpgrade`) or an age beyond the expiry
//!   (`ProgramExpired`) fails before the program runs, as nitro's `CallProgram` does (nitro
//!   6dce8d13, arbos/programs/programs.go:213-216): an exceptional halt
//!   ([`revm::interpreter::InstructionResult::NotActivated`]) that consumes all gas the call was
//!   given, returns no data and reverts the value transfer. The reason is kept as the trap
//!   ([`crate::runtime::StylusRuntime::last_trap`]), in nitro's words (`ProgramExpired(31539600)`).
//! - **ArbWasm.** [`call`] runs the precompile's methods (see [`abi::ArbWasm`]) with nitro's
//!   dispatcher rules (nitro 6dce8d13, precompiles/precompile.go:743-867): a custom error is a
//!   revert carrying its ABI encoding that keeps the gas left; an unknown selector, short
//!   calldata, a delegate call, a write under a static call or value sent to a view method is a
//!   revert without data that consumes all gas; an activation whose wasm fails validation is an
//!   exceptional halt that consumes all gas. Payable methods move `msg.value` to `0x71`, pay the
//!   data fee to [`LifetimeParams::fee_account`] and refund the excess to the immediate caller
//!   (nitro 6dce8d13, precompiles/ArbWasm.go:84-101); a value below the fee reverts with
//!   `ProgramInsufficientValue(have, want)` and moves nothing.
//! - **Gas.** A simplified, documented model of what nitro burns: 3 gas per word of arguments
//!   and of results ([`COPY_GAS`]), 100 for reading the Stylus parameters ([`PARAMS_GAS`]), 2,600
//!   for the code hash of an address ([`CODEHASH_GAS`]), 800 per read and 20,000 per write of a
//!   record ([`RECORD_READ_GAS`], [`RECORD_WRITE_GAS`]), [`DATA_PRICER_GAS`] for the data
//!   pricer's storage, the event's log gas, and for `activateProgram` the fixed 1,659,168
//!   ([`ACTIVATION_FIXED_GAS`]) plus [`LifetimeParams::activation_gas`]. The gas nitro's
//!   compilation itself burns per module is not modelled.
//! - **Data fee.** [`DataFee`]: by default nitro's minimum price per byte without demand
//!   (82,928,201 wei, nitro 6dce8d13, arbos/programs/data_pricer.go:36), times the asm estimate;
//!   nitro raises the price with recent demand, which is not modelled.
//! - Not modelled: ArbWasmCache (`0x72`) and caching, fragments (ArbOS 60 root programs), the
//!   "self destructed" check, and ArbOS versions before 30.

use crate::program::{decompress, is_stylus, ProgramError};
use crate::runtime::StylusRuntime;
use alloy_sol_types::{SolCall, SolEvent, SolInterface, SolValue};
use revm::context::{ContextTr, JournalTr};
use revm::context_interface::context::ContextError;
use revm::context_interface::Host;
use revm::handler::evm::ContextDbError;
use revm::handler::FrameResult;
use revm::interpreter::{
    CallInputs, CallOutcome, CallScheme, CallValue, Gas, InstructionResult, InterpreterResult,
};
use revm::primitives::{address, keccak256, Address, Log, LogData, B256, U256};

/// The ArbWasm precompile's address.
pub const ARBWASM: Address = address!("0000000000000000000000000000000000000071");

/// ArbOS's state account (go-ethereum 49b38a63, core/types/arbitrum_signer.go), whose storage
/// holds the engine's program records. [`crate::Chain::new`] gives it a nonce so that it is
/// never an empty account.
pub const ARBOS_STATE: Address = address!("A4B05FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");

/// 2015-01-16 06:00 UTC, from which activation hours count (nitro 6dce8d13,
/// arbos/programs/data_pricer.go:30).
pub const ARBITRUM_START_TIME: u64 = 1_421_388_000;

/// The fixed gas `activateProgram` burns before anything else (nitro 6dce8d13,
/// precompiles/ArbWasm.go:50-53).
pub const ACTIVATION_FIXED_GAS: u64 = 1_659_168;
/// Gas per 32-byte word of arguments and of results (`params.CopyGas`).
pub const COPY_GAS: u64 = 3;
/// Reading the Stylus parameters, assumed warm (nitro 6dce8d13, arbos/programs/params.go:72-75).
pub const PARAMS_GAS: u64 = 100;
/// Looking up an address's code hash (`StorageCodeHashCost`, nitro 6dce8d13,
/// arbos/storage/storage.go:64).
pub const CODEHASH_GAS: u64 = 2_600;
/// Reading a program record (`StorageReadCost`, nitro 6dce8d13, arbos/storage/storage.go:61).
pub const RECORD_READ_GAS: u64 = 800;
/// Writing a program record (`StorageWriteCost`, nitro 6dce8d13, arbos/storage/storage.go:62).
pub const RECORD_WRITE_GAS: u64 = 20_000;
/// The data pricer's storage in one fee computation: five reads and two writes (nitro
/// 6dce8d13, arbos/programs/data_pricer.go:63-90).
pub const DATA_PRICER_GAS: u64 = 5 * RECORD_READ_GAS + 2 * RECORD_WRITE_GAS;
/// nitro's exponential memory ramp, which `pageRamp()` reports (a constant, not stored).
pub const PAGE_RAMP: u64 = 620_674_314;

/// Seconds per day.
const DAY: u64 = 86_400;

/// The Solidity interface of ArbWasm (nitro-precompile-interfaces 1012d9dd, `ArbWasm.sol`, with
/// `activationGas()` of ArbOS 60 from nitro 6dce8d13, precompiles/ArbWasm.go).
#[allow(missing_docs)]
pub mod abi {
    alloy_sol_types::sol! {
        /// ArbWasm at `0x71`.
        #[sol(all_derives)]
        interface ArbWasm {
            function activateProgram(address program) external payable returns (uint16 version, uint256 dataFee);
            function stylusVersion() external view returns (uint16 version);
            function codehashVersion(bytes32 codehash) external view returns (uint16 version);
            function codehashKeepalive(bytes32 codehash) external payable;
            function codehashAsmSize(bytes32 codehash) external view returns (uint32 size);
            function programVersion(address program) external view returns (uint16 version);
            function programInitGas(address program) external view returns (uint64 gas, uint64 gasWhenCached);
            function programMemoryFootprint(address program) external view returns (uint16 footprint);
            function programTimeLeft(address program) external view returns (uint64 _secs);
            function inkPrice() external view returns (uint32 price);
            function maxStackDepth() external view returns (uint32 depth);
            function freePages() external view returns (uint16 pages);
            function pageGas() external view returns (uint16 gas);
            function pageRamp() external view returns (uint64 ramp);
            function pageLimit() external view returns (uint16 limit);
            function minInitGas() external view returns (uint64 gas, uint64 cached);
            function initCostScalar() external view returns (uint64 percent);
            function expiryDays() external view returns (uint16 _days);
            function keepaliveDays() external view returns (uint16 _days);
            function blockCacheSize() external view returns (uint16 count);
            function activationGas() external view returns (uint64 gas);

            event ProgramActivated(bytes32 indexed codehash, bytes32 moduleHash, address program, uint256 dataFee, uint16 version);
            event ProgramLifetimeExtended(bytes32 indexed codehash, uint256 dataFee);

            error ProgramNotWasm();
            error ProgramNotActivated();
            error ProgramNeedsUpgrade(uint16 version, uint16 stylusVersion);
            error ProgramExpired(uint64 ageInSeconds);
            error ProgramUpToDate();
            error ProgramKeepaliveTooSoon(uint64 ageInSeconds);
            error ProgramInsufficientValue(uint256 have, uint256 want);
        }
    }
}

pub use abi::ArbWasm::ArbWasmErrors;

/// How the data fee of an activation or keepalive is computed, in wei.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataFee {
    /// The same fee for every program.
    Fixed(U256),
    /// A price per byte of the program's asm estimate (the decompressed wasm's length here).
    /// nitro's price is `minPrice · e^(demand/inertia)` per byte; with no recent demand it is
    /// `minPrice`, 82,928,201 wei (nitro 6dce8d13, arbos/programs/data_pricer.go:36, 63-90).
    PerByte(U256),
}

impl DataFee {
    /// The fee for a program of `bytes` bytes.
    pub fn fee(&self, bytes: u64) -> U256 {
        match self {
            DataFee::Fixed(f) => *f,
            DataFee::PerByte(p) => p.saturating_mul(U256::from(bytes)),
        }
    }
}

/// The chain's rules for program lifetimes: ArbOS 51's defaults (nitro 6dce8d13,
/// arbos/programs/params.go:20-36 and arbos/arbosState/arbosstate.go:445-449).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LifetimeParams {
    /// The chain's Stylus version (`stylusVersion()`, 2 since ArbOS 31). Programs activated
    /// under another version need `activateProgram` again.
    pub version: u16,
    /// Days after activation (or the last keepalive) a program expires (`ExpiryDays`, 365).
    pub expiry_days: u16,
    /// The age in days from which a keepalive is allowed (`KeepaliveDays`, 31).
    pub keepalive_days: u16,
    /// The data fee rule.
    pub data_fee: DataFee,
    /// Where data fees go (on Arbitrum the chain's network fee account; here a stand-in).
    pub fee_account: Address,
    /// The ArbOS version: from 60 on, activating code that is not Stylus reverts with
    /// `ProgramNotWasm()` (before, without data) and `activationGas()` exists.
    pub arbos_version: u64,
    /// ArbOS 60's configurable gas burnt before every activation (default 0).
    pub activation_gas: u64,
    /// Whether deployed Stylus code counts as activated at its deployment.
    pub activate_on_deploy: bool,
}

/// The stand-in network fee account that receives data fees by default.
pub const FEE_ACCOUNT: Address = address!("00000000000000000000000000000000000A4B05");

impl Default for LifetimeParams {
    fn default() -> Self {
        LifetimeParams {
            version: 2,
            expiry_days: 365,
            keepalive_days: 31,
            data_fee: DataFee::PerByte(U256::from(82_928_201u64)),
            fee_account: FEE_ACCOUNT,
            arbos_version: 51,
            activation_gas: 0,
            activate_on_deploy: true,
        }
    }
}

impl LifetimeParams {
    /// The expiry in seconds.
    pub fn expiry_seconds(&self) -> u64 {
        u64::from(self.expiry_days) * DAY
    }

    /// The keepalive age in seconds.
    pub fn keepalive_seconds(&self) -> u64 {
        u64::from(self.keepalive_days) * DAY
    }
}

/// The largest value of a 24-bit field.
const U24_MAX: u32 = (1 << 24) - 1;

/// Hours since [`ARBITRUM_START_TIME`] at block time `t`, rounded down, saturating at 0 and at
/// 2^24 - 1 (nitro 6dce8d13, arbos/programs/programs.go:807-809).
pub fn hours_since_arbitrum(t: u64) -> u32 {
    let hours = t.saturating_sub(ARBITRUM_START_TIME) / 3_600;
    u32::try_from(hours).unwrap_or(U24_MAX).min(U24_MAX)
}

/// A program's age in seconds at block time `t` when it was activated `hours` hours after
/// [`ARBITRUM_START_TIME`] (nitro 6dce8d13, arbos/programs/programs.go:812-816). Because the
/// hour is rounded down, the age can exceed the real time since activation by up to 3,599 s.
pub fn age_seconds(t: u64, hours: u32) -> u64 {
    let activated = ARBITRUM_START_TIME.saturating_add(u64::from(hours).saturating_mul(3_600));
    t.saturating_sub(activated)
}

/// A program's record, as nitro stores it per code hash.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProgramRecord {
    /// The Stylus version it was activated under; 0: never activated.
    pub version: u16,
    /// The init cost estimate.
    pub init_cost: u16,
    /// The cached init cost estimate.
    pub cached_cost: u16,
    /// The memory footprint in pages.
    pub footprint: u16,
    /// Hours since [`ARBITRUM_START_TIME`] of its activation or last keepalive (24 bits).
    pub activated_at: u32,
    /// The asm size estimate in KiB, rounded up (24 bits).
    pub asm_estimate_kb: u32,
    /// Whether it is cached.
    pub cached: bool,
}

impl ProgramRecord {
    /// The record as one storage word (nitro's layout).
    pub fn pack(&self) -> B256 {
        let mut w = [0u8; 32];
        w[0..2].copy_from_slice(&self.version.to_be_bytes());
        w[2..4].copy_from_slice(&self.init_cost.to_be_bytes());
        w[4..6].copy_from_slice(&self.cached_cost.to_be_bytes());
        w[6..8].copy_from_slice(&self.footprint.to_be_bytes());
        w[8..11].copy_from_slice(&self.activated_at.min(U24_MAX).to_be_bytes()[1..]);
        w[11..14].copy_from_slice(&self.asm_estimate_kb.min(U24_MAX).to_be_bytes()[1..]);
        w[14] = u8::from(self.cached);
        B256::from(w)
    }

    /// The record a storage word holds (the zero word: no record).
    pub fn unpack(w: B256) -> Self {
        let u16_at = |i: usize| u16::from_be_bytes([w[i], w[i + 1]]);
        let u24_at = |i: usize| u32::from_be_bytes([0, w[i], w[i + 1], w[i + 2]]);
        ProgramRecord {
            version: u16_at(0),
            init_cost: u16_at(2),
            cached_cost: u16_at(4),
            footprint: u16_at(6),
            activated_at: u24_at(8),
            asm_estimate_kb: u24_at(11),
            cached: w[14] != 0,
        }
    }

    /// The age in seconds at time `t`.
    pub fn age(&self, t: u64) -> u64 {
        age_seconds(t, self.activated_at)
    }

    /// The asm size in bytes (`codehashAsmSize`, and what a keepalive's fee is computed from).
    pub fn asm_size(&self) -> u64 {
        u64::from(self.asm_estimate_kb) * 1_024
    }

    /// The record of code `code` activated at time `now` under `params` (no init costs: see the
    /// module docs).
    pub fn activated(code: &[u8], now: u64, params: &LifetimeParams) -> Self {
        let wasm_len = decompress(code).map_or(0, |w| w.len() as u64);
        ProgramRecord {
            version: params.version,
            activated_at: hours_since_arbitrum(now),
            asm_estimate_kb: u32::try_from(wasm_len.div_ceil(1_024)).unwrap_or(U24_MAX),
            ..Default::default()
        }
    }

    /// The record if the program is active at time `now`, else the error nitro's
    /// `getActiveProgram` gives, checked in its order: never activated, outdated, expired
    /// (nitro 6dce8d13, arbos/programs/programs.go:537-557; the expiry is a strict `>`).
    ///
    /// # Errors
    /// `ProgramNotActivated`, `ProgramNeedsUpgrade` or `ProgramExpired`.
    pub fn active(self, now: u64, params: &LifetimeParams) -> Result<Self, ArbWasmErrors> {
        use abi::ArbWasm::*;
        if self.version == 0 {
            return Err(ArbWasmErrors::ProgramNotActivated(ProgramNotActivated {}));
        }
        if self.version != params.version {
            return Err(ArbWasmErrors::ProgramNeedsUpgrade(ProgramNeedsUpgrade {
                version: self.version,
                stylusVersion: params.version,
            }));
        }
        let age = self.age(now);
        if age > params.expiry_seconds() {
            return Err(ArbWasmErrors::ProgramExpired(ProgramExpired {
                ageInSeconds: age,
            }));
        }
        Ok(self)
    }

    /// Whether `activateProgram` would refuse it as up to date: same version and not expired,
    /// where a zero activation hour counts as expired (nitro 6dce8d13,
    /// arbos/programs/programs.go:132-135, 571-579).
    pub fn up_to_date(&self, now: u64, params: &LifetimeParams) -> bool {
        let expired = self.activated_at == 0 || self.age(now) > params.expiry_seconds();
        self.version == params.version && !expired
    }
}

/// An ArbWasm error as nitro's Go errors print it (`ProgramExpired(31539600)`), which is all
/// `eth_call` reports when a call into an inactive program fails.
pub fn error_text(e: &ArbWasmErrors) -> String {
    match e {
        ArbWasmErrors::ProgramNotWasm(_) => "ProgramNotWasm()".into(),
        ArbWasmErrors::ProgramNotActivated(_) => "ProgramNotActivated()".into(),
        ArbWasmErrors::ProgramNeedsUpgrade(x) => {
            format!("ProgramNeedsUpgrade({}, {})", x.version, x.stylusVersion)
        }
        ArbWasmErrors::ProgramExpired(x) => format!("ProgramExpired({})", x.ageInSeconds),
        ArbWasmErrors::ProgramUpToDate(_) => "ProgramUpToDate()".into(),
        ArbWasmErrors::ProgramKeepaliveTooSoon(x) => {
            format!("ProgramKeepaliveTooSoon({})", x.ageInSeconds)
        }
        ArbWasmErrors::ProgramInsufficientValue(x) => {
            format!("ProgramInsufficientValue({}, {})", x.have, x.want)
        }
    }
}

/// The storage slot of the record of `codehash`.
pub fn record_slot(codehash: B256) -> U256 {
    U256::from_be_bytes(codehash.0)
}

type DbResult<T, CTX> = Result<T, ContextDbError<CTX>>;

/// Loads [`ARBOS_STATE`] into the journal (its storage is read and written only once loaded).
fn load_state<CTX: ContextTr>(ctx: &mut CTX) -> DbResult<(), CTX> {
    ctx.journal_mut()
        .load_account(ARBOS_STATE)
        .map_err(ContextError::Db)?;
    Ok(())
}

/// The record of `codehash` in the journal.
///
/// # Errors
/// A database error.
pub fn read_record<CTX: ContextTr>(ctx: &mut CTX, codehash: B256) -> DbResult<ProgramRecord, CTX> {
    load_state(ctx)?;
    let v = ctx
        .journal_mut()
        .sload(ARBOS_STATE, record_slot(codehash))
        .map_err(ContextError::Db)?;
    Ok(ProgramRecord::unpack(B256::from(v.data)))
}

/// Writes the record of `codehash` into the journal.
///
/// # Errors
/// A database error.
pub fn write_record<CTX: ContextTr>(
    ctx: &mut CTX,
    codehash: B256,
    record: ProgramRecord,
) -> DbResult<(), CTX> {
    load_state(ctx)?;
    ctx.journal_mut()
        .sstore(
            ARBOS_STATE,
            record_slot(codehash),
            U256::from_be_bytes(record.pack().0),
        )
        .map_err(ContextError::Db)?;
    Ok(())
}

/// Whether the program with code hash `codehash` may run now; the error nitro's `CallProgram`
/// fails with otherwise.
///
/// # Errors
/// A database error.
pub fn check_callable<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &StylusRuntime,
    codehash: B256,
) -> DbResult<Result<(), ArbWasmErrors>, CTX> {
    let now: u64 = ctx.timestamp().saturating_to();
    let record = read_record(ctx, codehash)?;
    Ok(record.active(now, rt.lifetime()).map(|_| ()))
}

/// After a create made `address`: records its code as activated when it is a Stylus program,
/// the deployment counts as activation ([`LifetimeParams::activate_on_deploy`]) and the code
/// hash is not active already.
///
/// # Errors
/// A database error.
pub fn on_deploy<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &StylusRuntime,
    address: Address,
) -> DbResult<(), CTX> {
    let params = rt.lifetime();
    if !params.activate_on_deploy {
        return Ok(());
    }
    let code = ctx
        .journal_mut()
        .code(address)
        .map_err(ContextError::Db)?
        .data;
    if !is_stylus(&code) {
        return Ok(());
    }
    let hash = keccak256(&code);
    let now: u64 = ctx.timestamp().saturating_to();
    if read_record(ctx, hash)?.active(now, params).is_ok() {
        return Ok(());
    }
    write_record(ctx, hash, ProgramRecord::activated(&code, now, params))
}

/// The mutability of a method, as the dispatcher checks it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Purity {
    View,
    Payable,
}

/// How a method ended before the result is encoded.
enum End {
    /// Return these bytes.
    Return(Vec<u8>),
    /// A custom error: revert with its encoding, keep the gas left.
    Error(ArbWasmErrors),
    /// A Go error that is no custom error: revert without data, keep the gas left.
    Plain(String),
    /// Revert without data and consume all gas (the dispatcher's refusals, and running out of
    /// gas inside a method).
    Refuse,
    /// The wasm failed activation: an exceptional halt consuming all gas.
    Halt(String),
}

/// The gas of a call to ArbWasm, burnt as nitro's `Burn` does: running short consumes it all.
struct Meter(Gas);

impl Meter {
    fn burn(&mut self, gas: u64) -> Result<(), End> {
        if self.0.record_regular_cost(gas) {
            Ok(())
        } else {
            self.0.spend_all();
            Err(End::Refuse)
        }
    }
}

fn words(len: usize) -> u64 {
    (len as u64).div_ceil(32)
}

/// The gas of a log with `topics` topics and `data` bytes (geth's `LogGas`, `LogTopicGas`,
/// `LogDataGas`), which nitro's event emitters charge.
fn log_gas(topics: u64, data: usize) -> u64 {
    375 + 375 * topics + 8 * data as u64
}

/// One call to ArbWasm at `0x71`, with nitro's dispatcher rules and the methods' semantics (see
/// the module docs). The call's value moves to `0x71` first; the journal is rolled back unless
/// the method succeeds.
///
/// # Errors
/// A database error.
pub fn call<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &mut StylusRuntime,
    depth: usize,
    inputs: &CallInputs,
) -> DbResult<FrameResult, CTX> {
    let gas = Gas::new_with_regular_gas_and_reservoir(inputs.gas_limit, inputs.reservoir);
    let finish = |r: InstructionResult, out: Vec<u8>, gas: Gas| {
        FrameResult::Call(CallOutcome::new(
            InterpreterResult::new(r, out.into(), gas),
            inputs.return_memory_offset.clone(),
        ))
    };
    if depth > revm::primitives::constants::CALL_STACK_LIMIT as usize {
        return Ok(finish(InstructionResult::CallTooDeep, Vec::new(), gas));
    }
    let checkpoint = ctx.journal_mut().checkpoint();
    if let CallValue::Transfer(value) = inputs.value {
        if let Some(e) =
            ctx.journal_mut()
                .transfer_loaded(inputs.caller, inputs.target_address, value)
        {
            ctx.journal_mut().checkpoint_revert(checkpoint);
            return Ok(finish(e.into(), Vec::new(), gas));
        }
    }
    let input = inputs.input.bytes(ctx);
    let mut meter = Meter(gas);
    let end = match dispatch(ctx, rt, inputs, &input, &mut meter)? {
        Ok(out) => out,
        Err(end) => end,
    };
    let mut gas = meter.0;
    let (result, output) = match end {
        End::Return(out) => {
            // The result's copy is paid on success too (precompile.go:859-863).
            if gas.record_regular_cost(COPY_GAS * words(out.len())) {
                (InstructionResult::Return, out)
            } else {
                gas.spend_all();
                (InstructionResult::Revert, Vec::new())
            }
        }
        End::Error(e) => {
            let data = e.abi_encode();
            if gas.record_regular_cost(COPY_GAS * words(data.len())) {
                (InstructionResult::Revert, data)
            } else {
                gas.spend_all();
                (InstructionResult::Revert, Vec::new())
            }
        }
        End::Plain(why) => {
            rt.trapped(ARBWASM, why);
            (InstructionResult::Revert, Vec::new())
        }
        End::Refuse => {
            gas.spend_all();
            (InstructionResult::Revert, Vec::new())
        }
        End::Halt(why) => {
            rt.trapped(ARBWASM, why);
            gas.spend_all();
            (InstructionResult::PrecompileError, Vec::new())
        }
    };
    if result.is_ok() {
        ctx.journal_mut().checkpoint_commit();
    } else {
        ctx.journal_mut().checkpoint_revert(checkpoint);
    }
    Ok(finish(result, output, gas))
}

/// The word of argument `i` (the dispatcher refuses calldata too short for the arguments).
fn arg(input: &[u8], i: usize) -> Result<[u8; 32], End> {
    let start = 4 + 32 * i;
    input
        .get(start..start + 32)
        .and_then(|w| w.try_into().ok())
        .ok_or(End::Refuse)
}

fn address_arg(input: &[u8]) -> Result<Address, End> {
    arg(input, 0).map(|w| Address::from_slice(&w[12..]))
}

/// The methods and their purity; `None` for a selector ArbWasm does not have at this ArbOS
/// version.
fn purity(selector: [u8; 4], arbos: u64) -> Option<Purity> {
    use abi::ArbWasm::*;
    let payable = [
        activateProgramCall::SELECTOR,
        codehashKeepaliveCall::SELECTOR,
    ];
    let views = [
        stylusVersionCall::SELECTOR,
        codehashVersionCall::SELECTOR,
        codehashAsmSizeCall::SELECTOR,
        programVersionCall::SELECTOR,
        programInitGasCall::SELECTOR,
        programMemoryFootprintCall::SELECTOR,
        programTimeLeftCall::SELECTOR,
        inkPriceCall::SELECTOR,
        maxStackDepthCall::SELECTOR,
        freePagesCall::SELECTOR,
        pageGasCall::SELECTOR,
        pageRampCall::SELECTOR,
        pageLimitCall::SELECTOR,
        minInitGasCall::SELECTOR,
        initCostScalarCall::SELECTOR,
        expiryDaysCall::SELECTOR,
        keepaliveDaysCall::SELECTOR,
        blockCacheSizeCall::SELECTOR,
    ];
    if payable.contains(&selector) {
        Some(Purity::Payable)
    } else if views.contains(&selector) || (selector == activationGasCall::SELECTOR && arbos >= 60)
    {
        Some(Purity::View)
    } else {
        None
    }
}

type Dispatch<CTX> = DbResult<Result<End, End>, CTX>;

/// The dispatcher's checks in nitro's order, then the method.
fn dispatch<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &mut StylusRuntime,
    inputs: &CallInputs,
    input: &[u8],
    meter: &mut Meter,
) -> Dispatch<CTX> {
    let params = rt.lifetime().clone();
    let Some(selector) = input.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()) else {
        return Ok(Err(End::Refuse));
    };
    let Some(purity) = purity(selector, params.arbos_version) else {
        return Ok(Err(End::Refuse));
    };
    // Every method reads state: only a call acting as 0x71 may (not a delegate call).
    if matches!(
        inputs.scheme,
        CallScheme::DelegateCall | CallScheme::CallCode
    ) {
        return Ok(Err(End::Refuse));
    }
    if purity == Purity::Payable && inputs.is_static {
        return Ok(Err(End::Refuse));
    }
    let value = inputs.call_value();
    if purity == Purity::View && !value.is_zero() {
        return Ok(Err(End::Refuse));
    }
    if let Err(e) = meter.burn(COPY_GAS * words(input.len() - 4)) {
        return Ok(Err(e));
    }
    method(ctx, rt, inputs, input, selector, &params, meter)
}

/// Returns `$e` from the method as its `Err` end unless it is `Ok`.
macro_rules! tri {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(end) => return Ok(Err(end)),
        }
    };
}

/// The code hash of `program` as ArbWasm sees it: zero for an empty account, `keccak256("")`
/// for an account without code.
fn code_hash<CTX: ContextTr>(ctx: &mut CTX, program: Address) -> DbResult<B256, CTX> {
    Ok(ctx
        .journal_mut()
        .code_hash(program)
        .map_err(ContextError::Db)?
        .data)
}

/// The active record of `codehash`, paying for the read.
fn active<CTX: ContextTr>(
    ctx: &mut CTX,
    codehash: B256,
    params: &LifetimeParams,
    meter: &mut Meter,
) -> DbResult<Result<ProgramRecord, End>, CTX> {
    if let Err(e) = meter.burn(RECORD_READ_GAS) {
        return Ok(Err(e));
    }
    let now: u64 = ctx.timestamp().saturating_to();
    Ok(read_record(ctx, codehash)?
        .active(now, params)
        .map_err(End::Error))
}

/// Pays a data fee out of the value sent to `0x71`: the fee to the fee account, the rest back to
/// the immediate caller (nitro 6dce8d13, precompiles/ArbWasm.go:84-101).
fn pay<CTX: ContextTr>(
    ctx: &mut CTX,
    inputs: &CallInputs,
    params: &LifetimeParams,
    fee: U256,
) -> DbResult<Result<(), End>, CTX> {
    use abi::ArbWasm::ProgramInsufficientValue;
    let value = inputs.call_value();
    if value < fee {
        return Ok(Err(End::Error(ArbWasmErrors::ProgramInsufficientValue(
            ProgramInsufficientValue {
                have: value,
                want: fee,
            },
        ))));
    }
    for (to, amount) in [(params.fee_account, fee), (inputs.caller, value - fee)] {
        let failed = ctx
            .journal_mut()
            .transfer(ARBWASM, to, amount)
            .map_err(ContextError::Db)?;
        if let Some(e) = failed {
            return Ok(Err(End::Plain(format!(
                "paying the data fee failed: {e:?}"
            ))));
        }
    }
    Ok(Ok(()))
}

fn emit<CTX: ContextTr>(ctx: &mut CTX, log: LogData) {
    ctx.journal_mut().log(Log {
        address: ARBWASM,
        data: log,
    });
}

#[allow(clippy::too_many_arguments)]
fn method<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &mut StylusRuntime,
    inputs: &CallInputs,
    input: &[u8],
    selector: [u8; 4],
    params: &LifetimeParams,
    meter: &mut Meter,
) -> Dispatch<CTX> {
    use abi::ArbWasm::*;
    let now: u64 = ctx.timestamp().saturating_to();
    let stylus = rt.params().clone();
    let ret = |bytes: Vec<u8>| Ok(Ok(End::Return(bytes)));
    tri!(meter.burn(PARAMS_GAS));
    match selector {
        activateProgramCall::SELECTOR => activate(ctx, rt, inputs, input, params, meter),
        codehashKeepaliveCall::SELECTOR => {
            let codehash = B256::from(tri!(arg(input, 0)));
            let mut record = tri!(active(ctx, codehash, params, meter)?);
            let age = record.age(now);
            if age < params.keepalive_seconds() {
                return Ok(Err(End::Error(ArbWasmErrors::ProgramKeepaliveTooSoon(
                    ProgramKeepaliveTooSoon { ageInSeconds: age },
                ))));
            }
            tri!(meter.burn(DATA_PRICER_GAS));
            let fee = params.data_fee.fee(record.asm_size());
            record.activated_at = hours_since_arbitrum(now);
            tri!(meter.burn(RECORD_WRITE_GAS));
            write_record(ctx, codehash, record)?;
            tri!(pay(ctx, inputs, params, fee)?);
            let event = ProgramLifetimeExtended {
                codehash,
                dataFee: fee,
            };
            let log = event.encode_log_data();
            tri!(meter.burn(log_gas(2, log.data.len())));
            emit(ctx, log);
            ret(Vec::new())
        }
        stylusVersionCall::SELECTOR => ret(params.version.abi_encode()),
        expiryDaysCall::SELECTOR => ret(params.expiry_days.abi_encode()),
        keepaliveDaysCall::SELECTOR => ret(params.keepalive_days.abi_encode()),
        activationGasCall::SELECTOR => ret(params.activation_gas.abi_encode()),
        inkPriceCall::SELECTOR => ret(u32::try_from(stylus.ink_price)
            .unwrap_or(u32::MAX)
            .abi_encode()),
        maxStackDepthCall::SELECTOR => ret(stylus.max_stack_depth.abi_encode()),
        freePagesCall::SELECTOR => ret(stylus.free_pages.abi_encode()),
        pageGasCall::SELECTOR => ret(u16::try_from(stylus.page_gas)
            .unwrap_or(u16::MAX)
            .abi_encode()),
        pageRampCall::SELECTOR => ret(PAGE_RAMP.abi_encode()),
        pageLimitCall::SELECTOR => ret((crate::program::MAX_PAGES as u16).abi_encode()),
        minInitGasCall::SELECTOR => {
            if params.arbos_version < 32 {
                return Ok(Err(End::Plain("minInitGas before ArbOS 32".into())));
            }
            ret((stylus.min_init_gas * 128, stylus.min_cached_init_gas * 32).abi_encode_params())
        }
        initCostScalarCall::SELECTOR => ret((stylus.init_cost_scalar * 2).abi_encode()),
        blockCacheSizeCall::SELECTOR => {
            let size = match stylus.cache {
                crate::pricing::CacheModel::RecentPerBlock { size } => size,
                _ => 32,
            };
            ret(u16::try_from(size).unwrap_or(u16::MAX).abi_encode())
        }
        codehashVersionCall::SELECTOR => {
            let codehash = B256::from(tri!(arg(input, 0)));
            let record = tri!(active(ctx, codehash, params, meter)?);
            ret(record.version.abi_encode())
        }
        codehashAsmSizeCall::SELECTOR => {
            let codehash = B256::from(tri!(arg(input, 0)));
            let record = tri!(active(ctx, codehash, params, meter)?);
            let size = u32::try_from(record.asm_size()).unwrap_or(u32::MAX);
            ret(size.abi_encode())
        }
        programVersionCall::SELECTOR
        | programTimeLeftCall::SELECTOR
        | programInitGasCall::SELECTOR
        | programMemoryFootprintCall::SELECTOR => {
            let program = tri!(address_arg(input));
            tri!(meter.burn(CODEHASH_GAS));
            let codehash = code_hash(ctx, program)?;
            let record = tri!(active(ctx, codehash, params, meter)?);
            match selector {
                programVersionCall::SELECTOR => ret(record.version.abi_encode()),
                programTimeLeftCall::SELECTOR => {
                    let left = params.expiry_seconds().saturating_sub(record.age(now));
                    ret(left.abi_encode())
                }
                _ => {
                    // The engine keeps init costs and footprints in its compile cache.
                    let code = ctx.journal_mut().code(program).map_err(ContextError::Db)?;
                    let Ok(p) = rt.program(codehash, &code.data) else {
                        return Ok(Err(End::Plain("the program does not compile".into())));
                    };
                    if selector == programMemoryFootprintCall::SELECTOR {
                        let pages = u16::try_from(p.footprint).unwrap_or(u16::MAX);
                        return ret(pages.abi_encode());
                    }
                    let cached = stylus.entry_gas(p.init_costs, true);
                    let init = stylus.entry_gas(p.init_costs, false) - cached;
                    ret((init, cached).abi_encode_params())
                }
            }
        }
        _ => Ok(Err(End::Refuse)),
    }
}

/// `activateProgram(address)` (nitro 6dce8d13, precompiles/ArbWasm.go:36-65 and
/// arbos/programs/programs.go:110-192).
fn activate<CTX: ContextTr>(
    ctx: &mut CTX,
    rt: &mut StylusRuntime,
    inputs: &CallInputs,
    input: &[u8],
    params: &LifetimeParams,
    meter: &mut Meter,
) -> Dispatch<CTX> {
    use abi::ArbWasm::*;
    let program = tri!(address_arg(input));
    tri!(meter.burn(params.activation_gas));
    tri!(meter.burn(ACTIVATION_FIXED_GAS));
    let now: u64 = ctx.timestamp().saturating_to();
    let codehash = code_hash(ctx, program)?;
    tri!(meter.burn(RECORD_READ_GAS));
    let old = read_record(ctx, codehash)?;
    if old.up_to_date(now, params) {
        return Ok(Err(End::Error(ArbWasmErrors::ProgramUpToDate(
            ProgramUpToDate {},
        ))));
    }
    let code = ctx
        .journal_mut()
        .code(program)
        .map_err(ContextError::Db)?
        .data;
    if code.is_empty() {
        return Ok(Err(End::Error(ArbWasmErrors::ProgramNotWasm(
            ProgramNotWasm {},
        ))));
    }
    if !is_stylus(&code) {
        return Ok(Err(if params.arbos_version >= 60 {
            End::Error(ArbWasmErrors::ProgramNotWasm(ProgramNotWasm {}))
        } else {
            End::Plain("specified bytecode is not a Stylus program".into())
        }));
    }
    let wasm = match decompress(&code) {
        Ok(w) => w,
        Err(e) => return Ok(Err(End::Plain(e.to_string()))),
    };
    let compiled = match rt.program(codehash, &code) {
        Ok(p) => p,
        // Decompression was checked above, so this is validation or compilation.
        Err(e @ (ProgramError::UnknownDictionary(_) | ProgramError::Decompression(_))) => {
            return Ok(Err(End::Plain(e.to_string())))
        }
        Err(e) => return Ok(Err(End::Halt(format!("activation failed: {e}")))),
    };
    tri!(meter.burn(DATA_PRICER_GAS));
    let asm = wasm.len() as u64;
    let fee = params.data_fee.fee(asm);
    let record = ProgramRecord {
        version: params.version,
        init_cost: compiled.init_costs.init,
        cached_cost: compiled.init_costs.cached_init,
        footprint: u16::try_from(compiled.footprint).unwrap_or(u16::MAX),
        activated_at: hours_since_arbitrum(now),
        asm_estimate_kb: u32::try_from(asm.div_ceil(1_024)).unwrap_or(U24_MAX),
        cached: old.cached,
    };
    tri!(meter.burn(RECORD_WRITE_GAS));
    write_record(ctx, codehash, record)?;
    tri!(pay(ctx, inputs, params, fee)?);
    let event = ProgramActivated {
        codehash,
        // The engine has no native module: the wasm's hash stands in for the module hash.
        moduleHash: keccak256(&wasm),
        program,
        dataFee: fee,
        version: params.version,
    };
    let log = event.encode_log_data();
    tri!(meter.burn(log_gas(2, log.data.len())));
    emit(ctx, log);
    Ok(Ok(End::Return((params.version, fee).abi_encode_params())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_pack_as_nitro_packs_them() {
        let r = ProgramRecord {
            version: 2,
            init_cost: 0x0102,
            cached_cost: 0x0304,
            footprint: 1,
            activated_at: 0x0a0b0c,
            asm_estimate_kb: 0x000d0e,
            cached: true,
        };
        let w = r.pack();
        assert_eq!(
            &w[..15],
            &[0, 2, 1, 2, 3, 4, 0, 1, 0x0a, 0x0b, 0x0c, 0, 0x0d, 0x0e, 1]
        );
        assert!(w[15..].iter().all(|&b| b == 0));
        assert_eq!(ProgramRecord::unpack(w), r);
        assert_eq!(ProgramRecord::unpack(B256::ZERO), ProgramRecord::default());
    }

    #[test]
    fn hours_round_down_and_saturate() {
        assert_eq!(hours_since_arbitrum(0), 0);
        assert_eq!(hours_since_arbitrum(ARBITRUM_START_TIME + 3_599), 0);
        assert_eq!(hours_since_arbitrum(ARBITRUM_START_TIME + 3_600), 1);
        assert_eq!(hours_since_arbitrum(u64::MAX), U24_MAX);
        // The age counts from the hour: up to 3,599 s more than the real time.
        let t = ARBITRUM_START_TIME + 10 * 3_600 + 3_599;
        assert_eq!(age_seconds(t, hours_since_arbitrum(t)), 3_599);
        assert_eq!(age_seconds(0, 5), 0);
    }

    #[test]
    fn selectors_are_nitros() {
        use abi::ArbWasm::*;
        use alloy_sol_types::SolError;
        let pairs: [([u8; 4], u32); 8] = [
            (activateProgramCall::SELECTOR, 0x58c780c2),
            (codehashKeepaliveCall::SELECTOR, 0xc689bad5),
            (programTimeLeftCall::SELECTOR, 0xc775a62a),
            (programVersionCall::SELECTOR, 0xcc8f4e88),
            (codehashVersionCall::SELECTOR, 0xd70c0ca7),
            (stylusVersionCall::SELECTOR, 0xa996e0c2),
            (expiryDaysCall::SELECTOR, 0x309f6555),
            (keepaliveDaysCall::SELECTOR, 0x0a936455),
        ];
        for (s, want) in pairs {
            assert_eq!(u32::from_be_bytes(s), want);
        }
        assert_eq!(
            u32::from_be_bytes(ProgramExpired::SELECTOR),
            0xc9b12e52,
            "ProgramExpired"
        );
        assert_eq!(
            u32::from_be_bytes(ProgramInsufficientValue::SELECTOR),
            0x09781ab7
        );
        assert_eq!(u32::from_be_bytes(ProgramNotWasm::SELECTOR), 0x27f38212);
        assert_eq!(
            u32::from_be_bytes(ProgramNotActivated::SELECTOR),
            0x6f809c4e
        );
        assert_eq!(
            u32::from_be_bytes(ProgramNeedsUpgrade::SELECTOR),
            0x637d968f
        );
        assert_eq!(u32::from_be_bytes(ProgramUpToDate::SELECTOR), 0xcc944bf2);
        assert_eq!(
            u32::from_be_bytes(ProgramKeepaliveTooSoon::SELECTOR),
            0x16bd0cf8
        );
    }
}

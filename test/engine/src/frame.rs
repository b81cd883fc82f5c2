//! The Stylus frame: one call of a Stylus program inside revm's frame loop.
//!
//! It is built like revm's own call frame (depth check, journal checkpoint, value transfer),
//! then pays the program's entry cost (its memory pages and init cost), runs
//! `user_entrypoint` in a fresh instance of the cached module as a resumable wasmi call with
//! the call's gas as ink, performs each [`HostReq`] the program suspends with against the
//! journal at Stylus's prices, and hands outgoing calls and creates to revm as child frames,
//! resuming the program with their results. It commits its checkpoint when the program returns
//! 0 and reverts it otherwise, so a revert at any depth rolls back exactly what the EVM would.
//!
//! A program that is not active (never activated, outdated or expired: [`crate::arbwasm`]) fails
//! before it runs, consuming the call's gas.
//!
//! How a call ends, as on Arbitrum: a return or a revert keeps the unspent gas (whole gas,
//! rounded down from ink), less the EVM memory cost of the returned data; a trap or a host call
//! with bad arguments is a failure, which reverts without data and keeps the unspent gas;
//! running out of ink or stack consumes all of it.

use crate::arbwasm;
use crate::host::{CallKind, Env, HostData, HostReq, Meter};
use crate::instrument::{INK_LEFT, INK_STATUS, STACK_LEFT};
use crate::pricing::{return_data_gas, write_ink, EVM_API_INK};
use crate::profile::{Category, GasProfile};
use crate::runtime::StylusRuntime;
use revm::context::{ContextTr, JournalTr};
use revm::context_interface::context::take_error;
use revm::context_interface::journaled_state::JournalCheckpoint;
use revm::context_interface::{Cfg, Host};
use revm::handler::evm::ContextDbError;
use revm::handler::{FrameInitOrResult, FrameResult, ItemOrResult};
use revm::interpreter::instructions::contract::load_account_delegated;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{
    CallInput, CallInputs, CallOutcome, CallScheme, CallValue, CreateInputs, CreateScheme,
    FrameInput, Gas, InstructionResult, InterpreterResult, SharedMemory,
};
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, Log, LogData, B256, U256};
use wasmi::{Store, TypedFunc, TypedResumableCall, TypedResumableCallHostTrap, Val};

/// What the suspended program waits for from a child frame.
#[derive(Debug)]
enum Pending {
    /// A call: where the return data's length goes, its base cost and the gas it was given.
    Call { ret_len: u32, base: u64, given: u64 },
    /// A create: where the address and the revert data's length go, the gas left before it and
    /// the 64th the program kept.
    Create {
        contract: u32,
        revert_len: u32,
        before: u64,
        kept: u64,
    },
}

/// How a program call ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// `user_entrypoint` returned 0.
    Return,
    /// It returned anything else.
    Revert,
    /// A trap or a host call with bad arguments.
    Failure,
    /// The ink ran out.
    OutOfInk,
    /// The stack budget ran out.
    OutOfStack,
}

/// One running call of a Stylus program.
pub struct StylusFrame {
    /// The call depth.
    pub depth: usize,
    checkpoint: JournalCheckpoint,
    inputs: Box<CallInputs>,
    /// The parent's shared memory: only used to give child EVM frames their contexts.
    pub memory: SharedMemory,
    /// The frame's gas after the entry cost; while the program runs its ink is the truth.
    gas: Gas,
    /// The gas the call was given, before the entry cost.
    start_gas: u64,
    store: Store<HostData>,
    entry: TypedFunc<i32, i32>,
    meter: Meter,
    ink_price: u64,
    suspended: Option<(TypedResumableCallHostTrap<i32>, Pending)>,
    /// The result of the child frame the program waits for.
    pub child_result: Option<FrameResult>,
    started: bool,
    /// Why the program failed, for [`StylusRuntime::last_trap`].
    trap: Option<String>,
    /// The pages open before this call, restored when it ends.
    open_pages: u32,
    /// The entry cost paid.
    entry_gas: u64,
    /// The gas the return-data floor took beyond what the program spent.
    floor_gas: u64,
    /// Whether the frame has produced its result.
    pub finished: bool,
}

type Init<CTX> = Result<ItemOrResult<StylusFrame, FrameResult>, ContextDbError<CTX>>;
type Run<CTX> = Result<FrameInitOrResult<crate::evm::AnyFrame>, ContextDbError<CTX>>;

fn call_result(r: InstructionResult, gas: Gas, inputs: &CallInputs) -> FrameResult {
    FrameResult::Call(CallOutcome::new(
        InterpreterResult::new(r, Bytes::new(), gas),
        inputs.return_memory_offset.clone(),
    ))
}

/// Ends a call before the program runs: the journal rolled back, all gas consumed.
fn fail_early<CTX: ContextTr>(
    ctx: &mut CTX,
    checkpoint: JournalCheckpoint,
    mut gas: Gas,
    inputs: &CallInputs,
    r: InstructionResult,
) -> ItemOrResult<StylusFrame, FrameResult> {
    ctx.journal_mut().checkpoint_revert(checkpoint);
    gas.spend_all();
    ItemOrResult::Result(call_result(r, gas, inputs))
}

impl StylusFrame {
    /// Starts a call of the program at `inputs.known_bytecode`: checks the depth, takes a
    /// checkpoint, transfers the value, pays the entry cost and instantiates the (cached,
    /// instrumented) module with the remaining gas as ink.
    pub fn init<CTX: ContextTr>(
        ctx: &mut CTX,
        rt: &mut StylusRuntime,
        depth: usize,
        memory: SharedMemory,
        inputs: Box<CallInputs>,
    ) -> Init<CTX> {
        let mut gas = Gas::new_with_regular_gas_and_reservoir(inputs.gas_limit, inputs.reservoir);
        if depth > revm::primitives::constants::CALL_STACK_LIMIT as usize {
            return Ok(ItemOrResult::Result(call_result(
                InstructionResult::CallTooDeep,
                gas,
                &inputs,
            )));
        }
        let checkpoint = ctx.journal_mut().checkpoint();
        if let CallValue::Transfer(value) = inputs.value {
            if let Some(e) =
                ctx.journal_mut()
                    .transfer_loaded(inputs.caller, inputs.target_address, value)
            {
                ctx.journal_mut().checkpoint_revert(checkpoint);
                return Ok(ItemOrResult::Result(call_result(e.into(), gas, &inputs)));
            }
        }
        let target = inputs.target_address;
        let (hash, code) = &inputs.known_bytecode;
        // A program that was never activated, is outdated or has expired fails before it runs,
        // with a Go error that is no revert: all gas consumed, no data (nitro 6dce8d13,
        // arbos/programs/programs.go:213-216; go-ethereum 49b38a63, core/vm/evm.go:326-336).
        if let Err(e) = arbwasm::check_callable(ctx, rt, *hash)? {
            rt.trapped(inputs.bytecode_address, arbwasm::error_text(&e));
            let r = InstructionResult::NotActivated;
            return Ok(fail_early(ctx, checkpoint, gas, &inputs, r));
        }
        let program = match rt.program(*hash, code.original_byte_slice()) {
            Ok(p) => p,
            Err(e) => {
                // The reason is also kept in the runtime (`StylusRuntime::error`).
                rt.trapped(target, format!("invalid program: {e}"));
                let r = InstructionResult::InvalidFEOpcode;
                return Ok(fail_early(ctx, checkpoint, gas, &inputs, r));
            }
        };

        // The entry cost: the module's memory, then its init cost (less when cached).
        let params = rt.params().clone();
        let cached = rt.cached(*hash, ctx.block_number().saturating_to());
        let entry_gas = rt
            .pages
            .cost(program.footprint, &params)
            .saturating_add(params.entry_gas(program.init_costs, cached));
        if !gas.record_regular_cost(entry_gas) {
            let why = format!("the entry cost of {entry_gas} gas exceeds the call's gas");
            rt.trapped(target, why);
            let r = InstructionResult::OutOfGas;
            return Ok(fail_early(ctx, checkpoint, gas, &inputs, r));
        }
        let open_pages = rt.pages.open;
        rt.pages.add(program.footprint);

        let env = Env {
            sender: inputs.caller,
            value: inputs.call_value(),
            contract: target,
            origin: ctx.caller(),
            gas_price: U256::from(ctx.effective_gas_price()),
            basefee: ctx.basefee(),
            coinbase: ctx.beneficiary(),
            gas_limit: ctx.gas_limit().saturating_to(),
            number: ctx.block_number().saturating_to(),
            timestamp: ctx.timestamp().saturating_to(),
            chain_id: ctx.chain_id().saturating_to(),
            reentrant: rt.reentrant(target),
        };
        let data = HostData {
            args: inputs.input.bytes(ctx).to_vec(),
            env,
            ink_price: params.ink_price,
            ..Default::default()
        };
        let mut store = Store::new(&rt.engine, data);
        let instance = rt.linker.instantiate_and_start(&mut store, &program.module);
        let parts = match instance {
            Ok(i) => {
                let global = |name| i.get_global(&store, name);
                let meter = match (global(INK_LEFT), global(INK_STATUS), global(STACK_LEFT)) {
                    (Some(ink), Some(status), Some(stack)) => Some(Meter { ink, status, stack }),
                    _ => None,
                };
                let mem = i.get_memory(&store, "memory");
                let entry = i.get_typed_func::<i32, i32>(&store, "user_entrypoint").ok();
                meter.zip(mem).zip(entry)
            }
            Err(e) => {
                rt.trapped(target, format!("instantiation failed: {e}"));
                None
            }
        };
        let Some(((meter, mem), entry)) = parts else {
            // The instrumentation guarantees the exports; a failed instantiation is a trap.
            rt.pages.open = open_pages;
            let r = InstructionResult::InvalidFEOpcode;
            return Ok(fail_early(ctx, checkpoint, gas, &inputs, r));
        };
        store.data_mut().memory = Some(mem);
        store.data_mut().meter = Some(meter);
        let ink = params.gas_to_ink(gas.remaining());
        // The globals were made mutable and of these types by the instrumentation.
        let _ = meter.ink.set(&mut store, Val::I64(ink as i64));
        let _ = meter
            .stack
            .set(&mut store, Val::I32(params.max_stack_depth as i32));
        Ok(ItemOrResult::Item(StylusFrame {
            depth,
            checkpoint,
            start_gas: inputs.gas_limit,
            inputs,
            memory,
            gas,
            store,
            entry,
            meter,
            ink_price: params.ink_price,
            suspended: None,
            child_result: None,
            started: false,
            trap: None,
            open_pages,
            entry_gas,
            floor_gas: 0,
            finished: false,
        }))
    }

    /// The program's address (its storage context).
    pub fn target(&self) -> Address {
        self.inputs.target_address
    }

    fn ink(&self) -> u64 {
        self.meter.ink.get(&self.store).i64().unwrap_or(0) as u64
    }

    fn set_ink(&mut self, ink: u64) {
        // The global is a mutable i64 (the instrumentation made it).
        let _ = self.meter.ink.set(&mut self.store, Val::I64(ink as i64));
    }

    /// Whole gas left.
    fn gas_left(&self) -> u64 {
        self.ink() / self.ink_price
    }

    /// Charges `gas` as ink to `category`; false (and the status set) when it is not there.
    fn buy_gas(&mut self, gas: u64, category: Category) -> bool {
        let cost = gas.saturating_mul(self.ink_price);
        self.buy_ink(cost, category)
    }

    /// Charges `ink` to `category`; false (and the status set) when it is not there.
    fn buy_ink(&mut self, ink: u64, category: Category) -> bool {
        self.store.data_mut().spent.add(category, ink);
        match self.ink().checked_sub(ink) {
            Some(rest) => {
                self.set_ink(rest);
                true
            }
            None => {
                let _ = self.meter.status.set(&mut self.store, Val::I32(1));
                false
            }
        }
    }

    /// Writes a host call's result into guest memory; false (and a failure reason) when the
    /// range is out of bounds.
    fn write_memory(&mut self, ptr: u32, data: &[u8]) -> bool {
        let m = self.store.data().memory.expect("memory is set at init");
        let ok = m.write(&mut self.store, ptr as usize, data).is_ok();
        if !ok {
            self.trap = Some(format!(
                "host wrote {} bytes out of bounds at {ptr:#x}",
                data.len()
            ));
        }
        ok
    }

    /// Why a trap happened: the stack or the ink ran out, or it is a failure.
    fn classify(&mut self, reason: String) -> Exit {
        let stack = self.meter.stack.get(&self.store).i32().unwrap_or(1);
        let status = self.meter.status.get(&self.store).i32().unwrap_or(0);
        let exit = if stack == 0 {
            Exit::OutOfStack
        } else if status != 0 {
            Exit::OutOfInk
        } else {
            Exit::Failure
        };
        self.trap = Some(match exit {
            Exit::OutOfStack => "out of stack".into(),
            Exit::OutOfInk => "out of ink".into(),
            _ => reason,
        });
        exit
    }

    fn finish<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        rt: &mut StylusRuntime,
        exit: Exit,
    ) -> FrameResult {
        let left = match exit {
            Exit::OutOfInk | Exit::OutOfStack => 0,
            _ => self.gas_left(),
        };
        let spent = self.gas.remaining().saturating_sub(left);
        let _ = self.gas.record_regular_cost(spent);
        let mut output = match exit {
            Exit::Return | Exit::Revert => std::mem::take(&mut self.store.data_mut().output),
            _ => Vec::new(),
        };
        let mut result = match exit {
            Exit::Return => InstructionResult::Return,
            Exit::Revert | Exit::Failure => InstructionResult::Revert,
            Exit::OutOfInk => InstructionResult::OutOfGas,
            Exit::OutOfStack => InstructionResult::CallTooDeep,
        };
        // A call that returns data consumes at least the EVM memory cost of that data.
        if !output.is_empty() {
            let floor = return_data_gas(output.len());
            match self.start_gas.checked_sub(floor) {
                Some(cap) => {
                    let over = self.gas.remaining().saturating_sub(cap);
                    let _ = self.gas.record_regular_cost(over);
                    self.floor_gas = over;
                }
                None => {
                    result = InstructionResult::OutOfGas;
                    output.clear();
                }
            }
        }
        if !matches!(exit, Exit::Return | Exit::Revert) {
            let reason = self.trap.take().unwrap_or_else(|| "trap".into());
            rt.trapped(self.inputs.target_address, reason);
        }
        if result.is_ok() {
            ctx.journal_mut().checkpoint_commit();
        } else {
            ctx.journal_mut().checkpoint_revert(self.checkpoint);
        }
        if !result.is_ok_or_revert() {
            self.gas.spend_all();
        }
        rt.pages.open = self.open_pages;
        rt.record(self.profile());
        self.finished = true;
        FrameResult::Call(CallOutcome::new(
            InterpreterResult::new(result, output.into(), self.gas),
            self.inputs.return_memory_offset.clone(),
        ))
    }

    /// Where the call's gas went (after `finish` has settled it). Execution is what remains
    /// after the other parts, so it also holds the ink lost rounding down to whole gas.
    fn profile(&self) -> GasProfile {
        let p = self.ink_price;
        let spent = self.store.data().spent;
        let total = self.start_gas.saturating_sub(self.gas.remaining());
        let mut g = GasProfile {
            address: self.inputs.target_address,
            depth: self.depth,
            entry: self.entry_gas,
            execution: 0,
            host: spent.host / p,
            storage: spent.storage / p,
            calls: spent.calls / p,
            memory: spent.memory / p,
            logs: spent.logs / p,
            other: self.floor_gas,
            total,
        };
        let counted = g.entry + g.host + g.storage + g.calls + g.memory + g.logs + g.other;
        g.execution = total.saturating_sub(counted);
        g
    }

    /// One `frame_run`: starts or resumes the program and runs it until it finishes or asks
    /// for a child frame.
    pub fn run<CTX: ContextTr>(&mut self, ctx: &mut CTX, rt: &mut StylusRuntime) -> Run<CTX> {
        let mut step = if !self.started {
            self.started = true;
            let len = self.store.data().args.len() as i32;
            self.entry.call_resumable(&mut self.store, len)
        } else {
            match self.resume_after_child(ctx) {
                Ok(step) => step,
                Err(exit) => return Ok(ItemOrResult::Result(self.finish(ctx, rt, exit))),
            }
        };
        loop {
            let inv = match step {
                Ok(TypedResumableCall::Finished(status)) => {
                    let exit = if status == 0 {
                        Exit::Return
                    } else {
                        Exit::Revert
                    };
                    return Ok(ItemOrResult::Result(self.finish(ctx, rt, exit)));
                }
                Ok(TypedResumableCall::OutOfFuel(_)) => {
                    // Fuel metering is off; kept for completeness.
                    return Ok(ItemOrResult::Result(self.finish(ctx, rt, Exit::OutOfInk)));
                }
                // A wasm trap: unreachable (also how the meter stops), out-of-bounds access, ...
                Err(e) => {
                    let exit = self.classify(e.to_string());
                    return Ok(ItemOrResult::Result(self.finish(ctx, rt, exit)));
                }
                Ok(TypedResumableCall::HostTrap(inv)) => inv,
            };
            let Some(req) = inv.host_error().downcast_ref::<HostReq>().cloned() else {
                // A hook failed: out of ink, or bad arguments.
                let exit = self.classify(inv.host_error().to_string());
                return Ok(ItemOrResult::Result(self.finish(ctx, rt, exit)));
            };
            match self.serve(ctx, rt, req)? {
                Served::Resume(results) => step = inv.resume(&mut self.store, &results),
                Served::Child(init, pending) => {
                    self.suspended = Some((inv, pending));
                    return Ok(ItemOrResult::Item(init));
                }
                Served::Exit(exit) => {
                    if exit == Exit::OutOfInk {
                        let _ = self.meter.status.set(&mut self.store, Val::I32(1));
                    }
                    return Ok(ItemOrResult::Result(self.finish(ctx, rt, exit)));
                }
            }
        }
    }

    fn resume_after_child<CTX: ContextTr>(
        &mut self,
        _ctx: &mut CTX,
    ) -> Result<Result<TypedResumableCall<i32>, wasmi::Error>, Exit> {
        let (inv, pending) = self.suspended.take().expect("a child was started");
        let result = self.child_result.take().expect("the child returned");
        let (ins, child_gas, output, address) = match result {
            FrameResult::Call(out) => (out.result.result, out.result.gas, out.result.output, None),
            FrameResult::Create(out) => (
                out.result.result,
                out.result.gas,
                out.result.output,
                out.address,
            ),
        };
        let returned = if ins.is_ok_or_revert() {
            child_gas.remaining()
        } else {
            0
        };
        if ins.is_ok() {
            self.gas.record_refund(child_gas.refunded());
        }
        let ok = ins.is_ok();
        let results = match pending {
            Pending::Call {
                ret_len,
                base,
                given,
            } => {
                if !self.buy_gas(
                    base.saturating_add(given.saturating_sub(returned)),
                    Category::Calls,
                ) {
                    return Err(Exit::OutOfInk);
                }
                let len = output.len() as u32;
                self.store.data_mut().return_data = output.to_vec();
                if !self.write_memory(ret_len, &len.to_le_bytes()) {
                    return Err(Exit::Failure);
                }
                vec![Val::I32(if ok { 0 } else { 2 })]
            }
            Pending::Create {
                contract,
                revert_len,
                before,
                kept,
            } => {
                if !self.buy_gas(
                    before.saturating_sub(returned).saturating_sub(kept),
                    Category::Calls,
                ) {
                    return Err(Exit::OutOfInk);
                }
                let created = address.filter(|_| ok).unwrap_or(Address::ZERO);
                // A create's return data is its revert data; empty otherwise.
                let data = if ins == InstructionResult::Revert {
                    output.to_vec()
                } else {
                    Vec::new()
                };
                let len = data.len() as u32;
                self.store.data_mut().return_data = data;
                if !self.write_memory(contract, created.as_slice())
                    || !self.write_memory(revert_len, &len.to_le_bytes())
                {
                    return Err(Exit::Failure);
                }
                Vec::new()
            }
        };
        Ok(inv.resume(&mut self.store, &results))
    }

    fn serve<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        rt: &mut StylusRuntime,
        req: HostReq,
    ) -> Result<Served, ContextDbError<CTX>> {
        let target = self.inputs.target_address;
        let oob = Served::Exit(Exit::Failure);
        let out_of_ink = Served::Exit(Exit::OutOfInk);
        let api_gas = EVM_API_INK / self.ink_price;
        Ok(match req {
            HostReq::SLoad {
                key,
                dest,
                surcharge,
            } => {
                let Some(sl) = ctx.sload(target, key.into()) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(oob);
                };
                let value = B256::from(sl.data);
                let sload = if sl.is_cold { 2_100 } else { 100 };
                if !self.buy_gas(surcharge + sload + api_gas, Category::Storage) {
                    return Ok(out_of_ink);
                }
                self.store.data_mut().cache.loaded(key, value);
                if !self.write_memory(dest, value.as_slice()) {
                    return Ok(oob);
                }
                Served::Resume(Vec::new())
            }
            HostReq::Flush { slots } => {
                if self.inputs.is_static {
                    self.trap = Some("storage write in a static call".into());
                    return Ok(oob);
                }
                let budget = self.gas_left();
                let mut cost: u64 = 0;
                for (k, v) in slots {
                    let Some(sl) = ctx.sstore(target, k.into(), v.into()) else {
                        take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                        return Ok(oob);
                    };
                    let gp = ctx.cfg().gas_params();
                    cost +=
                        gp.sstore_static_gas() + gp.sstore_dynamic_gas(true, &sl.data, sl.is_cold);
                    self.gas.record_refund(gp.sstore_refund(true, &sl.data));
                    if cost > budget {
                        return Ok(out_of_ink);
                    }
                }
                if !self.buy_gas(cost, Category::Storage) {
                    return Ok(out_of_ink);
                }
                Served::Resume(Vec::new())
            }
            HostReq::Balance { address, dest } => {
                let Some(b) = ctx.balance(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(oob);
                };
                if !self.buy_gas(account_cost(b.is_cold), Category::Host) {
                    return Ok(out_of_ink);
                }
                if !self.write_memory(dest, &b.data.to_be_bytes::<32>()) {
                    return Ok(oob);
                }
                Served::Resume(Vec::new())
            }
            HostReq::Code {
                address,
                offset,
                size,
                dest,
            } => {
                let Some(code) = self.code(ctx, address)? else {
                    return Ok(out_of_ink);
                };
                if !self.buy_ink(write_ink(code.len()), Category::Host) {
                    return Ok(out_of_ink);
                }
                let start = (offset as usize).min(code.len());
                let end = start.saturating_add(size as usize).min(code.len());
                if !self.write_memory(dest, &code[start..end]) {
                    return Ok(oob);
                }
                Served::Resume(vec![Val::I32((end - start) as i32)])
            }
            HostReq::CodeSize { address } => {
                let Some(code) = self.code(ctx, address)? else {
                    return Ok(out_of_ink);
                };
                Served::Resume(vec![Val::I32(code.len() as i32)])
            }
            HostReq::CodeHash { address, dest } => {
                let Some(hash) = ctx.load_account_code_hash(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(oob);
                };
                if !self.buy_gas(account_cost(hash.is_cold), Category::Host) {
                    return Ok(out_of_ink);
                }
                if !self.write_memory(dest, hash.data.as_slice()) {
                    return Ok(oob);
                }
                Served::Resume(Vec::new())
            }
            HostReq::Log { topics, data } => {
                if self.inputs.is_static {
                    self.trap = Some("a log in a static call".into());
                    return Ok(oob);
                }
                ctx.log(Log {
                    address: target,
                    data: LogData::new_unchecked(topics, data.into()),
                });
                Served::Resume(Vec::new())
            }
            HostReq::MemoryGrow { pages } => {
                let cost = rt.pages.cost(pages, rt.params());
                rt.pages.add(pages);
                if !self.buy_gas(cost, Category::Memory) {
                    return Ok(out_of_ink);
                }
                Served::Resume(Vec::new())
            }
            HostReq::Call {
                kind,
                to,
                input,
                value,
                gas,
                ret_len,
            } => self.call(ctx, kind, to, input, value, gas, ret_len)?,
            HostReq::Create {
                salt,
                code,
                value,
                contract,
                revert_len,
            } => self.create(ctx, salt, code, value, contract, revert_len),
        })
    }

    /// The code of `address` for `account_code` and `account_code_size`, paying for it: free
    /// when the frame's previous request was for the same account, else 700 gas and the
    /// account access. `None` when the gas is not there.
    fn code<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        address: Address,
    ) -> Result<Option<Vec<u8>>, ContextDbError<CTX>> {
        if let Some((a, code)) = &self.store.data().last_code {
            if *a == address {
                return Ok(Some(code.clone()));
            }
        }
        let Some(code) = ctx.load_account_code(address) else {
            take_error::<ContextDbError<CTX>, _>(ctx.error())?;
            return Ok(None);
        };
        let cost = 700 + account_cost(code.is_cold);
        if !self.buy_gas(cost, Category::Host) {
            return Ok(None);
        }
        let code = code.data.to_vec();
        self.store.data_mut().last_code = Some((address, code.clone()));
        Ok(Some(code))
    }

    /// Prices and starts a child call as Stylus does: the account access, value and new-account
    /// costs, then at most 63/64 of the gas left (and what the program offered), plus the
    /// stipend when value moves; the child's unused gas comes back when it returns.
    #[allow(clippy::too_many_arguments)]
    fn call<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        kind: CallKind,
        to: Address,
        input: Vec<u8>,
        value: U256,
        gas: u64,
        ret_len: u32,
    ) -> Result<Served, ContextDbError<CTX>> {
        let has_transfer = kind == CallKind::Call && !value.is_zero();
        let refuse = |frame: &mut Self| {
            frame.store.data_mut().return_data.clear();
            if frame.write_memory(ret_len, &0u32.to_le_bytes()) {
                Served::Resume(vec![Val::I32(2)])
            } else {
                Served::Exit(Exit::Failure)
            }
        };
        if self.inputs.is_static && has_transfer {
            return Ok(refuse(self));
        }
        let g = self.gas_left();
        let spec: SpecId = ctx.cfg().spec().into();
        let loaded = load_account_delegated(ctx, spec, g, to, has_transfer, kind == CallKind::Call);
        let Ok((access, _state_gas, bytecode, hash)) = loaded else {
            take_error::<ContextDbError<CTX>, _>(ctx.error())?;
            let _ = self.buy_gas(g, Category::Calls);
            return Ok(refuse(self));
        };
        let mut base = ctx.gas_params().warm_storage_read_cost() + access;
        if has_transfer {
            base += ctx.gas_params().transfer_value_cost();
        }
        if base > g {
            // Stylus charges all the gas left and the call fails.
            let _ = self.buy_gas(g, Category::Calls);
            return Ok(refuse(self));
        }
        let all_but_64th = ((u128::from(g - base) * 63) / 64) as u64;
        let mut given = all_but_64th.min(gas);
        if has_transfer {
            given += ctx.gas_params().call_stipend();
        }
        let (scheme, target_address, caller, call_value) = match kind {
            CallKind::Delegate => (
                CallScheme::DelegateCall,
                self.inputs.target_address,
                self.inputs.caller,
                CallValue::Apparent(self.inputs.call_value()),
            ),
            CallKind::Static => (
                CallScheme::StaticCall,
                to,
                self.inputs.target_address,
                CallValue::Transfer(U256::ZERO),
            ),
            CallKind::Call => (
                CallScheme::Call,
                to,
                self.inputs.target_address,
                CallValue::Transfer(value),
            ),
        };
        let inputs = CallInputs {
            input: CallInput::Bytes(input.into()),
            return_memory_offset: 0..0,
            gas_limit: given,
            reservoir: self.gas.reservoir(),
            bytecode_address: to,
            known_bytecode: (hash, bytecode),
            target_address,
            caller,
            value: call_value,
            scheme,
            is_static: self.inputs.is_static || kind == CallKind::Static,
            charged_new_account_state_gas: false,
        };
        Ok(Served::Child(
            FrameInit {
                depth: self.depth + 1,
                memory: self.memory.new_child_context(),
                frame_input: FrameInput::Call(Box::new(inputs)),
            },
            Pending::Call {
                ret_len,
                base,
                given,
            },
        ))
    }

    /// Prices and starts a child create as Stylus does: 32,000 gas (and the hashing words of
    /// CREATE2), then all but a 64th of the rest for the child.
    fn create<CTX: ContextTr>(
        &mut self,
        _ctx: &mut CTX,
        salt: Option<B256>,
        code: Vec<u8>,
        value: U256,
        contract: u32,
        revert_len: u32,
    ) -> Served {
        if self.inputs.is_static {
            self.trap = Some("a create in a static call".into());
            return Served::Exit(Exit::Failure);
        }
        let before = self.gas_left();
        let base = 32_000
            + match salt {
                Some(_) => 6 * (code.len() as u64).div_ceil(32),
                None => 0,
            };
        let Some(rest) = before.checked_sub(base) else {
            self.trap = Some("too little gas for a create".into());
            return Served::Exit(Exit::Failure);
        };
        let kept = rest / 64;
        let scheme = match salt {
            Some(s) => CreateScheme::Create2 {
                salt: U256::from_be_bytes(s.0),
            },
            None => CreateScheme::Create,
        };
        let inputs = CreateInputs::new(
            self.inputs.target_address,
            scheme,
            value,
            code.into(),
            rest - kept,
            self.gas.reservoir(),
        );
        Served::Child(
            FrameInit {
                depth: self.depth + 1,
                memory: self.memory.new_child_context(),
                frame_input: FrameInput::Create(Box::new(inputs)),
            },
            Pending::Create {
                contract,
                revert_len,
                before,
                kept,
            },
        )
    }
}

/// The EIP-2929 cost of touching an account.
fn account_cost(is_cold: bool) -> u64 {
    if is_cold {
        2_600
    } else {
        100
    }
}

/// How the frame answers a host request.
enum Served {
    /// Resume the program with these results.
    Resume(Vec<Val>),
    /// Run a child frame first.
    Child(FrameInit, Pending),
    /// Stop the program.
    Exit(Exit),
}

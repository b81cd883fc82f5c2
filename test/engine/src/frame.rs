//! The Stylus frame: one call of a Stylus program inside revm's frame loop.
//!
//! It is built like revm's own call frame (depth check, journal checkpoint, value transfer), runs
//! `user_entrypoint` in a fresh instance of the cached module as a resumable wasmi call, performs
//! each [`HostReq`] the program suspends with against the journal, and hands outgoing calls and
//! creates to revm as child frames, resuming the program with their results. It commits its
//! checkpoint when the program returns 0 and reverts it otherwise, so a revert at any depth rolls
//! back exactly what the EVM would.

use crate::host::{CallKind, Env, HostData, HostReq};
use crate::pricing::INK_PER_GAS;
use crate::runtime::StylusRuntime;
use revm::context::{ContextTr, JournalTr};
use revm::context_interface::context::take_error;
use revm::context_interface::journaled_state::JournalCheckpoint;
use revm::context_interface::{Cfg, Host};
use revm::handler::evm::ContextDbError;
use revm::handler::{handle_reservoir_remaining_gas, FrameInitOrResult, FrameResult, ItemOrResult};
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
    /// A call; the return data's length goes to `ret_len`.
    Call { ret_len: u32 },
    /// A create; the address goes to `contract`, the revert data's length to `revert_len`.
    Create { contract: u32, revert_len: u32 },
}

/// One running call of a Stylus program.
pub struct StylusFrame {
    /// The call depth.
    pub depth: usize,
    checkpoint: JournalCheckpoint,
    inputs: Box<CallInputs>,
    /// The parent's shared memory: only used to give child EVM frames their contexts.
    pub memory: SharedMemory,
    gas: Gas,
    store: Store<HostData>,
    entry: TypedFunc<i32, i32>,
    suspended: Option<(TypedResumableCallHostTrap<i32>, Pending)>,
    /// The result of the child frame the program waits for.
    pub child_result: Option<FrameResult>,
    started: bool,
    /// Why the program trapped, for [`StylusRuntime::last_trap`].
    trap: Option<String>,
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

impl StylusFrame {
    /// Starts a call of the program at `inputs.known_bytecode`: checks the depth, takes a
    /// checkpoint, transfers the value, and instantiates the (cached, validated) module.
    pub fn init<CTX: ContextTr>(
        ctx: &mut CTX,
        rt: &mut StylusRuntime,
        depth: usize,
        memory: SharedMemory,
        inputs: Box<CallInputs>,
    ) -> Init<CTX> {
        let gas = Gas::new_with_regular_gas_and_reservoir(inputs.gas_limit, inputs.reservoir);
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
        let (hash, code) = &inputs.known_bytecode;
        let program = match rt.program(*hash, code.original_byte_slice()) {
            Ok(p) => p,
            Err(e) => {
                // The reason is also kept in the runtime (`StylusRuntime::error`).
                rt.trapped(inputs.target_address, format!("invalid program: {e}"));
                ctx.journal_mut().checkpoint_revert(checkpoint);
                let mut gas = gas;
                gas.spend_all();
                return Ok(ItemOrResult::Result(call_result(
                    InstructionResult::InvalidFEOpcode,
                    gas,
                    &inputs,
                )));
            }
        };
        let env = Env {
            sender: inputs.caller,
            value: inputs.call_value(),
            contract: inputs.target_address,
            origin: ctx.caller(),
            gas_price: U256::from(ctx.effective_gas_price()),
            basefee: ctx.basefee(),
            coinbase: ctx.beneficiary(),
            gas_limit: ctx.gas_limit().saturating_to(),
            number: ctx.block_number().saturating_to(),
            timestamp: ctx.timestamp().saturating_to(),
            chain_id: ctx.chain_id().saturating_to(),
            reentrant: rt.enter(inputs.target_address),
        };
        let data = HostData {
            args: inputs.input.bytes(ctx).to_vec(),
            env,
            ..Default::default()
        };
        let mut store = Store::new(&rt.engine, data);
        let instance = rt.linker.instantiate_and_start(&mut store, &program.module);
        if let Err(e) = &instance {
            rt.trapped(inputs.target_address, format!("instantiation failed: {e}"));
        }
        let parts = instance.ok().and_then(|i| {
            let m = i.get_memory(&store, "memory")?;
            let e = i
                .get_typed_func::<i32, i32>(&store, "user_entrypoint")
                .ok()?;
            Some((m, e))
        });
        let Some((mem, entry)) = parts else {
            // Validation guarantees both exports; a failed start is a trap.
            rt.leave(inputs.target_address);
            ctx.journal_mut().checkpoint_revert(checkpoint);
            let mut gas = gas;
            gas.spend_all();
            return Ok(ItemOrResult::Result(call_result(
                InstructionResult::InvalidFEOpcode,
                gas,
                &inputs,
            )));
        };
        store.data_mut().memory = Some(mem);
        let mut frame = StylusFrame {
            depth,
            checkpoint,
            inputs,
            memory,
            gas,
            store,
            entry,
            suspended: None,
            child_result: None,
            started: false,
            trap: None,
            finished: false,
        };
        frame.sync_to_fuel();
        Ok(ItemOrResult::Item(frame))
    }

    /// The program's address (its storage context).
    pub fn target(&self) -> Address {
        self.inputs.target_address
    }

    fn sync_to_fuel(&mut self) {
        let ink = self.gas.remaining().saturating_mul(INK_PER_GAS);
        // Fuel metering is on in every engine this crate builds.
        self.store.set_fuel(ink).expect("fuel metering is enabled");
    }

    fn sync_from_fuel(&mut self) {
        let left = self.store.get_fuel().unwrap_or(0) / INK_PER_GAS;
        let used = self.gas.remaining().saturating_sub(left);
        let _ = self.gas.record_regular_cost(used);
    }

    /// Charges `cost` gas; false when it is not there (the frame then halts out of gas).
    fn charge(&mut self, cost: u64) -> bool {
        self.gas.record_regular_cost(cost)
    }

    /// Writes a host call's result into guest memory; false (and a trap reason) when the
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

    fn finish<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        rt: &mut StylusRuntime,
        mut result: InstructionResult,
    ) -> FrameResult {
        if result == InstructionResult::Return {
            // Stylus flushes what the program left in its cache when it returns.
            let slots = self.store.data_mut().cache.take_dirty(false);
            if !slots.is_empty() {
                if let Err(r) = self.sstore(ctx, slots) {
                    result = r;
                }
            }
        }
        if result == InstructionResult::InvalidFEOpcode {
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
        rt.leave(self.inputs.target_address);
        self.finished = true;
        let output = match result {
            InstructionResult::Return | InstructionResult::Revert => {
                Bytes::from(std::mem::take(&mut self.store.data_mut().output))
            }
            _ => Bytes::new(),
        };
        FrameResult::Call(CallOutcome::new(
            InterpreterResult::new(result, output, self.gas),
            self.inputs.return_memory_offset.clone(),
        ))
    }

    /// Writes slots to storage with EVM SSTORE pricing and refunds.
    fn sstore<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        slots: Vec<(B256, B256)>,
    ) -> Result<(), InstructionResult> {
        // A flush with nothing dirty writes nothing, so it is fine in a static call.
        if self.inputs.is_static && !slots.is_empty() {
            return Err(InstructionResult::StateChangeDuringStaticCall);
        }
        let target = self.inputs.target_address;
        for (k, v) in slots {
            let Some(sl) = ctx.sstore(target, k.into(), v.into()) else {
                return Err(InstructionResult::FatalExternalError);
            };
            let gp = ctx.cfg().gas_params();
            let cost = gp.sstore_static_gas() + gp.sstore_dynamic_gas(true, &sl.data, sl.is_cold);
            let refund = gp.sstore_refund(true, &sl.data);
            if !self.charge(cost) {
                return Err(InstructionResult::OutOfGas);
            }
            self.gas.record_refund(refund);
        }
        Ok(())
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
                Err(r) => return Ok(ItemOrResult::Result(self.finish(ctx, rt, r))),
            }
        };
        loop {
            let inv = match step {
                Ok(TypedResumableCall::Finished(status)) => {
                    self.sync_from_fuel();
                    let r = if status == 0 {
                        InstructionResult::Return
                    } else {
                        InstructionResult::Revert
                    };
                    return Ok(ItemOrResult::Result(self.finish(ctx, rt, r)));
                }
                Ok(TypedResumableCall::OutOfFuel(_)) => {
                    return Ok(ItemOrResult::Result(self.finish(
                        ctx,
                        rt,
                        InstructionResult::OutOfGas,
                    )));
                }
                // A wasm trap: unreachable, out-of-bounds access, stack overflow, ...
                Err(e) => {
                    self.trap = Some(e.to_string());
                    return Ok(ItemOrResult::Result(self.finish(
                        ctx,
                        rt,
                        InstructionResult::InvalidFEOpcode,
                    )));
                }
                Ok(TypedResumableCall::HostTrap(inv)) => inv,
            };
            self.sync_from_fuel();
            let Some(req) = inv.host_error().downcast_ref::<HostReq>().cloned() else {
                // A host function failed (a pointer out of bounds, too many topics): a trap.
                self.trap = Some(inv.host_error().to_string());
                return Ok(ItemOrResult::Result(self.finish(
                    ctx,
                    rt,
                    InstructionResult::InvalidFEOpcode,
                )));
            };
            match self.serve(ctx, req)? {
                Served::Resume(results) => {
                    self.sync_to_fuel();
                    step = inv.resume(&mut self.store, &results);
                }
                Served::Child(init, pending) => {
                    self.suspended = Some((inv, pending));
                    return Ok(ItemOrResult::Item(init));
                }
                Served::Halt(r) => return Ok(ItemOrResult::Result(self.finish(ctx, rt, r))),
            }
        }
    }

    fn resume_after_child<CTX: ContextTr>(
        &mut self,
        _ctx: &mut CTX,
    ) -> Result<Result<TypedResumableCall<i32>, wasmi::Error>, InstructionResult> {
        let (inv, pending) = self.suspended.take().expect("a child was started");
        let result = self.child_result.take().expect("the child returned");
        let (ins, mut child_gas, output, address) = match result {
            FrameResult::Call(out) => (out.result.result, out.result.gas, out.result.output, None),
            FrameResult::Create(out) => (
                out.result.result,
                out.result.gas,
                out.result.output,
                out.address,
            ),
        };
        handle_reservoir_remaining_gas(ins, self.gas.tracker_mut(), child_gas.tracker_mut());
        let ok = ins.is_ok();
        let results = match pending {
            Pending::Call { ret_len } => {
                let len = output.len() as u32;
                self.store.data_mut().return_data = output.to_vec();
                if !self.write_memory(ret_len, &len.to_le_bytes()) {
                    return Err(InstructionResult::InvalidFEOpcode);
                }
                vec![Val::I32(if ok { 0 } else { 1 })]
            }
            Pending::Create {
                contract,
                revert_len,
            } => {
                let created = address.filter(|_| ok).unwrap_or(Address::ZERO);
                // A create's return data is its revert data; empty on success.
                let data = if ok { Vec::new() } else { output.to_vec() };
                let len = data.len() as u32;
                self.store.data_mut().return_data = data;
                if !self.write_memory(contract, created.as_slice())
                    || !self.write_memory(revert_len, &len.to_le_bytes())
                {
                    return Err(InstructionResult::InvalidFEOpcode);
                }
                Vec::new()
            }
        };
        self.sync_to_fuel();
        Ok(inv.resume(&mut self.store, &results))
    }

    fn serve<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        req: HostReq,
    ) -> Result<Served, ContextDbError<CTX>> {
        let target = self.inputs.target_address;
        let halt_oog = Served::Halt(InstructionResult::OutOfGas);
        Ok(match req {
            HostReq::SLoad { key, dest } => {
                let Some(sl) = ctx.sload(target, key.into()) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(Served::Halt(InstructionResult::FatalExternalError));
                };
                let value = B256::from(sl.data);
                self.store.data_mut().cache.loaded(key, value);
                let cost = if sl.is_cold { 2100 } else { 100 };
                if !self.charge(cost) {
                    return Ok(halt_oog);
                }
                if !self.write_memory(dest, value.as_slice()) {
                    return Ok(Served::Halt(InstructionResult::InvalidFEOpcode));
                }
                Served::Resume(Vec::new())
            }
            HostReq::Flush { clear } => {
                let slots = self.store.data_mut().cache.take_dirty(clear);
                match self.sstore(ctx, slots) {
                    Ok(()) => Served::Resume(Vec::new()),
                    Err(r) => Served::Halt(r),
                }
            }
            HostReq::Balance { address, dest } => {
                let Some(b) = ctx.balance(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(Served::Halt(InstructionResult::FatalExternalError));
                };
                if !self.charge(account_cost(b.is_cold)) {
                    return Ok(halt_oog);
                }
                if !self.write_memory(dest, &b.data.to_be_bytes::<32>()) {
                    return Ok(Served::Halt(InstructionResult::InvalidFEOpcode));
                }
                Served::Resume(Vec::new())
            }
            HostReq::Code {
                address,
                offset,
                size,
                dest,
            } => {
                let Some(code) = ctx.load_account_code(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(Served::Halt(InstructionResult::FatalExternalError));
                };
                if !self.charge(account_cost(code.is_cold)) {
                    return Ok(halt_oog);
                }
                let start = (offset as usize).min(code.data.len());
                let end = start.saturating_add(size as usize).min(code.data.len());
                let bytes = code.data[start..end].to_vec();
                if !self.write_memory(dest, &bytes) {
                    return Ok(Served::Halt(InstructionResult::InvalidFEOpcode));
                }
                Served::Resume(vec![Val::I32(bytes.len() as i32)])
            }
            HostReq::CodeSize { address } => {
                let Some(code) = ctx.load_account_code(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(Served::Halt(InstructionResult::FatalExternalError));
                };
                if !self.charge(account_cost(code.is_cold)) {
                    return Ok(halt_oog);
                }
                Served::Resume(vec![Val::I32(code.data.len() as i32)])
            }
            HostReq::CodeHash { address, dest } => {
                let Some(hash) = ctx.load_account_code_hash(address) else {
                    take_error::<ContextDbError<CTX>, _>(ctx.error())?;
                    return Ok(Served::Halt(InstructionResult::FatalExternalError));
                };
                if !self.charge(account_cost(hash.is_cold)) {
                    return Ok(halt_oog);
                }
                if !self.write_memory(dest, hash.data.as_slice()) {
                    return Ok(Served::Halt(InstructionResult::InvalidFEOpcode));
                }
                Served::Resume(Vec::new())
            }
            HostReq::Log { topics, data } => {
                if self.inputs.is_static {
                    return Ok(Served::Halt(InstructionResult::StateChangeDuringStaticCall));
                }
                let cost = ctx
                    .cfg()
                    .gas_params()
                    .log_cost(topics.len() as u8, data.len() as u64);
                if !self.charge(cost) {
                    return Ok(halt_oog);
                }
                ctx.log(Log {
                    address: target,
                    data: LogData::new_unchecked(topics, data.into()),
                });
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

    /// Prices and starts a child call the way the EVM's CALL does (access cost, value transfer,
    /// 63/64 of the gas left at most), after flushing the storage cache as Stylus does.
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
        if self.inputs.is_static && has_transfer {
            return Ok(Served::Halt(InstructionResult::CallNotAllowedInsideStatic));
        }
        // Persist the cache first; a mutating call also drops it (the callee may write here).
        let slots = self
            .store
            .data_mut()
            .cache
            .take_dirty(kind != CallKind::Static);
        if !slots.is_empty() {
            if let Err(r) = self.sstore(ctx, slots) {
                return Ok(Served::Halt(r));
            }
        }
        let spec: SpecId = ctx.cfg().spec().into();
        let mut cost = ctx.gas_params().warm_storage_read_cost();
        if has_transfer {
            cost += ctx.gas_params().transfer_value_cost();
        }
        if !self.charge(cost) {
            return Ok(Served::Halt(InstructionResult::OutOfGas));
        }
        let loaded = load_account_delegated(
            ctx,
            spec,
            self.gas.remaining(),
            to,
            has_transfer,
            kind == CallKind::Call,
        );
        let Ok((dyn_cost, _state_gas, bytecode, hash)) = loaded else {
            take_error::<ContextDbError<CTX>, _>(ctx.error())?;
            return Ok(Served::Halt(InstructionResult::OutOfGas));
        };
        if !self.charge(dyn_cost) {
            return Ok(Served::Halt(InstructionResult::OutOfGas));
        }
        let mut gas_limit = ctx
            .gas_params()
            .call_stipend_reduction(self.gas.remaining())
            .min(gas);
        let _ = self.charge(gas_limit);
        if has_transfer {
            gas_limit += ctx.gas_params().call_stipend();
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
            gas_limit,
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
            Pending::Call { ret_len },
        ))
    }

    /// Prices and starts a child create the way the EVM's CREATE and CREATE2 do.
    fn create<CTX: ContextTr>(
        &mut self,
        ctx: &mut CTX,
        salt: Option<B256>,
        code: Vec<u8>,
        value: U256,
        contract: u32,
        revert_len: u32,
    ) -> Served {
        if self.inputs.is_static {
            return Served::Halt(InstructionResult::StateChangeDuringStaticCall);
        }
        let slots = self.store.data_mut().cache.take_dirty(true);
        if !slots.is_empty() {
            if let Err(r) = self.sstore(ctx, slots) {
                return Served::Halt(r);
            }
        }
        // As the EVM's CREATE (EIP-3860 init code words) and CREATE2 (hashing the init code).
        let gp = ctx.gas_params();
        let cost = gp.initcode_cost(code.len())
            + match salt {
                Some(_) => gp.create2_cost(code.len()),
                None => gp.create_cost(),
            };
        if !self.charge(cost) {
            return Served::Halt(InstructionResult::OutOfGas);
        }
        let gas_limit = ctx
            .gas_params()
            .call_stipend_reduction(self.gas.remaining());
        let _ = self.charge(gas_limit);
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
            gas_limit,
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
            },
        )
    }
}

/// The EIP-2929 cost of touching an account.
fn account_cost(is_cold: bool) -> u64 {
    if is_cold {
        2600
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
    /// Stop the program with this result.
    Halt(InstructionResult),
}

//! An EVM that runs Stylus programs: revm's mainnet EVM with a second frame kind.
//!
//! `frame_init` starts a [`StylusFrame`] for a call to code beginning with `EF F0 00`, answers a
//! call to ArbWasm (`0x71`, [`crate::arbwasm`]) at once, and starts revm's own `EthFrame` for
//! everything else (EVM code, precompiles, creates), so EVM contracts and Stylus programs call
//! each other in one frame loop over one journal, and revm's handler does validation, intrinsic
//! gas, refunds and the commit. A create that deploys a Stylus program records it as activated
//! ([`crate::arbwasm::on_deploy`]). ArbWasm is warm from the start of every transaction, as
//! Arbitrum's precompiles are (go-ethereum 49b38a63, core/vm/contracts.go:248-256).

use crate::arbwasm::{self, ARBWASM};
use crate::frame::StylusFrame;
use crate::program::is_stylus;
use crate::runtime::StylusRuntime;
use revm::context::result::{
    EVMError, ExecResultAndState, ExecutionResult, HaltReason, InvalidTransaction,
};
use revm::context::{ContextSetters, ContextTr, JournalTr};
use revm::context_interface::context::take_error;
use revm::context_interface::local::{FrameStack, OutFrame};
use revm::context_interface::{Cfg, Database};
use revm::handler::evm::{ContextDbError, FrameInitResult, FrameTr};
use revm::handler::instructions::EthInstructions;
use revm::handler::{
    EthFrame, EthPrecompiles, EvmTr, FrameInitOrResult, FrameResult, Handler, ItemOrResult,
    MainnetHandler, PrecompileProvider,
};
use revm::interpreter::interpreter::EthInterpreter;
use revm::interpreter::interpreter_action::FrameInit;
use revm::interpreter::{CallInputs, CallScheme, FrameInput, InterpreterResult};
use revm::primitives::hardfork::SpecId;
use revm::primitives::AddressSet;
use revm::state::EvmState;
use revm::{DatabaseCommit, ExecuteCommitEvm, ExecuteEvm};

/// A frame of either kind.
// EVM frames are the common case; revm reuses the slots of its frame stack, so they stay unboxed.
#[allow(clippy::large_enum_variant)]
pub enum AnyFrame {
    /// revm's EVM frame.
    Evm(EthFrame<EthInterpreter>),
    /// A running Stylus program.
    Stylus(Box<StylusFrame>),
}

impl Default for AnyFrame {
    fn default() -> Self {
        AnyFrame::Evm(EthFrame::default())
    }
}

impl FrameTr for AnyFrame {
    type FrameResult = FrameResult;
    type FrameInit = FrameInit;
}

impl AnyFrame {
    fn is_finished(&self) -> bool {
        match self {
            AnyFrame::Evm(f) => f.is_finished(),
            AnyFrame::Stylus(f) => f.finished,
        }
    }
}

/// revm's mainnet EVM, running Stylus programs too.
pub struct StylusEvm<CTX> {
    /// The context: environment, journal and database.
    pub ctx: CTX,
    /// The EVM's instruction table.
    pub instruction: EthInstructions<EthInterpreter, CTX>,
    /// The precompiles.
    pub precompiles: ArbPrecompiles,
    /// The frames.
    pub frame_stack: FrameStack<AnyFrame>,
    /// The Stylus runtime.
    pub stylus: StylusRuntime,
}

impl<CTX: ContextTr> StylusEvm<CTX> {
    /// An EVM over `ctx`, with instructions and precompiles of its spec.
    pub fn new(ctx: CTX) -> Self {
        let spec: SpecId = ctx.cfg().spec().into();
        StylusEvm {
            ctx,
            instruction: EthInstructions::new_mainnet_with_spec(spec),
            precompiles: ArbPrecompiles::new(spec),
            frame_stack: FrameStack::new_prealloc(8),
            stylus: StylusRuntime::default(),
        }
    }
}

/// Ethereum's precompiles, with ArbWasm's address among the warm ones. ArbWasm itself runs in
/// [`StylusEvm`]'s `frame_init`, which needs the Stylus runtime.
#[derive(Debug)]
pub struct ArbPrecompiles {
    /// The Ethereum precompiles of the spec.
    pub eth: EthPrecompiles,
    warm: AddressSet,
}

impl ArbPrecompiles {
    /// The precompiles of `spec`.
    pub fn new(spec: SpecId) -> Self {
        let eth = EthPrecompiles::new(spec);
        let mut warm = eth.warm_addresses().clone();
        warm.insert(ARBWASM);
        ArbPrecompiles { eth, warm }
    }
}

impl<CTX: ContextTr> PrecompileProvider<CTX> for ArbPrecompiles {
    type Output = InterpreterResult;

    fn set_spec(&mut self, spec: <CTX::Cfg as Cfg>::Spec) -> bool {
        let changed = <EthPrecompiles as PrecompileProvider<CTX>>::set_spec(&mut self.eth, spec);
        self.warm.clone_from(self.eth.warm_addresses());
        self.warm.insert(ARBWASM);
        changed
    }

    fn run(
        &mut self,
        context: &mut CTX,
        inputs: &CallInputs,
    ) -> Result<Option<InterpreterResult>, String> {
        <EthPrecompiles as PrecompileProvider<CTX>>::run(&mut self.eth, context, inputs)
    }

    fn warm_addresses(&self) -> &AddressSet {
        &self.warm
    }
}

fn arbwasm_call(init: &FrameInit) -> bool {
    matches!(&init.frame_input, FrameInput::Call(i) if i.bytecode_address == ARBWASM)
}

fn stylus_call(init: &FrameInit) -> bool {
    matches!(&init.frame_input,
        FrameInput::Call(i) if is_stylus(i.known_bytecode.1.original_byte_slice()))
}

impl<CTX: ContextTr> EvmTr for StylusEvm<CTX> {
    type Context = CTX;
    type Instructions = EthInstructions<EthInterpreter, CTX>;
    type Precompiles = ArbPrecompiles;
    type Frame = AnyFrame;

    fn all(
        &self,
    ) -> (
        &CTX,
        &Self::Instructions,
        &ArbPrecompiles,
        &FrameStack<AnyFrame>,
    ) {
        (
            &self.ctx,
            &self.instruction,
            &self.precompiles,
            &self.frame_stack,
        )
    }

    fn all_mut(
        &mut self,
    ) -> (
        &mut CTX,
        &mut Self::Instructions,
        &mut ArbPrecompiles,
        &mut FrameStack<AnyFrame>,
    ) {
        (
            &mut self.ctx,
            &mut self.instruction,
            &mut self.precompiles,
            &mut self.frame_stack,
        )
    }

    #[allow(unsafe_code)]
    fn frame_init(
        &mut self,
        init: FrameInit,
    ) -> Result<FrameInitResult<'_, AnyFrame>, ContextDbError<CTX>> {
        let is_first_init = self.frame_stack.index().is_none();
        let mut out: OutFrame<'_, AnyFrame> = if is_first_init {
            self.frame_stack.start_init()
        } else {
            self.frame_stack.get_next()
        };
        // Stylus counts every open frame that acts for an address (not delegate calls or
        // creates) for `msg_reentrant`.
        let acting = match &init.frame_input {
            FrameInput::Call(i)
                if !matches!(i.scheme, CallScheme::DelegateCall | CallScheme::CallCode) =>
            {
                Some(i.target_address)
            }
            _ => None,
        };
        self.stylus.push_frame(acting);
        let res = if arbwasm_call(&init) {
            let FrameInit {
                depth,
                frame_input: FrameInput::Call(inputs),
                ..
            } = init
            else {
                unreachable!("arbwasm_call matched a call")
            };
            ItemOrResult::Result(arbwasm::call(
                &mut self.ctx,
                &mut self.stylus,
                depth,
                &inputs,
            )?)
        } else if stylus_call(&init) {
            let FrameInit {
                depth,
                memory,
                frame_input: FrameInput::Call(inputs),
            } = init
            else {
                unreachable!("stylus_call matched a call")
            };
            match StylusFrame::init(&mut self.ctx, &mut self.stylus, depth, memory, inputs)? {
                ItemOrResult::Item(frame) => {
                    *out.get(AnyFrame::default) = AnyFrame::Stylus(Box::new(frame));
                    ItemOrResult::Item(out.consume())
                }
                ItemOrResult::Result(r) => ItemOrResult::Result(r),
            }
        } else {
            // Reuse the slot's EthFrame when it has one, keeping its allocations.
            let slot = out.get(AnyFrame::default);
            if !matches!(slot, AnyFrame::Evm(_)) {
                *slot = AnyFrame::Evm(EthFrame::invalid());
            }
            let AnyFrame::Evm(eth) = slot else {
                unreachable!("the slot was just made an EVM frame")
            };
            EthFrame::init_with_context(
                OutFrame::new_init(eth),
                &mut self.ctx,
                &mut self.precompiles,
                init,
            )?
            .map_item(|_| out.consume())
        };
        if res.is_result() {
            self.stylus.pop_frame();
        }
        Ok(res.map_item(|token| {
            // SAFETY: as in revm's own `frame_init`: the token comes from the slot `out` gave.
            if is_first_init {
                unsafe { self.frame_stack.end_init(token) };
            } else {
                unsafe { self.frame_stack.push(token) };
            }
            self.frame_stack.get()
        }))
    }

    fn frame_run(&mut self) -> Result<FrameInitOrResult<AnyFrame>, ContextDbError<CTX>> {
        match self.frame_stack.get() {
            AnyFrame::Evm(frame) => {
                let action = frame.interpreter.run_plain(
                    self.instruction.instruction_table(),
                    self.instruction.gas_table(),
                    &mut self.ctx,
                );
                frame
                    .process_next_action::<_, ContextDbError<CTX>>(&mut self.ctx, action)
                    .inspect(|i| {
                        if i.is_result() {
                            frame.set_finished(true)
                        }
                    })
            }
            AnyFrame::Stylus(frame) => frame.run(&mut self.ctx, &mut self.stylus),
        }
    }

    fn frame_return_result(
        &mut self,
        result: FrameResult,
    ) -> Result<Option<FrameResult>, ContextDbError<CTX>> {
        if let FrameResult::Create(out) = &result {
            if let (true, Some(created)) = (out.result.result.is_ok(), out.address) {
                arbwasm::on_deploy(&mut self.ctx, &self.stylus, created)?;
            }
        }
        if self.frame_stack.get().is_finished() {
            self.frame_stack.pop();
            self.stylus.pop_frame();
        }
        if self.frame_stack.index().is_none() {
            return Ok(Some(result));
        }
        match self.frame_stack.get() {
            AnyFrame::Evm(f) => f.return_result::<_, ContextDbError<CTX>>(&mut self.ctx, result)?,
            AnyFrame::Stylus(f) => {
                take_error::<ContextDbError<CTX>, _>(self.ctx.error())?;
                f.memory.free_child_context();
                f.child_result = Some(result);
            }
        }
        Ok(None)
    }
}

impl<CTX> ExecuteEvm for StylusEvm<CTX>
where
    CTX: ContextTr<Journal: JournalTr<State = EvmState>> + ContextSetters,
{
    type ExecutionResult = ExecutionResult<HaltReason>;
    type State = EvmState;
    type Error = EVMError<<CTX::Db as Database>::Error, InvalidTransaction>;
    type Tx = <CTX as ContextTr>::Tx;
    type Block = <CTX as ContextTr>::Block;

    fn set_block(&mut self, block: Self::Block) {
        self.ctx.set_block(block);
    }

    fn transact_one(&mut self, tx: Self::Tx) -> Result<Self::ExecutionResult, Self::Error> {
        self.ctx.set_tx(tx);
        self.stylus.begin_transaction();
        MainnetHandler::<Self, Self::Error, AnyFrame>::default().run(self)
    }

    fn finalize(&mut self) -> Self::State {
        self.ctx.journal_mut().finalize()
    }

    fn replay(
        &mut self,
    ) -> Result<ExecResultAndState<Self::ExecutionResult, Self::State>, Self::Error> {
        self.stylus.begin_transaction();
        let r = MainnetHandler::<Self, Self::Error, AnyFrame>::default().run(self);
        let state = self.finalize();
        r.map(|result| ExecResultAndState::new(result, state))
    }
}

impl<CTX> ExecuteCommitEvm for StylusEvm<CTX>
where
    CTX: ContextTr<Journal: JournalTr<State = EvmState>, Db: DatabaseCommit> + ContextSetters,
{
    fn commit(&mut self, state: Self::State) {
        self.ctx.db_mut().commit(state);
    }
}

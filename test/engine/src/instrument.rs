//! Ink metering by instrumentation: the passes Stylus applies to a program at activation,
//! rewritten for the engine, so the ink a program burns is counted by the program itself.
//!
//! In the order of Stylus (nitro `crates/prover/src/programs/`: `meter.rs`, `dynamic.rs`,
//! `depth.rs`, `heap.rs`), each function body gets:
//! 1. **The meter**: at the start of every basic block (a block ends after `end`, `else`,
//!    `return`, `loop`, `br`, `br_if`, `br_table`, `if`, `call` or `call_indirect`), one check
//!    that pays for the whole block: the ink of its opcodes ([`op_ink`]) plus a fixed header
//!    cost. Too little ink sets the status global to 1 and traps.
//! 2. **The dynamic meter**: before `memory.copy` and `memory.fill`, their byte count times the
//!    per-byte ink.
//! 3. **The depth checker**: each function reserves `worst + locals + 4` words of a per-call stack
//!    budget on entry (trapping with the budget at 0 when it is short) and returns them before
//!    every `return` and at its end. `worst` is the operand stack's peak, with the meter's and
//!    dynamic meter's additions.
//! 4. **The heap bound**: before `memory.grow` (if the memory can grow), a call to
//!    `pay_for_memory_grow` with the page count.
//!
//! Nothing inserted is itself metered. Four globals are added (ink left, ink status, a scratch
//! value and stack left) and the first, second and fourth exported for the host. The same pass
//! checks what activation checks: the imports, the exports, the memory, no start function, no
//! opcode Stylus cannot run; and counts what the init-cost estimates need.

use crate::pricing::{ends_basic_block, op_ink, ModuleStats, StylusParams};
use crate::program::{ProgramError, HOSTIOS, MAX_PAGES};
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{
    ConstExpr, Encode, ExportKind, ExportSection, Function, GlobalSection, GlobalType, Instruction,
    SectionId, ValType as EncValType,
};
use wasmparser::{
    BlockType, ExternalKind, FunctionBody, Operator, Parser, Payload, TypeRef, ValType,
};

/// The export of the ink left (i64).
pub const INK_LEFT: &str = "stylus_ink_left";
/// The export of the ink status (i32: 0 while ink lasts, 1 once it ran out).
pub const INK_STATUS: &str = "stylus_ink_status";
/// The export of the stack budget left (i32, in words).
pub const STACK_LEFT: &str = "stylus_stack_left";

/// What the pass learned about a module.
#[derive(Clone, Debug, Default)]
pub struct ModuleInfo {
    /// What the init-cost estimates are computed from.
    pub stats: ModuleStats,
    /// The memory's initial pages.
    pub footprint: u32,
}

/// A function type, as far as the pass needs it.
#[derive(Clone, Debug, Default)]
struct Sig {
    params: u32,
    results: u32,
}

fn bad(reason: impl Into<String>) -> ProgramError {
    ProgramError::Invalid(reason.into())
}

/// Everything the first look at a module gathers.
#[derive(Default)]
struct Scan {
    types: Vec<Sig>,
    /// The type of every function, imports first.
    funcs: Vec<u32>,
    imported_funcs: u32,
    pay_for_memory_grow: Option<u32>,
    globals: u32,
    has_globals: bool,
    memory_grows: bool,
    info: ModuleInfo,
}

fn val_sig(types: &[ValType]) -> Vec<ValType> {
    types.to_vec()
}

/// Checks the module's imports, exports, memory and start, and gathers the types and counts.
fn scan(wasm: &[u8]) -> Result<Scan, ProgramError> {
    let mut s = Scan::default();
    let mut full_types: Vec<(Vec<ValType>, Vec<ValType>)> = Vec::new();
    let mut entry = false;
    let mut memory_export = false;
    let err = |e: wasmparser::BinaryReaderError| bad(e.message().to_string());
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.map_err(err)? {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.map_err(err)?;
                    s.types.push(Sig {
                        params: t.params().len() as u32,
                        results: t.results().len() as u32,
                    });
                    full_types.push((val_sig(t.params()), val_sig(t.results())));
                }
            }
            Payload::ImportSection(r) => {
                for i in r {
                    let i = i.map_err(err)?;
                    if i.module != "vm_hooks" {
                        return Err(ProgramError::ForeignImport {
                            module: i.module.into(),
                            name: i.name.into(),
                        });
                    }
                    let TypeRef::Func(ty) = i.ty else {
                        return Err(ProgramError::NonFunctionImport(i.name.into()));
                    };
                    let Some((_, params, results)) = HOSTIOS.iter().find(|(n, _, _)| *n == i.name)
                    else {
                        return Err(ProgramError::UnknownHostio(i.name.into()));
                    };
                    let (p, r) = &full_types[ty as usize];
                    let same = |ours: &[wasmi::ValType], theirs: &[ValType]| {
                        ours.len() == theirs.len()
                            && ours.iter().zip(theirs).all(|(a, b)| match a {
                                wasmi::ValType::I32 => *b == ValType::I32,
                                wasmi::ValType::I64 => *b == ValType::I64,
                                _ => false,
                            })
                    };
                    if !same(params, p) || !same(results, r) {
                        return Err(ProgramError::HostioSignature(i.name.into()));
                    }
                    if i.name == "pay_for_memory_grow" {
                        s.pay_for_memory_grow = Some(s.imported_funcs);
                    }
                    s.funcs.push(ty);
                    s.imported_funcs += 1;
                }
            }
            Payload::FunctionSection(r) => {
                for ty in r {
                    let ty = ty.map_err(err)?;
                    let sig = &s.types[ty as usize];
                    s.info.stats.funcs += 1;
                    s.info.stats.type_len += u64::from(sig.params + sig.results);
                    s.funcs.push(ty);
                }
            }
            Payload::MemorySection(r) => {
                for m in r {
                    let m = m.map_err(err)?;
                    if m.initial > u64::from(MAX_PAGES) {
                        return Err(ProgramError::MemoryTooLarge(m.initial));
                    }
                    s.info.footprint = m.initial as u32;
                    s.memory_grows = m.maximum != Some(m.initial);
                }
            }
            Payload::GlobalSection(r) => {
                s.has_globals = true;
                s.globals = r.count();
            }
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.map_err(err)?;
                    match (e.name, e.kind) {
                        ("user_entrypoint", ExternalKind::Func) => {
                            let ty = s.funcs.get(e.index as usize).copied();
                            entry = ty.is_some_and(|t| {
                                let (p, r) = &full_types[t as usize];
                                p[..] == [ValType::I32] && r[..] == [ValType::I32]
                            });
                        }
                        ("memory", ExternalKind::Memory) => memory_export = true,
                        _ => {}
                    }
                }
            }
            Payload::StartSection { .. } => return Err(bad("a start function")),
            Payload::DataSection(r) => {
                for d in r {
                    s.info.stats.data_len += d.map_err(err)?.data.len() as u64;
                }
            }
            Payload::ElementSection(r) => {
                for e in r {
                    let e = e.map_err(err)?;
                    s.info.stats.data_len += u64::from(match e.items {
                        wasmparser::ElementItems::Functions(f) => f.count(),
                        wasmparser::ElementItems::Expressions(_, x) => x.count(),
                    });
                }
            }
            _ => {}
        }
    }
    if !entry {
        return Err(ProgramError::NoEntrypoint);
    }
    if !memory_export {
        return Err(ProgramError::NoMemory);
    }
    s.info.stats.wasm_len = wasm.len() as u64;
    s.info.stats.globals = u64::from(s.globals) + 4;
    s.info.stats.footprint = u64::from(s.info.footprint);
    Ok(s)
}

/// The re-encoder that adds the globals and exports and instruments every function.
struct Instrumenter<'p> {
    scan: Scan,
    params: &'p StylusParams,
    globals_added: bool,
    exports_added: bool,
    next_func: u32,
}

impl Instrumenter<'_> {
    fn ink(&self) -> u32 {
        self.scan.globals
    }
    fn status(&self) -> u32 {
        self.scan.globals + 1
    }
    fn scratch(&self) -> u32 {
        self.scan.globals + 2
    }
    fn stack(&self) -> u32 {
        self.scan.globals + 3
    }

    fn add_globals(&self, g: &mut GlobalSection) {
        let ty = |val_type| GlobalType {
            val_type,
            mutable: true,
            shared: false,
        };
        g.global(ty(EncValType::I64), &ConstExpr::i64_const(0));
        g.global(ty(EncValType::I32), &ConstExpr::i32_const(0));
        g.global(ty(EncValType::I32), &ConstExpr::i32_const(0));
        g.global(ty(EncValType::I32), &ConstExpr::i32_const(0));
    }

    fn add_exports(&self, e: &mut ExportSection) {
        e.export(INK_LEFT, ExportKind::Global, self.ink());
        e.export(INK_STATUS, ExportKind::Global, self.status());
        e.export(STACK_LEFT, ExportKind::Global, self.stack());
    }

    /// `(params, results)` of a block type.
    fn block_arity(&self, bt: BlockType) -> (u32, u32) {
        match bt {
            BlockType::Empty => (0, 0),
            BlockType::Type(_) => (0, 1),
            BlockType::FuncType(i) => {
                let s = &self.scan.types[i as usize];
                (s.params, s.results)
            }
        }
    }

    /// `(pops, pushes)` of an opcode other than the structured-control ones.
    fn effect(&self, op: &Operator<'_>) -> Result<(u32, u32), ProgramError> {
        use Operator::*;
        Ok(match op {
            Nop | Unreachable | Br { .. } | Return => (0, 0),
            BrIf { .. } | BrTable { .. } | Drop | LocalSet { .. } | GlobalSet { .. } => (1, 0),
            Select => (3, 1),
            LocalGet { .. }
            | GlobalGet { .. }
            | I32Const { .. }
            | I64Const { .. }
            | MemorySize { .. } => (0, 1),
            LocalTee { .. } | MemoryGrow { .. } => (1, 1),
            I32Load { .. }
            | I32Load8S { .. }
            | I32Load8U { .. }
            | I32Load16S { .. }
            | I32Load16U { .. }
            | I64Load { .. }
            | I64Load8S { .. }
            | I64Load8U { .. }
            | I64Load16S { .. }
            | I64Load16U { .. }
            | I64Load32S { .. }
            | I64Load32U { .. } => (1, 1),
            I32Store { .. }
            | I32Store8 { .. }
            | I32Store16 { .. }
            | I64Store { .. }
            | I64Store8 { .. }
            | I64Store16 { .. }
            | I64Store32 { .. } => (2, 0),
            MemoryCopy { .. } | MemoryFill { .. } => (3, 0),
            I32Eqz | I64Eqz | I32Clz | I32Ctz | I32Popcnt | I64Clz | I64Ctz | I64Popcnt
            | I32WrapI64 | I64ExtendI32S | I64ExtendI32U | I32Extend8S | I32Extend16S
            | I64Extend8S | I64Extend16S | I64Extend32S => (1, 1),
            I32Eq | I32Ne | I32LtS | I32LtU | I32GtS | I32GtU | I32LeS | I32LeU | I32GeS
            | I32GeU | I64Eq | I64Ne | I64LtS | I64LtU | I64GtS | I64GtU | I64LeS | I64LeU
            | I64GeS | I64GeU | I32Add | I32Sub | I32Mul | I32DivS | I32DivU | I32RemS
            | I32RemU | I32And | I32Or | I32Xor | I32Shl | I32ShrS | I32ShrU | I32Rotl
            | I32Rotr | I64Add | I64Sub | I64Mul | I64DivS | I64DivU | I64RemS | I64RemU
            | I64And | I64Or | I64Xor | I64Shl | I64ShrS | I64ShrU | I64Rotl | I64Rotr => (2, 1),
            Call { function_index } => {
                let ty = self.scan.funcs[*function_index as usize];
                let s = &self.scan.types[ty as usize];
                (s.params, s.results)
            }
            CallIndirect { type_index, .. } => {
                let s = &self.scan.types[*type_index as usize];
                (s.params + 1, s.results)
            }
            other => return Err(bad(format!("{other:?} is not supported by Stylus"))),
        })
    }

    /// The operand stack's peak over a body, with the meter's (+2 at each block start) and
    /// the dynamic meter's (+3 at memory.copy and memory.fill) additions.
    fn worst_height(&self, ops: &[Operator<'_>], results: u32) -> Result<u32, ProgramError> {
        use Operator::*;
        // Each control frame: the height at its bottom, its parameter and its result count.
        let mut frames: Vec<(u32, u32, u32)> = vec![(0, 0, results)];
        let mut h: u32 = 0;
        let mut worst: u32 = 2;
        let mut block_start = true;
        for op in ops {
            if block_start {
                worst = worst.max(h + 2);
            }
            match op {
                Block { blockty } | Loop { blockty } => {
                    let (p, r) = self.block_arity(*blockty);
                    frames.push((h.saturating_sub(p), p, r));
                }
                If { blockty } => {
                    h = h.saturating_sub(1);
                    let (p, r) = self.block_arity(*blockty);
                    frames.push((h.saturating_sub(p), p, r));
                }
                Else => {
                    // The else arm starts from the block's parameters again.
                    let (base, p, _) = *frames.last().expect("validated nesting");
                    h = base + p;
                }
                End => {
                    let (base, _, r) = frames.pop().expect("validated nesting");
                    h = base + r;
                }
                _ => {
                    let (pops, pushes) = self.effect(op)?;
                    if matches!(op, MemoryCopy { .. } | MemoryFill { .. }) {
                        worst = worst.max(h + 3);
                    }
                    h = h.saturating_sub(pops) + pushes;
                    if matches!(op, Br { .. } | BrTable { .. } | Return | Unreachable) {
                        // The rest of the block is unreachable; its stack starts over.
                        h = frames.last().map_or(0, |f| f.0);
                    }
                }
            }
            worst = worst.max(h);
            block_start = ends_basic_block(op);
        }
        Ok(worst)
    }

    fn header(&self, f: &mut Function, cost: u64) {
        let cost = cost as i64;
        f.instruction(&Instruction::GlobalGet(self.ink()))
            .instruction(&Instruction::I64Const(cost))
            .instruction(&Instruction::I64LtU)
            .instruction(&Instruction::If(wasm_encoder::BlockType::Empty))
            .instruction(&Instruction::I32Const(1))
            .instruction(&Instruction::GlobalSet(self.status()))
            .instruction(&Instruction::Unreachable)
            .instruction(&Instruction::End)
            .instruction(&Instruction::GlobalGet(self.ink()))
            .instruction(&Instruction::I64Const(cost))
            .instruction(&Instruction::I64Sub)
            .instruction(&Instruction::GlobalSet(self.ink()));
    }

    /// Charges `bytes × memory_byte_ink` with the byte count on top of the stack, keeping it.
    fn dynamic(&self, out: &mut Vec<u8>) {
        let per_byte = self.params.memory_byte_ink as i64;
        let cost = [
            Instruction::GlobalGet(self.scratch()),
            Instruction::I64ExtendI32U,
            Instruction::I64Const(per_byte),
            Instruction::I64Mul,
        ];
        let mut seq = vec![Instruction::GlobalSet(self.scratch())];
        seq.extend(cost.iter().cloned());
        seq.extend([
            Instruction::GlobalGet(self.ink()),
            Instruction::I64GtU,
            Instruction::If(wasm_encoder::BlockType::Empty),
            Instruction::I32Const(1),
            Instruction::GlobalSet(self.status()),
            Instruction::Unreachable,
            Instruction::End,
            Instruction::GlobalGet(self.ink()),
        ]);
        seq.extend(cost.iter().cloned());
        seq.extend([
            Instruction::I64Sub,
            Instruction::GlobalSet(self.ink()),
            Instruction::GlobalGet(self.scratch()),
        ]);
        for i in seq {
            i.encode(out);
        }
    }

    fn give_back(&self, out: &mut Vec<u8>, size: u32) {
        for i in [
            Instruction::GlobalGet(self.stack()),
            Instruction::I32Const(size as i32),
            Instruction::I32Add,
            Instruction::GlobalSet(self.stack()),
        ] {
            i.encode(out);
        }
    }

    fn instrument(&mut self, body: FunctionBody<'_>) -> Result<Function, ProgramError> {
        let err = |e: wasmparser::BinaryReaderError| bad(e.message().to_string());
        let index = self.next_func;
        self.next_func += 1;
        let ty = &self.scan.types[self.scan.funcs[index as usize] as usize];
        let results = ty.results;
        let mut locals = Vec::new();
        let mut declared: u32 = 0;
        for l in body.get_locals_reader().map_err(err)? {
            let (n, t) = l.map_err(err)?;
            declared = declared.saturating_add(n);
            locals.push((n, RoundTrip.val_type(t).map_err(|_| bad("a local type"))?));
        }
        let mut ops = Vec::new();
        let mut reader = body.get_operators_reader().map_err(err)?;
        while !reader.eof() {
            ops.push(reader.read().map_err(err)?);
        }
        let worst = self.worst_height(&ops, results)?;
        let size = worst + declared + 4;
        if size > self.params.max_frame_size || worst > self.params.max_frame_contention {
            return Err(bad(format!(
                "function {index} needs a frame of {size} words (operand stack {worst})"
            )));
        }

        let mut f = Function::new(locals);
        // The depth check on entry.
        f.instruction(&Instruction::GlobalGet(self.stack()))
            .instruction(&Instruction::I32Const(size as i32))
            .instruction(&Instruction::I32LeU)
            .instruction(&Instruction::If(wasm_encoder::BlockType::Empty))
            .instruction(&Instruction::I32Const(0))
            .instruction(&Instruction::GlobalSet(self.stack()))
            .instruction(&Instruction::Unreachable)
            .instruction(&Instruction::End)
            .instruction(&Instruction::GlobalGet(self.stack()))
            .instruction(&Instruction::I32Const(size as i32))
            .instruction(&Instruction::I32Sub)
            .instruction(&Instruction::GlobalSet(self.stack()));

        // The encoded instructions of the current basic block, emitted after its header.
        let mut block: Vec<u8> = Vec::new();
        let mut cost: u64 = 0;
        let last = ops.len().saturating_sub(1);
        for (i, op) in ops.iter().enumerate() {
            let params = match op {
                Operator::CallIndirect { type_index, .. } => {
                    u64::from(self.scan.types[*type_index as usize].params)
                }
                _ => 0,
            };
            let ink = op_ink(op, params);
            if ink == u64::MAX {
                return Err(bad(format!("{op:?} is not supported by Stylus")));
            }
            cost = cost.saturating_add(ink);
            match op {
                Operator::MemoryCopy { .. } | Operator::MemoryFill { .. } => {
                    self.dynamic(&mut block)
                }
                Operator::MemoryGrow { .. } if self.scan.memory_grows => {
                    let Some(pay) = self.scan.pay_for_memory_grow else {
                        return Err(bad(
                            "memory.grow without importing vm_hooks::pay_for_memory_grow",
                        ));
                    };
                    for i in [
                        Instruction::GlobalSet(self.scratch()),
                        Instruction::GlobalGet(self.scratch()),
                        Instruction::Call(pay),
                        Instruction::GlobalGet(self.scratch()),
                    ] {
                        i.encode(&mut block);
                    }
                }
                Operator::Return => self.give_back(&mut block, size),
                Operator::End if i == last => {
                    self.give_back(&mut block, size);
                    Instruction::Return.encode(&mut block);
                }
                _ => {}
            }
            let instr = RoundTrip
                .instruction(op.clone())
                .map_err(|e| bad(format!("re-encoding {op:?}: {e}")))?;
            instr.encode(&mut block);
            if ends_basic_block(op) {
                self.header(&mut f, cost.saturating_add(self.params.ink_header_cost));
                f.raw(block.drain(..));
                cost = 0;
            }
        }
        f.raw(block);
        Ok(f)
    }
}

/// The plain re-encoder, for single items.
struct RoundTrip;

impl Reencode for RoundTrip {
    type Error = std::convert::Infallible;
}

impl Reencode for Instrumenter<'_> {
    type Error = ProgramError;

    fn parse_global_section(
        &mut self,
        globals: &mut GlobalSection,
        section: wasmparser::GlobalSectionReader<'_>,
    ) -> Result<(), ReencodeError<ProgramError>> {
        wasm_encoder::reencode::utils::parse_global_section(self, globals, section)?;
        self.add_globals(globals);
        self.globals_added = true;
        Ok(())
    }

    fn parse_export_section(
        &mut self,
        exports: &mut ExportSection,
        section: wasmparser::ExportSectionReader<'_>,
    ) -> Result<(), ReencodeError<ProgramError>> {
        wasm_encoder::reencode::utils::parse_export_section(self, exports, section)?;
        self.add_exports(exports);
        self.exports_added = true;
        Ok(())
    }

    fn intersperse_section_hook(
        &mut self,
        module: &mut wasm_encoder::Module,
        _after: Option<SectionId>,
        before: Option<SectionId>,
    ) -> Result<(), ReencodeError<ProgramError>> {
        // A module without globals gets its global section where one would be.
        let past_globals = matches!(
            before,
            None | Some(
                SectionId::Export
                    | SectionId::Start
                    | SectionId::Element
                    | SectionId::DataCount
                    | SectionId::Code
                    | SectionId::Data
            )
        );
        if past_globals && !self.globals_added {
            let mut g = GlobalSection::new();
            self.add_globals(&mut g);
            module.section(&g);
            self.globals_added = true;
        }
        Ok(())
    }

    fn parse_function_body(
        &mut self,
        code: &mut wasm_encoder::CodeSection,
        func: FunctionBody<'_>,
    ) -> Result<(), ReencodeError<ProgramError>> {
        let f = self.instrument(func).map_err(ReencodeError::UserError)?;
        code.function(&f);
        Ok(())
    }
}

/// Checks a (canonical, feature-validated) program as Stylus activation does and instruments
/// it for ink metering.
///
/// # Errors
/// The first rule the program breaks.
pub fn instrument(
    wasm: &[u8],
    original_len: usize,
    params: &StylusParams,
) -> Result<(Vec<u8>, ModuleInfo), ProgramError> {
    let mut scan = scan(wasm)?;
    scan.info.stats.wasm_len = original_len as u64;
    let info = scan.info.clone();
    if scan.globals == 0 && scan.has_globals {
        scan.has_globals = false;
    }
    let next_func = scan.imported_funcs;
    let mut ins = Instrumenter {
        scan,
        params,
        globals_added: false,
        exports_added: false,
        next_func,
    };
    let mut module = wasm_encoder::Module::new();
    ins.parse_core_module(&mut module, Parser::new(0), wasm)
        .map_err(|e| match e {
            ReencodeError::UserError(p) => p,
            other => bad(other.to_string()),
        })?;
    // Validation guarantees the export section (user_entrypoint and memory).
    debug_assert!(ins.exports_added);
    Ok((module.finish(), info))
}

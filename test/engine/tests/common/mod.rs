//! Helpers shared by the engine's tests: the fixture program and its commands, a few fixed
//! addresses, and a tiny EVM assembler for the EVM contracts the tests call through.
#![allow(dead_code)] // Each test file uses a different part.

pub use perun_engine::chain::{Chain, Outcome};
pub use perun_fixture_hostio::op;
use revm::primitives::{Address, U256};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The sender of the tests' transactions.
pub const ALICE: Address = Address::repeat_byte(0xa1);
/// A second fixture program's address.
pub const PROG_A: Address = Address::repeat_byte(0x5a);
/// A second fixture program's address.
pub const PROG_B: Address = Address::repeat_byte(0x5b);
/// An EVM contract's address.
pub const EVM_F: Address = Address::repeat_byte(0xe1);
/// Another EVM contract's address.
pub const EVM_G: Address = Address::repeat_byte(0xe2);
/// The chain ID of the tests' chain.
pub const CHAIN_ID: u64 = 412_346;
/// The block time of the tests' chain.
pub const NOW: u64 = 1_700_000_000;

/// The fixture program's wasm, built by `script/programs`.
pub fn fixture() -> &'static [u8] {
    static WASM: OnceLock<Vec<u8>> = OnceLock::new();
    WASM.get_or_init(|| {
        perun_sizes::read_wasm("perun-fixture-hostio").unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A chain with ALICE funded and the fixture at `PROG_A` and `PROG_B`.
pub fn chain() -> Chain {
    let mut c = Chain::new(CHAIN_ID, NOW);
    c.fund(ALICE, U256::from(10u128.pow(24)));
    c.place_program(PROG_A, fixture());
    c.place_program(PROG_B, fixture());
    c
}

/// A command: its byte followed by its operands.
pub fn cmd(op: u8, parts: &[&[u8]]) -> Vec<u8> {
    let mut v = vec![op];
    for p in parts {
        v.extend_from_slice(p);
    }
    v
}

/// A 32-byte big-endian word of `x`.
pub fn word(x: u64) -> [u8; 32] {
    U256::from(x).to_be_bytes()
}

/// `CALL address value gas data`.
pub fn call_cmd(to: Address, value: u64, gas: u64, data: &[u8]) -> Vec<u8> {
    cmd(
        op::CALL,
        &[to.as_slice(), &word(value), &gas.to_be_bytes(), data],
    )
}

/// `STATIC_CALL` or `DELEGATE_CALL address gas data`.
pub fn call2_cmd(op: u8, to: Address, gas: u64, data: &[u8]) -> Vec<u8> {
    cmd(op, &[to.as_slice(), &gas.to_be_bytes(), data])
}

/// `SSTORE key value`.
pub fn sstore_cmd(key: u64, value: u64) -> Vec<u8> {
    cmd(op::SSTORE, &[&word(key), &word(value)])
}

/// `SLOAD key`.
pub fn sload_cmd(key: u64) -> Vec<u8> {
    cmd(op::SLOAD, &[&word(key)])
}

/// EVM opcodes the tests' contracts use.
pub mod evm {
    pub const ADD: u8 = 0x01;
    pub const SUB: u8 = 0x03;
    pub const SHR: u8 = 0x1c;
    pub const CALLVALUE: u8 = 0x34;
    pub const CALLDATALOAD: u8 = 0x35;
    pub const CALLDATASIZE: u8 = 0x36;
    pub const CALLDATACOPY: u8 = 0x37;
    pub const RETURNDATASIZE: u8 = 0x3d;
    pub const RETURNDATACOPY: u8 = 0x3e;
    pub const MSTORE: u8 = 0x52;
    pub const SLOAD: u8 = 0x54;
    pub const SSTORE: u8 = 0x55;
    pub const JUMPI: u8 = 0x57;
    pub const GAS: u8 = 0x5a;
    pub const JUMPDEST: u8 = 0x5b;
    pub const PUSH0: u8 = 0x5f;
    pub const CALL: u8 = 0xf1;
    pub const RETURN: u8 = 0xf3;
    pub const DELEGATECALL: u8 = 0xf4;
    pub const STATICCALL: u8 = 0xfa;
    pub const REVERT: u8 = 0xfd;
}

/// A minimal EVM assembler: opcodes, pushes and one-pass labels.
#[derive(Default)]
pub struct Asm {
    code: Vec<u8>,
    labels: HashMap<&'static str, usize>,
    fixups: Vec<(usize, &'static str)>,
}

impl Asm {
    /// Appends opcodes.
    pub fn ops(mut self, ops: &[u8]) -> Self {
        self.code.extend_from_slice(ops);
        self
    }

    /// Appends `PUSHn bytes` (`PUSH0` for none).
    pub fn push(mut self, bytes: &[u8]) -> Self {
        assert!(bytes.len() <= 32);
        self.code.push(0x5f + bytes.len() as u8);
        self.code.extend_from_slice(bytes);
        self
    }

    /// Appends `PUSH2 <label>`.
    pub fn push_label(mut self, label: &'static str) -> Self {
        self.code.push(0x61);
        self.fixups.push((self.code.len(), label));
        self.code.extend_from_slice(&[0, 0]);
        self
    }

    /// Appends a `JUMPDEST` named `label`.
    pub fn label(mut self, label: &'static str) -> Self {
        self.labels.insert(label, self.code.len());
        self.code.push(evm::JUMPDEST);
        self
    }

    /// The bytecode.
    pub fn build(mut self) -> Vec<u8> {
        for (at, label) in &self.fixups {
            let to = u16::try_from(self.labels[label]).expect("small code");
            self.code[*at..*at + 2].copy_from_slice(&to.to_be_bytes());
        }
        self.code
    }
}

/// An EVM contract whose calldata is `target(20) ‖ payload`: it counts its calls in slot 0
/// (unless `kind` is STATICCALL), forwards the payload to `target` with `kind` (CALL forwards
/// the value too) and all gas, and returns or reverts with the target's return data.
pub fn forwarder(kind: u8) -> Vec<u8> {
    use evm::*;
    let mut a = Asm::default();
    if kind != STATICCALL {
        a = a.ops(&[PUSH0, SLOAD]).push(&[1]).ops(&[ADD, PUSH0, SSTORE]);
    }
    a = a
        .push(&[20])
        .ops(&[CALLDATASIZE, SUB])
        .push(&[20])
        .ops(&[PUSH0, CALLDATACOPY, PUSH0, PUSH0])
        .push(&[20])
        .ops(&[CALLDATASIZE, SUB, PUSH0]);
    if kind == CALL {
        a = a.ops(&[CALLVALUE]);
    }
    a.ops(&[PUSH0, CALLDATALOAD])
        .push(&[96])
        .ops(&[SHR, GAS, kind])
        .ops(&[RETURNDATASIZE, PUSH0, PUSH0, RETURNDATACOPY])
        .push_label("ok")
        .ops(&[JUMPI, RETURNDATASIZE, PUSH0, REVERT])
        .label("ok")
        .ops(&[RETURNDATASIZE, PUSH0, RETURN])
        .build()
}

/// `target ‖ payload`: the calldata of a [`forwarder`].
pub fn via(target: Address, payload: &[u8]) -> Vec<u8> {
    [target.as_slice(), payload].concat()
}

/// An EVM contract that always reverts with the four bytes `nope`.
pub fn reverter() -> Vec<u8> {
    use evm::*;
    Asm::default()
        .push(b"nope")
        .ops(&[PUSH0, MSTORE])
        .push(&[4])
        .push(&[28])
        .ops(&[REVERT])
        .build()
}

/// An EVM contract that writes 1 into slot 0 and returns nothing.
pub fn writer() -> Vec<u8> {
    use evm::*;
    Asm::default().push(&[1]).ops(&[PUSH0, SSTORE]).build()
}

/// `SEQ`: run `cmds` in order in one call.
pub fn seq_cmd(cmds: &[Vec<u8>]) -> Vec<u8> {
    let mut v = vec![
        op::SEQ,
        u8::try_from(cmds.len()).expect("at most 255 commands"),
    ];
    for c in cmds {
        v.extend_from_slice(&u32::try_from(c.len()).expect("small").to_be_bytes());
        v.extend_from_slice(c);
    }
    v
}

/// The results of a `SEQ`.
pub fn split_seq(mut out: &[u8]) -> Vec<Vec<u8>> {
    let mut v = Vec::new();
    while !out.is_empty() {
        let len = u32::from_be_bytes(out[..4].try_into().expect("4 bytes")) as usize;
        v.push(out[4..4 + len].to_vec());
        out = &out[4 + len..];
    }
    v
}

/// Asserts a transaction succeeded and returns its output.
#[track_caller]
pub fn ok(o: Outcome) -> Vec<u8> {
    assert!(o.success, "transaction failed: {o:?}, trap: {:?}", o.trap);
    o.output.to_vec()
}

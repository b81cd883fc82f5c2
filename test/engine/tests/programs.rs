//! Deploying programs: by a create transaction or straight into the database; validation at
//! first use with a precise reason for every rejection; one compilation per code hash.

mod common;

use common::*;
use perun_engine::chain::init_code;
use perun_engine::program::{decompress, deployed_code, ProgramError};
use revm::primitives::{keccak256, Address, U256};

const TARGET: Address = Address::repeat_byte(0x77);

/// A wat program with the given imports and body around a valid entry point and memory.
fn program(imports: &str, memory: &str, extra: &str) -> Vec<u8> {
    let text = format!(
        r#"(module
            {imports}
            {memory}
            (func (export "user_entrypoint") (param i32) (result i32) i32.const 0)
            {extra})"#
    );
    wat::parse_str(text).expect("the test's wat parses")
}

/// Places `code` at TARGET, calls it, and returns the reason the engine gives.
fn rejection(code: Vec<u8>) -> (ProgramError, String) {
    let mut c = chain();
    let hash = keccak256(&code);
    c.place(TARGET, code.into());
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(!o.success, "an invalid program ran");
    assert!(o.output.is_empty());
    assert_eq!(
        o.gas_used, c.gas_limit,
        "an invalid program consumes the call's gas"
    );
    let (at, why) = o.trap.expect("the trap names the reason");
    assert_eq!(at, TARGET);
    let err = c
        .evm
        .stylus
        .error(&hash)
        .expect("the runtime keeps the reason")
        .clone();
    assert_eq!(why, format!("invalid program: {err}"));
    (err, why)
}

const MEMORY: &str = r#"(memory (export "memory") 1)"#;

#[test]
fn a_create_transaction_deploys_a_program_that_then_runs() {
    let mut c = chain();
    let code = deployed_code(fixture());
    let o = c.create(ALICE, init_code(&code), U256::ZERO);
    assert!(o.success, "{o:?}");
    let at = o.created.expect("an address");
    assert_eq!(c.code(at), code);
    assert!(c.code(at).starts_with(&[0xef, 0xf0, 0x00, 0x00]));
    assert_eq!(
        ok(c.call(ALICE, at, cmd(op::ECHO, &[b"deployed"]), U256::ZERO)),
        b"deployed"
    );
}

#[test]
fn each_code_hash_is_validated_and_compiled_once() {
    let mut c = chain();
    assert_eq!(c.evm.stylus.compilations(), 0);
    for _ in 0..3 {
        ok(c.call(ALICE, PROG_A, cmd(op::ECHO, &[b"x"]), U256::ZERO));
    }
    // PROG_B has the same code: the same module.
    ok(c.call(ALICE, PROG_B, cmd(op::ECHO, &[b"x"]), U256::ZERO));
    assert_eq!(c.evm.stylus.compilations(), 1);
    // A rejected program is not retried either.
    c.place(TARGET, vec![0xef, 0xf0, 0x00, 0x07, 1, 2, 3].into());
    for _ in 0..2 {
        assert!(!c.call(ALICE, TARGET, Vec::new(), U256::ZERO).success);
    }
    assert_eq!(c.evm.stylus.compilations(), 2);
}

#[test]
fn deployed_code_round_trips_and_foreign_code_is_not_stylus() {
    let code = deployed_code(fixture());
    assert_eq!(decompress(&code).unwrap(), fixture());
    assert_eq!(decompress(&[0x60, 0x00]), Err(ProgramError::NotStylus));
    assert_eq!(
        decompress(&[0xef, 0xf0, 0x00]),
        Err(ProgramError::NotStylus)
    );
}

#[test]
fn unknown_dictionaries_and_corrupt_compression_are_rejected() {
    let (e, _) = rejection(vec![0xef, 0xf0, 0x00, 0x01, 0x00]);
    assert_eq!(e, ProgramError::UnknownDictionary(1));
    let (e, why) = rejection(vec![0xef, 0xf0, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]);
    assert!(matches!(e, ProgramError::Decompression(_)), "{why}");
}

#[test]
fn more_than_128_kib_of_wasm_is_rejected() {
    let mut big = program("", MEMORY, "");
    // A custom section pads the module past the limit.
    let pad = 130 * 1024;
    big.push(0);
    let mut len = Vec::new();
    let mut n = pad + 2;
    loop {
        let b = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            len.push(b);
            break;
        }
        len.push(b | 0x80);
    }
    big.extend(len);
    big.extend([1, b'x']);
    big.extend(vec![0u8; pad]);
    let (e, why) = rejection(deployed_code(&big));
    assert!(matches!(e, ProgramError::Decompression(_)), "{why}");
    assert!(why.contains("131072"), "{why}");
}

#[test]
fn a_payload_that_is_not_wasm_is_rejected() {
    let (e, _) = rejection(deployed_code(b"not a wasm module"));
    assert_eq!(e, ProgramError::NotWasm);
}

#[test]
fn disabled_wasm_features_are_rejected() {
    let cases = [
        (
            "floats",
            program("", MEMORY, "(func (result f32) f32.const 1)"),
        ),
        (
            "simd",
            program("", MEMORY, "(func (result v128) v128.const i64x2 0 0)"),
        ),
        (
            "reference types",
            program("", MEMORY, "(func (param externref))"),
        ),
        (
            "a second table",
            program("", MEMORY, "(table 1 funcref) (table 1 funcref)"),
        ),
        (
            "atomics",
            program("", r#"(memory (export "memory") 1 1 shared)"#, ""),
        ),
        (
            "tail calls",
            program("", MEMORY, "(func $f return_call $f)"),
        ),
        (
            "a start function",
            program("", MEMORY, "(func $s) (start $s)"),
        ),
    ];
    for (what, wasm) in cases {
        let (e, why) = rejection(deployed_code(&wasm));
        assert!(matches!(e, ProgramError::Invalid(_)), "{what}: {why}");
    }
}

#[test]
fn imports_must_be_stylus_host_functions_with_their_signatures() {
    let (e, _) = rejection(deployed_code(&program(
        r#"(import "env" "abort" (func))"#,
        MEMORY,
        "",
    )));
    assert_eq!(
        e,
        ProgramError::ForeignImport {
            module: "env".into(),
            name: "abort".into()
        }
    );
    let (e, _) = rejection(deployed_code(&program(
        r#"(import "vm_hooks" "ecrecover" (func (param i32)))"#,
        MEMORY,
        "",
    )));
    assert_eq!(e, ProgramError::UnknownHostio("ecrecover".into()));
    let (e, _) = rejection(deployed_code(&program(
        r#"(import "vm_hooks" "read_args" (func (param i64)))"#,
        MEMORY,
        "",
    )));
    assert_eq!(e, ProgramError::HostioSignature("read_args".into()));
    let (e, _) = rejection(deployed_code(&program(
        r#"(import "vm_hooks" "g" (global i32))"#,
        MEMORY,
        "",
    )));
    assert_eq!(e, ProgramError::NonFunctionImport("g".into()));
}

#[test]
fn the_entry_point_and_memory_must_be_exported_and_memory_bounded() {
    let no_entry = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    assert_eq!(
        rejection(deployed_code(&no_entry)).0,
        ProgramError::NoEntrypoint
    );
    let bad_entry = wat::parse_str(
        r#"(module (memory (export "memory") 1)
            (func (export "user_entrypoint") (param i64) (result i32) i32.const 0))"#,
    )
    .unwrap();
    assert_eq!(
        rejection(deployed_code(&bad_entry)).0,
        ProgramError::NoEntrypoint
    );
    let no_memory = program("", "(memory 1)", "");
    assert_eq!(
        rejection(deployed_code(&no_memory)).0,
        ProgramError::NoMemory
    );
    let too_big = program("", r#"(memory (export "memory") 129)"#, "");
    assert_eq!(
        rejection(deployed_code(&too_big)).0,
        ProgramError::MemoryTooLarge(129)
    );
    // 128 pages is the limit, not past it; but entering such a program costs about 32 million
    // gas (126 pages beyond the 2 free ones, and the exponential part at 128 pages).
    let mut c = chain();
    let big = program("", r#"(memory (export "memory") 128)"#, "");
    c.place_program(TARGET, &big);
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(!o.success && o.halt.is_some(), "{o:?}");
    assert!(o.trap.unwrap().1.contains("entry cost"));
    c.gas_limit = 40_000_000;
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(o.success, "{o:?}");
    assert!(o.gas_used > 32_000_000, "{}", o.gas_used);
}

#[test]
fn a_minimal_program_runs_and_returns_its_status() {
    let mut c = chain();
    for (status, success) in [(0, true), (1, false)] {
        let wasm = wat::parse_str(format!(
            r#"(module (memory (export "memory") 1)
                (func (export "user_entrypoint") (param i32) (result i32) i32.const {status}))"#
        ))
        .unwrap();
        c.place_program(TARGET, &wasm);
        let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
        assert_eq!(o.success, success, "{o:?}");
        assert!(o.output.is_empty());
    }
}

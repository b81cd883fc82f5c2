//! Stylus prices, pinned: opcode ink, the block header, host-call ink, the storage cache's
//! surcharges, SSTORE pricing and refunds, memory pages, calls, and entry costs cached and
//! uncached, each measured on programs written for the purpose and checked against the table
//! (`perun_engine::pricing`, from nitro's `pricing_v1` and host-call constants).

mod common;

use common::*;
use perun_engine::pricing::{CacheModel, StylusParams};
use perun_engine::profile::GasProfile;
use revm::primitives::{Address, U256};

const TARGET: Address = Address::repeat_byte(0x99);
const P: u64 = 10_000;

/// Every host function a test program may import, with its signature.
const IMPORTS: &str = r#"
    (import "vm_hooks" "chainid" (func $chainid (result i64)))
    (import "vm_hooks" "msg_sender" (func $msg_sender (param i32)))
    (import "vm_hooks" "evm_gas_left" (func $evm_gas_left (result i64)))
    (import "vm_hooks" "native_keccak256" (func $keccak (param i32 i32 i32)))
    (import "vm_hooks" "read_args" (func $read_args (param i32)))
    (import "vm_hooks" "write_result" (func $write_result (param i32 i32)))
    (import "vm_hooks" "storage_load_bytes32" (func $load (param i32 i32)))
    (import "vm_hooks" "storage_cache_bytes32" (func $cache (param i32 i32)))
    (import "vm_hooks" "storage_flush_cache" (func $flush (param i32)))
    (import "vm_hooks" "pay_for_memory_grow" (func $pay (param i32)))
    (import "vm_hooks" "call_contract" (func $call (param i32 i32 i32 i32 i64 i32) (result i32)))
    (import "vm_hooks" "block_number" (func $block_number (result i64)))
    (import "vm_hooks" "block_timestamp" (func $block_timestamp (result i64)))
    (import "vm_hooks" "block_gas_limit" (func $block_gas_limit (result i64)))
    (import "vm_hooks" "evm_ink_left" (func $evm_ink_left (result i64)))
    (import "vm_hooks" "msg_reentrant" (func $msg_reentrant (result i32)))
    (import "vm_hooks" "tx_ink_price" (func $tx_ink_price (result i32)))
    (import "vm_hooks" "return_data_size" (func $return_data_size (result i32)))
    (import "vm_hooks" "msg_value" (func $msg_value (param i32)))
    (import "vm_hooks" "contract_address" (func $contract_address (param i32)))
    (import "vm_hooks" "tx_origin" (func $tx_origin (param i32)))
    (import "vm_hooks" "tx_gas_price" (func $tx_gas_price (param i32)))
    (import "vm_hooks" "block_basefee" (func $block_basefee (param i32)))
    (import "vm_hooks" "block_coinbase" (func $block_coinbase (param i32)))
    (import "vm_hooks" "account_balance" (func $balance (param i32 i32)))
    (import "vm_hooks" "account_codehash" (func $codehash (param i32 i32)))
    (import "vm_hooks" "account_code_size" (func $code_size (param i32) (result i32)))
    (import "vm_hooks" "account_code" (func $code (param i32 i32 i32 i32) (result i32)))
    (import "vm_hooks" "read_return_data" (func $read_return_data (param i32 i32 i32) (result i32)))
    (import "vm_hooks" "emit_log" (func $emit_log (param i32 i32 i32)))
"#;

/// A program whose entry point runs `body` (which must leave nothing on the stack).
fn program(body: &str) -> Vec<u8> {
    let text = format!(
        r#"(module {IMPORTS}
            (memory (export "memory") 1 4)
            (func (export "user_entrypoint") (param i32) (result i32)
                {body}
                i32.const 0))"#
    );
    wat::parse_str(text).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `wasm` once in a fresh chain and returns its profile.
fn profile_with(wasm: &[u8], params: StylusParams, prepare: impl FnOnce(&mut Chain)) -> GasProfile {
    let mut c = chain();
    c.evm.stylus.set_params(params);
    c.place_program(TARGET, wasm);
    prepare(&mut c);
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(o.success, "{o:?}");
    let profiles = c.evm.stylus.profiles();
    *profiles.last().expect("the program ran")
}

fn profile(body: &str) -> GasProfile {
    profile_with(&program(body), StylusParams::default(), |_| {})
}

/// The ink of one repetition of `snippet`, measured over 10,000 of them (so the difference in
/// execution gas is exactly the ink per repetition).
fn ink_per(snippet: &str) -> u64 {
    let n = 10_000;
    let base = profile("");
    let many = profile(&snippet.repeat(n));
    let exec = (many.execution + many.host) - (base.execution + base.host);
    exec * P / n as u64
}

#[test]
fn each_opcode_costs_its_table_price() {
    // Each snippet leaves the stack as it found it; its ink is the sum of its opcodes.
    let cases: &[(&str, u64)] = &[
        ("nop ", 1),
        ("i32.const 1 drop ", 1 + 9),
        ("i64.const 1 drop ", 1 + 9),
        ("i32.const 1 i32.const 2 i32.add drop ", 1 + 1 + 70 + 9),
        ("i32.const 1 i32.const 2 i32.sub drop ", 1 + 1 + 70 + 9),
        ("i32.const 1 i32.const 2 i32.and drop ", 1 + 1 + 70 + 9),
        ("i32.const 1 i32.const 2 i32.shl drop ", 1 + 1 + 70 + 9),
        ("i32.const 1 i32.const 2 i32.rotr drop ", 1 + 1 + 70 + 9),
        ("i64.const 1 i64.const 2 i64.add drop ", 1 + 1 + 100 + 9),
        ("i64.const 1 i64.const 2 i64.xor drop ", 1 + 1 + 100 + 9),
        ("i32.const 1 i32.const 2 i32.mul drop ", 1 + 1 + 160 + 9),
        ("i64.const 1 i64.const 2 i64.mul drop ", 1 + 1 + 160 + 9),
        ("i32.const 7 i32.const 2 i32.div_u drop ", 1 + 1 + 1_120 + 9),
        ("i32.const 7 i32.const 2 i32.rem_s drop ", 1 + 1 + 1_120 + 9),
        ("i64.const 7 i64.const 2 i64.div_s drop ", 1 + 1 + 1_270 + 9),
        ("i32.const 1 i32.const 2 i32.lt_u drop ", 1 + 1 + 170 + 9),
        ("i32.const 1 i32.eqz drop ", 1 + 170 + 9),
        ("i64.const 1 i64.const 2 i64.ge_s drop ", 1 + 1 + 225 + 9),
        ("i64.const 1 i64.eqz drop ", 1 + 225 + 9),
        ("i32.const 1 i32.clz drop ", 1 + 210 + 9),
        ("i64.const 1 i64.ctz drop ", 1 + 210 + 9),
        ("i32.const 1 i32.popcnt drop ", 1 + 2_650 + 9),
        ("i64.const 1 i64.popcnt drop ", 1 + 6_000 + 9),
        ("i64.const 1 i32.wrap_i64 drop ", 1 + 100 + 9),
        ("i32.const 1 i64.extend_i32_u drop ", 1 + 100 + 9),
        ("i32.const 1 i32.extend8_s drop ", 1 + 100 + 9),
        ("i64.const 1 i64.extend32_s drop ", 1 + 100 + 9),
        (
            "i32.const 1 i32.const 2 i32.const 0 select drop ",
            1 + 1 + 1 + 1_250 + 9,
        ),
        ("local.get 0 drop ", 75 + 9),
        ("local.get 0 local.set 0 ", 75 + 210),
        ("local.get 0 local.tee 0 drop ", 75 + 75 + 9),
        ("i32.const 8 i32.load drop ", 1 + 670 + 9),
        ("i32.const 8 i32.load8_u drop ", 1 + 670 + 9),
        ("i32.const 8 i64.load drop ", 1 + 680 + 9),
        ("i32.const 8 i64.load32_s drop ", 1 + 680 + 9),
        ("i32.const 8 i32.const 1 i32.store ", 1 + 1 + 825),
        ("i32.const 8 i32.const 1 i32.store8 ", 1 + 1 + 825),
        ("i32.const 8 i64.const 1 i64.store ", 1 + 1 + 950),
        ("i32.const 8 i64.const 1 i64.store16 ", 1 + 1 + 950),
        ("memory.size drop ", 3_000 + 9),
    ];
    for (snippet, ink) in cases {
        assert_eq!(ink_per(snippet), *ink, "{snippet}");
    }
}

#[test]
fn globals_cost_their_table_price() {
    let body = |s: &str| format!("(global $g (mut i32) (i32.const 0)) {s}");
    // A module-level global needs the module text; measure with a dedicated program.
    let prog = |n: usize| {
        let text = format!(
            r#"(module {IMPORTS} {}
                (memory (export "memory") 1 4)
                (func (export "user_entrypoint") (param i32) (result i32)
                    {} i32.const 0))"#,
            body(""),
            "global.get $g global.set $g ".repeat(n)
        );
        profile_with(
            &wat::parse_str(text).unwrap(),
            StylusParams::default(),
            |_| {},
        )
    };
    let (a, b) = (prog(0), prog(10_000));
    assert_eq!((b.execution - a.execution) * P / 10_000, 225 + 575);
}

#[test]
fn every_basic_block_pays_the_header() {
    // `block end`: 1 + 1 ink, and `end` starts a new block: 2,450 more.
    assert_eq!(ink_per("(block) "), 1 + 1 + 2_450);
    // A taken branch out of a block: block 1 and br 765 in one basic block with its header.
    // The block after `br` (holding only the `end`) is never entered, so never charged: the
    // branch lands after it, where the next repetition's block begins.
    assert_eq!(ink_per("(block (br 0)) "), 1 + 765 + 2_450);
    // if/else: the condition's const, if 765, then-arm header, else 1, end 1, after-end header.
    assert_eq!(
        ink_per("(if (i32.const 1) (then nop) (else nop)) "),
        1 + 765 + 2_450 + 1 + 1 + 2_450
    );
}

#[test]
fn memory_copy_and_fill_pay_per_byte() {
    // 950 static + 100 per byte, plus three consts.
    assert_eq!(
        ink_per("i32.const 0 i32.const 64 i32.const 10 memory.copy "),
        3 + 950 + 100 * 10
    );
    assert_eq!(
        ink_per("i32.const 0 i32.const 7 i32.const 32 memory.fill "),
        3 + 950 + 100 * 32
    );
}

#[test]
fn host_calls_cost_their_fixed_ink() {
    // Each repetition: call 3,800, the header after the call 2,450, and the host's ink.
    let call = 3_800 + 2_450;
    assert_eq!(ink_per("call $chainid drop "), call + 9 + 8_400);
    assert_eq!(ink_per("i32.const 64 call $msg_sender "), 1 + call + 13_440);
    assert_eq!(ink_per("call $evm_gas_left drop "), call + 9 + 8_400);
    // keccak: 121,800 up to 64 bytes, 21,000 per further word; no base.
    assert_eq!(
        ink_per("i32.const 0 i32.const 64 i32.const 128 call $keccak "),
        3 + call + 121_800
    );
    assert_eq!(
        ink_per("i32.const 0 i32.const 100 i32.const 128 call $keccak "),
        3 + call + 121_800 + 2 * 21_000
    );
    // write_result: 8,400 and the read price of its bytes twice.
    assert_eq!(
        ink_per("i32.const 0 i32.const 32 call $write_result "),
        2 + call + 8_400 + 2 * 16_381
    );
    assert_eq!(
        ink_per("i32.const 0 i32.const 100 call $write_result "),
        2 + call + 8_400 + 2 * (16_381 + 55 * 68)
    );
    // pay_for_memory_grow(0): 8,400 only.
    assert_eq!(ink_per("i32.const 0 call $pay "), 1 + call + 8_400);
}

/// The ink of one repetition of `snippet` beyond the first (which may pay one-time costs such
/// as a cold account access): the difference between 10,001 repetitions and one.
fn ink_per_warm(snippet: &str) -> u64 {
    let (a, b) = (profile(snippet), profile(&snippet.repeat(10_001)));
    ((b.execution + b.host) - (a.execution + a.host)) * P / 10_000
}

#[test]
fn every_value_hook_costs_8400_or_13440_ink() {
    let call = 3_800 + 2_450;
    for hook in [
        "block_number",
        "block_timestamp",
        "block_gas_limit",
        "evm_ink_left",
        "chainid",
    ] {
        assert_eq!(
            ink_per(&format!("call ${hook} drop ")),
            call + 9 + 8_400,
            "{hook}"
        );
    }
    for hook in ["msg_reentrant", "tx_ink_price", "return_data_size"] {
        assert_eq!(
            ink_per(&format!("call ${hook} drop ")),
            call + 9 + 8_400,
            "{hook}"
        );
    }
    for hook in [
        "msg_value",
        "contract_address",
        "tx_origin",
        "tx_gas_price",
        "block_basefee",
        "block_coinbase",
    ] {
        let snippet = format!("i32.const 64 call ${hook} ");
        assert_eq!(ink_per(&snippet), 1 + call + 13_440, "{hook}");
    }
}

#[test]
fn account_hooks_cost_their_ink_and_the_account_access() {
    let call = 3_800 + 2_450;
    // Warm accesses (the first one was cold): 78,153 ink and 100 gas.
    let warm = 100 * P;
    assert_eq!(
        ink_per_warm("i32.const 0 i32.const 64 call $balance "),
        2 + call + 78_153 + warm
    );
    assert_eq!(
        ink_per_warm("i32.const 0 i32.const 64 call $codehash "),
        2 + call + 78_153 + warm
    );
    // Code size of the account asked for last: 68,073 ink and nothing more.
    assert_eq!(
        ink_per_warm("i32.const 0 call $code_size drop "),
        1 + call + 9 + 68_073
    );
    // Code of the same account (empty): 68,073 and the write price of 0 bytes.
    assert_eq!(
        ink_per_warm("i32.const 0 i32.const 0 i32.const 32 i32.const 64 call $code drop "),
        4 + call + 9 + 68_073 + 5_040
    );
}

#[test]
fn logs_and_return_data_cost_their_ink() {
    let call = 3_800 + 2_450;
    // emit_log with 1 topic and 8 bytes of data: 68,073 + R(40) ink, and 375·2 + 8·8 gas.
    let log = "i32.const 0 i32.const 40 i32.const 1 call $emit_log ";
    assert_eq!(ink_per(log), 3 + call + 68_073 + (16_381 + 55 * 8));
    assert_eq!(profile(log).logs, 750 + 64);
    // read_return_data with nothing to read: 68,073 + W(0).
    assert_eq!(
        ink_per("i32.const 0 i32.const 0 i32.const 32 call $read_return_data drop "),
        3 + call + 9 + 68_073 + 5_040
    );
}

#[test]
fn read_args_pays_the_write_price_of_the_calldata() {
    let wasm = program("i32.const 0 call $read_args");
    let run = |len: usize| {
        let mut c = chain();
        c.place_program(TARGET, &wasm);
        assert!(c.call(ALICE, TARGET, vec![1; len], U256::ZERO).success);
        c.evm.stylus.profiles()[0].host
    };
    // host ink: 8,400 + W(len); W(b) = 5,040 + 30·(b − 32).
    assert_eq!(run(0) * P, (8_400 + 5_040) / P * P);
    let (a, b) = (run(32), run(32 + 10_000));
    assert_eq!((b - a) * P, 30 * 10_000);
}

/// A program that loads slot 0 `loads` times and caches slot 1 `writes` times, flushing at the
/// end when `flush`.
fn storage_program(loads: usize, writes: usize, flush: bool) -> Vec<u8> {
    program(&format!(
        "{}{}{}",
        "i32.const 0 i32.const 64 call $load ".repeat(loads),
        "i32.const 32 i32.const 96 call $cache ".repeat(writes),
        if flush { "i32.const 0 call $flush" } else { "" }
    ))
}

#[test]
fn the_storage_cache_surcharges_step_at_read_33_and_129_and_write_9_and_65() {
    let storage = |loads, writes| {
        profile_with(
            &storage_program(loads, writes, false),
            StylusParams::default(),
            |_| {},
        )
        .storage
    };
    // The first load misses: a cold SLOAD (2,100) and the EVM-API share (5 gas).
    assert_eq!(storage(1, 0), 2_105);
    // Hits cost only the surcharge: 0 up to read 32, 2 up to 128, 10 after.
    assert_eq!(storage(32, 0), 2_105);
    assert_eq!(storage(33, 0), 2_105 + 2);
    assert_eq!(storage(128, 0), 2_105 + 2 * 96);
    assert_eq!(storage(129, 0), 2_105 + 2 * 96 + 10);
    // Writes: 0 up to write 8, 7 up to 64, 10 after; unflushed writes cost nothing else.
    assert_eq!(storage(0, 8), 0);
    assert_eq!(storage(0, 9), 7);
    assert_eq!(storage(0, 64), 7 * 56);
    assert_eq!(storage(0, 65), 7 * 56 + 10);
}

/// Caches `value` (one byte, at the top of the word) into slot `slot` and flushes.
fn write_slot(slot: u8, value: u8) -> String {
    format!(
        "i32.const 32 i32.const {slot} i32.store8 offset=31 \
         i32.const 96 i32.const {value} i32.store8 \
         i32.const 32 i32.const 96 call $cache "
    )
}

/// The word a [`write_slot`] value is.
fn top_byte(value: u8) -> U256 {
    U256::from(value) << 248
}

#[test]
fn unflushed_writes_are_lost_and_a_flush_pays_sstore() {
    let mut c = chain();
    c.place_program(TARGET, &program(&write_slot(1, 7)));
    assert!(c.call(ALICE, TARGET, Vec::new(), U256::ZERO).success);
    assert_eq!(
        c.storage(TARGET, U256::from(1)),
        U256::ZERO,
        "never flushed"
    );

    let wasm = program(&format!("{} i32.const 0 call $flush", write_slot(1, 7)));
    let p = profile_with(&wasm, StylusParams::default(), |_| {});
    // A fresh slot: cold access 2,100 + set 20,000.
    assert_eq!(p.storage, 22_100);
    let mut c = chain();
    c.place_program(TARGET, &wasm);
    assert!(c.call(ALICE, TARGET, Vec::new(), U256::ZERO).success);
    assert_eq!(c.storage(TARGET, U256::from(1)), top_byte(7));
}

#[test]
fn a_storage_heavy_program_costs_what_the_tables_add_up_to() {
    // Three fresh slots written, one existing slot overwritten, one existing slot cleared, one
    // slot loaded twice; then one flush.
    let body = format!(
        "{}{}{}{}{} \
         i32.const 32 i32.const 0 i32.store8 offset=31 \
         i32.const 32 i32.const 128 call $load \
         i32.const 32 i32.const 128 call $load \
         i32.const 0 call $flush",
        write_slot(1, 1),
        write_slot(2, 2),
        write_slot(3, 3),
        write_slot(4, 9),
        write_slot(5, 0),
    );
    let wasm = program(&body);
    let prepare = |c: &mut Chain| {
        c.set_storage(TARGET, U256::from(4), U256::from(1));
        c.set_storage(TARGET, U256::from(5), U256::from(1));
        c.set_storage(TARGET, U256::ZERO, U256::from(42));
    };
    let p = profile_with(&wasm, StylusParams::default(), prepare);
    // Loads: the first misses (cold SLOAD 2,100 + 5), the second hits (free: read 2 of 32).
    let loads = 2_105;
    // Writes: 5 cache writes, all below the 8 free ones.
    // Flush, by key: slots 1, 2, 3 fresh (2,100 + 20,000 each); slot 4 overwritten
    // (2,100 + 2,900); slot 5 cleared (2,100 + 2,900, refund 4,800).
    let flush = 3 * 22_100 + 2 * 5_000;
    assert_eq!(p.storage, loads + flush);
    // Host ink: 5 × cache 18,480, 2 × load 18,480, flush 68,073.
    assert_eq!(p.host, (7 * 18_480 + 68_073) / P);
    let mut c = chain();
    c.place_program(TARGET, &wasm);
    prepare(&mut c);
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(o.success);
    assert_eq!(c.storage(TARGET, U256::from(5)), U256::ZERO);
    assert_eq!(c.storage(TARGET, U256::from(4)), top_byte(9));
    // The clear's refund (4,800) comes off the transaction, within the 1/5 cap.
    let gross = 21_000 + c.evm.stylus.profiles()[0].total;
    assert_eq!(o.gas_used, gross - 4_800);
}

#[test]
fn memory_pages_cost_nothing_up_to_two_then_a_thousand_gas_each() {
    // The program starts with 1 page; the 2nd is free, the 3rd costs 1,000 (the exponential
    // term is still flat), the 4th 1,000 more.
    let grow = |n: usize| profile(&"i32.const 1 memory.grow drop ".repeat(n)).memory;
    assert_eq!(grow(1), 0);
    assert_eq!(grow(2), 1_000);
    assert_eq!(grow(3), 2_000);
}

#[test]
fn entry_costs_follow_the_init_estimates_cached_and_uncached() {
    let wasm = program("");
    let never = profile_with(&wasm, StylusParams::default(), |_| {});
    let always = profile_with(
        &wasm,
        StylusParams {
            cache: CacheModel::Always,
            ..StylusParams::default()
        },
        |_| {},
    );
    // The stats of this module, counted here from its bytes.
    let module = wasmparser::Parser::new(0);
    let mut funcs = 0u64;
    let mut type_len = 0u64;
    let mut types = Vec::new();
    for payload in module.parse_all(&wasm) {
        match payload.unwrap() {
            wasmparser::Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    let t = t.unwrap();
                    types.push((t.params().len() + t.results().len()) as u64);
                }
            }
            wasmparser::Payload::FunctionSection(r) => {
                for t in r {
                    funcs += 1;
                    type_len += types[t.unwrap() as usize];
                }
            }
            _ => {}
        }
    }
    let wasm_len = wasm.len() as u64;
    let globals = 4; // none of its own, and the instrumentation's four
    let cached_init = funcs * 13_420 / 100_000
        + type_len * 89 / 100_000
        + wasm_len * 122 / 100_000
        + globals * 1_628 / 1_000
        + 5;
    let init = funcs * 8_252 / 1_000 + type_len * 1_059 / 1_000 + wasm_len * 1_286 / 10_000;
    // Cached: 11 × 32 + cached_init; uncached: also 69 × 128 + init. One page: free.
    assert_eq!(always.entry, 352 + cached_init);
    assert_eq!(never.entry, 352 + cached_init + 8_832 + init);
    // ArbOS 60's per-block cache: the second call in a block is cached, the next block not.
    let mut c = chain();
    c.evm.stylus.set_params(StylusParams {
        cache: CacheModel::RecentPerBlock { size: 32 },
        ..StylusParams::default()
    });
    c.place_program(TARGET, &wasm);
    let entry = |c: &mut Chain| {
        assert!(c.call(ALICE, TARGET, Vec::new(), U256::ZERO).success);
        c.evm.stylus.profiles()[0].entry
    };
    assert_eq!(entry(&mut c), never.entry);
    assert_eq!(entry(&mut c), always.entry);
    c.evm.ctx.block.number += U256::from(1);
    assert_eq!(entry(&mut c), never.entry);
}

#[test]
fn a_call_pays_the_account_access_and_what_the_callee_used() {
    // Call an EVM contract at 0xc0c0…c0 that stops at once, with all gas: base 100 + 2,500
    // for the cold account, and the callee used nothing. Calldata and value come from zeroed
    // memory; the address is a data segment.
    let text = format!(
        r#"(module {IMPORTS}
            (memory (export "memory") 1 4)
            (data (i32.const 512) "{}")
            (func (export "user_entrypoint") (param i32) (result i32)
                i32.const 512 i32.const 0 i32.const 0 i32.const 544 i64.const -1 i32.const 256
                call $call drop
                i32.const 0))"#,
        "\\c0".repeat(20)
    );
    let wasm = wat::parse_str(text).unwrap();
    let callee = Address::repeat_byte(0xc0);
    let stop = |c: &mut Chain| c.place(callee, vec![0x00].into());
    let p = profile_with(&wasm, StylusParams::default(), stop);
    assert_eq!(p.calls, 100 + 2_500);
    // With a callee that runs 10 gas of EVM code and stops (PUSH0 ×5 costs 2 each? no: five
    // JUMPDESTs at 1 gas each), the caller pays that too.
    let jumpdests =
        |c: &mut Chain| c.place(callee, vec![0x5b, 0x5b, 0x5b, 0x5b, 0x5b, 0x00].into());
    let p = profile_with(&wasm, StylusParams::default(), jumpdests);
    assert_eq!(p.calls, 100 + 2_500 + 5);
}

#[test]
fn running_out_of_ink_consumes_all_gas_and_a_failure_keeps_it() {
    let mut c = chain();
    c.gas_limit = 200_000;
    c.place_program(TARGET, &program("(loop br 0)"));
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(o.halt.is_some());
    assert_eq!(o.gas_used, 200_000);
    assert_eq!(o.trap.unwrap().1, "out of ink");
    // A trap with ink left: a failure, which keeps the unspent gas.
    c.place_program(TARGET, &program("unreachable"));
    let o = c.call(ALICE, TARGET, Vec::new(), U256::ZERO);
    assert!(!o.success && o.halt.is_none());
    assert!(o.gas_used < 50_000, "{}", o.gas_used);
}

#[test]
fn returned_data_costs_at_least_its_evm_memory() {
    let ret = |len: usize| {
        let text = format!(
            r#"(module {IMPORTS}
                (memory (export "memory") 2 4)
                (func (export "user_entrypoint") (param i32) (result i32)
                    i32.const 0 i32.const {len} call $write_result
                    i32.const 0))"#
        );
        profile_with(
            &wat::parse_str(text).unwrap(),
            StylusParams::default(),
            |_| {},
        )
    };
    // 1,000 bytes: the program's own cost is far above the EVM memory cost (32 words: 98 gas).
    assert_eq!(ret(1_000).other, 0);
    // 100,000 bytes: 3,125 words cost 3·3,125 + 3,125²/512 = 28,448 gas in EVM memory, more
    // than the program spends; the call consumes that much.
    let p = ret(100_000);
    assert_eq!(p.total, 28_448, "{p:?}");
    assert!(p.other > 0);
}

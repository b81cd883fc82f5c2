//! Each host function of the engine, driven through the fixture program: calldata and results,
//! storage and its cache, accounts, block and transaction values, logs, keccak, return data,
//! memory growth, gas and traps.

mod common;

use common::*;
use perun_engine::program::HOSTIOS;
use revm::context::result::{HaltReason, OutOfGasError};
use revm::primitives::{keccak256, Address, B256, U256};
use std::collections::BTreeSet;

#[test]
fn the_fixture_imports_all_34_host_functions_and_the_engine_links_them() {
    let engine = wasmi::Engine::default();
    let module = wasmi::Module::new(&engine, fixture()).expect("the fixture is valid wasm");
    let imported: BTreeSet<&str> = module
        .imports()
        .map(|i| {
            assert_eq!(i.module(), "vm_hooks");
            i.name()
        })
        .collect();
    let hostios: BTreeSet<&str> = HOSTIOS.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(hostios.len(), 34);
    assert_eq!(imported, hostios);
    // And the program runs: every import resolved against the engine's linker.
    let mut c = chain();
    assert_eq!(
        ok(c.call(ALICE, PROG_A, cmd(op::ECHO, &[b"hi"]), U256::ZERO)),
        b"hi"
    );
}

#[test]
fn read_args_and_write_result_carry_calldata_and_return_data() {
    let mut c = chain();
    let big = vec![0xab; 5000];
    assert_eq!(
        ok(c.call(ALICE, PROG_A, cmd(op::ECHO, &[&big]), U256::ZERO)),
        big
    );
    // Empty calldata reads as ECHO of nothing.
    assert_eq!(ok(c.call(ALICE, PROG_A, Vec::new(), U256::ZERO)), b"");
}

#[test]
fn storage_writes_persist_when_the_program_returns() {
    let mut c = chain();
    ok(c.call(ALICE, PROG_A, sstore_cmd(7, 42), U256::ZERO));
    assert_eq!(c.storage(PROG_A, U256::from(7)), U256::from(42));
    assert_eq!(
        ok(c.call(ALICE, PROG_A, sload_cmd(7), U256::ZERO)),
        word(42)
    );
    // Another program's storage is its own.
    assert_eq!(ok(c.call(ALICE, PROG_B, sload_cmd(7), U256::ZERO)), word(0));
}

#[test]
fn flushing_writes_the_cache_and_clearing_drops_it() {
    let mut c = chain();
    for clear in [0u8, 1] {
        let key = 10 + u64::from(clear);
        let out = ok(c.call(
            ALICE,
            PROG_A,
            seq_cmd(&[
                cmd(op::SSTORE_FLUSH, &[&word(key), &word(5), &[clear]]),
                sload_cmd(key),
            ]),
            U256::ZERO,
        ));
        assert_eq!(split_seq(&out)[1], word(5));
        assert_eq!(c.storage(PROG_A, U256::from(key)), U256::from(5));
    }
}

#[test]
fn loads_see_cached_writes_and_a_revert_drops_them() {
    let mut c = chain();
    c.set_storage(PROG_A, U256::from(1), U256::from(9));
    let out = ok(c.call(
        ALICE,
        PROG_A,
        seq_cmd(&[sload_cmd(1), sstore_cmd(1, 3), sload_cmd(1)]),
        U256::ZERO,
    ));
    assert_eq!(
        split_seq(&out),
        vec![word(9).to_vec(), vec![], word(3).to_vec()]
    );
    assert_eq!(c.storage(PROG_A, U256::from(1)), U256::from(3));

    // Write, even flush, then revert: nothing stays.
    let o = c.call(
        ALICE,
        PROG_A,
        seq_cmd(&[
            sstore_cmd(2, 1),
            cmd(op::SSTORE_FLUSH, &[&word(3), &word(1), &[0]]),
            cmd(op::REVERT, &[b"undo"]),
        ]),
        U256::ZERO,
    );
    assert!(!o.success);
    assert_eq!(&o.output[..], b"undo");
    assert_eq!(c.storage(PROG_A, U256::from(2)), U256::ZERO);
    assert_eq!(c.storage(PROG_A, U256::from(3)), U256::ZERO);
}

#[test]
fn account_balance_reads_any_account() {
    let mut c = chain();
    let who = Address::repeat_byte(0x42);
    c.fund(who, U256::from(123_456));
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::BALANCE, &[who.as_slice()]),
        U256::ZERO,
    ));
    assert_eq!(out, word(123_456));
    let nobody = Address::repeat_byte(0x43);
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::BALANCE, &[nobody.as_slice()]),
        U256::ZERO,
    ));
    assert_eq!(out, word(0));
}

#[test]
fn account_code_size_and_hash_of_evm_contracts_programs_and_empty_accounts() {
    let mut c = chain();
    let code = reverter();
    c.place(EVM_F, code.clone().into());
    let size = |c: &mut Chain, a: Address| {
        ok(c.call(
            ALICE,
            PROG_A,
            cmd(op::CODE_SIZE, &[a.as_slice()]),
            U256::ZERO,
        ))
    };
    let hash = |c: &mut Chain, a: Address| {
        ok(c.call(
            ALICE,
            PROG_A,
            cmd(op::CODE_HASH, &[a.as_slice()]),
            U256::ZERO,
        ))
    };
    assert_eq!(size(&mut c, EVM_F), (code.len() as u32).to_be_bytes());
    assert_eq!(hash(&mut c, EVM_F), keccak256(&code).to_vec());
    let deployed = c.code(PROG_B);
    assert_eq!(size(&mut c, PROG_B), (deployed.len() as u32).to_be_bytes());
    assert_eq!(hash(&mut c, PROG_B), keccak256(&deployed).to_vec());
    // An account that does not exist has hash 0; one with a balance and no code, keccak("").
    let nobody = Address::repeat_byte(0x44);
    assert_eq!(size(&mut c, nobody), [0; 4]);
    assert_eq!(hash(&mut c, nobody), [0; 32]);
    assert_eq!(hash(&mut c, ALICE), keccak256([]).to_vec());

    // account_code: a window, cut at the end of the code.
    let part = |c: &mut Chain, off: u32, len: u32| {
        let args = [EVM_F.as_slice(), &off.to_be_bytes(), &len.to_be_bytes()].concat();
        ok(c.call(ALICE, PROG_A, cmd(op::CODE, &[&args]), U256::ZERO))
    };
    assert_eq!(part(&mut c, 0, code.len() as u32), code);
    assert_eq!(part(&mut c, 2, 3), code[2..5]);
    assert_eq!(
        part(&mut c, code.len() as u32 - 1, 10),
        code[code.len() - 1..]
    );
    assert_eq!(part(&mut c, 1000, 10), b"");
}

#[test]
fn block_transaction_and_message_values() {
    let mut c = chain();
    let coinbase = Address::repeat_byte(0xcb);
    c.evm.ctx.block.beneficiary = coinbase;
    c.evm.ctx.block.number = U256::from(777);
    c.evm.ctx.block.gas_limit = 32_000_000;
    c.fund(EVM_F, U256::from(1000));
    c.place(EVM_F, forwarder(evm::CALL).into());
    // Through the forwarder, so sender (the forwarder) and origin (ALICE) differ.
    let out = ok(c.call(ALICE, EVM_F, via(PROG_A, &[op::ENV]), U256::from(55)));
    let mut r = &out[..];
    let mut take = |n: usize| {
        let (h, t) = r.split_at(n);
        r = t;
        h.to_vec()
    };
    assert_eq!(take(20), EVM_F.to_vec(), "msg_sender");
    assert_eq!(take(32), word(55), "msg_value");
    assert_eq!(take(20), PROG_A.to_vec(), "contract_address");
    assert_eq!(take(20), ALICE.to_vec(), "tx_origin");
    assert_eq!(take(32), word(0), "tx_gas_price");
    assert_eq!(take(32), word(0), "block_basefee");
    assert_eq!(take(20), coinbase.to_vec(), "block_coinbase");
    assert_eq!(take(8), 32_000_000u64.to_be_bytes(), "block_gas_limit");
    assert_eq!(take(8), 777u64.to_be_bytes(), "block_number");
    assert_eq!(take(8), NOW.to_be_bytes(), "block_timestamp");
    assert_eq!(take(8), CHAIN_ID.to_be_bytes(), "chainid");
    assert_eq!(take(1), [0], "msg_reentrant");
    assert_eq!(take(4), 10_000u32.to_be_bytes(), "tx_ink_price");
    assert!(r.is_empty());
    assert_eq!(c.balance(PROG_A), U256::from(55));
}

#[test]
fn native_keccak256_hashes_guest_memory() {
    let mut c = chain();
    for data in [&b""[..], b"abc", &[7u8; 1000]] {
        let out = ok(c.call(ALICE, PROG_A, cmd(op::KECCAK, &[data]), U256::ZERO));
        assert_eq!(out, keccak256(data).to_vec());
    }
}

#[test]
fn emit_log_takes_zero_to_four_topics_and_traps_on_more() {
    let mut c = chain();
    for n in 0..=4u8 {
        let topics: Vec<u8> = (0..n).flat_map(|i| word(u64::from(i) + 1)).collect();
        let data = b"payload";
        let o = c.call(
            ALICE,
            PROG_A,
            cmd(op::LOG, &[&[n], &topics, data]),
            U256::ZERO,
        );
        assert!(o.success, "{n} topics: {o:?}");
        assert_eq!(o.logs.len(), 1);
        let log = &o.logs[0];
        assert_eq!(log.address, PROG_A);
        let want: Vec<B256> = (0..n).map(|i| B256::from(word(u64::from(i) + 1))).collect();
        assert_eq!(log.topics(), &want[..]);
        assert_eq!(&log.data.data[..], data);
    }
    let five: Vec<u8> = (0..5).flat_map(word).collect();
    let o = c.call(ALICE, PROG_A, cmd(op::LOG, &[&[5], &five]), U256::ZERO);
    assert!(!o.success);
    // Fewer bytes than the topics need: a trap too.
    let o = c.call(ALICE, PROG_A, cmd(op::LOG, &[&[2], &word(1)]), U256::ZERO);
    assert!(!o.success);
}

#[test]
fn write_result_of_a_revert_is_the_revert_data() {
    let mut c = chain();
    let o = c.call(ALICE, PROG_A, cmd(op::REVERT, &[b"reason"]), U256::ZERO);
    assert!(!o.success);
    assert!(o.halt.is_none(), "a revert, not a halt");
    assert_eq!(&o.output[..], b"reason");
    assert!(
        o.gas_used < 1_000_000,
        "a revert keeps the unused gas: {}",
        o.gas_used
    );
}

#[test]
fn gas_and_ink_left_agree_and_fall() {
    let mut c = chain();
    c.gas_limit = 1_000_000;
    let out = ok(c.call(ALICE, PROG_A, cmd(op::GAS, &[]), U256::ZERO));
    let gas = u64::from_be_bytes(out[..8].try_into().unwrap());
    let ink = u64::from_be_bytes(out[8..].try_into().unwrap());
    assert!(gas < 1_000_000 - 21_000 && gas > 900_000, "gas left {gas}");
    // Ink is read after gas (the program spends a little in between).
    let ink_gas = ink / 10_000;
    assert!(
        ink_gas <= gas && ink_gas + 100 >= gas,
        "{ink} ink vs {gas} gas"
    );
}

#[test]
fn memory_grows_by_the_pages_asked_for() {
    let mut c = chain();
    let before = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::GROW, &[&0u16.to_be_bytes()]),
        U256::ZERO,
    ));
    let after = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::GROW, &[&3u16.to_be_bytes()]),
        U256::ZERO,
    ));
    let pages = |b: &[u8]| u32::from_be_bytes(b.try_into().unwrap());
    assert_eq!(pages(&after), pages(&before) + 3);
}

#[test]
fn a_loop_computes_and_runs_out_of_gas_when_it_is_too_long() {
    let mut c = chain();
    let n = 10_000u32;
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::LOOP, &[&n.to_be_bytes()]),
        U256::ZERO,
    ));
    let mut x: u32 = 1;
    for i in 0..n {
        x = x.wrapping_mul(31).wrapping_add(i);
    }
    assert_eq!(out, x.to_be_bytes());

    c.gas_limit = 200_000;
    let o = c.call(
        ALICE,
        PROG_A,
        cmd(op::LOOP, &[&u32::MAX.to_be_bytes()]),
        U256::ZERO,
    );
    assert!(!o.success);
    assert_eq!(o.halt, Some(HaltReason::OutOfGas(OutOfGasError::Basic)));
    assert_eq!(o.gas_used, 200_000, "out of gas consumes all of it");
}

#[test]
fn read_return_data_reads_windows_and_return_data_size_is_the_whole() {
    let mut c = chain();
    let payload: Vec<u8> = (0..100).collect();
    let read = |c: &mut Chain, off: u32, len: u32| {
        let args = [
            PROG_B.as_slice(),
            &u64::MAX.to_be_bytes(),
            &off.to_be_bytes(),
            &len.to_be_bytes(),
            &cmd(op::ECHO, &[&payload]),
        ]
        .concat();
        ok(c.call(ALICE, PROG_A, cmd(op::CALL_READ, &[&args]), U256::ZERO))
    };
    let out = read(&mut c, 10, 5);
    assert_eq!(out[0], 0, "status");
    assert_eq!(out[1..5], 100u32.to_be_bytes(), "return_data_size");
    assert_eq!(
        out[5..9],
        100u32.to_be_bytes(),
        "the length call_contract wrote"
    );
    assert_eq!(out[9..], payload[10..15]);
    assert_eq!(read(&mut c, 95, 50)[9..], payload[95..]);
    assert!(read(&mut c, 100, 5)[9..].is_empty());
    assert!(read(&mut c, 5000, 5)[9..].is_empty());
}

#[test]
fn a_trap_is_a_failure_that_reverts_without_data_and_keeps_the_unspent_gas() {
    let mut c = chain();
    c.gas_limit = 300_000;
    let o = c.call(
        ALICE,
        PROG_A,
        seq_cmd(&[
            sstore_cmd(1, 1),
            cmd(op::FLUSH, &[&[0]]),
            cmd(op::TRAP, &[]),
        ]),
        U256::ZERO,
    );
    assert!(!o.success);
    assert!(o.halt.is_none(), "a failure is a revert on Arbitrum: {o:?}");
    assert!(o.output.is_empty());
    assert!(
        o.gas_used < 100_000,
        "the unspent gas comes back: {}",
        o.gas_used
    );
    let (at, why) = o.trap.expect("the reason is kept");
    assert_eq!(at, PROG_A);
    assert!(why.contains("unreachable"), "{why}");
    assert_eq!(
        c.storage(PROG_A, U256::from(1)),
        U256::ZERO,
        "the flushed write is undone"
    );
}

#[test]
fn an_unknown_command_reverts_with_the_fixtures_message() {
    let mut c = chain();
    let o = c.call(ALICE, PROG_A, vec![0xff], U256::ZERO);
    assert!(!o.success);
    assert_eq!(&o.output[..], b"unknown command");
}

//! Calls between Stylus programs, EVM contracts and precompiles in one journal: call chains with
//! a revert in the middle, static calls that try to write, reentrancy, value transfers,
//! delegate calls, the storage cache around calls, creates from programs, and the 63/64 rule.
//! A failed call has status 2 to the program, as on Arbitrum.

mod common;

use common::*;
use perun_engine::chain::init_code;
use perun_engine::program::deployed_code;
use revm::primitives::{keccak256, Address, B256, U256};

const ALL: u64 = u64::MAX;

#[test]
fn evm_to_stylus_to_evm_to_stylus_with_a_revert_in_the_middle() {
    // ALICE → EVM_F (counts) → PROG_A: write slot 1, then CALL EVM_G (counts) → PROG_B: write
    // slot 1 and revert. EVM_G bubbles the revert; PROG_A sees status 1 and returns normally.
    let mut c = chain();
    c.place(EVM_F, forwarder(evm::CALL).into());
    c.place(EVM_G, forwarder(evm::CALL).into());
    let inner = seq_cmd(&[sstore_cmd(1, 22), cmd(op::REVERT, &[b"deep"])]);
    let middle = seq_cmd(&[
        sstore_cmd(1, 11),
        call_cmd(EVM_G, 0, ALL, &via(PROG_B, &inner)),
    ]);
    let out = ok(c.call(ALICE, EVM_F, via(PROG_A, &middle), U256::ZERO));
    let results = split_seq(&out);
    assert_eq!(results[1][0], 2, "the inner call failed");
    assert_eq!(
        &results[1][1..],
        b"deep",
        "its revert data came back through the EVM"
    );
    assert_eq!(c.storage(EVM_F, U256::ZERO), U256::from(1));
    assert_eq!(c.storage(PROG_A, U256::from(1)), U256::from(11));
    assert_eq!(
        c.storage(EVM_G, U256::ZERO),
        U256::ZERO,
        "EVM_G's count rolled back"
    );
    assert_eq!(
        c.storage(PROG_B, U256::from(1)),
        U256::ZERO,
        "PROG_B's write rolled back"
    );

    // The same chain, where PROG_A reverts after the inner call succeeded: all of it unwinds.
    let inner = sstore_cmd(2, 22);
    let middle = seq_cmd(&[
        sstore_cmd(2, 11),
        call_cmd(EVM_G, 0, ALL, &via(PROG_B, &inner)),
        cmd(op::REVERT, &[b"late"]),
    ]);
    let o = c.call(ALICE, EVM_F, via(PROG_A, &middle), U256::ZERO);
    assert!(!o.success);
    assert_eq!(&o.output[..], b"late");
    assert_eq!(c.storage(EVM_F, U256::ZERO), U256::from(1), "unchanged");
    assert_eq!(c.storage(EVM_G, U256::ZERO), U256::ZERO);
    assert_eq!(c.storage(PROG_A, U256::from(2)), U256::ZERO);
    assert_eq!(c.storage(PROG_B, U256::from(2)), U256::ZERO);
}

#[test]
fn a_program_reads_an_evm_contracts_revert_and_return_data() {
    let mut c = chain();
    c.place(EVM_F, reverter().into());
    let out = ok(c.call(ALICE, PROG_A, call_cmd(EVM_F, 0, ALL, b""), U256::ZERO));
    assert_eq!(out, [&[2u8][..], b"nope"].concat());
    c.place(EVM_G, writer().into());
    let out = ok(c.call(ALICE, PROG_A, call_cmd(EVM_G, 0, ALL, b""), U256::ZERO));
    assert_eq!(out, [0u8]);
    assert_eq!(c.storage(EVM_G, U256::ZERO), U256::from(1));
}

#[test]
fn static_calls_cannot_write() {
    let mut c = chain();
    // Program → program: the callee's flush on return fails; reads are fine.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, PROG_B, ALL, &sstore_cmd(1, 1)),
        U256::ZERO,
    ));
    assert_eq!(out[0], 2);
    assert_eq!(c.storage(PROG_B, U256::from(1)), U256::ZERO);
    c.set_storage(PROG_B, U256::from(1), U256::from(8));
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, PROG_B, ALL, &sload_cmd(1)),
        U256::ZERO,
    ));
    assert_eq!(out, [&[0u8][..], &word(8)].concat());
    // A flush with nothing dirty writes nothing: fine in a static call (stylus-sdk flushes
    // after every call, views included).
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(
            op::STATIC_CALL,
            PROG_B,
            ALL,
            &seq_cmd(&[sload_cmd(1), cmd(op::FLUSH, &[&[0]])]),
        ),
        U256::ZERO,
    ));
    assert_eq!(out[0], 0, "a clean flush in a static call");
    // An explicit flush, a log and a create fail the static call the same way.
    for attempt in [
        cmd(op::SSTORE_FLUSH, &[&word(1), &word(2), &[0]]),
        cmd(op::LOG, &[&[0], b"x"]),
        cmd(op::CREATE1, &[&word(0), &init_code(b"")]),
    ] {
        c.fund(PROG_B, U256::from(10));
        let out = ok(c.call(
            ALICE,
            PROG_A,
            call2_cmd(op::STATIC_CALL, PROG_B, ALL, &attempt),
            U256::ZERO,
        ));
        assert_eq!(out[0], 2, "attempt {attempt:?}");
    }
    // Sending value from a static context is refused to the program (status 2), which goes on.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, PROG_B, ALL, &call_cmd(ALICE, 1, ALL, b"")),
        U256::ZERO,
    ));
    assert_eq!(out, [0, 2]);
    // Program → EVM contract that writes.
    c.place(EVM_F, writer().into());
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, EVM_F, ALL, b""),
        U256::ZERO,
    ));
    assert_eq!(out, [2u8]);
    // EVM STATICCALL → program that writes, and → program that reads.
    c.place(EVM_G, forwarder(evm::STATICCALL).into());
    let o = c.call(ALICE, EVM_G, via(PROG_B, &sstore_cmd(3, 3)), U256::ZERO);
    assert!(!o.success);
    let out = ok(c.call(ALICE, EVM_G, via(PROG_B, &sload_cmd(1)), U256::ZERO));
    assert_eq!(out, word(8));
    // Static all the way down: a program's plain CALL inside a static context cannot write.
    let nested = call_cmd(PROG_B, 0, ALL, &sstore_cmd(4, 4));
    let out = ok(c.call(ALICE, EVM_G, via(PROG_A, &nested), U256::ZERO));
    assert_eq!(out[0], 2);
}

#[test]
fn reentrancy_is_flagged_and_sees_flushed_writes() {
    let mut c = chain();
    // PROG_A caches a write, then calls itself: the host flushes first, so the inner call
    // reads the value, and its msg_reentrant is true.
    let inner = seq_cmd(&[sload_cmd(5), cmd(op::ENV, &[])]);
    let args = [&word(5)[..], &word(99), PROG_A.as_slice(), &inner].concat();
    let out = ok(c.call(ALICE, PROG_A, cmd(op::SSTORE_CALL, &[&args]), U256::ZERO));
    assert_eq!(out[0], 0);
    let results = split_seq(&out[1..]);
    assert_eq!(results[0], word(99));
    let env = &results[1];
    assert_eq!(
        &env[..20],
        PROG_A.as_slice(),
        "sender is the program itself"
    );
    assert_eq!(env[env.len() - 5], 1, "msg_reentrant");

    // Through an EVM contract: A → EVM_F → A is reentrant; A → EVM_F → B is not.
    c.place(EVM_F, forwarder(evm::CALL).into());
    let reentrant = |c: &mut Chain, target: Address| {
        let out = ok(c.call(
            ALICE,
            PROG_A,
            call_cmd(EVM_F, 0, ALL, &via(target, &[op::ENV])),
            U256::ZERO,
        ));
        out[out.len() - 5]
    };
    assert_eq!(reentrant(&mut c, PROG_A), 1);
    assert_eq!(reentrant(&mut c, PROG_B), 0);
}

#[test]
fn the_inner_call_writes_and_the_outer_program_reads_them_afterwards() {
    // A mutating call drops the caller's cache, so a load after it sees the callee's write.
    let mut c = chain();
    let writes_a = call_cmd(PROG_A, 0, ALL, &sstore_cmd(6, 66));
    c.place(EVM_F, forwarder(evm::CALL).into());
    let out = ok(c.call(
        ALICE,
        PROG_A,
        seq_cmd(&[
            sload_cmd(6),
            call_cmd(EVM_F, 0, ALL, &via(PROG_B, &writes_a)),
            sload_cmd(6),
        ]),
        U256::ZERO,
    ));
    let r = split_seq(&out);
    assert_eq!(r[0], word(0));
    assert_eq!(r[2], word(66));
}

#[test]
fn value_moves_with_calls_and_a_transfer_beyond_the_balance_fails() {
    let mut c = chain();
    let bob = Address::repeat_byte(0xb0);
    // ALICE pays PROG_A 1000; PROG_A forwards 300 to PROG_B, which sees it as msg_value.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call_cmd(PROG_B, 300, ALL, &[op::ENV]),
        U256::from(1000),
    ));
    assert_eq!(out[0], 0);
    assert_eq!(out[21..53], word(300));
    assert_eq!(c.balance(PROG_A), U256::from(700));
    assert_eq!(c.balance(PROG_B), U256::from(300));
    // A plain transfer to an account without code.
    ok(c.call(ALICE, PROG_A, call_cmd(bob, 200, ALL, b""), U256::ZERO));
    assert_eq!(c.balance(bob), U256::from(200));
    assert_eq!(c.balance(PROG_A), U256::from(500));
    // More than it has: the call fails, nothing moves.
    let out = ok(c.call(ALICE, PROG_A, call_cmd(bob, 501, ALL, b""), U256::ZERO));
    assert_eq!(out, [2u8]);
    assert_eq!(c.balance(PROG_A), U256::from(500));
    // A callee that reverts sends the value back.
    c.place(EVM_F, reverter().into());
    let out = ok(c.call(ALICE, PROG_A, call_cmd(EVM_F, 100, ALL, b""), U256::ZERO));
    assert_eq!(out[0], 2);
    assert_eq!(c.balance(PROG_A), U256::from(500));
    assert_eq!(c.balance(EVM_F), U256::ZERO);
}

#[test]
fn delegate_calls_run_the_callee_in_the_callers_context() {
    let mut c = chain();
    // PROG_A delegate-calls PROG_B's code: the write lands in PROG_A, and msg_sender and
    // msg_value stay those of the outer call.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(
            op::DELEGATE_CALL,
            PROG_B,
            ALL,
            &seq_cmd(&[sstore_cmd(8, 88), cmd(op::ENV, &[])]),
        ),
        U256::from(5),
    ));
    assert_eq!(out[0], 0);
    let env = &split_seq(&out[1..])[1];
    assert_eq!(&env[..20], ALICE.as_slice());
    assert_eq!(env[20..52], word(5));
    assert_eq!(&env[52..72], PROG_A.as_slice(), "contract_address");
    assert_eq!(c.storage(PROG_A, U256::from(8)), U256::from(88));
    assert_eq!(c.storage(PROG_B, U256::from(8)), U256::ZERO);
    // An EVM contract delegate-calling a program.
    c.place(EVM_F, forwarder(evm::DELEGATECALL).into());
    ok(c.call(ALICE, EVM_F, via(PROG_B, &sstore_cmd(9, 99)), U256::ZERO));
    assert_eq!(c.storage(EVM_F, U256::from(9)), U256::from(99));
}

#[test]
fn programs_call_precompiles() {
    let mut c = chain();
    // ecrecover (0x01) of a signature by a known key: the expected address comes from revm's
    // own precompile run through an EVM contract, so both paths must agree.
    let digest = keccak256(b"perun");
    let (v, r, s) = (
        27u8,
        B256::from(word(0x1234_5678)),
        B256::from(word(0x0abc_def0)),
    );
    let input = [
        digest.as_slice(),
        &word(u64::from(v)),
        r.as_slice(),
        s.as_slice(),
    ]
    .concat();
    let ecrecover = Address::with_last_byte(1);
    let from_program = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, ecrecover, ALL, &input),
        U256::ZERO,
    ));
    c.place(EVM_F, forwarder(evm::STATICCALL).into());
    let from_evm = ok(c.call(ALICE, EVM_F, via(ecrecover, &input), U256::ZERO));
    assert_eq!(from_program[0], 0);
    assert_eq!(from_program[1..], from_evm[..]);
    // sha256 (0x02) and identity (0x04).
    let sha = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, Address::with_last_byte(2), ALL, b"abc"),
        U256::ZERO,
    ));
    assert_eq!(
        alloy_hex(&sha[1..]),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
    let id = ok(c.call(
        ALICE,
        PROG_A,
        call2_cmd(op::STATIC_CALL, Address::with_last_byte(4), ALL, b"same"),
        U256::ZERO,
    ));
    assert_eq!(&id[1..], b"same");
}

fn alloy_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn programs_create_evm_contracts_and_programs() {
    let mut c = chain();
    c.fund(PROG_A, U256::from(1000));
    // CREATE1 of an EVM contract, with an endowment.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::CREATE1, &[&word(10), &init_code(&reverter())]),
        U256::ZERO,
    ));
    let created = Address::from_slice(&out[..20]);
    assert_eq!(
        created,
        PROG_A.create(1),
        "the program's first nonce is 1 (EIP-161)"
    );
    assert_eq!(c.code(created), reverter());
    assert_eq!(c.balance(created), U256::from(10));
    // CREATE2 of a Stylus program, which then runs.
    let salt = B256::repeat_byte(0x33);
    let init = init_code(&deployed_code(fixture()));
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::CREATE2, &[&word(0), salt.as_slice(), &init]),
        U256::ZERO,
    ));
    let program = Address::from_slice(&out[..20]);
    assert_eq!(program, PROG_A.create2(salt, keccak256(&init)));
    assert_eq!(
        ok(c.call(ALICE, program, cmd(op::ECHO, &[b"born"]), U256::ZERO)),
        b"born"
    );
    // The same salt again collides: address zero, no revert data.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::CREATE2, &[&word(0), salt.as_slice(), &init]),
        U256::ZERO,
    ));
    assert_eq!(out, [0u8; 20]);
    // Init code that reverts: address zero, and its revert data is the return data.
    let reverting_init = reverter();
    let out = ok(c.call(
        ALICE,
        PROG_A,
        cmd(op::CREATE1, &[&word(0), &reverting_init]),
        U256::ZERO,
    ));
    assert_eq!(&out[..20], [0u8; 20]);
    assert_eq!(&out[20..], b"nope");
}

#[test]
fn the_63_64_rule_bounds_what_a_callee_gets() {
    let mut c = chain();
    c.gas_limit = 1_000_000;
    // Asking for all gas gives at most 63/64 of what is left.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call_cmd(PROG_B, 0, ALL, &[op::GAS]),
        U256::ZERO,
    ));
    let inner = u64::from_be_bytes(out[1..9].try_into().unwrap());
    assert!(inner < (1_000_000 - 21_000) * 63 / 64, "{inner}");
    assert!(inner > 900_000, "{inner}");
    // Asking for less gives at most that.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        call_cmd(PROG_B, 0, 50_000, &[op::GAS]),
        U256::ZERO,
    ));
    let inner = u64::from_be_bytes(out[1..9].try_into().unwrap());
    assert!(inner <= 50_000 && inner > 25_000, "{inner}");
    // A callee that runs out of gas fails; the caller goes on with the rest.
    let out = ok(c.call(
        ALICE,
        PROG_A,
        seq_cmd(&[
            call_cmd(
                PROG_B,
                0,
                50_000,
                &cmd(op::LOOP, &[&u32::MAX.to_be_bytes()]),
            ),
            cmd(op::ECHO, &[b"still here"]),
        ]),
        U256::ZERO,
    ));
    let r = split_seq(&out);
    assert_eq!(r[0], [2u8]);
    assert_eq!(r[1], b"still here");
}

#[test]
fn deep_recursion_stops_at_the_call_depth_limit_or_gas() {
    // PROG_A calls itself through nested CALL commands; every level must fail cleanly rather
    // than overflow anything, and the outermost call still returns.
    let mut c = chain();
    c.gas_limit = 30_000_000;
    let mut payload = cmd(op::ECHO, &[b"bottom"]);
    for _ in 0..200 {
        payload = call_cmd(PROG_A, 0, ALL, &payload);
    }
    let out = ok(c.call(ALICE, PROG_A, payload, U256::ZERO));
    assert!(out[0] == 0 || out[0] == 2);
}

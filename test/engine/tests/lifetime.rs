//! Program lifetimes and ArbWasm (`0x71`): expired, outdated and never-activated programs fail
//! every call consuming its gas; keepalive (too soon, paid, refreshing the age) and reactivation;
//! every ArbWasm error; the dispatcher's refusals; values, fees and refunds; deployment counting
//! as activation.

mod common;

use alloy_sol_types::{SolCall, SolEvent, SolInterface};
use common::*;
use perun_engine::arbwasm::abi::ArbWasm::*;
use perun_engine::arbwasm::{
    hours_since_arbitrum, ArbWasmErrors, DataFee, LifetimeParams, ProgramRecord,
    ACTIVATION_FIXED_GAS, ARBITRUM_START_TIME, ARBWASM, FEE_ACCOUNT,
};
use perun_engine::chain::init_code;
use perun_engine::program::deployed_code;
use revm::context::result::HaltReason;
use revm::primitives::{Address, U256};

const DAY: u64 = 86_400;
const YEAR: u64 = 365 * DAY;
/// The default data fee per byte.
const PRICE: u64 = 82_928_201;
/// An EVM contract that probes calls.
const PROBE: Address = Address::repeat_byte(0xb0);
/// A forwarder contract.
const FWD: Address = Address::repeat_byte(0xf0);

/// The start of the hour `NOW` falls in: activation times are whole hours.
fn hour_start(t: u64) -> u64 {
    ARBITRUM_START_TIME + u64::from(hours_since_arbitrum(t)) * 3_600
}

/// The record of the program at `a`.
fn record(c: &Chain, a: Address) -> ProgramRecord {
    c.program_record(c.code_hash(a))
}

/// The fixture's data fee at the default price (its asm estimate: the wasm in whole KiB).
fn fixture_fee() -> U256 {
    U256::from(PRICE) * U256::from((fixture().len() as u64).div_ceil(1_024) * 1_024)
}

/// The fixture's activation fee (the exact wasm length).
fn fixture_activation_fee() -> U256 {
    U256::from(PRICE) * U256::from(fixture().len() as u64)
}

/// A contract whose calldata is `target(20) ‖ gas(32) ‖ payload`: it calls `target` with that
/// gas and the payload, and returns `success ‖ returndatasize ‖ gas left after`, three words.
fn probe() -> Vec<u8> {
    use common::evm::*;
    Asm::default()
        // Copy the payload to memory 0.
        .push(&[52])
        .ops(&[CALLDATASIZE, SUB])
        .push(&[52])
        .ops(&[PUSH0, CALLDATACOPY])
        // CALL(gas, target, 0, 0, size, 0, 0).
        .ops(&[PUSH0, PUSH0])
        .push(&[52])
        .ops(&[CALLDATASIZE, SUB, PUSH0, PUSH0, PUSH0, CALLDATALOAD])
        .push(&[96])
        .ops(&[SHR])
        .push(&[20])
        .ops(&[CALLDATALOAD, CALL, GAS])
        .push(&[64])
        .ops(&[MSTORE, PUSH0, MSTORE, RETURNDATASIZE])
        .push(&[32])
        .ops(&[MSTORE])
        .push(&[96])
        .ops(&[PUSH0, RETURN])
        .build()
}

/// The probe's calldata.
fn probe_call(target: Address, gas: u64, payload: &[u8]) -> Vec<u8> {
    [target.as_slice(), &word(gas), payload].concat()
}

/// The probe's three words.
fn probed(o: Outcome) -> (u64, u64, u64) {
    let out = ok(o);
    let w = |i: usize| U256::from_be_slice(&out[32 * i..32 * i + 32]).saturating_to::<u64>();
    (w(0), w(1), w(2))
}

/// The chain of the common tests with the probe and a forwarder.
fn lchain() -> Chain {
    let mut c = chain();
    c.place(PROBE, probe().into());
    c.place(FWD, forwarder(evm::CALL).into());
    c
}

/// Asserts a top-level call halted as a call into an inactive program does, and returns the
/// reason kept as the trap.
#[track_caller]
fn inactive(limit: u64, o: &Outcome, at: Address) -> String {
    assert!(!o.success, "{o:?}");
    assert_eq!(o.halt, Some(HaltReason::NotActivated), "{o:?}");
    assert!(o.output.is_empty());
    assert_eq!(o.gas_used, limit, "all gas consumed");
    let (who, why) = o.trap.clone().expect("the reason is kept");
    assert_eq!(who, at);
    why
}

/// Asserts a call reverted with ArbWasm's custom error `e`, keeping most of its gas.
#[track_caller]
fn reverts_with(limit: u64, o: &Outcome, e: ArbWasmErrors) {
    assert!(!o.success, "{o:?}");
    assert_eq!(o.halt, None, "a revert, not a halt: {o:?}");
    assert_eq!(
        ArbWasmErrors::abi_decode(&o.output).ok(),
        Some(e.clone()),
        "{:?}",
        o.output
    );
    assert!(o.gas_used < limit / 2, "the gas left is kept: {o:?}");
}

/// Asserts a call reverted without data consuming all gas (the dispatcher's refusals).
#[track_caller]
fn refused(limit: u64, o: &Outcome) {
    assert!(!o.success, "{o:?}");
    assert_eq!(o.halt, None, "{o:?}");
    assert!(o.output.is_empty(), "{o:?}");
    assert_eq!(o.gas_used, limit, "{o:?}");
}

fn time_left(c: &mut Chain, a: Address) -> Outcome {
    c.view(
        ALICE,
        ARBWASM,
        programTimeLeftCall { program: a }.abi_encode(),
    )
}

fn keepalive(c: &mut Chain, a: Address, value: U256) -> Outcome {
    let codehash = c.code_hash(a);
    c.call(
        ALICE,
        ARBWASM,
        codehashKeepaliveCall { codehash }.abi_encode(),
        value,
    )
}

fn activate(c: &mut Chain, a: Address, value: U256) -> Outcome {
    c.call(
        ALICE,
        ARBWASM,
        activateProgramCall { program: a }.abi_encode(),
        value,
    )
}

fn u64_of(o: Outcome) -> u64 {
    U256::from_be_slice(&ok(o)).saturating_to()
}

fn expired(age: u64) -> ArbWasmErrors {
    ArbWasmErrors::ProgramExpired(ProgramExpired { ageInSeconds: age })
}

fn echo(c: &mut Chain, a: Address) -> Outcome {
    c.call(ALICE, a, cmd(op::ECHO, &[b"alive"]), U256::ZERO)
}

// ---------------------------------------------------------------------------------------------
// Expiry
// ---------------------------------------------------------------------------------------------

#[test]
fn deployed_programs_count_as_activated_at_deployment() {
    let mut c = chain();
    let r = record(&c, PROG_A);
    assert_eq!(r.version, 2);
    assert_eq!(r.activated_at, hours_since_arbitrum(NOW));
    assert_eq!(
        u64::from(r.asm_estimate_kb),
        (fixture().len() as u64).div_ceil(1_024)
    );
    // A create deploys and activates too, in the create's transaction.
    c.set_timestamp(NOW + 10 * DAY);
    let code = deployed_code(fixture());
    // The same code hash is active already: its record stays as it was.
    let o = c.create(ALICE, init_code(&code), U256::ZERO);
    assert_eq!(record(&c, o.created.unwrap()), r);
    // New code (the fixture with a custom section appended) gets a record of its own.
    let mut wasm = fixture().to_vec();
    wasm.extend_from_slice(&[0, 4, 1, b'x', 0, 0]);
    let o = c.create(ALICE, init_code(&deployed_code(&wasm)), U256::ZERO);
    let at = o.created.expect("created");
    assert_eq!(
        record(&c, at).activated_at,
        hours_since_arbitrum(NOW + 10 * DAY)
    );
    assert_eq!(ok(echo(&mut c, at)), b"alive");
    // EVM code gets no record.
    c.place(PROBE, probe().into());
    assert_eq!(record(&c, PROBE), ProgramRecord::default());
}

#[test]
fn a_program_older_than_the_expiry_fails_every_call_consuming_the_gas() {
    let mut c = lchain();
    let start = hour_start(NOW);
    // Exactly at the expiry the program still runs (the rule is a strict `>`).
    c.set_timestamp(start + YEAR);
    assert_eq!(ok(echo(&mut c, PROG_A)), b"alive");
    assert_eq!(u64_of(time_left(&mut c, PROG_A)), 0);
    // One second later every call fails, whatever it asks.
    c.set_timestamp(start + YEAR + 1);
    let o = echo(&mut c, PROG_A);
    assert_eq!(
        inactive(c.gas_limit, &o, PROG_A),
        format!("ProgramExpired({})", YEAR + 1)
    );
    let o = c.call(ALICE, PROG_A, cmd(op::REVERT, &[b"x"]), U256::ZERO);
    inactive(c.gas_limit, &o, PROG_A);
    // A value sent along is not moved.
    let before = c.balance(ALICE);
    let o = c.call(ALICE, PROG_A, Vec::new(), U256::from(5));
    inactive(c.gas_limit, &o, PROG_A);
    assert_eq!(c.balance(ALICE), before);
    assert_eq!(c.balance(PROG_A), U256::ZERO);
    // PROG_B has the same code hash: expired too.
    inactive(c.gas_limit, &echo(&mut c, PROG_B), PROG_B);

    // From an EVM contract: CALL returns 0, no return data, and the forwarded gas is gone.
    let g = 1_000_000;
    let (success, rds, left_expired) =
        probed(c.call(ALICE, PROBE, probe_call(PROG_A, g, b""), U256::ZERO));
    assert_eq!((success, rds), (0, 0));
    // A call that fails at once in an active world for comparison: a reverting EVM contract.
    c.place(EVM_F, reverter().into());
    let (success, rds, left_revert) =
        probed(c.call(ALICE, PROBE, probe_call(EVM_F, g, b""), U256::ZERO));
    assert_eq!((success, rds), (0, 4));
    assert!(
        left_revert - left_expired > g - 1_000,
        "the expired program consumed the forwarded gas: {left_revert} vs {left_expired}"
    );

    // From a Stylus program: the call fails (status 2) with no return data, and its gas is gone.
    let probe = |c: &mut Chain| {
        let seq = seq_cmd(&[
            call_cmd(PROG_A, 0, g, &cmd(op::ECHO, &[b"x"])),
            cmd(op::GAS, &[]),
        ]);
        let out = split_seq(&ok(c.call(ALICE, PROG_B, seq, U256::ZERO)));
        let gas_left = u64::from_be_bytes(out[1][..8].try_into().unwrap());
        (out[0].clone(), gas_left)
    };
    // PROG_B must run: give it a code hash of its own.
    let mut wasm = fixture().to_vec();
    wasm.extend_from_slice(&[0, 4, 1, b'y', 0, 0]);
    c.place_program(PROG_B, &wasm);
    let (status, left_after_expired) = probe(&mut c);
    assert_eq!(status, vec![2], "failed, no return data");
    c.set_activation_time(PROG_A, start + YEAR);
    let (status, left_after_active) = probe(&mut c);
    assert_eq!(status[0], 0);
    assert_eq!(&status[1..], b"x");
    assert!(left_after_active - left_after_expired > g / 2);
}

#[test]
fn the_age_counts_from_the_start_of_the_activation_hour() {
    let mut c = chain();
    let start = hour_start(NOW);
    // Activated (kept alive) 59 minutes into the hour: nitro keeps only the hour.
    c.set_activation_time(PROG_A, start + 3_540);
    assert_eq!(record(&c, PROG_A).activated_at, hours_since_arbitrum(start));
    c.set_timestamp(start + 3_540 + YEAR - 3_540);
    assert_eq!(u64_of(time_left(&mut c, PROG_A)), 0);
    c.set_timestamp(start + YEAR + 1);
    // Less than a year after the real activation, and expired.
    reverts_with(c.gas_limit, &time_left(&mut c, PROG_A), expired(YEAR + 1));
}

#[test]
fn time_left_counts_down_and_then_reverts_with_the_age() {
    let mut c = chain();
    let start = hour_start(NOW);
    c.set_timestamp(start + 100 * DAY);
    assert_eq!(u64_of(time_left(&mut c, PROG_A)), YEAR - 100 * DAY);
    c.set_timestamp(start + 400 * DAY);
    let o = time_left(&mut c, PROG_A);
    reverts_with(c.gas_limit, &o, expired(400 * DAY));
    let o = c.view(
        ALICE,
        ARBWASM,
        programVersionCall { program: PROG_A }.abi_encode(),
    );
    reverts_with(c.gas_limit, &o, expired(400 * DAY));
    let codehash = c.code_hash(PROG_A);
    let o = c.view(
        ALICE,
        ARBWASM,
        codehashVersionCall { codehash }.abi_encode(),
    );
    reverts_with(c.gas_limit, &o, expired(400 * DAY));
}

// ---------------------------------------------------------------------------------------------
// Keepalive
// ---------------------------------------------------------------------------------------------

#[test]
fn a_keepalive_too_soon_reverts_with_the_age_and_moves_nothing() {
    let mut c = chain();
    let start = hour_start(NOW);
    c.set_timestamp(start + 31 * DAY - 1);
    let before = c.balance(ALICE);
    let o = keepalive(&mut c, PROG_A, U256::from(10u64.pow(18)));
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramKeepaliveTooSoon(ProgramKeepaliveTooSoon {
            ageInSeconds: 31 * DAY - 1,
        }),
    );
    assert_eq!(c.balance(ALICE), before);
    assert_eq!(c.balance(ARBWASM), U256::ZERO);
    assert_eq!(record(&c, PROG_A).activated_at, hours_since_arbitrum(NOW));
    // At exactly 31 days it is allowed (the rule is a strict `<`).
    c.set_timestamp(start + 31 * DAY);
    assert!(keepalive(&mut c, PROG_A, fixture_fee()).success);
}

#[test]
fn a_keepalive_refreshes_the_age_pays_the_fee_and_refunds_the_rest() {
    let mut c = chain();
    let start = hour_start(NOW);
    let now = start + 200 * DAY + 1_234;
    c.set_timestamp(now);
    assert_eq!(u64_of(time_left(&mut c, PROG_A)), YEAR - 200 * DAY - 1_234);
    // Value 0: the fee is the error's `want`.
    let o = keepalive(&mut c, PROG_A, U256::ZERO);
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramInsufficientValue(ProgramInsufficientValue {
            have: U256::ZERO,
            want: fixture_fee(),
        }),
    );
    // One wei short: the same error, nothing moves.
    let short = fixture_fee() - U256::from(1);
    let before = c.balance(ALICE);
    let o = keepalive(&mut c, PROG_A, short);
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramInsufficientValue(ProgramInsufficientValue {
            have: short,
            want: fixture_fee(),
        }),
    );
    assert_eq!(c.balance(ALICE), before);
    // Paying more: the fee goes to the fee account, the rest comes back.
    let extra = U256::from(777);
    let o = keepalive(&mut c, PROG_A, fixture_fee() + extra);
    assert!(o.success, "{o:?}");
    assert!(o.output.is_empty());
    assert_eq!(c.balance(ALICE), before - fixture_fee());
    assert_eq!(c.balance(FEE_ACCOUNT), fixture_fee());
    assert_eq!(c.balance(ARBWASM), U256::ZERO);
    assert_eq!(o.logs.len(), 1);
    let log = ProgramLifetimeExtended::decode_log_data(&o.logs[0].data).unwrap();
    assert_eq!(o.logs[0].address, ARBWASM);
    assert_eq!(log.codehash, c.code_hash(PROG_A));
    assert_eq!(log.dataFee, fixture_fee());
    // The age restarts at the current hour.
    assert_eq!(record(&c, PROG_A).activated_at, hours_since_arbitrum(now));
    assert_eq!(
        u64_of(time_left(&mut c, PROG_A)),
        YEAR - (now - hour_start(now))
    );
    // A keepalive has no fixed burn: it is cheap.
    assert!(o.gas_used < 100_000, "{}", o.gas_used);
    // Another keepalive right away is too soon.
    let o = keepalive(&mut c, PROG_A, fixture_fee());
    assert!(matches!(
        ArbWasmErrors::abi_decode(&o.output),
        Ok(ArbWasmErrors::ProgramKeepaliveTooSoon(_))
    ));
    // The program runs past its first year.
    c.set_timestamp(start + YEAR + 100 * DAY);
    assert_eq!(ok(echo(&mut c, PROG_A)), b"alive");
}

#[test]
fn an_expired_program_cannot_be_kept_alive() {
    let mut c = chain();
    let start = hour_start(NOW);
    c.set_timestamp(start + YEAR + 10);
    let o = keepalive(&mut c, PROG_A, fixture_fee());
    reverts_with(c.gas_limit, &o, expired(YEAR + 10));
}

#[test]
fn the_refund_goes_to_the_immediate_caller() {
    let mut c = lchain();
    c.set_timestamp(hour_start(NOW) + 40 * DAY);
    let codehash = c.code_hash(PROG_A);
    let payload = codehashKeepaliveCall { codehash }.abi_encode();
    let extra = U256::from(1_000);
    let before = c.balance(ALICE);
    let o = c.call(ALICE, FWD, via(ARBWASM, &payload), fixture_fee() + extra);
    assert!(o.success, "{o:?}");
    assert_eq!(
        c.balance(FWD),
        extra,
        "the forwarder called 0x71: it gets the rest"
    );
    assert_eq!(c.balance(ALICE), before - fixture_fee() - extra);
    assert_eq!(c.balance(FEE_ACCOUNT), fixture_fee());
}

// ---------------------------------------------------------------------------------------------
// Reactivation
// ---------------------------------------------------------------------------------------------

#[test]
fn an_expired_program_is_reactivated_and_runs_again() {
    let mut c = chain();
    let start = hour_start(NOW);
    let now = start + 2 * YEAR + 5;
    c.set_timestamp(now);
    inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
    // Too little value: ProgramInsufficientValue, and the program stays expired.
    let o = activate(&mut c, PROG_A, U256::from(1));
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramInsufficientValue(ProgramInsufficientValue {
            have: U256::from(1),
            want: fixture_activation_fee(),
        }),
    );
    assert!(o.gas_used > ACTIVATION_FIXED_GAS, "the fixed burn is spent");
    inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
    // eth_call with enough value returns (version, fee) and leaves nothing behind.
    let data = activateProgramCall { program: PROG_A }.abi_encode();
    let o = c.simulate(ALICE, ARBWASM, data, fixture_activation_fee());
    let r = activateProgramCall::abi_decode_returns(&ok(o)).unwrap();
    assert_eq!((r.version, r.dataFee), (2, fixture_activation_fee()));
    inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
    // Sent with a margin: the fee is paid, the margin refunded.
    let before = c.balance(ALICE);
    let o = activate(&mut c, PROG_A, fixture_activation_fee() * U256::from(2));
    assert!(o.success, "{o:?}");
    let r = activateProgramCall::abi_decode_returns(&o.output).unwrap();
    assert_eq!((r.version, r.dataFee), (2, fixture_activation_fee()));
    assert_eq!(c.balance(ALICE), before - fixture_activation_fee());
    assert_eq!(c.balance(FEE_ACCOUNT), fixture_activation_fee());
    assert!(o.gas_used > ACTIVATION_FIXED_GAS && o.gas_used < ACTIVATION_FIXED_GAS + 200_000);
    let log = ProgramActivated::decode_log_data(&o.logs[0].data).unwrap();
    assert_eq!(log.codehash, c.code_hash(PROG_A));
    assert_eq!(log.program, PROG_A);
    assert_eq!(log.dataFee, fixture_activation_fee());
    assert_eq!(log.version, 2);
    // The record is fresh, with the compiled program's costs; both copies run again.
    let rec = record(&c, PROG_A);
    assert_eq!(rec.activated_at, hours_since_arbitrum(now));
    assert!(rec.init_cost > 0 && rec.footprint > 0);
    assert_eq!(ok(echo(&mut c, PROG_A)), b"alive");
    assert_eq!(ok(echo(&mut c, PROG_B)), b"alive");
    assert_eq!(
        u64_of(time_left(&mut c, PROG_A)),
        YEAR - (now - hour_start(now))
    );
    // Activating it again is refused as up to date, after the fixed burn.
    let o = activate(&mut c, PROG_A, fixture_activation_fee());
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramUpToDate(ProgramUpToDate {}),
    );
    assert!(o.gas_used > ACTIVATION_FIXED_GAS);
}

#[test]
fn an_upgrade_makes_programs_outdated_until_reactivated() {
    let mut c = chain();
    c.set_stylus_version(3);
    let why = inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
    assert_eq!(why, "ProgramNeedsUpgrade(2, 3)");
    let upgrade = ArbWasmErrors::ProgramNeedsUpgrade(ProgramNeedsUpgrade {
        version: 2,
        stylusVersion: 3,
    });
    reverts_with(c.gas_limit, &time_left(&mut c, PROG_A), upgrade.clone());
    // Outdated comes before expired.
    c.set_timestamp(NOW + 2 * YEAR);
    reverts_with(c.gas_limit, &time_left(&mut c, PROG_A), upgrade.clone());
    reverts_with(
        c.gas_limit,
        &keepalive(&mut c, PROG_A, fixture_fee()),
        upgrade,
    );
    assert!(activate(&mut c, PROG_A, fixture_activation_fee()).success);
    assert_eq!(record(&c, PROG_A).version, 3);
    let o = c.view(
        ALICE,
        ARBWASM,
        programVersionCall { program: PROG_B }.abi_encode(),
    );
    assert_eq!(u64_of(o), 3);
    assert_eq!(ok(echo(&mut c, PROG_A)), b"alive");
    // The test hook on a program's version.
    c.set_program_version(PROG_A, 1);
    assert_eq!(
        inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A),
        "ProgramNeedsUpgrade(1, 3)"
    );
}

#[test]
fn programs_deployed_without_activation_fail_until_activated() {
    let mut c = chain();
    c.set_lifetime(LifetimeParams {
        activate_on_deploy: false,
        ..LifetimeParams::default()
    });
    let mut wasm = fixture().to_vec();
    wasm.extend_from_slice(&[0, 4, 1, b'n', 0, 0]);
    let o = c.create(ALICE, init_code(&deployed_code(&wasm)), U256::ZERO);
    let at = o.created.expect("created");
    assert_eq!(record(&c, at), ProgramRecord::default());
    assert_eq!(
        inactive(c.gas_limit, &echo(&mut c, at), at),
        "ProgramNotActivated()"
    );
    reverts_with(
        c.gas_limit,
        &time_left(&mut c, at),
        ArbWasmErrors::ProgramNotActivated(ProgramNotActivated {}),
    );
    // Never activated: a keepalive is refused the same way.
    reverts_with(
        c.gas_limit,
        &keepalive(&mut c, at, fixture_fee()),
        ArbWasmErrors::ProgramNotActivated(ProgramNotActivated {}),
    );
    let fee = U256::from(PRICE) * U256::from(wasm.len() as u64);
    assert!(activate(&mut c, at, fee).success);
    assert_eq!(ok(echo(&mut c, at)), b"alive");
}

// ---------------------------------------------------------------------------------------------
// Every other error and the dispatcher's rules
// ---------------------------------------------------------------------------------------------

#[test]
fn activating_what_is_no_stylus_program() {
    let mut c = lchain();
    // No code at all: ProgramNotWasm().
    let nobody = Address::repeat_byte(0x99);
    let o = activate(&mut c, nobody, U256::ZERO);
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramNotWasm(ProgramNotWasm {}),
    );
    // EVM code before ArbOS 60: a plain error, a revert without data that keeps the gas.
    let o = activate(&mut c, PROBE, U256::ZERO);
    assert!(
        !o.success && o.halt.is_none() && o.output.is_empty(),
        "{o:?}"
    );
    assert!(o.gas_used < c.gas_limit / 2);
    // From ArbOS 60: ProgramNotWasm().
    c.set_lifetime(LifetimeParams {
        arbos_version: 60,
        ..LifetimeParams::default()
    });
    let o = activate(&mut c, PROBE, U256::ZERO);
    reverts_with(
        c.gas_limit,
        &o,
        ArbWasmErrors::ProgramNotWasm(ProgramNotWasm {}),
    );
    // EVM contracts and empty accounts have no record: ProgramNotActivated().
    for a in [PROBE, nobody] {
        let o = c.view(
            ALICE,
            ARBWASM,
            programVersionCall { program: a }.abi_encode(),
        );
        reverts_with(
            c.gas_limit,
            &o,
            ArbWasmErrors::ProgramNotActivated(ProgramNotActivated {}),
        );
    }
}

#[test]
fn an_activation_that_fails_validation_consumes_all_gas() {
    let mut c = chain();
    c.set_lifetime(LifetimeParams {
        activate_on_deploy: false,
        ..LifetimeParams::default()
    });
    // A wasm without the entry point: decompresses, then fails validation.
    let wasm = wat::parse_str(r#"(module (memory (export "memory") 1))"#).unwrap();
    let bad = Address::repeat_byte(0xbd);
    c.place_program(bad, &wasm);
    let o = activate(&mut c, bad, U256::from(10u64.pow(18)));
    assert!(!o.success);
    assert_eq!(o.halt, Some(HaltReason::PrecompileError), "{o:?}");
    assert_eq!(o.gas_used, c.gas_limit);
    assert!(o.trap.unwrap().1.contains("activation failed"));
    assert_eq!(record(&c, bad), ProgramRecord::default());
    // A payload that is no brotli stream is a plain error: no data, the gas kept.
    c.place(bad, vec![0xef, 0xf0, 0x00, 0x00, 1, 2, 3].into());
    let o = activate(&mut c, bad, U256::ZERO);
    assert!(
        !o.success && o.halt.is_none() && o.output.is_empty(),
        "{o:?}"
    );
    assert!(o.gas_used < c.gas_limit);
}

#[test]
fn the_dispatcher_refuses_consuming_all_gas() {
    let mut c = lchain();
    c.set_timestamp(NOW + 40 * DAY);
    // An unknown selector, a selector alone, calldata too short for the argument.
    refused(
        c.gas_limit,
        &c.call(ALICE, ARBWASM, vec![1, 2, 3, 4], U256::ZERO),
    );
    refused(c.gas_limit, &c.call(ALICE, ARBWASM, vec![0x58], U256::ZERO));
    let short = programVersionCall::SELECTOR.to_vec();
    refused(c.gas_limit, &c.call(ALICE, ARBWASM, short, U256::ZERO));
    // activationGas() exists from ArbOS 60 only.
    let ag = activationGasCall {}.abi_encode();
    refused(c.gas_limit, &c.call(ALICE, ARBWASM, ag.clone(), U256::ZERO));
    // Value sent to a view: refused, and the value does not move.
    let before = c.balance(ALICE);
    let o = c.call(
        ALICE,
        ARBWASM,
        stylusVersionCall {}.abi_encode(),
        U256::from(3),
    );
    refused(c.gas_limit, &o);
    assert_eq!(c.balance(ALICE), before);
    // A write under a static call: the forwarder's STATICCALL fails.
    c.place(EVM_G, forwarder(evm::STATICCALL).into());
    let codehash = c.code_hash(PROG_A);
    let data = codehashKeepaliveCall { codehash }.abi_encode();
    let o = c.call(ALICE, EVM_G, via(ARBWASM, &data), U256::ZERO);
    assert!(!o.success && o.output.is_empty(), "{o:?}");
    // A view under a static call is fine.
    let o = c.call(
        ALICE,
        EVM_G,
        via(ARBWASM, &stylusVersionCall {}.abi_encode()),
        U256::ZERO,
    );
    assert_eq!(u64_of(o), 2);
    // A delegate call to 0x71 does not act as ArbWasm: refused.
    c.place(EVM_F, forwarder(evm::DELEGATECALL).into());
    let o = c.call(
        ALICE,
        EVM_F,
        via(ARBWASM, &stylusVersionCall {}.abi_encode()),
        U256::ZERO,
    );
    assert!(!o.success && o.output.is_empty(), "{o:?}");
    // Custom errors keep the gas; refusals do not: compare through the probe.
    let g = 500_000;
    let (s, rds, left_refused) = probed(c.call(
        ALICE,
        PROBE,
        probe_call(ARBWASM, g, &[9, 9, 9, 9]),
        U256::ZERO,
    ));
    assert_eq!((s, rds), (0, 0));
    let payload = programTimeLeftCall { program: PROBE }.abi_encode();
    let (s, rds, left_error) =
        probed(c.call(ALICE, PROBE, probe_call(ARBWASM, g, &payload), U256::ZERO));
    assert_eq!((s, rds), (0, 4), "ProgramNotActivated(): 4 bytes");
    assert!(left_error - left_refused > g - 10_000);
}

#[test]
fn a_stylus_program_calls_arbwasm() {
    let mut c = chain();
    c.set_timestamp(hour_start(NOW) + DAY);
    let payload = programTimeLeftCall { program: PROG_A }.abi_encode();
    let out = ok(c.call(
        ALICE,
        PROG_B,
        call_cmd(ARBWASM, 0, 1_000_000, &payload),
        U256::ZERO,
    ));
    assert_eq!(out[0], 0);
    assert_eq!(U256::from_be_slice(&out[1..]), U256::from(YEAR - DAY));
}

#[test]
fn the_getters_report_the_chains_parameters() {
    let mut c = chain();
    let get = |c: &mut Chain, data: Vec<u8>| ok(c.view(ALICE, ARBWASM, data));
    let word_of = |v: u64| U256::from(v).to_be_bytes::<32>().to_vec();
    assert_eq!(get(&mut c, stylusVersionCall {}.abi_encode()), word_of(2));
    assert_eq!(get(&mut c, expiryDaysCall {}.abi_encode()), word_of(365));
    assert_eq!(get(&mut c, keepaliveDaysCall {}.abi_encode()), word_of(31));
    assert_eq!(get(&mut c, inkPriceCall {}.abi_encode()), word_of(10_000));
    assert_eq!(get(&mut c, freePagesCall {}.abi_encode()), word_of(2));
    assert_eq!(get(&mut c, pageGasCall {}.abi_encode()), word_of(1_000));
    assert_eq!(get(&mut c, pageLimitCall {}.abi_encode()), word_of(128));
    assert_eq!(
        get(&mut c, initCostScalarCall {}.abi_encode()),
        word_of(100)
    );
    assert_eq!(
        get(&mut c, minInitGasCall {}.abi_encode()),
        [word_of(69 * 128), word_of(11 * 32)].concat()
    );
    let codehash = c.code_hash(PROG_A);
    let kb = (fixture().len() as u64).div_ceil(1_024);
    assert_eq!(
        get(&mut c, codehashAsmSizeCall { codehash }.abi_encode()),
        word_of(kb * 1_024)
    );
    let fp = get(
        &mut c,
        programMemoryFootprintCall { program: PROG_A }.abi_encode(),
    );
    assert!(U256::from_be_slice(&fp) >= U256::from(1));
    let ig = get(&mut c, programInitGasCall { program: PROG_A }.abi_encode());
    let init = U256::from_be_slice(&ig[..32]).saturating_to::<u64>();
    let cached = U256::from_be_slice(&ig[32..]).saturating_to::<u64>();
    assert!(init >= 69 * 128 && cached >= 11 * 32, "{init} {cached}");
    // Another chain: another expiry, keepalive, version and a fixed fee.
    c.set_lifetime(LifetimeParams {
        expiry_days: 30,
        keepalive_days: 7,
        version: 5,
        data_fee: DataFee::Fixed(U256::from(1_000)),
        arbos_version: 60,
        activation_gas: 10,
        ..LifetimeParams::default()
    });
    assert_eq!(get(&mut c, expiryDaysCall {}.abi_encode()), word_of(30));
    assert_eq!(get(&mut c, keepaliveDaysCall {}.abi_encode()), word_of(7));
    assert_eq!(get(&mut c, stylusVersionCall {}.abi_encode()), word_of(5));
    assert_eq!(get(&mut c, activationGasCall {}.abi_encode()), word_of(10));
    assert!(activate(&mut c, PROG_A, U256::from(1_000)).success);
    assert_eq!(c.balance(FEE_ACCOUNT), U256::from(1_000));
    c.set_timestamp(NOW + 8 * DAY);
    assert!(keepalive(&mut c, PROG_A, U256::from(1_000)).success);
    c.set_timestamp(NOW + 8 * DAY + 31 * DAY);
    inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
}

#[test]
fn a_reverted_activation_leaves_no_record() {
    let mut c = lchain();
    c.set_timestamp(NOW + 2 * YEAR);
    // The forwarder calls activateProgram, then the outer call reverts: REVERT contract wraps it.
    // Use the forwarder with too little value: the inner error reverts the forwarder too.
    let payload = activateProgramCall { program: PROG_A }.abi_encode();
    let o = c.call(ALICE, FWD, via(ARBWASM, &payload), U256::from(1));
    assert!(!o.success);
    let e = ArbWasmErrors::abi_decode(&o.output).unwrap();
    assert!(matches!(e, ArbWasmErrors::ProgramInsufficientValue(_)));
    inactive(c.gas_limit, &echo(&mut c, PROG_A), PROG_A);
    // The same call with enough value succeeds and the program runs.
    let o = c.call(ALICE, FWD, via(ARBWASM, &payload), fixture_activation_fee());
    assert!(o.success, "{o:?}");
    assert_eq!(ok(echo(&mut c, PROG_A)), b"alive");
    assert_eq!(
        ProgramActivated::SIGNATURE_HASH,
        o.logs[0].topics()[0],
        "ProgramActivated"
    );
}

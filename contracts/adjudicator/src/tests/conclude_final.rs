//! `concludeFinal`: concluding at once with a final state signed by all, and its errors.

use super::*;
use perun_channel::dispute::CONCLUDED;
use perun_channel::errors as sol;

/// Concludes `s` of `p` with `sigs`.
fn conclude_final(
    vm: &PerunVM,
    p: &Channel::Params,
    s: &Channel::State,
    sigs: Vec<Bytes>,
) -> ArbResult {
    call(vm, conclude_final_data(p, s, sigs))
}

/// Concludes `s` of `p` signed by all.
fn conclude_final_signed(vm: &PerunVM, p: &Channel::Params, s: &Channel::State) -> ArbResult {
    conclude_final(vm, p, s, sigs(p, s))
}

/// The record `concludeFinal` of `s` at `now` leaves.
fn concluded_final(s: &Channel::State, has_app: bool, now: u64) -> Dispute {
    Dispute {
        timeout: now,
        challenge_duration: CD,
        version: s.version,
        phase: CONCLUDED,
        has_app,
        state_hash: hash_state(s),
    }
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_final_concludes_at_once_and_pushes_the_outcome() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&p, 5);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    let id = channel_id(&p);
    assert_eq!(record(&vm, id), concluded_final(&s, false, START));
    assert_eq!(updates(&vm), [update(id, 5, CONCLUDED, START)]);
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[10, 20])]);
}

#[test]
fn conclude_final_records_that_the_channel_has_an_app() {
    let vm = deploy();
    let p = app_params(3);
    let s = final_state(&p, 1);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    assert_eq!(
        record(&vm, channel_id(&p)),
        concluded_final(&s, true, START)
    );
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[10, 20, 30])]);
}

#[test]
fn conclude_final_overrides_a_dispute() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 7));
    at(&vm, START + 10);
    // Any version: the final state signed by all ends the channel.
    let s = final_state(&p, 3);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    assert_eq!(
        record(&vm, channel_id(&p)),
        concluded_final(&s, false, START + 10)
    );
}

#[test]
fn conclude_final_overrides_a_dispute_after_its_timeout() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 1));
    at(&vm, START + 5 * CD);
    let s = final_state(&p, 2);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    assert_eq!(
        record(&vm, channel_id(&p)),
        concluded_final(&s, false, START + 5 * CD)
    );
}

#[test]
fn conclude_final_overrides_force_execution() {
    let vm = deploy();
    let p = app_params(2);
    let s1 = state(&p, 1);
    register_ok(&vm, &p, &s1);
    at(&vm, START + CD);
    let s2 = state_with(&p, 2, &[20, 10]);
    let data = progress_data(&p, &s1, &s2, U256::ZERO, sign(0, &s2));
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let f = final_state(&p, 3);
    assert_eq!(conclude_final_signed(&vm, &p, &f), Ok(Vec::new()));
    assert_eq!(
        record(&vm, channel_id(&p)),
        concluded_final(&f, true, START + CD)
    );
}

#[test]
fn conclude_final_of_a_virtual_ledger_channel_concludes_it_in_the_registry() {
    let vm = deploy();
    let p = Channel::Params {
        virtualChannel: true,
        challengeDuration: U256::from(4321),
        ..params(2)
    };
    let s = final_state(&p, 6);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    let id = channel_id(&p);
    let to_registry = calldata(
        selector_of("concludeFinalVirtual(bytes32,uint64,bytes32,uint256)"),
        (id, 6u64, hash_state(&s), U256::from(4321)),
    );
    assert_eq!(
        vm.calls(),
        [
            call_to(REGISTRY, to_registry),
            set_outcome_call(HOLDER, &p, &[10, 20])
        ]
    );
    assert_eq!(updates(&vm), [update(id, 6, CONCLUDED, START)]);
    assert!(!record(&vm, id).registered());
}

#[test]
fn conclude_final_of_a_virtual_ledger_channel_bubbles_the_registrys_revert_data() {
    let vm = deploy();
    let p = Channel::Params {
        virtualChannel: true,
        ..params(2)
    };
    let s = final_state(&p, 6);
    reply_from(&vm, REGISTRY, Err(Error::AlreadyConcluded.revert_data()));
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::AlreadyConcluded)
    );
    remove_code(&vm, REGISTRY);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Err(Vec::new()));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_final_reverts_when_the_channel_is_not_a_ledger_channel() {
    let vm = deploy();
    let p = sub_params(&[0, 1], 1);
    let s = final_state(&p, 1);
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::NotLedgerChannel)
    );
}

#[test]
fn conclude_final_reverts_when_the_state_is_not_final() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::StateNotFinal)
    );
}

#[test]
fn conclude_final_reverts_when_the_state_locks_funds() {
    let vm = deploy();
    let p = params(2);
    let sub = state_with(&sub_params(&[0, 1], 2), 1, &[1, 1]);
    let s = locking(final_state(&p, 1), vec![sub_alloc(&sub, &[0, 1])]);
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::HasLockedFunds)
    );
    // Not final and locking funds: finality is checked first.
    let s = locking(state(&p, 1), vec![sub_alloc(&sub, &[0, 1])]);
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::StateNotFinal)
    );
}

#[test]
fn conclude_final_reverts_when_the_state_is_not_of_the_params() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&params_of(&[0, 1], 2), 1);
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::InvalidParams)
    );
}

#[test]
fn conclude_final_reverts_when_a_signature_is_missing() {
    let vm = deploy();
    let p = params(3);
    let s = final_state(&p, 1);
    let mut fewer = sigs(&p, &s);
    fewer.pop();
    assert_eq!(
        conclude_final(&vm, &p, &s, fewer),
        reverts_with(sol::SignatureCountMismatch::SELECTOR)
    );
}

#[test]
fn conclude_final_reverts_when_a_signature_is_by_another_key() {
    let vm = deploy();
    let p = params(3);
    let s = final_state(&p, 1);
    let mut bad = sigs(&p, &s);
    bad[2] = sign(0, &s);
    assert_eq!(
        conclude_final(&vm, &p, &s, bad),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
}

#[test]
fn conclude_final_reverts_when_a_signature_is_malformed() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&p, 1);
    let good = sign(1, &s).to_vec();
    let mut high_s = good.clone();
    high_s[32..64].fill(0xff);
    let mut bad_v = good.clone();
    bad_v[64] = 0;
    let cases = [
        (
            [good.clone(), vec![0]].concat(),
            sol::InvalidSignatureLength::SELECTOR,
        ),
        (high_s, sol::InvalidSignatureS::SELECTOR),
        (bad_v, sol::InvalidSignatureV::SELECTOR),
    ];
    for (sig, selector) in cases {
        let mut all = sigs(&p, &s);
        all[1] = sig.into();
        assert_eq!(conclude_final(&vm, &p, &s, all), reverts_with(selector));
    }
}

#[test]
fn conclude_final_reverts_when_the_channel_is_concluded_already() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&p, 1);
    assert_eq!(conclude_final_signed(&vm, &p, &s), Ok(Vec::new()));
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::AlreadyConcluded)
    );
    let later = final_state(&p, 2);
    assert_eq!(
        conclude_final_signed(&vm, &p, &later),
        reverts(Error::AlreadyConcluded)
    );
}

#[test]
fn conclude_final_reverts_when_the_holder_has_no_code() {
    let vm = deploy();
    remove_code(&vm, HOLDER);
    let p = params(2);
    assert_eq!(
        conclude_final_signed(&vm, &p, &final_state(&p, 1)),
        reverts(Error::NoContractCode)
    );
    assert_eq!(vm.calls(), []);
}

#[test]
fn conclude_final_reverts_when_an_asset_of_this_chain_has_no_balance_row() {
    let vm = deploy();
    let p = params(2);
    let mut s = final_state(&p, 1);
    s.outcome.assets.push(asset_on(CHAIN, HOLDER));
    assert_eq!(
        conclude_final_signed(&vm, &p, &s),
        reverts(Error::BalancesLengthMismatch)
    );
}

#[test]
fn conclude_final_bubbles_the_holders_revert_data_unchanged() {
    let vm = deploy();
    let p = params(2);
    reply_from(&vm, HOLDER, Err(CALLEE_REVERT.to_vec()));
    assert_eq!(
        conclude_final_signed(&vm, &p, &final_state(&p, 1)),
        Err(CALLEE_REVERT.to_vec())
    );
}

#[test]
fn conclude_final_reverts_when_an_offset_inside_the_signatures_is_corrupted() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&p, 1);
    let good = conclude_final_data(&p, &s, sigs(&p, &s));
    // sigs: [length, offset of signature 0, offset of signature 1, ...]
    let sigs_at = word_at(&good, 64).to::<usize>();
    let mut data = good.clone();
    set_word(&mut data, sigs_at + 64, U256::from(good.len()));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

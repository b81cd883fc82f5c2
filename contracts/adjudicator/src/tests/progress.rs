//! `progress`: force-execution steps through the app, and every error it raises.

use super::*;
use perun_channel::errors as sol;

/// An app channel of keys 0 and 1 whose state version 1 (balances 10, 20) was registered at
/// [`START`]; the time is its timeout, so force-execution may start.
fn disputed_app_channel(vm: &PerunVM) -> (Channel::Params, Channel::State) {
    let p = app_params(2);
    let s = state(&p, 1);
    register_ok(vm, &p, &s);
    at(vm, START + CD);
    (p, s)
}

/// The next state after `s`: its version plus one, the two balances swapped.
fn next(p: &Channel::Params, s: &Channel::State) -> Channel::State {
    let mut n = s.clone();
    n.version += 1;
    n.outcome.balances[0].reverse();
    n.channelID = channel_id(p);
    n
}

/// `progress` from `old` to `new` by participant `actor`, signed by key `actor`.
fn progress(
    vm: &PerunVM,
    p: &Channel::Params,
    old: &Channel::State,
    new: &Channel::State,
    actor: u64,
) -> ArbResult {
    call(
        vm,
        progress_data(p, old, new, U256::from(actor), sign(actor, new)),
    )
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_moves_the_record_to_force_execution_with_a_new_timeout() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    assert_eq!(progress(&vm, &p, &s1, &s2, 0), Ok(Vec::new()));
    let id = channel_id(&p);
    let expected = Dispute {
        timeout: START + 2 * CD,
        challenge_duration: CD,
        version: 2,
        phase: FORCEEXEC,
        has_app: true,
        state_hash: hash_state(&s2),
    };
    assert_eq!(record(&vm, id), expected);
    assert_eq!(updates(&vm)[1], update(id, 2, FORCEEXEC, START + 2 * CD));
}

#[test]
fn progress_asks_the_app_with_the_canonical_encodings() {
    let vm = deploy();
    let mut p = app_params(2);
    p.participants[1].ccAddress = vec![0xcc; 33].into();
    let mut s1 = state(&p, 1);
    s1.appData = vec![0xa1; 40].into();
    s1.outcome.assets[0].ccHolder = vec![0x77; 3].into();
    register_ok(&vm, &p, &s1);
    at(&vm, START + CD);
    let mut s2 = next(&p, &s1);
    s2.appData = vec![0xa2; 7].into();
    assert_eq!(progress(&vm, &p, &s1, &s2, 1), Ok(Vec::new()));
    let expected = calldata(
        abi::VALID_TRANSITION,
        (p.clone(), s1.clone(), s2.clone(), U256::from(1)),
    );
    let calls = vm.calls();
    assert_eq!(
        calls,
        [CallRecord {
            to: APP,
            data: expected,
            value: U256::ZERO,
            is_static: true,
        }]
    );
    assert_eq!(calls[0].data[..4], abi::VALID_TRANSITION.to_be_bytes());
}

#[test]
fn progress_continues_during_force_execution_before_its_timeout() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    assert_eq!(progress(&vm, &p, &s1, &s2, 0), Ok(Vec::new()));
    at(&vm, START + 2 * CD - 1);
    let s3 = next(&p, &s2);
    assert_eq!(progress(&vm, &p, &s2, &s3, 1), Ok(Vec::new()));
    let d = record(&vm, channel_id(&p));
    assert_eq!((d.version, d.phase), (3, FORCEEXEC));
    assert_eq!(d.timeout, START + 3 * CD - 1);
    assert_eq!(d.state_hash, hash_state(&s3));
}

#[test]
fn progress_starts_any_time_after_the_dispute_timed_out() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    at(&vm, START + 100 * CD);
    assert_eq!(progress(&vm, &p, &s1, &next(&p, &s1), 0), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)).timeout, START + 101 * CD);
}

#[test]
fn progress_to_a_final_state_times_out_at_once() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = Channel::State {
        isFinal: true,
        ..next(&p, &s1)
    };
    assert_eq!(progress(&vm, &p, &s1, &s2, 0), Ok(Vec::new()));
    let d = record(&vm, channel_id(&p));
    assert_eq!((d.timeout, d.phase, d.version), (START + CD, FORCEEXEC, 2));
}

#[test]
fn progress_accepts_a_state_that_keeps_its_locked_funds() {
    let vm = deploy();
    let p = app_params(2);
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let s1 = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    let data = register_data(&signed(&p, &s1), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + CD);
    assert_eq!(progress(&vm, &p, &s1, &next(&p, &s1), 1), Ok(Vec::new()));
}

// ---------------------------------------------------------------------------------------------
// Errors of the phase
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_reverts_when_the_channel_is_not_registered() {
    let vm = deploy();
    let p = app_params(2);
    let s1 = state(&p, 1);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::NotRegistered)
    );
}

#[test]
fn progress_reverts_before_the_dispute_timed_out() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    at(&vm, START + CD - 1);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::TimeoutNotPassed)
    );
}

#[test]
fn progress_reverts_when_force_execution_timed_out() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    assert_eq!(progress(&vm, &p, &s1, &s2, 0), Ok(Vec::new()));
    at(&vm, START + 2 * CD);
    assert_eq!(
        progress(&vm, &p, &s2, &next(&p, &s2), 1),
        reverts(Error::TimeoutPassed)
    );
}

#[test]
fn progress_reverts_when_the_channel_is_concluded() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    at(&vm, START + 2 * CD);
    assert_eq!(call(&vm, conclude_data(&p, &s1, &[])), Ok(Vec::new()));
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::AlreadyConcluded)
    );
}

#[test]
fn progress_checks_the_phase_before_anything_of_the_params() {
    let vm = deploy();
    let p = params(2); // no app
    let s1 = state(&p, 1);
    register_ok(&vm, &p, &s1);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::TimeoutNotPassed)
    );
}

// ---------------------------------------------------------------------------------------------
// Errors of the params, old state and signature
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_reverts_when_the_channel_has_no_app() {
    let vm = deploy();
    let p = params(2);
    let s1 = state(&p, 1);
    register_ok(&vm, &p, &s1);
    at(&vm, START + CD);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::NoApp)
    );
}

#[test]
fn progress_reverts_when_the_actor_is_not_a_participant() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    for actor in [U256::from(2), U256::from(1) << 64, U256::MAX] {
        let data = progress_data(&p, &s1, &s2, actor, sign(0, &s2));
        assert_eq!(call(&vm, data), reverts(Error::ActorIndexOutOfRange));
    }
}

#[test]
fn progress_reverts_when_the_params_are_not_the_channels() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let other = Channel::Params {
        nonce: U256::from(2),
        ..p.clone()
    };
    let s2 = next(&p, &s1);
    assert_eq!(
        progress(&vm, &other, &s1, &s2, 0),
        reverts(Error::InvalidParams)
    );
}

#[test]
fn progress_reverts_when_the_old_state_is_not_the_registered_one() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut old = s1.clone();
    old.appData = vec![1u8].into();
    let s2 = next(&p, &s1);
    assert_eq!(
        progress(&vm, &p, &old, &s2, 0),
        reverts(Error::WrongOldState)
    );
}

#[test]
fn progress_reverts_when_the_signature_is_not_the_actors() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    let data = progress_data(&p, &s1, &s2, U256::ZERO, sign(1, &s2));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
    let data = progress_data(&p, &s1, &s2, U256::ZERO, sign(0, &s1));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
}

#[test]
fn progress_reverts_when_the_signature_is_malformed() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    let good = sign(0, &s2).to_vec();
    let mut high_s = good.clone();
    high_s[32..64].fill(0xff);
    let mut bad_v = good.clone();
    bad_v[64] = 2;
    let cases = [
        (good[..64].to_vec(), sol::InvalidSignatureLength::SELECTOR),
        (high_s, sol::InvalidSignatureS::SELECTOR),
        (bad_v, sol::InvalidSignatureV::SELECTOR),
    ];
    for (sig, selector) in cases {
        let data = progress_data(&p, &s1, &s2, U256::ZERO, sig.into());
        assert_eq!(call(&vm, data), reverts_with(selector));
    }
}

// ---------------------------------------------------------------------------------------------
// Errors of the transition
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_reverts_when_the_version_does_not_increment_by_one() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    for version in [1, 3, 0, u64::MAX] {
        let s2 = Channel::State {
            version,
            ..next(&p, &s1)
        };
        assert_eq!(
            progress(&vm, &p, &s1, &s2, 0),
            reverts(Error::VersionNotIncremented)
        );
    }
}

#[test]
fn progress_reverts_when_the_registered_state_is_final() {
    let vm = deploy();
    let p = app_params(2);
    let s1 = final_state(&p, 1);
    register_ok(&vm, &p, &s1);
    let s2 = Channel::State {
        isFinal: false,
        ..next(&p, &s1)
    };
    assert_eq!(
        progress(&vm, &p, &s1, &s2, 0),
        reverts(Error::ProgressFromFinalState)
    );
}

#[test]
fn progress_reverts_when_a_balance_row_has_the_wrong_length() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut longer = next(&p, &s1);
    longer.outcome.balances[0].push(U256::ZERO);
    let mut shorter = next(&p, &s1);
    shorter.outcome.balances[0] = vec![U256::from(30)];
    let mut extra_row = next(&p, &s1);
    extra_row.outcome.balances.push(vec![U256::ZERO; 2]);
    for s2 in [longer, shorter, extra_row] {
        assert_eq!(
            progress(&vm, &p, &s1, &s2, 0),
            reverts(Error::BalancesLengthMismatch)
        );
    }
}

#[test]
fn progress_reverts_when_the_assets_change() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut other_holder = next(&p, &s1);
    other_holder.outcome.assets[0].ethHolder = Address::repeat_byte(1);
    let mut more_assets = next(&p, &s1);
    more_assets.outcome.assets.push(asset_on(CHAIN, HOLDER));
    for s2 in [other_holder, more_assets] {
        assert_eq!(
            progress(&vm, &p, &s1, &s2, 0),
            reverts(Error::AssetsMismatch)
        );
    }
}

#[test]
fn progress_reverts_when_the_locked_funds_change() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut s2 = next(&p, &s1);
    s2.outcome.locked.push(Channel::SubAlloc {
        ID: B256::repeat_byte(5),
        balances: vec![U256::ZERO],
        indexMap: vec![0, 1],
    });
    assert_eq!(
        progress(&vm, &p, &s1, &s2, 0),
        reverts(Error::LockedMismatch)
    );
}

#[test]
fn progress_reverts_when_an_assets_total_changes() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut s2 = next(&p, &s1);
    s2.outcome.balances[0][0] += U256::from(1);
    assert_eq!(
        progress(&vm, &p, &s1, &s2, 0),
        reverts(Error::SumOfBalancesMismatch)
    );
}

#[test]
fn progress_reverts_when_the_new_balances_overflow() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let mut s2 = next(&p, &s1);
    s2.outcome.balances[0] = vec![U256::MAX, U256::from(31)];
    assert_eq!(
        progress(&vm, &p, &s1, &s2, 0),
        reverts(Error::BalanceOverflow)
    );
}

// ---------------------------------------------------------------------------------------------
// Errors of the app and the timeout
// ---------------------------------------------------------------------------------------------

#[test]
fn progress_reverts_when_the_app_has_no_code() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    remove_code(&vm, APP);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::NoContractCode)
    );
    assert_eq!(vm.calls(), []);
}

#[test]
fn progress_bubbles_the_apps_revert_data_unchanged() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    for data in [
        CALLEE_REVERT.to_vec(),
        Vec::new(),
        Error::NoApp.revert_data(),
    ] {
        reply_from(&vm, APP, Err(data.clone()));
        assert_eq!(progress(&vm, &p, &s1, &next(&p, &s1), 0), Err(data));
    }
    assert_eq!(record(&vm, channel_id(&p)), disputed(&s1, true, START + CD));
}

#[test]
fn progress_reverts_when_the_new_timeout_does_not_fit_in_64_bits() {
    let vm = deploy();
    let p = Channel::Params {
        challengeDuration: U256::from(u64::MAX),
        ..app_params(2)
    };
    let s1 = state(&p, 1);
    at(&vm, 0);
    register_ok(&vm, &p, &s1);
    at(&vm, u64::MAX);
    assert_eq!(
        progress(&vm, &p, &s1, &next(&p, &s1), 0),
        reverts(Error::TimeoutOverflow)
    );
    // A final state needs no deadline.
    let f = Channel::State {
        isFinal: true,
        ..next(&p, &s1)
    };
    assert_eq!(progress(&vm, &p, &s1, &f, 0), Ok(Vec::new()));
}

#[test]
fn progress_reverts_when_an_offset_inside_the_params_is_corrupted() {
    let vm = deploy();
    let (p, s1) = disputed_app_channel(&vm);
    let s2 = next(&p, &s1);
    let good = progress_data(&p, &s1, &s2, U256::ZERO, sign(0, &s2));
    // The params' head: [challengeDuration, nonce, participants offset, app, ...].
    let params = word_at(&good, 0).to::<usize>();
    let mut data = good;
    set_word(&mut data, params + 64, U256::from(0xffff_0000u64));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

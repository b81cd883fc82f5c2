//! `conclude`: timed-out channels and sub-channels, folding through index maps, outcomes, errors.

use super::*;
use perun_channel::dispute::CONCLUDED;
use perun_channel::errors as sol;

/// The selector of the registry's `concludeVirtual`.
fn conclude_virtual_selector() -> u32 {
    selector_of("concludeVirtual(bytes32,bytes32,bytes32,bool)")
}

/// Concludes `s` of `p` with the sub-states `subs`.
fn conclude(
    vm: &PerunVM,
    p: &Channel::Params,
    s: &Channel::State,
    subs: &[Channel::State],
) -> ArbResult {
    call(vm, conclude_data(p, s, subs))
}

/// `d` as concluded.
fn concluded(d: Dispute) -> Dispute {
    Dispute {
        phase: CONCLUDED,
        ..d
    }
}

/// A ledger channel of keys 0 and 1 (balances 10, 20) locking a sub-channel of keys 1 and 0
/// (balances 3, 4; index map `[1, 0]`) with params `sp`, both registered at [`START`].
fn registered_parent_and_sub(
    vm: &PerunVM,
    sp: Channel::Params,
) -> (
    Channel::Params,
    Channel::State,
    Channel::Params,
    Channel::State,
) {
    let p = params(2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(vm, data), Ok(Vec::new()));
    (p, s, sp, ss)
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_concludes_a_timed_out_channel_and_pushes_its_outcome() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    let id = channel_id(&p);
    assert_eq!(record(&vm, id), concluded(disputed(&s, false, START + CD)));
    assert_eq!(updates(&vm)[1], update(id, 1, CONCLUDED, START + CD));
    let calls = vm.calls();
    assert_eq!(calls, [set_outcome_call(HOLDER, &p, &[10, 20])]);
    assert_eq!(calls[0].data[..4], [0x29, 0x54, 0x82, 0xce]);
}

#[test]
fn conclude_pushes_the_outcome_with_the_participants_cross_chain_addresses() {
    let vm = deploy();
    let mut p = params(3);
    p.participants[0].ccAddress = vec![0xc0; 20].into();
    p.participants[2].ccAddress = vec![0xc2; 45].into();
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[10, 20, 30])]);
}

#[test]
fn conclude_pushes_only_assets_of_this_chain_that_have_a_holder() {
    let vm = deploy();
    let second = Address::repeat_byte(0xe2);
    vm.vm.set_code(second, vec![0xfe]);
    let p = params(2);
    let mut s = state(&p, 1);
    s.outcome.assets = vec![
        asset_on(CHAIN, HOLDER),
        asset_on(1, Address::repeat_byte(0x01)), // another chain; no code here
        asset_on(CHAIN, Address::ZERO),
        asset_on(CHAIN, second),
    ];
    s.outcome.backends = vec![U256::ZERO; 4];
    s.outcome.balances = (0..4u64)
        .map(|a| vec![U256::from(a), U256::from(100 + a)])
        .collect();
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    assert_eq!(
        vm.calls(),
        [
            set_outcome_call(HOLDER, &p, &[0, 100]),
            set_outcome_call(second, &p, &[3, 103])
        ]
    );
}

#[test]
fn conclude_uses_the_chain_id_of_the_block() {
    let vm = deploy();
    vm.vm.set_chain_id(1);
    let p = params(2);
    let s = state(&p, 1); // its asset is on chain 42161
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    assert_eq!(vm.calls(), []);
}

#[test]
fn conclude_gives_an_app_channel_in_dispute_one_more_challenge_duration() {
    let vm = deploy();
    let p = app_params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + 2 * CD - 1);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::TimeoutNotPassed));
    at(&vm, START + 2 * CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    let id = channel_id(&p);
    assert_eq!(
        record(&vm, id),
        concluded(disputed(&s, true, START + 2 * CD))
    );
    assert_eq!(updates(&vm)[1], update(id, 1, CONCLUDED, START + 2 * CD));
}

#[test]
fn conclude_after_force_execution_pushes_the_progressed_outcome() {
    let vm = deploy();
    let p = app_params(2);
    let s1 = state(&p, 1);
    register_ok(&vm, &p, &s1);
    at(&vm, START + CD);
    let s2 = state_with(&p, 2, &[25, 5]);
    let data = progress_data(&p, &s1, &s2, U256::ZERO, sign(0, &s2));
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + 2 * CD - 1);
    assert_eq!(
        conclude(&vm, &p, &s2, &[]),
        reverts(Error::TimeoutNotPassed)
    );
    at(&vm, START + 2 * CD);
    vm.clear_calls();
    assert_eq!(conclude(&vm, &p, &s2, &[]), Ok(Vec::new()));
    let d = record(&vm, channel_id(&p));
    assert_eq!(
        (d.phase, d.version, d.timeout),
        (CONCLUDED, 2, START + 2 * CD)
    );
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[25, 5])]);
}

#[test]
fn conclude_folds_a_sub_channels_outcome_through_its_index_map() {
    let vm = deploy();
    let (p, s, sp, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&ss)),
        Ok(Vec::new())
    );
    // Sub-channel participant 0 (key 1) holds 3 and maps to the parent's 1; participant 1, 4, to 0.
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[14, 23])]);
    let (id, sid) = (channel_id(&p), channel_id(&sp));
    assert_eq!(record(&vm, id).phase, CONCLUDED);
    assert_eq!(
        record(&vm, funded_key(&ss)),
        concluded(disputed(&ss, false, START + CD))
    );
    assert_eq!(
        updates(&vm)[2..],
        [
            update(id, 1, CONCLUDED, START + CD),
            update(sid, 1, CONCLUDED, START + CD)
        ]
    );
}

#[test]
fn conclude_folds_nested_sub_channels_depth_first() {
    let vm = deploy();
    // parent (keys 0, 1) locks A (keys 0, 1) and B (keys 1, 0); A locks C (keys 1, 0).
    let pc = sub_params(&[1, 0], 4);
    let c = state_with(&pc, 1, &[1, 2]);
    let pa = sub_params(&[0, 1], 2);
    let a = locking(state_with(&pa, 1, &[3, 4]), vec![sub_alloc(&c, &[1, 0])]);
    let a_alloc = Channel::SubAlloc {
        ID: a.channelID,
        balances: vec![U256::from(10)],
        indexMap: vec![0, 1],
    };
    let pb = sub_params(&[1, 0], 3);
    let b = state_with(&pb, 1, &[5, 6]);
    let p = params(2);
    let s = locking(state(&p, 1), vec![a_alloc, sub_alloc(&b, &[1, 0])]);
    let subs = [signed(&pa, &a), signed(&pc, &c), signed(&pb, &b)];
    assert_eq!(
        call(&vm, register_data(&signed(&p, &s), &subs)),
        Ok(Vec::new())
    );
    at(&vm, START + CD);
    let sub_states = [a.clone(), c.clone(), b.clone()];
    assert_eq!(conclude(&vm, &p, &s, &sub_states), Ok(Vec::new()));
    // A folds C: [3 + 2, 4 + 1]; the parent adds A as is and B swapped: [10 + 5 + 6, 20 + 5 + 5].
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[21, 30])]);
    let ids: Vec<B256> = updates(&vm)[4..].iter().map(|u| u.id).collect();
    assert_eq!(
        ids,
        [
            channel_id(&p),
            channel_id(&pa),
            channel_id(&pc),
            channel_id(&pb)
        ]
    );
}

#[test]
fn conclude_uses_a_sub_channel_concluded_before_as_it_is() {
    let vm = deploy();
    // Two ledger channels lock the same sub-channel with the same funding: concluding the
    // second concludes the sub-channel's one record, which the first then uses as it is.
    let (p, s, sp, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    let p2 = params_of(&[0, 1], 7);
    let s2 = locking(state(&p2, 1), vec![sub_alloc(&ss, &[1, 0])]);
    let data = register_data(&signed(&p2, &s2), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p2, &s2, std::slice::from_ref(&ss)),
        Ok(Vec::new())
    );
    let before = updates(&vm).len();
    vm.clear_calls();
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&ss)),
        Ok(Vec::new())
    );
    assert_eq!(
        updates(&vm)[before..],
        [update(channel_id(&p), 1, CONCLUDED, START + CD)]
    );
    assert_eq!(vm.calls(), [set_outcome_call(HOLDER, &p, &[14, 23])]);
}

#[test]
fn conclude_asks_the_registry_for_a_virtual_sub_channel() {
    let vm = deploy();
    reply_from(&vm, REGISTRY, Ok(words(&[1, START + CD, 0])));
    let (p, s, vp, vs) = registered_parent_and_sub(&vm, virtual_params(&[1, 0], 9));
    at(&vm, START + CD);
    vm.clear_calls();
    reply_from(&vm, REGISTRY, Ok(words(&[1, 1, 555])));
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&vs)),
        Ok(Vec::new())
    );
    let vid = channel_id(&vp);
    let to_registry = calldata(
        conclude_virtual_selector(),
        (vid, funded_key(&vs), hash_state(&vs), false),
    );
    assert_eq!(
        vm.calls(),
        [
            call_to(REGISTRY, to_registry),
            set_outcome_call(HOLDER, &p, &[14, 23])
        ]
    );
    let n = updates(&vm).len();
    assert_eq!(
        updates(&vm)[n - 2..],
        [
            update(channel_id(&p), 1, CONCLUDED, START + CD),
            update(vid, 1, CONCLUDED, 555)
        ]
    );
}

#[test]
fn conclude_emits_no_virtual_update_when_the_registry_reports_no_change() {
    let vm = deploy();
    reply_from(&vm, REGISTRY, Ok(words(&[1, START + CD, 0])));
    let (p, s, _, vs) = registered_parent_and_sub(&vm, virtual_params(&[1, 0], 9));
    at(&vm, START + CD);
    reply_from(&vm, REGISTRY, Ok(words(&[0, 1, 555])));
    let before = updates(&vm).len();
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&vs)),
        Ok(Vec::new())
    );
    assert_eq!(
        updates(&vm)[before..],
        [update(channel_id(&p), 1, CONCLUDED, START + CD)]
    );
}

#[test]
fn conclude_of_a_virtual_ledger_channel_concludes_it_in_the_registry() {
    let vm = deploy();
    let p = Channel::Params {
        virtualChannel: true,
        ..params(2)
    };
    let s = state(&p, 3);
    reply_from(&vm, REGISTRY, Ok(words(&[1, 3, 99])));
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    let id = channel_id(&p);
    let to_registry = calldata(conclude_virtual_selector(), (id, id, hash_state(&s), true));
    assert_eq!(
        vm.calls(),
        [
            call_to(REGISTRY, to_registry),
            set_outcome_call(HOLDER, &p, &[10, 20])
        ]
    );
    assert_eq!(updates(&vm), [update(id, 3, CONCLUDED, 99)]);
    assert!(!record(&vm, id).registered());
}

// ---------------------------------------------------------------------------------------------
// Errors of the channel and its record
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_reverts_when_the_channel_is_not_a_ledger_channel() {
    let vm = deploy();
    let p = sub_params(&[0, 1], 1);
    let s = state(&p, 1);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::NotLedgerChannel));
}

#[test]
fn conclude_reverts_when_the_state_is_not_of_the_params() {
    let vm = deploy();
    let p = params(2);
    let s = state(&params_of(&[0, 1], 2), 1);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::InvalidParams));
}

#[test]
fn conclude_reverts_when_the_channel_is_not_registered() {
    let vm = deploy();
    let p = params(2);
    assert_eq!(
        conclude(&vm, &p, &state(&p, 1), &[]),
        reverts(Error::NotRegistered)
    );
}

#[test]
fn conclude_reverts_when_the_state_is_not_the_registered_one() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 2));
    at(&vm, START + CD);
    for s in [state(&p, 1), state(&p, 3), final_state(&p, 2)] {
        assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::WrongState));
    }
}

#[test]
fn conclude_reverts_when_the_channel_is_concluded_already() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[]), Ok(Vec::new()));
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::AlreadyConcluded));
}

#[test]
fn conclude_reverts_before_the_timeout() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD - 1);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::TimeoutNotPassed));
    assert_eq!(vm.calls(), []);
}

#[test]
fn conclude_reverts_when_the_extended_timeout_does_not_fit_in_64_bits() {
    let vm = deploy();
    let p = Channel::Params {
        challengeDuration: U256::from(u64::MAX),
        ..app_params(2)
    };
    let s = state(&p, 1);
    at(&vm, 0);
    register_ok(&vm, &p, &s);
    at(&vm, u64::MAX);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::TimeoutOverflow));
}

// ---------------------------------------------------------------------------------------------
// Errors of sub-channels and folding
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_reverts_when_no_sub_state_is_given_for_a_locked_entry() {
    let vm = deploy();
    let (p, s, _, _) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p, &s, &[]),
        reverts(Error::SubChannelsTooShort)
    );
}

#[test]
fn conclude_reverts_when_a_sub_state_is_not_of_the_locked_channel() {
    let vm = deploy();
    let (p, s, _, _) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    at(&vm, START + CD);
    let other = state(&params(2), 1);
    assert_eq!(
        conclude(&vm, &p, &s, &[other]),
        reverts(Error::SubChannelIdMismatch)
    );
}

#[test]
fn conclude_reverts_when_a_sub_state_is_not_the_registered_one() {
    let vm = deploy();
    let (p, s, sp, _) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    at(&vm, START + CD);
    let other = state_with(&sp, 2, &[3, 4]);
    assert_eq!(conclude(&vm, &p, &s, &[other]), reverts(Error::WrongState));
}

#[test]
fn conclude_reverts_before_a_sub_channels_own_timeout() {
    let vm = deploy();
    // A sub-channel with an app still in DISPUTE gets one more challenge duration for
    // force-execution: the parent, without an app, times out first.
    let sp = Channel::Params {
        app: APP,
        ..sub_params(&[1, 0], 2)
    };
    let (p, s, _, ss) = registered_parent_and_sub(&vm, sp.clone());
    at(&vm, START + 2 * CD - 1);
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&ss)),
        reverts(Error::TimeoutNotPassed)
    );
    // TestVM keeps the parent's writes of the reverted call: retry on a fresh one.
    let vm = deploy();
    registered_parent_and_sub(&vm, sp);
    at(&vm, START + 2 * CD);
    assert_eq!(conclude(&vm, &p, &s, &[ss]), Ok(Vec::new()));
}

#[test]
fn register_reverts_when_an_index_map_is_longer_than_the_sub_channel() {
    let vm = deploy();
    let sp = sub_params(&[1], 2);
    let ss = state_with(&sp, 1, &[7]);
    let p = params(2);
    let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    // Finding 8: `register` checks the index map, so no recorded state folds a short row.
    assert_eq!(call(&vm, data), reverts(Error::SubAllocMismatch));
}

#[test]
fn conclude_reverts_when_the_parent_has_no_row_for_an_asset_of_a_sub_channel() {
    let vm = deploy();
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let p = params(2);
    let mut s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    s.outcome.balances.clear();
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p, &s, &[ss]),
        reverts(Error::BalancesLengthMismatch)
    );
}

#[test]
fn register_reverts_when_an_index_map_points_outside_the_parent() {
    let vm = deploy();
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let p = params(2);
    let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 2])]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    // Finding 8: caught where it is recorded, not where it would lock the parent.
    assert_eq!(call(&vm, data), reverts(Error::IndexMapOutOfRange));
}

#[test]
fn conclude_ignores_a_sub_channel_state_recorded_under_another_funding() {
    // Finding 1 of the adversarial review: the sub-channel's participants (keys 1 and 0)
    // register a later state of it with a balance of 2^256 - 1 through a fake parent of their
    // own whose sub-allocation matches. Its record is keyed by that other funding, so the real
    // parent still concludes with the state it locked; the inflated one is not its record.
    let vm = deploy();
    let (p, s, sp, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    let mut big = state_with(&sp, 2, &[0, 0]);
    big.outcome.balances[0] = vec![U256::MAX, U256::ZERO];
    let fake = params_of(&[1, 0], 66);
    let fs = locking(
        state_with(&fake, 1, &[0, 0]),
        vec![sub_alloc(&big, &[0, 1])],
    );
    let data = register_data(&signed(&fake, &fs), &[signed(&sp, &big)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    assert_eq!(
        record(&vm, funded_key(&ss)).version,
        1,
        "the parent's record is untouched"
    );
    assert_eq!(record(&vm, funded_key(&big)).version, 2);
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p, &s, std::slice::from_ref(&big)),
        reverts(Error::WrongState)
    );
    let vm = deploy();
    let (p, s, _, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    let data = register_data(&signed(&fake, &fs), &[signed(&sp, &big)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + CD);
    assert_eq!(conclude(&vm, &p, &s, &[ss]), Ok(Vec::new()));
    assert_eq!(vm.calls()[..1], [set_outcome_call(HOLDER, &p, &[14, 23])]);
}

#[test]
fn register_reverts_when_an_index_map_misses_a_sub_channel_participant() {
    // An index map that does not reach every sub-channel participant would leave funds
    // unpaid: `register` refuses it (the fold still checks it moves exactly what is locked).
    let vm = deploy();
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let p = params(2);
    let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1])]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), reverts(Error::SubAllocMismatch));
}

#[test]
fn conclude_bubbles_the_registrys_revert_data_for_a_virtual_sub_channel_and_rejects_bad_replies() {
    let replies = [
        (Err(CALLEE_REVERT.to_vec()), Err(CALLEE_REVERT.to_vec())),
        (
            Err(Error::TimeoutNotPassed.revert_data()),
            reverts(Error::TimeoutNotPassed),
        ),
        (Ok(words(&[1, 1])), Err(Vec::new())),
        (Ok(words(&[3, 1, 1])), Err(Vec::new())),
        (Ok(Vec::new()), Err(Vec::new())),
    ];
    for (reply, expected) in replies {
        // TestVM keeps the writes of a reverted call: a fresh one for each reply.
        let vm = deploy();
        reply_from(&vm, REGISTRY, Ok(words(&[1, START + CD, 0])));
        let (p, s, _, vs) = registered_parent_and_sub(&vm, virtual_params(&[1, 0], 9));
        at(&vm, START + CD);
        reply_from(&vm, REGISTRY, reply);
        assert_eq!(conclude(&vm, &p, &s, &[vs]), expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Errors of the outcome
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_reverts_when_an_asset_of_this_chain_has_no_balance_row() {
    let vm = deploy();
    let p = params(2);
    let mut s = state(&p, 1);
    s.outcome.balances.clear();
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(
        conclude(&vm, &p, &s, &[]),
        reverts(Error::BalancesLengthMismatch)
    );
}

#[test]
fn conclude_reverts_when_the_holder_has_no_code() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    remove_code(&vm, HOLDER);
    assert_eq!(conclude(&vm, &p, &s, &[]), reverts(Error::NoContractCode));
    assert_eq!(vm.calls(), []);
}

#[test]
fn conclude_with_sub_channels_reverts_when_the_holder_has_no_code() {
    let vm = deploy();
    let (p, s, _, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    at(&vm, START + CD);
    remove_code(&vm, HOLDER);
    assert_eq!(conclude(&vm, &p, &s, &[ss]), reverts(Error::NoContractCode));
}

#[test]
fn conclude_bubbles_the_holders_revert_data_unchanged() {
    let vm = deploy();
    let (p, s, _, ss) = registered_parent_and_sub(&vm, sub_params(&[1, 0], 2));
    let q = params_of(&[0, 1], 7);
    let t = state(&q, 1);
    register_ok(&vm, &q, &t);
    at(&vm, START + CD);
    reply_from(&vm, HOLDER, Err(CALLEE_REVERT.to_vec()));
    assert_eq!(conclude(&vm, &p, &s, &[ss]), Err(CALLEE_REVERT.to_vec()));
    assert_eq!(conclude(&vm, &q, &t, &[]), Err(CALLEE_REVERT.to_vec()));
}

#[test]
fn conclude_reverts_when_an_offset_inside_the_state_is_corrupted() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    let good = conclude_data(&p, &s, &[]);
    // The state's head: [channelID, version, outcome offset, appData offset, isFinal].
    let state_at = word_at(&good, 32).to::<usize>();
    let mut data = good;
    set_word(&mut data, state_at + 96, U256::from(1u64 << 31));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

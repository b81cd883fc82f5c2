//! `register`: first registrations, refutations, sub-channels (virtual: the registry), errors.

use super::*;
use perun_channel::errors as sol;
use perun_channel::sig::HALF_ORDER;

/// The selector of the registry's `registerVirtual`.
fn register_virtual_selector() -> u32 {
    selector_of("registerVirtual(bytes32,bytes32,uint64,bytes32,uint256,bool)")
}

/// `ss` with signature `i` replaced by `sig`.
fn with_sig(mut ss: Channel::SignedState, i: usize, sig: Vec<u8>) -> Channel::SignedState {
    ss.sigs[i] = sig.into();
    ss
}

/// Registers `ss` with no sub-channels.
fn register(vm: &PerunVM, ss: &Channel::SignedState) -> ArbResult {
    call(vm, register_data(ss, &[]))
}

/// A ledger channel of keys 0 and 1 that locks one sub-channel of theirs (keys 1, 0; balances
/// 3 and 4; index map `[1, 0]`): the parent's params and state, and the sub-channel's.
fn parent_and_sub(
    sub: Channel::Params,
) -> (
    Channel::Params,
    Channel::State,
    Channel::Params,
    Channel::State,
) {
    let p = params(2);
    let ss = state_with(&sub, 1, &[3, 4]);
    let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    (p, s, sub, ss)
}

// ---------------------------------------------------------------------------------------------
// Success
// ---------------------------------------------------------------------------------------------

#[test]
fn register_records_a_first_state_with_a_timeout_after_the_challenge_duration() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    let id = channel_id(&p);
    assert_eq!(record(&vm, id), disputed(&s, false, START + CD));
    assert_eq!(updates(&vm), [update(id, 1, DISPUTE, START + CD)]);
    assert_eq!(vm.calls(), []);
}

#[test]
fn register_records_that_a_channel_has_an_app_without_calling_it() {
    let vm = deploy();
    let p = app_params(3);
    let s = state(&p, 4);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)), disputed(&s, true, START + CD));
    assert_eq!(vm.calls(), []);
}

#[test]
fn register_of_a_final_state_times_out_at_once() {
    let vm = deploy();
    let p = params(2);
    let s = final_state(&p, 1);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)), disputed(&s, false, START));
}

#[test]
fn register_of_the_registered_state_again_changes_nothing() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + 30);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)), disputed(&s, false, START + CD));
    assert_eq!(updates(&vm).len(), 1);
}

#[test]
fn register_of_the_registered_state_again_succeeds_even_after_the_timeout() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + 10 * CD);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    assert_eq!(updates(&vm).len(), 1);
}

#[test]
fn register_refutes_with_a_higher_version_keeping_the_timeout() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 1));
    at(&vm, START + CD - 1);
    let s = state_with(&p, 5, &[25, 5]);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    let id = channel_id(&p);
    assert_eq!(record(&vm, id), disputed(&s, false, START + CD));
    assert_eq!(updates(&vm)[1], update(id, 5, DISPUTE, START + CD));
}

#[test]
fn register_refutes_with_a_final_state_timing_out_at_once() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 1));
    at(&vm, START + 10);
    let s = final_state(&p, 2);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)), disputed(&s, false, START + 10));
}

#[test]
fn register_keeps_the_low_64_bits_of_the_challenge_duration() {
    let vm = deploy();
    let p = Channel::Params {
        challengeDuration: (U256::from(1) << 64) + U256::from(5),
        ..params(2)
    };
    let s = state(&p, 1);
    assert_eq!(register(&vm, &signed(&p, &s)), Ok(Vec::new()));
    let d = record(&vm, channel_id(&p));
    assert_eq!((d.challenge_duration, d.timeout), (5, START + 5));
}

#[test]
fn register_accepts_a_timeout_of_exactly_the_largest_uint64() {
    let vm = deploy();
    let p = Channel::Params {
        challengeDuration: U256::from(u64::MAX - START),
        ..params(2)
    };
    assert_eq!(register(&vm, &signed(&p, &state(&p, 1))), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)).timeout, u64::MAX);
}

#[test]
fn register_records_a_sub_channel_after_its_parent() {
    let vm = deploy();
    let (p, s, sp, ss) = parent_and_sub(sub_params(&[1, 0], 2));
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let (id, sid) = (channel_id(&p), channel_id(&sp));
    assert_eq!(record(&vm, id), disputed(&s, false, START + CD));
    assert_eq!(
        record(&vm, funded_key(&ss)),
        disputed(&ss, false, START + CD)
    );
    assert!(
        !record(&vm, sid).registered(),
        "a sub-channel's record is keyed by its funding, not its ID alone"
    );
    assert_eq!(
        updates(&vm),
        [
            update(id, 1, DISPUTE, START + CD),
            update(sid, 1, DISPUTE, START + CD)
        ]
    );
}

#[test]
fn register_takes_sub_channels_depth_first() {
    let vm = deploy();
    // parent locks A and B; A locks C. Depth first: A, C, B.
    let (pc, c) = {
        let p = sub_params(&[1, 0], 4);
        let s = state_with(&p, 1, &[1, 2]);
        (p, s)
    };
    let pa = sub_params(&[0, 1], 2);
    let a = locking(state_with(&pa, 1, &[3, 4]), vec![sub_alloc(&c, &[1, 0])]);
    let a_alloc = Channel::SubAlloc {
        ID: a.channelID,
        balances: vec![U256::from(3 + 4 + 3)],
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
    let ids: Vec<B256> = updates(&vm).iter().map(|u| u.id).collect();
    assert_eq!(
        ids,
        [
            channel_id(&p),
            channel_id(&pa),
            channel_id(&pc),
            channel_id(&pb)
        ]
    );
    for st in [&a, &c, &b] {
        assert_eq!(record(&vm, funded_key(st)), disputed(st, false, START + CD));
    }
}

#[test]
fn register_refutes_a_sub_channel_through_its_unchanged_parent() {
    let vm = deploy();
    let (p, s, sp, ss) = parent_and_sub(sub_params(&[1, 0], 2));
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    at(&vm, START + 10);
    let newer = state_with(&sp, 2, &[7, 0]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &newer)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let (id, sid) = (channel_id(&p), channel_id(&sp));
    assert_eq!(record(&vm, id), disputed(&s, false, START + CD));
    assert_eq!(
        record(&vm, funded_key(&newer)),
        disputed(&newer, false, START + CD)
    );
    assert_eq!(updates(&vm)[2..], [update(sid, 2, DISPUTE, START + CD)]);
}

#[test]
fn register_sends_a_virtual_sub_channel_to_the_registry() {
    let vm = deploy();
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    reply_from(&vm, REGISTRY, Ok(words(&[1, 777, 0])));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let vid = channel_id(&vp);
    let expected = calldata(
        register_virtual_selector(),
        (
            vid,
            funded_key(&vs),
            1u64,
            hash_state(&vs),
            U256::from(CD),
            false,
        ),
    );
    assert_eq!(vm.calls(), [call_to(REGISTRY, expected)]);
    assert_eq!(
        updates(&vm),
        [
            update(channel_id(&p), 1, DISPUTE, START + CD),
            update(vid, 1, DISPUTE, 777)
        ]
    );
    assert!(!record(&vm, vid).registered());
}

#[test]
fn register_tells_the_registry_that_a_virtual_sub_channel_state_is_final() {
    let vm = deploy();
    let vp = Channel::Params {
        challengeDuration: U256::from(45),
        ..virtual_params(&[0, 1], 9)
    };
    let vs = Channel::State {
        isFinal: true,
        ..state_with(&vp, 3, &[3, 4])
    };
    let p = params(2);
    let s = locking(state(&p, 1), vec![sub_alloc(&vs, &[0, 1])]);
    reply_from(&vm, REGISTRY, Ok(words(&[1, START, 0])));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let expected = calldata(
        register_virtual_selector(),
        (
            channel_id(&vp),
            funded_key(&vs),
            3u64,
            hash_state(&vs),
            U256::from(45),
            true,
        ),
    );
    assert_eq!(vm.calls(), [call_to(REGISTRY, expected)]);
}

#[test]
fn register_emits_no_virtual_update_when_the_registry_reports_no_change() {
    let vm = deploy();
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    reply_from(&vm, REGISTRY, Ok(words(&[0, 777, 1])));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    assert_eq!(
        updates(&vm),
        [update(channel_id(&p), 1, DISPUTE, START + CD)]
    );
}

#[test]
fn register_bubbles_the_registrys_revert_data() {
    let vm = deploy();
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    reply_from(&vm, REGISTRY, Err(CALLEE_REVERT.to_vec()));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Err(CALLEE_REVERT.to_vec()));
}

#[test]
fn register_reverts_without_data_when_the_registry_reply_is_malformed() {
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    let mut dirty_timeout = words(&[1, 0, 0]);
    dirty_timeout[32 + 23] = 1; // bit 64 of the uint64
    let mut dirty_bool = words(&[1, 5, 0]);
    dirty_bool[0] = 1;
    let replies = [
        Vec::new(),
        words(&[1]),
        words(&[1, 5]),
        words(&[2, 5, 0]),
        words(&[1, 5, 2]),
        dirty_timeout,
        dirty_bool,
    ];
    for reply in replies {
        let vm = deploy();
        reply_from(&vm, REGISTRY, Ok(reply.clone()));
        assert_eq!(call(&vm, data.clone()), Err(Vec::new()), "reply {reply:?}");
    }
}

#[test]
fn register_accepts_a_longer_registry_reply() {
    let vm = deploy();
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    reply_from(&vm, REGISTRY, Ok(words(&[1, 777, 0, 0xdead])));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    assert_eq!(updates(&vm)[1], update(channel_id(&vp), 1, DISPUTE, 777));
}

#[test]
fn register_reverts_without_data_when_the_registry_has_no_code() {
    let vm = deploy();
    remove_code(&vm, REGISTRY);
    let (p, s, vp, vs) = parent_and_sub(virtual_params(&[1, 0], 9));
    reply_from(&vm, REGISTRY, Ok(words(&[1, 777, 0])));
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), Err(Vec::new()));
    assert_eq!(vm.calls(), []);
}

// ---------------------------------------------------------------------------------------------
// Errors of the channel and its signatures
// ---------------------------------------------------------------------------------------------

#[test]
fn register_reverts_when_the_channel_is_not_a_ledger_channel() {
    let vm = deploy();
    for p in [sub_params(&[0, 1], 1), virtual_params(&[0, 1], 1)] {
        let s = state(&p, 1);
        assert_eq!(
            register(&vm, &signed(&p, &s)),
            reverts(Error::NotLedgerChannel)
        );
    }
}

#[test]
fn register_reverts_when_the_state_is_not_of_the_params() {
    let vm = deploy();
    let p = params(2);
    let other = params_of(&[0, 1], 2);
    let s = state(&other, 1);
    assert_eq!(
        register(&vm, &signed(&p, &s)),
        reverts(Error::InvalidParams)
    );
}

#[test]
fn register_reverts_when_a_signature_is_missing_or_extra() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let mut fewer = signed(&p, &s);
    fewer.sigs.pop();
    let mut more = signed(&p, &s);
    more.sigs.push(sign(0, &s));
    for ss in [fewer, more] {
        assert_eq!(
            register(&vm, &ss),
            reverts_with(sol::SignatureCountMismatch::SELECTOR)
        );
    }
}

#[test]
fn register_reverts_when_a_signature_is_by_another_key() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    for i in 0..2 {
        let ss = with_sig(signed(&p, &s), i, sign(5, &s).to_vec());
        assert_eq!(
            register(&vm, &ss),
            reverts_with(sol::InvalidSignature::SELECTOR)
        );
    }
}

#[test]
fn register_reverts_when_signatures_are_swapped() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let mut ss = signed(&p, &s);
    ss.sigs.swap(0, 1);
    assert_eq!(
        register(&vm, &ss),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
}

#[test]
fn register_reverts_when_a_signature_is_on_another_state() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let ss = with_sig(signed(&p, &s), 1, sign(1, &state(&p, 2)).to_vec());
    assert_eq!(
        register(&vm, &ss),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
}

#[test]
fn register_reverts_when_a_signature_recovers_to_no_address() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let mut sig = sign(0, &s).to_vec();
    sig[..32].fill(0); // r = 0: ecrecover returns nothing
    let ss = with_sig(signed(&p, &s), 0, sig);
    assert_eq!(
        register(&vm, &ss),
        reverts_with(sol::InvalidSignature::SELECTOR)
    );
}

#[test]
fn register_reverts_when_a_signature_is_not_65_bytes() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let good = sign(1, &s).to_vec();
    for sig in [
        good[..64].to_vec(),
        [good.clone(), vec![0]].concat(),
        Vec::new(),
    ] {
        let ss = with_sig(signed(&p, &s), 1, sig);
        assert_eq!(
            register(&vm, &ss),
            reverts_with(sol::InvalidSignatureLength::SELECTOR)
        );
    }
}

#[test]
fn register_reverts_when_a_signature_has_a_high_s() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let mut sig = sign(0, &s).to_vec();
    sig[32..64].copy_from_slice(&(HALF_ORDER + U256::from(1)).to_be_bytes::<32>());
    let ss = with_sig(signed(&p, &s), 0, sig);
    assert_eq!(
        register(&vm, &ss),
        reverts_with(sol::InvalidSignatureS::SELECTOR)
    );
}

#[test]
fn register_reverts_when_a_signature_has_a_v_other_than_27_or_28() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    for v in [0, 1, 26, 29, 255] {
        let mut sig = sign(0, &s).to_vec();
        sig[64] = v;
        let ss = with_sig(signed(&p, &s), 0, sig);
        assert_eq!(
            register(&vm, &ss),
            reverts_with(sol::InvalidSignatureV::SELECTOR)
        );
    }
}

#[test]
fn register_checks_a_signatures_s_before_its_v() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let mut sig = sign(0, &s).to_vec();
    sig[32..64].fill(0xff);
    sig[64] = 0;
    let ss = with_sig(signed(&p, &s), 0, sig);
    assert_eq!(
        register(&vm, &ss),
        reverts_with(sol::InvalidSignatureS::SELECTOR)
    );
}

#[test]
fn register_checks_the_params_before_the_signature_count() {
    let vm = deploy();
    let p = params(2);
    let mut ss = signed(&p, &state(&params_of(&[0, 1], 2), 1));
    ss.sigs.pop();
    // The state is not of the params either; InvalidParams comes first, as in the mirror.
    assert_eq!(register(&vm, &ss), reverts(Error::InvalidParams));
}

// ---------------------------------------------------------------------------------------------
// Errors of sub-channels
// ---------------------------------------------------------------------------------------------

#[test]
fn register_reverts_when_a_virtual_sub_channel_has_an_app() {
    let vm = deploy();
    let vp = Channel::Params {
        app: APP,
        ..virtual_params(&[1, 0], 9)
    };
    let (p, s, vp, vs) = parent_and_sub(vp);
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), reverts(Error::HasApp));
    assert_eq!(vm.calls(), []);
}

#[test]
fn register_reverts_when_a_virtual_ledger_channel_has_an_app() {
    let vm = deploy();
    let p = Channel::Params {
        virtualChannel: true,
        ..app_params(2)
    };
    assert_eq!(
        register(&vm, &signed(&p, &state(&p, 1))),
        reverts(Error::HasApp)
    );
    assert_eq!(vm.calls(), []);
}

#[test]
fn register_reverts_when_a_virtual_sub_channel_locks_funds() {
    let vm = deploy();
    let vp = virtual_params(&[1, 0], 9);
    let inner = state_with(&sub_params(&[0, 1], 7), 1, &[0, 0]);
    let vs = locking(
        state_with(&vp, 1, &[3, 4]),
        vec![sub_alloc(&inner, &[0, 1])],
    );
    let p = params(2);
    let s = locking(state(&p, 1), vec![sub_alloc(&vs, &[1, 0])]);
    let data = register_data(&signed(&p, &s), &[signed(&vp, &vs)]);
    assert_eq!(call(&vm, data), reverts(Error::HasLockedFunds));
    assert_eq!(vm.calls(), []);
}

#[test]
fn register_reverts_when_no_sub_channel_is_given_for_a_locked_entry() {
    let vm = deploy();
    let (p, s, _, _) = parent_and_sub(sub_params(&[1, 0], 2));
    assert_eq!(
        call(&vm, register_data(&signed(&p, &s), &[])),
        reverts(Error::SubChannelsTooShort)
    );
}

#[test]
fn register_reverts_when_the_sub_channels_of_sub_channels_use_up_the_list() {
    let vm = deploy();
    // parent locks A and B, A locks C; given [A, C] only: enough for the parent's count.
    let pc = sub_params(&[0, 1], 4);
    let c = state_with(&pc, 1, &[1, 2]);
    let pa = sub_params(&[0, 1], 2);
    let a = locking(state_with(&pa, 1, &[3, 4]), vec![sub_alloc(&c, &[0, 1])]);
    let a_alloc = Channel::SubAlloc {
        ID: a.channelID,
        balances: vec![U256::from(10)],
        indexMap: vec![0, 1],
    };
    let b = state_with(&sub_params(&[0, 1], 3), 1, &[5, 6]);
    let p = params(2);
    let s = locking(state(&p, 1), vec![a_alloc, sub_alloc(&b, &[0, 1])]);
    let data = register_data(&signed(&p, &s), &[signed(&pa, &a), signed(&pc, &c)]);
    assert_eq!(call(&vm, data), reverts(Error::SubChannelsTooShort));
}

#[test]
fn register_reverts_when_a_sub_channel_is_not_the_one_locked() {
    let vm = deploy();
    let (p, s, _, _) = parent_and_sub(sub_params(&[1, 0], 2));
    let other = sub_params(&[1, 0], 3);
    let data = register_data(
        &signed(&p, &s),
        &[signed(&other, &state_with(&other, 1, &[3, 4]))],
    );
    assert_eq!(call(&vm, data), reverts(Error::SubChannelIdMismatch));
}

#[test]
fn register_reverts_when_a_sub_channel_has_other_assets() {
    let sp = sub_params(&[1, 0], 2);
    let other_holder = state_with(&sp, 1, &[3, 4]);
    let mut other_holder = other_holder;
    other_holder.outcome.assets[0].ethHolder = Address::repeat_byte(0x12);
    let mut other_chain = state_with(&sp, 1, &[3, 4]);
    other_chain.outcome.assets[0].chainID = U256::from(1);
    let mut other_cc = state_with(&sp, 1, &[3, 4]);
    other_cc.outcome.assets[0].ccHolder = vec![1u8].into();
    let mut two_assets = state_with(&sp, 1, &[3, 4]);
    two_assets.outcome.assets.push(asset_on(CHAIN, HOLDER));
    two_assets
        .outcome
        .balances
        .push(vec![U256::ZERO, U256::ZERO]);
    for ss in [other_holder, other_chain, other_cc, two_assets] {
        // TestVM keeps the writes of a reverted call: a fresh one for each case.
        let vm = deploy();
        let p = params(2);
        let s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
        let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
        assert_eq!(call(&vm, data), reverts(Error::AssetsMismatch));
    }
}

#[test]
fn register_reverts_when_a_sub_allocation_does_not_lock_the_sub_channels_funds() {
    let (p, s, sp, ss) = parent_and_sub(sub_params(&[1, 0], 2));
    let mut more = s.clone();
    more.outcome.locked[0].balances[0] = U256::from(8);
    let mut longer = s.clone();
    longer.outcome.locked[0].balances.push(U256::ZERO);
    let mut none = s;
    none.outcome.locked[0].balances.clear();
    for parent in [more, longer, none] {
        let vm = deploy();
        let data = register_data(&signed(&p, &parent), &[signed(&sp, &ss)]);
        assert_eq!(call(&vm, data), reverts(Error::SubAllocMismatch));
    }
}

#[test]
fn register_reverts_when_a_sub_channel_has_fewer_balance_rows_than_its_parent() {
    let vm = deploy();
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let p = params(2);
    let mut s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    s.outcome.balances.push(vec![U256::ZERO; 2]);
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), reverts(Error::BalancesLengthMismatch));
}

#[test]
fn register_reverts_when_a_balance_row_overflows() {
    let vm = deploy();
    let p = params(2);
    let mut s = state(&p, 1);
    s.outcome.balances[0] = vec![U256::MAX, U256::from(1)];
    assert_eq!(
        register(&vm, &signed(&p, &s)),
        reverts(Error::BalanceOverflow)
    );
}

#[test]
fn register_reverts_when_locked_funds_overflow_the_parents_total() {
    let vm = deploy();
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[1, 0]);
    let p = params(2);
    let mut s = locking(state(&p, 1), vec![sub_alloc(&ss, &[1, 0])]);
    s.outcome.balances[0] = vec![U256::MAX, U256::ZERO];
    let data = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    assert_eq!(call(&vm, data), reverts(Error::BalanceOverflow));
}

// ---------------------------------------------------------------------------------------------
// Errors of the dispute rules
// ---------------------------------------------------------------------------------------------

#[test]
fn register_reverts_when_refuting_with_a_version_not_higher() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 5));
    for s in [state_with(&p, 5, &[30, 0]), state(&p, 4), state(&p, 0)] {
        assert_eq!(
            register(&vm, &signed(&p, &s)),
            reverts(Error::VersionTooLow)
        );
    }
}

#[test]
fn register_reverts_when_refuting_a_concluded_channel() {
    let vm = deploy();
    let p = params(2);
    register_ok(&vm, &p, &state(&p, 1));
    let f = final_state(&p, 2);
    assert_eq!(
        call(&vm, conclude_final_data(&p, &f, sigs(&p, &f))),
        Ok(Vec::new())
    );
    assert_eq!(
        register(&vm, &signed(&p, &state(&p, 3))),
        reverts(Error::NotInDisputePhase)
    );
}

#[test]
fn register_reverts_when_refuting_during_force_execution() {
    let vm = deploy();
    let p = app_params(2);
    let s1 = state(&p, 1);
    register_ok(&vm, &p, &s1);
    at(&vm, START + CD);
    let s2 = state_with(&p, 2, &[20, 10]);
    let data = progress_data(&p, &s1, &s2, U256::ZERO, sign(0, &s2));
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    assert_eq!(record(&vm, channel_id(&p)).phase, FORCEEXEC);
    assert_eq!(
        register(&vm, &signed(&p, &state(&p, 3))),
        reverts(Error::NotInDisputePhase)
    );
}

#[test]
fn register_reverts_when_refuting_at_or_after_the_timeout() {
    let p = params(2);
    for t in [START + CD, START + CD + 1] {
        let vm = deploy();
        register_ok(&vm, &p, &state(&p, 1));
        at(&vm, t);
        assert_eq!(
            register(&vm, &signed(&p, &state(&p, 2))),
            reverts(Error::RefutationTimeoutPassed)
        );
    }
}

#[test]
fn register_reverts_when_the_timeout_does_not_fit_in_64_bits() {
    let vm = deploy();
    let p = Channel::Params {
        challengeDuration: U256::from(u64::MAX - START + 1),
        ..params(2)
    };
    assert_eq!(
        register(&vm, &signed(&p, &state(&p, 1))),
        reverts(Error::TimeoutOverflow)
    );
}

#[test]
fn register_reverts_when_an_offset_inside_the_signed_state_is_corrupted() {
    let vm = deploy();
    let p = params(2);
    let good = register_data(&signed(&p, &state(&p, 1)), &[]);
    // Head: [channel offset, subChannels offset]; the channel's head: [params, state, sigs].
    let channel = word_at(&good, 0).to::<usize>();
    for bad in [
        U256::from(0xffff_ff00u64),
        U256::from(1u64 << 32),
        U256::MAX,
    ] {
        let mut data = good.clone();
        set_word(&mut data, channel, bad);
        assert_eq!(
            call(&vm, data),
            reverts_with(sol::MalformedCalldata::SELECTOR)
        );
    }
}

#[test]
fn register_reverts_when_a_sub_channel_offset_is_corrupted() {
    let vm = deploy();
    let (p, s, sp, ss) = parent_and_sub(sub_params(&[1, 0], 2));
    let good = register_data(&signed(&p, &s), &[signed(&sp, &ss)]);
    let subs = word_at(&good, 32).to::<usize>();
    // subChannels: [length, offset of element 0, ...]
    let mut data = good.clone();
    set_word(&mut data, subs + 32, U256::from(good.len()));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

//! The views: `channelID`, `hashState`, `disputes` (with the registry fallback) and `registry`.

use super::*;
use perun_channel::dispute::CONCLUDED;
use perun_channel::errors as sol;

/// The selector of the registry's `disputes`.
fn registry_disputes_selector() -> u32 {
    selector_of("disputes(bytes32)")
}

/// `disputes(id)`.
fn disputes(vm: &PerunVM, id: B256) -> ArbResult {
    call(vm, calldata(abi::sel::DISPUTES, (id,)))
}

/// The `disputes` return data of v1's tuple.
fn disputes_tuple(d: &Dispute) -> Vec<u8> {
    type Tuple = (Uint<64>, Uint<64>, Uint<64>, Uint<8>, FixedBytes<32>, Bool);
    Tuple::abi_encode_params(&(
        d.timeout,
        d.challenge_duration,
        d.version,
        d.phase,
        d.state_hash,
        d.has_app,
    ))
}

#[test]
fn channel_id_is_the_hash_of_the_params_encoding() {
    let vm = deploy();
    let mut with_cc = app_params(3);
    with_cc.participants[1].ccAddress = vec![7u8; 70].into();
    let odd = Channel::Params {
        challengeDuration: U256::MAX,
        nonce: U256::MAX,
        virtualChannel: true,
        ..params(1)
    };
    for p in [params(2), with_cc, odd, params(0)] {
        let data = calldata(abi::sel::CHANNEL_ID, (p.clone(),));
        assert_eq!(call(&vm, data), Ok(channel_id(&p).to_vec()));
    }
    assert_eq!(vm.calls(), []);
}

#[test]
fn hash_state_is_the_hash_of_the_state_encoding() {
    let vm = deploy();
    let p = params(2);
    let mut rich = final_state(&p, u64::MAX);
    rich.appData = vec![0xab; 33].into();
    rich.outcome.assets.push(Channel::Asset {
        chainID: U256::from(5),
        ethHolder: Address::ZERO,
        ccHolder: vec![1, 2, 3].into(),
    });
    rich.outcome.locked.push(Channel::SubAlloc {
        ID: B256::repeat_byte(3),
        balances: vec![U256::from(1), U256::MAX],
        indexMap: vec![0, 1, u16::MAX],
    });
    for s in [state(&p, 0), rich] {
        let data = calldata(abi::sel::HASH_STATE, (s.clone(),));
        assert_eq!(call(&vm, data), Ok(hash_state(&s).to_vec()));
    }
}

#[test]
fn channel_id_reverts_when_the_participants_offset_is_corrupted() {
    let vm = deploy();
    let mut data = calldata(abi::sel::CHANNEL_ID, (params(2),));
    let params_at = word_at(&data, 0).to::<usize>();
    set_word(&mut data, params_at + 64, U256::from(1u64 << 32));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

#[test]
fn hash_state_reverts_when_the_app_data_runs_past_the_end() {
    let vm = deploy();
    let mut data = calldata(abi::sel::HASH_STATE, (state(&params(2), 1),));
    let state_at = word_at(&data, 0).to::<usize>();
    let app_data = state_at + word_at(&data, state_at + 96).to::<usize>();
    set_word(&mut data, app_data, U256::from(1000));
    assert_eq!(
        call(&vm, data),
        reverts_with(sol::MalformedCalldata::SELECTOR)
    );
}

#[test]
fn disputes_returns_the_local_record_in_v1_order() {
    let vm = deploy();
    let p = app_params(2);
    let s = state(&p, 9);
    register_ok(&vm, &p, &s);
    let id = channel_id(&p);
    let expected = disputes_tuple(&disputed(&s, true, START + CD));
    assert_eq!(disputes(&vm, id), Ok(expected));
    at(&vm, START + 2 * CD);
    assert_eq!(call(&vm, conclude_data(&p, &s, &[])), Ok(Vec::new()));
    vm.clear_calls();
    let d = Dispute {
        phase: CONCLUDED,
        timeout: START + 2 * CD,
        ..disputed(&s, true, START + CD)
    };
    assert_eq!(disputes(&vm, id), Ok(disputes_tuple(&d)));
    assert_eq!(vm.calls(), []);
}

#[test]
fn disputes_asks_the_registry_for_a_channel_not_recorded_here() {
    let vm = deploy();
    let id = B256::repeat_byte(0x42);
    let reply = disputes_tuple(&Dispute {
        timeout: 5,
        challenge_duration: 6,
        version: 7,
        phase: 1,
        has_app: false,
        state_hash: B256::repeat_byte(9),
    });
    reply_from(&vm, REGISTRY, Ok(reply.clone()));
    assert_eq!(disputes(&vm, id), Ok(reply));
    let expected = CallRecord {
        to: REGISTRY,
        data: calldata(registry_disputes_selector(), (id,)),
        value: U256::ZERO,
        is_static: true,
    };
    assert_eq!(vm.calls(), [expected]);
}

#[test]
fn disputes_bubbles_the_registrys_revert_data() {
    let vm = deploy();
    reply_from(&vm, REGISTRY, Err(CALLEE_REVERT.to_vec()));
    assert_eq!(disputes(&vm, B256::ZERO), Err(CALLEE_REVERT.to_vec()));
}

/// Solidity's `return registry.disputes(id)` decodes the six return values, so a reply that is
/// not six clean words reverts with empty data there (and a longer one is cut to six words).
#[test]
fn disputes_reverts_without_data_when_the_registrys_reply_is_malformed() {
    let mut dirty_phase = disputes_tuple(&Dispute::default());
    dirty_phase[96] = 1;
    for reply in [Vec::new(), vec![0u8; 191], dirty_phase] {
        let vm = deploy();
        reply_from(&vm, REGISTRY, Ok(reply.clone()));
        assert_eq!(
            disputes(&vm, B256::ZERO),
            Err(Vec::new()),
            "reply {reply:?}"
        );
    }
    let vm = deploy();
    let six = disputes_tuple(&Dispute::default());
    reply_from(&vm, REGISTRY, Ok([six.clone(), vec![0xff; 32]].concat()));
    assert_eq!(disputes(&vm, B256::ZERO), Ok(six));
}

#[test]
fn registry_returns_the_address_given_at_construction() {
    let vm = deploy();
    let data = abi::sel::REGISTRY.to_be_bytes().to_vec();
    assert_eq!(
        call(&vm, data),
        Ok(B256::left_padding_from(REGISTRY.as_slice()).to_vec())
    );
}

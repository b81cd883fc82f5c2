//! Unit tests of the trivial app under stylus-sdk's `TestVM`: every well-formed call of
//! `validTransition` returns nothing, a malformed ABI envelope, value, or any other selector
//! reverts with empty data, as solc's dispatcher does for `TrivialApp.sol`.

use super::*;
use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::sol::Channel;
use perun_testvm::PerunVM;
use proptest::prelude::*;
use stylus_sdk::abi::{router_entrypoint, CONSTRUCTOR_SELECTOR};

const VALID_TRANSITION: u32 = FUNCTIONS[0].selector();

/// `validTransition(params, from, to, actorIdx)`.
fn valid_transition_data(
    p: &Channel::Params,
    from: &Channel::State,
    to: &Channel::State,
    actor: U256,
) -> Vec<u8> {
    let mut data = VALID_TRANSITION.to_be_bytes().to_vec();
    data.extend((p.clone(), from.clone(), to.clone(), actor).abi_encode_params());
    data
}

/// Runs `data` through the program's entry point on a fresh host.
fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<TrivialApp, TrivialApp>(data, vm.host())
}

/// A small channel and two of its states.
fn example() -> (Channel::Params, Channel::State, Channel::State) {
    let p = Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(1),
        participants: vec![
            Channel::Participant {
                ethAddress: Address::repeat_byte(1),
                ccAddress: vec![1, 2, 3].into(),
            },
            Channel::Participant {
                ethAddress: Address::repeat_byte(2),
                ccAddress: Default::default(),
            },
        ],
        app: Address::repeat_byte(0xa9),
        ledgerChannel: true,
        virtualChannel: false,
    };
    let s = Channel::State {
        channelID: perun_channel::hash::channel_id(&p),
        version: 1,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(42161),
                ethHolder: Address::repeat_byte(0xee),
                ccHolder: Default::default(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![U256::from(1), U256::from(2)]],
            locked: vec![],
        },
        appData: vec![7; 40].into(),
        isFinal: false,
    };
    let t = Channel::State {
        version: 2,
        ..s.clone()
    };
    (p, s, t)
}

#[test]
fn the_selector_is_that_of_the_app_interface() {
    let sig = "validTransition((uint256,uint256,(address,bytes)[],address,bool,bool),\
               (bytes32,uint64,((uint256,address,bytes)[],uint256[],uint256[][],\
               (bytes32,uint256[],uint16[])[]),bytes,bool),\
               (bytes32,uint64,((uint256,address,bytes)[],uint256[],uint256[][],\
               (bytes32,uint256[],uint16[])[]),bytes,bool),uint256)";
    let h = keccak256(sig.as_bytes());
    assert_eq!(
        VALID_TRANSITION,
        u32::from_be_bytes([h[0], h[1], h[2], h[3]])
    );
}

#[test]
fn valid_transition_accepts_every_well_formed_call() {
    let vm = PerunVM::new();
    let (p, s, t) = example();
    for actor in [U256::ZERO, U256::from(1), U256::MAX] {
        assert_eq!(
            call(&vm, valid_transition_data(&p, &s, &t, actor)),
            Ok(Vec::new())
        );
    }
    // Even a "transition" backwards or between unrelated states: the app accepts all.
    assert_eq!(
        call(&vm, valid_transition_data(&p, &t, &s, U256::from(5))),
        Ok(Vec::new())
    );
    // Bytes after the arguments are ignored.
    let mut extra = valid_transition_data(&p, &s, &t, U256::ZERO);
    extra.extend_from_slice(&[0xff; 7]);
    assert_eq!(call(&vm, extra), Ok(Vec::new()));
    assert!(vm.vm.get_emitted_logs().is_empty());
    assert!(vm.calls().is_empty());
}

#[test]
fn valid_transition_reads_nothing_inside_the_structs() {
    // solc checks only each struct's head: garbage inside is not read by a function that
    // ignores its arguments.
    let vm = PerunVM::new();
    let (p, s, t) = example();
    let mut data = valid_transition_data(&p, &s, &t, U256::ZERO);
    // The params' head starts at 4 + 0x80; its third slot is the participants' offset.
    let params_at = 4 + U256::from_be_slice(&data[4..36]).to::<usize>();
    data[params_at + 64..params_at + 96].fill(0xff);
    assert_eq!(call(&vm, data), Ok(Vec::new()));
}

#[test]
fn value_reverts_empty() {
    let vm = PerunVM::new();
    let (p, s, t) = example();
    vm.vm.set_value(U256::from(1));
    assert_eq!(
        call(&vm, valid_transition_data(&p, &s, &t, U256::ZERO)),
        Err(Vec::new())
    );
}

#[test]
fn malformed_envelopes_revert_empty() {
    let vm = PerunVM::new();
    let (p, s, t) = example();
    let good = valid_transition_data(&p, &s, &t, U256::ZERO);
    // Fewer than four head words.
    assert_eq!(call(&vm, good[..4 + 127].to_vec()), Err(Vec::new()));
    assert_eq!(
        call(&vm, VALID_TRANSITION.to_be_bytes().to_vec()),
        Err(Vec::new())
    );
    // A struct offset of 2^64, or one whose head runs past the end.
    for (slot, offset) in [
        (0usize, U256::from(1) << 64),
        (1, U256::MAX),
        (2, U256::from(good.len() - 4 - 5 * 32 + 1)),
        (0, U256::from(good.len() - 4 - 6 * 32 + 1)),
    ] {
        let mut bad = good.clone();
        bad[4 + 32 * slot..4 + 32 * slot + 32].copy_from_slice(&offset.to_be_bytes::<32>());
        assert_eq!(call(&vm, bad), Err(Vec::new()), "slot {slot}");
    }
    // A head that just fits is fine.
    let mut edge = good.clone();
    let last = U256::from(good.len() - 4 - 5 * 32);
    edge[4 + 64..4 + 96].copy_from_slice(&last.to_be_bytes::<32>());
    assert_eq!(call(&vm, edge), Ok(Vec::new()));
}

#[test]
fn other_selectors_and_empty_calldata_revert_empty() {
    let vm = PerunVM::new();
    assert_eq!(call(&vm, Vec::new()), Err(Vec::new()));
    assert_eq!(call(&vm, vec![0xab]), Err(Vec::new()));
    assert_eq!(call(&vm, vec![0xde, 0xad, 0xbe, 0xef]), Err(Vec::new()));
    // Nothing was written.
    assert!(vm.vm.snapshot().storage.values().all(|v| *v == B256::ZERO));
}

#[test]
fn the_constructor_runs_once_and_refuses_value() {
    let constructor = || CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    let vm = PerunVM::new();
    vm.vm.set_value(U256::from(1));
    assert_eq!(call(&vm, constructor()), Err(Vec::new()));
    let vm = PerunVM::new();
    assert_eq!(call(&vm, constructor()), Ok(Vec::new()));
    assert_eq!(call(&vm, constructor()), Err(Vec::new()), "only once");
}

/// Checks the shape of a result: the app returns nothing or reverts with nothing.
fn check_result(r: &ArbResult) -> Result<(), TestCaseError> {
    match r {
        Ok(d) => prop_assert!(d.is_empty(), "return data {d:02x?}"),
        Err(e) => prop_assert!(e.is_empty(), "revert data {e:02x?}"),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Every ABI encoding of random params and states is accepted.
    #[test]
    fn every_encoded_call_is_accepted(
        (p, s) in perun_randomizer::channel(),
        t in perun_randomizer::state(2),
        actor in perun_randomizer::uint(),
    ) {
        let vm = PerunVM::new();
        prop_assert_eq!(call(&vm, valid_transition_data(&p, &s, &t, actor)), Ok(Vec::new()));
    }

    /// Random calldata never panics, returns nothing, and reverts only with empty data.
    #[test]
    fn random_calldata_never_panics(
        sel in prop_oneof![Just(VALID_TRANSITION), any::<u32>()],
        args in prop::collection::vec(any::<u8>(), 0..400),
        heads in prop::collection::vec(0u64..600, 0..4),
    ) {
        let vm = PerunVM::new();
        let mut data = sel.to_be_bytes().to_vec();
        // Plausible offsets first, so that some calls pass the envelope.
        for h in heads {
            data.extend_from_slice(&U256::from(h).to_be_bytes::<32>());
        }
        data.extend(args);
        check_result(&call(&vm, data))?;
    }

    /// Mutated encodings never panic, return nothing, and revert only with empty data.
    #[test]
    fn mutated_calldata_never_panics(
        (p, s) in perun_randomizer::channel(),
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
    ) {
        let vm = PerunVM::new();
        let mut data = valid_transition_data(&p, &s, &s, U256::ZERO);
        let args = data.len() - 4;
        data[4 + at.index(args)] = byte;
        if truncate {
            data.truncate(4 + cut.index(args));
        }
        check_result(&call(&vm, data))?;
    }
}

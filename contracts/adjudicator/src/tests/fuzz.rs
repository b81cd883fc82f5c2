//! Property tests: random and mutated calldata never panics and reverts only with expected data.

use super::*;
use perun_channel::errors as sol;
use perun_testvm::mutation::{apply, mutation, Mutation};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::Config;

/// The selectors of every custom error the Adjudicator may revert with, from perun-channel.
pub(super) fn custom_errors() -> [[u8; 4]; 38] {
    [
        sol::ActorIndexOutOfRange::SELECTOR,
        sol::AlreadyConcluded::SELECTOR,
        sol::AssetsMismatch::SELECTOR,
        sol::BalanceOverflow::SELECTOR,
        sol::BalancesLengthMismatch::SELECTOR,
        sol::ChallengeDurationTooLong::SELECTOR,
        sol::HasApp::SELECTOR,
        sol::HasLockedFunds::SELECTOR,
        sol::IndexMapOutOfRange::SELECTOR,
        sol::InvalidParams::SELECTOR,
        sol::InvalidSignature::SELECTOR,
        sol::InvalidSignatureLength::SELECTOR,
        sol::InvalidSignatureS::SELECTOR,
        sol::InvalidSignatureV::SELECTOR,
        sol::LedgerSubChannel::SELECTOR,
        sol::LockedMismatch::SELECTOR,
        sol::MalformedCalldata::SELECTOR,
        sol::NestingTooDeep::SELECTOR,
        sol::NoApp::SELECTOR,
        sol::NoContractCode::SELECTOR,
        sol::NotInDisputePhase::SELECTOR,
        sol::NotLedgerChannel::SELECTOR,
        sol::NotRegistered::SELECTOR,
        sol::ProgressFromFinalState::SELECTOR,
        sol::RefutationTimeoutPassed::SELECTOR,
        sol::SignatureCountMismatch::SELECTOR,
        sol::StateNotFinal::SELECTOR,
        sol::SubAllocMismatch::SELECTOR,
        sol::SubChannelIDMismatch::SELECTOR,
        sol::SubChannelsTooShort::SELECTOR,
        sol::SumOfBalancesMismatch::SELECTOR,
        sol::TimeoutNotPassed::SELECTOR,
        sol::TimeoutOverflow::SELECTOR,
        sol::TimeoutPassed::SELECTOR,
        sol::VersionNotIncremented::SELECTOR,
        sol::VersionTooLow::SELECTOR,
        sol::WrongOldState::SELECTOR,
        sol::WrongState::SELECTOR,
    ]
}

/// What every callee answers while a sample's state is prepared: enough for the registry's
/// `registerVirtual` (changed, timeout, same) and `concludeVirtual` (changed, version, timeout).
pub(super) fn accepting_reply() -> Vec<u8> {
    // Three words answer the registry's register calls; six clean words also answer `disputes`.
    words(&[1, 1, 0, 0, 0, 0])
}

/// A valid call to one entry point, and how to bring a fresh program into the state in which
/// it succeeds.
pub(super) struct Sample {
    /// The function.
    pub name: &'static str,
    /// The number of arguments (head words).
    pub args: usize,
    /// Registers what the call needs and sets the time; callees answer [`accepting_reply`].
    pub prepare: Box<dyn Fn(&PerunVM)>,
    /// The calldata.
    pub data: Vec<u8>,
}

impl Sample {
    /// A deployed program prepared for this sample, every callee answering `reply`.
    pub fn vm(&self, reply: Result<Vec<u8>, Vec<u8>>) -> PerunVM {
        let vm = deploy();
        let ok = accepting_reply();
        vm.on_call(move |_| Ok(ok.clone()));
        (self.prepare)(&vm);
        vm.on_call(move |_| reply.clone());
        vm.clear_calls();
        vm
    }
}

/// A ledger channel (keys 0, 1) locking a sub-channel (keys 1, 0) and a virtual channel
/// (keys 0, 1), with their signed states.
fn channel_with_subs() -> (Channel::SignedState, Vec<Channel::SignedState>) {
    let sp = sub_params(&[1, 0], 2);
    let ss = state_with(&sp, 1, &[3, 4]);
    let vp = virtual_params(&[0, 1], 3);
    let vs = state_with(&vp, 2, &[5, 6]);
    let p = params(2);
    let s = locking(
        state(&p, 1),
        vec![sub_alloc(&ss, &[1, 0]), sub_alloc(&vs, &[0, 1])],
    );
    (signed(&p, &s), vec![signed(&sp, &ss), signed(&vp, &vs)])
}

/// One valid call per entry point (two for `disputes`).
pub(super) fn corpus() -> Vec<Sample> {
    let nothing = || -> Box<dyn Fn(&PerunVM)> { Box::new(|_: &PerunVM| {}) };
    let (ch, subs) = channel_with_subs();
    let register = register_data(&ch, &subs);
    let registered = {
        let register = register.clone();
        move |vm: &PerunVM| {
            assert_eq!(call(vm, register.clone()), Ok(Vec::new()));
            at(vm, START + CD);
        }
    };
    let sub_states: Vec<Channel::State> = subs.iter().map(|s| s.state.clone()).collect();
    let conclude = conclude_data(&ch.params, &ch.state, &sub_states);

    let ap = app_params(2);
    let a1 = state(&ap, 1);
    let a2 = state_with(&ap, 2, &[20, 10]);
    let progress = progress_data(&ap, &a1, &a2, U256::from(1), sign(1, &a2));
    let app_registered = {
        let register = register_data(&signed(&ap, &a1), &[]);
        move |vm: &PerunVM| {
            assert_eq!(call(vm, register.clone()), Ok(Vec::new()));
            at(vm, START + CD);
        }
    };

    let fp = params(3);
    let fs = final_state(&fp, 4);
    let id = channel_id(&ch.params);
    vec![
        Sample {
            name: "register",
            args: 2,
            prepare: nothing(),
            data: register,
        },
        Sample {
            name: "progress",
            args: 5,
            prepare: Box::new(app_registered),
            data: progress,
        },
        Sample {
            name: "conclude",
            args: 3,
            prepare: Box::new(registered.clone()),
            data: conclude,
        },
        Sample {
            name: "concludeFinal",
            args: 3,
            prepare: nothing(),
            data: conclude_final_data(&fp, &fs, sigs(&fp, &fs)),
        },
        Sample {
            name: "channelID",
            args: 1,
            prepare: nothing(),
            data: calldata(abi::sel::CHANNEL_ID, (ch.params.clone(),)),
        },
        Sample {
            name: "hashState",
            args: 1,
            prepare: nothing(),
            data: calldata(abi::sel::HASH_STATE, (ch.state.clone(),)),
        },
        Sample {
            name: "disputes",
            args: 1,
            prepare: Box::new(registered),
            data: calldata(abi::sel::DISPUTES, (id,)),
        },
        Sample {
            name: "disputes (registry)",
            args: 1,
            prepare: nothing(),
            data: calldata(abi::sel::DISPUTES, (B256::repeat_byte(1),)),
        },
        Sample {
            name: "registry",
            args: 0,
            prepare: nothing(),
            data: abi::sel::REGISTRY.to_be_bytes().to_vec(),
        },
    ]
}

/// Checks the result of a call: any success, or revert data that is empty, a custom error, or
/// the scripted callee's revert data.
fn check(result: &ArbResult, reply: &Result<Vec<u8>, Vec<u8>>) -> Result<(), TestCaseError> {
    if let Err(data) = result {
        let custom = data.len() == 4 && custom_errors().iter().any(|e| e[..] == data[..]);
        let bubbled = matches!(reply, Err(r) if r == data);
        prop_assert!(
            data.is_empty() || custom || bubbled,
            "unexpected revert data {data:02x?}"
        );
    }
    Ok(())
}

/// What the callees answer: the accepting reply, nothing, a reply the registry rejects, or a
/// revert.
fn reply() -> impl Strategy<Value = Result<Vec<u8>, Vec<u8>>> {
    prop_oneof![
        Just(Ok(accepting_reply())),
        Just(Ok(Vec::new())),
        Just(Ok(words(&[0, 7, 9]))),
        Just(Err(CALLEE_REVERT.to_vec())),
    ]
}

/// A word that is often a plausible offset or length.
fn abi_word() -> impl Strategy<Value = [u8; 32]> {
    prop_oneof![
        (0u64..48).prop_map(|k| word(32 * k)),
        (0u64..8).prop_map(word),
        any::<[u8; 32]>(),
        Just([0xff; 32]),
    ]
}

/// Values written over a word-aligned position: offsets and lengths near the data, and edges.
fn offset_value() -> impl Strategy<Value = U256> {
    prop_oneof![
        (0u64..96).prop_map(|k| U256::from(32 * k)),
        (0u64..3000).prop_map(U256::from),
        Just(U256::from(u32::MAX)),
        Just(U256::from(1u64 << 32)),
        Just(U256::from(1u128 << 64)),
        Just(U256::MAX),
    ]
}

#[test]
fn every_sample_call_succeeds_in_its_prepared_state() {
    for sample in corpus() {
        let vm = sample.vm(Ok(accepting_reply()));
        let result = call(&vm, sample.data.clone());
        assert!(result.is_ok(), "{}: {result:02x?}", sample.name);
    }
}

proptest! {
    #![proptest_config(Config { cases: 1024, ..Config::default() })]

    #[test]
    fn random_calldata_to_any_entry_point_never_panics(
        which in 0usize..10,
        unknown in any::<u32>(),
        body in prop_oneof![
            vec(any::<u8>(), 0..600),
            vec(abi_word(), 0..40).prop_map(|ws| ws.concat()),
        ],
        prepared in 0usize..9,
        reply in reply(),
    ) {
        let samples = corpus();
        let selector = match which {
            0..=8 => samples[which].data[..4].try_into().expect("a selector"),
            _ => unknown.to_be_bytes(),
        };
        let vm = samples[prepared].vm(reply.clone());
        let data = [selector.to_vec(), body].concat();
        check(&call(&vm, data), &reply)?;
    }

    #[test]
    fn mutated_valid_calldata_never_panics(
        which in 0usize..9,
        mutations in vec(mutation(offset_value().boxed()), 1..5),
        reply in reply(),
    ) {
        let samples = corpus();
        let sample = &samples[which];
        let mut data = sample.data.clone();
        for m in &mutations {
            apply(&mut data, m);
        }
        let vm = sample.vm(reply.clone());
        check(&call(&vm, data), &reply)?;
    }

    #[test]
    fn rewriting_one_word_of_valid_calldata_never_panics(
        which in 0usize..9,
        index in any::<prop::sample::Index>(),
        value in offset_value(),
        reply in reply(),
    ) {
        let samples = corpus();
        let sample = &samples[which];
        let mut data = sample.data.clone();
        apply(&mut data, &Mutation::Word(index, value));
        let vm = sample.vm(reply.clone());
        check(&call(&vm, data), &reply)?;
    }

    #[test]
    fn random_signed_channels_through_every_function_never_panic(
        (p, s) in perun_randomizer::channel(),
        time in prop_oneof![
            Just(START),
            Just(START + CD),
            Just(START + 3600),
            Just(START + 7200),
            Just(u64::MAX),
            any::<u64>(),
        ],
        with_code in any::<bool>(),
        tidy_up in any::<bool>(),
        reply in reply(),
    ) {
        let (p, s) = with_test_keys(p, s);
        let (p, s) = if tidy_up { tidy(p, s) } else { (p, s) };
        let vm = deploy();
        if with_code {
            vm.vm.set_code(p.app, vec![0xfe]);
            for a in &s.outcome.assets {
                vm.vm.set_code(a.ethHolder, vec![0xfe]);
            }
        }
        let answer = reply.clone();
        vm.on_call(move |_| answer.clone());
        let id = channel_id(&p);
        check(&call(&vm, register_data(&signed(&p, &s), &[])), &reply)?;
        at(&vm, time);
        let mut next = s.clone();
        next.version = next.version.wrapping_add(1);
        for row in &mut next.outcome.balances {
            row.reverse();
        }
        let step = progress_data(&p, &s, &next, U256::ZERO, sign(0, &next));
        let last = Channel::State { isFinal: true, ..next.clone() };
        let calls = [
            step,
            conclude_data(&p, &s, &[]),
            conclude_final_data(&p, &last, sigs(&p, &last)),
            calldata(abi::sel::DISPUTES, (id,)),
        ];
        for data in calls {
            check(&call(&vm, data), &reply)?;
        }
    }
}

/// `p` with test keys `0..n` as its participants' addresses, and `s` as a state of it.
fn with_test_keys(
    mut p: Channel::Params,
    mut s: Channel::State,
) -> (Channel::Params, Channel::State) {
    for (i, part) in p.participants.iter_mut().enumerate() {
        part.ethAddress = test_signer(i as u64).address();
    }
    s.channelID = channel_id(&p);
    (p, s)
}

/// `p` and `s` made likely to register: a ledger channel that is not virtual, a challenge
/// duration below an hour, no locked funds, and balances below 2^64.
fn tidy(mut p: Channel::Params, mut s: Channel::State) -> (Channel::Params, Channel::State) {
    p.ledgerChannel = true;
    p.virtualChannel = false;
    p.challengeDuration %= U256::from(3600);
    s.outcome.locked.clear();
    for row in &mut s.outcome.balances {
        for b in row.iter_mut() {
            *b %= U256::from(1u128 << 64);
        }
    }
    with_test_keys(p, s)
}

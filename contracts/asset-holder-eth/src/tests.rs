//! Unit tests of the ETH asset holder under stylus-sdk's `TestVM` (through `PerunVM`, which adds
//! native ecrecover and scripted, recorded calls): each function's success path and every custom
//! error it can raise, in the check order of `AssetHolder.sol` and `AssetHolderETH.sol`, the ABI
//! envelope, and a property test on random and mutated calldata.

use super::*;
use alloy_primitives::{keccak256, Bytes};
use alloy_sol_types::{SolEvent, SolValue};
use perun_asset_holder::SETTLED as SETTLED_BIT;
use perun_channel::hash::funding_id;
use perun_channel::sig::HALF_ORDER;
use perun_channel::sol::{Channel, Deposited, OutcomeSet, WithdrawalAuth, Withdrawn};
use perun_randomizer::test_signer;
use perun_testvm::mutation::{apply, edge_word, mutation};
use perun_testvm::{CallRecord, PerunVM};
use proptest::prelude::*;
use stylus_sdk::abi::{router_entrypoint, CONSTRUCTOR_SELECTOR};
use stylus_sdk::testing::TestVM;

/// The Adjudicator's address, given to the constructor.
const ADJUDICATOR: Address = Address::repeat_byte(0xad);
/// Someone else.
const STRANGER: Address = Address::repeat_byte(0x5e);
/// Where withdrawals go.
const RECEIVER: Address = Address::repeat_byte(0x7e);
/// The channel of the tests.
const CHANNEL: B256 = B256::repeat_byte(0xc1);

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Calldata: `selector` and the ABI encoding of `args` as function arguments.
fn calldata<T: SolValue>(selector: u32, args: T) -> Vec<u8>
where
    for<'a> T::SolType: alloy_sol_types::SolType<Token<'a>: alloy_sol_types::abi::TokenSeq<'a>>,
{
    let mut data = selector.to_be_bytes().to_vec();
    data.extend(args.abi_encode_params());
    data
}

/// The first four bytes of `keccak256(signature)`.
fn selector_of(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

fn constructor_data(adjudicator: Address) -> Vec<u8> {
    let mut cd = CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    cd.extend_from_slice(B256::left_padding_from(adjudicator.as_slice()).as_slice());
    cd
}

/// A holder deployed for [`ADJUDICATOR`], called by [`STRANGER`] with no value.
fn deploy() -> PerunVM {
    let vm = PerunVM::new();
    assert_eq!(call(&vm, constructor_data(ADJUDICATOR)), Ok(Vec::new()));
    vm.vm.set_sender(STRANGER);
    vm
}

/// Runs `data` through the program's entry point.
fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<AssetHolderETH, AssetHolderETH>(data, vm.host())
}

/// As [`call`], with `value`; the value is zero again afterwards.
fn call_with_value(vm: &PerunVM, value: U256, data: Vec<u8>) -> ArbResult {
    vm.vm.set_value(value);
    let r = call(vm, data);
    vm.vm.set_value(U256::ZERO);
    r
}

/// As [`call`], from the Adjudicator; the sender is [`STRANGER`] again afterwards.
fn call_as_adjudicator(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    vm.vm.set_sender(ADJUDICATOR);
    let r = call(vm, data);
    vm.vm.set_sender(STRANGER);
    r
}

/// The result of a call that reverts with `e`.
fn reverts(e: Error) -> ArbResult {
    Err(e.revert_data())
}

/// The participant of test key `k`.
fn part(k: u64) -> Channel::Participant {
    Channel::Participant {
        ethAddress: test_signer(k).address(),
        ccAddress: Default::default(),
    }
}

/// Participant `k`'s funding ID in [`CHANNEL`].
fn fid(k: u64) -> B256 {
    funding_id(CHANNEL, test_signer(k).address())
}

fn deposit_data(fid: B256, amount: U256) -> Vec<u8> {
    calldata(h::DEPOSIT.selector(), (fid, amount))
}

fn set_outcome_data(id: B256, parts: &[Channel::Participant], bals: &[u64]) -> Vec<u8> {
    let bals: Vec<U256> = bals.iter().map(|&b| U256::from(b)).collect();
    set_outcome_data_u256(id, parts, &bals)
}

fn set_outcome_data_u256(id: B256, parts: &[Channel::Participant], bals: &[U256]) -> Vec<u8> {
    calldata(
        h::SET_OUTCOME.selector(),
        (id, parts.to_vec(), bals.to_vec()),
    )
}

/// Participant `k`'s authorization to withdraw `amount` from [`CHANNEL`] to [`RECEIVER`].
fn auth(k: u64, amount: u64) -> WithdrawalAuth {
    WithdrawalAuth {
        channelID: CHANNEL,
        participant: part(k),
        receiver: RECEIVER,
        amount: U256::from(amount),
    }
}

/// Key `k`'s signature on `a`.
fn sign_auth(k: u64, a: &WithdrawalAuth) -> Bytes {
    test_signer(k).sign_withdrawal(a).to_bytes().to_vec().into()
}

fn withdraw_data(a: &WithdrawalAuth, sig: Bytes) -> Vec<u8> {
    calldata(h::WITHDRAW.selector(), (a.clone(), sig))
}

/// Participant `k`'s withdrawal of `amount` to [`RECEIVER`].
fn withdrawal(k: u64, amount: u64) -> Vec<u8> {
    let a = auth(k, amount);
    withdraw_data(&a, sign_auth(k, &a))
}

/// Participant `k`'s withdrawal of `amount` to itself.
fn own_withdrawal(k: u64, amount: u64) -> Vec<u8> {
    let a = WithdrawalAuth {
        receiver: part(k).ethAddress,
        ..auth(k, amount)
    };
    withdraw_data(&a, sign_auth(k, &a))
}

fn holdings(vm: &PerunVM, id: B256) -> U256 {
    let out = call(vm, calldata(h::HOLDINGS.selector(), (id,))).expect("a view");
    U256::abi_decode(&out).expect("a word")
}

fn settled(vm: &PerunVM, id: B256) -> bool {
    let out = call(vm, calldata(h::SETTLED.selector(), (id,))).expect("a view");
    bool::abi_decode_validate(&out).expect("a clean bool")
}

/// Deposits `amount` for `id` with the right value, which must succeed.
fn deposit(vm: &PerunVM, id: B256, amount: u64) {
    let amount = U256::from(amount);
    assert_eq!(
        call_with_value(vm, amount, deposit_data(id, amount)),
        Ok(Vec::new())
    );
}

/// [`CHANNEL`] between keys 0 and 1, funded with `funds` and settled to `bals`.
fn settle(vm: &PerunVM, funds: [u64; 2], bals: [u64; 2]) {
    for k in 0..2 {
        if funds[k as usize] > 0 {
            deposit(vm, fid(k), funds[k as usize]);
        }
    }
    assert_eq!(
        call_as_adjudicator(vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &bals)),
        Ok(Vec::new())
    );
}

/// The logs emitted so far.
fn logs(vm: &PerunVM) -> Vec<(Vec<B256>, Vec<u8>)> {
    vm.vm.get_emitted_logs()
}

/// An event as the host records it, encoded by alloy.
fn log_of<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
    let d = e.encode_log_data();
    (d.topics().to_vec(), d.data.to_vec())
}

/// Forgets the logs emitted so far (`TestVM::clear_mocks` clears them; no mocks are used).
fn clear_logs(vm: &PerunVM) {
    vm.vm.clear_mocks();
}

/// The host state of `vm` with `msg_reentrant` set: the holder is on the call stack already.
fn reentrant(vm: &PerunVM) -> PerunVM {
    let mut state = vm.vm.snapshot();
    state.reentrant = true;
    let mut r = vm.clone();
    r.vm = TestVM::from(state);
    r
}

// ---------------------------------------------------------------------------------------------
// Construction, views, envelope
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_the_adjudicator_once() {
    let vm = deploy();
    let word = B256::left_padding_from(ADJUDICATOR.as_slice()).to_vec();
    assert_eq!(
        call(&vm, calldata(h::ADJUDICATOR.selector(), ())),
        Ok(word.clone())
    );
    assert_eq!(call(&vm, constructor_data(STRANGER)), Err(Vec::new()));
    assert_eq!(call(&vm, calldata(h::ADJUDICATOR.selector(), ())), Ok(word));
}

#[test]
fn constructor_reverts_empty_with_value_or_a_dirty_address() {
    let vm = PerunVM::new();
    assert_eq!(
        call_with_value(&vm, U256::from(1), constructor_data(ADJUDICATOR)),
        Err(Vec::new())
    );
    let mut dirty = constructor_data(ADJUDICATOR);
    dirty[4 + 11] = 1;
    assert_eq!(call(&vm, dirty), Err(Vec::new()));
    assert_eq!(call(&vm, constructor_data(ADJUDICATOR)), Ok(Vec::new()));
}

#[test]
fn views_of_unknown_ids_are_zero() {
    let vm = deploy();
    assert_eq!(holdings(&vm, B256::repeat_byte(1)), U256::ZERO);
    assert!(!settled(&vm, B256::repeat_byte(1)));
}

#[test]
fn non_payable_functions_revert_empty_when_value_is_sent() {
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    let all = [
        set_outcome_data(B256::repeat_byte(2), &[part(0)], &[0]),
        withdrawal(0, 1),
        calldata(h::HOLDINGS.selector(), (fid(0),)),
        calldata(h::SETTLED.selector(), (CHANNEL,)),
        calldata(h::ADJUDICATOR.selector(), ()),
    ];
    assert_eq!(all.len() + 1, FUNCTIONS.len());
    clear_logs(&vm);
    for data in all {
        assert_eq!(
            call_with_value(&vm, U256::from(1), data.clone()),
            Err(Vec::new())
        );
        vm.vm.set_sender(ADJUDICATOR);
        assert_eq!(call_with_value(&vm, U256::from(1), data), Err(Vec::new()));
        vm.vm.set_sender(STRANGER);
    }
    assert!(logs(&vm).is_empty());
    assert!(vm.calls().is_empty());
    assert_eq!(holdings(&vm, fid(0)), U256::from(10));
    assert!(!settled(&vm, B256::repeat_byte(2)));
}

#[test]
fn unknown_selectors_and_malformed_envelopes_revert_empty() {
    let vm = deploy();
    assert_eq!(call(&vm, Vec::new()), Err(Vec::new()));
    assert_eq!(call(&vm, vec![1, 2, 3]), Err(Vec::new()));
    assert_eq!(call(&vm, selector_of("token()").to_vec()), Err(Vec::new()));
    // Empty calldata with value: no receive function.
    assert_eq!(
        call_with_value(&vm, U256::from(1), Vec::new()),
        Err(Vec::new())
    );
    let mut short = deposit_data(B256::ZERO, U256::from(1));
    short.pop();
    assert_eq!(call_with_value(&vm, U256::from(1), short), Err(Vec::new()));
    let mut short = set_outcome_data(CHANNEL, &[part(0)], &[1]);
    short.truncate(4 + 96 + 32 + 31);
    assert_eq!(call_as_adjudicator(&vm, short), Err(Vec::new()));
    // An array length that runs past the end.
    let mut long = set_outcome_data(CHANNEL, &[part(0)], &[1]);
    let bals_at = 4 + U256::from_be_slice(&long[4 + 64..4 + 96]).to::<usize>();
    long[bals_at + 31] = 2;
    assert_eq!(call_as_adjudicator(&vm, long), Err(Vec::new()));
    // A withdrawal whose signature's bytes run past the end.
    let mut long = withdrawal(0, 1);
    let sig_at = 4 + U256::from_be_slice(&long[4 + 32..4 + 64]).to::<usize>();
    long[sig_at + 31] = 66 + 32;
    assert_eq!(call(&vm, long), Err(Vec::new()));
    assert!(logs(&vm).is_empty());
}

// ---------------------------------------------------------------------------------------------
// deposit
// ---------------------------------------------------------------------------------------------

#[test]
fn deposit_credits_the_funding_id_and_emits_deposited() {
    let vm = deploy();
    deposit(&vm, fid(0), 5);
    deposit(&vm, fid(0), 7);
    deposit(&vm, fid(1), 0);
    assert_eq!(holdings(&vm, fid(0)), U256::from(12));
    assert_eq!(holdings(&vm, fid(1)), U256::ZERO);
    assert_eq!(
        logs(&vm),
        vec![
            log_of(&Deposited {
                fundingID: fid(0),
                amount: U256::from(5)
            }),
            log_of(&Deposited {
                fundingID: fid(0),
                amount: U256::from(7)
            }),
            log_of(&Deposited {
                fundingID: fid(1),
                amount: U256::ZERO
            }),
        ]
    );
    assert!(vm.calls().is_empty());
}

#[test]
fn deposit_reverts_when_the_value_differs_from_the_amount() {
    let vm = deploy();
    for (value, amount) in [(0u64, 1u64), (1, 0), (4, 5), (6, 5)] {
        assert_eq!(
            call_with_value(
                &vm,
                U256::from(value),
                deposit_data(fid(0), U256::from(amount))
            ),
            reverts(Error::WrongDepositValue)
        );
    }
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
    assert!(logs(&vm).is_empty());
}

#[test]
fn deposit_reverts_when_the_holdings_would_reach_2_pow_255() {
    let vm = deploy();
    let big = SETTLED_BIT;
    assert_eq!(
        call_with_value(&vm, big, deposit_data(fid(0), big)),
        reverts(Error::BalanceOverflow)
    );
    assert_eq!(
        call_with_value(&vm, U256::MAX, deposit_data(fid(0), U256::MAX)),
        reverts(Error::BalanceOverflow)
    );
    let most = big - U256::from(1);
    assert_eq!(
        call_with_value(&vm, most, deposit_data(fid(0), most)),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), most);
    assert_eq!(
        call_with_value(&vm, U256::from(1), deposit_data(fid(0), U256::from(1))),
        reverts(Error::BalanceOverflow)
    );
    assert_eq!(holdings(&vm, fid(0)), most);
    assert!(!settled(&vm, fid(0)));
}

#[test]
fn deposit_under_a_settled_channel_id_keeps_it_settled() {
    let vm = deploy();
    settle(&vm, [1, 1], [1, 1]);
    assert!(settled(&vm, CHANNEL));
    deposit(&vm, CHANNEL, 9);
    assert!(settled(&vm, CHANNEL));
    assert_eq!(holdings(&vm, CHANNEL), U256::from(9));
    // The limit is the same under the settled bit.
    let rest = SETTLED_BIT - U256::from(9);
    assert_eq!(
        call_with_value(&vm, rest, deposit_data(CHANNEL, rest)),
        reverts(Error::BalanceOverflow)
    );
}

// ---------------------------------------------------------------------------------------------
// setOutcome
// ---------------------------------------------------------------------------------------------

#[test]
fn set_outcome_of_a_funded_channel_sets_the_holdings_and_settles() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    deposit(&vm, fid(1), 20);
    clear_logs(&vm);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data(CHANNEL, &[part(0), part(1)], &[25, 5])
        ),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(25));
    assert_eq!(holdings(&vm, fid(1)), U256::from(5));
    assert!(settled(&vm, CHANNEL));
    assert_eq!(holdings(&vm, CHANNEL), U256::ZERO);
    assert!(!settled(&vm, fid(0)));
    assert_eq!(logs(&vm), vec![log_of(&OutcomeSet { channelID: CHANNEL })]);
    // The raw entry of the channel ID is exactly the settled bit.
    let raw = vm.vm.get_storage(perun_asset_holder::slot_of(CHANNEL));
    assert_eq!(U256::from_be_bytes(raw.0), SETTLED_BIT);
}

#[test]
fn set_outcome_counts_and_uses_up_funds_under_the_channel_id() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    deposit(&vm, CHANNEL, 20);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data(CHANNEL, &[part(0), part(1)], &[12, 18])
        ),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(12));
    assert_eq!(holdings(&vm, fid(1)), U256::from(18));
    assert_eq!(holdings(&vm, CHANNEL), U256::ZERO);
    assert!(settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_of_an_underfunded_channel_leaves_every_deposit() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    deposit(&vm, fid(1), 5);
    deposit(&vm, CHANNEL, 4);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data(CHANNEL, &[part(0), part(1)], &[0, 20])
        ),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(10));
    assert_eq!(holdings(&vm, fid(1)), U256::from(5));
    // The channel ID's funds are used up all the same.
    assert_eq!(holdings(&vm, CHANNEL), U256::ZERO);
    assert!(settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_with_a_repeated_participant_is_treated_as_underfunded() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data(CHANNEL, &[part(0), part(1), part(0)], &[0, 10, 10])
        ),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(10));
    assert_eq!(holdings(&vm, fid(1)), U256::ZERO);
    assert!(settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_with_no_participants_settles() {
    let vm = deploy();
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[], &[])),
        Ok(Vec::new())
    );
    assert!(settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_reverts_for_anyone_but_the_adjudicator() {
    let vm = deploy();
    // Checked before the arguments are read.
    assert_eq!(
        call(&vm, set_outcome_data(CHANNEL, &[part(0)], &[1, 2])),
        reverts(Error::OnlyAdjudicator)
    );
    assert!(!settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_reverts_when_the_lengths_differ() {
    let vm = deploy();
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0)], &[1, 2])),
        reverts(Error::OutcomeLengthMismatch)
    );
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &[1])),
        reverts(Error::OutcomeLengthMismatch)
    );
    assert!(!settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_reverts_when_settled_already() {
    let vm = deploy();
    settle(&vm, [3, 0], [1, 2]);
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &[3, 0])),
        reverts(Error::AlreadySettled)
    );
    // The lengths are compared first.
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0)], &[3, 0])),
        reverts(Error::OutcomeLengthMismatch)
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(1));
}

#[test]
fn set_outcome_reverts_when_a_sum_or_a_balance_overflows() {
    let vm = deploy();
    // The outcome's sum wraps.
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data_u256(CHANNEL, &[part(0), part(1)], &[U256::MAX, U256::from(1)])
        ),
        reverts(Error::BalanceOverflow)
    );
    // The held sum wraps: two entries and the channel ID's near 2^255 each.
    let most = SETTLED_BIT - U256::from(1);
    for id in [fid(0), fid(1), CHANNEL] {
        assert_eq!(
            call_with_value(&vm, most, deposit_data(id, most)),
            Ok(Vec::new())
        );
    }
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data_u256(CHANNEL, &[part(0), part(1)], &[U256::ZERO, U256::ZERO])
        ),
        reverts(Error::BalanceOverflow)
    );
    // A covered balance of 2^255 or more cannot be stored.
    let vm = deploy();
    for id in [fid(0), fid(1)] {
        assert_eq!(
            call_with_value(&vm, most, deposit_data(id, most)),
            Ok(Vec::new())
        );
    }
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data_u256(CHANNEL, &[part(0), part(1)], &[SETTLED_BIT, U256::ZERO])
        ),
        reverts(Error::BalanceOverflow)
    );
    assert!(!settled(&vm, CHANNEL));
    // Uncovered, it is never stored: the channel settles with the deposits.
    let vm = deploy();
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data_u256(CHANNEL, &[part(0)], &[SETTLED_BIT])
        ),
        Ok(Vec::new())
    );
    assert!(settled(&vm, CHANNEL));
}

#[test]
fn set_outcome_reverts_with_malformed_calldata_for_a_dirty_participant_address() {
    let vm = deploy();
    let mut data = set_outcome_data(CHANNEL, &[part(0), part(1)], &[1, 2]);
    let word = B256::left_padding_from(test_signer(1).address().as_slice());
    let at = data
        .windows(32)
        .position(|w| w == word.as_slice())
        .expect("the address word");
    data[at] = 1;
    assert_eq!(
        call_as_adjudicator(&vm, data),
        Err(selector_of("MalformedCalldata()").to_vec())
    );
}

// ---------------------------------------------------------------------------------------------
// withdraw
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_pays_the_receiver_and_emits_withdrawn() {
    let vm = deploy();
    settle(&vm, [10, 20], [25, 5]);
    clear_logs(&vm);
    vm.clear_calls();
    assert_eq!(call(&vm, withdrawal(0, 25)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
    assert_eq!(
        vm.calls(),
        vec![CallRecord {
            to: RECEIVER,
            data: Vec::new(),
            value: U256::from(25),
            is_static: false,
        }]
    );
    assert_eq!(
        logs(&vm),
        vec![log_of(&Withdrawn {
            fundingID: fid(0),
            amount: U256::from(25),
            receiver: RECEIVER,
        })]
    );
    // Nothing more, and a zero withdrawal of nothing.
    assert_eq!(call(&vm, withdrawal(0, 0)), Ok(Vec::new()));
    assert_eq!(
        call(&vm, withdrawal(0, 1)),
        reverts(Error::InsufficientHoldings)
    );
    assert_eq!(call(&vm, withdrawal(1, 5)), Ok(Vec::new()));
    assert_eq!(vm.calls().len(), 3);
}

#[test]
fn withdraw_to_oneself_may_take_part_of_the_holdings() {
    let vm = deploy();
    settle(&vm, [10, 20], [25, 5]);
    vm.clear_calls();
    assert_eq!(call(&vm, own_withdrawal(0, 20)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::from(5));
    assert_eq!(call(&vm, own_withdrawal(0, 5)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
    let paid: Vec<(Address, U256)> = vm.calls().iter().map(|c| (c.to, c.value)).collect();
    let me = part(0).ethAddress;
    assert_eq!(paid, [(me, U256::from(20)), (me, U256::from(5))]);
}

#[test]
fn withdraw_to_another_receiver_takes_the_whole_holdings() {
    // Finding 4: a WithdrawalAuth names no holder and no nonce (v1's format, kept for
    // go-perun); a partial one to someone else could be replayed by that receiver while
    // holdings last. Paying someone else takes everything, so a replay finds nothing left.
    let vm = deploy();
    settle(&vm, [10, 20], [25, 5]);
    assert_eq!(
        call(&vm, withdrawal(0, 20)),
        reverts(Error::PartialWithdrawal)
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(25));
    let whole = withdrawal(0, 25);
    assert_eq!(call(&vm, whole.clone()), Ok(Vec::new()));
    assert_eq!(call(&vm, whole), reverts(Error::InsufficientHoldings));
}

#[test]
fn withdraw_reverts_before_the_channel_is_settled() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    assert_eq!(call(&vm, withdrawal(0, 1)), reverts(Error::NotSettled));
    // Even with a bad signature: settlement is checked first.
    let a = auth(0, 1);
    assert_eq!(
        call(&vm, withdraw_data(&a, Bytes::from(vec![0u8; 3]))),
        reverts(Error::NotSettled)
    );
    assert!(vm.calls().is_empty());
}

#[test]
fn withdraw_reverts_on_each_kind_of_bad_signature() {
    use perun_channel::sig::SigError;
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    vm.clear_calls();
    let a = auth(0, 1);
    let good = sign_auth(0, &a).to_vec();
    let sig_err = |error| reverts(Error::Signature { index: 0, error });
    let with = |sig: Vec<u8>| call(&vm, withdraw_data(&a, sig.into()));
    assert_eq!(with(good[..64].to_vec()), sig_err(SigError::Length(64)));
    assert_eq!(with(Vec::new()), sig_err(SigError::Length(0)));
    let mut high_s = good.clone();
    high_s[32..64].copy_from_slice(&(HALF_ORDER + U256::from(1)).to_be_bytes::<32>());
    high_s[64] = 1;
    assert_eq!(with(high_s), sig_err(SigError::HighS));
    let mut bad_v = good.clone();
    bad_v[64] = 29;
    assert_eq!(with(bad_v), sig_err(SigError::V(29)));
    // Another key's signature; a signature that recovers to no address.
    assert_eq!(
        with(sign_auth(1, &a).to_vec()),
        reverts(Error::WrongSigner { index: 0 })
    );
    let mut no_key = good.clone();
    no_key[32..64].fill(0);
    assert_eq!(with(no_key), sig_err(SigError::Unrecoverable));
    // The participant's signature on another authorization.
    let more = auth(0, 2);
    assert_eq!(
        call(&vm, withdraw_data(&more, good.clone().into())),
        reverts(Error::WrongSigner { index: 0 })
    );
    let mut elsewhere = a.clone();
    elsewhere.receiver = STRANGER;
    assert_eq!(
        call(&vm, withdraw_data(&elsewhere, good.into())),
        reverts(Error::WrongSigner { index: 0 })
    );
    assert!(vm.calls().is_empty());
    assert_eq!(holdings(&vm, fid(0)), U256::from(10));
}

#[test]
fn withdraw_reverts_when_it_exceeds_the_holdings() {
    let vm = deploy();
    settle(&vm, [10, 0], [4, 6]);
    vm.clear_calls();
    assert_eq!(
        call(&vm, withdrawal(0, 5)),
        reverts(Error::InsufficientHoldings)
    );
    assert_eq!(call(&vm, withdrawal(0, 4)), Ok(Vec::new()));
    // Signatures are checked first.
    let a = auth(0, 100);
    assert_eq!(
        call(&vm, withdraw_data(&a, sign_auth(1, &a))),
        reverts(Error::WrongSigner { index: 0 })
    );
    assert_eq!(vm.calls().len(), 1);
}

#[test]
fn withdraw_reverts_when_reentered() {
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    vm.clear_calls();
    let r = reentrant(&vm);
    assert_eq!(call(&r, withdrawal(0, 1)), reverts(Error::Reentrancy));
    // First of all checks.
    assert_eq!(
        call(&r, withdraw_data(&auth(0, 1), Bytes::new())),
        reverts(Error::Reentrancy)
    );
    let unsettled = WithdrawalAuth {
        channelID: B256::repeat_byte(9),
        ..auth(0, 1)
    };
    assert_eq!(
        call(&r, withdraw_data(&unsettled, Bytes::new())),
        reverts(Error::Reentrancy)
    );
    assert!(vm.calls().is_empty());
    // Deposits and views are not guarded.
    assert_eq!(
        call_with_value(&r, U256::from(2), deposit_data(fid(1), U256::from(2))),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&r, fid(0)), U256::from(10));
}

#[test]
fn withdraw_reverts_when_the_payout_fails() {
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    clear_logs(&vm);
    vm.clear_calls();
    vm.on_call(|c| {
        if c.to == RECEIVER {
            Err(b"receiver says no".to_vec())
        } else {
            Ok(Vec::new())
        }
    });
    // The receiver's revert data does not bubble up.
    assert_eq!(
        call(&vm, withdrawal(0, 10)),
        reverts(Error::EthTransferFailed)
    );
    assert_eq!(
        vm.calls(),
        vec![CallRecord {
            to: RECEIVER,
            data: Vec::new(),
            value: U256::from(10),
            is_static: false,
        }]
    );
    assert!(logs(&vm).is_empty());
    // Empty revert data too (TestVM keeps a reverted call's writes: a fresh one).
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    vm.on_call(|_| Err(Vec::new()));
    assert_eq!(
        call(&vm, withdrawal(0, 10)),
        reverts(Error::EthTransferFailed)
    );
}

// ---------------------------------------------------------------------------------------------
// Property: random and mutated calldata
// ---------------------------------------------------------------------------------------------

/// The selectors of every custom error the holder may revert with.
fn error_selectors() -> Vec<[u8; 4]> {
    ERRORS
        .iter()
        .map(|name| selector_of(&format!("{name}()")))
        .collect()
}

/// Checks the shape of a result: return data, or revert data that is empty or one of the
/// holder's custom errors.
fn check_result(r: &ArbResult) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(
            e.is_empty() || (e.len() == 4 && error_selectors().contains(&[e[0], e[1], e[2], e[3]])),
            "unexpected revert data {e:02x?}"
        );
    }
    Ok(())
}

/// The words mutations write: the usual edge values and the holders' settled bit.
fn words() -> BoxedStrategy<U256> {
    prop_oneof![edge_word(), Just(SETTLED_BIT)].boxed()
}

/// A well-formed call (with its value) of one of the holder's functions, and whether to settle
/// [`CHANNEL`] first.
fn valid_call() -> impl Strategy<Value = (Vec<u8>, U256, bool)> {
    let amount = prop_oneof![0u64..100, Just(u64::MAX)];
    prop_oneof![
        (perun_randomizer::b256(), amount.clone()).prop_map(|(id, a)| (
            deposit_data(id, U256::from(a)),
            U256::from(a),
            false
        )),
        (
            prop::collection::vec(0u64..4, 0..4),
            prop::collection::vec(0u64..40, 0..4),
            any::<bool>()
        )
            .prop_map(|(keys, bals, settle)| {
                let parts: Vec<_> = keys.iter().map(|&k| part(k)).collect();
                (set_outcome_data(CHANNEL, &parts, &bals), U256::ZERO, settle)
            }),
        (0u64..2, amount, any::<bool>()).prop_map(|(k, a, settle)| (
            withdrawal(k, a),
            U256::ZERO,
            settle
        )),
        perun_randomizer::b256().prop_map(|id| (
            calldata(h::HOLDINGS.selector(), (id,)),
            U256::ZERO,
            false
        )),
        perun_randomizer::b256().prop_map(|id| (
            calldata(h::SETTLED.selector(), (id,)),
            U256::ZERO,
            false
        )),
        Just((calldata(h::ADJUDICATOR.selector(), ()), U256::ZERO, false)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random calldata for every entry point (and unknown selectors) never panics and reverts
    /// only with empty data or one of the holder's custom errors.
    #[test]
    fn random_calldata_never_panics(
        sel in prop_oneof![
            prop::sample::select(FUNCTIONS.iter().map(|f| f.selector()).collect::<Vec<_>>()),
            any::<u32>(),
        ],
        args in prop::collection::vec(any::<u8>(), 0..500),
        from_adjudicator in any::<bool>(),
        value in prop_oneof![Just(U256::ZERO), perun_randomizer::uint()],
    ) {
        let vm = deploy();
        if from_adjudicator {
            vm.vm.set_sender(ADJUDICATOR);
        }
        let mut data = sel.to_be_bytes().to_vec();
        data.extend(args);
        check_result(&call_with_value(&vm, value, data))?;
    }

    /// Mutations of well-formed calls never panic and revert only with empty data or one of
    /// the holder's custom errors, whether the payout succeeds or not.
    #[test]
    fn mutated_calldata_never_panics(
        (data, value, settle_first) in valid_call(),
        mutations in prop::collection::vec(mutation(words()), 0..4),
        from_adjudicator in any::<bool>(),
        payout_fails in any::<bool>(),
        reentered in any::<bool>(),
    ) {
        let vm = deploy();
        if settle_first {
            settle(&vm, [30, 10], [15, 25]);
        }
        if payout_fails {
            vm.on_call(|_| Err(b"no".to_vec()));
        }
        let vm = if reentered { reentrant(&vm) } else { vm };
        vm.vm.set_sender(if from_adjudicator { ADJUDICATOR } else { STRANGER });
        let mut data = data;
        for m in &mutations {
            apply(&mut data, m);
        }
        check_result(&call_with_value(&vm, value, data))?;
    }
}

//! Unit tests of the ERC20 asset holder under stylus-sdk's `TestVM` (through `PerunVM`, whose
//! scripted token answers `balanceOf`, `transferFrom` and `transfer`, and records the calls):
//! each function's success path and every custom error it can raise, in the check order of
//! `AssetHolder.sol` and `AssetHolderERC20.sol`, the ABI envelope, and a property test on random
//! and mutated calldata.

use super::*;
use alloy_primitives::{keccak256, Bytes};
use alloy_sol_types::{SolEvent, SolValue};
use perun_asset_holder::SETTLED as SETTLED_BIT;
use perun_channel::hash::funding_id;
use perun_channel::sol::{Channel, Deposited, OutcomeSet, WithdrawalAuth, Withdrawn};
use perun_randomizer::test_signer;
use perun_testvm::mutation::{apply, edge_word, mutation};
use perun_testvm::{CallRecord, PerunVM};
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use stylus_sdk::abi::{router_entrypoint, CONSTRUCTOR_SELECTOR};
use stylus_sdk::testing::TestVM;

/// The Adjudicator's address, given to the constructor.
const ADJUDICATOR: Address = Address::repeat_byte(0xad);
/// The token held.
const TOKEN_ADDRESS: Address = Address::repeat_byte(0x70);
/// The depositor, and the caller of everything but `setOutcome`.
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

/// As [`calldata`], for a selector given by its function signature.
fn encode<T: SolValue>(signature: &str, args: T) -> Vec<u8>
where
    for<'a> T::SolType: alloy_sol_types::SolType<Token<'a>: alloy_sol_types::abi::TokenSeq<'a>>,
{
    calldata(u32::from_be_bytes(selector_of(signature)), args)
}

fn constructor_data(adjudicator: Address, token: Address) -> Vec<u8> {
    let mut cd = CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    cd.extend((adjudicator, token).abi_encode_params());
    cd
}

/// A holder of [`TOKEN_ADDRESS`] deployed for [`ADJUDICATOR`], called by [`STRANGER`] with no
/// value; the token answers every call with an error until a test scripts it.
fn deploy() -> PerunVM {
    let vm = PerunVM::new();
    assert_eq!(
        call(&vm, constructor_data(ADJUDICATOR, TOKEN_ADDRESS)),
        Ok(Vec::new())
    );
    vm.vm.set_sender(STRANGER);
    vm.on_call(|_| Err(b"unscripted".to_vec()));
    vm
}

/// The holder's own address.
fn this(vm: &PerunVM) -> Address {
    vm.vm.contract_address()
}

/// Runs `data` through the program's entry point.
fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<AssetHolderERC20, AssetHolderERC20>(data, vm.host())
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

/// One ABI word holding `v`.
fn uint_word(v: U256) -> Vec<u8> {
    v.to_be_bytes::<32>().to_vec()
}

type Reply = Result<Vec<u8>, Vec<u8>>;

/// Scripts the token: `balanceOf` answers with `balances` in turn (then reverts), `transfer`
/// and `transferFrom` with `transfer`.
fn script(vm: &PerunVM, balances: Vec<Reply>, transfer: Reply) {
    let balances = Rc::new(RefCell::new(VecDeque::from(balances)));
    vm.on_call(move |c: &CallRecord| {
        if c.data.starts_with(&selector_of("balanceOf(address)")) {
            balances
                .borrow_mut()
                .pop_front()
                .unwrap_or_else(|| Err(b"balanceOf not scripted".to_vec()))
        } else {
            transfer.clone()
        }
    });
}

/// Scripts the token for a deposit that moves `before` to `after` and returns `true`.
fn script_deposit(vm: &PerunVM, before: u64, after: u64) {
    script(
        vm,
        vec![
            Ok(uint_word(U256::from(before))),
            Ok(uint_word(U256::from(after))),
        ],
        Ok(uint_word(U256::from(1))),
    );
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

fn deposit_data(fid: B256, amount: u64) -> Vec<u8> {
    calldata(h::DEPOSIT.selector(), (fid, U256::from(amount)))
}

fn set_outcome_data(id: B256, parts: &[Channel::Participant], bals: &[u64]) -> Vec<u8> {
    let bals: Vec<U256> = bals.iter().map(|&b| U256::from(b)).collect();
    calldata(h::SET_OUTCOME.selector(), (id, parts.to_vec(), bals))
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

/// Participant `k`'s withdrawal of `amount` to itself.
fn own_withdrawal(k: u64, amount: u64) -> Vec<u8> {
    let a = WithdrawalAuth {
        receiver: part(k).ethAddress,
        ..auth(k, amount)
    };
    let sig: Bytes = test_signer(k)
        .sign_withdrawal(&a)
        .to_bytes()
        .to_vec()
        .into();
    calldata(h::WITHDRAW.selector(), (a, sig))
}

/// Participant `k`'s withdrawal of `amount` to [`RECEIVER`].
fn withdrawal(k: u64, amount: u64) -> Vec<u8> {
    let a = auth(k, amount);
    let sig: Bytes = test_signer(k)
        .sign_withdrawal(&a)
        .to_bytes()
        .to_vec()
        .into();
    calldata(h::WITHDRAW.selector(), (a, sig))
}

fn holdings(vm: &PerunVM, id: B256) -> U256 {
    let out = call(vm, calldata(h::HOLDINGS.selector(), (id,))).expect("a view");
    U256::abi_decode(&out).expect("a word")
}

fn settled(vm: &PerunVM, id: B256) -> bool {
    let out = call(vm, calldata(h::SETTLED.selector(), (id,))).expect("a view");
    bool::abi_decode_validate(&out).expect("a clean bool")
}

/// Deposits `amount` for `id` through a well-behaved token, which must succeed.
fn deposit(vm: &PerunVM, id: B256, amount: u64) {
    script_deposit(vm, 1000, 1000 + amount);
    assert_eq!(call(vm, deposit_data(id, amount)), Ok(Vec::new()));
}

/// [`CHANNEL`] between keys 0 and 1, funded with `funds` and settled to `bals`.
fn settle(vm: &PerunVM, funds: [u64; 2], bals: [u64; 2]) {
    for k in 0..2 {
        deposit(vm, fid(k), funds[k as usize]);
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

/// Forgets the logs and calls so far (`TestVM::clear_mocks` clears the logs; no mocks are used).
fn clear(vm: &PerunVM) {
    vm.vm.clear_mocks();
    vm.clear_calls();
}

/// An event as the host records it, encoded by alloy.
fn log_of<E: SolEvent>(e: &E) -> (Vec<B256>, Vec<u8>) {
    let d = e.encode_log_data();
    (d.topics().to_vec(), d.data.to_vec())
}

/// The host state of `vm` with `msg_reentrant` set: the holder is on the call stack already.
fn reentrant(vm: &PerunVM) -> PerunVM {
    let mut state = vm.vm.snapshot();
    state.reentrant = true;
    let mut r = vm.clone();
    r.vm = TestVM::from(state);
    r
}

/// The calls of a deposit of `amount` by [`STRANGER`]: balance, pull, balance.
fn deposit_calls(vm: &PerunVM, amount: u64) -> Vec<CallRecord> {
    let balance_of = CallRecord {
        to: TOKEN_ADDRESS,
        data: encode("balanceOf(address)", (this(vm),)),
        value: U256::ZERO,
        is_static: true,
    };
    vec![
        balance_of.clone(),
        CallRecord {
            to: TOKEN_ADDRESS,
            data: encode(
                "transferFrom(address,address,uint256)",
                (STRANGER, this(vm), U256::from(amount)),
            ),
            value: U256::ZERO,
            is_static: false,
        },
        balance_of,
    ]
}

// ---------------------------------------------------------------------------------------------
// Construction, views, envelope
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_the_adjudicator_and_the_token_once() {
    let vm = deploy();
    let word = |a: Address| B256::left_padding_from(a.as_slice()).to_vec();
    assert_eq!(
        call(&vm, calldata(h::ADJUDICATOR.selector(), ())),
        Ok(word(ADJUDICATOR))
    );
    assert_eq!(
        call(&vm, calldata(TOKEN.selector(), ())),
        Ok(word(TOKEN_ADDRESS))
    );
    assert_eq!(
        call(&vm, constructor_data(STRANGER, STRANGER)),
        Err(Vec::new())
    );
    assert_eq!(
        call(&vm, calldata(TOKEN.selector(), ())),
        Ok(word(TOKEN_ADDRESS))
    );
    assert!(vm.calls().is_empty());
}

#[test]
fn constructor_reverts_empty_with_value_short_or_dirty_arguments() {
    let vm = PerunVM::new();
    let good = constructor_data(ADJUDICATOR, TOKEN_ADDRESS);
    assert_eq!(
        call_with_value(&vm, U256::from(1), good.clone()),
        Err(Vec::new())
    );
    assert_eq!(call(&vm, good[..4 + 32].to_vec()), Err(Vec::new()));
    let mut dirty = good.clone();
    dirty[4 + 32] = 1;
    assert_eq!(call(&vm, dirty), Err(Vec::new()));
    assert_eq!(call(&vm, good), Ok(Vec::new()));
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
    script(&vm, vec![], Ok(Vec::new()));
    clear(&vm);
    let all = [
        set_outcome_data(B256::repeat_byte(2), &[part(0)], &[0]),
        withdrawal(0, 1),
        calldata(h::HOLDINGS.selector(), (fid(0),)),
        calldata(h::SETTLED.selector(), (CHANNEL,)),
        calldata(h::ADJUDICATOR.selector(), ()),
        calldata(TOKEN.selector(), ()),
    ];
    assert_eq!(all.len() + 1, FUNCTIONS.len());
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
}

#[test]
fn unknown_selectors_and_malformed_envelopes_revert_empty() {
    let vm = deploy();
    assert_eq!(call(&vm, Vec::new()), Err(Vec::new()));
    assert_eq!(call(&vm, vec![1, 2, 3]), Err(Vec::new()));
    assert_eq!(
        call(&vm, selector_of("registry()").to_vec()),
        Err(Vec::new())
    );
    let mut short = deposit_data(B256::ZERO, 1);
    short.pop();
    assert_eq!(call(&vm, short), Err(Vec::new()));
    let mut long = withdrawal(0, 1);
    let sig_at = 4 + U256::from_be_slice(&long[4 + 32..4 + 64]).to::<usize>();
    long[sig_at + 30] = 1;
    assert_eq!(call(&vm, long), Err(Vec::new()));
    assert!(vm.calls().is_empty());
}

// ---------------------------------------------------------------------------------------------
// deposit
// ---------------------------------------------------------------------------------------------

#[test]
fn deposit_pulls_the_tokens_and_credits_what_arrived() {
    let vm = deploy();
    script_deposit(&vm, 100, 150);
    assert_eq!(call(&vm, deposit_data(fid(0), 50)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::from(50));
    assert_eq!(vm.calls(), deposit_calls(&vm, 50));
    assert_eq!(
        logs(&vm),
        vec![log_of(&Deposited {
            fundingID: fid(0),
            amount: U256::from(50)
        })]
    );
    // A token that charges a fee on transfer: credited net.
    clear(&vm);
    script_deposit(&vm, 150, 195);
    assert_eq!(call(&vm, deposit_data(fid(0), 50)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::from(95));
    assert_eq!(vm.calls(), deposit_calls(&vm, 50));
    assert_eq!(
        logs(&vm),
        vec![log_of(&Deposited {
            fundingID: fid(0),
            amount: U256::from(45)
        })]
    );
}

#[test]
fn deposit_accepts_a_token_that_returns_nothing_or_a_longer_true() {
    let vm = deploy();
    script(
        &vm,
        vec![Ok(uint_word(U256::ZERO)), Ok(uint_word(U256::from(7)))],
        Ok(Vec::new()),
    );
    assert_eq!(call(&vm, deposit_data(fid(0), 7)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::from(7));
    // `true` followed by more data, and balances answered with more than a word.
    let mut long_true = uint_word(U256::from(1));
    long_true.extend_from_slice(&[0xff; 40]);
    let mut long_balance = uint_word(U256::from(7));
    long_balance.push(0xff);
    script(
        &vm,
        vec![Ok(long_balance), Ok(uint_word(U256::from(10)))],
        Ok(long_true),
    );
    assert_eq!(call(&vm, deposit_data(fid(0), 3)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::from(10));
}

#[test]
fn deposit_reverts_when_the_token_returns_false_or_garbage_or_reverts() {
    let vm = deploy();
    let replies: Vec<Reply> = vec![
        Ok(uint_word(U256::ZERO)),
        Ok(uint_word(U256::from(2))),
        Ok(uint_word(U256::MAX)),
        Ok(vec![1]),
        Ok(vec![0; 31]),
        Err(b"ERC20: insufficient allowance".to_vec()),
        Err(Vec::new()),
    ];
    for reply in replies {
        script(
            &vm,
            vec![Ok(uint_word(U256::ZERO)), Ok(uint_word(U256::from(5)))],
            reply,
        );
        clear(&vm);
        // The token's revert data does not bubble up.
        assert_eq!(
            call(&vm, deposit_data(fid(0), 5)),
            reverts(Error::TokenTransferFailed)
        );
        assert_eq!(vm.calls(), deposit_calls(&vm, 5)[..2].to_vec());
        assert!(logs(&vm).is_empty());
    }
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
}

#[test]
fn deposit_reverts_when_the_balance_cannot_be_read_or_falls() {
    let vm = deploy();
    let ok_true = || Ok(uint_word(U256::from(1)));
    // balanceOf reverts, before or after the pull.
    script(&vm, vec![Err(b"no".to_vec())], ok_true());
    assert_eq!(
        call(&vm, deposit_data(fid(0), 5)),
        reverts(Error::TokenTransferFailed)
    );
    clear(&vm);
    script(
        &vm,
        vec![Ok(uint_word(U256::ZERO)), Err(Vec::new())],
        ok_true(),
    );
    assert_eq!(
        call(&vm, deposit_data(fid(0), 5)),
        reverts(Error::TokenTransferFailed)
    );
    assert_eq!(vm.calls(), deposit_calls(&vm, 5));
    // balanceOf answers with less than a word.
    for short in [Vec::new(), vec![0; 31]] {
        script(&vm, vec![Ok(short)], ok_true());
        assert_eq!(
            call(&vm, deposit_data(fid(0), 5)),
            reverts(Error::TokenTransferFailed)
        );
    }
    // The balance falls across the pull.
    script(
        &vm,
        vec![Ok(uint_word(U256::from(10))), Ok(uint_word(U256::from(9)))],
        ok_true(),
    );
    assert_eq!(
        call(&vm, deposit_data(fid(0), 5)),
        reverts(Error::TokenTransferFailed)
    );
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
    assert!(logs(&vm).is_empty());
}

#[test]
fn deposit_of_nothing_that_arrives_credits_zero() {
    let vm = deploy();
    script_deposit(&vm, 10, 10);
    assert_eq!(call(&vm, deposit_data(fid(0), 5)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
    assert_eq!(
        logs(&vm),
        vec![log_of(&Deposited {
            fundingID: fid(0),
            amount: U256::ZERO
        })]
    );
}

#[test]
fn deposit_reverts_when_value_is_sent() {
    let vm = deploy();
    script_deposit(&vm, 0, 5);
    assert_eq!(
        call_with_value(&vm, U256::from(5), deposit_data(fid(0), 5)),
        reverts(Error::WrongDepositValue)
    );
    assert_eq!(
        call_with_value(&vm, U256::from(1), deposit_data(fid(0), 0)),
        reverts(Error::WrongDepositValue)
    );
    assert!(vm.calls().is_empty());
}

#[test]
fn deposit_reverts_when_reentered() {
    let vm = deploy();
    script_deposit(&vm, 0, 5);
    let r = reentrant(&vm);
    assert_eq!(
        call(&r, deposit_data(fid(0), 5)),
        reverts(Error::Reentrancy)
    );
    // Before the value is checked.
    assert_eq!(
        call_with_value(&r, U256::from(1), deposit_data(fid(0), 5)),
        reverts(Error::Reentrancy)
    );
    assert!(vm.calls().is_empty());
}

#[test]
fn deposit_reverts_when_the_holdings_would_reach_2_pow_255() {
    let vm = deploy();
    script(
        &vm,
        vec![Ok(uint_word(U256::ZERO)), Ok(uint_word(SETTLED_BIT))],
        Ok(Vec::new()),
    );
    assert_eq!(
        call(&vm, deposit_data(fid(0), 1)),
        reverts(Error::BalanceOverflow)
    );
    let most = SETTLED_BIT - U256::from(1);
    script(
        &vm,
        vec![Ok(uint_word(U256::ZERO)), Ok(uint_word(most))],
        Ok(Vec::new()),
    );
    assert_eq!(call(&vm, deposit_data(fid(0), 1)), Ok(Vec::new()));
    assert_eq!(holdings(&vm, fid(0)), most);
    script_deposit(&vm, 0, 1);
    assert_eq!(
        call(&vm, deposit_data(fid(0), 1)),
        reverts(Error::BalanceOverflow)
    );
}

// ---------------------------------------------------------------------------------------------
// setOutcome (the shared component; its cases are covered in the ETH holder's tests)
// ---------------------------------------------------------------------------------------------

#[test]
fn set_outcome_sets_the_holdings_for_the_adjudicator_only() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    clear(&vm);
    assert_eq!(
        call(&vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &[4, 6])),
        reverts(Error::OnlyAdjudicator)
    );
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0)], &[4, 6])),
        reverts(Error::OutcomeLengthMismatch)
    );
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &[4, 6])),
        Ok(Vec::new())
    );
    assert_eq!(holdings(&vm, fid(0)), U256::from(4));
    assert_eq!(holdings(&vm, fid(1)), U256::from(6));
    assert!(settled(&vm, CHANNEL));
    assert_eq!(logs(&vm), vec![log_of(&OutcomeSet { channelID: CHANNEL })]);
    assert_eq!(
        call_as_adjudicator(&vm, set_outcome_data(CHANNEL, &[part(0), part(1)], &[4, 6])),
        reverts(Error::AlreadySettled)
    );
    assert!(vm.calls().is_empty());
}

// ---------------------------------------------------------------------------------------------
// withdraw
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_transfers_the_tokens_and_emits_withdrawn() {
    let vm = deploy();
    settle(&vm, [10, 20], [25, 5]);
    let me = part(0).ethAddress;
    for reply in [Ok(uint_word(U256::from(1))), Ok(Vec::new())] {
        script(&vm, vec![], reply);
        clear(&vm);
        assert_eq!(call(&vm, own_withdrawal(0, 10)), Ok(Vec::new()));
        assert_eq!(
            vm.calls(),
            vec![CallRecord {
                to: TOKEN_ADDRESS,
                data: encode("transfer(address,uint256)", (me, U256::from(10))),
                value: U256::ZERO,
                is_static: false,
            }]
        );
        assert_eq!(
            logs(&vm),
            vec![log_of(&Withdrawn {
                fundingID: fid(0),
                amount: U256::from(10),
                receiver: me,
            })]
        );
    }
    assert_eq!(holdings(&vm, fid(0)), U256::from(5));
    assert_eq!(
        call(&vm, own_withdrawal(0, 6)),
        reverts(Error::InsufficientHoldings)
    );
    // To someone else: everything or nothing.
    assert_eq!(
        call(&vm, withdrawal(0, 4)),
        reverts(Error::PartialWithdrawal)
    );
    clear(&vm);
    assert_eq!(call(&vm, withdrawal(0, 5)), Ok(Vec::new()));
    assert_eq!(
        vm.calls()[0].data,
        encode("transfer(address,uint256)", (RECEIVER, U256::from(5)))
    );
    assert_eq!(holdings(&vm, fid(0)), U256::ZERO);
}

#[test]
fn withdraw_reverts_when_the_transfer_fails() {
    let vm = deploy();
    settle(&vm, [10, 0], [10, 0]);
    for reply in [
        Ok(uint_word(U256::ZERO)),
        Ok(vec![1; 16]),
        Err(b"paused".to_vec()),
    ] {
        script(&vm, vec![], reply);
        clear(&vm);
        assert_eq!(
            call(&vm, own_withdrawal(0, 3)),
            reverts(Error::TokenTransferFailed)
        );
        assert_eq!(vm.calls().len(), 1);
        assert!(logs(&vm).is_empty());
    }
}

#[test]
fn withdraw_checks_settlement_signature_and_reentrancy_as_the_eth_holder_does() {
    let vm = deploy();
    deposit(&vm, fid(0), 10);
    script(&vm, vec![], Ok(Vec::new()));
    clear(&vm);
    assert_eq!(call(&vm, withdrawal(0, 1)), reverts(Error::NotSettled));
    assert_eq!(
        call_as_adjudicator(
            &vm,
            set_outcome_data(CHANNEL, &[part(0), part(1)], &[10, 0])
        ),
        Ok(Vec::new())
    );
    let a = auth(0, 1);
    assert_eq!(
        call(&vm, calldata(h::WITHDRAW.selector(), (a, Bytes::new()))),
        reverts(Error::Signature {
            index: 0,
            error: perun_channel::sig::SigError::Length(0)
        })
    );
    let r = reentrant(&vm);
    assert_eq!(call(&r, withdrawal(0, 1)), reverts(Error::Reentrancy));
    assert!(vm.calls().is_empty());
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
/// holder's custom errors (the token's revert data never bubbles up).
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

/// A token reply: well-behaved, odd or failing.
fn reply() -> impl Strategy<Value = Reply> {
    prop_oneof![
        Just(Ok(Vec::new())),
        perun_randomizer::uint().prop_map(|v| Ok(uint_word(v))),
        prop::collection::vec(any::<u8>(), 0..70).prop_map(Ok),
        prop::collection::vec(any::<u8>(), 0..8).prop_map(Err),
    ]
}

/// A well-formed call of one of the holder's functions, and whether to settle [`CHANNEL`]
/// first.
fn valid_call() -> impl Strategy<Value = (Vec<u8>, bool)> {
    let amount = prop_oneof![0u64..100, Just(u64::MAX)];
    prop_oneof![
        (perun_randomizer::b256(), amount.clone()).prop_map(|(id, a)| (deposit_data(id, a), false)),
        (
            prop::collection::vec(0u64..4, 0..4),
            prop::collection::vec(0u64..40, 0..4),
            any::<bool>()
        )
            .prop_map(|(keys, bals, settle)| {
                let parts: Vec<_> = keys.iter().map(|&k| part(k)).collect();
                (set_outcome_data(CHANNEL, &parts, &bals), settle)
            }),
        (0u64..2, amount, any::<bool>()).prop_map(|(k, a, settle)| (withdrawal(k, a), settle)),
        perun_randomizer::b256().prop_map(|id| (calldata(h::HOLDINGS.selector(), (id,)), false)),
        perun_randomizer::b256().prop_map(|id| (calldata(h::SETTLED.selector(), (id,)), false)),
        Just((calldata(h::ADJUDICATOR.selector(), ()), false)),
        Just((calldata(TOKEN.selector(), ()), false)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random calldata for every entry point (and unknown selectors), with random token
    /// replies, never panics and reverts only with empty data or one of the holder's errors.
    #[test]
    fn random_calldata_never_panics(
        sel in prop_oneof![
            prop::sample::select(FUNCTIONS.iter().map(|f| f.selector()).collect::<Vec<_>>()),
            any::<u32>(),
        ],
        args in prop::collection::vec(any::<u8>(), 0..500),
        from_adjudicator in any::<bool>(),
        value in prop_oneof![Just(U256::ZERO), perun_randomizer::uint()],
        balances in prop::collection::vec(reply(), 0..3),
        transfer in reply(),
    ) {
        let vm = deploy();
        script(&vm, balances, transfer);
        if from_adjudicator {
            vm.vm.set_sender(ADJUDICATOR);
        }
        let mut data = sel.to_be_bytes().to_vec();
        data.extend(args);
        check_result(&call_with_value(&vm, value, data))?;
    }

    /// Mutations of well-formed calls, with random token replies, never panic and revert only
    /// with empty data or one of the holder's custom errors.
    #[test]
    fn mutated_calldata_never_panics(
        (data, settle_first) in valid_call(),
        mutations in prop::collection::vec(mutation(words()), 0..4),
        from_adjudicator in any::<bool>(),
        balances in prop::collection::vec(reply(), 0..3),
        transfer in reply(),
        reentered in any::<bool>(),
    ) {
        let vm = deploy();
        if settle_first {
            settle(&vm, [30, 10], [15, 25]);
        }
        script(&vm, balances, transfer);
        let vm = if reentered { reentrant(&vm) } else { vm };
        vm.vm.set_sender(if from_adjudicator { ADJUDICATOR } else { STRANGER });
        let mut data = data;
        for m in &mutations {
            apply(&mut data, m);
        }
        check_result(&call(&vm, data))?;
    }
}

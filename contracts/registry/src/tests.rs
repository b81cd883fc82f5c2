//! Unit tests of the registry program under stylus-sdk's `TestVM` (through `PerunVM`, which adds
//! native ecrecover): each function's success path and every custom error it can raise, in the
//! check order of `VirtualChannelRegistry.sol`, the ABI envelope, and a property test on random
//! and mutated calldata.

use super::*;
use alloy_primitives::{keccak256, Bytes};
use alloy_sol_types::{sol_data, SolType, SolValue};
use perun_channel::dispute::{CONCLUDED, DISPUTE};
use perun_channel::hash::{channel_id, hash_state};
use perun_channel::sig::HALF_ORDER;
use perun_channel::sol::Channel;
use perun_randomizer::test_signer;
use perun_testvm::keys::funded_key;
use perun_testvm::mutation::{apply, edge_word, mutation};
use perun_testvm::PerunVM;
use proptest::prelude::*;
use stylus_sdk::abi::{router_entrypoint, CONSTRUCTOR_SELECTOR};

/// The Adjudicator's address, given to the constructor.
const ADJUDICATOR: Address = Address::repeat_byte(0xad);
/// Someone else.
const STRANGER: Address = Address::repeat_byte(0x5e);
/// The block time at deployment.
const START: u64 = 1_000_000;
/// The default challenge duration.
const CD: u64 = 60;

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

/// The constructor's calldata for `adjudicator`.
fn constructor_data(adjudicator: Address) -> Vec<u8> {
    let mut cd = CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    cd.extend_from_slice(B256::left_padding_from(adjudicator.as_slice()).as_slice());
    cd
}

/// A registry deployed for [`ADJUDICATOR`] at time [`START`], called by [`STRANGER`].
fn deploy() -> PerunVM {
    let vm = PerunVM::new();
    vm.vm.set_block_timestamp(START);
    assert_eq!(call(&vm, constructor_data(ADJUDICATOR)), Ok(Vec::new()));
    vm.vm.set_sender(STRANGER);
    vm
}

/// Runs `data` through the program's entry point.
fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<VirtualChannelRegistry, VirtualChannelRegistry>(data, vm.host())
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

/// Advances the block time to `t`.
fn at(vm: &PerunVM, t: u64) {
    vm.vm.set_block_timestamp(t);
}

/// ABI words: a `bool` or an integer each.
fn words(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|&v| word(v)).collect()
}

/// The first four bytes of `keccak256(signature)`.
fn selector_of(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Params of a virtual channel (no app, not a ledger channel) between test keys `keys`.
fn params_of(keys: &[u64], nonce: u64) -> Channel::Params {
    Channel::Params {
        challengeDuration: U256::from(CD),
        nonce: U256::from(nonce),
        participants: keys
            .iter()
            .map(|&k| Channel::Participant {
                ethAddress: test_signer(k).address(),
                ccAddress: Default::default(),
            })
            .collect(),
        app: Address::ZERO,
        ledgerChannel: false,
        virtualChannel: true,
    }
}

/// Params of a virtual channel between test keys 0 and 1.
fn params() -> Channel::Params {
    params_of(&[0, 1], 1)
}

/// A state of `p` at `version`: one asset, participant `i` holds `10 * (i + 1)`, not final.
fn state(p: &Channel::Params, version: u64) -> Channel::State {
    Channel::State {
        channelID: channel_id(p),
        version,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(42161),
                ethHolder: Address::repeat_byte(0xee),
                ccHolder: Default::default(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![(1..=p.participants.len() as u64)
                .map(|i| U256::from(10 * i))
                .collect()],
            locked: vec![],
        },
        appData: Default::default(),
        isFinal: false,
    }
}

/// As [`state`], final.
fn final_state(p: &Channel::Params, version: u64) -> Channel::State {
    Channel::State {
        isFinal: true,
        ..state(p, version)
    }
}

/// Key `k`'s signature on `s`.
fn sign(k: u64, s: &Channel::State) -> Bytes {
    test_signer(k).sign_state(s).to_bytes().to_vec().into()
}

/// `s` signed by keys `keys`, one signature each, in order.
fn signed_by(p: &Channel::Params, s: &Channel::State, keys: &[u64]) -> Channel::SignedState {
    Channel::SignedState {
        params: p.clone(),
        state: s.clone(),
        sigs: keys.iter().map(|&k| sign(k, s)).collect(),
    }
}

/// `s` signed by keys 0 and 1, the participants of [`params`].
fn signed(p: &Channel::Params, s: &Channel::State) -> Channel::SignedState {
    let keys: Vec<u64> = (0..p.participants.len() as u64).collect();
    signed_by(p, s, &keys)
}

/// `register(channel)`.
fn register_data(ch: &Channel::SignedState) -> Vec<u8> {
    calldata(abi::sel::REGISTER, (ch.clone(),))
}

/// `conclude(params, state)`.
fn conclude_data(p: &Channel::Params, s: &Channel::State) -> Vec<u8> {
    calldata(abi::sel::CONCLUDE, (p.clone(), s.clone()))
}

/// `registerVirtual(channelID, key, version, stateHash, challengeDuration, isFinal)` with the
/// channel ID as the key (the Adjudicator passes a ledger channel's ID, or a virtual channel's
/// funded key).
fn register_virtual_data(id: B256, version: u64, h: B256, cd: U256, is_final: bool) -> Vec<u8> {
    register_virtual_keyed(id, id, version, h, cd, is_final)
}

/// `registerVirtual` under `key`.
fn register_virtual_keyed(
    id: B256,
    key: B256,
    version: u64,
    h: B256,
    cd: U256,
    is_final: bool,
) -> Vec<u8> {
    calldata(
        abi::sel::REGISTER_VIRTUAL,
        (id, key, version, h, cd, is_final),
    )
}

/// `concludeVirtual(channelID, key, stateHash, root)` with the channel ID as the key.
fn conclude_virtual_data(id: B256, h: B256, root: bool) -> Vec<u8> {
    conclude_virtual_keyed(id, id, h, root)
}

/// `concludeVirtual` under `key`.
fn conclude_virtual_keyed(id: B256, key: B256, h: B256, root: bool) -> Vec<u8> {
    calldata(abi::sel::CONCLUDE_VIRTUAL, (id, key, h, root))
}

/// `concludeFinalVirtual(channelID, version, stateHash, challengeDuration)`.
fn conclude_final_virtual_data(id: B256, version: u64, h: B256, cd: U256) -> Vec<u8> {
    calldata(abi::sel::CONCLUDE_FINAL_VIRTUAL, (id, version, h, cd))
}

/// `disputes(key)`.
fn disputes_data(id: B256) -> Vec<u8> {
    calldata(abi::sel::DISPUTES, (id,))
}

/// The key of `p`'s record on the direct path: every [`state`] of `p` has the same funding
/// (one asset, balances 10 and 20), so one key serves all of them.
fn key_of(p: &Channel::Params) -> B256 {
    funded_key(&state(p, 0))
}

/// Registers `s` of `p` directly, which must succeed.
fn register_ok(vm: &PerunVM, p: &Channel::Params, s: &Channel::State) {
    assert_eq!(call(vm, register_data(&signed(p, s))), Ok(Vec::new()));
}

/// The `disputes` view's return types.
type RecordType = (
    sol_data::Uint<64>,
    sol_data::Uint<64>,
    sol_data::Uint<64>,
    sol_data::Uint<8>,
    sol_data::FixedBytes<32>,
    sol_data::Bool,
);

/// The data types of `ChannelUpdate`.
type UpdateType = (sol_data::Uint<64>, sol_data::Uint<8>, sol_data::Uint<64>);

/// A record as the `disputes` view returns it, encoded by alloy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Record {
    timeout: u64,
    challenge_duration: u64,
    version: u64,
    phase: u8,
    state_hash: B256,
    has_app: bool,
}

impl Record {
    fn encode(&self) -> Vec<u8> {
        RecordType::abi_encode_params(&(
            self.timeout,
            self.challenge_duration,
            self.version,
            self.phase,
            self.state_hash,
            self.has_app,
        ))
    }
}

/// The `disputes` view of key `id`, decoded (strictly) by alloy.
fn record(vm: &PerunVM, id: B256) -> Record {
    let out = call(vm, disputes_data(id)).expect("disputes is a view");
    let (timeout, challenge_duration, version, phase, state_hash, has_app) =
        RecordType::abi_decode_params_validate(&out).expect("a clean tuple");
    let r = Record {
        timeout,
        challenge_duration,
        version,
        phase,
        state_hash,
        has_app,
    };
    assert_eq!(r.encode(), out, "canonical encoding");
    r
}

/// A decoded `ChannelUpdate` event: (channelID, version, phase, timeout).
type Update = (B256, u64, u8, u64);

/// Every `ChannelUpdate` emitted so far, decoded; panics on any other log.
fn updates(vm: &PerunVM) -> Vec<Update> {
    vm.vm
        .get_emitted_logs()
        .into_iter()
        .map(|(topics, data)| {
            assert_eq!(topics.len(), 2);
            assert_eq!(
                topics[0],
                keccak256("ChannelUpdate(bytes32,uint64,uint8,uint64)")
            );
            let (version, phase, timeout) =
                UpdateType::abi_decode_params_validate(&data).expect("clean event data");
            (topics[1], version, phase, timeout)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Construction, views, envelope
// ---------------------------------------------------------------------------------------------

#[test]
fn constructor_sets_the_adjudicator_once() {
    let vm = deploy();
    assert_eq!(
        call(&vm, calldata(abi::sel::ADJUDICATOR, ())),
        Ok(B256::left_padding_from(ADJUDICATOR.as_slice()).to_vec())
    );
    assert_eq!(call(&vm, constructor_data(STRANGER)), Err(Vec::new()));
    assert_eq!(
        call(&vm, calldata(abi::sel::ADJUDICATOR, ())),
        Ok(B256::left_padding_from(ADJUDICATOR.as_slice()).to_vec())
    );
}

#[test]
fn constructor_reverts_empty_with_value_or_a_dirty_address() {
    let vm = PerunVM::new();
    vm.vm.set_value(U256::from(1));
    assert_eq!(call(&vm, constructor_data(ADJUDICATOR)), Err(Vec::new()));
    vm.vm.set_value(U256::ZERO);
    let mut dirty = constructor_data(ADJUDICATOR);
    dirty[4] = 1;
    assert_eq!(call(&vm, dirty), Err(Vec::new()));
    let mut short = constructor_data(ADJUDICATOR);
    short.pop();
    assert_eq!(call(&vm, short), Err(Vec::new()));
    // None of these ran the constructor: it can still run once.
    assert_eq!(call(&vm, constructor_data(ADJUDICATOR)), Ok(Vec::new()));
}

#[test]
fn disputes_of_an_unknown_channel_is_all_zero() {
    let vm = deploy();
    assert_eq!(
        call(&vm, disputes_data(B256::repeat_byte(3))),
        Ok(vec![0u8; 192])
    );
}

#[test]
fn every_function_reverts_empty_when_value_is_sent() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    let id = channel_id(&p);
    let h = hash_state(&s);
    let all = [
        register_data(&signed(&p, &s)),
        conclude_data(&p, &s),
        register_virtual_data(id, 1, h, U256::from(CD), false),
        conclude_virtual_data(id, h, true),
        conclude_final_virtual_data(id, 1, h, U256::from(CD)),
        disputes_data(id),
        calldata(abi::sel::ADJUDICATOR, ()),
    ];
    assert_eq!(all.len(), abi::FUNCTIONS.len());
    vm.vm.set_value(U256::from(1));
    for data in all {
        assert_eq!(call(&vm, data.clone()), Err(Vec::new()));
        assert_eq!(call_as_adjudicator(&vm, data), Err(Vec::new()));
    }
    assert!(vm.vm.get_emitted_logs().is_empty());
}

#[test]
fn unknown_selectors_and_short_calldata_revert_empty() {
    let vm = deploy();
    assert_eq!(call(&vm, Vec::new()), Err(Vec::new()));
    assert_eq!(call(&vm, vec![0x12, 0x34]), Err(Vec::new()));
    assert_eq!(call(&vm, vec![0xde, 0xad, 0xbe, 0xef]), Err(Vec::new()));
    let mut registry_of_adjudicator = selector_of("registry()").to_vec();
    registry_of_adjudicator.extend_from_slice(&[0u8; 32]);
    assert_eq!(call(&vm, registry_of_adjudicator), Err(Vec::new()));
}

#[test]
fn malformed_envelopes_revert_empty() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    let id = channel_id(&p);
    let h = hash_state(&s);
    // Arguments shorter than their heads.
    let mut short = register_data(&signed(&p, &s));
    short.truncate(4 + 31);
    assert_eq!(call(&vm, short), Err(Vec::new()));
    let mut short = conclude_data(&p, &s);
    short.truncate(4 + 63);
    assert_eq!(call(&vm, short), Err(Vec::new()));
    assert_eq!(call(&vm, disputes_data(id)[..35].to_vec()), Err(Vec::new()));
    // A struct whose head lies past the end.
    let mut far = register_data(&signed(&p, &s));
    let len = far.len() as u64 - 4;
    far[4..36].copy_from_slice(&word(len - 64));
    assert_eq!(call(&vm, far), Err(Vec::new()));
    // Dirty value words: `uint64 version` and `bool isFinal`, `bool root`.
    let mut dirty = register_virtual_data(id, 1, h, U256::from(CD), false);
    dirty[4 + 2 * 32 + 23] = 1;
    assert_eq!(call_as_adjudicator(&vm, dirty), Err(Vec::new()));
    let mut dirty = register_virtual_data(id, 1, h, U256::from(CD), false);
    dirty[4 + 5 * 32 + 31] = 2;
    assert_eq!(call_as_adjudicator(&vm, dirty), Err(Vec::new()));
    let mut dirty = conclude_virtual_data(id, h, true);
    dirty[4 + 3 * 32 + 31] = 3;
    assert_eq!(call_as_adjudicator(&vm, dirty), Err(Vec::new()));
    let mut dirty = conclude_final_virtual_data(id, 1, h, U256::from(CD));
    dirty[4 + 32] = 0x80;
    assert_eq!(call_as_adjudicator(&vm, dirty), Err(Vec::new()));
    // The envelope is checked before the caller: a stranger gets empty data too.
    let mut dirty = conclude_virtual_data(id, h, true);
    dirty[4 + 3 * 32 + 31] = 3;
    assert_eq!(call(&vm, dirty), Err(Vec::new()));
    assert!(vm.vm.get_emitted_logs().is_empty());
}

#[test]
fn register_reverts_with_malformed_calldata_for_a_bad_inner_offset() {
    let vm = deploy();
    let p = params();
    let mut data = register_data(&signed(&p, &state(&p, 1)));
    // The SignedState's head starts at 0x20; its first slot is the offset of `params`.
    data[4 + 32..4 + 64].copy_from_slice(&(U256::from(1) << 32usize).to_be_bytes::<32>());
    assert_eq!(
        call(&vm, data),
        Err(selector_of("MalformedCalldata()").to_vec())
    );
}

// ---------------------------------------------------------------------------------------------
// register (direct path)
// ---------------------------------------------------------------------------------------------

#[test]
fn register_records_the_state_and_emits_channel_update() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 3);
    let id = channel_id(&p);
    register_ok(&vm, &p, &s);
    assert_eq!(
        record(&vm, key_of(&p)),
        Record {
            timeout: START + CD,
            challenge_duration: CD,
            version: 3,
            phase: DISPUTE,
            state_hash: hash_state(&s),
            has_app: false,
        }
    );
    assert_eq!(updates(&vm), vec![(id, 3, DISPUTE, START + CD)]);
}

#[test]
fn register_of_a_final_state_times_out_at_once() {
    let vm = deploy();
    let p = params();
    let s = final_state(&p, 3);
    register_ok(&vm, &p, &s);
    assert_eq!(record(&vm, key_of(&p)).timeout, START);
    assert_eq!(updates(&vm), vec![(channel_id(&p), 3, DISPUTE, START)]);
}

#[test]
fn register_of_the_registered_state_changes_nothing() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 3);
    register_ok(&vm, &p, &s);
    at(&vm, START + 10);
    register_ok(&vm, &p, &s);
    assert_eq!(record(&vm, key_of(&p)).timeout, START + CD);
    assert_eq!(updates(&vm).len(), 1);
    // Even after the timeout: the same state is no refutation.
    at(&vm, START + CD + 1);
    register_ok(&vm, &p, &s);
    assert_eq!(updates(&vm).len(), 1);
}

#[test]
fn register_refutes_with_a_higher_version_and_keeps_the_timeout() {
    let vm = deploy();
    let p = params();
    let id = channel_id(&p);
    register_ok(&vm, &p, &state(&p, 3));
    at(&vm, START + 30);
    let s = state(&p, 4);
    register_ok(&vm, &p, &s);
    let r = record(&vm, key_of(&p));
    assert_eq!((r.version, r.timeout, r.phase), (4, START + CD, DISPUTE));
    assert_eq!(r.state_hash, hash_state(&s));
    // A final state refutes and times out at once.
    at(&vm, START + 40);
    register_ok(&vm, &p, &final_state(&p, 9));
    assert_eq!(record(&vm, key_of(&p)).timeout, START + 40);
    assert_eq!(
        updates(&vm),
        vec![
            (id, 3, DISPUTE, START + CD),
            (id, 4, DISPUTE, START + CD),
            (id, 9, DISPUTE, START + 40),
        ]
    );
}

#[test]
fn register_keeps_the_low_64_bits_of_the_challenge_duration() {
    let vm = deploy();
    let mut p = params();
    p.challengeDuration = (U256::from(1) << 64) + U256::from(7);
    register_ok(&vm, &p, &state(&p, 1));
    let r = record(&vm, key_of(&p));
    assert_eq!((r.challenge_duration, r.timeout), (7, START + 7));
}

#[test]
fn register_reverts_when_the_timeout_overflows() {
    let vm = deploy();
    let mut p = params();
    p.challengeDuration = U256::from(u64::MAX);
    assert_eq!(
        call(&vm, register_data(&signed(&p, &state(&p, 1)))),
        reverts(Error::TimeoutOverflow)
    );
    // A final state needs no deadline.
    register_ok(&vm, &p, &final_state(&p, 1));
}

#[test]
fn register_reverts_when_the_channel_is_not_virtual() {
    let vm = deploy();
    for (ledger, virt) in [(false, false), (true, false), (true, true)] {
        let p = Channel::Params {
            ledgerChannel: ledger,
            virtualChannel: virt,
            ..params()
        };
        // Also before the state's channel ID is compared: a wrong one does not matter.
        let mut s = state(&p, 1);
        assert_eq!(
            call(&vm, register_data(&signed(&p, &s))),
            reverts(Error::NotVirtualChannel)
        );
        s.channelID = B256::repeat_byte(1);
        assert_eq!(
            call(&vm, register_data(&signed(&p, &s))),
            reverts(Error::NotVirtualChannel)
        );
    }
    assert!(vm.vm.get_emitted_logs().is_empty());
}

#[test]
fn register_reverts_when_the_state_is_of_another_channel() {
    let vm = deploy();
    let p = params();
    let mut s = state(&p, 1);
    s.channelID = channel_id(&params_of(&[0, 1], 2));
    assert_eq!(
        call(&vm, register_data(&signed(&p, &s))),
        reverts(Error::InvalidParams)
    );
}

#[test]
fn register_reverts_when_a_signature_is_missing_or_extra() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    assert_eq!(
        call(&vm, register_data(&signed_by(&p, &s, &[0]))),
        reverts(Error::SignatureCount {
            expected: 2,
            actual: 1
        })
    );
    assert_eq!(
        call(&vm, register_data(&signed_by(&p, &s, &[0, 1, 1]))),
        reverts(Error::SignatureCount {
            expected: 2,
            actual: 3
        })
    );
}

/// `s` of `p` signed by both, with signature `i` replaced by `sig`.
fn with_sig(p: &Channel::Params, s: &Channel::State, i: usize, sig: Vec<u8>) -> Vec<u8> {
    let mut ch = signed(p, s);
    ch.sigs[i] = sig.into();
    register_data(&ch)
}

#[test]
fn register_reverts_on_each_kind_of_bad_signature() {
    use perun_channel::sig::SigError;
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    let good = sign(1, &s).to_vec();
    let sig_err = |index, error| reverts(Error::Signature { index, error });
    // Length.
    assert_eq!(
        call(&vm, with_sig(&p, &s, 1, good[..64].to_vec())),
        sig_err(1, SigError::Length(64))
    );
    assert_eq!(
        call(&vm, with_sig(&p, &s, 0, [good.clone(), vec![0]].concat())),
        sig_err(0, SigError::Length(66))
    );
    // s above half the order, even with a bad v too: s is checked first.
    let mut high_s = good.clone();
    high_s[32..64].copy_from_slice(&(HALF_ORDER + U256::from(1)).to_be_bytes::<32>());
    assert_eq!(
        call(&vm, with_sig(&p, &s, 1, high_s.clone())),
        sig_err(1, SigError::HighS)
    );
    high_s[64] = 0;
    assert_eq!(
        call(&vm, with_sig(&p, &s, 1, high_s)),
        sig_err(1, SigError::HighS)
    );
    // v neither 27 nor 28.
    for v in [0u8, 1, 26, 29] {
        let mut bad_v = good.clone();
        bad_v[64] = v;
        assert_eq!(
            call(&vm, with_sig(&p, &s, 1, bad_v)),
            sig_err(1, SigError::V(v))
        );
    }
    // Another key's signature, and a signature that recovers to no address.
    assert_eq!(
        call(&vm, with_sig(&p, &s, 1, sign(0, &s).to_vec())),
        reverts(Error::WrongSigner { index: 1 })
    );
    let mut no_key = good.clone();
    no_key[..32].fill(0);
    assert_eq!(
        call(&vm, with_sig(&p, &s, 1, no_key)),
        sig_err(1, SigError::Unrecoverable)
    );
    // A signature over another state.
    assert_eq!(
        call(&vm, with_sig(&p, &s, 0, sign(0, &state(&p, 2)).to_vec())),
        reverts(Error::WrongSigner { index: 0 })
    );
    // Signatures in the wrong order.
    assert_eq!(
        call(&vm, register_data(&signed_by(&p, &s, &[1, 0]))),
        reverts(Error::WrongSigner { index: 0 })
    );
    assert!(vm.vm.get_emitted_logs().is_empty());
}

#[test]
fn register_reverts_when_the_virtual_channel_has_an_app() {
    let vm = deploy();
    let p = Channel::Params {
        app: Address::repeat_byte(0xa9),
        ..params()
    };
    let s = state(&p, 1);
    assert_eq!(
        call(&vm, register_data(&signed(&p, &s))),
        reverts(Error::HasApp)
    );
    // Signatures are checked first.
    assert_eq!(
        call(&vm, with_sig(&p, &s, 0, sign(1, &s).to_vec())),
        reverts(Error::WrongSigner { index: 0 })
    );
}

#[test]
fn register_reverts_when_the_virtual_channel_locks_funds() {
    let vm = deploy();
    let p = params();
    let mut s = state(&p, 1);
    s.outcome.locked = vec![Channel::SubAlloc {
        ID: B256::repeat_byte(9),
        balances: vec![U256::from(1)],
        indexMap: vec![0],
    }];
    assert_eq!(
        call(&vm, register_data(&signed(&p, &s))),
        reverts(Error::HasLockedFunds)
    );
    // With an app too: the app is checked first.
    let pa = Channel::Params {
        app: Address::repeat_byte(0xa9),
        ..params()
    };
    let mut sa = s.clone();
    sa.channelID = channel_id(&pa);
    assert_eq!(
        call(&vm, register_data(&signed(&pa, &sa))),
        reverts(Error::HasApp)
    );
}

#[test]
fn register_reverts_when_the_version_is_not_higher() {
    let vm = deploy();
    let p = params();
    register_ok(&vm, &p, &state(&p, 5));
    assert_eq!(
        call(&vm, register_data(&signed(&p, &state(&p, 4)))),
        reverts(Error::VersionTooLow)
    );
    // The same version with another state.
    assert_eq!(
        call(&vm, register_data(&signed(&p, &final_state(&p, 5)))),
        reverts(Error::VersionTooLow)
    );
    assert_eq!(updates(&vm).len(), 1);
}

#[test]
fn register_reverts_when_the_channel_is_concluded() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD);
    assert_eq!(call(&vm, conclude_data(&p, &s)), Ok(Vec::new()));
    assert_eq!(
        call(&vm, register_data(&signed(&p, &state(&p, 2)))),
        reverts(Error::NotInDisputePhase)
    );
    // The version is checked first.
    assert_eq!(
        call(&vm, register_data(&signed(&p, &final_state(&p, 1)))),
        reverts(Error::VersionTooLow)
    );
}

#[test]
fn register_reverts_when_the_refutation_comes_at_the_timeout() {
    let vm = deploy();
    let p = params();
    register_ok(&vm, &p, &state(&p, 1));
    at(&vm, START + CD - 1);
    register_ok(&vm, &p, &state(&p, 2));
    at(&vm, START + CD);
    assert_eq!(
        call(&vm, register_data(&signed(&p, &state(&p, 3)))),
        reverts(Error::RefutationTimeoutPassed)
    );
    assert_eq!(
        call(&vm, register_data(&signed(&p, &final_state(&p, 3)))),
        reverts(Error::RefutationTimeoutPassed)
    );
}

#[test]
fn register_keeps_a_differently_funded_state_apart_from_the_funded_record() {
    // Finding 1: the endpoints of a virtual channel sign a later state with a larger total
    // (2^256 - 1 - 10 here, or one wei more) and register it directly. It is recorded under the
    // key of its own funding; the record the parents read, under the funding they locked,
    // keeps its version and state.
    let vm = deploy();
    let p = params();
    register_ok(&vm, &p, &state(&p, 1));
    for top in [U256::from(21), U256::MAX - U256::from(10)] {
        let mut inflated = state(&p, 5);
        inflated.outcome.balances[0][1] = top;
        register_ok(&vm, &p, &inflated);
        assert_eq!(record(&vm, funded_key(&inflated)).version, 5);
    }
    let r = record(&vm, key_of(&p));
    assert_eq!((r.version, r.state_hash), (1, hash_state(&state(&p, 1))));
}

#[test]
fn register_reverts_for_a_state_of_another_shape_or_an_overflowing_total() {
    // Finding 1 (lock): a state a parent could not fold is not recorded at all.
    let p = params();
    let mut short = state(&p, 2);
    short.outcome.balances[0].pop();
    let mut extra = state(&p, 2);
    extra.outcome.balances.push(vec![U256::ZERO, U256::ZERO]);
    let mut long = state(&p, 2);
    long.outcome.balances[0].push(U256::ZERO);
    for s in [short, extra, long] {
        let vm = deploy();
        assert_eq!(
            call(&vm, register_data(&signed(&p, &s))),
            reverts(Error::BalancesLengthMismatch)
        );
    }
    let mut overflow = state(&p, 2);
    overflow.outcome.balances[0] = vec![U256::MAX, U256::from(1)];
    let vm = deploy();
    assert_eq!(
        call(&vm, register_data(&signed(&p, &overflow))),
        reverts(Error::BalanceOverflow)
    );
}

// ---------------------------------------------------------------------------------------------
// conclude (direct path)
// ---------------------------------------------------------------------------------------------

#[test]
fn conclude_after_the_timeout_concludes_and_emits_channel_update() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 2);
    let id = channel_id(&p);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD + 5);
    assert_eq!(call(&vm, conclude_data(&p, &s)), Ok(Vec::new()));
    assert_eq!(
        record(&vm, key_of(&p)),
        Record {
            timeout: START + CD,
            challenge_duration: CD,
            version: 2,
            phase: CONCLUDED,
            state_hash: hash_state(&s),
            has_app: false,
        }
    );
    assert_eq!(
        updates(&vm),
        vec![(id, 2, DISPUTE, START + CD), (id, 2, CONCLUDED, START + CD)]
    );
}

#[test]
fn conclude_reverts_before_the_timeout() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 2);
    register_ok(&vm, &p, &s);
    at(&vm, START + CD - 1);
    assert_eq!(
        call(&vm, conclude_data(&p, &s)),
        reverts(Error::TimeoutNotPassed)
    );
    // At the timeout it is allowed.
    at(&vm, START + CD);
    assert_eq!(call(&vm, conclude_data(&p, &s)), Ok(Vec::new()));
}

#[test]
fn conclude_reverts_when_concluded_already() {
    let vm = deploy();
    let p = params();
    let s = final_state(&p, 2);
    register_ok(&vm, &p, &s);
    assert_eq!(call(&vm, conclude_data(&p, &s)), Ok(Vec::new()));
    assert_eq!(
        call(&vm, conclude_data(&p, &s)),
        reverts(Error::AlreadyConcluded)
    );
    // The state is compared first.
    assert_eq!(
        call(&vm, conclude_data(&p, &state(&p, 2))),
        reverts(Error::WrongState)
    );
}

#[test]
fn conclude_reverts_when_not_registered() {
    let vm = deploy();
    let p = params();
    assert_eq!(
        call(&vm, conclude_data(&p, &state(&p, 1))),
        reverts(Error::NotRegistered)
    );
}

#[test]
fn conclude_reverts_for_another_state_than_the_registered_one() {
    let vm = deploy();
    let p = params();
    register_ok(&vm, &p, &state(&p, 2));
    at(&vm, START + CD);
    assert_eq!(
        call(&vm, conclude_data(&p, &state(&p, 1))),
        reverts(Error::WrongState)
    );
}

#[test]
fn conclude_reverts_for_a_channel_that_is_not_virtual_or_another_channels_state() {
    let vm = deploy();
    for (ledger, virt) in [(false, false), (true, false), (true, true)] {
        let p = Channel::Params {
            ledgerChannel: ledger,
            virtualChannel: virt,
            ..params()
        };
        assert_eq!(
            call(&vm, conclude_data(&p, &state(&p, 1))),
            reverts(Error::NotVirtualChannel)
        );
    }
    let p = params();
    let mut s = state(&p, 1);
    s.channelID = B256::repeat_byte(1);
    assert_eq!(
        call(&vm, conclude_data(&p, &s)),
        reverts(Error::InvalidParams)
    );
}

#[test]
fn conclude_of_a_ledger_and_virtual_channel_recorded_by_the_adjudicator_reverts() {
    // Such a channel's record may live here (the Adjudicator registers it on the v1 path), but
    // only the Adjudicator concludes it.
    let vm = deploy();
    let p = Channel::Params {
        ledgerChannel: true,
        ..params()
    };
    let s = state(&p, 1);
    let id = channel_id(&p);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 1, hash_state(&s), U256::from(CD), false)
        ),
        Ok(words(&[1, START + CD, 0]))
    );
    at(&vm, START + CD);
    assert_eq!(
        call(&vm, conclude_data(&p, &s)),
        reverts(Error::NotVirtualChannel)
    );
    assert_eq!(record(&vm, id).phase, DISPUTE);
}

// ---------------------------------------------------------------------------------------------
// The v1 path: registerVirtual, concludeVirtual, concludeFinalVirtual
// ---------------------------------------------------------------------------------------------

#[test]
fn v1_path_functions_revert_for_anyone_but_the_adjudicator() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    for data in [
        register_virtual_data(id, 1, h, U256::from(CD), false),
        conclude_virtual_data(id, h, true),
        conclude_final_virtual_data(id, 1, h, U256::from(CD)),
    ] {
        assert_eq!(call(&vm, data), reverts(Error::OnlyAdjudicator));
    }
    // Before any check of the record.
    assert_eq!(
        call(&vm, conclude_virtual_data(id, h, true)),
        reverts(Error::OnlyAdjudicator)
    );
    assert!(vm.vm.get_emitted_logs().is_empty());
}

#[test]
fn register_virtual_keeps_a_sub_channels_record_it_cannot_replace() {
    // Under a funded key (a sub-channel registered with its parent) a lower version, a
    // conflicting one, or any after the timeout leaves the record as it is; under the channel's
    // own ID (a ledger channel that is also virtual) it reverts, as v1 does.
    let vm = deploy();
    let (id, key) = (B256::repeat_byte(1), B256::repeat_byte(9));
    let (h2, h1, h2b) = (
        B256::repeat_byte(2),
        B256::repeat_byte(3),
        B256::repeat_byte(4),
    );
    let cd = U256::from(CD);
    call_as_adjudicator(&vm, register_virtual_keyed(id, key, 2, h2, cd, false)).unwrap();
    for (v, h) in [(1, h1), (2, h2b)] {
        assert_eq!(
            call_as_adjudicator(&vm, register_virtual_keyed(id, key, v, h, cd, false)),
            Ok(words(&[0, START + CD, 0]))
        );
    }
    at(&vm, START + CD);
    assert_eq!(
        call_as_adjudicator(&vm, register_virtual_keyed(id, key, 3, h1, cd, false)),
        Ok(words(&[0, START + CD, 0]))
    );
    assert_eq!(record(&vm, key).state_hash, h2);
    call_as_adjudicator(&vm, register_virtual_data(id, 2, h2, cd, false)).unwrap();
    assert_eq!(
        call_as_adjudicator(&vm, register_virtual_data(id, 1, h1, cd, false)),
        reverts(Error::VersionTooLow)
    );
}

#[test]
fn register_virtual_returns_whether_the_record_changed_and_its_timeout() {
    let vm = deploy();
    let (id, h1, h2) = (
        B256::repeat_byte(1),
        B256::repeat_byte(2),
        B256::repeat_byte(3),
    );
    assert_eq!(
        call_as_adjudicator(&vm, register_virtual_data(id, 1, h1, U256::from(CD), false)),
        Ok(words(&[1, START + CD, 0]))
    );
    // The same state: unchanged, the timeout found.
    at(&vm, START + 10);
    assert_eq!(
        call_as_adjudicator(&vm, register_virtual_data(id, 1, h1, U256::from(CD), false)),
        Ok(words(&[0, START + CD, 1]))
    );
    // A refutation keeps the timeout; a final one times out now.
    assert_eq!(
        call_as_adjudicator(&vm, register_virtual_data(id, 2, h2, U256::from(CD), false)),
        Ok(words(&[1, START + CD, 0]))
    );
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 3, B256::repeat_byte(4), U256::from(CD), true)
        ),
        Ok(words(&[1, START + 10, 0]))
    );
    assert_eq!(
        record(&vm, id),
        Record {
            timeout: START + 10,
            challenge_duration: CD,
            version: 3,
            phase: DISPUTE,
            state_hash: B256::repeat_byte(4),
            has_app: false,
        }
    );
    assert_eq!(
        updates(&vm),
        vec![
            (id, 1, DISPUTE, START + CD),
            (id, 2, DISPUTE, START + CD),
            (id, 3, DISPUTE, START + 10),
        ]
    );
}

#[test]
fn register_virtual_reverts_as_register_does() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 1, h, U256::from(u64::MAX), false)
        ),
        reverts(Error::TimeoutOverflow)
    );
    call_as_adjudicator(&vm, register_virtual_data(id, 5, h, U256::from(CD), false)).unwrap();
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 5, B256::repeat_byte(3), U256::from(CD), false)
        ),
        reverts(Error::VersionTooLow)
    );
    at(&vm, START + CD);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 6, B256::repeat_byte(3), U256::from(CD), false)
        ),
        reverts(Error::RefutationTimeoutPassed)
    );
    call_as_adjudicator(&vm, conclude_virtual_data(id, h, true)).unwrap();
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_data(id, 6, B256::repeat_byte(3), U256::from(CD), false)
        ),
        reverts(Error::NotInDisputePhase)
    );
}

#[test]
fn register_virtual_and_direct_register_share_the_record() {
    let vm = deploy();
    let p = params();
    let s = state(&p, 1);
    let id = channel_id(&p);
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_keyed(id, key_of(&p), 1, hash_state(&s), U256::from(CD), false)
        ),
        Ok(words(&[1, START + CD, 0]))
    );
    // The other path's registration of the same state is a no-op; a higher version refutes.
    register_ok(&vm, &p, &s);
    assert_eq!(updates(&vm).len(), 1);
    register_ok(&vm, &p, &state(&p, 2));
    assert_eq!(
        call_as_adjudicator(
            &vm,
            register_virtual_keyed(
                id,
                key_of(&p),
                2,
                hash_state(&state(&p, 2)),
                U256::from(CD),
                false
            )
        ),
        Ok(words(&[0, START + CD, 1]))
    );
    at(&vm, START + CD);
    assert_eq!(call(&vm, conclude_data(&p, &state(&p, 2))), Ok(Vec::new()));
    // The Adjudicator concluding it as a sub-channel uses the concluded record.
    assert_eq!(
        call_as_adjudicator(
            &vm,
            conclude_virtual_keyed(id, key_of(&p), hash_state(&state(&p, 2)), false)
        ),
        Ok(words(&[0, 2, START + CD]))
    );
}

#[test]
fn conclude_virtual_returns_whether_the_record_changed_its_version_and_timeout() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    call_as_adjudicator(&vm, register_virtual_data(id, 7, h, U256::from(CD), false)).unwrap();
    at(&vm, START + CD + 3);
    assert_eq!(
        call_as_adjudicator(&vm, conclude_virtual_data(id, h, false)),
        Ok(words(&[1, 7, START + CD]))
    );
    assert_eq!(record(&vm, id).phase, CONCLUDED);
    // A concluded record: unchanged as a sub-channel, an error as the root.
    assert_eq!(
        call_as_adjudicator(&vm, conclude_virtual_data(id, h, false)),
        Ok(words(&[0, 7, START + CD]))
    );
    assert_eq!(
        call_as_adjudicator(&vm, conclude_virtual_data(id, h, true)),
        reverts(Error::AlreadyConcluded)
    );
    assert_eq!(
        updates(&vm),
        vec![(id, 7, DISPUTE, START + CD), (id, 7, CONCLUDED, START + CD)]
    );
}

#[test]
fn conclude_virtual_as_the_root_concludes() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    call_as_adjudicator(&vm, register_virtual_data(id, 7, h, U256::from(CD), true)).unwrap();
    assert_eq!(
        call_as_adjudicator(&vm, conclude_virtual_data(id, h, true)),
        Ok(words(&[1, 7, START]))
    );
}

#[test]
fn conclude_virtual_reverts_as_conclude_does() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    for root in [false, true] {
        assert_eq!(
            call_as_adjudicator(&vm, conclude_virtual_data(id, h, root)),
            reverts(Error::NotRegistered)
        );
    }
    call_as_adjudicator(&vm, register_virtual_data(id, 7, h, U256::from(CD), false)).unwrap();
    for root in [false, true] {
        assert_eq!(
            call_as_adjudicator(&vm, conclude_virtual_data(id, B256::repeat_byte(3), root)),
            reverts(Error::WrongState)
        );
        assert_eq!(
            call_as_adjudicator(&vm, conclude_virtual_data(id, h, root)),
            reverts(Error::TimeoutNotPassed)
        );
    }
}

#[test]
fn conclude_final_virtual_concludes_at_once_over_any_dispute() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    // An unregistered channel.
    assert_eq!(
        call_as_adjudicator(
            &vm,
            conclude_final_virtual_data(id, 4, h, (U256::from(1) << 64) + U256::from(CD))
        ),
        Ok(Vec::new())
    );
    assert_eq!(
        record(&vm, id),
        Record {
            timeout: START,
            challenge_duration: CD,
            version: 4,
            phase: CONCLUDED,
            state_hash: h,
            has_app: false,
        }
    );
    // A registered one in dispute, with a higher version registered than the final state's.
    let id2 = B256::repeat_byte(5);
    call_as_adjudicator(&vm, register_virtual_data(id2, 9, h, U256::from(CD), false)).unwrap();
    at(&vm, START + 1);
    assert_eq!(
        call_as_adjudicator(&vm, conclude_final_virtual_data(id2, 3, h, U256::from(CD))),
        Ok(Vec::new())
    );
    assert_eq!(record(&vm, id2).version, 3);
    assert_eq!(
        updates(&vm),
        vec![
            (id, 4, CONCLUDED, START),
            (id2, 9, DISPUTE, START + CD),
            (id2, 3, CONCLUDED, START + 1),
        ]
    );
}

#[test]
fn conclude_final_virtual_reverts_when_concluded_already() {
    let vm = deploy();
    let (id, h) = (B256::repeat_byte(1), B256::repeat_byte(2));
    call_as_adjudicator(&vm, conclude_final_virtual_data(id, 4, h, U256::from(CD))).unwrap();
    assert_eq!(
        call_as_adjudicator(&vm, conclude_final_virtual_data(id, 5, h, U256::from(CD))),
        reverts(Error::AlreadyConcluded)
    );
    // A record concluded on the direct path is keyed by its funding: concludeFinalVirtual,
    // which the Adjudicator sends only for a channel that is a ledger channel too (keyed by its
    // ID, and refused by the direct path), never reaches it.
    let p = params();
    let s = final_state(&p, 1);
    register_ok(&vm, &p, &s);
    call(&vm, conclude_data(&p, &s)).unwrap();
    assert_eq!(record(&vm, key_of(&p)).phase, CONCLUDED);
    assert_eq!(record(&vm, channel_id(&p)).version, 0);
}

// ---------------------------------------------------------------------------------------------
// Property: random and mutated calldata
// ---------------------------------------------------------------------------------------------

/// The selectors of every custom error the registry may revert with.
fn error_selectors() -> Vec<[u8; 4]> {
    abi::ERRORS
        .iter()
        .map(|name| selector_of(&format!("{name}()")))
        .collect()
}

/// Checks the shape of a result: return data, or revert data that is empty or one of the
/// registry's custom errors.
fn check_result(r: &ArbResult) -> Result<(), TestCaseError> {
    if let Err(e) = r {
        prop_assert!(
            e.is_empty() || (e.len() == 4 && error_selectors().contains(&[e[0], e[1], e[2], e[3]])),
            "unexpected revert data {e:02x?}"
        );
    }
    Ok(())
}

/// A well-formed call of one of the registry's functions, built from random parts.
fn valid_call() -> impl Strategy<Value = (Vec<u8>, Option<Vec<u8>>)> {
    let channel = (
        1usize..=3,
        0u64..5,
        0u64..1000,
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(n, nonce, cd, is_final, ledger, virt)| {
            let keys: Vec<u64> = (0..n as u64).collect();
            let mut p = params_of(&keys, nonce);
            p.challengeDuration = U256::from(cd);
            p.ledgerChannel = ledger && !virt;
            p.virtualChannel = virt || !ledger;
            let s = Channel::State {
                isFinal: is_final,
                ..state(&p, nonce + 1)
            };
            (p, s)
        });
    prop_oneof![
        channel.clone().prop_map(|(p, s)| {
            let ch = signed(&p, &s);
            (register_data(&ch), None)
        }),
        channel.prop_map(|(p, s)| {
            let ch = signed(&p, &s);
            (conclude_data(&p, &s), Some(register_data(&ch)))
        }),
        (
            perun_randomizer::b256(),
            any::<u64>(),
            perun_randomizer::b256(),
            perun_randomizer::uint(),
            any::<bool>()
        )
            .prop_map(|(id, v, h, cd, f)| (register_virtual_data(id, v, h, cd, f), None)),
        (
            perun_randomizer::b256(),
            perun_randomizer::b256(),
            any::<bool>(),
            any::<u64>()
        )
            .prop_map(|(id, h, root, v)| {
                let setup = register_virtual_data(id, v, h, U256::from(CD), false);
                (conclude_virtual_data(id, h, root), Some(setup))
            }),
        (
            perun_randomizer::b256(),
            any::<u64>(),
            perun_randomizer::b256(),
            perun_randomizer::uint()
        )
            .prop_map(|(id, v, h, cd)| (conclude_final_virtual_data(id, v, h, cd), None)),
        perun_randomizer::b256().prop_map(|id| (disputes_data(id), None)),
        Just((calldata(abi::sel::ADJUDICATOR, ()), None)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Random calldata for every entry point (and unknown selectors) never panics and reverts
    /// only with empty data or one of the registry's custom errors.
    #[test]
    fn random_calldata_never_panics(
        sel in prop_oneof![
            prop::sample::select(abi::FUNCTIONS.iter().map(|f| f.selector()).collect::<Vec<_>>()),
            any::<u32>(),
        ],
        args in prop::collection::vec(any::<u8>(), 0..700),
        from_adjudicator in any::<bool>(),
    ) {
        let vm = deploy();
        if from_adjudicator {
            vm.vm.set_sender(ADJUDICATOR);
        }
        let mut data = sel.to_be_bytes().to_vec();
        data.extend(args);
        check_result(&call(&vm, data))?;
    }

    /// Mutations of well-formed calls never panic and revert only with empty data or one of
    /// the registry's custom errors, at any time, from the Adjudicator or not.
    #[test]
    fn mutated_calldata_never_panics(
        (data, setup) in valid_call(),
        mutations in prop::collection::vec(mutation(edge_word()), 0..4),
        from_adjudicator in any::<bool>(),
        later in 0u64..2000,
    ) {
        let vm = deploy();
        if let Some(setup) = setup {
            vm.vm.set_sender(ADJUDICATOR);
            check_result(&call(&vm, setup))?;
        }
        vm.vm.set_sender(if from_adjudicator { ADJUDICATOR } else { STRANGER });
        at(&vm, START + later);
        let mut data = data;
        for m in &mutations {
            apply(&mut data, m);
        }
        check_result(&call(&vm, data))?;
    }
}

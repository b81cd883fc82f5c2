//! Unit tests of the Adjudicator under `PerunVM` (TestVM, native ecrecover, scripted calls).

// Helpers build params, states and signed states, the calldata of each function, and read back
// records and `ChannelUpdate` events. Expected calldata of outgoing calls is built with alloy's
// encoder from the owned values, independently of the program's `abi` module.

mod conclude;
mod conclude_final;
mod envelope;
mod fuzz;
mod progress;
mod register;
mod safety;
mod views;

use super::*;
use alloy_primitives::{keccak256, Bytes};
use alloy_sol_types::sol_data::{Bool, FixedBytes, Uint};
use alloy_sol_types::{SolError, SolType, SolValue};
use perun_channel::dispute::{Dispute, FORCEEXEC};
use perun_channel::hash::{channel_id, hash_state};
use perun_channel::sol::Channel;
use perun_randomizer::test_signer;
use perun_testvm::keys::funded_key;
use perun_testvm::{CallRecord, PerunVM};
use stylus_sdk::abi::router_entrypoint;

/// The registry's address, given to the constructor.
const REGISTRY: Address = Address::repeat_byte(0x77);
/// The asset holder of the default asset.
const HOLDER: Address = Address::repeat_byte(0xee);
/// The app of channels with an app.
const APP: Address = Address::repeat_byte(0xa9);
/// The block time at deployment.
const START: u64 = 1_000_000;
/// The default challenge duration.
const CD: u64 = 60;
/// TestVM's default chain ID.
const CHAIN: u64 = 42161;

/// Revert data a scripted callee answers with, shaped like no Perun error.
const CALLEE_REVERT: &[u8] = b"callee says no";

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
fn selector_of(signature: &str) -> u32 {
    let h = keccak256(signature.as_bytes());
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// A deployed Adjudicator at time [`START`]; the registry, [`HOLDER`] and [`APP`] have code, and
/// every outgoing call succeeds with no data until a test scripts `on_call`.
fn deploy() -> PerunVM {
    let vm = PerunVM::new();
    vm.vm.set_block_timestamp(START);
    for a in [REGISTRY, HOLDER, APP] {
        vm.vm.set_code(a, vec![0xfe]);
    }
    let mut cd = stylus_sdk::abi::CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    cd.extend_from_slice(B256::left_padding_from(REGISTRY.as_slice()).as_slice());
    assert_eq!(
        router_entrypoint::<Adjudicator, Adjudicator>(cd, vm.host()),
        Ok(Vec::new())
    );
    vm
}

/// Runs `data` through the program's entry point.
fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<Adjudicator, Adjudicator>(data, vm.host())
}

/// The result of a call that reverts with `e`.
fn reverts(e: Error) -> ArbResult {
    Err(e.revert_data())
}

/// The result of a call that reverts with the custom error of `selector`.
fn reverts_with(selector: [u8; 4]) -> ArbResult {
    Err(selector.to_vec())
}

/// Removes `a`'s code.
fn remove_code(vm: &PerunVM, a: Address) {
    vm.vm.set_code(a, Vec::new());
}

/// Overwrites the word at `pos` of the arguments (the calldata after the selector) with `value`.
fn set_word(data: &mut [u8], pos: usize, value: U256) {
    data[4 + pos..4 + pos + 32].copy_from_slice(&value.to_be_bytes::<32>());
}

/// The word at `pos` of the arguments.
fn word_at(data: &[u8], pos: usize) -> U256 {
    U256::from_be_slice(&data[4 + pos..4 + pos + 32])
}

/// Advances the block time to `t`.
fn at(vm: &PerunVM, t: u64) {
    vm.vm.set_block_timestamp(t);
}

// ---------------------------------------------------------------------------------------------
// Params, states and signatures
// ---------------------------------------------------------------------------------------------

/// Ledger-channel params with the test keys `keys` as participants, no app, nonce `nonce`.
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
        ledgerChannel: true,
        virtualChannel: false,
    }
}

/// Ledger-channel params of keys `0..n`, no app, nonce 1.
fn params(n: u64) -> Channel::Params {
    params_of(&(0..n).collect::<Vec<_>>(), 1)
}

/// As [`params`], with [`APP`] as the app.
fn app_params(n: u64) -> Channel::Params {
    Channel::Params {
        app: APP,
        ..params(n)
    }
}

/// Params of a sub-channel (neither ledger nor virtual, no app) of `keys`, as go-perun makes
/// them; its record lives here.
fn sub_params(keys: &[u64], nonce: u64) -> Channel::Params {
    Channel::Params {
        ledgerChannel: false,
        ..params_of(keys, nonce)
    }
}

/// Params of a virtual channel (not a ledger channel, no app) of `keys`.
fn virtual_params(keys: &[u64], nonce: u64) -> Channel::Params {
    Channel::Params {
        ledgerChannel: false,
        virtualChannel: true,
        ..params_of(keys, nonce)
    }
}

/// An asset of chain `chain` held by `holder`.
fn asset_on(chain: u64, holder: Address) -> Channel::Asset {
    Channel::Asset {
        chainID: U256::from(chain),
        ethHolder: holder,
        ccHolder: Default::default(),
    }
}

/// A state of `p` at `version` with one asset ([`HOLDER`] on this chain) and the balances
/// `bals` (one per participant), nothing locked, not final.
fn state_with(p: &Channel::Params, version: u64, bals: &[u64]) -> Channel::State {
    Channel::State {
        channelID: channel_id(p),
        version,
        outcome: Channel::Allocation {
            assets: vec![asset_on(CHAIN, HOLDER)],
            backends: vec![U256::ZERO],
            balances: vec![bals.iter().map(|&b| U256::from(b)).collect()],
            locked: vec![],
        },
        appData: Default::default(),
        isFinal: false,
    }
}

/// A state of `p` at `version`: participant `i` holds `10 * (i + 1)` of the one asset.
fn state(p: &Channel::Params, version: u64) -> Channel::State {
    let bals: Vec<u64> = (1..=p.participants.len() as u64).map(|i| 10 * i).collect();
    state_with(p, version, &bals)
}

/// As [`state`], final.
fn final_state(p: &Channel::Params, version: u64) -> Channel::State {
    Channel::State {
        isFinal: true,
        ..state(p, version)
    }
}

/// The test key whose address is `a`.
fn key_of(a: Address) -> u64 {
    (0..32)
        .find(|&k| test_signer(k).address() == a)
        .expect("participants are test keys")
}

/// Key `k`'s signature on `s`.
fn sign(k: u64, s: &Channel::State) -> Bytes {
    test_signer(k).sign_state(s).to_bytes().to_vec().into()
}

/// Every participant's signature on `s`, in participant order.
fn sigs(p: &Channel::Params, s: &Channel::State) -> Vec<Bytes> {
    p.participants
        .iter()
        .map(|part| sign(key_of(part.ethAddress), s))
        .collect()
}

/// `s` signed by all participants of `p`.
fn signed(p: &Channel::Params, s: &Channel::State) -> Channel::SignedState {
    Channel::SignedState {
        params: p.clone(),
        state: s.clone(),
        sigs: sigs(p, s),
    }
}

/// The sub-allocation that locks `sub`'s funds in a parent: its ID, per asset the sum of its
/// balances (its own locked funds not counted), and `index_map`.
fn sub_alloc(sub: &Channel::State, index_map: &[u16]) -> Channel::SubAlloc {
    Channel::SubAlloc {
        ID: sub.channelID,
        balances: sub
            .outcome
            .balances
            .iter()
            .map(|row| row.iter().copied().sum())
            .collect(),
        indexMap: index_map.to_vec(),
    }
}

/// `parent` with `subs` as its locked funds (its balances unchanged).
fn locking(mut parent: Channel::State, subs: Vec<Channel::SubAlloc>) -> Channel::State {
    parent.outcome.locked = subs;
    parent
}

// ---------------------------------------------------------------------------------------------
// Calldata of the Adjudicator's functions
// ---------------------------------------------------------------------------------------------

/// `register(channel, subChannels)`.
fn register_data(ch: &Channel::SignedState, subs: &[Channel::SignedState]) -> Vec<u8> {
    calldata(abi::sel::REGISTER, (ch.clone(), subs.to_vec()))
}

/// `progress(params, stateOld, state, actorIdx, sig)`.
fn progress_data(
    p: &Channel::Params,
    old: &Channel::State,
    new: &Channel::State,
    actor: U256,
    sig: Bytes,
) -> Vec<u8> {
    calldata(
        abi::sel::PROGRESS,
        (p.clone(), old.clone(), new.clone(), actor, sig),
    )
}

/// `conclude(params, state, subStates)`.
fn conclude_data(p: &Channel::Params, s: &Channel::State, subs: &[Channel::State]) -> Vec<u8> {
    calldata(abi::sel::CONCLUDE, (p.clone(), s.clone(), subs.to_vec()))
}

/// `concludeFinal(params, state, sigs)`.
fn conclude_final_data(p: &Channel::Params, s: &Channel::State, sigs: Vec<Bytes>) -> Vec<u8> {
    calldata(abi::sel::CONCLUDE_FINAL, (p.clone(), s.clone(), sigs))
}

/// Registers `s` of `p` (no sub-channels), which must succeed.
fn register_ok(vm: &PerunVM, p: &Channel::Params, s: &Channel::State) {
    assert_eq!(call(vm, register_data(&signed(p, s), &[])), Ok(Vec::new()));
}

// ---------------------------------------------------------------------------------------------
// What the program left behind
// ---------------------------------------------------------------------------------------------

/// The dispute record under `key` in the program's storage (a ledger channel's ID, or
/// [`funded_key`]).
fn record(vm: &PerunVM, key: B256) -> Dispute {
    records::load(&vm.host(), DISPUTES, key)
}

/// A decoded `ChannelUpdate` event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Update {
    id: B256,
    version: u64,
    phase: u8,
    timeout: u64,
}

/// Every `ChannelUpdate` emitted so far, decoded; panics on any other log or a malformed one.
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
            type Data = (Uint<64>, Uint<8>, Uint<64>);
            let (version, phase, timeout) =
                Data::abi_decode_params_validate(&data).expect("clean event data");
            Update {
                id: topics[1],
                version,
                phase,
                timeout,
            }
        })
        .collect()
}

/// The `ChannelUpdate` of `id` with these values.
fn update(id: B256, version: u64, phase: u8, timeout: u64) -> Update {
    Update {
        id,
        version,
        phase,
        timeout,
    }
}

/// The record a first registration at `now` of `s` with challenge duration [`CD`] leaves.
fn disputed(s: &Channel::State, has_app: bool, timeout: u64) -> Dispute {
    Dispute {
        timeout,
        challenge_duration: CD,
        version: s.version,
        phase: DISPUTE,
        has_app,
        state_hash: hash_state(s),
    }
}

/// Return data of ABI words holding `values`.
fn words(values: &[u64]) -> Vec<u8> {
    values.iter().flat_map(|&v| word(v)).collect()
}

/// A non-static call without value to `to` with `data`.
fn call_to(to: Address, data: Vec<u8>) -> CallRecord {
    CallRecord {
        to,
        data,
        value: U256::ZERO,
        is_static: false,
    }
}

/// The expected `setOutcome(id, participants, balances)` call to `holder`.
fn set_outcome_call(holder: Address, p: &Channel::Params, bals: &[u64]) -> CallRecord {
    let bals: Vec<U256> = bals.iter().map(|&b| U256::from(b)).collect();
    call_to(
        holder,
        calldata(0x295482ce, (channel_id(p), p.participants.clone(), bals)),
    )
}

/// Answers each call to `to` with `reply`, every other call with no data.
fn reply_from(vm: &PerunVM, to: Address, reply: Result<Vec<u8>, Vec<u8>>) {
    vm.on_call(move |c| {
        if c.to == to {
            reply.clone()
        } else {
            Ok(Vec::new())
        }
    });
}

#[test]
fn the_selectors_of_outgoing_calls_are_those_of_their_signatures() {
    const PARAMS: &str = "(uint256,uint256,(address,bytes)[],address,bool,bool)";
    const STATE: &str = "(bytes32,uint64,((uint256,address,bytes)[],uint256[],uint256[][],\
                         (bytes32,uint256[],uint16[])[]),bytes,bool)";
    let valid_transition = format!("validTransition({PARAMS},{STATE},{STATE},uint256)");
    assert_eq!(abi::VALID_TRANSITION, selector_of(&valid_transition));
    assert_eq!(
        abi::SET_OUTCOME,
        selector_of("setOutcome(bytes32,(address,bytes)[],uint256[])")
    );
    assert_eq!(abi::SET_OUTCOME, 0x295482ce);
    assert_eq!(
        abi::sel::REGISTER,
        selector_of(&format!(
            "register(({PARAMS},{STATE},bytes[]),({PARAMS},{STATE},bytes[])[])"
        ))
    );
    assert_eq!(
        abi::sel::PROGRESS,
        selector_of(&format!("progress({PARAMS},{STATE},{STATE},uint256,bytes)"))
    );
    assert_eq!(
        abi::sel::CONCLUDE,
        selector_of(&format!("conclude({PARAMS},{STATE},{STATE}[])"))
    );
    assert_eq!(
        abi::sel::CONCLUDE_FINAL,
        selector_of(&format!("concludeFinal({PARAMS},{STATE},bytes[])"))
    );
    assert_eq!(
        abi::sel::CHANNEL_ID,
        selector_of(&format!("channelID({PARAMS})"))
    );
    assert_eq!(
        abi::sel::HASH_STATE,
        selector_of(&format!("hashState({STATE})"))
    );
    assert_eq!(abi::sel::DISPUTES, selector_of("disputes(bytes32)"));
    assert_eq!(abi::sel::REGISTRY, selector_of("registry()"));
}

#[test]
fn the_errors_table_names_the_shared_custom_errors() {
    let table: Vec<[u8; 4]> = abi::ERRORS
        .iter()
        .map(|name| selector_of(&format!("{name}()")).to_be_bytes())
        .collect();
    let mut shared = fuzz::custom_errors().to_vec();
    let mut table_sorted = table.clone();
    shared.sort();
    table_sorted.sort();
    assert_eq!(table_sorted, shared);
}

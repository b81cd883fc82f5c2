//! Unit tests of the Adjudicator program under stylus-sdk's `TestVM` (through `PerunVM`, which
//! adds native ecrecover and scripted calls): each function's success path and every custom
//! error it can raise.

use super::*;
use alloy_sol_types::SolValue;
use perun_channel::sol::Channel;
use perun_randomizer::test_signer;
use perun_testvm::PerunVM;
use stylus_sdk::abi::router_entrypoint;

const REGISTRY: Address = Address::repeat_byte(0x77);
const HOLDER: Address = Address::repeat_byte(0xee);
const START: u64 = 1_000_000;

/// Calldata: `selector` and the ABI encoding of `args` as function arguments.
fn calldata<T: SolValue>(selector: u32, args: T) -> Vec<u8>
where
    for<'a> T::SolType: alloy_sol_types::SolType<Token<'a>: alloy_sol_types::abi::TokenSeq<'a>>,
{
    let mut data = selector.to_be_bytes().to_vec();
    data.extend(args.abi_encode_params());
    data
}

/// A deployed Adjudicator on a fresh host.
fn deploy() -> PerunVM {
    let vm = PerunVM::new();
    vm.vm.set_block_timestamp(START);
    let mut cd = stylus_sdk::abi::CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    cd.extend_from_slice(B256::left_padding_from(REGISTRY.as_slice()).as_slice());
    assert_eq!(
        router_entrypoint::<Adjudicator, Adjudicator>(cd, vm.host()),
        Ok(Vec::new())
    );
    vm
}

fn call(vm: &PerunVM, data: Vec<u8>) -> ArbResult {
    router_entrypoint::<Adjudicator, Adjudicator>(data, vm.host())
}

fn params(n: u64) -> Channel::Params {
    Channel::Params {
        challengeDuration: U256::from(60),
        nonce: U256::from(1),
        participants: (0..n)
            .map(|i| Channel::Participant {
                ethAddress: test_signer(i).address(),
                ccAddress: Default::default(),
            })
            .collect(),
        app: Address::ZERO,
        ledgerChannel: true,
        virtualChannel: false,
    }
}

fn state(p: &Channel::Params, version: u64) -> Channel::State {
    Channel::State {
        channelID: perun_channel::hash::channel_id(p),
        version,
        outcome: Channel::Allocation {
            assets: vec![Channel::Asset {
                chainID: U256::from(42161),
                ethHolder: HOLDER,
                ccHolder: Default::default(),
            }],
            backends: vec![U256::ZERO],
            balances: vec![vec![U256::from(1); p.participants.len()]],
            locked: vec![],
        },
        appData: Default::default(),
        isFinal: false,
    }
}

fn signed(p: &Channel::Params, s: &Channel::State) -> Channel::SignedState {
    let digest = perun_channel::hash::eth_signed_digest(perun_channel::hash::hash_state(s));
    let sigs = (0..p.participants.len() as u64)
        .map(|i| {
            test_signer(i)
                .sign_digest(&digest)
                .to_bytes()
                .to_vec()
                .into()
        })
        .collect();
    Channel::SignedState {
        params: p.clone(),
        state: s.clone(),
        sigs,
    }
}

#[test]
fn register_records_the_state_and_emits_channel_update() {
    let vm = deploy();
    let p = params(2);
    let s = state(&p, 1);
    let data = calldata(
        abi::sel::REGISTER,
        (signed(&p, &s), Vec::<Channel::SignedState>::new()),
    );
    assert_eq!(call(&vm, data), Ok(Vec::new()));
    let id = perun_channel::hash::channel_id(&p);
    let d = records::load(&vm.host(), DISPUTES, id);
    assert_eq!(d.version, 1);
    assert_eq!(d.timeout, START + 60);
    assert_eq!(d.state_hash, perun_channel::hash::hash_state(&s));
    let logs = vm.vm.get_emitted_logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].0[1], id);
    let _ = s.abi_encode();
}

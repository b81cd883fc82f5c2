//! Empty revert data as solc gives it (value, malformed envelope, unknown selector); constructor.

use super::fuzz::corpus;
use super::*;

#[test]
fn every_function_reverts_without_data_when_value_is_sent() {
    for sample in corpus() {
        let vm = sample.vm(Ok(super::fuzz::accepting_reply()));
        vm.vm.set_value(U256::from(1));
        assert_eq!(
            call(&vm, sample.data.clone()),
            Err(Vec::new()),
            "{}",
            sample.name
        );
        assert_eq!(vm.calls(), [], "{}", sample.name);
        vm.vm.set_value(U256::ZERO);
        assert!(call(&vm, sample.data).is_ok(), "{}", sample.name);
    }
}

#[test]
fn every_function_reverts_without_data_when_the_calldata_is_shorter_than_its_head() {
    for sample in corpus().into_iter().filter(|s| s.args > 0) {
        let vm = sample.vm(Ok(Vec::new()));
        let mut data = sample.data.clone();
        data.truncate(4 + 32 * sample.args - 1);
        assert_eq!(call(&vm, data), Err(Vec::new()), "{}", sample.name);
    }
}

#[test]
fn every_function_reverts_without_data_when_a_top_level_offset_is_out_of_range() {
    for sample in corpus() {
        let len = sample.data.len() - 4;
        for i in 0..sample.args {
            let w = word_at(&sample.data, 32 * i);
            // Only offsets: progress's actorIdx and disputes' id are plain words.
            if w >= U256::from(len) || w % U256::from(32) != U256::ZERO || w.is_zero() {
                continue;
            }
            for bad in [
                U256::from(len),
                U256::from(len - 31),
                U256::from(1u128 << 64),
                U256::MAX,
            ] {
                let vm = sample.vm(Ok(Vec::new()));
                let mut data = sample.data.clone();
                set_word(&mut data, 32 * i, bad);
                assert_eq!(
                    call(&vm, data),
                    Err(Vec::new()),
                    "{} argument {i} at {bad}",
                    sample.name
                );
            }
        }
    }
}

#[test]
fn an_array_argument_longer_than_the_calldata_reverts_without_data() {
    for sample in corpus() {
        // register's subChannels, conclude's subStates, concludeFinal's sigs, progress's sig.
        let i = match sample.name {
            "register" => 1,
            "conclude" | "concludeFinal" => 2,
            "progress" => 4,
            _ => continue,
        };
        let at = word_at(&sample.data, 32 * i).to::<usize>();
        let vm = sample.vm(Ok(Vec::new()));
        let mut data = sample.data.clone();
        set_word(&mut data, at, U256::from(sample.data.len()));
        assert_eq!(call(&vm, data), Err(Vec::new()), "{}", sample.name);
    }
}

#[test]
fn a_struct_whose_head_runs_past_the_end_reverts_without_data() {
    let vm = deploy();
    let p = params(2);
    let data = calldata(abi::sel::CHANNEL_ID, (p,));
    // The params' head is six words; leave five after its offset.
    let offset = data.len() - 4 - 5 * 32;
    let mut short = data.clone();
    set_word(&mut short, 0, U256::from(offset));
    assert_eq!(call(&vm, short), Err(Vec::new()));
    let mut fits = data;
    set_word(&mut fits, 0, U256::from(offset - 32));
    assert_ne!(call(&vm, fits), Err(Vec::new()));
}

#[test]
fn an_unknown_selector_reverts_without_data() {
    let vm = deploy();
    let p = params(2);
    let mut data = register_data(&signed(&p, &state(&p, 1)), &[]);
    for selector in [0u32, 0xffff_ffff, abi::sel::REGISTER ^ 1, abi::SET_OUTCOME] {
        data[..4].copy_from_slice(&selector.to_be_bytes());
        assert_eq!(call(&vm, data.clone()), Err(Vec::new()));
    }
    assert_eq!(updates(&vm), []);
}

#[test]
fn calldata_shorter_than_a_selector_reverts_without_data() {
    let vm = deploy();
    for data in [
        vec![],
        vec![0x01],
        abi::sel::REGISTRY.to_be_bytes()[..3].to_vec(),
    ] {
        assert_eq!(call(&vm, data), Err(Vec::new()));
    }
    vm.vm.set_value(U256::from(1));
    assert_eq!(call(&vm, Vec::new()), Err(Vec::new()));
}

#[test]
fn the_constructor_runs_only_once() {
    let vm = deploy();
    let mut again = stylus_sdk::abi::CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec();
    again.extend_from_slice(&[0u8; 12]);
    again.extend_from_slice(Address::repeat_byte(0x55).as_slice());
    assert_eq!(call(&vm, again), Err(Vec::new()));
    let data = abi::sel::REGISTRY.to_be_bytes().to_vec();
    assert_eq!(
        call(&vm, data),
        Ok(B256::left_padding_from(REGISTRY.as_slice()).to_vec())
    );
}

#[test]
fn the_constructor_rejects_value_and_a_malformed_address() {
    let constructor = |arg: &[u8]| {
        [
            stylus_sdk::abi::CONSTRUCTOR_SELECTOR.to_be_bytes().to_vec(),
            arg.to_vec(),
        ]
        .concat()
    };
    let good = B256::left_padding_from(REGISTRY.as_slice());
    let mut dirty = good;
    dirty[0] = 1;
    for arg in [&dirty[..], &good[..31]] {
        let vm = PerunVM::new();
        assert_eq!(call(&vm, constructor(arg)), Err(Vec::new()));
    }
    let vm = PerunVM::new();
    vm.vm.set_value(U256::from(1));
    assert_eq!(call(&vm, constructor(&good[..])), Err(Vec::new()));
    vm.vm.set_value(U256::ZERO);
    assert_eq!(call(&vm, constructor(&good[..])), Ok(Vec::new()));
}

//! Random Perun values for property tests: proptest strategies for params, states and their
//! parts, and deterministic test keys.
//!
//! The strategies generate values that are well-formed on the wire but not necessarily valid
//! for the Adjudicator (balances need not add up, sub-allocation IDs need not name real
//! channels); tests that need valid channels build them from these parts.

#![allow(non_snake_case)] // Bindings named like the Solidity fields they fill.

use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::native::Signer;
use perun_channel::sol::Channel;
use proptest::collection::vec;
use proptest::prelude::*;

/// A deterministic test key: key `i` of a fixed sequence (never zero, below the group order).
pub fn test_signer(i: u64) -> Signer {
    let mut key = [0u8; 32];
    key[0] = 0x42;
    key[24..].copy_from_slice(&(i + 1).to_be_bytes());
    Signer::from_bytes(&key).expect("small keys with a fixed high byte are valid")
}

/// Any 256-bit value, biased towards the edges (0, 1, 2^128, 2^256 - 1).
pub fn uint() -> impl Strategy<Value = U256> {
    prop_oneof![
        Just(U256::ZERO),
        Just(U256::from(1)),
        Just(U256::from(1) << 128),
        Just(U256::MAX),
        any::<[u8; 32]>().prop_map(U256::from_be_bytes),
        any::<u64>().prop_map(U256::from),
    ]
}

/// Any address.
pub fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

/// Any 32-byte value.
pub fn b256() -> impl Strategy<Value = B256> {
    any::<[u8; 32]>().prop_map(B256::from)
}

/// A byte string of 0 to `max` bytes.
pub fn bytes(max: usize) -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..=max).prop_map(Bytes::from)
}

/// A participant with a cross-chain key of 0 to 65 bytes.
pub fn participant() -> impl Strategy<Value = Channel::Participant> {
    (address(), bytes(65)).prop_map(|(ethAddress, ccAddress)| Channel::Participant {
        ethAddress,
        ccAddress,
    })
}

/// Params with `participants` participants (a range).
pub fn params(
    participants: std::ops::RangeInclusive<usize>,
) -> impl Strategy<Value = Channel::Params> {
    (
        uint(),
        uint(),
        vec(participant(), participants),
        prop_oneof![Just(Address::ZERO), address()],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(challengeDuration, nonce, participants, app, ledgerChannel, virtualChannel)| {
                Channel::Params {
                    challengeDuration,
                    nonce,
                    participants,
                    app,
                    ledgerChannel,
                    virtualChannel,
                }
            },
        )
}

/// An asset.
pub fn asset() -> impl Strategy<Value = Channel::Asset> {
    (uint(), address(), bytes(40)).prop_map(|(chainID, ethHolder, ccHolder)| Channel::Asset {
        chainID,
        ethHolder,
        ccHolder,
    })
}

/// A sub-allocation over `assets` assets with an index map of 1 to 5 entries.
pub fn sub_alloc(assets: usize) -> impl Strategy<Value = Channel::SubAlloc> {
    (b256(), vec(uint(), assets), vec(0u16..8, 1..=5)).prop_map(|(ID, balances, indexMap)| {
        Channel::SubAlloc {
            ID,
            balances,
            indexMap,
        }
    })
}

/// An allocation for `participants` participants with 1 to 3 assets and 0 to 4 sub-allocations.
pub fn allocation(participants: usize) -> impl Strategy<Value = Channel::Allocation> {
    (1usize..=3).prop_flat_map(move |assets| {
        (
            vec(asset(), assets),
            vec(uint(), assets),
            vec(vec(uint(), participants), assets),
            vec(sub_alloc(assets), 0..=4),
        )
            .prop_map(|(assets, backends, balances, locked)| Channel::Allocation {
                assets,
                backends,
                balances,
                locked,
            })
    })
}

/// A state of a channel with `participants` participants.
pub fn state(participants: usize) -> impl Strategy<Value = Channel::State> {
    (
        b256(),
        any::<u64>(),
        allocation(participants),
        bytes(300),
        any::<bool>(),
    )
        .prop_map(
            |(channelID, version, outcome, appData, isFinal)| Channel::State {
                channelID,
                version,
                outcome,
                appData,
                isFinal,
            },
        )
}

/// Params with 2 to 8 participants and a state of that channel (its ID set from the params).
pub fn channel() -> impl Strategy<Value = (Channel::Params, Channel::State)> {
    params(2..=8).prop_flat_map(|p| {
        let n = p.participants.len();
        (Just(p), state(n)).prop_map(|(p, mut s)| {
            s.channelID = perun_channel::hash::channel_id(&p);
            (p, s)
        })
    })
}

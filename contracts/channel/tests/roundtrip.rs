//! Property tests: encodings round-trip through the calldata views, and hashing the calldata
//! bytes equals hashing the value.

use alloy_sol_types::SolValue;
use perun_channel::calldata::{
    Args, ArrayRef, ParamsRef, SignedStateRef, StateRef, View, WithdrawalAuthRef,
};
use perun_channel::hash;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer as rnd;
use proptest::prelude::*;

/// The view of `abi.encode(x)`: the struct starts after the leading `0x20` word.
fn view<'a, T: View<'a>>(enc: &'a [u8]) -> T {
    T::at(enc, 32).expect("struct views check nothing until read")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn params_round_trip_through_the_calldata_view(params in rnd::params(2..=8)) {
        let enc = params.abi_encode();
        let v: ParamsRef = view(&enc);
        prop_assert_eq!(Channel::Params::try_from(v).unwrap(), params.clone());
        prop_assert_eq!(v.encoding().unwrap(), &enc[32..]);
        prop_assert_eq!(v.id().unwrap(), hash::channel_id(&params));
        prop_assert_eq!(Channel::Params::abi_decode(&enc).unwrap(), params);
    }

    #[test]
    fn states_round_trip_through_the_calldata_view((_, state) in rnd::channel()) {
        let enc = state.abi_encode();
        let v: StateRef = view(&enc);
        prop_assert_eq!(Channel::State::try_from(v).unwrap(), state.clone());
        prop_assert_eq!(v.encoding().unwrap(), &enc[32..]);
        prop_assert_eq!(v.hash().unwrap(), hash::hash_state(&state));
        prop_assert_eq!(Channel::State::abi_decode(&enc).unwrap(), state);
    }

    #[test]
    fn withdrawal_auths_round_trip_through_the_calldata_view(
        channel in rnd::b256(), participant in rnd::participant(),
        receiver in rnd::address(), amount in rnd::uint(),
    ) {
        let auth = WithdrawalAuth { channelID: channel, participant, receiver, amount };
        let enc = auth.abi_encode();
        let v: WithdrawalAuthRef = view(&enc);
        prop_assert_eq!(WithdrawalAuth::try_from(v).unwrap(), auth.clone());
        prop_assert_eq!(v.hash().unwrap(), hash::hash_withdrawal(&auth));
        let d = v.decode().unwrap();
        prop_assert_eq!(
            (d.channel_id, d.participant, d.hash, d.amount, d.receiver),
            (channel, auth.participant.ethAddress, hash::hash_withdrawal(&auth), amount, receiver)
        );
    }

    #[test]
    fn register_arguments_round_trip_as_function_arguments(
        (params, state) in rnd::channel(), subs in proptest::collection::vec(rnd::channel(), 0..3),
    ) {
        let signed = |(p, s): (Channel::Params, Channel::State)| {
            let sigs = (0..p.participants.len()).map(|i| vec![i as u8; 65].into()).collect();
            Channel::SignedState { params: p, state: s, sigs }
        };
        let channel = signed((params, state));
        let subs: Vec<_> = subs.into_iter().map(signed).collect();
        // The arguments of `register(SignedState, SignedState[])`, after the selector.
        let args = (channel.clone(), subs.clone()).abi_encode_params();
        let a = Args::new(&args);
        let got: SignedStateRef = a.get(0).expect("first argument");
        prop_assert_eq!(Channel::SignedState::try_from(got).unwrap(), channel);
        let got_subs: ArrayRef<SignedStateRef> = a.get(1).expect("second argument");
        let owned: Vec<_> = (0..got_subs.len())
            .map(|i| Channel::SignedState::try_from(got_subs.get(i).unwrap()).unwrap())
            .collect();
        prop_assert_eq!(owned, subs);
    }
}

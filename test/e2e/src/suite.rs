//! The deployed suite as the parties use it: deposits, registrations, conclusions and
//! withdrawals sent as their transactions (calldata from `perun_verifier::calldata`), and the
//! views of dispute records and holdings.

use crate::abi::{IAssetHolder, IDisputes};
use crate::channel::{Party, Signed};
use crate::deployment::Deployment;
use crate::error::Result;
use crate::node::{Node, Receipt};
use alloy_primitives::{Bytes, B256, U256};
use alloy_sol_types::SolCall;
use perun_channel::sol::Channel;
use perun_verifier::calldata;

/// The suite on a node. Each call is a transaction of the party named, labelled
/// `"<what> (<party>)"` in the gas table.
pub struct Suite<'a> {
    /// The node.
    pub node: &'a Node,
    /// Where the suite is.
    pub deployment: &'a Deployment,
}

fn label(what: &str, party: &Party) -> String {
    format!("{what} ({})", party.name)
}

impl Suite<'_> {
    /// Deposits `amount` wei for `party` in channel `id` at the ETH holder.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn deposit(&self, party: &Party, id: B256, amount: U256, what: &str) -> Result<Receipt> {
        let call = IAssetHolder::depositCall {
            fundingID: party.funding_id(id),
            amount,
        };
        self.send(
            party,
            self.deployment.asset_holder_eth,
            amount,
            call.abi_encode(),
            what,
        )
    }

    /// The Adjudicator's `register(channel, subChannels)`.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn register(
        &self,
        party: &Party,
        channel: &Signed,
        subs: &[&Signed],
        what: &str,
    ) -> Result<Receipt> {
        let subs: Vec<Channel::SignedState> = subs.iter().map(|s| s.signed_state()).collect();
        let data = calldata::register(&channel.signed_state(), &subs);
        self.send(party, self.deployment.adjudicator, U256::ZERO, data, what)
    }

    /// The Adjudicator's `conclude(params, state, subStates)`.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn conclude(
        &self,
        party: &Party,
        channel: &Signed,
        subs: &[&Signed],
        what: &str,
    ) -> Result<Receipt> {
        let subs: Vec<Channel::State> = subs.iter().map(|s| s.state.clone()).collect();
        let data = calldata::conclude(&channel.params, &channel.state, &subs);
        self.send(party, self.deployment.adjudicator, U256::ZERO, data, what)
    }

    /// The Adjudicator's `concludeFinal(params, state, sigs)`.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn conclude_final(&self, party: &Party, channel: &Signed, what: &str) -> Result<Receipt> {
        let data = calldata::conclude_final(&channel.params, &channel.state, &channel.sigs);
        self.send(party, self.deployment.adjudicator, U256::ZERO, data, what)
    }

    /// The registry's `register(channel)`: the direct path for a virtual channel.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn registry_register(
        &self,
        party: &Party,
        channel: &Signed,
        what: &str,
    ) -> Result<Receipt> {
        let data = calldata::registry_register(&channel.signed_state());
        self.send(party, self.deployment.registry, U256::ZERO, data, what)
    }

    /// The registry's `conclude(params, state)`: the direct path for a virtual channel.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn registry_conclude(
        &self,
        party: &Party,
        channel: &Signed,
        what: &str,
    ) -> Result<Receipt> {
        let data = calldata::registry_conclude(&channel.params, &channel.state);
        self.send(party, self.deployment.registry, U256::ZERO, data, what)
    }

    /// Withdraws `amount` of `party`'s funds in channel `id` from the ETH holder to itself.
    ///
    /// # Errors
    /// What sending fails with.
    pub fn withdraw(&self, party: &Party, id: B256, amount: U256, what: &str) -> Result<Receipt> {
        let (auth, sig) = party.withdrawal(id, amount);
        let data = calldata::withdraw(&auth, &sig);
        self.send(
            party,
            self.deployment.asset_holder_eth,
            U256::ZERO,
            data,
            what,
        )
    }

    /// The dispute record under key `id`: a ledger channel's ID, or a sub-channel's or virtual
    /// channel's ID bound to its funding (the Adjudicator answers for virtual channels from the
    /// registry).
    ///
    /// # Errors
    /// What the call fails with.
    pub fn record(&self, id: B256) -> Result<IDisputes::disputesReturn> {
        let call = IDisputes::disputesCall { channelID: id };
        self.node.view(self.deployment.adjudicator, &call)
    }

    /// What the ETH holder holds for `party` in channel `id`.
    ///
    /// # Errors
    /// What the call fails with.
    pub fn holdings(&self, party: &Party, id: B256) -> Result<U256> {
        let call = IAssetHolder::holdingsCall {
            fundingID: party.funding_id(id),
        };
        self.node.view(self.deployment.asset_holder_eth, &call)
    }

    /// Whether the ETH holder has the outcome of channel `id`.
    ///
    /// # Errors
    /// What the call fails with.
    pub fn settled(&self, id: B256) -> Result<bool> {
        let call = IAssetHolder::settledCall { channelID: id };
        self.node.view(self.deployment.asset_holder_eth, &call)
    }

    fn send(
        &self,
        party: &Party,
        to: alloy_primitives::Address,
        value: U256,
        data: impl Into<Bytes>,
        what: &str,
    ) -> Result<Receipt> {
        self.node
            .send(&party.signer, to, value, data.into(), &label(what, party))
    }
}

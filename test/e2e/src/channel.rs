//! Off-chain channel work with `perun-channel`: parties and their keys, params, states signed by
//! every participant, sub-allocations, withdrawal authorizations, and the document a party's
//! `perun-verify watch` reads.

use crate::error::{Error, Result};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use perun_channel::hash::{channel_id, eth_signed_digest, funding_id, hash_state};
use perun_channel::native::Signer;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_verifier::schema::{
    Addr, ChannelDoc, Contracts, Document, ParamsDoc, SignedStateDoc, Uint,
};

/// A channel participant with its key.
pub struct Party {
    /// Its name in the run.
    pub name: &'static str,
    /// Its key.
    pub signer: Signer,
    key: B256,
}

impl Party {
    /// The party `name`, whose key is `keccak256("perun-e2e " ‖ name)`.
    ///
    /// # Errors
    /// [`Error::Parse`] in the negligible case that the hash is not a valid key.
    pub fn new(name: &'static str) -> Result<Self> {
        let key = keccak256(format!("perun-e2e {name}"));
        let signer = Signer::from_bytes(&key.0).map_err(|e| Error::parse(name, e))?;
        Ok(Party { name, signer, key })
    }

    /// The Ethereum address.
    pub fn address(&self) -> Address {
        self.signer.address()
    }

    /// The private key as `0x`-hex, for the command lines of forge and `perun-verify`.
    pub fn key_hex(&self) -> String {
        self.key.to_string()
    }

    /// As a channel participant (no key on another chain).
    pub fn participant(&self) -> Channel::Participant {
        Channel::Participant {
            ethAddress: self.address(),
            ccAddress: Bytes::new(),
        }
    }

    /// The party's funding ID in channel `id`.
    pub fn funding_id(&self, id: B256) -> B256 {
        funding_id(id, self.address())
    }

    /// An authorization to withdraw `amount` of the party's funds in channel `id` to itself,
    /// signed by the party.
    pub fn withdrawal(&self, id: B256, amount: U256) -> (WithdrawalAuth, Bytes) {
        let auth = WithdrawalAuth {
            channelID: id,
            participant: self.participant(),
            receiver: self.address(),
            amount,
        };
        let sig = self.signer.sign_withdrawal(&auth);
        (auth, Bytes::copy_from_slice(&sig.to_bytes()))
    }
}

/// The params of a channel between `parties` without an app: a ledger channel, or a virtual
/// one (`ledger` false).
pub fn params(
    parties: &[&Party],
    nonce: u64,
    challenge_duration: u64,
    ledger: bool,
) -> Channel::Params {
    Channel::Params {
        challengeDuration: U256::from(challenge_duration),
        nonce: U256::from(nonce),
        participants: parties.iter().map(|p| p.participant()).collect(),
        app: Address::ZERO,
        ledgerChannel: ledger,
        virtualChannel: !ledger,
    }
}

/// Ether held by `holder` on chain `chain_id`.
pub fn eth_asset(chain_id: u64, holder: Address) -> Channel::Asset {
    Channel::Asset {
        chainID: U256::from(chain_id),
        ethHolder: holder,
        ccHolder: Bytes::new(),
    }
}

/// What a channel locks for a sub-channel: its ID, its total, and where each of its
/// participants sits in the parent.
pub fn sub_alloc(sub: &Channel::Params, total: U256, index_map: Vec<u16>) -> Channel::SubAlloc {
    Channel::SubAlloc {
        ID: channel_id(sub),
        balances: vec![total],
        indexMap: index_map,
    }
}

/// A state of a channel in one asset.
pub fn state(
    params: &Channel::Params,
    version: u64,
    asset: &Channel::Asset,
    balances: &[U256],
    locked: Vec<Channel::SubAlloc>,
    is_final: bool,
) -> Channel::State {
    Channel::State {
        channelID: channel_id(params),
        version,
        outcome: Channel::Allocation {
            assets: vec![asset.clone()],
            backends: vec![U256::ZERO],
            balances: vec![balances.to_vec()],
            locked,
        },
        appData: Bytes::new(),
        isFinal: is_final,
    }
}

/// A state with its params and the signature of every participant.
#[derive(Clone, Debug)]
pub struct Signed {
    /// The channel's params.
    pub params: Channel::Params,
    /// The state.
    pub state: Channel::State,
    /// The participants' signatures, in participant order.
    pub sigs: Vec<Bytes>,
}

impl Signed {
    /// `state` of `params`, signed by `parties` (the participants, in order).
    pub fn new(params: &Channel::Params, state: Channel::State, parties: &[&Party]) -> Self {
        let digest = eth_signed_digest(hash_state(&state));
        let sigs = parties
            .iter()
            .map(|p| Bytes::copy_from_slice(&p.signer.sign_digest(&digest).to_bytes()))
            .collect();
        Signed {
            params: params.clone(),
            state,
            sigs,
        }
    }

    /// As the contracts take it.
    pub fn signed_state(&self) -> Channel::SignedState {
        Channel::SignedState {
            params: self.params.clone(),
            state: self.state.clone(),
            sigs: self.sigs.clone(),
        }
    }
}

/// The document of the states a party holds (verifier/SCHEMA.md), naming the deployed
/// Adjudicator and registry; `channels` gives each channel's name, params and states, oldest
/// first.
pub fn document(
    chain_id: u64,
    adjudicator: Address,
    registry: Address,
    channels: &[(&str, &Channel::Params, &[Signed])],
) -> Document {
    Document {
        chain_id: Uint(U256::from(chain_id)),
        contracts: Some(Contracts {
            adjudicator: Some(Addr(adjudicator)),
            registry: Some(Addr(registry)),
        }),
        channels: channels
            .iter()
            .map(|(name, params, states)| ChannelDoc {
                name: Some((*name).to_owned()),
                params: ParamsDoc::from(*params),
                states: states
                    .iter()
                    .map(|s| {
                        let sigs: Vec<Option<Bytes>> = s.sigs.iter().cloned().map(Some).collect();
                        SignedStateDoc::new(&s.state, &sigs)
                    })
                    .collect(),
            })
            .collect(),
        virtual_channels: Vec::new(),
        withdrawals: Vec::new(),
    }
}

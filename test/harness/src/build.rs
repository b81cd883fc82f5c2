//! Channels, states, sub-allocations and signatures for scenarios: a channel is a set of
//! deterministic test keys with its params; states are built per asset and participant, and
//! signed by every participant as go-perun clients sign them.

use crate::sign::sign_state;
use crate::world::{Addresses, CHAIN_ID};
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::hash::{channel_id, funding_id};
use perun_channel::native::Signer;
use perun_channel::sol::Channel;
use perun_randomizer::test_signer;

/// The challenge duration of every scenario channel, in seconds.
pub const CHALLENGE: u64 = 60;

/// An asset of the worlds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssetKind {
    /// ETH, held by the ETH holder.
    Eth,
    /// The ERC20 test token, held by the ERC20 holder.
    Erc20,
}

impl AssetKind {
    /// The `Asset` entry of a state.
    pub fn asset(self, at: &Addresses) -> Channel::Asset {
        Channel::Asset {
            chainID: U256::from(CHAIN_ID),
            ethHolder: self.holder(at),
            ccHolder: Bytes::new(),
        }
    }

    /// The holder contract of the asset.
    pub fn holder(self, at: &Addresses) -> Address {
        match self {
            AssetKind::Eth => at.eth_holder,
            AssetKind::Erc20 => at.erc20_holder,
        }
    }
}

/// The address of test key `k`.
pub fn address(k: u64) -> Address {
    test_signer(k).address()
}

/// A channel: its participants' test keys and its params.
#[derive(Clone, Debug)]
pub struct Chan {
    /// The test key of each participant, in order.
    pub keys: Vec<u64>,
    /// The params.
    pub params: Channel::Params,
    /// The channel ID.
    pub id: B256,
}

impl Chan {
    /// A channel of the participants with keys `keys`.
    pub fn new(keys: &[u64], app: Address, ledger: bool, virtual_: bool, nonce: u64) -> Self {
        let params = Channel::Params {
            challengeDuration: U256::from(CHALLENGE),
            nonce: U256::from(nonce),
            participants: keys
                .iter()
                .map(|&k| Channel::Participant {
                    ethAddress: address(k),
                    ccAddress: Bytes::new(),
                })
                .collect(),
            app,
            ledgerChannel: ledger,
            virtualChannel: virtual_,
        };
        let id = channel_id(&params);
        Chan {
            keys: keys.to_vec(),
            params,
            id,
        }
    }

    /// A ledger channel without app.
    pub fn ledger(keys: &[u64], nonce: u64) -> Self {
        Self::new(keys, Address::ZERO, true, false, nonce)
    }

    /// A sub-channel (neither ledger nor virtual) with `app`.
    pub fn sub(keys: &[u64], app: Address, nonce: u64) -> Self {
        Self::new(keys, app, false, false, nonce)
    }

    /// A virtual channel (no app).
    pub fn virtual_(keys: &[u64], nonce: u64) -> Self {
        Self::new(keys, Address::ZERO, false, true, nonce)
    }

    /// The number of participants.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether the channel has no participants.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Participant `i`'s address.
    ///
    /// # Panics
    /// If the channel has no participant `i` (a bug in the caller, which builds the channel).
    pub fn address(&self, i: usize) -> Address {
        address(self.keys[i])
    }

    /// Participant `i`'s signer.
    ///
    /// # Panics
    /// If the channel has no participant `i`.
    pub fn signer(&self, i: usize) -> Signer {
        test_signer(self.keys[i])
    }

    /// Participant `i`'s funding ID.
    ///
    /// # Panics
    /// If the channel has no participant `i`.
    pub fn funding_id(&self, i: usize) -> B256 {
        funding_id(self.id, self.address(i))
    }

    /// A state: `balances[asset][participant]`, nothing locked, empty app data.
    pub fn state(
        &self,
        version: u64,
        assets: &[Channel::Asset],
        balances: Vec<Vec<U256>>,
        is_final: bool,
    ) -> Channel::State {
        Channel::State {
            channelID: self.id,
            version,
            outcome: Channel::Allocation {
                assets: assets.to_vec(),
                backends: vec![U256::ZERO; assets.len()],
                balances,
                locked: Vec::new(),
            },
            appData: Bytes::new(),
            isFinal: is_final,
        }
    }

    /// Every participant's signature on `state`.
    pub fn sigs(&self, state: &Channel::State) -> Vec<Bytes> {
        (0..self.len())
            .map(|i| sign_state(&self.signer(i), state))
            .collect()
    }

    /// `state` with its params and every participant's signature.
    pub fn signed(&self, state: &Channel::State) -> Channel::SignedState {
        Channel::SignedState {
            params: self.params.clone(),
            state: state.clone(),
            sigs: self.sigs(state),
        }
    }
}

/// What a state holds in total per asset: its balances and what it locks.
///
/// # Panics
/// If a balance row or a locked entry has fewer entries than the state has assets (states of
/// this module's builders never do).
pub fn totals(state: &Channel::State) -> Vec<U256> {
    let o = &state.outcome;
    (0..o.assets.len())
        .map(|a| {
            let own: U256 = o.balances[a].iter().copied().sum();
            let locked: U256 = o.locked.iter().map(|l| l.balances[a]).sum();
            own + locked
        })
        .collect()
}

/// Locks `sub`'s funds (its `sub_state`'s totals) in `parent`, mapping the sub-channel's
/// participants to the parent's by `index_map`.
pub fn lock(
    parent: &mut Channel::State,
    sub: &Chan,
    sub_state: &Channel::State,
    index_map: &[u16],
) {
    parent.outcome.locked.push(Channel::SubAlloc {
        ID: sub.id,
        balances: totals(sub_state),
        indexMap: index_map.to_vec(),
    });
}

/// `n` ether (10^18 wei).
pub fn ether(n: u64) -> U256 {
    U256::from(n) * U256::from(10u64.pow(18))
}

//! Owned copies of calldata views: every field read through the checked views into the `sol!`
//! types (for tests and off-chain tools).

use crate::calldata::{
    AllocationRef, ArrayRef, AssetRef, BytesRef, DecodeError, ParamsRef, ParticipantRef,
    SignedStateRef, StateRef, SubAllocRef, WithdrawalAuthRef,
};
use crate::sol::{Channel, WithdrawalAuth};
use alloc::vec::Vec;
use alloy_primitives::Bytes;

type Result<T> = core::result::Result<T, DecodeError>;

fn bytes(b: BytesRef<'_>) -> Bytes {
    Bytes::copy_from_slice(b.as_slice())
}

fn each<'a, T: crate::calldata::Dynamic<'a>, U>(
    a: ArrayRef<'a, T>,
    f: impl Fn(T) -> Result<U>,
) -> Result<Vec<U>> {
    (0..a.len()).map(|i| f(a.get(i)?)).collect()
}

impl TryFrom<ParticipantRef<'_>> for Channel::Participant {
    type Error = DecodeError;
    fn try_from(p: ParticipantRef<'_>) -> Result<Self> {
        Ok(Channel::Participant {
            ethAddress: p.eth_address()?,
            ccAddress: bytes(p.cc_address()?),
        })
    }
}

impl TryFrom<ParamsRef<'_>> for Channel::Params {
    type Error = DecodeError;
    fn try_from(p: ParamsRef<'_>) -> Result<Self> {
        Ok(Channel::Params {
            challengeDuration: p.challenge_duration()?,
            nonce: p.nonce()?,
            participants: each(p.participants()?, TryInto::try_into)?,
            app: p.app()?,
            ledgerChannel: p.ledger_channel()?,
            virtualChannel: p.virtual_channel()?,
        })
    }
}

impl TryFrom<AssetRef<'_>> for Channel::Asset {
    type Error = DecodeError;
    fn try_from(a: AssetRef<'_>) -> Result<Self> {
        Ok(Channel::Asset {
            chainID: a.chain_id()?,
            ethHolder: a.eth_holder()?,
            ccHolder: bytes(a.cc_holder()?),
        })
    }
}

impl TryFrom<SubAllocRef<'_>> for Channel::SubAlloc {
    type Error = DecodeError;
    fn try_from(s: SubAllocRef<'_>) -> Result<Self> {
        let index_map = s.index_map()?;
        Ok(Channel::SubAlloc {
            ID: s.id()?,
            balances: s.balances()?.words().collect(),
            indexMap: (0..index_map.len())
                .map(|i| index_map.get(i))
                .collect::<Result<_>>()?,
        })
    }
}

impl TryFrom<AllocationRef<'_>> for Channel::Allocation {
    type Error = DecodeError;
    fn try_from(a: AllocationRef<'_>) -> Result<Self> {
        Ok(Channel::Allocation {
            assets: each(a.assets()?, TryInto::try_into)?,
            backends: a.backends()?.words().collect(),
            balances: each(a.balances()?, |row| Ok(row.words().collect()))?,
            locked: each(a.locked()?, TryInto::try_into)?,
        })
    }
}

impl TryFrom<StateRef<'_>> for Channel::State {
    type Error = DecodeError;
    fn try_from(s: StateRef<'_>) -> Result<Self> {
        Ok(Channel::State {
            channelID: s.channel_id()?,
            version: s.version()?,
            outcome: s.outcome()?.try_into()?,
            appData: bytes(s.app_data()?),
            isFinal: s.is_final()?,
        })
    }
}

impl TryFrom<SignedStateRef<'_>> for Channel::SignedState {
    type Error = DecodeError;
    fn try_from(s: SignedStateRef<'_>) -> Result<Self> {
        Ok(Channel::SignedState {
            params: s.params()?.try_into()?,
            state: s.state()?.try_into()?,
            sigs: each(s.sigs()?, |b| Ok(bytes(b)))?,
        })
    }
}

impl TryFrom<WithdrawalAuthRef<'_>> for WithdrawalAuth {
    type Error = DecodeError;
    fn try_from(a: WithdrawalAuthRef<'_>) -> Result<Self> {
        Ok(WithdrawalAuth {
            channelID: a.channel_id()?,
            participant: a.participant()?.try_into()?,
            receiver: a.receiver()?,
            amount: a.amount()?,
        })
    }
}

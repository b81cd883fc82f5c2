//! Scenario steps: the transactions of every Perun operation (who sends what to which contract)
//! and the passage of time, and running a list of them on both worlds.

use crate::abi;
use crate::build::{AssetKind, Chan};
use crate::pair::{Both, Divergence, Pair};
use crate::sign::sign_auth;
use crate::world::Addresses;
use alloy_primitives::{Address, Bytes, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};

/// One transaction of a scenario.
#[derive(Clone, Debug)]
pub struct Call {
    /// What it is, for reports and divergences.
    pub label: String,
    /// The sender.
    pub from: Address,
    /// The contract called.
    pub to: Address,
    /// The calldata.
    pub data: Vec<u8>,
    /// The ETH sent.
    pub value: U256,
}

/// A step of a scenario.
#[derive(Clone, Debug)]
pub enum Step {
    /// A transaction.
    Call(Call),
    /// Time passes: the block time moves forward by this many seconds.
    Advance(u64),
}

impl Step {
    fn call(
        label: impl Into<String>,
        from: Address,
        to: Address,
        data: Vec<u8>,
        value: U256,
    ) -> Self {
        Step::Call(Call {
            label: label.into(),
            from,
            to,
            data,
            value,
        })
    }
}

/// Participant `i` of `chan` deposits `amount` of `asset` for itself (an ERC20 deposit is an
/// approval, then the deposit).
pub fn deposit(at: &Addresses, chan: &Chan, i: usize, asset: AssetKind, amount: U256) -> Vec<Step> {
    let from = chan.address(i);
    let data = abi::deposit(chan.funding_id(i), amount);
    match asset {
        AssetKind::Eth => vec![Step::call(
            format!("deposit ETH {i}"),
            from,
            at.eth_holder,
            data,
            amount,
        )],
        AssetKind::Erc20 => vec![
            Step::call(
                format!("approve {i}"),
                from,
                at.token,
                abi::approve(at.erc20_holder, amount),
                U256::ZERO,
            ),
            Step::call(
                format!("deposit ERC20 {i}"),
                from,
                at.erc20_holder,
                data,
                U256::ZERO,
            ),
        ],
    }
}

/// `from` registers `signed` with its sub-channels' signed states.
pub fn register(
    at: &Addresses,
    label: &str,
    from: Address,
    signed: &Channel::SignedState,
    subs: &[Channel::SignedState],
) -> Step {
    Step::call(
        label,
        from,
        at.adjudicator,
        abi::register(signed, subs),
        U256::ZERO,
    )
}

/// Participant `actor` moves `chan` from `old` to `new` by force-execution.
pub fn progress(
    at: &Addresses,
    chan: &Chan,
    old: &Channel::State,
    new: &Channel::State,
    actor: usize,
) -> Step {
    let sig = crate::sign::sign_state(&chan.signer(actor), new);
    Step::call(
        "progress",
        chan.address(actor),
        at.adjudicator,
        abi::progress(&chan.params, old, new, actor, &sig),
        U256::ZERO,
    )
}

/// `from` concludes `chan` at `state` with its sub-channels' states.
pub fn conclude(
    at: &Addresses,
    label: &str,
    from: Address,
    chan: &Chan,
    state: &Channel::State,
    subs: &[Channel::State],
) -> Step {
    Step::call(
        label,
        from,
        at.adjudicator,
        abi::conclude(&chan.params, state, subs),
        U256::ZERO,
    )
}

/// `from` concludes `chan` at its final `state`, signed by all.
pub fn conclude_final(at: &Addresses, from: Address, chan: &Chan, state: &Channel::State) -> Step {
    Step::call(
        "concludeFinal",
        from,
        at.adjudicator,
        abi::conclude_final(&chan.params, state, &chan.sigs(state)),
        U256::ZERO,
    )
}

/// Participant `i` of `chan` withdraws `amount` of `asset` to itself.
pub fn withdraw(at: &Addresses, chan: &Chan, i: usize, asset: AssetKind, amount: U256) -> Step {
    let who = chan.address(i);
    let auth = WithdrawalAuth {
        channelID: chan.id,
        participant: Channel::Participant {
            ethAddress: who,
            ccAddress: Bytes::new(),
        },
        receiver: who,
        amount,
    };
    let sig = sign_auth(&chan.signer(i), &auth);
    let name = match asset {
        AssetKind::Eth => "withdraw ETH",
        AssetKind::Erc20 => "withdraw ERC20",
    };
    Step::call(
        format!("{name} {i}"),
        who,
        asset.holder(at),
        abi::withdraw(&auth, &sig),
        U256::ZERO,
    )
}

/// `from` registers a virtual channel directly in the registry.
pub fn registry_register(
    at: &Addresses,
    label: &str,
    from: Address,
    signed: &Channel::SignedState,
) -> Step {
    Step::call(
        label,
        from,
        at.registry,
        abi::registry_register(signed),
        U256::ZERO,
    )
}

/// `from` concludes a virtual channel directly in the registry.
pub fn registry_conclude(
    at: &Addresses,
    label: &str,
    from: Address,
    chan: &Chan,
    state: &Channel::State,
) -> Step {
    Step::call(
        label,
        from,
        at.registry,
        abi::registry_conclude(&chan.params, state),
        U256::ZERO,
    )
}

impl Pair {
    /// Runs `steps` on both worlds; returns each transaction's results, labelled.
    ///
    /// # Errors
    /// The first divergence.
    pub fn run(&mut self, steps: &[Step]) -> Result<Vec<(String, Both)>, Divergence> {
        let mut out = Vec::new();
        for step in steps {
            match step {
                Step::Advance(s) => self.advance(*s),
                Step::Call(c) => {
                    let both = self.call(&c.label, c.from, c.to, c.data.clone(), c.value)?;
                    out.push((c.label.clone(), both));
                }
            }
        }
        Ok(out)
    }
}

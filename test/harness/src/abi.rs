//! Calldata of every function of the Adjudicator, the registry, the asset holders, the ERC20
//! test token and the apps, with the selectors taken from the Solidity mirrors' build output
//! (so they are checked against solc, not derived from the Stylus programs under test).

use crate::artifacts::{load, ArtifactError};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::sol::{Channel, WithdrawalAuth};
use std::sync::OnceLock;

/// The selectors of every function the harness calls.
#[derive(Debug, Clone)]
pub struct Selectors {
    /// Adjudicator `register`.
    pub register: [u8; 4],
    /// Adjudicator `progress`.
    pub progress: [u8; 4],
    /// Adjudicator `conclude`.
    pub conclude: [u8; 4],
    /// Adjudicator `concludeFinal`.
    pub conclude_final: [u8; 4],
    /// Adjudicator `channelID`.
    pub channel_id: [u8; 4],
    /// Adjudicator `hashState`.
    pub hash_state: [u8; 4],
    /// Adjudicator and registry `disputes`.
    pub disputes: [u8; 4],
    /// Adjudicator `registry`.
    pub registry: [u8; 4],
    /// Registry `register` (the direct path).
    pub registry_register: [u8; 4],
    /// Registry `conclude` (the direct path).
    pub registry_conclude: [u8; 4],
    /// Registry and asset holder `adjudicator`.
    pub adjudicator: [u8; 4],
    /// Asset holder `deposit`.
    pub deposit: [u8; 4],
    /// Asset holder `withdraw`.
    pub withdraw: [u8; 4],
    /// Asset holder `holdings`.
    pub holdings: [u8; 4],
    /// Asset holder `settled`.
    pub settled: [u8; 4],
    /// Asset holder `setOutcome`.
    pub set_outcome: [u8; 4],
    /// ERC20 `approve`.
    pub approve: [u8; 4],
    /// ERC20 `balanceOf`.
    pub balance_of: [u8; 4],
    /// Test token `mint`.
    pub mint: [u8; 4],
}

impl Selectors {
    /// Reads the selectors from the artifacts.
    ///
    /// # Errors
    /// If an artifact is missing or lacks a function.
    pub fn load() -> Result<Self, ArtifactError> {
        let adj = load("Adjudicator")?;
        let reg = load("VirtualChannelRegistry")?;
        let eth = load("AssetHolderETH")?;
        let token = load("TestToken")?;
        Ok(Selectors {
            register: adj.selector("register")?,
            progress: adj.selector("progress")?,
            conclude: adj.selector("conclude")?,
            conclude_final: adj.selector("concludeFinal")?,
            channel_id: adj.selector("channelID")?,
            hash_state: adj.selector("hashState")?,
            disputes: adj.selector("disputes")?,
            registry: adj.selector("registry")?,
            registry_register: reg.selector("register")?,
            registry_conclude: reg.selector("conclude")?,
            adjudicator: reg.selector("adjudicator")?,
            deposit: eth.selector("deposit")?,
            withdraw: eth.selector("withdraw")?,
            holdings: eth.selector("holdings")?,
            settled: eth.selector("settled")?,
            set_outcome: eth.selector("setOutcome")?,
            approve: token.selector("approve")?,
            balance_of: token.selector("balanceOf")?,
            mint: token.selector("mint")?,
        })
    }
}

/// The selectors, loaded once.
///
/// # Panics
/// If forge's artifacts are missing: the message says to run `script/forge build`.
pub fn sel() -> &'static Selectors {
    static SEL: OnceLock<Selectors> = OnceLock::new();
    SEL.get_or_init(|| Selectors::load().unwrap_or_else(|e| panic!("{e}")))
}

fn call<T: SolValue>(selector: [u8; 4], args: T) -> Vec<u8>
where
    for<'a> T::SolType: alloy_sol_types::SolType<Token<'a>: alloy_sol_types::abi::TokenSeq<'a>>,
{
    let mut data = selector.to_vec();
    data.extend(args.abi_encode_params());
    data
}

/// `register(SignedState channel, SignedState[] subChannels)`.
pub fn register(channel: &Channel::SignedState, subs: &[Channel::SignedState]) -> Vec<u8> {
    call(sel().register, (channel.clone(), subs.to_vec()))
}

/// `progress(Params, State stateOld, State state, uint256 actorIdx, bytes sig)`.
pub fn progress(
    params: &Channel::Params,
    old: &Channel::State,
    new: &Channel::State,
    actor: usize,
    sig: &[u8],
) -> Vec<u8> {
    call(
        sel().progress,
        (
            params.clone(),
            old.clone(),
            new.clone(),
            U256::from(actor),
            Bytes::copy_from_slice(sig),
        ),
    )
}

/// `conclude(Params, State, State[] subStates)`.
pub fn conclude(
    params: &Channel::Params,
    state: &Channel::State,
    subs: &[Channel::State],
) -> Vec<u8> {
    call(
        sel().conclude,
        (params.clone(), state.clone(), subs.to_vec()),
    )
}

/// `concludeFinal(Params, State, bytes[] sigs)`.
pub fn conclude_final(params: &Channel::Params, state: &Channel::State, sigs: &[Bytes]) -> Vec<u8> {
    call(
        sel().conclude_final,
        (params.clone(), state.clone(), sigs.to_vec()),
    )
}

/// `channelID(Params)`.
pub fn channel_id(params: &Channel::Params) -> Vec<u8> {
    call(sel().channel_id, (params.clone(),))
}

/// `hashState(State)`.
pub fn hash_state(state: &Channel::State) -> Vec<u8> {
    call(sel().hash_state, (state.clone(),))
}

/// `disputes(bytes32)` of the Adjudicator or the registry.
pub fn disputes(id: B256) -> Vec<u8> {
    call(sel().disputes, (id,))
}

/// The registry's `register(SignedState)` (the direct path).
pub fn registry_register(signed: &Channel::SignedState) -> Vec<u8> {
    call(sel().registry_register, (signed.clone(),))
}

/// The registry's `conclude(Params, State)` (the direct path).
pub fn registry_conclude(params: &Channel::Params, state: &Channel::State) -> Vec<u8> {
    call(sel().registry_conclude, (params.clone(), state.clone()))
}

/// An asset holder's `deposit(bytes32 fundingID, uint256 amount)`.
pub fn deposit(funding_id: B256, amount: U256) -> Vec<u8> {
    call(sel().deposit, (funding_id, amount))
}

/// An asset holder's `withdraw(WithdrawalAuth, bytes sig)`.
pub fn withdraw(auth: &WithdrawalAuth, sig: &[u8]) -> Vec<u8> {
    call(sel().withdraw, (auth.clone(), Bytes::copy_from_slice(sig)))
}

/// An asset holder's `holdings(bytes32)`.
pub fn holdings(id: B256) -> Vec<u8> {
    call(sel().holdings, (id,))
}

/// An asset holder's `settled(bytes32)`.
pub fn settled(id: B256) -> Vec<u8> {
    call(sel().settled, (id,))
}

/// An asset holder's `setOutcome(bytes32, Participant[], uint256[])`.
pub fn set_outcome(id: B256, parts: &[Channel::Participant], balances: &[U256]) -> Vec<u8> {
    call(sel().set_outcome, (id, parts.to_vec(), balances.to_vec()))
}

/// ERC20 `approve(address, uint256)`.
pub fn approve(spender: Address, amount: U256) -> Vec<u8> {
    call(sel().approve, (spender, amount))
}

/// ERC20 `balanceOf(address)`.
pub fn balance_of(who: Address) -> Vec<u8> {
    call(sel().balance_of, (who,))
}

/// Test token `mint(address, uint256)`.
pub fn mint(to: Address, amount: U256) -> Vec<u8> {
    call(sel().mint, (to, amount))
}

/// The constructor call of a Stylus program: stylus-sdk's `CONSTRUCTOR_SELECTOR`
/// (`keccak256("stylus_constructor()")[..4]`) and the ABI-encoded arguments.
pub fn stylus_constructor(args: &[Address]) -> Vec<u8> {
    let mut data = alloy_primitives::keccak256("stylus_constructor()")[..4].to_vec();
    for a in args {
        data.extend_from_slice(B256::left_padding_from(a.as_slice()).as_slice());
    }
    data
}

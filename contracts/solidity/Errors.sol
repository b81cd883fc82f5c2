// SPDX-License-Identifier: Apache-2.0
// The custom errors of every Perun contract, declared once; the Rust crates generate theirs from this file.
pragma solidity ^0.8.30;

// ---------------------------------------------------------------------------------------------
// Calldata and signatures
// ---------------------------------------------------------------------------------------------

/// An argument breaks the ABI rules of `perun-channel`'s calldata module: a word, array or
/// `bytes` value past the end of the calldata, an offset or length of 2^32 or more, a value
/// word with bits set outside its type, or a hashed struct (`Params`, `State`,
/// `WithdrawalAuth`) that is not in canonical ABI layout (each tail where the previous one
/// ends, zero padding).
error MalformedCalldata();

/// A signed state does not carry exactly one signature per participant.
error SignatureCountMismatch();

/// A signature is not 65 bytes long.
error InvalidSignatureLength();

/// A signature's `s` is in the upper half of the curve order (EIP-2).
error InvalidSignatureS();

/// A signature's `v` is neither 27 nor 28.
error InvalidSignatureV();

/// A signature does not recover to the address that must have signed.
error InvalidSignature();

// ---------------------------------------------------------------------------------------------
// Channels and states
// ---------------------------------------------------------------------------------------------

/// The operation needs a ledger channel.
error NotLedgerChannel();

/// `state.channelID` is not the ID of the given params.
error InvalidParams();

/// A virtual channel has an app.
error HasApp();

/// A virtual channel, or a final state given to `concludeFinal`, has locked funds.
error HasLockedFunds();

/// `progress` on a channel without an app.
error NoApp();

/// Fewer sub-channel states were given than the locked sub-allocations name.
error SubChannelsTooShort();

/// A sub-channel's ID differs from the sub-allocation that names it.
error SubChannelIDMismatch();

/// Two asset arrays differ: in length, or in an asset's chain ID, holder or cross-chain holder.
error AssetsMismatch();

/// A sub-allocation's per-asset totals differ from its sub-channel's balances plus locked funds.
error SubAllocMismatch();

/// The locked sub-allocations changed in a transition.
error LockedMismatch();

/// A balances array has the wrong length: per asset, per participant, or against the old state.
error BalancesLengthMismatch();

/// A transition changes the total of an asset.
error SumOfBalancesMismatch();

/// A sum of balances overflows 256 bits.
error BalanceOverflow();

/// An index map points outside the parent channel's participants.
error IndexMapOutOfRange();

/// A sub-channel is a ledger channel: only the channel `register` names may be one.
error LedgerSubChannel();

/// A sub-channel's challenge duration exceeds its parent's, so it could hold the parent's
/// conclusion back past the parent's own timeout.
error ChallengeDurationTooLong();

/// Sub-channels are nested deeper than `MAX_DEPTH` (16) levels below the ledger channel.
error NestingTooDeep();

// ---------------------------------------------------------------------------------------------
// Disputes
// ---------------------------------------------------------------------------------------------

/// The channel has no dispute record.
error NotRegistered();

/// A refutation's version is not higher than the registered one.
error VersionTooLow();

/// A refutation was attempted outside the DISPUTE phase.
error NotInDisputePhase();

/// A refutation came at or after the dispute's timeout.
error RefutationTimeoutPassed();

/// The dispute's timeout (extended for force-execution where it applies) has not passed yet.
error TimeoutNotPassed();

/// Force-execution was attempted at or after its timeout.
error TimeoutPassed();

/// The channel is concluded already.
error AlreadyConcluded();

/// The given state is not the registered one.
error WrongState();

/// `progress`'s old state is not the registered one.
error WrongOldState();

/// `progress`'s actor index is not a participant.
error ActorIndexOutOfRange();

/// A transition's version is not the old version plus one.
error VersionNotIncremented();

/// A transition starts from a final state.
error ProgressFromFinalState();

/// `concludeFinal` with a state that is not final.
error StateNotFinal();

// ---------------------------------------------------------------------------------------------
// Asset holders and the registry
// ---------------------------------------------------------------------------------------------

/// Only the Adjudicator may call this.
error OnlyAdjudicator();

/// The participants and balances given to `setOutcome` differ in length.
error OutcomeLengthMismatch();

/// `setOutcome` for a channel that is settled already.
error AlreadySettled();

/// `withdraw` from a channel that is not settled.
error NotSettled();

/// The ETH sent with a deposit differs from its amount, or ETH was sent with a token deposit.
error WrongDepositValue();

/// A withdrawal exceeds the participant's holdings.
error InsufficientHoldings();

/// A withdrawal to a receiver other than the participant takes less than the whole holdings
/// (so its authorization could be replayed while holdings last).
error PartialWithdrawal();

/// A token transfer reverted or returned false.
error TokenTransferFailed();

/// Paying out ETH failed.
error EthTransferFailed();

/// A call re-entered a guarded function.
error Reentrancy();

/// The registry's direct path takes only virtual channels that are not ledger channels.
error NotVirtualChannel();

/// A timeout would not fit in 64 bits (now + challenge duration, or a force-execution extension).
error TimeoutOverflow();

/// An app or an asset holder of this chain that a channel names has no code.
error NoContractCode();

// ---------------------------------------------------------------------------------------------
// Apps
// ---------------------------------------------------------------------------------------------

/// `CounterApp`: the actor is not the participant whose turn it is.
error NotYourTurn();

/// `CounterApp`: the app data is not a counter and turn of the right shape, or does not follow.
error InvalidAppData();

/// `CounterApp`: a transition moved balances; only the counter may change.
error BalancesChanged();

//! Dispute records and their transitions (SPEC section 3), as pure functions of the record and
//! the block time: the Stylus Adjudicator and registry keep records in storage and apply these,
//! the verifier predicts with them. The Solidity mirror's `Disputes.sol` implements the same rules
//! in the same check order.

use crate::error::{Error, Result};
use alloy_primitives::{B256, U256};

/// The phase of a dispute: registered and refutable.
pub const DISPUTE: u8 = 0;
/// The phase of a dispute: in force-execution.
pub const FORCEEXEC: u8 = 1;
/// The phase of a dispute: concluded.
pub const CONCLUDED: u8 = 2;

/// A channel's dispute record: two storage slots (see [`Dispute::to_slots`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dispute {
    /// When the current phase times out (unix seconds).
    pub timeout: u64,
    /// The channel's challenge duration (the low 64 bits of the params', as in v1).
    pub challenge_duration: u64,
    /// The registered state's version.
    pub version: u64,
    /// [`DISPUTE`], [`FORCEEXEC`] or [`CONCLUDED`].
    pub phase: u8,
    /// Whether the channel has an app.
    pub has_app: bool,
    /// The registered state's hash; zero for an unregistered channel.
    pub state_hash: B256,
}

impl Dispute {
    /// Whether the channel is registered: its record holds a state hash.
    pub fn registered(&self) -> bool {
        !self.state_hash.is_zero()
    }

    /// The record in its two storage words, packed as solc packs the Solidity struct: slot 0
    /// holds timeout (bits 0-63), challengeDuration (64-127), version (128-191), phase (192-199)
    /// and hasApp (200-207); slot 1 the state hash.
    pub fn to_slots(&self) -> [B256; 2] {
        // The fields are 64-bit limbs of the word, least significant first (smaller wasm than
        // shifts of 256-bit values).
        let top = u64::from(self.phase) | u64::from(self.has_app) << 8;
        let w = U256::from_limbs([self.timeout, self.challenge_duration, self.version, top]);
        [B256::from(w), self.state_hash]
    }

    /// The record in two storage words written by [`Dispute::to_slots`] (or by the Solidity
    /// mirror).
    pub fn from_slots(slots: [B256; 2]) -> Self {
        // Limbs, not `U256::to`: its failure path formats an error, which would add `core::fmt`
        // to the Stylus programs (the fields fit by construction).
        let [l0, l1, l2, l3] = U256::from_be_bytes(slots[0].0).into_limbs();
        Dispute {
            timeout: l0,
            challenge_duration: l1,
            version: l2,
            phase: l3 as u8,
            has_app: (l3 >> 8) as u8 != 0,
            state_hash: slots[1],
        }
    }

    /// The `disputes` view's return data: `(timeout, challengeDuration, version, phase,
    /// stateHash, hasApp)`, each a word.
    pub fn abi_encode(&self) -> [u8; 192] {
        let mut out = [0u8; 192];
        out[24..32].copy_from_slice(&self.timeout.to_be_bytes());
        out[56..64].copy_from_slice(&self.challenge_duration.to_be_bytes());
        out[88..96].copy_from_slice(&self.version.to_be_bytes());
        out[127] = self.phase;
        out[128..160].copy_from_slice(self.state_hash.as_slice());
        out[191] = u8::from(self.has_app);
        out
    }
}

/// The low 64 bits of a challenge duration: v1 stores `uint64(params.challengeDuration)`.
pub fn challenge_duration(cd: U256) -> u64 {
    cd.as_limbs()[0]
}

/// `now + challengeDuration`, which must fit in 64 bits.
///
/// # Errors
/// [`Error::TimeoutOverflow`].
pub fn deadline(now: u64, challenge_duration: u64) -> Result<u64> {
    now.checked_add(challenge_duration)
        .ok_or(Error::TimeoutOverflow)
}

/// Registers a state, or refutes the registered one with it: the same state again changes
/// nothing (`Ok(None)`); otherwise a registered channel takes only a higher version, in its
/// DISPUTE phase, before its timeout. A first registration times out after the challenge
/// duration, a final state at once; a refutation keeps the timeout it found.
///
/// # Errors
/// [`Error::VersionTooLow`], [`Error::NotInDisputePhase`], [`Error::RefutationTimeoutPassed`],
/// [`Error::TimeoutOverflow`], in that order.
pub fn register(
    old: &Dispute,
    version: u64,
    state_hash: B256,
    challenge_duration_param: U256,
    has_app: bool,
    is_final: bool,
    now: u64,
) -> Result<Option<Dispute>> {
    let cd = challenge_duration(challenge_duration_param);
    let timeout = if old.registered() {
        if old.state_hash == state_hash {
            return Ok(None);
        }
        if old.version >= version {
            return Err(Error::VersionTooLow);
        }
        if old.phase != DISPUTE {
            return Err(Error::NotInDisputePhase);
        }
        if now >= old.timeout {
            return Err(Error::RefutationTimeoutPassed);
        }
        if is_final {
            now
        } else {
            old.timeout
        }
    } else if is_final {
        now
    } else {
        deadline(now, cd)?
    };
    Ok(Some(Dispute {
        timeout,
        challenge_duration: cd,
        version,
        phase: DISPUTE,
        has_app,
        state_hash,
    }))
}

/// The result of [`register`] for a sub-channel registered with its parent: a record the state
/// cannot replace (one of a higher or equal version, in a later phase, or past its refutation
/// window) is kept as it is (`Ok(None)`) instead of reverting. A parent must stay registrable
/// whatever was done to its sub-channels' records first (an adversary can register a
/// sub-channel through a parent of its own and force-execute it, or conclude it, and then no
/// fully signed state of it could ever be given again); the parent then concludes with the
/// record there, which is bound to the funding the parent locked (its key).
///
/// # Errors
/// Any other error of `registered` ([`Error::TimeoutOverflow`] of a first registration).
pub fn kept(registered: Result<Option<Dispute>>) -> Result<Option<Dispute>> {
    match registered {
        Err(Error::VersionTooLow | Error::NotInDisputePhase | Error::RefutationTimeoutPassed) => {
            Ok(None)
        }
        other => other,
    }
}

/// The phase gate of `progress`: once a dispute's timeout has passed, or during force-execution
/// before its timeout.
///
/// # Errors
/// [`Error::NotRegistered`], [`Error::TimeoutNotPassed`], [`Error::TimeoutPassed`] or
/// [`Error::AlreadyConcluded`].
pub fn progress_gate(old: &Dispute, now: u64) -> Result<()> {
    if !old.registered() {
        return Err(Error::NotRegistered);
    }
    match old.phase {
        DISPUTE if now < old.timeout => Err(Error::TimeoutNotPassed),
        DISPUTE => Ok(()),
        FORCEEXEC if now >= old.timeout => Err(Error::TimeoutPassed),
        FORCEEXEC => Ok(()),
        _ => Err(Error::AlreadyConcluded),
    }
}

/// The record after a force-execution step to a state with `version` and `state_hash`.
///
/// # Errors
/// [`Error::TimeoutOverflow`].
pub fn progress(
    version: u64,
    state_hash: B256,
    challenge_duration_param: U256,
    is_final: bool,
    now: u64,
) -> Result<Dispute> {
    let cd = challenge_duration(challenge_duration_param);
    Ok(Dispute {
        timeout: if is_final { now } else { deadline(now, cd)? },
        challenge_duration: cd,
        version,
        phase: FORCEEXEC,
        has_app: true,
        state_hash,
    })
}

/// Concludes a registered channel whose registered state hashes to `state_hash` once its timeout
/// has passed; a channel with an app still in DISPUTE first gets one more challenge duration for
/// force-execution, and that extended timeout is stored. For the channel a `conclude` names
/// (`root`), a concluded record is an error; for a sub-channel it is used as it is (`Ok(None)`).
///
/// # Errors
/// [`Error::NotRegistered`], [`Error::WrongState`], [`Error::AlreadyConcluded`],
/// [`Error::TimeoutOverflow`], [`Error::TimeoutNotPassed`], in that order.
pub fn conclude(old: &Dispute, state_hash: B256, root: bool, now: u64) -> Result<Option<Dispute>> {
    if !old.registered() {
        return Err(Error::NotRegistered);
    }
    if old.state_hash != state_hash {
        return Err(Error::WrongState);
    }
    if old.phase == CONCLUDED {
        return if root {
            Err(Error::AlreadyConcluded)
        } else {
            Ok(None)
        };
    }
    let mut d = *old;
    if d.phase == DISPUTE && d.has_app {
        d.timeout = deadline(d.timeout, d.challenge_duration)?;
    }
    if now < d.timeout {
        return Err(Error::TimeoutNotPassed);
    }
    d.phase = CONCLUDED;
    Ok(Some(d))
}

/// Concludes a channel at once with a final state signed by all, overriding any dispute that
/// is not concluded.
///
/// # Errors
/// [`Error::AlreadyConcluded`].
pub fn conclude_final(
    old: &Dispute,
    version: u64,
    state_hash: B256,
    challenge_duration_param: U256,
    has_app: bool,
    now: u64,
) -> Result<Dispute> {
    if old.registered() && old.phase == CONCLUDED {
        return Err(Error::AlreadyConcluded);
    }
    Ok(Dispute {
        timeout: now,
        challenge_duration: challenge_duration(challenge_duration_param),
        version,
        phase: CONCLUDED,
        has_app,
        state_hash,
    })
}

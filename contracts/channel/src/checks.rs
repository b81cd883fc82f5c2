//! The allocation and signature checks that the contracts and the verifier share.
//!
//! The checks read through the calldata views, in the order and with the errors of the
//! Solidity mirror (contracts/solidity/Adjudicator.sol, Sig.sol), so every implementation
//! reverts with the same error for the same input. Off-chain tools run them on the ABI
//! encoding of owned values, which makes their predictions the contracts' by construction.

use crate::calldata::{AllocationRef, ArrayRef, AssetRef, BytesRef, ParticipantRef, SubAllocRef};
use crate::dispute::challenge_duration;
use crate::error::{Error, Result};
use crate::hash::sub_channel_key;
use crate::sig::{SigError, Signature};
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// Checks that `sig` is participant `index`'s (address `signer`) signature over `digest`:
/// its length, `s` and `v` (in that order), then the recovered address.
///
/// `recover` is the platform's `ecrecover`: the precompile in a contract, libsecp256k1 off
/// chain. It returns `None` where the precompile returns no address.
///
/// # Errors
/// [`Error::Signature`] for malformed bytes or no recovered address (the zero address counts as
/// none), [`Error::WrongSigner`] for another signer.
pub fn check_signature(
    index: usize,
    digest: &B256,
    sig: &[u8],
    signer: Address,
    recover: impl FnOnce(&B256, &Signature) -> Option<Address>,
) -> Result<()> {
    let parsed = Signature::parse(sig).map_err(|error| Error::Signature { index, error })?;
    match recover(digest, &parsed) {
        Some(a) if a == signer && !a.is_zero() => Ok(()),
        Some(a) if !a.is_zero() => Err(Error::WrongSigner { index }),
        _ => Err(Error::Signature {
            index,
            error: SigError::Unrecoverable,
        }),
    }
}

/// Checks that `sigs` holds one signature per participant of `parts` over `digest`, in
/// participant order (`Sig.verifyAll`): the counts, then for each participant its address, its
/// signature's bytes, and the signature.
///
/// # Errors
/// [`Error::SignatureCount`], [`Error::Decode`], or the first failing signature's error.
pub fn verify_all(
    digest: &B256,
    parts: ArrayRef<'_, ParticipantRef<'_>>,
    sigs: ArrayRef<'_, BytesRef<'_>>,
    mut recover: impl FnMut(&B256, &Signature) -> Option<Address>,
) -> Result<()> {
    let n = parts.len();
    if n != sigs.len() {
        return Err(Error::SignatureCount {
            expected: n,
            actual: sigs.len(),
        });
    }
    for i in 0..n {
        let signer = parts.get(i)?.eth_address()?;
        let sig = sigs.get(i)?;
        check_signature(i, digest, sig.as_slice(), signer, &mut recover)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Allocations
// ---------------------------------------------------------------------------------------------

/// The sum of a row of balances.
///
/// # Errors
/// [`Error::BalanceOverflow`].
pub fn row_sum(row: ArrayRef<'_, U256>) -> Result<U256> {
    row.words().try_fold(U256::ZERO, |sum, v| {
        sum.checked_add(v).ok_or(Error::BalanceOverflow)
    })
}

/// The sum of each row of `balances` (one per asset), not counting locked funds.
///
/// # Errors
/// [`Error::Decode`] for a malformed row, [`Error::BalanceOverflow`].
pub fn row_sums(rows: ArrayRef<'_, ArrayRef<'_, U256>>) -> Result<Vec<U256>> {
    (0..rows.len()).map(|a| row_sum(rows.get(a)?)).collect()
}

/// Adds `add` into `totals` element by element; `add` may be longer (its extra entries are
/// ignored, as v1 does), not shorter.
///
/// # Errors
/// [`Error::BalancesLengthMismatch`] if `add` is shorter, [`Error::BalanceOverflow`].
pub fn add_totals(totals: &mut [U256], add: &[U256]) -> Result<()> {
    if add.len() < totals.len() {
        return Err(Error::BalancesLengthMismatch);
    }
    for (x, y) in totals.iter_mut().zip(add) {
        *x = x.checked_add(*y).ok_or(Error::BalanceOverflow)?;
    }
    Ok(())
}

/// Checks that a sub-allocation locks exactly `totals`: the sub-channel's per-asset balances
/// plus what it locks itself.
///
/// # Errors
/// [`Error::SubAllocMismatch`].
pub fn check_equal_totals(locked: ArrayRef<'_, U256>, totals: &[U256]) -> Result<()> {
    let equal = locked.len() == totals.len()
        && totals.iter().enumerate().all(|(i, t)| locked.word(i) == *t);
    if equal {
        Ok(())
    } else {
        Err(Error::SubAllocMismatch)
    }
}

/// Checks a sub-allocation's index map against the sub-channel it locks: one entry per
/// sub-channel participant, each a participant of the channel whose state holds the
/// sub-allocation. `register` checks it for every state it records, so every later fold of the
/// sub-channel's outcome (`conclude`) reads each of its balances once and adds it to a column
/// that exists (in a sub-channel's state, whose rows have one entry per participant; a ledger
/// channel's rows are as all its participants signed them).
///
/// # Errors
/// [`Error::SubAllocMismatch`] if the map's length is not the sub-channel's participant count,
/// [`Error::IndexMapOutOfRange`] if an entry is not below `parent_participants`,
/// [`Error::Decode`] for a malformed entry.
pub fn check_index_map(
    index_map: ArrayRef<'_, u16>,
    sub_participants: usize,
    parent_participants: usize,
) -> Result<()> {
    if index_map.len() != sub_participants {
        return Err(Error::SubAllocMismatch);
    }
    for p in 0..index_map.len() {
        if usize::from(index_map.get(p)?) >= parent_participants {
            return Err(Error::IndexMapOutOfRange);
        }
    }
    Ok(())
}

/// Whether two assets are equal: their chain IDs, then their holders, then their cross-chain
/// holders, stopping at the first difference.
///
/// # Errors
/// [`Error::Decode`].
pub fn asset_equal(a: AssetRef<'_>, b: AssetRef<'_>) -> Result<bool> {
    if a.chain_id()? != b.chain_id()? {
        return Ok(false);
    }
    if a.eth_holder()? != b.eth_holder()? {
        return Ok(false);
    }
    Ok(a.cc_holder()?.as_slice() == b.cc_holder()?.as_slice())
}

/// Checks that two asset arrays are equal.
///
/// # Errors
/// [`Error::AssetsMismatch`], [`Error::Decode`].
pub fn check_assets_equal(
    a: ArrayRef<'_, AssetRef<'_>>,
    b: ArrayRef<'_, AssetRef<'_>>,
) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::AssetsMismatch);
    }
    for i in 0..a.len() {
        if !asset_equal(a.get(i)?, b.get(i)?)? {
            return Err(Error::AssetsMismatch);
        }
    }
    Ok(())
}

/// Whether two sub-allocations are equal: IDs, then the balances arrays and their elements,
/// then the index maps and theirs, stopping at the first difference.
///
/// # Errors
/// [`Error::Decode`].
pub fn sub_alloc_equal(a: SubAllocRef<'_>, b: SubAllocRef<'_>) -> Result<bool> {
    if a.id()? != b.id()? {
        return Ok(false);
    }
    let (ba, bb) = (a.balances()?, b.balances()?);
    if ba.len() != bb.len() || (0..ba.len()).any(|i| ba.word(i) != bb.word(i)) {
        return Ok(false);
    }
    let (ia, ib) = (a.index_map()?, b.index_map()?);
    if ia.len() != ib.len() {
        return Ok(false);
    }
    for i in 0..ia.len() {
        if ia.get(i)? != ib.get(i)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Checks the outcome of a force-execution step (`_requireTransition`): the row counts, the
/// asset counts, the locked funds, then per asset its equality, both row lengths (one balance
/// per participant) and the sums.
///
/// # Errors
/// [`Error::BalancesLengthMismatch`], [`Error::AssetsMismatch`], [`Error::LockedMismatch`],
/// [`Error::BalanceOverflow`], [`Error::SumOfBalancesMismatch`] or [`Error::Decode`].
pub fn check_transition(
    old: AllocationRef<'_>,
    new: AllocationRef<'_>,
    participants: usize,
) -> Result<()> {
    let (old_rows, new_rows) = (old.balances()?, new.balances()?);
    if old_rows.len() != new_rows.len() {
        return Err(Error::BalancesLengthMismatch);
    }
    let (old_assets, new_assets) = (old.assets()?, new.assets()?);
    if old_assets.len() != new_assets.len() {
        return Err(Error::AssetsMismatch);
    }
    let (old_locked, new_locked) = (old.locked()?, new.locked()?);
    if old_locked.len() != new_locked.len() {
        return Err(Error::LockedMismatch);
    }
    for i in 0..old_locked.len() {
        if !sub_alloc_equal(old_locked.get(i)?, new_locked.get(i)?)? {
            return Err(Error::LockedMismatch);
        }
    }
    for a in 0..old_assets.len() {
        if !asset_equal(old_assets.get(a)?, new_assets.get(a)?)? {
            return Err(Error::AssetsMismatch);
        }
        if a >= old_rows.len() {
            return Err(Error::BalancesLengthMismatch);
        }
        let old_row = old_rows.get(a)?;
        if old_row.len() != participants {
            return Err(Error::BalancesLengthMismatch);
        }
        let new_row = new_rows.get(a)?;
        if new_row.len() != participants {
            return Err(Error::BalancesLengthMismatch);
        }
        if row_sum(old_row)? != row_sum(new_row)? {
            return Err(Error::SumOfBalancesMismatch);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sub-channels
// ---------------------------------------------------------------------------------------------

/// The deepest level a sub-channel may sit at: the ledger channel `register` and `conclude`
/// name is at depth 0, the sub-channels it locks at depth 1, and so on down to `MAX_DEPTH`.
/// Both implementations stop deeper trees with `NestingTooDeep()` before they recurse, well
/// within the Stylus program's stack and the EVM's call depth.
pub const MAX_DEPTH: usize = 16;

/// Checks that a sub-channel at depth `depth` may be visited.
///
/// # Errors
/// [`Error::NestingTooDeep`] beyond [`MAX_DEPTH`].
pub fn check_depth(depth: usize) -> Result<()> {
    if depth > MAX_DEPTH {
        Err(Error::NestingTooDeep)
    } else {
        Ok(())
    }
}

/// Checks a sub-channel's params against its parent's: it is not a ledger channel (only the
/// channel `register` names is one; a sub-channel's record is keyed by its funding), and its
/// challenge duration (the low 64 bits, as records keep it) is at most its parent's, so its
/// dispute never outlasts the parent's (SPEC section 10: every channel concludes in bounded
/// time).
///
/// # Errors
/// [`Error::LedgerSubChannel`], [`Error::ChallengeDurationTooLong`].
pub fn check_sub_params(ledger: bool, duration: U256, parent_duration: U256) -> Result<()> {
    if ledger {
        return Err(Error::LedgerSubChannel);
    }
    if challenge_duration(duration) > challenge_duration(parent_duration) {
        return Err(Error::ChallengeDurationTooLong);
    }
    Ok(())
}

/// Checks the shape of a sub-channel's or virtual channel's outcome: one balances row per
/// asset, one balance per participant in each, so that folding it into a parent reads every
/// balance and nothing else.
///
/// # Errors
/// [`Error::BalancesLengthMismatch`], [`Error::Decode`].
pub fn check_shape(alloc: AllocationRef<'_>, participants: usize) -> Result<()> {
    let rows = alloc.balances()?;
    if rows.len() != alloc.assets()?.len() {
        return Err(Error::BalancesLengthMismatch);
    }
    for a in 0..rows.len() {
        if rows.get(a)?.len() != participants {
            return Err(Error::BalancesLengthMismatch);
        }
    }
    Ok(())
}

/// What a channel holds per asset: its balances plus what it locks in sub-channels (each
/// sub-allocation's balances, as `register` checked them against the sub-channels).
///
/// # Errors
/// [`Error::BalanceOverflow`], [`Error::BalancesLengthMismatch`] if a sub-allocation has fewer
/// entries than there are rows, [`Error::Decode`].
pub fn state_totals(alloc: AllocationRef<'_>) -> Result<Vec<U256>> {
    let mut totals = row_sums(alloc.balances()?)?;
    let locked = alloc.locked()?;
    for i in 0..locked.len() {
        let l: Vec<U256> = locked.get(i)?.balances()?.words().collect();
        add_totals(&mut totals, &l)?;
    }
    Ok(totals)
}

/// The record key of the sub-channel that `locked` names in a parent whose outcome is
/// `parent`: its ID bound to the parent's assets and the amounts the parent locks
/// ([`crate::hash::sub_channel_key`]). Read only once the parent state was hashed.
///
/// # Errors
/// [`Error::Decode`].
pub fn locked_key(parent: AllocationRef<'_>, locked: SubAllocRef<'_>) -> Result<B256> {
    let amounts: Vec<U256> = locked.balances()?.words().collect();
    Ok(sub_channel_key(
        locked.id()?,
        parent.assets_encoding()?,
        &amounts,
    ))
}

/// The record key of a sub-channel or virtual channel `id` from its own state's outcome: its ID
/// bound to its assets and totals ([`state_totals`]). Read only once the state was hashed.
///
/// # Errors
/// [`Error::BalanceOverflow`], [`Error::BalancesLengthMismatch`], [`Error::Decode`].
pub fn own_key(id: B256, alloc: AllocationRef<'_>) -> Result<B256> {
    let totals = state_totals(alloc)?;
    Ok(sub_channel_key(id, alloc.assets_encoding()?, &totals))
}

/// Copies a state's balances, row by row.
///
/// # Errors
/// [`Error::Decode`] for a malformed row.
pub fn balances_of(rows: ArrayRef<'_, ArrayRef<'_, U256>>) -> Result<Vec<Vec<U256>>> {
    (0..rows.len())
        .map(|a| Ok(rows.get(a)?.words().collect()))
        .collect()
}

/// Adds a concluded sub-channel's outcome into its parent's (`_fold`): for each of the parent's
/// `assets` and each sub-channel participant `p`, `outcome[a][indexMap[p]] += sub[a][p]`; what
/// is added for an asset must be exactly what the parent locked for it (`locked[a]`, the
/// sub-allocation's balances), so no fold moves more or less than the parent holds for the
/// sub-channel (the record the parent reads is keyed by that funding already; this checks it
/// again where the money moves).
///
/// # Errors
/// [`Error::BalancesLengthMismatch`] if either outcome lacks a row or the sub-channel's row is
/// shorter than the index map, [`Error::Decode`] for a malformed index,
/// [`Error::IndexMapOutOfRange`] if an index is not a column of the parent's row,
/// [`Error::BalanceOverflow`], [`Error::SubAllocMismatch`] if an asset's folded amount is not
/// the locked one.
pub fn fold_sub_outcome(
    outcome: &mut [Vec<U256>],
    assets: usize,
    index_map: ArrayRef<'_, u16>,
    locked: ArrayRef<'_, U256>,
    sub: &[Vec<U256>],
) -> Result<()> {
    for a in 0..assets {
        let (Some(row), Some(sub_row)) = (outcome.get_mut(a), sub.get(a)) else {
            return Err(Error::BalancesLengthMismatch);
        };
        let mut moved = U256::ZERO;
        for p in 0..index_map.len() {
            let amount = *sub_row.get(p).ok_or(Error::BalancesLengthMismatch)?;
            let col = usize::from(index_map.get(p)?);
            let cell = row.get_mut(col).ok_or(Error::IndexMapOutOfRange)?;
            *cell = cell.checked_add(amount).ok_or(Error::BalanceOverflow)?;
            moved = moved.checked_add(amount).ok_or(Error::BalanceOverflow)?;
        }
        if a >= locked.len() || locked.word(a) != moved {
            return Err(Error::SubAllocMismatch);
        }
    }
    Ok(())
}

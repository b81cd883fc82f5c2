//! The allocation and signature checks that the contracts and the verifier share.
//!
//! The checks run on calldata views and on owned values alike, through the `*Access` traits.
//! Their order, and which error each raises, is the order of v1 (SPEC sections 3 and 8), so
//! that every implementation reverts with the same error for the same input.

use crate::calldata::{AllocationRef, AssetRef, SubAllocRef};
use crate::error::{Error, Result};
use crate::sig::{SigError, Signature};
use crate::sol::Channel;
use alloc::vec::Vec;
use alloy_primitives::{Address, B256, U256};

// ---------------------------------------------------------------------------------------------
// Access traits
// ---------------------------------------------------------------------------------------------

/// Read access to a `Channel.Asset`.
pub trait AssetAccess {
    /// `chainID`.
    fn chain_id(&self) -> U256;
    /// `ethHolder`.
    fn eth_holder(&self) -> Address;
    /// `ccHolder`.
    fn cc_holder(&self) -> &[u8];
}

/// Read access to a `Channel.SubAlloc`.
pub trait SubAllocAccess {
    /// `ID`.
    fn id(&self) -> B256;
    /// `balances.length`.
    fn balance_count(&self) -> usize;
    /// `balances[i]`; `i` must be below [`SubAllocAccess::balance_count`].
    fn balance(&self, i: usize) -> U256;
    /// `indexMap.length`.
    fn index_count(&self) -> usize;
    /// `indexMap[i]`; `i` must be below [`SubAllocAccess::index_count`].
    fn index(&self, i: usize) -> u16;
}

/// Read access to a `Channel.Allocation`. Indices must be in range.
pub trait AllocationAccess {
    /// The asset type.
    type Asset<'s>: AssetAccess
    where
        Self: 's;
    /// The sub-allocation type.
    type SubAlloc<'s>: SubAllocAccess
    where
        Self: 's;
    /// `assets.length`.
    fn asset_count(&self) -> usize;
    /// `assets[i]`.
    fn asset(&self, i: usize) -> Self::Asset<'_>;
    /// `balances.length`.
    fn row_count(&self) -> usize;
    /// `balances[a].length`.
    fn row_len(&self, a: usize) -> usize;
    /// `balances[a][p]`.
    fn balance(&self, a: usize, p: usize) -> U256;
    /// `locked.length`.
    fn locked_count(&self) -> usize;
    /// `locked[i]`.
    fn locked(&self, i: usize) -> Self::SubAlloc<'_>;
}

impl AssetAccess for Channel::Asset {
    fn chain_id(&self) -> U256 {
        self.chainID
    }
    fn eth_holder(&self) -> Address {
        self.ethHolder
    }
    fn cc_holder(&self) -> &[u8] {
        &self.ccHolder
    }
}

impl AssetAccess for AssetRef<'_> {
    fn chain_id(&self) -> U256 {
        AssetRef::chain_id(self)
    }
    fn eth_holder(&self) -> Address {
        AssetRef::eth_holder(self)
    }
    fn cc_holder(&self) -> &[u8] {
        AssetRef::cc_holder(self).as_slice()
    }
}

impl SubAllocAccess for Channel::SubAlloc {
    fn id(&self) -> B256 {
        self.ID
    }
    fn balance_count(&self) -> usize {
        self.balances.len()
    }
    fn balance(&self, i: usize) -> U256 {
        self.balances[i]
    }
    fn index_count(&self) -> usize {
        self.indexMap.len()
    }
    fn index(&self, i: usize) -> u16 {
        self.indexMap[i]
    }
}

impl SubAllocAccess for SubAllocRef<'_> {
    fn id(&self) -> B256 {
        SubAllocRef::id(self)
    }
    fn balance_count(&self) -> usize {
        self.balances().len()
    }
    fn balance(&self, i: usize) -> U256 {
        in_range(self.balances().get(i))
    }
    fn index_count(&self) -> usize {
        self.index_map().len()
    }
    fn index(&self, i: usize) -> u16 {
        in_range(self.index_map().get(i))
    }
}

impl AllocationAccess for Channel::Allocation {
    type Asset<'s> = &'s Channel::Asset;
    type SubAlloc<'s> = &'s Channel::SubAlloc;
    fn asset_count(&self) -> usize {
        self.assets.len()
    }
    fn asset(&self, i: usize) -> &Channel::Asset {
        &self.assets[i]
    }
    fn row_count(&self) -> usize {
        self.balances.len()
    }
    fn row_len(&self, a: usize) -> usize {
        self.balances[a].len()
    }
    fn balance(&self, a: usize, p: usize) -> U256 {
        self.balances[a][p]
    }
    fn locked_count(&self) -> usize {
        self.locked.len()
    }
    fn locked(&self, i: usize) -> &Channel::SubAlloc {
        &self.locked[i]
    }
}

impl<'a> AllocationAccess for AllocationRef<'a> {
    type Asset<'s>
        = AssetRef<'a>
    where
        Self: 's;
    type SubAlloc<'s>
        = SubAllocRef<'a>
    where
        Self: 's;
    fn asset_count(&self) -> usize {
        self.assets().len()
    }
    fn asset(&self, i: usize) -> AssetRef<'a> {
        in_range(self.assets().get(i))
    }
    fn row_count(&self) -> usize {
        self.balances().len()
    }
    fn row_len(&self, a: usize) -> usize {
        in_range(self.balances().get(a)).len()
    }
    fn balance(&self, a: usize, p: usize) -> U256 {
        in_range(in_range(self.balances().get(a)).get(p))
    }
    fn locked_count(&self) -> usize {
        self.locked().len()
    }
    fn locked(&self, i: usize) -> SubAllocRef<'a> {
        in_range(self.locked().get(i))
    }
}

impl<T: AssetAccess> AssetAccess for &T {
    fn chain_id(&self) -> U256 {
        (**self).chain_id()
    }
    fn eth_holder(&self) -> Address {
        (**self).eth_holder()
    }
    fn cc_holder(&self) -> &[u8] {
        (**self).cc_holder()
    }
}

impl<T: SubAllocAccess> SubAllocAccess for &T {
    fn id(&self) -> B256 {
        (**self).id()
    }
    fn balance_count(&self) -> usize {
        (**self).balance_count()
    }
    fn balance(&self, i: usize) -> U256 {
        (**self).balance(i)
    }
    fn index_count(&self) -> usize {
        (**self).index_count()
    }
    fn index(&self, i: usize) -> u16 {
        (**self).index(i)
    }
}

/// Unwraps an element the caller indexed within range, as the traits require.
fn in_range<T>(v: Option<T>) -> T {
    v.expect("index in range, as the access traits require")
}

// ---------------------------------------------------------------------------------------------
// Signatures
// ---------------------------------------------------------------------------------------------

/// Checks that a signed state carries one signature per participant.
///
/// # Errors
/// [`Error::SignatureCount`].
pub fn check_signature_count(participants: usize, sigs: usize) -> Result<()> {
    if participants == sigs {
        Ok(())
    } else {
        Err(Error::SignatureCount {
            expected: participants,
            actual: sigs,
        })
    }
}

/// Checks that `sig` is participant `index`'s (address `signer`) signature over `digest`.
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

// ---------------------------------------------------------------------------------------------
// Allocations
// ---------------------------------------------------------------------------------------------

/// Whether two assets are equal in chain ID, holder and cross-chain holder.
pub fn asset_equal(a: &impl AssetAccess, b: &impl AssetAccess) -> bool {
    a.chain_id() == b.chain_id()
        && a.eth_holder() == b.eth_holder()
        && a.cc_holder() == b.cc_holder()
}

/// Checks that two allocations hold the same assets in the same order.
///
/// # Errors
/// [`Error::AssetsMismatch`].
pub fn check_assets_equal(a: &impl AllocationAccess, b: &impl AllocationAccess) -> Result<()> {
    if a.asset_count() != b.asset_count() {
        return Err(Error::AssetsMismatch);
    }
    for i in 0..a.asset_count() {
        if !asset_equal(&a.asset(i), &b.asset(i)) {
            return Err(Error::AssetsMismatch);
        }
    }
    Ok(())
}

/// The sum of row `a` of an allocation's balances.
///
/// # Errors
/// [`Error::BalanceOverflow`].
pub fn row_sum(alloc: &impl AllocationAccess, a: usize) -> Result<U256> {
    (0..alloc.row_len(a)).try_fold(U256::ZERO, |sum, p| {
        sum.checked_add(alloc.balance(a, p))
            .ok_or(Error::BalanceOverflow)
    })
}

/// The per-asset totals of an allocation's balances (one per row), not counting locked funds.
///
/// # Errors
/// [`Error::BalanceOverflow`].
pub fn totals(alloc: &impl AllocationAccess) -> Result<Vec<U256>> {
    (0..alloc.row_count()).map(|a| row_sum(alloc, a)).collect()
}

/// Adds `b` into `a` element by element (`a` and `b` of equal length).
///
/// # Errors
/// [`Error::SubAllocMismatch`] if the lengths differ, [`Error::BalanceOverflow`].
pub fn add_totals(a: &mut [U256], b: &[U256]) -> Result<()> {
    if a.len() != b.len() {
        return Err(Error::SubAllocMismatch);
    }
    for (x, y) in a.iter_mut().zip(b) {
        *x = x.checked_add(*y).ok_or(Error::BalanceOverflow)?;
    }
    Ok(())
}

/// Checks that a sub-allocation locks exactly `totals`: the sub-channel's per-asset balances
/// plus what it locks itself.
///
/// # Errors
/// [`Error::SubAllocMismatch`].
pub fn check_sub_alloc(sub: &impl SubAllocAccess, totals: &[U256]) -> Result<()> {
    let equal = sub.balance_count() == totals.len()
        && totals.iter().enumerate().all(|(i, t)| sub.balance(i) == *t);
    if equal {
        Ok(())
    } else {
        Err(Error::SubAllocMismatch)
    }
}

/// Whether two sub-allocations are equal in ID, balances and index map.
pub fn sub_alloc_equal(a: &impl SubAllocAccess, b: &impl SubAllocAccess) -> bool {
    a.id() == b.id()
        && a.balance_count() == b.balance_count()
        && (0..a.balance_count()).all(|i| a.balance(i) == b.balance(i))
        && a.index_count() == b.index_count()
        && (0..a.index_count()).all(|i| a.index(i) == b.index(i))
}

/// Checks the outcome of a force-execution step: the same assets and locked funds, one balance
/// per participant, and every asset's total unchanged. Checks in v1's order: row counts, asset
/// counts, locked funds, then per asset its equality, row lengths and sums.
///
/// # Errors
/// [`Error::BalancesLengthMismatch`], [`Error::AssetsMismatch`], [`Error::LockedMismatch`],
/// [`Error::BalanceOverflow`] or [`Error::SumOfBalancesMismatch`].
pub fn check_transition(
    old: &impl AllocationAccess,
    new: &impl AllocationAccess,
    participants: usize,
) -> Result<()> {
    if old.row_count() != new.row_count() {
        return Err(Error::BalancesLengthMismatch);
    }
    if old.asset_count() != new.asset_count() {
        return Err(Error::AssetsMismatch);
    }
    let locked_equal = old.locked_count() == new.locked_count()
        && (0..old.locked_count()).all(|i| sub_alloc_equal(&old.locked(i), &new.locked(i)));
    if !locked_equal {
        return Err(Error::LockedMismatch);
    }
    for a in 0..old.asset_count() {
        if !asset_equal(&old.asset(a), &new.asset(a)) {
            return Err(Error::AssetsMismatch);
        }
        // Rows beyond the balances array are missing rows: a length mismatch.
        if a >= old.row_count() || old.row_len(a) != participants || new.row_len(a) != participants
        {
            return Err(Error::BalancesLengthMismatch);
        }
        if row_sum(old, a)? != row_sum(new, a)? {
            return Err(Error::SumOfBalancesMismatch);
        }
    }
    Ok(())
}

/// Copies an allocation's balances, row by row.
pub fn balances_of(alloc: &impl AllocationAccess) -> Vec<Vec<U256>> {
    (0..alloc.row_count())
        .map(|a| (0..alloc.row_len(a)).map(|p| alloc.balance(a, p)).collect())
        .collect()
}

/// Adds a concluded sub-channel's outcome into its parent's: for each of the parent's `assets`
/// and each sub-channel participant `p`, `outcome[a][indexMap[p]] += sub[a][p]`.
///
/// # Errors
/// [`Error::BalancesLengthMismatch`] if either outcome lacks a row or the sub-channel's row is
/// shorter than the index map, [`Error::IndexMapOutOfRange`] if an index is not a column of the
/// parent's row, [`Error::BalanceOverflow`].
pub fn fold_sub_outcome(
    outcome: &mut [Vec<U256>],
    assets: usize,
    sub: &impl SubAllocAccess,
    sub_outcome: &[Vec<U256>],
) -> Result<()> {
    for a in 0..assets {
        let (Some(row), Some(sub_row)) = (outcome.get_mut(a), sub_outcome.get(a)) else {
            return Err(Error::BalancesLengthMismatch);
        };
        for p in 0..sub.index_count() {
            let amount = *sub_row.get(p).ok_or(Error::BalancesLengthMismatch)?;
            let cell = row
                .get_mut(usize::from(sub.index(p)))
                .ok_or(Error::IndexMapOutOfRange)?;
            *cell = cell.checked_add(amount).ok_or(Error::BalanceOverflow)?;
        }
    }
    Ok(())
}

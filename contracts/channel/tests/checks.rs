//! The shared allocation checks: each error case, on the calldata views of encoded values.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::calldata::{AllocationRef, ArrayRef, SubAllocRef, View};
use perun_channel::checks::*;
use perun_channel::sol::Channel;
use perun_channel::Error;

fn u(v: u64) -> U256 {
    U256::from(v)
}

fn asset(chain: u64) -> Channel::Asset {
    Channel::Asset {
        chainID: u(chain),
        ethHolder: Address::repeat_byte(1),
        ccHolder: vec![].into(),
    }
}

fn alloc(balances: Vec<Vec<u64>>, locked: Vec<Channel::SubAlloc>) -> Channel::Allocation {
    Channel::Allocation {
        assets: (0..balances.len() as u64).map(asset).collect(),
        backends: vec![U256::ZERO; balances.len()],
        balances: balances
            .into_iter()
            .map(|r| r.into_iter().map(u).collect())
            .collect(),
        locked,
    }
}

fn sub(id: u8, balances: Vec<u64>, index_map: Vec<u16>) -> Channel::SubAlloc {
    Channel::SubAlloc {
        ID: B256::repeat_byte(id),
        balances: balances.into_iter().map(u).collect(),
        indexMap: index_map,
    }
}

/// Runs `check_transition` on the encodings of two allocations.
fn transition(old: &Channel::Allocation, new: &Channel::Allocation, n: usize) -> Result<(), Error> {
    let (a, b) = (old.abi_encode(), new.abi_encode());
    check_transition(
        AllocationRef::at(&a, 32).unwrap(),
        AllocationRef::at(&b, 32).unwrap(),
        n,
    )
}

#[test]
fn a_transition_that_keeps_totals_passes() {
    let old = alloc(
        vec![vec![5, 5], vec![1, 0]],
        vec![sub(9, vec![2, 2], vec![0, 1])],
    );
    let new = alloc(
        vec![vec![10, 0], vec![0, 1]],
        vec![sub(9, vec![2, 2], vec![0, 1])],
    );
    assert_eq!(transition(&old, &new, 2), Ok(()));
}

#[test]
fn transition_errors_come_in_v1_order() {
    let base = alloc(vec![vec![5, 5]], vec![]);
    let mut more_rows = base.clone();
    more_rows.balances.push(vec![u(0), u(0)]);
    assert_eq!(
        transition(&base, &more_rows, 2),
        Err(Error::BalancesLengthMismatch)
    );

    let mut other_assets = base.clone();
    other_assets.assets.push(asset(7));
    assert_eq!(
        transition(&base, &other_assets, 2),
        Err(Error::AssetsMismatch)
    );

    let mut locked = base.clone();
    locked.locked.push(sub(1, vec![0], vec![0]));
    assert_eq!(transition(&base, &locked, 2), Err(Error::LockedMismatch));

    let mut holder = base.clone();
    holder.assets[0].ethHolder = Address::repeat_byte(2);
    assert_eq!(transition(&base, &holder, 2), Err(Error::AssetsMismatch));
    let mut cc = base.clone();
    cc.assets[0].ccHolder = vec![1].into();
    assert_eq!(transition(&base, &cc, 2), Err(Error::AssetsMismatch));

    assert_eq!(
        transition(&base, &base, 3),
        Err(Error::BalancesLengthMismatch)
    );

    let changed = alloc(vec![vec![5, 6]], vec![]);
    assert_eq!(
        transition(&base, &changed, 2),
        Err(Error::SumOfBalancesMismatch)
    );

    let overflow = Channel::Allocation {
        balances: vec![vec![U256::MAX, u(1)]],
        ..base.clone()
    };
    assert_eq!(transition(&base, &overflow, 2), Err(Error::BalanceOverflow));
}

#[test]
fn sub_alloc_totals_must_match() {
    let check = |s: Channel::SubAlloc, totals: &[U256]| {
        let enc = s.abi_encode();
        check_equal_totals(
            SubAllocRef::at(&enc, 32).unwrap().balances().unwrap(),
            totals,
        )
    };
    let totals = [u(3), u(4)];
    assert_eq!(check(sub(1, vec![3, 4], vec![0]), &totals), Ok(()));
    assert_eq!(
        check(sub(1, vec![3, 5], vec![0]), &totals),
        Err(Error::SubAllocMismatch)
    );
    assert_eq!(
        check(sub(1, vec![3], vec![0]), &totals),
        Err(Error::SubAllocMismatch)
    );
    let mut t = vec![u(1), u(1)];
    assert_eq!(add_totals(&mut t, &[u(2), u(3)]), Ok(()));
    assert_eq!(t, vec![u(3), u(4)]);
    assert_eq!(
        add_totals(&mut t, &[u(2), u(3), u(9)]),
        Ok(()),
        "a longer addend is allowed"
    );
    assert_eq!(
        add_totals(&mut t, &[U256::MAX, u(0)]),
        Err(Error::BalanceOverflow)
    );
    assert_eq!(
        add_totals(&mut t, &[u(0)]),
        Err(Error::BalancesLengthMismatch)
    );
}

#[test]
fn sub_outcomes_fold_through_the_index_map() {
    let map = |m: Vec<u16>| m.abi_encode();
    let amounts = |a: Vec<u64>| a.into_iter().map(u).collect::<Vec<U256>>().abi_encode();
    let fold = |outcome: &mut Vec<Vec<U256>>,
                assets: usize,
                m: &[u8],
                locked: &[u8],
                subo: &[Vec<U256>]| {
        fold_sub_outcome(
            outcome,
            assets,
            ArrayRef::<u16>::at(m, 32).unwrap(),
            ArrayRef::<U256>::at(locked, 32).unwrap(),
            subo,
        )
    };
    let mut outcome = vec![vec![u(1), u(1), u(1)]];
    let m = map(vec![2, 0]);
    let seven = amounts(vec![7]);
    assert_eq!(
        fold(&mut outcome, 1, &m, &seven, &[vec![u(3), u(4)]]),
        Ok(())
    );
    assert_eq!(outcome, vec![vec![u(5), u(1), u(4)]]);
    let bad = map(vec![3]);
    assert_eq!(
        fold(&mut outcome, 1, &bad, &amounts(vec![1]), &[vec![u(1)]]),
        Err(Error::IndexMapOutOfRange)
    );
    assert_eq!(
        fold(&mut outcome, 1, &m, &amounts(vec![1]), &[vec![u(1)]]),
        Err(Error::BalancesLengthMismatch)
    );
    assert_eq!(
        fold(
            &mut outcome,
            2,
            &m,
            &amounts(vec![2, 2]),
            &[vec![u(1), u(1)]]
        ),
        Err(Error::BalancesLengthMismatch)
    );
    assert_eq!(
        fold(&mut outcome, 1, &m, &seven, &[vec![U256::MAX, u(0)]]),
        Err(Error::BalanceOverflow)
    );
}

#[test]
fn a_fold_moves_exactly_what_the_parent_locked() {
    let m = vec![1u16, 0].abi_encode();
    let map = ArrayRef::<u16>::at(&m, 32).unwrap();
    let locked = |a: Vec<u64>| a.into_iter().map(u).collect::<Vec<U256>>().abi_encode();
    let fold = |locked: &[u8], subo: &[Vec<U256>]| {
        let mut outcome = vec![vec![u(0), u(0)]];
        let l = ArrayRef::<U256>::at(locked, 32).unwrap();
        fold_sub_outcome(&mut outcome, 1, map, l, subo).map(|()| outcome)
    };
    assert_eq!(
        fold(&locked(vec![5]), &[vec![u(2), u(3)]]),
        Ok(vec![vec![u(3), u(2)]])
    );
    // One wei more or less than the parent locked, or an entry the index map does not reach:
    // the sub-channel's outcome is not the funding the parent locked.
    assert_eq!(
        fold(&locked(vec![5]), &[vec![u(2), u(4)]]),
        Err(Error::SubAllocMismatch)
    );
    assert_eq!(
        fold(&locked(vec![5]), &[vec![u(2), u(2)]]),
        Err(Error::SubAllocMismatch)
    );
    assert_eq!(
        fold(&locked(vec![]), &[vec![u(2), u(3)]]),
        Err(Error::SubAllocMismatch)
    );
    let short = vec![0u16].abi_encode();
    let mut outcome = vec![vec![u(0), u(0)]];
    assert_eq!(
        fold_sub_outcome(
            &mut outcome,
            1,
            ArrayRef::<u16>::at(&short, 32).unwrap(),
            ArrayRef::<U256>::at(&locked(vec![5]), 32).unwrap(),
            &[vec![u(2), u(3)]],
        ),
        Err(Error::SubAllocMismatch)
    );
}

#[test]
fn row_sums_and_balances_read_every_row() {
    let a = alloc(vec![vec![1, 2], vec![3, 4]], vec![]);
    let enc = a.abi_encode();
    let rows = AllocationRef::at(&enc, 32).unwrap().balances().unwrap();
    assert_eq!(row_sums(rows), Ok(vec![u(3), u(7)]));
    assert_eq!(balances_of(rows), Ok(a.balances.clone()));
}

//! The shared allocation checks: each error case, and equal results on views and owned values.

use alloy_primitives::{Address, B256, U256};
use alloy_sol_types::SolValue;
use perun_channel::calldata::{AllocationRef, Decode};
use perun_channel::checks::*;
use perun_channel::sol::Channel;
use perun_channel::Error;
use perun_randomizer as rnd;
use proptest::prelude::*;

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
    assert_eq!(check_transition(&old, &new, 2), Ok(()));
}

#[test]
fn transition_errors_come_in_v1_order() {
    let base = alloc(vec![vec![5, 5]], vec![]);
    let mut more_rows = base.clone();
    more_rows.balances.push(vec![u(0), u(0)]);
    assert_eq!(
        check_transition(&base, &more_rows, 2),
        Err(Error::BalancesLengthMismatch)
    );

    let mut other_assets = base.clone();
    other_assets.assets.push(asset(7));
    assert_eq!(
        check_transition(&base, &other_assets, 2),
        Err(Error::AssetsMismatch)
    );

    let mut locked = base.clone();
    locked.locked.push(sub(1, vec![0], vec![0]));
    assert_eq!(
        check_transition(&base, &locked, 2),
        Err(Error::LockedMismatch)
    );

    let mut holder = base.clone();
    holder.assets[0].ethHolder = Address::repeat_byte(2);
    assert_eq!(
        check_transition(&base, &holder, 2),
        Err(Error::AssetsMismatch)
    );
    let mut cc = base.clone();
    cc.assets[0].ccHolder = vec![1].into();
    assert_eq!(check_transition(&base, &cc, 2), Err(Error::AssetsMismatch));

    assert_eq!(
        check_transition(&base, &base, 3),
        Err(Error::BalancesLengthMismatch)
    );

    let changed = alloc(vec![vec![5, 6]], vec![]);
    assert_eq!(
        check_transition(&base, &changed, 2),
        Err(Error::SumOfBalancesMismatch)
    );

    let overflow = Channel::Allocation {
        balances: vec![vec![U256::MAX, u(1)]],
        ..base.clone()
    };
    assert_eq!(
        check_transition(&base, &overflow, 2),
        Err(Error::BalanceOverflow)
    );
}

#[test]
fn sub_alloc_totals_must_match() {
    let totals = [u(3), u(4)];
    assert_eq!(
        check_sub_alloc(&sub(1, vec![3, 4], vec![0]), &totals),
        Ok(())
    );
    assert_eq!(
        check_sub_alloc(&sub(1, vec![3, 5], vec![0]), &totals),
        Err(Error::SubAllocMismatch)
    );
    assert_eq!(
        check_sub_alloc(&sub(1, vec![3], vec![0]), &totals),
        Err(Error::SubAllocMismatch)
    );
    let mut t = vec![u(1), u(1)];
    assert_eq!(add_totals(&mut t, &[u(2), u(3)]), Ok(()));
    assert_eq!(t, vec![u(3), u(4)]);
    assert_eq!(
        add_totals(&mut t, &[U256::MAX, u(0)]),
        Err(Error::BalanceOverflow)
    );
    assert_eq!(add_totals(&mut t, &[u(0)]), Err(Error::SubAllocMismatch));
}

#[test]
fn sub_outcomes_fold_through_the_index_map() {
    let mut outcome = vec![vec![u(1), u(1), u(1)]];
    let s = sub(1, vec![7], vec![2, 0]);
    assert_eq!(
        fold_sub_outcome(&mut outcome, 1, &s, &[vec![u(3), u(4)]]),
        Ok(())
    );
    assert_eq!(outcome, vec![vec![u(5), u(1), u(4)]]);
    let bad = sub(1, vec![7], vec![3]);
    assert_eq!(
        fold_sub_outcome(&mut outcome, 1, &bad, &[vec![u(1)]]),
        Err(Error::IndexMapOutOfRange)
    );
    assert_eq!(
        fold_sub_outcome(&mut outcome, 1, &s, &[vec![u(1)]]),
        Err(Error::BalancesLengthMismatch)
    );
    assert_eq!(
        fold_sub_outcome(&mut outcome, 2, &s, &[vec![u(1), u(1)]]),
        Err(Error::BalancesLengthMismatch)
    );
    assert_eq!(
        fold_sub_outcome(&mut outcome, 1, &s, &[vec![U256::MAX, u(0)]]),
        Err(Error::BalanceOverflow)
    );
}

#[test]
fn signature_count_must_equal_participants() {
    assert_eq!(check_signature_count(2, 2), Ok(()));
    assert_eq!(
        check_signature_count(2, 1),
        Err(Error::SignatureCount {
            expected: 2,
            actual: 1
        })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// The checks give the same result on a calldata view as on the owned value.
    #[test]
    fn checks_agree_on_views_and_owned_values(a in rnd::allocation(3), b in rnd::allocation(3), n in 2usize..4) {
        let (ea, eb) = (a.abi_encode(), b.abi_encode());
        let va = AllocationRef::decode(&ea, 32).unwrap();
        let vb = AllocationRef::decode(&eb, 32).unwrap();
        prop_assert_eq!(check_transition(&va, &vb, n), check_transition(&a, &b, n));
        prop_assert_eq!(check_transition(&va, &va, n), check_transition(&a, &a, n));
        prop_assert_eq!(check_assets_equal(&va, &vb), check_assets_equal(&a, &b));
        prop_assert_eq!(totals(&va), totals(&a));
        prop_assert_eq!(balances_of(&va), a.balances.clone());
    }
}

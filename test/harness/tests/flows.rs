//! Every named flow of the gas report succeeds step by step with identical results (status,
//! return data, logs) on the Stylus programs and the Solidity mirrors, and leaves every
//! account's and both holders' ETH and token balances equal in the two worlds.

use perun_harness::build::{address, AssetKind};
use perun_harness::flows::{self, Flow};
use perun_harness::pair::Pair;
use perun_harness::world::Addresses;

fn run(flow: Flow) {
    let accounts: Vec<_> = (0..8).map(address).collect();
    let mut pair = Pair::new(&accounts).unwrap_or_else(|e| panic!("{e}"));
    let results = pair
        .run(&flow.steps)
        .unwrap_or_else(|d| panic!("{}: {d}", flow.name));
    for (label, both) in &results {
        assert!(
            both.success(),
            "{}: {label} failed: {:?}",
            flow.name,
            both.solidity
        );
    }
    pair.compare_state(&flow.name, &[], &accounts)
        .unwrap_or_else(|d| panic!("{}: {d}", flow.name));
}

#[test]
fn happy_close_with_two_to_eight_parties_and_two_assets() {
    let at = Addresses::new();
    run(flows::happy_close(&at, 2, &[AssetKind::Eth], 1));
    run(flows::happy_close(
        &at,
        2,
        &[AssetKind::Eth, AssetKind::Erc20],
        2,
    ));
    run(flows::happy_close(&at, 8, &[AssetKind::Erc20], 3));
}

#[test]
fn dispute_close_with_and_without_refutation() {
    let at = Addresses::new();
    run(flows::dispute_close(&at, false, 1));
    run(flows::dispute_close(&at, true, 2));
}

#[test]
fn force_execution_with_the_trivial_app() {
    run(flows::force_execution(&Addresses::new(), 1));
}

#[test]
fn sub_channels_up_to_eight() {
    let at = Addresses::new();
    run(flows::sub_channels(&at, 2, 1, true, 1));
    run(flows::sub_channels(&at, 3, 8, false, 2));
}

#[test]
fn virtual_channels_by_both_paths() {
    let at = Addresses::new();
    run(flows::virtual_v1(&at, 1));
    run(flows::virtual_direct(&at, 10));
}

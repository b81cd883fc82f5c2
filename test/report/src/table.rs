//! The report's measurements: each operation and flow of the reference set measured on our
//! implementations, beside the reference figures; the curves of register and conclude over
//! participants and sub-channels; and where the Stylus programs' gas goes.

use crate::anchors::{find, Anchor};
use crate::measure::{pick, sum, Gas, MeasureError, StepGas, Worlds};
use perun_engine::profile::GasProfile;
use perun_harness::build::AssetKind;
use perun_harness::flows;
use perun_harness::world::Addresses;

/// One row of the gas table.
#[derive(Clone, Debug)]
pub struct Row {
    /// The operation or flow.
    pub operation: String,
    /// Perun v1.0.0 (perun-eth-contracts, 200 runs), where it has the operation.
    pub v1: Option<u64>,
    /// The 2017 prototype's comparable figure, as written, with what it measures.
    pub prototype: Option<String>,
    /// statechannels Nitro's comparable figure, as written, with what it measures.
    pub nitro: Option<String>,
    /// Ours.
    pub gas: Gas,
}

/// The curves: register and conclude gas by participants (no sub-channels) and by
/// sub-channels (2 participants).
#[derive(Clone, Debug, Default)]
pub struct Curves {
    /// `(participants, register, conclude)` for 2 to 8 participants.
    pub participants: Vec<(usize, Gas, Gas)>,
    /// `(sub-channels, register, conclude)` for 0 to 8 sub-channels.
    pub sub_channels: Vec<(usize, Gas, Gas)>,
}

/// Where the uncached Stylus programs' gas goes in one operation.
#[derive(Clone, Debug)]
pub struct Breakdown {
    /// The operation.
    pub operation: String,
    /// Its whole-transaction gas (Stylus, uncached) and Solidity's.
    pub gas: Gas,
    /// One profile per program call (innermost first).
    pub profiles: Vec<GasProfile>,
}

/// Everything measured.
#[derive(Clone, Debug, Default)]
pub struct Measurements {
    /// The gas table.
    pub rows: Vec<Row>,
    /// The curves.
    pub curves: Curves,
    /// The breakdowns of the single operations.
    pub breakdowns: Vec<Breakdown>,
}

fn v1(anchors: &[Anchor], operation: &str, scenario: &str) -> Option<u64> {
    find(
        anchors,
        "perun-eth-contracts",
        "v1.0.0",
        "200 runs",
        operation,
        scenario,
    )
    .and_then(Anchor::first)
}

fn other(
    anchors: &[Anchor],
    system: &str,
    settings: &str,
    operation: &str,
    scenario: &str,
) -> Option<String> {
    find(anchors, system, "", settings, operation, scenario).map(|a| {
        let what = if a.scenario.is_empty() {
            a.operation.clone()
        } else {
            format!("{}: {}", a.operation, a.scenario)
        };
        format!("{} ({what})", a.gas)
    })
}

fn step(results: &[StepGas], label: &str) -> Result<StepGas, MeasureError> {
    pick(results, label)
        .cloned()
        .ok_or_else(|| MeasureError::Step(format!("no step labelled {label}")))
}

/// Runs every flow of the report. `tick` is called once per flow run (for a progress bar).
///
/// # Errors
/// If a flow fails or the implementations disagree.
pub fn measure(
    anchors: &[Anchor],
    mut tick: impl FnMut(&str),
) -> Result<Measurements, MeasureError> {
    let at = Addresses::new();
    let mut rows = Vec::new();
    let mut breakdowns = Vec::new();
    let mut row = |operation: &str,
                   v1: Option<u64>,
                   prototype: Option<String>,
                   nitro: Option<String>,
                   gas: Gas| {
        rows.push(Row {
            operation: operation.into(),
            v1,
            prototype,
            nitro,
            gas,
        });
    };
    let mut broke = |operation: &str, s: &StepGas| {
        breakdowns.push(Breakdown {
            operation: operation.into(),
            gas: s.gas,
            profiles: s.profiles.clone(),
        });
    };
    let proto_byz = "byzantium";

    tick("dispute close");
    let dispute = Worlds::new()?.run(&flows::dispute_close(&at, false, 1).steps)?;
    let deposit = step(&dispute, "deposit ETH 0")?;
    row(
        "deposit ETH",
        v1(anchors, "deposit ETH", "fresh fundingID"),
        other(
            anchors,
            "perun-2017-prototype",
            proto_byz,
            "confirm (deposit)",
            "first / second party",
        ),
        other(
            anchors,
            "statechannels-nitro",
            "",
            "deposit ETH",
            "first / second",
        ),
        deposit.gas,
    );
    broke("deposit ETH", &deposit);

    tick("ERC20 happy close");
    let erc = Worlds::new()?.run(&flows::happy_close(&at, 2, &[AssetKind::Erc20], 2).steps)?;
    row(
        "deposit ERC20, first depositor (approve not counted)",
        v1(
            anchors,
            "deposit ERC20",
            "first depositor (approve not counted)",
        ),
        None,
        None,
        step(&erc, "deposit ERC20 0")?.gas,
    );
    row(
        "deposit ERC20, second depositor",
        v1(anchors, "deposit ERC20", "second depositor"),
        None,
        None,
        step(&erc, "deposit ERC20 1")?.gas,
    );

    let register = step(&dispute, "register")?;
    row(
        "register (first), 2 parties, no app",
        v1(
            anchors,
            "register",
            "first 2 parties no app no sub-channels",
        ),
        other(
            anchors,
            "perun-2017-prototype",
            proto_byz,
            "stateRegister",
            "first / second party",
        ),
        None,
        register.gas,
    );
    broke("register", &register);

    tick("dispute close with refutation");
    let refuted = Worlds::new()?.run(&flows::dispute_close(&at, true, 3).steps)?;
    let refute = step(&refuted, "refute")?;
    row(
        "refutation (higher version)",
        v1(anchors, "register", "refutation (higher version)"),
        None,
        None,
        refute.gas,
    );
    broke("refutation", &refute);

    tick("force-execution");
    let app = Worlds::new()?.run(&flows::force_execution(&at, 4).steps)?;
    row(
        "register (first), app channel",
        v1(anchors, "register", "first app channel"),
        None,
        None,
        step(&app, "register app")?.gas,
    );
    let progress = step(&app, "progress")?;
    row(
        "progress, trivial app",
        v1(anchors, "progress", "trivial app 1 signature"),
        None,
        None,
        progress.gas,
    );
    broke("progress", &progress);

    let conclude = step(&dispute, "conclude")?;
    row(
        "conclude after timeout",
        v1(anchors, "conclude", "after timeout no sub-channels"),
        None,
        None,
        conclude.gas,
    );
    broke("conclude", &conclude);
    row(
        "conclude after force-execution",
        v1(anchors, "conclude", "after force-execution"),
        None,
        None,
        step(&app, "conclude after force-execution")?.gas,
    );

    tick("happy close");
    let happy = Worlds::new()?.run(&flows::happy_close(&at, 2, &[AssetKind::Eth], 5).steps)?;
    let cf = step(&happy, "concludeFinal")?;
    row(
        "concludeFinal, 2 parties, 1 asset",
        v1(anchors, "concludeFinal", "2 parties 1 asset"),
        other(
            anchors,
            "perun-2017-prototype",
            proto_byz,
            "close (cooperative)",
            "first / second caller",
        ),
        None,
        cf.gas,
    );
    broke("concludeFinal", &cf);
    tick("happy close, 2 assets");
    let two = Worlds::new()?
        .run(&flows::happy_close(&at, 2, &[AssetKind::Eth, AssetKind::Erc20], 6).steps)?;
    row(
        "concludeFinal, 2 parties, ETH + ERC20",
        v1(anchors, "concludeFinal", "2 parties 2 assets (ETH+ERC20)"),
        None,
        None,
        step(&two, "concludeFinal")?.gas,
    );

    let withdraw = step(&dispute, "withdraw ETH 0")?;
    row(
        "withdraw ETH",
        v1(anchors, "withdraw ETH", "signed authorization"),
        None,
        None,
        withdraw.gas,
    );
    broke("withdraw", &withdraw);
    row(
        "withdraw ERC20",
        v1(anchors, "withdraw ERC20", "first"),
        None,
        None,
        step(&erc, "withdraw ERC20 0")?.gas,
    );

    tick("sub-channel");
    let sub = Worlds::new()?.run(&flows::sub_channels(&at, 2, 1, true, 7).steps)?;
    row(
        "register ledger + 1 sub-channel with app",
        v1(anchors, "register", "ledger + 1 sub-channel with app"),
        None,
        None,
        step(&sub, "register 2 parties 1 subs")?.gas,
    );
    row(
        "conclude ledger + 1 sub-channel",
        v1(anchors, "conclude", "ledger + 1 sub-channel"),
        None,
        None,
        step(&sub, "conclude 2 parties 1 subs")?.gas,
    );

    tick("virtual, v1 path");
    let virt = Worlds::new()?.run(&flows::virtual_v1(&at, 100).steps)?;
    for (label, scenario) in [
        (
            "register A-I with V",
            "virtual A-I-B: ledger A-I with the virtual channel",
        ),
        (
            "register I-B with V",
            "virtual A-I-B: ledger I-B with the same virtual channel",
        ),
    ] {
        row(
            &format!("virtual: {label}"),
            v1(anchors, "register", scenario),
            None,
            None,
            step(&virt, label)?.gas,
        );
    }
    for (label, scenario) in [
        ("conclude A-I", "virtual A-I-B: ledger A-I"),
        ("conclude I-B", "virtual A-I-B: ledger I-B"),
    ] {
        row(
            &format!("virtual: {label}"),
            v1(anchors, "conclude", scenario),
            None,
            None,
            step(&virt, label)?.gas,
        );
    }

    // Flows.
    row(
        "flow: happy close (2 deposits, concludeFinal, 2 withdrawals)",
        v1(
            anchors,
            "flow happy close",
            "2 deposits + concludeFinal + 2 withdrawals",
        ),
        other(
            anchors,
            "perun-2017-prototype",
            proto_byz,
            "flow ledger open + cooperative close",
            "deploy + 2 confirms + 2 closes",
        ),
        None,
        sum(&happy, |_| true),
    );
    row(
        "flow: close and pay out (concludeFinal, 2 withdrawals)",
        None,
        None,
        other(
            anchors,
            "statechannels-nitro",
            "",
            "flow happy exit",
            "concludeAndTransferAllAssets 2 parties ETH",
        ),
        sum(&happy, |l| !l.starts_with("deposit")),
    );
    row(
        "flow: dispute close (2 deposits, register, conclude, 2 withdrawals)",
        v1(
            anchors,
            "flow dispute close",
            "2 deposits + register + conclude + 2 withdrawals",
        ),
        None,
        None,
        sum(&dispute, |_| true),
    );
    row(
        "flow: dispute and pay out (register, conclude, 2 withdrawals)",
        None,
        None,
        other(
            anchors,
            "statechannels-nitro",
            "",
            "flow sad exit direct",
            "challenge + transferAllAssets",
        ),
        sum(&dispute, |l| !l.starts_with("deposit")),
    );
    row(
        "flow: dispute close with refutation",
        v1(
            anchors,
            "flow dispute close with refutation",
            "dispute close + 1 refutation",
        ),
        None,
        None,
        sum(&refuted, |_| true),
    );
    let not_funding = |l: &str| !l.starts_with("deposit") && !l.starts_with("withdraw");
    row(
        "flow: virtual dispute, v1 path (2 registers, 2 concludes)",
        v1(
            anchors,
            "flow virtual dispute",
            "2 registers + 2 concludes (deposits and withdrawals not counted)",
        ),
        other(
            anchors,
            "perun-2017-prototype",
            proto_byz,
            "flow virtual channel fully on chain",
            "per ledger 2 stateRegister + execute; plus 2 VPC.close",
        ),
        other(
            anchors,
            "statechannels-nitro",
            "",
            "flow sad exit virtual-funded",
            "challenge ledger + challenge virtual + reclaim + payout",
        ),
        sum(&virt, not_funding),
    );
    tick("virtual, direct path");
    let direct = Worlds::new()?.run(&flows::virtual_direct(&at, 200).steps)?;
    row(
        "flow: virtual dispute, direct path (registry register + conclude, 2 registers, 2 concludes)",
        None,
        None,
        None,
        sum(&direct, not_funding),
    );

    // Curves.
    let mut curves = Curves::default();
    let mut worlds = Worlds::new()?;
    for n in 2..=8 {
        tick("curve: participants");
        let r = worlds.run(&flows::sub_channels(&at, n, 0, false, 1_000 + n as u64).steps)?;
        curves.participants.push((
            n,
            step(&r, &format!("register {n} parties 0 subs"))?.gas,
            step(&r, &format!("conclude {n} parties 0 subs"))?.gas,
        ));
    }
    for k in 0..=8 {
        tick("curve: sub-channels");
        let r = worlds.run(&flows::sub_channels(&at, 2, k, false, 2_000 + k as u64).steps)?;
        curves.sub_channels.push((
            k,
            step(&r, &format!("register 2 parties {k} subs"))?.gas,
            step(&r, &format!("conclude 2 parties {k} subs"))?.gas,
        ));
    }
    Ok(Measurements {
        rows,
        curves,
        breakdowns,
    })
}

/// How many flow runs [`measure`] makes (for a progress bar).
pub const RUNS: usize = 9 + 7 + 9;

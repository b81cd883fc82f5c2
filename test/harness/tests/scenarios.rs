//! The scenario generator and runner on fixed plans: seeds replay exactly, every kind of
//! scenario appears, complete lifecycles succeed at every step, bad input reverts alike in both
//! implementations with the error the verifier predicts, and a contradicted prediction fails.

use alloy_primitives::{Address, Bytes, U256};
use perun_engine::chain::Outcome;
use perun_harness::abi;
use perun_harness::build::Chan;
use perun_harness::ops::Call;
use perun_harness::scenario::compile::compile;
use perun_harness::scenario::coverage::Tally;
use perun_harness::scenario::driver;
use perun_harness::scenario::oracle::{error_selector, Oracle};
use perun_harness::scenario::plan::{
    Action, Amount, AppKind, Assets, CalldataFlaw, Change, Duration, Flaw, Foreign, FundMode,
    ParamsFlaw, Plan, Receiver, Shape, SigFlaw, Signer, Story, SubKind, SubShape, Time, Version,
    Withdrawal,
};
use perun_harness::scenario::run::Runner;
use perun_harness::world::{Addresses, START};
use std::collections::BTreeSet;

fn ledger(parties: u8, assets: Assets, app: AppKind, subs: Vec<SubShape>) -> Shape {
    Shape::Ledger {
        parties,
        repeat: false,
        also_virtual: false,
        assets,
        foreign: Foreign::None,
        app,
        duration: Duration::Normal,
        subs,
    }
}

fn sub(parties: u8, offset: u8, app: AppKind, nested: u8) -> SubShape {
    SubShape {
        parties,
        offset,
        app,
        nested,
        kind: SubKind::Plain,
    }
}

fn plan(shape: Shape, story: Story) -> Plan {
    Plan {
        shape,
        funding: Vec::new(),
        story,
        payee: Receiver::Own,
        extras: Vec::new(),
        flaws: Vec::new(),
    }
}

fn runner() -> Runner {
    Runner::new().unwrap_or_else(|e| panic!("{e}"))
}

/// Runs `plan`; both implementations and the verifier must agree. Returns each call's label
/// and error name (empty on success).
fn run(runner: &mut Runner, plan: &Plan) -> Vec<(String, String)> {
    let sc = compile(plan, &runner.addresses());
    if let Err(f) = runner.run(&sc, &mut Tally::default()) {
        panic!("{f}\nplan: {plan:?}");
    }
    runner
        .trace()
        .iter()
        .map(|t| (t.label.clone(), t.error.clone()))
        .collect()
}

#[test]
fn the_same_seed_gives_the_same_plan_and_steps() {
    let at = Addresses::new();
    for seed in [0, 1, 0xdead_beef, u64::MAX] {
        let (a, b) = (driver::plan(seed), driver::plan(seed));
        assert_eq!(a, b);
        let (x, y) = (compile(&a, &at), compile(&b, &at));
        assert_eq!(format!("{:?}", x.steps), format!("{:?}", y.steps));
    }
    assert_eq!(driver::parse_seed("0x00000000000000ff").ok(), Some(255));
    assert_eq!(driver::parse_seed("ff").ok(), Some(255));
    assert!(driver::parse_seed("xyz").is_err());
}

#[test]
fn every_scenario_kind_appears_among_the_first_thousand_seeds() {
    // The compiled scenario's tags: flaws count only where they were put into a call.
    let at = Addresses::new();
    let seen: BTreeSet<String> = (0..1_000u64)
        .flat_map(|seed| compile(&driver::plan(seed), &at).tags)
        .collect();
    let wanted = [
        "story: Happy",
        "story: Dispute",
        "story: ForceExec",
        "story: SubRefute",
        "story: VirtualV1",
        "story: VirtualDirect",
        "story: Chaos",
        "app: Trivial",
        "app: Counter",
        "sub-channels: 0",
        "sub-channels: 8",
        "sub-channels: nested",
        "sub-channel app: None",
        "sub-channel app: Trivial",
        "assets: Eth",
        "assets: Erc20",
        "assets: Both",
        "parties: 2",
        "parties: 8",
        "parties: a repeated participant",
        "funding: short (underfunded)",
        "funding: over (overfunded)",
        "funding: zero deposit",
        "funding: no deposit (underfunded)",
        "funding: under the channel ID",
        "extra: token ReturnFalse",
        "extra: token Revert",
        "extra: token Fee",
        "extra: token NoReturn",
        "extra: token Reenter",
        "extra: deposit beyond 2^255",
        "extra: Advance",
        "extra: Conclude",
        "extra: garbage calldata",
        "extra: adjudicator-only call by an outsider",
        "extra: withdraw TooMuch signed Own to Own",
        "flaw: signature FlipBit",
        "flaw: signature Swap",
        "flaw: signature Drop",
        "flaw: signature HighS",
        "flaw: signature BadV",
        "flaw: params Nonce",
        "flaw: state Version",
        "flaw: state Locked (re-signed)",
        "flaw: sub-channels Stale",
        "flaw: calldata Truncate",
        "flaw: calldata Flip",
        "flaw: calldata Offset",
        "flaw: ETH value",
        "flaw: unexpected sender",
        "challenge duration: Max",
        "virtual channel with an app",
        "assets: foreign NoCode",
        "assets: foreign Again",
        "assets: foreign AgainShort",
        "sub-channel kind: Ledger",
        "sub-channel kind: Longer",
        "sub-channel kind: Ragged",
        "sub-channel kind: OutOfRange",
        "sub-channel kind: ShortMap",
        "sub-channel kind: OtherAssets",
        "shape: chain of sub-channels",
        "chain depth: 16",
        "chain depth: 17",
        "chain: shortcut through a second ledger channel",
        "funding: the wrong ETH value (refused)",
        "story: first withdrawal to Reentrant",
        "extra: withdraw Half signed Own to Other",
        "flaw: sub-channels Shape",
    ];
    let missing: Vec<_> = wanted.iter().filter(|w| !seen.contains(**w)).collect();
    assert!(missing.is_empty(), "never generated: {missing:?}");
}

#[test]
fn complete_lifecycles_succeed_at_every_step() {
    let mut r = runner();
    let plans = [
        plan(
            ledger(2, Assets::Both, AppKind::None, vec![]),
            Story::Happy {
                version: 2,
                merged: true,
            },
        ),
        plan(
            ledger(8, Assets::Erc20, AppKind::None, vec![]),
            Story::Happy {
                version: 0,
                merged: true,
            },
        ),
        plan(
            ledger(3, Assets::Eth, AppKind::None, vec![]),
            Story::Dispute {
                refutes: 3,
                wait: Time::PastChallenge,
            },
        ),
        plan(
            ledger(2, Assets::Eth, AppKind::Trivial, vec![]),
            Story::ForceExec {
                fin: false,
                target: 0,
                moves: 2,
                last: Change::Final,
            },
        ),
        plan(
            ledger(3, Assets::Both, AppKind::Counter, vec![]),
            Story::ForceExec {
                fin: false,
                target: 0,
                moves: 3,
                last: Change::Valid,
            },
        ),
        plan(
            ledger(
                4,
                Assets::Both,
                AppKind::None,
                (0..8)
                    .map(|j| {
                        sub(
                            2 + j % 3,
                            j,
                            [AppKind::None, AppKind::Trivial, AppKind::Counter][usize::from(j % 3)],
                            j % 3,
                        )
                    })
                    .collect(),
            ),
            Story::SubRefute { sub: 5 },
        ),
        plan(
            ledger(
                3,
                Assets::Eth,
                AppKind::None,
                vec![sub(2, 1, AppKind::Counter, 1)],
            ),
            Story::ForceExec {
                fin: false,
                target: 1,
                moves: 2,
                last: Change::Valid,
            },
        ),
        plan(
            Shape::Ledger {
                parties: 3,
                repeat: false,
                also_virtual: false,
                assets: Assets::Both,
                foreign: Foreign::OtherChain,
                app: AppKind::None,
                duration: Duration::Normal,
                subs: vec![sub(2, 0, AppKind::None, 0)],
            },
            Story::Dispute {
                refutes: 1,
                wait: Time::PastChallenge,
            },
        ),
        plan(
            Shape::Ledger {
                parties: 2,
                repeat: false,
                also_virtual: true,
                assets: Assets::Both,
                foreign: Foreign::None,
                app: AppKind::None,
                duration: Duration::Normal,
                subs: vec![],
            },
            Story::Dispute {
                refutes: 2,
                wait: Time::PastChallenge,
            },
        ),
        plan(
            Shape::Ledger {
                parties: 2,
                repeat: false,
                also_virtual: false,
                assets: Assets::Eth,
                foreign: Foreign::NoHolder,
                app: AppKind::None,
                duration: Duration::Normal,
                subs: vec![],
            },
            Story::Happy {
                version: 1,
                merged: true,
            },
        ),
        plan(
            Shape::Virtual {
                assets: Assets::Both,
                app: false,
            },
            Story::VirtualV1 {
                refute: true,
                first: 1,
            },
        ),
        plan(
            Shape::Virtual {
                assets: Assets::Eth,
                app: false,
            },
            Story::VirtualDirect {
                refute: true,
                final_parent: true,
            },
        ),
        plan(
            Shape::Virtual {
                assets: Assets::Erc20,
                app: false,
            },
            Story::VirtualDirect {
                refute: false,
                final_parent: false,
            },
        ),
    ];
    for p in &plans {
        for (label, error) in run(&mut r, p) {
            assert!(error.is_empty(), "{label} reverted with {error} in {p:?}");
        }
    }
}

/// The error of the first call whose label starts with `prefix`.
fn error_of(trace: &[(String, String)], prefix: &str) -> String {
    trace
        .iter()
        .find(|(l, _)| l.starts_with(prefix))
        .map(|(_, e)| e.clone())
        .unwrap_or_else(|| panic!("no step {prefix} in {trace:?}"))
}

fn flawed(story: Story, at: u8, flaw: Flaw) -> Plan {
    let mut p = plan(ledger(2, Assets::Eth, AppKind::None, vec![]), story);
    p.flaws = vec![(at, flaw)];
    p
}

fn dispute() -> Story {
    Story::Dispute {
        refutes: 0,
        wait: Time::PastChallenge,
    }
}

fn happy() -> Story {
    Story::Happy {
        version: 0,
        merged: true,
    }
}

#[test]
fn bad_input_reverts_alike_with_the_error_the_verifier_predicts() {
    let mut r = runner();
    let cases = [
        (
            flawed(dispute(), 0, Flaw::Sig(SigFlaw::HighS { which: 1 })),
            "register",
            "InvalidSignatureS",
        ),
        (
            flawed(dispute(), 0, Flaw::Sig(SigFlaw::Drop)),
            "register",
            "SignatureCountMismatch",
        ),
        (
            flawed(dispute(), 0, Flaw::Sig(SigFlaw::Swap)),
            "register",
            "InvalidSignature",
        ),
        (
            flawed(dispute(), 0, Flaw::Sig(SigFlaw::WrongKey { which: 0 })),
            "register",
            "InvalidSignature",
        ),
        (
            flawed(dispute(), 0, Flaw::Sig(SigFlaw::BadV { which: 0, v: 1 })),
            "register",
            "InvalidSignatureV",
        ),
        (
            flawed(
                dispute(),
                0,
                Flaw::Sig(SigFlaw::Length { which: 0, len: 64 }),
            ),
            "register",
            "InvalidSignatureLength",
        ),
        (
            flawed(dispute(), 0, Flaw::Params(ParamsFlaw::Nonce)),
            "register",
            "InvalidParams",
        ),
        (
            flawed(dispute(), 0, Flaw::Params(ParamsFlaw::Ledger)),
            "register",
            "NotLedgerChannel",
        ),
        (
            flawed(dispute(), 0, Flaw::Calldata(CalldataFlaw::Truncate(128))),
            "register",
            "(empty)",
        ),
        (flawed(dispute(), 0, Flaw::Value(0)), "register", "(empty)"),
        (flawed(dispute(), 0, Flaw::Sender), "register", ""),
        (
            flawed(dispute(), 2, Flaw::Calldata(CalldataFlaw::Selector)),
            "conclude",
            "(empty)",
        ),
        (
            flawed(
                happy(),
                0,
                Flaw::State {
                    flaw: perun_harness::scenario::plan::StateFlaw::Final,
                    resign: true,
                },
            ),
            "concludeFinal",
            "StateNotFinal",
        ),
        (
            flawed(
                happy(),
                0,
                Flaw::State {
                    flaw: perun_harness::scenario::plan::StateFlaw::Huge,
                    resign: true,
                },
            ),
            "concludeFinal",
            "BalanceOverflow",
        ),
        (
            flawed(
                Story::Dispute {
                    refutes: 0,
                    wait: Time::Tick(3),
                },
                0,
                Flaw::Sender,
            ),
            "conclude",
            "TimeoutNotPassed",
        ),
        (
            flawed(happy(), 1, Flaw::Sig(SigFlaw::FlipBit { which: 0, at: 70 })),
            "withdraw ETH L 0",
            "InvalidSignature",
        ),
    ];
    for (p, step, want) in &cases {
        let trace = run(&mut r, p);
        assert_eq!(&error_of(&trace, step), want, "{step} in {p:?}: {trace:?}");
    }
}

#[test]
fn withdrawals_of_too_much_twice_or_by_another_signer_revert_alike() {
    let mut r = runner();
    let w = |amount, signer, receiver| {
        (
            9u8,
            Action::Withdraw(Withdrawal {
                ledger: 0,
                who: 0,
                asset: 0,
                amount,
                signer,
                receiver,
            }),
        )
    };
    let mut p = plan(ledger(2, Assets::Erc20, AppKind::None, vec![]), happy());
    // Extras inserted in turn: too much at position 1, then another signer at position 1 (so
    // before it), then a withdrawal of participant 0's outcome at position 9 (before the story's
    // own withdrawal of participant 0). So, in order: another signer, too much, the outcome
    // (succeeds), and the story's withdrawal of it again (twice).
    p.extras = vec![
        (
            1,
            Action::Withdraw(Withdrawal {
                ledger: 0,
                who: 0,
                asset: 0,
                amount: Amount::TooMuch,
                signer: Signer::Own,
                receiver: Receiver::Own,
            }),
        ),
        (
            1,
            Action::Withdraw(Withdrawal {
                ledger: 0,
                who: 0,
                asset: 0,
                amount: Amount::Outcome,
                signer: Signer::Other,
                receiver: Receiver::Own,
            }),
        ),
        w(Amount::Outcome, Signer::Own, Receiver::Own),
    ];
    let trace = run(&mut r, &p);
    let withdrawals: Vec<&String> = trace
        .iter()
        .filter(|(l, _)| l.starts_with("withdraw ERC20 L 0"))
        .map(|(_, e)| e)
        .collect();
    assert_eq!(
        withdrawals,
        [
            "InvalidSignature",
            "InsufficientHoldings",
            "",
            "InsufficientHoldings"
        ],
        "{trace:?}"
    );
}

#[test]
fn conclude_of_an_unregistered_channel_and_early_progress_revert_alike() {
    let mut r = runner();
    let mut p = plan(
        ledger(2, Assets::Eth, AppKind::Counter, vec![]),
        Story::Chaos,
    );
    p.extras = vec![
        (
            0,
            Action::Conclude {
                ledger: 0,
                state: Version::Same,
            },
        ),
        (
            1,
            Action::Register {
                ledger: 0,
                version: Version::Next,
                fin: false,
            },
        ),
        (
            2,
            Action::Progress {
                target: 0,
                change: Change::WrongActor,
            },
        ),
        (3, Action::Advance(Time::PastChallenge)),
        (
            4,
            Action::Progress {
                target: 0,
                change: Change::WrongActor,
            },
        ),
        (
            5,
            Action::Progress {
                target: 0,
                change: Change::CounterSkip,
            },
        ),
        (
            6,
            Action::Progress {
                target: 0,
                change: Change::Shift,
            },
        ),
        (
            7,
            Action::Progress {
                target: 0,
                change: Change::Valid,
            },
        ),
    ];
    let trace = run(&mut r, &p);
    let errors: Vec<&str> = trace.iter().map(|(_, e)| e.as_str()).collect();
    let tail = &errors[errors.len() - 7..];
    assert_eq!(
        tail,
        [
            "NotRegistered",
            "",
            "TimeoutNotPassed",
            "NotYourTurn",
            "InvalidAppData",
            "BalancesChanged",
            ""
        ],
        "{trace:?}"
    );
}

#[test]
fn the_oracle_fails_when_the_contracts_contradict_its_prediction() {
    let at = Addresses::new();
    let chan = Chan::ledger(&[0, 1], 7);
    let eth = [perun_harness::build::AssetKind::Eth.asset(&at)];
    let state = chan.state(1, &eth, vec![vec![U256::from(1), U256::from(2)]], false);
    let data = abi::register(&chan.signed(&state), &[]);
    let reverted = |output: Vec<u8>| Outcome {
        success: false,
        output: Bytes::from(output),
        halt: None,
        logs: Vec::new(),
        gas_used: 0,
        created: None,
        trap: None,
    };
    let no_code = |_: Address| false;
    let call = |value| Call {
        label: "register".into(),
        from: chan.address(0),
        to: at.adjudicator,
        data: data.clone(),
        value,
    };
    // The model accepts this registration: a revert contradicts it.
    let mut oracle = Oracle::new(at, START);
    let bad = reverted(error_selector("InvalidSignature").to_vec());
    let err = oracle
        .check(&call(U256::ZERO), &bad, START, no_code)
        .expect_err("a contradicted prediction");
    assert!(err.contains("InvalidSignature"), "{err}");
    // A success without the ChannelUpdate event contradicts it too.
    let mut oracle = Oracle::new(at, START);
    let mut quiet = reverted(Vec::new());
    quiet.success = true;
    assert!(oracle
        .check(&call(U256::ZERO), &quiet, START, no_code)
        .is_err());
    // Value sent to `register` must revert with empty data.
    let mut oracle = Oracle::new(at, START);
    let empty = reverted(Vec::new());
    assert!(oracle
        .check(&call(U256::from(1)), &empty, START, no_code)
        .is_ok());

    // ETH deposits: the value must be the amount, and a success must credit the amount.
    let fid = chan.funding_id(0);
    let deposit = |value: u64| Call {
        label: "deposit".into(),
        from: chan.address(0),
        to: at.eth_holder,
        data: abi::deposit(fid, U256::from(5)),
        value: U256::from(value),
    };
    let deposited = |amount: u64| {
        let mut o = reverted(Vec::new());
        o.success = true;
        o.logs.push(alloy_primitives::Log::new_unchecked(
            at.eth_holder,
            vec![
                alloy_primitives::keccak256("Deposited(bytes32,uint256)"),
                fid,
            ],
            Bytes::copy_from_slice(&U256::from(amount).to_be_bytes::<32>()),
        ));
        o
    };
    let mut oracle = Oracle::new(at, START);
    assert!(oracle
        .check(&deposit(5), &deposited(5), START, no_code)
        .is_ok());
    assert_eq!(oracle.holdings(&at.eth_holder, &fid), U256::from(5));
    let wrong_value = reverted(error_selector("WrongDepositValue").to_vec());
    assert!(oracle
        .check(&deposit(4), &wrong_value, START, no_code)
        .is_ok());
    // A deposit of the wrong value that succeeds, or one that credits another amount, fails.
    assert!(oracle
        .check(&deposit(4), &deposited(4), START, no_code)
        .is_err());
    assert!(oracle
        .check(&deposit(5), &deposited(4), START, no_code)
        .is_err());
}

// ---------------------------------------------------------------------------------------------
// The plan elements that reach the custom errors of every corner
// ---------------------------------------------------------------------------------------------

fn with_foreign(foreign: Foreign, subs: Vec<SubShape>) -> Shape {
    Shape::Ledger {
        parties: 3,
        repeat: false,
        also_virtual: false,
        assets: Assets::Eth,
        foreign,
        app: AppKind::None,
        duration: Duration::Normal,
        subs,
    }
}

fn kind(kind: SubKind) -> SubShape {
    SubShape {
        kind,
        ..sub(2, 1, AppKind::None, 0)
    }
}

/// Runs `plan` like [`run`], returning the trace and the run's tally.
fn run_tally(runner: &mut Runner, plan: &Plan) -> (Vec<(String, String)>, Tally) {
    let sc = compile(plan, &runner.addresses());
    let mut tally = Tally::default();
    if let Err(f) = runner.run(&sc, &mut tally) {
        panic!("{f}\nplan: {plan:?}");
    }
    let trace = runner
        .trace()
        .iter()
        .map(|t| (t.label.clone(), t.error.clone()))
        .collect();
    (trace, tally)
}

/// The errors of every call whose label starts with `prefix`, in order.
fn errors_of<'a>(trace: &'a [(String, String)], prefix: &str) -> Vec<&'a str> {
    trace
        .iter()
        .filter(|(l, _)| l.starts_with(prefix))
        .map(|(_, e)| e.as_str())
        .collect()
}

#[test]
fn the_coverage_lists_every_custom_error_of_errors_sol() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../contracts/solidity/Errors.sol"
    );
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let declared: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("error "))
        .filter_map(|l| l.split('(').next())
        .collect();
    assert_eq!(declared, perun_harness::scenario::coverage::ERRORS);
}

#[test]
fn outcomes_pushed_to_a_codeless_holder_or_twice_to_one_holder_revert_alike() {
    let mut r = runner();
    let cases = [
        (Foreign::NoCode, "NoContractCode"),
        (Foreign::Again, "AlreadySettled"),
        (Foreign::AgainShort, "OutcomeLengthMismatch"),
    ];
    for (foreign, want) in cases {
        // At once, and after a dispute; either way nothing settles, so withdrawals find the
        // channel unsettled.
        for story in [happy(), dispute()] {
            let p = plan(with_foreign(foreign, vec![]), story);
            let trace = run(&mut r, &p);
            let concluded = errors_of(&trace, "conclude");
            assert_eq!(concluded, [want], "{p:?}: {trace:?}");
            for e in errors_of(&trace, "withdraw") {
                assert_eq!(e, "NotSettled", "{p:?}: {trace:?}");
            }
        }
    }
}

#[test]
fn wrong_sub_channels_revert_alike_at_register_or_at_conclude() {
    let mut r = runner();
    // (kind, register's error, conclude's error)
    let cases = [
        (SubKind::Plain, "", ""),
        (SubKind::Ledger, "LedgerSubChannel", "WrongState"),
        (SubKind::Longer, "ChallengeDurationTooLong", "WrongState"),
        (SubKind::Ragged, "BalancesLengthMismatch", "WrongState"),
        // Index maps are checked where they are recorded (SECURITY.md, finding 8).
        (SubKind::OutOfRange, "IndexMapOutOfRange", "NotRegistered"),
        (SubKind::ShortMap, "SubAllocMismatch", "NotRegistered"),
        (SubKind::OtherAssets, "AssetsMismatch", ""),
    ];
    for (k, at_register, at_conclude) in cases {
        let p = plan(with_foreign(Foreign::None, vec![kind(k)]), dispute());
        let trace = run(&mut r, &p);
        assert_eq!(
            error_of(&trace, "register"),
            at_register,
            "{k:?}: {trace:?}"
        );
        // A registration that reverted leaves nothing to conclude.
        let at_conclude = if at_register.is_empty() {
            at_conclude
        } else {
            "NotRegistered"
        };
        assert_eq!(
            error_of(&trace, "conclude"),
            at_conclude,
            "{k:?}: {trace:?}"
        );
    }
}

#[test]
fn a_sub_channel_state_of_the_wrong_shape_is_refused_at_register() {
    let mut r = runner();
    let mut p = plan(
        with_foreign(Foreign::None, vec![sub(2, 0, AppKind::None, 1)]),
        dispute(),
    );
    p.flaws = vec![(
        0,
        Flaw::Subs(perun_harness::scenario::plan::SubsFlaw::Shape),
    )];
    let trace = run(&mut r, &p);
    assert_eq!(
        error_of(&trace, "register"),
        "BalancesLengthMismatch",
        "{trace:?}"
    );
}

#[test]
fn moves_that_change_locked_funds_or_leave_a_final_state_revert_alike() {
    let mut r = runner();
    let locked = plan(
        ledger(
            3,
            Assets::Both,
            AppKind::Trivial,
            vec![sub(2, 0, AppKind::None, 0)],
        ),
        Story::ForceExec {
            target: 0,
            fin: false,
            moves: 1,
            last: Change::Locked,
        },
    );
    let trace = run(&mut r, &locked);
    assert_eq!(
        errors_of(&trace, "progress"),
        ["", "LockedMismatch"],
        "{trace:?}"
    );
    assert_eq!(error_of(&trace, "conclude"), "", "{trace:?}");
    // Without sub-channels, a move that locks funds changes them too.
    let mut bare = locked.clone();
    bare.shape = ledger(2, Assets::Eth, AppKind::Counter, vec![]);
    let trace = run(&mut r, &bare);
    assert_eq!(
        errors_of(&trace, "progress"),
        ["", "LockedMismatch"],
        "{trace:?}"
    );

    // Registered with a final state: no move, and the final state concludes.
    let fin = plan(
        ledger(2, Assets::Eth, AppKind::Trivial, vec![]),
        Story::ForceExec {
            target: 0,
            fin: true,
            moves: 1,
            last: Change::Valid,
        },
    );
    let trace = run(&mut r, &fin);
    assert_eq!(error_of(&trace, "register"), "", "{trace:?}");
    assert_eq!(
        errors_of(&trace, "progress"),
        ["ProgressFromFinalState", "ProgressFromFinalState"],
        "{trace:?}"
    );
    assert_eq!(error_of(&trace, "conclude"), "", "{trace:?}");
    for e in errors_of(&trace, "withdraw") {
        assert_eq!(e, "", "{trace:?}");
    }
}

#[test]
fn a_reentrant_receiver_meets_the_guard_and_partial_withdrawals_to_others_revert() {
    let mut r = runner();
    let to = |receiver, amount| Withdrawal {
        ledger: 0,
        who: 0,
        asset: 0,
        amount,
        signer: Signer::Own,
        receiver,
    };
    let mut p = plan(ledger(2, Assets::Eth, AppKind::None, vec![]), happy());
    // Extras go before the story's withdrawals (position 1: after concludeFinal): half to
    // another account (refused), then the whole share to the reentrant receiver, whose
    // re-submission of the same withdrawal meets the holder's guard.
    p.extras = vec![
        (
            1,
            Action::Withdraw(to(Receiver::Reentrant, Amount::Outcome)),
        ),
        (1, Action::Withdraw(to(Receiver::Other, Amount::Half))),
    ];
    let (trace, tally) = run_tally(&mut r, &p);
    assert_eq!(
        errors_of(&trace, "withdraw ETH L 0"),
        ["PartialWithdrawal", "", "InsufficientHoldings"],
        "{trace:?}"
    );
    assert_eq!(tally.inner.get("Reentrancy"), Some(&1), "{tally}");
    assert!(tally.reached().contains("Reentrancy"));

    // The lifecycle's own first withdrawal (the whole ETH share) to the receiver: its
    // re-entry is refused, and every withdrawal succeeds.
    let mut p = plan(ledger(2, Assets::Both, AppKind::None, vec![]), dispute());
    p.payee = Receiver::Reentrant;
    let (trace, tally) = run_tally(&mut r, &p);
    for (label, error) in &trace {
        assert!(error.is_empty(), "{label} reverted with {error}");
    }
    assert_eq!(tally.inner.get("Reentrancy"), Some(&1), "{tally}");
}

fn chain(depth: u8, shortcut: bool) -> Shape {
    Shape::Chain {
        depth,
        shortcut,
        assets: Assets::Both,
    }
}

#[test]
fn sub_channels_nest_to_the_limit_and_not_one_level_beyond() {
    let max = u8::try_from(perun_channel::checks::MAX_DEPTH).unwrap_or(u8::MAX);
    let mut r = runner();
    // At the limit: registered, concluded and withdrawn, or concluded at once with the chain
    // merged.
    for story in [dispute(), happy()] {
        for (label, error) in run(&mut r, &plan(chain(max, false), story)) {
            assert!(error.is_empty(), "{label} reverted with {error}");
        }
    }
    // One beyond: the registration meets the limit.
    let trace = run(&mut r, &plan(chain(max + 1, false), dispute()));
    assert_eq!(error_of(&trace, "register"), "NestingTooDeep", "{trace:?}");
    assert_eq!(error_of(&trace, "conclude"), "NotRegistered", "{trace:?}");
    // At the limit, with the deepest sub-channel's record refuted through a second ledger
    // channel by a state that opens a sub-channel of its own: concluding the chain meets the
    // limit, concluding the second ledger channel succeeds.
    let shortcut = plan(
        chain(max, true),
        Story::VirtualV1 {
            refute: true,
            first: 0,
        },
    );
    let trace = run(&mut r, &shortcut);
    assert_eq!(errors_of(&trace, "register"), ["", "", ""], "{trace:?}");
    assert_eq!(
        errors_of(&trace, "conclude"),
        ["NestingTooDeep", ""],
        "{trace:?}"
    );
}

#[test]
fn deposits_with_the_wrong_value_and_final_conclusions_of_open_states_revert_alike() {
    let mut r = runner();
    let mut p = plan(ledger(2, Assets::Both, AppKind::None, vec![]), happy());
    p.funding = vec![FundMode::Value(0), FundMode::Exact];
    p.extras = vec![(
        0,
        Action::ConcludeFinal {
            ledger: 0,
            version: Version::Next,
            merged: true,
            fin: false,
        },
    )];
    let trace = run(&mut r, &p);
    // Participant 0's deposits (ETH, then the token) carry ETH they should not.
    assert_eq!(
        errors_of(&trace, "deposit"),
        ["WrongDepositValue", "", "WrongDepositValue", ""],
        "{trace:?}"
    );
    assert_eq!(
        errors_of(&trace, "concludeFinal"),
        ["StateNotFinal", ""],
        "{trace:?}"
    );
}

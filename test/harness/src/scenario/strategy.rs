//! The proptest strategies of scenario plans. Weights favour complete lifecycles (most calls
//! correct, a few flawed), so that scenarios reach deep states (refuted, force-executed,
//! concluded, withdrawn) and still try bad input at every step. Every value shrinks towards the
//! first alternative of its enum: fewer extras and flaws, exact funding, the ledger shape.

use super::plan::{
    Action, Amount, AppKind, Assets, CalldataFlaw, Change, Duration, Flaw, Foreign, FundMode, Junk,
    ParamsFlaw, Plan, Receiver, Shape, SigFlaw, Signer, StateFlaw, Story, SubKind, SubShape,
    SubsFlaw, Time, TokenMode, Version, Withdrawal,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn app() -> impl Strategy<Value = AppKind> {
    prop_oneof![
        2 => Just(AppKind::None),
        1 => Just(AppKind::Trivial),
        1 => Just(AppKind::Counter),
    ]
}

fn assets() -> impl Strategy<Value = Assets> {
    prop_oneof![
        2 => Just(Assets::Eth),
        1 => Just(Assets::Erc20),
        1 => Just(Assets::Both),
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        12 => Just(Duration::Normal),
        1 => Just(Duration::Zero),
        1 => Just(Duration::Max),
        1 => Just(Duration::Wide),
    ]
}

/// Mostly a plain sub-channel; each wrong kind about once in 45 sub-channels (a tree of
/// four sub-channels has one in about a third of the scenarios with sub-channels).
fn sub_kind() -> impl Strategy<Value = SubKind> {
    prop_oneof![
        40 => Just(SubKind::Plain),
        1 => Just(SubKind::Ledger),
        1 => Just(SubKind::Longer),
        1 => Just(SubKind::Ragged),
        1 => Just(SubKind::OutOfRange),
        1 => Just(SubKind::ShortMap),
        1 => Just(SubKind::OtherAssets),
    ]
}

fn sub_shape() -> impl Strategy<Value = SubShape> {
    (
        2..=8u8,
        0..8u8,
        app(),
        prop_oneof![4 => Just(0u8), 1 => 1..=2u8],
        sub_kind(),
    )
        .prop_map(|(parties, offset, app, nested, kind)| SubShape {
            parties,
            offset,
            app,
            nested,
            kind,
        })
}

fn ledger_shape() -> impl Strategy<Value = Shape> {
    (
        prop_oneof![3 => 2..=3u8, 1 => 4..=8u8],
        (prop::bool::weighted(0.1), prop::bool::weighted(0.05)),
        assets(),
        prop_oneof![
            16 => Just(Foreign::None),
            2 => Just(Foreign::OtherChain),
            2 => Just(Foreign::NoHolder),
            1 => Just(Foreign::NoCode),
            1 => Just(Foreign::Again),
            1 => Just(Foreign::AgainShort),
        ],
        app(),
        duration(),
        prop_oneof![2 => Just(Vec::new()), 1 => vec(sub_shape(), 1..=8)],
    )
        .prop_map(
            |(parties, (repeat, also_virtual), assets, foreign, app, duration, subs)| {
                Shape::Ledger {
                    parties,
                    repeat,
                    also_virtual,
                    assets,
                    foreign,
                    app,
                    duration,
                    subs,
                }
            },
        )
}

fn time() -> impl Strategy<Value = Time> {
    prop_oneof![
        Just(Time::PastChallenge),
        any::<u8>().prop_map(Time::Tick),
        Just(Time::Challenge),
        Just(Time::TwoChallenges),
        Just(Time::Long),
    ]
}

/// How long a dispute story waits before concluding: mostly long enough (two challenge
/// durations cover channels with apps), sometimes not.
fn wait() -> impl Strategy<Value = Time> {
    prop_oneof![
        4 => Just(Time::TwoChallenges),
        2 => Just(Time::PastChallenge),
        1 => Just(Time::Long),
        1 => Just(Time::Challenge),
        1 => any::<u8>().prop_map(Time::Tick),
    ]
}

/// A move: valid in a quarter of the cases; the counter app's own refusals twice as often as
/// each other wrong move.
fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => Just(Change::Valid),
        1 => Just(Change::Final),
        2 => Just(Change::Shift),
        2 => Just(Change::WrongActor),
        2 => Just(Change::CounterSkip),
        1 => Just(Change::Totals),
        1 => Just(Change::VersionSkip),
        1 => Just(Change::FromStale),
        1 => Just(Change::ActorOutOfRange),
        1 => Just(Change::Locked),
    ]
}

fn version() -> impl Strategy<Value = Version> {
    prop_oneof![
        4 => Just(Version::Next),
        2 => Just(Version::Same),
        1 => Just(Version::Older),
        1 => (0..4u8).prop_map(Version::Jump),
    ]
}

fn ledger_story() -> impl Strategy<Value = Story> {
    prop_oneof![
        3 => (0..4u8, wait()).prop_map(|(refutes, wait)| Story::Dispute { refutes, wait }),
        2 => (0..4u8, prop::bool::weighted(0.8))
            .prop_map(|(version, merged)| Story::Happy { version, merged }),
        3 => (0..4u8, prop::bool::weighted(0.15), 0..4u8, change()).prop_map(
            |(target, fin, moves, last)| Story::ForceExec {
                target,
                fin,
                moves,
                last,
            }
        ),
        1 => any::<u8>().prop_map(|sub| Story::SubRefute { sub }),
        1 => Just(Story::Chaos),
    ]
}

fn virtual_story() -> impl Strategy<Value = Story> {
    prop_oneof![
        2 => (any::<bool>(), 0..2u8).prop_map(|(refute, first)| Story::VirtualV1 { refute, first }),
        2 => (any::<bool>(), any::<bool>()).prop_map(|(refute, final_parent)| {
            Story::VirtualDirect {
                refute,
                final_parent,
            }
        }),
        1 => (0..4u8, prop::bool::weighted(0.8))
            .prop_map(|(version, merged)| Story::Happy { version, merged }),
        1 => (0..2u8, wait()).prop_map(|(refutes, wait)| Story::Dispute { refutes, wait }),
        1 => Just(Story::Chaos),
    ]
}

fn fund_mode() -> impl Strategy<Value = FundMode> {
    prop_oneof![
        8 => Just(FundMode::Exact),
        1 => any::<u8>().prop_map(FundMode::Short),
        1 => any::<u8>().prop_map(FundMode::Over),
        1 => Just(FundMode::Zero),
        1 => Just(FundMode::Skip),
        1 => Just(FundMode::ChannelId),
        1 => any::<u8>().prop_map(FundMode::Value),
    ]
}

fn token_mode() -> impl Strategy<Value = TokenMode> {
    prop_oneof![
        Just(TokenMode::Normal),
        Just(TokenMode::NoReturn),
        Just(TokenMode::ReturnFalse),
        Just(TokenMode::Revert),
        Just(TokenMode::Fee),
        Just(TokenMode::Reenter),
        Just(TokenMode::Callback),
        Just(TokenMode::NoCallback),
    ]
}

fn receiver() -> impl Strategy<Value = Receiver> {
    prop_oneof![
        3 => Just(Receiver::Own),
        2 => Just(Receiver::Other),
        2 => Just(Receiver::Contract),
        2 => Just(Receiver::Reentrant),
    ]
}

/// The receiver of the lifecycle's first withdrawal: mostly the participant.
fn payee() -> impl Strategy<Value = Receiver> {
    prop_oneof![
        12 => Just(Receiver::Own),
        1 => Just(Receiver::Other),
        1 => Just(Receiver::Contract),
        2 => Just(Receiver::Reentrant),
    ]
}

fn withdrawal() -> impl Strategy<Value = Withdrawal> {
    (
        any::<u8>(),
        any::<u8>(),
        any::<u8>(),
        prop_oneof![
            2 => Just(Amount::Outcome),
            1 => Just(Amount::Deposited),
            1 => Just(Amount::Half),
            1 => Just(Amount::TooMuch),
            1 => Just(Amount::Zero),
        ],
        prop_oneof![4 => Just(Signer::Own), 1 => Just(Signer::Other), 1 => Just(Signer::Outsider)],
        receiver(),
    )
        .prop_map(
            |(ledger, who, asset, amount, signer, receiver)| Withdrawal {
                ledger,
                who,
                asset,
                amount,
                signer,
                receiver,
            },
        )
}

fn junk() -> impl Strategy<Value = Junk> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(to, len, seed)| Junk::Garbage {
            to,
            len,
            seed
        }),
        any::<u8>().prop_map(|which| Junk::OnlyAdjudicator { which }),
        any::<bool>().prop_map(|value| Junk::Views { value }),
        any::<bool>().prop_map(|registry| Junk::WrongKind { registry }),
        any::<bool>().prop_map(|exact| Junk::HugeDeposit { exact }),
    ]
}

/// An extra action.
pub fn action() -> impl Strategy<Value = Action> {
    prop_oneof![
        3 => time().prop_map(Action::Advance),
        2 => (any::<u8>(), any::<u8>(), any::<u8>(), 0..30u8, prop::bool::weighted(0.2))
            .prop_map(|(ledger, who, asset, units, channel)| Action::Deposit {
                ledger,
                who,
                asset,
                units,
                channel,
            }),
        2 => token_mode().prop_map(Action::Token),
        2 => (any::<u8>(), version(), prop::bool::weighted(0.2))
            .prop_map(|(ledger, version, fin)| Action::Register { ledger, version, fin }),
        1 => (any::<u8>(), any::<u8>(), version())
            .prop_map(|(ledger, sub, version)| Action::RefuteSub { ledger, sub, version }),
        2 => (0..4u8, change()).prop_map(|(target, change)| Action::Progress { target, change }),
        2 => (any::<u8>(), version()).prop_map(|(ledger, state)| Action::Conclude { ledger, state }),
        1 => (any::<u8>(), version(), any::<bool>(), prop::bool::weighted(0.8))
            .prop_map(|(ledger, version, merged, fin)| Action::ConcludeFinal {
                ledger,
                version,
                merged,
                fin,
            }),
        1 => (version(), prop::bool::weighted(0.2))
            .prop_map(|(version, fin)| Action::RegistryRegister { version, fin }),
        1 => Just(Action::RegistryConclude),
        3 => withdrawal().prop_map(Action::Withdraw),
        2 => junk().prop_map(Action::Junk),
    ]
}

fn sig_flaw() -> impl Strategy<Value = SigFlaw> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(which, at)| SigFlaw::FlipBit { which, at }),
        Just(SigFlaw::Swap),
        Just(SigFlaw::Drop),
        Just(SigFlaw::Extra),
        any::<u8>().prop_map(|which| SigFlaw::WrongKey { which }),
        any::<u8>().prop_map(|which| SigFlaw::HighS { which }),
        (any::<u8>(), any::<u8>()).prop_map(|(which, v)| SigFlaw::BadV { which, v }),
        (any::<u8>(), 0..=80u8).prop_map(|(which, len)| SigFlaw::Length { which, len }),
    ]
}

fn params_flaw() -> impl Strategy<Value = ParamsFlaw> {
    prop_oneof![
        Just(ParamsFlaw::Nonce),
        Just(ParamsFlaw::Duration),
        Just(ParamsFlaw::Ledger),
        Just(ParamsFlaw::Virtual),
        Just(ParamsFlaw::App),
        Just(ParamsFlaw::Swap),
    ]
}

fn state_flaw() -> impl Strategy<Value = StateFlaw> {
    prop_oneof![
        Just(StateFlaw::ChannelId),
        Just(StateFlaw::Version),
        Just(StateFlaw::Final),
        Just(StateFlaw::Balance),
        Just(StateFlaw::ExtraBalance),
        Just(StateFlaw::Assets),
        Just(StateFlaw::AppData),
        Just(StateFlaw::Locked),
        Just(StateFlaw::IndexMap),
        Just(StateFlaw::LockedId),
        Just(StateFlaw::Huge),
    ]
}

fn subs_flaw() -> impl Strategy<Value = SubsFlaw> {
    prop_oneof![
        Just(SubsFlaw::Drop),
        Just(SubsFlaw::Swap),
        Just(SubsFlaw::Extra),
        Just(SubsFlaw::Stale),
        Just(SubsFlaw::Balance),
        Just(SubsFlaw::Shape),
    ]
}

fn calldata_flaw() -> impl Strategy<Value = CalldataFlaw> {
    prop_oneof![
        any::<u8>().prop_map(CalldataFlaw::Truncate),
        (any::<u16>(), 1..=255u8).prop_map(|(at, xor)| CalldataFlaw::Flip { at, xor }),
        (any::<u8>(), any::<u8>()).prop_map(|(word, kind)| CalldataFlaw::Offset { word, kind }),
        any::<u8>().prop_map(CalldataFlaw::Dirty),
        any::<u8>().prop_map(CalldataFlaw::Append),
        Just(CalldataFlaw::Selector),
    ]
}

/// A flaw.
pub fn flaw() -> impl Strategy<Value = Flaw> {
    prop_oneof![
        3 => sig_flaw().prop_map(Flaw::Sig),
        1 => params_flaw().prop_map(Flaw::Params),
        2 => (state_flaw(), any::<bool>()).prop_map(|(flaw, resign)| Flaw::State { flaw, resign }),
        2 => subs_flaw().prop_map(Flaw::Subs),
        3 => calldata_flaw().prop_map(Flaw::Calldata),
        1 => any::<u8>().prop_map(Flaw::Value),
        1 => Just(Flaw::Sender),
    ]
}

/// A force-execution story needs a channel with an app: if no channel of the shape has one
/// (or, for a story that moves the ledger channel from a final state, if the ledger channel
/// has none), the ledger channel gets the trivial app (even `target`) or the counter app (odd).
fn with_app_to_move((mut shape, story): (Shape, Story)) -> (Shape, Story) {
    if let (Shape::Ledger { app, subs, .. }, Story::ForceExec { target, fin, .. }) =
        (&mut shape, story)
    {
        if *app == AppKind::None && (fin || subs.iter().all(|s| s.app == AppKind::None)) {
            *app = if target % 2 == 0 {
                AppKind::Trivial
            } else {
                AppKind::Counter
            };
        }
    }
    (shape, story)
}

/// A chain of sub-channels at the nesting limit or one beyond, half of those at the limit with
/// the shortcut that meets the limit at `conclude`.
fn chain_shape() -> impl Strategy<Value = Shape> {
    let max = u8::try_from(perun_channel::checks::MAX_DEPTH).unwrap_or(u8::MAX);
    (
        prop_oneof![Just(max), Just(max.saturating_add(1))],
        any::<bool>(),
        assets(),
    )
        .prop_map(move |(depth, shortcut, assets)| Shape::Chain {
            depth,
            shortcut: shortcut && depth <= max,
            assets,
        })
}

/// The stories of a chain: registered and concluded, at once, with the deepest sub-channel
/// refuted, or (the shortcut's story) both ledger channels registered, the deepest sub-channel
/// refuted through the second one with a state that opens its own sub-channel, both concluded.
fn chain_story() -> impl Strategy<Value = Story> {
    prop_oneof![
        2 => (0..2u8, Just(Time::TwoChallenges))
            .prop_map(|(refutes, wait)| Story::Dispute { refutes, wait }),
        1 => (0..2u8, prop::bool::weighted(0.8))
            .prop_map(|(version, merged)| Story::Happy { version, merged }),
        1 => any::<u8>().prop_map(|sub| Story::SubRefute { sub }),
        3 => Just(Story::VirtualV1 { refute: true, first: 0 }),
    ]
}

/// A scenario plan.
pub fn plan() -> impl Strategy<Value = Plan> {
    // A chain scenario costs several times an average one (its registrations carry up to 18
    // signed states): about one scenario in 40.
    let shape_story = prop_oneof![
        160 => (ledger_shape(), ledger_story()).prop_map(with_app_to_move),
        40 => (
            (assets(), prop::bool::weighted(0.1))
                .prop_map(|(assets, app)| Shape::Virtual { assets, app }),
            virtual_story()
        ),
        5 => (chain_shape(), chain_story()),
    ];
    (
        shape_story,
        prop_oneof![3 => Just(Vec::new()), 1 => vec(fund_mode(), 24)],
        payee(),
        vec((any::<u8>(), action()), 0..6),
        prop_oneof![1 => Just(Vec::new()), 2 => vec((any::<u8>(), flaw()), 1..3)],
    )
        .prop_map(|((shape, story), funding, payee, extras, flaws)| Plan {
            shape,
            funding,
            story,
            payee,
            extras,
            flaws,
        })
}

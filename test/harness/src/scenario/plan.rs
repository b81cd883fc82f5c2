//! The plan of a random scenario: a small value that proptest generates and shrinks, and that
//! [`super::compile`] turns into the transactions of the scenario. Every choice is an enum or a
//! small number, so a shrunk plan reads as a short story: the channels, how they are funded,
//! the lifecycle they go through, the extra actions slipped in and the flaws put into calls.

/// The app of a channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AppKind {
    /// No app.
    None,
    /// The trivial app (every transition valid).
    Trivial,
    /// The counter app (`CounterApp.sol`: turns, a counter, fixed balances).
    Counter,
}

/// The assets of the scenario's channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Assets {
    /// ETH only.
    Eth,
    /// The ERC20 test token only.
    Erc20,
    /// ETH, then the token.
    Both,
}

/// An asset of the ledger channel beside its ETH and token, which no holder of this chain
/// holds: the Adjudicator pushes no outcome for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Foreign {
    /// None.
    None,
    /// An asset of another chain (a holder there, and a `ccHolder`).
    OtherChain,
    /// An asset of this chain without a holder (the zero address).
    NoHolder,
    /// An asset of this chain whose holder is an account without code: pushing the outcome to
    /// it fails (`NoContractCode`).
    NoCode,
    /// The first asset again: its holder is pushed the outcome twice, and the second push
    /// finds the channel settled (`AlreadySettled`).
    Again,
    /// The first asset again, with one balance fewer in the ledger channel's row for it: the
    /// second push has fewer balances than participants (`OutcomeLengthMismatch`).
    AgainShort,
}

/// The challenge duration of the scenario's ledger channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Duration {
    /// [`crate::build::CHALLENGE`] seconds.
    Normal,
    /// Zero: every registration times out at once.
    Zero,
    /// 2^64 - 1: the first registration's timeout overflows.
    Max,
    /// 2^64 + 60: only the low 64 bits count (as in v1).
    Wide,
}

/// What is wrong with a sub-channel of the ledger channel, if anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubKind {
    /// Nothing: it is what its parent locks.
    Plain,
    /// Its params set the ledger flag: a ledger channel locked as a sub-channel
    /// (`LedgerSubChannel` at `register`).
    Ledger,
    /// Its challenge duration is one second longer than its parent's
    /// (`ChallengeDurationTooLong` at `register`).
    Longer,
    /// Its states have one balance fewer in their first row, signed all the same
    /// (`BalancesLengthMismatch` at `register`).
    Ragged,
    /// Its index map's last entry points one past the parent's participants (not checked at
    /// `register`; `IndexMapOutOfRange` when `conclude` folds it).
    OutOfRange,
    /// Its index map lacks its last entry, so folding it moves less than the parent locked
    /// (not checked at `register`; `SubAllocMismatch` at `conclude`).
    ShortMap,
    /// Its states name other assets than its parent's: the first two swapped, or (with one
    /// asset) another holder (`AssetsMismatch` at `register`).
    OtherAssets,
}

/// A sub-channel of the ledger channel: its participants are `parties` of the ledger's, from
/// participant `offset` on (cyclically), so its index map is a rotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SubShape {
    /// The number of participants (at least 2, at most the ledger's).
    pub parties: u8,
    /// The ledger participant of its participant 0.
    pub offset: u8,
    /// Its app.
    pub app: AppKind,
    /// Sub-channels of its own (0 to 2), each between two of its participants.
    pub nested: u8,
    /// What is wrong with it.
    pub kind: SubKind,
}

/// The channels of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Shape {
    /// One ledger channel with sub-channels.
    Ledger {
        /// Its participants (2 to 8).
        parties: u8,
        /// Whether the last participant repeats the first one's address.
        repeat: bool,
        /// Whether its params also set the virtual flag (its record then lives in the
        /// registry).
        also_virtual: bool,
        /// Its assets.
        assets: Assets,
        /// An asset after them that no holder here holds.
        foreign: Foreign,
        /// Its app.
        app: AppKind,
        /// Its challenge duration.
        duration: Duration,
        /// Its sub-channels (0 to 8).
        subs: Vec<SubShape>,
    },
    /// A virtual channel A–B funded by the ledger channels A–I and I–B.
    Virtual {
        /// The assets of all three.
        assets: Assets,
        /// Whether the virtual channel has the trivial app (which the contracts refuse).
        app: bool,
    },
    /// A ledger channel of two parties with a chain of two-party sub-channels, each locking the
    /// next, `depth` levels deep (the contracts allow `perun_channel::checks::MAX_DEPTH`).
    Chain {
        /// The sub-channels' depth (1 to 17).
        depth: u8,
        /// Whether the deepest sub-channel opens a sub-channel of its own from its version 2 on,
        /// registered through a second ledger channel that locks the deepest one directly (its
        /// record is keyed by its funding, which both parents lock alike): concluding the chain
        /// then meets a registered state one level too deep.
        shortcut: bool,
        /// The assets of every channel.
        assets: Assets,
    },
}

/// Which version a call uses, relative to what the scenario has done so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Version {
    /// A version above every one used so far.
    Next,
    /// The registered state again.
    Same,
    /// One below the registered state.
    Older,
    /// This many versions beyond [`Version::Next`].
    Jump(u8),
}

/// How far time moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Time {
    /// A few seconds.
    Tick(u8),
    /// Exactly the challenge duration.
    Challenge,
    /// One second past the challenge duration.
    PastChallenge,
    /// One second past two challenge durations (channels with an app get one more for
    /// force-execution).
    TwoChallenges,
    /// A day.
    Long,
}

/// The state a `progress` call moves to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Change {
    /// A valid move: the next version (the counter app's counter plus one; the trivial app's
    /// balances shifted), by the participant whose turn it is.
    Valid,
    /// A valid move to a final state.
    Final,
    /// The balances shifted between participants (the counter app refuses).
    Shift,
    /// By a participant whose turn it is not (the counter app refuses).
    WrongActor,
    /// The counter plus two (the counter app refuses).
    CounterSkip,
    /// One participant's balance raised: the totals change.
    Totals,
    /// The version plus two.
    VersionSkip,
    /// From an older state than the registered one.
    FromStale,
    /// An actor index beyond the participants.
    ActorOutOfRange,
    /// The locked sub-allocations changed: the first one's balances raised, or one added where
    /// there is none (`LockedMismatch`).
    Locked,
}

/// How much a participant deposits, against its share of the outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FundMode {
    /// Exactly its share.
    Exact,
    /// Its share less this many units (at least zero).
    Short(u8),
    /// Its share plus this many units.
    Over(u8),
    /// A deposit of zero.
    Zero,
    /// No deposit.
    Skip,
    /// Its share, deposited under the channel ID instead of its funding ID.
    ChannelId,
    /// Its share, sent with this many wei plus one more ETH than the amount (or, for the
    /// token, with that much ETH): refused (`WrongDepositValue`).
    Value(u8),
}

/// The withdrawal amount.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Amount {
    /// The participant's share of the outcome the scenario expects.
    Outcome,
    /// What the participant deposited.
    Deposited,
    /// Half the outcome share.
    Half,
    /// One unit more than the outcome share.
    TooMuch,
    /// Zero.
    Zero,
}

/// Who signs a withdrawal authorization.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signer {
    /// The participant.
    Own,
    /// Another participant.
    Other,
    /// Someone outside the channel.
    Outsider,
}

/// Who receives a withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Receiver {
    /// The participant.
    Own,
    /// Another account.
    Other,
    /// A contract without a payable fallback (the token).
    Contract,
    /// A contract that, when paid ETH the first time, re-submits the same withdrawal to the
    /// holder and records how that inner call ended (the holder's guard refuses it with
    /// `Reentrancy`; the receiver swallows the failure).
    Reentrant,
}

/// A behaviour of the ERC20 test token.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TokenMode {
    /// A plain ERC20.
    Normal,
    /// `transfer` and `transferFrom` return no value.
    NoReturn,
    /// They return false.
    ReturnFalse,
    /// They revert.
    Revert,
    /// They charge a 1 % fee.
    Fee,
    /// They first call the ERC20 holder (`deposit`): a reentrant call.
    Reenter,
    /// They first call a harmless view of the Adjudicator.
    Callback,
    /// No callback.
    NoCallback,
}

/// A call that is wrong in itself, not part of any lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Junk {
    /// Random bytes to a contract (`to` picks it).
    Garbage {
        /// The contract.
        to: u8,
        /// The number of bytes.
        len: u8,
        /// The bytes' seed.
        seed: u8,
    },
    /// A function only the Adjudicator may call (`which` picks it), called by an outsider.
    OnlyAdjudicator {
        /// Which function.
        which: u8,
    },
    /// The Adjudicator's pure views on the scenario's first channel, with or without value.
    Views {
        /// Whether ETH is sent with them.
        value: bool,
    },
    /// `register` of a virtual or sub-channel at the Adjudicator, or of a ledger channel in the
    /// registry's direct path.
    WrongKind {
        /// Which of the two.
        registry: bool,
    },
    /// An outsider mints itself 2^255 tokens and deposits 2^255 - 1 (`exact`) or 2^255 for the
    /// first participant, beyond what a holdings entry holds.
    HugeDeposit {
        /// Whether the deposit is the largest an entry holds.
        exact: bool,
    },
}

/// A withdrawal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Withdrawal {
    /// The ledger channel (index, modulo the scenario's ledger channels).
    pub ledger: u8,
    /// The participant (modulo the channel's).
    pub who: u8,
    /// The asset (modulo the channel's).
    pub asset: u8,
    /// How much.
    pub amount: Amount,
    /// Who signs.
    pub signer: Signer,
    /// Who receives.
    pub receiver: Receiver,
}

/// One action of a scenario; indices are taken modulo what the shape has.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A participant (or, with `channel`, the channel ID itself) receives a deposit.
    Deposit {
        /// The ledger channel.
        ledger: u8,
        /// The participant.
        who: u8,
        /// The asset.
        asset: u8,
        /// Units deposited.
        units: u8,
        /// Whether the deposit goes to the channel ID.
        channel: bool,
    },
    /// The token changes behaviour.
    Token(TokenMode),
    /// A ledger channel is registered (or refuted) with its sub-channels.
    Register {
        /// The ledger channel.
        ledger: u8,
        /// The version.
        version: Version,
        /// Whether the state is final.
        fin: bool,
    },
    /// A sub-channel (or the virtual channel) is refuted through its ledger channel: the
    /// ledger's registered state again, with a new state of the sub-channel.
    RefuteSub {
        /// The ledger channel.
        ledger: u8,
        /// The sub-channel.
        sub: u8,
        /// The sub-channel's version.
        version: Version,
    },
    /// Force-execution of the ledger channel (`target` 0) or a sub-channel (`target` k: sub
    /// k - 1).
    Progress {
        /// The channel.
        target: u8,
        /// The move.
        change: Change,
    },
    /// A ledger channel is concluded with its registered state (or another).
    Conclude {
        /// The ledger channel.
        ledger: u8,
        /// The state.
        state: Version,
    },
    /// A ledger channel is concluded at once with a final state.
    ConcludeFinal {
        /// The ledger channel.
        ledger: u8,
        /// The version.
        version: Version,
        /// Whether the sub-channels' outcomes are merged into the balances (no locked funds).
        merged: bool,
        /// Whether the state is final (`concludeFinal` refuses one that is not:
        /// `StateNotFinal`).
        fin: bool,
    },
    /// The virtual channel is registered (or refuted) in the registry directly.
    RegistryRegister {
        /// The version.
        version: Version,
        /// Whether the state is final.
        fin: bool,
    },
    /// The virtual channel is concluded in the registry directly.
    RegistryConclude,
    /// A withdrawal.
    Withdraw(Withdrawal),
    /// Time passes.
    Advance(Time),
    /// A wrong call.
    Junk(Junk),
}

/// A flaw in a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SigFlaw {
    /// One bit of signature `which` flipped (at byte `at`).
    FlipBit {
        /// The signature.
        which: u8,
        /// The byte.
        at: u8,
    },
    /// The first two signatures swapped.
    Swap,
    /// The last signature dropped.
    Drop,
    /// One signature too many.
    Extra,
    /// Signature `which` made by an outsider's key.
    WrongKey {
        /// The signature.
        which: u8,
    },
    /// Signature `which` in its high-s form (valid for ecrecover, refused by the contracts).
    HighS {
        /// The signature.
        which: u8,
    },
    /// Signature `which` with another `v`.
    BadV {
        /// The signature.
        which: u8,
        /// The `v` byte.
        v: u8,
    },
    /// Signature `which` of another length.
    Length {
        /// The signature.
        which: u8,
        /// Its length.
        len: u8,
    },
}

/// A flaw in the params a call sends (each changes the channel ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ParamsFlaw {
    /// Another nonce.
    Nonce,
    /// Another challenge duration.
    Duration,
    /// The ledger flag flipped.
    Ledger,
    /// The virtual flag flipped.
    Virtual,
    /// Another app.
    App,
    /// The first two participants swapped.
    Swap,
}

/// A flaw in the state a call sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateFlaw {
    /// Another channel ID.
    ChannelId,
    /// The version plus one.
    Version,
    /// The final flag flipped.
    Final,
    /// One balance plus one unit.
    Balance,
    /// One balance too many.
    ExtraBalance,
    /// The assets swapped or the holder changed.
    Assets,
    /// One more byte of app data.
    AppData,
    /// The first locked entry's balances changed.
    Locked,
    /// The first locked entry's index map pointing outside.
    IndexMap,
    /// The first locked entry's ID changed.
    LockedId,
    /// One balance set to 2^256 - 1, so that sums overflow.
    Huge,
}

/// A flaw in the sub-channels a call sends (`register`'s signed sub-states, `conclude`'s
/// sub-states).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubsFlaw {
    /// The last one dropped.
    Drop,
    /// The first two swapped.
    Swap,
    /// The first one twice.
    Extra,
    /// The first one at another version.
    Stale,
    /// The first one's balances changed (and signed).
    Balance,
    /// The first one with one balance too many in its first row (and signed): a sub-channel
    /// state of the wrong shape.
    Shape,
}

/// A flaw in the calldata bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CalldataFlaw {
    /// Cut after this fraction (of 256) of the bytes.
    Truncate(u8),
    /// One byte (at this fraction of 65,536 of the length) XORed.
    Flip {
        /// Where.
        at: u16,
        /// With what (never zero).
        xor: u8,
    },
    /// An offset replaced by a bad one: head word `word` of the arguments, or beyond the head
    /// any word holding a value below the calldata's length (an offset or a length).
    Offset {
        /// The word.
        word: u8,
        /// Which bad value.
        kind: u8,
    },
    /// A bit set above the value of a word holding a narrow value (an address, a version, a
    /// flag, an index).
    Dirty(u8),
    /// Bytes appended.
    Append(u8),
    /// Another selector.
    Selector,
}

/// A flaw put into one call of a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flaw {
    /// In a signature.
    Sig(SigFlaw),
    /// In the params.
    Params(ParamsFlaw),
    /// In the state, re-signed by everyone (`resign`) or not.
    State {
        /// What changes.
        flaw: StateFlaw,
        /// Whether the signatures are made for the changed state.
        resign: bool,
    },
    /// In the sub-channels.
    Subs(SubsFlaw),
    /// In the calldata.
    Calldata(CalldataFlaw),
    /// ETH sent where none or another amount is due (this many wei plus one).
    Value(u8),
    /// Sent by an outsider.
    Sender,
}

/// The lifecycle a scenario follows; what it means depends on the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Story {
    /// A final state concluded at once (`version` beyond the first), then withdrawals.
    Happy {
        /// Versions beyond the next.
        version: u8,
        /// Whether the sub-channels are merged into the final state.
        merged: bool,
    },
    /// Registered, refuted `refutes` times, time passes, concluded, withdrawals.
    Dispute {
        /// Refutations.
        refutes: u8,
        /// How long to wait before concluding.
        wait: Time,
    },
    /// Registered, `moves` force-execution steps (the last one `last`), concluded, withdrawals.
    ForceExec {
        /// The channel moved (0 the ledger, k sub-channel k - 1).
        target: u8,
        /// Whether the ledger channel is registered with a final state, and moved from it
        /// (which the contracts refuse: `ProgressFromFinalState`).
        fin: bool,
        /// Steps.
        moves: u8,
        /// The last step.
        last: Change,
    },
    /// Registered with sub-channels, sub-channel `sub` refuted, concluded, withdrawals.
    SubRefute {
        /// The sub-channel.
        sub: u8,
    },
    /// The virtual channel by the v1 path: both parents registered with it (`first` first),
    /// perhaps refuted through a parent, both concluded, withdrawals.
    VirtualV1 {
        /// Whether the virtual channel is refuted.
        refute: bool,
        /// The parent registered first.
        first: u8,
    },
    /// The virtual channel by the registry's direct path: registered (perhaps refuted) and
    /// concluded in the registry, then one parent concluded on chain and the other on chain or
    /// by a final state, withdrawals.
    VirtualDirect {
        /// Whether the virtual channel is refuted.
        refute: bool,
        /// Whether the second parent closes with a final state.
        final_parent: bool,
    },
    /// Only the extra actions.
    Chaos,
}

/// A scenario's plan.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Plan {
    /// The channels.
    pub shape: Shape,
    /// How each (ledger, asset, participant) is funded, in that order, cyclically.
    pub funding: Vec<FundMode>,
    /// The lifecycle.
    pub story: Story,
    /// Who receives the lifecycle's withdrawal of the first participant's first asset (the
    /// whole share) in the first ledger channel; every other one goes to the participant.
    pub payee: Receiver,
    /// Extra actions, each inserted at a position of the story's actions: a withdrawal at an
    /// even position among the lifecycle's closing withdrawals (after its conclusions), every
    /// other extra at the position modulo the length.
    pub extras: Vec<(u8, Action)>,
    /// Flaws, each put into the action at a position (modulo the length) of the actions.
    pub flaws: Vec<(u8, Flaw)>,
}

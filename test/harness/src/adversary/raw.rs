//! Raw calldata for the adversary: an ABI encoder whose layout can be bent (tails reordered,
//! gaps between tails, non-zero padding), the Perun structs as trees for it, the hashes the
//! contracts of today compute over such layouts (so an adversary can sign them), and every call
//! the adversary and the honest parties send.
//!
//! With no layout change the encoder writes exactly what `abi.encode` writes (`tests/adversary.rs`
//! compares it with alloy's encoder and with [`crate::abi`]). A layout change keeps every
//! value but moves bytes: the state's outcome after its appData, participant 0 of a params after
//! the last one, junk words between two tails, non-zero padding after a short `bytes` value.
//! Every offset stays relative to its own struct, so a struct's encoding can be moved into any
//! call unchanged (its hash stays the same), which is how an honest party reuses the exact bytes
//! of a state somebody registered.

use crate::abi::sel;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use perun_channel::hash::eth_signed_digest;
use perun_channel::native::Signer;
use perun_channel::sol::{Channel, WithdrawalAuth};

/// A value to encode.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Val {
    /// A static 32-byte word.
    Word(B256),
    /// A `bytes` value; `dirty` fills its padding with non-zero bytes.
    Bytes {
        /// The content.
        data: Vec<u8>,
        /// Whether the padding is non-zero.
        dirty: bool,
    },
    /// A struct (or an argument list).
    Tuple(Vec<Val>, Layout),
    /// A dynamic array.
    Array(Vec<Val>, Layout),
}

/// Where the tails of a struct's or array's dynamic members go.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    /// The order of the dynamic members' tails, by member index (`None`: member order).
    pub order: Option<Vec<usize>>,
    /// Junk words inserted before the `k`-th tail written: `(k, words)`.
    pub gap: Option<(usize, usize)>,
}

impl Layout {
    /// Whether the layout is the canonical one.
    pub fn is_canonical(&self) -> bool {
        self.gap.is_none()
            && self
                .order
                .as_ref()
                .is_none_or(|o| o.windows(2).all(|w| w[0] < w[1]))
    }
}

/// The byte a gap is filled with.
const GAP_FILL: u8 = 0xee;
/// The byte dirty padding is filled with.
const PAD_FILL: u8 = 0xa5;

fn word_u(v: U256) -> Val {
    Val::Word(B256::from(v))
}

fn word_addr(a: Address) -> Val {
    Val::Word(a.into_word())
}

fn word_bool(b: bool) -> Val {
    word_u(U256::from(u8::from(b)))
}

fn bytes(b: &[u8]) -> Val {
    Val::Bytes {
        data: b.to_vec(),
        dirty: false,
    }
}

fn tuple(items: Vec<Val>) -> Val {
    Val::Tuple(items, Layout::default())
}

fn array(items: Vec<Val>) -> Val {
    Val::Array(items, Layout::default())
}

impl Val {
    /// Whether the value is dynamic (encoded by an offset in its parent's head).
    pub fn is_dynamic(&self) -> bool {
        match self {
            Val::Word(_) => false,
            Val::Bytes { .. } | Val::Array(..) => true,
            Val::Tuple(items, _) => items.iter().any(Val::is_dynamic),
        }
    }

    /// The size of a static value's inline encoding.
    fn static_size(&self) -> usize {
        match self {
            Val::Tuple(items, _) => items.iter().map(Val::static_size).sum(),
            _ => 32,
        }
    }

    /// The encoding of the value (for a dynamic value: what its offset points to).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Val::Word(w) => w.to_vec(),
            Val::Bytes { data, dirty } => {
                let mut out = U256::from(data.len()).to_be_bytes::<32>().to_vec();
                out.extend_from_slice(data);
                let pad = (32 - data.len() % 32) % 32;
                out.extend(std::iter::repeat_n(if *dirty { PAD_FILL } else { 0 }, pad));
                out
            }
            Val::Tuple(items, layout) => encode_seq(items, layout),
            Val::Array(items, layout) => {
                let mut out = U256::from(items.len()).to_be_bytes::<32>().to_vec();
                out.extend(encode_seq(items, layout));
                out
            }
        }
    }
}

/// A head of inline values and offsets, then the tails in the layout's order.
fn encode_seq(items: &[Val], layout: &Layout) -> Vec<u8> {
    let head: usize = items
        .iter()
        .map(|v| if v.is_dynamic() { 32 } else { v.static_size() })
        .sum();
    let dynamic: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].is_dynamic())
        .collect();
    let order: Vec<usize> = match &layout.order {
        Some(o) => o.iter().copied().filter(|i| dynamic.contains(i)).collect(),
        None => dynamic.clone(),
    };
    let mut offsets = vec![0usize; items.len()];
    let mut tails = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        if let Some((at, words)) = layout.gap {
            if at == k {
                tails.extend(std::iter::repeat_n(GAP_FILL, 32 * words));
            }
        }
        offsets[i] = head + tails.len();
        tails.extend(items[i].encode());
    }
    if let Some((at, words)) = layout.gap {
        if at >= order.len() {
            tails.extend(std::iter::repeat_n(GAP_FILL, 32 * words));
        }
    }
    let mut out = Vec::with_capacity(head + tails.len());
    for (i, v) in items.iter().enumerate() {
        if v.is_dynamic() {
            // A member left out of a custom order points at the end of the encoding.
            let off = if order.contains(&i) {
                offsets[i]
            } else {
                head + tails.len()
            };
            out.extend_from_slice(&U256::from(off).to_be_bytes::<32>());
        } else {
            out.extend(v.encode());
        }
    }
    out.extend(tails);
    out
}

// ---------------------------------------------------------------------------------------------
// Layouts of the hashed structs
// ---------------------------------------------------------------------------------------------

/// A non-canonical layout of a `State`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StateLayout {
    /// What `abi.encode` writes.
    #[default]
    Canonical,
    /// The outcome's tail after the appData's: the outcome lies outside the bytes the contracts
    /// of today hash.
    OutcomeAfterAppData,
    /// Junk words between the outcome's tail and the appData's.
    GapBetweenTails,
    /// A one-byte appData with non-zero padding.
    DirtyPadding,
}

/// A non-canonical layout of a `Params`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamsLayout {
    /// What `abi.encode` writes.
    #[default]
    Canonical,
    /// Participant 0's tail after the last participant's: outside the hashed span.
    ParticipantOutsideSpan,
    /// Junk words between the participants' tails.
    GapBetweenTails,
    /// Participant 0 with a one-byte ccAddress and non-zero padding.
    DirtyPadding,
}

/// A non-canonical layout of a `WithdrawalAuth`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AuthLayout {
    /// What `abi.encode` writes.
    #[default]
    Canonical,
    /// Junk words between the head and the participant's tail.
    Gap,
    /// A one-byte ccAddress with non-zero padding.
    DirtyPadding,
}

/// A state as the adversary lays it out: the values the contracts read, and where the bytes go.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateVal {
    /// The state's values (the outcome the contracts read is this one).
    pub state: Channel::State,
    /// Its layout.
    pub layout: StateLayout,
}

impl StateVal {
    /// A state in canonical layout.
    pub fn canonical(state: Channel::State) -> Self {
        StateVal {
            state,
            layout: StateLayout::Canonical,
        }
    }

    /// `state` in `layout`; a [`StateLayout::DirtyPadding`] state gets a one-byte appData.
    pub fn laid_out(mut state: Channel::State, layout: StateLayout) -> Self {
        if layout == StateLayout::DirtyPadding && state.appData.len().is_multiple_of(32) {
            state.appData = Bytes::from(vec![0x01]);
        }
        StateVal { state, layout }
    }

    /// The tree to encode.
    pub fn val(&self) -> Val {
        let s = &self.state;
        let mut layout = Layout::default();
        match self.layout {
            StateLayout::Canonical | StateLayout::DirtyPadding => {}
            StateLayout::OutcomeAfterAppData => layout.order = Some(vec![3, 2]),
            StateLayout::GapBetweenTails => layout.gap = Some((1, 2)),
        }
        Val::Tuple(
            vec![
                Val::Word(s.channelID),
                word_u(U256::from(s.version)),
                allocation(&s.outcome),
                Val::Bytes {
                    data: s.appData.to_vec(),
                    dirty: self.layout == StateLayout::DirtyPadding,
                },
                word_bool(s.isFinal),
            ],
            layout,
        )
    }

    /// The encoding.
    pub fn encode(&self) -> Vec<u8> {
        self.val().encode()
    }

    /// The hash the contracts of today compute: `keccak256(0x20 ‖ bytes)` from the state's
    /// start to the end of its appData (padding included). For a canonical state this is
    /// `keccak256(abi.encode(state))`.
    pub fn hash(&self) -> B256 {
        let enc = self.encode();
        let end = bytes_end(&enc, read(&enc, 96));
        span_hash(&enc[..end.min(enc.len())])
    }

    /// The state's version.
    pub fn version(&self) -> u64 {
        self.state.version
    }

    /// Whether the layout is canonical.
    pub fn is_canonical(&self) -> bool {
        self.layout == StateLayout::Canonical
    }

    /// `signer`'s signature on the hash the contracts compute.
    pub fn sign(&self, signer: &Signer) -> Bytes {
        sign_hash(signer, self.hash())
    }
}

/// A params as the adversary lays it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamsVal {
    /// The values.
    pub params: Channel::Params,
    /// The layout.
    pub layout: ParamsLayout,
}

impl ParamsVal {
    /// Params in canonical layout.
    pub fn canonical(params: Channel::Params) -> Self {
        ParamsVal {
            params,
            layout: ParamsLayout::Canonical,
        }
    }

    /// `params` in `layout`; a [`ParamsLayout::DirtyPadding`] params gets a one-byte ccAddress
    /// for participant 0.
    pub fn laid_out(mut params: Channel::Params, layout: ParamsLayout) -> Self {
        if layout == ParamsLayout::DirtyPadding {
            if let Some(p) = params.participants.first_mut() {
                if p.ccAddress.len().is_multiple_of(32) {
                    p.ccAddress = Bytes::from(vec![0x02]);
                }
            }
        }
        ParamsVal { params, layout }
    }

    /// The tree to encode.
    pub fn val(&self) -> Val {
        let p = &self.params;
        let n = p.participants.len();
        let mut parts = Layout::default();
        match self.layout {
            ParamsLayout::ParticipantOutsideSpan if n >= 2 => {
                let mut order: Vec<usize> = (1..n).collect();
                order.push(0);
                parts.order = Some(order);
            }
            ParamsLayout::GapBetweenTails => parts.gap = Some((n.min(1), 1)),
            _ => {}
        }
        let dirty = self.layout == ParamsLayout::DirtyPadding;
        let participants = p
            .participants
            .iter()
            .enumerate()
            .map(|(i, q)| {
                tuple(vec![
                    word_addr(q.ethAddress),
                    Val::Bytes {
                        data: q.ccAddress.to_vec(),
                        dirty: dirty && i == 0,
                    },
                ])
            })
            .collect();
        tuple(vec![
            word_u(p.challengeDuration),
            word_u(p.nonce),
            Val::Array(participants, parts),
            word_addr(p.app),
            word_bool(p.ledgerChannel),
            word_bool(p.virtualChannel),
        ])
    }

    /// The channel ID the contracts of today compute: the hash from the params' start to the
    /// end of the last participant's ccAddress.
    pub fn id(&self) -> B256 {
        let enc = self.val().encode();
        let begin = read(&enc, 64);
        let n = read(&enc, begin);
        let mut end = begin + 32;
        if n > 0 {
            let last = begin + 32 + read(&enc, begin + 32 + 32 * (n - 1));
            end = bytes_end(&enc, last + read(&enc, last + 32));
        }
        span_hash(&enc[..end.min(enc.len())])
    }
}

/// A signed state as the adversary sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedVal {
    /// The params.
    pub params: ParamsVal,
    /// The state.
    pub state: StateVal,
    /// The signatures.
    pub sigs: Vec<Bytes>,
}

impl SignedVal {
    /// The tree to encode.
    pub fn val(&self) -> Val {
        tuple(vec![
            self.params.val(),
            self.state.val(),
            array(self.sigs.iter().map(|s| bytes(s)).collect()),
        ])
    }
}

/// A withdrawal authorization as the adversary lays it out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthVal {
    /// The values.
    pub auth: WithdrawalAuth,
    /// The layout.
    pub layout: AuthLayout,
}

impl AuthVal {
    /// The tree to encode.
    pub fn val(&self) -> Val {
        let a = &self.auth;
        let mut layout = Layout::default();
        let mut cc = a.participant.ccAddress.to_vec();
        let mut dirty = false;
        match self.layout {
            AuthLayout::Canonical => {}
            AuthLayout::Gap => layout.gap = Some((0, 1)),
            AuthLayout::DirtyPadding => {
                if cc.len().is_multiple_of(32) {
                    cc = vec![0x03];
                }
                dirty = true;
            }
        }
        Val::Tuple(
            vec![
                Val::Word(a.channelID),
                tuple(vec![
                    word_addr(a.participant.ethAddress),
                    Val::Bytes { data: cc, dirty },
                ]),
                word_addr(a.receiver),
                word_u(a.amount),
            ],
            layout,
        )
    }

    /// The hash the contracts of today compute: from the auth's start to the end of the
    /// participant's ccAddress.
    pub fn hash(&self) -> B256 {
        let enc = self.val().encode();
        let part = read(&enc, 32);
        let end = bytes_end(&enc, part + read(&enc, part + 32));
        span_hash(&enc[..end.min(enc.len())])
    }
}

fn allocation(o: &Channel::Allocation) -> Val {
    tuple(vec![
        array(
            o.assets
                .iter()
                .map(|a| {
                    tuple(vec![
                        word_u(a.chainID),
                        word_addr(a.ethHolder),
                        bytes(&a.ccHolder),
                    ])
                })
                .collect(),
        ),
        array(o.backends.iter().map(|b| word_u(*b)).collect()),
        array(
            o.balances
                .iter()
                .map(|row| array(row.iter().map(|b| word_u(*b)).collect()))
                .collect(),
        ),
        array(
            o.locked
                .iter()
                .map(|l| {
                    tuple(vec![
                        Val::Word(l.ID),
                        array(l.balances.iter().map(|b| word_u(*b)).collect()),
                        array(l.indexMap.iter().map(|i| word_u(U256::from(*i))).collect()),
                    ])
                })
                .collect(),
        ),
    ])
}

/// The word at `at` as an offset or length (saturated; a bad value makes the span end at the
/// end of the encoding).
fn read(enc: &[u8], at: usize) -> usize {
    enc.get(at..at + 32).map_or(usize::MAX / 4, |w| {
        U256::from_be_slice(w)
            .saturating_to::<usize>()
            .min(usize::MAX / 4)
    })
}

/// The end of the `bytes` value at `at`, padding included.
fn bytes_end(enc: &[u8], at: usize) -> usize {
    let len = read(enc, at);
    at.saturating_add(32)
        .saturating_add(len.saturating_add(31) / 32 * 32)
}

fn span_hash(span: &[u8]) -> B256 {
    let mut buf = B256::left_padding_from(&[0x20]).to_vec();
    buf.extend_from_slice(span);
    keccak256(buf)
}

/// `signer`'s signature over the eth-signed digest of `hash`, 65 bytes.
pub fn sign_hash(signer: &Signer, hash: B256) -> Bytes {
    Bytes::copy_from_slice(&signer.sign_digest(&eth_signed_digest(hash)).to_bytes())
}

// ---------------------------------------------------------------------------------------------
// Calls
// ---------------------------------------------------------------------------------------------

fn call(selector: [u8; 4], args: Vec<Val>) -> Vec<u8> {
    let mut data = selector.to_vec();
    data.extend(encode_seq(&args, &Layout::default()));
    data
}

/// Adjudicator `register(SignedState channel, SignedState[] subChannels)`.
pub fn register(channel: &SignedVal, subs: &[SignedVal]) -> Vec<u8> {
    call(
        sel().register,
        vec![
            channel.val(),
            array(subs.iter().map(SignedVal::val).collect()),
        ],
    )
}

/// Registry `register(SignedState)` (the direct path).
pub fn registry_register(signed: &SignedVal) -> Vec<u8> {
    call(sel().registry_register, vec![signed.val()])
}

/// Registry `conclude(Params, State)` (the direct path).
pub fn registry_conclude(params: &ParamsVal, state: &StateVal) -> Vec<u8> {
    call(sel().registry_conclude, vec![params.val(), state.val()])
}

/// Adjudicator `progress(Params, State stateOld, State state, uint256 actorIdx, bytes sig)`.
pub fn progress(
    params: &ParamsVal,
    old: &StateVal,
    new: &StateVal,
    actor: usize,
    sig: &[u8],
) -> Vec<u8> {
    call(
        sel().progress,
        vec![
            params.val(),
            old.val(),
            new.val(),
            word_u(U256::from(actor)),
            bytes(sig),
        ],
    )
}

/// Adjudicator `conclude(Params, State, State[] subStates)`.
pub fn conclude(params: &ParamsVal, state: &StateVal, subs: &[StateVal]) -> Vec<u8> {
    call(
        sel().conclude,
        vec![
            params.val(),
            state.val(),
            array(subs.iter().map(StateVal::val).collect()),
        ],
    )
}

/// Adjudicator `concludeFinal(Params, State, bytes[] sigs)`.
pub fn conclude_final(params: &ParamsVal, state: &StateVal, sigs: &[Bytes]) -> Vec<u8> {
    call(
        sel().conclude_final,
        vec![
            params.val(),
            state.val(),
            array(sigs.iter().map(|s| bytes(s)).collect()),
        ],
    )
}

/// Asset holder `withdraw(WithdrawalAuth, bytes sig)`.
pub fn withdraw(auth: &AuthVal, sig: &[u8]) -> Vec<u8> {
    call(sel().withdraw, vec![auth.val(), bytes(sig)])
}

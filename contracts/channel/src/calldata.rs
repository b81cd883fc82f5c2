//! Checked, in-place views of ABI-encoded Perun values: the Rust side of `Calldata.sol`.
//!
//! The contracts read their arguments where they lie in calldata instead of decoding them into
//! owned values: the programs stay small, the signed bytes are hashed without encoding them
//! again, and only what is read is checked. The Solidity mirror reads through views with the
//! same rules (contracts/solidity/Calldata.sol), so both accept the same inputs and reject the
//! rest with `MalformedCalldata()`.
//!
//! # Rules
//!
//! A view is a position in the data (for a struct, the start of its head). Creating a struct
//! view checks nothing; every read checks what it reads, and nothing else:
//! - a word read must lie inside the data;
//! - an offset must be below 2^32; the member it leads to is checked when it is read;
//! - an array's length must be below 2^32 and its element slots must lie inside the data
//!   (checked when the array view is made);
//! - a `bytes` value's length must be below 2^32 and its content must lie inside the data;
//! - an `address`, `bool`, `uint64` or `uint16` word must have no bits set outside its type;
//! - a hashed struct must be in canonical ABI layout where the contracts first trust its hash
//!   (below).
//!
//! The contracts read fields in the same order in both languages, so a malformed input fails at
//! the same read. Positions are `u64`: an offset below 2^32 added to a position below 2^33 stays
//! far from overflow, also on `wasm32`.
//!
//! # Hashing
//!
//! `keccak256(abi.encode(x))` of a struct with dynamic members is the hash of the word `0x20`
//! followed by the struct's encoding. The views hash that encoding where it lies; its end is
//! taken from the last dynamic member: `appData` ends a `State`, the last participant's
//! `ccAddress` ends `Params`, each with its padding. For the canonical encoding every ABI
//! encoder produces this is exactly `abi.encode(x)`. For another layout values could lie
//! outside the bytes hashed: a `State` whose outcome tail sits after its `appData` hashes
//! without its outcome. So a hash is trusted only for the canonical layout: wherever a contract
//! records a hash (a registration, a refutation, a force-executed state, a final conclusion),
//! it first calls `check_canonical`, which walks the struct and finds every dynamic member's
//! offset equal to where the previous tail ends (the first one right after the head), every
//! `bytes` value's padding zero and every word clean for its type; a `WithdrawalAuth` is walked
//! whenever it is hashed. Everywhere else a hash is only compared with a recorded one, and equal
//! hashes mean equal bytes: the struct is then that canonical encoding, and every value read
//! lies inside the bytes hashed. A struct found not canonical reverts with
//! `MalformedCalldata()`.

use alloc::vec::Vec;
use alloy_primitives::{keccak256, Address, B256, U256};
use core::fmt;
use core::marker::PhantomData;

/// Why a value could not be read, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The byte position in the data of the word or value that broke a rule.
    pub at: u64,
}

/// The kinds of malformed ABI data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// A word, an array's element slots, a `bytes` value's content or a hashed encoding
    /// extends past the end of the data.
    OutOfBounds,
    /// An offset or length is 2^32 or more.
    TooLarge,
    /// An `address` word has a non-zero upper 12 bytes.
    DirtyAddress,
    /// A `bool` word is neither 0 nor 1.
    DirtyBool,
    /// A `uint64` word has bits set above bit 63.
    DirtyUint64,
    /// A `uint16` word has bits set above bit 15.
    DirtyUint16,
    /// A hashed struct is not in canonical layout: an offset does not point where the previous
    /// tail ends, or a `bytes` value's padding is not zero.
    NonCanonical,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            DecodeErrorKind::OutOfBounds => "data ends before the value does",
            DecodeErrorKind::TooLarge => "offset or length is 2^32 or more",
            DecodeErrorKind::DirtyAddress => "address word has non-zero upper bytes",
            DecodeErrorKind::DirtyBool => "bool word is neither 0 nor 1",
            DecodeErrorKind::DirtyUint64 => "uint64 word has bits set above bit 63",
            DecodeErrorKind::DirtyUint16 => "uint16 word has bits set above bit 15",
            DecodeErrorKind::NonCanonical => "hashed struct is not in canonical ABI layout",
        };
        write!(f, "malformed ABI data at byte {}: {what}", self.at)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DecodeError {}

/// The result of a read.
pub type Result<T> = core::result::Result<T, DecodeError>;

const fn err(kind: DecodeErrorKind, at: u64) -> DecodeError {
    DecodeError { kind, at }
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// The word at `p`, which must lie inside the data.
fn word(data: &[u8], p: u64) -> Result<&[u8; 32]> {
    usize::try_from(p)
        .ok()
        .and_then(|s| data.get(s..s.checked_add(32)?))
        .and_then(|w| w.try_into().ok())
        .ok_or(err(DecodeErrorKind::OutOfBounds, p))
}

/// The word at `p` of data whose bounds were checked when the enclosing array view was made.
fn word_in(data: &[u8], p: u64) -> &[u8; 32] {
    match word(data, p) {
        Ok(w) => w,
        // An array view exists only once its element slots were found inside the data. (Not
        // `expect`: formatting the error would add `core::fmt` to every Stylus program.)
        Err(_) => panic!("array element slots lie inside the data"),
    }
}

fn zero_prefix(w: &[u8; 32], n: usize) -> bool {
    w[..n].iter().all(|&b| b == 0)
}

fn low_u64(w: &[u8; 32]) -> u64 {
    u64::from_be_bytes([w[24], w[25], w[26], w[27], w[28], w[29], w[30], w[31]])
}

/// An offset or length word: below 2^32.
fn small(w: &[u8; 32], at: u64) -> Result<u64> {
    if zero_prefix(w, 28) {
        Ok(low_u64(w))
    } else {
        Err(err(DecodeErrorKind::TooLarge, at))
    }
}

/// Whether `end` (exclusive) lies inside the data.
fn inside(data: &[u8], end: u64) -> bool {
    end <= data.len() as u64
}

/// The position of the member whose offset is in head slot `slot` of the struct at `p`.
fn member(data: &[u8], p: u64, slot: u64) -> Result<u64> {
    let s = p + 32 * slot;
    Ok(p + small(word(data, s)?, s)?)
}

/// The word in head slot `slot` of the struct at `p`.
fn slot_word(data: &[u8], p: u64, slot: u64) -> Result<&[u8; 32]> {
    word(data, p + 32 * slot)
}

fn address_at(data: &[u8], p: u64, slot: u64) -> Result<Address> {
    let w = slot_word(data, p, slot)?;
    if zero_prefix(w, 12) {
        Ok(Address::from_slice(&w[12..]))
    } else {
        Err(err(DecodeErrorKind::DirtyAddress, p + 32 * slot))
    }
}

fn bool_at(data: &[u8], p: u64, slot: u64) -> Result<bool> {
    let w = slot_word(data, p, slot)?;
    if zero_prefix(w, 31) && w[31] <= 1 {
        Ok(w[31] == 1)
    } else {
        Err(err(DecodeErrorKind::DirtyBool, p + 32 * slot))
    }
}

fn u64_at(data: &[u8], p: u64, slot: u64) -> Result<u64> {
    let w = slot_word(data, p, slot)?;
    if zero_prefix(w, 24) {
        Ok(low_u64(w))
    } else {
        Err(err(DecodeErrorKind::DirtyUint64, p + 32 * slot))
    }
}

fn u256_at(data: &[u8], p: u64, slot: u64) -> Result<U256> {
    slot_word(data, p, slot).map(|w| U256::from_be_bytes(*w))
}

fn b256_at(data: &[u8], p: u64, slot: u64) -> Result<B256> {
    slot_word(data, p, slot).map(|w| B256::new(*w))
}

/// Rounds `n` up to whole words.
const fn ceil32(n: u64) -> u64 {
    n.div_ceil(32) * 32
}

/// The end of an encoding whose last member is the `bytes` value at `p`, padding included,
/// which must lie inside the data.
fn encoding_end(data: &[u8], p: u64) -> Result<u64> {
    let b = BytesRef::at(data, p)?;
    let end = p + 32 + ceil32(b.len() as u64);
    if inside(data, end) {
        Ok(end)
    } else {
        Err(err(DecodeErrorKind::OutOfBounds, p))
    }
}

// ---------------------------------------------------------------------------------------------
// Canonical layout
// ---------------------------------------------------------------------------------------------

/// Checks that head slot `slot` of the struct at `p` holds the offset `expected`: where the
/// canonical encoding puts that member's tail.
fn canonical_offset(data: &[u8], p: u64, slot: u64, expected: u64) -> Result<()> {
    let s = p + 32 * slot;
    if small(word(data, s)?, s)? == expected {
        Ok(())
    } else {
        Err(err(DecodeErrorKind::NonCanonical, s))
    }
}

/// The end of the `bytes` value at `p` in canonical layout: its content inside the data and
/// its padding, up to the next word, zero.
fn canonical_bytes(data: &[u8], p: u64) -> Result<u64> {
    let b = BytesRef::at(data, p)?;
    let content_end = p + 32 + b.len() as u64;
    let end = p + 32 + ceil32(b.len() as u64);
    if !inside(data, end) {
        return Err(err(DecodeErrorKind::OutOfBounds, p));
    }
    // Both ends were just checked against the data's length.
    if data[content_end as usize..end as usize]
        .iter()
        .any(|&x| x != 0)
    {
        return Err(err(DecodeErrorKind::NonCanonical, content_end));
    }
    Ok(end)
}

/// The elements of an array in a hashed struct.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Elem {
    /// `uint256` words.
    Word,
    /// `uint16` words.
    U16,
    /// `Participant`s: ethAddress, ccAddress.
    Participant,
    /// `Asset`s: chainID, ethHolder, ccHolder.
    Asset,
    /// `uint256[]`s.
    Words,
    /// `SubAlloc`s: ID, balances, indexMap.
    SubAlloc,
}

/// The end of the array at `p` in canonical layout. A static element (`Word`, `U16`) must be
/// clean for its type; a dynamic element's offset must point where the previous element ends
/// (the first one right after the offsets), and the element itself be canonical. One
/// non-generic function for every kind keeps the Stylus programs small.
fn canonical_array(data: &[u8], p: u64, elem: Elem) -> Result<u64> {
    let a = ArrayRef::<U256>::at(data, p)?;
    let slots = a.start + 32 * a.len;
    let mut end = slots;
    for i in 0..a.len {
        let slot = a.start + 32 * i;
        let w = word_in(data, slot);
        match elem {
            Elem::Word => {}
            Elem::U16 => {
                if !zero_prefix(w, 30) {
                    return Err(err(DecodeErrorKind::DirtyUint16, slot));
                }
            }
            _ => {
                if small(w, slot)? != end - a.start {
                    return Err(err(DecodeErrorKind::NonCanonical, slot));
                }
                end = match elem {
                    Elem::Participant => {
                        address_at(data, end, 0)?;
                        canonical_offset(data, end, 1, 0x40)?;
                        canonical_bytes(data, end + 0x40)?
                    }
                    Elem::Asset => {
                        address_at(data, end, 1)?;
                        canonical_offset(data, end, 2, 0x60)?;
                        canonical_bytes(data, end + 0x60)?
                    }
                    Elem::Words => canonical_array(data, end, Elem::Word)?,
                    _ => {
                        let q = end;
                        canonical_offset(data, q, 1, 0x60)?;
                        let balances_end = canonical_array(data, q + 0x60, Elem::Word)?;
                        canonical_offset(data, q, 2, balances_end - q)?;
                        canonical_array(data, balances_end, Elem::U16)?
                    }
                };
            }
        }
    }
    Ok(end)
}

/// The end of the `Allocation` at `p`: assets, backends, balances, locked.
fn allocation_end(data: &[u8], p: u64) -> Result<u64> {
    canonical_offset(data, p, 0, 0x80)?;
    let end = canonical_array(data, p + 0x80, Elem::Asset)?;
    canonical_offset(data, p, 1, end - p)?;
    let end = canonical_array(data, end, Elem::Word)?;
    canonical_offset(data, p, 2, end - p)?;
    let end = canonical_array(data, end, Elem::Words)?;
    canonical_offset(data, p, 3, end - p)?;
    canonical_array(data, end, Elem::SubAlloc)
}

/// The end of the `State` at `p`: channelID, version, outcome, appData, isFinal.
fn state_end(data: &[u8], p: u64) -> Result<u64> {
    u64_at(data, p, 1)?;
    canonical_offset(data, p, 2, 0xa0)?;
    let end = allocation_end(data, p + 0xa0)?;
    canonical_offset(data, p, 3, end - p)?;
    bool_at(data, p, 4)?;
    canonical_bytes(data, end)
}

/// The end of the `Params` at `p`: challengeDuration, nonce, participants, app, ledgerChannel,
/// virtualChannel.
fn params_end(data: &[u8], p: u64) -> Result<u64> {
    canonical_offset(data, p, 2, 0xc0)?;
    address_at(data, p, 3)?;
    bool_at(data, p, 4)?;
    bool_at(data, p, 5)?;
    canonical_array(data, p + 0xc0, Elem::Participant)
}

/// The end of the `WithdrawalAuth` at `p`: channelID, participant, receiver, amount.
fn withdrawal_auth_end(data: &[u8], p: u64) -> Result<u64> {
    canonical_offset(data, p, 1, 0x80)?;
    address_at(data, p, 2)?;
    let q = p + 0x80;
    address_at(data, q, 0)?;
    canonical_offset(data, q, 1, 0x40)?;
    canonical_bytes(data, q + 0x40)
}

/// `keccak256(0x20 ‖ data[start..end])`: the hash of `abi.encode(x)` for a struct `x` with
/// dynamic members whose encoding lies at `start..end` (both checked inside the data).
fn hash_span(data: &[u8], start: u64, end: u64) -> B256 {
    // Both ends were checked against the data's length by the read that found them.
    let span = &data[start as usize..end as usize];
    let mut buf = Vec::with_capacity(32 + span.len());
    buf.resize(32, 0);
    buf[31] = 0x20;
    buf.extend_from_slice(span);
    keccak256(buf)
}

// ---------------------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------------------

/// A value at a position in ABI-encoded data.
pub trait View<'a>: Sized + Copy {
    /// The view of the value at `p`: checks nothing for a struct; an array's or a `bytes`
    /// value's length and extent.
    ///
    /// # Errors
    /// For arrays and `bytes`, the rule the data breaks.
    fn at(data: &'a [u8], p: u64) -> Result<Self>;
}

/// The arguments of a call, after its 4-byte selector.
#[derive(Clone, Copy, Debug)]
pub struct Args<'a> {
    data: &'a [u8],
}

impl<'a> Args<'a> {
    /// Wraps the calldata after the selector.
    pub fn new(data: &'a [u8]) -> Self {
        Args { data }
    }

    /// The data.
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Dynamic argument `i` (0-based) as a `T`: its offset (below 2^32), then the view there.
    ///
    /// # Errors
    /// The rule the data breaks.
    pub fn get<T: View<'a>>(&self, i: u64) -> Result<T> {
        T::at(self.data, member(self.data, 0, i)?)
    }

    /// Static argument `i` (a `uint256` or `bytes32` word).
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn word(&self, i: u64) -> Result<U256> {
        u256_at(self.data, 0, i)
    }
}

/// An array whose length and element slots were checked.
#[derive(Clone, Copy, Debug)]
pub struct ArrayRef<'a, T> {
    data: &'a [u8],
    start: u64,
    len: u64,
    _marker: PhantomData<T>,
}

impl<'a, T> View<'a> for ArrayRef<'a, T>
where
    T: Copy,
{
    fn at(data: &'a [u8], p: u64) -> Result<Self> {
        let len = small(word(data, p)?, p)?;
        let start = p + 32;
        if !inside(data, start + 32 * len) {
            return Err(err(DecodeErrorKind::OutOfBounds, p));
        }
        Ok(ArrayRef {
            data,
            start,
            len,
            _marker: PhantomData,
        })
    }
}

impl<'a, T> ArrayRef<'a, T> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        // Below 2^32 by the array's check.
        self.len as usize
    }

    /// Whether the array is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The position of element 0's slot.
    pub fn start(&self) -> u64 {
        self.start
    }

    fn slot(&self, i: usize) -> u64 {
        debug_assert!((i as u64) < self.len);
        self.start + 32 * i as u64
    }
}

impl<'a> ArrayRef<'a, U256> {
    /// Element `i` (below the length): its slot lies inside, so this cannot fail.
    pub fn word(&self, i: usize) -> U256 {
        U256::from_be_bytes(*word_in(self.data, self.slot(i)))
    }

    /// The elements, in order.
    pub fn words(&self) -> impl ExactSizeIterator<Item = U256> + 'a {
        let me = *self;
        (0..self.len()).map(move |i| me.word(i))
    }
}

impl<'a> ArrayRef<'a, u16> {
    /// Element `i` (below the length), which must have no bits set above bit 15.
    ///
    /// # Errors
    /// [`DecodeErrorKind::DirtyUint16`].
    pub fn get(&self, i: usize) -> Result<u16> {
        let p = self.slot(i);
        let w = word_in(self.data, p);
        if zero_prefix(w, 30) {
            Ok(u16::from_be_bytes([w[30], w[31]]))
        } else {
            Err(err(DecodeErrorKind::DirtyUint16, p))
        }
    }
}

/// Marks the views that are array elements reached through an offset.
pub trait Dynamic<'a>: View<'a> {}

impl<'a, T: Dynamic<'a>> ArrayRef<'a, T> {
    /// Element `i` (below the length): its offset, then the view there.
    ///
    /// # Errors
    /// The rule the offset or the element's own check breaks.
    pub fn get(&self, i: usize) -> Result<T> {
        T::at(self.data, member(self.data, self.start, i as u64)?)
    }
}

impl<'a, T: Copy> Dynamic<'a> for ArrayRef<'a, T> {}

/// A `bytes` value whose length and content were checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BytesRef<'a> {
    content: &'a [u8],
    start: u64,
}

impl<'a> View<'a> for BytesRef<'a> {
    fn at(data: &'a [u8], p: u64) -> Result<Self> {
        let len = small(word(data, p)?, p)?;
        let start = p + 32;
        if !inside(data, start + len) {
            return Err(err(DecodeErrorKind::OutOfBounds, p));
        }
        // Both ends were just checked against the data's length.
        Ok(BytesRef {
            content: &data[start as usize..(start + len) as usize],
            start,
        })
    }
}

impl<'a> Dynamic<'a> for BytesRef<'a> {}

impl<'a> BytesRef<'a> {
    /// The content.
    pub fn as_slice(&self) -> &'a [u8] {
        self.content
    }

    /// The content's length.
    pub fn len(&self) -> usize {
        self.content.len()
    }

    /// Whether the content is empty.
    pub fn is_empty(&self) -> bool {
        self.content.is_empty()
    }

    /// The position of the content.
    pub fn start(&self) -> u64 {
        self.start
    }
}

/// Declares a struct view: a position, checked by nothing until a field is read.
macro_rules! struct_view {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            data: &'a [u8],
            pos: u64,
        }

        impl<'a> View<'a> for $name<'a> {
            fn at(data: &'a [u8], pos: u64) -> Result<Self> {
                Ok($name { data, pos })
            }
        }

        impl<'a> Dynamic<'a> for $name<'a> {}

        impl<'a> $name<'a> {
            /// The position of the struct's head.
            pub fn position(&self) -> u64 {
                self.pos
            }

            /// The data the view reads.
            pub fn data(&self) -> &'a [u8] {
                self.data
            }
        }
    };
}

struct_view!(
    /// A `Channel.Params`: challengeDuration, nonce, participants, app, ledgerChannel,
    /// virtualChannel.
    ParamsRef
);
struct_view!(
    /// A `Channel.Participant`: ethAddress, ccAddress.
    ParticipantRef
);
struct_view!(
    /// A `Channel.State`: channelID, version, outcome, appData, isFinal.
    StateRef
);
struct_view!(
    /// A `Channel.Allocation`: assets, backends, balances, locked.
    AllocationRef
);
struct_view!(
    /// A `Channel.Asset`: chainID, ethHolder, ccHolder.
    AssetRef
);
struct_view!(
    /// A `Channel.SubAlloc`: ID, balances, indexMap.
    SubAllocRef
);
struct_view!(
    /// A `Channel.SignedState`: params, state, sigs.
    SignedStateRef
);
struct_view!(
    /// A `WithdrawalAuth`: channelID, participant, receiver, amount.
    WithdrawalAuthRef
);

impl<'a> ParamsRef<'a> {
    /// `challengeDuration`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn challenge_duration(&self) -> Result<U256> {
        u256_at(self.data, self.pos, 0)
    }

    /// `nonce`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn nonce(&self) -> Result<U256> {
        u256_at(self.data, self.pos, 1)
    }

    /// `participants`.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn participants(&self) -> Result<ArrayRef<'a, ParticipantRef<'a>>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 2)?)
    }

    /// `app`.
    ///
    /// # Errors
    /// If the word lies past the end or is not an address.
    pub fn app(&self) -> Result<Address> {
        address_at(self.data, self.pos, 3)
    }

    /// `ledgerChannel`.
    ///
    /// # Errors
    /// If the word lies past the end or is not a bool.
    pub fn ledger_channel(&self) -> Result<bool> {
        bool_at(self.data, self.pos, 4)
    }

    /// `virtualChannel`.
    ///
    /// # Errors
    /// If the word lies past the end or is not a bool.
    pub fn virtual_channel(&self) -> Result<bool> {
        bool_at(self.data, self.pos, 5)
    }

    /// Where the participants array starts and the params' encoding ends: after the last
    /// participant's ccAddress and its padding, or after the array's length word.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn participants_span(&self) -> Result<(u64, u64)> {
        let begin = member(self.data, self.pos, 2)?;
        let parts = ArrayRef::<ParticipantRef>::at(self.data, begin)?;
        let end = match parts.len() {
            0 => begin + 32,
            n => {
                let last = parts.get(n - 1)?;
                encoding_end(self.data, member(self.data, last.pos, 1)?)?
            }
        };
        Ok((begin, end))
    }

    /// Checks that the params are in canonical ABI layout (see the module documentation).
    ///
    /// # Errors
    /// The rule a read breaks, [`DecodeErrorKind::NonCanonical`].
    pub fn check_canonical(&self) -> Result<()> {
        params_end(self.data, self.pos).map(|_| ())
    }

    /// `keccak256(abi.encode(params))`: the channel ID.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn id(&self) -> Result<B256> {
        let (_, end) = self.participants_span()?;
        Ok(hash_span(self.data, self.pos, end))
    }

    /// The params' encoding where it lies (see the module documentation).
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn encoding(&self) -> Result<&'a [u8]> {
        let (_, end) = self.participants_span()?;
        Ok(&self.data[self.pos as usize..end as usize])
    }
}

impl<'a> ParticipantRef<'a> {
    /// `ethAddress`.
    ///
    /// # Errors
    /// If the word lies past the end or is not an address.
    pub fn eth_address(&self) -> Result<Address> {
        address_at(self.data, self.pos, 0)
    }

    /// `ccAddress`.
    ///
    /// # Errors
    /// The rule the offset or the bytes break.
    pub fn cc_address(&self) -> Result<BytesRef<'a>> {
        BytesRef::at(self.data, member(self.data, self.pos, 1)?)
    }
}

impl<'a> StateRef<'a> {
    /// `channelID`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn channel_id(&self) -> Result<B256> {
        b256_at(self.data, self.pos, 0)
    }

    /// `version`.
    ///
    /// # Errors
    /// If the word lies past the end or is not a uint64.
    pub fn version(&self) -> Result<u64> {
        u64_at(self.data, self.pos, 1)
    }

    /// `outcome`.
    ///
    /// # Errors
    /// The rule the offset breaks.
    pub fn outcome(&self) -> Result<AllocationRef<'a>> {
        AllocationRef::at(self.data, member(self.data, self.pos, 2)?)
    }

    /// `appData`.
    ///
    /// # Errors
    /// The rule the offset or the bytes break.
    pub fn app_data(&self) -> Result<BytesRef<'a>> {
        BytesRef::at(self.data, member(self.data, self.pos, 3)?)
    }

    /// `isFinal`.
    ///
    /// # Errors
    /// If the word lies past the end or is not a bool.
    pub fn is_final(&self) -> Result<bool> {
        bool_at(self.data, self.pos, 4)
    }

    /// Where the state's encoding ends: after its appData and padding.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn end(&self) -> Result<u64> {
        encoding_end(self.data, member(self.data, self.pos, 3)?)
    }

    /// Checks that the state is in canonical ABI layout (see the module documentation).
    ///
    /// # Errors
    /// The rule a read breaks, [`DecodeErrorKind::NonCanonical`].
    pub fn check_canonical(&self) -> Result<()> {
        state_end(self.data, self.pos).map(|_| ())
    }

    /// `keccak256(abi.encode(state))`.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn hash(&self) -> Result<B256> {
        Ok(hash_span(self.data, self.pos, self.end()?))
    }

    /// The state's encoding where it lies (see the module documentation).
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn encoding(&self) -> Result<&'a [u8]> {
        Ok(&self.data[self.pos as usize..self.end()? as usize])
    }
}

impl<'a> AllocationRef<'a> {
    /// `assets`.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn assets(&self) -> Result<ArrayRef<'a, AssetRef<'a>>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 0)?)
    }

    /// `backends`.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn backends(&self) -> Result<ArrayRef<'a, U256>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 1)?)
    }

    /// `balances`, one row per asset.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn balances(&self) -> Result<ArrayRef<'a, ArrayRef<'a, U256>>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 2)?)
    }

    /// `locked`.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn locked(&self) -> Result<ArrayRef<'a, SubAllocRef<'a>>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 3)?)
    }

    /// The ABI encoding of `assets` where it lies: from the array's length word to where
    /// `backends` begins. It is the canonical encoding of the asset array once the state holding
    /// this allocation was hashed (which checks the canonical layout), and is used only then.
    ///
    /// # Errors
    /// The rule an offset breaks, or [`DecodeErrorKind::NonCanonical`] if `backends` does not
    /// follow `assets`.
    pub fn assets_encoding(&self) -> Result<&'a [u8]> {
        let start = member(self.data, self.pos, 0)?;
        let end = member(self.data, self.pos, 1)?;
        if end < start || !inside(self.data, end) {
            return Err(err(DecodeErrorKind::NonCanonical, self.pos + 32));
        }
        // Both ends were just checked against the data's length.
        Ok(&self.data[start as usize..end as usize])
    }
}

impl<'a> AssetRef<'a> {
    /// `chainID`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn chain_id(&self) -> Result<U256> {
        u256_at(self.data, self.pos, 0)
    }

    /// `ethHolder`.
    ///
    /// # Errors
    /// If the word lies past the end or is not an address.
    pub fn eth_holder(&self) -> Result<Address> {
        address_at(self.data, self.pos, 1)
    }

    /// `ccHolder`.
    ///
    /// # Errors
    /// The rule the offset or the bytes break.
    pub fn cc_holder(&self) -> Result<BytesRef<'a>> {
        BytesRef::at(self.data, member(self.data, self.pos, 2)?)
    }
}

impl<'a> SubAllocRef<'a> {
    /// `ID`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn id(&self) -> Result<B256> {
        b256_at(self.data, self.pos, 0)
    }

    /// `balances`, one per asset.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn balances(&self) -> Result<ArrayRef<'a, U256>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 1)?)
    }

    /// `indexMap`, one per sub-channel participant.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn index_map(&self) -> Result<ArrayRef<'a, u16>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 2)?)
    }
}

impl<'a> SignedStateRef<'a> {
    /// `params`.
    ///
    /// # Errors
    /// The rule the offset breaks.
    pub fn params(&self) -> Result<ParamsRef<'a>> {
        ParamsRef::at(self.data, member(self.data, self.pos, 0)?)
    }

    /// `state`.
    ///
    /// # Errors
    /// The rule the offset breaks.
    pub fn state(&self) -> Result<StateRef<'a>> {
        StateRef::at(self.data, member(self.data, self.pos, 1)?)
    }

    /// `sigs`.
    ///
    /// # Errors
    /// The rule the offset or the array breaks.
    pub fn sigs(&self) -> Result<ArrayRef<'a, BytesRef<'a>>> {
        ArrayRef::at(self.data, member(self.data, self.pos, 2)?)
    }
}

/// The fields of a withdrawal authorization and its hash, read in one go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodedAuth {
    /// `channelID`.
    pub channel_id: B256,
    /// `participant.ethAddress`.
    pub participant: Address,
    /// `keccak256(abi.encode(auth))`.
    pub hash: B256,
    /// `amount`.
    pub amount: U256,
    /// `receiver`.
    pub receiver: Address,
}

impl<'a> WithdrawalAuthRef<'a> {
    /// `channelID`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn channel_id(&self) -> Result<B256> {
        b256_at(self.data, self.pos, 0)
    }

    /// `participant`.
    ///
    /// # Errors
    /// The rule the offset breaks.
    pub fn participant(&self) -> Result<ParticipantRef<'a>> {
        ParticipantRef::at(self.data, member(self.data, self.pos, 1)?)
    }

    /// `receiver`.
    ///
    /// # Errors
    /// If the word lies past the end or is not an address.
    pub fn receiver(&self) -> Result<Address> {
        address_at(self.data, self.pos, 2)
    }

    /// `amount`.
    ///
    /// # Errors
    /// If the word lies past the end.
    pub fn amount(&self) -> Result<U256> {
        u256_at(self.data, self.pos, 3)
    }

    /// Where the encoding ends (after the participant's ccAddress and its padding), once the
    /// authorization is found in canonical layout.
    ///
    /// # Errors
    /// The rule a read breaks, [`DecodeErrorKind::NonCanonical`].
    pub fn end(&self) -> Result<u64> {
        withdrawal_auth_end(self.data, self.pos)
    }

    /// `keccak256(abi.encode(auth))`.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn hash(&self) -> Result<B256> {
        Ok(hash_span(self.data, self.pos, self.end()?))
    }

    /// Every field and the hash, in the order `Calldata.decode(WithdrawalAuthRef)` reads them:
    /// channelID, the participant's address, the hash (the participant's ccAddress), amount,
    /// receiver.
    ///
    /// # Errors
    /// The rule a read breaks.
    pub fn decode(&self) -> Result<DecodedAuth> {
        Ok(DecodedAuth {
            channel_id: self.channel_id()?,
            participant: self.participant()?.eth_address()?,
            hash: self.hash()?,
            amount: self.amount()?,
            receiver: self.receiver()?,
        })
    }
}

//! Zero-copy views over ABI-encoded Perun values, with strict bounds checks.
//!
//! The contracts read their arguments straight from calldata instead of decoding them into
//! owned values: this keeps the Stylus programs small and lets them hash the signed bytes
//! without encoding them again. Both implementations (Rust and the Solidity mirror) accept
//! exactly the same inputs, by the rules below, and reject everything else with
//! `MalformedCalldata()`.
//!
//! # Well-formedness rules
//!
//! A value is decoded at a *position* `pos` in the data (for a struct, the start of its head).
//! - Every word that is read must lie inside the data.
//! - An offset word is relative to the start of the enclosing struct's head, or to the word
//!   after an array's length for array elements. Offset and length words must be below 2^32.
//! - An array's element slots, and a `bytes` value's content, must lie inside the data. The
//!   padding after `bytes` content is not checked here; see the encoding length below.
//! - A value word must fit its type: an `address` has its upper 12 bytes zero, a `bool` is 0 or
//!   1, a `uint64` and a `uint16` have their upper bits zero.
//! - Validation is eager: [`SignedStateRef::decode`] and friends check every word of the value
//!   (depth first, in field order) before any accessor runs, so accessors cannot fail.
//!
//! # Encoding length
//!
//! `keccak256(abi.encode(x))` of a struct with dynamic members is the hash of the word `0x20`
//! followed by the struct's own encoding. The views hash that encoding where it lies in calldata;
//! its length is taken from the last dynamic member: `state.appData` ends a `State`, the last
//! participant's `ccAddress` ends `Params`, `participant.ccAddress` ends a `WithdrawalAuth`, each
//! including the zero padding to a whole word, which must lie inside the data. For the canonical
//! encoding every ABI encoder produces, this is exactly `abi.encode(x)` without its first word.
//! For any other layout the hash simply differs, so no signature made over a real state can be
//! replayed with a different decoded value: equal hashes mean equal bytes, and the decoded value
//! is read from those very bytes.

use alloy_primitives::{Address, B256, U256};
use core::fmt;

/// Why a value could not be decoded, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// What was wrong.
    pub kind: DecodeErrorKind,
    /// The byte position in the data at which the problem was found.
    pub at: usize,
}

/// The kinds of malformed ABI data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// A word, an array's element slots or a `bytes` value's content extends past the end of the
    /// data.
    OutOfBounds,
    /// An offset or length word is 2^32 or more.
    TooLarge,
    /// An `address` word has a non-zero upper 12 bytes.
    DirtyAddress,
    /// A `bool` word is neither 0 nor 1.
    DirtyBool,
    /// A `uint64` word has bits set above bit 63.
    DirtyUint64,
    /// A `uint16` word has bits set above bit 15.
    DirtyUint16,
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
        };
        write!(f, "malformed ABI data at byte {}: {what}", self.at)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for DecodeError {}

type Result<T> = core::result::Result<T, DecodeError>;

const fn err(kind: DecodeErrorKind, at: usize) -> DecodeError {
    DecodeError { kind, at }
}

// ---------------------------------------------------------------------------------------------
// Words
// ---------------------------------------------------------------------------------------------

/// The word at `pos`, or `OutOfBounds`.
fn checked_word(data: &[u8], pos: usize) -> Result<&[u8; 32]> {
    pos.checked_add(32)
        .and_then(|end| data.get(pos..end))
        .and_then(|w| w.try_into().ok())
        .ok_or(err(DecodeErrorKind::OutOfBounds, pos))
}

/// The word at `pos` of data that has been validated.
///
/// # Panics
/// If `pos` is out of bounds, which validation rules out for every position an accessor reads.
fn word(data: &[u8], pos: usize) -> &[u8; 32] {
    data[pos..pos + 32]
        .try_into()
        .expect("validated: word lies inside the data")
}

/// Whether the first `n` bytes of `w` are zero.
fn zero_prefix(w: &[u8; 32], n: usize) -> bool {
    w[..n].iter().all(|&b| b == 0)
}

/// Reads an offset or length word (below 2^32) at `pos`.
fn checked_small(data: &[u8], pos: usize) -> Result<usize> {
    let w = checked_word(data, pos)?;
    if !zero_prefix(w, 28) {
        return Err(err(DecodeErrorKind::TooLarge, pos));
    }
    Ok(small(w))
}

fn small(w: &[u8; 32]) -> usize {
    u32::from_be_bytes([w[28], w[29], w[30], w[31]]) as usize
}

/// `base + off`, checked so that `len` more bytes from there lie inside `data`.
fn checked_span(data: &[u8], base: usize, off: usize, len: usize, at: usize) -> Result<usize> {
    let start = base
        .checked_add(off)
        .ok_or(err(DecodeErrorKind::OutOfBounds, at))?;
    match start.checked_add(len) {
        Some(end) if end <= data.len() => Ok(start),
        _ => Err(err(DecodeErrorKind::OutOfBounds, at)),
    }
}

/// Rounds `n` up to a whole number of words.
const fn ceil32(n: usize) -> usize {
    n.div_ceil(32) * 32
}

// ---------------------------------------------------------------------------------------------
// The decoding trait
// ---------------------------------------------------------------------------------------------

/// A value that can be viewed in ABI-encoded data.
pub trait Decode<'a>: Sized + Copy {
    /// Whether the value is encoded out of line, through an offset in its parent's head.
    const DYNAMIC: bool;

    /// Checks the value encoded at `pos` (its head start for dynamic values, its word for static
    /// ones) by the rules of this module.
    ///
    /// # Errors
    /// The first rule the data breaks, depth first in field order.
    fn validate(data: &'a [u8], pos: usize) -> Result<()>;

    /// Views the value at `pos` of data that [`Decode::validate`] accepted.
    fn view(data: &'a [u8], pos: usize) -> Self;

    /// Validates, then views.
    ///
    /// # Errors
    /// As [`Decode::validate`].
    fn decode(data: &'a [u8], pos: usize) -> Result<Self> {
        Self::validate(data, pos)?;
        Ok(Self::view(data, pos))
    }
}

/// The position of the member in head slot `slot` of the struct whose head starts at `base`:
/// the slot itself for a static member, the target of its offset for a dynamic one.
fn member_pos<'a, T: Decode<'a>>(data: &'a [u8], base: usize, slot: usize) -> Result<usize> {
    let at = base + 32 * slot;
    if T::DYNAMIC {
        let off = checked_small(data, at)?;
        base.checked_add(off)
            .ok_or(err(DecodeErrorKind::OutOfBounds, at))
    } else {
        Ok(at)
    }
}

/// Validates the member in head slot `slot` of the struct at `base`.
fn validate_member<'a, T: Decode<'a>>(data: &'a [u8], base: usize, slot: usize) -> Result<()> {
    let pos = member_pos::<T>(data, base, slot)?;
    T::validate(data, pos)
}

/// Views the member in head slot `slot` of a validated struct at `base`.
fn view_member<'a, T: Decode<'a>>(data: &'a [u8], base: usize, slot: usize) -> T {
    let at = base + 32 * slot;
    if T::DYNAMIC {
        T::view(data, base + small(word(data, at)))
    } else {
        T::view(data, at)
    }
}

// ---------------------------------------------------------------------------------------------
// Value types
// ---------------------------------------------------------------------------------------------

impl<'a> Decode<'a> for U256 {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        checked_word(data, pos).map(|_| ())
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        U256::from_be_bytes(*word(data, pos))
    }
}

impl<'a> Decode<'a> for B256 {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        checked_word(data, pos).map(|_| ())
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        B256::new(*word(data, pos))
    }
}

impl<'a> Decode<'a> for Address {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        if zero_prefix(checked_word(data, pos)?, 12) {
            Ok(())
        } else {
            Err(err(DecodeErrorKind::DirtyAddress, pos))
        }
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        Address::from_slice(&word(data, pos)[12..])
    }
}

impl<'a> Decode<'a> for bool {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        let w = checked_word(data, pos)?;
        if zero_prefix(w, 31) && w[31] <= 1 {
            Ok(())
        } else {
            Err(err(DecodeErrorKind::DirtyBool, pos))
        }
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        word(data, pos)[31] == 1
    }
}

impl<'a> Decode<'a> for u64 {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        if zero_prefix(checked_word(data, pos)?, 24) {
            Ok(())
        } else {
            Err(err(DecodeErrorKind::DirtyUint64, pos))
        }
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        let w = word(data, pos);
        u64::from_be_bytes([w[24], w[25], w[26], w[27], w[28], w[29], w[30], w[31]])
    }
}

impl<'a> Decode<'a> for u16 {
    const DYNAMIC: bool = false;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        if zero_prefix(checked_word(data, pos)?, 30) {
            Ok(())
        } else {
            Err(err(DecodeErrorKind::DirtyUint16, pos))
        }
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        let w = word(data, pos);
        u16::from_be_bytes([w[30], w[31]])
    }
}

/// A `bytes` value: its content, without the padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BytesRef<'a>(pub &'a [u8]);

impl<'a> BytesRef<'a> {
    /// The content.
    pub fn as_slice(&self) -> &'a [u8] {
        self.0
    }

    /// The end of the encoding (content padded to whole words) of the `bytes` value at `pos`.
    fn padded_end(data: &[u8], pos: usize) -> usize {
        pos + 32 + ceil32(small(word(data, pos)))
    }
}

impl<'a> Decode<'a> for BytesRef<'a> {
    const DYNAMIC: bool = true;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        let len = checked_small(data, pos)?;
        checked_span(data, pos, 32, len, pos).map(|_| ())
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        let len = small(word(data, pos));
        BytesRef(&data[pos + 32..pos + 32 + len])
    }
}

// ---------------------------------------------------------------------------------------------
// Arrays
// ---------------------------------------------------------------------------------------------

/// A `T[]` value: `len` element slots starting at `start`, the word after the length.
#[derive(Clone, Copy, Debug)]
pub struct ArrayRef<'a, T> {
    data: &'a [u8],
    start: usize,
    len: usize,
    _marker: core::marker::PhantomData<T>,
}

impl<'a, T: Decode<'a>> ArrayRef<'a, T> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<T> {
        (i < self.len).then(|| view_member::<T>(self.data, self.start, i))
    }

    /// The elements in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = T> + 'a {
        let (data, start) = (self.data, self.start);
        (0..self.len).map(move |i| view_member::<T>(data, start, i))
    }
}

impl<'a, T: Decode<'a>> Decode<'a> for ArrayRef<'a, T> {
    const DYNAMIC: bool = true;
    fn validate(data: &'a [u8], pos: usize) -> Result<()> {
        let len = checked_small(data, pos)?;
        let slots = len
            .checked_mul(32)
            .ok_or(err(DecodeErrorKind::OutOfBounds, pos))?;
        let start = checked_span(data, pos, 32, slots, pos)?;
        for i in 0..len {
            validate_member::<T>(data, start, i)?;
        }
        Ok(())
    }
    fn view(data: &'a [u8], pos: usize) -> Self {
        ArrayRef {
            data,
            start: pos + 32,
            len: small(word(data, pos)),
            _marker: core::marker::PhantomData,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structs
// ---------------------------------------------------------------------------------------------

/// Declares a view over a struct with `N` head slots and its accessors.
macro_rules! struct_view {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$fmeta:meta])* $slot:literal => $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug)]
        pub struct $name<'a> {
            data: &'a [u8],
            base: usize,
        }

        impl<'a> $name<'a> {
            $(
                $(#[$fmeta])*
                pub fn $field(&self) -> $ty {
                    view_member::<$ty>(self.data, self.base, $slot)
                }
            )*

            /// The position of the struct's head in the data.
            pub fn position(&self) -> usize {
                self.base
            }
        }

        impl<'a> Decode<'a> for $name<'a> {
            const DYNAMIC: bool = true;
            fn validate(data: &'a [u8], pos: usize) -> Result<()> {
                $( validate_member::<$ty>(data, pos, $slot)?; )*
                Self::validate_extra(data, pos)
            }
            fn view(data: &'a [u8], base: usize) -> Self {
                $name { data, base }
            }
        }
    };
}

struct_view! {
    /// A `Channel.Participant`.
    ParticipantRef {
        /// `ethAddress`.
        0 => eth_address: Address,
        /// `ccAddress`.
        1 => cc_address: BytesRef<'a>,
    }
}

struct_view! {
    /// A `Channel.Params`.
    ParamsRef {
        /// `challengeDuration`.
        0 => challenge_duration: U256,
        /// `nonce`.
        1 => nonce: U256,
        /// `participants`.
        2 => participants: ArrayRef<'a, ParticipantRef<'a>>,
        /// `app`.
        3 => app: Address,
        /// `ledgerChannel`.
        4 => ledger_channel: bool,
        /// `virtualChannel`.
        5 => virtual_channel: bool,
    }
}

struct_view! {
    /// A `Channel.Asset`.
    AssetRef {
        /// `chainID`.
        0 => chain_id: U256,
        /// `ethHolder`.
        1 => eth_holder: Address,
        /// `ccHolder`.
        2 => cc_holder: BytesRef<'a>,
    }
}

struct_view! {
    /// A `Channel.SubAlloc`.
    SubAllocRef {
        /// `ID`.
        0 => id: B256,
        /// `balances`, one per asset.
        1 => balances: ArrayRef<'a, U256>,
        /// `indexMap`, one per sub-channel participant.
        2 => index_map: ArrayRef<'a, u16>,
    }
}

struct_view! {
    /// A `Channel.Allocation`.
    AllocationRef {
        /// `assets`.
        0 => assets: ArrayRef<'a, AssetRef<'a>>,
        /// `backends`.
        1 => backends: ArrayRef<'a, U256>,
        /// `balances[asset][participant]`.
        2 => balances: ArrayRef<'a, ArrayRef<'a, U256>>,
        /// `locked`.
        3 => locked: ArrayRef<'a, SubAllocRef<'a>>,
    }
}

struct_view! {
    /// A `Channel.State`.
    StateRef {
        /// `channelID`.
        0 => channel_id: B256,
        /// `version`.
        1 => version: u64,
        /// `outcome`.
        2 => outcome: AllocationRef<'a>,
        /// `appData`.
        3 => app_data: BytesRef<'a>,
        /// `isFinal`.
        4 => is_final: bool,
    }
}

struct_view! {
    /// A `Channel.SignedState`.
    SignedStateRef {
        /// `params`.
        0 => params: ParamsRef<'a>,
        /// `state`.
        1 => state: StateRef<'a>,
        /// `sigs`, one per participant.
        2 => sigs: ArrayRef<'a, BytesRef<'a>>,
    }
}

struct_view! {
    /// A `WithdrawalAuth`.
    WithdrawalAuthRef {
        /// `channelID`.
        0 => channel_id: B256,
        /// `participant`.
        1 => participant: ParticipantRef<'a>,
        /// `receiver`.
        2 => receiver: Address,
        /// `amount`.
        3 => amount: U256,
    }
}

/// Structs whose encoding is hashed also check that the encoding, padding included, lies inside
/// the data; the others have nothing more to check.
trait ValidateExtra {
    fn validate_extra(data: &[u8], pos: usize) -> Result<()>;
}

macro_rules! nothing_extra {
    ($($name:ident),*) => {
        $(impl ValidateExtra for $name<'_> {
            fn validate_extra(_: &[u8], _: usize) -> Result<()> {
                Ok(())
            }
        })*
    };
}
nothing_extra!(
    ParticipantRef,
    AssetRef,
    SubAllocRef,
    AllocationRef,
    SignedStateRef
);

/// A struct whose `abi.encode` is hashed: participants sign states and withdrawal
/// authorizations, and a channel's ID is the hash of its params.
pub trait Encoded<'a> {
    /// The struct's encoding where it lies in the data: `abi.encode(value)` without its leading
    /// `0x20` word, for canonically encoded data (see the module documentation).
    fn encoding(&self) -> &'a [u8];
}

/// The end, relative to `base`, of the encoding of a struct whose last dynamic member is the
/// `bytes` value at `bytes_pos`.
fn encoding_end(data: &[u8], base: usize, bytes_pos: usize) -> Result<usize> {
    let len = checked_small(data, bytes_pos)?;
    let end = bytes_pos
        .checked_add(32 + ceil32(len))
        .filter(|&end| end <= data.len())
        .ok_or(err(DecodeErrorKind::OutOfBounds, bytes_pos))?;
    // The member lies after the head it is reached from, so `end > base`.
    Ok(end - base)
}

impl ParamsRef<'_> {
    /// The position of the `bytes` value that ends the encoding: the last participant's
    /// `ccAddress`, or `None` without participants (the encoding then ends after the array's
    /// length word).
    fn last_bytes(data: &[u8], base: usize) -> Option<usize> {
        let parts = ArrayRef::<ParticipantRef>::view(data, base + small(word(data, base + 64)));
        let last = parts.get(parts.len().checked_sub(1)?)?;
        Some(last.base + small(word(data, last.base + 32)))
    }
}

impl ValidateExtra for ParamsRef<'_> {
    fn validate_extra(data: &[u8], pos: usize) -> Result<()> {
        match Self::last_bytes(data, pos) {
            Some(bytes) => encoding_end(data, pos, bytes).map(|_| ()),
            None => Ok(()),
        }
    }
}

impl<'a> Encoded<'a> for ParamsRef<'a> {
    fn encoding(&self) -> &'a [u8] {
        let end = match Self::last_bytes(self.data, self.base) {
            Some(bytes) => BytesRef::padded_end(self.data, bytes),
            None => self.base + small(word(self.data, self.base + 64)) + 32,
        };
        &self.data[self.base..end]
    }
}

impl ValidateExtra for StateRef<'_> {
    fn validate_extra(data: &[u8], pos: usize) -> Result<()> {
        let bytes = pos + small(word(data, pos + 96));
        encoding_end(data, pos, bytes).map(|_| ())
    }
}

impl<'a> Encoded<'a> for StateRef<'a> {
    fn encoding(&self) -> &'a [u8] {
        let bytes = self.base + small(word(self.data, self.base + 96));
        &self.data[self.base..BytesRef::padded_end(self.data, bytes)]
    }
}

impl<'a> WithdrawalAuthRef<'a> {
    fn cc_pos(data: &[u8], base: usize) -> usize {
        let part = base + small(word(data, base + 32));
        part + small(word(data, part + 32))
    }
}

impl ValidateExtra for WithdrawalAuthRef<'_> {
    fn validate_extra(data: &[u8], pos: usize) -> Result<()> {
        encoding_end(data, pos, Self::cc_pos(data, pos)).map(|_| ())
    }
}

impl<'a> Encoded<'a> for WithdrawalAuthRef<'a> {
    fn encoding(&self) -> &'a [u8] {
        let cc = Self::cc_pos(self.data, self.base);
        &self.data[self.base..BytesRef::padded_end(self.data, cc)]
    }
}

// ---------------------------------------------------------------------------------------------
// Function arguments
// ---------------------------------------------------------------------------------------------

/// The arguments of a call, after the 4-byte selector: head slots at 0, 32, ...
#[derive(Clone, Copy, Debug)]
pub struct Args<'a> {
    data: &'a [u8],
}

impl<'a> Args<'a> {
    /// Wraps the calldata after the selector.
    pub fn new(data: &'a [u8]) -> Self {
        Args { data }
    }

    /// Validates and views argument `i` (0-based) as a `T`.
    ///
    /// # Errors
    /// The first rule of this module that the argument breaks.
    pub fn get<T: Decode<'a>>(&self, i: usize) -> Result<T> {
        let pos = member_pos::<T>(self.data, 0, i)?;
        T::decode(self.data, pos)
    }
}

// ---------------------------------------------------------------------------------------------
// Owned copies
// ---------------------------------------------------------------------------------------------

mod owned {
    use super::*;
    use crate::sol::{Channel, WithdrawalAuth};
    use alloc::vec::Vec;
    use alloy_primitives::Bytes;

    fn bytes(b: BytesRef<'_>) -> Bytes {
        Bytes::copy_from_slice(b.as_slice())
    }

    fn values<'a, T: Decode<'a>>(a: ArrayRef<'a, T>) -> Vec<T> {
        a.iter().collect()
    }

    impl From<ParticipantRef<'_>> for Channel::Participant {
        fn from(p: ParticipantRef<'_>) -> Self {
            Channel::Participant {
                ethAddress: p.eth_address(),
                ccAddress: bytes(p.cc_address()),
            }
        }
    }

    impl From<ParamsRef<'_>> for Channel::Params {
        fn from(p: ParamsRef<'_>) -> Self {
            Channel::Params {
                challengeDuration: p.challenge_duration(),
                nonce: p.nonce(),
                participants: p.participants().iter().map(Into::into).collect(),
                app: p.app(),
                ledgerChannel: p.ledger_channel(),
                virtualChannel: p.virtual_channel(),
            }
        }
    }

    impl From<AssetRef<'_>> for Channel::Asset {
        fn from(a: AssetRef<'_>) -> Self {
            Channel::Asset {
                chainID: a.chain_id(),
                ethHolder: a.eth_holder(),
                ccHolder: bytes(a.cc_holder()),
            }
        }
    }

    impl From<SubAllocRef<'_>> for Channel::SubAlloc {
        fn from(s: SubAllocRef<'_>) -> Self {
            Channel::SubAlloc {
                ID: s.id(),
                balances: values(s.balances()),
                indexMap: values(s.index_map()),
            }
        }
    }

    impl From<AllocationRef<'_>> for Channel::Allocation {
        fn from(a: AllocationRef<'_>) -> Self {
            Channel::Allocation {
                assets: a.assets().iter().map(Into::into).collect(),
                backends: values(a.backends()),
                balances: a.balances().iter().map(values).collect(),
                locked: a.locked().iter().map(Into::into).collect(),
            }
        }
    }

    impl From<StateRef<'_>> for Channel::State {
        fn from(s: StateRef<'_>) -> Self {
            Channel::State {
                channelID: s.channel_id(),
                version: s.version(),
                outcome: s.outcome().into(),
                appData: bytes(s.app_data()),
                isFinal: s.is_final(),
            }
        }
    }

    impl From<SignedStateRef<'_>> for Channel::SignedState {
        fn from(s: SignedStateRef<'_>) -> Self {
            Channel::SignedState {
                params: s.params().into(),
                state: s.state().into(),
                sigs: s.sigs().iter().map(bytes).collect(),
            }
        }
    }

    impl From<WithdrawalAuthRef<'_>> for WithdrawalAuth {
        fn from(a: WithdrawalAuthRef<'_>) -> Self {
            WithdrawalAuth {
                channelID: a.channel_id(),
                participant: a.participant().into(),
                receiver: a.receiver(),
                amount: a.amount(),
            }
        }
    }
}

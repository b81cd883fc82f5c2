//! The ABI envelope: the checks solc's dispatcher makes before a function body runs, which
//! revert with empty data. The programs make the same checks first, so a malformed envelope
//! reverts alike in both implementations; everything inside is read through the checked views.
//!
//! For a function with `k` arguments solc requires, comparing against the calldata's length
//! (here: the input after the selector, so positions are shifted by 4):
//! - at least `32 * k` bytes of arguments;
//! - for a dynamic struct argument: its offset at most 2^64 - 1 and its whole static head inside;
//! - for an array or `bytes` argument: its offset at most 2^64 - 1, its length word inside, its
//!   length at most 2^64 - 1, and its element slots (32 bytes each; 1 byte each for `bytes`)
//!   inside;
//! - for an `address`, `bool`, `uint8` or `uint64` argument: no bits set outside its type.

/// How solc decodes one argument of a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// `uint256` or `bytes32`: no check.
    Word,
    /// A value word with `bits` significant bits (`address` 160, `bool` 1, `uint64` 64).
    Value(u32),
    /// A dynamic struct whose static head has this many words.
    Struct(u64),
    /// A dynamic array (`T[]`): element slots of 32 bytes.
    Array,
    /// `bytes`: 1 byte per element.
    Bytes,
}

fn word(input: &[u8], p: u64) -> Option<&[u8]> {
    let s = usize::try_from(p).ok()?;
    input.get(s..s.checked_add(32)?)
}

/// The low 8 bytes of a word whose upper 24 bytes are zero.
fn small(w: &[u8]) -> Option<u64> {
    if w[..24].iter().any(|&b| b != 0) {
        return None;
    }
    Some(u64::from_be_bytes(w[24..].try_into().ok()?))
}

/// Whether `input` (the calldata after the selector) passes solc's envelope checks for `args`.
pub fn check(input: &[u8], args: &[Arg]) -> bool {
    let len = input.len() as u128;
    if len < 32 * args.len() as u128 {
        return false;
    }
    args.iter().enumerate().all(|(i, arg)| {
        // The head slot lies inside by the length check above.
        let Some(w) = word(input, 32 * i as u64) else {
            return false;
        };
        match *arg {
            Arg::Word => true,
            Arg::Value(bits) => {
                let zero_bytes = 32 - bits.div_ceil(8) as usize;
                let top_bits = bits % 8;
                w[..zero_bytes].iter().all(|&b| b == 0)
                    && (top_bits == 0 || w[zero_bytes] >> top_bits == 0)
            }
            Arg::Struct(head) => {
                small(w).is_some_and(|off| u128::from(off) + 32 * u128::from(head) <= len)
            }
            Arg::Array | Arg::Bytes => {
                let Some(off) = small(w) else {
                    return false;
                };
                let Some(n) = word(input, off).and_then(small) else {
                    return false;
                };
                let stride = if *arg == Arg::Array { 32 } else { 1 };
                u128::from(off) + 32 + u128::from(n) * stride <= len
            }
        }
    })
}

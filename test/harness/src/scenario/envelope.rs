//! The ABI envelope of the functions the verifier models, as solc's dispatcher checks it before
//! a function body runs (a failure reverts with empty data, in the Solidity mirrors and in the
//! Stylus programs alike). The verifier's model reads arguments through the checked views only,
//! so for calldata whose envelope is malformed the comparison expects the empty revert instead
//! of the model's answer.
//!
//! Written from solc's decoder rules for external functions, with `len` the calldata length
//! after the selector and all offsets relative to the arguments:
//! - the head (one word per argument) lies inside;
//! - a dynamic struct's offset is below 2^64 and its static head lies inside;
//! - a dynamic array's or `bytes`' offset is below 2^64, its length word lies inside, its
//!   length is below 2^64, and its elements (32-byte slots, or bytes) lie inside.

use alloy_primitives::U256;

/// How one argument is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A dynamic struct whose static head has this many words.
    Struct(u64),
    /// A dynamic array (32-byte element slots).
    Array,
    /// `bytes`.
    Bytes,
    /// A `uint256` word (anything goes).
    Word,
}

fn word(input: &[u8], at: u128) -> Option<U256> {
    let at = usize::try_from(at).ok()?;
    input.get(at..at.checked_add(32)?).map(U256::from_be_slice)
}

fn below_2_64(w: U256) -> Option<u128> {
    (w <= U256::from(u64::MAX)).then(|| w.to::<u128>())
}

/// Whether `input` (the calldata after the selector) passes the envelope of `args`.
pub fn passes(input: &[u8], args: &[Arg]) -> bool {
    let len = input.len() as u128;
    if len < 32 * args.len() as u128 {
        return false;
    }
    args.iter().enumerate().all(|(i, arg)| {
        let Some(head) = word(input, 32 * i as u128) else {
            return false;
        };
        match arg {
            Arg::Word => true,
            Arg::Struct(words) => {
                below_2_64(head).is_some_and(|off| off + 32 * u128::from(*words) <= len)
            }
            Arg::Array | Arg::Bytes => {
                let Some(off) = below_2_64(head) else {
                    return false;
                };
                let Some(n) = word(input, off).and_then(below_2_64) else {
                    return false;
                };
                let size = if *arg == Arg::Array { 32 } else { 1 };
                off + 32 + n * size <= len
            }
        }
    })
}

/// Adjudicator `register(SignedState, SignedState[])`.
pub const REGISTER: &[Arg] = &[Arg::Struct(3), Arg::Array];
/// Adjudicator `progress(Params, State, State, uint256, bytes)`.
pub const PROGRESS: &[Arg] = &[
    Arg::Struct(6),
    Arg::Struct(5),
    Arg::Struct(5),
    Arg::Word,
    Arg::Bytes,
];
/// Adjudicator `conclude(Params, State, State[])` and `concludeFinal(Params, State, bytes[])`.
pub const CONCLUDE: &[Arg] = &[Arg::Struct(6), Arg::Struct(5), Arg::Array];
/// Registry `register(SignedState)`.
pub const REGISTRY_REGISTER: &[Arg] = &[Arg::Struct(3)];
/// Registry `conclude(Params, State)`.
pub const REGISTRY_CONCLUDE: &[Arg] = &[Arg::Struct(6), Arg::Struct(5)];
/// Asset holder `withdraw(WithdrawalAuth, bytes)`.
pub const WITHDRAW: &[Arg] = &[Arg::Struct(4), Arg::Bytes];

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: u64) -> [u8; 32] {
        U256::from(v).to_be_bytes()
    }

    #[test]
    fn bytes_argument_must_lie_inside() {
        // struct head at 0x40 (4 words), then bytes at 0xc0 with 65 bytes.
        let mut input = Vec::new();
        input.extend(w(0x40));
        input.extend(w(0xc0));
        input.extend([0u8; 128]);
        input.extend(w(65));
        input.extend([0u8; 65]);
        assert!(passes(&input, WITHDRAW));
        input.pop();
        assert!(!passes(&input, WITHDRAW));
    }

    #[test]
    fn offsets_of_2_64_fail() {
        let mut input = Vec::new();
        input.extend(U256::from(1u128 << 64).to_be_bytes::<32>());
        input.extend([0u8; 256]);
        assert!(!passes(&input, REGISTRY_REGISTER));
    }
}

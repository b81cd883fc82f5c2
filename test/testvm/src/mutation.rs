//! Random changes to well-formed calldata, for the programs' "never panics on any input"
//! property tests: a byte set, a word overwritten with an edge value, the data cut short or
//! extended. The selector is always kept, so the mutated call reaches the function's decoder.

use alloy_primitives::U256;
use proptest::prelude::*;
use proptest::sample::Index;

/// A change to calldata.
#[derive(Clone, Debug)]
pub enum Mutation {
    /// Sets the byte at an index of the arguments.
    Byte(Index, u8),
    /// Overwrites the word at an index of the arguments' whole words.
    Word(Index, U256),
    /// Cuts the arguments at an index.
    Truncate(Index),
    /// Appends bytes.
    Append(Vec<u8>),
}

/// Words that probe the decoders' bounds: offsets and lengths near the data, at the 32-bit limit
/// the calldata views enforce, and the extremes.
pub fn edge_word() -> BoxedStrategy<U256> {
    prop_oneof![
        Just(U256::ZERO),
        Just(U256::from(1)),
        Just(U256::from(0x20)),
        Just(U256::from(0x40)),
        Just(U256::from(u32::MAX)),
        Just(U256::from(1) << 32),
        Just(U256::from(u64::MAX)),
        Just(U256::MAX),
        (0u64..96).prop_map(|k| U256::from(32 * k)),
        (0u64..3000).prop_map(U256::from),
    ]
    .boxed()
}

/// A mutation whose overwritten words come from `words` (for example [`edge_word`], or it
/// mixed with values special to one program).
pub fn mutation(words: BoxedStrategy<U256>) -> impl Strategy<Value = Mutation> {
    prop_oneof![
        4 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Byte(i, b)),
        4 => (any::<Index>(), words).prop_map(|(i, w)| Mutation::Word(i, w)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
        1 => prop::collection::vec(any::<u8>(), 1..64).prop_map(Mutation::Append),
    ]
}

/// Applies `m` to `data` (selector included; the selector is kept). A change that does not
/// fit, such as a word overwritten in arguments shorter than a word, leaves `data` as it is.
pub fn apply(data: &mut Vec<u8>, m: &Mutation) {
    let args = data.len().saturating_sub(4);
    match m {
        Mutation::Byte(i, b) if args > 0 => data[4 + i.index(args)] = *b,
        Mutation::Word(i, w) if args >= 32 => {
            let p = 4 + i.index(args / 32) * 32;
            data[p..p + 32].copy_from_slice(&w.to_be_bytes::<32>());
        }
        Mutation::Truncate(i) if args > 0 => data.truncate(4 + i.index(args)),
        Mutation::Append(bytes) => data.extend_from_slice(bytes),
        _ => {}
    }
}

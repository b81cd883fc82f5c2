//! Putting a plan's flaws into calls: signatures, params, states, sub-channel lists and raw
//! calldata. Each function returns whether the flaw applied (a flaw that has nothing to act on,
//! such as a sub-channel flaw in a channel without sub-channels, leaves the call as it is).

use super::plan::{CalldataFlaw, ParamsFlaw, SigFlaw, StateFlaw, SubsFlaw};
use crate::world::Addresses;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use perun_channel::sig::HALF_ORDER;
use perun_channel::sol::Channel;

/// One unit of the scenarios' balances, in wei (or token base units).
pub const UNIT: u64 = 1_000_000_000_000;

fn unit() -> U256 {
    U256::from(UNIT)
}

/// Puts `flaw` into `sigs`; `wrong(i)` is the signature of an outsider on what signature `i`
/// signs.
pub fn sigs(sigs: &mut Vec<Bytes>, flaw: SigFlaw, wrong: impl Fn(usize) -> Bytes) -> bool {
    if sigs.is_empty() {
        return false;
    }
    let pick = |which: u8| usize::from(which) % sigs.len();
    match flaw {
        SigFlaw::FlipBit { which, at } => {
            let i = pick(which);
            let mut b = sigs[i].to_vec();
            let at = usize::from(at) % b.len().max(1);
            if let Some(x) = b.get_mut(at) {
                *x ^= 1 << (at % 8);
            }
            sigs[i] = b.into();
        }
        SigFlaw::Swap => {
            if sigs.len() < 2 || sigs[0] == sigs[1] {
                return false;
            }
            sigs.swap(0, 1);
        }
        SigFlaw::Drop => {
            sigs.pop();
        }
        SigFlaw::Extra => sigs.push(sigs[0].clone()),
        SigFlaw::WrongKey { which } => {
            let i = pick(which);
            sigs[i] = wrong(i);
        }
        SigFlaw::HighS { which } => {
            let i = pick(which);
            sigs[i] = high_s(&sigs[i]);
        }
        SigFlaw::BadV { which, v } => {
            let i = pick(which);
            let mut b = sigs[i].to_vec();
            if let Some(last) = b.last_mut() {
                // 27 and 28 would be valid or merely another recovery: take 0, 1, 29, ... instead.
                *last = if v == 27 || v == 28 { v + 2 } else { v };
            }
            sigs[i] = b.into();
        }
        SigFlaw::Length { which, len } => {
            let i = pick(which);
            let len = if len == 65 { 66 } else { usize::from(len) };
            let mut b = sigs[i].to_vec();
            b.resize(len, 0x5a);
            sigs[i] = b.into();
        }
    }
    true
}

/// The same signature with `s` replaced by `n - s` and `v` flipped: it recovers the same signer
/// through ecrecover, but its `s` is in the upper half, which the contracts refuse.
fn high_s(sig: &Bytes) -> Bytes {
    if sig.len() != 65 {
        return sig.clone();
    }
    let order = HALF_ORDER * U256::from(2) + U256::from(1);
    let s = U256::from_be_slice(&sig[32..64]);
    let mut b = sig.to_vec();
    b[32..64].copy_from_slice(&(order - s).to_be_bytes::<32>());
    b[64] = if b[64] == 27 { 28 } else { 27 };
    b.into()
}

/// Puts `flaw` into `params`.
pub fn params(params: &mut Channel::Params, flaw: ParamsFlaw, at: &Addresses) -> bool {
    match flaw {
        ParamsFlaw::Nonce => params.nonce += U256::from(1),
        ParamsFlaw::Duration => params.challengeDuration += U256::from(1),
        ParamsFlaw::Ledger => params.ledgerChannel = !params.ledgerChannel,
        ParamsFlaw::Virtual => params.virtualChannel = !params.virtualChannel,
        ParamsFlaw::App => {
            params.app = if params.app == at.trivial_app {
                at.counter_app
            } else {
                at.trivial_app
            }
        }
        ParamsFlaw::Swap => {
            if params.participants.len() < 2 {
                return false;
            }
            params.participants.swap(0, 1);
        }
    }
    true
}

/// Puts `flaw` into `state`.
pub fn state(state: &mut Channel::State, flaw: StateFlaw, at: &Addresses) -> bool {
    let o = &mut state.outcome;
    match flaw {
        StateFlaw::ChannelId => state.channelID = keccak256(state.channelID),
        StateFlaw::Version => state.version = state.version.wrapping_add(1),
        StateFlaw::Final => state.isFinal = !state.isFinal,
        StateFlaw::Balance => match o.balances.first_mut().and_then(|r| r.first_mut()) {
            Some(b) => *b += unit(),
            None => return false,
        },
        StateFlaw::ExtraBalance => match o.balances.first_mut() {
            Some(r) => r.push(unit()),
            None => return false,
        },
        StateFlaw::Assets => {
            if o.assets.len() >= 2 {
                o.assets.swap(0, 1);
            } else if let Some(a) = o.assets.first_mut() {
                a.ethHolder = if a.ethHolder == at.eth_holder {
                    at.erc20_holder
                } else {
                    at.eth_holder
                };
            } else {
                return false;
            }
        }
        StateFlaw::AppData => {
            let mut d = state.appData.to_vec();
            d.push(0x01);
            state.appData = d.into();
        }
        StateFlaw::Locked => match o.locked.first_mut().and_then(|l| l.balances.first_mut()) {
            Some(b) => *b += U256::from(1),
            None => return false,
        },
        StateFlaw::IndexMap => match o.locked.first_mut().and_then(|l| l.indexMap.first_mut()) {
            Some(m) => *m = 9,
            None => return false,
        },
        StateFlaw::LockedId => match o.locked.first_mut() {
            Some(l) => l.ID = keccak256(l.ID),
            None => return false,
        },
        StateFlaw::Huge => match o.balances.first_mut().and_then(|r| r.first_mut()) {
            Some(b) => *b = U256::MAX,
            None => return false,
        },
    }
    true
}

/// Puts `flaw` into a list of sub-channel entries; `stale(x)` is `x` at another version and
/// `reshape(x, extra)` is `x` with its first balance raised by one unit (`extra` false) or with
/// one balance more in its first row (`extra` true), each (re-)signed if the entries carry
/// signatures.
pub fn subs<T: Clone>(
    list: &mut Vec<T>,
    flaw: SubsFlaw,
    stale: impl Fn(&T) -> T,
    reshape: impl Fn(&T, bool) -> T,
) -> bool {
    if list.is_empty() {
        return false;
    }
    match flaw {
        SubsFlaw::Drop => {
            list.pop();
        }
        SubsFlaw::Swap => {
            if list.len() < 2 {
                return false;
            }
            list.swap(0, 1);
        }
        SubsFlaw::Extra => list.push(list[0].clone()),
        SubsFlaw::Stale => list[0] = stale(&list[0]),
        SubsFlaw::Balance => list[0] = reshape(&list[0], false),
        SubsFlaw::Shape => list[0] = reshape(&list[0], true),
    }
    true
}

/// Puts `flaw` into calldata `data` (selector first) of a function whose arguments have `head`
/// head words.
pub fn calldata(data: &mut Vec<u8>, flaw: CalldataFlaw, head: usize) -> bool {
    match flaw {
        CalldataFlaw::Truncate(frac) => {
            let keep = data.len() * usize::from(frac) / 256;
            data.truncate(keep);
        }
        CalldataFlaw::Flip { at, xor } => {
            if data.is_empty() {
                return false;
            }
            let i = data.len() * usize::from(at) / 65_536;
            data[i] ^= xor.max(1);
        }
        CalldataFlaw::Offset { word, kind } => {
            // A head word, or (for `word` beyond the head) any word that looks like an offset
            // or a length: below the calldata's length.
            let start = if usize::from(word) < head {
                4 + 32 * usize::from(word)
            } else {
                let small = words_where(data, |v| !v.is_zero() && v < U256::from(data.len()));
                match small.len() {
                    0 => return false,
                    n => small[usize::from(word) % n],
                }
            };
            let Some(w) = data.get_mut(start..start + 32) else {
                return false;
            };
            let old = U256::from_be_slice(w);
            let new = match kind % 5 {
                // Past the end of the calldata.
                0 => U256::from(1u64 << 20),
                // At or above 2^32, which the views refuse.
                1 => U256::from(1u64 << 32) + old,
                // Above 2^64, which solc's envelope refuses.
                2 => U256::from(1) << 64,
                // Misaligned by one byte.
                3 => old + U256::from(1),
                // Pointing at the head itself.
                _ => U256::ZERO,
            };
            w.copy_from_slice(&new.to_be_bytes::<32>());
        }
        CalldataFlaw::Dirty(word) => {
            // A word that holds a narrow value (an address, a `uint64`, a `bool`, a `uint16`)
            // gets a bit set above it.
            let narrow = words_where(data, |v| !v.is_zero() && v < U256::from(1) << 160);
            let Some(&start) = narrow.get(usize::from(word) % narrow.len().max(1)) else {
                return false;
            };
            data[start + usize::from(word) % 12] |= 0x80;
        }
        CalldataFlaw::Append(n) => {
            data.extend(std::iter::repeat_n(0xa5, usize::from(n) + 1));
        }
        CalldataFlaw::Selector => match data.first_mut() {
            Some(b) => *b ^= 0x80,
            None => return false,
        },
    }
    true
}

/// The starts of the 32-byte argument words (after the selector) whose value passes `keep`.
fn words_where(data: &[u8], keep: impl Fn(U256) -> bool) -> Vec<usize> {
    (4..data.len().saturating_sub(31))
        .step_by(32)
        .filter(|&p| keep(U256::from_be_slice(&data[p..p + 32])))
        .collect()
}

/// Deterministic pseudo-random bytes: `len` bytes from `seed`.
pub fn garbage(seed: u8, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut h = keccak256([seed]);
    while out.len() < len {
        out.extend_from_slice(h.as_slice());
        h = keccak256(h);
    }
    out.truncate(len);
    out
}

/// A 32-byte word holding `v` (the counter app's app data).
pub fn word(v: u64) -> Bytes {
    Bytes::copy_from_slice(B256::from(U256::from(v)).as_slice())
}

/// An address for a receiver outside every channel.
pub fn stranger() -> Address {
    Address::repeat_byte(0x5e)
}

/// An account without code that an asset names as its holder on this chain.
pub fn no_code_holder() -> Address {
    Address::repeat_byte(0x0c)
}

/// `state` with its first balance raised by `unit` (`extra` false), or with one more balance
/// of `unit` in its first row (`extra` true); false if it has no balance row.
pub fn reshape(state: &mut Channel::State, extra: bool, unit: U256) -> bool {
    let Some(row) = state.outcome.balances.first_mut() else {
        return false;
    };
    if extra {
        row.push(unit);
    } else if let Some(b) = row.first_mut() {
        *b += unit;
    } else {
        return false;
    }
    true
}

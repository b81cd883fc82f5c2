//! The compiler's model of a scenario's channels: built from the shape, their states at each
//! version, the depth-first lists of sub-channels, and outcomes folded through index maps.

use super::{app_address, units, Ch, Compiler};
use crate::build::{totals, Chan, CHALLENGE};
use crate::scenario::flaw::{self, word};
use crate::scenario::plan::{AppKind, Duration, Foreign, Shape, StateFlaw, SubKind, Version};
use alloy_primitives::{Address, B256, U256};
use perun_channel::sol::Channel;

/// The deepest chain of sub-channels a plan builds: one beyond
/// `perun_channel::checks::MAX_DEPTH`.
const MAX_CHAIN: u64 = perun_channel::checks::MAX_DEPTH as u64 + 1;

impl Compiler<'_> {
    // -----------------------------------------------------------------------------------------
    // Channels
    // -----------------------------------------------------------------------------------------

    pub(super) fn add(
        &mut self,
        chan: Chan,
        name: String,
        app: AppKind,
        base: Vec<Vec<U256>>,
    ) -> usize {
        self.chans.push(Ch {
            chan,
            name,
            app,
            base,
            subs: Vec::new(),
            held: 0,
            registered: None,
            opens_at: 0,
            other_assets: false,
            outcome: None,
        });
        self.chans.len() - 1
    }

    pub(super) fn base(&self, n: usize, first: u64, step: u64) -> Vec<Vec<U256>> {
        (0..self.assets.len() as u64)
            .map(|a| {
                (0..n as u64)
                    .map(|i| units(first + step * i + 5 * a))
                    .collect()
            })
            .collect()
    }

    pub(super) fn channels(&mut self, shape: &Shape) {
        let at = self.at;
        match shape {
            Shape::Ledger {
                parties,
                repeat,
                also_virtual,
                app,
                duration,
                subs,
                foreign,
                ..
            } => {
                let n = usize::from(*parties).clamp(2, 8);
                let mut keys: Vec<u64> = (0..n as u64).collect();
                if *repeat && n >= 3 {
                    keys[n - 1] = keys[0];
                }
                let mut chan = Chan::new(&keys, app_address(at, *app), true, *also_virtual, 1);
                let cd = match duration {
                    Duration::Normal => U256::from(CHALLENGE),
                    Duration::Zero => U256::ZERO,
                    Duration::Max => U256::from(u64::MAX),
                    Duration::Wide => (U256::from(1) << 64) + U256::from(CHALLENGE),
                };
                if cd != chan.params.challengeDuration {
                    chan.params.challengeDuration = cd;
                    chan.id = perun_channel::hash::channel_id(&chan.params);
                }
                let mut base = self.base(n, 10, 3);
                if *foreign == Foreign::AgainShort {
                    // The repeated asset's row (the last) lacks its last balance.
                    if let Some(row) = base.last_mut() {
                        row.pop();
                    }
                }
                let root = self.add(chan, "L".into(), *app, base);
                self.ledgers.push(root);
                for (j, s) in subs.iter().take(8).enumerate() {
                    let k = usize::from(s.parties).clamp(2, n);
                    let mut map: Vec<u16> = (0..k)
                        .map(|i| ((usize::from(s.offset) + i) % n) as u16)
                        .collect();
                    let sub_keys: Vec<u64> = map.iter().map(|&m| keys[usize::from(m)]).collect();
                    let mut sub = Chan::new(
                        &sub_keys,
                        app_address(at, s.app),
                        s.kind == SubKind::Ledger,
                        false,
                        100 + j as u64,
                    );
                    if s.kind == SubKind::Longer {
                        sub.params.challengeDuration = cd + U256::from(1);
                        sub.id = perun_channel::hash::channel_id(&sub.params);
                    }
                    let mut base = self.base(k, 3, 1);
                    match s.kind {
                        SubKind::Ragged => {
                            if let Some(row) = base.first_mut() {
                                row.pop();
                            }
                        }
                        SubKind::OutOfRange => {
                            if let Some(m) = map.last_mut() {
                                *m = n as u16;
                            }
                        }
                        SubKind::ShortMap => {
                            map.pop();
                        }
                        SubKind::Plain
                        | SubKind::Ledger
                        | SubKind::Longer
                        | SubKind::OtherAssets => {}
                    }
                    let idx = self.add(sub, format!("S{j}"), s.app, base);
                    self.chans[idx].other_assets = s.kind == SubKind::OtherAssets;
                    self.chans[root].subs.push((idx, map));
                    for m in 0..usize::from(s.nested % 3) {
                        // Participants m and m + 1 of the sub-channel; the trivial app on every
                        // second one.
                        let map = vec![(m % k) as u16, ((m + 1) % k) as u16];
                        let nested_keys: Vec<u64> =
                            map.iter().map(|&i| sub_keys[usize::from(i)]).collect();
                        let app = if m % 2 == 0 {
                            AppKind::None
                        } else {
                            AppKind::Trivial
                        };
                        let nonce = 1_000 + 10 * j as u64 + m as u64;
                        let nested = Chan::sub(&nested_keys, app_address(at, app), nonce);
                        let base = self.base(2, 3, 1);
                        let n_idx = self.add(nested, format!("S{j}.{m}"), app, base);
                        self.chans[idx].subs.push((n_idx, map));
                    }
                }
            }
            Shape::Chain {
                depth, shortcut, ..
            } => {
                let keys = [0u64, 1];
                let base = self.base(2, 10, 3);
                let root = self.add(Chan::ledger(&keys, 1), "L".into(), AppKind::None, base);
                self.ledgers.push(root);
                let depth = u64::from(*depth).clamp(1, MAX_CHAIN);
                let mut parent = root;
                for d in 1..=depth {
                    let sub = Chan::sub(&keys, Address::ZERO, 2_000 + d);
                    let base = self.base(2, 3, 1);
                    let idx = self.add(sub, format!("C{d}"), AppKind::None, base);
                    self.chans[parent].subs.push((idx, vec![0, 1]));
                    parent = idx;
                }
                if *shortcut {
                    let extra = Chan::sub(&keys, Address::ZERO, 2_001 + depth);
                    let base = self.base(2, 3, 1);
                    let name = format!("C{}", depth + 1);
                    let idx = self.add(extra, name, AppKind::None, base);
                    self.chans[parent].subs.push((idx, vec![0, 1]));
                    self.chans[parent].opens_at = 2;
                    let base = self.base(2, 10, 3);
                    let second = self.add(Chan::ledger(&keys, 2), "M".into(), AppKind::None, base);
                    self.chans[second].subs.push((parent, vec![0, 1]));
                    self.ledgers.push(second);
                }
            }
            Shape::Virtual { app, .. } => {
                let ai = Chan::ledger(&[0, 1], 1);
                let ib = Chan::ledger(&[1, 2], 2);
                let v = if *app {
                    Chan::new(&[0, 2], at.trivial_app, false, true, 3)
                } else {
                    Chan::virtual_(&[0, 2], 3)
                };
                let base = self.base(2, 10, 3);
                let ai = self.add(ai, "AI".into(), AppKind::None, base.clone());
                let ib = self.add(ib, "IB".into(), AppKind::None, base);
                let vbase = self.base(2, 4, 2);
                let v = self.add(v, "V".into(), AppKind::None, vbase);
                self.chans[ai].subs.push((v, vec![0, 1]));
                self.chans[ib].subs.push((v, vec![0, 1]));
                self.ledgers = vec![ai, ib];
                self.virt = Some(v);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // States
    // -----------------------------------------------------------------------------------------

    /// Channel `c`'s balances at version `v`: its base, with `v mod 3` units moved from one
    /// participant to the next (the counter app keeps its balances).
    pub(super) fn balances(&self, c: usize, v: u64) -> Vec<Vec<U256>> {
        let ch = &self.chans[c];
        let mut b = ch.base.clone();
        let n = ch.chan.len() as u64;
        if ch.app != AppKind::Counter && n >= 2 {
            let (p, q) = ((v % n) as usize, ((v + 1) % n) as usize);
            // Rows shorter than the participants (the wrong shapes of some plans) keep theirs.
            for row in b.iter_mut().filter(|r| r.len() > p.max(q)) {
                let amount = units(v % 3).min(row[p]);
                row[p] -= amount;
                row[q] += amount;
            }
        }
        b
    }

    /// Channel `c`'s state at version `v`, locking its sub-channels' totals.
    pub(super) fn state_at(&self, c: usize, v: u64, fin: bool) -> Channel::State {
        let ch = &self.chans[c];
        let mut s = ch.chan.state(v, &self.assets, self.balances(c, v), fin);
        if ch.app == AppKind::Counter {
            s.appData = word(v);
        }
        if ch.other_assets {
            flaw::state(&mut s, StateFlaw::Assets, self.at);
        }
        for (sub, map) in &ch.subs {
            let sub_state = self.state_at(*sub, 0, false);
            let funds = totals(&sub_state);
            if v < ch.opens_at {
                // Not opened yet: its funds are still the first participant's.
                for (row, add) in s.outcome.balances.iter_mut().zip(&funds) {
                    if let Some(b) = row.first_mut() {
                        *b += *add;
                    }
                }
                continue;
            }
            s.outcome.locked.push(Channel::SubAlloc {
                ID: self.chans[*sub].chan.id,
                balances: funds,
                indexMap: map.clone(),
            });
        }
        s
    }

    /// The sub-channel of channel `c` whose ID is `id`, if `c` has one.
    fn locked_sub(&self, c: usize, id: B256) -> Option<usize> {
        self.chans[c]
            .subs
            .iter()
            .map(|&(s, _)| s)
            .find(|&s| self.chans[s].chan.id == id)
    }

    /// The sub-channels `state` of channel `c` locks, depth first (the order of `register`'s
    /// and `conclude`'s sub-channel lists), each at the state the scenario holds for it
    /// ([`Self::current`]) or, for channel `over.0`, at `over.1`.
    pub(super) fn walk(
        &mut self,
        c: usize,
        state: &Channel::State,
        over: Option<&(usize, Channel::State)>,
    ) -> Vec<(usize, Channel::State)> {
        let mut out = Vec::new();
        for l in &state.outcome.locked {
            let Some(sub) = self.locked_sub(c, l.ID) else {
                continue;
            };
            let st = match over {
                Some((k, st)) if *k == sub => st.clone(),
                _ => self.current(sub),
            };
            out.push((sub, st.clone()));
            out.extend(self.walk(sub, &st, over));
        }
        out
    }

    /// Every channel below `c`, depth first (the order of `register`'s and `conclude`'s
    /// sub-channel lists).
    pub(super) fn descendants(&self, c: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for (s, _) in &self.chans[c].subs {
            out.push(*s);
            out.extend(self.descendants(*s));
        }
        out
    }

    /// The state the scenario holds for channel `c`: the registered one, else its latest.
    pub(super) fn current(&mut self, c: usize) -> Channel::State {
        if let Some(s) = &self.chans[c].registered {
            return s.clone();
        }
        let v = self.chans[c].held.max(1);
        self.chans[c].held = v;
        self.state_at(c, v, false)
    }

    /// The version `pick` names for channel `c` (and reserves it).
    pub(super) fn version(&mut self, c: usize, pick: Version) -> u64 {
        let ch = &mut self.chans[c];
        let reg = ch.registered.as_ref().map(|s| s.version);
        match pick {
            Version::Next => {
                ch.held += 1;
                ch.held
            }
            Version::Same => reg.unwrap_or(ch.held.max(1)),
            Version::Older => reg.unwrap_or(ch.held).saturating_sub(1),
            Version::Jump(k) => {
                ch.held += 1 + u64::from(k % 4);
                ch.held
            }
        }
    }

    /// Channel `c`'s state for `pick`: the registered state itself for [`Version::Same`].
    pub(super) fn pick_state(&mut self, c: usize, pick: Version, fin: bool) -> Channel::State {
        if pick == Version::Same {
            if let Some(s) = &self.chans[c].registered {
                return s.clone();
            }
        }
        let v = self.version(c, pick);
        self.state_at(c, v, fin)
    }

    /// `[asset][participant]` outcome of channel `c` at `state`: the outcomes of the
    /// sub-channels it locks (at their registered states) added through the index maps.
    pub(super) fn fold(&mut self, c: usize, state: &Channel::State) -> Vec<Vec<U256>> {
        let mut out = state.outcome.balances.clone();
        for l in &state.outcome.locked {
            let Some(sub) = self.locked_sub(c, l.ID) else {
                continue;
            };
            let s = self.current(sub);
            let sub_out = self.fold(sub, &s);
            for (a, row) in sub_out.iter().enumerate() {
                for (i, b) in row.iter().enumerate() {
                    let Some(&m) = l.indexMap.get(i) else {
                        continue;
                    };
                    if let Some(x) = out.get_mut(a).and_then(|r| r.get_mut(usize::from(m))) {
                        *x += *b;
                    }
                }
            }
        }
        out
    }

    /// The outcome the scenario expects of ledger `l`: what it concluded, else its version 0.
    pub(super) fn expected(&mut self, l: usize) -> Vec<Vec<U256>> {
        if let Some(o) = &self.chans[l].outcome {
            return o.clone();
        }
        let s = self.state_at(l, 0, false);
        self.fold(l, &s)
    }
}

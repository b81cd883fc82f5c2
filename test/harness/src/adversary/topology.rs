//! The channels of an adversarial scenario: who the parties are, which channels they open, what
//! each channel locks for its sub-channels and with which index maps, and what everybody deposits.
//!
//! Three shapes:
//! - a ledger channel `L` of 3 to 5 parties locking 1 to 3 sub-channels whose participants are
//!   subsets of `L`'s (in any order), each perhaps locking one sub-channel of its own, with or
//!   without the trivial app;
//! - a virtual channel `V` between `A` and `B` through one intermediary `I`: parents `A-I` and
//!   `I-B`;
//! - a virtual channel through 2 or 3 intermediaries: parents `A-I1`, `I1-I2`, (`I2-I3`,)
//!   `Ik-B`.
//!
//! Index maps of a virtual channel. Every parent is written `X-Y` with `X` the party nearer to
//! `A` (participant 0 of the parent) and `Y` the one nearer to `B` (participant 1); each locks
//! `V` with the index map `[0, 1]`: `V`'s participant `A` maps to `X` and `B` to `Y`. Whatever
//! `V`'s outcome `(a, b)` with `a + b = T` (its per-asset total), an intermediary `Ij` is `Y` in
//! its left parent and receives `b` there, and `X` in its right parent and receives `a` there:
//! `a + b = T` in all. It funds `T` too: at opening, in each parent `X` deposits its own balance
//! plus `A`'s share of `V`'s funding state and `Y` its own balance plus `B`'s share (so what
//! everybody deposits is the parent's funding state with `V`'s folded in, the same rule as for
//! every sub-channel). So an intermediary's net position from `V` is zero for every outcome of
//! `V` whose per-asset totals are `T`.

use super::rng::Rng;
use crate::build::{address, AssetKind, Chan};
use crate::world::Addresses;
use alloy_primitives::{Address, B256, U256};
use perun_channel::native::Signer;
use perun_channel::sol::Channel;
use perun_randomizer::test_signer;

/// The challenge duration of every channel an honest party agrees to, in seconds.
pub const CD: u64 = 60;

/// One unit of the scenarios' balances, in wei (or token base units).
pub const UNIT: u64 = 1_000_000_000_000;

/// `n` units.
pub fn units(n: u64) -> U256 {
    U256::from(n) * U256::from(UNIT)
}

/// The shape of a scenario's channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Shape {
    /// A ledger channel with sub-channels of subsets of its participants.
    Ledger,
    /// A virtual channel through `hops` intermediaries (1 to 3).
    Virtual {
        /// The number of intermediaries.
        hops: usize,
    },
}

impl Shape {
    /// The name in reports.
    pub fn name(self) -> String {
        match self {
            Shape::Ledger => "ledger with sub-channels".into(),
            Shape::Virtual { hops: 1 } => "virtual, 1 intermediary".into(),
            Shape::Virtual { hops } => format!("virtual, {hops} intermediaries"),
        }
    }
}

/// A party: a name and a test key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Party {
    /// The name in reports (`P0`, `A`, `I1`, ...).
    pub name: String,
    /// The test key (`perun_randomizer::test_signer`).
    pub key: u64,
}

impl Party {
    /// The party's address.
    pub fn address(&self) -> Address {
        address(self.key)
    }

    /// The party's signer.
    pub fn signer(&self) -> Signer {
        test_signer(self.key)
    }
}

/// What a channel is in its topology.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A ledger channel funded by deposits.
    Root,
    /// A sub-channel locked in one parent.
    Sub,
    /// A virtual channel locked in several parents.
    Virtual,
}

/// A sub-channel locked in a channel: which, and where its participants go in the parent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lock {
    /// The node of the sub-channel.
    pub child: usize,
    /// For each participant of the sub-channel, its index in the parent.
    pub index_map: Vec<u16>,
}

/// One channel of the topology.
#[derive(Clone, Debug)]
pub struct Node {
    /// The name in reports.
    pub name: String,
    /// Its params and participants' keys.
    pub chan: Chan,
    /// The party of each participant.
    pub members: Vec<usize>,
    /// What it is.
    pub role: Role,
    /// Whether it has the trivial app.
    pub app: bool,
    /// The sub-channels it locks, in order.
    pub locks: Vec<Lock>,
    /// The channels that lock it.
    pub parents: Vec<usize>,
    /// Its own balances at opening: `[asset][participant]`.
    pub initial: Vec<Vec<U256>>,
}

/// A sub-channel of [`Topology::ledger`]: the indices of its participants in the ledger
/// channel (in the sub-channel's order), whether it has the trivial app, and optionally one
/// nested sub-channel (the indices of its participants in the sub-channel, its app).
pub type SubSpec = (Vec<u16>, bool, Option<(Vec<u16>, bool)>);

/// The channels of a scenario.
#[derive(Clone, Debug)]
pub struct Topology {
    /// The shape.
    pub shape: Shape,
    /// The parties.
    pub parties: Vec<Party>,
    /// The assets every channel holds.
    pub assets: Vec<AssetKind>,
    /// The channels (roots first).
    pub nodes: Vec<Node>,
    /// The ledger channels funded by deposits.
    pub roots: Vec<usize>,
    /// The virtual channel, if any.
    pub virt: Option<usize>,
    /// The intermediaries of the virtual channel (parties).
    pub intermediaries: Vec<usize>,
    at: Addresses,
}

/// The challenge durations the endpoints of a virtual channel may choose when both are
/// adversaries: 60 s, 0, 1 s, 2^32 s, 2^63 s, 2^64 - 1 s and 2^64 + 60 s (whose low 64 bits are
/// 60 s).
pub fn extreme_durations() -> Vec<U256> {
    vec![
        U256::from(CD),
        U256::ZERO,
        U256::from(1),
        U256::from(1u64 << 32),
        U256::from(1u64 << 63),
        U256::from(u64::MAX),
        (U256::from(1) << 64) + U256::from(CD),
    ]
}

impl Topology {
    fn empty(shape: Shape, assets: Vec<AssetKind>, at: &Addresses) -> Self {
        Topology {
            shape,
            parties: Vec::new(),
            assets,
            nodes: Vec::new(),
            roots: Vec::new(),
            virt: None,
            intermediaries: Vec::new(),
            at: *at,
        }
    }

    fn party(&mut self, name: &str) -> usize {
        let key = self.parties.len() as u64;
        self.parties.push(Party {
            name: name.into(),
            key,
        });
        self.parties.len() - 1
    }

    fn node(
        &mut self,
        name: String,
        chan: Chan,
        members: Vec<usize>,
        role: Role,
        app: bool,
    ) -> usize {
        let initial = vec![vec![U256::ZERO; members.len()]; self.assets.len()];
        self.nodes.push(Node {
            name,
            chan,
            members,
            role,
            app,
            locks: Vec::new(),
            parents: Vec::new(),
            initial,
        });
        self.nodes.len() - 1
    }

    fn keys(&self, members: &[usize]) -> Vec<u64> {
        members.iter().map(|&p| self.parties[p].key).collect()
    }

    fn lock(&mut self, parent: usize, child: usize, index_map: Vec<u16>) {
        self.nodes[parent].locks.push(Lock { child, index_map });
        self.nodes[child].parents.push(parent);
    }

    /// A ledger channel of `parties` parties (`P0`...) with the trivial app if `app`, locking
    /// the sub-channels `subs`: each the indices of its participants in the ledger channel (in
    /// the sub-channel's order), its app, and optionally one nested sub-channel (the indices of
    /// its participants in the sub-channel, its app). Every balance is `balance` units.
    pub fn ledger(
        at: &Addresses,
        assets: Vec<AssetKind>,
        parties: usize,
        app: bool,
        subs: &[SubSpec],
        balance: u64,
    ) -> Self {
        let mut t = Topology::empty(Shape::Ledger, assets, at);
        let members: Vec<usize> = (0..parties).map(|i| t.party(&format!("P{i}"))).collect();
        let app_addr = |a: bool| if a { at.trivial_app } else { Address::ZERO };
        let chan = Chan::new(&t.keys(&members), app_addr(app), true, false, 1);
        let root = t.node("L".into(), chan, members.clone(), Role::Root, app);
        t.roots.push(root);
        for (j, (map, sub_app, nested)) in subs.iter().enumerate() {
            let sub_members: Vec<usize> = map.iter().map(|&i| members[usize::from(i)]).collect();
            let chan = Chan::new(
                &t.keys(&sub_members),
                app_addr(*sub_app),
                false,
                false,
                10 + j as u64,
            );
            let s = t.node(
                format!("S{j}"),
                chan,
                sub_members.clone(),
                Role::Sub,
                *sub_app,
            );
            t.lock(root, s, map.clone());
            if let Some((nmap, napp)) = nested {
                let nm: Vec<usize> = nmap.iter().map(|&i| sub_members[usize::from(i)]).collect();
                let chan = Chan::new(&t.keys(&nm), app_addr(*napp), false, false, 100 + j as u64);
                let n = t.node(format!("S{j}.0"), chan, nm, Role::Sub, *napp);
                t.lock(s, n, nmap.clone());
            }
        }
        t.fill(|_, _, _| units(balance));
        t
    }

    /// A virtual channel `A-B` through `hops` intermediaries with challenge duration `cd`; every
    /// balance is `balance` units; no parent has an app.
    pub fn virtual_(
        at: &Addresses,
        assets: Vec<AssetKind>,
        hops: usize,
        cd: U256,
        balance: u64,
    ) -> Self {
        Self::virtual_with_apps(at, assets, hops, cd, balance, &[])
    }

    /// As [`Topology::virtual_`], parent `k` (from `A`'s side) with the trivial app if
    /// `apps[k]`.
    pub fn virtual_with_apps(
        at: &Addresses,
        assets: Vec<AssetKind>,
        hops: usize,
        cd: U256,
        balance: u64,
        apps: &[bool],
    ) -> Self {
        let mut t = Topology::empty(Shape::Virtual { hops }, assets, at);
        let a = t.party("A");
        let mids: Vec<usize> = (1..=hops)
            .map(|i| {
                if hops == 1 {
                    t.party("I")
                } else {
                    t.party(&format!("I{i}"))
                }
            })
            .collect();
        let b = t.party("B");
        let mut chain = vec![a];
        chain.extend(&mids);
        chain.push(b);
        let mut v_chan = Chan::virtual_(&t.keys(&[a, b]), 50);
        v_chan.params.challengeDuration = cd;
        v_chan.id = perun_channel::hash::channel_id(&v_chan.params);
        let mut parents = Vec::new();
        for (k, w) in chain.windows(2).enumerate() {
            let name = format!("{}-{}", t.parties[w[0]].name, t.parties[w[1]].name);
            let app = apps.get(k).copied().unwrap_or(false);
            let app_addr = if app { at.trivial_app } else { Address::ZERO };
            let chan = Chan::new(&t.keys(w), app_addr, true, false, 1 + k as u64);
            let p = t.node(name, chan, w.to_vec(), Role::Root, app);
            t.roots.push(p);
            parents.push(p);
        }
        let v = t.node("V".into(), v_chan, vec![a, b], Role::Virtual, false);
        for p in parents {
            // V's A maps to the parent's left party (index 0), B to its right (index 1).
            t.lock(p, v, vec![0, 1]);
        }
        t.virt = Some(v);
        t.intermediaries = mids;
        t.fill(|_, _, _| units(balance));
        t
    }

    fn fill(&mut self, mut f: impl FnMut(usize, usize, usize) -> U256) {
        for n in 0..self.nodes.len() {
            for a in 0..self.assets.len() {
                for p in 0..self.nodes[n].members.len() {
                    self.nodes[n].initial[a][p] = f(n, a, p);
                }
            }
        }
    }

    /// A random topology (its virtual channel, if any, with the normal challenge duration).
    pub fn generate(rng: &mut Rng, at: &Addresses) -> Self {
        let assets = match rng.below(3) {
            0 => vec![AssetKind::Eth],
            1 => vec![AssetKind::Erc20],
            _ => vec![AssetKind::Eth, AssetKind::Erc20],
        };
        let mut t = match rng.below(3) {
            0 => {
                let n = rng.range(3, 5) as usize;
                let subs: Vec<_> = (0..rng.range(1, 3))
                    .map(|_| {
                        // Mostly proper subsets, in any order.
                        let k = if rng.chance(80) {
                            rng.range(2, n as u64 - 1) as usize
                        } else {
                            n
                        };
                        let mut all: Vec<u16> = (0..n as u16).collect();
                        rng.shuffle(&mut all);
                        let map: Vec<u16> = all[..k].to_vec();
                        let nested = rng.chance(35).then(|| {
                            let m = rng.range(2, k as u64) as usize;
                            let mut idx: Vec<u16> = (0..k as u16).collect();
                            rng.shuffle(&mut idx);
                            (idx[..m].to_vec(), rng.chance(40))
                        });
                        (map, rng.chance(40), nested)
                    })
                    .collect();
                Topology::ledger(at, assets, n, rng.chance(30), &subs, 1)
            }
            k => {
                let hops = if k == 1 { 1 } else { rng.range(2, 3) as usize };
                let apps: Vec<bool> = (0..=hops).map(|_| rng.chance(25)).collect();
                Topology::virtual_with_apps(at, assets, hops, U256::from(CD), 1, &apps)
            }
        };
        t.fill_random(rng);
        t
    }

    /// Random opening balances: 0 to 8 units each, sometimes with odd wei.
    pub fn fill_random(&mut self, rng: &mut Rng) {
        let mut draws = Vec::new();
        for n in 0..self.nodes.len() {
            for _ in 0..self.assets.len() {
                for _ in 0..self.nodes[n].members.len() {
                    let mut v = units(rng.range(0, 8));
                    if rng.chance(10) {
                        v += U256::from(rng.range(1, 999));
                    }
                    draws.push(v);
                }
            }
        }
        let mut it = draws.into_iter();
        self.fill(|_, _, _| it.next().unwrap_or_default());
    }

    /// Gives the virtual channel the challenge duration `cd` (its ID changes; call before any
    /// state is built).
    pub fn set_virtual_duration(&mut self, cd: U256) {
        if let Some(v) = self.virt {
            let chan = &mut self.nodes[v].chan;
            chan.params.challengeDuration = cd;
            chan.id = perun_channel::hash::channel_id(&chan.params);
        }
    }

    /// Where everything lives.
    pub fn addresses(&self) -> Addresses {
        self.at
    }

    /// The `Asset` list of every state.
    pub fn asset_list(&self) -> Vec<Channel::Asset> {
        self.assets.iter().map(|a| a.asset(&self.at)).collect()
    }

    /// The index of `party` among `node`'s participants.
    pub fn index_of(&self, node: usize, party: usize) -> Option<usize> {
        self.nodes[node].members.iter().position(|&m| m == party)
    }

    /// The node whose channel ID is `id`.
    pub fn node_by_id(&self, id: B256) -> Option<usize> {
        self.nodes.iter().position(|n| n.chan.id == id)
    }

    /// Every channel below `node`, depth first (the order of `register`'s and `conclude`'s
    /// sub-channel lists).
    pub fn descendants(&self, node: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for l in &self.nodes[node].locks {
            out.push(l.child);
            out.extend(self.descendants(l.child));
        }
        out
    }

    /// The root ledger channels above `node` (itself if it is one).
    pub fn roots_of(&self, node: usize) -> Vec<usize> {
        if self.nodes[node].role == Role::Root {
            return vec![node];
        }
        let mut out = Vec::new();
        for &p in &self.nodes[node].parents {
            for r in self.roots_of(p) {
                if !out.contains(&r) {
                    out.push(r);
                }
            }
        }
        out
    }

    /// What `node` holds in total per asset at opening: its balances and, recursively, what it
    /// locks.
    pub fn total(&self, node: usize) -> Vec<U256> {
        let n = &self.nodes[node];
        (0..self.assets.len())
            .map(|a| {
                let own: U256 = n.initial[a].iter().copied().sum();
                let locked: U256 = n.locks.iter().map(|l| self.total(l.child)[a]).sum();
                own + locked
            })
            .collect()
    }

    /// The sub-allocations every state of `node` carries: each locked sub-channel with its
    /// opening totals.
    pub fn sub_allocs(&self, node: usize) -> Vec<Channel::SubAlloc> {
        self.nodes[node]
            .locks
            .iter()
            .map(|l| Channel::SubAlloc {
                ID: self.nodes[l.child].chan.id,
                balances: self.total(l.child),
                indexMap: l.index_map.clone(),
            })
            .collect()
    }

    /// A state of `node` with `balances`, locking its sub-channels.
    pub fn state(&self, node: usize, version: u64, balances: Vec<Vec<U256>>) -> Channel::State {
        let mut s = self.nodes[node]
            .chan
            .state(version, &self.asset_list(), balances, false);
        s.outcome.locked = self.sub_allocs(node);
        s
    }

    /// `node`'s funding state (version 0, its opening balances).
    pub fn initial_state(&self, node: usize) -> Channel::State {
        self.state(node, 0, self.nodes[node].initial.clone())
    }

    /// What each participant of root `root` deposits: its opening balance plus what it funds of
    /// each locked sub-channel (that sub-channel's opening outcome folded through the index
    /// map), `[asset][participant]`.
    pub fn deposits(&self, root: usize) -> Vec<Vec<U256>> {
        self.fold_initial(root)
    }

    fn fold_initial(&self, node: usize) -> Vec<Vec<U256>> {
        let n = &self.nodes[node];
        let mut out = n.initial.clone();
        for l in &n.locks {
            let sub = self.fold_initial(l.child);
            for (a, row) in sub.iter().enumerate() {
                for (i, v) in row.iter().enumerate() {
                    out[a][usize::from(l.index_map[i])] += *v;
                }
            }
        }
        out
    }

    /// Whether every participant of `node` is in `set`.
    pub fn all_in(&self, node: usize, set: &[bool]) -> bool {
        self.nodes[node].members.iter().all(|&m| set[m])
    }

    /// A one-line description.
    pub fn describe(&self) -> String {
        let assets: Vec<&str> = self
            .assets
            .iter()
            .map(|a| match a {
                AssetKind::Eth => "ETH",
                AssetKind::Erc20 => "ERC20",
            })
            .collect();
        let chans: Vec<String> = self
            .nodes
            .iter()
            .map(|n| {
                let who: Vec<&str> = n
                    .members
                    .iter()
                    .map(|&m| self.parties[m].name.as_str())
                    .collect();
                let mut s = format!("{}({})", n.name, who.join(","));
                if n.app {
                    s.push_str("+app");
                }
                if n.chan.params.challengeDuration != U256::from(CD) {
                    s.push_str(&format!(" cd={}", n.chan.params.challengeDuration));
                }
                if !n.locks.is_empty() {
                    let locks: Vec<String> = n
                        .locks
                        .iter()
                        .map(|l| format!("{}{:?}", self.nodes[l.child].name, l.index_map))
                        .collect();
                    s.push_str(&format!(" locks {}", locks.join(" ")));
                }
                s
            })
            .collect();
        format!(
            "{} [{}]: {}",
            self.shape.name(),
            assets.join("+"),
            chans.join("; ")
        )
    }
}

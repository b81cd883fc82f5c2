//! The adversary: concrete actions (register, refute, the registry's direct path, fake parents,
//! forged states, force-execution with one signature, non-canonical layouts, conclusions,
//! withdrawals, replays, top-ups) and the random choice of their targets and values from an
//! action's seed. Adversarial calls may revert; that is expected and only counted.

use super::plan::{Act, Kind};
use super::raw::{
    self, AuthLayout, AuthVal, ParamsLayout, ParamsVal, SignedVal, StateLayout, StateVal,
};
use super::rng::Rng;
use super::session::{register_tx, totals, Actor, Fake, Sent, Session, Tx, CONCLUDED};
use super::topology::{units, Role, CD};
use crate::build::Chan;
use crate::pair::Divergence;
use crate::scenario::flaw::stranger;
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::sol::{Channel, WithdrawalAuth};

/// A state adversaries sign for a channel of adversaries only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Forgery {
    /// A valid redistribution (same totals and shape).
    Redistribute,
    /// Everything to one participant plus this much more per asset.
    Inflate(U256),
    /// One balance halved: less than the parents locked.
    Deflate,
    /// One entry per balance row.
    ShortRow,
    /// One entry too many per balance row.
    LongRow,
    /// A balance of 2^256 - 1 (the others zero).
    Huge,
    /// Balances whose sum overflows.
    OverflowSum,
    /// The last asset dropped (or, with one asset, the other holder named).
    WrongAssets,
    /// A valid redistribution marked final.
    Final,
}

impl Forgery {
    /// A random forgery.
    pub fn random(rng: &mut Rng) -> Self {
        match rng.below(12) {
            0 | 1 => Forgery::Redistribute,
            2 => Forgery::Inflate(U256::from(1)),
            3 => Forgery::Inflate(units(1)),
            4 => Forgery::Inflate(units(rng.range(2, 20))),
            5 => Forgery::Deflate,
            6 => Forgery::ShortRow,
            7 => Forgery::LongRow,
            8 => Forgery::Huge,
            9 => Forgery::OverflowSum,
            10 => Forgery::WrongAssets,
            _ => Forgery::Final,
        }
    }
}

/// How a fake parent locks its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FakeLock {
    /// The target state's per-asset totals (what `register` checks), with the index map.
    Totals,
    /// These balances.
    Balances(Vec<U256>),
    /// The target state's totals, with an index map pointing past the fake parent's
    /// participants.
    WildIndex,
}

impl Session<'_> {
    fn adv(&self, rng: &mut Rng) -> usize {
        let a = self.adversaries();
        a[rng.index(a.len())]
    }

    fn adv_member(&self, rng: &mut Rng, node: usize) -> Option<usize> {
        let m: Vec<usize> = self.topo.nodes[node]
            .members
            .iter()
            .copied()
            .filter(|&p| self.corrupt[p])
            .collect();
        rng.pick(&m).copied()
    }

    /// The highest version anybody has seen for `node`.
    fn top_version(&self, node: usize) -> u64 {
        let id = self.topo.nodes[node].chan.id;
        let known = self.known(node).iter().map(|s| s.state.version()).max();
        let recorded = self
            .observed
            .get(&id)
            .and_then(|v| v.iter().map(|o| o.update.version).max());
        known.unwrap_or(0).max(recorded.unwrap_or(0))
    }

    /// A known signed state of `node`: mostly stale ones.
    fn pick_known(&self, rng: &mut Rng, node: usize) -> Option<SignedVal> {
        let known = self.known(node);
        let latest = self.latest[node].version();
        let stale: Vec<&SignedVal> = known
            .iter()
            .filter(|s| s.state.version() < latest)
            .collect();
        if !stale.is_empty() && rng.chance(55) {
            return stale.get(rng.index(stale.len())).map(|s| (*s).clone());
        }
        rng.pick(&known).cloned()
    }

    /// Signed states of the sub-channels `state` locks, depth first: `special` for its node,
    /// the recorded state or a random known one (mostly fitting) for the others.
    fn subs_for(
        &self,
        rng: &mut Rng,
        state: &StateVal,
        special: Option<(usize, &SignedVal)>,
        out: &mut Vec<SignedVal>,
    ) {
        for l in &state.state.outcome.locked {
            let Some(c) = self.topo.node_by_id(l.ID) else {
                continue;
            };
            let s = match special {
                Some((n, s)) if n == c => Some(s.clone()),
                _ => {
                    let rec = self
                        .registered(c)
                        .and_then(|r| self.signed_for(c, &r))
                        .filter(|_| rng.chance(60));
                    rec.or_else(|| {
                        let known = self.known(c);
                        let fitting: Vec<&SignedVal> = known
                            .iter()
                            .filter(|k| self.fits(c, &k.state.state))
                            .collect();
                        if !fitting.is_empty() && rng.chance(80) {
                            fitting.get(rng.index(fitting.len())).map(|k| (*k).clone())
                        } else {
                            rng.pick(&known).cloned()
                        }
                    })
                }
            };
            if let Some(s) = s {
                let st = s.state.clone();
                out.push(s);
                self.subs_for(rng, &st, special, out);
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Forging and fake parents
    // -----------------------------------------------------------------------------------------

    /// A state of `node` (whose participants must all be adversaries) forged as `f`, at
    /// `version`, in `layout`, signed by all its participants; remembered as forged.
    pub fn forge(
        &mut self,
        rng: &mut Rng,
        node: usize,
        f: Forgery,
        version: u64,
        layout: StateLayout,
    ) -> SignedVal {
        let mut s = self.latest[node].state.clone();
        s.version = version;
        s.isFinal = false;
        let n = self.topo.nodes[node].members.len();
        let rows = &mut s.outcome.balances;
        match f {
            Forgery::Redistribute | Forgery::Final => {
                for row in rows.iter_mut() {
                    *row = super::session::redistribute(rng, row);
                }
                s.isFinal = f == Forgery::Final;
            }
            Forgery::Inflate(d) => {
                let to = rng.index(n);
                for row in rows.iter_mut() {
                    let sum: U256 = row.iter().copied().sum();
                    row.iter_mut().for_each(|v| *v = U256::ZERO);
                    row[to] = sum + d;
                }
                self.inflation = d;
            }
            Forgery::Deflate => {
                for row in rows.iter_mut() {
                    if let Some(i) = row.iter().position(|v| !v.is_zero()) {
                        row[i] /= U256::from(2);
                    }
                }
            }
            Forgery::ShortRow => {
                for row in rows.iter_mut() {
                    let sum: U256 = row.iter().copied().sum();
                    *row = vec![sum];
                }
            }
            Forgery::LongRow => rows.iter_mut().for_each(|r| r.push(U256::ZERO)),
            Forgery::Huge => {
                for row in rows.iter_mut() {
                    row.iter_mut().for_each(|v| *v = U256::ZERO);
                    row[rng.index(n)] = U256::MAX;
                }
            }
            Forgery::OverflowSum => {
                for row in rows.iter_mut() {
                    row[0] = U256::MAX;
                    if row.len() > 1 {
                        row[1] = U256::from(1);
                    }
                }
            }
            Forgery::WrongAssets => {
                let o = &mut s.outcome;
                if o.assets.len() > 1 {
                    o.assets.pop();
                    o.backends.pop();
                    o.balances.pop();
                } else if let Some(a) = o.assets.first_mut() {
                    let at = self.topo.addresses();
                    a.ethHolder = if a.ethHolder == at.eth_holder {
                        at.erc20_holder
                    } else {
                        at.eth_holder
                    };
                }
            }
        }
        self.sign_forged(node, s, layout, &format!("{f:?}"))
    }

    /// `state` of `node` (whose participants must all be adversaries) in `layout`, signed by
    /// all its participants; remembered as forged.
    pub fn sign_forged(
        &mut self,
        node: usize,
        state: Channel::State,
        layout: StateLayout,
        why: &str,
    ) -> SignedVal {
        let sv = StateVal::laid_out(state, layout);
        let members = self.topo.nodes[node].members.clone();
        let params = ParamsVal::canonical(self.topo.nodes[node].chan.params.clone());
        let signed = self.sign_by(&members, params, sv);
        self.forged[node].push(signed.clone());
        self.log.push(format!(
            "adversaries sign {} {} ({why})",
            self.topo.nodes[node].name,
            self.show(&signed.state)
        ));
        signed
    }

    /// The fully signed state of `node` at `version` of its history (the latest if `None`).
    ///
    /// # Panics
    /// If the history has no such version (a bug in the calling test).
    pub fn history(&self, node: usize, version: Option<u64>) -> SignedVal {
        let states = &self.signed[node];
        let s = match version {
            Some(v) => states.iter().find(|s| s.version == v),
            None => states.last(),
        };
        let Some(s) = s else {
            panic!("{} has no version {version:?}", self.topo.nodes[node].name);
        };
        self.sign_all(node, &StateVal::canonical(s.clone()))
    }

    /// The latest state the honest members of `node` accepted.
    pub fn latest(&self, node: usize) -> StateVal {
        self.latest[node].clone()
    }

    /// A fake parent: a ledger channel of `members` (adversaries) with challenge duration `cd`
    /// locking the channel of `target` as `lock`, its params and state laid out as given.
    #[allow(clippy::too_many_arguments)]
    pub fn fake_parent(
        &self,
        rng: &mut Rng,
        members: &[usize],
        cd: U256,
        target: &SignedVal,
        lock: FakeLock,
        params_layout: ParamsLayout,
        state_layout: StateLayout,
    ) -> SignedVal {
        let keys: Vec<u64> = members.iter().map(|&m| self.topo.parties[m].key).collect();
        let mut chan = Chan::new(
            &keys,
            Address::ZERO,
            true,
            false,
            0xfa4e_0000 + rng.below(1 << 30),
        );
        chan.params.challengeDuration = cd;
        let params = ParamsVal::laid_out(chan.params.clone(), params_layout);
        let id = params.id();
        let ts = &target.state.state;
        let tid = ts.channelID;
        let t_members: Vec<Address> = target
            .params
            .params
            .participants
            .iter()
            .map(|p| p.ethAddress)
            .collect();
        let wild = lock == FakeLock::WildIndex;
        let index_map: Vec<u16> = t_members
            .iter()
            .map(|a| {
                let at = members
                    .iter()
                    .position(|&m| self.topo.parties[m].address() == *a)
                    .unwrap_or_else(|| rng.index(members.len()));
                (if wild { members.len() } else { at }) as u16
            })
            .collect();
        let balances = match lock {
            FakeLock::Totals | FakeLock::WildIndex => {
                totals(ts).unwrap_or_else(|| vec![U256::MAX; ts.outcome.assets.len()])
            }
            FakeLock::Balances(b) => b,
        };
        let n_assets = ts.outcome.assets.len();
        // Beside a huge lock the fake parent holds nothing itself, so its own sums do not
        // overflow before the sub-channel is reached.
        let huge = balances.iter().any(|b| *b > U256::from(u128::MAX));
        let own: Vec<Vec<U256>> = (0..n_assets)
            .map(|_| {
                (0..members.len())
                    .map(|_| {
                        if huge {
                            U256::ZERO
                        } else {
                            units(rng.below(4))
                        }
                    })
                    .collect()
            })
            .collect();
        let state = Channel::State {
            channelID: id,
            version: rng.below(4),
            outcome: Channel::Allocation {
                assets: ts.outcome.assets.clone(),
                backends: vec![U256::ZERO; n_assets],
                balances: own,
                locked: vec![Channel::SubAlloc {
                    ID: tid,
                    balances,
                    indexMap: index_map,
                }],
            },
            appData: Bytes::new(),
            isFinal: false,
        };
        self.sign_by(members, params, StateVal::laid_out(state, state_layout))
    }

    // -----------------------------------------------------------------------------------------
    // Concrete actions
    // -----------------------------------------------------------------------------------------

    /// `from` sends `Adjudicator.register(root, subs)`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_register(
        &mut self,
        kind: Kind,
        from: usize,
        root: SignedVal,
        subs: Vec<SignedVal>,
    ) -> Result<Sent, Divergence> {
        let name = self.id_name(root.state.state.channelID);
        let mut label = format!(
            "{} registers {name} {}",
            self.name(from),
            self.show(&root.state)
        );
        if !subs.is_empty() {
            let s: Vec<String> = subs
                .iter()
                .map(|s| {
                    format!(
                        "{} {}",
                        self.id_name(s.state.state.channelID),
                        self.show(&s.state)
                    )
                })
                .collect();
            label.push_str(&format!(" with [{}]", s.join("; ")));
        }
        let at = self.at();
        let tx = register_tx(label, self.address_of(from), &at, root, subs);
        self.adv_send(kind, tx)
    }

    /// Sends an adversary's transaction and notes the footprints of the known holes.
    fn adv_send(&mut self, kind: Kind, tx: Tx) -> Result<Sent, Divergence> {
        let states: Vec<StateVal> = tx
            .signed
            .iter()
            .map(|s| s.state.clone())
            .chain(tx.states.iter().cloned())
            .collect();
        let nc = tx.non_canonical;
        let sent = self.send(Actor::Adversary(kind), tx)?;
        if sent.ok {
            for u in &sent.updates {
                let Some(c) = self.topo.node_by_id(u.id) else {
                    continue;
                };
                if u.phase == CONCLUDED || self.topo.nodes[c].role == Role::Root {
                    continue;
                }
                let unfit = states.iter().any(|s| {
                    s.state.channelID == u.id && s.version() == u.version && !self.fits(c, &s.state)
                });
                if unfit {
                    self.tags.insert(format!(
                        "hole 1: a state of {} that does not match its funding was recorded",
                        self.topo.nodes[c].name
                    ));
                }
            }
            if states
                .iter()
                .any(|s| s.layout == StateLayout::OutcomeAfterAppData)
            {
                self.tags.insert(
                    "hole 2: a state with its outcome after its appData was accepted".into(),
                );
            }
            if nc {
                self.tags
                    .insert(format!("non-canonical layout accepted ({kind:?})"));
            }
        }
        Ok(sent)
    }

    /// `from` sends the registry's `register(signed)`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_registry_register(
        &mut self,
        kind: Kind,
        from: usize,
        signed: SignedVal,
    ) -> Result<Sent, Divergence> {
        let at = self.at();
        let label = format!(
            "{} registry-registers {} {}",
            self.name(from),
            self.id_name(signed.state.state.channelID),
            self.show(&signed.state)
        );
        let non_canonical =
            !signed.state.is_canonical() || signed.params.layout != ParamsLayout::Canonical;
        let tx = Tx {
            label,
            from: self.address_of(from),
            to: at.registry,
            data: raw::registry_register(&signed),
            value: U256::ZERO,
            signed: vec![signed],
            states: Vec::new(),
            non_canonical,
        };
        self.adv_send(kind, tx)
    }

    /// Participant `actor` (a party) of `node` force-executes from `old` to `new`, signing
    /// `new` alone.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_progress(
        &mut self,
        kind: Kind,
        actor: usize,
        node: usize,
        old: StateVal,
        new: StateVal,
    ) -> Result<Sent, Divergence> {
        let idx = self.topo.index_of(node, actor).unwrap_or(0);
        let sig = new.sign(&self.topo.parties[actor].signer());
        let params = ParamsVal::canonical(self.topo.nodes[node].chan.params.clone());
        let at = self.at();
        let tx = Tx {
            label: format!(
                "{} force-executes {} {} -> {}",
                self.name(actor),
                self.topo.nodes[node].name,
                self.show(&old),
                self.show(&new)
            ),
            from: self.address_of(actor),
            to: at.adjudicator,
            data: raw::progress(&params, &old, &new, idx, &sig),
            value: U256::ZERO,
            signed: Vec::new(),
            states: vec![new.clone()],
            non_canonical: !old.is_canonical() || !new.is_canonical(),
        };
        let sent = self.adv_send(kind, tx)?;
        // The honest members accept a state force-executed from their latest.
        let moved = sent
            .updates
            .iter()
            .any(|u| u.id == self.topo.nodes[node].chan.id && u.version == new.version());
        if sent.ok && moved && old.hash() == self.latest[node].hash() {
            self.latest[node] = new;
        }
        Ok(sent)
    }

    /// `from` concludes the channel of `params` at `state` with `subs`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_conclude(
        &mut self,
        kind: Kind,
        from: usize,
        params: ParamsVal,
        state: StateVal,
        subs: Vec<StateVal>,
    ) -> Result<Sent, Divergence> {
        let at = self.at();
        let target = state.state.channelID;
        let mut label = format!(
            "{} concludes {} at {}",
            self.name(from),
            self.id_name(target),
            self.show(&state)
        );
        if !subs.is_empty() {
            let s: Vec<String> = subs
                .iter()
                .map(|s| format!("{} {}", self.id_name(s.state.channelID), self.show(s)))
                .collect();
            label.push_str(&format!(" with [{}]", s.join("; ")));
        }
        let non_canonical = !state.is_canonical()
            || subs.iter().any(|s| !s.is_canonical())
            || params.layout != ParamsLayout::Canonical;
        let tx = Tx {
            label,
            from: self.address_of(from),
            to: at.adjudicator,
            data: raw::conclude(&params, &state, &subs),
            value: U256::ZERO,
            signed: Vec::new(),
            states: Vec::new(),
            non_canonical,
        };
        let sent = self.adv_send(kind, tx)?;
        if sent.ok {
            let fake_target = self.topo.node_by_id(target).is_none();
            for u in &sent.updates {
                if let Some(c) = self.topo.node_by_id(u.id) {
                    if u.phase == CONCLUDED && fake_target && self.topo.nodes[c].role == Role::Root
                    {
                        self.tags.insert(
                            "a real ledger channel was concluded as a fake parent's sub-channel"
                                .into(),
                        );
                    }
                }
            }
        }
        Ok(sent)
    }

    /// `from` sends `concludeFinal` with `signed`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_conclude_final(
        &mut self,
        kind: Kind,
        from: usize,
        signed: SignedVal,
    ) -> Result<Sent, Divergence> {
        let at = self.at();
        let tx = Tx {
            label: format!(
                "{} concludes {} final at {}",
                self.name(from),
                self.id_name(signed.state.state.channelID),
                self.show(&signed.state)
            ),
            from: self.address_of(from),
            to: at.adjudicator,
            data: raw::conclude_final(&signed.params, &signed.state, &signed.sigs),
            value: U256::ZERO,
            signed: Vec::new(),
            states: Vec::new(),
            non_canonical: !signed.state.is_canonical()
                || signed.params.layout != ParamsLayout::Canonical,
        };
        self.adv_send(kind, tx)
    }

    /// `from` sends the registry's `conclude(params, state)`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_registry_conclude(
        &mut self,
        kind: Kind,
        from: usize,
        params: ParamsVal,
        state: StateVal,
    ) -> Result<Sent, Divergence> {
        let at = self.at();
        let tx = Tx {
            label: format!(
                "{} registry-concludes {} at {}",
                self.name(from),
                self.id_name(state.state.channelID),
                self.show(&state)
            ),
            from: self.address_of(from),
            to: at.registry,
            data: raw::registry_conclude(&params, &state),
            value: U256::ZERO,
            signed: Vec::new(),
            states: Vec::new(),
            non_canonical: !state.is_canonical(),
        };
        self.adv_send(kind, tx)
    }

    /// `from` withdraws with `auth`, signed by party `signer`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_withdraw(
        &mut self,
        kind: Kind,
        from: usize,
        holder: Address,
        auth: AuthVal,
        signer: usize,
    ) -> Result<Sent, Divergence> {
        let sig = raw::sign_hash(&self.topo.parties[signer].signer(), auth.hash());
        let tx = Tx {
            label: format!(
                "{} withdraws {} of {}'s funds from {} to {}",
                self.name(from),
                super::session::show_amount(auth.auth.amount),
                self.name(signer),
                self.id_name(auth.auth.channelID),
                self.receiver_name(auth.auth.receiver)
            ),
            from: self.address_of(from),
            to: holder,
            data: raw::withdraw(&auth, &sig),
            value: U256::ZERO,
            signed: Vec::new(),
            states: Vec::new(),
            non_canonical: auth.layout != AuthLayout::Canonical,
        };
        self.adv_send(kind, tx)
    }

    /// Adversary `p` deposits `amount` of asset `a` into `fid` of root `root`.
    ///
    /// # Errors
    /// A divergence.
    pub fn adv_top_up(
        &mut self,
        p: usize,
        root: usize,
        a: usize,
        fid: B256,
        amount: U256,
    ) -> Result<Sent, Divergence> {
        self.deposit(Actor::Adversary(Kind::TopUp), p, root, a, fid, amount)
    }

    // -----------------------------------------------------------------------------------------
    // Random actions
    // -----------------------------------------------------------------------------------------

    /// Performs the adversary action `act`: picks its targets and values from its seed.
    ///
    /// # Errors
    /// A divergence.
    pub fn perform(&mut self, act: &Act) -> Result<(), Divergence> {
        let mut rng = Rng::new(act.seed);
        self.chosen(act.kind);
        if self.adversaries().is_empty() || self.honest().is_empty() {
            return Ok(());
        }
        let k = act.kind;
        match k {
            Kind::RegisterLedger => {
                let roots = self.topo.roots.clone();
                let Some(&r) = rng.pick(&roots) else {
                    return Ok(());
                };
                let Some(root) = self.pick_known(&mut rng, r) else {
                    return Ok(());
                };
                let mut subs = Vec::new();
                self.subs_for(&mut rng, &root.state, None, &mut subs);
                let from = self.adv(&mut rng);
                self.adv_register(k, from, root, subs)?;
            }
            Kind::RefuteSub => {
                let cands: Vec<usize> = (0..self.topo.nodes.len())
                    .filter(|&c| !self.is_root(c))
                    .collect();
                let Some(&c) = rng.pick(&cands) else {
                    return Ok(());
                };
                let roots = self.topo.roots_of(c);
                let Some(&r) = rng.pick(&roots) else {
                    return Ok(());
                };
                let root = match self.registered(r).and_then(|s| self.signed_for(r, &s)) {
                    Some(s) => s,
                    None => match self.pick_known(&mut rng, r) {
                        Some(s) => s,
                        None => return Ok(()),
                    },
                };
                let special = if self.all_adversaries(c) && rng.chance(60) {
                    let v = self.top_version(c) + 1 + rng.below(3);
                    let f = Forgery::random(&mut rng);
                    self.forge(&mut rng, c, f, v, StateLayout::Canonical)
                } else {
                    match self.pick_known(&mut rng, c) {
                        Some(s) => s,
                        None => return Ok(()),
                    }
                };
                let mut subs = Vec::new();
                self.subs_for(&mut rng, &root.state, Some((c, &special)), &mut subs);
                let from = self.adv(&mut rng);
                self.adv_register(k, from, root, subs)?;
            }
            Kind::RegistryRegister => {
                let target = match self.topo.virt {
                    Some(v) if rng.chance(95) => v,
                    _ => {
                        let subs: Vec<usize> = (0..self.topo.nodes.len())
                            .filter(|&c| self.topo.nodes[c].role == Role::Sub)
                            .collect();
                        match rng.pick(&subs) {
                            Some(&s) => s,
                            None => return Ok(()),
                        }
                    }
                };
                let s = if self.all_adversaries(target) && rng.chance(65) {
                    let v = self.top_version(target) + 1 + rng.below(3);
                    let f = Forgery::random(&mut rng);
                    self.forge(&mut rng, target, f, v, StateLayout::Canonical)
                } else {
                    match self.pick_known(&mut rng, target) {
                        Some(s) => s,
                        None => return Ok(()),
                    }
                };
                let from = self.adv(&mut rng);
                self.adv_registry_register(k, from, s)?;
            }
            Kind::FakeParent => {
                self.random_fake(&mut rng, k, ParamsLayout::Canonical, StateLayout::Canonical)?;
            }
            Kind::Progress | Kind::ProgressOutcomeAfterAppData => {
                let layout = if k == Kind::Progress {
                    StateLayout::Canonical
                } else {
                    StateLayout::OutcomeAfterAppData
                };
                self.random_progress(&mut rng, k, layout)?;
            }
            Kind::RegisterOutcomeAfterAppData => {
                let cands: Vec<usize> = (0..self.topo.nodes.len())
                    .filter(|&c| !self.is_root(c) && self.all_adversaries(c))
                    .collect();
                let Some(&c) = rng.pick(&cands) else {
                    return Ok(());
                };
                let v = self.top_version(c) + 1 + rng.below(2);
                let s = self.forge(
                    &mut rng,
                    c,
                    Forgery::Redistribute,
                    v,
                    StateLayout::OutcomeAfterAppData,
                );
                let from = self.adv(&mut rng);
                let route = rng.below(3);
                let sent = if route == 0 && self.topo.nodes[c].role == Role::Virtual {
                    self.adv_registry_register(k, from, s)?
                } else if route <= 1 {
                    let roots = self.topo.roots_of(c);
                    let Some(&r) = rng.pick(&roots) else {
                        return Ok(());
                    };
                    let root = match self.registered(r).and_then(|x| self.signed_for(r, &x)) {
                        Some(x) => x,
                        None => match self.pick_known(&mut rng, r) {
                            Some(x) => x,
                            None => return Ok(()),
                        },
                    };
                    let mut subs = Vec::new();
                    self.subs_for(&mut rng, &root.state, Some((c, &s)), &mut subs);
                    self.adv_register(k, from, root, subs)?
                } else {
                    let members = self.topo.nodes[c].members.clone();
                    let f = self.fake_parent(
                        &mut rng,
                        &members,
                        U256::from(CD),
                        &s,
                        FakeLock::Totals,
                        ParamsLayout::Canonical,
                        StateLayout::Canonical,
                    );
                    let mut subs = vec![s.clone()];
                    self.subs_for(&mut rng, &s.state, None, &mut subs);
                    self.register_fake(k, from, &members, f, subs)?
                };
                self.follow_up(&mut rng, sent.ok, c)?;
            }
            Kind::Conclude | Kind::ConcludeSwapped => {
                self.random_conclude(&mut rng, k, None)?;
            }
            Kind::ConcludeFinal => {
                let Some(fi) = (!self.fakes.is_empty()).then(|| rng.index(self.fakes.len())) else {
                    return Ok(());
                };
                let fake = self.fakes[fi].clone();
                let mut s = fake.state.state.clone();
                s.version += 1 + rng.below(3);
                s.isFinal = true;
                s.outcome.locked.clear();
                for row in &mut s.outcome.balances {
                    *row = super::session::redistribute(&mut rng, row);
                }
                let signed =
                    self.sign_by(&fake.members, fake.params.clone(), StateVal::canonical(s));
                let from = self.adv(&mut rng);
                self.adv_conclude_final(k, from, signed)?;
            }
            Kind::RegistryConclude => {
                let Some(v) = self.topo.virt else {
                    return Ok(());
                };
                let rec = self.recorded(self.topo.nodes[v].chan.id);
                let Some(state) = rng.pick(&rec).cloned() else {
                    return Ok(());
                };
                let state = if state.layout == StateLayout::OutcomeAfterAppData && rng.chance(70) {
                    self.swapped(&mut rng, v, &state)
                } else {
                    state
                };
                let params = ParamsVal::canonical(self.topo.nodes[v].chan.params.clone());
                let id = state.state.channelID;
                self.wait_for(&[id]);
                let from = self.adv(&mut rng);
                self.adv_registry_conclude(k, from, params, state)?;
            }
            Kind::Withdraw => {
                self.random_withdraw(&mut rng, k, AuthLayout::Canonical)?;
            }
            Kind::Replay => {
                if self.withdraw_calls.is_empty() {
                    self.random_withdraw(&mut rng, Kind::Withdraw, AuthLayout::Canonical)?;
                }
                let Some((holder, data)) = rng.pick(&self.withdraw_calls).cloned() else {
                    return Ok(());
                };
                let from = self.adv(&mut rng);
                let tx = Tx::plain(
                    format!("{} replays a withdrawal", self.name(from)),
                    self.address_of(from),
                    holder,
                    data,
                    U256::ZERO,
                );
                self.adv_send(k, tx)?;
            }
            Kind::TopUp => {
                let roots = self.topo.roots.clone();
                let Some(&r) = rng.pick(&roots) else {
                    return Ok(());
                };
                let p = self.adv(&mut rng);
                let a = rng.index(self.topo.assets.len());
                let id = self.topo.nodes[r].chan.id;
                let members = self.topo.nodes[r].members.clone();
                let fid = match rng.below(10) {
                    0..6 if members.contains(&p) => self.fid(id, p),
                    0..8 => id,
                    _ => self.fid(id, members[rng.index(members.len())]),
                };
                let amount = match rng.below(10) {
                    0..4 => U256::from(1),
                    4..7 => units(1),
                    _ => self.inflation,
                };
                self.adv_top_up(p, r, a, fid, amount)?;
            }
            Kind::Malformed => match rng.below(5) {
                0 => {
                    let l = [
                        ParamsLayout::ParticipantOutsideSpan,
                        ParamsLayout::GapBetweenTails,
                        ParamsLayout::DirtyPadding,
                    ][rng.index(3)];
                    self.random_fake(&mut rng, k, l, StateLayout::Canonical)?;
                }
                1 => {
                    let l = [
                        StateLayout::OutcomeAfterAppData,
                        StateLayout::GapBetweenTails,
                        StateLayout::DirtyPadding,
                    ][rng.index(3)];
                    self.random_fake(&mut rng, k, ParamsLayout::Canonical, l)?;
                }
                2 => {
                    let l = [AuthLayout::Gap, AuthLayout::DirtyPadding][rng.index(2)];
                    self.random_withdraw(&mut rng, k, l)?;
                }
                3 => {
                    let Some(v) = self.topo.virt.filter(|&v| self.all_adversaries(v)) else {
                        return Ok(());
                    };
                    let l = [
                        StateLayout::OutcomeAfterAppData,
                        StateLayout::GapBetweenTails,
                        StateLayout::DirtyPadding,
                    ][rng.index(3)];
                    let ver = self.top_version(v) + 1;
                    let s = self.forge(&mut rng, v, Forgery::Redistribute, ver, l);
                    let from = self.adv(&mut rng);
                    self.adv_registry_register(k, from, s)?;
                }
                _ => {
                    // No force-execution once the honest parties conclude (see
                    // `Kind::front_runnable`).
                    if !self.final_phase {
                        let l =
                            [StateLayout::GapBetweenTails, StateLayout::DirtyPadding][rng.index(2)];
                        self.random_progress(&mut rng, k, l)?;
                    }
                }
            },
            Kind::InflateAndSettle => self.inflate_and_settle(&mut rng)?,
            Kind::Advance => {
                let dt = [1, CD / 2, CD, CD + 1, 2 * CD + 1, 10 * CD][rng.index(6)];
                self.advance(dt);
            }
        }
        Ok(())
    }

    /// [`Kind::InflateAndSettle`].
    fn inflate_and_settle(&mut self, rng: &mut Rng) -> Result<(), Divergence> {
        let k = Kind::InflateAndSettle;
        let cands: Vec<usize> = (0..self.topo.nodes.len())
            .filter(|&c| !self.is_root(c) && self.all_adversaries(c))
            .collect();
        let Some(&c) = rng.pick(&cands) else {
            return Ok(());
        };
        let roots = self.topo.roots_of(c);
        // 1. The roots registered with their real funding.
        for &r in &roots {
            if !self.recorded(self.topo.nodes[r].chan.id).is_empty() {
                continue;
            }
            // The latest state if fully signed (not one force-executed since), else the last
            // fully signed one.
            let root = match self.signed_for(r, &self.latest[r].clone()) {
                Some(x) => x,
                None => self.history(r, None),
            };
            let mut subs = Vec::new();
            for d in self.topo.descendants(r) {
                let best = self.registered(d).unwrap_or_else(|| self.latest[d].clone());
                match self.signed_for(d, &best) {
                    Some(x) => subs.push(x),
                    None => return Ok(()),
                }
            }
            let from = self.adv(rng);
            self.adv_register(k, from, root, subs)?;
        }
        // 2. The channel inflated, everything to one adversary.
        let delta = if rng.chance(50) {
            U256::from(1)
        } else {
            units(1)
        };
        let to = rng.index(self.topo.nodes[c].members.len());
        let mut s = self.latest[c].state.clone();
        s.version = self.top_version(c) + 1;
        for row in &mut s.outcome.balances {
            let sum: U256 = row.iter().copied().sum();
            row.iter_mut().for_each(|v| *v = U256::ZERO);
            row[to] = sum + delta;
        }
        self.inflation = delta;
        let forged = self.sign_forged(c, s, StateLayout::Canonical, "inflated");
        let from = self.adv(rng);
        let sent = if self.topo.nodes[c].role == Role::Virtual && rng.chance(50) {
            self.adv_registry_register(k, from, forged)?
        } else {
            let members = self.topo.nodes[c].members.clone();
            let f = self.fake_parent(
                rng,
                &members,
                U256::from(CD),
                &forged,
                FakeLock::Totals,
                ParamsLayout::Canonical,
                StateLayout::Canonical,
            );
            let mut subs = vec![forged.clone()];
            self.subs_for(rng, &forged.state, None, &mut subs);
            self.register_fake(k, from, &members, f, subs)?
        };
        if !sent.ok {
            return Ok(());
        }
        // 3. The inflation deposited where the recipient is paid.
        let p = self.topo.nodes[c].members[to];
        if rng.chance(80) {
            if let Some(&r) = roots.iter().find(|&&r| self.topo.index_of(r, p).is_some()) {
                let fid = self.fid(self.topo.nodes[r].chan.id, p);
                for a in 0..self.topo.assets.len() {
                    self.adv_top_up(p, r, a, fid, delta)?;
                }
            }
        }
        // 4. Every root concluded as early as possible with what the chain holds.
        let mut ids: Vec<B256> = roots.iter().map(|&r| self.topo.nodes[r].chan.id).collect();
        ids.push(self.topo.nodes[c].chan.id);
        self.wait_for(&ids);
        for &r in &roots {
            let rec = self.recorded(self.topo.nodes[r].chan.id);
            let Some(state) = rec.last().cloned() else {
                continue;
            };
            let mut subs = Vec::new();
            self.last_recorded_subs(&state, &mut subs);
            let params = ParamsVal::canonical(self.topo.nodes[r].chan.params.clone());
            let from = self.adv(rng);
            self.adv_conclude(k, from, params, state, subs)?;
        }
        Ok(())
    }

    /// The last recorded states of the sub-channels `state` locks, depth first.
    fn last_recorded_subs(&self, state: &StateVal, out: &mut Vec<StateVal>) {
        for l in &state.state.outcome.locked {
            if let Some(s) = self.recorded(l.ID).last().cloned() {
                out.push(s.clone());
                self.last_recorded_subs(&s, out);
            }
        }
    }

    fn register_fake(
        &mut self,
        kind: Kind,
        from: usize,
        members: &[usize],
        f: SignedVal,
        subs: Vec<SignedVal>,
    ) -> Result<Sent, Divergence> {
        let fake = Fake {
            members: members.to_vec(),
            id: f.params.id(),
            params: f.params.clone(),
            state: f.state.clone(),
        };
        self.fakes.push(fake);
        let real: Vec<String> = subs
            .iter()
            .filter_map(|s| self.topo.node_by_id(s.state.state.channelID))
            .map(|n| self.topo.nodes[n].name.clone())
            .collect();
        let sent = self.adv_register(kind, from, f, subs)?;
        if sent.ok {
            if !real.is_empty() {
                self.tags
                    .insert("hole 1: a real channel was recorded through a fake parent".into());
            }
        } else {
            self.fakes.pop();
        }
        Ok(sent)
    }

    fn random_fake(
        &mut self,
        rng: &mut Rng,
        k: Kind,
        params_layout: ParamsLayout,
        state_layout: StateLayout,
    ) -> Result<(), Divergence> {
        let n = self.topo.nodes.len();
        let target = match (self.topo.virt, rng.below(10)) {
            (Some(v), 0..4) => v,
            (_, 0..8) => {
                let subs: Vec<usize> = (0..n)
                    .filter(|&c| self.topo.nodes[c].role == Role::Sub)
                    .collect();
                match rng.pick(&subs) {
                    Some(&s) => s,
                    None => self.topo.roots[rng.index(self.topo.roots.len())],
                }
            }
            _ => self.topo.roots[rng.index(self.topo.roots.len())],
        };
        let state = if self.all_adversaries(target) && rng.chance(70) {
            let v = self.top_version(target) + 1 + rng.below(3);
            let f = Forgery::random(rng);
            self.forge(rng, target, f, v, StateLayout::Canonical)
        } else {
            match self.pick_known(rng, target) {
                Some(s) => s,
                None => return Ok(()),
            }
        };
        let mut members: Vec<usize> = if self.all_adversaries(target) {
            let mut m = self.topo.nodes[target].members.clone();
            rng.shuffle(&mut m);
            m
        } else {
            vec![self.adv(rng)]
        };
        if rng.chance(30) || members.len() < 2 {
            members.push(self.adv(rng));
        }
        let cd = match rng.below(10) {
            0..5 => U256::from(CD),
            5..8 => U256::ZERO,
            8 => U256::from(u64::MAX),
            _ => U256::from(1u64 << 63),
        };
        let lock = match rng.below(20) {
            0..15 => FakeLock::Totals,
            15 => FakeLock::WildIndex,
            16 | 17 => FakeLock::Balances(vec![U256::MAX; state.state.state.outcome.assets.len()]),
            _ => FakeLock::Balances(vec![units(1); state.state.state.outcome.assets.len()]),
        };
        let f = self.fake_parent(rng, &members, cd, &state, lock, params_layout, state_layout);
        let mut subs = vec![state.clone()];
        self.subs_for(rng, &state.state, None, &mut subs);
        let from = self.adv(rng);
        self.register_fake(k, from, &members, f, subs)?;
        Ok(())
    }

    /// Waits (at most four challenge durations) until the records of `ids` can be concluded
    /// or force-executed: their last timeouts, plus a challenge duration for a channel with an
    /// app still in dispute.
    fn wait_for(&mut self, ids: &[B256]) {
        let now = self.now();
        let mut need = now;
        for id in ids {
            let Some(last) = self.observed.get(id).and_then(|v| v.last()) else {
                continue;
            };
            let u = &last.update;
            let mut t = u.timeout;
            if u.phase == super::session::DISPUTE {
                if let Some(n) = self.topo.node_by_id(*id) {
                    if self.topo.nodes[n].app {
                        let cd = self.topo.nodes[n].chan.params.challengeDuration;
                        t = t.saturating_add(cd.saturating_to::<u64>());
                    }
                }
            }
            need = need.max(t);
        }
        // A front-run goes into the same block as the honest transaction: no time passes.
        if need > now && need - now <= 4 * CD && !self.in_front_run {
            self.advance(need - now);
        }
    }

    /// Registers `node` through its root with states the adversary picks, unless a state of it
    /// was recorded already.
    fn ensure_recorded(&mut self, rng: &mut Rng, k: Kind, node: usize) -> Result<(), Divergence> {
        if !self.recorded(self.topo.nodes[node].chan.id).is_empty() {
            return Ok(());
        }
        let roots = self.topo.roots_of(node);
        let Some(&r) = rng.pick(&roots) else {
            return Ok(());
        };
        let root = match self.registered(r).and_then(|x| self.signed_for(r, &x)) {
            Some(x) => x,
            None => match self.pick_known(rng, r) {
                Some(x) => x,
                None => return Ok(()),
            },
        };
        let mut subs = Vec::new();
        self.subs_for(rng, &root.state, None, &mut subs);
        let from = self.adv(rng);
        self.adv_register(k, from, root, subs)?;
        Ok(())
    }

    fn random_progress(
        &mut self,
        rng: &mut Rng,
        k: Kind,
        layout: StateLayout,
    ) -> Result<(), Divergence> {
        let cands: Vec<usize> = (0..self.topo.nodes.len())
            .filter(|&c| {
                self.topo.nodes[c].app
                    && self.topo.nodes[c].members.iter().any(|&m| self.corrupt[m])
            })
            .collect();
        let Some(&c) = rng.pick(&cands) else {
            return Ok(());
        };
        self.ensure_recorded(rng, k, c)?;
        let id = self.topo.nodes[c].chan.id;
        let old = match self.registered(c) {
            Some(s) => s,
            None => match self.recorded(id).last() {
                Some(s) => s.clone(),
                None => return Ok(()),
            },
        };
        // Force-execution starts once the dispute timed out (the extra duration for apps
        // applies to conclusions only).
        if let Some(last) = self.observed.get(&id).and_then(|v| v.last()) {
            let (phase, t) = (last.update.phase, last.update.timeout);
            let now = self.now();
            if phase == super::session::DISPUTE
                && t > now
                && t - now <= 4 * CD
                && !self.in_front_run
            {
                self.advance(t - now);
            }
        }
        let mut new = old.state.clone();
        new.version += 1;
        if layout == StateLayout::Canonical || rng.chance(50) {
            for row in &mut new.outcome.balances {
                *row = super::session::redistribute(rng, row);
            }
        }
        new.isFinal = rng.chance(15);
        let Some(actor) = self.adv_member(rng, c) else {
            return Ok(());
        };
        let sent = self.adv_progress(k, actor, c, old, StateVal::laid_out(new, layout))?;
        self.follow_up(
            rng,
            sent.ok && layout == StateLayout::OutcomeAfterAppData,
            c,
        )
    }

    /// After a state with its outcome after its appData was recorded for `node`: mostly, a
    /// swapped conclusion of a root above it as soon as possible.
    fn follow_up(&mut self, rng: &mut Rng, recorded: bool, node: usize) -> Result<(), Divergence> {
        if !recorded || !rng.chance(60) {
            return Ok(());
        }
        let roots = self.topo.roots_of(node);
        let Some(&r) = rng.pick(&roots) else {
            return Ok(());
        };
        self.chosen(Kind::ConcludeSwapped);
        self.random_conclude(rng, Kind::ConcludeSwapped, Some(r))
    }

    /// `state` (of channel ID `node`'s, or a fake's) with its outcome replaced to favour the
    /// adversaries; its hash is unchanged if its outcome lies after its appData.
    fn swapped(&self, rng: &mut Rng, node: usize, state: &StateVal) -> StateVal {
        let mut s = state.state.clone();
        let members = &self.topo.nodes[node].members;
        let adv: Vec<usize> = (0..members.len())
            .filter(|&i| self.corrupt[members[i]])
            .collect();
        let to = adv.first().copied().unwrap_or(0);
        let how = rng.below(4);
        for row in &mut s.outcome.balances {
            let sum: U256 = row.iter().copied().sum();
            match how {
                0 | 1 => {
                    row.iter_mut().for_each(|v| *v = U256::ZERO);
                    if let Some(x) = row.get_mut(to) {
                        *x = sum + if how == 1 { units(1) } else { U256::ZERO };
                    }
                }
                2 => *row = vec![sum],
                _ => {
                    row.iter_mut().for_each(|v| *v = U256::ZERO);
                    if let Some(x) = row.get_mut(to) {
                        *x = U256::MAX;
                    }
                }
            }
        }
        StateVal {
            state: s,
            layout: state.layout,
        }
    }

    /// Concludes a real ledger channel (`prefer`, else a random one) or a fake parent with
    /// recorded states; for [`Kind::ConcludeSwapped`] only a target with a state recorded with
    /// its outcome after its appData, whose outcome is then replaced.
    fn random_conclude(
        &mut self,
        rng: &mut Rng,
        k: Kind,
        prefer: Option<usize>,
    ) -> Result<(), Divergence> {
        let swap = k == Kind::ConcludeSwapped;
        let n_roots = self.topo.roots.len();
        let target = |s: &Self, i: usize| -> Option<(ParamsVal, Vec<StateVal>)> {
            if i < n_roots {
                let r = s.topo.roots[i];
                let rec = s.recorded(s.topo.nodes[r].chan.id);
                Some((
                    ParamsVal::canonical(s.topo.nodes[r].chan.params.clone()),
                    rec,
                ))
            } else {
                let f = s.fakes.get(i - n_roots)?;
                Some((f.params.clone(), vec![f.state.clone()]))
            }
        };
        let mut cands: Vec<usize> = (0..n_roots + self.fakes.len()).collect();
        if let Some(p) = prefer.and_then(|p| self.topo.roots.iter().position(|&r| r == p)) {
            cands = vec![p];
        }
        if swap {
            // Targets whose recorded tree holds a state with its outcome after its appData.
            cands.retain(|&i| {
                target(self, i).is_some_and(|(_, rec)| {
                    rec.iter().any(|s| {
                        let mut subs = Vec::new();
                        self.recorded_subs(&mut Rng::new(0), s, &mut subs);
                        std::iter::once(s)
                            .chain(&subs)
                            .any(|x| x.layout == StateLayout::OutcomeAfterAppData)
                    })
                })
            });
        }
        let Some(&pick) = rng.pick(&cands) else {
            return Ok(());
        };
        let Some((params, rec)) = target(self, pick) else {
            return Ok(());
        };
        let state = if rng.chance(70) {
            rec.last().cloned()
        } else {
            rng.pick(&rec).cloned()
        };
        let Some(state) = state else {
            return Ok(());
        };
        let mut subs = Vec::new();
        self.recorded_subs(rng, &state, &mut subs);
        let mut any_swapped = false;
        let state = if swap && state.layout == StateLayout::OutcomeAfterAppData {
            any_swapped = true;
            match self.topo.node_by_id(state.state.channelID) {
                Some(n) => self.swapped(rng, n, &state),
                None => state,
            }
        } else {
            state
        };
        if swap {
            for s in &mut subs {
                if s.layout == StateLayout::OutcomeAfterAppData {
                    if let Some(n) = self.topo.node_by_id(s.state.channelID) {
                        *s = self.swapped(rng, n, s);
                        any_swapped = true;
                    }
                }
            }
            if !any_swapped {
                return Ok(());
            }
        }
        // As early as possible: once every record involved timed out.
        if swap || rng.chance(50) {
            let mut ids = vec![state.state.channelID];
            ids.extend(subs.iter().map(|s| s.state.channelID));
            self.wait_for(&ids);
        }
        let from = self.adv(rng);
        let sent = self.adv_conclude(k, from, params, state, subs)?;
        if sent.ok && any_swapped {
            self.tags
                .insert("hole 2: a conclude with a swapped outcome succeeded".into());
        }
        Ok(())
    }

    /// Recorded states of the sub-channels `state` locks, depth first (mostly the last one).
    fn recorded_subs(&self, rng: &mut Rng, state: &StateVal, out: &mut Vec<StateVal>) {
        for l in &state.state.outcome.locked {
            let rec = self.recorded(l.ID);
            let s = if rng.chance(70) {
                rec.last().cloned()
            } else {
                rng.pick(&rec).cloned()
            };
            if let Some(s) = s {
                out.push(s.clone());
                self.recorded_subs(rng, &s, out);
            }
        }
    }

    fn random_withdraw(
        &mut self,
        rng: &mut Rng,
        k: Kind,
        layout: AuthLayout,
    ) -> Result<(), Divergence> {
        if self.settled.is_empty() && !self.in_front_run {
            // Nothing settled yet: conclude something first.
            self.chosen(Kind::Conclude);
            self.random_conclude(rng, Kind::Conclude, None)?;
        }
        let settled: Vec<(Address, B256)> = self.settled.iter().copied().collect();
        let Some(&(holder, id)) = rng.pick(&settled) else {
            return Ok(());
        };
        let members: Vec<usize> = if let Some(n) = self.topo.node_by_id(id) {
            self.topo.nodes[n].members.clone()
        } else if let Some(f) = self.fakes.iter().find(|f| f.id == id) {
            f.members.clone()
        } else {
            Vec::new()
        };
        let own: Vec<usize> = members.into_iter().filter(|&m| self.corrupt[m]).collect();
        let signer = match rng.pick(&own) {
            Some(&p) => p,
            None => self.adv(rng),
        };
        let held = self.holdings(holder, self.fid(id, signer))?;
        let amount = match rng.below(10) {
            0..5 => held,
            5 => held + U256::from(1),
            6 | 7 => held / U256::from(2),
            _ => U256::from(1),
        };
        let honest = self.honest();
        let receiver = match rng.below(20) {
            0..10 => self.address_of(signer),
            10..14 => self.address_of(self.adv(rng)),
            14..17 => self.address_of(honest[rng.index(honest.len())]),
            _ => stranger(),
        };
        let auth = AuthVal {
            auth: WithdrawalAuth {
                channelID: id,
                participant: Channel::Participant {
                    ethAddress: self.address_of(signer),
                    ccAddress: Bytes::new(),
                },
                receiver,
                amount,
            },
            layout,
        };
        let from = self.adv(rng);
        self.adv_withdraw(k, from, holder, auth, signer)?;
        Ok(())
    }

    /// The name of a receiver: a party, the stranger, or the address.
    pub fn receiver_name(&self, a: Address) -> String {
        if a == stranger() {
            return "a stranger".into();
        }
        (0..self.topo.parties.len())
            .find(|&p| self.address_of(p) == a)
            .map_or_else(|| a.to_string(), |p| self.name(p))
    }

    /// The holder of asset `a`.
    pub fn holder(&self, a: usize) -> Address {
        let at = self.at();
        self.topo.assets[a].holder(&at)
    }
}

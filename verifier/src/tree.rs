//! The resolved document: channels by ID, their sub-channel tree, virtual channels and
//! withdrawals, with the consistency rules whose violation is bad input.

use crate::error::{Error, Result};
use crate::schema::Document;
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::hash;
use perun_channel::sol::{Channel, WithdrawalAuth};
use std::collections::HashMap;

/// A signed state as held: the wire value (missing signatures as empty bytes) and which
/// signatures are present.
#[derive(Clone, Debug)]
pub struct Held {
    /// The signed state; a missing signature is empty here and `false` in [`Held::present`].
    pub signed: Channel::SignedState,
    /// Whether participant `i`'s signature is held.
    pub present: Vec<bool>,
    /// `keccak256(abi.encode(state))`.
    pub hash: B256,
    /// The JSON path of the entry (`$.channels[0].states[1]`).
    pub path: String,
}

impl Held {
    /// The state.
    pub fn state(&self) -> &Channel::State {
        &self.signed.state
    }
}

/// A channel of the document.
#[derive(Clone, Debug)]
pub struct ChannelEntry {
    /// Its name, or its ID in hex.
    pub name: String,
    /// `keccak256(abi.encode(params))`.
    pub id: B256,
    /// Its params.
    pub params: Channel::Params,
    /// The states held, in document order.
    pub states: Vec<Held>,
    /// The JSON path of the entry (`$.channels[0]`).
    pub path: String,
}

impl ChannelEntry {
    /// The key its dispute record has when `state` is registered: a ledger channel's ID, a
    /// sub-channel's or virtual channel's ID bound to the state's assets and per-asset totals
    /// (`perun_channel::hash::sub_channel_key`). A state whose totals overflow, which no contract
    /// registers, keys as the ID.
    pub fn record_key(&self, state: &Channel::State) -> B256 {
        if self.params.ledgerChannel {
            return self.id;
        }
        let o = &state.outcome;
        let mut totals = Vec::with_capacity(o.balances.len());
        for row in &o.balances {
            match row.iter().try_fold(U256::ZERO, |t, b| t.checked_add(*b)) {
                Some(t) => totals.push(t),
                None => return self.id,
            }
        }
        for l in &o.locked {
            for (t, b) in totals.iter_mut().zip(&l.balances) {
                match t.checked_add(*b) {
                    Some(sum) => *t = sum,
                    None => return self.id,
                }
            }
        }
        hash::sub_channel_key_of(self.id, &o.assets, &totals)
    }
}

/// A virtual channel and its two parents (indices into [`Doc::channels`]).
#[derive(Clone, Debug)]
pub struct Virtual {
    /// The virtual channel.
    pub channel: usize,
    /// Its parents.
    pub parents: [usize; 2],
    /// The JSON path of the entry.
    pub path: String,
}

/// A signed withdrawal authorization.
#[derive(Clone, Debug)]
pub struct Withdrawal {
    /// The asset holder, if given.
    pub holder: Option<Address>,
    /// The authorization.
    pub auth: WithdrawalAuth,
    /// The signature.
    pub signature: Bytes,
    /// The JSON path of the entry.
    pub path: String,
}

/// The resolved document.
#[derive(Clone, Debug)]
pub struct Doc {
    /// `block.chainid`.
    pub chain_id: U256,
    /// The Adjudicator's address, if given.
    pub adjudicator: Option<Address>,
    /// The registry's address, if given.
    pub registry: Option<Address>,
    /// The channels, in document order.
    pub channels: Vec<ChannelEntry>,
    /// Channel index by ID.
    pub by_id: HashMap<B256, usize>,
    /// The virtual channels.
    pub virtuals: Vec<Virtual>,
    /// The withdrawal authorizations.
    pub withdrawals: Vec<Withdrawal>,
}

impl Doc {
    /// Resolves a parsed document and checks its consistency: every channel has a state,
    /// names and IDs are unique, references resolve, virtual channels name two distinct
    /// parents, and the sub-channel graph is a tree (no cycles, no channel other than a virtual
    /// one locked by two parents).
    ///
    /// # Errors
    /// [`Error::Input`] with the path of the offending field.
    pub fn from_document(d: &Document) -> Result<Doc> {
        let mut doc = Doc {
            chain_id: d.chain_id.0,
            adjudicator: d
                .contracts
                .as_ref()
                .and_then(|c| c.adjudicator)
                .map(|a| a.0),
            registry: d.contracts.as_ref().and_then(|c| c.registry).map(|a| a.0),
            channels: Vec::with_capacity(d.channels.len()),
            by_id: HashMap::new(),
            virtuals: Vec::new(),
            withdrawals: Vec::new(),
        };
        let mut names: HashMap<String, usize> = HashMap::new();
        for (i, c) in d.channels.iter().enumerate() {
            let path = format!("$.channels[{i}]");
            let params: Channel::Params = (&c.params).into();
            let id = hash::channel_id(&params);
            if let Some(&j) = doc.by_id.get(&id) {
                return Err(Error::input(
                    format!("{path}.params"),
                    format!("the same params (channel ID {id}) as $.channels[{j}]"),
                ));
            }
            if c.states.is_empty() {
                return Err(Error::input(
                    format!("{path}.states"),
                    "a channel needs at least one state",
                ));
            }
            let name = match &c.name {
                Some(n) if n.is_empty() => {
                    return Err(Error::input(
                        format!("{path}.name"),
                        "a name must not be empty",
                    ))
                }
                Some(n) => {
                    if let Some(j) = names.insert(n.clone(), i) {
                        return Err(Error::input(
                            format!("{path}.name"),
                            format!("the name {n:?} is taken by $.channels[{j}]"),
                        ));
                    }
                    n.clone()
                }
                None => id.to_string(),
            };
            let states = c
                .states
                .iter()
                .enumerate()
                .map(|(j, s)| {
                    let state: Channel::State = (&s.state).into();
                    let hash = hash::hash_state(&state);
                    let present: Vec<bool> = s.sigs.iter().map(Option::is_some).collect();
                    let sigs = s
                        .sigs
                        .iter()
                        .map(|s| s.as_ref().map(|h| h.0.clone()).unwrap_or_default())
                        .collect();
                    Held {
                        signed: Channel::SignedState {
                            params: params.clone(),
                            state,
                            sigs,
                        },
                        present,
                        hash,
                        path: format!("{path}.states[{j}]"),
                    }
                })
                .collect();
            doc.by_id.insert(id, i);
            doc.channels.push(ChannelEntry {
                name,
                id,
                params,
                states,
                path,
            });
        }
        doc.check_tree()?;
        for (k, v) in d.virtual_channels.iter().enumerate() {
            let path = format!("$.virtualChannels[{k}]");
            let channel = doc.resolve(&v.channel).ok_or_else(|| {
                Error::input(
                    format!("{path}.channel"),
                    format!("{:?} names no channel of the document", v.channel),
                )
            })?;
            if v.parents.len() != 2 {
                return Err(Error::input(
                    format!("{path}.parents"),
                    format!("a virtual channel has two parents, not {}", v.parents.len()),
                ));
            }
            let mut parents = [0usize; 2];
            for (m, p) in v.parents.iter().enumerate() {
                parents[m] = doc.resolve(p).ok_or_else(|| {
                    Error::input(
                        format!("{path}.parents[{m}]"),
                        format!("{p:?} names no channel of the document"),
                    )
                })?;
                if parents[m] == channel {
                    return Err(Error::input(
                        format!("{path}.parents[{m}]"),
                        "a virtual channel cannot be its own parent",
                    ));
                }
            }
            if parents[0] == parents[1] {
                return Err(Error::input(
                    format!("{path}.parents[1]"),
                    "the two parents are the same channel",
                ));
            }
            if let Some(w) = doc.virtuals.iter().find(|w| w.channel == channel) {
                return Err(Error::input(
                    format!("{path}.channel"),
                    format!("the virtual channel is listed already at {}", w.path),
                ));
            }
            doc.virtuals.push(Virtual {
                channel,
                parents,
                path,
            });
        }
        for (k, w) in d.withdrawals.iter().enumerate() {
            doc.withdrawals.push(Withdrawal {
                holder: w.holder.map(|a| a.0),
                auth: (&w.auth).into(),
                signature: w.signature.0.clone(),
                path: format!("$.withdrawals[{k}]"),
            });
        }
        Ok(doc)
    }

    /// The channel a name or a `0x` channel ID refers to.
    pub fn resolve(&self, name_or_id: &str) -> Option<usize> {
        if let Some(i) = self.channels.iter().position(|c| c.name == name_or_id) {
            return Some(i);
        }
        let id: B256 = name_or_id.parse().ok()?;
        self.by_id.get(&id).copied()
    }

    /// The sub-channel graph must be a forest: no cycles, and a channel locked by two
    /// different parents must be a virtual channel (then it has exactly two).
    fn check_tree(&self) -> Result<()> {
        // parents[c]: the channels (and the field) that lock c.
        let mut parents: Vec<Vec<(usize, String)>> = vec![Vec::new(); self.channels.len()];
        for (i, c) in self.channels.iter().enumerate() {
            for h in &c.states {
                for (l, s) in h.state().outcome.locked.iter().enumerate() {
                    if let Some(&j) = self.by_id.get(&s.ID) {
                        let field = format!("{}.state.outcome.locked[{l}].ID", h.path);
                        if j == i {
                            return Err(Error::input(field, "a channel cannot lock itself"));
                        }
                        if !parents[j].iter().any(|(p, _)| *p == i) {
                            parents[j].push((i, field));
                        }
                    }
                }
            }
        }
        for (j, ps) in parents.iter().enumerate() {
            let limit = if self.channels[j].params.virtualChannel {
                2
            } else {
                1
            };
            if ps.len() > limit {
                let (p, field) = &ps[limit];
                return Err(Error::input(
                    field.clone(),
                    format!(
                        "sub-channel {} is locked by {} and {} too: only a virtual channel has \
                         two parents",
                        self.channels[j].name, self.channels[ps[0].0].name, self.channels[*p].name
                    ),
                ));
            }
        }
        // A cycle: walking up the parents from any channel returns to it.
        for start in 0..self.channels.len() {
            let mut stack = vec![(start, 0usize)];
            let mut seen = vec![false; self.channels.len()];
            while let Some((c, depth)) = stack.pop() {
                for (p, field) in &parents[c] {
                    if *p == start {
                        return Err(Error::input(field.clone(), "the sub-channels form a cycle"));
                    }
                    if !seen[*p] && depth < self.channels.len() {
                        seen[*p] = true;
                        stack.push((*p, depth + 1));
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{parse, ChannelDoc, SignedStateDoc};

    fn channel(nonce: u64, locks: &[B256], name: Option<&str>) -> (ChannelDoc, B256) {
        let params = Channel::Params {
            challengeDuration: U256::from(60),
            nonce: U256::from(nonce),
            participants: vec![],
            app: Address::ZERO,
            ledgerChannel: true,
            virtualChannel: false,
        };
        let id = hash::channel_id(&params);
        let state = Channel::State {
            channelID: id,
            version: 0,
            outcome: Channel::Allocation {
                assets: vec![],
                backends: vec![],
                balances: vec![],
                locked: locks
                    .iter()
                    .map(|l| Channel::SubAlloc {
                        ID: *l,
                        balances: vec![],
                        indexMap: vec![],
                    })
                    .collect(),
            },
            appData: Bytes::new(),
            isFinal: false,
        };
        let doc = ChannelDoc {
            name: name.map(str::to_owned),
            params: (&params).into(),
            states: vec![SignedStateDoc::new(&state, &[])],
        };
        (doc, id)
    }

    fn document(channels: Vec<ChannelDoc>) -> Document {
        let text = format!(
            "{{\"chainID\": \"1\", \"channels\": {}}}",
            serde_json::to_string(&channels).unwrap()
        );
        parse(&text).unwrap()
    }

    fn input_path(r: Result<Doc>) -> String {
        match r {
            Err(Error::Input { path, .. }) => path,
            other => panic!("expected an input error, got {other:?}"),
        }
    }

    #[test]
    fn a_cycle_of_sub_channels_is_bad_input() {
        let id1 = channel(1, &[], None).1;
        let (c0, id0) = channel(0, &[id1], None);
        let (c1, _) = channel(1, &[id0], None);
        let path = input_path(Doc::from_document(&document(vec![c0, c1])));
        assert!(path.ends_with(".state.outcome.locked[0].ID"), "{path}");
    }

    #[test]
    fn a_ledger_sub_channel_with_two_parents_is_bad_input() {
        let (sub, id) = channel(9, &[], None);
        let (a, _) = channel(1, &[id], None);
        let (b, _) = channel(2, &[id], None);
        let path = input_path(Doc::from_document(&document(vec![sub, a, b])));
        assert_eq!(path, "$.channels[2].states[0].state.outcome.locked[0].ID");
    }

    #[test]
    fn duplicate_names_and_params_are_bad_input() {
        let (a, _) = channel(1, &[], Some("x"));
        let (b, _) = channel(2, &[], Some("x"));
        assert_eq!(
            input_path(Doc::from_document(&document(vec![a.clone(), b]))),
            "$.channels[1].name"
        );
        assert_eq!(
            input_path(Doc::from_document(&document(vec![a.clone(), a]))),
            "$.channels[1].params"
        );
    }

    #[test]
    fn names_and_ids_resolve() {
        let (a, id) = channel(1, &[], Some("alice"));
        let doc = Doc::from_document(&document(vec![a])).unwrap();
        assert_eq!(doc.resolve("alice"), Some(0));
        assert_eq!(doc.resolve(&id.to_string()), Some(0));
        assert_eq!(doc.resolve("bob"), None);
    }
}

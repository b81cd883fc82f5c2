//! What an adversarial scenario is made of: its topology, who is corrupt, the off-chain updates,
//! and the adversary's actions, each an abstract kind with a seed of its own that picks targets
//! and values when the action runs (so removing one action leaves the others meaningful, which
//! is how a failure is shrunk).

use super::rng::Rng;
use super::topology::{extreme_durations, Shape, Topology, CD};
use crate::world::Addresses;
use alloy_primitives::U256;

/// What an adversary does in one action.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `Adjudicator.register` of a real ledger channel with any state it knows (mostly stale),
    /// its sub-channels with any states it knows.
    RegisterLedger,
    /// `Adjudicator.register` through a real ledger channel's registered state, re-registering
    /// one sub-channel or the virtual channel with another state (stale or forged).
    RefuteSub,
    /// The registry's direct path with a state of the virtual channel (stale or forged).
    RegistryRegister,
    /// A fake parent: a new ledger channel of adversaries locking a real channel with a
    /// sub-allocation of their choosing, registered with a state of the real channel.
    FakeParent,
    /// Force-execution signed by one adversary, in canonical layout.
    Progress,
    /// Force-execution signed by one adversary with the new state's outcome after its appData.
    ProgressOutcomeAfterAppData,
    /// A forged state of an all-adversary sub-channel or virtual channel with its outcome after
    /// its appData, registered through a real parent, the registry or a fake parent.
    RegisterOutcomeAfterAppData,
    /// `conclude` of a real ledger channel or a fake parent with the states the chain holds.
    Conclude,
    /// `conclude` with the outcome of every state registered with its outcome after its
    /// appData replaced.
    ConcludeSwapped,
    /// `concludeFinal` of an all-adversary channel.
    ConcludeFinal,
    /// The registry's direct `conclude` of the virtual channel.
    RegistryConclude,
    /// A withdrawal from a settled channel: any amount, to any receiver.
    Withdraw,
    /// An earlier withdrawal's calldata sent again.
    Replay,
    /// A deposit into a real channel: its own funding ID, the channel ID or another's.
    TopUp,
    /// An otherwise valid call with a non-canonical params, state or withdrawal authorization.
    Malformed,
    /// A campaign: every root above an all-adversary sub-channel or virtual channel registered
    /// with its real funding, then the channel inflated by 1 wei or one unit (everything to one
    /// adversary) through the registry or a fake parent, the inflation deposited into the
    /// recipient's parent, and every root concluded as early as possible.
    InflateAndSettle,
    /// Time passes.
    Advance,
}

impl Kind {
    /// Every kind, with its weight in random plans.
    pub const WEIGHTS: [(Kind, u64); 17] = [
        (Kind::RegisterLedger, 10),
        (Kind::RefuteSub, 9),
        (Kind::RegistryRegister, 8),
        (Kind::FakeParent, 11),
        (Kind::Progress, 5),
        (Kind::ProgressOutcomeAfterAppData, 4),
        (Kind::RegisterOutcomeAfterAppData, 5),
        (Kind::Conclude, 9),
        (Kind::ConcludeSwapped, 4),
        (Kind::ConcludeFinal, 2),
        (Kind::RegistryConclude, 4),
        (Kind::Withdraw, 5),
        (Kind::Replay, 3),
        (Kind::TopUp, 7),
        (Kind::Malformed, 5),
        (Kind::InflateAndSettle, 4),
        (Kind::Advance, 14),
    ];

    /// The kinds an adversary may insert right before an honest transaction (no force-execution:
    /// with the trivial app every move is valid, so endless moves would postpone any
    /// conclusion, a property of the app rather than of the contracts).
    pub fn front_runnable(self) -> bool {
        !matches!(
            self,
            Kind::Progress
                | Kind::ProgressOutcomeAfterAppData
                | Kind::Advance
                | Kind::InflateAndSettle
        )
    }
}

/// One adversary action: its kind and the seed of its choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Act {
    /// What it does.
    pub kind: Kind,
    /// The seed of its choices (targets, states, amounts).
    pub seed: u64,
}

/// One off-chain update: a channel and the seed of its new balances.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Update {
    /// Which channel (modulo the number of channels).
    pub node: u64,
    /// The seed of the redistribution.
    pub seed: u64,
}

/// A scenario.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The scenario's seed (0 for hand-made plans).
    pub seed: u64,
    /// The channels.
    pub topology: Topology,
    /// For each party, whether it is an adversary.
    pub corrupt: Vec<bool>,
    /// The off-chain updates, in order.
    pub updates: Vec<Update>,
    /// The adversary's actions, in order.
    pub acts: Vec<Act>,
    /// Actions the adversary inserts right before honest transactions, in order.
    pub front_runs: Vec<Act>,
    /// The seed of the decisions whether to front-run an honest transaction.
    pub front_seed: u64,
}

fn corruption(rng: &mut Rng, t: &Topology) -> Vec<bool> {
    let n = t.parties.len();
    let mut c = vec![false; n];
    match t.shape {
        Shape::Virtual { hops } => {
            let (a, b) = (0, n - 1);
            match rng.below(100) {
                // Both endpoints: the intermediaries are the only honest parties.
                0..45 => {
                    c[a] = true;
                    c[b] = true;
                }
                45..65 => c[if rng.chance(50) { a } else { b }] = true,
                65..85 => {
                    for x in &mut c {
                        *x = rng.chance(50);
                    }
                }
                _ => {
                    c = vec![true; n];
                    c[rng.index(n)] = false;
                }
            }
            // With several intermediaries, sometimes one of them colludes too.
            if hops > 1 && rng.chance(15) {
                c[1 + rng.index(hops)] = true;
            }
        }
        Shape::Ledger => {
            let subs: Vec<usize> = (0..t.nodes.len())
                .filter(|&k| k != t.roots[0] && t.nodes[k].members.len() < n)
                .collect();
            match rng.below(100) {
                0..40 if !subs.is_empty() => {
                    let s = subs[rng.index(subs.len())];
                    for &m in &t.nodes[s].members {
                        c[m] = true;
                    }
                }
                0..60 => c[rng.index(n)] = true,
                60..85 => {
                    for x in &mut c {
                        *x = rng.chance(50);
                    }
                }
                _ => {
                    c = vec![true; n];
                    c[rng.index(n)] = false;
                }
            }
        }
    }
    if !c.iter().any(|&x| x) {
        c[rng.index(n)] = true;
    }
    if c.iter().all(|&x| x) {
        c[rng.index(n)] = false;
    }
    c
}

fn act(rng: &mut Rng) -> Act {
    let weights: Vec<u64> = Kind::WEIGHTS.iter().map(|(_, w)| *w).collect();
    Act {
        kind: Kind::WEIGHTS[rng.weighted(&weights)].0,
        seed: rng.next_u64(),
    }
}

impl Plan {
    /// The plan of scenario seed `seed`.
    pub fn generate(seed: u64, at: &Addresses) -> Self {
        let mut rng = Rng::new(seed);
        let mut topology = Topology::generate(&mut rng, at);
        let corrupt = corruption(&mut rng, &topology);
        // Endpoints that are both adversaries propose the virtual channel's duration. Honest
        // intermediaries fund it only as the verifier accepts it (finding 3: at most each
        // parent's duration, compared in the 64 bits records keep); a refused proposal falls
        // back to the parents' duration.
        if let Some(v) = topology.virt {
            if topology.all_in(v, &corrupt) && rng.chance(40) {
                let d = extreme_durations();
                let cd = d[1 + rng.index(d.len() - 1)];
                let accepted = perun_channel::dispute::challenge_duration(cd) <= CD;
                topology.set_virtual_duration(if accepted { cd } else { U256::from(CD) });
            } else {
                topology.set_virtual_duration(U256::from(CD));
            }
        }
        let updates = (0..rng.range(0, 6))
            .map(|_| Update {
                node: rng.next_u64(),
                seed: rng.next_u64(),
            })
            .collect();
        let acts = (0..rng.range(3, 14)).map(|_| act(&mut rng)).collect();
        let front_runs = (0..rng.range(0, 3))
            .map(|_| loop {
                let a = act(&mut rng);
                if a.kind.front_runnable() {
                    break a;
                }
            })
            .collect();
        Plan {
            seed,
            topology,
            corrupt,
            updates,
            acts,
            front_runs,
            front_seed: rng.next_u64(),
        }
    }

    /// A hand-made plan: `corrupt` names the adversaries; no random actions.
    pub fn fixed(topology: Topology, corrupt: &[&str]) -> Self {
        let c = topology
            .parties
            .iter()
            .map(|p| corrupt.contains(&p.name.as_str()))
            .collect();
        Plan {
            seed: 0,
            topology,
            corrupt: c,
            updates: Vec::new(),
            acts: Vec::new(),
            front_runs: Vec::new(),
            front_seed: 0,
        }
    }

    /// The names of the adversaries.
    pub fn corrupt_names(&self) -> Vec<String> {
        self.topology
            .parties
            .iter()
            .zip(&self.corrupt)
            .filter(|(_, &c)| c)
            .map(|(p, _)| p.name.clone())
            .collect()
    }
}

//! The lifecycles: each story as the actions it stands for on the scenario's channels.

use super::{Ch, Compiler};
use crate::scenario::plan::{
    Action, Amount, AppKind, Change, Receiver, Signer, Story, Time, Version, Withdrawal,
};

impl Compiler<'_> {
    /// The actions of `story` on this scenario's channels; the first withdrawal of the first
    /// ledger channel pays `payee`.
    pub(super) fn story(&self, story: Story, payee: Receiver) -> Vec<Action> {
        let mut out = Vec::new();
        let withdraw_all =
            |out: &mut Vec<Action>, ledgers: &[usize], chans: &[Ch], assets: usize| {
                for (li, &l) in ledgers.iter().enumerate() {
                    for a in 0..assets {
                        for i in 0..chans[l].chan.len() {
                            let first = li == 0 && a == 0 && i == 0;
                            out.push(Action::Withdraw(Withdrawal {
                                ledger: li as u8,
                                who: i as u8,
                                asset: a as u8,
                                amount: Amount::Outcome,
                                signer: Signer::Own,
                                receiver: if first { payee } else { Receiver::Own },
                            }));
                        }
                    }
                }
            };
        let register = |ledger: u8| Action::Register {
            ledger,
            version: Version::Next,
            fin: false,
        };
        let conclude = |ledger: u8| Action::Conclude {
            ledger,
            state: Version::Same,
        };
        let virt = self.virt.is_some();
        match story {
            Story::Happy { version, merged } => {
                out.push(Action::ConcludeFinal {
                    ledger: 0,
                    version: Version::Jump(version),
                    merged,
                    fin: true,
                });
                if virt {
                    out.push(Action::ConcludeFinal {
                        ledger: 1,
                        version: Version::Jump(version),
                        merged,
                        fin: true,
                    });
                }
            }
            Story::Dispute { refutes, wait } => {
                out.push(register(0));
                for _ in 0..refutes % 4 {
                    out.push(register(0));
                }
                out.push(Action::Advance(wait));
                out.push(conclude(0));
            }
            Story::ForceExec {
                target,
                fin,
                moves,
                last,
            } => {
                out.push(Action::Register {
                    ledger: 0,
                    version: Version::Next,
                    fin,
                });
                out.push(Action::Advance(Time::PastChallenge));
                // From a final state, the ledger channel itself is moved.
                let target = if fin { 0 } else { self.story_target(target) };
                let moves = moves % 4 + 1;
                for m in 0..moves {
                    let change = if m + 1 == moves { last } else { Change::Valid };
                    out.push(Action::Progress { target, change });
                }
                out.push(Action::Advance(Time::TwoChallenges));
                out.push(conclude(0));
            }
            Story::SubRefute { sub } => {
                out.push(register(0));
                out.push(Action::RefuteSub {
                    ledger: 0,
                    sub,
                    version: Version::Next,
                });
                out.push(Action::Advance(Time::TwoChallenges));
                out.push(conclude(0));
            }
            Story::VirtualV1 { refute, first } => {
                let (x, y) = (first % 2, 1 - first % 2);
                out.push(register(x));
                out.push(register(y));
                if refute {
                    out.push(Action::RefuteSub {
                        ledger: y,
                        sub: 0,
                        version: Version::Next,
                    });
                }
                out.push(Action::Advance(Time::PastChallenge));
                out.push(conclude(x));
                out.push(conclude(y));
            }
            Story::VirtualDirect {
                refute,
                final_parent,
            } => {
                let reg = Action::RegistryRegister {
                    version: Version::Next,
                    fin: false,
                };
                out.push(reg.clone());
                if refute {
                    out.push(reg);
                }
                out.push(Action::Advance(Time::PastChallenge));
                out.push(Action::RegistryConclude);
                out.push(register(0));
                if final_parent {
                    out.push(Action::ConcludeFinal {
                        ledger: 1,
                        version: Version::Next,
                        merged: true,
                        fin: true,
                    });
                } else {
                    out.push(register(1));
                }
                out.push(Action::Advance(Time::PastChallenge));
                out.push(conclude(0));
                if !final_parent {
                    out.push(conclude(1));
                }
            }
            Story::Chaos => {}
        }
        if story != Story::Chaos {
            withdraw_all(&mut out, &self.ledgers, &self.chans, self.kinds.len());
        }
        out
    }

    /// The channel a force-execution story moves: `target` if it has an app, else the first
    /// channel that has one (else `target`, which `progress` refuses with `NoApp`).
    pub(super) fn story_target(&self, target: u8) -> u8 {
        let has_app = |t: u8| self.chans[self.progress_target(t)].app != AppKind::None;
        if has_app(target) {
            return target;
        }
        let subs = self
            .descendants(self.ledgers[0])
            .len()
            .min(usize::from(u8::MAX));
        (0..=subs as u8).find(|&t| has_app(t)).unwrap_or(target)
    }
}

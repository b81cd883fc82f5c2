//! Calls that are wrong in themselves: garbage calldata, functions only the Adjudicator may
//! call, pure views with and without value, registrations of the wrong channel kind, and
//! deposits beyond what a holdings entry holds.

use super::{units, with_selector, Compiler, OUTSIDER};
use crate::abi;
use crate::build::{address, CHALLENGE};
use crate::ops::Call;
use crate::scenario::flaw::garbage;
use crate::scenario::plan::{Flaw, Junk};
use alloy_primitives::{B256, U256};
use alloy_sol_types::SolValue;

impl Compiler<'_> {
    pub(super) fn junk(&mut self, j: Junk, flaw: Option<&Flaw>) {
        let at = self.at;
        let from = address(OUTSIDER);
        let l = self.ledgers[0];
        match j {
            Junk::Garbage { to, len, seed } => {
                let targets = [
                    at.adjudicator,
                    at.registry,
                    at.eth_holder,
                    at.erc20_holder,
                    at.trivial_app,
                    at.counter_app,
                ];
                let target = targets[usize::from(to) % targets.len()];
                let data = garbage(seed, usize::from(len) % 100);
                let label = format!("garbage to {target} ({} bytes)", data.len());
                self.push_call(
                    "junk",
                    Call {
                        label,
                        from,
                        to: target,
                        data,
                        value: U256::ZERO,
                    },
                    0,
                    flaw,
                );
            }
            Junk::OnlyAdjudicator { which } => {
                let chan = self.chans[l].chan.clone();
                let bals: Vec<U256> = (0..chan.len()).map(|i| units(i as u64 + 1)).collect();
                let (target, data, name, head) = match which % 5 {
                    0 => (
                        at.eth_holder,
                        abi::set_outcome(chan.id, &chan.params.participants, &bals),
                        "setOutcome ETH",
                        3,
                    ),
                    1 => (
                        at.erc20_holder,
                        abi::set_outcome(chan.id, &chan.params.participants, &bals),
                        "setOutcome ERC20",
                        3,
                    ),
                    2 => (
                        at.registry,
                        with_selector(
                            "VirtualChannelRegistry",
                            "registerVirtual",
                            (
                                chan.id,
                                1u64,
                                B256::repeat_byte(1),
                                U256::from(CHALLENGE),
                                false,
                            )
                                .abi_encode_params(),
                        ),
                        "registerVirtual",
                        5,
                    ),
                    3 => (
                        at.registry,
                        with_selector(
                            "VirtualChannelRegistry",
                            "concludeVirtual",
                            (chan.id, B256::repeat_byte(1), true).abi_encode_params(),
                        ),
                        "concludeVirtual",
                        3,
                    ),
                    _ => (
                        at.registry,
                        with_selector(
                            "VirtualChannelRegistry",
                            "concludeFinalVirtual",
                            (chan.id, 1u64, B256::repeat_byte(1), U256::from(CHALLENGE))
                                .abi_encode_params(),
                        ),
                        "concludeFinalVirtual",
                        4,
                    ),
                };
                let label = format!("{name} by an outsider");
                self.push_call(
                    "only adjudicator",
                    Call {
                        label,
                        from,
                        to: target,
                        data,
                        value: U256::ZERO,
                    },
                    head,
                    flaw,
                );
            }
            Junk::Views { value } => {
                let v = if value { U256::from(1) } else { U256::ZERO };
                let params = self.chans[l].chan.params.clone();
                let state = self.current(l);
                self.push_call(
                    "views",
                    Call {
                        label: "channelID".into(),
                        from,
                        to: at.adjudicator,
                        data: abi::channel_id(&params),
                        value: v,
                    },
                    1,
                    flaw,
                );
                self.push_call(
                    "views",
                    Call {
                        label: "hashState".into(),
                        from,
                        to: at.adjudicator,
                        data: abi::hash_state(&state),
                        value: v,
                    },
                    1,
                    None,
                );
                self.push_call(
                    "views",
                    Call {
                        label: "disputes".into(),
                        from,
                        to: at.registry,
                        data: abi::disputes(self.chans[l].chan.id),
                        value: v,
                    },
                    1,
                    None,
                );
            }
            Junk::WrongKind { registry } => {
                if registry {
                    let state = self.current(l);
                    let signed = self.chans[l].chan.signed(&state);
                    let label = format!("registry register of ledger {}", self.chans[l].name);
                    self.push_call(
                        "wrong kind",
                        Call {
                            label,
                            from,
                            to: at.registry,
                            data: abi::registry_register(&signed),
                            value: U256::ZERO,
                        },
                        1,
                        flaw,
                    );
                } else {
                    let c = self
                        .virt
                        .or_else(|| self.chans[l].subs.first().map(|s| s.0));
                    let Some(c) = c else {
                        return;
                    };
                    let state = self.current(c);
                    let signed = self.chans[c].chan.signed(&state);
                    let label = format!("register of non-ledger {}", self.chans[c].name);
                    self.push_call(
                        "wrong kind",
                        Call {
                            label,
                            from,
                            to: at.adjudicator,
                            data: abi::register(&signed, &[]),
                            value: U256::ZERO,
                        },
                        2,
                        flaw,
                    );
                }
            }
            Junk::HugeDeposit { exact } => {
                let half = U256::from(1) << 255;
                let amount = if exact { half - U256::from(1) } else { half };
                let fid = self.chans[l].chan.funding_id(0);
                self.push(
                    "mint",
                    "mint 2^255 tokens".into(),
                    from,
                    at.token,
                    abi::mint(from, half),
                    U256::ZERO,
                );
                self.push(
                    "approve",
                    format!("approve {amount}"),
                    from,
                    at.token,
                    abi::approve(at.erc20_holder, amount),
                    U256::ZERO,
                );
                let label = format!("deposit ERC20 L 0 {amount}");
                self.push_call(
                    "deposit ERC20",
                    Call {
                        label,
                        from,
                        to: at.erc20_holder,
                        data: abi::deposit(fid, amount),
                        value: U256::ZERO,
                    },
                    2,
                    flaw,
                );
            }
        }
    }
}

//! Test scenarios: keys, channels, a virtual channel through an intermediary, an app channel,
//! and their documents, built from deterministic keys so signatures are reproducible.
#![allow(dead_code, missing_docs)]

use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::hash;
use perun_channel::native::Signer;
use perun_channel::sol::{Channel, WithdrawalAuth};
use perun_randomizer::test_signer;
use perun_verifier::schema::{
    Addr, ChannelDoc, Contracts, Document, Hex, SignedStateDoc, Uint, VirtualDoc, WithdrawalDoc,
};
use std::path::PathBuf;

pub const CHAIN: u64 = 42161;
pub const CHALLENGE: u64 = 60;

pub fn adjudicator() -> Address {
    Address::repeat_byte(0xad)
}
pub fn registry() -> Address {
    Address::repeat_byte(0x7e)
}
pub fn eth_holder() -> Address {
    Address::repeat_byte(0xee)
}

pub fn alice() -> Signer {
    test_signer(0)
}
pub fn ingrid() -> Signer {
    test_signer(1)
}
pub fn bob() -> Signer {
    test_signer(2)
}

pub fn params(
    parts: &[&Signer],
    nonce: u64,
    app: Address,
    ledger: bool,
    virt: bool,
) -> Channel::Params {
    Channel::Params {
        challengeDuration: U256::from(CHALLENGE),
        nonce: U256::from(nonce),
        participants: parts
            .iter()
            .map(|s| Channel::Participant {
                ethAddress: s.address(),
                ccAddress: Bytes::new(),
            })
            .collect(),
        app,
        ledgerChannel: ledger,
        virtualChannel: virt,
    }
}

pub fn eth() -> Channel::Asset {
    Channel::Asset {
        chainID: U256::from(CHAIN),
        ethHolder: eth_holder(),
        ccHolder: Bytes::new(),
    }
}

pub fn u(v: &[u64]) -> Vec<U256> {
    v.iter().map(|&x| U256::from(x)).collect()
}

pub fn state(
    params: &Channel::Params,
    version: u64,
    balances: &[u64],
    locked: Vec<Channel::SubAlloc>,
    is_final: bool,
) -> Channel::State {
    Channel::State {
        channelID: hash::channel_id(params),
        version,
        outcome: Channel::Allocation {
            assets: vec![eth()],
            backends: vec![U256::ZERO],
            balances: vec![u(balances)],
            locked,
        },
        appData: Bytes::new(),
        isFinal: is_final,
    }
}

pub fn sign(state: &Channel::State, signers: &[&Signer]) -> Vec<Option<Bytes>> {
    let digest = hash::eth_signed_digest(hash::hash_state(state));
    signers
        .iter()
        .map(|s| Some(s.sign_digest(&digest).to_bytes().to_vec().into()))
        .collect()
}

pub fn sub_alloc(id: B256, total: u64, index_map: &[u16]) -> Channel::SubAlloc {
    Channel::SubAlloc {
        ID: id,
        balances: u(&[total]),
        indexMap: index_map.to_vec(),
    }
}

pub fn channel_doc(
    name: &str,
    params: &Channel::Params,
    states: &[(Channel::State, Vec<Option<Bytes>>)],
) -> ChannelDoc {
    ChannelDoc {
        name: Some(name.to_owned()),
        params: params.into(),
        states: states
            .iter()
            .map(|(s, sigs)| SignedStateDoc::new(s, sigs))
            .collect(),
    }
}

pub fn withdrawal(channel: B256, who: &Signer, receiver: Address, amount: u64) -> WithdrawalDoc {
    let auth = WithdrawalAuth {
        channelID: channel,
        participant: Channel::Participant {
            ethAddress: who.address(),
            ccAddress: Bytes::new(),
        },
        receiver,
        amount: U256::from(amount),
    };
    let sig = who.sign_withdrawal(&auth);
    WithdrawalDoc {
        holder: Some(Addr(eth_holder())),
        auth: (&auth).into(),
        signature: Hex(sig.to_bytes().to_vec().into()),
    }
}

/// The three channels of the example: Alice–Ingrid and Ingrid–Bob ledger channels funding a
/// virtual Alice–Bob channel, each parent locking its total (6).
pub struct Virtual {
    pub ai: Channel::Params,
    pub ib: Channel::Params,
    pub ab: Channel::Params,
    pub ai_states: Vec<(Channel::State, Vec<Option<Bytes>>)>,
    pub ib_states: Vec<(Channel::State, Vec<Option<Bytes>>)>,
    pub ab_states: Vec<(Channel::State, Vec<Option<Bytes>>)>,
}

pub fn virtual_scenario() -> Virtual {
    let (a, i, b) = (alice(), ingrid(), bob());
    let ai = params(&[&a, &i], 1, Address::ZERO, true, false);
    let ib = params(&[&i, &b], 2, Address::ZERO, true, false);
    let ab = params(&[&a, &b], 3, Address::ZERO, false, true);
    let v = hash::channel_id(&ab);
    let signed = |s: Channel::State, by: &[&Signer]| {
        let sigs = sign(&s, by);
        (s, sigs)
    };
    let ai_states = vec![
        signed(state(&ai, 0, &[10, 10], vec![], false), &[&a, &i]),
        signed(
            state(&ai, 1, &[7, 7], vec![sub_alloc(v, 6, &[0, 1])], false),
            &[&a, &i],
        ),
    ];
    let ib_states = vec![
        signed(state(&ib, 0, &[10, 10], vec![], false), &[&i, &b]),
        signed(
            state(&ib, 1, &[7, 7], vec![sub_alloc(v, 6, &[0, 1])], false),
            &[&i, &b],
        ),
    ];
    let ab_states = vec![
        signed(state(&ab, 0, &[3, 3], vec![], false), &[&a, &b]),
        signed(state(&ab, 1, &[1, 5], vec![], false), &[&a, &b]),
    ];
    Virtual {
        ai,
        ib,
        ab,
        ai_states,
        ib_states,
        ab_states,
    }
}

pub fn document(channels: Vec<ChannelDoc>) -> Document {
    Document {
        chain_id: Uint(U256::from(CHAIN)),
        contracts: Some(Contracts {
            adjudicator: Some(Addr(adjudicator())),
            registry: Some(Addr(registry())),
        }),
        channels,
        virtual_channels: Vec::new(),
        withdrawals: Vec::new(),
    }
}

/// The example document (verifier/examples/channel.json).
pub fn example() -> Document {
    let s = virtual_scenario();
    let mut d = document(vec![
        channel_doc("alice-ingrid", &s.ai, &s.ai_states),
        channel_doc("ingrid-bob", &s.ib, &s.ib_states),
        channel_doc("alice-bob", &s.ab, &s.ab_states),
    ]);
    d.virtual_channels.push(VirtualDoc {
        channel: "alice-bob".into(),
        parents: vec!["alice-ingrid".into(), "ingrid-bob".into()],
    });
    // Alice withdraws what the conclusion gives her: 7 + 1.
    d.withdrawals.push(withdrawal(
        hash::channel_id(&s.ai),
        &alice(),
        alice().address(),
        8,
    ));
    d
}

pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap() + "\n"
}

pub fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A scratch file under the target directory.
pub fn scratch(name: &str, content: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("perun-verify-tests");
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, content).unwrap();
    p
}

/// Compares a committed fixture with what the test builds; `PERUN_REGENERATE=1` rewrites it.
pub fn committed(rel: &str, content: &str) {
    let p = manifest().join(rel);
    if std::env::var_os("PERUN_REGENERATE").is_some() {
        std::fs::write(&p, content).unwrap();
    }
    let on_disk = std::fs::read_to_string(&p).unwrap_or_default();
    assert!(
        on_disk == content,
        "{rel} is not what the tests build: rerun with PERUN_REGENERATE=1"
    );
}

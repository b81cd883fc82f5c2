//! Each Stylus program's ABI table against its Solidity mirror's forge artifact (functions,
//! mutability, return types, events, errors), and each committed `abi.sol` against the interface
//! the table prints.

use alloy_json_abi::{Event, StateMutability};
use perun_abi_parity::{Program, PROGRAMS};
use perun_stylus::abi::{selector, Mutability};
use std::collections::{BTreeMap, BTreeSet};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn program(name: &str) -> &'static Program {
    PROGRAMS
        .iter()
        .find(|p| p.name == name)
        .expect("a program of the table")
}

/// Items (by selector) on one side only, each with a description.
fn difference(a: &BTreeMap<Vec<u8>, String>, b: &BTreeMap<Vec<u8>, String>) -> Vec<String> {
    a.iter()
        .filter(|(k, _)| !b.contains_key(*k))
        .map(|(k, v)| format!("{v} (0x{})", hex(k)))
        .collect()
}

/// The function selectors of the program and of the artifact are the same set.
fn functions_match(name: &str) {
    let p = program(name);
    let abi = p.artifact().abi;
    let ours: BTreeMap<Vec<u8>, String> = p
        .functions
        .iter()
        .map(|f| (f.selector().to_be_bytes().to_vec(), f.signature.to_string()))
        .collect();
    assert_eq!(ours.len(), p.functions.len(), "{name}: a selector repeats");
    let theirs: BTreeMap<Vec<u8>, String> = abi
        .functions()
        .map(|f| (f.selector().to_vec(), f.signature()))
        .collect();
    let (only_ours, only_theirs) = (difference(&ours, &theirs), difference(&theirs, &ours));
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "{name}: functions only in the Rust table: {only_ours:#?}; only in the Solidity \
         mirror's ABI: {only_theirs:#?}"
    );
}

/// Each function's mutability and return types are the mirror's.
fn mutability_and_outputs_match(name: &str) {
    let p = program(name);
    let abi = p.artifact().abi;
    for f in p.functions {
        let theirs = abi
            .functions()
            .find(|g| g.selector().0 == f.selector().to_be_bytes())
            .unwrap_or_else(|| panic!("{name}: {} is not in the mirror's ABI", f.signature));
        let expected = match theirs.state_mutability {
            StateMutability::Pure => Mutability::Pure,
            StateMutability::View => Mutability::View,
            StateMutability::NonPayable => Mutability::NonPayable,
            StateMutability::Payable => Mutability::Payable,
        };
        assert_eq!(
            f.mutability, expected,
            "{name}: the mutability of {}",
            f.signature
        );
        let our_outputs: Vec<&str> = f
            .returns
            .split(',')
            .filter_map(|r| r.split_whitespace().next())
            .collect();
        let their_outputs: Vec<&str> = theirs.outputs.iter().map(|o| o.ty.as_str()).collect();
        assert_eq!(
            our_outputs, their_outputs,
            "{name}: the return types of {}",
            f.signature
        );
    }
}

/// The events (by topic 0) are the mirror's, with the same parameter names and indexing; an
/// event only in the Rust table must be one the mirror emits from assembly.
fn events_match(name: &str) {
    let p = program(name);
    let artifact = p.artifact();
    let ours: BTreeMap<Vec<u8>, Event> = p
        .events
        .iter()
        .map(|e| {
            let ev = Event::parse(e).unwrap_or_else(|err| panic!("{name}: event {e}: {err}"));
            (ev.selector().to_vec(), ev)
        })
        .collect();
    let theirs: BTreeMap<Vec<u8>, Event> = artifact
        .abi
        .events()
        .map(|e| (e.selector().to_vec(), e.clone()))
        .collect();
    for (sel, e) in &theirs {
        let ours = ours.get(sel).unwrap_or_else(|| {
            panic!(
                "{name}: the mirror emits {}, which the Rust table lacks",
                e.full_signature()
            )
        });
        assert_eq!(
            ours.full_signature(),
            e.full_signature(),
            "{name}: event parameters"
        );
    }
    for (sel, e) in &ours {
        if !theirs.contains_key(sel) {
            assert!(
                artifact.raised_in_assembly(&e.name, sel),
                "{name}: the Rust table has event {}, which the mirror neither declares nor \
                 emits",
                e.full_signature()
            );
        }
    }
}

/// The custom errors (by selector) are the mirror's; an error only in the Rust table must be
/// one the mirror raises from assembly.
fn errors_match(name: &str) {
    let p = program(name);
    let artifact = p.artifact();
    let ours: BTreeMap<Vec<u8>, String> = p
        .errors
        .iter()
        .map(|e| {
            let sig = format!("{e}()");
            (selector(&sig).to_be_bytes().to_vec(), sig)
        })
        .collect();
    assert_eq!(ours.len(), p.errors.len(), "{name}: an error repeats");
    let theirs: BTreeMap<Vec<u8>, String> = artifact
        .abi
        .errors()
        .map(|e| (e.selector().to_vec(), e.signature()))
        .collect();
    let only_theirs = difference(&theirs, &ours);
    assert!(
        only_theirs.is_empty(),
        "{name}: the mirror's ABI has errors the Rust table lacks: {only_theirs:#?}"
    );
    let unexplained: Vec<String> = p
        .errors
        .iter()
        .filter(|e| {
            let sel = selector(&format!("{e}()")).to_be_bytes();
            !theirs.contains_key(sel.as_slice()) && !artifact.raised_in_assembly(e, &sel)
        })
        .map(|e| format!("{e}()"))
        .collect();
    assert!(
        unexplained.is_empty(),
        "{name}: the Rust table has errors the mirror neither declares in its ABI nor raises \
         from assembly: {unexplained:#?}"
    );
}

macro_rules! parity_tests {
    ($($module:ident: $name:literal),* $(,)?) => {$(
        mod $module {
            #[test]
            fn function_selectors_are_the_mirrors() {
                super::functions_match($name);
            }

            #[test]
            fn mutability_and_return_types_are_the_mirrors() {
                super::mutability_and_outputs_match($name);
            }

            #[test]
            fn events_are_the_mirrors() {
                super::events_match($name);
            }

            #[test]
            fn errors_are_the_mirrors() {
                super::errors_match($name);
            }
        }
    )*};
}

parity_tests! {
    adjudicator: "Adjudicator",
    registry: "VirtualChannelRegistry",
    asset_holder_eth: "AssetHolderETH",
    asset_holder_erc20: "AssetHolderERC20",
    trivial_app: "TrivialApp",
}

#[test]
fn every_program_is_checked() {
    let names: BTreeSet<&str> = PROGRAMS.iter().map(|p| p.name).collect();
    assert_eq!(
        names,
        BTreeSet::from([
            "Adjudicator",
            "VirtualChannelRegistry",
            "AssetHolderETH",
            "AssetHolderERC20",
            "TrivialApp",
        ])
    );
}

/// The items each program declares that its mirror's ABI lacks, because the mirror raises or
/// emits them only from inline assembly (`Sig.sol`, `Calldata.sol`, `AssetHolder.sol`,
/// `Disputes.sol`), with the signature of each.
fn declared_but_not_in_the_mirrors_abi(p: &Program) -> Vec<String> {
    let abi = p.artifact().abi;
    let errors: BTreeSet<[u8; 4]> = abi.errors().map(|e| e.selector().0).collect();
    let events: BTreeSet<[u8; 32]> = abi.events().map(|e| e.selector().0).collect();
    let mut missing: Vec<String> = p
        .events
        .iter()
        .map(|e| Event::parse(e).expect("a valid event"))
        .filter(|e| !events.contains(&e.selector().0))
        .map(|e| format!("event {}", e.signature()))
        .collect();
    missing.extend(
        p.errors
            .iter()
            .filter(|e| !errors.contains(&selector(&format!("{e}()")).to_be_bytes()))
            .map(|e| format!("error {e}()")),
    );
    missing
}

#[test]
fn the_mirrors_abis_lack_only_what_they_raise_from_assembly() {
    // solc leaves these out of the ABI; the programs declare them so that clients decode every
    // revert and log. If a mirror starts declaring one, remove it here.
    let signatures = [
        "error InvalidSignature()",
        "error InvalidSignatureS()",
        "error InvalidSignatureV()",
        "error MalformedCalldata()",
    ];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        v.extend(signatures.iter().map(|s| s.to_string()));
        v.sort();
        v
    };
    let expected: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        ("Adjudicator", with(&[])),
        (
            "VirtualChannelRegistry",
            with(&["event ChannelUpdate(bytes32,uint64,uint8,uint64)"]),
        ),
        ("AssetHolderETH", with(&["error AlreadySettled()"])),
        ("AssetHolderERC20", with(&["error AlreadySettled()"])),
        ("TrivialApp", Vec::new()),
    ]);
    for p in PROGRAMS {
        let mut missing = declared_but_not_in_the_mirrors_abi(p);
        missing.sort();
        assert_eq!(&missing, &expected[p.name], "{}", p.name);
    }
}

#[test]
#[should_panic(expected = "run `script/forge build`")]
fn a_missing_artifact_says_to_build_the_mirrors() {
    let p = Program {
        sol_file: "NoSuchFile.sol",
        ..*program("TrivialApp")
    };
    let _ = p.artifact();
}

#[test]
fn committed_abi_sol_files_are_what_export_abi_prints() {
    let mut stale = Vec::new();
    for p in PROGRAMS {
        let path = p.abi_sol_path();
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        let expected = p.export_abi();
        if committed != expected {
            let first = committed
                .lines()
                .zip(expected.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(expected.lines().count()));
            stale.push(format!(
                "{} differs from the interface at line {} (regenerate: cargo run -q -p {} \
                 --features export-abi > {}/abi.sol)",
                path.display(),
                first + 1,
                p.package,
                p.dir
            ));
        }
    }
    assert!(
        stale.is_empty(),
        "stale abi.sol files:\n{}",
        stale.join("\n")
    );
}

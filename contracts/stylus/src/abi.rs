//! The ABI of a program as data: the router dispatches on selectors computed from these
//! signatures, `export-abi` prints them as a Solidity interface, and the parity tests compare
//! them with the Solidity mirror's forge artifacts.

use core::fmt;

/// The canonical ABI types of the Perun structs, for function signatures.
#[macro_export]
macro_rules! abi_type {
    (Participant) => {
        "(address,bytes)"
    };
    (Params) => {
        "(uint256,uint256,(address,bytes)[],address,bool,bool)"
    };
    (Allocation) => {
        "((uint256,address,bytes)[],uint256[],uint256[][],(bytes32,uint256[],uint16[])[])"
    };
    (State) => {
        concat!(
            "(bytes32,uint64,",
            $crate::abi_type!(Allocation),
            ",bytes,bool)"
        )
    };
    (SignedState) => {
        concat!(
            "(",
            $crate::abi_type!(Params),
            ",",
            $crate::abi_type!(State),
            ",bytes[])"
        )
    };
    (WithdrawalAuth) => {
        "(bytes32,(address,bytes),address,uint256)"
    };
}

/// A function's state mutability, as Solidity declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutability {
    /// `pure`.
    Pure,
    /// `view`.
    View,
    /// Neither: writes state, takes no value.
    NonPayable,
    /// `payable`.
    Payable,
}

/// One function of a program's interface.
#[derive(Clone, Copy, Debug)]
pub struct Function {
    /// The canonical signature, `name(type,...)`, from which the selector is computed.
    pub signature: &'static str,
    /// The Solidity declaration after `function `, with parameter names and struct type names.
    pub declaration: &'static str,
    /// Its mutability.
    pub mutability: Mutability,
    /// What it returns, as Solidity declares it after `returns` (empty for nothing).
    pub returns: &'static str,
}

impl Function {
    /// The 4-byte selector.
    pub const fn selector(&self) -> u32 {
        selector(self.signature)
    }
}

/// `keccak256(signature)[..4]` as a big-endian integer, at compile time.
pub const fn selector(signature: &str) -> u32 {
    let h = stylus_sdk::keccak_const::Keccak256::new()
        .update(signature.as_bytes())
        .finalize();
    u32::from_be_bytes([h[0], h[1], h[2], h[3]])
}

/// The Perun struct definitions, as `export-abi` prints them into an interface.
pub const STRUCTS: &str = "    struct Participant { address ethAddress; bytes ccAddress; }
    struct Params { uint256 challengeDuration; uint256 nonce; Participant[] participants; address app; bool ledgerChannel; bool virtualChannel; }
    struct Asset { uint256 chainID; address ethHolder; bytes ccHolder; }
    struct SubAlloc { bytes32 ID; uint256[] balances; uint16[] indexMap; }
    struct Allocation { Asset[] assets; uint256[] backends; uint256[][] balances; SubAlloc[] locked; }
    struct State { bytes32 channelID; uint64 version; Allocation outcome; bytes appData; bool isFinal; }
    struct SignedState { Params params; State state; bytes[] sigs; }
    struct WithdrawalAuth { bytes32 channelID; Participant participant; address receiver; uint256 amount; }
";

/// Writes a program's interface as Solidity: the structs it uses, its events, errors and
/// functions.
///
/// # Errors
/// The formatter's.
pub fn write_interface(
    f: &mut fmt::Formatter<'_>,
    name: &str,
    structs: bool,
    events: &[&str],
    errors: &[&str],
    functions: &[Function],
) -> fmt::Result {
    writeln!(f, "interface I{name} {{")?;
    if structs {
        f.write_str(STRUCTS)?;
        writeln!(f)?;
    }
    for e in events {
        writeln!(f, "    event {e};")?;
    }
    if !events.is_empty() {
        writeln!(f)?;
    }
    for e in errors {
        writeln!(f, "    error {e}();")?;
    }
    if !errors.is_empty() {
        writeln!(f)?;
    }
    for func in functions {
        let m = match func.mutability {
            Mutability::Pure => " pure",
            Mutability::View => " view",
            Mutability::NonPayable => "",
            Mutability::Payable => " payable",
        };
        let returns = if func.returns.is_empty() {
            alloc::string::String::new()
        } else {
            alloc::format!(" returns ({})", func.returns)
        };
        writeln!(f, "    function {} external{m}{returns};", func.declaration)?;
    }
    writeln!(f, "}}")
}

//! Forge's build output: the creation code and the function selectors of each Solidity contract,
//! read from `out/<Name>.sol/<Name>.json` (`script/forge build` writes them).

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

/// Why an artifact could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArtifactError {
    /// The file is missing or unreadable.
    Missing(String),
    /// The file is not a forge artifact (no creation code or selectors).
    Malformed(String),
    /// No function, or more than one, has the name.
    Function {
        /// The contract.
        contract: String,
        /// The name looked up.
        name: String,
    },
}

impl fmt::Display for ArtifactError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArtifactError::Missing(e) => write!(f, "{e} (run `script/forge build` first)"),
            ArtifactError::Malformed(e) => write!(f, "not a forge artifact: {e}"),
            ArtifactError::Function { contract, name } => {
                write!(f, "{contract} has no single function named {name}")
            }
        }
    }
}

impl std::error::Error for ArtifactError {}

/// One compiled contract.
#[derive(Debug, Clone)]
pub struct Artifact {
    /// The contract's name.
    pub name: String,
    /// Its creation code (constructor arguments go after it).
    pub creation: Vec<u8>,
    /// Its runtime code.
    pub runtime: Vec<u8>,
    /// Selectors by full signature, e.g. `disputes(bytes32)`.
    pub selectors: BTreeMap<String, [u8; 4]>,
}

impl Artifact {
    /// The selector of the one function called `name`.
    ///
    /// # Errors
    /// [`ArtifactError::Function`] if no function or several have that name.
    pub fn selector(&self, name: &str) -> Result<[u8; 4], ArtifactError> {
        let prefix = format!("{name}(");
        let mut found = self
            .selectors
            .iter()
            .filter(|(sig, _)| sig.starts_with(&prefix));
        match (found.next(), found.next()) {
            (Some((_, s)), None) => Ok(*s),
            _ => Err(ArtifactError::Function {
                contract: self.name.clone(),
                name: name.into(),
            }),
        }
    }
}

/// Forge's output directory: `$FOUNDRY_OUT`, or `out/` at the workspace root.
pub fn out_dir() -> PathBuf {
    std::env::var_os("FOUNDRY_OUT").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../out"),
        PathBuf::from,
    )
}

fn hex_bytes(v: &serde_json::Value, what: &str) -> Result<Vec<u8>, ArtifactError> {
    let s = v
        .get("object")
        .and_then(|o| o.as_str())
        .ok_or_else(|| ArtifactError::Malformed(format!("{what}.object")))?;
    alloy_primitives::hex::decode(s).map_err(|e| ArtifactError::Malformed(format!("{what}: {e}")))
}

/// Loads the artifact of contract `name`, declared in `<name>.sol` (cached).
///
/// # Errors
/// [`ArtifactError::Missing`] or [`ArtifactError::Malformed`].
pub fn load(name: &str) -> Result<Arc<Artifact>, ArtifactError> {
    load_in(&format!("{name}.sol"), name)
}

/// Loads the artifact of contract `name` declared in the source file `file` (its file name,
/// such as `AssetHolderETH.t.sol`; cached).
///
/// # Errors
/// [`ArtifactError::Missing`] or [`ArtifactError::Malformed`].
pub fn load_in(file: &str, name: &str) -> Result<Arc<Artifact>, ArtifactError> {
    type Cache = Mutex<BTreeMap<String, Arc<Artifact>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    // A poisoned cache only means another test panicked while holding it; the map is intact.
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    let key = format!("{file}/{name}");
    if let Some(a) = cache.get(&key) {
        return Ok(a.clone());
    }
    let path = out_dir().join(format!("{file}/{name}.json"));
    let text = std::fs::read_to_string(&path)
        .map_err(|e| ArtifactError::Missing(format!("{}: {e}", path.display())))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| ArtifactError::Malformed(format!("{}: {e}", path.display())))?;
    let creation = hex_bytes(&json["bytecode"], "bytecode")?;
    let runtime = hex_bytes(&json["deployedBytecode"], "deployedBytecode")?;
    let mut selectors = BTreeMap::new();
    let ids = json["methodIdentifiers"]
        .as_object()
        .ok_or_else(|| ArtifactError::Malformed("methodIdentifiers".into()))?;
    for (sig, id) in ids {
        let bytes = id
            .as_str()
            .and_then(|s| alloy_primitives::hex::decode(s).ok())
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or_else(|| ArtifactError::Malformed(format!("selector of {sig}")))?;
        selectors.insert(sig.clone(), bytes);
    }
    let a = Arc::new(Artifact {
        name: name.into(),
        creation,
        runtime,
        selectors,
    });
    cache.insert(key, a.clone());
    Ok(a)
}

//! The reference gas figures (`report/anchors/reference-gas.csv`, copied from the project's
//! anchor set with its README): Perun v1 and v0, the 2017 prototype, statechannels Nitro,
//! Raiden and Celer, each row a measured or published whole-transaction figure.

use std::fmt;
use std::path::Path;

/// One reference figure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    /// The system, e.g. `perun-eth-contracts`.
    pub system: String,
    /// Its version and commit.
    pub version: String,
    /// Compiler settings.
    pub settings: String,
    /// The operation.
    pub operation: String,
    /// The scenario.
    pub scenario: String,
    /// The figure as written (some rows give two, `a / b`).
    pub gas: String,
    /// How it was obtained.
    pub how: String,
}

impl Anchor {
    /// The first figure of the row.
    pub fn first(&self) -> Option<u64> {
        self.gas.split('/').next()?.trim().parse().ok()
    }
}

/// Why the anchors could not be read.
#[derive(Debug)]
pub struct AnchorError(String);

impl fmt::Display for AnchorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for AnchorError {}

/// Splits a CSV line (fields may be double-quoted, with `""` for a quote).
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

/// Reads the anchors.
///
/// # Errors
/// If the file is missing or a row does not have the seven columns.
pub fn load(path: &Path) -> Result<Vec<Anchor>, AnchorError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| AnchorError(format!("{}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate().skip(1) {
        if line.trim().is_empty() {
            continue;
        }
        let f = fields(line);
        let [system, version, settings, operation, scenario, gas, how] = <[String; 7]>::try_from(f)
            .map_err(|f| AnchorError(format!("line {}: {} columns, not 7", n + 1, f.len())))?;
        out.push(Anchor {
            system,
            version,
            settings,
            operation,
            scenario,
            gas,
            how,
        });
    }
    Ok(out)
}

/// The anchor of `system` (a prefix of its name) whose version contains `version` and whose
/// settings contain `settings`, for `operation` and `scenario`.
pub fn find<'a>(
    anchors: &'a [Anchor],
    system: &str,
    version: &str,
    settings: &str,
    operation: &str,
    scenario: &str,
) -> Option<&'a Anchor> {
    anchors.iter().find(|a| {
        a.system.starts_with(system)
            && a.version.contains(version)
            && a.settings.contains(settings)
            && a.operation == operation
            && a.scenario == scenario
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_fields_and_double_figures() {
        assert_eq!(fields(r#"a,"b, c",d"#), ["a", "b, c", "d"]);
        let a = Anchor {
            system: String::new(),
            version: String::new(),
            settings: String::new(),
            operation: String::new(),
            scenario: String::new(),
            gas: "45801 / 33814".into(),
            how: String::new(),
        };
        assert_eq!(a.first(), Some(45_801));
    }

    #[test]
    fn the_committed_anchors_load() {
        let path =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../report/anchors/reference-gas.csv");
        let all = load(&path).unwrap();
        assert!(all.len() > 40);
        let v1 = find(
            &all,
            "perun-eth-contracts",
            "v1.0.0",
            "200 runs",
            "deposit ETH",
            "fresh fundingID",
        );
        assert_eq!(v1.and_then(Anchor::first), Some(45_801));
    }
}

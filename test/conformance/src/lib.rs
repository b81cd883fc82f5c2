//! Conformance of the wire format with the Perun v1 reference vectors.
//!
//! [`vectors`] reads `test/fixtures/perun-v1.json` (format in `test/fixtures/FORMAT.md`) into
//! the `sol!` types of `perun-channel`; [`check`] recomputes every field of every case with
//! `perun-channel` and reports each comparison.

pub mod check;
pub mod vectors;

/// The path of the reference vectors in this repository.
pub fn default_vectors_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/perun-v1.json")
}

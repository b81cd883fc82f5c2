//! The deployed size of a Stylus program, and Arbitrum's limits on it.
//!
//! A program is deployed as the 4-byte prefix `EF F0 00 00` (the Stylus discriminant and the
//! dictionary byte) followed by its wasm compressed with brotli at quality 11. The deployed code
//! may hold at most 24,576 bytes, the wasm at most 128 KiB.

/// The most bytes of deployed code a contract may have (EIP-170, as Arbitrum applies it).
pub const MAX_DEPLOYED: usize = 24_576;
/// The most bytes a program's wasm may have once decompressed.
pub const MAX_WASM: usize = 128 * 1024;
/// The prefix of deployed Stylus code: `EF F0 00` and the dictionary byte 0 (none).
pub const PREFIX: [u8; 4] = [0xef, 0xf0, 0x00, 0x00];

/// A program's sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sizes {
    /// The wasm's length.
    pub wasm: usize,
    /// The deployed code's length: prefix and compressed wasm.
    pub deployed: usize,
}

impl Sizes {
    /// Whether the program fits both limits.
    pub fn fits(&self) -> bool {
        self.wasm <= MAX_WASM && self.deployed <= MAX_DEPLOYED
    }
}

/// Compresses a wasm as Stylus deploys it (brotli, quality 11, window 22).
pub fn compress(wasm: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut input = wasm;
    // Writing into a Vec cannot fail.
    brotli::BrotliCompress(&mut input, &mut out, &params).expect("compressing into memory");
    out
}

/// The deployed code of a wasm: the prefix, then the compressed wasm.
pub fn deployed_code(wasm: &[u8]) -> Vec<u8> {
    let mut code = PREFIX.to_vec();
    code.extend(compress(wasm));
    code
}

/// A wasm's sizes.
pub fn sizes(wasm: &[u8]) -> Sizes {
    Sizes {
        wasm: wasm.len(),
        deployed: deployed_code(wasm).len(),
    }
}

/// Where `cargo build --release --target wasm32-unknown-unknown -p <package>` leaves the
/// package's wasm in this workspace (honouring `CARGO_TARGET_DIR`).
pub fn wasm_path(package: &str) -> std::path::PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        std::path::PathBuf::from,
    );
    target
        .join("wasm32-unknown-unknown/release")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

/// The built wasm of a Stylus program of this workspace.
///
/// # Errors
/// The file is missing (build it with `script/programs`) or unreadable.
pub fn read_wasm(package: &str) -> std::io::Result<Vec<u8>> {
    let path = wasm_path(package);
    std::fs::read(&path).map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("{}: {e} (build it with script/programs)", path.display()),
        )
    })
}

//! The `export-abi` entry point: `cargo run -p perun-asset-holder-eth --features export-abi` prints
//! the program's Solidity interface.
#![cfg_attr(not(any(test, feature = "export-abi")), no_main)]

#[cfg(not(any(test, feature = "export-abi")))]
/// The empty entry point of a wasm build without `export-abi`.
#[no_mangle]
#[allow(unsafe_code)]
pub extern "C" fn main() {}

#[cfg(feature = "export-abi")]
fn main() {
    perun_asset_holder_eth::print_from_args();
}

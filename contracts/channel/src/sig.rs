//! Signatures as v1 accepts them: 65 bytes `r ‖ s ‖ v`, v 27 or 28, s in the lower half.

use alloy_primitives::{B256, U256};
use core::fmt;

/// Half the order of the secp256k1 group: the largest `s` a signature may have (EIP-2).
pub const HALF_ORDER: U256 = U256::from_be_bytes([
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
]);

/// Why bytes are not a valid signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SigError {
    /// The signature is not 65 bytes long; the length is given.
    Length(usize),
    /// `v` is neither 27 nor 28; the value is given.
    V(u8),
    /// `s` is in the upper half of the group order (a malleable signature).
    HighS,
    /// The signature recovers to no address, or to the zero address.
    Unrecoverable,
}

impl fmt::Display for SigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigError::Length(n) => write!(f, "signature is {n} bytes long, not 65"),
            SigError::V(v) => write!(f, "signature v is {v}, not 27 or 28"),
            SigError::HighS => f.write_str("signature s is in the upper half of the curve order"),
            SigError::Unrecoverable => f.write_str("signature recovers to no address"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SigError {}

/// A signature in the form the `ecrecover` precompile takes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signature {
    /// `r`.
    pub r: B256,
    /// `s`, at most [`HALF_ORDER`].
    pub s: B256,
    /// `v`, 27 or 28.
    pub v: u8,
}

impl Signature {
    /// Parses 65 bytes `r ‖ s ‖ v`.
    ///
    /// # Errors
    /// [`SigError::Length`], [`SigError::HighS`] or [`SigError::V`], checked in that order (the
    /// order of OpenZeppelin's `ECDSA.tryRecover`, which v1 uses).
    pub fn parse(bytes: &[u8]) -> Result<Self, SigError> {
        let bytes: &[u8; 65] = bytes
            .try_into()
            .map_err(|_| SigError::Length(bytes.len()))?;
        let s = B256::from_slice(&bytes[32..64]);
        if U256::from_be_bytes(s.0) > HALF_ORDER {
            return Err(SigError::HighS);
        }
        let v = bytes[64];
        if v != 27 && v != 28 {
            return Err(SigError::V(v));
        }
        Ok(Signature {
            r: B256::from_slice(&bytes[..32]),
            s,
            v,
        })
    }

    /// The 65 bytes `r ‖ s ‖ v`.
    pub fn to_bytes(&self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[..32].copy_from_slice(self.r.as_slice());
        out[32..64].copy_from_slice(self.s.as_slice());
        out[64] = self.v;
        out
    }

    /// The 128-byte input of the `ecrecover` precompile for `digest`: `digest ‖ v ‖ r ‖ s`, one
    /// word each.
    pub fn ecrecover_input(&self, digest: &B256) -> [u8; 128] {
        let mut input = [0u8; 128];
        input[..32].copy_from_slice(digest.as_slice());
        input[63] = self.v;
        input[64..96].copy_from_slice(self.r.as_slice());
        input[96..].copy_from_slice(self.s.as_slice());
        input
    }
}

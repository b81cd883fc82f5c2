// SPDX-License-Identifier: Apache-2.0
// Recovery of v1 signatures: 65 bytes r ‖ s ‖ v over an eth-signed digest, low s, v 27 or 28.
pragma solidity ^0.8.30;

import {ArrayRef, BytesRef} from "./Calldata.sol";
import {
    InvalidSignature,
    InvalidSignatureLength,
    InvalidSignatureS,
    InvalidSignatureV,
    SignatureCountMismatch
} from "./Errors.sol";

/// @title Sig
/// @notice Signature checks in the order of `perun-channel`'s `Signature::parse` and
/// `checks::check_signature` (the order of OpenZeppelin's `ECDSA.tryRecover`, which v1 uses):
/// length, then `s`, then `v`, then recovery.
library Sig {
    /// @dev Half the secp256k1 group order: the largest `s` accepted (EIP-2).
    uint256 internal constant HALF_ORDER =
        0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;

    /// @notice `keccak256("\x19Ethereum Signed Message:\n32" ‖ hash)`.
    function ethSignedDigest(bytes32 hash) internal pure returns (bytes32 d) {
        assembly ("memory-safe") {
            // Scratch space: the 28-byte prefix at bytes 0..27, the hash at bytes 28..59.
            mstore(0, "\x19Ethereum Signed Message:\n32")
            mstore(28, hash)
            d := keccak256(0, 60)
        }
    }

    /// @notice Reverts unless `sig` is `signer`'s signature over `digest`.
    function verify(bytes32 digest, BytesRef sig, address signer) internal view {
        _verify(digest, sig.start(), sig.length(), signer);
    }

    /// @notice Reverts unless `sigs` (a `bytes[]`) holds one signature per participant of
    /// `parts` (a `Participant[]`) over `digest`, in participant order. For each participant:
    /// its address is read, then its signature (the reads of `participant(i).ethAddress()` and
    /// `bytesAt(i)`, with their checks, written out in one block).
    function verifyAll(bytes32 digest, ArrayRef parts, ArrayRef sigs) internal view {
        uint256 n = parts.length();
        if (n != sigs.length()) revert SignatureCountMismatch();
        uint256 partSlots = parts.start();
        uint256 sigSlots = sigs.start();
        for (uint256 i; i < n; ++i) {
            address signer;
            uint256 sigPos;
            uint256 sigLen;
            assembly ("memory-safe") {
                let cds := calldatasize()
                // participant i: its offset (slot inside by the array check), then its address.
                let o := calldataload(add(partSlots, shl(5, i)))
                let part := add(partSlots, o)
                let w := calldataload(part)
                let bad := or(shr(32, o), or(gt(add(part, 32), cds), shr(160, w)))
                signer := w
                // signature i: its offset, then the bytes value there.
                o := calldataload(add(sigSlots, shl(5, i)))
                let b := add(sigSlots, o)
                sigLen := calldataload(b)
                sigPos := add(b, 32)
                bad := or(bad, or(shr(32, o), or(gt(sigPos, cds), shr(32, sigLen))))
                bad := or(bad, gt(add(sigPos, sigLen), cds))
                if bad {
                    mstore(0, 0x59170bf000000000000000000000000000000000000000000000000000000000)
                    revert(0, 4)
                }
            }
            _verify(digest, sigPos, sigLen, signer);
        }
    }

    /// @dev The checks of `verify` on a signature of `len` bytes at calldata position `p`: the
    /// length, then `s`, then `v`, then recovery through the ecrecover precompile (address 1)
    /// called directly on scratch memory, which costs less than solc's `ecrecover` wrapper.
    function _verify(bytes32 digest, uint256 p, uint256 len, address signer) private view {
        if (len != 65) revert InvalidSignatureLength();
        bytes4 errS = InvalidSignatureS.selector;
        bytes4 errV = InvalidSignatureV.selector;
        bytes4 errSig = InvalidSignature.selector;
        assembly ("memory-safe") {
            let r := calldataload(p)
            let s := calldataload(add(p, 32))
            let v := byte(0, calldataload(add(p, 64)))
            if gt(s, HALF_ORDER) {
                mstore(0, errS)
                revert(0, 4)
            }
            if iszero(or(eq(v, 27), eq(v, 28))) {
                mstore(0, errV)
                revert(0, 4)
            }
            let m := mload(0x40)
            mstore(m, digest)
            mstore(add(m, 32), v)
            mstore(add(m, 64), r)
            mstore(add(m, 96), s)
            // The precompile returns nothing when no key matches: the zeroed word stays zero.
            mstore(0, 0)
            pop(staticcall(gas(), 1, m, 128, 0, 32))
            let recovered := mload(0)
            if or(iszero(recovered), iszero(eq(recovered, signer))) {
                mstore(0, errSig)
                revert(0, 4)
            }
        }
    }
}

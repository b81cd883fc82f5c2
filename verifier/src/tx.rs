//! Signed transactions for sending calldata: EIP-1559 (type 2) or legacy with EIP-155 replay
//! protection, RLP-encoded with alloy-rlp and signed with libsecp256k1.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_rlp::{Encodable, Header};
use perun_channel::native::Signer;

/// A transaction to sign.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TxRequest {
    /// The chain it is valid on.
    pub chain_id: u64,
    /// The sender's nonce.
    pub nonce: u64,
    /// EIP-1559: the tip per gas (ignored for legacy).
    pub max_priority_fee_per_gas: U256,
    /// EIP-1559: the most paid per gas; legacy: the gas price.
    pub max_fee_per_gas: U256,
    /// The gas limit.
    pub gas_limit: u64,
    /// The contract called.
    pub to: Address,
    /// The value sent.
    pub value: U256,
    /// The calldata.
    pub data: Bytes,
    /// A legacy (EIP-155) transaction instead of EIP-1559.
    pub legacy: bool,
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedTx {
    /// What `eth_sendRawTransaction` takes.
    pub raw: Vec<u8>,
    /// The transaction hash (`keccak256(raw)`).
    pub hash: B256,
}

fn uint(out: &mut Vec<u8>, v: U256) {
    let b = v.to_be_bytes::<32>();
    let first = b.iter().position(|&x| x != 0).unwrap_or(32);
    b[first..].encode(out);
}

fn list(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 9);
    Header {
        list: true,
        payload_length: payload.len(),
    }
    .encode(&mut out);
    out.extend_from_slice(payload);
    out
}

impl TxRequest {
    /// The fields every form signs, in order, after the chain ID (EIP-1559) or before it
    /// (legacy).
    fn fields(&self, out: &mut Vec<u8>) {
        if self.legacy {
            uint(out, U256::from(self.nonce));
            uint(out, self.max_fee_per_gas);
        } else {
            uint(out, U256::from(self.chain_id));
            uint(out, U256::from(self.nonce));
            uint(out, self.max_priority_fee_per_gas);
            uint(out, self.max_fee_per_gas);
        }
        uint(out, U256::from(self.gas_limit));
        self.to.as_slice().encode(out);
        uint(out, self.value);
        self.data[..].encode(out);
        if !self.legacy {
            // An empty access list.
            out.extend_from_slice(&list(&[]));
        }
    }

    /// The hash the sender signs.
    pub fn signing_hash(&self) -> B256 {
        let mut payload = Vec::new();
        self.fields(&mut payload);
        if self.legacy {
            uint(&mut payload, U256::from(self.chain_id));
            uint(&mut payload, U256::ZERO);
            uint(&mut payload, U256::ZERO);
            keccak256(list(&payload))
        } else {
            let mut typed = vec![2u8];
            typed.extend_from_slice(&list(&payload));
            keccak256(typed)
        }
    }

    /// Signs the transaction.
    pub fn sign(&self, signer: &Signer) -> SignedTx {
        let sig = signer.sign_digest(&self.signing_hash());
        let parity = u64::from(sig.v - 27);
        let mut payload = Vec::new();
        self.fields(&mut payload);
        if self.legacy {
            uint(
                &mut payload,
                U256::from(self.chain_id) * U256::from(2) + U256::from(35 + parity),
            );
        } else {
            uint(&mut payload, U256::from(parity));
        }
        uint(&mut payload, U256::from_be_bytes(sig.r.0));
        uint(&mut payload, U256::from_be_bytes(sig.s.0));
        let raw = if self.legacy {
            list(&payload)
        } else {
            let mut typed = vec![2u8];
            typed.extend_from_slice(&list(&payload));
            typed
        };
        SignedTx {
            hash: keccak256(&raw),
            raw,
        }
    }
}

/// The fields of an RLP list, each as its payload bytes (strings) or its whole encoding
/// (nested lists). For tests and tools that read back what was sent.
///
/// # Errors
/// A message if `data` is not one RLP list.
pub fn rlp_list_items(mut data: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let h = Header::decode(&mut data).map_err(|e| e.to_string())?;
    if !h.list || h.payload_length != data.len() {
        return Err("not one RLP list".into());
    }
    let mut items = Vec::new();
    while !data.is_empty() {
        let before = data;
        let h = Header::decode(&mut data).map_err(|e| e.to_string())?;
        if h.list {
            let n = before.len() - data.len() + h.payload_length;
            items.push(before[..n].to_vec());
        } else {
            items.push(data[..h.payload_length].to_vec());
        }
        data = &data[h.payload_length..];
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use perun_channel::native::recover;
    use perun_channel::sig::Signature;

    fn request(legacy: bool) -> TxRequest {
        TxRequest {
            chain_id: 42161,
            nonce: 7,
            max_priority_fee_per_gas: U256::from(1_000_000u64),
            max_fee_per_gas: U256::from(200_000_000u64),
            gas_limit: 300_000,
            to: Address::repeat_byte(0xad),
            value: U256::ZERO,
            data: vec![0xe9, 0xaa, 0x7e, 0x02, 0, 1].into(),
            legacy,
        }
    }

    fn signature_of(items: &[Vec<u8>], at: usize, v: u8) -> Signature {
        Signature {
            r: B256::left_padding_from(&items[at]),
            s: B256::left_padding_from(&items[at + 1]),
            v,
        }
    }

    #[test]
    fn an_eip1559_transaction_recovers_to_its_sender() {
        let signer = Signer::from_bytes(&[7u8; 32]).unwrap();
        let tx = request(false);
        let signed = tx.sign(&signer);
        assert_eq!(signed.raw[0], 2);
        let items = rlp_list_items(&signed.raw[1..]).unwrap();
        assert_eq!(items.len(), 12);
        assert_eq!(items[0], 42161u64.to_be_bytes()[6..].to_vec());
        assert_eq!(items[5], tx.to.to_vec());
        assert_eq!(items[7], tx.data.to_vec());
        let parity = items[9].first().copied().unwrap_or(0);
        let sig = signature_of(&items, 10, 27 + parity);
        assert_eq!(recover(&tx.signing_hash(), &sig), Ok(signer.address()));
    }

    #[test]
    fn a_legacy_transaction_carries_the_chain_in_v() {
        let signer = Signer::from_bytes(&[9u8; 32]).unwrap();
        let tx = request(true);
        let items = rlp_list_items(&tx.sign(&signer).raw).unwrap();
        assert_eq!(items.len(), 9);
        let v = u64::from_be_bytes(B256::left_padding_from(&items[6])[24..].try_into().unwrap());
        let parity = v - (2 * 42161 + 35);
        assert!(parity <= 1);
        let sig = signature_of(&items, 7, 27 + parity as u8);
        assert_eq!(recover(&tx.signing_hash(), &sig), Ok(signer.address()));
    }
}

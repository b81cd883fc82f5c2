//! The run's view of the node: transactions signed with the verifier's `tx` module and sent
//! through its JSON-RPC client, receipts, calls and balances, and anvil's clock and accounts.

use crate::error::{Error, Result};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use perun_channel::native::Signer;
use perun_verifier::rpc::Rpc;
use perun_verifier::tx::TxRequest;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::HashMap;
use std::thread::sleep;
use std::time::{Duration, Instant};

/// How long a sent transaction may take to be mined (anvil mines each at once).
const MINING: Duration = Duration::from_secs(15);

/// A mined transaction, as its receipt reports it.
#[derive(Clone, Debug)]
pub struct Receipt {
    /// The transaction hash.
    pub hash: B256,
    /// The block it is in.
    pub block: u64,
    /// The sender.
    pub from: Address,
    /// The destination (none for a contract creation).
    pub to: Option<Address>,
    /// The contract created, if any.
    pub contract_address: Option<Address>,
    /// `gasUsed`: the gas the node charged.
    pub gas_used: u64,
    /// `effectiveGasPrice`: what the sender paid per unit of gas.
    pub effective_gas_price: U256,
    /// Whether it succeeded (`status` 1).
    pub success: bool,
}

impl Receipt {
    /// What the sender paid for gas: `gasUsed * effectiveGasPrice`.
    pub fn fee(&self) -> U256 {
        U256::from(self.gas_used) * self.effective_gas_price
    }

    fn from_json(v: &Value) -> Result<Self> {
        let to = match &v["to"] {
            Value::Null => None,
            t => Some(address(t, "receipt.to")?),
        };
        let contract_address = match &v["contractAddress"] {
            Value::Null => None,
            a => Some(address(a, "receipt.contractAddress")?),
        };
        Ok(Receipt {
            hash: word(&v["transactionHash"], "receipt.transactionHash")?,
            block: quantity_u64(&v["blockNumber"], "receipt.blockNumber")?,
            from: address(&v["from"], "receipt.from")?,
            to,
            contract_address,
            gas_used: quantity_u64(&v["gasUsed"], "receipt.gasUsed")?,
            effective_gas_price: quantity(&v["effectiveGasPrice"], "receipt.effectiveGasPrice")?,
            success: quantity(&v["status"], "receipt.status")? == U256::from(1),
        })
    }
}

/// A transaction of the chain with its receipt.
#[derive(Clone, Debug)]
pub struct Transaction {
    /// The receipt.
    pub receipt: Receipt,
    /// The calldata (or init code).
    pub input: Bytes,
    /// The value sent.
    pub value: U256,
}

/// A JSON-RPC connection to the node, which remembers what each transaction it sent was.
pub struct Node {
    rpc: Rpc,
    chain_id: u64,
    labels: RefCell<HashMap<B256, String>>,
}

impl Node {
    /// Connects to `url`.
    ///
    /// # Errors
    /// [`Error::Verifier`] if the node does not answer `eth_chainId`.
    pub fn new(url: &str) -> Result<Self> {
        let rpc = Rpc::new(url);
        let chain_id = rpc.chain_id()?;
        Ok(Node {
            rpc,
            chain_id,
            labels: RefCell::new(HashMap::new()),
        })
    }

    /// The chain ID.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// What the transaction `hash` was, if this connection sent it.
    pub fn label(&self, hash: &B256) -> Option<String> {
        self.labels.borrow().get(hash).cloned()
    }

    /// Signs an EIP-1559 transaction calling `to` with `value` and `data`, sends it and waits
    /// for its receipt; `label` says what it is (for errors and the gas table). The gas limit
    /// is the node's estimate plus a fifth; the fee cap twice the gas price, the tip a tenth.
    ///
    /// # Errors
    /// [`Error::Verifier`] if the node rejects it (a call it sees revert fails the estimate),
    /// [`Error::Reverted`] if it was mined and reverted, [`Error::Timeout`] if it is not mined.
    pub fn send(
        &self,
        signer: &Signer,
        to: Address,
        value: U256,
        data: Bytes,
        label: &str,
    ) -> Result<Receipt> {
        let from = signer.address();
        let price = self.rpc.gas_price()?;
        let estimate = self.rpc.call(
            "eth_estimateGas",
            json!([{"from": from, "to": to, "value": hex_quantity(value), "data": data}]),
        )?;
        let gas = quantity_u64(&estimate, "eth_estimateGas")?;
        let tx = TxRequest {
            chain_id: self.chain_id,
            nonce: self.rpc.nonce(from)?,
            max_priority_fee_per_gas: (price / U256::from(10)).max(U256::from(1)),
            max_fee_per_gas: price.saturating_mul(U256::from(2)),
            gas_limit: gas.saturating_add(gas / 5),
            to,
            value,
            data,
            legacy: false,
        };
        let signed = tx.sign(signer);
        let hash = self.rpc.send_raw_transaction(&signed.raw)?;
        self.labels.borrow_mut().insert(hash, label.to_owned());
        let receipt = self.wait_receipt(hash, label)?;
        if !receipt.success {
            return Err(Error::Reverted {
                label: label.to_owned(),
                hash,
            });
        }
        Ok(receipt)
    }

    /// The receipt of `hash` once it is mined.
    ///
    /// # Errors
    /// [`Error::Verifier`], or [`Error::Timeout`] if it is not mined within 15 s.
    pub fn wait_receipt(&self, hash: B256, label: &str) -> Result<Receipt> {
        let start = Instant::now();
        loop {
            if let Some(r) = self.receipt(hash)? {
                return Ok(r);
            }
            if start.elapsed() > MINING {
                return Err(Error::Timeout {
                    what: format!("{label} ({hash}) to be mined"),
                    detail: "the node returned no receipt".into(),
                });
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// The receipt of `hash`, if it is mined.
    ///
    /// # Errors
    /// [`Error::Verifier`] or [`Error::Parse`].
    pub fn receipt(&self, hash: B256) -> Result<Option<Receipt>> {
        let v = self.rpc.call("eth_getTransactionReceipt", json!([hash]))?;
        if v.is_null() {
            return Ok(None);
        }
        Receipt::from_json(&v).map(Some)
    }

    /// `eth_call` of `data` on `to` at the head block.
    ///
    /// # Errors
    /// [`Error::Verifier`] (a reverting call included) or [`Error::Parse`].
    pub fn call(&self, to: Address, data: &[u8]) -> Result<Bytes> {
        let data = Bytes::copy_from_slice(data);
        let v = self
            .rpc
            .call("eth_call", json!([{"to": to, "data": data}, "latest"]))?;
        hex_bytes(&v, "eth_call")
    }

    /// Calls the view `call` on `to` and decodes what it returns.
    ///
    /// # Errors
    /// As [`Node::call`], and [`Error::Parse`] if the answer does not decode.
    pub fn view<C: SolCall>(&self, to: Address, call: &C) -> Result<C::Return> {
        let out = self.call(to, &call.abi_encode())?;
        C::abi_decode_returns(&out).map_err(|e| Error::parse(C::SIGNATURE, e))
    }

    /// The ether balance of `account` at the head block.
    ///
    /// # Errors
    /// [`Error::Verifier`] or [`Error::Parse`].
    pub fn balance(&self, account: Address) -> Result<U256> {
        let v = self
            .rpc
            .call("eth_getBalance", json!([account, "latest"]))?;
        quantity(&v, "eth_getBalance")
    }

    /// Sets the ether balance of `account` (anvil).
    ///
    /// # Errors
    /// [`Error::Verifier`].
    pub fn set_balance(&self, account: Address, wei: U256) -> Result<()> {
        self.rpc
            .call("anvil_setBalance", json!([account, hex_quantity(wei)]))?;
        Ok(())
    }

    /// Puts runtime `code` at `account` (anvil).
    ///
    /// # Errors
    /// [`Error::Verifier`].
    pub fn set_code(&self, account: Address, code: &[u8]) -> Result<()> {
        let code = Bytes::copy_from_slice(code);
        self.rpc.call("anvil_setCode", json!([account, code]))?;
        Ok(())
    }

    /// Moves the node's clock `seconds` ahead and mines a block at the new time.
    ///
    /// # Errors
    /// [`Error::Verifier`].
    pub fn advance(&self, seconds: u64) -> Result<()> {
        self.rpc.call("evm_increaseTime", json!([seconds]))?;
        self.rpc.call("evm_mine", json!([]))?;
        Ok(())
    }

    /// The time of the head block.
    ///
    /// # Errors
    /// [`Error::Verifier`].
    pub fn now(&self) -> Result<u64> {
        Ok(self.rpc.block_timestamp(self.rpc.block_number()?)?)
    }

    /// Every transaction of the chain, oldest first, with its receipt.
    ///
    /// # Errors
    /// [`Error::Verifier`] or [`Error::Parse`].
    pub fn transactions(&self) -> Result<Vec<Transaction>> {
        let head = self.rpc.block_number()?;
        let mut out = Vec::new();
        for number in 0..=head {
            let block = self.rpc.call(
                "eth_getBlockByNumber",
                json!([format!("0x{number:x}"), true]),
            )?;
            let txs = block["transactions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            for tx in txs {
                let hash = word(&tx["hash"], "transaction.hash")?;
                let receipt = self.receipt(hash)?.ok_or_else(|| {
                    Error::parse(
                        "eth_getTransactionReceipt",
                        format!("no receipt for {hash}"),
                    )
                })?;
                out.push(Transaction {
                    receipt,
                    input: hex_bytes(&tx["input"], "transaction.input")?,
                    value: quantity(&tx["value"], "transaction.value")?,
                });
            }
        }
        Ok(out)
    }
}

/// `0x`-hex of a number, as JSON-RPC writes quantities.
fn hex_quantity(v: U256) -> String {
    format!("0x{v:x}")
}

fn text<'a>(v: &'a Value, what: &str) -> Result<&'a str> {
    v.as_str()
        .ok_or_else(|| Error::parse(what, format!("expected a string, got {v}")))
}

fn quantity(v: &Value, what: &str) -> Result<U256> {
    let s = text(v, what)?;
    s.strip_prefix("0x")
        .and_then(|h| U256::from_str_radix(h, 16).ok())
        .ok_or_else(|| Error::parse(what, format!("not a quantity: {s}")))
}

fn quantity_u64(v: &Value, what: &str) -> Result<u64> {
    let q = quantity(v, what)?;
    u64::try_from(q).map_err(|_| Error::parse(what, format!("{q} does not fit 64 bits")))
}

fn hex_bytes(v: &Value, what: &str) -> Result<Bytes> {
    let s = text(v, what)?;
    let digits = s.strip_prefix("0x").unwrap_or(s);
    hex::decode(digits)
        .map(Bytes::from)
        .map_err(|e| Error::parse(what, format!("{e}: {s}")))
}

fn word(v: &Value, what: &str) -> Result<B256> {
    let b = hex_bytes(v, what)?;
    if b.len() != 32 {
        return Err(Error::parse(what, format!("not 32 bytes: {v}")));
    }
    Ok(B256::from_slice(&b))
}

fn address(v: &Value, what: &str) -> Result<Address> {
    let b = hex_bytes(v, what)?;
    if b.len() != 20 {
        return Err(Error::parse(what, format!("not 20 bytes: {v}")));
    }
    Ok(Address::from_slice(&b))
}

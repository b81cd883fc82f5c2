//! A small blocking JSON-RPC client for the calls the verifier makes: logs, blocks, the
//! chain ID, nonces, gas, code, `eth_call`, raw transactions and their receipts.

use crate::error::{Error, Result};
use crate::events::{parse_quantity, Log};
use alloy_primitives::{Address, Bytes, B256, U256};
use serde::Deserialize;
use serde_json::{json, Value};
use std::cell::Cell;
use std::time::Duration;

/// A JSON-RPC endpoint.
pub struct Rpc {
    url: String,
    agent: ureq::Agent,
    id: Cell<u64>,
}

/// What an `eth_call` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallResult {
    /// It returned this data.
    Return(Bytes),
    /// It reverted with this data (possibly empty).
    Revert(Bytes),
    /// It failed otherwise; the node's message.
    Failed(String),
}

/// Reads a JSON-RPC error object of `eth_call`: geth reports a revert as code 3 with the revert
/// data in `data`, and any other failure with a message only.
fn call_error(err: &Value) -> CallResult {
    let message = err
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let data = err
        .get("data")
        .and_then(Value::as_str)
        .and_then(|d| d.parse::<Bytes>().ok());
    match data {
        Some(d) => CallResult::Revert(d),
        None if message.contains("execution reverted") => CallResult::Revert(Bytes::new()),
        None if message.is_empty() => CallResult::Failed(err.to_string()),
        None => CallResult::Failed(message),
    }
}

/// A log as `eth_getLogs` returns it (other fields are ignored).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RpcLog {
    address: Address,
    topics: Vec<B256>,
    data: Bytes,
    block_number: String,
    #[serde(default)]
    log_index: Option<String>,
    #[serde(default)]
    block_timestamp: Option<String>,
    #[serde(default)]
    removed: bool,
}

impl Rpc {
    /// A client of the endpoint at `url` (`http://`; `https://` with the `https` feature).
    pub fn new(url: &str) -> Self {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .http_status_as_error(false)
            .build();
        Rpc {
            url: url.to_owned(),
            agent: config.into(),
            id: Cell::new(1),
        }
    }

    /// Calls `method` with `params` and returns its result.
    ///
    /// # Errors
    /// [`Error::Rpc`] if the request fails or the endpoint returns an error.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        self.exchange(method, params)?
            .map_err(|err| Error::Rpc(format!("{method}: {err}")))
    }

    /// Calls `method` with `params`: its result, or the error object the endpoint returned.
    ///
    /// # Errors
    /// [`Error::Rpc`] if the request fails or the answer is no JSON-RPC response.
    fn exchange(&self, method: &str, params: Value) -> Result<std::result::Result<Value, Value>> {
        let id = self.id.get();
        self.id.set(id + 1);
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let mut resp = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .map_err(|e| Error::Rpc(format!("{method}: {e}")))?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .read_to_string()
            .map_err(|e| Error::Rpc(format!("{method}: {e}")))?;
        if !status.is_success() {
            return Err(Error::Rpc(format!("{method}: HTTP {status}: {text}")));
        }
        let mut v: Value = serde_json::from_str(&text)
            .map_err(|e| Error::Rpc(format!("{method}: not JSON: {e}")))?;
        if let Some(err) = v.get_mut("error") {
            return Ok(Err(err.take()));
        }
        v.get_mut("result")
            .map(|r| Ok(r.take()))
            .ok_or_else(|| Error::Rpc(format!("{method}: no result")))
    }

    fn quantity(&self, method: &str, params: Value) -> Result<u64> {
        let v = self.call(method, params)?;
        let s = v
            .as_str()
            .ok_or_else(|| Error::Rpc(format!("{method}: not a quantity: {v}")))?;
        parse_quantity(s).map_err(|e| Error::Rpc(format!("{method}: {e}")))
    }

    fn big(&self, method: &str, params: Value) -> Result<U256> {
        let v = self.call(method, params)?;
        v.as_str()
            .and_then(|s| s.strip_prefix("0x"))
            .and_then(|h| U256::from_str_radix(h, 16).ok())
            .ok_or_else(|| Error::Rpc(format!("{method}: not a quantity: {v}")))
    }

    /// `eth_chainId`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn chain_id(&self) -> Result<u64> {
        self.quantity("eth_chainId", json!([]))
    }

    /// `eth_blockNumber`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn block_number(&self) -> Result<u64> {
        self.quantity("eth_blockNumber", json!([]))
    }

    /// The time of block `number` (`eth_getBlockByNumber`).
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn block_timestamp(&self, number: u64) -> Result<u64> {
        let b = self.call(
            "eth_getBlockByNumber",
            json!([format!("0x{number:x}"), false]),
        )?;
        b.get("timestamp")
            .and_then(Value::as_str)
            .and_then(|s| parse_quantity(s).ok())
            .ok_or_else(|| Error::Rpc(format!("eth_getBlockByNumber: no timestamp in {b}")))
    }

    /// `eth_getLogs` of `addresses` (all contracts if empty) over blocks `from..=to`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn get_logs(&self, addresses: &[Address], from: u64, to: u64) -> Result<Vec<Log>> {
        let mut filter =
            json!({"fromBlock": format!("0x{from:x}"), "toBlock": format!("0x{to:x}")});
        if !addresses.is_empty() {
            filter["address"] = json!(addresses);
        }
        let v = self.call("eth_getLogs", json!([filter]))?;
        let logs: Vec<RpcLog> = serde_json::from_value(v)
            .map_err(|e| Error::Rpc(format!("eth_getLogs: unexpected logs: {e}")))?;
        logs.into_iter()
            .filter(|l| !l.removed)
            .enumerate()
            .map(|(k, l)| {
                let q = |s: &str| {
                    parse_quantity(s).map_err(|e| Error::Rpc(format!("eth_getLogs: {e}")))
                };
                Ok(Log {
                    address: l.address,
                    topics: l.topics,
                    data: l.data,
                    block_number: q(&l.block_number)?,
                    timestamp: l.block_timestamp.as_deref().map(q).transpose()?,
                    log_index: l.log_index.as_deref().map(q).transpose()?,
                    path: format!("eth_getLogs[{k}]"),
                })
            })
            .collect()
    }

    /// `eth_getTransactionCount(address, "pending")`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn nonce(&self, address: Address) -> Result<u64> {
        self.quantity("eth_getTransactionCount", json!([address, "pending"]))
    }

    /// `eth_gasPrice`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn gas_price(&self) -> Result<U256> {
        self.big("eth_gasPrice", json!([]))
    }

    /// `eth_estimateGas` of a call.
    ///
    /// # Errors
    /// [`Error::Rpc`], which includes a call the node sees revert.
    pub fn estimate_gas(&self, from: Address, to: Address, data: &Bytes) -> Result<u64> {
        self.quantity(
            "eth_estimateGas",
            json!([{"from": from, "to": to, "data": data}]),
        )
    }

    /// `eth_estimateGas` of a call sending `value` wei.
    ///
    /// # Errors
    /// [`Error::Rpc`], which includes a call the node sees revert.
    pub fn estimate_gas_with_value(
        &self,
        from: Address,
        to: Address,
        data: &Bytes,
        value: U256,
    ) -> Result<u64> {
        if value.is_zero() {
            return self.estimate_gas(from, to, data);
        }
        self.quantity(
            "eth_estimateGas",
            json!([{"from": from, "to": to, "data": data, "value": value}]),
        )
    }

    /// `eth_getCode(address, "latest")`.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn code(&self, address: Address) -> Result<Bytes> {
        let v = self.call("eth_getCode", json!([address, "latest"]))?;
        serde_json::from_value(v.clone())
            .map_err(|_| Error::Rpc(format!("eth_getCode: not bytes: {v}")))
    }

    /// `eth_call` at the latest block: the return data, the revert data, or the node's message
    /// for a call that failed without reverting (such as one into an expired Stylus program,
    /// which nitro reports as `error ProgramExpired(...)` without data).
    ///
    /// # Errors
    /// [`Error::Rpc`] if the request fails or the answer is unusable.
    pub fn eth_call(
        &self,
        from: Address,
        to: Address,
        data: &Bytes,
        value: U256,
    ) -> Result<CallResult> {
        let call = json!({"from": from, "to": to, "data": data, "value": value});
        match self.exchange("eth_call", json!([call, "latest"]))? {
            Ok(v) => serde_json::from_value(v.clone())
                .map(CallResult::Return)
                .map_err(|_| Error::Rpc(format!("eth_call: not bytes: {v}"))),
            Err(err) => Ok(call_error(&err)),
        }
    }

    /// The status of a mined transaction (`eth_getTransactionReceipt`): `None` while it is not
    /// mined, else whether it succeeded.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn receipt(&self, tx: B256) -> Result<Option<bool>> {
        let v = self.call("eth_getTransactionReceipt", json!([tx]))?;
        if v.is_null() {
            return Ok(None);
        }
        let status = v
            .get("status")
            .and_then(Value::as_str)
            .and_then(|s| parse_quantity(s).ok())
            .ok_or_else(|| Error::Rpc(format!("eth_getTransactionReceipt: no status in {v}")))?;
        Ok(Some(status == 1))
    }

    /// `eth_sendRawTransaction`: returns the transaction hash.
    ///
    /// # Errors
    /// [`Error::Rpc`].
    pub fn send_raw_transaction(&self, raw: &[u8]) -> Result<B256> {
        let v = self.call(
            "eth_sendRawTransaction",
            json!([format!("0x{}", hex::encode(raw))]),
        )?;
        serde_json::from_value(v.clone())
            .map_err(|_| Error::Rpc(format!("eth_sendRawTransaction: not a hash: {v}")))
    }
}

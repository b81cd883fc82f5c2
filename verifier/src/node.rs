//! The node the watcher acts through, as a small trait: an account's code, `eth_call`, sending a
//! signed transaction and its receipt. [`RpcNode`] implements it over JSON-RPC; tests implement
//! it over an in-process chain, so the watcher's whole cycle runs without a network.

use crate::error::Result;
pub use crate::rpc::CallResult;
use crate::rpc::Rpc;
use crate::tx::TxRequest;
use alloy_primitives::{Address, Bytes, B256, U256};
use perun_channel::native::Signer;

/// What the watcher needs from a chain.
pub trait Node {
    /// The code at `at` in the latest state (empty if none).
    ///
    /// # Errors
    /// The node cannot be asked.
    fn code(&self, at: Address) -> Result<Bytes>;

    /// Runs a call in the latest state without sending it (`eth_call`).
    ///
    /// # Errors
    /// The node cannot be asked; a revert or failure of the call is a [`CallResult`].
    fn call(&self, from: Address, to: Address, data: &Bytes, value: U256) -> Result<CallResult>;

    /// Signs a transaction calling `to` with `data` and `value` and sends it; its hash.
    ///
    /// # Errors
    /// The node refuses it or cannot be asked.
    fn send(&self, signer: &Signer, to: Address, data: &Bytes, value: U256) -> Result<B256>;

    /// Whether transaction `tx` succeeded; `None` while it is not mined.
    ///
    /// # Errors
    /// The node cannot be asked.
    fn receipt(&self, tx: B256) -> Result<Option<bool>>;
}

/// Fees and gas for a transaction.
#[derive(Clone, Copy, Debug, Default)]
pub struct SendOptions {
    /// Send legacy transactions instead of EIP-1559 ones.
    pub legacy: bool,
}

/// A [`Node`] over a JSON-RPC endpoint.
pub struct RpcNode<'a> {
    /// The endpoint.
    pub rpc: &'a Rpc,
    /// How transactions are sent.
    pub opts: SendOptions,
}

impl Node for RpcNode<'_> {
    fn code(&self, at: Address) -> Result<Bytes> {
        self.rpc.code(at)
    }

    fn call(&self, from: Address, to: Address, data: &Bytes, value: U256) -> Result<CallResult> {
        self.rpc.eth_call(from, to, data, value)
    }

    fn send(&self, signer: &Signer, to: Address, data: &Bytes, value: U256) -> Result<B256> {
        send(self.rpc, signer, to, data, value, self.opts)
    }

    fn receipt(&self, tx: B256) -> Result<Option<bool>> {
        self.rpc.receipt(tx)
    }
}

/// Signs a call of `to` with `data` and `value` and sends it through `rpc`; returns the
/// transaction hash.
///
/// The nonce is the sender's pending count, the gas limit the node's estimate plus a fifth,
/// the fee cap twice the node's gas price and the tip a tenth of it.
///
/// # Errors
/// [`crate::Error::Rpc`] if a request fails (the estimate fails for a call the node sees revert).
pub fn send(
    rpc: &Rpc,
    signer: &Signer,
    to: Address,
    data: &Bytes,
    value: U256,
    opts: SendOptions,
) -> Result<B256> {
    let from = signer.address();
    let chain_id = rpc.chain_id()?;
    let nonce = rpc.nonce(from)?;
    let price = rpc.gas_price()?;
    let gas = rpc.estimate_gas_with_value(from, to, data, value)?;
    let tx = TxRequest {
        chain_id,
        nonce,
        max_priority_fee_per_gas: (price / U256::from(10)).max(U256::from(1)),
        max_fee_per_gas: price.saturating_mul(U256::from(2)),
        gas_limit: gas.saturating_add(gas / 5),
        to,
        value,
        data: data.clone(),
        legacy: opts.legacy,
    };
    let signed = tx.sign(signer);
    rpc.send_raw_transaction(&signed.raw)
}

//! A host for unit tests of the Perun Stylus programs: stylus-sdk's `TestVM` for storage, logs
//! and block values, plus the two things it lacks. The ecrecover precompile (address 1) is
//! answered by libsecp256k1, so real signatures verify; every other call goes to a handler the
//! test sets, and is recorded. `TestVM`'s own call mocks answer with the data of the last mock
//! registered, whatever the call, which cannot drive a program that makes several calls.
//!
//! [`mutation`] holds the calldata mutations the programs' property tests share; [`keys`] the
//! record keys of sub-channels and virtual channels, computed from their definition.

pub mod keys;
pub mod mutation;

use alloy_primitives::{Address, B256, U256};
use perun_channel::native::recover;
use perun_channel::sig::Signature;
use std::cell::RefCell;
use std::rc::Rc;
use stylus_sdk::host::VM;
use stylus_sdk::stylus_core::host::*;
use stylus_sdk::testing::TestVM;

/// A call a program made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallRecord {
    /// The callee.
    pub to: Address,
    /// The calldata.
    pub data: Vec<u8>,
    /// The value sent.
    pub value: U256,
    /// Whether it was a static call.
    pub is_static: bool,
}

type Handler = dyn FnMut(&CallRecord) -> Result<Vec<u8>, Vec<u8>>;

struct Calls {
    handler: Box<Handler>,
    log: Vec<CallRecord>,
    return_data: Vec<u8>,
}

/// The test host. Clones share their state, like `TestVM`'s.
#[derive(Clone)]
pub struct PerunVM {
    /// The wrapped `TestVM`: set the sender, value, time and storage on it.
    pub vm: TestVM,
    calls: Rc<RefCell<Calls>>,
}

impl Default for PerunVM {
    fn default() -> Self {
        Self::new()
    }
}

impl PerunVM {
    /// A fresh host whose calls (other than ecrecover) all succeed with no data.
    pub fn new() -> Self {
        PerunVM {
            vm: TestVM::new(),
            calls: Rc::new(RefCell::new(Calls {
                handler: Box::new(|_| Ok(Vec::new())),
                log: Vec::new(),
                return_data: Vec::new(),
            })),
        }
    }

    /// Answers every call (other than ecrecover) with `handler`.
    pub fn on_call(&self, handler: impl FnMut(&CallRecord) -> Result<Vec<u8>, Vec<u8>> + 'static) {
        self.calls.borrow_mut().handler = Box::new(handler);
    }

    /// The calls made so far (ecrecover excluded).
    pub fn calls(&self) -> Vec<CallRecord> {
        self.calls.borrow().log.clone()
    }

    /// Forgets the calls made so far.
    pub fn clear_calls(&self) {
        self.calls.borrow_mut().log.clear();
    }

    /// A `VM` for a program's `router_entrypoint`.
    pub fn host(&self) -> VM {
        VM {
            host: Box::new(self.clone()),
        }
    }

    fn answer(&self, record: CallRecord, outs_len: &mut usize) -> u8 {
        let mut calls = self.calls.borrow_mut();
        let result = if record.to == Address::with_last_byte(1) {
            Ok(ecrecover(&record.data))
        } else {
            let r = (calls.handler)(&record);
            calls.log.push(record);
            r
        };
        let (status, data) = match result {
            Ok(d) => (0, d),
            Err(d) => (1, d),
        };
        *outs_len = data.len();
        calls.return_data = data;
        status
    }
}

/// The ecrecover precompile: 32 bytes of address for a recoverable signature, nothing otherwise.
fn ecrecover(input: &[u8]) -> Vec<u8> {
    let mut padded = [0u8; 128];
    let n = input.len().min(128);
    padded[..n].copy_from_slice(&input[..n]);
    let digest = B256::from_slice(&padded[..32]);
    if padded[32..63].iter().any(|&b| b != 0) || !matches!(padded[63], 27 | 28) {
        return Vec::new();
    }
    let sig = Signature {
        r: B256::from_slice(&padded[64..96]),
        s: B256::from_slice(&padded[96..]),
        v: padded[63],
    };
    match recover(&digest, &sig) {
        Ok(a) => B256::left_padding_from(a.as_slice()).to_vec(),
        Err(_) => Vec::new(),
    }
}

impl Host for PerunVM {}

impl CryptographyAccess for PerunVM {
    fn native_keccak256(&self, input: &[u8]) -> B256 {
        self.vm.native_keccak256(input)
    }
}

impl CalldataAccess for PerunVM {
    fn read_args(&self, len: usize) -> Vec<u8> {
        self.vm.read_args(len)
    }
    fn read_return_data(&self, offset: usize, size: Option<usize>) -> Vec<u8> {
        let calls = self.calls.borrow();
        let data = &calls.return_data;
        let start = offset.min(data.len());
        let end = size.map_or(data.len(), |s| (start + s).min(data.len()));
        data[start..end].to_vec()
    }
    fn return_data_size(&self) -> usize {
        self.calls.borrow().return_data.len()
    }
    fn write_result(&self, data: &[u8]) {
        self.vm.write_result(data)
    }
}

#[allow(unsafe_code)]
unsafe impl UnsafeDeploymentAccess for PerunVM {
    unsafe fn create1(&self, code: *const u8, len: usize, e: *const u8, c: *mut u8, r: *mut usize) {
        // SAFETY: forwarded unchanged to TestVM's implementation.
        unsafe { self.vm.create1(code, len, e, c, r) }
    }
    unsafe fn create2(
        &self,
        code: *const u8,
        len: usize,
        e: *const u8,
        salt: *const u8,
        c: *mut u8,
        r: *mut usize,
    ) {
        // SAFETY: forwarded unchanged to TestVM's implementation.
        unsafe { self.vm.create2(code, len, e, salt, c, r) }
    }
}

impl StorageAccess for PerunVM {
    #[allow(unsafe_code)]
    unsafe fn storage_cache_bytes32(&self, key: U256, value: B256) {
        // SAFETY: forwarded unchanged to TestVM's implementation.
        unsafe { self.vm.storage_cache_bytes32(key, value) }
    }
    fn flush_cache(&self, clear: bool) {
        self.vm.flush_cache(clear)
    }
    fn storage_load_bytes32(&self, key: U256) -> B256 {
        self.vm.storage_load_bytes32(key)
    }
}

/// Reads `len` bytes at `ptr`, as the host ABI passes them.
///
/// # Safety
/// `ptr` must point to `len` readable bytes.
#[allow(unsafe_code)]
unsafe fn bytes(ptr: *const u8, len: usize) -> Vec<u8> {
    // SAFETY: guaranteed by the caller.
    unsafe { std::slice::from_raw_parts(ptr, len).to_vec() }
}

#[allow(unsafe_code)]
unsafe impl UnsafeCallAccess for PerunVM {
    unsafe fn call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        value: *const u8,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: stylus-sdk passes 20 address bytes, `data_len` calldata bytes, 32 value bytes.
        let record = unsafe {
            CallRecord {
                to: Address::from_slice(&bytes(to, 20)),
                data: bytes(data, data_len),
                value: U256::from_be_slice(&bytes(value, 32)),
                is_static: false,
            }
        };
        self.answer(record, outs_len)
    }
    unsafe fn delegate_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: as for `call_contract`.
        let record = unsafe {
            CallRecord {
                to: Address::from_slice(&bytes(to, 20)),
                data: bytes(data, data_len),
                value: U256::ZERO,
                is_static: false,
            }
        };
        self.answer(record, outs_len)
    }
    unsafe fn static_call_contract(
        &self,
        to: *const u8,
        data: *const u8,
        data_len: usize,
        _gas: u64,
        outs_len: &mut usize,
    ) -> u8 {
        // SAFETY: as for `call_contract`.
        let record = unsafe {
            CallRecord {
                to: Address::from_slice(&bytes(to, 20)),
                data: bytes(data, data_len),
                value: U256::ZERO,
                is_static: true,
            }
        };
        self.answer(record, outs_len)
    }
}

impl BlockAccess for PerunVM {
    fn block_basefee(&self) -> U256 {
        self.vm.block_basefee()
    }
    fn block_coinbase(&self) -> Address {
        self.vm.block_coinbase()
    }
    fn block_gas_limit(&self) -> u64 {
        self.vm.block_gas_limit()
    }
    fn block_number(&self) -> u64 {
        self.vm.block_number()
    }
    fn block_timestamp(&self) -> u64 {
        self.vm.block_timestamp()
    }
}

impl ChainAccess for PerunVM {
    fn chain_id(&self) -> u64 {
        self.vm.chain_id()
    }
}

impl AccountAccess for PerunVM {
    fn balance(&self, account: Address) -> U256 {
        self.vm.balance(account)
    }
    fn code(&self, account: Address) -> Vec<u8> {
        self.vm.code(account)
    }
    fn code_hash(&self, account: Address) -> B256 {
        self.vm.code_hash(account)
    }
    fn code_size(&self, account: Address) -> usize {
        self.vm.code_size(account)
    }
    fn contract_address(&self) -> Address {
        self.vm.contract_address()
    }
}

impl MemoryAccess for PerunVM {
    fn pay_for_memory_grow(&self, pages: u16) {
        self.vm.pay_for_memory_grow(pages)
    }
}

impl MessageAccess for PerunVM {
    fn msg_reentrant(&self) -> bool {
        self.vm.msg_reentrant()
    }
    fn msg_sender(&self) -> Address {
        self.vm.msg_sender()
    }
    fn msg_value(&self) -> U256 {
        self.vm.msg_value()
    }
    fn tx_origin(&self) -> Address {
        self.vm.tx_origin()
    }
}

impl MeteringAccess for PerunVM {
    fn evm_gas_left(&self) -> u64 {
        self.vm.evm_gas_left()
    }
    fn evm_ink_left(&self) -> u64 {
        self.vm.evm_ink_left()
    }
    fn tx_gas_price(&self) -> U256 {
        self.vm.tx_gas_price()
    }
    fn tx_ink_price(&self) -> u32 {
        self.vm.tx_ink_price()
    }
}

impl RawLogAccess for PerunVM {
    fn emit_log(&self, input: &[u8], num_topics: usize) {
        self.vm.emit_log(input, num_topics)
    }
    fn raw_log(&self, topics: &[B256], data: &[u8]) -> Result<(), &'static str> {
        self.vm.raw_log(topics, data)
    }
}

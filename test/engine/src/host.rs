//! The 34 `vm_hooks` host functions of Stylus, linked into every program instance.
//!
//! A hook that needs only the call's own data (its calldata, return data, storage cache, block
//! and message values) answers at once from [`HostData`]. A hook that needs the EVM state or
//! makes a call suspends the program: it returns a [`HostReq`] as a wasmi host error, which
//! `call_resumable` hands to the Stylus frame; the frame performs it against revm's journal
//! (possibly running a child frame first) and resumes the program with the hook's results.

use crate::pricing;
use revm::primitives::{keccak256, Address, B256, U256};
use std::collections::HashMap;
use std::fmt;
use wasmi::errors::HostError;
use wasmi::{Caller, Engine, Error, Linker, Memory};

/// The block, transaction and message values a program can read, fixed when its call starts.
#[derive(Clone, Debug, Default)]
pub struct Env {
    /// `msg.sender`.
    pub sender: Address,
    /// `msg.value`.
    pub value: U256,
    /// The program's own address (the storage context).
    pub contract: Address,
    /// `tx.origin`.
    pub origin: Address,
    /// `tx.gasprice`.
    pub gas_price: U256,
    /// `block.basefee`.
    pub basefee: U256,
    /// `block.coinbase`.
    pub coinbase: Address,
    /// `block.gaslimit`.
    pub gas_limit: u64,
    /// `block.number`.
    pub number: u64,
    /// `block.timestamp`.
    pub timestamp: u64,
    /// `block.chainid`.
    pub chain_id: u64,
    /// Whether the program is already on the call stack.
    pub reentrant: bool,
}

/// A program's storage cache: loads go through it, writes wait in it until a flush.
#[derive(Clone, Debug, Default)]
pub struct StorageCache {
    values: HashMap<B256, B256>,
    dirty: Vec<B256>,
}

impl StorageCache {
    /// The cached value of `key`, if loaded or written since the last clearing flush.
    pub fn get(&self, key: &B256) -> Option<B256> {
        self.values.get(key).copied()
    }

    /// Records a value loaded from the state.
    pub fn loaded(&mut self, key: B256, value: B256) {
        self.values.insert(key, value);
    }

    /// Buffers a write.
    pub fn write(&mut self, key: B256, value: B256) {
        if !self.dirty.contains(&key) {
            self.dirty.push(key);
        }
        self.values.insert(key, value);
    }

    /// The dirty slots in the order they were first written, and marks them clean; drops every
    /// cached value if `clear`.
    pub fn take_dirty(&mut self, clear: bool) -> Vec<(B256, B256)> {
        let slots = self.dirty.drain(..).map(|k| (k, self.values[&k])).collect();
        if clear {
            self.values.clear();
        }
        slots
    }

    /// The number of cached values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// What a program's instance holds for one call.
#[derive(Debug, Default)]
pub struct HostData {
    /// The exported memory, set after instantiation.
    pub memory: Option<Memory>,
    /// The calldata.
    pub args: Vec<u8>,
    /// What `write_result` wrote.
    pub output: Vec<u8>,
    /// The return data of the last call or create.
    pub return_data: Vec<u8>,
    /// The block, transaction and message values.
    pub env: Env,
    /// The storage cache.
    pub cache: StorageCache,
}

/// The kind of an outgoing call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallKind {
    /// `call_contract`.
    Call,
    /// `static_call_contract`.
    Static,
    /// `delegate_call_contract`.
    Delegate,
}

/// What a suspended program asks the frame to do.
#[derive(Clone, Debug)]
pub enum HostReq {
    /// Load `key` from storage (a cache miss) and write it at `dest`.
    SLoad {
        /// The slot.
        key: B256,
        /// Where the value goes.
        dest: u32,
    },
    /// Write the dirty cached slots to storage; drop the cache if `clear`.
    Flush {
        /// Whether to drop the cache.
        clear: bool,
    },
    /// Write `address`'s balance at `dest`.
    Balance {
        /// The account.
        address: Address,
        /// Where the balance goes.
        dest: u32,
    },
    /// Copy `size` bytes of `address`'s code from `offset` to `dest`; resumes with the count.
    Code {
        /// The account.
        address: Address,
        /// The first byte to copy.
        offset: u32,
        /// How many bytes at most.
        size: u32,
        /// Where they go.
        dest: u32,
    },
    /// Resume with the length of `address`'s code.
    CodeSize {
        /// The account.
        address: Address,
    },
    /// Write `address`'s code hash at `dest`.
    CodeHash {
        /// The account.
        address: Address,
        /// Where the hash goes.
        dest: u32,
    },
    /// Emit a log.
    Log {
        /// Its topics.
        topics: Vec<B256>,
        /// Its data.
        data: Vec<u8>,
    },
    /// Call another account; resumes with the status and writes the return data's length.
    Call {
        /// Which kind of call.
        kind: CallKind,
        /// The callee.
        to: Address,
        /// The calldata.
        input: Vec<u8>,
        /// The value sent (zero for static and delegate calls).
        value: U256,
        /// The gas the program offers (`u64::MAX`: all it may).
        gas: u64,
        /// Where the return data's length goes.
        ret_len: u32,
    },
    /// Deploy a contract with `code` as init code.
    Create {
        /// `create2`'s salt, or `None` for `create1`.
        salt: Option<B256>,
        /// The init code.
        code: Vec<u8>,
        /// The endowment.
        value: U256,
        /// Where the new address (zero on failure) goes.
        contract: u32,
        /// Where the revert data's length goes.
        revert_len: u32,
    },
}

impl fmt::Display for HostReq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stylus host request: {self:?}")
    }
}

impl HostError for HostReq {}

fn memory(c: &Caller<'_, HostData>) -> Result<Memory, Error> {
    c.data()
        .memory
        .ok_or_else(|| Error::new("program has no memory"))
}

/// Reads `len` bytes of guest memory at `ptr`.
///
/// # Errors
/// If the range lies outside the memory (the program traps).
pub fn read(c: &Caller<'_, HostData>, ptr: i32, len: u32) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; len as usize];
    memory(c)?.read(c, ptr as u32 as usize, &mut buf)?;
    Ok(buf)
}

fn read_word(c: &Caller<'_, HostData>, ptr: i32) -> Result<B256, Error> {
    Ok(B256::from_slice(&read(c, ptr, 32)?))
}

fn read_address(c: &Caller<'_, HostData>, ptr: i32) -> Result<Address, Error> {
    Ok(Address::from_slice(&read(c, ptr, 20)?))
}

/// Writes `data` into guest memory at `ptr`.
///
/// # Errors
/// If the range lies outside the memory (the program traps).
pub fn write(c: &mut Caller<'_, HostData>, ptr: i32, data: &[u8]) -> Result<(), Error> {
    let m = memory(c)?;
    m.write(c, ptr as u32 as usize, data)?;
    Ok(())
}

fn suspend<T>(req: HostReq) -> Result<T, Error> {
    Err(Error::host(req))
}

macro_rules! hook {
    ($l:ident, $name:literal, $f:expr) => {
        $l.func_wrap("vm_hooks", $name, $f).expect(concat!(
            "vm_hooks::",
            $name,
            " is defined once"
        ));
    };
}

/// The linker with every host function of [`crate::program::HOSTIOS`].
pub fn linker(engine: &Engine) -> Linker<HostData> {
    let mut l = Linker::<HostData>::new(engine);

    // Calldata and return data.
    hook!(l, "read_args", |mut c: Caller<'_, HostData>, dest: i32| {
        let args = std::mem::take(&mut c.data_mut().args);
        let r = write(&mut c, dest, &args);
        c.data_mut().args = args;
        r
    });
    hook!(l, "write_result", |mut c: Caller<'_, HostData>,
                              ptr: i32,
                              len: i32| {
        let out = read(&c, ptr, len as u32)?;
        c.data_mut().output = out;
        Ok(())
    });
    hook!(l, "return_data_size", |c: Caller<'_, HostData>| -> i32 {
        c.data().return_data.len() as i32
    });
    hook!(l, "read_return_data", |mut c: Caller<'_, HostData>,
                                  dest: i32,
                                  offset: i32,
                                  size: i32|
     -> Result<i32, Error> {
        let rd = std::mem::take(&mut c.data_mut().return_data);
        let start = (offset as u32 as usize).min(rd.len());
        let end = start.saturating_add(size as u32 as usize).min(rd.len());
        let r = write(&mut c, dest, &rd[start..end]);
        c.data_mut().return_data = rd;
        r.map(|()| (end - start) as i32)
    });

    // Message, transaction and block values.
    hook!(l, "msg_sender", |mut c: Caller<'_, HostData>, dest: i32| {
        let a = c.data().env.sender;
        write(&mut c, dest, a.as_slice())
    });
    hook!(l, "msg_value", |mut c: Caller<'_, HostData>, dest: i32| {
        let v = c.data().env.value;
        write(&mut c, dest, &v.to_be_bytes::<32>())
    });
    hook!(l, "msg_reentrant", |c: Caller<'_, HostData>| -> i32 {
        i32::from(c.data().env.reentrant)
    });
    hook!(
        l,
        "contract_address",
        |mut c: Caller<'_, HostData>, dest: i32| {
            let a = c.data().env.contract;
            write(&mut c, dest, a.as_slice())
        }
    );
    hook!(l, "tx_origin", |mut c: Caller<'_, HostData>, dest: i32| {
        let a = c.data().env.origin;
        write(&mut c, dest, a.as_slice())
    });
    hook!(l, "tx_gas_price", |mut c: Caller<'_, HostData>,
                              dest: i32| {
        let v = c.data().env.gas_price;
        write(&mut c, dest, &v.to_be_bytes::<32>())
    });
    hook!(l, "tx_ink_price", |_c: Caller<'_, HostData>| -> i32 {
        pricing::INK_PER_GAS as i32
    });
    hook!(
        l,
        "block_basefee",
        |mut c: Caller<'_, HostData>, dest: i32| {
            let v = c.data().env.basefee;
            write(&mut c, dest, &v.to_be_bytes::<32>())
        }
    );
    hook!(
        l,
        "block_coinbase",
        |mut c: Caller<'_, HostData>, dest: i32| {
            let a = c.data().env.coinbase;
            write(&mut c, dest, a.as_slice())
        }
    );
    hook!(l, "block_gas_limit", |c: Caller<'_, HostData>| -> i64 {
        c.data().env.gas_limit as i64
    });
    hook!(l, "block_number", |c: Caller<'_, HostData>| -> i64 {
        c.data().env.number as i64
    });
    hook!(l, "block_timestamp", |c: Caller<'_, HostData>| -> i64 {
        c.data().env.timestamp as i64
    });
    hook!(l, "chainid", |c: Caller<'_, HostData>| -> i64 {
        c.data().env.chain_id as i64
    });

    // Metering.
    hook!(l, "evm_gas_left", |c: Caller<'_, HostData>| -> i64 {
        (pricing::ink_left(&c) / pricing::INK_PER_GAS) as i64
    });
    hook!(l, "evm_ink_left", |c: Caller<'_, HostData>| -> i64 {
        pricing::ink_left(&c) as i64
    });
    hook!(
        l,
        "pay_for_memory_grow",
        |_c: Caller<'_, HostData>, _pages: i32| {}
    );

    // Hashing.
    hook!(
        l,
        "native_keccak256",
        |mut c: Caller<'_, HostData>, ptr: i32, len: i32, out: i32| {
            let data = read(&c, ptr, len as u32)?;
            write(&mut c, out, keccak256(data).as_slice())
        }
    );

    // Storage: loads through the cache, writes into it, flushes through the frame.
    hook!(
        l,
        "storage_load_bytes32",
        |mut c: Caller<'_, HostData>, key: i32, dest: i32| {
            let key = read_word(&c, key)?;
            match c.data().cache.get(&key) {
                Some(v) => write(&mut c, dest, v.as_slice()),
                None => suspend(HostReq::SLoad {
                    key,
                    dest: dest as u32,
                }),
            }
        }
    );
    hook!(
        l,
        "storage_cache_bytes32",
        |mut c: Caller<'_, HostData>, key: i32, value: i32| {
            let key = read_word(&c, key)?;
            let value = read_word(&c, value)?;
            c.data_mut().cache.write(key, value);
            Ok(())
        }
    );
    hook!(l, "storage_flush_cache", |_c: Caller<'_, HostData>,
                                     clear: i32|
     -> Result<(), Error> {
        suspend(HostReq::Flush { clear: clear != 0 })
    });

    // Accounts.
    hook!(l, "account_balance", |c: Caller<'_, HostData>,
                                 address: i32,
                                 dest: i32|
     -> Result<(), Error> {
        suspend(HostReq::Balance {
            address: read_address(&c, address)?,
            dest: dest as u32,
        })
    });
    hook!(l, "account_code", |c: Caller<'_, HostData>,
                              address: i32,
                              offset: i32,
                              size: i32,
                              dest: i32|
     -> Result<i32, Error> {
        suspend(HostReq::Code {
            address: read_address(&c, address)?,
            offset: offset as u32,
            size: size as u32,
            dest: dest as u32,
        })
    });
    hook!(l, "account_code_size", |c: Caller<'_, HostData>,
                                   address: i32|
     -> Result<i32, Error> {
        suspend(HostReq::CodeSize {
            address: read_address(&c, address)?,
        })
    });
    hook!(l, "account_codehash", |c: Caller<'_, HostData>,
                                  address: i32,
                                  dest: i32|
     -> Result<(), Error> {
        suspend(HostReq::CodeHash {
            address: read_address(&c, address)?,
            dest: dest as u32,
        })
    });

    // Logs.
    hook!(l, "emit_log", |c: Caller<'_, HostData>,
                          ptr: i32,
                          len: i32,
                          topics: i32|
     -> Result<(), Error> {
        let buf = read(&c, ptr, len as u32)?;
        let n = topics as u32 as usize;
        if n > 4 || 32 * n > buf.len() {
            return Err(Error::new(
                "emit_log: more than 4 topics, or topics past the data",
            ));
        }
        let topics = buf[..32 * n].chunks(32).map(B256::from_slice).collect();
        suspend(HostReq::Log {
            topics,
            data: buf[32 * n..].to_vec(),
        })
    });

    // Calls and creates.
    hook!(l, "call_contract", |c: Caller<'_, HostData>,
                               to: i32,
                               data: i32,
                               len: i32,
                               value: i32,
                               gas: i64,
                               ret_len: i32|
     -> Result<i32, Error> {
        suspend(HostReq::Call {
            kind: CallKind::Call,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::from_be_bytes(read_word(&c, value)?.0),
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "static_call_contract", |c: Caller<'_, HostData>,
                                      to: i32,
                                      data: i32,
                                      len: i32,
                                      gas: i64,
                                      ret_len: i32|
     -> Result<i32, Error> {
        suspend(HostReq::Call {
            kind: CallKind::Static,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::ZERO,
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "delegate_call_contract", |c: Caller<'_, HostData>,
                                        to: i32,
                                        data: i32,
                                        len: i32,
                                        gas: i64,
                                        ret_len: i32|
     -> Result<i32, Error> {
        suspend(HostReq::Call {
            kind: CallKind::Delegate,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::ZERO,
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "create1", |c: Caller<'_, HostData>,
                         code: i32,
                         len: i32,
                         value: i32,
                         contract: i32,
                         revert_len: i32|
     -> Result<(), Error> {
        suspend(HostReq::Create {
            salt: None,
            code: read(&c, code, len as u32)?,
            value: U256::from_be_bytes(read_word(&c, value)?.0),
            contract: contract as u32,
            revert_len: revert_len as u32,
        })
    });
    hook!(l, "create2", |c: Caller<'_, HostData>,
                         code: i32,
                         len: i32,
                         value: i32,
                         salt: i32,
                         contract: i32,
                         revert_len: i32|
     -> Result<(), Error> {
        suspend(HostReq::Create {
            salt: Some(read_word(&c, salt)?),
            code: read(&c, code, len as u32)?,
            value: U256::from_be_bytes(read_word(&c, value)?.0),
            contract: contract as u32,
            revert_len: revert_len as u32,
        })
    });
    l
}

//! The 34 `vm_hooks` host functions of Stylus, linked into every program instance, with
//! Arbitrum's prices.
//!
//! A hook that needs only the call's own data (its calldata, return data, storage cache, block
//! and message values) answers at once from [`HostData`]. A hook that needs the EVM state or
//! makes a call suspends the program: it returns a [`HostReq`] as a wasmi host error, which
//! `call_resumable` hands to the Stylus frame; the frame performs it against revm's journal
//! (possibly running a child frame first) and resumes the program with the hook's results.
//!
//! Each hook charges what Stylus charges, in Stylus's order (see [`crate::pricing`]): ink from
//! the program's `stylus_ink_left` global, gas as ink at the ink price. When the ink does not
//! suffice, the hook sets the status global to 1 and traps (out of ink: the call's gas is gone);
//! a hook given bad arguments traps with the status at 0 (a failure: the call reverts without
//! data and keeps its unspent gas).

use crate::pricing::{
    cache_read_gas, cache_write_gas, keccak_ink, read_ink, write_ink, EVM_API_INK, HOSTIO_INK,
    PTR_INK, STORAGE_ACCESS_GAS,
};
use crate::profile::{Category, Spent};
use revm::primitives::{keccak256, Address, B256, U256};
use std::collections::HashMap;
use std::fmt;
use wasmi::errors::HostError;
use wasmi::{Caller, Engine, Error, Global, Linker, Memory, Val};

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
    /// Whether the program is re-entered (another frame acts for its address).
    pub reentrant: bool,
}

/// One cached slot.
#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The value the program sees.
    value: B256,
    /// The value known to be in the state, if any.
    known: Option<B256>,
}

/// A program call's storage cache: loads go through it, writes wait in it until the program
/// flushes it; it counts its reads and writes for the surcharges.
#[derive(Clone, Debug, Default)]
pub struct StorageCache {
    slots: HashMap<B256, Slot>,
    reads: u64,
    writes: u64,
}

impl StorageCache {
    /// The cached value of `key`, if loaded or written since the last clearing flush.
    pub fn get(&self, key: &B256) -> Option<B256> {
        self.slots.get(key).map(|s| s.value)
    }

    /// Records a value loaded from the state.
    pub fn loaded(&mut self, key: B256, value: B256) {
        self.slots.insert(
            key,
            Slot {
                value,
                known: Some(value),
            },
        );
    }

    /// Buffers a write.
    pub fn write(&mut self, key: B256, value: B256) {
        match self.slots.get_mut(&key) {
            Some(slot) => slot.value = value,
            None => {
                self.slots.insert(key, Slot { value, known: None });
            }
        }
    }

    /// The slots whose value differs from what the state is known to hold, by key; they are
    /// then known to hold it. `clear` empties the cache.
    pub fn flush(&mut self, clear: bool) -> Vec<(B256, B256)> {
        let mut dirty: Vec<(B256, B256)> = self
            .slots
            .iter()
            .filter(|(_, s)| s.known != Some(s.value))
            .map(|(k, s)| (*k, s.value))
            .collect();
        dirty.sort();
        if clear {
            self.slots.clear();
        } else {
            for s in self.slots.values_mut() {
                s.known = Some(s.value);
            }
        }
        dirty
    }

    /// Counts a read; its number in this call, from 1.
    pub fn next_read(&mut self) -> u64 {
        self.reads += 1;
        self.reads
    }

    /// Counts a write; its number in this call, from 1.
    pub fn next_write(&mut self) -> u64 {
        self.writes += 1;
        self.writes
    }
}

/// The instrumentation's globals of an instance.
#[derive(Clone, Copy, Debug)]
pub struct Meter {
    /// `stylus_ink_left` (i64).
    pub ink: Global,
    /// `stylus_ink_status` (i32).
    pub status: Global,
    /// `stylus_stack_left` (i32).
    pub stack: Global,
}

/// What a program's instance holds for one call.
#[derive(Debug, Default)]
pub struct HostData {
    /// The exported memory, set after instantiation.
    pub memory: Option<Memory>,
    /// The metering globals, set after instantiation.
    pub meter: Option<Meter>,
    /// Ink per gas.
    pub ink_price: u64,
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
    /// The account of the last `account_code`/`account_code_size` request and its code.
    pub last_code: Option<(Address, Vec<u8>)>,
    /// The ink spent per category, for the profile.
    pub spent: Spent,
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

/// What a suspended program asks the frame to do. The hook has already charged its own ink.
#[derive(Clone, Debug)]
pub enum HostReq {
    /// Load `key` from storage (a cache miss): SLOAD, then write the value at `dest`.
    SLoad {
        /// The slot.
        key: B256,
        /// Where the value goes.
        dest: u32,
        /// The cache's read surcharge, in gas.
        surcharge: u64,
    },
    /// Write these slots to storage with SSTORE's prices and refunds.
    Flush {
        /// Key and value of each slot, by key.
        slots: Vec<(B256, B256)>,
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
    /// Emit a log (already paid for).
    Log {
        /// Its topics.
        topics: Vec<B256>,
        /// Its data.
        data: Vec<u8>,
    },
    /// Call another account; resumes with the status (0 or 2) and writes the return data's
    /// length.
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
    /// Open `pages` more pages of memory (more than 0) and pay for them.
    MemoryGrow {
        /// How many.
        pages: u32,
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

fn meter(c: &Caller<'_, HostData>) -> Result<Meter, Error> {
    c.data()
        .meter
        .ok_or_else(|| Error::new("program is not metered"))
}

/// The ink a program has left.
pub fn ink_left(c: &Caller<'_, HostData>) -> Result<u64, Error> {
    Ok(meter(c)?.ink.get(c).i64().unwrap_or(0) as u64)
}

/// Charges `ink`, or marks the program out of ink and traps.
///
/// # Errors
/// Out of ink.
pub fn buy(c: &mut Caller<'_, HostData>, ink: u64) -> Result<(), Error> {
    buy_as(c, ink, Category::Host)
}

/// Charges `ink` to `category`, or marks the program out of ink and traps.
///
/// # Errors
/// Out of ink.
pub fn buy_as(c: &mut Caller<'_, HostData>, ink: u64, category: Category) -> Result<(), Error> {
    c.data_mut().spent.add(category, ink);
    let m = meter(c)?;
    let left = ink_left(c)?;
    let Some(rest) = left.checked_sub(ink) else {
        m.status
            .set(&mut *c, Val::I32(1))
            .map_err(|e| Error::new(e.to_string()))?;
        return Err(Error::new("out of ink"));
    };
    m.ink
        .set(&mut *c, Val::I64(rest as i64))
        .map_err(|e| Error::new(e.to_string()))
}

/// Checks that `ink` is left without charging it, or marks the program out of ink and traps.
///
/// # Errors
/// Out of ink.
pub fn require(c: &mut Caller<'_, HostData>, ink: u64) -> Result<(), Error> {
    if ink_left(c)? < ink {
        let m = meter(c)?;
        m.status
            .set(&mut *c, Val::I32(1))
            .map_err(|e| Error::new(e.to_string()))?;
        return Err(Error::new("out of ink"));
    }
    Ok(())
}

fn gas_ink(c: &Caller<'_, HostData>, gas: u64) -> u64 {
    gas.saturating_mul(c.data().ink_price)
}

/// Reads `len` bytes of guest memory at `ptr`.
///
/// # Errors
/// If the range lies outside the memory (the program fails).
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
/// If the range lies outside the memory (the program fails).
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

/// A hook that returns a value of the host data as a wasm integer: 8,400 ink.
macro_rules! value_hook {
    ($l:ident, $name:literal, $t:ty, |$d:ident| $v:expr) => {
        hook!(
            $l,
            $name,
            |mut c: Caller<'_, HostData>| -> Result<$t, Error> {
                buy(&mut c, HOSTIO_INK)?;
                let $d = c.data();
                Ok($v)
            }
        )
    };
}

/// A hook that writes a 20-byte value: 8,400 + one pointer.
fn write_address(mut c: Caller<'_, HostData>, dest: i32, a: Address) -> Result<(), Error> {
    buy(&mut c, HOSTIO_INK + PTR_INK)?;
    write(&mut c, dest, a.as_slice())
}

/// A hook that writes a 32-byte value: 8,400 + one pointer.
fn write_u256(mut c: Caller<'_, HostData>, dest: i32, v: U256) -> Result<(), Error> {
    buy(&mut c, HOSTIO_INK + PTR_INK)?;
    write(&mut c, dest, &v.to_be_bytes::<32>())
}

/// A call's common part: the base ink and twice the read price of its calldata.
fn call_ink(c: &mut Caller<'_, HostData>, pointers: u64, len: i32) -> Result<(), Error> {
    buy(c, HOSTIO_INK + pointers * PTR_INK + EVM_API_INK)?;
    let r = read_ink(len as u32 as usize);
    buy(c, r)?;
    buy(c, r)
}

/// The gas a storage load needs left beyond its hook ink: a cold SLOAD, the access surcharge
/// and the EVM-API share of the ink price.
fn sload_required(c: &Caller<'_, HostData>) -> u64 {
    2_100 + STORAGE_ACCESS_GAS + EVM_API_INK / c.data().ink_price
}

/// The linker with every host function of [`crate::program::HOSTIOS`].
pub fn linker(engine: &Engine) -> Linker<HostData> {
    let mut l = Linker::<HostData>::new(engine);

    // Calldata and return data.
    hook!(l, "read_args", |mut c: Caller<'_, HostData>, dest: i32| {
        buy(&mut c, HOSTIO_INK)?;
        let args = std::mem::take(&mut c.data_mut().args);
        let r = buy(&mut c, write_ink(args.len())).and_then(|()| write(&mut c, dest, &args));
        c.data_mut().args = args;
        r
    });
    hook!(l, "write_result", |mut c: Caller<'_, HostData>,
                              ptr: i32,
                              len: i32| {
        buy(&mut c, HOSTIO_INK)?;
        let r = read_ink(len as u32 as usize);
        buy(&mut c, r)?;
        buy(&mut c, r)?;
        let out = read(&c, ptr, len as u32)?;
        c.data_mut().output = out;
        Ok(())
    });
    value_hook!(l, "return_data_size", i32, |d| d.return_data.len() as i32);
    hook!(l, "read_return_data", |mut c: Caller<'_, HostData>,
                                  dest: i32,
                                  offset: i32,
                                  size: i32|
     -> Result<i32, Error> {
        buy(&mut c, HOSTIO_INK + EVM_API_INK)?;
        let rd = std::mem::take(&mut c.data_mut().return_data);
        let start = (offset as u32 as usize).min(rd.len());
        let end = start.saturating_add(size as u32 as usize).min(rd.len());
        let r = buy(&mut c, write_ink(end - start)).and_then(|()| {
            if end == start {
                Ok(())
            } else {
                write(&mut c, dest, &rd[start..end])
            }
        });
        c.data_mut().return_data = rd;
        r.map(|()| (end - start) as i32)
    });

    // Message, transaction and block values.
    hook!(l, "msg_sender", |c: Caller<'_, HostData>, dest: i32| {
        let a = c.data().env.sender;
        write_address(c, dest, a)
    });
    hook!(l, "msg_value", |c: Caller<'_, HostData>, dest: i32| {
        let v = c.data().env.value;
        write_u256(c, dest, v)
    });
    value_hook!(l, "msg_reentrant", i32, |d| i32::from(d.env.reentrant));
    hook!(
        l,
        "contract_address",
        |c: Caller<'_, HostData>, dest: i32| {
            let a = c.data().env.contract;
            write_address(c, dest, a)
        }
    );
    hook!(l, "tx_origin", |c: Caller<'_, HostData>, dest: i32| {
        let a = c.data().env.origin;
        write_address(c, dest, a)
    });
    hook!(l, "tx_gas_price", |c: Caller<'_, HostData>, dest: i32| {
        let v = c.data().env.gas_price;
        write_u256(c, dest, v)
    });
    value_hook!(l, "tx_ink_price", i32, |d| d.ink_price as i32);
    hook!(l, "block_basefee", |c: Caller<'_, HostData>, dest: i32| {
        let v = c.data().env.basefee;
        write_u256(c, dest, v)
    });
    hook!(l, "block_coinbase", |c: Caller<'_, HostData>, dest: i32| {
        let a = c.data().env.coinbase;
        write_address(c, dest, a)
    });
    value_hook!(l, "block_gas_limit", i64, |d| d.env.gas_limit as i64);
    value_hook!(l, "block_number", i64, |d| d.env.number as i64);
    value_hook!(l, "block_timestamp", i64, |d| d.env.timestamp as i64);
    value_hook!(l, "chainid", i64, |d| d.env.chain_id as i64);

    // Metering.
    hook!(
        l,
        "evm_gas_left",
        |mut c: Caller<'_, HostData>| -> Result<i64, Error> {
            buy(&mut c, HOSTIO_INK)?;
            Ok((ink_left(&c)? / c.data().ink_price) as i64)
        }
    );
    hook!(
        l,
        "evm_ink_left",
        |mut c: Caller<'_, HostData>| -> Result<i64, Error> {
            buy(&mut c, HOSTIO_INK)?;
            Ok(ink_left(&c)? as i64)
        }
    );
    hook!(l, "pay_for_memory_grow", |mut c: Caller<'_, HostData>,
                                     pages: i32|
     -> Result<(), Error> {
        // The page count is a u16 to Stylus.
        let pages = u32::from(pages as u16);
        if pages == 0 {
            return buy(&mut c, HOSTIO_INK);
        }
        suspend(HostReq::MemoryGrow { pages })
    });

    // Hashing.
    hook!(
        l,
        "native_keccak256",
        |mut c: Caller<'_, HostData>, ptr: i32, len: i32, out: i32| {
            buy(&mut c, keccak_ink(len as u32 as usize))?;
            let data = read(&c, ptr, len as u32)?;
            write(&mut c, out, keccak256(data).as_slice())
        }
    );

    // Storage: loads through the cache, writes into it, flushes through the frame.
    hook!(l, "storage_load_bytes32", |mut c: Caller<'_, HostData>,
                                      key: i32,
                                      dest: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
        let need = gas_ink(&c, sload_required(&c));
        require(&mut c, need)?;
        let key = read_word(&c, key)?;
        let n = c.data_mut().cache.next_read();
        let surcharge = cache_read_gas(n);
        match c.data().cache.get(&key) {
            Some(v) => {
                let ink = gas_ink(&c, surcharge);
                buy_as(&mut c, ink, Category::Storage)?;
                write(&mut c, dest, v.as_slice())
            }
            None => suspend(HostReq::SLoad {
                key,
                dest: dest as u32,
                surcharge,
            }),
        }
    });
    hook!(l, "storage_cache_bytes32", |mut c: Caller<'_, HostData>,
                                       key: i32,
                                       value: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + 2 * PTR_INK)?;
        let need = gas_ink(&c, 2_300 + STORAGE_ACCESS_GAS);
        require(&mut c, need)?;
        let key = read_word(&c, key)?;
        let value = read_word(&c, value)?;
        let n = c.data_mut().cache.next_write();
        let ink = gas_ink(&c, cache_write_gas(n));
        c.data_mut().cache.write(key, value);
        buy_as(&mut c, ink, Category::Storage)
    });
    hook!(l, "storage_flush_cache", |mut c: Caller<'_, HostData>,
                                     clear: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + EVM_API_INK)?;
        let need = gas_ink(&c, 2_300);
        require(&mut c, need)?;
        let slots = c.data_mut().cache.flush(clear != 0);
        if slots.is_empty() {
            return Ok(());
        }
        suspend(HostReq::Flush { slots })
    });

    // Accounts.
    hook!(l, "account_balance", |mut c: Caller<'_, HostData>,
                                 address: i32,
                                 dest: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
        let need = gas_ink(&c, 2_600);
        require(&mut c, need)?;
        suspend(HostReq::Balance {
            address: read_address(&c, address)?,
            dest: dest as u32,
        })
    });
    hook!(l, "account_code", |mut c: Caller<'_, HostData>,
                              address: i32,
                              offset: i32,
                              size: i32,
                              dest: i32|
     -> Result<i32, Error> {
        buy(&mut c, HOSTIO_INK + EVM_API_INK)?;
        let need = gas_ink(&c, 2_600);
        require(&mut c, need)?;
        suspend(HostReq::Code {
            address: read_address(&c, address)?,
            offset: offset as u32,
            size: size as u32,
            dest: dest as u32,
        })
    });
    hook!(l, "account_code_size", |mut c: Caller<'_, HostData>,
                                   address: i32|
     -> Result<i32, Error> {
        buy(&mut c, HOSTIO_INK + EVM_API_INK)?;
        let need = gas_ink(&c, 2_600);
        require(&mut c, need)?;
        suspend(HostReq::CodeSize {
            address: read_address(&c, address)?,
        })
    });
    hook!(l, "account_codehash", |mut c: Caller<'_, HostData>,
                                  address: i32,
                                  dest: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + 2 * PTR_INK + EVM_API_INK)?;
        let need = gas_ink(&c, 2_600);
        require(&mut c, need)?;
        suspend(HostReq::CodeHash {
            address: read_address(&c, address)?,
            dest: dest as u32,
        })
    });

    // Logs.
    hook!(l, "emit_log", |mut c: Caller<'_, HostData>,
                          ptr: i32,
                          len: i32,
                          topics: i32|
     -> Result<(), Error> {
        buy(&mut c, HOSTIO_INK + EVM_API_INK)?;
        let (len, n) = (len as u32 as usize, topics as u32 as usize);
        if n > 4 || len < 32 * n {
            return Err(Error::new(
                "emit_log: more than 4 topics, or topics past the data",
            ));
        }
        buy(&mut c, read_ink(len))?;
        let gas = 375 * (1 + n as u64) + 8 * (len - 32 * n) as u64;
        let ink = gas_ink(&c, gas);
        buy_as(&mut c, ink, Category::Logs)?;
        let buf = read(&c, ptr, len as u32)?;
        let topics = buf[..32 * n].chunks(32).map(B256::from_slice).collect();
        suspend(HostReq::Log {
            topics,
            data: buf[32 * n..].to_vec(),
        })
    });

    // Calls and creates.
    hook!(l, "call_contract", |mut c: Caller<'_, HostData>,
                               to: i32,
                               data: i32,
                               len: i32,
                               value: i32,
                               gas: i64,
                               ret_len: i32|
     -> Result<i32, Error> {
        call_ink(&mut c, 3, len)?;
        suspend(HostReq::Call {
            kind: CallKind::Call,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::from_be_bytes(read_word(&c, value)?.0),
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "static_call_contract", |mut c: Caller<'_, HostData>,
                                      to: i32,
                                      data: i32,
                                      len: i32,
                                      gas: i64,
                                      ret_len: i32|
     -> Result<i32, Error> {
        call_ink(&mut c, 3, len)?;
        suspend(HostReq::Call {
            kind: CallKind::Static,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::ZERO,
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "delegate_call_contract", |mut c: Caller<
        '_,
        HostData,
    >,
                                        to: i32,
                                        data: i32,
                                        len: i32,
                                        gas: i64,
                                        ret_len: i32|
     -> Result<i32, Error> {
        call_ink(&mut c, 3, len)?;
        suspend(HostReq::Call {
            kind: CallKind::Delegate,
            to: read_address(&c, to)?,
            input: read(&c, data, len as u32)?,
            value: U256::ZERO,
            gas: gas as u64,
            ret_len: ret_len as u32,
        })
    });
    hook!(l, "create1", |mut c: Caller<'_, HostData>,
                         code: i32,
                         len: i32,
                         value: i32,
                         contract: i32,
                         revert_len: i32|
     -> Result<(), Error> {
        call_ink(&mut c, 3, len)?;
        suspend(HostReq::Create {
            salt: None,
            code: read(&c, code, len as u32)?,
            value: U256::from_be_bytes(read_word(&c, value)?.0),
            contract: contract as u32,
            revert_len: revert_len as u32,
        })
    });
    hook!(l, "create2", |mut c: Caller<'_, HostData>,
                         code: i32,
                         len: i32,
                         value: i32,
                         salt: i32,
                         contract: i32,
                         revert_len: i32|
     -> Result<(), Error> {
        call_ink(&mut c, 4, len)?;
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

//! A small chain for tests: one [`StylusEvm`] over an in-memory database, with helpers to place
//! and create contracts, send transactions and read state, and hooks on program lifetimes (a
//! program's activation time and version, the chain's Stylus version: [`crate::arbwasm`]).

use crate::arbwasm::{
    hours_since_arbitrum, record_slot, LifetimeParams, ProgramRecord, ARBOS_STATE,
};
use crate::evm::StylusEvm;
use crate::program::{deployed_code, is_stylus};
use revm::bytecode::Bytecode;
use revm::context::result::{ExecutionResult, HaltReason, Output};
use revm::context::{BlockEnv, CfgEnv, Context, Journal, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{keccak256, Address, Bytes, Log, TxKind, B256, U256};
use revm::state::AccountInfo;
use revm::{DatabaseRef, ExecuteCommitEvm, ExecuteEvm, MainContext};

/// The context type of a [`Chain`].
pub type ChainContext = Context<BlockEnv, TxEnv, CfgEnv, InMemoryDB, Journal<InMemoryDB>, ()>;

/// The gas limit of every transaction unless a test sets another.
pub const TX_GAS: u64 = 30_000_000;

/// What a transaction did.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Whether it succeeded.
    pub success: bool,
    /// Return data, or revert data.
    pub output: Bytes,
    /// Why it halted, if it did.
    pub halt: Option<HaltReason>,
    /// Its logs (none unless it succeeded).
    pub logs: Vec<Log>,
    /// Gas used: 21,000 + calldata + execution, after refunds.
    pub gas_used: u64,
    /// The address a create made.
    pub created: Option<Address>,
    /// The last trap of a Stylus program during the transaction, and why.
    pub trap: Option<(Address, String)>,
}

impl Outcome {
    fn from(r: ExecutionResult<HaltReason>) -> Self {
        let gas_used = r.tx_gas_used();
        match r {
            ExecutionResult::Success { logs, output, .. } => {
                let (output, created) = match output {
                    Output::Call(b) => (b, None),
                    Output::Create(b, a) => (b, a),
                };
                Outcome {
                    success: true,
                    output,
                    halt: None,
                    logs,
                    gas_used,
                    created,
                    trap: None,
                }
            }
            ExecutionResult::Revert { output, .. } => Outcome {
                success: false,
                output,
                halt: None,
                logs: Vec::new(),
                gas_used,
                created: None,
                trap: None,
            },
            ExecutionResult::Halt { reason, .. } => Outcome {
                success: false,
                output: Bytes::new(),
                halt: Some(reason),
                logs: Vec::new(),
                gas_used,
                created: None,
                trap: None,
            },
        }
    }
}

/// A test chain.
pub struct Chain {
    /// The EVM.
    pub evm: StylusEvm<ChainContext>,
    /// The gas limit of the next transactions.
    pub gas_limit: u64,
}

impl Chain {
    /// A Cancun chain with id `chain_id` at time `timestamp`, without gas fees or nonce checks.
    pub fn new(chain_id: u64, timestamp: u64) -> Self {
        let mut cfg = CfgEnv::new_with_spec(SpecId::CANCUN);
        cfg.chain_id = chain_id;
        cfg.disable_nonce_check = true;
        cfg.tx_gas_limit_cap = Some(u64::MAX);
        // Deployed Stylus code starts with 0xEF, which EIP-3541 bars from creation.
        cfg.disable_eip3541 = true;
        let block = BlockEnv {
            number: U256::from(1),
            timestamp: U256::from(timestamp),
            gas_limit: u64::MAX,
            ..Default::default()
        };
        let mut db = InMemoryDB::default();
        // ArbOS's state account has a nonce, so that it is never an empty account.
        db.insert_account_info(
            ARBOS_STATE,
            AccountInfo {
                nonce: 1,
                ..Default::default()
            },
        );
        let ctx = Context::mainnet()
            .with_db(db)
            .with_cfg(cfg)
            .with_block(block);
        Chain {
            evm: StylusEvm::new(ctx),
            gas_limit: TX_GAS,
        }
    }

    /// Sets an account's balance.
    pub fn fund(&mut self, a: Address, wei: U256) {
        let db = &mut self.evm.ctx.journaled_state.database;
        let mut info = db.basic_ref(a).ok().flatten().unwrap_or_default();
        info.balance = wei;
        db.insert_account_info(a, info);
    }

    /// Places runtime `code` at `a` (EVM bytecode or deployed Stylus code). Stylus code counts
    /// as activated now unless its code hash is active already or the chain's
    /// [`LifetimeParams::activate_on_deploy`] is off.
    pub fn place(&mut self, a: Address, code: Bytes) {
        if is_stylus(&code) && self.evm.stylus.lifetime().activate_on_deploy {
            let hash = keccak256(&code);
            let now = self.timestamp();
            let params = self.evm.stylus.lifetime();
            if self.program_record(hash).active(now, params).is_err() {
                let record = ProgramRecord::activated(&code, now, params);
                self.set_program_record(hash, record);
            }
        }
        let db = &mut self.evm.ctx.journaled_state.database;
        let balance = db
            .basic_ref(a)
            .ok()
            .flatten()
            .map_or(U256::ZERO, |i| i.balance);
        db.insert_account_info(
            a,
            AccountInfo::from_bytecode(Bytecode::new_raw(code)).with_balance(balance),
        );
    }

    /// Places the program `wasm` at `a`, compressed as Stylus deploys it.
    pub fn place_program(&mut self, a: Address, wasm: &[u8]) {
        self.place(a, deployed_code(wasm).into());
    }

    /// Sets a storage slot.
    pub fn set_storage(&mut self, a: Address, slot: U256, value: U256) {
        let db = &mut self.evm.ctx.journaled_state.database;
        // The in-memory database cannot fail.
        db.insert_account_storage(a, slot, value)
            .expect("in-memory storage");
    }

    /// A storage slot.
    pub fn storage(&self, a: Address, slot: U256) -> U256 {
        self.evm
            .ctx
            .journaled_state
            .database
            .storage_ref(a, slot)
            .unwrap_or_default()
    }

    /// An account's balance.
    pub fn balance(&self, a: Address) -> U256 {
        self.evm
            .ctx
            .journaled_state
            .database
            .basic_ref(a)
            .ok()
            .flatten()
            .map_or(U256::ZERO, |i| i.balance)
    }

    /// An account's code.
    pub fn code(&self, a: Address) -> Bytes {
        self.evm
            .ctx
            .journaled_state
            .database
            .basic_ref(a)
            .ok()
            .flatten()
            .and_then(|i| i.code)
            .map_or_else(Bytes::new, |c| c.original_bytes())
    }

    /// An account's code hash (`keccak256` of its code; that of no code for an empty account).
    pub fn code_hash(&self, a: Address) -> B256 {
        keccak256(self.code(a))
    }

    /// The chain's rules for program lifetimes.
    pub fn lifetime(&self) -> &LifetimeParams {
        self.evm.stylus.lifetime()
    }

    /// Sets the chain's rules for program lifetimes.
    pub fn set_lifetime(&mut self, params: LifetimeParams) {
        self.evm.stylus.set_lifetime(params);
    }

    /// Sets the chain's Stylus version, as an ArbOS upgrade does: programs activated under
    /// another version need `activateProgram` again.
    pub fn set_stylus_version(&mut self, version: u16) {
        let mut p = self.lifetime().clone();
        p.version = version;
        self.set_lifetime(p);
    }

    /// The activation record of code hash `codehash` (all zero if it has none).
    pub fn program_record(&self, codehash: B256) -> ProgramRecord {
        let word = self.storage(ARBOS_STATE, record_slot(codehash));
        ProgramRecord::unpack(B256::from(word))
    }

    /// Sets the activation record of code hash `codehash`.
    pub fn set_program_record(&mut self, codehash: B256, record: ProgramRecord) {
        let word = U256::from_be_bytes(record.pack().0);
        self.set_storage(ARBOS_STATE, record_slot(codehash), word);
    }

    /// Sets when the program at `program` was activated (or last kept alive), as nitro records
    /// it: in whole hours since 2015-01-16 06:00 UTC.
    pub fn set_activation_time(&mut self, program: Address, t: u64) {
        let hash = self.code_hash(program);
        let mut r = self.program_record(hash);
        r.activated_at = hours_since_arbitrum(t);
        self.set_program_record(hash, r);
    }

    /// Sets the Stylus version the program at `program` was activated under (0: never).
    pub fn set_program_version(&mut self, program: Address, version: u16) {
        let hash = self.code_hash(program);
        let mut r = self.program_record(hash);
        r.version = version;
        self.set_program_record(hash, r);
    }

    /// The block time.
    pub fn timestamp(&self) -> u64 {
        self.evm.ctx.block.timestamp.saturating_to()
    }

    /// Sets the block time.
    pub fn set_timestamp(&mut self, t: u64) {
        self.evm.ctx.block.timestamp = U256::from(t);
    }

    fn tx(&self, from: Address, kind: TxKind, data: Bytes, value: U256) -> TxEnv {
        TxEnv::builder()
            .caller(from)
            .kind(kind)
            .data(data)
            .value(value)
            .gas_limit(self.gas_limit)
            .gas_price(0)
            .chain_id(Some(self.evm.ctx.cfg.chain_id))
            .build()
            .expect("a complete transaction")
    }

    /// Sends a transaction calling `to` and commits it.
    pub fn call(&mut self, from: Address, to: Address, data: Vec<u8>, value: U256) -> Outcome {
        let tx = self.tx(from, TxKind::Call(to), data.into(), value);
        self.evm.stylus.clear_trap();
        let mut o = Outcome::from(self.evm.transact_commit(tx).expect("a valid transaction"));
        o.trap = self.evm.stylus.last_trap().cloned();
        o
    }

    /// Runs a call without committing it (a view).
    pub fn view(&mut self, from: Address, to: Address, data: Vec<u8>) -> Outcome {
        self.simulate(from, to, data, U256::ZERO)
    }

    /// Runs a call with `value` without committing it (what `eth_call` does).
    pub fn simulate(&mut self, from: Address, to: Address, data: Vec<u8>, value: U256) -> Outcome {
        let tx = self.tx(from, TxKind::Call(to), data.into(), value);
        self.evm.stylus.clear_trap();
        let mut o = Outcome::from(self.evm.transact(tx).expect("a valid transaction").result);
        o.trap = self.evm.stylus.last_trap().cloned();
        o
    }

    /// Sends a create transaction with `init` code and commits it.
    pub fn create(&mut self, from: Address, init: Vec<u8>, value: U256) -> Outcome {
        let tx = self.tx(from, TxKind::Create, init.into(), value);
        self.evm.stylus.clear_trap();
        let mut o = Outcome::from(self.evm.transact_commit(tx).expect("a valid transaction"));
        o.trap = self.evm.stylus.last_trap().cloned();
        o
    }
}

/// Init code that returns `runtime` as the deployed code: `CODECOPY` the runtime that follows a
/// 12-byte prologue, then `RETURN` it.
pub fn init_code(runtime: &[u8]) -> Vec<u8> {
    // PUSH4 len, DUP1, PUSH1 12, PUSH0, CODECOPY(dest 0, offset 12, len), PUSH0, RETURN(0, len):
    // exactly 12 bytes, so the runtime starts at offset 12.
    const PROLOGUE: usize = 12;
    let len = u32::try_from(runtime.len()).expect("runtime code below 4 GiB");
    let mut code = Vec::with_capacity(PROLOGUE + runtime.len());
    code.push(0x63);
    code.extend_from_slice(&len.to_be_bytes());
    code.extend_from_slice(&[0x80, 0x60, PROLOGUE as u8, 0x5f, 0x39, 0x5f, 0xf3]);
    debug_assert_eq!(code.len(), PROLOGUE);
    code.extend_from_slice(runtime);
    code
}

//! Where a Stylus program call's gas went: its entry, its wasm execution, the fixed prices of
//! its host calls, storage, calls, memory growth and logs. The engine records one
//! [`GasProfile`] per program call of the last transaction (`StylusRuntime::profiles`).

use revm::primitives::Address;

/// A kind of cost a program pays besides executing wasm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category {
    /// The fixed ink of host calls, guest-memory copies and keccak.
    Host,
    /// SLOAD and SSTORE gas and the storage cache's surcharges.
    Storage,
    /// Calls and creates, including the gas the callee used.
    Calls,
    /// Memory pages opened while running.
    Memory,
    /// Log gas.
    Logs,
}

/// Ink spent per [`Category`] while a program runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spent {
    /// [`Category::Host`].
    pub host: u64,
    /// [`Category::Storage`].
    pub storage: u64,
    /// [`Category::Calls`].
    pub calls: u64,
    /// [`Category::Memory`].
    pub memory: u64,
    /// [`Category::Logs`].
    pub logs: u64,
}

impl Spent {
    /// Adds `ink` to `category`.
    pub fn add(&mut self, category: Category, ink: u64) {
        let slot = match category {
            Category::Host => &mut self.host,
            Category::Storage => &mut self.storage,
            Category::Calls => &mut self.calls,
            Category::Memory => &mut self.memory,
            Category::Logs => &mut self.logs,
        };
        *slot = slot.saturating_add(ink);
    }

    /// The sum over all categories.
    pub fn total(&self) -> u64 {
        self.host + self.storage + self.calls + self.memory + self.logs
    }
}

/// Where one program call's gas went, in gas.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GasProfile {
    /// The program.
    pub address: Address,
    /// Its call depth.
    pub depth: usize,
    /// Entering it: memory pages and init cost.
    pub entry: u64,
    /// Executing its wasm: the ink of its opcodes (and what rounding ink down to gas lost).
    pub execution: u64,
    /// The fixed prices of its host calls.
    pub host: u64,
    /// Storage.
    pub storage: u64,
    /// Calls and creates, including the callees' gas.
    pub calls: u64,
    /// Memory opened while running.
    pub memory: u64,
    /// Logs.
    pub logs: u64,
    /// Gas the return-data floor took beyond what the program spent.
    pub other: u64,
    /// All gas the call consumed.
    pub total: u64,
}

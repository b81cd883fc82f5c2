//! Snapshots of worlds: the committed chain state (the in-memory database) and the block time,
//! taken once and restored before each random scenario, so a scenario starts from a freshly
//! deployed pair of worlds without deploying again.
//!
//! A world's chain keeps everything a transaction leaves behind in its database: between
//! transactions revm's journal is empty. What a restore does not reset is the engine's caches
//! of compiled programs (keyed by code hash, so still valid) and ArbOS's recently-called-program
//! list, which only changes gas, never a result.

use crate::pair::Pair;
use crate::world::World;
use revm::database::InMemoryDB;

/// The state of one world at a point in time.
#[derive(Clone, Debug)]
pub struct WorldSnapshot {
    db: InMemoryDB,
    timestamp: u64,
}

/// The state of both worlds of a [`Pair`].
#[derive(Clone, Debug)]
pub struct PairSnapshot {
    stylus: WorldSnapshot,
    solidity: WorldSnapshot,
}

impl World {
    /// The world's state now.
    pub fn snapshot(&self) -> WorldSnapshot {
        WorldSnapshot {
            db: self.chain.evm.ctx.journaled_state.database.clone(),
            timestamp: self.chain.timestamp(),
        }
    }

    /// Puts the world back into the state of `snap` (taken from this world).
    pub fn restore(&mut self, snap: &WorldSnapshot) {
        self.chain.evm.ctx.journaled_state.database = snap.db.clone();
        self.chain.set_timestamp(snap.timestamp);
    }
}

impl Pair {
    /// Both worlds' state now.
    pub fn snapshot(&self) -> PairSnapshot {
        PairSnapshot {
            stylus: self.stylus.snapshot(),
            solidity: self.solidity.snapshot(),
        }
    }

    /// Puts both worlds back into the state of `snap` (taken from this pair).
    pub fn restore(&mut self, snap: &PairSnapshot) {
        self.stylus.restore(&snap.stylus);
        self.solidity.restore(&snap.solidity);
    }
}

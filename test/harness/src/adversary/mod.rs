//! Adversarial random scenarios with a safety oracle (SPEC section 10).
//!
//! The differential scenarios (`crate::scenario`) compare the Stylus programs, the Solidity
//! mirrors and the verifier's model with each other, so a flaw all three share is invisible to
//! them. These scenarios instead let some parties attack and check, from the protocol's
//! semantics alone, that the honest ones do not lose: every party that signs only states it
//! accepts and answers disputes in time (a) gets at least what its latest fully signed state (or
//! the state force-executed from it) gives it; (b) as an intermediary of a virtual channel it
//! funded, nets at least zero across its parents whatever the virtual channel's outcome; (c)
//! concludes every channel it is in within a bounded time, and withdraws. Every transaction
//! still runs on both worlds through [`crate::pair::Pair`], so the implementations must also
//! agree.
//!
//! - [`topology`]: the channels (a ledger channel with sub-channels of subsets of its parties, a
//!   virtual channel through one intermediary, or through two or three) and their funding;
//! - [`plan`]: a scenario: topology, corruption, off-chain updates, adversary actions;
//! - [`raw`]: calldata in canonical and bent layouts, with the hashes today's contracts compute;
//! - [`session`]: a scenario in progress: knowledge, transactions, observations;
//! - [`actions`]: the adversary; [`honest`]: the honest watchers and their conclusion;
//! - [`oracle`]: entitlements, withdrawals and the checks; [`driver`]: runs, seeds, shrinking;
//! - [`coverage`]: the counts of a run; [`rng`]: the seeded random numbers.
//!
//! What the honest parties may rely on: their own states, the calldata and logs of every
//! successful transaction (a `ChannelUpdate`'s indexed topic is taken to be the channel ID, as
//! in v1), the holders' `settled` and `holdings` views of their own ledger channels, and the
//! simulation of a call before sending it. They never read a dispute record: which state is
//! recorded for a sub-channel or virtual channel follows from events and calldata, and only
//! states that fit the funding their parent locked are used.
//!
//! `cargo test -p perun-harness --test adversary` runs `PERUN_ADV_SCENARIOS` scenarios (500)
//! from `PERUN_SEED` (printed; hex) on `PERUN_THREADS` workers, then the known attacks.

pub mod actions;
pub mod coverage;
pub mod driver;
pub mod honest;
pub mod oracle;
pub mod plan;
pub mod raw;
pub mod rng;
pub mod session;
pub mod topology;

pub use oracle::{assert_safe, Outcome, Violation, ViolationKind};

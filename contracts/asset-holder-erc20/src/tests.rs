//! Unit tests (to come).

//! The process-level suite: the `masthead` binary and the library as an
//! operator meets them, one module per concern.
//!
//! - reliability.rs: SIGKILL mid-write, concurrent writers, SIGTERM with
//!   requests in flight, /readyz while the database is away
//! - logging.rs: JSON log lines with request ids and no secrets
//! - scale_out.rs: two processes on one PostgreSQL database
//! - schema_parity.rs: the SQLite and PostgreSQL migrations build one schema
//! - transfer.rs: export and import through the CLI and the library
//! - query_plan.rs: what the article list costs SQLite
//! - end_to_end.rs: the scripts in scripts/ (Schemathesis, the TypeScript
//!   client, the docs page in a browser)
//!
//! PostgreSQL tests skip, or fail under MASTHEAD_REQUIRE_POSTGRES=1, as in
//! the API suite (see support's `PgDatabase::create`).
//!
//! The scripts take the machine for minutes (a fuzzer, a compiler, a
//! browser) and the other tests here have time limits, so a script runs
//! with no other test of this binary beside it: `turn()` and
//! `whole_machine()`.

// A test holds its `turn()` across `.await`s. The deadlock this lint warns
// of, another task of the same runtime waiting for the lock, cannot happen:
// each test runs on a runtime of its own, and only other tests' threads
// ever wait for the lock.
#![allow(clippy::await_holding_lock)]

#[path = "../support/mod.rs"]
mod support;

mod end_to_end;
mod logging;
mod query_plan;
mod reliability;
mod scale_out;
mod schema_parity;
mod transfer;

use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Taken for reading by every test of this binary, for writing by the
/// end-to-end scripts.
static MACHINE: RwLock<()> = RwLock::new(());

/// A test's turn: it may run beside other tests, but not beside a script.
/// A test that failed while holding it does not stop the others.
fn turn() -> RwLockReadGuard<'static, ()> {
    MACHINE.read().unwrap_or_else(|e| e.into_inner())
}

/// A script's turn: no other test of this binary runs meanwhile.
fn whole_machine() -> RwLockWriteGuard<'static, ()> {
    MACHINE.write().unwrap_or_else(|e| e.into_inner())
}

//! What every test binary shares, defined once: the real app on a fresh
//! database (`spawn_app_on`), replies and what tests read out of them
//! (`slugs`, `error_fields`, `next_link` ...), tokens, and for the tests of
//! child processes: requests to them (`send`, `raw_http`), `free_port`
//! and `run_script`.
//!
//! Each binary's main.rs includes this module with `#[path]`.

// Each binary uses only part of this module.
#![allow(dead_code, unused_imports)]

mod app;
mod auth;
mod database;
mod http;
mod process;
mod replies;

pub use app::{TestApp, spawn_app_on, spawn_sqlite_app};
pub use auth::{SECRET, now, token};
pub use database::{Backend, PgDatabase, fresh_database_on, postgres_admin_url, settings_for};
pub use http::{raw_http, read_response, request_head, send};
pub use process::{free_port, on_path, run_script};
pub use replies::{Reply, assert_timestamp, error_fields, names, next_link, slugs};

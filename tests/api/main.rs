//! The integration suite: one binary, the real app over HTTP, a fresh SQLite
//! file per test.

mod helpers;

/// tests/api_postgres runs these same modules on PostgreSQL.
const BACKEND: helpers::Backend = helpers::Backend::Sqlite;

mod articles;
mod authors;
mod bulk;
mod concurrency;
mod delivery;
mod demo;
mod errors;
mod hardening;
mod keys;
mod openapi;
mod related;
mod tags;

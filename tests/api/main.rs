//! The API suite: the real app over HTTP, a fresh database per test, one
//! module per resource. Every module runs twice in this one binary: on a
//! SQLite file (`sqlite::...`) and on a PostgreSQL database of its own
//! (`postgres::...`), so `cargo test --test api sqlite::articles` runs one
//! resource on one backend.
//!
//! PostgreSQL: each test creates a database on the server named by
//! MASTHEAD_TEST_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/test?sslmode=disable) and drops it
//! when it ends. Without a server each PostgreSQL test prints a SKIPPED line
//! and passes, unless MASTHEAD_REQUIRE_POSTGRES=1 (set by .ci/run) makes it
//! a failure.
//!
//! Where a route's tests are:
//! - articles/: one article's routes (mod.rs), lists, paging and `fields`
//!   (lists.rs), full-text search (search.rs)
//! - authors.rs, tags.rs, related.rs: those routes, their lists included
//! - caching.rs: ETags, 304s, If-Match and compressed responses, all routes
//! - errors.rs: the problem+json contract; hardening.rs: hostile input,
//!   rate limits, request ids, metrics, CORS; keys.rs: tokens signed by an
//!   identity provider; openapi.rs: the spec and the docs page
//! - review.rs: what a security review of the running service found
//! - concurrency.rs, demo.rs, transfer.rs: many writes at once, the demo
//!   newsroom, export and import through the library

// Every resource module is loaded twice, once per backend, on purpose.
#![allow(clippy::duplicate_mod)]

#[path = "../support/mod.rs"]
mod support;

/// The resource modules, declared inside a backend's module, with the
/// `helpers` they import: the shared support, with `spawn_app` and
/// `fresh_database` on that backend.
macro_rules! api_suite {
    ($backend:expr) => {
        mod helpers {
            pub use crate::support::*;

            pub const BACKEND: Backend = $backend;

            /// The app on this module's backend; `None` when it is
            /// PostgreSQL and there is no server (the test then returns).
            pub async fn spawn_app() -> Option<TestApp> {
                spawn_app_on(BACKEND, &[]).await
            }

            pub async fn spawn_app_with(extra: &[(&str, &str)]) -> Option<TestApp> {
                spawn_app_on(BACKEND, extra).await
            }

            pub fn fresh_database(
                dir: &std::path::Path,
                file: &str,
            ) -> Option<(String, Option<PgDatabase>)> {
                fresh_database_on(BACKEND, dir, file)
            }
        }

        mod articles;
        mod authors;
        mod caching;
        mod concurrency;
        mod demo;
        mod errors;
        mod hardening;
        mod keys;
        mod media;
        mod openapi;
        mod related;
        mod review;
        mod tags;
        mod transfer;
    };
}

// `#[path = "."]`: both modules' files are the ones beside this file, not
// in sqlite/ and postgres/ directories.
#[path = "."]
mod sqlite {
    api_suite!(crate::support::Backend::Sqlite);
}

#[path = "."]
mod postgres {
    api_suite!(crate::support::Backend::Postgres);
}

//! The integration suite again, every module of tests/api unchanged, on
//! PostgreSQL: each test gets a database of its own on the server named by
//! MASTHEAD_TEST_POSTGRES_URL (default
//! postgres://postgres@127.0.0.1:5432/test?sslmode=disable).
//! Without a server the binary prints a SKIPPED line and runs nothing;
//! MASTHEAD_REQUIRE_POSTGRES=1 (set by .ci/run) makes that a failure.

#[path = "../api/helpers.rs"]
mod helpers;

const BACKEND: helpers::Backend = helpers::Backend::Postgres;

#[path = "../api/articles.rs"]
mod articles;
#[path = "../api/authors.rs"]
mod authors;
#[path = "../api/bulk.rs"]
mod bulk;
#[path = "../api/concurrency.rs"]
mod concurrency;
#[path = "../api/delivery.rs"]
mod delivery;
#[path = "../api/demo.rs"]
mod demo;
#[path = "../api/errors.rs"]
mod errors;
#[path = "../api/hardening.rs"]
mod hardening;
#[path = "../api/keys.rs"]
mod keys;
#[path = "../api/openapi.rs"]
mod openapi;
#[path = "../api/related.rs"]
mod related;
#[path = "../api/tags.rs"]
mod tags;

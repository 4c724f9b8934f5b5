//! The integration suite: one binary, the real app over HTTP, a fresh SQLite
//! file per test.

mod helpers;

mod articles;
mod authors;
mod delivery;
mod demo;
mod errors;
mod hardening;
mod keys;
mod openapi;
mod related;
mod tags;

//! masthead: a headless content API serving articles, authors, tags and
//! related-article links as JSON over HTTP.
//!
//! The arrows point down, and ARCHITECTURE.md draws them: `startup` ->
//! [`api`] (resources) -> [`http`] (plumbing) and [`content`] (write rules)
//! -> [`db`] -> [`domain`]. Nothing below `api` and `http` knows of HTTP.

pub mod api;
pub mod auth;
pub mod config;
pub mod content;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod http;
pub mod imaging;
pub mod malloc_arenas;
pub mod markdown;
pub mod openapi;
pub mod originals;
pub mod rendition_cache;
pub mod startup;
pub mod transfer;

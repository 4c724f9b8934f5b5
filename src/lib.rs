//! masthead: a headless content API serving articles, authors, tags and
//! related-article links as JSON over HTTP.
//!
//! The arrows point one way: [`api`] uses [`domain`] and [`db`]; [`db`] knows
//! nothing of HTTP and [`domain`] knows nothing of either.

pub mod api;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod markdown;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod startup;
pub mod transfer;

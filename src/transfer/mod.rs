//! Bulk export and import: the whole newsroom as NDJSON, one JSON object a
//! line, each with a `type` of `media`, `author`, `tag`, `article` or `link`,
//! written in that order (media, authors, tags and articles by id; links by
//! article, then position). Media come first because authors and articles
//! name them; each carries its original's bytes in base64, read from and
//! stored to wherever the configured `Originals` keep them.
//!
//! A record carries every stored column that is not derived, ids included,
//! so that export, import into an empty database and export again gives the
//! same bytes. What is derived (an article's HTML, excerpt and reading time;
//! the name keys of authors and tags) is left out and recomputed on import
//! with the functions the API writes through.
//!
//! Import checks every line (syntax, type, fields, timestamps, closed sets,
//! references to records earlier in the file or already stored) and writes in
//! batches, one transaction each. At the first bad line it stops: the batches
//! before that line's batch stay committed, nothing of its own batch does
//! (with `MEDIA_DIR`, an original's file is written before its batch commits
//! and is left behind if it does not: files are named by their bytes, so a
//! stray one is harmless and the next import of that item reuses it).
//! A record whose id or slug is already stored is a bad line: import never
//! overwrites.

mod export;
mod import;
mod records;

use std::io;

use crate::db::{DatabaseError, Unavailable};

pub use export::export;
pub use import::{Item, import, parse_line};
pub use records::{
    ArticleRecord, AuthorRecord, FeatureImageRecord, FocalRecord, LinkRecord, MediaRecord, Record,
    TagRecord,
};

/// Lines written per transaction unless the caller says otherwise.
pub const DEFAULT_BATCH_SIZE: usize = 1000;

/// Why an export or import stopped.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// A line of the input is invalid or clashes with what is stored.
    /// `committed` lines (from the first) were imported before it.
    #[error("line {line}: {message}")]
    Line {
        line: u64,
        message: String,
        committed: u64,
    },
    #[error("cannot read the input: {0}")]
    Read(io::Error),
    #[error("cannot write the output: {0}")]
    Write(io::Error),
    /// An original could not be read (export) or kept (import).
    #[error("{0}")]
    Original(String),
    #[error("the database failed: {0}")]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Unavailable(#[from] Unavailable),
}

/// How much an export wrote or an import stored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub media: u64,
    pub authors: u64,
    pub tags: u64,
    pub articles: u64,
    pub links: u64,
}

impl Counts {
    pub(crate) fn add(&mut self, other: Counts) {
        self.media += other.media;
        self.authors += other.authors;
        self.tags += other.tags;
        self.articles += other.articles;
        self.links += other.links;
    }
}

/// Where an import is: lines and bytes read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub lines: u64,
    pub bytes: u64,
}

#[cfg(test)]
mod tests;

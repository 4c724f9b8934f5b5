//! Where uploaded originals are kept: in the database by default, so that
//! replicas on one PostgreSQL share them with nothing else to run, or in a
//! directory (`MEDIA_DIR`). Either way an original is named by the SHA-256
//! of its bytes, so the same bytes are kept once.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::db::{self, Conn};
use crate::error::ApiError;

#[derive(Debug, Clone)]
pub enum Originals {
    Database,
    Directory(PathBuf),
}

/// The hex SHA-256 that names an original.
pub fn content_hash(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push_str(&format!("{byte:02x}"));
    }
    hex
}

impl Originals {
    pub fn new(dir: Option<&Path>) -> std::io::Result<Originals> {
        match dir {
            None => Ok(Originals::Database),
            Some(dir) => {
                std::fs::create_dir_all(dir)?;
                Ok(Originals::Directory(dir.to_owned()))
            }
        }
    }

    /// Keeps the bytes, inside the caller's transaction for the database.
    /// A file is written whole or not at all (a temporary file renamed into
    /// place), and writing it again is harmless: a write closure may run
    /// more than once, and two replicas may store the same bytes at once.
    pub fn store(&self, conn: &mut Conn, hash: &str, bytes: &[u8]) -> Result<(), ApiError> {
        match self {
            Originals::Database => Ok(db::media::store_original(conn, hash, bytes)?),
            Originals::Directory(dir) => {
                let path = file_for(dir, hash);
                if path.exists() {
                    return Ok(());
                }
                write_whole(&path, bytes).map_err(|e| {
                    ApiError::internal(format!("storing an original in MEDIA_DIR: {e}"))
                })
            }
        }
    }

    pub fn load(&self, conn: &mut Conn, hash: &str) -> Result<Option<Vec<u8>>, ApiError> {
        match self {
            Originals::Database => Ok(db::media::load_original(conn, hash)?),
            Originals::Directory(dir) => match std::fs::read(file_for(dir, hash)) {
                Ok(bytes) => Ok(Some(bytes)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(ApiError::internal(format!(
                    "reading an original from MEDIA_DIR: {e}"
                ))),
            },
        }
    }

    /// Drops bytes no item names any more. The database row goes with the
    /// caller's transaction; a file can only go once that has committed, so
    /// its hash is handed back for [`Originals::remove_file`].
    pub fn forget(&self, conn: &mut Conn, hash: &str) -> Result<Option<String>, ApiError> {
        if db::media::hash_in_use(conn, hash)? {
            return Ok(None);
        }
        match self {
            Originals::Database => {
                db::media::delete_original(conn, hash)?;
                Ok(None)
            }
            Originals::Directory(_) => Ok(Some(hash.to_owned())),
        }
    }

    pub fn remove_file(&self, hash: &str) {
        if let Originals::Directory(dir) = self {
            let path = file_for(dir, hash);
            if let Err(e) = std::fs::remove_file(&path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                tracing::warn!(error = %e, "could not remove a deleted original from MEDIA_DIR");
            }
        }
    }
}

/// `dir/ab/abcdef…`: the hash is ours (hex), never a client's text.
fn file_for(dir: &Path, hash: &str) -> PathBuf {
    debug_assert!(hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()));
    dir.join(&hash[..2]).join(hash)
}

fn write_whole(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    // Beside the final name, so that the rename stays within one filesystem.
    let mut file = tempfile::Builder::new()
        .prefix(".incoming-")
        .tempfile_in(parent)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|e| e.error)?;
    Ok(())
}

//! WAL checkpoints on a thread of their own, for a bulk load.
//!
//! By default SQLite checkpoints on the connection that commits: once the
//! WAL passes 1,000 pages, the COMMIT that crossed the line also copies every
//! page back into the database file before it returns. For an import that
//! was a sixth of the writing thread's time, spent while the thread that
//! parses the dump waited for it and the second core sat half idle. A
//! PASSIVE checkpoint from another connection copies the same pages while
//! the writer goes on appending to the WAL: it takes no lock a writer or
//! reader waits for.

use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use diesel::connection::SimpleConnection;

use super::{Conn, dialect};

/// How often the thread checkpoints: about as often as an import of
/// full-sized articles commits a batch, so the WAL is mostly copied before
/// the next batch begins and SQLite can start it over from its head.
const INTERVAL: Duration = Duration::from_millis(100);

/// Checkpoints the WAL every [`INTERVAL`] until dropped, then once more.
pub struct BackgroundCheckpoints {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<()>>,
}

impl BackgroundCheckpoints {
    /// Starts the thread on a connection of its own. `None` on PostgreSQL,
    /// which has nothing of the kind, or when no connection could be opened
    /// (the writer then checkpoints by itself, at [`dialect::WRITER_CHECKPOINT_PAGES`]).
    pub fn start(manager: &dialect::Manager) -> Option<BackgroundCheckpoints> {
        let Ok(Conn::Sqlite(mut conn)) = manager.establish() else {
            return None;
        };
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let stopped = stop.clone();
        let thread = std::thread::Builder::new()
            .name("wal-checkpoint".into())
            .spawn(move || {
                let (lock, wake) = &*stopped;
                let mut done = lock.lock().unwrap_or_else(|p| p.into_inner());
                loop {
                    let last = *done;
                    drop(done);
                    // A busy checkpoint (another one running) is retried at
                    // the next tick; nothing here may fail the import.
                    let _ = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)");
                    if last {
                        return;
                    }
                    done = lock.lock().unwrap_or_else(|p| p.into_inner());
                    if !*done {
                        done = wake
                            .wait_timeout(done, INTERVAL)
                            .unwrap_or_else(|p| p.into_inner())
                            .0;
                    }
                }
            })
            .ok()?;
        Some(BackgroundCheckpoints {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for BackgroundCheckpoints {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;

    /// With the writing connection never checkpointing, the rows reach the
    /// database file itself only through the background thread.
    #[test]
    fn the_thread_copies_the_wal_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("checkpoints.db");
        let manager = dialect::Manager::new(path.to_str().unwrap());
        dialect::prepare(&manager).unwrap();
        let mut writer = manager.establish().unwrap();
        writer
            .batch_execute(
                "PRAGMA wal_autocheckpoint = 0;
                 CREATE TABLE filler (text TEXT NOT NULL);",
            )
            .unwrap();
        let file_size = || std::fs::metadata(&path).unwrap().len();
        let checkpoints = BackgroundCheckpoints::start(&manager).expect("a SQLite file");
        // Let its first (empty) checkpoint pass, then write about 4 MiB.
        std::thread::sleep(INTERVAL);
        let before = file_size();
        for _ in 0..16 {
            diesel::sql_query(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 256)
                 INSERT INTO filler (text) SELECT printf('%.1000c', 'x') FROM n",
            )
            .execute(&mut writer)
            .unwrap();
        }
        drop(checkpoints);
        assert!(
            file_size() >= before + 4 * 1024 * 1024,
            "{before} bytes before, {} after",
            file_size()
        );
        let rows = diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "(SELECT count(*) FROM filler)",
        ))
        .get_result::<i64>(&mut writer)
        .unwrap();
        assert_eq!(rows, 16 * 256);
    }
}

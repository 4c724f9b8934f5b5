//! Group commit for SQLite. SQLite has one writer, and with
//! `synchronous=FULL` every COMMIT waits for the disk, so writers that each
//! commit on their own are bounded by the disk's sync rate, not the CPU.
//! Here writes that arrive while another is running join its transaction:
//! each runs in a savepoint of its own (a failure undoes only its own
//! changes), the last one to run commits them all with one sync, and none
//! returns before that COMMIT has succeeded, so an acknowledged write is as
//! durable as before and read-your-writes still holds.
//!
//! The batch, not each write, bumps the change log, once before its COMMIT:
//! readers in other processes see the whole batch at once anyway.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock};

use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;

use super::{Conn, Unavailable, record_write};

/// The most writes one transaction takes, so that a steady stream of
/// writers still commits (and answers) regularly.
const MAX_BATCH: usize = 64;

pub struct GroupWriter {
    connect: Box<dyn Fn() -> Result<Conn, Unavailable> + Send + Sync>,
    /// Writers that want the turn: the one holding it commits only when
    /// this is zero (or the batch is full).
    queued: AtomicUsize,
    turn: Mutex<Turn>,
    finished: Condvar,
}

struct Turn {
    conn: Option<Conn>,
    /// The batch whose transaction is open, if any.
    open: Option<Batch>,
}

struct Batch {
    size: usize,
    /// Set once when the batch commits or fails; each of its writers keeps
    /// a handle, so none can miss its own batch's outcome.
    outcome: Arc<OnceLock<Result<(), String>>>,
}

impl GroupWriter {
    pub fn new(connect: impl Fn() -> Result<Conn, Unavailable> + Send + Sync + 'static) -> Self {
        GroupWriter {
            connect: Box::new(connect),
            queued: AtomicUsize::new(0),
            turn: Mutex::new(Turn {
                conn: None,
                open: None,
            }),
            finished: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Turn> {
        self.turn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `work` as part of a write transaction and returns once that
    /// transaction has committed (or with the error that kept it from it).
    pub fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error> + From<Unavailable>,
    {
        self.queued.fetch_add(1, Ordering::AcqRel);
        let mut turn = self.lock();
        self.queued.fetch_sub(1, Ordering::AcqRel);
        if turn.conn.is_none() {
            turn.conn = Some((self.connect)()?);
        }
        if turn.open.is_none() {
            let begun = with_sqlite(&mut turn, |c| {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            });
            if let Err(e) = begun {
                // The connection may be unusable; the next writer opens
                // another.
                turn.conn = None;
                return Err(e.into());
            }
            turn.open = Some(Batch {
                size: 0,
                outcome: Arc::default(),
            });
        }
        // Should `work` panic, or its savepoint break, the batch must not
        // stay open with the writers before it waiting for a COMMIT that
        // never comes.
        let mut abort = AbortBatch {
            writer: self,
            turn: Some(turn),
        };
        let turn = abort.turn.as_mut().expect("held until the end");
        let outcome = run_in_savepoint(turn, work);
        let batch = turn.open.as_mut().expect("opened above");
        batch.size += 1;
        let full = batch.size >= MAX_BATCH;
        let batch_outcome = batch.outcome.clone();
        let outcome = match outcome {
            Savepoint::Kept(value) => Ok(value),
            Savepoint::Undone(e) => Err(e),
            Savepoint::Broken(e) => {
                // Dropped armed: the whole batch is rolled back and its
                // waiters are told.
                drop(abort);
                return Err(e.into());
            }
        };
        if self.queued.load(Ordering::Acquire) > 0 && !full {
            // Someone is about to take the turn and join this transaction;
            // the last one in commits for everyone.
            let mut turn = abort.disarm();
            let value = outcome?;
            while batch_outcome.get().is_none() {
                turn = self.finished.wait(turn).unwrap_or_else(|p| p.into_inner());
            }
            return match batch_outcome.get() {
                Some(Err(message)) => {
                    Err(Unavailable(format!("the write was not saved: {message}")).into())
                }
                _ => Ok(value),
            };
        }
        let committed = bump_and_commit(turn);
        let result = match committed {
            Ok(()) => Ok(()),
            Err(e) => {
                // A failed COMMIT can leave the transaction open.
                let _ = with_sqlite(turn, AnsiTransactionManager::rollback_transaction);
                turn.conn = None;
                Err(e.to_string())
            }
        };
        self.finish(turn, result.clone());
        drop(abort.disarm());
        match result {
            Ok(()) => outcome,
            Err(message) => Err(Unavailable(format!("the write was not saved: {message}")).into()),
        }
    }

    /// Marks the open batch finished and wakes the writers waiting on it.
    fn finish(&self, turn: &mut Turn, result: Result<(), String>) {
        if let Some(batch) = turn.open.take() {
            if result.is_ok() {
                record_write();
            }
            let _ = batch.outcome.set(result);
        }
        self.finished.notify_all();
    }
}

enum Savepoint<T, E> {
    /// `work` succeeded; its changes wait for the batch's COMMIT.
    Kept(T),
    /// `work` failed and its changes were undone; the batch goes on.
    Undone(E),
    /// The savepoint could not be set or undone: the whole batch is lost.
    Broken(diesel::result::Error),
}

fn run_in_savepoint<T, E, F>(turn: &mut Turn, work: F) -> Savepoint<T, E>
where
    F: FnOnce(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let Err(e) = with_sqlite(turn, |c| BeginSavepoint.execute(c)) {
        return Savepoint::Broken(e);
    }
    let conn = turn.conn.as_mut().expect("opened above");
    match work(conn) {
        Ok(value) => match with_sqlite(turn, |c| ReleaseSavepoint.execute(c)) {
            Ok(_) => Savepoint::Kept(value),
            Err(e) => Savepoint::Broken(e),
        },
        Err(e) => {
            let undone = with_sqlite(turn, |c| {
                RollBackToSavepoint.execute(c)?;
                ReleaseSavepoint.execute(c)
            });
            match undone {
                Ok(_) => Savepoint::Undone(e),
                Err(broken) => Savepoint::Broken(broken),
            }
        }
    }
}

/// The statements of each write's savepoint. Diesel's transaction manager
/// would send them as text to be compiled on every write (2% of a create's
/// CPU); as query fragments with a type of their own (Diesel caches a
/// prepared statement per type) they are prepared once on the writer's
/// connection. Diesel keeps counting only the batch's BEGIN, which is all its
/// rollback and commit need.
macro_rules! fixed_statement {
    ($name:ident, $sql:literal) => {
        #[derive(diesel::query_builder::QueryId)]
        struct $name;

        impl diesel::query_builder::QueryFragment<diesel::sqlite::Sqlite> for $name {
            fn walk_ast<'b>(
                &'b self,
                mut out: diesel::query_builder::AstPass<'_, 'b, diesel::sqlite::Sqlite>,
            ) -> QueryResult<()> {
                out.push_sql($sql);
                Ok(())
            }
        }

        impl RunQueryDsl<SqliteConnection> for $name {}
    };
}

fixed_statement!(BeginSavepoint, "SAVEPOINT write");
fixed_statement!(ReleaseSavepoint, "RELEASE write");
fixed_statement!(RollBackToSavepoint, "ROLLBACK TO write");

/// Records the batch in the change log and commits it.
fn bump_and_commit(turn: &mut Turn) -> QueryResult<()> {
    let conn = turn
        .conn
        .as_mut()
        .ok_or(diesel::result::Error::BrokenTransactionManager)?;
    super::bump_change_log(conn)?;
    with_sqlite(turn, AnsiTransactionManager::commit_transaction)
}

fn with_sqlite<T>(
    turn: &mut Turn,
    f: impl FnOnce(&mut SqliteConnection) -> QueryResult<T>,
) -> QueryResult<T> {
    match turn.conn.as_mut() {
        Some(Conn::Sqlite(c)) => f(c),
        _ => Err(diesel::result::Error::BrokenTransactionManager),
    }
}

/// Rolls the open batch back and fails its writers when dropped armed:
/// when a savepoint broke, or while unwinding out of a writer's `work`.
struct AbortBatch<'a> {
    writer: &'a GroupWriter,
    turn: Option<MutexGuard<'a, Turn>>,
}

impl<'a> AbortBatch<'a> {
    fn disarm(&mut self) -> MutexGuard<'a, Turn> {
        self.turn.take().expect("disarmed once")
    }
}

impl Drop for AbortBatch<'_> {
    fn drop(&mut self) {
        if let Some(mut turn) = self.turn.take() {
            let _ = with_sqlite(&mut turn, |c| {
                while AnsiTransactionManager::transaction_manager_status_mut(c)
                    .transaction_depth()
                    .ok()
                    .flatten()
                    .is_some()
                {
                    AnsiTransactionManager::rollback_transaction(c)?;
                }
                Ok(())
            });
            turn.conn = None;
            self.writer
                .finish(&mut turn, Err("a writer in its batch failed".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use diesel::connection::SimpleConnection;

    use super::*;
    use crate::db::dialect;
    // A caller's error that already converts from both errors `write` can meet.
    use crate::transfer::TransferError;

    fn note(conn: &mut Conn, text: &str) -> QueryResult<usize> {
        diesel::sql_query("INSERT INTO notes (text) VALUES (?)")
            .bind::<diesel::sql_types::Text, _>(text)
            .execute(conn)
    }

    fn notes_and_version(manager: &dialect::Manager) -> (Vec<String>, i64) {
        #[derive(QueryableByName)]
        struct Note {
            #[diesel(sql_type = diesel::sql_types::Text)]
            text: String,
        }
        let mut conn = manager.establish().unwrap();
        let notes = diesel::sql_query("SELECT text FROM notes ORDER BY text")
            .load::<Note>(&mut conn)
            .unwrap();
        let version = crate::db::schema::change_log::table
            .select(crate::db::schema::change_log::version)
            .first::<i64>(&mut conn)
            .unwrap();
        (notes.into_iter().map(|n| n.text).collect(), version)
    }

    /// Three writes share one batch: the first holds it open until the other
    /// two are queued. The second writes a row and then fails; only its own
    /// row is undone, and the batch bumps the change log once.
    #[test]
    fn a_write_that_fails_inside_a_shared_batch_undoes_only_its_own_rows() {
        let dir = tempfile::tempdir().unwrap();
        let manager = dialect::Manager::new(dir.path().join("writer.db").to_str().unwrap());
        dialect::prepare(&manager).unwrap();
        let mut setup = manager.establish().unwrap();
        dialect::migrate(&mut setup).unwrap();
        setup
            .batch_execute("CREATE TABLE notes (text TEXT NOT NULL UNIQUE)")
            .unwrap();
        let (_, version_before) = notes_and_version(&manager);
        let connect = manager.clone();
        let writer = Arc::new(GroupWriter::new(move || {
            connect.establish().map_err(|e| Unavailable(e.to_string()))
        }));

        let (started, first_is_running) = mpsc::channel();
        let first = {
            let writer = writer.clone();
            std::thread::spawn(move || {
                writer.write(|conn| -> Result<(), TransferError> {
                    note(conn, "first")?;
                    started.send(()).unwrap();
                    while writer.queued.load(Ordering::Acquire) < 2 {
                        std::thread::yield_now();
                    }
                    Ok(())
                })
            })
        };
        first_is_running.recv().unwrap();
        let failing = {
            let writer = writer.clone();
            std::thread::spawn(move || {
                writer.write(|conn| -> Result<(), TransferError> {
                    note(conn, "undone")?;
                    note(conn, "undone")?;
                    Ok(())
                })
            })
        };
        let third = {
            let writer = writer.clone();
            std::thread::spawn(move || {
                writer.write(|conn| -> Result<(), TransferError> {
                    Ok(note(conn, "third").map(drop)?)
                })
            })
        };

        assert!(first.join().unwrap().is_ok());
        assert!(matches!(
            failing.join().unwrap(),
            Err(TransferError::Database(
                diesel::result::Error::DatabaseError(..)
            ))
        ));
        assert!(third.join().unwrap().is_ok());
        let (notes, version) = notes_and_version(&manager);
        assert_eq!(notes, ["first", "third"]);
        assert_eq!(version, version_before + 1, "one batch, one bump");
    }
}

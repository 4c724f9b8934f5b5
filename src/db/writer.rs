//! Group commit for SQLite. SQLite has one writer, and with
//! `synchronous=FULL` every COMMIT waits for the disk, so writers that each
//! commit on their own are bounded by the disk's sync rate, not the CPU.
//! Here writes that arrive while another is running join its transaction,
//! the last one to run commits them all with one sync, and none returns
//! before that COMMIT has succeeded, so an acknowledged write is as durable
//! as before and read-your-writes still holds.
//!
//! A write that fails must leave nothing behind while the others in its
//! batch are kept. Most failures (a 404, a 412, a 422) are found before the
//! write changes a row, and need nothing undone. For the rare one that fails
//! after changing rows, the whole batch is rolled back and each of its
//! writers runs its work again, this time in a savepoint of its own, so a
//! second failure undoes only its own rows. Savepoints for every write cost
//! a create a fifth of its CPU: SQLite journals each page the write changes
//! (to a temporary file past 64 KiB) and FTS5 flushes its pending terms at
//! every savepoint, a segment per write for its merges to rewrite.
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
pub(super) const MAX_BATCH: usize = 64;

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
    /// Every write from here on runs in a savepoint of its own.
    in_savepoints: bool,
    /// Set once when the batch commits or fails; each of its writers keeps
    /// a handle, so none can miss its own batch's outcome.
    outcome: Arc<OnceLock<Outcome>>,
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
    /// `work` may run more than once (see the module's documentation); only
    /// the changes of its last run are kept.
    pub fn write<T, E, F>(&self, mut work: F) -> Result<T, E>
    where
        F: FnMut(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error> + From<Unavailable>,
    {
        let mut in_savepoint = false;
        loop {
            match self.attempt(&mut work, in_savepoint) {
                Attempt::Finished(result) => return result,
                Attempt::RolledBack => in_savepoint = true,
            }
        }
    }

    fn attempt<T, E, F>(&self, work: &mut F, in_savepoint: bool) -> Attempt<T, E>
    where
        F: FnMut(&mut Conn) -> Result<T, E>,
        E: From<diesel::result::Error> + From<Unavailable>,
    {
        let failed = |e: E| Attempt::Finished(Err(e));
        self.queued.fetch_add(1, Ordering::AcqRel);
        let mut turn = self.lock();
        self.queued.fetch_sub(1, Ordering::AcqRel);
        if turn.conn.is_none() {
            match (self.connect)() {
                Ok(conn) => turn.conn = Some(conn),
                Err(e) => return failed(e.into()),
            }
        }
        if turn.open.is_none() {
            let begun = with_sqlite(&mut turn, |c| {
                AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
            });
            if let Err(e) = begun {
                // The connection may be unusable; the next writer opens
                // another.
                turn.conn = None;
                return failed(e.into());
            }
            turn.open = Some(Batch {
                size: 0,
                in_savepoints: false,
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
        let batch = turn.open.as_mut().expect("opened above");
        // Once a write that is running again has joined, nothing may roll
        // this batch back: it would have to run a third time.
        batch.in_savepoints |= in_savepoint;
        let outcome = match batch.in_savepoints {
            true => run_in_savepoint(turn, work),
            false => run_unguarded(turn, work),
        };
        let batch = turn.open.as_mut().expect("opened above");
        batch.size += 1;
        let full = batch.size >= MAX_BATCH;
        let batch_outcome = batch.outcome.clone();
        let outcome = match outcome {
            Run::Kept(value) => Ok(value),
            Run::Undone(e) => Err(e),
            Run::Tainted => {
                // Its writers are told to run again; so is this one.
                let undone = with_sqlite(turn, AnsiTransactionManager::rollback_transaction);
                if undone.is_err() {
                    turn.conn = None;
                }
                self.finish(turn, Outcome::RolledBack);
                drop(abort.disarm());
                return Attempt::RolledBack;
            }
            Run::Broken(e) => {
                // Dropped armed: the whole batch is rolled back and its
                // waiters are told.
                drop(abort);
                return failed(e.into());
            }
        };
        if self.queued.load(Ordering::Acquire) > 0 && !full {
            // Someone is about to take the turn and join this transaction;
            // the last one in commits for everyone.
            let mut turn = abort.disarm();
            let value = match outcome {
                Ok(value) => value,
                Err(e) => return failed(e),
            };
            while batch_outcome.get().is_none() {
                turn = self.finished.wait(turn).unwrap_or_else(|p| p.into_inner());
            }
            return match batch_outcome.get() {
                Some(Outcome::RolledBack) => Attempt::RolledBack,
                Some(Outcome::Failed(message)) => {
                    failed(Unavailable(format!("the write was not saved: {message}")).into())
                }
                _ => Attempt::Finished(Ok(value)),
            };
        }
        let committed = bump_and_commit(turn);
        let result = match committed {
            Ok(()) => Outcome::Committed,
            Err(e) => {
                // A failed COMMIT can leave the transaction open.
                let _ = with_sqlite(turn, AnsiTransactionManager::rollback_transaction);
                turn.conn = None;
                Outcome::Failed(e.to_string())
            }
        };
        self.finish(turn, result.clone());
        drop(abort.disarm());
        match result {
            Outcome::Failed(message) => {
                failed(Unavailable(format!("the write was not saved: {message}")).into())
            }
            _ => Attempt::Finished(outcome),
        }
    }

    /// Marks the open batch finished and wakes the writers waiting on it.
    fn finish(&self, turn: &mut Turn, outcome: Outcome) {
        if let Some(batch) = turn.open.take() {
            if outcome == Outcome::Committed {
                record_write();
            }
            let _ = batch.outcome.set(outcome);
        }
        self.finished.notify_all();
    }
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Committed,
    /// Its writers run their work again.
    RolledBack,
    /// Its writes are lost; the message says why.
    Failed(String),
}

enum Attempt<T, E> {
    Finished(Result<T, E>),
    RolledBack,
}

enum Run<T, E> {
    /// `work` succeeded; its changes wait for the batch's COMMIT.
    Kept(T),
    /// `work` failed and left nothing behind; the batch goes on.
    Undone(E),
    /// `work` failed after changing rows, outside a savepoint: only rolling
    /// the whole batch back undoes them.
    Tainted,
    /// The savepoint could not be set or undone: the whole batch is lost.
    Broken(diesel::result::Error),
}

fn run_in_savepoint<T, E, F>(turn: &mut Turn, work: &mut F) -> Run<T, E>
where
    F: FnMut(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let Err(e) = with_sqlite(turn, |c| BeginSavepoint.execute(c)) {
        return Run::Broken(e);
    }
    let conn = turn.conn.as_mut().expect("opened above");
    match work(conn) {
        Ok(value) => match with_sqlite(turn, |c| ReleaseSavepoint.execute(c)) {
            Ok(_) => Run::Kept(value),
            Err(e) => Run::Broken(e),
        },
        Err(e) => {
            let undone = with_sqlite(turn, |c| {
                RollBackToSavepoint.execute(c)?;
                ReleaseSavepoint.execute(c)
            });
            match undone {
                Ok(_) => Run::Undone(e),
                Err(broken) => Run::Broken(broken),
            }
        }
    }
}

/// Runs `work` straight in the batch's transaction. Whether a failed `work`
/// changed anything is told by SQLite's count of rows changed on the
/// connection (`total_changes()`, which counts the rows triggers change
/// too); a statement that fails adds nothing to it, its changes undone by
/// SQLite itself.
fn run_unguarded<T, E, F>(turn: &mut Turn, work: &mut F) -> Run<T, E>
where
    F: FnMut(&mut Conn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let before = match with_sqlite(turn, changed_rows) {
        Ok(count) => count,
        Err(e) => return Run::Broken(e),
    };
    let conn = turn.conn.as_mut().expect("opened above");
    match work(conn) {
        Ok(value) => Run::Kept(value),
        Err(e) => match with_sqlite(turn, changed_rows) {
            Ok(after) if after == before => Run::Undone(e),
            _ => Run::Tainted,
        },
    }
}

diesel::define_sql_function! {
    /// Rows inserted, updated or deleted on this connection since it opened.
    fn total_changes() -> diesel::sql_types::BigInt;
}

fn changed_rows(conn: &mut SqliteConnection) -> QueryResult<i64> {
    diesel::select(total_changes()).get_result(conn)
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
            self.writer.finish(
                &mut turn,
                Outcome::Failed("a writer in its batch failed".into()),
            );
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

    /// A database with a `notes` table and a group writer on it.
    fn notes_database(dir: &tempfile::TempDir) -> (dialect::Manager, Arc<GroupWriter>) {
        let manager = dialect::Manager::new(dir.path().join("writer.db").to_str().unwrap());
        dialect::prepare(&manager).unwrap();
        let mut setup = manager.establish().unwrap();
        dialect::migrate(&mut setup).unwrap();
        setup
            .batch_execute("CREATE TABLE notes (text TEXT NOT NULL UNIQUE)")
            .unwrap();
        let connect = manager.clone();
        let writer = Arc::new(GroupWriter::new(move || {
            connect.establish().map_err(|e| Unavailable(e.to_string()))
        }));
        (manager, writer)
    }

    /// Runs `work` through the writer on a thread of its own and counts how
    /// many times it ran.
    fn spawn_write(
        writer: &Arc<GroupWriter>,
        mut work: impl FnMut(&mut Conn, usize) -> Result<(), TransferError> + Send + 'static,
    ) -> (
        std::thread::JoinHandle<Result<(), TransferError>>,
        Arc<AtomicUsize>,
    ) {
        let runs = Arc::new(AtomicUsize::new(0));
        let counted = runs.clone();
        let writer = writer.clone();
        let thread = std::thread::spawn(move || {
            writer.write(|conn| work(conn, counted.fetch_add(1, Ordering::AcqRel)))
        });
        (thread, runs)
    }

    /// What became of three writes that shared a batch.
    struct ThreeWrites {
        outcomes: [Result<(), TransferError>; 3],
        /// How many times each one's work ran.
        runs: [usize; 3],
        notes: Vec<String>,
        /// How many times the change log was bumped.
        bumps: i64,
    }

    /// Three writes share one batch: the first holds it open (on its first
    /// run) until the other two are queued. `failing` is what the second one
    /// does.
    fn three_writes_in_one_batch(
        failing: fn(&mut Conn) -> Result<(), TransferError>,
    ) -> ThreeWrites {
        let dir = tempfile::tempdir().unwrap();
        let (manager, writer) = notes_database(&dir);
        let (_, version_before) = notes_and_version(&manager);

        let (started, first_is_running) = mpsc::channel();
        let holder = writer.clone();
        let (first, first_runs) = spawn_write(&writer, move |conn, run| {
            note(conn, "first")?;
            if run == 0 {
                started.send(()).unwrap();
                while holder.queued.load(Ordering::Acquire) < 2 {
                    std::thread::yield_now();
                }
            }
            Ok(())
        });
        first_is_running.recv().unwrap();
        let (second, second_runs) = spawn_write(&writer, move |conn, _| failing(conn));
        let (third, third_runs) =
            spawn_write(&writer, |conn, _| Ok(note(conn, "third").map(drop)?));

        let outcomes = [first, second, third].map(|t| t.join().unwrap());
        let runs = [first_runs, second_runs, third_runs].map(|r| r.load(Ordering::Acquire));
        let (notes, version) = notes_and_version(&manager);
        ThreeWrites {
            outcomes,
            runs,
            notes,
            bumps: version - version_before,
        }
    }

    /// The common failure, found before anything is written: the batch goes
    /// on, nothing runs twice, and the batch bumps the change log once.
    #[test]
    fn a_write_that_fails_before_writing_leaves_its_batch_alone() {
        let ThreeWrites {
            outcomes,
            runs,
            notes,
            bumps,
        } = three_writes_in_one_batch(|_| {
            Err(TransferError::Database(diesel::result::Error::NotFound))
        });
        let [first, second, third] = outcomes;
        assert!(first.is_ok());
        assert!(matches!(
            second,
            Err(TransferError::Database(diesel::result::Error::NotFound))
        ));
        assert!(third.is_ok());
        assert_eq!(runs, [1, 1, 1]);
        assert_eq!(notes, ["first", "third"]);
        assert_eq!(bumps, 1, "one batch, one bump");
    }

    /// A write that fails after writing a row: the batch is rolled back and
    /// its writes run again, each in a savepoint, so that only the failing
    /// one's row is missing in the end.
    #[test]
    fn a_write_that_fails_after_writing_is_undone_without_losing_the_others() {
        let ThreeWrites {
            outcomes,
            runs,
            notes,
            ..
        } = three_writes_in_one_batch(|conn| {
            note(conn, "undone")?;
            note(conn, "undone")?;
            Ok(())
        });
        let [first, second, third] = outcomes;
        assert!(first.is_ok());
        assert!(matches!(
            second,
            Err(TransferError::Database(
                diesel::result::Error::DatabaseError(..)
            ))
        ));
        assert!(third.is_ok());
        assert_eq!(runs[0], 2, "the first write ran again after the rollback");
        assert_eq!(runs[1], 2, "the failing write ran again in a savepoint");
        assert_eq!(notes, ["first", "third"]);
    }
}

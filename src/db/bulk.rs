//! Multi-row inserts of rows that import has already checked: a batch costs a
//! handful of statements instead of a dozen per record.
//!
//! They run on the backend's own connection (`native!`), where Diesel writes
//! one `INSERT ... VALUES (...), (...)` for many rows on either database. On
//! SQLite this matters twice: FTS5 writes its pending terms out at every
//! statement savepoint, so article-by-article inserts leave one tiny index
//! segment per article to merge later, while one statement for a run of
//! articles indexes them all in one flush.
//!
//! On SQLite a batch also suspends the two triggers an article insert fires
//! and does their work once for the whole batch (see `defer_article_triggers`).

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::Conn;
use super::articles::ArticleValues;
use super::authors::AuthorValues;
use super::links::LinkRow;
use super::schema::{article_authors, article_links, article_tags, articles, authors, tags};
use super::tags::TagValues;

/// Bound parameters per statement, under SQLite's limit (32,766) and
/// PostgreSQL's (65,535).
const MAX_PARAMS: usize = 30_000;

/// Rows per statement, so that one statement's parameters (and, for articles,
/// bodies) stay bounded however long the run.
fn rows_per_statement(columns: usize, cap: usize) -> usize {
    (MAX_PARAMS / columns).clamp(1, cap)
}

/// Runs `$body` with `$c` bound to the backend's own connection.
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            Conn::Sqlite($c) => $body,
            Conn::Postgres($c) => $body,
        }
    };
}

/// An article as import stores it: its row and, in order, its credits and tags.
pub struct ArticleRecordRows<'a> {
    pub id: i64,
    pub values: &'a ArticleValues,
    pub created_at: NaiveDateTime,
    pub author_ids: &'a [i64],
    pub tag_ids: &'a [i64],
}

pub fn insert_authors(
    conn: &mut Conn,
    rows: &[(i64, &AuthorValues, NaiveDateTime)],
) -> QueryResult<usize> {
    let mut stored = 0;
    for chunk in rows.chunks(rows_per_statement(11, 1000)) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, values, created_at)| {
                (
                    authors::id.eq(*id),
                    *values,
                    authors::created_at.eq(*created_at),
                )
            })
            .collect();
        let insert = diesel::insert_into(authors::table).values(values);
        stored += native!(conn, |c| insert.execute(c))?;
    }
    Ok(stored)
}

pub fn insert_tags(
    conn: &mut Conn,
    rows: &[(i64, &TagValues, NaiveDateTime)],
) -> QueryResult<usize> {
    let mut stored = 0;
    for chunk in rows.chunks(rows_per_statement(8, 1000)) {
        let values: Vec<_> = chunk
            .iter()
            .map(|(id, values, created_at)| {
                (tags::id.eq(*id), *values, tags::created_at.eq(*created_at))
            })
            .collect();
        let insert = diesel::insert_into(tags::table).values(values);
        stored += native!(conn, |c| insert.execute(c))?;
    }
    Ok(stored)
}

/// Stores articles with their credits and tags (positions from 1, in order).
pub fn insert_articles(conn: &mut Conn, rows: &[ArticleRecordRows]) -> QueryResult<usize> {
    let mut stored = 0;
    // Bodies make article rows large: 500 a statement bounds it to a few MB.
    for chunk in rows.chunks(rows_per_statement(23, 500)) {
        let values: Vec<_> = chunk
            .iter()
            .map(|row| {
                (
                    articles::id.eq(row.id),
                    row.values,
                    articles::created_at.eq(row.created_at),
                )
            })
            .collect();
        let insert = diesel::insert_into(articles::table).values(values);
        stored += native!(conn, |c| insert.execute(c))?;
    }
    let credits: Vec<_> = rows
        .iter()
        .flat_map(|row| {
            row.author_ids.iter().zip(1..).map(|(author, position)| {
                (
                    article_authors::article_id.eq(row.id),
                    article_authors::author_id.eq(*author),
                    article_authors::position.eq(position),
                )
            })
        })
        .collect();
    for chunk in credits.chunks(rows_per_statement(3, 5000)) {
        let insert = diesel::insert_into(article_authors::table).values(chunk.to_vec());
        native!(conn, |c| insert.execute(c))?;
    }
    let tagged: Vec<_> = rows
        .iter()
        .flat_map(|row| {
            row.tag_ids.iter().zip(1..).map(|(tag, position)| {
                (
                    article_tags::article_id.eq(row.id),
                    article_tags::tag_id.eq(*tag),
                    article_tags::position.eq(position),
                )
            })
        })
        .collect();
    for chunk in tagged.chunks(rows_per_statement(3, 5000)) {
        let insert = diesel::insert_into(article_tags::table).values(chunk.to_vec());
        native!(conn, |c| insert.execute(c))?;
    }
    Ok(stored)
}

pub fn insert_links(conn: &mut Conn, rows: &[&LinkRow]) -> QueryResult<usize> {
    let mut stored = 0;
    for chunk in rows.chunks(rows_per_statement(5, 5000)) {
        let values: Vec<_> = chunk
            .iter()
            .map(|link| {
                (
                    article_links::article_id.eq(link.article_id),
                    article_links::target_id.eq(link.target_id),
                    article_links::kind.eq(&link.kind),
                    article_links::label.eq(&link.label),
                    article_links::position.eq(link.position),
                )
            })
            .collect();
        let insert = diesel::insert_into(article_links::table).values(values);
        stored += native!(conn, |c| insert.execute(c))?;
    }
    Ok(stored)
}

/// The triggers an article insert fires on SQLite: it indexes the article
/// for full-text search and counts it under its status.
const ARTICLE_INSERT_TRIGGERS: [&str; 2] = ["articles_fts_insert", "article_status_counts_insert"];

/// The article insert triggers, dropped inside a batch's transaction, and
/// the statements that create them again exactly as they were.
pub struct DeferredTriggers {
    creates: Vec<String>,
}

/// A trigger or index as `sqlite_schema` stores it.
#[derive(QueryableByName)]
struct SchemaSql {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

/// Drops the article insert triggers for the rest of this transaction;
/// [`restore_article_triggers`] does their work for the batch and creates
/// them again before it commits.
///
/// Why: SQLite must be able to undo a statement that fires them (the
/// full-text insert may abort), so every multi-row insert of articles kept
/// a statement journal of each page it changed, written to a temporary
/// file: 7.5 times the database's size in a 10,000-article import, and more
/// per article the larger the indexes grow. Without the triggers the
/// inserts need no journal, and one `INSERT ... SELECT` indexes the batch.
///
/// DDL is transactional in SQLite, so no other connection ever sees the
/// triggers missing, and a batch that fails or is rolled back restores them
/// with everything else. `None` (PostgreSQL, whose search column is
/// generated, or a schema without these triggers) leaves the triggers to
/// do the work.
pub fn defer_article_triggers(conn: &mut Conn) -> QueryResult<Option<DeferredTriggers>> {
    let Conn::Sqlite(c) = conn else {
        return Ok(None);
    };
    let triggers: Vec<SchemaSql> = diesel::sql_query(
        "SELECT name, sql FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'articles'",
    )
    .load::<SchemaSql>(c)?
    .into_iter()
    .filter(|trigger| ARTICLE_INSERT_TRIGGERS.contains(&trigger.name.as_str()))
    .collect();
    if triggers.len() != ARTICLE_INSERT_TRIGGERS.len() {
        return Ok(None);
    }
    for trigger in &triggers {
        c.batch_execute(&format!("DROP TRIGGER \"{}\"", trigger.name))?;
    }
    Ok(Some(DeferredTriggers {
        creates: triggers.into_iter().map(|trigger| trigger.sql).collect(),
    }))
}

/// Does for the articles `article_ids` what the deferred triggers would have
/// done row by row, then creates the triggers again. The two statements
/// mirror the triggers of the SQLite migrations; `tests/system/transfer.rs`
/// compares search results and status totals after an import with the
/// database the dump came from.
pub fn restore_article_triggers(
    conn: &mut Conn,
    deferred: Option<DeferredTriggers>,
    article_ids: &[i64],
) -> QueryResult<()> {
    let (Some(deferred), Conn::Sqlite(c)) = (deferred, conn) else {
        return Ok(());
    };
    if !article_ids.is_empty() {
        let ids = serde_json::to_string(article_ids).expect("integers serialize");
        diesel::sql_query(
            "INSERT INTO articles_fts (rowid, title, subtitle, body)
             SELECT id, title, subtitle, body FROM articles
             WHERE id IN (SELECT value FROM json_each(?))",
        )
        .bind::<Text, _>(&ids)
        .execute(c)?;
        diesel::sql_query(
            "UPDATE article_status_counts
             SET n = n + (SELECT count(*) FROM articles
                          WHERE articles.status = article_status_counts.status
                            AND articles.id IN (SELECT value FROM json_each(?)))",
        )
        .bind::<Text, _>(&ids)
        .execute(c)?;
    }
    for create in &deferred.creates {
        c.batch_execute(create)?;
    }
    Ok(())
}

/// Where an import into an empty SQLite database keeps the definitions of
/// the indexes it dropped (see [`defer_secondary_indexes`]) until it builds
/// them again. Outside an import it never exists.
const DEFERRED_INDEXES: &str = "masthead_deferred_indexes";

/// Drops every non-unique index when the database holds no article yet, so
/// that an import into it writes each index once, at the end, instead of
/// rewriting scattered leaves of every one in every batch: at 300,000
/// articles that was half of the bytes the import wrote and 40% of its time.
/// Unique indexes (ids, slugs) stay: they are the import's own checks.
///
/// The definitions are saved in the same transaction as the drop, so an
/// import that never gets to [`build_deferred_indexes`] (killed, power cut)
/// leaves them where the next start of any command finds and builds them.
/// Returns whether it dropped anything; PostgreSQL keeps its indexes.
pub fn defer_secondary_indexes(conn: &mut Conn) -> QueryResult<bool> {
    if !matches!(conn, Conn::Sqlite(_)) {
        return Ok(false);
    }
    super::write_transaction(conn, |conn| {
        let Conn::Sqlite(c) = conn else {
            return Ok(false);
        };
        // Another import into this database is under way and will build them.
        if deferred_indexes_waiting(c)? {
            return Ok(false);
        }
        let empty = diesel::select(diesel::dsl::not(diesel::dsl::exists(
            articles::table.select(articles::id),
        )))
        .get_result::<bool>(c)?;
        if !empty {
            return Ok(false);
        }
        let indexes: Vec<SchemaSql> = diesel::sql_query(
            "SELECT s.name, s.sql FROM sqlite_schema AS s
             WHERE s.type = 'index' AND s.sql IS NOT NULL
               AND NOT EXISTS (SELECT 1 FROM pragma_index_list(s.tbl_name) AS l
                               WHERE l.name = s.name AND l.\"unique\")
             ORDER BY s.name",
        )
        .load(c)?;
        if indexes.is_empty() {
            return Ok(false);
        }
        c.batch_execute(&format!(
            "CREATE TABLE {DEFERRED_INDEXES} (name TEXT PRIMARY KEY, sql TEXT NOT NULL)"
        ))?;
        for index in &indexes {
            diesel::sql_query(format!(
                "INSERT INTO {DEFERRED_INDEXES} (name, sql) VALUES (?, ?)"
            ))
            .bind::<Text, _>(&index.name)
            .bind::<Text, _>(&index.sql)
            .execute(c)?;
            c.batch_execute(&format!("DROP INDEX \"{}\"", index.name))?;
        }
        Ok(true)
    })
}

/// Builds the indexes an import deferred, in one transaction, and forgets
/// their definitions; returns how many it built (0 when none were waiting).
/// Import calls it when it ends, however it ends; opening the database
/// (`Db::migrate`) calls it too, for an import that was cut off.
pub fn build_deferred_indexes(conn: &mut Conn) -> QueryResult<usize> {
    // Asked before queueing for the write lock: nearly always nothing waits.
    let Conn::Sqlite(c) = conn else {
        return Ok(0);
    };
    if !deferred_indexes_waiting(c)? {
        return Ok(0);
    }
    super::write_transaction(conn, |conn| {
        let Conn::Sqlite(c) = conn else {
            return Ok(0);
        };
        // Another process may have built them while this one queued.
        if !deferred_indexes_waiting(c)? {
            return Ok(0);
        }
        let indexes: Vec<SchemaSql> = diesel::sql_query(format!(
            "SELECT name, sql FROM {DEFERRED_INDEXES} ORDER BY name"
        ))
        .load(c)?;
        for index in &indexes {
            c.batch_execute(&index.sql)?;
        }
        // The import's full-text segments (one per batch), merged into one
        // now. Left to the server, the first write after a 1,000,000-article
        // import merged them all inside its own COMMIT: 1.2 GB written while
        // every other write waited for seconds.
        c.batch_execute("INSERT INTO articles_fts (articles_fts) VALUES ('optimize')")?;
        c.batch_execute(&format!("DROP TABLE {DEFERRED_INDEXES}"))?;
        Ok(indexes.len())
    })
}

fn deferred_indexes_waiting(c: &mut diesel::SqliteConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
        "EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '{DEFERRED_INDEXES}')"
    )))
    .get_result(c)
}

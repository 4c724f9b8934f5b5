//! `masthead export`: every table in keyset order, streamed a chunk at a
//! time inside one read transaction, so the dump is a consistent snapshot.

use std::collections::HashMap;
use std::io::Write;

use super::records::{Record, article_record, media_record};
use super::{Counts, TransferError};
use crate::db::{self, Conn, QueryResult, dump};
use crate::originals::Originals;

/// Rows read per query while exporting, so a large database is streamed
/// rather than loaded.
const EXPORT_CHUNK: i64 = 500;

/// Writes the whole database to `out` as NDJSON, each media item with its
/// original read from `originals`.
pub fn export(
    conn: &mut Conn,
    originals: &Originals,
    out: &mut impl Write,
) -> Result<Counts, TransferError> {
    let counts = db::read_transaction(conn, |conn| {
        let mut counts = Counts::default();
        // One original in memory at a time: the rows of a chunk are small,
        // the bytes they name may not be.
        in_chunks(
            conn,
            |conn, after, limit| db::media::dump_after(conn, after.unwrap_or(0), limit),
            |row| row.id,
            |conn, rows| {
                for row in rows {
                    let original = originals
                        .load(conn, &row.hash)
                        .map_err(|e| TransferError::Original(format!("media {}: {e}", row.id)))?
                        .ok_or_else(|| {
                            // A dump without it could not be imported.
                            TransferError::Original(format!(
                                "media {}: its original {} is missing",
                                row.id, row.hash
                            ))
                        })?;
                    write_record(out, &Record::Media(Box::new(media_record(row, &original))))?;
                    counts.media += 1;
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            dump::authors_after,
            |row| row.id,
            |_, rows| {
                for row in rows {
                    write_record(out, &Record::Author(row.into()))?;
                    counts.authors += 1;
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            dump::tags_after,
            |row| row.id,
            |_, rows| {
                for row in rows {
                    write_record(out, &Record::Tag(row.into()))?;
                    counts.tags += 1;
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            dump::articles_after,
            |row| row.id,
            |conn, rows| {
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                let mut credits = group(dump::credit_pairs(conn, &ids)?);
                let mut tagged = group(dump::tag_pairs(conn, &ids)?);
                for row in rows {
                    let author_ids = credits.remove(&row.id).unwrap_or_default();
                    let tag_ids = tagged.remove(&row.id).unwrap_or_default();
                    let record =
                        Record::Article(Box::new(article_record(row, author_ids, tag_ids)));
                    write_record(out, &record)?;
                    counts.articles += 1;
                }
                Ok(())
            },
        )?;
        in_chunks(
            conn,
            dump::links_after,
            |row| (row.article_id, row.position),
            |_, rows| {
                for row in rows {
                    write_record(out, &Record::Link(row.into()))?;
                    counts.links += 1;
                }
                Ok(())
            },
        )?;
        Ok::<_, TransferError>(counts)
    })?;
    out.flush().map_err(TransferError::Write)?;
    Ok(counts)
}

/// Reads a table `EXPORT_CHUNK` rows at a time after the key of the last
/// row read (`load` gets `None` for the first chunk), until a chunk is empty.
fn in_chunks<Row, Key>(
    conn: &mut Conn,
    load: impl Fn(&mut Conn, Option<Key>, i64) -> QueryResult<Vec<Row>>,
    key_of: impl Fn(&Row) -> Key,
    mut write: impl FnMut(&mut Conn, Vec<Row>) -> Result<(), TransferError>,
) -> Result<(), TransferError> {
    let mut after = None;
    loop {
        let rows = load(conn, after, EXPORT_CHUNK)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = Some(key_of(last));
        write(conn, rows)?;
    }
}

fn write_record(out: &mut impl Write, record: &Record) -> Result<(), TransferError> {
    serde_json::to_writer(&mut *out, record).map_err(|e| TransferError::Write(e.into()))?;
    out.write_all(b"\n").map_err(TransferError::Write)
}

/// `(article id, other id)` pairs, already in order, grouped by article.
fn group(pairs: Vec<(i64, i64)>) -> HashMap<i64, Vec<i64>> {
    let mut grouped: HashMap<i64, Vec<i64>> = HashMap::new();
    for (article, other) in pairs {
        grouped.entry(article).or_default().push(other);
    }
    grouped
}

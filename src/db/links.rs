//! Curated related-article links. Positions are 1-based and dense: every
//! change rewrites an article's whole list inside the caller's transaction,
//! which keeps `UNIQUE (article_id, position)` satisfied at every step.

use diesel::prelude::*;

use super::Conn;
use super::schema::{article_links, article_tags};

#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = article_links)]
pub struct LinkRow {
    pub article_id: i64,
    pub target_id: i64,
    pub kind: String,
    pub label: String,
    pub position: i32,
}

/// A link as it will be stored; its position is its place in the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkSpec {
    pub target_id: i64,
    pub kind: String,
    pub label: String,
}

impl From<LinkRow> for LinkSpec {
    fn from(row: LinkRow) -> Self {
        LinkSpec {
            target_id: row.target_id,
            kind: row.kind,
            label: row.label,
        }
    }
}

/// Every link of an article, visible or not, by position.
pub fn links_of(conn: &mut Conn, article_id: i64) -> QueryResult<Vec<LinkRow>> {
    article_links::table
        .filter(article_links::article_id.eq(article_id))
        .order(article_links::position)
        .select(LinkRow::as_select())
        .load(conn)
}

/// Every link of an article as it would be stored again, by position: the
/// list a change edits before `replace_links` writes it back.
pub fn specs_of(conn: &mut Conn, article_id: i64) -> QueryResult<Vec<LinkSpec>> {
    Ok(links_of(conn, article_id)?
        .into_iter()
        .map(LinkSpec::from)
        .collect())
}

/// Every link of many articles, by article then position.
pub fn links_of_many(conn: &mut Conn, article_ids: &[i64]) -> QueryResult<Vec<LinkRow>> {
    // One article by `=`, which stays prepared (see `articles::authors_of`).
    let query = article_links::table
        .order((article_links::article_id, article_links::position))
        .select(LinkRow::as_select());
    match article_ids {
        [] => Ok(Vec::new()),
        [id] => query.filter(article_links::article_id.eq(*id)).load(conn),
        ids => query
            .filter(article_links::article_id.eq_any(ids))
            .load(conn),
    }
}

pub fn replace_links(conn: &mut Conn, article_id: i64, links: &[LinkSpec]) -> QueryResult<()> {
    diesel::delete(article_links::table.filter(article_links::article_id.eq(article_id)))
        .execute(conn)?;
    for (link, position) in links.iter().zip(1..) {
        diesel::insert_into(article_links::table)
            .values((
                article_links::article_id.eq(article_id),
                article_links::target_id.eq(link.target_id),
                article_links::kind.eq(&link.kind),
                article_links::label.eq(&link.label),
                article_links::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Removes every link to `target_id` and closes the gaps it leaves in the
/// linking articles' lists. Used before the target itself is deleted.
pub fn unlink_target(conn: &mut Conn, target_id: i64) -> QueryResult<Vec<i64>> {
    let sources: Vec<i64> = article_links::table
        .filter(article_links::target_id.eq(target_id))
        .select(article_links::article_id)
        .load(conn)?;
    for &source in &sources {
        let kept: Vec<LinkSpec> = links_of(conn, source)?
            .into_iter()
            .filter(|l| l.target_id != target_id)
            .map(LinkSpec::from)
            .collect();
        replace_links(conn, source, &kept)?;
    }
    Ok(sources)
}

/// Articles sharing tags with `article_id`, with how many tags each
/// shares: never the article itself or one it already links to. Whether
/// the viewer may see them is left to the caller.
pub fn tag_neighbours(conn: &mut Conn, article_id: i64) -> QueryResult<Vec<(i64, i64)>> {
    let own = diesel::alias!(article_tags as own_tags);
    let own_tags = own
        .filter(own.field(article_tags::article_id).eq(article_id))
        .select(own.field(article_tags::tag_id));
    let linked = article_links::table
        .filter(article_links::article_id.eq(article_id))
        .select(article_links::target_id);
    article_tags::table
        .filter(article_tags::tag_id.eq_any(own_tags))
        .filter(article_tags::article_id.ne(article_id))
        .filter(article_tags::article_id.ne_all(linked))
        .group_by(article_tags::article_id)
        .select((article_tags::article_id, diesel::dsl::count_star()))
        .load(conn)
}

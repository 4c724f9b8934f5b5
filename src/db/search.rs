//! Full-text search: SQLite FTS5, or PostgreSQL `tsvector` with a GIN index.
//! User text never reaches either query parser as syntax: it is cut into
//! words of letters and digits, each quoted as a literal prefix term, so
//! quotes, `*`, `NEAR`, `-`, `:`, `&` or `!` cannot cause an error.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::schema::articles;
use super::{Backend, Dialect};

/// The most words of a query that are searched; the rest are ignored.
const MAX_TERMS: usize = 16;

/// The words of a search: every one must appear, as a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Terms(Vec<String>);

/// The words of `text`; `None` when it has no word at all (it then matches
/// nothing).
pub fn fts_query(text: &str) -> Option<Terms> {
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .map(str::to_owned)
        .collect();
    if words.is_empty() {
        None
    } else {
        Some(Terms(words))
    }
}

/// Where a match is counted, and what it adds to the relevance score.
#[derive(Debug, Clone, Copy)]
enum Field {
    Title,
    Subtitle,
    Body,
}

impl Terms {
    /// The query in the backend's own syntax, over every column or one.
    /// Words hold only letters and digits, so the quoting cannot be broken.
    fn render(&self, dialect: Dialect, field: Option<Field>) -> String {
        match dialect {
            Dialect::Sqlite => {
                let all = self
                    .0
                    .iter()
                    .map(|w| format!("\"{w}\"*"))
                    .collect::<Vec<_>>()
                    .join(" ");
                match field {
                    None => all,
                    Some(Field::Title) => format!("title : ({all})"),
                    Some(Field::Subtitle) => format!("subtitle : ({all})"),
                    Some(Field::Body) => format!("body : ({all})"),
                }
            }
            Dialect::Postgres => {
                // tsquery weights: A title, B subtitle, C body (see the
                // generated `search_document` column).
                let weight = match field {
                    None => "",
                    Some(Field::Title) => "A",
                    Some(Field::Subtitle) => "B",
                    Some(Field::Body) => "C",
                };
                self.0
                    .iter()
                    .map(|w| format!("'{w}':*{weight}"))
                    .collect::<Vec<_>>()
                    .join(" & ")
            }
        }
    }
}

pub type SearchCondition = Box<dyn BoxableExpression<articles::table, Backend, SqlType = Bool>>;
pub type Score = Box<dyn BoxableExpression<articles::table, Backend, SqlType = BigInt>>;

/// The SQL that is true for an article matching a rendered query, up to
/// the bound query text.
fn match_prefix(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH "
        }
        Dialect::Postgres => {
            "(articles.search_document @@ to_tsquery('simple'::regconfig, masthead_fold("
        }
    }
}

fn match_suffix(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => ")",
        Dialect::Postgres => ")))",
    }
}

/// Articles whose title, subtitle or body match the query.
pub fn matches(dialect: Dialect, terms: &Terms) -> SearchCondition {
    Box::new(
        sql::<Bool>(match_prefix(dialect))
            .bind::<Text, _>(terms.render(dialect, None))
            .sql(match_suffix(dialect)),
    )
}

/// How well an article matches: 4 for its title, 2 for its subtitle, 1 for
/// its body, added up. Unlike bm25 or ts_rank_cd over a corpus, the score of
/// an article depends on nothing else, so keyset cursors over it stay stable
/// while other articles are written, and both backends rank alike.
pub fn relevance(dialect: Dialect, terms: &Terms) -> Score {
    let hit = |field: Field, points: u8| {
        (
            format!("CASE WHEN {}", match_prefix(dialect)),
            terms.render(dialect, Some(field)),
            format!("{} THEN {points} ELSE 0 END", match_suffix(dialect)),
        )
    };
    let (t0, t, t1) = hit(Field::Title, 4);
    let (s0, s, s1) = hit(Field::Subtitle, 2);
    let (b0, b, b1) = hit(Field::Body, 1);
    Box::new(
        sql::<BigInt>(&format!("CAST(({t0}"))
            .bind::<Text, _>(t)
            .sql(&format!("{t1} + {s0}"))
            .bind::<Text, _>(s)
            .sql(&format!("{s1} + {b0}"))
            .bind::<Text, _>(b)
            .sql(&format!("{b1}) AS BIGINT)")),
    )
}

/// The score of a list that is not searched: every article ties.
pub fn no_score() -> Score {
    Box::new(sql::<BigInt>("CAST(0 AS BIGINT)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_syntax_becomes_quoted_prefix_terms() {
        let sqlite = |q: &str| fts_query(q).unwrap().render(Dialect::Sqlite, None);
        assert_eq!(sqlite("rivers rising"), "\"rivers\"* \"rising\"*");
        assert_eq!(
            sqlite("\"NEAR(a b)\" -x * title:y"),
            "\"NEAR\"* \"a\"* \"b\"* \"x\"* \"title\"* \"y\"*"
        );
        assert_eq!(sqlite("crème brûlée"), "\"crème\"* \"brûlée\"*");
        assert_eq!(fts_query(" * - \" "), None);
    }

    #[test]
    fn tsquery_operators_in_user_text_are_only_separators() {
        let terms = fts_query("it's a & !b | c:* <-> (d)").unwrap();
        assert_eq!(
            terms.render(Dialect::Postgres, None),
            "'it':* & 's':* & 'a':* & 'b':* & 'c':* & 'd':*"
        );
        assert_eq!(
            terms.render(Dialect::Postgres, Some(Field::Title)),
            "'it':*A & 's':*A & 'a':*A & 'b':*A & 'c':*A & 'd':*A"
        );
    }
}

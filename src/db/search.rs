//! Full-text search, SQLite FTS5 dialect. User text never reaches the FTS
//! query parser as syntax: it is cut into words, each quoted as a literal
//! prefix term, so quotes, `*`, `NEAR`, `-` or `:` cannot cause an error.

use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text};

use super::Backend;
use super::schema::articles;

/// The most words of a query that are searched; the rest are ignored.
const MAX_TERMS: usize = 16;

/// A safe FTS5 query for `text`: every word must appear, as a prefix. `None`
/// when the text has no word at all (it then matches nothing).
pub fn fts_query(text: &str) -> Option<String> {
    let terms: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .take(MAX_TERMS)
        .map(|word| format!("\"{word}\"*"))
        .collect();
    if terms.is_empty() {
        None
    } else {
        Some(terms.join(" "))
    }
}

pub type SearchCondition = Box<dyn BoxableExpression<articles::table, Backend, SqlType = Bool>>;
pub type Score = Box<dyn BoxableExpression<articles::table, Backend, SqlType = BigInt>>;

/// Articles whose title, subtitle or body match the query.
pub fn matches(query: &str) -> SearchCondition {
    Box::new(
        sql::<Bool>("articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ")
            .bind::<Text, _>(query.to_owned())
            .sql(")"),
    )
}

/// How well an article matches: 4 for its title, 2 for its subtitle, 1 for
/// its body, added up. Unlike bm25 the score of an article does not depend
/// on the rest of the corpus, so keyset cursors over it stay stable while
/// other articles are written.
pub fn relevance(query: &str) -> Score {
    const HIT: &str =
        "CASE WHEN articles.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ";
    Box::new(
        sql::<BigInt>(&format!("({HIT}"))
            .bind::<Text, _>(format!("title : ({query})"))
            .sql(&format!(") THEN 4 ELSE 0 END + {HIT}"))
            .bind::<Text, _>(format!("subtitle : ({query})"))
            .sql(&format!(") THEN 2 ELSE 0 END + {HIT}"))
            .bind::<Text, _>(format!("body : ({query})"))
            .sql(") THEN 1 ELSE 0 END)"),
    )
}

/// The score of a list that is not searched: every article ties.
pub fn no_score() -> Score {
    Box::new(sql::<BigInt>("0"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_syntax_becomes_quoted_prefix_terms() {
        assert_eq!(
            fts_query("rivers rising").unwrap(),
            "\"rivers\"* \"rising\"*"
        );
        assert_eq!(
            fts_query("\"NEAR(a b)\" -x * title:y").unwrap(),
            "\"NEAR\"* \"a\"* \"b\"* \"x\"* \"title\"* \"y\"*"
        );
        assert_eq!(fts_query("crème brûlée").unwrap(), "\"crème\"* \"brûlée\"*");
        assert_eq!(fts_query(" * - \" "), None);
    }
}

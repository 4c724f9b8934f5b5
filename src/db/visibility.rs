//! Which articles a caller may see, as one SQL condition reused by every
//! query that lists, counts or links articles.

use chrono::NaiveDateTime;
use diesel::dsl::not;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::Backend;
use super::schema::{article_authors, articles};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Editors and admins see every article.
    Everything,
    /// Published, or scheduled with `published_at` in the past.
    Public { now: NaiveDateTime },
    /// What the public sees plus every article credited to this author.
    PublicAndOwn { now: NaiveDateTime, author_id: i64 },
}

/// Published, or scheduled and due. A macro rather than a function because
/// Diesel's expression types are unnameable enough to be boxed only once.
macro_rules! public {
    ($now:expr) => {
        articles::status.eq("published").or(articles::status
            .eq("scheduled")
            .and(articles::published_at.assume_not_null().le($now)))
    };
}

/// Runs `$body` with `$cond` bound to the visibility condition as a plain,
/// unboxed expression over `articles`. A condition inside a subquery has to
/// be unboxed: a boxed one is tied to the multi-backend and cannot be sent
/// in either backend's dialect from within another statement.
macro_rules! with_visible {
    ($visibility:expr, |$cond:ident| $body:expr) => {{
        use $crate::db::schema::{article_authors, articles};
        use $crate::db::visibility::Visibility;
        match $visibility {
            Visibility::Everything => {
                let $cond = articles::id.eq(articles::id);
                $body
            }
            Visibility::Public { now } => {
                let $cond = articles::status.eq("published").or(articles::status
                    .eq("scheduled")
                    .and(articles::published_at.assume_not_null().le(now)));
                $body
            }
            Visibility::PublicAndOwn { now, author_id } => {
                // An alias, since the enclosing statement may read the
                // credits table itself.
                let credits = diesel::alias!(article_authors as own_credits);
                let $cond = articles::status
                    .eq("published")
                    .or(articles::status
                        .eq("scheduled")
                        .and(articles::published_at.assume_not_null().le(now)))
                    .or(articles::id.eq_any(
                        credits
                            .filter(credits.field(article_authors::author_id).eq(author_id))
                            .select(credits.field(article_authors::article_id)),
                    ));
                $body
            }
        }
    }};
}
pub(crate) use with_visible;

pub type ArticleCondition = Box<dyn BoxableExpression<articles::table, Backend, SqlType = Bool>>;

impl Visibility {
    pub fn condition(self) -> ArticleCondition {
        match self {
            Visibility::Everything => Box::new(articles::id.eq(articles::id)),
            Visibility::Public { now } => Box::new(public!(now)),
            Visibility::PublicAndOwn { now, author_id } => Box::new(
                public!(now).or(articles::id.eq_any(
                    article_authors::table
                        .filter(article_authors::author_id.eq(author_id))
                        .select(article_authors::article_id),
                )),
            ),
        }
    }

    /// A contributor's `status=draft` list: their own unpublished articles.
    /// A scheduled article whose time has come is public, no longer theirs
    /// alone, so it is left out.
    pub fn own_unpublished(author_id: i64, now: NaiveDateTime) -> ArticleCondition {
        Box::new(
            not(public!(now)).and(
                articles::id.eq_any(
                    article_authors::table
                        .filter(article_authors::author_id.eq(author_id))
                        .select(article_authors::article_id),
                ),
            ),
        )
    }
}

//! The write rules: what may be saved, by whom, and what the server derives
//! while saving it. One module per resource owns creating, changing and
//! deleting it (reference checks, slug settling, role rules); `checks`
//! collects field errors. The HTTP handlers, the demo loader and
//! `masthead import` all save through here, so every path obeys the same
//! rules. Nothing here knows of HTTP.
//!
//! Every function takes a connection and runs inside the caller's
//! transaction (`Db::write`, `db::write_transaction`): a failure at any
//! step writes nothing.

pub mod articles;
pub mod authors;
pub mod checks;
pub mod links;
pub mod media;
pub mod tags;

use crate::auth::Caller;
use crate::db::articles::{self as article_db, ArticleRow};
use crate::db::visibility::Visibility;
use crate::db::{self, Conn, QueryResult};
use crate::domain::{self, Key, Role};
use crate::error::ApiError;

/// The 404 of a resource that is missing or that the caller may not see.
pub fn not_found(resource: &str, key: &Key) -> ApiError {
    ApiError::NotFound(format!("no {resource} '{key}'"))
}

/// An article the viewer may see, or 404 whether it is missing or hidden.
pub fn find_visible(
    conn: &mut Conn,
    key: &Key,
    visibility: Visibility,
) -> Result<ArticleRow, ApiError> {
    article_db::find(conn, key, visibility)?.ok_or_else(|| not_found("article", key))
}

/// Which articles this caller may see. A contributor sees their own
/// unpublished work through the author their token names.
pub fn visibility_for(conn: &mut Conn, caller: Option<&Caller>) -> QueryResult<Visibility> {
    let now = domain::now();
    let Some(caller) = caller else {
        return Ok(Visibility::Public { now });
    };
    if caller.is_editor() {
        return Ok(Visibility::Everything);
    }
    match own_author_id(conn, caller)? {
        Some(author_id) => Ok(Visibility::PublicAndOwn { now, author_id }),
        None => Ok(Visibility::Public { now }),
    }
}

/// The id of the author a contributor's token credits, when it exists.
pub fn own_author_id(conn: &mut Conn, caller: &Caller) -> QueryResult<Option<i64>> {
    match &caller.author {
        Some(slug) => Ok(db::authors::find_by_slug(conn, slug)?.map(|a| a.id)),
        None => Ok(None),
    }
}

/// Who is writing, resolved once per write.
#[derive(Debug, Clone)]
pub struct Writer {
    pub caller: Caller,
    /// The author a contributor writes as; always set for contributors.
    pub own_author: Option<i64>,
}

impl Writer {
    /// 403 for a contributor whose token names no existing author.
    pub fn resolve(conn: &mut Conn, caller: Caller) -> Result<Writer, ApiError> {
        if caller.is_editor() {
            return Ok(Writer {
                caller,
                own_author: None,
            });
        }
        let own = own_author_id(conn, &caller)?.ok_or_else(|| {
            ApiError::Forbidden(
                "a contributor's token must name an existing author (the `author` claim) to write"
                    .into(),
            )
        })?;
        Ok(Writer {
            caller,
            own_author: Some(own),
        })
    }

    /// The server itself, with an admin's rights: the demo loader.
    pub fn system() -> Writer {
        Writer {
            caller: Caller {
                subject: "masthead".into(),
                role: Role::Admin,
                author: None,
            },
            own_author: None,
        }
    }

    pub fn is_contributor(&self) -> bool {
        !self.caller.is_editor()
    }

    /// What this writer may see of the articles.
    pub fn visibility(&self) -> Visibility {
        match self.own_author {
            Some(author_id) => Visibility::PublicAndOwn {
                now: domain::now(),
                author_id,
            },
            None => Visibility::Everything,
        }
    }
}

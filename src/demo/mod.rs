//! The demo newsroom: an original sample paper, "The Harbour Ledger", loaded
//! through the same write rules as the API so that everything derived
//! (slugs, HTML, excerpts, reading times) is exactly what an editor gets.
//! Loading twice changes nothing: what exists (by slug) is left alone.

use serde::Deserialize;

use crate::content::Writer;
use crate::content::articles::{self as article_rules, ArticleInput};
use crate::content::authors::{self as author_rules, AuthorInput};
use crate::content::links::{self as link_rules, NewRelatedLink};
use crate::content::tags::{self as tag_rules, TagInput};
use crate::db::{self, Conn, articles as article_db, authors as author_db, tags as tag_db};
use crate::domain::{Key, KeyRef, LinkKind, WriteMode};
use crate::error::ApiError;

const NEWSROOM: &str = include_str!("newsroom.json");

#[derive(Deserialize)]
struct Newsroom {
    authors: Vec<serde_json::Value>,
    tags: Vec<serde_json::Value>,
    articles: Vec<serde_json::Value>,
    related: Vec<Link>,
}

#[derive(Deserialize)]
struct Link {
    from: String,
    to: String,
    kind: LinkKind,
    label: Option<String>,
}

/// What one load created.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Loaded {
    pub authors: usize,
    pub tags: usize,
    pub articles: usize,
    pub links: usize,
}

fn slug_of(value: &serde_json::Value) -> Key {
    Key::Slug(value["slug"].as_str().unwrap_or_default().to_owned())
}

fn parse<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value).map_err(|e| ApiError::internal(format!("demo newsroom: {e}")))
}

/// Loads the newsroom in one transaction.
pub fn load(conn: &mut Conn) -> Result<Loaded, ApiError> {
    let newsroom: Newsroom = serde_json::from_str(NEWSROOM)
        .map_err(|e| ApiError::internal(format!("demo newsroom: {e}")))?;
    db::write_transaction(conn, |conn| {
        let mut loaded = Loaded::default();
        let writer = Writer::system();
        for author in newsroom.authors {
            if author_db::find(conn, &slug_of(&author))?.is_none() {
                author_rules::save(conn, parse::<AuthorInput>(author)?, WriteMode::Create, None)?;
                loaded.authors += 1;
            }
        }
        for tag in newsroom.tags {
            if tag_db::find(conn, &slug_of(&tag))?.is_none() {
                tag_rules::save(conn, parse::<TagInput>(tag)?, WriteMode::Create, None)?;
                loaded.tags += 1;
            }
        }
        let mut created = Vec::new();
        for article in newsroom.articles {
            let key = slug_of(&article);
            if article_db::find_any(conn, &key)?.is_none() {
                let input = parse::<ArticleInput>(article)?;
                let row = article_rules::save(conn, &writer, input, WriteMode::Create, None)?;
                created.push(row.id);
                loaded.articles += 1;
            }
        }
        // Links are curated per article: only those just created get them,
        // so an editor's changes to an existing article are never undone.
        for link in newsroom.related {
            let (Some(from), Some(to)) = (
                article_db::find_any(conn, &Key::Slug(link.from))?,
                article_db::find_any(conn, &Key::Slug(link.to))?,
            ) else {
                continue;
            };
            if !created.contains(&from.id) {
                continue;
            }
            let new_link = NewRelatedLink {
                article: Some(KeyRef::Id(to.id)),
                kind: Some(link.kind),
                label: link.label,
                position: None,
            };
            link_rules::add(conn, &from, new_link)?;
            loaded.links += 1;
        }
        Ok(loaded)
    })
}

//! The demo newsroom: an original sample paper, "The Harbour Ledger", loaded
//! through the same write rules as the API so that everything derived
//! (slugs, HTML, excerpts, reading times) is exactly what an editor gets.
//! Loading twice changes nothing: what exists (by slug) is left alone.

use serde::Deserialize;

use crate::api::articles::{ArticleInput, insert_article};
use crate::api::authors::{AuthorInput, insert_author};
use crate::api::tags::{TagInput, insert_tag};
use crate::db::links::{self as link_db, LinkSpec};
use crate::db::{self, Conn, articles as article_db, authors as author_db, tags as tag_db};
use crate::domain::{Key, LinkKind};
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
        for author in newsroom.authors {
            if author_db::find(conn, &slug_of(&author))?.is_none() {
                insert_author(conn, parse::<AuthorInput>(author)?)?;
                loaded.authors += 1;
            }
        }
        for tag in newsroom.tags {
            if tag_db::find(conn, &slug_of(&tag))?.is_none() {
                insert_tag(conn, parse::<TagInput>(tag)?)?;
                loaded.tags += 1;
            }
        }
        let mut created = Vec::new();
        for article in newsroom.articles {
            let key = slug_of(&article);
            if article_db::find_any(conn, &key)?.is_none() {
                created.push(insert_article(conn, parse::<ArticleInput>(article)?)?.id);
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
            let mut links: Vec<LinkSpec> = link_db::links_of(conn, from.id)?
                .into_iter()
                .map(LinkSpec::from)
                .collect();
            links.push(LinkSpec {
                target_id: to.id,
                kind: link.kind.as_str().to_owned(),
                label: link
                    .label
                    .unwrap_or_else(|| link.kind.default_label().to_owned()),
            });
            link_db::replace_links(conn, from.id, &links)?;
            loaded.links += 1;
        }
        Ok(loaded)
    })
}

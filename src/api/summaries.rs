//! The short forms of authors and tags that articles embed.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::authors::AuthorRow;
use crate::db::tags::TagRow;

/// An author as credited on articles. With `include=authors.full` it also
/// carries what an author box shows: `bio`, `website` and `social`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorSummary {
    pub id: i64,
    #[schema(example = "ada-okafor")]
    pub slug: String,
    #[schema(example = "Ada Okafor")]
    pub name: String,
    pub avatar_url: Option<String>,
    /// Only with `include=authors.full`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub bio: Option<Option<String>>,
    /// Only with `include=authors.full`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    /// Only with `include=authors.full`: network name -> handle or URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub social: Option<BTreeMap<String, String>>,
}

impl AuthorSummary {
    /// The credit of `row`, with its profile when `full`.
    pub fn of(row: &AuthorRow, full: bool) -> Self {
        AuthorSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            avatar_url: row.avatar_url.clone(),
            bio: full.then(|| row.bio.clone()),
            website: full.then(|| row.website.clone()),
            social: full.then(|| serde_json::from_str(&row.social).unwrap_or_default()),
        }
    }
}

/// A tag as embedded in articles.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TagSummary {
    pub id: i64,
    #[schema(example = "climate")]
    pub slug: String,
    #[schema(example = "Climate")]
    pub name: String,
}

impl From<&TagRow> for TagSummary {
    fn from(row: &TagRow) -> Self {
        TagSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
        }
    }
}

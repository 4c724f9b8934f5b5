//! The short forms of authors and tags that articles embed.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::media::Picture;
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
    /// `avatars`: the media items avatars name, by id (see `api::media::pictures`).
    pub fn of(row: &AuthorRow, full: bool, avatars: &HashMap<i64, Picture>) -> Self {
        AuthorSummary {
            id: row.id,
            slug: row.slug.clone(),
            name: row.name.clone(),
            avatar_url: avatar_url(row, avatars),
            bio: full.then(|| row.bio.clone()),
            website: full.then(|| row.website.clone()),
            social: full.then(|| serde_json::from_str(&row.social).unwrap_or_default()),
        }
    }
}

/// An author's avatar: the media item's URL when it names one.
pub fn avatar_url(row: &AuthorRow, avatars: &HashMap<i64, Picture>) -> Option<String> {
    match row.avatar_media_id.and_then(|id| avatars.get(&id)) {
        Some(picture) => Some(picture.url.clone()),
        None => row.avatar_url.clone(),
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

//! Saving and deleting authors.

use std::collections::BTreeMap;

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Caller;
use crate::content::checks::{Checks, is_handle, is_http_url, settle_slug};
use crate::db::authors::{self as author_db, AuthorRow, AuthorValues};
use crate::db::{Conn, media as media_db};
use crate::domain::{self, Patch, WriteBody, WriteMode};
use crate::error::ApiError;

pub const MAX_NAME: usize = 120;
pub const MAX_BIO: usize = 5_000;
pub const MAX_SOCIAL: usize = 16;
pub const MAX_HANDLE: usize = 300;

/// An avatar that is one of our media items.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AvatarInput {
    /// The media item's id.
    #[serde(deserialize_with = "crate::domain::whole_number")]
    #[schema(minimum = 1)]
    pub media: i64,
}

/// An author write. `name` is required for POST and PUT; PATCH takes any subset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ada Okafor", "bio": "Science desk.",
    "email": "ada@example.com", "social": {"mastodon": "@ada@example.social"}}))]
pub struct AuthorInput {
    /// 1 to 120 characters.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 120)]
    pub name: Patch<String>,
    /// Derived from the name when left out on create; kept by PUT when left out.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub bio: Patch<String>,
    /// An absolute http(s) URL; giving it drops `avatar`.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub avatar_url: Patch<String>,
    /// A media item as the avatar (`{"media": 12}`); it replaces
    /// `avatar_url`, which reads then set to the item's URL.
    #[serde(default)]
    #[schema(value_type = Option<AvatarInput>)]
    pub avatar: Patch<AvatarInput>,
    /// An absolute http(s) URL.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub website: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Email)]
    pub email: Patch<String>,
    /// At most 16 entries; keys match `^[a-z0-9_]{1,32}$`. PATCH merges it
    /// network by network, and a `null` network removes it.
    #[serde(default)]
    #[schema(value_type = Option<BTreeMap<String, String>>)]
    pub social: Patch<BTreeMap<String, Option<String>>>,
}

impl WriteBody for AuthorInput {
    const FIELDS: &'static [&'static str] = &[
        "name",
        "slug",
        "bio",
        "avatar_url",
        "avatar",
        "website",
        "email",
        "social",
    ];
    const READ_ONLY: &'static [&'static str] = &["id", "article_count", "created_at", "updated_at"];
}

/// Checks an author write against what is stored (`None` on create) and
/// returns the values to store.
pub fn values(
    conn: &mut Conn,
    input: AuthorInput,
    mode: WriteMode,
    current: Option<&AuthorRow>,
) -> Result<AuthorValues, ApiError> {
    let mut checks = Checks::default();
    let name = checks.required_text(
        "name",
        mode.apply(input.name, current.map(|c| c.name.clone())),
        MAX_NAME,
    );
    let bio = checks.optional_text(
        "bio",
        mode.apply(input.bio, current.and_then(|c| c.bio.clone())),
        MAX_BIO,
    );
    // A media item and a URL replace each other; sent together, the item wins.
    let avatar = input.avatar.map(|avatar| avatar.media);
    let url_replaces_item =
        matches!(input.avatar_url, Patch::Value(_)) && !matches!(avatar, Patch::Value(_));
    let avatar_media_id = match url_replaces_item {
        true => None,
        false => mode.apply(avatar, current.and_then(|c| c.avatar_media_id)),
    };
    if let Some(id) = avatar_media_id
        && media_db::find(conn, id)?.is_none()
    {
        checks.fail("avatar.media", format!("no media item {id}"));
    }
    let avatar_url = match avatar_media_id {
        Some(_) => None,
        None => checks.url(
            "avatar_url",
            mode.apply(input.avatar_url, current.and_then(|c| c.avatar_url.clone())),
        ),
    };
    let website = checks.url(
        "website",
        mode.apply(input.website, current.and_then(|c| c.website.clone())),
    );
    let blank_email = matches!(&input.email, Patch::Value(e) if e.trim().is_empty());
    let email = checks.optional_text(
        "email",
        mode.apply(input.email, current.and_then(|c| c.email.clone())),
        254,
    );
    if blank_email {
        checks.fail("email", "must be an email address, or null to leave it out");
    }
    if let Some(email) = &email {
        let looks_like_email = email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
        });
        if !looks_like_email {
            checks.fail("email", "must be an email address like name@example.com");
        }
    }
    let current_social: BTreeMap<String, String> = current
        .map(|c| serde_json::from_str(&c.social).unwrap_or_default())
        .unwrap_or_default();
    let social = merge_social(mode, input.social, current_social);
    check_social(&mut checks, &social);
    let slug = checks.slug_input(input.slug);
    checks.finish()?;
    let except = current.map(|c| c.id);
    let slug = settle_slug(
        slug,
        current.map(|c| c.slug.as_str()),
        &name,
        "author",
        |s| author_db::slug_taken(conn, s, except),
    )?;
    Ok(AuthorValues {
        slug,
        name_key: crate::db::tags::name_key(&name),
        name,
        bio,
        avatar_url,
        avatar_media_id,
        website,
        email,
        social: serde_json::to_string(&social).map_err(ApiError::internal)?,
        updated_at: domain::now(),
    })
}

/// RFC 7396 for the one nested object: PATCH merges networks one by one
/// and `null` removes one; POST and PUT take the object as sent.
fn merge_social(
    mode: WriteMode,
    input: Patch<BTreeMap<String, Option<String>>>,
    current: BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut social = match mode {
        WriteMode::Merge => current,
        WriteMode::Create | WriteMode::Replace => BTreeMap::new(),
    };
    match input {
        Patch::Absent => {}
        Patch::Null => social.clear(),
        Patch::Value(changes) => {
            for (network, handle) in changes {
                match handle {
                    Some(handle) => social.insert(network, handle),
                    None => social.remove(&network),
                };
            }
        }
    }
    social
}

/// Creates (`current` is `None`) or changes a record.
pub fn save(
    conn: &mut Conn,
    input: AuthorInput,
    mode: WriteMode,
    current: Option<&AuthorRow>,
) -> Result<AuthorRow, ApiError> {
    let values = values(conn, input, mode, current)?;
    Ok(match current {
        Some(current) => author_db::update(conn, current.id, &values)?,
        None => author_db::insert(conn, &values)?,
    })
}

fn check_social(checks: &mut Checks, social: &BTreeMap<String, String>) {
    if social.len() > MAX_SOCIAL {
        checks.fail("social", format!("may have at most {MAX_SOCIAL} networks"));
    }
    for (network, handle) in social {
        let valid_name = (1..=32).contains(&network.len())
            && network
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !valid_name {
            checks.fail(
                format!("social.{network}"),
                "network names match ^[a-z0-9_]{1,32}$",
            );
        }
        let shaped = is_http_url(handle) || is_handle(handle);
        if !shaped || handle.chars().count() > MAX_HANDLE {
            checks.fail(
                format!("social.{network}"),
                format!(
                    "must be a handle or an absolute http or https URL of 1 to {MAX_HANDLE} characters"
                ),
            );
        }
    }
}

/// Deletes an author who has no articles: admins only, 409 otherwise.
pub fn delete(conn: &mut Conn, caller: &Caller, current: &AuthorRow) -> Result<(), ApiError> {
    caller.require_admin()?;
    if author_db::has_articles(conn, current.id)? {
        return Err(ApiError::Conflict(format!(
            "author '{}' still has articles; reassign or delete them first",
            current.slug
        )));
    }
    author_db::delete(conn, current.id)?;
    Ok(())
}

//! Saving and deleting tags, and the tags an article write creates by name.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::content::checks::{Checks, settle_slug};
use crate::db::Conn;
use crate::db::tags::{self as tag_db, TagRow, TagValues};
use crate::domain::{self, Patch, WriteBody, WriteMode};
use crate::error::ApiError;

pub const MAX_NAME: usize = 100;
pub const MAX_DESCRIPTION: usize = 5_000;
pub const MAX_SECTION_POSITION: i64 = 1_000;

/// A tag write. `name` is required for POST and PUT; PATCH takes any subset.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Climate", "description": "Coverage of the climate crisis"}))]
pub struct TagInput {
    /// 1 to 100 characters, unique ignoring case.
    #[serde(default)]
    #[schema(value_type = String, required = true, min_length = 1, max_length = 100)]
    pub name: Patch<String>,
    /// Derived from the name when left out on create; kept by PUT when left out.
    #[serde(default)]
    #[schema(value_type = String, pattern = "^(?:[a-z0-9]+-)*[a-z0-9]*[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", max_length = 120)]
    pub slug: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub description: Patch<String>,
    /// Where this tag stands among a homepage's sections (`/v1/sections`),
    /// 1 to 1000, lowest first; null: after the ordered ones, by name.
    #[serde(default, deserialize_with = "crate::domain::patch_whole_number")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 1000)]
    pub section_position: Patch<i64>,
}

impl WriteBody for TagInput {
    const FIELDS: &'static [&'static str] = &["name", "slug", "description", "section_position"];
    const READ_ONLY: &'static [&'static str] = &["id", "article_count", "created_at", "updated_at"];
}

/// Checks a tag write against what is stored (`None` on create) and returns
/// the values to store.
pub fn values(
    conn: &mut Conn,
    input: TagInput,
    mode: WriteMode,
    current: Option<&TagRow>,
) -> Result<TagValues, ApiError> {
    let mut checks = Checks::default();
    let name = checks.required_text(
        "name",
        mode.apply(input.name, current.map(|c| c.name.clone())),
        MAX_NAME,
    );
    let description = checks.optional_text(
        "description",
        mode.apply(
            input.description,
            current.and_then(|c| c.description.clone()),
        ),
        MAX_DESCRIPTION,
    );
    let section_position = mode.apply(
        input.section_position,
        current.and_then(|c| c.section_position.map(i64::from)),
    );
    if section_position.is_some_and(|n| !(1..=MAX_SECTION_POSITION).contains(&n)) {
        checks.fail(
            "section_position",
            format!("must be between 1 and {MAX_SECTION_POSITION}"),
        );
    }
    let slug = checks.slug_input(input.slug);
    checks.finish()?;
    let except = current.map(|c| c.id);
    if tag_db::name_taken(conn, &name, except)? {
        return Err(ApiError::Conflict(format!(
            "a tag named '{name}' already exists"
        )));
    }
    let slug = settle_slug(slug, current.map(|c| c.slug.as_str()), &name, "tag", |s| {
        tag_db::slug_taken(conn, s, except)
    })?;
    Ok(TagValues {
        // In range, checked above.
        section_position: section_position.map(|n| n as i32),
        slug,
        name_key: tag_db::name_key(&name),
        name,
        description,
        updated_at: domain::now(),
    })
}

/// Creates (`current` is `None`) or changes a record.
pub fn save(
    conn: &mut Conn,
    input: TagInput,
    mode: WriteMode,
    current: Option<&TagRow>,
) -> Result<TagRow, ApiError> {
    let values = values(conn, input, mode, current)?;
    Ok(match current {
        Some(current) => tag_db::update(conn, current.id, &values)?,
        None => tag_db::insert(conn, &values)?,
    })
}

/// Creates a tag for the caller's role, for article writes that name a new one.
pub fn create_by_name(conn: &mut Conn, name: &str) -> Result<TagRow, ApiError> {
    let input = TagInput {
        name: Patch::Value(name.to_owned()),
        slug: Patch::Absent,
        description: Patch::Absent,
        section_position: Patch::Absent,
    };
    let values = values(conn, input, WriteMode::Create, None).map_err(|e| match e {
        ApiError::Validation(errors) => ApiError::Validation(
            errors
                .into_iter()
                .map(|mut err| {
                    err.field = format!("tags ({name})");
                    err
                })
                .collect(),
        ),
        other => other,
    })?;
    Ok(tag_db::insert(conn, &values)?)
}

/// Deletes a tag and unlinks it from its articles.
pub fn delete(conn: &mut Conn, current: &TagRow) -> Result<(), ApiError> {
    tag_db::delete(conn, current.id)?;
    Ok(())
}

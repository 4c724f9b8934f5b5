use serde::Deserialize;
use utoipa::ToSchema;

/// A path key: an id when all digits, a slug otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(i64),
    Slug(String),
}

impl Key {
    /// Never fails: a key that is neither an id nor a valid slug simply
    /// matches nothing, which the caller reports as 404.
    pub fn parse(text: &str) -> Key {
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            match text.parse() {
                Ok(id) => Key::Id(id),
                Err(_) => Key::Id(-1),
            }
        } else if text.contains('\0') {
            // No slug holds a NUL, and PostgreSQL cannot even bind one.
            Key::Id(-1)
        } else {
            Key::Slug(text.to_owned())
        }
    }
}

impl std::fmt::Display for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Id(id) => write!(f, "{id}"),
            // What a client sent: a message repeats a short, escaped prefix.
            Key::Slug(slug) => f.write_str(&super::echo(slug)),
        }
    }
}

/// A reference to another resource in a write body: its id or its slug.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum KeyRef {
    Id(#[serde(deserialize_with = "super::patch::whole_number")] i64),
    Slug(String),
}

impl From<&KeyRef> for Key {
    fn from(reference: &KeyRef) -> Key {
        match reference {
            KeyRef::Id(id) => Key::Id(*id),
            KeyRef::Slug(slug) => Key::parse(slug),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_ids_and_anything_else_is_a_slug() {
        assert_eq!(Key::parse("42"), Key::Id(42));
        assert_eq!(Key::parse("article-42"), Key::Slug("article-42".into()));
        assert_eq!(Key::parse("99999999999999999999999"), Key::Id(-1));
        assert_eq!(Key::parse("a\0b"), Key::Id(-1));
    }
}

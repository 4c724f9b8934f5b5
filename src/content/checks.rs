//! Field checks that collect every problem of a body before answering 422.

use crate::db::QueryResult;

use crate::db::slugs;
use crate::domain::Patch;
use crate::domain::Slug;
use crate::error::{ApiError, FieldError};

#[derive(Debug, Default)]
pub struct Checks {
    errors: Vec<FieldError>,
}

impl Checks {
    pub fn fail(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// A required text: trimmed, within `max` characters, not empty.
    pub fn required_text(&mut self, field: &str, value: Option<String>, max: usize) -> String {
        match value {
            None => {
                self.fail(field, "is required");
                String::new()
            }
            Some(text) => {
                let text = text.trim().to_owned();
                let len = text.chars().count();
                if len == 0 || len > max {
                    self.fail(field, format!("must be between 1 and {max} characters"));
                }
                self.no_control_characters(field, &text);
                text
            }
        }
    }

    /// An optional text of at most `max` characters; blank becomes null.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        let text = value?;
        if text.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        self.no_control_characters(field, &text);
        if text.trim().is_empty() {
            None
        } else {
            Some(text)
        }
    }

    fn no_control_characters(&mut self, field: &str, text: &str) {
        if text.contains('\0') {
            self.fail(field, "must not contain NUL characters");
        }
    }

    pub fn slug(&mut self, field: &str, value: &str) -> Option<Slug> {
        match Slug::parse(value) {
            Ok(slug) => Some(slug),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// The `slug` of a write: a valid slug, or `None` to keep the current
    /// one or derive a new one. A slug cannot be cleared, so `null` is refused.
    pub fn slug_input(&mut self, input: Patch<String>) -> Option<Slug> {
        match input {
            Patch::Value(text) => self.slug("slug", &text),
            Patch::Null => {
                self.fail("slug", "cannot be null; leave it out to keep or derive it");
                None
            }
            Patch::Absent => None,
        }
    }

    /// An absolute http(s) URL with a host name or address, as the OpenAPI
    /// document's pattern spells it (`openapi::HTTP_URL`).
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let text = value?;
        if text.len() > 2048 || !is_http_url(&text) {
            self.fail(
                field,
                "must be an absolute http or https URL of at most 2048 characters",
            );
        }
        Some(text)
    }

    pub fn is_clean(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// The slug a write stores: the one sent (409 when another record has it),
/// else the current one, else one derived from `name`, numbered until free.
/// `taken` asks whether another record than this one holds a slug.
pub fn settle_slug(
    sent: Option<Slug>,
    current: Option<&str>,
    name: &str,
    resource: &str,
    mut taken: impl FnMut(&str) -> QueryResult<bool>,
) -> Result<String, ApiError> {
    match (sent, current) {
        (Some(slug), _) => {
            if taken(slug.as_str())? {
                return Err(ApiError::Conflict(format!(
                    "the slug '{slug}' is already taken"
                )));
            }
            Ok(slug.into_string())
        }
        (None, Some(current)) => Ok(current.to_owned()),
        (None, None) => Ok(slugs::first_free(&Slug::derive(name, resource), taken)?.into_string()),
    }
}

/// `^https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,4})?(/[!-~]*)?$`
pub fn is_http_url(text: &str) -> bool {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return false;
    };
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let host_ok = host
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
        && host
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    let port_ok =
        port.is_none_or(|p| (1..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()));
    let path_ok = path.bytes().all(|b| (b'!'..=b'~').contains(&b));
    host_ok && port_ok && path_ok
}

/// A social handle as `content::authors` accepts one beside an http(s)
/// URL: no control characters, no leading space, slash or backslash, and
/// no URL scheme at its start (`javascript:`, `data:`...), so a browser
/// can never read it as a link elsewhere. `@ada@example.social` and
/// `@ada:matrix.org` are handles.
pub fn is_handle(text: &str) -> bool {
    let control = |c: char| c < ' ' || c == '\u{7f}';
    let Some(first) = text.chars().next() else {
        return false;
    };
    if first.is_whitespace() || matches!(first, '/' | '\\') || text.chars().any(control) {
        return false;
    }
    !has_scheme(text)
}

/// Whether `text` starts with `scheme:` (RFC 3986: a letter, then letters,
/// digits, `+`, `.` or `-`).
fn has_scheme(text: &str) -> bool {
    let mut chars = text.chars();
    if !chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return false;
    }
    for c in chars {
        match c {
            ':' => return true,
            c if c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-') => {}
            _ => return false,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_are_never_links_to_anything_but_http() {
        for good in [
            "@ada@example.social",
            "@ada:matrix.org",
            "ada",
            "1:2",
            "Ada Okafor",
        ] {
            assert!(is_handle(good), "{good}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            " javascript:x",
            "java\tscript:x",
            "//evil.example",
            "\\\\evil",
            "",
        ] {
            assert!(!is_handle(bad), "{bad:?}");
        }
    }

    #[test]
    fn http_urls_are_told_from_everything_else() {
        for good in [
            "https://cdn.example.com/a.jpg?w=2",
            "http://localhost:8080",
            "https://1.2.3.4.5/x",
        ] {
            assert!(is_http_url(good), "{good}");
        }
        for bad in [
            "ftp://x",
            "https://",
            "https://-x",
            "javascript:alert(1)",
            "https://a b",
            "//x.com",
            "https://x:123456",
        ] {
            assert!(!is_http_url(bad), "{bad}");
        }
    }
}

//! Field checks that collect every problem of a body before answering 422.

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

    /// An absolute http(s) URL.
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let text = value?;
        let ok = url::Url::parse(&text)
            .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .unwrap_or(false);
        if !ok || text.len() > 2048 {
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

use std::fmt;

pub const MAX_SLUG_LEN: usize = 120;

/// A URL key: `^[a-z0-9]+(-[a-z0-9]+)*$`, at most 120 characters, with at
/// least one letter so that it can never be mistaken for an id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub fn parse(text: &str) -> Result<Slug, String> {
        if text.is_empty() || text.len() > MAX_SLUG_LEN {
            return Err(format!("must be 1 to {MAX_SLUG_LEN} characters"));
        }
        let well_formed = text.split('-').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !well_formed {
            return Err("must be lowercase letters and digits separated by single hyphens".into());
        }
        if !text.bytes().any(|b| b.is_ascii_lowercase()) {
            return Err("must contain at least one letter".into());
        }
        Ok(Slug(text.to_owned()))
    }

    /// The slug a name or title suggests: transliterated to ASCII, slugified,
    /// prefixed with the resource name when it has no letter, and short enough
    /// to take a `-NNN` suffix when taken.
    pub fn derive(text: &str, resource: &str) -> Slug {
        let mut base = slug::slugify(text);
        if !base.bytes().any(|b| b.is_ascii_lowercase()) {
            base = if base.is_empty() {
                resource.to_owned()
            } else {
                format!("{resource}-{base}")
            };
        }
        Slug(truncate_at_hyphen(&base, MAX_SLUG_LEN - 8))
    }

    /// `base-2`, `base-3`, ...: the candidate for the n-th attempt.
    pub fn numbered(&self, n: u32) -> Slug {
        if n <= 1 {
            self.clone()
        } else {
            Slug(format!("{}-{n}", self.0))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

fn truncate_at_hyphen(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let cut = &text[..max];
    match cut.rfind('-') {
        Some(i) if i > 0 => cut[..i].to_owned(),
        _ => cut.trim_end_matches('-').to_owned(),
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_slugs_parse() {
        for ok in ["a", "hello-world", "top-10-tips", "2024-review", "x1"] {
            assert!(Slug::parse(ok).is_ok(), "{ok} should parse");
        }
    }

    #[test]
    fn invalid_slugs_are_rejected() {
        for bad in [
            "",
            "123",
            "Hello",
            "a--b",
            "-a",
            "a-",
            "a_b",
            "ü",
            &"a".repeat(121),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn derived_slugs_are_transliterated() {
        assert_eq!(
            Slug::derive("Crème Brûlée, à la carte!", "article").as_str(),
            "creme-brulee-a-la-carte"
        );
        assert_eq!(Slug::derive("Über Straße", "tag").as_str(), "uber-strasse");
    }

    #[test]
    fn a_derived_slug_without_a_letter_gets_the_resource_prefix() {
        assert_eq!(Slug::derive("2024", "article").as_str(), "article-2024");
        assert_eq!(Slug::derive("!!!", "tag").as_str(), "tag");
    }

    #[test]
    fn long_titles_are_cut_at_a_hyphen_leaving_room_for_a_suffix() {
        let slug = Slug::derive(&"word ".repeat(60), "article");
        assert!(slug.as_str().len() <= MAX_SLUG_LEN - 8);
        assert!(Slug::parse(slug.numbered(999).as_str()).is_ok());
    }

    #[test]
    fn numbered_candidates_count_from_two() {
        let base = Slug::derive("News", "tag");
        assert_eq!(base.numbered(1).as_str(), "news");
        assert_eq!(base.numbered(3).as_str(), "news-3");
    }
}

//! The closed sets of the contract: each parses exactly, nothing else passes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        pub enum $name { $(#[serde(rename = $text)] $variant),+ }

        impl $name {
            pub const ALL: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

closed_set!(
    /// A caller's role, from the token's `role` claim.
    Role { Contributor = "contributor", Editor = "editor", Admin = "admin" }
);

closed_set!(
    /// Where an article is in its life. `scheduled` articles become publicly
    /// visible once `published_at` has passed, with no background job.
    Status { Draft = "draft", Scheduled = "scheduled", Published = "published" }
);

closed_set!(
    /// The kind of a curated related-article link.
    LinkKind { AlsoRead = "also_read", ReadNext = "read_next", Recommended = "recommended" }
);

impl LinkKind {
    pub fn default_label(self) -> &'static str {
        match self {
            LinkKind::AlsoRead => "Also read",
            LinkKind::ReadNext => "Read next",
            LinkKind::Recommended => "You might also be interested",
        }
    }
}

impl Role {
    /// Editors and admins: may see and change everything editorial.
    pub fn is_editor(self) -> bool {
        matches!(self, Role::Editor | Role::Admin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_parse_exactly() {
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("Editor"), None);
        assert_eq!(Role::parse("superuser"), None);
    }

    #[test]
    fn every_kind_has_its_contract_label() {
        assert_eq!(
            LinkKind::Recommended.default_label(),
            "You might also be interested"
        );
        assert_eq!(LinkKind::parse("read_next"), Some(LinkKind::ReadNext));
    }
}

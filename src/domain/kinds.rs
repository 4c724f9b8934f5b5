//! The closed sets of the contract: each parses exactly, nothing else passes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        // snake_case here must spell the same texts as the literals below;
        // a unit test checks that it does.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

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
    fn serde_spells_every_variant_like_the_contract() {
        for text in Role::ALL.iter().chain(Status::ALL).chain(LinkKind::ALL) {
            let json = format!("\"{text}\"");
            let role =
                serde_json::from_str::<Role>(&json).map(|v| serde_json::to_string(&v).unwrap());
            let status =
                serde_json::from_str::<Status>(&json).map(|v| serde_json::to_string(&v).unwrap());
            let kind =
                serde_json::from_str::<LinkKind>(&json).map(|v| serde_json::to_string(&v).unwrap());
            let round_trips = [role, status, kind]
                .into_iter()
                .flatten()
                .any(|back| back == json);
            assert!(round_trips, "{text}");
        }
    }

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

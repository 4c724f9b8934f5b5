//! Tokens signed with the secret every test server is started with.

use std::time::{SystemTime, UNIX_EPOCH};

use masthead::auth;
use masthead::domain::Role;

pub const SECRET: &str = "integration-test-secret-of-enough-bytes";

/// A token for `role`, valid for an hour; contributors name their author.
pub fn token(role: Role, author: Option<&str>) -> String {
    auth::mint(SECRET.as_bytes(), "tester", role, author, 3600, None, None).unwrap()
}

/// Seconds since the epoch, for the `iat` and `exp` of hand-made tokens.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

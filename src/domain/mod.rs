//! Values parsed once at the edge. Nothing here knows of HTTP or the database.

mod key;
mod kinds;
mod patch;
mod slug;
mod time;

pub use key::{Key, KeyRef};
pub use kinds::{LinkKind, Role, Status};
pub use patch::{
    Patch, WriteBody, WriteMode, optional_whole_number, patch_whole_number, whole_number,
};
pub use slug::{MAX_SLUG_LEN, Slug};
pub use time::{format_timestamp, now, parse_timestamp, parse_timestamp_or_date};

/// What a client sent, as an error message may repeat it: at most 40
/// characters, with quotes, backslashes and control characters escaped, so
/// an answer never reflects a long or hostile input back.
pub fn echo(text: &str) -> String {
    const MAX: usize = 40;
    let mut shown: String = text
        .chars()
        .take(MAX)
        .flat_map(char::escape_debug)
        .collect();
    if text.chars().nth(MAX).is_some() {
        shown.push('…');
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echo_is_short_and_escaped() {
        assert_eq!(echo("draft"), "draft");
        assert_eq!(echo("a'b\n"), "a\\'b\\n");
        let long = "x".repeat(10_000);
        assert_eq!(echo(&long), format!("{}…", "x".repeat(40)));
    }
}

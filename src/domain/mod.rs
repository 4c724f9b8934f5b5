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

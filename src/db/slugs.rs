//! Picking a free slug: the derived one, else `-2`, `-3`, ...

use diesel::QueryResult;

use crate::domain::Slug;

pub fn first_free(
    base: &Slug,
    mut taken: impl FnMut(&str) -> QueryResult<bool>,
) -> QueryResult<Slug> {
    let mut n = 1;
    loop {
        let candidate = base.numbered(n);
        if !taken(candidate.as_str())? {
            return Ok(candidate);
        }
        n += 1;
    }
}

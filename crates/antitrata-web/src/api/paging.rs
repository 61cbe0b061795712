//! How lists come page by page: a `limit` (1 to [`PAGE_MAX`]) and a `cursor`, the `next` of the
//! page before. The store goes on after the cursor's row (a keyset), so a page costs the same
//! however deep it is, and a walk sees each row once while others are added.

use antitrata_domain::casework::{Errors, Problem};
pub(super) use antitrata_store::PAGE_MAX;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// How many rows a page holds when the client does not say.
pub(super) const PAGE_SIZE: i64 = 100;

/// A page of a list whose cursor is the id of the last row of the page before.
#[derive(Deserialize, Default, IntoParams)]
#[into_params(parameter_in = Query)]
pub(super) struct PageQuery {
    /// How many rows a page holds, 1 to 500 (100 when left out).
    #[param(value_type = i64, required = false, minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next` of the page before; left out for the first page.
    #[serde(default)]
    #[param(format = Uuid)]
    pub cursor: String,
}

impl PageQuery {
    /// The page's size and the id it goes on after, each refused at its name when bad.
    pub(super) fn read<T>(&self, errors: &mut Errors, id: fn(Uuid) -> T) -> (i64, Option<T>) {
        let limit = page_limit(errors, self.limit, PAGE_SIZE);
        (limit, cursor(errors, &self.cursor, id))
    }
}

/// The id a page goes on after, from the `cursor` sent (left out: the first page); one that is
/// not an id is refused at `cursor`.
pub(super) fn cursor<T>(errors: &mut Errors, text: &str, id: fn(Uuid) -> T) -> Option<T> {
    errors.optional_code("cursor", text, |text| Uuid::parse_str(text).ok().map(id))
}

/// The `limit` asked for, or `default`; out of 1 to [`PAGE_MAX`] it is refused.
pub(super) fn page_limit(errors: &mut Errors, limit: Option<i64>, default: i64) -> i64 {
    let limit = limit.unwrap_or(default);
    if !(1..=PAGE_MAX).contains(&limit) {
        errors.add("limit", Problem::OutOfRange);
    }
    limit
}

/// The cursor of the page after `rows`: the id of its last row when the page is full, `None`
/// on the last page.
pub(super) fn next<T, C>(rows: &[T], limit: i64, cursor: impl Fn(&T) -> C) -> Option<C> {
    let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= limit;
    rows.last().filter(|_| full).map(cursor)
}

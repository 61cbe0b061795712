//! Times and dates as text, one format for each use: what people read (to the minute, in UTC,
//! said so), dates as `YYYY-MM-DD`, and instants for machines (RFC 3339 in UTC).

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// `2026-11-27 14:05 UTC`: an instant as the console and the CLI show it.
pub fn minute_utc(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// `2026-11-27`.
pub fn day(date: Date) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    date.format(&format).unwrap_or_default()
}

/// `2026-11-27T14:05:09Z`: an instant in the JSON API.
pub fn rfc3339_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn formats_in_utc_whatever_the_offset() {
        let at = datetime!(2026-11-27 08:05:09 -6);
        assert_eq!(minute_utc(at), "2026-11-27 14:05 UTC");
        assert_eq!(rfc3339_utc(at), "2026-11-27T14:05:09Z");
        assert_eq!(day(date!(2026 - 01 - 05)), "2026-01-05");
    }
}

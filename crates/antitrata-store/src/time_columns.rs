//! Times and dates in columns: instants as unix seconds (integer order on both backends), dates
//! as `YYYY-MM-DD` text.

use time::{Date, OffsetDateTime};

use crate::StoreError;

pub(crate) fn unix(at: OffsetDateTime) -> i64 {
    at.unix_timestamp()
}

pub(crate) fn from_unix(seconds: i64) -> Result<OffsetDateTime, StoreError> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .map_err(|e| StoreError::Corrupt(format!("bad time {seconds}: {e}")))
}

pub(crate) use antitrata_domain::time_text::day as date_text;

pub(crate) fn parse_date(text: &str) -> Result<Date, StoreError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, &format).map_err(|e| StoreError::Corrupt(format!("bad date `{text}`: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn round_trips() {
        let at = datetime!(2026-11-28 10:11:12 UTC);
        assert_eq!(from_unix(unix(at)).unwrap(), at);
        assert_eq!(date_text(date!(2026 - 01 - 05)), "2026-01-05");
        assert_eq!(parse_date("2026-01-05").unwrap(), date!(2026 - 01 - 05));
        assert!(parse_date("5/1/2026").is_err());
    }
}

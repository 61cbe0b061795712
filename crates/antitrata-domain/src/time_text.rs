//! Times and dates as text, one format for each use: what people read (in the country's local
//! time, to the second, its zone said; or to the minute in UTC where no country applies), dates
//! as `YYYY-MM-DD`, and instants for machines (RFC 3339 in UTC).

use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

use crate::CountryCode;

/// `2026-11-27 14:05 UTC`: an instant as the console and the CLI show it.
pub fn minute_utc(at: OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    at.to_offset(UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// `2026-11-27 08:05:09 CST`: an instant in the local time of `country`'s zone
/// ([`CountryCode::time_zone`]), to the whole second, with the zone's abbreviation; `UTC` for no
/// country (a regional role, the command line).
pub fn local_second(at: OffsetDateTime, country: Option<CountryCode>) -> String {
    let zone = country.map_or("UTC", |c| c.time_zone());
    let local = jiff::Timestamp::from_second(at.unix_timestamp())
        .ok()
        .zip(jiff::tz::TimeZone::get(zone).ok())
        .map(|(instant, zone)| instant.to_zoned_datetime(zone));
    match local {
        Some(local) => local.strftime("%Y-%m-%d %H:%M:%S %Z").to_string(),
        // The zone database is built in and every instant stored fits it: not reached, but a
        // time is shown rather than nothing.
        None => second_utc(at),
    }
}

/// The calendar day it is at `at` in `country`'s zone (UTC for no country): the "today" of
/// due dates and overdue follow-ups, so an evening in Guatemala is not already tomorrow.
pub fn local_date(at: OffsetDateTime, country: Option<CountryCode>) -> Date {
    let zone = country.map_or("UTC", |c| c.time_zone());
    jiff::Timestamp::from_second(at.unix_timestamp())
        .ok()
        .zip(jiff::tz::TimeZone::get(zone).ok())
        .and_then(|(instant, zone)| {
            let day = instant.to_zoned_datetime(zone).date();
            let month = time::Month::try_from(u8::try_from(day.month()).ok()?).ok()?;
            Date::from_calendar_date(i32::from(day.year()), month, u8::try_from(day.day()).ok()?)
                .ok()
        })
        // The zone database is built in: not reached, but a day is given rather than none.
        .unwrap_or_else(|| at.to_offset(UtcOffset::UTC).date())
}

/// `2026-11-27 14:05:09 UTC`.
fn second_utc(at: OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");
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

    #[test]
    fn local_time_is_the_countrys_to_the_second() {
        let at = datetime!(2026-11-27 23:30:07.123456 UTC);
        let code = |c| Some(CountryCode::parse(c).unwrap());
        assert_eq!(local_second(at, code("GT")), "2026-11-27 17:30:07 CST");
        assert_eq!(local_second(at, code("PA")), "2026-11-27 18:30:07 EST");
        assert_eq!(local_second(at, code("DO")), "2026-11-27 19:30:07 AST");
        assert_eq!(local_second(at, None), "2026-11-27 23:30:07 UTC");
        // Summer time where the zone keeps it.
        let july = datetime!(2026-07-01 12:00 UTC);
        assert_eq!(local_second(july, code("US")), "2026-07-01 08:00:00 EDT");
        assert_eq!(local_second(july, code("GT")), "2026-07-01 06:00:00 CST");
    }

    #[test]
    fn the_day_is_the_countrys() {
        let gt = Some(CountryCode::parse("GT").unwrap());
        // 03:00 UTC on the 28th is still the evening of the 27th in Guatemala.
        assert_eq!(
            local_date(datetime!(2026-11-28 03:00 UTC), gt),
            date!(2026 - 11 - 27)
        );
        assert_eq!(
            local_date(datetime!(2026-11-28 06:00 UTC), gt),
            date!(2026 - 11 - 28)
        );
        assert_eq!(
            local_date(datetime!(2026-11-28 03:00 UTC), None),
            date!(2026 - 11 - 28)
        );
    }

    #[test]
    fn every_member_has_a_zone_the_database_knows() {
        for code in crate::country::RCM_MEMBERS {
            let zone = CountryCode::parse(code).unwrap().time_zone();
            assert_ne!(zone, "UTC", "{code}");
            assert!(jiff::tz::TimeZone::get(zone).is_ok(), "{code}: {zone}");
        }
    }
}

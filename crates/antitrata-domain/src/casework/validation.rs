//! What is wrong with a submitted record, field by field, so forms can say it beside the field in
//! the user's language. A record with any `FieldError` is not stored.

use std::fmt;

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The form field's name (`phone`, `born_on`).
    pub field: &'static str,
    pub problem: Problem,
}

/// Why a value is refused. Each has a Fluent key (`problem-<code>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// Longer than this many characters.
    TooLong(usize),
    /// Not one of the field's vocabulary.
    UnknownCode,
    /// A date or time after now.
    InFuture,
    /// Not a date (`YYYY-MM-DD`) or time.
    BadDate,
    /// An end before its start.
    EndsBeforeStart,
    /// Not a valid phone number.
    BadPhone,
    /// Not a country code.
    BadCountry,
    /// A number outside the field's range.
    OutOfRange,
    /// An action the record's state does not allow (closing a closed case).
    NotAllowedNow,
    /// A page's text that does not begin with its title (`# Title`).
    NoTitle,
}

impl Problem {
    pub fn code(self) -> &'static str {
        match self {
            Problem::Required => "required",
            Problem::TooLong(_) => "too-long",
            Problem::UnknownCode => "unknown-code",
            Problem::InFuture => "in-future",
            Problem::BadDate => "bad-date",
            Problem::EndsBeforeStart => "ends-before-start",
            Problem::BadPhone => "bad-phone",
            Problem::BadCountry => "bad-country",
            Problem::OutOfRange => "out-of-range",
            Problem::NotAllowedNow => "not-allowed-now",
            Problem::NoTitle => "no-title",
        }
    }

    /// The Fluent key of the message; `TooLong` takes the variable `max`.
    pub fn label_key(self) -> String {
        format!("problem-{}", self.code())
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            Problem::TooLong(max) => write!(f, "{}: longer than {max} characters", self.field),
            problem => write!(f, "{}: {}", self.field, problem.code()),
        }
    }
}

/// A character that counts as blank in text: Unicode white space and the zero-width no-break
/// space. These are exactly the characters of JSON Schema's `\s` (ECMA-262) and NEL (U+0085),
/// so the API document's "not only blanks" pattern, `[^\s\u0085]`, refuses what the server
/// refuses as empty: a client that follows the document is never refused for it.
pub(super) fn is_blank(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

/// Collects the field errors of one submission.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn add(&mut self, field: &'static str, problem: Problem) {
        self.0.push(FieldError { field, problem });
    }

    /// `value` trimmed of blanks ([`is_blank`]), or `None` when empty; longer than `max`
    /// characters is an error.
    pub fn optional_text(
        &mut self,
        field: &'static str,
        value: &str,
        max: usize,
    ) -> Option<String> {
        let value = value.trim_matches(is_blank);
        if value.chars().count() > max {
            self.add(field, Problem::TooLong(max));
        }
        (!value.is_empty()).then(|| value.to_owned())
    }

    /// As [`Errors::optional_text`], but empty is an error.
    pub fn required_text(&mut self, field: &'static str, value: &str, max: usize) -> String {
        let text = self.optional_text(field, value, max);
        if text.is_none() {
            self.add(field, Problem::Required);
        }
        text.unwrap_or_default()
    }

    /// An ISO 3166 country code that UN M49 places (so `XX` and `ZZ` are refused); empty is
    /// `None`, blank an error.
    pub fn optional_country(
        &mut self,
        field: &'static str,
        value: &str,
    ) -> Option<crate::CountryCode> {
        if value.is_empty() {
            return None;
        }
        // Blank is not left out: it is a value, and no code or date.
        let value = value.trim();
        let known = known_country(value);
        if known.is_none() {
            self.add(field, Problem::BadCountry);
        }
        known
    }

    /// A `YYYY-MM-DD` date; empty is `None`, anything else that is not a date (blank too) an
    /// error.
    pub fn optional_date(&mut self, field: &'static str, value: &str) -> Option<time::Date> {
        if value.is_empty() {
            return None;
        }
        // Blank is not left out: it is a value, and no code or date.
        let value = value.trim();
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let parsed = time::Date::parse(value, &format).ok();
        if parsed.is_none() {
            self.add(field, Problem::BadDate);
        }
        parsed
    }

    /// A picklist value; empty is `None`, an unknown code (blank too) an error.
    pub fn optional_code<T>(
        &mut self,
        field: &'static str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if value.is_empty() {
            return None;
        }
        // Blank is not left out: it is a value, and no code or date.
        let value = value.trim();
        let parsed = parse(value);
        if parsed.is_none() {
            self.add(field, Problem::UnknownCode);
        }
        parsed
    }

    /// A required picklist value.
    pub fn required_code<T>(
        &mut self,
        field: &'static str,
        value: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if value.trim().is_empty() {
            self.add(field, Problem::Required);
            return None;
        }
        self.optional_code(field, value, parse)
    }

    /// Several picklist values, each known, without repeats.
    pub fn codes<T: PartialEq>(
        &mut self,
        field: &'static str,
        values: &[String],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for value in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
            match parse(value) {
                Some(v) if !out.contains(&v) => out.push(v),
                Some(_) => {}
                None => {
                    self.add(field, Problem::UnknownCode);
                    return out;
                }
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` if nothing was wrong, else every error found.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// The country a code names, if it is one UN M49 places.
pub(super) fn known_country(code: &str) -> Option<crate::CountryCode> {
    crate::CountryCode::parse(code.trim())
        .ok()
        .filter(|c| crate::m49::place(c.as_str()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_fields_are_trimmed_and_bounded() {
        let mut errors = Errors::default();
        assert_eq!(errors.optional_text("a", "  x  ", 5), Some("x".into()));
        assert_eq!(errors.optional_text("b", "   ", 5), None);
        assert_eq!(errors.optional_text("b", "\u{85}\u{feff}\u{3000}", 5), None);
        assert!(errors.is_empty());
        errors.optional_text("c", "ñññññn", 5);
        assert_eq!(errors.required_text("d", " ", 5), "");
        assert_eq!(
            errors.finish(()).unwrap_err(),
            vec![
                FieldError {
                    field: "c",
                    problem: Problem::TooLong(5)
                },
                FieldError {
                    field: "d",
                    problem: Problem::Required
                },
            ]
        );
    }

    #[test]
    fn an_empty_code_or_date_is_left_out_and_a_blank_one_is_refused() {
        let mut errors = Errors::default();
        assert_eq!(errors.optional_date("from", ""), None);
        assert_eq!(errors.optional_code("status", "", |_| Some(1)), None);
        assert_eq!(errors.optional_country("nationality", ""), None);
        assert!(errors.finish(()).is_ok());
        let mut errors = Errors::default();
        assert_eq!(errors.optional_date("from", "\n"), None);
        assert_eq!(
            errors.optional_code("status", " ", |c: &str| (!c.is_empty()).then_some(1)),
            None
        );
        assert_eq!(errors.optional_country("nationality", "\t"), None);
        let problems: Vec<_> = errors
            .finish(())
            .unwrap_err()
            .into_iter()
            .map(|e| (e.field, e.problem))
            .collect();
        assert_eq!(
            problems,
            [
                ("from", Problem::BadDate),
                ("status", Problem::UnknownCode),
                ("nationality", Problem::BadCountry)
            ]
        );
        let mut errors = Errors::default();
        assert!(errors.optional_date("from", " 2026-01-31 ").is_some());
        assert!(errors.finish(()).is_ok());
    }

    #[test]
    fn code_lists_refuse_unknown_codes_and_drop_repeats() {
        let parse = |s: &str| (s == "a" || s == "b").then(|| s.to_owned());
        let mut errors = Errors::default();
        let got = errors.codes("x", &["a".into(), "b".into(), "a".into(), "".into()], parse);
        assert_eq!(got, vec!["a".to_owned(), "b".to_owned()]);
        assert!(errors.is_empty());
        errors.codes("x", &["c".into()], parse);
        assert_eq!(
            errors.finish(()).unwrap_err()[0].problem,
            Problem::UnknownCode
        );
    }
}

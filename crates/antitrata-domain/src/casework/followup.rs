//! Follow-ups: tasks with a due date on a case ("call back Friday", "check the shelter place"),
//! assigned to someone or left to whoever wrote them. The title may name people, so it is sealed.

use std::fmt;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::case::{CaseId, CaseReference};
use super::validation::{Errors, FieldError, Problem};
use crate::UserId;

/// Identifies a follow-up (UUIDv7).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct FollowUpId(pub Uuid);

impl fmt::Display for FollowUpId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The longest follow-up title.
pub const TITLE_MAX: usize = 300;

/// A follow-up as submitted.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpInput {
    #[serde(default)]
    #[cfg_attr(
        feature = "openapi",
        schema(
            required = true,
            min_length = 1,
            max_length = 300,
            pattern = r"[^\s\u0085]"
        )
    )]
    pub title: String,
    /// `YYYY-MM-DD`, at most a year back and two years ahead.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Date, required = true))]
    pub due_on: String,
    /// An account id of the country; left out for the person writing it.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Uuid))]
    pub assignee: String,
}

/// A checked follow-up.
#[derive(Clone, PartialEq, Eq)]
pub struct NewFollowUp {
    pub title: String,
    pub due_on: Date,
    pub assignee: Option<UserId>,
}

impl NewFollowUp {
    /// Checks a submission on `today`: a title, and a due date no more than a year back (a task
    /// may be written after the fact) and no more than two years ahead.
    pub fn parse(input: &FollowUpInput, today: Date) -> Result<NewFollowUp, Vec<FieldError>> {
        let mut errors = Errors::default();
        let title = errors.required_text("title", &input.title, TITLE_MAX);
        let due_on = if input.due_on.trim().is_empty() {
            errors.add("due_on", Problem::Required);
            None
        } else {
            errors.optional_date("due_on", &input.due_on)
        };
        let due_on = due_on.filter(|date| {
            let in_range =
                (*date - today).whole_days() <= 731 && (today - *date).whole_days() <= 366;
            if !in_range {
                errors.add("due_on", Problem::OutOfRange);
            }
            in_range
        });
        let assignee = match input.assignee.trim() {
            "" => None,
            text => match Uuid::parse_str(text) {
                Ok(id) => Some(UserId(id)),
                Err(_) => {
                    errors.add("assignee", Problem::UnknownCode);
                    None
                }
            },
        };
        match due_on {
            Some(due_on) => errors.finish(NewFollowUp {
                title,
                due_on,
                assignee,
            }),
            None => Err(errors.finish(()).err().unwrap_or_default()),
        }
    }
}

/// A follow-up as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub id: FollowUpId,
    pub case: CaseId,
    pub reference: CaseReference,
    pub created_by: String,
    pub done_at: Option<OffsetDateTime>,
    /// Whether the case involves a minor (flagged wherever the task is shown).
    pub has_minor: bool,
    pub details: NewFollowUp,
    /// Raised by its one change, being done; the API's `ETag`.
    pub version: i64,
}

impl FollowUp {
    pub fn is_overdue(&self, today: Date) -> bool {
        self.done_at.is_none() && self.details.due_on < today
    }
}

impl fmt::Debug for NewFollowUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewFollowUp")
            .field("due_on", &self.due_on)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for FollowUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FollowUp")
            .field("id", &self.id)
            .field("details", &self.details)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn a_follow_up_needs_a_title_and_a_sensible_date() {
        let today = date!(2026 - 11 - 28);
        let input = FollowUpInput {
            title: "Call Canary back".into(),
            due_on: "2026-12-01".into(),
            assignee: String::new(),
        };
        let task = NewFollowUp::parse(&input, today).unwrap();
        assert_eq!(task.due_on, date!(2026 - 12 - 01));
        assert!(!format!("{task:?}").contains("Canary"));
        for (due, problem) in [
            ("", Problem::Required),
            ("1/12/2026", Problem::BadDate),
            ("2030-01-01", Problem::OutOfRange),
            ("2024-01-01", Problem::OutOfRange),
        ] {
            let bad = FollowUpInput {
                due_on: due.into(),
                ..input.clone()
            };
            assert_eq!(
                NewFollowUp::parse(&bad, today).unwrap_err()[0].problem,
                problem,
                "{due}"
            );
        }
    }
}

//! The menu's search box: one field for a case reference, a contact id, a name or a phone
//! number. A reference or an id opens its record; anything else searches the country's people
//! (by phone when it reads as one, else by name). Posted, so what was typed never sits in a URL.

use antitrata_domain::casework::{CaseReference, ContactId};
use antitrata_domain::policy::Action;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::store_error;
use crate::console::extract::{Console, Verified};
use crate::error::PageError;

#[derive(Deserialize)]
pub(super) struct SearchForm {
    csrf: String,
    #[serde(default)]
    q: String,
}

impl super::PostedForm for SearchForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub(super) async fn search(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<SearchForm>,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::WorkCases);
    let fail = store_error(lang, &headers);
    let q = form.q.trim();
    if let Some(reference) = CaseReference::parse(q)
        && let Some(case) = state
            .store
            .find_case_by_reference(&actor, &reference)
            .await
            .map_err(&fail)?
    {
        return Ok(Redirect::to(&format!("/console/cases/{}", case.id)).into_response());
    }
    if let Ok(id) = Uuid::parse_str(q)
        && let Some(contact) = state
            .store
            .find_contact(&actor, ContactId(id))
            .await
            .map_err(&fail)?
    {
        return Ok(Redirect::to(&format!("/console/contacts/{}", contact.id)).into_response());
    }
    if q.is_empty() {
        return Ok(super::persons::search_page(&who, &headers, ("", ""), None));
    }
    let (name, phone) = if reads_as_phone(q) { ("", q) } else { (q, "") };
    let people = state
        .store
        .search_persons(
            &actor,
            Some(name).filter(|n| !n.is_empty()),
            Some(phone).filter(|p| !p.is_empty()),
            None,
        )
        .await
        .map_err(&fail)?;
    Ok(super::persons::search_page(
        &who,
        &headers,
        (name, phone),
        Some(people),
    ))
}

/// Whether what was typed is a phone number rather than a name: six digits or more, and
/// nothing but digits, spaces and `+ - ( ) .`.
pub(super) fn reads_as_phone(q: &str) -> bool {
    q.chars().filter(char::is_ascii_digit).count() >= 6
        && q.chars()
            .all(|c| c.is_ascii_digit() || " +-().".contains(c))
}

#[cfg(test)]
mod tests {
    use super::reads_as_phone;

    #[test]
    fn a_phone_is_told_from_a_name() {
        assert!(reads_as_phone("+502 5555-0199"));
        assert!(reads_as_phone("(502) 5555 0199"));
        assert!(!reads_as_phone("Ana Caal"));
        assert!(!reads_as_phone("12345"));
        assert!(!reads_as_phone("Ana 5555 0199"));
    }
}

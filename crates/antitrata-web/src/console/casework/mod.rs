//! Hotline work in the console: recording contacts (with screening and a server-side draft),
//! opening and working cases, and the supervisor's queue. Every handler acts through the store,
//! which keeps to the account's country and audits.

pub(super) mod cases;
pub(super) mod contacts;
pub(super) mod people;
pub(super) mod person_edit;
pub(super) mod queue;
pub(super) mod services;
pub(super) mod work;

use antitrata_domain::Lang;
use antitrata_domain::casework::{FieldError, Picklist};
use axum::http::HeaderMap;
use serde::Deserialize;

use super::{PostedForm, store_error};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;

/// One option of a picklist in a form.
pub(super) struct Opt {
    pub code: &'static str,
    pub label: String,
    pub selected: bool,
}

/// The options of a vocabulary, those in `selected` marked.
pub(super) fn options<T: Picklist>(tr: &Tr, selected: &[String]) -> Vec<Opt> {
    T::all()
        .iter()
        .map(|value| Opt {
            code: value.code(),
            label: tr.t(&value.label_key()),
            selected: selected.iter().any(|s| s == value.code()),
        })
        .collect()
}

/// The localized label of a value.
pub(super) fn label<T: Picklist>(tr: &Tr, value: T) -> String {
    tr.t(&value.label_key())
}

/// Field errors, localized, for a form to show beside each field.
#[derive(Default)]
pub(in crate::console) struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub(in crate::console) fn new(tr: &Tr, errors: &[FieldError]) -> FieldErrors {
        FieldErrors(
            errors
                .iter()
                .map(|e| (e.field, problem_message(tr, e.field, e.problem)))
                .collect(),
        )
    }

    pub(in crate::console) fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub(in crate::console) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A posted form as its name–value pairs, in order: forms with repeated names (several
/// exploitation types) and open sets of names (one per screening indicator).
#[derive(Deserialize, Default)]
#[serde(transparent)]
pub(in crate::console) struct Pairs(pub Vec<(String, String)>);

impl Pairs {
    /// The first value of `name`, or "".
    pub(in crate::console) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`.
    pub(in crate::console) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

impl PostedForm for Pairs {
    fn csrf(&self) -> &str {
        self.get("csrf")
    }
}

/// Country codes typed as `HN, SV` or `HN SV`.
pub(super) fn country_list(text: &str) -> Vec<String> {
    text.split([',', ' ', ';'])
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

pub(super) use crate::casework::problem_message;

/// The actor an account is for hotline work.
pub(super) fn casework_actor(
    state: &crate::AppState,
    account: &antitrata_domain::Account,
    headers: &HeaderMap,
) -> antitrata_domain::Actor {
    crate::auth::actor(
        state,
        account,
        headers,
        antitrata_domain::policy::Action::WorkCases,
    )
}

/// What a refused form shows: its bad fields as messages to put beside them; a step the record
/// no longer allows, or a store failure, as the error page it is.
pub(super) fn field_errors(
    lang: Lang,
    headers: &HeaderMap,
    refusal: crate::casework::Refusal,
) -> Result<FieldErrors, PageError> {
    match refusal {
        crate::casework::Refusal::Fields(errors) => Ok(FieldErrors::new(&Tr::new(lang), &errors)),
        crate::casework::Refusal::NotNow | crate::casework::Refusal::Similar(_) => {
            Err(PageError::new(lang, AppError::Conflict, headers))
        }
        crate::casework::Refusal::Store(e) => Err(store_error(lang, headers)(e)),
    }
}

//! Correcting and removing a person of a case: the form holds what is stored and the version it
//! was made from, so a correction made meanwhile by someone else is not undone unseen; removal
//! deletes the person's sealed record (the audit trail of who added, viewed and removed them
//! stays) and is refused while consents or referrals keep them on the case.

use antitrata_domain::PersonId;
use antitrata_domain::casework::{
    AgeBand, CaseId, CasePerson, ContactLanguage, Gender, PersonRole,
};
use antitrata_store::{ConflictKind, StoreError};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use super::people::{back_to, person_input};
use super::{FieldErrors, Opt, Pairs, casework_actor, label, options, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework::{self, Refusal};
use crate::console::extract::{Console, PathId, Verified};
use crate::console::{console_page, page_lang};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/casework/person_edit.html")]
struct EditPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    id: String,
    case: String,
    /// The version the form is made from, sent back with it.
    version: i64,
    /// Why the form came back: someone changed the person meanwhile, or they cannot be removed.
    message: Option<String>,
    errors: FieldErrors,
    /// After a correction made meanwhile: what is stored now, beside each field where it differs
    /// from what was typed.
    theirs: Theirs,
    typed: Pairs,
    roles: Vec<Opt>,
    genders: Vec<Opt>,
    bands: Vec<Opt>,
    languages: Vec<Opt>,
}

/// A stored person as the form's values.
fn as_pairs(p: &CasePerson) -> Pairs {
    let mut pairs = vec![
        ("role".to_owned(), p.role.code().to_owned()),
        ("name".to_owned(), p.name.clone()),
    ];
    let mut put = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            pairs.push((name.to_owned(), value));
        }
    };
    put("aliases", p.aliases.clone());
    put("phone", p.phone.clone());
    put("address", p.address.clone());
    put("born_on", p.born_on.map(|d| d.to_string()));
    put("age_band", p.age_band.map(|b| b.code().to_owned()));
    put("gender", p.gender.map(|g| g.code().to_owned()));
    put("nationality", p.nationality.map(|c| c.to_string()));
    put("minor", p.is_minor.then(|| "on".to_owned()));
    for language in &p.languages {
        pairs.push(("languages".to_owned(), language.code().to_owned()));
    }
    Pairs(pairs)
}

/// What the edit page shows besides the person's values.
struct Shown {
    message: Option<String>,
    errors: FieldErrors,
    theirs: Theirs,
    status: StatusCode,
}

impl Shown {
    fn new(message: Option<String>, errors: FieldErrors, status: StatusCode) -> Shown {
        Shown {
            message,
            errors,
            theirs: Theirs::default(),
            status,
        }
    }
}

/// The stored values, as words, of the fields where they differ from the typed ones.
#[derive(Default)]
struct Theirs(Vec<(&'static str, String)>);

impl Theirs {
    /// Compares what was typed with the person as stored now, field by field.
    fn between(tr: &Tr, typed: &Pairs, stored: &CasePerson) -> Theirs {
        const FIELDS: [&str; 11] = [
            "role",
            "name",
            "aliases",
            "phone",
            "address",
            "born_on",
            "age_band",
            "minor",
            "gender",
            "nationality",
            "languages",
        ];
        let now = as_pairs(stored);
        let words = |field: &str, codes: Vec<String>| -> String {
            let shown: Vec<String> = codes
                .iter()
                .map(|code| {
                    match field {
                        "role" => PersonRole::parse(code).map(|v| label(tr, v)),
                        "age_band" => AgeBand::parse(code).map(|v| label(tr, v)),
                        "gender" => Gender::parse(code).map(|v| label(tr, v)),
                        "languages" => ContactLanguage::parse(code).map(|v| label(tr, v)),
                        "minor" => Some(tr.t("people-minor")),
                        _ => None,
                    }
                    .unwrap_or_else(|| code.clone())
                })
                .collect();
            if shown.is_empty() {
                tr.t("people-theirs-empty")
            } else {
                shown.join(", ")
            }
        };
        let trimmed = |pairs: &Pairs, field: &str| -> Vec<String> {
            pairs
                .all(field)
                .iter()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .collect()
        };
        Theirs(
            FIELDS
                .into_iter()
                .filter(|field| trimmed(typed, field) != trimmed(&now, field))
                .map(|field| (field, words(field, trimmed(&now, field))))
                .collect(),
        )
    }

    fn of(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, v)| v.as_str())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn edit_page(
    who: &SignedIn,
    headers: &HeaderMap,
    (id, case, version): (PersonId, CaseId, i64),
    typed: Pairs,
    shown: Shown,
) -> Response {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let page = EditPage {
        title: tr.t("people-edit-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        id: id.to_string(),
        case: case.to_string(),
        version,
        message: shown.message,
        errors: shown.errors,
        theirs: shown.theirs,
        roles: options::<PersonRole>(&tr, &typed.all("role")),
        genders: options::<Gender>(&tr, &typed.all("gender")),
        bands: options::<AgeBand>(&tr, &typed.all("age_band")),
        languages: options::<ContactLanguage>(&tr, &typed.all("languages")),
        typed,
        tr,
    };
    (shown.status, console_page(lang, page.render(), headers)).into_response()
}

/// The person as stored, or a 404 when there is no such person of a case in the country.
async fn stored(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    id: PersonId,
) -> Result<(CaseId, i64, CasePerson), PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let actor = casework_actor(state, &who.account, headers);
    state
        .store
        .find_case_person(&actor, id)
        .await
        .map_err(store_error(lang, headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, headers))
}

pub(in crate::console) async fn show_edit(
    Console(state, who, _, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let id = PersonId(id);
    let (case, version, person) = stored(&state, &who, &headers, id).await?;
    let shown = Shown::new(None, FieldErrors::default(), StatusCode::OK);
    Ok(edit_page(
        &who,
        &headers,
        (id, case, version),
        as_pairs(&person),
        shown,
    ))
}

/// Saves the correction; a bad field, or a person changed meanwhile, shows the form again as
/// typed, and nothing is stored.
pub(in crate::console) async fn update_person(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = PersonId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let expected = super::cases::shown_version(&pairs);
    let done =
        casework::update_person(&state.store, &actor, id, &person_input(&pairs), expected).await;
    let refusal = match done {
        Ok((case, _, _)) => return Ok(back_to(case, "person-edited")),
        Err(refusal) => refusal,
    };
    let (case, version, now) = stored(&state, &who, &headers, id).await?;
    let tr = Tr::new(lang);
    let shown = match refusal {
        Refusal::Fields(errors) => Shown::new(
            None,
            FieldErrors::new(&tr, &errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        // The form now carries the current version and shows what is stored beside each field
        // that differs: saved again, it replaces theirs knowingly.
        Refusal::Store(StoreError::Stale { .. }) => Shown {
            theirs: Theirs::between(&tr, &pairs, &now),
            ..Shown::new(
                Some(tr.t("people-changed-meanwhile")),
                FieldErrors::default(),
                StatusCode::CONFLICT,
            )
        },
        Refusal::Store(e) => return Err(store_error(lang, &headers)(e)),
        Refusal::NotNow | Refusal::Similar(_) => {
            return Err(PageError::new(lang, AppError::Conflict, &headers));
        }
    };
    Ok(edit_page(&who, &headers, (id, case, version), pairs, shown))
}

/// Removes the person from the case, when the form's box says so; back to the case's people.
pub(in crate::console) async fn remove_person(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let id = PersonId(id);
    let actor = casework_actor(&state, &who.account, &headers);
    let (case, version, person) = stored(&state, &who, &headers, id).await?;
    let tr = Tr::new(lang);
    let refused =
        |message: &str, status| Shown::new(Some(tr.t(message)), FieldErrors::default(), status);
    if pairs.get("confirm") != "on" {
        let shown = refused(
            "people-remove-unconfirmed",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        return Ok(edit_page(
            &who,
            &headers,
            (id, case, version),
            as_pairs(&person),
            shown,
        ));
    }
    let expected = super::cases::shown_version(&pairs);
    let shown = match state.store.remove_case_person(&actor, id, expected).await {
        Ok(case) => return Ok(back_to(case, "person-removed")),
        Err(StoreError::Conflict(ConflictKind::PersonHasRecords)) => {
            refused("people-remove-has-records", StatusCode::CONFLICT)
        }
        Err(StoreError::Stale { .. }) => refused("people-changed-meanwhile", StatusCode::CONFLICT),
        Err(e) => return Err(store_error(lang, &headers)(e)),
    };
    Ok(edit_page(
        &who,
        &headers,
        (id, case, version),
        as_pairs(&person),
        shown,
    ))
}

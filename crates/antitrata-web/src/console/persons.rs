//! Finding and viewing people in the records, within the signed-in account's country. Searches are
//! posted, so names and phone numbers never sit in a URL, a browser history or a log.

use antitrata_domain::policy::Action;
use antitrata_domain::{Person, PersonId};
use askama::Template;
use axum::Extension;
use axum::http::HeaderMap;
use axum::response::Response;
use serde::Deserialize;

use super::{console_page, page_lang, store_error};
use crate::auth::session::SignedIn;
use crate::console::extract::{Console, PathId, Verified};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Template)]
#[template(path = "console/persons.html")]
struct SearchPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    name: String,
    phone: String,
    searched: bool,
    results: Vec<ResultRow>,
}

struct ResultRow {
    id: String,
    name: String,
    phone: Option<String>,
    case: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct SearchForm {
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    phone: String,
}

impl super::PostedForm for SearchForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// The search page: the form as typed, and the people found or listed, if any.
pub(super) fn search_page(
    who: &SignedIn,
    headers: &HeaderMap,
    typed: (&str, &str),
    people: Option<Vec<Person>>,
) -> Response {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let (name, phone) = (typed.0.to_owned(), typed.1.to_owned());
    let searched = people.is_some();
    let results = people
        .unwrap_or_default()
        .into_iter()
        .map(|p| ResultRow {
            id: p.id.to_string(),
            name: p.name,
            phone: p.phone,
            case: p.case.map(|c| c.to_string()),
        })
        .collect();
    let page = SearchPage {
        title: tr.t("persons-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        name,
        phone,
        searched,
        results,
        tr,
    };
    console_page(lang, page.render(), headers)
}

pub(super) async fn show_search(
    Extension(who): Extension<SignedIn>,
    headers: HeaderMap,
) -> Response {
    search_page(&who, &headers, ("", ""), None)
}

pub(super) async fn search_persons(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<SearchForm>,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::WorkCases);
    let name = Some(form.name.trim()).filter(|n| !n.is_empty());
    let phone = Some(form.phone.trim()).filter(|p| !p.is_empty());
    let people = state
        .store
        .search_persons(&actor, name, phone, None)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(search_page(
        &who,
        &headers,
        (&form.name, &form.phone),
        Some(people),
    ))
}

#[derive(Template)]
#[template(path = "console/person.html")]
struct PersonPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    name: String,
    phone: Option<String>,
    country: String,
    created: String,
    readers: Vec<super::audit::ReaderRow>,
}

pub(super) async fn show_person(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::WorkCases);
    let person = state
        .store
        .find_person(&actor, PersonId(id))
        .await
        .map_err(store_error(lang, &headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, &headers))?;
    let reads = state
        .store
        .list_record_reads("person", &person.id.to_string(), 100)
        .await
        .map_err(store_error(lang, &headers))?;
    let readers = super::audit::reader_rows(&state.store, reads)
        .await
        .map_err(store_error(lang, &headers))?;
    let tr = Tr::new(lang);
    let page = PersonPage {
        title: tr.t("persons-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, &who),
        name: person.name,
        phone: person.phone,
        country: person.country.to_string(),
        created: person.created_at.date().to_string(),
        readers,
        tr,
    };
    Ok(console_page(lang, page.render(), &headers))
}

/// How many people the recent list shows.
const RECENT: i64 = 50;

/// The people recorded most recently in the account's country.
pub(super) async fn list_recent(
    Console(state, who, lang, headers): Console,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::WorkCases);
    let people = state
        .store
        .list_recent_persons(&actor, RECENT)
        .await
        .map_err(store_error(lang, &headers))?;
    Ok(search_page(&who, &headers, ("", ""), Some(people)))
}

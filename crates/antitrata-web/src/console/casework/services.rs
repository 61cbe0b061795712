//! The services directory in the console: everyone doing hotline work in a country searches it
//! by category and place; its country administrators add, edit, deactivate and bring back
//! services.

use antitrata_domain::casework::{
    ContactLanguage, Service, ServiceCategory, ServiceId, ServiceInput,
};
use antitrata_domain::policy::Action;
use askama::Template;
use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{FieldErrors, Opt, Pairs, field_errors, label, options, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::casework;
use crate::console::extract::{Console, PathId, Verified};
use crate::console::{console_page, page_lang};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;

#[derive(Deserialize, Default)]
pub(in crate::console) struct Filter {
    #[serde(default)]
    category: String,
    #[serde(default)]
    place: String,
}

#[derive(Template)]
#[template(path = "console/casework/services.html")]
struct ServicesPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    filter: Filter,
    categories: Vec<Opt>,
    rows: Vec<ServiceRow>,
    can_edit: bool,
    deactivated: Vec<ServiceRow>,
    new_id: String,
    form_categories: Vec<Opt>,
    form_languages: Vec<Opt>,
    errors: FieldErrors,
    typed: Pairs,
}

#[derive(Template)]
#[template(path = "console/casework/service_edit.html")]
struct EditPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    id: String,
    active: bool,
    form_categories: Vec<Opt>,
    form_languages: Vec<Opt>,
    errors: FieldErrors,
    typed: Pairs,
}

struct ServiceRow {
    id: String,
    name: String,
    organization: String,
    categories: String,
    place: String,
    contact: String,
    hours: String,
    languages: String,
    eligibility: String,
}

fn rows(tr: &Tr, services: Vec<Service>) -> Vec<ServiceRow> {
    services
        .into_iter()
        .map(|s| {
            let d = s.details;
            ServiceRow {
                id: s.id.to_string(),
                categories: d
                    .categories
                    .iter()
                    .map(|c| label(tr, *c))
                    .collect::<Vec<_>>()
                    .join(", "),
                place: [Some(d.locality), d.address]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                contact: [d.phone, d.email]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" · "),
                hours: d.hours.unwrap_or_default(),
                languages: d
                    .languages
                    .iter()
                    .map(|l| label(tr, *l))
                    .collect::<Vec<_>>()
                    .join(", "),
                eligibility: d.eligibility.unwrap_or_default(),
                name: d.name,
                organization: d.organization,
            }
        })
        .collect()
}

async fn page(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    filter: Filter,
    errors: FieldErrors,
    typed: Pairs,
    status: StatusCode,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let actor = crate::auth::actor(state, &who.account, headers, Action::ReadServices);
    let category = ServiceCategory::parse(filter.category.trim());
    let services = state
        .store
        .list_services(
            &actor,
            category,
            Some(filter.place.as_str()),
            None,
            antitrata_store::PAGE_MAX,
        )
        .await
        .map_err(store_error(lang, headers))?;
    let can_edit = who.account.may(Action::EditServices);
    let deactivated = if can_edit {
        state
            .store
            .list_deactivated_services(&actor)
            .await
            .map_err(store_error(lang, headers))?
    } else {
        vec![]
    };
    let page = ServicesPage {
        title: tr.t("services-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        categories: options::<ServiceCategory>(&tr, std::slice::from_ref(&filter.category)),
        filter,
        rows: rows(&tr, services),
        can_edit,
        deactivated: rows(&tr, deactivated),
        new_id: state.runtime.uuid_v7().to_string(),
        form_categories: options::<ServiceCategory>(&tr, &typed.all("categories")),
        form_languages: options::<ContactLanguage>(&tr, &typed.all("languages")),
        errors,
        typed,
        tr,
    };
    Ok((status, console_page(lang, page.render(), headers)).into_response())
}

pub(in crate::console) async fn list_services(
    Console(state, who, _, headers): Console,
    filter: Result<Query<Filter>, QueryRejection>,
) -> Result<Response, PageError> {
    let filter = filter.map(|Query(f)| f).unwrap_or_default();
    page(
        &state,
        &who,
        &headers,
        filter,
        FieldErrors::default(),
        Pairs::default(),
        StatusCode::OK,
    )
    .await
}

/// A country administrator adds a service to the country's directory.
pub(in crate::console) async fn add_service(
    Console(state, who, lang, headers): Console,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = admin_actor(&state, &who, &headers);
    let id = Uuid::parse_str(pairs.get("id").trim()).ok();
    match casework::save_service(&state.store, &actor, id, &service_input(&pairs), true).await {
        Ok(_) => Ok(Redirect::to("/console/services").into_response()),
        Err(refusal) => {
            let errors = field_errors(lang, &headers, refusal)?;
            page(
                &state,
                &who,
                &headers,
                Filter::default(),
                errors,
                pairs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// The administrator acting on the directory.
fn admin_actor(state: &AppState, who: &SignedIn, headers: &HeaderMap) -> antitrata_domain::Actor {
    crate::auth::actor(state, &who.account, headers, Action::EditServices)
}

fn service_input(pairs: &Pairs) -> ServiceInput {
    ServiceInput {
        organization: pairs.get("organization").to_owned(),
        name: pairs.get("name").to_owned(),
        categories: pairs.all("categories"),
        locality: pairs.get("locality").to_owned(),
        address: pairs.get("address").to_owned(),
        phone: pairs.get("phone").to_owned(),
        email: pairs.get("email").to_owned(),
        hours: pairs.get("hours").to_owned(),
        languages: pairs.all("languages"),
        eligibility: pairs.get("eligibility").to_owned(),
    }
}

/// A stored service as the form's fields.
fn service_pairs(service: &Service) -> Pairs {
    let d = &service.details;
    let mut pairs = vec![
        ("organization", d.organization.clone()),
        ("name", d.name.clone()),
        ("locality", d.locality.clone()),
        ("address", d.address.clone().unwrap_or_default()),
        ("phone", d.phone.clone().unwrap_or_default()),
        ("email", d.email.clone().unwrap_or_default()),
        ("hours", d.hours.clone().unwrap_or_default()),
        ("eligibility", d.eligibility.clone().unwrap_or_default()),
    ];
    pairs.extend(
        d.categories
            .iter()
            .map(|c| ("categories", c.code().to_owned())),
    );
    pairs.extend(
        d.languages
            .iter()
            .map(|l| ("languages", l.code().to_owned())),
    );
    Pairs(pairs.into_iter().map(|(n, v)| (n.to_owned(), v)).collect())
}

fn edit_page(
    who: &SignedIn,
    lang: antitrata_domain::Lang,
    id: Uuid,
    active: bool,
    errors: FieldErrors,
    typed: Pairs,
) -> EditPage {
    let tr = Tr::new(lang);
    EditPage {
        title: tr.t("services-edit-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        id: id.to_string(),
        active,
        form_categories: options::<ServiceCategory>(&tr, &typed.all("categories")),
        form_languages: options::<ContactLanguage>(&tr, &typed.all("languages")),
        errors,
        typed,
        tr,
    }
}

/// A country administrator's form for one service of the country, as stored.
pub(in crate::console) async fn edit_service(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
) -> Result<Response, PageError> {
    let actor = admin_actor(&state, &who, &headers);
    let service = state
        .store
        .find_service(&actor, ServiceId(id))
        .await
        .map_err(store_error(lang, &headers))?
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, &headers))?;
    let page = edit_page(
        &who,
        lang,
        id,
        service.active,
        FieldErrors::default(),
        service_pairs(&service),
    );
    Ok(console_page(lang, page.render(), &headers).into_response())
}

/// Saves a country administrator's edit of a service, including whether it is active: a
/// deactivated service leaves the directory's searches and takes no new referrals.
pub(in crate::console) async fn update_service(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(pairs): Verified<Pairs>,
) -> Result<Response, PageError> {
    let actor = admin_actor(&state, &who, &headers);
    // Only a service of the country is edited here; a new id is added from the directory page.
    if state
        .store
        .find_service(&actor, ServiceId(id))
        .await
        .map_err(store_error(lang, &headers))?
        .is_none()
    {
        return Err(PageError::new(lang, AppError::NotFound, &headers));
    }
    let active = pairs.get("active") == "true";
    match casework::save_service(
        &state.store,
        &actor,
        Some(id),
        &service_input(&pairs),
        active,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/console/services").into_response()),
        Err(refusal) => {
            let errors = field_errors(lang, &headers, refusal)?;
            let page = edit_page(&who, lang, id, active, errors, pairs);
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                console_page(lang, page.render(), &headers),
            )
                .into_response())
        }
    }
}

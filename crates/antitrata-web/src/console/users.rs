//! Account administration: listing, creating (with a one-time setup link) and disabling the
//! accounts an administrator reaches. Country administrators reach their own country's accounts
//! and may give only country roles.

use antitrata_domain::policy::Action;
use antitrata_domain::{
    CountryCode, Email, Lang, NewAccount, RCM_MEMBERS, Role, UserId, check_role_assignment,
};
use antitrata_store::{ConflictKind, StoreError};
use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;

use super::{console_page, page_lang, store_error};
use crate::AppState;
use crate::auth::session::SignedIn;
use crate::console::extract::{Console, PathId, Verified};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;
use antitrata_app::token_hash;
use antitrata_domain::policy::may_assign;

/// How long a setup link works.
const SETUP_LINK_VALIDITY: Duration = Duration::hours(72);

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    rows: Vec<UserRow>,
    roles: Vec<(&'static str, String)>,
    countries: Vec<(String, String)>,
    message: Option<String>,
    setup_link: Option<String>,
}

struct UserRow {
    id: String,
    name: String,
    email: String,
    roles: String,
    country: String,
    status: String,
    can_disable: bool,
}

async fn users_page(
    state: &AppState,
    who: &SignedIn,
    headers: &HeaderMap,
    status: StatusCode,
    message: Option<String>,
    setup_link: Option<String>,
) -> Result<Response, PageError> {
    let lang = page_lang(Some(&who.account), headers);
    let tr = Tr::new(lang);
    let actor = crate::auth::actor(state, &who.account, headers, Action::ManageAccounts);
    let accounts = state
        .store
        .list_users(&actor)
        .await
        .map_err(store_error(lang, headers))?;
    let rows = accounts
        .into_iter()
        .map(|a| UserRow {
            id: a.id.to_string(),
            roles: a
                .roles
                .iter()
                .map(|r| tr.t(&format!("role-{}", r.as_str())))
                .collect::<Vec<_>>()
                .join(", "),
            country: a
                .country
                .map_or_else(|| tr.t("home-regional"), |c| c.to_string()),
            status: tr.t(if a.disabled {
                "status-disabled"
            } else if a.has_password {
                "status-active"
            } else {
                "status-pending"
            }),
            can_disable: !a.disabled && a.id != who.account.id,
            name: a.display_name,
            email: a.email.to_string(),
        })
        .collect();
    let roles = Role::ASSIGNABLE
        .into_iter()
        .filter(|r| may_assign(&who.account.roles, *r))
        .map(|r| (r.as_str(), tr.t(&format!("role-{}", r.as_str()))))
        .collect();
    let mut countries: Vec<(String, String)> = match who.account.scope().country() {
        Some(own) => vec![(own.to_string(), own.to_string())],
        None => {
            let mut all = vec![(String::new(), tr.t("home-regional"))];
            all.extend(
                RCM_MEMBERS
                    .iter()
                    .map(|c| ((*c).to_owned(), (*c).to_owned())),
            );
            all
        }
    };
    countries.dedup();
    let page = UsersPage {
        title: tr.t("users-title"),
        switch: vec![],
        menu: crate::console::menu::Menu::of(&tr, who),
        csrf: who.session.csrf_token.clone(),
        rows,
        roles,
        countries,
        message,
        setup_link,
        tr,
    };
    Ok((status, console_page(lang, page.render(), headers)).into_response())
}

pub(super) async fn list_users(
    Console(state, who, _, headers): Console,
) -> Result<Response, PageError> {
    users_page(&state, &who, &headers, StatusCode::OK, None, None).await
}

#[derive(Deserialize)]
pub(super) struct NewUserForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    country: String,
    #[serde(default)]
    language: String,
}

impl super::PostedForm for NewUserForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

/// Creates an account and shows its setup link once.
pub(super) async fn create_user(
    Console(state, who, lang, headers): Console,
    Verified(form): Verified<NewUserForm>,
) -> Result<Response, PageError> {
    let tr = Tr::new(lang);
    let invalid = |problem: String| tr.t1("users-invalid", "problem", &problem);
    let Some(role) = Role::parse(&form.role) else {
        let problem = invalid(tr.t("users-role"));
        return users_page(
            &state,
            &who,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
            None,
        )
        .await;
    };
    if !may_assign(&who.account.roles, role) {
        return Err(PageError::new(lang, AppError::Forbidden, &headers));
    }
    let parsed = (|| {
        let email = Email::parse(&form.email).map_err(|e| e.to_string())?;
        let country = match form.country.trim() {
            "" => None,
            code => Some(CountryCode::parse(code).map_err(|e| e.to_string())?),
        };
        check_role_assignment(&[role], country).map_err(|e| e.to_string())?;
        let name = form.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err("name".to_owned());
        }
        Ok((email, country, name.to_owned()))
    })();
    let (email, country, display_name) = match parsed {
        Ok(values) => values,
        Err(problem) => {
            return users_page(
                &state,
                &who,
                &headers,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(invalid(problem)),
                None,
            )
            .await;
        }
    };
    let language = Lang::parse(&form.language).unwrap_or(Lang::Es);
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageAccounts);
    let id = UserId(state.runtime.uuid_v7());
    let new = NewAccount {
        email,
        display_name,
        language,
        roles: vec![role],
        country,
        service: false,
    };
    match state.store.insert_user(&actor, id, &new).await {
        Ok(_) => {}
        Err(StoreError::Conflict(ConflictKind::EmailTaken)) => {
            return users_page(
                &state,
                &who,
                &headers,
                StatusCode::CONFLICT,
                Some(tr.t("users-exists")),
                None,
            )
            .await;
        }
        Err(e) => return Err(store_error(lang, &headers)(e)),
    }
    let token = state.runtime.token();
    let expires = state.runtime.now() + SETUP_LINK_VALIDITY;
    state
        .store
        .insert_setup_token(&actor, id, &token_hash(&token), expires)
        .await
        .map_err(store_error(lang, &headers))?;
    let link = format!("{}/console/setup/{token}", state.config.public_url);
    users_page(
        &state,
        &who,
        &headers,
        StatusCode::CREATED,
        Some(tr.t("users-created")),
        Some(link),
    )
    .await
}

pub(super) async fn disable_user(
    Console(state, who, lang, headers): Console,
    PathId(id): PathId,
    Verified(_): Verified<super::CsrfOnly>,
) -> Result<Response, PageError> {
    let actor = crate::auth::actor(&state, &who.account, &headers, Action::ManageAccounts);
    let disabled = state
        .store
        .disable_user(&actor, UserId(id))
        .await
        .map_err(store_error(lang, &headers))?;
    if !disabled {
        return Err(PageError::new(lang, AppError::NotFound, &headers));
    }
    Ok(Redirect::to("/console/users").into_response())
}

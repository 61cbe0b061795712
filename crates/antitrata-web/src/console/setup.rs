//! Opening a one-time setup link: the new account chooses its password.

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::login::{login_csrf, login_csrf_matches, with_login_csrf_cookie};
use super::{console_page, page_lang, password_hash, request_id, store_error};
use crate::AppState;
use crate::auth::password::check_new_password;
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;
use antitrata_app::token_hash;

#[derive(Template)]
#[template(path = "console/setup.html")]
struct SetupPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    message: Option<String>,
    show_form: bool,
}

#[derive(Deserialize)]
pub(super) struct SetupForm {
    csrf: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    confirm: String,
}

fn setup_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    message: Option<String>,
    show_form: bool,
) -> Response {
    let lang = page_lang(None, headers);
    let tr = Tr::new(lang);
    let (csrf, is_new) = login_csrf(state, headers);
    let page = SetupPage {
        title: tr.t("setup-title"),
        switch: vec![],
        menu: None,
        csrf: csrf.clone(),
        message,
        show_form,
        tr,
    };
    with_login_csrf_cookie(
        (status, console_page(lang, page.render(), headers)).into_response(),
        &csrf,
        is_new,
    )
}

pub(super) async fn show_setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, PageError> {
    let lang = page_lang(None, &headers);
    let valid = state
        .store
        .find_setup_token(&token_hash(&token), state.runtime.now())
        .await
        .map_err(store_error(lang, &headers))?
        .is_some();
    Ok(if valid {
        setup_page(&state, &headers, StatusCode::OK, None, true)
    } else {
        setup_page(
            &state,
            &headers,
            StatusCode::NOT_FOUND,
            Some(Tr::new(lang).t("setup-invalid")),
            false,
        )
    })
}

pub(super) async fn submit_setup(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    form: Result<Form<SetupForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let lang = page_lang(None, &headers);
    let tr = Tr::new(lang);
    let Ok(Form(form)) = form else {
        return Err(PageError::new(lang, AppError::BadRequest, &headers));
    };
    if !login_csrf_matches(&headers, &form.csrf) {
        return Ok(setup_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            Some(tr.t("form-expired")),
            true,
        ));
    }
    let fail = store_error(lang, &headers);
    let now = state.runtime.now();
    let hash = token_hash(&token);
    let Some(user) = state
        .store
        .find_setup_token(&hash, now)
        .await
        .map_err(&fail)?
    else {
        return Ok(setup_page(
            &state,
            &headers,
            StatusCode::NOT_FOUND,
            Some(tr.t("setup-invalid")),
            false,
        ));
    };
    if form.password != form.confirm {
        return Ok(setup_page(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(tr.t("setup-mismatch")),
            true,
        ));
    }
    let account = state.store.find_user(user).await.map_err(&fail)?;
    let context: Vec<&str> = account
        .iter()
        .flat_map(|a| [a.email.as_str(), a.display_name.as_str()])
        .collect();
    if let Err(problem) = check_new_password(&form.password, &context) {
        return Ok(setup_page(
            &state,
            &headers,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(tr.t(problem.message_key())),
            true,
        ));
    }
    let phc = password_hash(&state, &form.password, lang, &headers).await?;
    let set = state
        .store
        .set_password_with_setup_token(&hash, &phc, now, request_id(&headers))
        .await
        .map_err(&fail)?;
    Ok(match set {
        Some(_) => setup_page(
            &state,
            &headers,
            StatusCode::OK,
            Some(tr.t("setup-done")),
            false,
        ),
        None => setup_page(
            &state,
            &headers,
            StatusCode::NOT_FOUND,
            Some(tr.t("setup-invalid")),
            false,
        ),
    })
}

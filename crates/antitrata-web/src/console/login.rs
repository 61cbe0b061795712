//! Signing in with e-mail and password, and signing out.

use antitrata_domain::Email;
use antitrata_store::AuditEvent;
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::Duration;

use super::{console_page, page_lang, store_error, visitor_actor};
use crate::AppState;
use crate::auth::password::dummy_hash;
use crate::auth::session::{
    LIMITS, LOGIN_CSRF_COOKIE, SESSION_COOKIE, clear_cookie, cookie_value, same_secret, set_cookie,
};
use crate::auth::throttle::{self, ClientAddress};
use crate::console::extract::{Console, Verified};
use crate::error::{AppError, PageError};
use crate::i18n::Tr;
use crate::pages::LangLink;
use antitrata_app::token_hash;

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    menu: Option<crate::console::menu::Menu>,
    csrf: String,
    email: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct LoginForm {
    csrf: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The pre-session CSRF token: the cookie's, or a new one to set.
pub(super) fn login_csrf(state: &AppState, headers: &HeaderMap) -> (String, bool) {
    match cookie_value(headers, LOGIN_CSRF_COOKIE) {
        Some(token) if token.len() >= 32 => (token, false),
        _ => (state.runtime.token(), true),
    }
}

/// Whether a form posted before sign-in carries the token of the login CSRF cookie.
pub(super) fn login_csrf_matches(headers: &HeaderMap, submitted: &str) -> bool {
    let cookie = cookie_value(headers, LOGIN_CSRF_COOKIE).unwrap_or_default();
    !cookie.is_empty() && same_secret(&cookie, submitted)
}

pub(super) fn with_login_csrf_cookie(
    mut response: Response,
    token: &str,
    is_new: bool,
) -> Response {
    if is_new {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(LOGIN_CSRF_COOKIE, token, Duration::hours(2)),
        );
    }
    response
}

fn login_page(
    state: &AppState,
    headers: &HeaderMap,
    status: StatusCode,
    email: &str,
    error: Option<String>,
) -> Response {
    let lang = page_lang(None, headers);
    let tr = Tr::new(lang);
    let (csrf, is_new) = login_csrf(state, headers);
    let page = LoginPage {
        title: tr.t("login-title"),
        switch: vec![],
        menu: None,
        csrf: csrf.clone(),
        email: email.to_owned(),
        error,
        tr,
    };
    let response = (status, console_page(lang, page.render(), headers)).into_response();
    with_login_csrf_cookie(response, &csrf, is_new)
}

/// The sign-in form; after a session ran out (`?expired=1`), saying so.
pub(super) async fn show_login(
    State(state): State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let expired = uri.query() == Some("expired=1");
    let notice = expired.then(|| Tr::new(page_lang(None, &headers)).t("login-session-expired"));
    login_page(&state, &headers, StatusCode::OK, "", notice)
}

pub(super) async fn submit_login(
    State(state): State<AppState>,
    address: ClientAddress,
    headers: HeaderMap,
    form: Result<Form<LoginForm>, axum::extract::rejection::FormRejection>,
) -> Result<Response, PageError> {
    let lang = page_lang(None, &headers);
    let tr = Tr::new(lang);
    let Ok(Form(form)) = form else {
        return Err(PageError::new(lang, AppError::BadRequest, &headers));
    };
    if !login_csrf_matches(&headers, &form.csrf) {
        return Ok(login_page(
            &state,
            &headers,
            StatusCode::FORBIDDEN,
            &form.email,
            Some(tr.t("form-expired")),
        ));
    }
    let store = &state.store;
    let fail = store_error(lang, &headers);
    let now = state.runtime.now();
    let account = match Email::parse(&form.email) {
        Ok(email) => store.find_user_by_email(&email).await.map_err(&fail)?,
        Err(_) => None,
    };
    let keys = address.password_keys(account.as_ref().map(|a| a.id));
    let actor = visitor_actor(&state, account.as_ref(), &headers);

    // A turn to hash first: a sign-in told "busy" must not count as a failure.
    let turn = state
        .hashing
        .admit()
        .map_err(|e| PageError::new(lang, e, &headers))?;
    if let Some(wait) =
        throttle::take_attempt(store, &keys, &actor, account.as_ref().map(|a| a.id), now)
            .await
            .map_err(&fail)?
    {
        let message = throttle::wait_message(&tr, wait);
        return Ok(login_page(
            &state,
            &headers,
            StatusCode::TOO_MANY_REQUESTS,
            &form.email,
            Some(message),
        ));
    }

    // An unknown address, a disabled account or one without a password costs a full verification
    // too, so the answer's timing does not tell which it was.
    let stored_hash = match &account {
        Some(a) if !a.disabled => store.password_hash(a.id).await.map_err(&fail)?,
        _ => None,
    };
    let matches = turn
        .verify(
            &form.password,
            stored_hash.as_deref().unwrap_or(dummy_hash()),
        )
        .await
        .map_err(|e| PageError::new(lang, e, &headers))?;
    let password_ok = matches && stored_hash.is_some();
    let Some(account) = account.filter(|_| password_ok) else {
        // The attempt was counted when it was taken.
        let event = AuditEvent {
            action: "login.failed",
            record_type: Some("user"),
            record_id: actor
                .who
                .parse::<uuid::Uuid>()
                .ok()
                .map(|id| id.to_string()),
        };
        store.append_audit(&actor, event).await.map_err(&fail)?;
        tracing::warn!(account = %actor.who, "failed sign-in");
        return Ok(login_page(
            &state,
            &headers,
            StatusCode::UNAUTHORIZED,
            &form.email,
            Some(tr.t("login-failed")),
        ));
    };

    store.give_back_attempt(&keys).await.map_err(&fail)?;
    // A new session, with a new token, at every sign-in.
    let token = state.runtime.token();
    let csrf = state.runtime.token();
    let second_factor_done = !account.requires_second_factor();
    store
        .insert_session(
            &token_hash(&token),
            account.id,
            &csrf,
            second_factor_done,
            now,
        )
        .await
        .map_err(&fail)?;
    let event = AuditEvent::for_user("login.password-accepted", account.id);
    store.append_audit(&actor, event).await.map_err(&fail)?;

    let next = if second_factor_done {
        "/console"
    } else if account.totp_enabled {
        "/console/login/totp"
    } else {
        "/console/totp/enrol"
    };
    let mut response = Redirect::to(next).into_response();
    let headers_out = response.headers_mut();
    headers_out.append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, &token, LIMITS.absolute),
    );
    headers_out.append(header::SET_COOKIE, clear_cookie(LOGIN_CSRF_COOKIE));
    Ok(response)
}

/// Ends the session and clears its cookie.
pub(super) async fn logout(
    Console(state, who, lang, headers): Console,
    Verified(_): Verified<super::CsrfOnly>,
) -> Result<Response, PageError> {
    state
        .store
        .delete_session(&who.token_hash)
        .await
        .map_err(store_error(lang, &headers))?;
    let mut response = Redirect::to("/console/login").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE));
    Ok(response)
}

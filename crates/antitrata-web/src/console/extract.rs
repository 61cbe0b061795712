//! What a console handler takes from a request, each refused as a localized error page (as the
//! axum error-handling example does): the signed-in account with the page's language
//! ([`Console`]), a form carrying the session's CSRF token ([`Verified`], 403 otherwise: a
//! state-changing request without it changes nothing) and a record id in the path ([`PathId`],
//! 404 if it is not one). A handler names what it needs and starts with its work.

use antitrata_domain::Lang;
use axum::RequestPartsExt;
use axum::extract::{Form, FromRequest, FromRequestParts, Path, Request};
use axum::http::HeaderMap;
use axum::http::request::Parts;
use uuid::Uuid;

use super::{PostedForm, page_lang};
use crate::AppState;
use crate::auth::session::{SignedIn, same_secret};
use crate::error::{AppError, PageError};

/// A console request: the state, the signed-in account (the access middleware put it there),
/// the page's language (the account's), and the headers errors are told by. Handlers take it
/// apart as `Console(state, who, lang, headers)`.
pub(super) struct Console(pub AppState, pub SignedIn, pub Lang, pub HeaderMap);

impl FromRequestParts<AppState> for Console {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Console, PageError> {
        let Some(who) = parts.extensions.get::<SignedIn>().cloned() else {
            return Err(PageError::negotiated(AppError::Forbidden, &parts.headers));
        };
        let lang = page_lang(Some(&who.account), &parts.headers);
        Ok(Console(state.clone(), who, lang, parts.headers.clone()))
    }
}

/// A posted form that parsed and carries the session's CSRF token, or a 403 page.
pub(super) struct Verified<F>(pub F);

impl<F: PostedForm + serde::de::DeserializeOwned> FromRequest<AppState> for Verified<F> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &AppState) -> Result<Verified<F>, PageError> {
        let session = request.extensions().get::<SignedIn>().cloned();
        let lang = page_lang(session.as_ref().map(|who| &who.account), request.headers());
        let refused = PageError::new(lang, AppError::Forbidden, request.headers());
        let Some(who) = session else {
            return Err(refused);
        };
        match Form::<F>::from_request(request, state).await {
            Ok(Form(form)) if same_secret(form.csrf(), &who.session.csrf_token) => {
                Ok(Verified(form))
            }
            _ => Err(refused),
        }
    }
}

/// The record id in the path, or a 404 page.
pub(super) struct PathId(pub Uuid);

impl FromRequestParts<AppState> for PathId {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<PathId, PageError> {
        match parts.extract::<Path<Uuid>>().await {
            Ok(Path(id)) => Ok(PathId(id)),
            Err(_) => {
                let who = parts.extensions.get::<SignedIn>();
                let lang = page_lang(who.map(|who| &who.account), &parts.headers);
                Err(PageError::new(lang, AppError::NotFound, &parts.headers))
            }
        }
    }
}

//! What an API handler takes from a request, each refused as localized problem details (as the
//! axum error-handling example does): the caller as the store's actor ([`Call`]), a JSON body
//! ([`Body`], 400 if it is not the documented shape), an id in the path ([`Id`], 404 if it is not
//! one) and query parameters ([`Params`], 400). A handler names what it needs and starts with
//! its work.

use antitrata_domain::policy::Action;
use antitrata_domain::{Account, Actor};
use antitrata_store::{Store, StoreError};
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::{Json, RequestPartsExt};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::AppState;
use crate::auth::bearer::ApiCaller;
use crate::casework::Refusal;
use crate::error::{ApiError, AppError};

/// One API request's caller, as the store's actor for hotline work, and how its errors are told.
pub(super) struct Call {
    pub state: AppState,
    pub account: Account,
    pub actor: Actor,
    headers: HeaderMap,
}

impl FromRequestParts<AppState> for Call {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Call, ApiError> {
        // The access middleware puts the caller there before any handler runs.
        let Some(caller) = parts.extensions.get::<ApiCaller>() else {
            return Err(ApiError::from_headers(&parts.headers)(
                AppError::Unauthorized,
            ));
        };
        let account = caller.account.clone();
        let actor = crate::auth::actor(state, &account, &parts.headers, Action::WorkCases);
        Ok(Call {
            state: state.clone(),
            account,
            actor,
            headers: parts.headers.clone(),
        })
    }
}

impl Call {
    /// The same caller acting for `action`: the role the policy lets take it.
    pub(super) fn acting(mut self, action: Action) -> Call {
        self.actor = crate::auth::actor(&self.state, &self.account, &self.headers, action);
        self
    }

    pub(super) fn store(&self) -> &Store {
        &self.state.store
    }

    pub(super) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub(super) fn error(&self, error: AppError) -> ApiError {
        ApiError::from_headers(&self.headers)(error)
    }

    /// A store failure as the API tells it.
    pub(super) fn fail(&self, e: StoreError) -> ApiError {
        ApiError::store(&self.headers, &e)
    }

    /// 204 when the store did it, 404 when there was nothing to do it to.
    pub(super) fn done(&self, answer: Result<bool, StoreError>) -> Result<StatusCode, ApiError> {
        match answer.map_err(|e| self.fail(e))? {
            true => Ok(StatusCode::NO_CONTENT),
            false => Err(self.error(AppError::NotFound)),
        }
    }

    /// A refused submission: its field problems as a 422, a step the record no longer allows as
    /// a 409, a store failure as the API tells it.
    pub(super) fn refused(&self, refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Fields(errors) => ApiError::fields(&self.headers, &errors),
            Refusal::NotNow => self.error(AppError::Conflict),
            Refusal::Store(e) => self.fail(e),
        }
    }
}

/// A JSON body of the documented shape, or a 400.
pub(super) struct Body<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Body<T>, ApiError> {
        let refuse = ApiError::from_headers(request.headers());
        match Json::<T>::from_request(request, state).await {
            Ok(Json(body)) => Ok(Body(body)),
            Err(_) => Err(refuse(AppError::BadRequest)),
        }
    }
}

/// The record id in the path, or a 404.
pub(super) struct Id(pub Uuid);

impl FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Id, ApiError> {
        match parts.extract::<Path<Uuid>>().await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(_) => Err(ApiError::from_headers(&parts.headers)(AppError::NotFound)),
        }
    }
}

/// Query parameters of the documented shape, or a 400.
pub(super) struct Params<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Params<T>, ApiError> {
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(params)) => Ok(Params(params)),
            Err(_) => Err(ApiError::from_headers(&parts.headers)(AppError::BadRequest)),
        }
    }
}

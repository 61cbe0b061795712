//! The problems each operation of the document can answer, added from [`AppError`], the type the
//! responses are made from, so the document and the server cannot drift apart. Which errors an
//! operation can meet follows from what it takes, as the extractors and the access middleware
//! answer them: a bearer token (401, 403), a body (400, 413, 422), a record id in the path (404),
//! a write (409), query parameters (400, 422), `If-Match` (400, 412; 428 where it is required),
//! and the database under every one (503, 500).
//! Each is `application/problem+json` with the one `Problem` schema.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use utoipa::Modify;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Required, ResponseBuilder};

use crate::error::AppError;

/// The media type of every error of the API (RFC 9457).
pub(super) const PROBLEM_JSON: &str = "application/problem+json";

/// Adds each operation's problems to the document (see the module's comment).
pub(super) struct Problems;

impl Modify for Problems {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let writes = [
                &mut item.post,
                &mut item.put,
                &mut item.patch,
                &mut item.delete,
            ];
            for operation in writes.into_iter().flatten() {
                document(operation, true);
            }
            if let Some(operation) = &mut item.get {
                document(operation, false);
            }
        }
    }
}

/// The errors an operation can answer, from what it takes.
pub(super) fn possible(operation: &Operation, writes: bool) -> BTreeSet<StatusCode> {
    let mut errors = vec![AppError::Unavailable, AppError::Internal];
    let takes = |place: ParameterIn| {
        operation
            .parameters
            .iter()
            .flatten()
            .any(|p| p.parameter_in == place)
    };
    if operation.security.is_some() {
        errors.extend([AppError::Unauthorized, AppError::Forbidden]);
    }
    if takes(ParameterIn::Path) {
        errors.extend([AppError::BadRequest, AppError::NotFound]);
    }
    if takes(ParameterIn::Query) {
        errors.extend([AppError::BadRequest, AppError::Unprocessable]);
    }
    if operation.request_body.is_some() {
        errors.extend([
            AppError::BadRequest,
            AppError::PayloadTooLarge,
            AppError::Unprocessable,
        ]);
    }
    if writes {
        errors.push(AppError::Conflict);
    }
    let if_match = operation
        .parameters
        .iter()
        .flatten()
        .find(|p| p.parameter_in == ParameterIn::Header && p.name == "If-Match");
    if let Some(header) = if_match {
        errors.extend([AppError::BadRequest, AppError::PreconditionFailed]);
        if header.required == Required::True {
            errors.push(AppError::PreconditionRequired);
        }
    }
    errors.into_iter().map(AppError::status).collect()
}

/// Gives `operation` a problem response for each status it can answer; a description the
/// handler wrote for one of them is kept.
fn document(operation: &mut Operation, writes: bool) {
    for status in possible(operation, writes) {
        let code = status.as_str().to_owned();
        let described = match operation.responses.responses.get(&code) {
            Some(RefOr::T(response)) => Some(response.description.clone()),
            _ => None,
        };
        let description = described
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| meaning(status).to_owned());
        let response = ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build();
        operation
            .responses
            .responses
            .insert(code, RefOr::T(response));
    }
}

/// What a status means in this API, from the first error that has it.
fn meaning(status: StatusCode) -> &'static str {
    AppError::ALL
        .iter()
        .find(|e| e.status() == status)
        .map_or("", |e| e.meaning())
}

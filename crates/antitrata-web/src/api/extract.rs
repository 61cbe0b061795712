//! What an API handler takes from a request, each refused as localized problem details (as the
//! axum error-handling example does): the caller as the store's actor ([`Call`]), a JSON body
//! ([`Body`], 400 if it is not the documented shape), an id in the path ([`Id`], 400 if it is not
//! a UUID) and query parameters ([`Params`], 400). A handler names what it needs and starts with
//! its work.

use std::any::TypeId;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, LazyLock, RwLock};

use antitrata_domain::policy::Action;
use antitrata_domain::{Account, Actor};
use antitrata_store::{Entity, Store, StoreError};
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::{Json, RequestPartsExt};
use serde::de::DeserializeOwned;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::auth::bearer::ApiCaller;
use crate::casework::Refusal;
use crate::error::{ApiError, AppError, Malformed};

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

    /// A 404 naming the kind of record that is not there.
    pub(super) fn missing(&self, entity: Entity) -> ApiError {
        ApiError::missing(&self.headers, entity)
    }

    /// 204 when the store did it; 409 when the record is there but the step was done already
    /// (or it never waited for it). A record that is not there is the store's 404.
    pub(super) fn done(&self, answer: Result<bool, StoreError>) -> Result<StatusCode, ApiError> {
        match answer.map_err(|e| self.fail(e))? {
            true => Ok(StatusCode::NO_CONTENT),
            false => {
                let conflict = self.error(AppError::Conflict);
                let detail = crate::i18n::Tr::new(conflict.lang()).t("api-error-already-done");
                Err(conflict.with_detail(detail))
            }
        }
    }

    /// A refused submission: its field problems as a 422, a step the record no longer allows as
    /// a 409, a store failure as the API tells it.
    pub(super) fn refused(&self, refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Fields(errors) => ApiError::fields(&self.headers, &errors),
            Refusal::NotNow | Refusal::Similar(_) => self.error(AppError::Conflict),
            Refusal::Store(e) => self.fail(e),
        }
    }
}

/// A JSON body of the documented shape, or a 400 saying what is wrong with it (missing, not
/// JSON, a value that is an empty string, or which field does not fit); a body too large is a 413.
///
/// The API takes no empty string as a value: a property with none is left out (or `null` where
/// the document allows it). So `""` never means "none" here, as it does in the console's forms,
/// and a client's mistake of sending one is named rather than read as nothing.
pub(super) struct Body<T>(pub T);

impl<T: DeserializeOwned + ToSchema + 'static> FromRequest<AppState> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &AppState) -> Result<Body<T>, ApiError> {
        let headers = request.headers().clone();
        let value = match Json::<serde_json::Value>::from_request(request, state).await {
            Ok(Json(value)) => value,
            Err(rejection) => {
                let part = match rejection {
                    JsonRejection::JsonSyntaxError(_) | JsonRejection::JsonDataError(_) => {
                        Malformed::NotJson
                    }
                    _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                        return Err(ApiError::from_headers(&headers)(AppError::PayloadTooLarge));
                    }
                    _ => Malformed::NoBody,
                };
                let reason = rejection.body_text();
                return Err(ApiError::malformed(&headers, part, reason_of(&reason)));
            }
        };
        // Every body is an object: serde would otherwise read a list as the fields in order.
        if !value.is_object() {
            let reason = "invalid type: expected a JSON object";
            return Err(ApiError::malformed(&headers, Malformed::BodyShape, reason));
        }
        if let Some(field) = empty_string(&value, &documented_properties::<T>()) {
            return Err(ApiError::malformed(&headers, Malformed::Empty, &field));
        }
        match serde_path_to_error::deserialize(value) {
            Ok(body) => Ok(Body(body)),
            Err(e) => {
                let reason = match e.path().to_string().as_str() {
                    "." => e.inner().to_string(),
                    path => format!("{path}: {}", e.inner()),
                };
                Err(ApiError::malformed(&headers, Malformed::BodyShape, &reason))
            }
        }
    }
}

/// The path of the first empty string among a body's documented properties
/// (`screening.threats`, `citizenship[0]`); properties the document does not name are ignored,
/// whatever they hold.
fn empty_string(body: &serde_json::Value, documented: &BTreeSet<String>) -> Option<String> {
    let fields = body.as_object()?;
    fields
        .iter()
        .filter(|(name, _)| documented.contains(*name))
        .find_map(|(name, item)| within(item).map(|rest| format!("{name}{}", dotted(&rest))))
}

fn within(value: &serde_json::Value) -> Option<String> {
    use serde_json::Value;
    match value {
        Value::String(text) if text.is_empty() => Some(String::new()),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| within(item).map(|rest| format!("[{i}]{}", dotted(&rest)))),
        Value::Object(fields) => fields
            .iter()
            .find_map(|(name, item)| within(item).map(|rest| format!("{name}{}", dotted(&rest)))),
        _ => None,
    }
}

/// The top-level properties the API's document names for bodies of type `T` (through `$ref`,
/// `allOf`, `anyOf` and `oneOf`), worked out once per type from the same schema the document has.
fn documented_properties<T: ToSchema + 'static>() -> Arc<BTreeSet<String>> {
    static KNOWN: LazyLock<RwLock<HashMap<TypeId, Arc<BTreeSet<String>>>>> =
        LazyLock::new(Default::default);
    let id = TypeId::of::<T>();
    if let Some(names) = KNOWN.read().ok().and_then(|known| known.get(&id).cloned()) {
        return names;
    }
    let mut components = Vec::new();
    T::schemas(&mut components);
    let components: HashMap<String, serde_json::Value> = components
        .into_iter()
        .filter_map(|(name, schema)| Some((name, serde_json::to_value(schema).ok()?)))
        .collect();
    let mut names = BTreeSet::new();
    if let Ok(schema) = serde_json::to_value(T::schema()) {
        collect_properties(&schema, &components, &mut names, 0);
    }
    let names = Arc::new(names);
    if let Ok(mut known) = KNOWN.write() {
        known.insert(id, Arc::clone(&names));
    }
    names
}

fn collect_properties(
    schema: &serde_json::Value,
    components: &HashMap<String, serde_json::Value>,
    names: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > 8 {
        return;
    }
    if let Some(target) = schema["$ref"].as_str() {
        let name = target.rsplit('/').next().unwrap_or_default();
        if let Some(referenced) = components.get(name) {
            collect_properties(referenced, components, names, depth + 1);
        }
    }
    if let Some(properties) = schema["properties"].as_object() {
        names.extend(properties.keys().cloned());
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            collect_properties(part, components, names, depth + 1);
        }
    }
}

fn dotted(rest: &str) -> String {
    match rest.chars().next() {
        None | Some('[') => rest.to_owned(),
        Some(_) => format!(".{rest}"),
    }
}

/// The useful end of an axum rejection's text: serde's account of what did not fit, with the
/// field's path (`exploitation_types[0]: unknown ExploitationType code ...`), without axum's
/// preamble ("Failed to deserialize the JSON body into the target type: ").
fn reason_of(text: &str) -> &str {
    text.split_once(": ").map_or(text, |(_, reason)| reason)
}

/// The record id in the path, or a 400 saying ids are UUIDs.
pub(super) struct Id(pub Uuid);

impl FromRequestParts<AppState> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Id, ApiError> {
        match parts.extract::<Path<Uuid>>().await {
            Ok(Path(id)) => Ok(Id(id)),
            Err(_) => Err(ApiError::malformed(&parts.headers, Malformed::Id, "")),
        }
    }
}

/// Query parameters of the documented shape, or a 400 naming the one that does not parse; as in
/// bodies, a parameter with no value is refused (leave it out).
pub(super) struct Params<T>(pub T);

impl<T: DeserializeOwned> FromRequestParts<AppState> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Params<T>, ApiError> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_str(parts.uri.query().unwrap_or_default()).unwrap_or_default();
        if let Some((name, _)) = pairs.iter().find(|(_, value)| value.is_empty()) {
            return Err(ApiError::malformed(&parts.headers, Malformed::Empty, name));
        }
        if pairs.iter().any(|(name, _)| name.is_empty()) {
            return Err(ApiError::malformed(
                &parts.headers,
                Malformed::Query,
                "a parameter without a name",
            ));
        }
        match Query::<T>::try_from_uri(&parts.uri) {
            Ok(Query(params)) => Ok(Params(params)),
            Err(rejection) => Err(ApiError::malformed(
                &parts.headers,
                Malformed::Query,
                reason_of(&rejection.body_text()),
            )),
        }
    }
}

/// The version a replacing update was made from, from `If-Match` (`"3"`, or `W/"3"`): required,
/// 428 without it, 400 when it is not a version's tag.
pub(super) struct IfMatch(pub i64);

impl FromRequestParts<AppState> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<IfMatch, ApiError> {
        match if_match(parts)? {
            Some(version) => Ok(IfMatch(version)),
            None => Err(ApiError::from_headers(&parts.headers)(
                AppError::PreconditionRequired,
            )),
        }
    }
}

impl utoipa::IntoParams for IfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![if_match_parameter(true)]
    }
}

/// The version a step was taken from, from `If-Match` when the client sends one: a step taken
/// without it applies to whatever version the record is at.
pub(super) struct OptionalIfMatch(pub Option<i64>);

impl FromRequestParts<AppState> for OptionalIfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<OptionalIfMatch, ApiError> {
        if_match(parts).map(OptionalIfMatch)
    }
}

impl utoipa::IntoParams for OptionalIfMatch {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        vec![if_match_parameter(false)]
    }
}

/// The version an `If-Match` header names, if it is there (an empty one names none, as if it
/// were left out); 400 when it is not a version's tag.
fn if_match(parts: &Parts) -> Result<Option<i64>, ApiError> {
    let Some(value) = parts
        .headers
        .get(header::IF_MATCH)
        .filter(|value| !value.as_bytes().trim_ascii().is_empty())
    else {
        return Ok(None);
    };
    let version = value.to_str().ok().and_then(|text| {
        let tag = text.trim();
        let tag = tag.strip_prefix("W/").unwrap_or(tag);
        tag.strip_prefix('"')?
            .strip_suffix('"')?
            .parse::<i64>()
            .ok()
    });
    match version {
        Some(version) => Ok(Some(version)),
        None => Err(ApiError::malformed(&parts.headers, Malformed::IfMatch, "")),
    }
}

fn if_match_parameter(required: bool) -> utoipa::openapi::path::Parameter {
    use utoipa::openapi::Required;
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::schema::{ObjectBuilder, Type};
    ParameterBuilder::new()
        .name("If-Match")
        .parameter_in(ParameterIn::Header)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(
            "The ETag of the version the update was made from, as GET gave it",
        ))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some(if required {
                    r#"^(W/)?"[0-9]{1,18}"$"#
                } else {
                    // Blank names no version: HTTP takes the spaces and tabs around a header's
                    // value off, so a blank one arrives empty.
                    r#"^[ \t]*((W/)?"[0-9]{1,18}"[ \t]*)?$"#
                })),
        ))
        .build()
}

/// A JSON answer with the record's version as its `ETag`.
pub(super) struct Versioned<T>(pub i64, pub T);

impl<T: serde::Serialize> axum::response::IntoResponse for Versioned<T> {
    fn into_response(self) -> axum::response::Response {
        let Versioned(version, body) = self;
        let mut reply = Json(body).into_response();
        if let Ok(tag) = axum::http::HeaderValue::from_str(&crate::error::etag(version)) {
            reply.headers_mut().insert(header::ETAG, tag);
        }
        reply
    }
}

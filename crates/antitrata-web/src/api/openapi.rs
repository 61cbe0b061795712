//! The API's OpenAPI 3.1 description, generated from the handlers' annotations and the
//! request and response types, so it cannot drift from the code.

use std::sync::LazyLock;

use axum::body::Bytes;
use axum::response::Response;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::problems::Problems;
use super::{casework, queue};
use crate::response::cached_json;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "antitrata API",
        description = "The hotline directory (open) and hotline case work (service accounts \
            with bearer tokens from `antitrata token create`). Every case-work route keeps to \
            the service account's country and is audited.\n\n\
            Errors are RFC 9457 problem details (`application/problem+json`, the `Problem` \
            schema) in the language of `Accept-Language` (es, en, fr); each operation lists the \
            statuses it can answer. A 422 names each refused field in `errors`: besides what the \
            schemas say, the server checks rules JSON Schema cannot state (a phone valid for the \
            country, a date not in the future, a minor's consent given by a guardian, an id \
            that names a record of the country).\n\n\
            Request bodies: a property the schema does not name is ignored; an empty string is \
            never a value (leave the property out for none), and neither is an empty query \
            parameter. Creating requests carry the new record's `id`, a UUID the client makes: \
            sending the same request again stores one record.",
        license(name = "AGPL-3.0-or-later"),
    ),
    paths(
        super::directory::list_countries,
        super::directory::list_hotlines,
        super::directory::show_country_hotlines,
        casework::create_contact,
        casework::show_contact,
        casework::handle_danger,
        casework::take_danger,
        casework::list_cases,
        casework::open_case,
        casework::show_case,
        casework::update_case,
        casework::change_status,
        casework::assign_case,
        casework::take_case,
        casework::add_person,
        casework::record_consent,
        casework::withdraw_consent,
        casework::refer,
        casework::update_referral,
        casework::add_follow_up,
        casework::complete_follow_up,
        casework::search_persons,
        casework::show_person,
        casework::update_person,
        casework::remove_person,
        casework::list_services,
        casework::save_service,
        queue::show_work,
        queue::list_my_follow_ups,
        queue::show_queue,
        queue::list_open_dangers,
        queue::list_overdue_follow_ups,
        queue::list_stale_referrals,
        super::stats::cross_tab,
    ),
    components(schemas(crate::error::ProblemJson, crate::error::FieldProblem)),
    modifiers(&BearerTokens, &Problems),
    tags(
        (name = "directory", description = "Hotlines and emergency numbers of the eleven countries"),
        (name = "contacts", description = "Calls, messages and tips, with their screening"),
        (name = "cases", description = "Cases, their people, consents, referrals and follow-ups"),
        (name = "persons", description = "Finding people by name or phone"),
        (name = "services", description = "The country's services directory"),
        (name = "statistics", description = "Cross-tabulations of datasets and of the country's live cases, without personal data"),
    ),
)]
struct ApiDoc;

/// Declares the `bearer` scheme the case-work routes name.
struct BearerTokens;

impl Modify for BearerTokens {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A service account's token (`atk_…`)"))
                    .build(),
            ),
        );
    }
}

/// The document, rendered once.
static DOCUMENT: LazyLock<Bytes> = LazyLock::new(|| {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let mut json = serde_json::to_value(&doc).unwrap_or_default();
    camel_case_links(&mut json);
    pattern_every_uuid(&mut json);
    Bytes::from(serde_json::to_vec_pretty(&json).unwrap_or_default())
});

/// Renames the fields of every Link object to OpenAPI's names (`operationId`, `operationRef`,
/// `requestBody`): utoipa 5.5 writes them in snake case, which no client reads.
fn camel_case_links(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            if let Some(serde_json::Value::Object(links)) = fields.get_mut("links") {
                for link in links.values_mut() {
                    let serde_json::Value::Object(link) = link else {
                        continue;
                    };
                    for (from, to) in [
                        ("operation_id", "operationId"),
                        ("operation_ref", "operationRef"),
                        ("request_body", "requestBody"),
                    ] {
                        if let Some(moved) = link.remove(from) {
                            link.insert(to.to_owned(), moved);
                        }
                    }
                }
            }
            fields.values_mut().for_each(camel_case_links);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(camel_case_links),
        _ => {}
    }
}

/// The pattern of a hyphenated UUID, the one form the server reads.
const UUID_PATTERN: &str =
    "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// Gives every schema of `format: uuid` its pattern, in bodies, queries and paths alike: a
/// format is only a hint to most validators and generators, a pattern is checked by all of
/// them.
fn pattern_every_uuid(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(fields) => {
            if fields.get("format").and_then(|f| f.as_str()) == Some("uuid")
                && !fields.contains_key("pattern")
            {
                fields.insert("pattern".to_owned(), UUID_PATTERN.into());
            }
            fields.values_mut().for_each(pattern_every_uuid);
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(pattern_every_uuid),
        _ => {}
    }
}

/// `GET /api/v1/openapi.json`.
pub(super) async fn serve_openapi() -> Response {
    cached_json(DOCUMENT.clone())
}

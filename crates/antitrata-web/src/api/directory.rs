//! The open part of the JSON API: the hotline directory, served from the pre-rendered snapshot.

use antitrata_domain::{Country, CountryDirectory, DialTarget, Hotline, dial_targets};
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use serde::Serialize;

use crate::AppState;
use crate::error::{ApiError, AppError};
use crate::hotlines::parse_country_slug;
use crate::response::cached_json;

pub(super) fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/countries", get(list_countries))
        .route("/api/v1/hotlines", get(list_hotlines))
        .route("/api/v1/hotlines/{iso2}", get(show_country_hotlines))
}

/// The eleven countries with their emergency numbers and authorities, without their lines.
#[utoipa::path(get, path = "/api/v1/countries", tag = "directory",
    responses((status = 200, description = "`{\"countries\": [...]}`", content_type = "application/json")))]
pub(super) async fn list_countries(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = state
        .snapshot()
        .await
        .map_err(ApiError::from_headers(&headers))?;
    Ok(cached_json(snapshot.countries_json.clone()))
}

/// Every country with its hotlines; a number not confirmed by its sources has `unverified: true`.
#[utoipa::path(get, path = "/api/v1/hotlines", tag = "directory",
    responses((status = 200, description = "`{\"countries\": [...]}` with `hotlines`", content_type = "application/json")))]
pub(super) async fn list_hotlines(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let snapshot = state
        .snapshot()
        .await
        .map_err(ApiError::from_headers(&headers))?;
    Ok(cached_json(snapshot.hotlines_json.clone()))
}

/// One country with its hotlines.
#[utoipa::path(get, path = "/api/v1/hotlines/{iso2}", tag = "directory",
    params(("iso2" = String, Path, pattern = r"^[A-Za-z]{2}$",
        description = "ISO 3166-1 alpha-2 code, e.g. gt; a country that is not of the RCM is a 404")),
    responses(
        (status = 200, description = "The country with `hotlines`", content_type = "application/json"),
        (status = 404, body = crate::error::ProblemJson),
    ))]
pub(super) async fn show_country_hotlines(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let to_api = ApiError::from_headers(&headers);
    let Path(slug) = path.map_err(|_| to_api(AppError::BadRequest))?;
    let code = parse_country_slug(&slug, false).map_err(&to_api)?;
    let snapshot = state.snapshot().await.map_err(&to_api)?;
    let json = snapshot
        .country_json
        .get(&code)
        .ok_or_else(|| to_api(AppError::NotFound))?;
    Ok(cached_json(json.clone()))
}

#[derive(Serialize)]
struct CountriesJson<'a> {
    countries: Vec<CountryJson<'a>>,
}

#[derive(Serialize)]
struct CountryJson<'a> {
    iso2: &'a str,
    name: Names<'a>,
    calling_code: &'a str,
    emergency_number: &'a str,
    emergency_dial: Vec<DialTarget>,
    emergency_notes: Option<&'a str>,
    emergency_source_urls: &'a [String],
    authority: Option<&'a str>,
    authority_source_urls: &'a [String],
    has_confirmed_dedicated_line: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    hotlines: Option<Vec<HotlineJson<'a>>>,
}

#[derive(Serialize)]
struct Names<'a> {
    es: &'a str,
    en: &'a str,
    fr: &'a str,
}

#[derive(Serialize)]
struct HotlineJson<'a> {
    #[serde(flatten)]
    hotline: &'a Hotline,
    /// How the number dials (`tel:` links, E.164 where the number allows).
    dial: Vec<DialTarget>,
    unverified: bool,
}

fn country_json<'a>(directory: &'a CountryDirectory, with_hotlines: bool) -> CountryJson<'a> {
    let c: &Country = &directory.country;
    CountryJson {
        iso2: c.iso2.as_str(),
        name: Names {
            es: &c.name_es,
            en: &c.name_en,
            fr: &c.name_fr,
        },
        calling_code: &c.calling_code,
        emergency_number: &c.emergency_number,
        emergency_dial: dial_targets(&c.emergency_number, c),
        emergency_notes: c.emergency_notes.as_deref(),
        emergency_source_urls: &c.emergency_source_urls,
        authority: c.authority.as_deref(),
        authority_source_urls: &c.authority_source_urls,
        has_confirmed_dedicated_line: directory.has_confirmed_dedicated_line(),
        hotlines: with_hotlines.then(|| {
            directory
                .hotlines
                .iter()
                .map(|h| HotlineJson {
                    hotline: h,
                    dial: h.dial_targets(c),
                    unverified: h.is_unverified(),
                })
                .collect()
        }),
    }
}

/// `GET /api/v1/countries`: the countries without their lines.
pub(crate) fn render_countries(directories: &[CountryDirectory]) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&CountriesJson {
        countries: directories.iter().map(|d| country_json(d, false)).collect(),
    })
}

/// `GET /api/v1/hotlines`: every country with its lines.
pub(crate) fn render_hotlines(directories: &[CountryDirectory]) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&CountriesJson {
        countries: directories.iter().map(|d| country_json(d, true)).collect(),
    })
}

/// `GET /api/v1/hotlines/{iso2}`: one country with its lines.
pub(crate) fn render_country(directory: &CountryDirectory) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&country_json(directory, true))
}

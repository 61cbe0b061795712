//! The public hotline directory: `/`, `/{lang}/`, `/{lang}/{iso2}`. The index lists the
//! visitor's own country first when their browser's `Accept-Language` names it.

use antitrata_domain::{CountryCode, Lang};
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::i18n::{negotiate, visitor_country};
use crate::response::cached_html;

pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(choose_language))
        .route("/{lang}", get(add_trailing_slash))
        .route("/{lang}/", get(show_index))
        .route("/{lang}/{iso2}", get(show_country))
}

/// `/`: sends the visitor to their language, from `Accept-Language`; Spanish by default.
async fn choose_language(headers: HeaderMap) -> Response {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = negotiate(accept);
    let mut response = Redirect::to(&format!("/{}/", lang.code())).into_response();
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

async fn add_trailing_slash(
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let lang = parse_lang(path.map(|Path(p)| p), &headers)?;
    Ok(Redirect::permanent(&format!("/{}/", lang.code())).into_response())
}

async fn show_index(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<String>, PathRejection>,
) -> Result<Response, PageError> {
    let Some(lang) = spoken(path.map(|Path(p)| p), &headers)? else {
        return not_found_page(&state, negotiated(&headers), &headers).await;
    };
    let snapshot = state
        .snapshot()
        .await
        .map_err(|e| PageError::new(lang, e, &headers))?;
    let first = visitor_country(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    );
    let page = snapshot
        .index_pages
        .get(&(lang, first))
        .or_else(|| snapshot.index_pages.get(&(lang, None)))
        .ok_or_else(|| PageError::new(lang, AppError::Internal, &headers))?;
    let mut response = cached_html(lang, page.clone());
    // The order follows the visitor's browser: a shared cache keeps one copy per header.
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    Ok(response)
}

async fn show_country(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let (lang, slug) = match path {
        Ok(Path((lang, slug))) => match spoken(Ok(lang), &headers)? {
            Some(lang) => (lang, slug),
            None => return not_found_page(&state, negotiated(&headers), &headers).await,
        },
        Err(_) => return Err(PageError::negotiated(AppError::BadRequest, &headers)),
    };
    let code = match parse_country_slug(&slug, true) {
        Ok(code) => code,
        // `/es/GT` is a page we have, under another spelling: send the visitor to the real one.
        Err(AppError::NotFound) if CountryCode::parse(&slug).is_ok_and(|c| c.is_rcm_member()) => {
            return Ok(Redirect::permanent(&format!(
                "/{}/{}",
                lang.code(),
                slug.to_ascii_lowercase()
            ))
            .into_response());
        }
        Err(AppError::NotFound) => return not_found_page(&state, lang, &headers).await,
        Err(e) => return Err(PageError::new(lang, e, &headers)),
    };
    let snapshot = state
        .snapshot()
        .await
        .map_err(|e| PageError::new(lang, e, &headers))?;
    match snapshot.country_pages.get(&(lang, code)) {
        Some(page) => Ok(cached_html(lang, page.clone())),
        None => not_found_page(&state, lang, &headers).await,
    }
}

/// The public site's 404 in `lang`: "no such page", then every country's numbers.
pub(crate) async fn not_found_page(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let snapshot = state
        .snapshot()
        .await
        .map_err(|e| PageError::new(lang, e, headers))?;
    let page = snapshot
        .not_found_pages
        .get(&lang)
        .ok_or_else(|| PageError::new(lang, AppError::NotFound, headers))?;
    let mut response = cached_html(lang, page.clone());
    *response.status_mut() = axum::http::StatusCode::NOT_FOUND;
    Ok(response)
}

/// The language a URL's segment names, `None` when it names none the site speaks (the
/// caller answers with the 404 page), or a 400 when the segment is not text.
pub(crate) fn spoken(
    segment: Result<String, PathRejection>,
    headers: &HeaderMap,
) -> Result<Option<Lang>, PageError> {
    let segment = segment.map_err(|_| PageError::negotiated(AppError::BadRequest, headers))?;
    Ok(Lang::parse(&segment).ok())
}

/// The visitor's language, from `Accept-Language`.
pub(crate) fn negotiated(headers: &HeaderMap) -> Lang {
    negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// A language segment of a URL, or a 404 in the visitor's language.
fn parse_lang(
    segment: Result<String, PathRejection>,
    headers: &HeaderMap,
) -> Result<Lang, PageError> {
    let segment = segment.map_err(|_| PageError::negotiated(AppError::BadRequest, headers))?;
    Lang::parse(&segment).map_err(|_| PageError::negotiated(AppError::NotFound, headers))
}

/// A country segment of a URL. Pages accept only the lowercase spelling (`lowercase_only`), the
/// API either case. Two letters that are not an RCM member are "not found"; anything else is a
/// bad request.
pub(crate) fn parse_country_slug(
    slug: &str,
    lowercase_only: bool,
) -> Result<CountryCode, AppError> {
    let code = CountryCode::parse(slug).map_err(|_| AppError::BadRequest)?;
    if !code.is_rcm_member() || (lowercase_only && slug != code.lowercase()) {
        return Err(AppError::NotFound);
    }
    Ok(code)
}

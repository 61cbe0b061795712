//! The public site's content pages, `/{lang}/guide/{page}`: campaign editors' Markdown rendered
//! on the server by `pulldown-cmark` and sanitized by `ammonia`, pre-rendered into the snapshot
//! like every public page.

use std::collections::HashSet;

use antitrata_domain::Lang;
use antitrata_domain::content::{ContentPage, ContentVersion};
use askama::Template;
use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;

use crate::AppState;
use crate::error::{AppError, PageError};
use crate::hotlines::{negotiated, not_found_page, spoken};
use crate::i18n::Tr;
use crate::pages::{LangLink, switcher};
use crate::response::cached_html;

pub(crate) fn router() -> Router<AppState> {
    Router::new().route("/{lang}/guide/{page}", get(show_guide))
}

async fn show_guide(
    State(state): State<AppState>,
    headers: HeaderMap,
    path: Result<Path<(String, String)>, PathRejection>,
) -> Result<Response, PageError> {
    let (lang, page) = match path {
        Ok(Path((lang, page))) => match spoken(Ok(lang), &headers)? {
            Some(lang) => (lang, page),
            None => return not_found_page(&state, negotiated(&headers), &headers).await,
        },
        Err(_) => return Err(PageError::negotiated(AppError::BadRequest, &headers)),
    };
    let Some(page) = ContentPage::parse(&page) else {
        return not_found_page(&state, lang, &headers).await;
    };
    let snapshot = state
        .snapshot()
        .await
        .map_err(|e| PageError::new(lang, e, &headers))?;
    match snapshot.guide_pages.get(&(lang, page)) {
        Some(html) => Ok(cached_html(lang, html.clone())),
        None => not_found_page(&state, lang, &headers).await,
    }
}

/// A link to a content page, titled in the page's language.
#[derive(Debug, Clone)]
pub(crate) struct GuideLink {
    pub href: String,
    pub title: String,
}

/// The links to every content page that has a text in `lang`, in the site's order.
pub(crate) fn guide_links(lang: Lang, contents: &[ContentVersion]) -> Vec<GuideLink> {
    ContentPage::ALL
        .iter()
        .filter_map(|page| contents.iter().find(|v| v.page == *page && v.lang == lang))
        .map(|v| GuideLink {
            href: guide_href(v.page, lang),
            title: v.text.title().to_owned(),
        })
        .collect()
}

/// The address of a content page in a language.
pub(crate) fn guide_href(page: ContentPage, lang: Lang) -> String {
    format!("/{}/guide/{page}", lang.code())
}

#[derive(Template)]
#[template(path = "content/page.html")]
struct GuidePage {
    tr: Tr,
    title: String,
    switch: Vec<LangLink>,
    html: String,
    /// The other content pages.
    guides: Vec<GuideLink>,
}

/// A content page as the site serves it: its title, its sanitized Markdown, and links to the
/// other pages of its language. The language switcher offers only the languages the page has.
pub(crate) fn render_guide(
    version: &ContentVersion,
    contents: &[ContentVersion],
) -> Result<String, askama::Error> {
    let lang = version.lang;
    let tr = Tr::new(lang);
    let path = format!("guide/{}", version.page);
    GuidePage {
        title: version.text.title().to_owned(),
        switch: switcher(lang, &path)
            .into_iter()
            .filter(|alt| {
                contents
                    .iter()
                    .any(|v| v.page == version.page && v.lang.code() == alt.code)
            })
            .collect(),
        html: to_html(version.text.body()),
        guides: guide_links(lang, contents)
            .into_iter()
            .filter(|g| g.href != guide_href(version.page, lang))
            .collect(),
        tr,
    }
    .render()
}

/// Markdown as safe HTML: rendered by `pulldown-cmark`, then cleaned by `ammonia`'s allow-list,
/// without images (a public page makes no request to another host), with every link marked
/// `noreferrer`. Raw HTML in the text is escaped or removed, never passed through.
pub(crate) fn to_html(markdown: &str) -> String {
    let parser = pulldown_cmark::Parser::new_ext(markdown, pulldown_cmark::Options::empty());
    let mut rendered = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut rendered, parser);
    let mut tags: HashSet<&str> = ammonia::Builder::default().clone_tags();
    tags.remove("img");
    ammonia::Builder::default()
        .tags(tags)
        .link_rel(Some("noreferrer nofollow"))
        .url_schemes(HashSet::from(["https", "http", "mailto", "tel"]))
        .clean(&rendered)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_rendered_and_whatever_could_run_or_fetch_is_removed() {
        let html = to_html(
            "## Signs\n\n- *kept* documents\n- [help](tel:+502110)\n\n\
             <script>alert(1)</script> <b onclick=\"x()\">bold</b>\n\n\
             [bad](javascript:alert(1)) ![tracker](https://elsewhere.example/t.png)",
        );
        assert!(html.contains("<h2>Signs</h2>"), "{html}");
        assert!(html.contains("<li><em>kept</em> documents</li>"), "{html}");
        assert!(
            html.contains("<a href=\"tel:+502110\" rel=\"noreferrer nofollow\">help</a>"),
            "{html}"
        );
        for gone in [
            "<script",
            "onclick",
            "javascript:",
            "<img",
            "elsewhere.example",
        ] {
            assert!(!html.contains(gone), "{gone} in {html}");
        }
        assert!(html.contains("<b>bold</b>"), "{html}");
    }

    /// Every tag of sanitized HTML (text `<` is escaped, so each `<` opens one) as its name and
    /// its attributes' names and values (the serializer quotes every value with `"`).
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        html.split('<')
            .skip(1)
            .map(|part| {
                let inside = part.split('>').next().unwrap_or_default();
                let (name, mut rest) = inside.split_once(' ').unwrap_or((inside, ""));
                let mut attributes = Vec::new();
                while let Some((attribute, after)) = rest.trim_start().split_once("=\"") {
                    let (value, after) = after.split_once('"').unwrap_or((after, ""));
                    attributes.push((attribute.trim().to_ascii_lowercase(), value.to_owned()));
                    rest = after;
                }
                (
                    name.trim_start_matches('/').to_ascii_lowercase(),
                    attributes,
                )
            })
            .collect()
    }

    proptest::proptest! {
        /// Whatever an editor types (Markdown mixed with the HTML attackers use), the page runs
        /// nothing, loads nothing from elsewhere and styles nothing inline: only harmless tags,
        /// no event or style attribute, and links only to the web, mail or a phone.
        #[test]
        fn no_text_makes_a_page_run_or_fetch_anything(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[ -~ñé\\n]{0,40}").unwrap(),
                    proptest::strategy::Strategy::prop_map(proptest::sample::select(vec![
                        "<script>alert(1)</script>", "<SCRIPT SRC=//x.example/a.js>",
                        "<img src=x onerror=alert(1)>", "![t](https://x.example/t.png)",
                        "[a](javascript:alert(1))", "[a](JaVaScRiPt:alert(1))",
                        "<a href=\"javascript:x\">a</a>", "<iframe src=//x.example>",
                        "<div style=\"background:url(//x.example)\">", "<svg onload=alert(1)>",
                        "<p onclick=\"x()\">", "<style>*{}</style>", "<object data=x>",
                        "<form action=//x.example>", "<meta http-equiv=refresh>",
                        "<link rel=stylesheet href=//x.example>", "```\n<script>\n```",
                        "<!-- <script> -->", "&lt;script&gt;", "# t", "- item", "**b**",
                        "[a](https://x.example \"t onclick=x\")", "<a href=data:text/html,x>d</a>",
                        "\n\n", "<", ">", "\"", "'", "`",
                    ]), str::to_owned),
                ],
                0..20,
            )
        ) {
            let html = to_html(&parts.concat());
            for (name, attributes) in tags(&html) {
                proptest::prop_assert!(
                    !["script", "img", "iframe", "object", "embed", "svg", "style", "form", "meta",
                      "link", "base", "input", "button", "video", "audio"].contains(&name.as_str()),
                    "<{name}> in {html}"
                );
                for (attribute, value) in attributes {
                    proptest::prop_assert!(
                        !attribute.starts_with("on")
                            && !["style", "src", "srcset", "action", "formaction"]
                                .contains(&attribute.as_str()),
                        "{attribute} in {html}"
                    );
                    if attribute == "href" {
                        let scheme = value.split(':').next().unwrap_or_default().to_ascii_lowercase();
                        proptest::prop_assert!(
                            !value.contains(':')
                                || ["https", "http", "mailto", "tel"].contains(&scheme.as_str()),
                            "href {value} in {html}"
                        );
                    }
                }
            }
        }
    }
}

//! The public site's content pages (warning signs, know your rights, what happens when you call):
//! Markdown written by campaign editors, one text per page and language, every saved text kept as
//! a version. Regional: every country's pages link the same pages of their language.

use time::OffsetDateTime;

use crate::Lang;
use crate::casework::{Errors, FieldError, Problem, picklist};

picklist! {
    /// A content page of the public site; its code is the last part of its address
    /// (`/es/guide/warning-signs`).
    ContentPage, "content-page" {
        WarningSigns = "warning-signs",
        KnowYourRights = "know-your-rights",
        WhenYouCall = "when-you-call",
    }
}

/// The longest page text accepted, in characters: a page must stay under 30 KB once rendered.
pub const CONTENT_MAX: usize = 20_000;
/// The longest title, in characters.
pub const TITLE_MAX: usize = 120;

/// A page's text as an editor wrote it: its first line is the title (`# Title`), the rest the
/// page's Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentText {
    title: String,
    markdown: String,
}

impl ContentText {
    /// Reads an editor's text: not empty, at most [`CONTENT_MAX`] characters, beginning with a
    /// level-one heading of at most [`TITLE_MAX`] characters. Line endings become `\n`.
    pub fn parse(text: &str) -> Result<ContentText, Vec<FieldError>> {
        let mut errors = Errors::default();
        let markdown = errors.required_text("body", &text.replace("\r\n", "\n"), CONTENT_MAX);
        let first = markdown.lines().next().unwrap_or_default();
        let title = first.strip_prefix("# ").map_or("", without_closing_hashes);
        if !markdown.is_empty() && title.is_empty() {
            errors.add("body", Problem::NoTitle);
        } else if title.chars().count() > TITLE_MAX {
            errors.add("body", Problem::TooLong(TITLE_MAX));
        }
        let title = title.to_owned();
        errors.finish(ContentText { title, markdown })
    }

    /// The page's title, from its first line.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The whole text, title line included, as stored and edited.
    pub fn markdown(&self) -> &str {
        &self.markdown
    }

    /// The text after the title line: what the page shows under its heading.
    pub fn body(&self) -> &str {
        self.markdown
            .split_once('\n')
            .map_or("", |(_, rest)| rest)
            .trim_start_matches('\n')
    }
}

/// A heading's text without its closing sequence (`Warning signs ##`, as CommonMark reads it: a
/// run of `#` after a space); `C#` keeps its `#`.
fn without_closing_hashes(heading: &str) -> &str {
    let heading = heading.trim();
    match heading.rsplit_once(' ') {
        Some((text, hashes)) if hashes.chars().all(|c| c == '#') => text.trim_end(),
        _ if heading.chars().all(|c| c == '#') => "",
        _ => heading,
    }
}

/// One saved text of a page in one language. Versions count from 1 for each page and language;
/// the newest is what the site shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentVersion {
    pub page: ContentPage,
    pub lang: Lang,
    pub version: i64,
    pub text: ContentText,
    /// The e-mail address of the editor who saved it, and when; both `None` for the starter
    /// text seeded at first start.
    pub saved_by: Option<String>,
    pub saved_at: Option<OffsetDateTime>,
    /// The version whose text this one brought back, when it is a revert.
    pub reverted_from: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_begins_with_its_title() {
        let text = ContentText::parse("# Warning signs #\r\n\r\nWatch for *this*.\r\n").unwrap();
        assert_eq!(text.title(), "Warning signs");
        assert_eq!(text.body(), "Watch for *this*.");
        assert_eq!(text.markdown(), "# Warning signs #\n\nWatch for *this*.");
        assert_eq!(ContentText::parse("# Only a title").unwrap().body(), "");
        assert_eq!(
            ContentText::parse("# Learn C#").unwrap().title(),
            "Learn C#"
        );
    }

    #[test]
    fn an_empty_text_or_one_without_title_is_refused_beside_the_body() {
        let problems = |text: &str| {
            ContentText::parse(text)
                .unwrap_err()
                .into_iter()
                .map(|e| (e.field, e.problem))
                .collect::<Vec<_>>()
        };
        assert_eq!(problems("  \n "), [("body", Problem::Required)]);
        assert_eq!(
            problems("Warning signs\n\ntext"),
            [("body", Problem::NoTitle)]
        );
        assert_eq!(problems("## Warning signs"), [("body", Problem::NoTitle)]);
        assert_eq!(problems("#   "), [("body", Problem::NoTitle)]);
        let long_title = format!("# {}", "a".repeat(TITLE_MAX + 1));
        assert_eq!(
            problems(&long_title),
            [("body", Problem::TooLong(TITLE_MAX))]
        );
        let long_text = format!("# T\n{}", "a".repeat(CONTENT_MAX));
        assert_eq!(
            problems(&long_text),
            [("body", Problem::TooLong(CONTENT_MAX))]
        );
    }

    #[test]
    fn pages_are_named_by_their_address() {
        assert_eq!(
            ContentPage::parse("know-your-rights"),
            Some(ContentPage::KnowYourRights)
        );
        assert_eq!(ContentPage::parse("Know-your-rights"), None);
        assert_eq!(ContentPage::ALL.len(), 3);
    }
}

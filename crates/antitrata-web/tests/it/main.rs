//! Integration tests of the HTTP layer: pages, API, bad input, translations, both backends and a
//! real browser.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::zombie_processes,
    clippy::print_stderr,
    clippy::disallowed_methods,
    reason = "test helpers fail loudly, say what they skip, kill what they spawn, and may read \
              the clock"
)]

mod accessibility;
mod api;
mod api_casework;
mod backends;
mod bad_input;
mod browser;
mod casework;
mod console;
mod content;
mod directory_edit;
mod hotline_e2e;
mod i18n;
mod pages;
mod permissions;
mod release_privacy;
mod releases;
mod security;
mod stats;
mod support;

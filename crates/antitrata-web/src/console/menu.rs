//! The menu bar on every console page of a signed-in worker: the pages their roles open, a
//! search box (case reference, contact id, name or phone), the help page and signing out. Pages
//! before sign-in (login, setup, second factor) have none.

use antitrata_domain::policy::Action;

use crate::auth::session::SignedIn;
use crate::i18n::Tr;

pub(crate) struct Menu {
    /// (href, label, access key) of each page the account may open, in the bar's order.
    pub links: Vec<(&'static str, String, Option<&'static str>)>,
    pub csrf: String,
    /// Whether the search box shows: it reaches personal data, so only for case work.
    pub search: bool,
}

impl Menu {
    /// The menu of `who`, labelled in `tr`'s language.
    pub(crate) fn of(tr: &Tr, who: &SignedIn) -> Option<Menu> {
        if !who.session.second_factor_done {
            return None;
        }
        let holds = |action| who.account.may(action);
        let pages: [(&'static str, &str, Option<Action>, Option<&'static str>); 14] = [
            ("/console", "menu-home", None, None),
            (
                "/console/contacts/new",
                "home-contact",
                Some(Action::WorkCases),
                Some("n"),
            ),
            ("/console/work", "work-title", Some(Action::WorkCases), None),
            (
                "/console/cases",
                "home-cases",
                Some(Action::WorkCases),
                None,
            ),
            (
                "/console/persons",
                "persons-title",
                Some(Action::WorkCases),
                None,
            ),
            ("/console/queue", "home-queue", Some(Action::SeeQueue), None),
            (
                "/console/services",
                "home-services",
                Some(Action::ReadServices),
                None,
            ),
            (
                "/console/stats",
                "home-stats",
                Some(Action::ReadStatistics),
                None,
            ),
            (
                "/console/releases",
                "releases-title",
                Some(Action::MakeReleases),
                None,
            ),
            (
                "/console/directory",
                "directory-menu",
                Some(Action::EditDirectory),
                None,
            ),
            (
                "/console/content",
                "content-title",
                Some(Action::EditContent),
                None,
            ),
            (
                "/console/users",
                "users-title",
                Some(Action::ManageAccounts),
                None,
            ),
            (
                "/console/audit",
                "audit-title",
                Some(Action::ReadAudit),
                None,
            ),
            ("/console/account", "account-title", None, None),
        ];
        let links = pages
            .into_iter()
            .filter(|(_, _, action, _)| action.is_none_or(holds))
            .map(|(href, key, _, access)| (href, tr.t(key), access))
            .collect();
        Some(Menu {
            links,
            csrf: who.session.csrf_token.clone(),
            search: holds(Action::WorkCases),
        })
    }
}

//! Hotline work through the console: recording a contact (keyboard form, server-side draft,
//! field-level errors, double submission), screening, opening a case from it, the workflow with
//! a supervisor's approval, and the supervisor's queue; all within the account's country.

use antitrata_domain::Role;
use antitrata_store::testing::seeded_backends;

use crate::console::{
    Console, account, console, get_as, hidden_csrf, post, set_password, sign_in_with_enrolment,
};

/// The value of the hidden input `name` in a page.
pub(crate) fn hidden(body: &str, name: &str) -> String {
    body.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no hidden {name}"))
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

async fn signed_in(c: &Console, n: u128, role: Role, country: &str) -> String {
    let email = format!("{}-{n}@example.org", role.as_str());
    let user = account(&c.store, n, &email, role, Some(country)).await;
    set_password(c, n).await;
    sign_in_with_enrolment(c, user, &email).await
}

/// A complete contact form as the page would post it, with the page's hidden fields.
pub(crate) fn contact_form<'a>(page: &'a str, csrf: &'a str) -> Vec<(&'static str, String)> {
    vec![
        ("csrf", csrf.to_owned()),
        ("id", hidden(page, "id")),
        ("started_at", hidden(page, "started_at")),
        ("channel", "call".into()),
        ("direction", "inbound".into()),
        ("language", "es".into()),
        ("caller_role", "potential-victim".into()),
        ("caller_country", "HN".into()),
        ("heard_via", "radio-soap-opera".into()),
        ("s-withheld-documents", "yes".into()),
        ("s-no-pay", "yes".into()),
        ("s-threats", "unknown".into()),
        ("summary", "Works on a farm, papers taken".into()),
        ("outcome", "case-opened-or-linked".into()),
    ]
}

async fn post_pairs(
    c: &Console,
    uri: &str,
    session: &str,
    pairs: &[(&str, String)],
) -> crate::support::Reply {
    let form: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    post(&c.app, uri, session, &form).await
}

#[tokio::test]
async fn an_operator_records_a_screened_contact_once_and_opens_a_case_from_it() {
    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in(&c, 1, Role::Operator, "GT").await;
        let page = get_as(&c.app, "/console/contacts/new", &session).await;
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(
            page.body.contains("autofocus"),
            "the first field takes the keyboard"
        );
        assert!(page.body.contains("/static/console.js"));
        // A new call: the timer starts at zero, on a call unless the country says otherwise.
        assert!(
            page.body
                .contains(r#"<span id="call-timer" data-elapsed="0">00:00</span>"#)
        );
        assert!(page.body.contains(r#"<option value="call" selected>"#));
        let csrf = hidden_csrf(&page.body);
        let form = contact_form(&page.body, &csrf);

        let saved = post_pairs(&c, "/console/contacts", &session, &form).await;
        assert_eq!(saved.status, 303, "{} {}", db.name, saved.body);
        let location = saved.header("location").to_owned();
        assert!(location.starts_with("/console/contacts/"), "{location}");
        // The same form sent again (a double click, a resend after a timeout) stores nothing new.
        let again = post_pairs(&c, "/console/contacts", &session, &form).await;
        assert_eq!(again.header("location"), location);
        assert_eq!(c.store.count_rows_for_tests("contacts").await.unwrap(), 1);

        let shown = get_as(&c.app, &location, &session).await;
        assert_eq!(shown.status, 200);
        assert!(shown.body.contains("Likely trafficking"), "{}", shown.body);
        assert!(
            shown
                .body
                .contains("both a means of control and a form of exploitation")
        );
        assert!(shown.body.contains("Works on a farm, papers taken"));

        let opened = post(
            &c.app,
            "/console/cases",
            &session,
            &[
                ("csrf", &csrf),
                ("id", &hidden(&shown.body, "id")),
                ("contact", location.trim_start_matches("/console/contacts/")),
            ],
        )
        .await;
        assert_eq!(opened.status, 303, "{}", opened.body);
        let case = get_as(&c.app, opened.header("location"), &session).await;
        assert!(case.body.contains("GT-2026-000001"), "{}", case.body);
        // The screening's answers start the case's description.
        assert!(case.body.contains(r#"value="WithholdsDocuments" checked"#));
        assert!(case.body.contains(r#"value="ForcedLabour" checked"#));
        assert!(case.body.contains(r#"value="HN, "#) || case.body.contains(r#"value="HN""#));
        let linked = get_as(&c.app, &location, &session).await;
        assert!(linked.body.contains("GT-2026-000001"));
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_bad_contact_form_names_every_bad_field_and_stores_nothing() {
    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in(&c, 1, Role::Operator, "GT").await;
        let page = get_as(&c.app, "/console/contacts/new", &session).await;
        let csrf = hidden_csrf(&page.body);
        let mut form = contact_form(&page.body, &csrf);
        form.retain(|(k, _)| *k != "channel" && *k != "summary");
        form.push(("channel", "pigeon".into()));
        form.push(("summary", "x".repeat(4001)));
        form.push(("started_at", "2099-01-01T00:00:00Z".into()));
        form.retain(|(k, v)| *k != "started_at" || v.starts_with("2099"));
        form.push(("case_reference", "GT-2026-000999".into()));
        form.push(("s-telepathy", "yes".into()));
        let refused = post_pairs(&c, "/console/contacts", &session, &form).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        for message in [
            "Not one of the choices this field offers.",
            "Too long: at most 4000 characters.",
            "Cannot be in the future.",
            "Check the marked fields: nothing was saved.",
        ] {
            assert!(
                refused.body.contains(message),
                "{message}: {}",
                refused.body
            );
        }
        // What was typed stays in the form.
        assert!(refused.body.contains("GT-2026-000999"));
        assert_eq!(c.store.count_rows_for_tests("contacts").await.unwrap(), 0);

        // A reference to a case that does not exist is refused at the field, too.
        let mut form = contact_form(&page.body, &csrf);
        form.push(("case_reference", "GT-2026-000999".into()));
        let refused = post_pairs(&c, "/console/contacts", &session, &form).await;
        assert_eq!(refused.status, 422);
        assert!(
            refused
                .body
                .contains("No case of your country has this reference (e.g. GT-2026-000123)."),
            "{}",
            refused.body
        );
        assert_eq!(c.store.count_rows_for_tests("contacts").await.unwrap(), 0);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_half_filled_form_comes_back_after_the_tab_is_closed() {
    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in(&c, 1, Role::Operator, "GT").await;
        let page = get_as(&c.app, "/console/contacts/new", &session).await;
        let csrf = hidden_csrf(&page.body);
        let id = hidden(&page.body, "id");
        let draft = post(
            &c.app,
            "/console/contacts/draft",
            &session,
            &[
                ("csrf", &csrf),
                ("id", &id),
                ("channel", "whatsapp"),
                ("summary", "Half a sentence"),
                ("s-debt-bondage", "yes"),
            ],
        )
        .await;
        assert_eq!(draft.status, 204, "{}", draft.body);
        // Without the CSRF token, nothing is kept.
        let forged = post(
            &c.app,
            "/console/contacts/draft",
            &session,
            &[("summary", "x")],
        )
        .await;
        assert_eq!(forged.status, 403);

        let back = get_as(&c.app, "/console/contacts/new", &session).await;
        assert!(
            back.body
                .contains("The form that had not been sent was restored.")
        );
        assert!(back.body.contains("Half a sentence"));
        assert!(
            back.body.contains(r#"<option value="whatsapp" selected>"#),
            "{}",
            back.body
        );
        assert_eq!(hidden(&back.body, "id"), id, "the same submission id");
        assert!(back.body.contains(r#"id="s-debt-bondage""#));

        let mut form = contact_form(&back.body, &csrf);
        form.retain(|(k, _)| *k != "id");
        form.push(("id", id));
        let saved = post_pairs(&c, "/console/contacts", &session, &form).await;
        assert_eq!(saved.status, 303);
        let fresh = get_as(&c.app, "/console/contacts/new", &session).await;
        assert!(
            !fresh.body.contains("was restored"),
            "the draft is gone once sent"
        );

        // An abandoned call's form, come back on the next call, is discarded with one button:
        // the next form is fresh and starts now.
        let old_start = hidden(&fresh.body, "started_at");
        post(
            &c.app,
            "/console/contacts/draft",
            &session,
            &[
                ("csrf", &csrf),
                ("started_at", &old_start),
                ("summary", "Another call"),
            ],
        )
        .await;
        c.clock.advance(time::Duration::minutes(20));
        let back = get_as(&c.app, "/console/contacts/new", &session).await;
        assert!(back.body.contains(r#"id="discard-draft""#), "{}", back.body);
        assert_eq!(hidden(&back.body, "started_at"), old_start);
        // The call timer goes on from the restored call's start: 20 minutes in.
        assert!(
            back.body
                .contains(r#"<span id="call-timer" data-elapsed="1200">20:00</span>"#),
            "{}",
            back.body
        );
        let discarded = post(
            &c.app,
            "/console/contacts/draft/discard",
            &session,
            &[("csrf", &csrf)],
        )
        .await;
        assert_eq!(discarded.header("location"), "/console/contacts/new");
        let next = get_as(&c.app, "/console/contacts/new", &session).await;
        assert!(!next.body.contains("Another call"), "{}", next.body);
        assert!(!next.body.contains("was restored"));
        assert_ne!(
            hidden(&next.body, "started_at"),
            old_start,
            "the start time is now"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn closing_needs_a_reason_and_a_supervisor_who_sees_it_in_the_queue() {
    for db in seeded_backends().await {
        let c = console(&db);
        let worker = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let supervisor = signed_in(&c, 2, Role::Supervisor, "GT").await;
        let operator = signed_in(&c, 3, Role::Operator, "GT").await;

        // An operator records an immediate danger: it tops the supervisor's queue with the
        // emergency number of Guatemala (110).
        let page = get_as(&c.app, "/console/contacts/new", &operator).await;
        // The form holds the emergency number and what to do, shown when the box is ticked
        // (by the page's script; a note says it without one).
        let help = page.body.split(r#"id="danger-help""#).nth(1).unwrap();
        assert!(help.starts_with(r#" role="alert" hidden>"#), "{help}");
        assert!(help.contains(r#"href="tel:110""#), "{help}");
        assert!(page.body.contains("<noscript>"), "{}", page.body);
        assert!(
            page.body.find("immediate_danger") < page.body.find(r#"id="channel""#),
            "the danger box comes first"
        );
        let csrf_op = hidden_csrf(&page.body);
        let mut form = contact_form(&page.body, &csrf_op);
        form.push(("immediate_danger", "on".into()));
        form.push(("caller_locality", "Coatepeque".into()));
        let saved = post_pairs(&c, "/console/contacts", &operator, &form).await;
        let contact = saved.header("location").to_owned();
        let queue = get_as(&c.app, "/console/queue", &supervisor).await;
        assert_eq!(queue.status, 200, "{}", queue.body);
        assert!(queue.body.contains(r#"href="tel:110""#), "{}", queue.body);
        assert!(queue.body.contains(&contact));
        assert!(
            queue.body.contains("Coatepeque, HN"),
            "the place: {}",
            queue.body
        );
        assert!(
            queue.body.contains("Works on a farm, papers taken"),
            "the summary"
        );
        assert!(queue.body.contains("Nobody has it yet"), "{}", queue.body);
        assert!(
            queue.body.contains("Immediate danger: <strong>1</strong>"),
            "{}",
            queue.body
        );

        // The operator on the line takes it from the contact page; the supervisor sees who.
        let contact_page = get_as(&c.app, &contact, &operator).await;
        let csrf_page = hidden_csrf(&contact_page.body);
        let take = format!("{contact}/take-danger");
        let took = post(
            &c.app,
            &take,
            &operator,
            &[("csrf", &csrf_page), ("back", "contact")],
        )
        .await;
        assert_eq!(took.status, 303, "{}", took.body);
        assert_eq!(took.header("location"), contact);
        let contact_page = get_as(&c.app, &contact, &operator).await;
        assert!(
            contact_page.body.contains("Taken by"),
            "{}",
            contact_page.body
        );
        let queue = get_as(&c.app, "/console/queue", &supervisor).await;
        assert!(!queue.body.contains("Nobody has it yet"), "{}", queue.body);
        assert!(queue.body.contains(" has it</span>"), "{}", queue.body);
        let csrf_sup = hidden_csrf(&queue.body);
        let refused = post(&c.app, &take, &supervisor, &[("csrf", &csrf_sup)]).await;
        assert_eq!(refused.status, 409, "{}", refused.body);
        assert!(
            refused.body.contains("has taken this danger already"),
            "{}",
            refused.body
        );
        // Another operator, who has no queue, is sent back to the contact, which names who has
        // it: the queue is the supervisors'.
        let other = signed_in(&c, 4, Role::Operator, "GT").await;
        let csrf_other = hidden_csrf(&get_as(&c.app, &contact, &other).await.body);
        let late = post(&c.app, &take, &other, &[("csrf", &csrf_other)]).await;
        assert_eq!(late.status, 303, "{}", late.body);
        assert_eq!(late.header("location"), contact);
        let seen = get_as(&c.app, &contact, &other).await;
        assert!(seen.body.contains("Taken by"), "{}", seen.body);
        assert!(!seen.body.contains(r#"id="take-danger""#));
        assert_eq!(
            get_as(&c.app, "/console/queue", &operator).await.status,
            403
        );

        let csrf_sup = hidden_csrf(&queue.body);
        let contact_id = contact.trim_start_matches("/console/contacts/");
        let taken = post(
            &c.app,
            &format!("/console/contacts/{contact_id}/danger-handled"),
            &supervisor,
            &[("csrf", &csrf_sup)],
        )
        .await;
        assert_eq!(taken.status, 303);
        let queue = get_as(&c.app, "/console/queue", &supervisor).await;
        assert!(queue.body.contains("No immediate danger waiting."));
        assert!(queue.body.contains("No overdue referrals."));

        // A caseworker opens a case and asks to close it: a reason is required.
        let home = get_as(&c.app, "/console/contacts/new", &worker).await;
        let csrf_w = hidden_csrf(&home.body);
        let opened = post(
            &c.app,
            "/console/cases",
            &worker,
            &[
                ("csrf", &csrf_w),
                ("id", "0190b2b2-0000-7000-8000-000000000001"),
            ],
        )
        .await;
        assert_eq!(opened.status, 303, "{}", opened.body);
        let case = opened.header("location").to_owned();
        let status_uri = format!("{case}/status");
        let no_reason = post(
            &c.app,
            &status_uri,
            &worker,
            &[
                ("csrf", &csrf_w),
                ("action", "request-closure"),
                ("reason", ""),
            ],
        )
        .await;
        assert_eq!(no_reason.status, 422, "{}", no_reason.body);
        assert!(no_reason.body.contains("Required."));
        let not_theirs = post(
            &c.app,
            &status_uri,
            &worker,
            &[
                ("csrf", &csrf_w),
                ("action", "close"),
                ("reason", "goals-met"),
            ],
        )
        .await;
        assert_eq!(not_theirs.status, 403, "only supervisors close");
        let asked = post(
            &c.app,
            &status_uri,
            &worker,
            &[
                ("csrf", &csrf_w),
                ("action", "request-closure"),
                ("reason", "goals-met"),
                ("note", "Back with her family"),
            ],
        )
        .await;
        assert_eq!(asked.status, 303, "{}", asked.body);

        let queue = get_as(&c.app, "/console/queue", &supervisor).await;
        assert!(queue.body.contains("GT-2026-000001"), "{}", queue.body);
        // The supervisor assigns it to the caseworker, shown by name.
        let assigned = post(
            &c.app,
            &format!("{case}/assign"),
            &supervisor,
            &[
                ("csrf", &csrf_sup),
                ("assignee", &uuid::Uuid::from_u128(1).to_string()),
            ],
        )
        .await;
        assert_eq!(assigned.status, 303, "{}", assigned.body);
        let shown = get_as(&c.app, &case, &worker).await;
        assert!(shown.body.contains("<dd>User 1</dd>"), "{}", shown.body);
        let approved = post(
            &c.app,
            &status_uri,
            &supervisor,
            &[("csrf", &csrf_sup), ("action", "approve-closure")],
        )
        .await;
        assert_eq!(approved.status, 303, "{}", approved.body);
        let closed = get_as(&c.app, &case, &worker).await;
        assert!(closed.body.contains("status-closed"), "{}", closed.body);
        assert!(closed.body.contains("Goals met"));
        assert!(closed.body.contains("Back with her family"));
        // Approving twice is a step the status no longer allows: said, nothing changed.
        let twice = post(
            &c.app,
            &status_uri,
            &supervisor,
            &[("csrf", &csrf_sup), ("action", "approve-closure")],
        )
        .await;
        assert_eq!(twice.status, 409);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_operator_of_guatemala_cannot_reach_a_contact_or_case_of_honduras() {
    for db in seeded_backends().await {
        let c = console(&db);
        let hn = signed_in(&c, 1, Role::Operator, "HN").await;
        let gt = signed_in(&c, 2, Role::Operator, "GT").await;
        let page = get_as(&c.app, "/console/contacts/new", &hn).await;
        let csrf = hidden_csrf(&page.body);
        let saved = post_pairs(
            &c,
            "/console/contacts",
            &hn,
            &contact_form(&page.body, &csrf),
        )
        .await;
        let contact = saved.header("location").to_owned();
        let opened = post(
            &c.app,
            "/console/cases",
            &hn,
            &[
                ("csrf", &csrf),
                ("id", "0190b2b2-0000-7000-8000-000000000002"),
            ],
        )
        .await;
        let case = opened.header("location").to_owned();

        let other = get_as(&c.app, &contact, &gt).await;
        assert_eq!(other.status, 404, "{}", db.name);
        assert!(!other.body.contains("papers taken"));
        assert_eq!(get_as(&c.app, &case, &gt).await.status, 404);
        let by_reference = get_as(&c.app, "/console/cases?reference=HN-2026-000001", &gt).await;
        assert_eq!(by_reference.status, 400);
        let list = get_as(&c.app, "/console/cases", &gt).await;
        assert!(list.body.contains("No cases."));
        let own = get_as(&c.app, "/console/cases?reference=HN-2026-000001", &hn).await;
        assert_eq!(own.status, 303);

        // The same box finds a contact by its id: the contact itself while it has no case, then
        // the case opened from it; never across the border.
        let contact_id = contact.trim_start_matches("/console/contacts/").to_owned();
        let by_contact = format!("/console/cases?reference={contact_id}");
        let found = get_as(&c.app, &by_contact, &hn).await;
        assert_eq!(found.status, 303, "{}", db.name);
        assert_eq!(found.header("location"), contact);
        assert_eq!(get_as(&c.app, &by_contact, &gt).await.status, 400);
        let linked = post(
            &c.app,
            "/console/cases",
            &hn,
            &[
                ("csrf", &csrf),
                ("id", "0190b2b2-0000-7000-8000-000000000003"),
                ("contact", &contact_id),
            ],
        )
        .await;
        assert_eq!(linked.status, 303, "{}", linked.body);
        let found = get_as(&c.app, &by_contact, &hn).await;
        assert_eq!(found.header("location"), linked.header("location"));
        let unknown = get_as(
            &c.app,
            "/console/cases?reference=0190b2b2-0000-7000-8000-0000000000ff",
            &hn,
        )
        .await;
        assert_eq!(unknown.status, 400);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_step_or_an_assignment_from_a_stale_page_is_refused_and_keeps_what_was_chosen() {
    for db in seeded_backends().await {
        let c = console(&db);
        let worker = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let supervisor = signed_in(&c, 2, Role::Supervisor, "GT").await;
        let case = open_case(&c, &worker, 950).await;
        let status_uri = format!("{case}/status");
        let assign_uri = format!("{case}/assign");

        // The supervisor opens the case; meanwhile the caseworker starts work on it.
        let seen = get_as(&c.app, &case, &supervisor).await;
        let csrf_sup = hidden_csrf(&seen.body);
        let seen_version = hidden(&seen.body, "version");
        let theirs = get_as(&c.app, &case, &worker).await;
        let activated = post(
            &c.app,
            &status_uri,
            &worker,
            &[
                ("csrf", &hidden_csrf(&theirs.body)),
                ("version", &hidden(&theirs.body, "version")),
                ("action", "activate"),
            ],
        )
        .await;
        assert_eq!(activated.status, 303, "{}", activated.body);

        // Closing from the page as it was is refused: nothing changes, the page says why and
        // shows the case as it is now, and the reason and note typed are still in the form.
        let close = post(
            &c.app,
            &status_uri,
            &supervisor,
            &[
                ("csrf", &csrf_sup),
                ("version", &seen_version),
                ("action", "close"),
                ("reason", "goals-met"),
                ("note", "Back home with her family"),
            ],
        )
        .await;
        assert_eq!(close.status, 409, "{}", close.body);
        assert!(
            close.body.contains("Someone else changed this case"),
            "{}",
            close.body
        );
        assert!(close.body.contains("status-active"), "{}", close.body);
        assert!(close.body.contains(">Back home with her family</textarea>"));
        assert!(
            close
                .body
                .contains(r#"<option value="goals-met" selected>"#)
        );

        // An assignment from the stale page is refused too, and keeps the chosen worker.
        let worker_id = uuid::Uuid::from_u128(1).to_string();
        let assign = post(
            &c.app,
            &assign_uri,
            &supervisor,
            &[
                ("csrf", &csrf_sup),
                ("version", &seen_version),
                ("assignee", &worker_id),
            ],
        )
        .await;
        assert_eq!(assign.status, 409, "{}", assign.body);
        assert!(
            assign
                .body
                .contains(&format!(r#"<option value="{worker_id}" selected>"#)),
            "{}",
            assign.body
        );
        let now = get_as(&c.app, &case, &supervisor).await;
        assert!(now.body.contains("status-active"));
        assert!(now.body.contains("<dd>Unassigned</dd>"), "{}", now.body);

        // From the page as it is now, both go through.
        let fresh = hidden(&now.body, "version");
        let assigned = post(
            &c.app,
            &assign_uri,
            &supervisor,
            &[
                ("csrf", &csrf_sup),
                ("version", &fresh),
                ("assignee", &worker_id),
            ],
        )
        .await;
        assert_eq!(assigned.status, 303, "{}", assigned.body);
        let now = get_as(&c.app, &case, &supervisor).await;
        let closed = post(
            &c.app,
            &status_uri,
            &supervisor,
            &[
                ("csrf", &csrf_sup),
                ("version", &hidden(&now.body, "version")),
                ("action", "close"),
                ("reason", "goals-met"),
            ],
        )
        .await;
        assert_eq!(closed.status, 303, "{}", closed.body);
        let closed = get_as(&c.app, &case, &worker).await;
        assert!(closed.body.contains("status-closed"));
        assert!(closed.body.contains("<dd>User 1</dd>"), "{}", closed.body);
        db.cleanup().await;
    }
}

/// The version the status buttons of the referral moved at `uri` carry on a case page.
fn referral_version(page: &str, uri: &str) -> String {
    let form = page
        .split(&format!(r#"action="{uri}""#))
        .nth(1)
        .unwrap_or_else(|| panic!("no buttons for {uri}"));
    hidden(form, "version")
}

/// A case opened by `session`, returning its page path.
pub(crate) async fn open_case(c: &Console, session: &str, n: u128) -> String {
    let csrf = hidden_csrf_of_any(c, session).await;
    let opened = post(
        &c.app,
        "/console/cases",
        session,
        &[
            ("csrf", &csrf),
            ("id", &uuid::Uuid::from_u128(n).to_string()),
        ],
    )
    .await;
    assert_eq!(opened.status, 303, "{}", opened.body);
    opened.header("location").to_owned()
}

/// The session's CSRF token, read from a page that has a form.
async fn hidden_csrf_of_any(c: &Console, session: &str) -> String {
    hidden_csrf(&get_as(&c.app, "/console/contacts/new", session).await.body)
}

#[tokio::test]
async fn people_consent_and_referrals_through_the_case_page() {
    for db in seeded_backends().await {
        let c = console(&db);
        let worker = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let admin = signed_in(&c, 2, Role::CountryAdmin, "GT").await;
        let supervisor = signed_in(&c, 3, Role::Supervisor, "GT").await;

        // The country administrator adds a shelter to the directory; a bad one is refused.
        let directory = get_as(&c.app, "/console/services", &admin).await;
        assert_eq!(directory.status, 200, "{}", directory.body);
        let csrf_admin = hidden_csrf(&directory.body);
        let bad = post(
            &c.app,
            "/console/services",
            &admin,
            &[
                ("csrf", &csrf_admin),
                ("id", &hidden(&directory.body, "id")),
                ("name", "x"),
            ],
        )
        .await;
        assert_eq!(bad.status, 422);
        assert_eq!(c.store.count_rows_for_tests("services").await.unwrap(), 0);
        let added = post(
            &c.app,
            "/console/services",
            &admin,
            &[
                ("csrf", &csrf_admin),
                ("id", &hidden(&directory.body, "id")),
                ("organization", "Asociación Refugio"),
                ("name", "Albergue Esperanza"),
                ("categories", "shelter"),
                ("locality", "Quetzaltenango"),
                ("phone", "7765 4321"),
            ],
        )
        .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let found = get_as(
            &c.app,
            "/console/services?category=shelter&place=quetzal",
            &worker,
        )
        .await;
        assert!(found.body.contains("Albergue Esperanza"), "{}", found.body);
        let none = get_as(&c.app, "/console/services?category=legal", &worker).await;
        assert!(!none.body.contains("Albergue Esperanza"));

        // The administrator edits it: the form holds what is stored; a bad edit is refused at
        // its field and changes nothing; deactivated, it leaves the directory until brought back.
        let service_id = c
            .store
            .list_services(
                &antitrata_store::testing::actor(Role::CountryAdmin, Some("GT")),
                None,
                None,
                None,
                antitrata_store::PAGE_MAX,
            )
            .await
            .unwrap()[0]
            .id;
        let edit_uri = format!("/console/services/{service_id}");
        let form = get_as(&c.app, &edit_uri, &admin).await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert!(form.body.contains(r#"value="Albergue Esperanza""#));
        assert!(
            form.body.contains(r#"value="shelter" checked"#),
            "{}",
            form.body
        );
        assert_eq!(get_as(&c.app, &edit_uri, &worker).await.status, 403);
        let hn_admin = signed_in(&c, 9, Role::CountryAdmin, "HN").await;
        assert_eq!(get_as(&c.app, &edit_uri, &hn_admin).await.status, 404);
        let edit = |name: &'static str, active: bool| {
            let mut fields = vec![
                ("csrf", csrf_admin.clone()),
                ("organization", "Asociación Refugio".to_owned()),
                ("name", name.to_owned()),
                ("categories", "shelter".to_owned()),
                ("locality", "Quetzaltenango".to_owned()),
                ("phone", "7765 4321".to_owned()),
            ];
            if active {
                fields.push(("active", "true".to_owned()));
            }
            fields
        };
        let refused = post_pairs(&c, &edit_uri, &admin, &edit("", true)).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains(r#"value="shelter" checked"#));
        let deactivated =
            post_pairs(&c, &edit_uri, &admin, &edit("Albergue Esperanza II", false)).await;
        assert_eq!(deactivated.status, 303, "{}", deactivated.body);
        let list = get_as(&c.app, "/console/services", &worker).await;
        assert!(!list.body.contains("Albergue Esperanza"), "{}", list.body);
        let admin_list = get_as(&c.app, "/console/services", &admin).await;
        assert!(admin_list.body.contains("Deactivated services"));
        assert!(admin_list.body.contains(&edit_uri));
        let back = post_pairs(&c, &edit_uri, &admin, &edit("Albergue Esperanza", true)).await;
        assert_eq!(back.status, 303, "{}", back.body);
        let list = get_as(&c.app, "/console/services", &worker).await;
        assert!(list.body.contains("Albergue Esperanza"), "{}", list.body);

        let case = open_case(&c, &worker, 900).await;
        let page = get_as(&c.app, &case, &worker).await;
        let csrf = hidden_csrf(&page.body);
        let person_id = hidden(&page.body, "person_id");
        // A future birth date and an invalid phone: refused at their fields, nothing stored.
        let persons_before = c.store.count_rows_for_tests("persons").await.unwrap();
        let refused = post(
            &c.app,
            &format!("{case}/persons"),
            &worker,
            &[
                ("csrf", &csrf),
                ("person_id", &person_id),
                ("role", "victim"),
                ("name", "Ana Canaria"),
                ("phone", "12"),
                ("born_on", "2099-01-01"),
            ],
        )
        .await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(refused.body.contains("Not a valid phone number."));
        assert!(refused.body.contains("Cannot be in the future."));
        assert!(
            refused.body.contains(r#"value="Ana Canaria""#),
            "what was typed stays"
        );
        assert_eq!(
            c.store.count_rows_for_tests("persons").await.unwrap(),
            persons_before
        );
        let added = post(
            &c.app,
            &format!("{case}/persons"),
            &worker,
            &[
                ("csrf", &csrf),
                ("person_id", &person_id),
                ("role", "victim"),
                ("name", "Ana Canaria"),
                ("phone", "5555 0199"),
                ("born_on", "2012-03-04"),
            ],
        )
        .await;
        assert_eq!(added.status, 303, "{}", added.body);
        let page = get_as(&c.app, &case, &worker).await;
        assert!(page.body.contains("Ana Canaria"));
        assert!(
            page.body.contains(r#"class="minor""#),
            "a minor flags the case"
        );
        // Found by name, the person links to their case.
        let found = post(
            &c.app,
            "/console/persons/search",
            &worker,
            &[("csrf", &csrf), ("name", "ana canaria"), ("phone", "")],
        )
        .await;
        assert!(
            found.body.contains(&format!(r#"<a href="{case}">"#)),
            "{}",
            found.body
        );

        // No consent: the referral is refused with the reason, and nothing is stored.
        let service = c
            .store
            .list_services(
                &antitrata_store::testing::actor(Role::Caseworker, Some("GT")),
                None,
                None,
                None,
                antitrata_store::PAGE_MAX,
            )
            .await
            .unwrap()[0]
            .id
            .to_string();
        let referral_form = |csrf: &str, id: &str, reason: &str| {
            vec![
                ("csrf", csrf.to_owned()),
                ("referral_id", id.to_owned()),
                ("person", person_id.clone()),
                ("service", service.clone()),
                ("notes", "Needs a bed tonight".to_owned()),
                ("override_reason", reason.to_owned()),
            ]
        };
        let first_id = uuid::Uuid::from_u128(901).to_string();
        let no_consent = post_pairs(
            &c,
            &format!("{case}/referrals"),
            &worker,
            &referral_form(&csrf, &first_id, ""),
        )
        .await;
        assert_eq!(no_consent.status, 422, "{}", no_consent.body);
        assert!(
            no_consent
                .body
                .contains("No consent of the person in force covers this referral")
        );
        assert_eq!(c.store.count_rows_for_tests("referrals").await.unwrap(), 0);

        // A minor's consent given by themselves is refused; by the guardian it is recorded.
        let consent = |given_by: &str, id: u128| {
            vec![
                ("csrf", csrf.clone()),
                ("consent_id", uuid::Uuid::from_u128(id).to_string()),
                ("person", person_id.clone()),
                ("scope", "referral".to_owned()),
                ("service", String::new()),
                ("given_by", given_by.to_owned()),
            ]
        };
        let by_self = post_pairs(
            &c,
            &format!("{case}/consents"),
            &worker,
            &consent("self", 910),
        )
        .await;
        assert_eq!(by_self.status, 422, "{}", by_self.body);
        let given = post_pairs(
            &c,
            &format!("{case}/consents"),
            &worker,
            &consent("guardian", 911),
        )
        .await;
        assert_eq!(given.status, 303, "{}", given.body);
        let made = post_pairs(
            &c,
            &format!("{case}/referrals"),
            &worker,
            &referral_form(&csrf, &first_id, ""),
        )
        .await;
        assert_eq!(made.status, 303, "{}", made.body);
        let page = get_as(&c.app, &case, &worker).await;
        assert!(page.body.contains("Albergue Esperanza"));
        assert!(page.body.contains("on consent"));
        assert!(
            page.body.contains("status-referred"),
            "the case is referred"
        );

        // Withdrawn consent blocks the next referral.
        let withdrawn = post(
            &c.app,
            &format!("/console/consents/{}/withdraw", uuid::Uuid::from_u128(911)),
            &worker,
            &[
                ("csrf", &csrf),
                ("case", case.trim_start_matches("/console/cases/")),
            ],
        )
        .await;
        assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
        let second_id = uuid::Uuid::from_u128(902).to_string();
        let blocked = post_pairs(
            &c,
            &format!("{case}/referrals"),
            &worker,
            &referral_form(&csrf, &second_id, ""),
        )
        .await;
        assert_eq!(blocked.status, 422);
        // A caseworker cannot override; a supervisor can, with a reason, and it is shown.
        let not_theirs = post_pairs(
            &c,
            &format!("{case}/referrals"),
            &worker,
            &referral_form(&csrf, &second_id, "urgent"),
        )
        .await;
        assert_eq!(not_theirs.status, 403);
        let sup_csrf = hidden_csrf_of_any(&c, &supervisor).await;
        let overridden = post_pairs(
            &c,
            &format!("{case}/referrals"),
            &supervisor,
            &referral_form(&sup_csrf, &second_id, "Life at risk tonight"),
        )
        .await;
        assert_eq!(overridden.status, 303, "{}", overridden.body);
        let page = get_as(&c.app, &case, &worker).await;
        assert!(
            page.body
                .contains("by a supervisor&#39;s decision: Life at risk tonight"),
            "{}",
            page.body
        );
        assert_eq!(c.store.count_rows_for_tests("referrals").await.unwrap(), 2);

        // The service accepts the first referral. Its buttons carry the version they were made
        // from: a second move from the same page is refused as stale, and the page says so.
        let move_uri = format!("/console/referrals/{first_id}/status");
        let page = get_as(&c.app, &case, &worker).await;
        let shown = referral_version(&page.body, &move_uri);
        let move_from = |status: &'static str, version: String| {
            vec![
                ("csrf", csrf.clone()),
                (
                    "case",
                    case.trim_start_matches("/console/cases/").to_owned(),
                ),
                ("version", version),
                ("status", status.to_owned()),
            ]
        };
        let accepted = post_pairs(
            &c,
            &move_uri,
            &worker,
            &move_from("accepted", shown.clone()),
        )
        .await;
        assert_eq!(accepted.status, 303, "{}", accepted.body);
        let stale = post_pairs(&c, &move_uri, &worker, &move_from("in-progress", shown)).await;
        assert_eq!(stale.status, 409, "{}", stale.body);
        assert!(
            stale.body.contains("Someone else updated this referral"),
            "{}",
            stale.body
        );
        let page = get_as(&c.app, &case, &worker).await;
        assert!(
            page.body.contains("<strong>Accepted</strong>"),
            "{}",
            page.body
        );
        let fresh = referral_version(&page.body, &move_uri);
        let started = post_pairs(&c, &move_uri, &worker, &move_from("in-progress", fresh)).await;
        assert_eq!(started.status, 303, "{}", started.body);
        let backwards = post(
            &c.app,
            &format!("/console/referrals/{first_id}/status"),
            &worker,
            &[
                ("csrf", &csrf),
                ("case", case.trim_start_matches("/console/cases/")),
                ("status", "requested"),
            ],
        )
        .await;
        assert_eq!(backwards.status, 409);

        // A task on a minor's case carries the flag in the task lists too.
        let task = post(
            &c.app,
            &format!("{case}/follow-ups"),
            &worker,
            &[
                ("csrf", &csrf),
                ("follow_up_id", &uuid::Uuid::from_u128(920).to_string()),
                ("title", "Call the guardian"),
                ("due_on", "2026-11-25"),
                ("assignee", ""),
            ],
        )
        .await;
        assert_eq!(task.status, 303, "{}", task.body);
        let work = get_as(&c.app, "/console/work", &worker).await;
        let line = work
            .body
            .split("#follow-ups\">")
            .nth(1)
            .expect("a task line");
        assert!(
            line.split_once("</a>")
                .is_some_and(|(_, after)| after.starts_with(r#" <span class="minor">"#)),
            "{}",
            work.body
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn follow_ups_show_on_my_work_and_overdue_ones_in_the_queue() {
    for db in seeded_backends().await {
        let c = console(&db);
        let worker = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let supervisor = signed_in(&c, 2, Role::Supervisor, "GT").await;
        let case = open_case(&c, &worker, 950).await;
        let page = get_as(&c.app, &case, &worker).await;
        let csrf = hidden_csrf(&page.body);
        let add = |title: &'static str, due: &'static str, n: u128| {
            let csrf = csrf.clone();
            let uri = format!("{case}/follow-ups");
            let app = c.app.clone();
            let worker = worker.clone();
            async move {
                post(
                    &app,
                    &uri,
                    &worker,
                    &[
                        ("csrf", &csrf),
                        ("follow_up_id", &uuid::Uuid::from_u128(n).to_string()),
                        ("title", title),
                        ("due_on", due),
                        ("assignee", ""),
                    ],
                )
                .await
            }
        };
        // The test clock stands on 2026-11-27.
        let bad = add("", "2031-01-01", 951).await;
        assert_eq!(bad.status, 422, "{}", bad.body);
        assert!(
            bad.body.contains("Required.")
                && bad
                    .body
                    .contains("Must fall within a year before and two years after today.")
        );
        assert_eq!(c.store.count_rows_for_tests("follow_ups").await.unwrap(), 0);
        assert_eq!(
            add("Call back about the shelter", "2026-11-25", 952)
                .await
                .status,
            303
        );
        assert_eq!(add("Call tomorrow", "2026-11-28", 953).await.status, 303);
        assert_eq!(add("Visit next month", "2026-12-05", 954).await.status, 303);

        // My work holds the overdue one and what falls due within the week.
        let work = get_as(&c.app, "/console/work", &worker).await;
        assert_eq!(work.status, 200, "{}", work.body);
        assert!(work.body.contains("Call back about the shelter"));
        assert!(work.body.contains("overdue"));
        assert!(
            work.body.contains("Call tomorrow"),
            "due soon: {}",
            work.body
        );
        assert!(!work.body.contains("Visit next month"), "beyond the week");
        let queue = get_as(&c.app, "/console/queue", &supervisor).await;
        assert!(
            queue.body.contains("Call back about the shelter"),
            "{}",
            queue.body
        );

        let done = post(
            &c.app,
            &format!("/console/follow-ups/{}/done", uuid::Uuid::from_u128(952)),
            &worker,
            &[("csrf", &csrf), ("case", "")],
        )
        .await;
        assert_eq!(done.status, 303);
        assert_eq!(done.header("location"), "/console/work");
        let work = get_as(&c.app, "/console/work", &worker).await;
        assert!(!work.body.contains("Call back about the shelter"));
        assert!(work.body.contains("Call tomorrow"));
        let case_page = get_as(&c.app, &case, &worker).await;
        assert!(
            case_page.body.contains("<s>"),
            "done follow-ups stay on the case, struck out"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn times_show_in_the_countrys_local_time_to_the_second() {
    for db in seeded_backends().await {
        let c = console(&db);
        // 23:30 UTC is 17:30 in Guatemala (UTC−6, no summer time).
        c.clock.advance(time::Duration::minutes(11 * 60 + 30));
        let operator = signed_in(&c, 1, Role::Operator, "GT").await;
        let page = get_as(&c.app, "/console/contacts/new", &operator).await;
        let csrf = hidden_csrf(&page.body);
        let saved = post_pairs(
            &c,
            "/console/contacts",
            &operator,
            &contact_form(&page.body, &csrf),
        )
        .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        let contact = get_as(&c.app, saved.header("location"), &operator).await;
        assert!(
            contact.body.contains("2026-11-27 17:30:00 CST"),
            "{}: {}",
            db.name,
            contact.body
        );
        assert!(!contact.body.contains("23:30"), "{}", contact.body);
        // The audit trail, stored to the nanosecond, shows whole seconds in local time.
        let supervisor = signed_in(&c, 2, Role::Supervisor, "GT").await;
        let audit = get_as(&c.app, "/console/audit", &supervisor).await;
        assert_eq!(audit.status, 200, "{}", audit.body);
        assert!(
            audit.body.contains("<td>2026-11-27 17:30:00 CST</td>"),
            "{}",
            audit.body
        );
        assert!(
            !audit.body.contains("<td>2026-11-27 23:30"),
            "{}",
            audit.body
        );

        // At 03:30 UTC on the 28th it is still the 27th in Guatemala (21:30): a follow-up due
        // the 27th is due today, not yet overdue (by the UTC date it would be).
        c.clock.advance(time::Duration::hours(4));
        let operator = signed_in(&c, 3, Role::Operator, "GT").await;
        let case = open_case(&c, &operator, 970).await;
        let csrf = hidden_csrf(&get_as(&c.app, &case, &operator).await.body);
        let task = post(
            &c.app,
            &format!("{case}/follow-ups"),
            &operator,
            &[
                ("csrf", &csrf),
                ("follow_up_id", &uuid::Uuid::from_u128(971).to_string()),
                ("title", "Call back tonight"),
                ("due_on", "2026-11-27"),
                ("assignee", ""),
            ],
        )
        .await;
        assert_eq!(task.status, 303, "{}: {}", db.name, task.body);
        let work = get_as(&c.app, "/console/work", &operator).await;
        assert!(work.body.contains("Call back tonight"), "{}", work.body);
        assert!(!work.body.contains(r#"class="overdue""#), "{}", work.body);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn an_operator_takes_the_case_they_opened_and_finds_it_in_my_work() {
    for db in seeded_backends().await {
        let c = console(&db);
        let ana = signed_in(&c, 1, Role::Operator, "GT").await;
        let ben = signed_in(&c, 2, Role::Operator, "GT").await;
        let case = open_case(&c, &ana, 960).await;
        let work = get_as(&c.app, "/console/work", &ana).await;
        assert!(
            !work.body.contains("GT-2026-"),
            "not mine yet: {}",
            work.body
        );
        let page = get_as(&c.app, &case, &ana).await;
        assert!(page.body.contains(r#"id="take-case""#), "{}", page.body);
        let form = |page: &str| {
            let (csrf, version) = (hidden_csrf(page), hidden(page, "version"));
            vec![("csrf", csrf), ("version", version)]
        };
        // Ben's page, shown before Ana takes it.
        let bens_page = get_as(&c.app, &case, &ben).await;
        let took = post_pairs(&c, &format!("{case}/take"), &ana, &form(&page.body)).await;
        assert_eq!(took.status, 303, "{}", took.body);
        let page = get_as(&c.app, &case, &ana).await;
        assert!(!page.body.contains(r#"id="take-case""#));
        let assigned = page.body.split("Assigned to").nth(1).unwrap();
        assert!(assigned.contains("User 1"), "{}: {assigned}", db.name);
        let work = get_as(&c.app, "/console/work", &ana).await;
        assert!(work.body.contains("GT-2026-"), "{}", work.body);

        let late = post_pairs(&c, &format!("{case}/take"), &ben, &form(&bens_page.body)).await;
        assert_eq!(late.status, 409, "{}", late.body);
        assert!(
            late.body.contains("Someone else changed this case"),
            "{}",
            late.body
        );
        let fresh = get_as(&c.app, &case, &ben).await;
        assert!(
            !fresh.body.contains(r#"id="take-case""#),
            "nothing left to take"
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_caller_phone_is_looked_up_and_a_similar_person_is_added_only_once_seen() {
    for db in seeded_backends().await {
        let c = console(&db);
        let operator = signed_in(&c, 1, Role::Operator, "GT").await;
        let honduras = signed_in(&c, 2, Role::Operator, "HN").await;

        // A first call from the number; then the lookup the form makes as it is typed again.
        let page = get_as(&c.app, "/console/contacts/new", &operator).await;
        assert!(page.body.contains(r#"id="caller_phone""#), "{}", page.body);
        let csrf = hidden_csrf(&page.body);
        let mut form = contact_form(&page.body, &csrf);
        form.push(("caller_phone", "+502 5555 0199".into()));
        let saved = post_pairs(&c, "/console/contacts", &operator, &form).await;
        assert_eq!(saved.status, 303, "{} {}", db.name, saved.body);
        let first = saved.header("location").to_owned();
        let lookup = post(
            &c.app,
            "/console/callers/history",
            &operator,
            &[("csrf", &csrf), ("phone", "5555-0199")],
        )
        .await;
        assert_eq!(lookup.status, 200, "{}", lookup.body);
        assert!(
            lookup.body.contains(&format!(r#"href="{first}""#)),
            "{}",
            lookup.body
        );
        assert!(lookup.body.contains("Works on a farm, papers taken"));
        let nothing = post(
            &c.app,
            "/console/callers/history",
            &operator,
            &[("csrf", &csrf), ("phone", "no number")],
        )
        .await;
        assert_eq!(nothing.status, 204);
        let elsewhere = post(
            &c.app,
            "/console/callers/history",
            &honduras,
            &[
                ("csrf", &hidden_csrf_of_any(&c, &honduras).await),
                ("phone", "5555-0199"),
            ],
        )
        .await;
        assert!(
            elsewhere.body.contains("caller-history-none"),
            "{}",
            elsewhere.body
        );
        assert!(!elsewhere.body.contains("papers taken"));
        let forged = post(
            &c.app,
            "/console/callers/history",
            &operator,
            &[("csrf", "forged"), ("phone", "5555-0199")],
        )
        .await;
        assert_eq!(forged.status, 403);

        // A second contact from it: its page lists the first, not itself.
        let page = get_as(&c.app, "/console/contacts/new", &operator).await;
        let mut form = contact_form(&page.body, &csrf);
        form.push(("caller_phone", "55550199".into()));
        let second = post_pairs(&c, "/console/contacts", &operator, &form).await;
        let second = second.header("location").to_owned();
        let shown = get_as(&c.app, &second, &operator).await;
        assert!(
            shown.body.contains("caller-history-found"),
            "{}",
            shown.body
        );
        assert!(shown.body.contains(&format!(r#"href="{first}""#)));
        assert!(!shown.body.contains(&format!(r#"href="{second}""#)));
        let bad = contact_form(
            &get_as(&c.app, "/console/contacts/new", &operator)
                .await
                .body,
            &csrf,
        )
        .into_iter()
        .chain([("caller_phone", "12".to_owned())])
        .collect::<Vec<_>>();
        let refused = post_pairs(&c, "/console/contacts", &operator, &bad).await;
        assert_eq!(refused.status, 422);
        assert!(refused.body.contains("value=\"12\""), "kept as typed");

        // The same woman in two cases: the second add names the first and stores nothing; sent
        // again from that warning, it adds her.
        let person = |case: &str, id: u128, name: &'static str, seen: bool| {
            let mut pairs = vec![
                ("csrf", csrf.clone()),
                ("person_id", uuid::Uuid::from_u128(id).to_string()),
                ("role", "victim".into()),
                ("name", name.into()),
            ];
            if seen {
                pairs.push(("similar_seen", "1".into()));
            }
            (format!("{case}/persons"), pairs)
        };
        let first_case = open_case(&c, &operator, 0x51).await;
        let second_case = open_case(&c, &operator, 0x52).await;
        let (uri, pairs) = person(&first_case, 0x61, "María José López", false);
        assert_eq!(post_pairs(&c, &uri, &operator, &pairs).await.status, 303);
        let (uri, pairs) = person(&second_case, 0x62, "maria  jose   LOPEZ", false);
        let warned = post_pairs(&c, &uri, &operator, &pairs).await;
        assert_eq!(warned.status, 409, "{}", warned.body);
        assert!(warned.body.contains("similar-people"));
        assert!(
            warned
                .body
                .contains(&format!(r#"href="{first_case}#people""#)),
            "{}",
            warned.body
        );
        assert!(warned.body.contains(r#"name="similar_seen" value="1""#));
        assert_eq!(c.store.count_rows_for_tests("persons").await.unwrap(), 1);
        let (uri, pairs) = person(&second_case, 0x62, "maria  jose   LOPEZ", true);
        let added = post_pairs(&c, &uri, &operator, &pairs).await;
        assert_eq!(added.status, 303);
        assert_eq!(c.store.count_rows_for_tests("persons").await.unwrap(), 2);
        // Back at the people of the case, which say the person was added.
        let back = added.header("location").to_owned();
        assert_eq!(back, format!("{second_case}?saved=person#people"));
        let page = get_as(&c.app, &back, &operator).await;
        let people = page.body.split(r#"<h2 id="people">"#).nth(1).unwrap();
        assert!(
            people
                .split("</h2>")
                .nth(1)
                .unwrap()
                .trim_start()
                .starts_with(r#"<p class="notice" role="status" id="saved">Person added.</p>"#),
            "{people}"
        );
        let plain = get_as(&c.app, &second_case, &operator).await;
        assert!(!plain.body.contains(r#"id="saved""#));
        // People and next steps come before the case's description and workflow.
        let at = |text: &str| page.body.find(text).unwrap_or_else(|| panic!("{text}"));
        assert!(at(r#"id="people""#) < at(r#"id="workflow""#));
        assert!(at(r#"id="follow-ups""#) < at(r#"id="description""#));
        // One word alone is not enough to warn (it would find half the country).
        let (uri, pairs) = person(&second_case, 0x63, "María", false);
        assert_eq!(post_pairs(&c, &uri, &operator, &pairs).await.status, 303);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_person_of_a_case_is_corrected_and_removed_from_the_console() {
    for db in seeded_backends().await {
        let c = console(&db);
        let worker = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let honduras = signed_in(&c, 2, Role::Caseworker, "HN").await;
        let csrf = hidden_csrf_of_any(&c, &worker).await;
        let case = open_case(&c, &worker, 0x71).await;
        let add = |id: u128, name: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("person_id", uuid::Uuid::from_u128(id).to_string()),
                ("role", "victim".into()),
                ("name", name.into()),
                ("phone", "5555 0199".into()),
            ]
        };
        let uri = format!("{case}/persons");
        assert_eq!(
            post_pairs(&c, &uri, &worker, &add(0x81, "Ana Pérez"))
                .await
                .status,
            303
        );
        let edit = format!("/console/persons/{}/edit", uuid::Uuid::from_u128(0x81));
        let shown = get_as(&c.app, &case, &worker).await;
        assert!(
            shown.body.contains(&format!(r#"href="{edit}""#)),
            "{}",
            shown.body
        );
        let form = get_as(&c.app, &edit, &worker).await;
        assert_eq!(form.status, 200, "{}", form.body);
        assert!(form.body.contains(r#"value="Ana Pérez""#));
        assert!(form.body.contains(r#"value="5555 0199""#));
        assert_eq!(hidden(&form.body, "version"), "1");
        assert_eq!(get_as(&c.app, &edit, &honduras).await.status, 404);

        let fields = |name: &'static str, phone: &'static str, version: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("version", version.to_owned()),
                ("role", "victim".into()),
                ("name", name.into()),
                ("phone", phone.into()),
                ("age_band", "24--26".into()),
            ]
        };
        let bad = post_pairs(&c, &edit, &worker, &fields("Ana María Pérez", "12", "1")).await;
        assert_eq!(bad.status, 422);
        assert!(
            bad.body.contains(r#"value="Ana María Pérez""#),
            "kept as typed"
        );
        let saved = post_pairs(
            &c,
            &edit,
            &worker,
            &fields("Ana María Pérez", "4444 0101", "1"),
        )
        .await;
        assert_eq!(saved.status, 303, "{}", saved.body);
        assert_eq!(
            saved.header("location"),
            format!("{case}?saved=person-edited#people")
        );
        let page = get_as(&c.app, saved.header("location"), &worker).await;
        assert!(page.body.contains("Ana María Pérez"));
        assert!(page.body.contains("Person corrected."));
        // The people list names the age band, not its code.
        let people = page.body.split(r#"<ul class="people">"#).nth(1).unwrap();
        let people = people.split("</ul>").next().unwrap();
        assert!(people.contains("24 to 26 years"), "{people}");
        assert!(!people.contains("24--26"), "{people}");
        // A second correction from the page shown before the first: refused, input kept, and
        // the form now names the current version.
        let stale = post_pairs(&c, &edit, &worker, &fields("Ana P.", "4444 0101", "1")).await;
        assert_eq!(stale.status, 409);
        assert!(stale.body.contains("person-message"));
        assert!(stale.body.contains(r#"value="Ana P.""#));
        assert_eq!(hidden(&stale.body, "version"), "2");
        // What they saved shows beside the fields where it differs from what was typed (the
        // name), and nowhere else (the phone and age band are the same).
        let theirs: Vec<&str> = stale
            .body
            .match_indices(r#"<span class="theirs">"#)
            .map(|(at, _)| {
                let rest = &stale.body[at..];
                &rest[..rest.find("</span>").unwrap()]
            })
            .collect();
        assert_eq!(
            theirs,
            [r#"<span class="theirs">Saved meanwhile: Ana María Pérez"#],
            "{}",
            stale.body
        );
        assert!(
            stale
                .body
                .contains("What they saved is shown beside each field")
        );

        let remove = format!("/console/persons/{}/remove", uuid::Uuid::from_u128(0x81));
        let unticked = post_pairs(
            &c,
            &remove,
            &worker,
            &[("csrf", csrf.clone()), ("version", "2".into())],
        )
        .await;
        assert_eq!(unticked.status, 422);
        assert_eq!(c.store.count_rows_for_tests("persons").await.unwrap(), 1);
        let removed = post_pairs(
            &c,
            &remove,
            &worker,
            &[
                ("csrf", csrf.clone()),
                ("version", "2".into()),
                ("confirm", "on".into()),
            ],
        )
        .await;
        assert_eq!(removed.status, 303, "{}", removed.body);
        assert_eq!(
            removed.header("location"),
            format!("{case}?saved=person-removed#people")
        );
        assert_eq!(c.store.count_rows_for_tests("persons").await.unwrap(), 0);
        assert_eq!(get_as(&c.app, &edit, &worker).await.status, 404);

        // Someone with a consent stays on the case.
        assert_eq!(
            post_pairs(&c, &uri, &worker, &add(0x82, "Berta Ruiz"))
                .await
                .status,
            303
        );
        let consent = post_pairs(
            &c,
            &format!("{case}/consents"),
            &worker,
            &[
                ("csrf", csrf.clone()),
                ("consent_id", uuid::Uuid::from_u128(0x91).to_string()),
                ("person", uuid::Uuid::from_u128(0x82).to_string()),
                ("scope", "assistance".into()),
                ("given_by", "self".into()),
            ],
        )
        .await;
        assert_eq!(consent.status, 303, "{}", consent.body);
        let kept = post_pairs(
            &c,
            &format!("/console/persons/{}/remove", uuid::Uuid::from_u128(0x82)),
            &worker,
            &[("csrf", csrf.clone()), ("confirm", "on".into())],
        )
        .await;
        assert_eq!(kept.status, 409);
        assert!(kept.body.contains("consents or referrals"), "{}", kept.body);
        assert_eq!(c.store.count_rows_for_tests("persons").await.unwrap(), 1);
        db.cleanup().await;
    }
}

/// The case list shows a page of 100 at a time with the count of all that match and a link to
/// the next page; every case is on exactly one page. The person box finds the cases of people
/// by name (accents and case folded) or phone, in the country only, posted, not in the URL.
#[tokio::test]
async fn the_case_list_pages_through_every_case_and_finds_a_persons_cases() {
    use antitrata_domain::casework::{CaseDetails, CaseId, CasePerson, CasePersonInput};
    use antitrata_domain::{CountryCode, PersonId};
    use antitrata_store::testing::actor;
    use uuid::Uuid;

    for db in seeded_backends().await {
        let c = console(&db);
        let session = signed_in(&c, 1, Role::Caseworker, "GT").await;
        let gt = actor(Role::Caseworker, Some("GT"));
        for n in 0..205u128 {
            c.store
                .open_case(
                    &gt,
                    CaseId(Uuid::from_u128(0x1000 + n)),
                    &CaseDetails::default(),
                    None,
                )
                .await
                .unwrap();
        }
        let mut seen = Vec::new();
        let mut page = get_as(&c.app, "/console/cases", &session).await;
        let mut pages = 0;
        loop {
            assert_eq!(page.status, 200, "{}", page.body);
            assert!(
                page.body.contains("Cases found: 205"),
                "{}: {}",
                db.name,
                page.body
            );
            let references: Vec<String> = page
                .body
                .match_indices(">GT-2026-")
                .map(|(at, _)| page.body[at + 1..at + 15].to_owned())
                .collect();
            seen.extend(references);
            pages += 1;
            let Some((before, _)) = page.body.split_once(r#"" id="cases-next""#) else {
                break;
            };
            let next = before
                .rsplit_once(r#"href=""#)
                .unwrap()
                .1
                .replace("&amp;", "&");
            page = get_as(&c.app, &next, &session).await;
            assert!(page.body.contains("First page"), "{}", page.body);
        }
        assert_eq!(pages, 3, "{}", db.name);
        assert_eq!(seen.len(), 205);
        let mut sorted = seen.clone();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        sorted.dedup();
        assert_eq!(sorted, seen, "newest first, each case once");

        // People in two Guatemalan cases and one Honduran.
        let today = antitrata_web::Clock::now(&*c.clock).date();
        for (country, n, name, phone) in [
            ("GT", 0x1003u128, "Rosa Amelia Tum", "+502 5555 0142"),
            ("GT", 0x1007, "ROSA amelia  TÚM", ""),
            ("HN", 0x2001, "Rosa Amelia Tum", "+502 5555 0142"),
        ] {
            let worker = actor(Role::Caseworker, Some(country));
            let case = CaseId(Uuid::from_u128(n));
            if country == "HN" {
                c.store
                    .open_case(&worker, case, &CaseDetails::default(), None)
                    .await
                    .unwrap();
            }
            let input = CasePersonInput {
                role: "victim".into(),
                name: name.into(),
                phone: phone.into(),
                ..CasePersonInput::default()
            };
            let code = CountryCode::parse(country).unwrap();
            c.store
                .add_case_person(
                    &worker,
                    PersonId(Uuid::from_u128(n + 0x9000)),
                    case,
                    &CasePerson::parse(&input, code, today).unwrap(),
                )
                .await
                .unwrap();
        }
        let csrf = hidden_csrf(&page.body);
        let by_name = post(
            &c.app,
            "/console/cases/by-person",
            &session,
            &[("csrf", &csrf), ("person", "rosa tum")],
        )
        .await;
        assert_eq!(by_name.status, 200, "{}", by_name.body);
        assert!(by_name.body.contains("Cases found: 2"), "{}", by_name.body);
        assert!(by_name.body.contains("People found: 2"), "{}", by_name.body);
        assert_eq!(by_name.body.matches(">GT-2026-").count(), 2);
        assert!(!by_name.body.contains("HN-2026-"));
        let by_phone = post(
            &c.app,
            "/console/cases/by-person",
            &session,
            &[("csrf", &csrf), ("person", "5555-0142")],
        )
        .await;
        assert!(
            by_phone.body.contains("Cases found: 1"),
            "{}",
            by_phone.body
        );
        let nobody = post(
            &c.app,
            "/console/cases/by-person",
            &session,
            &[("csrf", &csrf), ("person", "Nadie Conocido")],
        )
        .await;
        assert!(nobody.body.contains("Cases found: 0"), "{}", nobody.body);
        let forged = post(
            &c.app,
            "/console/cases/by-person",
            &session,
            &[("csrf", "wrong"), ("person", "rosa tum")],
        )
        .await;
        assert_eq!(forged.status, 403);
        let bad_cursor = get_as(&c.app, "/console/cases?after=nonsense", &session).await;
        assert_eq!(bad_cursor.status, 400, "{}", bad_cursor.body);
        db.cleanup().await;
    }
}

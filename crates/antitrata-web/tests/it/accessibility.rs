//! Accessibility in a real browser: axe-core, Deque's rules engine, runs in headless Chromium on
//! every public page and every console page, as shown and after a refused form, and finds no
//! serious or critical violation.
//!
//! Runs when `ANTITRATA_TEST_AXE` names axe-core's `axe.min.js` (`.ci/run` installs it from the
//! npm registry) and a chromedriver is found; otherwise it says that it did not run.

use std::sync::Arc;

use antitrata_domain::casework::{
    CaseDetails, CaseId, CasePerson, CasePersonInput, ContactId, ContactInput, NewContact,
    ServiceDetails, ServiceId, ServiceInput,
};
use antitrata_domain::policy::Action;
use antitrata_domain::{CountryCode, PersonId, Role};
use antitrata_store::testing::actor;
use antitrata_store::{DatabaseUrl, Store};
use antitrata_web::{Access, CONSOLE_ROUTES, Clock};
use fantoccini::{Client, Locator};
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::browser::{Browser, Served, chromedriver};
use crate::console::{account, account_with_roles};
use crate::hotline_e2e::{
    click, enrol_authenticator, set_password_and_log_in, set_password_and_log_in_until,
    wait_for_text,
};
use crate::support::{FixedClock, public_pages, seeded_store};

/// axe-core's script, or `None` (said in the test output) when it is not installed.
fn axe_script() -> Option<String> {
    let Some(path) = std::env::var_os("ANTITRATA_TEST_AXE") else {
        antitrata_store::testing::not_run(
            "the accessibility checks (set ANTITRATA_TEST_AXE to axe-core's axe.min.js)",
        );
        return None;
    };
    Some(std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("ANTITRATA_TEST_AXE={}: {e}", path.to_string_lossy());
    }))
}

/// The serious and critical violations axe-core finds on the page now shown, one line per
/// element, each naming the page, the rule, the element and what to fix.
async fn violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.unwrap();
    let found = client
        .execute_async(
            r"const done = arguments[arguments.length - 1];
              axe.run(document, { resultTypes: ['violations'] })
                .then(result => done(result.violations
                  .filter(v => v.impact === 'serious' || v.impact === 'critical')
                  .flatMap(v => v.nodes.map(node =>
                    `${v.impact} ${v.id} at ${node.target.join(' ')}: ${node.failureSummary}`))))
                .catch(error => done([`axe-core failed: ${error}`]));",
            vec![],
        )
        .await
        .unwrap();
    let page = client.current_url().await.unwrap();
    found
        .as_array()
        .unwrap()
        .iter()
        .map(|line| format!("{}: {}", page.path(), line.as_str().unwrap()))
        .collect()
}

fn assert_none(found: &[String], checked: usize) {
    assert!(
        found.is_empty(),
        "{} serious or critical accessibility violations on {checked} pages:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_pages_have_no_serious_accessibility_violations() {
    let (Some(driver_path), Some(axe)) = (chromedriver(), axe_script()) else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory).await;
    let served = Served::start(&store, FixedClock::new()).await;
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(360, 740).await.unwrap();
    let mut pages = public_pages();
    // The page of a country that is not there, and the console's sign-in page.
    pages.extend(["/es/zz".to_owned(), "/console/login".to_owned()]);
    let mut found = Vec::new();
    for page in &pages {
        client
            .goto(&format!("{}{page}", served.base))
            .await
            .unwrap();
        found.extend(violations(&client, &axe).await);
    }
    assert_none(&found, pages.len());

    // The check can fail: an image without a text alternative is found at once.
    client
        .execute(
            "const image = document.createElement('img');
             image.src = '/favicon.ico';
             document.querySelector('main').appendChild(image);",
            vec![],
        )
        .await
        .unwrap();
    let seeded = violations(&client, &axe).await;
    assert!(
        seeded.iter().any(|line| line.contains("image-alt")),
        "{seeded:?}"
    );
    browser.stop().await;
    served.stop().await;
}

/// Every GET page of the console's route table, seen by an account holding every country role,
/// with a record of each kind behind the routes with an id; and the sign-in steps and a refused
/// contact form on the way.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_pages_have_no_serious_accessibility_violations() {
    let (Some(driver_path), Some(axe)) = (chromedriver(), axe_script()) else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory)
        .await
        .with_keyring(antitrata_store::testing::test_keyring());
    // A Guatemalan supervisor who is also the country's administrator: every page opens.
    let user = account_with_roles(
        &store,
        1,
        EMAIL,
        &[Role::Supervisor, Role::CountryAdmin],
        Some("GT"),
    )
    .await;
    let clock = FixedClock::new();
    let records = Records::insert(&store, clock.now()).await;
    crate::stats::import_small_dataset(&store).await;
    let served = Served::start(&store, Arc::clone(&clock)).await;
    let base = served.base.clone();
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(1280, 900).await.unwrap();

    let mut found = Vec::new();
    let mut checked = 0;
    client
        .goto(&format!("{base}/console/setup/setup-1"))
        .await
        .unwrap();
    found.extend(violations(&client, &axe).await);
    set_password_and_log_in(&client, &base, 1, EMAIL).await;
    found.extend(violations(&client, &axe).await);
    enrol_authenticator(&client, &store, &clock, user).await;
    found.extend(violations(&client, &axe).await);
    checked += 3;

    for (method, route, access) in CONSOLE_ROUTES {
        // The site's pages are a campaign editor's: checked below.
        if *method != "GET"
            || matches!(
                access,
                Access::Public | Access::PasswordDone | Access::May(Action::EditContent)
            )
        {
            continue;
        }
        let Some(uri) = records.fill(route) else {
            continue;
        };
        client.goto(&format!("{base}{uri}")).await.unwrap();
        wait_for_text(&client, "console-menu").await;
        found.extend(violations(&client, &axe).await);
        checked += 1;
    }
    assert!(checked >= 20, "{checked} pages checked");

    // A release is made from its form (the answer is its archive, so the form is sent from the
    // page's own script); then its page, with the evaluation, is checked.
    client
        .goto(&format!("{base}/console/releases"))
        .await
        .unwrap();
    let made = client
        .execute(
            "const data = new FormData(document.querySelector('form[action=\"/console/releases\"]'));
             data.set('source', 'mini'); data.set('method', 'dp-aggregates');
             data.set('epsilon', '1'); data.set('variables', 'gender');
             return fetch('/console/releases', { method: 'POST', body: new URLSearchParams(data) })
                 .then(reply => reply.status);",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(made, serde_json::json!(200), "the release was refused");
    client
        .goto(&format!("{base}/console/releases"))
        .await
        .unwrap();
    let page = client
        .execute(
            "return [...document.querySelectorAll('#releases-made a')]
                 .map(a => a.getAttribute('href')).find(h => !h.endsWith('/archive'));",
            vec![],
        )
        .await
        .unwrap();
    let page = page
        .as_str()
        .expect("a link to the release's page")
        .to_owned();
    assert!(page.starts_with("/console/releases/"), "{page}");
    client.goto(&format!("{base}{page}")).await.unwrap();
    wait_for_text(&client, "console-menu").await;
    found.extend(violations(&client, &axe).await);
    checked += 1;

    // A contact form sent empty comes back with every field's error beside it.
    client
        .goto(&format!("{base}/console/contacts/new"))
        .await
        .unwrap();
    // The browser's own checks of required fields aside, so that the server answers.
    client
        .execute(
            "document.getElementById('contact-form').noValidate = true;",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "save-contact").await;
    wait_for_text(&client, "form-errors").await;
    found.extend(violations(&client, &axe).await);
    checked += 1;

    // The site's pages, as a campaign editor (a regional role no country account holds): the
    // list, the editor, and the editor with a text refused beside its field.
    account(&store, 2, "editor@example.org", Role::CampaignEditor, None).await;
    client.delete_all_cookies().await.unwrap();
    set_password_and_log_in_until(&client, &base, 2, "editor@example.org", "console-menu").await;
    for uri in ["/console/content", "/console/content/warning-signs/es"] {
        client.goto(&format!("{base}{uri}")).await.unwrap();
        wait_for_text(&client, "console-menu").await;
        found.extend(violations(&client, &axe).await);
        checked += 1;
    }
    let body = client.find(Locator::Id("c-body")).await.unwrap();
    body.clear().await.unwrap();
    body.send_keys("Sin título").await.unwrap();
    click(&client, "preview-content").await;
    wait_for_text(&client, "c-body-error").await;
    found.extend(violations(&client, &axe).await);
    checked += 1;

    assert_none(&found, checked);
    browser.stop().await;
    served.stop().await;
}

const EMAIL: &str = "all@example.org";

/// One record of each kind a console page shows.
struct Records {
    contact: ContactId,
    case: CaseId,
    person: PersonId,
    service: ServiceId,
}

impl Records {
    async fn insert(store: &Store, now: time::OffsetDateTime) -> Records {
        let gt = CountryCode::parse("GT").unwrap();
        let operator = actor(Role::Operator, Some("GT"));
        let input = ContactInput {
            channel: "call".into(),
            started_at: (now - time::Duration::minutes(12))
                .format(&Rfc3339)
                .unwrap(),
            language: "es".into(),
            caller_role: "potential-victim".into(),
            caller_phone: "+502 5555 0123".into(),
            caller_locality: "Coatepeque".into(),
            summary: "Works without pay on a farm; her papers were taken".into(),
            outcome: "case-opened-or-linked".into(),
            immediate_danger: true,
            ..ContactInput::default()
        };
        let contact = ContactId(Uuid::from_u128(0xc0));
        store
            .insert_contact(
                &operator,
                contact,
                &NewContact::parse(&input, gt, now).unwrap(),
            )
            .await
            .unwrap();
        let case = CaseId(Uuid::from_u128(0xca));
        store
            .open_case(&operator, case, &CaseDetails::default(), Some(contact))
            .await
            .unwrap();
        let person = PersonId(Uuid::from_u128(0xe0));
        let victim = CasePersonInput {
            role: "victim".into(),
            name: "María José López".into(),
            phone: "+502 5555 0123".into(),
            ..CasePersonInput::default()
        };
        store
            .add_case_person(
                &operator,
                person,
                case,
                &CasePerson::parse(&victim, gt, now.date()).unwrap(),
            )
            .await
            .unwrap();
        let shelter = ServiceInput {
            organization: "Asociación Refugio".into(),
            name: "Albergue Esperanza".into(),
            categories: vec!["shelter".into()],
            locality: "Quetzaltenango".into(),
            ..ServiceInput::default()
        };
        let service = ServiceId(Uuid::from_u128(0x5e));
        store
            .save_service(
                &actor(Role::CountryAdmin, Some("GT")),
                service,
                &ServiceDetails::parse(&shelter, gt).unwrap(),
                true,
            )
            .await
            .unwrap();
        Records {
            contact,
            case,
            person,
            service,
        }
    }

    /// The route with its id filled in, or `None` for what is not a page.
    fn fill(&self, route: &str) -> Option<String> {
        Some(match route {
            "/console/contacts/{id}" => format!("/console/contacts/{}", self.contact.0),
            "/console/cases/{id}" => format!("/console/cases/{}", self.case.0),
            "/console/persons/{id}" => format!("/console/persons/{}", self.person.0),
            "/console/persons/{id}/edit" => format!("/console/persons/{}/edit", self.person.0),
            "/console/services/{id}" => format!("/console/services/{}", self.service.0),
            "/console/directory/{id}" => format!(
                "/console/directory/{}",
                antitrata_domain::HotlineId::seeded(CountryCode::parse("GT").unwrap(), 0)
            ),
            // A CSV download and a release's ZIP archive are not pages.
            "/console/stats.csv" | "/console/releases/{id}/archive" => return None,
            // A release is made from its form: checked below.
            "/console/releases/{id}" => return None,
            other => {
                assert!(!other.contains('{'), "no record for {other}: add one");
                other.to_owned()
            }
        })
    }
}

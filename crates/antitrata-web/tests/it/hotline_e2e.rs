//! The hotline's day end to end in headless Chromium: an operator signs in (setup link, password,
//! authenticator), records a call from a potential victim with the keyboard only, screens it as
//! likely trafficking, opens a case, adds the person, records consent, refers her to a shelter,
//! adds a follow-up and asks to close; a supervisor sees it in the queue and approves the
//! closure; a danger reported now that tops a queue of twenty older ones, its emergency number
//! shown on the form before saving; and two caseworkers editing one case at once, neither
//! losing their work.
//! Screenshots of the main pages go to `target/screenshots/`.

use std::sync::Arc;

use antitrata_domain::casework::{
    CaseDetails, CaseId, CasePerson, CasePersonInput, ContactId, ContactInput, ExploitationType,
    NewContact, RiskLevel, ServiceDetails, ServiceId, ServiceInput,
};
use antitrata_domain::{CountryCode, Role, UserId};
use antitrata_store::testing::actor;
use antitrata_store::{DatabaseUrl, Store};
use antitrata_web::Clock;
use fantoccini::key::Key;
use fantoccini::{Client, Locator};
use time::format_description::well_known::Rfc3339;
use totp_rs::{Algorithm, TOTP};
use uuid::Uuid;

use crate::browser::{Browser, Served, chromedriver, screenshot};
use crate::console::{PASSWORD, account};
use crate::support::{FixedClock, seeded_store};

/// Signs `email` in through the pages: setup link, password, authenticator enrolment.
pub(crate) async fn sign_in(
    client: &Client,
    base: &str,
    store: &Store,
    clock: &FixedClock,
    n: u128,
    user: UserId,
    email: &str,
) {
    set_password_and_log_in(client, base, n, email).await;
    enrol_authenticator(client, store, clock, user).await;
}

/// The first half of [`sign_in`]: the setup link's password, then the login form; it ends on
/// the authenticator enrolment page.
pub(crate) async fn set_password_and_log_in(client: &Client, base: &str, n: u128, email: &str) {
    set_password_and_log_in_until(client, base, n, email, "<svg").await;
}

/// As [`set_password_and_log_in`], for any account: waits until the page shows `shown` (the
/// console's menu for an account that needs no second factor).
pub(crate) async fn set_password_and_log_in_until(
    client: &Client,
    base: &str,
    n: u128,
    email: &str,
    shown: &str,
) {
    client
        .goto(&format!("{base}/console/setup/setup-{n}"))
        .await
        .unwrap();
    client
        .find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(PASSWORD)
        .await
        .unwrap();
    let confirm = client.find(Locator::Id("confirm")).await.unwrap();
    confirm.send_keys(PASSWORD).await.unwrap();
    confirm.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for_text(client, "Password saved").await;
    client.goto(&format!("{base}/console/login")).await.unwrap();
    client
        .find(Locator::Id("email"))
        .await
        .unwrap()
        .send_keys(email)
        .await
        .unwrap();
    let password = client.find(Locator::Id("password")).await.unwrap();
    password.send_keys(PASSWORD).await.unwrap();
    password.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for_text(client, shown).await;
}

/// The second half of [`sign_in`]: the code of a new authenticator, which shows the recovery
/// codes.
pub(crate) async fn enrol_authenticator(
    client: &Client,
    store: &Store,
    clock: &FixedClock,
    user: UserId,
) {
    let secret = store.totp_secret(user).await.unwrap().unwrap();
    let totp = TOTP::new(Algorithm::SHA1, 6, 1, 30, secret, None, String::new()).unwrap();
    let code = totp.generate(crate::support::now(clock));
    let field = client.find(Locator::Id("code")).await.unwrap();
    field.send_keys(&code).await.unwrap();
    field.send_keys(&Key::Enter.to_string()).await.unwrap();
    wait_for_text(client, "Recovery codes").await;
}

/// Waits (up to ten seconds) until the page's source contains `text`.
pub(crate) async fn wait_for_text(client: &Client, text: &str) {
    for _ in 0..100 {
        if client.source().await.unwrap().contains(text) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the page never showed {text:?}: {}",
        client.source().await.unwrap()
    );
}

/// One step of a call typed with the keyboard only.
enum Stroke {
    /// Text typed: one key per character.
    Type(&'static str),
    /// Tab pressed this many times.
    Tab(usize),
    /// Modifiers held while a key is pressed: one key each.
    Chord(&'static [Key], char),
    /// No key: waits until the page shows this text.
    Wait(&'static str),
}

impl Stroke {
    /// Plays the step and says how many keys it pressed.
    async fn play(&self, client: &Client) -> usize {
        match self {
            Stroke::Type(text) => {
                keys(client, text).await;
                text.chars().count()
            }
            Stroke::Tab(times) => {
                tab(client, *times).await;
                *times
            }
            Stroke::Chord(modifiers, key) => {
                let held: String = modifiers.iter().map(|m| m.to_string()).collect();
                keys(client, &format!("{held}{key}")).await;
                modifiers.len() + 1
            }
            Stroke::Wait(text) => {
                wait_for_text(client, text).await;
                0
            }
        }
    }
}

/// Types into whatever has the keyboard focus.
async fn keys(client: &Client, text: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn tab(client: &Client, times: usize) {
    for _ in 0..times {
        keys(client, &Key::Tab.to_string()).await;
    }
}

async fn fill(client: &Client, id: &str, text: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

async fn select(client: &Client, id: &str, value: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

pub(crate) async fn click(client: &Client, id: &str) {
    client
        .find(Locator::Id(id))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_takes_a_call_through_to_a_referral_and_a_supervisor_closes_the_case() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory)
        .await
        .with_keyring(antitrata_store::testing::test_keyring());
    let operator = account(
        &store,
        1,
        "operator@example.org",
        Role::Operator,
        Some("GT"),
    )
    .await;
    let supervisor = account(
        &store,
        2,
        "supervisor@example.org",
        Role::Supervisor,
        Some("GT"),
    )
    .await;
    let admin = actor(Role::CountryAdmin, Some("GT"));
    let shelter = ServiceInput {
        organization: "Asociación Refugio".into(),
        name: "Albergue Esperanza".into(),
        categories: vec!["shelter".into()],
        locality: "Quetzaltenango".into(),
        ..ServiceInput::default()
    };
    let gt = CountryCode::parse("GT").unwrap();
    store
        .save_service(
            &admin,
            ServiceId(Uuid::from_u128(70)),
            &ServiceDetails::parse(&shelter, gt).unwrap(),
            true,
        )
        .await
        .unwrap();

    let clock = FixedClock::new();
    let served = Served::start(&store, Arc::clone(&clock)).await;
    let base = served.base.clone();
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(1000, 1400).await.unwrap();

    sign_in(
        &client,
        &base,
        &store,
        &clock,
        1,
        operator,
        "operator@example.org",
    )
    .await;

    // The call, from the console home, with the keyboard only: Alt+Shift+N opens the form with
    // the channel focused; selects take typed letters. Every key pressed is counted.
    client.goto(&format!("{base}/console")).await.unwrap();
    wait_for_text(&client, "menu-q").await;
    let call = [
        Stroke::Chord(&[Key::Alt, Key::Shift], 'n'), // Record a contact
        Stroke::Wait("contact-form"),
        Stroke::Type("Call"), // channel
        Stroke::Tab(1),       // the caller's phone: not given
        Stroke::Tab(1),       // direction: inbound by default
        Stroke::Tab(1),       // language: the operator's (English)
        Stroke::Tab(1),
        Stroke::Type("Potential"), // caller role
        Stroke::Tab(1),
        Stroke::Type("HN"), // caller's country
        Stroke::Tab(1),
        Stroke::Type("Coatepeque"), // locality
        Stroke::Tab(1),
        Stroke::Type("Radio soap"), // heard of the line
        Stroke::Tab(1),             // (immediate danger is above, at the top: no)
        // Screening: deception, debt bondage, withheld documents...
        Stroke::Type("Yes"), // deception
        Stroke::Tab(2),
        Stroke::Type("Yes"), // withheld documents
        Stroke::Tab(11),
        Stroke::Type("Yes"), // no pay
        Stroke::Tab(8),
        Stroke::Type("Works on a coffee farm; the boss keeps her passport and pays nothing."),
        Stroke::Tab(2),
        Stroke::Type("Case"), // outcome: case opened or linked
    ];
    let mut pressed = 0;
    for stroke in &call {
        pressed += stroke.play(&client).await;
    }
    screenshot(&client, "console-contact-form").await;
    pressed += Stroke::Chord(&[Key::Control], char::from(Key::Enter))
        .play(&client)
        .await;
    wait_for_text(&client, "screening-result").await;
    // The figure the README gives: the issue measured 256 for this call; it must not grow.
    println!("keystrokes to record the call from the console home: {pressed}");
    assert!(pressed <= 256, "{pressed} keystrokes");
    let page = client.source().await.unwrap();
    assert!(page.contains("Likely trafficking"), "{page}");
    assert!(page.contains("both a means of control and a form of exploitation"));
    screenshot(&client, "console-contact").await;

    // A case from the contact, the person, her consent, the referral, a follow-up.
    click(&client, "open-case").await;
    wait_for_text(&client, "GT-2026-000001").await;
    client
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true)",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "p-name", "Ana Demo Persona").await;
    fill(&client, "p-phone", "5555 0199").await;
    fill(&client, "p-nationality", "HN").await;
    select(&client, "p-gender", "Feminine").await;
    select(&client, "p-band", "21--23").await;
    click(&client, "add-person").await;
    wait_for_text(&client, "Ana Demo Persona").await;
    client
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true)",
            vec![],
        )
        .await
        .unwrap();
    select(&client, "c-scope", "referral").await;
    click(&client, "record-consent").await;
    wait_for_text(&client, "Withdraw").await;
    client
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true)",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "r-notes", "Needs a bed tonight").await;
    click(&client, "refer").await;
    wait_for_text(&client, "on consent").await;
    client
        .execute(
            "document.querySelectorAll('details').forEach(d => d.open = true)",
            vec![],
        )
        .await
        .unwrap();
    fill(&client, "f-title", "Call the shelter to confirm arrival").await;
    client
        .execute(
            "document.getElementById('f-due').value = '2026-11-28'",
            vec![],
        )
        .await
        .unwrap();
    click(&client, "add-follow-up").await;
    wait_for_text(&client, "Call the shelter to confirm arrival").await;
    let page = client.source().await.unwrap();
    assert!(
        page.contains("status-referred"),
        "the referral moved the case"
    );
    select(&client, "reason", "goals-met").await;
    click(&client, "action-request-closure").await;
    wait_for_text(&client, "status-closure-requested").await;
    screenshot(&client, "console-case").await;

    // The supervisor, in a fresh session, finds it in the queue and approves the closure.
    client.delete_all_cookies().await.unwrap();
    sign_in(
        &client,
        &base,
        &store,
        &clock,
        2,
        supervisor,
        "supervisor@example.org",
    )
    .await;
    client.goto(&format!("{base}/console/queue")).await.unwrap();
    wait_for_text(&client, "GT-2026-000001").await;
    screenshot(&client, "console-queue").await;
    client
        .find(Locator::LinkText("GT-2026-000001"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for_text(&client, "action-approve-closure").await;
    click(&client, "action-approve-closure").await;
    wait_for_text(&client, "status-closed").await;
    let page = client.source().await.unwrap();
    assert!(page.contains("Goals met"), "{page}");

    browser.stop().await;
    served.stop().await;
}

/// Twenty dangers wait from the past days when an operator takes a call from someone locked in
/// a bar now: ticking "immediate danger" shows Guatemala's emergency number at once, before
/// anything is saved, and the saved contact is the first of the supervisor's queue, with its
/// place and what was said.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_danger_reported_now_tops_the_queue_and_its_number_shows_before_saving() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory)
        .await
        .with_keyring(antitrata_store::testing::test_keyring());
    let operator = account(
        &store,
        1,
        "operator@example.org",
        Role::Operator,
        Some("GT"),
    )
    .await;
    let supervisor = account(
        &store,
        2,
        "supervisor@example.org",
        Role::Supervisor,
        Some("GT"),
    )
    .await;
    let clock = FixedClock::new();
    let gt = CountryCode::parse("GT").unwrap();
    let recorder = actor(Role::Operator, Some("GT"));
    for n in 0..20u8 {
        let started = clock.now() - time::Duration::days(i64::from(n) * 18 + 1);
        let input = ContactInput {
            channel: "whatsapp".into(),
            started_at: started.format(&Rfc3339).unwrap(),
            language: "es".into(),
            caller_role: "family-or-friend".into(),
            caller_locality: format!("Older place {n}"),
            summary: format!("Older danger {n}"),
            outcome: "emergency-escalated".into(),
            immediate_danger: true,
            ..ContactInput::default()
        };
        let contact = NewContact::parse(&input, gt, clock.now()).unwrap();
        store
            .insert_contact(
                &recorder,
                ContactId(Uuid::from_u128(0xd0 + u128::from(n))),
                &contact,
            )
            .await
            .unwrap();
    }
    let served = Served::start(&store, Arc::clone(&clock)).await;
    let base = served.base.clone();
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(1000, 1400).await.unwrap();
    sign_in(
        &client,
        &base,
        &store,
        &clock,
        1,
        operator,
        "operator@example.org",
    )
    .await;

    client
        .goto(&format!("{base}/console/contacts/new"))
        .await
        .unwrap();
    wait_for_text(&client, "contact-form").await;
    // The call timer runs while the form is open.
    wait_for_text(&client, r#"data-elapsed="0">00:01</span>"#).await;
    let help = client.find(Locator::Id("danger-help")).await.unwrap();
    assert!(!help.is_displayed().await.unwrap(), "hidden until ticked");
    // From the channel (which has the focus), one Shift+Tab back to the danger box, Space.
    keys(&client, &format!("{}{}", Key::Shift, Key::Tab)).await;
    keys(&client, " ").await;
    assert!(
        help.is_displayed().await.unwrap(),
        "shown the moment it is ticked"
    );
    let number = client.find(Locator::Id("danger-number")).await.unwrap();
    assert_eq!(
        number.attr("href").await.unwrap().as_deref(),
        Some("tel:110")
    );
    assert!(number.is_displayed().await.unwrap());
    screenshot(&client, "console-danger-before-saving").await;
    let saved_yet = store
        .count_open_dangers(&actor(Role::Supervisor, Some("GT")))
        .await
        .unwrap();
    assert_eq!(saved_yet, (20, 20), "nothing saved yet");

    select(&client, "channel", "call").await;
    select(&client, "caller_role", "potential-victim").await;
    fill(&client, "caller_locality", "Coatepeque").await;
    fill(&client, "summary", "Locked in a bar in Coatepeque, now").await;
    select(&client, "outcome", "emergency-escalated").await;
    click(&client, "save-contact").await;
    wait_for_text(&client, "screening-result").await;

    client.delete_all_cookies().await.unwrap();
    sign_in(
        &client,
        &base,
        &store,
        &clock,
        2,
        supervisor,
        "supervisor@example.org",
    )
    .await;
    client.goto(&format!("{base}/console/queue")).await.unwrap();
    wait_for_text(&client, "queue-counts").await;
    let first = client
        .find(Locator::Css("ol.dangers > li"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(first.contains("Coatepeque"), "{first}");
    assert!(
        first.contains("Locked in a bar in Coatepeque, now"),
        "{first}"
    );
    assert!(first.contains("Nobody has it yet"), "{first}");
    let counts = client
        .find(Locator::Id("queue-counts"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(counts.contains("Immediate danger: 21"), "{counts}");
    screenshot(&client, "console-queue-danger-first").await;

    browser.stop().await;
    served.stop().await;
}

/// Two caseworkers edit one case's description at once: the one who saves second is not
/// allowed to undo the other's work unseen. The page shows what the other saved beside the
/// form, the form keeps what this one typed, and saving again keeps theirs knowingly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_second_editor_of_a_case_sees_both_versions_and_keeps_their_input() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    let store = seeded_store(&DatabaseUrl::SqliteMemory)
        .await
        .with_keyring(antitrata_store::testing::test_keyring());
    let worker = account(
        &store,
        1,
        "worker@example.org",
        Role::Caseworker,
        Some("GT"),
    )
    .await;
    let colleague = actor(Role::Caseworker, Some("GT"));
    let case = CaseId(Uuid::from_u128(500));
    store
        .open_case(&colleague, case, &CaseDetails::default(), None)
        .await
        .unwrap();

    let clock = FixedClock::new();
    let served = Served::start(&store, Arc::clone(&clock)).await;
    let base = served.base.clone();
    let browser = Browser::start(&driver_path).await;
    let client = browser.client.clone();
    client.set_window_size(1000, 1400).await.unwrap();
    sign_in(
        &client,
        &base,
        &store,
        &clock,
        1,
        worker,
        "worker@example.org",
    )
    .await;

    client
        .goto(&format!("{base}/console/cases/{}", case.0))
        .await
        .unwrap();
    wait_for_text(&client, "save-case").await;
    select(&client, "risk", "low").await;
    // Meanwhile the colleague saves their description of the same case.
    let theirs = CaseDetails {
        risk: Some(RiskLevel::High),
        exploitation_types: vec![ExploitationType::ForcedLabour],
        ..CaseDetails::default()
    };
    store
        .update_case_details(&colleague, case, &theirs, None)
        .await
        .unwrap();
    click(&client, "save-case").await;
    wait_for_text(&client, "changed-meanwhile").await;
    screenshot(&client, "console-case-changed-meanwhile").await;
    let notice = client
        .find(Locator::Id("changed-meanwhile"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        notice.contains("High") && notice.contains("Forced labour"),
        "{notice}"
    );
    let typed = client
        .find(Locator::Id("risk"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(typed.as_deref(), Some("low"), "the typed input is kept");
    let stored = store.find_case(&colleague, case).await.unwrap().unwrap();
    assert_eq!(stored.details, theirs, "nothing was overwritten unseen");

    // Having seen both, the worker saves again: now their description is the case's.
    click(&client, "save-case").await;
    for _ in 0..100 {
        let stored = store.find_case(&colleague, case).await.unwrap().unwrap();
        if stored.details.risk == Some(RiskLevel::Low) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let stored = store.find_case(&colleague, case).await.unwrap().unwrap();
    assert_eq!(stored.details.risk, Some(RiskLevel::Low));
    assert!(!client.source().await.unwrap().contains("changed-meanwhile"));

    browser.stop().await;
    served.stop().await;
}

/// A caller already known: the number typed on the form shows the earlier contact and the person
/// recorded with it before saving, and the contact page lists them; a person added with the
/// name of one already recorded (accents and spacing aside) is flagged with a link before being
/// added. Honduras holds a contact from the same number and a person of the same name: neither
/// shows to Guatemala's operator. On SQLite and on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_caller_shows_their_history_and_a_person_already_recorded_is_flagged() {
    let Some(driver_path) = chromedriver() else {
        return;
    };
    for db in antitrata_store::testing::seeded_backends().await {
        let store = db.store.clone();
        let operator = account(
            &store,
            1,
            "operator@example.org",
            Role::Operator,
            Some("GT"),
        )
        .await;
        let clock = FixedClock::new();
        let now = clock.now();
        let number = "+502 5555 0199";
        let mut known_case = None;
        for (country, summary, person_name) in [
            ("GT", "Earlier call about a coffee farm", "María José López"),
            ("HN", "Honduran call, never shown", "María José López"),
        ] {
            let code = CountryCode::parse(country).unwrap();
            let worker = actor(Role::Operator, Some(country));
            let input = ContactInput {
                channel: "call".into(),
                started_at: (now - time::Duration::days(3)).format(&Rfc3339).unwrap(),
                language: "es".into(),
                caller_role: "potential-victim".into(),
                caller_phone: number.into(),
                summary: summary.into(),
                outcome: "case-opened-or-linked".into(),
                ..ContactInput::default()
            };
            let contact = store
                .insert_contact(
                    &worker,
                    ContactId(store_id(country, 1)),
                    &NewContact::parse(&input, code, now).unwrap(),
                )
                .await
                .unwrap();
            let case = CaseId(store_id(country, 2));
            store
                .open_case(&worker, case, &CaseDetails::default(), Some(contact.id))
                .await
                .unwrap();
            let person = CasePersonInput {
                role: "victim".into(),
                name: person_name.into(),
                phone: number.into(),
                ..CasePersonInput::default()
            };
            store
                .add_case_person(
                    &worker,
                    antitrata_domain::PersonId(store_id(country, 3)),
                    case,
                    &CasePerson::parse(&person, code, now.date()).unwrap(),
                )
                .await
                .unwrap();
            if country == "GT" {
                known_case = Some(case);
            }
        }
        let known_case = known_case.unwrap();

        let served = Served::start(&store, Arc::clone(&clock)).await;
        let base = served.base.clone();
        let browser = Browser::start(&driver_path).await;
        let client = browser.client.clone();
        client.set_window_size(1000, 1400).await.unwrap();
        sign_in(
            &client,
            &base,
            &store,
            &clock,
            1,
            operator,
            "operator@example.org",
        )
        .await;

        // The number typed while the caller is on the line, written another way: what is known
        // of it shows under the field before anything is saved.
        client
            .goto(&format!("{base}/console/contacts/new"))
            .await
            .unwrap();
        wait_for_text(&client, "contact-form").await;
        fill(&client, "caller_phone", "5555-0199").await;
        keys(&client, &Key::Tab.to_string()).await;
        wait_for_text(&client, "caller-history-found").await;
        let history = client
            .find(Locator::Id("caller-history"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            history.contains("Earlier call about a coffee farm"),
            "{history} ({})",
            db.name
        );
        assert!(history.contains("María José López"), "{history}");
        assert!(!history.contains("Honduran"), "{history}");
        screenshot(&client, &format!("console-caller-history-{}", db.name)).await;

        select(&client, "channel", "call").await;
        select(&client, "caller_role", "family-or-friend").await;
        fill(
            &client,
            "summary",
            "Her sister calls again from the same phone",
        )
        .await;
        select(&client, "outcome", "case-opened-or-linked").await;
        click(&client, "save-contact").await;
        wait_for_text(&client, "screening-result").await;
        let found = client
            .find(Locator::Id("caller-history-found"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            found.contains("Earlier call about a coffee farm"),
            "{found}"
        );
        assert!(!found.contains("Honduran"), "{found}");
        assert!(
            !found.contains("Her sister calls again"),
            "the contact shown is not its own history: {found}"
        );

        // A new case for this call, and the same woman added to it, typed without accents and
        // with a double space: the form names the case she is in and adds her only when asked.
        click(&client, "open-case").await;
        wait_for_text(&client, "person-form").await;
        client
            .find(Locator::Css("#people ~ details > summary"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        fill(&client, "p-name", "maria  jose lopez").await;
        click(&client, "add-person").await;
        wait_for_text(&client, "similar-people").await;
        let similar = client.find(Locator::Id("similar-people")).await.unwrap();
        let text = similar.text().await.unwrap();
        assert!(text.contains("María José López"), "{text}");
        let links: Vec<String> = {
            let mut hrefs = vec![];
            for link in similar.find_all(Locator::Css("a")).await.unwrap() {
                hrefs.push(link.attr("href").await.unwrap().unwrap_or_default());
            }
            hrefs
        };
        assert_eq!(
            links,
            [
                format!("/console/persons/{}", store_id("GT", 3)),
                format!("/console/cases/{}#people", known_case.0),
            ],
            "only Guatemala's person, linked ({})",
            db.name
        );
        assert_eq!(
            store
                .search_persons(
                    &actor(Role::Operator, Some("GT")),
                    Some("lopez"),
                    None,
                    None
                )
                .await
                .unwrap()
                .len(),
            1,
            "nothing added yet"
        );
        screenshot(&client, &format!("console-similar-person-{}", db.name)).await;
        click(&client, "add-person").await;
        wait_for_text(&client, ">maria  jose lopez</a>").await;
        assert_eq!(
            store
                .search_persons(
                    &actor(Role::Operator, Some("GT")),
                    Some("lopez"),
                    None,
                    None
                )
                .await
                .unwrap()
                .len(),
            2,
            "added once the worker had looked"
        );

        browser.stop().await;
        served.stop().await;
        db.cleanup().await;
    }
}

/// A record id per country and number, so the two countries' records never collide.
fn store_id(country: &str, n: u128) -> Uuid {
    let base: u128 = if country == "GT" { 0x6700 } else { 0x4800 };
    Uuid::from_u128(base + n)
}

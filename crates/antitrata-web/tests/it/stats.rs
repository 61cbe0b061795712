//! The statistics page: a regional analyst picks a dataset and variables and gets the counts as
//! a table, an SVG chart and CSV; mistakes in the question get a localized message.

use antitrata_domain::Role;
use antitrata_domain::stats::{DatasetId, TableEncoder};
use antitrata_store::NewDataset;
use antitrata_store::testing::{actor, seeded_backends};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::console::{Console, account, console, get_as};

async fn import_small_dataset(c: &Console) {
    let columns = vec![
        "yearOfRegistration".to_owned(),
        "gender".to_owned(),
        "citizenship".to_owned(),
    ];
    let new = NewDataset {
        id: DatasetId(Uuid::now_v7()),
        name: "mini".into(),
        format: "ctdc-global".into(),
        file_name: "mini.csv".into(),
        columns: columns.clone(),
        ignored_columns: vec![],
    };
    let mut writer = c
        .store
        .begin_dataset(&actor(Role::Cli, None), new)
        .await
        .unwrap();
    let mut encoder = TableEncoder::new(columns, 100);
    for row in [
        [Some("2015"), Some("Female"), Some("MX")],
        [Some("2015"), Some("Male"), Some("MX")],
        [Some("2016"), Some("Female"), Some("US")],
        [Some("2016"), Some("Female"), None],
    ] {
        encoder.push_row(&row).unwrap();
    }
    writer.write_chunk(&encoder.take_chunk()).await.unwrap();
    writer
        .finish(encoder.dictionaries(), 0, [7; 32])
        .await
        .unwrap();
}

/// A signed-in session of an account with this role, its second factor done.
async fn session(c: &Console, n: u128, role: Role, country: Option<&str>) -> String {
    let user = account(&c.store, n, &format!("u{n}@example.org"), role, country).await;
    let token = format!("stats-session-{n}");
    c.store
        .insert_session(
            &Sha256::digest(token.as_bytes()),
            user,
            "csrf-token",
            true,
            antitrata_web::Clock::now(c.clock.as_ref()),
        )
        .await
        .unwrap();
    format!("antitrata_session={token}")
}

#[tokio::test]
async fn an_analyst_gets_a_table_a_chart_and_csv() {
    for db in seeded_backends().await {
        let c = console(&db);
        let analyst = session(&c, 1, Role::RegionalAnalyst, None).await;

        let empty = get_as(&c.app, "/console/stats", &analyst).await;
        assert_eq!(empty.status, 200, "{}", db.name);
        assert!(empty.body.contains("No dataset yet"));

        import_small_dataset(&c).await;
        let form = get_as(&c.app, "/console/stats", &analyst).await;
        assert!(
            form.body
                .contains(r#"<option value="mini" selected>mini (4)</option>"#)
        );
        assert!(
            form.body
                .contains(r#"<option value="citizenship">citizenship</option>"#)
        );

        let page = get_as(
            &c.app,
            "/console/stats?dataset=mini&by1=citizenship",
            &analyst,
        )
        .await;
        assert_eq!(page.status, 200);
        let table = page.body.split("<tbody>").nth(1).unwrap();
        assert!(
            table.contains("<td>MX</td><td>2</td><td>50.00</td>"),
            "{table}"
        );
        assert!(table.contains(r#"<td class="muted">missing</td><td>1</td><td>25.00</td>"#));
        assert!(
            page.body
                .contains(r#"<th colspan="1">Total</th><th>4</th>"#)
        );
        // One bar per category, the largest spanning the whole bar area.
        let svg = page
            .body
            .split("<svg")
            .nth(1)
            .unwrap()
            .split("</svg>")
            .next()
            .unwrap();
        assert_eq!(svg.matches("<rect").count(), 3, "{svg}");
        assert!(svg.contains(r##"width="400" height="18" fill="#0072B2"><title>MX: 2</title>"##));

        let lines = get_as(
            &c.app,
            "/console/stats?dataset=mini&by1=yearOfRegistration&by2=gender&chart=line&from=2015&to=2016",
            &analyst,
        )
        .await;
        assert_eq!(lines.status, 200);
        assert_eq!(
            lines.body.matches("<polyline").count(),
            2,
            "Female and Male"
        );

        let later = get_as(
            &c.app,
            "/console/stats?dataset=mini&by1=gender&from=2016",
            &analyst,
        )
        .await;
        assert!(
            later
                .body
                .contains("<td>Female</td><td>2</td><td>100.00</td>")
        );

        let filtered = get_as(
            &c.app,
            "/console/stats?dataset=mini&by1=gender&only=citizenship&values=MX%2C+US",
            &analyst,
        )
        .await;
        assert_eq!(filtered.status, 200);
        assert!(
            filtered
                .body
                .contains("<td>Female</td><td>2</td><td>66.67</td>")
        );
        assert!(
            filtered
                .body
                .contains("<td>Male</td><td>1</td><td>33.33</td>")
        );
        assert!(
            filtered
                .body
                .contains(r#"<option value="citizenship" selected>"#)
        );
        assert!(
            filtered
                .body
                .contains("only=citizenship&#38;values=MX%2C+US")
        );

        let csv = get_as(
            &c.app,
            "/console/stats.csv?dataset=mini&by1=gender&by2=citizenship",
            &analyst,
        )
        .await;
        assert_eq!(csv.status, 200);
        assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
        assert_eq!(
            csv.headers["content-disposition"],
            "attachment; filename=\"mini-gender-citizenship.csv\""
        );
        assert_eq!(
            csv.body,
            "gender,citizenship,count,percent\nFemale,MX,1,25.00\nFemale,US,1,25.00\n\
             Female,,1,25.00\nMale,MX,1,25.00\n"
        );
        // The page links to the CSV of the question on screen.
        assert!(
            page.body
                .contains(r#"href="/console/stats.csv?dataset=mini&#38;by1=citizenship""#)
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn mistakes_in_the_question_are_explained_and_answer_400() {
    for db in seeded_backends().await {
        let c = console(&db);
        import_small_dataset(&c).await;
        let analyst = session(&c, 1, Role::RegionalAnalyst, None).await;
        for (query, message) in [
            (
                "dataset=mini&by1=sex",
                "This dataset has no variable “sex”.",
            ),
            (
                "dataset=mini&by1=gender&by2=gender",
                "The variable “gender” is chosen twice.",
            ),
            (
                "dataset=mini&by1=gender&from=20x5",
                "Write the years as four digits, for example 2015.",
            ),
            ("dataset=nope&by1=gender", "There is no dataset “nope”."),
            (
                "dataset=mini&by1=gender&only=sex&values=Female",
                "This dataset has no variable “sex”.",
            ),
        ] {
            let reply = get_as(&c.app, &format!("/console/stats?{query}"), &analyst).await;
            assert_eq!(reply.status, 400, "{query}");
            let shown = reply.body.replace("\u{2068}", "").replace("\u{2069}", "");
            assert!(shown.contains(message), "{query}: {}", reply.body);
            assert!(!reply.body.contains("<tbody>"), "{query}: no table");
        }
        let csv = get_as(&c.app, "/console/stats.csv?dataset=mini&by1=sex", &analyst).await;
        assert_eq!(csv.status, 400);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_home_page_links_to_statistics_only_for_roles_that_may_see_them() {
    for db in seeded_backends().await {
        let c = console(&db);
        let operator = session(&c, 1, Role::Operator, Some("GT")).await;
        let admin = session(&c, 2, Role::SystemAdmin, None).await;
        let home = get_as(&c.app, "/console", &operator).await;
        assert!(home.body.contains(r#"href="/console/stats""#));
        let home = get_as(&c.app, "/console", &admin).await;
        assert!(!home.body.contains(r#"href="/console/stats""#));
        assert_eq!(get_as(&c.app, "/console/stats", &admin).await.status, 403);
        db.cleanup().await;
    }
}

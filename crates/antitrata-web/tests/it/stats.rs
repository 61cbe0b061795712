//! The statistics page: a regional analyst picks a dataset and variables and gets the counts as
//! a table, an SVG chart and CSV; mistakes in the question get a localized message.

use antitrata_domain::Role;
use antitrata_domain::stats::{DatasetId, TableEncoder};
use antitrata_store::NewDataset;
use antitrata_store::testing::{actor, seeded_backends};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::console::{Console, account, console, get_as};

/// A four-row dataset named `mini` (year, gender, citizenship).
pub(crate) async fn import_small_dataset(store: &antitrata_store::Store) {
    let rows = [
        [Some("2015"), Some("Female"), Some("MX")],
        [Some("2015"), Some("Male"), Some("MX")],
        [Some("2016"), Some("Female"), Some("US")],
        [Some("2016"), Some("Female"), None],
    ];
    let columns = ["yearOfRegistration", "gender", "citizenship"];
    import_rows(store, "mini", &columns, &rows).await;
}

/// Imports `rows` of `columns` as the CTDC-format dataset `name`.
async fn import_rows<const N: usize>(
    store: &antitrata_store::Store,
    name: &str,
    columns: &[&str; N],
    rows: &[[Option<&str>; N]],
) {
    let columns: Vec<String> = columns.map(String::from).to_vec();
    let new = NewDataset {
        id: DatasetId(Uuid::now_v7()),
        name: name.into(),
        format: "ctdc-global".into(),
        file_name: format!("{name}.csv"),
        columns: columns.clone(),
        ignored_columns: vec![],
    };
    let mut writer = store
        .begin_dataset(&actor(Role::Cli, None), new)
        .await
        .unwrap();
    let mut encoder = TableEncoder::new(columns, 100);
    for row in rows {
        encoder.push_row(row).unwrap();
    }
    writer.write_chunk(&encoder.take_chunk()).await.unwrap();
    let digest: [u8; 32] = Sha256::digest(name.as_bytes()).into();
    writer
        .finish(encoder.dictionaries(), 0, digest)
        .await
        .unwrap();
}

/// A signed-in session of an account with this role, its second factor done.
pub(crate) async fn session(c: &Console, n: u128, role: Role, country: Option<&str>) -> String {
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

        import_small_dataset(&c.store).await;
        let form = get_as(&c.app, "/console/stats", &analyst).await;
        assert!(
            form.body
                .contains(r#"<option value="mini" selected>mini (4)</option>"#)
        );
        assert!(
            form.body
                .contains(r#"<option value="citizenship">Citizenship</option>"#)
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
            table.contains("<td>Mexico</td><td>2</td><td>50.00</td>"),
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
        assert!(
            svg.contains(r##"width="400" height="18" fill="#0072B2"><title>Mexico: 2</title>"##)
        );

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
        import_small_dataset(&c.store).await;
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

/// Three cases of Guatemala (one closed as not trafficking), two with a victim, and one case of
/// Honduras.
pub(crate) async fn open_live_cases(c: &Console) {
    use antitrata_domain::casework::{
        CaseAction, CaseDetails, CaseId, CaseInput, CasePerson, CasePersonInput, ClosureReason,
    };
    use antitrata_domain::{CountryCode, PersonId};
    let today = time::macros::date!(2026 - 11 - 27);
    let details = CaseDetails::parse(
        &CaseInput {
            exploitation_types: vec!["ForcedLabour".into()],
            ..CaseInput::default()
        },
        today,
    )
    .unwrap();
    for (n, country, gender) in [
        (1, "GT", Some("Feminine")),
        (2, "GT", Some("Masculine")),
        (3, "GT", Some("Feminine")),
        (4, "HN", Some("Feminine")),
        (5, "GT", None),
    ] {
        let case = CaseId(Uuid::from_u128(n));
        c.store
            .open_case(&actor(Role::Operator, Some(country)), case, &details, None)
            .await
            .unwrap();
        if let Some(gender) = gender {
            let person = CasePerson::parse(
                &CasePersonInput {
                    role: "victim".into(),
                    name: "Canary Live".into(),
                    gender: gender.into(),
                    ..CasePersonInput::default()
                },
                CountryCode::parse(country).unwrap(),
                today,
            )
            .unwrap();
            c.store
                .add_case_person(
                    &actor(Role::Caseworker, Some(country)),
                    PersonId(Uuid::from_u128(n + 100)),
                    case,
                    &person,
                )
                .await
                .unwrap();
        }
    }
    c.store
        .change_case_status(
            &actor(Role::Supervisor, Some("GT")),
            CaseId(Uuid::from_u128(3)),
            CaseAction::Close(ClosureReason::NotTrafficking),
            None,
            None,
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn the_countrys_staff_count_its_live_cases_and_no_one_else() {
    for db in seeded_backends().await {
        let c = console(&db);
        open_live_cases(&c).await;
        let operator = session(&c, 1, Role::Operator, Some("GT")).await;
        let form = get_as(&c.app, "/console/stats", &operator).await;
        assert_eq!(form.status, 200, "{}", db.name);
        assert!(
            form.body.contains(
                r#"<option value="live:cases" selected>Live cases of Guatemala (this hotline)"#
            ),
            "{}",
            form.body
        );
        let page = get_as(
            &c.app,
            "/console/stats?dataset=live%3Acases&by1=gender",
            &operator,
        )
        .await;
        assert_eq!(page.status, 200);
        let table = page.body.split("<tbody>").nth(1).unwrap();
        // Cases 1 and 2 with their victims, case 5 without one yet; case 3 was not trafficking
        // and case 4 is Honduras's.
        assert!(table.contains("<td>Female</td><td>1</td>"), "{table}");
        assert!(table.contains("<td>Male</td><td>1</td>"), "{table}");
        assert!(table.contains(r#"<td class="muted">missing</td><td>1</td>"#));
        assert!(
            page.body
                .contains(r#"<th colspan="1">Total</th><th>3</th>"#)
        );
        assert!(page.body.contains("only privacy-protected"));
        assert!(
            !page.body.contains("Canary"),
            "no name on a statistics page"
        );
        let csv = get_as(
            &c.app,
            "/console/stats.csv?dataset=live%3Acases&by1=gender",
            &operator,
        )
        .await;
        assert_eq!(
            csv.headers["content-disposition"],
            "attachment; filename=\"cases-GT-gender.csv\""
        );

        // A regional analyst and a campaign editor are not offered the live cases, and asking
        // for them finds nothing.
        for (n, role, country) in [
            (2, Role::RegionalAnalyst, None),
            (3, Role::CampaignEditor, Some("GT")),
        ] {
            let other = session(&c, n, role, country).await;
            let form = get_as(&c.app, "/console/stats", &other).await;
            assert!(!form.body.contains("live:cases"), "{role:?}");
            let asked = get_as(
                &c.app,
                "/console/stats?dataset=live%3Acases&by1=gender",
                &other,
            )
            .await;
            assert_eq!(asked.status, 400, "{role:?}");
            assert!(!asked.body.contains("<tbody>"), "{role:?}");
        }
        db.cleanup().await;
    }
}

#[tokio::test]
async fn the_api_answers_the_same_questions_as_json() {
    use crate::api_casework::{call, service_token};
    use axum::http::Method;
    for db in seeded_backends().await {
        let c = console(&db);
        import_small_dataset(&c.store).await;
        open_live_cases(&c).await;
        let supervisor = service_token(&c.store, 1, Role::Supervisor, Some("GT")).await;
        let analyst = service_token(&c.store, 2, Role::RegionalAnalyst, None).await;

        let live = call(
            &c.app,
            Method::GET,
            "/api/v1/stats?source=live:cases&by=gender",
            &supervisor,
            None,
        )
        .await;
        assert_eq!(live.status, 200, "{}: {}", db.name, live.body);
        let json = live.json();
        assert_eq!(json["source"], "live:cases");
        assert_eq!(json["total"], 3);
        assert_eq!(json["variables"], serde_json::json!(["gender"]));
        let cells = json["cells"].as_array().unwrap();
        assert!(cells.contains(&serde_json::json!({
            "values": [null], "count": 1, "percent": 100.0 / 3.0
        })));

        let mini = call(
            &c.app,
            Method::GET,
            "/api/v1/stats?source=mini&by=citizenship,gender&from=2016",
            &analyst,
            None,
        )
        .await;
        assert_eq!(mini.status, 200, "{}", mini.body);
        assert_eq!(mini.json()["total"], 2);

        // The analyst has no country whose live cases to count: to them there is no such
        // source (404); mistakes are told in the caller's language (Spanish when it says none).
        let refused = call(
            &c.app,
            Method::GET,
            "/api/v1/stats?source=live:cases&by=gender",
            &analyst,
            None,
        )
        .await;
        assert_eq!(refused.status, 404);
        assert!(
            refused.json()["detail"]
                .as_str()
                .unwrap()
                .contains("No existe el conjunto de datos «live:cases»"),
            "{}",
            refused.body
        );
        // A question that is not of the documented shape is a 400, one naming a variable the
        // dataset lacks a 404, one the dataset cannot answer a 422.
        for (query, status, says) in [
            (
                "source=mini&by=a,b,c,d",
                400,
                "Elija de una a tres variables",
            ),
            ("source=mini&by=nope", 404, "no tiene la variable «nope»"),
            ("source=mini&by=gender&from=15", 400, "cuatro cifras"),
            ("source=mini&by=gender,gender", 422, "«gender»"),
            ("source=nothing&by=gender", 404, "«nothing»"),
        ] {
            let reply = call(
                &c.app,
                Method::GET,
                &format!("/api/v1/stats?{query}"),
                &analyst,
                None,
            )
            .await;
            assert_eq!(reply.status, status, "{query}");
            assert_eq!(reply.header("content-type"), "application/problem+json");
            assert!(reply.body.contains(says), "{query}: {}", reply.body);
        }
        let anonymous = call(&c.app, Method::GET, "/api/v1/stats?by=gender", "", None).await;
        assert_eq!(anonymous.status, 401);
        db.cleanup().await;
    }
}

/// A dataset `labels` of five victims with a flag, an age band and countries.
async fn import_labelled_dataset(c: &Console) {
    let rows = [
        [Some("Female"), Some("1"), Some("MX"), Some("18--20")],
        [Some("Female"), Some("1"), Some("GT"), Some("0--8")],
        [Some("Female"), Some("0"), Some("CO"), Some("18--20")],
        [Some("Male"), Some("0"), Some("MX"), None],
        [Some("Unknown"), Some("1"), Some("ZZ"), Some("9--17")],
    ];
    let columns = ["gender", "isSexualExploit", "citizenship", "ageBroad"];
    import_rows(&c.store, "labels", &columns, &rows).await;
}

/// The part of a page between `start` and `end`.
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    body.split(start)
        .nth(1)
        .unwrap_or_else(|| panic!("no {start} in {body}"))
        .split(end)
        .next()
        .unwrap()
}

#[tokio::test]
async fn a_spanish_page_names_variables_and_values_in_spanish_and_the_csv_keeps_the_codes() {
    use antitrata_domain::{Lang, UserId};
    for db in seeded_backends().await {
        let c = console(&db);
        import_labelled_dataset(&c).await;
        let analyst = session(&c, 1, Role::RegionalAnalyst, None).await;
        c.store
            .set_user_language(
                &actor(Role::Cli, None),
                UserId(Uuid::from_u128(1)),
                Lang::Es,
            )
            .await
            .unwrap();

        let page = get_as(
            &c.app,
            "/console/stats?dataset=labels&by1=gender&by2=isSexualExploit",
            &analyst,
        )
        .await;
        assert_eq!(page.status, 200, "{}: {}", db.name, page.body);
        assert_eq!(page.header("content-language"), "es");
        // The pickers show labels and send codes.
        assert!(
            page.body
                .contains(r#"<option value="gender" selected>Género</option>"#),
            "{}",
            page.body
        );
        assert!(
            page.body.contains(
                r#"<option value="isSexualExploit" selected>Explotación sexual</option>"#
            )
        );
        assert!(
            page.body
                .contains(r#"<option value="ageBroad">Edad (tramo)</option>"#)
        );
        let thead = between(&page.body, "<thead>", "</thead>");
        assert_eq!(
            thead,
            "<tr><th>Género</th><th>Explotación sexual</th><th>Número</th><th>%</th></tr>"
        );
        let table = between(&page.body, "<tbody>", "</tbody>");
        for row in [
            "<tr><td>Mujer</td><td>No</td><td>1</td><td>20,00</td></tr>",
            "<tr><td>Mujer</td><td>Sí</td><td>2</td><td>40,00</td></tr>",
            "<tr><td>Hombre</td><td>No</td><td>1</td><td>20,00</td></tr>",
            "<tr><td>Desconocido</td><td>Sí</td><td>1</td><td>20,00</td></tr>",
        ] {
            assert!(table.contains(row), "{row} in {table}");
        }
        let svg = between(&page.body, "<svg", "</svg>");
        assert!(svg.contains(r#"font-size="12">Mujer</text>"#), "{svg}");
        assert!(svg.contains(r#"font-size="12">Hombre</text>"#), "{svg}");
        assert!(svg.contains("<title>Sí: 2</title>"), "{svg}");
        // The legend names the series of the second variable.
        assert!(svg.contains(r#"font-size="12">Sí</text>"#), "{svg}");
        assert!(svg.contains(r#"font-size="12">No</text>"#), "{svg}");
        for raw in ["Female", "Male<", "Unknown", "isSexualExploit"] {
            assert!(!table.contains(raw), "{raw} in the table");
            assert!(!svg.contains(raw), "{raw} in the chart");
            assert!(!thead.contains(raw), "{raw} in the headers");
        }
        // The CSV link keeps the codes.
        assert!(page.body.contains(
            r#"href="/console/stats.csv?dataset=labels&#38;by1=gender&#38;by2=isSexualExploit""#
        ));

        let csv = get_as(
            &c.app,
            "/console/stats.csv?dataset=labels&by1=gender&by2=isSexualExploit",
            &analyst,
        )
        .await;
        assert_eq!(csv.status, 200);
        assert_eq!(
            csv.body,
            "gender,isSexualExploit,count,percent\nFemale,0,1,20.00\nFemale,1,2,40.00\n\
             Male,0,1,20.00\nUnknown,1,1,20.00\n"
        );

        // Countries by their name in the directory (others by code), the unknown country and
        // age bands with an en dash; the filter's picker shows the label too.
        let countries = get_as(
            &c.app,
            "/console/stats?dataset=labels&by1=citizenship&only=ageBroad&values=18--20%2C0--8%2C9--17",
            &analyst,
        )
        .await;
        assert_eq!(countries.status, 200, "{}", countries.body);
        let table = between(&countries.body, "<tbody>", "</tbody>");
        assert!(table.contains("<td>México</td><td>1</td>"), "{table}");
        assert!(table.contains("<td>Guatemala</td><td>1</td>"), "{table}");
        assert!(table.contains("<td>CO</td><td>1</td>"), "{table}");
        assert!(
            table.contains("<td>País desconocido</td><td>1</td>"),
            "{table}"
        );
        assert!(!table.contains("MX"), "{table}");
        assert!(
            countries
                .body
                .contains(r#"<option value="ageBroad" selected>Edad (tramo)</option>"#)
        );
        let ages = get_as(
            &c.app,
            "/console/stats?dataset=labels&by1=ageBroad&chart=line",
            &analyst,
        )
        .await;
        let svg = between(&ages.body, "<svg", "</svg>");
        assert!(svg.contains(">0\u{2013}8</text>"), "{svg}");
        assert!(svg.contains("<title>Edad (tramo)</title>"), "{svg}");
        let table = between(&ages.body, "<tbody>", "</tbody>");
        assert!(table.contains("<td>18\u{2013}20</td><td>2</td>"), "{table}");
        assert!(!table.contains("--"), "{table}");
        db.cleanup().await;
    }
}

//! The supervisors' release page on both backends: a release of the country's live cases or of a
//! dataset comes back as a zip of the bundle whose manifest matches its files; differentially
//! private releases spend the country's budget and stop at it; mistakes are explained, in the
//! supervisor's language, and spend nothing.

use std::collections::HashMap;
use std::io::Read;

use antitrata_domain::{CountryCode, Role};
use antitrata_store::testing::seeded_backends;
use sha2::{Digest, Sha256};

use crate::console::{Console, console, get_as, post};
use crate::stats::{import_small_dataset, open_live_cases, session};
use crate::support::Reply;

/// The files of a release archive, by name, and the folder they are in.
fn unzip(reply: &Reply) -> (String, HashMap<String, Vec<u8>>) {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(reply.bytes.clone())).unwrap();
    let mut files = HashMap::new();
    let mut folder = String::new();
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).unwrap();
        let path = file.name().unwrap().into_owned();
        let (dir, name) = path.split_once('/').unwrap();
        folder = dir.to_owned();
        let name = name.to_owned();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        files.insert(name, bytes);
    }
    (folder, files)
}

/// The manifest, checked against the other files the way `antitrata import release` checks it.
fn verified_manifest(files: &HashMap<String, Vec<u8>>) -> serde_json::Value {
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), 2);
    for file in listed {
        let bytes = &files[file["name"].as_str().unwrap()];
        assert_eq!(
            file["sha256"].as_str().unwrap(),
            format!("{:x}", Sha256::digest(bytes))
        );
        assert_eq!(file["bytes"].as_u64().unwrap(), bytes.len() as u64);
    }
    manifest
}

async fn release(c: &Console, cookie: &str, fields: &[(&str, &str)]) -> Reply {
    let mut form = vec![("csrf", "csrf-token")];
    form.extend_from_slice(fields);
    post(&c.app, "/console/releases", cookie, &form).await
}

/// The links of the releases page to download a paid release again, newest first.
fn archive_links(page: &str) -> Vec<String> {
    page.match_indices(r#"href="/console/releases/"#)
        .map(|(at, _)| {
            let rest = &page[at + r#"href=""#.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .filter(|link| link.ends_with("/archive"))
        .collect()
}

async fn spent(c: &Console) -> i64 {
    c.store
        .privacy_budget_spent(CountryCode::parse("GT").unwrap(), 2026)
        .await
        .unwrap()
        .epsilon_micros
}

#[tokio::test]
async fn a_supervisor_downloads_a_k_anonymous_release_of_the_live_cases() {
    for db in seeded_backends().await {
        let c = console(&db);
        open_live_cases(&c).await;
        let supervisor = session(&c, 1, Role::Supervisor, Some("GT")).await;
        let home = get_as(&c.app, "/console", &supervisor).await;
        assert!(home.body.contains(r#"href="/console/releases""#));
        let page = get_as(&c.app, "/console/releases", &supervisor).await;
        assert_eq!(page.status, 200, "{}", db.name);
        assert!(
            page.body.contains(
                r#"<option value="live:cases" selected>Live cases of Guatemala (this hotline)"#
            ),
            "{}",
            page.body
        );
        assert!(
            page.body
                .contains("GT has spent ε = 0 of its privacy budget of 4 for 2026."),
            "{}",
            page.body
        );
        let before = c.store.list_audit(0, 10_000).await.unwrap().len();

        let reply = release(
            &c,
            &supervisor,
            &[("source", "live:cases"), ("method", "kanon"), ("k", "2")],
        )
        .await;
        assert_eq!(reply.status, 200, "{}: {}", db.name, reply.body);
        assert_eq!(reply.header("content-type"), "application/zip");
        assert_eq!(
            reply.header("content-disposition"),
            "attachment; filename=\"release-cases-GT-kanon-2026-11-27.zip\""
        );
        let (folder, files) = unzip(&reply);
        assert_eq!(folder, "release-cases-GT-kanon-2026-11-27");
        let manifest = verified_manifest(&files);
        assert_eq!(manifest["method"], "kanon");
        assert_eq!(manifest["source"]["dataset"], "cases-GT");
        assert_eq!(manifest["rows"]["input"], 3, "{manifest}");
        assert!(manifest["guarantee"]["achieved_k"].as_u64().unwrap() >= 2);
        // The report is in the supervisor's language (English).
        let report = String::from_utf8(files["report.html"].clone()).unwrap();
        assert!(report.contains("Release report"), "{report}");

        // An independent check of k: every combination of quasi-identifier values in data.csv is
        // shared by at least two records.
        let mut reader = csv::Reader::from_reader(files["data.csv"].as_slice());
        let header = reader.headers().unwrap().clone();
        let quasi: Vec<usize> = manifest["quasi_identifiers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|qi| {
                header
                    .iter()
                    .position(|h| h == qi["column"].as_str().unwrap())
                    .unwrap()
            })
            .collect();
        assert!(!quasi.is_empty());
        let mut groups: HashMap<Vec<String>, usize> = HashMap::new();
        let mut records = 0;
        for record in reader.records() {
            let record = record.unwrap();
            records += 1;
            *groups
                .entry(quasi.iter().map(|&i| record[i].to_owned()).collect())
                .or_default() += 1;
        }
        assert_eq!(records, manifest["rows"]["output"].as_u64().unwrap());
        assert!(groups.values().all(|&n| n >= 2), "{groups:?}");
        for (name, bytes) in &files {
            assert!(
                !String::from_utf8_lossy(bytes).contains("Canary"),
                "no name in {name}"
            );
        }

        // Every case read was audited, and so was the release; k-anonymity spends no budget.
        let entries = c.store.list_audit(0, 10_000).await.unwrap();
        let new = &entries[before..];
        assert_eq!(
            new.iter().filter(|e| e.action == "case.released").count(),
            3,
            "{}",
            db.name
        );
        assert!(new.iter().any(|e| e.action == "release.created"
            && e.record_type.as_deref() == Some("cases")
            && e.record_id.as_deref() == Some("GT")));
        assert_eq!(spent(&c).await, 0);

        // Only supervisors: an operator of the same country is refused the page and the release.
        let operator = session(&c, 2, Role::Operator, Some("GT")).await;
        assert_eq!(
            get_as(&c.app, "/console/releases", &operator).await.status,
            403
        );
        let refused = release(
            &c,
            &operator,
            &[("source", "live:cases"), ("method", "kanon"), ("k", "2")],
        )
        .await;
        assert_eq!(refused.status, 403);
        assert!(
            !get_as(&c.app, "/console", &operator)
                .await
                .body
                .contains("/console/releases")
        );
        db.cleanup().await;
    }
}

#[tokio::test]
async fn differentially_private_releases_spend_the_budget_and_mistakes_spend_nothing() {
    for db in seeded_backends().await {
        let c = console(&db);
        import_small_dataset(&c.store).await;
        let supervisor = session(&c, 1, Role::Supervisor, Some("GT")).await;

        let reply = release(
            &c,
            &supervisor,
            &[
                ("source", "mini"),
                ("method", "dp-aggregates"),
                ("k", "11"),
                ("epsilon", "3"),
                ("variables", "gender"),
            ],
        )
        .await;
        assert_eq!(reply.status, 200, "{}: {}", db.name, reply.body);
        let (_, files) = unzip(&reply);
        let manifest = verified_manifest(&files);
        assert_eq!(manifest["method"], "dp-aggregates");
        assert_eq!(manifest["privacy"]["epsilon"], "3");
        assert_eq!(manifest["privacy"]["budget"]["country"], "GT");
        assert_eq!(
            manifest["privacy"]["budget"]["spent_this_year_epsilon"],
            3.0
        );
        let data = String::from_utf8(files["data.csv"].clone()).unwrap();
        assert!(data.starts_with("gender,count\n"), "{data}");
        for line in data.lines().skip(1) {
            let count: i64 = line.rsplit(',').next().unwrap().parse().unwrap();
            assert!(count >= 0, "{line}");
        }
        assert_eq!(spent(&c).await, 3_000_000);
        let page = get_as(&c.app, "/console/releases", &supervisor).await;
        assert!(
            page.body
                .contains("GT has spent ε = 3 of its privacy budget of 4 for 2026."),
            "{}",
            page.body
        );

        // Past the budget: refused, the form shown again, nothing spent.
        let over = release(
            &c,
            &supervisor,
            &[
                ("source", "mini"),
                ("method", "dp-synthetic"),
                ("k", "11"),
                ("epsilon", "1.5"),
                ("variables", "gender,citizenship"),
            ],
        )
        .await;
        assert_eq!(over.status, 400, "{}", db.name);
        assert!(
            over.body.contains(
                "Refused, nothing spent: 1.5 more would pass the yearly budget of 4 (already \
                 spent: 3)."
            ),
            "{}",
            over.body
        );
        assert!(over.body.contains(r#"value="gender,citizenship""#));
        assert_eq!(spent(&c).await, 3_000_000);

        // Within it: synthetic records over the variables asked.
        let synthetic = release(
            &c,
            &supervisor,
            &[
                ("source", "mini"),
                ("method", "dp-synthetic"),
                ("k", "11"),
                ("epsilon", "0.5"),
                ("variables", "gender, citizenship"),
            ],
        )
        .await;
        assert_eq!(synthetic.status, 200, "{}", synthetic.body);
        let (_, files) = unzip(&synthetic);
        let manifest = verified_manifest(&files);
        assert_eq!(manifest["method"], "dp-synthetic");
        let data = String::from_utf8(files["data.csv"].clone()).unwrap();
        assert!(data.starts_with("gender,citizenship\n"), "{data}");
        assert_eq!(spent(&c).await, 3_500_000);
        assert!(
            manifest.get("evaluation").is_none(),
            "a private bundle carries no exact-data evaluation: {manifest}"
        );

        // The evaluation stays in the country: the releases page lists both releases, and each
        // one's page shows its evaluation to the supervisor, audited.
        let page = get_as(&c.app, "/console/releases", &supervisor).await;
        let links: Vec<&str> = page
            .body
            .match_indices(r#"href="/console/releases/"#)
            .map(|(at, _)| {
                let rest = &page.body[at + r#"href=""#.len()..];
                &rest[..rest.find('"').unwrap()]
            })
            .filter(|link| !link.ends_with("/archive"))
            .collect();
        assert_eq!(links.len(), 2, "{}: {}", db.name, page.body);
        let shown = get_as(&c.app, links[0], &supervisor).await;
        assert_eq!(shown.status, 200, "{}", shown.body);
        // The console's menu and search box are on this page too (the route-table test in
        // console.rs covers every other page).
        assert!(
            shown.body.contains(r#"id="console-menu""#),
            "{}",
            shown.body
        );
        assert!(shown.body.contains(r#"action="/console/search""#));
        assert!(
            shown.body.contains("dp-synthetic"),
            "newest first: {}",
            shown.body
        );
        assert!(
            shown
                .body
                .contains("Mean total variation distance from the data"),
            "{}",
            shown.body
        );
        assert!(
            shown
                .body
                .contains("These figures are not differentially private")
        );
        let audited = c
            .store
            .list_audit(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "release.evaluation_read")
            .count();
        assert_eq!(audited, 1, "{}", db.name);
        let other = session(&c, 7, Role::Supervisor, Some("HN")).await;
        let refused = get_as(&c.app, links[0], &other).await;
        assert_eq!(
            refused.status, 404,
            "{}: another country's release",
            db.name
        );
        let missing = get_as(
            &c.app,
            &format!("/console/releases/{}", uuid::Uuid::nil()),
            &supervisor,
        )
        .await;
        assert_eq!(missing.status, 404);

        // Mistakes: explained in the supervisor's language, status 400, nothing spent.
        for (fields, expected) in [
            (
                vec![
                    ("method", "dp-aggregates"),
                    ("epsilon", "-1"),
                    ("variables", "gender"),
                ],
                "ε must be a positive decimal number",
            ),
            (
                vec![("method", "kanon"), ("k", "1")],
                "k must be a whole number from 2 to 1000.",
            ),
            (
                vec![("method", "dp-aggregates"), ("epsilon", "0.1")],
                "A cross-tab needs 1 to 3 variables",
            ),
            (
                vec![
                    ("method", "dp-aggregates"),
                    ("epsilon", "0.1"),
                    ("variables", "RecruiterRelationship"),
                ],
                // The small dataset has no such column: it is named as missing (issue 28), not
                // as one without a codebook list (the command line's test checks that refusal).
                "The data has no variable named RecruiterRelationship.",
            ),
            (
                vec![("method", "kanon"), ("variables", "nonsense")],
                "The data has no variable named nonsense.",
            ),
            (
                vec![
                    ("method", "dp-synthetic"),
                    ("epsilon", "0.1"),
                    ("all_combinations", "2"),
                ],
                "The all-combinations guarantee applies to k-anonymity only",
            ),
            (
                vec![("method", "nonsense")],
                "Choose a protection from the list.",
            ),
            (
                vec![
                    ("method", "dp-synthetic"),
                    ("epsilon", "0.1"),
                    ("accountant", "zcdp"),
                ],
                "The zCDP accounting applies to differentially private cross-tabs (dp-aggregates) \
                 only.",
            ),
        ] {
            let mut all = vec![("source", "mini"), ("k", "11")];
            all.retain(|(name, _)| !fields.iter().any(|(f, _)| f == name));
            all.extend(fields);
            let reply = release(&c, &supervisor, &all).await;
            assert_eq!(reply.status, 400, "{expected}");
            assert!(reply.body.contains(expected), "{expected}: {}", reply.body);
        }
        let unknown = release(
            &c,
            &supervisor,
            &[("source", "gone"), ("method", "kanon"), ("k", "2")],
        )
        .await;
        assert_eq!(unknown.status, 400);
        assert!(unknown.body.contains("There is no dataset named gone."));

        // Without the session's CSRF token nothing is made.
        let forged = post(
            &c.app,
            "/console/releases",
            &supervisor,
            &[
                ("csrf", "forged"),
                ("source", "mini"),
                ("method", "dp-aggregates"),
                ("epsilon", "0.1"),
                ("variables", "gender"),
            ],
        )
        .await;
        assert_eq!(forged.status, 403);
        assert_eq!(spent(&c).await, 3_500_000);

        // A zCDP cross-tab: ε = 0.4 spent at the budget's δ as ρ, and the ledger adds the
        // conversion of that ρ.
        let zcdp = release(
            &c,
            &supervisor,
            &[
                ("source", "mini"),
                ("method", "dp-aggregates"),
                ("k", "11"),
                ("epsilon", "0.4"),
                ("accountant", "zcdp"),
                ("variables", "gender"),
            ],
        )
        .await;
        assert_eq!(zcdp.status, 200, "{}: {}", db.name, zcdp.body);
        let (_, files) = unzip(&zcdp);
        let manifest = verified_manifest(&files);
        let rho = manifest["privacy"]["rho"].as_f64().unwrap();
        let converted = antitrata_privacy::accountant::zcdp_epsilon_micros(
            (rho * 1e6).round() as i64,
            1_000_000,
        );
        assert!(converted <= 400_000, "{converted}");
        assert_eq!(spent(&c).await, 3_500_000 + converted);
        assert_eq!(manifest["privacy"]["delta"].as_f64(), Some(1e-9));
        db.cleanup().await;
    }
}

/// Issue 28: a country whose administrator lowers δ during the year has zCDP releases converted
/// at the larger δ already spent, so the next zCDP release is refused, the form says why, and
/// nothing is spent.
#[tokio::test]
async fn a_zcdp_release_past_a_lowered_delta_is_refused_and_explained() {
    for db in seeded_backends().await {
        let c = console(&db);
        import_small_dataset(&c.store).await;
        let supervisor = session(&c, 1, Role::Supervisor, Some("GT")).await;
        let zcdp = [
            ("source", "mini"),
            ("method", "dp-aggregates"),
            ("k", "11"),
            ("epsilon", "0.5"),
            ("accountant", "zcdp"),
            ("variables", "gender"),
        ];
        let first = release(&c, &supervisor, &zcdp).await;
        assert_eq!(first.status, 200, "{}: {}", db.name, first.body);
        let spent_before = spent(&c).await;

        // The same deployment, restarted with GT's δ set to 5 × 10⁻¹⁰.
        let lowered = antitrata_app::releases::Releases::new(
            db.store.clone(),
            antitrata_app::releases::DEFAULT_YEARLY_LIMIT,
            antitrata_web::release_report,
        )
        .with_deltas([(CountryCode::parse("GT").unwrap(), 500_000)].into());
        let state = antitrata_web::AppState::new(
            db.store.clone(),
            antitrata_web::WebConfig::default(),
            crate::support::test_runtime(c.clock.clone()),
        )
        .with_releases(lowered);
        let restarted = Console {
            app: antitrata_web::app(state),
            clock: c.clock.clone(),
            store: db.store.clone(),
        };
        let refused = release(&restarted, &supervisor, &zcdp).await;
        assert_eq!(refused.status, 400, "{}: {}", db.name, refused.body);
        // The page escapes the apostrophes.
        let shown = refused.body.replace("&#39;", "'");
        assert!(
            shown.contains(
                "Refused, nothing spent: this year's zCDP releases were converted at δ = 1e-9, \
                 above the budget's δ = 5e-10 now set for the country."
            ),
            "{}",
            refused.body
        );
        assert_eq!(spent(&restarted).await, spent_before);
        db.cleanup().await;
    }
}

#[tokio::test]
async fn a_paid_release_is_downloaded_again_byte_for_byte_and_audited() {
    for db in seeded_backends().await {
        let c = console(&db);
        import_small_dataset(&c.store).await;
        let supervisor = session(&c, 1, Role::Supervisor, Some("GT")).await;
        let first = release(
            &c,
            &supervisor,
            &[
                ("source", "mini"),
                ("method", "dp-aggregates"),
                ("k", "11"),
                ("epsilon", "1"),
                ("variables", "gender"),
            ],
        )
        .await;
        assert_eq!(first.status, 200, "{}: {}", db.name, first.body);
        assert_eq!(spent(&c).await, 1_000_000);

        // The first download is lost (the browser closed, the file deleted): the page offers the
        // release again, and it is the same archive.
        let page = get_as(&c.app, "/console/releases", &supervisor).await;
        let links = archive_links(&page.body);
        assert_eq!(links.len(), 1, "{}: {}", db.name, page.body);
        assert!(page.body.contains("Download again"), "{}", page.body);
        let again = get_as(&c.app, &links[0], &supervisor).await;
        assert_eq!(again.status, 200, "{}: {}", db.name, again.body);
        assert_eq!(again.header("content-type"), "application/zip");
        assert_eq!(
            again.header("content-disposition"),
            first.header("content-disposition")
        );
        assert!(again.bytes == first.bytes, "{}: byte for byte", db.name);
        let (_, files) = unzip(&again);
        assert_eq!(verified_manifest(&files)["privacy"]["epsilon"], "1");
        assert_eq!(
            spent(&c).await,
            1_000_000,
            "downloading again spends nothing"
        );
        let downloads = c
            .store
            .list_audit(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "release.downloaded")
            .count();
        assert_eq!(downloads, 1, "{}: each download again is audited", db.name);

        // Another country's supervisor finds no such release; a caseworker may not ask.
        let other = session(&c, 7, Role::Supervisor, Some("HN")).await;
        assert_eq!(get_as(&c.app, &links[0], &other).await.status, 404);
        let caseworker = session(&c, 8, Role::Caseworker, Some("GT")).await;
        assert_eq!(get_as(&c.app, &links[0], &caseworker).await.status, 403);
        let missing = format!("/console/releases/{}/archive", uuid::Uuid::nil());
        assert_eq!(get_as(&c.app, &missing, &supervisor).await.status, 404);
        db.cleanup().await;
    }
}

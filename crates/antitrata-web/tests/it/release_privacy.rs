//! Issue 28: a differentially private bundle is private as a whole. Every field of its manifest
//! has an origin (`antitrata_app::releases::origin_of`): public, noisy, or computed from the
//! released files. Two neighbouring tables (one record removed), released with the same seed,
//! give manifests that agree on every field not computed from the released files, and a report
//! that differs only through those; and every such field is recomputed here from the bundle's
//! files alone, the report included.

use std::sync::Arc;

use antitrata_app::releases::{
    Accountant, Bundle, DEFAULT_YEARLY_LIMIT, Epsilon, Method, Order, Origin, Parameters, Payer,
    Randomness, Releases, Source, origin_of,
};
use antitrata_domain::stats::{Table, read_table};
use antitrata_domain::{Actor, CountryCode, Lang, Role};
use antitrata_store::testing::{actor, sqlite};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::macros::datetime;
use uuid::Uuid;

/// 400 records over five columns with closed codebook domains, the last one rare; and the same
/// table without that last record.
fn neighbours() -> (String, String) {
    let mut csv = String::from("yearOfRegistration,gender,ageBroad,citizenship,isSexualExploit\n");
    for i in 0..399 {
        let year = 2015 + i % 4;
        let gender = ["Female", "Female", "Male"][i % 3];
        let band = ["18--20", "21--23", "30--38", "9--17", "39--47"][i % 5];
        let country = ["GT", "HN", "SV", "MX", "GT", "HN", "GT"][i % 7];
        let sexual = (i % 3 != 2) as u8;
        csv.push_str(&format!("{year},{gender},{band},{country},{sexual}\n"));
    }
    let without = csv.clone();
    // A record whose values all pass the domain step, so the releases differ (a record of values
    // the step drops, such as a lone Belizean, would change nothing released at all).
    csv.push_str("2016,Male,30--38,HN,0\n");
    (csv, without)
}

fn table(csv: &str) -> Arc<Table> {
    Arc::new(read_table(csv.as_bytes()).unwrap())
}

fn supervisor() -> Actor {
    actor(Role::Supervisor, Some("GT"))
}

/// A seeded release of `csv` on a store of its own (so the ledger is in the same state for
/// both neighbours), at a fixed time and id.
async fn release(csv: &str, method: Method, accountant: Accountant, variables: &[&str]) -> Bundle {
    let db = sqlite().await;
    db.store.seed_reference_data().await.unwrap();
    let releases = Releases::new(
        db.store.clone(),
        DEFAULT_YEARLY_LIMIT,
        antitrata_web::release_report,
    );
    let source = Source {
        name: "rcm".into(),
        format: "ctdc-global".into(),
        sha256: format!("{:x}", Sha256::digest(csv.as_bytes())),
        actor: supervisor(),
        record: ("dataset", "1".into()),
    };
    let parameters = Parameters {
        method,
        k: 11,
        quasi_identifiers: Vec::new(),
        max_suppressed: 0.05,
        all_combinations: None,
        epsilon: Some(Epsilon::parse("2").unwrap()),
        variables: variables.iter().map(|v| (*v).to_owned()).collect(),
        tables: vec![variables.iter().map(|v| (*v).to_owned()).collect()],
        accountant,
    };
    let bundle = releases
        .make(Order {
            source: &source,
            table: table(csv),
            parameters: &parameters,
            payer: Some(Payer {
                country: CountryCode::parse("GT").unwrap(),
                release_id: Uuid::from_u128(28),
            }),
            lang: Lang::En,
            now: datetime!(2026-12-04 12:00 UTC),
            randomness: Randomness::Seeded(29),
        })
        .await
        .unwrap();
    db.cleanup().await;
    bundle
}

/// Every leaf of `value` (empty lists and objects hold none) as a JSON pointer and its value.
fn leaves(value: &Value, at: String, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                leaves(field, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, format!("{at}/{i}"), out);
            }
        }
        leaf => out.push((at, leaf.clone())),
    }
}

fn all_leaves(manifest: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    leaves(manifest, String::new(), &mut out);
    out
}

fn file<'a>(bundle: &'a Bundle, name: &str) -> &'a [u8] {
    &bundle.files.iter().find(|(n, _)| *n == name).unwrap().1
}

fn manifest_file(bundle: &Bundle) -> Value {
    serde_json::from_slice(file(bundle, "manifest.json")).unwrap()
}

/// The value of the field at `pointer` (one computed from the released files), computed again
/// from the bundle's files alone.
fn recomputed(bundle: &Bundle, manifest: &Value, pointer: &str) -> Value {
    let data = file(bundle, "data.csv");
    let mut reader = csv::Reader::from_reader(data);
    let headers = reader.headers().unwrap().clone();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    match pointer {
        "/released/rows" | "/released/cells" => Value::from(records.len()),
        "/released/total" => {
            let count = headers.iter().position(|h| h == "count").unwrap();
            Value::from(
                records
                    .iter()
                    .map(|r| r[count].parse::<u64>().unwrap())
                    .sum::<u64>(),
            )
        }
        _ => {
            let (index, field) = pointer
                .strip_prefix("/files/")
                .and_then(|rest| rest.split_once('/'))
                .unwrap_or_else(|| panic!("no way to recompute {pointer}"));
            let name = manifest["files"][index.parse::<usize>().unwrap()]["name"]
                .as_str()
                .unwrap();
            let bytes = file(bundle, name);
            match field {
                "bytes" => Value::from(bytes.len()),
                "sha256" => Value::from(format!("{:x}", Sha256::digest(bytes))),
                _ => panic!("no way to recompute {pointer}"),
            }
        }
    }
}

/// The report as the bundle's manifest alone renders it (the report is rendered before the
/// manifest lists the files).
fn report_of(manifest: &Value) -> String {
    let mut manifest = manifest.clone();
    manifest.as_object_mut().unwrap().remove("files");
    antitrata_web::release_report(&manifest, Lang::En).unwrap()
}

const RELEASES: &[(Method, Accountant, &[&str])] = &[
    (
        Method::DpAggregates,
        Accountant::Pure,
        &["gender", "ageBroad"],
    ),
    (
        Method::DpAggregates,
        Accountant::Zcdp,
        &["gender", "ageBroad"],
    ),
    (
        Method::DpSynthetic,
        Accountant::Pure,
        &[
            "yearOfRegistration",
            "gender",
            "ageBroad",
            "citizenship",
            "isSexualExploit",
        ],
    ),
];

#[tokio::test]
async fn neighbouring_tables_give_the_same_bundle_but_for_what_the_released_data_says() {
    let (with, without) = neighbours();
    for &(method, accountant, variables) in RELEASES {
        let a = release(&with, method, accountant, variables).await;
        let b = release(&without, method, accountant, variables).await;
        let (ma, mb) = (manifest_file(&a), manifest_file(&b));
        assert!(a.evaluation.is_some(), "the evaluation is kept apart");
        let (la, lb) = (all_leaves(&ma), all_leaves(&mb));
        assert_eq!(
            la.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            lb.iter().map(|(p, _)| p).collect::<Vec<_>>(),
            "{method:?}/{accountant:?}: the same fields"
        );
        let mut released = 0;
        for ((pointer, va), (_, vb)) in la.iter().zip(&lb) {
            match origin_of(pointer) {
                None => panic!("{method:?}/{accountant:?}: {pointer} has no stated origin"),
                Some(Origin::Released) => released += 1,
                Some(origin) => assert_eq!(
                    va, vb,
                    "{method:?}/{accountant:?}: {origin:?} field {pointer}"
                ),
            }
        }
        assert!(
            released >= 5,
            "{method:?}/{accountant:?}: {released} released fields"
        );
        assert_ne!(
            file(&a, "data.csv"),
            file(&b, "data.csv"),
            "{method:?}/{accountant:?}: the neighbours' data differ, so the test compares something"
        );

        // The report differs only through the fields computed from the released data: B's
        // manifest with A's such fields renders A's report.
        let mut swapped = mb.clone();
        for (pointer, value) in &la {
            if origin_of(pointer) == Some(Origin::Released) {
                *swapped.pointer_mut(pointer).unwrap() = value.clone();
            }
        }
        assert_eq!(
            report_of(&swapped),
            String::from_utf8(file(&a, "report.html").to_vec()).unwrap(),
            "{method:?}/{accountant:?}"
        );
    }
}

#[tokio::test]
async fn every_field_computed_from_the_released_data_is_recomputed_from_the_bundle_alone() {
    let (with, _) = neighbours();
    for &(method, accountant, variables) in RELEASES {
        let bundle = release(&with, method, accountant, variables).await;
        let manifest = manifest_file(&bundle);
        assert_eq!(manifest, bundle.manifest, "{method:?}/{accountant:?}");
        let mut checked = 0;
        for (pointer, value) in all_leaves(&manifest) {
            if origin_of(&pointer) == Some(Origin::Released) {
                assert_eq!(
                    value,
                    recomputed(&bundle, &manifest, &pointer),
                    "{method:?}/{accountant:?}: {pointer}"
                );
                checked += 1;
            }
        }
        assert!(checked >= 5, "{method:?}/{accountant:?}: {checked}");
        assert_eq!(
            report_of(&manifest),
            String::from_utf8(file(&bundle, "report.html").to_vec()).unwrap(),
            "{method:?}/{accountant:?}: report.html is its manifest rendered"
        );
        // The seed gives noisy figures other than the exact record count, so its absence below
        // is the bundle's doing, not a coincidence of the noise.
        for pointer in ["/released/total", "/released/rows"] {
            assert_ne!(
                manifest.pointer(pointer),
                Some(&Value::from(400)),
                "{pointer}"
            );
        }
        let text = String::from_utf8(file(&bundle, "manifest.json").to_vec()).unwrap()
            + std::str::from_utf8(file(&bundle, "report.html")).unwrap();
        assert!(
            !text.contains("\"400\"") && !text.contains(">400<") && !text.contains(": 400,"),
            "{method:?}/{accountant:?}: the exact record count appears nowhere"
        );
    }
}

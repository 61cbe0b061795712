//! The three CTDC files in `shared/data/ctdc/` import completely and every figure of
//! `reference-aggregates.json` comes out of the statistics engine exactly; a three-way cross-tab
//! of the 2017 file matches an independent count by a Python script, cell for cell.
//!
//! The files live outside the project (CTDC's terms of use). CI sets `ANTITRATA_SHARED_DATA` and
//! then these tests must run; without the variable they look beside the checkout and say so when
//! the files are absent.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use antitrata_domain::stats::{Filter, Table, cross_tabulate};
use serde_json::Value;

use crate::datasets::{cli, manifest_in, store_in};

const FILES: [(&str, u64); 3] = [
    ("ctdc-global-dataset-2017-11-27.csv", 47_102),
    ("ctdc-global-dataset-2020-04-14-subset.csv", 48_773),
    ("CTDC_VPsynthetic_condensed.csv", 21_195),
];

fn ctdc_folder() -> Option<PathBuf> {
    let from_env = std::env::var_os("ANTITRATA_SHARED_DATA").map(PathBuf::from);
    let required = from_env.is_some();
    let folder = from_env
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
        .join("ctdc");
    if folder.join("reference-aggregates.json").exists() {
        Some(folder)
    } else if required {
        panic!(
            "ANTITRATA_SHARED_DATA is set but {} has no reference-aggregates.json",
            folder.display()
        );
    } else {
        antitrata_store::testing::not_run(&format!(
            "the CTDC reference check (CTDC files absent from {})",
            folder.display()
        ));
        None
    }
}

/// What the reference calls a value, as the importer stores it (see `stats::ctdc`): `<missing>`
/// and `Missing` are missing; `Unknown`, `0` and `00` in a country column are `ZZ`.
fn ours(column: &str, key: &str) -> Option<String> {
    let country = matches!(column, "citizenship" | "CountryOfExploitation");
    match key {
        "<missing>" => None,
        "Missing" if country => None,
        "Unknown" | "0" | "00" if country => Some("ZZ".into()),
        other => Some(other.to_owned()),
    }
}

fn count(table: &Table, column: &str, key: &str) -> u64 {
    let tab = cross_tabulate(table, &[column], &[]).unwrap();
    tab.count(&[ours(column, key).as_deref()])
}

fn check_dataset(table: &Table, stored_columns: &[String], ignored: &[String], reference: &Value) {
    let rows = table.rows() as u64;
    let object = reference.as_object().unwrap();
    for (figure, expected) in object {
        match figure.as_str() {
            "sha256" | "bytes" => {} // checked against the file and the dataset record
            "rows" => assert_eq!(rows, expected.as_u64().unwrap()),
            "columns" => {
                let from_file = stored_columns.iter().filter(|c| *c != "exploitationTypes");
                let total = from_file.count() + ignored.len();
                assert_eq!(total as u64, expected.as_u64().unwrap());
            }
            "column_names" => {
                for name in expected.as_array().unwrap() {
                    let name = name.as_str().unwrap();
                    assert!(
                        stored_columns.iter().any(|c| c == name)
                            || ignored.iter().any(|c| c == name),
                        "column {name} neither stored nor reported as left out"
                    );
                }
            }
            per if per.starts_with("rows_per_") && per.ends_with("_rcm") => {
                let column = &per["rows_per_".len()..per.len() - "_rcm".len()];
                for (code, n) in expected.as_object().unwrap() {
                    assert_eq!(
                        count(table, column, code),
                        n.as_u64().unwrap(),
                        "{per} {code}"
                    );
                }
            }
            per if per.starts_with("rows_per_") => {
                let column = &per["rows_per_".len()..];
                let values = expected.as_object().unwrap();
                for (key, n) in values {
                    assert_eq!(
                        count(table, column, key),
                        n.as_u64().unwrap(),
                        "{per} {key}"
                    );
                }
                // Nothing more than the reference lists: the counts add up to every row.
                let sum: u64 = values.values().map(|n| n.as_u64().unwrap()).sum();
                assert_eq!(sum, rows, "{per}");
            }
            "flag_counts" => {
                for (column, counts) in expected.as_object().unwrap() {
                    for (key, n) in counts.as_object().unwrap() {
                        assert_eq!(
                            count(table, column, key),
                            n.as_u64().unwrap(),
                            "{column} {key}"
                        );
                    }
                }
            }
            "exploitation" => check_exploitation(table, expected),
            crosstab if crosstab.starts_with("crosstab_") => {
                check_crosstab(table, crosstab, expected)
            }
            distinct if distinct.starts_with("distinct_") => {
                let column = distinct
                    .trim_start_matches("distinct_")
                    .trim_end_matches("_codes");
                let tab = cross_tabulate(table, &[column], &[]).unwrap();
                let codes = tab
                    .cells
                    .iter()
                    .filter(|c| c.values[0].as_deref().is_some_and(|v| v != "ZZ"))
                    .count();
                assert_eq!(codes as u64, expected.as_u64().unwrap(), "{distinct}");
            }
            other => panic!("the reference has a figure this test does not check: {other}"),
        }
    }
}

/// As the reference script counts: a record has an exploitation type recorded when any `is*`
/// column holds a value.
fn check_exploitation(table: &Table, expected: &Value) {
    let flag = |name: &str, row: usize| -> Option<&str> {
        let column = table.column(name)?;
        column.dictionary.value(column.codes[row])
    };
    let is_columns: Vec<&str> = table
        .columns()
        .iter()
        .map(|c| c.name.as_str())
        .filter(|n| n.starts_with("is"))
        .collect();
    let mut figures: BTreeMap<&str, u64> = BTreeMap::new();
    for row in 0..table.rows() {
        let sexual = flag("isSexualExploit", row) == Some("1");
        let labour = flag("isForcedLabour", row) == Some("1");
        let recorded = is_columns.iter().any(|c| flag(c, row).is_some());
        *figures.entry("sexual").or_default() += u64::from(sexual);
        *figures.entry("labour").or_default() += u64::from(labour);
        *figures.entry("both_sexual_and_labour").or_default() += u64::from(sexual && labour);
        *figures.entry("sexual_only").or_default() += u64::from(sexual && !labour);
        *figures.entry("labour_only").or_default() += u64::from(labour && !sexual);
        *figures
            .entry("type_known_neither_sexual_nor_labour")
            .or_default() += u64::from(recorded && !sexual && !labour);
        *figures.entry("no_exploitation_type_recorded").or_default() += u64::from(!recorded);
        *figures.entry("denominator_rows_with_any_type").or_default() += u64::from(recorded);
    }
    for (figure, value) in expected.as_object().unwrap() {
        match figure.as_str() {
            "pct_sexual_of_known" | "pct_labour_of_known" => {
                let part = if figure == "pct_sexual_of_known" {
                    figures["sexual"]
                } else {
                    figures["labour"]
                };
                let pct = part as f64 * 100.0 / figures["denominator_rows_with_any_type"] as f64;
                assert_eq!(
                    format!("{pct:.2}"),
                    format!("{:.2}", value.as_f64().unwrap())
                );
            }
            name => assert_eq!(
                figures.get(name).copied(),
                value.as_u64(),
                "exploitation {name}"
            ),
        }
    }
}

fn check_crosstab(table: &Table, figure: &str, expected: &Value) {
    let pair = figure.trim_start_matches("crosstab_");
    let (first, second) = pair.split_once("_x_").unwrap();
    let (first, filters) = match first.strip_suffix("_rcm") {
        Some(column) => {
            let members: Vec<Option<&str>> = antitrata_domain::RCM_MEMBERS
                .iter()
                .map(|c| Some(*c))
                .collect();
            (
                column,
                vec![Filter::values(table, column, &members).unwrap()],
            )
        }
        None => (first, Vec::new()),
    };
    let tab = cross_tabulate(table, &[first, second], &filters).unwrap();
    let mut listed = 0;
    for (a, row) in expected.as_object().unwrap() {
        for (b, n) in row.as_object().unwrap() {
            let values = [ours(first, a), ours(second, b)];
            let values = [values[0].as_deref(), values[1].as_deref()];
            assert_eq!(
                tab.count(&values),
                n.as_u64().unwrap(),
                "{figure} {a} × {b}"
            );
            listed += n.as_u64().unwrap();
        }
    }
    assert_eq!(tab.total, listed, "{figure}: cells beyond the reference's");
}

#[tokio::test]
async fn the_three_ctdc_files_import_and_match_every_reference_aggregate() {
    let Some(folder) = ctdc_folder() else { return };
    let reference: Value = serde_json::from_str(
        &std::fs::read_to_string(folder.join("reference-aggregates.json")).unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (file, rows) in FILES {
        let path = folder.join(file);
        let (ok, out, err) = cli(dir.path(), &["import", "ctdc", path.to_str().unwrap()]);
        assert!(ok, "{file}: {err}");
        assert!(out.contains(&format!(": {rows} rows,")), "{file}: {out}");
    }

    let store = store_in(dir.path()).await;
    for (file, _) in FILES {
        let expected = &reference["datasets"][file];
        let name = file.trim_end_matches(".csv");
        let dataset = store.find_dataset(name).await.unwrap().unwrap();
        assert_eq!(dataset.content_sha256, expected["sha256"].as_str().unwrap());
        assert_eq!(
            std::fs::metadata(folder.join(file)).unwrap().len(),
            expected["bytes"].as_u64().unwrap()
        );
        let table = store.load_dataset(dataset.id).await.unwrap().unwrap();
        check_dataset(&table, &dataset.columns, &dataset.ignored_columns, expected);
    }
    store.close().await;
}

/// An independent count: Python's csv module reads the 2017 file and applies the documented
/// rules itself (empty or `Missing` citizenship is missing, `Unknown` is `ZZ`; the exploitation
/// types are the labels of the `is*` flags set to 1).
const PYTHON_COUNT: &str = r#"
import csv, json, sys
labels = [("isForcedLabour", "Forced labour"), ("isSexualExploit", "Sexual exploitation"),
          ("isOtherExploit", "Other exploitation"),
          ("isSexAndLabour", "Sexual exploitation and forced labour"),
          ("isForcedMarriage", "Forced marriage"), ("isForcedMilitary", "Forced military service"),
          ("isOrganRemoval", "Organ removal")]
counts = {}
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        c = row["citizenship"]
        c = "" if c in ("", "Missing") else ("ZZ" if c == "Unknown" else c)
        types = "; ".join(label for flag, label in labels if row[flag] == "1")
        key = "|".join([c, types, row["yearOfRegistration"]])
        counts[key] = counts.get(key, 0) + 1
print(json.dumps(counts))
"#;

#[test]
fn a_three_way_cross_tab_of_2017_matches_an_independent_count() {
    let Some(folder) = ctdc_folder() else { return };
    let file = folder.join(FILES[0].0);
    let python = Command::new("python3")
        .args(["-c", PYTHON_COUNT, file.to_str().unwrap()])
        .output()
        .expect("python3 runs (CI installs it)");
    assert!(
        python.status.success(),
        "{}",
        String::from_utf8_lossy(&python.stderr)
    );
    let independent: BTreeMap<String, u64> = serde_json::from_slice(&python.stdout).unwrap();

    let dir = tempfile::tempdir().unwrap();
    assert!(
        cli(
            dir.path(),
            &[
                "import",
                "ctdc",
                file.to_str().unwrap(),
                "--dataset",
                "y2017"
            ]
        )
        .0
    );
    let (ok, out, err) = cli(
        dir.path(),
        &[
            "stats",
            "--dataset",
            "y2017",
            "--by",
            "citizenship,exploitationTypes,yearOfRegistration",
        ],
    );
    assert!(ok, "{err}");
    let ours = parse_crosstab_csv(&out);
    assert_eq!(ours.len(), independent.len(), "number of non-empty cells");
    assert_eq!(ours, independent);
    assert_eq!(ours.values().sum::<u64>(), FILES[0].1);
}

/// `a,b,c,count,percent` lines into `a|b|c` → count.
fn parse_crosstab_csv(text: &str) -> BTreeMap<String, u64> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|record| {
            let record = record.unwrap();
            let key = [&record[0], &record[1], &record[2]].join("|");
            (key, record[3].parse().unwrap())
        })
        .collect()
}

/// Issue 6's acceptance run: differentially private synthetic records of the whole 2017 file at
/// ε = 4 (every variable with a codebook domain), its evaluation kept apart, and a bundle the
/// regional import verifies. Issue 28's: neither the file's exact row count (47,102) nor any
/// exact-data distance appears anywhere in a differentially private bundle, synthetic or
/// cross-tab (seeded, so the noisy counts are the same on every run).
#[test]
fn a_dp_synthetic_release_of_2017_completes_and_its_bundle_verifies() {
    let Some(folder) = ctdc_folder() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = folder.join(FILES[0].0);
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "import",
            "ctdc",
            file.to_str().unwrap(),
            "--dataset",
            "g2017",
        ],
    );
    assert!(ok, "{err}");
    let (ok, out, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "g2017",
            "--method",
            "dp-synthetic",
            "--country",
            "GT",
            "--epsilon",
            "3",
            "--seed",
            "2017",
            "--out",
            "synthetic",
            "--evaluation",
            "synthetic-evaluation.json",
        ],
    );
    assert!(ok, "{err}");
    assert!(out.contains("synthetic records of `g2017`"), "{out}");
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("synthetic/manifest.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["variables"].as_array().unwrap().len(), 57);
    let rows = manifest["released"]["rows"].as_u64().unwrap();
    assert!(rows.abs_diff(47_102) < 500, "{rows} rows");
    let evaluation: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("synthetic-evaluation.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(evaluation["exact_rows"], 47_102);
    assert_eq!(evaluation["marginals_measured"]["one_way"], 57);
    assert_eq!(evaluation["marginals_measured"]["two_way"], 57 * 56 / 2);
    for size in ["one_way", "two_way", "three_way"] {
        let mean = evaluation["mean_total_variation"][size].as_f64().unwrap();
        // Far from independent noise (which would be near 1 on these skewed columns).
        assert!(mean < 0.2, "{size}: {mean}");
    }
    // The report shows the noise for people, not the evaluation, and the manifest lists it with
    // its hash.
    let report = std::fs::read_to_string(dir.path().join("synthetic/report.html")).unwrap();
    assert!(report.contains("Informe de la publicación: dp-synthetic"));
    assert!(report.contains("Ruido añadido"), "{report}");
    assert!(!report.contains("Marginales de orden"), "{report}");
    assert_exact_count_absent(&dir.path().join("synthetic"), &evaluation);

    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "g2017",
            "--method",
            "dp-aggregates",
            "--country",
            "GT",
            "--epsilon",
            "0.5",
            "--by",
            "gender,ageBroad,citizenship",
            "--seed",
            "2017",
            "--out",
            "crosstab",
            "--evaluation",
            "crosstab-evaluation.json",
        ],
    );
    assert!(ok, "{err}");
    let crosstab: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("crosstab-evaluation.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(crosstab["exact_total"], 47_102);
    assert_exact_count_absent(&dir.path().join("crosstab"), &crosstab);

    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["data.csv", "report.html"]);
    let (ok, _, err) = cli(dir.path(), &["import", "release", "synthetic"]);
    assert!(
        !ok && err.contains("--test"),
        "a seeded bundle is a test: {err}"
    );
    let (ok, out, err) = cli(dir.path(), &["import", "release", "synthetic", "--test"]);
    assert!(ok, "{err}");
    assert!(out.contains("release-g2017"), "{out}");
}

/// No file of the bundle in `folder` holds the 2017 file's row count, written any way people
/// write it, nor any of the exact-data distances of its `evaluation`.
fn assert_exact_count_absent(folder: &std::path::Path, evaluation: &Value) {
    let mut distances: Vec<String> = evaluation["total_variation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["distance"].to_string())
        .filter(|d| d.len() > 6)
        .collect();
    distances.sort();
    distances.dedup();
    for name in ["data.csv", "report.html", "manifest.json"] {
        let text = std::fs::read_to_string(folder.join(name)).unwrap();
        for written in ["47102", "47,102", "47 102", "47.102", "47\u{a0}102"] {
            assert!(
                !text.contains(written),
                "{}/{name} holds the exact row count as {written}",
                folder.display()
            );
        }
        for distance in &distances {
            assert!(
                !text.contains(distance.as_str()),
                "{}/{name} holds the exact-data distance {distance}",
                folder.display()
            );
        }
    }
}

/// Issue 28: every release method, on every CTDC file format, makes a bundle that
/// `import release` loads back with the rows the manifest states. The 2017 file's
/// synthetic release is the test above's; here its three other methods.
#[test]
fn every_method_round_trips_every_ctdc_file_through_import_release() {
    let Some(folder) = ctdc_folder() else {
        return;
    };
    // (file, cross-tab variables, a second table over them, synthesize it here)
    let formats: [(&str, &str, &str, bool); 3] = [
        (
            FILES[0].0,
            "gender,ageBroad",
            "gender,ageBroad,citizenship",
            false,
        ),
        (
            FILES[1].0,
            "gender,ageBroad",
            "gender,ageBroad,citizenship",
            true,
        ),
        (
            FILES[2].0,
            "gender,majorityStatus",
            "gender,majorityStatus,isForcedLabour",
            true,
        ),
    ];
    for (name, two, three, synthesize) in formats {
        let dir = tempfile::tempdir().unwrap();
        let file = folder.join(name);
        let (ok, _, err) = cli(
            dir.path(),
            &[
                "import",
                "ctdc",
                file.to_str().unwrap(),
                "--dataset",
                "ctdc",
            ],
        );
        assert!(ok, "{name}: {err}");
        let common = ["release", "--dataset", "ctdc", "--seed", "28"];
        let paid = ["--country", "GT", "--epsilon", "0.5"];
        let mut releases: Vec<(&str, Vec<&str>, &str)> = vec![
            (
                "kanon",
                vec!["--method", "kanon", "--k", "11"],
                "/rows/output",
            ),
            (
                "kanon-sds",
                vec!["--method", "kanon", "--k", "11", "--all-combinations", "2"],
                "/rows/output",
            ),
            (
                "dp-aggregates",
                [
                    &["--method", "dp-aggregates", "--by", two, "--by", three][..],
                    &paid,
                ]
                .concat(),
                "/released/total",
            ),
            (
                "dp-aggregates-zcdp",
                [
                    &[
                        "--method",
                        "dp-aggregates",
                        "--accountant",
                        "zcdp",
                        "--by",
                        three,
                    ][..],
                    &paid,
                ]
                .concat(),
                "/released/total",
            ),
        ];
        // A synthetic release of a few variables, the year not among them: it imports back as
        // the source's format.
        releases.push((
            "dp-synthetic-few",
            [&["--method", "dp-synthetic", "--by", two][..], &paid].concat(),
            "/released/rows",
        ));
        if synthesize {
            releases.push((
                "dp-synthetic",
                [&["--method", "dp-synthetic"][..], &paid].concat(),
                "/released/rows",
            ));
        }
        for (out, arguments, rows_at) in releases {
            let args = [&common[..], &arguments, &["--out", out]].concat();
            let (ok, _, err) = cli(dir.path(), &args);
            assert!(ok, "{name} {out}: {err}");
            let manifest = manifest_in(&dir.path().join(out));
            let rows = manifest.pointer(rows_at).and_then(Value::as_u64).unwrap();
            let regional = tempfile::tempdir().unwrap();
            let bundle = dir.path().join(out);
            let (ok, stdout, err) = cli(
                regional.path(),
                &["import", "release", bundle.to_str().unwrap(), "--test"],
            );
            assert!(ok, "{name} {out}: {err}");
            assert!(
                stdout.contains(&format!("imported `release-ctdc`: {rows} rows")),
                "{name} {out}: {rows} rows expected: {stdout}"
            );
        }
    }
}

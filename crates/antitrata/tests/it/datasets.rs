//! `antitrata import ctdc`, `dataset list|drop` and `stats` on small CTDC-format files written
//! here: the official files' variations are read, bad files are refused precisely and leave the
//! database as it was.

use std::path::Path;

use antitrata_store::{DatabaseUrl, Store};

use crate::support::{antitrata, run};

/// The 2017 layout in miniature, with the official files' terms-of-use column and their
/// encodings: `-99`, `NA` (Namibia), `ZZ`/`00`/`0`, `0.0`/`1.0` flags, an em dash in an age band.
const GOOD: &str = "By using this data you agree to the Terms of Use: https://www.ctdatacollaborative.org/terms-use,yearOfRegistration,Datasource,gender,ageBroad,citizenship,isForcedLabour,isSexualExploit,CountryOfExploitation\n\
0,2016,Hotline,Female,18--20,NA,0,1,US\n\
1,2016,Case Management,Male,-99,ZZ,1,0,-99\n\
2,2017,Hotline,Female,9--17,MX,-99,1,US\n\
3,2015,Case Management,Unknown,0\u{2014}8,00,1.0,0.0,0\n";

pub(crate) fn cli(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let output = run(antitrata().current_dir(dir).args(args));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The `manifest.json` of the release bundle in `folder`.
pub(crate) fn manifest_in(folder: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(folder.join("manifest.json")).unwrap()).unwrap()
}

pub(crate) async fn store_in(dir: &Path) -> Store {
    let url = format!(
        "sqlite://{}",
        dir.join("antitrata-data/antitrata.db").display()
    );
    Store::connect(&DatabaseUrl::parse(&url).unwrap())
        .await
        .unwrap()
}

/// Rows in every table an import writes, and in the audit log.
async fn stored_rows(dir: &Path) -> Vec<(&'static str, i64)> {
    let store = store_in(dir).await;
    let mut counts = Vec::new();
    for table in ["datasets", "dataset_columns", "dataset_chunks", "audit_log"] {
        counts.push((table, store.count_rows_for_tests(table).await.unwrap()));
    }
    store.close().await;
    counts
}

#[test]
fn a_ctdc_file_is_imported_counted_listed_and_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ctdc-mini.csv");
    std::fs::write(&file, GOOD).unwrap();
    let file = file.to_str().unwrap();

    let (ok, out, err) = cli(dir.path(), &["import", "ctdc", file]);
    assert!(ok, "{err}");
    assert!(
        out.contains("imported `ctdc-mini`: 4 rows, 9 columns, format ctdc-global"),
        "{out}"
    );
    assert!(out.contains("left out columns that are no CTDC variable: (terms-of-use column)"));

    let (ok, out, err) = cli(
        dir.path(),
        &["stats", "--dataset", "ctdc-mini", "--by", "citizenship"],
    );
    assert!(ok, "{err}");
    assert_eq!(
        out,
        "citizenship,count,percent\nMX,1,25.00\nNA,1,25.00\nZZ,2,50.00\n"
    );
    let (_, out, _) = cli(
        dir.path(),
        &[
            "stats",
            "--dataset",
            "ctdc-mini",
            "--by",
            "ageBroad,exploitationTypes",
            "--from-year",
            "2016",
        ],
    );
    // Age bands in their natural order, not as text.
    assert_eq!(
        out,
        "ageBroad,exploitationTypes,count,percent\n\
         9--17,Sexual exploitation,1,33.33\n\
         18--20,Sexual exploitation,1,33.33\n\
         ,Forced labour,1,33.33\n"
    );
    let (_, out, _) = cli(
        dir.path(),
        &[
            "stats",
            "--dataset",
            "ctdc-mini",
            "--by",
            "gender",
            "--where",
            "CountryOfExploitation=US",
            "--where",
            "CountryOfExploitation=",
        ],
    );
    assert_eq!(out, "gender,count,percent\nFemale,2,66.67\nMale,1,33.33\n");

    // Years are read as the console and the API read them: 1900 to 2100.
    for (flag, year) in [
        ("--from-year", "1800"),
        ("--to-year", "21000"),
        ("--from-year", "x"),
    ] {
        let (ok, out, err) = cli(
            dir.path(),
            &[
                "stats",
                "--dataset",
                "ctdc-mini",
                "--by",
                "gender",
                flag,
                year,
            ],
        );
        assert!(!ok && out.is_empty(), "{flag} {year}: {out}");
        assert!(
            err.contains(&format!("{flag} {year}: write a year from 1900 to 2100")),
            "{err}"
        );
    }

    // The same file again is a no-op, whatever name is asked for.
    let (ok, out, _) = cli(
        dir.path(),
        &["import", "ctdc", file, "--dataset", "other-name"],
    );
    assert!(ok);
    assert!(out.contains("was imported already as `ctdc-mini` (4 rows): nothing to do"));

    let (ok, out, _) = cli(dir.path(), &["dataset", "list"]);
    assert!(ok);
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with("ctdc-mini\tctdc-global\t4 rows\t0 skipped\t9 columns"));

    let (ok, out, err) = cli(dir.path(), &["dataset", "show", "ctdc-mini"]);
    assert!(ok, "{err}");
    assert!(out.contains("rows      4 (0 bad rows skipped)"), "{out}");
    assert!(out.contains("left out  (terms-of-use column)"), "{out}");
    assert!(
        out.contains("citizenship: 3 values, 0 missing; ZZ 2, MX 1, NA 1"),
        "{out}"
    );
    assert!(
        out.contains("ageBroad: 3 values, 1 missing; 0--8 1, 9--17 1, 18--20 1"),
        "{out}"
    );

    let (ok, out, _) = cli(dir.path(), &["dataset", "drop", "ctdc-mini"]);
    assert!(ok);
    assert_eq!(out, "dropped `ctdc-mini` (4 rows)\n");
    let (_, out, _) = cli(dir.path(), &["dataset", "list"]);
    assert!(out.contains("no datasets"));
    let (ok, _, err) = cli(dir.path(), &["dataset", "drop", "ctdc-mini"]);
    assert!(!ok);
    assert!(err.contains("there is no dataset `ctdc-mini`"), "{err}");
}

/// Each broken file fails with a message naming where and why, and the database is exactly as
/// it was: no dataset, no column, no chunk, no audit entry.
#[tokio::test]
async fn broken_files_are_refused_precisely_and_store_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, _, err) = cli(dir.path(), &["migrate"]);
    assert!(ok, "{err}");
    let before = stored_rows(dir.path()).await;

    // 20,000 good rows first, so that full chunks were written before the bad row.
    let header = "yearOfRegistration,gender,citizenship,isSexualExploit\n";
    let many_good = "2016,Female,PH,1\n".repeat(20_000);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "bad-value",
            format!("{header}{many_good}2016,Femal,PH,1\n").into_bytes(),
            "line 20002: column `gender`, value `Femal`: not one of: Female, Male, \
             Transgender/NonConforming, Unknown",
        ),
        (
            "wrong-header",
            b"year,sex,country\n2016,Female,PH\n".to_vec(),
            "line 1 (the header): this is not a CTDC file",
        ),
        (
            "misspelt-header",
            b"yearOfRegistration,gendre,citizenship\n2016,Female,PH\n".to_vec(),
            "line 1 (the header): the header has a column `gendre`: did you mean `gender`?",
        ),
        (
            "truncated",
            format!("{header}{many_good}2016,Fem").into_bytes(),
            "line 20002: has 2 fields where the header has 4: the line is broken or cut short",
        ),
        (
            "not-utf8",
            [
                header.as_bytes(),
                b"2016,Female,PH,1\n2017,F\xe9minin,PH,1\n".as_slice(),
            ]
            .concat(),
            "line 3: column 2: byte 2 of the field is not UTF-8",
        ),
        (
            "bad-country",
            format!("{header}2016,Female,Philippines,1\n").into_bytes(),
            "line 2: column `citizenship`, value `Philippines`: not an ISO 3166-1 alpha-2",
        ),
        ("empty", Vec::new(), "is empty"),
    ];
    for (name, content, expected) in cases {
        let file = dir.path().join(format!("{name}.csv"));
        std::fs::write(&file, content).unwrap();
        let (ok, out, err) = cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]);
        assert!(!ok, "{name} was accepted: {out}");
        assert!(err.contains(expected), "{name}: {err}");
        assert_eq!(
            stored_rows(dir.path()).await,
            before,
            "{name} left rows behind"
        );
    }
}

#[test]
fn skip_invalid_leaves_bad_rows_out_and_lists_each() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mixed.csv");
    std::fs::write(
        &file,
        "yearOfRegistration,gender,isSexualExploit\n\
         2016,Female,1\n\
         20x6,Female,1\n\
         2017,Male,0\n\
         2017,Male,yes\n",
    )
    .unwrap();
    let (ok, out, err) = cli(
        dir.path(),
        &["import", "ctdc", file.to_str().unwrap(), "--skip-invalid"],
    );
    assert!(ok, "{err}");
    assert!(out.contains("imported `mixed`: 2 rows"), "{out}");
    assert!(out.contains("skipped 2 bad rows:"), "{out}");
    assert!(
        out.contains(
            "line 3: column `yearOfRegistration`, value `20x6`: not a year between 1900 and 2100"
        ),
        "{out}"
    );
    assert!(
        out.contains("line 5: column `isSexualExploit`, value `yes`: not a flag"),
        "{out}"
    );
    let (_, out, _) = cli(dir.path(), &["dataset", "list"]);
    assert!(
        out.contains("mixed\tctdc-global\t2 rows\t2 skipped"),
        "{out}"
    );
}

#[test]
fn stats_refuses_unknown_datasets_variables_and_filters() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mini.csv");
    std::fs::write(&file, GOOD).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    for (args, expected) in [
        (
            vec!["--dataset", "nope", "--by", "gender"],
            "there is no dataset `nope`",
        ),
        (
            vec!["--dataset", "mini", "--by", "sex"],
            "the dataset has no variable `sex`",
        ),
        (
            vec![
                "--dataset",
                "mini",
                "--by",
                "gender,ageBroad,citizenship,Datasource",
            ],
            "cross one to three variables, not 4",
        ),
        (
            vec!["--dataset", "mini", "--by", "gender", "--where", "US"],
            "write it as column=value",
        ),
    ] {
        let mut all = vec!["stats"];
        all.extend(args);
        let (ok, _, err) = cli(dir.path(), &all);
        assert!(!ok);
        assert!(err.contains(expected), "{err}");
    }
}

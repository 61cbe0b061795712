//! `antitrata release --method kanon`: the released file keeps every group of quasi-identifier
//! values at k or more (counted here, independently), and the manifest states the parameters,
//! the guarantee and the file's SHA-256.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::datasets::{cli, manifest_in};

/// 40 records: Guatemalans and Hondurans in two age bands each, and three records that are rare
/// on their own.
fn fixture() -> String {
    let mut csv = String::from("yearOfRegistration,gender,ageBroad,citizenship,isSexualExploit\n");
    for i in 0..36 {
        let band = ["18--20", "21--23", "30--38", "39--47"][i % 4];
        let country = ["GT", "HN"][i % 2];
        csv.push_str(&format!("2016,Female,{band},{country},1\n"));
    }
    csv.push_str("2016,Female,48+,CA,0\n2016,Female,0--8,BZ,1\n2016,Female,9--17,PA,1\n2016,Male,18--20,GT,0\n");
    csv
}

#[test]
fn a_k_anonymous_release_keeps_every_group_at_k_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rcm.csv");
    std::fs::write(&file, fixture()).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    let out = dir.path().join("release");
    let (ok, stdout, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--k",
            "5",
            "--qi",
            "gender,ageBroad,citizenship",
            "--max-suppressed",
            "0.1",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert!(stdout.contains("k-anonymous release of `rcm`"), "{stdout}");

    let data = std::fs::read(out.join("data.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(data.as_slice());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(
        header,
        [
            "yearOfRegistration",
            "gender",
            "ageBroad",
            "citizenship",
            "isSexualExploit"
        ],
        "CTDC columns only, the derived one left out"
    );
    let mut groups: HashMap<(String, String, String), usize> = HashMap::new();
    let mut rows = 0;
    for record in reader.records() {
        let record = record.unwrap();
        *groups
            .entry((record[1].into(), record[2].into(), record[3].into()))
            .or_default() += 1;
        rows += 1;
    }
    let smallest = groups.values().copied().min().unwrap();
    assert!(smallest >= 5, "a group of {smallest}: {groups:?}");

    let manifest: Value = manifest_in(&out);
    assert_eq!(manifest["method"], "kanon");
    assert_eq!(manifest["parameters"]["k"], 5);
    assert_eq!(manifest["guarantee"]["achieved_k"], smallest as u64);
    assert_eq!(manifest["rows"]["input"], 40);
    assert_eq!(manifest["rows"]["output"], rows as u64);
    assert_eq!(
        manifest["rows"]["suppressed"].as_u64().unwrap() + rows as u64,
        40
    );
    assert!(manifest["rows"]["suppressed"].as_u64().unwrap() <= 4);
    assert_eq!(manifest["quasi_identifiers"].as_array().unwrap().len(), 3);
    // Each column alone (six, the derived one included) and each pair of quasi-identifiers.
    let distances = manifest["evaluation"]["total_variation"]
        .as_array()
        .unwrap();
    assert_eq!(distances.len(), 6 + 3);
    assert!(
        distances
            .iter()
            .all(|d| (0.0..=1.0).contains(&d["distance"].as_f64().unwrap()))
    );
    assert_eq!(
        manifest["files"][0]["sha256"],
        format!("{:x}", Sha256::digest(&data))
    );

    // The regional deployment checks the files and loads the release as a dataset; the
    // generalized columns keep their generalized values.
    let regional = tempfile::tempdir().unwrap();
    let (ok, stdout, err) = cli(
        regional.path(),
        &["import", "release", out.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(
        stdout.contains(&format!("imported `release-rcm`: {rows} rows")),
        "{stdout}"
    );
    let (_, listed, _) = cli(regional.path(), &["dataset", "list"]);
    assert!(listed.contains("release-rcm\trelease-kanon"), "{listed}");
    let (ok, counts, err) = cli(
        regional.path(),
        &["stats", "--dataset", "release-rcm", "--by", "citizenship"],
    );
    assert!(ok, "{err}");
    let released_countries: u64 = counts
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(released_countries, rows as u64);

    // A changed byte is caught before anything is stored.
    let tampered = dir.path().join("tampered");
    std::fs::create_dir(&tampered).unwrap();
    std::fs::copy(out.join("manifest.json"), tampered.join("manifest.json")).unwrap();
    let mut changed = data.clone();
    let last = changed.len() - 2;
    changed[last] = if changed[last] == b'1' { b'0' } else { b'1' };
    std::fs::write(tampered.join("data.csv"), &changed).unwrap();
    let (ok, _, err) = cli(
        regional.path(),
        &[
            "import",
            "release",
            tampered.to_str().unwrap(),
            "--dataset",
            "t",
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("data.csv does not match the manifest"),
        "{err}"
    );
    let (_, listed, _) = cli(regional.path(), &["dataset", "list"]);
    assert_eq!(listed.lines().count(), 1, "{listed}");

    // The audit log records the release.
    let (ok, out_verify, _) = cli(dir.path(), &["audit", "verify"]);
    assert!(ok, "{out_verify}");

    // A folder that holds files already is refused; so are methods not built yet.
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("is not empty"), "{err}");
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--method",
            "magic",
            "--out",
            dir.path().join("other").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("use kanon, dp-aggregates or dp-synthetic"),
        "{err}"
    );
}

/// SDS's all-combinations guarantee on top of k-anonymity: three records are the only ones from
/// the hotline, so that value is withheld from them; every combination of up to two values left
/// in a released record occurs in at least k input records (counted here on the input, which
/// the release did not need to generalize).
#[test]
fn the_all_combinations_guarantee_withholds_rare_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::new();
    for (i, line) in fixture().lines().enumerate() {
        let source = match i {
            0 => "Datasource",
            1..=3 => "Hotline",
            _ => "Case Management",
        };
        csv.push_str(&format!("{line},{source}\n"));
    }
    let file = dir.path().join("rcm.csv");
    std::fs::write(&file, &csv).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    // Records as column → value, so that files with columns in another order compare.
    let records = |reader: &mut csv::Reader<&[u8]>| -> Vec<BTreeMap<String, String>> {
        let header: Vec<String> = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_owned)
            .collect();
        reader
            .records()
            .map(|r| {
                header
                    .iter()
                    .cloned()
                    .zip(r.unwrap().iter().map(str::to_owned))
                    .collect()
            })
            .collect()
    };
    let release = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "release",
            "--dataset",
            "rcm",
            "--k",
            "5",
            "--qi",
            "gender,ageBroad,citizenship",
            "--max-suppressed",
            "0.1",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (ok, stdout, err) = cli(dir.path(), &args);
        assert!(ok, "{err}");
        let data = std::fs::read(out.join("data.csv")).unwrap();
        let released = records(&mut csv::Reader::from_reader(data.as_slice()));
        let manifest: Value = manifest_in(&out);
        (stdout, released, manifest)
    };

    let (_, plain, plain_manifest) = release("plain", &[]);
    assert!(
        plain.iter().any(|r| r["Datasource"] == "Hotline"),
        "k-anonymity alone keeps them"
    );
    assert!(plain_manifest["guarantee"]["all_combinations"].is_null());
    let (stdout, guarded, manifest) = release("guarded", &["--all-combinations", "2"]);
    assert!(stdout.contains("3 cells withheld in 3 records"), "{stdout}");
    let guarantee = &manifest["guarantee"]["all_combinations"];
    assert_eq!(guarantee["length"], 2);
    assert_eq!(guarantee["withheld_cells"][0]["column"], "Datasource");
    assert_eq!(guarantee["withheld_cells"][0]["cells"], 3);
    assert!(
        manifest["quasi_identifiers"]
            .as_array()
            .unwrap()
            .iter()
            .all(|q| q["level"] == 0),
        "nothing generalized, so the input itself is what the guarantee counts in"
    );

    // The same records, with cells only ever replaced by `*`.
    assert_eq!(plain.len(), guarded.len());
    for (a, b) in plain.iter().zip(&guarded) {
        for (column, x) in a {
            assert!(x == &b[column] || b[column] == "*", "{a:?} became {b:?}");
        }
    }
    let input = records(&mut csv::Reader::from_reader(csv.as_bytes()));
    let support = |combination: &[(&String, &String)]| {
        input
            .iter()
            .filter(|row| combination.iter().all(|(c, v)| &&row[*c] == v))
            .count()
    };
    for row in &guarded {
        let values: Vec<(&String, &String)> = row
            .iter()
            .filter(|(_, v)| !["*", "-99", ""].contains(&v.as_str()))
            .collect();
        for (i, &a) in values.iter().enumerate() {
            assert!(support(&[a]) >= 5, "{a:?} in {row:?}");
            for &b in &values[i + 1..] {
                assert!(support(&[a, b]) >= 5, "{a:?} with {b:?} in {row:?}");
            }
        }
    }

    // The regional side imports it, withheld cells and all.
    let regional = tempfile::tempdir().unwrap();
    let guarded_dir = dir.path().join("guarded");
    let (ok, stdout, err) = cli(
        regional.path(),
        &["import", "release", guarded_dir.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(stdout.contains("36 rows"), "{stdout}");
    let (ok, counts, err) = cli(
        regional.path(),
        &["stats", "--dataset", "release-rcm", "--by", "Datasource"],
    );
    assert!(ok, "{err}");
    assert!(counts.contains("*,3"), "{counts}");

    // SDS's metrics travel in both manifests; with the guarantee no rare combination is shown.
    let lengths = manifest["evaluation"]["combinations"]["by_length"]
        .as_array()
        .unwrap();
    assert_eq!(lengths.len(), 2);
    assert!(lengths.iter().all(|l| l["rare_released"] == 0));
    let plain_lengths = plain_manifest["evaluation"]["combinations"]["by_length"]
        .as_array()
        .unwrap();
    assert_eq!(
        plain_lengths.len(),
        3,
        "SDS's default length when none is asked"
    );
    assert!(plain_lengths[0]["rare_released"].as_u64().unwrap() > 0);

    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-synthetic",
            "--epsilon",
            "1",
            "--country",
            "GT",
            "--all-combinations",
            "2",
            "--out",
            dir.path().join("dp").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("--all-combinations applies to --method kanon only"),
        "{err}"
    );

    // A k-anonymous release has no evaluation kept apart: refused before anything is written.
    let refused = dir.path().join("kanon-with-evaluation");
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--k",
            "5",
            "--out",
            refused.to_str().unwrap(),
            "--evaluation",
            dir.path().join("kanon-evaluation.json").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("--evaluation applies to differentially private releases only"),
        "{err}"
    );
    assert!(!refused.exists(), "nothing written");
}

/// Differentially private cross-tabs spend the country's yearly budget (4.0 by default); one that
/// would pass it is refused and writes nothing.
/// Issue 28: a table imported with CTDC's one-hot exploitation flags gets the derived column
/// `exploitationTypes`; a guaranteed k-anonymous release withholds rare values in the columns it
/// writes (the flags), never in the derived one it leaves out, so the regional side imports it
/// back and derives the column again.
#[test]
fn a_guaranteed_release_of_one_hot_flags_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::new();
    for (i, line) in fixture().lines().enumerate() {
        // Two records in forced labour: rare at k = 5.
        let flag = match i {
            0 => "isForcedLabour",
            1 | 2 => "1",
            _ => "0",
        };
        csv.push_str(&format!("{line},{flag}\n"));
    }
    let file = dir.path().join("rcm.csv");
    std::fs::write(&file, &csv).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    let (ok, schema, err) = cli(dir.path(), &["dataset", "show", "rcm"]);
    assert!(ok, "{err}");
    assert!(schema.contains("exploitationTypes"), "derived: {schema}");
    let out = dir.path().join("guarded");
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--k",
            "5",
            "--qi",
            "gender,ageBroad,citizenship",
            "--max-suppressed",
            "0.1",
            "--all-combinations",
            "2",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    let manifest: Value = manifest_in(&out);
    let withheld: Vec<&str> = manifest["guarantee"]["all_combinations"]["withheld_cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["column"].as_str().unwrap())
        .collect();
    assert!(withheld.contains(&"isForcedLabour"), "{withheld:?}");
    assert!(!withheld.contains(&"exploitationTypes"), "{withheld:?}");
    let data = std::fs::read_to_string(out.join("data.csv")).unwrap();
    assert!(!data.lines().next().unwrap().contains("exploitationTypes"));

    let regional = tempfile::tempdir().unwrap();
    let (ok, stdout, err) = cli(
        regional.path(),
        &["import", "release", out.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(stdout.contains("release-rcm"), "{stdout}");
    let (ok, counts, err) = cli(
        regional.path(),
        &[
            "stats",
            "--dataset",
            "release-rcm",
            "--by",
            "isForcedLabour",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        counts.contains("*,2"),
        "the two rare flags withheld: {counts}"
    );
}

#[test]
fn dp_aggregates_spend_the_yearly_budget_and_stop_at_it() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rcm.csv");
    std::fs::write(&file, fixture()).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    let release = |epsilon: &str, out: &str| {
        cli(
            dir.path(),
            &[
                "release",
                "--dataset",
                "rcm",
                "--method",
                "dp-aggregates",
                "--country",
                "GT",
                "--epsilon",
                epsilon,
                "--by",
                "gender,ageBroad",
                "--out",
                dir.path().join(out).to_str().unwrap(),
                "--evaluation",
                dir.path()
                    .join(format!("{out}-evaluation.json"))
                    .to_str()
                    .unwrap(),
            ],
        )
    };
    let (ok, stdout, err) = release("1.5", "first");
    assert!(ok, "{err}");
    assert!(stdout.contains("GT has spent ε = 1.5 of its"), "{stdout}");
    let data = std::fs::read_to_string(dir.path().join("first/data.csv")).unwrap();
    let mut lines = data.lines();
    assert_eq!(lines.next(), Some("gender,ageBroad,count"));
    let rows: Vec<&str> = lines.collect();
    // The codebook domain, not the data's: 4 genders and missing × 10 bands and missing.
    assert_eq!(rows.len(), 5 * 11);
    assert!(
        rows.iter()
            .any(|r| r.starts_with("Transgender/NonConforming,48+,")),
        "cells absent from the data are released too"
    );
    let total: u64 = rows
        .iter()
        .map(|r| r.rsplit(',').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert!(total.abs_diff(40) < 60, "noisy total {total} of 40 records");
    let manifest: Value = manifest_in(&dir.path().join("first"));
    assert_eq!(manifest["privacy"]["epsilon"], "1.5");
    assert_eq!(manifest["privacy"]["delta"], 0);
    assert_eq!(manifest["released"]["cells"], 55);
    assert_eq!(manifest["released"]["total"].as_u64().unwrap(), total);
    assert!(
        manifest.get("evaluation").is_none() && manifest["source"].get("sha256").is_none(),
        "the exact-data evaluation stays out of a private bundle: {manifest}"
    );
    let evaluation: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("first-evaluation.json")).unwrap())
            .unwrap();
    let distances = evaluation["total_variation"].as_array().unwrap();
    assert_eq!(distances.len(), 3, "gender, ageBroad, and both");
    for d in distances {
        let distance = d["distance"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&distance), "{d}");
    }
    assert_eq!(evaluation["exact_total"], 40);
    assert_eq!(evaluation["released_total"].as_u64().unwrap(), total);
    assert_eq!(evaluation["source"]["dataset"], "rcm");

    // The regional side loads the cross-tab as records, one per counted unit, so its cross-tabs
    // are the released counts: the same cells and the same total.
    let regional = tempfile::tempdir().unwrap();
    let (ok, stdout, err) = cli(
        regional.path(),
        &[
            "import",
            "release",
            dir.path().join("first").to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert!(
        stdout.contains(&format!("imported `release-rcm`: {total} rows")),
        "{stdout}"
    );
    let (ok, counted, err) = cli(
        regional.path(),
        &[
            "stats",
            "--dataset",
            "release-rcm",
            "--by",
            "gender,ageBroad",
        ],
    );
    assert!(ok, "{err}");
    // Lines of gender,ageBroad,count,percent.
    let counted: Vec<&str> = counted.lines().skip(1).collect();
    let recounted: u64 = counted
        .iter()
        .map(|r| r.rsplit(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(recounted, total);
    let full_cells: Vec<&&str> = rows
        .iter()
        .filter(|r| !r.starts_with(',') && !r.contains(",,") && !r.ends_with(",0"))
        .collect();
    assert!(!full_cells.is_empty());
    for cell in full_cells {
        assert!(
            counted.iter().any(|c| c.starts_with(&format!("{cell},"))),
            "{cell} not in {counted:?}"
        );
    }

    let (ok, _, err) = release("3", "second");
    assert!(!ok);
    assert!(
        err.contains("it would pass the limit, so nothing was spent"),
        "{err}"
    );
    assert!(!dir.path().join("second").exists(), "nothing written");
    let (ok, stdout, err) = release("2.5", "third");
    assert!(ok, "{err}");
    assert!(stdout.contains("GT has spent ε = 4 of its"), "{stdout}");

    for (args, expected) in [
        (vec!["--by", "gender"], "--country"),
        (vec!["--country", "GT", "--by", "gender"], "--epsilon"),
        (
            vec!["--country", "GT", "--epsilon=-1", "--by", "gender"],
            "write a positive decimal",
        ),
        (
            vec![
                "--country",
                "GT",
                "--epsilon",
                "1",
                "--by",
                "exploitationTypes",
            ],
            "no closed list of values",
        ),
        (
            vec!["--country", "GT", "--epsilon", "1", "--by", "gender,sex"],
            "--by: the table has no column `sex`; its columns are: ",
        ),
        (
            vec!["--country", "FR", "--epsilon", "1", "--by", "gender"],
            "FR is not an RCM country: a release is paid from the yearly budget of one of the \
             eleven members (BZ, CA, ",
        ),
    ] {
        let mut all = vec![
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-aggregates",
            "--out",
        ];
        let out = dir.path().join("refused");
        all.push(out.to_str().unwrap());
        all.extend(args);
        let (ok, _, err) = cli(dir.path(), &all);
        assert!(!ok);
        assert!(err.contains(expected), "{expected}: {err}");
    }
}

/// The files of a release folder, by name.
fn files_in(folder: &std::path::Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| {
            let entry = entry.unwrap();
            (
                entry.file_name().into_string().unwrap(),
                std::fs::read(entry.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn a_release_pays_only_once_its_folder_can_be_made_and_can_be_fetched_again() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rcm.csv");
    std::fs::write(&file, fixture()).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    std::fs::write(dir.path().join("a-file"), "not a folder").unwrap();
    let release = |out: &str, more: &[&str]| {
        let mut args = vec![
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-aggregates",
            "--country",
            "GT",
            "--epsilon",
            "0.5",
            "--by",
            "gender",
            "--out",
            out,
        ];
        args.extend_from_slice(more);
        cli(dir.path(), &args)
    };
    let listed = || {
        let (ok, out, err) = cli(dir.path(), &["releases", "list", "--country", "GT"]);
        assert!(ok, "{err}");
        out
    };

    // A folder that cannot be made, or an evaluation file that cannot be written, refuses the
    // release before it is paid for.
    let (ok, _, err) = release("a-file/rel", &[]);
    assert!(!ok);
    assert!(
        err.contains("--out a-file/rel: no folder can be made in a-file")
            && err.contains("nothing was spent"),
        "{err}"
    );
    let (ok, _, err) = release("rel", &["--evaluation", "no-such-folder/evaluation.json"]);
    assert!(!ok);
    assert!(err.contains("its folder does not exist"), "{err}");
    assert!(
        listed().starts_with("GT paid for no release in "),
        "{}",
        listed()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with(".antitrata-release-") || name == "rel")
        .collect();
    assert!(leftovers.is_empty(), "nothing left behind: {leftovers:?}");

    // A paid release is kept: listed, and written again as it was made, byte for byte.
    let (ok, out, err) = release("first", &[]);
    assert!(ok, "{err}");
    let id = out
        .split("kept in the database as release ")
        .nth(1)
        .and_then(|rest| rest.split(':').next())
        .unwrap_or_else(|| panic!("no release id in {out}"))
        .to_owned();
    let list = listed();
    assert_eq!(list.lines().count(), 1, "{list}");
    assert!(
        list.starts_with(&id) && list.contains("dp-aggregates  rcm  ε = 0.5  kept"),
        "{list}"
    );
    let (ok, out, err) = cli(
        dir.path(),
        &[
            "releases",
            "fetch",
            &id,
            "--country",
            "GT",
            "--out",
            "again",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains(&format!(
            "release {id} of GT written again in again: data.csv, report.html, manifest.json"
        )),
        "{out}"
    );
    let first = files_in(&dir.path().join("first"));
    assert_eq!(first.len(), 3);
    assert!(
        first == files_in(&dir.path().join("again")),
        "byte for byte"
    );
    assert_eq!(listed().lines().count(), 1, "fetching again spends nothing");

    for (args, expected) in [
        (
            vec![
                "releases",
                "fetch",
                &id,
                "--country",
                "GT",
                "--out",
                "first",
            ],
            "first is not empty",
        ),
        (
            vec!["releases", "fetch", &id, "--country", "HN", "--out", "x"],
            "HN has no kept release",
        ),
        (
            vec!["releases", "fetch", "nope", "--country", "GT", "--out", "x"],
            "`nope`: write a release id",
        ),
    ] {
        let (ok, _, err) = cli(dir.path(), &args);
        assert!(!ok);
        assert!(err.contains(expected), "{expected}: {err}");
    }
    assert!(!dir.path().join("x").exists());
}

/// The sums of a cross-tab file's counts over the cells' first `keep` values.
fn sums_by_prefix(csv: &str, keep: usize) -> BTreeMap<Vec<String>, u64> {
    let mut sums = BTreeMap::new();
    for line in csv.lines().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let count: u64 = fields.last().unwrap().parse().unwrap();
        let key = fields[..keep].iter().map(|f| (*f).to_owned()).collect();
        *sums.entry(key).or_insert(0) += count;
    }
    sums
}

#[test]
fn a_workload_release_gives_consistent_tables_paid_once_and_imports_back() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rcm.csv");
    let mut csv = String::from("yearOfRegistration,gender,ageBroad,citizenship,isSexualExploit\n");
    for i in 0..3_000 {
        let gender = ["Female", "Female", "Male"][i % 3];
        let band = ["18--20", "21--23", "30--38", "9--17"][i % 4];
        let country = ["GT", "HN", "SV", "MX", "GT"][i % 5];
        csv.push_str(&format!("2016,{gender},{band},{country},{}\n", i % 2));
    }
    std::fs::write(&file, csv).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    let out = dir.path().join("workload");
    let (ok, stdout, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-aggregates",
            "--country",
            "GT",
            "--epsilon",
            "1",
            "--by",
            "gender,ageBroad",
            "--by",
            "gender,ageBroad,citizenship",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");
    assert!(
        stdout.contains("GT has spent ε = 1 of its"),
        "paid once: {stdout}"
    );
    assert!(
        stdout.contains(
            "gender × ageBroad (table-1.csv); gender × ageBroad × citizenship (table-2.csv)"
        ),
        "{stdout}"
    );
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let (two, three, data) = (read("table-1.csv"), read("table-2.csv"), read("data.csv"));
    assert_eq!(two.lines().next(), Some("gender,ageBroad,count"));
    assert_eq!(
        three.lines().next(),
        Some("gender,ageBroad,citizenship,count")
    );
    assert_eq!(
        data, three,
        "the union of the variables is the larger table"
    );
    // Every 2-way cell is the sum of its 3-way cells (no count can be negative: they parse as
    // unsigned), and both tables have one total.
    assert_eq!(sums_by_prefix(&two, 2), sums_by_prefix(&three, 2));
    let total = |csv: &str| sums_by_prefix(csv, 0)[&Vec::new()];
    assert_eq!(total(&two), total(&three));
    assert!(total(&two).abs_diff(3_000) < 100, "{}", total(&two));
    // The noisy 2-way table is close to the data: 1,000 women 18--20 of 3,000 is 250 each band.
    let women = sums_by_prefix(&two, 2);
    let cell = women[&vec!["Female".to_owned(), "18--20".to_owned()]];
    assert!(cell.abs_diff(500) < 40, "{cell}");

    let manifest: Value = manifest_in(&out);
    let files: Vec<&str> = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        files,
        ["data.csv", "table-1.csv", "table-2.csv", "report.html"]
    );
    assert_eq!(manifest["workload"]["tables"][1]["file"], "table-2.csv");
    assert_eq!(
        manifest["privacy"]["noise"][0]["scale"], 2.0,
        "T/ε with T = 2"
    );

    let regional = tempfile::tempdir().unwrap();
    let (ok, stdout, err) = cli(
        regional.path(),
        &["import", "release", out.to_str().unwrap()],
    );
    assert!(ok, "{err}");
    assert!(
        stdout.contains(&format!("imported `release-rcm`: {} rows", total(&three))),
        "{stdout}"
    );

    // Several tables are for cross-tabs only.
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-synthetic",
            "--country",
            "GT",
            "--epsilon",
            "1",
            "--by",
            "gender",
            "--by",
            "ageBroad",
            "--out",
            dir.path().join("refused").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("several tables are for --method dp-aggregates"),
        "{err}"
    );
}

/// Issue 28: a zCDP release spends the largest ρ whose conversion at the country's δ stays
/// within its ε, states the accountant and both figures, and the year's zCDP releases are
/// charged the conversion of their summed ρ; a δ above 1/n for the table is refused.
#[test]
fn a_zcdp_release_states_rho_and_its_conversion_and_the_ledger_sums_rho() {
    use antitrata_privacy::accountant::zcdp_epsilon_micros;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("rcm.csv");
    let mut csv = String::from("yearOfRegistration,gender,ageBroad,citizenship\n");
    for i in 0..3_000 {
        let gender = ["Female", "Female", "Male"][i % 3];
        let band = ["18--20", "21--23", "30--38", "9--17"][i % 4];
        let country = ["GT", "HN", "SV", "MX", "GT"][i % 5];
        csv.push_str(&format!("2016,{gender},{band},{country}\n"));
    }
    std::fs::write(&file, csv).unwrap();
    assert!(cli(dir.path(), &["import", "ctdc", file.to_str().unwrap()]).0);
    let release = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-aggregates",
            "--country",
            "GT",
            "--epsilon",
            "1",
            "--by",
            "gender,ageBroad",
            "--by",
            "gender,ageBroad,citizenship",
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        let (ok, stdout, err) = cli(dir.path(), &args);
        let manifest = out
            .join("manifest.json")
            .exists()
            .then(|| manifest_in(&out));
        (ok, stdout, err, manifest)
    };

    let (ok, stdout, err, manifest) = release("first", &["--accountant", "zcdp"]);
    assert!(ok, "{err}");
    let manifest = manifest.unwrap();
    let privacy = &manifest["privacy"];
    assert!(
        privacy["accountant"]
            .as_str()
            .unwrap()
            .starts_with("ρ-zCDP"),
        "{privacy}"
    );
    let rho = privacy["rho"].as_f64().unwrap();
    let converted = privacy["epsilon_converted"].as_f64().unwrap();
    assert_eq!(privacy["epsilon"], "1");
    assert_eq!(privacy["delta"].as_f64(), Some(1e-9));
    // ρ is the largest that fits ε = 1 at δ = 10⁻⁹, to a millionth.
    let rho_micros = (rho * 1e6).round() as i64;
    assert!(zcdp_epsilon_micros(rho_micros, 1_000_000) <= 1_000_000);
    assert!(zcdp_epsilon_micros(rho_micros + 1, 1_000_000) > 1_000_000);
    assert!((0.99..=1.0).contains(&converted), "{converted}");
    assert_eq!(privacy["noise"][0]["distribution"], "discrete Gaussian");
    // σ² = T/(2ρ) with T = 2 tables: σ = 1/√ρ.
    let sigma = privacy["noise"][0]["scale"].as_f64().unwrap();
    assert!((sigma - 1.0 / rho.sqrt()).abs() < 1e-9, "{sigma} {rho}");
    assert!(stdout.contains(&format!("zCDP: ρ = {rho}")), "{stdout}");
    // The workload is consistent under zCDP too.
    let read = |name: &str| std::fs::read_to_string(dir.path().join("first").join(name)).unwrap();
    let (two, three) = (read("table-1.csv"), read("table-2.csv"));
    assert_eq!(sums_by_prefix(&two, 2), sums_by_prefix(&three, 2));

    // A second zCDP release: the year is charged the conversion of both ρ together, far less
    // than the two conversions added.
    let (ok, _, err, second) = release("second", &["--accountant", "zcdp"]);
    assert!(ok, "{err}");
    let budget = &second.unwrap()["privacy"]["budget"];
    let spent = budget["spent_this_year_epsilon"].as_f64().unwrap();
    assert_eq!(
        (spent * 1e6).round() as i64,
        zcdp_epsilon_micros(2 * rho_micros, 1_000_000)
    );
    assert!(
        spent < 2.0 * converted - 0.4,
        "{spent} against 2 × {converted}"
    );
    assert_eq!(budget["spent_this_year_delta"].as_f64(), Some(1e-9));
    assert_eq!(budget["yearly_limit_delta"].as_f64(), Some(1e-9));

    // A pure release goes on the same ledger: its ε adds to the conversion.
    let (ok, _, err, pure) = release("pure", &[]);
    assert!(ok, "{err}");
    let pure = pure.unwrap();
    assert_eq!(pure["privacy"]["delta"], 0);
    assert_eq!(
        pure["privacy"]["noise"][0]["distribution"],
        "discrete Laplace"
    );
    let after = pure["privacy"]["budget"]["spent_this_year_epsilon"]
        .as_f64()
        .unwrap();
    assert!((after - spent - 1.0).abs() < 1e-6, "{after} {spent}");

    // The bundle imports back (seeded bundles only as tests; this one is not seeded).
    let regional = tempfile::tempdir().unwrap();
    let (ok, _, err) = cli(
        regional.path(),
        &[
            "import",
            "release",
            dir.path().join("first").to_str().unwrap(),
        ],
    );
    assert!(ok, "{err}");

    // The budget's δ above 1/n for the table (3,000 records: 1/n ≈ 3.3 × 10⁻⁴) is refused,
    // and nothing is spent or written.
    let config = dir.path().join("wide-delta.toml");
    std::fs::write(&config, "[privacy]\ndelta = 1e-3\n").unwrap();
    let out = dir.path().join("refused");
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "--config",
            config.to_str().unwrap(),
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-aggregates",
            "--accountant",
            "zcdp",
            "--country",
            "GT",
            "--epsilon",
            "1",
            "--by",
            "gender",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("is above 1/n for this table"), "{err}");
    assert!(!out.join("manifest.json").exists());
    let (_, _, _, last) = release("last", &[]);
    let last = last.unwrap();
    let now = last["privacy"]["budget"]["spent_this_year_epsilon"]
        .as_f64()
        .unwrap();
    assert!(
        (now - after - 1.0).abs() < 1e-6,
        "the refused release spent nothing"
    );

    // zCDP is for cross-tabs; an unknown accountant is named.
    let (ok, _, err) = cli(
        dir.path(),
        &[
            "release",
            "--dataset",
            "rcm",
            "--method",
            "dp-synthetic",
            "--accountant",
            "zcdp",
            "--country",
            "GT",
            "--epsilon",
            "1",
            "--out",
            dir.path().join("synthetic").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(
        err.contains("--accountant zcdp applies to --method dp-aggregates only"),
        "{err}"
    );
    let (ok, _, err, _) = release("typo", &["--accountant", "renyi"]);
    assert!(!ok);
    assert!(
        err.contains("--accountant renyi: use pure or zcdp"),
        "{err}"
    );
}

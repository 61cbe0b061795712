//! `antitrata release --method kanon`: the released file keeps every group of quasi-identifier
//! values at k or more (counted here, independently), and the manifest states the parameters,
//! the guarantee and the file's SHA-256.

use std::collections::HashMap;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::datasets::cli;

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

    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
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
    assert_eq!(
        manifest["files"][0]["sha256"],
        format!("{:x}", Sha256::digest(&data))
    );

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
            "dp-synthetic",
            "--out",
            dir.path().join("other").to_str().unwrap(),
        ],
    );
    assert!(!ok);
    assert!(err.contains("only kanon exists so far"), "{err}");
}

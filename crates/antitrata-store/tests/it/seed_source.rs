//! The committed seed agrees with the research file it was derived from.
//!
//! The research file lives outside the project (`../shared/data/hotlines/hotlines.json`). CI sets
//! `ANTITRATA_SHARED_DATA` to its folder and then this test must run; without the variable the test
//! looks beside the checkout and says so when the file is absent.

use std::path::PathBuf;

use antitrata_store::seed_directory;
use serde_json::Value;

fn research_file() -> Option<PathBuf> {
    let from_env = std::env::var_os("ANTITRATA_SHARED_DATA").map(PathBuf::from);
    let required = from_env.is_some();
    let folder = from_env
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let file = folder.join("hotlines/hotlines.json");
    if file.exists() {
        Some(file)
    } else if required {
        panic!(
            "ANTITRATA_SHARED_DATA is set but {} does not exist",
            file.display()
        );
    } else {
        antitrata_store::testing::not_run(&format!(
            "the seed comparison (research file {} absent)",
            file.display()
        ));
        None
    }
}

#[test]
fn every_number_confidence_and_source_matches_the_research_file() {
    let Some(file) = research_file() else { return };
    let research: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let seed = seed_directory().unwrap();
    assert_eq!(seed.len(), research.len());
    for source in &research {
        let iso2 = source["country_iso2"].as_str().unwrap();
        let directory = seed
            .iter()
            .find(|d| d.country.iso2.as_str() == iso2)
            .unwrap();
        assert_eq!(
            directory.country.emergency_number,
            source["emergency_number"].as_str().unwrap()
        );
        assert_eq!(
            directory.country.name_es,
            source["country_name_es"].as_str().unwrap()
        );
        assert_eq!(
            directory.country.name_en,
            source["country_name_en"].as_str().unwrap()
        );
        let lines = source["hotlines"].as_array().unwrap();
        assert_eq!(directory.hotlines.len(), lines.len(), "{iso2}");
        for (line, source) in directory.hotlines.iter().zip(lines) {
            assert_eq!(line.name, source["name"].as_str().unwrap(), "{iso2}");
            assert_eq!(
                line.number.as_deref(),
                source["number"].as_str(),
                "{iso2} {}",
                line.name
            );
            assert_eq!(
                line.confidence.as_str(),
                source["confidence"].as_str().unwrap()
            );
            assert_eq!(line.scope.as_str(), source["scope"].as_str().unwrap());
            let urls: Vec<&str> = source["source_urls"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(line.source_urls, urls, "{iso2} {}", line.name);
            assert_eq!(
                line.source_year.map(i64::from),
                source["source_year"].as_i64()
            );
        }
    }
}

//! Every Fluent key exists in es, en and fr, and every key the code uses exists.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use antitrata_domain::{Channel, HotlineScope, Lang};
use fluent_syntax::ast::Entry;

fn crate_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn keys_of(lang: Lang) -> BTreeSet<String> {
    let folder = crate_dir().join("locales").join(lang.code());
    let mut keys = BTreeSet::new();
    for file in std::fs::read_dir(&folder).unwrap() {
        let path = file.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let resource = fluent_syntax::parser::parse(text.as_str())
            .unwrap_or_else(|(_, errors)| panic!("{} does not parse: {errors:?}", path.display()));
        for entry in resource.body {
            if let Entry::Message(message) = entry {
                assert!(
                    keys.insert(message.id.name.to_owned()),
                    "duplicate key {}",
                    message.id.name
                );
            }
        }
    }
    keys
}

/// String literals passed to `.t("…")` or `.t1("…"` in templates and Rust code (not comments).
fn keys_used_in(folder: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(folder).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            keys_used_in(&path, out);
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let code: String = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for marker in [".t(\"", ".t1(\""] {
            for piece in code.split(marker).skip(1) {
                let key = piece.split('"').next().unwrap();
                if !key.is_empty()
                    && key
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit())
                {
                    out.insert(key.to_owned());
                }
            }
        }
    }
}

#[test]
fn every_locale_has_every_key() {
    let es = keys_of(Lang::Es);
    assert!(es.len() > 50, "only {} keys found", es.len());
    for lang in [Lang::En, Lang::Fr] {
        let other = keys_of(lang);
        let missing: Vec<_> = es.difference(&other).collect();
        let extra: Vec<_> = other.difference(&es).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{lang}: missing {missing:?}, not in es {extra:?}"
        );
    }
}

#[test]
fn every_key_used_exists() {
    let mut used = BTreeSet::new();
    keys_used_in(&crate_dir().join("templates"), &mut used);
    keys_used_in(&crate_dir().join("src"), &mut used);
    assert!(
        used.contains("site-name") && used.contains("emergency-call"),
        "scan found {used:?}"
    );
    // Keys the code builds from vocabularies and statuses.
    used.extend(HotlineScope::ALL.map(|s| format!("scope-{}", s.as_str())));
    used.extend(Channel::ALL.map(|c| format!("channel-{}", c.as_str())));
    used.extend(Lang::ALL.map(|l| format!("language-{}", l.code())));
    used.extend(antitrata_domain::Role::ASSIGNABLE.map(|r| format!("role-{}", r.as_str())));
    used.extend(["status-active", "status-disabled", "status-pending"].map(String::from));
    used.extend(
        [
            "password-too-short",
            "password-too-long",
            "password-too-guessable",
        ]
        .map(String::from),
    );
    for status in [400, 403, 404, 405, 413, 500, 503] {
        used.insert(format!("error-title-{status}"));
        used.insert(format!("error-detail-{status}"));
    }
    for lang in Lang::ALL {
        let keys = keys_of(lang);
        let missing: Vec<_> = used.difference(&keys).collect();
        assert!(missing.is_empty(), "{lang} lacks {missing:?}");
    }
}

#[test]
fn the_seeded_languages_have_names() {
    let keys = keys_of(Lang::Es);
    for directory in antitrata_store::seed_directory().unwrap() {
        for line in directory.hotlines {
            for code in line.languages {
                assert!(
                    keys.contains(&format!("language-{code}")),
                    "no name for language {code}"
                );
            }
        }
    }
}

/// One of each field problem (the match makes a new kind of problem fail to compile here until it
/// is listed).
fn every_problem() -> [antitrata_domain::casework::Problem; 11] {
    use antitrata_domain::casework::Problem;
    let all = [
        Problem::Required,
        Problem::TooLong(1),
        Problem::UnknownCode,
        Problem::InFuture,
        Problem::BadDate,
        Problem::EndsBeforeStart,
        Problem::BadPhone,
        Problem::BadCountry,
        Problem::OutOfRange,
        Problem::NotAllowedNow,
        Problem::NoTitle,
    ];
    for problem in all {
        match problem {
            Problem::Required
            | Problem::TooLong(_)
            | Problem::UnknownCode
            | Problem::InFuture
            | Problem::BadDate
            | Problem::EndsBeforeStart
            | Problem::BadPhone
            | Problem::BadCountry
            | Problem::OutOfRange
            | Problem::NotAllowedNow
            | Problem::NoTitle => {}
        }
    }
    all
}

/// A field's own wording of a problem (`problem-<problem>-<field>`) belongs to a problem that
/// exists, and the page limit's names the store's real maximum.
#[test]
fn field_wordings_of_problems_name_a_known_problem() {
    let problems = every_problem().map(|p| p.label_key());
    let keys = keys_of(Lang::Es);
    let worded: Vec<_> = keys
        .iter()
        .filter(|k| k.starts_with("problem-") && !problems.contains(k))
        .collect();
    assert!(worded.len() >= 10, "{worded:?}");
    for key in worded {
        assert!(
            problems.iter().any(|p| key
                .strip_prefix(p.as_str())
                .is_some_and(|f| f.starts_with('-'))),
            "{key} is no problem's field wording"
        );
    }
    for lang in Lang::ALL {
        let path = crate_dir()
            .join("locales")
            .join(lang.code())
            .join("casework.ftl");
        let text = std::fs::read_to_string(path).unwrap();
        let limit = text
            .lines()
            .find(|line| line.starts_with("problem-out-of-range-limit ="))
            .unwrap_or_else(|| panic!("{lang} has no wording for the page limit"));
        assert!(
            limit.contains(&format!(" {} ", antitrata_store::PAGE_MAX)),
            "{lang}: {limit}"
        );
    }
}

/// Every value of every hotline-work vocabulary, and every field problem, has a label in every
/// language (the console builds their keys, so the scan above cannot see them).
#[test]
fn every_vocabulary_value_has_a_label() {
    use antitrata_domain::casework::*;
    fn keys<T: Picklist>() -> Vec<String> {
        T::all().iter().map(|v| v.label_key()).collect()
    }
    let mut wanted = Vec::new();
    wanted.extend(keys::<ContactChannel>());
    wanted.extend(keys::<Direction>());
    wanted.extend(keys::<CallerRole>());
    wanted.extend(keys::<HeardVia>());
    wanted.extend(keys::<ContactOutcome>());
    wanted.extend(keys::<ContactLanguage>());
    wanted.extend(keys::<Indicator>());
    wanted.extend(keys::<Answer>());
    wanted.extend(keys::<ScreeningResult>());
    wanted.extend(keys::<ScreeningRule>());
    wanted.extend(keys::<CaseStatus>());
    wanted.extend(keys::<ClosureReason>());
    wanted.extend(keys::<RiskLevel>());
    wanted.extend(keys::<ExploitationType>());
    wanted.extend(keys::<MeansOfControl>());
    wanted.extend(keys::<Sector>());
    wanted.extend(keys::<RecruitmentMethod>());
    wanted.extend(keys::<PersonRole>());
    wanted.extend(keys::<Gender>());
    wanted.extend(keys::<AgeBand>());
    wanted.extend(keys::<ConsentScope>());
    wanted.extend(keys::<GivenBy>());
    wanted.extend(keys::<ServiceCategory>());
    wanted.extend(keys::<ReferralStatus>());
    for problem in every_problem() {
        wanted.push(problem.label_key());
    }
    for action in [
        "activate",
        "request-closure",
        "close",
        "approve-closure",
        "reject-closure",
        "reopen",
    ] {
        wanted.push(format!("case-action-{action}"));
    }
    for form in [
        "take",
        "assign",
        "status",
        "details",
        "person",
        "person-edited",
        "person-removed",
        "consent",
        "consent-withdrawn",
        "referral",
        "referral-status",
        "follow-up",
        "follow-up-done",
    ] {
        wanted.push(format!("case-saved-{form}"));
    }
    for lang in [Lang::Es, Lang::En, Lang::Fr] {
        let have = keys_of(lang);
        let missing: Vec<_> = wanted.iter().filter(|k| !have.contains(*k)).collect();
        assert!(missing.is_empty(), "{lang}: no label for {missing:?}");
    }
}

/// Every variable any statistics source can show (both CTDC formats, the derived
/// `exploitationTypes`, and so the live cases, which are a Global Dataset file) has a label in
/// every language, and so has every word among their codebook values: the statistics page builds
/// these keys from the CTDC names, so the scan above cannot see them.
#[test]
fn every_statistics_variable_and_word_value_has_a_label() {
    use antitrata_domain::stats::{codebook_values, global_columns, statistics_variables};
    use antitrata_web::{stat_value_key, stat_variable_key};
    let variables: Vec<&str> = statistics_variables().collect();
    for expected in [
        "isSexualExploit",
        "IP_Relation",
        "yearRegister",
        "exploitationTypes",
    ] {
        assert!(variables.contains(&expected), "{expected}");
    }
    for column in global_columns() {
        assert!(variables.contains(&column), "live cases' {column}");
    }
    let mut wanted = BTreeSet::new();
    for variable in &variables {
        assert!(
            wanted.insert(stat_variable_key(variable)),
            "{variable} shares its key with another variable"
        );
    }
    let mut values = 0;
    for variable in &variables {
        for value in codebook_values(variable) {
            if value.bytes().any(|b| b.is_ascii_alphabetic()) {
                wanted.insert(stat_value_key(value));
                values += 1;
            }
        }
    }
    assert!(values > 30, "only {values} word values found");
    for lang in Lang::ALL {
        let have = keys_of(lang);
        let missing: Vec<_> = wanted.iter().filter(|k| !have.contains(*k)).collect();
        assert!(missing.is_empty(), "{lang}: no label for {missing:?}");
    }
}

/// The statistics labels in French use the typographic apostrophe.
#[test]
fn french_statistics_labels_use_the_typographic_apostrophe() {
    let path = crate_dir().join("locales/fr/statistics.ftl");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("’"),
        "no apostrophe at all in {}",
        path.display()
    );
    let straight: Vec<&str> = text.lines().filter(|l| l.contains('\'')).collect();
    assert!(straight.is_empty(), "straight apostrophes: {straight:?}");
}

//! `antitrata user add|list|disable`.

use crate::support::{antitrata, run};

fn stdout_of(dir: &std::path::Path, args: &[&str]) -> (bool, String, String) {
    let output = run(antitrata().current_dir(dir).args(args));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn an_account_is_created_with_a_one_time_setup_link_listed_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, out, err) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "Ana@Example.org",
            "--role",
            "operator",
            "--country",
            "gt",
            "--name",
            "Ana Pérez",
        ],
    );
    assert!(ok, "{err}");
    assert!(
        out.contains("created Ana Pérez <ana@example.org> operator GT (setup pending)"),
        "{out}"
    );
    let link = out
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("http://127.0.0.1:8080/console/setup/")
        })
        .unwrap();
    assert!(link.len() >= 43, "a 256-bit token: {link}");
    // The token itself is never stored, only its hash.
    let db = std::fs::read(dir.path().join("antitrata-data/antitrata.db")).unwrap();
    assert!(!db.windows(link.len()).any(|w| w == link.as_bytes()));

    let (ok, _, err) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "ana@example.org",
            "--role",
            "caseworker",
            "--country",
            "GT",
        ],
    );
    assert!(
        !ok && err.contains("an account with this e-mail address exists"),
        "{err}"
    );
    let (ok, _, err) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "x@example.org",
            "--role",
            "supervisor",
        ],
    );
    assert!(!ok && err.contains("need a country"), "{err}");
    let (ok, _, err) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "x@example.org",
            "--role",
            "boss",
            "--country",
            "GT",
        ],
    );
    assert!(!ok && err.contains("unknown role `boss`"), "{err}");
    let (ok, _, err) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "not-an-email",
            "--role",
            "operator",
            "--country",
            "GT",
        ],
    );
    assert!(!ok && err.contains("name@example.org"), "{err}");

    let (ok, out, _) = stdout_of(
        dir.path(),
        &[
            "user",
            "add",
            "--email",
            "ra@example.org",
            "--role",
            "regional-analyst",
        ],
    );
    assert!(ok && out.contains("regional-analyst regional"), "{out}");

    let (_, out, _) = stdout_of(dir.path(), &["user", "list"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let (ok, out, _) = stdout_of(
        dir.path(),
        &["user", "disable", "--email", "ana@example.org"],
    );
    assert!(ok, "{out}");
    let (_, out, _) = stdout_of(dir.path(), &["user", "list"]);
    assert!(out.contains("operator GT (disabled)"), "{out}");
    let (ok, _, err) = stdout_of(
        dir.path(),
        &["user", "disable", "--email", "nobody@example.org"],
    );
    assert!(!ok && err.contains("no account"), "{err}");

    let (ok, out, _) = stdout_of(dir.path(), &["audit", "verify"]);
    assert!(
        ok && out.contains("5 intact entries"),
        "created, link, created, link, disabled: {out}"
    );
}

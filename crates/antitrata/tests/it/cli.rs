//! `check-config` and `migrate`.

use crate::support::{antitrata, run};

#[test]
fn check_config_accepts_the_defaults_and_shows_them() {
    let output = run(antitrata().arg("check-config"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("127.0.0.1:8080"), "{stdout}");
    assert!(
        stdout.contains("sqlite://antitrata-data/antitrata.db"),
        "{stdout}"
    );
}

#[test]
fn other_database_schemes_are_refused_clearly() {
    for (flag, env) in [
        (Some("mysql://root@localhost/antitrata"), None),
        (None, Some("redis://127.0.0.1")),
    ] {
        let mut command = antitrata();
        if let Some(url) = flag {
            command.args(["--database", url]);
        }
        if let Some(url) = env {
            command.env("ANTITRATA_DATABASE_URL", url);
        }
        let output = run(command.arg("check-config"));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success());
        assert!(
            stderr.contains("unsupported database URL scheme"),
            "{stderr}"
        );
        assert!(stderr.contains("sqlite://PATH"), "{stderr}");
    }
}

#[test]
fn environment_overrides_apply_and_passwords_stay_hidden() {
    let output = run(antitrata()
        .env(
            "ANTITRATA_DATABASE_URL",
            "postgres://app:hunter2-secret@db.internal/antitrata",
        )
        .env("ANTITRATA_ADDR", "127.0.0.1:9999")
        .args(["check-config"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("db.internal"), "{stdout}");
    assert!(!stdout.contains("hunter2-secret"), "{stdout}");
    // ANTITRATA_ADDR belongs to `serve`: check-config has no --addr, so the default stands.
    let output = run(antitrata()
        .env("ANTITRATA_ADDR", "127.0.0.1:9999")
        .args(["serve", "--help"]));
    assert!(output.status.success());
}

#[test]
fn a_config_file_is_read_and_its_mistakes_named() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(
        &good,
        "[server]\nrequest_timeout_secs = 3\n[database]\nurl = \"sqlite://x/y.db\"\n",
    )
    .unwrap();
    let output = run(antitrata().args(["--config", good.to_str().unwrap(), "check-config"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("sqlite://x/y.db") && stdout.contains("3 s"),
        "{stdout}"
    );

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[server]\nport = 80\n").unwrap();
    let output = run(antitrata().args(["--config", bad.to_str().unwrap(), "check-config"]));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("bad.toml is not valid") && stderr.contains("port"),
        "{stderr}"
    );

    let missing =
        run(antitrata().args(["--config", "/nonexistent/antitrata.toml", "check-config"]));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("reading config file"));
}

#[test]
fn the_example_config_is_valid() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../antitrata.example.toml");
    let output = run(antitrata().args(["--config", example, "check-config"]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn migrate_creates_and_seeds_a_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(antitrata().current_dir(dir.path()).arg("migrate"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("antitrata-data/antitrata.db").exists());
    let again = run(antitrata().current_dir(dir.path()).arg("migrate"));
    assert!(again.status.success());
}

//! The data-key file and the audit log from the command line.

use std::os::unix::fs::PermissionsExt;

use antitrata_store::{DatabaseUrl, Store};

use crate::support::{antitrata, run};

#[test]
fn the_key_file_is_created_private_and_rotation_adds_a_key() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        run(antitrata().current_dir(dir.path()).arg("migrate"))
            .status
            .success()
    );
    let key_file = dir.path().join("antitrata-data/keys.toml");
    let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let folder_mode = std::fs::metadata(dir.path().join("antitrata-data"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(folder_mode, 0o700);
    let before = std::fs::read_to_string(&key_file).unwrap();

    let output = run(antitrata().current_dir(dir.path()).args(["keys", "rotate"]));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("added key 2"), "{stdout}");
    let after = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(after.matches("[[keys]]").count(), 2);
    assert!(after.contains("current = 2"));
    // The first key is kept, so what it sealed stays readable.
    let first_key = before.lines().find(|l| l.starts_with("key = ")).unwrap();
    assert!(after.contains(first_key));
    assert_eq!(
        std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777,
        0o600
    );

    // A key file others can read is refused.
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let output = run(antitrata()
        .current_dir(dir.path())
        .args(["audit", "verify"]));
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("chmod 600"));
}

#[test]
fn the_keys_are_found_beside_the_database_and_a_wrong_key_file_refuses_to_start() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let database = format!(
        "sqlite://{}",
        home.path().join("data/antitrata.db").display()
    );
    let in_dir = |dir: &std::path::Path, args: &[&str]| {
        let output = run(antitrata()
            .current_dir(dir)
            .args(["--database", &database])
            .args(args));
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        (output.status.success(), text)
    };
    let (ok, text) = in_dir(
        home.path(),
        &[
            "demo-data",
            "--country",
            "GT",
            "--cases",
            "3",
            "--seed",
            "1",
        ],
    );
    assert!(ok, "{text}");
    let key_file = home.path().join("data/keys.toml");
    assert!(key_file.exists(), "the key file is beside the database");
    let mode =
        |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.path().join("data/antitrata.db")), 0o600);

    // Started from another folder: the same keys, no second key file.
    let (ok, text) = in_dir(elsewhere.path(), &["migrate"]);
    assert!(ok, "{text}");
    assert!(!elsewhere.path().join("antitrata-data").exists());

    // With the key file missing, a new one would not open the sealed data: refused, and the
    // file made for the attempt is gone again.
    let kept = home.path().join("keys.toml.kept");
    std::fs::rename(&key_file, &kept).unwrap();
    let (ok, text) = in_dir(elsewhere.path(), &["migrate"]);
    assert!(!ok, "{text}");
    assert!(text.contains("is not this database's"), "{text}");
    assert!(text.contains(&key_file.display().to_string()), "{text}");
    assert!(!key_file.exists(), "no stray key file is left behind");

    // Another existing key file: refused the same way, and kept (it is someone's).
    let (ok, _) = in_dir(elsewhere.path(), &["--key-file", "other.toml", "migrate"]);
    let other = elsewhere.path().join("other.toml");
    assert!(!ok);
    assert!(
        !other.exists(),
        "a key file made for the attempt is removed"
    );
    std::fs::copy(&kept, &other).unwrap();
    std::fs::set_permissions(&other, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (ok, text) = in_dir(elsewhere.path(), &["--key-file", "other.toml", "migrate"]);
    assert!(ok, "a copy of the right key file works: {text}");

    std::fs::rename(&kept, &key_file).unwrap();
    let (ok, text) = in_dir(elsewhere.path(), &["migrate"]);
    assert!(ok, "{text}");
}

#[tokio::test]
async fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    // Three rotations write six audit entries: each adds a key, and reseals the data-key check
    // (the only sealed value of an empty database) under it.
    for _ in 0..3 {
        let output = run(antitrata().current_dir(dir.path()).args(["keys", "rotate"]));
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let verify = || {
        run(antitrata()
            .current_dir(dir.path())
            .args(["audit", "verify"]))
    };
    let output = verify();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("6 intact entries"), "{stdout}");

    let url = DatabaseUrl::parse(&format!(
        "sqlite://{}",
        dir.path().join("antitrata-data/antitrata.db").display()
    ))
    .unwrap();
    let store = Store::connect(&url).await.unwrap();
    store
        .execute_raw_for_tests("drop trigger audit_log_no_update")
        .await
        .unwrap();
    store
        .execute_raw_for_tests("update audit_log set actor = 'someone-else' where seq = 2")
        .await
        .unwrap();
    store.close().await;

    let output = verify();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("entry 2 was edited"), "{stderr}");
    assert!(String::from_utf8_lossy(&output.stdout).contains("1 intact entries"));
}

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

#[tokio::test]
async fn audit_verify_names_the_first_tampered_entry() {
    let dir = tempfile::tempdir().unwrap();
    // Three rotations write three audit entries.
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
    assert!(stdout.contains("3 intact entries"), "{stdout}");

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

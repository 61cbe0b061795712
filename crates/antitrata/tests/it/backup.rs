//! `backup` and `restore` with the built binary: a backup made while workers write holds every
//! write acknowledged before it began, restores into a fresh folder given the key file, and its
//! audit log verifies; a backup made at rest restores to identical table contents; restore
//! refuses a database in place, a missing or wrong key file and a damaged file, leaving nothing.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sqlx::{Connection, SqliteConnection};

use crate::crash::{Shared, admin, caseworker_token, lost, work};
use crate::datasets::cli;
use crate::support::Server;

/// The key file `antitrata` keeps beside its SQLite database in `dir`.
fn key_file(dir: &Path) -> std::path::PathBuf {
    dir.join("antitrata-data/keys.toml")
}

fn database(dir: &Path) -> std::path::PathBuf {
    dir.join("antitrata-data/antitrata.db")
}

/// A folder holding only a copy of `from`'s key file, where a backup can be restored.
fn folder_with_keys_of(from: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("antitrata-data")).unwrap();
    std::fs::copy(key_file(from), key_file(dir.path())).unwrap();
    dir
}

/// Rows of each table of `a` that `b` does not hold, and the other way round, by table; empty if
/// the two databases hold the same rows.
async fn differences(a: &Path, b: &Path) -> Vec<String> {
    let mut conn = SqliteConnection::connect(&format!("sqlite://{}", a.display()))
        .await
        .unwrap();
    sqlx::query(&format!("attach database '{}' as other", b.display()))
        .execute(&mut conn)
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query_scalar(
        "select name from main.sqlite_master where type = 'table' and name not like 'sqlite_%' \
         order by name",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    assert!(tables.len() > 20, "{tables:?}");
    let mut differences = Vec::new();
    for table in tables {
        for (from, to) in [("main", "other"), ("other", "main")] {
            let (missing,): (i64,) = sqlx::query_as(&format!(
                "select count(*) from (select * from {from}.\"{table}\" \
                 except select * from {to}.\"{table}\")"
            ))
            .fetch_one(&mut conn)
            .await
            .unwrap();
            if missing > 0 {
                differences.push(format!("{table}: {missing} rows of {from} not in {to}"));
            }
        }
    }
    differences
}

#[test]
#[allow(clippy::print_stdout, reason = "the figures of the run")]
fn a_backup_made_under_load_restores_every_acknowledged_write() {
    let live = tempfile::tempdir().unwrap();
    let token = caseworker_token(live.path(), None, "load@gt.example");
    let server = Server::start(live.path(), &[]);
    let shared = Arc::new(Shared::default());
    let sent = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..4u64)
        .map(|w| {
            let (addr, token) = (server.addr.clone(), token.clone());
            let (shared, sent) = (shared.clone(), sent.clone());
            std::thread::spawn(move || {
                let mut rng = StdRng::seed_from_u64(250 + w);
                work(&addr, &token, &mut rng, &shared, (&sent, 1_000_000));
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let before = shared.acked.lock().unwrap().clone();
    assert!(!before.is_empty(), "the workers wrote nothing");
    let snapshot = live.path().join("under-load.db");
    let out = admin(
        live.path(),
        None,
        &["backup", "--out", snapshot.to_str().unwrap()],
    );
    assert!(out.contains("the data keys are not in it"), "{out}");
    let during = shared.acked.lock().unwrap().len() - before.len();
    // Stop the workers: every request from now on is past their limit.
    sent.store(usize::MAX / 2, Ordering::Relaxed);
    for worker in workers {
        worker.join().unwrap();
    }

    let restored = folder_with_keys_of(live.path());
    let (ok, out, err) = cli(restored.path(), &["restore", snapshot.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("whole, opened with the data keys"), "{out}");
    admin(restored.path(), None, &["audit", "verify"]);
    let copy = Server::start(restored.path(), &[]);
    let missing = lost(&copy.addr, &token, "restored", &before);
    println!(
        "backup under load: {} writes acknowledged before it began, {during} while it ran, {} \
         missing from the restored copy",
        before.len(),
        missing.len()
    );
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, not in it: {missing:?}"
    );
    assert!(copy.terminate().0);

    // At rest, a backup restores to the same rows in every table.
    assert!(server.terminate().0);
    let at_rest = live.path().join("at-rest.db");
    admin(
        live.path(),
        None,
        &["backup", "--out", at_rest.to_str().unwrap()],
    );
    let again = folder_with_keys_of(live.path());
    admin(again.path(), None, &["restore", at_rest.to_str().unwrap()]);
    let differences = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(differences(&database(live.path()), &database(again.path())));
    assert!(differences.is_empty(), "{differences:?}");

    // Refused, and nothing left where the database would go.
    let (ok, _, err) = cli(again.path(), &["restore", at_rest.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("exists: restore only fills an empty place"),
        "{err}"
    );
    let (ok, _, err) = cli(live.path(), &["backup", "--out", at_rest.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("the file exists; name a new one"), "{err}");

    let no_keys = tempfile::tempdir().unwrap();
    let (ok, _, err) = cli(no_keys.path(), &["restore", at_rest.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("restore needs the data-key file"), "{err}");
    assert!(!database(no_keys.path()).exists());

    let other_keys = tempfile::tempdir().unwrap();
    admin(other_keys.path(), None, &["migrate"]);
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", database(other_keys.path()).display());
        let _ = std::fs::remove_file(path);
    }
    let (ok, _, err) = cli(other_keys.path(), &["restore", at_rest.to_str().unwrap()]);
    assert!(!ok);
    assert!(
        err.contains("the database belongs to data-key file")
            && err.contains("nothing was restored"),
        "{err}"
    );
    assert!(!database(other_keys.path()).exists());

    let damaged = live.path().join("damaged.db");
    let mut bytes = std::fs::read(&at_rest).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 4096].fill(0xA5);
    std::fs::write(&damaged, bytes).unwrap();
    let fresh = folder_with_keys_of(live.path());
    let (ok, _, err) = cli(fresh.path(), &["restore", damaged.to_str().unwrap()]);
    assert!(!ok, "a damaged backup was restored");
    assert!(
        err.contains("nothing was restored") || err.contains("damaged"),
        "{err}"
    );
    assert!(!database(fresh.path()).exists());
    let leftovers: Vec<_> = std::fs::read_dir(fresh.path().join("antitrata-data"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name != "keys.toml")
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

//! Maintenance commands on protected data: `audit verify`, `keys rotate`, `keys reseal`.

use antitrata_domain::{Actor, CountryScope, Role};
use antitrata_store::AuditEvent;
use anyhow::bail;
use time::OffsetDateTime;

use crate::config::Config;
use crate::keys;
use crate::serve::open_store;

/// The command line as an actor in the audit log.
fn cli_actor() -> Actor {
    Actor {
        who: "cli".into(),
        role: Role::Cli,
        scope: CountryScope::None,
        request_id: None,
        at: OffsetDateTime::now_utc(),
    }
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn verify(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let report = store.verify_audit().await?;
    store.close().await;
    let head: String = report
        .head_hash
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    println!(
        "audit log: {} intact entries, last hash {head}",
        report.entries
    );
    match report.problem {
        None => {
            println!("ok: no entry was edited, deleted or reordered");
            Ok(())
        }
        Some(problem) => bail!("the audit log was tampered with: {problem}"),
    }
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn rotate_keys(config: &Config, batch: i64, add_key: bool) -> anyhow::Result<()> {
    if batch < 1 {
        bail!("--batch must be at least 1");
    }
    // Open (and migrate) with the current keys first, so a broken database stops us before the
    // key file changes.
    open_store(config).await?.close().await;
    let added = if add_key {
        let id = keys::rotate(&config.key_file)?;
        println!(
            "added key {id} to {} and made it current",
            config.key_file.display()
        );
        Some(id)
    } else {
        None
    };
    let store = open_store(config).await?;
    let actor = cli_actor();
    if let Some(id) = added {
        let event = AuditEvent {
            action: "keys.rotated",
            record_type: Some("key"),
            record_id: Some(id.to_string()),
        };
        store.append_audit(&actor, event).await?;
    }
    let mut total = 0;
    loop {
        let done = store.reseal_batch(&actor, batch).await?;
        if done == 0 {
            break;
        }
        total += done;
        println!("re-encrypted {total} records so far");
    }
    let secrets = store.reseal_totp_secrets(&actor).await?;
    store.close().await;
    println!(
        "done: {total} records and {secrets} second-factor secrets re-encrypted; every sealed field is on the current key"
    );
    Ok(())
}

//! `antitrata token create|list|revoke`: bearer tokens for service accounts, the only way into
//! the JSON API's case work. A token is printed once; the database keeps only its SHA-256.

use antitrata_domain::Email;
use antitrata_domain::time_text::minute_utc;
use antitrata_store::NonceSource;
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::Duration;
use uuid::Uuid;

use crate::config::Config;
use crate::keys::OsRandom;
use crate::serve::open_store;
use crate::users::cli_actor;

/// Every token starts with this, so secret scanners and people recognise one.
pub(crate) const TOKEN_PREFIX: &str = "atk_";

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn create(
    config: &Config,
    email: &str,
    name: &str,
    days: u16,
) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email")?;
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        bail!("--name: say what the token is for, in 1 to 100 characters");
    }
    if days == 0 {
        bail!("--days: a token must work for at least one day");
    }
    let store = open_store(config).await?;
    let Some(account) = store.find_user_by_email(&email).await? else {
        bail!("no account has the e-mail address {email}");
    };
    let actor = cli_actor();
    let mut secret = [0u8; 32];
    OsRandom.fill(&mut secret);
    let token = format!("{TOKEN_PREFIX}{}", URL_SAFE_NO_PAD.encode(secret));
    let issued = store
        .insert_api_token(
            &actor,
            &account,
            Uuid::now_v7(),
            name,
            &antitrata_app::token_hash(&token),
            actor.at + Duration::days(i64::from(days)),
        )
        .await?;
    store.close().await;
    println!(
        "token {} for {email} ({name}), valid until {}",
        issued.id,
        issued.expires_at.date()
    );
    println!("shown only now; send it as `Authorization: Bearer <token>`:");
    println!("  {token}");
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn list(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let actor = cli_actor();
    let tokens = store.list_api_tokens(&actor).await?;
    if tokens.is_empty() {
        println!(
            "no tokens yet: create a service account with `antitrata user add --service …`, then \
             `antitrata token create --email E --name WHAT-FOR`"
        );
    }
    for token in &tokens {
        let owner = store
            .find_user(token.user)
            .await?
            .map_or_else(|| token.user.to_string(), |a| a.email.to_string());
        let status = match token.revoked_at {
            Some(at) => format!("revoked {}", at.date()),
            None if token.expires_at <= actor.at => format!("expired {}", token.expires_at.date()),
            None => format!("valid until {}", token.expires_at.date()),
        };
        let used = token.last_used_at.map_or_else(
            || "never used".to_owned(),
            |at| format!("last used {}", minute_utc(at)),
        );
        println!("{} {owner} \"{}\" {status}, {used}", token.id, token.name);
    }
    store.close().await;
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn revoke(config: &Config, id: &str) -> anyhow::Result<()> {
    let id = Uuid::parse_str(id).context("the token id, as `token list` shows it")?;
    let store = open_store(config).await?;
    let revoked = store.revoke_api_token(&cli_actor(), id).await?;
    store.close().await;
    if !revoked {
        bail!("no live token has the id {id}");
    }
    println!("revoked {id}: it no longer opens the API");
    Ok(())
}

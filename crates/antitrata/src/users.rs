//! `antitrata user add|list|disable`: bootstrap and manage staff accounts from the server. A new
//! account has no password: the command prints a one-time setup link, shown once and stored only
//! as a hash. No install has a default password.

use antitrata_domain::policy::{Action, acting_role};
use antitrata_domain::{
    Account, Actor, CountryCode, CountryScope, Email, Lang, NewAccount, Role, UserId,
    check_role_assignment,
};
use antitrata_store::NonceSource;
use anyhow::{Context, bail};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::config::Config;
use crate::keys::OsRandom;
use crate::serve::open_store;

/// How long a setup link works.
const SETUP_LINK_VALIDITY: Duration = Duration::hours(72);

/// What `user add` was asked for, as typed.
#[derive(Debug)]
pub(crate) struct AddUser {
    pub email: String,
    pub roles: Vec<String>,
    pub country: Option<String>,
    pub name: Option<String>,
    pub language: String,
    pub service: bool,
}

/// The actor of commands run on the server itself.
pub(crate) fn cli_actor() -> Actor {
    Actor {
        who: "cli".into(),
        role: Role::Cli,
        scope: CountryScope::None,
        request_id: None,
        at: OffsetDateTime::now_utc(),
    }
}

/// The actor for a command that takes `action` on a country's records in the name of an account
/// (`--as EMAIL`): the account must exist, be enabled and hold a country role; it acts as the role
/// the permission policy lets take the action (`policy::acting_role`, as the console and the API
/// do). The store then decides what that role may do, and the audit log names the account.
pub(crate) async fn account_actor(
    store: &antitrata_store::Store,
    email: &str,
    action: Action,
) -> anyhow::Result<Actor> {
    let parsed = Email::parse(email).context("--as")?;
    let Some(account) = store.find_user_by_email(&parsed).await? else {
        bail!(
            "--as {email}: there is no account with this e-mail address (see `antitrata user list`)"
        );
    };
    if account.disabled {
        bail!("--as {email}: this account is disabled");
    }
    let in_a_country = account.scope().country().is_some();
    if !in_a_country || !account.roles.iter().any(|r| r.is_country_role()) {
        bail!("--as {email}: the account holds no role in a country's hotline");
    }
    let role = acting_role(&account.roles, action);
    Ok(Actor {
        who: account.id.to_string(),
        role,
        scope: account.scope(),
        request_id: None,
        at: OffsetDateTime::now_utc(),
    })
}

/// A fresh UUIDv7: the binary may read the clock and the random source.
fn new_user_id() -> UserId {
    UserId(Uuid::now_v7())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn add(config: &Config, request: AddUser) -> anyhow::Result<()> {
    let email = Email::parse(&request.email).context("--email")?;
    let roles = request
        .roles
        .iter()
        .map(|r| {
            Role::parse(r).with_context(|| {
                let names: Vec<&str> = Role::ASSIGNABLE.iter().map(|r| r.as_str()).collect();
                format!("unknown role `{r}`: use one of {}", names.join(", "))
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let country = request
        .country
        .as_deref()
        .map(|c| CountryCode::parse(c).context("--country"))
        .transpose()?;
    check_role_assignment(&roles, country)?;
    let language = Lang::parse(&request.language).context("--language")?;
    let display_name = request.name.unwrap_or_else(|| {
        email
            .as_str()
            .split('@')
            .next()
            .unwrap_or_default()
            .to_owned()
    });

    let store = open_store(config).await?;
    let actor = cli_actor();
    let id = new_user_id();
    let new = NewAccount {
        email,
        display_name,
        language,
        roles,
        country,
        service: request.service,
    };
    let account = store.insert_user(&actor, id, &new).await?;
    if account.service {
        store.close().await;
        println!("created {}", describe(&account));
        println!(
            "a service account has no password and no console: issue it an API token with\n  \
             antitrata token create --email {} --name WHAT-FOR",
            account.email
        );
        return Ok(());
    }

    let mut token = [0u8; 32];
    OsRandom.fill(&mut token);
    let token_text = URL_SAFE_NO_PAD.encode(token);
    let hash = antitrata_app::token_hash(&token_text);
    store
        .insert_setup_token(&actor, id, &hash, actor.at + SETUP_LINK_VALIDITY)
        .await?;
    store.close().await;

    println!("created {}", describe(&account));
    println!(
        "one-time setup link (valid 72 hours; shown only now, keep it out of chats and tickets):"
    );
    println!("  {}/console/setup/{token_text}", config.web.public_url);
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn list(config: &Config) -> anyhow::Result<()> {
    let store = open_store(config).await?;
    let accounts = store.list_users(&cli_actor()).await?;
    store.close().await;
    if accounts.is_empty() {
        println!(
            "no accounts yet: create one with `antitrata user add --email E --role ROLE [--country XX]`"
        );
    }
    for account in &accounts {
        println!("{}", describe(account));
    }
    Ok(())
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn disable(config: &Config, email: &str) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email")?;
    let store = open_store(config).await?;
    let Some(account) = store.find_user_by_email(&email).await? else {
        bail!("no account has the e-mail address {email}");
    };
    store.disable_user(&cli_actor(), account.id).await?;
    store.close().await;
    println!("disabled {email}: it can no longer sign in, and its setup links no longer work");
    Ok(())
}

fn describe(account: &Account) -> String {
    let roles: Vec<&str> = account.roles.iter().map(|r| r.as_str()).collect();
    let status = if account.disabled {
        "disabled"
    } else if account.service {
        "service, API tokens only"
    } else if !account.has_password {
        "setup pending"
    } else {
        "active"
    };
    let second_factor = if account.totp_enabled { ", 2FA on" } else { "" };
    format!(
        "{} <{}> {} {} ({status}{second_factor})",
        account.display_name,
        account.email,
        roles.join("+"),
        account
            .country
            .map_or_else(|| "regional".to_owned(), |c| c.to_string()),
    )
}

//! Configuration: one TOML file, then `ANTITRATA_*` environment variables and command-line flags on
//! top (flags win), validated once.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use antitrata_app::releases::DEFAULT_YEARLY_LIMIT;
use antitrata_domain::CountryCode;
use antitrata_domain::casework::ContactChannel;
use antitrata_store::{Budget, DatabaseUrl};
use antitrata_web::WebConfig;
use anyhow::{Context, bail};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The largest δ a budget may have: past it, (ε, δ) promises little.
const MAX_DELTA: f64 = 1e-3;

pub(crate) const DEFAULT_ADDR: &str = "127.0.0.1:8080";
pub(crate) const DEFAULT_DATABASE_URL: &str = "sqlite://antitrata-data/antitrata.db";
pub(crate) const DEFAULT_KEY_FILE: &str = "antitrata-data/keys.toml";

/// `server.public_url`: the site's address as people reach it, `http(s)://HOST[:PORT]` with no
/// path, for the links the service shows (a setup link), never taken from a request's `Host`.
fn public_url(text: &str) -> anyhow::Result<String> {
    let parsed = url::Url::parse(text)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .filter(|u| u.host_str().is_some() && u.path() == "/" && u.query().is_none())
        .filter(|u| u.username().is_empty() && u.password().is_none() && u.fragment().is_none());
    match parsed {
        Some(url) => Ok(url.as_str().trim_end_matches('/').to_owned()),
        None => bail!(
            "server.public_url must be http:// or https:// and a host, with no path, e.g. \
             \"https://trata.example.org\" (it was `{text}`)"
        ),
    }
}

/// Where the key file is when the configuration does not say: beside a SQLite database, so that
/// starting from another folder finds the same keys; for PostgreSQL, `antitrata-data/keys.toml`
/// under the working folder (production sets `keys.file`).
fn default_key_file(database: &DatabaseUrl) -> PathBuf {
    match database {
        DatabaseUrl::SqliteFile(_) => database
            .sqlite_folder()
            .unwrap_or_default()
            .join("keys.toml"),
        _ => PathBuf::from(DEFAULT_KEY_FILE),
    }
}

/// The validated configuration of a run.
#[derive(Debug)]
pub(crate) struct Config {
    pub addr: SocketAddr,
    /// Where `/metrics` is served (Prometheus), apart from the public address; off when `None`.
    pub metrics_addr: Option<SocketAddr>,
    pub database: DatabaseUrl,
    /// The data-key file, outside the database; created with mode 0600 on first start.
    pub key_file: PathBuf,
    pub web: WebConfig,
    /// The differential-privacy budget each country may spend per year (`privacy.yearly_epsilon`,
    /// and `privacy.delta` for zCDP releases).
    pub yearly_limit: Budget,
    /// The δ of countries whose administrators chose their own (`[privacy.country_delta]`), in
    /// units of 10⁻¹⁵.
    pub country_deltas: BTreeMap<CountryCode, i64>,
    pub log: LogConfig,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub(crate) enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter, e.g. `info` or `info,antitrata_web=debug`. `RUST_LOG` overrides it.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> LogConfig {
        LogConfig {
            format: LogFormat::Text,
            filter: "info,sqlx=warn".into(),
        }
    }
}

/// Values given on the command line or in the environment; they override the file.
#[derive(Debug, Default)]
pub(crate) struct Overrides {
    pub addr: Option<String>,
    pub metrics_addr: Option<String>,
    pub database_url: Option<String>,
    pub key_file: Option<PathBuf>,
}

/// The file as written. Unknown keys are refused, so a typo does not silently fall back to a default.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct FileConfig {
    server: ServerSection,
    database: DatabaseSection,
    keys: KeysSection,
    log: LogConfig,
    privacy: PrivacySection,
    casework: CaseworkSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct CaseworkSection {
    referral_overdue_hours: Option<i64>,
    default_channel: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct PrivacySection {
    yearly_epsilon: Option<f64>,
    delta: Option<f64>,
    country_delta: BTreeMap<String, f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct KeysSection {
    file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ServerSection {
    addr: Option<String>,
    metrics_addr: Option<String>,
    tls_terminated_upstream: Option<bool>,
    request_timeout_secs: Option<u64>,
    body_limit_bytes: Option<usize>,
    trusted_proxies: Option<Vec<String>>,
    public_url: Option<String>,
    header_read_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct DatabaseSection {
    url: Option<SecretString>,
}

impl Config {
    pub(crate) fn load(file: Option<&Path>, overrides: Overrides) -> anyhow::Result<Config> {
        let file_config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str::<FileConfig>(&text)
                    .with_context(|| format!("config file {} is not valid", path.display()))?
            }
            None => FileConfig::default(),
        };
        Config::resolve(file_config, overrides)
    }

    fn resolve(file: FileConfig, overrides: Overrides) -> anyhow::Result<Config> {
        let addr_text = overrides
            .addr
            .or(file.server.addr)
            .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
        let addr: SocketAddr = addr_text.parse().with_context(|| {
            format!("listen address `{addr_text}` is not HOST:PORT with an IP address, e.g. 127.0.0.1:8080")
        })?;

        let metrics_addr = overrides
            .metrics_addr
            .or(file.server.metrics_addr)
            .map(|text| {
                text.parse::<SocketAddr>().with_context(|| {
                    format!(
                        "metrics address `{text}` is not HOST:PORT with an IP address, e.g. \
                         127.0.0.1:9464"
                    )
                })
            })
            .transpose()?;
        if metrics_addr.is_some_and(|m| m == addr && addr.port() != 0) {
            bail!("server.metrics_addr must differ from the public address {addr}");
        }

        let database_text = overrides
            .database_url
            .map(SecretString::from)
            .or(file.database.url)
            .unwrap_or_else(|| SecretString::from(DEFAULT_DATABASE_URL));
        let database = DatabaseUrl::parse(database_text.expose_secret())?;

        let defaults = WebConfig::default();
        let request_timeout = match file.server.request_timeout_secs {
            Some(0) => bail!("server.request_timeout_secs must be at least 1"),
            Some(secs) => Duration::from_secs(secs),
            None => defaults.request_timeout,
        };
        let header_read_timeout = match file.server.header_read_timeout_secs {
            Some(secs) if !(1..=300).contains(&secs) => {
                bail!("server.header_read_timeout_secs must be from 1 to 300, e.g. 10")
            }
            Some(secs) => Duration::from_secs(secs),
            None => defaults.header_read_timeout,
        };
        let body_limit_bytes = match file.server.body_limit_bytes {
            Some(0) => bail!("server.body_limit_bytes must be at least 1"),
            Some(bytes) => bytes,
            None => defaults.body_limit_bytes,
        };
        let trusted_proxies = file
            .server
            .trusted_proxies
            .unwrap_or_default()
            .iter()
            .map(|ip| {
                ip.parse()
                    .with_context(|| format!("server.trusted_proxies: `{ip}` is not an IP address"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let public_url = match file.server.public_url {
            Some(text) => public_url(&text)?,
            None => format!("http://{addr}"),
        };
        let referral_overdue = match file.casework.referral_overdue_hours {
            Some(hours) if !(1..=24 * 365).contains(&hours) => {
                bail!("casework.referral_overdue_hours must be from 1 to 8760, e.g. 72")
            }
            Some(hours) => time::Duration::hours(hours),
            None => defaults.referral_overdue,
        };
        let mut default_channels = BTreeMap::new();
        for (country, channel) in &file.casework.default_channel {
            let code = CountryCode::parse(country)
                .ok()
                .filter(|c| c.is_rcm_member())
                .with_context(|| {
                    format!(
                        "casework.default_channel: `{country}` is not an RCM country code, e.g. GT"
                    )
                })?;
            let channel = ContactChannel::parse(channel).with_context(|| {
                format!(
                    "casework.default_channel.{country}: `{channel}` is not a channel; one of {}",
                    ContactChannel::ALL
                        .iter()
                        .map(|c| c.code())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            default_channels.insert(code, channel);
        }
        let yearly_epsilon = file
            .privacy
            .yearly_epsilon
            .unwrap_or(DEFAULT_YEARLY_LIMIT.epsilon_micros as f64 / 1e6);
        if !(yearly_epsilon > 0.0 && yearly_epsilon <= 100.0) {
            bail!("privacy.yearly_epsilon must be above 0 and at most 100, e.g. 4.0");
        }
        let web = WebConfig {
            hsts: file.server.tls_terminated_upstream.unwrap_or(false),
            body_limit_bytes,
            request_timeout,
            trusted_proxies,
            public_url,
            referral_overdue,
            header_read_timeout,
            default_channels,
            // Not configured: how often the site's pages are compared with the database.
            ..WebConfig::default()
        };
        let delta_femtos = |delta: f64, key: &str| {
            if delta > 0.0 && delta <= MAX_DELTA {
                Ok((delta * 1e15).round() as i64)
            } else {
                Err(anyhow::anyhow!(
                    "{key} must be above 0 and at most 1e-3, e.g. 1e-9: the chance, per year, \
                     that a zCDP release's guarantee fails"
                ))
            }
        };
        let yearly_limit = Budget {
            epsilon_micros: (yearly_epsilon * 1e6).round() as i64,
            delta_femtos: match file.privacy.delta {
                Some(delta) => delta_femtos(delta, "privacy.delta")?,
                None => DEFAULT_YEARLY_LIMIT.delta_femtos,
            },
        };
        let country_deltas = file
            .privacy
            .country_delta
            .iter()
            .map(|(country, &delta)| {
                let code = CountryCode::parse(country).map_err(|_| {
                    anyhow::anyhow!(
                        "privacy.country_delta: `{country}` is not a country code, e.g. GT"
                    )
                })?;
                Ok((
                    code,
                    delta_femtos(delta, &format!("privacy.country_delta.{country}"))?,
                ))
            })
            .collect::<anyhow::Result<_>>()?;
        let key_file = overrides
            .key_file
            .or(file.keys.file)
            .unwrap_or_else(|| default_key_file(&database));
        Ok(Config {
            addr,
            metrics_addr,
            database,
            key_file,
            web,
            yearly_limit,
            country_deltas,
            log: file.log,
        })
    }
}

/// `check-config` output: the effective configuration, secrets hidden.
#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) fn print_summary(config: &Config) {
    println!("configuration is valid");
    println!("  listen address:   {}", config.addr);
    println!(
        "  metrics address:  {}",
        config
            .metrics_addr
            .map_or_else(|| "off".to_owned(), |a| a.to_string())
    );
    println!("  database:         {}", config.database);
    println!("  data-key file:    {}", config.key_file.display());
    println!(
        "  HSTS:             {}",
        if config.web.hsts { "on" } else { "off" }
    );
    println!(
        "  request timeout:  {} s",
        config.web.request_timeout.as_secs()
    );
    println!("  body limit:       {} bytes", config.web.body_limit_bytes);
    println!("  trusted proxies:  {:?}", config.web.trusted_proxies);
    println!(
        "  log:              {:?}, filter `{}`",
        config.log.format, config.log.filter
    );
    println!(
        "  privacy:          yearly ε per country {}, δ for zCDP releases {:e}",
        config.yearly_limit.epsilon_micros as f64 / 1e6,
        config.yearly_limit.delta_femtos as f64 / 1e15
    );
    for (country, delta) in &config.country_deltas {
        println!(
            "                    δ of {country} {:e}",
            *delta as f64 / 1e15
        );
    }
    println!("(the database was not contacted)");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve(toml_text: &str, overrides: Overrides) -> anyhow::Result<Config> {
        Config::resolve(toml::from_str(toml_text)?, overrides)
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let config = resolve("", Overrides::default()).unwrap();
        assert_eq!(config.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(config.database.to_string(), DEFAULT_DATABASE_URL);
        assert!(!config.web.hsts);
        assert_eq!(config.key_file, PathBuf::from(DEFAULT_KEY_FILE));
    }

    #[test]
    fn flags_and_environment_override_the_file() {
        let file = "[server]\naddr = \"127.0.0.1:9000\"\n[database]\nurl = \"sqlite://a.db\"\n";
        let config = resolve(file, Overrides::default()).unwrap();
        assert_eq!(config.addr.port(), 9000);
        let config = resolve(
            file,
            Overrides {
                addr: Some("0.0.0.0:7000".into()),
                database_url: Some("postgres://postgres@127.0.0.1/antitrata".into()),
                key_file: Some("/etc/antitrata/keys.toml".into()),
                metrics_addr: Some("127.0.0.1:9464".into()),
            },
        )
        .unwrap();
        assert_eq!(config.addr.port(), 7000);
        assert_eq!(config.metrics_addr.map(|a| a.port()), Some(9464));
        assert_eq!(config.key_file, PathBuf::from("/etc/antitrata/keys.toml"));
        assert!(matches!(config.database, DatabaseUrl::Postgres(_)));
    }

    #[test]
    fn bad_values_are_refused_with_what_to_fix() {
        let err = resolve(
            "",
            Overrides {
                database_url: Some("mysql://x/y".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("unsupported database URL scheme `mysql`"),
            "{err}"
        );
        let err = resolve(
            "",
            Overrides {
                addr: Some("localhost".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.to_string().contains("HOST:PORT"), "{err}");
        let err = resolve(
            "[server]\nmetrics_addr = \"metrics\"\n",
            Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("metrics address `metrics` is not HOST:PORT"),
            "{err}"
        );
        let err = resolve(
            "[server]\naddr = \"127.0.0.1:9000\"\nmetrics_addr = \"127.0.0.1:9000\"\n",
            Overrides::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("must differ"), "{err}");
        assert!(resolve("[server]\nadress = \"x\"\n", Overrides::default()).is_err());
        assert!(resolve("[server]\nrequest_timeout_secs = 0\n", Overrides::default()).is_err());
        assert!(resolve("[privacy]\nyearly_epsilon = 0.0\n", Overrides::default()).is_err());
        assert!(
            resolve(
                "[casework]\nreferral_overdue_hours = 0\n",
                Overrides::default()
            )
            .is_err()
        );
        for bad in [
            "trata.example.org",
            "ftp://trata.example.org",
            "https://trata.example.org/console",
            "https://user@trata.example.org",
        ] {
            let err = resolve(
                &format!("[server]\npublic_url = \"{bad}\"\n"),
                Overrides::default(),
            )
            .unwrap_err();
            assert!(err.to_string().contains("public_url"), "{bad}: {err}");
        }
        let config = resolve(
            "[server]\npublic_url = \"https://trata.example.org/\"\n",
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.web.public_url, "https://trata.example.org");
        assert_eq!(
            resolve("", Overrides::default()).unwrap().web.public_url,
            format!("http://{DEFAULT_ADDR}")
        );
        let sqlite = Overrides {
            database_url: Some("sqlite:///srv/antitrata/db/antitrata.db".into()),
            ..Default::default()
        };
        assert_eq!(
            resolve("", sqlite).unwrap().key_file,
            PathBuf::from("/srv/antitrata/db/keys.toml"),
            "the keys are beside the database, wherever the service starts"
        );
        let config = resolve(
            "[casework]\nreferral_overdue_hours = 24\n",
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.web.referral_overdue, time::Duration::hours(24));
        let config = resolve(
            "[casework.default_channel]\nCR = \"whatsapp\"\n",
            Overrides::default(),
        )
        .unwrap();
        let cr = CountryCode::parse("CR").ok();
        let gt = CountryCode::parse("GT").ok();
        assert_eq!(config.web.default_channel(cr), ContactChannel::WhatsApp);
        assert_eq!(config.web.default_channel(gt), ContactChannel::Call);
        let err = resolve(
            "[casework.default_channel]\nCR = \"pigeon\"\n",
            Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("`pigeon` is not a channel; one of call"),
            "{err}"
        );
        let err = resolve(
            "[casework.default_channel]\nFR = \"call\"\n",
            Overrides::default(),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("`FR` is not an RCM country"),
            "{err}"
        );
        assert_eq!(
            resolve("[privacy]\nyearly_epsilon = 2.5\n", Overrides::default())
                .unwrap()
                .yearly_limit
                .epsilon_micros,
            2_500_000
        );
        let err = resolve(
            "[server]\ntrusted_proxies = [\"proxy.local\"]\n",
            Overrides::default(),
        )
        .unwrap_err();
        assert!(format!("{err:#}").contains("not an IP address"), "{err:#}");
        let config = resolve(
            "[server]\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]\n",
            Overrides::default(),
        )
        .unwrap();
        assert_eq!(config.web.trusted_proxies.len(), 2);
    }
}

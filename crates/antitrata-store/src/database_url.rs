//! Which database to use, parsed once from the configured URL.

use std::fmt;
use std::path::PathBuf;

/// A validated database location. Only `sqlite:` and `postgres:`/`postgresql:` URLs are accepted.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// A SQLite file; created with its parent folder if missing.
    SqliteFile(PathBuf),
    /// A private in-memory SQLite database (`sqlite::memory:`), for tests and trials.
    SqliteMemory,
    /// A PostgreSQL connection URL, kept whole for the driver.
    Postgres(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatabaseUrlError {
    #[error(
        "unsupported database URL scheme `{0}`: use sqlite://PATH (embedded) or postgres://USER@HOST/DATABASE"
    )]
    UnsupportedScheme(String),
    #[error(
        "the database URL has no scheme: use sqlite://PATH (embedded) or postgres://USER@HOST/DATABASE"
    )]
    MissingScheme,
    #[error(
        "the SQLite URL names no file: use sqlite://PATH, e.g. sqlite://antitrata-data/antitrata.db"
    )]
    MissingPath,
    #[error("SQLite URL options (`?…`) are not supported: give only the file path")]
    SqliteOptions,
    #[error("the PostgreSQL URL is not valid: {0}")]
    InvalidPostgres(String),
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, DatabaseUrlError> {
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(DatabaseUrlError::MissingScheme);
        };
        match scheme {
            "sqlite" => {
                let path = rest.strip_prefix("//").unwrap_or(rest);
                if path == ":memory:" || path == "memory:" {
                    return Ok(DatabaseUrl::SqliteMemory);
                }
                if path.contains('?') {
                    return Err(DatabaseUrlError::SqliteOptions);
                }
                if path.is_empty() {
                    return Err(DatabaseUrlError::MissingPath);
                }
                Ok(DatabaseUrl::SqliteFile(PathBuf::from(path)))
            }
            "postgres" | "postgresql" => {
                let parsed = url::Url::parse(url)
                    .map_err(|e| DatabaseUrlError::InvalidPostgres(e.to_string()))?;
                if parsed.host_str().is_none_or(str::is_empty) && !url.contains("host=") {
                    return Err(DatabaseUrlError::InvalidPostgres(
                        "it names no host: use postgres://USER@HOST/DATABASE".into(),
                    ));
                }
                Ok(DatabaseUrl::Postgres(url.to_owned()))
            }
            "" => Err(DatabaseUrlError::MissingScheme),
            other => Err(DatabaseUrlError::UnsupportedScheme(other.to_owned())),
        }
    }

    /// The folder a SQLite file lives in, which must exist before the database is opened.
    pub fn sqlite_folder(&self) -> Option<PathBuf> {
        match self {
            DatabaseUrl::SqliteFile(path) => path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map(PathBuf::from),
            _ => None,
        }
    }
}

/// Shows the URL without its password, so it can be logged and printed.
impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseUrl::SqliteFile(path) => write!(f, "sqlite://{}", path.display()),
            DatabaseUrl::SqliteMemory => f.write_str("sqlite::memory:"),
            DatabaseUrl::Postgres(url) => match url::Url::parse(url) {
                Ok(mut parsed) => {
                    if parsed.password().is_some() {
                        let _ = parsed.set_password(Some("REDACTED"));
                    }
                    // Query parameters may carry a password too.
                    if parsed.query().is_some() {
                        parsed.set_query(Some("REDACTED"));
                    }
                    write!(f, "{parsed}")
                }
                Err(_) => f.write_str("postgres://REDACTED"),
            },
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_sqlite_and_postgres() {
        assert_eq!(
            DatabaseUrl::parse("sqlite://antitrata-data/antitrata.db"),
            Ok(DatabaseUrl::SqliteFile(
                "antitrata-data/antitrata.db".into()
            ))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite:///var/lib/antitrata/a.db"),
            Ok(DatabaseUrl::SqliteFile("/var/lib/antitrata/a.db".into()))
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite::memory:"),
            Ok(DatabaseUrl::SqliteMemory)
        );
        for pg in [
            "postgres://postgres@127.0.0.1:5432/antitrata",
            "postgresql://u:p@db/x",
        ] {
            assert_eq!(DatabaseUrl::parse(pg), Ok(DatabaseUrl::Postgres(pg.into())));
        }
    }

    #[test]
    fn refuses_other_schemes_with_a_clear_message() {
        let err = DatabaseUrl::parse("mysql://root@localhost/antitrata").unwrap_err();
        assert_eq!(err, DatabaseUrlError::UnsupportedScheme("mysql".into()));
        assert!(err.to_string().contains("use sqlite://PATH"));
        assert_eq!(
            DatabaseUrl::parse("antitrata.db"),
            Err(DatabaseUrlError::MissingScheme)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://"),
            Err(DatabaseUrlError::MissingPath)
        );
        assert_eq!(
            DatabaseUrl::parse("sqlite://a.db?mode=ro"),
            Err(DatabaseUrlError::SqliteOptions)
        );
        assert!(matches!(
            DatabaseUrl::parse("postgres://"),
            Err(DatabaseUrlError::InvalidPostgres(_))
        ));
    }

    #[test]
    fn never_shows_a_password() {
        let url = DatabaseUrl::parse("postgres://app:s3cret@db.example:5432/antitrata").unwrap();
        assert!(!url.to_string().contains("s3cret"));
        assert!(!format!("{url:?}").contains("s3cret"));
        let url = DatabaseUrl::parse("postgres://db/antitrata?password=s3cret").unwrap();
        assert!(!url.to_string().contains("s3cret"));
    }

    #[test]
    fn knows_the_folder_to_create() {
        let url = DatabaseUrl::parse("sqlite://antitrata-data/antitrata.db").unwrap();
        assert_eq!(url.sqlite_folder(), Some(PathBuf::from("antitrata-data")));
        assert_eq!(
            DatabaseUrl::parse("sqlite://a.db").unwrap().sqlite_folder(),
            None
        );
    }
}

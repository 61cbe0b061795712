//! The languages the public site and the console speak.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A language of the user interface. Spanish first: most callers in the region speak it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Es,
    En,
    Fr,
}

impl Lang {
    /// Every supported language, in the order the language switcher shows them.
    pub const ALL: [Lang; 3] = [Lang::Es, Lang::En, Lang::Fr];

    /// The default when nothing else decides: Spanish.
    pub const DEFAULT: Lang = Lang::Es;

    /// The ISO 639-1 code used in URLs (`/es/…`) and in `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Es => "es",
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    /// Parses an exact lowercase code as used in URLs. `ES`, `es-MX` or `de` are refused:
    /// a URL has one spelling per page.
    pub fn parse(code: &str) -> Result<Lang, LangError> {
        match code {
            "es" => Ok(Lang::Es),
            "en" => Ok(Lang::En),
            "fr" => Ok(Lang::Fr),
            _ => Err(LangError),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Lang {
    type Err = LangError;
    fn from_str(s: &str) -> Result<Lang, LangError> {
        Lang::parse(s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language: use es, en or fr")]
pub struct LangError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_exact_codes() {
        for lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.code()), Ok(lang));
        }
        for bad in ["", "ES", "es-MX", "de", "e", "español"] {
            assert_eq!(Lang::parse(bad), Err(LangError), "{bad}");
        }
    }
}

//! The CTDC (Counter Trafficking Data Collaborative) file formats: which columns each has, what
//! values each column may take, and how the variations of the official releases map onto one
//! form (see `shared/data/ctdc/NOTES.md`):
//!
//! - `-99` and an empty cell are missing; so is `Missing` in a country column;
//! - `ZZ`, `00`, `0` and `Unknown` in a country column are the unknown country, stored as `ZZ`;
//! - `NA` is Namibia, never missing;
//! - flags written `1`/`1.0` and `0`/`0.0` become `1` and `0`;
//! - age bands written with `—` or `–` become the `0--8` form of the k-anonymised files;
//! - the leading terms-of-use column of the official files, and columns that are no CTDC
//!   variable (such as geocoding added by a third party), are left out and named in the report.
//!
//! Files with the exploitation-type flags also get the derived column `exploitationTypes`: the
//! labels of the flags set to 1, joined with `; ` (missing when none is set).

use std::collections::HashSet;

/// Which CTDC family a file belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CtdcFormat {
    /// The Global Dataset, k-anonymised (2017–2021 releases), or a projection of it.
    GlobalDataset,
    /// The victim–perpetrator synthetic dataset (December 2022).
    VictimPerpetrator,
}

impl CtdcFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            CtdcFormat::GlobalDataset => "ctdc-global",
            CtdcFormat::VictimPerpetrator => "ctdc-victim-perpetrator",
        }
    }

    pub fn parse(text: &str) -> Option<CtdcFormat> {
        [CtdcFormat::GlobalDataset, CtdcFormat::VictimPerpetrator]
            .into_iter()
            .find(|f| f.as_str() == text)
    }

    fn variables(self) -> &'static [Variable] {
        match self {
            CtdcFormat::GlobalDataset => GLOBAL,
            CtdcFormat::VictimPerpetrator => VICTIM_PERPETRATOR,
        }
    }

    /// The column that every file of the format must have.
    fn year_column(self) -> &'static str {
        match self {
            CtdcFormat::GlobalDataset => "yearOfRegistration",
            CtdcFormat::VictimPerpetrator => "yearRegister",
        }
    }
}

/// The year column of a table read from a CTDC file, if it has one.
pub fn year_column(table: &crate::stats::Table) -> Option<&'static str> {
    [CtdcFormat::GlobalDataset, CtdcFormat::VictimPerpetrator]
        .into_iter()
        .map(CtdcFormat::year_column)
        .find(|name| table.position(name).is_some())
}

/// The values a CTDC variable may take according to its codebook, independent of any data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vocabulary {
    /// One of these values (as stored after import).
    Values(&'static [&'static str]),
    /// `0` or `1`.
    Flag,
    /// A year.
    Year,
    /// An ISO 3166-1 alpha-2 code, or `ZZ` for the unknown country.
    Country,
    /// Combinations or free text: no closed list.
    Open,
}

/// The codebook vocabulary of a variable of either CTDC format, by name.
pub fn vocabulary(column: &str) -> Option<Vocabulary> {
    let variable = GLOBAL
        .iter()
        .chain(VICTIM_PERPETRATOR)
        .find(|v| v.name == column)?;
    Some(match variable.kind {
        Kind::Year => Vocabulary::Year,
        Kind::Choice(values) => Vocabulary::Values(values),
        Kind::AgeBand => Vocabulary::Values(AGE_BANDS),
        Kind::Country => Vocabulary::Country,
        Kind::Flag => Vocabulary::Flag,
        Kind::YearBand => Vocabulary::Values(YEAR_BANDS),
        Kind::MultiChoice(_) | Kind::Text => Vocabulary::Open,
    })
}

/// The variables of the Global Dataset in codebook order: the header of a CTDC file this project
/// writes.
pub fn global_columns() -> impl Iterator<Item = &'static str> {
    GLOBAL.iter().map(|v| v.name)
}

/// The name of the derived exploitation-type column.
pub const EXPLOITATION_TYPES: &str = "exploitationTypes";

/// Every column a table read from a CTDC file can have, each once: the Global Dataset's
/// variables, then those only the victim–perpetrator dataset has, then the derived
/// [`EXPLOITATION_TYPES`]. The live cases are a Global Dataset file, so this covers them too.
pub fn statistics_variables() -> impl Iterator<Item = &'static str> {
    let only_vp = VICTIM_PERPETRATOR
        .iter()
        .filter(|v| !GLOBAL.iter().any(|g| g.name == v.name));
    GLOBAL
        .iter()
        .chain(only_vp)
        .map(|v| v.name)
        .chain([EXPLOITATION_TYPES])
}

/// The values a variable's codebook lists (for a multiple choice, the choices that are joined
/// with `;`), or none for a flag, a year, a country or free text. [`EXPLOITATION_TYPES`] lists
/// the labels its values are joined from.
pub fn codebook_values(column: &str) -> Vec<&'static str> {
    if column == EXPLOITATION_TYPES {
        return EXPLOITATION_FLAGS.iter().map(|(_, label)| *label).collect();
    }
    let kind = GLOBAL
        .iter()
        .chain(VICTIM_PERPETRATOR)
        .find(|v| v.name == column)
        .map(|v| v.kind);
    match kind {
        Some(Kind::Choice(values) | Kind::MultiChoice(values)) => values.to_vec(),
        Some(Kind::AgeBand) => AGE_BANDS.to_vec(),
        Some(Kind::YearBand) => YEAR_BANDS.to_vec(),
        Some(Kind::Year | Kind::Country | Kind::Flag | Kind::Text) | None => Vec::new(),
    }
}

/// What a column holds, and so which values it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A year, `2016` (also `2016.0`).
    Year,
    /// A year or a band of years, `2019` or `2014-2018`.
    YearBand,
    /// One of the listed values (compared without regard to case).
    Choice(&'static [&'static str]),
    /// One or more of the listed values joined with `;`.
    MultiChoice(&'static [&'static str]),
    /// One of the nine CTDC age bands or `Unknown`.
    AgeBand,
    /// An ISO 3166-1 alpha-2 code, or an unknown-country code.
    Country,
    /// `1` or `0`.
    Flag,
    /// A derived list kept as published (`*Concatenated`).
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Variable {
    name: &'static str,
    kind: Kind,
}

const fn var(name: &'static str, kind: Kind) -> Variable {
    Variable { name, kind }
}

/// The bands of years of the victim–perpetrator synthetic dataset (its dictionary of 1 Dec 2022
/// and the file: 2005-2013, 2014-2018, 2019, 2020, 2021-2022). A file may hold another plausible
/// band and still import; a noisy release refuses it as outside the domain.
const YEAR_BANDS: &[&str] = &["2005-2013", "2014-2018", "2019", "2020", "2021-2022"];
const GENDER: &[&str] = &["Female", "Male", "Transgender/NonConforming", "Unknown"];
const MAJORITY: &[&str] = &["Adult", "Minor", "Unknown"];
const DATA_SOURCE: &[&str] = &["Case Management", "Hotline"];
const AGE_BANDS: &[&str] = &[
    "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+", "Unknown",
];
const RECRUITER: &[&str] = &[
    "Intimate Partner",
    "Friend",
    "Friend/Acquaintance",
    "Family/Relative",
    "Family",
    "Other",
    "Unknown",
    "Not Specified",
];
const REGIONS: &[&str] = &[
    "Africa",
    "Americas",
    "Asia",
    "Europe",
    "Oceania",
    "Americas/Oceania",
];
const PERPETRATOR_AGE: &[&str] = &[
    "0--29", "0--8", "9--17", "18--20", "21--23", "24--26", "27--29", "30--38", "39--47", "48+",
];
const RELATION: &[&str] = &[
    "FamilyIntimatePartner",
    "FriendAcquaintance",
    "StrangerUnknownOther",
];
const YES_NO: &[&str] = &["Yes", "No"];

/// The exploitation-type flags and their labels in `exploitationTypes`, in codebook order.
const EXPLOITATION_FLAGS: &[(&str, &str)] = &[
    ("isForcedLabour", "Forced labour"),
    ("isSexualExploit", "Sexual exploitation"),
    ("isOtherExploit", "Other exploitation"),
    ("isSexAndLabour", "Sexual exploitation and forced labour"),
    ("isForcedMarriage", "Forced marriage"),
    ("isForcedMilitary", "Forced military service"),
    ("isOrganRemoval", "Organ removal"),
    ("isSlaveryAndPractices", "Slavery and similar practices"),
];

/// The 63 variables of the Global Dataset codebooks (62 in 2017, plus `isSlaveryAndPractices`).
const GLOBAL: &[Variable] = &[
    var("yearOfRegistration", Kind::Year),
    var("Datasource", Kind::Choice(DATA_SOURCE)),
    var("gender", Kind::Choice(GENDER)),
    var("ageBroad", Kind::AgeBand),
    var("majorityStatus", Kind::Choice(MAJORITY)),
    var("majorityStatusAtExploit", Kind::Choice(MAJORITY)),
    var("majorityEntry", Kind::Choice(MAJORITY)),
    var("citizenship", Kind::Country),
    var("meansOfControlDebtBondage", Kind::Flag),
    var("meansOfControlTakesEarnings", Kind::Flag),
    var("meansOfControlRestrictsFinancialAccess", Kind::Flag),
    var("meansOfControlThreats", Kind::Flag),
    var("meansOfControlPsychologicalAbuse", Kind::Flag),
    var("meansOfControlPhysicalAbuse", Kind::Flag),
    var("meansOfControlSexualAbuse", Kind::Flag),
    var("meansOfControlFalsePromises", Kind::Flag),
    var("meansOfControlPsychoactiveSubstances", Kind::Flag),
    var("meansOfControlRestrictsMovement", Kind::Flag),
    var("meansOfControlRestrictsMedicalCare", Kind::Flag),
    var("meansOfControlExcessiveWorkingHours", Kind::Flag),
    var("meansOfControlUsesChildren", Kind::Flag),
    var("meansOfControlThreatOfLawEnforcement", Kind::Flag),
    var("meansOfControlWithholdsNecessities", Kind::Flag),
    var("meansOfControlWithholdsDocuments", Kind::Flag),
    var("meansOfControlOther", Kind::Flag),
    var("meansOfControlNotSpecified", Kind::Flag),
    var("meansOfControlConcatenated", Kind::Text),
    var("isForcedLabour", Kind::Flag),
    var("isSexualExploit", Kind::Flag),
    var("isOtherExploit", Kind::Flag),
    var("isSexAndLabour", Kind::Flag),
    var("isForcedMarriage", Kind::Flag),
    var("isForcedMilitary", Kind::Flag),
    var("isOrganRemoval", Kind::Flag),
    var("isSlaveryAndPractices", Kind::Flag),
    var("typeOfExploitConcatenated", Kind::Text),
    var("typeOfLabourAgriculture", Kind::Flag),
    var("typeOfLabourAquafarming", Kind::Flag),
    var("typeOfLabourBegging", Kind::Flag),
    var("typeOfLabourConstruction", Kind::Flag),
    var("typeOfLabourDomesticWork", Kind::Flag),
    var("typeOfLabourHospitality", Kind::Flag),
    var("typeOfLabourIllicitActivities", Kind::Flag),
    var("typeOfLabourManufacturing", Kind::Flag),
    var("typeOfLabourMiningOrDrilling", Kind::Flag),
    var("typeOfLabourPeddling", Kind::Flag),
    var("typeOfLabourTransportation", Kind::Flag),
    var("typeOfLabourOther", Kind::Flag),
    var("typeOfLabourNotSpecified", Kind::Flag),
    var("typeOfLabourConcatenated", Kind::Text),
    var("typeOfSexProstitution", Kind::Flag),
    var("typeOfSexPornography", Kind::Flag),
    var("typeOfSexRemoteInteractiveServices", Kind::Flag),
    var("typeOfSexPrivateSexualServices", Kind::Flag),
    var("typeOfSexConcatenated", Kind::Text),
    var("isAbduction", Kind::Flag),
    var("RecruiterRelationship", Kind::MultiChoice(RECRUITER)),
    var("CountryOfExploitation", Kind::Country),
    var("recruiterRelationIntimatePartner", Kind::Flag),
    var("recruiterRelationFriend", Kind::Flag),
    var("recruiterRelationFamily", Kind::Flag),
    var("recruiterRelationOther", Kind::Flag),
    var("recruiterRelationUnknown", Kind::Flag),
];

/// The 16 variables of the victim–perpetrator synthetic dataset (dictionary of 1 Dec 2022).
const VICTIM_PERPETRATOR: &[Variable] = &[
    var("yearRegister", Kind::YearBand),
    var("gender", Kind::Choice(GENDER)),
    var("majorityStatus", Kind::Choice(MAJORITY)),
    var("isForcedLabour", Kind::Flag),
    var("isSexualExploit", Kind::Flag),
    var("UN_COO_Region", Kind::MultiChoice(REGIONS)),
    var("UN_COE_Region", Kind::MultiChoice(REGIONS)),
    var("IP_Exploiter", Kind::Flag),
    var("IP_Gender", Kind::MultiChoice(GENDER)),
    var("IP_ageBroad", Kind::MultiChoice(PERPETRATOR_AGE)),
    var("IP_citizen_UNRegion", Kind::MultiChoice(REGIONS)),
    var("IP_Relation", Kind::MultiChoice(RELATION)),
    var("IP_PayMoney", Kind::MultiChoice(YES_NO)),
    var("IP_RecruiterBroker", Kind::Flag),
    var("IP_TransactionProcess", Kind::Flag),
    var("IP_ControlAbuseKidnap", Kind::Flag),
];

/// Other spellings of a variable's name found in CTDC documents.
const ALIASES: &[(&str, &str)] = &[("CountryofExploitation", "CountryOfExploitation")];

/// The longest cell accepted, in bytes.
pub const MAX_CELL_BYTES: usize = 500;

/// How the columns of one file map onto the format's variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    format: CtdcFormat,
    /// For each stored column, the file column it comes from and its variable.
    sources: Vec<(usize, Variable)>,
    /// Columns of the file that are not stored, by name.
    ignored: Vec<String>,
    /// Positions in `sources` of the exploitation-type flags, with their bit, when derived.
    exploitation: Option<Vec<(usize, u8)>>,
    /// `exploitationTypes` values by bit pattern of the flags set to 1.
    exploitation_labels: Vec<String>,
    width: usize,
}

impl Layout {
    /// Reads a header line: recognizes the format, maps each column to its variable, and refuses
    /// headers that are no CTDC file, that name a variable twice, or that misspell one.
    pub fn from_header(header: &[&str]) -> Result<Layout, HeaderError> {
        let names: Vec<&str> = header.iter().map(|h| h.trim()).collect();
        let canonical = |raw: &str| {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == raw)
                .map_or(raw.to_owned(), |(_, name)| (*name).to_owned())
        };
        let all_of = |variables: &[Variable]| {
            !names.is_empty()
                && names
                    .iter()
                    .all(|n| variables.iter().any(|v| v.name == canonical(n)))
        };
        let format = if names.contains(&"yearRegister") {
            CtdcFormat::VictimPerpetrator
        } else if names.contains(&"yearOfRegistration") {
            CtdcFormat::GlobalDataset
        } else if all_of(GLOBAL) {
            // Without the year, a file of nothing but one format's variables (a release of some
            // of them, such as a synthetic release of four columns) is that format.
            CtdcFormat::GlobalDataset
        } else if all_of(VICTIM_PERPETRATOR) {
            CtdcFormat::VictimPerpetrator
        } else {
            return Err(HeaderError::NotCtdc);
        };
        let variables = format.variables();
        let mut sources = Vec::new();
        let mut ignored = Vec::new();
        let mut seen = HashSet::new();
        for (index, raw) in names.iter().enumerate() {
            let name = ALIASES
                .iter()
                .find(|(alias, _)| alias == raw)
                .map_or(*raw, |(_, canonical)| *canonical);
            if let Some(variable) = variables.iter().find(|v| v.name == name) {
                if !seen.insert(variable.name) {
                    return Err(HeaderError::Repeated(variable.name));
                }
                sources.push((index, *variable));
                continue;
            }
            if index == 0 && (name.is_empty() || name.starts_with("By using this data")) {
                ignored.push("(terms-of-use column)".to_owned());
                continue;
            }
            if let Some(variable) = variables
                .iter()
                .find(|v| strsim::levenshtein(&v.name.to_lowercase(), &name.to_lowercase()) <= 2)
            {
                return Err(HeaderError::Misspelt {
                    found: name.to_owned(),
                    expected: variable.name,
                });
            }
            ignored.push(name.to_owned());
        }
        if sources.len() < 2 {
            return Err(HeaderError::TooFewVariables);
        }

        let flags: Vec<(usize, u8)> = EXPLOITATION_FLAGS
            .iter()
            .enumerate()
            .filter_map(|(bit, (flag, _))| {
                sources
                    .iter()
                    .position(|(_, v)| v.name == *flag)
                    .map(|position| (position, bit as u8))
            })
            .collect();
        let exploitation = (!flags.is_empty()).then_some(flags);
        let exploitation_labels = (0..=u8::MAX)
            .map(|bits| {
                EXPLOITATION_FLAGS
                    .iter()
                    .enumerate()
                    .filter(|(bit, _)| bits & (1 << bit) != 0)
                    .map(|(_, (_, label))| *label)
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .collect();
        Ok(Layout {
            format,
            sources,
            ignored,
            exploitation,
            exploitation_labels,
            width: header.len(),
        })
    }

    pub fn format(&self) -> CtdcFormat {
        self.format
    }

    /// Accepts any text in the named columns: for releases, whose generalized values
    /// (`18--29`, `Central America`, `2015-2019`) are no codebook values. Names the first column
    /// the file does not have.
    pub fn accept_any_text(&mut self, columns: &[String]) -> Result<(), String> {
        for column in columns {
            let source = self
                .sources
                .iter_mut()
                .find(|(_, v)| v.name == column.as_str())
                .ok_or_else(|| column.clone())?;
            source.1.kind = Kind::Text;
        }
        Ok(())
    }

    /// The columns of the file that are not stored.
    pub fn ignored(&self) -> &[String] {
        &self.ignored
    }

    /// How many fields every row must have.
    pub fn width(&self) -> usize {
        self.width
    }

    /// The stored columns: the file's CTDC variables in file order, then derived columns.
    pub fn column_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .sources
            .iter()
            .map(|(_, v)| v.name.to_owned())
            .collect();
        if self.exploitation.is_some() {
            names.push(EXPLOITATION_TYPES.to_owned());
        }
        names
    }

    /// Checks and normalizes one row into `out`, one value per stored column (`None` for
    /// missing); `field(i)` gives the row's field `i`. The first bad cell is the error.
    pub fn normalize_row<'a>(
        &'a self,
        field: impl Fn(usize) -> Option<&'a str>,
        out: &mut Vec<Option<&'a str>>,
    ) -> Result<(), CellError> {
        out.clear();
        for (index, variable) in &self.sources {
            let raw = field(*index).unwrap_or_default();
            let value = normalize(variable.kind, raw).map_err(|problem| CellError {
                column: variable.name,
                value: raw.chars().take(60).collect(),
                problem,
            })?;
            out.push(value);
        }
        if let Some(flags) = &self.exploitation {
            let bits = flags
                .iter()
                .filter(|(position, _)| out[*position] == Some("1"))
                .fold(0u8, |bits, (_, bit)| bits | (1 << bit));
            out.push((bits != 0).then(|| self.exploitation_labels[usize::from(bits)].as_str()));
        }
        Ok(())
    }
}

fn normalize(kind: Kind, raw: &str) -> Result<Option<&str>, CellProblem> {
    // Most cells of a CTDC file are flags written plainly: settle them before any other check.
    if kind == Kind::Flag {
        match raw {
            "" | "-99" => return Ok(None),
            "1" => return Ok(Some("1")),
            "0" => return Ok(Some("0")),
            _ => {}
        }
    }
    let value = raw.trim_ascii();
    if value.is_empty() || value == "-99" || value == "-99.0" {
        return Ok(None);
    }
    if value.len() > MAX_CELL_BYTES {
        return Err(CellProblem::TooLong);
    }
    let ascii_control = value.bytes().any(|b| b < 0x20 || b == 0x7f);
    if ascii_control || (!value.is_ascii() && value.chars().any(char::is_control)) {
        return Err(CellProblem::ControlCharacter);
    }
    match kind {
        Kind::Year => {
            let digits = value.strip_suffix(".0").unwrap_or(value);
            match digits.parse::<u16>() {
                Ok(1900..=2100) if digits.len() == 4 => Ok(Some(digits)),
                _ => Err(CellProblem::NotAYear),
            }
        }
        Kind::YearBand => {
            let plausible = |y: &str| y.len() == 4 && matches!(y.parse::<u16>(), Ok(1900..=2100));
            let ok = match value.split_once('-') {
                Some((first, last)) => plausible(first) && plausible(last) && first <= last,
                None => plausible(value),
            };
            if ok {
                Ok(Some(value))
            } else {
                Err(CellProblem::NotAYear)
            }
        }
        Kind::Choice(allowed) => allowed
            .iter()
            .find(|a| **a == value)
            .or_else(|| allowed.iter().find(|a| a.eq_ignore_ascii_case(value)))
            .map(|a| Some(*a))
            .ok_or(CellProblem::NotAllowed(allowed)),
        Kind::MultiChoice(allowed) => {
            let all_known = value
                .split(';')
                .all(|part| allowed.iter().any(|a| a.eq_ignore_ascii_case(part.trim())));
            if all_known {
                Ok(Some(value))
            } else {
                Err(CellProblem::NotAllowed(allowed))
            }
        }
        Kind::AgeBand => {
            if let Some(band) = AGE_BANDS.iter().find(|band| **band == value) {
                return Ok(Some(band));
            }
            let dashed = value.replace(['\u{2014}', '\u{2013}'], "--");
            AGE_BANDS
                .iter()
                .find(|band| band.eq_ignore_ascii_case(&dashed))
                .map(|band| Some(*band))
                .ok_or(CellProblem::NotAllowed(AGE_BANDS))
        }
        Kind::Country => match value {
            "Missing" => Ok(None),
            "ZZ" | "00" | "0" | "Unknown" => Ok(Some("ZZ")),
            code if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) => {
                Ok(Some(code))
            }
            _ => Err(CellProblem::NotACountry),
        },
        Kind::Flag => match value {
            "1" | "1.0" => Ok(Some("1")),
            "0" | "0.0" => Ok(Some("0")),
            _ => Err(CellProblem::NotAFlag),
        },
        Kind::Text => Ok(Some(value)),
    }
}

/// A header that is no CTDC file of a known format.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    #[error(
        "this is not a CTDC file: its header has neither `yearOfRegistration` (Global Dataset) \
         nor `yearRegister` (victim–perpetrator synthetic data), and not only the variables of \
         one of them"
    )]
    NotCtdc,
    #[error("the header names `{0}` twice")]
    Repeated(&'static str),
    #[error("the header has a column `{found}`: did you mean `{expected}`?")]
    Misspelt {
        found: String,
        expected: &'static str,
    },
    #[error("the header has only the year column: there is nothing to count")]
    TooFewVariables,
}

/// A cell that does not hold a value its column accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub column: &'static str,
    pub value: String,
    pub problem: CellProblem,
}

impl std::fmt::Display for CellError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "column `{}`, value `{}`: {}",
            self.column, self.value, self.problem
        )
    }
}

/// Why a cell was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellProblem {
    #[error("not a year between 1900 and 2100")]
    NotAYear,
    #[error("not one of: {}", .0.join(", "))]
    NotAllowed(&'static [&'static str]),
    #[error("not an ISO 3166-1 alpha-2 country code (or ZZ, 00, 0 for unknown)")]
    NotACountry,
    #[error("not a flag (1, 0, or -99 or empty for missing)")]
    NotAFlag,
    #[error("longer than {MAX_CELL_BYTES} bytes")]
    TooLong,
    #[error("contains a control character")]
    ControlCharacter,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::{BadRow, ReadError, RowProblem, read_table};

    fn row<'a>(layout: &'a Layout, fields: &[&'a str]) -> Vec<Option<&'a str>> {
        let mut out = Vec::new();
        layout
            .normalize_row(|i| fields.get(i).copied(), &mut out)
            .unwrap();
        out
    }

    #[test]
    fn statistics_variables_cover_both_formats_and_the_derived_column_once() {
        let all: Vec<&str> = statistics_variables().collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(unique.len(), all.len(), "no variable twice");
        assert_eq!(
            all.len(),
            GLOBAL.len() + 12 + 1,
            "63 + the 12 of VP only + 1"
        );
        for v in GLOBAL.iter().chain(VICTIM_PERPETRATOR) {
            assert!(unique.contains(v.name), "{}", v.name);
        }
        assert!(unique.contains(EXPLOITATION_TYPES));
        assert_eq!(codebook_values("gender"), GENDER);
        assert_eq!(codebook_values("IP_Relation"), RELATION);
        assert_eq!(codebook_values("ageBroad"), AGE_BANDS);
        assert!(codebook_values(EXPLOITATION_TYPES).contains(&"Forced labour"));
        assert!(codebook_values("isSexualExploit").is_empty());
        assert!(codebook_values("nope").is_empty());
    }

    #[test]
    fn reads_the_2017_layout_and_derives_exploitation_types() {
        let layout = Layout::from_header(&[
            "yearOfRegistration",
            "gender",
            "citizenship",
            "isForcedLabour",
            "isSexualExploit",
        ])
        .unwrap();
        assert_eq!(layout.format(), CtdcFormat::GlobalDataset);
        assert_eq!(
            layout.column_names(),
            vec![
                "yearOfRegistration",
                "gender",
                "citizenship",
                "isForcedLabour",
                "isSexualExploit",
                "exploitationTypes"
            ]
        );
        assert_eq!(
            row(&layout, &["2016", "Female", "NA", "1", "1"]),
            vec![
                Some("2016"),
                Some("Female"),
                Some("NA"),
                Some("1"),
                Some("1"),
                Some("Forced labour; Sexual exploitation")
            ]
        );
        assert_eq!(
            row(&layout, &["2016.0", "-99", "0", "0.0", ""]),
            vec![Some("2016"), None, Some("ZZ"), Some("0"), None, None]
        );
    }

    #[test]
    fn drops_the_terms_of_use_column_and_foreign_columns() {
        let layout = Layout::from_header(&[
            "By using this data you agree to the Terms of Use: https://www.ctdatacollaborative.org/terms-use",
            "yearOfRegistration",
            "CountryofExploitation",
            "nacionalidade_lat",
        ])
        .unwrap();
        assert_eq!(
            layout.column_names(),
            vec!["yearOfRegistration", "CountryOfExploitation"]
        );
        assert_eq!(
            layout.ignored(),
            &[
                "(terms-of-use column)".to_owned(),
                "nacionalidade_lat".to_owned()
            ]
        );
        assert_eq!(
            row(&layout, &["0", "2017", "Missing", "4.5"]),
            vec![Some("2017"), None]
        );
    }

    #[test]
    fn a_header_of_one_formats_variables_alone_is_that_format() {
        // A release of some variables, without the year (a synthetic release of a few columns).
        let global = Layout::from_header(&["gender", "ageBroad", "CountryofExploitation"]).unwrap();
        assert_eq!(global.format(), CtdcFormat::GlobalDataset);
        let vp = Layout::from_header(&["gender", "majorityStatus", "IP_Exploiter"]).unwrap();
        assert_eq!(vp.format(), CtdcFormat::VictimPerpetrator);
        // One foreign column, or a misspelt one, and it is no CTDC file.
        assert_eq!(
            Layout::from_header(&["gender", "ageBroad", "notes"]),
            Err(HeaderError::NotCtdc)
        );
        assert_eq!(
            Layout::from_header(&["gender", "IP_Exploiter", "ageBroad"]),
            Err(HeaderError::NotCtdc),
            "variables of both formats"
        );
        assert_eq!(Layout::from_header(&[]), Err(HeaderError::NotCtdc));
    }

    #[test]
    fn refuses_headers_that_are_no_ctdc_file() {
        assert_eq!(Layout::from_header(&["a", "b"]), Err(HeaderError::NotCtdc));
        assert_eq!(
            Layout::from_header(&["yearOfRegistration", "gendr"]),
            Err(HeaderError::Misspelt {
                found: "gendr".into(),
                expected: "gender"
            })
        );
        assert_eq!(
            Layout::from_header(&["yearOfRegistration", "gender", "gender"]),
            Err(HeaderError::Repeated("gender"))
        );
        assert_eq!(
            Layout::from_header(&["yearOfRegistration"]),
            Err(HeaderError::TooFewVariables)
        );
    }

    #[test]
    fn normalizes_age_bands_and_refuses_bad_cells() {
        let layout =
            Layout::from_header(&["yearOfRegistration", "ageBroad", "isAbduction"]).unwrap();
        assert_eq!(
            row(&layout, &["2010", "0\u{2014}8", "1"]),
            vec![Some("2010"), Some("0--8"), Some("1")]
        );
        let mut out = Vec::new();
        let bad = |fields: &[&str]| {
            let mut out = Vec::new();
            layout
                .normalize_row(|i| fields.get(i).copied(), &mut out)
                .unwrap_err()
        };
        assert_eq!(bad(&["20x0", "0--8", "1"]).problem, CellProblem::NotAYear);
        assert_eq!(bad(&["2010", "0--8", "2"]).problem, CellProblem::NotAFlag);
        let error = bad(&["2010", "elderly", "1"]);
        assert_eq!(error.column, "ageBroad");
        assert_eq!(
            error.to_string(),
            "column `ageBroad`, value `elderly`: not one of: 0--8, 9--17, 18--20, 21--23, \
             24--26, 27--29, 30--38, 39--47, 48+, Unknown"
        );
        assert!(
            layout
                .normalize_row(|i| ["2010", "", ""].get(i).copied(), &mut out)
                .is_ok()
        );
    }

    #[test]
    fn generalized_columns_accept_any_text() {
        let mut layout = Layout::from_header(&["yearOfRegistration", "ageBroad"]).unwrap();
        assert!(
            layout
                .normalize_row(|i| ["2015-2019", "18--29"].get(i).copied(), &mut Vec::new())
                .is_err()
        );
        layout
            .accept_any_text(&["yearOfRegistration".into(), "ageBroad".into()])
            .unwrap();
        assert_eq!(
            row(&layout, &["2015-2019", "18--29"]),
            vec![Some("2015-2019"), Some("18--29")]
        );
        assert_eq!(
            layout.accept_any_text(&["gender".into()]),
            Err("gender".into())
        );
    }

    #[test]
    fn reads_a_whole_file_into_a_table() {
        let text = "yearOfRegistration,gender,isSexualExploit\n2016,Female,1\n2017,Male,-99\n";
        let table = read_table(text.as_bytes()).unwrap();
        assert_eq!(table.rows(), 2);
        assert_eq!(table.columns().len(), 4);
        let bad = "yearOfRegistration,gender\n2016,Female\n2017,Mal\n";
        assert!(matches!(
            read_table(bad.as_bytes()),
            Err(ReadError::Row(BadRow {
                line: 3,
                problem: RowProblem::Cell(_)
            }))
        ));
        assert_eq!(read_table(&b""[..]), Err(ReadError::Empty));
    }

    #[test]
    fn reads_the_victim_perpetrator_layout() {
        let layout = Layout::from_header(&[
            "yearRegister",
            "gender",
            "isForcedLabour",
            "UN_COO_Region",
            "IP_Relation",
        ])
        .unwrap();
        assert_eq!(layout.format(), CtdcFormat::VictimPerpetrator);
        assert_eq!(
            row(
                &layout,
                &[
                    "2014-2018",
                    "Female",
                    "1",
                    "Americas/Oceania",
                    "FriendAcquaintance;StrangerUnknownOther"
                ]
            ),
            vec![
                Some("2014-2018"),
                Some("Female"),
                Some("1"),
                Some("Americas/Oceania"),
                Some("FriendAcquaintance;StrangerUnknownOther"),
                Some("Forced labour")
            ]
        );
        let mut out = Vec::new();
        assert!(
            layout
                .normalize_row(
                    |i| ["2018-2014", "Female", "1", "Asia", "Stranger"]
                        .get(i)
                        .copied(),
                    &mut out
                )
                .is_err()
        );
    }
}

//! Statistics questions, asked the same way on every surface: the console's page, the API's
//! `/api/v1/stats` and `antitrata stats` each turn what was typed into a [`Question`] with
//! [`Question::parse`] and count it with [`answer`]. The live cases of a country become a table
//! here too, read through the store's own rule of who may count them.

use antitrata_domain::stats::{
    CrossTab, CrossTabError, Filter, Table, cross_tabulate, table_of_cases, year_column,
};
use antitrata_domain::{Actor, CountryCode};
use antitrata_store::{OpenedBetween, RecordsUse, Store, StoreError};

/// The years a question may name.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// A question as typed, on any surface: the variables crossed, a year range (empty for none),
/// and for each filtered column the values kept (`None` keeps the records missing it).
#[derive(Debug, Default)]
pub struct Asked<'a> {
    pub by: Vec<&'a str>,
    pub from_year: &'a str,
    pub to_year: &'a str,
    pub keep: Vec<(&'a str, Vec<Option<&'a str>>)>,
}

/// A question that reads: its variables, its year range within [`YEARS`], and the values its
/// filtered columns keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub by: Vec<String>,
    pub from_year: Option<i32>,
    pub to_year: Option<i32>,
    pub keep: Vec<(String, Vec<Option<String>>)>,
}

/// Why a question does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuestionError {
    /// A year that is not a number from 1900 to 2100; `which` is `from` or `to`.
    #[error("{which} year `{text}`: write a year from 1900 to 2100 in four digits, e.g. 2016")]
    Year { which: &'static str, text: String },
}

/// Why a question that reads has no answer over a table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("the dataset has no year column, so it cannot be limited to years")]
    NoYearColumn,
    #[error(transparent)]
    CrossTab(#[from] CrossTabError),
}

impl Question {
    /// Reads a question as typed. Variables and columns are checked against a table by
    /// [`answer`], which knows it; the years are checked here, against [`YEARS`].
    pub fn parse(asked: &Asked<'_>) -> Result<Question, QuestionError> {
        Ok(Question {
            by: asked.by.iter().map(|b| (*b).to_owned()).collect(),
            from_year: year(asked.from_year, "from")?,
            to_year: year(asked.to_year, "to")?,
            keep: asked
                .keep
                .iter()
                .map(|(column, values)| {
                    let values = values.iter().map(|v| v.map(str::to_owned)).collect();
                    ((*column).to_owned(), values)
                })
                .collect(),
        })
    }
}

fn year(text: &str, which: &'static str) -> Result<Option<i32>, QuestionError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    match text.parse::<i32>() {
        Ok(year) if YEARS.contains(&year) => Ok(Some(year)),
        _ => Err(QuestionError::Year {
            which,
            text: text.to_owned(),
        }),
    }
}

/// Counts `question` over `table`: its year range (which needs the table's year column), then
/// its kept values, then the cross-tab of its variables.
pub fn answer(table: &Table, question: &Question) -> Result<CrossTab, AnswerError> {
    let mut filters = Vec::new();
    if question.from_year.is_some() || question.to_year.is_some() {
        let year = year_column(table).ok_or(AnswerError::NoYearColumn)?;
        filters.push(Filter::year_range(
            table,
            year,
            question.from_year,
            question.to_year,
        )?);
    }
    for (column, values) in &question.keep {
        let values: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
        filters.push(Filter::values(table, column, &values)?);
    }
    let by: Vec<&str> = question.by.iter().map(String::as_str).collect();
    Ok(cross_tabulate(table, &by, &filters)?)
}

/// The live cases of `country` as a table, read by `actor` for statistics: the store lets only
/// the country's own hotline roles read them so.
pub async fn live_cases(
    store: &Store,
    actor: &Actor,
    country: CountryCode,
) -> Result<Table, StoreError> {
    let records = store
        .victim_records(
            actor,
            country,
            OpenedBetween::default(),
            RecordsUse::Statistics,
        )
        .await?;
    table_of_cases(&records)
        .map_err(|e| StoreError::Corrupt(format!("the cases do not read as a CTDC table: {e}")))
}

#[cfg(test)]
mod tests {
    use antitrata_domain::stats::{Column, Dictionary, read_table};

    use super::*;

    const FILE: &str = "yearOfRegistration,gender,citizenship\n\
                        2015,Female,MX\n2016,Male,MX\n2016,Female,GT\n2017,,GT\n";

    fn asked<'a>(by: &[&'a str], from: &'a str, to: &'a str) -> Asked<'a> {
        Asked {
            by: by.to_vec(),
            from_year: from,
            to_year: to,
            keep: Vec::new(),
        }
    }

    #[test]
    fn years_are_read_within_1900_to_2100() {
        let question = Question::parse(&asked(&["gender"], " 2016 ", "")).unwrap();
        assert_eq!((question.from_year, question.to_year), (Some(2016), None));
        for (from, to) in [("1899", ""), ("", "2101"), ("20x5", ""), ("15", "")] {
            let refused = Question::parse(&asked(&["gender"], from, to)).unwrap_err();
            let QuestionError::Year { which, text } = &refused;
            assert_eq!(
                (*which, text.as_str()),
                if from.is_empty() {
                    ("to", to)
                } else {
                    ("from", from)
                },
                "{refused}"
            );
        }
        assert!(Question::parse(&asked(&["gender"], "1900", "2100")).is_ok());
    }

    #[test]
    fn a_question_is_counted_within_its_years_and_kept_values() {
        let table = read_table(FILE.as_bytes()).unwrap();
        let mut typed = asked(&["gender"], "2016", "");
        typed.keep = vec![("citizenship", vec![Some("GT"), Some("MX")])];
        let tab = answer(&table, &Question::parse(&typed).unwrap()).unwrap();
        assert_eq!(tab.total, 3);
        assert_eq!(tab.count(&[Some("Female")]), 1);
        assert_eq!(tab.count(&[None]), 1);

        typed.keep = vec![("gender", vec![None])];
        let tab = answer(&table, &Question::parse(&typed).unwrap()).unwrap();
        assert_eq!((tab.total, tab.count(&[None])), (1, 1));
    }

    #[test]
    fn a_question_the_table_cannot_answer_says_why() {
        let table = read_table(FILE.as_bytes()).unwrap();
        let unknown = Question::parse(&asked(&["sex"], "", "")).unwrap();
        assert_eq!(
            answer(&table, &unknown).unwrap_err(),
            AnswerError::CrossTab(CrossTabError::UnknownColumn("sex".into()))
        );
        // A released dataset may have lost its year column; a CTDC file never has.
        let gender = Column {
            name: "gender".into(),
            dictionary: Dictionary::new(vec!["Female".into()]).unwrap(),
            codes: vec![1, 0],
        };
        let no_years = Table::from_columns(vec![gender]).unwrap();
        let since = Question::parse(&asked(&["gender"], "2016", "")).unwrap();
        assert_eq!(
            answer(&no_years, &since).unwrap_err(),
            AnswerError::NoYearColumn
        );
    }
}

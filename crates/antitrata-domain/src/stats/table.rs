//! The columnar table that statistics and privacy code work on: every column categorical and
//! dictionary-encoded, one `u16` code per row, code 0 meaning "missing".
//!
//! A table is built by a [`TableEncoder`] one row at a time, in chunks of bounded size so that an
//! import can stream, and put back together from its dictionaries and chunks by
//! [`Table::from_chunks`].

use std::collections::HashMap;

use foldhash::fast::FixedState;

/// The code of a missing value in every column.
pub const MISSING: u16 = 0;

/// Up to this many distinct values, the encoder finds a value's code by scanning.
const SCANNED: usize = 16;

/// The most distinct values a column can hold, missing included.
pub const MAX_DISTINCT: usize = u16::MAX as usize + 1;

/// The values of one column, in order of first appearance; code `c` stands for `values[c - 1]`,
/// code 0 for a missing value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dictionary {
    values: Vec<String>,
}

impl Dictionary {
    pub fn new(values: Vec<String>) -> Result<Dictionary, TableError> {
        if values.len() >= MAX_DISTINCT {
            return Err(TableError::TooManyValues {
                column: String::new(),
            });
        }
        Ok(Dictionary { values })
    }

    /// The value a code stands for; `None` for missing or a code past the end.
    pub fn value(&self, code: u16) -> Option<&str> {
        let index = usize::from(code).checked_sub(1)?;
        self.values.get(index).map(String::as_str)
    }

    /// The code of a value, if the column has it.
    pub fn code(&self, value: &str) -> Option<u16> {
        self.values
            .iter()
            .position(|v| v == value)
            .and_then(|i| u16::try_from(i + 1).ok())
    }

    /// Every value, in code order (code 1 first).
    pub fn values(&self) -> &[String] {
        &self.values
    }

    /// How many codes the column uses, missing included.
    pub fn code_count(&self) -> usize {
        self.values.len() + 1
    }
}

/// One column: its name, dictionary and one code per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub dictionary: Dictionary,
    pub codes: Vec<u16>,
}

/// Rows of categorical values, stored column by column.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Table {
    columns: Vec<Column>,
    rows: usize,
}

impl Table {
    /// Puts a table back together from its column names, dictionaries and chunks of codes (each
    /// chunk holding one code vector per column, in column order).
    pub fn from_chunks(
        columns: Vec<(String, Dictionary)>,
        chunks: impl IntoIterator<Item = Vec<Vec<u16>>>,
    ) -> Result<Table, TableError> {
        let mut built: Vec<Column> = columns
            .into_iter()
            .map(|(name, dictionary)| Column {
                name,
                dictionary,
                codes: Vec::new(),
            })
            .collect();
        for chunk in chunks {
            if chunk.len() != built.len() {
                return Err(TableError::Shape(format!(
                    "a chunk has {} columns, the table {}",
                    chunk.len(),
                    built.len()
                )));
            }
            for (column, codes) in built.iter_mut().zip(chunk) {
                column.codes.extend(codes);
            }
        }
        Table::from_columns(built)
    }

    /// A table of whole columns, which must all be as long and use only codes their dictionary
    /// has.
    pub fn from_columns(columns: Vec<Column>) -> Result<Table, TableError> {
        let rows = columns.first().map_or(0, |c| c.codes.len());
        for column in &columns {
            if column.codes.len() != rows {
                return Err(TableError::Shape(format!(
                    "column `{}` has {} rows, the first column {rows}",
                    column.name,
                    column.codes.len()
                )));
            }
            let limit = column.dictionary.code_count();
            if column.codes.iter().any(|&c| usize::from(c) >= limit) {
                return Err(TableError::Shape(format!(
                    "column `{}` uses a code its dictionary does not have",
                    column.name
                )));
            }
        }
        Ok(Table { columns, rows })
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The position of the column with this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }
}

/// Encodes rows into codes, handing out chunks of at most `chunk_rows` rows so that memory stays
/// bounded however long the input is. Dictionaries grow as values appear.
#[derive(Debug)]
pub struct TableEncoder {
    names: Vec<String>,
    lookups: Vec<HashMap<String, u16, FixedState>>,
    dictionaries: Vec<Vec<String>>,
    pending: Vec<Vec<u16>>,
    chunk_rows: usize,
    rows: u64,
}

impl TableEncoder {
    pub fn new(names: Vec<String>, chunk_rows: usize) -> TableEncoder {
        let width = names.len();
        TableEncoder {
            names,
            lookups: vec![HashMap::with_hasher(FixedState::default()); width],
            dictionaries: vec![Vec::new(); width],
            pending: vec![Vec::with_capacity(chunk_rows.min(1 << 16)); width],
            chunk_rows: chunk_rows.max(1),
            rows: 0,
        }
    }

    /// Adds one row, one value per column (`None` for missing). Returns a full chunk when this
    /// row completes one. A row of the wrong width changes nothing.
    pub fn push_row(
        &mut self,
        values: &[Option<&str>],
    ) -> Result<Option<Vec<Vec<u16>>>, TableError> {
        if values.len() != self.names.len() {
            return Err(TableError::Shape(format!(
                "a row has {} values, the table {} columns",
                values.len(),
                self.names.len()
            )));
        }
        for (column, value) in values.iter().enumerate() {
            let code = match value {
                None => MISSING,
                Some(value) => self.code_of(column, value)?,
            };
            self.pending[column].push(code);
        }
        self.rows += 1;
        if self
            .pending
            .first()
            .is_some_and(|p| p.len() >= self.chunk_rows)
        {
            return Ok(Some(self.take_chunk()));
        }
        Ok(None)
    }

    /// The code of `value` in `column`, adding it to the dictionary when new. Small dictionaries
    /// (flags, bands, sexes: most columns) are scanned, which beats hashing; larger ones use the
    /// map.
    fn code_of(&mut self, column: usize, value: &str) -> Result<u16, TableError> {
        let dictionary = &mut self.dictionaries[column];
        if dictionary.len() <= SCANNED {
            if let Some(i) = dictionary.iter().position(|v| v == value) {
                return Ok(i as u16 + 1);
            }
        } else if let Some(&code) = self.lookups[column].get(value) {
            return Ok(code);
        }
        let code = u16::try_from(dictionary.len() + 1).map_err(|_| TableError::TooManyValues {
            column: self.names[column].clone(),
        })?;
        dictionary.push(value.to_owned());
        self.lookups[column].insert(value.to_owned(), code);
        Ok(code)
    }

    /// The rows pushed since the last chunk (possibly none).
    pub fn take_chunk(&mut self) -> Vec<Vec<u16>> {
        self.pending.iter_mut().map(std::mem::take).collect()
    }

    /// Rows pushed so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The column names and their dictionaries as they stand.
    pub fn dictionaries(&self) -> Vec<(String, Dictionary)> {
        self.names
            .iter()
            .zip(&self.dictionaries)
            .map(|(name, values)| {
                (
                    name.clone(),
                    Dictionary {
                        values: values.clone(),
                    },
                )
            })
            .collect()
    }
}

/// A table that cannot be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    #[error("column `{column}` has more than 65,535 distinct values: it is not categorical")]
    TooManyValues { column: String },
    #[error("the table's columns do not line up: {0}")]
    Shape(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_in_chunks_and_reassembles() {
        let mut encoder = TableEncoder::new(vec!["gender".into(), "year".into()], 2);
        let rows = [
            [Some("Female"), Some("2016")],
            [Some("Male"), None],
            [Some("Female"), Some("2017")],
        ];
        let mut chunks = Vec::new();
        for row in rows {
            if let Some(chunk) = encoder.push_row(&row).unwrap() {
                chunks.push(chunk);
            }
        }
        chunks.push(encoder.take_chunk());
        assert_eq!(chunks[0], vec![vec![1, 2], vec![1, MISSING]]);
        assert_eq!(chunks[1], vec![vec![1], vec![2]]);

        let table = Table::from_chunks(encoder.dictionaries(), chunks).unwrap();
        assert_eq!(table.rows(), 3);
        let year = table.column("year").unwrap();
        assert_eq!(year.dictionary.value(2), Some("2017"));
        assert_eq!(year.dictionary.value(MISSING), None);
        assert_eq!(year.dictionary.code("2016"), Some(1));
    }

    #[test]
    fn rejects_rows_of_the_wrong_width_and_codes_past_the_dictionary() {
        let mut encoder = TableEncoder::new(vec!["a".into(), "b".into()], 10);
        assert!(encoder.push_row(&[Some("x")]).is_err());
        assert_eq!(encoder.take_chunk(), vec![Vec::<u16>::new(), Vec::new()]);
        let column = Column {
            name: "a".into(),
            dictionary: Dictionary::new(vec!["x".into()]).unwrap(),
            codes: vec![0, 1, 2],
        };
        assert!(matches!(
            Table::from_columns(vec![column]),
            Err(TableError::Shape(_))
        ));
    }
}

//! The one reader of CTDC files, for the importer and for live cases alike: the header into a
//! [`Layout`], then row by row, each checked, normalized and encoded into a [`TableEncoder`].
//! Blank lines are passed over; a row that is not UTF-8, has the wrong number of fields or a
//! value its column does not allow is a [`BadRow`] the caller may skip or stop at; any other CSV
//! failure ends the reading.

use std::io::Read;

use crate::stats::{CellError, HeaderError, Layout, TableEncoder, TableError};

/// A CTDC file being read.
#[derive(Debug)]
pub struct CtdcReader<R> {
    csv: csv::Reader<Recent<R>>,
    layout: Layout,
    /// The current row, reused: its allocation serves every row.
    record: csv::StringRecord,
    /// The buffer of a row's values, emptied and reused likewise.
    spare: Vec<Option<&'static str>>,
}

/// What reading one more row gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// A row was encoded; a chunk of codes when it filled one.
    Row(Option<Vec<Vec<u16>>>),
    /// A row that could not be read; nothing of it was encoded.
    Bad(BadRow),
    /// The file has no more rows.
    End,
}

/// A row that could not be read, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct BadRow {
    pub line: u64,
    pub problem: RowProblem,
}

/// Why a row could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowProblem {
    #[error("has {found} fields where the header has {expected}: the line is broken or cut short")]
    Width { found: usize, expected: usize },
    #[error("column {field}: byte {byte} of the field is not UTF-8: save the file as UTF-8")]
    NotUtf8 { field: usize, byte: usize },
    #[error("{0}")]
    Cell(CellError),
}

/// A CTDC file that cannot be read at all, or (for [`read_table`]) its first bad row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("the file is empty: a CTDC file starts with a header line")]
    Empty,
    #[error("{0}")]
    Csv(String),
    #[error("line 1 (the header): {0}")]
    Header(#[from] HeaderError),
    #[error("line 1 (the header): no column `{0}`")]
    NoSuchColumn(String),
    #[error(transparent)]
    Row(#[from] BadRow),
    #[error(transparent)]
    Table(#[from] TableError),
}

impl RowProblem {
    /// A field that is not UTF-8, told by its column and first bad byte, both from 1.
    fn not_utf8(error: &csv::Utf8Error) -> RowProblem {
        RowProblem::NotUtf8 {
            field: error.field() + 1,
            byte: error.valid_up_to() + 1,
        }
    }
}

impl<R: Read> CtdcReader<R> {
    /// Reads the header; the columns named in `any_text` (of a release, whose values were
    /// generalized) then take any text.
    pub fn new(reader: R, any_text: &[String]) -> Result<CtdcReader<R>, ReadError> {
        let mut csv = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(Recent::new(reader));
        let mut bytes = csv::ByteRecord::new();
        if !csv.read_byte_record(&mut bytes).map_err(csv_error)? {
            return Err(ReadError::Empty);
        }
        let header = csv::StringRecord::from_byte_record(bytes).map_err(|e| {
            ReadError::Csv(format!(
                "line 1 (the header): {}",
                RowProblem::not_utf8(e.utf8_error())
            ))
        })?;
        let mut layout = Layout::from_header(&header.iter().collect::<Vec<_>>())?;
        layout
            .accept_any_text(any_text)
            .map_err(ReadError::NoSuchColumn)?;
        let spare = Vec::with_capacity(layout.column_names().len());
        Ok(CtdcReader {
            csv,
            layout,
            record: header,
            spare,
        })
    }

    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// An encoder for the file's columns, `chunk_rows` rows a chunk.
    pub fn encoder(&self, chunk_rows: usize) -> TableEncoder {
        TableEncoder::new(self.layout.column_names(), chunk_rows)
    }

    /// The file, once read.
    pub fn into_inner(self) -> R {
        self.csv.into_inner().inner
    }

    /// How far into the file the reading is, in bytes.
    pub fn byte(&self) -> u64 {
        self.csv.position().byte()
    }

    /// Reads, checks and encodes the next row. A CSV failure other than bad UTF-8, or a row the
    /// encoder cannot hold, is an `Err`; the reading cannot go on after it.
    pub fn next_row(&mut self, encoder: &mut TableEncoder) -> Result<Step, ReadError> {
        loop {
            let mut bytes = std::mem::take(&mut self.record).into_byte_record();
            if !self.csv.read_byte_record(&mut bytes).map_err(csv_error)? {
                return Ok(Step::End);
            }
            let line = bytes.position().map_or(0, |at| {
                at.line() + self.csv.get_ref().line_ends_at(at.byte())
            });
            match csv::StringRecord::from_byte_record(bytes) {
                Ok(record) => self.record = record,
                Err(e) => {
                    let problem = RowProblem::not_utf8(e.utf8_error());
                    self.record = csv::StringRecord::from_byte_record_lossy(e.into_byte_record());
                    return Ok(Step::Bad(BadRow { line, problem }));
                }
            }
            if self.record.len() == 1 && self.record.get(0).is_some_and(str::is_empty) {
                continue; // a blank line
            }
            if self.record.len() != self.layout.width() {
                let problem = RowProblem::Width {
                    found: self.record.len(),
                    expected: self.layout.width(),
                };
                return Ok(Step::Bad(BadRow { line, problem }));
            }
            let record = &self.record;
            // The buffer takes this row's lifetime and is handed back empty: one allocation.
            let mut values: Vec<Option<&str>> = std::mem::take(&mut self.spare)
                .into_iter()
                .map(|_| None)
                .collect();
            let step = match self.layout.normalize_row(|i| record.get(i), &mut values) {
                Ok(()) => encoder.push_row(&values).map(Step::Row),
                Err(error) => Ok(Step::Bad(BadRow {
                    line,
                    problem: RowProblem::Cell(error),
                })),
            };
            values.clear();
            self.spare = values.into_iter().map(|_| None).collect();
            return Ok(step?);
        }
    }

    /// Reads every row into a table in memory, stopping at the first bad row.
    pub fn read_table(mut self) -> Result<crate::stats::Table, ReadError> {
        let mut encoder = self.encoder(1 << 16);
        let mut chunks = Vec::new();
        loop {
            match self.next_row(&mut encoder)? {
                Step::Row(chunk) => chunks.extend(chunk),
                Step::Bad(bad) => return Err(ReadError::Row(bad)),
                Step::End => break,
            }
        }
        chunks.push(encoder.take_chunk());
        Ok(crate::stats::Table::from_chunks(
            encoder.dictionaries(),
            chunks,
        )?)
    }
}

/// The input, with its last bytes kept so that a row's line can be told exactly. The `csv` crate
/// counts a record's line from where its parsing began: after a blank line that is the blank
/// line, and in a file with CRLF line ends the line before (it stops between `\r` and `\n`). The
/// line ends between that place and the record's first byte are counted here.
#[derive(Debug)]
struct Recent<R> {
    inner: R,
    /// The bytes read from `start` on; at most twice [`KEPT`], far more than the `csv` crate reads
    /// ahead of the record it is on.
    kept: Vec<u8>,
    start: u64,
}

const KEPT: usize = 1 << 16;

impl<R> Recent<R> {
    fn new(inner: R) -> Recent<R> {
        Recent {
            inner,
            kept: Vec::with_capacity(2 * KEPT),
            start: 0,
        }
    }

    /// How many line ends (`\n`) stand between `byte` and the first byte after it that is no
    /// line end: the lines to add to the `csv` crate's count for a record it began at `byte`.
    fn line_ends_at(&self, byte: u64) -> u64 {
        let Some(from) = byte
            .checked_sub(self.start)
            .and_then(|at| usize::try_from(at).ok())
        else {
            return 0;
        };
        let ends = self.kept.get(from..).unwrap_or_default();
        let run = ends.iter().take_while(|b| matches!(b, b'\r' | b'\n'));
        run.filter(|b| **b == b'\n').count() as u64
    }
}

impl<R: Read> Read for Recent<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if self.kept.len() + read > 2 * KEPT {
            let dropped = self.kept.len().saturating_sub(KEPT);
            self.kept.drain(..dropped);
            self.start += dropped as u64;
        }
        self.kept.extend_from_slice(&buffer[..read]);
        Ok(read)
    }
}

/// Reads a whole CTDC file into a table in memory, stopping at the first bad row: for live cases,
/// tests, benchmarks and other small files. The importer streams into the store instead, through
/// the same [`CtdcReader`], with a report of every bad row.
pub fn read_table<R: Read>(reader: R) -> Result<crate::stats::Table, ReadError> {
    CtdcReader::new(reader, &[])?.read_table()
}

fn csv_error(error: csv::Error) -> ReadError {
    match error.position() {
        Some(at) => ReadError::Csv(format!("line {}: {error}", at.line())),
        None => ReadError::Csv(error.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn steps(file: &[u8]) -> Vec<Result<usize, String>> {
        let mut reader = CtdcReader::new(file, &[]).unwrap();
        let mut encoder = reader.encoder(2);
        let mut out = Vec::new();
        loop {
            match reader.next_row(&mut encoder).unwrap() {
                Step::Row(_) => out.push(Ok(encoder.rows() as usize)),
                Step::Bad(bad) => out.push(Err(bad.to_string())),
                Step::End => return out,
            }
        }
    }

    #[test]
    fn blank_lines_are_passed_over_and_bad_rows_do_not_stop_the_reading() {
        let file = b"yearOfRegistration,gender\n2016,Female\n\n2017,F\xe9minin\n2018\n\n\n2019,Femal\n2020,Male\n";
        assert_eq!(
            steps(file),
            vec![
                Ok(1),
                Err(
                    "line 4: column 2: byte 2 of the field is not UTF-8: save the file as UTF-8"
                        .into()
                ),
                Err(
                    "line 5: has 1 fields where the header has 2: the line is broken or cut short"
                        .into()
                ),
                Err(
                    "line 8: column `gender`, value `Femal`: not one of: Female, Male, \
                     Transgender/NonConforming, Unknown"
                        .into()
                ),
                Ok(2),
            ]
        );
    }

    #[test]
    fn rows_are_told_by_their_own_line_in_files_with_crlf_line_ends() {
        let file =
            b"yearOfRegistration,gender\r\n2016,Female\r\n2017,Femal\r\n\r\n2018\r\n2019,Male";
        assert_eq!(
            steps(file),
            vec![
                Ok(1),
                Err(
                    "line 3: column `gender`, value `Femal`: not one of: Female, Male, \
                     Transgender/NonConforming, Unknown"
                        .into()
                ),
                Err(
                    "line 5: has 1 fields where the header has 2: the line is broken or cut short"
                        .into()
                ),
                Ok(2),
            ]
        );
    }

    #[test]
    fn a_line_is_counted_right_far_into_a_file() {
        // Past what is kept, the count rests on the csv crate's own, with the line ends after it.
        let mut file = b"yearOfRegistration,gender\r\n".to_vec();
        file.extend(b"2016,Female\r\n".repeat(20_000));
        file.extend(b"2017,Femal\r\n");
        let bad = steps(&file).into_iter().find_map(Result::err);
        assert_eq!(
            bad.as_deref().and_then(|b| b.split(':').next()),
            Some("line 20002")
        );
    }

    #[test]
    fn read_table_stops_at_the_first_bad_row_and_names_it() {
        let refused = read_table(&b"yearOfRegistration,gender\n2016,Female\n2017,x\n"[..]);
        assert!(
            matches!(&refused, Err(ReadError::Row(BadRow { line: 3, .. }))),
            "{refused:?}"
        );
        assert_eq!(read_table(&b""[..]), Err(ReadError::Empty));
        let table = read_table(&b"yearOfRegistration,gender\n2016,Female\n\n2017,Male\n"[..]);
        assert_eq!(table.unwrap().rows(), 2);
    }

    #[test]
    fn columns_of_any_text_must_exist() {
        let file = &b"yearOfRegistration,gender\n2016,Female\n"[..];
        let refused = CtdcReader::new(file, &["sex".to_owned()]).err();
        assert_eq!(refused, Some(ReadError::NoSuchColumn("sex".into())));
    }
}

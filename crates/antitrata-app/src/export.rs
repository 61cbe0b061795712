//! Exports: a country's cases as statistical records, one per victim per case, in CTDC's Global
//! Dataset format (CSV or Parquet; it imports back as a dataset) or HTCDS-shaped (CSV, JSON or
//! Parquet). No name, phone, address, date of birth or free text is ever written (the mapping is
//! `antitrata-domain`'s `casework::statistical_record`). Only the country's supervisors export;
//! the store audits every case taken. Where the file goes, and that it is never overwritten, is
//! the caller's.

use std::io::Write;
use std::sync::Arc;

use antitrata_domain::casework::{HTCDS_FIELDS, HtcdsValue, VictimRecord};
use antitrata_domain::stats::{global_columns, write_ctdc_csv};
use antitrata_domain::{Actor, CountryCode};
use antitrata_store::{OpenedBetween, RecordsUse, Store, StoreError};
use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde::ser::{SerializeMap, SerializeSeq};

/// Rows per Parquet row group: bounds the memory one group's columns take.
const PARQUET_GROUP_ROWS: usize = 65_536;

/// The standard a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standard {
    /// CTDC's Global Dataset: 63 variables, `-99` for missing.
    Ctdc,
    /// HTCDS field names and picklist values.
    Htcds,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Json,
    Parquet,
}

impl Standard {
    pub const ALL: [Standard; 2] = [Standard::Ctdc, Standard::Htcds];

    pub fn as_str(self) -> &'static str {
        match self {
            Standard::Ctdc => "ctdc",
            Standard::Htcds => "htcds",
        }
    }

    pub fn parse(text: &str) -> Option<Standard> {
        Standard::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl FileFormat {
    pub const ALL: [FileFormat; 3] = [FileFormat::Csv, FileFormat::Json, FileFormat::Parquet];

    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Json => "json",
            FileFormat::Parquet => "parquet",
        }
    }

    /// A format by its name or a file's extension, any case.
    pub fn parse(text: &str) -> Option<FileFormat> {
        FileFormat::ALL
            .into_iter()
            .find(|f| f.as_str().eq_ignore_ascii_case(text))
    }
}

/// Why no export was written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("CTDC files are CSV or Parquet; JSON is for --standard htcds")]
    CtdcAsJson,
    #[error("writing the export: {0}")]
    Write(String),
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// The statistical records of `country`'s cases opened `between`, read by `actor` for export:
/// the store lets only the country's supervisors, and audits every case taken.
pub async fn records(
    store: &Store,
    actor: &Actor,
    country: CountryCode,
    between: OpenedBetween,
) -> Result<Vec<VictimRecord>, StoreError> {
    store
        .victim_records(actor, country, between, RecordsUse::Export)
        .await
}

/// Checks that `standard` can be written as `format`, before anything is read.
pub fn check(standard: Standard, format: FileFormat) -> Result<(), ExportError> {
    match (standard, format) {
        (Standard::Ctdc, FileFormat::Json) => Err(ExportError::CtdcAsJson),
        _ => Ok(()),
    }
}

/// Writes `records` in `standard` as `format` to `out`.
pub fn write(
    records: &[VictimRecord],
    standard: Standard,
    format: FileFormat,
    out: &mut (impl Write + Send),
) -> Result<(), ExportError> {
    check(standard, format)?;
    let written = match (standard, format) {
        (Standard::Ctdc, FileFormat::Csv) => {
            write_ctdc_csv(records, &mut *out).map_err(Failure::from)
        }
        (Standard::Ctdc, _) => {
            let columns: Vec<&str> = global_columns().collect();
            let rows = records.iter().map(|r| r.ctdc_values());
            write_parquet(&columns, rows, out)
        }
        (Standard::Htcds, FileFormat::Csv) => write_htcds_csv(records, out),
        (Standard::Htcds, FileFormat::Json) => write_htcds_json(records, out),
        (Standard::Htcds, FileFormat::Parquet) => {
            let rows = records.iter().map(|r| {
                r.htcds_values()
                    .iter()
                    .map(HtcdsValue::csv_cell)
                    .collect::<Vec<_>>()
            });
            write_parquet(HTCDS_FIELDS, rows, out)
        }
    };
    written.map_err(|e| ExportError::Write(e.to_string()))
}

fn write_htcds_csv(records: &[VictimRecord], out: impl Write) -> Result<(), Failure> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(HTCDS_FIELDS)?;
    for record in records {
        let cells: Vec<String> = record
            .htcds_values()
            .iter()
            .map(|v| v.csv_cell().unwrap_or_default())
            .collect();
        writer.write_record(&cells)?;
    }
    writer.flush()?;
    Ok(())
}

/// An array of objects, fields in [`HTCDS_FIELDS`] order; lists are arrays, flags booleans and
/// missing values `null`.
fn write_htcds_json(records: &[VictimRecord], out: impl Write) -> Result<(), Failure> {
    struct Records<'a>(&'a [VictimRecord]);
    struct Fields(Vec<HtcdsValue>);
    struct Value<'a>(&'a HtcdsValue);

    impl serde::Serialize for Records<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut seq = s.serialize_seq(Some(self.0.len()))?;
            for record in self.0 {
                seq.serialize_element(&Fields(record.htcds_values()))?;
            }
            seq.end()
        }
    }
    impl serde::Serialize for Fields {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut map = s.serialize_map(Some(self.0.len()))?;
            for (name, value) in HTCDS_FIELDS.iter().zip(&self.0) {
                map.serialize_entry(name, &Value(value))?;
            }
            map.end()
        }
    }
    impl serde::Serialize for Value<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            match self.0 {
                HtcdsValue::Text(text) => text.serialize(s),
                HtcdsValue::Flag(flag) => flag.serialize(s),
                HtcdsValue::List(items) => items.serialize(s),
            }
        }
    }

    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer_pretty(&mut out, &Records(records))?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

/// A Parquet file of optional UTF-8 string columns, `None` as null.
fn write_parquet(
    columns: &[&str],
    rows: impl Iterator<Item = Vec<Option<String>>>,
    out: &mut (impl Write + Send),
) -> Result<(), Failure> {
    let fields = columns
        .iter()
        .map(|name| {
            Type::primitive_type_builder(name, PhysicalType::BYTE_ARRAY)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(Some(LogicalType::String))
                .build()
                .map(Arc::new)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let schema = Arc::new(
        Type::group_type_builder("schema")
            .with_fields(fields)
            .build()?,
    );
    let properties = Arc::new(WriterProperties::builder().build());
    let mut writer = SerializedFileWriter::new(out, schema, properties)?;
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let group: Vec<Vec<Option<String>>> = rows.by_ref().take(PARQUET_GROUP_ROWS).collect();
        let mut row_group = writer.next_row_group()?;
        for index in 0..columns.len() {
            let Some(mut column) = row_group.next_column()? else {
                return Err("the Parquet schema has fewer columns than the rows".into());
            };
            fn cell(row: &[Option<String>], index: usize) -> Option<&str> {
                row.get(index).and_then(Option::as_deref)
            }
            let values: Vec<ByteArray> = group
                .iter()
                .filter_map(|row| cell(row, index))
                .map(ByteArray::from)
                .collect();
            let levels: Vec<i16> = group
                .iter()
                .map(|row| i16::from(cell(row, index).is_some()))
                .collect();
            column
                .typed::<ByteArrayType>()
                .write_batch(&values, Some(&levels), None)?;
            column.close()?;
        }
        row_group.close()?;
    }
    writer.close()?;
    Ok(())
}

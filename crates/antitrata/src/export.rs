//! `antitrata export ctdc|htcds --country XX --as EMAIL [--from DAY --to DAY] --out FILE`: a
//! country's cases as statistical records, one per victim per case, in CTDC's Global Dataset
//! format (CSV or Parquet; it imports back with `antitrata import ctdc`) or HTCDS-shaped (CSV,
//! JSON or Parquet). No name, phone, address, date of birth or free text is ever written (the
//! mapping is documented in `antitrata-domain`'s `casework::statistical_record`). Only the
//! country's supervisors export; every case exported is audited under their account. The file is
//! written beside its destination and moved into place when complete, readable by its owner only,
//! and an existing file is never overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use antitrata_domain::CountryCode;
use antitrata_domain::casework::{HTCDS_FIELDS, HtcdsValue, VictimRecord};
use antitrata_domain::policy::Action;
use antitrata_domain::stats::{global_columns, write_ctdc_csv};
use antitrata_store::{OpenedBetween, RecordsUse, StoreError};
use anyhow::{Context, bail};
use parquet::basic::{LogicalType, Repetition, Type as PhysicalType};
use parquet::data_type::{ByteArray, ByteArrayType};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::types::Type;
use serde::ser::{SerializeMap, SerializeSeq};

use crate::config::Config;
use crate::serve::open_store;
use crate::users::account_actor;

/// Rows per Parquet row group: bounds the memory one group's columns take.
const PARQUET_GROUP_ROWS: usize = 65_536;

/// The standard a file follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Standard {
    /// CTDC's Global Dataset: 63 variables, `-99` for missing.
    Ctdc,
    /// HTCDS field names and picklist values.
    Htcds,
}

/// The file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum FileFormat {
    Csv,
    Json,
    Parquet,
}

/// What `antitrata export` was asked for, as typed.
#[derive(Debug)]
pub(crate) struct ExportRequest {
    pub standard: Standard,
    pub country: String,
    pub account: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub out: PathBuf,
    /// Defaults to the file name's extension (`.parquet`, `.json`), else CSV.
    pub format: Option<FileFormat>,
}

#[allow(clippy::print_stdout, reason = "the CLI's own output")]
pub(crate) async fn export(config: &Config, request: ExportRequest) -> anyhow::Result<()> {
    let country = CountryCode::parse(&request.country).ok().with_context(|| {
        format!(
            "--country `{}`: write an ISO code, e.g. GT",
            request.country
        )
    })?;
    let between = OpenedBetween {
        from: day(request.from.as_deref(), "--from")?,
        to: day(request.to.as_deref(), "--to")?,
    };
    if let (Some(from), Some(to)) = (between.from, between.to)
        && from > to
    {
        bail!("--from {from} is after --to {to}");
    }
    let format = request.format.unwrap_or_else(|| format_of(&request.out));
    if request.standard == Standard::Ctdc && format == FileFormat::Json {
        bail!("CTDC files are CSV or Parquet; JSON is for --standard htcds");
    }
    if request.out.exists() {
        bail!(
            "{} exists already: choose a new file name (an export never overwrites)",
            request.out.display()
        );
    }
    let folder = match request.out.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };

    let store = open_store(config).await?;
    let actor = account_actor(&store, &request.account, Action::ExportCases).await?;
    let records = store
        .victim_records(&actor, country, between, RecordsUse::Export)
        .await
        .map_err(|e| match e {
            StoreError::OutOfScope => anyhow::anyhow!(
                "--as {} cannot export {country}'s cases: the account belongs to another country",
                request.account
            ),
            other => anyhow::Error::new(other).context("reading the cases"),
        });
    store.close().await;
    let records = records?;

    // Written beside the destination (same file system), then moved into place when complete.
    let mut file = tempfile::NamedTempFile::new_in(&folder)
        .with_context(|| format!("creating a file in {}", folder.display()))?;
    match (request.standard, format) {
        (Standard::Ctdc, FileFormat::Csv) => write_ctdc_csv(&records, &mut file)?,
        (Standard::Ctdc, _) => {
            let columns: Vec<&str> = global_columns().collect();
            let rows = records.iter().map(|r| r.ctdc_values());
            write_parquet(&columns, rows, &mut file)?;
        }
        (Standard::Htcds, FileFormat::Csv) => write_htcds_csv(&records, &mut file)?,
        (Standard::Htcds, FileFormat::Json) => write_htcds_json(&records, &mut file)?,
        (Standard::Htcds, FileFormat::Parquet) => {
            let rows = records.iter().map(|r| {
                r.htcds_values()
                    .iter()
                    .map(HtcdsValue::csv_cell)
                    .collect::<Vec<_>>()
            });
            write_parquet(HTCDS_FIELDS, rows, &mut file)?;
        }
    }
    file.as_file().sync_all()?;
    file.persist_noclobber(&request.out)
        .map_err(|e| e.error)
        .with_context(|| format!("moving the export to {}", request.out.display()))?;
    let cases = {
        let mut references: Vec<_> = records.iter().map(|r| r.case).collect();
        references.dedup();
        references.len()
    };
    println!(
        "{} records (one per victim) of {cases} cases of {country} written to {}",
        records.len(),
        request.out.display()
    );
    Ok(())
}

fn day(text: Option<&str>, flag: &str) -> anyhow::Result<Option<time::Date>> {
    text.map(|t| {
        time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
            .with_context(|| format!("{flag} `{t}`: write the day as YYYY-MM-DD"))
    })
    .transpose()
}

fn format_of(path: &Path) -> FileFormat {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("parquet") => FileFormat::Parquet,
        Some(e) if e.eq_ignore_ascii_case("json") => FileFormat::Json,
        _ => FileFormat::Csv,
    }
}

fn write_htcds_csv(records: &[VictimRecord], out: impl Write) -> anyhow::Result<()> {
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
fn write_htcds_json(records: &[VictimRecord], out: impl Write) -> anyhow::Result<()> {
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
) -> anyhow::Result<()> {
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
                bail!("the Parquet schema has fewer columns than the rows");
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

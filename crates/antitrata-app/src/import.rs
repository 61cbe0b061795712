//! Importing a CTDC file as a statistical dataset, streamed: one blocking thread reads the file
//! once (hashing it as it goes), checks, normalizes and encodes each row through the domain's
//! [`CtdcReader`] (the same reader the live cases go through), and hands full chunks of codes
//! to the store, which writes them inside one transaction. A bad row stops the import, or with
//! `skip_invalid` is left out and reported. A refused or failed import stores nothing: dropping
//! the store's writer rolls its transaction back. A file imported before is found when the
//! import commits, and then nothing is stored either.

use std::io::Read;

use antitrata_domain::Actor;
use antitrata_domain::stats::{
    BadRow, CtdcReader, Dataset, DatasetId, Dictionary, ReadError, Step,
};
use antitrata_store::{ConflictKind, NewDataset, Store, StoreError};
use sha2::{Digest, Sha256};
use tokio::sync::mpsc;

/// Rows per stored chunk: about 2 MB of codes for the 59 columns of the 2017 file.
pub const CHUNK_ROWS: usize = 16_384;
/// Bad rows kept one by one for the report; past this only their number is.
pub const LISTED_BAD_ROWS: usize = 100;

/// A file to import, and how.
#[derive(Debug)]
pub struct Import<R> {
    /// The file's content, read once.
    pub reader: R,
    pub id: DatasetId,
    pub name: String,
    pub file_name: String,
    /// Leave bad rows out (and report them) instead of refusing the file.
    pub skip_invalid: bool,
    /// For releases: columns whose values were generalized, accepted as any text.
    pub any_text: Vec<String>,
    /// For releases: the format recorded instead of the file's CTDC format.
    pub format: Option<String>,
}

/// What an import did.
#[derive(Debug)]
pub enum Imported {
    /// The dataset is stored; `skipped` bad rows were left out, the first of them listed.
    New {
        dataset: Dataset,
        skipped: u64,
        bad_rows: Vec<BadRow>,
    },
    /// The same content was imported before, as this dataset: nothing was stored.
    Already(Dataset),
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as a CTDC file (no header, not CTDC, a CSV failure).
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A bad row, without `skip_invalid`.
    #[error(transparent)]
    BadRow(BadRow),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the reading of the file stopped unexpectedly")]
    Stopped,
}

/// What the reading thread hands over.
enum Handed {
    Chunk {
        codes: Vec<Vec<u16>>,
        byte: u64,
    },
    Bad(BadRow),
    Done {
        last: Vec<Vec<u16>>,
        dictionaries: Vec<(String, Dictionary)>,
        sha256: [u8; 32],
    },
    Failed(ReadError),
}

/// Imports `import` in the name of `actor`; `progress` hears how many bytes were read.
pub async fn import_ctdc<R: Read + Send + 'static>(
    store: &Store,
    actor: &Actor,
    import: Import<R>,
    progress: impl Fn(u64),
) -> Result<Imported, ImportError> {
    let Import {
        reader,
        id,
        name,
        file_name,
        skip_invalid,
        any_text,
        format,
    } = import;
    let reader =
        tokio::task::spawn_blocking(move || CtdcReader::new(Hashing::new(reader), &any_text))
            .await
            .map_err(|_| ImportError::Stopped)??;
    let layout = reader.layout();
    let new = NewDataset {
        id,
        name,
        format: format.unwrap_or_else(|| layout.format().as_str().to_owned()),
        file_name,
        columns: layout.column_names(),
        ignored_columns: layout.ignored().to_vec(),
    };
    let mut writer = store.begin_dataset(actor, new).await?;
    let (sender, mut rows) = mpsc::channel(4);
    let reading = tokio::task::spawn_blocking(move || read_rows(reader, &sender));
    let mut bad_rows = Vec::new();
    let mut skipped: u64 = 0;
    let finished = loop {
        match rows.recv().await.ok_or(ImportError::Stopped)? {
            Handed::Chunk { codes, byte } => {
                writer.write_chunk(&codes).await?;
                progress(byte);
            }
            Handed::Bad(bad) if skip_invalid => {
                skipped += 1;
                if bad_rows.len() < LISTED_BAD_ROWS {
                    bad_rows.push(bad);
                }
            }
            // Dropping the writer rolls back what was written; the reader stops at its next send.
            Handed::Bad(bad) => return Err(ImportError::BadRow(bad)),
            Handed::Failed(e) => return Err(ImportError::Read(e)),
            Handed::Done {
                last,
                dictionaries,
                sha256,
            } => {
                writer.write_chunk(&last).await?;
                break (dictionaries, sha256);
            }
        }
    };
    reading.await.map_err(|_| ImportError::Stopped)?;
    let (dictionaries, sha256) = finished;
    match writer.finish(dictionaries, skipped, sha256).await {
        Ok(dataset) => Ok(Imported::New {
            dataset,
            skipped,
            bad_rows,
        }),
        Err(StoreError::Conflict(ConflictKind::SameContentAs(_))) => {
            let same = store.find_dataset_by_content(&sha256).await?;
            // Dropped between the refused commit and this read: the file can be imported again.
            same.map(Imported::Already).ok_or(ImportError::Stopped)
        }
        Err(e) => Err(e.into()),
    }
}

/// Reads every row on the blocking thread and sends chunks, bad rows and the end on; returns
/// when the receiver is gone (the import was refused).
fn read_rows<R: Read>(mut reader: CtdcReader<Hashing<R>>, out: &mpsc::Sender<Handed>) {
    let mut encoder = reader.encoder(CHUNK_ROWS);
    loop {
        let sent = match reader.next_row(&mut encoder) {
            Ok(Step::Row(None)) => continue,
            Ok(Step::Row(Some(codes))) => out.blocking_send(Handed::Chunk {
                codes,
                byte: reader.byte(),
            }),
            Ok(Step::Bad(bad)) => out.blocking_send(Handed::Bad(bad)),
            Ok(Step::End) => {
                let last = encoder.take_chunk();
                let dictionaries = encoder.dictionaries();
                let done = match reader.into_inner().finish() {
                    Some(sha256) => Handed::Done {
                        last,
                        dictionaries,
                        sha256,
                    },
                    None => {
                        Handed::Failed(ReadError::Csv("the hashing of the file stopped".into()))
                    }
                };
                let _ = out.blocking_send(done);
                return;
            }
            Err(e) => {
                let _ = out.blocking_send(Handed::Failed(e));
                return;
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

/// The SHA-256 of everything read through it, computed on a thread of its own so that hashing
/// and parsing share the file's one reading.
struct Hashing<R> {
    inner: R,
    bytes: Option<std::sync::mpsc::SyncSender<Vec<u8>>>,
    hasher: std::thread::JoinHandle<[u8; 32]>,
}

impl<R: Read> Hashing<R> {
    fn new(inner: R) -> Hashing<R> {
        let (bytes, read) = std::sync::mpsc::sync_channel::<Vec<u8>>(16);
        let hasher = std::thread::spawn(move || {
            let mut hasher = Sha256::new();
            for piece in read {
                hasher.update(&piece);
            }
            hasher.finalize().into()
        });
        Hashing {
            inner,
            bytes: Some(bytes),
            hasher,
        }
    }

    /// The hash of the whole content: the rest is read first, so it does not depend on where
    /// the CSV reader stopped. `None` if the hashing thread stopped.
    fn finish(mut self) -> Option<[u8; 32]> {
        let _ = std::io::copy(&mut self, &mut std::io::sink());
        drop(self.bytes.take());
        self.hasher.join().ok()
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buffer)?;
        if let Some(bytes) = &self.bytes
            && read > 0
            && bytes.send(buffer[..read].to_vec()).is_err()
        {
            return Err(std::io::Error::other("the hashing of the file stopped"));
        }
        Ok(read)
    }
}

/// The most records a cross-tab release may expand to on import.
pub const MAX_EXPANDED_RECORDS: u64 = 50_000_000;

/// Why a cross-tab release's `data.csv` does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossTabFileError {
    #[error("data.csv of a cross-tab release has its variables, then a `count` column")]
    Header,
    #[error("data.csv line {line}: {problem}")]
    Line { line: usize, problem: String },
    #[error("the cross-tab counts {0} records, more than {MAX_EXPANDED_RECORDS} can be loaded")]
    TooLarge(u64),
}

/// A cross-tab release read: its variables, and each cell's values with its released count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTabFile {
    pub variables: Vec<String>,
    pub cells: Vec<(Vec<Option<String>>, u64)>,
}

impl CrossTabFile {
    /// Reads a differentially private cross-tab's `data.csv`: its variables, then `count`; an
    /// empty value is missing.
    pub fn parse(data: &[u8]) -> Result<CrossTabFile, CrossTabFileError> {
        let mut reader = csv::Reader::from_reader(data);
        let line_error = |line: usize, problem: String| CrossTabFileError::Line { line, problem };
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| line_error(1, e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let variables = match header.split_last() {
            Some((last, variables)) if last == "count" && !variables.is_empty() => {
                variables.to_vec()
            }
            _ => return Err(CrossTabFileError::Header),
        };
        let mut cells = Vec::new();
        let mut total: u64 = 0;
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| line_error(line, e.to_string()))?;
            let count: u64 = record
                .get(variables.len())
                .and_then(|c| c.parse().ok())
                .ok_or_else(|| line_error(line, "the count is not a whole number".into()))?;
            total = total.saturating_add(count);
            if count > 0 {
                let values = record
                    .iter()
                    .take(variables.len())
                    .map(|v| (!v.is_empty()).then(|| v.to_owned()))
                    .collect();
                cells.push((values, count));
            }
        }
        if total > MAX_EXPANDED_RECORDS {
            return Err(CrossTabFileError::TooLarge(total));
        }
        Ok(CrossTabFile { variables, cells })
    }
}

/// Stores a cross-tab release as a dataset of records: each cell's released count becomes that
/// many records of the cell's values, so the dataset's cross-tabs over those variables are
/// exactly the released counts and nothing more.
pub async fn import_cross_tab(
    store: &Store,
    actor: &Actor,
    new: NewDataset,
    file: &CrossTabFile,
    sha256: [u8; 32],
) -> Result<Dataset, ImportError> {
    let mut writer = store.begin_dataset(actor, new).await?;
    let mut encoder =
        antitrata_domain::stats::TableEncoder::new(file.variables.clone(), CHUNK_ROWS);
    for (values, count) in &file.cells {
        let row: Vec<Option<&str>> = values.iter().map(Option::as_deref).collect();
        for _ in 0..*count {
            let chunk = encoder
                .push_row(&row)
                .map_err(|e| ImportError::Read(ReadError::Table(e)))?;
            if let Some(chunk) = chunk {
                writer.write_chunk(&chunk).await?;
            }
        }
    }
    writer.write_chunk(&encoder.take_chunk()).await?;
    Ok(writer.finish(encoder.dictionaries(), 0, sha256).await?)
}

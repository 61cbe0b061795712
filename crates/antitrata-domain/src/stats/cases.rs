//! The hotline's own cases as a CTDC Global Dataset: written as a CTDC file for export, and read
//! into a [`Table`] for live statistics through the same reader an import uses, so the statistics
//! of the live cases and of their exported file, imported back, cannot differ.

use crate::casework::{CTDC_MISSING, VictimRecord};
use crate::stats::{ReadError, Table, global_columns, read_table};

/// Writes the records as a CTDC Global Dataset file: a header of every variable, then one row per
/// record, `-99` for missing.
pub fn write_ctdc_csv<W: std::io::Write>(records: &[VictimRecord], out: W) -> csv::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(global_columns())?;
    for record in records {
        writer.write_record(
            record
                .ctdc_values()
                .iter()
                .map(|value| value.as_deref().unwrap_or(CTDC_MISSING)),
        )?;
    }
    writer.flush()?;
    Ok(())
}

/// The records as a table, read back from their CTDC file.
pub fn table_of_cases(records: &[VictimRecord]) -> Result<Table, ReadError> {
    Ok(ctdc_file_of_cases(records)?.1)
}

/// The records' CTDC file, and the table read back from it (for a release, which hashes the
/// file).
pub fn ctdc_file_of_cases(records: &[VictimRecord]) -> Result<(Vec<u8>, Table), ReadError> {
    let mut file = Vec::new();
    write_ctdc_csv(records, &mut file).map_err(|e| ReadError::Csv(e.to_string()))?;
    let table = read_table(file.as_slice())?;
    Ok((file, table))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CountryCode;
    use crate::casework::{
        CaseDetails, CaseReference, CaseStatus, ExploitationType, Gender, VictimFacts,
    };
    use crate::stats::cross_tabulate;

    #[test]
    fn live_cases_cross_tabulate_like_any_dataset() {
        let gt = CountryCode::parse("GT").unwrap();
        let record = |sequence, gender, kind| VictimRecord {
            case: CaseReference {
                country: gt,
                year: 2026,
                sequence,
            },
            status: CaseStatus::Open,
            closure_reason: None,
            opened_on: time::macros::date!(2026 - 01 - 02),
            details: CaseDetails {
                exploitation_types: vec![kind],
                ..CaseDetails::default()
            },
            victim: Some(VictimFacts {
                gender: Some(gender),
                age_band: None,
                nationality: None,
                is_minor: false,
            }),
        };
        let records = [
            record(1, Gender::Feminine, ExploitationType::SexualExploitation),
            record(2, Gender::Feminine, ExploitationType::SexualExploitation),
            record(3, Gender::Masculine, ExploitationType::ForcedLabour),
        ];
        let table = table_of_cases(&records).unwrap();
        assert_eq!(table.rows(), 3);
        let tab = cross_tabulate(&table, &["gender", "exploitationTypes"], &[]).unwrap();
        assert_eq!(tab.count(&[Some("Female"), Some("Sexual exploitation")]), 2);
        assert_eq!(tab.count(&[Some("Male"), Some("Forced labour")]), 1);
        assert_eq!(tab.total, 3);
    }

    #[test]
    fn no_cases_is_an_empty_table_not_an_error() {
        let table = table_of_cases(&[]).unwrap();
        assert_eq!(table.rows(), 0);
        assert!(table.position("yearOfRegistration").is_some());
    }
}

//! Counts and cross-tabulations over one to three columns of a [`Table`], with filters. Missing
//! values are counted as their own category, never dropped.

use std::collections::HashMap;

use super::table::{MISSING, Table};

/// The most variables one cross-tabulation crosses.
pub const MAX_VARIABLES: usize = 3;

/// Beyond this many possible cells the counts go into a map instead of a dense array.
const DENSE_CELLS: usize = 1 << 22;

/// Keeps the rows whose value in `column` is one of the kept codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    column: usize,
    keep: Vec<bool>,
}

impl Filter {
    /// Rows whose value in `column` is one of `values` (`None` keeps missing values). Values the
    /// column does not have simply match nothing.
    pub fn values(
        table: &Table,
        column: &str,
        values: &[Option<&str>],
    ) -> Result<Filter, CrossTabError> {
        let (position, dictionary) = lookup(table, column)?;
        let mut keep = vec![false; dictionary.code_count()];
        for value in values {
            match value {
                None => keep[usize::from(MISSING)] = true,
                Some(value) => {
                    if let Some(code) = dictionary.code(value) {
                        keep[usize::from(code)] = true;
                    }
                }
            }
        }
        Ok(Filter {
            column: position,
            keep,
        })
    }

    /// Rows whose value in `column` is a year (or a band of years, `2014-2018`) within
    /// `from..=to`; missing values and values that are no year are left out.
    pub fn year_range(
        table: &Table,
        column: &str,
        from: Option<i32>,
        to: Option<i32>,
    ) -> Result<Filter, CrossTabError> {
        let (position, dictionary) = lookup(table, column)?;
        let mut keep = vec![false; dictionary.code_count()];
        for (index, value) in dictionary.values().iter().enumerate() {
            if let Some((first, last)) = year_span(value) {
                keep[index + 1] =
                    from.is_none_or(|from| first >= from) && to.is_none_or(|to| last <= to);
            }
        }
        Ok(Filter {
            column: position,
            keep,
        })
    }

    fn keeps(&self, table: &Table, row: usize) -> bool {
        let code = table.columns()[self.column].codes[row];
        self.keep.get(usize::from(code)).copied().unwrap_or(false)
    }
}

/// `2016` → (2016, 2016); `2014-2018` → (2014, 2018).
fn year_span(value: &str) -> Option<(i32, i32)> {
    match value.split_once('-') {
        Some((first, last)) => Some((first.trim().parse().ok()?, last.trim().parse().ok()?)),
        None => {
            let year = value.trim().parse().ok()?;
            Some((year, year))
        }
    }
}

fn lookup<'t>(
    table: &'t Table,
    column: &str,
) -> Result<(usize, &'t super::table::Dictionary), CrossTabError> {
    let position = table
        .position(column)
        .ok_or_else(|| CrossTabError::UnknownColumn(column.to_owned()))?;
    Ok((position, &table.columns()[position].dictionary))
}

/// One cell: a value per variable (`None` for missing) and how many rows have them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub values: Vec<Option<String>>,
    pub count: u64,
}

/// The result: the variables crossed, every non-empty cell and the number of rows counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossTab {
    pub variables: Vec<String>,
    /// Sorted by value, variable by variable; missing after every value.
    pub cells: Vec<Cell>,
    pub total: u64,
}

impl CrossTab {
    /// A cell's share of all rows counted, in percent.
    pub fn share(&self, cell: &Cell) -> f64 {
        if self.total == 0 {
            return 0.0;
        }
        cell.count as f64 * 100.0 / self.total as f64
    }

    /// The table as CSV: one column per variable (an empty cell is a missing value), then `count`
    /// and `percent` (two decimals).
    pub fn to_csv(&self) -> Result<String, CrossTabError> {
        let failed = |e: &dyn std::fmt::Display| CrossTabError::Csv(e.to_string());
        let mut out = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<&str> = self.variables.iter().map(String::as_str).collect();
        header.extend(["count", "percent"]);
        out.write_record(&header).map_err(|e| failed(&e))?;
        for cell in &self.cells {
            let mut row: Vec<String> = cell
                .values
                .iter()
                .map(|v| v.clone().unwrap_or_default())
                .collect();
            row.push(cell.count.to_string());
            row.push(format!("{:.2}", self.share(cell)));
            out.write_record(&row).map_err(|e| failed(&e))?;
        }
        let bytes = out.into_inner().map_err(|e| failed(&e))?;
        String::from_utf8(bytes).map_err(|e| failed(&e))
    }

    /// The count of the cell with exactly these values, zero if there is none.
    pub fn count(&self, values: &[Option<&str>]) -> u64 {
        self.cells
            .iter()
            .find(|cell| {
                cell.values.len() == values.len()
                    && cell
                        .values
                        .iter()
                        .zip(values)
                        .all(|(a, b)| a.as_deref() == *b)
            })
            .map_or(0, |cell| cell.count)
    }
}

/// Counts the rows kept by every filter, crossed by the named variables (one to three).
pub fn cross_tabulate(
    table: &Table,
    variables: &[&str],
    filters: &[Filter],
) -> Result<CrossTab, CrossTabError> {
    if variables.is_empty() || variables.len() > MAX_VARIABLES {
        return Err(CrossTabError::VariableCount(variables.len()));
    }
    let mut positions = Vec::with_capacity(variables.len());
    for (i, name) in variables.iter().enumerate() {
        if variables[..i].contains(name) {
            return Err(CrossTabError::Repeated((*name).to_owned()));
        }
        positions.push(lookup(table, name)?.0);
    }
    let columns: Vec<&[u16]> = positions
        .iter()
        .map(|&p| table.columns()[p].codes.as_slice())
        .collect();
    let sizes: Vec<usize> = positions
        .iter()
        .map(|&p| table.columns()[p].dictionary.code_count())
        .collect();
    let cells: usize = sizes.iter().product();

    let index = |row: usize| -> usize {
        columns
            .iter()
            .zip(&sizes)
            .fold(0, |acc, (codes, size)| acc * size + usize::from(codes[row]))
    };
    let kept = |row: usize| filters.iter().all(|f| f.keeps(table, row));

    let mut counts: Vec<(usize, u64)> = if cells <= DENSE_CELLS {
        let mut dense = vec![0u64; cells];
        count_dense(table.rows(), &columns, &sizes, filters, table, &mut dense);
        dense
            .into_iter()
            .enumerate()
            .filter(|(_, count)| *count > 0)
            .collect()
    } else {
        let mut sparse: HashMap<usize, u64> = HashMap::new();
        for row in (0..table.rows()).filter(|&row| kept(row)) {
            *sparse.entry(index(row)).or_default() += 1;
        }
        sparse.into_iter().collect()
    };
    counts.sort_unstable();

    let mut result_cells: Vec<Cell> = counts
        .into_iter()
        .map(|(mut index, count)| {
            let mut values = vec![None; positions.len()];
            for (slot, (&position, &size)) in positions.iter().zip(&sizes).enumerate().rev() {
                let code = (index % size) as u16;
                index /= size;
                values[slot] = table.columns()[position]
                    .dictionary
                    .value(code)
                    .map(str::to_owned);
            }
            Cell { values, count }
        })
        .collect();
    result_cells.sort_by(|a, b| {
        a.values
            .iter()
            .zip(&b.values)
            .map(|(x, y)| match (x, y) {
                // Natural order, so age bands read `0--8`, `9--17`, …, `48+`.
                (Some(x), Some(y)) => alphanumeric_sort::compare_str(x, y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            })
            .find(|o| o.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let total = result_cells.iter().map(|c| c.count).sum();
    Ok(CrossTab {
        variables: variables.iter().map(|v| (*v).to_owned()).collect(),
        cells: result_cells,
        total,
    })
}

/// The hot loop, specialised by the number of variables so each row costs a few loads and adds.
fn count_dense(
    rows: usize,
    columns: &[&[u16]],
    sizes: &[usize],
    filters: &[Filter],
    table: &Table,
    counts: &mut [u64],
) {
    let filter_columns: Vec<(&[u16], &[bool])> = filters
        .iter()
        .map(|f| {
            (
                table.columns()[f.column].codes.as_slice(),
                f.keep.as_slice(),
            )
        })
        .collect();
    let kept = |row: usize| {
        filter_columns
            .iter()
            .all(|(codes, keep)| keep.get(usize::from(codes[row])).copied().unwrap_or(false))
    };
    match (columns, sizes) {
        ([a], _) => {
            for row in 0..rows {
                if kept(row) {
                    counts[usize::from(a[row])] += 1;
                }
            }
        }
        ([a, b], [_, nb]) => {
            for row in 0..rows {
                if kept(row) {
                    counts[usize::from(a[row]) * nb + usize::from(b[row])] += 1;
                }
            }
        }
        ([a, b, c], [_, nb, nc]) => {
            for row in 0..rows {
                if kept(row) {
                    let i =
                        (usize::from(a[row]) * nb + usize::from(b[row])) * nc + usize::from(c[row]);
                    counts[i] += 1;
                }
            }
        }
        _ => {}
    }
}

/// A cross-tabulation that cannot be computed as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CrossTabError {
    #[error("cross one to three variables, not {0}")]
    VariableCount(usize),
    #[error("the dataset has no variable `{0}`")]
    UnknownColumn(String),
    #[error("the variable `{0}` is named twice")]
    Repeated(String),
    #[error("writing CSV failed: {0}")]
    Csv(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::table::TableEncoder;

    fn table(rows: &[[Option<&str>; 3]]) -> Table {
        let mut encoder = TableEncoder::new(
            vec!["year".into(), "gender".into(), "citizenship".into()],
            1000,
        );
        for row in rows {
            encoder.push_row(row).unwrap();
        }
        let chunk = encoder.take_chunk();
        Table::from_chunks(encoder.dictionaries(), [chunk]).unwrap()
    }

    #[test]
    fn counts_cells_with_missing_as_a_category() {
        let t = table(&[
            [Some("2016"), Some("Female"), Some("MX")],
            [Some("2016"), Some("Female"), Some("MX")],
            [Some("2017"), None, Some("US")],
            [Some("2017"), Some("Male"), None],
        ]);
        let tab = cross_tabulate(&t, &["gender", "citizenship"], &[]).unwrap();
        assert_eq!(tab.total, 4);
        assert_eq!(tab.count(&[Some("Female"), Some("MX")]), 2);
        assert_eq!(tab.count(&[None, Some("US")]), 1);
        assert_eq!(tab.count(&[Some("Male"), None]), 1);
        assert_eq!(tab.count(&[Some("Male"), Some("MX")]), 0);
        // Sorted by value, missing last.
        let first: Vec<_> = tab.cells.iter().map(|c| c.values[0].clone()).collect();
        assert_eq!(
            first,
            vec![Some("Female".into()), Some("Male".into()), None]
        );
        assert!((tab.share(&tab.cells[0]) - 50.0).abs() < 1e-9);
        assert_eq!(
            tab.to_csv().unwrap(),
            "gender,citizenship,count,percent\nFemale,MX,2,50.00\nMale,,1,25.00\n,US,1,25.00\n"
        );
    }

    #[test]
    fn values_sort_in_their_natural_order() {
        // The third column holds age bands here: as text, `9--17` would follow `48+`.
        let t = table(&[
            [Some("2016"), Some("Female"), Some("48+")],
            [Some("2016"), Some("Female"), Some("9--17")],
            [Some("2016"), Some("Female"), Some("18--20")],
            [Some("2016"), Some("Female"), Some("0--8")],
            [Some("2016"), Some("Female"), Some("Unknown")],
        ]);
        let tab = cross_tabulate(&t, &["citizenship"], &[]).unwrap();
        let order: Vec<_> = tab.cells.iter().map(|c| c.values[0].as_deref()).collect();
        assert_eq!(
            order,
            [
                Some("0--8"),
                Some("9--17"),
                Some("18--20"),
                Some("48+"),
                Some("Unknown")
            ]
        );
    }

    #[test]
    fn filters_by_value_and_year_range() {
        let t = table(&[
            [Some("2015"), Some("Female"), Some("MX")],
            [Some("2016"), Some("Female"), Some("MX")],
            [Some("2017"), Some("Male"), Some("US")],
            [None, Some("Male"), Some("US")],
        ]);
        let years = Filter::year_range(&t, "year", Some(2016), None).unwrap();
        let tab = cross_tabulate(&t, &["gender"], std::slice::from_ref(&years)).unwrap();
        assert_eq!(tab.total, 2);
        let us = Filter::values(&t, "citizenship", &[Some("US")]).unwrap();
        let tab = cross_tabulate(&t, &["year", "gender", "citizenship"], &[years, us]).unwrap();
        assert_eq!(tab.total, 1);
        assert_eq!(tab.count(&[Some("2017"), Some("Male"), Some("US")]), 1);
    }

    #[test]
    fn refuses_bad_queries() {
        let t = table(&[[Some("2015"), Some("Female"), Some("MX")]]);
        assert_eq!(
            cross_tabulate(&t, &[], &[]),
            Err(CrossTabError::VariableCount(0))
        );
        assert_eq!(
            cross_tabulate(&t, &["year", "year"], &[]),
            Err(CrossTabError::Repeated("year".into()))
        );
        assert_eq!(
            cross_tabulate(&t, &["sex"], &[]),
            Err(CrossTabError::UnknownColumn("sex".into()))
        );
    }

    #[test]
    fn year_bands_filter_by_their_whole_span() {
        assert_eq!(year_span("2014-2018"), Some((2014, 2018)));
        assert_eq!(year_span("2019"), Some((2019, 2019)));
        assert_eq!(year_span("Unknown"), None);
    }
}

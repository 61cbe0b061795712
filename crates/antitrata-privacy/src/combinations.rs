//! Combinations of attribute values, as Microsoft's Synthetic Data Showcase (SDS) counts them: a
//! record holds every combination of up to `length` of its present values (missing and withheld
//! cells are absent, not values). Two uses:
//!
//! - the **all-combinations guarantee** ([`withhold_rare_combinations`]): cells of a release are
//!   withheld until every combination of up to `length` values left in any released record
//!   occurs at least `k` times in the input;
//! - **SDS's metrics** ([`combination_metrics`]): how many of the input's combinations a release
//!   suppressed or fabricated, the mean absolute error of combination counts, how well counts are
//!   preserved by size, and how many rare input combinations (fewer than `k` records) appear.
//!
//! Combinations are counted in one pass over the records into a hash map keyed by the packed
//! (column, value) pairs, so the cost grows with the records and with C(present values, ≤ length),
//! not with the domains.

use std::collections::HashMap;

use antitrata_domain::stats::{Column, Dictionary, MISSING, Table, TableError};
use foldhash::fast::FixedState;

use crate::hierarchy::WITHHELD;

/// The longest combinations counted (four packed (column, value) pairs fill a `u128`).
pub const MAX_LENGTH: usize = 4;
/// Bits of a packed pair that hold the value's code; the column (plus one) sits above them.
const CODE_BITS: u32 = 20;
/// The most columns a table may have here (the column plus one must fit in 12 bits).
const MAX_COLUMNS: usize = (1 << (32 - CODE_BITS)) - 2;

/// A request these functions cannot serve.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CombinationError {
    #[error("the combination length must be between 1 and {MAX_LENGTH}")]
    Length,
    #[error("k must be at least 2")]
    KTooSmall,
    #[error("the input has no column `{0}`")]
    UnknownColumn(String),
    #[error("at most {MAX_COLUMNS} columns can be compared")]
    TooManyColumns,
    #[error(transparent)]
    Table(#[from] TableError),
}

/// A release after the all-combinations guarantee was applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Guaranteed {
    /// The release, with the cells that completed a rare combination set to [`WITHHELD`].
    pub table: Table,
    pub length: usize,
    pub k: usize,
    /// Cells withheld per column, in the table's column order (columns with none left out).
    pub withheld: Vec<(String, usize)>,
    /// Records that lost at least one cell.
    pub records_changed: usize,
}

/// Withholds cells of `output` until every combination of up to `length` values present in any
/// of its records occurs at least `k` times in `input`, which must have every column of
/// `output`. Record by record, the value taking part in the most rare combinations goes first
/// (ties: the value rarer in the input, then the later column), so few cells are lost; withheld
/// cells never count as values, and combinations only shrink, so the guarantee holds when the
/// loop ends.
pub fn withhold_rare_combinations(
    input: &Table,
    output: &Table,
    length: usize,
    k: usize,
) -> Result<Guaranteed, CombinationError> {
    check(length, k)?;
    let names: Vec<String> = output.columns().iter().map(|c| c.name.clone()).collect();
    let coded = Coded::new(input, output, &names)?;
    let counts = count_combinations(&coded.input, input.rows(), length);
    let count = |key: u128| counts.get(&key).copied().unwrap_or(0) as usize;

    let mut withheld_rows: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
    let mut records_changed = 0;
    let mut present: Vec<(usize, u32)> = Vec::new();
    for row in 0..output.rows() {
        present.clear();
        present.extend(row_elements(&coded.output, row));
        let mut changed = false;
        loop {
            let elements: Vec<u32> = present.iter().map(|&(_, e)| e).collect();
            let mut rare_hits = vec![0usize; elements.len()];
            for_each_subset(&elements, length, |indices, key| {
                if count(key) < k {
                    for &i in indices {
                        rare_hits[i] += 1;
                    }
                }
            });
            let Some(worst) = (0..elements.len())
                .filter(|&i| rare_hits[i] > 0)
                .max_by_key(|&i| {
                    (
                        rare_hits[i],
                        std::cmp::Reverse(count(u128::from(elements[i]))),
                        i,
                    )
                })
            else {
                break;
            };
            withheld_rows[present[worst].0].push(row);
            present.remove(worst);
            changed = true;
        }
        records_changed += usize::from(changed);
    }

    let mut columns = Vec::with_capacity(names.len());
    let mut withheld = Vec::new();
    for (column, rows) in output.columns().iter().zip(&withheld_rows) {
        if rows.is_empty() {
            columns.push(column.clone());
            continue;
        }
        withheld.push((column.name.clone(), rows.len()));
        let mut values = column.dictionary.values().to_vec();
        let code = match column.dictionary.code(WITHHELD) {
            Some(code) => code,
            None => {
                values.push(WITHHELD.to_owned());
                u16::try_from(values.len()).map_err(|_| TableError::TooManyValues {
                    column: column.name.clone(),
                })?
            }
        };
        let mut codes = column.codes.clone();
        for &row in rows {
            codes[row] = code;
        }
        columns.push(Column {
            name: column.name.clone(),
            dictionary: Dictionary::new(values)?,
            codes,
        });
    }
    Ok(Guaranteed {
        table: Table::from_columns(columns)?,
        length,
        k,
        withheld,
        records_changed,
    })
}

/// SDS's measures of a release against its input, for combinations of one length.
#[derive(Debug, Clone, PartialEq)]
pub struct LengthMetrics {
    pub length: usize,
    /// Distinct combinations in the input, and of them those with fewer than k records.
    pub input_combinations: usize,
    pub rare_input_combinations: usize,
    /// Distinct combinations in the release.
    pub output_combinations: usize,
    /// Input combinations of at least k records that the release lacks.
    pub suppressed: usize,
    /// Release combinations that the input lacks.
    pub fabricated: usize,
    /// Rare input combinations that the release shows.
    pub rare_released: usize,
    /// The mean of |input count − release count| (the release's counts scaled to the input's
    /// record count) over the input's combinations of at least k records and the release's.
    pub mean_absolute_error: f64,
}

impl LengthMetrics {
    /// Suppressed combinations as a percentage of the input's combinations of at least k records.
    pub fn suppressed_percent(&self) -> f64 {
        percent(
            self.suppressed,
            self.input_combinations - self.rare_input_combinations,
        )
    }

    /// Fabricated combinations as a percentage of the release's combinations.
    pub fn fabricated_percent(&self) -> f64 {
        percent(self.fabricated, self.output_combinations)
    }

    /// Rare input combinations shown by the release, as a percentage of all rare ones.
    pub fn rare_released_percent(&self) -> f64 {
        percent(self.rare_released, self.rare_input_combinations)
    }
}

/// How well the counts of the input's combinations of a size survive in the release.
#[derive(Debug, Clone, PartialEq)]
pub struct CountBucket {
    /// Input counts from `from` up to, not including, `to` (`None`: no upper bound).
    pub from: u64,
    pub to: Option<u64>,
    pub combinations: usize,
    /// The release's counts (scaled to the input's record count) summed over the bucket's
    /// combinations, as a percentage of their input counts: 100 when preserved.
    pub preservation: f64,
}

/// SDS's metrics of a release.
#[derive(Debug, Clone, PartialEq)]
pub struct CombinationMetrics {
    pub length: usize,
    pub k: usize,
    pub by_length: Vec<LengthMetrics>,
    /// Input combinations of at least k records, any length, by count: [k, 10^j), [10^j,
    /// 10^(j+1)), …
    pub by_count: Vec<CountBucket>,
}

/// Compares the combinations of up to `length` values of `columns` in `output` with those in
/// `input` (which must have those columns too); input combinations of fewer than `k` records are
/// rare.
pub fn combination_metrics(
    input: &Table,
    output: &Table,
    columns: &[String],
    length: usize,
    k: usize,
) -> Result<CombinationMetrics, CombinationError> {
    check(length, k)?;
    let coded = Coded::new(input, output, columns)?;
    let input_counts = count_combinations(&coded.input, input.rows(), length);
    let output_counts = count_combinations(&coded.output, output.rows(), length);
    let scale = if output.rows() == 0 {
        0.0
    } else {
        input.rows() as f64 / output.rows() as f64
    };
    let k_count = k as u32;

    let mut by_length: Vec<LengthMetrics> = (1..=length)
        .map(|length| LengthMetrics {
            length,
            input_combinations: 0,
            rare_input_combinations: 0,
            output_combinations: 0,
            suppressed: 0,
            fabricated: 0,
            rare_released: 0,
            mean_absolute_error: 0.0,
        })
        .collect();
    let mut compared = vec![0usize; length];
    let mut bounds = vec![k as u64];
    let mut next = 10u64;
    while next <= input.rows() as u64 {
        if next > k as u64 {
            bounds.push(next);
        }
        next = next.saturating_mul(10);
    }
    let mut sums = vec![(0usize, 0.0f64, 0u64); bounds.len()];

    for (&key, &n) in &input_counts {
        let l = key_length(key) - 1;
        let metrics = &mut by_length[l];
        metrics.input_combinations += 1;
        let released = output_counts.get(&key).copied();
        if n < k_count {
            metrics.rare_input_combinations += 1;
            metrics.rare_released += usize::from(released.is_some());
            continue;
        }
        let released = released.unwrap_or(0) as f64 * scale;
        metrics.suppressed += usize::from(released == 0.0);
        metrics.mean_absolute_error += (f64::from(n) - released).abs();
        compared[l] += 1;
        let bucket = bounds.partition_point(|&b| b <= u64::from(n)) - 1;
        sums[bucket].0 += 1;
        sums[bucket].1 += released;
        sums[bucket].2 += u64::from(n);
    }
    for (&key, &m) in &output_counts {
        let l = key_length(key) - 1;
        let metrics = &mut by_length[l];
        metrics.output_combinations += 1;
        match input_counts.get(&key) {
            Some(&n) if n >= k_count => {}
            found => {
                metrics.fabricated += usize::from(found.is_none());
                let n = f64::from(found.copied().unwrap_or(0));
                metrics.mean_absolute_error += (n - f64::from(m) * scale).abs();
                compared[l] += 1;
            }
        }
    }
    for (metrics, &n) in by_length.iter_mut().zip(&compared) {
        if n > 0 {
            metrics.mean_absolute_error /= n as f64;
        }
    }
    let by_count = bounds
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let (combinations, released, truth) = sums[i];
            CountBucket {
                from,
                to: bounds.get(i + 1).copied(),
                combinations,
                preservation: if truth == 0 {
                    0.0
                } else {
                    100.0 * released / truth as f64
                },
            }
        })
        .collect();
    Ok(CombinationMetrics {
        length,
        k,
        by_length,
        by_count,
    })
}

fn check(length: usize, k: usize) -> Result<(), CombinationError> {
    if !(1..=MAX_LENGTH).contains(&length) {
        return Err(CombinationError::Length);
    }
    if k < 2 {
        return Err(CombinationError::KTooSmall);
    }
    Ok(())
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

/// The chosen columns of two tables in one code space per column: 0 for an absent value
/// (missing or withheld), the input's code otherwise; an output value the input lacks gets a
/// code after the input's.
struct Coded {
    input: Vec<Vec<u32>>,
    output: Vec<Vec<u32>>,
}

impl Coded {
    fn new(input: &Table, output: &Table, columns: &[String]) -> Result<Coded, CombinationError> {
        if columns.len() > MAX_COLUMNS {
            return Err(CombinationError::TooManyColumns);
        }
        let mut coded = Coded {
            input: Vec::with_capacity(columns.len()),
            output: Vec::with_capacity(columns.len()),
        };
        for name in columns {
            let source = input
                .column(name)
                .ok_or_else(|| CombinationError::UnknownColumn(name.clone()))?;
            let released = output
                .column(name)
                .ok_or_else(|| CombinationError::UnknownColumn(name.clone()))?;
            let absent = |dictionary: &Dictionary, code: u16| {
                code == MISSING || dictionary.value(code) == Some(WITHHELD)
            };
            coded.input.push(
                source
                    .codes
                    .iter()
                    .map(|&c| {
                        if absent(&source.dictionary, c) {
                            0
                        } else {
                            u32::from(c)
                        }
                    })
                    .collect(),
            );
            let mut extra: HashMap<&str, u32> = HashMap::new();
            let first_extra = source.dictionary.code_count() as u32;
            let translation: Vec<u32> = (0..released.dictionary.code_count())
                .map(|code| {
                    let code = code as u16;
                    if absent(&released.dictionary, code) {
                        return 0;
                    }
                    let value = released.dictionary.value(code).unwrap_or_default();
                    match source.dictionary.code(value) {
                        Some(c) => u32::from(c),
                        None => {
                            let next = first_extra + extra.len() as u32;
                            *extra.entry(value).or_insert(next)
                        }
                    }
                })
                .collect();
            coded.output.push(
                released
                    .codes
                    .iter()
                    .map(|&c| translation[usize::from(c)])
                    .collect(),
            );
        }
        Ok(coded)
    }
}

/// A (column, value code) pair packed into 32 bits, never 0.
fn pack(column: usize, code: u32) -> u32 {
    ((column as u32 + 1) << CODE_BITS) | code
}

/// The present values of a row: their column and packed pair.
fn row_elements(columns: &[Vec<u32>], row: usize) -> impl Iterator<Item = (usize, u32)> + '_ {
    columns
        .iter()
        .enumerate()
        .filter(move |(_, codes)| codes[row] != 0)
        .map(move |(c, codes)| (c, pack(c, codes[row])))
}

/// How many pairs a packed combination holds.
fn key_length(key: u128) -> usize {
    (128 - key.leading_zeros() as usize).div_ceil(32)
}

/// Counts every combination of up to `length` present values of each row.
fn count_combinations(
    columns: &[Vec<u32>],
    rows: usize,
    length: usize,
) -> HashMap<u128, u32, FixedState> {
    let mut counts: HashMap<u128, u32, FixedState> = HashMap::default();
    let mut elements = Vec::with_capacity(columns.len());
    for row in 0..rows {
        elements.clear();
        elements.extend(row_elements(columns, row).map(|(_, element)| element));
        for_each_subset(&elements, length, |_, key| {
            *counts.entry(key).or_default() += 1;
        });
    }
    counts
}

/// Calls `visit` with the indices and packed key of every non-empty subset of `elements` of at
/// most `length` elements, in the elements' order.
fn for_each_subset(elements: &[u32], length: usize, mut visit: impl FnMut(&[usize], u128)) {
    fn walk(
        elements: &[u32],
        start: usize,
        left: usize,
        indices: &mut Vec<usize>,
        key: u128,
        visit: &mut dyn FnMut(&[usize], u128),
    ) {
        for i in start..elements.len() {
            let key = (key << 32) | u128::from(elements[i]);
            indices.push(i);
            visit(indices, key);
            if left > 1 {
                walk(elements, i + 1, left - 1, indices, key, visit);
            }
            indices.pop();
        }
    }
    let mut indices = Vec::with_capacity(length);
    walk(elements, 0, length, &mut indices, 0, &mut visit);
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn table(names: &[&str], rows: &[Vec<&str>]) -> Table {
        let columns = names
            .iter()
            .enumerate()
            .map(|(c, name)| {
                let mut values: Vec<String> = Vec::new();
                let codes = rows
                    .iter()
                    .map(|row| {
                        let value = row[c];
                        if value.is_empty() {
                            return MISSING;
                        }
                        let at = values.iter().position(|v| v == value).unwrap_or_else(|| {
                            values.push(value.to_owned());
                            values.len() - 1
                        });
                        at as u16 + 1
                    })
                    .collect();
                Column {
                    name: (*name).to_owned(),
                    dictionary: Dictionary::new(values).unwrap(),
                    codes,
                }
            })
            .collect();
        Table::from_columns(columns).unwrap()
    }

    /// The present values of a row, as (column, value) pairs; withheld and missing left out.
    fn present(table: &Table, row: usize) -> Vec<(String, String)> {
        table
            .columns()
            .iter()
            .filter_map(|c| {
                let value = c.dictionary.value(c.codes[row])?;
                (value != WITHHELD).then(|| (c.name.clone(), value.to_owned()))
            })
            .collect()
    }

    /// A plain count, independent of the packed keys: the input records holding every pair.
    fn support(input: &Table, pairs: &[&(String, String)]) -> usize {
        (0..input.rows())
            .filter(|&row| {
                let values = present(input, row);
                pairs.iter().all(|pair| values.contains(pair))
            })
            .count()
    }

    fn subsets<T: Clone>(items: &[T], length: usize) -> Vec<Vec<T>> {
        let mut out: Vec<Vec<T>> = vec![Vec::new()];
        for item in items {
            let grown: Vec<Vec<T>> = out
                .iter()
                .filter(|s| s.len() < length)
                .map(|s| {
                    let mut s = s.clone();
                    s.push(item.clone());
                    s
                })
                .collect();
            out.extend(grown);
        }
        out.retain(|s| !s.is_empty());
        out
    }

    fn random_table(rng: &mut StdRng, rows: usize) -> Table {
        let names = ["a", "b", "c", "d", "e"];
        let values = ["x", "y", "z", "w", ""];
        let rows: Vec<Vec<&str>> = (0..rows)
            .map(|_| {
                names
                    .iter()
                    .enumerate()
                    .map(|(c, _)| values[rng.random_range(0..2 + c.min(3))])
                    .collect()
            })
            .collect();
        table(&names, &rows)
    }

    #[test]
    fn every_combination_left_occurs_k_times_in_the_input() {
        let mut rng = StdRng::seed_from_u64(11);
        for (rows, length, k) in [(60, 2, 3), (120, 3, 5), (40, 3, 2), (200, 4, 7)] {
            let input = random_table(&mut rng, rows);
            let guaranteed = withhold_rare_combinations(&input, &input, length, k).unwrap();
            let output = &guaranteed.table;
            assert_eq!(output.rows(), input.rows());
            let mut withheld = 0;
            for row in 0..output.rows() {
                let values = present(output, row);
                let before = present(&input, row);
                withheld += before.len() - values.len();
                assert!(values.iter().all(|v| before.contains(v)), "only withholds");
                for combination in subsets(&values.iter().collect::<Vec<_>>(), length) {
                    let n = support(&input, &combination);
                    assert!(n >= k, "{combination:?} occurs {n} < {k} times");
                }
            }
            let reported: usize = guaranteed.withheld.iter().map(|(_, n)| n).sum();
            assert_eq!(reported, withheld);
            assert!(withheld > 0, "these small tables have rare combinations");
        }
    }

    #[test]
    fn a_table_without_rare_combinations_is_left_alone() {
        let rows: Vec<Vec<&str>> = (0..12)
            .map(|i| {
                if i % 2 == 0 {
                    vec!["x", "p"]
                } else {
                    vec!["y", "q"]
                }
            })
            .collect();
        let input = table(&["a", "b"], &rows);
        let guaranteed = withhold_rare_combinations(&input, &input, 2, 6).unwrap();
        assert_eq!(guaranteed.table, input);
        assert_eq!(guaranteed.records_changed, 0);
        assert!(guaranteed.withheld.is_empty());
    }

    #[test]
    fn the_value_in_most_rare_combinations_goes_first() {
        // "z" in column c makes every combination it joins rare; a and b are common together.
        let mut rows: Vec<Vec<&str>> = (0..5).map(|_| vec!["x", "p", "r"]).collect();
        rows.push(vec!["x", "p", "z"]);
        let input = table(&["a", "b", "c"], &rows);
        let guaranteed = withhold_rare_combinations(&input, &input, 3, 3).unwrap();
        assert_eq!(guaranteed.withheld, vec![("c".to_owned(), 1)]);
        assert_eq!(present(&guaranteed.table, 5).len(), 2);
    }

    #[test]
    fn metrics_count_suppressed_fabricated_and_rare_combinations() {
        let names = ["a", "b"];
        let mut truth: Vec<Vec<&str>> = (0..10).map(|_| vec!["x", "p"]).collect();
        truth.extend((0..4).map(|_| vec!["y", "q"]));
        truth.push(vec!["z", ""]);
        let input = table(&names, &truth);
        // The release keeps x+p, loses y+q, shows the rare z, and makes up w+p.
        let mut released: Vec<Vec<&str>> = (0..12).map(|_| vec!["x", "p"]).collect();
        released.push(vec!["z", ""]);
        released.extend((0..2).map(|_| vec!["w", "p"]));
        let output = table(&names, &released);
        let columns = vec!["a".to_owned(), "b".to_owned()];
        let metrics = combination_metrics(&input, &output, &columns, 2, 3).unwrap();

        let one = &metrics.by_length[0];
        // Input: a=x 10, a=y 4, a=z 1, b=p 10, b=q 4; output: a=x, a=z, a=w, b=p.
        assert_eq!(one.input_combinations, 5);
        assert_eq!(one.rare_input_combinations, 1);
        assert_eq!(one.output_combinations, 4);
        assert_eq!(
            (one.suppressed, one.fabricated, one.rare_released),
            (2, 1, 1)
        );
        assert!((one.suppressed_percent() - 50.0).abs() < 1e-12);
        assert!((one.fabricated_percent() - 25.0).abs() < 1e-12);
        assert!((one.rare_released_percent() - 100.0).abs() < 1e-12);
        // Equal record counts, so no scaling: |10−12| + |4−0| + |10−14| + |4−0| for the common
        // ones, then a=z (rare, 1 vs 1) and a=w (0 vs 2): 16 over 6.
        assert!((one.mean_absolute_error - 16.0 / 6.0).abs() < 1e-12);

        let two = &metrics.by_length[1];
        assert_eq!((two.input_combinations, two.output_combinations), (2, 2));
        assert_eq!((two.suppressed, two.fabricated), (1, 1));

        // Buckets [3, 10) and [10, ∞): y, q, y+q (4 each) all lost; x, p, x+p kept or grown.
        assert_eq!(metrics.by_count.len(), 2);
        assert_eq!(
            (metrics.by_count[0].from, metrics.by_count[0].to),
            (3, Some(10))
        );
        assert_eq!(metrics.by_count[0].combinations, 3);
        assert_eq!(metrics.by_count[0].preservation, 0.0);
        assert_eq!(metrics.by_count[1].combinations, 3);
        let kept = 100.0 * (12.0 + 14.0 + 12.0) / 30.0;
        assert!((metrics.by_count[1].preservation - kept).abs() < 1e-9);
    }

    #[test]
    fn a_release_identical_to_its_input_loses_nothing() {
        let mut rng = StdRng::seed_from_u64(3);
        let input = random_table(&mut rng, 300);
        let columns: Vec<String> = input.columns().iter().map(|c| c.name.clone()).collect();
        let metrics = combination_metrics(&input, &input, &columns, 3, 5).unwrap();
        for m in &metrics.by_length {
            assert_eq!(
                (m.suppressed, m.fabricated, m.mean_absolute_error),
                (0, 0, 0.0)
            );
            assert_eq!(m.rare_released, m.rare_input_combinations);
        }
        assert!(
            metrics
                .by_count
                .iter()
                .all(|b| b.combinations == 0 || (b.preservation - 100.0).abs() < 1e-9)
        );
    }

    #[test]
    fn bad_requests_are_refused() {
        let input = table(&["a"], &[vec!["x"]]);
        assert_eq!(
            withhold_rare_combinations(&input, &input, 5, 3),
            Err(CombinationError::Length)
        );
        assert_eq!(
            withhold_rare_combinations(&input, &input, 2, 1),
            Err(CombinationError::KTooSmall)
        );
        let other = table(&["b"], &[vec!["x"]]);
        assert_eq!(
            withhold_rare_combinations(&input, &other, 2, 3),
            Err(CombinationError::UnknownColumn("b".into()))
        );
    }

    #[test]
    fn subsets_are_visited_once_each() {
        let mut seen = Vec::new();
        for_each_subset(&[1, 2, 3, 4], 2, |indices, key| {
            seen.push((indices.to_vec(), key_length(key)));
        });
        assert_eq!(seen.len(), 4 + 6);
        assert!(seen.iter().all(|(i, l)| i.len() == *l));
    }
}

//! Differentially private cross-tabulations: the counts of one to three variables over a domain
//! taken from the codebook (never from the values seen), each cell plus discrete Laplace noise of
//! scale 1/ε, then made non-negative integers by projecting onto the counts with the same total
//! ("norm-sub": subtract one amount from every cell, drop what falls below zero). Clamping each
//! cell at zero instead would inflate every sum over a sparse domain, since the noise of thousands
//! of empty cells only ever counts upwards. Lower marginals are sums of the released table, so
//! every marginal of a release agrees with every other. Before that, values whose noisy count
//! (the sum of their cells) stays below the threshold of [`crate::domain_selection`] are dropped
//! with all their cells, so absent countries get no count from noise alone. All of this is
//! post-processing and costs no budget.
//!
//! Privacy: with neighbouring tables differing by one record added or removed, a record changes
//! one cell by one, so the table is ε-differentially private (δ = 0).

use antitrata_domain::stats::{Column, Table, Vocabulary, vocabulary};
use rand::Rng;

use crate::sampling::{Noise, Rational};
use crate::workload::{noisy_workload, workload_scale};
use antitrata_domain::m49;

/// The most cells a released table may have.
pub const MAX_CELLS: usize = 10_000_000;

/// The values a variable can take, missing included (as `None`), fixed before looking at data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub column: String,
    pub values: Vec<Option<String>>,
}

impl Domain {
    /// The codebook domain of a CTDC variable; years run over `years`.
    pub fn from_codebook(
        column: &str,
        years: std::ops::RangeInclusive<i32>,
    ) -> Result<Domain, DpError> {
        let known: Vec<String> = match vocabulary(column) {
            Some(Vocabulary::Values(values)) => values.iter().map(|v| (*v).to_owned()).collect(),
            Some(Vocabulary::Flag) => vec!["0".into(), "1".into()],
            Some(Vocabulary::Year) => years.map(|y| y.to_string()).collect(),
            Some(Vocabulary::Country) => m49::codes()
                .chain(std::iter::once("ZZ"))
                .map(str::to_owned)
                .collect(),
            Some(Vocabulary::Open) | None => {
                return Err(DpError::NoDomain(column.to_owned()));
            }
        };
        Ok(Domain {
            column: column.to_owned(),
            values: known.into_iter().map(Some).chain([None]).collect(),
        })
    }
}

/// Counts for every combination of the domains' values: exact, or as released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountTable {
    pub domains: Vec<Domain>,
    /// Row-major over the domains: the last variable varies fastest.
    pub counts: Vec<u64>,
}

impl CountTable {
    /// The count of one combination of values; zero for values outside the domains.
    pub fn count(&self, values: &[Option<&str>]) -> u64 {
        let mut index = 0;
        for (domain, value) in self.domains.iter().zip(values) {
            let Some(position) = domain.values.iter().position(|v| v.as_deref() == *value) else {
                return 0;
            };
            index = index * domain.values.len() + position;
        }
        self.counts.get(index).copied().unwrap_or(0)
    }

    /// The marginal over the variables at `keep` (in order), by summing the other variables out.
    pub fn marginal(&self, keep: &[usize]) -> CountTable {
        let sizes: Vec<usize> = self.domains.iter().map(|d| d.values.len()).collect();
        let kept_sizes: Vec<usize> = keep.iter().map(|&i| sizes[i]).collect();
        let mut counts = vec![0u64; kept_sizes.iter().product()];
        let mut digits = vec![0usize; sizes.len()];
        for &count in &self.counts {
            let index = keep
                .iter()
                .zip(&kept_sizes)
                .fold(0, |acc, (&i, &size)| acc * size + digits[i]);
            counts[index] += count;
            // Next cell: increment the mixed-radix digits, last fastest.
            for position in (0..digits.len()).rev() {
                digits[position] += 1;
                if digits[position] < sizes[position] {
                    break;
                }
                digits[position] = 0;
            }
        }
        CountTable {
            domains: keep.iter().map(|&i| self.domains[i].clone()).collect(),
            counts,
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Counts `table` over `domains` and adds discrete Laplace noise of scale 1/ε to every cell,
/// zero cells included, drops the values the domain step drops, then makes the counts
/// non-negative with their noisy total: a workload of one table ([`crate::workload`]).
pub fn noisy_crosstab<R: Rng + ?Sized>(
    table: &Table,
    domains: &[Domain],
    epsilon: Rational,
    rng: &mut R,
) -> Result<CountTable, DpError> {
    if epsilon.numerator == 0 {
        return Err(DpError::NoEpsilon);
    }
    let noise = Noise::Laplace(workload_scale(1, epsilon));
    let mut workload = noisy_workload(table, &[domains.to_vec()], noise, rng)?;
    Ok(workload.tables.remove(0))
}

/// The exact counts of `table` over `domains`: what a release is measured against, never
/// released itself.
pub fn exact_crosstab(table: &Table, domains: &[Domain]) -> Result<CountTable, DpError> {
    if domains.is_empty() || domains.len() > 3 {
        return Err(DpError::VariableCount(domains.len()));
    }
    let cells = domains
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(d.values.len()))
        .filter(|&n| n <= MAX_CELLS)
        .ok_or(DpError::TooManyCells)?;
    let maps = domains
        .iter()
        .map(|domain| {
            code_positions(table, domain).map(|(column, map)| (column, map, domain.values.len()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut counts = vec![0u64; cells];
    for row in 0..table.rows() {
        let index = maps.iter().fold(0, |acc, (column, map, size)| {
            acc * size + map[usize::from(column.codes[row])]
        });
        counts[index] += 1;
    }
    Ok(CountTable {
        domains: domains.to_vec(),
        counts,
    })
}

/// The column of `domain` and, for each of its codes, the position of its value in the domain; a
/// value outside the codebook is refused.
fn code_positions<'t>(
    table: &'t Table,
    domain: &Domain,
) -> Result<(&'t Column, Vec<usize>), DpError> {
    let column = table
        .column(&domain.column)
        .ok_or_else(|| DpError::UnknownColumn(domain.column.clone()))?;
    let mut map = Vec::with_capacity(column.dictionary.code_count());
    for code in 0..column.dictionary.code_count() {
        let value = column.dictionary.value(code as u16);
        let position = domain
            .values
            .iter()
            .position(|v| v.as_deref() == value)
            .ok_or_else(|| DpError::OutsideDomain {
                column: domain.column.clone(),
                value: value.unwrap_or_default().to_owned(),
            })?;
        map.push(position);
    }
    Ok((column, map))
}

/// Each row's value of `domain`'s column as its position in the domain.
pub(crate) fn domain_positions(table: &Table, domain: &Domain) -> Result<Vec<u32>, DpError> {
    let (column, map) = code_positions(table, domain)?;
    Ok(column
        .codes
        .iter()
        .map(|&code| map[usize::from(code)] as u32)
        .collect())
}

/// Every count plus one draw of `noise`.
pub(crate) fn add_noise<R: Rng + ?Sized>(exact: &[i64], noise: Noise, rng: &mut R) -> Vec<i64> {
    exact
        .iter()
        .map(|&n| n.saturating_add(noise.sample(rng)))
        .collect()
}

/// [`non_negative`] over the cells marked in `kept`; the others are zero.
pub(crate) fn non_negative_within(noisy: &[i64], kept: &[bool]) -> Vec<u64> {
    let within: Vec<i64> = noisy
        .iter()
        .zip(kept)
        .filter(|(_, k)| **k)
        .map(|(n, _)| *n)
        .collect();
    let mut released = non_negative(&within).into_iter();
    kept.iter()
        .map(|&k| if k { released.next().unwrap_or(0) } else { 0 })
        .collect()
}

/// The non-negative integer counts closest (in the Euclidean sense) to `noisy` with the same
/// total (zero if the noisy total is negative): each cell minus one amount θ, floored at zero,
/// then rounded so the total is kept exactly (largest remainders first, ties to the earlier cell).
pub(crate) fn non_negative(noisy: &[i64]) -> Vec<u64> {
    let total: i64 = noisy.iter().sum();
    if total <= 0 {
        return vec![0; noisy.len()];
    }
    let mut sorted: Vec<i64> = noisy.to_vec();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    // θ = (sum of the k largest − total) / k for the largest k whose k-th value stays above θ.
    let mut theta = 0.0;
    let mut running = 0i64;
    for (k, &value) in sorted.iter().enumerate() {
        running += value;
        let candidate = (running - total) as f64 / (k + 1) as f64;
        if value as f64 > candidate {
            theta = candidate;
        } else {
            break;
        }
    }
    let shifted: Vec<f64> = noisy.iter().map(|&n| (n as f64 - theta).max(0.0)).collect();
    round_to_total(&shifted, total as u64)
}

/// Non-negative reals rounded to integers that sum to `total`: floors, then one more to the
/// positive values with the largest remainders (ties to the earlier cell).
pub(crate) fn round_to_total(values: &[f64], total: u64) -> Vec<u64> {
    let mut counts: Vec<u64> = values.iter().map(|&x| x.max(0.0).floor() as u64).collect();
    let mut missing = total.saturating_sub(counts.iter().sum());
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| values[i] > 0.0).collect();
    order.sort_by(|&a, &b| {
        let fa = values[a] - values[a].floor();
        let fb = values[b] - values[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in &order {
        if missing == 0 {
            break;
        }
        counts[i] += 1;
        missing -= 1;
    }
    counts
}

/// A differentially private table that cannot be made as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpError {
    #[error("cross one to three variables, not {0}")]
    VariableCount(usize),
    #[error("`{0}` is named twice in one table")]
    RepeatedVariable(String),
    #[error("ε must be above zero")]
    NoEpsilon,
    #[error("the table has no column `{0}`")]
    UnknownColumn(String),
    #[error(
        "`{0}` has no closed list of values in the codebook, so it has no data-independent domain"
    )]
    NoDomain(String),
    #[error("`{column}` holds `{value}`, which its codebook domain does not have")]
    OutsideDomain { column: String, value: String },
    #[error(
        "the domains have more than 10,000,000 cells together: cross fewer or smaller variables"
    )]
    TooManyCells,
    #[error("the synthetic table could not be built: {0}")]
    Table(String),
}

#[cfg(test)]
mod tests {
    use antitrata_domain::stats::TableEncoder;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    fn table() -> Table {
        let mut encoder = TableEncoder::new(
            vec!["gender".into(), "ageBroad".into(), "citizenship".into()],
            1 << 20,
        );
        for i in 0..2_000usize {
            let gender = ["Female", "Female", "Male"][i % 3];
            let age = ["18--20", "21--23", "9--17", "30--38"][i % 4];
            let country = [Some("GT"), Some("HN"), Some("MX"), None][(i / 7) % 4];
            encoder
                .push_row(&[Some(gender), Some(age), country])
                .unwrap();
        }
        let chunk = encoder.take_chunk();
        Table::from_chunks(encoder.dictionaries(), [chunk]).unwrap()
    }

    fn domains() -> Vec<Domain> {
        ["gender", "ageBroad", "citizenship"]
            .iter()
            .map(|c| Domain::from_codebook(c, 2002..=2026).unwrap())
            .collect()
    }

    fn release(seed: u64) -> CountTable {
        let mut rng = StdRng::seed_from_u64(seed);
        noisy_crosstab(&table(), &domains(), Rational::new(1, 1).unwrap(), &mut rng).unwrap()
    }

    #[test]
    fn the_domain_comes_from_the_codebook_not_the_data() {
        let tab = release(1);
        // Every codebook value has a cell, seen in the data or not (Namibia, transgender, 48+).
        assert_eq!(tab.domains[0].values.len(), 5, "4 genders and missing");
        assert_eq!(tab.domains[1].values.len(), 11, "10 age bands and missing");
        assert!(tab.domains[2].values.contains(&Some("NA".into())));
        assert_eq!(
            tab.counts.len(),
            tab.domains
                .iter()
                .map(|d| d.values.len())
                .product::<usize>()
        );
        assert!(matches!(
            Domain::from_codebook("RecruiterRelationship", 2002..=2026),
            Err(DpError::NoDomain(_))
        ));
    }

    #[test]
    fn marginals_of_a_release_agree_with_each_other() {
        let tab = release(2);
        let by_gender_age = tab.marginal(&[0, 1]);
        let by_gender = tab.marginal(&[0]);
        assert_eq!(by_gender_age.marginal(&[0]), by_gender);
        assert_eq!(tab.marginal(&[1, 2]).marginal(&[0]), tab.marginal(&[1]));
        assert_eq!(by_gender.total(), tab.total());
    }

    #[test]
    fn the_same_seed_gives_the_same_release_and_others_differ() {
        assert_eq!(release(3), release(3));
        assert_ne!(release(3).counts, release(4).counts);
    }

    #[test]
    fn noise_has_the_laplace_spread() {
        // With ε = 1 the discrete Laplace has P[X ≥ 1] = q / (1 + q), q = e^-1, about 0.269.
        let mut rng = StdRng::seed_from_u64(5);
        let scale = Rational::new(1, 1).unwrap();
        let noisy = add_noise(&vec![0; 20_000], Noise::Laplace(scale), &mut rng);
        let positive = noisy.iter().filter(|&&n| n > 0).count() as f64 / 20_000.0;
        let q = (-1.0f64).exp();
        assert!((positive - q / (1.0 + q)).abs() < 0.01, "{positive}");
    }

    #[test]
    fn making_counts_non_negative_keeps_the_total_and_the_order() {
        for noisy in [
            vec![5, -2, 0, 3, -1, 1],
            vec![-3, -1, 2],
            vec![10, 10, 10],
            vec![0, 1, -1, 0],
        ] {
            let counts = non_negative(&noisy);
            let total: i64 = noisy.iter().sum();
            assert_eq!(counts.iter().sum::<u64>() as i64, total.max(0), "{noisy:?}");
            for i in 0..noisy.len() {
                for j in 0..noisy.len() {
                    if noisy[i] > noisy[j] {
                        assert!(counts[i] >= counts[j], "{noisy:?} → {counts:?}");
                    }
                }
            }
        }
        // Counts that are already non-negative stay as they are.
        assert_eq!(non_negative(&[4, 0, 2]), vec![4, 0, 2]);
        assert_eq!(non_negative(&[-5, -1]), vec![0, 0]);
    }

    #[test]
    fn sums_over_a_sparse_domain_stay_close_to_the_truth() {
        // 2,000 records over 13,750 cells: clamping each cell at zero would add about 1,200
        // records per gender; the projection keeps the sums near the truth.
        let tab = release(6);
        let women = tab.marginal(&[0]).count(&[Some("Female")]) as i64;
        assert!((women - 1_334).abs() < 250, "{women}");
        assert!((tab.total() as i64 - 2_000).abs() < 640, "{}", tab.total());
    }

    #[test]
    fn values_outside_the_codebook_are_refused() {
        let mut encoder = TableEncoder::new(vec!["citizenship".into()], 10);
        encoder.push_row(&[Some("Y1")]).unwrap();
        let chunk = encoder.take_chunk();
        let t = Table::from_chunks(encoder.dictionaries(), [chunk]).unwrap();
        let domain = Domain::from_codebook("citizenship", 2002..=2026).unwrap();
        let mut rng = StdRng::seed_from_u64(1);
        assert!(matches!(
            noisy_crosstab(&t, &[domain], Rational::new(1, 1).unwrap(), &mut rng),
            Err(DpError::OutsideDomain { .. })
        ));
    }
}

//! Several cross-tabs released together, consistent with each other: an analyst who needs sex ×
//! age and sex × age × citizenship gets both from one release, paid once, and every cell of the
//! smaller table is the sum of its cells in the larger one, with one grand total.
//!
//! # Privacy
//! Each of the T tables is measured over its codebook domains with discrete Laplace noise of
//! scale T/ε on every cell: one record moves one cell of each table by one, so the measurements
//! together are ε-differentially private (δ = 0). Or, under zero-concentrated DP, with discrete
//! Gaussian noise of variance T/(2ρ): ρ-zCDP, converted to (ε, δ) by [`crate::accountant`].
//! Everything after is post-processing:
//! - the domain step ([`crate::domain_selection`]) for each variable, on the first table that
//!   has it;
//! - each measured table made non-negative with its noisy total;
//! - one table over every variable of the workload (their union) fitted to all of them by
//!   iterative proportional fitting, the tables with fewer cells (less noise per count of a
//!   marginal) matched last; where the workload measured no joint of two variables, the fit
//!   keeps them independent, as the maximum-entropy table does;
//! - that table rounded to integers with its total (largest remainders), and every released
//!   table summed from it. So no cell is negative, every table sums to the same total, and each
//!   smaller table is a sum of any larger one that contains its variables.

use antitrata_domain::stats::Table;
use rand::Rng;

use crate::domain_selection::{DomainStep, keep, threshold};
use crate::dp_aggregates::{
    CountTable, Domain, DpError, MAX_CELLS, add_noise, exact_crosstab, non_negative_within,
    round_to_total,
};
use crate::sampling::{Noise, Rational};

/// Rounds of proportional fitting: each matches every table once.
const ROUNDS: usize = 50;

/// A workload as released.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workload {
    /// The fitted table over every variable of the workload, in the order they first appear:
    /// each released table is a sum of it.
    pub union: CountTable,
    /// The tables asked for, in their order, each summed from `union`.
    pub tables: Vec<CountTable>,
    /// The domain step of each variable of `union`, in its order.
    pub domain_steps: Vec<DomainStep>,
}

/// The discrete Laplace scale of every measured cell of a workload of `tables` at `epsilon`:
/// T/ε.
pub fn workload_scale(tables: usize, epsilon: Rational) -> Rational {
    Rational {
        numerator: epsilon.denominator.saturating_mul(tables as u64),
        denominator: epsilon.numerator,
    }
}

/// The discrete Gaussian variance of every measured cell of a workload of `tables` at ρ-zCDP:
/// each table moves by one cell (L2 sensitivity 1), so it costs 1/(2σ²), and T tables cost ρ
/// with σ² = T/(2ρ).
pub fn workload_variance(tables: usize, rho: Rational) -> Rational {
    Rational {
        numerator: rho.denominator.saturating_mul(tables as u64),
        denominator: rho.numerator.saturating_mul(2),
    }
}

/// Releases the cross-tabs of `table` over each of `tables` (one to three domains each, no
/// variable twice in one table) together, with `noise` on every cell of every table: with the
/// discrete Laplace of [`workload_scale`] ε-differentially private as a whole, with the discrete
/// Gaussian of [`workload_variance`] ρ-zCDP.
pub fn noisy_workload<R: Rng + ?Sized>(
    table: &Table,
    tables: &[Vec<Domain>],
    noise: Noise,
    rng: &mut R,
) -> Result<Workload, DpError> {
    if noise.is_none() {
        return Err(DpError::NoEpsilon);
    }
    if tables.is_empty() {
        return Err(DpError::VariableCount(0));
    }
    // The union of the variables, and where each table's variables are in it.
    let mut union: Vec<Domain> = Vec::new();
    let mut positions: Vec<Vec<usize>> = Vec::with_capacity(tables.len());
    for domains in tables {
        let mut at = Vec::with_capacity(domains.len());
        for domain in domains {
            let position = match union.iter().position(|u| u.column == domain.column) {
                Some(position) if at.contains(&position) => {
                    return Err(DpError::RepeatedVariable(domain.column.clone()));
                }
                Some(position) => position,
                None => {
                    union.push(domain.clone());
                    union.len() - 1
                }
            };
            at.push(position);
        }
        positions.push(at);
    }
    let union_cells = union
        .iter()
        .try_fold(1usize, |acc, d| acc.checked_mul(d.values.len()))
        .filter(|&n| n <= MAX_CELLS)
        .ok_or(DpError::TooManyCells)?;

    // Measure every table.
    let noisy: Vec<Vec<i64>> = tables
        .iter()
        .map(|domains| {
            let exact = exact_crosstab(table, domains)?;
            let counts: Vec<i64> = exact
                .counts
                .iter()
                .map(|&n| i64::try_from(n).unwrap_or(i64::MAX))
                .collect();
            Ok(add_noise(&counts, noise, rng))
        })
        .collect::<Result<_, DpError>>()?;

    // The domain step of each variable, on the first table that has it.
    let mut domain_steps = Vec::with_capacity(union.len());
    let mut kept: Vec<Vec<bool>> = Vec::with_capacity(union.len());
    for (variable, domain) in union.iter().enumerate() {
        let (t, slot) = positions
            .iter()
            .enumerate()
            .find_map(|(t, at)| at.iter().position(|&p| p == variable).map(|slot| (t, slot)))
            .unwrap_or((0, 0));
        let sizes: Vec<usize> = tables[t].iter().map(|d| d.values.len()).collect();
        let stride: usize = sizes[slot + 1..].iter().product();
        let mut sums = vec![0i64; domain.values.len()];
        for (cell, &n) in noisy[t].iter().enumerate() {
            sums[cell / stride % sizes[slot]] += n;
        }
        let summed = noisy[t].len() / domain.values.len().max(1);
        let step = DomainStep {
            column: domain.column.clone(),
            threshold: threshold(noise, summed, domain.values.len()),
            summed,
        };
        kept.push(keep(&sums, step.threshold));
        domain_steps.push(step);
    }

    // Each measured table, non-negative over the cells whose values were all kept.
    let union_sizes: Vec<usize> = union.iter().map(|d| d.values.len()).collect();
    let targets: Vec<Vec<f64>> = noisy
        .iter()
        .zip(&positions)
        .map(|(noisy, at)| {
            let sizes: Vec<usize> = at.iter().map(|&p| union_sizes[p]).collect();
            let cells: Vec<bool> = (0..noisy.len())
                .map(|cell| {
                    digits(cell, &sizes)
                        .iter()
                        .zip(at)
                        .all(|(&digit, &p)| kept[p][digit])
                })
                .collect();
            non_negative_within(noisy, &cells)
                .into_iter()
                .map(|n| n as f64)
                .collect()
        })
        .collect();

    // Each union cell's cell in each table, and whether all its values were kept.
    let mut maps: Vec<Vec<u32>> = vec![Vec::with_capacity(union_cells); tables.len()];
    let mut fitted: Vec<f64> = Vec::with_capacity(union_cells);
    for cell in 0..union_cells {
        let union_digits = digits(cell, &union_sizes);
        for (map, at) in maps.iter_mut().zip(&positions) {
            map.push(
                at.iter()
                    .fold(0, |acc, &p| acc * union_sizes[p] + union_digits[p])
                    as u32,
            );
        }
        let all_kept = union_digits
            .iter()
            .enumerate()
            .all(|(p, &digit)| kept[p][digit]);
        // Proportional fitting starts from the uniform table over the kept cells.
        fitted.push(if all_kept { 1.0 } else { 0.0 });
    }

    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&t| std::cmp::Reverse(targets[t].len()));
    for _ in 0..ROUNDS {
        for &t in &order {
            let mut margin = vec![0.0; targets[t].len()];
            for (cell, &x) in fitted.iter().enumerate() {
                margin[maps[t][cell] as usize] += x;
            }
            for (cell, x) in fitted.iter_mut().enumerate() {
                let at = maps[t][cell] as usize;
                *x = if margin[at] > 0.0 {
                    *x * targets[t][at] / margin[at]
                } else {
                    0.0
                };
            }
        }
    }

    let union = CountTable {
        domains: union,
        counts: rounded(&fitted),
    };
    let tables = positions.iter().map(|at| union.marginal(at)).collect();
    Ok(Workload {
        union,
        tables,
        domain_steps,
    })
}

/// The mixed-radix digits of `cell` over `sizes`, the last fastest.
fn digits(mut cell: usize, sizes: &[usize]) -> Vec<usize> {
    let mut digits = vec![0; sizes.len()];
    for (digit, &size) in digits.iter_mut().zip(sizes).rev() {
        *digit = cell % size;
        cell /= size;
    }
    digits
}

/// Non-negative reals rounded to integers with their total kept (rounded).
fn rounded(values: &[f64]) -> Vec<u64> {
    let total = values.iter().sum::<f64>().round().max(0.0) as u64;
    round_to_total(values, total)
}

#[cfg(test)]
mod tests {
    use antitrata_domain::stats::TableEncoder;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::metrics::total_variation;

    /// 20,000 records: gender, age band and citizenship, with citizenship following gender.
    fn input() -> Table {
        let columns = ["gender", "ageBroad", "citizenship"];
        let mut encoder =
            TableEncoder::new(columns.iter().map(|c| (*c).to_owned()).collect(), 1 << 16);
        let mut rng = StdRng::seed_from_u64(3);
        let ages = ["9--17", "18--20", "21--23", "30--38", "48+"];
        for _ in 0..20_000 {
            let woman = rng.random_bool(0.65);
            let countries: &[&str] = if woman {
                &["GT", "HN", "SV", "MX"]
            } else {
                &["GT", "NI", "CR"]
            };
            encoder
                .push_row(&[
                    Some(if woman { "Female" } else { "Male" }),
                    rng.random_bool(0.8)
                        .then(|| ages[rng.random_range(0..ages.len())]),
                    Some(countries[rng.random_range(0..countries.len())]),
                ])
                .unwrap();
        }
        let chunk = encoder.take_chunk();
        Table::from_chunks(encoder.dictionaries(), [chunk]).unwrap()
    }

    fn domains(columns: &[&str]) -> Vec<Domain> {
        columns
            .iter()
            .map(|c| Domain::from_codebook(c, 2000..=2026).unwrap())
            .collect()
    }

    /// The tables at ε with the discrete Laplace.
    fn release(tables: &[&[&str]], epsilon: Rational, seed: u64) -> Workload {
        let noise = Noise::Laplace(workload_scale(tables.len(), epsilon));
        release_with(tables, noise, seed)
    }

    fn release_with(tables: &[&[&str]], noise: Noise, seed: u64) -> Workload {
        let tables: Vec<Vec<Domain>> = tables.iter().map(|t| domains(t)).collect();
        let mut rng = StdRng::seed_from_u64(seed);
        noisy_workload(&input(), &tables, noise, &mut rng).unwrap()
    }

    #[test]
    fn sex_by_age_is_the_sum_of_sex_by_age_by_citizenship() {
        for seed in 1..=5 {
            let released = release(
                &[
                    &["gender", "ageBroad"],
                    &["gender", "ageBroad", "citizenship"],
                ],
                Rational::new(1, 1).unwrap(),
                seed,
            );
            let [two, three] = &released.tables[..] else {
                panic!("two tables");
            };
            assert_eq!(
                two.counts.len(),
                two.domains
                    .iter()
                    .map(|d| d.values.len())
                    .product::<usize>()
            );
            let summed = three.marginal(&[0, 1]);
            assert_eq!(summed.counts, two.counts, "seed {seed}");
            assert_eq!(two.total(), three.total());
            assert_eq!(released.union.total(), two.total());
            // Close to the data: the noise of 2 / ε per cell moves little of 20,000 records.
            let exact = exact_crosstab(&input(), &two.domains).unwrap();
            let distance = total_variation(&exact.counts, &two.counts);
            assert!(distance < 0.01, "seed {seed}: {distance}");
            assert!(two.total().abs_diff(20_000) < 100, "{}", two.total());
        }
    }

    #[test]
    fn under_zcdp_the_tables_agree_too() {
        // ρ = 0.5 over two tables: σ² = 2 on every cell.
        let variance = workload_variance(2, Rational::new(1, 2).unwrap());
        assert_eq!(variance.to_f64(), 2.0);
        let released = release_with(
            &[
                &["gender", "ageBroad"],
                &["gender", "ageBroad", "citizenship"],
            ],
            Noise::Gaussian(variance),
            3,
        );
        let [two, three] = &released.tables[..] else {
            panic!("two tables");
        };
        assert_eq!(three.marginal(&[0, 1]).counts, two.counts);
        assert_eq!(two.total(), three.total());
        let exact = exact_crosstab(&input(), &three.domains).unwrap();
        let distance = total_variation(&exact.counts, &three.counts);
        assert!(distance < 0.02, "{distance}");
    }

    #[test]
    fn tables_that_share_a_variable_agree_on_it() {
        let released = release(
            &[
                &["gender", "ageBroad"],
                &["ageBroad", "citizenship"],
                &["citizenship"],
            ],
            Rational::new(1, 2).unwrap(),
            9,
        );
        let [gender_age, age_citizenship, citizenship] = &released.tables[..] else {
            panic!("three tables");
        };
        assert_eq!(
            gender_age.marginal(&[1]).counts,
            age_citizenship.marginal(&[0]).counts
        );
        assert_eq!(age_citizenship.marginal(&[1]).counts, citizenship.counts);
        let total = gender_age.total();
        assert!(released.tables.iter().all(|t| t.total() == total));
        assert_eq!(
            released
                .union
                .domains
                .iter()
                .map(|d| d.column.as_str())
                .collect::<Vec<_>>(),
            ["gender", "ageBroad", "citizenship"]
        );
        // Countries no record has get nothing.
        let seen = ["GT", "HN", "SV", "MX", "NI", "CR"];
        let domain = &citizenship.domains[0];
        for (value, &count) in domain.values.iter().zip(&citizenship.counts) {
            if !seen.contains(&value.as_deref().unwrap_or("-")) {
                assert_eq!(count, 0, "{value:?}");
            }
        }
    }

    #[test]
    fn a_variable_twice_in_a_table_or_no_table_is_refused() {
        let mut rng = StdRng::seed_from_u64(1);
        let one = Noise::Laplace(Rational::new(1, 1).unwrap());
        assert_eq!(
            noisy_workload(&input(), &[domains(&["gender", "gender"])], one, &mut rng),
            Err(DpError::RepeatedVariable("gender".into()))
        );
        assert_eq!(
            noisy_workload(&input(), &[], one, &mut rng),
            Err(DpError::VariableCount(0))
        );
        assert_eq!(
            noisy_workload(
                &input(),
                &[domains(&[
                    "gender",
                    "ageBroad",
                    "citizenship",
                    "majorityStatus"
                ])],
                one,
                &mut rng
            ),
            Err(DpError::VariableCount(4))
        );
    }

    #[test]
    fn rounding_keeps_the_total() {
        assert_eq!(rounded(&[0.5, 0.5, 1.0]), [1, 0, 1]);
        assert_eq!(rounded(&[2.4, 2.4, 2.2]), [3, 2, 2]);
        assert_eq!(rounded(&[0.0, 0.0]), [0, 0]);
    }
}

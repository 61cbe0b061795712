//! How far a released table is from the truth, computed for every release and shipped with it:
//! the total variation distance of the table and of each of its lower marginals, the mean
//! absolute error per cell, and how many rare combinations (fewer than k records) show up.

use antitrata_domain::stats::Table;

use crate::dp_aggregates::{CountTable, Domain, DpError, exact_crosstab};

/// The total variation distance between two count vectors seen as distributions: half the sum
/// of the absolute differences of their shares; 0 identical, 1 disjoint.
pub fn total_variation(a: &[u64], b: &[u64]) -> f64 {
    let total_a: u64 = a.iter().sum();
    let total_b: u64 = b.iter().sum();
    if total_a == 0 || total_b == 0 {
        return if total_a == total_b { 0.0 } else { 1.0 };
    }
    a.iter()
        .zip(b)
        .map(|(&x, &y)| (x as f64 / total_a as f64 - y as f64 / total_b as f64).abs())
        .sum::<f64>()
        / 2.0
}

/// The distance of one marginal.
#[derive(Debug, Clone, PartialEq)]
pub struct MarginalDistance {
    pub variables: Vec<String>,
    pub total_variation: f64,
}

/// A release measured against the exact table.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Every marginal: each single variable, each pair, and the whole table.
    pub marginals: Vec<MarginalDistance>,
    pub mean_absolute_error: f64,
    /// Cells with 1 to k−1 records in the truth.
    pub rare_cells: usize,
    /// Of those, the cells the release shows as non-empty.
    pub rare_cells_released: usize,
    pub exact_total: u64,
    pub released_total: u64,
}

/// Measures `released` against `exact` (the same domains); combinations of fewer than `k`
/// records count as rare.
pub fn evaluate(exact: &CountTable, released: &CountTable, k: u64) -> Evaluation {
    let width = exact.domains.len();
    let mut subsets: Vec<Vec<usize>> = Vec::new();
    for size in 1..=width {
        subsets.extend(combinations(width, size));
    }
    let marginals = subsets
        .into_iter()
        .map(|keep| MarginalDistance {
            variables: keep
                .iter()
                .map(|&i| exact.domains[i].column.clone())
                .collect(),
            total_variation: total_variation(
                &exact.marginal(&keep).counts,
                &released.marginal(&keep).counts,
            ),
        })
        .collect();
    let cells = exact.counts.len().max(1) as f64;
    let pairs = exact.counts.iter().zip(&released.counts);
    Evaluation {
        marginals,
        mean_absolute_error: pairs
            .clone()
            .map(|(&a, &b)| a.abs_diff(b) as f64)
            .sum::<f64>()
            / cells,
        rare_cells: exact.counts.iter().filter(|&&n| n > 0 && n < k).count(),
        rare_cells_released: pairs.filter(|&(&a, &b)| a > 0 && a < k && b > 0).count(),
        exact_total: exact.total(),
        released_total: released.total(),
    }
}

/// The total variation distance between `input` and `output` (tables with the domains' columns)
/// of every one- and two-way marginal over `domains`, and of the three-way marginals: all of them
/// when there are at most `max_triples`, otherwise `max_triples` spread evenly over their
/// lexicographic order.
pub fn marginal_distances(
    input: &Table,
    output: &Table,
    domains: &[Domain],
    max_triples: usize,
) -> Result<Vec<MarginalDistance>, DpError> {
    let mut subsets = combinations(domains.len(), 1);
    subsets.extend(combinations(domains.len(), 2));
    let triples = combinations(domains.len(), 3);
    let step = triples.len().div_ceil(max_triples.max(1)).max(1);
    subsets.extend(triples.into_iter().step_by(step));
    subsets
        .into_iter()
        .map(|keep| {
            let chosen: Vec<Domain> = keep.iter().map(|&i| domains[i].clone()).collect();
            Ok(MarginalDistance {
                variables: chosen.iter().map(|d| d.column.clone()).collect(),
                total_variation: total_variation(
                    &exact_crosstab(input, &chosen)?.counts,
                    &exact_crosstab(output, &chosen)?.counts,
                ),
            })
        })
        .collect()
}

/// The mean distance of the marginals of `size` variables, if any was measured.
pub fn mean_distance(distances: &[MarginalDistance], size: usize) -> Option<f64> {
    let of_size: Vec<f64> = distances
        .iter()
        .filter(|d| d.variables.len() == size)
        .map(|d| d.total_variation)
        .collect();
    (!of_size.is_empty()).then(|| of_size.iter().sum::<f64>() / of_size.len() as f64)
}

/// The subsets of `0..n` of a given size, in lexicographic order.
fn combinations(n: usize, size: usize) -> Vec<Vec<usize>> {
    if size == 0 {
        return vec![Vec::new()];
    }
    (0..n)
        .flat_map(|first| {
            combinations(n, size - 1)
                .into_iter()
                .filter(move |rest| rest.first().is_none_or(|&r| r > first))
                .map(move |rest| {
                    let mut subset = vec![first];
                    subset.extend(rest);
                    subset
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dp_aggregates::Domain;

    fn table(counts: Vec<u64>) -> CountTable {
        let domain = |column: &str, values: &[&str]| Domain {
            column: column.into(),
            values: values.iter().map(|v| Some((*v).to_owned())).collect(),
        };
        CountTable {
            domains: vec![domain("a", &["x", "y"]), domain("b", &["p", "q", "r"])],
            counts,
        }
    }

    #[test]
    fn total_variation_is_half_the_l1_distance_of_shares() {
        assert_eq!(total_variation(&[1, 1], &[1, 1]), 0.0);
        assert_eq!(total_variation(&[2, 0], &[0, 5]), 1.0);
        assert!((total_variation(&[3, 1], &[1, 1]) - 0.25).abs() < 1e-12);
        assert_eq!(total_variation(&[0, 0], &[0, 0]), 0.0);
    }

    #[test]
    fn every_marginal_is_measured() {
        let exact = table(vec![10, 0, 2, 5, 5, 0]);
        let released = table(vec![9, 1, 0, 5, 6, 0]);
        let evaluation = evaluate(&exact, &released, 3);
        let names: Vec<Vec<String>> = evaluation
            .marginals
            .iter()
            .map(|m| m.variables.clone())
            .collect();
        assert_eq!(
            names,
            vec![
                vec!["a".to_owned()],
                vec!["b".into()],
                vec!["a".into(), "b".into()]
            ]
        );
        // a: exact 12/10, released 10/11.
        let a = 0.5 * ((12.0f64 / 22.0 - 10.0 / 21.0).abs() + (10.0f64 / 22.0 - 11.0 / 21.0).abs());
        assert!((evaluation.marginals[0].total_variation - a).abs() < 1e-12);
        assert!((evaluation.mean_absolute_error - 5.0 / 6.0).abs() < 1e-12);
        // The one rare cell (2 records) is released as empty.
        assert_eq!(evaluation.rare_cells, 1);
        assert_eq!(evaluation.rare_cells_released, 0);
        assert_eq!(
            evaluate(&exact, &exact, 3).marginals[2].total_variation,
            0.0
        );
    }

    #[test]
    fn combinations_are_all_subsets_of_a_size() {
        assert_eq!(combinations(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(combinations(3, 3), vec![vec![0, 1, 2]]);
    }
}

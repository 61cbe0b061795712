//! Domains that do not invent: which values of a codebook domain a differentially private
//! release may give mass to, chosen from the release's own noisy counts.
//!
//! A codebook domain is wide (about 250 countries) and one country's table uses few of its
//! values. Noise gives every absent value a count too, and a synthesizer drawing from those
//! counts, or a cross-tab listing them, would name countries no record has: an analyst cannot
//! tell that noise from fact. So each value's noisy count (one cell of a one-way marginal, or the
//! sum of the cells of that value in a cross-tab) is compared with a threshold set from the noise
//! alone: the smallest count that absent values pass, all the column's values together, fewer
//! than [`EXPECTED_INVENTED`] times on average. Values below it are dropped and nothing of the
//! release gives them mass.
//!
//! The threshold depends only on the noise scale, the domain's size and how many noisy cells are
//! summed, so it is public; which values pass depends on the noisy counts only, so dropping them
//! is post-processing and costs no budget. A value of the input with few records can be dropped
//! too: that is the price, and the threshold is the figure to publish for it.
//!
//! The same reasoning applies one level down, to the cells of a synthesizer's two-way marginals:
//! two kept values need not occur together (a citizenship seen only in another country of
//! exploitation), and a pair the data never has, drawn from noise, is a fabricated combination.
//! [`cell_threshold`] is the noisy count that such absent cells pass fewer than
//! [`EXPECTED_ABSENT_PAIRS`] times per marginal on average; cells below it are given nothing. It
//! comes from the noise scale and the number of kept values alone.

use crate::sampling::Noise;

/// How many absent values of one variable may pass its threshold, on average: with noise alone
/// deciding, a release of ten variables invents at most two or three values on average. Each
/// such value gets about a threshold's worth of records, and every pair it makes with another
/// variable's values is a fabricated combination. Measured on the 250-country test table
/// (issue 28, three or four runs each): against 1, a quarter brings the fabricated two-way combinations
/// from 1.7–4.3 % to 0.6–0.8 % at ε = 4 and from 2.5–5.6 % to 0.7–2.6 % at ε = 1, with the same
/// two- and three-way distances; a tenth gains nothing more at ε = 4. A real value needs about
/// 1.4 noise scales more records to be kept than with 1.
pub const EXPECTED_INVENTED: f64 = 0.25;

/// How many cells of one two-way marginal that the data does not have may pass its
/// [`cell_threshold`], on average, counting only the cells whose two values were both kept. A
/// synthesizer's widest pair (citizenship × country of exploitation, some 40 × 40 kept values on
/// the 250-country test table) has over a thousand such cells, most absent from the data; a
/// threshold set per cell at one in ten left 6.1–6.3 % of the released two-way combinations
/// fabricated at ε = 4 (issue 28, measured with the domain step at one invented value per
/// variable). 20 per marginal, with [`ABSENT_CELL_PASSES_AT_MOST`], left 1.7–4.3 % with the same
/// two-way distance; 10 fabricated about as much at ε = 4 and dropped so many real pairs at
/// ε = 1 that the two-way distance grew by a quarter.
pub const EXPECTED_ABSENT_PAIRS: f64 = 20.0;

/// The most that one absent cell may pass [`cell_threshold`] with, however few cells its
/// marginal has: a small marginal (age band × majority status, 33 cells) would otherwise get
/// the lowest threshold, and noise alone would draw minors aged 30.
pub const ABSENT_CELL_PASSES_AT_MOST: f64 = 0.05;

/// The cell step of one pair of variables as a release states it: it depends only on the noise
/// scale, the pair and the kept values, all public or outputs of the mechanism.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellStep {
    pub columns: (String, String),
    /// The noisy count a cell must reach to be kept.
    pub threshold: i64,
    /// How many cells the pair's kept values make.
    pub cells: usize,
}

/// The domain step of one variable as a release states it: public, since it depends only on
/// the noise scale and the domains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainStep {
    pub column: String,
    /// The noisy count a value must reach to be kept.
    pub threshold: i64,
    /// How many noisy cells make up a value's count.
    pub summed: usize,
}

/// The smallest noisy count a value must reach to be kept, when its count is the sum of
/// `summed` cells (at least one) each with `noise`, over a domain of `values` values: the
/// smallest integer `t ≥ 1` with `values · P(noise ≥ t) ≤` [`EXPECTED_INVENTED`].
pub fn threshold(noise: Noise, summed: usize, values: usize) -> i64 {
    threshold_at(noise, summed, EXPECTED_INVENTED / values.max(1) as f64)
}

/// The smallest noisy count one cell with `noise` must reach to be kept, in a two-way marginal
/// of `cells` cells: the smallest integer `t ≥ 1` with `cells · P(noise ≥ t) ≤`
/// [`EXPECTED_ABSENT_PAIRS`] and `P(noise ≥ t) ≤` [`ABSENT_CELL_PASSES_AT_MOST`].
pub fn cell_threshold(noise: Noise, cells: usize) -> i64 {
    let allowed = (EXPECTED_ABSENT_PAIRS / cells.max(1) as f64).min(ABSENT_CELL_PASSES_AT_MOST);
    threshold_at(noise, 1, allowed)
}

/// The smallest integer `t ≥ 1` that the sum of `summed` draws of `noise` reaches with
/// probability at most `allowed`.
fn threshold_at(noise: Noise, summed: usize, allowed: f64) -> i64 {
    if noise.is_none() {
        return 1;
    }
    let tail = |summed: usize, t: i64| match noise {
        Noise::Laplace(scale) => laplace_tail(scale.to_f64(), summed, t),
        Noise::Gaussian(sigma_squared) => gaussian_tail(sigma_squared.to_f64(), summed, t),
    };
    // The tail falls as t grows: double, then halve the interval.
    let mut high = 1i64;
    while tail(summed.max(1), high) > allowed {
        high = high.saturating_mul(2);
        if high == i64::MAX {
            return high;
        }
    }
    let mut low = high / 2;
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if tail(summed.max(1), middle) > allowed {
            low = middle;
        } else {
            high = middle;
        }
    }
    high.max(1)
}

/// An upper bound on the probability that the sum of `n` discrete Laplace draws of `scale`
/// reaches `t ≥ 1`: exact for one draw (`pᵗ / (1 + p)` with `p = e^(−1/scale)`), Chernoff's
/// bound `min over 0 < λ < 1/scale of M(λ)ⁿ e^(−λt)` for a sum, with the moment generating
/// function `M(λ) = (1 − p)² / ((1 − p·e^λ)(1 − p·e^(−λ)))`.
fn laplace_tail(scale: f64, n: usize, t: i64) -> f64 {
    let p = (-1.0 / scale).exp();
    let t = t as f64;
    if n == 1 {
        return p.powf(t) / (1.0 + p);
    }
    let n = n as f64;
    let log_bound = |lambda: f64| {
        let m =
            2.0 * (1.0 - p).ln() - (1.0 - p * lambda.exp()).ln() - (1.0 - p * (-lambda).exp()).ln();
        n * m - lambda * t
    };
    // The log of the bound is convex in λ: golden-section search over (0, 1/scale).
    let golden = (5f64.sqrt() - 1.0) / 2.0;
    let (mut a, mut b) = (0.0, 1.0 / scale * (1.0 - 1e-9));
    for _ in 0..100 {
        let c = b - golden * (b - a);
        let d = a + golden * (b - a);
        if log_bound(c) < log_bound(d) {
            b = d;
        } else {
            a = c;
        }
    }
    log_bound((a + b) / 2.0).exp().min(1.0)
}

/// An upper bound on the probability that the sum of `n` discrete Gaussian draws of variance
/// `sigma_squared` reaches `t`: each is σ-sub-Gaussian, so the sum is √n·σ-sub-Gaussian and
/// `P(sum ≥ t) ≤ exp(−t²/(2nσ²))`.
fn gaussian_tail(sigma_squared: f64, n: usize, t: i64) -> f64 {
    let t = t as f64;
    (-t * t / (2.0 * n as f64 * sigma_squared)).exp()
}

/// Which values to keep: those whose noisy count reaches `threshold`; if none does, the one
/// with the largest noisy count (the first of equals), so a variable always has a value to give.
pub fn keep(noisy: &[i64], threshold: i64) -> Vec<bool> {
    let mut kept: Vec<bool> = noisy.iter().map(|&n| n >= threshold).collect();
    if !kept.iter().any(|&k| k)
        && let Some(best) = largest(noisy, 0..noisy.len())
    {
        kept[best] = true;
    }
    kept
}

/// Of the cells `candidates`, the one with the largest noisy count (the first of equals).
pub(crate) fn largest(noisy: &[i64], candidates: impl IntoIterator<Item = usize>) -> Option<usize> {
    candidates
        .into_iter()
        .max_by(|&a, &b| noisy[a].cmp(&noisy[b]).then(b.cmp(&a)))
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;
    use crate::sampling::{Rational, discrete_gaussian, discrete_laplace};

    fn laplace(n: u64) -> Noise {
        Noise::Laplace(Rational::new(n, 1).unwrap())
    }

    #[test]
    fn one_draw_uses_the_exact_tail() {
        // Scale 1: p = 1/e, P(X ≥ t) = e^(−t) / (1 + 1/e). 250 values, a quarter expected:
        // e^(−t) ≤ 0.001 · 1.3679 → t ≥ 6.59, so 7.
        assert_eq!(threshold(laplace(1), 1, 250), 7);
        // Two values: e^(−t) ≤ 0.125 · 1.3679 → t ≥ 1.77, so 2.
        assert_eq!(threshold(laplace(1), 1, 2), 2);
        // Scale 10: p = e^(−0.1), pᵗ ≤ 0.001 · 1.9048 → t ≥ 62.6, so 63.
        assert_eq!(threshold(laplace(10), 1, 250), 63);
    }

    #[test]
    fn a_sum_needs_a_higher_threshold_than_one_cell() {
        let single = threshold(laplace(2), 1, 250);
        let summed = threshold(laplace(2), 20, 250);
        assert!(summed > single, "{single} {summed}");
        // A sum of 20 draws has a standard deviation of about √20 · 2.8 ≈ 12.6: its threshold
        // lies a few of those above zero, far below 20 times one cell's.
        assert!((30..120).contains(&summed), "{summed}");
    }

    #[test]
    fn the_bound_holds_on_draws() {
        // 4,000 sums of 5 draws of scale 3 each: the share at or above the threshold for 250
        // values stays below the bound's 0.4 % (here, under 1 % to allow for sampling).
        let scale = Rational::new(3, 1).unwrap();
        let t = threshold(Noise::Laplace(scale), 5, 250);
        let mut rng = StdRng::seed_from_u64(1);
        let passed = (0..4_000)
            .filter(|_| {
                (0..5)
                    .map(|_| discrete_laplace(&mut rng, scale))
                    .sum::<i64>()
                    >= t
            })
            .count();
        assert!(passed < 40, "{passed} of 4,000 at or above {t}");
        // And the threshold is not far above what it must be: a fifth of it is passed often.
        let low = (0..4_000)
            .filter(|_| {
                (0..5)
                    .map(|_| discrete_laplace(&mut rng, scale))
                    .sum::<i64>()
                    >= t / 5
            })
            .count();
        assert!(low > 400, "{low} of 4,000 at or above {}", t / 5);
    }

    #[test]
    fn the_gaussian_bound_holds_on_draws() {
        // σ² = 9: exp(−t²/(2·5·9)) ≤ 0.25/250 → t ≥ √(90 ln 1000) ≈ 24.9, so 25 for sums of 5.
        let sigma_squared = Rational::new(9, 1).unwrap();
        let t = threshold(Noise::Gaussian(sigma_squared), 5, 250);
        assert_eq!(t, 25);
        let mut rng = StdRng::seed_from_u64(2);
        let passed = (0..4_000)
            .filter(|_| {
                (0..5)
                    .map(|_| discrete_gaussian(&mut rng, sigma_squared))
                    .sum::<i64>()
                    >= t
            })
            .count();
        assert!(passed < 40, "{passed} of 4,000 at or above {t}");
    }

    #[test]
    fn a_cell_threshold_lets_absent_cells_pass_twenty_times_per_marginal() {
        // Scale 4: p = e^(−1/4). 1,000 cells, 20 expected: pᵗ / (1 + p) ≤ 0.02 → pᵗ ≤ 0.0356 →
        // t ≥ 13.3, so 14.
        let scale = Rational::new(4, 1).unwrap();
        let t = cell_threshold(Noise::Laplace(scale), 1_000);
        assert_eq!(t, 14);
        // More cells, a higher threshold.
        assert!(cell_threshold(Noise::Laplace(scale), 10_000) > t);
        // Few cells: one absent cell passes at most one time in twenty, pᵗ ≤ 0.0889 → t ≥ 9.7.
        assert_eq!(cell_threshold(Noise::Laplace(scale), 6), 10);
        assert_eq!(cell_threshold(Noise::Laplace(scale), 400), 10);
        let mut rng = StdRng::seed_from_u64(3);
        let passed = (0..10_000)
            .filter(|_| discrete_laplace(&mut rng, scale) >= 10)
            .count();
        // Exactly: p¹⁰ / (1 + p) ≈ 0.0461, so about 461 of 10,000 (standard deviation 21); a
        // threshold one lower would let about 592 pass.
        assert!(
            (400..540).contains(&passed),
            "{passed} of 10,000 at or above 10"
        );
    }

    #[test]
    fn keeps_what_passes_or_else_the_largest() {
        assert_eq!(keep(&[10, 2, 7, -3], 7), [true, false, true, false]);
        assert_eq!(keep(&[1, 4, 4, -3], 7), [false, true, false, false]);
        assert_eq!(keep(&[], 7), Vec::<bool>::new());
    }
}

//! Exact samplers for differential privacy: the discrete Laplace and discrete Gaussian
//! distributions, after Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential
//! Privacy" (NeurIPS 2020), Algorithms 1–3. Every step uses integer arithmetic and uniform
//! integers from the random source, so no floating-point rounding can leak or bias anything.
//! The random source is a parameter; the binary passes the operating system's.

use rand::Rng;

/// A non-negative rational number `numerator / denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rational {
    pub numerator: u64,
    pub denominator: u64,
}

impl Rational {
    /// `None` when the denominator is zero.
    pub fn new(numerator: u64, denominator: u64) -> Option<Rational> {
        (denominator > 0).then_some(Rational {
            numerator,
            denominator,
        })
    }

    /// Reads a plain decimal such as `0.5` or `4` exactly (at most 9 decimals).
    pub fn parse_decimal(text: &str) -> Option<Rational> {
        let (whole, fraction) = text.trim().split_once('.').unwrap_or((text.trim(), ""));
        if whole.is_empty() && fraction.is_empty()
            || fraction.len() > 9
            || !whole
                .bytes()
                .chain(fraction.bytes())
                .all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let scale = 10u64.pow(fraction.len() as u32);
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let fraction: u64 = if fraction.is_empty() {
            0
        } else {
            fraction.parse().ok()?
        };
        Rational::new(whole.checked_mul(scale)?.checked_add(fraction)?, scale)
    }

    pub fn to_f64(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }
}

/// Bernoulli(numerator / denominator), exactly; `numerator` at most `denominator`.
fn bernoulli<R: Rng + ?Sized>(rng: &mut R, numerator: u128, denominator: u128) -> bool {
    rng.random_range(0..denominator) < numerator
}

/// Bernoulli(exp(−γ)) for γ = numerator / denominator ≥ 0 (Algorithm 1).
fn bernoulli_exp<R: Rng + ?Sized>(rng: &mut R, numerator: u128, denominator: u128) -> bool {
    if numerator <= denominator {
        // exp(−γ) for γ in [0, 1]: the number of successes of Bernoulli(γ/k), k = 1, 2, …
        let mut k: u128 = 1;
        while bernoulli(rng, numerator, denominator * k) {
            k += 1;
        }
        return k % 2 == 1;
    }
    let whole = numerator / denominator;
    for _ in 0..whole {
        if !bernoulli_exp(rng, 1, 1) {
            return false;
        }
    }
    bernoulli_exp(rng, numerator - whole * denominator, denominator)
}

/// One sample of the discrete Laplace distribution with scale `scale` (Algorithm 2):
/// P[x] ∝ exp(−|x| / scale) over the integers.
pub fn discrete_laplace<R: Rng + ?Sized>(rng: &mut R, scale: Rational) -> i64 {
    // Lap_Z(t/s) with t = numerator, s = denominator.
    let t = u128::from(scale.numerator.max(1));
    let s = u128::from(scale.denominator);
    loop {
        let u = rng.random_range(0..t);
        if !bernoulli_exp(rng, u, t) {
            continue;
        }
        let mut v: u128 = 0;
        while bernoulli_exp(rng, 1, 1) {
            v += 1;
        }
        let y = (u + t * v) / s;
        let negative = rng.random_bool(0.5);
        if negative && y == 0 {
            continue;
        }
        let y = i64::try_from(y).unwrap_or(i64::MAX);
        return if negative { -y } else { y };
    }
}

/// The half-width `t` of the narrowest interval `−t..=t` that holds a sample of the discrete
/// Laplace distribution of scale `scale` with probability at least `confidence` (0 to 1, e.g.
/// 0.95): with p = exp(−1/scale), P[|X| > t] = 2·p^(t+1) / (1 + p). What a noisy count's
/// confidence interval is, before any post-processing.
pub fn discrete_laplace_interval(scale: f64, confidence: f64) -> u64 {
    if scale.is_nan() || scale <= 0.0 || !(0.0..1.0).contains(&confidence) {
        return 0;
    }
    let p = (-1.0 / scale).exp();
    let tail = |t: u64| 2.0 * p.powf(t as f64 + 1.0) / (1.0 + p);
    // The closed form, then a step either way against rounding.
    let guess = (((1.0 - confidence) * (1.0 + p) / 2.0).ln() / p.ln()).ceil() - 1.0;
    let mut t = guess.max(0.0) as u64;
    while t > 0 && tail(t - 1) <= 1.0 - confidence {
        t -= 1;
    }
    while tail(t) > 1.0 - confidence {
        t += 1;
    }
    t
}

/// The noise a release adds to each of its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Discrete Laplace of this scale: ε = sensitivity/scale, pure differential privacy.
    Laplace(Rational),
    /// Discrete Gaussian of this variance σ²: ρ = sensitivity²/(2σ²), zero-concentrated
    /// differential privacy ([`crate::accountant`]).
    Gaussian(Rational),
}

impl Noise {
    pub fn sample<R: Rng + ?Sized>(self, rng: &mut R) -> i64 {
        match self {
            Noise::Laplace(scale) => discrete_laplace(rng, scale),
            Noise::Gaussian(sigma_squared) => discrete_gaussian(rng, sigma_squared),
        }
    }

    /// Whether it adds no noise at all (a zero scale or variance): never released.
    pub fn is_none(self) -> bool {
        match self {
            Noise::Laplace(r) | Noise::Gaussian(r) => r.numerator == 0,
        }
    }

    /// The half-width of an interval `−t..=t` that holds a sample with probability at least
    /// `confidence`: exact for the discrete Laplace ([`discrete_laplace_interval`]); for the
    /// discrete Gaussian from its sub-Gaussian tail `P[|X| ≥ t] ≤ 2·exp(−t²/2σ²)` (it is
    /// σ-sub-Gaussian: Canonne, Kamath, Steinke 2020), so a little wider than the narrowest.
    pub fn interval_half_width(self, confidence: f64) -> u64 {
        match self {
            Noise::Laplace(scale) => discrete_laplace_interval(scale.to_f64(), confidence),
            Noise::Gaussian(sigma_squared) => {
                if !(0.0..1.0).contains(&confidence) {
                    return 0;
                }
                let t = (2.0 * sigma_squared.to_f64() * (2.0 / (1.0 - confidence)).ln()).sqrt();
                t.ceil() as u64
            }
        }
    }
}

/// One sample of the discrete Gaussian distribution with variance parameter `sigma_squared`
/// (Algorithm 3): P[x] ∝ exp(−x² / 2σ²) over the integers.
pub fn discrete_gaussian<R: Rng + ?Sized>(rng: &mut R, sigma_squared: Rational) -> i64 {
    let a = u128::from(sigma_squared.numerator);
    let b = u128::from(sigma_squared.denominator);
    // t = ⌊σ⌋ + 1, with ⌊σ⌋ the largest k such that k²·b ≤ a.
    let mut floor_sigma: u128 = (sigma_squared.to_f64().sqrt()) as u128;
    while floor_sigma * floor_sigma * b > a {
        floor_sigma -= 1;
    }
    while (floor_sigma + 1) * (floor_sigma + 1) * b <= a {
        floor_sigma += 1;
    }
    let t = floor_sigma + 1;
    let laplace_scale = Rational {
        numerator: u64::try_from(t).unwrap_or(u64::MAX),
        denominator: 1,
    };
    loop {
        let y = discrete_laplace(rng, laplace_scale);
        // Accept with probability exp(−(|y| − σ²/t)² / 2σ²) = exp(−(|y|·b·t − a)² / (2·a·b·t²)).
        let distance = (u128::from(y.unsigned_abs()) * b * t).abs_diff(a);
        let Some(numerator) = distance.checked_mul(distance) else {
            continue; // so far out that acceptance is vanishingly unlikely: draw again
        };
        let denominator = 2 * a * b * t * t;
        if denominator == 0 {
            return 0;
        }
        if bernoulli_exp(rng, numerator, denominator) {
            return y;
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    use super::*;

    const SAMPLES: usize = 200_000;

    /// Pearson's chi-square of samples against a probability mass function over −r..=r, with the
    /// two tails beyond pooled into one cell.
    fn chi_square(samples: &[i64], pmf: impl Fn(i64) -> f64, r: i64) -> (f64, usize) {
        let n = samples.len() as f64;
        let mut statistic = 0.0;
        let mut inside = 0.0;
        for x in -r..=r {
            let expected = pmf(x) * n;
            let observed = samples.iter().filter(|&&s| s == x).count() as f64;
            statistic += (observed - expected).powi(2) / expected;
            inside += pmf(x);
        }
        let expected_tail = (1.0 - inside) * n;
        let observed_tail = samples.iter().filter(|s| s.abs() > r).count() as f64;
        if expected_tail > 5.0 {
            statistic += (observed_tail - expected_tail).powi(2) / expected_tail;
            (statistic, (2 * r + 1) as usize)
        } else {
            (statistic, (2 * r) as usize)
        }
    }

    /// The chi-square critical value at p = 0.001 (Wilson–Hilferty approximation).
    fn critical(df: usize) -> f64 {
        let k = df as f64;
        let z = 3.090_232; // upper 0.1 % of the standard normal
        k * (1.0 - 2.0 / (9.0 * k) + z * (2.0 / (9.0 * k)).sqrt()).powi(3)
    }

    #[test]
    fn discrete_laplace_matches_its_distribution() {
        let mut rng = StdRng::seed_from_u64(2017);
        for (scale, r) in [
            (Rational::new(2, 1).unwrap(), 10),
            (Rational::new(1, 2).unwrap(), 4),
        ] {
            let samples: Vec<i64> = (0..SAMPLES)
                .map(|_| discrete_laplace(&mut rng, scale))
                .collect();
            let q = (-1.0 / scale.to_f64()).exp();
            let pmf = |x: i64| (1.0 - q) / (1.0 + q) * q.powi(x.abs() as i32);
            let (statistic, df) = chi_square(&samples, pmf, r);
            assert!(
                statistic < critical(df),
                "scale {scale:?}: χ² {statistic} on {df} df"
            );
            let mean = samples.iter().sum::<i64>() as f64 / SAMPLES as f64;
            assert!(mean.abs() < 0.05, "symmetric: mean {mean}");
        }
    }

    #[test]
    fn discrete_gaussian_matches_its_distribution() {
        let mut rng = StdRng::seed_from_u64(1948);
        for (sigma_squared, r) in [
            (Rational::new(9, 1).unwrap(), 10),
            (Rational::new(1, 2).unwrap(), 3),
        ] {
            let samples: Vec<i64> = (0..SAMPLES)
                .map(|_| discrete_gaussian(&mut rng, sigma_squared))
                .collect();
            let s2 = sigma_squared.to_f64();
            let weight = |x: i64| (-(x * x) as f64 / (2.0 * s2)).exp();
            let total: f64 = (-200..=200).map(weight).sum();
            let (statistic, df) = chi_square(&samples, |x| weight(x) / total, r);
            assert!(
                statistic < critical(df),
                "σ² {sigma_squared:?}: χ² {statistic} on {df} df"
            );
        }
    }

    #[test]
    fn a_wrong_distribution_fails_the_same_check() {
        // The check can fail: Laplace samples of scale 2 against the pmf of scale 2.5.
        let mut rng = StdRng::seed_from_u64(7);
        let scale = Rational::new(2, 1).unwrap();
        let samples: Vec<i64> = (0..SAMPLES)
            .map(|_| discrete_laplace(&mut rng, scale))
            .collect();
        let q = (-1.0f64 / 2.5).exp();
        let (statistic, df) = chi_square(
            &samples,
            |x| (1.0 - q) / (1.0 + q) * q.powi(x.abs() as i32),
            10,
        );
        assert!(statistic > critical(df));
    }

    #[test]
    fn the_same_seed_gives_the_same_samples() {
        let scale = Rational::new(3, 2).unwrap();
        let draw = |seed| {
            let mut rng = StdRng::seed_from_u64(seed);
            (0..50)
                .map(|_| discrete_laplace(&mut rng, scale))
                .collect::<Vec<_>>()
        };
        assert_eq!(draw(1), draw(1));
        assert_ne!(draw(1), draw(2));
    }

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(Rational::parse_decimal("0.5"), Rational::new(5, 10));
        assert_eq!(Rational::parse_decimal("4"), Rational::new(4, 1));
        assert_eq!(Rational::parse_decimal("1.25"), Rational::new(125, 100));
        assert_eq!(Rational::parse_decimal("-1"), None);
        assert_eq!(Rational::parse_decimal("1e-3"), None);
        assert_eq!(Rational::parse_decimal("."), None);
    }

    #[test]
    fn the_interval_holds_the_asked_share_of_the_distribution_and_no_narrower_one_does() {
        // Scale 1: P[|X| ≤ 3] = 0.973 and P[|X| ≤ 2] = 0.927, so t = 3 at 95 %.
        assert_eq!(discrete_laplace_interval(1.0, 0.95), 3);
        for scale in [0.25, 1.0, 3.0, 12.5, 171.0] {
            let p = (-1.0f64 / scale).exp();
            let mass = |t: u64| {
                (1.0 - p) / (1.0 + p) * (1.0 + 2.0 * (1..=t).map(|x| p.powf(x as f64)).sum::<f64>())
            };
            for confidence in [0.5, 0.9, 0.95, 0.99] {
                let t = discrete_laplace_interval(scale, confidence);
                assert!(
                    mass(t) >= confidence - 1e-12,
                    "scale {scale}, {confidence}: {t}"
                );
                if t > 0 {
                    assert!(
                        mass(t - 1) < confidence,
                        "scale {scale}, {confidence}: {t} is not the narrowest"
                    );
                }
            }
        }
        assert_eq!(
            discrete_laplace_interval(0.0, 0.95),
            0,
            "no noise, no interval"
        );
    }
}

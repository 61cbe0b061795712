//! Zero-concentrated differential privacy (ρ-zCDP) and its conversion to (ε, δ).
//!
//! The discrete Gaussian of variance σ² on a count whose one record moves it by at most one is
//! `1/(2σ²)`-zCDP (Canonne, Kamath, Steinke 2020, "The Discrete Gaussian for Differential
//! Privacy"), and ρ's add up over releases: several releases measured this way cost
//! the conversion of their summed ρ, far less than the sum of their conversions. The ledger keeps
//! ρ and states it as (ε, δ) with [`zcdp_epsilon`], the bound of the same paper (§2.3):
//!
//! ```text
//! ε(ρ, δ) = min over α > 1 of  αρ + (ln(1/δ) − ln α)/(α − 1) + ln(1 − 1/α)
//! δ(ρ, ε) = min over α > 1 of  exp((α − 1)(αρ − ε)) · (1 − 1/α)^α / (α − 1)
//! ```
//!
//! Both minimands have a derivative in α that crosses zero once (for ε: `ρ − (ln(1/δ) − ln
//! α)/(α − 1)²`; for ln δ: `(2α − 1)ρ − ε + ln(1 − 1/α)`), found by bisection.

/// Bisection steps: each halves the interval of α, far past f64 precision.
const STEPS: usize = 200;

/// The ε that ρ-zCDP gives at `delta` (0 < δ < 1): the smallest ε such that the mechanism is
/// (ε, δ)-differentially private by the bound above, never below zero.
pub fn zcdp_epsilon(rho: f64, delta: f64) -> f64 {
    if rho <= 0.0 || delta >= 1.0 {
        return 0.0;
    }
    if delta <= 0.0 {
        return f64::INFINITY;
    }
    let log_inverse_delta = -delta.ln();
    let derivative = |alpha: f64| rho - (log_inverse_delta - alpha.ln()) / (alpha - 1.0).powi(2);
    // At this α, ρ(α − 1)² > ln(1/δ) ≥ ln(1/δ) − ln α: the derivative is positive.
    let alpha = root(derivative, 2.0 + (log_inverse_delta / rho).sqrt());
    let epsilon =
        alpha * rho + (log_inverse_delta - alpha.ln()) / (alpha - 1.0) + (1.0 - 1.0 / alpha).ln();
    epsilon.max(0.0)
}

/// The δ that ρ-zCDP gives at `epsilon` ≥ 0: the smallest δ such that the mechanism is
/// (ε, δ)-differentially private by the bound above, at most one.
pub fn zcdp_delta(rho: f64, epsilon: f64) -> f64 {
    if rho <= 0.0 {
        return 0.0;
    }
    let epsilon = epsilon.max(0.0);
    let derivative = |alpha: f64| (2.0 * alpha - 1.0) * rho - epsilon + (1.0 - 1.0 / alpha).ln();
    // At this α, (2α − 1)ρ ≥ ε + 1 > ε − ln(1 − 1/α) for α ≥ 2: the derivative is positive.
    let alpha = root(derivative, 2.0 + (epsilon + 1.0) / (2.0 * rho));
    let log_delta = (alpha - 1.0) * (alpha * rho - epsilon) + alpha * (1.0 - 1.0 / alpha).ln()
        - (alpha - 1.0).ln();
    log_delta.exp().min(1.0)
}

/// The order α in (1, `high`) where `derivative`, negative near 1 and positive at `high` and
/// growing, crosses zero: the minimizer of a bound above.
fn root(derivative: impl Fn(f64) -> f64, high: f64) -> f64 {
    let (mut low, mut high) = (1.0 + 1e-12, high);
    for _ in 0..STEPS {
        let middle = 0.5 * (low + high);
        if derivative(middle) < 0.0 {
            low = middle;
        } else {
            high = middle;
        }
    }
    0.5 * (low + high)
}

/// The largest ρ whose conversion at `delta` stays within `epsilon`, to a millionth and rounded
/// down, as millionths: what a release of budget (ε, δ) may spend under zCDP.
pub fn rho_micros_within(epsilon: f64, delta: f64) -> i64 {
    if !(epsilon.is_finite() && epsilon > 0.0 && delta > 0.0 && delta < 1.0) {
        return 0;
    }
    // ε(ρ) ≥ ρ, so ρ ≤ ε; ε(ρ) grows with ρ.
    let fits = |micros: i64| zcdp_epsilon(micros as f64 / 1e6, delta) <= epsilon;
    let (mut low, mut high) = (0i64, (epsilon * 1e6).ceil() as i64 + 1);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if fits(middle) {
            low = middle;
        } else {
            high = middle;
        }
    }
    low
}

/// The ε of `rho_micros` millionths of ρ at `delta_femtos` (10⁻¹⁵) of δ, in millionths rounded
/// up: the ledger's conversion of a country's year of zCDP releases.
pub fn zcdp_epsilon_micros(rho_micros: i64, delta_femtos: i64) -> i64 {
    if rho_micros <= 0 {
        return 0;
    }
    let epsilon = zcdp_epsilon(rho_micros as f64 / 1e6, delta_femtos as f64 / 1e15);
    if epsilon.is_finite() {
        (epsilon * 1e6).ceil() as i64
    } else {
        i64::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenDP's tests of its implementation of the same bound (`cdp_epsilon`, `cdp_delta`) for
    /// the Gaussian of scale 4 on a count: ρ = 1/32.
    #[test]
    fn the_conversion_matches_published_values() {
        let rho = 1.0 / 32.0;
        let epsilon = zcdp_epsilon(rho, 1e-3);
        assert!((epsilon - 0.6880024554878086).abs() < 1e-9, "{epsilon}");
        let delta = zcdp_delta(rho, 0.0);
        assert!((delta - 0.1508457845622862).abs() < 1e-9, "{delta}");
        let delta = zcdp_delta(rho, 0.6880024554878085);
        assert!((delta - 1e-3).abs() < 1e-12, "{delta}");
    }

    #[test]
    fn the_conversion_is_tighter_than_bun_and_steinke_and_the_two_directions_agree() {
        for rho in [0.001, 0.01, 0.1, 0.5, 1.0, 2.63, 8.0] {
            for delta in [1e-5, 1e-9, 1e-10, 1e-12] {
                let epsilon = zcdp_epsilon(rho, delta);
                // Bun and Steinke 2016, Proposition 1.3: ε = ρ + 2√(ρ ln(1/δ)).
                let bun_steinke = rho + 2.0 * (rho * (1.0 / delta).ln()).sqrt();
                assert!(epsilon < bun_steinke, "ρ = {rho}, δ = {delta}");
                // ρ-zCDP gives (ε, δ) with ε ≥ ρ (at α → 1 the bound is ρ + ln(1/δ)/(α − 1)).
                assert!(epsilon > rho, "ρ = {rho}, δ = {delta}");
                let back = zcdp_delta(rho, epsilon);
                assert!(
                    (back / delta - 1.0).abs() < 1e-6,
                    "ρ = {rho}, δ = {delta}: {back}"
                );
            }
        }
    }

    #[test]
    fn the_largest_rho_within_a_budget_converts_within_it() {
        for (epsilon, delta) in [(0.5, 1e-9), (1.0, 1e-9), (4.0, 1e-9), (4.0, 1e-6)] {
            let micros = rho_micros_within(epsilon, delta);
            assert!(micros > 0);
            assert!(zcdp_epsilon_micros(micros, (delta * 1e15) as i64) <= (epsilon * 1e6) as i64);
            assert!(zcdp_epsilon((micros + 1) as f64 / 1e6, delta) > epsilon);
        }
        assert_eq!(rho_micros_within(0.0, 1e-9), 0);
        assert_eq!(rho_micros_within(1.0, 0.0), 0);
    }

    #[test]
    fn summed_rho_costs_less_than_summed_conversions() {
        let delta = 1e-9;
        let one = zcdp_epsilon(0.05, delta);
        let ten = zcdp_epsilon(0.5, delta);
        // 6.47 against 18.8: ten releases of ρ = 0.05 cost about a third of ten conversions.
        assert!(ten < 10.0 * one / 2.0, "{ten} against {one} ten times");
    }
}

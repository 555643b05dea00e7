//! Trend scoring: how surprising an entity's (or topic's) article count in a window is,
//! against what its trailing baseline predicts. Pure arithmetic over counts.
//!
//! The expectation scales the entity's share of the baseline's articles to the window's
//! articles: `expected = (baseline_count + 1) / baseline_total × window_total`, so a change in
//! how many articles arrive overall (a feed added, a quiet weekend) does not look like a trend
//! of every name. With no baseline at all (a new database) the window is compared with the
//! baseline length instead: `expected = (baseline_count + 1) × window / baseline`. The `+ 1`
//! keeps a name never seen before from scoring infinitely.
//!
//! The score is the Poisson surprise of the count: `−log10 P(X ≥ count)` for `X ~
//! Poisson(expected)`. A score of 3 means a count this high would happen by chance once in a
//! thousand windows; an ordinary count scores near 0.

/// The counts a score is made from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Counts {
    /// Articles mentioning the subject in the window.
    pub window: i64,
    /// Articles mentioning it in the baseline period.
    pub baseline: i64,
    /// All articles in the window, and in the baseline period.
    pub window_total: i64,
    pub baseline_total: i64,
    /// Lengths of the window and of the baseline period, in seconds.
    pub window_secs: f64,
    pub baseline_secs: f64,
}

/// The expected article count in the window.
pub fn expected(c: &Counts) -> f64 {
    let smoothed = c.baseline.max(0) as f64 + 1.0;
    if c.baseline_total > 0 && c.window_total > 0 {
        smoothed / c.baseline_total as f64 * c.window_total as f64
    } else {
        smoothed * c.window_secs / c.baseline_secs.max(1.0)
    }
}

/// `−log10 P(X ≥ k)` for `X ~ Poisson(lambda)`: 0 for k ≤ 0, growing with surprise.
pub fn surprise(k: i64, lambda: f64) -> f64 {
    if k <= 0 || lambda <= 0.0 {
        return if k > 0 { f64::INFINITY } else { 0.0 };
    }
    let ln_tail = ln_upper_tail(k as u64, lambda);
    (-ln_tail / std::f64::consts::LN_10).max(0.0)
}

/// ln P(X ≥ k), summed in log space from the mode side so neither tail underflows.
fn ln_upper_tail(k: u64, lambda: f64) -> f64 {
    if (k as f64) <= lambda {
        // The tail holds most of the mass: 1 − P(X < k).
        let below: f64 = (0..k).map(|i| ln_pmf(i, lambda).exp()).sum();
        return (1.0 - below).max(f64::MIN_POSITIVE).ln();
    }
    let first = ln_pmf(k, lambda);
    // Each next term is the previous × lambda / i: stop once they no longer count.
    let mut sum = 1.0;
    let mut term = 1.0;
    let mut i = k + 1;
    while term > 1e-17 && i < k + 100_000 {
        term *= lambda / i as f64;
        sum += term;
        i += 1;
    }
    first + sum.ln()
}

fn ln_pmf(k: u64, lambda: f64) -> f64 {
    k as f64 * lambda.ln() - lambda - ln_factorial(k)
}

fn ln_factorial(n: u64) -> f64 {
    if n < 2 {
        return 0.0;
    }
    if n < 64 {
        return (2..=n).map(|i| (i as f64).ln()).sum();
    }
    // Stirling's series: exact to double precision from here on.
    let x = n as f64;
    x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
        - 1.0 / (360.0 * x * x * x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poisson_tails_match_known_values() {
        // P(X >= 1 | 1) = 1 - e^-1 = 0.6321; P(X >= 5 | 1) = 0.00366; P(X >= 10 | 2) = 4.65e-5.
        let close = |s: f64, p: f64| (s - (-p.log10())).abs() < 1e-3;
        assert!(close(surprise(1, 1.0), 0.632_120_6));
        assert!(close(surprise(5, 1.0), 0.003_659_847));
        assert!(close(surprise(10, 2.0), 4.649_808e-5));
        assert_eq!(surprise(0, 3.0), 0.0);
        assert!(surprise(300, 1.0).is_finite() && surprise(300, 1.0) > 100.0);
        assert!(surprise(5_000, 4_000.0) > surprise(4_100, 4_000.0));
    }

    #[test]
    fn the_expectation_follows_the_share_of_articles() {
        let c = Counts {
            window: 10,
            baseline: 27,
            window_total: 200,
            baseline_total: 5_600,
            window_secs: 86_400.0,
            baseline_secs: 28.0 * 86_400.0,
        };
        assert!((expected(&c) - 1.0).abs() < 1e-9);
        let doubled = Counts {
            window_total: 400,
            ..c
        };
        assert!(
            (expected(&doubled) - 2.0).abs() < 1e-9,
            "twice the articles, twice the count"
        );
        let fresh = Counts {
            baseline: 0,
            baseline_total: 0,
            ..c
        };
        assert!((expected(&fresh) - 1.0 / 28.0).abs() < 1e-9);
    }
}

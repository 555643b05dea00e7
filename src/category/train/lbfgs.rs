//! Limited-memory BFGS minimisation for the logistic regression. Training only; full-batch
//! and single-threaded, so the result depends only on the data.

use std::collections::VecDeque;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Curvature pairs `(s, y, 1 / s.y)` of the last steps, oldest first.
type History = VecDeque<(Vec<f64>, Vec<f64>, f64)>;

/// Limited-memory BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking Armijo line search.
/// Full-batch and single-threaded, so the result depends only on the data.
pub fn lbfgs(f: impl Fn(&[f64], &mut [f64]) -> f64, mut x: Vec<f64>, max_iter: usize) -> Vec<f64> {
    const MEMORY: usize = 10;
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut fx = f(&x, &mut g);
    let mut hist: History = Default::default();
    let mut x_new = vec![0.0; n];
    let mut g_new = vec![0.0; n];
    for _ in 0..max_iter {
        let mut d = direction(&g, &hist);
        let mut slope = dot(&g, &d);
        if slope >= 0.0 {
            // Not a descent direction (curvature broke down): restart from steepest descent.
            hist.clear();
            d = g.iter().map(|v| -v).collect();
            slope = -dot(&g, &g);
        }
        let Some(f_new) = line_search(&f, (&x, &d), (fx, slope), &mut x_new, &mut g_new) else {
            return x;
        };
        let s: Vec<f64> = x_new.iter().zip(&x).map(|(a, b)| a - b).collect();
        let y: Vec<f64> = g_new.iter().zip(&g).map(|(a, b)| a - b).collect();
        let sy = dot(&s, &y);
        if sy > 1e-12 {
            if hist.len() == MEMORY {
                hist.pop_front();
            }
            hist.push_back((s, y, 1.0 / sy));
        }
        let improvement = (fx - f_new) / fx.abs().max(1e-12);
        std::mem::swap(&mut x, &mut x_new);
        std::mem::swap(&mut g, &mut g_new);
        fx = f_new;
        if improvement < 1e-7 {
            break;
        }
    }
    x
}

/// The quasi-Newton direction `-H g` by the two-loop recursion over `hist`.
fn direction(g: &[f64], hist: &History) -> Vec<f64> {
    let mut d: Vec<f64> = g.iter().map(|v| -v).collect();
    let mut alpha = Vec::with_capacity(hist.len());
    for (s, y, rho) in hist.iter().rev() {
        let a = rho * dot(s, &d);
        for (di, yi) in d.iter_mut().zip(y) {
            *di -= a * yi;
        }
        alpha.push(a);
    }
    let gamma = match hist.back() {
        Some((s, y, _)) => dot(s, y) / dot(y, y),
        None => 1.0 / dot(g, g).sqrt().max(1e-12),
    };
    for v in &mut d {
        *v *= gamma;
    }
    for ((s, y, rho), a) in hist.iter().zip(alpha.iter().rev()) {
        let b = rho * dot(y, &d);
        for (di, si) in d.iter_mut().zip(s) {
            *di += (a - b) * si;
        }
    }
    d
}

/// Backtracking from step 1 along `d` until the Armijo condition holds: leaves the point
/// and its gradient in `x_new`, `g_new` and returns its value (`None` when the step vanishes).
fn line_search(
    f: &impl Fn(&[f64], &mut [f64]) -> f64,
    (x, d): (&[f64], &[f64]),
    (fx, slope): (f64, f64),
    x_new: &mut [f64],
    g_new: &mut [f64],
) -> Option<f64> {
    let mut step = 1.0;
    loop {
        for i in 0..x.len() {
            x_new[i] = x[i] + step * d[i];
        }
        let v = f(x_new, g_new);
        if v <= fx + 1e-4 * step * slope {
            return Some(v);
        }
        step *= 0.5;
        if step < 1e-12 {
            return None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lbfgs_finds_a_quadratic_minimum() {
        let f = |x: &[f64], g: &mut [f64]| {
            g[0] = 2.0 * (x[0] - 3.0);
            g[1] = 20.0 * (x[1] + 1.0);
            (x[0] - 3.0).powi(2) + 10.0 * (x[1] + 1.0).powi(2)
        };
        let x = lbfgs(f, vec![0.0, 0.0], 100);
        assert!(
            (x[0] - 3.0).abs() < 1e-3 && (x[1] + 1.0).abs() < 1e-3,
            "{x:?}"
        );
    }
}

//! Statistical formulas of the reports (written once, tested against published examples).
//!
//! Every function here is pure and works on *sufficient statistics* (counts, sums and sums of
//! squares), never on raw rows: the report aggregates are kept up to date with every committed
//! submission, so a report can be built without reading a single response again.
//!
//! Conventions:
//! * `confidence` is a two-sided level in the open interval (0, 1), normally [`CONFIDENCE`]; any
//!   other value yields `None` rather than a panic, because a report must never crash on a bad
//!   parameter.
//! * Functions return `None` when the quantity is undefined for the data at hand (no
//!   observations, too few to estimate a variance, …); the report then shows "not estimable"
//!   instead of a misleading number.
//! * Critical values come from `statrs` distributions (normal, Student t, chi-square), never from
//!   hard-coded tables, so any confidence level works.
//!
//! Each formula is tested against a published worked example; the sources are cited next to the
//! tests at the bottom of this file.

use serde::Serialize;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal, StudentsT};

/// Confidence level of every interval in the reports (95 %, as the issue asks).
pub const CONFIDENCE: f64 = 0.95;

/// Minimum number of complete responses for Cronbach's alpha to be shown: below this the
/// estimate is too unstable to be meaningful for a cohort.
pub const ALPHA_MIN_N: u64 = 30;

/// A closed confidence interval `[low, high]`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// Whether `x` lies in the interval (bounds included).
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Upper `(1 - confidence) / 2` quantile of the standard normal distribution, e.g. 1.959964 for
/// 95 %. `None` unless `0 < confidence < 1`.
fn z_critical(confidence: f64) -> Option<f64> {
    valid_confidence(confidence)?;
    Some(Normal::standard().inverse_cdf(upper_tail_probability(confidence)))
}

/// Upper `(1 - confidence) / 2` quantile of Student's t with `df` degrees of freedom.
fn t_critical(confidence: f64, df: f64) -> Option<f64> {
    valid_confidence(confidence)?;
    let t = StudentsT::new(0.0, 1.0, df).ok()?;
    Some(t.inverse_cdf(upper_tail_probability(confidence)))
}

fn valid_confidence(confidence: f64) -> Option<()> {
    (confidence > 0.0 && confidence < 1.0).then_some(())
}

/// `1 - (1 - confidence) / 2`, the cumulative probability of the upper critical value.
fn upper_tail_probability(confidence: f64) -> f64 {
    0.5 + confidence / 2.0
}

/// The median of some values; `None` when there are none.
pub fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Wilson score interval (no continuity correction) for `k` successes of `n`.
///
/// Chosen over the textbook Wald interval `p ± z·√(p(1−p)/n)` because prevalences in small
/// groups are often near 0 or 1, where Wald collapses to zero width or leaves [0, 1]; the score
/// interval keeps close to nominal coverage there (Newcombe 1998, "method 3").
///
/// `None` when `n == 0`, when `k > n`, or when the confidence level is not in (0, 1).
pub fn wilson(k: u64, n: u64, confidence: f64) -> Option<Interval> {
    if n == 0 || k > n {
        return None;
    }
    let z = z_critical(confidence)?;
    let (kf, nf) = (k as f64, n as f64);
    let z2 = z * z;
    let p = kf / nf;
    let denominator = nf + z2;
    let centre = (kf + z2 / 2.0) / denominator;
    let half_width = z * (nf * p * (1.0 - p) + z2 / 4.0).sqrt() / denominator;
    // At k = 0 (k = n) the lower (upper) bound is exactly 0 (1) algebraically; pin it so rounding
    // can never put it a hair outside [0, 1] or exclude the observed proportion.
    let low = if k == 0 { 0.0 } else { (centre - half_width).clamp(0.0, p) };
    let high = if k == n { 1.0 } else { (centre + half_width).clamp(p, 1.0) };
    Some(Interval { low, high })
}

/// Running sums of one variable: enough to recover its count, mean and variance, and mergeable,
/// so aggregates of sub-groups (or of successive submissions) combine by addition.
///
/// Instrument scores are small integers, so `sum` and `sum_sq` are exact in `f64` (up to 2^53)
/// and the only rounding is in [`Moments::variance`]'s final subtraction and division.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    pub n: u64,
    pub sum: f64,
    pub sum_sq: f64,
}

impl Moments {
    /// Adds one observation.
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        self.sum += x;
        self.sum_sq += x * x;
    }

    /// Adds all the observations summarised by `other` (sums are additive).
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum += other.sum;
        self.sum_sq += other.sum_sq;
    }

    /// Arithmetic mean; `None` when there is no observation.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum / self.n as f64)
    }

    /// Sample variance (divisor `n − 1`); `None` when `n < 2`.
    ///
    /// The textbook formula `(Σx² − (Σx)²/n) / (n − 1)` subtracts two nearly equal numbers when
    /// the spread is small next to the mean, so it is computed with care:
    /// * when both sums are integers below 2^53 (integer scores, the usual case) the numerator
    ///   `n·Σx² − (Σx)²` is computed exactly in 128-bit integers, so the variance is correctly
    ///   rounded and exactly 0 for constant data;
    /// * otherwise `(Σx² − Σx·x̄) / (n − 1)` is used, and since rounding can then make it a tiny
    ///   negative number while a variance never is, it is clamped at 0.
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        if let (Some(sum), Some(sum_sq)) = (exact_integer(self.sum), exact_integer(self.sum_sq)) {
            let n = i128::from(self.n);
            // Both products stay below 2^117, far inside i128; the difference is never negative
            // (Cauchy–Schwarz) when the sums come from real data.
            let numerator = n * sum_sq - sum * sum;
            return Some((numerator.max(0) as f64 / self.n as f64) / (self.n - 1) as f64);
        }
        let mean = self.sum / self.n as f64;
        let centred_sum_sq = self.sum_sq - self.sum * mean;
        Some((centred_sum_sq / (self.n - 1) as f64).max(0.0))
    }

    /// Sample standard deviation (square root of [`Moments::variance`]); `None` when `n < 2`.
    pub fn std_dev(&self) -> Option<f64> {
        self.variance().map(f64::sqrt)
    }
}

/// `x` as an integer when it is one that `f64` holds exactly (|x| < 2^53).
fn exact_integer(x: f64) -> Option<i128> {
    const LIMIT: f64 = 9_007_199_254_740_992.0; // 2^53
    (x.fract() == 0.0 && x.abs() < LIMIT).then_some(x as i128)
}

/// Mean with a Student-t interval `x̄ ± t(n−1)·s/√n`; `None` when `n < 2` (no variance can be
/// estimated) or the confidence level is not in (0, 1).
///
/// Student's t rather than the normal because group sizes in a report can be small; for large
/// `n` the two agree.
pub fn mean_interval(m: &Moments, confidence: f64) -> Option<(f64, Interval)> {
    let mean = m.mean()?;
    let sd = m.std_dev()?;
    let t = t_critical(confidence, (m.n - 1) as f64)?;
    let half_width = t * sd / (m.n as f64).sqrt();
    Some((mean, Interval { low: mean - half_width, high: mean + half_width }))
}

/// Difference of two proportions `p1 − p2 = k1/n1 − k2/n2` with Newcombe's hybrid score
/// interval (method 10 of Newcombe 1998, built from the two Wilson intervals).
///
/// With `[l1, u1]` and `[l2, u2]` the Wilson intervals of `p1` and `p2`:
/// `low = d − √((p1 − l1)² + (u2 − p2)²)`, `high = d + √((u1 − p1)² + (p2 − l2)²)`.
/// It inherits the good behaviour of the Wilson interval near 0 and 1 and never leaves
/// [−1, 1], unlike the Wald difference interval.
///
/// `None` when either group is empty, a count exceeds its total, or the confidence level is not
/// in (0, 1).
pub fn proportion_difference(k1: u64, n1: u64, k2: u64, n2: u64, confidence: f64) -> Option<(f64, Interval)> {
    let w1 = wilson(k1, n1, confidence)?;
    let w2 = wilson(k2, n2, confidence)?;
    let p1 = k1 as f64 / n1 as f64;
    let p2 = k2 as f64 / n2 as f64;
    let d = p1 - p2;
    let low = d - ((p1 - w1.low).powi(2) + (w2.high - p2).powi(2)).sqrt();
    let high = d + ((w1.high - p1).powi(2) + (p2 - w2.low).powi(2)).sqrt();
    Some((d, Interval { low: low.clamp(-1.0, d), high: high.clamp(d, 1.0) }))
}

/// Result of Pearson's chi-square test of independence.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct ChiSquare {
    /// Pearson's `X² = Σ (O − E)² / E`.
    pub statistic: f64,
    /// Degrees of freedom `(r − 1)(c − 1)` of the table after empty rows and columns are dropped.
    pub df: u64,
    /// Upper-tail probability `P(χ²(df) ≥ X²)`.
    pub p_value: f64,
    /// Smallest expected count: the chi-square approximation is doubtful when it is below 5
    /// (Cochran's rule), which a report should say next to the p-value.
    pub min_expected: f64,
}

/// Pearson chi-square test of independence (no continuity correction) on an r×c table of counts
/// (rows = groups, columns = categories).
///
/// Rows and columns whose total is 0 are dropped (an empty group or an unused category carries no
/// information and would give a zero expected count). `None` when fewer than 2 rows or 2 columns
/// remain, or when the rows do not all have the same length.
///
/// Each cell contributes `(O·N − R·C)² / (R·C·N)`, which equals `(O − E)² / E` with `E = R·C/N`;
/// the numerator `O·N − R·C` is computed exactly in integers, so a table with proportional rows
/// gives exactly `X² = 0` and `p = 1`. The p-value comes from the chi-square survival function
/// rather than `1 − CDF`, which keeps its precision when it is very small.
pub fn chi_square(table: &[Vec<u64>]) -> Option<ChiSquare> {
    let width = table.first()?.len();
    if table.iter().any(|row| row.len() != width) {
        return None;
    }
    let row_totals: Vec<u128> = table.iter().map(|row| row.iter().map(|&o| o as u128).sum()).collect();
    let column_totals: Vec<u128> = (0..width).map(|j| table.iter().map(|row| row[j] as u128).sum()).collect();
    let rows: Vec<usize> = (0..table.len()).filter(|&i| row_totals[i] > 0).collect();
    let columns: Vec<usize> = (0..width).filter(|&j| column_totals[j] > 0).collect();
    if rows.len() < 2 || columns.len() < 2 {
        return None;
    }
    let total: u128 = rows.iter().map(|&i| row_totals[i]).sum();
    let total_f = total as f64;
    let mut statistic = 0.0;
    let mut min_expected = f64::INFINITY;
    for &i in &rows {
        for &j in &columns {
            let observed_scaled = (table[i][j] as u128).checked_mul(total)?;
            let margins = row_totals[i].checked_mul(column_totals[j])?;
            let deviation = observed_scaled.abs_diff(margins) as f64;
            statistic += deviation * deviation / (margins as f64 * total_f);
            min_expected = min_expected.min(margins as f64 / total_f);
        }
    }
    let df = ((rows.len() - 1) * (columns.len() - 1)) as u64;
    let p_value = ChiSquared::new(df as f64).ok()?.sf(statistic);
    Some(ChiSquare { statistic, df, p_value, min_expected })
}

/// Cronbach's alpha from item moments and total-score moments over the same complete responses:
/// `alpha = k/(k−1) · (1 − Σ var(item) / var(total))`.
///
/// Only sums are needed: `var(total)` comes from the moments of the total score, so no item
/// covariance matrix has to be stored. All moments must cover the same respondents (those who
/// answered every item); `None` when their counts differ, when `k < 2`, `n < 2` or
/// `var(total) == 0`. Alpha can be negative (items that do not hang together); it is returned as
/// is. Show it only when `n ≥` [`ALPHA_MIN_N`].
pub fn cronbach_alpha(items: &[Moments], total: &Moments) -> Option<f64> {
    let k = items.len();
    if k < 2 || items.iter().any(|item| item.n != total.n) {
        return None;
    }
    let total_variance = total.variance()?;
    if total_variance <= 0.0 {
        return None;
    }
    let item_variances = items.iter().map(Moments::variance).sum::<Option<f64>>()?;
    let k = k as f64;
    Some(k / (k - 1.0) * (1.0 - item_variances / total_variance))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `got` equals a figure published to some precision: within half a unit of its last place.
    fn assert_published(got: f64, published: f64, half_unit: f64, what: &str) {
        assert!((got - published).abs() <= half_unit, "{what}: got {got}, published {published} (±{half_unit})");
    }

    fn moments_of(xs: &[f64]) -> Moments {
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.add(x));
        m
    }

    // ---------------------------------------------------------------- Wilson score interval

    /// Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of
    /// seven methods. Statistics in Medicine 17:857–872, Table I, method 3 (score method without
    /// continuity correction), 95 %, to 4 decimals.
    #[test]
    fn wilson_matches_newcombe_1998_table_1_method_3() {
        for (k, n, low, high) in
            [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0000, 0.1611), (1, 29, 0.0061, 0.1718)]
        {
            let i = wilson(k, n, CONFIDENCE).unwrap();
            assert_published(i.low, low, 5e-5, &format!("{k}/{n} low"));
            assert_published(i.high, high, 5e-5, &format!("{k}/{n} high"));
        }
    }

    #[test]
    fn wilson_edges() {
        assert_eq!(wilson(0, 0, CONFIDENCE), None);
        assert_eq!(wilson(3, 2, CONFIDENCE), None);
        assert_eq!(wilson(1, 2, 0.0), None);
        assert_eq!(wilson(1, 2, 1.0), None);
        assert_eq!(wilson(1, 2, f64::NAN), None);
        let zero = wilson(0, 10, CONFIDENCE).unwrap();
        assert_eq!(zero.low, 0.0);
        let all = wilson(10, 10, CONFIDENCE).unwrap();
        assert_eq!(all.high, 1.0);
        // Symmetry: k of n mirrors n − k of n.
        assert!((zero.high - (1.0 - all.low)).abs() < 1e-15);
        // A higher confidence gives a wider interval.
        let (i95, i99) = (wilson(7, 20, 0.95).unwrap(), wilson(7, 20, 0.99).unwrap());
        assert!(i99.low < i95.low && i95.high < i99.high);
    }

    proptest! {
        #[test]
        fn wilson_contains_p_and_stays_in_unit_interval(n in 1u64..5_000, k_frac in 0.0f64..=1.0, c in 0.5f64..0.999) {
            let k = ((n as f64) * k_frac).floor() as u64;
            let i = wilson(k, n, c).unwrap();
            let p = k as f64 / n as f64;
            prop_assert!(0.0 <= i.low && i.low <= p && p <= i.high && i.high <= 1.0, "{k}/{n}: {i:?}");
            prop_assert!(i.low < i.high);
        }
    }

    // ---------------------------------------------------------------- Moments and t interval

    /// Student (1908). The probable error of a mean. Biometrika 6(1):1–25, p. 20: the Cushny &
    /// Peebles (1905) data on additional hours of sleep gained with two hypnotics by 10 patients.
    /// For the paired differences (drug 2 − drug 1, in the column order of R's `sleep` data set)
    /// Student reports a mean of +1.58 hours and a standard deviation of 1.17 (his SD uses
    /// divisor n).
    /// The 95 % t interval 0.70 to 2.46 hours (t = 4.06, 9 df) is the standard textbook result on
    /// these data, printed by R as `t.test(extra ~ group, data = sleep, paired = TRUE)`:
    /// "95 percent confidence interval: -2.4598858 -0.7001142" for group 1 − group 2. The R
    /// figures were cross-checked independently (scipy.stats.t, 0.7001142367, 2.4598857633).
    #[test]
    fn t_interval_matches_student_1908_sleep_data() {
        let drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        let drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
        let differences: Vec<f64> = drug1.iter().zip(drug2).map(|(a, b)| b - a).collect();
        let m = moments_of(&differences);
        let (mean, i) = mean_interval(&m, CONFIDENCE).unwrap();
        assert_published(mean, 1.58, 5e-3, "mean (Student 1908)");
        let sd_divisor_n = (m.variance().unwrap() * 9.0 / 10.0).sqrt();
        assert_published(sd_divisor_n, 1.17, 5e-3, "SD (Student 1908)");
        assert_published(i.low, 0.70, 5e-3, "low");
        assert_published(i.high, 2.46, 5e-3, "high");
        assert_published(i.low, 0.7001142, 5e-8, "low (R)");
        assert_published(i.high, 2.4598858, 5e-8, "high (R)");
        let t = mean / (m.std_dev().unwrap() / 10f64.sqrt());
        assert_published(t, 4.0621, 5e-5, "t (R)");
    }

    #[test]
    fn moments_edges() {
        let empty = Moments::default();
        assert_eq!(empty.mean(), None);
        assert_eq!(empty.variance(), None);
        let one = moments_of(&[4.0]);
        assert_eq!(one.mean(), Some(4.0));
        assert_eq!(one.variance(), None);
        assert_eq!(mean_interval(&one, CONFIDENCE), None);
        assert_eq!(mean_interval(&moments_of(&[1.0, 2.0]), 1.5), None);
        // Constant integer data: variance exactly 0 and a degenerate interval.
        let constant = moments_of(&[3.0; 7]);
        assert_eq!(constant.variance(), Some(0.0));
        let (mean, i) = mean_interval(&constant, CONFIDENCE).unwrap();
        assert!(i.low == mean && i.high == mean);
        // Constant non-integer data: only rounding noise is left, and it is never negative.
        for x in [0.1, 0.7, 1.0 / 3.0, 2.675] {
            for n in [2, 3, 7, 1000] {
                let v = moments_of(&vec![x; n]).variance().unwrap();
                assert!((0.0..1e-12).contains(&v), "{x} × {n}: {v}");
            }
        }
        // A large offset with rounding in the sums still gives a non-negative variance.
        let offset = moments_of(&[1e9 + 0.1, 1e9 + 0.1, 1e9 + 0.1]);
        assert!(offset.variance().unwrap() >= 0.0);
        // Known small example: 2, 4, 4, 4, 5, 5, 7, 9 has mean 5 and sample variance 32/7.
        let m = moments_of(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!(m.mean(), Some(5.0));
        assert!((m.variance().unwrap() - 32.0 / 7.0).abs() < 1e-12);
    }

    proptest! {
        /// Scores are small integers, whose sums are exact, so merging is exactly adding.
        #[test]
        fn merging_moments_equals_adding_one_by_one(
            xs in proptest::collection::vec(0i32..=100, 0..200),
            split in 0usize..200,
        ) {
            let xs: Vec<f64> = xs.into_iter().map(f64::from).collect();
            let split = split.min(xs.len());
            let mut left = moments_of(&xs[..split]);
            left.merge(&moments_of(&xs[split..]));
            prop_assert_eq!(left, moments_of(&xs));
        }
    }

    // ---------------------------------------------------------------- difference of proportions

    /// Newcombe RG (1998). Interval estimation for the difference between independent proportions:
    /// comparison of eleven methods. Statistics in Medicine 17:873–890, Table II, method 10 (score
    /// interval without continuity correction, "hybrid score"), 95 %, to 4 decimals. Rows (a),
    /// (b) and (d)–(h); every figure was also reproduced by an independent computation (Python,
    /// scipy.stats.norm) of the same formula.
    #[test]
    fn proportion_difference_matches_newcombe_1998_table_2_method_10() {
        for (k1, n1, k2, n2, low, high) in [
            (56, 70, 48, 80, 0.0524, 0.3339), // (a)
            (9, 10, 3, 10, 0.1705, 0.8090),   // (b)
            (5, 56, 0, 29, -0.0381, 0.1926),  // (d)
            (0, 10, 0, 20, -0.1611, 0.2775),  // (e)
            (0, 10, 0, 10, -0.2775, 0.2775),  // (f)
            (10, 10, 0, 20, 0.6791, 1.0000),  // (g)
            (10, 10, 0, 10, 0.6075, 1.0000),  // (h)
        ] {
            let (d, i) = proportion_difference(k1, n1, k2, n2, CONFIDENCE).unwrap();
            assert!((d - (k1 as f64 / n1 as f64 - k2 as f64 / n2 as f64)).abs() < 1e-15);
            let what = format!("{k1}/{n1} − {k2}/{n2}");
            assert_published(i.low, low, 5e-5, &format!("{what} low"));
            assert_published(i.high, high, 5e-5, &format!("{what} high"));
        }
    }

    /// Row (c) of the same table, 6/7 − 2/7. The figures 0.0582 to 0.8062 are those of an
    /// independent computation of method 10 (Python/scipy); they could not be checked against a
    /// copy of the published table.
    #[test]
    fn proportion_difference_row_c_computed() {
        let (d, i) = proportion_difference(6, 7, 2, 7, CONFIDENCE).unwrap();
        assert!((d - 4.0 / 7.0).abs() < 1e-15);
        assert_published(i.low, 0.0582, 5e-5, "low");
        assert_published(i.high, 0.8062, 5e-5, "high");
    }

    #[test]
    fn proportion_difference_edges() {
        assert_eq!(proportion_difference(0, 0, 1, 2, CONFIDENCE), None);
        assert_eq!(proportion_difference(1, 2, 0, 0, CONFIDENCE), None);
        assert_eq!(proportion_difference(3, 2, 1, 2, CONFIDENCE), None);
        // Swapping the groups mirrors the interval.
        let (d, i) = proportion_difference(56, 70, 48, 80, CONFIDENCE).unwrap();
        let (e, j) = proportion_difference(48, 80, 56, 70, CONFIDENCE).unwrap();
        assert!((d + e).abs() < 1e-15 && (i.low + j.high).abs() < 1e-15 && (i.high + j.low).abs() < 1e-15);
    }

    proptest! {
        #[test]
        fn proportion_difference_contains_d_and_stays_in_range(
            n1 in 1u64..2_000, f1 in 0.0f64..=1.0, n2 in 1u64..2_000, f2 in 0.0f64..=1.0,
        ) {
            let (k1, k2) = ((n1 as f64 * f1).floor() as u64, (n2 as f64 * f2).floor() as u64);
            let (d, i) = proportion_difference(k1, n1, k2, n2, CONFIDENCE).unwrap();
            prop_assert!(-1.0 <= i.low && i.low <= d && d <= i.high && i.high <= 1.0, "{d} {i:?}");
        }
    }

    // ---------------------------------------------------------------- chi-square

    /// Agresti A (2007). An Introduction to Categorical Data Analysis, 2nd ed., Wiley, §2.4
    /// (pp. 38–39): party identification by gender (General Social Survey), females 762/327/468
    /// and males 484/239/477 Democrat/Independent/Republican; Agresti reports X² = 30.1 with
    /// df = 2. The same table is the example of R's `chisq.test` documentation, which prints
    /// "X-squared = 30.07, df = 2, p-value = 2.954e-07" (cross-checked with
    /// scipy.stats.chi2_contingency: 30.0701, p = 2.95359e-07).
    #[test]
    fn chi_square_matches_agresti_2007_party_identification() {
        let r = chi_square(&[vec![762, 327, 468], vec![484, 239, 477]]).unwrap();
        assert_eq!(r.df, 2);
        assert_published(r.statistic, 30.1, 5e-2, "X² (Agresti)");
        assert_published(r.statistic, 30.07, 5e-3, "X² (R)");
        assert_published(r.p_value, 2.954e-7, 5e-11, "p (R)");
        // Smallest expected count: 239 + 327 = 566 independents × 1200 males / 2757.
        assert!((r.min_expected - 566.0 * 1200.0 / 2757.0).abs() < 1e-9);
    }

    #[test]
    fn chi_square_drops_empty_rows_and_columns() {
        let base = chi_square(&[vec![762, 327, 468], vec![484, 239, 477]]).unwrap();
        let padded = chi_square(&[vec![762, 0, 327, 468], vec![0, 0, 0, 0], vec![484, 0, 239, 477]]).unwrap();
        assert_eq!(base, padded);
        assert_eq!(chi_square(&[]), None);
        assert_eq!(chi_square(&[vec![3, 4]]), None);
        assert_eq!(chi_square(&[vec![3, 0], vec![5, 0]]), None);
        assert_eq!(chi_square(&[vec![3, 4], vec![0, 0]]), None);
        assert_eq!(chi_square(&[vec![3, 4], vec![5]]), None);
    }

    proptest! {
        #[test]
        fn chi_square_of_proportional_rows_is_zero(
            base in proptest::collection::vec(1u64..1_000, 2..6),
            factors in proptest::collection::vec(1u64..50, 2..6),
        ) {
            let table: Vec<Vec<u64>> = factors.iter().map(|f| base.iter().map(|b| b * f).collect()).collect();
            let r = chi_square(&table).unwrap();
            prop_assert_eq!(r.statistic, 0.0);
            prop_assert_eq!(r.p_value, 1.0);
            prop_assert_eq!(r.df, ((factors.len() - 1) * (base.len() - 1)) as u64);
        }
    }

    // ---------------------------------------------------------------- Cronbach's alpha

    /// LSAT Section 6 data: Bock RD & Lieberman M (1970). Fitting a response model for n
    /// dichotomously scored items. Psychometrika 35:179–197, five items, 1000 examinees, given as
    /// frequencies of the 32 response patterns (also R package ltm's `LSAT` data set). The data
    /// are checked against the published item proportions correct 0.924, 0.709, 0.553, 0.763,
    /// 0.870. Alpha = 0.295 is the value printed by `ltm::cronbach.alpha(LSAT)` (package described
    /// in Rizopoulos D (2006), ltm: an R package for latent variable modelling and item response
    /// theory analyses, Journal of Statistical Software 17(5)); that figure is quoted from memory
    /// of the package output, not from a printed page, and was cross-checked by an independent
    /// computation (Python `statistics.variance`: 0.294997).
    #[test]
    fn cronbach_alpha_matches_lsat_section_6() {
        #[rustfmt::skip]
        let patterns: [(&str, u32); 32] = [
            ("00000", 3), ("00001", 6), ("00010", 2), ("00011", 11), ("00100", 1), ("00101", 1), ("00110", 3),
            ("00111", 4), ("01000", 1), ("01001", 8), ("01010", 0), ("01011", 16), ("01100", 0), ("01101", 3),
            ("01110", 2), ("01111", 15), ("10000", 10), ("10001", 29), ("10010", 14), ("10011", 81), ("10100", 3),
            ("10101", 28), ("10110", 15), ("10111", 80), ("11000", 16), ("11001", 56), ("11010", 21),
            ("11011", 173), ("11100", 11), ("11101", 61), ("11110", 28), ("11111", 298),
        ];
        let mut items = [Moments::default(); 5];
        let mut total = Moments::default();
        for (pattern, frequency) in patterns {
            let answers: Vec<f64> = pattern.bytes().map(|b| f64::from(b - b'0')).collect();
            for _ in 0..frequency {
                answers.iter().zip(items.iter_mut()).for_each(|(&x, item)| item.add(x));
                total.add(answers.iter().sum());
            }
        }
        assert_eq!(total.n, 1000);
        for (item, published) in items.iter().zip([0.924, 0.709, 0.553, 0.763, 0.870]) {
            assert_published(item.mean().unwrap(), published, 5e-4, "item proportion");
        }
        let alpha = cronbach_alpha(&items, &total).unwrap();
        assert_published(alpha, 0.295, 5e-4, "alpha");
    }

    #[test]
    fn cronbach_alpha_edges() {
        let item = moments_of(&[1.0, 2.0, 3.0]);
        let total = moments_of(&[2.0, 4.0, 6.0]);
        assert_eq!(cronbach_alpha(&[item], &total), None, "k < 2");
        assert_eq!(cronbach_alpha(&[item, item], &moments_of(&[2.0])), None, "counts differ");
        let one = moments_of(&[1.0]);
        assert_eq!(cronbach_alpha(&[one, one], &moments_of(&[2.0])), None, "n < 2");
        let flat = moments_of(&[1.0, 1.0, 1.0]);
        assert_eq!(cronbach_alpha(&[flat, flat], &moments_of(&[2.0, 2.0, 2.0])), None, "var(total) = 0");
        // Two items that move in opposite directions: total constant → None; nearly so → negative.
        let up = moments_of(&[0.0, 1.0, 2.0, 3.0]);
        let down = moments_of(&[3.0, 2.0, 1.0, 1.0]);
        let sum = moments_of(&[3.0, 3.0, 3.0, 4.0]);
        assert!(cronbach_alpha(&[up, down], &sum).unwrap() < 0.0);
    }

    proptest! {
        #[test]
        fn cronbach_alpha_of_identical_items_is_one(
            xs in proptest::collection::vec(0i32..=4, 2..300),
            k in 2usize..12,
        ) {
            prop_assume!(xs.iter().any(|&x| x != xs[0]));
            let xs: Vec<f64> = xs.into_iter().map(f64::from).collect();
            let item = moments_of(&xs);
            let total = moments_of(&xs.iter().map(|x| x * k as f64).collect::<Vec<_>>());
            let alpha = cronbach_alpha(&vec![item; k], &total).unwrap();
            prop_assert!((alpha - 1.0).abs() < 1e-9, "{alpha}");
        }
    }
}

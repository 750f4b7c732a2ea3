//! Small-cell and complementary suppression.
//!
//! # The model
//!
//! Everything the reports of one campaign can show about group sizes is one linear
//! system. The published quantities ("cells") are
//!
//! * the campaign total;
//! * for every cohort attribute `A`, one cell per value `a` (the one-way report by `A`);
//! * for every pair of attributes `(A, B)`, one cell per `(a, b)` (the two-way report
//!   by `A × B`);
//!
//! and they are tied by the equations `total = Σ_a A[a]` (for every `A`) and
//! `A[a] = Σ_b AB[a][b]`, `B[b] = Σ_a AB[a][b]` (for every pair). The suppression
//! pattern is computed once over this whole system, whichever report is being
//! rendered, so that any set of reports of the same campaign (one-way by grade, two-way
//! by grade × gender, the headline total, …) is covered at once: a report showing
//! fewer cells than the system only hides more, and hiding more never makes a hidden
//! cell easier to derive.
//!
//! An organization or platform roll-up (`total = Σ rows`) is the one-attribute case:
//! `layout(&[rows])`.
//!
//! # Why protecting `n` protects every measure
//!
//! Every figure a report shows per group — `n`, the count in each band, positives,
//! flags, the sums behind means — is additive over the same partitions, so each measure
//! satisfies the same equations with the same coefficients. Whether a hidden cell can be
//! derived depends only on those coefficients and on which cells are hidden, never on
//! the values (a hidden cell is determined iff its unit vector lies in the row space of
//! the equations restricted to the hidden cells). Hiding the same cells for every
//! measure therefore protects every measure exactly when it protects `n`. Shares,
//! means and intervals of a shown group are functions of that group's shown figures and
//! add nothing an attacker could not compute from them.
//!
//! # Zeros
//!
//! A group of 0 is hidden like any group below `k` (so that hiding does not single out
//! the non-empty small groups), but the attacker is assumed to *know* it is 0: empty
//! groups are often structural (class 7A has nobody in grade 8) and knowable from the
//! roster. An empty cell therefore never counts as protection for another; only hidden
//! cells with at least one respondent are unknowns of the system.
//!
//! # What is and is not protected
//!
//! Guaranteed (and property-tested): every cell below `k` is hidden, every shown cell
//! has at least `k` respondents, and no hidden non-empty cell can be computed exactly
//! from the shown cells and the known zeros by any linear combination of the
//! equations — neither by chains of subtractions ([`derivable`]) nor by sums of
//! several rows and columns ([`determined`]).
//!
//! Not guaranteed:
//!
//! * Bounds. Non-negativity still lets an attacker bound a hidden cell, at worst to the
//!   residual of its row (`0 ..= shown total − shown parts`), sometimes more tightly;
//!   there is no minimum width of that interval beyond it not being a single value
//!   through the linear equations.
//! * Attribute disclosure inside a shown group: if a shown group has 0 (or all) of its
//!   members in a band, every hidden subgroup of it has 0 (or all) too.
//! * Anything outside the system: respondents whose attribute value is missing must be
//!   a value (cell) of their own, or the equations do not hold and their group is
//!   `total − Σ shown groups`; snapshots taken at different times, other campaigns and
//!   roll-ups over several campaigns are different systems.

use std::collections::VecDeque;

/// No campaign may show groups smaller than this, whatever it sets (the campaign rule's
/// floor, so the two cannot drift apart).
pub const MIN_GROUP_SIZE_FLOOR: u64 = crate::db::MIN_GROUP_FLOOR as u64;

/// `total = Σ parts`, as cell indices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Equation {
    /// The cell that is the sum.
    pub total: usize,
    /// The cells it is the sum of.
    pub parts: Vec<usize>,
}

impl Equation {
    /// The total, then the parts.
    fn members(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.parts.iter().copied())
    }
}

/// The equations tying together `cells` published quantities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// Every `total = Σ parts` that holds between the cells.
    pub equations: Vec<Equation>,
    /// Number of cells; cell indices are `0..cells`.
    pub cells: usize,
}

/// What a cell index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// The campaign total.
    Total,
    /// The group of one attribute value.
    OneWay {
        /// Attribute index.
        attr: usize,
        /// Value index within the attribute.
        value: usize,
    },
    /// The group of a pair of attribute values, `attr_a < attr_b`.
    TwoWay {
        /// First attribute index.
        attr_a: usize,
        /// Value of the first attribute.
        a: usize,
        /// Second attribute index (greater than `attr_a`).
        attr_b: usize,
        /// Value of the second attribute.
        b: usize,
    },
}

/// Where each published quantity of a campaign lives in the cell vector.
///
/// Index layout: `0` is the total; then, attribute by attribute, one cell per value
/// (attribute `i` value `v` at `1 + Σ_{j<i} n_j + v`); then, for each pair `i < j` in
/// lexicographic order, an `n_i × n_j` block in row-major order (`a * n_j + b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    values: Vec<usize>,
    /// First one-way cell of each attribute.
    one_way: Vec<usize>,
    /// First cell of the block of pair `(i, j)`, at `i * attributes + j` (only `i < j`).
    two_way: Vec<usize>,
    cells: usize,
}

impl Layout {
    /// The campaign total.
    pub fn total(&self) -> usize {
        0
    }

    /// The group of value `value` of attribute `attr`.
    ///
    /// # Panics
    /// If the attribute or value is out of range.
    pub fn one_way(&self, attr: usize, value: usize) -> usize {
        assert!(value < self.values[attr], "value {value} out of range for attribute {attr}");
        self.one_way[attr] + value
    }

    /// The group of value `a` of `attr_a` and `b` of `attr_b`, in either attribute order.
    ///
    /// # Panics
    /// If the attributes are equal or anything is out of range.
    pub fn two_way(&self, attr_a: usize, a: usize, attr_b: usize, b: usize) -> usize {
        assert_ne!(attr_a, attr_b, "a two-way cell needs two different attributes");
        let ((i, vi), (j, vj)) = if attr_a < attr_b { ((attr_a, a), (attr_b, b)) } else { ((attr_b, b), (attr_a, a)) };
        assert!(vi < self.values[i] && vj < self.values[j], "value out of range");
        self.two_way[i * self.values.len() + j] + vi * self.values[j] + vj
    }

    /// What cell `index` stands for.
    ///
    /// # Panics
    /// If `index` is not below [`Layout::cells`].
    pub fn kind(&self, index: usize) -> CellKind {
        assert!(index < self.cells, "cell {index} out of range");
        if index == 0 {
            return CellKind::Total;
        }
        let n = self.values.len();
        for attr in 0..n {
            if (self.one_way[attr]..self.one_way[attr] + self.values[attr]).contains(&index) {
                return CellKind::OneWay { attr, value: index - self.one_way[attr] };
            }
        }
        for attr_a in 0..n {
            for attr_b in attr_a + 1..n {
                let start = self.two_way[attr_a * n + attr_b];
                if (start..start + self.values[attr_a] * self.values[attr_b]).contains(&index) {
                    let offset = index - start;
                    return CellKind::TwoWay {
                        attr_a,
                        a: offset / self.values[attr_b],
                        attr_b,
                        b: offset % self.values[attr_b],
                    };
                }
            }
        }
        unreachable!("every index below `cells` is in some block")
    }

    /// Number of cells.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Number of values of each attribute, as given to [`layout`].
    pub fn values_per_attribute(&self) -> &[usize] {
        &self.values
    }
}

/// The cell layout and equations of a campaign whose cohort attributes have these
/// numbers of values (e.g. `[3, 12, 2]` for grade, class, gender). Every attribute must
/// partition the respondents: give respondents without a value a value of their own
/// (which the report need not display).
///
/// A roll-up of `rows` organizations or campaigns under one total is `layout(&[rows])`.
pub fn layout(values_per_attribute: &[usize]) -> (Layout, System) {
    let n = values_per_attribute.len();
    let mut cells = 1;
    let mut one_way = Vec::with_capacity(n);
    for &values in values_per_attribute {
        one_way.push(cells);
        cells += values;
    }
    let mut two_way = vec![usize::MAX; n * n];
    for i in 0..n {
        for j in i + 1..n {
            two_way[i * n + j] = cells;
            cells += values_per_attribute[i] * values_per_attribute[j];
        }
    }
    let layout = Layout { values: values_per_attribute.to_vec(), one_way, two_way, cells };

    let mut equations = Vec::new();
    for (attr, &values) in values_per_attribute.iter().enumerate() {
        equations
            .push(Equation { total: layout.total(), parts: (0..values).map(|v| layout.one_way(attr, v)).collect() });
    }
    for i in 0..n {
        for j in i + 1..n {
            for a in 0..values_per_attribute[i] {
                let parts = (0..values_per_attribute[j]).map(|b| layout.two_way(i, a, j, b)).collect();
                equations.push(Equation { total: layout.one_way(i, a), parts });
            }
            for b in 0..values_per_attribute[j] {
                let parts = (0..values_per_attribute[i]).map(|a| layout.two_way(i, a, j, b)).collect();
                equations.push(Equation { total: layout.one_way(j, b), parts });
            }
        }
    }
    (layout, System { equations, cells })
}

/// Which cells to hide, given every cell's group size and the campaign's minimum group
/// size `k` (raised to [`MIN_GROUP_SIZE_FLOOR`] if below it).
///
/// Primary suppression hides every cell below `k`, empty ones included (see the module
/// documentation on zeros); if the total is below `k` that is every cell. Complementary
/// suppression then repeats, until neither finds anything:
///
/// 1. while some equation has exactly one hidden non-empty member (so that member is
///    the shown members' difference), hide one more of its shown members: the one that
///    opens the fewest new single-unknown equations elsewhere (minus those it closes),
///    then the smallest, so that the table loses as little as possible;
/// 2. if a hidden cell is still determined by a combination of several equations (see
///    [`determined`]), hide the smallest shown cell that combination uses.
///
/// Each round hides at least one more cell, so this ends after at most `cells` rounds;
/// in practice after a handful. `counts` must satisfy the equations; if they do not
/// and the loop gets stuck, or the exact arithmetic would overflow, everything is
/// hidden.
///
/// # Panics
/// If `counts` does not have one entry per cell.
pub fn suppress(system: &System, counts: &[u64], k: u64) -> Vec<bool> {
    assert_eq!(counts.len(), system.cells, "one count per cell");
    let k = k.max(MIN_GROUP_SIZE_FLOOR);
    let mut hidden: Vec<bool> = counts.iter().map(|&n| n < k).collect();
    let everything = vec![true; system.cells];
    if hidden.iter().all(|&h| h) {
        return hidden;
    }
    let incidence = incidence(system);
    loop {
        if !close_single_unknowns(system, counts, &mut hidden, &incidence) {
            return everything;
        }
        match linear(system, counts, &hidden) {
            Linear::Safe => return hidden,
            Linear::Overflow => return everything,
            Linear::Leaks(leaks) => {
                let (_, support) = &leaks[0];
                match support.iter().copied().filter(|&c| !hidden[c]).min_by_key(|&c| (counts[c], c)) {
                    Some(cell) => hidden[cell] = true,
                    None => return everything,
                }
            }
        }
    }
}

/// The attacker of the issue: starting from every shown cell (and every empty cell) as
/// known, repeatedly solve any equation with exactly one unknown cell by subtraction.
/// Returns the hidden non-empty cells that become known, in increasing order.
pub fn derivable(system: &System, counts: &[u64], suppressed: &[bool]) -> Vec<usize> {
    recover(system, counts, suppressed).into_iter().map(|(cell, _)| cell).collect()
}

/// [`derivable`] with the values the attacker computes, to check that the attack is
/// real: with consistent counts each value equals the hidden count.
pub fn recover(system: &System, counts: &[u64], suppressed: &[bool]) -> Vec<(usize, u64)> {
    assert_eq!(counts.len(), system.cells, "one count per cell");
    assert_eq!(suppressed.len(), system.cells, "one flag per cell");
    let mut known: Vec<Option<i128>> =
        counts.iter().zip(suppressed).map(|(&n, &s)| (!s || n == 0).then_some(i128::from(n))).collect();
    let incidence = incidence(system);
    let mut queue: VecDeque<usize> = (0..system.equations.len()).collect();
    let mut queued = vec![true; system.equations.len()];
    let mut out = Vec::new();
    while let Some(e) = queue.pop_front() {
        queued[e] = false;
        let equation = &system.equations[e];
        let mut unknown = equation.members().filter(|&c| known[c].is_none());
        let (Some(cell), None) = (unknown.next(), unknown.next()) else { continue };
        let parts: i128 = equation.parts.iter().filter(|&&c| c != cell).map(|&c| known[c].unwrap_or(0)).sum();
        let value = if cell == equation.total { parts } else { known[equation.total].unwrap_or(0) - parts };
        known[cell] = Some(value);
        out.push((cell, u64::try_from(value).unwrap_or(0)));
        for &f in &incidence[cell] {
            if !queued[f] {
                queued[f] = true;
                queue.push_back(f);
            }
        }
    }
    out.sort_unstable();
    out
}

/// The strongest attacker of exact values: a hidden non-empty cell is determined when
/// some linear combination of the equations involves no other unknown cell, i.e. its
/// unit vector lies in the row space of the equations restricted to the unknown cells
/// (exact integer Gauss–Jordan elimination). This finds everything [`derivable`] finds
/// and more: e.g. a hidden cell joining two otherwise protected blocks of a two-way
/// table is the sum of one block's rows minus the sum of its columns.
///
/// Returns the determined cells in increasing order (all hidden non-empty cells if the
/// exact arithmetic would overflow, which the sizes of real reports do not reach).
pub fn determined(system: &System, counts: &[u64], suppressed: &[bool]) -> Vec<usize> {
    assert_eq!(counts.len(), system.cells, "one count per cell");
    assert_eq!(suppressed.len(), system.cells, "one flag per cell");
    match linear(system, counts, suppressed) {
        Linear::Safe => Vec::new(),
        Linear::Leaks(leaks) => {
            let mut cells: Vec<usize> = leaks.into_iter().map(|(cell, _)| cell).collect();
            cells.sort_unstable();
            cells
        }
        Linear::Overflow => (0..system.cells).filter(|&c| suppressed[c] && counts[c] > 0).collect(),
    }
}

/// For each cell, the equations it appears in.
fn incidence(system: &System) -> Vec<Vec<usize>> {
    let mut incidence = vec![Vec::new(); system.cells];
    for (e, equation) in system.equations.iter().enumerate() {
        for cell in equation.members() {
            incidence[cell].push(e);
        }
    }
    incidence
}

/// Step 1 of [`suppress`]: hide shown cells until no equation has exactly one unknown
/// (hidden, non-empty) member. False if an equation cannot be closed (inconsistent
/// counts).
fn close_single_unknowns(system: &System, counts: &[u64], hidden: &mut [bool], incidence: &[Vec<usize>]) -> bool {
    let unknown = |hidden: &[bool], c: usize| hidden[c] && counts[c] > 0;
    let mut unknowns: Vec<usize> =
        system.equations.iter().map(|e| e.members().filter(|&c| unknown(hidden, c)).count()).collect();
    let mut queue: VecDeque<usize> = (0..system.equations.len()).filter(|&e| unknowns[e] == 1).collect();
    while let Some(e) = queue.pop_front() {
        if unknowns[e] != 1 {
            continue;
        }
        // Shown cells are at least k > 0, so each one hidden becomes an unknown.
        let cost = |c: usize| -> i64 {
            incidence[c]
                .iter()
                .filter(|&&f| f != e)
                .map(|&f| match unknowns[f] {
                    0 => 1,
                    1 => -1,
                    _ => 0,
                })
                .sum()
        };
        let Some(cell) = system.equations[e].members().filter(|&c| !hidden[c]).min_by_key(|&c| (cost(c), counts[c], c))
        else {
            return false;
        };
        hidden[cell] = true;
        for &f in &incidence[cell] {
            unknowns[f] += 1;
            if unknowns[f] == 1 {
                queue.push_back(f);
            }
        }
    }
    true
}

/// Outcome of the linear attack.
enum Linear {
    /// Nothing determined.
    Safe,
    /// Determined cells, each with the shown cells of a combination that determines it.
    Leaks(Vec<(usize, Vec<usize>)>),
    /// The exact arithmetic would overflow.
    Overflow,
}

/// Gauss–Jordan elimination over the unknown cells, keeping track of which equations
/// each row combines so that a determined cell comes with the shown cells its
/// derivation uses.
fn linear(system: &System, counts: &[u64], hidden: &[bool]) -> Linear {
    let mut column = vec![usize::MAX; system.cells];
    let mut unknowns = 0;
    for c in 0..system.cells {
        if hidden[c] && counts[c] > 0 {
            column[c] = unknowns;
            unknowns += 1;
        }
    }
    let active: Vec<usize> = (0..system.equations.len())
        .filter(|&e| system.equations[e].members().any(|c| column[c] != usize::MAX))
        .collect();
    let width = unknowns + active.len();
    // Row r: coefficients of the unknowns (total +1, parts −1), then of the equations.
    let mut rows: Vec<Vec<i128>> = active
        .iter()
        .enumerate()
        .map(|(r, &e)| {
            let mut row = vec![0i128; width];
            let equation = &system.equations[e];
            if column[equation.total] != usize::MAX {
                row[column[equation.total]] += 1;
            }
            for &p in &equation.parts {
                if column[p] != usize::MAX {
                    row[column[p]] -= 1;
                }
            }
            row[unknowns + r] = 1;
            row
        })
        .collect();

    let mut rank = 0;
    let mut pivots = Vec::new();
    for col in 0..unknowns {
        let Some(p) = (rank..rows.len()).filter(|&r| rows[r][col] != 0).min_by_key(|&r| rows[r][col].unsigned_abs())
        else {
            continue;
        };
        rows.swap(rank, p);
        let (head, tail) = rows.split_at_mut(rank);
        let (pivot, tail) = tail.split_first_mut().expect("the pivot row");
        for row in head.iter_mut().chain(tail.iter_mut()) {
            if row[col] == 0 {
                continue;
            }
            if eliminate(row, pivot, col).is_none() {
                return Linear::Overflow;
            }
        }
        pivots.push(col);
        rank += 1;
    }

    let mut cell_of = vec![0; unknowns];
    for c in 0..system.cells {
        if column[c] != usize::MAX {
            cell_of[column[c]] = c;
        }
    }
    let mut leaks = Vec::new();
    for (r, &col) in pivots.iter().enumerate() {
        let row = &rows[r];
        if (0..unknowns).any(|j| j != col && row[j] != 0) {
            continue;
        }
        // The combination Σ y_e · (total_e − Σ parts_e) over all cells: its shown cells.
        let mut coefficient = vec![0i128; system.cells];
        for (i, &e) in active.iter().enumerate() {
            let y = row[unknowns + i];
            if y == 0 {
                continue;
            }
            let equation = &system.equations[e];
            coefficient[equation.total] += y;
            for &p in &equation.parts {
                coefficient[p] -= y;
            }
        }
        let support = (0..system.cells).filter(|&c| !hidden[c] && coefficient[c] != 0).collect();
        leaks.push((cell_of[col], support));
    }
    if leaks.is_empty() {
        Linear::Safe
    } else {
        Linear::Leaks(leaks)
    }
}

/// `row ← pivot[col] · row − row[col] · pivot`, divided by the gcd of its entries;
/// `None` on overflow.
fn eliminate(row: &mut [i128], pivot: &[i128], col: usize) -> Option<()> {
    let (p, a) = (pivot[col], row[col]);
    let mut g: u128 = 0;
    for (x, &y) in row.iter_mut().zip(pivot) {
        *x = p.checked_mul(*x)?.checked_sub(a.checked_mul(y)?)?;
        g = gcd(g, x.unsigned_abs());
    }
    if g > 1 {
        let g = i128::try_from(g).ok()?;
        for x in row.iter_mut() {
            *x /= g;
        }
    }
    Some(())
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The published cells of a finest-level contingency table over all attributes
    /// (row-major, last attribute fastest).
    fn published(layout: &Layout, finest: &[u64]) -> Vec<u64> {
        let values = layout.values_per_attribute();
        let mut counts = vec![0u64; layout.cells()];
        for (index, &n) in finest.iter().enumerate() {
            let mut tuple = vec![0; values.len()];
            let mut rest = index;
            for attr in (0..values.len()).rev() {
                tuple[attr] = rest % values[attr];
                rest /= values[attr];
            }
            counts[layout.total()] += n;
            for i in 0..values.len() {
                counts[layout.one_way(i, tuple[i])] += n;
                for j in i + 1..values.len() {
                    counts[layout.two_way(i, tuple[i], j, tuple[j])] += n;
                }
            }
        }
        counts
    }

    fn primary(counts: &[u64], k: u64) -> Vec<bool> {
        counts.iter().map(|&n| n < k).collect()
    }

    fn hidden_cells(hidden: &[bool]) -> Vec<usize> {
        (0..hidden.len()).filter(|&c| hidden[c]).collect()
    }

    fn check_equations_hold(system: &System, counts: &[u64]) {
        for e in &system.equations {
            assert_eq!(counts[e.total], e.parts.iter().map(|&p| counts[p]).sum::<u64>());
        }
    }

    #[test]
    fn layout_indices_round_trip() {
        let (layout, system) = layout(&[3, 4, 2]);
        assert_eq!(layout.cells(), 1 + 9 + 12 + 6 + 8);
        assert_eq!(system.cells, layout.cells());
        // Per attribute one total equation; per pair one per value of each side.
        assert_eq!(system.equations.len(), 3 + (3 + 4) + (3 + 2) + (4 + 2));
        for c in 0..layout.cells() {
            let back = match layout.kind(c) {
                CellKind::Total => layout.total(),
                CellKind::OneWay { attr, value } => layout.one_way(attr, value),
                CellKind::TwoWay { attr_a, a, attr_b, b } => {
                    assert_eq!(layout.two_way(attr_b, b, attr_a, a), c);
                    layout.two_way(attr_a, a, attr_b, b)
                }
            };
            assert_eq!(back, c);
        }
        assert_eq!(layout.two_way(0, 2, 2, 1), 1 + 9 + 12 + 2 * 2 + 1);
    }

    #[test]
    fn rollup_is_one_attribute() {
        let (layout, system) = layout(&[4]);
        assert_eq!(system.equations, vec![Equation { total: 0, parts: vec![1, 2, 3, 4] }]);
        let counts = [62, 20, 30, 3, 9];
        let hidden = suppress(&system, &counts, 10);
        // The two small rows hide each other; the total stays.
        assert_eq!(hidden_cells(&hidden), vec![layout.one_way(0, 2), layout.one_way(0, 3)]);
    }

    #[test]
    fn one_small_grade_hides_a_second_grade() {
        // Grades 7/8/9 with 30/25/4 and k = 10: the total is shown, so grade 9 would be
        // 59 − 30 − 25; the smallest other grade goes too.
        let (layout, system) = layout(&[3]);
        let counts = [59, 30, 25, 4];
        assert_eq!(recover(&system, &counts, &primary(&counts, 10)), vec![(layout.one_way(0, 2), 4)]);
        let hidden = suppress(&system, &counts, 10);
        assert_eq!(hidden_cells(&hidden), vec![layout.one_way(0, 1), layout.one_way(0, 2)]);
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(determined(&system, &counts, &hidden).is_empty());
    }

    #[test]
    fn naive_suppression_leaks_and_the_attacker_finds_it() {
        // Only primary suppression on a grade × gender table: the small cell is its
        // row's margin minus the other cell.
        let (layout, system) = layout(&[3, 2]);
        let finest = [15, 15, 12, 13, 3, 20];
        let counts = published(&layout, &finest);
        let naive = primary(&counts, 10);
        let small = layout.two_way(0, 2, 1, 0);
        assert_eq!(hidden_cells(&naive), vec![small]);
        assert_eq!(recover(&system, &counts, &naive), vec![(small, 3)]);
        assert_eq!(determined(&system, &counts, &naive), vec![small]);
    }

    #[test]
    fn two_way_small_cell_is_protected_in_its_row_and_column() {
        // grade 7: F 15 M 15; grade 8: F 12 M 13; grade 9: F 3 M 20; margins shown.
        let (layout, system) = layout(&[3, 2]);
        let counts = published(&layout, &[15, 15, 12, 13, 3, 20]);
        let hidden = suppress(&system, &counts, 10);
        let cell = |g, s| layout.two_way(0, g, 1, s);
        // Same row (9, M), same column (8, F), and (8, M) closing the rectangle; every
        // margin and the total stay shown.
        let mut expected = vec![cell(1, 0), cell(1, 1), cell(2, 0), cell(2, 1)];
        expected.sort_unstable();
        assert_eq!(hidden_cells(&hidden), expected);
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(determined(&system, &counts, &hidden).is_empty());
    }

    #[test]
    fn structural_zeros_do_not_protect() {
        // Classes 0, 1 are in grade 0, classes 2, 3 in grade 1; class 0 has 4. Hiding
        // the empty (grade 1, class 0…1) and (grade 0, class 2…3) cells alongside the
        // small one is no protection: everyone knows they are empty.
        let (layout, system) = layout(&[2, 4]);
        let counts = published(&layout, &[4, 20, 0, 0, 0, 0, 20, 25]);
        let naive = primary(&counts, 10);
        let small = layout.two_way(0, 0, 1, 0);
        assert!(derivable(&system, &counts, &naive).contains(&small));
        let hidden = suppress(&system, &counts, 10);
        assert!(hidden[small] && hidden[layout.one_way(1, 0)]);
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(determined(&system, &counts, &hidden).is_empty());
    }

    #[test]
    fn combinations_of_rows_and_columns_are_attacks_too() {
        // Two hidden 2 × 2 blocks joined by one hidden cell: every row and column has
        // two unknowns, so subtraction alone finds nothing, but rows 0 + 1 minus
        // columns 0 + 1 is exactly the joining cell.
        let (layout, system) = layout(&[4, 4]);
        let counts = published(&layout, &[20; 16]);
        let cell = |a, b| layout.two_way(0, a, 1, b);
        let mut hidden = vec![false; system.cells];
        for c in [cell(0, 0), cell(0, 1), cell(1, 0), cell(1, 1), cell(2, 2), cell(2, 3), cell(3, 2), cell(3, 3)] {
            hidden[c] = true;
        }
        hidden[cell(1, 2)] = true;
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert_eq!(determined(&system, &counts, &hidden), vec![cell(1, 2)]);
    }

    #[test]
    fn suppress_closes_leaks_that_subtraction_alone_misses() {
        // Found by proptest (with the second step of `suppress` disabled): closing
        // every single-unknown equation leaves a hidden cell determined by a
        // combination of rows and columns, which the second step then protects.
        let (layout, system) = layout(&[3, 3]);
        let counts = published(&layout, &[1, 0, 0, 1, 1, 0, 8, 1, 1]);
        let mut hidden = primary(&counts, 8);
        close_single_unknowns(&system, &counts, &mut hidden, &incidence(&system));
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(!determined(&system, &counts, &hidden).is_empty());
        let hidden = suppress(&system, &counts, 8);
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(determined(&system, &counts, &hidden).is_empty());
        assert!(!hidden[layout.total()]);
    }

    #[test]
    fn floor_and_tiny_campaigns() {
        let (_, system) = layout(&[2]);
        // k below the floor is raised to 5: 4 is hidden even if the campaign says 3.
        let hidden = suppress(&system, &[24, 20, 4], 3);
        assert_eq!(hidden, vec![false, true, true]);
        // A total below k hides everything.
        assert_eq!(suppress(&system, &[9, 5, 4], 5).iter().filter(|&&h| h).count(), 2);
        assert!(suppress(&system, &[9, 5, 4], 10).iter().all(|&h| h));
        // Nothing small, nothing hidden.
        assert!(suppress(&system, &[50, 20, 30], 10).iter().all(|&h| !h));
    }

    #[test]
    fn large_report_is_fast() {
        // 3 attributes of 12 values: 469 cells, 147 equations.
        let (layout, system) = layout(&[12, 12, 12]);
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let finest: Vec<u64> = (0..12 * 12 * 12)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                [0, 0, 0, 0, 1, 2, 3, 5, 8, 14][(seed % 10) as usize]
            })
            .collect();
        let counts = published(&layout, &finest);
        let start = std::time::Instant::now();
        let hidden = suppress(&system, &counts, 10);
        let elapsed = start.elapsed();
        assert!(derivable(&system, &counts, &hidden).is_empty());
        assert!(determined(&system, &counts, &hidden).is_empty());
        eprintln!(
            "469 cells: {} hidden ({} below k) in {elapsed:?}",
            hidden.iter().filter(|&&h| h).count(),
            counts.iter().filter(|&&n| n < 10).count()
        );
        assert!(elapsed < std::time::Duration::from_secs(2), "took {elapsed:?}");
    }

    /// Attributes (1–3, each 1–6 values), a finest-level table with many zeros and
    /// small counts, and k in 5..=12.
    fn cohort() -> impl Strategy<Value = (Vec<usize>, Vec<u64>, u64)> {
        (prop::collection::vec(1usize..=6, 1..=3), 5u64..=12).prop_flat_map(|(values, k)| {
            let n: usize = values.iter().product();
            let count = prop_oneof![4 => Just(0u64), 4 => 1u64..5, 3 => 0u64..15, 1 => 10u64..40];
            (Just(values), prop::collection::vec(count, n), Just(k))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn suppression_hides_small_cells_and_leaks_nothing((values, finest, k) in cohort()) {
            let (layout, system) = layout(&values);
            let counts = published(&layout, &finest);
            check_equations_hold(&system, &counts);
            let hidden = suppress(&system, &counts, k);
            for c in 0..system.cells {
                // (1) every small cell hidden, i.e. (3) every shown cell at least k.
                prop_assert!(hidden[c] || counts[c] >= k, "cell {c} = {} shown with k = {k}", counts[c]);
            }
            // (2) nothing follows by subtraction, nor by any linear combination.
            prop_assert_eq!(derivable(&system, &counts, &hidden), Vec::<usize>::new());
            prop_assert_eq!(determined(&system, &counts, &hidden), Vec::<usize>::new());
        }

        #[test]
        fn attackers_are_sound(
            (values, finest, _) in cohort(),
            mask in prop::collection::vec(any::<bool>(), 1..400),
        ) {
            // Whatever is hidden, what the attacker derives is the true count, and the
            // linear attacker finds at least what subtraction finds.
            let (layout, system) = layout(&values);
            let counts = published(&layout, &finest);
            let hidden: Vec<bool> = (0..system.cells).map(|c| mask[c % mask.len()]).collect();
            let recovered = recover(&system, &counts, &hidden);
            for &(cell, value) in &recovered {
                prop_assert!(hidden[cell] && counts[cell] > 0);
                prop_assert_eq!(value, counts[cell]);
            }
            let linear = determined(&system, &counts, &hidden);
            for (cell, _) in recovered {
                prop_assert!(linear.contains(&cell));
            }
        }
    }
}

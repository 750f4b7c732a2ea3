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
    /// Number of values of each attribute: the structure of the equations, which the
    /// linear attack uses.
    values: Vec<usize>,
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
    (layout, System { equations, cells, values: values_per_attribute.to_vec() })
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
/// Each round hides at least one more cell, so this ends after at most `cells` rounds
/// (a handful for a few cohort questions, hundreds for many with small groups; each
/// round is polynomial, see `linear`). `counts` must satisfy the equations; if they do
/// not and the loop gets stuck, or the exact arithmetic would overflow, everything is
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
            Linear::Leak(cell, support) => {
                debug_assert!(hidden[cell], "only hidden cells leak");
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
/// unit vector lies in the row space of the equations restricted to the unknown cells.
/// This finds everything [`derivable`] finds and more: e.g. a hidden cell joining two
/// otherwise protected blocks of a two-way table is the sum of one block's rows minus
/// the sum of its columns. It is decided exactly, in integers, by the structure of the
/// system (see `linear`): graphs per pair of attributes and an elimination over the
/// total and one-way cells only, polynomial and small whatever the two-way cells.
///
/// Returns the determined cells in increasing order (all hidden non-empty cells if the
/// exact arithmetic would overflow, which the sizes of real reports do not reach).
pub fn determined(system: &System, counts: &[u64], suppressed: &[bool]) -> Vec<usize> {
    assert_eq!(counts.len(), system.cells, "one count per cell");
    assert_eq!(suppressed.len(), system.cells, "one flag per cell");
    Attack::new(system, counts, suppressed)
        .solve()
        .map(|solved| solved.determined)
        .unwrap_or_else(|Overflow| (0..system.cells).filter(|&c| suppressed[c] && counts[c] > 0).collect())
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
    /// The smallest determined cell, with the shown cells of a combination of equations
    /// that determines it.
    Leak(usize, Vec<usize>),
    /// The exact arithmetic would overflow.
    Overflow,
}

/// The exact arithmetic would overflow.
#[derive(Debug)]
struct Overflow;

/// The linear attack of [`determined`], by the structure of the system rather than by
/// elimination over every cell (which is cubic in the number of two-way cells).
///
/// A change of the unknown cells that keeps every equation true (the known cells
/// fixed) is a change `t` of the total, `α` of the one-way cells and `β` of the
/// two-way cells. For a fixed `(t, α)`, the block of a pair of attributes `(i, j)` is a
/// table whose unknown cells are the edges of a bipartite graph between the values of
/// `i` and those of `j`, with margins `α_i` and `α_j`. Such a table exists iff the
/// margins of every connected component of that graph agree (`Σ α_i = Σ α_j` over the
/// component's values); it is then free along every cycle of the graph, and on a
/// bridge it equals the margins of the side the bridge cuts off (`Σ α_i − Σ α_j` over
/// that side). Hence, with `C` the matrix over the total and the one-way cells whose
/// rows are the known cells, each attribute's total equation and each component of
/// each block:
///
/// * the total or a one-way cell is determined iff it is 0 on every vector of the null
///   space of `C`;
/// * a two-way cell on a cycle of its block is never determined; a bridge is
///   determined iff its side's margins are 0 on every vector of that null space.
///
/// `C` has `1 + Σ values` columns however many two-way cells there are, so a round
/// costs O(cells · nullity + columns³) rather than O(cells³). A combination of
/// equations that determines the smallest determined cell is then found by reducing
/// its functional against `C` once more, keeping track of the rows used.
fn linear(system: &System, counts: &[u64], hidden: &[bool]) -> Linear {
    let attack = Attack::new(system, counts, hidden);
    let solved = match attack.solve() {
        Ok(solved) => solved,
        Err(Overflow) => return Linear::Overflow,
    };
    let Some(&cell) = solved.determined.first() else { return Linear::Safe };
    match attack.witness(&solved, cell) {
        Ok(support) => Linear::Leak(cell, support),
        Err(Overflow) => Linear::Overflow,
    }
}

/// The block of the pair of attributes `(i, j)`, `i < j`.
struct Block {
    i: usize,
    j: usize,
    /// Its first two-way cell (row-major, `a * n_j + b`).
    start: usize,
    /// Index of the equation of row `a` (`+ a`); those of column `b` follow them.
    equations: usize,
}

/// A bridge of a block's graph: its block and cell, and the vertices (rows `0..n_i`,
/// then columns) of the side it cuts off, which holds exactly one of its ends.
struct Bridge {
    block: usize,
    cell: usize,
    side: Vec<usize>,
}

/// Sparse terms: (column or equation, coefficient).
type Terms = Vec<(usize, i128)>;

/// A row of `C`: its entries, and the equations (with coefficients) it is the
/// combination of; none for the row of a known cell.
struct Row {
    entries: Terms,
    equations: Terms,
}

/// One round's analysis: `C` reduced, and what it determines.
struct Solved {
    rows: Vec<Row>,
    basis: Basis,
    bridges: Vec<Bridge>,
    /// In increasing order.
    determined: Vec<usize>,
}

/// One round of the linear attack: the known and unknown cells of a system.
struct Attack<'a> {
    system: &'a System,
    counts: &'a [u64],
    hidden: &'a [bool],
    /// First one-way cell of each attribute; the total and one-way cells are `0..width`.
    one_way: Vec<usize>,
    width: usize,
    blocks: Vec<Block>,
}

impl<'a> Attack<'a> {
    fn new(system: &'a System, counts: &'a [u64], hidden: &'a [bool]) -> Self {
        let values = &system.values;
        let mut one_way = Vec::with_capacity(values.len());
        let mut width = 1;
        for &n in values {
            one_way.push(width);
            width += n;
        }
        let mut blocks = Vec::new();
        let (mut start, mut equations) = (width, values.len());
        for i in 0..values.len() {
            for j in i + 1..values.len() {
                blocks.push(Block { i, j, start, equations });
                start += values[i] * values[j];
                equations += values[i] + values[j];
            }
        }
        Self { system, counts, hidden, one_way, width, blocks }
    }

    fn unknown(&self, cell: usize) -> bool {
        self.hidden[cell] && self.counts[cell] > 0
    }

    /// Vertex `v` of a block's graph as the one-way cell it stands for, with its sign
    /// in the side margins `Σ α_i − Σ α_j`, and as the equation it is the total of.
    fn vertex(&self, block: &Block, v: usize) -> ((usize, i128), (usize, i128)) {
        let n_i = self.system.values[block.i];
        let equation = block.equations + v;
        if v < n_i {
            ((self.one_way[block.i] + v, 1), (equation, 1))
        } else {
            ((self.one_way[block.j] + v - n_i, -1), (equation, -1))
        }
    }

    /// The connected components of a block's graph of unknown cells (vertices: its
    /// rows, then its columns), and its bridges, by Tarjan's algorithm.
    fn components_and_bridges(&self, b: usize, bridges: &mut Vec<Bridge>) -> Vec<Vec<usize>> {
        let block = &self.blocks[b];
        let (n_i, n_j) = (self.system.values[block.i], self.system.values[block.j]);
        let mut adjacent = vec![Vec::new(); n_i + n_j];
        for row in 0..n_i {
            for column in 0..n_j {
                let cell = block.start + row * n_j + column;
                if self.unknown(cell) {
                    adjacent[row].push((n_i + column, cell));
                    adjacent[n_i + column].push((row, cell));
                }
            }
        }
        let mut order = vec![usize::MAX; n_i + n_j];
        let mut low = vec![0; n_i + n_j];
        let mut preorder = Vec::with_capacity(n_i + n_j);
        let mut components = Vec::new();
        for root in 0..n_i + n_j {
            if order[root] != usize::MAX {
                continue;
            }
            let first = preorder.len();
            order[root] = first;
            low[root] = first;
            preorder.push(root);
            // (vertex, the cell it was reached by, next neighbour to look at)
            let mut stack = vec![(root, usize::MAX, 0)];
            while let Some(top) = stack.last_mut() {
                let (v, via, next) = *top;
                if let Some(&(w, cell)) = adjacent[v].get(next) {
                    top.2 += 1;
                    if cell == via {
                        continue;
                    }
                    if order[w] == usize::MAX {
                        order[w] = preorder.len();
                        low[w] = order[w];
                        preorder.push(w);
                        stack.push((w, cell, 0));
                    } else {
                        low[v] = low[v].min(order[w]);
                    }
                } else {
                    stack.pop();
                    if let Some(&(parent, _, _)) = stack.last() {
                        low[parent] = low[parent].min(low[v]);
                        if low[v] > order[parent] {
                            // Everything reached since `v` is its subtree.
                            bridges.push(Bridge { block: b, cell: via, side: preorder[order[v]..].to_vec() });
                        }
                    }
                }
            }
            components.push(preorder[first..].to_vec());
        }
        components
    }

    /// `C` in reduced echelon form, and the cells it determines.
    fn solve(&self) -> Result<Solved, Overflow> {
        let mut rows = Vec::new();
        for cell in (0..self.width).filter(|&c| !self.unknown(c)) {
            rows.push(Row { entries: vec![(cell, 1)], equations: Vec::new() });
        }
        for (attr, equation) in self.system.equations.iter().take(self.system.values.len()).enumerate() {
            let mut entries = vec![(equation.total, 1)];
            entries.extend(equation.parts.iter().map(|&p| (p, -1)));
            rows.push(Row { entries, equations: vec![(attr, 1)] });
        }
        let mut bridges = Vec::new();
        for (b, block) in self.blocks.iter().enumerate() {
            for component in self.components_and_bridges(b, &mut bridges) {
                let (entries, equations) = component.iter().map(|&v| self.vertex(block, v)).unzip();
                rows.push(Row { entries, equations });
            }
        }
        let mut basis = Basis::new(self.width);
        for (r, row) in rows.iter().enumerate() {
            basis.insert(r, dense(self.width, &row.entries))?;
        }
        let null = basis.null_space()?;
        let mut determined: Vec<usize> =
            (0..self.width).filter(|&c| self.unknown(c) && null.iter().all(|x| x[c] == 0)).collect();
        for bridge in &bridges {
            let block = &self.blocks[bridge.block];
            let mut fixed = true;
            for x in &null {
                let mut margins: i128 = 0;
                for &v in &bridge.side {
                    let ((cell, sign), _) = self.vertex(block, v);
                    margins = margins.checked_add(sign * x[cell]).ok_or(Overflow)?;
                }
                if margins != 0 {
                    fixed = false;
                    break;
                }
            }
            if fixed {
                determined.push(bridge.cell);
            }
        }
        determined.sort_unstable();
        Ok(Solved { rows, basis, bridges, determined })
    }

    /// The shown cells of a combination of equations that gives the determined `cell`.
    fn witness(&self, solved: &Solved, cell: usize) -> Result<Vec<usize>, Overflow> {
        // The functional of `C`'s columns that equals the cell, and for a bridge the
        // combination of its block's equations that is that functional plus or minus
        // the bridge (the side's row equations minus its column equations).
        let (target, side): (Terms, Terms) = if cell < self.width {
            (vec![(cell, 1)], Vec::new())
        } else {
            let bridge = solved.bridges.iter().find(|b| b.cell == cell).expect("a determined two-way cell is a bridge");
            bridge.side.iter().map(|&v| self.vertex(&self.blocks[bridge.block], v)).unzip()
        };
        // scale · target = Σ track · (C's independent rows), so on the unknown cells
        // scale · side − Σ track · (their equations) is scale · (target ± cell) −
        // scale · target: a multiple of the cell alone.
        let (scale, track) = solved.basis.reduce_tracked(dense(self.width, &target))?;
        let mut y = vec![0i128; self.system.equations.len()];
        for &(e, c) in &side {
            y[e] = c.checked_mul(scale).ok_or(Overflow)?;
        }
        for (&t, &r) in track.iter().zip(&solved.basis.sources).filter(|(&t, _)| t != 0) {
            for &(e, c) in &solved.rows[r].equations {
                y[e] = y[e].checked_sub(t.checked_mul(c).ok_or(Overflow)?).ok_or(Overflow)?;
            }
        }
        let mut coefficient = vec![0i128; self.system.cells];
        for (e, &ye) in y.iter().enumerate().filter(|(_, &ye)| ye != 0) {
            let equation = &self.system.equations[e];
            coefficient[equation.total] = coefficient[equation.total].checked_add(ye).ok_or(Overflow)?;
            for &p in &equation.parts {
                coefficient[p] = coefficient[p].checked_sub(ye).ok_or(Overflow)?;
            }
        }
        debug_assert!(
            (0..self.system.cells).all(|c| !self.unknown(c) || (coefficient[c] != 0) == (c == cell)),
            "the combination gives cell {cell} alone"
        );
        Ok((0..self.system.cells).filter(|&c| !self.hidden[c] && coefficient[c] != 0).collect())
    }
}

fn dense(width: usize, entries: &[(usize, i128)]) -> Vec<i128> {
    let mut v = vec![0; width];
    for &(c, x) in entries {
        v[c] += x;
    }
    v
}

/// Integer rows in reduced echelon form (each zero in the others' pivot columns), each
/// with the combination of the independent inserted rows it is.
struct Basis {
    width: usize,
    rows: Vec<Vec<i128>>,
    pivots: Vec<usize>,
    /// Per row, coefficients of the independent inserted rows (at most `width`).
    tracks: Vec<Vec<i128>>,
    /// The caller's index of each independent inserted row, in order.
    sources: Vec<usize>,
}

impl Basis {
    fn new(width: usize) -> Self {
        Self { width, rows: Vec::new(), pivots: Vec::new(), tracks: Vec::new(), sources: Vec::new() }
    }

    /// Adds `row`, the caller's row `source`, to the row space.
    fn insert(&mut self, source: usize, mut row: Vec<i128>) -> Result<(), Overflow> {
        let mut track = vec![0; self.width];
        let mut scale = 1;
        self.reduce(&mut row, &mut track, &mut scale)?;
        let Some(col) = row.iter().position(|&x| x != 0) else { return Ok(()) };
        // row = scale · (row as given) + Σ track · earlier rows, and the row as given is
        // the next independent one.
        track[self.sources.len()] = scale;
        self.sources.push(source);
        for r in 0..self.rows.len() {
            let (a, p) = (self.rows[r][col], row[col]);
            if a == 0 {
                continue;
            }
            combine(&mut self.rows[r], p, &row, a)?;
            combine(&mut self.tracks[r], p, &track, a)?;
            normalize(&mut self.rows[r], &mut self.tracks[r], &mut 0);
        }
        self.rows.push(row);
        self.pivots.push(col);
        self.tracks.push(track);
        Ok(())
    }

    /// Zeroes `row` in every pivot column by steps `row ← p · row − a · rows[r]`,
    /// `track` likewise and `scale ← p · scale`, keeping `row = scale · (row as given) +
    /// Σ track · (independent rows)` true; each step is divided by the gcd of all.
    fn reduce(&self, row: &mut [i128], track: &mut [i128], scale: &mut i128) -> Result<(), Overflow> {
        for (r, &col) in self.pivots.iter().enumerate() {
            let (p, a) = (self.rows[r][col], row[col]);
            if a == 0 {
                continue;
            }
            combine(row, p, &self.rows[r], a)?;
            combine(track, p, &self.tracks[r], a)?;
            *scale = scale.checked_mul(p).ok_or(Overflow)?;
            normalize(row, track, scale);
        }
        Ok(())
    }

    /// For `target` in the row space: `s ≠ 0` and `t` with `s · target = Σ t ·
    /// (independent rows)`.
    fn reduce_tracked(&self, mut target: Vec<i128>) -> Result<(i128, Vec<i128>), Overflow> {
        let mut track = vec![0; self.width];
        let mut scale = 1;
        self.reduce(&mut target, &mut track, &mut scale)?;
        debug_assert!(target.iter().all(|&x| x == 0), "the target is in the row space");
        Ok((scale, track.into_iter().map(|x| -x).collect()))
    }

    /// A basis of the integer vectors `x` with `row · x = 0` for every row: one per
    /// free column.
    fn null_space(&self) -> Result<Vec<Vec<i128>>, Overflow> {
        let mut is_pivot = vec![false; self.width];
        for &c in &self.pivots {
            is_pivot[c] = true;
        }
        let mut null = Vec::new();
        for free in (0..self.width).filter(|&c| !is_pivot[c]) {
            let users: Vec<usize> = (0..self.rows.len()).filter(|&r| self.rows[r][free] != 0).collect();
            let mut lcm: i128 = 1;
            for &r in &users {
                let p = self.rows[r][self.pivots[r]];
                let g = i128::try_from(gcd(lcm.unsigned_abs(), p.unsigned_abs())).map_err(|_| Overflow)?;
                lcm = (lcm / g).checked_mul(p.checked_abs().ok_or(Overflow)?).ok_or(Overflow)?;
            }
            let mut x = vec![0; self.width];
            x[free] = lcm;
            for &r in &users {
                let p = self.rows[r][self.pivots[r]];
                x[self.pivots[r]] =
                    self.rows[r][free].checked_mul(lcm / p).ok_or(Overflow)?.checked_neg().ok_or(Overflow)?;
            }
            null.push(x);
        }
        Ok(null)
    }
}

/// `row ← p · row − a · other`.
fn combine(row: &mut [i128], p: i128, other: &[i128], a: i128) -> Result<(), Overflow> {
    for (x, &y) in row.iter_mut().zip(other) {
        *x = p.checked_mul(*x).and_then(|px| a.checked_mul(y).and_then(|ay| px.checked_sub(ay))).ok_or(Overflow)?;
    }
    Ok(())
}

/// Divides `row`, `track` and `scale` by the gcd of all their entries.
fn normalize(row: &mut [i128], track: &mut [i128], scale: &mut i128) {
    let g = row.iter().chain(track.iter()).fold(scale.unsigned_abs(), |g, x| gcd(g, x.unsigned_abs()));
    // Each entry is a multiple of g, so g fits unless all are i128::MIN.
    let Ok(g) = i128::try_from(g) else { return };
    if g > 1 {
        row.iter_mut().chain(track.iter_mut()).for_each(|x| *x /= g);
        *scale /= g;
    }
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

    /// The linear attack as first written, kept as an oracle: Gauss–Jordan elimination
    /// over every unknown cell (`None` on overflow). A cell is determined iff its pivot
    /// row has no other unknown.
    fn dense_determined(system: &System, counts: &[u64], hidden: &[bool]) -> Option<Vec<usize>> {
        let unknowns: Vec<usize> = (0..system.cells).filter(|&c| hidden[c] && counts[c] > 0).collect();
        let column = |c: usize| unknowns.binary_search(&c).ok();
        let mut rows: Vec<Vec<i128>> = system
            .equations
            .iter()
            .map(|e| {
                let mut row = vec![0; unknowns.len()];
                if let Some(j) = column(e.total) {
                    row[j] += 1;
                }
                for j in e.parts.iter().filter_map(|&p| column(p)) {
                    row[j] -= 1;
                }
                row
            })
            .collect();
        let mut pivots = Vec::new();
        for col in 0..unknowns.len() {
            let rank = pivots.len();
            let Some(p) = (rank..rows.len()).find(|&r| rows[r][col] != 0) else { continue };
            rows.swap(rank, p);
            let pivot = rows[rank].clone();
            for (_, row) in rows.iter_mut().enumerate().filter(|(r, row)| *r != rank && row[col] != 0) {
                let (p, a) = (pivot[col], row[col]);
                for (x, &y) in row.iter_mut().zip(&pivot) {
                    *x = p.checked_mul(*x)?.checked_sub(a.checked_mul(y)?)?;
                }
                let g = i128::try_from(row.iter().fold(0, |g, x| gcd(g, x.unsigned_abs()))).ok()?;
                row.iter_mut().for_each(|x| *x /= g.max(1));
            }
            pivots.push(col);
        }
        let single = |r: usize, col: usize| (0..unknowns.len()).all(|j| j == col || rows[r][j] == 0);
        Some(pivots.iter().enumerate().filter(|&(r, &col)| single(r, col)).map(|(_, &col)| unknowns[col]).collect())
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

    /// More attributes (3–5) of fewer values (1–3), so that blocks share margins.
    fn wide_cohort() -> impl Strategy<Value = (Vec<usize>, Vec<u64>, u64)> {
        (prop::collection::vec(1usize..=3, 3..=5), 5u64..=12).prop_flat_map(|(values, k)| {
            let n: usize = values.iter().product();
            let count = prop_oneof![4 => Just(0u64), 4 => 1u64..5, 3 => 0u64..15, 1 => 10u64..40];
            (Just(values), prop::collection::vec(count, n), Just(k))
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn suppression_hides_small_cells_and_leaks_nothing((values, finest, k) in prop_oneof![cohort(), wide_cohort()]) {
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
            prop_assert_eq!(dense_determined(&system, &counts, &hidden), Some(Vec::new()), "by elimination too");
        }

        #[test]
        fn the_structural_attack_finds_exactly_what_elimination_finds(
            (values, finest, _) in prop_oneof![cohort(), wide_cohort()],
            mask in prop::collection::vec(prop_oneof![3 => Just(true), 1 => Just(false)], 1..400),
        ) {
            let (layout, system) = layout(&values);
            let counts = published(&layout, &finest);
            let hidden: Vec<bool> = (0..system.cells).map(|c| mask[c % mask.len()]).collect();
            let oracle = dense_determined(&system, &counts, &hidden).expect("small cases do not overflow");
            prop_assert_eq!(determined(&system, &counts, &hidden), oracle);
        }

        #[test]
        fn combinations_found_for_a_leak_give_exactly_that_cell(
            (values, finest, _) in prop_oneof![cohort(), wide_cohort()],
            mask in prop::collection::vec(prop_oneof![3 => Just(true), 1 => Just(false)], 1..400),
        ) {
            // The witness's own check (a debug assertion) runs here: the combination's
            // coefficients vanish on every unknown cell but the leaked one.
            let (layout, system) = layout(&values);
            let counts = published(&layout, &finest);
            let hidden: Vec<bool> = (0..system.cells).map(|c| mask[c % mask.len()]).collect();
            if let Linear::Leak(cell, support) = linear(&system, &counts, &hidden) {
                prop_assert!(hidden[cell] && counts[cell] > 0);
                prop_assert!(support.iter().all(|&c| !hidden[c]));
            }
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

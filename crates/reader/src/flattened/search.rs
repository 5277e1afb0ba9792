//! The split search: a run's symbols, the row's plan (which columns are the
//! totals of which), the count of unconstrained splits, and the bounded
//! depth-first search over cut positions.

use super::Limits;
use nianbao_model::label::fold_char;
use nianbao_model::{CellValue, Decimal, Span, ValueKind};

/// Longest count accepted (and so the sum of a row's parts stays far inside `i64`).
const MAX_COUNT_DIGITS: usize = 15;
/// Longest fraction of an amount (万元 to the fen is 6 places).
const MAX_FRACTION_DIGITS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Digit(u8),
    Point,
    Minus,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    sym: Sym,
    /// Byte offset in the source text.
    offset: usize,
    len: usize,
    /// A printed boundary (white space, bold marker, end of run) follows.
    boundary_after: bool,
}

/// The run as symbols, white space reduced to "a boundary follows" marks.
pub(super) struct Tokens {
    toks: Vec<Token>,
}

impl Tokens {
    /// Read a run that starts at byte `base` of the source; the error is a
    /// character that cannot belong to a number, with its span.
    pub(super) fn new(run: &str, base: usize) -> Result<Tokens, (Span, char)> {
        let mut toks: Vec<Token> = Vec::new();
        let mark_boundary = |toks: &mut Vec<Token>| {
            if let Some(last) = toks.last_mut() {
                last.boundary_after = true;
            }
        };
        for (i, c) in run.char_indices() {
            let sym = match fold_char(c) {
                d @ '0'..='9' => Sym::Digit(d as u8 - b'0'),
                '.' => Sym::Point,
                '-' | '\u{2212}' => Sym::Minus,
                // Bold markers wrap whole cells, like spaces separate them.
                w if w.is_whitespace() || w == '*' => {
                    mark_boundary(&mut toks);
                    continue;
                }
                // Invisible characters left by web pages say nothing.
                '\u{200B}' | '\u{FEFF}' => continue,
                _ => return Err((Span::new(base + i, c.len_utf8()), c)),
            };
            toks.push(Token {
                sym,
                offset: base + i,
                len: c.len_utf8(),
                boundary_after: false,
            });
        }
        mark_boundary(&mut toks);
        Ok(Tokens { toks })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// How many pieces the run was printed in (separated by white space).
    pub(super) fn pieces(&self) -> usize {
        self.toks.iter().filter(|t| t.boundary_after).count()
    }

    fn len(&self) -> usize {
        self.toks.len()
    }

    fn digit(&self, at: usize) -> Option<u8> {
        match self.toks.get(at)?.sym {
            Sym::Digit(d) => Some(d),
            _ => None,
        }
    }

    fn is(&self, at: usize, sym: Sym) -> bool {
        self.toks.get(at).is_some_and(|t| t.sym == sym)
    }

    fn boundary_after(&self, at: usize) -> bool {
        self.toks.get(at).is_none_or(|t| t.boundary_after)
    }

    fn span(&self, start: usize, end: usize) -> Span {
        match (
            self.toks.get(start),
            end.checked_sub(1).and_then(|e| self.toks.get(e)),
        ) {
            (Some(a), Some(b)) => Span::from_range(a.offset, b.offset + b.len),
            _ => Span::new(0, 0),
        }
    }

    /// Every number of `kind` that starts at token `pos`: `(end, value)`,
    /// shortest first.
    fn numbers(&self, pos: usize, kind: ValueKind, out: &mut Vec<(usize, Num)>) {
        out.clear();
        match kind {
            ValueKind::Count => self.counts(pos, false, out),
            ValueKind::SignedCount => {
                if self.is(pos, Sym::Minus) && !self.boundary_after(pos) {
                    self.counts(pos + 1, true, out);
                } else {
                    self.counts(pos, false, out);
                }
            }
            ValueKind::Amount => {
                self.counts(pos, false, out);
                let whole: Vec<(usize, i64)> = out
                    .iter()
                    .filter_map(|(e, n)| match n {
                        Num::Int(v) => Some((*e, *v)),
                        Num::Dec(_) => None,
                    })
                    .collect();
                for (point, int) in whole {
                    if self.boundary_after(point - 1)
                        || !self.is(point, Sym::Point)
                        || self.boundary_after(point)
                    {
                        continue;
                    }
                    let mut mantissa = i128::from(int);
                    let mut scale = 0u32;
                    let mut at = point + 1;
                    while let Some(d) = self.digit(at) {
                        if scale as usize >= MAX_FRACTION_DIGITS {
                            break;
                        }
                        mantissa = mantissa * 10 + i128::from(d);
                        scale += 1;
                        out.push((at + 1, Num::Dec(Decimal::from_i128_with_scale(mantissa, scale))));
                        if self.boundary_after(at) {
                            break;
                        }
                        at += 1;
                    }
                }
            }
        }
    }

    /// Whole numbers without leading zeros starting at `pos`.
    fn counts(&self, pos: usize, negative: bool, out: &mut Vec<(usize, Num)>) {
        let mut value: i64 = 0;
        let mut at = pos;
        while let Some(d) = self.digit(at) {
            if at > pos && value == 0 {
                break; // "0" stands alone: no leading zeros
            }
            if at - pos >= MAX_COUNT_DIGITS {
                break;
            }
            value = value * 10 + i64::from(d);
            if !(negative && value == 0) {
                out.push((at + 1, Num::Int(if negative { -value } else { value })));
            }
            if self.boundary_after(at) {
                break;
            }
            at += 1;
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Num {
    Int(i64),
    Dec(Decimal),
}

impl Num {
    fn cell_value(&self) -> CellValue {
        match self {
            Num::Int(v) => CellValue::Integer(*v),
            Num::Dec(d) => CellValue::Decimal(*d),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// No arithmetic binds this column.
    Free,
    /// Summed into the total at column `total`.
    Part { total: usize },
    /// The sum of columns `first..` this one.
    Total { first: usize },
}

/// Which columns of a row are totals of which.
pub(super) struct Plan {
    ids: Vec<&'static str>,
    kinds: Vec<ValueKind>,
    roles: Vec<Role>,
}

fn is_total(id: &str) -> bool {
    id == "total" || id.ends_with(".total")
}

impl Plan {
    /// A column is a total when its id is `total` or ends in `.total`; its
    /// parts are the columns since the previous total. Only whole-number
    /// counts are summed.
    pub(super) fn new(columns: &[(&'static str, ValueKind)]) -> Plan {
        let mut roles = vec![Role::Free; columns.len()];
        let mut first = 0;
        for (i, (id, kind)) in columns.iter().enumerate() {
            if !is_total(id) {
                continue;
            }
            let parts = columns.get(first..i).unwrap_or_default();
            if *kind == ValueKind::Count
                && !parts.is_empty()
                && parts.iter().all(|(_, k)| *k == ValueKind::Count)
            {
                if let Some(slot) = roles.get_mut(i) {
                    *slot = Role::Total { first };
                }
                for slot in roles.get_mut(first..i).unwrap_or_default() {
                    *slot = Role::Part { total: i };
                }
            }
            first = i + 1;
        }
        Plan {
            ids: columns.iter().map(|(id, _)| *id).collect(),
            kinds: columns.iter().map(|(_, k)| *k).collect(),
            roles,
        }
    }

    /// The same columns with no totals: every split is valid.
    pub(super) fn without_arithmetic(self) -> Plan {
        Plan {
            roles: vec![Role::Free; self.roles.len()],
            ..self
        }
    }

    fn has_constraint(&self) -> bool {
        self.roles.iter().any(|r| matches!(r, Role::Total { .. }))
    }

    /// `table.row: total = a + b; …`, or `None` without totals.
    pub(super) fn describe(&self, table: &str, row: &str) -> Option<String> {
        let sums: Vec<String> = self
            .roles
            .iter()
            .enumerate()
            .filter_map(|(i, r)| match r {
                Role::Total { first } => Some(format!(
                    "{} = {}",
                    self.ids.get(i)?,
                    self.ids.get(*first..i)?.join(" + ")
                )),
                _ => None,
            })
            .collect();
        (!sums.is_empty()).then(|| format!("{table}.{row}: {}", sums.join("; ")))
    }
}

/// One value placed by the search.
pub(super) struct Placed {
    pub(super) value: CellValue,
    pub(super) span: Span,
}

/// What the search found.
pub(super) struct Found {
    /// Splits before arithmetic (saturating).
    pub(super) possible: usize,
    /// Splits that satisfy the arithmetic (exact unless `aborted`).
    pub(super) count: usize,
    pub(super) listed: Vec<Vec<Placed>>,
    pub(super) nodes: usize,
    pub(super) aborted: bool,
}

/// Split the run into the plan's columns.
pub(super) fn run(tokens: &Tokens, plan: &Plan, limits: Limits) -> Found {
    let ways = count_ways(tokens, plan);
    let possible = ways.first().copied().unwrap_or(0);
    let possible = usize::try_from(possible).unwrap_or(usize::MAX);
    let mut dfs = Dfs {
        tokens,
        plan,
        ways: &ways,
        limits,
        stop_after: None,
        nodes: 0,
        count: 0,
        listed: Vec::new(),
        stack: Vec::new(),
        aborted: false,
        target: None,
    };
    if !plan.has_constraint() {
        // Every split is valid: the count is known; list only the first few.
        // With the `ways` pruning each listed split costs one path, never a dead end.
        dfs.stop_after = Some(limits.max_listed);
        dfs.go(0, 0, 0);
        dfs.count = possible;
        dfs.aborted = false;
    } else if possible > 0 {
        dfs.go(0, 0, 0);
    }
    Found {
        possible,
        count: dfs.count,
        listed: dfs.listed,
        nodes: dfs.nodes,
        aborted: dfs.aborted,
    }
}

/// `ways[pos * (m + 1) + col]`: how many ways tokens `pos..` split into
/// columns `col..` (no arithmetic), saturating.
fn count_ways(tokens: &Tokens, plan: &Plan) -> Vec<u64> {
    let n = tokens.len();
    let m = plan.kinds.len();
    let mut ways = vec![0u64; (n + 1) * (m + 1)];
    if let Some(end) = ways.get_mut(n * (m + 1) + m) {
        *end = 1;
    }
    let mut nums = Vec::new();
    for pos in (0..n).rev() {
        for (col, kind) in plan.kinds.iter().enumerate().rev() {
            tokens.numbers(pos, *kind, &mut nums);
            let total = nums.iter().fold(0u64, |acc, (end, _)| {
                acc.saturating_add(ways.get(end * (m + 1) + col + 1).copied().unwrap_or(0))
            });
            if let Some(slot) = ways.get_mut(pos * (m + 1) + col) {
                *slot = total;
            }
        }
    }
    ways
}

/// An exclusive upper bound on the sum of `parts` numbers of at most
/// `longest` digits each that fill `room` digits: at best one takes all the
/// room the others leave (a digit each), and none is longer than `longest`.
fn max_sum(parts: usize, room: usize, longest: usize) -> i64 {
    let widest = (room + 1)
        .saturating_sub(parts)
        .min(longest)
        .min(MAX_COUNT_DIGITS + 1);
    10i64
        .checked_pow(widest as u32)
        .and_then(|p| p.checked_mul(parts as i64))
        .unwrap_or(i64::MAX)
}

fn digit_len(v: i64) -> usize {
    v.max(0).checked_ilog10().map_or(1, |l| l as usize + 1)
}

struct Dfs<'a> {
    tokens: &'a Tokens,
    plan: &'a Plan,
    ways: &'a [u64],
    limits: Limits,
    stop_after: Option<usize>,
    nodes: usize,
    count: usize,
    listed: Vec<Vec<Placed>>,
    stack: Vec<(usize, usize, Num)>,
    aborted: bool,
    /// While searching the last segment's parts: the total they must reach.
    target: Option<Target>,
}

#[derive(Debug, Clone, Copy)]
struct Target {
    value: i64,
    /// Token index where the parts end and the total starts.
    parts_end: usize,
    /// The total's length in digits.
    len: usize,
}

impl Dfs<'_> {
    fn ways(&self, pos: usize, col: usize) -> u64 {
        let m = self.plan.kinds.len();
        self.ways.get(pos * (m + 1) + col).copied().unwrap_or(0)
    }

    /// Count one number tried; false once the work cap is reached.
    fn step(&mut self) -> bool {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            self.aborted = true;
        }
        !self.aborted
    }

    fn done(&self) -> bool {
        self.aborted || self.stop_after.is_some_and(|s| self.count >= s)
    }

    fn go(&mut self, pos: usize, col: usize, seg_sum: i64) {
        if self.done() {
            return;
        }
        let n = self.tokens.len();
        let m = self.plan.kinds.len();
        let (Some(kind), Some(role)) = (self.plan.kinds.get(col), self.plan.roles.get(col)) else {
            if pos == n {
                self.count += 1;
                // At least one is kept: a unique split is the answer itself.
                if self.listed.len() < self.limits.max_listed.max(1) {
                    let split = self
                        .stack
                        .iter()
                        .map(|(s, e, v)| Placed {
                            value: v.cell_value(),
                            span: self.tokens.span(*s, *e),
                        })
                        .collect();
                    self.listed.push(split);
                }
            }
            return;
        };
        let mut nums = Vec::new();
        self.tokens.numbers(pos, *kind, &mut nums);
        match *role {
            Role::Total { .. } => {
                if !self.step() {
                    return;
                }
                // The total is not searched: it must spell the parts' sum.
                let hit = nums.into_iter().find(|(_, v)| *v == Num::Int(seg_sum));
                if let Some((end, v)) = hit {
                    if self.ways(end, col + 1) > 0 {
                        self.descend(pos, end, v, col, 0);
                    }
                }
            }
            Role::Part { total } => {
                let first_part = col == 0 || self.plan.roles.get(col - 1) != Some(&Role::Part { total });
                if total + 1 == m && first_part && self.target.is_none() {
                    self.by_final_total(pos, col, total);
                } else if let Some(target) = self.target {
                    self.parts_to(target, &nums, pos, col, total, seg_sum);
                } else {
                    self.parts_forward(&nums, pos, col, total, seg_sum);
                }
            }
            Role::Free => {
                for (end, v) in nums {
                    if !self.step() {
                        return;
                    }
                    if self.ways(end, col + 1) > 0 {
                        self.descend(pos, end, v, col, 0);
                    }
                    if self.done() {
                        return;
                    }
                }
            }
        }
    }

    /// The last segment's total is the run's final number: try each way to
    /// read it, and search the parts for exactly that sum ending just before it.
    fn by_final_total(&mut self, pos: usize, col: usize, total: usize) {
        let n = self.tokens.len();
        let parts = total - col;
        let mut nums = Vec::new();
        for len in 1..=MAX_COUNT_DIGITS {
            let Some(start) = n.checked_sub(len).filter(|s| *s >= pos + parts) else {
                break;
            };
            self.tokens.numbers(start, ValueKind::Count, &mut nums);
            let Some(Num::Int(value)) = nums.iter().find(|(end, _)| *end == n).map(|(_, v)| v.clone()) else {
                continue;
            };
            self.target = Some(Target {
                value,
                parts_end: start,
                len,
            });
            self.go(pos, col, 0);
            self.target = None;
            if self.done() {
                return;
            }
        }
    }

    /// Parts of the last segment, which must sum to `target.value` and end at
    /// `target.parts_end`; none can be longer than the total.
    fn parts_to(
        &mut self,
        target: Target,
        nums: &[(usize, Num)],
        pos: usize,
        col: usize,
        total: usize,
        seg_sum: i64,
    ) {
        let left = total - col - 1; // parts after this one
        for (end, v) in nums {
            if !self.step() {
                return;
            }
            let Num::Int(int) = v else { continue };
            let sum = seg_sum.saturating_add(*int);
            if *end > target.parts_end || sum > target.value {
                break; // longer numbers are larger
            }
            let room = target.parts_end - end;
            if left == 0 {
                if room != 0 || sum != target.value {
                    continue;
                }
            } else if room < left {
                break;
            } else if room > left * target.len {
                continue; // the rest would need a part longer than the total
            } else if target.value - sum >= max_sum(left, room, target.len) {
                continue; // the rest cannot make up the difference: take more digits now
            }
            if self.ways(*end, col + 1) > 0 {
                self.descend(pos, *end, v.clone(), col, sum);
            }
            if self.done() {
                return;
            }
        }
    }

    /// Parts of a segment followed by more columns.
    fn parts_forward(&mut self, nums: &[(usize, Num)], pos: usize, col: usize, total: usize, seg_sum: i64) {
        let n = self.tokens.len();
        let m = self.plan.kinds.len();
        for (end, v) in nums {
            if !self.step() {
                return;
            }
            let Num::Int(int) = v else { continue };
            let sum = seg_sum.saturating_add(*int);
            // Still to come: the other parts (a digit each), the total
            // (at least as long as the sum so far), later columns.
            let need = (total - col - 1) + digit_len(sum) + (m - total - 1);
            if n - end < need {
                break; // longer numbers only leave less room for more
            }
            if self.ways(*end, col + 1) > 0 {
                self.descend(pos, *end, v.clone(), col, sum);
            }
            if self.done() {
                return;
            }
        }
    }

    fn descend(&mut self, pos: usize, end: usize, v: Num, col: usize, sum: i64) {
        self.stack.push((pos, end, v));
        self.go(end, col + 1, sum);
        self.stack.pop();
    }
}

//! The compiled predicate and its evaluation over one row.
//!
//! Names are resolved at compile time, so evaluation reads cells by position and compares borrowed values: no
//! allocation per row. Logic is three-valued where Milvus's null rows are involved: a comparison on a null cell
//! of a nullable field is *unknown*, `not` keeps it unknown, `and`/`or` follow Kleene's tables, and a row matches
//! only when the whole filter is *true*. A JSON key that a row lacks is not a null: comparisons on it are false,
//! except `!=`, which is true (segcore's `UnaryRangeJSONCompareNotEqual`).

use std::cmp::Ordering;

use serde_json::Value;

use super::{Cell, RowValues};

/// A literal of the expression (`planpb.GenericValue`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Lit {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Lit>),
}

/// Where a column's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// A schema field, by position in `spec.fields`.
    Field(usize),
    /// The dynamic field `$meta`.
    Meta,
}

/// A column and the JSON path (or array index) read inside it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Col {
    pub source: Source,
    pub path: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator seen from the other side: `1 < a` is `a > 1`.
    pub(crate) fn reversed(self) -> Self {
        match self {
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            other => other,
        }
    }

    fn holds(self, ordering: Option<Ordering>) -> bool {
        match (self, ordering) {
            (CmpOp::Ne, None) => true,
            (_, None) => false,
            (CmpOp::Eq, Some(o)) => o == Ordering::Equal,
            (CmpOp::Ne, Some(o)) => o != Ordering::Equal,
            (CmpOp::Lt, Some(o)) => o == Ordering::Less,
            (CmpOp::Le, Some(o)) => o != Ordering::Greater,
            (CmpOp::Gt, Some(o)) => o == Ordering::Greater,
            (CmpOp::Ge, Some(o)) => o != Ordering::Less,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ContainsMode {
    One,
    All,
    Any,
}

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pred {
    True,
    Cmp {
        col: Col,
        op: CmpOp,
        value: Lit,
    },
    Range {
        col: Col,
        lower: Lit,
        lower_inclusive: bool,
        upper: Lit,
        upper_inclusive: bool,
    },
    Term {
        col: Col,
        set: TermSet,
    },
    Like {
        col: Col,
        pattern: Pattern,
    },
    ColumnCmp {
        left: Col,
        op: CmpOp,
        right: Col,
    },
    /// `col <arith> operand <op> value` (`2 + a` arrives as `a + 2`: Milvus accepts a constant first only for the
    /// commutative `+` and `*`).
    Arith {
        col: Col,
        arith: ArithOp,
        operand: Lit,
        op: CmpOp,
        value: Lit,
    },
    ArrayLength {
        col: Col,
        op: CmpOp,
        value: Lit,
    },
    IsNull {
        col: Col,
        not: bool,
    },
    Exists {
        col: Col,
    },
    Contains {
        col: Col,
        mode: ContainsMode,
        elements: Vec<Lit>,
    },
    /// `text_match`: the row's text has at least `minimum` of the query's distinct tokens (lowercased).
    TextMatch {
        col: Col,
        tokens: Vec<String>,
        minimum: usize,
    },
    /// `phrase_match`: the query's tokens in order, with at most `slop` other words between them in all.
    PhraseMatch {
        col: Col,
        tokens: Vec<String>,
        slop: usize,
    },
    Not(Box<Pred>),
    /// At least two operands: a chain `a and b and c` is one node.
    And(Vec<Pred>),
    Or(Vec<Pred>),
}

/// Three-valued truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Truth {
    False,
    True,
    Unknown,
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b { Truth::True } else { Truth::False }
    }
}

/// A value read from a row, borrowed.
#[derive(Debug, Clone, Copy)]
enum Got<'a> {
    /// The null of a nullable field (or a null JSON/array field).
    Null,
    /// A JSON key or array index the row does not have (JSON `null` counts as absent too).
    Missing,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(&'a str),
    /// A JSON array or object.
    Json(&'a Value),
}

fn from_json(value: &Value) -> Got<'_> {
    match value {
        Value::Null => Got::Missing,
        Value::Bool(b) => Got::Bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Got::Int(i),
            None => Got::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Got::Str(s),
        other => Got::Json(other),
    }
}

fn walk<'a>(mut value: &'a Value, path: &[String]) -> Got<'a> {
    for key in path {
        let next = match value {
            Value::Object(map) => map.get(key),
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Got::Missing,
        }
    }
    from_json(value)
}

fn read<'a, R: RowValues + ?Sized>(col: &Col, row: &'a R) -> Got<'a> {
    match col.source {
        Source::Meta => row.meta().map_or(Got::Missing, |meta| walk(meta, &col.path)),
        Source::Field(i) => match row.value(i) {
            Cell::Null => Got::Null,
            Cell::Bool(b) => Got::Bool(b),
            Cell::Int(v) => Got::Int(v),
            Cell::Float(v) => Got::Float(v),
            Cell::Str(s) => Got::Str(s),
            Cell::Json(v) if col.path.is_empty() => match v {
                Value::Null => Got::Null,
                Value::Array(_) | Value::Object(_) => Got::Json(v),
                scalar => from_json(scalar),
            },
            Cell::Json(v) => walk(v, &col.path),
            Cell::Vector => Got::Missing,
        },
    }
}

/// Orders a row value against a literal; `None` when they cannot be compared (different kinds).
fn order(got: Got<'_>, lit: &Lit) -> Option<Ordering> {
    match (got, lit) {
        (Got::Int(a), Lit::Int(b)) => Some(a.cmp(b)),
        (Got::Int(a), Lit::Float(b)) => (a as f64).partial_cmp(b),
        (Got::Float(a), Lit::Int(b)) => a.partial_cmp(&(*b as f64)),
        (Got::Float(a), Lit::Float(b)) => a.partial_cmp(b),
        (Got::Str(a), Lit::Str(b)) => Some(a.cmp(b.as_str())),
        (Got::Bool(a), Lit::Bool(b)) => Some(a.cmp(b)),
        (Got::Json(Value::Array(items)), Lit::Array(lits)) => {
            let same = items.len() == lits.len() && items.iter().zip(lits).all(|(v, l)| json_equals(v, l));
            same.then_some(Ordering::Equal)
        }
        _ => None,
    }
}

fn order_values(a: Got<'_>, b: Got<'_>) -> Option<Ordering> {
    match (a, b) {
        (Got::Int(x), Got::Int(y)) => Some(x.cmp(&y)),
        (Got::Int(x), Got::Float(y)) => (x as f64).partial_cmp(&y),
        (Got::Float(x), Got::Int(y)) => x.partial_cmp(&(y as f64)),
        (Got::Float(x), Got::Float(y)) => x.partial_cmp(&y),
        (Got::Str(x), Got::Str(y)) => Some(x.cmp(y)),
        (Got::Bool(x), Got::Bool(y)) => Some(x.cmp(&y)),
        _ => None,
    }
}

fn json_equals(value: &Value, lit: &Lit) -> bool {
    order(from_json(value), lit) == Some(Ordering::Equal)
}

/// `got <op> lit`, with null unknown and a missing key false (true for `!=`).
fn compare(got: Got<'_>, op: CmpOp, lit: &Lit) -> Truth {
    match got {
        Got::Null => Truth::Unknown,
        Got::Missing => (op == CmpOp::Ne).into(),
        _ => op.holds(order(got, lit)).into(),
    }
}

/// The literals of an `in` list, sorted by kind so a row is looked up without allocating.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct TermSet {
    ints: Vec<i64>,
    floats: Vec<f64>,
    strs: Vec<String>,
    bools: [bool; 2],
    arrays: Vec<Lit>,
}

impl TermSet {
    pub(crate) fn new(values: &[Lit]) -> Self {
        let mut set = TermSet::default();
        for value in values {
            match value {
                Lit::Int(i) => set.ints.push(*i),
                Lit::Float(f) => set.floats.push(*f),
                Lit::Str(s) => set.strs.push(s.clone()),
                Lit::Bool(b) => set.bools[usize::from(*b)] = true,
                Lit::Array(_) => set.arrays.push(value.clone()),
            }
        }
        set.ints.sort_unstable();
        set.ints.dedup();
        set.strs.sort_unstable();
        set.strs.dedup();
        set
    }

    /// The integer and string keys, for [`Filter::primary_keys`](super::Filter::primary_keys).
    pub(crate) fn keys(&self) -> Vec<super::Key> {
        let ints = self.ints.iter().map(|i| super::Key::Int(*i));
        ints.chain(self.strs.iter().map(|s| super::Key::Str(s.clone()))).collect()
    }

    fn contains(&self, got: Got<'_>) -> bool {
        match got {
            Got::Int(i) => self.ints.binary_search(&i).is_ok() || self.floats.contains(&(i as f64)),
            Got::Float(f) => {
                self.floats.contains(&f) || (f.fract() == 0.0 && self.ints.binary_search(&(f as i64)).is_ok())
            }
            Got::Str(s) => self.strs.binary_search_by(|x| x.as_str().cmp(s)).is_ok(),
            Got::Bool(b) => self.bools[usize::from(b)],
            Got::Json(_) => self.arrays.iter().any(|a| order(got, a) == Some(Ordering::Equal)),
            Got::Null | Got::Missing => false,
        }
    }
}

/// A `like` pattern: `%` matches any run of characters, `_` one character, `\` escapes the next one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Pattern {
    Equal(String),
    Prefix(String),
    Suffix(String),
    Infix(String),
    /// The general case, as a sequence of pieces.
    General(Vec<Piece>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Char(char),
    AnyOne,
    AnyRun,
}

impl Pattern {
    pub(crate) fn new(pattern: &str) -> Self {
        let mut pieces = Vec::new();
        let mut chars = pattern.chars();
        while let Some(c) = chars.next() {
            pieces.push(match c {
                '\\' => chars.next().map_or(Piece::Char('\\'), Piece::Char),
                '%' => Piece::AnyRun,
                '_' => Piece::AnyOne,
                c => Piece::Char(c),
            });
        }
        Self::specialise(pieces)
    }

    fn specialise(pieces: Vec<Piece>) -> Self {
        let literal = |ps: &[Piece]| -> Option<String> {
            ps.iter().map(|p| if let Piece::Char(c) = p { Some(*c) } else { None }).collect()
        };
        let n = pieces.len();
        let starts = n > 0 && pieces[0] == Piece::AnyRun;
        let ends = n > 1 && pieces[n - 1] == Piece::AnyRun;
        if let Some(text) = literal(&pieces) {
            return Pattern::Equal(text);
        }
        if let (false, true, Some(text)) = (starts, ends, literal(&pieces[..n - 1])) {
            return Pattern::Prefix(text);
        }
        if let (true, false, Some(text)) = (starts, ends, literal(pieces.get(1..).unwrap_or_default())) {
            return Pattern::Suffix(text);
        }
        if let (true, true, Some(text)) =
            (starts, ends, literal(pieces.get(1..n.saturating_sub(1)).unwrap_or_default()))
        {
            return Pattern::Infix(text);
        }
        Pattern::General(pieces)
    }

    fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Equal(p) => s == p,
            Pattern::Prefix(p) => s.starts_with(p.as_str()),
            Pattern::Suffix(p) => s.ends_with(p.as_str()),
            Pattern::Infix(p) => s.contains(p.as_str()),
            Pattern::General(pieces) => general_match(pieces, s),
        }
    }
}

/// Wildcard matching with one backtrack point (the last `%`): never exponential, and no allocation.
fn general_match(pieces: &[Piece], s: &str) -> bool {
    let next_len = |t: usize| s[t..].chars().next().map_or(1, char::len_utf8);
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < s.len() {
        let current = s[t..].chars().next();
        match pieces.get(p) {
            Some(Piece::AnyRun) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Piece::AnyOne) => {
                p += 1;
                t += next_len(t);
            }
            Some(Piece::Char(c)) if Some(*c) == current => {
                p += 1;
                t += next_len(t);
            }
            _ => match star {
                Some((sp, st)) => {
                    let resume = st + next_len(st);
                    p = sp + 1;
                    t = resume;
                    star = Some((sp, resume));
                }
                None => return false,
            },
        }
    }
    pieces[p..].iter().all(|piece| *piece == Piece::AnyRun)
}

/// The words of a text as Milvus's default `standard` analyzer cuts them, approximately: runs of letters and
/// digits (any script), compared in lower case.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// A query's tokens, lowercased once at compile time.
pub(crate) fn analyze(query: &str) -> Vec<String> {
    let mut tokens: Vec<String> = words(query).map(str::to_lowercase).collect();
    tokens.sort_unstable();
    tokens.dedup();
    tokens
}

/// A phrase's tokens, lowercased, in order.
pub(crate) fn phrase_tokens(query: &str) -> Vec<String> {
    words(query).map(str::to_lowercase).collect()
}

/// Whether the text holds the phrase's tokens in order with at most `slop` words between them in all. From
/// each place the first token occurs, the earliest following occurrence of each next token gives the tightest
/// chain.
fn phrase_matches(text: &str, phrase: &[String], slop: usize) -> bool {
    let Some((first, rest)) = phrase.split_first() else { return true };
    let words: Vec<&str> = words(text).collect();
    (0..words.len()).filter(|&start| same_lowercase(words[start], first)).any(|start| {
        let mut at = start;
        for token in rest {
            match (at + 1..words.len()).find(|&i| same_lowercase(words[i], token)) {
                Some(next) => at = next,
                None => return false,
            }
        }
        at - start - rest.len() <= slop
    })
}

/// Whether `word` lowercases to `lower`, without allocating.
fn same_lowercase(word: &str, lower: &str) -> bool {
    word.chars().flat_map(char::to_lowercase).eq(lower.chars())
}

fn arith_int(a: i64, op: ArithOp, b: i64) -> Option<i64> {
    match op {
        ArithOp::Add => Some(a.wrapping_add(b)),
        ArithOp::Sub => Some(a.wrapping_sub(b)),
        ArithOp::Mul => Some(a.wrapping_mul(b)),
        ArithOp::Div => a.checked_div(b),
        ArithOp::Mod => a.checked_rem(b),
    }
}

fn arith_float(a: f64, op: ArithOp, b: f64) -> f64 {
    match op {
        ArithOp::Add => a + b,
        ArithOp::Sub => a - b,
        ArithOp::Mul => a * b,
        ArithOp::Div => a / b,
        ArithOp::Mod => a % b,
    }
}

fn arith(got: Got<'_>, op: ArithOp, operand: &Lit) -> Option<Lit> {
    let (a, b) = match (got, operand) {
        (Got::Int(a), Lit::Int(b)) => return arith_int(a, op, *b).map(Lit::Int),
        (Got::Int(a), Lit::Float(b)) => (a as f64, *b),
        (Got::Float(a), Lit::Int(b)) => (a, *b as f64),
        (Got::Float(a), Lit::Float(b)) => (a, *b),
        _ => return None,
    };
    Some(Lit::Float(arith_float(a, op, b)))
}

fn contains(got: Got<'_>, mode: ContainsMode, elements: &[Lit]) -> Truth {
    let items = match got {
        Got::Null => return Truth::Unknown,
        Got::Json(Value::Array(items)) => items,
        _ => return Truth::False,
    };
    let has = |lit: &Lit| items.iter().any(|v| json_equals(v, lit));
    match mode {
        ContainsMode::One | ContainsMode::Any => elements.iter().any(has),
        ContainsMode::All => elements.iter().all(has),
    }
    .into()
}

fn and(a: Truth, b: impl FnOnce() -> Truth) -> Truth {
    match a {
        Truth::False => Truth::False,
        Truth::True => b(),
        Truth::Unknown => match b() {
            Truth::False => Truth::False,
            _ => Truth::Unknown,
        },
    }
}

fn or(a: Truth, b: impl FnOnce() -> Truth) -> Truth {
    match a {
        Truth::True => Truth::True,
        Truth::False => b(),
        Truth::Unknown => match b() {
            Truth::True => Truth::True,
            _ => Truth::Unknown,
        },
    }
}

impl Pred {
    /// The truth of the predicate on one row.
    pub(crate) fn eval<R: RowValues + ?Sized>(&self, row: &R) -> Truth {
        match self {
            Pred::True => Truth::True,
            Pred::Cmp { col, op, value } => compare(read(col, row), *op, value),
            Pred::Range { col, lower, lower_inclusive, upper, upper_inclusive } => {
                let got = read(col, row);
                let low = if *lower_inclusive { CmpOp::Ge } else { CmpOp::Gt };
                let high = if *upper_inclusive { CmpOp::Le } else { CmpOp::Lt };
                and(compare(got, low, lower), || compare(got, high, upper))
            }
            Pred::Term { col, set } => match read(col, row) {
                Got::Null => Truth::Unknown,
                got => set.contains(got).into(),
            },
            Pred::Like { col, pattern } => match read(col, row) {
                Got::Null => Truth::Unknown,
                Got::Str(s) => pattern.matches(s).into(),
                _ => Truth::False,
            },
            Pred::ColumnCmp { left, op, right } => match (read(left, row), read(right, row)) {
                (Got::Null, _) | (_, Got::Null) => Truth::Unknown,
                (a, b) => op.holds(order_values(a, b)).into(),
            },
            Pred::Arith { col, arith: op_kind, operand, op, value } => match read(col, row) {
                Got::Null => Truth::Unknown,
                got => match arith(got, *op_kind, operand) {
                    Some(result) => op.holds(order(lit_as_got(&result), value)).into(),
                    None => (*op == CmpOp::Ne).into(),
                },
            },
            Pred::ArrayLength { col, op, value } => match read(col, row) {
                Got::Null => Truth::Unknown,
                Got::Json(Value::Array(items)) => {
                    op.holds(order(Got::Int(i64::try_from(items.len()).unwrap_or(i64::MAX)), value)).into()
                }
                _ => Truth::False,
            },
            Pred::IsNull { col, not } => (matches!(read(col, row), Got::Null) != *not).into(),
            Pred::Exists { col } => (!matches!(read(col, row), Got::Null | Got::Missing)).into(),
            Pred::Contains { col, mode, elements } => contains(read(col, row), *mode, elements),
            Pred::TextMatch { col, tokens, minimum } => match read(col, row) {
                Got::Null => Truth::Unknown,
                Got::Str(text) => {
                    let found = tokens.iter().filter(|t| words(text).any(|w| same_lowercase(w, t))).count();
                    (found >= *minimum).into()
                }
                _ => Truth::False,
            },
            Pred::PhraseMatch { col, tokens, slop } => match read(col, row) {
                Got::Null => Truth::Unknown,
                Got::Str(text) => phrase_matches(text, tokens, *slop).into(),
                _ => Truth::False,
            },
            Pred::Not(inner) => match inner.eval(row) {
                Truth::True => Truth::False,
                Truth::False => Truth::True,
                Truth::Unknown => Truth::Unknown,
            },
            Pred::And(operands) => operands.iter().fold(Truth::True, |acc, p| and(acc, || p.eval(row))),
            Pred::Or(operands) => operands.iter().fold(Truth::False, |acc, p| or(acc, || p.eval(row))),
        }
    }
}

fn lit_as_got(lit: &Lit) -> Got<'_> {
    match lit {
        Lit::Int(i) => Got::Int(*i),
        Lit::Float(f) => Got::Float(*f),
        Lit::Bool(b) => Got::Bool(*b),
        Lit::Str(s) => Got::Str(s),
        Lit::Array(_) => Got::Missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_specialise_and_escape() {
        assert_eq!(Pattern::new("ab%"), Pattern::Prefix("ab".into()));
        assert_eq!(Pattern::new("%ab"), Pattern::Suffix("ab".into()));
        assert_eq!(Pattern::new("%ab%"), Pattern::Infix("ab".into()));
        assert_eq!(Pattern::new("a\\%b"), Pattern::Equal("a%b".into()));
        assert!(Pattern::new("a_c%").matches("abcdef"));
        assert!(!Pattern::new("a_c%").matches("ac"));
        assert!(Pattern::new("%a%b%c").matches("xxaxxbxxc"));
        assert!(!Pattern::new("%a%b%c").matches("xxaxxcxxb"));
        assert!(Pattern::new("%").matches(""));
        assert!(Pattern::new("_é_").matches("aéb"));
    }

    #[test]
    fn kleene_tables() {
        use Truth::*;
        assert_eq!(and(Unknown, || False), False);
        assert_eq!(and(Unknown, || True), Unknown);
        assert_eq!(or(Unknown, || True), True);
        assert_eq!(or(Unknown, || False), Unknown);
    }
}

//! Milvus boolean filter expressions: a parser, a type checker and an evaluator, with Milvus's error texts.
//!
//! [`compile`] turns the `filter` of a query, search or delete (plus its `exprParams`) into a [`Filter`] for one
//! collection's schema: names are resolved to field positions once, so [`Filter::matches`] is a cheap walk over
//! a row that implements [`RowValues`]. The module is pure: no HTTP, no catalog locks, no I/O.
//!
//! What is supported, what is not, and how errors are worded: `src/filter/README.md` ("Supported filter
//! grammar"). The Milvus side is `internal/parser/planparserv2/` (`Plan.g4`, `parser_visitor.go`, `utils.go`).
//!
//! ```
//! use milvus_mock::catalog::{CollectionSpec, DataType, Field};
//! use milvus_mock::filter::{compile, Cell, RowValues};
//!
//! let mut id = Field::new(100, "id", DataType::Int64);
//! id.primary_key = true;
//! let spec = CollectionSpec::new("c", vec![id, Field::new(101, "color", DataType::VarChar)]);
//! struct Row(i64, &'static str);
//! impl RowValues for Row {
//!     fn value(&self, field: usize) -> Cell<'_> {
//!         if field == 0 { Cell::Int(self.0) } else { Cell::Str(self.1) }
//!     }
//!     fn meta(&self) -> Option<&serde_json::Value> { None }
//! }
//! let filter = compile(r#"id > 1 and color like "re%""#, None, &spec).unwrap();
//! assert!(filter.matches(&Row(2, "red")) && !filter.matches(&Row(1, "red")));
//!
//! let err = compile("size > 1", None, &spec).unwrap_err();
//! assert_eq!(err.code, 1100);
//! assert_eq!(err.message, "failed to create query plan: cannot parse expression: size > 1, error: field size not exist: invalid parameter");
//! ```

mod check;
mod eval;
#[doc(hidden)]
pub mod fuzzing;
mod lexer;
mod parser;

use serde_json::{Map, Value};

use crate::catalog::CollectionSpec;
use check::{Checker, RootError};
use eval::{CmpOp, Lit, Pred, Source, Truth};

/// One cell of a row, as the evaluator reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// The null of a nullable field.
    Null,
    Bool(bool),
    /// Every integer type (Int8 to Int64).
    Int(i64),
    /// Float and Double.
    Float(f64),
    /// VarChar and String.
    Str(&'a str),
    /// JSON fields, and Array fields as a JSON array.
    Json(&'a Value),
    /// A vector: not filterable.
    Vector,
}

/// Read access to one row, by field position in `spec.fields`.
pub trait RowValues {
    /// The value of schema field number `field` (its position in `spec.fields`) in this row.
    fn value(&self, field: usize) -> Cell<'_>;
    /// The dynamic field's object (`$meta`), if the collection has one and the row carries it.
    fn meta(&self) -> Option<&Value>;
}

/// A primary key named by a filter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    Int(i64),
    Str(String),
}

/// A bad filter: the code and full message REST answers (`failed to create query plan: ...: invalid parameter`,
/// code 1100, from the proxy's `merr.WrapErrParameterInvalidMsg("failed to create query plan: %v", err)`).
#[derive(Debug, Clone, PartialEq)]
pub struct FilterError {
    pub code: i32,
    pub message: String,
}

/// The code of every filter error: `ErrParameterInvalid`.
const PARAMETER_INVALID: i32 = 1100;
const QUERY_PREFIX: &str = "failed to create query plan: ";

impl FilterError {
    fn new(detail: &str) -> Self {
        Self { code: PARAMETER_INVALID, message: format!("{QUERY_PREFIX}{detail}: invalid parameter") }
    }

    /// The same error as `entities/delete` words it (`failed to create delete plan: ...`, the proxy's delete task).
    ///
    /// ```
    /// # let spec = milvus_mock::catalog::CollectionSpec::new("c", vec![]);
    /// let err = milvus_mock::filter::compile("x == 1", None, &spec).unwrap_err().for_delete();
    /// assert_eq!(err.message, "failed to create delete plan: cannot parse expression: x == 1, error: field x not exist: invalid parameter");
    /// ```
    pub fn for_delete(self) -> Self {
        let rest = self.message.strip_prefix(QUERY_PREFIX).unwrap_or(&self.message);
        Self { code: self.code, message: format!("failed to create delete plan: {rest}") }
    }
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FilterError {}

/// Every filter error is an `ErrParameterInvalid` (1100) whose message is already complete.
///
/// ```
/// # use milvus_mock::catalog::{CollectionSpec, ConsistencyLevel};
/// # let spec = CollectionSpec { name: "c".into(), description: String::new(), fields: vec![], functions: vec![],
/// #     enable_dynamic_field: false, shards_num: 1, consistency_level: ConsistencyLevel::Bounded,
/// #     properties: vec![], partition_key_partitions: 0 };
/// let err: milvus_mock::Error = milvus_mock::filter::compile("x == 1", None, &spec).unwrap_err().into();
/// assert_eq!(err.code(&Default::default()), 1100);
/// ```
impl From<FilterError> for crate::error::Error {
    fn from(e: FilterError) -> Self {
        crate::error::Error::InvalidParameter(e.message)
    }
}

/// A compiled filter: field names resolved to positions in `spec.fields`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    pred: Pred,
    keys: Option<Vec<Key>>,
}

impl Filter {
    /// Whether the row passes the filter. A comparison on a null cell is unknown, and only rows for which the
    /// whole filter is true pass, so `a > 1` and `not (a > 1)` both skip rows where `a` is null.
    pub fn matches(&self, row: &impl RowValues) -> bool {
        self.pred.eval(row) == Truth::True
    }

    /// When the whole filter is `pk in [..]` / `pk == x` (what `entities/get` and pymilvus `get` send), the keys,
    /// so callers can skip a scan.
    pub fn primary_keys(&self) -> Option<&[Key]> {
        self.keys.as_deref()
    }

    /// Whether the filter is the empty expression (matches every row).
    pub fn is_always_true(&self) -> bool {
        self.pred == Pred::True
    }
}

/// Compiles `expr` for a collection, filling `{name}` templates from `params` (the request's `exprParams`).
/// An empty (or blank) expression matches every row.
pub fn compile(expr: &str, params: Option<&Map<String, Value>>, spec: &CollectionSpec) -> Result<Filter, FilterError> {
    if expr.trim().is_empty() {
        return Ok(Filter { pred: Pred::True, keys: None });
    }
    let pred = predicate(expr, params, spec)?;
    let keys = primary_keys(&pred, spec);
    Ok(Filter { pred, keys })
}

fn predicate(expr: &str, params: Option<&Map<String, Value>>, spec: &CollectionSpec) -> Result<Pred, FilterError> {
    let cannot_parse = |detail: String| FilterError::new(&format!("cannot parse expression: {expr}, error: {detail}"));
    let tokens = lexer::tokenize(expr).map_err(|e| cannot_parse(e.0))?;
    let (node, end) = parser::parse(&tokens).map_err(cannot_parse)?;
    if tokens[end].kind != lexer::Tok::Eof {
        return Err(cannot_parse(format!("invalid expression: {expr}")));
    }
    let mut checker = Checker { tokens: &tokens, spec, params, fill_error: None };
    let pred = checker.check_root(&node, expr).map_err(|e| match e {
        RootError::Visit(detail) => cannot_parse(detail),
        RootError::NotBoolean(detail) => FilterError::new(&detail),
    })?;
    match checker.fill_error {
        Some(detail) => Err(FilterError::new(&detail)),
        None => Ok(pred),
    }
}

/// The keys of a filter that is exactly `pk in [...]` or `pk == x` on the primary key.
fn primary_keys(pred: &Pred, spec: &CollectionSpec) -> Option<Vec<Key>> {
    let pk = spec.fields.iter().position(|f| f.primary_key)?;
    let on_pk = |col: &eval::Col| col.source == Source::Field(pk) && col.path.is_empty();
    match pred {
        Pred::Term { col, set } if on_pk(col) => Some(set.keys()),
        Pred::Cmp { col, op: CmpOp::Eq, value } if on_pk(col) => match value {
            Lit::Int(i) => Some(vec![Key::Int(*i)]),
            Lit::Str(s) => Some(vec![Key::Str(s.clone())]),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

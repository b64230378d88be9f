//! The data plane's view of a `filter` expression ([`crate::filter`]): which stored rows match, and whether the
//! expression only lists primary keys (a "simple" delete, which Milvus runs without a query, contract part 2
//! §C.4, and a lookup through the key index instead of a scan).

use serde_json::{Map, Value};

use super::PartitionRows;
use super::column::Values;
use crate::catalog::CollectionSpec;
use crate::error::Error;
use crate::filter::{self, Cell, Filter, Key, RowValues};

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate(Filter);

impl Predicate {
    /// Compiles `expr` (with `exprParams` templates) against the schema; a bad expression is Milvus's 1100.
    pub fn compile(expr: &str, params: Option<&Map<String, Value>>, spec: &CollectionSpec) -> Result<Self, Error> {
        Ok(Self(filter::compile(expr, params, spec)?))
    }

    /// [`Predicate::compile`] with the delete task's wording of errors (`failed to create delete plan`).
    pub fn compile_for_delete(
        expr: &str,
        params: Option<&Map<String, Value>>,
        spec: &CollectionSpec,
    ) -> Result<Self, Error> {
        Ok(Self(filter::compile(expr, params, spec).map_err(|e| e.for_delete())?))
    }

    /// The keys, when the expression only lists primary keys.
    pub fn primary_keys(&self) -> Option<&[Key]> {
        self.0.primary_keys()
    }

    /// Whether the expression matches every row (empty).
    pub fn is_everything(&self) -> bool {
        self.0.is_always_true()
    }

    /// Whether row `row` of `part` matches.
    pub fn matches(&self, part: &PartitionRows, row: usize) -> bool {
        self.is_everything() || self.0.matches(&StoredRow { part, row })
    }
}

/// One stored row, as the filter reads it.
struct StoredRow<'a> {
    part: &'a PartitionRows,
    row: usize,
}

impl RowValues for StoredRow<'_> {
    fn value(&self, field: usize) -> Cell<'_> {
        let column = &self.part.columns[field];
        let i = self.row;
        if !column.is_valid(i) {
            return Cell::Null;
        }
        match &column.values {
            Values::Bool(v) => Cell::Bool(v[i]),
            Values::Int8(v) => Cell::Int(i64::from(v[i])),
            Values::Int16(v) => Cell::Int(i64::from(v[i])),
            Values::Int32(v) => Cell::Int(i64::from(v[i])),
            Values::Int64(v) => Cell::Int(v[i]),
            Values::Float(v) => Cell::Float(f64::from(v[i])),
            Values::Double(v) => Cell::Float(v[i]),
            Values::Str(v) => Cell::Str(&v[i]),
            Values::Json(v) => Cell::Json(&v[i]),
            _ => Cell::Vector,
        }
    }

    fn meta(&self) -> Option<&Value> {
        self.part.meta.as_ref().map(|m| &m[self.row]).filter(|v| !v.is_null())
    }
}

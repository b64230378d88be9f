//! The data plane's view of a `filter` expression: which rows match, and whether the expression only lists
//! primary keys (a "simple" delete, which Milvus runs without a query, contract part 2 §C.4).
//!
//! Until the expression module lands this understands the forms the data plane itself depends on: an empty
//! filter (every row), `<pk> in [..]` and `<pk> == <v>`. Anything else is Milvus's 1100 parse error.

use serde_json::{Map, Value};

use super::{Key, PartitionRows};
use crate::catalog::{CollectionSpec, DataType};
use crate::error::Error;

/// A compiled filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicate {
    keys: Option<Vec<Key>>,
}

impl Predicate {
    /// Compiles `expr` (with `exprParams` templates) against the schema.
    pub fn compile(expr: &str, params: Option<&Map<String, Value>>, spec: &CollectionSpec) -> Result<Self, Error> {
        let trimmed = expr.trim();
        if trimmed.is_empty() {
            return Ok(Self { keys: None });
        }
        pk_list(trimmed, params, spec).map(|keys| Self { keys: Some(keys) }).ok_or_else(|| {
            Error::InvalidParameter(format!(
                "failed to create query plan: cannot parse expression: {expr}, error: unsupported expression: invalid parameter"
            ))
        })
    }

    /// The keys, when the expression only lists primary keys.
    pub fn primary_keys(&self) -> Option<&[Key]> {
        self.keys.as_deref()
    }

    /// Whether the expression matches every row (empty).
    pub fn is_everything(&self) -> bool {
        self.keys.is_none()
    }

    /// Whether row `row` of `part` matches.
    pub fn matches(&self, part: &PartitionRows, row: usize) -> bool {
        match &self.keys {
            None => true,
            Some(keys) => keys.contains(&part.keys[row]),
        }
    }
}

/// `<pk> in [a, b]` or `<pk> == a` (a template `{name}` reads `exprParams`).
fn pk_list(expr: &str, params: Option<&Map<String, Value>>, spec: &CollectionSpec) -> Option<Vec<Key>> {
    let pk = spec.fields.iter().find(|f| f.primary_key)?;
    let rest = expr.strip_prefix(pk.name.as_str())?.trim_start();
    let (list, single) = if let Some(r) = rest.strip_prefix("in") {
        (r.trim(), false)
    } else if let Some(r) = rest.strip_prefix("==") {
        (r.trim(), true)
    } else {
        return None;
    };
    let value: Value = match list.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
        Some(name) => params?.get(name.trim())?.clone(),
        None => json5ish(list)?,
    };
    let items = match (single, value) {
        (true, v) if !v.is_array() => vec![v],
        (false, Value::Array(items)) => items,
        _ => return None,
    };
    items
        .into_iter()
        .map(|v| match (pk.data_type, v) {
            (DataType::Int64, Value::Number(n)) => n.as_i64().map(Key::Int),
            (DataType::VarChar, Value::String(s)) => Some(Key::Str(s)),
            _ => None,
        })
        .collect()
}

/// A literal list or value, with single-quoted strings read as double-quoted ones.
fn json5ish(text: &str) -> Option<Value> {
    serde_json::from_str(text).ok().or_else(|| serde_json::from_str(&text.replace('\'', "\"")).ok())
}

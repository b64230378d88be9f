//! The body of the `filter` fuzz target (`fuzz/fuzz_targets/filter.rs`), shared with a property test so that
//! `cargo test` checks the same no-panic property on random input.

use serde_json::{Map, Value, json};

use super::{Cell, RowValues, compile};
use crate::catalog::{CollectionSpec, DataType, Field};

/// A schema with a field of every filterable kind, nullable ones, a vector and the dynamic field.
pub fn schema() -> CollectionSpec {
    let field = |id: i64, name: &str, data_type: DataType| Field::new(id, name, data_type);
    let mut pk = field(100, "id", DataType::Int64);
    pk.primary_key = true;
    let mut age = field(103, "age", DataType::Int16);
    age.nullable = true;
    let mut tags = field(108, "tags", DataType::Array);
    tags.element_type = Some(DataType::VarChar);
    let mut nums = field(109, "nums", DataType::Array);
    nums.element_type = Some(DataType::Int64);
    CollectionSpec {
        enable_dynamic_field: true,
        ..CollectionSpec::new(
            "fuzz",
            vec![
                pk,
                field(101, "name", DataType::VarChar),
                field(102, "flag", DataType::Bool),
                age,
                field(104, "score", DataType::Float),
                field(105, "ratio", DataType::Double),
                field(106, "meta", DataType::Json),
                field(107, "text", DataType::Text),
                tags,
                nums,
                field(110, "vector", DataType::FloatVector),
            ],
        )
    }
}

/// One row of [`schema`]: JSON cells in field order (`null` is a null cell), and `$meta`.
pub struct FuzzRow {
    cells: Vec<Value>,
    meta: Value,
}

impl FuzzRow {
    /// Two rows: one with every value set, one with nulls, empty arrays and an empty `$meta`.
    pub fn samples() -> [FuzzRow; 2] {
        let full = json!([7, "apple", true, 30, 1.5, -2.25, {"a": 1, "b": {"c": [1, "x", null]}}, "t", ["red"], [1, 2], [0.5]]);
        let sparse = json!([-1, "", false, null, 0.0, 0.0, null, "", [], [], [0.0]]);
        [
            FuzzRow { cells: as_cells(full), meta: json!({"color": "red", "n": 2, "list": [1, 2]}) },
            FuzzRow { cells: as_cells(sparse), meta: json!({}) },
        ]
    }
}

fn as_cells(row: Value) -> Vec<Value> {
    match row {
        Value::Array(cells) => cells,
        _ => Vec::new(),
    }
}

impl RowValues for FuzzRow {
    fn value(&self, field: usize) -> Cell<'_> {
        match (field, self.cells.get(field)) {
            (_, None | Some(Value::Null)) => Cell::Null,
            (10, _) => Cell::Vector,
            (6 | 8 | 9, Some(v)) => Cell::Json(v),
            (_, Some(Value::Bool(b))) => Cell::Bool(*b),
            (_, Some(Value::String(s))) => Cell::Str(s),
            (_, Some(Value::Number(n))) => n.as_i64().map_or(Cell::Float(n.as_f64().unwrap_or(0.0)), Cell::Int),
            (_, Some(v)) => Cell::Json(v),
        }
    }

    fn meta(&self) -> Option<&Value> {
        Some(&self.meta)
    }
}

/// The template values every fuzz input may use.
pub fn params() -> Map<String, Value> {
    let params = json!({"ids": [1, 2, 7], "n": 3, "f": 1.5, "s": "apple", "b": true, "l": ["red", 1]});
    match params {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Compiles `input` (lossily decoded) against [`schema`] and evaluates it on [`FuzzRow::samples`]; panics only
/// on a broken invariant (an error that is not 1100 or not in Milvus's wrapping).
pub fn compile_and_evaluate(input: &[u8]) {
    let expr = String::from_utf8_lossy(input);
    let spec = schema();
    let params = params();
    match compile(&expr, Some(&params), &spec) {
        Ok(filter) => {
            for row in &FuzzRow::samples() {
                let _ = filter.matches(row);
            }
            let _ = filter.primary_keys();
        }
        Err(e) => {
            assert_eq!(e.code, 1100, "{}", e.message);
            assert!(e.message.starts_with("failed to create query plan: "), "{}", e.message);
            assert!(e.message.ends_with(": invalid parameter"), "{}", e.message);
            let _ = e.for_delete();
        }
    }
}

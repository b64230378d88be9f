//! Stored rows back to REST's JSON (contract part 2 §C.5, Milvus `buildQueryResp`): one object per row with the
//! output fields under their names (serde_json's map keeps keys sorted, as Go's map marshalling does), Int64 values
//! as numbers or, when `Accept-Type-Allow-Int64` is false, as strings (§C.6), floats in float32's shortest form,
//! Float16/BFloat16/Binary vectors as base64, sparse vectors as `{"<index>": value}`, a JSON field as a
//! JSON-encoded string, dynamic keys at the top level, and `null` for a null value.

use base64::Engine;
use serde_json::{Map, Value};

use super::column::{Column, Values};
use super::{Key, PartitionRows};
use crate::catalog::{CollectionSpec, DataType};

/// Which values a rendered row carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Output {
    /// Schema positions of the fields to show.
    pub fields: Vec<usize>,
    /// Every dynamic key (`*`).
    pub all_dynamic: bool,
    /// Dynamic keys named one by one.
    pub dynamic: Vec<String>,
    /// Int64 values as JSON numbers (`Accept-Type-Allow-Int64: true`, 2.6's default) or strings.
    pub int64_as_number: bool,
}

/// Why output fields could not be resolved, displayed as the proxy words it (both are 65535 errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputError {
    /// A name that is neither a field nor (without dynamic fields) a key.
    Unknown(String),
    /// A function's output field (BM25's sparse vector) named explicitly: Milvus keeps no raw data for it
    /// (`translateOutputFields`, `CanRetrieveRawFieldData`).
    NotRetrievable(String),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unknown(name) => write!(f, "parse output field name failed: {name}"),
            Self::NotRetrievable(name) => write!(f, "not allowed to retrieve raw data of field {name}"),
        }
    }
}

impl Output {
    /// Resolves `outputFields` against the schema: `*` is every field whose raw data Milvus keeps (not a
    /// function's output) and every dynamic key; a schema name is that field (an error for a function's output);
    /// any other name is a dynamic key on a dynamic collection, an error otherwise. The primary key is added when
    /// `with_pk` (query and get always show it).
    pub fn resolve(
        spec: &CollectionSpec,
        names: &[String],
        with_pk: bool,
        int64_as_number: bool,
    ) -> Result<Output, OutputError> {
        let mut out = Output { int64_as_number, ..Output::default() };
        for name in names {
            let name = name.trim();
            if name == "*" {
                out.fields = (0..spec.fields.len()).filter(|&f| !spec.fields[f].function_output).collect();
                out.all_dynamic = spec.enable_dynamic_field;
            } else if let Some(position) = spec.fields.iter().position(|f| f.name == name) {
                if spec.fields[position].function_output {
                    return Err(OutputError::NotRetrievable(name.to_string()));
                }
                out.fields.push(position);
            } else if spec.enable_dynamic_field && !name.is_empty() {
                out.dynamic.push(name.to_string());
            } else {
                return Err(OutputError::Unknown(name.to_string()));
            }
        }
        if with_pk {
            out.fields.extend(spec.fields.iter().position(|f| f.primary_key));
        }
        out.fields.sort_unstable();
        out.fields.dedup();
        Ok(out)
    }

    /// One stored row as a JSON object.
    pub fn row(&self, spec: &CollectionSpec, part: &PartitionRows, row: usize) -> Map<String, Value> {
        let mut object = Map::new();
        for &position in &self.fields {
            let field = &spec.fields[position];
            object.insert(field.name.clone(), cell_json(field.data_type, &part.columns[position], row, self));
        }
        if let Some(Value::Object(meta)) = part.meta.as_ref().map(|m| &m[row]) {
            for (k, v) in meta {
                if self.all_dynamic || self.dynamic.iter().any(|d| d == k) {
                    object.insert(k.clone(), v.clone());
                }
            }
        }
        object
    }

    /// A primary key as this output writes Int64 values.
    pub fn key(&self, key: &Key) -> Value {
        match key {
            Key::Int(i) => self.int64(*i),
            Key::Str(s) => Value::from(s.as_str()),
        }
    }

    fn int64(&self, i: i64) -> Value {
        if self.int64_as_number { Value::from(i) } else { Value::from(i.to_string()) }
    }
}

/// A float32 as Go prints it: its shortest decimal form (`0.1`, not `0.10000000149011612`).
pub fn f32_json(f: f32) -> Value {
    if !f.is_finite() {
        return Value::Null;
    }
    Value::from(format!("{f}").parse::<f64>().unwrap_or(f64::from(f)))
}

fn cell_json(data_type: DataType, column: &Column, row: usize, out: &Output) -> Value {
    if !column.is_valid(row) {
        return Value::Null;
    }
    let base64 = |bytes: &[u8]| Value::from(base64::engine::general_purpose::STANDARD.encode(bytes));
    match &column.values {
        Values::Bool(v) => Value::from(v[row]),
        Values::Int8(v) => Value::from(v[row]),
        Values::Int16(v) => Value::from(v[row]),
        Values::Int32(v) => Value::from(v[row]),
        Values::Int64(v) => out.int64(v[row]),
        Values::Float(v) => f32_json(v[row]),
        Values::Double(v) => Value::from(v[row]),
        Values::Str(v) => Value::from(v[row].as_str()),
        Values::Json(v) if data_type == DataType::Json => Value::from(v[row].to_string()),
        Values::Json(v) => v[row].clone(),
        Values::FloatVector { dim, data } => data[row * dim..(row + 1) * dim].iter().map(|&f| f32_json(f)).collect(),
        Values::PackedVector { dim, data, .. } if data_type == DataType::Int8Vector => {
            data[row * dim..(row + 1) * dim].iter().map(|&f| Value::from(f as i64)).collect()
        }
        Values::PackedVector { raw, bytes_per_row, .. } => base64(&raw[row * bytes_per_row..(row + 1) * bytes_per_row]),
        Values::BinaryVector { dim, data } => {
            let width = dim.div_ceil(8);
            base64(&data[row * width..(row + 1) * width])
        }
        Values::Sparse(v) => {
            let sparse = &v[row];
            Value::Object(
                sparse.indices.iter().zip(&sparse.values).map(|(i, f)| (i.to_string(), f32_json(*f))).collect(),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_in_float32_shortest_form() {
        assert_eq!(f32_json(0.1).to_string(), "0.1");
        assert_eq!(f32_json(0.9128709).to_string(), "0.9128709");
    }
}

//! Search by primary keys (Milvus 2.6's `SearchRequest.ids`, pymilvus's `search(ids=...)`): the query vectors are
//! the stored vectors of the keys named, read from the search's anns field, then the search runs as with vectors
//! (`handleIfSearchByPK` in `internal/proxy/impl.go`, which queries the keys' vectors first).
//!
//! Texts from Milvus's own tests of the feature (`tests/python_client/milvus_client_v2/
//! test_milvus_client_search_by_pk.py`): `anns_field is required for search by IDs` and `some of the provided
//! primary key IDs do not exist: missing IDs = [...]`. Their codes are not in those tests; the mock answers them
//! as invalid parameters (1100). A key named twice gets Milvus's current answer, the missing-IDs error with an
//! empty list (milvus-io/milvus#46740, still open when those tests were written).

use std::collections::HashSet;

use base64::Engine;
use milvus::proto::schema::{IDs, i_ds};
use serde_json::Value;

use crate::catalog::{DataType, ReadTarget};
use crate::error::Error;
use crate::rows::Key;
use crate::rows::convert::f16_to_f32;
use crate::rows::render::Output;

/// The query vectors of `ids` for a search of `anns_field`, as REST's `data` holds query vectors. A field that is
/// not a vector field gives no vectors: the search's own check then refuses the field.
pub(super) fn vectors_of_keys(target: &ReadTarget, anns_field: &str, ids: IDs) -> Result<Value, Error> {
    if anns_field.is_empty() {
        return Err(invalid("anns_field is required for search by IDs".into()));
    }
    target.check_loaded()?;
    let Some(position) = target.spec.fields.iter().position(|f| f.name == anns_field && f.is_vector()) else {
        return Ok(Value::Array(Vec::new()));
    };
    let keys = keys_of(ids);
    let mut seen = HashSet::new();
    if !keys.iter().all(|k| seen.insert(k)) {
        return Err(missing(&[]));
    }
    let output = Output { fields: vec![position], ..Output::default() };
    let field = &target.spec.fields[position];
    let rows = target.rows.read();
    let mut vectors = Vec::with_capacity(keys.len());
    let mut absent = Vec::new();
    for key in &keys {
        let stored = target.partitions.iter().filter_map(|id| rows.partition(*id)).find_map(|part| {
            let row = *part.rows_of(key).last()?;
            output.row(&target.spec, part, row).remove(&field.name)
        });
        match stored {
            Some(cell) => vectors.push(query_vector(field.data_type, cell)),
            None => absent.push(key),
        }
    }
    if !absent.is_empty() {
        return Err(missing(&absent));
    }
    Ok(Value::Array(vectors))
}

fn invalid(text: String) -> Error {
    Error::InvalidParameter(format!("{text}: invalid parameter"))
}

/// `missing IDs = [3 4]`, as Go prints a slice.
fn missing(keys: &[&Key]) -> Error {
    let listed: Vec<String> = keys
        .iter()
        .map(|k| match k {
            Key::Int(i) => i.to_string(),
            Key::Str(s) => s.clone(),
        })
        .collect();
    invalid(format!("some of the provided primary key IDs do not exist: missing IDs = [{}]", listed.join(" ")))
}

fn keys_of(ids: IDs) -> Vec<Key> {
    match ids.id_field {
        Some(i_ds::IdField::IntId(a)) => a.data.into_iter().map(Key::Int).collect(),
        Some(i_ds::IdField::StrId(a)) => a.data.into_iter().map(Key::Str).collect(),
        Some(i_ds::IdField::UuidId(_)) | None => Vec::new(),
    }
}

/// A stored vector as rendered (binary and half-precision vectors as base64) turned into a query vector: bytes
/// as a list for binary vectors, floats for the half-precision ones, the rest as rendered.
fn query_vector(data_type: DataType, cell: Value) -> Value {
    let bytes =
        || base64::engine::general_purpose::STANDARD.decode(cell.as_str().unwrap_or_default()).unwrap_or_default();
    let halves = |widen: fn(u16) -> f32| -> Value {
        bytes().chunks_exact(2).map(|b| Value::from(f64::from(widen(u16::from_le_bytes([b[0], b[1]]))))).collect()
    };
    match data_type {
        DataType::BinaryVector => bytes().into_iter().map(Value::from).collect(),
        DataType::Float16Vector => halves(f16_to_f32),
        DataType::BFloat16Vector => halves(|bits| f32::from_bits(u32::from(bits) << 16)),
        _ => cell,
    }
}

//! The data-plane RPCs (`Insert`, `Upsert`, `Delete`, `Query`, `Search`, `Flush`) over the rows REST serves.
//!
//! Each RPC reuses the REST data plane rather than a second copy of it: the catalog's gate
//! ([`Catalog::write_target`], [`Catalog::read_target`]: 100, 200, 65535, then 101/103/201), the row conversion
//! and its checks ([`crate::rows::convert`]), the filter, the query rules (`empty expression should be used with
//! limit`, the result window, `count(*)`) and the search preparation. What is gRPC's own is the shape of the
//! messages:
//!
//! * **In**: `Insert`/`Upsert` carry columnar `FieldData`. They are turned into the JSON rows REST's `data` holds
//!   (one object per row; vectors as lists, binary and half-precision vectors as base64, sparse vectors as
//!   `{"<index>": value}`, JSON fields as their value, the `$meta` column's keys at the top level) and handed to
//!   REST's `entities/insert` and `upsert` handlers, so a row stored over gRPC is the row REST would store, with
//!   the same checks in the same order. The JSON step costs a copy of the data; it buys one conversion and one set
//!   of checks. Before it, [`super::validate`] runs the proxy's own column checks with gRPC Milvus's texts.
//!   `Delete` and `Query` likewise go through REST's handlers; `Search` reuses REST's preparation and scan.
//! * **Errors**: what only REST's handlers say is said as the proxy says it ([`proxy_error`]): a missing
//!   collection is `collection not found[database=..][collection=..]` (the proxy's meta cache), never REST's
//!   schema pre-fetch `can't find collection[...]`.
//! * **Filter templates**: `expr_template_values` (pymilvus's `filter_params`) become REST's `exprParams`
//!   ([`template_params`]).
//! * **Out**: `Query` and `Search` render rows as REST does ([`Output::row`]) and lay them out by column
//!   ([`columns`]): one `FieldData` per output field in schema order, nulls in `valid_data`, dynamic keys in an
//!   `is_dynamic` `$meta` JSON column, and `output_fields` naming the schema fields (`$meta` for `*`) and the
//!   dynamic keys asked for, which is how pymilvus picks the keys to show.

use std::collections::HashMap;

use base64::Engine;
use milvus::proto::common::{PlaceholderGroup, PlaceholderType};
use milvus::proto::milvus as pb;
use milvus::proto::schema::{
    self, ArrayArray, BoolArray, BytesArray, DoubleArray, FieldData, FloatArray, IDs, IntArray, JsonArray, LongArray,
    ScalarField, SearchResultData, SparseFloatArray, StringArray, TemplateArrayValue, TemplateValue, VectorField,
    field_data, i_ds, scalar_field, template_array_value, template_value, vector_field,
};
use prost::Message;
use serde_json::{Map, Value};

use super::convert::now_ms;
use super::{by_keys, validate};
use crate::api::entities::{
    DataReq, FilterReq, QueryReq, delete_entities, insert_entities, query_entities, upsert_entities,
};
use crate::api::search::{Grouping, HybridReq, SearchPart, check_metric, hybrid_search_entities, output_of, prepare};
use crate::catalog::{Catalog, CollectionSpec, DataType, Field, Lookup};
use crate::envelope::Reply;
use crate::error::{BindError, Error};
use crate::rows::column::dim_of;
use crate::rows::convert::f16_to_f32;
use crate::rows::render::Output;
use crate::rows::vector_search;
use crate::rows::{Key, Rows};

/// The dynamic field's name in Milvus's schema and results.
const META: &str = "$meta";

// ---- Insert, Upsert, Delete, Flush ----

/// How the proxy words what only REST's handlers say: a missing collection as its meta cache does (REST's
/// schema pre-fetch says `can't find collection`), and a request shape REST's binding refuses (1801 `can only
/// accept json format request, error: <detail>`) as the plain error `<detail>` (65535; the proxy's own text for
/// these, a search's vector field or query vector size, is not confirmed).
pub(super) fn proxy_error(e: Error) -> Error {
    match e {
        Error::CollectionNotFoundDescribe { db, name } => Error::CollectionNotFound { db, name },
        Error::Binding(BindError::BadJson(detail)) => Error::Plain(detail),
        e => e,
    }
}

pub(super) fn insert(catalog: &Catalog, db: &str, r: pb::InsertRequest) -> Result<pb::MutationResult, Error> {
    check_columns(catalog, db, &r.collection_name, &r.fields_data, r.num_rows, true)?;
    let request = data_request(db, r.collection_name, r.partition_name, false, &r.fields_data, r.num_rows)?;
    let keys = written_keys(insert_entities(catalog, db, request).map_err(proxy_error)?, "insertIds");
    Ok(pb::MutationResult { insert_cnt: keys.len() as i64, ..mutation(keys) })
}

/// `Upsert`, with 2.6's `partial_update` as REST's `partialUpdate`.
pub(super) fn upsert(catalog: &Catalog, db: &str, r: pb::UpsertRequest) -> Result<pb::MutationResult, Error> {
    check_columns(catalog, db, &r.collection_name, &r.fields_data, r.num_rows, false)?;
    let request = data_request(db, r.collection_name, r.partition_name, r.partial_update, &r.fields_data, r.num_rows)?;
    let keys = written_keys(upsert_entities(catalog, db, request).map_err(proxy_error)?, "upsertIds");
    Ok(pb::MutationResult { upsert_cnt: keys.len() as i64, ..mutation(keys) })
}

/// The collection first (the proxy's wording when it is missing), then the proxy's column checks.
fn check_columns(
    catalog: &Catalog,
    db: &str,
    collection: &str,
    fields: &[FieldData],
    num_rows: u32,
    insert: bool,
) -> Result<(), Error> {
    let spec = catalog.collection(db, collection, |c| c.spec.clone())?;
    validate::check_columns(&spec, fields, num_rows, insert)
}

/// REST's insert/upsert request for the columns of a gRPC one.
fn data_request(
    db: &str,
    collection_name: String,
    partition_name: String,
    partial_update: bool,
    fields: &[FieldData],
    num_rows: u32,
) -> Result<DataReq, Error> {
    Ok(DataReq {
        db_name: db.to_string(),
        collection_name,
        partition_name,
        partial_update,
        data: Some(rows_json(fields, num_rows as usize)?),
        int64_as_number: true,
    })
}

/// The keys REST's answer lists under `ids` (Int64 keys as numbers, VarChar keys as strings).
fn written_keys(reply: Reply, ids: &str) -> Vec<Key> {
    let Reply::Body(body) = reply else { return Vec::new() };
    let listed = body.get("data").and_then(|d| d.get(ids)).and_then(Value::as_array);
    listed
        .into_iter()
        .flatten()
        .filter_map(|id| match id {
            Value::String(s) => Some(Key::Str(s.clone())),
            other => other.as_i64().map(Key::Int),
        })
        .collect()
}

/// A successful mutation: the keys in request order, every row a success, a fresh hybrid timestamp.
fn mutation(keys: Vec<Key>) -> pb::MutationResult {
    pb::MutationResult {
        status: Some(Default::default()),
        succ_index: (0..keys.len() as u32).collect(),
        i_ds: Some(ids(keys.iter())),
        timestamp: now_ms() << 18,
        ..Default::default()
    }
}

/// `IDs`: `int_id` for Int64 keys, `str_id` for VarChar ones.
fn ids<'a>(keys: impl Iterator<Item = &'a Key>) -> IDs {
    let mut ints = Vec::new();
    let mut strs = Vec::new();
    for key in keys {
        match key {
            Key::Int(i) => ints.push(*i),
            Key::Str(s) => strs.push(s.clone()),
        }
    }
    let id_field = if strs.is_empty() {
        i_ds::IdField::IntId(LongArray { data: ints })
    } else {
        i_ds::IdField::StrId(StringArray { data: strs })
    };
    IDs { id_field: Some(id_field) }
}

/// `Delete` by `expr`, REST's `entities/delete`: `delete_cnt` is the rows (or, for a key list, the keys) deleted.
/// `IDs` is an empty message, as the proxy's `deleteRunner` answers it (`IDs{IdField: nil}` in
/// `internal/proxy/task_delete.go`, for a key list and a filter alike); there is no `succ_index`.
pub(super) fn delete(catalog: &Catalog, db: &str, r: pb::DeleteRequest) -> Result<pb::MutationResult, Error> {
    let request = FilterReq {
        db_name: db.to_string(),
        collection_name: r.collection_name,
        partition_name: r.partition_name,
        filter: r.expr,
        expr_params: template_params(r.expr_template_values)?,
    };
    let count = match delete_entities(catalog, db, request).map_err(proxy_error)? {
        Reply::Data(data) => data["deleteCount"].as_i64().unwrap_or(0),
        _ => 0,
    };
    Ok(pb::MutationResult {
        status: Some(Default::default()),
        i_ds: Some(IDs { id_field: None }),
        delete_cnt: count,
        timestamp: now_ms() << 18,
        ..Default::default()
    })
}

/// `expr_template_values` as REST's `exprParams` (`None` when there are none): scalars as JSON scalars, arrays
/// as lists, JSON elements parsed (`planparserv2` reads the same values from either).
pub(super) fn template_params(values: HashMap<String, TemplateValue>) -> Result<Option<Map<String, Value>>, Error> {
    if values.is_empty() {
        return Ok(None);
    }
    let entries = values.into_iter().map(|(name, value)| Ok((name, template_json(value.val)?)));
    entries.collect::<Result<Map<String, Value>, Error>>().map(Some)
}

fn template_json(value: Option<template_value::Val>) -> Result<Value, Error> {
    use template_value::Val;
    Ok(match value {
        Some(Val::BoolVal(b)) => Value::Bool(b),
        Some(Val::Int64Val(i)) => Value::from(i),
        Some(Val::FloatVal(f)) => Value::from(f),
        Some(Val::StringVal(s)) => Value::String(s),
        Some(Val::ArrayVal(array)) => template_array_json(array)?,
        Some(Val::BytesVal(bytes)) => Value::String(String::from_utf8_lossy(&bytes).into_owned()),
        None => Value::Null,
    })
}

fn template_array_json(array: TemplateArrayValue) -> Result<Value, Error> {
    use template_array_value::Data;
    let list = |items: Vec<Value>| Ok(Value::Array(items));
    match array.data {
        Some(Data::BoolData(a)) => list(a.data.into_iter().map(Value::Bool).collect()),
        Some(Data::LongData(a)) => list(a.data.into_iter().map(Value::from).collect()),
        Some(Data::DoubleData(a)) => list(a.data.into_iter().map(Value::from).collect()),
        Some(Data::StringData(a)) => list(a.data.into_iter().map(Value::String).collect()),
        Some(Data::ArrayData(a)) => {
            a.data.into_iter().map(template_array_json).collect::<Result<_, _>>().map(Value::Array)
        }
        Some(Data::JsonData(a)) => {
            a.data.iter().map(|bytes| json_value(bytes)).collect::<Result<_, _>>().map(Value::Array)
        }
        None => list(Vec::new()),
    }
}

/// `Flush` of every collection named: what REST's `collections/flush` does to `get_stats`, and empty segment maps
/// (the mock has no segments); `coll_flush_ts` lets pymilvus's `GetFlushState` wait end at once.
pub(super) fn flush(catalog: &Catalog, db: &str, r: pb::FlushRequest) -> Result<pb::FlushResponse, Error> {
    let mut answer =
        pb::FlushResponse { status: Some(Default::default()), db_name: db.to_string(), ..Default::default() };
    let timestamp = now_ms() << 18;
    for name in r.collection_names {
        catalog.flush(db, &name).map_err(proxy_error)?;
        answer.coll_seg_i_ds.insert(name.clone(), LongArray::default());
        answer.flush_coll_seg_i_ds.insert(name.clone(), LongArray::default());
        answer.coll_seal_times.insert(name.clone(), now_ms() as i64 / 1000);
        answer.coll_flush_ts.insert(name, timestamp);
    }
    Ok(answer)
}

// ---- columns in: FieldData into REST's JSON rows ----

/// The JSON text of the rows `fields` hold, one object per row as REST's `data`.
fn rows_json(fields: &[FieldData], num_rows: usize) -> Result<String, Error> {
    let mut rows = vec![Map::new(); num_rows];
    for field in fields {
        let values = column_values(field)?;
        if values.len() != num_rows {
            return Err(validate::rows_mismatch(&field.field_name, values.len(), num_rows));
        }
        let valid = validity(field);
        for (i, (row, value)) in rows.iter_mut().zip(values).enumerate() {
            let value = if valid.is_some_and(|v| v.get(i) == Some(&false)) { Value::Null } else { value };
            if field.is_dynamic || field.field_name == META {
                if let Value::Object(keys) = value {
                    row.extend(keys);
                }
            } else {
                row.insert(field.field_name.clone(), value);
            }
        }
    }
    Ok(Value::Array(rows.into_iter().map(Value::Object).collect()).to_string())
}

/// The field's own validity (`ScalarField`/`VectorField.valid_data`), else the legacy top-level one.
fn validity(field: &FieldData) -> Option<&[bool]> {
    let own = match &field.field {
        Some(field_data::Field::Scalars(s)) => s.valid_data.as_slice(),
        Some(field_data::Field::Vectors(v)) => v.valid_data.as_slice(),
        _ => &[],
    };
    Some(own).filter(|v| !v.is_empty()).or(Some(field.valid_data.as_slice()).filter(|v| !v.is_empty()))
}

/// One JSON value per row. A nullable column may hold only its valid rows (Milvus's compact form): those are
/// spread back over the validity mask.
fn column_values(field: &FieldData) -> Result<Vec<Value>, Error> {
    let values = match &field.field {
        Some(field_data::Field::Scalars(s)) => scalar_values(s)?,
        Some(field_data::Field::Vectors(v)) => vector_values(v)?,
        _ => return Err(Error::InvalidParameter(format!("unsupported field data of {}", field.field_name))),
    };
    match validity(field) {
        Some(valid) if values.len() < valid.len() => {
            let mut given = values.into_iter();
            Ok(valid.iter().map(|&ok| if ok { given.next().unwrap_or(Value::Null) } else { Value::Null }).collect())
        }
        _ => Ok(values),
    }
}

fn scalar_values(s: &ScalarField) -> Result<Vec<Value>, Error> {
    use scalar_field::Data;
    let all = |v: Vec<Value>| Ok(v);
    match &s.data {
        Some(Data::BoolData(a)) => all(a.data.iter().map(|&b| Value::from(b)).collect()),
        Some(Data::IntData(a)) => all(a.data.iter().map(|&i| Value::from(i)).collect()),
        Some(Data::LongData(a)) => all(a.data.iter().map(|&i| Value::from(i)).collect()),
        Some(Data::TimestamptzData(a)) => all(a.data.iter().map(|&i| Value::from(i)).collect()),
        Some(Data::FloatData(a)) => all(a.data.iter().map(|&f| Value::from(f64::from(f))).collect()),
        Some(Data::DoubleData(a)) => all(a.data.iter().map(|&f| Value::from(f)).collect()),
        Some(Data::StringData(a)) => all(a.data.iter().map(|s| Value::from(s.as_str())).collect()),
        Some(Data::JsonData(a)) => a.data.iter().map(|bytes| json_value(bytes)).collect(),
        Some(Data::ArrayData(a)) => a.data.iter().map(|element| scalar_values(element).map(Value::Array)).collect(),
        None => Ok(Vec::new()),
        Some(_) => Err(Error::InvalidParameter("unsupported scalar field data: invalid parameter".into())),
    }
}

/// A JSON column's value (a JSON document's bytes).
fn json_value(bytes: &[u8]) -> Result<Value, Error> {
    serde_json::from_slice(bytes).map_err(|_| {
        Error::InvalidParameter(format!("{}: invalid json: invalid parameter", String::from_utf8_lossy(bytes)))
    })
}

/// Vectors as REST's rows hold them: floats and int8s as lists, binary and half-precision bytes as base64, sparse
/// rows as `{"<index>": value}`.
fn vector_values(v: &VectorField) -> Result<Vec<Value>, Error> {
    use vector_field::Data;
    let dim = v.dim.max(1) as usize;
    let base64 = |bytes: &[u8], width: usize| -> Vec<Value> {
        bytes
            .chunks(width.max(1))
            .map(|row| Value::from(base64::engine::general_purpose::STANDARD.encode(row)))
            .collect()
    };
    Ok(match &v.data {
        Some(Data::FloatVector(a)) => {
            a.data.chunks(dim).map(|row| row.iter().map(|&f| Value::from(f64::from(f))).collect()).collect()
        }
        Some(Data::BinaryVector(bytes)) => base64(bytes, dim.div_ceil(8)),
        Some(Data::Float16Vector(bytes) | Data::Bfloat16Vector(bytes)) => base64(bytes, dim * 2),
        Some(Data::Int8Vector(bytes)) => {
            bytes.chunks(dim).map(|row| row.iter().map(|&b| Value::from(b as i8)).collect()).collect()
        }
        Some(Data::SparseFloatVector(a)) => a.contents.iter().map(|row| sparse_json(row)).collect(),
        Some(Data::VectorArray(_)) => {
            return Err(Error::InvalidParameter(
                "vector arrays are not supported by the mock: invalid parameter".into(),
            ));
        }
        None => Vec::new(),
    })
}

/// A sparse row's bytes (little-endian `u32` index, `f32` value pairs) as `{"<index>": value}`.
fn sparse_json(bytes: &[u8]) -> Value {
    Value::Object(
        bytes
            .chunks_exact(8)
            .map(|pair| {
                let index = u32::from_le_bytes([pair[0], pair[1], pair[2], pair[3]]);
                let value = f32::from_le_bytes([pair[4], pair[5], pair[6], pair[7]]);
                (index.to_string(), Value::from(f64::from(value)))
            })
            .collect(),
    )
}

// ---- Query ----

/// `Query`: REST's `entities/query` with `expr` as the filter, `limit`/`offset` from `query_params`, and no
/// default output (the primary key only, as Milvus answers a query without output fields).
pub(super) fn query(catalog: &Catalog, db: &str, r: pb::QueryRequest) -> Result<pb::QueryResults, Error> {
    let params: HashMap<&str, &str> = r.query_params.iter().map(|p| (p.key.as_str(), p.value.as_str())).collect();
    let number = |key: &str| params.get(key).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let request = QueryReq {
        db_name: db.to_string(),
        collection_name: r.collection_name.clone(),
        partition_names: r.partition_names,
        output_fields: r.output_fields.clone(),
        filter: r.expr,
        limit: number("limit"),
        offset: number("offset"),
        expr_params: template_params(r.expr_template_values)?,
        id: None,
        int64_as_number: true,
    };
    let rows: Vec<Map<String, Value>> = match query_entities(catalog, db, request).map_err(proxy_error)? {
        Reply::Body(mut body) => match body.remove("data") {
            Some(Value::Array(rows)) => rows.into_iter().filter_map(|r| r.as_object().cloned()).collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let mut answer =
        pb::QueryResults { status: Some(Default::default()), collection_name: r.collection_name, ..Default::default() };
    if r.output_fields.len() == 1 && r.output_fields[0].trim() == "count(*)" {
        let count = rows.first().and_then(|row| row.get("count(*)")).and_then(Value::as_i64).unwrap_or(0);
        answer.fields_data = vec![long_column("count(*)", vec![count])];
        answer.output_fields = vec!["count(*)".into()];
        return Ok(answer);
    }
    let target = catalog.read_target(db, &answer.collection_name, &[], "query", Lookup::Proxy)?;
    let output = output_of(&target, &r.output_fields, true)?;
    let output = Output { fields: with_pk(&target.spec, output.fields), ..output };
    answer.primary_field_name = pk_name(&target.spec);
    (answer.fields_data, answer.output_fields) = columns(&target.spec, &output, &rows);
    Ok(answer)
}

/// Query and get always show the primary key.
fn with_pk(spec: &CollectionSpec, mut fields: Vec<usize>) -> Vec<usize> {
    fields.extend(spec.fields.iter().position(|f| f.primary_key));
    fields.sort_unstable();
    fields.dedup();
    fields
}

fn pk_name(spec: &CollectionSpec) -> String {
    spec.fields.iter().find(|f| f.primary_key).map(|f| f.name.clone()).unwrap_or_default()
}

fn long_column(name: &str, data: Vec<i64>) -> FieldData {
    FieldData {
        r#type: schema::DataType::Int64 as i32,
        field_name: name.to_string(),
        field: Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::LongData(LongArray { data })),
            ..Default::default()
        })),
        ..Default::default()
    }
}

// ---- Search ----

/// The `search_params` a search reads, with the proxy's texts for values it cannot use (`parseSearchInfo` in
/// `internal/proxy/task_search.go`: plain errors, 65535).
struct SearchParams {
    anns_field: String,
    /// `None` when absent: a search needs it (`topk not found in search_params`), a ranker does not.
    topk: Option<i64>,
    offset: i64,
    round_decimal: i64,
    params: Option<Map<String, Value>>,
    grouping: Grouping,
}

/// `key`'s integer (`strconv.ParseInt(s, 0, 64)`; decimal only here): `None` when absent, `<key> [<text>] is
/// invalid` when it does not parse.
fn integer(pairs: &[milvus::proto::common::KeyValuePair], key: &str) -> Result<Option<i64>, Error> {
    match pairs.iter().find(|p| p.key == key) {
        None => Ok(None),
        Some(p) => p.value.parse().map(Some).map_err(|_| Error::Plain(format!("{key} [{}] is invalid", p.value))),
    }
}

impl SearchParams {
    fn read(pairs: &[milvus::proto::common::KeyValuePair]) -> Result<Self, Error> {
        let get = |key: &str| pairs.iter().find(|p| p.key == key).map(|p| p.value.as_str());
        let mut map = Map::new();
        if let Some(text) = get("params").filter(|p| !p.is_empty()) {
            let nested: Value = serde_json::from_str(text).map_err(|_| {
                Error::InvalidParameter(format!("failed to parse search params: {text}: invalid parameter"))
            })?;
            map.insert("params".into(), nested);
        }
        // pymilvus sends `metric_type` as its own pair when the caller gives one; REST's search then checks it
        // against the index's metric after the load state (`check_metric`).
        if let Some(metric) = get("metric_type").filter(|m| !m.is_empty()) {
            map.insert("metric_type".into(), Value::from(metric));
        }
        let params = (!map.is_empty()).then_some(map);
        let grouping = Grouping {
            field: get("group_by_field").unwrap_or_default().to_string(),
            size: integer(pairs, "group_size")?.unwrap_or(1),
            strict: get("strict_group_size").is_some_and(|v| v == "true"),
        };
        Ok(Self {
            anns_field: get("anns_field").unwrap_or_default().to_string(),
            topk: integer(pairs, "topk")?,
            offset: integer(pairs, "offset")?.unwrap_or(0),
            round_decimal: round_decimal(get("round_decimal"))?,
            params,
            grouping,
        })
    }

    /// The `topk` a search needs.
    fn topk(&self) -> Result<i64, Error> {
        self.topk.ok_or_else(|| Error::Plain("topk not found in search_params".into()))
    }
}

/// `round_decimal`: -1 (absent: as computed) or 0 to 6.
fn round_decimal(text: Option<&str>) -> Result<i64, Error> {
    let Some(text) = text else { return Ok(-1) };
    match text.parse::<i64>() {
        Ok(n) if n == -1 || (0..=6).contains(&n) => Ok(n),
        _ => {
            Err(Error::Plain(format!("round_decimal [{text}] is invalid, should be -1 or an integer in range [0, 6]")))
        }
    }
}

/// `Search`: the query vectors from `placeholder_group`, the filter from `dsl`, the rest from `search_params`; the
/// checks and the scan of REST's `entities/search`; the hits of every query laid out as `SearchResultData`.
pub(super) fn search(catalog: &Catalog, db: &str, r: pb::SearchRequest) -> Result<pb::SearchResults, Error> {
    // The proxy's order: the collection, the partitions named, the output fields, then the search parameters.
    let target = catalog.read_target(db, &r.collection_name, &r.partition_names, "search", Lookup::Proxy)?;
    target.check_partitions()?;
    let output = output_of(&target, &r.output_fields, true)?;
    let params = SearchParams::read(&r.search_params)?;
    let top_k = params.topk()?;
    let part = SearchPart {
        data: Some(match r.search_input {
            Some(pb::search_request::SearchInput::Ids(ids)) => {
                by_keys::vectors_of_keys(&target, &params.anns_field, ids)?
            }
            Some(pb::search_request::SearchInput::PlaceholderGroup(bytes)) => {
                check_vector_sizes(&target.spec, &params.anns_field, &bytes)?;
                placeholder_vectors(&bytes)?
            }
            None => placeholder_vectors(&[])?,
        }),
        anns_field: params.anns_field.clone(),
        filter: r.dsl,
        limit: top_k,
        offset: params.offset,
        search_params: params.params,
        expr_params: template_params(r.expr_template_values)?,
    };
    let (search, predicate) = prepare(catalog, &target, &part, &params.grouping).map_err(proxy_error)?;
    target.check_loaded()?;
    check_metric(catalog, &target, &part)?;
    let rows = target.rows.read();
    let per_query = vector_search::run(&rows, &target, &predicate, &search);
    let hits = || per_query.iter().flatten();
    let rendered: Vec<Map<String, Value>> =
        hits().map(|hit| output.row(&target.spec, &rows.partitions[hit.part], hit.row)).collect();
    let found = Found {
        rows: rendered,
        keys: hits().map(|hit| key_of(&rows, hit)).collect(),
        scores: hits().map(|hit| rounded(hit.distance, params.round_decimal)).collect(),
        topks: per_query.iter().map(|q| q.len() as i64).collect(),
        top_k,
    };
    Ok(search_results(r.collection_name, &target.spec, &output, found))
}

/// The hits of a search, every query's in turn: the rendered rows, their keys and scores, how many each query
/// found, and the `topk` asked for.
struct Found {
    rows: Vec<Map<String, Value>>,
    keys: Vec<Key>,
    scores: Vec<f32>,
    topks: Vec<i64>,
    top_k: i64,
}

/// `SearchResults` of found hits.
fn search_results(collection_name: String, spec: &CollectionSpec, output: &Output, found: Found) -> pb::SearchResults {
    let (fields_data, output_fields) = columns(spec, output, &found.rows);
    let results = SearchResultData {
        num_queries: found.topks.len() as i64,
        top_k: found.top_k,
        fields_data,
        scores: found.scores,
        ids: Some(ids(found.keys.iter())),
        topks: found.topks,
        output_fields,
        primary_field_name: pk_name(spec),
        ..Default::default()
    };
    pb::SearchResults {
        status: Some(Default::default()),
        results: Some(results),
        collection_name,
        ..Default::default()
    }
}

/// `HybridSearch`: each sub-request read as [`search`] reads one, the ranker from `rank_params` (`strategy`,
/// `params` JSON, `limit`, `round_decimal`), then REST's `entities/hybrid_search` (its checks, reranking and
/// answer), laid out as `SearchResultData` with one result list per query.
pub(super) fn hybrid_search(
    catalog: &Catalog,
    db: &str,
    r: pb::HybridSearchRequest,
) -> Result<pb::SearchResults, Error> {
    let rank = SearchParams::read(&r.rank_params)?;
    let get = |key: &str| r.rank_params.iter().find(|p| p.key == key).map(|p| p.value.as_str());
    let limit = get("limit").and_then(|l| l.parse().ok()).unwrap_or(0);
    let mut searches = Vec::with_capacity(r.requests.len());
    for sub in r.requests {
        let params = SearchParams::read(&sub.search_params)?;
        searches.push(SearchPart {
            data: Some(search_vectors(sub.search_input)?),
            limit: params.topk()?,
            anns_field: params.anns_field,
            filter: sub.dsl,
            offset: params.offset,
            search_params: params.params,
            expr_params: template_params(sub.expr_template_values)?,
        });
    }
    let nq = searches.first().and_then(|s| s.data.as_ref()).and_then(Value::as_array).map_or(0, Vec::len);
    let rerank_params = match rank.params.and_then(|mut p| p.remove("params")) {
        Some(Value::Object(params)) => params,
        _ => Map::new(),
    };
    let request = HybridReq {
        db_name: db.to_string(),
        collection_name: r.collection_name.clone(),
        searches,
        strategy: get("strategy").unwrap_or_default().to_string(),
        rerank_params,
        limit,
        offset: rank.offset,
        partition_names: r.partition_names,
        output_fields: r.output_fields.clone(),
        grouping: rank.grouping,
        consistency_level: String::new(),
        int64_as_number: true,
    };
    let (hits, topks): (Vec<Map<String, Value>>, Vec<i64>) =
        match hybrid_search_entities(catalog, db, request).map_err(proxy_error)? {
            Reply::Body(mut body) => {
                let hits = match body.remove("data") {
                    Some(Value::Array(hits)) => hits.into_iter().filter_map(|h| h.as_object().cloned()).collect(),
                    _ => Vec::new(),
                };
                // One count per query; REST leaves `topks` out when nothing was found.
                let topks = match body.remove("topks") {
                    Some(Value::Array(topks)) => topks.iter().filter_map(Value::as_i64).collect(),
                    _ => vec![0; nq],
                };
                (hits, topks)
            }
            _ => (Vec::new(), vec![0; nq]),
        };
    let target = catalog.read_target(db, &r.collection_name, &[], "search", Lookup::Proxy)?;
    let output = output_of(&target, &r.output_fields, true)?;
    let mut keys = Vec::with_capacity(hits.len());
    let mut scores = Vec::with_capacity(hits.len());
    let mut rows = Vec::with_capacity(hits.len());
    for mut hit in hits {
        let distance = hit.remove("distance").and_then(|d| d.as_f64()).unwrap_or(0.0);
        scores.push(rounded(distance as f32, rank.round_decimal));
        let id = hit.get("id").cloned().unwrap_or(Value::Null);
        if !output.fields.iter().any(|&f| target.spec.fields[f].name == "id") {
            hit.remove("id");
        }
        keys.push(match id {
            Value::String(s) => Key::Str(s),
            other => Key::Int(other.as_i64().unwrap_or(0)),
        });
        rows.push(hit);
    }
    let found = Found { rows, keys, scores, topks, top_k: limit };
    Ok(search_results(r.collection_name, &target.spec, &output, found))
}

fn key_of(rows: &Rows, hit: &vector_search::RowHit) -> Key {
    rows.partitions[hit.part].key(hit.row)
}

/// `round_decimal` (`-1`: as computed).
fn rounded(distance: f32, decimals: i64) -> f32 {
    if decimals < 0 {
        return distance;
    }
    let scale = 10f64.powi(decimals as i32);
    ((f64::from(distance) * scale).round() / scale) as f32
}

/// The query vectors of a `placeholder_group` (search by primary keys is [`by_keys`]'s, and not supported in a
/// hybrid search's sub-searches by the mock).
fn search_vectors(input: Option<pb::search_request::SearchInput>) -> Result<Value, Error> {
    match input {
        Some(pb::search_request::SearchInput::PlaceholderGroup(bytes)) => placeholder_vectors(&bytes),
        Some(pb::search_request::SearchInput::Ids(_)) => Err(Error::InvalidParameter(
            "search by primary keys in a hybrid search is not supported by the mock: invalid parameter".into(),
        )),
        None => placeholder_vectors(&[]),
    }
}

/// Each query vector's size against the searched field's `dim` (the named field, else the only vector field;
/// anything else is left to the search's own checks). A wrong size is the query node's segcore error, 2000
/// `vector dimension mismatch, expected vector size(byte) <e>, actual <a>.: segcore error` as Milvus 2.5 answers
/// it; 2.6 wraps the same text in the query node's context (`fail to search on QueryNode <n>: worker(<n>) query
/// failed: parser searchRequest failed: ... at <source file:line>`), which the mock leaves out.
fn check_vector_sizes(spec: &CollectionSpec, anns_field: &str, bytes: &[u8]) -> Result<(), Error> {
    let mut vectors = spec.fields.iter().filter(|f| f.is_vector());
    let field = if anns_field.is_empty() {
        let first = vectors.next();
        first.filter(|_| vectors.next().is_none())
    } else {
        vectors.find(|f| f.name == anns_field)
    };
    let Some(field) = field else { return Ok(()) };
    let dim = dim_of(field);
    let expected = match field.data_type {
        DataType::FloatVector => dim * 4,
        DataType::Float16Vector | DataType::BFloat16Vector => dim * 2,
        DataType::BinaryVector => dim.div_ceil(8),
        DataType::Int8Vector => dim,
        _ => return Ok(()),
    };
    let Ok(group) = PlaceholderGroup::decode(bytes) else { return Ok(()) };
    let values = group.placeholders.iter().flat_map(|p| p.values.iter());
    match values.map(Vec::len).find(|&actual| actual != expected) {
        None => Ok(()),
        Some(actual) => Err(Error::Segcore(format!(
            "vector dimension mismatch, expected vector size(byte) {expected}, actual {actual}."
        ))),
    }
}

/// The query vectors of a serialized `PlaceholderGroup` as REST's `data` holds them (floats as lists, binary
/// vectors as byte lists, sparse rows as `{"<index>": value}`, texts as strings), so REST's conversion checks
/// their size.
fn placeholder_vectors(bytes: &[u8]) -> Result<Value, Error> {
    let group = PlaceholderGroup::decode(bytes)
        .map_err(|e| Error::InvalidParameter(format!("failed to parse placeholder group: {e}: invalid parameter")))?;
    let Some(placeholder) = group.placeholders.into_iter().next() else {
        return Err(Error::InvalidParameter("empty placeholder group: invalid parameter".into()));
    };
    let half = |row: &[u8], widen: fn(u16) -> f32| -> Value {
        row.chunks_exact(2).map(|b| Value::from(f64::from(widen(u16::from_le_bytes([b[0], b[1]]))))).collect()
    };
    let kind = PlaceholderType::try_from(placeholder.r#type).unwrap_or(PlaceholderType::None);
    let vectors = placeholder.values.iter().map(|row| match kind {
        PlaceholderType::FloatVector => Ok(row
            .chunks_exact(4)
            .map(|b| Value::from(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))))
            .collect()),
        PlaceholderType::BinaryVector => Ok(row.iter().map(|&b| Value::from(b)).collect()),
        PlaceholderType::Int8Vector => Ok(row.iter().map(|&b| Value::from(b as i8)).collect()),
        PlaceholderType::Float16Vector => Ok(half(row, f16_to_f32)),
        PlaceholderType::BFloat16Vector => Ok(half(row, |bits| f32::from_bits(u32::from(bits) << 16))),
        PlaceholderType::SparseFloatVector => Ok(sparse_json(row)),
        // Full-text search: pymilvus sends the query texts for a BM25 function's output field.
        PlaceholderType::VarChar => Ok(Value::String(String::from_utf8_lossy(row).into_owned())),
        other => Err(Error::InvalidParameter(format!(
            "unsupported placeholder type {}: invalid parameter",
            other.as_str_name()
        ))),
    });
    vectors.collect::<Result<Vec<Value>, Error>>().map(Value::Array)
}

// ---- columns out: rendered rows into FieldData ----

/// Rendered rows (REST's objects) laid out by column: one `FieldData` per output field in schema order, then the
/// `$meta` column when dynamic keys are shown; and the `output_fields` list.
pub(super) fn columns(
    spec: &CollectionSpec,
    output: &Output,
    rows: &[Map<String, Value>],
) -> (Vec<FieldData>, Vec<String>) {
    let mut fields = Vec::new();
    let mut names = Vec::new();
    for &position in &output.fields {
        let field = &spec.fields[position];
        let cells: Vec<&Value> = rows.iter().map(|row| row.get(&field.name).unwrap_or(&Value::Null)).collect();
        fields.push(column(field, &cells));
        names.push(field.name.clone());
    }
    if output.all_dynamic || !output.dynamic.is_empty() {
        let shown = |key: &String| !spec.fields.iter().any(|f| &f.name == key);
        let meta: Vec<Vec<u8>> = rows
            .iter()
            .map(|row| {
                let keys: Map<String, Value> =
                    row.iter().filter(|(k, _)| shown(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
                Value::Object(keys).to_string().into_bytes()
            })
            .collect();
        fields.push(FieldData {
            r#type: schema::DataType::Json as i32,
            field_name: META.into(),
            is_dynamic: true,
            field: Some(field_data::Field::Scalars(ScalarField {
                data: Some(scalar_field::Data::JsonData(JsonArray { data: meta })),
                ..Default::default()
            })),
            ..Default::default()
        });
        if output.all_dynamic {
            names.push(META.into());
        }
        names.extend(output.dynamic.iter().cloned());
    }
    (fields, names)
}

/// One field's column from its rendered cells; a nullable field carries `valid_data`.
fn column(field: &Field, cells: &[&Value]) -> FieldData {
    let valid: Vec<bool> = if field.nullable { cells.iter().map(|c| !c.is_null()).collect() } else { Vec::new() };
    let data = if field.data_type.is_vector() {
        let vectors = vector_column(field, cells);
        let dim = match &vectors {
            vector_field::Data::SparseFloatVector(sparse) => sparse.dim,
            _ => dim_of(field) as i64,
        };
        field_data::Field::Vectors(VectorField { dim, data: Some(vectors), ..Default::default() })
    } else {
        let element = field.element_type.unwrap_or(DataType::Int64);
        field_data::Field::Scalars(ScalarField {
            data: Some(scalar_column(field.data_type, element, cells)),
            valid_data: valid.clone(),
        })
    };
    FieldData {
        r#type: proto_type(field.data_type) as i32,
        field_name: field.name.clone(),
        field_id: field.id,
        valid_data: valid,
        field: Some(data),
        ..Default::default()
    }
}

fn proto_type(data_type: DataType) -> schema::DataType {
    schema::DataType::from_str_name(data_type.as_str()).unwrap_or(schema::DataType::None)
}

/// A scalar column of rendered cells (a null cell is the type's zero).
fn scalar_column(data_type: DataType, element: DataType, cells: &[&Value]) -> scalar_field::Data {
    use scalar_field::Data;
    let ints = || cells.iter().map(|c| c.as_i64().unwrap_or(0));
    let floats = || cells.iter().map(|c| c.as_f64().unwrap_or(0.0));
    match data_type {
        DataType::Bool => {
            Data::BoolData(BoolArray { data: cells.iter().map(|c| c.as_bool().unwrap_or(false)).collect() })
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 => {
            Data::IntData(IntArray { data: ints().map(|i| i as i32).collect() })
        }
        DataType::Int64 => Data::LongData(LongArray { data: ints().collect() }),
        DataType::Timestamptz => Data::TimestamptzData(schema::TimestamptzArray { data: ints().collect() }),
        DataType::Float => Data::FloatData(FloatArray { data: floats().map(|f| f as f32).collect() }),
        DataType::Double => Data::DoubleData(DoubleArray { data: floats().collect() }),
        DataType::VarChar | DataType::String | DataType::Text => Data::StringData(StringArray {
            data: cells.iter().map(|c| c.as_str().unwrap_or_default().to_string()).collect(),
        }),
        // REST renders a JSON field as its JSON text; the column holds that text's bytes.
        DataType::Json => Data::JsonData(JsonArray {
            data: cells.iter().map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string).into_bytes()).collect(),
        }),
        DataType::Array => Data::ArrayData(ArrayArray {
            data: cells
                .iter()
                .map(|c| {
                    let items: Vec<&Value> = c.as_array().map(|a| a.iter().collect()).unwrap_or_default();
                    ScalarField { data: Some(scalar_column(element, DataType::Int64, &items)), ..Default::default() }
                })
                .collect(),
            element_type: proto_type(element) as i32,
        }),
        _ => Data::BytesData(BytesArray { data: cells.iter().map(|c| c.to_string().into_bytes()).collect() }),
    }
}

/// A vector column of rendered cells: floats and int8s from lists, bytes from base64, sparse rows re-encoded.
fn vector_column(field: &Field, cells: &[&Value]) -> vector_field::Data {
    use vector_field::Data;
    let bytes = || -> Vec<u8> {
        cells
            .iter()
            .flat_map(|c| {
                base64::engine::general_purpose::STANDARD.decode(c.as_str().unwrap_or_default()).unwrap_or_default()
            })
            .collect()
    };
    let numbers = || cells.iter().flat_map(|c| c.as_array().into_iter().flatten());
    match field.data_type {
        DataType::FloatVector => {
            Data::FloatVector(FloatArray { data: numbers().map(|x| x.as_f64().unwrap_or(0.0) as f32).collect() })
        }
        DataType::BinaryVector => Data::BinaryVector(bytes()),
        DataType::Float16Vector => Data::Float16Vector(bytes()),
        DataType::BFloat16Vector => Data::Bfloat16Vector(bytes()),
        DataType::Int8Vector => Data::Int8Vector(numbers().map(|x| x.as_i64().unwrap_or(0) as i8 as u8).collect()),
        _ => {
            let mut dim = 0;
            let contents = cells
                .iter()
                .map(|c| {
                    let mut pairs: Vec<(u32, f32)> = c
                        .as_object()
                        .into_iter()
                        .flatten()
                        .filter_map(|(k, v)| Some((k.parse().ok()?, v.as_f64()? as f32)))
                        .collect();
                    pairs.sort_unstable_by_key(|p| p.0);
                    dim = dim.max(pairs.last().map_or(0, |p| i64::from(p.0) + 1));
                    pairs.iter().flat_map(|(i, v)| i.to_le_bytes().into_iter().chain(v.to_le_bytes())).collect()
                })
                .collect();
            Data::SparseFloatVector(SparseFloatArray { contents, dim })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scalars(name: &str, data: scalar_field::Data, valid_data: Vec<bool>) -> FieldData {
        FieldData {
            field_name: name.into(),
            field: Some(field_data::Field::Scalars(ScalarField { data: Some(data), valid_data })),
            ..Default::default()
        }
    }

    fn vectors(name: &str, dim: i64, data: vector_field::Data) -> FieldData {
        FieldData {
            field_name: name.into(),
            field: Some(field_data::Field::Vectors(VectorField { dim, data: Some(data), ..Default::default() })),
            ..Default::default()
        }
    }

    #[test]
    fn columns_become_rest_rows_with_nulls_vectors_arrays_and_dynamic_keys() {
        let sparse: Vec<u8> = [(3u32, 0.5f32), (10, 1.5)]
            .iter()
            .flat_map(|(i, v)| [i.to_le_bytes(), v.to_le_bytes()])
            .flatten()
            .collect();
        let array = |data: Vec<i32>| ScalarField {
            data: Some(scalar_field::Data::IntData(IntArray { data })),
            ..Default::default()
        };
        let fields = vec![
            // The compact form: only the valid rows' values.
            scalars("age", scalar_field::Data::IntData(IntArray { data: vec![30] }), vec![false, true]),
            scalars(
                "doc",
                scalar_field::Data::JsonData(JsonArray { data: vec![b"{\"a\":1}".to_vec(), b"[2]".to_vec()] }),
                vec![],
            ),
            scalars(
                "tags",
                scalar_field::Data::ArrayData(ArrayArray {
                    data: vec![array(vec![1, 2]), array(vec![])],
                    element_type: 4,
                }),
                vec![],
            ),
            vectors("bits", 16, vector_field::Data::BinaryVector(vec![1, 2, 3, 4])),
            vectors("half", 1, vector_field::Data::Float16Vector(vec![0, 60, 0, 64])),
            vectors(
                "sparse",
                11,
                vector_field::Data::SparseFloatVector(SparseFloatArray { contents: vec![sparse, vec![]], dim: 11 }),
            ),
            FieldData {
                is_dynamic: true,
                ..scalars(
                    "$meta",
                    scalar_field::Data::JsonData(JsonArray { data: vec![b"{\"k\":\"v\"}".to_vec(), b"{}".to_vec()] }),
                    vec![],
                )
            },
        ];
        let rows: Value = serde_json::from_str(&rows_json(&fields, 2).unwrap()).unwrap();
        let expected = json!([
            {"age": null, "doc": {"a": 1}, "tags": [1, 2], "bits": "AQI=", "half": "ADw=", "sparse": {"3": 0.5, "10": 1.5}, "k": "v"},
            {"age": 30, "doc": [2], "tags": [], "bits": "AwQ=", "half": "AEA=", "sparse": {}},
        ]);
        assert_eq!(rows, expected);
    }

    #[test]
    fn rendered_rows_become_columns_with_validity_and_sorted_sparse_indices() {
        let mut age = Field::new(101, "age", DataType::Int32);
        age.nullable = true;
        let cells = [&json!(null), &json!(7)];
        let column = column(&age, &cells);
        let expected_valid = vec![false, true];
        assert_eq!(column.valid_data, expected_valid);
        assert_eq!(
            column.field,
            Some(field_data::Field::Scalars(ScalarField {
                data: Some(scalar_field::Data::IntData(IntArray { data: vec![0, 7] })),
                valid_data: expected_valid,
            }))
        );
        let sparse = Field::new(102, "s", DataType::SparseFloatVector);
        let cell = json!({"10": 1.5, "3": 0.5});
        let Some(field_data::Field::Vectors(v)) = column_field(&sparse, &cell) else { panic!("a vector column") };
        let bytes: Vec<u8> = [(3u32, 0.5f32), (10, 1.5)]
            .iter()
            .flat_map(|(i, v)| [i.to_le_bytes(), v.to_le_bytes()])
            .flatten()
            .collect();
        assert_eq!(v.dim, 11);
        assert_eq!(
            v.data,
            Some(vector_field::Data::SparseFloatVector(SparseFloatArray { contents: vec![bytes], dim: 11 }))
        );
    }

    fn column_field(field: &Field, cell: &Value) -> Option<field_data::Field> {
        column(field, &[cell]).field
    }

    #[test]
    fn a_placeholder_group_becomes_rest_s_query_vectors() {
        let group = PlaceholderGroup {
            placeholders: vec![milvus::proto::common::PlaceholderValue {
                tag: "$0".into(),
                r#type: PlaceholderType::FloatVector as i32,
                values: vec![[0.5f32, -1.0].iter().flat_map(|f| f.to_le_bytes()).collect()],
                ..Default::default()
            }],
        };
        assert_eq!(placeholder_vectors(&group.encode_to_vec()).unwrap(), json!([[0.5, -1.0]]));
        let none = placeholder_vectors(&[]).unwrap_err();
        assert_eq!(none.message(&Default::default()), "empty placeholder group: invalid parameter");
    }
}

//! `/v2/vectordb/entities/*` and `collections/flush` (contract part 2 §C, §D): the request bodies with Milvus's
//! constructor defaults (`limit: 100`, `outputFields: ["*"]`), the REST-side checks in Milvus's order, and the
//! answers (`cost`, `insertIds`, `topks`, `count(*)`, no `cost` on delete). The gate (which partitions a call may
//! touch) is the catalog's ([`Catalog::write_target`], [`Catalog::read_target`]); the rows are [`crate::rows`].

use axum::http::HeaderMap;
use serde_json::{Map, Value};

use super::CallTarget;
use crate::catalog::{Catalog, DataType, Lookup, ReadTarget};
use crate::envelope::Reply;
use crate::error::{Error, Result};
use crate::go::bind::MilvusRequest;
use crate::go::json::{GoObject, Required};
use crate::rows::Key;
use crate::rows::calls;
use crate::rows::convert::Mode;
use crate::rows::predicate::Predicate;
use crate::rows::render::Output;
use crate::version::MilvusVersion;

pub use super::data_body::DataBody;

/// `quotaAndLimits.limits.maxQueryResultWindow` and the largest `topk`.
pub const MAX_WINDOW: i64 = 16384;

/// `Accept-Type-Allow-Int64`, read with Go's `strconv.ParseBool`; absent, empty or unparsable, it is the server's
/// `proxy.http.acceptTypeAllowInt64` default, true in 2.6 (the gin middleware in
/// `internal/distributed/proxy/service.go` overwrites a value that does not parse with the default; the contract's
/// "anything else is false", part 2 §C.6, was derived and is wrong).
pub fn int64_as_number(headers: &HeaderMap) -> bool {
    headers
        .get("accept-type-allow-int64")
        .and_then(|v| v.to_str().ok())
        .and_then(crate::go::fmt::parse_bool)
        .unwrap_or(true)
}

/// The write target of an insert or upsert of the rows `data`. Milvus converts the rows (`checkAndSetData`, 1804)
/// before the proxy looks up the partition, so when the partition is wrong a row that does not convert answers first.
fn rows_target(
    catalog: &Catalog,
    db: &str,
    req: &DataReq,
    data: &str,
    mode: Mode,
) -> Result<crate::catalog::WriteTarget> {
    let error = match catalog.write_target(db, &req.collection_name, &req.partition_name) {
        Err(e @ (Error::PartitionNotFound { .. } | Error::InvalidParameter(_))) => e,
        other => return other,
    };
    let (spec, slots) = catalog.collection(db, &req.collection_name, |c| (c.spec.clone(), c.partitions.len()))?;
    crate::rows::convert::convert(data, &spec, mode, slots.max(1))
        .map_err(|e| versioned_insert_error(catalog, e.into()))?;
    Err(error)
}

/// Declares the names a request gives its call (for faults, the journal and the log line).
macro_rules! call_target {
    ($name:ident) => {
        impl CallTarget for $name {
            fn target(&self) -> Option<(&str, &str)> {
                Some((&self.db_name, &self.collection_name))
            }
        }
    };
}

/// `CollectionDataReq` (insert and upsert). `data` is kept as its JSON text: rows are converted once the schema is
/// known ([`crate::rows::convert`]). This is the request the Go-compatible binding and gRPC give; a REST body binds
/// into a [`DataBody`], which reads the plain body without parsing `data` twice.
#[derive(Debug, PartialEq)]
pub struct DataReq {
    pub db_name: String,
    pub collection_name: String,
    pub partition_name: String,
    pub partial_update: bool,
    pub data: Option<String>,
    pub int64_as_number: bool,
}

impl MilvusRequest for DataReq {
    const GO_TYPE: &'static str = "httpserver.CollectionDataReq";

    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            partition_name: o.string("partitionName"),
            partial_update: o.bool("partialUpdate"),
            data: o.any("data").map(|v| v.to_string()),
            int64_as_number: true,
        }
    }

    fn required(&self, r: &mut Required) {
        self.required_with(r, self.data.is_some());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.int64_as_number = int64_as_number(headers);
    }
}
call_target!(DataReq);

impl DataReq {
    /// The rows' JSON text (`[]` when there is none).
    pub fn rows(&self) -> &str {
        self.data.as_deref().unwrap_or("[]")
    }

    /// `binding:"required"`, with `has_data` saying whether the body gave `data` (a [`DataBody`] may hold it
    /// elsewhere).
    pub(super) fn required_with(&self, r: &mut Required, has_data: bool) {
        r.check("CollectionDataReq", "CollectionName", !self.collection_name.is_empty());
        r.check("CollectionDataReq", "Data", has_data);
    }
}

/// `CollectionFilterReq` (delete).
#[derive(Debug, PartialEq)]
pub struct FilterReq {
    pub db_name: String,
    pub collection_name: String,
    pub partition_name: String,
    pub filter: String,
    pub expr_params: Option<Map<String, Value>>,
}

impl MilvusRequest for FilterReq {
    const GO_TYPE: &'static str = "httpserver.CollectionFilterReq";

    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            partition_name: o.string("partitionName"),
            filter: o.string("filter"),
            expr_params: o.map("exprParams"),
        }
    }

    fn required(&self, r: &mut Required) {
        r.check("CollectionFilterReq", "CollectionName", !self.collection_name.is_empty());
        r.check("CollectionFilterReq", "Filter", !self.filter.is_empty());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }
}
call_target!(FilterReq);

/// `QueryReqV2` (query) and `CollectionIDReq` (get): get's `id` becomes a primary-key filter.
#[derive(Debug, PartialEq)]
pub struct QueryReq {
    pub db_name: String,
    pub collection_name: String,
    pub partition_names: Vec<String>,
    pub output_fields: Vec<String>,
    pub filter: String,
    pub limit: i64,
    pub offset: i64,
    pub expr_params: Option<Map<String, Value>>,
    /// `entities/get`'s `id`.
    pub id: Option<Value>,
    pub int64_as_number: bool,
}

/// The fields `entities/query` and `entities/get` share, with the constructor's `outputFields: ["*"]`.
fn read_query_common(o: &mut GoObject<'_>) -> (String, String, Vec<String>, Vec<String>) {
    let db_name = o.string("dbName");
    let collection_name = o.string("collectionName");
    let partition_names = o.strings("partitionNames").unwrap_or_default();
    let output_fields = o.strings("outputFields").unwrap_or_else(|| vec!["*".to_string()]);
    (db_name, collection_name, partition_names, output_fields)
}

impl MilvusRequest for QueryReq {
    const GO_TYPE: &'static str = "httpserver.QueryReqV2";

    fn read(o: &mut GoObject<'_>) -> Self {
        let (db_name, collection_name, partition_names, output_fields) = read_query_common(o);
        Self {
            db_name,
            collection_name,
            partition_names,
            output_fields,
            filter: o.string("filter"),
            limit: o.int_or("limit", "int", 64, 100),
            offset: o.int("offset", "int", 64),
            expr_params: o.map("exprParams"),
            id: None,
            int64_as_number: true,
        }
    }

    fn required(&self, r: &mut Required) {
        r.check("QueryReqV2", "CollectionName", !self.collection_name.is_empty());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.int64_as_number = int64_as_number(headers);
    }
}
call_target!(QueryReq);

/// `CollectionIDReq` (get).
#[derive(Debug, PartialEq)]
pub struct GetReq(pub QueryReq);

impl MilvusRequest for GetReq {
    const GO_TYPE: &'static str = "httpserver.CollectionIDReq";

    fn read(o: &mut GoObject<'_>) -> Self {
        let (db_name, collection_name, partition_names, output_fields) = read_query_common(o);
        GetReq(QueryReq {
            db_name,
            collection_name,
            partition_names,
            output_fields,
            filter: String::new(),
            limit: 0,
            offset: 0,
            expr_params: None,
            id: o.any("id"),
            int64_as_number: true,
        })
    }

    fn required(&self, r: &mut Required) {
        r.check("CollectionIDReq", "CollectionName", !self.0.collection_name.is_empty());
        r.check("CollectionIDReq", "ID", self.0.id.is_some());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.0.db_name)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.0.int64_as_number = int64_as_number(headers);
    }
}

impl CallTarget for GetReq {
    fn target(&self) -> Option<(&str, &str)> {
        self.0.target()
    }
}

/// The `insertIds`/`upsertIds` list.
fn ids_json(keys: &[Key], as_number: bool) -> Value {
    let output = Output { int64_as_number: as_number, ..Output::default() };
    keys.iter().map(|k| output.key(k)).collect()
}

/// `{"code":0,"cost":0,"data":<data>}` plus any other keys.
pub fn with_cost(data: Value, more: impl IntoIterator<Item = (&'static str, Value)>) -> Reply {
    let mut body = Map::new();
    body.insert("cost".into(), 0.into());
    body.insert("data".into(), data);
    body.extend(more.into_iter().map(|(k, v)| (k.to_string(), v)));
    Reply::Body(body)
}

/// REST's `entities/insert`.
pub fn insert_from_body(catalog: &Catalog, db: &str, body: DataBody) -> Result<Reply> {
    body.run(catalog, db, insert_rows)
}

/// REST's `entities/upsert`.
pub fn upsert_from_body(catalog: &Catalog, db: &str, body: DataBody) -> Result<Reply> {
    body.run(catalog, db, upsert_rows)
}

/// An insert whose rows are the request's own `data` (gRPC).
#[cfg(feature = "grpc")]
pub fn insert_entities(catalog: &Catalog, db: &str, req: DataReq) -> Result<Reply> {
    insert_rows(catalog, db, &req, req.rows())
}

/// An upsert whose rows are the request's own `data` (gRPC).
#[cfg(feature = "grpc")]
pub fn upsert_entities(catalog: &Catalog, db: &str, req: DataReq) -> Result<Reply> {
    upsert_rows(catalog, db, &req, req.rows())
}

/// An insert of the rows `data` (the JSON text of a list of row objects).
fn insert_rows(catalog: &Catalog, db: &str, req: &DataReq, data: &str) -> Result<Reply> {
    let target = rows_target(catalog, db, req, data, Mode::Insert)?;
    let keys = calls::write(&target, data, Mode::Insert).map_err(|e| versioned_insert_error(catalog, e))?;
    let data = serde_json::json!({"insertCount": keys.len(), "insertIds": ids_json(&keys, req.int64_as_number)});
    Ok(with_cost(data, []))
}

/// An upsert of the rows `data`.
fn upsert_rows(catalog: &Catalog, db: &str, req: &DataReq, data: &str) -> Result<Reply> {
    let target = rows_target(catalog, db, req, data, Mode::Upsert)?;
    // `partialUpdate` is 2.6's; older versions have no such key and ignore it.
    let keys = if req.partial_update && catalog.profile().version >= MilvusVersion::V2_6 {
        // It reads the stored rows first, so the collection must be loaded (§D.2).
        target.readable.clone()?;
        calls::partial_upsert(&target, data)
    } else {
        calls::write(&target, data, Mode::Upsert)
    }
    .map_err(|e| versioned_insert_error(catalog, e))?;
    let data = serde_json::json!({"upsertCount": keys.len(), "upsertIds": ids_json(&keys, req.int64_as_number)});
    Ok(with_cost(data, []))
}

/// 3.0 appends `: invalid parameter` to the dimension mismatch (contract part 2 §F).
fn versioned_insert_error(catalog: &Catalog, e: Error) -> Error {
    match e {
        Error::InsertData(m) if m.starts_with("[]float32 size ") && catalog.profile().parameter_invalid_errors => {
            Error::InsertData(format!("{m}: invalid parameter"))
        }
        e => e,
    }
}

pub fn delete_entities(catalog: &Catalog, db: &str, req: FilterReq) -> Result<Reply> {
    let target = catalog.write_target(db, &req.collection_name, &req.partition_name)?;
    let predicate = Predicate::compile_for_delete(&req.filter, req.expr_params.as_ref(), &target.spec)?;
    if predicate.is_everything() {
        // `deleteRunner.Init` (`internal/proxy/task_delete.go`) wraps it as a parameter error in every version read.
        let text = format!("delete plan can't be empty or always true : {}: invalid parameter", req.filter);
        return Err(Error::InvalidParameter(text));
    }
    let count = calls::delete(&target, &predicate, !req.partition_name.is_empty())?;
    Ok(Reply::Data(serde_json::json!({"deleteCount": count})))
}

/// `outputFields: ["count(*)"]`.
fn is_count(output_fields: &[String]) -> bool {
    output_fields.len() == 1 && output_fields[0].trim() == "count(*)"
}

/// The output fields of a read, or Milvus's 65535 for a name that is neither a field nor a dynamic key.
fn output_of(target: &ReadTarget, names: &[String], with_pk: bool, as_number: bool) -> Result<Output> {
    Output::resolve(&target.spec, names, with_pk, as_number).map_err(|e| Error::Plain(e.to_string()))
}

pub fn query_entities(catalog: &Catalog, db: &str, req: QueryReq) -> Result<Reply> {
    let target = catalog.read_target(db, &req.collection_name, &req.partition_names, "query", Lookup::Proxy)?;
    target.check_partitions()?;
    run_query(&target, req, catalog.profile().version)
}

/// A query once its collection and partitions are known: the proxy's `PreExecute` checks, then the load gate.
fn run_query(target: &ReadTarget, req: QueryReq, version: MilvusVersion) -> Result<Reply> {
    let counting = is_count(&req.output_fields);
    // The count rule: `limit` is not sent with `count(*)`; otherwise only a positive one is.
    let limit = (!counting && req.limit > 0).then_some(req.limit);
    let offset = req.offset.max(0);
    if req.filter.trim().is_empty() && limit.is_none() && !counting && req.id.is_none() {
        // 1100 from the 2.6 proxy on; a plain error before (contract part 2 §F).
        let text = "empty expression should be used with limit";
        return Err(if version >= MilvusVersion::V2_6 {
            Error::InvalidParameter(format!("{text}: invalid parameter"))
        } else {
            Error::Plain(text.into())
        });
    }
    if let Some(limit) = limit
        && limit + offset > MAX_WINDOW
    {
        return Err(Error::InvalidParameter(format!(
            "invalid max query result window, (offset+limit) should be in range [1, {MAX_WINDOW}], but got {}: invalid parameter",
            limit + offset
        )));
    }
    let predicate = Predicate::compile(&req.filter, req.expr_params.as_ref(), &target.spec)?;
    let output = if counting { None } else { Some(output_of(target, &req.output_fields, true, req.int64_as_number)?) };
    target.check_loaded()?;
    let data = match output {
        // The count is an Int64 column (`WrapCntToFieldData`): a string when Int64s are (`buildQueryResp`).
        None => {
            let n = calls::count(target, &predicate);
            let n = if req.int64_as_number { Value::from(n) } else { Value::from(n.to_string()) };
            serde_json::json!([{ "count(*)": n }])
        }
        Some(output) => {
            let rows = calls::query(target, &predicate, &output, limit.map(|l| l as usize), offset as usize);
            Value::Array(rows.into_iter().map(Value::Object).collect())
        }
    };
    Ok(with_cost(data, []))
}

pub fn get_entities(catalog: &Catalog, db: &str, req: GetReq) -> Result<Reply> {
    let mut req = req.0;
    let target = catalog.read_target(db, &req.collection_name, &req.partition_names, "query", Lookup::Describe)?;
    req.filter = pk_filter(&target, req.id.take().unwrap_or(Value::Null))?;
    target.check_partitions()?;
    req.id = Some(Value::Null);
    run_query(&target, req, catalog.profile().version)
}

/// `checkGetPrimaryKey`: `<pk> in [ids]` from `id` (a scalar or a list); a wrong type is 1806.
fn pk_filter(target: &ReadTarget, id: Value) -> Result<String> {
    let pk = target.spec.fields.iter().find(|f| f.primary_key).ok_or_else(|| Error::Plain("no primary key".into()))?;
    let ids = match id {
        Value::Array(items) => items,
        other => vec![other],
    };
    let cast = |v: &Value| -> std::result::Result<String, String> {
        match (pk.data_type, v) {
            (DataType::Int64, Value::Number(n)) => {
                n.as_i64().map(|i| i.to_string()).ok_or_else(|| format!("unable to cast {n} of type float64 to int64"))
            }
            (DataType::Int64, Value::String(s)) => s
                .parse::<i64>()
                .map(|i| i.to_string())
                .map_err(|_| format!("unable to cast {s:?} of type string to int64")),
            (DataType::Int64, other) => Err(format!("unable to cast {other} to int64")),
            (_, Value::String(s)) => Ok(serde_json::to_string(s).unwrap_or_default()),
            (_, Value::Number(n)) => Ok(format!("\"{n}\"")),
            (_, other) => Err(format!("unable to cast {other} to string")),
        }
    };
    let ids: Vec<String> =
        ids.iter().map(cast).collect::<std::result::Result<_, _>>().map_err(Error::CheckPrimaryKey)?;
    Ok(format!("{} in [{}]", pk.name, ids.join(",")))
}

pub fn flush_collection(catalog: &Catalog, db: &str, req: super::collections::CollectionNameReq) -> Result<Reply> {
    catalog.flush(db, &req.collection_name)?;
    Ok(Reply::Empty)
}

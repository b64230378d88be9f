//! `entities/search` and `entities/hybrid_search` (contract part 2 §C.7, §C.8, §E): the request bodies, the checks
//! in Milvus's order (consistency level, the collection, REST's own checks of `searchParams` and conversion of the
//! query vectors, partitions, `limit`/`offset`, range parameters, filter, output and grouping fields, the load state,
//! then the query node's check of a requested `metric_type`), and the answer: every query vector's hits
//! concatenated in `data`, each with `id` and `distance`, and `topks` from 2.6 on.
//!
//! A hybrid search takes nq query vectors in every sub-search (the same nq in each), reranks each query's hits
//! separately and concatenates the nq result lists as a search does; with `groupingField` each sub-search groups
//! and the merged hits are grouped again after reranking (`internal/proxy/task_search.go`, `rankSearchResultData`).

use axum::http::HeaderMap;
use std::collections::HashMap;

use serde_json::{Map, Value};

use super::CallTarget;
use super::entities::{MAX_WINDOW, int64_as_number, with_cost};
use crate::catalog::{Catalog, ConsistencyLevel, DataType, Field, Lookup, ReadTarget};
use crate::envelope::Reply;
use crate::error::{Error, Result};
use crate::go::bind::MilvusRequest;
use crate::go::fmt::go_format;
use crate::go::json::{GoObject, Required};
use crate::rows::column::dim_of;
use crate::rows::predicate::Predicate;
use crate::rows::render::{Output, f32_json};
use crate::rows::vector_search::{self, RowHit, Search};
use crate::rows::{Key, Rows};
use crate::search::{
    GroupParams, GroupScorer, Metric, QueryVector, Range, Reranked, Scored, SparseVector, SubSearch, rrf_scores,
    weighted_scores,
};
use crate::version::MilvusVersion;

/// One search's own fields: all of `SearchReqV2`'s that a hybrid sub-search also has.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchPart {
    pub data: Option<Value>,
    pub anns_field: String,
    pub filter: String,
    pub limit: i64,
    pub offset: i64,
    pub search_params: Option<Map<String, Value>>,
    pub expr_params: Option<Map<String, Value>>,
}

impl SearchPart {
    fn read(o: &mut GoObject<'_>, default_limit: i64, params_key: &str) -> Self {
        Self {
            data: o.any("data"),
            anns_field: o.string("annsField"),
            filter: o.string("filter"),
            limit: o.int_or("limit", "int", 64, default_limit),
            offset: o.int("offset", "int", 64),
            search_params: o.map(params_key),
            expr_params: o.map("exprParams"),
        }
    }
}

/// `SearchReqV2`.
#[derive(Debug, PartialEq)]
pub struct SearchReq {
    pub db_name: String,
    pub collection_name: String,
    pub search: SearchPart,
    pub partition_names: Vec<String>,
    pub output_fields: Vec<String>,
    pub grouping: Grouping,
    pub consistency_level: String,
    pub int64_as_number: bool,
}

/// `groupingField`, `groupSize`, `strictGroupSize`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Grouping {
    pub field: String,
    pub size: i64,
    pub strict: bool,
}

impl Grouping {
    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            field: o.string("groupingField"),
            size: o.int("groupSize", "int", 64),
            strict: o.bool("strictGroupSize"),
        }
    }
}

impl MilvusRequest for SearchReq {
    const GO_TYPE: &'static str = "httpserver.SearchReqV2";

    fn read(o: &mut GoObject<'_>) -> Self {
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            search: SearchPart::read(o, 100, "searchParams"),
            partition_names: o.strings("partitionNames").unwrap_or_default(),
            output_fields: o.strings("outputFields").unwrap_or_default(),
            grouping: Grouping::read(o),
            consistency_level: o.string("consistencyLevel"),
            int64_as_number: true,
        }
    }

    fn required(&self, r: &mut Required) {
        r.check("SearchReqV2", "CollectionName", !self.collection_name.is_empty());
        r.check("SearchReqV2", "Data", self.search.data.is_some());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.int64_as_number = int64_as_number(headers);
    }
}

impl CallTarget for SearchReq {
    fn target(&self) -> Option<(&str, &str)> {
        Some((&self.db_name, &self.collection_name))
    }
}

/// `HybridSearchReq`.
#[derive(Debug, PartialEq)]
pub struct HybridReq {
    pub db_name: String,
    pub collection_name: String,
    pub searches: Vec<SearchPart>,
    pub strategy: String,
    pub rerank_params: Map<String, Value>,
    pub limit: i64,
    /// Hits skipped after reranking: gRPC's `rank_params` `offset`. REST's `HybridSearchReq` has no such key, so
    /// it is 0 there.
    pub offset: i64,
    pub partition_names: Vec<String>,
    pub output_fields: Vec<String>,
    /// `groupingField`, `groupSize`, `strictGroupSize` at the top level of `HybridSearchReq` (2.6).
    pub grouping: Grouping,
    pub consistency_level: String,
    pub int64_as_number: bool,
}

impl MilvusRequest for HybridReq {
    const GO_TYPE: &'static str = "httpserver.HybridSearchReq";

    fn read(o: &mut GoObject<'_>) -> Self {
        let searches = o
            .objects("search", "[]httpserver.SubSearchReq", "SubSearchReq", |o| SearchPart::read(o, 0, "params"))
            .unwrap_or_default();
        let rerank = o.object("rerank", "httpserver.Rand", "Rand", |o| {
            (o.string("strategy"), o.map("params").unwrap_or_default())
        });
        let (strategy, rerank_params) = rerank.unwrap_or_default();
        Self {
            db_name: o.string("dbName"),
            collection_name: o.string("collectionName"),
            searches,
            strategy,
            rerank_params,
            limit: o.int_or("limit", "int", 64, 100),
            offset: 0,
            partition_names: o.strings("partitionNames").unwrap_or_default(),
            output_fields: o.strings("outputFields").unwrap_or_default(),
            grouping: Grouping::read(o),
            consistency_level: o.string("consistencyLevel"),
            int64_as_number: true,
        }
    }

    fn required(&self, r: &mut Required) {
        r.check("HybridSearchReq", "CollectionName", !self.collection_name.is_empty());
    }

    fn take_db_name(&mut self) -> String {
        std::mem::take(&mut self.db_name)
    }

    fn read_headers(&mut self, headers: &HeaderMap) {
        self.int64_as_number = int64_as_number(headers);
    }
}

impl CallTarget for HybridReq {
    fn target(&self) -> Option<(&str, &str)> {
        Some((&self.db_name, &self.collection_name))
    }
}

/// `convertConsistencyLevel`: empty is the collection's own; otherwise an exact enum name (1100).
fn check_consistency(level: &str) -> Result<()> {
    if level.is_empty() || ConsistencyLevel::parse(level).is_some() {
        return Ok(());
    }
    Err(Error::InvalidParameter(format!(
        "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'{level}' is incorrect, please check it: invalid parameter"
    )))
}

/// The vector field searched: `annsField`, or the only vector field (1801 otherwise).
fn vector_field<'a>(target: &'a ReadTarget, anns_field: &str) -> Result<(usize, &'a Field)> {
    let mut vectors = target.spec.fields.iter().enumerate().filter(|(_, f)| f.is_vector());
    if !anns_field.is_empty() {
        return vectors
            .find(|(_, f)| f.name == anns_field)
            .ok_or_else(|| Error::bad_json(format!("cannot find a vector field named: {anns_field}")));
    }
    let all: Vec<(usize, &Field)> = vectors.collect();
    match all.as_slice() {
        [one] => Ok(*one),
        [a, b, ..] => Err(Error::bad_json(format!(
            "search without annsField, but already found multiple vector fields: [{}, {},,,]",
            a.1.name, b.1.name
        ))),
        [] => Err(Error::bad_json("cannot find a vector field")),
    }
}

/// REST's conversion of `data` into query vectors for the field's type (1801 on a wrong size or type).
fn query_vectors(field: &Field, data: &Value) -> Result<Vec<QueryVector>> {
    let items = match data {
        Value::Array(items) => items,
        other => {
            return Err(Error::bad_json(format!(
                "json: cannot unmarshal {} into Go struct field SearchReqV2.data of type []interface {{}}",
                match other {
                    Value::Object(_) => "object",
                    Value::String(_) => "string",
                    Value::Bool(_) => "bool",
                    _ => "number",
                }
            )));
        }
    };
    let dim = dim_of(field);
    items.iter().map(|item| query_vector(field, dim, item)).collect()
}

fn query_vector(field: &Field, dim: usize, item: &Value) -> Result<QueryVector> {
    let wrong = |n: usize| {
        Error::bad_json(format!(
            "dimension: {dim}, but length of []float: {n}: invalid parameter[expected={}][actual={item}]",
            field.data_type
        ))
    };
    match field.data_type {
        DataType::BinaryVector => {
            let bytes: Vec<u8> = serde_json::from_value(item.clone()).map_err(|_| wrong(0))?;
            if bytes.len() * 8 != dim {
                return Err(wrong(bytes.len()));
            }
            Ok(QueryVector::Binary(bytes))
        }
        // A BM25 function's output field is searched with texts (REST sends them as a VarChar placeholder).
        DataType::SparseFloatVector if field.function_output && item.is_string() => {
            Ok(QueryVector::Text(item.as_str().unwrap_or_default().to_string()))
        }
        DataType::SparseFloatVector => {
            let object = item.as_object().ok_or_else(|| wrong(0))?;
            let pairs: Option<Vec<(u32, f32)>> =
                object.iter().map(|(k, v)| Some((k.parse().ok()?, v.as_f64()? as f32))).collect();
            let (indices, values) = pairs.ok_or_else(|| wrong(0))?.into_iter().unzip();
            Ok(QueryVector::Sparse(SparseVector::new(indices, values)))
        }
        _ => {
            let floats: Vec<f32> = match item {
                Value::Array(xs) => xs.iter().map(|x| x.as_f64().map(|f| f as f32)).collect::<Option<_>>(),
                _ => None,
            }
            .ok_or_else(|| wrong(item.as_array().map_or(0, Vec::len)))?;
            if floats.len() != dim {
                return Err(wrong(floats.len()));
            }
            Ok(QueryVector::Float(floats))
        }
    }
}

/// The proxy's `topk` and `offset+topk` checks (65535 in 2.6, 1100 where parameter errors are wrapped).
fn check_window(catalog: &Catalog, limit: i64, offset: i64) -> Result<()> {
    let fail = |text: String| {
        if catalog.profile().parameter_invalid_errors {
            Error::InvalidParameter(format!("{text}: invalid parameter"))
        } else {
            Error::Plain(text)
        }
    };
    if !(1..=MAX_WINDOW).contains(&limit) {
        return Err(fail(format!(
            "topk [{limit}] is invalid, it should be in range [1, {MAX_WINDOW}], but got {limit}"
        )));
    }
    let window = limit + offset.max(0);
    if window > MAX_WINDOW {
        return Err(fail(format!(
            "offset+topk [{window}] is invalid, it should be in range [1, {MAX_WINDOW}], but got {window}"
        )));
    }
    Ok(())
}

/// `radius` and `range_filter` from the search params (flat or under `params`).
fn range_of(metric: Metric, params: Option<&Map<String, Value>>) -> Result<Option<Range>> {
    let Some(params) = params else { return Ok(None) };
    let nested = params.get("params").and_then(Value::as_object);
    let get = |key: &str| nested.and_then(|n| n.get(key)).or_else(|| params.get(key)).and_then(Value::as_f64);
    let Some(radius) = get("radius") else { return Ok(None) };
    Range::new(metric, radius as f32, get("range_filter").map(|f| f as f32))
        .map(Some)
        .map_err(|e| Error::InvalidParameter(format!("{e}: invalid parameter")))
}

/// REST's checks of `searchParams` (`generateSearchParams`, Milvus 2.5.2 and later, so the 2.5 profile on; §C.7):
/// `params` must be an object (1100 `searchParams.params must be a dict`), and a key given both flat and under
/// `params` must have the same value in both (1100 `ambiguous parameter`). Values are compared as Go compares what
/// it decoded into `interface{}` (every number a float64, so `10` equals `10.0`) and printed with Go's `%v`. Go
/// walks the map in random order; with several ambiguous keys the mock names the first in key order.
fn check_search_params(catalog: &Catalog, params: Option<&Map<String, Value>>) -> Result<()> {
    let Some(params) = params.filter(|_| catalog.profile().version >= MilvusVersion::V2_5) else { return Ok(()) };
    let nested = match params.get("params") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(nested)) => nested,
        Some(_) => {
            return Err(Error::InvalidParameter("searchParams.params must be a dict: invalid parameter".into()));
        }
    };
    for (key, flat) in params {
        match nested.get(key) {
            Some(inner) if !go_equal(flat, inner) => {
                return Err(Error::InvalidParameter(format!(
                    "ambiguous parameter: {key}, in search_param: {}, in search_param.params: {}: invalid parameter",
                    go_format(flat),
                    go_format(inner)
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Go's `reflect.DeepEqual` of two values decoded into `interface{}`: numbers are float64s.
fn go_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(xs), Value::Array(ys)) => xs.len() == ys.len() && xs.iter().zip(ys).all(|(x, y)| go_equal(x, y)),
        (Value::Object(xs), Value::Object(ys)) => {
            xs.len() == ys.len() && xs.iter().all(|(k, x)| ys.get(k).is_some_and(|y| go_equal(x, y)))
        }
        _ => a == b,
    }
}

/// The query node's check of the metric a search asks for against its index's (§C.7): only the flat
/// `searchParams.metric_type` counts, as the proxy reads `metric_type` from the key-value pairs REST makes of the
/// top-level keys (Go's `%v` of the value); `metric_type` under `params` and camel-case `metricType` are not read,
/// so they change nothing. The check runs when the search executes, after the load check: 65535 (1100 where
/// parameter errors are wrapped) `failed to search: metric type not match: invalid parameter[expected=<index>]
/// [actual=<asked>]` (`internal/util/segcore/requests.go` `NewSearchRequest`, wrapped by the proxy's
/// `failed to search`; the layers Milvus adds between the two, naming the query node and channel, are left out).
pub(crate) fn check_metric(catalog: &Catalog, target: &ReadTarget, part: &SearchPart) -> Result<()> {
    let Some(asked) = part.search_params.as_ref().and_then(|p| p.get("metric_type")).map(go_format) else {
        return Ok(());
    };
    let (_, field) = vector_field(target, &part.anns_field)?;
    let index = target.metric(&field.name);
    if asked.is_empty() || asked == index {
        return Ok(());
    }
    let text = format!("failed to search: metric type not match: invalid parameter[expected={index}][actual={asked}]");
    Err(if catalog.profile().parameter_invalid_errors { Error::InvalidParameter(text) } else { Error::Plain(text) })
}

/// A search part after REST's own handling (`generateSearchParams`, then `generatePlaceholderGroup`): its search
/// params checked, the vector field's position and the query vectors.
fn convert(catalog: &Catalog, target: &ReadTarget, part: &SearchPart) -> Result<(usize, Vec<QueryVector>)> {
    check_search_params(catalog, part.search_params.as_ref())?;
    let (position, field) = vector_field(target, &part.anns_field)?;
    let queries = query_vectors(field, part.data.as_ref().unwrap_or(&Value::Null))?;
    Ok((position, queries))
}

/// The grouping field's position (1700 `groupBy field not found in schema` if the schema lacks it), `None` without
/// grouping.
fn group_field(target: &ReadTarget, grouping: &Grouping) -> Result<Option<usize>> {
    if grouping.field.is_empty() {
        return Ok(None);
    }
    let at = target.spec.fields.iter().position(|f| f.name == grouping.field).ok_or_else(|| Error::FieldNotFound {
        detail: "groupBy field not found in schema".into(),
        field: grouping.field.clone(),
    })?;
    Ok(Some(at))
}

/// The proxy's plan of a converted search part: `limit`/`offset`, range parameters, the filter and grouping.
fn plan(
    catalog: &Catalog,
    target: &ReadTarget,
    part: &SearchPart,
    (field, queries): (usize, Vec<QueryVector>),
    grouping: &Grouping,
) -> Result<(Search, Predicate)> {
    check_window(catalog, part.limit, part.offset)?;
    let metric = Metric::parse(target.metric(&target.spec.fields[field].name)).unwrap_or(Metric::Cosine);
    let range = range_of(metric, part.search_params.as_ref())?;
    let predicate = Predicate::compile(&part.filter, part.expr_params.as_ref(), &target.spec)?;
    let limit = part.limit as usize;
    let offset = part.offset.max(0) as usize;
    let grouping = group_field(target, grouping)?.map(|at| {
        (at, GroupParams { limit, offset, group_size: grouping.size.max(1) as usize, strict: grouping.strict })
    });
    Ok((Search { field, metric, queries, limit, offset, range, grouping }, predicate))
}

/// A search part checked and turned into a [`Search`] with its filter.
pub(crate) fn prepare(
    catalog: &Catalog,
    target: &ReadTarget,
    part: &SearchPart,
    grouping: &Grouping,
) -> Result<(Search, Predicate)> {
    let converted = convert(catalog, target, part)?;
    target.check_partitions()?;
    plan(catalog, target, part, converted, grouping)
}

/// The search output fields (none by default: only `id` and `distance`).
pub(crate) fn output_of(target: &ReadTarget, names: &[String], as_number: bool) -> Result<Output> {
    Output::resolve(&target.spec, names, false, as_number).map_err(|e| Error::Plain(e.to_string()))
}

/// One hit as REST shows it: the output fields, `id` (whatever the pk is called) and `distance`.
fn hit_json(rows: &Rows, target: &ReadTarget, output: &Output, hit: &RowHit, distance: f32) -> Value {
    let part = &rows.partitions[hit.part];
    let mut object = output.row(&target.spec, part, hit.row);
    object.insert("id".into(), output.key(&part.key(hit.row)));
    object.insert("distance".into(), f32_json(distance));
    Value::Object(object)
}

/// `{"code":0,"cost":0,"data":[...],"topks":[...]}`; no `topks` before 2.6, nor when nothing was found.
fn answer(catalog: &Catalog, data: Vec<Value>, topks: Vec<usize>) -> Reply {
    let with_topks = catalog.profile().version >= MilvusVersion::V2_6 && !data.is_empty();
    let topks = with_topks.then(|| ("topks", Value::from(topks)));
    with_cost(Value::Array(data), topks)
}

pub fn search_entities(catalog: &Catalog, db: &str, req: SearchReq) -> Result<Reply> {
    check_consistency(&req.consistency_level)?;
    let target = catalog.read_target(db, &req.collection_name, &req.partition_names, "search", Lookup::Describe)?;
    let (search, predicate) = prepare(catalog, &target, &req.search, &req.grouping)?;
    let output = output_of(&target, &req.output_fields, req.int64_as_number)?;
    target.check_loaded()?;
    check_metric(catalog, &target, &req.search)?;
    let rows = target.rows.read();
    let per_query = vector_search::run(&rows, &target, &predicate, &search);
    let topks: Vec<usize> = per_query.iter().map(Vec::len).collect();
    let data = per_query.iter().flatten().map(|hit| hit_json(&rows, &target, &output, hit, hit.distance)).collect();
    Ok(answer(catalog, data, topks))
}

/// The proxy's `checkNq` for a hybrid search: every sub-search has as many query vectors as the first (1100
/// `sub search request nq should be the same: invalid parameter[expected=<first>][actual=<other>]`).
fn check_nq(converted: &[(usize, Vec<QueryVector>)]) -> Result<usize> {
    let Some((_, first)) = converted.first() else { return Ok(0) };
    let nq = first.len();
    match converted.iter().map(|(_, queries)| queries.len()).find(|&n| n != nq) {
        Some(other) => Err(Error::InvalidParameter(format!(
            "sub search request nq should be the same: invalid parameter[expected={nq}][actual={other}]"
        ))),
        None => Ok(nq),
    }
}

pub fn hybrid_search_entities(catalog: &Catalog, db: &str, req: HybridReq) -> Result<Reply> {
    check_consistency(&req.consistency_level)?;
    let target = catalog.read_target(db, &req.collection_name, &req.partition_names, "search", Lookup::Describe)?;
    // REST converts every sub-search first; the proxy then checks partitions, output fields, nq and the grouping
    // field before it plans each sub-search.
    let converted: Vec<(usize, Vec<QueryVector>)> =
        req.searches.iter().map(|part| convert(catalog, &target, part)).collect::<Result<_>>()?;
    target.check_partitions()?;
    let output = output_of(&target, &req.output_fields, req.int64_as_number)?;
    let nq = check_nq(&converted)?;
    // The proxy builds its rerankers (`NewReScorers`) before it plans the sub-searches: bad rerank params are
    // reported here, whatever the sub-searches would find.
    let unscored: Vec<SubSearch<Key>> =
        req.searches.iter().map(|_| SubSearch { metric: Metric::Ip, hits: Vec::new() }).collect();
    rerank(&req, &unscored)?;
    let grouped_by = group_field(&target, &req.grouping)?;
    let mut prepared = Vec::with_capacity(req.searches.len());
    for (part, converted) in req.searches.iter().zip(converted) {
        let mut part = part.clone();
        if part.limit == 0 {
            part.limit = req.limit;
        }
        prepared.push(plan(catalog, &target, &part, converted, &req.grouping)?);
    }
    check_window(catalog, req.limit, req.offset)?;
    target.check_loaded()?;
    for part in &req.searches {
        check_metric(catalog, &target, part)?;
    }
    let rows = target.rows.read();
    let runs: Vec<Vec<Vec<RowHit>>> =
        prepared.iter().map(|(search, predicate)| vector_search::run(&rows, &target, predicate, search)).collect();
    let mut data = Vec::new();
    let mut topks = Vec::with_capacity(nq);
    for query in 0..nq {
        let subs: Vec<&[RowHit]> = runs.iter().map(|per_query| per_query[query].as_slice()).collect();
        let hits = merge(&req, &rows, &prepared, &subs, grouped_by)?;
        topks.push(hits.len());
        data.extend(hits.iter().map(|(hit, score)| hit_json(&rows, &target, &output, hit, *score)));
    }
    Ok(answer(catalog, data, topks))
}

/// One query's hits of every sub-search, reranked (and grouped again when the request groups): the rows with their
/// merged scores, best first.
fn merge(
    req: &HybridReq,
    rows: &Rows,
    prepared: &[(Search, Predicate)],
    subs: &[&[RowHit]],
    grouped_by: Option<usize>,
) -> Result<Vec<(RowHit, f32)>> {
    // Each distinct primary key's row (its first sighting), for the answer and its group.
    let mut places: HashMap<Key, RowHit> = HashMap::new();
    let subs: Vec<SubSearch<Key>> = prepared
        .iter()
        .zip(subs)
        .map(|((search, _), hits)| {
            let scored = hits
                .iter()
                .map(|hit| {
                    let key = rows.partitions[hit.part].key(hit.row);
                    places.entry(key.clone()).or_insert(*hit);
                    Scored { key, score: hit.distance }
                })
                .collect();
            SubSearch { metric: search.metric, hits: scored }
        })
        .collect();
    let reranked = rerank(req, &subs)?;
    let limit = req.limit.max(0) as usize;
    let offset = req.offset.max(0) as usize;
    let merged = match grouped_by {
        None => reranked.top(limit, offset),
        Some(field) => {
            let params = GroupParams {
                limit,
                offset,
                group_size: req.grouping.size.max(1) as usize,
                strict: req.grouping.strict,
            };
            let group_of = |key: &Key| {
                let hit = places[key];
                vector_search::group_key(&rows.partitions[hit.part], field, hit.row)
            };
            reranked.grouped(group_of, &params, GroupScorer::Max)
        }
    };
    Ok(merged.iter().filter_map(|s| places.get(&s.key).map(|hit| (*hit, s.score))).collect())
}

/// The merged scores of `rrf` (`k`, default 60) or `weighted` (`weights`, `norm_score`) over the sub-searches.
fn rerank(req: &HybridReq, subs: &[SubSearch<Key>]) -> Result<Reranked<Key>> {
    let invalid = |e: crate::search::RerankError| Error::InvalidParameter(e.to_string());
    match req.strategy.as_str() {
        "weighted" => {
            let weights: Vec<f32> = req
                .rerank_params
                .get("weights")
                .and_then(Value::as_array)
                .map(|ws| ws.iter().filter_map(Value::as_f64).map(|w| w as f32).collect())
                .unwrap_or_default();
            let norm = req.rerank_params.get("norm_score").and_then(Value::as_bool).unwrap_or(false);
            weighted_scores(subs, &weights, norm).map_err(invalid)
        }
        "rrf" | "" => {
            let k = req.rerank_params.get("k").and_then(Value::as_f64).unwrap_or(60.0);
            rrf_scores(subs, k).map_err(invalid)
        }
        other => Err(Error::InvalidParameter(format!("unsupported rerank strategy: {other}: invalid parameter"))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn checked(value: Value) -> std::result::Result<(), String> {
        let catalog = Catalog::new(Default::default(), Default::default(), Default::default());
        check_search_params(&catalog, Some(&params(value))).map_err(|e| e.message(catalog.profile()))
    }

    #[test]
    fn go_compares_decoded_numbers_as_float64s_deep_inside_lists_and_maps() {
        assert!(go_equal(&json!(10), &json!(10.0)));
        assert!(go_equal(&json!({"a": [1, 2.0]}), &json!({"a": [1.0, 2]})));
        assert!(!go_equal(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!go_equal(&json!("1"), &json!(1)));
        assert!(go_equal(&json!(null), &json!(null)));
    }

    #[test]
    fn search_params_rules() {
        assert_eq!(checked(json!({"ef": 8, "params": {"nprobe": 9}})), Ok(()));
        assert_eq!(checked(json!({"params": {"ef": 8}, "ef": 8.0})), Ok(()));
        assert_eq!(
            checked(json!({"hints": {"k": true}, "params": {"hints": {"k": false}}})),
            Err("ambiguous parameter: hints, in search_param: map[k:true], in search_param.params: map[k:false]: invalid parameter".into())
        );
        assert_eq!(
            checked(json!({"radius": 0.5, "params": {"radius": 1e-5}})),
            Err("ambiguous parameter: radius, in search_param: 0.5, in search_param.params: 1e-05: invalid parameter"
                .into())
        );
        assert_eq!(
            checked(json!({"params": true})),
            Err("searchParams.params must be a dict: invalid parameter".into())
        );
    }

    #[test]
    fn sub_searches_must_agree_on_nq() {
        let queries = |n: usize| (0, vec![QueryVector::Float(vec![0.0]); n]);
        assert_eq!(check_nq(&[]).unwrap(), 0);
        assert_eq!(check_nq(&[queries(3), queries(3)]).unwrap(), 3);
        let err = check_nq(&[queries(1), queries(1), queries(4)]).unwrap_err();
        assert_eq!(
            err.message(&Default::default()),
            "sub search request nq should be the same: invalid parameter[expected=1][actual=4]"
        );
    }
}

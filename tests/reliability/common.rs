//! What every reliability check shares, and what the fuzz targets include too (`#[path]`): the seed state the
//! inputs are thrown at, the names that make random bodies reach past binding, and the checker that says whether
//! an answer is one Milvus could give (the envelope, or its 401/404/408/500). Only `serde_json` and `milvus_mock`
//! are used here, so the fuzz crate can compile this file as it is.

#![allow(dead_code)]

use milvus_mock::fixtures::Fixture;
use serde_json::{Value, json};

/// The JSON content type gin's `c.JSON` sends.
pub const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

/// Milvus's 401 body (contract §1.4, §3.1).
pub const UNAUTHORIZED_BODY: &str = r#"{"code":1800,"message":"user hasn't authenticated"}"#;

/// Milvus's timeout-middleware body (HTTP 408).
pub const TIMEOUT_BODY: &str = r#"{"code":10001,"message":"request timeout"}"#;

/// The timeout middleware's answer to a panic (HTTP 500).
pub const PANIC_BODY: &str = r#"{"code":500}"#;

/// gin's default 404.
pub const NOT_FOUND_BODY: &str = "404 page not found";

/// Names that exist in [`seed`], plus a few that do not, so random bodies hit real objects as well as misses.
pub const NAMES: &[&str] = &[
    "quick_setup",
    "books",
    "no_index",
    "catalogue",
    "_default",
    "january",
    "fiction",
    "default",
    "library",
    "vector",
    "embedding",
    "missing",
    "",
    " ",
    "a-b",
    "1abc",
];

/// Keys the request structs read, so random objects bind to real fields.
pub const KEYS: &[&str] = &[
    "dbName",
    "collectionName",
    "partitionName",
    "partitionNames",
    "newCollectionName",
    "newDbName",
    "aliasName",
    "indexName",
    "fieldName",
    "dimension",
    "metricType",
    "idType",
    "autoID",
    "primaryFieldName",
    "vectorFieldName",
    "schema",
    "fields",
    "dataType",
    "isPrimary",
    "elementTypeParams",
    "indexParams",
    "indexType",
    "params",
    "properties",
    "propertyKeys",
    "description",
    "COLLECTIONNAME",
];

/// Two databases with a loaded quick-setup collection, a partly loaded custom collection with an alias, and a
/// collection without an index: enough for every route to have something to act on.
pub fn seed() -> Fixture {
    Fixture::new(
        "reliability-seed",
        json!({"databases": [
            {"name": "default", "collections": [
                {"collectionName": "quick_setup", "dimension": 5, "partitions": ["_default", "january"], "loaded": true},
                {"collectionName": "no_index",
                 "schema": {"fields": [
                     {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                     {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}}
            ]},
            {"name": "library", "properties": {"database.replica.number": 1}, "collections": [
                {"collectionName": "books",
                 "schema": {"fields": [
                     {"fieldName": "book_id", "dataType": "Int64", "isPrimary": true},
                     {"fieldName": "embedding", "dataType": "FloatVector", "elementTypeParams": {"dim": 8}}]},
                 "indexParams": [{"fieldName": "embedding", "indexType": "HNSW", "metricType": "L2"}],
                 "partitions": ["_default", "fiction"], "aliases": ["catalogue"], "loaded": ["fiction"]}
            ]}
        ]}),
    )
}

/// What kind of answer came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// HTTP 200 with the Milvus envelope and this `code`.
    Envelope(i64),
    /// 401 `{"code":1800,...}`.
    Unauthorized,
    /// 404 `404 page not found`.
    NotFound,
    /// 408 `{"code":10001,...}`.
    Timeout,
    /// 500 `{"code":500}`.
    Panic,
    /// 204 to `OPTIONS`.
    Preflight,
    /// 307 to the path without its trailing slash.
    Redirect,
}

/// Says what `status`/`body` is, or why it is none of the answers Milvus gives. `success_code` is the configured
/// success code (0 by default).
pub fn classify(status: u16, content_type: Option<&str>, body: &[u8], success_code: i64) -> Result<Answer, String> {
    let text = || String::from_utf8_lossy(body).into_owned();
    let fixed = |expected: &str, answer: Answer| {
        if body == expected.as_bytes() && content_type == Some(JSON_CONTENT_TYPE) {
            Ok(answer)
        } else {
            Err(format!("HTTP {status} with {content_type:?} {:?}, expected {expected}", text()))
        }
    };
    match status {
        200 => {}
        401 => return fixed(UNAUTHORIZED_BODY, Answer::Unauthorized),
        408 => return fixed(TIMEOUT_BODY, Answer::Timeout),
        500 => return fixed(PANIC_BODY, Answer::Panic),
        404 if body == NOT_FOUND_BODY.as_bytes() && content_type == Some("text/plain") => {
            return Ok(Answer::NotFound);
        }
        204 if body.is_empty() => return Ok(Answer::Preflight),
        307 if body.is_empty() => return Ok(Answer::Redirect),
        _ => return Err(format!("HTTP {status} with {content_type:?} {:?}", text())),
    }
    if content_type != Some(JSON_CONTENT_TYPE) {
        return Err(format!("HTTP 200 with content type {content_type:?}: {:?}", text()));
    }
    // Go's encoding/json: no trailing newline, and `<`, `>`, `&` always escaped.
    if body.last() == Some(&b'\n') || body.iter().any(|b| matches!(b, b'<' | b'>' | b'&')) {
        return Err(format!("not Go's json.Marshal output: {:?}", text()));
    }
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("HTTP 200 but not JSON ({e}): {:?}", text()))?;
    let object = value.as_object().ok_or_else(|| format!("HTTP 200 but not a JSON object: {value}"))?;
    let code = object.get("code").and_then(Value::as_i64).ok_or_else(|| format!("no integer code: {value}"))?;
    let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
    keys.sort_unstable();
    let message_ok = object.get("message").is_none_or(Value::is_string);
    let shape_ok = if code == success_code {
        // The data plane's answers add `cost` (and search's `topks`, from 2.6 on).
        keys == ["code", "data"]
            || keys == ["code", "data", "message"]
            || keys == ["code", "cost", "data"]
            || keys == ["code", "cost", "data", "topks"]
    } else {
        keys == ["code", "message"]
    };
    if !shape_ok || !message_ok {
        return Err(format!("not the envelope for code {code}: {value}"));
    }
    Ok(Answer::Envelope(code))
}

/// The whole state, with the one part that is allowed to differ between two dumps of an unchanged state removed
/// (nothing, today: the dump has no clocks or counters).
pub fn state_of(catalog: &milvus_mock::Catalog) -> Value {
    milvus_mock::fixtures::dump(catalog)
}

/// The two places where Milvus itself is not atomic, and the mock follows it (contract §6.2 step 4, part 2 §A.2):
/// `collections/create` creates the collection and then its indexes, so an index error leaves the new collection
/// behind; `indexes/create` creates its entries in order, so one that fails leaves the earlier ones. Anything
/// else, or more than that, is a state change on an error.
pub fn documented_partial_change(path: &str, before: &Value, after: &Value) -> bool {
    let mut after = after.clone();
    let databases = |v: &Value| v["databases"].as_array().cloned().unwrap_or_default();
    if path.ends_with("/collections/create") {
        let mut added = 0;
        for (db_after, db_before) in after["databases"].as_array_mut().unwrap().iter_mut().zip(databases(before)) {
            let known: Vec<Value> =
                db_before["collections"].as_array().unwrap().iter().map(|c| c["collectionName"].clone()).collect();
            let collections = db_after["collections"].as_array_mut().unwrap();
            let count = collections.len();
            collections.retain(|c| known.contains(&c["collectionName"]));
            added += count - collections.len();
        }
        return added == 1 && &after == before;
    }
    if path.ends_with("/indexes/create") {
        for (db_after, db_before) in after["databases"].as_array_mut().unwrap().iter_mut().zip(databases(before)) {
            let collections_before = db_before["collections"].as_array().unwrap();
            for (c_after, c_before) in
                db_after["collections"].as_array_mut().unwrap().iter_mut().zip(collections_before)
            {
                let old = c_before["indexParams"].as_array().unwrap();
                let new = c_after["indexParams"].as_array_mut().unwrap();
                if new.len() > old.len() && new[..old.len()] == old[..] {
                    new.truncate(old.len());
                }
            }
        }
        return &after == before;
    }
    false
}

//! The data plane (contract part 2 §C, §D, §E): insert, upsert, delete, query, get and search on small collections
//! whose answers can be computed by hand, and the load-gating story of §D (what a released partition does to reads).
//!
//! Portable to a real Milvus: every collection is created with `consistencyLevel: "Strong"` (query and get have no
//! consistency key of their own and use the collection's, §C.9) and every search passes `"Strong"` as well, so a
//! row written is seen by the next read. Loads are polled (`wait_loaded`). Row order in query and get is engine
//! order (§C.5 leaves it unconfirmed), so those rows are compared sorted by primary key; search hits are compared
//! in order, with vectors chosen so that no two hits tie. Distances of integer vectors are exact in float32 and
//! compared exactly (L2 is squared, §E.1; Go prints `2`, not `2.0`); a COSINE value that is not exact is compared
//! within 1e-6. Generated autoID values are learnt from the insert answer. `cost` is 0 in open-source Milvus
//! (§C.3) and is asserted.

use serde_json::{Value, json};

use crate::harness::{Scn, Step, diff};

// ---- request and answer helpers ----

/// `body` with `collectionName` set.
fn on(c: &str, mut body: Value) -> Value {
    body["collectionName"] = json!(c);
    body
}

/// A search body on `c`: query vectors, `Strong` consistency, plus `extra` keys.
fn search(c: &str, data: Value, extra: Value) -> Value {
    let mut body = on(c, json!({"data": data, "consistencyLevel": "Strong"}));
    if let Value::Object(extra) = extra {
        body.as_object_mut().expect("an object").extend(extra);
    }
    body
}

/// A custom schema collection: `id` Int64 (or `pk` VarChar) primary key, `vector` of dimension 4 indexed with
/// `metric`, Strong consistency; created, indexed and loaded.
fn schema(c: &str, fields: Value, auto_id: bool, dynamic: bool, metric: &str) -> Value {
    json!({
        "collectionName": c,
        "schema": {"autoID": auto_id, "enableDynamicField": dynamic, "fields": fields},
        "indexParams": [{"fieldName": "vector", "indexName": "vector", "metricType": metric}],
        "params": {"consistencyLevel": "Strong"}
    })
}

fn vector_field() -> Value {
    json!({"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}})
}

/// Creates `body` (which must succeed) and waits for the load it starts.
async fn create_loaded(s: &Scn, c: &str, body: Value) -> Step {
    s.arrange("collections/create", body).await?;
    s.wait_loaded("default", c, &[]).await
}

/// Search success, with `topks` (2.6 and later, the versions these scenarios run on; §C.8).
fn hits(s: &Scn, data: Value, topks: &[usize]) -> Value {
    json!({"code": s.success_code(), "cost": 0, "data": data, "topks": topks})
}

/// Insert or upsert success (`verb` is `insert` or `upsert`): the count and the ids in row order (§C.3).
fn written(s: &Scn, verb: &str, ids: Value) -> Value {
    let n = ids.as_array().map_or(0, Vec::len);
    json!({"code": s.success_code(), "cost": 0, "data": {format!("{verb}Count"): n, format!("{verb}Ids"): ids}})
}

/// Query/get success with rows in the given order.
fn rows(s: &Scn, data: Value) -> Value {
    json!({"code": s.success_code(), "cost": 0, "data": data})
}

fn count(s: &Scn, n: u64) -> Value {
    rows(s, json!([{"count(*)": n}]))
}

/// A judge for query/get answers whose row order is unspecified: the rows of `expected` sorted by `key`.
fn rows_by(s: &Scn, key: &'static str, expected: Value) -> impl FnOnce(&Value) -> Result<(), String> {
    let sort = move |v: &Value| {
        let mut v = v.clone();
        if let Some(rows) = v["data"].as_array_mut() {
            rows.sort_by_key(|r| r[key].to_string());
        }
        v
    };
    let expected = sort(&rows(s, expected));
    move |actual: &Value| {
        diff(&expected, &sort(actual), "$")
            .map_or(Ok(()), |at| Err(format!("{at} (rows sorted by {key}): expected {expected}")))
    }
}

/// A judge for `201 ... partition not loaded ...`: only the code and that substring are reliable (§D.4 step 3).
fn partition_not_loaded() -> impl FnOnce(&Value) -> Result<(), String> {
    error_containing(201, "partition not loaded")
}

/// A judge for an error whose code is known and whose text is only known to contain `part` (§D.3: derived).
fn error_containing(code: i64, part: &'static str) -> impl FnOnce(&Value) -> Result<(), String> {
    move |v: &Value| {
        let keys: Vec<&String> = v.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        let message = v["message"].as_str().unwrap_or_default();
        if v["code"] == json!(code) && keys == ["code", "message"] && message.contains(part) {
            Ok(())
        } else {
            Err(format!("expected code {code} and a message containing {part:?}"))
        }
    }
}

/// Like [`diff`], but a number with a fraction in `expected` matches within 1e-6 (float32 rounding of COSINE).
fn approx_diff(expected: &Value, actual: &Value, at: &str) -> Option<String> {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) if !e.is_i64() && !e.is_u64() => {
            let (e, a) = (e.as_f64().unwrap_or(f64::NAN), a.as_f64().unwrap_or(f64::NAN));
            ((e - a).abs() > 1e-6).then(|| format!("at {at}: {a} instead of {e} (±1e-6)"))
        }
        (Value::Object(e), Value::Object(a)) if e.len() == a.len() && e.keys().all(|k| a.contains_key(k)) => {
            e.iter().find_map(|(k, v)| approx_diff(v, &a[k], &format!("{at}.{k}")))
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            e.iter().zip(a).enumerate().find_map(|(i, (e, a))| approx_diff(e, a, &format!("{at}[{i}]")))
        }
        _ => diff(expected, actual, at),
    }
}

/// A judge: the answer equals `expected`, fractional numbers within 1e-6 ([`approx_diff`]).
fn close_to(expected: Value) -> impl FnOnce(&Value) -> Result<(), String> {
    move |v: &Value| approx_diff(&expected, v, "$").map_or(Ok(()), |at| Err(format!("{at}\n      expected {expected}")))
}

/// The collection's numeric id, which the 101 texts carry (§D.4 step 2).
async fn collection_id(s: &Scn, c: &str) -> Step<i64> {
    let resp = s.post("collections/describe", &json!({"collectionName": c})).await?;
    resp.json
        .as_ref()
        .and_then(|v| v["data"]["collectionID"].as_i64())
        .ok_or_else(|| crate::harness::Abort(format!("describe {c}: no collectionID in {}", resp.describe())))
}

// ---- scenarios ----

/// Int64 primary key, L2, a dynamic field: insert, flushed counts, query (filter, outputFields, `*`, count),
/// get, search (exact squared L2, limit, offset, filter, nq > 1), row conversion errors, delete by ids and by
/// filter, upsert (§C.3-C.8, §D.6, §E.1, §E.2).
pub async fn int64_rows(s: Scn) -> Step {
    let c = int64_collection(&s).await?;
    let coll = json!({"collectionName": c});
    let data = json!([
        {"id": 1, "vector": [0, 0, 0, 0], "color": "red", "n": 1},
        {"id": 2, "vector": [1, 0, 0, 0], "color": "blue", "n": 2},
        {"id": 3, "vector": [0, 3, 0, 0], "color": "red", "n": 3},
        {"id": 4, "vector": [1, 1, 2, 0], "color": "green", "n": 4, "tag": "x"},
        {"id": 5, "vector": [1, 1, 0, 0], "color": "blue", "n": 5}
    ]);
    s.check("entities/insert", on(&c, json!({"data": data})), written(&s, "insert", json!([1, 2, 3, 4, 5]))).await?;

    // Row counts come from flushed segments only (§D.6).
    s.check("collections/get_stats", coll.clone(), s.data(json!({"rowCount": 0}))).await?;
    s.check("collections/flush", coll.clone(), s.ok()).await?;
    s.check("collections/get_stats", coll.clone(), s.data(json!({"rowCount": 5}))).await?;

    // Query: count, filter + outputFields (the pk is always added), `*` with the dynamic key at the top level.
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 5)).await?;
    s.check("entities/query", on(&c, json!({"filter": "n > 2", "outputFields": ["count(*)"]})), count(&s, 3)).await?;
    // The count rule: with `count(*)` alone the limit is not sent (§C.5).
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"], "limit": 1})), count(&s, 5)).await?;
    let red_or_big = json!([{"color": "red", "id": 3}, {"color": "green", "id": 4}, {"color": "blue", "id": 5}]);
    s.check_with(
        "entities/query",
        on(&c, json!({"filter": "n > 2", "outputFields": ["color"]})),
        rows_by(&s, "id", red_or_big),
    )
    .await?;
    let row4 = json!([{"color": "green", "id": 4, "n": 4, "tag": "x", "vector": [1, 1, 2, 0]}]);
    s.check("entities/query", on(&c, json!({"filter": "id == 4", "outputFields": ["*"]})), rows(&s, row4.clone()))
        .await?;
    s.check("entities/query", on(&c, json!({"filter": "id == 4"})), rows(&s, row4)).await?;
    s.check(
        "entities/query",
        on(&c, json!({"filter": "tag == \"x\"", "outputFields": ["tag"]})),
        rows(&s, json!([{"id": 4, "tag": "x"}])),
    )
    .await?;
    s.check("entities/query", on(&c, json!({"filter": "n > 100"})), rows(&s, json!([]))).await?;
    // Query with a limit: how many rows, whichever they are.
    s.check_with("entities/query", on(&c, json!({"filter": "n > 0", "limit": 2, "outputFields": ["n"]})), |v| {
        let n = v["data"].as_array().map_or(0, Vec::len);
        if v["code"] == json!(0) && n == 2 { Ok(()) } else { Err("expected code 0 and 2 rows".into()) }
    })
    .await?;

    // Get: scalar or list ids, unknown ids give [] (§C.5).
    let blues = json!([{"color": "blue", "id": 2}, {"color": "blue", "id": 5}]);
    s.check_with("entities/get", on(&c, json!({"id": [2, 5], "outputFields": ["color"]})), rows_by(&s, "id", blues))
        .await?;
    s.check("entities/get", on(&c, json!({"id": 2, "outputFields": ["n"]})), rows(&s, json!([{"id": 2, "n": 2}])))
        .await?;
    s.check("entities/get", on(&c, json!({"id": "3", "outputFields": ["n"]})), rows(&s, json!([{"id": 3, "n": 3}])))
        .await?;
    s.check("entities/get", on(&c, json!({"id": [999]})), rows(&s, json!([]))).await?;

    // Search, L2 squared (§E.1). From [1,1,0,0]: 5 -> 0, 2 -> 1, 1 -> 2, 4 -> 4, 3 -> 5.
    // From [0,0,0,0]: 1 -> 0, 2 -> 1, 5 -> 2, 4 -> 6, 3 -> 9.
    let (q1, q0) = (json!([1, 1, 0, 0]), json!([0, 0, 0, 0]));
    let all_from_q1 = json!([
        {"distance": 0, "id": 5}, {"distance": 1, "id": 2}, {"distance": 2, "id": 1},
        {"distance": 4, "id": 4}, {"distance": 5, "id": 3}
    ]);
    s.check("entities/search", search(&c, json!([q1]), json!({})), hits(&s, all_from_q1, &[5])).await?;
    s.check(
        "entities/search",
        search(&c, json!([q1]), json!({"limit": 2, "offset": 1})),
        hits(&s, json!([{"distance": 1, "id": 2}, {"distance": 2, "id": 1}]), &[2]),
    )
    .await?;
    // nq = 2: the hits of each query vector, concatenated (§C.8).
    let two = json!([
        {"distance": 0, "id": 5}, {"distance": 1, "id": 2}, {"distance": 2, "id": 1},
        {"distance": 0, "id": 1}, {"distance": 1, "id": 2}, {"distance": 2, "id": 5}
    ]);
    s.check("entities/search", search(&c, json!([q1, q0]), json!({"limit": 3})), hits(&s, two, &[3, 3])).await?;
    // Pre-filtering with output fields: only red rows, then the top k.
    s.check(
        "entities/search",
        search(&c, json!([q1]), json!({"filter": "color == \"red\"", "outputFields": ["color", "n"], "limit": 5})),
        hits(
            &s,
            json!([{"color": "red", "distance": 2, "id": 1, "n": 1}, {"color": "red", "distance": 5, "id": 3, "n": 3}]),
            &[2],
        ),
    )
    .await?;
    // `*` in a search: every field, the vector and the dynamic keys too.
    s.check(
        "entities/search",
        search(&c, json!([q0]), json!({"limit": 1, "outputFields": ["*"]})),
        hits(&s, json!([{"color": "red", "distance": 0, "id": 1, "n": 1, "vector": [0, 0, 0, 0]}]), &[1]),
    )
    .await?;
    // metricType in searchParams is ignored: the index's metric is used (§C.7).
    s.check(
        "entities/search",
        search(&c, json!([q0]), json!({"limit": 1, "searchParams": {"metricType": "COSINE"}})),
        hits(&s, json!([{"distance": 0, "id": 1}]), &[1]),
    )
    .await?;

    // Delete by ids: deleteCount is the number of keys listed, no `cost` (§C.4).
    s.check("entities/delete", on(&c, json!({"filter": "id in [2, 6, 99]"})), s.data(json!({"deleteCount": 3})))
        .await?;
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 4)).await?;
    s.check("entities/get", on(&c, json!({"id": [2, 6]})), rows(&s, json!([]))).await?;
    // Delete by another filter: the number of matches.
    s.check("entities/delete", on(&c, json!({"filter": "color == \"green\""})), s.data(json!({"deleteCount": 1})))
        .await?;
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 3)).await?;
    s.check(
        "entities/search",
        search(&c, json!([q1]), json!({})),
        hits(&s, json!([{"distance": 0, "id": 5}, {"distance": 2, "id": 1}, {"distance": 5, "id": 3}]), &[3]),
    )
    .await?;
    // Deletes do not lower the flushed count (§D.6).
    s.check("collections/get_stats", coll.clone(), s.data(json!({"rowCount": 5}))).await?;

    // Row conversion errors (§C.3): `$meta` with dynamic fields on, a missing Int64 key; Int64 accepts "7".
    let bad_meta = json!({"id": 7, "vector": [0, 0, 0, 0], "color": "x", "n": 7, "$meta": {"a": 1}});
    s.check(
        "entities/insert",
        on(&c, json!({"data": [bad_meta]})),
        s.err(1804, "fail to deal the insert data, error: use the invalid field name($meta) when enable dynamicField: invalid parameter"),
    )
    .await?;
    s.check(
        "entities/insert",
        on(&c, json!({"data": [{"vector": [0, 0, 0, 0], "color": "x", "n": 7}]})),
        s.err(1804, "fail to deal the insert data, error: strconv.ParseInt: parsing \"\": invalid syntax: invalid parameter[expected=Int64][actual=]"),
    )
    .await?;
    s.check(
        "entities/insert",
        on(&c, json!({"data": [{"id": "7", "vector": [7, 7, 7, 7], "color": "x", "n": "7"}]})),
        written(&s, "insert", json!([7])),
    )
    .await?;
    s.check("entities/delete", on(&c, json!({"filter": "id == 7"})), s.data(json!({"deleteCount": 1}))).await?;

    // Upsert: one live row per key, the new values (§C.3).
    let new1 = json!({"id": 1, "vector": [1, 1, 0, 1], "color": "yellow", "n": 10});
    s.check("entities/upsert", on(&c, json!({"data": [new1]})), written(&s, "upsert", json!([1]))).await?;
    s.check(
        "entities/query",
        on(&c, json!({"filter": "id == 1", "outputFields": ["color", "n", "vector"]})),
        rows(&s, json!([{"color": "yellow", "id": 1, "n": 10, "vector": [1, 1, 0, 1]}])),
    )
    .await?;
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 3)).await?;
    s.check(
        "entities/search",
        search(&c, json!([q1]), json!({"outputFields": ["n"]})),
        hits(&s, json!([{"distance": 0, "id": 5, "n": 5}, {"distance": 1, "id": 1, "n": 10}, {"distance": 5, "id": 3, "n": 3}]), &[3]),
    )
    .await?;
    Ok(())
}

/// The collection of the Int64 scenarios: `id` Int64 key, `vector` (4, L2), `color` VarChar, `n` Int64, dynamic
/// fields on; created, indexed and loaded.
async fn int64_collection(s: &Scn) -> Step<String> {
    let c = s.collection();
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        vector_field(),
        {"fieldName": "color", "dataType": "VarChar", "elementTypeParams": {"max_length": "16"}},
        {"fieldName": "n", "dataType": "Int64"}
    ]);
    create_loaded(s, &c, schema(&c, fields, false, true, "L2")).await?;
    Ok(c)
}

/// `Accept-Type-Allow-Int64` (§C.6): Int64 values (keys, fields, `count(*)`) as strings when it is false.
pub async fn int64_header(s: Scn) -> Step {
    let c = int64_collection(&s).await?;
    let rows5 = json!([{"id": 5, "vector": [1, 1, 0, 0], "color": "blue", "n": 5}]);
    s.check("entities/insert", on(&c, json!({"data": rows5})), written(&s, "insert", json!([5]))).await?;
    // Accept-Type-Allow-Int64: false renders Int64 values as strings (§C.6).
    let no_int64 = [("Content-Type", "application/json"), ("Accept-Type-Allow-Int64", "false")];
    let row6 = json!({"id": 6, "vector": [9, 9, 9, 9], "color": "pink", "n": 6});
    s.check_raw(
        "entities/insert",
        &on(&c, json!({"data": [row6]})).to_string(),
        &no_int64,
        written(&s, "insert", json!(["6"])),
    )
    .await?;
    s.check_raw(
        "entities/query",
        &on(&c, json!({"filter": "id == 6", "outputFields": ["n", "color"]})).to_string(),
        &no_int64,
        rows(&s, json!([{"color": "pink", "id": "6", "n": "6"}])),
    )
    .await?;
    // count(*) is an Int64 column as well (`WrapCntToFieldData`), so it is a string too.
    s.check_raw(
        "entities/query",
        &on(&c, json!({"filter": "n >= 5", "outputFields": ["count(*)"]})).to_string(),
        &no_int64,
        rows(&s, json!([{"count(*)": "2"}])),
    )
    .await?;
    s.check_raw(
        "entities/search",
        &search(&c, json!([[9, 9, 9, 9]]), json!({"limit": 1})).to_string(),
        &no_int64,
        hits(&s, json!([{"distance": 0, "id": "6"}]), &[1]),
    )
    .await?;
    // The header is read with ParseBool; a value it cannot parse is replaced by the server default, true in 2.6
    // (`RequestHandlerFunc`), so "yes" gives numbers and "0" strings.
    for (value, id) in [("yes", json!(6)), ("T", json!(6)), ("0", json!("6"))] {
        s.check_raw(
            "entities/query",
            &on(&c, json!({"filter": "id == 6", "outputFields": ["id"]})).to_string(),
            &[("Content-Type", "application/json"), ("Accept-Type-Allow-Int64", value)],
            rows(&s, json!([{"id": id}])),
        )
        .await?;
    }
    Ok(())
}

/// 2.6 partial update (§C.3): the given fields merge into the stored row.
pub async fn partial_update(s: Scn) -> Step {
    let c = int64_collection(&s).await?;
    let row3 = json!([{"id": 3, "vector": [0, 3, 0, 0], "color": "red", "n": 3}]);
    s.check("entities/insert", on(&c, json!({"data": row3})), written(&s, "insert", json!([3]))).await?;
    s.check(
        "entities/upsert",
        on(&c, json!({"data": [{"id": 3, "color": "violet"}], "partialUpdate": true})),
        written(&s, "upsert", json!([3])),
    )
    .await?;
    s.check(
        "entities/query",
        on(&c, json!({"filter": "id == 3", "outputFields": ["color", "n", "vector"]})),
        rows(&s, json!([{"color": "violet", "id": 3, "n": 3, "vector": [0, 3, 0, 0]}])),
    )
    .await?;
    Ok(())
}

/// VarChar primary key named `pk`, IP: ids are strings, hits carry `id` besides `pk` (§C.8), inner products sort
/// descending (§E.1); a key outside a static schema is refused (§C.3).
pub async fn varchar_rows(s: Scn) -> Step {
    let c = s.collection();
    let fields = json!([
        {"fieldName": "pk", "dataType": "VarChar", "isPrimary": true, "elementTypeParams": {"max_length": "16"}},
        vector_field()
    ]);
    create_loaded(&s, &c, schema(&c, fields, false, false, "IP")).await?;
    let data = json!([
        {"pk": "a", "vector": [1, 2, 0, 0]},
        {"pk": "b", "vector": [0, 0, 1, 0]},
        {"pk": "c", "vector": [2, 2, 2, 2]}
    ]);
    s.check("entities/insert", on(&c, json!({"data": data})), written(&s, "insert", json!(["a", "b", "c"]))).await?;
    // From [1,1,1,1]: c 8, a 3, b 1.
    s.check(
        "entities/search",
        search(&c, json!([[1, 1, 1, 1]]), json!({"outputFields": ["pk"]})),
        hits(&s, json!([{"distance": 8, "id": "c", "pk": "c"}, {"distance": 3, "id": "a", "pk": "a"}, {"distance": 1, "id": "b", "pk": "b"}]), &[3]),
    )
    .await?;
    s.check(
        "entities/search",
        search(&c, json!([[1, 1, 1, 1]]), json!({"filter": "pk in [\"a\", \"b\"]", "limit": 1})),
        hits(&s, json!([{"distance": 3, "id": "a"}]), &[1]),
    )
    .await?;
    s.check("entities/get", on(&c, json!({"id": "b"})), rows(&s, json!([{"pk": "b", "vector": [0, 0, 1, 0]}]))).await?;
    s.check_with(
        "entities/query",
        on(&c, json!({"filter": "pk >= \"b\"", "outputFields": ["pk"]})),
        rows_by(&s, "pk", json!([{"pk": "b"}, {"pk": "c"}])),
    )
    .await?;
    s.check("entities/delete", on(&c, json!({"filter": "pk in [\"a\"]"})), s.data(json!({"deleteCount": 1}))).await?;
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 2)).await?;
    s.check(
        "entities/insert",
        on(&c, json!({"data": [{"pk": "d", "vector": [0, 0, 0, 1], "extra": 1}]})),
        s.err(1804, "fail to deal the insert data, error: has pass more field without dynamic schema, please check it: invalid parameter"),
    )
    .await?;
    Ok(())
}

/// autoID Int64 key, COSINE: generated ids come back in row order, a supplied key is refused on insert (§C.3);
/// cosine similarity sorts descending (§E.1).
pub async fn auto_id_rows(s: Scn) -> Step {
    let c = s.collection();
    let fields = json!([{"fieldName": "id", "dataType": "Int64", "isPrimary": true}, vector_field()]);
    create_loaded(&s, &c, schema(&c, fields, true, false, "COSINE")).await?;
    let data = json!([
        {"vector": [1, 0, 0, 0]},
        {"vector": [0, 1, 0, 0]},
        {"vector": [-1, 0, 0, 0]},
        {"vector": [3, 4, 0, 0]}
    ]);
    let inserted = s
        .check(
            "entities/insert",
            on(&c, json!({"data": data})),
            written(&s, "insert", json!(["{int}", "{int}", "{int}", "{int}"])),
        )
        .await?;
    let ids: Vec<i64> =
        inserted["data"]["insertIds"].as_array().into_iter().flatten().filter_map(Value::as_i64).collect();
    if ids.len() != 4 {
        return Err(crate::harness::Abort(format!("no generated ids to go on with: {inserted}")));
    }
    let expected = json!([
        {"distance": 1, "id": ids[0]}, {"distance": 0.6, "id": ids[3]},
        {"distance": 0, "id": ids[1]}, {"distance": -1, "id": ids[2]}
    ]);
    s.check_with("entities/search", search(&c, json!([[2, 0, 0, 0]]), json!({})), close_to(hits(&s, expected, &[4])))
        .await?;
    s.check(
        "entities/get",
        on(&c, json!({"id": ids[1], "outputFields": ["vector"]})),
        rows(&s, json!([{"id": ids[1], "vector": [0, 1, 0, 0]}])),
    )
    .await?;
    s.check(
        "entities/insert",
        on(&c, json!({"data": [{"id": 7, "vector": [1, 1, 1, 1]}]})),
        s.err(1804, "fail to deal the insert data, error: no need to pass pk field(id) when autoid==true in insert: invalid parameter"),
    )
    .await?;
    // Upsert needs the key even with autoID; `row <i>` is the key's field index, not a row number (§C.3).
    s.check(
        "entities/upsert",
        on(&c, json!({"data": [{"vector": [1, 1, 1, 1]}]})),
        s.err(1804, "fail to deal the insert data, error: row 0 does not has field id"),
    )
    .await?;
    s.check("entities/query", on(&c, json!({"outputFields": ["count(*)"]})), count(&s, 4)).await?;
    Ok(())
}

/// The load-gating story of §D: two partitions loaded and read; one released (named: 201, not named: skipped);
/// a missing partition is 65535 before any load check; all released: 101 with the numeric collection id; writes
/// need no load; reloading shows every row again.
pub async fn load_gating(s: Scn) -> Step {
    let c = s.collection();
    let quick =
        json!({"collectionName": c, "dimension": 4, "metricType": "L2", "params": {"consistencyLevel": "Strong"}});
    create_loaded(&s, &c, quick).await?;
    s.partition("default", &c, "p1").await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    let id = collection_id(&s, &c).await?;
    // Row k has vector [k,0,0,0]: from the origin its L2 distance is k².
    let row = |k: i64| json!({"id": k, "vector": [k, 0, 0, 0]});
    let insert = |partition: &str, keys: &[i64]| {
        let data: Vec<Value> = keys.iter().map(|k| row(*k)).collect();
        on(&c, json!({"partitionName": partition, "data": data}))
    };
    let inserted = |keys: &[i64]| written(&s, "insert", json!(keys));
    let hit = |k: i64| json!({"distance": k * k, "id": k});
    let origin = json!([[0, 0, 0, 0]]);
    let in_parts = |ps: &[&str]| json!({"partitionNames": ps});
    let counting = |ps: &[&str]| on(&c, json!({"outputFields": ["count(*)"], "partitionNames": ps}));

    s.check("entities/insert", insert("_default", &[1, 2]), inserted(&[1, 2])).await?;
    s.check("entities/insert", insert("p1", &[10, 11, 12]), inserted(&[10, 11, 12])).await?;
    s.check("entities/insert", insert("nope", &[20]), s.err(200, "partition not found[partition=nope]")).await?;

    // Counts of flushed rows per partition (§D.6).
    s.check("collections/flush", json!({"collectionName": c}), s.ok()).await?;
    s.check("collections/get_stats", json!({"collectionName": c}), s.data(json!({"rowCount": 5}))).await?;
    s.check("partitions/get_stats", on(&c, json!({"partitionName": "p1"})), s.data(json!({"rowCount": 3}))).await?;

    // Everything loaded: both partitions are read.
    s.check("entities/query", counting(&[]), count(&s, 5)).await?;
    s.check("entities/query", counting(&["p1"]), count(&s, 3)).await?;
    s.check("entities/query", counting(&["_default", "p1"]), count(&s, 5)).await?;
    let every = json!([hit(1), hit(2), hit(10), hit(11), hit(12)]);
    s.check("entities/search", search(&c, origin.clone(), json!({})), hits(&s, every, &[5])).await?;
    s.check(
        "entities/search",
        search(&c, origin.clone(), in_parts(&["p1"])),
        hits(&s, json!([hit(10), hit(11), hit(12)]), &[3]),
    )
    .await?;

    // p1 released: naming it is 201; naming nothing reads only _default.
    s.check("partitions/release", on(&c, json!({"partitionNames": ["p1"]})), s.ok()).await?;
    s.check_with("entities/query", counting(&["p1"]), partition_not_loaded()).await?;
    s.check_with("entities/query", counting(&["_default", "p1"]), partition_not_loaded()).await?;
    s.check_with("entities/search", search(&c, origin.clone(), in_parts(&["p1"])), partition_not_loaded()).await?;
    s.check_with("entities/get", on(&c, json!({"id": [10], "partitionNames": ["p1"]})), partition_not_loaded()).await?;
    let hybrid_in = |ps: &[&str]| {
        on(
            &c,
            json!({
                "search": [{"data": origin, "annsField": "vector", "limit": 10}],
                "rerank": {"strategy": "rrf", "params": {"k": 60}},
                "partitionNames": ps,
                "consistencyLevel": "Strong"
            }),
        )
    };
    s.check_with("entities/hybrid_search", hybrid_in(&["p1"]), partition_not_loaded()).await?;
    // Not named: rrf over _default's two rows, ranks 1 and 2.
    let rrf = json!([{"distance": 1.0 / 61.0, "id": 1}, {"distance": 1.0 / 62.0, "id": 2}]);
    s.check_with("entities/hybrid_search", hybrid_in(&[]), close_to(hits(&s, rrf, &[2]))).await?;
    s.check("entities/query", counting(&[]), count(&s, 2)).await?;
    s.check("entities/query", counting(&["_default"]), count(&s, 2)).await?;
    s.check("entities/search", search(&c, origin.clone(), json!({})), hits(&s, json!([hit(1), hit(2)]), &[2])).await?;
    s.check("entities/get", on(&c, json!({"id": [1, 10]})), rows(&s, json!([{"id": 1, "vector": [1, 0, 0, 0]}])))
        .await?;
    // A partition that does not exist: 65535 (master: 1100), before anything else.
    let missing = s.plain_or_invalid("partition name nope not found");
    s.check("entities/query", counting(&["nope"]), missing.clone()).await?;
    s.check("entities/search", search(&c, origin.clone(), in_parts(&["nope"])), missing.clone()).await?;
    s.check("entities/get", on(&c, json!({"id": [1], "partitionNames": ["nope"]})), missing.clone()).await?;

    // Writes into a released partition need no load (§D.2, §D.3).
    s.check("entities/insert", insert("p1", &[13]), inserted(&[13])).await?;
    s.check(
        "entities/delete",
        on(&c, json!({"partitionName": "p1", "filter": "id in [11]"})),
        s.data(json!({"deleteCount": 1})),
    )
    .await?;
    let upsert12 = on(&c, json!({"partitionName": "p1", "data": [{"id": 12, "vector": [12, 0, 0, 0], "tag": "u"}]}));
    s.check("entities/upsert", upsert12, written(&s, "upsert", json!([12]))).await?;
    // A partition that does not exist, for writes: 200 (§D.1).
    let not_found = s.err(200, "partition not found[partition=nope]");
    s.check("entities/delete", on(&c, json!({"partitionName": "nope", "filter": "id in [1]"})), not_found.clone())
        .await?;
    s.check("entities/upsert", on(&c, json!({"partitionName": "nope", "data": [row(1)]})), not_found).await?;

    // The last loaded partition released: the collection is not loaded, reads are 101 with its numeric id.
    s.check("partitions/release", on(&c, json!({"partitionNames": ["_default"]})), s.ok()).await?;
    s.check("collections/get_load_state", json!({"collectionName": c}), s.not_loaded()).await?;
    let not_loaded = |task: &str| s.err(101, format!("failed to {task}: collection not loaded[collection={id}]"));
    s.check("entities/query", counting(&[]), not_loaded("query")).await?;
    s.check("entities/query", counting(&["p1"]), not_loaded("query")).await?;
    s.check("entities/get", on(&c, json!({"id": [1]})), not_loaded("query")).await?;
    s.check("entities/search", search(&c, origin.clone(), json!({})), not_loaded("search")).await?;
    s.check("entities/search", search(&c, origin.clone(), in_parts(&["_default"])), not_loaded("search")).await?;
    // The REST conversion of the query vectors comes before the proxy (§C.2): 1801, not 101.
    s.check(
        "entities/search",
        search(&c, json!([[0, 0, 0]]), json!({})),
        s.err(1801, "can only accept json format request, error: dimension: 4, but length of []float: 3: invalid parameter[expected=FloatVector][actual=[0,0,0]]"),
    )
    .await?;
    // The partition names are resolved before the load state is known.
    s.check("entities/query", counting(&["nope"]), missing.clone()).await?;
    s.check("entities/search", search(&c, origin.clone(), in_parts(&["nope"])), missing).await?;
    // Hybrid search is gated the same way (its 101 prefix is UNCONFIRMED).
    let hybrid = on(
        &c,
        json!({
            "search": [{"data": origin, "annsField": "vector", "limit": 2}],
            "rerank": {"strategy": "rrf", "params": {"k": 60}},
            "consistencyLevel": "Strong"
        }),
    );
    s.check_with("entities/hybrid_search", hybrid.clone(), error_containing(101, "collection not loaded")).await?;
    // A partial upsert queries first, so it needs the load (§D.2; wording derived).
    let partial = on(&c, json!({"data": [{"id": 1, "vector": [1, 1, 0, 0]}], "partialUpdate": true}));
    s.check_with("entities/upsert", partial, error_containing(101, "collection not loaded")).await?;
    // A delete by key works unloaded; one by another filter must query first (101; its wording is derived).
    s.check("entities/insert", insert("_default", &[3]), inserted(&[3])).await?;
    s.check("entities/delete", on(&c, json!({"filter": "id in [2]"})), s.data(json!({"deleteCount": 1}))).await?;
    s.check_with(
        "entities/delete",
        on(&c, json!({"filter": "id > 100"})),
        error_containing(101, "collection not loaded"),
    )
    .await?;

    // Reloaded: every live row is visible again, the writes made while released included.
    s.check("collections/load", json!({"collectionName": c}), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check("entities/query", counting(&[]), count(&s, 5)).await?;
    s.check("entities/query", counting(&["p1"]), count(&s, 3)).await?;
    s.check(
        "entities/query",
        on(&c, json!({"filter": "id == 12", "outputFields": ["tag"]})),
        rows(&s, json!([{"id": 12, "tag": "u"}])),
    )
    .await?;
    let live = json!([hit(1), hit(3), hit(10), hit(12), hit(13)]);
    s.check("entities/search", search(&c, origin.clone(), json!({})), hits(&s, live, &[5])).await?;
    s.check(
        "entities/search",
        search(&c, origin, json!({"partitionNames": ["p1"], "limit": 2})),
        hits(&s, json!([hit(10), hit(12)]), &[2]),
    )
    .await?;
    Ok(())
}

/// Request errors with settled texts: binding (1802), conversion (1804, 1801), consistency (1100), limits
/// (65535, 1100) and a missing collection per route (§C.1, §C.2, §C.3, §C.5, §C.7).
pub async fn request_errors(s: Scn) -> Step {
    let c = s.collection();
    let quick = json!({"collectionName": c, "dimension": 4, "params": {"consistencyLevel": "Strong"}});
    create_loaded(&s, &c, quick).await?;
    s.check("entities/insert", on(&c, json!({})), s.missing(&[("CollectionDataReq", "Data")])).await?;
    s.check(
        "entities/insert",
        on(&c, json!({"data": []})),
        s.err(1804, "fail to deal the insert data, error: missing required parameters"),
    )
    .await?;
    // Row conversion (§C.3): every answer is 1804 `fail to deal the insert data, error: <detail>`.
    // A row that is not an object never gets there: `data` is a `[]map[string]interface{}`, so binding refuses it
    // (1801), whatever §C.3's row for it says.
    s.check(
        "entities/insert",
        on(&c, json!({"data": [1]})),
        s.err(1801, "can only accept json format request, error: json: cannot unmarshal number into Go struct field CollectionDataReq.data of type map[string]interface {}"),
    )
    .await?;
    let bad_rows = [
        (json!([{"id": 1}]), "missing vector field: vector: invalid parameter[expected=FloatVector][actual=]"),
        (
            json!([{"id": "abc", "vector": [1, 2, 3, 4]}]),
            "strconv.ParseInt: parsing \"abc\": invalid syntax: invalid parameter[expected=Int64][actual=abc]",
        ),
    ];
    for (data, detail) in bad_rows {
        let expected = s.err(1804, format!("fail to deal the insert data, error: {detail}"));
        s.check("entities/insert", on(&c, json!({"data": data})), expected).await?;
    }
    // A vector of the wrong length: 2.6 may append `: invalid parameter` (UNCONFIRMED), so only the start is fixed.
    s.check_with(
        "entities/insert",
        on(&c, json!({"data": [{"id": 1, "vector": [1, 2, 3]}]})),
        error_containing(
            1804,
            "fail to deal the insert data, error: []float32 size 3 doesn't equal to vector dimension 4 of FloatVector",
        ),
    )
    .await?;
    s.check("entities/delete", on(&c, json!({})), s.missing(&[("CollectionFilterReq", "Filter")])).await?;
    s.check("entities/get", on(&c, json!({})), s.missing(&[("CollectionIDReq", "ID")])).await?;
    s.check(
        "entities/search",
        search(&c, json!([[1, 2, 3]]), json!({})),
        s.err(1801, "can only accept json format request, error: dimension: 4, but length of []float: 3: invalid parameter[expected=FloatVector][actual=[1,2,3]]"),
    )
    .await?;
    s.check(
        "entities/search",
        on(&c, json!({"data": [[1, 2, 3, 4]], "consistencyLevel": "Sometimes"})),
        s.err(1100, "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'Sometimes' is incorrect, please check it: invalid parameter"),
    )
    .await?;
    if s.version() <= crate::harness::Version::V2_6 {
        for limit in [0, 16385] {
            s.check(
                "entities/search",
                search(&c, json!([[1, 2, 3, 4]]), json!({"limit": limit})),
                s.err(65535, format!("topk [{limit}] is invalid, it should be in range [1, 16384], but got {limit}")),
            )
            .await?;
        }
        s.check(
            "entities/search",
            search(&c, json!([[1, 2, 3, 4]]), json!({"annsField": "nope"})),
            s.err(1801, "can only accept json format request, error: cannot find a vector field named: nope"),
        )
        .await?;
        s.check(
            "entities/query",
            on(&c, json!({"limit": 0})),
            s.err(1100, "empty expression should be used with limit: invalid parameter"),
        )
        .await?;
    }
    // A collection that does not exist: query has no REST pre-fetch, so rootcoord's wording (§C.2).
    let x = s.collection();
    let describe_missing = s.err(100, format!("can't find collection[database=default][collection={x}]"));
    s.check(
        "entities/query",
        on(&x, json!({"filter": "id > 0"})),
        s.err(100, format!("collection not found[database=default][collection={x}]")),
    )
    .await?;
    s.check("entities/search", search(&x, json!([[1, 2, 3, 4]]), json!({})), describe_missing.clone()).await?;
    s.check("entities/insert", on(&x, json!({"data": [{"id": 1, "vector": [1, 2, 3, 4]}]})), describe_missing.clone())
        .await?;
    s.check("entities/get", on(&x, json!({"id": 1})), describe_missing.clone()).await?;
    s.check("entities/delete", on(&x, json!({"filter": "id in [1]"})), describe_missing).await?;
    Ok(())
}

/// Value rendering (§C.5): Bool, Int8, Float (float32, shortest form), Double, a static JSON field (a JSON-encoded
/// string), `null` for a nullable field and the default for a field that has one (§C.3); filters with `like`,
/// `exprParams` and an unknown field of a static schema (§E.5, §C.7); an unconvertible id (1806, §C.5).
pub async fn values_and_filters(s: Scn) -> Step {
    let c = s.collection();
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        vector_field(),
        {"fieldName": "flag", "dataType": "Bool"},
        {"fieldName": "small", "dataType": "Int8"},
        {"fieldName": "f", "dataType": "Float"},
        {"fieldName": "d", "dataType": "Double"},
        {"fieldName": "j", "dataType": "JSON"},
        {"fieldName": "opt", "dataType": "Int32", "nullable": true},
        {"fieldName": "dflt", "dataType": "Int32", "defaultValue": 7},
        {"fieldName": "name", "dataType": "VarChar", "elementTypeParams": {"max_length": "16"}}
    ]);
    create_loaded(&s, &c, schema(&c, fields, false, false, "L2")).await?;
    let data = json!([
        {"id": 1, "vector": [1, 2, 3, 4], "flag": true, "small": -3, "f": 0.1, "d": 0.1, "j": {"a": 1},
         "opt": null, "dflt": null, "name": "blue sky"},
        {"id": 2, "vector": [0, 0, 0, 0], "flag": false, "small": 5, "f": 2.5, "d": -1.25, "j": {"a": 2},
         "opt": 4, "dflt": 9, "name": "black"}
    ]);
    s.check("entities/insert", on(&c, json!({"data": data})), written(&s, "insert", json!([1, 2]))).await?;
    let row1 = json!({"d": 0.1, "dflt": 7, "f": 0.1, "flag": true, "id": 1, "j": "{\"a\":1}", "name": "blue sky",
                      "opt": null, "small": -3, "vector": [1, 2, 3, 4]});
    s.check("entities/query", on(&c, json!({"filter": "id == 1", "outputFields": ["*"]})), rows(&s, json!([row1])))
        .await?;
    s.check(
        "entities/get",
        on(&c, json!({"id": 2, "outputFields": ["opt", "dflt", "f", "d"]})),
        rows(&s, json!([{"d": -1.25, "dflt": 9, "f": 2.5, "id": 2, "opt": 4}])),
    )
    .await?;
    let names = |filter: &str, extra: Value| {
        let mut body = on(&c, json!({"filter": filter, "outputFields": ["name"]}));
        if let Value::Object(extra) = extra {
            body.as_object_mut().expect("an object").extend(extra);
        }
        body
    };
    s.check(
        "entities/query",
        names("name like \"bl%\" and flag == true", json!({})),
        rows(&s, json!([{"id": 1, "name": "blue sky"}])),
    )
    .await?;
    s.check("entities/query", names("opt is null", json!({})), rows(&s, json!([{"id": 1, "name": "blue sky"}])))
        .await?;
    s.check(
        "entities/query",
        names("small > {low} and j[\"a\"] == {a}", json!({"exprParams": {"low": 0, "a": 2}})),
        rows(&s, json!([{"id": 2, "name": "black"}])),
    )
    .await?;
    s.check(
        "entities/search",
        search(
            &c,
            json!([[0, 0, 0, 0]]),
            json!({"filter": "id in {ids}", "exprParams": {"ids": [1]}, "outputFields": ["small"]}),
        ),
        hits(&s, json!([{"distance": 30, "id": 1, "small": -3}]), &[1]),
    )
    .await?;
    s.check(
        "entities/search",
        search(&c, json!([[0, 0, 0, 0]]), json!({"filter": "nope > 1"})),
        s.err(1100, "failed to create query plan: cannot parse expression: nope > 1, error: field nope not exist: invalid parameter"),
    )
    .await?;
    // An id that is not an integer for an Int64 key: 1806 and the cast library's text (not asserted).
    s.check_with("entities/get", on(&c, json!({"id": "abc"})), |v| {
        let prefix = "please check the primary key and its' type can only in [int, string], error: ";
        let message = v["message"].as_str().unwrap_or_default();
        let keys = v.as_object().map_or(0, |o| o.len());
        if v["code"] == json!(1806) && keys == 2 && message.starts_with(prefix) {
            Ok(())
        } else {
            Err(format!("expected code 1806 and a message starting with {prefix:?}"))
        }
    })
    .await?;
    Ok(())
}

/// Two vector fields: search needs `annsField` (1801), grouping keeps the best hit per group (§E.3), and hybrid
/// search with `rrf` (k = 60) scores Σ 1/(k + rank) over the sub-searches, each limited to its own `limit` (§E.4).
pub async fn grouping_and_hybrid(s: Scn) -> Step {
    let c = s.collection();
    let vector = |name: &str| json!({"fieldName": name, "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}});
    let body = json!({
        "collectionName": c,
        "schema": {"autoID": false, "enableDynamicField": false, "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            vector("v1"),
            vector("v2"),
            {"fieldName": "color", "dataType": "VarChar", "elementTypeParams": {"max_length": "16"}}
        ]},
        "indexParams": [
            {"fieldName": "v1", "indexName": "v1", "metricType": "L2"},
            {"fieldName": "v2", "indexName": "v2", "metricType": "L2"}
        ],
        "params": {"consistencyLevel": "Strong"}
    });
    create_loaded(&s, &c, body).await?;
    // From the origin, v1: 1 -> 0, 2 -> 1, 3 -> 4, 4 -> 9; v2: 3 -> 0, 2 -> 1, 4 -> 25, 1 -> 81.
    let data = json!([
        {"id": 1, "v1": [0, 0, 0, 0], "v2": [9, 0, 0, 0], "color": "red"},
        {"id": 2, "v1": [1, 0, 0, 0], "v2": [1, 0, 0, 0], "color": "red"},
        {"id": 3, "v1": [2, 0, 0, 0], "v2": [0, 0, 0, 0], "color": "blue"},
        {"id": 4, "v1": [3, 0, 0, 0], "v2": [5, 0, 0, 0], "color": "blue"}
    ]);
    s.check("entities/insert", on(&c, json!({"data": data})), written(&s, "insert", json!([1, 2, 3, 4]))).await?;
    let origin = json!([[0, 0, 0, 0]]);
    s.check(
        "entities/search",
        search(&c, origin.clone(), json!({})),
        s.err(1801, "can only accept json format request, error: search without annsField, but already found multiple vector fields: [v1, v2,,,]"),
    )
    .await?;
    s.check(
        "entities/search",
        search(&c, origin.clone(), json!({"annsField": "v2", "limit": 2})),
        hits(&s, json!([{"distance": 0, "id": 3}, {"distance": 1, "id": 2}]), &[2]),
    )
    .await?;
    s.check(
        "entities/search",
        search(
            &c,
            origin.clone(),
            json!({"annsField": "v1", "groupingField": "color", "limit": 2, "outputFields": ["color"]}),
        ),
        hits(&s, json!([{"color": "red", "distance": 0, "id": 1}, {"color": "blue", "distance": 4, "id": 3}]), &[2]),
    )
    .await?;
    s.check(
        "entities/search",
        search(&c, origin.clone(), json!({"annsField": "v1", "groupingField": "nope"})),
        s.err(1700, "groupBy field not found in schema: field not found[field=nope]"),
    )
    .await?;
    // rrf: 3 -> 1/63 + 1/61, 2 -> 1/62 + 1/62, 1 -> 1/61 (4 is in neither sub-result).
    let hybrid = on(
        &c,
        json!({
            "search": [
                {"data": origin, "annsField": "v1", "limit": 3},
                {"data": origin, "annsField": "v2", "limit": 2}
            ],
            "rerank": {"strategy": "rrf", "params": {"k": 60}},
            "limit": 3,
            "consistencyLevel": "Strong"
        }),
    );
    let expected = hits(
        &s,
        json!([
            {"distance": 1.0 / 63.0 + 1.0 / 61.0, "id": 3},
            {"distance": 2.0 / 62.0, "id": 2},
            {"distance": 1.0 / 61.0, "id": 1}
        ]),
        &[3],
    );
    s.check_with("entities/hybrid_search", hybrid, close_to(expected)).await?;
    Ok(())
}

/// Rows live in their database: the same collection name elsewhere is another collection (or none), and a
/// missing database is 800 on the routes that describe the collection first (§C.2).
pub async fn rows_in_a_database(s: Scn) -> Step {
    let db = s.database();
    s.arrange("databases/create", json!({"dbName": db})).await?;
    let c = s.collection_in(&db);
    let quick = json!({"dbName": db, "collectionName": c, "dimension": 4, "params": {"consistencyLevel": "Strong"}});
    s.arrange("collections/create", quick).await?;
    s.wait_loaded(&db, &c, &[]).await?;
    let in_db = |body: Value| {
        let mut body = on(&c, body);
        body["dbName"] = json!(db);
        body
    };
    s.check(
        "entities/insert",
        in_db(json!({"data": [{"id": 1, "vector": [1, 0, 0, 0]}]})),
        written(&s, "insert", json!([1])),
    )
    .await?;
    s.check("entities/query", in_db(json!({"outputFields": ["count(*)"]})), count(&s, 1)).await?;
    s.check(
        "entities/search",
        search(&c, json!([[1, 0, 0, 0]]), json!({"dbName": db})),
        hits(&s, json!([{"distance": 1, "id": 1}]), &[1]),
    )
    .await?;
    // Dynamic keys (§C.3): `null` is dropped, objects are kept as they are.
    let dynamic = json!({"id": 2, "vector": [0, 1, 0, 0], "gone": null, "obj": {"a": [1, 2]}, "n": 3, "x": 2.5});
    s.check("entities/insert", in_db(json!({"data": [dynamic]})), written(&s, "insert", json!([2]))).await?;
    s.check(
        "entities/query",
        in_db(json!({"filter": "id == 2"})),
        rows(&s, json!([{"id": 2, "n": 3, "obj": {"a": [1, 2]}, "vector": [0, 1, 0, 0], "x": 2.5}])),
    )
    .await?;
    s.check(
        "entities/query",
        in_db(json!({"filter": "obj[\"a\"][1] == 2 and n == 3", "outputFields": ["x"]})),
        rows(&s, json!([{"id": 2, "x": 2.5}])),
    )
    .await?;
    // The same name in `default` does not exist.
    s.check(
        "entities/query",
        on(&c, json!({"outputFields": ["count(*)"]})),
        s.err(100, format!("collection not found[database=default][collection={c}]")),
    )
    .await?;
    let nope = s.name("db"); // never created
    let missing_db = s.err(800, format!("database not found[database={nope}]"));
    let mut body = on(&c, json!({"data": [{"id": 2, "vector": [1, 0, 0, 0]}]}));
    body["dbName"] = json!(nope);
    s.check("entities/insert", body, missing_db.clone()).await?;
    s.check("entities/search", search(&c, json!([[1, 0, 0, 0]]), json!({"dbName": nope})), missing_db).await?;
    Ok(())
}

/// A sparse vector field with IP (§E.1): rows and query vectors as `{"<index>": value}` objects, hits by inner
/// product, the field rendered back as such an object (§C.5).
pub async fn sparse_ip(s: Scn) -> Step {
    let c = s.collection();
    let body = json!({
        "collectionName": c,
        "schema": {"autoID": false, "enableDynamicField": false, "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "sv", "dataType": "SparseFloatVector"}
        ]},
        "indexParams": [{"fieldName": "sv", "indexName": "sv", "metricType": "IP", "indexType": "SPARSE_INVERTED_INDEX"}],
        "params": {"consistencyLevel": "Strong"}
    });
    create_loaded(&s, &c, body).await?;
    let data = json!([
        {"id": 1, "sv": {"1": 1.0, "5": 2.0}},
        {"id": 2, "sv": {"5": 1.0}},
        {"id": 3, "sv": {"2": 3.0}}
    ]);
    s.check("entities/insert", on(&c, json!({"data": data})), written(&s, "insert", json!([1, 2, 3]))).await?;
    // {"5": 1, "2": 0.5}: 1 -> 2, 3 -> 1.5, 2 -> 1.
    s.check(
        "entities/search",
        search(&c, json!([{"5": 1.0, "2": 0.5}]), json!({"outputFields": ["sv"]})),
        hits(
            &s,
            json!([
                {"distance": 2, "id": 1, "sv": {"1": 1, "5": 2}},
                {"distance": 1.5, "id": 3, "sv": {"2": 3}},
                {"distance": 1, "id": 2, "sv": {"5": 1}}
            ]),
            &[3],
        ),
    )
    .await?;
    s.check("entities/get", on(&c, json!({"id": 2})), rows(&s, json!([{"id": 2, "sv": {"5": 1}}]))).await?;
    Ok(())
}

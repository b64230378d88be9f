//! Indexes (part 2 §A): create (idempotent for the same index, refused for a different one on the same field),
//! list, describe, drop (refused while loaded, idempotent otherwise), and their errors.

use serde_json::{Value, json};

use crate::harness::{Scn, Step};

fn index(c: &str, params: Value) -> Value {
    json!({"collectionName": c, "indexParams": [params]})
}

pub async fn basics(s: Scn) -> Step {
    let c = s.collection();
    s.custom("default", &c).await?;
    let coll = json!({"collectionName": c});
    let vidx = json!({"fieldName": "vector", "indexName": "vidx", "metricType": "COSINE", "indexType": "AUTOINDEX"});
    s.check("indexes/create", index(&c, vidx.clone()), s.ok()).await?;
    s.check("indexes/list", coll.clone(), s.data(json!(["vidx"]))).await?;
    s.check(
        "indexes/describe",
        json!({"collectionName": c, "indexName": "vidx"}),
        s.data(json!([{"failReason": "", "fieldName": "vector", "indexName": "vidx", "indexState": "Finished",
            "indexType": "AUTOINDEX", "indexedRows": 0, "metricType": "COSINE", "pendingRows": 0, "totalRows": 0}])),
    )
    .await?;
    s.check(
        "indexes/describe",
        json!({"collectionName": c, "indexName": "nope"}),
        s.err(700, "index not found[indexName=nope]"),
    )
    .await?;
    // The same index again: success.
    s.check("indexes/create", index(&c, vidx), s.ok()).await?;
    s.check(
        "indexes/create",
        index(&c, json!({"fieldName": "vector", "indexName": "vidx", "metricType": "L2", "indexType": "AUTOINDEX"})),
        s.err(65535, "CreateIndex failed: at most one distinct index is allowed per field"),
    )
    .await?;
    s.check("indexes/list", coll.clone(), s.data(json!(["vidx"]))).await?;
    s.check(
        "indexes/create",
        index(&c, json!({"fieldName": "nofield", "indexName": "x", "metricType": "COSINE"})),
        s.err(65535, "cannot create index on non-exist field: nofield"),
    )
    .await?;
    s.check(
        "indexes/create",
        index(&c, json!({"fieldName": "vector", "indexName": "vidx", "metricType": "COSINE", "indexType": "NOPE"})),
        s.err(1100, "invalid parameter[expected=valid index][actual=invalid index type: NOPE]"),
    )
    .await?;
    s.check(
        "indexes/create",
        index(&c, json!({"fieldName": "vector", "indexName": "v", "metricType": "IP_X", "indexType": "HNSW"})),
        s.err(
            1100,
            "float vector index does not support metric type: IP_X: \
             invalid parameter[expected=valid index params][actual=invalid index params]",
        ),
    )
    .await?;
    // `[]` passes binding and creates nothing.
    s.check("indexes/create", json!({"collectionName": c, "indexParams": []}), s.ok()).await?;
    s.check_subset(
        "collections/describe",
        coll.clone(),
        json!({"code": s.success_code(), "message": "",
            "data": {"indexes": [{"fieldName": "vector", "indexName": "vidx", "metricType": "COSINE"}]}}),
    )
    .await?;

    // Loaded: the index cannot be dropped, even one that does not exist (the load check comes first).
    s.check("collections/load", coll.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    let loaded = s.err(65535, "index cannot be dropped, collection is loaded, please release it first");
    s.check("indexes/drop", json!({"collectionName": c, "indexName": "vidx"}), loaded.clone()).await?;
    s.check("indexes/drop", json!({"collectionName": c, "indexName": "nope"}), loaded).await?;
    // Partial load counts as loaded.
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("partitions/load", json!({"collectionName": c, "partitionNames": ["_default"]}), s.ok()).await?;
    s.wait_loaded("default", &c, &["_default"]).await?;
    s.check(
        "indexes/drop",
        json!({"collectionName": c, "indexName": "vidx"}),
        s.err(65535, "index cannot be dropped, collection is loaded, please release it first"),
    )
    .await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("indexes/drop", json!({"collectionName": c, "indexName": "vidx"}), s.ok()).await?;
    s.check("indexes/drop", json!({"collectionName": c, "indexName": "vidx"}), s.ok()).await?;
    s.check("indexes/list", coll.clone(), s.data(json!([]))).await?;
    s.check("collections/load", coll, s.err(700, format!("index not found[collection={c}]"))).await?;
    Ok(())
}

/// 2.5+: the index-not-found error of `indexes/list` is swallowed (early 2.4 answered 700).
pub async fn list_of_unindexed_collection(s: Scn) -> Step {
    let c = s.collection();
    s.custom("default", &c).await?;
    s.check("indexes/list", json!({"collectionName": c}), s.data(json!([]))).await?;
    // describe carries the describe-index error in `message`, with code 0.
    s.check_subset(
        "collections/describe",
        json!({"collectionName": c}),
        json!({"code": s.success_code(), "message": format!("index not found[collection={c}];"),
            "data": {"indexes": [], "load": "LoadStateNotLoad"}}),
    )
    .await?;
    Ok(())
}

/// `collections/load` needs an index on every vector field (§6.2 step 4).
pub async fn load_needs_every_vector_indexed(s: Scn) -> Step {
    let c = s.collection();
    let schema = json!({
        "collectionName": c,
        "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "v1", "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}},
            {"fieldName": "v2", "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}}
        ]}
    });
    s.arrange("collections/create", schema).await?;
    let coll = json!({"collectionName": c});
    s.check("indexes/create", index(&c, json!({"fieldName": "v1", "indexName": "v1", "metricType": "L2"})), s.ok())
        .await?;
    s.check(
        "collections/load",
        coll.clone(),
        s.err(65535, "there is no vector index on field: [v2], please create index firstly"),
    )
    .await?;
    // Without an indexName the index is named after its field.
    s.check("indexes/create", index(&c, json!({"fieldName": "v2", "metricType": "IP"})), s.ok()).await?;
    s.check("indexes/list", coll.clone(), s.data(json!(["v1", "v2"]))).await?;
    s.check("collections/load", coll.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check("collections/get_load_state", coll, s.loaded()).await?;
    Ok(())
}

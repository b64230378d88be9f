//! Collections (contract §4.2, §6.2): quick setup is created, indexed and loaded; describe's whole shape; the
//! quick-setup request checks (1100); load/release/drop.

use serde_json::{Value, json};

use crate::harness::{Scn, Step, Version, list_has};

/// `collections/describe` of a fresh quick-setup collection (dimension 5).
fn quick_description(s: &Scn, name: &str) -> Value {
    json!({"code": s.success_code(),
        "data": {"aliases": [], "autoId": false, "collectionID": "{int}", "collectionName": name,
            "consistencyLevel": "Bounded", "description": "", "enableDynamicField": true,
            "fields": [
                {"autoId": false, "clusteringKey": false, "description": "", "id": 100, "name": "id",
                 "nullable": false, "partitionKey": false, "primaryKey": true, "type": "Int64"},
                {"autoId": false, "clusteringKey": false, "description": "", "id": 101, "name": "vector",
                 "nullable": false, "params": [{"key": "dim", "value": "5"}], "partitionKey": false,
                 "primaryKey": false, "type": "FloatVector"}
            ],
            "functions": [],
            "indexes": [{"fieldName": "vector", "indexName": "vector", "metricType": "COSINE"}],
            "load": "LoadStateLoaded", "partitionsNum": 1, "properties": [], "shardsNum": 1},
        "message": ""})
}

pub async fn lifecycle(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let coll = json!({"collectionName": c});
    let code = s.success_code();
    // The whole shape is checked where the contract gives it (2.5/2.6); 2.4 lacks some keys and master adds some.
    if matches!(s.version(), Version::V2_5 | Version::V2_6) {
        s.check("collections/describe", coll.clone(), quick_description(&s, &c)).await?;
    } else {
        let part = json!({"code": code, "data": {"collectionName": c, "load": "LoadStateLoaded", "partitionsNum": 1,
            "indexes": [{"fieldName": "vector", "indexName": "vector", "metricType": "COSINE"}]}, "message": ""});
        s.check_subset("collections/describe", coll.clone(), part).await?;
    }
    s.check("collections/has", coll.clone(), s.has(true)).await?;
    // Quick setup's index: AUTOINDEX named after the vector field; creating it again is a success.
    s.check("indexes/list", coll.clone(), s.data(json!(["vector"]))).await?;
    let vector_index = json!({"collectionName": c, "indexName": "vector"});
    s.check(
        "indexes/describe",
        vector_index,
        s.data(json!([{"failReason": "", "fieldName": "vector", "indexName": "vector", "indexState": "Finished",
            "indexType": "AUTOINDEX", "indexedRows": 0, "metricType": "COSINE", "pendingRows": 0, "totalRows": 0}])),
    )
    .await?;
    let same = json!({"fieldName": "vector", "indexName": "vector", "metricType": "COSINE"});
    s.check("indexes/create", json!({"collectionName": c, "indexParams": [same]}), s.ok()).await?;
    s.check("indexes/list", coll.clone(), s.data(json!(["vector"]))).await?;
    s.check("collections/get_stats", coll.clone(), s.data(json!({"rowCount": 0}))).await?;
    s.check_with("collections/list", json!({}), list_has(&[&c], &[], code)).await?;
    s.check("collections/get_load_state", coll.clone(), s.loaded()).await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    if matches!(s.version(), Version::V2_5 | Version::V2_6) {
        let mut released = quick_description(&s, &c);
        released["data"]["load"] = json!("LoadStateNotLoad");
        s.check("collections/describe", coll.clone(), released).await?;
    } else {
        s.check_subset("collections/describe", coll.clone(), s.data(json!({"load": "LoadStateNotLoad"}))).await?;
    }
    s.check("collections/load", coll.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check("collections/get_load_state", coll.clone(), s.loaded()).await?;
    // Dropping a loaded collection is allowed.
    s.check("collections/drop", coll.clone(), s.ok()).await?;
    s.check("collections/has", coll.clone(), s.has(false)).await?;
    s.check("collections/get_load_state", coll.clone(), s.err(100, format!("collection not found[collection={c}]")))
        .await?;
    s.check_with("collections/list", json!({}), list_has(&[], &[&c], code)).await?;
    s.check(
        "collections/describe",
        coll,
        s.err(100, format!("can't find collection[database=default][collection={c}]")),
    )
    .await?;
    Ok(())
}

pub async fn quick_setup_checks(s: Scn) -> Step {
    let c = s.collection(); // never created
    s.check(
        "collections/create",
        json!({"collectionName": c}),
        s.err(
            1100,
            "dimension is required for quickly create collection(default metric type: COSINE): \
             invalid parameter[expected=collectionName & dimension][actual=collectionName]",
        ),
    )
    .await?;
    s.check(
        "collections/create",
        json!({"collectionName": c, "dimension": 5, "idType": "Float"}),
        s.err(
            1100,
            "idType can only be [Int64, VarChar], default: Int64: invalid parameter[expected=Int64, Varchar][actual=Float]",
        ),
    )
    .await?;
    s.check(
        "collections/create",
        json!({"collectionName": c, "dimension": 5, "params": {"consistencyLevel": "Nope"}}),
        s.err(
            1100,
            "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded: \
             invalid parameter[expected=Strong, Session, Bounded, Eventually, Customized][actual=Nope]",
        ),
    )
    .await?;
    let mut schema = crate::harness::custom_schema(&c);
    schema["schema"]["fields"][0]["dataType"] = json!("int64");
    s.check(
        "collections/create",
        schema,
        s.err(1100, "invalid parameter, data type int64 is invalid(case sensitive)."),
    )
    .await?;
    s.check("collections/has", json!({"collectionName": c}), s.has(false)).await?;
    // An index on a field the schema does not define: 1802.
    let mut schema = crate::harness::custom_schema(&c);
    schema["indexParams"] = json!([{"fieldName": "nope", "indexName": "idx", "metricType": "L2"}]);
    s.check(
        "collections/create",
        schema,
        s.err(1802, "missing required parameters, error: `nope` hasn't defined in schema"),
    )
    .await?;
    Ok(())
}

/// A custom schema with `indexParams` is created, indexed and loaded, like quick setup (§6.2 step 4).
pub async fn custom_schema_with_index_loads(s: Scn) -> Step {
    let c = s.collection();
    let mut schema = crate::harness::custom_schema(&c);
    schema["indexParams"] = json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}]);
    s.check("collections/create", schema, s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check("collections/get_load_state", json!({"collectionName": c}), s.loaded()).await?;
    s.check("indexes/list", json!({"collectionName": c}), s.data(json!(["vector"]))).await?;
    Ok(())
}

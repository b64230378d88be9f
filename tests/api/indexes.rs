//! `indexes/*` where conformance does not reach: an HNSW index's params, an index added to a loaded collection,
//! and the index properties (`alter_properties`, `drop_properties`), read back from `/_mock/state`. The routes'
//! other answers are conformance's (`scenarios/indexes.rs`, `collections.rs`, `decoding.rs`, `errors.rs`).

use serde_json::{Value, json};

use crate::helpers::*;

fn hnsw_l2(index_name: &str) -> Value {
    json!({"fieldName": "vector", "indexName": index_name, "metricType": "L2", "indexType": "HNSW",
           "params": {"M": 8, "efConstruction": 64}})
}

async fn list_indexes(app: &TestApp, collection: &str) -> Value {
    app.post("/indexes/list", json!({"collectionName": collection})).await.1
}

#[tokio::test]
async fn create_index_then_load_succeeds() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) =
        app.post("/indexes/create", json!({"collectionName": "docs", "indexParams": [hnsw_l2("vec_idx")]})).await;

    assert_eq!(body, success());
    let (_, described) = app.post("/indexes/describe", json!({"collectionName": "docs", "indexName": "vec_idx"})).await;
    assert_eq!(
        described,
        json!({"code": 0, "data": [{"failReason": "", "fieldName": "vector", "indexName": "vec_idx",
            "indexState": "Finished", "indexType": "HNSW", "indexedRows": 0, "metricType": "L2",
            "pendingRows": 0, "totalRows": 0}]})
    );
    app.ok("/collections/load", json!({"collectionName": "docs"})).await;
    assert_eq!(app.load_state("docs").await, loaded());
    let collection = app.describe("docs").await;
    assert_eq!(
        collection["data"]["indexes"],
        json!([{"fieldName": "vector", "indexName": "vec_idx", "metricType": "L2"}])
    );
    assert_eq!(collection["message"], "");
}

#[tokio::test]
async fn create_on_a_loaded_collection_is_allowed() {
    let app = spawn_app().await;
    let mut request = custom_schema("docs");
    request["indexParams"] = json!([hnsw_l2("vec_idx")]);
    app.ok("/collections/create", request).await;

    let (_, body) = app
        .post(
            "/indexes/create",
            json!({"collectionName": "docs", "indexParams": [
                {"fieldName": "title", "indexName": "title_idx", "indexType": "INVERTED"}]}),
        )
        .await;

    assert_eq!(body, success());
    assert_eq!(sorted(list_indexes(&app, "docs").await), json!({"code": 0, "data": ["title_idx", "vec_idx"]}));
    assert_eq!(app.load_state("docs").await, loaded());
}

#[tokio::test]
async fn alter_properties_of_an_index_on_a_loaded_collection_returns_code_104() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app
        .post(
            "/indexes/alter_properties",
            json!({"collectionName": "quick_setup", "indexName": "vector",
                   "properties": {"mmap.enabled": true}}),
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 104, "message": "can't alter index on loaded collection, please release the collection first: collection already loaded[collection=quick_setup]"})
    );
}

// ---- indexes/alter_properties and drop_properties take only the configurable keys (issue 12) ----

/// A released quick-setup collection whose `vector` index has `mmap.enabled: true`.
async fn released_with_mmap(app: &TestApp) {
    app.create_quick_collection("quick_setup").await;
    app.ok("/collections/release", json!({"collectionName": "quick_setup"})).await;
    app.ok(
        "/indexes/alter_properties",
        json!({"collectionName": "quick_setup", "indexName": "vector", "properties": {"mmap.enabled": true}}),
    )
    .await;
}

/// The `vector` index's properties, read from the control plane's state dump.
async fn vector_index_properties(app: &TestApp) -> Value {
    let raw = app.send(reqwest::Method::GET, "/_mock/state", "", &[]).await;
    let state: Value = serde_json::from_str(&raw.body).expect("the state is JSON");
    let collections = state["databases"][0]["collections"].as_array().expect("collections").clone();
    let c = collections.iter().find(|c| c["collectionName"] == "quick_setup").expect("quick_setup in the dump");
    let index = c["indexParams"].as_array().unwrap().iter().find(|i| i["indexName"] == "vector").unwrap().clone();
    index["properties"].clone()
}

#[tokio::test]
async fn alter_properties_with_a_key_that_is_not_configurable_returns_1100_and_changes_nothing() {
    let app = spawn_app().await;
    released_with_mmap(&app).await;

    let (_, body) = app
        .post(
            "/indexes/alter_properties",
            json!({"collectionName": "quick_setup", "indexName": "vector", "properties": {"efConstruction": 64}}),
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "efConstruction is not a configable index property: invalid parameter"})
    );
    assert_eq!(vector_index_properties(&app).await, json!({"mmap.enabled": "true"}));
}

#[tokio::test]
async fn the_key_check_comes_before_the_collection_is_looked_up() {
    let app = spawn_app().await;

    let (_, body) = app
        .post(
            "/indexes/alter_properties",
            json!({"collectionName": "missing", "indexName": "vector", "properties": {"M": 8}}),
        )
        .await;

    assert_eq!(body, json!({"code": 1100, "message": "M is not a configable index property: invalid parameter"}));
}

#[tokio::test]
async fn drop_properties_with_a_key_that_is_not_configurable_returns_1100_and_keeps_the_others() {
    let app = spawn_app().await;
    released_with_mmap(&app).await;

    let (_, body) = app
        .post(
            "/indexes/drop_properties",
            json!({"collectionName": "quick_setup", "indexName": "vector", "propertyKeys": ["mmap.enabled", "nlist"]}),
        )
        .await;

    assert_eq!(body, json!({"code": 1100, "message": "nlist is not a configable index property: invalid parameter"}));
    assert_eq!(vector_index_properties(&app).await, json!({"mmap.enabled": "true"}));
}

#[tokio::test]
async fn alter_properties_with_a_non_boolean_mmap_enabled_returns_1100_and_changes_nothing() {
    let app = spawn_app().await;
    released_with_mmap(&app).await;

    let (_, body) = app
        .post(
            "/indexes/alter_properties",
            json!({"collectionName": "quick_setup", "indexName": "vector", "properties": {"mmap.enabled": "yes"}}),
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "invalid mmap index params: invalid mmap.enabled value: yes, expected: true, false: invalid parameter"})
    );
    assert_eq!(vector_index_properties(&app).await, json!({"mmap.enabled": "true"}));
}

#[tokio::test]
async fn the_mmap_value_is_checked_after_the_index_is_found() {
    let app = spawn_app().await;
    released_with_mmap(&app).await;

    let (_, body) = app
        .post(
            "/indexes/alter_properties",
            json!({"collectionName": "quick_setup", "indexName": "other", "properties": {"mmap.enabled": "yes"}}),
        )
        .await;

    assert_eq!(body, json!({"code": 700, "message": "index not found[indexName=other]"}));
}

#[tokio::test]
async fn the_configurable_keys_take_go_booleans_and_any_warmup_value() {
    let app = spawn_app().await;
    released_with_mmap(&app).await;

    app.ok(
        "/indexes/alter_properties",
        json!({"collectionName": "quick_setup", "indexName": "vector",
               "properties": {"mmap.enabled": "F", "indexoffsetcache.enabled": "false", "warmup": "sync"}}),
    )
    .await;
    app.ok(
        "/indexes/drop_properties",
        json!({"collectionName": "quick_setup", "indexName": "vector", "propertyKeys": ["warmup"]}),
    )
    .await;

    assert_eq!(vector_index_properties(&app).await, json!({"indexoffsetcache.enabled": "false", "mmap.enabled": "F"}));
}

//! `databases/*` where conformance does not reach: a fresh server's whole list, keys kept by drop_properties, the
//! database limit, and other Milvus versions in one run. The routes' answers and where `dbName` comes from are
//! conformance's (`scenarios/databases.rs`, `names.rs`, `errors.rs`, `idempotency.rs`, `decoding.rs`).

use milvus_mock::{Limits, MilvusVersion, MockMilvus};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn a_fresh_server_lists_only_the_default_database() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let (status, body) = app.post("/databases/list", json!({})).await;

    // Assert
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn drop_properties_removes_the_keys_from_the_database() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics", "properties": {"a": "1", "b": "2"}})).await;

    let (_, body) = app.post("/databases/drop_properties", json!({"dbName": "analytics", "propertyKeys": ["a"]})).await;

    assert_eq!(body, success());
    let (_, described) = app.post("/databases/describe", json!({"dbName": "analytics"})).await;
    assert_eq!(described["data"]["properties"], json!([{"key": "b", "value": "2"}]));
}

#[tokio::test]
async fn database_limit_does_not_count_default_and_returns_code_801() {
    let app = spawn_with(MockMilvus::builder().limits(Limits { max_databases: 1, ..Limits::default() })).await;
    app.ok("/databases/create", json!({"dbName": "first"})).await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "second"})).await;

    assert_eq!(body, json!({"code": 801, "message": "exceeded the limit number of database[limit=1]"}));
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(sorted(list), json!({"code": 0, "data": ["default", "first"]}));
}

#[tokio::test]
async fn milvus_2_4_has_no_database_routes() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;

    let raw = app.post_raw("/databases/list", "{}", &[]).await;

    assert_eq!(raw.status, StatusCode::NOT_FOUND);
    assert_eq!(raw.body, "404 page not found");
    let (_, collections) = app.post("/collections/list", json!({})).await;
    assert_eq!(collections, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn milvus_2_5_has_no_database_property_routes() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_5)).await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let raw = app.post_raw("/databases/drop_properties", r#"{"dbName":"analytics","propertyKeys":["a"]}"#, &[]).await;

    assert_eq!(raw.status, StatusCode::NOT_FOUND);
    assert_eq!(raw.body, "404 page not found");
}

#[tokio::test]
async fn master_drop_of_the_default_database_returns_code_1100() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "default"})).await;

    assert_eq!(body, json!({"code": 1100, "message": "can not drop default database: invalid parameter"}));
}

#[tokio::test]
async fn master_create_of_existing_database_returns_code_1100() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "analytics"})).await;

    assert_eq!(body, json!({"code": 1100, "message": "database already exist: analytics: invalid parameter"}));
}

#[tokio::test]
async fn master_drop_of_a_non_empty_database_returns_code_1100() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "events", "dimension": 4})).await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "analytics"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "database:analytics not empty, must drop all collections before drop database: invalid parameter"})
    );
}

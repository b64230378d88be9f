//! One test per version difference the profile switches that the other modules do not already cover
//! (contract §9, part 2 §F): each shows the default (2.6) answer next to the other version's.

use milvus_mock::{MilvusVersion, MockMilvus};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{TestApp, spawn_app, spawn_with, success};

async fn spawn_version(version: MilvusVersion) -> TestApp {
    spawn_with(MockMilvus::builder().milvus_version(version)).await
}

#[tokio::test]
async fn milvus_2_4_has_no_property_or_refresh_routes_and_2_5_has_them() {
    for (version, expected) in [(MilvusVersion::V2_4, StatusCode::NOT_FOUND), (MilvusVersion::V2_5, StatusCode::OK)] {
        let app = spawn_version(version).await;
        app.create_quick_collection("c").await;
        for path in ["/collections/refresh_load", "/collections/alter_properties", "/indexes/drop_properties"] {
            let raw = app.post_raw(path, r#"{"collectionName":"c","indexName":"vector"}"#, &[]).await;
            assert_eq!(raw.status, expected, "{version} {path}: {}", raw.body);
        }
    }
}

#[tokio::test]
async fn master_does_not_trim_collection_names_and_2_6_does() {
    let v26 = spawn_app().await;
    let master = spawn_version(MilvusVersion::V3_0).await;
    let body = json!({"collectionName": " spaced"});

    let (_, trimmed) = v26.post("/collections/describe", body.clone()).await;
    let (_, untrimmed) = master.post("/collections/describe", body).await;

    assert_eq!(trimmed, json!({"code": 100, "message": "can't find collection[database=default][collection= spaced]"}));
    assert_eq!(
        untrimmed,
        json!({"code": 1100, "message": "Invalid collection name:  spaced.  the first character of a collection name must be an underscore or letter: invalid parameter"})
    );
}

#[tokio::test]
async fn the_empty_partition_name_is_unknown_in_2_4_and_default_from_2_5() {
    let old = spawn_version(MilvusVersion::V2_4).await;
    let new = spawn_app().await;
    for app in [&old, &new] {
        app.create_quick_collection("c").await;
    }
    let release = json!({"collectionName": "c", "partitionNames": [""]});

    let (_, in_2_4) = old.post("/partitions/release", release.clone()).await;
    let (_, in_2_6) = new.post("/partitions/release", release).await;

    assert_eq!(in_2_4, json!({"code": 200, "message": "partition not found[partition=]"}));
    assert_eq!(old.load_state("c").await["data"]["loadState"], "LoadStateLoaded");
    assert_eq!(in_2_6, success());
    assert_eq!(new.load_state("c").await, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
}

#[tokio::test]
async fn alias_drop_validates_the_name_before_2_6_only() {
    let v25 = spawn_version(MilvusVersion::V2_5).await;
    let v26 = spawn_app().await;
    let body = json!({"aliasName": "1bad"});

    let (_, in_2_5) = v25.post("/aliases/drop", body.clone()).await;
    let (_, in_2_6) = v26.post("/aliases/drop", body).await;

    assert_eq!(
        in_2_5,
        json!({"code": 1100, "message": "Invalid collection alias: 1bad.  the first character of a collection alias must be an underscore or letter: invalid parameter"})
    );
    assert_eq!(in_2_6, success());
}

#[tokio::test]
async fn dropping_a_collection_with_aliases_is_refused_from_2_6() {
    let app = spawn_app().await;
    app.create_quick_collection("c").await;
    app.ok("/aliases/create", json!({"collectionName": "c", "aliasName": "a1"})).await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "c"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "unable to drop the collection [c] because it has associated aliases [a1], please remove all aliases before dropping the collection"})
    );
    assert_eq!(
        app.post("/collections/has", json!({"collectionName": "c"})).await.1,
        json!({"code": 0, "data": {"has": true}})
    );
}

#[tokio::test]
async fn master_refuses_to_drop_a_loaded_partition_with_code_1100() {
    let app = spawn_version(MilvusVersion::V3_0).await;
    app.create_quick_collection("c").await;
    app.create_partition("c", "p").await;

    let (_, body) = app.post("/partitions/drop", json!({"collectionName": "c", "partitionName": "p"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "partition cannot be dropped, partition is loaded, please release it first: invalid parameter"})
    );
}

fn partition_key_collection() -> serde_json::Value {
    json!({"collectionName": "pk", "schema": {"fields": [
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "tenant", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": 64}},
        {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}
    ]}})
}

#[tokio::test]
async fn partition_key_collections_get_64_partitions_in_2_6_and_16_in_master() {
    for (version, count) in [(MilvusVersion::V2_6, 64), (MilvusVersion::V3_0, 16)] {
        let app = spawn_version(version).await;
        app.ok("/collections/create", partition_key_collection()).await;

        let (_, listed) = app.post("/partitions/list", json!({"collectionName": "pk"})).await;

        let expected: Vec<String> = (0..count).map(|i| format!("_default_{i}")).collect();
        assert_eq!(listed, json!({"code": 0, "data": expected}), "{version}");
        let (_, refused) = app.post("/partitions/create", json!({"collectionName": "pk", "partitionName": "p"})).await;
        assert_eq!(
            refused,
            json!({"code": 65535, "message": "disable create partition if partition key mode is used"})
        );
    }
}

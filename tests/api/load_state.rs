//! The load-state model (contract §7): what load and release of collections and partitions do to each other, and
//! how `get_load_state` and `describe`'s `load` report it.

use milvus_mock::{MilvusVersion, MockMilvus};
use serde_json::json;

use crate::helpers::*;

async fn release_partitions(app: &TestApp, collection: &str, partitions: &[&str]) {
    app.ok("/partitions/release", json!({"collectionName": collection, "partitionNames": partitions})).await;
}

async fn load_partitions(app: &TestApp, collection: &str, partitions: &[&str]) {
    app.ok("/partitions/load", json!({"collectionName": collection, "partitionNames": partitions})).await;
}

async fn release_collection(app: &TestApp, collection: &str) {
    app.ok("/collections/release", json!({"collectionName": collection})).await;
}

#[tokio::test]
async fn releasing_every_loaded_partition_releases_the_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) = app
        .post(
            "/partitions/release",
            json!({"collectionName": "quick_setup", "partitionNames": ["january", "_default"]}),
        )
        .await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
    assert_eq!(app.describe("quick_setup").await["data"]["load"], "LoadStateNotLoad");
}

#[tokio::test]
async fn a_partial_release_keeps_the_collection_loaded() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, loaded());
    assert_eq!(app.describe("quick_setup").await["data"]["load"], "LoadStateLoaded");
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["january"]).await);
}

#[tokio::test]
async fn a_partition_created_in_a_collection_loaded_as_a_whole_is_loaded() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, created) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;

    assert_eq!(created, success());
    assert_eq!(app.partition_load_state("quick_setup", &["january"]).await, loaded());
    let (_, dropped) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;
    assert_eq!(
        dropped,
        json!({"code": 65535, "message": "partition cannot be dropped, partition is loaded, please release it first"})
    );
}

#[tokio::test]
async fn loading_partitions_of_a_released_collection_loads_only_those() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_collection(&app, "quick_setup").await;

    let (_, body) =
        app.post("/partitions/load", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    // The collection percentage is the average over the loaded partitions only.
    assert_eq!(app.load_state("quick_setup").await, loaded());
    assert_eq!(app.partition_load_state("quick_setup", &["january"]).await, loaded());
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["_default"]).await);
}

#[tokio::test]
async fn a_partition_created_after_a_partition_load_is_not_loaded_and_can_be_dropped() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    release_collection(&app, "quick_setup").await;
    load_partitions(&app, "quick_setup", &["_default"]).await;

    app.create_partition("quick_setup", "february").await;

    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["february"]).await);
    let (_, dropped) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "february"})).await;
    assert_eq!(dropped, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default"]}));
}

#[tokio::test]
async fn loading_more_partitions_adds_to_the_loaded_set() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    app.create_partition("quick_setup", "february").await;
    release_collection(&app, "quick_setup").await;
    load_partitions(&app, "quick_setup", &["january"]).await;

    let (_, body) =
        app.post("/partitions/load", json!({"collectionName": "quick_setup", "partitionNames": ["february"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.partition_load_state("quick_setup", &["january", "february"]).await, loaded());
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["_default"]).await);
}

#[tokio::test]
async fn loading_partitions_of_a_fully_loaded_collection_is_a_no_op() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) =
        app.post("/partitions/load", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.partition_load_state("quick_setup", &["_default", "january"]).await, loaded());
}

#[tokio::test]
async fn releasing_the_only_loaded_partition_of_a_partition_load_releases_the_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_collection(&app, "quick_setup").await;
    load_partitions(&app, "quick_setup", &["january"]).await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn releasing_partitions_of_a_collection_that_is_not_loaded_succeeds() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    release_collection(&app, "quick_setup").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["_default"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn releasing_partitions_none_of_which_is_loaded_changes_nothing() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_partitions(&app, "quick_setup", &["january"]).await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, loaded());
    assert_eq!(app.partition_load_state("quick_setup", &["_default"]).await, loaded());
}

#[tokio::test]
async fn releasing_the_collection_releases_every_partition() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) = app.post("/collections/release", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, success());
    assert_eq!(app.partition_load_state("quick_setup", &["january"]).await, not_loaded());
    let (_, dropped) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;
    assert_eq!(dropped, success());
}

#[tokio::test]
async fn load_state_of_a_released_partition_of_a_loaded_collection_is_loading_with_minus_one() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_partitions(&app, "quick_setup", &["january"]).await;

    let (_, body) = app
        .post("/collections/get_load_state", json!({"collectionName": "quick_setup", "partitionNames": ["january"]}))
        .await;

    assert_partition_not_loaded(&body);
}

#[tokio::test]
async fn load_state_of_an_unknown_partition_of_a_loaded_collection_says_partition_not_found() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app
        .post("/collections/get_load_state", json!({"collectionName": "quick_setup", "partitionNames": ["x"]}))
        .await;

    assert_eq!(
        body,
        json!({"code": 0,
            "data": {"loadProgress": -1, "loadState": "LoadStateLoading"},
            "message": "partition not found[partition=x]."})
    );
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn load_state_of_an_unknown_partition_of_a_released_collection_is_not_load() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let body = app.partition_load_state("docs", &["x"]).await;

    assert_eq!(body, not_loaded());
}

#[tokio::test]
async fn load_state_of_unknown_collection_returns_code_100_without_database() {
    let app = spawn_app().await;

    let body = app.load_state("nope").await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[collection=nope]"}));
}

#[tokio::test]
async fn load_state_in_unknown_database_also_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/get_load_state", json!({"dbName": "nope", "collectionName": "c"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[collection=c]"}));
}

#[tokio::test]
async fn load_state_with_an_invalid_name_returns_code_1100() {
    let app = spawn_app().await;

    let body = app.load_state("9lives").await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "Invalid collection name: 9lives.  the first character of a collection name must be an underscore or letter: invalid parameter"})
    );
}

#[tokio::test]
async fn describe_reports_not_load_for_a_released_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    release_collection(&app, "quick_setup").await;

    let body = app.describe("quick_setup").await;

    let mut expected = quick_setup_description(&collection_id(&body), "quick_setup");
    expected["data"]["load"] = json!("LoadStateNotLoad");
    assert_eq!(body, expected);
}

#[tokio::test]
async fn describe_reports_loaded_when_only_some_partitions_are_loaded() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_collection(&app, "quick_setup").await;
    load_partitions(&app, "quick_setup", &["january"]).await;

    let body = app.describe("quick_setup").await;

    let mut expected = quick_setup_description(&collection_id(&body), "quick_setup");
    expected["data"]["partitionsNum"] = json!(2);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn load_state_with_an_empty_partition_list_reports_the_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = app.partition_load_state("quick_setup", &[]).await;

    assert_eq!(body, loaded());
}

#[tokio::test]
async fn milvus_2_4_words_a_released_partition_differently() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    release_partitions(&app, "quick_setup", &["january"]).await;

    let body = app.partition_load_state("quick_setup", &["january"]).await;

    let message = body["message"].as_str().expect("a message").to_string();
    let id = message
        .strip_prefix("partition ")
        .and_then(|rest| rest.split_once(' '))
        .map(|(id, _)| id.to_string())
        .expect("partition <id> ...");
    assert!(id.parse::<i64>().is_ok(), "numeric id in {message:?}");
    assert_eq!(
        message,
        format!("partition {id} has not been loaded to memory or load failed: partition not loaded[partition={id}].")
    );
    assert_eq!(
        body,
        json!({"code": 0, "data": {"loadProgress": -1, "loadState": "LoadStateLoading"}, "message": message})
    );
}

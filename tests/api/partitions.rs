//! `partitions/*` where conformance does not reach: the seed page's example with the docs' success code 200, the
//! partition limit, and other Milvus versions in one run. The routes' answers on the default version are
//! conformance's (`scenarios/partitions.rs`, `names.rs`, `errors.rs`, `load_state.rs`, `seed.rs`).

use milvus_mock::{Limits, MilvusVersion, MockMilvus};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

/// The request body of the seed page's curl example, byte for byte.
const SEED_RELEASE_BODY: &str = r#"{
    "partitionNames": [
        "_default",
        "january"
    ],
    "collectionName": "quick_setup"
}"#;

fn partition_error(code: i64, message: String) -> Value {
    json!({"code": code, "message": message})
}

#[tokio::test]
async fn the_release_partitions_page_example_answers_code_200_with_the_docs_success_code() {
    let app = spawn_with(MockMilvus::builder().success_code(200)).await;
    let (_, created) = app.post("/collections/create", json!({"collectionName": "quick_setup", "dimension": 5})).await;
    let (_, partition) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;

    let raw = app.post_raw("/partitions/release", SEED_RELEASE_BODY, &[("Content-Type", "application/json")]).await;

    assert_eq!(created, json!({"code": 200, "data": {}}));
    assert_eq!(partition, json!({"code": 200, "data": {}}));
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.body, r#"{"code":200,"data":{}}"#);
    let (_, state) = app.post("/collections/get_load_state", json!({"collectionName": "quick_setup"})).await;
    assert_eq!(state, json!({"code": 200, "data": {"loadState": "LoadStateNotLoad"}}));
}

#[tokio::test]
async fn partition_limit_counts_default_and_returns_code_65535() {
    let app = spawn_with(MockMilvus::builder().limits(Limits { max_partitions: 2, ..Limits::default() })).await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "february"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "partition number (2) exceeds max configuration (2), collection: quick_setup"})
    );
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "january"]}));
}

#[tokio::test]
async fn milvus_2_4_words_the_empty_release_list_with_its_typo() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": []})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "invalid parameter[expected=any parttiion][actual=empty partition list]"})
    );
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn milvus_2_4_rejects_a_hyphen_in_partition_names() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan-2024"})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            "Invalid partition name: jan-2024. Partition name can only contain numbers, letters and underscores."
                .into()
        )
    );
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default"]}));
}

#[tokio::test]
async fn milvus_2_5_accepts_a_hyphen_in_partition_names() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_5)).await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan-2024"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "jan-2024"]}));
}

#[tokio::test]
async fn master_answers_invalid_partition_names_with_code_1100() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan$"})).await;

    assert_eq!(
        body,
        partition_error(
            1100,
            "Invalid partition name: jan$. Partition name can only contain numbers, letters and underscores.: invalid parameter"
                .into()
        )
    );
}

#[tokio::test]
async fn master_accepts_a_hyphen_in_partition_names() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan-2024"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "jan-2024"]}));
}

#[tokio::test]
async fn master_partition_limit_returns_code_1100() {
    let app = spawn_with(
        MockMilvus::builder()
            .milvus_version(MilvusVersion::V3_0)
            .limits(Limits { max_partitions: 1, ..Limits::default() }),
    )
    .await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "partition number (1) exceeds max configuration (1), collection: quick_setup: invalid parameter"})
    );
}

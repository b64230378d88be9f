//! `partitions/*` (contract §4.3, §6.3, §8.2, §8.4), starting with the seed page's own example
//! (`seed/release-partitions.md`).

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
async fn the_release_partitions_page_example_releases_quick_setup() {
    // Arrange: the page's collection and partition.
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    // Act: the page's exact request.
    let raw = app.post_raw("/partitions/release", SEED_RELEASE_BODY, &[("Content-Type", "application/json")]).await;

    // Assert: success is code 0 (§1.2), and every loaded partition released means the collection is released.
    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.body, r#"{"code":0,"data":{}}"#);
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
    assert_eq!(app.describe("quick_setup").await["data"]["load"], "LoadStateNotLoad");
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
async fn create_partition_adds_it_after_default_in_creation_order() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, first) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "zebra"})).await;
    let (_, second) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "alpha"})).await;

    assert_eq!(first, success());
    assert_eq!(second, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "zebra", "alpha"]}));
}

#[tokio::test]
async fn create_of_an_existing_partition_succeeds_without_a_duplicate() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, again) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;
    let (_, default) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "_default"})).await;

    assert_eq!(again, success());
    assert_eq!(default, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "january"]}));
}

#[tokio::test]
async fn create_partition_in_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/partitions/create", json!({"collectionName": "nope", "partitionName": "p"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn create_partition_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/partitions/create", json!({"dbName": "nope", "collectionName": "c", "partitionName": "p"})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn create_partition_with_an_invalid_collection_name_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/partitions/create", json!({"collectionName": "1c", "partitionName": "p"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "Invalid collection name: 1c.  the first character of a collection name must be an underscore or letter: invalid parameter"})
    );
}

#[tokio::test]
async fn create_partition_with_a_digit_first_is_legal() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "12name"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "12name"]}));
}

#[tokio::test]
async fn create_partition_with_a_hyphen_is_legal_in_2_6() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan-2024"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "jan-2024"]}));
}

#[tokio::test]
async fn create_partition_with_a_bad_first_character_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "-jan"})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            "Invalid partition name: -jan. The first character of a partition name must be an underscore or letter."
                .into()
        )
    );
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default"]}));
}

#[tokio::test]
async fn create_partition_with_a_bad_later_character_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "jan$"})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            "Invalid partition name: jan$. Partition name can only contain numbers, letters and underscores.".into()
        )
    );
}

#[tokio::test]
async fn create_partition_with_a_blank_name_is_trimmed_and_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": "   "})).await;

    assert_eq!(body, partition_error(65535, "Invalid partition name: . Partition name should not be empty.".into()));
}

#[tokio::test]
async fn create_partition_with_a_256_character_name_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    let name = "p".repeat(256);

    let (_, body) =
        app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": name})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            format!("Invalid partition name: {name}. The length of a partition name must be less than 255 characters.")
        )
    );
}

#[tokio::test]
async fn create_partition_without_a_name_returns_code_1802() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": ""})).await;

    assert_eq!(body, missing_required(&[required("PartitionReq", "PartitionName")]));
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
async fn has_partition_answers_true_and_false() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, yes) =
        app.post("/partitions/has", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;
    let (_, no) =
        app.post("/partitions/has", json!({"collectionName": "quick_setup", "partitionName": "february"})).await;

    assert_eq!(yes, json!({"code": 0, "data": {"has": true}}));
    assert_eq!(no, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn has_partition_validates_the_name_before_looking_for_the_collection() {
    let app = spawn_app().await;

    let (_, body) = app.post("/partitions/has", json!({"collectionName": "nope", "partitionName": "a$"})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            "Invalid partition name: a$. Partition name can only contain numbers, letters and underscores.".into()
        )
    );
}

#[tokio::test]
async fn has_partition_in_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/partitions/has", json!({"collectionName": "nope", "partitionName": "p"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn list_partitions_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let body = app.list_partitions("nope").await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn partition_stats_count_zero_rows_and_unknown_partitions_return_code_200() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, known) =
        app.post("/partitions/get_stats", json!({"collectionName": "quick_setup", "partitionName": "_default"})).await;
    let (_, unknown) =
        app.post("/partitions/get_stats", json!({"collectionName": "quick_setup", "partitionName": "ghost"})).await;

    assert_eq!(known, json!({"code": 0, "data": {"rowCount": 0}}));
    assert_eq!(unknown, json!({"code": 200, "message": "partition not found[partition=ghost]"}));
}

#[tokio::test]
async fn drop_of_a_released_partition_removes_it() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    app.ok("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    let (_, body) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default"]}));
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn drop_of_a_loaded_partition_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "january"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "partition cannot be dropped, partition is loaded, please release it first"})
    );
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default", "january"]}));
}

#[tokio::test]
async fn drop_of_the_default_partition_returns_code_65535() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) = app.post("/partitions/drop", json!({"collectionName": "docs", "partitionName": "_default"})).await;

    assert_eq!(body, json!({"code": 65535, "message": "default partition cannot be deleted"}));
    assert_eq!(app.list_partitions("docs").await, json!({"code": 0, "data": ["_default"]}));
}

#[tokio::test]
async fn drop_of_the_loaded_default_partition_reports_the_load_first() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "_default"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "partition cannot be dropped, partition is loaded, please release it first"})
    );
}

#[tokio::test]
async fn drop_of_a_missing_partition_succeeds() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "ghost"})).await;

    assert_eq!(body, success());
    assert_eq!(app.list_partitions("quick_setup").await, json!({"code": 0, "data": ["_default"]}));
}

#[tokio::test]
async fn drop_partition_with_an_invalid_name_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/drop", json!({"collectionName": "quick_setup", "partitionName": "a b"})).await;

    assert_eq!(
        body,
        partition_error(
            65535,
            "Invalid partition name: a b. Partition name can only contain numbers, letters and underscores.".into()
        )
    );
}

#[tokio::test]
async fn drop_partition_in_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/partitions/drop", json!({"collectionName": "nope", "partitionName": "p"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn release_with_an_empty_list_returns_code_1100() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": []})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "invalid parameter[expected=any partition][actual=empty partition list]"})
    );
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn release_of_unknown_partition_returns_code_200_and_releases_nothing() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) = app
        .post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january", "ghost"]}))
        .await;

    assert_eq!(body, json!({"code": 200, "message": "partition not found[partition=ghost]"}));
    assert_eq!(app.partition_load_state("quick_setup", &["january"]).await, loaded());
}

#[tokio::test]
async fn release_does_not_validate_partition_names() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["a$b"]})).await;

    assert_eq!(body, json!({"code": 200, "message": "partition not found[partition=a$b]"}));
}

#[tokio::test]
async fn release_of_an_empty_partition_name_releases_default_in_2_6() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": [""]})).await;

    assert_eq!(body, success());
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["_default"]).await);
    assert_eq!(app.partition_load_state("quick_setup", &["january"]).await, loaded());
}

#[tokio::test]
async fn release_in_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "nope", "partitionNames": ["_default"]})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn release_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app
        .post("/partitions/release", json!({"dbName": "nope", "collectionName": "c", "partitionNames": ["_default"]}))
        .await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn release_with_an_invalid_collection_name_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "a-b", "partitionNames": ["_default"]})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "Invalid collection name: a-b.  collection name can only contain numbers, letters and underscores: invalid parameter"})
    );
}

#[tokio::test]
async fn release_in_the_db_name_header_database_uses_that_database() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "quick_setup", "dimension": 5}))
        .await;

    let (_, body) = app
        .post_with_headers(
            "/partitions/release",
            json!({"collectionName": "quick_setup", "partitionNames": ["_default"]}),
            &[("DB-Name", "analytics")],
        )
        .await;

    assert_eq!(body, success());
    let (_, state) =
        app.post("/collections/get_load_state", json!({"dbName": "analytics", "collectionName": "quick_setup"})).await;
    assert_eq!(state, not_loaded());
}

#[tokio::test]
async fn load_with_an_empty_list_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.ok("/collections/release", json!({"collectionName": "quick_setup"})).await;

    let (_, body) = app.post("/partitions/load", json!({"collectionName": "quick_setup", "partitionNames": []})).await;

    assert_eq!(body, json!({"code": 65535, "message": "failed to load partition, due to no partition specified"}));
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn load_of_unknown_partition_returns_code_200_and_loads_nothing() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.ok("/collections/release", json!({"collectionName": "quick_setup"})).await;

    let (_, body) = app
        .post("/partitions/load", json!({"collectionName": "quick_setup", "partitionNames": ["_default", "ghost"]}))
        .await;

    assert_eq!(body, json!({"code": 200, "message": "partition not found[partition=ghost]"}));
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn load_partitions_without_index_returns_code_700() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) =
        app.post("/partitions/load", json!({"collectionName": "docs", "partitionNames": ["_default"]})).await;

    assert_eq!(body, json!({"code": 700, "message": "index not found[collection=docs]"}));
    assert_eq!(app.load_state("docs").await, not_loaded());
}

#[tokio::test]
async fn load_partitions_checks_the_index_before_the_empty_list() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) = app.post("/partitions/load", json!({"collectionName": "docs", "partitionNames": []})).await;

    assert_eq!(body, json!({"code": 700, "message": "index not found[collection=docs]"}));
}

#[tokio::test]
async fn load_partitions_in_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/partitions/load", json!({"collectionName": "nope", "partitionNames": ["_default"]})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
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

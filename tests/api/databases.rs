//! `databases/*` (contract §4.1, §6.1, §8.3, §8.4) and where `dbName` comes from (§2 step 4, §3.3).

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
async fn create_database_answers_empty_data_and_lists_the_database() {
    let app = spawn_app().await;

    let (status, body) = app.post("/databases/create", json!({"dbName": "analytics"})).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, success());
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(sorted(list), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn describe_database_shows_its_id_name_and_properties_as_strings() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics", "properties": {"database.replica.number": 1}})).await;

    let (_, body) = app.post("/databases/describe", json!({"dbName": "analytics"})).await;

    let id = body["data"]["dbID"].clone();
    assert!(id.is_i64(), "dbID is a JSON number: {body}");
    assert_eq!(
        body,
        json!({"code": 0, "data": {
            "dbID": id,
            "dbName": "analytics",
            "properties": [{"key": "database.replica.number", "value": "1"}]
        }})
    );
}

#[tokio::test]
async fn describe_of_a_database_without_properties_shows_an_empty_list() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app.post("/databases/describe", json!({"dbName": "analytics"})).await;

    let id = body["data"]["dbID"].clone();
    assert_eq!(body, json!({"code": 0, "data": {"dbID": id, "dbName": "analytics", "properties": []}}));
}

#[tokio::test]
async fn describe_of_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (status, body) = app.post("/databases/describe", json!({"dbName": "nope"})).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn alter_database_properties_show_in_describe() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) =
        app.post("/databases/alter", json!({"dbName": "analytics", "properties": {"mmap.enabled": true}})).await;

    assert_eq!(body, success());
    let (_, described) = app.post("/databases/describe", json!({"dbName": "analytics"})).await;
    assert_eq!(described["data"]["properties"], json!([{"key": "mmap.enabled", "value": "true"}]));
}

#[tokio::test]
async fn alter_of_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/alter", json!({"dbName": "nope", "properties": {"mmap.enabled": true}})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
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
async fn create_of_existing_database_returns_code_65535() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "analytics"})).await;

    assert_eq!(body, json!({"code": 65535, "message": "database already exist: analytics"}));
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(sorted(list), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn create_of_the_default_database_returns_code_65535() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "default"})).await;

    assert_eq!(body, json!({"code": 65535, "message": "database already exist: default"}));
}

#[tokio::test]
async fn create_with_a_digit_first_returns_code_802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "1db"})).await;

    assert_eq!(
        body,
        json!({"code": 802, "message": "the first character of a database name must be an underscore or letter: invalid database name[database=1db]"})
    );
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn create_with_a_hyphen_returns_code_802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/create", json!({"dbName": "my-db"})).await;

    assert_eq!(
        body,
        json!({"code": 802, "message": "database name can only contain numbers, letters and underscores: invalid database name[database=my-db]"})
    );
}

#[tokio::test]
async fn create_with_a_space_name_is_not_trimmed_and_returns_code_802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/create", json!({"dbName": " "})).await;

    assert_eq!(
        body,
        json!({"code": 802, "message": "the first character of a database name must be an underscore or letter: invalid database name[database= ]"})
    );
}

#[tokio::test]
async fn create_with_a_256_character_name_returns_code_802() {
    let app = spawn_app().await;
    let name = "d".repeat(256);

    let (_, body) = app.post("/databases/create", json!({"dbName": name})).await;

    assert_eq!(
        body,
        json!({"code": 802, "message": format!("the length of a database name must be less than 255 characters: invalid database name[database={name}]")})
    );
}

#[tokio::test]
async fn create_with_a_255_character_name_succeeds() {
    let app = spawn_app().await;
    let name = "d".repeat(255);

    let (_, body) = app.post("/databases/create", json!({"dbName": name})).await;

    assert_eq!(body, success());
    let (_, described) = app.post("/databases/describe", json!({"dbName": name})).await;
    assert_eq!(described["code"], 0);
}

#[tokio::test]
async fn create_with_an_empty_name_returns_code_1802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/create", json!({"dbName": ""})).await;

    assert_eq!(body, missing_required(&[required("DatabaseReqWithProperties", "DbName")]));
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn drop_without_a_name_returns_code_1802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/drop", json!({})).await;

    assert_eq!(body, missing_required(&[required("DatabaseReqRequiredName", "DbName")]));
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
async fn drop_database_removes_it_from_the_list() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "analytics"})).await;

    assert_eq!(body, success());
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn drop_of_missing_database_succeeds_every_time() {
    let app = spawn_app().await;

    let (_, first) = app.post("/databases/drop", json!({"dbName": "nope"})).await;
    let (_, second) = app.post("/databases/drop", json!({"dbName": "nope"})).await;

    assert_eq!(first, success());
    assert_eq!(second, success());
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn drop_of_the_default_database_returns_code_65535() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "default"})).await;

    assert_eq!(body, json!({"code": 65535, "message": "can not drop default database"}));
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn drop_of_a_database_with_collections_returns_code_65535() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "events", "dimension": 4})).await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "analytics"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "database:analytics not empty, must drop all collections before drop database"})
    );
    let (_, collections) = app.post("/collections/list", json!({"dbName": "analytics"})).await;
    assert_eq!(collections, json!({"code": 0, "data": ["events"]}));
}

#[tokio::test]
async fn drop_with_an_invalid_name_returns_code_802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/databases/drop", json!({"dbName": "a-b"})).await;

    assert_eq!(
        body,
        json!({"code": 802, "message": "database name can only contain numbers, letters and underscores: invalid database name[database=a-b]"})
    );
}

#[tokio::test]
async fn collections_of_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/list", json!({"dbName": "nope"})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn the_db_name_header_selects_the_database_when_the_body_has_none() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app
        .post_with_headers(
            "/collections/create",
            json!({"collectionName": "events", "dimension": 4}),
            &[("DB-Name", "analytics")],
        )
        .await;

    assert_eq!(body, success());
    let (_, in_analytics) = app.post("/collections/list", json!({"dbName": "analytics"})).await;
    assert_eq!(in_analytics, json!({"code": 0, "data": ["events"]}));
    let (_, in_default) = app.post("/collections/list", json!({})).await;
    assert_eq!(in_default, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn the_body_db_name_wins_over_the_header() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;

    let (_, body) = app
        .post_with_headers(
            "/collections/create",
            json!({"dbName": "default", "collectionName": "events", "dimension": 4}),
            &[("DB-Name", "analytics")],
        )
        .await;

    assert_eq!(body, success());
    let (_, in_default) = app.post("/collections/list", json!({})).await;
    assert_eq!(in_default, json!({"code": 0, "data": ["events"]}));
    let (_, in_analytics) = app.post("/collections/list", json!({"dbName": "analytics"})).await;
    assert_eq!(in_analytics, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn an_empty_db_name_means_the_default_database() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/collections/create", json!({"dbName": "", "collectionName": "events", "dimension": 4})).await;

    assert_eq!(body, success());
    let (_, listed) = app.post("/collections/list", json!({"dbName": "default"})).await;
    assert_eq!(listed, json!({"code": 0, "data": ["events"]}));
}

#[tokio::test]
async fn an_empty_db_name_falls_back_to_the_header() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "events", "dimension": 4})).await;

    let (_, body) =
        app.post_with_headers("/collections/list", json!({"dbName": ""}), &[("db-name", "analytics")]).await;

    assert_eq!(body, json!({"code": 0, "data": ["events"]}));
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

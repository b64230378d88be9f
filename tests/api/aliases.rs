//! `aliases/*` (contract part 2, section B) and aliases standing in for collection names elsewhere.

use milvus_mock::{MilvusVersion, MockMilvus};
use serde_json::{Value, json};

use crate::helpers::*;

async fn create_alias(app: &TestApp, collection: &str, alias: &str) {
    app.ok("/aliases/create", json!({"collectionName": collection, "aliasName": alias})).await;
}

async fn describe_alias(app: &TestApp, alias: &str) -> Value {
    app.post("/aliases/describe", json!({"aliasName": alias})).await.1
}

#[tokio::test]
async fn create_alias_then_describe_and_list_it() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "quick_setup", "aliasName": "qs"})).await;

    assert_eq!(body, success());
    assert_eq!(
        describe_alias(&app, "qs").await,
        json!({"code": 0, "data": {"aliasName": "qs", "collectionName": "quick_setup", "dbName": "default"}})
    );
    let (_, list) = app.post("/aliases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["qs"]}));
}

#[tokio::test]
async fn list_aliases_filters_by_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_quick_collection("b").await;
    create_alias(&app, "a", "a1").await;
    create_alias(&app, "a", "a2").await;
    create_alias(&app, "b", "b1").await;

    let (_, body) = app.post("/aliases/list", json!({"collectionName": "a"})).await;

    assert_eq!(sorted(body), json!({"code": 0, "data": ["a1", "a2"]}));
    let (_, all) = app.post("/aliases/list", json!({})).await;
    assert_eq!(sorted(all), json!({"code": 0, "data": ["a1", "a2", "b1"]}));
}

#[tokio::test]
async fn list_aliases_of_a_collection_without_aliases_is_empty() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    let (_, body) = app.post("/aliases/list", json!({"collectionName": "a"})).await;

    assert_eq!(body, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn list_aliases_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/aliases/list", json!({"collectionName": "nope"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[collection=nope]"}));
}

#[tokio::test]
async fn list_aliases_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app.post("/aliases/list", json!({"dbName": "nope"})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn an_alias_works_as_collection_name_for_partition_release_and_load_state() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    create_alias(&app, "quick_setup", "qs").await;

    let (_, body) =
        app.post("/partitions/release", json!({"collectionName": "qs", "partitionNames": ["january"]})).await;

    assert_eq!(body, success());
    assert_partition_not_loaded(&app.partition_load_state("qs", &["january"]).await);
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["january"]).await);
    app.ok("/partitions/release", json!({"collectionName": "qs", "partitionNames": ["_default"]})).await;
    assert_eq!(app.load_state("qs").await, not_loaded());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn describe_through_an_alias_reports_the_real_collection_and_its_aliases() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "qs").await;

    let body = app.describe("qs").await;

    let mut expected = quick_setup_description(&collection_id(&body), "quick_setup");
    expected["data"]["aliases"] = json!(["qs"]);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn has_collection_with_an_alias_answers_true() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "qs").await;

    let (_, body) = app.post("/collections/has", json!({"collectionName": "qs"})).await;

    assert_eq!(body, json!({"code": 0, "data": {"has": true}}));
}

#[tokio::test]
async fn drop_collection_via_an_alias_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "qs").await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "qs"})).await;

    assert_eq!(body, json!({"code": 65535, "message": "cannot drop the collection via alias = qs"}));
    let (_, has) = app.post("/collections/has", json!({"collectionName": "quick_setup"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": true}}));
}

#[tokio::test]
async fn drop_of_a_collection_with_aliases_returns_code_65535_in_2_6() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "a1").await;
    create_alias(&app, "quick_setup", "a2").await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "unable to drop the collection [quick_setup] because it has associated aliases [a1 a2], please remove all aliases before dropping the collection"})
    );
    assert_eq!(describe_alias(&app, "a1").await["data"]["collectionName"], "quick_setup");
}

#[tokio::test]
async fn drop_of_a_collection_with_aliases_removes_them_in_2_5() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_5)).await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "a1").await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, success());
    assert_eq!(
        describe_alias(&app, "a1").await,
        json!({"code": 1600, "message": "alias not found[database=default][alias=a1]"})
    );
}

#[tokio::test]
async fn create_alias_named_like_a_collection_returns_code_1601() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_quick_collection("b").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "a", "aliasName": "b"})).await;

    assert_eq!(body, json!({"code": 1601, "message": "alias and collection name conflict[database=default][alias=b]"}));
    let (_, list) = app.post("/aliases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn create_alias_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "nope", "aliasName": "a1"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn create_alias_already_used_by_another_collection_returns_code_1602() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_quick_collection("b").await;
    create_alias(&app, "a", "shared").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "b", "aliasName": "shared"})).await;

    assert_eq!(
        body,
        json!({"code": 1602, "message": "shared is alias to another collection: a: alias already exist[database=default][alias=shared]"})
    );
    assert_eq!(describe_alias(&app, "shared").await["data"]["collectionName"], "a");
}

#[tokio::test]
async fn create_of_the_same_alias_again_succeeds() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    create_alias(&app, "a", "a1").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "a", "aliasName": "a1"})).await;

    assert_eq!(body, success());
    let (_, list) = app.post("/aliases/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["a1"]}));
}

#[tokio::test]
async fn create_alias_with_an_invalid_name_returns_code_1100() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "a", "aliasName": "1a"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "Invalid collection alias: 1a.  the first character of a collection alias must be an underscore or letter: invalid parameter"})
    );
}

#[tokio::test]
async fn create_alias_without_an_alias_name_returns_code_1802() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    let (_, body) = app.post("/aliases/create", json!({"collectionName": "a"})).await;

    assert_eq!(body, missing_required(&[required("AliasCollectionReq", "AliasName")]));
}

#[tokio::test]
async fn alter_alias_moves_it_to_another_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_collection_without_index("b").await;
    create_alias(&app, "a", "current").await;

    let (_, body) = app.post("/aliases/alter", json!({"collectionName": "b", "aliasName": "current"})).await;

    assert_eq!(body, success());
    assert_eq!(
        describe_alias(&app, "current").await,
        json!({"code": 0, "data": {"aliasName": "current", "collectionName": "b", "dbName": "default"}})
    );
    assert_eq!(app.load_state("current").await, not_loaded());
}

#[tokio::test]
async fn alter_of_unknown_alias_returns_code_1600() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    let (_, body) = app.post("/aliases/alter", json!({"collectionName": "a", "aliasName": "ghost"})).await;

    assert_eq!(body, json!({"code": 1600, "message": "alias not found[database=default][alias=ghost]"}));
}

#[tokio::test]
async fn alter_alias_to_unknown_collection_returns_code_100_without_database() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    create_alias(&app, "a", "a1").await;

    let (_, body) = app.post("/aliases/alter", json!({"collectionName": "nope", "aliasName": "a1"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[collection=nope]"}));
    assert_eq!(describe_alias(&app, "a1").await["data"]["collectionName"], "a");
}

#[tokio::test]
async fn drop_alias_removes_it() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    create_alias(&app, "a", "a1").await;

    let (_, body) = app.post("/aliases/drop", json!({"aliasName": "a1"})).await;

    assert_eq!(body, success());
    assert_eq!(
        describe_alias(&app, "a1").await,
        json!({"code": 1600, "message": "alias not found[database=default][alias=a1]"})
    );
}

#[tokio::test]
async fn drop_of_a_missing_alias_succeeds_every_time() {
    let app = spawn_app().await;

    let (_, first) = app.post("/aliases/drop", json!({"aliasName": "ghost"})).await;
    let (_, second) = app.post("/aliases/drop", json!({"aliasName": "ghost"})).await;

    assert_eq!(first, success());
    assert_eq!(second, success());
}

#[tokio::test]
async fn drop_of_an_invalid_alias_name_succeeds_in_2_6() {
    let app = spawn_app().await;

    let (_, body) = app.post("/aliases/drop", json!({"aliasName": "1a"})).await;

    assert_eq!(body, success());
}

#[tokio::test]
async fn drop_alias_without_a_name_returns_code_1802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/aliases/drop", json!({})).await;

    assert_eq!(body, missing_required(&[required("AliasReq", "AliasName")]));
}

#[tokio::test]
async fn describe_of_unknown_alias_returns_code_1600() {
    let app = spawn_app().await;

    let body = describe_alias(&app, "ghost").await;

    assert_eq!(body, json!({"code": 1600, "message": "alias not found[database=default][alias=ghost]"}));
}

#[tokio::test]
async fn drop_collection_succeeds_once_its_aliases_are_dropped() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    create_alias(&app, "quick_setup", "qs").await;
    app.ok("/aliases/drop", json!({"aliasName": "qs"})).await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, success());
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": []}));
}

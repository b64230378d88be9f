//! `aliases/*` where conformance does not reach: the whole alias list of a database (a shared list conformance
//! only checks for its own names), two aliases in the 2.6 drop refusal, and 2.5's drop in one run. The routes'
//! answers are conformance's (`scenarios/aliases.rs`, `names.rs`, `decoding.rs`, `errors.rs`).

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

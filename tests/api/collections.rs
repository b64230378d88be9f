//! `collections/*` where conformance does not reach: a fresh server's whole list, a custom schema's whole describe,
//! the collection limit, repeated JSON keys, describe's index list, default values and partition-key checks
//! (issue 12). The routes' other answers are conformance's (`scenarios/collections.rs`, `names.rs`, `errors.rs`,
//! `idempotency.rs`, `rename.rs`, `load_state.rs`).

use milvus_mock::{Limits, MockMilvus};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

#[tokio::test]
async fn describe_of_a_custom_schema_without_index_shows_the_index_error_in_message() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let body = app.describe("docs").await;

    assert_eq!(body, custom_schema_description(&collection_id(&body), "docs"));
}

#[tokio::test]
async fn list_of_an_empty_database_is_an_empty_array() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/list", json!({})).await;

    assert_eq!(body, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn list_shows_every_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("b_coll").await;
    app.create_collection_without_index("a_coll").await;

    let (_, body) = app.post("/collections/list", json!({})).await;

    assert_eq!(sorted(body), json!({"code": 0, "data": ["a_coll", "b_coll"]}));
}

#[tokio::test]
async fn collection_limit_returns_code_102() {
    let app = spawn_with(MockMilvus::builder().limits(Limits { max_collections: 1, ..Limits::default() })).await;
    app.create_quick_collection("first").await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "second", "dimension": 4})).await;

    assert_eq!(
        body,
        json!({"code": 102, "message": "exceeded the limit number of collections[dbName=default][limit=1]"})
    );
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["first"]}));
}

// ---- repeated keys: Go decodes every occurrence in order and keeps the first type error (issue 12) ----

fn bad_json(go_error: &str) -> Value {
    json!({"code": 1801, "message": format!("can only accept json format request, error: {go_error}")})
}

async fn post_text(app: &TestApp, path: &str, body: &str) -> Value {
    let raw = app.post_raw(path, body.to_string(), &[]).await;
    assert_eq!(raw.status, StatusCode::OK, "{path} {body:?}: {}", raw.body);
    serde_json::from_str(&raw.body).expect("a JSON body")
}

#[tokio::test]
async fn create_with_a_repeated_collection_name_of_another_type_returns_the_first_type_error() {
    let app = spawn_app().await;

    let body =
        post_text(&app, "/collections/create", r#"{"collectionName":5,"collectionName":"a","dimension":5}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal number into Go struct field CollectionReq.collectionName of type string")
    );
    let (_, has) = app.post("/collections/has", json!({"collectionName": "a"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn drop_with_a_repeated_collection_name_of_another_type_returns_1801_and_keeps_the_collection() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    // The good value comes first, the bad one last: still the type error (case-folded keys count too).
    let body = post_text(&app, "/collections/drop", r#"{"collectionName":"a","COLLECTIONNAME":["a"]}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal array into Go struct field CollectionNameReq.collectionName of type string")
    );
    let (_, has) = app.post("/collections/has", json!({"collectionName": "a"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": true}}));
}

#[tokio::test]
async fn the_type_error_reported_is_the_first_in_the_document_not_in_the_struct() {
    let app = spawn_app().await;

    // CollectionReq declares collectionName before dimension; Go reports what it meets first.
    let body = post_text(&app, "/collections/create", r#"{"dimension":"5","collectionName":5}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal string into Go struct field CollectionReq.dimension of type int32")
    );
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn a_repeated_key_of_the_same_type_keeps_the_last_value() {
    let app = spawn_app().await;

    let body =
        post_text(&app, "/collections/create", r#"{"collectionName":"first","COLLECTIONNAME":"last","dimension":5}"#)
            .await;

    assert_eq!(body, success());
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["last"]}));
}

// ---- collections/describe lists every index (issue 12) ----

#[tokio::test]
async fn describe_lists_every_index_of_the_collection_scalar_and_second_vector_ones_too() {
    let app = spawn_app().await;
    let mut body = custom_schema("docs");
    body["schema"]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"fieldName": "image", "dataType": "FloatVector", "elementTypeParams": {"dim": "4"}}));
    body["indexParams"] = json!([
        {"fieldName": "vector", "indexName": "vector_idx", "metricType": "L2", "indexType": "AUTOINDEX"},
        {"fieldName": "title", "indexName": "title_idx", "indexType": "INVERTED"},
        {"fieldName": "image", "indexName": "image_idx", "metricType": "IP", "indexType": "AUTOINDEX"}
    ]);
    app.ok("/collections/create", body).await;

    let describe = app.describe("docs").await;

    assert_eq!(describe["code"], 0);
    assert_eq!(describe["message"], "");
    assert_eq!(
        describe["data"]["indexes"],
        json!([
            {"fieldName": "vector", "indexName": "vector_idx", "metricType": "L2"},
            {"fieldName": "title", "indexName": "title_idx", "metricType": "COSINE"},
            {"fieldName": "image", "indexName": "image_idx", "metricType": "IP"}
        ])
    );
    let (_, list) = app.post("/indexes/list", json!({"collectionName": "docs"})).await;
    assert_eq!(list, json!({"code": 0, "data": ["vector_idx", "title_idx", "image_idx"]}));
}

#[tokio::test]
async fn describe_shows_a_scalar_index_when_the_vector_field_has_none() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;
    let index = json!({"collectionName": "docs", "indexParams": [{"fieldName": "title", "indexName": "t", "indexType": "INVERTED"}]});
    app.ok("/indexes/create", index).await;

    let body = app.describe("docs").await;

    let mut expected = custom_schema_description(&collection_id(&body), "docs");
    // No metric on a scalar index: printIndexes's getMetricType falls back to DefaultMetricType.
    expected["data"]["indexes"] = json!([{"fieldName": "title", "indexName": "t", "metricType": "COSINE"}]);
    expected["message"] = json!("");
    assert_eq!(body, expected);
}

// ---- default values and partition keys in collections/create (issue 12) ----

/// `custom_schema("docs")` with one more field.
fn schema_with(field: Value) -> Value {
    let mut body = custom_schema("docs");
    body["schema"]["fields"].as_array_mut().unwrap().push(field);
    body
}

async fn assert_not_created(app: &TestApp) {
    let (_, has) = app.post("/collections/has", json!({"collectionName": "docs"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn create_with_a_default_value_on_a_json_field_returns_1100_convert_default_value_fail() {
    let app = spawn_app().await;

    let (status, body) = app
        .post(
            "/collections/create",
            schema_with(json!({"fieldName": "meta", "dataType": "JSON", "defaultValue": {"key": 1}})),
        )
        .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"code": 1100, "message": "convert defaultValue fail, err:Unexpected default value type: JSON: invalid parameter"})
    );
    assert_not_created(&app).await;
}

#[tokio::test]
async fn create_with_a_default_value_on_an_array_field_fails_before_its_element_type_is_checked() {
    let app = spawn_app().await;
    // The element type is wrong too, but the handler converts the default value first.
    let field = json!({"fieldName": "tags", "dataType": "Array", "elementDataType": "int64", "defaultValue": [1, 2],
        "elementTypeParams": {"max_capacity": "8"}});

    let (_, body) = app.post("/collections/create", schema_with(field)).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "convert defaultValue fail, err:Unexpected default value type: Array: invalid parameter"})
    );
    assert_not_created(&app).await;
}

#[tokio::test]
async fn a_null_default_value_on_a_json_field_is_no_default() {
    let app = spawn_app().await;

    let (_, body) = app
        .post(
            "/collections/create",
            schema_with(json!({"fieldName": "meta", "dataType": "JSON", "defaultValue": null})),
        )
        .await;

    assert_eq!(body, success());
}

#[tokio::test]
async fn create_with_a_default_value_on_the_primary_key_returns_1100() {
    let app = spawn_app().await;
    let mut body = custom_schema("docs");
    body["schema"]["fields"][0]["defaultValue"] = json!(7);

    let (_, answer) = app.post("/collections/create", body).await;

    assert_eq!(
        answer,
        json!({"code": 1100, "message": "primary field not support default_value, type:Int64, name:id: invalid parameter"})
    );
    assert_not_created(&app).await;
}

#[tokio::test]
async fn the_proxy_s_checks_come_before_the_primary_key_default_value() {
    let app = spawn_app().await;
    let mut body = custom_schema("docs");
    body["schema"]["fields"][0]["defaultValue"] = json!(7);
    body["schema"]["fields"][2]["elementTypeParams"] = json!({});

    let (_, answer) = app.post("/collections/create", body).await;

    assert_eq!(
        answer,
        json!({"code": 65535, "message": "type param(max_length) should be specified for the field(title) of collection docs"})
    );
}

#[tokio::test]
async fn create_with_a_nullable_partition_key_returns_1100() {
    let app = spawn_app().await;
    let field = json!({"fieldName": "tenant", "dataType": "Int64", "isPartitionKey": true, "nullable": true});

    let (_, body) = app.post("/collections/create", schema_with(field)).await;

    assert_eq!(body, json!({"code": 1100, "message": "partition key field not support nullable: invalid parameter"}));
    assert_not_created(&app).await;
}

#[tokio::test]
async fn create_with_two_partition_keys_names_both_before_checking_nullable() {
    let app = spawn_app().await;
    let mut body = schema_with(json!({"fieldName": "tenant", "dataType": "Int64", "isPartitionKey": true}));
    body["schema"]["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"fieldName": "region", "dataType": "Int64", "isPartitionKey": true, "nullable": true}));

    let (_, answer) = app.post("/collections/create", body).await;

    assert_eq!(
        answer,
        json!({"code": 65535, "message": "there are more than one partition key, field name = tenant, region"})
    );
    assert_not_created(&app).await;
}

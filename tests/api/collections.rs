//! `collections/*` (contract §4.2, §6.2, §8.1, §8.4): create (quick and custom), describe, has, list, stats, drop,
//! rename, load and release, with every error the contract lists.

use milvus_mock::{Limits, MockMilvus};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;

fn invalid_collection_name(name: &str, reason: &str) -> Value {
    json!({"code": 1100, "message": format!("Invalid collection name: {name}.  {reason}: invalid parameter")})
}

#[tokio::test]
async fn quick_setup_creates_a_loaded_collection() {
    let app = spawn_app().await;

    let (status, body) =
        app.post("/collections/create", json!({"collectionName": "quick_setup", "dimension": 5})).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn describe_of_a_quick_setup_collection_shows_its_schema_index_and_load_state() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = app.describe("quick_setup").await;

    assert_eq!(body, quick_setup_description(&collection_id(&body), "quick_setup"));
}

#[tokio::test]
async fn describe_counts_partitions_including_default() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let body = app.describe("quick_setup").await;

    let mut expected = quick_setup_description(&collection_id(&body), "quick_setup");
    expected["data"]["partitionsNum"] = json!(2);
    assert_eq!(body, expected);
}

#[tokio::test]
async fn describe_of_a_custom_schema_without_index_shows_the_index_error_in_message() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let body = app.describe("docs").await;

    assert_eq!(body, custom_schema_description(&collection_id(&body), "docs"));
}

#[tokio::test]
async fn describe_of_unknown_collection_returns_code_100_cant_find() {
    let app = spawn_app().await;

    let body = app.describe("nope").await;

    assert_eq!(body, json!({"code": 100, "message": "can't find collection[database=default][collection=nope]"}));
}

#[tokio::test]
async fn describe_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/describe", json!({"dbName": "nope", "collectionName": "c"})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn describe_with_an_invalid_name_returns_code_1100() {
    let app = spawn_app().await;

    let body = app.describe("1abc").await;

    assert_eq!(
        body,
        invalid_collection_name("1abc", "the first character of a collection name must be an underscore or letter")
    );
}

#[tokio::test]
async fn has_collection_answers_true_then_false_after_drop() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, before) = app.post("/collections/has", json!({"collectionName": "quick_setup"})).await;
    app.ok("/collections/drop", json!({"collectionName": "quick_setup"})).await;
    let (_, after) = app.post("/collections/has", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(before, json!({"code": 0, "data": {"has": true}}));
    assert_eq!(after, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn has_with_an_invalid_name_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/has", json!({"collectionName": "a$b"})).await;

    assert_eq!(
        body,
        invalid_collection_name("a$b", "collection name can only contain numbers, letters and underscores")
    );
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
async fn get_stats_of_a_new_collection_counts_zero_rows() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/collections/get_stats", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, json!({"code": 0, "data": {"rowCount": 0}}));
}

#[tokio::test]
async fn get_stats_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/get_stats", json!({"collectionName": "nope"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn create_of_an_identical_quick_setup_twice_succeeds() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "quick_setup", "dimension": 5})).await;

    assert_eq!(body, success());
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["quick_setup"]}));
}

#[tokio::test]
async fn create_of_an_existing_name_with_other_parameters_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "quick_setup", "dimension": 6})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "create duplicate collection with different parameters, collection: quick_setup"})
    );
    let described = app.describe("quick_setup").await;
    assert_eq!(described["data"]["fields"][1]["params"], json!([{"key": "dim", "value": "5"}]));
}

#[tokio::test]
async fn quick_create_without_dimension_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "c"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "dimension is required for quickly create collection(default metric type: COSINE): invalid parameter[expected=collectionName & dimension][actual=collectionName]"})
    );
    let (_, has) = app.post("/collections/has", json!({"collectionName": "c"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn quick_create_with_an_unknown_id_type_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/collections/create", json!({"collectionName": "c", "dimension": 4, "idType": "Float"})).await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "idType can only be [Int64, VarChar], default: Int64: invalid parameter[expected=Int64, Varchar][actual=Float]"})
    );
}

#[tokio::test]
async fn create_with_an_invalid_consistency_level_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app
        .post(
            "/collections/create",
            json!({"collectionName": "c", "dimension": 4, "params": {"consistencyLevel": "Weak"}}),
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded: invalid parameter[expected=Strong, Session, Bounded, Eventually, Customized][actual=Weak]"})
    );
}

#[tokio::test]
async fn create_with_an_unknown_data_type_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app
        .post(
            "/collections/create",
            json!({"collectionName": "c", "schema": {"fields": [
                {"fieldName": "id", "dataType": "int64", "isPrimary": true},
                {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "8"}}
            ]}}),
        )
        .await;

    assert_eq!(
        body,
        json!({"code": 1100, "message": "invalid parameter, data type int64 is invalid(case sensitive)."})
    );
}

#[tokio::test]
async fn create_with_an_index_on_an_undefined_field_returns_code_1802() {
    let app = spawn_app().await;
    let mut request = custom_schema("c");
    request["indexParams"] = json!([{"fieldName": "nope", "indexName": "idx", "metricType": "L2"}]);

    let (_, body) = app.post("/collections/create", request).await;

    assert_eq!(
        body,
        json!({"code": 1802, "message": "missing required parameters, error: `nope` hasn't defined in schema"})
    );
}

#[tokio::test]
async fn create_with_a_custom_schema_and_index_params_loads_the_collection() {
    let app = spawn_app().await;
    let mut request = custom_schema("docs");
    request["indexParams"] = json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}]);

    let (_, body) = app.post("/collections/create", request).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("docs").await, loaded());
}

#[tokio::test]
async fn create_with_a_custom_schema_and_no_index_params_leaves_it_released() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", custom_schema("docs")).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("docs").await, not_loaded());
}

#[tokio::test]
async fn create_without_a_collection_name_returns_code_1802() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", json!({"dimension": 4})).await;

    assert_eq!(body, missing_required(&[required("CollectionReq", "CollectionName")]));
}

#[tokio::test]
async fn create_with_a_digit_first_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "1abc", "dimension": 4})).await;

    assert_eq!(
        body,
        invalid_collection_name("1abc", "the first character of a collection name must be an underscore or letter")
    );
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn create_with_a_hyphen_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "ab-c", "dimension": 4})).await;

    assert_eq!(
        body,
        invalid_collection_name("ab-c", "collection name can only contain numbers, letters and underscores")
    );
}

#[tokio::test]
async fn create_with_a_dollar_sign_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/create", json!({"collectionName": "a$", "dimension": 4})).await;

    assert_eq!(
        body,
        invalid_collection_name("a$", "collection name can only contain numbers, letters and underscores")
    );
}

#[tokio::test]
async fn create_with_a_256_character_name_returns_code_1100() {
    let app = spawn_app().await;
    let name = "c".repeat(256);

    let (_, body) = app.post("/collections/create", json!({"collectionName": name, "dimension": 4})).await;

    assert_eq!(
        body,
        invalid_collection_name(&name, "the length of a collection name must be less than 255 characters")
    );
}

#[tokio::test]
async fn create_with_a_255_character_name_succeeds() {
    let app = spawn_app().await;
    let name = "c".repeat(255);

    let (_, body) = app.post("/collections/create", json!({"collectionName": name, "dimension": 4})).await;

    assert_eq!(body, success());
    let (_, has) = app.post("/collections/has", json!({"collectionName": name})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": true}}));
}

#[tokio::test]
async fn create_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/collections/create", json!({"dbName": "nope", "collectionName": "c", "dimension": 4})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
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

#[tokio::test]
async fn drop_of_missing_collection_succeeds_every_time() {
    let app = spawn_app().await;

    let (_, first) = app.post("/collections/drop", json!({"collectionName": "nope"})).await;
    let (_, second) = app.post("/collections/drop", json!({"collectionName": "nope"})).await;

    assert_eq!(first, success());
    assert_eq!(second, success());
}

#[tokio::test]
async fn drop_of_a_collection_in_a_missing_database_succeeds() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/drop", json!({"dbName": "nope", "collectionName": "c"})).await;

    assert_eq!(body, success());
}

#[tokio::test]
async fn drop_of_a_loaded_collection_is_allowed() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, success());
    assert_eq!(
        app.load_state("quick_setup").await,
        json!({"code": 100, "message": "collection not found[collection=quick_setup]"})
    );
}

#[tokio::test]
async fn drop_with_an_invalid_name_returns_code_1100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/drop", json!({"collectionName": "_a b"})).await;

    assert_eq!(
        body,
        invalid_collection_name("_a b", "collection name can only contain numbers, letters and underscores")
    );
}

#[tokio::test]
async fn load_of_a_collection_without_index_returns_code_700() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) = app.post("/collections/load", json!({"collectionName": "docs"})).await;

    assert_eq!(body, json!({"code": 700, "message": "index not found[collection=docs]"}));
    assert_eq!(app.load_state("docs").await, not_loaded());
}

#[tokio::test]
async fn load_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/load", json!({"collectionName": "nope"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn load_in_unknown_database_returns_code_800() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/load", json!({"dbName": "nope", "collectionName": "c"})).await;

    assert_eq!(body, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn load_of_an_already_loaded_collection_succeeds() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, body) = app.post("/collections/load", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn release_then_load_brings_the_collection_back() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let (_, released) = app.post("/collections/release", json!({"collectionName": "quick_setup"})).await;
    let state_after_release = app.load_state("quick_setup").await;
    let (_, reloaded) = app.post("/collections/load", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(released, success());
    assert_eq!(state_after_release, not_loaded());
    assert_eq!(reloaded, success());
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn release_of_a_collection_that_is_not_loaded_succeeds() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let (_, body) = app.post("/collections/release", json!({"collectionName": "docs"})).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("docs").await, not_loaded());
}

#[tokio::test]
async fn release_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) = app.post("/collections/release", json!({"collectionName": "nope"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn rename_moves_the_collection_to_the_new_name() {
    let app = spawn_app().await;
    app.create_quick_collection("old_name").await;

    let (_, body) =
        app.post("/collections/rename", json!({"collectionName": "old_name", "newCollectionName": "new_name"})).await;

    assert_eq!(body, success());
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(list, json!({"code": 0, "data": ["new_name"]}));
}

#[tokio::test]
async fn rename_of_unknown_collection_returns_code_100() {
    let app = spawn_app().await;

    let (_, body) =
        app.post("/collections/rename", json!({"collectionName": "nope", "newCollectionName": "other"})).await;

    assert_eq!(body, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn rename_onto_an_existing_collection_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_quick_collection("b").await;

    let (_, body) = app.post("/collections/rename", json!({"collectionName": "a", "newCollectionName": "b"})).await;

    assert_eq!(
        body,
        json!({"code": 65535, "message": "duplicated new collection name default:b with other collection name or alias"})
    );
    let (_, list) = app.post("/collections/list", json!({})).await;
    assert_eq!(sorted(list), json!({"code": 0, "data": ["a", "b"]}));
}

#[tokio::test]
async fn rename_into_a_missing_database_returns_code_65535() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;

    let (_, body) = app
        .post("/collections/rename", json!({"collectionName": "a", "newCollectionName": "b", "newDbName": "nope"}))
        .await;

    assert_eq!(body, json!({"code": 65535, "message": "target database:nope not found"}));
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

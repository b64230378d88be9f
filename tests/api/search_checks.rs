//! Search and hybrid search over real HTTP, whole bodies: REST's `searchParams` checks, a `metric_type` that is not
//! the index's, hybrid search with several query vectors and with grouping (contract part 2 §C.7, §C.8, §E.4).

use milvus_mock::rows::render::f32_json;
use milvus_mock::{MilvusVersion, MockMilvus};
use serde_json::{Value, json};

use crate::helpers::*;

/// A quick-setup collection `c` (`id`, `vector` dim 2, COSINE, loaded) holding three rows.
async fn quick_with_rows(app: &TestApp) {
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 2})).await;
    let rows =
        json!([{"id": 1, "vector": [1.0, 0.0]}, {"id": 2, "vector": [0.0, 1.0]}, {"id": 3, "vector": [1.0, 1.0]}]);
    insert(app, rows).await;
}

/// Inserts rows into `c` and insists on success.
async fn insert(app: &TestApp, rows: Value) {
    let (_, answer) = app.post("/entities/insert", json!({"collectionName": "c", "data": rows})).await;
    assert_eq!(answer["code"], 0, "insert: {answer}");
}

/// A search of `c` for `[1, 0]` with these `searchParams`.
fn search_with(params: Value) -> Value {
    json!({"collectionName": "c", "data": [[1.0, 0.0]], "limit": 1, "searchParams": params})
}

/// The answer of a search for `[1, 0]` that finds row 1 first.
fn row_one() -> Value {
    json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": 1}], "topks": [1]})
}

fn invalid(message: &str) -> Value {
    json!({"code": 1100, "message": message})
}

#[tokio::test]
async fn a_search_param_given_flat_and_nested_with_different_values_is_ambiguous() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;

    let (_, numbers) = app.post("/entities/search", search_with(json!({"nprobe": 10, "params": {"nprobe": 16}}))).await;
    let (_, texts) =
        app.post("/entities/search", search_with(json!({"level": "a", "params": {"level": [1, 2.5]}}))).await;
    let (_, same) = app.post("/entities/search", search_with(json!({"nprobe": 10, "params": {"nprobe": 10.0}}))).await;

    assert_eq!(
        numbers,
        invalid("ambiguous parameter: nprobe, in search_param: 10, in search_param.params: 16: invalid parameter")
    );
    assert_eq!(
        texts,
        invalid("ambiguous parameter: level, in search_param: a, in search_param.params: [1 2.5]: invalid parameter")
    );
    // Go compares the float64s it decoded: 10 and 10.0 are the same value.
    assert_eq!(same, row_one());
}

#[tokio::test]
async fn search_params_params_must_be_an_object() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;

    let (_, list) = app.post("/entities/search", search_with(json!({"params": [1]}))).await;
    let (_, text) = app.post("/entities/search", search_with(json!({"params": "ef=10"}))).await;
    let (_, null) = app.post("/entities/search", search_with(json!({"params": null, "nprobe": 1}))).await;

    assert_eq!(list, invalid("searchParams.params must be a dict: invalid parameter"));
    assert_eq!(text, invalid("searchParams.params must be a dict: invalid parameter"));
    assert_eq!(null, row_one());
}

#[tokio::test]
async fn search_params_are_checked_after_the_collection_and_before_the_query_vectors() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let ambiguous = json!({"radius": 1, "params": {"radius": 2}});

    let mut missing = search_with(ambiguous.clone());
    missing["collectionName"] = json!("nope");
    let (_, missing) = app.post("/entities/search", missing).await;
    let mut wrong_dim = search_with(ambiguous);
    wrong_dim["data"] = json!([[1.0, 0.0, 0.0]]);
    let (_, wrong_dim) = app.post("/entities/search", wrong_dim).await;

    assert_eq!(missing, json!({"code": 100, "message": "can't find collection[database=default][collection=nope]"}));
    assert_eq!(
        wrong_dim,
        invalid("ambiguous parameter: radius, in search_param: 1, in search_param.params: 2: invalid parameter")
    );
}

#[tokio::test]
async fn milvus_2_4_has_no_search_params_checks() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;
    quick_with_rows(&app).await;

    let (_, answer) = app.post("/entities/search", search_with(json!({"nprobe": 10, "params": {"nprobe": 16}}))).await;

    assert_eq!(answer["code"], 0, "{answer}");
    assert_eq!(answer["data"], json!([{"distance": 1, "id": 1}]));
}

#[tokio::test]
async fn hybrid_sub_searches_get_the_same_search_params_checks() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let body = json!({"collectionName": "c", "search": [
        {"data": [[1.0, 0.0]], "limit": 1},
        {"data": [[1.0, 0.0]], "limit": 1, "params": {"ef": 8, "params": {"ef": 9}}}]});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    assert_eq!(
        answer,
        invalid("ambiguous parameter: ef, in search_param: 8, in search_param.params: 9: invalid parameter")
    );
}

fn mismatch(actual: &str) -> String {
    format!("failed to search: metric type not match: invalid parameter[expected=COSINE][actual={actual}]")
}

#[tokio::test]
async fn a_flat_metric_type_other_than_the_index_metric_fails_the_search() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;

    let (_, l2) = app.post("/entities/search", search_with(json!({"metric_type": "L2"}))).await;
    let (_, unknown) = app.post("/entities/search", search_with(json!({"metric_type": "cosine"}))).await;
    let (_, same) = app.post("/entities/search", search_with(json!({"metric_type": "COSINE"}))).await;
    let (_, empty) = app.post("/entities/search", search_with(json!({"metric_type": ""}))).await;

    assert_eq!(l2, json!({"code": 65535, "message": mismatch("L2")}));
    // Compared as given: the query node does not upper-case it.
    assert_eq!(unknown, json!({"code": 65535, "message": mismatch("cosine")}));
    assert_eq!(same, row_one());
    assert_eq!(empty, row_one());
}

#[tokio::test]
async fn camel_case_and_nested_metric_types_are_not_read() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;

    let (_, camel) = app.post("/entities/search", search_with(json!({"metricType": "L2"}))).await;
    let (_, nested) = app.post("/entities/search", search_with(json!({"params": {"metric_type": "IP"}}))).await;

    assert_eq!(camel, row_one());
    assert_eq!(nested, row_one());
}

#[tokio::test]
async fn the_metric_check_comes_after_the_load_check() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let id = collection_id(&app.describe("c").await);
    app.ok("/collections/release", json!({"collectionName": "c"})).await;

    let (_, answer) = app.post("/entities/search", search_with(json!({"metric_type": "L2"}))).await;

    assert_eq!(
        answer,
        json!({"code": 101, "message": format!("failed to search: collection not loaded[collection={id}]")})
    );
}

#[tokio::test]
async fn master_reports_a_metric_mismatch_as_an_invalid_parameter() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;
    quick_with_rows(&app).await;

    let (_, answer) = app.post("/entities/search", search_with(json!({"metric_type": "IP"}))).await;

    assert_eq!(answer, json!({"code": 1100, "message": mismatch("IP")}));
}

#[tokio::test]
async fn a_hybrid_sub_search_with_another_metric_fails() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let body = json!({"collectionName": "c", "search": [
        {"data": [[1.0, 0.0]], "limit": 1, "params": {"metric_type": "COSINE"}},
        {"data": [[1.0, 0.0]], "limit": 1, "params": {"metric_type": "L2"}}]});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    assert_eq!(answer, json!({"code": 65535, "message": mismatch("L2")}));
}

/// `rrf`'s score of a hit at these 1-based ranks (k = 60), added in `f32` in sub-search order as Milvus does.
fn rrf(ranks: &[u8]) -> Value {
    f32_json(ranks.iter().map(|&r| 1.0f32 / (60.0 + f32::from(r))).sum())
}

#[tokio::test]
async fn hybrid_search_answers_every_query_vector_in_turn_with_topks() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let body = json!({"collectionName": "c", "search": [
            {"data": [[1.0, 0.0], [0.0, 1.0]], "annsField": "vector", "limit": 2},
            {"data": [[1.0, 1.0], [0.0, 1.0]], "annsField": "vector", "limit": 2}],
        "rerank": {"strategy": "rrf", "params": {"k": 60}}, "limit": 2});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    // Query 0: [1, 3] and [3, 1] (1 and 2 tie in the second; 1 was inserted first): 1 and 3 score the same, the
    // smaller key first. Query 1: [2, 3] in both.
    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": rrf(&[1, 2]), "id": 1}, {"distance": rrf(&[2, 1]), "id": 3},
            {"distance": rrf(&[1, 1]), "id": 2}, {"distance": rrf(&[2, 2]), "id": 3}],
         "topks": [2, 2]})
    );
}

#[tokio::test]
async fn hybrid_sub_searches_must_have_the_same_number_of_query_vectors() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    let body = json!({"collectionName": "c", "search": [
        {"data": [[1.0, 0.0], [0.0, 1.0]], "limit": 1},
        {"data": [[1.0, 0.0]], "limit": 1}]});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    assert_eq!(answer, invalid("sub search request nq should be the same: invalid parameter[expected=2][actual=1]"));
}

/// A collection `c` (`id`, `vector` dim 2 with an L2 index, `g` VarChar), loaded, with four rows in three groups.
async fn grouped_collection(app: &TestApp) {
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
        {"fieldName": "g", "dataType": "VarChar", "elementTypeParams": {"max_length": 8}}
    ]);
    let index = json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}]);
    app.ok("/collections/create", json!({"collectionName": "c", "schema": {"fields": fields}, "indexParams": index}))
        .await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;
    // Squared L2 from [1, 0]: 1 → 0, 2 → 0.01, 4 → 1.81, 3 → 2.
    let rows = json!([
        {"id": 1, "vector": [1.0, 0.0], "g": "x"}, {"id": 2, "vector": [1.0, 0.1], "g": "x"},
        {"id": 3, "vector": [0.0, 1.0], "g": "y"}, {"id": 4, "vector": [0.1, 1.0], "g": "z"}
    ]);
    insert(app, rows).await;
}

fn grouped_hybrid(group_size: i64) -> Value {
    json!({"collectionName": "c", "search": [
            {"data": [[1.0, 0.0]], "limit": 3}, {"data": [[1.0, 0.0]], "limit": 3}],
        "rerank": {"strategy": "rrf", "params": {}}, "limit": 2, "outputFields": ["g"],
        "groupingField": "g", "groupSize": group_size})
}

#[tokio::test]
async fn hybrid_search_groups_by_the_top_level_grouping_field() {
    let app = spawn_app().await;
    grouped_collection(&app).await;

    let (_, one) = app.post("/entities/hybrid_search", grouped_hybrid(1)).await;
    let (_, two) = app.post("/entities/hybrid_search", grouped_hybrid(2)).await;
    let mut ungrouped = grouped_hybrid(1);
    ungrouped.as_object_mut().unwrap().remove("groupingField");
    let (_, ungrouped) = app.post("/entities/hybrid_search", ungrouped).await;

    // Each sub-search finds the best hit of groups x, z, y: [1, 4, 3]; two groups are kept after reranking.
    assert_eq!(
        one,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": rrf(&[1, 1]), "g": "x", "id": 1}, {"distance": rrf(&[2, 2]), "g": "z", "id": 4}],
         "topks": [2]})
    );
    // Two per group: the sub-searches find [1, 2, 4, 3]; groups x (1, 2) and z (4) are kept.
    assert_eq!(
        two,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": rrf(&[1, 1]), "g": "x", "id": 1}, {"distance": rrf(&[2, 2]), "g": "x", "id": 2},
            {"distance": rrf(&[3, 3]), "g": "z", "id": 4}],
         "topks": [3]})
    );
    assert_eq!(
        ungrouped["data"],
        json!([{"distance": rrf(&[1, 1]), "g": "x", "id": 1}, {"distance": rrf(&[2, 2]), "g": "x", "id": 2}])
    );
}

#[tokio::test]
async fn hybrid_grouping_by_an_unknown_field_is_1700() {
    let app = spawn_app().await;
    grouped_collection(&app).await;
    let mut body = grouped_hybrid(1);
    body["groupingField"] = json!("nope");

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    assert_eq!(
        answer,
        json!({"code": 1700, "message": "groupBy field not found in schema: field not found[field=nope]"})
    );
}

#[tokio::test]
async fn bad_rerank_params_are_reported_before_the_load_state() {
    let app = spawn_app().await;
    quick_with_rows(&app).await;
    app.ok("/collections/release", json!({"collectionName": "c"})).await;
    let body = json!({"collectionName": "c", "search": [
            {"data": [[1.0, 0.0]], "limit": 1}, {"data": [[0.0, 1.0]], "limit": 1}],
        "rerank": {"strategy": "weighted", "params": {"weights": [1.0]}}});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    assert_eq!(
        answer,
        invalid(
            "the length of weights param mismatch with ann search requests: invalid parameter[expected=2][actual=1]"
        )
    );
}

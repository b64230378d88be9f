//! The data plane over real HTTP: `entities/*` and `collections/flush` (contract part 2 §C, §D), whole bodies.

use milvus_mock::MockMilvus;
use serde_json::{Value, json};

use crate::helpers::*;

/// A quick-setup collection (`id` Int64, `vector` dim 2, COSINE, dynamic fields, loaded) named `c`.
async fn quick(app: &TestApp) {
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 2})).await;
}

/// Inserts rows into `c` (`partition` may be `""`) and insists on success.
async fn insert(app: &TestApp, partition: &str, rows: Value) -> Value {
    let body = json!({"collectionName": "c", "partitionName": partition, "data": rows});
    let (_, answer) = app.post("/entities/insert", body).await;
    assert_eq!(answer["code"], 0, "insert: {answer}");
    answer
}

/// The raw body of a call.
async fn raw(app: &TestApp, path: &str, body: Value) -> String {
    app.post_raw(path, body.to_string(), &[]).await.body
}

/// The ids of the rows a query for everything returns, in order.
async fn query_ids(app: &TestApp, partitions: &[&str]) -> Value {
    let body = json!({"collectionName": "c", "partitionNames": partitions, "outputFields": ["id"], "limit": 100});
    let (_, answer) = app.post("/entities/query", body).await;
    match answer["data"].as_array() {
        Some(rows) => rows.iter().map(|r| r["id"].clone()).collect(),
        None => answer,
    }
}

/// A collection `c` with these schema fields and index params, created and loaded.
async fn create_loaded(app: &TestApp, fields: Value, index_params: Value) {
    let body = json!({"collectionName": "c", "schema": {"fields": fields}, "indexParams": index_params});
    app.ok("/collections/create", body).await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;
}

fn row(id: i64, vector: [f32; 2]) -> Value {
    json!({"id": id, "vector": vector})
}

#[tokio::test]
async fn insert_answers_the_count_and_the_ids_with_cost_zero() {
    let app = spawn_app().await;
    quick(&app).await;

    let body = json!({"collectionName": "c", "data": [row(1, [1.0, 0.0]), row(2, [0.0, 1.0])]});
    let answer = raw(&app, "/entities/insert", body).await;

    assert_eq!(answer, r#"{"code":0,"cost":0,"data":{"insertCount":2,"insertIds":[1,2]}}"#);
}

#[tokio::test]
async fn query_returns_every_field_and_dynamic_key_sorted_by_name() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [0.5, 0.25], "color": "red", "n": 3}])).await;

    let answer = raw(&app, "/entities/query", json!({"collectionName": "c", "filter": "id in [1]"})).await;

    assert_eq!(answer, r#"{"code":0,"cost":0,"data":[{"color":"red","id":1,"n":3,"vector":[0.5,0.25]}]}"#);
}

#[tokio::test]
async fn query_counts_rows_with_count_star() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0]), row(2, [0.0, 1.0])])).await;

    let (_, answer) = app.post("/entities/query", json!({"collectionName": "c", "outputFields": ["count(*)"]})).await;

    // Duplicates are kept on insert, as Milvus does.
    assert_eq!(answer, json!({"code": 0, "cost": 0, "data": [{"count(*)": 3}]}));
}

#[tokio::test]
async fn query_with_an_empty_filter_and_no_limit_is_refused() {
    let app = spawn_app().await;
    quick(&app).await;

    let (_, answer) = app.post("/entities/query", json!({"collectionName": "c", "limit": 0})).await;

    assert_eq!(
        answer,
        json!({"code": 1100, "message": "empty expression should be used with limit: invalid parameter"})
    );
}

#[tokio::test]
async fn query_on_a_missing_collection_uses_the_proxy_wording() {
    let app = spawn_app().await;

    let (_, answer) = app.post("/entities/query", json!({"collectionName": "nope", "limit": 1})).await;

    assert_eq!(answer, json!({"code": 100, "message": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn get_reads_rows_by_id_and_refuses_ids_of_the_wrong_type() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0])])).await;

    let (_, found) =
        app.post("/entities/get", json!({"collectionName": "c", "id": [2, 9], "outputFields": ["id"]})).await;
    let (_, none) = app.post("/entities/get", json!({"collectionName": "c", "id": 9})).await;
    let (_, bad) = app.post("/entities/get", json!({"collectionName": "c", "id": "abc"})).await;
    let (_, missing) = app.post("/entities/get", json!({"collectionName": "c"})).await;

    assert_eq!(found, json!({"code": 0, "cost": 0, "data": [{"id": 2}]}));
    assert_eq!(none, json!({"code": 0, "cost": 0, "data": []}));
    assert_eq!(
        bad,
        json!({"code": 1806, "message": "please check the primary key and its' type can only in [int, string], error: unable to cast \"abc\" of type string to int64"})
    );
    assert_eq!(missing, missing_required(&[required("CollectionIDReq", "ID")]));
}

#[tokio::test]
async fn delete_by_ids_counts_the_listed_keys_has_no_cost_and_removes_the_rows() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0]), row(3, [1.0, 1.0])])).await;

    let answer = raw(&app, "/entities/delete", json!({"collectionName": "c", "filter": "id in [1, 3, 42]"})).await;

    assert_eq!(answer, r#"{"code":0,"data":{"deleteCount":3}}"#);
    assert_eq!(query_ids(&app, &[]).await, json!([2]));
}

#[tokio::test]
async fn delete_needs_a_filter() {
    let app = spawn_app().await;
    quick(&app).await;

    let (_, answer) = app.post("/entities/delete", json!({"collectionName": "c"})).await;

    assert_eq!(answer, missing_required(&[required("CollectionFilterReq", "Filter")]));
}

#[tokio::test]
async fn insert_errors_use_milvus_codes_and_texts() {
    let app = spawn_app().await;
    quick(&app).await;
    let insert_error =
        |detail: &str| json!({"code": 1804, "message": format!("fail to deal the insert data, error: {detail}")});
    let cases = [
        (json!({"collectionName": "c", "data": []}), insert_error("missing required parameters")),
        (
            json!({"collectionName": "c", "data": [{"id": 1, "vector": [1, 2, 3]}]}),
            insert_error("[]float32 size 3 doesn't equal to vector dimension 2 of FloatVector"),
        ),
        (
            json!({"collectionName": "c", "data": [{"vector": [1, 2]}]}),
            insert_error(r#"strconv.ParseInt: parsing "": invalid syntax: invalid parameter[expected=Int64][actual=]"#),
        ),
        (
            json!({"collectionName": "c", "data": [{"id": 1}]}),
            insert_error("missing vector field: vector: invalid parameter[expected=FloatVector][actual=]"),
        ),
        (
            json!({"collectionName": "c", "data": [1]}),
            json!({"code": 1801, "message": "can only accept json format request, error: json: cannot unmarshal number into Go struct field CollectionDataReq.data of type map[string]interface {}"}),
        ),
        (json!({"collectionName": "c"}), missing_required(&[required("CollectionDataReq", "Data")])),
        (
            json!({"collectionName": "nope", "data": [row(1, [1.0, 0.0])]}),
            json!({"code": 100, "message": "can't find collection[database=default][collection=nope]"}),
        ),
        (
            json!({"collectionName": "c", "partitionName": "nope", "data": [row(1, [1.0, 0.0])]}),
            json!({"code": 200, "message": "partition not found[partition=nope]"}),
        ),
    ];
    for (body, expected) in cases {
        let (_, answer) = app.post("/entities/insert", body.clone()).await;
        assert_eq!(answer, expected, "{body}");
    }
    assert_eq!(query_ids(&app, &[]).await, json!([]));
}

#[tokio::test]
async fn search_answers_id_and_distance_best_first_with_topks() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0]), row(3, [3.0, 0.0])])).await;

    let body = json!({"collectionName": "c", "data": [[1.0, 0.0]], "limit": 2});
    let answer = raw(&app, "/entities/search", body).await;

    // COSINE: rows 1 and 3 both score 1; the tie goes to the row inserted first.
    assert_eq!(answer, r#"{"code":0,"cost":0,"data":[{"distance":1,"id":1},{"distance":1,"id":3}],"topks":[2]}"#);
}

#[tokio::test]
async fn search_concatenates_the_hits_of_several_query_vectors() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [1.0, 0.0], "tag": "a"}, {"id": 2, "vector": [0.0, 1.0], "tag": "b"}]))
        .await;

    let body = json!({"collectionName": "c", "data": [[1.0, 0.0], [0.0, 1.0]], "limit": 1, "outputFields": ["tag"]});
    let (_, answer) = app.post("/entities/search", body).await;

    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": 1, "tag": "a"}, {"distance": 1, "id": 2, "tag": "b"}], "topks": [1, 1]})
    );
}

#[tokio::test]
async fn search_errors_follow_milvus_order_and_texts() {
    let app = spawn_app().await;
    quick(&app).await;
    let cases = [
        (
            json!({"collectionName": "c", "data": [[1.0, 0.0, 0.5]]}),
            json!({"code": 1801, "message": "can only accept json format request, error: dimension: 2, but length of []float: 3: invalid parameter[expected=FloatVector][actual=[1.0,0.0,0.5]]"}),
        ),
        (
            json!({"collectionName": "c", "data": [[1.0, 0.0]], "limit": 0}),
            json!({"code": 65535, "message": "topk [0] is invalid, it should be in range [1, 16384], but got 0"}),
        ),
        (
            json!({"collectionName": "c", "data": [[1.0, 0.0]], "limit": 16000, "offset": 1000}),
            json!({"code": 65535, "message": "offset+topk [17000] is invalid, it should be in range [1, 16384], but got 17000"}),
        ),
        (
            json!({"collectionName": "c", "data": [[1.0, 0.0]], "annsField": "nope"}),
            json!({"code": 1801, "message": "can only accept json format request, error: cannot find a vector field named: nope"}),
        ),
        (
            json!({"collectionName": "c", "data": [[1.0, 0.0]], "consistencyLevel": "strong"}),
            json!({"code": 1100, "message": "consistencyLevel can only be [Strong, Session, Bounded, Eventually, Customized], default: Bounded, err:parameter:'strong' is incorrect, please check it: invalid parameter"}),
        ),
        (
            json!({"collectionName": "nope", "data": [[1.0, 0.0]]}),
            json!({"code": 100, "message": "can't find collection[database=default][collection=nope]"}),
        ),
    ];
    for (body, expected) in cases {
        let (_, answer) = app.post("/entities/search", body.clone()).await;
        assert_eq!(answer, expected, "{body}");
    }
}

/// The release story of issue 14: two partitions, release one, then the other, then load again.
#[tokio::test]
async fn releasing_partitions_hides_their_rows_and_reloading_shows_them_again() {
    let app = spawn_app().await;
    quick(&app).await;
    app.create_partition("c", "p1").await;
    app.create_partition("c", "p2").await;
    insert(&app, "p1", json!([row(1, [1.0, 0.0])])).await;
    insert(&app, "p2", json!([row(2, [0.0, 1.0])])).await;
    let id = collection_id(&app.describe("c").await);
    let search =
        |partitions: Vec<&str>| json!({"collectionName": "c", "data": [[1.0, 1.0]], "partitionNames": partitions});
    assert_eq!(query_ids(&app, &[]).await, json!([1, 2]));

    app.ok("/partitions/release", json!({"collectionName": "c", "partitionNames": ["p1"]})).await;
    let p1_id = app.milvus.catalog().collection("default", "c", |c| c.partition("p1").unwrap().id).unwrap();
    let (_, named) = app.post("/entities/search", search(vec!["p1"])).await;
    let (_, unnamed) = app.post("/entities/search", search(vec![])).await;
    let (_, query_named) =
        app.post("/entities/query", json!({"collectionName": "c", "partitionNames": ["p1"], "limit": 5})).await;

    assert_eq!(
        named,
        json!({"code": 201, "message": format!("failed to search: partition not loaded[partition=[{p1_id}]]")})
    );
    assert_eq!(query_named["code"], 201);
    assert!(query_named["message"].as_str().unwrap().contains("partition not loaded"));
    assert_eq!(unnamed["data"].as_array().unwrap().iter().map(|r| r["id"].clone()).collect::<Vec<_>>(), [json!(2)]);
    assert_eq!(query_ids(&app, &[]).await, json!([2]));

    app.ok("/partitions/release", json!({"collectionName": "c", "partitionNames": ["_default", "p2"]})).await;
    let (_, released) = app.post("/entities/search", search(vec![])).await;
    let (_, query_released) = app.post("/entities/query", json!({"collectionName": "c", "limit": 5})).await;
    assert_eq!(
        released,
        json!({"code": 101, "message": format!("failed to search: collection not loaded[collection={id}]")})
    );
    assert_eq!(
        query_released,
        json!({"code": 101, "message": format!("failed to query: collection not loaded[collection={id}]")})
    );

    app.ok("/collections/load", json!({"collectionName": "c"})).await;
    assert_eq!(query_ids(&app, &[]).await, json!([1, 2]));
}

#[tokio::test]
async fn a_missing_partition_is_reported_before_the_load_state() {
    let app = spawn_app().await;
    quick(&app).await;
    app.ok("/collections/release", json!({"collectionName": "c"})).await;

    let (_, query) =
        app.post("/entities/query", json!({"collectionName": "c", "partitionNames": ["nope"], "limit": 1})).await;
    let (_, search) = app
        .post("/entities/search", json!({"collectionName": "c", "data": [[1.0, 0.0]], "partitionNames": ["nope"]}))
        .await;

    assert_eq!(query, json!({"code": 65535, "message": "partition name nope not found"}));
    assert_eq!(search, json!({"code": 65535, "message": "partition name nope not found"}));
}

#[tokio::test]
async fn writes_need_no_load_and_show_once_loaded() {
    let app = spawn_app().await;
    quick(&app).await;
    app.ok("/collections/release", json!({"collectionName": "c"})).await;

    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0])])).await;
    let (_, deleted) = app.post("/entities/delete", json!({"collectionName": "c", "filter": "id == 1"})).await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;

    assert_eq!(deleted, json!({"code": 0, "data": {"deleteCount": 1}}));
    assert_eq!(query_ids(&app, &[]).await, json!([2]));
}

#[tokio::test]
async fn get_stats_counts_flushed_rows_and_deletes_do_not_lower_it() {
    let app = spawn_app().await;
    quick(&app).await;
    let stats = || app.post("/collections/get_stats", json!({"collectionName": "c"}));
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0])])).await;
    let (_, before) = stats().await;

    app.ok("/collections/flush", json!({"collectionName": "c"})).await;
    let (_, flushed) = stats().await;
    app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [1]"})).await;
    let (_, after_delete) = stats().await;
    let (_, partition) =
        app.post("/partitions/get_stats", json!({"collectionName": "c", "partitionName": "_default"})).await;

    assert_eq!(before, json!({"code": 0, "data": {"rowCount": 0}}));
    assert_eq!(flushed, json!({"code": 0, "data": {"rowCount": 2}}));
    assert_eq!(after_delete, json!({"code": 0, "data": {"rowCount": 2}}));
    assert_eq!(partition, json!({"code": 0, "data": {"rowCount": 2}}));
}

#[tokio::test]
async fn live_row_counts_follow_inserts_and_deletes() {
    let app = spawn_with(MockMilvus::builder().live_row_counts(true)).await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0])])).await;
    app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [1]"})).await;

    let (_, stats) = app.post("/collections/get_stats", json!({"collectionName": "c"})).await;

    assert_eq!(stats, json!({"code": 0, "data": {"rowCount": 1}}));
}

#[tokio::test]
async fn upsert_replaces_the_row_with_the_same_key() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [1.0, 0.0], "v": "old"}, row(2, [0.0, 1.0])])).await;

    let answer = raw(
        &app,
        "/entities/upsert",
        json!({"collectionName": "c", "data": [{"id": 1, "vector": [1.0, 0.0], "v": "new"}]}),
    )
    .await;
    let (_, rows) =
        app.post("/entities/query", json!({"collectionName": "c", "filter": "id in [1]", "outputFields": ["v"]})).await;

    assert_eq!(answer, r#"{"code":0,"cost":0,"data":{"upsertCount":1,"upsertIds":[1]}}"#);
    assert_eq!(rows, json!({"code": 0, "cost": 0, "data": [{"id": 1, "v": "new"}]}));
}

#[tokio::test]
async fn int64_values_are_strings_when_the_client_cannot_take_them() {
    let app = spawn_app().await;
    quick(&app).await;
    let header = [("Accept-Type-Allow-Int64", "false")];

    let (_, inserted) = app
        .post_with_headers("/entities/insert", json!({"collectionName": "c", "data": [row(7, [1.0, 0.0])]}), &header)
        .await;
    let (_, found) = app
        .post_with_headers(
            "/entities/search",
            json!({"collectionName": "c", "data": [[1.0, 0.0]], "outputFields": ["id"]}),
            &header,
        )
        .await;

    assert_eq!(inserted, json!({"code": 0, "cost": 0, "data": {"insertCount": 1, "insertIds": ["7"]}}));
    assert_eq!(found, json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": "7"}], "topks": [1]}));
}

#[tokio::test]
async fn auto_id_collections_generate_large_increasing_keys_and_refuse_given_ones() {
    let app = spawn_app().await;
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 2, "autoId": true})).await;

    let answer = insert(&app, "", json!([{"vector": [1.0, 0.0]}, {"vector": [0.0, 1.0]}])).await;
    let (_, given) = app.post("/entities/insert", json!({"collectionName": "c", "data": [row(1, [1.0, 0.0])]})).await;

    let ids = answer["data"]["insertIds"].as_array().unwrap();
    let (first, second) = (ids[0].as_i64().unwrap(), ids[1].as_i64().unwrap());
    assert!(first > 1 << 50 && second == first + 1, "{answer}");
    assert_eq!(
        given,
        json!({"code": 1804, "message": "fail to deal the insert data, error: no need to pass pk field(id) when autoid==true in insert: invalid parameter"})
    );
}

#[tokio::test]
async fn varchar_keys_nullable_fields_defaults_and_json_fields_render_as_milvus_does() {
    let app = spawn_app().await;
    let fields = json!([
        {"fieldName": "pk", "dataType": "VarChar", "isPrimary": true, "elementTypeParams": {"max_length": 8}},
        {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
        {"fieldName": "age", "dataType": "Int32", "nullable": true},
        {"fieldName": "score", "dataType": "Float", "defaultValue": 0.5},
        {"fieldName": "meta", "dataType": "JSON"}
    ]);
    create_loaded(&app, fields, json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}])).await;
    let rows = json!([{"pk": "a", "vector": [1.0, 0.0], "age": 3, "score": 0.1, "meta": {"k": 1}}, {"pk": "b", "vector": [0.0, 2.0], "meta": {}}]);

    let (_, inserted) = app.post("/entities/insert", json!({"collectionName": "c", "data": rows})).await;
    let answer = raw(
        &app,
        "/entities/query",
        json!({"collectionName": "c", "filter": "pk in [\"a\", \"b\"]", "outputFields": ["*"]}),
    )
    .await;
    let (_, search) =
        app.post("/entities/search", json!({"collectionName": "c", "data": [[0.0, 0.0]], "limit": 5})).await;
    let (_, too_long) = app
        .post(
            "/entities/insert",
            json!({"collectionName": "c", "data": [{"pk": "123456789", "vector": [1.0, 0.0], "meta": {}}]}),
        )
        .await;

    assert_eq!(inserted, json!({"code": 0, "cost": 0, "data": {"insertCount": 2, "insertIds": ["a", "b"]}}));
    assert_eq!(
        answer,
        r#"{"code":0,"cost":0,"data":[{"age":3,"meta":"{\"k\":1}","pk":"a","score":0.1,"vector":[1,0]},{"age":null,"meta":"{}","pk":"b","score":0.5,"vector":[0,2]}]}"#
    );
    // L2 is squared: 1 and 4.
    assert_eq!(
        search,
        json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": "a"}, {"distance": 4, "id": "b"}], "topks": [2]})
    );
    assert_eq!(
        too_long,
        json!({"code": 1100, "message": "length of varchar field pk exceeds max length, row number: 0, length: 9, max length: 8: invalid parameter"})
    );
}

#[tokio::test]
async fn hybrid_search_merges_sub_searches_with_rrf() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0]), row(2, [0.0, 1.0])])).await;

    let body = json!({"collectionName": "c", "search": [
            {"data": [[1.0, 0.0]], "annsField": "vector", "limit": 2},
            {"data": [[0.0, 1.0]], "annsField": "vector", "limit": 1}],
        "rerank": {"strategy": "rrf", "params": {"k": 60}}, "limit": 2, "outputFields": ["id"]});
    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    // id 2: 1/62 + 1/61; id 1: 1/61.
    let score = |x: f32| milvus_mock::rows::render::f32_json(x);
    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": score(1.0 / 62.0 + 1.0 / 61.0), "id": 2},
            {"distance": score(1.0 / 61.0), "id": 1}], "topks": [2]})
    );
}

#[tokio::test]
async fn grouping_search_returns_the_best_hits_per_group() {
    let app = spawn_app().await;
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
        {"fieldName": "g", "dataType": "VarChar", "elementTypeParams": {"max_length": 8}}
    ]);
    create_loaded(&app, fields, json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}])).await;
    let rows = json!([
        {"id": 1, "vector": [1.0, 0.0], "g": "x"}, {"id": 2, "vector": [1.0, 1.0], "g": "x"},
        {"id": 3, "vector": [0.0, 2.0], "g": "y"}
    ]);
    insert(&app, "", rows).await;
    let search = |size: i64, field: &str| json!({"collectionName": "c", "data": [[1.0, 0.0]], "limit": 5, "groupingField": field, "groupSize": size});

    let (_, one) = app.post("/entities/search", search(1, "g")).await;
    let (_, two) = app.post("/entities/search", search(2, "g")).await;
    let (_, unknown) = app.post("/entities/search", search(1, "nope")).await;

    let ids = |answer: &Value| answer["data"].as_array().unwrap().iter().map(|h| h["id"].clone()).collect::<Vec<_>>();
    assert_eq!((ids(&one), &one["topks"]), (vec![json!(1), json!(3)], &json!([2])));
    assert_eq!(ids(&two), [json!(1), json!(2), json!(3)]);
    assert_eq!(
        unknown,
        json!({"code": 1700, "message": "groupBy field not found in schema: field not found[field=nope]"})
    );
}

#[tokio::test]
async fn dropping_a_partition_drops_its_rows() {
    let app = spawn_app().await;
    quick(&app).await;
    app.create_partition("c", "p1").await;
    insert(&app, "p1", json!([row(1, [1.0, 0.0])])).await;
    app.ok("/partitions/release", json!({"collectionName": "c", "partitionNames": ["p1"]})).await;

    app.ok("/partitions/drop", json!({"collectionName": "c", "partitionName": "p1"})).await;
    app.create_partition("c", "p1").await;

    assert_eq!(query_ids(&app, &[]).await, json!([]));
}

#[test]
fn rows_go_in_and_out_through_the_rust_api() {
    let milvus = MockMilvus::start_blocking();
    let catalog = milvus.catalog();
    catalog.quick_setup("default", "c", 2).unwrap();

    let keys =
        catalog.insert_rows("default", "c", "", vec![json!({"id": 5, "vector": [0.5, 0.5], "k": true})]).unwrap();
    let rows = catalog.query_rows("default", "c", milvus_mock::catalog::QueryRequest::default()).unwrap();

    assert_eq!(keys, [milvus_mock::rows::Key::Int(5)]);
    assert_eq!(rows, [json!({"id": 5, "k": true, "vector": [0.5, 0.5]})]);
}

#[tokio::test]
async fn delete_by_any_other_filter_reads_first_so_it_needs_a_load() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [1.0, 0.0], "age": 10}, {"id": 2, "vector": [0.0, 1.0], "age": 30}]))
        .await;
    let id = collection_id(&app.describe("c").await);

    let (_, deleted) = app.post("/entities/delete", json!({"collectionName": "c", "filter": "age > 20"})).await;
    app.ok("/collections/release", json!({"collectionName": "c"})).await;
    let (_, unloaded) = app.post("/entities/delete", json!({"collectionName": "c", "filter": "age > 5"})).await;
    let (_, always) = app.post("/entities/delete", json!({"collectionName": "c", "filter": " "})).await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;

    assert_eq!(deleted, json!({"code": 0, "data": {"deleteCount": 1}}));
    assert_eq!(
        unloaded,
        json!({"code": 101, "message": format!("failed to query: collection not loaded[collection={id}]")})
    );
    assert_eq!(
        always,
        json!({"code": 1100, "message": "delete plan can't be empty or always true :  : invalid parameter"})
    );
    assert_eq!(query_ids(&app, &[]).await, json!([1]));
}

#[tokio::test]
async fn filters_read_scalar_fields_dynamic_keys_and_templates() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(
        &app,
        "",
        json!([
            {"id": 1, "vector": [1.0, 0.0], "color": "red", "n": 1},
            {"id": 2, "vector": [0.0, 1.0], "color": "blue", "n": 2},
            {"id": 3, "vector": [1.0, 1.0], "n": 3}
        ]),
    )
    .await;
    let ids = |filter: &str, params: Value| json!({"collectionName": "c", "filter": filter, "exprParams": params, "outputFields": ["id"]});

    let (_, like) = app.post("/entities/query", ids("color like \"r%\" or n >= 3", json!(null))).await;
    let (_, template) = app.post("/entities/query", ids("id in {ids}", json!({"ids": [2, 3]}))).await;
    assert_eq!(like["data"], json!([{"id": 1}, {"id": 3}]));
    assert_eq!(template["data"], json!([{"id": 2}, {"id": 3}]));
    let search = json!({"collectionName": "c", "data": [[1.0, 0.0]], "filter": "n > 1", "outputFields": ["n"]});
    let (_, found) = app.post("/entities/search", search).await;
    assert_eq!(
        found["data"].as_array().unwrap().iter().map(|h| h["id"].clone()).collect::<Vec<_>>(),
        [json!(3), json!(2)]
    );
}

#[tokio::test]
async fn a_bad_filter_is_milvus_1100() {
    let app = spawn_app().await;
    app.ok("/collections/create", custom_schema("c")).await;
    app.ok(
        "/indexes/create",
        json!({"collectionName": "c", "indexParams": [{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}]}),
    )
    .await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;

    let (_, query) = app.post("/entities/query", json!({"collectionName": "c", "filter": "size > 1"})).await;

    assert_eq!(
        query,
        json!({"code": 1100, "message": "failed to create query plan: cannot parse expression: size > 1, error: field size not exist: invalid parameter"})
    );
}

#[tokio::test]
async fn a_load_in_progress_answers_103() {
    let app = spawn_with(MockMilvus::builder().load_duration(std::time::Duration::from_secs(60))).await;
    quick(&app).await;
    let id = collection_id(&app.describe("c").await);

    let (_, search) = app.post("/entities/search", json!({"collectionName": "c", "data": [[1.0, 0.0]]})).await;

    assert_eq!(
        search,
        json!({"code": 103, "message": format!("failed to search: collection not fully loaded[collection={id}]")})
    );
}

/// A fixture with a quick-setup collection `c` holding rows in `_default`.
fn fixture_with_rows() -> milvus_mock::fixtures::Fixture {
    milvus_mock::fixtures::Fixture::new(
        "rows",
        json!({"databases": [{"name": "default", "collections": [
            {"collectionName": "c", "dimension": 2, "rows": {"_default": [
                {"id": 1, "vector": [1.0, 0.0], "tag": "a"}, {"id": 2, "vector": [0.0, 1.0]}
            ]}}
        ]}]}),
    )
}

#[tokio::test]
async fn fixture_rows_are_stored_flushed_and_come_back_on_reset() {
    let app = spawn_with(MockMilvus::builder().fixture(fixture_with_rows())).await;
    insert(&app, "", json!([row(3, [1.0, 1.0])])).await;
    assert_eq!(query_ids(&app, &[]).await, json!([1, 2, 3]));

    app.send(reqwest::Method::POST, "/_mock/reset", "", &[]).await;
    let (_, stats) = app.post("/collections/get_stats", json!({"collectionName": "c"})).await;

    assert_eq!(query_ids(&app, &[]).await, json!([1, 2]));
    assert_eq!(stats, json!({"code": 0, "data": {"rowCount": 2}}));
}

#[tokio::test]
async fn the_state_dump_carries_rows_unless_asked_not_to_and_restores_them() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [1.0, 0.0], "tag": "a"}, row(2, [0.0, 1.0])])).await;
    app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [2]"})).await;

    let dump = app.send(reqwest::Method::GET, "/_mock/state", "", &[]).await.body;
    let without = app.send(reqwest::Method::GET, "/_mock/state?rows=false", "", &[]).await.body;
    let dump: Value = serde_json::from_str(&dump).unwrap();
    let without: Value = serde_json::from_str(&without).unwrap();
    app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [1]"})).await;
    let put = app.send(reqwest::Method::PUT, "/_mock/state", dump.to_string(), &[]).await;

    let collection = &dump["databases"][0]["collections"][0];
    assert_eq!(collection["rows"], json!({"_default": [{"id": 1, "tag": "a", "vector": [1.0, 0.0]}]}));
    assert!(without["databases"][0]["collections"][0].get("rows").is_none());
    assert_eq!(put.status, reqwest::StatusCode::OK);
    assert_eq!(query_ids(&app, &[]).await, json!([1]));
}

#[tokio::test]
async fn a_partial_upsert_keeps_the_fields_it_does_not_give_and_needs_a_load() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, "", json!([{"id": 1, "vector": [1.0, 0.0], "a": "kept", "b": 1}])).await;
    let id = collection_id(&app.describe("c").await);

    let partial = json!({"collectionName": "c", "partialUpdate": true, "data": [{"id": 1, "b": 2}]});
    let (_, answer) = app.post("/entities/upsert", partial.clone()).await;
    let (_, rows) = app.post("/entities/query", json!({"collectionName": "c", "filter": "id == 1"})).await;
    app.ok("/collections/release", json!({"collectionName": "c"})).await;
    let (_, unloaded) = app.post("/entities/upsert", partial).await;

    assert_eq!(answer, json!({"code": 0, "cost": 0, "data": {"upsertCount": 1, "upsertIds": [1]}}));
    assert_eq!(rows["data"], json!([{"a": "kept", "b": 2, "id": 1, "vector": [1, 0]}]));
    assert_eq!(
        unloaded,
        json!({"code": 101, "message": format!("failed to query: collection not loaded[collection={id}]")})
    );
}

#[tokio::test]
async fn milvus_2_5_has_no_topks_and_words_the_empty_query_plainly() {
    let app = spawn_with(MockMilvus::builder().milvus_version(milvus_mock::MilvusVersion::V2_5)).await;
    quick(&app).await;
    insert(&app, "", json!([row(1, [1.0, 0.0])])).await;

    let (_, search) = app.post("/entities/search", json!({"collectionName": "c", "data": [[1.0, 0.0]]})).await;
    let (_, query) = app.post("/entities/query", json!({"collectionName": "c", "limit": 0})).await;
    let flush = app.post_raw("/collections/flush", json!({"collectionName": "c"}).to_string(), &[]).await;

    assert_eq!(search, json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": 1}]}));
    assert_eq!(query, json!({"code": 65535, "message": "empty expression should be used with limit"}));
    assert_eq!((flush.status, flush.body.as_str()), (reqwest::StatusCode::NOT_FOUND, "404 page not found"));
}

#[tokio::test]
async fn a_partition_key_routes_rows_into_the_collections_partitions() {
    let app = spawn_app().await;
    let schema = json!({
        "collectionName": "c",
        "schema": {"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
            {"fieldName": "tenant", "dataType": "Int64", "isPartitionKey": true}
        ]},
        "params": {"partitionsNum": 4},
        "indexParams": [{"fieldName": "vector", "indexName": "vector", "metricType": "L2"}]
    });
    app.ok("/collections/create", schema).await;
    app.ok("/collections/load", json!({"collectionName": "c"})).await;
    let rows: Vec<Value> = (0..40).map(|i| json!({"id": i, "vector": [1.0, 0.0], "tenant": i % 8})).collect();
    insert(&app, "", json!(rows)).await;
    app.ok("/collections/flush", json!({"collectionName": "c"})).await;

    let (_, named) = app
        .post("/entities/insert", json!({"collectionName": "c", "partitionName": "_default_0", "data": [rows[0]]}))
        .await;
    let mut counts = Vec::new();
    for p in 0..4 {
        let body = json!({"collectionName": "c", "partitionName": format!("_default_{p}")});
        counts.push(app.post("/partitions/get_stats", body).await.1["data"]["rowCount"].as_i64().unwrap());
    }

    assert_eq!(counts.iter().sum::<i64>(), 40);
    assert!(counts.iter().filter(|&&n| n > 0).count() > 1, "{counts:?}");
    assert_eq!(
        named,
        json!({"code": 1100, "message": "not support manually specifying the partition names if partition key mode is used"})
    );
}

#[tokio::test]
async fn binary_and_sparse_vectors_store_render_and_search() {
    let app = spawn_app().await;
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "bits", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}},
        {"fieldName": "sparse", "dataType": "SparseFloatVector"}
    ]);
    create_loaded(
        &app,
        fields,
        json!([
            {"fieldName": "bits", "indexName": "bits", "indexType": "BIN_FLAT", "metricType": "HAMMING"},
            {"fieldName": "sparse", "indexName": "sparse", "indexType": "SPARSE_INVERTED_INDEX", "metricType": "IP"}
        ]),
    )
    .await;
    let rows = json!([
        {"id": 1, "bits": [255, 0], "sparse": {"1": 0.5, "7": 1.0}},
        {"id": 2, "bits": [0, 0], "sparse": {"indices": [1], "values": [2.0]}}
    ]);
    insert(&app, "", rows).await;

    let stored = raw(&app, "/entities/query", json!({"collectionName": "c", "filter": "id == 1"})).await;
    let (_, hamming) =
        app.post("/entities/search", json!({"collectionName": "c", "annsField": "bits", "data": [[255, 0]]})).await;
    let (_, ip) =
        app.post("/entities/search", json!({"collectionName": "c", "annsField": "sparse", "data": [{"1": 2.0}]})).await;

    assert_eq!(stored, r#"{"code":0,"cost":0,"data":[{"bits":"/wA=","id":1,"sparse":{"1":0.5,"7":1}}]}"#);
    assert_eq!(hamming["data"], json!([{"distance": 0, "id": 1}, {"distance": 8, "id": 2}]));
    assert_eq!(ip["data"], json!([{"distance": 4, "id": 2}, {"distance": 1, "id": 1}]));
}

#[tokio::test]
async fn weighted_hybrid_search_and_array_fields() {
    let app = spawn_app().await;
    let fields = json!([
        {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
        {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}},
        {"fieldName": "tags", "dataType": "Array", "elementDataType": "Int64", "elementTypeParams": {"max_capacity": 4}}
    ]);
    create_loaded(&app, fields, json!([{"fieldName": "vector", "indexName": "vector", "metricType": "IP"}])).await;
    insert(
        &app,
        "",
        json!([{"id": 1, "vector": [1.0, 0.0], "tags": [1, 2]}, {"id": 2, "vector": [0.0, 1.0], "tags": []}]),
    )
    .await;

    let body = json!({"collectionName": "c", "search": [
            {"data": [[1.0, 0.0]], "annsField": "vector", "limit": 2},
            {"data": [[0.0, 2.0]], "annsField": "vector", "limit": 2}],
        "rerank": {"strategy": "weighted", "params": {"weights": [1.0, 0.5]}}, "limit": 2, "outputFields": ["tags"]});
    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    // IP, no normalisation: id 1 scores 1·1 + 0.5·0, id 2 scores 1·0 + 0.5·2; equal scores, smaller key first.
    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [{"distance": 1, "id": 1, "tags": [1, 2]}, {"distance": 1, "id": 2, "tags": []}], "topks": [2]})
    );
}

//! The data-plane RPCs (`Insert`, `Upsert`, `Delete`, `Query`, `Search`, `Flush`) as pymilvus sends them: columnar
//! `FieldData` in, `MutationResult`, `QueryResults` and `SearchResults` out, the errors as the gRPC proxy words
//! them (the load gate's are the same over REST), filter templates, and rows shared with REST.

use milvus::proto::common::{KeyValuePair, PlaceholderGroup, PlaceholderType, PlaceholderValue};
use milvus::proto::milvus as pb;
use milvus::proto::schema::{
    DataType, FieldData, FloatArray, IDs, JsonArray, LongArray, ScalarField, SearchResultData, TemplateArrayValue,
    TemplateValue, VectorField, field_data, i_ds, scalar_field, template_array_value, template_value, vector_field,
};
use milvus_mock::MockMilvus;
use prost::Message;
use serde_json::json;

use crate::support::*;

/// The rows the tests insert: `id`, a 4-dimensional `vector`, and a dynamic `color`.
const ROWS: [(i64, [f32; 4], &str); 3] =
    [(1, [1.0, 0.0, 0.0, 0.0], "red"), (2, [0.0, 1.0, 0.0, 0.0], "green"), (3, [0.6, 0.8, 0.0, 0.0], "blue")];

fn long_column(name: &str, data: Vec<i64>) -> FieldData {
    FieldData {
        r#type: DataType::Int64 as i32,
        field_name: name.into(),
        field: Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::LongData(LongArray { data })),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn vector_column(vectors: &[[f32; 4]]) -> FieldData {
    FieldData {
        r#type: DataType::FloatVector as i32,
        field_name: "vector".into(),
        field: Some(field_data::Field::Vectors(VectorField {
            dim: 4,
            data: Some(vector_field::Data::FloatVector(FloatArray { data: vectors.concat() })),
            ..Default::default()
        })),
        ..Default::default()
    }
}

fn meta_column(objects: &[serde_json::Value]) -> FieldData {
    FieldData {
        r#type: DataType::Json as i32,
        field_name: "$meta".into(),
        is_dynamic: true,
        field: Some(field_data::Field::Scalars(ScalarField {
            data: Some(scalar_field::Data::JsonData(JsonArray {
                data: objects.iter().map(|o| o.to_string().into_bytes()).collect(),
            })),
            ..Default::default()
        })),
        ..Default::default()
    }
}

/// `Insert` of [`ROWS`] as pymilvus builds it: one column per field, the dynamic keys in `$meta`.
fn insert_rows(collection: &str) -> pb::InsertRequest {
    pb::InsertRequest {
        collection_name: collection.into(),
        fields_data: vec![
            long_column("id", ROWS.iter().map(|r| r.0).collect()),
            vector_column(&ROWS.iter().map(|r| r.1).collect::<Vec<_>>()),
            meta_column(&ROWS.iter().map(|r| json!({"color": r.2})).collect::<Vec<_>>()),
        ],
        num_rows: 3,
        ..Default::default()
    }
}

fn int_ids(ids: Vec<i64>) -> Option<IDs> {
    Some(IDs { id_field: Some(i_ds::IdField::IntId(LongArray { data: ids })) })
}

/// A loaded, indexed (COSINE) collection holding [`ROWS`].
async fn loaded_with_rows(client: &mut Client, name: &str) {
    indexed_collection(client, name).await;
    let load = pb::LoadCollectionRequest { collection_name: name.into(), ..Default::default() };
    assert_eq!(client.load_collection(load).await.unwrap().into_inner(), success());
    let inserted = client.insert(insert_rows(name)).await.unwrap().into_inner();
    assert_eq!(inserted.status, Some(success()));
}

fn query(collection: &str, expr: &str, output_fields: &[&str]) -> pb::QueryRequest {
    pb::QueryRequest {
        collection_name: collection.into(),
        expr: expr.into(),
        output_fields: output_fields.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

fn search(collection: &str, vector: [f32; 4], topk: i64) -> pb::SearchRequest {
    search_many(collection, &[vector], topk)
}

/// A search with one query per vector (nq = `vectors.len()`).
fn search_many(collection: &str, vectors: &[[f32; 4]], topk: i64) -> pb::SearchRequest {
    let placeholder = PlaceholderGroup {
        placeholders: vec![PlaceholderValue {
            tag: "$0".into(),
            r#type: PlaceholderType::FloatVector as i32,
            values: vectors.iter().map(|v| v.iter().flat_map(|f| f.to_le_bytes()).collect()).collect(),
            ..Default::default()
        }],
    };
    let pair = |key: &str, value: &str| KeyValuePair { key: key.into(), value: value.into() };
    pb::SearchRequest {
        collection_name: collection.into(),
        search_input: Some(pb::search_request::SearchInput::PlaceholderGroup(placeholder.encode_to_vec())),
        search_params: vec![
            pair("anns_field", "vector"),
            pair("topk", &topk.to_string()),
            pair("metric_type", "COSINE"),
            pair("params", "{}"),
            pair("round_decimal", "4"),
        ],
        nq: vectors.len() as i64,
        ..Default::default()
    }
}

#[tokio::test]
async fn insert_answers_the_keys_and_query_reads_them_back_by_column() {
    let (_milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    let load = pb::LoadCollectionRequest { collection_name: "c".into(), ..Default::default() };
    client.load_collection(load).await.unwrap();

    let mut inserted = client.insert(insert_rows("c")).await.unwrap().into_inner();
    assert!(inserted.timestamp > 0);
    inserted.timestamp = 0;
    let expected = pb::MutationResult {
        status: Some(success()),
        i_ds: int_ids(vec![1, 2, 3]),
        succ_index: vec![0, 1, 2],
        insert_cnt: 3,
        ..Default::default()
    };
    assert_eq!(inserted, expected);

    let got = client.query(query("c", "id in [1, 3]", &["*"])).await.unwrap().into_inner();
    let mut id = long_column("id", vec![1, 3]);
    id.field_id = 100;
    let mut vector = vector_column(&[ROWS[0].1, ROWS[2].1]);
    vector.field_id = 101;
    let expected = pb::QueryResults {
        status: Some(success()),
        fields_data: vec![id, vector, meta_column(&[json!({"color": "red"}), json!({"color": "blue"})])],
        collection_name: "c".into(),
        output_fields: vec!["id".into(), "vector".into(), "$meta".into()],
        primary_field_name: "id".into(),
        ..Default::default()
    };
    assert_eq!(got, expected);

    // No output fields: the primary key only. A dynamic key by name: `$meta` holds just that key.
    let keys = client.query(query("c", "color == \"green\"", &[])).await.unwrap().into_inner();
    assert_eq!(keys.output_fields, ["id"]);
    assert_eq!(keys.fields_data.len(), 1);
    let color = client.query(query("c", "id == 2", &["color"])).await.unwrap().into_inner();
    assert_eq!(color.output_fields, ["id", "color"]);
    assert_eq!(color.fields_data[1], meta_column(&[json!({"color": "green"})]));

    let counted = client.query(query("c", "", &["count(*)"])).await.unwrap().into_inner();
    assert_eq!(counted.fields_data, [long_column("count(*)", vec![3])]);
    assert_eq!(counted.output_fields, ["count(*)"]);
}

#[tokio::test]
async fn query_rules_are_rest_s_and_limit_and_offset_come_from_query_params() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let over_grpc = client.query(query("c", "", &["id"])).await.unwrap().into_inner();
    let over_rest = rest(&milvus, "entities/query", json!({"collectionName": "c", "filter": "", "limit": 0})).await;
    assert_eq!(
        over_grpc.status,
        Some(failure(1100, 5, "empty expression should be used with limit: invalid parameter"))
    );
    assert_eq!(
        over_rest,
        json!({"code": 1100, "message": "empty expression should be used with limit: invalid parameter"})
    );

    let mut paged = query("c", "", &["id"]);
    paged.query_params = vec![
        KeyValuePair { key: "limit".into(), value: "1".into() },
        KeyValuePair { key: "offset".into(), value: "1".into() },
    ];
    let page = client.query(paged).await.unwrap().into_inner();
    let mut id = long_column("id", vec![2]);
    id.field_id = 100;
    assert_eq!(page.fields_data, [id]);
}

#[tokio::test]
async fn search_answers_ids_scores_topks_and_output_fields() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let mut request = search("c", [1.0, 0.0, 0.0, 0.0], 2);
    request.output_fields = vec!["color".into()];
    let got = client.search(request).await.unwrap().into_inner();
    let expected = pb::SearchResults {
        status: Some(success()),
        results: Some(SearchResultData {
            num_queries: 1,
            top_k: 2,
            fields_data: vec![meta_column(&[json!({"color": "red"}), json!({"color": "blue"})])],
            scores: vec![1.0, 0.6],
            ids: int_ids(vec![1, 3]),
            topks: vec![2],
            output_fields: vec!["color".into()],
            primary_field_name: "id".into(),
            ..Default::default()
        }),
        collection_name: "c".into(),
        ..Default::default()
    };
    assert_eq!(got, expected);

    // The filter is `dsl`.
    let mut filtered = search("c", [1.0, 0.0, 0.0, 0.0], 3);
    filtered.dsl = "id > 1".into();
    let hits = client.search(filtered).await.unwrap().into_inner().results.unwrap();
    assert_eq!((hits.ids, hits.scores, hits.topks), (int_ids(vec![3, 2]), vec![0.6, 0.0], vec![2]));
}

#[tokio::test]
async fn delete_upsert_and_flush_change_what_reads_and_stats_see() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let stats = |client: &mut Client| {
        let mut client = client.clone();
        async move {
            let request = pb::GetCollectionStatisticsRequest { collection_name: "c".into(), ..Default::default() };
            client.get_collection_statistics(request).await.unwrap().into_inner().stats
        }
    };
    let row_count = |n: &str| vec![KeyValuePair { key: "row_count".into(), value: n.into() }];
    assert_eq!(stats(&mut client).await, row_count("0"));
    let flush = pb::FlushRequest { collection_names: vec!["c".into()], ..Default::default() };
    let flushed = client.flush(flush).await.unwrap().into_inner();
    assert_eq!((flushed.status, flushed.db_name.as_str()), (Some(success()), "default"));
    assert_eq!(flushed.coll_seg_i_ds.get("c"), Some(&LongArray::default()));
    assert!(flushed.coll_flush_ts["c"] > 0);
    assert_eq!(stats(&mut client).await, row_count("3"));

    // A key list counts the keys listed (9 is not there); `IDs` is an empty message, as Milvus answers a delete.
    let delete = pb::DeleteRequest { collection_name: "c".into(), expr: "id in [1, 9]".into(), ..Default::default() };
    let mut deleted = client.delete(delete).await.unwrap().into_inner();
    assert!(deleted.timestamp > 0);
    deleted.timestamp = 0;
    let no_ids = Some(IDs { id_field: None });
    let expected = pb::MutationResult { status: Some(success()), i_ds: no_ids, delete_cnt: 2, ..Default::default() };
    assert_eq!(deleted, expected);

    let upsert = pb::UpsertRequest {
        collection_name: "c".into(),
        fields_data: vec![long_column("id", vec![2]), vector_column(&[[0.0, 0.0, 1.0, 0.0]])],
        num_rows: 1,
        ..Default::default()
    };
    let upserted = client.upsert(upsert).await.unwrap().into_inner();
    assert_eq!((upserted.upsert_cnt, upserted.i_ds, upserted.succ_index), (1, int_ids(vec![2]), vec![0]));

    let rows = client.query(query("c", "id >= 0", &["vector"])).await.unwrap().into_inner();
    let mut vector = vector_column(&[ROWS[2].1, [0.0, 0.0, 1.0, 0.0]]);
    vector.field_id = 101;
    let mut id = long_column("id", vec![3, 2]);
    id.field_id = 100;
    assert_eq!(rows.fields_data, [id, vector]);
}

/// The same read over both wires after a release: the same code and text.
async fn same_failure(milvus: &MockMilvus, client: &mut Client, code: i32, legacy: i32) {
    let over_rest = rest(milvus, "entities/query", json!({"collectionName": "c", "filter": "id > 0"})).await;
    let reason = over_rest["message"].as_str().unwrap().to_string();
    assert_eq!(over_rest["code"], code, "{over_rest}");
    let queried = client.query(query("c", "id > 0", &["id"])).await.unwrap().into_inner();
    assert_eq!(queried.status, Some(failure(code, legacy, &reason)));
    let searched = client.search(search("c", [1.0, 0.0, 0.0, 0.0], 1)).await.unwrap().into_inner();
    let searched_rest = rest(milvus, "entities/search", json!({"collectionName": "c", "data": [[1.0, 0.0, 0.0, 0.0]]}));
    let searched_rest = searched_rest.await;
    assert_eq!(searched.status, Some(failure(code, legacy, searched_rest["message"].as_str().unwrap())));
    assert_eq!(searched_rest["code"], code);
    assert_eq!(searched.results, None);
}

#[tokio::test]
async fn reads_of_a_released_collection_or_partition_fail_as_over_rest() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let release = pb::ReleasePartitionsRequest {
        collection_name: "c".into(),
        partition_names: vec!["_default".into()],
        ..Default::default()
    };
    assert_eq!(client.release_partitions(release).await.unwrap().into_inner(), success());
    same_failure(&milvus, &mut client, 101, 1).await;

    let mut named = query("c", "id > 0", &["id"]);
    named.partition_names = vec!["missing".into()];
    let missing = client.query(named).await.unwrap().into_inner();
    assert_eq!(missing.status, Some(failure(65535, 1, "partition name missing not found")));

    // A write needs no load.
    assert_eq!(client.insert(insert_rows("c")).await.unwrap().into_inner().insert_cnt, 3);
}

/// A filter delete on `c`.
fn delete(collection: &str, expr: &str) -> pb::DeleteRequest {
    pb::DeleteRequest { collection_name: collection.into(), expr: expr.into(), ..Default::default() }
}

#[tokio::test]
async fn a_missing_collection_is_worded_as_the_proxy_words_it_not_as_rest_s_pre_fetch() {
    let (milvus, mut client) = start().await;
    let over_rest = rest(&milvus, "entities/insert", json!({"collectionName": "nope", "data": [{"id": 1}]})).await;
    assert_eq!(over_rest, json!({"code": 100, "message": "can't find collection[database=default][collection=nope]"}));
    let missing = Some(failure(100, 4, "collection not found[database=default][collection=nope]"));
    assert_eq!(client.insert(insert_rows("nope")).await.unwrap().into_inner().status, missing);
    let upsert = insert_rows("nope").into_upsert();
    assert_eq!(client.upsert(upsert).await.unwrap().into_inner().status, missing);
    assert_eq!(client.delete(delete("nope", "id in [1]")).await.unwrap().into_inner().status, missing);
    assert_eq!(client.query(query("nope", "id > 0", &[])).await.unwrap().into_inner().status, missing);
    assert_eq!(client.search(search("nope", [1.0, 0.0, 0.0, 0.0], 1)).await.unwrap().into_inner().status, missing);
    let flush = pb::FlushRequest { collection_names: vec!["nope".into()], ..Default::default() };
    assert_eq!(client.flush(flush).await.unwrap().into_inner().status, missing);
    assert!(milvus.catalog().list_collections("default").unwrap().is_empty());
}

/// An insert's columns turned into an upsert's.
trait IntoUpsert {
    fn into_upsert(self) -> pb::UpsertRequest;
}

impl IntoUpsert for pb::InsertRequest {
    fn into_upsert(self) -> pb::UpsertRequest {
        pb::UpsertRequest {
            collection_name: self.collection_name,
            fields_data: self.fields_data,
            num_rows: self.num_rows,
            ..Default::default()
        }
    }
}

#[tokio::test]
async fn rows_inserted_over_one_wire_are_read_over_the_other() {
    let (milvus, mut client) = start().await;
    let created = rest(&milvus, "collections/create", json!({"collectionName": "c", "dimension": 4})).await;
    assert_eq!(created["code"], 0);
    let body = json!({"collectionName": "c", "data": [{"id": 7, "vector": [0.0, 1.0, 0.0, 0.0], "tag": "rest"}]});
    assert_eq!(rest(&milvus, "entities/insert", body).await["data"]["insertCount"], 1);
    let hits = client.search(search("c", [0.0, 1.0, 0.0, 0.0], 5)).await.unwrap().into_inner().results.unwrap();
    assert_eq!((hits.ids, hits.scores), (int_ids(vec![7]), vec![1.0]));

    let mut over_grpc = insert_rows("c");
    over_grpc.fields_data[0] = long_column("id", vec![11, 12, 13]);
    client.insert(over_grpc).await.unwrap();
    let read = rest(
        &milvus,
        "entities/query",
        json!({"collectionName": "c", "filter": "id > 10", "outputFields": ["color", "vector"]}),
    )
    .await;
    let expected = json!({"code": 0, "cost": 0, "data": [
        {"id": 11, "color": "red", "vector": [1, 0, 0, 0]},
        {"id": 12, "color": "green", "vector": [0, 1, 0, 0]},
        {"id": 13, "color": "blue", "vector": [0.6, 0.8, 0, 0]},
    ]});
    assert_eq!(read, expected);
}

/// [`insert_rows`] with its `vector` column replaced by `floats` of `dim`.
fn with_vectors(dim: i64, floats: Vec<f32>) -> pb::InsertRequest {
    let mut insert = insert_rows("c");
    insert.fields_data[1] = FieldData {
        field: Some(field_data::Field::Vectors(VectorField {
            dim,
            data: Some(vector_field::Data::FloatVector(FloatArray { data: floats })),
            ..Default::default()
        })),
        ..insert.fields_data[1].clone()
    };
    insert
}

#[tokio::test]
async fn columns_are_checked_as_the_proxy_checks_them_not_as_rest_converts_rows() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let refused = |request: pb::InsertRequest| {
        let mut client = client.clone();
        async move { client.insert(request).await.unwrap().into_inner() }
    };
    let mut short = insert_rows("c");
    short.num_rows = 4;
    let reason =
        "the num_rows (3) of field (id) is not equal to passed num_rows (4): invalid parameter[expected=4][actual=3]";
    let expected = pb::MutationResult { status: Some(failure(1100, 5, reason)), ..Default::default() };
    assert_eq!(refused(short).await, expected);

    // REST answers a short vector with its row conversion's 1804; the proxy compares the column with `dim`.
    let body = json!({"collectionName": "c", "data": [{"id": 1, "vector": [0.5, 0.5, 0.5]}]});
    let over_rest = rest(&milvus, "entities/insert", body).await;
    assert_eq!(over_rest["code"], 1804);
    let ragged = refused(with_vectors(3, vec![0.5; 9])).await;
    assert_eq!(ragged.status, Some(failure(65535, 1, "the length(9) of float data should divide the dim(4)")));
    let mut narrow = with_vectors(3, vec![0.5; 12]);
    narrow.fields_data[0] = long_column("id", vec![1, 2, 3, 4]);
    narrow.fields_data[2] = meta_column(&[json!({}), json!({}), json!({}), json!({})]);
    narrow.num_rows = 4;
    let reason =
        "the dim (3) of field data(vector) is not equal to schema dim (4): invalid parameter[expected=4][actual=3]";
    assert_eq!(refused(narrow).await.status, Some(failure(1100, 5, reason)));

    let mut no_vector = insert_rows("c");
    no_vector.fields_data.remove(1);
    let reason = "fieldSchema(vector) has no corresponding fieldData pass in: invalid parameter";
    assert_eq!(refused(no_vector).await.status, Some(failure(1100, 5, reason)));
    let mut twice = insert_rows("c");
    twice.fields_data.push(long_column("id", vec![4, 5, 6]));
    assert_eq!(refused(twice).await.status, Some(failure(1100, 5, "duplicated field id found: invalid parameter")));
    let mut stranger = insert_rows("c");
    stranger.fields_data.push(long_column("age", vec![4, 5, 6]));
    let reason = "fieldName age not exist in collection schema, fieldType Int64, fieldId 0: invalid parameter";
    assert_eq!(refused(stranger).await.status, Some(failure(1100, 5, reason)));

    // Nothing refused was written: the three rows of the setup only.
    let counted = client.query(query("c", "", &["count(*)"])).await.unwrap().into_inner();
    assert_eq!(counted.fields_data, [long_column("count(*)", vec![3])]);
}

/// `expr_template_values` of (name, value) pairs.
fn templates(pairs: Vec<(&str, template_value::Val)>) -> std::collections::HashMap<String, TemplateValue> {
    pairs.into_iter().map(|(name, val)| (name.to_string(), TemplateValue { val: Some(val) })).collect()
}

fn long_list(data: Vec<i64>) -> template_value::Val {
    template_value::Val::ArrayVal(TemplateArrayValue {
        data: Some(template_array_value::Data::LongData(LongArray { data })),
    })
}

#[tokio::test]
async fn filter_templates_fill_query_search_and_delete_filters() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let mut templated = query("c", "id in {ids} and color != {color}", &["color"]);
    let color = template_value::Val::StringVal("red".into());
    templated.expr_template_values = templates(vec![("ids", long_list(vec![1, 2, 3])), ("color", color)]);
    let got = client.query(templated).await.unwrap().into_inner();
    let mut id = long_column("id", vec![2, 3]);
    id.field_id = 100;
    assert_eq!(got.status, Some(success()));
    assert_eq!(got.fields_data, [id, meta_column(&[json!({"color": "green"}), json!({"color": "blue"})])]);

    let mut filtered = search("c", [1.0, 0.0, 0.0, 0.0], 3);
    filtered.dsl = "id >= {low}".into();
    filtered.expr_template_values = templates(vec![("low", template_value::Val::Int64Val(3))]);
    let hits = client.search(filtered).await.unwrap().into_inner().results.unwrap();
    assert_eq!((hits.ids, hits.scores), (int_ids(vec![3]), vec![0.6]));

    let mut doomed = delete("c", "id in {ids}");
    doomed.expr_template_values = templates(vec![("ids", long_list(vec![1, 3]))]);
    assert_eq!(client.delete(doomed).await.unwrap().into_inner().delete_cnt, 2);
    let left = client.query(query("c", "id > 0", &[])).await.unwrap().into_inner();
    let mut id = long_column("id", vec![2]);
    id.field_id = 100;
    assert_eq!(left.fields_data, [id]);

    // A placeholder without a value is the parser's error, as over REST.
    let unfilled = client.query(query("c", "id in {ids}", &[])).await.unwrap().into_inner();
    let over_rest = rest(&milvus, "entities/query", json!({"collectionName": "c", "filter": "id in {ids}"})).await;
    let text = over_rest["message"].as_str().unwrap();
    assert!(text.starts_with("failed to create query plan: "), "{over_rest}");
    assert_eq!((unfilled.status, over_rest["code"].as_i64()), (Some(failure(1100, 5, text)), Some(1100)));
}

#[tokio::test]
async fn hybrid_search_reranks_the_sub_searches_as_rest_does() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let pair = |key: &str, value: &str| KeyValuePair { key: key.into(), value: value.into() };
    let request = pb::HybridSearchRequest {
        collection_name: "c".into(),
        requests: vec![search("c", [1.0, 0.0, 0.0, 0.0], 2), search("c", [0.0, 1.0, 0.0, 0.0], 2)],
        rank_params: vec![
            pair("strategy", "rrf"),
            pair("params", r#"{"k": 60}"#),
            pair("limit", "1"),
            pair("round_decimal", "4"),
        ],
        output_fields: vec!["color".into()],
        ..Default::default()
    };
    let got = client.hybrid_search(request).await.unwrap().into_inner().results.unwrap();
    let expected = SearchResultData {
        num_queries: 1,
        top_k: 1,
        // Row 3 is second in both sub-searches: 2 / (60 + 2).
        fields_data: vec![meta_column(&[json!({"color": "blue"})])],
        scores: vec![0.0323],
        ids: int_ids(vec![3]),
        topks: vec![1],
        output_fields: vec!["color".into()],
        primary_field_name: "id".into(),
        ..Default::default()
    };
    assert_eq!(got, expected);
    let sub = |v: [f32; 4]| json!({"data": [v], "annsField": "vector", "limit": 2});
    let body = json!({"collectionName": "c", "search": [sub([1.0, 0.0, 0.0, 0.0]), sub([0.0, 1.0, 0.0, 0.0])],
        "rerank": {"strategy": "rrf", "params": {"k": 60}}, "limit": 1, "outputFields": ["color"]});
    let over_rest = rest(&milvus, "entities/hybrid_search", body).await;
    assert_eq!(over_rest["data"][0]["id"], 3);
    assert_eq!(over_rest["data"][0]["color"], "blue");
}

#[tokio::test]
async fn hybrid_search_answers_every_query_and_reads_the_grouping_of_its_rank_params() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let pair = |key: &str, value: &str| KeyValuePair { key: key.into(), value: value.into() };
    let queries = [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]];
    let mut request = pb::HybridSearchRequest {
        collection_name: "c".into(),
        requests: vec![search_many("c", &queries, 2), search_many("c", &queries, 2)],
        rank_params: vec![pair("strategy", "rrf"), pair("params", r#"{"k": 60}"#), pair("limit", "1")],
        ..Default::default()
    };
    let got = client.hybrid_search(request.clone()).await.unwrap().into_inner().results.unwrap();
    // Each query reranked on its own: row 1 first for (1,0,0,0), row 2 for (0,1,0,0), each 2 / (60 + 1).
    let expected = SearchResultData {
        num_queries: 2,
        top_k: 1,
        scores: vec![2.0 / 61.0; 2],
        ids: int_ids(vec![1, 2]),
        topks: vec![1, 1],
        primary_field_name: "id".into(),
        ..Default::default()
    };
    assert_eq!(got, expected);

    // `offset` skips reranked hits: each query's second best (row 3 is second in both sub-searches).
    let mut skipping = request.clone();
    skipping.rank_params.push(pair("offset", "1"));
    let got = client.hybrid_search(skipping).await.unwrap().into_inner().results.unwrap();
    assert_eq!((got.ids, got.topks), (int_ids(vec![3, 3]), vec![1, 1]));

    request.rank_params.push(pair("group_by_field", "nope"));
    let refused = client.hybrid_search(request).await.unwrap().into_inner();
    let text = "groupBy field not found in schema: field not found[field=nope]";
    assert_eq!(refused, pb::SearchResults { status: Some(failure(1700, 1, text)), ..Default::default() });
}

#[tokio::test]
async fn a_metric_type_other_than_the_index_metric_fails_the_search() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let mut l2 = search("c", [1.0, 0.0, 0.0, 0.0], 1);
    l2.search_params.iter_mut().find(|p| p.key == "metric_type").unwrap().value = "L2".into();
    let refused = client.search(l2).await.unwrap().into_inner();
    let text = "failed to search: metric type not match: invalid parameter[expected=COSINE][actual=L2]";
    assert_eq!(refused, pb::SearchResults { status: Some(failure(65535, 1, text)), ..Default::default() });
    // Without `metric_type` the index's metric is used.
    let mut unnamed = search("c", [1.0, 0.0, 0.0, 0.0], 1);
    unnamed.search_params.retain(|p| p.key != "metric_type");
    let hits = client.search(unnamed).await.unwrap().into_inner().results.unwrap();
    assert_eq!((hits.ids, hits.scores), (int_ids(vec![1]), vec![1.0]));
}

#[tokio::test]
async fn rest_fault_rules_and_the_journal_cover_the_data_plane_rpcs() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let rule = json!({"path": "entities/search", "code": 8, "message": "rate limit exceeded", "times": 1});
    milvus.add_fault(serde_json::from_value(rule).unwrap()).unwrap();
    let injected = client.search(search("c", [1.0, 0.0, 0.0, 0.0], 1)).await.unwrap().into_inner();
    assert_eq!(
        injected,
        pb::SearchResults { status: Some(failure(8, 1, "rate limit exceeded")), ..Default::default() }
    );
    let ran = client.search(search("c", [1.0, 0.0, 0.0, 0.0], 1)).await.unwrap().into_inner();
    assert_eq!(ran.results.unwrap().ids, int_ids(vec![1]));
    let entries = milvus.requests();
    let operations: Vec<&str> = entries.iter().map(|e| e.operation.name()).collect();
    assert_eq!(
        operations,
        [
            "collections/create",
            "indexes/create",
            "collections/load",
            "entities/insert",
            "entities/search",
            "entities/search"
        ]
    );
}

/// [`search`] with its `search_params` changed: `key` set to `value`, or removed when `value` is `None`.
fn with_param(mut request: pb::SearchRequest, key: &str, value: Option<&str>) -> pb::SearchRequest {
    request.search_params.retain(|p| p.key != key);
    if let Some(value) = value {
        request.search_params.push(KeyValuePair { key: key.into(), value: value.into() });
    }
    request
}

#[tokio::test]
async fn search_params_the_proxy_cannot_use_are_its_plain_errors() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let base = || search("c", [1.0, 0.0, 0.0, 0.0], 2);
    let cases = [
        (with_param(base(), "topk", None), "topk not found in search_params"),
        (with_param(base(), "topk", Some("ten")), "topk [ten] is invalid"),
        (with_param(base(), "offset", Some("1.5")), "offset [1.5] is invalid"),
        (
            with_param(base(), "round_decimal", Some("7")),
            "round_decimal [7] is invalid, should be -1 or an integer in range [0, 6]",
        ),
        (with_param(base(), "topk", Some("0")), "topk [0] is invalid, it should be in range [1, 16384], but got 0"),
    ];
    for (request, reason) in cases {
        let answer = client.search(request).await.unwrap().into_inner();
        let expected = pb::SearchResults { status: Some(failure(65535, 1, reason)), ..Default::default() };
        assert_eq!(answer, expected, "{reason}");
    }
    // A partition that is not there is found before the parameters are read.
    let mut named = with_param(base(), "topk", None);
    named.partition_names = vec!["missing".into()];
    let answer = client.search(named).await.unwrap().into_inner();
    assert_eq!(answer.status, Some(failure(65535, 1, "partition name missing not found")));
}

fn by_keys(collection: &str, keys: Vec<i64>, anns_field: &str) -> pb::SearchRequest {
    let mut request = with_param(search(collection, [0.0; 4], 2), "anns_field", Some(anns_field));
    request.search_input = Some(pb::search_request::SearchInput::Ids(int_ids(keys).unwrap()));
    request.nq = 0;
    request
}

#[tokio::test]
async fn search_by_primary_keys_uses_the_stored_vectors_of_the_keys() {
    let (milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let got = client.search(by_keys("c", vec![2, 1], "vector")).await.unwrap().into_inner();
    let expected = pb::SearchResults {
        status: Some(success()),
        results: Some(SearchResultData {
            num_queries: 2,
            top_k: 2,
            // Row 2's vector finds row 2 then row 3 (0.8); row 1's finds row 1 then row 3 (0.6).
            scores: vec![1.0, 0.8, 1.0, 0.6],
            ids: int_ids(vec![2, 3, 1, 3]),
            topks: vec![2, 2],
            primary_field_name: "id".into(),
            ..Default::default()
        }),
        collection_name: "c".into(),
        ..Default::default()
    };
    assert_eq!(got, expected);

    let refused = |request: pb::SearchRequest| {
        let mut client = client.clone();
        async move { client.search(request).await.unwrap().into_inner().status.unwrap() }
    };
    let missing = "some of the provided primary key IDs do not exist: missing IDs = [7 9]: invalid parameter";
    assert_eq!(refused(by_keys("c", vec![1, 7, 9], "vector")).await, failure(1100, 5, missing));
    // Milvus's current answer to a key named twice (milvus-io/milvus#46740).
    let twice = "some of the provided primary key IDs do not exist: missing IDs = []: invalid parameter";
    assert_eq!(refused(by_keys("c", vec![1, 2, 1], "vector")).await, failure(1100, 5, twice));
    let no_field = "anns_field is required for search by IDs: invalid parameter";
    assert_eq!(refused(by_keys("c", vec![1], "")).await, failure(1100, 5, no_field));
    // The keys' vectors are read by a query first: the collection must be loaded.
    milvus.catalog().release_collection("default", "c").unwrap();
    let id = milvus.catalog().collection("default", "c", |c| c.id).unwrap();
    let not_loaded = format!("failed to search: collection not loaded[collection={id}]");
    assert_eq!(refused(by_keys("c", vec![1], "vector")).await, failure(101, 1, &not_loaded));
}

#[tokio::test]
async fn a_query_vector_of_the_wrong_size_is_the_query_node_s_segcore_error() {
    let (_milvus, mut client) = start().await;
    loaded_with_rows(&mut client, "c").await;
    let mut narrow = search("c", [1.0, 0.0, 0.0, 0.0], 1);
    let three = PlaceholderGroup {
        placeholders: vec![PlaceholderValue {
            tag: "$0".into(),
            r#type: PlaceholderType::FloatVector as i32,
            values: vec![[1.0f32, 0.0, 0.0].iter().flat_map(|f| f.to_le_bytes()).collect()],
            ..Default::default()
        }],
    };
    narrow.search_input = Some(pb::search_request::SearchInput::PlaceholderGroup(three.encode_to_vec()));
    let answer = client.search(narrow).await.unwrap().into_inner();
    let reason = "vector dimension mismatch, expected vector size(byte) 16, actual 12.: segcore error";
    assert_eq!(answer, pb::SearchResults { status: Some(failure(2000, 1, reason)), ..Default::default() });
}

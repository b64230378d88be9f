//! Full-text search over real HTTP, whole bodies: a collection with a BM25 function is searched with texts on the
//! function's sparse output field, scored by BM25 over the function's input texts (contract part 2 §E.1).

use milvus_mock::rows::render::f32_json;
use serde_json::{Value, json};

use crate::helpers::*;

/// A collection `docs` (`id`, `text` VarChar, `sparse` filled by a BM25 function, indexed with metric BM25, and a
/// COSINE `dense` vector), loaded, holding three texts: 7 words, "apple" in two of them.
async fn docs(app: &TestApp) {
    let body = json!({"collectionName": "docs", "schema": {
        "fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "text", "dataType": "VarChar", "elementTypeParams": {"max_length": 64, "enable_analyzer": true}},
            {"fieldName": "sparse", "dataType": "SparseFloatVector"},
            {"fieldName": "dense", "dataType": "FloatVector", "elementTypeParams": {"dim": 2}}],
        "functions": [{"name": "bm25", "type": "BM25", "inputFieldNames": ["text"], "outputFieldNames": ["sparse"]}]},
        "indexParams": [
            {"fieldName": "sparse", "indexName": "sparse", "indexType": "SPARSE_INVERTED_INDEX", "metricType": "BM25"},
            {"fieldName": "dense", "indexName": "dense", "metricType": "COSINE"}]});
    app.ok("/collections/create", body).await;
    app.ok("/collections/load", json!({"collectionName": "docs"})).await;
    let rows = json!([
        {"id": 1, "text": "Apple pie", "dense": [1.0, 0.0]},
        {"id": 2, "text": "apple, apple & banana", "dense": [0.0, 1.0]},
        {"id": 3, "text": "cherry tart", "dense": [1.0, 1.0]}
    ]);
    let (_, inserted) = app.post("/entities/insert", json!({"collectionName": "docs", "data": rows})).await;
    assert_eq!(inserted["code"], 0, "{inserted}");
}

/// BM25 (k1 1.2, b 0.75) of a one-word query over the three texts (N 3, avgdl 7/3), for a document holding the word
/// `tf` times among `len` words, the word being in `df` documents.
fn bm25(df: f64, tf: f32, len: f32) -> Value {
    let idf = (1.0 + (3.0 - df + 0.5) / (df + 0.5)).ln() as f32;
    let avgdl = (7.0f64 / 3.0) as f32;
    let norm = 1.0 - 0.75 + 0.75 * len / avgdl;
    f32_json(idf * (tf * (1.2 + 1.0) / (tf + 1.2 * norm)))
}

#[tokio::test]
async fn text_queries_rank_the_documents_sharing_their_words_by_bm25() {
    let app = spawn_app().await;
    docs(&app).await;
    let body = json!({"collectionName": "docs", "annsField": "sparse", "data": ["APPLE", "tart?"], "limit": 3,
                      "outputFields": ["text"]});

    let (_, answer) = app.post("/entities/search", body).await;

    // "apple": twice among 3 words beats once among 2; "cherry tart" shares no word and is not a hit.
    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": bm25(2.0, 2.0, 3.0), "id": 2, "text": "apple, apple & banana"},
            {"distance": bm25(2.0, 1.0, 2.0), "id": 1, "text": "Apple pie"},
            {"distance": bm25(1.0, 1.0, 2.0), "id": 3, "text": "cherry tart"}],
         "topks": [2, 1]})
    );
}

#[tokio::test]
async fn a_filter_narrows_a_text_search_but_not_its_statistics() {
    let app = spawn_app().await;
    docs(&app).await;
    let body = json!({"collectionName": "docs", "annsField": "sparse", "data": ["apple"], "filter": "id != 2"});

    let (_, answer) = app.post("/entities/search", body).await;

    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [{"distance": bm25(2.0, 1.0, 2.0), "id": 1}], "topks": [1]})
    );
}

#[tokio::test]
async fn a_text_sub_search_joins_a_hybrid_search() {
    let app = spawn_app().await;
    docs(&app).await;
    let body = json!({"collectionName": "docs", "search": [
            {"annsField": "sparse", "data": ["apple"], "limit": 3},
            {"annsField": "dense", "data": [[0.0, 1.0]], "limit": 3}],
        "rerank": {"strategy": "rrf", "params": {"k": 60}}, "limit": 3});

    let (_, answer) = app.post("/entities/hybrid_search", body).await;

    // Text: [2, 1]; dense: [2, 3, 1].
    let rrf = |ranks: &[u8]| f32_json(ranks.iter().map(|&r| 1.0f32 / (60.0 + f32::from(r))).sum());
    assert_eq!(
        answer,
        json!({"code": 0, "cost": 0, "data": [
            {"distance": rrf(&[1, 1]), "id": 2}, {"distance": rrf(&[2, 3]), "id": 1}, {"distance": rrf(&[2]), "id": 3}],
         "topks": [3]})
    );
}

#[tokio::test]
async fn the_bm25_output_field_has_no_raw_data_to_return() {
    let app = spawn_app().await;
    docs(&app).await;
    let query = |fields: Value| json!({"collectionName": "docs", "filter": "id == 1", "outputFields": fields});
    let refused = json!({"code": 65535, "message": "not allowed to retrieve raw data of field sparse"});

    let (_, named) = app.post("/entities/query", query(json!(["text", "sparse"]))).await;
    let (_, all) = app.post("/entities/query", query(json!(["*"]))).await;
    let search = json!({"collectionName": "docs", "annsField": "dense", "data": [[1.0, 0.0]], "limit": 1,
                        "outputFields": ["sparse"]});
    let (_, searched) = app.post("/entities/search", search).await;

    assert_eq!(named, refused);
    // `*` leaves the function's output out.
    assert_eq!(all, json!({"code": 0, "cost": 0, "data": [{"dense": [1, 0], "id": 1, "text": "Apple pie"}]}));
    assert_eq!(searched, refused);
}

//! `indexes/describe`'s row counters over real HTTP, whole bodies: they count what `get_stats` counts (flushed rows,
//! deletes included until compaction; live rows with `--live-row-counts`), all indexed, none pending (contract
//! part 2 §A.3, §D.6).

use milvus_mock::MockMilvus;
use serde_json::{Value, json};

use crate::helpers::*;

/// A quick-setup collection `c` (`id`, `vector` dim 2, COSINE, loaded) and its index `vector`.
async fn quick(app: &TestApp) {
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 2})).await;
}

async fn insert(app: &TestApp, ids: &[i64]) {
    let rows: Vec<Value> = ids.iter().map(|&id| json!({"id": id, "vector": [1.0, 0.5]})).collect();
    let (_, answer) = app.post("/entities/insert", json!({"collectionName": "c", "data": rows})).await;
    assert_eq!(answer["code"], 0, "insert: {answer}");
}

async fn describe(app: &TestApp) -> Value {
    app.post("/indexes/describe", json!({"collectionName": "c", "indexName": "vector"})).await.1
}

/// The whole describe answer of the quick-setup index with these row counters.
fn described(total: i64, indexed: i64) -> Value {
    json!({"code": 0, "data": [{
        "failReason": "", "fieldName": "vector", "indexName": "vector", "indexState": "Finished",
        "indexType": "AUTOINDEX", "indexedRows": indexed, "metricType": "COSINE", "pendingRows": 0,
        "totalRows": total}]})
}

#[tokio::test]
async fn index_rows_count_flushed_rows_only() {
    let app = spawn_app().await;
    quick(&app).await;
    insert(&app, &[1, 2, 3]).await;

    let before_flush = describe(&app).await;
    app.ok("/collections/flush", json!({"collectionName": "c"})).await;
    let after_flush = describe(&app).await;
    insert(&app, &[4]).await;
    let (_, deleted) = app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [1]"})).await;
    let after_delete = describe(&app).await;
    app.ok("/collections/flush", json!({"collectionName": "c"})).await;
    let after_second_flush = describe(&app).await;

    assert_eq!(before_flush, described(0, 0));
    assert_eq!(after_flush, described(3, 3));
    assert_eq!(deleted, json!({"code": 0, "data": {"deleteCount": 1}}));
    // Neither the unflushed insert nor the delete moves the counters; the next flush adds the insert only.
    assert_eq!(after_delete, described(3, 3));
    assert_eq!(after_second_flush, described(4, 4));
}

#[tokio::test]
async fn index_rows_follow_live_rows_when_stats_do() {
    let app = spawn_with(MockMilvus::builder().live_row_counts(true)).await;
    quick(&app).await;
    insert(&app, &[1, 2, 3]).await;
    let (_, deleted) = app.post("/entities/delete", json!({"collectionName": "c", "filter": "id in [2]"})).await;

    let answer = describe(&app).await;

    assert_eq!(deleted["code"], 0, "{deleted}");
    assert_eq!(answer, described(2, 2));
}

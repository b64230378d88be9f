//! The data plane under concurrent calls, and at scale: no row is lost, one collection's rows never hold up
//! another's calls, and 100,000 rows of 128 dimensions insert, search and count right.

use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;
use milvus_mock::catalog::QueryRequest;
use serde_json::{Value, json};

use crate::helpers::*;

/// The shared deterministic vectors, keyed by a row's id.
fn vector(seed: i64, dim: usize) -> Vec<f32> {
    milvus_mock::testing::vector(seed as u64, dim)
}

/// 16 tasks on 4 threads insert, search, delete their own rows and release/reload a partition of their own.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_writers_readers_and_releasers_lose_no_row() {
    let app = spawn_app().await;
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 4})).await;
    for task in 0..16 {
        app.create_partition("c", &format!("p{task}")).await;
    }
    let client = app.client.clone();
    let mut handles = Vec::new();
    for task in 0..16i64 {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            let partition = format!("p{task}");
            let mut inserted = 0;
            let mut deleted = 0;
            for round in 0..10i64 {
                let ids: Vec<i64> = (0..20).map(|i| task * 1_000_000 + round * 100 + i).collect();
                let rows: Vec<Value> = ids.iter().map(|&id| json!({"id": id, "vector": vector(id, 4)})).collect();
                let body = json!({"collectionName": "c", "partitionName": partition, "data": rows});
                let (_, answer) = client.post("/entities/insert", body).await;
                assert_eq!(answer["data"]["insertCount"], 20, "{answer}");
                inserted += 20;
                let doomed = &ids[..5];
                let (_, answer) = client
                    .post("/entities/delete", json!({"collectionName": "c", "filter": format!("id in {doomed:?}")}))
                    .await;
                assert_eq!(answer, json!({"code": 0, "data": {"deleteCount": 5}}));
                deleted += 5;
                let (_, found) = client
                    .post("/entities/search", json!({"collectionName": "c", "data": [vector(round, 4)], "limit": 3}))
                    .await;
                assert_eq!(found["code"], 0, "{found}");
                if round % 3 == 0 {
                    let names = json!({"collectionName": "c", "partitionNames": [partition]});
                    client.post("/partitions/release", names.clone()).await;
                    client.post("/partitions/load", names).await;
                }
            }
            inserted - deleted
        }));
    }
    let mut expected = 0;
    for handle in handles {
        expected += handle.await.unwrap();
    }
    app.ok("/collections/load", json!({"collectionName": "c"})).await;

    let (_, count) = app.post("/entities/query", json!({"collectionName": "c", "outputFields": ["count(*)"]})).await;

    assert_eq!(count, json!({"code": 0, "cost": 0, "data": [{"count(*)": expected}]}));
    assert_eq!(expected, 16 * 10 * 15);
}

/// A call that holds collection A's rows (as a long search or insert does) does not hold up collection B, nor
/// catalog calls on A that do not read rows; A's own reads wait for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_call_in_one_collection_does_not_block_another() {
    let app = spawn_app().await;
    for name in ["a", "b"] {
        app.ok("/collections/create", json!({"collectionName": name, "dimension": 2})).await;
        let body = json!({"collectionName": name, "data": [{"id": 1, "vector": [1.0, 0.0]}]});
        app.post("/entities/insert", body).await;
    }
    let rows_of_a = app.milvus.catalog().collection("default", "a", |c| c.rows.clone()).unwrap();
    let held = rows_of_a.write();

    let started = Instant::now();
    let (_, b) = app.post("/entities/search", json!({"collectionName": "b", "data": [[1.0, 0.0]]})).await;
    let (_, stats) = app.post("/collections/get_stats", json!({"collectionName": "a"})).await;
    let elapsed = started.elapsed();
    let client = app.client.clone();
    let a =
        tokio::spawn(async move { client.post("/entities/query", json!({"collectionName": "a", "limit": 5})).await });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let a_was_waiting = !a.is_finished();
    drop(held);
    let (_, a) = a.await.unwrap();

    assert_eq!(b["data"], json!([{"distance": 1, "id": 1}]));
    assert_eq!(stats, json!({"code": 0, "data": {"rowCount": 0}}));
    assert!(elapsed < Duration::from_secs(2), "B waited {elapsed:?}");
    assert!(a_was_waiting, "A's query should wait for A's rows");
    assert_eq!(a["data"], json!([{"id": 1, "vector": [1, 0]}]));
}

#[test]
fn a_hundred_thousand_rows_of_128_dimensions_insert_search_and_count_right() {
    let milvus = MockMilvus::start_blocking();
    let catalog = milvus.catalog();
    catalog.quick_setup("default", "big", 128).unwrap();
    for batch in 0..10i64 {
        let rows: Vec<Value> =
            (0..10_000).map(|i| batch * 10_000 + i).map(|id| json!({"id": id, "vector": vector(id, 128)})).collect();
        catalog.insert_rows("default", "big", "", rows).unwrap();
    }

    let count = catalog
        .query_rows("default", "big", QueryRequest { output_fields: vec!["count(*)".into()], ..Default::default() })
        .unwrap();
    let hits = catalog.search_rows("default", "big", "vector", &vector(4_242, 128), 3).unwrap();

    assert_eq!(count, [json!({"count(*)": 100_000})]);
    // COSINE: the row's own vector scores 1 (to float precision), and comes first.
    assert_eq!(hits[0].0, milvus_mock::rows::Key::Int(4_242));
    assert!((hits[0].1 - 1.0).abs() < 1e-5 && hits.len() == 3, "{hits:?}");
}

//! A panic inside a handler (a `panic` fault) is answered as Milvus's timeout middleware answers one, HTTP 500
//! `{"code":500}`, changes nothing, and the server keeps serving: the same route, other routes, the control
//! plane, many panics at once.

use std::time::Duration;

use axum::http::Method;
use milvus_mock::MockMilvus;
use serde_json::json;

use crate::common::{Answer, JSON_CONTENT_TYPE, PANIC_BODY, seed};
use crate::support::{InProcess, client, http_post, route_paths};

#[tokio::test]
async fn a_panic_answers_500_code_500_and_the_next_call_is_served() {
    let app = InProcess::seeded();
    let before = app.dump();
    let fault = json!({"path": "partitions/release", "panic": true, "times": 1}).to_string();
    let added = app.request(Method::POST, "/_mock/faults", &[], fault.into_bytes()).await;
    assert_eq!(added.status, 201, "{}", added.text());

    let body = json!({"collectionName": "quick_setup", "partitionNames": ["january"]});
    let panicked = app.post("/partitions/release", body.clone()).await;
    assert_eq!((panicked.status, panicked.text().as_str()), (500, PANIC_BODY));
    assert_eq!(panicked.content_type(), Some(JSON_CONTENT_TYPE));
    assert_eq!(app.dump(), before, "the panic happened before the release");

    // The same call again is real.
    let real = app.post("/partitions/release", body).await;
    assert_eq!(real.text(), r#"{"code":0,"data":{}}"#);
    assert_eq!(app.state.catalog.loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);
}

#[tokio::test]
async fn a_server_that_panics_on_every_route_keeps_serving() {
    let milvus = MockMilvus::builder().fixture(seed()).start().await;
    let client = client();
    let rule = serde_json::from_value(json!({"path": "*", "panic": true})).unwrap();
    milvus.add_fault(rule).unwrap();
    let before = milvus.state();

    for path in route_paths() {
        let reply = http_post(&client, &format!("{}{path}", milvus.uri()), "{}").await;
        assert_eq!(reply.answer(), Answer::Panic, "{path}: {}", reply.text());
    }
    // Many at once, on as many connections.
    let mut calls = Vec::new();
    for i in 0..64 {
        let (client, url) = (client.clone(), format!("{}/v2/vectordb/collections/load", milvus.uri()));
        calls.push(tokio::spawn(async move {
            let body = json!({"collectionName": format!("c{}", i % 3)}).to_string();
            http_post(&client, &url, body).await
        }));
    }
    for call in calls {
        let reply = tokio::time::timeout(Duration::from_secs(30), call).await.expect("answered in time").unwrap();
        assert_eq!((reply.status, reply.text().as_str()), (500, PANIC_BODY));
    }
    assert_eq!(milvus.state(), before);

    // Still serving: health, the control plane, and every route once the fault is gone.
    let health = client.get(format!("{}/healthz", milvus.uri())).send().await.unwrap();
    assert_eq!(health.text().await.unwrap(), "OK");
    let cleared = client.delete(format!("{}/_mock/faults", milvus.uri())).send().await.unwrap();
    assert_eq!(cleared.status().as_u16(), 200);
    for path in route_paths() {
        let reply = http_post(&client, &format!("{}{path}", milvus.uri()), "{}").await;
        assert!(matches!(reply.answer(), Answer::Envelope(_)), "{path}: {}", reply.text());
    }
    let reply = http_post(
        &client,
        &format!("{}/v2/vectordb/partitions/release", milvus.uri()),
        json!({"collectionName": "quick_setup", "partitionNames": ["january"]}).to_string(),
    )
    .await;
    assert_eq!(reply.text(), r#"{"code":0,"data":{}}"#);
}

#[tokio::test]
async fn a_panic_while_a_collection_is_being_changed_leaves_no_lock_behind() {
    let milvus = MockMilvus::builder().fixture(seed()).start().await;
    let client = client();
    let rule =
        serde_json::from_value(json!({"path": "*", "collection": "quick_setup", "panic": true, "times": 5})).unwrap();
    milvus.add_fault(rule).unwrap();
    let url = |route: &str| format!("{}/v2/vectordb{route}", milvus.uri());
    for route in [
        "/collections/load",
        "/collections/release",
        "/partitions/create",
        "/collections/drop",
        "/collections/describe",
    ] {
        let body = json!({"collectionName": "quick_setup", "partitionName": "x", "partitionNames": ["x"]}).to_string();
        let reply = http_post(&client, &url(route), body).await;
        assert_eq!(reply.answer(), Answer::Panic, "{route}");
    }
    // The fault is spent: the same collection answers normally, writes included.
    let body = json!({"collectionName": "quick_setup", "partitionName": "february"}).to_string();
    assert_eq!(http_post(&client, &url("/partitions/create"), body).await.text(), r#"{"code":0,"data":{}}"#);
    let body = json!({"collectionName": "quick_setup"}).to_string();
    let reply =
        tokio::time::timeout(Duration::from_secs(10), http_post(&client, &url("/collections/drop"), body)).await;
    assert_eq!(reply.expect("no lock is held").text(), r#"{"code":0,"data":{}}"#);
}

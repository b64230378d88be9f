//! The `/_mock` control plane over HTTP: reset, state dump/restore, the journal, faults, load progress.

use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;
use milvus_mock::fixtures::Fixture;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with, success};

impl TestApp {
    async fn control(&self, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
        let body = if body.is_null() { String::new() } else { body.to_string() };
        let raw = self.send(method, path, body, &[]).await;
        let json = serde_json::from_str(&raw.body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {}", raw.body));
        (raw.status, json)
    }
}

fn seed() -> Fixture {
    Fixture::new(
        "seed",
        json!({"databases": [
            {"name": "default", "collections": [
                {"collectionName": "quick_setup", "dimension": 5, "partitions": ["_default", "january"], "loaded": true}
            ]},
            {"name": "analytics"}
        ]}),
    )
}

#[tokio::test]
async fn reset_puts_the_fixtures_back_and_forgets_everything_else() {
    let app = spawn_with(MockMilvus::builder().fixture(seed())).await;
    app.ok("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["_default", "january"]}))
        .await;
    app.ok("/databases/create", json!({"dbName": "scratch"})).await;

    let (status, body) = app.control(Method::POST, "/_mock/reset", Value::Null).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"reset": "all"})));
    assert_eq!(
        app.load_state("quick_setup").await,
        json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
    );
    let (_, dbs) = app.post("/databases/list", json!({})).await;
    assert_eq!(dbs, json!({"code": 0, "data": ["default", "analytics"]}));
}

#[tokio::test]
async fn reset_of_one_database_leaves_the_others_alone() {
    let app = spawn_with(MockMilvus::builder().fixture(seed())).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "events", "dimension": 4})).await;
    app.ok("/collections/release", json!({"collectionName": "quick_setup"})).await;

    let (status, body) = app.control(Method::POST, "/_mock/reset", json!({"dbName": "analytics"})).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"reset": "analytics"})));
    let (_, listed) = app.post("/collections/list", json!({"dbName": "analytics"})).await;
    assert_eq!(listed, json!({"code": 0, "data": []}));
    // default kept its change.
    assert_eq!(app.load_state("quick_setup").await, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
}

#[tokio::test]
async fn a_dump_restored_gives_the_same_answers() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    app.create_partition("quick_setup", "february").await;
    app.ok("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;
    app.ok("/aliases/create", json!({"collectionName": "quick_setup", "aliasName": "qs"})).await;
    app.ok("/databases/create", json!({"dbName": "library", "properties": {"database.max.collections": 10}})).await;
    app.create_collection_without_index("drafts").await;
    let calls = [
        ("/collections/describe", json!({"collectionName": "quick_setup"})),
        ("/collections/describe", json!({"collectionName": "drafts"})),
        ("/collections/get_load_state", json!({"collectionName": "qs", "partitionNames": ["january"]})),
        ("/collections/get_load_state", json!({"collectionName": "quick_setup", "partitionNames": ["february"]})),
        ("/partitions/list", json!({"collectionName": "quick_setup"})),
        ("/indexes/describe", json!({"collectionName": "quick_setup", "indexName": "vector"})),
        ("/databases/describe", json!({"dbName": "library"})),
        ("/databases/list", json!({})),
        ("/collections/list", json!({})),
        ("/aliases/describe", json!({"aliasName": "qs"})),
    ];
    let mut before = Vec::new();
    for (path, body) in &calls {
        before.push(app.post(path, body.clone()).await.1);
    }

    let (_, state) = app.control(Method::GET, "/_mock/state", Value::Null).await;
    app.control(Method::POST, "/_mock/reset", Value::Null).await;
    assert_eq!(app.post("/collections/list", json!({})).await.1, json!({"code": 0, "data": []}));
    let (status, body) = app.control(Method::PUT, "/_mock/state", state).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"replaced": true})));
    for ((path, body), expected) in calls.iter().zip(before) {
        assert_eq!(app.post(path, body.clone()).await.1, expected, "{path} {body}");
    }
    // And the restored state behaves: a new partition of a collection loaded as a whole is loaded.
    app.create_partition("quick_setup", "march").await;
    assert_eq!(
        app.partition_load_state("quick_setup", &["march"]).await,
        json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
    );
}

#[tokio::test]
async fn a_bad_state_is_refused_with_a_clear_400_and_changes_nothing() {
    let app = spawn_with(MockMilvus::builder().fixture(seed())).await;
    let bad = json!({"databases": [{"name": "default", "collections": [{"collectionName": "1bad", "dimension": 4}]}]});

    let (status, body) = app.control(Method::PUT, "/_mock/state", bad).await;

    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "PUT /_mock/state: databases[0] (default).collections[0]: Invalid collection name: 1bad.  \
the first character of a collection name must be an underscore or letter: invalid parameter (Milvus code 1100)"})
    );
    let (_, listed) = app.post("/collections/list", json!({})).await;
    assert_eq!(listed, json!({"code": 0, "data": ["quick_setup"]}));
}

#[tokio::test]
async fn bad_control_input_gets_400_with_a_message() {
    let app = spawn_app().await;
    let raw = app.send(Method::POST, "/_mock/faults", "{not json", &[]).await;
    assert_eq!(raw.status, StatusCode::BAD_REQUEST);
    assert!(raw.body.starts_with(r#"{"error":"bad JSON body: "#), "{}", raw.body);

    let (status, body) = app.control(Method::POST, "/_mock/faults", json!({"path": "*"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        body,
        json!({"error": "a fault needs at least one of \"code\", \"httpStatus\", \"latencyMs\", \"closeConnection\", \"panic\""})
    );
    let (status, _) =
        app.control(Method::POST, "/_mock/faults", json!({"path": "*", "code": 1, "probability": 2})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_journal_records_calls_with_their_codes_and_filters_them() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["nope"]})).await;
    app.post_with_headers("/collections/list", json!({}), &[("DB-Name", "default")]).await;

    let (_, all) = app.control(Method::GET, "/_mock/requests", Value::Null).await;
    let (_, releases) = app.control(Method::GET, "/_mock/requests?path=partitions/release", Value::Null).await;

    let requests = all["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 3);
    assert_eq!(all["dropped"], 0);
    let release = &releases["requests"][0];
    assert_eq!(releases["requests"].as_array().unwrap().len(), 1);
    assert_eq!(release["path"], "/v2/vectordb/partitions/release");
    assert_eq!(release["method"], "POST");
    assert_eq!(release["dbName"], "default");
    assert_eq!(release["collection"], "quick_setup");
    assert_eq!(release["body"], json!({"collectionName": "quick_setup", "partitionNames": ["nope"]}));
    assert_eq!(release["code"], 200);
    assert_eq!(release["httpStatus"], 200);

    app.control(Method::DELETE, "/_mock/requests", Value::Null).await;
    let (_, after) = app.control(Method::GET, "/_mock/requests", Value::Null).await;
    assert_eq!(after["requests"], json!([]));
}

#[tokio::test]
async fn the_journal_is_bounded_and_counts_what_it_dropped_under_concurrent_calls() {
    let app = spawn_with(MockMilvus::builder().journal_size(50)).await;
    let app = std::sync::Arc::new(app);
    let mut tasks = Vec::new();
    for i in 0..8 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            for j in 0..25 {
                app.post("/collections/has", json!({"collectionName": format!("c{i}_{j}")})).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }

    let (_, journal) = app.control(Method::GET, "/_mock/requests", Value::Null).await;

    assert_eq!(journal["requests"].as_array().unwrap().len(), 50);
    assert_eq!(journal["dropped"], 150);
    assert_eq!(journal["capacity"], 50);
}

#[tokio::test]
async fn an_injected_error_answers_once_then_the_real_answer_comes_back() {
    let app = spawn_with(MockMilvus::builder().fixture(seed())).await;
    let rule = json!({"path": "/v2/vectordb/partitions/release", "code": 65535, "message": "injected", "times": 1});
    let (status, _) = app.control(Method::POST, "/_mock/faults", rule).await;
    assert_eq!(status, StatusCode::CREATED);
    let release = json!({"collectionName": "quick_setup", "partitionNames": ["_default", "january"]});

    let first = app.post("/partitions/release", release.clone()).await;
    // The injected answer did not run the release.
    assert_eq!(app.milvus.catalog().loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
    let second = app.post("/partitions/release", release).await;

    assert_eq!(first, (StatusCode::OK, json!({"code": 65535, "message": "injected"})));
    assert_eq!(second, (StatusCode::OK, success()));
    assert_eq!(app.load_state("quick_setup").await, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
    let (_, faults) = app.control(Method::GET, "/_mock/faults", Value::Null).await;
    assert_eq!(faults, json!({"faults": []}));
}

#[tokio::test]
async fn faults_match_on_collection_and_database() {
    let app = spawn_app().await;
    app.create_quick_collection("a").await;
    app.create_quick_collection("b").await;
    app.control(
        Method::POST,
        "/_mock/faults",
        json!({"path": "collections/describe", "collection": "b", "code": 100, "message": "gone"}),
    )
    .await;

    let (_, a) = app.post("/collections/describe", json!({"collectionName": "a"})).await;
    let (_, b) = app.post("/collections/describe", json!({"collectionName": "b"})).await;
    let (_, b_elsewhere) = app.post("/collections/describe", json!({"dbName": "nope", "collectionName": "b"})).await;

    assert_eq!(a["code"], 0);
    assert_eq!(b, json!({"code": 100, "message": "gone"}));
    // The rule names no database, so it matches in any.
    assert_eq!(b_elsewhere, json!({"code": 100, "message": "gone"}));
}

#[tokio::test]
async fn an_injected_http_status_and_a_closed_connection() {
    let app = spawn_app().await;
    app.control(
        Method::POST,
        "/_mock/faults",
        json!({"path": "collections/list", "httpStatus": 503, "code": 2, "message": "service unavailable", "times": 1}),
    )
    .await;
    app.control(Method::POST, "/_mock/faults", json!({"path": "databases/list", "closeConnection": true, "times": 1}))
        .await;

    let raw = app.post_raw("/collections/list", "{}", &[]).await;
    assert_eq!(
        (raw.status, raw.body.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, r#"{"code":2,"message":"service unavailable"}"#)
    );

    let url = format!("{}/v2/vectordb/databases/list", app.milvus.uri());
    let closed = reqwest::Client::new().post(&url).body("{}").send().await;
    let failed = match closed {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(failed, "the client must see a transport error");
    // The next call is answered normally.
    assert_eq!(app.post("/databases/list", json!({})).await.1, json!({"code": 0, "data": ["default"]}));

    // The journal says what the client saw: no status and no code, the connection closed.
    let (_, journal) = app.control(Method::GET, "/_mock/requests?path=databases/list", Value::Null).await;
    let entries = journal["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    let closed = &entries[0];
    assert_eq!(
        (&closed["httpStatus"], &closed["code"], &closed["connectionClosed"]),
        (&Value::Null, &Value::Null, &json!(true))
    );
    let answered = &entries[1];
    assert_eq!(
        (&answered["httpStatus"], &answered["code"], &answered["connectionClosed"]),
        (&json!(200), &json!(0), &json!(false))
    );
}

#[tokio::test]
async fn injected_latency_delays_the_answer() {
    let app = spawn_app().await;
    app.control(Method::POST, "/_mock/faults", json!({"path": "*", "latencyMs": 300, "times": 1})).await;

    let started = Instant::now();
    let (_, body) = app.post("/collections/list", json!({})).await;

    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(body, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn latency_past_request_timeout_answers_408_and_the_call_still_completes() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.control(Method::POST, "/_mock/faults", json!({"path": "collections/release", "latencyMs": 1500, "times": 1}))
        .await;

    let raw =
        app.post_raw("/collections/release", r#"{"collectionName":"quick_setup"}"#, &[("Request-Timeout", "1")]).await;

    assert_eq!(raw.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(raw.body, r#"{"code":10001,"message":"request timeout"}"#);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.load_state("quick_setup").await, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
}

#[tokio::test]
async fn a_seeded_probability_gives_the_same_sequence_every_run() {
    let mut runs = Vec::new();
    for _ in 0..2 {
        let app = spawn_app().await;
        app.control(
            Method::POST,
            "/_mock/faults",
            json!({"path": "collections/list", "code": 9, "message": "quota", "probability": 0.5, "seed": 1234}),
        )
        .await;
        let mut codes = Vec::new();
        for _ in 0..20 {
            codes.push(app.post("/collections/list", json!({})).await.1["code"].as_i64().unwrap());
        }
        runs.push(codes);
    }
    assert_eq!(runs[0], runs[1]);
    assert!(runs[0].contains(&0) && runs[0].contains(&9), "{:?}", runs[0]);
}

#[tokio::test]
async fn with_a_load_duration_a_load_passes_through_loading() {
    let app = spawn_with(MockMilvus::builder().load_duration(Duration::from_millis(600))).await;
    app.create_quick_collection("slow").await;

    let early = app.load_state("slow").await;
    let described = app.describe("slow").await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    let late = app.load_state("slow").await;

    assert_eq!(early["code"], 0);
    assert_eq!(early["data"]["loadState"], "LoadStateLoading");
    let progress = early["data"]["loadProgress"].as_i64().unwrap();
    assert!((0..100).contains(&progress), "{early}");
    assert_eq!(described["data"]["load"], "LoadStateLoading");
    assert_eq!(late, json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""}));
    assert_eq!(app.describe("slow").await["data"]["load"], "LoadStateLoaded");
}

#[tokio::test]
async fn a_per_collection_load_duration_is_set_through_the_control_plane() {
    let app = spawn_app().await;
    app.create_collection_without_index("slow").await;
    app.ok(
        "/indexes/create",
        json!({"collectionName": "slow", "indexParams": [{"fieldName": "vector", "metricType": "L2"}]}),
    )
    .await;

    let (status, body) = app
        .control(Method::POST, "/_mock/load-duration", json!({"collectionName": "slow", "loadDurationMs": 60000}))
        .await;
    app.ok("/collections/load", json!({"collectionName": "slow"})).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"loadDurationMs": 60000})));
    assert_eq!(app.load_state("slow").await["data"]["loadState"], "LoadStateLoading");
    let (status, body) =
        app.control(Method::POST, "/_mock/load-duration", json!({"collectionName": "nope", "loadDurationMs": 1})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, json!({"error": "collection not found[database=default][collection=nope]"}));
}

#[tokio::test]
async fn without_the_control_plane_its_paths_are_milvus_404s() {
    let app = spawn_with(MockMilvus::builder().control(false)).await;
    let raw = app.send(Method::GET, "/_mock/state", "", &[]).await;
    assert_eq!((raw.status, raw.body.as_str()), (StatusCode::NOT_FOUND, "404 page not found"));
}

#[tokio::test]
async fn a_control_token_protects_the_control_plane_only() {
    let app = spawn_with(MockMilvus::builder().control_token("s3cret")).await;

    let denied = app.send(Method::GET, "/_mock/state", "", &[]).await;
    let wrong = app.send(Method::GET, "/_mock/state", "", &[("Authorization", "Bearer nope")]).await;
    let allowed = app.send(Method::GET, "/_mock/state", "", &[("Authorization", "Bearer s3cret")]).await;

    assert_eq!(denied.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(app.post("/collections/list", json!({})).await.1, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn a_bad_fixture_stops_start_up_and_names_the_problem() {
    let bad = Fixture::new(
        "fixtures/broken.json",
        json!({"databases": [{"name": "default", "collections": [
            {"collectionName": "c", "schema": {"fields": [{"fieldName": "id", "dataType": "Int65", "isPrimary": true}]}}
        ]}]}),
    );

    let err = MockMilvus::builder().fixture(bad).try_start_blocking().unwrap_err();

    assert_eq!(
        err.to_string(),
        "fixtures/broken.json: databases[0] (default).collections[0]: invalid parameter, data type Int65 is \
invalid(case sensitive). (Milvus code 1100)"
    );
}

#[tokio::test]
async fn the_repository_fixtures_load() {
    let app = spawn_with(MockMilvus::builder().fixture_file(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"))).await;

    assert_eq!(app.load_state("quick_setup").await["data"]["loadState"], "LoadStateLoaded");
    assert_eq!(app.milvus.catalog().loaded_partitions("library", "catalogue").unwrap(), ["fiction"]);
    let (_, drafts) = app.post("/collections/load", json!({"dbName": "library", "collectionName": "drafts"})).await;
    assert_eq!(drafts, json!({"code": 700, "message": "index not found[collection=drafts]"}));
}

#[tokio::test]
async fn the_journal_keeps_at_most_64_kib_of_a_body() {
    let app = spawn_app().await;
    let padding = "x".repeat(100 * 1024);
    let body = json!({"collectionName": "c", "padding": padding}).to_string();

    let raw = app.post_raw("/collections/has", body.clone(), &[]).await;
    let (_, journal) = app.control(Method::GET, "/_mock/requests", Value::Null).await;

    assert_eq!(raw.body, r#"{"code":0,"data":{"has":false}}"#);
    let kept = journal["requests"][0]["body"].as_str().expect("a cut body reads back as text");
    assert_eq!(kept.len(), 64 * 1024);
    assert!(body.starts_with(kept));
    assert_eq!(journal["requests"][0]["path"], "/v2/vectordb/collections/has");
}

#[tokio::test]
async fn the_journal_names_each_call_s_operation_and_transport_and_faults_match_the_operation() {
    let app = spawn_with(MockMilvus::builder().fixture(seed())).await;
    let rule = json!({"path": "partitions/release", "code": 65535, "message": "by operation"});
    app.control(Method::POST, "/_mock/faults", rule).await;

    let released =
        app.post("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": []})).await;
    let other = app.post("/collections/release", json!({"collectionName": "quick_setup"})).await;
    // A body that does not bind still has its operation.
    let unbound = app.post_raw("/collections/has", "{", &[]).await;

    assert_eq!(released, (StatusCode::OK, json!({"code": 65535, "message": "by operation"})));
    assert_eq!(other, (StatusCode::OK, success()));
    assert_eq!(unbound.status, StatusCode::OK);
    let (_, journal) = app.control(Method::GET, "/_mock/requests", Value::Null).await;
    let seen: Vec<(&Value, &Value, &Value, &Value)> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["operation"], &e["transport"], &e["path"], &e["code"]))
        .collect();
    assert_eq!(
        seen,
        [
            (&json!("partitions/release"), &json!("rest"), &json!("/v2/vectordb/partitions/release"), &json!(65535)),
            (&json!("collections/release"), &json!("rest"), &json!("/v2/vectordb/collections/release"), &json!(0)),
            (&json!("collections/has"), &json!("rest"), &json!("/v2/vectordb/collections/has"), &json!(1801)),
        ]
    );
}

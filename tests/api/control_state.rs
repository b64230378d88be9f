//! The control plane's edges: ids near `i64::MAX`, rejections that must be JSON, the state body limit, restored
//! load states, fixture paths that are not regular files.

use std::time::Duration;

use milvus_mock::fixtures::Fixture;
use milvus_mock::{Config, MockMilvus};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_with};

async fn call(app: &TestApp, method: Method, path: &str, body: &str) -> (StatusCode, Value) {
    let raw = app.send(method, path, body.to_string(), &[]).await;
    let json = serde_json::from_str(&raw.body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {:?}", raw.body));
    (raw.status, json)
}

#[tokio::test]
async fn a_fixture_id_near_i64_max_is_refused_at_load() {
    let app = spawn_app().await;
    app.create_quick_collection("kept").await;
    let before = app.milvus.state();
    let state = json!({"databases": [{"name": "default", "collections": [
        {"collectionName": "c", "dimension": 4, "id": i64::MAX}
    ]}]});

    let (status, body) = call(&app, Method::PUT, "/_mock/state", &state.to_string()).await;

    let error = "PUT /_mock/state: databases[0] (default).collections[0]: \"id\" must be an integer from 0 to \
                 4611686018427387904 (new ids are allocated after the largest), got 9223372036854775807";
    assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"error": error})));
    assert_eq!(app.milvus.state(), before);
    // Ids go on being allocated.
    app.create_quick_collection("next").await;

    let partition = json!({"databases": [{"name": "default", "collections": [
        {"collectionName": "c", "dimension": 4, "partitions": [{"name": "p", "id": -1}]}
    ]}]});
    let err = milvus_mock::fixtures::build(app.milvus.catalog(), &[Fixture::new("f", partition)]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "f: databases[0] (default).collections[0]: partition p: \"id\" must be an integer from 0 to \
         4611686018427387904 (new ids are allocated after the largest), got -1"
    );
}

#[tokio::test]
async fn fault_rules_refuse_a_status_outside_200_599_and_times_0() {
    let app = spawn_app().await;
    for (rule, error) in [
        (json!({"path": "*", "httpStatus": 199}), "\"httpStatus\" must be from 200 to 599, got 199"),
        (json!({"path": "*", "httpStatus": 600}), "\"httpStatus\" must be from 200 to 599, got 600"),
        (json!({"path": "*", "code": 1, "times": 0}), "\"times\" must be at least 1 (leave it out for every call)"),
    ] {
        let (status, body) = call(&app, Method::POST, "/_mock/faults", &rule.to_string()).await;
        assert_eq!((status, body), (StatusCode::BAD_REQUEST, json!({"error": error})), "{rule}");
    }
    let (status, body) = call(&app, Method::GET, "/_mock/faults", "").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"faults": []})));
}

#[tokio::test]
async fn every_control_plane_rejection_is_json() {
    let app = spawn_app().await;
    let cases = [
        (Method::GET, "/_mock/reset", "", StatusCode::METHOD_NOT_ALLOWED, "method GET is not allowed on /_mock/reset"),
        (
            Method::POST,
            "/_mock/state",
            "{}",
            StatusCode::METHOD_NOT_ALLOWED,
            "method POST is not allowed on /_mock/state",
        ),
        (Method::GET, "/_mock/nothing", "", StatusCode::NOT_FOUND, "no control-plane route /_mock/nothing"),
        (Method::POST, "/_mock", "", StatusCode::NOT_FOUND, "no control-plane route /_mock"),
        (
            Method::GET,
            "/_mock/requests?code=abc",
            "",
            StatusCode::BAD_REQUEST,
            "Failed to deserialize query string: code: invalid digit found in string",
        ),
        (
            Method::POST,
            "/_mock/faults",
            "{",
            StatusCode::BAD_REQUEST,
            "bad JSON body: EOF while parsing an object at line 1 column 1",
        ),
    ];
    for (method, path, body, status, error) in cases {
        let (got_status, got) = call(&app, method.clone(), path, body).await;
        assert_eq!((got_status, got), (status, json!({"error": error})), "{method} {path}");
    }
}

#[tokio::test]
async fn a_dump_larger_than_the_body_limit_loads_back() {
    let config = Config { body_limit: 4096, ..Config::default() };
    let app = spawn_with(MockMilvus::builder().config(config)).await;
    for i in 0..20 {
        app.create_quick_collection(&format!("c{i}")).await;
    }
    let dump = app.send(Method::GET, "/_mock/state", String::new(), &[]).await;
    assert_eq!(dump.status, StatusCode::OK);
    assert!(dump.body.len() > 4096, "{} bytes", dump.body.len());
    // A Milvus call of that size is refused...
    let (_, refused) = app.post("/collections/list", serde_json::from_str::<Value>(&dump.body).unwrap()).await;
    assert_eq!(
        refused,
        json!({"code": 1801, "message": "can only accept json format request, error: http: request body too large"})
    );
    app.milvus.reset();

    let (status, body) = call(&app, Method::PUT, "/_mock/state", &dump.body).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"replaced": true})));
    let again = app.send(Method::GET, "/_mock/state", String::new(), &[]).await;
    assert_eq!(again.body, dump.body);
    // The other control routes keep the limit, and say so in JSON.
    let rule = json!({"path": "*", "code": 1, "message": "x".repeat(5000)}).to_string();
    let (status, body) = call(&app, Method::POST, "/_mock/faults", &rule).await;
    let error = "Failed to buffer the request body: length limit exceeded";
    assert_eq!((status, body), (StatusCode::PAYLOAD_TOO_LARGE, json!({"error": error})));
}

#[tokio::test]
async fn a_restored_dump_keeps_its_loaded_collections_loaded() {
    let app = spawn_app().await;
    app.create_quick_collection("loaded").await;
    app.create_quick_collection("released").await;
    app.ok("/collections/release", json!({"collectionName": "released"})).await;
    let dump = app.milvus.state();
    let (status, _) = call(&app, Method::POST, "/_mock/load-duration", r#"{"loadDurationMs": 600000}"#).await;
    assert_eq!(status, StatusCode::OK);
    app.milvus.reset();

    let (status, body) = call(&app, Method::PUT, "/_mock/state", &dump.to_string()).await;

    assert_eq!((status, body), (StatusCode::OK, json!({"replaced": true})));
    assert_eq!(
        app.load_state("loaded").await,
        json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
    );
    assert_eq!(app.load_state("released").await, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
    assert_eq!(app.milvus.state(), dump);
    // A new load does take the load duration.
    app.ok("/collections/load", json!({"collectionName": "released"})).await;
    let (_, state) = app.post("/collections/get_load_state", json!({"collectionName": "released"})).await;
    assert_eq!(state["data"]["loadState"], "LoadStateLoading");
}

/// `Fixture::load` of `path` on a thread of its own, so that a hang fails the test.
fn load_within(path: std::path::PathBuf) -> Result<Vec<Fixture>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || tx.send(Fixture::load(&path).map_err(|e| e.to_string())));
    rx.recv_timeout(Duration::from_secs(5)).expect("Fixture::load returned within 5 s")
}

#[test]
fn a_fixture_path_that_is_not_a_regular_file_is_refused() {
    let dir = std::env::temp_dir().join(format!("milvus-mock-fifo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let fifo = dir.join("fixture.json");
    let _ = std::fs::remove_file(&fifo);
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());

    let fifo_err = load_within(fifo.clone());
    let folder_err = load_within(dir.clone());
    let zero_err = load_within("/dev/zero".into());

    let _ = std::fs::remove_file(&fifo);
    let _ = std::fs::remove_dir(&dir);
    let not_regular = |p: &std::path::Path| {
        format!(
            "{}: not a regular file (a FIFO, a device or a socket?); fixtures are read from files or folders",
            p.display()
        )
    };
    assert_eq!(fifo_err.unwrap_err(), not_regular(&fifo));
    assert_eq!(folder_err.unwrap_err(), not_regular(&fifo));
    assert_eq!(zero_err.unwrap_err(), not_regular(std::path::Path::new("/dev/zero")));
}

/// The journal without the fields that vary (time, latency, body): path, names, code, status, late.
async fn journal(app: &TestApp) -> Vec<Value> {
    let (_, all) = call(app, Method::GET, "/_mock/requests", "").await;
    let keep = ["path", "dbName", "collection", "code", "httpStatus", "late"];
    let requests = all["requests"].as_array().unwrap();
    requests
        .iter()
        .map(|r| keep.iter().filter_map(|k| r.get(*k).map(|v| (k.to_string(), v.clone()))).collect())
        .collect()
}

fn entry(path: &str, db: &str, collection: &str, code: i64, status: u16) -> Value {
    json!({"path": format!("/v2/vectordb{path}"), "dbName": db, "collection": collection, "code": code, "httpStatus": status})
}

/// A create delayed 1.5 s past a 1 s `Request-Timeout`: answered 408 after 1 s.
async fn delayed_create(app: &TestApp) {
    let rule = json!({"path": "collections/create", "latencyMs": 1500, "times": 1});
    let (status, _) = call(app, Method::POST, "/_mock/faults", &rule.to_string()).await;
    assert_eq!(status, StatusCode::CREATED);
    let body = r#"{"collectionName":"late","dimension":4}"#;
    let raw = app.post_raw("/collections/create", body, &[("Request-Timeout", "1")]).await;
    assert_eq!(
        (raw.status, raw.body.as_str()),
        (StatusCode::REQUEST_TIMEOUT, r#"{"code":10001,"message":"request timeout"}"#)
    );
}

#[tokio::test]
async fn a_call_answered_408_runs_later_and_is_journaled() {
    let app = spawn_app().await;
    delayed_create(&app).await;
    tokio::time::sleep(Duration::from_millis(900)).await;

    let (_, has) = app.post("/collections/has", json!({"collectionName": "late"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": true}}));
    let mut late = entry("/collections/create", "default", "late", 0, 200);
    late["late"] = json!(true);
    assert_eq!(
        journal(&app).await,
        [
            entry("/collections/create", "default", "late", 10001, 408),
            late,
            entry("/collections/has", "default", "late", 0, 200)
        ]
    );
}

#[tokio::test]
async fn a_reset_or_clearing_the_faults_cancels_a_call_answered_408() {
    for (method, path) in
        [(Method::POST, "/_mock/reset"), (Method::DELETE, "/_mock/faults"), (Method::PUT, "/_mock/state")]
    {
        let app = spawn_app().await;
        delayed_create(&app).await;
        let body = if method == Method::PUT { r#"{"databases": []}"# } else { "" };
        let (status, _) = call(&app, method.clone(), path, body).await;
        assert_eq!(status, StatusCode::OK, "{method} {path}");
        tokio::time::sleep(Duration::from_millis(900)).await;

        let (_, has) = app.post("/collections/has", json!({"collectionName": "late"})).await;
        assert_eq!(has, json!({"code": 0, "data": {"has": false}}), "{method} {path}");
        assert_eq!(
            journal(&app).await,
            [
                entry("/collections/create", "default", "late", 10001, 408),
                entry("/collections/has", "default", "late", 0, 200)
            ],
            "{method} {path}"
        );
    }
}

#[tokio::test]
async fn the_journal_and_faults_read_names_as_the_handler_does() {
    let app = spawn_app().await;
    app.ok("/databases/create", json!({"dbName": "analytics"})).await;
    app.ok("/collections/create", json!({"dbName": "analytics", "collectionName": "events", "dimension": 4})).await;
    let rule = json!({"path": "collections/describe", "dbName": "analytics", "collection": "events", "code": 42, "message": "injected", "times": 1});
    call(&app, Method::POST, "/_mock/faults", &rule.to_string()).await;
    call(&app, Method::DELETE, "/_mock/requests", "").await;

    // Go matches keys case-insensitively: the handler (and so the fault) reads analytics.events.
    let (_, folded) =
        app.post("/collections/describe", json!({"DBNAME": "analytics", "CollectionName": "events"})).await;
    assert_eq!(folded, json!({"code": 42, "message": "injected"}));
    // Names after 64 KiB of padding (the journal keeps only 64 KiB of the body).
    let padding = "x".repeat(100 * 1024);
    let big = json!({"padding": padding, "dbName": "analytics", "collectionName": "events"});
    let (_, has) = app.post("/collections/has", big).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": true}}));

    assert_eq!(
        journal(&app).await,
        [
            entry("/collections/describe", "analytics", "events", 42, 200),
            entry("/collections/has", "analytics", "events", 0, 200)
        ]
    );
}

/// `n` copies of a quick-setup collection in `default`, put in place directly (creating them one by one through
/// the API would take most of the test's time).
fn many_collections(app: &TestApp, n: i64) {
    let catalog = app.milvus.catalog();
    catalog.quick_setup("default", "template", 4).unwrap();
    let mut dbs = catalog.snapshot();
    let template = dbs[0].collections["template"].clone();
    for i in 0..n {
        let mut c = template.clone();
        c.spec.name = format!("c{i}");
        c.id = 1_000_000 + i;
        for p in &mut c.partitions {
            p.id = 2_000_000 + i;
        }
        dbs[0].collections.insert(c.spec.name.clone(), c);
    }
    catalog.replace_all(dbs);
}

#[tokio::test]
async fn healthz_and_milvus_calls_answer_while_a_large_state_is_dumped() {
    let app = std::sync::Arc::new(spawn_app().await);
    many_collections(&app, 60_000);
    let dumper = app.clone();
    let dump = tokio::spawn(async move { dumper.send(Method::GET, "/_mock/state", String::new(), &[]).await });
    tokio::time::sleep(Duration::from_millis(20)).await;

    let mut slowest = Duration::ZERO;
    let mut calls = 0;
    while !dump.is_finished() {
        let started = std::time::Instant::now();
        let health = app.send(Method::GET, "/healthz", String::new(), &[]).await;
        assert_eq!((health.status, health.body.as_str()), (StatusCode::OK, "OK"));
        let (_, has) = app.post("/collections/has", json!({"collectionName": "c59999"})).await;
        assert_eq!(has, json!({"code": 0, "data": {"has": true}}));
        slowest = slowest.max(started.elapsed());
        calls += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let dump = dump.await.unwrap();
    assert_eq!(dump.status, StatusCode::OK);
    assert!(dump.body.starts_with(r#"{"databases":[{"collections":[{"aliases":[],"collectionName":"c0""#));
    assert_eq!(dump.body.matches(r#""collectionName":"#).count(), 60_001);
    assert!(calls > 0, "the dump ended before any call was made");
    // A stalled worker took seconds (5.8 s in a release build); 1 s leaves room for a loaded CI machine.
    assert!(slowest < Duration::from_secs(1), "/healthz and collections/has took {slowest:?} during the dump");
}

/// Sets `count` properties on a fresh collection twice (the second call merges into the first) and drops them all;
/// the time taken.
async fn alter_and_drop_properties(app: &TestApp, collection: &str, count: usize) -> Duration {
    app.create_quick_collection(collection).await;
    let properties: serde_json::Map<String, Value> =
        (0..count).map(|i| (format!("key.{i}"), Value::String(i.to_string()))).collect();
    let keys: Vec<String> = (0..count).map(|i| format!("key.{i}")).collect();
    let body = json!({"collectionName": collection, "properties": properties});
    let started = std::time::Instant::now();
    app.ok("/collections/alter_properties", body.clone()).await;
    app.ok("/collections/alter_properties", body).await;
    app.ok("/collections/drop_properties", json!({"collectionName": collection, "propertyKeys": keys})).await;
    started.elapsed()
}

#[tokio::test]
async fn sixty_thousand_properties_in_one_call_merge_in_linear_time() {
    let app = spawn_app().await;
    // Ten times the properties must cost about ten times as much, not a hundred (a merge that scans the list for
    // each key). Compared within one run, so a slow machine slows both sides alike.
    let small = alter_and_drop_properties(&app, "small", 6_000).await;
    let large = alter_and_drop_properties(&app, "large", 60_000).await;
    let (_, described) = app.post("/collections/describe", json!({"collectionName": "large"})).await;
    assert_eq!(described["data"]["properties"], json!([]));
    assert!(large < small * 30, "60,000 properties took {large:?}, 6,000 took {small:?}");

    let properties: serde_json::Map<String, Value> =
        (0..60_000).map(|i| (format!("key.{i}"), Value::String(i.to_string()))).collect();
    app.ok("/databases/alter", json!({"dbName": "default", "properties": properties})).await;
    let (_, db) = app.post("/databases/describe", json!({"dbName": "default"})).await;
    let expected: Vec<Value> = properties.iter().map(|(k, v)| json!({"key": k, "value": v})).collect();
    assert_eq!(db["data"]["properties"], Value::Array(expected));
}

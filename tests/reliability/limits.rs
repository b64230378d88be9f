//! Limits, answered as the contract says, with whole-body asserts: the request-body limit (default and
//! configured, with and without `Content-Length`), deeply nested JSON, 10,000 partition names in one call, names
//! with unicode, control characters or more than 255 bytes, and Milvus's default limits of 1,024 partitions per
//! collection and 64 databases. Every rejected call leaves the state as it was.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use milvus_mock::{Config, defaults::DEFAULT_BODY_LIMIT};
use serde_json::{Value, json};

use crate::support::{Binary, InProcess, client, within};

const TOO_LARGE: &str =
    r#"{"code":1801,"message":"can only accept json format request, error: http: request body too large"}"#;

/// `{"collectionName":"quick_setup","pad":"aaa..."}` padded to exactly `len` bytes.
fn padded_has_body(len: usize) -> Vec<u8> {
    let head = br#"{"collectionName":"quick_setup","pad":""#;
    let tail = br#""}"#;
    let mut body = Vec::with_capacity(len);
    body.extend_from_slice(head);
    body.resize(len - tail.len(), b'a');
    body.extend_from_slice(tail);
    assert_eq!(body.len(), len);
    body
}

#[tokio::test]
async fn the_default_body_limit_is_64_mib_and_a_larger_body_gets_1801() {
    assert_eq!(DEFAULT_BODY_LIMIT, 64 * 1024 * 1024);
    let app = InProcess::seeded();
    let before = app.dump();

    let at_limit = app.post_bytes("/collections/has", padded_has_body(DEFAULT_BODY_LIMIT)).await;
    assert_eq!((at_limit.status, at_limit.text()), (200, r#"{"code":0,"data":{"has":true}}"#.to_string()));

    let over = app.post_bytes("/collections/has", padded_has_body(DEFAULT_BODY_LIMIT + 1)).await;
    assert_eq!((over.status, over.text()), (200, TOO_LARGE.to_string()));
    assert_eq!(over.content_type(), Some(crate::common::JSON_CONTENT_TYPE));

    // A create too large is not half applied.
    let mut create = br#"{"collectionName":"too_big","dimension":4,"description":""#.to_vec();
    create.resize(DEFAULT_BODY_LIMIT + 10, b'x');
    create.extend_from_slice(br#""}"#);
    let reply = app.post_bytes("/collections/create", create).await;
    assert_eq!(reply.text(), TOO_LARGE);
    assert_eq!(app.dump(), before);
}

#[tokio::test]
async fn a_configured_body_limit_is_exact() {
    let app = InProcess::new(Config { body_limit: 1024, fixtures: vec![crate::common::seed()], ..Config::default() });
    let before = app.dump();
    let ok = app.post_bytes("/collections/has", padded_has_body(1024)).await;
    assert_eq!(ok.text(), r#"{"code":0,"data":{"has":true}}"#);
    for route in ["/collections/has", "/collections/drop", "/partitions/release", "/databases/list"] {
        let reply = app.post_bytes(route, padded_has_body(1025)).await;
        assert_eq!((reply.status, reply.text()), (200, TOO_LARGE.to_string()), "{route}");
    }
    assert_eq!(app.dump(), before);
}

/// Writes a raw HTTP/1.1 request and reads the whole answer (the server closes: `Connection: close`).
fn raw_http(address: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).expect("connects");
    stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    // The server may answer and close before it has read everything; a failed write is then fine.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    String::from_utf8_lossy(&answer).into_owned()
}

#[test]
fn the_body_limit_flag_holds_for_chunked_bodies_without_a_content_length() {
    within(Duration::from_secs(60), "chunked body limit", || {
        let binary = Binary::start(&["--body-limit", "2048"]);
        let chunked = |payload: &[u8]| {
            let mut request = b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
                Transfer-Encoding: chunked\r\n\r\n"
                .to_vec();
            for chunk in payload.chunks(1000) {
                request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
                request.extend_from_slice(chunk);
                request.extend_from_slice(b"\r\n");
            }
            request.extend_from_slice(b"0\r\n\r\n");
            raw_http(binary.address(), &request)
        };
        let mut small = b"{}".to_vec();
        small.resize(2048, b' ');
        let answer = chunked(&small);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with(r#"{"code":0,"data":[]}"#), "{answer}");

        let mut large = b"{}".to_vec();
        large.resize(2049, b' ');
        let answer = chunked(&large);
        assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
        assert!(answer.ends_with(TOO_LARGE), "{answer}");

        // With a Content-Length too.
        let mut request =
            b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4000\r\n\r\n"
                .to_vec();
        request.extend_from_slice(&[b' '; 4000]);
        let answer = raw_http(binary.address(), &request);
        assert!(answer.ends_with(TOO_LARGE), "{answer}");
    });
}

/// `[[[...]]]` nested `depth` deep, counting the outer bracket.
fn arrays(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

/// An object whose unknown key `x` holds arrays, so the whole body is nested `depth` deep.
fn object_with_nesting(depth: usize) -> String {
    format!(r#"{{"collectionName":"quick_setup","x":{}}}"#, arrays(depth - 1))
}

/// Go's decoder scans the whole value first (nesting up to 10,000 is fine, 10,001 is a syntax error), then binds:
/// an unknown key is skipped however deep it is. Run against the binary: a stack overflow would take down the
/// test process otherwise, and here it shows as a refused connection and the binary's dying words.
#[test]
fn deeply_nested_json_is_answered_as_go_answers_it() {
    within(Duration::from_secs(180), "deep nesting", || {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quick_setup.json");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let client = client();
        let exceeded = r#"{"code":1801,"message":"can only accept json format request, error: invalid character '[' exceeded max depth"}"#;
        let array_into_struct = r#"{"code":1801,"message":"can only accept json format request, error: json: cannot unmarshal array into Go value of type httpserver.CollectionNameReq"}"#;
        let has = r#"{"code":0,"data":{"has":true}}"#;
        let cases: Vec<(&str, String, &str)> = vec![
            ("object, depth 100", object_with_nesting(100), has),
            ("object, depth 128", object_with_nesting(128), has),
            ("object, depth 129", object_with_nesting(129), has),
            ("object, depth 1,000", object_with_nesting(1000), has),
            ("object, depth 10,000", object_with_nesting(10_000), has),
            ("object, depth 10,001", object_with_nesting(10_001), exceeded),
            ("array, depth 10,000", arrays(10_000), array_into_struct),
            ("array, depth 10,001", arrays(10_001), exceeded),
            ("array, depth 1,000,000", arrays(1_000_000), exceeded),
            ("unclosed, depth 1,000,000", "[".repeat(1_000_000), exceeded),
        ];
        let mut binary = Binary::start(&["--fixtures", fixtures]);
        let mut failures = Vec::new();
        for (what, body, expected) in cases {
            let url = format!("{}/v2/vectordb/collections/has", binary.uri());
            let answer = runtime.block_on(async {
                crate::shared::try_send(&client, reqwest::Method::POST, &url, body, &[])
                    .await
                    .map(|r| (r.status.as_u16(), r.text()))
            });
            match answer {
                Ok((200, text)) if text == expected => {}
                Ok((status, text)) => failures.push(format!("{what}: HTTP {status} {text}")),
                Err(e) => {
                    std::thread::sleep(Duration::from_millis(200));
                    let status = binary_status(&binary);
                    let last_words = binary.stderr().lines().take(3).collect::<Vec<_>>().join(" | ");
                    failures.push(format!("{what}: no answer ({e}); the server {status}; it said: {last_words}"));
                    // Go on with a fresh server, so every case is tried.
                    binary = Binary::start(&["--fixtures", fixtures]);
                }
            }
        }
        assert!(failures.is_empty(), "deep nesting:\n{}", failures.join("\n"));
    });
}

fn binary_status(binary: &Binary) -> String {
    match TcpStream::connect(binary.address()) {
        Ok(_) => "still accepts connections".into(),
        Err(e) => format!("is gone ({e})"),
    }
}

#[tokio::test]
async fn ten_thousand_partition_names_in_one_release_or_load() {
    let app = InProcess::seeded();
    let timed = |f| tokio::time::timeout(Duration::from_secs(20), f);

    // 10,000 names, all present: a release of `january` only.
    let names = vec!["january"; 10_000];
    let body = json!({"collectionName": "quick_setup", "partitionNames": names});
    let reply = timed(app.post("/partitions/release", body)).await.expect("answers in time");
    assert_eq!(reply.text(), r#"{"code":0,"data":{}}"#);
    assert_eq!(app.state.catalog.loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);

    // The last of 10,000 names is missing: 200 for that name, nothing released.
    let before = app.dump();
    let mut names: Vec<String> = vec!["_default".to_string(); 9_999];
    names.push("p9999".into());
    let body = json!({"collectionName": "quick_setup", "partitionNames": names});
    let reply = timed(app.post("/partitions/release", body.clone())).await.unwrap();
    assert_eq!(reply.text(), r#"{"code":200,"message":"partition not found[partition=p9999]"}"#);
    let reply = timed(app.post("/partitions/load", body)).await.unwrap();
    assert_eq!(reply.text(), r#"{"code":200,"message":"partition not found[partition=p9999]"}"#);
    assert_eq!(app.dump(), before);

    // 10,000 distinct missing names: the first one is named.
    let names: Vec<String> = (0..10_000).map(|i| format!("missing_{i}")).collect();
    let body = json!({"collectionName": "quick_setup", "partitionNames": names});
    let reply = timed(app.post("/partitions/release", body)).await.unwrap();
    assert_eq!(reply.text(), r#"{"code":200,"message":"partition not found[partition=missing_0]"}"#);
    assert_eq!(app.dump(), before);

    // 10,000 loads of `january`, then a load state asked about 10,000 names.
    let body = json!({"collectionName": "quick_setup", "partitionNames": vec!["january"; 10_000]});
    assert_eq!(timed(app.post("/partitions/load", body)).await.unwrap().text(), r#"{"code":0,"data":{}}"#);
    let body = json!({"collectionName": "quick_setup", "partitionNames": vec!["january"; 10_000]});
    let reply = timed(app.post("/collections/get_load_state", body)).await.unwrap();
    assert_eq!(reply.text(), r#"{"code":0,"data":{"loadProgress":100,"loadState":"LoadStateLoaded"},"message":""}"#);

    // Both loaded partitions named among 10,000: the whole collection is released.
    let mut names = vec!["january"; 5_000];
    names.extend(vec!["_default"; 5_000]);
    let body = json!({"collectionName": "quick_setup", "partitionNames": names});
    assert_eq!(timed(app.post("/partitions/release", body)).await.unwrap().text(), r#"{"code":0,"data":{}}"#);
    let reply = app.post("/collections/get_load_state", json!({"collectionName": "quick_setup"})).await;
    assert_eq!(reply.text(), r#"{"code":0,"data":{"loadState":"LoadStateNotLoad"}}"#);
}

/// Asserts the whole answer and that the state did not change.
async fn rejected(app: &InProcess, route: &str, body: Value, expected: Value) {
    let before = app.dump();
    let reply = app.post(route, body.clone()).await;
    assert_eq!((reply.status, reply.json()), (200, expected), "{route} {body}");
    assert_eq!(app.dump(), before, "{route} {body} changed the state");
}

#[tokio::test]
async fn collection_names_with_unicode_control_characters_or_more_than_255_bytes() {
    let app = InProcess::seeded();
    let invalid = |name: &str, why: &str| json!({"code": 1100, "message": format!("Invalid collection name: {name}.  {why}: invalid parameter")});
    let other = "collection name can only contain numbers, letters and underscores";
    let first = "the first character of a collection name must be an underscore or letter";
    let long = "the length of a collection name must be less than 255 characters";
    let e_acute_255 = format!("a{}", "é".repeat(127));
    let e_acute_257 = format!("a{}", "é".repeat(128));
    let cases = [
        ("données", other),
        ("名字", first),
        ("a\u{0}b", other),
        ("a\tb", other),
        ("a\u{1b}[31m", other),
        ("\u{7}bell", first),
        ("a\u{202e}b", other),
        ("emoji_😀", other),
        (e_acute_255.as_str(), other),
        (e_acute_257.as_str(), long),
    ];
    for (name, why) in cases {
        rejected(&app, "/collections/create", json!({"collectionName": name, "dimension": 4}), invalid(name, why))
            .await;
        rejected(&app, "/collections/load", json!({"collectionName": name}), invalid(name, why)).await;
        rejected(
            &app,
            "/partitions/release",
            json!({"collectionName": name, "partitionNames": ["_default"]}),
            invalid(name, why),
        )
        .await;
    }
    let too_long = "a".repeat(256);
    rejected(
        &app,
        "/collections/create",
        json!({"collectionName": too_long, "dimension": 4}),
        invalid(&too_long, long),
    )
    .await;
    // `é` 128 times is 256 bytes: the length is checked before the first character, in bytes.
    let wide = "é".repeat(128);
    rejected(&app, "/collections/create", json!({"collectionName": wide, "dimension": 4}), invalid(&wide, long)).await;

    // Exactly 255 bytes is allowed, and the name comes back whole.
    let max = "c".repeat(255);
    app.ok("/collections/create", json!({"collectionName": max, "dimension": 4})).await;
    let reply = app.post("/collections/list", json!({})).await;
    assert!(reply.json()["data"].as_array().unwrap().contains(&json!(max)));

    // Echoed input is escaped as Go's encoding/json escapes it.
    let reply = app.post("/collections/describe", json!({"collectionName": "<a&b>"})).await;
    assert_eq!(
        reply.text(),
        r#"{"code":1100,"message":"Invalid collection name: \u003ca\u0026b\u003e.  the first character of a collection name must be an underscore or letter: invalid parameter"}"#
    );
}

#[tokio::test]
async fn partition_and_database_names_with_unicode_control_characters_or_more_than_255_bytes() {
    let app = InProcess::seeded();
    let partition =
        |name: &str, why: &str| json!({"code": 65535, "message": format!("Invalid partition name: {name}. {why}")});
    let other = "Partition name can only contain numbers, letters and underscores.";
    let first = "The first character of a partition name must be an underscore or letter.";
    let long = "The length of a partition name must be less than 255 characters.";
    let p255 = format!("p{}", "é".repeat(127));
    let p256 = "p".repeat(256);
    for (name, why) in [
        ("分区", first),
        ("p\u{1}", other),
        ("p\u{0}q", other),
        ("\u{7f}p", first),
        (p255.as_str(), other),
        (p256.as_str(), long),
    ] {
        let body = json!({"collectionName": "quick_setup", "partitionName": name});
        rejected(&app, "/partitions/create", body.clone(), partition(name, why)).await;
        rejected(&app, "/partitions/has", body.clone(), partition(name, why)).await;
        rejected(&app, "/partitions/drop", body, partition(name, why)).await;
        // release and load only look names up (contract §6.3).
        let body = json!({"collectionName": "quick_setup", "partitionNames": [name]});
        let not_found = json!({"code": 200, "message": format!("partition not found[partition={name}]")});
        rejected(&app, "/partitions/release", body.clone(), not_found.clone()).await;
        rejected(&app, "/partitions/load", body, not_found).await;
    }
    let max = "p".repeat(255);
    app.ok("/partitions/create", json!({"collectionName": "quick_setup", "partitionName": max})).await;

    let database = |name: &str, why: &str| json!({"code": 802, "message": format!("{why}: invalid database name[database={name}]")});
    let other = "database name can only contain numbers, letters and underscores";
    let first = "the first character of a database name must be an underscore or letter";
    let long = "the length of a database name must be less than 255 characters";
    let d256 = "d".repeat(256);
    let d_wide = format!("d{}", "é".repeat(128));
    for (name, why) in [
        ("données", other),
        ("数据", first),
        ("\u{0}", first),
        ("d\u{1f}", other),
        (d256.as_str(), long),
        (d_wide.as_str(), long),
    ] {
        rejected(&app, "/databases/create", json!({"dbName": name}), database(name, why)).await;
        rejected(&app, "/databases/drop", json!({"dbName": name}), database(name, why)).await;
    }
    app.ok("/databases/create", json!({"dbName": "d".repeat(255)})).await;
}

#[tokio::test]
async fn the_1025th_partition_is_refused_with_milvus_default_limit() {
    let app = InProcess::new(Config::default());
    assert_eq!(app.state.catalog.limits().max_partitions, 1024);
    app.ok("/collections/create", json!({"collectionName": "many", "dimension": 4})).await;
    for i in 1..1024 {
        app.ok("/partitions/create", json!({"collectionName": "many", "partitionName": format!("p{i}")})).await;
    }
    let listed = app.post("/partitions/list", json!({"collectionName": "many"})).await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 1024);

    rejected(
        &app,
        "/partitions/create",
        json!({"collectionName": "many", "partitionName": "p1024"}),
        json!({"code": 65535, "message": "partition number (1024) exceeds max configuration (1024), collection: many"}),
    )
    .await;
    // An existing name is still the idempotent success.
    app.ok("/partitions/create", json!({"collectionName": "many", "partitionName": "p7"})).await;

    // The collection was loaded as a whole, so all 1,024 are loaded; releasing them all (10,000 names with
    // repeats) releases the collection, and then one can be dropped and another created.
    let mut names: Vec<String> = (1..1024).map(|i| format!("p{i}")).collect();
    names.push("_default".into());
    let names: Vec<String> = names.iter().cycle().take(10_000).cloned().collect();
    app.ok("/partitions/release", json!({"collectionName": "many", "partitionNames": names})).await;
    let state = app.post("/collections/get_load_state", json!({"collectionName": "many"})).await;
    assert_eq!(state.text(), r#"{"code":0,"data":{"loadState":"LoadStateNotLoad"}}"#);
    app.ok("/partitions/drop", json!({"collectionName": "many", "partitionName": "p1"})).await;
    app.ok("/partitions/create", json!({"collectionName": "many", "partitionName": "p1024"})).await;
    let describe = app.post("/collections/describe", json!({"collectionName": "many"})).await.json();
    assert_eq!(describe["data"]["partitionsNum"], 1024);
}

#[tokio::test]
async fn the_65th_database_is_refused_with_milvus_default_limit() {
    let app = InProcess::new(Config::default());
    assert_eq!(app.state.catalog.limits().max_databases, 64);
    for i in 0..64 {
        app.ok("/databases/create", json!({"dbName": format!("db{i}")})).await;
    }
    let listed = app.post("/databases/list", json!({})).await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 65, "64 databases besides default");
    rejected(
        &app,
        "/databases/create",
        json!({"dbName": "db64"}),
        json!({"code": 801, "message": "exceeded the limit number of database[limit=64]"}),
    )
    .await;
    app.ok("/databases/drop", json!({"dbName": "db0"})).await;
    app.ok("/databases/create", json!({"dbName": "db64"})).await;
    rejected(
        &app,
        "/databases/create",
        json!({"dbName": "db65"}),
        json!({"code": 801, "message": "exceeded the limit number of database[limit=64]"}),
    )
    .await;
}

//! Bad input never breaks it: arbitrary bytes, arbitrary JSON and arbitrary paths and methods against every route,
//! in process. For each input: no panic and no hang, the answer is one Milvus gives (HTTP 200 envelope with exactly
//! `code`+`data`(+`message`) or `code`+`message`, or its 404/408), and a rejected call leaves the state as it was.
//! Each property prints how many inputs it tried and which codes they got.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::Method;
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use crate::common::{Answer, KEYS, NAMES};
use crate::support::{InProcess, PREFIX, route_paths, within};

/// Cases per property (`RELIABILITY_CASES`, default 5000).
fn cases() -> u32 {
    std::env::var("RELIABILITY_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(5000)
}

/// A runner seeded from `RELIABILITY_SEED` when it is set, else from the clock; the seed is printed, so a failure
/// found in CI replays with `RELIABILITY_SEED=<seed> cargo test --test reliability`.
fn runner(what: &str) -> TestRunner {
    let seed: u64 = std::env::var("RELIABILITY_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64
    });
    println!("reliability/{what}: RELIABILITY_SEED={seed}");
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
    TestRunner::new_with_rng(RunnerConfig { cases: cases(), failure_persistence: None, ..RunnerConfig::default() }, rng)
}

/// The headers an input may carry: `DB-Name` and `Request-Timeout`, including values that fire at once.
fn headers() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    let db = prop_oneof![
        3 => Just(None),
        1 => prop::sample::select(NAMES).prop_map(|n| Some(("DB-Name", n.to_string()))),
    ];
    let timeout = prop_oneof![
        6 => Just(None),
        1 => prop::sample::select(&["0", "-1", "abc", "30", "3.5", "99999999999999999999", ""][..])
            .prop_map(|t| Some(("Request-Timeout", t.to_string()))),
    ];
    (db, timeout).prop_map(|(a, b)| a.into_iter().chain(b).collect())
}

/// A JSON leaf: edge numbers, the seed's names, arbitrary text (unicode, control characters, long).
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::sample::select(&[0i64, 1, -1, 5, 8, 32768, i32::MAX as i64 + 1, i64::MIN, i64::MAX][..])
            .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(NAMES).prop_map(Value::from),
        prop::sample::select(
            &["FloatVector", "Int64", "VarChar", "COSINE", "L2", "AUTOINDEX", "HNSW", "true", "mmap.enabled"][..]
        )
        .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        "[a-z_]{250,260}".prop_map(Value::from),
    ]
}

/// Arbitrary JSON, biased towards objects with the keys the request structs read.
fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        let key = prop_oneof![4 => prop::sample::select(KEYS).prop_map(str::to_string), 1 => any::<String>()];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6).prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// A request-like body: an object with some of the known keys, each with an arbitrary value.
fn request_object() -> impl Strategy<Value = Value> {
    let names = prop::collection::vec(prop::sample::select(NAMES).prop_map(Value::from), 0..4).prop_map(Value::Array);
    let value = prop_oneof![3 => json_value(), 2 => prop::sample::select(NAMES).prop_map(Value::from), 1 => names];
    prop::collection::btree_map(prop::sample::select(KEYS), value, 0..6)
        .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>()))
}

/// A body that binds for most routes: each field a route may read is there (or not), mostly with a plausible
/// value and sometimes with an arbitrary one. Unknown keys are ignored, so one such body fits every route and
/// reaches the catalog, where the interesting state changes are.
fn plausible_request() -> impl Strategy<Value = Value> {
    fn field(plausible: BoxedStrategy<Value>) -> BoxedStrategy<Option<Value>> {
        prop_oneof![
            2 => Just(None),
            12 => plausible.prop_map(Some),
            1 => json_value().prop_map(Some),
        ]
        .boxed()
    }
    let name = || prop::sample::select(NAMES).prop_map(Value::from).boxed();
    let names = || {
        prop::collection::vec(prop::sample::select(NAMES).prop_map(Value::from), 0..4).prop_map(Value::Array).boxed()
    };
    let number = || prop::sample::select(&[0i64, 1, 4, 5, 8, 16, 17, 32768, -1][..]).prop_map(Value::from).boxed();
    let pick = |items: &'static [&'static str]| prop::sample::select(items).prop_map(Value::from).boxed();
    let schema = prop::sample::select(vec![
        json!({"fields": [{"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                          {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]}),
        json!({"autoID": true, "fields": [{"fieldName": "id", "dataType": "VarChar", "isPrimary": true, "elementTypeParams": {"max_length": 64}},
                          {"fieldName": "vector", "dataType": "BinaryVector", "elementTypeParams": {"dim": 16}},
                          {"fieldName": "tag", "dataType": "VarChar", "isPartitionKey": true, "elementTypeParams": {"max_length": 8}}]}),
        json!({"fields": [{"fieldName": "id", "dataType": "Int64", "isPrimary": true}]}),
        json!({"fields": []}),
    ])
    .boxed();
    let index_params = prop::sample::select(vec![
        json!([{"fieldName": "vector", "indexName": "vector", "metricType": "L2", "indexType": "AUTOINDEX"}]),
        json!([{"fieldName": "vector", "metricType": "COSINE", "indexType": "HNSW", "params": {"M": 8}}]),
        json!([{"fieldName": "embedding", "metricType": "IP"}]),
        json!([{"fieldName": "nope"}]),
    ])
    .boxed();
    let properties = prop::sample::select(vec![
        json!({"mmap.enabled": true}),
        json!({"database.replica.number": 1, "collection.ttl.seconds": 60}),
        json!({}),
    ])
    .boxed();
    let parts = (
        (field(name()), field(name()), field(name()), field(names()), field(name()), field(name())),
        (field(name()), field(name()), field(name()), field(number()), field(pick(&["COSINE", "L2", "IP", "X"]))),
        (
            field(schema),
            field(index_params),
            field(properties),
            field(names()),
            field(pick(&["Int64", "VarChar", "x"])),
        ),
    );
    parts.prop_map(
        |((db, c, p, ps, new_c, new_db), (alias, index, f, dim, metric), (schema, ip, props, keys, id_type))| {
            let keys_and_values = [
                ("dbName", db),
                ("collectionName", c),
                ("partitionName", p),
                ("partitionNames", ps),
                ("newCollectionName", new_c),
                ("newDbName", new_db),
                ("aliasName", alias),
                ("indexName", index),
                ("fieldName", f),
                ("dimension", dim),
                ("metricType", metric),
                ("schema", schema),
                ("indexParams", ip),
                ("properties", props),
                ("propertyKeys", keys),
                ("idType", id_type),
            ];
            Value::Object(keys_and_values.into_iter().filter_map(|(k, v)| v.map(|v| (k.to_string(), v))).collect())
        },
    )
}

/// Bytes: random, JSON text cut or with a byte changed, JSON with trailing garbage.
fn body_bytes() -> impl Strategy<Value = Vec<u8>> {
    let json_text = || request_object().prop_map(|v| v.to_string().into_bytes());
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        (json_text(), any::<prop::sample::Index>()).prop_map(|(mut b, i)| {
            let at = i.index(b.len() + 1);
            b.truncate(at);
            b
        }),
        (json_text(), any::<prop::sample::Index>(), any::<u8>()).prop_map(|(mut b, i, c)| {
            if !b.is_empty() {
                let at = i.index(b.len());
                b[at] = c;
            }
            b
        }),
        (json_text(), prop::collection::vec(any::<u8>(), 0..20)).prop_map(|(mut b, tail)| {
            b.extend(tail);
            b
        }),
        prop::sample::select(
            &[
                "",
                " ",
                "\n\t",
                "null",
                "[]",
                "{}",
                "\"x\"",
                "1",
                "true",
                "{",
                "}",
                "[",
                "\u{feff}{}",
                "{\"collectionName\":",
                "{\"collectionName\":\"\\ud800\"}",
                "{\"collectionName\":1e400}",
                "{\"dimension\":1e2}",
                "{} {",
            ][..]
        )
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

/// A body that prints as text in proptest's failure report (its minimal failing input), not as a list of numbers.
#[derive(Clone)]
struct Body(Vec<u8>);

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match std::str::from_utf8(&self.0) {
            Ok(text) => write!(f, "{text:?}"),
            Err(_) => write!(f, "bytes {:?} (lossy: {:?})", self.0, String::from_utf8_lossy(&self.0)),
        }
    }
}

/// What a property saw, for the summary line.
#[derive(Default)]
struct Tally {
    inputs: u64,
    codes: BTreeMap<String, u64>,
}

impl Tally {
    fn record(&mut self, answer: &Answer) {
        self.inputs += 1;
        let key = match answer {
            Answer::Envelope(code) => code.to_string(),
            other => format!("{other:?}"),
        };
        *self.codes.entry(key).or_default() += 1;
    }

    fn print(&self, what: &str) {
        let codes: Vec<String> = self.codes.iter().map(|(c, n)| format!("{c}:{n}")).collect();
        println!("reliability/{what}: {} inputs tried; answers by code: {}", self.inputs, codes.join(" "));
    }
}

/// How many rejected calls left the documented partial change behind (see `common::documented_partial_change`).
static PARTIAL_CHANGES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Sends one body to one route with these headers and checks the answer and the state.
async fn check_one(app: &InProcess, path: &str, headers: &[(&'static str, String)], body: &[u8]) -> Answer {
    app.reset();
    let before = app.dump();
    let header_bytes: Vec<(&str, &[u8])> = headers.iter().map(|(n, v)| (*n, v.as_bytes())).collect();
    let call = app.request(Method::POST, path, &header_bytes, body.to_vec());
    let reply = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap_or_else(|_| panic!("POST {path} {headers:?} {:?}: no answer in 10 s", String::from_utf8_lossy(body)));
    let input = || format!("POST {path} {headers:?} {:?}", String::from_utf8_lossy(body));
    let answer = crate::common::classify(reply.status, reply.content_type(), &reply.body, 0)
        .unwrap_or_else(|e| panic!("{}: {e}", input()));
    let fires_at_once = headers.iter().any(|(n, v)| *n == "Request-Timeout" && (v == "0" || v == "-1"));
    match &answer {
        Answer::Envelope(0) => assert!(!fires_at_once, "{}: a zero Request-Timeout still answered 0", input()),
        Answer::Envelope(code) => {
            assert!(!fires_at_once, "{}: a zero Request-Timeout answered {code}, not 408", input());
            let after = app.dump();
            if before != after {
                let explained = crate::common::documented_partial_change(path, &before, &after);
                assert!(explained, "{}: rejected with {} but the state changed", input(), reply.text());
                PARTIAL_CHANGES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        Answer::Timeout => {
            assert!(fires_at_once, "{}: 408 without a zero Request-Timeout", input());
            assert!(before == app.dump(), "{}: timed out but the state changed", input());
        }
        other => panic!("{}: {other:?} ({}) is not an answer to a known route", input(), reply.text()),
    }
    answer
}

/// Runs a property over (route, headers, body) with a per-property watchdog.
/// `body` builds the body strategy (on the property's own thread: proptest's boxed strategies are not `Send`).
fn run_property<S: Strategy<Value = Vec<u8>> + 'static>(what: &'static str, body: fn() -> S) {
    let tally = within(Duration::from_secs(600), what, move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let app = InProcess::seeded();
        let paths = route_paths();
        let tally = Arc::new(Mutex::new(Tally::default()));
        let mut runner = runner(what);
        let strategy = (prop::sample::select(paths), headers(), body().prop_map(Body));
        let seen = tally.clone();
        let result = runner.run(&strategy, |(path, headers, body)| {
            let answer = runtime.block_on(check_one(&app, &path, &headers, &body.0));
            seen.lock().unwrap().record(&answer);
            Ok(())
        });
        if let Err(e) = result {
            panic!("{what}: {e}");
        }
        std::mem::take(&mut *tally.lock().unwrap())
    });
    tally.print(what);
    println!(
        "reliability/{what}: {} rejected calls so far left Milvus's documented partial change (create, then index)",
        PARTIAL_CHANGES.load(std::sync::atomic::Ordering::Relaxed)
    );
}

#[test]
fn arbitrary_bytes_to_every_route_get_the_envelope_and_change_nothing_when_rejected() {
    run_property("arbitrary-bytes", body_bytes);
}

#[test]
fn arbitrary_json_to_every_route_gets_the_envelope_and_changes_nothing_when_rejected() {
    run_property("arbitrary-json", || {
        prop_oneof![
            3 => plausible_request(),
            2 => request_object(),
            1 => json_value(),
        ]
        .prop_map(|v| v.to_string().into_bytes())
    });
}

/// Every route with each of a fixed list of awkward bodies: the sweep that always runs, whatever proptest draws.
#[test]
fn every_route_answers_every_awkward_body_with_the_envelope() {
    let tally = within(Duration::from_secs(300), "awkward bodies", || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let app = InProcess::seeded();
        let long = "a".repeat(300);
        let bodies: Vec<Vec<u8>> = [
            String::new(),
            " \r\n\t".into(),
            "null".into(),
            "[]".into(),
            "{}".into(),
            "\"s\"".into(),
            "0".into(),
            "-".into(),
            "{\"".into(),
            "\u{feff}{}".into(),
            "{} trailing".into(),
            "{\"collectionName\":null,\"partitionNames\":null}".into(),
            "{\"collectionName\":\"quick_setup\",\"partitionNames\":[]}".into(),
            "{\"collectionName\":\"quick_setup\",\"partitionNames\":[null, 1]}".into(),
            "{\"collectionName\":\"quick_setup\",\"partitionName\":\"january\",\"dbName\":{}}".into(),
            "{\"dbName\":\"library\",\"collectionName\":\"catalogue\",\"partitionNames\":[\"fiction\"]}".into(),
            "{\"collectionName\":\"books\",\"dbName\":\"library\",\"newCollectionName\":\"x\",\"newDbName\":\"nope\"}"
                .into(),
            json!({"collectionName": long, "dbName": long, "partitionName": long, "aliasName": long}).to_string(),
            json!({"collectionName": "a\u{0}b", "partitionName": "\u{7}", "dbName": "d\u{1b}"}).to_string(),
            json!({"collectionName": "<script>&", "partitionNames": ["<>", "\u{2028}"]}).to_string(),
            json!({"collectionName": "new_one", "dimension": -1}).to_string(),
            json!({"collectionName": "new_one", "dimension": 2147483648i64}).to_string(),
            json!({"collectionName": "new_one", "schema": {"fields": [{}]}}).to_string(),
            json!({"collectionName": "new_one", "schema": {"fields": [null, 1]}}).to_string(),
            json!({"collectionName": "new_one", "dimension": 4, "indexParams": [{}], "params": {"shardsNum": "x"}})
                .to_string(),
            json!({"dbName": "", "properties": {"a": [1, {"b": null}]}}).to_string(),
            json!({"collectionName": "quick_setup", "propertyKeys": [null], "indexName": "", "fieldName": ""})
                .to_string(),
        ]
        .into_iter()
        .map(String::into_bytes)
        .chain([vec![0xff, 0xfe, 0x00], b"{\"collectionName\":\"\xff\xfe\"}".to_vec()])
        .collect();
        let mut tally = Tally::default();
        for path in route_paths() {
            for body in &bodies {
                let answer = runtime.block_on(check_one(&app, &path, &[], body));
                tally.record(&answer);
            }
        }
        tally
    });
    tally.print("awkward-bodies");
}

/// Paths and methods: only POST on a known route reaches a handler; everything else is gin's 404 (or the CORS
/// 204 for OPTIONS, or the 307 of a trailing slash).
#[test]
fn arbitrary_paths_and_methods_get_gins_answers() {
    let tally = within(Duration::from_secs(300), "paths and methods", move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let app = InProcess::seeded();
        let paths = route_paths();
        let path = prop_oneof![
            prop::sample::select(paths.clone()),
            prop::sample::select(paths.clone()).prop_map(|p| format!("{p}/")),
            "[a-z_]{0,12}(/[a-z_]{0,12}){0,2}".prop_map(|s| format!("{PREFIX}/{s}")),
            "/[a-zA-Z0-9_.%~-]{0,20}(/[a-zA-Z0-9_.%~-]{0,12}){0,3}",
        ];
        let method = prop::sample::select(vec![
            Method::POST,
            Method::GET,
            Method::PUT,
            Method::DELETE,
            Method::PATCH,
            Method::OPTIONS,
            Method::HEAD,
        ]);
        let mut runner = runner("paths-and-methods");
        let tally = Arc::new(Mutex::new(Tally::default()));
        let seen = tally.clone();
        let result = runner.run(&(method, path, prop::collection::vec(any::<u8>(), 0..40)), |(method, path, body)| {
            let reply = runtime.block_on(app.request(method.clone(), &path, &[], body));
            let mock_or_health = path.starts_with("/_mock") || path == "/healthz";
            if mock_or_health {
                return Ok(());
            }
            // gin routes Go's percent-decoded `URL.Path`; an escape Go's URL parser refuses is its 400 first.
            let Some(decoded) = milvus_mock::testing::unescape_path(&path) else {
                prop_assert_eq!(
                    (reply.status, reply.text()),
                    (400, "400 Bad Request".to_string()),
                    "{} {}",
                    method,
                    path
                );
                return Ok(());
            };
            if decoded.starts_with("/_mock") || decoded == "/healthz" {
                return Ok(());
            }
            let known = paths.contains(&decoded);
            let expected = match (&method, known) {
                (&Method::OPTIONS, _) => Some(Answer::Preflight),
                (&Method::POST, true) => None,
                (&Method::POST, false)
                    if decoded.ends_with('/') && paths.iter().any(|p| *p == decoded[..decoded.len() - 1]) =>
                {
                    Some(Answer::Redirect)
                }
                _ => Some(Answer::NotFound),
            };
            let got = if method == Method::HEAD && reply.status == 404 {
                Answer::NotFound
            } else {
                crate::common::classify(reply.status, reply.content_type(), &reply.body, 0)
                    .map_err(|e| TestCaseError::fail(format!("{method} {path}: {e}")))?
            };
            match expected {
                Some(e) => prop_assert_eq!(&got, &e, "{} {}: {}", method, path, reply.text()),
                None => prop_assert!(matches!(got, Answer::Envelope(_)), "{} {}: {}", method, path, reply.text()),
            }
            seen.lock().unwrap().record(&got);
            Ok(())
        });
        if let Err(e) = result {
            panic!("paths and methods: {e}");
        }
        std::mem::take(&mut *tally.lock().unwrap())
    });
    tally.print("paths-and-methods");
}

/// JSON that Go's decoder reads must not be refused with serde_json's words (`number out of range at line 1
/// column 41`, `lone leading surrogate in hex escape`): Go skips an unknown key whatever its number, reads a lone
/// surrogate escape as U+FFFD, and prints a number in a type error as it was written.
#[tokio::test]
async fn bodies_go_reads_are_not_refused_with_serde_words() {
    let app = InProcess::seeded();
    let type_error = |literal: &str| {
        json!({"code": 1801, "message": format!(
            "can only accept json format request, error: json: cannot unmarshal number {literal} into Go struct field CollectionReq.dimension of type int32"
        )})
    };
    let cases: Vec<(&str, &str, Value)> = vec![
        (
            "/collections/has",
            r#"{"collectionName":"quick_setup","x":1e400}"#,
            json!({"code": 0, "data": {"has": true}}),
        ),
        (
            "/collections/has",
            r#"{"collectionName":"quick_setup","x":[-1e400]}"#,
            json!({"code": 0, "data": {"has": true}}),
        ),
        (
            "/collections/has",
            r#"{"collectionName":"quick_setup","x":"\udc00\ud800"}"#,
            json!({"code": 0, "data": {"has": true}}),
        ),
        // Quoted exactly as written, as Go does (`strconv.ParseInt` of the literal fails).
        ("/collections/create", r#"{"collectionName":"q","dimension":1e1}"#, type_error("1e1")),
        ("/collections/create", r#"{"collectionName":"q","dimension":1e400}"#, type_error("1e400")),
        ("/collections/create", r#"{"collectionName":"q","dimension":1E+01}"#, type_error("1E+01")),
        ("/collections/create", r#"{"collectionName":"q","dimension":4.50}"#, type_error("4.50")),
        (
            "/collections/has",
            r#"{"collectionName":"\ud800"}"#,
            json!({"code": 1100, "message": "Invalid collection name: \u{fffd}.  the first character of a collection name must be an underscore or letter: invalid parameter"}),
        ),
        (
            "/partitions/release",
            r#"{"collectionName":"quick_setup","partitionNames":["\ud800"]}"#,
            json!({"code": 200, "message": "partition not found[partition=\u{fffd}]"}),
        ),
    ];
    let mut failures = Vec::new();
    for (route, body, expected) in cases {
        let reply = app.post_bytes(route, body).await;
        if reply.json() != expected {
            failures.push(format!("POST {route} {body}\n  got      {}\n  expected {expected}", reply.text()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

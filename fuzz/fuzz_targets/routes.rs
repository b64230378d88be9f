//! Arbitrary bytes as the body of every Milvus route, through the whole router (middleware included), in a
//! current-thread runtime. The first byte picks the route, the second the headers; the rest is the body.
//!
//! A finding is a panic, a hang (libFuzzer's `-timeout`), an answer that is not Milvus's envelope (or its 408), or
//! a rejected call (code != 0) that changed the state.

#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::Request;
use libfuzzer_sys::fuzz_target;
use milvus_mock::{AppState, Config, testing::router};
use milvus_mock::catalog::Database;
use tower::ServiceExt;

#[path = "../../tests/reliability/common.rs"]
mod common;

struct World {
    runtime: tokio::runtime::Runtime,
    state: Arc<AppState>,
    app: milvus_mock::testing::MockService,
    paths: Vec<String>,
    seed: Vec<Database>,
    seed_dump: serde_json::Value,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let config = Config { fixtures: vec![common::seed()], journal_size: 0, ..Config::default() };
        let state = AppState::new(config).expect("the seed is valid");
        let paths = milvus_mock::testing::operations(&state.config.profile)
            .iter()
            .map(|op| op.rest_path().to_string())
            .collect();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let seed = state.catalog.snapshot();
        let seed_dump = common::state_of(&state.catalog);
        World { runtime, app: router(state.clone()), state, paths, seed, seed_dump }
    })
}

const DB_HEADERS: &[Option<&str>] = &[None, Some("library"), Some("missing"), Some("")];
const TIMEOUTS: &[Option<&str>] = &[None, Some("0"), Some("-1"), Some("abc"), Some("30")];

fuzz_target!(|data: &[u8]| {
    let w = world();
    let (route, flags, body) = match data {
        [r, f, rest @ ..] => (*r as usize, *f as usize, rest),
        _ => return,
    };
    let path = &w.paths[route % w.paths.len()];
    // Every input starts from the seed, so a finding replays alone.
    w.state.catalog.replace_all(w.seed.clone());
    let mut request = Request::post(path.as_str());
    if let Some(db) = DB_HEADERS[flags % DB_HEADERS.len()] {
        request = request.header("DB-Name", db);
    }
    let timeout = TIMEOUTS[(flags / DB_HEADERS.len()) % TIMEOUTS.len()];
    if let Some(t) = timeout {
        request = request.header("Request-Timeout", t);
    }
    let request = request.body(Body::from(body.to_vec())).unwrap();
    let (status, content_type, bytes) = w.runtime.block_on(async {
        let response = w.app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, content_type, bytes)
    });
    let answer = common::classify(status, content_type.as_deref(), &bytes, 0)
        .unwrap_or_else(|e| panic!("POST {path} {:?}: {e}", String::from_utf8_lossy(body)));
    let immediate_timeout = matches!(timeout, Some("0" | "-1"));
    match answer {
        common::Answer::Envelope(0) => {}
        common::Answer::Envelope(code) => {
            assert!(!immediate_timeout, "POST {path}: Request-Timeout {timeout:?} answered code {code}");
            let after = common::state_of(&w.state.catalog);
            assert!(
                after == w.seed_dump || common::documented_partial_change(path, &w.seed_dump, &after),
                "POST {path} {:?} answered code {code} but changed the state",
                String::from_utf8_lossy(body)
            );
        }
        common::Answer::Timeout => {
            assert!(immediate_timeout, "POST {path}: 408 without a zero Request-Timeout");
            assert!(common::state_of(&w.state.catalog) == w.seed_dump, "a timed-out call changed the state");
        }
        other => panic!("POST {path} {:?}: {other:?} is not an answer to a known route", String::from_utf8_lossy(body)),
    }
});

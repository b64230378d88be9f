//! The `data` scenario (issue 14): the data plane's speed and memory.
//!
//! * insert over REST (one keep-alive connection, 10,000 rows of 128 floats per body) in MB/s of request JSON,
//!   next to serde_json parsing the same body into typed rows;
//! * search of 100,000 rows of 128 dimensions, top 10, nq = 1: in process and over REST (end to end);
//! * 1,000,000 rows of 128 dimensions: resident memory over their raw bytes, and `count(*)` and a search still
//!   right at that size.
//!
//! faiss and numpy are not part of this run (no Python here); their figures are the issue's.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;
use milvus_mock::catalog::QueryRequest;

pub(crate) use milvus_mock::testing::vector;

/// The JSON text of `count` rows from `first` on: `[{"id":..,"vector":[..]},...]`.
fn rows_json(first: u64, count: u64, dim: usize) -> String {
    let mut out = String::with_capacity(count as usize * dim * 12);
    out.push('[');
    for id in first..first + count {
        if id > first {
            out.push(',');
        }
        out.push_str(&format!("{{\"id\":{id},\"vector\":["));
        for (j, x) in vector(id, dim).iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            out.push_str(&x.to_string());
        }
        out.push_str("]}");
    }
    out.push(']');
    out
}

/// One HTTP/1.1 POST on a kept-alive connection; the answer's body.
fn post(stream: &mut TcpStream, path: &str, body: &str) -> String {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).expect("write head");
    stream.write_all(body.as_bytes()).expect("write body");
    let mut answer = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    loop {
        let n = stream.read(&mut buf).expect("read answer");
        assert!(n > 0, "the server closed the connection");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if answer.len() >= end + 4 + length {
                return String::from_utf8_lossy(&answer[end + 4..end + 4 + length]).into_owned();
            }
        }
    }
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = status.lines().find_map(|l| l.strip_prefix("VmRSS:")).and_then(|v| v.split_whitespace().next());
    kib.and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

/// The checks of the scenario, as (what, value, target, pass).
pub fn run(short: bool) -> Vec<(String, String, String, Option<bool>)> {
    let mut checks = Vec::new();
    let dim = 128;
    // Memory first, while the process holds nothing else.
    memory(&mut checks, dim);
    let milvus = MockMilvus::start_blocking();
    let catalog = milvus.catalog();
    catalog.quick_setup("default", "rest", dim as i64).expect("collection");
    let rows = rows_json(0, 10_000, dim);
    let body = format!("{{\"collectionName\":\"rest\",\"data\":{rows}}}");
    let mut stream = TcpStream::connect(milvus.address()).expect("connect");
    stream.set_read_timeout(Some(Duration::from_secs(60))).ok();
    // Head and body go in two writes: without this, Nagle and the delayed ACK add 40 ms to every call.
    stream.set_nodelay(true).ok();
    let rounds = if short { 3 } else { 10 };
    let started = Instant::now();
    for _ in 0..rounds {
        let answer = post(&mut stream, "/v2/vectordb/entities/insert", &body);
        assert!(answer.starts_with("{\"code\":0"), "insert failed: {}", &answer[..answer.len().min(200)]);
    }
    let rest_mb_s = (body.len() * rounds) as f64 / started.elapsed().as_secs_f64() / 1e6;
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Row {
        id: i64,
        vector: Vec<f32>,
    }
    let started = Instant::now();
    for _ in 0..rounds {
        let parsed: Vec<Row> = serde_json::from_str(&rows).expect("typed rows");
        std::hint::black_box(parsed);
    }
    let serde_mb_s = (rows.len() * rounds) as f64 / started.elapsed().as_secs_f64() / 1e6;
    checks.push((
        "insert over REST, MB/s of JSON".into(),
        format!("{rest_mb_s:.0}"),
        ">= 100".into(),
        Some(rest_mb_s >= 100.0),
    ));
    let ratio = rest_mb_s / serde_mb_s;
    checks.push((
        format!("insert over REST / serde_json typed parse ({serde_mb_s:.0} MB/s)"),
        format!("{ratio:.2}x"),
        ">= 0.5x".into(),
        Some(ratio >= 0.5),
    ));

    // Search: 100,000 rows (the REST collection holds `rounds` copies of 10,000 ids; use one of its own).
    catalog.quick_setup("default", "search", dim as i64).expect("collection");
    for batch in 0..10 {
        let target = catalog.write_target("default", "search", "").expect("target");
        milvus_mock::rows::calls::write(
            &target,
            &rows_json(batch * 10_000, 10_000, dim),
            milvus_mock::rows::convert::Mode::Insert,
        )
        .expect("insert");
    }
    let query = vector(424_242, dim);
    let searches = if short { 20 } else { 100 };
    let started = Instant::now();
    for _ in 0..searches {
        std::hint::black_box(catalog.search_rows("default", "search", "vector", &query, 10).expect("search"));
    }
    let in_process = started.elapsed().as_secs_f64() / searches as f64;
    let search_body = format!("{{\"collectionName\":\"search\",\"data\":[{query:?}],\"limit\":10}}");
    let started = Instant::now();
    for _ in 0..searches {
        let answer = post(&mut stream, "/v2/vectordb/entities/search", &search_body);
        assert!(answer.starts_with("{\"code\":0"), "search failed: {answer}");
    }
    let over_rest = started.elapsed().as_secs_f64() / searches as f64;
    checks.push((
        "search 100k x 128, top 10, nq 1, in process".into(),
        format!("{:.2} ms", in_process * 1e3),
        "faiss IndexFlat: 1.8 ms on 2 cores (issue 14)".into(),
        None,
    ));
    let ratio = over_rest / in_process;
    checks.push((
        "the same search over REST / in process".into(),
        format!("{ratio:.2}x ({:.2} ms)", over_rest * 1e3),
        "<= 1.3x".into(),
        Some(ratio <= 1.3),
    ));
    drop(stream);
    drop(milvus);

    checks
}

/// 1,000,000 rows: resident memory over raw bytes, then `count(*)`, a search and a release at that size.
fn memory(checks: &mut Vec<(String, String, String, Option<bool>)>, dim: usize) {
    let milvus = MockMilvus::start_blocking();
    let catalog = milvus.catalog();
    catalog.quick_setup("default", "big", dim as i64).expect("collection");
    let before = rss_mib();
    let target = catalog.write_target("default", "big", "").expect("target");
    for batch in 0..100 {
        let text = rows_json(batch * 10_000, 10_000, dim);
        milvus_mock::rows::calls::write(&target, &text, milvus_mock::rows::convert::Mode::Insert).expect("insert");
    }
    let grown = rss_mib() - before;
    let raw = 1_000_000.0 * (dim as f64 * 4.0 + 8.0) / 1_048_576.0;
    checks.push((
        "1M x 128 rows: resident memory / raw bytes".into(),
        format!("{:.2}x ({grown:.0} MiB for {raw:.0} MiB)", grown / raw),
        "<= 1.25x".into(),
        Some(grown / raw <= 1.25),
    ));
    let count = catalog
        .query_rows("default", "big", QueryRequest { output_fields: vec!["count(*)".into()], ..Default::default() })
        .expect("count");
    let hits = catalog.search_rows("default", "big", "vector", &vector(777_777, dim), 1).expect("search");
    let right = count == [serde_json::json!({"count(*)": 1_000_000})]
        && hits.first().map(|h| &h.0) == Some(&milvus_mock::rows::Key::Int(777_777));
    checks.push(("1M x 128 rows: count(*) and a search right".into(), format!("{right}"), "true".into(), Some(right)));
    catalog.release_collection("default", "big").expect("release");
    let released = catalog.search_rows("default", "big", "vector", &vector(1, dim), 1).is_err();
    checks.push((
        "1M x 128 rows: a search after release fails (101)".into(),
        format!("{released}"),
        "true".into(),
        Some(released),
    ));
}

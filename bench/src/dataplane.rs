//! `dataplane` (issue 14, "Speed and scale"): the REST data plane against in-process references, side by side in
//! one run, each figure printed as a ratio next to its target.
//!
//! 1. **Search**: 100,000 rows x 128-dim float vectors (L2), top 10, nq = 1, one client connection, against the same
//!    search run in-process through the catalog's Rust API (`Catalog::search_rows`: the route's read target, empty
//!    filter and `rows::vector_search::run`, without JSON). Target: REST <= 1.3x in-process.
//! 2. **Insert**: MB/s of request JSON turned into stored rows (`id` Int64 pk, a 128-dim vector, a Double), bodies
//!    of 1,000 and 10,000 rows (target >= 100 MB/s), and against `serde_json` parsing the same bodies into a typed
//!    `Vec<Row>` in the bench process (target >= 0.5x).
//! 3. **Memory**: 1,000,000 rows of 128 dims + Int64 pk inserted over REST in batches into the release binary (a
//!    child process): its RSS growth over the empty collection's, against the raw 1M x (128 x 4 + 8) bytes (target
//!    <= 1.25x); then insert (`count(*)`), search (a stored vector's top 1 is itself) and release (search -> 101)
//!    still answer correctly.
//! 4. **Concurrency** (same binary): `collections/has` on collection B while A runs 1M-row searches, p50/p99 against
//!    A idle; then 16 threads inserting, searching, deleting and releasing/loading one collection for a few seconds,
//!    after which `count(*)` must equal inserted minus deleted.
//!
//! The machine is shared, so search and insert compare **CPU time** (the server thread's plus, for REST, the
//! client thread's; a thread's `schedstat`), not wall time; wall time is printed beside it. Rounds are interleaved
//! and the check takes the median of the round-by-round ratios.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;
use milvus_mock::rows::Key;
use serde::Deserialize;
use serde_json::Value;

use crate::data::vector;
use crate::load::{self, KeepAlive, Op, Plan, quantile_us};
use crate::{Bench, median, procs};

const DIM: usize = 128;
const DB: &str = "default";
const SEARCH_ROWS: u64 = 100_000;
const SEARCH_ROUNDS: usize = 5;
const QUERIES_PER_ROUND: usize = 100;
const INSERT_ROUNDS: usize = 3;
/// JSON sent per insert round (and parsed by serde per round).
const INSERT_BYTES_PER_ROUND: usize = 40_000_000;
const SCALE_ROWS: u64 = 1_000_000;
const SCALE_BATCH: u64 = 10_000;
const CHURN_THREADS: usize = 16;
const CHURN_SECONDS: f64 = 4.0;

/// The data-plane routes.
const INSERT: &str = "/v2/vectordb/entities/insert";
const SEARCH: &str = "/v2/vectordb/entities/search";
const QUERY: &str = "/v2/vectordb/entities/query";
const DELETE: &str = "/v2/vectordb/entities/delete";
const CREATE: &str = "/v2/vectordb/collections/create";
const DROP: &str = "/v2/vectordb/collections/drop";
const LOAD: &str = "/v2/vectordb/collections/load";
const RELEASE: &str = "/v2/vectordb/collections/release";
const HAS: &str = "/v2/vectordb/collections/has";

fn push_vector(out: &mut String, v: &[f32]) {
    out.push('[');
    for (j, x) in v.iter().enumerate() {
        if j > 0 {
            out.push(',');
        }
        let _ = write!(out, "{x}");
    }
    out.push(']');
}

/// An insert body: rows `ids` with `vector` (and `score` when `with_score`).
fn insert_body(collection: &str, ids: std::ops::Range<u64>, dim: usize, with_score: bool) -> String {
    let mut body = format!(r#"{{"collectionName":"{collection}","data":["#);
    for id in ids.clone() {
        if id > ids.start {
            body.push(',');
        }
        let _ = write!(body, r#"{{"id":{id},"vector":"#);
        push_vector(&mut body, &vector(id, dim));
        if with_score {
            let _ = write!(body, r#","score":{}"#, id as f64 * 0.25);
        }
        body.push('}');
    }
    body.push_str("]}");
    body
}

/// `collections/create` with a schema: `id` Int64 pk, `vector` FloatVector(dim) with an L2 index (so it is
/// loaded), and `score` Double when asked.
fn create_body(collection: &str, dim: usize, with_score: bool) -> String {
    let score = if with_score { r#",{"fieldName":"score","dataType":"Double"}"# } else { "" };
    format!(
        r#"{{"collectionName":"{collection}","schema":{{"autoId":false,"enableDynamicField":false,"fields":[{{"fieldName":"id","dataType":"Int64","isPrimary":true}},{{"fieldName":"vector","dataType":"FloatVector","elementTypeParams":{{"dim":"{dim}"}}}}{score}]}},"indexParams":[{{"fieldName":"vector","metricType":"L2","indexType":"AUTOINDEX"}}]}}"#
    )
}

fn search_body(collection: &str, query: &[f32], limit: usize) -> String {
    let mut body = format!(r#"{{"collectionName":"{collection}","annsField":"vector","limit":{limit},"data":["#);
    push_vector(&mut body, query);
    body.push_str("]}");
    body
}

fn name_body(collection: &str) -> String {
    format!(r#"{{"collectionName":"{collection}"}}"#)
}

/// The JSON answer of a call; `code` is its envelope code.
struct Answer {
    code: i64,
    json: Value,
}

/// A keep-alive client for set-up and checks: every call must be HTTP 200 with JSON.
struct Client {
    conn: KeepAlive,
    address: SocketAddr,
}

impl Client {
    fn open(address: SocketAddr) -> Self {
        Self { conn: KeepAlive::open(address).expect("connect"), address }
    }

    fn call(&mut self, path: &str, body: &str) -> Answer {
        let (status, text) = self.conn.call(self.address, path, body).unwrap_or_else(|e| panic!("{path}: {e}"));
        let json: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: HTTP {status}, {e}: {text}"));
        assert_eq!(status, 200, "{path}: {text}");
        Answer { code: json["code"].as_i64().unwrap_or(-1), json }
    }

    /// A call that must succeed (`code` 0); its `data`.
    fn ok(&mut self, path: &str, body: &str) -> Value {
        let answer = self.call(path, body);
        assert_eq!(answer.code, 0, "{path}: {}", answer.json);
        answer.json["data"].clone()
    }

    fn create(&mut self, collection: &str, dim: usize, with_score: bool) {
        self.ok(CREATE, &create_body(collection, dim, with_score));
        self.ok(LOAD, &name_body(collection));
    }

    fn count(&mut self, collection: &str) -> u64 {
        let body = format!(r#"{{"collectionName":"{collection}","filter":"","outputFields":["count(*)"]}}"#);
        self.ok(QUERY, &body)[0]["count(*)"].as_u64().expect("count(*)")
    }

    /// The ids and distances of a search's hits.
    fn search(&mut self, collection: &str, query: &[f32], limit: usize) -> Vec<(i64, f64)> {
        let data = self.ok(SEARCH, &search_body(collection, query, limit));
        hits_of(&data)
    }
}

fn hits_of(data: &Value) -> Vec<(i64, f64)> {
    data.as_array()
        .map(|hits| {
            hits.iter().map(|h| (h["id"].as_i64().unwrap_or(-1), h["distance"].as_f64().unwrap_or(-1.0))).collect()
        })
        .unwrap_or_default()
}

/// CPU time of a thread of the bench (the in-process server's), and of the calling thread.
fn cpu(tid: u32) -> Duration {
    procs::thread_cpu(tid).unwrap_or_default()
}

fn own_cpu() -> Duration {
    procs::own_thread_cpu().unwrap_or_default()
}

/// An in-process mock and its server thread.
struct InProcess {
    milvus: MockMilvus,
    tid: u32,
}

impl InProcess {
    fn start() -> Self {
        let before = procs::threads();
        let milvus = MockMilvus::builder().journal_size(0).start_blocking();
        let tid = procs::new_thread(&before, "milvus-mock").expect("the mock's server thread");
        Self { milvus, tid }
    }
}

/// One measured stretch: wall time and CPU time (server and client threads).
#[derive(Default, Clone, Copy)]
struct Cost {
    wall: Duration,
    server: Duration,
    client: Duration,
}

impl Cost {
    fn measure(server_tid: Option<u32>, f: impl FnOnce()) -> Self {
        let (w, s, c) = (Instant::now(), server_tid.map(cpu), own_cpu());
        f();
        Cost {
            wall: w.elapsed(),
            server: server_tid.map_or(Duration::ZERO, |t| cpu(t).saturating_sub(s.unwrap_or_default())),
            client: own_cpu().saturating_sub(c),
        }
    }

    fn cpu(&self) -> Duration {
        self.server + self.client
    }
}

fn ms(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e3 / n as f64
}

/// Median and range of some ratios, as text.
fn spread(sorted: &[f64]) -> String {
    match (sorted.first(), sorted.last()) {
        (Some(lo), Some(hi)) if sorted.len() > 1 => format!(" (rounds {lo:.2}-{hi:.2})"),
        _ => String::new(),
    }
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// `serde_json`'s typed parse of an insert body: the reference of the insert check.
#[derive(Deserialize)]
#[allow(dead_code)]
struct TypedBody {
    #[serde(rename = "collectionName")]
    collection_name: String,
    data: Vec<TypedRow>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct TypedRow {
    id: i64,
    vector: Vec<f32>,
    score: f64,
}

impl Bench {
    /// `--scenario dataplane`.
    pub(crate) fn dataplane(&mut self) {
        println!(
            "\n== dataplane: REST data plane vs in-process references (CPU time of server + client threads; wall \
             time beside it)"
        );
        let local = InProcess::start();
        self.dataplane_search(&local);
        self.dataplane_insert(&local);
        drop(local);
        let (glibc, _) = self.binaries(false);
        self.dataplane_scale(&glibc);
    }

    /// 1. REST search end to end against the in-process search of the same rows.
    fn dataplane_search(&mut self, local: &InProcess) {
        let name = "search_100k";
        let address = local.milvus.address();
        let mut client = Client::open(address);
        client.create(name, DIM, false);
        for start in (0..SEARCH_ROWS).step_by(SCALE_BATCH as usize) {
            client.ok(INSERT, &insert_body(name, start..start + SCALE_BATCH, DIM, false));
        }
        println!("  search: {SEARCH_ROWS} rows x {DIM} dims (L2), top 10, nq = 1, one connection");
        let queries: Vec<Vec<f32>> = (0..QUERIES_PER_ROUND as u64).map(|q| vector(10_000_000 + q, DIM)).collect();
        let requests: Vec<Vec<u8>> =
            queries.iter().map(|q| load::post_bytes(address, SEARCH, &search_body(name, q, 10))).collect();
        let catalog = local.milvus.catalog();
        let in_process = |query: &[f32]| -> Vec<i64> {
            let hits = catalog.search_rows(DB, name, "vector", query, 10).expect("in-process search");
            hits.iter().map(|(key, _)| if let Key::Int(i) = key { *i } else { -1 }).collect()
        };
        // Same answers both ways.
        let rest_ids: Vec<i64> = client.search(name, &queries[0], 10).iter().map(|h| h.0).collect();
        assert_eq!(rest_ids, in_process(&queries[0]), "REST and in-process searches disagree");
        // A connection's first request must come within the server's header timeout (1 s, as Milvus's
        // `ReadHeaderTimeout`) of the accept: it is the warm-up.
        let mut conn = KeepAlive::open(address).expect("connect");
        conn.send(&requests[0]).expect("warm-up search");
        let (mut cpu_ratios, mut wall_ratios) = (Vec::new(), Vec::new());
        let (mut local_costs, mut rest_costs) = (Vec::new(), Vec::new());
        for round in 0..SEARCH_ROUNDS {
            let inproc = Cost::measure(None, || {
                for q in &queries {
                    std::hint::black_box(in_process(q));
                }
            });
            let rest = Cost::measure(Some(local.tid), || {
                for r in &requests {
                    let (status, body) = conn.send(r).expect("search");
                    assert!(status == 200 && body.starts_with(r#"{"code":0"#), "search: {body}");
                }
            });
            let n = queries.len();
            eprintln!(
                "  round {}/{SEARCH_ROUNDS}: in-process {:.2} ms CPU ({:.2} wall), REST {:.2} ms CPU ({:.2} server + \
                 {:.2} client; {:.2} wall) per query",
                round + 1,
                ms(inproc.cpu(), n),
                ms(inproc.wall, n),
                ms(rest.cpu(), n),
                ms(rest.server, n),
                ms(rest.client, n),
                ms(rest.wall, n)
            );
            cpu_ratios.push(rest.cpu().as_secs_f64() / inproc.cpu().as_secs_f64());
            wall_ratios.push(rest.wall.as_secs_f64() / inproc.wall.as_secs_f64());
            local_costs.push(ms(inproc.cpu(), n));
            rest_costs.push(ms(rest.cpu(), n));
        }
        let (cpu_ratios, wall_ratios) = (sorted(cpu_ratios), sorted(wall_ratios));
        let ratio = median(&cpu_ratios);
        self.check(
            "search 100k: REST / in-process (CPU)",
            format!(
                "{ratio:.2}x{}; {:.2} vs {:.2} ms CPU per query; wall ratio {:.2}x",
                spread(&cpu_ratios),
                median(&sorted(rest_costs)),
                median(&sorted(local_costs)),
                median(&wall_ratios)
            ),
            "<= 1.30x",
            Some(ratio <= 1.3),
        );
        client.ok(DROP, &name_body(name));
    }

    /// 2. Insert over REST: MB/s of JSON into stored rows, and against serde's typed parse of the same bodies.
    fn dataplane_insert(&mut self, local: &InProcess) {
        let name = "insert_bench";
        let address = local.milvus.address();
        let mut client = Client::open(address);
        for rows in [1_000u64, 10_000] {
            let one = insert_body(name, 0..rows, DIM, true).len();
            let per_round = INSERT_BYTES_PER_ROUND.div_ceil(one).max(2) as u64;
            let bodies: Vec<String> =
                (0..per_round).map(|k| insert_body(name, k * rows..(k + 1) * rows, DIM, true)).collect();
            let requests: Vec<Vec<u8>> = bodies.iter().map(|b| load::post_bytes(address, INSERT, b)).collect();
            let bytes: usize = bodies.iter().map(String::len).sum();
            println!(
                "  insert: bodies of {rows} rows ({:.2} MB each; id Int64, vector 128 x f32, score Double), {per_round} \
                 per round",
                one as f64 / 1e6
            );
            let (mut speeds, mut ratios, mut walls) = (Vec::new(), Vec::new(), Vec::new());
            for round in 0..INSERT_ROUNDS {
                client.create(name, DIM, true);
                let rest = Cost::measure(Some(local.tid), || {
                    for r in &requests {
                        let (status, body) = client.conn.send(r).expect("insert");
                        assert!(
                            status == 200 && body.starts_with(r#"{"code":0"#),
                            "insert: {}",
                            &body[..body.len().min(300)]
                        );
                    }
                });
                assert_eq!(client.count(name), rows * per_round, "rows stored");
                client.ok(DROP, &name_body(name));
                let serde = Cost::measure(None, || {
                    for b in &bodies {
                        let typed: TypedBody = serde_json::from_str(b).expect("typed rows");
                        std::hint::black_box(typed);
                    }
                });
                let mb = bytes as f64 / 1e6;
                let (rest_speed, serde_speed) = (mb / rest.server.as_secs_f64(), mb / serde.client.as_secs_f64());
                eprintln!(
                    "  round {}/{INSERT_ROUNDS}: REST {rest_speed:.0} MB/s of server CPU ({:.0} MB/s wall), serde typed \
                     {serde_speed:.0} MB/s",
                    round + 1,
                    mb / rest.wall.as_secs_f64()
                );
                speeds.push(rest_speed);
                ratios.push(rest_speed / serde_speed);
                walls.push(mb / rest.wall.as_secs_f64());
            }
            let (speeds, ratios) = (sorted(speeds), sorted(ratios));
            let speed = median(&speeds);
            self.check(
                &format!("insert {rows}-row bodies: MB/s (server CPU)"),
                format!(
                    "{speed:.0} MB/s (rounds {:.0}-{:.0}); wall {:.0} MB/s",
                    speeds[0],
                    speeds[speeds.len() - 1],
                    median(&sorted(walls))
                ),
                ">= 100 MB/s",
                Some(speed >= 100.0),
            );
            let ratio = median(&ratios);
            self.check(
                &format!("insert {rows}-row bodies: REST / serde typed"),
                format!("{ratio:.2}x{}", spread(&ratios)),
                ">= 0.50x",
                Some(ratio >= 0.5),
            );
        }
    }

    /// 3 and 4. The release binary as a child process: 1M rows, RSS, correctness at that size, then concurrency.
    fn dataplane_scale(&mut self, binary: &Path) {
        let port = procs::free_port();
        let args = ["--host".to_string(), "127.0.0.1".into(), "--port".into(), port.to_string()];
        let server = procs::spawn(binary, &args, &[("RUST_LOG", "warn")], port).expect("spawn milvus-mock");
        procs::wait_ready(server.address, Instant::now(), Duration::from_secs(10)).expect("binary ready");
        let address = server.address;
        let pid = server.pid();
        let mut client = Client::open(address);
        let (big, other, churn) = ("big", "other", "churn");
        client.create(big, DIM, false);
        client.create(other, 8, false);
        client.create(churn, 8, false);
        let baseline_kb = procs::rss_kb(pid).unwrap_or(0);
        println!(
            "  scale: target/release/milvus-mock (multi-thread runtime, RUST_LOG=warn), {SCALE_ROWS} rows x {DIM} dims \
             + Int64 pk in bodies of {SCALE_BATCH} rows over REST"
        );
        let (mut sent, mut server_cpu) = (0usize, Duration::ZERO);
        for start in (0..SCALE_ROWS).step_by(SCALE_BATCH as usize) {
            let request = load::post_bytes(address, INSERT, &insert_body(big, start..start + SCALE_BATCH, DIM, false));
            let before = procs::process_cpu(pid).unwrap_or_default();
            let (status, body) = client.conn.send(&request).expect("insert");
            assert!(status == 200 && body.starts_with(r#"{"code":0"#), "insert: {body}");
            server_cpu += procs::process_cpu(pid).unwrap_or_default().saturating_sub(before);
            sent += request.len();
        }
        let after_kb = procs::rss_kb(pid).unwrap_or(0);
        let raw = SCALE_ROWS as f64 * (DIM * 4 + 8) as f64;
        let grown = after_kb.saturating_sub(baseline_kb) as f64 * 1024.0;
        println!(
            "  inserted {:.0} MB of JSON in {:.1} s of server CPU ({:.0} MB/s at this size); RSS {:.1} -> {:.1} MB",
            sent as f64 / 1e6,
            server_cpu.as_secs_f64(),
            sent as f64 / 1e6 / server_cpu.as_secs_f64().max(1e-9),
            baseline_kb as f64 / 1024.0,
            after_kb as f64 / 1024.0
        );
        self.check(
            "memory: 1M x 128 RSS growth / raw bytes",
            format!("{:.2}x ({:.0} MB over {:.0} MB raw)", grown / raw, grown / 1e6, raw / 1e6),
            "<= 1.25x",
            Some(grown / raw <= 1.25),
        );
        self.dataplane_correct_at_scale(&mut client, big, "after insert");
        self.dataplane_has_latency(address, big, other);
        self.dataplane_churn(address, &mut client, churn);
        // Release: reads fail with 101; a reload makes every row visible again.
        client.ok(RELEASE, &name_body(big));
        let released = client.call(SEARCH, &search_body(big, &vector(0, DIM), 1));
        client.ok(LOAD, &name_body(big));
        self.check("1M: search after release", format!("code {}", released.code), "101", Some(released.code == 101));
        self.dataplane_correct_at_scale(&mut client, big, "after release + load");
        drop(server);
    }

    /// `count(*)` is every row, and a stored vector's top 1 is itself (distance 0).
    fn dataplane_correct_at_scale(&mut self, client: &mut Client, big: &str, when: &str) {
        let count = client.count(big);
        let mut found = Vec::new();
        let started = Instant::now();
        let probes = [0, SCALE_ROWS / 2 + 7, SCALE_ROWS - 1];
        for id in probes {
            found.push(client.search(big, &vector(id, DIM), 1).first().copied());
        }
        let per_search = ms(started.elapsed(), probes.len());
        let right = probes.iter().zip(&found).all(|(id, hit)| *hit == Some((*id as i64, 0.0)));
        self.check(
            &format!("1M {when}: count(*), self top-1"),
            format!("count {count}, hits {found:?}, {per_search:.0} ms wall per search"),
            "count 1000000, each probe finds itself at 0",
            Some(count == SCALE_ROWS && right),
        );
    }

    /// `collections/has` on B with A idle, then while one connection runs 1M-row searches on A.
    fn dataplane_has_latency(&mut self, address: SocketAddr, big: &str, other: &str) {
        let has = Op::post("has", address, HAS, &name_body(other));
        let search = Op::post("search", address, SEARCH, &search_body(big, &vector(42, DIM), 10));
        let window = Duration::from_secs(4);
        let idle = Plan { ops: vec![vec![has.clone()]], warmup: Duration::from_millis(300), duration: window };
        let busy = Plan { ops: vec![vec![search], vec![has]], warmup: Duration::from_millis(300), duration: window };
        let idle = self.runtime.block_on(load::run(address, &idle)).expect("has, A idle");
        let busy = self.runtime.block_on(load::run(address, &busy)).expect("has, A searching");
        let of = |r: &load::LoadResult, name: &str| {
            r.per_op.iter().find(|o| o.name == name).map(|o| o.nanos.clone()).unwrap_or_default()
        };
        let (idle_has, busy_has, searches) = (of(&idle, "has"), of(&busy, "has"), of(&busy, "search"));
        let errors = idle.errors + busy.errors;
        self.failed_requests.set(self.failed_requests.get() + errors);
        let search_p50 = quantile_us(&searches, 0.5);
        let busy_p99 = quantile_us(&busy_has, 0.99);
        self.check(
            "has on B while A searches 1M rows",
            format!(
                "p50/p99 {:.0}/{:.0} us vs A idle {:.0}/{:.0} us; A: {} searches, p50 {:.0} ms; {errors} errors",
                quantile_us(&busy_has, 0.5),
                busy_p99,
                quantile_us(&idle_has, 0.5),
                quantile_us(&idle_has, 0.99),
                searches.len(),
                search_p50 / 1e3
            ),
            "p99 < A's search p50 (never waits out a search)",
            Some(errors == 0 && busy_p99 < search_p50),
        );
    }

    /// 16 threads inserting, searching, deleting and releasing/loading one collection; then `count(*)` must equal
    /// inserted minus deleted.
    fn dataplane_churn(&mut self, address: SocketAddr, client: &mut Client, churn: &str) {
        let inserted_ids: Mutex<VecDeque<u64>> = Mutex::new(VecDeque::new());
        let until = Instant::now() + Duration::from_secs_f64(CHURN_SECONDS);
        let totals: Vec<Churn> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..CHURN_THREADS)
                .map(|t| {
                    let ids = &inserted_ids;
                    s.spawn(move || churn_thread(address, churn, t, until, ids))
                })
                .collect();
            workers.into_iter().map(|w| w.join().expect("churn thread")).collect()
        });
        let total = totals.iter().fold(Churn::default(), |a, b| a.plus(b));
        client.ok(LOAD, &name_body(churn));
        let count = client.count(churn);
        let expected = total.inserted - total.deleted;
        self.failed_requests.set(self.failed_requests.get() + total.errors);
        self.check(
            "16 threads: count(*) = inserted - deleted",
            format!(
                "{count} = {} - {} ({} inserts, {} searches ({} answered 101 while released), {} deletes, {} \
                 release/load; {} errors)",
                total.inserted,
                total.deleted,
                total.insert_calls,
                total.searches,
                total.gated,
                total.delete_calls,
                total.toggles,
                total.errors
            ),
            "equal, 0 errors",
            Some(count == expected && total.errors == 0),
        );
    }
}

/// What one churn thread did.
#[derive(Default)]
struct Churn {
    inserted: u64,
    deleted: u64,
    insert_calls: u64,
    delete_calls: u64,
    searches: u64,
    gated: u64,
    toggles: u64,
    errors: u64,
}

impl Churn {
    fn plus(self, o: &Churn) -> Churn {
        Churn {
            inserted: self.inserted + o.inserted,
            deleted: self.deleted + o.deleted,
            insert_calls: self.insert_calls + o.insert_calls,
            delete_calls: self.delete_calls + o.delete_calls,
            searches: self.searches + o.searches,
            gated: self.gated + o.gated,
            toggles: self.toggles + o.toggles,
            errors: self.errors + o.errors,
        }
    }
}

/// One of the 16 threads: by `t % 4` it inserts 50 rows at a time, searches, deletes up to 20 inserted rows by key,
/// or releases and loads the collection. Keys are unique per thread, so every delete removes what it names.
fn churn_thread(address: SocketAddr, name: &str, t: usize, until: Instant, ids: &Mutex<VecDeque<u64>>) -> Churn {
    let mut client = Client::open(address);
    let mut done = Churn::default();
    let mut next = t as u64 * 1_000_000_000;
    let mut toggle = false;
    while Instant::now() < until {
        match t % 4 {
            0 => {
                let answer = client.call(INSERT, &insert_body(name, next..next + 50, 8, false));
                if answer.code == 0 {
                    ids.lock().expect("ids").extend(next..next + 50);
                    done.inserted += 50;
                    done.insert_calls += 1;
                } else {
                    done.errors += 1;
                }
                next += 50;
            }
            1 => {
                let answer = client.call(SEARCH, &search_body(name, &vector(next, 8), 5));
                next += 1;
                match answer.code {
                    0 => done.searches += 1,
                    101 => {
                        done.searches += 1;
                        done.gated += 1;
                    }
                    _ => done.errors += 1,
                }
            }
            2 => {
                let doomed: Vec<u64> = {
                    let mut queue = ids.lock().expect("ids");
                    let n = queue.len().min(20);
                    queue.drain(..n).collect()
                };
                if doomed.is_empty() {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                let list: Vec<String> = doomed.iter().map(u64::to_string).collect();
                let body = format!(r#"{{"collectionName":"{name}","filter":"id in [{}]"}}"#, list.join(","));
                match client.call(DELETE, &body).code {
                    0 => {
                        done.deleted += doomed.len() as u64;
                        done.delete_calls += 1;
                    }
                    _ => done.errors += 1,
                }
            }
            _ => {
                toggle = !toggle;
                let path = if toggle { RELEASE } else { LOAD };
                match client.call(path, &name_body(name)).code {
                    0 => done.toggles += 1,
                    _ => done.errors += 1,
                }
            }
        }
    }
    done
}

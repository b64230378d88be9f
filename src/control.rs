//! The test-control plane under `/_mock/` (never a Milvus path): reset, state dump and restore, the request journal,
//! fault and latency injection, and load timing. It answers plain JSON, not the Milvus envelope, and rejects bad
//! input with HTTP 400 `{"error": "..."}`.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;

use crate::app::AppState;
use crate::fixtures::{self, Fixture};
use crate::ops::{Operation, Transport};

/// A control-plane answer.
type Answer = Result<(StatusCode, axum::Json<Value>), ControlError>;

/// A rejected control-plane request: HTTP 400 with a clear message.
#[derive(Debug)]
pub(crate) struct ControlError(String);

impl IntoResponse for ControlError {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, axum::Json(json!({"error": self.0}))).into_response()
    }
}

fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, axum::Json(value)))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes, empty_ok: bool) -> Result<Option<T>, ControlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return if empty_ok { Ok(None) } else { Err(ControlError("a JSON body is required".into())) };
    }
    serde_json::from_slice(body).map(Some).map_err(|e| ControlError(format!("bad JSON body: {e}")))
}

/// The `/_mock` router.
///
/// Every answer is JSON: axum's own rejections (405, a bad query string, a body over the limit) are rewritten as
/// `{"error": "..."}`, and an unknown `/_mock` path is a JSON 404. `PUT /_mock/state` has no body limit: a dump the
/// server wrote must always load back, whatever its size.
pub(crate) fn router(state: Arc<AppState>) -> Router<Arc<AppState>> {
    let limit = axum::extract::DefaultBodyLimit::max(state.config.body_limit);
    Router::new()
        .route("/_mock/reset", post(reset).layer(limit))
        .route("/_mock/state", get(get_state).put(put_state).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/_mock/requests", get(get_requests).delete(clear_requests).layer(limit))
        .route("/_mock/faults", get(list_faults).post(add_fault).delete(clear_faults).layer(limit))
        .route("/_mock/load-duration", post(set_load_duration).layer(limit))
        .route("/_mock", any(unknown_path))
        .route("/_mock/{*rest}", any(unknown_path))
        .layer(middleware::from_fn(json_rejections))
        .layer(middleware::from_fn_with_state(state.clone(), require_token))
}

/// An unknown `/_mock` path.
async fn unknown_path(uri: axum::http::Uri) -> Response {
    let body = axum::Json(json!({"error": format!("no control-plane route {}", uri.path())}));
    (StatusCode::NOT_FOUND, body).into_response()
}

/// Rewrites axum's plain-text (or empty) error answers as `{"error": "..."}`, keeping their status.
async fn json_rejections(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let mut message = match axum::body::to_bytes(response.into_body(), 64 * 1024).await {
        Ok(text) => String::from_utf8_lossy(&text).trim().to_string(),
        Err(_) => String::new(),
    };
    if status == StatusCode::METHOD_NOT_ALLOWED {
        message = format!("method {method} is not allowed on {path}");
    } else if message.is_empty() {
        message = status.canonical_reason().unwrap_or("error").to_string();
    }
    (status, axum::Json(json!({"error": message}))).into_response()
}

/// `--control-token`: the control plane wants `Authorization: Bearer <token>`.
async fn require_token(State(app): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(token) = &app.config.control_token {
        let given = request.headers().get("Authorization").and_then(|h| h.to_str().ok()).unwrap_or("");
        let expected = format!("Bearer {token}");
        if !crate::auth::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            let body = axum::Json(json!({"error": "the control plane needs Authorization: Bearer <control token>"}));
            return (StatusCode::UNAUTHORIZED, body).into_response();
        }
    }
    next.run(request).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ResetRequest {
    db_name: Option<String>,
}

/// Runs heavy control-plane work (building, dumping or replacing a large state, reading the journal) off the
/// async workers, so that `/healthz` and Milvus calls go on meanwhile.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, ControlError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ControlError(format!("the control-plane call failed: {e}")))
}

/// `POST /_mock/reset`: everything back to the start (fixtures re-applied), or only `dbName`. Calls delayed past
/// their answer by a latency fault are cancelled first.
async fn reset(State(app): State<Arc<AppState>>, body: Bytes) -> Answer {
    let request: Option<ResetRequest> = parse(&body, true)?;
    blocking(move || {
        let initial = fixtures::build(&app.catalog, &app.config.fixtures).map_err(|e| ControlError(e.to_string()))?;
        app.faults.cancel_delayed();
        match request.and_then(|r| r.db_name) {
            None => {
                app.catalog.replace_all(initial);
                ok(json!({"reset": "all"}))
            }
            Some(db) => {
                let database = initial.into_iter().find(|d| d.name == db);
                app.catalog.replace_database(&db, database);
                ok(json!({"reset": db}))
            }
        }
    })
    .await?
}

/// `GET /_mock/state`: the whole state in the fixture format.
async fn get_state(State(app): State<Arc<AppState>>) -> Result<Response, ControlError> {
    let body = blocking(move || fixtures::dump_json(&app.catalog)).await?;
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response())
}

/// `PUT /_mock/state`: replaces the whole state with a fixture document; nothing changes if it is invalid.
async fn put_state(State(app): State<Arc<AppState>>, body: Bytes) -> Answer {
    blocking(move || {
        let value: Value = parse(&body, false)?.unwrap_or_default();
        drop(body);
        let databases = fixtures::build(&app.catalog, &[Fixture::new("PUT /_mock/state", value)])
            .map_err(|e| ControlError(e.to_string()))?;
        app.faults.cancel_delayed();
        app.catalog.replace_all(databases);
        ok(json!({"replaced": true}))
    })
    .await?
}

// ---- the request journal ----

/// One Milvus call, as the journal keeps it.
///
/// ```
/// let milvus = milvus_mock::MockMilvus::start_blocking();
/// // ... the code under test calls the mock ...
/// milvus.http_call_blocking("POST", "/v2/vectordb/collections/has", &[], r#"{"collectionName":"book"}"#);
/// let call = &milvus.requests()[0];
/// assert_eq!((call.path.as_str(), call.db_name.as_str(), call.collection.as_deref()), ("/v2/vectordb/collections/has", "default", Some("book")));
/// assert_eq!((call.operation.name(), call.transport), ("collections/has", milvus_mock::ops::Transport::Rest));
/// assert_eq!((call.code, call.http_status, call.connection_closed), (Some(0), Some(200), false));
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub method: String,
    pub path: String,
    /// The Milvus operation, named as its REST path below `/v2/vectordb/` (`partitions/release`).
    pub operation: Operation,
    /// The wire the call came in on (`rest`).
    pub transport: Transport,
    pub db_name: String,
    pub collection: Option<String>,
    /// The body as JSON when it parses, else as text.
    pub body: Value,
    /// The Milvus `code` answered (absent for 404, 401 and such).
    pub code: Option<i64>,
    /// The HTTP status answered; `null` when the connection was closed instead (a `closeConnection` fault).
    pub http_status: Option<u16>,
    /// True when the client got no answer: the connection was closed (a `closeConnection` fault).
    pub connection_closed: bool,
    pub latency_us: u64,
    /// A call that ran after its answer (a latency fault past `Request-Timeout` answered 408 first): `code` and
    /// `httpStatus` are those of the answer it would have given. Left out of the JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

/// What the hot path keeps of a call: cheap to record, turned into a [`JournalEntry`] when read.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub time_ms: u64,
    pub operation: Operation,
    pub transport: Transport,
    /// The names as the call was decoded (the body kept below may be cut).
    pub db: String,
    pub collection: Option<String>,
    pub body: Bytes,
    pub code: Option<i64>,
    /// `None`: no answer, the connection was closed.
    pub http_status: Option<u16>,
    pub latency_us: u64,
    pub late: bool,
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let body = serde_json::from_slice(&self.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()));
        JournalEntry {
            time_ms: self.time_ms,
            method: "POST".into(),
            path: self.operation.rest_path().to_string(),
            operation: self.operation,
            transport: self.transport,
            db_name: self.db.clone(),
            collection: self.collection.clone(),
            body,
            code: self.code,
            http_status: self.http_status,
            connection_closed: self.http_status.is_none(),
            latency_us: self.latency_us,
            late: self.late,
        }
    }
}

/// A bounded journal: when full, the oldest entries go first and are counted.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    inner: Mutex<JournalInner>,
}

#[derive(Debug, Default)]
struct JournalInner {
    entries: VecDeque<Recorded>,
    dropped: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(JournalInner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JournalInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one call (a no-op when the capacity is 0).
    pub fn record(&self, entry: Recorded) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        while inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
            inner.dropped += 1;
        }
        inner.entries.push_back(entry);
    }

    /// The entries (oldest first) and how many were dropped.
    pub fn entries(&self) -> (Vec<JournalEntry>, u64) {
        let (recorded, dropped) = {
            let inner = self.lock();
            (inner.entries.iter().cloned().collect::<Vec<_>>(), inner.dropped)
        };
        (recorded.iter().map(Recorded::entry).collect(), dropped)
    }

    pub fn clear(&self) {
        *self.lock() = JournalInner::default();
    }

    /// How many entries it keeps (0: off).
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JournalFilter {
    path: Option<String>,
    collection: Option<String>,
    db_name: Option<String>,
    code: Option<i64>,
}

/// `GET /_mock/requests?path=&collection=&dbName=&code=`.
async fn get_requests(State(app): State<Arc<AppState>>, Query(filter): Query<JournalFilter>) -> Answer {
    blocking(move || journal_answer(&app, filter)).await?
}

fn journal_answer(app: &AppState, filter: JournalFilter) -> Answer {
    let (entries, dropped) = app.journal.entries();
    let matching: Vec<&JournalEntry> = entries
        .iter()
        .filter(|e| filter.path.as_ref().is_none_or(|p| &e.path == p || e.path.ends_with(p.as_str())))
        .filter(|e| filter.collection.as_ref().is_none_or(|c| e.collection.as_ref() == Some(c)))
        .filter(|e| filter.db_name.as_ref().is_none_or(|d| &e.db_name == d))
        .filter(|e| filter.code.is_none_or(|c| e.code == Some(c)))
        .collect();
    ok(json!({"requests": matching, "dropped": dropped, "capacity": app.journal.capacity}))
}

/// `DELETE /_mock/requests`.
async fn clear_requests(State(app): State<Arc<AppState>>) -> Answer {
    app.journal.clear();
    ok(json!({"cleared": true}))
}

// ---- faults ----

/// A fault rule: which calls it matches and what it does to them.
///
/// ```
/// use milvus_mock::control::FaultRule;
/// let rule: FaultRule = serde_json::from_value(serde_json::json!(
///     {"path": "partitions/release", "collection": "quick_setup", "latencyMs": 200, "probability": 0.5, "seed": 7}
/// )).unwrap();
/// let milvus = milvus_mock::MockMilvus::start_blocking();
/// assert_eq!(milvus.add_fault(rule).unwrap(), 1);
/// ```
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FaultRule {
    /// The operation: its REST path in full (`/v2/vectordb/partitions/release`) or its name
    /// (`partitions/release`, which a gRPC `ReleasePartitions` carries too); `*` matches every operation.
    pub path: String,
    pub db_name: Option<String>,
    pub collection: Option<String>,
    /// Answer this Milvus code (with `message`) instead of running the call.
    pub code: Option<i64>,
    pub message: Option<String>,
    /// The HTTP status of the injected answer (default 200, as Milvus's errors).
    pub http_status: Option<u16>,
    /// Close the connection instead of answering.
    #[serde(default)]
    pub close_connection: bool,
    /// Panic inside the handler: exercises the server's panic handling (HTTP 500 `{"code":500}`).
    #[serde(default)]
    pub panic: bool,
    /// Delay the call (and its answer) by this much; past the request's `Request-Timeout` the answer is 408.
    pub latency_ms: Option<u64>,
    /// Apply to the next N matching calls only (default: every one).
    pub times: Option<u64>,
    /// Apply with this probability (0..=1), drawn from a generator seeded with `seed`, so runs repeat.
    pub probability: Option<f64>,
    pub seed: Option<u64>,
}

/// What a matching rule does to one call.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FaultAction {
    pub latency: Option<Duration>,
    pub answer: Option<(u16, i64, String)>,
    pub close_connection: bool,
    pub panic: bool,
}

#[derive(Debug)]
struct ActiveFault {
    id: u64,
    rule: FaultRule,
    remaining: Option<u64>,
    rng: u64,
    applied: u64,
}

/// The fault rules in force.
#[derive(Debug, Default)]
pub(crate) struct Faults {
    inner: Mutex<(u64, Vec<ActiveFault>)>,
    /// How many rules are in force, readable without the lock: the hot path only looks here.
    active: AtomicUsize,
    delayed: DelayedCalls,
}

/// The calls a latency fault delayed past their answer (408), still to run: a generation that cancelling bumps.
/// A call runs while it holds the generation's read lock, and cancelling takes the write lock: a call either runs
/// entirely before a cancel returns or not at all.
#[derive(Debug)]
pub(crate) struct DelayedCalls(Arc<tokio::sync::watch::Sender<u64>>);

impl Default for DelayedCalls {
    fn default() -> Self {
        Self(Arc::new(tokio::sync::watch::Sender::new(0)))
    }
}

/// One delayed call's ticket: cancelled when the generation it was issued in ends.
pub(crate) struct DelayedCall {
    generation: u64,
    changes: tokio::sync::watch::Receiver<u64>,
}

impl DelayedCalls {
    /// Cancels every delayed call that has not run yet, after waiting for one that is running.
    pub fn cancel_all(&self) {
        self.0.send_modify(|g| *g += 1);
    }
}

impl DelayedCall {
    /// Runs `f` after `delay` unless cancelled meanwhile (then `None`, and whatever `f` holds is freed at once).
    pub async fn run_after<T>(mut self, delay: Duration, f: impl FnOnce() -> T) -> Option<T> {
        let generation = self.generation;
        {
            let cancelled = async { self.changes.wait_for(|g| *g != generation).await.is_ok() };
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                true = cancelled => return None,
            }
        }
        let current = self.changes.borrow();
        (*current == generation).then(f)
    }
}

/// splitmix64: small, fast and repeatable for a seed.
fn next_random(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, (u64, Vec<ActiveFault>)> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether any rule is in force: the hot path checks this before anything else.
    pub fn is_empty(&self) -> bool {
        self.active.load(Ordering::Relaxed) == 0
    }

    pub fn add(&self, rule: FaultRule) -> Result<u64, String> {
        if rule.path.is_empty() {
            return Err("\"path\" is required (a Milvus route such as /v2/vectordb/partitions/release, or *)".into());
        }
        if let Some(p) = rule.probability
            && !(0.0..=1.0).contains(&p)
        {
            return Err(format!("\"probability\" must be between 0 and 1, got {p}"));
        }
        let does_something = rule.code.is_some()
            || rule.http_status.is_some()
            || rule.latency_ms.is_some()
            || rule.close_connection
            || rule.panic;
        if !does_something {
            let kinds = "\"code\", \"httpStatus\", \"latencyMs\", \"closeConnection\", \"panic\"";
            return Err(format!("a fault needs at least one of {kinds}"));
        }
        if let Some(status) = rule.http_status
            && !(200..=599).contains(&status)
        {
            return Err(format!("\"httpStatus\" must be from 200 to 599, got {status}"));
        }
        if rule.times == Some(0) {
            return Err("\"times\" must be at least 1 (leave it out for every call)".into());
        }
        let mut inner = self.lock();
        inner.0 += 1;
        let id = inner.0;
        let rng = rule.seed.unwrap_or(id);
        inner.1.push(ActiveFault { id, remaining: rule.times, rng, applied: 0, rule });
        self.active.store(inner.1.len(), Ordering::Relaxed);
        Ok(id)
    }

    pub fn list(&self) -> Value {
        let inner = self.lock();
        let rules: Vec<Value> = inner
            .1
            .iter()
            .map(|f| json!({"id": f.id, "rule": f.rule, "remaining": f.remaining, "applied": f.applied}))
            .collect();
        Value::Array(rules)
    }

    /// Removes every rule and cancels the calls they delayed.
    pub fn clear(&self) {
        {
            let mut inner = self.lock();
            inner.1.clear();
            self.active.store(0, Ordering::Relaxed);
        }
        self.cancel_delayed();
    }

    /// A ticket for a call delayed past its answer.
    pub fn delayed(&self) -> DelayedCall {
        let changes = self.delayed.0.subscribe();
        let generation = *changes.borrow();
        DelayedCall { generation, changes }
    }

    /// Cancels the delayed calls (a reset or a state replacement: nothing from before may change the new state).
    pub fn cancel_delayed(&self) {
        self.delayed.cancel_all();
    }

    /// The action of the first rule that matches this call, consuming one of its `times`. Rules match by operation
    /// (see [`Operation::matches`]), whatever the transport.
    pub fn take(&self, operation: Operation, db: &str, collection: Option<&str>) -> Option<FaultAction> {
        let mut inner = self.lock();
        let rules = &mut inner.1;
        let mut hit = None;
        for (i, f) in rules.iter_mut().enumerate() {
            let r = &f.rule;
            let path_ok = operation.matches(&r.path);
            let db_ok = r.db_name.as_deref().is_none_or(|d| d == db);
            let coll_ok = r.collection.as_deref().is_none_or(|c| Some(c) == collection);
            if !(path_ok && db_ok && coll_ok) || f.remaining == Some(0) {
                continue;
            }
            if let Some(p) = r.probability
                && next_random(&mut f.rng) >= p
            {
                continue;
            }
            f.applied += 1;
            if let Some(n) = f.remaining.as_mut() {
                *n -= 1;
            }
            let answer = (r.code.is_some() || r.http_status.is_some()).then(|| {
                let code = r.code.unwrap_or(65535);
                let message = r.message.clone().unwrap_or_else(|| "injected fault".into());
                (r.http_status.unwrap_or(200), code, message)
            });
            hit = Some((
                i,
                FaultAction {
                    latency: r.latency_ms.map(Duration::from_millis),
                    answer,
                    close_connection: r.close_connection,
                    panic: r.panic,
                },
            ));
            break;
        }
        let (i, action) = hit?;
        if rules[i].remaining == Some(0) {
            rules.remove(i);
            self.active.store(rules.len(), Ordering::Relaxed);
        }
        Some(action)
    }
}

async fn add_fault(State(app): State<Arc<AppState>>, body: Bytes) -> Answer {
    let rule: FaultRule = parse(&body, false)?.ok_or_else(|| ControlError("a JSON body is required".into()))?;
    let id = app.faults.add(rule).map_err(ControlError)?;
    Ok((StatusCode::CREATED, axum::Json(json!({"id": id}))))
}

async fn list_faults(State(app): State<Arc<AppState>>) -> Answer {
    ok(json!({"faults": app.faults.list()}))
}

async fn clear_faults(State(app): State<Arc<AppState>>) -> Answer {
    app.faults.clear();
    ok(json!({"cleared": true}))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct LoadDurationRequest {
    db_name: Option<String>,
    collection_name: Option<String>,
    load_duration_ms: u64,
}

/// `POST /_mock/load-duration`: how long loads take, for one collection or (without `collectionName`) the server.
async fn set_load_duration(State(app): State<Arc<AppState>>, body: Bytes) -> Answer {
    let r: LoadDurationRequest = parse(&body, false)?.ok_or_else(|| ControlError("a JSON body is required".into()))?;
    let duration = Duration::from_millis(r.load_duration_ms);
    match r.collection_name {
        None => app.catalog.set_load_duration(duration),
        Some(c) => {
            let db = r.db_name.unwrap_or_else(|| crate::catalog::DEFAULT_DATABASE.to_string());
            app.catalog
                .update_collection(&db, &c, |col| col.load_duration = Some(duration))
                .map_err(|e| ControlError(e.message(app.catalog.profile())))?;
        }
    }
    ok(json!({"loadDurationMs": r.load_duration_ms}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: Value) -> FaultRule {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn a_fault_with_times_applies_that_many_times_then_goes() {
        let faults = Faults::default();
        faults
            .add(rule(
                json!({"path": "/v2/vectordb/partitions/release", "code": 65535, "message": "injected", "times": 1}),
            ))
            .unwrap();
        let first = faults.take(Operation::ReleasePartitions, "default", Some("c")).unwrap();
        assert_eq!(first.answer, Some((200, 65535, "injected".to_string())));
        assert!(faults.take(Operation::ReleasePartitions, "default", Some("c")).is_none());
        assert!(faults.is_empty());
    }

    #[test]
    fn probability_with_a_seed_repeats() {
        let draws = || {
            let faults = Faults::default();
            faults.add(rule(json!({"path": "*", "code": 1, "probability": 0.5, "seed": 42}))).unwrap();
            (0..32).map(|_| faults.take(Operation::ListCollections, "default", None).is_some()).collect::<Vec<_>>()
        };
        let a = draws();
        assert_eq!(a, draws());
        assert!(a.iter().any(|x| *x) && a.iter().any(|x| !*x));
    }

    #[test]
    fn the_journal_drops_the_oldest_and_counts_them() {
        let journal = Journal::new(2);
        for i in 0..5 {
            journal.record(Recorded {
                time_ms: i,
                operation: Operation::ListCollections,
                transport: Transport::Rest,
                db: "default".into(),
                collection: None,
                body: Bytes::from_static(b"{}"),
                code: Some(0),
                http_status: Some(200),
                latency_us: 0,
                late: false,
            });
        }
        let (entries, dropped) = journal.entries();
        assert_eq!(entries.iter().map(|e| e.time_ms).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(dropped, 3);
    }
}

//! The test-control plane under `/_mock/` (never a Milvus path): reset, state dump and restore, the request journal,
//! fault and latency injection, and load timing. It answers plain JSON, not the Milvus envelope, and rejects bad
//! input with HTTP 400 `{"error": "..."}`.

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get, post};
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;

pub use crate::faults::FaultRule;
use crate::fixtures::{self, Fixture};
pub use crate::journal::JournalEntry;
use crate::state::AppState;

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

#[derive(Deserialize)]
struct StateQuery {
    rows: Option<bool>,
}

/// `GET /_mock/state[?rows=false]`: the whole state in the fixture format, rows included unless `rows=false`.
async fn get_state(State(app): State<Arc<AppState>>, Query(q): Query<StateQuery>) -> Result<Response, ControlError> {
    let rows = q.rows.unwrap_or(true);
    let body = blocking(move || fixtures::dump_json_with(&app.catalog, rows)).await?;
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
    ok(json!({"requests": matching, "dropped": dropped, "capacity": app.journal.capacity()}))
}

/// `DELETE /_mock/requests`.
async fn clear_requests(State(app): State<Arc<AppState>>) -> Answer {
    app.journal.clear();
    ok(json!({"cleared": true}))
}

// ---- faults ----

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

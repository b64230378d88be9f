//! The HTTP side: the router with Milvus's routes, the REST adapter around `ops::execute` (CORS, auth,
//! request timeout, body, binding, rendering) and [`serve`], which both the binary and
//! [`MockMilvus`](crate::MockMilvus) call. How one call flows: see [`crate::ops`].

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use http_body::Body as _;
use tokio::net::TcpListener;
use tower::ServiceExt as _;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::api::{self, CallTarget};
use crate::catalog::{Catalog, NameMap};
use crate::control;
use crate::envelope::{Reply, cors_headers, json_response, render_error};
use crate::error::Error;
use crate::go::bind::{BindError, MilvusRequest, decode_body};
use crate::ops::{self, Bound, Operation, Outcome, Target, Transport};
use crate::state::AppState;
use crate::state::DEFAULT_REQUEST_TIMEOUT;
use crate::version::Profile;

/// The mock's HTTP service over `state` (what [`serve`] serves; a `tower::Service`, so tests can call it in
/// process).
///
/// ```
/// use tower::ServiceExt;
/// let state = milvus_mock::AppState::new(milvus_mock::Config::default()).unwrap();
/// let request = axum::http::Request::post("/v2/vectordb/collections/list").body(axum::body::Body::from("{}")).unwrap();
/// let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let response = runtime.block_on(milvus_mock::testing::router(state).oneshot(request)).unwrap();
/// assert_eq!(response.status(), 200);
/// ```
pub fn router(state: Arc<AppState>) -> MockService {
    let milvus = api::routes::<Rest>(&state.config.profile)
        .into_iter()
        .map(|route| (route.op.rest_path().to_string(), route))
        .collect();
    MockService {
        milvus: Arc::new(milvus),
        rest: rest_router(state.clone()),
        #[cfg(feature = "grpc")]
        grpc: crate::grpc::GrpcService::new(state.clone()),
        app: state,
    }
}

/// The service [`router`] builds. A gRPC request (HTTP/2, `application/grpc`) goes to the gRPC front (feature
/// `grpc`, `crate::grpc`); a Milvus route is found in a table by its path and served at once; anything else (the
/// control plane, `/healthz`, unknown paths, HTTP/1.1 to a gRPC path) goes through an axum router.
///
/// Milvus's middleware is folded into the call rather than stacked as tower-http layers. Its semantics differ from
/// theirs: CORS answers `*` together with `Allow-Credentials: true` (tower-http's `CorsLayer` refuses that pair),
/// `Request-Timeout` answers 408 without cancelling the handler (`TimeoutLayer` drops it), and an oversized or
/// unreadable body is a Milvus envelope `1801` at HTTP 200 (`RequestBodyLimitLayer` answers 413). Layers would
/// also wrap (and clone) every route on every request: CORS headers are set by the functions that build answers, `OPTIONS` and other methods
/// are answered by the route itself (gin answers a wrong method with its 404, not a 405), panics are caught around
/// the handler, and authentication is checked first when it is on.
#[derive(Clone)]
pub struct MockService {
    app: Arc<AppState>,
    milvus: Arc<NameMap<api::Route<Entry>>>,
    rest: Router,
    #[cfg(feature = "grpc")]
    grpc: crate::grpc::GrpcService,
}

impl tower::Service<Request> for MockService {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        self.handle(request)
    }
}

impl MockService {
    /// [`tower::Service::call`] without `&mut` (and so without a clone of the service per request).
    pub(crate) fn handle(&self, request: Request) -> crate::conn::Handling {
        #[cfg(feature = "grpc")]
        if crate::grpc::GrpcService::wants(&request) {
            return self.grpc.call(request);
        }
        let raw = request.uri().path();
        let decoded = if raw.contains('%') {
            match unescape_path(raw) {
                Some(path) => Some(path),
                None => return Box::pin(std::future::ready(Ok(bad_request()))),
            }
        } else {
            None
        };
        match self.milvus.get(decoded.as_deref().unwrap_or(raw)) {
            Some(route) => (route.entry)(self.app.clone(), route.op, request),
            None => Box::pin(self.rest.clone().oneshot(request)),
        }
    }
}

/// The path as gin matches it: Go's `URL.Path`, percent-decoded (gin's defaults `UseRawPath=false`,
/// `UnescapePathValues=true`), so `/v2/vectordb/partitions%2Frelease` is `partitions/release`. `None` for an
/// escape Go's `url.ParseRequestURI` rejects (`%zz`, a cut `%4`); a path that does not decode to UTF-8 stays as
/// it is and matches no route.
///
/// ```
/// use milvus_mock::testing::unescape_path;
/// assert_eq!(unescape_path("/v2/vectordb/partitions%2Frelease").as_deref(), Some("/v2/vectordb/partitions/release"));
/// assert_eq!(unescape_path("/v2/%zz"), None);
/// ```
pub fn unescape_path(path: &str) -> Option<String> {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let high = bytes.get(i + 1).copied().and_then(hex)?;
            let low = bytes.get(i + 2).copied().and_then(hex)?;
            out.push(high << 4 | low);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(String::from_utf8(out).unwrap_or_else(|_| path.to_string()))
}

/// Go's answer to a request line it cannot parse (`src/net/http/server.go`): 400, text, connection closed.
fn bad_request() -> Response {
    let mut response = (StatusCode::BAD_REQUEST, "400 Bad Request").into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// `Content-Length` from the body's exact size, as axum's router adds it (hyper would add it on the wire anyway;
/// this keeps in-process answers the same as those on the wire).
fn with_content_length(mut response: Response) -> Response {
    if let Some(length) = http_body::Body::size_hint(response.body()).exact() {
        response.headers_mut().insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    response
}

/// Everything that is not a Milvus route: the control plane, `/healthz` and gin's 404 (or redirect).
fn rest_router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    if state.config.control {
        // The control plane is the mock's own API, so tower-http's standard layers fit it: a span and a debug line
        // per call (`RUST_LOG=tower_http=debug`), and a panic answered with a JSON 500 instead of a dropped
        // connection. The Milvus routes cannot use them: see `MockService`.
        let control = control::router(state.clone())
            .layer(CatchPanicLayer::custom(control_panic))
            .layer(TraceLayer::new_for_http());
        router = router.merge(control);
    }
    let router = router.route("/healthz", get(healthz)).fallback(not_found);
    let router = match state.config.users {
        Some(_) => router.layer(middleware::from_fn_with_state(state.clone(), authenticate)),
        None => router,
    };
    router.with_state(state)
}

/// Authentication as middleware, for the routes outside the Milvus table (the table's calls check it first thing).
async fn authenticate(State(app): State<Arc<AppState>>, request: Request, next: middleware::Next) -> Response {
    match crate::auth::refusal(app.config.users.as_ref(), app.config.control, &request) {
        Some(refused) => refused,
        None => next.run(request).await,
    }
}

/// A panic in a control-plane handler: HTTP 500 with the control plane's JSON error shape.
fn control_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    let body = serde_json::json!({ "error": format!("the control plane panicked: {what}") }).to_string();
    let mut response = (StatusCode::INTERNAL_SERVER_ERROR, body).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

/// Serves `listener` until `shutdown` completes, then lets in-flight requests finish (for at most the
/// configured `shutdown_timeout`).
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_all(vec![listener], state, shutdown).await
}

/// [`serve`] on several listeners at once (`--host localhost`: both loopbacks).
pub async fn serve_all(
    listeners: Vec<TcpListener>,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let settings = crate::conn::Settings {
        header_read_timeout: state.config.header_read_timeout,
        body_read_timeout: state.config.body_read_timeout,
        shutdown_timeout: state.config.shutdown_timeout,
        release_memory: state.config.release_memory,
    };
    let service = router(state);
    crate::conn::serve(listeners, Arc::new(service), settings, shutdown).await
}

impl crate::conn::Handle for MockService {
    fn handle(&self, request: Request) -> crate::conn::Handling {
        MockService::handle(self, request)
    }

    /// A gRPC request goes to the gRPC front with hyper's body as it is; anything else as over HTTP/1.1.
    #[cfg(feature = "grpc")]
    fn handle_http2(&self, request: axum::http::Request<hyper::body::Incoming>) -> crate::conn::Handling {
        if crate::grpc::GrpcService::wants(&request) {
            return self.grpc.call(request);
        }
        MockService::handle(self, request.map(Body::new))
    }
}

/// A route's whole REST call ([`milvus_call`]), its request type erased: the one dynamic call per request;
/// everything after it is monomorphised for the route's request type.
pub type Entry = Arc<
    dyn Fn(Arc<AppState>, Operation, Request) -> Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>
        + Send
        + Sync,
>;

/// The REST adapter, as the route list sees it: each route's handler wrapped in [`milvus_call`].
pub struct Rest;

impl api::Adapter for Rest {
    type Entry = Entry;
    fn entry<R: MilvusRequest + CallTarget + Send + 'static>(_: Operation, run: api::Handler<R>) -> Entry {
        Arc::new(move |app, op, request| Box::pin(milvus_call(app, op, run, request)))
    }
}

/// One Milvus call over REST, the adapter between HTTP and [`ops::execute`]: auth, method, `Request-Timeout`, body,
/// the route's Go-compatible binding into its request type `R`, then the pipeline, then Milvus's envelope.
pub(crate) async fn milvus_call<R: MilvusRequest + CallTarget + Send + 'static>(
    app: Arc<AppState>,
    op: Operation,
    run: fn(&Catalog, &str, R) -> Result<Reply, Error>,
    request: Request,
) -> Result<Response, Infallible> {
    let response = match crate::auth::refusal(app.config.users.as_ref(), app.config.control, &request) {
        Some(refused) => refused,
        None => rest_call(app, op, run, request).await,
    };
    Ok(with_content_length(response))
}

async fn rest_call<R: MilvusRequest + CallTarget + Send + 'static>(
    app: Arc<AppState>,
    op: Operation,
    run: fn(&Catalog, &str, R) -> Result<Reply, Error>,
    request: Request,
) -> Response {
    let (parts, body) = request.into_parts();
    if parts.method != Method::POST {
        return gin_not_found(&parts.method);
    }
    let headers = parts.headers;
    let started = Instant::now();
    let profile = &app.config.profile;
    // Before the body: no fault rule applies, and the call names only the `DB-Name` header's database.
    let unread = |outcome: Outcome| {
        let (db, collection) = api::call_names(b"", &headers);
        let target = Target { operation: op, transport: Transport::Rest, db, collection };
        ops::finish(&app, target, ops::RequestBody::bytes(b""), started, &outcome);
        render(profile, outcome)
    };
    let deadline = match request_timeout(&headers, profile) {
        Ok(t) => t,
        Err(e) => return unread(Outcome::Milvus(Err(e))),
    };
    if deadline.is_zero() {
        return unread(Outcome::TimedOut);
    }
    let bytes = match read_body(body, app.config.body_limit).await {
        Ok(bytes) => bytes,
        Err(e) => {
            let too_large = matches!(e, BodyError::TooLarge);
            let mut response = unread(Outcome::Milvus(Err(e.into())));
            if too_large {
                // Go's `MaxBytesReader` marks the connection to be closed after the answer (`requestTooLarge`).
                response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            return response;
        }
    };
    let call = bind(&app, op, run, &headers, &bytes, started, deadline);
    let outcome = ops::execute(&app, call, ops::RequestBody::bytes(&bytes)).await;
    let response = render(profile, outcome);
    if bytes.len() >= LARGE_BODY
        && let Some(release) = app.config.release_memory
    {
        // The body and its decoded copies are freed by now; glibc would keep most of them (a 1M-row insert in
        // 10,000-row bodies held 1.29x the rows' bytes, 1.16x once given back).
        drop(bytes);
        tokio::task::spawn_blocking(release);
    }
    response
}

/// A body from this size on is followed by [`Config::release_memory`](crate::Config::release_memory).
const LARGE_BODY: usize = 4 << 20;

/// The REST binding of a call: the body decoded into `R` as Milvus's Go binding would, `dbName` resolved (body,
/// else `DB-Name` header, else `default`), and the names the call goes by, taken from the bound request. A body
/// that does not bind, or a request type without `dbName` and `collectionName` fields, names what the body says
/// (read once more, off the hot path), as the journal always has.
fn bind<R: MilvusRequest + CallTarget>(
    app: &AppState,
    op: Operation,
    run: fn(&Catalog, &str, R) -> Result<Reply, Error>,
    headers: &HeaderMap,
    bytes: &Bytes,
    started: Instant,
    deadline: Duration,
) -> ops::Call<R> {
    let wants_names = !app.faults.is_empty() || app.journal.capacity() > 0 || tracing::enabled!(tracing::Level::INFO);
    let decoded = decode_body::<R>(bytes);
    let names = match &decoded {
        _ if !wants_names => None,
        Ok(request) => request.target().map(|(db, collection)| {
            let db = api::resolve_db(db.to_string(), headers).into_owned();
            (db, Some(collection).filter(|c| !c.is_empty()).map(str::to_string))
        }),
        Err(_) => None,
    };
    let (db, collection) = match names {
        Some(names) => names,
        None if wants_names => api::call_names(bytes, headers),
        None => (String::new(), None),
    };
    let bound = decoded.map_err(Error::Binding).map(|mut request| {
        request.read_headers(headers);
        let run_db = api::resolve_db(request.take_db_name(), headers);
        let run_db = (run_db != db.as_str()).then(|| run_db.into_owned());
        Bound { request, run_db, run }
    });
    let target = Target { operation: op, transport: Transport::Rest, db, collection };
    ops::Call { target, bound, started, deadline }
}

/// Why a body could not be read.
enum BodyError {
    /// Over `--body-limit`: Go's `http.MaxBytesReader` error.
    TooLarge,
    /// The read failed: Go's text for it ([`crate::conn::BodyReadError`]).
    Read(String),
}

impl From<BodyError> for Error {
    fn from(e: BodyError) -> Self {
        match e {
            BodyError::TooLarge => Error::Binding(BindError::BadJson("http: request body too large".into())),
            BodyError::Read(text) => Error::Binding(BindError::BadJson(text)),
        }
    }
}

/// The whole body, at most `limit` bytes. A body in one piece (the usual case) is not copied.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, BodyError> {
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut total = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| BodyError::Read(e.to_string()))?;
        let Ok(data) = frame.into_data() else { continue };
        total += data.len();
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        match &first {
            None if joined.is_empty() => first = Some(data),
            _ => {
                if let Some(first) = first.take() {
                    // A body in pieces: one buffer for all of it when its length is known.
                    let rest = usize::try_from(body.size_hint().lower()).unwrap_or(0).min(limit);
                    joined.reserve(first.len() + data.len() + rest);
                    joined.extend_from_slice(&first);
                }
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(joined)))
}

/// Milvus's REST answer to an outcome: the envelope, HTTP 408, an injected answer, a closed connection or HTTP 500.
fn render(profile: &Profile, outcome: Outcome) -> Response {
    match outcome {
        Outcome::Milvus(Ok(reply)) => reply.render(profile),
        Outcome::Milvus(Err(e)) => render_error(&e, profile),
        Outcome::TimedOut => request_timeout_response(),
        Outcome::Injected { http_status, code, message } => {
            let body = crate::envelope::to_go_json(&serde_json::json!({"code": code, "message": message}));
            let status = StatusCode::from_u16(http_status).unwrap_or(StatusCode::OK);
            json_response(status, body)
        }
        Outcome::Closed => aborted_response(),
        Outcome::Panicked => json_response(StatusCode::INTERNAL_SERVER_ERROR, r#"{"code":500}"#),
    }
}

/// A response whose body fails at once: hyper drops the connection, and the client sees a transport error.
pub(crate) fn aborted_response() -> Response {
    struct Abort;
    impl http_body::Body for Abort {
        type Data = Bytes;
        type Error = std::io::Error;
        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Ready(Some(Err(std::io::Error::other("injected connection close"))))
        }
    }
    Response::new(Body::new(Abort))
}

/// Reads `Request-Timeout` (whole seconds). 2.4-2.6 ignore a value that does not parse; master answers 1100.
/// A value of 0 or less makes the timer fire at once.
fn request_timeout(headers: &HeaderMap, profile: &Profile) -> Result<Duration, Error> {
    static REQUEST_TIMEOUT: HeaderName = HeaderName::from_static("request-timeout");
    let Some(raw) = headers.get(&REQUEST_TIMEOUT).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()) else {
        return Ok(DEFAULT_REQUEST_TIMEOUT);
    };
    if raw.is_empty() {
        return Ok(DEFAULT_REQUEST_TIMEOUT);
    }
    match raw.parse::<i64>() {
        Ok(secs) => Ok(Duration::from_secs(secs.max(0) as u64)),
        Err(_) if !profile.strict_request_timeout => Ok(DEFAULT_REQUEST_TIMEOUT),
        Err(e) => {
            let reason = match e.kind() {
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => "value out of range",
                _ => "invalid syntax",
            };
            Err(Error::InvalidParameter(format!(
                "Request-Timeout parse failed, err: strconv.ParseInt: parsing {raw:?}: {reason}: invalid parameter"
            )))
        }
    }
}

/// Milvus's timeout middleware answer: HTTP 408.
pub(crate) fn request_timeout_response() -> Response {
    json_response(StatusCode::REQUEST_TIMEOUT, r#"{"code":10001,"message":"request timeout"}"#)
}

/// The fallback: gin's 404 for an unknown path; a known path with a trailing slash is redirected, as gin's
/// `RedirectTrailingSlash` does.
async fn not_found(State(app): State<Arc<AppState>>, method: Method, uri: axum::http::Uri) -> Response {
    let path = unescape_path(uri.path()).unwrap_or_else(|| uri.path().to_string());
    let path = path.as_str();
    if method == Method::POST && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let known = api::operations(&app.config.profile).iter().any(|op| op.rest_path() == trimmed);
        if known {
            let mut response =
                (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, trimmed.to_string())]).into_response();
            cors_headers(response.headers_mut());
            return response;
        }
    }
    gin_not_found(&method)
}

/// gin's answer to an unknown path or a wrong method: HTTP 404 `404 page not found`, or 204 to `OPTIONS` (Milvus's
/// CORS middleware answers any preflight).
fn gin_not_found(method: &Method) -> Response {
    let mut response = if *method == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        let mut r = (StatusCode::NOT_FOUND, "404 page not found").into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        r
    };
    cors_headers(response.headers_mut());
    response
}

/// `GET /healthz`: `OK`, like Milvus's health endpoint.
async fn healthz() -> &'static str {
    "OK"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::Config;

    #[test]
    fn a_bound_request_names_its_call_as_the_body_does() {
        let app = AppState::new(Config::default()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("db-name", HeaderValue::from_static("from_header"));
        let bodies = [
            r#"{"collectionName":"c","partitionNames":["p"]}"#,
            r#"{"dbName":"d","collectionName":"c","partitionNames":[]}"#,
            r#"{"DBNAME":"d","collectionname":"c","collectionName":"e","partitionNames":[]}"#,
            r#"{"dbName":"","collectionName":"c","partitionNames":null}"#,
            r#"{"collectionName":5}"#,
            r#"{"#,
        ];
        for body in bodies {
            let release = api::partitions::release_partitions;
            let call = bind(
                &app,
                Operation::ReleasePartitions,
                release,
                &headers,
                &Bytes::from_static(body.as_bytes()),
                Instant::now(),
                Duration::MAX,
            );
            assert_eq!((call.target.db, call.target.collection), api::call_names(body.as_bytes(), &headers), "{body}");
        }
        let call = |body: &str| {
            let release = api::partitions::release_partitions;
            let body = Bytes::copy_from_slice(body.as_bytes());
            bind(&app, Operation::ReleasePartitions, release, &headers, &body, Instant::now(), Duration::MAX)
        };
        let bound = call(bodies[1]);
        assert_eq!((bound.target.db.as_str(), bound.target.collection.as_deref()), ("d", Some("c")));
        assert!(bound.bound.is_ok_and(|b| b.run_db.is_none()), "the call runs in the database it names");
        let unbound = call(bodies[3]);
        assert_eq!((unbound.target.db.as_str(), unbound.target.collection.as_deref()), ("from_header", Some("c")));
        assert!(
            matches!(unbound.bound, Err(Error::Binding(BindError::MissingParameters(_)))),
            "1802 stays a binding error"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_body_gives_freed_memory_back_afterwards() {
        static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        fn count() {
            CALLS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        let config = Config { release_memory: Some(count), ..Config::default() };
        let service = router(AppState::new(config).unwrap());
        let post = |body: String| {
            let request = Request::post("/v2/vectordb/collections/has").body(Body::from(body)).unwrap();
            service.handle(request)
        };
        let small = post(r#"{"collectionName":"c"}"#.into()).await.unwrap();
        assert_eq!(small.status(), 200);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(CALLS.load(std::sync::atomic::Ordering::SeqCst), 0, "a small body releases nothing");
        let large = format!(r#"{{"collectionName":"c","pad":"{}"}}"#, "x".repeat(LARGE_BODY));
        let answer = post(large).await.unwrap();
        let body = axum::body::to_bytes(answer.into_body(), 1 << 10).await.unwrap();
        assert_eq!(&body[..], br#"{"code":0,"data":{"has":false}}"#);
        for _ in 0..100 {
            if CALLS.load(std::sync::atomic::Ordering::SeqCst) == 1 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("release_memory was not called after a {} byte body", LARGE_BODY);
    }

    #[tokio::test]
    async fn a_control_plane_panic_is_a_json_500() {
        let response = super::control_panic(Box::new("boom"));
        assert_eq!(response.status(), 500);
        assert_eq!(response.headers()["content-type"], "application/json");
        let body = axum::body::to_bytes(response.into_body(), 1 << 10).await.unwrap();
        assert_eq!(&body[..], br#"{"error":"the control plane panicked: boom"}"#);
    }
}

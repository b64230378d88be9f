//! The HTTP side: the router with Milvus's routes, its middleware (CORS, auth, request timeout, panics) and
//! [`serve`], which both the binary and [`MockMilvus`](crate::MockMilvus) call.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;

use crate::api::{self, Handler, PREFIX};
use crate::auth::Users;
use crate::catalog::{Catalog, Limits};
use crate::envelope::{json_response, render_error};
use crate::error::Error;
use crate::version::Profile;

/// Milvus's default `Request-Timeout` (`HTTPDefaultTimeout`).
const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server behaves: the Milvus version, limits, auth and load timing.
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    pub limits: Limits,
    /// How long a load takes to reach 100 % (zero: at once, the default).
    pub load_duration: Duration,
    /// `Some` turns authentication on (`--auth`).
    pub users: Option<Users>,
    /// Largest accepted body; a larger one is answered with 1801 `http: request body too large`.
    pub body_limit: usize,
}

/// 64 MiB: room for large insert bodies once there is a data plane, and still a bound.
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: Profile::default(),
            limits: Limits::default(),
            load_duration: Duration::ZERO,
            users: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }
}

/// What every handler shares.
#[derive(Debug)]
pub struct AppState {
    pub catalog: Catalog,
    pub config: Config,
}

impl AppState {
    pub fn new(config: Config) -> Arc<Self> {
        let catalog = Catalog::new(
            config.profile.clone(),
            config.limits.clone(),
            config.load_duration,
        );
        Arc::new(Self { catalog, config })
    }
}

/// The Milvus router over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let mut router = Router::new();
    for route in api::routes(&state.config.profile) {
        let handler = route.handler.clone();
        let path = format!("{PREFIX}{}", route.path);
        let logged = path.clone();
        router = router.route(
            &path,
            post(
                move |State(app): State<Arc<AppState>>, headers: HeaderMap, body: Body| {
                    milvus_call(app, handler, logged, headers, body)
                },
            ),
        );
    }
    router
        .route("/healthz", get(healthz))
        .fallback(not_found)
        .method_not_allowed_fallback(not_found)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::authenticate,
        ))
        .layer(CatchPanicLayer::custom(|_| {
            json_response(StatusCode::INTERNAL_SERVER_ERROR, r#"{"code":500}"#.into())
        }))
        .layer(middleware::from_fn(cors))
        .layer(DefaultBodyLimit::disable())
        .with_state(state)
}

/// Serves `listener` until `shutdown` completes, then lets in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// One Milvus call: timeout header, body, handler, envelope, log line.
async fn milvus_call(
    app: Arc<AppState>,
    handler: Handler,
    path: String,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let profile = &app.config.profile;
    let result = match request_timeout(&headers, profile) {
        Err(e) => Err(e),
        Ok(timeout) if timeout.is_zero() => return request_timeout_response(),
        Ok(_) => match axum::body::to_bytes(body, app.config.body_limit).await {
            Err(_) => Err(Error::BadJson("http: request body too large".into())),
            Ok(bytes) => handler(&app.catalog, &headers, &bytes),
        },
    };
    let (code, response) = match result {
        Ok(reply) => (profile.success_code, reply.render(profile)),
        Err(e) => (e.code(profile), render_error(&e, profile)),
    };
    tracing::info!(
        method = "POST",
        path,
        code,
        latency_us = started.elapsed().as_micros() as u64,
        "milvus call"
    );
    response
}

/// Reads `Request-Timeout` (whole seconds). 2.4-2.6 ignore a value that does not parse; master answers 1100.
/// A value of 0 or less makes the timer fire at once.
fn request_timeout(headers: &HeaderMap, profile: &Profile) -> Result<Duration, Error> {
    let Some(raw) = headers
        .get("Request-Timeout")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    else {
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
                std::num::IntErrorKind::PosOverflow | std::num::IntErrorKind::NegOverflow => {
                    "value out of range"
                }
                _ => "invalid syntax",
            };
            Err(Error::InvalidParameter(format!(
                "Request-Timeout parse failed, err: strconv.ParseInt: parsing {raw:?}: {reason}: invalid parameter"
            )))
        }
    }
}

/// Milvus's timeout middleware answer: HTTP 408.
pub fn request_timeout_response() -> Response {
    json_response(
        StatusCode::REQUEST_TIMEOUT,
        r#"{"code":10001,"message":"request timeout"}"#.into(),
    )
}

/// gin's default answer to an unknown path or a wrong method; a known path with a trailing slash is redirected,
/// as gin's `RedirectTrailingSlash` does.
async fn not_found(
    State(app): State<Arc<AppState>>,
    method: Method,
    uri: axum::http::Uri,
) -> Response {
    let path = uri.path();
    if method == Method::POST && path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let known = api::routes(&app.config.profile)
            .iter()
            .any(|r| format!("{PREFIX}{}", r.path) == trimmed);
        if known {
            return (
                StatusCode::TEMPORARY_REDIRECT,
                [(header::LOCATION, trimmed.to_string())],
            )
                .into_response();
        }
    }
    let mut response = (StatusCode::NOT_FOUND, "404 page not found").into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

/// `GET /healthz`: `OK`, like Milvus's health endpoint.
async fn healthz() -> &'static str {
    "OK"
}

/// Milvus's CORS middleware: its headers on every answer, and 204 to any `OPTIONS`.
async fn cors(request: Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    // axum's method router adds `Allow`; gin's answers carry none.
    headers.remove(header::ALLOW);
    headers.insert("Access-Control-Allow-Origin", HeaderValue::from_static("*"));
    headers.insert(
        "Access-Control-Allow-Credentials",
        HeaderValue::from_static("true"),
    );
    headers.insert(
        "Access-Control-Allow-Headers",
        HeaderValue::from_static(
            "Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, accept, origin, Cache-Control, X-Requested-With",
        ),
    );
    headers.insert(
        "Access-Control-Allow-Methods",
        HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"),
    );
    response
}

//! The harnesses: the router in process (`tower::ServiceExt::oneshot`, fast, for thousands of inputs), the release
//! binary as a child process (for signals and for inputs that could take the whole process down), and a watchdog
//! that turns a hang into a failure.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request};
use milvus_mock::catalog::Database;
use milvus_mock::{AppState, Config, testing::router};
use serde_json::Value;
use tower::ServiceExt;

use crate::common::{self, Answer};

pub use milvus_mock::testing::PREFIX;

/// Every Milvus route of the default profile, in full (`/v2/vectordb/partitions/release`).
pub fn route_paths() -> Vec<String> {
    milvus_mock::testing::operations(&milvus_mock::Profile::default()).iter().map(|op| op.rest_path().into()).collect()
}

/// One answer, kept whole.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("content-type").and_then(|v| v.to_str().ok())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.text()))
    }

    /// What kind of Milvus answer this is; fails the test when it is none.
    pub fn answer(&self) -> Answer {
        common::classify(self.status, self.content_type(), &self.body, 0).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The envelope's code; fails the test for anything but an HTTP 200 envelope.
    pub fn code(&self) -> i64 {
        match self.answer() {
            Answer::Envelope(code) => code,
            other => panic!("expected the envelope, got {other:?}: {}", self.text()),
        }
    }
}

/// The router in process, over a state that can be put back to its start between inputs.
pub struct InProcess {
    pub state: Arc<AppState>,
    app: milvus_mock::testing::MockService,
    start: Vec<Database>,
}

impl InProcess {
    pub fn new(config: Config) -> Self {
        let state = AppState::new(config).expect("the configuration is valid");
        let start = state.catalog.snapshot();
        Self { app: router(state.clone()), state, start }
    }

    /// The seed state ([`common::seed`]) with the default settings.
    pub fn seeded() -> Self {
        Self::new(Config { fixtures: vec![common::seed()], ..Config::default() })
    }

    /// Puts the state back to what it was at construction.
    pub fn reset(&self) {
        self.state.catalog.replace_all(self.start.clone());
    }

    /// The whole state, to compare before and after a call.
    pub fn dump(&self) -> Value {
        common::state_of(&self.state.catalog)
    }

    pub async fn request(&self, method: Method, path: &str, headers: &[(&str, &[u8])], body: Vec<u8>) -> Reply {
        let mut builder = Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder.body(Body::from(body)).expect("a valid request");
        let response = self.app.clone().oneshot(request).await.expect("the router is infallible");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("the body reads");
        Reply { status, headers, body: body.to_vec() }
    }

    /// POSTs raw bytes to a route below `/v2/vectordb` (`/partitions/release`).
    pub async fn post_bytes(&self, route: &str, body: impl Into<Vec<u8>>) -> Reply {
        self.request(Method::POST, &format!("{PREFIX}{route}"), &[], body.into()).await
    }

    /// POSTs JSON to a route below `/v2/vectordb`.
    pub async fn post(&self, route: &str, body: Value) -> Reply {
        self.post_bytes(route, body.to_string()).await
    }

    /// POSTs and insists on `{"code":0,"data":{}}` (the Arrange step).
    pub async fn ok(&self, route: &str, body: Value) {
        let reply = self.post(route, body.clone()).await;
        assert_eq!(reply.json(), serde_json::json!({"code": 0, "data": {}}), "arranging {route} with {body}");
    }
}

/// Runs `f` on its own thread and fails if it has not returned within `limit`: a hang (a deadlock, an endless
/// loop in a handler) becomes a test failure instead of a stuck CI job. `what` says what was running.
pub fn within<T: Send + 'static>(limit: Duration, what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::Builder::new()
        .name(format!("watchdog: {what}"))
        .spawn(move || {
            let _ = tx.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        })
        .expect("a thread starts");
    match rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = worker.join();
            value
        }
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(_) => panic!("{what}: no result after {limit:?} (a hang or a deadlock)"),
    }
}

/// The `milvus-mock` binary as a child process on a free port. Killed on drop if it is still running.
pub struct Binary {
    pub child: Child,
    pub port: u16,
    pub stderr: Arc<std::sync::Mutex<String>>,
}

impl Binary {
    /// Starts the binary with these extra flags and waits until it accepts connections.
    pub fn start(flags: &[&str]) -> Self {
        let port = free_port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_milvus-mock"))
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args(flags)
            .env("RUST_LOG", "milvus_mock=warn")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the milvus-mock binary starts");
        // Keep what it prints, for the failure messages (a crash prints its reason there).
        let stderr = Arc::new(std::sync::Mutex::new(String::new()));
        let pipe = child.stderr.take().expect("stderr is piped");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                let mut s = sink.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let binary = Self { child, port, stderr };
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(binary.address()).is_err() {
            assert!(Instant::now() < deadline, "milvus-mock did not start listening: {}", binary.stderr());
            std::thread::sleep(Duration::from_millis(20));
        }
        binary
    }

    pub fn address(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
    }

    pub fn uri(&self) -> String {
        format!("http://{}", self.address())
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// `kill -TERM <pid>`.
    pub fn sigterm(&self) {
        let status = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status().expect("kill runs");
        assert!(status.success(), "kill -TERM failed");
    }

    /// Whether it is still running (and its exit status if not).
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().expect("the child can be polled")
    }
}

impl Drop for Binary {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// A plain HTTP client (no redirects followed, no proxy): the shared one (`tests/common`).
pub fn client() -> reqwest::Client {
    crate::shared::http_client()
}

/// POSTs `body` to `url` with the shared client and keeps the whole answer.
pub async fn http_post(client: &reqwest::Client, url: &str, body: impl Into<reqwest::Body>) -> Reply {
    let raw = crate::shared::send(client, reqwest::Method::POST, url, body, &[]).await;
    Reply { status: raw.status.as_u16(), headers: raw.headers, body: raw.body }
}

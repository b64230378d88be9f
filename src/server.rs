//! [`MockMilvus`]: a mock server for Rust tests, in the style of wiremock's `MockServer`.
//!
//! The listener is bound before the server starts, so the server is ready as soon as `start` returns. The server
//! runs on its own thread with its own runtime: it keeps answering even when the test blocks its own runtime, and it
//! works from either tokio flavour or from a plain `#[test]`. Dropping the handle asks the server to shut down and
//! returns at once.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use serde_json::Value;

use crate::app;
use crate::auth::Users;
use crate::catalog::{Catalog, Limits};
use crate::control::{FaultRule, JournalEntry};
use crate::fixtures::{self, Fixture, FixtureError};
use crate::state::{AppState, Config};
use crate::version::{MilvusVersion, Profile};

/// A running mock Milvus. Dropping it shuts the server down.
///
/// ```
/// # tokio_test_block_on(async {
/// let milvus = milvus_mock::MockMilvus::start().await;
/// assert!(milvus.uri().starts_with("http://127.0.0.1:"));
/// # });
/// # fn tokio_test_block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
/// # }
/// ```
#[must_use = "the server shuts down when this handle is dropped"]
#[derive(Debug)]
pub struct MockMilvus {
    address: SocketAddr,
    state: Arc<AppState>,
    shutdown: Option<oneshot::Sender<()>>,
}

impl MockMilvus {
    /// Starts a fresh Milvus 2.6 on 127.0.0.1 and a random port.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// The same as [`MockMilvus::start`], for code without an async runtime (a plain `#[test]`).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// assert_ne!(milvus.address().port(), 0);
    /// ```
    pub fn start_blocking() -> Self {
        Self::builder().start_blocking()
    }

    /// A builder for a server with other settings.
    ///
    /// ```
    /// use milvus_mock::{MilvusVersion, MockMilvus};
    /// let milvus = MockMilvus::builder().milvus_version(MilvusVersion::V2_5).start_blocking();
    /// assert_eq!(milvus.catalog().profile().version, MilvusVersion::V2_5);
    /// ```
    pub fn builder() -> MockMilvusBuilder {
        MockMilvusBuilder::default()
    }

    /// `http://127.0.0.1:PORT`, the base a client is pointed at. With the `grpc` feature (on by default) gRPC clients
    /// use the same URI: pymilvus's `MilvusClient(uri=...)`, the Node SDK, milvus-sdk-rust's `ClientV2`.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// let url = format!("{}/v2/vectordb/partitions/release", milvus.uri());
    /// assert!(url.starts_with("http://127.0.0.1:"));
    /// ```
    pub fn uri(&self) -> String {
        format!("http://{}", self.address)
    }

    /// The socket address the server listens on.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// assert!(milvus.address().ip().is_loopback());
    /// ```
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The server's state, to seed it or to check what the code under test did, without HTTP.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// milvus.catalog().create_database("analytics", vec![]).unwrap();
    /// assert_eq!(milvus.catalog().list_databases(), ["default", "analytics"]);
    /// ```
    pub fn catalog(&self) -> &Catalog {
        &self.state.catalog
    }

    /// Puts the whole state back to the start, fixtures re-applied (`POST /_mock/reset`).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// milvus.catalog().create_database("scratch", vec![]).unwrap();
    /// milvus.reset();
    /// assert_eq!(milvus.catalog().list_databases(), ["default"]);
    /// ```
    pub fn reset(&self) {
        let initial = fixtures::build(self.catalog(), &self.state.config.fixtures)
            .expect("the fixtures were valid at start and have not changed");
        self.state.faults.cancel_delayed();
        self.catalog().replace_all(initial);
    }

    /// Puts one database back to its start (`POST /_mock/reset` with `dbName`): as the fixtures have it, empty
    /// for `default`, gone for a database the fixtures do not name.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// milvus.catalog().quick_setup("default", "scratch", 4).unwrap();
    /// milvus.catalog().create_database("kept", vec![]).unwrap();
    /// milvus.reset_database("default");
    /// assert!(milvus.catalog().list_collections("default").unwrap().is_empty());
    /// assert_eq!(milvus.catalog().list_databases(), ["default", "kept"]);
    /// ```
    pub fn reset_database(&self, db: &str) {
        let initial = fixtures::build(self.catalog(), &self.state.config.fixtures)
            .expect("the fixtures were valid at start and have not changed");
        self.state.faults.cancel_delayed();
        self.catalog().replace_database(db, initial.into_iter().find(|d| d.name == db));
    }

    /// The whole state in the fixture format (`GET /_mock/state`).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// assert_eq!(milvus.state()["databases"][0]["name"], "default");
    /// ```
    pub fn state(&self) -> Value {
        fixtures::dump(self.catalog())
    }

    /// Replaces the whole state with a fixture document (`PUT /_mock/state`); nothing changes if it is invalid.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// let state = serde_json::json!({"databases": [{"name": "default"}, {"name": "analytics"}]});
    /// milvus.set_state(state).unwrap();
    /// assert_eq!(milvus.catalog().list_databases(), ["default", "analytics"]);
    /// ```
    pub fn set_state(&self, state: Value) -> Result<(), FixtureError> {
        let databases = fixtures::build(self.catalog(), &[Fixture::new("set_state", state)])?;
        self.state.faults.cancel_delayed();
        self.catalog().replace_all(databases);
        Ok(())
    }

    /// The Milvus calls received so far, oldest first (`GET /_mock/requests`).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// assert!(milvus.requests().is_empty());
    /// ```
    pub fn requests(&self) -> Vec<JournalEntry> {
        self.state.journal.entries().0
    }

    /// Empties the request journal.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[], "{}");
    /// assert_eq!(milvus.requests().len(), 1);
    /// milvus.clear_requests();
    /// assert!(milvus.requests().is_empty());
    /// ```
    pub fn clear_requests(&self) {
        self.state.journal.clear();
    }

    /// One HTTP/1.1 call without a client crate, answered as (status, body): what the examples of this crate use to
    /// show an effect on the wire. Tests should use a real HTTP client.
    #[doc(hidden)]
    pub fn http_call_blocking(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(self.address).expect("connect to the mock");
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n", self.address);
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).expect("send the request");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("read the answer");
        let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
        (status, body)
    }

    /// Adds a fault rule (`POST /_mock/faults`) and returns its id.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// let rule = serde_json::from_value(serde_json::json!(
    ///     {"path": "/v2/vectordb/partitions/release", "code": 65535, "message": "injected", "times": 1}
    /// )).unwrap();
    /// milvus.add_fault(rule).unwrap();
    /// ```
    pub fn add_fault(&self, rule: FaultRule) -> Result<u64, String> {
        self.state.faults.add(rule)
    }

    /// Removes every fault rule.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::start_blocking();
    /// milvus.clear_faults();
    /// ```
    pub fn clear_faults(&self) {
        self.state.faults.clear();
    }
}

impl Drop for MockMilvus {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            // The server may already be gone; either way there is nothing to wait for.
            let _ = tx.send(());
        }
    }
}

/// Settings for a [`MockMilvus`].
///
/// ```
/// use milvus_mock::{MilvusVersion, MockMilvus};
/// let milvus = MockMilvus::builder().milvus_version(MilvusVersion::V2_4).success_code(200).auth().start_blocking();
/// assert_eq!(milvus.catalog().profile().success_code, 200);
/// ```
#[derive(Debug, Default)]
pub struct MockMilvusBuilder {
    config: Config,
    listener: Option<TcpListener>,
    host: Option<String>,
    port: Option<u16>,
}

/// Binds 127.0.0.1, or the first address of `host` that binds.
fn bind(host: Option<&str>, port: u16) -> TcpListener {
    let Some(host) = host else {
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        return TcpListener::bind(address).unwrap_or_else(|e| panic!("milvus-mock: cannot bind {address}: {e}"));
    };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let addresses = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))
        .unwrap_or_else(|e| panic!("milvus-mock: cannot resolve {host:?}: {e}"));
    let mut failure = format!("no address for {host:?}");
    for address in addresses {
        match TcpListener::bind(address) {
            Ok(listener) => return listener,
            Err(e) => failure = format!("cannot bind {address}: {e}"),
        }
    }
    panic!("milvus-mock: {failure}")
}

impl MockMilvusBuilder {
    /// Serves on a listener the caller bound.
    ///
    /// ```
    /// let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    /// let address = listener.local_addr().unwrap();
    /// let milvus = milvus_mock::MockMilvus::builder().listener(listener).start_blocking();
    /// assert_eq!(milvus.address(), address);
    /// ```
    pub fn listener(mut self, listener: TcpListener) -> Self {
        self.listener = Some(listener);
        self
    }

    /// Serves on 127.0.0.1 and this port instead of a random one.
    ///
    /// ```
    /// let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    /// let milvus = milvus_mock::MockMilvus::builder().port(free).start_blocking();
    /// assert_eq!(milvus.address().port(), free);
    /// ```
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Serves on this host instead of 127.0.0.1: an IP address (`::1`, `[::1]`) or a name, the first of its
    /// addresses that binds.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().host("localhost").start_blocking();
    /// assert!(milvus.address().ip().is_loopback());
    /// ```
    pub fn host(mut self, host: &str) -> Self {
        self.host = Some(host.to_string());
        self
    }

    /// How long a request head may take to arrive (default one second, Milvus's `ReadHeaderTimeout`; zero: no
    /// limit).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().header_read_timeout(std::time::Duration::from_secs(5)).start_blocking();
    /// # drop(milvus);
    /// ```
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_read_timeout = timeout;
        self
    }

    /// How long the server waits for the rest of a request body before it answers 1801 `i/o timeout` (default
    /// 30 s; zero: no limit).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().body_read_timeout(std::time::Duration::from_secs(1)).start_blocking();
    /// # drop(milvus);
    /// ```
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_read_timeout = timeout;
        self
    }

    /// How long shutdown (dropping the handle) waits for calls in flight (default 5 s).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().shutdown_timeout(std::time::Duration::ZERO).start_blocking();
    /// # drop(milvus);
    /// ```
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.config.shutdown_timeout = timeout;
        self
    }

    /// Imitates another Milvus line (default 2.6).
    ///
    /// ```
    /// use milvus_mock::{MilvusVersion, MockMilvus};
    /// let milvus = MockMilvus::builder().milvus_version(MilvusVersion::V3_0).start_blocking();
    /// assert!(milvus.catalog().profile().parameter_invalid_errors);
    /// ```
    pub fn milvus_version(mut self, version: MilvusVersion) -> Self {
        let code = self.config.profile.success_code;
        self.config.profile = Profile::new(version).with_success_code(code);
        self
    }

    /// Answers this `code` on success (200 for clients written to the docs' tables).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().success_code(200).start_blocking();
    /// assert_eq!(milvus.catalog().profile().success_code, 200);
    /// ```
    pub fn success_code(mut self, code: i64) -> Self {
        self.config.profile.success_code = code;
        self
    }

    /// Turns authentication on with `root` / `Milvus`.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().auth().start_blocking();
    /// let list = |headers: &[(&str, &str)]| milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", headers, "{}");
    /// assert_eq!(list(&[]), (401, r#"{"code":1800,"message":"user hasn't authenticated"}"#.into()));
    /// assert_eq!(list(&[("Authorization", "Bearer root:Milvus")]), (200, r#"{"code":0,"data":[]}"#.into()));
    /// ```
    pub fn auth(mut self) -> Self {
        self.config.users.get_or_insert_with(Users::default);
        self
    }

    /// Turns authentication on and adds a user.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().user("alice", "secret").start_blocking();
    /// let list = |token: &str| milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[("Authorization", token)], "{}").0;
    /// assert_eq!((list("Bearer alice:secret"), list("Bearer root:Milvus"), list("Bearer alice:wrong")), (200, 200, 401));
    /// ```
    pub fn user(mut self, name: &str, password: &str) -> Self {
        let users = self.config.users.take().unwrap_or_default();
        self.config.users = Some(users.with_user(name, password));
        self
    }

    /// Makes loads pass through `LoadStateLoading` for this long.
    ///
    /// ```
    /// use milvus_mock::catalog::LoadState;
    /// let milvus = milvus_mock::MockMilvus::builder().load_duration(std::time::Duration::from_secs(60)).start_blocking();
    /// milvus.catalog().quick_setup("default", "slow", 4).unwrap();
    /// assert_eq!(milvus.catalog().collection_load_state("default", "slow").unwrap(), LoadState::Loading);
    /// ```
    pub fn load_duration(mut self, duration: Duration) -> Self {
        self.config.load_duration = duration;
        self
    }

    /// Other limits than Milvus's defaults.
    ///
    /// ```
    /// use milvus_mock::{Limits, MockMilvus};
    /// let milvus = MockMilvus::builder().limits(Limits { max_databases: 1, ..Limits::default() }).start_blocking();
    /// milvus.catalog().create_database("one", vec![]).unwrap();
    /// assert_eq!(milvus.catalog().create_database("two", vec![]).unwrap_err().code(milvus.catalog().profile()), 801);
    /// ```
    pub fn limits(mut self, limits: Limits) -> Self {
        self.config.limits = limits;
        self
    }

    /// Replaces the whole configuration.
    ///
    /// ```
    /// let config = milvus_mock::Config { journal_size: 1, ..Default::default() };
    /// let milvus = milvus_mock::MockMilvus::builder().config(config).start_blocking();
    /// for _ in 0..3 {
    ///     milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[], "{}");
    /// }
    /// assert_eq!(milvus.requests().len(), 1);
    /// ```
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Adds a fixture built in code (applied at start and on every reset).
    ///
    /// ```
    /// use milvus_mock::{MockMilvus, fixtures::Fixture};
    /// let seed = serde_json::json!({"databases": [{"name": "default", "collections": [
    ///     {"collectionName": "quick_setup", "dimension": 5, "partitions": ["_default", "january"]}
    /// ]}]});
    /// let milvus = MockMilvus::builder().fixture(Fixture::new("seed", seed)).start_blocking();
    /// assert_eq!(milvus.catalog().loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
    /// ```
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.config.fixtures.push(fixture);
        self
    }

    /// Adds the fixtures of a file, or of every `*.json` file in a folder.
    ///
    /// # Panics
    /// When a file cannot be read or is not JSON; [`fixtures::Fixture::load`] returns the error instead.
    ///
    /// ```
    /// let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quick_setup.json");
    /// let milvus = milvus_mock::MockMilvus::builder().fixture_file(fixtures).start_blocking();
    /// assert_eq!(milvus.catalog().loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
    /// ```
    pub fn fixture_file(mut self, path: impl AsRef<std::path::Path>) -> Self {
        let loaded = Fixture::load(path.as_ref()).unwrap_or_else(|e| panic!("milvus-mock: {e}"));
        self.config.fixtures.extend(loaded);
        self
    }

    /// Turns the `/_mock` control plane off (it is on by default).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().control(false).start_blocking();
    /// assert_eq!(milvus.http_call_blocking("GET", "/_mock/state", &[], ""), (404, "404 page not found".into()));
    /// ```
    pub fn control(mut self, on: bool) -> Self {
        self.config.control = on;
        self
    }

    /// Protects the control plane with `Authorization: Bearer <token>`.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().control_token("s3cret").start_blocking();
    /// assert_eq!(milvus.http_call_blocking("GET", "/_mock/faults", &[], "").0, 401);
    /// assert_eq!(milvus.http_call_blocking("GET", "/_mock/faults", &[("Authorization", "Bearer s3cret")], "").0, 200);
    /// ```
    pub fn control_token(mut self, token: &str) -> Self {
        self.config.control_token = Some(token.to_string());
        self
    }

    /// How many calls the request journal keeps (0 turns it off).
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().journal_size(0).start_blocking();
    /// milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[], "{}");
    /// assert!(milvus.requests().is_empty());
    /// ```
    pub fn journal_size(mut self, size: usize) -> Self {
        self.config.journal_size = size;
        self
    }

    /// Starts the server.
    pub async fn start(self) -> MockMilvus {
        self.start_blocking()
    }

    /// Starts the server without an async runtime: for a plain `#[test]`.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().success_code(200).start_blocking();
    /// assert!(milvus.uri().starts_with("http://127.0.0.1:"));
    /// ```
    ///
    /// # Panics
    /// When the port cannot be bound or a fixture is invalid; [`MockMilvusBuilder::try_start_blocking`] returns
    /// the fixture error instead.
    pub fn start_blocking(self) -> MockMilvus {
        self.try_start_blocking().unwrap_or_else(|e| panic!("milvus-mock: {e}"))
    }

    /// Starts the server, or says which fixture is invalid and why.
    ///
    /// # Panics
    /// When the port cannot be bound.
    ///
    /// ```
    /// let milvus = milvus_mock::MockMilvus::builder().try_start_blocking().expect("no fixture to break");
    /// # drop(milvus);
    /// ```
    pub fn try_start_blocking(self) -> Result<MockMilvus, FixtureError> {
        let state = AppState::new(self.config)?;
        let listener = match self.listener {
            Some(l) => l,
            None => bind(self.host.as_deref(), self.port.unwrap_or(0)),
        };
        let address = listener.local_addr().expect("a bound listener has an address");
        listener.set_nonblocking(true).expect("milvus-mock: cannot make the listener non-blocking");
        let (tx, rx) = oneshot::channel::<()>();
        let server_state = state.clone();
        std::thread::Builder::new()
            .name(format!("milvus-mock-{}", address.port()))
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("milvus-mock: cannot build a runtime");
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(listener) {
                        Ok(l) => l,
                        Err(e) => {
                            return tracing::error!("milvus-mock: cannot use the listener: {e}");
                        }
                    };
                    let shutdown = async move {
                        let _ = rx.await;
                    };
                    if let Err(e) = app::serve(listener, server_state, shutdown).await {
                        tracing::error!("milvus-mock: server error: {e}");
                    }
                });
            })
            .expect("milvus-mock: cannot spawn the server thread");
        Ok(MockMilvus { address, state, shutdown: Some(tx) })
    }
}

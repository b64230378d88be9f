//! What a server is made of: its [`Config`] and the [`AppState`] every call shares (the catalog, the journal, the
//! fault rules). Both transports and the control plane read it; it depends on none of them.

use std::sync::Arc;
use std::time::Duration;

use crate::auth::Users;
use crate::catalog::{Catalog, Limits};
use crate::faults::Faults;
use crate::fixtures::{self, Fixture, FixtureError};
use crate::journal::Journal;
use crate::version::Profile;

/// Milvus's default `Request-Timeout` (`HTTPDefaultTimeout`).
pub(crate) const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How the server behaves: the Milvus version, limits, auth, fixtures, control plane and load timing.
///
/// ```
/// use milvus_mock::{Config, MilvusVersion, MockMilvus, Profile};
/// let config = Config { profile: Profile::new(MilvusVersion::V2_5), ..Config::default() };
/// let milvus = MockMilvus::builder().config(config).start_blocking();
/// assert_eq!(milvus.catalog().profile().version, MilvusVersion::V2_5);
/// ```
#[derive(Debug, Clone)]
pub struct Config {
    pub profile: Profile,
    pub limits: Limits,
    /// How long a load takes to reach 100 % (zero: at once, the default).
    pub load_duration: Duration,
    /// `get_stats` counts live rows (inserted minus deleted, at once) instead of Milvus's flushed rows
    /// (`--live-row-counts`).
    pub live_row_counts: bool,
    /// `Some` turns authentication on (`--auth`).
    pub users: Option<Users>,
    /// Largest accepted body; a larger one is answered with 1801 `http: request body too large`.
    pub body_limit: usize,
    /// Applied at start and by `POST /_mock/reset`.
    pub fixtures: Vec<Fixture>,
    /// Serve the `/_mock` control plane (on by default; `--no-control` turns it off).
    pub control: bool,
    /// When set, the control plane wants `Authorization: Bearer <token>`.
    pub control_token: Option<String>,
    /// How many calls the request journal keeps (0: no journal).
    pub journal_size: usize,
    /// How long a request's head may take to arrive, from the accept or from its first byte on a kept-alive
    /// connection (zero: no limit). Milvus's `ReadHeaderTimeout` is one second.
    pub header_read_timeout: Duration,
    /// How long the server waits for the rest of a request body (zero: no limit); then 1801 with Go's
    /// `i/o timeout` read error (see the `conn` module).
    pub body_read_timeout: Duration,
    /// How long shutdown waits for calls in flight before it closes their connections.
    pub shutdown_timeout: Duration,
    /// Called (on a blocking thread) after a wave of connections closed (at least 64 were open and half of them
    /// are gone) and after a call with a body of 4 MiB or more (a large insert). The binary sets it to the allocator's "give freed memory back" call (glibc's `malloc_trim`),
    /// because glibc otherwise keeps the memory of 10,000 closed connections; this library has no unsafe code.
    pub release_memory: Option<fn()>,
}

/// Milvus's `ReadHeaderTimeout` (`internal/distributed/proxy/service.go`).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// Milvus has no body read deadline; the mock stops waiting after the default `Request-Timeout`, when Milvus's
/// timeout middleware would have given up on the call too.
pub const DEFAULT_BODY_READ_TIMEOUT: Duration = DEFAULT_REQUEST_TIMEOUT;

/// Long enough for calls in flight, short enough for `docker stop`'s 10 s.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// 64 MiB: room for large insert bodies once there is a data plane, and still a bound.
///
/// ```
/// assert_eq!(milvus_mock::Config::default().body_limit, milvus_mock::defaults::DEFAULT_BODY_LIMIT);
/// ```
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024 * 1024;

/// How much of each body the journal keeps.
pub const JOURNAL_BODY_LIMIT: usize = crate::ops::JOURNAL_BODY_LIMIT;

/// The request journal's default size.
///
/// ```
/// assert_eq!(milvus_mock::Config::default().journal_size, milvus_mock::defaults::DEFAULT_JOURNAL_SIZE);
/// ```
pub const DEFAULT_JOURNAL_SIZE: usize = 1000;

impl Default for Config {
    fn default() -> Self {
        Self {
            profile: Profile::default(),
            limits: Limits::default(),
            load_duration: Duration::ZERO,
            live_row_counts: false,
            users: None,
            body_limit: DEFAULT_BODY_LIMIT,
            fixtures: Vec::new(),
            control: true,
            control_token: None,
            journal_size: DEFAULT_JOURNAL_SIZE,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            release_memory: None,
        }
    }
}

/// What every handler shares.
///
/// ```
/// let state = milvus_mock::AppState::new(milvus_mock::Config::default()).unwrap();
/// assert_eq!(state.catalog.list_databases(), ["default"]);
/// ```
#[derive(Debug)]
pub struct AppState {
    pub catalog: Catalog,
    pub config: Config,
    pub(crate) journal: Journal,
    pub(crate) faults: Faults,
}

impl AppState {
    /// The state for `config`, with its fixtures applied; a bad fixture is an error and nothing starts.
    ///
    /// ```
    /// let state = milvus_mock::AppState::new(milvus_mock::Config::default()).unwrap();
    /// assert!(state.config.control);
    /// ```
    pub fn new(config: Config) -> Result<Arc<Self>, FixtureError> {
        let catalog = Catalog::new(config.profile.clone(), config.limits.clone(), config.load_duration);
        catalog.set_live_row_counts(config.live_row_counts);
        let seeded = fixtures::build(&catalog, &config.fixtures)?;
        catalog.replace_all(seeded);
        let journal = Journal::new(if config.control { config.journal_size } else { 0 });
        Ok(Arc::new(Self { catalog, config, journal, faults: Faults::default() }))
    }
}

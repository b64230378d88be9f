//! The Milvus operations, whatever the wire, and the one pipeline every call goes through (`execute`).
//!
//! One call, `POST /v2/vectordb/partitions/release`, in three files:
//! 1. [`crate::conn`] reads HTTP/1.1 off the socket (hyper) and hands the request to `app::MockService`, which finds
//!    the route by its path (a table built from `api::routes`).
//! 2. `app.rs`, the REST adapter (`milvus_call`): auth, method, `Request-Timeout`, body; then `bind` decodes the body
//!    into the route's request type (`api::partitions::PartitionsReq`) with Milvus's Go binding (1801/1802 stay a
//!    binding error) and takes the call's names from it; then this module's `execute`; then Milvus's envelope.
//! 3. Here, `execute`: fault rules matched by [`Operation`], `dbName` and collection; latency and the deadline;
//!    the route's handler (`api::partitions::release_partitions` → `Catalog::release_partitions`) with panics
//!    caught; the journal and the log line, from the call's `Target` (the body is not read again). It returns an
//!    `Outcome`, which the adapter renders.
//!
//! Every Milvus route has one [`Operation`], named as Milvus's REST paths name it (`partitions/release`), so a fault
//! rule or a journal filter written for REST also fits another transport carrying the same operation: a gRPC
//! `ReleasePartitions` (`crate::grpc`, feature `grpc`) builds a `Call` from protobuf and renders the `Outcome` as
//! a `common.Status`.

use std::borrow::Cow;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde::Serialize;

use crate::catalog::Catalog;
use crate::envelope::Reply;
use crate::error::Error;
use crate::faults::FaultAction;
use crate::journal::{KeptBody, Recorded};
use crate::state::AppState;
use crate::version::Profile;

/// Declares [`Operation`] with each variant's name.
macro_rules! operations {
    ($($(#[$doc:meta])* $variant:ident = $name:literal;)*) => {
        /// One Milvus operation. Known from the route alone, so a call whose body does not bind still has one.
        ///
        /// ```
        /// use milvus_mock::Operation;
        /// assert_eq!(Operation::ReleasePartitions.name(), "partitions/release");
        /// assert_eq!(Operation::ReleasePartitions.rest_path(), "/v2/vectordb/partitions/release");
        /// assert_eq!(Operation::from_name("aliases/list"), Some(Operation::ListAliases));
        /// assert_eq!(Operation::from_name("partitions"), None);
        /// ```
        #[non_exhaustive]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($(#[$doc])* $variant,)*
        }

        impl Operation {
            /// Every operation, in declaration order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The operation's name: its REST path below `/v2/vectordb/`, such as `partitions/release`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Operation::$variant => $name,)*
                }
            }

            /// Its REST path in full, such as `/v2/vectordb/partitions/release`.
            pub const fn rest_path(self) -> &'static str {
                match self {
                    $(Operation::$variant => concat!("/v2/vectordb/", $name),)*
                }
            }
        }
    };
}

operations! {
    CreateDatabase = "databases/create";
    DropDatabase = "databases/drop";
    ListDatabases = "databases/list";
    DescribeDatabase = "databases/describe";
    AlterDatabase = "databases/alter";
    AlterDatabaseProperties = "databases/alter_properties";
    DropDatabaseProperties = "databases/drop_properties";
    CreateCollection = "collections/create";
    ListCollections = "collections/list";
    HasCollection = "collections/has";
    DescribeCollection = "collections/describe";
    GetCollectionStats = "collections/get_stats";
    GetLoadState = "collections/get_load_state";
    DropCollection = "collections/drop";
    RenameCollection = "collections/rename";
    LoadCollection = "collections/load";
    ReleaseCollection = "collections/release";
    RefreshLoad = "collections/refresh_load";
    AlterCollectionProperties = "collections/alter_properties";
    DropCollectionProperties = "collections/drop_properties";
    CreatePartition = "partitions/create";
    DropPartition = "partitions/drop";
    HasPartition = "partitions/has";
    ListPartitions = "partitions/list";
    GetPartitionStats = "partitions/get_stats";
    LoadPartitions = "partitions/load";
    ReleasePartitions = "partitions/release";
    CreateIndex = "indexes/create";
    ListIndexes = "indexes/list";
    DescribeIndex = "indexes/describe";
    DropIndex = "indexes/drop";
    AlterIndexProperties = "indexes/alter_properties";
    DropIndexProperties = "indexes/drop_properties";
    CreateAlias = "aliases/create";
    AlterAlias = "aliases/alter";
    DropAlias = "aliases/drop";
    DescribeAlias = "aliases/describe";
    ListAliases = "aliases/list";
    FlushCollection = "collections/flush";
    InsertEntities = "entities/insert";
    UpsertEntities = "entities/upsert";
    DeleteEntities = "entities/delete";
    QueryEntities = "entities/query";
    GetEntities = "entities/get";
    SearchEntities = "entities/search";
    HybridSearchEntities = "entities/hybrid_search";
}

impl Operation {
    /// The operation of a name, as [`Operation::name`] writes it.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.name() == name)
    }

    /// Whether a fault rule's `path` names this operation: `*`, the full REST path, or any tail of it after a `/`
    /// (`partitions/release`, `/partitions/release`, `release`).
    ///
    /// ```
    /// use milvus_mock::Operation::{ReleaseCollection, ReleasePartitions};
    /// assert!(ReleasePartitions.matches("partitions/release"));
    /// assert!(ReleasePartitions.matches("/v2/vectordb/partitions/release"));
    /// assert!(ReleasePartitions.matches("*"));
    /// assert!(ReleaseCollection.matches("release"));
    /// assert!(!ReleaseCollection.matches("partitions/release"));
    /// ```
    pub fn matches(self, rule: &str) -> bool {
        let path = self.rest_path();
        if rule == "*" || rule == path {
            return true;
        }
        let tail = rule.trim_start_matches('/');
        path.len() > tail.len() && path.ends_with(tail) && path.as_bytes()[path.len() - tail.len() - 1] == b'/'
    }
}

impl Serialize for Operation {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// The wire a call came in on, as the journal records it.
///
/// ```
/// assert_eq!(serde_json::to_value(milvus_mock::Transport::Rest).unwrap(), "rest");
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Transport {
    /// Milvus's REST API v2 (`/v2/vectordb/...`).
    Rest,
    /// Milvus's gRPC API (`milvus.proto.milvus.MilvusService`, `src/grpc/`).
    Grpc,
}

impl Transport {
    /// Its name, as the journal and the log line write it.
    ///
    /// ```
    /// assert_eq!(milvus_mock::Transport::Grpc.as_str(), "grpc");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            Transport::Rest => "rest",
            Transport::Grpc => "grpc",
        }
    }
}

// ---- the pipeline ----

/// A call on its way through [`execute`]: its operation, the names faults, the journal and the log line use, and
/// the request as its transport bound it, or the binding error (1801/1802), which the call answers. `O` is what the
/// catalog's run answers before the transport renders it: REST's [`Reply`], or a gRPC response message.
pub(crate) struct Call<R, O = Reply> {
    /// The operation and the names it goes by.
    pub(crate) target: Target,
    pub(crate) bound: Result<Bound<R, O>, Error>,
    /// When the call arrived, for its latency.
    pub(crate) started: Instant,
    /// The caller's deadline (REST: `Request-Timeout`, gRPC: `grpc-timeout`); a latency fault that reaches it answers
    /// [`Outcome::TimedOut`].
    pub(crate) deadline: Duration,
}

/// A request bound to its operation: what the catalog runs.
pub(crate) struct Bound<R, O = Reply> {
    pub(crate) request: R,
    /// The database the operation runs in when it is not the one the call names ([`Target::db`]) (the database routes name their target in
    /// `dbName` and run outside any database).
    pub(crate) run_db: Option<String>,
    pub(crate) run: fn(&Catalog, &str, R) -> Result<O, Error>,
}

/// How a call ended, before any transport renders it.
pub(crate) enum Outcome<O = Reply> {
    /// The catalog's answer.
    Milvus(Result<O, Error>),
    /// A latency fault reached the deadline (REST: HTTP 408, code 10001).
    TimedOut,
    /// A fault rule's answer.
    Injected { http_status: u16, code: i64, message: String },
    /// A fault rule closed the connection: no answer at all.
    Closed,
    /// The call panicked (REST: HTTP 500 `{"code":500}`).
    Panicked,
}

impl<O> Outcome<O> {
    /// The Milvus code `transport` answered (`None`: no answer, or gRPC's `DEADLINE_EXCEEDED`, which carries no
    /// Milvus code). gRPC's success is always 0; `--success-code` is a REST envelope setting.
    pub(crate) fn code(&self, profile: &Profile, transport: Transport) -> Option<i64> {
        let grpc = transport == Transport::Grpc;
        match self {
            Outcome::Milvus(Ok(_)) => Some(if grpc { 0 } else { profile.success_code }),
            Outcome::Milvus(Err(e)) => Some(e.code(profile)),
            Outcome::TimedOut if grpc => None,
            Outcome::TimedOut => Some(10001),
            Outcome::Injected { code, .. } => Some(*code),
            Outcome::Closed => None,
            Outcome::Panicked => Some(500),
        }
    }

    /// The HTTP status `transport` answers it with (`None`: the connection was closed), as the journal records it.
    /// gRPC answers every outcome with HTTP 200 (its statuses travel in the body and the trailers).
    pub(crate) fn http_status(&self, transport: Transport) -> Option<u16> {
        match self {
            Outcome::Closed => None,
            _ if transport == Transport::Grpc => Some(200),
            Outcome::Milvus(_) => Some(200),
            Outcome::TimedOut => Some(408),
            Outcome::Injected { http_status, .. } => Some(*http_status),
            Outcome::Panicked => Some(500),
        }
    }
}

/// How much of a REST body the journal keeps.
pub(crate) const JOURNAL_BODY_LIMIT: usize = 64 * 1024;

/// What the journal and the debug log line get of a request: its bytes (REST's body, or a text), or a gRPC message
/// whose debug text is written only when it is read.
pub(crate) enum RequestBody<'a> {
    Bytes(Cow<'a, [u8]>),
    /// Only the gRPC front makes one.
    #[cfg_attr(not(feature = "grpc"), allow(dead_code))]
    Message(Arc<dyn fmt::Debug + Send + Sync>),
}

impl<'a> RequestBody<'a> {
    /// A body the journal copies (cut at [`JOURNAL_BODY_LIMIT`]) when it keeps it.
    pub(crate) fn bytes(bytes: &'a [u8]) -> Self {
        RequestBody::Bytes(Cow::Borrowed(bytes))
    }

    /// What the journal keeps: a copy (a slice would pin hyper's whole read buffer), and a bounded one, so that the
    /// journal's memory stays within `journal_size` x 64 KiB whatever clients send; a cut body reads back as text.
    pub(crate) fn kept(&self) -> KeptBody {
        match self {
            RequestBody::Bytes(body) => {
                KeptBody::Bytes(Bytes::copy_from_slice(&body[..body.len().min(JOURNAL_BODY_LIMIT)]))
            }
            RequestBody::Message(message) => KeptBody::Message(message.clone()),
        }
    }

    pub(crate) fn text(&self) -> Cow<'_, str> {
        match self {
            RequestBody::Bytes(body) => String::from_utf8_lossy(body),
            RequestBody::Message(message) => Cow::Owned(format!("{message:?}")),
        }
    }
}

/// Runs a call: the fault rules that match its operation and names (latency, deadline, injected answers, closed
/// connections, panics), then the catalog with panics caught, then [`finish`] (journal and log line). `body` is
/// what the journal keeps of the request (REST: its body; cut at [`JOURNAL_BODY_LIMIT`]).
///
/// Latency that reaches the deadline answers [`Outcome::TimedOut`] while the call itself still runs at the end of
/// its latency, as in Milvus, whose timeout middleware does not cancel the handler. Meanwhile it keeps its bound
/// request, not its body; `POST /_mock/reset`, `PUT /_mock/state` and `DELETE /_mock/faults` cancel it (one already
/// running finishes before they go on), and when it runs it is journaled (`"late": true`).
pub(crate) async fn execute<R: Send + 'static, O: Send + 'static>(
    app: &Arc<AppState>,
    call: Call<R, O>,
    body: RequestBody<'_>,
) -> Outcome<O> {
    let Call { target, bound, started, deadline } = call;
    let fault = if app.faults.is_empty() {
        None
    } else {
        app.faults.take(target.operation, &target.db, target.collection.as_deref())
    };
    let outcome = match fault {
        None => run(app, &target.db, bound),
        // Boxed: the fault path's state (timers, the delayed call) would otherwise make every call's future, which
        // is moved into a box per request, several times larger.
        Some(fault) => Box::pin(injected(app, &target, bound, &body, fault, deadline)).await,
    };
    finish(app, target, body, started, &outcome);
    outcome
}

/// Who a call was for: what the journal and the log line say about it.
pub(crate) struct Target {
    pub(crate) operation: Operation,
    pub(crate) transport: Transport,
    /// The database the call names (`dbName`, else the `DB-Name` header, else `default`).
    pub(crate) db: String,
    /// The collection the call names, if any.
    pub(crate) collection: Option<String>,
}

/// Runs a bound call; a panic becomes [`Outcome::Panicked`] and the server goes on. (The catalog's locks are
/// released as the panic unwinds; a half-done change is what Milvus would leave too.)
fn run<R, O>(app: &AppState, db: &str, bound: Result<Bound<R, O>, Error>) -> Outcome<O> {
    let bound = match bound {
        Ok(bound) => bound,
        Err(e) => return Outcome::Milvus(Err(e)),
    };
    let Bound { request, run_db, run } = bound;
    let db = run_db.as_deref().unwrap_or(db);
    match std::panic::catch_unwind(AssertUnwindSafe(|| run(&app.catalog, db, request))) {
        Ok(result) => Outcome::Milvus(result),
        Err(_) => Outcome::Panicked,
    }
}

/// Applies an injected fault (see [`execute`]).
async fn injected<R: Send + 'static, O: Send + 'static>(
    app: &Arc<AppState>,
    target: &Target,
    bound: Result<Bound<R, O>, Error>,
    body: &RequestBody<'_>,
    fault: FaultAction,
    deadline: Duration,
) -> Outcome<O> {
    if fault.close_connection {
        return Outcome::Closed;
    }
    if fault.panic {
        let _ = std::panic::catch_unwind(|| panic!("injected panic (a /_mock/faults rule asked for it)"));
        return Outcome::Panicked;
    }
    if let Some(latency) = fault.latency {
        if latency >= deadline {
            if fault.answer.is_none() {
                let record = (app.journal.capacity() > 0).then(|| Recorded {
                    time_ms: 0,
                    operation: target.operation,
                    transport: target.transport,
                    db: target.db.clone(),
                    collection: target.collection.clone(),
                    body: body.kept(),
                    code: None,
                    http_status: None,
                    latency_us: 0,
                    late: true,
                });
                let (app, started, db) = (app.clone(), Instant::now(), target.db.clone());
                let cancelled = app.faults.delayed();
                tokio::spawn(async move {
                    let outcome = cancelled.run_after(latency, || run(&app, &db, bound)).await;
                    if let (Some(outcome), Some(mut record)) = (outcome, record) {
                        record.code = outcome.code(&app.config.profile, record.transport);
                        // A delayed call's own answer is never a closed connection.
                        record.http_status = outcome.http_status(record.transport);
                        record.time_ms = crate::journal::now_ms();
                        record.latency_us = started.elapsed().as_micros() as u64;
                        app.journal.record(record);
                    }
                });
            }
            tokio::time::sleep(deadline).await;
            return Outcome::TimedOut;
        }
        tokio::time::sleep(latency).await;
    }
    match fault.answer {
        Some((http_status, code, message)) => Outcome::Injected { http_status, code, message },
        None => run(app, &target.db, bound),
    }
}

/// Records a finished call in the journal and logs its line: from the call's target, without reading its body again.
pub(crate) fn finish<O>(app: &AppState, target: Target, body: RequestBody<'_>, started: Instant, outcome: &Outcome<O>) {
    let code = outcome.code(&app.config.profile, target.transport);
    let latency_us = started.elapsed().as_micros() as u64;
    if tracing::enabled!(tracing::Level::INFO) {
        tracing::info!(
            method = "POST",
            path = target.operation.rest_path(),
            operation = target.operation.name(),
            transport = target.transport.as_str(),
            db = %target.db,
            collection = target.collection.as_deref().unwrap_or(""),
            code = code.unwrap_or(-1),
            latency_us,
            "milvus call"
        );
        tracing::debug!(body = %body.text(), "request body");
    }
    if app.journal.capacity() > 0 {
        // Only what is cheap to keep is kept here; the journal's reader derives the rest.
        app.journal.record(Recorded {
            time_ms: crate::journal::now_ms(),
            operation: target.operation,
            transport: target.transport,
            db: target.db,
            collection: target.collection,
            body: body.kept(),
            code,
            // The client of a closed connection saw no status: recorded as none, not as the 200 never sent.
            http_status: outcome.http_status(target.transport),
            latency_us,
            late: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op));
        }
        assert_eq!(Operation::ALL.len(), 46);
    }

    #[test]
    fn matching_is_the_old_path_suffix_rule() {
        // The rule before operations: `r == "*" || r == path || path.ends_with("/" + r.trim_start_matches('/'))`.
        let rules = ["*", "release", "/release", "partitions/release", "vectordb/partitions/release", "ase", "", "/"];
        for op in Operation::ALL {
            let path = op.rest_path();
            for rule in rules.iter().copied().chain(Operation::ALL.iter().map(|o| o.name())).chain([path]) {
                let old = rule == "*" || rule == path || path.ends_with(&format!("/{}", rule.trim_start_matches('/')));
                assert_eq!(op.matches(rule), old, "{rule} on {path}");
            }
        }
    }
}

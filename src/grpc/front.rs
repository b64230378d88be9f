//! `impl MilvusService`: each RPC builds a call from its protobuf request and runs it through
//! [`ops::execute`](crate::ops::execute) like a REST call (faults by operation name, latency and the `grpc-timeout`
//! deadline, panics caught, the journal and the log line), then answers Milvus's response message. The RPCs not
//! listed keep the generated default: `UNIMPLEMENTED`.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use milvus::proto::common::{self, KeyValuePair, Status};
use milvus::proto::milvus::milvus_service_server::MilvusService;
use milvus::proto::milvus::{self as pb};
use tonic::{Request, Response};

use super::convert::{self, created_timestamp, created_utc_ms, from_pairs};
use super::data;
use super::status::{WithStatus, render};
use crate::catalog::{Catalog, DEFAULT_DATABASE, LoadProgress};
use crate::error::Error;
use crate::ops::{self, Bound, Call, Operation, Target, Transport};
use crate::state::AppState;

type Answer<T> = Result<Response<T>, tonic::Status>;

/// The gRPC front over the state REST serves.
pub(crate) struct Front {
    app: Arc<AppState>,
    /// The next `Connect` identifier; never 0, which the Node SDK takes for "unimplemented".
    next_identifier: AtomicI64,
    /// The last timestamp `AllocTimestamp` gave.
    last_timestamp: AtomicU64,
}

impl Front {
    pub(crate) fn new(app: Arc<AppState>) -> Self {
        Self { app, next_identifier: AtomicI64::new(1), last_timestamp: AtomicU64::new(0) }
    }

    /// One call through the pipeline: the database filled as Milvus's `DatabaseInterceptor` fills it, the names for
    /// faults, the journal and the log line, the deadline from `grpc-timeout`; then `run` on the catalog and the
    /// outcome as the RPC's answer. The journal keeps the request's debug text as its body.
    async fn call<R, O>(
        &self,
        op: Operation,
        request: Request<R>,
        run: fn(&Catalog, &str, R) -> Result<O, Error>,
    ) -> Answer<O>
    where
        R: Named + prost::Message + Clone + Sync + 'static,
        O: WithStatus + Send + 'static,
    {
        let started = Instant::now();
        let deadline = grpc_timeout(request.metadata()).unwrap_or(Duration::MAX);
        let header_db = request.metadata().get("dbname").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
        let mut message = request.into_inner();
        let (db, collection) = message.names(&header_db);
        let wants_body = self.app.journal.capacity() > 0 || tracing::enabled!(tracing::Level::DEBUG);
        let body = if wants_body { super::journal_body(&message) } else { ops::RequestBody::bytes(b"") };
        let target = Target { operation: op, transport: Transport::Grpc, db, collection };
        let call = Call { target, bound: Ok(Bound { request: message, run_db: None, run }), started, deadline };
        let outcome = ops::execute(&self.app, call, body).await;
        render(outcome, &self.app.config.profile).map(Response::new)
    }
}

/// A message from this size on is followed by [`Config::release_memory`](crate::Config::release_memory), as a REST
/// body of the same size is (`app.rs`).
const LARGE_MESSAGE: usize = 4 << 20;

/// Whether a data message is large enough to give memory back after it: its encoded size, what the client sent.
fn is_large(message: &impl prost::Message) -> bool {
    message.encoded_len() >= LARGE_MESSAGE
}

impl Front {
    /// After a large `Insert` or `Upsert`, whatever its answer: the message and its decoded copies (the REST rows
    /// made from its columns) are freed by now, and the allocator would keep most of them.
    fn release_memory_after(&self, large: bool) {
        if large && let Some(release) = self.app.config.release_memory {
            tokio::task::spawn_blocking(release);
        }
    }
}

/// The `grpc-timeout` header: at most 8 digits and a unit (`H`, `M`, `S`, `m`, `u`, `n`), per the gRPC over
/// HTTP/2 protocol. `None` (no deadline) when absent or malformed: grpc-go refuses a malformed value, the mock runs
/// the call.
fn grpc_timeout(metadata: &tonic::metadata::MetadataMap) -> Option<Duration> {
    let raw = metadata.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = raw.split_at(raw.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(n * 3600),
        "M" => Duration::from_secs(n * 60),
        "S" => Duration::from_secs(n),
        "m" => Duration::from_millis(n),
        "u" => Duration::from_micros(n),
        "n" => Duration::from_nanos(n),
        _ => return None,
    })
}

/// A request message's names: the database it runs in and the collection it names, for the call's target.
pub(crate) trait Named {
    /// Fills an empty `db_name` from the `dbname` header, else `default` (where Milvus's `DatabaseInterceptor`
    /// does, `internal/proxy/database_interceptor.go`), and names the call.
    fn names(&mut self, header_db: &str) -> (String, Option<String>);
}

/// The database a request runs in: its own `db_name`, else the `dbname` header, else `default`.
fn fill(db_name: &mut String, header_db: &str) {
    if db_name.is_empty() {
        *db_name = if header_db.is_empty() { DEFAULT_DATABASE } else { header_db }.to_string();
    }
}

fn non_empty(name: &str) -> Option<String> {
    Some(name).filter(|n| !n.is_empty()).map(str::to_string)
}

/// Requests the interceptor fills: `Type => collection field` (`-` for none).
macro_rules! in_database {
    ($($request:ident => $collection:tt),* $(,)?) => {
        $(impl Named for pb::$request {
            fn names(&mut self, header_db: &str) -> (String, Option<String>) {
                fill(&mut self.db_name, header_db);
                (self.db_name.clone(), in_database!(@collection self $collection))
            }
        })*
    };
    (@collection $self:ident -) => { None };
    (@collection $self:ident $field:ident) => { non_empty(&$self.$field) };
}

in_database! {
    CreateCollectionRequest => collection_name,
    DescribeCollectionRequest => collection_name,
    HasCollectionRequest => collection_name,
    ShowCollectionsRequest => -,
    DropCollectionRequest => collection_name,
    AlterCollectionRequest => collection_name,
    LoadCollectionRequest => collection_name,
    ReleaseCollectionRequest => collection_name,
    GetLoadingProgressRequest => collection_name,
    GetLoadStateRequest => collection_name,
    GetCollectionStatisticsRequest => collection_name,
    CreatePartitionRequest => collection_name,
    DropPartitionRequest => collection_name,
    HasPartitionRequest => collection_name,
    ShowPartitionsRequest => collection_name,
    LoadPartitionsRequest => collection_name,
    ReleasePartitionsRequest => collection_name,
    GetPartitionStatisticsRequest => collection_name,
    CreateIndexRequest => collection_name,
    DescribeIndexRequest => collection_name,
    DropIndexRequest => collection_name,
    AlterIndexRequest => collection_name,
    CreateAliasRequest => collection_name,
    AlterAliasRequest => collection_name,
    DropAliasRequest => -,
    DescribeAliasRequest => -,
    ListAliasesRequest => collection_name,
    InsertRequest => collection_name,
    UpsertRequest => collection_name,
    DeleteRequest => collection_name,
    QueryRequest => collection_name,
    SearchRequest => collection_name,
    HybridSearchRequest => collection_name,
}

impl Named for pb::FlushRequest {
    /// Names the first collection it flushes.
    fn names(&mut self, header_db: &str) -> (String, Option<String>) {
        fill(&mut self.db_name, header_db);
        (self.db_name.clone(), self.collection_names.first().and_then(|n| non_empty(n)))
    }
}

impl Named for pb::RenameCollectionRequest {
    /// The interceptor fills the target database too.
    fn names(&mut self, header_db: &str) -> (String, Option<String>) {
        fill(&mut self.db_name, header_db);
        fill(&mut self.new_db_name, header_db);
        (self.db_name.clone(), non_empty(&self.old_name))
    }
}

/// The database requests name the database they act on, which the interceptor leaves as sent.
macro_rules! names_a_database {
    ($($request:ident),*) => {
        $(impl Named for pb::$request {
            fn names(&mut self, _: &str) -> (String, Option<String>) {
                (self.db_name.clone(), None)
            }
        })*
    };
}

names_a_database!(CreateDatabaseRequest, DropDatabaseRequest, DescribeDatabaseRequest, AlterDatabaseRequest);

impl Named for pb::ListDatabasesRequest {
    fn names(&mut self, header_db: &str) -> (String, Option<String>) {
        let mut db = String::new();
        fill(&mut db, header_db);
        (db, None)
    }
}

fn ok() -> Status {
    Status::default()
}

fn ok_status() -> Option<Status> {
    Some(Status::default())
}

/// `stats` with the row count (no data plane yet: 0).
fn row_count(rows: i64) -> Vec<KeyValuePair> {
    vec![KeyValuePair { key: "row_count".into(), value: rows.to_string() }]
}

/// A partition's or collection's load progress as `GetLoadingProgress` answers it: not loaded is an error.
fn loading_progress(catalog: &Catalog, db: &str, r: &pb::GetLoadingProgressRequest) -> Result<i64, Error> {
    let partitions = Some(r.partition_names.as_slice()).filter(|p| !p.is_empty());
    match catalog.get_load_state(db, &r.collection_name, partitions)? {
        LoadProgress::Percent(p) => Ok(p),
        LoadProgress::NotLoaded => {
            Err(Error::ProgressCollectionNotLoaded { id: catalog.collection(db, &r.collection_name, |c| c.id)? })
        }
        LoadProgress::PartitionNotFound { name } => Err(Error::PartitionNotFound { name }),
        LoadProgress::PartitionNotLoaded { id } => Err(Error::ProgressPartitionNotLoaded { id }),
    }
}

/// `GetLoadState` (`Proxy.GetLoadState`, `internal/proxy/impl.go`): a missing collection is a success with
/// `LoadStateNotExist`, a collection or partition that is not loaded `LoadStateNotLoad`; a missing partition is an
/// error.
fn load_state(catalog: &Catalog, db: &str, r: pb::GetLoadStateRequest) -> Result<pb::GetLoadStateResponse, Error> {
    let partitions = Some(r.partition_names.as_slice()).filter(|p| !p.is_empty());
    let state = match catalog.get_load_state(db, &r.collection_name, partitions) {
        Err(e) if e.code(catalog.profile()) == 100 => common::LoadState::NotExist,
        Err(e) => return Err(e),
        Ok(LoadProgress::NotLoaded | LoadProgress::PartitionNotLoaded { .. }) => common::LoadState::NotLoad,
        Ok(LoadProgress::Percent(p)) if p >= 100 => common::LoadState::Loaded,
        Ok(LoadProgress::Percent(_)) => common::LoadState::Loading,
        Ok(LoadProgress::PartitionNotFound { name }) => return Err(Error::PartitionNotFound { name }),
    };
    Ok(pb::GetLoadStateResponse { status: ok_status(), state: state as i32 })
}

/// `ShowCollections`: every collection with its id and creation time; `InMemory` (deprecated) lists the loaded
/// ones with their load percentage (`showCollectionsTask.Execute`, `internal/proxy/task.go`).
fn show_collections(
    catalog: &Catalog,
    db: &str,
    r: pb::ShowCollectionsRequest,
) -> Result<pb::ShowCollectionsResponse, Error> {
    #[allow(deprecated)] // `ShowType::InMemory` and its percentages: deprecated, still answered by Milvus 2.6.
    let in_memory = r.r#type() == pb::ShowType::InMemory;
    let mut answer = pb::ShowCollectionsResponse { status: ok_status(), ..Default::default() };
    for name in catalog.list_collections(db)? {
        let Ok((id, loaded)) = catalog.collection(db, &name, |c| (c.id, c.is_loaded())) else { continue };
        #[allow(deprecated)]
        if in_memory {
            if !loaded {
                continue;
            }
            let percent = match catalog.get_load_state(db, &name, None) {
                Ok(LoadProgress::Percent(p)) => p,
                _ => 0,
            };
            answer.in_memory_percentages.push(percent);
            answer.query_service_available.push(percent >= 100);
        }
        answer.collection_names.push(name);
        answer.collection_ids.push(id);
        answer.created_timestamps.push(created_timestamp());
        answer.created_utc_timestamps.push(created_utc_ms());
    }
    Ok(answer)
}

fn show_partitions(
    catalog: &Catalog,
    db: &str,
    r: pb::ShowPartitionsRequest,
) -> Result<pb::ShowPartitionsResponse, Error> {
    let names = catalog.list_partitions(db, &r.collection_name)?;
    let ids = catalog.collection(db, &r.collection_name, |c| {
        names.iter().map(|n| c.partition(n).map_or(0, |p| p.id)).collect::<Vec<_>>()
    })?;
    Ok(pb::ShowPartitionsResponse {
        status: ok_status(),
        created_timestamps: vec![created_timestamp(); names.len()],
        created_utc_timestamps: vec![created_utc_ms(); names.len()],
        partition_names: names,
        partition_i_ds: ids,
        ..Default::default()
    })
}

/// `DescribeIndex`: every index of the collection, or the one named by `index_name` (else by `field_name`);
/// none is 700 as Milvus words it for the collection or the name.
fn describe_index(
    catalog: &Catalog,
    db: &str,
    r: pb::DescribeIndexRequest,
) -> Result<pb::DescribeIndexResponse, Error> {
    catalog.list_indexes(db, &r.collection_name)?;
    let all: Vec<crate::catalog::IndexView> =
        catalog.collection(db, &r.collection_name, |c| c.indexes.iter().map(Into::into).collect())?;
    let chosen: Vec<_> = all
        .iter()
        .filter(|i| r.index_name.is_empty() || i.name == r.index_name)
        .filter(|i| r.field_name.is_empty() || !r.index_name.is_empty() || i.field == r.field_name)
        .collect();
    if chosen.is_empty() {
        return Err(if r.index_name.is_empty() {
            Error::IndexNotFoundCollection { name: r.collection_name }
        } else {
            Error::IndexNotFoundName { index: r.index_name }
        });
    }
    let index_descriptions = chosen.into_iter().map(convert::index_description).collect();
    Ok(pb::DescribeIndexResponse { status: ok_status(), index_descriptions })
}

/// The index `DropIndex` names: `index_name`, else the index on `field_name`.
fn drop_index(catalog: &Catalog, db: &str, r: pb::DropIndexRequest) -> Result<Status, Error> {
    let name = if r.index_name.is_empty() && !r.field_name.is_empty() {
        let field = r.field_name.clone();
        catalog
            .collection(db, &r.collection_name, |c| {
                c.indexes.iter().find(|i| i.field == field).map(|i| i.name.clone())
            })?
            .unwrap_or_default()
    } else {
        r.index_name
    };
    catalog.drop_index(db, &r.collection_name, &name)?;
    Ok(ok())
}

/// `AlterCollection`, `AlterDatabase` and `AlterIndex` carry both properties to set and keys to delete: the
/// operation is the REST one that drops properties when only keys are sent.
fn alter_operation(set: &[KeyValuePair], delete: &[String], alter: Operation, drop: Operation) -> Operation {
    if set.is_empty() && !delete.is_empty() { drop } else { alter }
}

/// The Milvus version as `GetVersion` and `Connect` report it: the profile's release line, patch 0.
fn version(app: &AppState) -> String {
    format!("v{}.0", app.config.profile.version)
}

#[tonic::async_trait]
impl MilvusService for Front {
    // ---- connection: answered at once, outside the pipeline ----
    //
    // Not journaled, on purpose: the journal and fault rules are keyed by Milvus's operations, each named after
    // its REST route, and these three have none (Milvus's REST API has no connect or version call); pymilvus sends
    // `Connect` for every `MilvusClient` and `GetVersion` whenever it probes an idle shared channel, and
    // milvus-sdk-rust's `ClientV2` connects on every client too, so journaling them would put handshakes between
    // the calls a test means to assert, and a fault rule could stop a client from connecting at all.

    async fn connect(&self, _: Request<pb::ConnectRequest>) -> Answer<pb::ConnectResponse> {
        let server_info = common::ServerInfo {
            build_tags: version(&self.app),
            deploy_mode: "STANDALONE".into(),
            ..Default::default()
        };
        let identifier = self.next_identifier.fetch_add(1, Ordering::Relaxed);
        Ok(Response::new(pb::ConnectResponse { status: ok_status(), server_info: Some(server_info), identifier }))
    }

    async fn get_version(&self, _: Request<pb::GetVersionRequest>) -> Answer<pb::GetVersionResponse> {
        Ok(Response::new(pb::GetVersionResponse { status: ok_status(), version: version(&self.app) }))
    }

    async fn check_health(&self, _: Request<pb::CheckHealthRequest>) -> Answer<pb::CheckHealthResponse> {
        Ok(Response::new(pb::CheckHealthResponse { status: ok_status(), is_healthy: true, ..Default::default() }))
    }

    /// A hybrid timestamp, never the same twice: milvus-sdk-rust asks for one before it polls `DescribeIndex`.
    async fn alloc_timestamp(&self, _: Request<pb::AllocTimestampRequest>) -> Answer<pb::AllocTimestampResponse> {
        let now = convert::now_ms() << 18;
        let next = |last: u64| now.max(last + 1);
        let last = self.last_timestamp.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(next(last)));
        let timestamp = next(last.unwrap_or_else(|last| last));
        Ok(Response::new(pb::AllocTimestampResponse { status: ok_status(), timestamp }))
    }

    // ---- databases ----

    async fn create_database(&self, request: Request<pb::CreateDatabaseRequest>) -> Answer<Status> {
        self.call(Operation::CreateDatabase, request, |catalog, _, r| {
            catalog.create_database(&r.db_name, from_pairs(r.properties))?;
            Ok(ok())
        })
        .await
    }

    async fn drop_database(&self, request: Request<pb::DropDatabaseRequest>) -> Answer<Status> {
        self.call(Operation::DropDatabase, request, |catalog, _, r| {
            catalog.drop_database(&r.db_name)?;
            Ok(ok())
        })
        .await
    }

    async fn list_databases(&self, request: Request<pb::ListDatabasesRequest>) -> Answer<pb::ListDatabasesResponse> {
        self.call(Operation::ListDatabases, request, |catalog, _, _| {
            let db_names = catalog.list_databases();
            let db_ids = db_names.iter().map(|n| catalog.describe_database(n).map_or(0, |d| d.id)).collect();
            let created_timestamp = vec![created_timestamp(); db_names.len()];
            Ok(pb::ListDatabasesResponse { status: ok_status(), db_names, created_timestamp, db_ids })
        })
        .await
    }

    async fn describe_database(
        &self,
        request: Request<pb::DescribeDatabaseRequest>,
    ) -> Answer<pb::DescribeDatabaseResponse> {
        self.call(Operation::DescribeDatabase, request, |catalog, _, r| {
            let view = catalog.describe_database(&r.db_name)?;
            Ok(pb::DescribeDatabaseResponse {
                status: ok_status(),
                db_name: view.name,
                db_id: view.id,
                created_timestamp: created_timestamp(),
                properties: convert::to_pairs(&view.properties),
            })
        })
        .await
    }

    async fn alter_database(&self, request: Request<pb::AlterDatabaseRequest>) -> Answer<Status> {
        let r = request.get_ref();
        let op =
            alter_operation(&r.properties, &r.delete_keys, Operation::AlterDatabase, Operation::DropDatabaseProperties);
        self.call(op, request, |catalog, _, r| {
            if !r.properties.is_empty() || r.delete_keys.is_empty() {
                catalog.alter_database(&r.db_name, from_pairs(r.properties))?;
            }
            if !r.delete_keys.is_empty() {
                catalog.drop_database_properties(&r.db_name, &r.delete_keys)?;
            }
            Ok(ok())
        })
        .await
    }

    // ---- collections ----

    /// Creates the collection only: over gRPC there is no index and no load (clients send `CreateIndex` and
    /// `LoadCollection` themselves).
    async fn create_collection(&self, request: Request<pb::CreateCollectionRequest>) -> Answer<Status> {
        self.call(Operation::CreateCollection, request, |catalog, db, r| {
            catalog.create_collection(db, convert::collection_spec(&r, catalog.profile())?)?;
            Ok(ok())
        })
        .await
    }

    async fn describe_collection(
        &self,
        request: Request<pb::DescribeCollectionRequest>,
    ) -> Answer<pb::DescribeCollectionResponse> {
        self.call(Operation::DescribeCollection, request, |catalog, db, r| {
            let view = catalog.describe_collection(db, &r.collection_name)?;
            let db_id = catalog.describe_database(&view.db).map_or(0, |d| d.id);
            Ok(convert::describe_collection(&view, db_id))
        })
        .await
    }

    async fn has_collection(&self, request: Request<pb::HasCollectionRequest>) -> Answer<pb::BoolResponse> {
        self.call(Operation::HasCollection, request, |catalog, db, r| {
            Ok(pb::BoolResponse { status: ok_status(), value: catalog.has_collection(db, &r.collection_name)? })
        })
        .await
    }

    async fn show_collections(
        &self,
        request: Request<pb::ShowCollectionsRequest>,
    ) -> Answer<pb::ShowCollectionsResponse> {
        self.call(Operation::ListCollections, request, show_collections).await
    }

    async fn drop_collection(&self, request: Request<pb::DropCollectionRequest>) -> Answer<Status> {
        self.call(Operation::DropCollection, request, |catalog, db, r| {
            catalog.drop_collection(db, &r.collection_name)?;
            Ok(ok())
        })
        .await
    }

    async fn rename_collection(&self, request: Request<pb::RenameCollectionRequest>) -> Answer<Status> {
        self.call(Operation::RenameCollection, request, |catalog, db, r| {
            catalog.rename_collection(db, &r.old_name, &r.new_name, &r.new_db_name)?;
            Ok(ok())
        })
        .await
    }

    async fn alter_collection(&self, request: Request<pb::AlterCollectionRequest>) -> Answer<Status> {
        let r = request.get_ref();
        let op = alter_operation(
            &r.properties,
            &r.delete_keys,
            Operation::AlterCollectionProperties,
            Operation::DropCollectionProperties,
        );
        self.call(op, request, |catalog, db, r| {
            if !r.properties.is_empty() || r.delete_keys.is_empty() {
                catalog.alter_collection_properties(db, &r.collection_name, from_pairs(r.properties))?;
            }
            if !r.delete_keys.is_empty() {
                catalog.drop_collection_properties(db, &r.collection_name, &r.delete_keys)?;
            }
            Ok(ok())
        })
        .await
    }

    /// `refresh` makes it REST's `collections/refresh_load`.
    async fn load_collection(&self, request: Request<pb::LoadCollectionRequest>) -> Answer<Status> {
        let op = if request.get_ref().refresh { Operation::RefreshLoad } else { Operation::LoadCollection };
        self.call(op, request, |catalog, db, r| {
            if r.refresh {
                catalog.refresh_load(db, &r.collection_name)?;
            } else {
                catalog.load_collection(db, &r.collection_name)?;
            }
            Ok(ok())
        })
        .await
    }

    async fn release_collection(&self, request: Request<pb::ReleaseCollectionRequest>) -> Answer<Status> {
        self.call(Operation::ReleaseCollection, request, |catalog, db, r| {
            catalog.release_collection(db, &r.collection_name)?;
            Ok(ok())
        })
        .await
    }

    /// The operation REST calls `collections/get_load_state`, which asks Milvus for the same progress.
    async fn get_loading_progress(
        &self,
        request: Request<pb::GetLoadingProgressRequest>,
    ) -> Answer<pb::GetLoadingProgressResponse> {
        self.call(Operation::GetLoadState, request, |catalog, db, r| {
            let progress = loading_progress(catalog, db, &r)?;
            Ok(pb::GetLoadingProgressResponse { status: ok_status(), progress, refresh_progress: progress })
        })
        .await
    }

    async fn get_load_state(&self, request: Request<pb::GetLoadStateRequest>) -> Answer<pb::GetLoadStateResponse> {
        self.call(Operation::GetLoadState, request, load_state).await
    }

    async fn get_collection_statistics(
        &self,
        request: Request<pb::GetCollectionStatisticsRequest>,
    ) -> Answer<pb::GetCollectionStatisticsResponse> {
        self.call(Operation::GetCollectionStats, request, |catalog, db, r| {
            let stats = row_count(catalog.collection_row_count(db, &r.collection_name)?);
            Ok(pb::GetCollectionStatisticsResponse { status: ok_status(), stats })
        })
        .await
    }

    // ---- partitions ----

    async fn create_partition(&self, request: Request<pb::CreatePartitionRequest>) -> Answer<Status> {
        self.call(Operation::CreatePartition, request, |catalog, db, r| {
            catalog.create_partition(db, &r.collection_name, &r.partition_name)?;
            Ok(ok())
        })
        .await
    }

    async fn drop_partition(&self, request: Request<pb::DropPartitionRequest>) -> Answer<Status> {
        self.call(Operation::DropPartition, request, |catalog, db, r| {
            catalog.drop_partition(db, &r.collection_name, &r.partition_name)?;
            Ok(ok())
        })
        .await
    }

    async fn has_partition(&self, request: Request<pb::HasPartitionRequest>) -> Answer<pb::BoolResponse> {
        self.call(Operation::HasPartition, request, |catalog, db, r| {
            let value = catalog.has_partition(db, &r.collection_name, &r.partition_name)?;
            Ok(pb::BoolResponse { status: ok_status(), value })
        })
        .await
    }

    async fn show_partitions(&self, request: Request<pb::ShowPartitionsRequest>) -> Answer<pb::ShowPartitionsResponse> {
        self.call(Operation::ListPartitions, request, show_partitions).await
    }

    async fn load_partitions(&self, request: Request<pb::LoadPartitionsRequest>) -> Answer<Status> {
        self.call(Operation::LoadPartitions, request, |catalog, db, r| {
            catalog.load_partitions(db, &r.collection_name, &r.partition_names)?;
            Ok(ok())
        })
        .await
    }

    async fn release_partitions(&self, request: Request<pb::ReleasePartitionsRequest>) -> Answer<Status> {
        self.call(Operation::ReleasePartitions, request, |catalog, db, r| {
            catalog.release_partitions(db, &r.collection_name, &r.partition_names)?;
            Ok(ok())
        })
        .await
    }

    async fn get_partition_statistics(
        &self,
        request: Request<pb::GetPartitionStatisticsRequest>,
    ) -> Answer<pb::GetPartitionStatisticsResponse> {
        self.call(Operation::GetPartitionStats, request, |catalog, db, r| {
            let stats = row_count(catalog.partition_row_count(db, &r.collection_name, &r.partition_name)?);
            Ok(pb::GetPartitionStatisticsResponse { status: ok_status(), stats })
        })
        .await
    }

    // ---- indexes ----

    async fn create_index(&self, request: Request<pb::CreateIndexRequest>) -> Answer<Status> {
        self.call(Operation::CreateIndex, request, |catalog, db, r| {
            catalog.create_indexes(db, &r.collection_name, vec![convert::index_request(&r)?])?;
            Ok(ok())
        })
        .await
    }

    async fn describe_index(&self, request: Request<pb::DescribeIndexRequest>) -> Answer<pb::DescribeIndexResponse> {
        self.call(Operation::DescribeIndex, request, describe_index).await
    }

    async fn drop_index(&self, request: Request<pb::DropIndexRequest>) -> Answer<Status> {
        self.call(Operation::DropIndex, request, drop_index).await
    }

    async fn alter_index(&self, request: Request<pb::AlterIndexRequest>) -> Answer<Status> {
        let r = request.get_ref();
        let op = alter_operation(
            &r.extra_params,
            &r.delete_keys,
            Operation::AlterIndexProperties,
            Operation::DropIndexProperties,
        );
        self.call(op, request, |catalog, db, r| {
            let set = from_pairs(r.extra_params);
            catalog.alter_index_properties(db, &r.collection_name, &r.index_name, set, &r.delete_keys)?;
            Ok(ok())
        })
        .await
    }

    // ---- aliases ----

    async fn create_alias(&self, request: Request<pb::CreateAliasRequest>) -> Answer<Status> {
        self.call(Operation::CreateAlias, request, |catalog, db, r| {
            catalog.create_alias(db, &r.collection_name, &r.alias)?;
            Ok(ok())
        })
        .await
    }

    async fn drop_alias(&self, request: Request<pb::DropAliasRequest>) -> Answer<Status> {
        self.call(Operation::DropAlias, request, |catalog, db, r| {
            catalog.drop_alias(db, &r.alias)?;
            Ok(ok())
        })
        .await
    }

    async fn alter_alias(&self, request: Request<pb::AlterAliasRequest>) -> Answer<Status> {
        self.call(Operation::AlterAlias, request, |catalog, db, r| {
            catalog.alter_alias(db, &r.collection_name, &r.alias)?;
            Ok(ok())
        })
        .await
    }

    async fn describe_alias(&self, request: Request<pb::DescribeAliasRequest>) -> Answer<pb::DescribeAliasResponse> {
        self.call(Operation::DescribeAlias, request, |catalog, db, r| {
            let view = catalog.describe_alias(db, &r.alias)?;
            Ok(pb::DescribeAliasResponse {
                status: ok_status(),
                db_name: view.db,
                alias: view.alias,
                collection: view.collection,
            })
        })
        .await
    }

    async fn list_aliases(&self, request: Request<pb::ListAliasesRequest>) -> Answer<pb::ListAliasesResponse> {
        self.call(Operation::ListAliases, request, |catalog, db, r| {
            let aliases = catalog.list_aliases(db, &r.collection_name)?;
            Ok(pb::ListAliasesResponse {
                status: ok_status(),
                db_name: db.to_string(),
                collection_name: r.collection_name,
                aliases,
            })
        })
        .await
    }

    // ---- data plane (`super::data`) ----

    async fn insert(&self, request: Request<pb::InsertRequest>) -> Answer<pb::MutationResult> {
        let large = is_large(request.get_ref());
        let answer = self.call(Operation::InsertEntities, request, data::insert).await;
        self.release_memory_after(large);
        answer
    }

    async fn upsert(&self, request: Request<pb::UpsertRequest>) -> Answer<pb::MutationResult> {
        let large = is_large(request.get_ref());
        let answer = self.call(Operation::UpsertEntities, request, data::upsert).await;
        self.release_memory_after(large);
        answer
    }

    async fn delete(&self, request: Request<pb::DeleteRequest>) -> Answer<pb::MutationResult> {
        self.call(Operation::DeleteEntities, request, data::delete).await
    }

    async fn query(&self, request: Request<pb::QueryRequest>) -> Answer<pb::QueryResults> {
        self.call(Operation::QueryEntities, request, data::query).await
    }

    async fn search(&self, request: Request<pb::SearchRequest>) -> Answer<pb::SearchResults> {
        self.call(Operation::SearchEntities, request, data::search).await
    }

    async fn hybrid_search(&self, request: Request<pb::HybridSearchRequest>) -> Answer<pb::SearchResults> {
        self.call(Operation::HybridSearchEntities, request, data::hybrid_search).await
    }

    async fn flush(&self, request: Request<pb::FlushRequest>) -> Answer<pb::FlushResponse> {
        self.call(Operation::FlushCollection, request, data::flush).await
    }

    /// Every flush is done at once (pymilvus's `flush` polls this until `flushed`).
    async fn get_flush_state(&self, _: Request<pb::GetFlushStateRequest>) -> Answer<pb::GetFlushStateResponse> {
        Ok(Response::new(pb::GetFlushStateResponse { status: ok_status(), flushed: true }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_reads_every_unit_and_refuses_malformed_values() {
        let timeout = |value: &str| {
            let mut metadata = tonic::metadata::MetadataMap::new();
            metadata.insert("grpc-timeout", value.parse().unwrap());
            grpc_timeout(&metadata)
        };
        assert_eq!(timeout("2H"), Some(Duration::from_secs(7200)));
        assert_eq!(timeout("3M"), Some(Duration::from_secs(180)));
        assert_eq!(timeout("4S"), Some(Duration::from_secs(4)));
        assert_eq!(timeout("100m"), Some(Duration::from_millis(100)));
        assert_eq!(timeout("7u"), Some(Duration::from_micros(7)));
        assert_eq!(timeout("99999999n"), Some(Duration::from_nanos(99_999_999)));
        for bad in ["", "S", "100", "123456789S", "1x", "-1S", "1.5S"] {
            assert_eq!(timeout(bad), None, "{bad:?}");
        }
        assert_eq!(grpc_timeout(&tonic::metadata::MetadataMap::new()), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_large_insert_or_upsert_gives_freed_memory_back_afterwards() {
        use std::sync::atomic::AtomicUsize;
        static CALLS: AtomicUsize = AtomicUsize::new(0);
        fn count() {
            CALLS.fetch_add(1, Ordering::SeqCst);
        }
        let config = crate::Config { release_memory: Some(count), ..crate::Config::default() };
        let front = Front::new(AppState::new(config).unwrap());
        let insert = |bytes: usize| pb::InsertRequest {
            collection_name: "missing".into(),
            fields_data: vec![milvus::proto::schema::FieldData {
                field_name: "pad".into(),
                field: Some(milvus::proto::schema::field_data::Field::Vectors(milvus::proto::schema::VectorField {
                    data: Some(milvus::proto::schema::vector_field::Data::BinaryVector(vec![0; bytes])),
                    ..Default::default()
                })),
                ..Default::default()
            }],
            num_rows: 1,
            ..Default::default()
        };
        let settled = || async {
            for _ in 0..100 {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            CALLS.load(Ordering::SeqCst)
        };
        // A failed call releases too: REST releases after any large body.
        let small = front.insert(Request::new(insert(1024))).await.unwrap().into_inner();
        assert_eq!(small.status.map(|s| s.code), Some(100));
        assert_eq!(settled().await, 0, "a small message releases nothing");
        front.insert(Request::new(insert(LARGE_MESSAGE))).await.unwrap();
        assert_eq!(settled().await, 1, "released after a large insert");
        let upsert = pb::UpsertRequest { fields_data: insert(LARGE_MESSAGE).fields_data, ..Default::default() };
        front.upsert(Request::new(upsert)).await.unwrap();
        assert_eq!(settled().await, 2, "released after a large upsert");
    }

    #[test]
    fn the_database_is_filled_as_the_interceptor_fills_it() {
        let mut release = pb::ReleasePartitionsRequest { collection_name: "c".into(), ..Default::default() };
        assert_eq!(release.names("db7"), ("db7".to_string(), Some("c".to_string())));
        assert_eq!(release.db_name, "db7");
        let mut rename =
            pb::RenameCollectionRequest { old_name: "a".into(), new_name: "b".into(), ..Default::default() };
        assert_eq!(rename.names(""), ("default".to_string(), Some("a".to_string())));
        assert_eq!(rename.new_db_name, "default");
        // The database requests keep their own name, empty or not.
        let mut create = pb::CreateDatabaseRequest::default();
        assert_eq!(create.names("db7"), (String::new(), None));
    }
}

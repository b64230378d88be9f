//! The `grpc` scenario's two pieces: the baseline (the least a tonic server can do for `ReleasePartitions`) and
//! the gRPC load generator, both built on `milvus-sdk-rust`'s generated stubs (lib `milvus`, pinned `=3.0.3`,
//! tonic 0.13), the same stubs the mock's front implements.
//!
//! The load generator is a tonic client: N streams (tasks, one call in flight each) spread over a few HTTP/2
//! connections (tonic `Channel`s), on the bench's one current-thread runtime, with the `LoadResult` of the REST
//! generator. A call counts only if it is gRPC OK with `common.Status{code: 0, error_code: Success}`.

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use milvus::proto::common::Status;
use milvus::proto::milvus::ReleasePartitionsRequest;
use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
use milvus::proto::milvus::milvus_service_server::{MilvusService, MilvusServiceServer};
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Endpoint};

use crate::baseline::InProcess;
use crate::load::{LoadResult, OpLatencies};
use crate::mock::COLLECTION;

/// The name of the baseline's server thread, to find its CPU time in `/proc/self/task`.
pub const THREAD_NAME: &str = "bench-grpc-base";

/// Milvus's gRPC receive limit (`proxy.grpc.serverMaxRecvSize`, 512 MiB), which the mock sets too.
const MAX_MESSAGE: usize = 512 << 20;

/// The baseline service: every RPC but `ReleasePartitions` keeps tonic-build's default Unimplemented body.
struct Baseline;

#[tonic::async_trait]
impl MilvusService for Baseline {
    async fn release_partitions(
        &self,
        request: tonic::Request<ReleasePartitionsRequest>,
    ) -> Result<tonic::Response<Status>, tonic::Status> {
        std::hint::black_box(request.into_inner());
        Ok(tonic::Response::new(Status::default()))
    }
}

/// The baseline served as the in-process mock is (its own thread, a current-thread runtime), by tonic's own
/// `transport::Server` with TCP_NODELAY on accepted connections.
pub fn start() -> InProcess {
    InProcess::spawn(THREAD_NAME, |listener, shutdown| async move {
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let service = MilvusServiceServer::new(Baseline).max_decoding_message_size(MAX_MESSAGE);
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, shutdown)
            .await
            .expect("gRPC baseline server");
    })
}

/// `bench serve-grpc-baseline`: the baseline in a process of its own (for instruction counts under callgrind,
/// next to `bench serve-mock`, whose port serves gRPC too). With `multi_thread`, it runs on a multi-thread runtime
/// as a `#[tokio::main]` server does, like the `milvus-mock` binary: the like-for-like baseline of the shipped
/// binary.
pub fn serve_process(multi_thread: bool) {
    if !multi_thread {
        let server = start();
        println!("ready {}", server.address);
        // Lives until the parent closes our standard input.
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
        return;
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        println!("ready {}", listener.local_addr().expect("address"));
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let service = MilvusServiceServer::new(Baseline).max_decoding_message_size(MAX_MESSAGE);
        tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(incoming, crate::procs::stdin_closed())
            .await
            .expect("gRPC baseline server");
    });
}

/// The request of the release, over gRPC (database from the default, as pymilvus leaves `db_name` empty).
fn release_request() -> ReleasePartitionsRequest {
    ReleasePartitionsRequest {
        collection_name: COLLECTION.into(),
        partition_names: vec!["_default".into(), "january".into()],
        ..Default::default()
    }
}

/// How the generator loads a server.
pub struct GrpcPlan {
    /// Concurrent streams, each one call in flight.
    pub streams: usize,
    /// HTTP/2 connections the streams share (stream `i` uses connection `i % connections`).
    pub connections: usize,
    pub warmup: Duration,
    pub duration: Duration,
}

async fn connect(address: SocketAddr) -> io::Result<MilvusServiceClient<Channel>> {
    let channel = Endpoint::from_shared(format!("http://{address}"))
        .map_err(io::Error::other)?
        .tcp_nodelay(true)
        .connect()
        .await
        .map_err(io::Error::other)?;
    Ok(MilvusServiceClient::new(channel).max_decoding_message_size(MAX_MESSAGE))
}

/// One call: true for gRPC OK with a success `common.Status`.
async fn release(client: &mut MilvusServiceClient<Channel>) -> bool {
    #[allow(deprecated)] // common.Status.error_code is deprecated in the proto; Milvus still sets it
    match client.release_partitions(release_request()).await {
        Ok(answer) => {
            let status = answer.get_ref();
            status.code == 0 && status.error_code == 0
        }
        Err(_) => false,
    }
}

/// One call on a fresh connection, to check a target before it is measured.
pub async fn probe(address: SocketAddr) -> io::Result<bool> {
    Ok(release(&mut connect(address).await?).await)
}

#[derive(Default)]
struct StreamStats {
    total: u64,
    ok: u64,
    errors: u64,
    nanos: Vec<u32>,
}

/// Runs `plan` against `address`. Must be called inside a tokio runtime (the bench uses a current-thread one).
pub async fn run(address: SocketAddr, plan: &GrpcPlan) -> io::Result<LoadResult> {
    // Connect first so connection set-up is not in the window.
    let mut clients = Vec::with_capacity(plan.connections.max(1));
    for _ in 0..plan.connections.max(1) {
        clients.push(connect(address).await?);
    }
    let started = Instant::now();
    let window_start = started + plan.warmup;
    let window_end = window_start + plan.duration;
    let tasks: Vec<_> = (0..plan.streams.max(1))
        .map(|i| {
            let mut client = clients[i % clients.len()].clone();
            tokio::spawn(async move {
                let mut stats = StreamStats::default();
                loop {
                    let sent = Instant::now();
                    if sent >= window_end {
                        break stats;
                    }
                    let ok = release(&mut client).await;
                    let measured = sent >= window_start;
                    stats.total += 1;
                    match (ok, measured) {
                        (true, true) => {
                            stats.ok += 1;
                            stats.nanos.push((sent.elapsed().as_nanos()).min(u32::MAX as u128) as u32);
                        }
                        (false, true) => stats.errors += 1,
                        _ => {}
                    }
                }
            })
        })
        .collect();
    let mut all = StreamStats::default();
    for task in tasks {
        let stats = task.await.map_err(io::Error::other)?;
        all.total += stats.total;
        all.ok += stats.ok;
        all.errors += stats.errors;
        all.nanos.extend(stats.nanos);
    }
    all.nanos.sort_unstable();
    Ok(LoadResult {
        ok: all.ok,
        errors: all.errors,
        seconds: plan.duration.as_secs_f64(),
        total: all.total,
        wall: started.elapsed(),
        per_op: vec![OpLatencies { name: "ReleasePartitions", nanos: all.nanos }],
    })
}

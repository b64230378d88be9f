//! The gRPC adapter: Milvus's `milvus.proto.milvus.MilvusService` on the REST port, over the same state (feature
//! `grpc`, on by default), as `app.rs` is the REST one.
//!
//! Real Milvus serves both protocols on 19530 and splits connections with cmux: HTTP/2 whose headers say
//! `content-type: application/grpc` goes to the gRPC server, everything else to gin
//! (`internal/distributed/proxy/service.go`). Here the split is per request, in `app::MockService`: an HTTP/2
//! request with a gRPC content type comes to [`GrpcService`], anything else (HTTP/1.1 to a gRPC path too) goes to
//! the REST routes and answers what gin answers. `crate::conn` reads both HTTP/1.1 and prior-knowledge HTTP/2.
//!
//! The server trait and the messages are those `milvus-sdk-rust` generates (tonic 0.13, prost 0.13); every RPC
//! [`front`] does not implement answers `UNIMPLEMENTED`, as the generated default. Each implemented RPC goes through
//! [`crate::ops::execute`] with [`Transport::Grpc`](crate::ops::Transport::Grpc), so fault rules, latency, the
//! journal and the log line treat it as the REST operation of the same name (`ReleasePartitions` is
//! `partitions/release`). Business errors are gRPC OK with Milvus's `common.Status` ([`status`]); authentication
//! failures are gRPC `UNAUTHENTICATED`, as Milvus's interceptor answers them.

mod by_keys;
mod convert;
mod data;
mod front;
mod status;
mod validate;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Version, header};
use axum::response::Response;
use milvus::proto::milvus::milvus_service_server::MilvusServiceServer;
use tower::ServiceExt as _;

use crate::state::AppState;

/// Milvus's default `proxy.grpc.serverMaxRecvSize` and `serverMaxSendSize`: 512 MiB (tonic's default is 4 MiB, and
/// pymilvus retries the `OUT_OF_RANGE` a larger message gets for minutes).
pub const MAX_MESSAGE_SIZE: usize = 512 << 20;

/// The gRPC half of the service `app::router` builds.
#[derive(Clone)]
pub(crate) struct GrpcService {
    app: Arc<AppState>,
    routes: tonic::service::Routes,
}

impl GrpcService {
    pub(crate) fn new(app: Arc<AppState>) -> Self {
        let server = MilvusServiceServer::new(front::Front::new(app.clone()))
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        Self { app, routes: tonic::service::Routes::new(server).prepare() }
    }

    /// Whether a request is gRPC, as cmux's `HTTP2MatchHeaderFieldSendSettings("content-type", "application/grpc")`
    /// decides: HTTP/2 with a content type that starts with `application/grpc`.
    pub(crate) fn wants(request: &Request) -> bool {
        request.version() == Version::HTTP_2
            && request
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
    }

    /// Answers a gRPC request: authentication first (when on), then the RPC. A call a fault rule closes resets its
    /// stream.
    pub(crate) fn call(&self, request: Request) -> Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>> {
        if let Some(users) = &self.app.config.users
            && let Err(refused) = users.verify_grpc(request.headers().get(header::AUTHORIZATION))
        {
            let response = tonic::Status::unauthenticated(refused).into_http::<tonic::body::Body>().map(Body::new);
            return Box::pin(std::future::ready(Ok(response)));
        }
        let routes = self.routes.clone();
        Box::pin(async move {
            let Ok(response) = routes.oneshot(request).await;
            if response.headers().contains_key(status::ABORT_HEADER) {
                return Ok(crate::app::aborted_response());
            }
            Ok(response.map(Body::new))
        })
    }
}

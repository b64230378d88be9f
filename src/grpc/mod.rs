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

use std::borrow::Cow;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{Request, Version, header};
use milvus::proto::milvus::milvus_service_server::{MilvusServiceServer, SERVICE_NAME};

use crate::conn::Handling;
use crate::ops::RequestBody;
use crate::state::AppState;

/// Milvus's default `proxy.grpc.serverMaxRecvSize` and `serverMaxSendSize`: 512 MiB (tonic's default is 4 MiB, and
/// pymilvus retries the `OUT_OF_RANGE` a larger message gets for minutes).
pub const MAX_MESSAGE_SIZE: usize = 512 << 20;

/// A message from this encoded size on is written out as its debug text at once, cut at
/// [`JOURNAL_BODY_LIMIT`](crate::ops::JOURNAL_BODY_LIMIT); a smaller one is kept whole (a few times its encoded size in memory at most) and
/// written when the journal is read, so that a small call does not pay for `core::fmt` on every call.
const KEEP_WHOLE_BELOW: usize = 4 << 10;

/// What the journal and the debug log line get of a request message: its debug text (`{:?}`), written when read.
pub(crate) fn journal_body<M: prost::Message + Clone + Sync + 'static>(message: &M) -> RequestBody<'static> {
    if message.encoded_len() < KEEP_WHOLE_BELOW {
        RequestBody::Message(Arc::new(message.clone()))
    } else {
        RequestBody::Bytes(Cow::Owned(format!("{message:?}").into_bytes()))
    }
}

/// The gRPC half of the service `app::router` builds.
///
/// The generated `MilvusServiceServer` is called directly, not through tonic's `Routes` (an axum router that
/// boxes the request body once more and matches the path twice): it answers the paths of its service, and any
/// other path gets what `Routes` answers there, `UNIMPLEMENTED` with no message.
#[derive(Clone)]
pub(crate) struct GrpcService {
    app: Arc<AppState>,
    server: MilvusServiceServer<front::Front>,
}

impl GrpcService {
    pub(crate) fn new(app: Arc<AppState>) -> Self {
        let server = MilvusServiceServer::new(front::Front::new(app.clone()))
            .max_decoding_message_size(MAX_MESSAGE_SIZE)
            .max_encoding_message_size(MAX_MESSAGE_SIZE);
        Self { app, server }
    }

    /// Whether a request is gRPC, as cmux's `HTTP2MatchHeaderFieldSendSettings("content-type", "application/grpc")`
    /// decides: HTTP/2 with a content type that starts with `application/grpc`.
    pub(crate) fn wants<B>(request: &Request<B>) -> bool {
        request.version() == Version::HTTP_2
            && request
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"application/grpc"))
    }

    /// Answers a gRPC request: authentication first (when on), then the RPC. A call a fault rule closes resets its
    /// stream.
    pub(crate) fn call<B>(&self, request: Request<B>) -> Handling
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<tonic::codegen::StdError> + Send + 'static,
    {
        if let Some(users) = &self.app.config.users
            && let Err(refused) = users.verify_grpc(request.headers().get(header::AUTHORIZATION))
        {
            return answer_now(tonic::Status::unauthenticated(refused));
        }
        if !in_service(request.uri().path()) {
            return answer_now(tonic::Status::unimplemented(""));
        }
        let answering = tower::Service::call(&mut self.server.clone(), request);
        Box::pin(async move {
            let Ok(response) = answering.await;
            // A look at the names rather than a lookup by a `&str`, which would parse it on every call.
            if response.headers().keys().any(|name| name.as_str() == status::ABORT_HEADER) {
                return Ok(crate::app::aborted_response());
            }
            Ok(response.map(Body::new))
        })
    }
}

/// Whether `path` is one `Routes` would give the service: `/milvus.proto.milvus.MilvusService/` and something.
fn in_service(path: &str) -> bool {
    path.strip_prefix('/')
        .and_then(|path| path.strip_prefix(SERVICE_NAME))
        .and_then(|rest| rest.strip_prefix('/'))
        .is_some_and(|method| !method.is_empty())
}

/// A status answered without calling the service.
fn answer_now(status: tonic::Status) -> Handling {
    let response = status.into_http::<tonic::body::Body>().map(Body::new);
    Box::pin(std::future::ready(Ok(response)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::JOURNAL_BODY_LIMIT;
    use milvus::proto::milvus::ReleasePartitionsRequest;

    #[test]
    fn the_journal_and_the_debug_line_get_the_message_s_debug_text_small_or_large() {
        for (length, kept_whole) in [(7, true), (KEEP_WHOLE_BELOW, false), (2 * JOURNAL_BODY_LIMIT, false)] {
            let message = ReleasePartitionsRequest {
                db_name: "default".into(),
                collection_name: "book".into(),
                partition_names: vec!["p".repeat(length), "january".into()],
                ..Default::default()
            };
            let text = format!("{message:?}");
            let body = journal_body(&message);
            assert_eq!(matches!(body, RequestBody::Message(_)), kept_whole, "{length}");
            assert_eq!(body.text(), text, "{length}");
            let kept = body.kept();
            assert_eq!(kept.bytes().as_ref(), &text.as_bytes()[..text.len().min(JOURNAL_BODY_LIMIT)], "{length}");
        }
    }

    #[test]
    fn the_service_s_paths_are_its_own_and_nothing_else() {
        assert!(in_service("/milvus.proto.milvus.MilvusService/ReleasePartitions"));
        assert!(in_service("/milvus.proto.milvus.MilvusService/Unknown"));
        for path in
            ["/milvus.proto.milvus.MilvusService/", "/milvus.proto.milvus.MilvusService", "/other.Service/Do", "/"]
        {
            assert!(!in_service(path), "{path}");
        }
    }
}

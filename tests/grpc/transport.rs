//! One port for both protocols, the connection RPCs, authentication and message sizes.

use std::time::Duration;

use base64::Engine;
use milvus::proto::milvus as pb;
use milvus_mock::MockMilvus;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn connect_answers_a_nonzero_identifier_and_the_server_info() {
    let (_milvus, mut client) = start().await;
    let first = client.connect(pb::ConnectRequest::default()).await.unwrap().into_inner();
    let second = client.connect(pb::ConnectRequest::default()).await.unwrap().into_inner();
    assert_eq!(first.status, Some(success()));
    assert_ne!(first.identifier, 0, "the Node SDK takes 0 for an unimplemented Connect");
    assert_ne!(first.identifier, second.identifier);
    let info = first.server_info.unwrap();
    assert_eq!((info.build_tags.as_str(), info.deploy_mode.as_str()), ("v2.6.0", "STANDALONE"));
}

#[tokio::test]
async fn get_version_and_check_health() {
    let (_milvus, mut client) = start().await;
    let version = client.get_version(pb::GetVersionRequest::default()).await.unwrap().into_inner();
    assert_eq!(version, pb::GetVersionResponse { status: Some(success()), version: "v2.6.0".into() });
    let health = client.check_health(pb::CheckHealthRequest::default()).await.unwrap().into_inner();
    assert_eq!(health, pb::CheckHealthResponse { status: Some(success()), is_healthy: true, ..Default::default() });
}

#[tokio::test]
async fn alloc_timestamp_never_answers_the_same_timestamp_twice() {
    let (_milvus, mut client) = start().await;
    let mut last = 0;
    for _ in 0..3 {
        let answer = client.alloc_timestamp(pb::AllocTimestampRequest::default()).await.unwrap().into_inner();
        assert_eq!(answer.status, Some(success()));
        assert!(answer.timestamp > last, "{} after {last}", answer.timestamp);
        // A hybrid timestamp: physical milliseconds above 18 logical bits.
        assert!(answer.timestamp >> 18 > 1_700_000_000_000);
        last = answer.timestamp;
    }
}

#[tokio::test]
async fn an_rpc_the_front_does_not_implement_is_unimplemented() {
    let (_milvus, mut client) = start().await;
    let err = client.create_resource_group(pb::CreateResourceGroupRequest::default()).await.unwrap_err();
    assert_eq!((err.code(), err.message()), (tonic::Code::Unimplemented, "Not yet implemented"));
}

#[tokio::test]
async fn an_unknown_method_or_service_is_unimplemented() {
    let milvus = MockMilvus::start().await;
    let channel = tonic::transport::Channel::from_shared(milvus.uri()).unwrap().connect().await.unwrap();
    for path in ["/milvus.proto.milvus.MilvusService/Nope", "/other.Service/Call"] {
        let mut grpc = tonic::client::Grpc::new(channel.clone());
        grpc.ready().await.unwrap();
        let codec = tonic::codec::ProstCodec::<pb::ConnectRequest, pb::ConnectResponse>::default();
        let method = tonic::codegen::http::uri::PathAndQuery::from_static(path);
        let err = grpc.unary(tonic::Request::new(pb::ConnectRequest::default()), method, codec).await.unwrap_err();
        assert_eq!(err.code(), tonic::Code::Unimplemented, "{path}");
    }
}

#[tokio::test]
async fn http1_to_a_grpc_path_and_unknown_rest_paths_answer_gin_s_404() {
    let milvus = MockMilvus::start().await;
    let http = reqwest::Client::new();
    for path in ["/milvus.proto.milvus.MilvusService/Connect", "/v2/vectordb/nope"] {
        let response = http
            .post(format!("{}{path}", milvus.uri()))
            .header("content-type", "application/grpc")
            .body("")
            .send()
            .await
            .unwrap();
        assert_eq!(response.version(), reqwest::Version::HTTP_11);
        assert_eq!(response.status(), 404, "{path}");
        assert_eq!(response.headers()["content-type"], "text/plain");
        assert_eq!(response.text().await.unwrap(), "404 page not found", "{path}");
    }
    // REST still answers on the same port while gRPC clients are connected.
    let mut client = connect(&milvus).await;
    client.connect(pb::ConnectRequest::default()).await.unwrap();
    assert_eq!(
        rest(&milvus, "collections/list", serde_json::json!({})).await,
        serde_json::json!({"code": 0, "data": []})
    );
}

#[tokio::test]
async fn with_auth_on_bad_credentials_are_unauthenticated_with_milvus_s_texts() {
    let milvus = MockMilvus::builder().auth().user("alice", "secret").start().await;
    let mut client = connect(&milvus).await;
    let base64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let cases = [
        (None, "missing authorization in header"),
        (Some("not base64!".to_string()), "invalid token format"),
        (Some(base64("alice:wrong")), "auth check failure, please check username and password are correct"),
        (Some(base64("an-api-key")), "auth check failure, please check api key is correct"),
    ];
    for (token, message) in cases {
        let headers: Vec<(&'static str, &str)> = token.iter().map(|t| ("authorization", t.as_str())).collect();
        let err = client.connect(with_metadata(pb::ConnectRequest::default(), &headers)).await.unwrap_err();
        assert_eq!((err.code(), err.message()), (tonic::Code::Unauthenticated, message), "{token:?}");
    }
    for token in [base64("alice:secret"), format!("Bearer {}", base64("root:Milvus"))] {
        let request = with_metadata(pb::ConnectRequest::default(), &[("authorization", &token)]);
        assert_eq!(client.connect(request).await.unwrap().into_inner().status, Some(success()), "{token}");
    }
    // A business call behind the check, and REST's own 401 unchanged.
    let request = with_metadata(pb::HasCollectionRequest { collection_name: "c".into(), ..Default::default() }, &[]);
    assert_eq!(client.has_collection(request).await.unwrap_err().code(), tonic::Code::Unauthenticated);
    let refused = reqwest::Client::new()
        .post(format!("{}/v2/vectordb/collections/list", milvus.uri()))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn a_message_over_tonic_s_4_mib_default_is_accepted() {
    let (_milvus, client) = start().await;
    let big = pb::HasCollectionRequest { collection_name: "c".repeat(5 << 20), ..Default::default() };
    let mut client = client.max_encoding_message_size(64 << 20).max_decoding_message_size(64 << 20);
    let answer = client.has_collection(big).await.unwrap().into_inner();
    // Decoded and answered by the catalog: the name rule, not OUT_OF_RANGE.
    assert_eq!(answer.status.unwrap().code, 1100);
}

#[tokio::test]
async fn shutdown_lets_a_grpc_call_in_flight_finish_and_closes_idle_http2_connections() {
    let config = milvus_mock::Config { shutdown_timeout: Duration::from_secs(10), ..Default::default() };
    let state = milvus_mock::AppState::new(config).unwrap();
    state.catalog.quick_setup("default", "c", 4).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(milvus_mock::serve(listener, state, async {
        let _ = stopped.await;
    }));
    let fault = json!({"path": "collections/has", "latencyMs": 300});
    let added = reqwest::Client::new().post(format!("{uri}/_mock/faults")).json(&fault).send().await.unwrap();
    assert_eq!(added.status(), 201);
    let mut idle = connect_uri(&uri).await;
    idle.connect(pb::ConnectRequest::default()).await.unwrap();
    let mut busy = connect_uri(&uri).await;
    let has = pb::HasCollectionRequest { collection_name: "c".into(), ..Default::default() };
    let call = tokio::spawn(async move { busy.has_collection(has).await });
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = std::time::Instant::now();
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
    let took = started.elapsed();
    // The call in flight got its answer; nothing else held the server until the shutdown timeout.
    assert_eq!(call.await.unwrap().unwrap().into_inner(), answer(true));
    assert!(took >= Duration::from_millis(150) && took < Duration::from_secs(3), "shutdown took {took:?}");
}

#[tokio::test]
async fn a_stalled_http2_preface_is_closed_after_the_header_read_timeout() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let milvus = MockMilvus::builder().header_read_timeout(Duration::from_millis(300)).start().await;
    let mut stream = tokio::net::TcpStream::connect(milvus.address()).await.unwrap();
    stream.write_all(b"PRI * HTTP/2.0\r\n").await.unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 64];
    let read = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut buf)).await.expect("closed in time");
    // Closed without an answer, as Go closes a connection whose request head does not arrive.
    assert_eq!(read.unwrap_or(0), 0);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(3), "{took:?}");
}

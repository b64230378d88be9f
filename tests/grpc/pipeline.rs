//! The shared call pipeline over gRPC: fault rules by operation name, the journal, the deadline, panics.

use milvus::proto::milvus as pb;
use milvus_mock::Transport;
use serde_json::json;

use crate::support::*;

fn rule(value: serde_json::Value) -> milvus_mock::FaultRule {
    serde_json::from_value(value).unwrap()
}

fn release(collection: &str, partition: &str) -> pb::ReleasePartitionsRequest {
    pb::ReleasePartitionsRequest {
        collection_name: collection.into(),
        partition_names: vec![partition.into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_rest_fault_rule_hits_grpc_release_partitions() {
    let (milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    milvus
        .add_fault(rule(json!({"path": "partitions/release", "code": 8, "message": "rate limit exceeded", "times": 1})))
        .unwrap();
    let injected = client.release_partitions(release("c", "_default")).await.unwrap().into_inner();
    assert_eq!(injected, failure(8, 1, "rate limit exceeded"));
    // `times: 1`: the next call runs.
    assert_eq!(client.release_partitions(release("c", "_default")).await.unwrap().into_inner(), success());
    // A rule for another operation leaves it alone.
    milvus.add_fault(rule(json!({"path": "collections/release", "code": 65535, "message": "no"}))).unwrap();
    assert_eq!(client.release_partitions(release("c", "_default")).await.unwrap().into_inner(), success());
}

#[tokio::test]
async fn grpc_calls_are_journaled_with_their_operation_and_transport() {
    let (milvus, mut client) = start().await;
    let request = with_metadata(release("nope", "p"), &[("dbname", "")]);
    client.release_partitions(request).await.unwrap();
    client.connect(pb::ConnectRequest::default()).await.unwrap();
    client.get_version(pb::GetVersionRequest::default()).await.unwrap();
    client.check_health(pb::CheckHealthRequest::default()).await.unwrap();
    let entries = milvus.requests();
    assert_eq!(entries.len(), 1, "Connect, GetVersion and CheckHealth are not journaled: {entries:?}");
    let entry = &entries[0];
    assert_eq!((entry.operation.name(), entry.transport), ("partitions/release", Transport::Grpc));
    assert_eq!((entry.db_name.as_str(), entry.collection.as_deref()), ("default", Some("nope")));
    assert_eq!((entry.code, entry.http_status, entry.connection_closed), (Some(100), Some(200), false));
    let body = entry.body.as_str().unwrap();
    assert!(body.starts_with("ReleasePartitionsRequest {") && body.contains(r#"collection_name: "nope""#), "{body}");
    let serialized = serde_json::to_value(entry).unwrap();
    assert_eq!((&serialized["transport"], &serialized["operation"]), (&json!("grpc"), &json!("partitions/release")));
}

#[tokio::test]
async fn a_latency_fault_past_grpc_timeout_is_deadline_exceeded_and_the_call_still_runs() {
    let (milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    client
        .load_collection(pb::LoadCollectionRequest { collection_name: "c".into(), ..Default::default() })
        .await
        .unwrap();
    milvus.add_fault(rule(json!({"path": "collections/release", "latencyMs": 300}))).unwrap();
    let mut request =
        tonic::Request::new(pb::ReleaseCollectionRequest { collection_name: "c".into(), ..Default::default() });
    request.set_timeout(std::time::Duration::from_millis(100));
    // The server answers DEADLINE_EXCEEDED at the deadline; tonic's client ends the call itself at the same moment
    // (as grpc-go's does), so either may be what the caller sees.
    let err = client.release_collection(request).await.unwrap_err();
    assert!(matches!(err.code(), tonic::Code::DeadlineExceeded | tonic::Code::Cancelled), "{err:?}");
    // Not cancelled: it runs at the end of its latency, as Milvus's handler would.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert!(milvus.catalog().loaded_partitions("default", "c").unwrap().is_empty());
    let entries = milvus.requests();
    let release: Vec<_> = (entries.iter().filter(|e| e.operation.name() == "collections/release"))
        .map(|e| (e.late, e.code, e.http_status))
        .collect();
    // The late run is journaled with the release's code. The deadline answer, when the client's own timer did not
    // reset the stream first (which drops the server's call, as a closed connection does), carries no Milvus code.
    assert!(release.contains(&(true, Some(0), Some(200))), "{release:?}");
    assert!(release.iter().all(|e| e.0 || *e == (false, None, Some(200))), "{release:?}");
}

#[tokio::test]
async fn a_panic_is_code_500_and_a_closed_connection_resets_the_stream() {
    let (milvus, mut client) = start().await;
    milvus.add_fault(rule(json!({"path": "partitions/release", "panic": true, "times": 1}))).unwrap();
    let panicked = client.release_partitions(release("c", "p")).await.unwrap().into_inner();
    assert_eq!(panicked, failure(500, 1, "internal error: the mock panicked while handling the call"));
    milvus.add_fault(rule(json!({"path": "partitions/release", "closeConnection": true, "times": 1}))).unwrap();
    let closed = client.release_partitions(release("c", "p")).await.unwrap_err();
    assert_ne!(closed.code(), tonic::Code::Ok);
    // The connection and the server go on.
    let after = client.release_partitions(release("c", "p")).await.unwrap().into_inner();
    assert_eq!(after.code, 100);
    let journaled: Vec<_> = milvus.requests().iter().map(|e| (e.code, e.http_status)).collect();
    assert_eq!(journaled, [(Some(500), Some(200)), (None, None), (Some(100), Some(200))]);
}

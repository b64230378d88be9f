//! One state behind both protocols: what one changes, the other reads.

use milvus::proto::common::LoadState;
use milvus::proto::milvus as pb;
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn created_over_rest_released_over_grpc_read_over_rest() {
    let (milvus, mut client) = start().await;
    let created = rest(&milvus, "collections/create", json!({"collectionName": "c", "dimension": 4})).await;
    assert_eq!(created, json!({"code": 0, "data": {}}));
    let release = pb::ReleasePartitionsRequest {
        collection_name: "c".into(),
        partition_names: vec!["_default".into()],
        ..Default::default()
    };
    assert_eq!(client.release_partitions(release).await.unwrap().into_inner(), success());
    let state = rest(&milvus, "collections/get_load_state", json!({"collectionName": "c"})).await;
    assert_eq!(state, json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}));
}

#[tokio::test]
async fn created_over_grpc_loaded_over_rest_read_over_grpc() {
    let (milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    let partition =
        pb::CreatePartitionRequest { collection_name: "c".into(), partition_name: "p".into(), ..Default::default() };
    client.create_partition(partition).await.unwrap();
    let loaded = rest(&milvus, "partitions/load", json!({"collectionName": "c", "partitionNames": ["p"]})).await;
    assert_eq!(loaded, json!({"code": 0, "data": {}}));
    let state = pb::GetLoadStateRequest {
        collection_name: "c".into(),
        partition_names: vec!["p".into()],
        ..Default::default()
    };
    let answer = client.get_load_state(state).await.unwrap().into_inner();
    assert_eq!(answer, pb::GetLoadStateResponse { status: Some(success()), state: LoadState::Loaded as i32 });
    let listed = rest(&milvus, "partitions/list", json!({"collectionName": "c"})).await;
    assert_eq!(listed, json!({"code": 0, "data": ["_default", "p"]}));
}

#[tokio::test]
async fn the_same_error_has_the_same_code_and_text_on_both_wires() {
    let (milvus, mut client) = start().await;
    let body = json!({"collectionName": "nope", "partitionNames": ["p"]});
    let over_rest = rest(&milvus, "partitions/release", body).await;
    let release = pb::ReleasePartitionsRequest {
        collection_name: "nope".into(),
        partition_names: vec!["p".into()],
        ..Default::default()
    };
    let over_grpc = client.release_partitions(release).await.unwrap().into_inner();
    assert_eq!(over_rest, json!({"code": over_grpc.code, "message": over_grpc.reason}));
}

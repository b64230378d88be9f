//! A started mock and a gRPC client on its port, plus the expected `common.Status` of an answer.

use milvus::proto::common::Status;
use milvus::proto::milvus::milvus_service_client::MilvusServiceClient;
use milvus::proto::schema::{CollectionSchema, DataType, FieldSchema};
use milvus::proto::{common::KeyValuePair, milvus as pb};
use milvus_mock::MockMilvus;
use prost::Message;
use serde_json::Value;
use tonic::transport::Channel;

pub type Client = MilvusServiceClient<Channel>;

/// A fresh mock and a client connected to it.
pub async fn start() -> (MockMilvus, Client) {
    let milvus = MockMilvus::start().await;
    let client = connect(&milvus).await;
    (milvus, client)
}

pub async fn connect(milvus: &MockMilvus) -> Client {
    connect_uri(&milvus.uri()).await
}

/// A client on its own connection to `uri`.
pub async fn connect_uri(uri: &str) -> Client {
    // The generated `connect` constructor is shadowed by the `Connect` RPC's method.
    let channel = Channel::from_shared(uri.to_string()).unwrap().connect().await.expect("the gRPC front accepts it");
    MilvusServiceClient::new(channel)
}

/// Success: every field zero.
pub fn success() -> Status {
    Status::default()
}

/// Milvus's `merr.Status`: code, reason, the legacy code and the reason again as detail.
#[allow(deprecated)]
pub fn failure(code: i32, legacy: i32, reason: &str) -> Status {
    Status { code, error_code: legacy, reason: reason.into(), detail: reason.into(), ..Status::default() }
}

/// A successful `BoolResponse` (`HasCollection`, `HasPartition`).
pub fn answer(value: bool) -> pb::BoolResponse {
    pb::BoolResponse { status: Some(success()), value }
}

/// A request with `tonic` metadata set.
pub fn with_metadata<T>(message: T, pairs: &[(&'static str, &str)]) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    for (key, value) in pairs {
        request.metadata_mut().insert(*key, value.parse().unwrap());
    }
    request
}

/// `CreateCollection` of `id` (Int64 primary key) and `vector` (FloatVector, `dim`), as pymilvus sends it.
pub fn create_collection(name: &str, dim: u32) -> pb::CreateCollectionRequest {
    let schema = CollectionSchema {
        name: name.into(),
        fields: vec![
            FieldSchema {
                name: "id".into(),
                is_primary_key: true,
                data_type: DataType::Int64 as i32,
                ..Default::default()
            },
            FieldSchema {
                name: "vector".into(),
                data_type: DataType::FloatVector as i32,
                type_params: vec![KeyValuePair { key: "dim".into(), value: dim.to_string() }],
                ..Default::default()
            },
        ],
        enable_dynamic_field: true,
        ..Default::default()
    };
    pb::CreateCollectionRequest {
        collection_name: name.into(),
        schema: schema.encode_to_vec(),
        consistency_level: milvus::proto::common::ConsistencyLevel::Bounded as i32,
        ..Default::default()
    }
}

/// `CreateIndex` on `vector`: AUTOINDEX with COSINE, as pymilvus's quick setup sends it.
pub fn create_index(collection: &str) -> pb::CreateIndexRequest {
    pb::CreateIndexRequest {
        collection_name: collection.into(),
        field_name: "vector".into(),
        extra_params: vec![
            KeyValuePair { key: "index_type".into(), value: "AUTOINDEX".into() },
            KeyValuePair { key: "metric_type".into(), value: "COSINE".into() },
        ],
        ..Default::default()
    }
}

/// A collection with an index, created over gRPC, not loaded.
pub async fn indexed_collection(client: &mut Client, name: &str) {
    assert_eq!(client.create_collection(create_collection(name, 4)).await.unwrap().into_inner(), success());
    assert_eq!(client.create_index(create_index(name)).await.unwrap().into_inner(), success());
}

/// A REST call's JSON answer (HTTP 200 expected).
pub async fn rest(milvus: &MockMilvus, path: &str, body: Value) -> Value {
    let response =
        reqwest::Client::new().post(format!("{}/v2/vectordb/{path}", milvus.uri())).json(&body).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

//! The harness: a fresh mock per test ([`spawn_app`], [`spawn_with`]) and a small client that speaks Milvus's
//! REST v2 to it, plus the few arrangements most tests start from (a quick-setup collection, a collection without
//! an index, a partition).

use milvus_mock::{MockMilvus, MockMilvusBuilder};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[allow(unused_imports)] // `PREFIX` is kept for tests that build paths themselves.
pub use crate::common::{PREFIX, success};

/// `Authorization` for the built-in administrator, as Milvus's clients send it.
pub const ROOT_TOKEN: &str = "Bearer root:Milvus";

/// A running mock and a client pointed at it (the shared one, `tests/common`). Dropping it stops the server.
pub struct TestApp {
    pub milvus: MockMilvus,
    pub client: crate::common::Client,
}

/// An answer kept as text, for the tests that check what goes over the wire.
#[derive(Debug)]
pub struct RawResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl RawResponse {
    /// A response header as text, `None` when absent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl From<crate::common::Raw> for RawResponse {
    fn from(raw: crate::common::Raw) -> Self {
        let body = String::from_utf8(raw.body).expect("the body is text");
        Self { status: raw.status, headers: raw.headers, body }
    }
}

/// A fresh Milvus 2.6 with the default settings.
pub async fn spawn_app() -> TestApp {
    spawn_with(MockMilvus::builder()).await
}

/// A fresh mock with other settings (version, auth, limits, success code).
pub async fn spawn_with(builder: MockMilvusBuilder) -> TestApp {
    let milvus = builder.start().await;
    // The shared client follows no redirect: the mock answers a trailing-slash path with one, and tests want to
    // see it.
    let client = crate::common::Client::new(milvus.uri());
    TestApp { milvus, client }
}

/// The 1802 validator line for one missing required field (go-playground/validator's format).
pub fn required(go_struct: &str, go_field: &str) -> String {
    format!("Key: '{go_struct}.{go_field}' Error:Field validation for '{go_field}' failed on the 'required' tag")
}

/// The whole 1802 body for the given validator lines.
pub fn missing_required(lines: &[String]) -> Value {
    json!({
        "code": 1802,
        "message": format!("missing required parameters, error: {}", lines.join("\n")),
    })
}

/// A list answer with its `data` sorted, for lists whose order Milvus leaves unspecified.
pub fn sorted(mut body: Value) -> Value {
    if let Some(items) = body["data"].as_array_mut() {
        items.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    body
}

impl TestApp {
    /// POSTs `body` as JSON to a route below `/v2/vectordb` (e.g. `/partitions/release`) and decodes the answer.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.client.post(path, body).await
    }

    /// [`TestApp::post`] with extra request headers.
    pub async fn post_with_headers(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> (StatusCode, Value) {
        self.client.post_with_headers(path, body, headers).await
    }

    /// POSTs these exact bytes to a route below `/v2/vectordb`; no `Content-Type` unless `headers` sets one.
    pub async fn post_raw(&self, path: &str, body: impl Into<Vec<u8>>, headers: &[(&str, &str)]) -> RawResponse {
        self.client.post_raw(path, body.into(), headers).await.into()
    }

    /// Any method to any path (the path is taken as is, prefix included).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: impl Into<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> RawResponse {
        self.client.send(method, path, body.into(), headers).await.into()
    }

    /// POSTs and insists on `{"code":0,"data":{}}`: for the Arrange step.
    pub async fn ok(&self, path: &str, body: Value) {
        self.client.ok(path, body).await
    }

    /// Quick setup (`dimension` only): Milvus creates the collection, an AUTOINDEX/COSINE index on `vector` and
    /// loads it.
    pub async fn create_quick_collection(&self, name: &str) {
        self.ok("/collections/create", json!({"collectionName": name, "dimension": 5})).await;
    }

    /// A custom schema (`id`, `vector` dim 8, `title`) with no `indexParams`: created, no index, not loaded.
    pub async fn create_collection_without_index(&self, name: &str) {
        self.ok("/collections/create", custom_schema(name)).await;
    }

    pub async fn create_partition(&self, collection: &str, partition: &str) {
        self.ok("/partitions/create", json!({"collectionName": collection, "partitionName": partition})).await;
    }

    /// The whole `get_load_state` answer.
    pub async fn load_state(&self, collection: &str) -> Value {
        self.post("/collections/get_load_state", json!({"collectionName": collection})).await.1
    }

    /// The whole `get_load_state` answer for some partitions.
    pub async fn partition_load_state(&self, collection: &str, partitions: &[&str]) -> Value {
        self.post("/collections/get_load_state", json!({"collectionName": collection, "partitionNames": partitions}))
            .await
            .1
    }

    /// The whole `collections/describe` answer.
    pub async fn describe(&self, collection: &str) -> Value {
        self.post("/collections/describe", json!({"collectionName": collection})).await.1
    }

    /// The whole `partitions/list` answer.
    pub async fn list_partitions(&self, collection: &str) -> Value {
        self.post("/partitions/list", json!({"collectionName": collection})).await.1
    }
}

/// The `collections/create` body of [`TestApp::create_collection_without_index`].
pub fn custom_schema(name: &str) -> Value {
    json!({
        "collectionName": name,
        "schema": {
            "autoID": false,
            "enableDynamicField": false,
            "fields": [
                {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
                {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": "8"}},
                {"fieldName": "title", "dataType": "VarChar", "elementTypeParams": {"max_length": "64"}}
            ]
        }
    })
}

/// The whole `collections/describe` answer for a quick-setup collection (dimension 5) right after creation:
/// loaded, one partition, no alias. `id` is the collection id read back from the answer itself.
pub fn quick_setup_description(id: &Value, name: &str) -> Value {
    json!({"code": 0,
        "data": {"aliases": [], "autoId": false, "collectionID": id, "collectionName": name,
            "consistencyLevel": "Bounded", "description": "", "enableDynamicField": true,
            "fields": [
                {"autoId": false, "clusteringKey": false, "description": "", "id": 100, "name": "id",
                 "nullable": false, "partitionKey": false, "primaryKey": true, "type": "Int64"},
                {"autoId": false, "clusteringKey": false, "description": "", "id": 101, "name": "vector",
                 "nullable": false, "params": [{"key": "dim", "value": "5"}], "partitionKey": false,
                 "primaryKey": false, "type": "FloatVector"}
            ],
            "functions": [],
            "indexes": [{"fieldName": "vector", "indexName": "vector", "metricType": "COSINE"}],
            "load": "LoadStateLoaded", "partitionsNum": 1, "properties": [], "shardsNum": 1},
        "message": ""})
}

/// The whole `collections/describe` answer for [`custom_schema`] right after creation: no index (so `indexes` is
/// empty and `message` carries the describe-index error), not loaded.
pub fn custom_schema_description(id: &Value, name: &str) -> Value {
    json!({"code": 0,
        "data": {"aliases": [], "autoId": false, "collectionID": id, "collectionName": name,
            "consistencyLevel": "Bounded", "description": "", "enableDynamicField": false,
            "fields": [
                {"autoId": false, "clusteringKey": false, "description": "", "id": 100, "name": "id",
                 "nullable": false, "partitionKey": false, "primaryKey": true, "type": "Int64"},
                {"autoId": false, "clusteringKey": false, "description": "", "id": 101, "name": "vector",
                 "nullable": false, "params": [{"key": "dim", "value": "8"}], "partitionKey": false,
                 "primaryKey": false, "type": "FloatVector"},
                {"autoId": false, "clusteringKey": false, "description": "", "id": 102, "name": "title",
                 "nullable": false, "params": [{"key": "max_length", "value": "64"}], "partitionKey": false,
                 "primaryKey": false, "type": "VarChar"}
            ],
            "functions": [],
            "indexes": [],
            "load": "LoadStateNotLoad", "partitionsNum": 1, "properties": [], "shardsNum": 1},
        "message": format!("index not found[collection={name}];")})
}

/// The collection id of a `collections/describe` answer, checked to be a JSON number.
pub fn collection_id(describe: &Value) -> Value {
    let id = describe["data"]["collectionID"].clone();
    assert!(id.is_i64(), "collectionID is a JSON number: {describe}");
    id
}

/// `get_load_state` of a loaded collection: the collection-level answer.
pub fn loaded() -> Value {
    json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
}

/// `get_load_state` of a collection that is not loaded: no progress, no message.
pub fn not_loaded() -> Value {
    json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}})
}

/// Checks a `get_load_state` answer about a partition that exists but is not loaded (contract §7.2): code 0,
/// Loading, progress -1 and `partition not loaded[partition=<numeric id>].`.
pub fn assert_partition_not_loaded(body: &Value) {
    let message = body["message"].as_str().unwrap_or_else(|| panic!("no message in {body}"));
    let id = message
        .strip_prefix("partition not loaded[partition=")
        .and_then(|rest| rest.strip_suffix("]."))
        .unwrap_or_else(|| panic!("unexpected message {message:?}"));
    assert!(id.parse::<i64>().is_ok(), "the partition id is not a number: {id:?}");
    assert_eq!(
        body,
        &json!({"code": 0, "data": {"loadProgress": -1, "loadState": "LoadStateLoading"}, "message": message})
    );
}

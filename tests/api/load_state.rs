//! The load-state model (contract §7) where conformance does not reach: Milvus 2.4's wording in a run of the
//! default version. The load and release rules themselves are conformance's (`scenarios/load_state.rs`,
//! `seed.rs`) and the model's (`tests/model.rs`).

use milvus_mock::{MilvusVersion, MockMilvus};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn milvus_2_4_words_a_released_partition_differently() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4)).await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;
    app.ok("/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    let body = app.partition_load_state("quick_setup", &["january"]).await;

    let message = body["message"].as_str().expect("a message").to_string();
    let id = message
        .strip_prefix("partition ")
        .and_then(|rest| rest.split_once(' '))
        .map(|(id, _)| id.to_string())
        .expect("partition <id> ...");
    assert!(id.parse::<i64>().is_ok(), "numeric id in {message:?}");
    assert_eq!(
        message,
        format!("partition {id} has not been loaded to memory or load failed: partition not loaded[partition={id}].")
    );
    assert_eq!(
        body,
        json!({"code": 0, "data": {"loadProgress": -1, "loadState": "LoadStateLoading"}, "message": message})
    );
}

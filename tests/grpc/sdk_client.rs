//! milvus-sdk-rust's high-level `ClientV2` end to end: connect, create, index, load (it waits on
//! `DescribeIndex` and `GetLoadingProgress`), release, read the load state, and Milvus's errors as the SDK reports them.

use milvus::v2::prelude::*;
use milvus_mock::MockMilvus;

async fn client(milvus: &MockMilvus) -> ClientV2 {
    ClientV2::new(&ConnectConfig::new().uri(milvus.uri())).await.expect("ClientV2 connects to the mock")
}

#[tokio::test]
async fn the_sdk_creates_loads_releases_and_reads_the_load_state() -> std::result::Result<(), Box<dyn std::error::Error>>
{
    let milvus = MockMilvus::start().await;
    let client = client(&milvus).await;
    assert!(client.check_health(CheckHealthRequest::builder().build()?).await?.is_healthy());
    let schema = CollectionSchema::new()
        .add_field(FieldSchema::new().name("id").data_type(DataType::Int64).primary_key(true))
        .add_field(FieldSchema::new().name("embedding").data_type(DataType::FloatVector).dimension(4));
    client
        .create_collection(CreateCollectionRequest::builder().collection_name("books").schema(schema).build()?)
        .await?;
    let index = IndexParam::new().field_name("embedding").index_type(IndexType::Hnsw).metric_type(MetricType::Cosine);
    client
        .create_index(CreateIndexRequest::builder().collection_name("books").index_params(vec![index]).build()?)
        .await?;
    client.load_collection(LoadCollectionRequest::builder().collection_name("books").build()?).await?;
    assert_eq!(milvus.catalog().loaded_partitions("default", "books").unwrap(), ["_default"]);

    let release = ReleasePartitionsRequest::builder().collection_name("books").partition_names(["_default"]).build()?;
    client.release_partitions(release).await?;
    let state = client.get_load_state(GetLoadStateRequest::builder().collection_name("books").build()?).await?;
    assert_eq!((state.state(), state.progress()), (LoadState::NotLoad, 0));
    let missing = client.get_load_state(GetLoadStateRequest::builder().collection_name("nope").build()?).await?;
    assert_eq!(missing.state(), LoadState::NotExist);
    Ok(())
}

#[tokio::test]
async fn the_sdk_reports_milvus_s_code_legacy_code_and_reason() -> std::result::Result<(), Box<dyn std::error::Error>> {
    let milvus = MockMilvus::start().await;
    let client = client(&milvus).await;
    let release = ReleasePartitionsRequest::builder().collection_name("nope").partition_names(["p"]).build()?;
    match client.release_partitions(release).await {
        Err(Error::Server(e)) => {
            let reason = "collection not found[database=default][collection=nope]";
            assert_eq!((e.code(), e.legacy_code(), e.reason()), (100, 4, reason));
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    Ok(())
}

//! Collections and partitions over gRPC: whole answers, gRPC's own semantics where they differ from REST.

use milvus::proto::common::{ConsistencyLevel, KeyValuePair, LoadState};
use milvus::proto::milvus as pb;
use milvus::proto::schema::DataType;
use prost::Message;

use crate::support::*;

fn names(collection: &str, partitions: &[&str]) -> (String, Vec<String>) {
    (collection.into(), partitions.iter().map(|p| p.to_string()).collect())
}

#[tokio::test]
async fn a_missing_collection_is_ok_with_code_100_and_collection_not_exists() {
    let (_milvus, mut client) = start().await;
    let (collection_name, partition_names) = names("nope", &["p"]);
    let release = pb::ReleasePartitionsRequest { collection_name, partition_names, ..Default::default() };
    let status = client.release_partitions(release).await.unwrap().into_inner();
    assert_eq!(status, failure(100, 4, "collection not found[database=default][collection=nope]"));
    let describe = pb::DescribeCollectionRequest { collection_name: "nope".into(), ..Default::default() };
    let described = client.describe_collection(describe).await.unwrap().into_inner();
    // The proxy rewrites rootcoord's status for pymilvus: UnexpectedError, `can't find collection`, the user's error.
    #[allow(deprecated)]
    let expected = milvus::proto::common::Status {
        code: 100,
        error_code: 1,
        reason: "can't find collection[database=default][collection=nope]".into(),
        detail: "collection not found[database=default][collection=nope]".into(),
        extra_info: [("is_input_error".to_string(), "true".to_string())].into(),
        ..Default::default()
    };
    assert_eq!(described, pb::DescribeCollectionResponse { status: Some(expected), ..Default::default() });
    let has = pb::HasCollectionRequest { collection_name: "nope".into(), ..Default::default() };
    let has = client.has_collection(has).await.unwrap().into_inner();
    assert_eq!(has, answer(false));
}

#[tokio::test]
async fn the_database_is_the_request_s_then_the_dbname_header_then_default() {
    let (milvus, mut client) = start().await;
    milvus.catalog().create_database("db7", vec![]).unwrap();
    let release = |db: &str| pb::ReleaseCollectionRequest {
        db_name: db.into(),
        collection_name: "c".into(),
        ..Default::default()
    };
    let reason = |db: &str| format!("collection not found[database={db}][collection=c]");
    let from_header = with_metadata(release(""), &[("dbname", "db7")]);
    assert_eq!(client.release_collection(from_header).await.unwrap().into_inner(), failure(100, 4, &reason("db7")));
    let request_wins = with_metadata(release("default"), &[("dbname", "db7")]);
    assert_eq!(
        client.release_collection(request_wins).await.unwrap().into_inner(),
        failure(100, 4, &reason("default"))
    );
    let empty_header = with_metadata(release(""), &[("dbname", "")]);
    assert_eq!(
        client.release_collection(empty_header).await.unwrap().into_inner(),
        failure(100, 4, &reason("default"))
    );
}

#[tokio::test]
async fn create_collection_neither_indexes_nor_loads_and_describe_shows_the_full_schema() {
    let (milvus, mut client) = start().await;
    let mut request = create_collection("books", 8);
    request.shards_num = 2;
    request.consistency_level = ConsistencyLevel::Strong as i32;
    request.properties = vec![KeyValuePair { key: "collection.ttl.seconds".into(), value: "60".into() }];
    assert_eq!(client.create_collection(request).await.unwrap().into_inner(), success());
    assert!(milvus.catalog().list_indexes("default", "books").unwrap().is_empty());
    assert!(milvus.catalog().loaded_partitions("default", "books").unwrap().is_empty());

    let describe = pb::DescribeCollectionRequest { collection_name: "books".into(), ..Default::default() };
    let d = client.describe_collection(describe).await.unwrap().into_inner();
    let id = milvus.catalog().collection("default", "books", |c| c.id).unwrap();
    assert_eq!(d.status, Some(success()));
    assert_eq!((d.collection_id, d.collection_name.as_str(), d.db_name.as_str()), (id, "books", "default"));
    assert_eq!((d.shards_num, d.consistency_level, d.num_partitions), (2, ConsistencyLevel::Strong as i32, 1));
    assert_eq!(d.properties, vec![KeyValuePair { key: "collection.ttl.seconds".into(), value: "60".into() }]);
    assert_eq!(
        d.virtual_channel_names,
        [format!("by-dev-rootcoord-dml_0_{id}v0"), format!("by-dev-rootcoord-dml_1_{id}v1")]
    );
    assert_eq!((d.db_id, d.aliases.len()), (1, 0));
    assert!(d.created_timestamp > 0 && d.created_utc_timestamp > 0);
    let schema = d.schema.unwrap();
    // The dynamic field is on, and `$meta` is not among the fields: Milvus's proxy leaves it out
    // (`describeCollectionTask.Execute` skips `IsDynamic` fields, `internal/proxy/task.go`).
    assert_eq!((schema.name.as_str(), schema.enable_dynamic_field), ("books", true));
    let fields: Vec<_> = schema
        .fields
        .iter()
        .map(|f| (f.field_id, f.name.as_str(), f.data_type, f.is_primary_key, f.auto_id, f.type_params.clone()))
        .collect();
    let dim = vec![KeyValuePair { key: "dim".into(), value: "8".into() }];
    assert_eq!(
        fields,
        [
            (100, "id", DataType::Int64 as i32, true, false, vec![]),
            (101, "vector", DataType::FloatVector as i32, false, false, dim)
        ]
    );
}

#[tokio::test]
async fn a_schema_that_does_not_decode_or_breaks_the_rules_is_an_error_status() {
    let (_milvus, mut client) = start().await;
    let mut garbage = create_collection("c", 4);
    garbage.schema = vec![0xff, 0xff, 0xff];
    let status = client.create_collection(garbage).await.unwrap().into_inner();
    assert_eq!((status.code, status.reason.starts_with("proto: cannot parse")), (65535, true));
    let mut no_vector = create_collection("c", 4);
    no_vector.schema = milvus::proto::schema::CollectionSchema {
        name: "c".into(),
        fields: vec![milvus::proto::schema::FieldSchema {
            name: "id".into(),
            is_primary_key: true,
            data_type: DataType::Int64 as i32,
            ..Default::default()
        }],
        ..Default::default()
    }
    .encode_to_vec();
    let status = client.create_collection(no_vector).await.unwrap().into_inner();
    assert_eq!(status, failure(1100, 5, "schema does not contain vector field: invalid parameter"));
}

#[tokio::test]
async fn the_partition_lifecycle() {
    let (_milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    let partition = |name: &str| pb::CreatePartitionRequest {
        collection_name: "c".into(),
        partition_name: name.into(),
        ..Default::default()
    };
    assert_eq!(client.create_partition(partition("january")).await.unwrap().into_inner(), success());
    let shown = client
        .show_partitions(pb::ShowPartitionsRequest { collection_name: "c".into(), ..Default::default() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(shown.status, Some(success()));
    assert_eq!(shown.partition_names, ["_default", "january"]);
    assert_eq!(shown.partition_i_ds.len(), 2);
    assert!(shown.partition_i_ds.iter().all(|id| *id > 0));
    let has = |name: &str| pb::HasPartitionRequest {
        collection_name: "c".into(),
        partition_name: name.into(),
        ..Default::default()
    };
    assert_eq!(client.has_partition(has("january")).await.unwrap().into_inner(), answer(true));
    assert_eq!(client.has_partition(has("march")).await.unwrap().into_inner(), answer(false));

    let state = |partitions: &[&str]| pb::GetLoadStateRequest {
        collection_name: "c".into(),
        partition_names: partitions.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    };
    let load_state = |answer: pb::GetLoadStateResponse| (answer.status.unwrap().code, answer.state);
    assert_eq!(
        load_state(client.get_load_state(state(&[])).await.unwrap().into_inner()),
        (0, LoadState::NotLoad as i32)
    );

    let (collection_name, partition_names) = names("c", &["january"]);
    let load = pb::LoadPartitionsRequest { collection_name, partition_names, ..Default::default() };
    assert_eq!(client.load_partitions(load).await.unwrap().into_inner(), success());
    let progress = pb::GetLoadingProgressRequest {
        collection_name: "c".into(),
        partition_names: vec!["january".into()],
        ..Default::default()
    };
    let progress = client.get_loading_progress(progress).await.unwrap().into_inner();
    assert_eq!(
        progress,
        pb::GetLoadingProgressResponse { status: Some(success()), progress: 100, refresh_progress: 100 }
    );
    assert_eq!(
        load_state(client.get_load_state(state(&["january"])).await.unwrap().into_inner()),
        (0, LoadState::Loaded as i32)
    );
    assert_eq!(
        load_state(client.get_load_state(state(&["_default"])).await.unwrap().into_inner()),
        (0, LoadState::NotLoad as i32)
    );

    let (collection_name, partition_names) = names("c", &["january"]);
    let release = pb::ReleasePartitionsRequest { collection_name, partition_names, ..Default::default() };
    assert_eq!(client.release_partitions(release).await.unwrap().into_inner(), success());
    assert_eq!(
        load_state(client.get_load_state(state(&[])).await.unwrap().into_inner()),
        (0, LoadState::NotLoad as i32)
    );
    let drop = pb::DropPartitionRequest {
        collection_name: "c".into(),
        partition_name: "january".into(),
        ..Default::default()
    };
    assert_eq!(client.drop_partition(drop).await.unwrap().into_inner(), success());
    assert_eq!(client.has_partition(has("january")).await.unwrap().into_inner(), answer(false));
}

#[tokio::test]
async fn missing_partitions_and_load_state_errors_as_grpc_words_them() {
    let (milvus, mut client) = start().await;
    indexed_collection(&mut client, "c").await;
    // A missing collection's load state is a success: NotExist.
    let state = |collection: &str, partitions: &[&str]| pb::GetLoadStateRequest {
        collection_name: collection.into(),
        partition_names: partitions.iter().map(|p| p.to_string()).collect(),
        ..Default::default()
    };
    let missing = client.get_load_state(state("nope", &[])).await.unwrap().into_inner();
    assert_eq!(missing, pb::GetLoadStateResponse { status: Some(success()), state: LoadState::NotExist as i32 });
    // A missing partition: 200 with MetaFailed, once the collection is loaded.
    client
        .load_collection(pb::LoadCollectionRequest { collection_name: "c".into(), ..Default::default() })
        .await
        .unwrap();
    let missing_partition = client.get_load_state(state("c", &["march"])).await.unwrap().into_inner();
    let not_found = failure(200, 15, "partition not found[partition=march]");
    assert_eq!(missing_partition, pb::GetLoadStateResponse { status: Some(not_found.clone()), state: 0 });
    let (collection_name, partition_names) = names("c", &["march"]);
    let release = pb::ReleasePartitionsRequest { collection_name, partition_names, ..Default::default() };
    assert_eq!(client.release_partitions(release).await.unwrap().into_inner(), not_found);
    let stats = pb::GetPartitionStatisticsRequest {
        collection_name: "c".into(),
        partition_name: "march".into(),
        ..Default::default()
    };
    let stats = client.get_partition_statistics(stats).await.unwrap().into_inner();
    assert_eq!(stats, pb::GetPartitionStatisticsResponse { status: Some(not_found), stats: vec![] });
    // Loading progress of a collection that is not loaded: 101 with the collection's id.
    client
        .release_collection(pb::ReleaseCollectionRequest { collection_name: "c".into(), ..Default::default() })
        .await
        .unwrap();
    let id = milvus.catalog().collection("default", "c", |c| c.id).unwrap();
    let progress = pb::GetLoadingProgressRequest { collection_name: "c".into(), ..Default::default() };
    let progress = client.get_loading_progress(progress).await.unwrap().into_inner();
    let not_loaded = failure(101, 1, &format!("collection not loaded[collection={id}]"));
    assert_eq!(progress, pb::GetLoadingProgressResponse { status: Some(not_loaded), ..Default::default() });
}

#[tokio::test]
async fn show_has_statistics_rename_alter_and_drop_collections() {
    let (milvus, mut client) = start().await;
    indexed_collection(&mut client, "a").await;
    indexed_collection(&mut client, "b").await;
    client
        .load_collection(pb::LoadCollectionRequest { collection_name: "b".into(), ..Default::default() })
        .await
        .unwrap();
    let shown = client.show_collections(pb::ShowCollectionsRequest::default()).await.unwrap().into_inner();
    let ids: Vec<i64> =
        ["a", "b"].iter().map(|c| milvus.catalog().collection("default", c, |c| c.id).unwrap()).collect();
    assert_eq!(
        (shown.status, shown.collection_names.clone(), shown.collection_ids.clone()),
        (Some(success()), vec!["a".to_string(), "b".into()], ids.clone())
    );
    assert_eq!(shown.created_timestamps.len(), 2);
    #[allow(deprecated)]
    let in_memory = pb::ShowCollectionsRequest { r#type: pb::ShowType::InMemory as i32, ..Default::default() };
    let loaded = client.show_collections(in_memory).await.unwrap().into_inner();
    #[allow(deprecated)]
    let percentages = loaded.in_memory_percentages.clone();
    assert_eq!(
        (loaded.collection_names, percentages, loaded.query_service_available),
        (vec!["b".to_string()], vec![100], vec![true])
    );

    let stats = pb::GetCollectionStatisticsRequest { collection_name: "a".into(), ..Default::default() };
    let stats = client.get_collection_statistics(stats).await.unwrap().into_inner();
    let rows = vec![KeyValuePair { key: "row_count".into(), value: "0".into() }];
    assert_eq!(stats, pb::GetCollectionStatisticsResponse { status: Some(success()), stats: rows });

    let rename = pb::RenameCollectionRequest { old_name: "a".into(), new_name: "c".into(), ..Default::default() };
    assert_eq!(client.rename_collection(rename).await.unwrap().into_inner(), success());
    assert_eq!(milvus.catalog().list_collections("default").unwrap(), ["c", "b"]);

    let ttl = vec![KeyValuePair { key: "collection.ttl.seconds".into(), value: "5".into() }];
    let alter =
        pb::AlterCollectionRequest { collection_name: "c".into(), properties: ttl.clone(), ..Default::default() };
    assert_eq!(client.alter_collection(alter).await.unwrap().into_inner(), success());
    let view = milvus.catalog().describe_collection("default", "c").unwrap();
    assert_eq!(view.properties, [("collection.ttl.seconds".to_string(), "5".to_string())]);
    let delete = pb::AlterCollectionRequest {
        collection_name: "c".into(),
        delete_keys: vec!["collection.ttl.seconds".into()],
        ..Default::default()
    };
    assert_eq!(client.alter_collection(delete).await.unwrap().into_inner(), success());
    assert!(milvus.catalog().describe_collection("default", "c").unwrap().properties.is_empty());

    let drop = pb::DropCollectionRequest { collection_name: "c".into(), ..Default::default() };
    assert_eq!(client.drop_collection(drop).await.unwrap().into_inner(), success());
    let has = pb::HasCollectionRequest { collection_name: "c".into(), ..Default::default() };
    assert_eq!(client.has_collection(has).await.unwrap().into_inner(), answer(false));
}

#[tokio::test]
async fn describe_collection_returns_the_schema_as_created_with_ids_defaults_keys_and_functions() {
    use milvus::proto::schema::{CollectionSchema, FieldSchema, FunctionSchema, FunctionType, ValueField, value_field};
    let (milvus, mut client) = start().await;
    let pair = |k: &str, v: &str| KeyValuePair { key: k.into(), value: v.into() };
    let field = |name: &str, data_type: DataType| FieldSchema {
        name: name.into(),
        data_type: data_type as i32,
        ..Default::default()
    };
    let fields = vec![
        FieldSchema { is_primary_key: true, auto_id: true, ..field("id", DataType::Int64) },
        FieldSchema {
            nullable: true,
            description: "the text".into(),
            type_params: vec![pair("max_length", "64"), pair("enable_analyzer", "true")],
            default_value: Some(ValueField { data: Some(value_field::Data::StringData("none".into())) }),
            ..field("text", DataType::VarChar)
        },
        FieldSchema {
            element_type: DataType::Int32 as i32,
            type_params: vec![pair("max_capacity", "4")],
            ..field("tags", DataType::Array)
        },
        FieldSchema { is_partition_key: true, ..field("category", DataType::Int64) },
        FieldSchema { type_params: vec![pair("dim", "4")], ..field("dense", DataType::FloatVector) },
        field("sparse", DataType::SparseFloatVector),
    ];
    let bm25 = FunctionSchema {
        name: "bm25".into(),
        r#type: FunctionType::Bm25 as i32,
        input_field_names: vec!["text".into()],
        output_field_names: vec!["sparse".into()],
        ..Default::default()
    };
    let schema =
        CollectionSchema { name: "docs".into(), fields: fields.clone(), functions: vec![bm25], ..Default::default() };
    let request = pb::CreateCollectionRequest {
        collection_name: "docs".into(),
        schema: schema.encode_to_vec(),
        num_partitions: 8,
        ..Default::default()
    };
    assert_eq!(client.create_collection(request).await.unwrap().into_inner(), success());
    assert_eq!(milvus.catalog().list_partitions("default", "docs").unwrap().len(), 8);

    let describe = pb::DescribeCollectionRequest { collection_name: "docs".into(), ..Default::default() };
    let described = client.describe_collection(describe).await.unwrap().into_inner();
    assert_eq!((described.consistency_level, described.num_partitions), (ConsistencyLevel::Strong as i32, 8));
    let schema = described.schema.unwrap();
    let expected: Vec<FieldSchema> = fields
        .into_iter()
        .enumerate()
        .map(|(i, f)| FieldSchema { field_id: 100 + i as i64, is_function_output: f.name == "sparse", ..f })
        .collect();
    assert_eq!(schema.fields, expected);
    let function = &schema.functions[0];
    assert_eq!(
        (function.id, function.r#type, function.input_field_ids.clone(), function.output_field_ids.clone()),
        (106, FunctionType::Bm25 as i32, vec![101], vec![105])
    );
}

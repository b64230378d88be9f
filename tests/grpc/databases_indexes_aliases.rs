//! Databases, indexes and aliases over gRPC.

use milvus::proto::common::{IndexState, KeyValuePair};
use milvus::proto::milvus as pb;

use crate::support::*;

fn pair(key: &str, value: &str) -> KeyValuePair {
    KeyValuePair { key: key.into(), value: value.into() }
}

#[tokio::test]
async fn the_database_lifecycle() {
    let (milvus, mut client) = start().await;
    let create =
        pb::CreateDatabaseRequest { db_name: "db1".into(), properties: vec![pair("k", "v")], ..Default::default() };
    assert_eq!(client.create_database(create.clone()).await.unwrap().into_inner(), success());
    assert_eq!(
        client.create_database(create).await.unwrap().into_inner(),
        failure(65535, 1, "database already exist: db1")
    );
    let listed = client.list_databases(pb::ListDatabasesRequest::default()).await.unwrap().into_inner();
    assert_eq!((listed.status, listed.db_names.clone()), (Some(success()), vec!["default".to_string(), "db1".into()]));
    let ids: Vec<i64> = ["default", "db1"].iter().map(|d| milvus.catalog().describe_database(d).unwrap().id).collect();
    assert_eq!(listed.db_ids, ids);
    assert_eq!(listed.created_timestamp.len(), 2);

    let describe = |name: &str| pb::DescribeDatabaseRequest { db_name: name.into(), ..Default::default() };
    let described = client.describe_database(describe("db1")).await.unwrap().into_inner();
    assert_eq!(
        (described.db_name.as_str(), described.db_id, described.properties),
        ("db1", ids[1], vec![pair("k", "v")])
    );
    let missing = client.describe_database(describe("nope")).await.unwrap().into_inner();
    let not_found = failure(800, 1, "database not found[database=nope]");
    assert_eq!(missing, pb::DescribeDatabaseResponse { status: Some(not_found), ..Default::default() });

    let alter =
        pb::AlterDatabaseRequest { db_name: "db1".into(), properties: vec![pair("k", "w")], ..Default::default() };
    assert_eq!(client.alter_database(alter).await.unwrap().into_inner(), success());
    assert_eq!(milvus.catalog().describe_database("db1").unwrap().properties, [("k".to_string(), "w".to_string())]);
    let delete =
        pb::AlterDatabaseRequest { db_name: "db1".into(), delete_keys: vec!["k".into()], ..Default::default() };
    assert_eq!(client.alter_database(delete).await.unwrap().into_inner(), success());
    assert!(milvus.catalog().describe_database("db1").unwrap().properties.is_empty());

    // A collection in db1 through the `dbname` header, as pymilvus sends it.
    let create = with_metadata(create_collection("c", 4), &[("dbname", "db1")]);
    assert_eq!(client.create_collection(create).await.unwrap().into_inner(), success());
    assert_eq!(milvus.catalog().list_collections("db1").unwrap(), ["c"]);
    let drop = pb::DropDatabaseRequest { db_name: "db1".into(), ..Default::default() };
    let refused = client.drop_database(drop.clone()).await.unwrap().into_inner();
    assert_eq!(refused, failure(65535, 1, "database:db1 not empty, must drop all collections before drop database"));
    milvus.catalog().drop_collection("db1", "c").unwrap();
    assert_eq!(client.drop_database(drop).await.unwrap().into_inner(), success());
    assert_eq!(milvus.catalog().list_databases(), ["default"]);
}

#[tokio::test]
async fn create_describe_alter_and_drop_an_index() {
    let (milvus, mut client) = start().await;
    assert_eq!(client.create_collection(create_collection("c", 4)).await.unwrap().into_inner(), success());
    let describe = |index: &str, field: &str| pb::DescribeIndexRequest {
        collection_name: "c".into(),
        index_name: index.into(),
        field_name: field.into(),
        ..Default::default()
    };
    let none = client.describe_index(describe("", "")).await.unwrap().into_inner();
    let not_found = failure(700, 25, "index not found[collection=c]");
    assert_eq!(none, pb::DescribeIndexResponse { status: Some(not_found), index_descriptions: vec![] });

    let hnsw = pb::CreateIndexRequest {
        collection_name: "c".into(),
        field_name: "vector".into(),
        index_name: "vec_idx".into(),
        extra_params: vec![
            pair("index_type", "HNSW"),
            pair("metric_type", "L2"),
            pair("params", r#"{"M": 16, "efConstruction": 200}"#),
        ],
        ..Default::default()
    };
    assert_eq!(client.create_index(hnsw.clone()).await.unwrap().into_inner(), success());
    let index_id = milvus.catalog().describe_index("default", "c", "vec_idx").unwrap().id;
    let collection_id = milvus.catalog().collection("default", "c", |c| c.id).unwrap();
    assert!(index_id > collection_id, "allocated after the collection, from the same ids: {index_id}");
    let expected = pb::IndexDescription {
        index_name: "vec_idx".into(),
        index_id,
        // The request's `extra_params` exactly as sent (Milvus's `UserIndexParams`), spaces and all.
        params: vec![
            pair("index_type", "HNSW"),
            pair("metric_type", "L2"),
            pair("params", r#"{"M": 16, "efConstruction": 200}"#),
        ],
        field_name: "vector".into(),
        state: IndexState::Finished as i32,
        ..Default::default()
    };
    for (index, field) in [("vec_idx", ""), ("", "vector"), ("", "")] {
        let answer = client.describe_index(describe(index, field)).await.unwrap().into_inner();
        let whole = pb::DescribeIndexResponse { status: Some(success()), index_descriptions: vec![expected.clone()] };
        assert_eq!(answer, whole, "{index:?} {field:?}");
    }
    let other = client.describe_index(describe("other", "")).await.unwrap().into_inner();
    assert_eq!(other.status, Some(failure(700, 25, "index not found[indexName=other]")));

    let mmap = pb::AlterIndexRequest {
        collection_name: "c".into(),
        index_name: "vec_idx".into(),
        extra_params: vec![pair("mmap.enabled", "true")],
        ..Default::default()
    };
    assert_eq!(client.alter_index(mmap).await.unwrap().into_inner(), success());
    let view = milvus.catalog().describe_index("default", "c", "vec_idx").unwrap();
    assert_eq!(view.properties, [("mmap.enabled".to_string(), "true".to_string())]);
    let altered = client.describe_index(describe("vec_idx", "")).await.unwrap().into_inner();
    assert_eq!(altered.index_descriptions[0].index_id, index_id, "an index keeps its id");

    let drop = pb::DropIndexRequest { collection_name: "c".into(), index_name: "vec_idx".into(), ..Default::default() };
    assert_eq!(client.drop_index(drop).await.unwrap().into_inner(), success());
    assert!(milvus.catalog().list_indexes("default", "c").unwrap().is_empty());
    // Created again, it is another index: Milvus allocates a new id.
    assert_eq!(client.create_index(hnsw).await.unwrap().into_inner(), success());
    let again = client.describe_index(describe("vec_idx", "")).await.unwrap().into_inner();
    assert!(again.index_descriptions[0].index_id > index_id, "{again:?}");
}

#[tokio::test]
async fn the_alias_lifecycle() {
    let (_milvus, mut client) = start().await;
    indexed_collection(&mut client, "a").await;
    indexed_collection(&mut client, "b").await;
    let create = pb::CreateAliasRequest { collection_name: "a".into(), alias: "current".into(), ..Default::default() };
    assert_eq!(client.create_alias(create).await.unwrap().into_inner(), success());
    let describe = pb::DescribeAliasRequest { alias: "current".into(), ..Default::default() };
    let described = client.describe_alias(describe.clone()).await.unwrap().into_inner();
    let expected = |collection: &str| pb::DescribeAliasResponse {
        status: Some(success()),
        db_name: "default".into(),
        alias: "current".into(),
        collection: collection.into(),
    };
    assert_eq!(described, expected("a"));
    let alter = pb::AlterAliasRequest { collection_name: "b".into(), alias: "current".into(), ..Default::default() };
    assert_eq!(client.alter_alias(alter).await.unwrap().into_inner(), success());
    assert_eq!(client.describe_alias(describe.clone()).await.unwrap().into_inner(), expected("b"));
    let list = pb::ListAliasesRequest { collection_name: "b".into(), ..Default::default() };
    let listed = client.list_aliases(list).await.unwrap().into_inner();
    let aliases = pb::ListAliasesResponse {
        status: Some(success()),
        db_name: "default".into(),
        collection_name: "b".into(),
        aliases: vec!["current".into()],
    };
    assert_eq!(listed, aliases);
    let drop = pb::DropAliasRequest { alias: "current".into(), ..Default::default() };
    assert_eq!(client.drop_alias(drop).await.unwrap().into_inner(), success());
    let gone = client.describe_alias(describe).await.unwrap().into_inner();
    let not_found = failure(1600, 1, "alias not found[database=default][alias=current]");
    assert_eq!(gone, pb::DescribeAliasResponse { status: Some(not_found), ..Default::default() });
}

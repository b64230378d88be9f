//! Unknown database, collection and partition: the code and the exact wording each route uses (contract §5, §6,
//! §7.2). Three texts for a missing collection: rootcoord's `collection not found[database=..][collection=..]`,
//! describe's `can't find collection[...]` and get_load_state's `collection not found[collection=..]`.

use serde_json::json;

use crate::harness::{Scn, Step, with_db};

pub async fn unknown_collection(s: Scn) -> Step {
    let x = s.collection(); // never created
    let coll = json!({"collectionName": x});
    let part = json!({"collectionName": x, "partitionName": "p1"});
    let parts = json!({"collectionName": x, "partitionNames": ["p1"]});
    let rootcoord = s.err(100, format!("collection not found[database=default][collection={x}]"));

    s.check(
        "collections/describe",
        coll.clone(),
        s.err(100, format!("can't find collection[database=default][collection={x}]")),
    )
    .await?;
    s.check("collections/has", coll.clone(), s.has(false)).await?;
    s.check("collections/get_stats", coll.clone(), rootcoord.clone()).await?;
    s.check("collections/get_load_state", coll.clone(), s.err(100, format!("collection not found[collection={x}]")))
        .await?;
    s.check("collections/load", coll.clone(), rootcoord.clone()).await?;
    s.check("collections/release", coll.clone(), rootcoord.clone()).await?;
    // Dropping a missing collection succeeds.
    s.check("collections/drop", coll.clone(), s.ok()).await?;
    s.check("partitions/list", coll.clone(), rootcoord.clone()).await?;
    s.check("partitions/create", part.clone(), rootcoord.clone()).await?;
    s.check("partitions/drop", part.clone(), rootcoord.clone()).await?;
    s.check("partitions/has", part.clone(), rootcoord.clone()).await?;
    s.check("partitions/get_stats", part, rootcoord.clone()).await?;
    s.check("partitions/load", parts.clone(), rootcoord.clone()).await?;
    s.check("partitions/release", parts, rootcoord.clone()).await?;
    s.check("indexes/list", coll.clone(), rootcoord.clone()).await?;
    s.check("indexes/drop", json!({"collectionName": x, "indexName": "vector"}), rootcoord.clone()).await?;
    let index = json!({"collectionName": x, "indexParams": [{"fieldName": "vector", "metricType": "COSINE"}]});
    s.check("indexes/create", index, rootcoord).await?;
    Ok(())
}

pub async fn unknown_partition(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let part = json!({"collectionName": c, "partitionName": "nope"});
    let parts = json!({"collectionName": c, "partitionNames": ["nope"]});
    let not_found = s.err(200, "partition not found[partition=nope]");
    s.check("partitions/has", part.clone(), s.has(false)).await?;
    s.check("partitions/get_stats", part.clone(), not_found.clone()).await?;
    s.check("partitions/drop", part, s.ok()).await?;
    s.check("partitions/load", parts.clone(), not_found.clone()).await?;
    s.check("partitions/release", parts.clone(), not_found).await?;
    s.check("collections/get_load_state", parts, s.progress(-1, "partition not found[partition=nope].")).await?;
    Ok(())
}

/// 2.5+: a `dbName` that does not exist is 800 where the database is looked up, except in `get_load_state`
/// (100 without the database) and the drops (success).
pub async fn unknown_database(s: Scn) -> Step {
    let db = s.name("nodb"); // never created
    let c = s.name("c");
    let in_db = |body| with_db(&db, body);
    let missing_db = s.err(800, format!("database not found[database={db}]"));
    s.check("collections/list", in_db(json!({})), missing_db.clone()).await?;
    s.check("aliases/list", in_db(json!({})), missing_db.clone()).await?;
    s.check("collections/describe", in_db(json!({"collectionName": c})), missing_db.clone()).await?;
    s.check("collections/load", in_db(json!({"collectionName": c})), missing_db.clone()).await?;
    s.check("collections/create", in_db(json!({"collectionName": c, "dimension": 5})), missing_db.clone()).await?;
    s.check(
        "collections/get_load_state",
        in_db(json!({"collectionName": c})),
        s.err(100, format!("collection not found[collection={c}]")),
    )
    .await?;
    s.check("collections/drop", in_db(json!({"collectionName": c})), s.ok()).await?;
    s.check("partitions/list", in_db(json!({"collectionName": c})), missing_db.clone()).await?;
    s.check("partitions/create", in_db(json!({"collectionName": c, "partitionName": "p1"})), missing_db.clone())
        .await?;
    s.check("partitions/release", in_db(json!({"collectionName": c, "partitionNames": ["p1"]})), missing_db.clone())
        .await?;
    s.check("partitions/has", in_db(json!({"collectionName": c, "partitionName": "p1"})), missing_db.clone()).await?;
    // Name rules come before the database lookup.
    s.check(
        "collections/create",
        in_db(json!({"collectionName": "1abc", "dimension": 5})),
        s.err(
            1100,
            "Invalid collection name: 1abc.  the first character of a collection name must be an underscore or letter: \
             invalid parameter",
        ),
    )
    .await?;
    s.check("databases/describe", json!({"dbName": db}), missing_db.clone()).await?;
    s.check("databases/alter", json!({"dbName": db, "properties": {"mmap.enabled": true}}), missing_db.clone()).await?;
    s.check("databases/drop", json!({"dbName": db}), s.ok()).await?;
    // The DB-Name header stands in for a missing body dbName (§2 step 4).
    s.check_raw("collections/list", "{}", &[("DB-Name", db.as_str())], missing_db).await?;
    Ok(())
}

//! What may be repeated (contract §6): identical creates, drops of what is gone, releases of what is not loaded.

use serde_json::json;

use crate::harness::{Scn, Step, Version};

pub async fn repeated_creates_and_drops(s: Scn) -> Step {
    let c = s.collection();
    let quick = json!({"collectionName": c, "dimension": 5});
    s.check("collections/create", quick.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    // An identical create succeeds (and indexes and loads again, both idempotent).
    s.check("collections/create", quick, s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check(
        "collections/create",
        json!({"collectionName": c, "dimension": 6}),
        s.err(65535, format!("create duplicate collection with different parameters, collection: {c}")),
    )
    .await?;
    // The refused create changed nothing: the vector field keeps dimension 5.
    s.check_with("collections/describe", json!({"collectionName": c}), |v| {
        let params = &v["data"]["fields"][1]["params"];
        if *params == json!([{"key": "dim", "value": "5"}]) { Ok(()) } else { Err("expected dim 5".into()) }
    })
    .await?;
    let part = json!({"collectionName": c, "partitionName": "p1"});
    s.check("partitions/create", part.clone(), s.ok()).await?;
    s.check("partitions/create", part.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    let coll = json!({"collectionName": c});
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("partitions/release", json!({"collectionName": c, "partitionNames": ["p1"]}), s.ok()).await?;
    s.check("partitions/drop", part.clone(), s.ok()).await?;
    s.check("partitions/drop", part, s.ok()).await?;
    // A missing index on a released collection: success (datacoord matches nothing).
    s.check("indexes/drop", json!({"collectionName": c, "indexName": "nope"}), s.ok()).await?;
    let alias = s.alias_in("default");
    s.check("aliases/drop", json!({"aliasName": alias}), s.ok()).await?;
    s.check("aliases/drop", json!({"aliasName": alias}), s.ok()).await?;
    if s.version() >= Version::V2_6 {
        // PR #43064 removed the name check from alias drop.
        s.check("aliases/drop", json!({"aliasName": "1a"}), s.ok()).await?;
    }
    s.check("collections/drop", coll.clone(), s.ok()).await?;
    s.check("collections/drop", coll, s.ok()).await?;
    Ok(())
}

pub async fn database_drops(s: Scn) -> Step {
    let db = s.database();
    s.check("databases/create", json!({"dbName": db}), s.ok()).await?;
    s.check("databases/drop", json!({"dbName": db}), s.ok()).await?;
    s.check("databases/drop", json!({"dbName": db}), s.ok()).await?;
    Ok(())
}

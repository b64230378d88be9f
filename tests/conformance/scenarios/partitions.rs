//! Partition lifecycle (contract §4.3, §6.3): create (idempotent), list in creation order, has, drop (idempotent,
//! refused while loaded, never `_default`).

use serde_json::json;

use crate::harness::{Scn, Step, Version};

pub async fn lifecycle(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let part = |p: &str| json!({"collectionName": c, "partitionName": p});
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default"]))).await?;
    s.check("partitions/has", part("p1"), s.has(false)).await?;
    s.check("partitions/create", part("p1"), s.ok()).await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    // An existing name, `_default` included, is a success (rootcoord is idempotent).
    s.check("partitions/create", part("p1"), s.ok()).await?;
    s.check("partitions/create", part("_default"), s.ok()).await?;
    s.check("partitions/create", part("p2"), s.ok()).await?;
    s.wait_loaded("default", &c, &["p2"]).await?;
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default", "p1", "p2"]))).await?;
    s.check("partitions/has", part("p1"), s.has(true)).await?;
    s.check("collections/get_load_state", parts(&["p1", "p2"]), s.loaded()).await?;
    // partitionsNum counts `_default`.
    s.check_subset("collections/describe", json!({"collectionName": c}), s.data(json!({"partitionsNum": 3}))).await?;

    // A loaded partition cannot be dropped; master's text is unconfirmed, so only its code is checked there.
    let loaded_msg = "partition cannot be dropped, partition is loaded, please release it first";
    if s.version() >= Version::V3_0 {
        s.check_code("partitions/drop", part("p1"), 1100).await?;
    } else {
        s.check("partitions/drop", part("p1"), s.err(65535, loaded_msg)).await?;
    }
    s.check("partitions/release", parts(&["p1"]), s.ok()).await?;
    s.check("collections/get_load_state", parts(&["p1"]), s.partition_not_loaded()).await?;
    s.check("partitions/drop", part("p1"), s.ok()).await?;
    // A missing partition: success.
    s.check("partitions/drop", part("p1"), s.ok()).await?;
    s.check("partitions/has", part("p1"), s.has(false)).await?;
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default", "p2"]))).await?;
    // The collection stays loaded: `_default` and p2 still are.
    s.check("collections/get_load_state", json!({"collectionName": c}), s.loaded()).await?;

    // `_default` while loaded: the loaded check comes first (§6.3 drop, step 6 before 7).
    if s.version() >= Version::V3_0 {
        s.check_code("partitions/drop", part("_default"), 1100).await?;
    } else {
        s.check("partitions/drop", part("_default"), s.err(65535, loaded_msg)).await?;
    }
    s.check("collections/release", json!({"collectionName": c}), s.ok()).await?;
    s.check("partitions/drop", part("_default"), s.err(65535, "default partition cannot be deleted")).await?;
    s.check("partitions/drop", part("p2"), s.ok()).await?;
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default"]))).await?;
    // The list is in creation order, not sorted.
    s.check("partitions/create", part("zebra"), s.ok()).await?;
    s.check("partitions/create", part("alpha"), s.ok()).await?;
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default", "zebra", "alpha"]))).await?;
    Ok(())
}

pub async fn stats_and_has(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    s.partition("default", &c, "p1").await?;
    let part = |p: &str| json!({"collectionName": c, "partitionName": p});
    s.check("partitions/get_stats", part("_default"), s.data(json!({"rowCount": 0}))).await?;
    s.check("partitions/get_stats", part("p1"), s.data(json!({"rowCount": 0}))).await?;
    s.check("partitions/get_stats", part("nope"), s.err(200, "partition not found[partition=nope]")).await?;
    s.check("partitions/has", part("_default"), s.has(true)).await?;
    s.check("partitions/has", part("nope"), s.has(false)).await?;
    s.check("collections/get_stats", json!({"collectionName": c}), s.data(json!({"rowCount": 0}))).await?;
    Ok(())
}

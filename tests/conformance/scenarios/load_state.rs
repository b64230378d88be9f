//! The load-state model (contract §7): partition loads add to the loaded set, releasing every loaded partition
//! releases the collection, `get_load_state` with `partitionNames` answers Loading/-1 for a released partition of a
//! loaded collection (the source, not the docs), and the errors of load/release (§6.3).

use serde_json::json;

use crate::harness::{Scn, Step, Version, custom_schema};

pub async fn partition_loads(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    s.partition("default", &c, "p1").await?;
    s.partition("default", &c, "p2").await?;
    s.wait_loaded("default", &c, &["p1", "p2"]).await?;
    let coll = json!({"collectionName": c});
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});

    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.not_loaded()).await?;
    // partitionNames are not passed to the first call: a released collection is NotLoad whatever is asked.
    s.check("collections/get_load_state", parts(&["p1"]), s.not_loaded()).await?;
    s.check("collections/get_load_state", parts(&["nope"]), s.not_loaded()).await?;

    s.check("partitions/load", parts(&["p1"]), s.ok()).await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    // The collection percentage is the average over the loaded partitions: 100.
    s.check("collections/get_load_state", coll.clone(), s.loaded()).await?;
    s.check("collections/get_load_state", parts(&["p1"]), s.loaded()).await?;
    s.check("collections/get_load_state", parts(&["p2"]), s.partition_not_loaded()).await?;
    s.check("collections/get_load_state", parts(&["p1", "p2"]), s.partition_not_loaded()).await?;
    s.check("collections/get_load_state", parts(&["nope"]), s.progress(-1, "partition not found[partition=nope]."))
        .await?;
    // Only some partitions loaded: describe says Loaded.
    s.check_subset(
        "collections/describe",
        coll.clone(),
        s.data(json!({"load": "LoadStateLoaded", "partitionsNum": 3})),
    )
    .await?;

    // Loaded with LoadPartition: a new partition is not loaded, so it can be dropped.
    s.partition("default", &c, "p3").await?;
    s.check("collections/get_load_state", parts(&["p3"]), s.partition_not_loaded()).await?;
    s.partition("default", &c, "p4").await?;
    s.check("collections/get_load_state", parts(&["p4"]), s.partition_not_loaded()).await?;
    s.check("partitions/drop", json!({"collectionName": c, "partitionName": "p4"}), s.ok()).await?;
    s.check("partitions/list", coll.clone(), s.data(json!(["_default", "p1", "p2", "p3"]))).await?;

    s.check("partitions/load", parts(&["p2"]), s.ok()).await?;
    s.wait_loaded("default", &c, &["p2"]).await?;
    s.check("collections/get_load_state", parts(&["p1", "p2"]), s.loaded()).await?;
    // Loading a loaded partition again is a success.
    s.check("partitions/load", parts(&["p1"]), s.ok()).await?;

    // Only some of the loaded partitions: the collection stays loaded.
    s.check("partitions/release", parts(&["p1"]), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.loaded()).await?;
    s.check("collections/get_load_state", parts(&["p1"]), s.partition_not_loaded()).await?;
    s.check("collections/get_load_state", parts(&["p2"]), s.loaded()).await?;
    // None of the named partitions is loaded: a no-op success.
    s.check("partitions/release", parts(&["p3", "_default"]), s.ok()).await?;
    s.check("collections/get_load_state", parts(&["p2"]), s.loaded()).await?;
    // The last loaded partition: the whole collection is released.
    s.check("partitions/release", parts(&["p2"]), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.not_loaded()).await?;
    s.check_subset("collections/describe", coll.clone(), s.data(json!({"load": "LoadStateNotLoad"}))).await?;
    // And again, on a collection that is not loaded.
    s.check("partitions/release", parts(&["p2"]), s.ok()).await?;
    Ok(())
}

pub async fn collection_loads(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let coll = json!({"collectionName": c});
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    // Loading a loaded collection is a success.
    s.check("collections/load", coll.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.partition("default", &c, "p1").await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    // Loading partitions of a collection loaded as a whole is a success that changes nothing.
    s.check("partitions/load", parts(&["p1"]), s.ok()).await?;
    s.check("collections/get_load_state", parts(&["_default", "p1"]), s.loaded()).await?;

    s.check("partitions/release", parts(&["_default"]), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.loaded()).await?;
    s.check_subset("collections/describe", coll.clone(), s.data(json!({"load": "LoadStateLoaded"}))).await?;
    s.check("collections/get_load_state", parts(&["_default"]), s.partition_not_loaded()).await?;
    s.check("collections/get_load_state", parts(&["p1"]), s.loaded()).await?;
    // The load type stays LoadCollection: a new partition still loads by itself.
    s.partition("default", &c, "p2").await?;
    s.wait_loaded("default", &c, &["p2"]).await?;
    // Together p1 and p2 are every loaded partition: the collection is released.
    s.check("partitions/release", parts(&["p1", "p2"]), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.not_loaded()).await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("partitions/release", parts(&["_default"]), s.ok()).await?;

    s.check("collections/load", coll.clone(), s.ok()).await?;
    s.wait_loaded("default", &c, &[]).await?;
    s.check("collections/get_load_state", parts(&["_default", "p1", "p2"]), s.loaded()).await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("collections/get_load_state", coll, s.not_loaded()).await?;
    Ok(())
}

pub async fn empty_and_unknown_partition_lists(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    s.partition("default", &c, "p1").await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    let coll = json!({"collectionName": c});
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    let expected = if s.version() == Version::V2_4 { "any parttiion" } else { "any partition" };
    let empty_release = s.err(1100, format!("invalid parameter[expected={expected}][actual=empty partition list]"));

    s.check("partitions/release", parts(&[]), empty_release.clone()).await?;
    s.check("partitions/load", parts(&[]), s.err(65535, "failed to load partition, due to no partition specified"))
        .await?;
    s.check("collections/get_load_state", parts(&[]), s.loaded()).await?;
    // Unknown names: 200, the first missing one, and nothing is released or loaded.
    s.check("partitions/release", parts(&["nope"]), s.err(200, "partition not found[partition=nope]")).await?;
    s.check("partitions/release", parts(&["p1", "nope", "zzz"]), s.err(200, "partition not found[partition=nope]"))
        .await?;
    s.check("collections/get_load_state", parts(&["p1"]), s.loaded()).await?;
    s.check("partitions/load", parts(&["nope"]), s.err(200, "partition not found[partition=nope]")).await?;
    // load and release do not check the name format: an invalid name is just not found.
    s.check("partitions/load", parts(&["bad name!"]), s.err(200, "partition not found[partition=bad name!]")).await?;
    s.check("partitions/release", parts(&["-x"]), s.err(200, "partition not found[partition=-x]")).await?;

    // Missing or null partitionNames: 1802; `[]` passes binding.
    let missing = s.missing(&[("PartitionsReq", "PartitionNames")]);
    s.check("partitions/release", coll.clone(), missing.clone()).await?;
    s.check("partitions/release", json!({"collectionName": c, "partitionNames": null}), missing.clone()).await?;
    s.check("partitions/load", coll.clone(), missing).await?;

    // On a collection that is not loaded, `[]` is still refused.
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("partitions/release", parts(&[]), empty_release).await?;
    s.check("partitions/release", parts(&["nope"]), s.err(200, "partition not found[partition=nope]")).await?;
    // An unknown name among known ones loads nothing either.
    s.check("partitions/load", parts(&["_default", "nope"]), s.err(200, "partition not found[partition=nope]")).await?;
    s.check("collections/get_load_state", coll, s.not_loaded()).await?;
    Ok(())
}

/// `""` in load/release means `_default` from 2.5 on; in 2.4 it is an unknown partition (§6.3, §9).
pub async fn empty_partition_name(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    s.partition("default", &c, "p1").await?;
    s.wait_loaded("default", &c, &["p1"]).await?;
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    if s.version() == Version::V2_4 {
        s.check("partitions/release", parts(&[""]), s.err(200, "partition not found[partition=]")).await?;
        s.check("collections/get_load_state", parts(&["_default"]), s.loaded()).await?;
    } else {
        s.check("partitions/release", parts(&[""]), s.ok()).await?;
        s.check("collections/get_load_state", parts(&["_default"]), s.partition_not_loaded()).await?;
        s.check("collections/get_load_state", parts(&["p1"]), s.loaded()).await?;
        s.check("partitions/load", parts(&[""]), s.ok()).await?;
        s.wait_loaded("default", &c, &["_default"]).await?;
    }
    Ok(())
}

/// A custom schema without `indexParams`: created, not loaded, and every load answers 700 (§6.2, §6.3).
pub async fn collection_without_index(s: Scn) -> Step {
    let c = s.collection();
    s.custom("default", &c).await?;
    let coll = json!({"collectionName": c});
    let parts = |ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    let no_index = s.err(700, format!("index not found[collection={c}]"));
    s.check("collections/get_load_state", coll.clone(), s.not_loaded()).await?;
    s.check("collections/load", coll.clone(), no_index.clone()).await?;
    s.check("partitions/load", parts(&["_default"]), no_index.clone()).await?;
    // The index checks come before the empty-list check.
    s.check("partitions/load", parts(&[]), no_index.clone()).await?;
    // And before the partition names.
    s.check("partitions/load", parts(&["nope"]), no_index).await?;
    s.check("partitions/release", parts(&["_default"]), s.ok()).await?;
    s.check("collections/release", coll.clone(), s.ok()).await?;
    s.check("collections/get_load_state", coll.clone(), s.not_loaded()).await?;
    // Identical again: idempotent, still not loaded.
    s.check("collections/create", custom_schema(&c), s.ok()).await?;
    s.check("collections/get_load_state", coll, s.not_loaded()).await?;
    Ok(())
}

/// A partition-key collection has `_default_0`... instead of `_default`, and refuses the partition routes that
/// change partitions or their load state (§6.3, step 3, before any index check).
pub async fn partition_key_collection(s: Scn) -> Step {
    let c = s.collection();
    let mut schema = custom_schema(&c);
    schema["schema"]["fields"][2]["isPartitionKey"] = json!(true);
    schema["params"] = json!({"partitionsNum": 4});
    s.arrange("collections/create", schema).await?;
    s.check(
        "partitions/list",
        json!({"collectionName": c}),
        s.data(json!(["_default_0", "_default_1", "_default_2", "_default_3"])),
    )
    .await?;
    let part = json!({"collectionName": c, "partitionName": "_default_0"});
    let parts = json!({"collectionName": c, "partitionNames": ["_default_0"]});
    let refused = |action: &str| s.err(65535, format!("disable {action} if partition key mode is used"));
    s.check("partitions/create", json!({"collectionName": c, "partitionName": "p1"}), refused("create partition"))
        .await?;
    s.check("partitions/drop", part.clone(), refused("drop partition")).await?;
    s.check("partitions/load", parts.clone(), refused("load partitions")).await?;
    s.check("partitions/release", parts, refused("release partitions")).await?;
    s.check("partitions/has", part, s.has(true)).await?;
    s.check_subset("collections/describe", json!({"collectionName": c}), s.data(json!({"partitionsNum": 4}))).await?;
    Ok(())
}

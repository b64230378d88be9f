//! The seed page, `../shared/seed/release-partitions.md`: its request verbatim against the state it describes
//! (a quick-setup collection with `_default` and `january`, loaded). The page's `"code": 200` is the docs' table;
//! the source answers 0 (contract §1.2, §11), which `MILVUS_SUCCESS_CODE` can change for early 2.4 builds.

use serde_json::json;

use crate::harness::{Scn, Step};

pub async fn release_page_example(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    s.partition("default", &c, "january").await?;
    // A partition created in a collection loaded as a whole is loaded too (§7.1).
    s.wait_loaded("default", &c, &["january"]).await?;
    s.check("partitions/list", json!({"collectionName": c}), s.data(json!(["_default", "january"]))).await?;
    s.check("collections/get_load_state", json!({"collectionName": c}), s.loaded()).await?;

    // The page's curl, byte for byte apart from the collection name.
    let page_body = format!(
        "{{\n    \"partitionNames\": [\n        \"_default\",\n        \"january\"\n    ],\n    \"collectionName\": \"{c}\"\n}}"
    );
    s.check_raw("partitions/release", &page_body, &[("Content-Type", "application/json")], s.ok()).await?;

    // Releasing every loaded partition released the collection (§7.1).
    s.check("collections/get_load_state", json!({"collectionName": c}), s.not_loaded()).await?;
    s.check_subset("collections/describe", json!({"collectionName": c}), s.data(json!({"load": "LoadStateNotLoad"})))
        .await?;
    // Again: the collection is not loaded, so it is a no-op success (S18).
    s.check_raw("partitions/release", &page_body, &[("Content-Type", "application/json")], s.ok()).await?;
    // A partition the collection does not have.
    s.check(
        "partitions/release",
        json!({"collectionName": c, "partitionNames": ["march"]}),
        s.err(200, "partition not found[partition=march]"),
    )
    .await?;
    Ok(())
}

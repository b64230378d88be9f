//! `collections/rename` (contract §4.2, §6.2): within a database and into another one (2.5+), and its errors.
//! The collections are not loaded: whether a loaded collection may be renamed is not in the contract.

use serde_json::json;

use crate::harness::{Scn, Step, Version};

pub async fn rename_collection(s: Scn) -> Step {
    let (old, new, other) = (s.collection(), s.collection(), s.collection());
    s.custom("default", &old).await?;
    s.custom("default", &other).await?;
    let rename = |from: &str, to: &str| json!({"collectionName": from, "newCollectionName": to});
    s.check("collections/rename", rename(&old, &new), s.ok()).await?;
    s.check("collections/has", json!({"collectionName": old}), s.has(false)).await?;
    s.check("collections/has", json!({"collectionName": new}), s.has(true)).await?;
    s.check("partitions/list", json!({"collectionName": new}), s.data(json!(["_default"]))).await?;
    s.check(
        "collections/rename",
        rename(&old, &new),
        s.err(100, format!("collection not found[database=default][collection={old}]")),
    )
    .await?;
    s.check(
        "collections/rename",
        rename(&new, &other),
        s.err(65535, format!("duplicated new collection name default:{other} with other collection name or alias")),
    )
    .await?;
    s.check(
        "collections/rename",
        json!({"collectionName": new}),
        s.missing(&[("RenameCollectionReq", "NewCollectionName")]),
    )
    .await?;

    let alias = s.alias_in("default");
    s.check("aliases/create", json!({"collectionName": other, "aliasName": alias}), s.ok()).await?;
    s.check(
        "collections/rename",
        rename(&alias, &old),
        s.err(65535, format!("unsupported use an alias to rename collection, alias:{alias}")),
    )
    .await?;
    s.check(
        "collections/rename",
        rename(&new, &alias),
        s.err(65535, format!("cannot rename collection to an existing alias: {alias}")),
    )
    .await?;

    if s.version() >= Version::V2_5 {
        let missing_db = s.name("nodb");
        s.check(
            "collections/rename",
            json!({"collectionName": new, "newCollectionName": old, "newDbName": missing_db}),
            s.err(65535, format!("target database:{missing_db} not found")),
        )
        .await?;
        let db = s.database();
        s.check("databases/create", json!({"dbName": db}), s.ok()).await?;
        s.track_collection(&db, &old);
        s.check(
            "collections/rename",
            json!({"collectionName": new, "newCollectionName": old, "newDbName": db}),
            s.ok(),
        )
        .await?;
        s.check("collections/has", json!({"dbName": db, "collectionName": old}), s.has(true)).await?;
        s.check("collections/has", json!({"collectionName": new}), s.has(false)).await?;
    }
    Ok(())
}

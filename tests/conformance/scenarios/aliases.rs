//! Aliases (part 2 §B): create (idempotent for the same collection, 1601/1602 otherwise), describe, list, alter,
//! drop (idempotent), resolution in other routes, and dropping a collection that has aliases (refused from 2.6).

use serde_json::json;

use crate::harness::{Scn, Step, Version};

pub async fn basics(s: Scn) -> Step {
    let (a, b) = (s.collection(), s.collection());
    s.quick("default", &a).await?;
    s.quick("default", &b).await?;
    let alias = s.alias_in("default");
    let create = |c: &str, al: &str| json!({"collectionName": c, "aliasName": al});
    s.check("aliases/create", create(&a, &alias), s.ok()).await?;
    s.check("aliases/create", create(&a, &alias), s.ok()).await?;
    s.check(
        "aliases/describe",
        json!({"aliasName": alias}),
        s.data(json!({"aliasName": alias, "collectionName": a, "dbName": "default"})),
    )
    .await?;
    if s.version() >= Version::V2_5 {
        s.check("aliases/list", json!({"collectionName": a}), s.data(json!([alias]))).await?;
        s.check("aliases/list", json!({"collectionName": b}), s.data(json!([]))).await?;
    }
    s.check(
        "aliases/create",
        create(&b, &alias),
        s.err(
            1602,
            format!(
                "{alias} is alias to another collection: {a}: alias already exist[database=default][alias={alias}]"
            ),
        ),
    )
    .await?;
    s.check(
        "aliases/create",
        create(&a, &b),
        s.err(1601, format!("alias and collection name conflict[database=default][alias={b}]")),
    )
    .await?;
    // Neither refusal moved the alias.
    s.check(
        "aliases/describe",
        json!({"aliasName": alias}),
        s.data(json!({"aliasName": alias, "collectionName": a, "dbName": "default"})),
    )
    .await?;
    let missing = s.name("c");
    let other_alias = s.alias_in("default");
    s.check(
        "aliases/create",
        create(&missing, &other_alias),
        s.err(100, format!("collection not found[database=default][collection={missing}]")),
    )
    .await?;

    // An alias resolves wherever a collection is looked up by name.
    s.check("collections/has", json!({"collectionName": alias}), s.has(true)).await?;
    s.check("partitions/list", json!({"collectionName": alias}), s.data(json!(["_default"]))).await?;
    s.check("collections/get_load_state", json!({"collectionName": alias}), s.loaded()).await?;
    // Release and load state through the alias act on the collection.
    s.partition("default", &a, "p1").await?;
    s.wait_loaded("default", &a, &["p1"]).await?;
    let parts = |c: &str, ps: &[&str]| json!({"collectionName": c, "partitionNames": ps});
    s.check("partitions/release", parts(&alias, &["p1"]), s.ok()).await?;
    s.check("collections/get_load_state", parts(&alias, &["p1"]), s.partition_not_loaded()).await?;
    s.check("collections/get_load_state", parts(&a, &["p1"]), s.partition_not_loaded()).await?;
    s.check("partitions/release", parts(&alias, &["_default"]), s.ok()).await?;
    s.check("collections/get_load_state", json!({"collectionName": alias}), s.not_loaded()).await?;
    s.check("collections/get_load_state", json!({"collectionName": a}), s.not_loaded()).await?;
    s.check_subset(
        "collections/describe",
        json!({"collectionName": alias}),
        s.data(json!({"collectionName": a, "aliases": [alias]})),
    )
    .await?;
    s.check(
        "collections/drop",
        json!({"collectionName": alias}),
        s.err(65535, format!("cannot drop the collection via alias = {alias}")),
    )
    .await?;
    s.check("collections/has", json!({"collectionName": a}), s.has(true)).await?;

    s.check("aliases/alter", create(&b, &alias), s.ok()).await?;
    s.check(
        "aliases/describe",
        json!({"aliasName": alias}),
        s.data(json!({"aliasName": alias, "collectionName": b, "dbName": "default"})),
    )
    .await?;
    s.check(
        "aliases/alter",
        create(&a, &other_alias),
        s.err(1600, format!("alias not found[database=default][alias={other_alias}]")),
    )
    .await?;
    s.check(
        "aliases/alter",
        create(&missing, &alias),
        s.err(100, format!("collection not found[collection={missing}]")),
    )
    .await?;
    // The alias still names b, and resolves to it.
    s.check_subset("collections/describe", json!({"collectionName": alias}), s.data(json!({"collectionName": b})))
        .await?;
    s.check(
        "aliases/describe",
        json!({"aliasName": other_alias}),
        s.err(1600, format!("alias not found[database=default][alias={other_alias}]")),
    )
    .await?;
    if s.version() >= Version::V2_5 {
        s.check(
            "aliases/list",
            json!({"collectionName": missing}),
            s.err(100, format!("collection not found[collection={missing}]")),
        )
        .await?;
    }
    s.check("aliases/drop", json!({"aliasName": alias}), s.ok()).await?;
    s.check("aliases/drop", json!({"aliasName": alias}), s.ok()).await?;
    // 2.6 dropped the name check of aliases/drop (PR #43064): an invalid name is a missing alias.
    if s.version() >= Version::V2_6 {
        s.check("aliases/drop", json!({"aliasName": "1a"}), s.ok()).await?;
    }
    s.check(
        "aliases/describe",
        json!({"aliasName": alias}),
        s.err(1600, format!("alias not found[database=default][alias={alias}]")),
    )
    .await?;
    Ok(())
}

/// 2.6+ refuses to drop a collection that still has aliases; 2.4/2.5 drop its aliases with it.
pub async fn drop_collection_with_alias(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let alias = s.alias_in("default");
    s.check("aliases/create", json!({"collectionName": c, "aliasName": alias}), s.ok()).await?;
    if s.version() >= Version::V2_6 {
        s.check(
            "collections/drop",
            json!({"collectionName": c}),
            s.err(
                65535,
                format!(
                    "unable to drop the collection [{c}] because it has associated aliases [{alias}], \
                     please remove all aliases before dropping the collection"
                ),
            ),
        )
        .await?;
        s.check("aliases/drop", json!({"aliasName": alias}), s.ok()).await?;
        s.check("collections/drop", json!({"collectionName": c}), s.ok()).await?;
    } else {
        s.check("collections/drop", json!({"collectionName": c}), s.ok()).await?;
        s.check(
            "aliases/describe",
            json!({"aliasName": alias}),
            s.err(1600, format!("alias not found[database=default][alias={alias}]")),
        )
        .await?;
    }
    Ok(())
}

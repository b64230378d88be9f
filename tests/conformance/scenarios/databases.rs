//! Databases (contract §4.1, §6.1; 2.5+): create, duplicate, describe, alter, list, the collections inside, drop
//! (refused for `default` and a non-empty database, idempotent otherwise). 2.4 has no such routes.

use serde_json::json;

use crate::harness::{Scn, Step, list_has, same_names};

pub async fn lifecycle(s: Scn) -> Step {
    let db = s.database();
    let code = s.success_code();
    s.check("databases/create", json!({"dbName": db}), s.ok()).await?;
    s.check("databases/create", json!({"dbName": db}), s.plain_or_invalid(&format!("database already exist: {db}")))
        .await?;
    s.check("databases/create", json!({"dbName": "default"}), s.plain_or_invalid("database already exist: default"))
        .await?;
    s.check_with("databases/list", json!({}), list_has(&["default", &db], &[], code)).await?;
    s.check(
        "databases/describe",
        json!({"dbName": db}),
        s.data(json!({"dbID": "{int}", "dbName": db, "properties": []})),
    )
    .await?;
    // Property values become strings with Go's %v.
    let properties = json!({"database.max.collections": 100, "database.force.deny.writing": false});
    s.check("databases/alter", json!({"dbName": db, "properties": properties}), s.ok()).await?;
    s.check_with("databases/describe", json!({"dbName": db}), |v| {
        let mut props: Vec<(String, String)> = v["data"]["properties"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| (p["key"].as_str().unwrap_or("").to_string(), p["value"].as_str().unwrap_or("").to_string()))
            .collect();
        props.sort();
        let expected = [
            ("database.force.deny.writing".to_string(), "false".to_string()),
            ("database.max.collections".to_string(), "100".to_string()),
        ];
        if v["code"] == json!(code) && v["data"]["dbName"] == json!(db) && props == expected {
            Ok(())
        } else {
            Err(format!("expected the properties {expected:?} in any order"))
        }
    })
    .await?;

    // Collections live in their database.
    s.check("collections/list", json!({"dbName": db}), s.data(json!([]))).await?;
    let c = s.collection_in(&db);
    s.quick(&db, &c).await?;
    s.check_with("collections/list", json!({"dbName": db}), same_names(&[&c], code)).await?;
    s.check("collections/has", json!({"dbName": db, "collectionName": c}), s.has(true)).await?;
    s.check("collections/has", json!({"collectionName": c}), s.has(false)).await?;
    // The DB-Name header stands in for a missing dbName; a dbName in the body wins over it (§2 step 4).
    let has = format!("{{\"collectionName\": \"{c}\"}}");
    s.check_raw("collections/has", &has, &[("DB-Name", db.as_str())], s.has(true)).await?;
    let has_default = format!("{{\"dbName\": \"default\", \"collectionName\": \"{c}\"}}");
    s.check_raw("collections/has", &has_default, &[("DB-Name", db.as_str())], s.has(false)).await?;
    // An empty dbName is no dbName: the header applies.
    let has_empty = format!("{{\"dbName\": \"\", \"collectionName\": \"{c}\"}}");
    s.check_raw("collections/has", &has_empty, &[("DB-Name", db.as_str())], s.has(true)).await?;
    s.check("partitions/list", json!({"dbName": db, "collectionName": c}), s.data(json!(["_default"]))).await?;
    // The header picks the database of a call that changes state too.
    let release = format!("{{\"collectionName\": \"{c}\", \"partitionNames\": [\"_default\"]}}");
    s.check_raw("partitions/release", &release, &[("DB-Name", db.as_str())], s.ok()).await?;
    s.check("collections/get_load_state", json!({"dbName": db, "collectionName": c}), s.not_loaded()).await?;
    s.check(
        "collections/describe",
        json!({"collectionName": c}),
        s.err(100, format!("can't find collection[database=default][collection={c}]")),
    )
    .await?;

    s.check(
        "databases/drop",
        json!({"dbName": db}),
        s.plain_or_invalid(&format!("database:{db} not empty, must drop all collections before drop database")),
    )
    .await?;
    s.check("databases/drop", json!({"dbName": "default"}), s.plain_or_invalid("can not drop default database"))
        .await?;
    s.check("collections/drop", json!({"dbName": db, "collectionName": c}), s.ok()).await?;
    s.check("databases/drop", json!({"dbName": db}), s.ok()).await?;
    s.check("databases/describe", json!({"dbName": db}), s.err(800, format!("database not found[database={db}]")))
        .await?;
    s.check_with("databases/list", json!({}), list_has(&["default"], &[&db], code)).await?;
    Ok(())
}

/// 2.6+: `alter_properties` (the `alter` handler) and `drop_properties`.
pub async fn property_routes(s: Scn) -> Step {
    let db = s.database();
    s.check("databases/create", json!({"dbName": db, "properties": {"database.max.collections": 10}}), s.ok()).await?;
    // Properties given at create time show as strings too.
    s.check(
        "databases/describe",
        json!({"dbName": db}),
        s.data(json!({"dbID": "{int}", "dbName": db,
            "properties": [{"key": "database.max.collections", "value": "10"}]})),
    )
    .await?;
    s.check(
        "databases/alter_properties",
        json!({"dbName": db, "properties": {"database.max.collections": 20}}),
        s.ok(),
    )
    .await?;
    s.check(
        "databases/describe",
        json!({"dbName": db}),
        s.data(json!({"dbID": "{int}", "dbName": db,
            "properties": [{"key": "database.max.collections", "value": "20"}]})),
    )
    .await?;
    s.check("databases/drop_properties", json!({"dbName": db, "propertyKeys": ["database.max.collections"]}), s.ok())
        .await?;
    s.check(
        "databases/describe",
        json!({"dbName": db}),
        s.data(json!({"dbID": "{int}", "dbName": db, "properties": []})),
    )
    .await?;
    s.check("databases/drop", json!({"dbName": db}), s.ok()).await?;
    Ok(())
}

/// 2.4 has no `databases/*` routes: gin's plain-text 404.
pub async fn routes_absent_in_2_4(s: Scn) -> Step {
    for route in ["databases/list", "databases/create"] {
        let resp = s.post_raw(route, "{}", &[]).await?;
        let outcome = if resp.status == 404 && resp.text == "404 page not found" {
            Ok(())
        } else {
            Err(format!("expected HTTP 404 `404 page not found`, got HTTP {} {}", resp.status, resp.text))
        };
        s.record(route, outcome);
    }
    Ok(())
}

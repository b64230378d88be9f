//! Name rules (contract §8): collections and aliases (1100, two spaces after the first period), partitions (65535
//! in 2.4-2.6, 1100 with `: invalid parameter` in master; a digit may come first; `-` from 2.5), databases (802).

use serde_json::json;

use crate::harness::{Scn, Step, Version};

fn collection_error(s: &Scn, name: &str, reason: &str) -> serde_json::Value {
    s.err(1100, format!("Invalid collection name: {name}.  {reason}: invalid parameter"))
}

const FIRST: &str = "the first character of a collection name must be an underscore or letter";
const OTHER: &str = "collection name can only contain numbers, letters and underscores";
const LENGTH: &str = "the length of a collection name must be less than 255 characters";

pub async fn collection_names(s: Scn) -> Step {
    // The REST quick-setup checks come before the proxy's name rules.
    s.check(
        "collections/create",
        json!({"collectionName": "1abc"}),
        s.err(
            1100,
            "dimension is required for quickly create collection(default metric type: COSINE): \
             invalid parameter[expected=collectionName & dimension][actual=collectionName]",
        ),
    )
    .await?;
    let long = format!("a{}", "b".repeat(255));
    for (name, reason) in [("1abc", FIRST), ("a-b", OTHER), ("a b", OTHER), (long.as_str(), LENGTH)] {
        let expected = collection_error(&s, name, reason);
        s.check("collections/create", json!({"collectionName": name, "dimension": 5}), expected.clone()).await?;
        s.check("collections/describe", json!({"collectionName": name}), expected.clone()).await?;
        s.check("collections/has", json!({"collectionName": name}), expected.clone()).await?;
        s.check("collections/get_load_state", json!({"collectionName": name}), expected.clone()).await?;
        s.check("collections/drop", json!({"collectionName": name}), expected.clone()).await?;
        s.check("partitions/create", json!({"collectionName": name, "partitionName": "p"}), expected.clone()).await?;
        s.check("partitions/release", json!({"collectionName": name, "partitionNames": ["p"]}), expected).await?;
    }
    // Exactly 255 bytes is allowed.
    let base = s.name("c");
    let exact = format!("{base}{}", "x".repeat(255 - base.len()));
    s.track_collection("default", &exact);
    s.check("collections/create", json!({"collectionName": exact, "dimension": 5}), s.ok()).await?;
    s.check("collections/has", json!({"collectionName": exact}), s.has(true)).await?;
    s.check("collections/drop", json!({"collectionName": exact}), s.ok()).await?;
    Ok(())
}

/// 2.4/2.5 trim a collection name before the rules, so an all-blank name is empty (§8.1; 2.6 is UNCONFIRMED).
pub async fn collection_name_trimmed(s: Scn) -> Step {
    let expected = s.err(1100, "collection name should not be empty: invalid parameter");
    s.check("collections/describe", json!({"collectionName": "   "}), expected).await?;
    Ok(())
}

/// Master does not trim: a leading blank breaks the first-character rule (§8.1).
pub async fn collection_name_not_trimmed(s: Scn) -> Step {
    let expected = collection_error(&s, " abc", FIRST);
    s.check("collections/describe", json!({"collectionName": " abc"}), expected).await?;
    Ok(())
}

fn partition_error(s: &Scn, name: &str, reason: &str) -> serde_json::Value {
    s.plain_or_invalid(&format!("Invalid partition name: {name}. {reason}"))
}

pub async fn partition_names(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let part = |p: &str| json!({"collectionName": c, "partitionName": p});
    let first = "The first character of a partition name must be an underscore or letter.";
    let other = "Partition name can only contain numbers, letters and underscores.";
    let length = "The length of a partition name must be less than 255 characters.";
    // A digit first is legal, whatever the message says (#32998).
    s.check("partitions/create", part("1p"), s.ok()).await?;
    if s.version() >= Version::V2_5 {
        s.check("partitions/create", part("p-1"), s.ok()).await?;
    } else {
        s.check("partitions/create", part("p-1"), partition_error(&s, "p-1", other)).await?;
    }
    s.check("partitions/create", part("-p"), partition_error(&s, "-p", first)).await?;
    s.check("partitions/create", part("p 1"), partition_error(&s, "p 1", other)).await?;
    s.check("partitions/create", part("p$"), partition_error(&s, "p$", other)).await?;
    let long = "p".repeat(256);
    s.check("partitions/create", part(&long), partition_error(&s, &long, length)).await?;
    // Partition names are trimmed in every version: blanks only are an empty name.
    s.check("partitions/create", part("   "), partition_error(&s, "", "Partition name should not be empty.")).await?;
    // The legal names were created, the refused ones were not.
    let created =
        if s.version() >= Version::V2_5 { json!(["_default", "1p", "p-1"]) } else { json!(["_default", "1p"]) };
    s.check("partitions/list", json!({"collectionName": c}), s.data(created)).await?;
    s.check("partitions/drop", part("-p"), partition_error(&s, "-p", first)).await?;
    s.check("partitions/has", part("-p"), partition_error(&s, "-p", first)).await?;
    // has checks the partition name before it looks the collection up.
    let missing = s.name("c");
    s.check(
        "partitions/has",
        json!({"collectionName": missing, "partitionName": "-p"}),
        partition_error(&s, "-p", first),
    )
    .await?;
    // create and drop look the collection up before they check the partition name.
    let missing_coll = s.err(100, format!("collection not found[database=default][collection={missing}]"));
    s.check("partitions/create", json!({"collectionName": missing, "partitionName": "-p"}), missing_coll.clone())
        .await?;
    s.check("partitions/drop", json!({"collectionName": missing, "partitionName": "-p"}), missing_coll).await?;
    // An empty name never reaches the rules: binding answers 1802.
    s.check("partitions/create", part(""), s.missing(&[("PartitionReq", "PartitionName")])).await?;
    Ok(())
}

pub async fn database_names(s: Scn) -> Step {
    let long = format!("d{}", "b".repeat(255));
    let cases = [
        ("1db", "the first character of a database name must be an underscore or letter"),
        ("a-b", "database name can only contain numbers, letters and underscores"),
        ("test db", "database name can only contain numbers, letters and underscores"),
        // Database names are not trimmed.
        (" ", "the first character of a database name must be an underscore or letter"),
        (long.as_str(), "the length of a database name must be less than 255 characters"),
    ];
    for (name, reason) in cases {
        let expected = s.err(802, format!("{reason}: invalid database name[database={name}]"));
        s.check("databases/create", json!({"dbName": name}), expected.clone()).await?;
        s.check("databases/drop", json!({"dbName": name}), expected).await?;
    }
    s.check("databases/create", json!({"dbName": ""}), s.missing(&[("DatabaseReqWithProperties", "DbName")])).await?;
    s.check("databases/describe", json!({}), s.missing(&[("DatabaseReqRequiredName", "DbName")])).await?;
    s.check("databases/drop", json!({}), s.missing(&[("DatabaseReqRequiredName", "DbName")])).await?;
    // Exactly 255 bytes is allowed.
    let base = s.name("db");
    let exact = format!("{base}{}", "x".repeat(255 - base.len()));
    s.track_database(&exact);
    s.check("databases/create", json!({"dbName": exact}), s.ok()).await?;
    s.check(
        "databases/describe",
        json!({"dbName": exact}),
        s.data(json!({"dbID": "{int}", "dbName": exact, "properties": []})),
    )
    .await?;
    s.check("databases/drop", json!({"dbName": exact}), s.ok()).await?;
    Ok(())
}

pub async fn alias_names(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let expected = s.err(
        1100,
        "Invalid collection alias: 1a.  the first character of a collection alias must be an underscore or letter: invalid parameter",
    );
    s.check("aliases/create", json!({"collectionName": c, "aliasName": "1a"}), expected).await?;
    Ok(())
}

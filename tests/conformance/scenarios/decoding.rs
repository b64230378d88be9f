//! Body binding (contract §2 step 3): 1801 for bodies that are not JSON of the right shape, with Go's own error
//! text; 1802 for `binding:"required"` failures with the validator's lines; and the leniency of Go's decoder
//! (unknown keys ignored, case-insensitive keys, trailing bytes ignored, `Content-Type` ignored).

use serde_json::json;

use crate::harness::{Scn, Step};

const EMPTY: &str = "can only accept json format request, the request body should be nil, however {} is valid";

fn bad_json(s: &Scn, go_error: &str) -> serde_json::Value {
    s.err(1801, format!("can only accept json format request, error: {go_error}"))
}

pub async fn bad_json_is_1801(s: Scn) -> Step {
    // An empty body is refused even where no field is needed.
    s.check_raw("collections/list", "", &[], s.err(1801, EMPTY)).await?;
    s.check_raw("collections/list", "  \n", &[], s.err(1801, EMPTY)).await?;
    s.check_raw("partitions/release", "", &[], s.err(1801, EMPTY)).await?;
    s.check_raw("collections/has", "x", &[], bad_json(&s, "invalid character 'x' looking for beginning of value"))
        .await?;
    s.check_raw("collections/has", "{\"collectionName\":", &[], bad_json(&s, "unexpected EOF")).await?;
    s.check_raw(
        "collections/describe",
        "{\"collectionName\": 1}",
        &[],
        bad_json(
            &s,
            "json: cannot unmarshal number into Go struct field CollectionNameReq.collectionName of type string",
        ),
    )
    .await?;
    s.check_raw(
        "partitions/release",
        "{\"collectionName\": \"c\", \"partitionNames\": \"p\"}",
        &[],
        bad_json(
            &s,
            "json: cannot unmarshal string into Go struct field PartitionsReq.partitionNames of type []string",
        ),
    )
    .await?;
    s.check_raw(
        "collections/describe",
        "[]",
        &[],
        bad_json(&s, "json: cannot unmarshal array into Go value of type httpserver.CollectionNameReq"),
    )
    .await?;
    s.check_raw(
        "partitions/release",
        "[\"_default\"]",
        &[],
        bad_json(&s, "json: cannot unmarshal array into Go value of type httpserver.PartitionsReq"),
    )
    .await?;
    s.check_raw(
        "partitions/release",
        "{\"collectionName\": 1, \"partitionNames\": [\"_default\"]}",
        &[],
        bad_json(&s, "json: cannot unmarshal number into Go struct field PartitionsReq.collectionName of type string"),
    )
    .await?;
    Ok(())
}

pub async fn missing_fields_are_1802(s: Scn) -> Step {
    let release = s.missing(&[("PartitionsReq", "CollectionName"), ("PartitionsReq", "PartitionNames")]);
    s.check("partitions/release", json!({}), release.clone()).await?;
    // `null` decodes to an empty struct and reaches the required check.
    s.check_raw("partitions/release", "null", &[], release).await?;
    let describe = s.missing(&[("CollectionNameReq", "CollectionName")]);
    s.check("collections/describe", json!({}), describe.clone()).await?;
    s.check("collections/describe", json!({"collectionName": ""}), describe.clone()).await?;
    s.check("collections/describe", json!({"collectionName": null}), describe.clone()).await?;
    s.check("collections/get_load_state", json!({"partitionNames": ["_default"]}), describe).await?;
    s.check("partitions/create", json!({"collectionName": "c"}), s.missing(&[("PartitionReq", "PartitionName")]))
        .await?;
    s.check("partitions/load", json!({"partitionNames": ["p"]}), s.missing(&[("PartitionsReq", "CollectionName")]))
        .await?;
    s.check("collections/create", json!({"dimension": 5}), s.missing(&[("CollectionReq", "CollectionName")])).await?;
    s.check("indexes/create", json!({"collectionName": "c"}), s.missing(&[("IndexParamReq", "IndexParams")])).await?;
    s.check("indexes/describe", json!({"collectionName": "c"}), s.missing(&[("IndexReq", "IndexName")])).await?;
    s.check("indexes/drop", json!({"collectionName": "c"}), s.missing(&[("IndexReq", "IndexName")])).await?;
    s.check("aliases/describe", json!({}), s.missing(&[("AliasReq", "AliasName")])).await?;
    s.check("aliases/drop", json!({}), s.missing(&[("AliasReq", "AliasName")])).await?;
    s.check("aliases/create", json!({"collectionName": "c"}), s.missing(&[("AliasCollectionReq", "AliasName")]))
        .await?;
    Ok(())
}

pub async fn lenient_binding(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    // Keys match case-insensitively, unknown keys are ignored, bytes after the first value are ignored, and the
    // body is JSON whatever Content-Type says.
    s.check_raw("collections/has", &format!("{{\"COLLECTIONNAME\": \"{c}\"}}"), &[], s.has(true)).await?;
    s.check("collections/has", json!({"collectionName": c, "noSuchKey": [1, 2]}), s.has(true)).await?;
    s.check_raw("collections/has", &format!("{{\"collectionName\": \"{c}\"}} xyz"), &[], s.has(true)).await?;
    s.check_raw(
        "collections/has",
        &format!("{{\"collectionName\": \"{c}\"}}"),
        &[("Content-Type", "text/plain")],
        s.has(true),
    )
    .await?;
    // Of a repeated key, the last one wins.
    s.check_raw(
        "collections/has",
        &format!("{{\"collectionName\": \"nope\", \"collectionName\": \"{c}\"}}"),
        &[],
        s.has(true),
    )
    .await?;
    // An empty dbName means `default`.
    s.check("collections/has", json!({"dbName": "", "collectionName": c}), s.has(true)).await?;
    Ok(())
}

pub async fn empty_body_of_databases_list(s: Scn) -> Step {
    s.check_raw("databases/list", "", &[], s.err(1801, EMPTY)).await?;
    Ok(())
}

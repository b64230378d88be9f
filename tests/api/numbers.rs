//! Numbers in request bodies, read as Go's `encoding/json` reads them into Milvus's request structs: an integer
//! field's type error quotes the literal as written; an `interface{}` (`defaultValue`, `params`) holds a
//! `float64`, refuses a number beyond its range, and describe prints the default value converted the way
//! `convertDefaultValue` (`internal/distributed/proxy/httpserver/utils.go`) converts it.

use serde_json::{Value, json};

use crate::helpers::*;

fn bad_json(go_error: &str) -> Value {
    json!({"code": 1801, "message": format!("can only accept json format request, error: {go_error}")})
}

#[tokio::test]
async fn an_integer_field_s_type_error_quotes_the_number_as_written() {
    let app = spawn_app().await;

    for literal in ["1e1", "1E+01", "5.0", "2147483648", "1e400"] {
        let body = format!(r#"{{"collectionName":"q","dimension":{literal}}}"#);
        let answer = app.post_raw("/collections/create", body, &[]).await;

        assert_eq!(
            answer.body,
            bad_json(&format!(
                "json: cannot unmarshal number {literal} into Go struct field CollectionReq.dimension of type int32"
            ))
            .to_string()
        );
    }
}

/// `custom_schema("docs")` as text, with more fields (given as JSON text, so numbers keep their literal form).
fn schema_with_fields(fields: &str) -> String {
    let base = custom_schema("docs").to_string();
    // `fields` is the schema's only list.
    let end = base.rfind(']').expect("the field list");
    format!("{},{fields}{}", &base[..end], &base[end..])
}

#[tokio::test]
async fn describe_shows_default_values_as_go_converts_the_float64_it_decoded() {
    let app = spawn_app().await;
    let fields = r#"
        {"fieldName":"long","dataType":"Int64","defaultValue":1e3},
        {"fieldName":"int","dataType":"Int32","defaultValue":-2.9},
        {"fieldName":"huge","dataType":"Int64","defaultValue":9007199254740993},
        {"fieldName":"double","dataType":"Double","defaultValue":1.0},
        {"fieldName":"tiny","dataType":"Double","defaultValue":1.5e-7},
        {"fieldName":"big","dataType":"Double","defaultValue":1e21},
        {"fieldName":"float","dataType":"Float","defaultValue":0.1},
        {"fieldName":"flag","dataType":"Bool","defaultValue":true},
        {"fieldName":"name","dataType":"VarChar","defaultValue":"x","elementTypeParams":{"max_length":"8"}}"#;
    let created = app.post_raw("/collections/create", schema_with_fields(fields), &[]).await;
    assert_eq!(created.body, success().to_string());

    let answer = app.post_raw("/collections/describe", r#"{"collectionName":"docs"}"#, &[]).await;

    let described: Value = serde_json::from_str(&answer.body).unwrap();
    let mut expected = custom_schema_description(&collection_id(&described), "docs");
    let defaults = [
        ("long", "Int64", json!({"LongData": 1000})),
        ("int", "Int32", json!({"IntData": -2})),
        ("huge", "Int64", json!({"LongData": 9007199254740992_i64})),
        ("double", "Double", json!({"DoubleData": 1})),
        ("tiny", "Double", json!({"DoubleData": 1.5e-7})),
        ("big", "Double", json!({"DoubleData": 1e21})),
        ("float", "Float", json!({"FloatData": 0.1})),
        ("flag", "Bool", json!({"BoolData": true})),
        ("name", "VarChar", json!({"StringData": "x"})),
    ];
    let listed = expected["data"]["fields"].as_array_mut().unwrap();
    for (i, (name, data_type, data)) in defaults.into_iter().enumerate() {
        let mut field = json!({"autoId": false, "clusteringKey": false, "defaultValue": {"Data": data},
            "description": "", "id": 103 + i, "name": name, "nullable": false, "partitionKey": false,
            "primaryKey": false, "type": data_type});
        if name == "name" {
            field["params"] = json!([{"key": "max_length", "value": "8"}]);
        }
        listed.push(field);
    }
    assert_eq!(described, expected);
    // The bytes, as Go's encoding/json writes these numbers (no `1000.0`, `1e21` or `0.10000000149011612`).
    for go in [
        r#"{"LongData":1000}"#,
        r#"{"IntData":-2}"#,
        r#"{"LongData":9007199254740992}"#,
        r#"{"DoubleData":1}"#,
        r#"{"DoubleData":1.5e-7}"#,
        r#"{"DoubleData":1e+21}"#,
        r#"{"FloatData":0.1}"#,
    ] {
        assert!(answer.body.contains(go), "{go} in {}", answer.body);
    }
}

#[tokio::test]
async fn a_default_value_beyond_float64_is_go_s_type_error() {
    let app = spawn_app().await;

    let answer = app
        .post_raw(
            "/collections/create",
            schema_with_fields(r#"{"fieldName":"d","dataType":"Double","defaultValue":1e400}"#),
            &[],
        )
        .await;

    assert_eq!(
        answer.body,
        bad_json(
            "json: cannot unmarshal number 1e400 into Go struct field FieldSchema.schema.fields.defaultValue of type float64"
        )
        .to_string()
    );
    let (_, has) = app.post("/collections/has", json!({"collectionName": "docs"})).await;
    assert_eq!(has, json!({"code": 0, "data": {"has": false}}));
}

#[tokio::test]
async fn a_param_beyond_float64_is_go_s_type_error_naming_the_map_field() {
    let app = spawn_app().await;

    let answer = app
        .post_raw(
            "/collections/create",
            r#"{"collectionName":"q","dimension":4,"params":{"ttlSeconds":[1,-1e400]}}"#,
            &[],
        )
        .await;

    assert_eq!(
        answer.body,
        bad_json("json: cannot unmarshal number -1e400 into Go struct field CollectionReq.params of type float64")
            .to_string()
    );
}

#[tokio::test]
async fn params_read_as_float64_print_as_go_s_percent_v() {
    let app = spawn_app().await;
    let body = r#"{"collectionName":"q","dimension":4,"params":{"ttlSeconds":36e2,"shardsNum":2.0}}"#;
    assert_eq!(app.post_raw("/collections/create", body, &[]).await.body, success().to_string());

    let described = app.describe("q").await;

    assert_eq!(described["data"]["properties"], json!([{"key": "collection.ttl.seconds", "value": "3600"}]));
    assert_eq!(described["data"]["shardsNum"], json!(2));
}

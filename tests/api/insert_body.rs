//! The insert/upsert body's fast path (`src/api/data_body.rs`): the top level is scanned, `data` is parsed once by
//! the rows' parser, and a malformed `data` is bound again by Go's rules. Every answer here is the one the mock gave
//! before that path existed (recorded from the binary at e5f6f81), whole bodies over real HTTP.

use serde_json::{Value, json};

use crate::helpers::*;

/// A quick-setup collection `c` (`id` Int64, `vector` dim 2, dynamic fields, loaded).
async fn quick() -> TestApp {
    let app = spawn_app().await;
    app.ok("/collections/create", json!({"collectionName": "c", "dimension": 2})).await;
    app
}

/// Posts each raw body to `entities/<route>` and compares the whole answer.
async fn answers(app: &TestApp, cases: &[(&str, &str, &str)]) {
    for (route, body, expected) in cases {
        let answer = app.post_raw(&format!("/entities/{route}"), *body, &[]).await.body;
        assert_eq!(answer, *expected, "{route} {body}");
    }
}

/// Every row of `c`, all fields, in the order the mock keeps them.
async fn rows(app: &TestApp) -> Value {
    let body = json!({"collectionName": "c", "filter": "id >= 0", "outputFields": ["*"], "limit": 100});
    app.post("/entities/query", body).await.1
}

/// `1801` with Go's syntax error text.
fn bad_json(go_error: &str) -> String {
    json!({"code": 1801, "message": format!("can only accept json format request, error: {go_error}")}).to_string()
}

const NOPE: &str = r#"{"code":100,"message":"can't find collection[database=default][collection=nope]"}"#;

#[tokio::test]
async fn malformed_data_answers_the_binding_error_before_any_lookup_and_writes_nothing() {
    let app = quick().await;
    let after_element = bad_json("invalid character '}' after array element");
    let cases: &[(&str, &str, &str)] = &[
        // A collection that does not exist, one that does, none at all: the syntax error first.
        ("insert", r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        ("insert", r#"{"collectionName":"c","data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        ("insert", r#"{"data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        ("insert", r#"{"partitionName":"p","collectionName":"nope","data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        ("upsert", r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        ("upsert", r#"{"collectionName":"c","partialUpdate":true,"data":[{"id":1,"vector":[1,2}]}"#, &after_element),
        // Errors serde and Go both see, worded as Go does.
        (
            "insert",
            r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2]},]}"#,
            &bad_json("invalid character ']' looking for beginning of value"),
        ),
        (
            "insert",
            r#"{"collectionName":"nope","data":[{"id":01,"vector":[1,2]}]}"#,
            &bad_json("invalid character '1' after object key:value pair"),
        ),
        (
            "insert",
            r#"{"collectionName":"nope","partitionName":"p","data":[{"id":1,"vector":[1,2],"s":"a\qb"}]}"#,
            &bad_json("invalid character 'q' in string escape code"),
        ),
        (
            "insert",
            "{\"collectionName\":\"nope\",\"data\":[{\"id\":1,\"vector\":[1,2],\"s\":\"\t\"}]}",
            &bad_json("invalid character '\\t' in string literal"),
        ),
        // Cut short, or the object never closed.
        ("insert", r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2]}"#, &bad_json("unexpected EOF")),
        (
            "insert",
            r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2]}] x"#,
            &bad_json("invalid character 'x' after object key:value pair"),
        ),
        (
            "insert",
            r#"{"collectionName":"c","data":[{"id":1,"vector":[1,2]}],}"#,
            &bad_json("invalid character '}' looking for beginning of object key string"),
        ),
    ];
    answers(&app, cases).await;
    assert_eq!(rows(&app).await, json!({"code": 0, "cost": 0, "data": []}));
}

#[tokio::test]
async fn keys_in_any_order_blanks_and_brackets_or_quotes_inside_strings() {
    let app = quick().await;
    let cases = [
        (
            "insert",
            r#"{"data":[{"id":1,"vector":[0.5,1]}],"collectionName":"c"}"#,
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[1]}}"#,
        ),
        (
            "insert",
            " \n{ \"collectionName\" : \"c\" , \"data\" : [ { \"id\" : 2 , \"vector\" : [ 1 , 2 ] } ] } \r\n",
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[2]}}"#,
        ),
        (
            "insert",
            r#"{"collectionName":"c","data":[{"id":3,"vector":[0.5,1],"k]{\"":"v}[\"\\","x":"]"}]}"#,
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[3]}}"#,
        ),
        (
            "insert",
            r#"{"collectionName":"c]{\"x","data":[{"id":1,"vector":[1,2]}]}"#,
            r#"{"code":100,"message":"can't find collection[database=default][collection=c]{\"x]"}"#,
        ),
        (
            "upsert",
            r#"{"data":[{"id":2,"vector":[0.5,1]}],"collectionName":"c"}"#,
            r#"{"code":0,"cost":0,"data":{"upsertCount":1,"upsertIds":[2]}}"#,
        ),
        (
            "upsert",
            r#"{"collectionName":"c","partialUpdate":true,"data":[{"id":3,"x":"[new]"}]}"#,
            r#"{"code":0,"cost":0,"data":{"upsertCount":1,"upsertIds":[3]}}"#,
        ),
    ];
    answers(&app, &cases).await;
    let expected = json!({"code": 0, "cost": 0, "data": [
        {"id": 1, "vector": [0.5, 1]},
        {"id": 2, "vector": [0.5, 1]},
        {"id": 3, "k]{\"": "v}[\"\\", "vector": [0.5, 1], "x": "[new]"},
    ]});
    assert_eq!(rows(&app).await, expected);
}

#[tokio::test]
async fn unicode_escapes_and_go_only_spellings_read_as_go_reads_them() {
    let app = quick().await;
    let inserted = |id: i64| format!(r#"{{"code":0,"cost":0,"data":{{"insertCount":1,"insertIds":[{id}]}}}}"#);
    let cases = [
        // An escaped name, an escaped key (Go's path), an escaped dynamic key and value.
        (
            "insert",
            r#"{"collectionName":"\u0063","data":[{"id":1,"vector":[0.5,1],"caf\u00e9":"\u00e9\ud83d\ude00"}]}"#,
            inserted(1),
        ),
        ("insert", r#"{"collection\u004eame":"c","data":[{"id":2,"vector":[0.5,1]}]}"#, inserted(2)),
        // A lone surrogate: serde refuses it; Go's binding takes it and stores U+FFFD in its place.
        ("insert", r#"{"collectionName":"c","data":[{"id":3,"vector":[0.5,1],"s":"\ud800"}]}"#, inserted(3)),
        // A key Go ignores, after `data`.
        ("insert", r#"{"collectionName":"c","data":[{"id":4,"vector":[0.5,1]}],"extra":[1]}"#, inserted(4)),
    ];
    for (route, body, expected) in &cases {
        answers(&app, &[(*route, *body, expected.as_str())]).await;
    }
    // Not UTF-8 inside `data`: Go's binding reads the byte as U+FFFD; before any lookup only if malformed.
    let latin1 = b"{\"collectionName\":\"c\",\"data\":[{\"id\":5,\"vector\":[1,2],\"s\":\"caf\xe9\"}]}".to_vec();
    assert_eq!(app.post_raw("/entities/insert", latin1, &[]).await.body, inserted(5));
    let latin1 = b"{\"collectionName\":\"nope\",\"data\":[{\"id\":5,\"vector\":[1,2],\"s\":\"caf\xe9\"}]}".to_vec();
    assert_eq!(app.post_raw("/entities/insert", latin1, &[]).await.body, NOPE);
    let expected = json!({"code": 0, "cost": 0, "data": [
        {"café": "é😀", "id": 1, "vector": [0.5, 1]},
        {"id": 2, "vector": [0.5, 1]},
        {"id": 3, "s": "\u{fffd}", "vector": [0.5, 1]},
        {"id": 4, "vector": [0.5, 1]},
        {"id": 5, "s": "caf\u{fffd}", "vector": [1, 2]},
    ]});
    assert_eq!(rows(&app).await, expected);
}

#[tokio::test]
async fn duplicate_keys_take_the_last_as_go_does() {
    let app = quick().await;
    let cases = [
        (
            "insert",
            r#"{"collectionName":"nope","collectionName":"c","data":[{"id":1,"vector":[0.5,1]}]}"#,
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[1]}}"#,
        ),
        (
            "insert",
            r#"{"collectionName":"c","data":[{"id":2,"vector":[0.5,1]}],"data":[{"id":3,"vector":[0.5,1]}]}"#,
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[3]}}"#,
        ),
        ("insert", r#"{"collectionName":"c","data":[{"id":4,"vector":[0.5,1]}],"CollectionName":"nope"}"#, NOPE),
        (
            "insert",
            r#"{"collectionName":"c","data":[{"id":5,"vector":[1,2],"id":6}]}"#,
            r#"{"code":0,"cost":0,"data":{"insertCount":1,"insertIds":[6]}}"#,
        ),
    ];
    answers(&app, &cases).await;
    let expected = json!({"code": 0, "cost": 0, "data": [
        {"id": 1, "vector": [0.5, 1]},
        {"id": 3, "vector": [0.5, 1]},
        {"id": 6, "vector": [1, 2]},
    ]});
    assert_eq!(rows(&app).await, expected);
}

#[tokio::test]
async fn data_that_is_not_a_list_answers_as_before() {
    let app = quick().await;
    let cases: &[(&str, &str, &str)] = &[
        (
            "insert",
            r#"{"collectionName":"c","data":null}"#,
            &*missing_required(&[required("CollectionDataReq", "Data")]).to_string(),
        ),
        (
            "insert",
            r#"{"collectionName":"c","data":{}}"#,
            &*bad_json(
                "json: cannot unmarshal object into Go struct field CollectionDataReq.data of type []map[string]interface {}",
            ),
        ),
        ("insert", r#"{"collectionName":"nope","data":{}}"#, NOPE),
        ("insert", r#"{"collectionName":"nope","data":"x"}"#, NOPE),
        (
            "insert",
            r#"{"collectionName":"c","data":[[1]]}"#,
            &*bad_json(
                "json: cannot unmarshal array into Go struct field CollectionDataReq.data of type map[string]interface {}",
            ),
        ),
        // Go's decoder reads the first value and leaves what follows it.
        ("insert", r#"{"collectionName":"nope","data":[{"id":1,"vector":[1,2]}]} x"#, NOPE),
    ];
    answers(&app, cases).await;
    assert_eq!(rows(&app).await, json!({"code": 0, "cost": 0, "data": []}));
}

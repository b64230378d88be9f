//! The wire (contract §1, §2, §3): the envelope's exact bytes, how bodies are decoded (1801/1802), routing and
//! 404s, CORS, authentication, `Request-Timeout` and the success-code knob.

use milvus_mock::{MilvusVersion, MockMilvus};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

const EMPTY_BODY_MESSAGE: &str =
    "can only accept json format request, the request body should be nil, however {} is valid";

const UNAUTHENTICATED: &str = r#"{"code":1800,"message":"user hasn't authenticated"}"#;

fn bad_json(go_error: &str) -> serde_json::Value {
    json!({"code": 1801, "message": format!("can only accept json format request, error: {go_error}")})
}

fn release_required(fields: &[&str]) -> serde_json::Value {
    let lines: Vec<String> = fields.iter().map(|f| required("PartitionsReq", f)).collect();
    missing_required(&lines)
}

async fn decode(app: &TestApp, path: &str, body: &str) -> serde_json::Value {
    let raw = app.post_raw(path, body.to_string(), &[]).await;
    assert_eq!(raw.status, StatusCode::OK, "{path} {body:?}: {}", raw.body);
    serde_json::from_str(&raw.body).expect("a JSON body")
}

// ---- the envelope (§1.2, §1.3, §1.5) ----

#[tokio::test]
async fn success_is_exactly_code_0_and_empty_data_without_trailing_newline() {
    let app = spawn_app().await;

    let raw = app.post_raw("/databases/create", r#"{"dbName":"analytics"}"#, &[]).await;

    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.body, r#"{"code":0,"data":{}}"#);
    assert_eq!(raw.header("content-type"), Some("application/json; charset=utf-8"));
    let (_, list) = app.post("/databases/list", json!({})).await;
    assert_eq!(sorted(list), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn load_state_keys_come_out_in_alphabetical_order_with_a_message() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let raw = app.post_raw("/collections/get_load_state", r#"{"collectionName":"quick_setup"}"#, &[]).await;

    assert_eq!(raw.body, r#"{"code":0,"data":{"loadProgress":100,"loadState":"LoadStateLoaded"},"message":""}"#);
}

#[tokio::test]
async fn load_state_of_a_released_collection_has_no_progress_and_no_message() {
    let app = spawn_app().await;
    app.create_collection_without_index("docs").await;

    let raw = app.post_raw("/collections/get_load_state", r#"{"collectionName":"docs"}"#, &[]).await;

    assert_eq!(raw.body, r#"{"code":0,"data":{"loadState":"LoadStateNotLoad"}}"#);
}

#[tokio::test]
async fn describe_always_carries_a_message_after_data() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let raw = app.post_raw("/collections/describe", r#"{"collectionName":"quick_setup"}"#, &[]).await;

    assert!(raw.body.starts_with(r#"{"code":0,"data":{"aliases":[],"autoId":false,"collectionID":"#), "{}", raw.body);
    assert!(raw.body.ends_with(r#""shardsNum":1},"message":""}"#), "{}", raw.body);
}

#[tokio::test]
async fn an_error_has_code_and_message_and_no_data() {
    let app = spawn_app().await;

    let raw = app.post_raw("/collections/load", r#"{"collectionName":"nope"}"#, &[]).await;

    assert_eq!(raw.status, StatusCode::OK);
    assert_eq!(raw.body, r#"{"code":100,"message":"collection not found[database=default][collection=nope]"}"#);
    assert_eq!(raw.header("content-type"), Some("application/json; charset=utf-8"));
}

#[tokio::test]
async fn html_characters_in_echoed_names_are_escaped_like_go() {
    let app = spawn_app().await;

    let raw = app.post_raw("/collections/describe", r#"{"collectionName":"a<b>&c"}"#, &[]).await;

    assert_eq!(
        raw.body,
        r#"{"code":1100,"message":"Invalid collection name: a\u003cb\u003e\u0026c.  collection name can only contain numbers, letters and underscores: invalid parameter"}"#
    );
}

#[tokio::test]
async fn list_answers_are_never_null() {
    let app = spawn_app().await;

    let raw = app.post_raw("/collections/list", "{}", &[]).await;

    assert_eq!(raw.body, r#"{"code":0,"data":[]}"#);
}

// ---- decoding (§2 step 3) ----

#[tokio::test]
async fn an_empty_body_returns_code_1801() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = decode(&app, "/partitions/release", "").await;

    assert_eq!(body, json!({"code": 1801, "message": EMPTY_BODY_MESSAGE}));
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn a_whitespace_body_returns_code_1801() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", " \n\t ").await;

    assert_eq!(body, json!({"code": 1801, "message": EMPTY_BODY_MESSAGE}));
}

#[tokio::test]
async fn an_empty_body_is_refused_even_by_routes_without_fields() {
    let app = spawn_app().await;

    let databases = decode(&app, "/databases/list", "").await;
    let collections = decode(&app, "/collections/list", "").await;

    assert_eq!(databases, json!({"code": 1801, "message": EMPTY_BODY_MESSAGE}));
    assert_eq!(collections, json!({"code": 1801, "message": EMPTY_BODY_MESSAGE}));
}

#[tokio::test]
async fn malformed_json_returns_code_1801_with_go_text() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", "xyz").await;

    assert_eq!(body, bad_json("invalid character 'x' looking for beginning of value"));
}

#[tokio::test]
async fn truncated_json_returns_code_1801_unexpected_eof() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":"#).await;

    assert_eq!(body, bad_json("unexpected EOF"));
}

#[tokio::test]
async fn a_number_for_a_string_field_returns_code_1801() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":1,"partitionNames":["_default"]}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal number into Go struct field PartitionsReq.collectionName of type string")
    );
}

#[tokio::test]
async fn a_string_for_a_list_field_returns_code_1801() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":"c","partitionNames":"_default"}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal string into Go struct field PartitionsReq.partitionNames of type []string")
    );
}

#[tokio::test]
async fn a_number_for_a_collection_name_in_describe_names_collection_name_req() {
    let app = spawn_app().await;

    let body = decode(&app, "/collections/describe", r#"{"collectionName":1}"#).await;

    assert_eq!(
        body,
        bad_json("json: cannot unmarshal number into Go struct field CollectionNameReq.collectionName of type string")
    );
}

#[tokio::test]
async fn a_top_level_array_returns_code_1801() {
    let app = spawn_app().await;

    let release = decode(&app, "/partitions/release", r#"["_default"]"#).await;
    let describe = decode(&app, "/collections/describe", "[]").await;

    assert_eq!(release, bad_json("json: cannot unmarshal array into Go value of type httpserver.PartitionsReq"));
    assert_eq!(describe, bad_json("json: cannot unmarshal array into Go value of type httpserver.CollectionNameReq"));
}

#[tokio::test]
async fn a_missing_collection_name_in_get_load_state_names_collection_name_req() {
    let app = spawn_app().await;

    let body = decode(&app, "/collections/get_load_state", r#"{"partitionNames":["_default"]}"#).await;

    assert_eq!(body, missing_required(&[required("CollectionNameReq", "CollectionName")]));
}

#[tokio::test]
async fn a_missing_collection_name_returns_code_1802() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", r#"{"partitionNames":["_default"]}"#).await;

    assert_eq!(body, release_required(&["CollectionName"]));
}

#[tokio::test]
async fn an_empty_collection_name_returns_code_1802() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":"","partitionNames":["_default"]}"#).await;

    assert_eq!(body, release_required(&["CollectionName"]));
}

#[tokio::test]
async fn missing_partition_names_return_code_1802() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":"quick_setup"}"#).await;

    assert_eq!(body, release_required(&["PartitionNames"]));
    assert_eq!(app.load_state("quick_setup").await, loaded());
}

#[tokio::test]
async fn null_partition_names_return_code_1802() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = decode(&app, "/partitions/release", r#"{"collectionName":"quick_setup","partitionNames":null}"#).await;

    assert_eq!(body, release_required(&["PartitionNames"]));
}

#[tokio::test]
async fn every_missing_field_is_reported_one_per_line() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", "{}").await;

    assert_eq!(body, release_required(&["CollectionName", "PartitionNames"]));
}

#[tokio::test]
async fn a_null_body_reaches_the_required_field_check() {
    let app = spawn_app().await;

    let body = decode(&app, "/partitions/release", "null").await;

    assert_eq!(body, release_required(&["CollectionName", "PartitionNames"]));
}

#[tokio::test]
async fn unknown_keys_are_ignored() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = decode(
        &app,
        "/partitions/release",
        r#"{"collectionName":"quick_setup","partitionNames":["_default"],"replicaNumber":3,"extra":{"a":[1]}}"#,
    )
    .await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn a_text_plain_content_type_is_still_read_as_json() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let raw = app
        .post_raw(
            "/partitions/release",
            r#"{"collectionName":"quick_setup","partitionNames":["_default"]}"#,
            &[("Content-Type", "text/plain")],
        )
        .await;

    assert_eq!(raw.body, r#"{"code":0,"data":{}}"#);
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn trailing_bytes_after_the_json_value_are_ignored() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body =
        decode(&app, "/partitions/release", r#"{"collectionName":"quick_setup","partitionNames":["_default"]} xyz"#)
            .await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn keys_match_case_insensitively() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body =
        decode(&app, "/partitions/release", r#"{"COLLECTIONNAME":"quick_setup","partitionnames":["_default"]}"#).await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

#[tokio::test]
async fn the_last_duplicate_key_wins() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let body = decode(
        &app,
        "/partitions/release",
        r#"{"collectionName":"nope","collectionName":"quick_setup","partitionNames":["_default"]}"#,
    )
    .await;

    assert_eq!(body, success());
    assert_eq!(app.load_state("quick_setup").await, not_loaded());
}

// ---- routing and CORS (§1.1) ----

#[tokio::test]
async fn an_unknown_route_answers_gin_404_text() {
    let app = spawn_app().await;

    let raw = app.post_raw("/partitions/nothing", "{}", &[]).await;

    assert_eq!(raw.status, StatusCode::NOT_FOUND);
    assert_eq!(raw.body, "404 page not found");
    assert_eq!(raw.header("content-type"), Some("text/plain"));
}

/// gin matches Go's `URL.Path`, which is percent-decoded: `%2F` is a `/` and the route is found.
#[tokio::test]
async fn a_percent_encoded_path_is_routed_as_gin_routes_it() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;
    app.create_partition("quick_setup", "january").await;

    let body = r#"{"collectionName":"quick_setup","partitionNames":["january"]}"#;
    let raw = app.post_raw("/partitions%2Frelease", body, &[]).await;
    assert_eq!((raw.status, raw.body.as_str()), (StatusCode::OK, r#"{"code":0,"data":{}}"#));
    assert_partition_not_loaded(&app.partition_load_state("quick_setup", &["january"]).await);
    let raw = app.send(Method::POST, "/v2%2Fvectordb/collections/%6Cist", "{}", &[]).await;
    assert_eq!((raw.status, raw.body.as_str()), (StatusCode::OK, r#"{"code":0,"data":["quick_setup"]}"#));
    let journal = app.milvus.requests();
    assert_eq!(journal.last().unwrap().path, "/v2/vectordb/collections/list");

    // The trailing-slash redirect and the 404 see the decoded path too.
    let raw = app.post_raw("/partitions%2Frelease/", body, &[]).await;
    assert_eq!(raw.status, StatusCode::TEMPORARY_REDIRECT);
    assert_eq!(raw.header("location"), Some("/v2/vectordb/partitions/release"));
    let raw = app.post_raw("/partitions%2Fnothing", "{}", &[]).await;
    assert_eq!((raw.status, raw.body.as_str()), (StatusCode::NOT_FOUND, "404 page not found"));

    // An escape Go's URL parser rejects: its 400 before any routing.
    let raw = app.post_raw("/partitions%zzrelease", body, &[]).await;
    assert_eq!((raw.status, raw.body.as_str()), (StatusCode::BAD_REQUEST, "400 Bad Request"));
    assert_eq!(raw.header("content-type"), Some("text/plain; charset=utf-8"));
}

#[tokio::test]
async fn get_on_a_known_route_answers_404() {
    let app = spawn_app().await;

    let raw = app.send(Method::GET, "/v2/vectordb/collections/list", "", &[]).await;

    assert_eq!(raw.status, StatusCode::NOT_FOUND);
    assert_eq!(raw.body, "404 page not found");
    assert_eq!(raw.header("content-type"), Some("text/plain"));
}

#[tokio::test]
async fn options_answers_204_with_no_body_and_the_cors_headers() {
    let app = spawn_app().await;

    let raw = app.send(Method::OPTIONS, "/v2/vectordb/partitions/release", "", &[]).await;

    assert_eq!(raw.status, StatusCode::NO_CONTENT);
    assert_eq!(raw.body, "");
    assert_cors_headers(&raw);
}

#[tokio::test]
async fn every_answer_carries_the_cors_headers() {
    let app = spawn_app().await;

    let ok = app.post_raw("/collections/list", "{}", &[]).await;
    let not_found = app.post_raw("/nothing", "{}", &[]).await;

    assert_eq!(ok.body, r#"{"code":0,"data":[]}"#);
    assert_cors_headers(&ok);
    assert_eq!(not_found.body, "404 page not found");
    assert_cors_headers(&not_found);
}

fn assert_cors_headers(raw: &RawResponse) {
    assert_eq!(raw.header("access-control-allow-origin"), Some("*"));
    assert_eq!(raw.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(
        raw.header("access-control-allow-headers"),
        Some(
            "Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, accept, origin, Cache-Control, X-Requested-With"
        )
    );
    assert_eq!(raw.header("access-control-allow-methods"), Some("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"));
}

// ---- authentication (§3.1) ----

#[tokio::test]
async fn without_auth_any_authorization_header_is_accepted() {
    let app = spawn_app().await;

    let (_, garbage) = app
        .post_with_headers("/databases/create", json!({"dbName": "analytics"}), &[("Authorization", "garbage")])
        .await;
    let (_, bare_bearer) = app.post_with_headers("/databases/list", json!({}), &[("Authorization", "Bearer ")]).await;

    assert_eq!(garbage, success());
    assert_eq!(sorted(bare_bearer), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn with_auth_a_missing_header_answers_401_code_1800() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/databases/create", r#"{"dbName":"analytics"}"#, &[]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
    assert_eq!(app.milvus.catalog().list_databases(), ["default"]);
}

/// Every route of Milvus 2.6 this mock serves (contract §4, part 2 §A.1 and §B.1).
const ROUTES: &[&str] = &[
    "/databases/create",
    "/databases/drop",
    "/databases/list",
    "/databases/describe",
    "/databases/alter",
    "/databases/alter_properties",
    "/databases/drop_properties",
    "/collections/create",
    "/collections/list",
    "/collections/has",
    "/collections/describe",
    "/collections/get_stats",
    "/collections/get_load_state",
    "/collections/drop",
    "/collections/rename",
    "/collections/load",
    "/collections/refresh_load",
    "/collections/release",
    "/collections/alter_properties",
    "/collections/drop_properties",
    "/partitions/create",
    "/partitions/drop",
    "/partitions/has",
    "/partitions/list",
    "/partitions/get_stats",
    "/partitions/load",
    "/partitions/release",
    "/indexes/create",
    "/indexes/list",
    "/indexes/describe",
    "/indexes/drop",
    "/indexes/alter_properties",
    "/indexes/drop_properties",
    "/aliases/create",
    "/aliases/alter",
    "/aliases/drop",
    "/aliases/describe",
    "/aliases/list",
];

#[tokio::test]
async fn with_auth_every_route_answers_401_without_credentials() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    for route in ROUTES {
        let raw = app.post_raw(route, r#"{"dbName":"default","collectionName":"c"}"#, &[]).await;

        assert_eq!((raw.status, raw.body.as_str()), (StatusCode::UNAUTHORIZED, UNAUTHENTICATED), "{route}");
    }
    assert_eq!(app.milvus.catalog().list_databases(), ["default"]);
}

#[tokio::test]
async fn without_auth_every_route_exists() {
    let app = spawn_app().await;

    for route in ROUTES {
        let raw = app.post_raw(route, "{}", &[]).await;

        assert_eq!(raw.status, StatusCode::OK, "{route}: {}", raw.body);
        let body: serde_json::Value = serde_json::from_str(&raw.body).expect("a JSON body");
        assert!(body["code"].is_i64(), "{route}: {body}");
    }
}

#[tokio::test]
async fn with_auth_a_wrong_password_answers_401() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/databases/list", "{}", &[("Authorization", "Bearer root:wrong")]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
}

#[tokio::test]
async fn with_auth_an_unknown_user_answers_401() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/databases/list", "{}", &[("Authorization", "Bearer mallory:Milvus")]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
}

#[tokio::test]
async fn with_auth_an_empty_bearer_token_answers_401() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/databases/list", "{}", &[("Authorization", "Bearer ")]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
}

#[tokio::test]
async fn with_auth_an_unknown_path_answers_401_before_404() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/nothing/here", "{}", &[]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
}

#[tokio::test]
async fn with_auth_the_credentials_are_checked_before_the_body() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let raw = app.post_raw("/partitions/release", "xyz", &[]).await;

    assert_eq!(raw.status, StatusCode::UNAUTHORIZED);
    assert_eq!(raw.body, UNAUTHENTICATED);
}

#[tokio::test]
async fn with_auth_bearer_root_milvus_is_accepted() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let (status, body) = app
        .post_with_headers("/databases/create", json!({"dbName": "analytics"}), &[("Authorization", ROOT_TOKEN)])
        .await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, success());
    assert_eq!(app.milvus.catalog().list_databases(), ["default", "analytics"]);
}

#[tokio::test]
async fn with_auth_basic_credentials_are_accepted() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    // base64("root:Milvus")
    let (status, body) =
        app.post_with_headers("/databases/list", json!({}), &[("Authorization", "Basic cm9vdDpNaWx2dXM=")]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn with_auth_a_bare_user_colon_password_is_accepted() {
    let app = spawn_with(MockMilvus::builder().auth()).await;

    let (status, body) = app.post_with_headers("/databases/list", json!({}), &[("Authorization", "root:Milvus")]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 0, "data": ["default"]}));
}

#[tokio::test]
async fn with_auth_an_added_user_is_accepted_and_root_still_works() {
    let app = spawn_with(MockMilvus::builder().user("alice", "pw")).await;

    let (_, alice) = app
        .post_with_headers("/databases/create", json!({"dbName": "analytics"}), &[("Authorization", "Bearer alice:pw")])
        .await;
    let (_, root) = app.post_with_headers("/databases/list", json!({}), &[("Authorization", ROOT_TOKEN)]).await;

    assert_eq!(alice, success());
    assert_eq!(sorted(root), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn with_auth_a_password_may_contain_colons() {
    let app = spawn_with(MockMilvus::builder().user("bob", "a:b:c")).await;

    let (status, body) =
        app.post_with_headers("/databases/list", json!({}), &[("Authorization", "Bearer bob:a:b:c")]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 0, "data": ["default"]}));
}

// ---- Request-Timeout (§3.2) ----

#[tokio::test]
async fn an_unparsable_request_timeout_is_ignored_in_2_6() {
    let app = spawn_app().await;

    let (_, abc) =
        app.post_with_headers("/databases/create", json!({"dbName": "analytics"}), &[("Request-Timeout", "abc")]).await;
    let (_, fraction) = app.post_with_headers("/databases/list", json!({}), &[("Request-Timeout", "3.5")]).await;

    assert_eq!(abc, success());
    assert_eq!(sorted(fraction), json!({"code": 0, "data": ["analytics", "default"]}));
}

#[tokio::test]
async fn a_zero_request_timeout_answers_408_code_10001() {
    let app = spawn_app().await;

    let raw = app.post_raw("/collections/list", "{}", &[("Request-Timeout", "0")]).await;

    assert_eq!(raw.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(raw.body, r#"{"code":10001,"message":"request timeout"}"#);
}

#[tokio::test]
async fn a_negative_request_timeout_answers_408() {
    let app = spawn_app().await;

    let raw = app.post_raw("/collections/list", "{}", &[("Request-Timeout", "-5")]).await;

    assert_eq!(raw.status, StatusCode::REQUEST_TIMEOUT);
    assert_eq!(raw.body, r#"{"code":10001,"message":"request timeout"}"#);
}

#[tokio::test]
async fn a_generous_request_timeout_lets_the_call_through() {
    let app = spawn_app().await;

    let (status, body) = app.post_with_headers("/collections/list", json!({}), &[("Request-Timeout", "10")]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"code": 0, "data": []}));
}

#[tokio::test]
async fn master_rejects_an_unparsable_request_timeout_with_code_1100() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V3_0)).await;

    let (status, body) =
        app.post_with_headers("/databases/create", json!({"dbName": "analytics"}), &[("Request-Timeout", "abc")]).await;

    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({"code": 1100, "message": "Request-Timeout parse failed, err: strconv.ParseInt: parsing \"abc\": invalid syntax: invalid parameter"})
    );
    assert_eq!(app.milvus.catalog().list_databases(), ["default"]);
}

// ---- the success-code knob (§1.2, §9) ----

#[tokio::test]
async fn success_code_200_changes_only_successful_answers() {
    let app = spawn_with(MockMilvus::builder().success_code(200)).await;

    let (_, created) = app.post("/databases/create", json!({"dbName": "analytics"})).await;
    let (_, listed) = app.post("/databases/list", json!({})).await;
    let (_, missing) = app.post("/databases/describe", json!({"dbName": "nope"})).await;

    assert_eq!(created, json!({"code": 200, "data": {}}));
    assert_eq!(sorted(listed), json!({"code": 200, "data": ["analytics", "default"]}));
    assert_eq!(missing, json!({"code": 800, "message": "database not found[database=nope]"}));
}

#[tokio::test]
async fn success_code_200_also_applies_to_messages_carrying_answers() {
    let app = spawn_with(MockMilvus::builder().success_code(200)).await;
    app.post("/collections/create", json!({"collectionName": "quick_setup", "dimension": 5})).await;

    let (_, state) = app.post("/collections/get_load_state", json!({"collectionName": "quick_setup"})).await;

    assert_eq!(
        state,
        json!({"code": 200, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
    );
}

#[tokio::test]
async fn success_code_200_works_with_a_version() {
    let app = spawn_with(MockMilvus::builder().milvus_version(MilvusVersion::V2_4).success_code(200)).await;

    let (_, body) = app.post("/collections/list", json!({})).await;

    assert_eq!(body, json!({"code": 200, "data": []}));
}

#[tokio::test]
async fn the_builder_serves_on_an_ipv6_host() {
    if std::net::TcpListener::bind("[::1]:0").is_err() {
        println!("skipped: this machine has no IPv6 loopback");
        return;
    }
    let app = spawn_with(MockMilvus::builder().host("::1")).await;
    assert!(app.milvus.uri().starts_with("http://[::1]:"), "{}", app.milvus.uri());
    assert_eq!(app.post("/collections/list", json!({})).await.1, json!({"code": 0, "data": []}));
}

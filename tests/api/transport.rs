//! The wire where conformance does not reach: describe's bytes, HTML escaping, a fresh server's list, the
//! authentication settings (users, Basic, every route), `Request-Timeout` 408s, master's 1100 and the success-code
//! knob. Envelope bytes, decoding (1801/1802), routing, CORS and the 401 are conformance's (`scenarios/transport.rs`,
//! `decoding.rs`).

use milvus_mock::{MilvusVersion, MockMilvus};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

const UNAUTHENTICATED: &str = r#"{"code":1800,"message":"user hasn't authenticated"}"#;

// ---- the envelope (§1.2, §1.3, §1.5) ----

#[tokio::test]
async fn describe_always_carries_a_message_after_data() {
    let app = spawn_app().await;
    app.create_quick_collection("quick_setup").await;

    let raw = app.post_raw("/collections/describe", r#"{"collectionName":"quick_setup"}"#, &[]).await;

    assert!(raw.body.starts_with(r#"{"code":0,"data":{"aliases":[],"autoId":false,"collectionID":"#), "{}", raw.body);
    assert!(raw.body.ends_with(r#""shardsNum":1},"message":""}"#), "{}", raw.body);
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

// ---- routing (§1.1): what conformance does not cover ----

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

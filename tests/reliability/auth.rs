//! Authentication on: every Milvus route (and an unknown path) rejects missing, malformed and wrong credentials
//! with HTTP 401 `{"code":1800,"message":"user hasn't authenticated"}`, the same bytes whether the user exists or
//! not, before the body is looked at, and without a change of state. The control plane with a `control_token`
//! answers 401 without it.

use axum::http::Method;
use base64::Engine;
use milvus_mock::Config;
use milvus_mock::Users;
use serde_json::json;

use crate::common::{JSON_CONTENT_TYPE, UNAUTHORIZED_BODY, seed};
use crate::support::{InProcess, Reply, route_paths};

fn basic(credentials: &[u8]) -> Vec<u8> {
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(credentials)).into_bytes()
}

/// `Authorization` values that must all be refused (`None`: no header).
fn refused_credentials() -> Vec<(String, Option<Vec<u8>>)> {
    let mut cases: Vec<(String, Option<Vec<u8>>)> = vec![("missing".into(), None)];
    let plain: &[(&str, &[u8])] = &[
        ("empty", b""),
        ("Bearer alone", b"Bearer"),
        ("Bearer and a space", b"Bearer "),
        ("no colon", b"Bearer rootMilvus"),
        ("no colon, no Bearer", b"rootMilvus"),
        ("only a colon", b"Bearer :"),
        ("empty password", b"Bearer root:"),
        ("empty user", b"Bearer :Milvus"),
        ("two spaces", b"Bearer  root:Milvus"),
        ("lower-case bearer", b"bearer root:Milvus"),
        ("wrong password", b"Bearer root:wrong"),
        ("password case", b"Bearer root:milvus"),
        ("user case", b"Bearer ROOT:Milvus"),
        ("unknown user", b"Bearer nobody:Milvus"),
        ("unknown user, other password", b"Bearer nobody:whatever"),
        ("password cut at its colon", b"Bearer alice:s3cret"),
        ("not UTF-8", b"Bearer root:\xffMilvus"),
        ("Basic alone", b"Basic "),
        ("Basic, bad base64", b"Basic !!!notbase64"),
        ("Basic, cut base64", b"Basic cm9vdDpNaWx2dX"),
        ("Bearer token only", b"Bearer sk-0123456789"),
    ];
    cases.extend(plain.iter().map(|(what, value)| (what.to_string(), Some(value.to_vec()))));
    cases.push(("Basic, no colon".into(), Some(basic(b"rootMilvus"))));
    cases.push(("Basic, only a colon".into(), Some(basic(b":"))));
    cases.push(("Basic, empty password".into(), Some(basic(b"root:"))));
    cases.push(("Basic, wrong password".into(), Some(basic(b"root:wrong"))));
    cases.push(("Basic, unknown user".into(), Some(basic(b"nobody:Milvus"))));
    cases
}

fn with_auth() -> InProcess {
    InProcess::new(Config {
        users: Some(Users::default().with_user("alice", "s3cret:x")),
        fixtures: vec![seed()],
        ..Config::default()
    })
}

async fn call(app: &InProcess, method: Method, path: &str, authorization: Option<&[u8]>, body: &str) -> Reply {
    let headers: Vec<(&str, &[u8])> = authorization.map(|a| ("Authorization", a)).into_iter().collect();
    app.request(method, path, &headers, body.as_bytes().to_vec()).await
}

/// Status, headers (sorted) and body: what must be the same between two refusals.
type Shape = (u16, Vec<(String, Vec<u8>)>, Vec<u8>);

fn shape(reply: &Reply) -> Shape {
    let mut headers: Vec<(String, Vec<u8>)> =
        reply.headers.iter().map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec())).collect();
    headers.sort();
    (reply.status, headers, reply.body.clone())
}

#[tokio::test]
async fn every_route_refuses_missing_malformed_and_wrong_credentials_alike() {
    let app = with_auth();
    let before = app.dump();
    let mut paths = route_paths();
    paths.push("/v2/vectordb/unknown/route".into());
    paths.push("/nowhere".into());
    let bodies =
        ["{}", r#"{"collectionName":"quick_setup","partitionNames":["january"],"dbName":"default"}"#, "not json"];
    let mut first: Option<(String, Shape)> = None;
    let mut tried = 0;
    for path in &paths {
        for (what, authorization) in refused_credentials() {
            for body in bodies {
                let reply = call(&app, Method::POST, path, authorization.as_deref(), body).await;
                assert_eq!(
                    (reply.status, reply.text().as_str(), reply.content_type()),
                    (401, UNAUTHORIZED_BODY, Some(JSON_CONTENT_TYPE)),
                    "POST {path} with {what} credentials"
                );
                assert!(reply.headers.get("www-authenticate").is_none(), "{what}: a WWW-Authenticate header");
                // Byte for byte the same answer, whatever was wrong (an unknown user and a wrong password alike).
                match &first {
                    None => first = Some((what.clone(), shape(&reply))),
                    Some((first_what, first_shape)) => {
                        assert_eq!(&shape(&reply), first_shape, "{what} vs {first_what} on {path}");
                    }
                }
                tried += 1;
            }
        }
        // A known path with another method: 401 too (auth comes before routing).
        let reply = call(&app, Method::GET, path, None, "").await;
        assert_eq!((reply.status, reply.text().as_str()), (401, UNAUTHORIZED_BODY), "GET {path}");
    }
    assert_eq!(app.dump(), before, "a refused call changed the state");
    println!("reliability/auth: {tried} refused calls, all the same 401");

    // The right credentials, in each accepted form, pass.
    let accepted: Vec<Vec<u8>> = vec![
        b"Bearer root:Milvus".to_vec(),
        b"root:Milvus".to_vec(),
        basic(b"root:Milvus"),
        b"Bearer alice:s3cret:x".to_vec(),
        basic(b"alice:s3cret:x"),
    ];
    for authorization in accepted {
        let reply = call(&app, Method::POST, "/v2/vectordb/collections/list", Some(&authorization), "{}").await;
        assert_eq!(reply.code(), 0, "{}: {}", String::from_utf8_lossy(&authorization), reply.text());
    }
    // Health stays open.
    let health = call(&app, Method::GET, "/healthz", None, "").await;
    assert_eq!((health.status, health.text().as_str()), (200, "OK"));
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_the_same_answer_over_http() {
    let milvus = milvus_mock::MockMilvus::builder().auth().start().await;
    let client = crate::shared::Client::new(milvus.uri());
    let mut answers = Vec::new();
    for token in ["Bearer root:wrong", "Bearer nobody:Milvus", "Bearer nobody:wrong"] {
        let reply = client.post_raw("/collections/list", "{}", &[("Authorization", token)]).await;
        let status = reply.status.as_u16();
        let mut headers: Vec<(String, String)> = reply
            .headers
            .iter()
            .filter(|(n, _)| n.as_str() != "date")
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        headers.sort();
        let body = reply.text();
        assert_eq!((status, body.as_str()), (401, UNAUTHORIZED_BODY), "{token}");
        answers.push((status, headers, body));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");
}

const CONTROL_REFUSED: &str = r#"{"error":"the control plane needs Authorization: Bearer <control token>"}"#;

#[tokio::test]
async fn the_control_plane_with_a_token_answers_401_without_it() {
    let app = InProcess::new(Config { control_token: Some("t0ken".into()), ..Config::default() });
    let fault = json!({"path": "*", "code": 1}).to_string();
    let routes: [(Method, &str, &str); 7] = [
        (Method::GET, "/_mock/state", ""),
        (Method::PUT, "/_mock/state", r#"{"databases":[]}"#),
        (Method::POST, "/_mock/reset", ""),
        (Method::GET, "/_mock/requests", ""),
        (Method::DELETE, "/_mock/requests", ""),
        (Method::POST, "/_mock/faults", &fault),
        (Method::POST, "/_mock/load-duration", r#"{"loadDurationMs":5}"#),
    ];
    let bad: [Option<&[u8]>; 6] =
        [None, Some(b""), Some(b"Bearer"), Some(b"Bearer t0ke"), Some(b"bearer t0ken"), Some(b"Bearer t0ken ")];
    for (method, path, body) in &routes {
        for authorization in bad {
            let reply = call(&app, method.clone(), path, authorization, body).await;
            assert_eq!(
                (reply.status, reply.text().as_str()),
                (401, CONTROL_REFUSED),
                "{method} {path} {authorization:?}"
            );
        }
    }
    let faults = call(&app, Method::GET, "/_mock/faults", Some(b"Bearer t0ken"), "").await;
    assert_eq!(faults.text(), r#"{"faults":[]}"#, "a refused fault was added");
    for (method, path, body) in &routes {
        let reply = call(&app, method.clone(), path, Some(b"Bearer t0ken"), body).await;
        assert!(matches!(reply.status, 200 | 201), "{method} {path}: {} {}", reply.status, reply.text());
    }
    // Milvus routes do not need the control token.
    let cleared = call(&app, Method::DELETE, "/_mock/faults", Some(b"Bearer t0ken"), "").await;
    assert_eq!(cleared.status, 200);
    let reply = call(&app, Method::POST, "/v2/vectordb/collections/list", None, "{}").await;
    assert_eq!(reply.text(), r#"{"code":0,"data":[]}"#);
}

/// With both Milvus authentication and a control token, the control plane must still be usable with its token
/// (it is not a Milvus path), and a Milvus credential alone must not open it.
#[tokio::test]
async fn with_authentication_on_the_control_plane_still_answers_to_its_token() {
    let app = InProcess::new(Config {
        users: Some(Users::default()),
        control_token: Some("t0ken".into()),
        ..Config::default()
    });
    let milvus_only = call(&app, Method::GET, "/_mock/state", Some(b"Bearer root:Milvus"), "").await;
    assert_eq!(milvus_only.status, 401, "Milvus credentials opened the control plane: {}", milvus_only.text());
    let with_token = call(&app, Method::GET, "/_mock/state", Some(b"Bearer t0ken"), "").await;
    assert_eq!(with_token.status, 200, "the control token is refused when auth is on: {}", with_token.text());
}

//! Transport (contract §1, §3): every route is POST; an unknown path or another method is gin's plain-text 404;
//! answers are `application/json; charset=utf-8`, keys in Go's alphabetical order, no trailing newline; CORS
//! headers on every answer and 204 for a preflight; `Request-Timeout`; authentication (401 / 1800).

use serde_json::json;

use crate::harness::{PREFIX, Resp, Scn, Step, Version};

fn not_found(resp: &Resp) -> Result<(), String> {
    if resp.status == 404 && resp.text == "404 page not found" && resp.content_type.as_deref() == Some("text/plain") {
        Ok(())
    } else {
        Err(format!("expected HTTP 404 text/plain `404 page not found`, got {}", resp.describe()))
    }
}

pub async fn routing(s: Scn) -> Step {
    let resp = s.post_raw("collections/no_such_action", "{}", &[]).await?;
    s.record("collections/no_such_action", not_found(&resp));
    let resp = s.send(reqwest::Method::GET, &format!("{PREFIX}/collections/list"), "", &[]).await?;
    s.record("GET collections/list", not_found(&resp));

    let resp = s.post_raw("collections/list", "{}", &[]).await?;
    let outcome = match (&resp.content_type, resp.json.as_ref()) {
        (Some(ct), Some(body)) if ct == "application/json; charset=utf-8" => {
            if body["code"] == s.success_code() && body["data"].is_array() {
                Ok(())
            } else {
                Err(format!("expected a list answer, got {}", resp.text))
            }
        }
        _ => Err(format!("expected application/json; charset=utf-8, got {:?} {:?}", resp.content_type, resp.text)),
    };
    s.record("collections/list", outcome);
    Ok(())
}

/// Go's `encoding/json` of a `gin.H`: keys sorted at every level, no newline at the end (§1.5).
pub async fn envelope_bytes(s: Scn) -> Step {
    let c = s.collection();
    s.quick("default", &c).await?;
    let code = s.success_code();
    let coll = json!({"collectionName": c});
    s.check_bytes(
        "collections/get_load_state",
        coll.clone(),
        &format!(r#"{{"code":{code},"data":{{"loadProgress":100,"loadState":"LoadStateLoaded"}},"message":""}}"#),
    )
    .await?;
    s.check_bytes("collections/has", coll.clone(), &format!(r#"{{"code":{code},"data":{{"has":true}}}}"#)).await?;
    s.check_bytes(
        "partitions/release",
        json!({"collectionName": c, "partitionNames": ["nope"]}),
        r#"{"code":200,"message":"partition not found[partition=nope]"}"#,
    )
    .await?;
    s.check_bytes(
        "partitions/release",
        json!({"collectionName": c, "partitionNames": ["_default"]}),
        &format!(r#"{{"code":{code},"data":{{}}}}"#),
    )
    .await?;
    s.check_bytes(
        "collections/get_load_state",
        coll,
        &format!(r#"{{"code":{code},"data":{{"loadState":"LoadStateNotLoad"}}}}"#),
    )
    .await?;
    Ok(())
}

/// The CORS middleware sets its headers on every answer and answers any `OPTIONS` with 204 (§1.1).
pub async fn cors_and_preflight(s: Scn) -> Step {
    let cors = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Allow-Credentials", "true"),
        (
            "Access-Control-Allow-Headers",
            "Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, accept, origin, Cache-Control, X-Requested-With",
        ),
        ("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"),
    ];
    let has_cors = |resp: &Resp| -> Result<(), String> {
        let wrong: Vec<String> = cors
            .iter()
            .filter(|(name, value)| resp.header(name) != Some(*value))
            .map(|(name, _)| format!("{name}: {:?}", resp.header(name)))
            .collect();
        if wrong.is_empty() { Ok(()) } else { Err(format!("CORS headers differ: {wrong:?}")) }
    };
    let resp = s.send(reqwest::Method::OPTIONS, &format!("{PREFIX}/partitions/release"), "", &[]).await?;
    let outcome = if resp.status == 204 && resp.text.is_empty() {
        has_cors(&resp)
    } else {
        Err(format!("expected HTTP 204 with no body, got {}", resp.describe()))
    };
    s.record("OPTIONS partitions/release", outcome);
    let resp = s.post_raw("collections/list", "{}", &[]).await?;
    s.record("collections/list", has_cors(&resp));
    // gin's 404 too.
    let resp = s.post_raw("collections/no_such_action", "{}", &[]).await?;
    s.record("collections/no_such_action", has_cors(&resp));
    Ok(())
}

/// An unparsable `Request-Timeout` is ignored in 2.4-2.6 and refused with 1100 in master (§3.2).
pub async fn request_timeout_header(s: Scn) -> Step {
    for value in ["10", "abc", "3.5"] {
        let resp = s.post_raw("collections/list", "{}", &[("Request-Timeout", value)]).await?;
        let body = resp.json.clone().unwrap_or_default();
        let outcome = if value != "10" && s.version() >= Version::V3_0 {
            let expected = json!({"code": 1100, "message": format!(
                "Request-Timeout parse failed, err: strconv.ParseInt: parsing \"{value}\": invalid syntax: invalid parameter")});
            if resp.status == 200 && body == expected {
                Ok(())
            } else {
                Err(format!("expected {expected}, got {}", resp.describe()))
            }
        } else if resp.status == 200 && body["code"] == s.success_code() && body["data"].is_array() {
            Ok(())
        } else {
            Err(format!("expected the list, got {}", resp.describe()))
        };
        s.record("collections/list", outcome.map_err(|why| format!("Request-Timeout: {value}: {why}")));
    }
    Ok(())
}

/// With authentication on, a request without credentials or with a wrong password is HTTP 401 / 1800 (§3.1).
pub async fn authentication(s: Scn) -> Step {
    let unauthenticated = json!({"code": 1800, "message": "user hasn't authenticated"});
    let judge = |resp: &Resp| {
        if resp.status == 401 && resp.json.as_ref() == Some(&unauthenticated) {
            Ok(())
        } else {
            Err(format!("expected HTTP 401 {unauthenticated}, got {}", resp.describe()))
        }
    };
    let resp = s.post_raw("collections/list", "{}", &[("Authorization", "")]).await?;
    s.record("collections/list", judge(&resp).map_err(|why| format!("no Authorization: {why}")));
    let token = s.target().token.clone().unwrap_or_default();
    if let Some((user, password)) = token.split_once(':') {
        let wrong = format!("Bearer {user}:{password}-wrong");
        let resp = s.post_raw("partitions/release", "{}", &[("Authorization", wrong.as_str())]).await?;
        s.record("partitions/release", judge(&resp).map_err(|why| format!("a wrong password: {why}")));
    }
    Ok(())
}

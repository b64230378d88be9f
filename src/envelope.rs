//! Milvus's REST answer envelope (contract §1.2-§1.5).
//!
//! Every answer leaves through [`Reply::render`] or [`render_error`], which write the exact bytes Milvus's Go
//! `encoding/json` would ([`crate::go::encode`]): keys in alphabetical order, no trailing newline, `<`, `>` and `&`
//! escaped. Bodies come in through [`crate::go::bind`].

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use crate::error::Error;
pub use crate::go::encode::to_go_json;
use crate::version::Profile;

/// A successful answer, before the envelope.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// `{"code":0,"data":{}}` (`wrapperReturnDefault`).
    Empty,
    /// `{"code":0,"data":[...]}`; an empty list stays `[]`.
    List(Vec<String>),
    /// `{"code":0,"data":{"has":..}}`.
    Has(bool),
    /// `{"code":0,"data":{"rowCount":..}}`.
    RowCount(i64),
    /// `{"code":0,"data":...}`.
    Data(Value),
    /// `{"code":0,"data":...,"message":"..."}` (describe, get_load_state while loaded).
    DataWithMessage(Value, String),
}

const JSON_CONTENT_TYPE: &str = "application/json; charset=utf-8";

impl Reply {
    /// The body bytes under `profile` (which decides the success code).
    pub fn to_body(&self, profile: &Profile) -> String {
        let code = profile.success_code;
        let body = match self {
            // The hot path (create/drop/load/release) skips building a Value.
            Reply::Empty => return format!("{{\"code\":{code},\"data\":{{}}}}"),
            Reply::List(items) => json!({"code": code, "data": items}),
            Reply::Has(has) => json!({"code": code, "data": {"has": has}}),
            Reply::RowCount(n) => json!({"code": code, "data": {"rowCount": n}}),
            Reply::Data(data) => json!({"code": code, "data": data}),
            Reply::DataWithMessage(data, message) => json!({"code": code, "data": data, "message": message}),
        };
        to_go_json(&body)
    }

    pub fn render(&self, profile: &Profile) -> Response {
        match (self, profile.success_code) {
            // The most frequent answer, without an allocation.
            (Reply::Empty, 0) => json_response(StatusCode::OK, r#"{"code":0,"data":{}}"#),
            _ => json_response(StatusCode::OK, self.to_body(profile)),
        }
    }
}

/// The body of an error answer: `{"code":N,"message":"..."}`, no `data`.
pub fn error_body(error: &Error, profile: &Profile) -> String {
    to_go_json(&json!({"code": error.code(profile), "message": error.message(profile)}))
}

/// An error answer: HTTP 200, as every Milvus business error.
pub fn render_error(error: &Error, profile: &Profile) -> Response {
    json_response(StatusCode::OK, error_body(error, profile))
}

/// A JSON answer with gin's content type and Milvus's CORS headers.
pub fn json_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    // Every answer carries the same five headers: cloning a finished map costs less than five inserts.
    static HEADERS: LazyLock<HeaderMap> = LazyLock::new(|| {
        let mut headers = HeaderMap::with_capacity(5);
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
        cors_headers(&mut headers);
        headers
    });
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    *response.headers_mut() = HEADERS.clone();
    response
}

/// The headers Milvus's CORS middleware sets on every answer.
pub(crate) fn cors_headers(headers: &mut HeaderMap) {
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, HeaderValue::from_static("true"));
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static(
            "Content-Type, Content-Length, Accept-Encoding, X-CSRF-Token, Authorization, accept, origin, Cache-Control, X-Requested-With",
        ),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, POST, PUT, DELETE, OPTIONS, PATCH"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_reply_is_code_0_with_an_empty_object() {
        assert_eq!(Reply::Empty.to_body(&Profile::default()), r#"{"code":0,"data":{}}"#);
        let docs = Profile::default().with_success_code(200);
        assert_eq!(Reply::Empty.to_body(&docs), r#"{"code":200,"data":{}}"#);
    }

    #[test]
    fn keys_are_sorted_and_html_characters_escaped() {
        let reply = Reply::DataWithMessage(json!({"loadState": "x", "loadProgress": 100}), "<a&b>".into());
        assert_eq!(
            reply.to_body(&Profile::default()),
            r#"{"code":0,"data":{"loadProgress":100,"loadState":"x"},"message":"\u003ca\u0026b\u003e"}"#
        );
    }

    #[test]
    fn an_empty_list_stays_a_list() {
        assert_eq!(Reply::List(vec![]).to_body(&Profile::default()), r#"{"code":0,"data":[]}"#);
    }
}

//! Milvus's answer envelope and its request binding (contract §1.2-§1.5, §2).
//!
//! Every route body is decoded by [`decode`] into a type implementing [`MilvusRequest`], with Milvus's 1801/1802
//! answers for bad bodies; every answer leaves through [`Reply::render`] or [`render_error`], which write the exact
//! bytes Milvus's Go `encoding/json` would: keys in alphabetical order, no trailing newline, `<`, `>` and `&`
//! escaped.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde_json::{Map, Value, json};

use crate::error::Error;
use crate::gojson::{self, DecodeError, GoObject, Required};
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

/// A JSON answer with gin's content type.
pub fn json_response(status: StatusCode, body: impl Into<axum::body::Body>) -> Response {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON_CONTENT_TYPE));
    crate::app::cors_headers(headers);
    response
}

/// Serialises like Go's `json.Marshal` of a `gin.H`: serde_json's map is sorted, so only the HTML-safe escapes
/// remain to add. Outside strings JSON has no `<`, `>`, `&` or U+2028/9, so replacing them everywhere is exact.
pub fn to_go_json(value: &Value) -> String {
    let text = value.to_string();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// A request body type: how Go decodes it and which fields `binding:"required"` covers.
pub trait MilvusRequest: Sized {
    /// The Go type as Go's errors print it, such as `httpserver.CollectionNameReq`.
    const GO_TYPE: &'static str;

    /// Reads the fields, in the struct's declaration order.
    fn read(o: &mut GoObject<'_>) -> Self;

    /// Records the missing required fields, in declaration order.
    fn required(&self, r: &mut Required);

    /// Takes the body's `dbName` out, for the routes whose struct has one (database routes keep theirs).
    fn take_db_name(&mut self) -> String {
        String::new()
    }
}

/// The bare struct name (`CollectionNameReq`), as the validator and type errors print it.
pub fn struct_name(go_type: &'static str) -> &'static str {
    go_type.rsplit('.').next().unwrap_or(go_type)
}

/// Binds a body as gin's `ShouldBindBodyWith(req, binding.JSON)` plus Milvus's `wrapperPost` would.
pub fn decode<R: MilvusRequest>(body: &[u8]) -> Result<R, Error> {
    let value = gojson::scan(body).map_err(|e| match e {
        DecodeError::Empty => Error::EmptyBody,
        DecodeError::Invalid(m) => Error::BadJson(m),
    })?;
    let mut map: Map<String, Value> = gojson::top_level(value, R::GO_TYPE).map_err(|e| match e {
        DecodeError::Empty => Error::EmptyBody,
        DecodeError::Invalid(m) => Error::BadJson(m),
    })?;
    let mut first_error = None;
    let request = {
        let mut object = GoObject::new(&mut map, struct_name(R::GO_TYPE), &mut first_error);
        R::read(&mut object)
    };
    if let Some(e) = first_error {
        return Err(Error::BadJson(e));
    }
    let mut required = Required::default();
    request.required(&mut required);
    match required.into_message() {
        Some(m) => Err(Error::MissingParameters(m)),
        None => Ok(request),
    }
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

//! Milvus's answer envelope and its request binding (contract §1.2-§1.5, §2).
//!
//! Every route body is decoded by [`decode`] into a type implementing [`MilvusRequest`], with Milvus's 1801/1802
//! answers for bad bodies; every answer leaves through [`Reply::render`] or [`render_error`], which write the exact
//! bytes Milvus's Go `encoding/json` would: keys in alphabetical order, no trailing newline, `<`, `>` and `&`
//! escaped.

use std::sync::LazyLock;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

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
    /// `{"code":0,...}`: every other key given (`cost`, `data`, `topks`: the data plane's answers).
    Body(serde_json::Map<String, Value>),
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
            Reply::Body(keys) => {
                let mut body = keys.clone();
                body.insert("code".into(), code.into());
                Value::Object(body)
            }
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

/// Serialises like Go's `json.Marshal` of a `gin.H`: serde_json's map is sorted, floats are written as Go writes
/// a `float64` (no `.0` on a whole number, `1e+21`), and the HTML-safe escapes are added. Outside strings JSON has
/// no `<`, `>`, `&` or U+2028/9, so replacing them everywhere is exact.
pub fn to_go_json(value: &Value) -> String {
    let mut bytes = Vec::with_capacity(128);
    let written = value.serialize(&mut serde_json::Serializer::with_formatter(&mut bytes, GoFloats));
    debug_assert!(written.is_ok(), "a Value always serialises");
    // serde_json writes UTF-8 only.
    let text = String::from_utf8(bytes).unwrap_or_default();
    if !text.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return text;
    }
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// serde_json's compact output, but for floats: Go's `encoding/json` writes a `float64` as ES6 does, with no `.0`
/// on a whole number (`1000`, where serde_json writes `1000.0`) and exponent form below 1e-6 and from 1e21 on,
/// with a signed exponent (`1e+21`, `1e-7`), as `floatEncoder.encode` does.
struct GoFloats;

impl serde_json::ser::Formatter for GoFloats {
    fn write_f64<W: ?Sized + std::io::Write>(&mut self, writer: &mut W, value: f64) -> std::io::Result<()> {
        writer.write_all(go_float(value).as_bytes())
    }
}

/// `strconv.AppendFloat(f, fmt, -1, 64)` with `encoding/json`'s choice of `fmt` and its exponent clean-up. Rust's
/// `{}` and `{:e}` give the same shortest digits as Go's `-1` precision.
fn go_float(f: f64) -> String {
    let abs = f.abs();
    if abs == 0.0 || (1e-6..1e21).contains(&abs) {
        return format!("{f}");
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    // Go prints `e+21` and `e-07`, then shortens a negative one-digit exponent to `e-7`.
    match exp.strip_prefix('-') {
        Some(negative) => format!("{mantissa}e-{negative}"),
        None => format!("{mantissa}e+{exp:0>2}"),
    }
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

    /// The plain body decoded without the Go-compatible parser, or `None` to use it (see `request!`'s `fast`).
    fn fast(_body: &[u8]) -> Option<Self> {
        None
    }

    /// Reads what the request needs from the headers (the data plane's `Accept-Type-Allow-Int64`).
    fn read_headers(&mut self, _headers: &HeaderMap) {}
}

/// The bare struct name (`CollectionNameReq`), as the validator and type errors print it.
pub fn struct_name(go_type: &'static str) -> &'static str {
    go_type.rsplit('.').next().unwrap_or(go_type)
}

/// Binds a body as gin's `ShouldBindBodyWith(req, binding.JSON)` plus Milvus's `wrapperPost` would.
pub fn decode<R: MilvusRequest>(body: &[u8]) -> Result<R, Error> {
    let request = match R::fast(body) {
        Some(request) => request,
        None => bind::<R>(body)?,
    };
    let mut required = Required::default();
    request.required(&mut required);
    match required.into_message() {
        Some(m) => Err(Error::MissingParameters(m)),
        None => Ok(request),
    }
}

/// Go's `json.Decode` of a body into `R`: syntax and type errors as Go words them.
fn bind<R: MilvusRequest>(body: &[u8]) -> Result<R, Error> {
    let value = gojson::parse(body).map_err(|e| match e {
        DecodeError::Empty => Error::EmptyBody,
        DecodeError::Invalid(m) => Error::BadJson(m),
    })?;
    let members = gojson::top_level(value, R::GO_TYPE).map_err(|e| match e {
        DecodeError::Empty => Error::EmptyBody,
        DecodeError::Invalid(m) => Error::BadJson(m),
    })?;
    let mut first_error = None;
    let request = {
        let mut object = GoObject::from_members(members, struct_name(R::GO_TYPE), &mut first_error);
        R::read(&mut object)
    };
    match first_error {
        Some(e) => Err(Error::BadJson(e)),
        None => Ok(request),
    }
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

    use crate::api::aliases::AliasCollectionReq;
    use crate::api::collections::{CollectionNameReq, RenameCollectionReq};
    use crate::api::databases::EmptyReq;
    use crate::api::partitions::{PartitionReq, PartitionsReq};
    use proptest::prelude::*;

    /// Keys a body may have: the fields' own, Go's case-insensitive matches of them, escaped spellings, strangers.
    const KEYS: &[&str] = &[
        "dbName",
        "collectionName",
        "partitionNames",
        "partitionName",
        "aliasName",
        "newCollectionName",
        "collectionname",
        "COLLECTIONNAME",
        "partitionnames",
        "collection\\u004eame",
        "other",
        "",
    ];

    /// Values: plain and awkward strings, `null`, numbers, arrays (of strings or not), objects.
    const VALUES: &[&str] = &[
        r#""quick_setup""#,
        r#""january""#,
        r#""""#,
        r#""caf\u00e9""#,
        r#""\ud800""#,
        r#""a\nb""#,
        "\"\u{e9}t\u{e9}\"",
        "null",
        "0",
        "-1.5e3",
        "true",
        r#"["_default","january"]"#,
        "[]",
        r#"["a",null]"#,
        "[1]",
        r#"{"a":"b"}"#,
        "[[]]",
        r#""x"#,
    ];

    /// Bodies near the release body: objects of 0-4 members from `KEYS` x `VALUES`, random blanks, sometimes
    /// a duplicate key or trailing bytes, sometimes raw bytes that are not UTF-8, sometimes an array or a scalar
    /// instead of an object.
    fn body() -> impl Strategy<Value = Vec<u8>> {
        let member = (0..KEYS.len(), 0..VALUES.len(), prop::bool::ANY)
            .prop_map(|(k, v, blank)| format!("\"{}\"{}:{}", KEYS[k], if blank { " " } else { "" }, VALUES[v]));
        let shape = 0..8u8;
        (prop::collection::vec(member, 0..5), 0..4u8, prop::bool::ANY, shape).prop_map(
            |(members, tail, latin1, shape)| {
                let values: Vec<&str> = members.iter().map(|m| m.rsplit(':').next().unwrap_or("null")).collect();
                let mut text = match shape {
                    0 => format!("[{}]", values.join(",")),
                    1 => values.first().unwrap_or(&"null").to_string(),
                    _ => format!("{{{}}}", members.join(",")),
                };
                match tail {
                    1 => text.push_str(" \n"),
                    2 => text.push_str(" trailing"),
                    3 => text.insert(0, ' '),
                    _ => {}
                }
                let mut bytes = text.into_bytes();
                if latin1 && let Some(i) = bytes.iter().position(|&b| b == b'q') {
                    bytes[i] = 0xe9;
                }
                bytes
            },
        )
    }

    /// What the fast path decodes is exactly what the Go-compatible path does; `hits` counts its answers.
    fn same<R: MilvusRequest + PartialEq + std::fmt::Debug>(body: &[u8], hits: &mut u32) -> Result<(), TestCaseError> {
        if let Some(fast) = R::fast(body) {
            *hits += 1;
            prop_assert_eq!(bind::<R>(body), Ok(fast), "{}", String::from_utf8_lossy(body));
        }
        Ok(())
    }

    #[test]
    fn the_release_body_takes_the_fast_path() {
        let body = br#"{"collectionName":"quick_setup","partitionNames":["_default","january"]}"#;
        let expected = PartitionsReq {
            db_name: String::new(),
            collection_name: "quick_setup".into(),
            partition_names: Some(vec!["_default".into(), "january".into()]),
        };
        assert_eq!(PartitionsReq::fast(body), Some(expected));
        // Go-only spellings are left to the Go-compatible path.
        assert_eq!(PartitionsReq::fast(br#"{"collectionname":"quick_setup","partitionNames":[]}"#), None);
        assert_eq!(PartitionsReq::fast(br#"{"collectionName":"a","collectionName":"b"}"#), None);
        assert_eq!(PartitionsReq::fast(br#"{"collectionName":null}"#), None);
    }

    #[test]
    fn the_fast_path_decodes_as_go_does() {
        let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
        let hits = std::cell::Cell::new(0);
        proptest::test_runner::TestRunner::new(config)
            .run(&body(), |body| {
                let mut n = 0;
                same::<PartitionsReq>(&body, &mut n)?;
                same::<PartitionReq>(&body, &mut n)?;
                same::<CollectionNameReq>(&body, &mut n)?;
                same::<RenameCollectionReq>(&body, &mut n)?;
                same::<AliasCollectionReq>(&body, &mut n)?;
                same::<EmptyReq>(&body, &mut n)?;
                hits.set(hits.get() + n);
                Ok(())
            })
            .unwrap();
        // Not vacuous: the fast path answered for a good share of the 20,000 bodies x 6 types.
        assert!(hits.get() > 2_000, "fast path used {} times", hits.get());
    }

    #[test]
    fn call_names_read_as_the_go_compatible_binding_does() {
        use crate::api::{CallNamesReq, plain_names};
        let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
        let hits = std::cell::Cell::new(0);
        proptest::test_runner::TestRunner::new(config)
            .run(&body(), |body| {
                if let Some((db, collection)) = plain_names(&body) {
                    hits.set(hits.get() + 1);
                    let go = bind::<CallNamesReq>(&body).map(|r| (r.db_name, r.collection_name));
                    prop_assert_eq!(go, Ok((db, collection)), "{}", String::from_utf8_lossy(&body));
                }
                Ok(())
            })
            .unwrap();
        assert!(hits.get() > 2_000, "serde read {} bodies", hits.get());
        assert_eq!(
            plain_names(br#"{"dbName":"a","other":[1,{"x":2}],"collectionName":"c"}"#),
            Some(("a".into(), "c".into()))
        );
        assert_eq!(plain_names(br#"{"DBNAME":"a"}"#), None);
    }

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
    fn floats_are_written_as_go_writes_a_float64() {
        let cases: &[(f64, &str)] = &[
            (1000.0, "1000"),
            (1.5, "1.5"),
            (-0.0, "-0"),
            (0.0, "0"),
            (0.1, "0.1"),
            (1e-6, "0.000001"),
            (1.5e-7, "1.5e-7"),
            (1e-100, "1e-100"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (-1.2345e300, "-1.2345e+300"),
            (9007199254740993.0, "9007199254740992"),
            (f64::MAX, "1.7976931348623157e+308"),
        ];
        for &(f, go) in cases {
            assert_eq!(to_go_json(&json!(f)), go, "{f:e}");
        }
        assert_eq!(to_go_json(&json!({"a": [1.0, 2, 0.5]})), r#"{"a":[1,2,0.5]}"#);
    }

    #[test]
    fn an_empty_list_stays_a_list() {
        assert_eq!(Reply::List(vec![]).to_body(&Profile::default()), r#"{"code":0,"data":[]}"#);
    }
}

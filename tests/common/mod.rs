//! The one HTTP client of `tests/api`, `tests/reliability` and `tests/model.rs`: reqwest pointed at a mock's base
//! URI, no redirects followed (the trailing-slash redirect is under test), no proxy. Each binary includes this
//! file with `#[path = "../common/mod.rs"] mod common;` (`tests/model.rs`: `#[path = "common/mod.rs"]`).
//!
//! `tests/conformance` keeps its own client (`tests/conformance/harness.rs`) on purpose: it must run against a
//! foreign server (a real Milvus), with its token, polling and cleanup, and must not depend on the mock's types.

#![allow(dead_code)]

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The prefix of every Milvus v2 route.
pub const PREFIX: &str = "/v2/vectordb";

/// A plain reqwest client: no redirects followed, no proxy.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .expect("a plain HTTP client builds")
}

/// One answer, kept whole.
#[derive(Debug, Clone)]
pub struct Raw {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Raw {
    /// A response header as text, `None` when absent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The body as JSON; an error names the body.
    pub fn try_json(&self) -> Result<Value, String> {
        serde_json::from_slice(&self.body)
            .map_err(|e| format!("HTTP {}: not JSON ({e}): {:?}", self.status, self.text()))
    }

    /// The body as JSON; fails the test when it is not.
    pub fn json(&self) -> Value {
        self.try_json().unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Sends `body` to the full `url` with these headers; a transport error is returned, not raised.
pub async fn try_send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> Result<Raw, String> {
    let mut request = http.request(method.clone(), url).body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.map_err(|e| format!("{method} {url}: {e}"))?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(|e| format!("{method} {url}: reading the body: {e}"))?.to_vec();
    Ok(Raw { status, headers, body })
}

/// [`try_send`] that fails the test on a transport error.
pub async fn send(
    http: &reqwest::Client,
    method: Method,
    url: &str,
    body: impl Into<reqwest::Body>,
    headers: &[(&str, &str)],
) -> Raw {
    try_send(http, method, url, body, headers).await.unwrap_or_else(|e| panic!("{e}"))
}

/// A client bound to one server's base URI (`http://127.0.0.1:port`).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: impl Into<String>) -> Self {
        Self { http: http_client(), base: base.into() }
    }

    /// The underlying reqwest client, for the rare call that needs more than these methods.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The base URI followed by `path` (taken as is, prefix included).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Any method to any path (the path is taken as is, prefix included).
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> Raw {
        send(&self.http, method, &self.url(path), body, headers).await
    }

    /// POSTs these exact bytes to a route below `/v2/vectordb`; no `Content-Type` unless `headers` sets one.
    pub async fn post_raw(&self, route: &str, body: impl Into<reqwest::Body>, headers: &[(&str, &str)]) -> Raw {
        self.send(Method::POST, &format!("{PREFIX}{route}"), body, headers).await
    }

    /// POSTs `body` as JSON text to a route below `/v2/vectordb` (`/partitions/release`) and decodes the answer.
    pub async fn post(&self, route: &str, body: Value) -> (StatusCode, Value) {
        self.post_with_headers(route, body, &[]).await
    }

    /// [`Client::post`] with extra request headers.
    pub async fn post_with_headers(&self, route: &str, body: Value, headers: &[(&str, &str)]) -> (StatusCode, Value) {
        let raw = self.post_raw(route, body.to_string(), headers).await;
        let json = raw.try_json().unwrap_or_else(|e| panic!("POST {route}: {e}"));
        (raw.status, json)
    }

    /// [`Client::post`] that returns a transport error, a non-200 status or a non-JSON body as `Err` (for
    /// property tests, which must not panic).
    pub async fn try_post(&self, route: &str, body: &Value) -> Result<Value, String> {
        let url = self.url(&format!("{PREFIX}{route}"));
        let raw = try_send(&self.http, Method::POST, &url, body.to_string(), &[]).await?;
        if raw.status != StatusCode::OK {
            return Err(format!("HTTP {}", raw.status));
        }
        raw.try_json()
    }

    /// POSTs and insists on HTTP 200 `{"code":0,"data":{}}`: for the Arrange step.
    pub async fn ok(&self, route: &str, body: Value) {
        let (status, answer) = self.post(route, body.clone()).await;
        assert_eq!((status, &answer), (StatusCode::OK, &success()), "arranging {route} with {body}");
    }
}

/// `{"code":0,"data":{}}`: what every create/drop/load/release answers.
pub fn success() -> Value {
    json!({"code": 0, "data": {}})
}

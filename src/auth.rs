//! Authentication as Milvus has it (contract §3.1): off by default; when on, every route (unknown paths too)
//! needs `Authorization: Bearer user:password` or Basic credentials, else HTTP 401 with code 1800.

use std::collections::BTreeMap;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;

use crate::envelope::json_response;

/// Milvus's built-in administrator.
///
/// ```
/// assert_eq!(format!("Bearer {}:{}", milvus_mock::ROOT_USER, milvus_mock::ROOT_PASSWORD), "Bearer root:Milvus");
/// ```
pub const ROOT_USER: &str = "root";
/// Its default password.
///
/// ```
/// assert_eq!(milvus_mock::ROOT_PASSWORD, "Milvus");
/// ```
pub const ROOT_PASSWORD: &str = "Milvus";

/// The users the mock accepts when authentication is on.
///
/// ```
/// let milvus = milvus_mock::MockMilvus::builder().auth().user("alice", "secret").start_blocking();
/// let basic = format!("Basic {}", base64::Engine::encode(&base64::engine::general_purpose::STANDARD, "alice:secret"));
/// let list = |token: &str| milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[("Authorization", token)], "{}").0;
/// assert_eq!((list(&basic), list("Bearer alice:secret"), list("Bearer bob:secret")), (200, 200, 401));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Users {
    passwords: BTreeMap<String, String>,
}

impl Default for Users {
    /// Only `root` / `Milvus`, like a fresh Milvus with authentication on.
    fn default() -> Self {
        let mut passwords = BTreeMap::new();
        passwords.insert(ROOT_USER.to_string(), ROOT_PASSWORD.to_string());
        Self { passwords }
    }
}

impl Users {
    /// Adds or replaces a user.
    ///
    /// ```
    /// use milvus_mock::{Config, MockMilvus, Users};
    /// let config = Config { users: Some(Users::default().with_user("alice", "secret")), ..Config::default() };
    /// let milvus = MockMilvus::builder().config(config).start_blocking();
    /// let list = |token: &str| milvus.http_call_blocking("POST", "/v2/vectordb/collections/list", &[("Authorization", token)], "{}").0;
    /// assert_eq!((list("Bearer alice:secret"), list("Bearer root:Milvus"), list("")), (200, 200, 401));
    /// ```
    pub fn with_user(mut self, name: &str, password: &str) -> Self {
        self.passwords.insert(name.to_string(), password.to_string());
        self
    }

    /// Parses `NAME:PASSWORD` (the password may itself hold colons).
    ///
    /// ```
    /// assert_eq!(milvus_mock::Users::parse_user("alice:a:b").unwrap(), ("alice".to_string(), "a:b".to_string()));
    /// assert!(milvus_mock::Users::parse_user("alice").is_err());
    /// ```
    pub fn parse_user(spec: &str) -> Result<(String, String), String> {
        match spec.split_once(':') {
            Some((name, password)) if !name.is_empty() && !password.is_empty() => {
                Ok((name.to_string(), password.to_string()))
            }
            _ => Err(format!("expected NAME:PASSWORD, got {spec:?}")),
        }
    }

    /// Whether the `Authorization` header names a known user with the right password.
    pub(crate) fn verify(&self, authorization: Option<&HeaderValue>) -> bool {
        let Some((user, password)) = authorization.and_then(|h| credentials(h.as_bytes())) else {
            return false;
        };
        self.verify_credentials(&user, &password)
    }

    /// Whether `user` is known and `password` is theirs, whatever the transport carried them in. Every user's
    /// password is compared in constant time, so the answer's timing does not tell whether a user exists.
    ///
    /// ```
    /// let users = milvus_mock::Users::default();
    /// assert!(users.verify_credentials("root", "Milvus"));
    /// assert!(!users.verify_credentials("root", "milvus"));
    /// ```
    pub fn verify_credentials(&self, user: &str, password: &str) -> bool {
        if user.is_empty() || password.is_empty() {
            return false;
        }
        let mut ok = false;
        for (name, expected) in &self.passwords {
            let matched = constant_time_eq(name.as_bytes(), user.as_bytes())
                & constant_time_eq(expected.as_bytes(), password.as_bytes());
            ok |= matched;
        }
        ok
    }
    /// The gRPC check (Milvus's `AuthenticationInterceptor`, `internal/proxy/authentication_interceptor.go`): the
    /// `authorization` metadata is `base64(user:password)`, or `base64(api key)`, after an optional `Bearer `. The
    /// error is the text Milvus's `UNAUTHENTICATED` carries. The mock knows no API keys, so a token without a colon
    /// is always refused.
    #[cfg(feature = "grpc")]
    pub(crate) fn verify_grpc(&self, authorization: Option<&HeaderValue>) -> Result<(), &'static str> {
        let header = authorization.ok_or("missing authorization in header")?;
        let text = String::from_utf8_lossy(header.as_bytes());
        let token = text.strip_prefix("Bearer ").unwrap_or(&text);
        let raw = base64::engine::general_purpose::STANDARD.decode(token).map_err(|_| "invalid token format")?;
        let raw = String::from_utf8_lossy(&raw);
        match raw.split_once(':') {
            None => Err("auth check failure, please check api key is correct"),
            Some((user, password)) if self.verify_credentials(user, password) => Ok(()),
            Some(_) => Err("auth check failure, please check username and password are correct"),
        }
    }
}

/// Basic credentials when they parse; else the token without `Bearer `, split at the first colon.
fn credentials(header: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(header);
    let basic = text.get(..6).filter(|p| p.eq_ignore_ascii_case("basic ")).map(|_| &text[6..]);
    let decoded = basic.and_then(|b| base64::engine::general_purpose::STANDARD.decode(b.trim()).ok());
    if let Some((u, p)) = decoded.as_deref().map(String::from_utf8_lossy).as_deref().and_then(|d| d.split_once(':')) {
        return Some((u.to_string(), p.to_string()));
    }
    let token = text.strip_prefix("Bearer ").unwrap_or(&text);
    token.split_once(':').map(|(u, p)| (u.to_string(), p.to_string()))
}

/// Compares two byte strings in time that depends only on their lengths.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        diff |= usize::from(x ^ y);
    }
    diff == 0
}

/// Milvus's HTTP 401 (code 1800) when `users` is set (authentication on) and `request` lacks valid credentials.
/// `/healthz` and preflights are always open, and so is the control plane when it is served (`control_open`): it
/// has its own protection (`--control-token`), so Milvus credentials are not asked of it.
pub(crate) fn refusal(users: Option<&Users>, control_open: bool, request: &Request) -> Option<Response> {
    let users = users?;
    let path = request.uri().path();
    // A preflight is answered before authentication, as Milvus's CORS middleware comes first.
    let open = path == "/healthz"
        || request.method() == axum::http::Method::OPTIONS
        || (control_open && path.starts_with("/_mock/"));
    if open || users.verify(request.headers().get("Authorization")) {
        return None;
    }
    Some(json_response(StatusCode::UNAUTHORIZED, r#"{"code":1800,"message":"user hasn't authenticated"}"#))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(users: &Users, header: &str) -> bool {
        users.verify(Some(&HeaderValue::from_str(header).unwrap()))
    }

    #[test]
    fn bearer_plain_and_basic_credentials_are_accepted() {
        let users = Users::default().with_user("alice", "a:b");
        assert!(ok(&users, "Bearer root:Milvus"));
        assert!(ok(&users, "root:Milvus"));
        assert!(ok(&users, "Bearer alice:a:b"));
        let basic = base64::engine::general_purpose::STANDARD.encode("root:Milvus");
        assert!(ok(&users, &format!("Basic {basic}")));
    }

    #[test]
    fn wrong_missing_and_malformed_credentials_are_refused() {
        let users = Users::default();
        assert!(!users.verify(None));
        assert!(!ok(&users, "Bearer root:wrong"));
        assert!(!ok(&users, "Bearer nobody:Milvus"));
        assert!(!ok(&users, "Bearer root"));
        assert!(!ok(&users, "Bearer :"));
        assert!(!ok(&users, "Basic !!!notbase64"));
        assert!(!ok(&users, ""));
    }

    #[test]
    #[cfg(feature = "grpc")]
    fn grpc_credentials_are_base64_with_an_optional_bearer_and_refusals_say_why() {
        let users = Users::default();
        let token = |t: &str| HeaderValue::from_str(t).unwrap();
        let base64 = |t: &str| base64::engine::general_purpose::STANDARD.encode(t);
        assert_eq!(users.verify_grpc(Some(&token(&base64("root:Milvus")))), Ok(()));
        assert_eq!(users.verify_grpc(Some(&token(&format!("Bearer {}", base64("root:Milvus"))))), Ok(()));
        assert_eq!(users.verify_grpc(None), Err("missing authorization in header"));
        assert_eq!(users.verify_grpc(Some(&token("root:Milvus"))), Err("invalid token format"));
        let wrong = "auth check failure, please check username and password are correct";
        assert_eq!(users.verify_grpc(Some(&token(&base64("root:milvus")))), Err(wrong));
        let api_key = "auth check failure, please check api key is correct";
        assert_eq!(users.verify_grpc(Some(&token(&base64("key")))), Err(api_key));
    }

    #[test]
    fn constant_time_eq_compares_lengths_too() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(!constant_time_eq(b"", b"a"));
    }
}

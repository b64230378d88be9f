//! gin's binding of a request body into a Go struct (`ShouldBindBodyWith(req, binding.JSON)` plus Milvus's
//! `wrapperPost`): Go's decoder ([`super::json`]) and the `binding:"required"` validator. Its failures are
//! [`BindError`]s (codes 1801 and 1802), which only REST bodies can meet; the catalog's domain errors are
//! [`crate::Error`]s.

use axum::body::Bytes;

use super::json::{self, DecodeError, GoObject, Required};

/// Why gin refused a body, as Milvus answers it (`wrapperPost`).
///
/// ```
/// use milvus_mock::error::BindError;
/// let e = BindError::MissingParameters("Key: 'PartitionReq.PartitionName' ...".into());
/// assert_eq!((e.code(), e.message().as_str()), (1802, "missing required parameters, error: Key: 'PartitionReq.PartitionName' ..."));
/// assert_eq!(BindError::EmptyBody.code(), 1801);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindError {
    /// 1801: the body is empty (Go's `io.EOF`).
    EmptyBody,
    /// 1801: a JSON syntax or type error, or a body that could not be read, with Go's text.
    BadJson(String),
    /// 1802: `binding:"required"` failures, with the validator's text.
    MissingParameters(String),
}

impl BindError {
    /// The answer's code: 1801 (`ErrIncorrectParameterFormat`) or 1802 (`ErrMissingRequiredParameters`).
    pub fn code(&self) -> i64 {
        match self {
            BindError::EmptyBody | BindError::BadJson(_) => 1801,
            BindError::MissingParameters(_) => 1802,
        }
    }

    /// The answer's message, as `wrapperPost` words it.
    pub fn message(&self) -> String {
        match self {
            BindError::EmptyBody => {
                "can only accept json format request, the request body should be nil, however {} is valid".into()
            }
            BindError::BadJson(e) => format!("can only accept json format request, error: {e}"),
            BindError::MissingParameters(e) => format!("missing required parameters, error: {e}"),
        }
    }
}

impl From<DecodeError> for BindError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Empty => BindError::EmptyBody,
            DecodeError::Invalid(m) => BindError::BadJson(m),
        }
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

    /// [`MilvusRequest::fast`] for a request that may keep the body (a reference, not a copy) to read part of it
    /// later (`api::data_body`).
    fn fast_body(body: &Bytes) -> Option<Self> {
        Self::fast(body)
    }

    /// Reads what the request needs from the headers (the data plane's `Accept-Type-Allow-Int64`).
    fn read_headers(&mut self, _headers: &axum::http::HeaderMap) {}
}

/// The bare struct name (`CollectionNameReq`), as the validator and type errors print it.
pub fn struct_name(go_type: &'static str) -> &'static str {
    go_type.rsplit('.').next().unwrap_or(go_type)
}

/// Binds a body as gin's `ShouldBindBodyWith(req, binding.JSON)` plus Milvus's `wrapperPost` would.
pub fn decode<R: MilvusRequest>(body: &[u8]) -> Result<R, BindError> {
    match R::fast(body) {
        Some(request) => validated(request),
        None => decode_go(body),
    }
}

/// [`decode`] of a body the request may keep ([`MilvusRequest::fast_body`]): the REST routes'.
pub fn decode_body<R: MilvusRequest>(body: &Bytes) -> Result<R, BindError> {
    match R::fast_body(body) {
        Some(request) => validated(request),
        None => decode_go(body),
    }
}

/// [`decode`] without the fast path: the Go-compatible binding and the validator. For a request whose fast path
/// left part of the body unread and has to bind it again (`api::data_body`).
pub(crate) fn decode_go<R: MilvusRequest>(body: &[u8]) -> Result<R, BindError> {
    validated(bind::<R>(body)?)
}

/// The `binding:"required"` validator's verdict on a decoded request.
fn validated<R: MilvusRequest>(request: R) -> Result<R, BindError> {
    let mut required = Required::default();
    request.required(&mut required);
    match required.into_message() {
        Some(m) => Err(BindError::MissingParameters(m)),
        None => Ok(request),
    }
}

/// Go's `json.Decode` of a body into `R`: syntax and type errors as Go words them.
pub(crate) fn bind<R: MilvusRequest>(body: &[u8]) -> Result<R, BindError> {
    let value = json::parse(body)?;
    let members = json::top_level(value, R::GO_TYPE)?;
    let mut first_error = None;
    let request = {
        let mut object = GoObject::from_members(members, struct_name(R::GO_TYPE), &mut first_error);
        R::read(&mut object)
    };
    match first_error {
        Some(e) => Err(BindError::BadJson(e)),
        None => Ok(request),
    }
}

//! The request journal: what each Milvus call was and how it ended, kept cheaply on the hot path and turned into
//! [`JournalEntry`]s when read (`GET /_mock/requests`, `MockMilvus::requests`).

use std::borrow::Cow;
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::ops::{JOURNAL_BODY_LIMIT, Operation, Transport};

/// One Milvus call, as the journal keeps it.
///
/// ```
/// let milvus = milvus_mock::MockMilvus::start_blocking();
/// // ... the code under test calls the mock ...
/// milvus.http_call_blocking("POST", "/v2/vectordb/collections/has", &[], r#"{"collectionName":"book"}"#);
/// let call = &milvus.requests()[0];
/// assert_eq!((call.path.as_str(), call.db_name.as_str(), call.collection.as_deref()), ("/v2/vectordb/collections/has", "default", Some("book")));
/// assert_eq!((call.operation.name(), call.transport), ("collections/has", milvus_mock::Transport::Rest));
/// assert_eq!((call.code, call.http_status, call.connection_closed), (Some(0), Some(200), false));
/// ```
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JournalEntry {
    /// Milliseconds since the Unix epoch.
    pub time_ms: u64,
    pub method: String,
    pub path: String,
    /// The Milvus operation, named as its REST path below `/v2/vectordb/` (`partitions/release`).
    pub operation: Operation,
    /// The wire the call came in on (`rest` or `grpc`; a gRPC call's `method` and `path` are those of its
    /// operation's REST route, its `body` the request message's debug text).
    pub transport: Transport,
    pub db_name: String,
    pub collection: Option<String>,
    /// The body as JSON when it parses, else as text.
    pub body: Value,
    /// The Milvus `code` answered (absent for 404, 401 and such).
    pub code: Option<i64>,
    /// The HTTP status answered; `null` when the connection was closed instead (a `closeConnection` fault).
    pub http_status: Option<u16>,
    /// True when the client got no answer: the connection was closed (a `closeConnection` fault).
    pub connection_closed: bool,
    pub latency_us: u64,
    /// A call that ran after its answer (a latency fault past `Request-Timeout` answered 408 first): `code` and
    /// `httpStatus` are those of the answer it would have given. Left out of the JSON when false.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub late: bool,
}

/// What the hot path keeps of a call: cheap to record, turned into a [`JournalEntry`] when read.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub time_ms: u64,
    pub operation: Operation,
    pub transport: Transport,
    /// The names as the call was decoded (the body kept below may be cut).
    pub db: String,
    pub collection: Option<String>,
    pub body: KeptBody,
    pub code: Option<i64>,
    /// `None`: no answer, the connection was closed.
    pub http_status: Option<u16>,
    pub latency_us: u64,
    pub late: bool,
}

/// What the journal keeps of a request's body.
#[derive(Clone)]
pub(crate) enum KeptBody {
    /// The bytes, already cut at [`JOURNAL_BODY_LIMIT`] (REST's body; a large gRPC message's debug text).
    Bytes(Bytes),
    /// A gRPC request message, kept as it is and written out as its debug text only when the journal is read:
    /// formatting it cost a small call more than the rest of the journal (3.8k of a 64k-instruction
    /// `ReleasePartitions`, bench/README.md). Only small messages are kept so (see `crate::grpc`).
    Message(Arc<dyn fmt::Debug + Send + Sync>),
}

impl KeptBody {
    /// The bytes the journal shows: the kept ones, or the message's debug text cut as the bytes are.
    pub(crate) fn bytes(&self) -> Cow<'_, [u8]> {
        match self {
            KeptBody::Bytes(bytes) => Cow::Borrowed(bytes),
            KeptBody::Message(message) => {
                let mut text = format!("{message:?}").into_bytes();
                text.truncate(JOURNAL_BODY_LIMIT);
                Cow::Owned(text)
            }
        }
    }
}

impl fmt::Debug for KeptBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.bytes()))
    }
}

impl Recorded {
    fn entry(&self) -> JournalEntry {
        let bytes = self.body.bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        JournalEntry {
            time_ms: self.time_ms,
            method: "POST".into(),
            path: self.operation.rest_path().to_string(),
            operation: self.operation,
            transport: self.transport,
            db_name: self.db.clone(),
            collection: self.collection.clone(),
            body,
            code: self.code,
            http_status: self.http_status,
            connection_closed: self.http_status.is_none(),
            latency_us: self.latency_us,
            late: self.late,
        }
    }
}

/// A bounded journal: when full, the oldest entries go first and are counted.
#[derive(Debug)]
pub(crate) struct Journal {
    capacity: usize,
    inner: Mutex<JournalInner>,
}

#[derive(Debug, Default)]
struct JournalInner {
    entries: VecDeque<Recorded>,
    dropped: u64,
}

impl Journal {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(JournalInner::default()) }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, JournalInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Records one call (a no-op when the capacity is 0).
    pub fn record(&self, entry: Recorded) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.lock();
        while inner.entries.len() >= self.capacity {
            inner.entries.pop_front();
            inner.dropped += 1;
        }
        inner.entries.push_back(entry);
    }

    /// The entries (oldest first) and how many were dropped.
    pub fn entries(&self) -> (Vec<JournalEntry>, u64) {
        let (recorded, dropped) = {
            let inner = self.lock();
            (inner.entries.iter().cloned().collect::<Vec<_>>(), inner.dropped)
        };
        (recorded.iter().map(Recorded::entry).collect(), dropped)
    }

    pub fn clear(&self) {
        *self.lock() = JournalInner::default();
    }

    /// How many entries it keeps (0: off).
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::{Operation, Transport};
    use axum::body::Bytes;

    #[test]
    fn the_journal_drops_the_oldest_and_counts_them() {
        let journal = Journal::new(2);
        for i in 0..5 {
            journal.record(Recorded {
                time_ms: i,
                operation: Operation::ListCollections,
                transport: Transport::Rest,
                db: "default".into(),
                collection: None,
                body: KeptBody::Bytes(Bytes::from_static(b"{}")),
                code: Some(0),
                http_status: Some(200),
                latency_us: 0,
                late: false,
            });
        }
        let (entries, dropped) = journal.entries();
        assert_eq!(entries.iter().map(|e| e.time_ms).collect::<Vec<_>>(), [3, 4]);
        assert_eq!(dropped, 3);
    }
}

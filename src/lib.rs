#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

// The public API is what a test author uses, re-exported item by item below; the modules stay private so the
// layout can change. `catalog`, `error` and `fixtures` are public for the types a test reads state with.
mod api;
mod app;
mod auth;
pub mod catalog;
mod conn;
mod control;
mod envelope;
pub mod error;
mod faults;
pub mod filter;
pub mod fixtures;
mod go;
#[cfg(feature = "grpc")]
mod grpc;
mod journal;
mod names;
mod ops;
mod server;
mod state;
mod version;

pub use app::{serve, serve_all};
pub use auth::{ROOT_PASSWORD, ROOT_USER, Users};
pub use catalog::{
    AliasView, Catalog, CollectionView, DatabaseView, FieldView, FunctionView, IndexView, Limits, LoadProgress,
};
pub use error::Error;
pub use faults::FaultRule;
pub use fixtures::Fixture;
pub use journal::JournalEntry;
pub use ops::{Operation, Transport};
pub use server::{MockMilvus, MockMilvusBuilder};
pub use state::{AppState, Config};
pub use version::{MilvusVersion, Profile};

/// The defaults of [`Config`], as the binary's flags show them.
pub mod defaults {
    pub use crate::state::{
        DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_JOURNAL_SIZE,
        DEFAULT_SHUTDOWN_TIMEOUT, JOURNAL_BODY_LIMIT,
    };
}

/// Internals the crate's own test suites and fuzz targets drive directly; not part of the API.
#[doc(hidden)]
pub mod testing {
    pub use crate::api::{PREFIX, aliases, collections, databases, indexes, operations, partitions};
    pub use crate::app::{MockService, router, unescape_path};
    pub use crate::go::bind::{BindError, MilvusRequest, decode};
    pub use crate::go::json::{DecodeError, scan};
}

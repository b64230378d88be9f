#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

// The public API is what a test author uses, re-exported item by item below; the modules stay private so the
// layout can change. `catalog`, `error`, `fixtures` and `rows` are public for the types a test reads state with.
mod api;
mod app;
mod auth;
pub mod catalog;
mod conn;
mod control;
mod envelope;
pub mod error;
mod faults;
#[doc(hidden)]
pub mod filter;
pub mod fixtures;
mod go;
#[cfg(feature = "grpc")]
mod grpc;
mod journal;
mod names;
mod ops;
// The data plane's storage; public for `Key` and the row types `Catalog`'s row API uses.
pub mod rows;
// The data plane's pure parts (with `filter`): public for the benchmark and the fuzz targets, not part of the API.
#[doc(hidden)]
pub mod search;
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

    /// A deterministic pseudo-random vector with elements in [-1, 1) (splitmix64 of `seed`), for the benchmark and
    /// the tests.
    pub fn vector(seed: u64, dim: usize) -> Vec<f32> {
        let mut state = seed;
        (0..dim)
            .map(|_| {
                state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                ((z ^ (z >> 31)) >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }
}

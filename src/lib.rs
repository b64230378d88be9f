//! # milvus-mock
//!
//! A fast, stateful mock of the Milvus RESTful API v2 (`POST /v2/vectordb/...`) for tests: databases,
//! collections, partitions, indexes, aliases and their load state, answered with Milvus's own envelope, codes and
//! messages.
//!
//! ```
//! use milvus_mock::MockMilvus;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let milvus = MockMilvus::start().await;
//! // Point the code under test at `milvus.uri()`, then look at what it did:
//! milvus.catalog().create_database("analytics", vec![]).unwrap();
//! assert_eq!(milvus.catalog().list_databases(), ["default", "analytics"]);
//! # }
//! ```
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod auth;
pub mod catalog;
pub mod control;
pub mod envelope;
pub mod error;
pub mod fixtures;
pub mod gojson;
pub mod names;
pub mod server;
pub mod version;

pub use app::{Config, serve};
pub use auth::Users;
pub use catalog::{Catalog, Limits};
pub use error::Error;
pub use server::{MockMilvus, MockMilvusBuilder};
pub use version::{MilvusVersion, Profile};

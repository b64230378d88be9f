#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

#[doc(hidden)]
pub mod api;
pub mod app;
pub mod auth;
pub mod catalog;
pub mod conn;
pub mod control;
#[doc(hidden)]
pub mod envelope;
pub mod error;
mod faults;
pub mod fixtures;
#[doc(hidden)]
pub mod gojson;
#[cfg(feature = "grpc")]
pub mod grpc;
mod journal;
#[doc(hidden)]
pub mod names;
pub mod ops;
pub mod server;
mod state;
pub mod version;

pub use app::{Config, serve};
pub use auth::Users;
pub use catalog::{
    AliasView, Catalog, CollectionView, DatabaseView, FieldView, FunctionView, IndexView, Limits, LoadProgress,
};
pub use error::Error;
pub use server::{MockMilvus, MockMilvusBuilder};
pub use version::{MilvusVersion, Profile};

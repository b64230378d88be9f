#![doc = include_str!("../README.md")]
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

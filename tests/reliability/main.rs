//! Robustness: bad input, limits, concurrency, panics, shutdown and auth never break the mock or its answers.
//!
//! Reliability: bad input never breaks the mock, its limits answer as Milvus's do, it stays consistent under
//! concurrent load and release, it survives panics, shuts down gracefully and never says whether a user exists.
//!
//! * `inputs`: proptest over arbitrary bytes and arbitrary JSON for every route (no panic, no hang, always the
//!   envelope, a rejected call changes nothing); it prints how many inputs it tried. The cargo-fuzz targets in
//!   `fuzz/` do the same at a larger scale (`scripts/fuzz.sh`).
//! * `limits`: the body limit, deep nesting, 10,000 names in one call, odd names, the partition and database limits.
//! * `concurrency`: thousands of concurrent DDL and load/release calls over HTTP, then the invariants.
//! * `connections`: raw TCP, as Go's `net/http` treats connections: an answer sent before the body was read keeps
//!   the connection, header and body read timeouts, body read errors with Go's texts.
//! * `panics`, `shutdown`, `auth`: what the titles say.
//!
//! `RELIABILITY_CASES` sets the proptest case count of each property (default 3000).

mod common;
/// The shared HTTP client (`tests/common`); `common` here is the file the fuzz targets share.
#[path = "../common/mod.rs"]
mod shared;
mod support;

mod auth;
mod concurrency;
mod connections;
mod inputs;
mod limits;
mod panics;
mod shutdown;
mod state;

//! The HTTP integration tests: every test starts its own mock Milvus and talks to it over real HTTP, the way a
//! client under test would. Each module covers one part of the contract (`../shared/milvus-rest-v2.md` and its
//! part 2); the expected bodies are Milvus's, byte for byte where bytes matter.

mod helpers;

mod aliases;
mod cli;
mod collections;
mod control;
mod control_state;
mod databases;
mod embedding;
mod indexes;
mod load_state;
mod numbers;
mod partitions;
mod transport;
mod versions;

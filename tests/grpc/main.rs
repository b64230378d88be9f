//! The gRPC front (`src/grpc/`) against milvus-sdk-rust's own generated client, over a real connection to a
//! [`MockMilvus`] that serves REST on the same port. Whole responses are asserted: the `common.Status` fields
//! (code, reason, legacy error code, detail) and the state afterwards, over gRPC and over REST.

mod support;

mod collections;
mod cross_transport;
mod databases_indexes_aliases;
mod pipeline;
mod sdk_client;
mod transport;

//! How a call's [`Outcome`] becomes a gRPC answer: Milvus's `common.Status` in the response message for every
//! business error (`merr.Status` in `pkg/util/merr/utils.go`), gRPC status codes only where Milvus's gRPC server
//! itself would use one.

use milvus::proto::common::Status;
use milvus::proto::milvus as pb;

use crate::error::{Error, LegacyErrorCode};
use crate::ops::Outcome;
use crate::version::Profile;

/// The header a [`Outcome::Closed`] answer carries from the front to the connection layer, which turns it into a
/// reset stream (see `super::GrpcService`). Never sent on the wire.
pub(super) const ABORT_HEADER: &str = "x-milvus-mock-abort";

/// `merr.Status(err)`: `code`, `reason`, the legacy `error_code` (`oldCode(code)`), and `detail` equal to `reason`
/// (one wrapped error, so `previousLastError(err)` and `err` print the same). `retriable` stays false: none of the
/// codes the mock answers is retriable in Milvus.
#[allow(deprecated)] // `error_code` is deprecated in the proto, but pymilvus, the Go and the Rust SDKs still read it.
pub(crate) fn status(code: i64, reason: String) -> Status {
    Status {
        code: code as i32,
        error_code: LegacyErrorCode::for_code(code) as i32,
        detail: reason.clone(),
        reason,
        ..Status::default()
    }
}

/// The status of a Milvus error under `profile`: the code and text REST answers, except for `DescribeCollection`'s
/// missing collection ([`describe_not_found`]).
pub(crate) fn error_status(error: &Error, profile: &Profile) -> Status {
    match error {
        Error::CollectionNotFoundDescribe { db, name } => describe_not_found(db, name, profile),
        _ => status(error.code(profile), error.message(profile)),
    }
}

/// `DescribeCollection` of a missing collection: the proxy takes rootcoord's status (code 100, `detail` its
/// `collection not found[...]`) and, "for compatibility with PyMilvus", rewrites the reason to `can't find
/// collection[...]`, the legacy code to `UnexpectedError` and flags the error as the user's
/// (`describeCollectionTask.Execute`, `internal/proxy/task.go`). pymilvus's `has_collection` still reads code 100
/// as `False`.
#[allow(deprecated)] // `error_code`, as in `status`.
fn describe_not_found(db: &str, name: &str, profile: &Profile) -> Status {
    let rootcoord = Error::CollectionNotFound { db: db.to_string(), name: name.to_string() };
    let reason = Error::CollectionNotFoundDescribe { db: db.to_string(), name: name.to_string() }.message(profile);
    Status {
        code: 100,
        error_code: LegacyErrorCode::UnexpectedError as i32,
        reason,
        detail: rootcoord.message(profile),
        extra_info: [("is_input_error".to_string(), "true".to_string())].into(),
        ..Status::default()
    }
}

/// A response message that carries a `common.Status`: an error answer is the message with only its status set, as
/// Milvus's proxy answers (`&milvuspb.XxxResponse{Status: merr.Status(err)}`).
pub(crate) trait WithStatus: Default {
    fn with_status(status: Status) -> Self;
}

impl WithStatus for Status {
    fn with_status(status: Status) -> Self {
        status
    }
}

macro_rules! with_status {
    ($($response:ty),* $(,)?) => {
        $(impl WithStatus for $response {
            fn with_status(status: Status) -> Self {
                Self { status: Some(status), ..Self::default() }
            }
        })*
    };
}

with_status!(
    pb::BoolResponse,
    pb::ListDatabasesResponse,
    pb::DescribeDatabaseResponse,
    pb::DescribeCollectionResponse,
    pb::ShowCollectionsResponse,
    pb::GetLoadingProgressResponse,
    pb::GetLoadStateResponse,
    pb::GetCollectionStatisticsResponse,
    pb::GetPartitionStatisticsResponse,
    pb::ShowPartitionsResponse,
    pb::DescribeIndexResponse,
    pb::DescribeAliasResponse,
    pb::ListAliasesResponse,
    pb::MutationResult,
    pb::QueryResults,
    pb::SearchResults,
    pb::FlushResponse,
);

/// What the mock answers for a panicked call: `common.Status` code 500 (the code the journal records and REST's
/// `{"code":500}` carries), legacy `UnexpectedError`. Not gRPC INTERNAL, which pymilvus retries for minutes.
pub(crate) const PANIC_REASON: &str = "internal error: the mock panicked while handling the call";

/// The gRPC answer to an outcome.
///
/// * A Milvus answer, an injected fault and a panic are gRPC OK with the message's `common.Status`.
/// * A latency fault past the caller's `grpc-timeout` is `DEADLINE_EXCEEDED`, what a client sees when its deadline
///   passes on a real Milvus (grpc-go's client ends the call itself; Milvus's handler keeps running, as here).
/// * A closed connection is a reset stream: the answer is marked with [`ABORT_HEADER`] and the service resets it.
#[allow(clippy::result_large_err)] // tonic's own answer type, which the generated trait returns.
pub(crate) fn render<O: WithStatus>(outcome: Outcome<O>, profile: &Profile) -> Result<O, tonic::Status> {
    match outcome {
        Outcome::Milvus(Ok(response)) => Ok(response),
        Outcome::Milvus(Err(e)) => Ok(O::with_status(error_status(&e, profile))),
        Outcome::Injected { code, message, .. } => Ok(O::with_status(status(code, message))),
        Outcome::Panicked => Ok(O::with_status(status(500, PANIC_REASON.into()))),
        Outcome::TimedOut => Err(tonic::Status::deadline_exceeded("context deadline exceeded")),
        Outcome::Closed => {
            let mut status = tonic::Status::unavailable("injected connection close");
            status.metadata_mut().insert(ABORT_HEADER, tonic::metadata::MetadataValue::from_static("1"));
            Err(status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(deprecated)]
    fn a_milvus_error_is_ok_with_the_rest_code_text_and_legacy_code() {
        let profile = Profile::default();
        let e = Error::CollectionNotFound { db: "default".into(), name: "c".into() };
        let answer: Status = render(Outcome::Milvus(Err(e)), &profile).unwrap();
        let reason = "collection not found[database=default][collection=c]";
        assert_eq!(
            answer,
            Status {
                code: 100,
                error_code: 4,
                reason: reason.into(),
                detail: reason.into(),
                retriable: false,
                extra_info: Default::default()
            }
        );
        let described: pb::DescribeCollectionResponse = render(
            Outcome::Milvus(Err(Error::CollectionNotFoundDescribe { db: "d".into(), name: "c".into() })),
            &profile,
        )
        .unwrap();
        let expected = Status {
            code: 100,
            error_code: 1,
            reason: "can't find collection[database=d][collection=c]".into(),
            detail: "collection not found[database=d][collection=c]".into(),
            retriable: false,
            extra_info: [("is_input_error".to_string(), "true".to_string())].into(),
        };
        assert_eq!(described.status, Some(expected));
        let partition: pb::BoolResponse =
            render(Outcome::Milvus(Err(Error::PartitionNotFound { name: "p".into() })), &profile).unwrap();
        assert_eq!(partition.status.map(|s| (s.code, s.error_code)), Some((200, 15)));
        assert!(!partition.value);
    }

    #[test]
    fn faults_panics_and_deadlines() {
        let profile = Profile::default();
        let injected = Outcome::<Status>::Injected { http_status: 503, code: 8, message: "slow down".into() };
        let s = render(injected, &profile).unwrap();
        assert_eq!((s.code, s.reason.as_str()), (8, "slow down"));
        assert_eq!(render(Outcome::<Status>::Panicked, &profile).unwrap().code, 500);
        let late = render(Outcome::<Status>::TimedOut, &profile).unwrap_err();
        assert_eq!(late.code(), tonic::Code::DeadlineExceeded);
        let closed = render(Outcome::<Status>::Closed, &profile).unwrap_err();
        assert!(closed.metadata().get(ABORT_HEADER).is_some());
    }
}

//! Arbitrary bytes through the Go-compatible decoder: `go::json::scan`, then `go::bind::decode` into the request
//! structs of the richest routes. A finding is a panic or a hang, or a disagreement between the two: `decode`
//! must fail whenever `scan` does, with the 1801 text of `scan`'s error.

#![no_main]

use libfuzzer_sys::fuzz_target;
use milvus_mock::testing::{aliases, collections, databases, indexes, partitions};
use milvus_mock::testing::{BindError, MilvusRequest, decode};
use milvus_mock::testing::{DecodeError, scan};

fn check<R: MilvusRequest>(body: &[u8], scanned: &Result<serde_json::Value, DecodeError>) {
    match (decode::<R>(body), scanned) {
        (Err(BindError::EmptyBody), Err(DecodeError::Empty)) => {}
        (Err(e), Err(DecodeError::Invalid(m))) => {
            assert_eq!(e.code(), 1801, "{m}");
            assert_eq!(e.message(), format!("can only accept json format request, error: {m}"));
        }
        (Ok(_), Err(e)) => panic!("decode accepted what scan rejected ({e:?})"),
        (Err(e), Err(DecodeError::Empty)) => panic!("an empty body decoded as {e:?}, not EmptyBody"),
        (result, Ok(_)) => {
            if let Err(e) = result {
                assert!(matches!(e.code(), 1801 | 1802), "decode error with code {}", e.code());
                let _ = e.message();
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let scanned = scan(data);
    check::<collections::CollectionReq>(data, &scanned);
    check::<collections::CollectionNameReq>(data, &scanned);
    check::<collections::RenameCollectionReq>(data, &scanned);
    check::<partitions::PartitionsReq>(data, &scanned);
    check::<partitions::PartitionReq>(data, &scanned);
    check::<databases::DatabaseReqWithProperties>(data, &scanned);
    check::<indexes::IndexParamReq>(data, &scanned);
    check::<aliases::AliasCollectionReq>(data, &scanned);
});

//! The `request!` macro's fast path (serde, for the plain body) decodes exactly what the Go-compatible binding does.

use crate::api::aliases::AliasCollectionReq;
use crate::api::collections::{CollectionNameReq, RenameCollectionReq};
use crate::api::databases::EmptyReq;
use crate::api::partitions::{PartitionReq, PartitionsReq};
use crate::go::bind::{MilvusRequest, bind};
use proptest::prelude::*;

/// Keys a body may have: the fields' own, Go's case-insensitive matches of them, escaped spellings, strangers.
const KEYS: &[&str] = &[
    "dbName",
    "collectionName",
    "partitionNames",
    "partitionName",
    "aliasName",
    "newCollectionName",
    "collectionname",
    "COLLECTIONNAME",
    "partitionnames",
    "collection\\u004eame",
    "other",
    "",
];

/// Values: plain and awkward strings, `null`, numbers, arrays (of strings or not), objects.
const VALUES: &[&str] = &[
    r#""quick_setup""#,
    r#""january""#,
    r#""""#,
    r#""caf\u00e9""#,
    r#""\ud800""#,
    r#""a\nb""#,
    "\"\u{e9}t\u{e9}\"",
    "null",
    "0",
    "-1.5e3",
    "true",
    r#"["_default","january"]"#,
    "[]",
    r#"["a",null]"#,
    "[1]",
    r#"{"a":"b"}"#,
    "[[]]",
    r#""x"#,
];

/// Bodies near the release body: objects of 0-4 members from `KEYS` x `VALUES`, random blanks, sometimes
/// a duplicate key or trailing bytes, sometimes raw bytes that are not UTF-8, sometimes an array or a scalar
/// instead of an object.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let member = (0..KEYS.len(), 0..VALUES.len(), prop::bool::ANY)
        .prop_map(|(k, v, blank)| format!("\"{}\"{}:{}", KEYS[k], if blank { " " } else { "" }, VALUES[v]));
    let shape = 0..8u8;
    (prop::collection::vec(member, 0..5), 0..4u8, prop::bool::ANY, shape).prop_map(|(members, tail, latin1, shape)| {
        let values: Vec<&str> = members.iter().map(|m| m.rsplit(':').next().unwrap_or("null")).collect();
        let mut text = match shape {
            0 => format!("[{}]", values.join(",")),
            1 => values.first().unwrap_or(&"null").to_string(),
            _ => format!("{{{}}}", members.join(",")),
        };
        match tail {
            1 => text.push_str(" \n"),
            2 => text.push_str(" trailing"),
            3 => text.insert(0, ' '),
            _ => {}
        }
        let mut bytes = text.into_bytes();
        if latin1 && let Some(i) = bytes.iter().position(|&b| b == b'q') {
            bytes[i] = 0xe9;
        }
        bytes
    })
}

/// What the fast path decodes is exactly what the Go-compatible path does; `hits` counts its answers.
fn same<R: MilvusRequest + PartialEq + std::fmt::Debug>(body: &[u8], hits: &mut u32) -> Result<(), TestCaseError> {
    if let Some(fast) = R::fast(body) {
        *hits += 1;
        prop_assert_eq!(bind::<R>(body), Ok(fast), "{}", String::from_utf8_lossy(body));
    }
    Ok(())
}

#[test]
fn the_release_body_takes_the_fast_path() {
    let body = br#"{"collectionName":"quick_setup","partitionNames":["_default","january"]}"#;
    let expected = PartitionsReq {
        db_name: String::new(),
        collection_name: "quick_setup".into(),
        partition_names: Some(vec!["_default".into(), "january".into()]),
    };
    assert_eq!(PartitionsReq::fast(body), Some(expected));
    // Go-only spellings are left to the Go-compatible path.
    assert_eq!(PartitionsReq::fast(br#"{"collectionname":"quick_setup","partitionNames":[]}"#), None);
    assert_eq!(PartitionsReq::fast(br#"{"collectionName":"a","collectionName":"b"}"#), None);
    assert_eq!(PartitionsReq::fast(br#"{"collectionName":null}"#), None);
}

#[test]
fn the_fast_path_decodes_as_go_does() {
    let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
    let hits = std::cell::Cell::new(0);
    proptest::test_runner::TestRunner::new(config)
        .run(&body(), |body| {
            let mut n = 0;
            same::<PartitionsReq>(&body, &mut n)?;
            same::<PartitionReq>(&body, &mut n)?;
            same::<CollectionNameReq>(&body, &mut n)?;
            same::<RenameCollectionReq>(&body, &mut n)?;
            same::<AliasCollectionReq>(&body, &mut n)?;
            same::<EmptyReq>(&body, &mut n)?;
            hits.set(hits.get() + n);
            Ok(())
        })
        .unwrap();
    // Not vacuous: the fast path answered for a good share of the 20,000 bodies x 6 types.
    assert!(hits.get() > 2_000, "fast path used {} times", hits.get());
}

#[test]
fn call_names_read_as_the_go_compatible_binding_does() {
    use crate::api::{CallNamesReq, plain_names};
    let config = ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() };
    let hits = std::cell::Cell::new(0);
    proptest::test_runner::TestRunner::new(config)
        .run(&body(), |body| {
            if let Some((db, collection)) = plain_names(&body) {
                hits.set(hits.get() + 1);
                let go = bind::<CallNamesReq>(&body).map(|r| (r.db_name, r.collection_name));
                prop_assert_eq!(go, Ok((db, collection)), "{}", String::from_utf8_lossy(&body));
            }
            Ok(())
        })
        .unwrap();
    assert!(hits.get() > 2_000, "serde read {} bodies", hits.get());
    assert_eq!(
        plain_names(br#"{"dbName":"a","other":[1,{"x":2}],"collectionName":"c"}"#),
        Some(("a".into(), "c".into()))
    );
    assert_eq!(plain_names(br#"{"DBNAME":"a"}"#), None);
}

//! Arbitrary bytes as a filter expression: compiled against a schema with every filterable field kind (and the
//! dynamic field), then evaluated on two rows. A finding is a panic, a hang, or an error that is not Milvus's
//! 1100 `failed to create query plan: ...: invalid parameter`. The same body runs in `cargo test` as a property
//! test (`filter::props`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    milvus_mock::filter::fuzzing::compile_and_evaluate(data);
});

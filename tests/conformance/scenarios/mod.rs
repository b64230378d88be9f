//! The scenarios, one module per part of the contract. Each is an `async fn(Scn) -> Step`, tagged below with the
//! Milvus versions it applies to; inside, texts that differ between versions branch on `s.version()`.

mod aliases;
mod collections;
mod databases;
mod decoding;
mod entities;
mod errors;
mod idempotency;
mod indexes;
mod load_state;
mod names;
mod partitions;
mod rename;
mod seed;
mod transport;

use crate::harness::{Scenario, Version};

/// `scenario!(module::function, SINCE..=UNTIL)`; a trailing `, auth` marks a scenario that needs authentication.
macro_rules! scenario {
    ($module:ident :: $name:ident, $since:ident ..= $until:ident) => {
        scenario!(@ $module::$name, $since, $until, false)
    };
    ($module:ident :: $name:ident, $since:ident ..= $until:ident, auth) => {
        scenario!(@ $module::$name, $since, $until, true)
    };
    (@ $module:ident :: $name:ident, $since:ident, $until:ident, $auth:expr) => {
        Scenario {
            name: concat!(stringify!($module), "::", stringify!($name)),
            since: Version::$since,
            until: Version::$until,
            needs_auth: $auth,
            run: |s| Box::pin($module::$name(s)),
        }
    };
}

/// Every scenario, in the order they run.
pub fn all() -> Vec<Scenario> {
    vec![
        scenario!(seed::release_page_example, V2_4..=V3_0),
        scenario!(partitions::lifecycle, V2_4..=V3_0),
        scenario!(partitions::stats_and_has, V2_4..=V3_0),
        scenario!(load_state::partition_loads, V2_4..=V3_0),
        scenario!(load_state::collection_loads, V2_4..=V3_0),
        scenario!(load_state::empty_and_unknown_partition_lists, V2_4..=V3_0),
        scenario!(load_state::empty_partition_name, V2_4..=V3_0),
        scenario!(load_state::collection_without_index, V2_4..=V3_0),
        scenario!(load_state::partition_key_collection, V2_4..=V3_0),
        scenario!(errors::unknown_collection, V2_4..=V3_0),
        scenario!(errors::unknown_partition, V2_4..=V3_0),
        scenario!(errors::unknown_database, V2_5..=V3_0),
        scenario!(names::collection_names, V2_4..=V3_0),
        scenario!(names::collection_name_trimmed, V2_4..=V2_5),
        scenario!(names::collection_name_not_trimmed, V3_0..=V3_0),
        scenario!(names::partition_names, V2_4..=V3_0),
        scenario!(names::database_names, V2_5..=V3_0),
        scenario!(names::alias_names, V2_4..=V3_0),
        scenario!(decoding::bad_json_is_1801, V2_4..=V3_0),
        scenario!(decoding::missing_fields_are_1802, V2_4..=V3_0),
        scenario!(decoding::lenient_binding, V2_4..=V3_0),
        scenario!(decoding::empty_body_of_databases_list, V2_5..=V3_0),
        scenario!(idempotency::repeated_creates_and_drops, V2_4..=V3_0),
        scenario!(idempotency::database_drops, V2_5..=V3_0),
        scenario!(collections::lifecycle, V2_4..=V3_0),
        scenario!(collections::quick_setup_checks, V2_4..=V3_0),
        scenario!(collections::custom_schema_with_index_loads, V2_4..=V3_0),
        scenario!(rename::rename_collection, V2_4..=V3_0),
        scenario!(databases::lifecycle, V2_5..=V3_0),
        scenario!(databases::property_routes, V2_6..=V3_0),
        scenario!(databases::routes_absent_in_2_4, V2_4..=V2_4),
        scenario!(indexes::basics, V2_4..=V3_0),
        scenario!(indexes::list_of_unindexed_collection, V2_5..=V3_0),
        scenario!(indexes::load_needs_every_vector_indexed, V2_4..=V3_0),
        scenario!(aliases::basics, V2_4..=V3_0),
        scenario!(aliases::drop_collection_with_alias, V2_4..=V3_0),
        scenario!(entities::int64_rows, V2_6..=V3_0),
        scenario!(entities::int64_header, V2_6..=V3_0),
        scenario!(entities::partial_update, V2_6..=V3_0),
        scenario!(entities::varchar_rows, V2_6..=V3_0),
        scenario!(entities::auto_id_rows, V2_6..=V3_0),
        scenario!(entities::load_gating, V2_6..=V3_0),
        scenario!(entities::request_errors, V2_6..=V3_0),
        scenario!(entities::values_and_filters, V2_6..=V3_0),
        scenario!(entities::grouping_and_hybrid, V2_6..=V3_0),
        scenario!(entities::rows_in_a_database, V2_6..=V3_0),
        scenario!(entities::sparse_ip, V2_6..=V3_0),
        scenario!(transport::routing, V2_4..=V3_0),
        scenario!(transport::envelope_bytes, V2_4..=V3_0),
        scenario!(transport::cors_and_preflight, V2_4..=V3_0),
        scenario!(transport::request_timeout_header, V2_4..=V3_0),
        scenario!(transport::authentication, V2_4..=V3_0, auth),
    ]
}

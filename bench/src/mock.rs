//! The mock under test, in-process (`MockMilvus`, its own thread and current-thread runtime) and its state.
//!
//! State is made through the library's seeding helpers (`Catalog::quick_setup`, `Catalog::create_partition`),
//! without HTTP; a seeded collection is exactly what `POST /v2/vectordb/collections/create` quick setup makes:
//! indexed and loaded.

use milvus_mock::catalog::DEFAULT_DATABASE;
use milvus_mock::{Limits, MockMilvus, MockMilvusBuilder};

/// The collection the release scenario targets, as in the issue.
pub const COLLECTION: &str = "quick_setup";
/// The release body of the issue.
pub const RELEASE_BODY: &str = r#"{"collectionName":"quick_setup","partitionNames":["_default","january"]}"#;

/// How big the state is.
#[derive(Debug, Clone, Copy)]
pub struct StateSize {
    /// Extra quick-setup collections besides `quick_setup` (in `default`).
    pub extra_collections: usize,
    /// Partitions of `quick_setup`, counting `_default` and `january` (at least 2).
    pub partitions: usize,
}

impl StateSize {
    pub const ONE: StateSize = StateSize { extra_collections: 0, partitions: 2 };
}

/// Starts a mock with room for `size` (Milvus's default limit is 65,536 collections).
pub fn start(size: StateSize) -> MockMilvus {
    builder(size).start_blocking()
}

/// The builder `start` uses (defaults as a test gets them: control plane and request journal on).
pub fn builder(size: StateSize) -> MockMilvusBuilder {
    let limits = Limits {
        max_collections: Limits::default().max_collections.max(size.extra_collections + 1024),
        ..Limits::default()
    };
    MockMilvus::builder().limits(limits)
}

/// Quick setup through the library (`Catalog::quick_setup`): what `collections/create` with
/// `{"collectionName": name, "dimension": 5}` makes — indexed and loaded.
fn quick_setup(milvus: &MockMilvus, name: &str) {
    if let Err(e) = milvus.catalog().quick_setup(DEFAULT_DATABASE, name, 5) {
        panic!("create {name}: {e:?}");
    }
}

/// `quick_setup` with `_default`, `size.partitions - 2` fillers, then `january` (created last, so a name lookup
/// walks every partition), plus `size.extra_collections` other quick-setup collections.
pub fn seed(milvus: &MockMilvus, size: StateSize) {
    quick_setup(milvus, COLLECTION);
    let catalog = milvus.catalog();
    for i in 1..=size.partitions.saturating_sub(2) {
        // Seven characters like `january`, so name comparisons cannot stop at the length.
        let name = format!("p_{i:05}");
        catalog.create_partition(DEFAULT_DATABASE, COLLECTION, &name).expect("filler partition");
    }
    catalog.create_partition(DEFAULT_DATABASE, COLLECTION, "january").expect("january");
    for i in 0..size.extra_collections {
        quick_setup(milvus, &format!("c_{i:06}"));
    }
}

/// Collections of the mixed workload.
pub const MIXED_COLLECTIONS: usize = 16;

pub fn mixed_name(i: usize) -> String {
    format!("mixed_{i:02}")
}

/// `quick_setup` plus the mixed workload's collections, each with a `january` partition.
pub fn seed_mixed(milvus: &MockMilvus) {
    seed(milvus, StateSize::ONE);
    for i in 0..MIXED_COLLECTIONS {
        let name = mixed_name(i);
        quick_setup(milvus, &name);
        milvus.catalog().create_partition(DEFAULT_DATABASE, &name, "january").expect("january");
    }
}

/// `bench serve-mock`: a process holding only a seeded `MockMilvus`, to read its RSS.
pub fn serve_process(size: StateSize) {
    let milvus = start(size);
    seed(&milvus, size);
    println!("ready {}", milvus.address());
    // Lives until the parent closes our standard input.
    let mut sink = Vec::new();
    let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
}

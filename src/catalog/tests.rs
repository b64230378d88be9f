//! Fast in-process tests of the catalog's rules; the HTTP behaviour is tested in `tests/api`.

use std::time::Duration;

use super::*;
use crate::error::Error;
use crate::version::MilvusVersion;

fn catalog() -> Catalog {
    Catalog::new(Profile::default(), Limits::default(), Duration::ZERO)
}

fn quick(name: &str) -> (CollectionSpec, Vec<IndexRequest>) {
    let mut id = Field::new(FIRST_FIELD_ID, "id", DataType::Int64);
    id.primary_key = true;
    let mut vector = Field::new(FIRST_FIELD_ID + 1, "vector", DataType::FloatVector);
    vector.params.push(("dim".into(), "5".into()));
    let spec = CollectionSpec {
        name: name.into(),
        description: String::new(),
        fields: vec![id, vector],
        functions: vec![],
        enable_dynamic_field: true,
        shards_num: 1,
        consistency_level: ConsistencyLevel::Bounded,
        properties: vec![],
        partition_key_partitions: 64,
    };
    let index = IndexRequest {
        field: "vector".into(),
        name: "vector".into(),
        metric_type: "COSINE".into(),
        ..Default::default()
    };
    (spec, vec![index])
}

/// The seed page's state: `quick_setup` with `_default` and `january`, loaded.
fn seeded() -> Catalog {
    let c = catalog();
    let (spec, indexes) = quick("quick_setup");
    create(&c, "default", spec, indexes).unwrap();
    c.create_partition("default", "quick_setup", "january").unwrap();
    c
}

/// Creates, indexes and loads (when there are indexes), as the REST quick setup does.
fn create(c: &Catalog, db: &str, spec: CollectionSpec, indexes: Vec<IndexRequest>) -> crate::error::Result<()> {
    let load = !indexes.is_empty();
    c.create_collection_then(db, spec, |setup| {
        indexes.into_iter().try_for_each(|i| setup.create_index(i))?;
        if load { setup.load() } else { Ok(()) }
    })
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn quick_setup_creates_indexes_and_loads() {
    let c = seeded();
    assert_eq!(c.collection_load_state("default", "quick_setup").unwrap(), LoadState::Loaded);
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
}

#[test]
fn releasing_every_loaded_partition_releases_the_collection() {
    let c = seeded();
    c.release_partitions("default", "quick_setup", &names(&["_default", "january"])).unwrap();
    assert_eq!(c.collection_load_state("default", "quick_setup").unwrap(), LoadState::NotLoad);
    assert_eq!(c.get_load_state("default", "quick_setup", None).unwrap(), LoadProgress::NotLoaded);
}

#[test]
fn releasing_some_partitions_keeps_the_collection_loaded() {
    let c = seeded();
    c.release_partitions("default", "quick_setup", &names(&["january"])).unwrap();
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);
    let report = c.get_load_state("default", "quick_setup", Some(&names(&["january"]))).unwrap();
    let id = c.collection("default", "quick_setup", |col| col.partition("january").unwrap().id).unwrap();
    assert_eq!(report, LoadProgress::PartitionNotLoaded { id });
}

#[test]
fn a_failed_release_changes_nothing() {
    let c = seeded();
    let err = c.release_partitions("default", "quick_setup", &names(&["january", "nope"])).unwrap_err();
    assert_eq!(err, Error::PartitionNotFound { name: "nope".into() });
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january"]);
}

#[test]
fn release_with_an_empty_list_is_1100_even_when_not_loaded() {
    let c = seeded();
    c.release_collection("default", "quick_setup").unwrap();
    assert_eq!(c.release_partitions("default", "quick_setup", &[]).unwrap_err(), Error::ReleaseEmptyList);
}

#[test]
fn the_empty_partition_name_means_default_from_2_5_but_not_in_2_4() {
    let c = seeded();
    c.release_partitions("default", "quick_setup", &names(&[""])).unwrap();
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["january"]);

    let old = Catalog::new(Profile::new(MilvusVersion::V2_4), Limits::default(), Duration::ZERO);
    let (spec, indexes) = quick("q");
    create(&old, "default", spec, indexes).unwrap();
    let err = old.release_partitions("default", "q", &names(&[""])).unwrap_err();
    assert_eq!(err, Error::PartitionNotFound { name: String::new() });
}

#[test]
fn a_partition_created_in_a_collection_loaded_as_a_whole_is_loaded() {
    let c = seeded();
    c.create_partition("default", "quick_setup", "february").unwrap();
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["_default", "january", "february"]);
    assert_eq!(c.drop_partition("default", "quick_setup", "february").unwrap_err(), Error::DropLoadedPartition);
}

#[test]
fn a_partition_created_after_a_partition_load_is_not_loaded() {
    let c = seeded();
    c.release_collection("default", "quick_setup").unwrap();
    c.load_partitions("default", "quick_setup", &names(&["january"])).unwrap();
    c.create_partition("default", "quick_setup", "february").unwrap();
    assert_eq!(c.loaded_partitions("default", "quick_setup").unwrap(), ["january"]);
    c.drop_partition("default", "quick_setup", "february").unwrap();
}

#[test]
fn the_partition_limit_counts_default() {
    let c = Catalog::new(Profile::default(), Limits { max_partitions: 2, ..Limits::default() }, Duration::ZERO);
    let (spec, indexes) = quick("q");
    create(&c, "default", spec, indexes).unwrap();
    c.create_partition("default", "q", "p1").unwrap();
    let err = c.create_partition("default", "q", "p2").unwrap_err();
    assert_eq!(err, Error::PartitionLimit { count: 2, max: 2, collection: "q".into() });
    // An existing name is still fine at the limit.
    c.create_partition("default", "q", "p1").unwrap();
}

#[test]
fn the_collection_limit_spans_databases_and_frees_on_drop() {
    let c = Catalog::new(Profile::default(), Limits { max_collections: 1, ..Limits::default() }, Duration::ZERO);
    c.create_database("other", vec![]).unwrap();
    let (spec, indexes) = quick("a");
    create(&c, "default", spec, indexes).unwrap();
    let (spec, indexes) = quick("b");
    let err = create(&c, "other", spec.clone(), indexes.clone()).unwrap_err();
    assert_eq!(err, Error::CollectionLimit { db: "other".into(), limit: 1 });
    c.drop_collection("default", "a").unwrap();
    create(&c, "other", spec, indexes).unwrap();
}

#[test]
fn the_database_limit_does_not_count_default() {
    let c = Catalog::new(Profile::default(), Limits { max_databases: 1, ..Limits::default() }, Duration::ZERO);
    c.create_database("one", vec![]).unwrap();
    assert_eq!(c.create_database("two", vec![]).unwrap_err(), Error::DatabaseLimit { limit: 1 });
}

#[test]
fn an_identical_create_is_idempotent_and_a_different_one_is_not() {
    let c = seeded();
    let (spec, indexes) = quick("quick_setup");
    create(&c, "default", spec.clone(), indexes).unwrap();
    let mut other = spec;
    other.shards_num = 2;
    assert_eq!(
        create(&c, "default", other, vec![]).unwrap_err(),
        Error::DuplicateCollection { name: "quick_setup".into() }
    );
}

#[test]
fn load_progress_rises_with_a_load_duration() {
    let c = Catalog::new(Profile::default(), Limits::default(), Duration::from_secs(3600));
    let (spec, indexes) = quick("slow");
    create(&c, "default", spec, indexes).unwrap();
    assert_eq!(c.collection_load_state("default", "slow").unwrap(), LoadState::Loading);
    match c.get_load_state("default", "slow", None).unwrap() {
        LoadProgress::Percent(progress) => assert!((0..100).contains(&progress)),
        other => panic!("expected progress, got {other:?}"),
    }
    c.set_load_duration(Duration::ZERO);
    assert_eq!(c.collection_load_state("default", "slow").unwrap(), LoadState::Loaded);
}

#[test]
fn replace_all_restores_ids_and_the_collection_count() {
    let c = seeded();
    let snapshot = c.snapshot();
    c.drop_collection("default", "quick_setup").unwrap_or_default();
    c.replace_all(snapshot.clone());
    assert_eq!(c.snapshot().len(), snapshot.len());
    assert!(c.has_collection("default", "quick_setup").unwrap());
}

#[test]
fn name_hashes_spread_over_similar_names() {
    use std::hash::BuildHasher;
    let hasher = std::hash::BuildHasherDefault::<super::NameHasher>::default();
    let hashes: Vec<u64> = (0..100_000).map(|i| hasher.hash_one(format!("c_{i:06}"))).collect();
    let distinct: std::collections::HashSet<u64> = hashes.iter().copied().collect();
    assert_eq!(distinct.len(), hashes.len());
    // hashbrown files entries by the low bits and tells them apart by the top 7: both must vary.
    let top: std::collections::HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
    let low: std::collections::HashSet<u64> = hashes.iter().map(|h| h & 0xffff).collect();
    assert_eq!(top.len(), 128);
    assert!(low.len() > 50_000, "{} distinct low 16-bit values", low.len());
}

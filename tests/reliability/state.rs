//! Whole-state swaps (reset, `PUT /_mock/state`) and cross-database renames racing ordinary calls, in process on
//! the catalog, where the races are tight enough to hit: the collection counter must always agree with the state,
//! a reader sees the state before a swap or after it and never a hole, and a failed rename loses nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use milvus_mock::fixtures::{Fixture, build};
use milvus_mock::{Catalog, Limits, Profile};
use serde_json::{Value, json};

/// How long each race runs.
const RACE: Duration = Duration::from_millis(1500);

use crate::support::within;

fn catalog(max_collections: usize) -> Arc<Catalog> {
    let limits = Limits { max_collections, ..Limits::default() };
    Arc::new(Catalog::new(Profile::default(), limits, Duration::ZERO))
}

/// A thread of a race: runs until the flag is set.
type Worker = Box<dyn FnOnce(&AtomicBool) + Send>;

/// Runs `workers` until `stop` is set by the last one (the driver), on threads of their own.
fn race(workers: Vec<Worker>) {
    let stop = Arc::new(AtomicBool::new(false));
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let stop = stop.clone();
            std::thread::spawn(move || w(&stop))
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}

/// After the race: no collection left, then exactly `limit` creates succeed and the next one answers 102.
fn assert_count_agrees_with_state(catalog: &Catalog, limit: usize) {
    for db in catalog.list_databases() {
        for c in catalog.list_collections(&db).unwrap() {
            catalog.drop_collection(&db, &c).unwrap();
        }
        assert_eq!(catalog.list_collections(&db).unwrap(), Vec::<String>::new());
    }
    for i in 0..limit {
        catalog.quick_setup("default", &format!("after_{i}"), 4).unwrap_or_else(|e| panic!("create {i}: {e:?}"));
    }
    let err = catalog.quick_setup("default", "one_too_many", 4).unwrap_err();
    assert_eq!(err.code(catalog.profile()), 102, "{err:?}");
    assert_eq!(catalog.list_collections("default").unwrap().len(), limit);
    for i in 0..limit {
        catalog.drop_collection("default", &format!("after_{i}")).unwrap();
    }
}

#[test]
fn resets_and_state_replacements_during_creates_keep_the_collection_count() {
    within(Duration::from_secs(60), "swaps during creates", || {
        let limit = 8;
        let catalog = catalog(limit);
        // `default` first, then more databases: a swap that is not atomic has time to show it.
        let others: Vec<Value> = (0..30).map(|i| json!({"name": format!("d{i}")})).collect();
        let with = |collections: Value| {
            let mut dbs = vec![json!({"name": "default", "collections": collections})];
            dbs.extend(others.iter().cloned());
            build(&catalog, &[Fixture::new("seed", json!({ "databases": dbs }))]).unwrap()
        };
        let empty = with(json!([]));
        let seeded = with(json!([{"collectionName": "seeded", "dimension": 4}]));
        // Rounds of one swap among creates and drops, each checked afterwards: the next swap would hide a count
        // that the previous one left wrong.
        let started = Instant::now();
        let mut round = 0;
        while started.elapsed() < RACE {
            let stop = AtomicBool::new(false);
            std::thread::scope(|s| {
                for t in 0..2 {
                    let (catalog, stop) = (&catalog, &stop);
                    s.spawn(move || {
                        let mut i = 0u64;
                        while !stop.load(Ordering::Relaxed) {
                            let name = format!("c{t}_{}", i % 3);
                            let _ = catalog.quick_setup("default", &name, 4);
                            if i % 2 == 1 {
                                let _ = catalog.drop_collection("default", &name);
                            }
                            i += 1;
                        }
                    });
                }
                std::thread::sleep(Duration::from_micros(300));
                catalog.replace_all(if round % 2 == 0 { empty.clone() } else { seeded.clone() });
                stop.store(true, Ordering::Relaxed);
            });
            assert_count_agrees_with_state(&catalog, limit);
            round += 1;
        }
    });
}

#[test]
fn readers_never_see_a_hole_during_a_swap() {
    within(Duration::from_secs(60), "readers during swaps", || {
        let catalog = catalog(Limits::default().max_collections);
        let state = build(
            &catalog,
            &[Fixture::new(
                "seed",
                json!({"databases": [
                    {"name": "default", "collections": [{"collectionName": "kept", "dimension": 4}]},
                    {"name": "analytics", "collections": [{"collectionName": "events", "dimension": 4}]}
                ]}),
            )],
        )
        .unwrap();
        catalog.replace_all(state.clone());
        let mut workers: Vec<Worker> = Vec::new();
        let (checks, misses) =
            (Arc::new(std::sync::atomic::AtomicU64::new(0)), Arc::new(std::sync::Mutex::new(vec![])));
        for _ in 0..3 {
            let (catalog, checks, misses) = (catalog.clone(), checks.clone(), misses.clone());
            workers.push(Box::new(move |stop| {
                while !stop.load(Ordering::Relaxed) {
                    let answers = [
                        format!("{:?}", catalog.has_collection("default", "kept")),
                        format!("{:?}", catalog.has_collection("analytics", "events")),
                        format!(
                            "{:?}",
                            catalog.describe_database("default").map(|d| serde_json::Value::String(d.name))
                        ),
                        format!("{:?}", catalog.list_collections("analytics")),
                    ];
                    let expected = [
                        "Ok(true)".to_string(),
                        "Ok(true)".to_string(),
                        "Ok(String(\"default\"))".to_string(),
                        "Ok([\"events\"])".to_string(),
                    ];
                    checks.fetch_add(1, Ordering::Relaxed);
                    if answers != expected {
                        misses.lock().unwrap().push(answers);
                    }
                }
            }));
        }
        let swapper = catalog.clone();
        workers.push(Box::new(move |stop| {
            let started = Instant::now();
            while started.elapsed() < RACE {
                swapper.replace_all(state.clone());
            }
            stop.store(true, Ordering::Relaxed);
        }));
        race(workers);
        let misses = misses.lock().unwrap();
        assert!(
            misses.is_empty(),
            "{} of {} checks saw a hole, e.g. {:?}",
            misses.len(),
            checks.load(Ordering::Relaxed),
            misses.first()
        );
    });
}

#[test]
fn a_failed_cross_database_rename_overwrites_nothing() {
    within(Duration::from_secs(60), "renames between databases", || {
        let limit = 6;
        let catalog = catalog(limit);
        catalog.create_database("other", vec![]).unwrap();
        let mut workers: Vec<Worker> = Vec::new();
        // Moves default.c to other.n and back, while another thread creates other.n (so that the move fails) and
        // then default.c (while the collection is away): a failed move must not put the collection back over it.
        let renamer = catalog.clone();
        workers.push(Box::new(move |stop| {
            while !stop.load(Ordering::Relaxed) {
                let _ = renamer.quick_setup("default", "c", 4);
                if renamer.rename_collection("default", "c", "n", "other").is_ok() {
                    let _ = renamer.rename_collection("other", "n", "c", "default");
                }
            }
        }));
        let creator = catalog.clone();
        workers.push(Box::new(move |stop| {
            // The windows are narrow (a failed move between two entry locks): a longer race.
            let started = Instant::now();
            while started.elapsed() < RACE * 4 {
                let _ = creator.quick_setup("other", "n", 8);
                let _ = creator.quick_setup("default", "c", 8);
                let _ = creator.drop_collection("other", "n");
                let _ = creator.drop_collection("default", "c");
            }
            stop.store(true, Ordering::Relaxed);
        }));
        race(workers);
        assert_count_agrees_with_state(&catalog, limit);
    });
}

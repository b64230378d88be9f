//! Thousands of concurrent load, release, create and drop calls (collections and partitions, in two databases) on
//! a few shared collections, over HTTP, against a server on its own multi-threaded runtime. Every answer must be
//! the envelope with a code that call can give; snapshots taken during the run must be consistent; afterwards the
//! load state must agree everywhere (describe, get_load_state, the partitions, the lists, has), no dropped
//! collection may keep a loaded partition, and the whole run must finish under a time bound that catches a
//! deadlock (the server runs on other threads than the client, so a stuck server cannot stop the clock).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use milvus_mock::{AppState, Config};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::common::{self, Answer};

const COLLECTIONS: &[&str] = &["c0", "c1", "c2", "c3"];
const PARTITIONS: &[&str] = &["p0", "p1", "p2", "p3", "p4"];
const DATABASES: &[&str] = &["default", "db1"];
const TASKS: u64 = 60;
const OPS_PER_TASK: u64 = 100;

/// A server on a multi-threaded runtime of its own, on its own thread; stops when the sender drops.
fn start_server(config: Config) -> (String, Arc<AppState>, oneshot::Sender<()>) {
    let state = AppState::new(config).unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = oneshot::channel::<()>();
    let server_state = state.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let _ = milvus_mock::serve(listener, server_state, async {
                let _ = rx.await;
            })
            .await;
        });
    });
    (uri, state, tx)
}

/// A small deterministic generator (splitmix64), one per task.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn subset(&mut self) -> Vec<&'static str> {
        let mut names: Vec<&str> = PARTITIONS.iter().copied().filter(|_| self.next().is_multiple_of(3)).collect();
        if self.next().is_multiple_of(4) {
            names.push("_default");
        }
        if names.is_empty() {
            names.push(self.pick(PARTITIONS));
        }
        names
    }
}

/// One random operation: its route, body, and the codes it may answer.
fn operation(rng: &mut Rng) -> (&'static str, Value, &'static [i64]) {
    let db = if rng.next().is_multiple_of(5) { DATABASES[1] } else { DATABASES[0] };
    let c = rng.pick(COLLECTIONS);
    let p = rng.pick(PARTITIONS);
    // Every collection call may meet a missing db1 (800).
    match rng.next() % 16 {
        0 | 1 => ("/collections/create", json!({"dbName": db, "collectionName": c, "dimension": 4}), &[0, 800]),
        2 => ("/collections/drop", json!({"dbName": db, "collectionName": c}), &[0, 800]),
        3 | 4 => ("/collections/load", json!({"dbName": db, "collectionName": c}), &[0, 100, 800]),
        5 => ("/collections/release", json!({"dbName": db, "collectionName": c}), &[0, 100, 800]),
        6 | 7 => ("/partitions/create", json!({"dbName": db, "collectionName": c, "partitionName": p}), &[0, 100, 800]),
        8 => {
            ("/partitions/drop", json!({"dbName": db, "collectionName": c, "partitionName": p}), &[0, 100, 800, 65535])
        }
        9 | 10 => (
            "/partitions/load",
            json!({"dbName": db, "collectionName": c, "partitionNames": rng.subset()}),
            &[0, 100, 200, 800],
        ),
        11 | 12 => (
            "/partitions/release",
            json!({"dbName": db, "collectionName": c, "partitionNames": rng.subset()}),
            &[0, 100, 200, 800],
        ),
        13 => ("/collections/get_load_state", json!({"dbName": db, "collectionName": c}), &[0, 100, 800]),
        14 => ("/collections/describe", json!({"dbName": db, "collectionName": c}), &[0, 100, 800]),
        _ => match rng.next() % 2 {
            0 => ("/databases/create", json!({"dbName": DATABASES[1]}), &[0, 65535]),
            _ => ("/databases/drop", json!({"dbName": DATABASES[1]}), &[0, 65535]),
        },
    }
}

/// Checks one snapshot of the state: every loaded partition exists in its collection, names are unique, and a
/// collection whose every partition is released is not loaded.
fn check_snapshot(dump: &Value) -> Result<(), String> {
    for db in dump["databases"].as_array().unwrap() {
        for c in db["collections"].as_array().unwrap() {
            let name = format!("{}.{}", db["name"], c["collectionName"]);
            let partitions: Vec<&str> =
                c["partitions"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
            let unique: BTreeSet<&str> = partitions.iter().copied().collect();
            if unique.len() != partitions.len() {
                return Err(format!("{name}: duplicate partitions {partitions:?}"));
            }
            if partitions.first() != Some(&"_default") {
                return Err(format!("{name}: _default is not the first partition: {partitions:?}"));
            }
            for loaded in c["loaded"].as_array().unwrap() {
                if !unique.contains(loaded.as_str().unwrap()) {
                    return Err(format!("{name}: {loaded} is loaded but is not a partition of it ({partitions:?})"));
                }
            }
        }
    }
    Ok(())
}

async fn post(client: &reqwest::Client, uri: &str, route: &str, body: &Value) -> Result<(Answer, Value), String> {
    let url = format!("{uri}/v2/vectordb{route}");
    let reply = crate::support::http_post(client, &url, body.to_string()).await;
    let answer = common::classify(reply.status, reply.content_type(), &reply.body, 0)
        .map_err(|e| format!("{route} {body}: {e}"))?;
    Ok((answer, serde_json::from_slice(&reply.body).unwrap_or(Value::Null)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_concurrent_ddl_and_load_calls_leave_a_consistent_state() {
    let (uri, state, _stop) = start_server(Config::default());
    let client = crate::support::client();
    let started = Instant::now();
    let calls = Arc::new(AtomicU64::new(0));
    let snapshots = Arc::new(AtomicU64::new(0));
    let running = Arc::new(AtomicBool::new(true));

    let run = async {
        // A checker takes snapshots while the load runs: each must be consistent on its own.
        let checker = {
            let (state, running, snapshots) = (state.clone(), running.clone(), snapshots.clone());
            tokio::spawn(async move {
                while running.load(Ordering::Relaxed) {
                    let dump = common::state_of(&state.catalog);
                    check_snapshot(&dump)?;
                    snapshots.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                Ok::<(), String>(())
            })
        };
        let mut tasks = Vec::new();
        for task in 0..TASKS {
            let (client, uri, calls) = (client.clone(), uri.clone(), calls.clone());
            tasks.push(tokio::spawn(async move {
                let mut rng = Rng(task * 7919 + 1);
                let mut failures = Vec::new();
                for _ in 0..OPS_PER_TASK {
                    let (route, body, allowed) = operation(&mut rng);
                    match post(&client, &uri, route, &body).await {
                        Ok((Answer::Envelope(code), _)) if allowed.contains(&code) => {}
                        Ok((answer, value)) => failures.push(format!("{route} {body}: {answer:?} {value}")),
                        Err(e) => failures.push(e),
                    }
                    calls.fetch_add(1, Ordering::Relaxed);
                }
                failures
            }));
        }
        let mut failures = Vec::new();
        for task in tasks {
            failures.extend(task.await.expect("a client task does not panic"));
        }
        running.store(false, Ordering::Relaxed);
        if let Err(e) = checker.await.unwrap() {
            failures.push(format!("inconsistent snapshot during the run: {e}"));
        }
        failures
    };
    let failures = tokio::time::timeout(Duration::from_secs(180), run)
        .await
        .unwrap_or_else(|_| panic!("no end after 180 s: a deadlock? {} calls answered", calls.load(Ordering::Relaxed)));
    println!(
        "reliability/concurrency: {} concurrent calls from {TASKS} tasks in {:?}, {} snapshots checked",
        calls.load(Ordering::Relaxed),
        started.elapsed(),
        snapshots.load(Ordering::Relaxed)
    );
    assert!(failures.is_empty(), "{} unexpected answers:\n{}", failures.len(), failures.join("\n"));

    // Quiescent: every view of the state agrees.
    let quiet = tokio::time::timeout(Duration::from_secs(60), check_quiescent(&client, &uri, &state)).await;
    let problems = quiet.expect("the checks finish in time");
    assert!(problems.is_empty(), "inconsistent after the run:\n{}", problems.join("\n"));
}

/// The views of a quiet server agree: lists vs has vs describe, describe's `load` vs get_load_state vs the loaded
/// partitions, and a dropped collection keeps nothing.
async fn check_quiescent(client: &reqwest::Client, uri: &str, state: &AppState) -> Vec<String> {
    let mut problems = Vec::new();
    let ask = async |route: &str, body: Value| match post(client, uri, route, &body).await {
        Ok((Answer::Envelope(_), value)) => value,
        Ok((answer, value)) => panic!("{route} {body}: {answer:?} {value}"),
        Err(e) => panic!("{e}"),
    };
    if let Err(e) = check_snapshot(&common::state_of(&state.catalog)) {
        problems.push(e);
    }
    let databases = ask("/databases/list", json!({})).await;
    for db in DATABASES {
        let exists = databases["data"].as_array().unwrap().contains(&json!(db));
        let listed = ask("/collections/list", json!({"dbName": db})).await;
        if !exists {
            if listed["code"] != 800 {
                problems.push(format!("{db} is not listed but collections/list answers {listed}"));
            }
            continue;
        }
        let listed: BTreeSet<String> =
            listed["data"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        for c in COLLECTIONS {
            let has = ask("/collections/has", json!({"dbName": db, "collectionName": c})).await;
            if has["data"]["has"] != json!(listed.contains(*c)) {
                problems.push(format!("{db}.{c}: listed {} but has answers {has}", listed.contains(*c)));
            }
            let describe = ask("/collections/describe", json!({"dbName": db, "collectionName": c})).await;
            let load_state = ask("/collections/get_load_state", json!({"dbName": db, "collectionName": c})).await;
            let loaded = state.catalog.loaded_partitions(db, c);
            if !listed.contains(*c) {
                let expected =
                    json!({"code": 100, "message": format!("can't find collection[database={db}][collection={c}]")});
                if describe != expected {
                    problems.push(format!("{db}.{c} is dropped but describe answers {describe}"));
                }
                if load_state["code"] != 100 || loaded.is_ok() {
                    problems.push(format!(
                        "{db}.{c} is dropped but get_load_state answers {load_state}, loaded {loaded:?}"
                    ));
                }
                continue;
            }
            let loaded = loaded.expect("a listed collection exists");
            let partitions = ask("/partitions/list", json!({"dbName": db, "collectionName": c})).await;
            let partitions: Vec<String> =
                partitions["data"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
            let expected_state = if loaded.is_empty() { "LoadStateNotLoad" } else { "LoadStateLoaded" };
            if describe["data"]["load"] != expected_state || load_state["data"]["loadState"] != expected_state {
                problems.push(format!(
                    "{db}.{c}: loaded partitions {loaded:?} but describe says {} and get_load_state {load_state}",
                    describe["data"]["load"]
                ));
            }
            if describe["data"]["partitionsNum"] != json!(partitions.len()) {
                problems.push(format!(
                    "{db}.{c}: partitionsNum {} vs list {partitions:?}",
                    describe["data"]["partitionsNum"]
                ));
            }
            for p in PARTITIONS.iter().chain(&["_default"]) {
                let has = ask("/partitions/has", json!({"dbName": db, "collectionName": c, "partitionName": p})).await;
                let listed_p = partitions.iter().any(|x| x == p);
                if has["data"]["has"] != json!(listed_p) {
                    problems.push(format!("{db}.{c}.{p}: listed {listed_p} but has answers {has}"));
                }
                if loaded.iter().any(|x| x == p) && !listed_p {
                    problems.push(format!("{db}.{c}.{p} is loaded but not a partition"));
                }
                if listed_p {
                    let one = ask(
                        "/collections/get_load_state",
                        json!({"dbName": db, "collectionName": c, "partitionNames": [p]}),
                    )
                    .await;
                    let is_loaded = loaded.iter().any(|x| x == p);
                    let ok = match (loaded.is_empty(), is_loaded) {
                        (true, _) => one == json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}}),
                        (false, true) => {
                            one == json!({"code": 0, "data": {"loadProgress": 100, "loadState": "LoadStateLoaded"}, "message": ""})
                        }
                        (false, false) => one["data"]["loadProgress"] == -1,
                    };
                    if !ok {
                        problems.push(format!(
                            "{db}.{c}.{p}: loaded {is_loaded} (of {loaded:?}) but get_load_state says {one}"
                        ));
                    }
                }
            }
        }
    }
    // A dropped collection created again starts from nothing: without an index it cannot be loaded at all.
    for c in COLLECTIONS {
        let _ = ask("/collections/drop", json!({"collectionName": c})).await;
        let schema = json!({"fields": [
            {"fieldName": "id", "dataType": "Int64", "isPrimary": true},
            {"fieldName": "vector", "dataType": "FloatVector", "elementTypeParams": {"dim": 4}}]});
        let created = ask("/collections/create", json!({"collectionName": c, "schema": schema})).await;
        let again = ask("/collections/get_load_state", json!({"collectionName": c})).await;
        let loaded = state.catalog.loaded_partitions("default", c);
        if created["code"] != 0
            || again != json!({"code": 0, "data": {"loadState": "LoadStateNotLoad"}})
            || !matches!(&loaded, Ok(v) if v.is_empty())
        {
            problems.push(format!("{c} re-created after a drop: {created}, {again}, loaded {loaded:?}"));
        }
    }
    problems
}

/// Two racing calls whose only linearizable outcomes make one of them fail, many times over, on two threads
/// released together by a barrier (catalog calls, the same ones the routes make, for a tight race):
///
/// * `databases/drop` of an empty database vs `collections/create` in it: if both succeed, the new collection
///   went with the database (create first: the drop must say "not empty"; drop first: the create must say 800);
/// * `collections/rename` old → new vs `collections/create` of `new` with another schema: if both succeed, one
///   collection silently replaced the other;
///
/// and afterwards, with everything dropped, the whole collection limit is available again (no count leaked).
#[test]
fn racing_ddl_calls_have_a_linearizable_outcome() {
    use std::sync::Barrier;

    use milvus_mock::{Catalog, Limits};

    const ROUNDS: usize = 50_000;
    const MAX_COLLECTIONS: usize = 8;
    let report = crate::support::within(Duration::from_secs(240), "racing DDL", || {
        let limits = Limits { max_collections: MAX_COLLECTIONS, ..Limits::default() };
        let catalog = Arc::new(Catalog::new(Default::default(), limits, Duration::ZERO));
        type Call = Box<dyn Fn(&Catalog) -> bool + Send + Sync>;
        // Runs `a` and `b` at the same moment, `rounds` times, with `setup` and `cleanup` around each round;
        // counts the rounds where both succeeded.
        let race = |rounds: usize, setup: &dyn Fn(&Catalog), a: Call, b: Call, cleanup: &dyn Fn(&Catalog)| {
            let barrier = Arc::new(Barrier::new(3));
            let (a, b) = (Arc::new(a), Arc::new(b));
            // The second call starts a little later each round, sweeping the offset where the window is.
            let spawn = |f: Arc<Call>, sweep: bool| {
                let (catalog, barrier) = (catalog.clone(), barrier.clone());
                std::thread::spawn(move || {
                    (0..rounds)
                        .map(|round| {
                            barrier.wait();
                            if sweep {
                                (0..round % 512).for_each(|_| std::hint::spin_loop());
                            }
                            let ok = f(&catalog);
                            barrier.wait();
                            ok
                        })
                        .collect::<Vec<bool>>()
                })
            };
            let (ta, tb) = (spawn(a, false), spawn(b, true));
            for _ in 0..rounds {
                setup(&catalog);
                barrier.wait();
                barrier.wait();
                cleanup(&catalog);
            }
            let (ra, rb) = (ta.join().unwrap(), tb.join().unwrap());
            ra.iter().zip(&rb).filter(|(a, b)| **a && **b).count()
        };
        let lost_with_database = race(
            ROUNDS,
            &|c| c.create_database("racy", vec![]).unwrap(),
            Box::new(|c| c.quick_setup("racy", "x", 4).is_ok()),
            Box::new(|c| c.drop_database("racy").is_ok()),
            &|c| {
                let _ = c.drop_collection("racy", "x");
                let _ = c.drop_database("racy");
            },
        );
        let replaced_by_rename = race(
            ROUNDS,
            &|c| c.quick_setup("default", "old", 4).unwrap(),
            Box::new(|c| c.rename_collection("default", "old", "new", "").is_ok()),
            Box::new(|c| c.quick_setup("default", "new", 8).is_ok()),
            &|c| {
                c.drop_collection("default", "old").unwrap();
                c.drop_collection("default", "new").unwrap();
            },
        );
        // Nothing is left, so the whole limit must be free.
        assert_eq!(catalog.list_collections("default").unwrap(), Vec::<String>::new());
        let created =
            (0..MAX_COLLECTIONS).filter(|i| catalog.quick_setup("default", &format!("c{i}"), 4).is_ok()).count();
        (lost_with_database, replaced_by_rename, created)
    });
    let (lost_with_database, replaced_by_rename, created) = report;
    println!(
        "reliability/racing-ddl: {ROUNDS} rounds each; create collection + drop database both succeeded: \
         {lost_with_database}; rename + create both succeeded: {replaced_by_rename}; \
         {created}/{MAX_COLLECTIONS} collections creatable afterwards"
    );
    let mut problems = Vec::new();
    if lost_with_database > 0 {
        problems.push(format!(
            "{lost_with_database} times a collection was created in a database dropped at the same moment (both 0)"
        ));
    }
    if replaced_by_rename > 0 {
        problems
            .push(format!("{replaced_by_rename} times a rename onto a name and a create of that name both succeeded"));
    }
    if created != MAX_COLLECTIONS {
        problems.push(format!("only {created} of {MAX_COLLECTIONS} collections creatable once all were dropped"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

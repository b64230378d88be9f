//! `MockMilvus` as a Rust test suite embeds it: runtime flavours, plain `#[test]`, drop, seeding and inspection.

use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;
use milvus_mock::catalog::LoadState;
use serde_json::json;

async fn release(uri: &str, body: serde_json::Value) -> serde_json::Value {
    let url = format!("{uri}/v2/vectordb/partitions/release");
    reqwest::Client::new().post(url).body(body.to_string()).send().await.unwrap().json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn it_serves_under_a_multi_thread_runtime_and_the_test_reads_the_state_back() {
    let milvus = MockMilvus::start().await;
    milvus.catalog().quick_setup("default", "quick_setup", 5).unwrap();
    milvus.catalog().create_partition("default", "quick_setup", "january").unwrap();

    let answer = release(&milvus.uri(), json!({"collectionName": "quick_setup", "partitionNames": ["january"]})).await;

    assert_eq!(answer, json!({"code": 0, "data": {}}));
    assert_eq!(milvus.catalog().loaded_partitions("default", "quick_setup").unwrap(), ["_default"]);
    assert_eq!(milvus.catalog().collection_load_state("default", "quick_setup").unwrap(), LoadState::Loaded);
}

#[test]
fn it_works_from_a_plain_test_without_a_runtime() {
    let milvus = MockMilvus::start_blocking();
    milvus.catalog().quick_setup("default", "quick_setup", 5).unwrap();

    // A blocking client, as code under test without async would use.
    let address = milvus.address();
    let body = r#"{"collectionName":"quick_setup","partitionNames":["_default"]}"#;
    let request = format!(
        "POST /v2/vectordb/partitions/release HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
    let mut answer = String::new();
    std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();

    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    assert!(answer.ends_with(r#"{"code":0,"data":{}}"#), "{answer}");
    assert_eq!(milvus.catalog().collection_load_state("default", "quick_setup").unwrap(), LoadState::NotLoad);
}

#[tokio::test]
async fn the_server_keeps_answering_while_the_test_blocks_its_own_runtime() {
    let milvus = MockMilvus::start().await;
    let address = milvus.address();
    // Block this (current-thread) runtime while a thread talks to the mock: it runs on its own runtime.
    let answered = std::thread::spawn(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        let body = "{}";
        let request = format!(
            "POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
        let mut answer = String::new();
        std::io::Read::read_to_string(&mut stream, &mut answer).unwrap();
        answer
    })
    .join()
    .unwrap();
    assert!(answered.ends_with(r#"{"code":0,"data":[]}"#), "{answered}");
}

#[test]
fn dropping_the_handle_returns_at_once_and_releases_the_port() {
    let milvus = MockMilvus::start_blocking();
    let address = milvus.address();

    let started = Instant::now();
    drop(milvus);
    assert!(started.elapsed() < Duration::from_millis(100), "drop took {:?}", started.elapsed());

    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match std::net::TcpListener::bind(address) {
            Ok(_) => break,
            Err(e) => {
                assert!(Instant::now() < deadline, "the port is still taken after 5 s: {e}");
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
}

#[test]
fn a_fixed_port_from_the_builder_is_used() {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let milvus = MockMilvus::builder().port(free).start_blocking();
    assert_eq!(milvus.uri(), format!("http://127.0.0.1:{free}"));
}

#[tokio::test]
async fn reset_and_reset_database_from_rust() {
    let seed = milvus_mock::fixtures::Fixture::new(
        "seed",
        json!({"databases": [{"name": "default", "collections": [{"collectionName": "kept", "dimension": 4}]}]}),
    );
    let milvus = MockMilvus::builder().fixture(seed).start().await;
    milvus.catalog().quick_setup("default", "scratch", 4).unwrap();
    milvus.catalog().create_database("other", vec![]).unwrap();

    milvus.reset_database("default");
    assert_eq!(milvus.catalog().list_collections("default").unwrap(), ["kept"]);
    assert_eq!(milvus.catalog().list_databases(), ["default", "other"]);

    milvus.reset();
    assert_eq!(milvus.catalog().list_databases(), ["default"]);
}

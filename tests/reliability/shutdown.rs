//! Graceful shutdown of the real binary: SIGTERM while a slow call (a latency fault) is in flight. The call still
//! gets its real answer, new connections are refused from the signal on, and the process exits 0.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::{Binary, client, http_post, within};

#[test]
fn sigterm_lets_the_call_in_flight_finish_refuses_new_connections_and_exits_0() {
    within(Duration::from_secs(90), "graceful shutdown", || {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quick_setup.json");
        let mut binary = Binary::start(&["--fixtures", fixtures]);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let client = client();
        let uri = binary.uri();

        runtime.block_on(async {
            let fault = json!({"path": "collections/has", "latencyMs": 3000, "times": 1}).to_string();
            let added = http_post(&client, &format!("{uri}/_mock/faults"), fault).await;
            assert_eq!(added.status, 201, "{}", added.text());
        });

        // The slow call, on its own client so that it has its own connection.
        let slow = {
            let url = format!("{uri}/v2/vectordb/collections/has");
            runtime.spawn(async move {
                let started = Instant::now();
                let reply = http_post(&crate::support::client(), &url, r#"{"collectionName":"quick_setup"}"#).await;
                (reply, started.elapsed())
            })
        };
        // In flight once the server has taken the fault (it does so before it sleeps).
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let faults: Value = runtime.block_on(async {
                client.get(format!("{uri}/_mock/faults")).send().await.unwrap().json().await.unwrap()
            });
            if faults["faults"].as_array().is_some_and(Vec::is_empty) {
                break;
            }
            assert!(Instant::now() < deadline, "the slow call never reached the server: {faults}");
            std::thread::sleep(Duration::from_millis(20));
        }
        drop(client);

        let signalled = Instant::now();
        binary.sigterm();

        // New connections are refused while the slow call is still running.
        let refused_after = loop {
            match TcpStream::connect_timeout(&binary.address(), Duration::from_millis(200)) {
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => break signalled.elapsed(),
                _ => {
                    assert!(
                        signalled.elapsed() < Duration::from_secs(2),
                        "still accepting connections 2 s after SIGTERM"
                    );
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        };
        assert!(!slow.is_finished(), "the slow call ended before new connections were refused");

        let (reply, took) = runtime.block_on(slow).expect("the slow call's task");
        assert_eq!((reply.status, reply.text().as_str()), (200, r#"{"code":0,"data":{"has":true}}"#));
        assert!(took >= Duration::from_millis(2900), "the latency fault was applied ({took:?})");

        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = binary.exited() {
                break status;
            }
            assert!(Instant::now() < deadline, "still running 10 s after SIGTERM: {}", binary.stderr());
            std::thread::sleep(Duration::from_millis(20));
        };
        assert_eq!(status.code(), Some(0), "exit status; stderr: {}", binary.stderr());
        println!(
            "reliability/shutdown: refused new connections {refused_after:?} after SIGTERM; the call in flight took {took:?}"
        );
    });
}

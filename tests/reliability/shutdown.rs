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
        wait_until_the_fault_is_taken(&runtime, &client, &uri);
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

#[test]
fn sigterm_gives_up_on_a_stalled_call_and_a_half_sent_request_after_the_shutdown_timeout() {
    use std::io::{Read, Write};
    within(Duration::from_secs(90), "shutdown deadline", || {
        let mut binary = Binary::start(&["--shutdown-timeout", "1000"]);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let client = client();
        let uri = binary.uri();
        runtime.block_on(async {
            let fault = json!({"path": "collections/list", "latencyMs": 60000, "times": 1}).to_string();
            assert_eq!(http_post(&client, &format!("{uri}/_mock/faults"), fault).await.status, 201);
        });

        let connect = || {
            let stream = TcpStream::connect(binary.address()).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            stream
        };
        // A call stalled by the fault, a body that stops half way, and an idle kept-alive connection.
        let mut stalled = connect();
        stalled
            .write_all(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
            .unwrap();
        let mut half_sent = connect();
        half_sent
            .write_all(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 9\r\n\r\n{")
            .unwrap();
        let mut idle = connect();
        idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut answer = [0u8; 256];
        let n = idle.read(&mut answer).unwrap();
        assert!(answer[..n].starts_with(b"HTTP/1.1 200 OK\r\n"), "{}", String::from_utf8_lossy(&answer[..n]));
        wait_until_the_fault_is_taken(&runtime, &client, &uri);
        drop(client);

        let signalled = Instant::now();
        binary.sigterm();
        // The idle connection is closed at once.
        assert_eq!(idle.read(&mut answer).unwrap_or(0), 0, "the idle connection is closed");
        assert!(signalled.elapsed() < Duration::from_millis(900), "idle closed after {:?}", signalled.elapsed());
        let status = loop {
            if let Some(status) = binary.exited() {
                break status;
            }
            assert!(
                signalled.elapsed() < Duration::from_secs(4),
                "still running 4 s after SIGTERM: {}",
                binary.stderr()
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let took = signalled.elapsed();
        assert!(took >= Duration::from_millis(900), "it waited for the call in flight ({took:?})");
        assert_eq!(status.code(), Some(0), "exit status; stderr: {}", binary.stderr());
        // Neither got an answer: their connections were closed.
        for (what, stream) in [("stalled", &mut stalled), ("half sent", &mut half_sent)] {
            let mut rest = Vec::new();
            let _ = stream.read_to_end(&mut rest);
            assert!(rest.is_empty(), "{what}: {}", String::from_utf8_lossy(&rest));
        }
        println!("reliability/shutdown: exited {took:?} after SIGTERM with a call stalled and a body half sent");
    });
}

/// Waits until the server has taken the one-shot fault rule, that is until the delayed call is in flight (the
/// server takes the rule before it sleeps).
fn wait_until_the_fault_is_taken(runtime: &tokio::runtime::Runtime, client: &reqwest::Client, uri: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let faults: Value = runtime
            .block_on(async { client.get(format!("{uri}/_mock/faults")).send().await.unwrap().json().await.unwrap() });
        if faults["faults"].as_array().is_some_and(Vec::is_empty) {
            return;
        }
        assert!(Instant::now() < deadline, "the delayed call never reached the server: {faults}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

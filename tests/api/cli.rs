//! The `milvus-mock` binary: flags, their environment variables, logs and start-up errors.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_milvus-mock");

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Kills the child when the test ends, whatever happens.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary with its stdout piped (to read the log) and waits until it listens on `port`.
fn start_logging(command: &mut Command, port: u16) -> Running {
    let child = command.stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let running = Running(child);
    wait_ready(port);
    running
}

/// The binary on `port` with the log as shipped (no `RUST_LOG`, text format), its stdout piped.
fn start_with_default_logging(port: u16) -> Running {
    let mut command = Command::new(BIN);
    command.args(["--port", &port.to_string()]).env_remove("RUST_LOG").env_remove("MILVUS_MOCK_LOG_FORMAT");
    start_logging(&mut command, port)
}

fn wait_ready(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the binary did not listen on {port}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn post(port: u16, path: &str, body: Value) -> Value {
    let url = format!("http://127.0.0.1:{port}/v2/vectordb{path}");
    reqwest::Client::new().post(url).body(body.to_string()).send().await.unwrap().json().await.unwrap()
}

#[test]
fn help_explains_every_flag_and_its_environment_variable() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);

    assert!(out.status.success());
    for (flag, var) in [
        ("--host", "MILVUS_MOCK_HOST"),
        ("--port", "MILVUS_MOCK_PORT"),
        ("--milvus-version", "MILVUS_MOCK_VERSION"),
        ("--success-code", "MILVUS_MOCK_SUCCESS_CODE"),
        ("--auth", "MILVUS_MOCK_AUTH"),
        ("--user", "MILVUS_MOCK_USERS"),
        ("--fixtures", "MILVUS_MOCK_FIXTURES"),
        ("--load-duration", "MILVUS_MOCK_LOAD_DURATION"),
        ("--no-control", "MILVUS_MOCK_NO_CONTROL"),
        ("--control-token", "MILVUS_MOCK_CONTROL_TOKEN"),
        ("--journal-size", "MILVUS_MOCK_JOURNAL_SIZE"),
        ("--body-limit", "MILVUS_MOCK_BODY_LIMIT"),
        ("--log-format", "MILVUS_MOCK_LOG_FORMAT"),
        ("--header-read-timeout", "MILVUS_MOCK_HEADER_READ_TIMEOUT"),
        ("--body-read-timeout", "MILVUS_MOCK_BODY_READ_TIMEOUT"),
        ("--shutdown-timeout", "MILVUS_MOCK_SHUTDOWN_TIMEOUT"),
    ] {
        assert!(help.contains(flag), "--help lacks {flag}:\n{help}");
        assert!(help.contains(var), "--help lacks {var}:\n{help}");
    }
    assert!(help.contains("healthcheck"));
}

#[tokio::test]
async fn environment_variables_configure_the_server_and_logs_are_one_json_line_per_call() {
    let port = free_port();
    let mut child = start_logging(
        Command::new(BIN)
            .env("MILVUS_MOCK_PORT", port.to_string())
            .env("MILVUS_MOCK_VERSION", "2.4")
            .env("MILVUS_MOCK_SUCCESS_CODE", "200")
            .env("MILVUS_MOCK_FIXTURES", concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/quick_setup.json"))
            .env("MILVUS_MOCK_LOG_FORMAT", "json")
            .env("RUST_LOG", "milvus_mock=info"),
        port,
    );

    let release =
        post(port, "/partitions/release", json!({"collectionName": "quick_setup", "partitionNames": []})).await;
    let seed = json!({"collectionName": "quick_setup", "partitionNames": ["_default", "january"]});
    let released = post(port, "/partitions/release", seed).await;

    // 2.4's typo, and the docs' success code.
    assert_eq!(
        release,
        json!({"code": 1100, "message": "invalid parameter[expected=any parttiion][actual=empty partition list]"})
    );
    assert_eq!(released, json!({"code": 200, "data": {}}));
    let stdout = child.0.stdout.take().unwrap();
    let lines: Vec<Value> = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
        .filter(|l| l["fields"]["message"] == "milvus call")
        .take(2)
        .collect();
    assert_eq!(lines.len(), 2);
    let fields = &lines[1]["fields"];
    assert_eq!(fields["path"], "/v2/vectordb/partitions/release");
    assert_eq!(fields["db"], "default");
    assert_eq!(fields["collection"], "quick_setup");
    assert_eq!(fields["code"], 200);
    assert!(fields["latency_us"].is_u64());
}

#[tokio::test]
async fn text_logs_reach_a_pipe_at_once_and_without_colours() {
    let port = free_port();
    let mut child = start_with_default_logging(port);
    let listed = post(port, "/collections/list", json!({})).await;
    assert_eq!(listed, json!({"code": 0, "data": []}));
    // The server is still running: the line must already be written, not held until exit.
    let stdout = child.0.stdout.take().unwrap();
    let line = BufReader::new(stdout)
        .lines()
        .map_while(Result::ok)
        .find(|l| l.contains("milvus call"))
        .expect("a log line for the call");
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains(r#"path="/v2/vectordb/collections/list""#), "{line}");
    assert!(line.contains("code=0"), "{line}");
    assert!(!line.contains('\x1b'), "ANSI escapes in a piped log: {line:?}");
}

#[test]
fn a_bad_fixture_stops_start_up_with_the_file_and_the_problem() {
    let dir = std::env::temp_dir().join(format!("milvus-mock-bad-fixture-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("broken.json");
    std::fs::write(&file, r#"{"databases": [{"name": "default", "collections": [{"collectionName": "c"}]}]}"#).unwrap();

    let out = Command::new(BIN).args(["--port", "0", "--fixtures"]).arg(&file).output().unwrap();

    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "{}: databases[0] (default).collections[0]: dimension is required for quickly create collection",
            file.display()
        )),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_flag_value_is_refused_with_the_accepted_values() {
    let out = Command::new(BIN).args(["--milvus-version", "2.7"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected 2.4, 2.5, 2.6 or 3.0"));
}

#[tokio::test]
async fn every_line_logged_before_sigterm_is_written_out_when_the_server_stops() {
    let port = free_port();
    let mut child = start_with_default_logging(port);
    for _ in 0..200 {
        assert_eq!(post(port, "/collections/list", json!({})).await, json!({"code": 0, "data": []}));
    }
    let status = Command::new("kill").args(["-TERM", &child.0.id().to_string()]).status().unwrap();
    assert!(status.success());
    let mut log = String::new();
    std::io::Read::read_to_string(&mut child.0.stdout.take().unwrap(), &mut log).unwrap();
    assert!(child.0.wait().unwrap().success());
    assert_eq!(log.lines().filter(|l| l.contains("milvus call")).count(), 200, "{log}");
    assert!(log.lines().last().unwrap_or_default().contains("shutting down"), "{log}");
}

/// `GET /healthz` on `address`, retried until the binary listens; the status line.
fn healthz(address: std::net::SocketAddr) -> String {
    use std::io::{Read, Write};
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match std::net::TcpStream::connect(address) {
            Ok(mut stream) => {
                stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
                let mut answer = String::new();
                stream.read_to_string(&mut answer).unwrap();
                return answer.lines().next().unwrap_or_default().to_string();
            }
            Err(e) => {
                assert!(Instant::now() < deadline, "nothing listens on {address}: {e}");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

/// Where a server started with some `--host` must answer, for a port.
type Expected<'a> = dyn Fn(u16) -> Vec<std::net::SocketAddr> + 'a;

#[test]
fn host_takes_ipv6_addresses_with_or_without_brackets_and_names() {
    let ipv6 = std::net::TcpListener::bind("[::1]:0").is_ok();
    let loopback4 = |port| std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let loopback6 = |port| std::net::SocketAddr::from((std::net::Ipv6Addr::LOCALHOST, port));
    // (--host, where it must answer, needs IPv6)
    let cases: [(&str, &Expected<'_>, bool); 4] = [
        ("::1", &|p| vec![loopback6(p)], true),
        ("[::1]", &|p| vec![loopback6(p)], true),
        // The unspecified IPv6 address takes IPv4 too (dual stack), as Go's `:port` listener does.
        ("::", &|p| vec![loopback6(p), loopback4(p)], true),
        // A name: every address it resolves to (127.0.0.1, and ::1 where /etc/hosts has it).
        (
            "localhost",
            &|p| {
                let resolved: Vec<_> = std::net::ToSocketAddrs::to_socket_addrs(&("localhost", p)).unwrap().collect();
                assert!(resolved.contains(&loopback4(p)), "localhost resolves to 127.0.0.1: {resolved:?}");
                resolved.into_iter().filter(|a| a.is_ipv4() || ipv6).collect()
            },
            false,
        ),
    ];
    for (host, addresses, needs_ipv6) in cases {
        if needs_ipv6 && !ipv6 {
            println!("skipped --host {host}: this machine has no IPv6 loopback");
            continue;
        }
        let port = free_port();
        let child = Command::new(BIN)
            .args(["--host", host, "--port", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let _running = Running(child);
        for address in addresses(port) {
            assert_eq!(healthz(address), "HTTP/1.1 200 OK", "--host {host}: {address}");
        }
    }
}

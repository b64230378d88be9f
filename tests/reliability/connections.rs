//! Connections over raw TCP, as Go's `net/http` under Milvus treats them: an answer sent before the body was read
//! keeps the connection (the rest is read and dropped, up to 256 KiB, else `Connection: close`), header and body
//! read timeouts, and body read errors (a cut body, a bad chunk) with Go's texts.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use milvus_mock::MockMilvus;

use crate::support::{Binary, within};

/// One answer read off the wire.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// Lower-case names.
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// A client connection that writes raw requests and reads answers one at a time.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(address: SocketAddr) -> Self {
        let stream = TcpStream::connect(address).expect("connects");
        stream.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        Self { writer: stream.try_clone().unwrap(), reader: BufReader::new(stream) }
    }

    /// Writes on another thread, so that a server that does not read cannot block the test.
    fn send(&self, bytes: Vec<u8>) -> std::thread::JoinHandle<()> {
        let mut writer = self.writer.try_clone().unwrap();
        std::thread::spawn(move || {
            let _ = writer.write_all(&bytes);
        })
    }

    fn answer(&mut self) -> Answer {
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("a status line");
        assert!(line.starts_with("HTTP/1.1 "), "not an answer: {line:?}");
        let status = line[9..12].parse().unwrap();
        let mut headers = Vec::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("a header line");
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let (name, value) = l.split_once(':').expect("name: value");
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let length: usize = headers
            .iter()
            .find(|(n, _)| n == "content-length")
            .map(|(_, v)| v.parse().unwrap())
            .expect("answers carry Content-Length");
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("the whole body");
        Answer { status, headers, body: String::from_utf8(body).unwrap() }
    }

    /// True when the server closed the connection cleanly (EOF, not a reset) and sent nothing more.
    fn closed(&mut self) -> bool {
        let mut rest = Vec::new();
        matches!(self.reader.read_to_end(&mut rest), Ok(0))
    }
}

const LIST_OK: &str = r#"{"code":0,"data":[]}"#;
const ROOT: &str = "Authorization: Bearer root:Milvus\r\n";

/// A request with a `Content-Length` body of `len` spaces after `{}`.
fn with_length(head: &str, extra: &str, len: usize) -> Vec<u8> {
    let mut request = format!("{head} HTTP/1.1\r\nHost: x\r\n{extra}Content-Length: {len}\r\n\r\n{{}}").into_bytes();
    request.resize(request.len() + len - 2, b' ');
    request
}

/// The same body sent chunked, 1000 bytes a chunk.
fn chunked(head: &str, extra: &str, len: usize) -> Vec<u8> {
    let mut payload = b"{}".to_vec();
    payload.resize(len, b' ');
    let mut request = format!("{head} HTTP/1.1\r\nHost: x\r\n{extra}Transfer-Encoding: chunked\r\n\r\n").into_bytes();
    for chunk in payload.chunks(1000) {
        request.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        request.extend_from_slice(chunk);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    request
}

/// The four early answers: (request head, extra headers, status, body).
fn early_answers() -> Vec<(&'static str, String, u16, &'static str)> {
    vec![
        (
            "POST /v2/vectordb/collections/list",
            String::new(),
            401,
            r#"{"code":1800,"message":"user hasn't authenticated"}"#,
        ),
        ("PUT /v2/vectordb/collections/list", ROOT.to_string(), 404, "404 page not found"),
        ("POST /v2/vectordb/no/such/route", ROOT.to_string(), 404, "404 page not found"),
        (
            "POST /v2/vectordb/collections/list",
            format!("{ROOT}Request-Timeout: 0\r\n"),
            408,
            r#"{"code":10001,"message":"request timeout"}"#,
        ),
    ]
}

#[test]
fn an_answer_sent_before_the_body_was_read_keeps_the_connection_for_the_next_call() {
    within(Duration::from_secs(60), "early answers", || {
        let milvus = MockMilvus::builder().auth().start_blocking();
        for (head, extra, status, body) in early_answers() {
            for (encoding, request) in
                [("length", with_length(head, &extra, 64 * 1024)), ("chunked", chunked(head, &extra, 64 * 1024))]
            {
                let mut conn = Conn::open(milvus.address());
                conn.send(request).join().unwrap();
                let first = conn.answer();
                assert_eq!((first.status, first.body.as_str()), (status, body), "{head} ({encoding})");
                assert_eq!(first.header("connection"), None, "{head} ({encoding})");

                conn.send(with_length("POST /v2/vectordb/collections/list", ROOT, 2)).join().unwrap();
                let second = conn.answer();
                assert_eq!((second.status, second.body.as_str()), (200, LIST_OK), "after {head} ({encoding})");
            }
        }
    });
}

#[test]
fn an_unread_body_over_256_kib_closes_the_connection_after_the_answer() {
    within(Duration::from_secs(60), "early answers to large bodies", || {
        let milvus = MockMilvus::builder().auth().start_blocking();
        for (head, extra, status, body) in early_answers() {
            for (encoding, request) in [
                // Known to be too long: not read at all.
                ("length", with_length(head, &extra, 300 * 1024)),
                // Read up to 256 KiB, then given up.
                ("chunked", chunked(head, &extra, 300 * 1024)),
            ] {
                let mut conn = Conn::open(milvus.address());
                let sending = conn.send(request);
                let first = conn.answer();
                assert_eq!((first.status, first.body.as_str()), (status, body), "{head} ({encoding})");
                assert_eq!(first.header("connection"), Some("close"), "{head} ({encoding})");
                assert!(conn.closed(), "{head} ({encoding}): closed after the answer");
                sending.join().unwrap();
            }
        }
    });
}

#[test]
fn a_body_over_the_limit_answers_1801_and_closes_like_go_max_bytes_reader() {
    within(Duration::from_secs(60), "over the body limit", || {
        let config = milvus_mock::Config { body_limit: 1024, ..Default::default() };
        let milvus = MockMilvus::builder().config(config).start_blocking();
        let mut conn = Conn::open(milvus.address());
        conn.send(with_length("POST /v2/vectordb/collections/list", "", 2000)).join().unwrap();
        let answer = conn.answer();
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (
                200,
                r#"{"code":1801,"message":"can only accept json format request, error: http: request body too large"}"#
            )
        );
        assert_eq!(answer.header("connection"), Some("close"));
        assert!(conn.closed());
    });
}

/// Sends `request`, shuts the write side, and reads the answer.
fn send_and_half_close(address: SocketAddr, request: &[u8]) -> (Answer, bool) {
    let mut conn = Conn::open(address);
    conn.writer.write_all(request).unwrap();
    conn.writer.shutdown(Shutdown::Write).unwrap();
    let answer = conn.answer();
    (answer, conn.closed())
}

/// Milvus's 1801 for a body read error (gin's JSON escapes `>` as `\u003e`, as `encoding/json` does).
fn read_error(text: &str) -> String {
    let text = text.replace('>', "\\u003e");
    format!(r#"{{"code":1801,"message":"can only accept json format request, error: {text}"}}"#)
}

#[test]
fn a_cut_body_or_a_bad_chunk_is_a_read_error_with_go_text() {
    within(Duration::from_secs(60), "body read errors", || {
        let milvus = MockMilvus::start_blocking();
        let list = "POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\n";
        let cases: [(&str, String, &str); 5] = [
            // `{}` is valid JSON, but Go's ReadAll fails first: 10 of 100 bytes, then EOF.
            ("cut body", format!("{list}Content-Length: 100\r\n\r\n{{}}        "), "unexpected EOF"),
            ("cut chunk", format!("{list}Transfer-Encoding: chunked\r\n\r\n10\r\n{{}}  "), "unexpected EOF"),
            (
                "bad chunk size",
                format!("{list}Transfer-Encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"),
                "invalid byte in chunk length",
            ),
            (
                "no CRLF after the chunk",
                format!("{list}Transfer-Encoding: chunked\r\n\r\n2\r\n{{}}XX0\r\n\r\n"),
                "malformed chunked encoding",
            ),
            (
                "chunk size overflow",
                format!("{list}Transfer-Encoding: chunked\r\n\r\n11111111111111111\r\n{{}}\r\n0\r\n\r\n"),
                "http chunk length too large",
            ),
        ];
        for (case, request, text) in cases {
            let (answer, closed) = send_and_half_close(milvus.address(), request.as_bytes());
            assert_eq!((answer.status, answer.body.clone()), (200, read_error(text)), "{case}");
            assert_eq!(answer.header("connection"), Some("close"), "{case}");
            assert!(closed, "{case}");
        }
        // Nothing was created or broken: the next call is answered.
        let (answer, _) =
            send_and_half_close(milvus.address(), &with_length("POST /v2/vectordb/collections/list", "", 2));
        assert_eq!(answer.body, LIST_OK);
    });
}

#[test]
fn a_half_sent_head_is_dropped_after_the_header_read_timeout_but_idle_keep_alive_connections_stay() {
    within(Duration::from_secs(60), "header read timeout", || {
        let binary = Binary::start(&["--header-read-timeout", "300"]);

        // A connection that sends nothing, and one that stops in the middle of its head: closed without an answer.
        for partial in ["", "POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\n"] {
            let mut conn = Conn::open(binary.address());
            let started = Instant::now();
            conn.send(partial.as_bytes().to_vec()).join().unwrap();
            assert!(conn.closed(), "{partial:?}: closed, with no answer");
            let took = started.elapsed();
            assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(5), "{partial:?}: {took:?}");
        }

        // Idle between calls for longer than the timeout: still usable (Go starts the clock at the next byte).
        let mut conn = Conn::open(binary.address());
        conn.send(with_length("POST /v2/vectordb/collections/list", "", 2)).join().unwrap();
        assert_eq!(conn.answer().body, LIST_OK);
        std::thread::sleep(Duration::from_millis(900));
        conn.send(with_length("POST /v2/vectordb/collections/list", "", 2)).join().unwrap();
        assert_eq!(conn.answer().body, LIST_OK);
        // Its next head stops half way: the clock runs from those bytes.
        std::thread::sleep(Duration::from_millis(500));
        let started = Instant::now();
        conn.send(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHo".to_vec()).join().unwrap();
        assert!(conn.closed(), "a half-sent second head: closed, with no answer");
        let took = started.elapsed();
        assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(5), "second head: {took:?}");
    });
}

#[test]
fn a_stalled_body_answers_1801_i_o_timeout_after_the_body_read_timeout() {
    within(Duration::from_secs(60), "body read timeout", || {
        let binary = Binary::start(&["--body-read-timeout", "300"]);
        let mut conn = Conn::open(binary.address());
        let client = conn.writer.local_addr().unwrap();
        let started = Instant::now();
        conn.send(b"POST /v2/vectordb/collections/list HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{}".to_vec())
            .join()
            .unwrap();
        let answer = conn.answer();
        let took = started.elapsed();
        let text = format!("read tcp {}->{client}: i/o timeout", binary.address());
        assert_eq!((answer.status, answer.body.clone()), (200, read_error(&text)));
        assert_eq!(answer.header("connection"), Some("close"));
        assert!(conn.closed());
        assert!(took >= Duration::from_millis(250) && took < Duration::from_secs(5), "{took:?}");
    });
}

/// `VmRSS` of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
    line.split_whitespace().nth(1).and_then(|kib| kib.parse().ok()).expect("VmRSS in kB")
}

#[test]
fn the_memory_of_closed_connections_is_given_back() {
    // 900 connections fit the usual 1,024 descriptors of the test and of the server alike.
    const CONNECTIONS: usize = 900;
    let server = Binary::start(&[]);
    let pid = server.child.id();
    let idle = rss_kib(pid);
    let body = r#"{"collectionName":"book"}"#;
    let request = format!(
        "POST /v2/vectordb/collections/has HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut open = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let mut stream = TcpStream::connect(server.address()).unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        open.push(stream);
    }
    for stream in &mut open {
        let mut answer = [0u8; 1024];
        let read = stream.read(&mut answer).unwrap();
        assert!(answer[..read].ends_with(br#"{"code":0,"data":{"has":false}}"#), "{:?}", &answer[..read]);
    }
    let busy = rss_kib(pid);
    assert!(busy > idle + 4 * 1024, "{CONNECTIONS} connections should hold memory: {idle} -> {busy} KiB");
    drop(open);
    // glibc kept it all (malloc_trim gives it back): at most half of what the connections took may stay.
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut after = rss_kib(pid);
    while after > idle + (busy - idle) / 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        after = rss_kib(pid);
    }
    assert!(after <= idle + (busy - idle) / 2, "RSS idle {idle} KiB, {CONNECTIONS} open {busy}, closed {after}");
}

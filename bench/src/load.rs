//! The load generator: raw HTTP/1.1 keep-alive over loopback TCP, one request in flight per connection (no
//! pipelining), N connections as tasks on one single-threaded tokio runtime, a warm-up, then a timed window.
//!
//! A raw client keeps the generator's own cost per request far below the server's (one `write`, one or two
//! `read`s, a header scan), so on 2 cores the server stays the bottleneck.

use std::io::{self, Read, Write};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One kind of request: a name for the report and its exact bytes.
#[derive(Clone)]
pub struct Op {
    pub name: &'static str,
    pub request: Arc<[u8]>,
}

impl Op {
    pub fn post(name: &'static str, addr: SocketAddr, path: &str, body: &str) -> Self {
        Self { name, request: post_bytes(addr, path, body).into() }
    }
}

/// A `POST` with a JSON body, as a client library sends it (keep-alive is HTTP/1.1's default).
pub fn post_bytes(addr: SocketAddr, path: &str, body: &str) -> Vec<u8> {
    format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: milvus-mock-bench\r\nAccept: */*\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// What to send: `ops[i]` is the request cycle of connection `i`.
pub struct Plan {
    pub ops: Vec<Vec<Op>>,
    pub warmup: Duration,
    pub duration: Duration,
}

/// Latencies of one op, in nanoseconds.
pub struct OpLatencies {
    pub name: &'static str,
    pub nanos: Vec<u32>,
}

pub struct LoadResult {
    /// Requests started inside the timed window and answered with HTTP 200 and `"code":0`.
    pub ok: u64,
    /// Anything else inside the window: other status, other code, I/O error.
    pub errors: u64,
    pub seconds: f64,
    /// Every answered request, warm-up included, and the wall time of the whole run (for CPU per request).
    pub total: u64,
    pub wall: Duration,
    pub per_op: Vec<OpLatencies>,
}

impl LoadResult {
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.seconds
    }

    /// All latencies, sorted.
    pub fn all_sorted(&self) -> Vec<u32> {
        let mut all: Vec<u32> = self.per_op.iter().flat_map(|o| o.nanos.iter().copied()).collect();
        all.sort_unstable();
        all
    }
}

/// The `q` quantile of sorted nanoseconds, in microseconds.
pub fn quantile_us(sorted: &[u32], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i] as f64 / 1000.0
}

/// A parsed response head: status, total length of head + body (when known), whether it is a success envelope.
struct Parsed {
    status: u16,
    total: usize,
    ok: bool,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Parses a complete response at the start of `buf`; `None` while more bytes are needed.
fn parse(buf: &[u8]) -> Option<io::Result<Parsed>> {
    let head_end = find(buf, b"\r\n\r\n")? + 4;
    let head = &buf[..head_end];
    let status = match std::str::from_utf8(head.get(9..12).unwrap_or_default()).ok().and_then(|s| s.parse().ok()) {
        Some(s) => s,
        None => return Some(Err(io::Error::other("bad status line"))),
    };
    let mut content_length = None;
    let mut chunked = false;
    for line in head[..head_end - 4].split(|&b| b == b'\n').skip(1) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        if name.eq_ignore_ascii_case(b"content-length") {
            match std::str::from_utf8(value).ok().and_then(|v| v.parse::<usize>().ok()) {
                Some(n) => content_length = Some(n),
                None => return Some(Err(io::Error::other("bad content-length"))),
            }
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") && value.eq_ignore_ascii_case(b"chunked") {
            chunked = true;
        }
    }
    let body_end = match content_length {
        Some(n) => head_end + n,
        // Small JSON answers only: the body ends at the last chunk.
        None if chunked => head_end + find(&buf[head_end..], b"0\r\n\r\n")? + 5,
        None => head_end,
    };
    if buf.len() < body_end {
        return None;
    }
    let body = &buf[head_end..body_end];
    let ok = status == 200 && (find(body, b"\"code\":0,").is_some() || find(body, b"\"code\":0}").is_some());
    Some(Ok(Parsed { status, total: body_end, ok }))
}

/// One keep-alive connection.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> io::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self { stream, buf: Vec::with_capacity(64 * 1024) })
    }

    /// Sends one request and reads its whole answer; true for a success envelope.
    async fn roundtrip(&mut self, request: &[u8]) -> io::Result<bool> {
        self.stream.write_all(request).await?;
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(parsed) = parse(&self.buf) {
                let parsed = parsed?;
                self.buf.drain(..parsed.total);
                return Ok(parsed.ok);
            }
            let n = self.stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }
}

struct ConnStats {
    total: u64,
    ok: u64,
    errors: u64,
    nanos: Vec<Vec<u32>>,
}

/// Runs `plan` against `addr`. Must be called inside a tokio runtime (the bench uses a current-thread one).
pub async fn run(addr: SocketAddr, plan: &Plan) -> io::Result<LoadResult> {
    // Connect everyone first so connection set-up is not in the window.
    let mut conns = Vec::with_capacity(plan.ops.len());
    for _ in &plan.ops {
        conns.push(Conn::open(addr).await?);
    }
    let started = Instant::now();
    let window_start = started + plan.warmup;
    let window_end = window_start + plan.duration;
    let expected = (plan.duration.as_secs_f64() * 40_000.0 / plan.ops.len() as f64) as usize + 1024;
    let mut tasks = Vec::with_capacity(conns.len());
    for (mut conn, ops) in conns.into_iter().zip(plan.ops.iter().cloned()) {
        tasks.push(tokio::spawn(async move {
            let mut stats = ConnStats {
                total: 0,
                ok: 0,
                errors: 0,
                nanos: ops.iter().map(|_| Vec::with_capacity(expected / ops.len().max(1))).collect(),
            };
            let mut i = 0usize;
            loop {
                let k = i % ops.len();
                i += 1;
                let sent = Instant::now();
                if sent >= window_end {
                    break;
                }
                let result = conn.roundtrip(&ops[k].request).await;
                let done = Instant::now();
                let measured = sent >= window_start;
                stats.total += u64::from(result.is_ok());
                match result {
                    Ok(true) if measured => {
                        stats.ok += 1;
                        let ns = (done - sent).as_nanos().min(u32::MAX as u128) as u32;
                        stats.nanos[k].push(ns);
                    }
                    Ok(true) => {}
                    Ok(false) => stats.errors += u64::from(measured),
                    Err(_) => {
                        stats.errors += u64::from(measured);
                        // Reconnect; give up only when the window is over.
                        loop {
                            match Conn::open(addr).await {
                                Ok(c) => {
                                    conn = c;
                                    break;
                                }
                                Err(_) if Instant::now() < window_end => {
                                    tokio::time::sleep(Duration::from_millis(1)).await
                                }
                                Err(_) => return stats,
                            }
                        }
                    }
                }
            }
            stats
        }));
    }
    let mut per_op: Vec<OpLatencies> = Vec::new();
    let (mut ok, mut errors, mut total) = (0, 0, 0);
    for (task, ops) in tasks.into_iter().zip(&plan.ops) {
        let stats = task.await.map_err(io::Error::other)?;
        ok += stats.ok;
        total += stats.total;
        errors += stats.errors;
        for (op, nanos) in ops.iter().zip(stats.nanos) {
            match per_op.iter_mut().find(|o| o.name == op.name) {
                Some(o) => o.nanos.extend(nanos),
                None => per_op.push(OpLatencies { name: op.name, nanos }),
            }
        }
    }
    for o in &mut per_op {
        o.nanos.sort_unstable();
    }
    Ok(LoadResult { ok, errors, seconds: plan.duration.as_secs_f64(), total, wall: started.elapsed(), per_op })
}

/// A blocking one-shot request on a fresh connection (set-up, start-up polling): status and body.
pub fn request_blocking(addr: SocketAddr, path: &str, body: &str, timeout: Duration) -> io::Result<(u16, String)> {
    let stream = std::net::TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    KeepAlive::on(stream)?.call(addr, path, body)
}

/// A blocking keep-alive connection that returns each answer's status and body (the data-plane scenario's threads).
pub struct KeepAlive {
    stream: std::net::TcpStream,
    buf: Vec<u8>,
}

impl KeepAlive {
    pub fn open(addr: SocketAddr) -> io::Result<Self> {
        Self::on(std::net::TcpStream::connect(addr)?)
    }

    fn on(stream: std::net::TcpStream) -> io::Result<Self> {
        stream.set_nodelay(true)?;
        Ok(Self { stream, buf: Vec::with_capacity(4096) })
    }

    /// Sends prepared request bytes (see [`post_bytes`]) and reads the whole answer: status and body.
    pub fn send(&mut self, request: &[u8]) -> io::Result<(u16, String)> {
        self.stream.write_all(request)?;
        let mut chunk = [0u8; 16 * 1024];
        loop {
            if let Some(parsed) = parse(&self.buf) {
                let parsed = parsed?;
                let head_end = find(&self.buf, b"\r\n\r\n").unwrap_or(0) + 4;
                let body = String::from_utf8_lossy(&self.buf[head_end..parsed.total]).into_owned();
                self.buf.drain(..parsed.total);
                return Ok((parsed.status, body));
            }
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
    }

    /// `POST path` with a JSON body.
    pub fn call(&mut self, addr: SocketAddr, path: &str, body: &str) -> io::Result<(u16, String)> {
        self.send(&post_bytes(addr, path, body))
    }
}

/// Sends a set-up request and insists on a success envelope.
pub fn setup_call(addr: SocketAddr, path: &str, body: &str) {
    match request_blocking(addr, path, body, Duration::from_secs(10)) {
        Ok((200, text)) if text.contains("\"code\":0") => {}
        other => panic!("set-up call {path} {body} failed: {other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_success_envelope_and_waits_for_the_body() {
        let full =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n{\"code\":0,\"data\":{}}";
        let p = parse(full).unwrap().unwrap();
        assert_eq!((p.status, p.total, p.ok), (200, full.len(), true));
        assert!(parse(&full[..full.len() - 1]).is_none());
        let err = b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"code\":1}";
        assert!(!parse(err).unwrap().unwrap().ok);
    }
}

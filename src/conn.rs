//! The connection layer under [`crate::app::serve`]: accepting, HTTP/1 with hyper, and what Go's `net/http` does
//! around a handler that Milvus relies on (`src/net/http/server.go`):
//!
//! * An answer sent before the request body was read (401, 404, 408, 1801 for a too-large body) leaves the
//!   connection usable: after the handler, the rest of the body is read and thrown away up to 256 KiB
//!   (`maxPostHandlerReadBytes`). When more remains the answer says `Connection: close` and the connection is
//!   closed the way Go closes it (`closeWriteAndWait`: FIN first, then a short wait), so the client still reads
//!   the answer instead of a reset.
//! * Headers must arrive within `header_read_timeout` (Milvus sets `ReadHeaderTimeout: time.Second`, see
//!   `internal/distributed/proxy/service.go`). As in Go, an idle keep-alive connection has no deadline: the clock
//!   starts with the next request's bytes (Go's `Peek(4)` before `readRequest`), or at the accept for the first.
//!   A timeout closes the connection without an answer, as Go does.
//! * A body must arrive within `body_read_timeout`. Milvus sets no `ReadTimeout`, so a stalled body would hold
//!   the connection forever there; the mock gives up and answers as Go's read deadline would make Milvus answer:
//!   1801 `can only accept json format request, error: read tcp <server>-><client>: i/o timeout`.
//! * A body read error keeps Go's text: `unexpected EOF` for a truncated body, the chunked reader's texts for a
//!   bad chunk (`src/net/http/internal/chunked.go`).
//! * Shutdown stops accepting, lets calls in flight finish and closes idle connections, and gives up after
//!   `shutdown_timeout`.
//!
//! With the `grpc` feature a connection that opens with the HTTP/2 preface (prior-knowledge h2c, what gRPC clients
//! send to a plain-text port) is served by hyper's HTTP/2 server instead (module `http2` below), through the
//! `Handler`'s HTTP/2 entry (`Handle::handle_http2`: `app::MockService` gives gRPC requests to the gRPC front with
//! hyper's body as it is, anything else to REST); the header clock covers the preface,
//! and shutdown is graceful there too (GOAWAY, streams in flight finish).

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, Request, header};
use axum::response::Response;
use http_body::{Body as _, Frame, SizeHint};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// Go's `maxPostHandlerReadBytes`: how much of an unread body is read and discarded after the handler to keep the
/// connection.
pub const MAX_POST_HANDLER_READ: u64 = 256 * 1024;

/// Go's `rstAvoidanceDelay`: how long a connection closed with unread input waits after its FIN before it goes.
const LINGER: Duration = Duration::from_millis(500);

/// The connection settings of [`crate::Config`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Settings {
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub shutdown_timeout: Duration,
    pub release_memory: Option<fn()>,
}

/// Counts open connections and calls `release` once a wave of them has closed (see `Config::release_memory`).
#[derive(Default)]
struct OpenConnections {
    open: AtomicUsize,
    /// The most open at once since `release` last ran.
    peak: AtomicUsize,
}

/// A wave smaller than this is not worth a trim.
const RELEASE_AFTER: usize = 64;

impl OpenConnections {
    fn opened(&self) {
        let open = self.open.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(open, Ordering::Relaxed);
    }

    fn closed(&self, release: Option<fn()>) {
        let open = self.open.fetch_sub(1, Ordering::Relaxed) - 1;
        let peak = self.peak.load(Ordering::Relaxed);
        if let Some(release) = release
            && peak >= RELEASE_AFTER
            && open <= peak / 2
            && self.peak.compare_exchange(peak, open, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            tokio::task::spawn_blocking(release);
        }
    }
}

/// Serves every listener until `shutdown` completes; then stops accepting, finishes what is in flight and closes
/// idle connections, for at most `settings.shutdown_timeout`.
pub(crate) async fn serve(
    listeners: Vec<TcpListener>,
    service: Handler,
    settings: Settings,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    // Each connection holds a receiver: `true` asks it to finish gracefully, a dropped sender drops it.
    let (signal, _) = watch::channel(false);
    let mut protocol = http1::Builder::new();
    protocol.keep_alive(true);
    let mut shutdown = pin!(shutdown);
    let connections = Arc::new(OpenConnections::default());
    loop {
        let accepted = tokio::select! {
            accepted = accept(&listeners) => accepted,
            () = &mut shutdown => break,
        };
        let (stream, remote) = match accepted {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of file descriptors and such: wait instead of spinning, as axum::serve does.
                tracing::error!("accept error: {e}");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        // Go sets TCP_NODELAY on every TCP connection.
        let _ = stream.set_nodelay(true);
        // The connection's parts are made here, on the accepting thread, not in its task: made on the workers they
        // land in those threads' malloc arenas, and less of the memory of closed connections goes back to the system
        // (tests/reliability: `the_memory_of_closed_connections_is_given_back`).
        let local = stream.local_addr().unwrap_or(remote);
        let shared = Arc::new(Shared::new(local, remote));
        let header_timeout = (!settings.header_read_timeout.is_zero()).then_some(settings.header_read_timeout);
        let io = ConnIo {
            stream,
            shared: shared.clone(),
            header_timeout,
            // The first request's clock runs from the accept, as Go's.
            header_deadline: header_timeout.map(|t| Box::pin(tokio::time::sleep(t))),
            armed_for: Some(0),
            linger: None,
        };
        let service = ConnService { service: service.clone(), shared, body_read_timeout: settings.body_read_timeout };
        let connection = Connection { io, service, http1: protocol.clone() };
        let signal = signal.subscribe();
        let (connections, release) = (connections.clone(), settings.release_memory);
        connections.opened();
        tokio::spawn(async move {
            connection.serve(signal).await;
            // The connection and its buffers are dropped by now.
            connections.closed(release);
        });
    }
    drop(listeners);
    signal.send_replace(true);
    if tokio::time::timeout(settings.shutdown_timeout, signal.closed()).await.is_err() {
        tracing::warn!(
            connections = signal.receiver_count(),
            "shutdown timeout ({:?}): closing the connections still open",
            settings.shutdown_timeout
        );
    }
    Ok(())
}

/// An accepted connection, before its protocol is known.
struct Connection {
    io: ConnIo,
    service: ConnService,
    http1: http1::Builder,
}

impl Connection {
    /// Serves the connection until it ends, or until `signal` asks it to finish (then gracefully). With the `grpc`
    /// feature a connection that opens with the HTTP/2 preface is served as HTTP/2 (see [`http2`]).
    async fn serve(self, #[cfg_attr(not(feature = "grpc"), allow(unused_mut))] mut signal: watch::Receiver<bool>) {
        #[cfg(feature = "grpc")]
        {
            let deadline = self.io.header_deadline.as_ref().map(|sleep| sleep.deadline());
            let opening = http2::opens_with_preface(&self.io.stream, deadline);
            let is_http2 = tokio::select! {
                is_http2 = opening => is_http2,
                // Shut down before the first request: nothing to finish.
                _ = signal.changed() => return,
            };
            match is_http2 {
                Some(true) => return http2::serve(self.io.stream, self.service.service, signal).await,
                Some(false) => {}
                // Nothing arrived within the header timeout: closed without an answer, as Go does.
                None => return,
            }
        }
        drive(self.http1.serve_connection(TokioIo::new(self.io), self.service), signal).await;
    }
}

/// Runs a connection until it ends; when `signal` turns true, lets it finish what is in flight and close; when the
/// sender is gone (the shutdown timeout passed), drops it.
async fn drive<C: hyper_util::server::graceful::GracefulConnection>(connection: C, mut signal: watch::Receiver<bool>) {
    let mut connection = pin!(connection);
    loop {
        tokio::select! {
            _ = connection.as_mut() => break,
            changed = signal.changed() => match changed {
                Ok(()) => connection.as_mut().graceful_shutdown(),
                Err(_) => break,
            },
        }
    }
}

/// Prior-knowledge HTTP/2 (h2c), which gRPC clients speak to a plain-text port: detected by its connection preface
/// and served by hyper's HTTP/2 server, every request to [`Handle::handle_http2`] (which sends gRPC to the gRPC
/// front and anything else to REST). The HTTP/1 behaviours above (header clock, unread bodies, lingering close) are Go
/// `net/http`'s and do not apply: a stream's body is the request's own, and an unread one resets only its stream.
#[cfg(feature = "grpc")]
mod http2 {
    use super::*;
    use hyper_util::rt::{TokioExecutor, TokioTimer};

    /// The HTTP/2 connection preface (RFC 9113 §3.4).
    const PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    /// Milvus's gRPC server keepalive (`internal/distributed/proxy/service.go`: `Time 60s`, `Timeout 10s`): a
    /// PING after a minute without frames, and the connection closed when its answer takes longer than 10 s.
    const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(60);
    const KEEPALIVE_TIMEOUT: Duration = Duration::from_secs(10);

    /// Whether the connection opens with the preface, peeking without consuming: `false` at the first byte that
    /// differs (an HTTP/1 request differs at its second byte at most), `None` when nothing decides before
    /// `deadline` or the peer goes away.
    pub(super) async fn opens_with_preface(stream: &TcpStream, deadline: Option<tokio::time::Instant>) -> Option<bool> {
        let peek = async {
            let mut buf = [0u8; PREFACE.len()];
            loop {
                let n = stream.peek(&mut buf).await.ok()?;
                if n == 0 {
                    // Closed at once: HTTP/1 reads the end and closes.
                    return Some(false);
                }
                if buf[..n] != PREFACE[..n] {
                    return Some(false);
                }
                if n == PREFACE.len() {
                    return Some(true);
                }
                // Part of the preface: `peek` would answer the same bytes at once, so wait a little for the rest.
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        match deadline {
            Some(deadline) => tokio::time::timeout_at(deadline, peek).await.ok().flatten(),
            None => peek.await,
        }
    }

    pub(super) async fn serve(stream: TcpStream, service: Handler, signal: watch::Receiver<bool>) {
        let mut builder = hyper::server::conn::http2::Builder::new(TokioExecutor::new());
        builder.timer(TokioTimer::new()).keep_alive_interval(KEEPALIVE_INTERVAL).keep_alive_timeout(KEEPALIVE_TIMEOUT);
        drive(builder.serve_connection(TokioIo::new(stream), Http2Service(service)), signal).await;
    }

    /// The hyper service of an HTTP/2 connection: the `Handler`'s HTTP/2 entry.
    struct Http2Service(Handler);

    impl hyper::service::Service<Request<Incoming>> for Http2Service {
        type Response = Response;
        type Error = Infallible;
        type Future = Handling;

        fn call(&self, request: Request<Incoming>) -> Handling {
            self.0.handle_http2(request)
        }
    }
}

/// The next connection of any listener.
async fn accept(listeners: &[TcpListener]) -> io::Result<(TcpStream, SocketAddr)> {
    std::future::poll_fn(|cx| {
        for listener in listeners {
            if let Poll::Ready(accepted) = listener.poll_accept(cx) {
                return Poll::Ready(accepted);
            }
        }
        Poll::Pending
    })
    .await
}

/// Errors about one connection, not about the listener.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused | io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
    )
}

/// Where a connection is in reading a request head, for the header clock.
const HEAD_IDLE: u8 = 0;
const HEAD_READING: u8 = 1;
const HEAD_DONE: u8 = 2;

/// What a connection's parts share: addresses (for Go's error texts), where the request head is (for the header
/// clock) and the body a handler left unread.
struct Shared {
    local: SocketAddr,
    remote: SocketAddr,
    /// `HEAD_IDLE` between requests, `HEAD_READING` once bytes of the next one are in, `HEAD_DONE` from its
    /// parsed head to its answer.
    head: AtomicU8,
    /// Requests whose head was read; tells one head's clock from the next.
    heads: AtomicU64,
    /// Set when `leftover` holds something, so the common case does not take the lock.
    has_leftover: AtomicBool,
    leftover: Mutex<Option<Leftover>>,
    /// Close the way Go's `closeWriteAndWait` does: the client may still be sending.
    linger: AtomicBool,
}

impl Shared {
    fn new(local: SocketAddr, remote: SocketAddr) -> Self {
        Self {
            local,
            remote,
            head: AtomicU8::new(HEAD_READING),
            heads: AtomicU64::new(0),
            has_leftover: AtomicBool::new(false),
            leftover: Mutex::new(None),
            linger: AtomicBool::new(false),
        }
    }

    fn take_leftover(&self) -> Option<Leftover> {
        if !self.has_leftover.swap(false, Ordering::Relaxed) {
            return None;
        }
        self.leftover.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// A request body the handler did not read to its end.
enum Leftover {
    /// The rest, still to be read.
    Unread(Incoming, Duration),
    /// Reading it failed: whatever remains on the wire must not be read as another request.
    Broken,
}

/// The TCP stream with the header read deadline, closing as Go does when asked to linger.
///
/// The header clock is kept here rather than in hyper's `header_read_timeout`, which runs on idle keep-alive
/// connections too (Go's and Milvus's stay open) and costs a boxed timer per request: here it starts only when a
/// head is incomplete and the server has to wait for the rest (or at the accept, for a connection's first request),
/// so a head that arrives whole costs nothing. On timeout the read fails and hyper closes the connection without an
/// answer, as Go does.
struct ConnIo {
    stream: TcpStream,
    shared: Arc<Shared>,
    header_timeout: Option<Duration>,
    /// Made once per connection and reset for each head that has to be waited for.
    header_deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// The head (by `Shared::heads`) the deadline runs for.
    armed_for: Option<u64>,
    /// Set once the write side is shut and the rest of the input is being discarded.
    linger: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AsyncRead for ConnIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let before = buf.filled().len();
        let result = Pin::new(&mut this.stream).poll_read(cx, buf);
        let Some(timeout) = this.header_timeout else { return result };
        if buf.filled().len() > before {
            // The first bytes of the next request start its head.
            let _ = this.shared.head.compare_exchange(HEAD_IDLE, HEAD_READING, Ordering::Relaxed, Ordering::Relaxed);
        }
        if result.is_ready() || this.shared.head.load(Ordering::Relaxed) != HEAD_READING {
            return result;
        }
        // Waiting for the rest of a head: its clock runs from now (from the accept for the first request).
        let head = this.shared.heads.load(Ordering::Relaxed);
        let deadline = this.header_deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if this.armed_for != Some(head) {
            deadline.as_mut().reset(tokio::time::Instant::now() + timeout);
            this.armed_for = Some(head);
        }
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "header read timeout"))),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for ConnIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    /// Shuts the write side; after an answer that left input unread, also reads and discards until the client
    /// closes or [`LINGER`] passes, so that closing does not reset the connection under the client's read of the
    /// answer (Go's `closeWriteAndWait`).
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.linger.is_none() {
            std::task::ready!(Pin::new(&mut this.stream).poll_shutdown(cx))?;
            if !this.shared.linger.load(Ordering::Relaxed) {
                return Poll::Ready(Ok(()));
            }
            this.linger = Some(Box::pin(tokio::time::sleep(LINGER)));
        }
        let deadline = this.linger.as_mut().expect("set above");
        let mut scratch = [0u8; 4096];
        loop {
            if deadline.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Ok(()));
            }
            let mut buf = ReadBuf::new(&mut scratch);
            match Pin::new(&mut this.stream).poll_read(cx, &mut buf) {
                Poll::Ready(Ok(())) if !buf.filled().is_empty() => continue,
                Poll::Ready(_) => return Poll::Ready(Ok(())),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// The hyper service of one connection: the request body is wrapped (read timeout, Go's error texts, the unread
/// rest kept), the `Handler` answers, and an unread rest is dealt with before the answer goes out.
struct ConnService {
    service: Handler,
    shared: Arc<Shared>,
    body_read_timeout: Duration,
}

impl hyper::service::Service<Request<Incoming>> for ConnService {
    type Response = Response;
    type Error = Infallible;
    type Future = Exchange;

    fn call(&self, request: Request<Incoming>) -> Exchange {
        self.shared.heads.fetch_add(1, Ordering::Relaxed);
        self.shared.head.store(HEAD_DONE, Ordering::Relaxed);
        let request = request.map(|incoming| {
            Body::new(RequestBody {
                incoming: Some(incoming),
                shared: self.shared.clone(),
                timeout: self.body_read_timeout,
                deadline: None,
                state: BodyState::Reading,
            })
        });
        Exchange { handling: self.service.handle(request), settling: None, shared: self.shared.clone() }
    }
}

pub(crate) type Handling = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

/// What the connections serve: one call per request, whoever answers it (the server's `app::MockService`). This
/// layer knows HTTP and sockets, not Milvus.
pub(crate) trait Handle: Send + Sync + 'static {
    /// Answers a request, its body as [`RequestBody`] reads it (HTTP/1.1).
    fn handle(&self, request: Request<Body>) -> Handling;

    /// Answers an HTTP/2 request, its body as hyper reads it. A handler that can take hyper's body as it is (the
    /// gRPC front) saves boxing it on every request; the default boxes it and calls [`Handle::handle`].
    #[cfg(feature = "grpc")]
    fn handle_http2(&self, request: Request<Incoming>) -> Handling {
        self.handle(request.map(Body::new))
    }
}

/// The [`Handle`] every connection shares.
pub(crate) type Handler = Arc<dyn Handle>;

/// One request's answer: the handler's, then (only when the body was left unread) the post-handler read.
struct Exchange {
    handling: Handling,
    settling: Option<Pin<Box<dyn Future<Output = Response> + Send>>>,
    shared: Arc<Shared>,
}

impl Future for Exchange {
    type Output = Result<Response, Infallible>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if self.settling.is_none() {
            let Ok(response) = std::task::ready!(self.handling.as_mut().poll(cx));
            match self.shared.take_leftover() {
                None => {
                    self.shared.head.store(HEAD_IDLE, Ordering::Relaxed);
                    return Poll::Ready(Ok(response));
                }
                Some(leftover) => self.settling = Some(Box::pin(settle(response, leftover, self.shared.clone()))),
            }
        }
        let response = std::task::ready!(self.settling.as_mut().expect("set above").as_mut().poll(cx));
        self.shared.head.store(HEAD_IDLE, Ordering::Relaxed);
        Poll::Ready(Ok(response))
    }
}

/// What Go's server does with a body the handler left unread (`chunkWriter.writeHeader`): a known rest of 256 KiB
/// or more, or a failed read, closes the connection after the answer; else up to 256 KiB are read and discarded,
/// and the connection is kept when the body ends within them.
async fn settle(mut response: Response, leftover: Leftover, shared: Arc<Shared>) -> Response {
    let keep = match leftover {
        Leftover::Broken => false,
        Leftover::Unread(incoming, timeout) => discard(incoming, timeout).await,
    };
    if !keep {
        shared.linger.store(true, Ordering::Relaxed);
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    response
}

/// Reads and drops the rest of a body; true when it ended within [`MAX_POST_HANDLER_READ`] bytes.
async fn discard(mut incoming: Incoming, timeout: Duration) -> bool {
    if incoming.size_hint().exact().is_some_and(|rest| rest >= MAX_POST_HANDLER_READ) {
        return false;
    }
    let read = async {
        let mut total = 0u64;
        loop {
            match std::future::poll_fn(|cx| Pin::new(&mut incoming).poll_frame(cx)).await {
                None => return true,
                Some(Err(_)) => return false,
                Some(Ok(frame)) => {
                    total += frame.data_ref().map_or(0, |d| d.len() as u64);
                    if total > MAX_POST_HANDLER_READ {
                        return false;
                    }
                }
            }
        }
    };
    if timeout.is_zero() { read.await } else { tokio::time::timeout(timeout, read).await.unwrap_or(false) }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyState {
    Reading,
    Done,
    Failed,
}

/// The request body as handlers see it: hyper's, with a read deadline, Go's error texts, and its unread rest
/// handed back to the connection when it is dropped early (dropping hyper's body would make hyper close the
/// connection once the answer is out).
struct RequestBody {
    incoming: Option<Incoming>,
    shared: Arc<Shared>,
    timeout: Duration,
    /// Started the first time the body has to be waited for, so that a body already in the buffer costs no timer.
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    state: BodyState,
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = BodyReadError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, BodyReadError>>> {
        let this = &mut *self;
        let Some(incoming) = this.incoming.as_mut().filter(|_| this.state == BodyState::Reading) else {
            return Poll::Ready(None);
        };
        match Pin::new(incoming).poll_frame(cx) {
            Poll::Ready(None) => {
                this.state = BodyState::Done;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(frame))) => Poll::Ready(Some(Ok(frame))),
            Poll::Ready(Some(Err(e))) => {
                this.state = BodyState::Failed;
                Poll::Ready(Some(Err(BodyReadError::from_hyper(&e))))
            }
            Poll::Pending => {
                if this.timeout.is_zero() {
                    return Poll::Pending;
                }
                let timeout = this.timeout;
                let deadline = this.deadline.get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                if deadline.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                this.state = BodyState::Failed;
                let text = format!("read tcp {}->{}: i/o timeout", this.shared.local, this.shared.remote);
                Poll::Ready(Some(Err(BodyReadError(text))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.state != BodyState::Reading || self.incoming.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> SizeHint {
        match &self.incoming {
            Some(incoming) if self.state == BodyState::Reading => incoming.size_hint(),
            _ => SizeHint::with_exact(0),
        }
    }
}

impl Drop for RequestBody {
    fn drop(&mut self) {
        let leftover = match self.state {
            BodyState::Done => return,
            BodyState::Failed => Leftover::Broken,
            BodyState::Reading => match self.incoming.take() {
                Some(incoming) if !incoming.is_end_stream() => Leftover::Unread(incoming, self.timeout),
                _ => return,
            },
        };
        *self.shared.leftover.lock().unwrap_or_else(|e| e.into_inner()) = Some(leftover);
        self.shared.has_leftover.store(true, Ordering::Relaxed);
    }
}

/// A body read error with the text Go's `net/http` gives it, which Milvus puts in its 1801 message.
#[derive(Debug)]
pub(crate) struct BodyReadError(String);

impl BodyReadError {
    /// hyper's decoder errors in Go's words: `io.ErrUnexpectedEOF` for a body cut short, the chunked reader's
    /// texts for a bad chunk.
    fn from_hyper(e: &hyper::Error) -> Self {
        let io = std::error::Error::source(e).and_then(|s| s.downcast_ref::<io::Error>());
        let text = match io {
            Some(io) if io.kind() == io::ErrorKind::UnexpectedEof => "unexpected EOF",
            Some(io) => {
                let message = io.to_string();
                if message.contains("overflow") {
                    "http chunk length too large"
                } else if message.starts_with("Invalid chunk size") || message.contains("extension") {
                    // hyper does not tell an empty size line (Go: "empty hex number for chunk length") from a bad
                    // first byte; the bad byte is the likelier.
                    "invalid byte in chunk length"
                } else {
                    "malformed chunked encoding"
                }
            }
            None if e.is_incomplete_message() => "unexpected EOF",
            None => "malformed chunked encoding",
        };
        Self(text.to_string())
    }
}

impl std::fmt::Display for BodyReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BodyReadError {}

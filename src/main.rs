//! The `milvus-mock` binary: flags, logging, bind, serve until Ctrl-C or SIGTERM; and `healthcheck` for images
//! without curl.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use milvus_mock::defaults::{
    DEFAULT_BODY_LIMIT, DEFAULT_BODY_READ_TIMEOUT, DEFAULT_HEADER_READ_TIMEOUT, DEFAULT_JOURNAL_SIZE,
    DEFAULT_SHUTDOWN_TIMEOUT,
};
use milvus_mock::{AppState, Config, Fixture, Limits, MilvusVersion, Profile, Users};
use tracing_subscriber::EnvFilter;

mod log_format;
mod log_writer;

/// musl's own allocator halves the static binary's throughput (see bench/README.md); mimalloc brings it level with
/// the glibc build. `no_thp` keeps idle memory small (no transparent huge pages).
#[cfg(target_env = "musl")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives the memory of closed connections back to the OS (`Config::release_memory`): after 10,000 connections
/// closed, glibc kept about 180 MB of freed memory, mimalloc about 100 MB.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn release_memory() {
    // SAFETY: malloc_trim takes no pointers and only walks glibc's own heap, under glibc's own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators give memory back on their own, or offer no call for it.
#[cfg(not(any(all(target_os = "linux", target_env = "gnu"), target_env = "musl")))]
fn release_memory() {}

#[cfg(target_env = "musl")]
#[allow(unsafe_code)]
fn release_memory() {
    // SAFETY: mi_collect takes no pointers; it frees mimalloc's own unused pages, under its own locks.
    unsafe {
        libmimalloc_sys::mi_collect(true);
    }
}

/// A fast, stateful mock of the Milvus RESTful API v2 (POST /v2/vectordb/...), for tests.
///
/// Every flag can also be set by the environment variable shown with it. Logging follows RUST_LOG (default
/// milvus_mock=info: one line per request; debug adds the bodies).
#[derive(Debug, Parser)]
#[command(version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Exit 0 when a milvus-mock answers GET /healthz with 200, else 1 (a Docker HEALTHCHECK without curl).
    Healthcheck {
        /// The server to check [default: http://127.0.0.1:$MILVUS_MOCK_PORT, or port 19530].
        #[arg(long, env = "MILVUS_MOCK_HEALTHCHECK_URL")]
        url: Option<String>,
    },
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on: an IPv4 or IPv6 address (`::1`, `[::1]`, `::`) or a name such as localhost (every
    /// address it resolves to). 0.0.0.0 or :: accept connections from other hosts or containers.
    #[arg(long, env = "MILVUS_MOCK_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (19530 like Milvus; 0 picks a free one).
    #[arg(long, env = "MILVUS_MOCK_PORT", default_value_t = 19530)]
    port: u16,
    /// Milvus version to imitate: 2.4, 2.5, 2.6 or 3.0 (master).
    #[arg(long, env = "MILVUS_MOCK_VERSION", default_value = "2.6")]
    milvus_version: MilvusVersion,
    /// The `code` of a successful answer: 0 like Milvus 2.4.6+, or 200 for clients written to the docs' tables.
    #[arg(long, env = "MILVUS_MOCK_SUCCESS_CODE")]
    success_code: Option<i64>,
    /// Turn authentication on: user root, password Milvus.
    #[arg(long, env = "MILVUS_MOCK_AUTH")]
    auth: bool,
    /// Add a user NAME:PASSWORD; turns authentication on. Repeatable; comma-separated in the variable.
    #[arg(long = "user", env = "MILVUS_MOCK_USERS", value_delimiter = ',', value_parser = Users::parse_user)]
    users: Vec<(String, String)>,
    /// Seed the state from a fixture file, or from every *.json file of a folder (see the README's Fixtures).
    #[arg(long, env = "MILVUS_MOCK_FIXTURES")]
    fixtures: Option<PathBuf>,
    /// Milliseconds a load takes to reach LoadStateLoaded, through LoadStateLoading (0: at once).
    #[arg(long, env = "MILVUS_MOCK_LOAD_DURATION", default_value_t = 0)]
    load_duration: u64,
    /// Remove the /_mock control plane: only Milvus routes remain.
    #[arg(long, env = "MILVUS_MOCK_NO_CONTROL")]
    no_control: bool,
    /// Require `Authorization: Bearer TOKEN` on the /_mock control plane.
    #[arg(long, env = "MILVUS_MOCK_CONTROL_TOKEN")]
    control_token: Option<String>,
    /// How many calls the request journal (GET /_mock/requests) keeps; the oldest go first. 0 turns it off.
    #[arg(long, env = "MILVUS_MOCK_JOURNAL_SIZE", default_value_t = DEFAULT_JOURNAL_SIZE)]
    journal_size: usize,
    /// Largest request body in bytes; a larger one is answered like Milvus (1801, request body too large).
    #[arg(long, env = "MILVUS_MOCK_BODY_LIMIT", default_value_t = DEFAULT_BODY_LIMIT)]
    body_limit: usize,
    /// Milliseconds a request's head may take, from the connection's accept or the request's first byte (Milvus:
    /// 1000); then the connection is closed without an answer. 0: no limit.
    #[arg(long, env = "MILVUS_MOCK_HEADER_READ_TIMEOUT", default_value_t = DEFAULT_HEADER_READ_TIMEOUT.as_millis() as u64)]
    header_read_timeout: u64,
    /// Milliseconds to wait for the rest of a request body; then 1801 with Go's `i/o timeout` read error and the
    /// connection closed. 0: no limit.
    #[arg(long, env = "MILVUS_MOCK_BODY_READ_TIMEOUT", default_value_t = DEFAULT_BODY_READ_TIMEOUT.as_millis() as u64)]
    body_read_timeout: u64,
    /// Milliseconds that shutdown (SIGTERM, Ctrl-C) waits for calls in flight before it closes their connections.
    #[arg(long, env = "MILVUS_MOCK_SHUTDOWN_TIMEOUT", default_value_t = DEFAULT_SHUTDOWN_TIMEOUT.as_millis() as u64)]
    shutdown_timeout: u64,
    /// Log format.
    #[arg(long, env = "MILVUS_MOCK_LOG_FORMAT", default_value = "pretty", value_parser = ["pretty", "json"])]
    log_format: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Healthcheck { url }) => {
            let port = std::env::var("MILVUS_MOCK_PORT").unwrap_or_else(|_| "19530".into());
            healthcheck(&url.unwrap_or_else(|| format!("http://127.0.0.1:{port}")))
        }
        None => serve(cli.serve),
    }
}

fn serve(args: ServeArgs) -> ExitCode {
    // Held to the end of `serve`: dropping it writes out the log lines still buffered.
    let _log_guard = init_tracing(&args.log_format);
    let config = match config(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("milvus-mock: {e}");
            return ExitCode::from(2);
        }
    };
    let state = match AppState::new(config) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("milvus-mock: bad fixture: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("cannot start the tokio runtime");
    let result = runtime.block_on(async move {
        let listeners = bind(&args.host, args.port).await?;
        let addresses: Vec<String> =
            listeners.iter().filter_map(|l| l.local_addr().ok()).map(|a| a.to_string()).collect();
        tracing::info!(
            address = %addresses.join(", "),
            version = %args.milvus_version,
            auth = state.config.users.is_some(),
            control = state.config.control,
            "milvus-mock listening"
        );
        milvus_mock::serve_all(listeners, state, shutdown_signal()).await
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("milvus-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

fn config(args: &ServeArgs) -> Result<Config, String> {
    let mut profile = Profile::new(args.milvus_version);
    if let Some(code) = args.success_code {
        profile = profile.with_success_code(code);
    }
    let users = (args.auth || !args.users.is_empty())
        .then(|| args.users.iter().fold(Users::default(), |u, (name, password)| u.with_user(name, password)));
    let fixtures = match &args.fixtures {
        Some(path) => Fixture::load(path).map_err(|e| format!("bad fixture: {e}"))?,
        None => Vec::new(),
    };
    Ok(Config {
        profile,
        limits: Limits::default(),
        load_duration: Duration::from_millis(args.load_duration),
        users,
        body_limit: args.body_limit,
        fixtures,
        control: !args.no_control,
        control_token: args.control_token.clone(),
        journal_size: args.journal_size,
        header_read_timeout: Duration::from_millis(args.header_read_timeout),
        body_read_timeout: Duration::from_millis(args.body_read_timeout),
        shutdown_timeout: Duration::from_millis(args.shutdown_timeout),
        release_memory: Some(release_memory),
    })
}

/// Binds every address `host` stands for: an IP address (IPv6 with or without brackets) or a name, resolved
/// (`localhost`: 127.0.0.1 and ::1 where there is one). An address that cannot be bound is skipped with a warning
/// as long as another one binds. With port 0 the later addresses take the first one's port.
async fn bind(host: &str, port: u16) -> std::io::Result<Vec<tokio::net::TcpListener>> {
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let resolved = tokio::net::lookup_host((host, port))
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("bad --host {host:?}: {e}")))?;
    let mut addresses: Vec<SocketAddr> = Vec::new();
    for address in resolved {
        if !addresses.contains(&address) {
            addresses.push(address);
        }
    }
    let mut listeners: Vec<tokio::net::TcpListener> = Vec::new();
    let mut failure = None;
    for mut address in addresses {
        if let Some(first) = listeners.first().and_then(|l| l.local_addr().ok()).filter(|_| port == 0) {
            address.set_port(first.port());
        }
        match tokio::net::TcpListener::bind(address).await {
            Ok(listener) => listeners.push(listener),
            Err(e) => {
                tracing::warn!("cannot bind {address}: {e}");
                failure = Some(std::io::Error::new(e.kind(), format!("cannot bind {address}: {e}")));
            }
        }
    }
    match (listeners.is_empty(), failure) {
        (false, _) => Ok(listeners),
        (true, Some(e)) => Err(e),
        (true, None) => Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("no address for {host:?}"))),
    }
}

/// Logs to stdout, a line as each call ends.
///
/// Lines are formatted on the calling thread and written in batches by a logging thread (`log_writer`): under
/// load a call no longer pays for its own write to stdout, and a line still appears within milliseconds. The
/// returned guard writes out what is left when it is dropped.
fn init_tracing(format: &str) -> log_writer::LogGuard {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("milvus_mock=info"));
    // Colours only on a terminal: `docker logs` and CI files get plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let (writer, guard) = log_writer::stdout_writer();
    let builder =
        tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi).with_timer(CachedClock).with_writer(writer);
    if format == "json" {
        builder.json().init();
    } else {
        builder.event_format(log_format::Lines::new(CachedClock)).init();
    }
    guard
}

/// tracing-subscriber's own timestamp (RFC 3339, UTC, microseconds), with the date and time of day formatted once a
/// second per thread instead of on every line: a third of a line's formatting cost.
#[derive(Clone, Copy)]
struct CachedClock;

impl tracing_subscriber::fmt::time::FormatTime for CachedClock {
    fn format_time(&self, w: &mut tracing_subscriber::fmt::format::Writer<'_>) -> std::fmt::Result {
        thread_local! {
            /// The second last formatted and its text up to the decimal point (`2026-11-24T11:11:44.`).
            static SECOND: std::cell::RefCell<(u64, String)> = const { std::cell::RefCell::new((u64::MAX, String::new())) };
        }
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        SECOND.with_borrow_mut(|(second, prefix)| {
            if *second != now.as_secs() {
                let mut text = String::new();
                tracing_subscriber::fmt::time::SystemTime
                    .format_time(&mut tracing_subscriber::fmt::format::Writer::new(&mut text))?;
                let Some(dot) = text.find('.') else { return w.write_str(&text) };
                text.truncate(dot + 1);
                // The text was read a moment after `now`: keep it only if it is still the same second.
                if text.ends_with(&format!("{:02}.", now.as_secs() % 60)) {
                    (*second, *prefix) = (now.as_secs(), text);
                } else {
                    *second = u64::MAX;
                    return tracing_subscriber::fmt::time::SystemTime.format_time(w);
                }
            }
            write!(w, "{prefix}{:06}Z", now.subsec_micros())
        })
    }
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// `GET <url>/healthz` over plain HTTP/1.0, with a 2-second budget; no HTTP client needed in the image.
fn healthcheck(url: &str) -> ExitCode {
    match probe(url) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("milvus-mock healthcheck: {url}: {e}");
            ExitCode::FAILURE
        }
    }
}

fn probe(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("http://").ok_or("only http:// URLs are supported")?;
    let authority = rest.split('/').next().unwrap_or(rest);
    let authority = if authority.contains(':') { authority.to_string() } else { format!("{authority}:80") };
    let address = authority
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("no address for {authority}"))?;
    let timeout = Duration::from_secs(2);
    let mut stream = TcpStream::connect_timeout(&address, timeout).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    write!(stream, "GET /healthz HTTP/1.0\r\nHost: {authority}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let status_line = String::from_utf8_lossy(&answer).lines().next().unwrap_or_default().to_string();
    if status_line.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        Err(format!("unexpected answer: {status_line:?}"))
    }
}

#[cfg(test)]
mod tests {
    use tracing_subscriber::fmt::format::Writer;
    use tracing_subscriber::fmt::time::{FormatTime, SystemTime};

    fn format(clock: &impl FormatTime) -> String {
        let mut text = String::new();
        clock.format_time(&mut Writer::new(&mut text)).unwrap();
        text
    }

    #[test]
    fn the_cached_clock_writes_what_tracing_subscribers_clock_writes() {
        for _ in 0..3 {
            let (before, cached, after) = (format(&SystemTime), format(&super::CachedClock), format(&SystemTime));
            assert_eq!(cached.len(), before.len(), "{cached} vs {before}");
            assert!(before <= cached && cached <= after, "{before} <= {cached} <= {after}");
            assert!(cached.ends_with('Z') && cached.as_bytes()[cached.len() - 8] == b'.', "{cached}");
            std::thread::sleep(std::time::Duration::from_millis(600));
        }
    }
}

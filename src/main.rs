//! The `milvus-mock` binary: flags, logging, bind, serve until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;
use milvus_mock::app::{AppState, Config, DEFAULT_BODY_LIMIT};
use milvus_mock::{Limits, MilvusVersion, Profile, Users};
use tracing_subscriber::EnvFilter;

/// A stateful mock of the Milvus RESTful API v2, for tests.
#[derive(Debug, Parser)]
#[command(version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "MILVUS_MOCK_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (19530 like Milvus; 0 picks a free one).
    #[arg(long, env = "MILVUS_MOCK_PORT", default_value_t = 19530)]
    port: u16,
    /// Turn authentication on: user root, password Milvus.
    #[arg(long, env = "MILVUS_MOCK_AUTH")]
    auth: bool,
    /// Add a user NAME:PASSWORD (turns authentication on; repeatable).
    #[arg(long = "user", env = "MILVUS_MOCK_USERS", value_delimiter = ',', value_parser = Users::parse_user)]
    users: Vec<(String, String)>,
    /// Milvus version to imitate: 2.4, 2.5, 2.6 or 3.0.
    #[arg(long, env = "MILVUS_MOCK_VERSION", default_value = "2.6")]
    milvus_version: MilvusVersion,
    /// The `code` of a successful answer (200 for clients written to the docs' tables).
    #[arg(long, env = "MILVUS_MOCK_SUCCESS_CODE")]
    success_code: Option<i64>,
    /// Milliseconds a load takes to reach LoadStateLoaded (0: at once).
    #[arg(long, env = "MILVUS_MOCK_LOAD_DURATION", default_value_t = 0)]
    load_duration: u64,
    /// Log format: pretty or json.
    #[arg(long, env = "MILVUS_MOCK_LOG_FORMAT", default_value = "pretty", value_parser = ["pretty", "json"])]
    log_format: String,
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let cli = Cli::parse();
    init_tracing(&cli.log_format);
    let mut profile = Profile::new(cli.milvus_version);
    if let Some(code) = cli.success_code {
        profile = profile.with_success_code(code);
    }
    let users = if cli.auth || !cli.users.is_empty() {
        Some(
            cli.users
                .iter()
                .fold(Users::default(), |u, (name, password)| {
                    u.with_user(name, password)
                }),
        )
    } else {
        None
    };
    let config = Config {
        profile,
        limits: Limits::default(),
        load_duration: Duration::from_millis(cli.load_duration),
        users,
        body_limit: DEFAULT_BODY_LIMIT,
    };
    let address: SocketAddr = format!("{}:{}", cli.host, cli.port).parse().map_err(|e| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("bad --host/--port: {e}"),
        )
    })?;
    let listener = tokio::net::TcpListener::bind(address).await?;
    tracing::info!(
        address = %listener.local_addr()?,
        version = %cli.milvus_version,
        auth = config.users.is_some(),
        "milvus-mock listening"
    );
    milvus_mock::serve(listener, AppState::new(config), shutdown_signal()).await
}

fn init_tracing(format: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("milvus_mock=info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    if format == "json" {
        builder.json().init();
    } else {
        builder.init();
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
    tracing::info!("shutting down");
}

//! The baseline: the least an axum server can do for `partitions/release` — bind the same JSON body with serde
//! (axum's `Json` extractor) and answer `{"code":0,"data":{}}`. Built in the same binary, so with the same
//! release profile (lto, one codegen unit) as the mock.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::pin::Pin;

use axum::Json;
use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::post;
use serde::Deserialize;
use tokio::sync::oneshot;

pub const RELEASE_PATH: &str = "/v2/vectordb/partitions/release";

/// Milvus's `PartitionsReq`, as a plain serde struct.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct PartitionsReq {
    #[serde(default)]
    db_name: String,
    collection_name: String,
    partition_names: Vec<String>,
}

async fn release(Json(request): Json<PartitionsReq>) -> impl IntoResponse {
    std::hint::black_box(&request);
    ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], r#"{"code":0,"data":{}}"#)
}

pub fn router() -> Router {
    Router::new().route(RELEASE_PATH, post(release))
}

/// A server on its own thread with a current-thread runtime (as `MockMilvus` serves the mock), stopped when
/// dropped. The REST baseline here and the gRPC one (`crate::grpc`) are served this way.
pub struct InProcess {
    pub address: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

/// The name of the baseline's server thread, to find its CPU time in `/proc/self/task`.
pub const THREAD_NAME: &str = "bench-baseline";

/// Resolves when the server should stop.
pub type Shutdown = Pin<Box<dyn Future<Output = ()> + Send>>;

impl InProcess {
    /// The REST baseline.
    pub fn start() -> Self {
        Self::spawn(THREAD_NAME, |listener, shutdown| async move {
            axum::serve(listener, router()).with_graceful_shutdown(shutdown).await.expect("baseline server");
        })
    }

    /// Binds a loopback port, then runs `serve(listener, shutdown)` on a thread named `name`.
    pub fn spawn<F, Fut>(name: &str, serve: F) -> Self
    where
        F: FnOnce(tokio::net::TcpListener, Shutdown) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind the baseline");
        listener.set_nonblocking(true).expect("non-blocking listener");
        let address = listener.local_addr().expect("local address");
        let (tx, rx) = oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(name.into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                    serve(listener, Box::pin(async move { drop(rx.await) })).await;
                });
            })
            .expect("spawn the baseline thread");
        Self { address, shutdown: Some(tx) }
    }
}

impl Drop for InProcess {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The baseline as a process (`bench serve-baseline`): a multi-thread runtime like the `milvus-mock` binary's
/// `#[tokio::main]`, for the comparisons between processes.
pub fn serve_process(current_thread: bool) {
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread().enable_all().build()
    } else {
        tokio::runtime::Builder::new_multi_thread().enable_all().build()
    }
    .expect("runtime");
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.expect("bind");
        println!("ready {}", listener.local_addr().expect("address"));
        axum::serve(listener, router())
            .with_graceful_shutdown(crate::procs::stdin_closed())
            .await
            .expect("baseline server");
    });
}

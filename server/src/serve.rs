//! The accept loop: HTTP/1.1 with header- and body-read timeouts, a cap on open
//! connections and graceful shutdown. `axum::serve` has no timeouts, so a client sending its
//! headers one byte a minute held a connection (and a file descriptor) forever;
//! 1,100 such clients made every other request fail with "too many open files".

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

use crate::config::ConnectionLimits;

/// File descriptors kept free for the database, files and logs.
const RESERVED_FDS: u64 = 128;

/// Connections served at once: the setting, kept below the open-file limit (raised
/// to the hard limit first).
fn connection_cap(wanted: usize) -> usize {
    let soft = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(1024);
    let fit = usize::try_from(soft.saturating_sub(RESERVED_FDS).max(16)).unwrap_or(usize::MAX);
    wanted.clamp(1, fit)
}

/// Serves `router` until `signal`, then lets requests in flight finish.
///
/// # Errors
/// Never in practice: accept errors (such as running out of descriptors) are waited
/// out, not returned.
pub async fn serve(
    listener: TcpListener,
    router: axum::Router,
    limits: ConnectionLimits,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // A body sent too slowly fails its read, which `AppJson` answers with 408.
    let router =
        router.layer(tower_http::timeout::RequestBodyTimeoutLayer::new(Duration::from_secs(limits.body_timeout_secs)));
    let cap = connection_cap(limits.max_connections);
    tracing::info!(max_connections = cap, "connection limits");
    let slots = Arc::new(tokio::sync::Semaphore::new(cap));
    let mut http = hyper::server::conn::http1::Builder::new();
    // Also bounds how long a kept-alive connection may sit idle before its next request.
    http.timer(TokioTimer::new()).header_read_timeout(Duration::from_secs(limits.header_timeout_secs));
    let graceful = GracefulShutdown::new();
    tokio::pin!(signal);
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
            () = &mut signal => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!(error = %err, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut signal => break,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            // The peer address reaches only the sign-in limiter, in memory; it is never stored.
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(request)
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

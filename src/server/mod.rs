//! The HTTP server: routes, the layers every request passes through, and a shutdown that
//! lets in-flight requests finish.

mod layers;
pub mod limits;
pub mod memory;
mod ops;

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use tokio::net::TcpListener;

use crate::app::App;
use crate::error::{Error, ErrorCode, Result};

/// Every route of a copse server, with its layers.
pub fn router(app: App) -> Router {
    let routes = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .nest(
            "/api/v1",
            crate::api::router().layer(axum::middleware::from_fn_with_state(
                app.clone(),
                limits::api,
            )),
        )
        .merge(crate::federation::routes::router(app.clone()))
        .merge(
            crate::web::router().layer(axum::middleware::from_fn_with_state(
                app.clone(),
                limits::forms,
            )),
        )
        .fallback(ops::not_found)
        .with_state(app.clone());
    layers::apply(routes, app).layer(DefaultBodyLimit::disable())
}

/// A server bound to its port, not yet serving.
pub struct Server {
    app: App,
    listener: TcpListener,
}

impl Server {
    /// Binds the configured address; a port in use is reported by name.
    pub async fn bind(app: App) -> Result<Server> {
        let addr = app.config.bind;
        let listener = TcpListener::bind(addr).await.map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::AddrInUse => "the address is already in use".to_string(),
                std::io::ErrorKind::PermissionDenied => {
                    "permission denied (ports below 1024 need privileges)".to_string()
                }
                _ => e.to_string(),
            };
            Error::new(
                ErrorCode::ListenFailed,
                format!("cannot listen on {addr}: {why} (set COPSE_BIND or bind in copse.toml)"),
            )
        })?;
        Ok(Server { app, listener })
    }

    /// A server on a listener bound by the caller, e.g. one whose port had to be known
    /// before the configuration (its public domain) was written.
    pub fn with_listener(app: App, listener: TcpListener) -> Server {
        Server { app, listener }
    }

    /// The address actually bound (useful when the configured port is 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        self.listener.local_addr().map_err(Error::internal)
    }

    /// Serves until `shutdown` completes, then stops accepting connections and waits up to
    /// the configured grace period for in-flight requests to finish.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
        let grace = self.app.config.http_shutdown_grace;
        let stopping_tx = self.app.stopping.clone();
        // A server started again on the same state (after a stop) begins afresh.
        stopping_tx.send_replace(false);
        let mut stopping_rx = stopping_tx.subscribe();
        let signal = async move {
            shutdown.await;
            tracing::info!("shutting down: finishing in-flight requests");
            stopping_tx.send_replace(true);
        };
        let delivery =
            crate::federation::delivery::worker::spawn(self.app.clone(), stopping_rx.clone());
        let retries = crate::follows::spawn_retries(self.app.clone(), stopping_rx.clone());
        let upkeep = crate::housekeeping::spawn(self.app.clone(), stopping_rx.clone());
        let trimmer = memory::spawn(self.app.clone(), stopping_rx.clone());
        let imports = tokio::spawn(crate::federation::policy::imports::resume(self.app.clone()));
        let service = router(self.app.clone()).into_make_service_with_connect_info::<SocketAddr>();
        let serve = axum::serve(self.listener, service).with_graceful_shutdown(signal);
        let deadline = async move {
            let _ = stopping_rx.wait_for(|stopping| *stopping).await;
            tokio::time::sleep(grace).await;
        };
        let result = tokio::select! {
            served = serve => served.map_err(Error::internal),
            () = deadline => {
                tracing::warn!(grace_seconds = grace.as_secs(), "requests still running after the grace period; stopping anyway");
                Ok(())
            }
        };
        delivery.abort();
        retries.abort();
        upkeep.abort();
        trimmer.abort();
        // An import stops between two batches (each its own transaction) and is resumed at
        // the next start; waiting for the batch under way keeps the stop prompt.
        let _ = tokio::time::timeout(IMPORT_STOP_WAIT, imports).await;
        self.app.db.close();
        result
    }
}

/// How long a stopping server waits for a background import to reach the end of a batch.
const IMPORT_STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// Completes on SIGTERM or Ctrl-C (SIGINT).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

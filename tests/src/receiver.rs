//! A real HTTP receiver for webhooks: an axum server on a loopback port that keeps
//! every JSON body it is sent and answers 200.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running receiver; stops on drop.
pub struct Receiver {
    /// Its port.
    pub port: u16,
    bodies: Arc<Mutex<Vec<Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Starts on a free port.
    ///
    /// # Panics
    /// When it cannot listen.
    pub async fn start() -> Self {
        Self::start_on(0).await
    }

    /// Starts on `port` (0: a free one), e.g. a port that was down until now.
    ///
    /// # Panics
    /// When it cannot listen there.
    pub async fn start_on(port: u16) -> Self {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.expect("receiver listens");
        let port = listener.local_addr().unwrap().port();
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let kept = bodies.clone();
        let app = axum::Router::new().route(
            "/{*path}",
            axum::routing::post(move |body: axum::Json<Value>| {
                let kept = kept.clone();
                async move {
                    kept.lock().unwrap().push(body.0);
                    "ok"
                }
            }),
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { port, bodies, task }
    }

    /// `http://127.0.0.1:PORT/hook`.
    pub fn url(&self) -> String {
        url_on(self.port)
    }

    /// Every body received so far.
    pub fn bodies(&self) -> Vec<Value> {
        self.bodies.lock().unwrap().clone()
    }

    /// Waits until at least `n` bodies arrived and returns them all.
    ///
    /// # Panics
    /// When they do not arrive within `within`.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = Instant::now() + within;
        loop {
            let bodies = self.bodies();
            if bodies.len() >= n {
                return bodies;
            }
            assert!(Instant::now() < deadline, "{n} webhook posts expected, {} arrived: {bodies:#?}", bodies.len());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The webhook URL on a loopback port (where a receiver may or may not listen).
pub fn url_on(port: u16) -> String {
    format!("http://127.0.0.1:{port}/hook")
}

/// A loopback port where nothing listens (now).
pub fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

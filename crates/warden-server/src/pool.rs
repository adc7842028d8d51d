//! The store behind the server. Both backends are synchronous (rusqlite; the `postgres` crate, which runs its
//! own runtime and must not be called from inside tokio's), so each connection lives on a thread of its own and
//! handlers send it work and await the answer. With PostgreSQL, several connections serve requests at once;
//! with SQLite, readers share the file and writers take turns under its lock.

use std::panic::AssertUnwindSafe;
use std::sync::{mpsc, Arc, Mutex};
use warden_store::Store;

type Job = Box<dyn FnOnce(&mut dyn Store) + Send>;

/// A handle to the store's worker threads; cheap to clone.
#[derive(Clone)]
pub struct SharedStore {
    jobs: mpsc::Sender<Job>,
}

/// The store's threads are gone (a worker died); the request gets a 503.
#[derive(Debug)]
pub struct Unavailable;

impl SharedStore {
    /// One worker thread per connection given.
    pub fn start(stores: Vec<Box<dyn Store + Send>>) -> SharedStore {
        let (jobs, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for (i, mut store) in stores.into_iter().enumerate() {
            let rx = Arc::clone(&rx);
            std::thread::Builder::new()
                .name(format!("warden-store-{i}"))
                .spawn(move || loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    // A bug in one request must not take the connection down with it; the request's
                    // answer channel is dropped and it gets a 503.
                    let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut *store)));
                })
                .expect("spawn a store thread");
        }
        SharedStore { jobs }
    }

    /// Runs `f` on a store thread and returns what it returned.
    pub async fn call<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut dyn Store) -> T + Send + 'static,
    ) -> Result<T, Unavailable> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Box::new(move |s: &mut dyn Store| {
                let _ = tx.send(f(s));
            }))
            .map_err(|_| Unavailable)?;
        rx.await.map_err(|_| Unavailable)
    }
}

//! What the server's integration tests share.

use warden_store::Store;

/// Starts a server on 127.0.0.1 (plain HTTP, so cookies without `Secure`) with its own runtime thread over
/// `stores`; returns its base URL.
pub fn start(stores: Vec<Box<dyn Store + Send>>, settings: warden_server::Settings) -> String {
    let shared = warden_server::SharedStore::start(stores);
    let state = warden_server::AppState::new(
        shared,
        warden_server::Settings {
            secure_cookies: false,
            ..settings
        },
    );
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(l.local_addr().unwrap()).unwrap();
            warden_server::serve(l, state).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

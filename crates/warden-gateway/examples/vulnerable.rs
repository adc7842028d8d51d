//! The deliberately vulnerable model server of the probe tests, on its own: `cargo run --example vulnerable --
//! 127.0.0.1:8900`. It obeys every attack of `warden probe`'s suite; `bench/gateway/probes.sh` points `warden
//! probe` and garak at it, straight and behind `warden gateway`.
#[path = "../tests/support/vulnerable.rs"]
mod vulnerable;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8900".into());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("vulnerable: cannot listen on {addr}: {e}");
            std::process::exit(2);
        }
    };
    eprintln!("vulnerable model server on http://{addr}");
    vulnerable::serve(listener).await;
}

//! The baseline for the resident-read benchmark: a bare axum handler returning a fixed JSON body of the
//! same size as a resident, with nothing else (no auth, no database). `benches/load.sh` runs it beside Wushe.
//!
//! Usage: `bare_json ADDR FILE` serves the contents of FILE as `application/json` at every path.

use axum::http::header;
use axum::response::IntoResponse;
use axum::Router;

/// mimalloc rather than glibc's allocator: under many threads (tokio workers and one thread per SQLite
/// connection) glibc's arena locks and consolidation were the largest item in the read profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18081".into());
    let file = args.next().expect("usage: bare_json ADDR FILE");
    let body: &'static str = Box::leak(
        std::fs::read_to_string(&file)
            .expect("read the JSON file")
            .into_boxed_str(),
    );
    let app = Router::new().fallback(move || async move {
        ([(header::CONTENT_TYPE, "application/json")], body).into_response()
    });
    let listener = tokio::net::TcpListener::bind(&addr).await.expect("bind");
    axum::serve(listener, app).await.expect("serve");
}

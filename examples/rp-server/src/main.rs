//! `rp-server`: the reference RP backend (see the crate docs in lib.rs and the README section
//! "Back-channel logout").
//!
//! ```text
//! rp-server --issuer http://127.0.0.1:9010 --client-id session-rp [--listen 127.0.0.1:9050]
//!           [--jwks-uri URL] [--redis redis://127.0.0.1:6379/] [--static DIR]
//!           [--session-ttl 28800] [--jwks-refresh 60] [--secure-cookies]
//! ```
//! Environment: `RP_COOKIE_KEY` (hex, ≥ 32 bytes) signs the session cookies; share it between
//! instances. Without it a random key is used (sessions then die with the process).

use std::net::SocketAddr;

use rp_server::{app, discover_jwks_uri, AppState, Config, MemoryStore, RedisStore};

fn usage(why: &str) -> ! {
    eprintln!("rp-server: {why}\nusage: rp-server --issuer URL --client-id ID [--listen ADDR] [--jwks-uri URL] [--redis URL] [--static DIR] [--session-ttl SECS] [--jwks-refresh SECS] [--secure-cookies]");
    std::process::exit(2);
}

fn hex_key(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || s.len() < 64 {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let (mut issuer, mut client_id, mut jwks_uri, mut redis, mut static_dir) =
        (None, None, None, None, None);
    let mut listen: SocketAddr = ([127, 0, 0, 1], 9050).into();
    let (mut ttl, mut refresh, mut secure) = (8 * 3600u64, 60u64, false);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--issuer" => issuer = Some(val()),
            "--client-id" => client_id = Some(val()),
            "--jwks-uri" => jwks_uri = Some(val()),
            "--redis" => redis = Some(val()),
            "--static" => static_dir = Some(std::path::PathBuf::from(val())),
            "--listen" => {
                listen = val()
                    .parse()
                    .unwrap_or_else(|_| usage("--listen: not ADDR:PORT"))
            }
            "--session-ttl" => {
                ttl = val()
                    .parse()
                    .unwrap_or_else(|_| usage("--session-ttl: not a number"))
            }
            "--jwks-refresh" => {
                refresh = val()
                    .parse()
                    .unwrap_or_else(|_| usage("--jwks-refresh: not a number"))
            }
            "--secure-cookies" => secure = true,
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    let issuer = issuer.unwrap_or_else(|| usage("--issuer is required"));
    let client_id = client_id.unwrap_or_else(|| usage("--client-id is required"));
    let jwks_uri = match jwks_uri {
        Some(u) => u,
        None => discover_jwks_uri(&issuer)
            .await
            .unwrap_or_else(|e| usage(&format!("discovery at {issuer} failed: {e}"))),
    };
    let cookie_key = match std::env::var("RP_COOKIE_KEY") {
        Ok(k) => {
            hex_key(&k).unwrap_or_else(|| usage("RP_COOKIE_KEY must be hex, at least 32 bytes"))
        }
        Err(_) => {
            let mut k = vec![0u8; 32];
            getrandom::getrandom(&mut k).expect("OS randomness");
            k
        }
    };
    let config = Config {
        issuer,
        client_id,
        jwks_uri,
        cookie_key,
        session_ttl_secs: ttl,
        jwks_refresh_secs: refresh,
        secure_cookies: secure,
        static_dir,
    };
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .unwrap_or_else(|e| usage(&format!("cannot listen on {listen}: {e}")));
    eprintln!(
        "[rp-server] listening on http://{listen} issuer={} client_id={} jwks_uri={} store={}",
        config.issuer,
        config.client_id,
        config.jwks_uri,
        if redis.is_some() { "redis" } else { "memory" }
    );
    let shutdown = async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("SIGTERM handler");
        tokio::select! { _ = tokio::signal::ctrl_c() => {}, _ = term.recv() => {} }
    };
    let served = match redis {
        Some(url) => {
            let store = RedisStore::connect(&url, "rp-server:")
                .await
                .unwrap_or_else(|e| usage(&e.to_string()));
            axum::serve(listener, app(AppState::new(config, store)))
                .with_graceful_shutdown(shutdown)
                .await
        }
        None => {
            axum::serve(listener, app(AppState::new(config, MemoryStore::default())))
                .with_graceful_shutdown(shutdown)
                .await
        }
    };
    if let Err(e) = served {
        eprintln!("[rp-server] {e}");
        std::process::exit(1);
    }
}

//! Reference RP backend: receives OpenID Connect Back-Channel Logout requests, validates them with
//! `oidc_session_monitor::server`, ends the matching RP sessions, and answers `GET /session`, the
//! first-party signal a page can poll to learn that its session is over.
//!
//! | route | what |
//! |---|---|
//! | `POST /backchannel-logout` | form `logout_token` → `200`, or `400` `{"error":"invalid_request","error_description":<code>}`; both `Cache-Control: no-store` |
//! | `GET /session` | `200 {"active":true,"sid":…,"sub":…}`, or `401 {"active":false}` when there is no session or it was ended |
//! | `GET /login/nonce` | `{"nonce":…}` + an HttpOnly cookie holding it, for the page's authorization request |
//! | `POST /login` | form `id_token` (from the page's login): signature against the OP's JWKS, claims, nonce = cookie → RP session cookie |
//! | `POST /logout` | ends the RP session cookie (local logout) |
//! | `GET /*` | files from `--static DIR`, if given |
//!
//! The RP session is a stateless cookie (HMAC-signed `iss`, `sub`, `sid`, start time), so several
//! instances sharing the cookie key and a [`RedisStore`] act as one RP.

pub mod store;

use std::sync::{Arc, Mutex, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, Limited};
use oidc_session_monitor::core::claims::IdTokenClaims;
use oidc_session_monitor::server::{self, Alg, Expect, Jwks, KeyRefresh, LogoutError};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use store::{EndedSessions, MemoryStore, RedisStore, StoreError};

/// Largest request body read (the spec's tokens are a few kB).
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// RP session cookie.
pub const SESSION_COOKIE: &str = "rp_session";
/// Login nonce cookie.
pub const NONCE_COOKIE: &str = "rp_login_nonce";

/// The RP's settings.
#[derive(Clone, Debug)]
pub struct Config {
    /// The OP's issuer identifier.
    pub issuer: String,
    /// This RP's client_id.
    pub client_id: String,
    /// The OP's `jwks_uri` (plain `http://` only: this reference server has no TLS client).
    pub jwks_uri: String,
    /// Key signing the session cookies (share it between instances).
    pub cookie_key: Vec<u8>,
    /// How long an RP session lives, in seconds (and how long ended sessions are remembered).
    pub session_ttl_secs: u64,
    /// Minimum seconds between two JWKS refreshes caused by an unknown `kid`.
    pub jwks_refresh_secs: u64,
    /// Add `Secure` to cookies (serve over https in production).
    pub secure_cookies: bool,
    /// Serve files from this directory for other GET requests.
    pub static_dir: Option<std::path::PathBuf>,
}

struct Keys {
    jwks: RwLock<Arc<Jwks>>,
    refresh: Mutex<KeyRefresh>,
}

/// Shared state of the handlers.
pub struct AppState<S> {
    config: Config,
    expect: Expect,
    keys: Keys,
    /// The ended-session store.
    pub store: S,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl<S: EndedSessions> AppState<S> {
    /// State for `config` and `store`; the JWKS is fetched on first use (and at most once per
    /// `jwks_refresh_secs` after that, when a token names an unknown `kid`).
    pub fn new(config: Config, store: S) -> Arc<AppState<S>> {
        let expect = Expect::new(config.issuer.clone(), config.client_id.clone());
        let refresh = KeyRefresh::new(config.jwks_refresh_secs);
        Arc::new(AppState {
            config,
            expect,
            keys: Keys {
                jwks: RwLock::new(Arc::new(Jwks::default())),
                refresh: Mutex::new(refresh),
            },
            store,
        })
    }

    fn jwks(&self) -> Arc<Jwks> {
        self.keys
            .jwks
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Runs `check` against the current JWKS; on `unknown_key`, refetches the JWKS (rate-limited)
    /// and runs it once more.
    async fn with_keys<T>(
        &self,
        check: impl Fn(&Jwks) -> Result<T, LogoutError>,
    ) -> Result<T, LogoutError> {
        match check(&self.jwks()) {
            Err(e) => {
                let due = self
                    .keys
                    .refresh
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .should_refresh(e, now());
                if !due {
                    return Err(e);
                }
                match fetch_jwks(&self.config.jwks_uri).await {
                    Ok(fresh) => {
                        let fresh = Arc::new(fresh);
                        *self.keys.jwks.write().unwrap_or_else(|p| p.into_inner()) = fresh.clone();
                        eprintln!(
                            "[rp-server] JWKS refreshed: {} usable keys",
                            fresh.keys().len()
                        );
                        check(&fresh)
                    }
                    Err(why) => {
                        eprintln!("[rp-server] JWKS refresh failed: {why}");
                        Err(e)
                    }
                }
            }
            ok => ok,
        }
    }
}

/// GETs `url` (plain HTTP/1) and returns the body, at most `limit` bytes.
pub async fn http_get(url: &str, limit: usize) -> Result<Bytes, String> {
    if !url.starts_with("http://") {
        return Err("only http:// URLs (this reference server has no TLS client)".into());
    }
    let uri: hyper::Uri = url.parse().map_err(|_| "invalid URL".to_string())?;
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<http_body_util::Empty<Bytes>>();
    let res = tokio::time::timeout(std::time::Duration::from_secs(5), client.get(uri))
        .await
        .map_err(|_| "timeout".to_string())?
        .map_err(|e| e.to_string())?;
    if res.status() != StatusCode::OK {
        return Err(format!("HTTP {}", res.status()));
    }
    Limited::new(res.into_body(), limit)
        .collect()
        .await
        .map(|b| b.to_bytes())
        .map_err(|_| "body too large or unreadable".to_string())
}

/// Fetches and parses a JWKS document.
pub async fn fetch_jwks(jwks_uri: &str) -> Result<Jwks, String> {
    let body = http_get(jwks_uri, server::MAX_JWKS_BYTES).await?;
    Jwks::from_json(&body).map_err(|e| e.code().to_string())
}

/// Reads the OP's discovery document and returns its `jwks_uri`, checking that its `issuer` is
/// `issuer` exactly.
pub async fn discover_jwks_uri(issuer: &str) -> Result<String, String> {
    let url = format!(
        "{}/.well-known/openid-configuration",
        issuer.trim_end_matches('/')
    );
    let body = http_get(&url, 256 * 1024).await?;
    let doc: serde_json::Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
    if doc.get("issuer").and_then(|v| v.as_str()) != Some(issuer) {
        return Err("discovery issuer differs".into());
    }
    doc.get("jwks_uri")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
        .ok_or_else(|| "no jwks_uri".into())
}

/// The router with every route.
pub fn app<S: EndedSessions>(state: Arc<AppState<S>>) -> Router {
    Router::new()
        .route("/backchannel-logout", post(backchannel_logout::<S>))
        .route("/session", get(session::<S>))
        .route("/login/nonce", get(login_nonce::<S>))
        .route("/login", post(login::<S>))
        .route("/logout", post(logout::<S>))
        .fallback(get(static_file::<S>))
        .with_state(state)
}

// ------------------------------------------------------------------------------------------------
// helpers

fn no_store(status: StatusCode, body: serde_json::Value) -> Response {
    let mut res = (status, axum::Json(body)).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Cookie"));
    res
}

fn bad_request(code: &str) -> Response {
    no_store(
        StatusCode::BAD_REQUEST,
        serde_json::json!({"error": "invalid_request", "error_description": code}),
    )
}

/// Reads a form body (`application/x-www-form-urlencoded`, at most [`MAX_BODY_BYTES`]) and returns
/// the single value of `field`; a stable reason code otherwise.
async fn form_field(headers: &HeaderMap, body: Body, field: &str) -> Result<String, &'static str> {
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        });
    if !is_form {
        return Err("not_a_form");
    }
    let bytes = Limited::new(body, MAX_BODY_BYTES)
        .collect()
        .await
        .map_err(|_| "body_too_large")?
        .to_bytes();
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(&bytes).map_err(|_| "not_a_form")?;
    let mut values = pairs
        .into_iter()
        .filter(|(k, _)| k == field)
        .map(|(_, v)| v);
    match (values.next(), values.next()) {
        (Some(v), None) if !v.is_empty() => Ok(v),
        (Some(_), Some(_)) => Err("repeated_parameter"),
        _ => Err("missing_parameter"),
    }
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(
    res: &mut Response,
    config: &Config,
    name: &str,
    value: &str,
    path: &str,
    max_age: u64,
) {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let c =
        format!("{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}");
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// What the session cookie holds.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct RpSession {
    /// OP issuer.
    pub iss: String,
    /// User at the OP.
    pub sub: String,
    /// OP session id, when the ID Token had one.
    pub sid: Option<String>,
    /// When this RP session started (seconds since the epoch).
    pub started: u64,
}

type HmacSha256 = Hmac<Sha256>;

fn seal(key: &[u8], session: &RpSession) -> String {
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(session).unwrap_or_default());
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(body.as_bytes());
    format!(
        "{body}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
}

fn open(key: &[u8], value: &str) -> Option<RpSession> {
    let (body, tag) = value.split_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    let mut mac = <HmacSha256 as Mac>::new_from_slice(key).ok()?;
    mac.update(body.as_bytes());
    mac.verify_slice(&tag).ok()?;
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()
}

/// Random URL-safe text from `n` bytes of OS randomness.
pub fn random_text(n: usize) -> String {
    let mut buf = vec![0u8; n];
    getrandom::getrandom(&mut buf).expect("OS randomness");
    URL_SAFE_NO_PAD.encode(buf)
}

// ------------------------------------------------------------------------------------------------
// handlers

async fn backchannel_logout<S: EndedSessions>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let token = match form_field(&headers, body, "logout_token").await {
        Ok(t) => t,
        Err(code) => {
            eprintln!("[rp-server] backchannel-logout rejected: {code}");
            return bad_request(code);
        }
    };
    let t = now();
    let claims = match state
        .with_keys(|jwks| server::validate(&token, jwks, &state.expect, t))
        .await
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("[rp-server] backchannel-logout rejected: {}", e.code());
            return bad_request(e.code());
        }
    };
    let ttl = state.config.session_ttl_secs;
    let result = async {
        if !state
            .store
            .first_use(&claims.issuer, &claims.jti, claims.usable_until, t)
            .await?
        {
            return Ok(Err(LogoutError::Replayed));
        }
        match (&claims.sid, &claims.sub) {
            (Some(sid), _) => state.store.end_sid(&claims.issuer, sid, ttl).await?,
            (None, Some(sub)) => state.store.end_sub(&claims.issuer, sub, t, ttl).await?,
            (None, None) => unreachable!("validate guarantees sub or sid"),
        }
        Ok::<_, StoreError>(Ok(()))
    }
    .await;
    match result {
        Ok(Ok(())) => {
            eprintln!(
                "[rp-server] backchannel-logout accepted ({} {}): sessions ended",
                claims.alg.name(),
                if claims.sid.is_some() { "sid" } else { "sub" }
            );
            no_store(StatusCode::OK, serde_json::json!({}))
        }
        Ok(Err(e)) => {
            eprintln!("[rp-server] backchannel-logout rejected: {}", e.code());
            bad_request(e.code())
        }
        Err(e) => {
            eprintln!("[rp-server] backchannel-logout failed: {e}");
            // Not 400: the token may be fine; the OP may retry.
            no_store(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"error": "temporarily_unavailable"}),
            )
        }
    }
}

async fn session<S: EndedSessions>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
) -> Response {
    let inactive = || {
        no_store(
            StatusCode::UNAUTHORIZED,
            serde_json::json!({"active": false}),
        )
    };
    let Some(s) = cookie(&headers, SESSION_COOKIE).and_then(|v| open(&state.config.cookie_key, v))
    else {
        return inactive();
    };
    if s.iss != state.config.issuer
        || now() >= s.started.saturating_add(state.config.session_ttl_secs)
    {
        return inactive();
    }
    match state
        .store
        .is_ended(&s.iss, s.sid.as_deref(), &s.sub, s.started)
        .await
    {
        Ok(false) => no_store(
            StatusCode::OK,
            serde_json::json!({"active": true, "sid": s.sid, "sub": s.sub}),
        ),
        Ok(true) => inactive(),
        Err(e) => {
            eprintln!("[rp-server] session check failed: {e}");
            no_store(
                StatusCode::SERVICE_UNAVAILABLE,
                serde_json::json!({"error": "temporarily_unavailable"}),
            )
        }
    }
}

async fn login_nonce<S: EndedSessions>(State(state): State<Arc<AppState<S>>>) -> Response {
    let nonce = random_text(24);
    let mut res = no_store(StatusCode::OK, serde_json::json!({"nonce": nonce}));
    set_cookie(&mut res, &state.config, NONCE_COOKIE, &nonce, "/login", 600);
    res
}

async fn login<S: EndedSessions>(
    State(state): State<Arc<AppState<S>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let Some(nonce) = cookie(&headers, NONCE_COOKIE).map(str::to_owned) else {
        return bad_request("no_login_nonce");
    };
    let id_token = match form_field(&headers, body, "id_token").await {
        Ok(t) => t,
        Err(code) => return bad_request(code),
    };
    let payload = match state
        .with_keys(|jwks| server::verify_jws(&id_token, jwks, Alg::ASYMMETRIC))
        .await
    {
        Ok(p) => p,
        Err(e) => return bad_request(e.code()),
    };
    let Ok(claims) = serde_json::from_slice::<IdTokenClaims>(&payload) else {
        return bad_request("bad_claims");
    };
    let t = now();
    if let Err(e) = claims.validate(
        &state.config.issuer,
        &state.config.client_id,
        Some(&nonce),
        t,
    ) {
        return bad_request(e.code().as_str());
    }
    // A fresh login only: an old ID Token found somewhere does not open a session.
    if claims.iat.saturating_add(600) < t {
        return bad_request("id_token_too_old");
    }
    let session = RpSession {
        iss: claims.iss,
        sub: claims.sub,
        sid: claims.sid,
        started: t,
    };
    let mut res = no_store(
        StatusCode::OK,
        serde_json::json!({"active": true, "sid": session.sid, "sub": session.sub}),
    );
    let sealed = seal(&state.config.cookie_key, &session);
    set_cookie(
        &mut res,
        &state.config,
        SESSION_COOKIE,
        &sealed,
        "/",
        state.config.session_ttl_secs,
    );
    set_cookie(&mut res, &state.config, NONCE_COOKIE, "", "/login", 0);
    res
}

async fn logout<S: EndedSessions>(State(state): State<Arc<AppState<S>>>) -> Response {
    let mut res = no_store(StatusCode::OK, serde_json::json!({"active": false}));
    set_cookie(&mut res, &state.config, SESSION_COOKIE, "", "/", 0);
    res
}

async fn static_file<S: EndedSessions>(
    State(state): State<Arc<AppState<S>>>,
    req: Request,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "not found").into_response();
    let Some(dir) = &state.config.static_dir else {
        return not_found();
    };
    let path = req.uri().path();
    let rel = if path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_owned()
    };
    // Plain names only: no "..", no hidden files, no backslashes.
    if rel
        .split('/')
        .any(|seg| seg.starts_with('.') || seg.contains('\\'))
    {
        return not_found();
    }
    let file = dir.join(rel.trim_start_matches('/'));
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return not_found();
    };
    let mime = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("css") => "text/css",
        Some("wasm") => "application/wasm",
        _ => "application/octet-stream",
    };
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response()
}

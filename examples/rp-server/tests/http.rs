//! The reference RP backend over real HTTP on loopback: login, `/session`, back-channel logout with
//! tokens signed here, bad input, replay, key rotation; with the in-memory store and with a real
//! `redis-server` (Debian's, started here on a free port), two instances sharing it.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::http::{header, Method, Request, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http_body_util::{BodyExt, Full};
use rand::rngs::StdRng;
use rand::SeedableRng;
use rp_server::{app, AppState, Config, EndedSessions, MemoryStore, RedisStore};
use rsa::pkcs1v15::SigningKey;
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::RsaPrivateKey;
use serde_json::{json, Value};
use sha2::Sha256;

const ISS: &str = "http://op.test";
const CLIENT: &str = "session-rp";

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

fn rsa_keys() -> &'static (RsaPrivateKey, RsaPrivateKey) {
    static KEYS: OnceLock<(RsaPrivateKey, RsaPrivateKey)> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut rng = StdRng::seed_from_u64(11);
        (
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
            RsaPrivateKey::new(&mut rng, 2048).unwrap(),
        )
    })
}

fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
           "n": b64(&key.n().to_bytes_be()), "e": b64(&key.e().to_bytes_be())})
}

fn sign(key: &RsaPrivateKey, kid: &str, typ: &str, claims: &Value) -> String {
    let header = json!({"alg": "RS256", "kid": kid, "typ": typ});
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = SigningKey::<Sha256>::new(key.clone())
        .sign(input.as_bytes())
        .to_vec();
    format!("{input}.{}", b64(&sig))
}

static JTI: AtomicUsize = AtomicUsize::new(0);

fn logout_claims(sub: Option<&str>, sid: Option<&str>, aud: &str) -> Value {
    let mut c = json!({
        "iss": ISS, "aud": aud, "iat": now(), "exp": now() + 120,
        "jti": format!("jti-{}", JTI.fetch_add(1, Ordering::SeqCst)),
        "events": {"http://schemas.openid.net/event/backchannel-logout": {}},
    });
    if let Some(sub) = sub {
        c["sub"] = json!(sub);
    }
    if let Some(sid) = sid {
        c["sid"] = json!(sid);
    }
    c
}

fn logout_token(sub: Option<&str>, sid: Option<&str>) -> String {
    sign(
        &rsa_keys().0,
        "k1",
        "logout+jwt",
        &logout_claims(sub, sid, CLIENT),
    )
}

fn id_token(sub: &str, sid: &str, nonce: &str) -> String {
    let claims = json!({"iss": ISS, "aud": CLIENT, "sub": sub, "sid": sid, "nonce": nonce,
                        "iat": now(), "exp": now() + 300});
    sign(&rsa_keys().0, "k1", "JWT", &claims)
}

/// The OP's jwks_uri: serves whatever `keys` holds, counts requests.
struct JwksServer {
    url: String,
    keys: Arc<Mutex<Value>>,
    hits: Arc<AtomicUsize>,
}

async fn jwks_server() -> JwksServer {
    let keys = Arc::new(Mutex::new(json!({"keys": [jwk(&rsa_keys().0, "k1")]})));
    let hits = Arc::new(AtomicUsize::new(0));
    let (k, h) = (keys.clone(), hits.clone());
    let router = axum::Router::new().route(
        "/jwks",
        axum::routing::get(move || {
            let (k, h) = (k.clone(), h.clone());
            async move {
                h.fetch_add(1, Ordering::SeqCst);
                let body = k.lock().unwrap().to_string();
                ([(header::CONTENT_TYPE, "application/json")], body)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    JwksServer {
        url: format!("http://{addr}/jwks"),
        keys,
        hits,
    }
}

async fn start_rp<S: EndedSessions>(jwks_uri: &str, store: S, cookie_key: &[u8]) -> String {
    let config = Config {
        issuer: ISS.into(),
        client_id: CLIENT.into(),
        jwks_uri: jwks_uri.into(),
        cookie_key: cookie_key.to_vec(),
        session_ttl_secs: 3600,
        jwks_refresh_secs: 2,
        secure_cookies: false,
        static_dir: None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app(AppState::new(config, store)))
            .await
            .unwrap()
    });
    format!("http://{addr}")
}

struct Res {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    json: Value,
}

async fn call(
    method: Method,
    url: &str,
    content_type: Option<&str>,
    cookie: Option<&str>,
    body: Vec<u8>,
) -> Res {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Full<Bytes>>();
    let mut req = Request::builder().method(method).uri(url);
    if let Some(ct) = content_type {
        req = req.header(header::CONTENT_TYPE, ct);
    }
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let res = client
        .request(req.body(Full::new(Bytes::from(body))).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Res {
        status,
        headers,
        json: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

const FORM: Option<&str> = Some("application/x-www-form-urlencoded");

fn form(name: &str, value: &str) -> Vec<u8> {
    serde_urlencoded::to_string([(name, value)])
        .unwrap()
        .into_bytes()
}

async fn post_logout(rp: &str, token: &str) -> Res {
    call(
        Method::POST,
        &format!("{rp}/backchannel-logout"),
        FORM,
        None,
        form("logout_token", token),
    )
    .await
}

/// Logs in (nonce, then an ID Token with that nonce) and returns the session cookie.
async fn login(rp: &str, sub: &str, sid: &str) -> String {
    let n = call(
        Method::GET,
        &format!("{rp}/login/nonce"),
        None,
        None,
        vec![],
    )
    .await;
    let nonce = n.json["nonce"].as_str().unwrap().to_owned();
    let nonce_cookie = n.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let r = call(
        Method::POST,
        &format!("{rp}/login"),
        FORM,
        Some(&nonce_cookie),
        form("id_token", &id_token(sub, sid, &nonce)),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|v| v.starts_with("rp_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_owned()
}

async fn active(rp: &str, cookie: &str) -> bool {
    let r = call(
        Method::GET,
        &format!("{rp}/session"),
        None,
        Some(cookie),
        vec![],
    )
    .await;
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    match r.status {
        StatusCode::OK => {
            assert_eq!(r.json["active"], json!(true));
            true
        }
        StatusCode::UNAUTHORIZED => {
            assert_eq!(r.json["active"], json!(false));
            false
        }
        s => panic!("unexpected /session status {s}"),
    }
}

fn assert_400(r: &Res, code: &str) {
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{code}: {:?}", r.json);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(r.json["error"], "invalid_request");
    assert_eq!(r.json["error_description"], code);
}

/// The whole behaviour, against two RP instances `a` and `b` that share one store (for the
/// memory store both are the same instance).
async fn scenario(a: &str, b: &str, jwks: &JwksServer) {
    let s1 = login(a, "alice", "sid-1").await;
    let s2 = login(a, "alice", "sid-2").await;
    let s3 = login(b, "bob", "sid-3").await;
    assert!(
        active(a, &s1).await
            && active(b, &s1).await
            && active(a, &s2).await
            && active(a, &s3).await
    );
    assert!(!active(a, "rp_session=forged.value").await);
    assert!(!active(a, "other=1").await);

    // Bad input changes nothing.
    let good = logout_token(Some("alice"), Some("sid-1"));
    let r = call(
        Method::POST,
        &format!("{b}/backchannel-logout"),
        Some("application/json"),
        None,
        json!({"logout_token": good}).to_string().into_bytes(),
    )
    .await;
    assert_400(&r, "not_a_form");
    assert_400(
        &call(
            Method::POST,
            &format!("{b}/backchannel-logout"),
            None,
            None,
            form("logout_token", &good),
        )
        .await,
        "not_a_form",
    );
    assert_400(
        &call(
            Method::POST,
            &format!("{b}/backchannel-logout"),
            FORM,
            None,
            form("other", "x"),
        )
        .await,
        "missing_parameter",
    );
    assert_400(
        &call(
            Method::POST,
            &format!("{b}/backchannel-logout"),
            FORM,
            None,
            vec![],
        )
        .await,
        "missing_parameter",
    );
    let twice = format!("logout_token={good}&logout_token={good}").into_bytes();
    assert_400(
        &call(
            Method::POST,
            &format!("{b}/backchannel-logout"),
            FORM,
            None,
            twice,
        )
        .await,
        "repeated_parameter",
    );
    assert_400(&post_logout(b, "junk").await, "malformed");
    assert_400(
        &post_logout(b, "eyJhbGciOiJSUzI1NiJ9.e30.AAAA").await,
        "bad_signature",
    );
    let mut huge = form("logout_token", &good);
    huge.extend(std::iter::repeat_n(b'a', 64 * 1024));
    assert_400(
        &call(
            Method::POST,
            &format!("{b}/backchannel-logout"),
            FORM,
            None,
            huge,
        )
        .await,
        "body_too_large",
    );
    let (input, sig) = good.rsplit_once('.').unwrap();
    let mut raw = URL_SAFE_NO_PAD.decode(sig).unwrap();
    raw[10] ^= 0x01;
    assert_400(
        &post_logout(b, &format!("{input}.{}", b64(&raw))).await,
        "bad_signature",
    );
    let other_client = sign(
        &rsa_keys().0,
        "k1",
        "logout+jwt",
        &logout_claims(Some("alice"), Some("sid-1"), "other-rp"),
    );
    assert_400(&post_logout(b, &other_client).await, "wrong_audience");
    let mut with_nonce = logout_claims(Some("alice"), Some("sid-1"), CLIENT);
    with_nonce["nonce"] = json!("n");
    assert_400(
        &post_logout(b, &sign(&rsa_keys().0, "k1", "logout+jwt", &with_nonce)).await,
        "nonce_present",
    );
    assert!(
        active(a, &s1).await && active(a, &s2).await && active(a, &s3).await,
        "bad input ended a session"
    );

    // A valid token for sid-1, received by instance b, ends that session for instance a too.
    let r = post_logout(b, &good).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.json);
    assert_eq!(r.headers[header::CACHE_CONTROL], "no-store");
    assert!(!active(a, &s1).await && !active(b, &s1).await);
    assert!(
        active(a, &s2).await && active(a, &s3).await,
        "only sid-1 ends"
    );
    // Replaying it (to either instance) is refused.
    assert_400(&post_logout(a, &good).await, "replayed");
    assert_400(&post_logout(b, &good).await, "replayed");

    // Without sid: every session of that sub that started before, none after.
    let r = post_logout(a, &logout_token(Some("alice"), None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(!active(a, &s2).await && active(a, &s3).await);
    // (Also lets the 2 s JWKS refresh interval pass since the first fetch.)
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let s4 = login(a, "alice", "sid-4").await;
    assert!(active(b, &s4).await, "a login after the logout stays");

    // Key rotation: a token with an unknown kid makes one JWKS refresh, then validates.
    let before = jwks.hits.load(Ordering::SeqCst);
    *jwks.keys.lock().unwrap() =
        json!({"keys": [jwk(&rsa_keys().0, "k1"), jwk(&rsa_keys().1, "k2")]});
    let rotated = sign(
        &rsa_keys().1,
        "k2",
        "logout+jwt",
        &logout_claims(Some("bob"), Some("sid-3"), CLIENT),
    );
    assert_eq!(post_logout(a, &rotated).await.status, StatusCode::OK);
    assert!(!active(a, &s3).await);
    assert_eq!(
        jwks.hits.load(Ordering::SeqCst),
        before + 1,
        "exactly one refresh"
    );
    // Another unknown kid right after: no second fetch (rate limit), refused.
    let bogus = sign(
        &rsa_keys().1,
        "k9",
        "logout+jwt",
        &logout_claims(Some("bob"), None, CLIENT),
    );
    assert_400(&post_logout(a, &bogus).await, "unknown_key");
    assert_eq!(jwks.hits.load(Ordering::SeqCst), before + 1, "rate-limited");
}

#[tokio::test]
async fn memory_store() {
    let jwks = jwks_server().await;
    let rp = start_rp(&jwks.url, MemoryStore::default(), &[1; 32]).await;
    scenario(&rp, &rp, &jwks).await;
}

#[tokio::test]
async fn login_requires_the_servers_nonce_and_a_valid_id_token() {
    let jwks = jwks_server().await;
    let rp = start_rp(&jwks.url, MemoryStore::default(), &[2; 32]).await;
    let url = format!("{rp}/login");
    // No nonce cookie.
    assert_400(
        &call(
            Method::POST,
            &url,
            FORM,
            None,
            form("id_token", &id_token("alice", "s", "n")),
        )
        .await,
        "no_login_nonce",
    );
    // A nonce cookie that is not the token's nonce.
    let r = call(
        Method::POST,
        &url,
        FORM,
        Some("rp_login_nonce=abc"),
        form("id_token", &id_token("alice", "s", "xyz")),
    )
    .await;
    assert_400(&r, "nonce_mismatch");
    // A logout token is not an ID Token; a tampered ID Token does not verify.
    let t = id_token("alice", "s", "abc");
    let tampered = format!("{}x", &t[..t.len() - 1]);
    let r = call(
        Method::POST,
        &url,
        FORM,
        Some("rp_login_nonce=abc"),
        form("id_token", &tampered),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = call(
        Method::POST,
        &url,
        FORM,
        Some("rp_login_nonce=abc"),
        form("id_token", &t),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
}

/// A real redis-server from Debian on a free loopback port, stopped on drop.
struct Redis {
    child: Child,
    url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_redis() -> Option<Redis> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("redis-server")
        .args([
            "--port",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let redis = Redis {
        child,
        url: format!("redis://127.0.0.1:{port}/"),
    };
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Some(redis);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[tokio::test]
async fn redis_store_shared_by_two_instances() {
    let Some(redis) = start_redis() else {
        eprintln!("SKIPPED redis_store_shared_by_two_instances: redis-server could not be started (not installed? bootstrap installs Debian's redis-server)");
        return;
    };
    let jwks = jwks_server().await;
    let key = [3u8; 32];
    let a = start_rp(
        &jwks.url,
        RedisStore::connect(&redis.url, "t:").await.unwrap(),
        &key,
    )
    .await;
    let b = start_rp(
        &jwks.url,
        RedisStore::connect(&redis.url, "t:").await.unwrap(),
        &key,
    )
    .await;
    scenario(&a, &b, &jwks).await;
    // The keys really are in Redis, with an expiry.
    let client = redis::Client::open(redis.url.as_str()).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("t:*")
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        keys.iter().any(|k| k.starts_with("t:sid:"))
            && keys.iter().any(|k| k.starts_with("t:jti:")),
        "{keys:?}"
    );
    for k in keys {
        let ttl: i64 = redis::cmd("TTL")
            .arg(&k)
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(ttl > 0, "{k} has no expiry");
    }
}

#[tokio::test]
async fn redis_down_is_not_a_logout_nor_a_400() {
    let Some(redis) = start_redis() else {
        eprintln!(
            "SKIPPED redis_down_is_not_a_logout_nor_a_400: redis-server could not be started"
        );
        return;
    };
    let jwks = jwks_server().await;
    let rp = start_rp(
        &jwks.url,
        RedisStore::connect(&redis.url, "d:").await.unwrap(),
        &[4; 32],
    )
    .await;
    let s = login(&rp, "carol", "sid-c").await;
    assert!(active(&rp, &s).await);
    drop(redis);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The session check cannot answer: 503, not 401 (a false logout) nor 200.
    let r = call(
        Method::GET,
        &format!("{rp}/session"),
        None,
        Some(&s),
        vec![],
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    // A valid logout token cannot be recorded: 503 so the OP may retry, not 400.
    let r = post_logout(&rp, &logout_token(Some("carol"), Some("sid-c"))).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

//! Where ended sessions (and used `logout_token` `jti`s) are kept: a trait, an in-memory default and
//! a Redis implementation for RPs running several server instances.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Mutex;

use oidc_session_monitor::server::{MemoryReplayCache, ReplayCache};
use sha2::{Digest, Sha256};

/// A store failure (Redis unreachable, …). The request then fails with 500/503; nothing is
/// assumed ended or fresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "session store: {}", self.0)
    }
}

/// Ended RP sessions. RP sessions are named by the OP's `iss` and `sid` (and `sub`), so a
/// back-channel logout can end them without the RP keeping a list of its sessions.
pub trait EndedSessions: Send + Sync + 'static {
    /// The OP session `sid` of `issuer` has ended: every RP session bound to it is over. Kept for
    /// `ttl_secs` (as long as an RP session can live).
    fn end_sid(
        &self,
        issuer: &str,
        sid: &str,
        ttl_secs: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Every session of `sub` at `issuer` that started at or before `at` (seconds since the epoch)
    /// has ended (a logout token without `sid`).
    fn end_sub(
        &self,
        issuer: &str,
        sub: &str,
        at: u64,
        ttl_secs: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether the RP session of `sub` (OP session `sid`, if known) started at `started` has ended.
    fn is_ended(
        &self,
        issuer: &str,
        sid: Option<&str>,
        sub: &str,
        started: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Records a `logout_token`'s `jti` until `until`; `false` if `issuer` already used it (replay).
    fn first_use(
        &self,
        issuer: &str,
        jti: &str,
        until: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// A fixed-size name for (issuer, value), whatever their length or characters.
fn key(kind: &str, issuer: &str, value: &str) -> String {
    let mut h = Sha256::new();
    h.update((issuer.len() as u64).to_be_bytes());
    h.update(issuer.as_bytes());
    h.update(value.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(kind.len() + 65);
    out.push_str(kind);
    out.push(':');
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// In-process store: the default, for one server instance. Bounded: expired entries are purged on
/// every write, and at most `capacity` entries per kind are kept (the oldest-expiring go first).
pub struct MemoryStore {
    capacity: usize,
    inner: Mutex<MemoryInner>,
}

struct MemoryInner {
    /// key → expiry
    sids: HashMap<String, u64>,
    /// key → (ended at, expiry)
    subs: HashMap<String, (u64, u64)>,
    replay: MemoryReplayCache,
}

impl MemoryStore {
    /// A store keeping at most `capacity` ended sids, ended subs and used jtis each.
    pub fn new(capacity: usize) -> MemoryStore {
        MemoryStore {
            capacity: capacity.max(1),
            inner: Mutex::new(MemoryInner {
                sids: HashMap::new(),
                subs: HashMap::new(),
                replay: MemoryReplayCache::new(capacity),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        // A panic elsewhere while holding the lock leaves plain maps behind: still usable.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(100_000)
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn bound<V>(map: &mut HashMap<String, V>, capacity: usize, expiry: impl Fn(&V) -> u64) {
    let t = now();
    map.retain(|_, v| expiry(v) > t);
    while map.len() >= capacity {
        let Some(oldest) = map
            .iter()
            .min_by_key(|(_, v)| expiry(v))
            .map(|(k, _)| k.clone())
        else {
            break;
        };
        map.remove(&oldest);
    }
}

impl EndedSessions for MemoryStore {
    async fn end_sid(&self, issuer: &str, sid: &str, ttl_secs: u64) -> Result<(), StoreError> {
        let mut inner = self.lock();
        bound(&mut inner.sids, self.capacity, |e| *e);
        inner
            .sids
            .insert(key("sid", issuer, sid), now().saturating_add(ttl_secs));
        Ok(())
    }

    async fn end_sub(
        &self,
        issuer: &str,
        sub: &str,
        at: u64,
        ttl_secs: u64,
    ) -> Result<(), StoreError> {
        let mut inner = self.lock();
        bound(&mut inner.subs, self.capacity, |e| e.1);
        let entry = inner.subs.entry(key("sub", issuer, sub)).or_insert((0, 0));
        entry.0 = entry.0.max(at);
        entry.1 = now().saturating_add(ttl_secs);
        Ok(())
    }

    async fn is_ended(
        &self,
        issuer: &str,
        sid: Option<&str>,
        sub: &str,
        started: u64,
    ) -> Result<bool, StoreError> {
        let inner = self.lock();
        let t = now();
        let sid_ended = sid.is_some_and(|sid| {
            inner
                .sids
                .get(&key("sid", issuer, sid))
                .is_some_and(|&exp| exp > t)
        });
        let sub_ended = inner
            .subs
            .get(&key("sub", issuer, sub))
            .is_some_and(|&(at, exp)| exp > t && started <= at);
        Ok(sid_ended || sub_ended)
    }

    async fn first_use(
        &self,
        issuer: &str,
        jti: &str,
        until: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        Ok(self.lock().replay.first_use(issuer, jti, until, now))
    }
}

/// Redis store (the `redis` crate, async, auto-reconnecting): every server instance sees every
/// back-channel logout. Keys are `<prefix>sid:<sha256>`, `<prefix>sub:<sha256>` and
/// `<prefix>jti:<sha256>`, each with an expiry (`EX`), so Redis bounds them in time.
#[derive(Clone)]
pub struct RedisStore {
    conn: redis::aio::ConnectionManager,
    prefix: String,
}

impl RedisStore {
    /// Connects to `url` (e.g. `redis://127.0.0.1:6379/`); keys start with `prefix`.
    ///
    /// # Errors
    /// When the URL is invalid or the server cannot be reached.
    pub async fn connect(url: &str, prefix: &str) -> Result<RedisStore, StoreError> {
        let client = redis::Client::open(url).map_err(|e| StoreError(e.to_string()))?;
        let conn = redis::aio::ConnectionManager::new(client)
            .await
            .map_err(|e| StoreError(e.to_string()))?;
        Ok(RedisStore {
            conn,
            prefix: prefix.to_owned(),
        })
    }

    fn name(&self, kind: &str, issuer: &str, value: &str) -> String {
        format!("{}{}", self.prefix, key(kind, issuer, value))
    }
}

fn redis_err(e: redis::RedisError) -> StoreError {
    StoreError(e.to_string())
}

impl EndedSessions for RedisStore {
    async fn end_sid(&self, issuer: &str, sid: &str, ttl_secs: u64) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        redis::cmd("SET")
            .arg(self.name("sid", issuer, sid))
            .arg(1)
            .arg("EX")
            .arg(ttl_secs.max(1))
            .query_async::<()>(&mut conn)
            .await
            .map_err(redis_err)
    }

    async fn end_sub(
        &self,
        issuer: &str,
        sub: &str,
        at: u64,
        ttl_secs: u64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        // Keep the latest "ended at" if two instances write at once: a small Lua max-and-expire.
        redis::cmd("EVAL")
            .arg(
                "local cur = tonumber(redis.call('GET', KEYS[1]) or '0') \
                 if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1]) end \
                 redis.call('EXPIRE', KEYS[1], ARGV[2]) return 1",
            )
            .arg(1)
            .arg(self.name("sub", issuer, sub))
            .arg(at)
            .arg(ttl_secs.max(1))
            .query_async::<i64>(&mut conn)
            .await
            .map(|_| ())
            .map_err(redis_err)
    }

    async fn is_ended(
        &self,
        issuer: &str,
        sid: Option<&str>,
        sub: &str,
        started: u64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn.clone();
        let sid_key = sid.map(|sid| self.name("sid", issuer, sid));
        let sub_key = self.name("sub", issuer, sub);
        let (sid_ended, sub_at): (bool, Option<u64>) = redis::pipe()
            .cmd("EXISTS")
            .arg(sid_key.as_deref().unwrap_or(""))
            .cmd("GET")
            .arg(&sub_key)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok((sid.is_some() && sid_ended) || sub_at.is_some_and(|at| started <= at))
    }

    async fn first_use(
        &self,
        issuer: &str,
        jti: &str,
        until: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        if until <= now {
            return Ok(true);
        }
        let mut conn = self.conn.clone();
        // SET NX: atomic across instances; the first writer wins.
        let set: Option<String> = redis::cmd("SET")
            .arg(self.name("jti", issuer, jti))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(until - now)
            .query_async(&mut conn)
            .await
            .map_err(redis_err)?;
        Ok(set.is_some())
    }
}

//! Replay protection: a `jti` an issuer already used is refused while its token could still pass.

use std::collections::{BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::{LogoutError, LogoutToken};

/// Memory of the `(issuer, jti)` pairs already accepted. Implement it over a shared store (Redis,
/// a database) when several server instances receive logout tokens; [`MemoryReplayCache`] is the
/// in-process default.
pub trait ReplayCache {
    /// Records that `issuer` used `jti`, to be remembered until `until` (seconds since the epoch).
    /// Returns `false` if the pair was already recorded and has not expired at `now`.
    fn first_use(&mut self, issuer: &str, jti: &str, until: u64, now: u64) -> bool;
}

impl LogoutToken {
    /// Records this token's `jti` in `cache`; call it after [`validate`](super::validate)
    /// succeeded (never before: an invalid token must not burn a `jti`).
    ///
    /// # Errors
    /// [`LogoutError::Replayed`] if the issuer already used this `jti` within its lifetime.
    pub fn check_replay(&self, cache: &mut impl ReplayCache, now: u64) -> Result<(), LogoutError> {
        if cache.first_use(&self.issuer, &self.jti, self.usable_until, now) {
            Ok(())
        } else {
            Err(LogoutError::Replayed)
        }
    }
}

/// Bounded in-memory [`ReplayCache`]: entries expire at their token's `usable_until`, and at most
/// `capacity` entries are kept, each a fixed 32-byte digest of issuer and `jti` whatever their
/// length.
///
/// When full of unexpired entries, the entry closest to expiry is dropped. That keeps accepting
/// real logouts (refusing them would leave users signed in at the RP); the cost is that the
/// dropped `jti` could be replayed in its last moments, which only repeats a logout.
#[derive(Debug)]
pub struct MemoryReplayCache {
    capacity: usize,
    until: HashMap<[u8; 32], u64>,
    by_expiry: BTreeSet<(u64, [u8; 32])>,
}

impl MemoryReplayCache {
    /// A cache holding at most `capacity` (at least 1) entries.
    pub fn new(capacity: usize) -> MemoryReplayCache {
        MemoryReplayCache {
            capacity: capacity.max(1),
            until: HashMap::new(),
            by_expiry: BTreeSet::new(),
        }
    }

    /// Number of entries held (expired ones may linger until the next insertion).
    pub fn len(&self) -> usize {
        self.until.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.until.is_empty()
    }

    fn digest(issuer: &str, jti: &str) -> [u8; 32] {
        let mut h = Sha256::new();
        // Length-prefixed, so ("a b", "c") and ("a", "b c") differ.
        h.update((issuer.len() as u64).to_be_bytes());
        h.update(issuer.as_bytes());
        h.update(jti.as_bytes());
        h.finalize().into()
    }

    fn purge_expired(&mut self, now: u64) {
        while let Some(&(until, key)) = self.by_expiry.first() {
            if until > now {
                break;
            }
            self.by_expiry.pop_first();
            self.until.remove(&key);
        }
    }
}

impl Default for MemoryReplayCache {
    /// 10 000 entries.
    fn default() -> Self {
        MemoryReplayCache::new(10_000)
    }
}

impl ReplayCache for MemoryReplayCache {
    fn first_use(&mut self, issuer: &str, jti: &str, until: u64, now: u64) -> bool {
        self.purge_expired(now);
        let key = Self::digest(issuer, jti);
        if self.until.contains_key(&key) {
            return false;
        }
        if until <= now {
            // Already unusable: nothing to remember.
            return true;
        }
        while self.until.len() >= self.capacity {
            match self.by_expiry.pop_first() {
                Some((_, oldest)) => {
                    self.until.remove(&oldest);
                }
                None => break,
            }
        }
        self.until.insert(key, until);
        self.by_expiry.insert((until, key));
        true
    }
}

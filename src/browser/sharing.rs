//! The cross-tab effects of the machine, performed with owned handles: the channel
//! ([`Channel`]) and the leader's lock ([`Lock`]). Dropping a [`Sharing`] closes the one and
//! releases the other.

use crate::browser::channel::Channel;
use crate::browser::lock::Lock;
use crate::core::machine::Effect;
use crate::core::tabs::{channel_name, lock_name, scope};

/// Feeds an input back to the monitor's machine ([`Feed::feed`]): the driver's handle, a weak
/// reference that a callback may keep without keeping the monitor alive.
pub type Feed = crate::browser::driver::Handle;

/// One monitor's part in its scope's sharing.
#[derive(Debug)]
pub struct Sharing {
    scope: String,
    lock_name: String,
    channel_name: String,
    channel: Option<Channel>,
    lock: Option<Lock>,
}

impl Sharing {
    /// Whether this browser has what sharing needs (Web Locks and `BroadcastChannel`); without
    /// them monitors work alone, with no error.
    pub fn supported() -> bool {
        Lock::supported() && Channel::supported()
    }

    /// The names for the OP origin, the client and the session_state source (`kind`, `key`).
    pub fn new(op_origin: &str, client_id: &str, kind: &str, key: &str) -> Sharing {
        let scope = scope(op_origin, client_id, kind, key);
        Sharing {
            lock_name: lock_name(&scope),
            channel_name: channel_name(op_origin, client_id),
            scope,
            channel: None,
            lock: None,
        }
    }

    /// Whether the lock is requested or held.
    pub fn has_lock(&self) -> bool {
        self.lock.is_some()
    }

    /// Performs a cross-tab effect; reports what comes back through `feed`. Other effects are
    /// not for this type and are ignored.
    pub fn perform(&mut self, effect: &Effect, feed: &Feed) {
        match effect {
            Effect::OpenChannel => {
                self.channel = Channel::open(&self.channel_name, self.scope.clone(), feed);
            }
            Effect::CloseChannel => self.channel = None,
            Effect::RequestLock { steal } => {
                // The earlier request goes first (released or withdrawn), then the new one queues.
                self.lock = None;
                self.lock = Lock::request(&self.lock_name, *steal, feed);
            }
            Effect::ReleaseLock => self.lock = None,
            Effect::Broadcast(message) => {
                if let Some(channel) = &self.channel {
                    channel.post(message, &self.scope);
                }
            }
            _ => {}
        }
    }
}

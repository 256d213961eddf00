//! WebSub types: the planet's subscriptions to members' hubs, and the pings owed to its own hub.

use chrono::{DateTime, Utc};

/// A WebSub subscription as `status` shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushState {
    /// `pending` (asked, not yet verified by the hub), `active` or `failed`.
    pub state: String,
    pub hub: String,
    /// When the hub's lease runs out (the subscription is renewed before).
    pub lease_end: Option<DateTime<Utc>>,
    /// Why it failed.
    pub error: Option<String>,
}

/// One feed's WebSub subscription as the store keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub feed_id: i64,
    /// The feed is still listed in feeds.toml.
    pub feed_active: bool,
    /// The unguessable last segment of the callback URL.
    pub callback_id: String,
    pub hub: String,
    pub topic: String,
    /// `hub.secret`: the HMAC key of the pushes.
    pub secret: String,
    /// `pending`, `active` or `failed`.
    pub state: String,
    /// `subscribe` or `unsubscribe`: asked of the hub and not yet verified.
    pub pending_mode: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub lease_seconds: Option<i64>,
    pub lease_end: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// The weakest signature algorithm still accepted (`sha1` until the hub signs better).
    pub signature_floor: String,
}

/// A configured feed that announces a WebSub hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Announced {
    pub feed_id: i64,
    /// The URL as configured (may carry credentials; never shown).
    pub feed_url: String,
    pub hub: String,
    /// The topic to subscribe to: the feed's `rel="self"`, else the URL it is fetched from.
    pub topic: String,
}

/// A merged feed whose change the planet's WebSub hub has not yet been told of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingPing {
    /// The feed's public URL (the WebSub topic).
    pub topic: String,
    /// When it first changed without the hub knowing.
    pub since: DateTime<Utc>,
    /// Pings that failed so far.
    pub attempts: u32,
    pub last_error: Option<String>,
}

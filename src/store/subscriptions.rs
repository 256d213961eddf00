//! The WebSub subscriber's records: the hub and topic each feed announces, and the planet's
//! subscription to each (requested, verified, renewed, failed, ended).
//!
//! In: what the subscriber asked of a hub and what the hub answered. Out: [`Announced`] feeds
//! and [`Subscription`]s, for the subscriber's decisions and the callback's checks.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{params, OptionalExtension, Row};

use super::read::{opt_time, time};
use super::Store;
use crate::model::{Announced, Subscription};

const SUBSCRIPTION: &str = "SELECT s.feed_id, f.active, s.callback_id, s.hub, s.topic, s.secret,
        s.state, s.pending_mode, s.requested_at, s.lease_seconds, s.lease_end, s.error,
        s.signature_floor
     FROM subscriptions s JOIN feeds f ON f.id = s.feed_id";

fn subscription(r: &Row<'_>) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        feed_id: r.get(0)?,
        feed_active: r.get::<_, i64>(1)? != 0,
        callback_id: r.get(2)?,
        hub: r.get(3)?,
        topic: r.get(4)?,
        secret: r.get(5)?,
        state: r.get(6)?,
        pending_mode: r.get(7)?,
        requested_at: time(r.get(8)?),
        lease_seconds: r.get(9)?,
        lease_end: opt_time(r.get(10)?),
        error: r.get(11)?,
        signature_floor: r.get(12)?,
    })
}

impl Store {
    /// The configured feeds that announce a hub, in config order.
    pub fn announced_hubs(&self) -> anyhow::Result<Vec<Announced>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, url, hub, COALESCE(topic, fetch_url, url) FROM feeds
             WHERE active = 1 AND hub IS NOT NULL AND gone = 0 ORDER BY position, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Announced {
                feed_id: r.get(0)?,
                feed_url: r.get(1)?,
                hub: r.get(2)?,
                topic: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every subscription, its feed listed in feeds.toml or not, by feed id.
    pub fn subscriptions(&self) -> anyhow::Result<Vec<Subscription>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SUBSCRIPTION} ORDER BY s.feed_id"))?;
        let rows = stmt.query_map([], subscription)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The subscription whose callback ends in `callback_id`.
    pub fn subscription_by_callback(
        &self,
        callback_id: &str,
    ) -> anyhow::Result<Option<Subscription>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{SUBSCRIPTION} WHERE s.callback_id = ?1"))?;
        Ok(stmt.query_row([callback_id], subscription).optional()?)
    }

    /// A new subscription of the feed (replacing any earlier one), asked and not yet verified.
    pub fn new_subscription(&self, s: &Subscription) -> anyhow::Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO subscriptions (feed_id, callback_id, hub, topic, secret, state,
                     pending_mode, requested_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', 'subscribe', ?6)
                 ON CONFLICT (feed_id) DO UPDATE SET callback_id = ?2, hub = ?3, topic = ?4,
                     secret = ?5, state = 'pending', pending_mode = 'subscribe',
                     requested_at = ?6, lease_seconds = NULL, lease_end = NULL, error = NULL,
                     signature_floor = 'sha1'",
            )?
            .execute(params![
                s.feed_id,
                s.callback_id,
                s.hub,
                s.topic,
                s.secret,
                s.requested_at.timestamp()
            ])?;
        Ok(())
    }

    /// Records that `mode` (a renewal, an unsubscription) was asked of the hub at `at`.
    pub fn subscription_asked(
        &self,
        feed_id: i64,
        mode: &str,
        at: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE subscriptions SET pending_mode = ?2, requested_at = ?3 WHERE feed_id = ?1",
            )?
            .execute(params![feed_id, mode, at.timestamp()])?;
        Ok(())
    }

    /// The hub refused or never answered: the subscription failed, and why.
    pub fn subscription_failed(&self, feed_id: i64, why: &str) -> anyhow::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE subscriptions SET state = 'failed', pending_mode = NULL, error = ?2
                 WHERE feed_id = ?1",
            )?
            .execute(params![feed_id, why])?;
        Ok(())
    }

    /// The hub verified the subscription (for `lease_seconds` from `now`).
    pub fn subscription_verified(
        &self,
        feed_id: i64,
        lease_seconds: i64,
        now: DateTime<Utc>,
    ) -> anyhow::Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE subscriptions SET state = 'active', pending_mode = NULL, error = NULL,
                     lease_seconds = ?2, lease_end = ?3
                 WHERE feed_id = ?1",
            )?
            .execute(params![
                feed_id,
                lease_seconds,
                now.timestamp().saturating_add(lease_seconds)
            ])?;
        Ok(())
    }

    /// The subscription ended (the hub verified the unsubscription, or it was never live).
    pub fn subscription_ended(&self, feed_id: i64) -> anyhow::Result<()> {
        self.conn
            .prepare_cached("DELETE FROM subscriptions WHERE feed_id = ?1")?
            .execute([feed_id])?;
        Ok(())
    }

    /// From now on, signatures weaker than `floor` are refused on this subscription.
    pub fn raise_signature_floor(&self, feed_id: i64, floor: &str) -> anyhow::Result<()> {
        self.conn
            .prepare_cached("UPDATE subscriptions SET signature_floor = ?2 WHERE feed_id = ?1")?
            .execute(params![feed_id, floor])?;
        Ok(())
    }

    /// Every feed's configured URL by id (listed in feeds.toml or not).
    pub fn feed_urls_by_id(&self) -> anyhow::Result<HashMap<i64, String>> {
        let mut stmt = self.conn.prepare_cached("SELECT id, url FROM feeds")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The feeds whose hub pushes to the planet now (a live lease at `now`), with their last
    /// fetch: the refresh polls them less often.
    pub fn pushed_feeds(
        &self,
        now: DateTime<Utc>,
    ) -> anyhow::Result<HashMap<i64, Option<DateTime<Utc>>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT f.id, f.last_fetch FROM subscriptions s JOIN feeds f ON f.id = s.feed_id
             WHERE s.state = 'active' AND s.lease_end > ?1",
        )?;
        let rows = stmt.query_map([now.timestamp()], |r| {
            Ok((r.get::<_, i64>(0)?, opt_time(r.get(1)?)))
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

//! The WebSub subscriber (W3C WebSub §5): under `serve` with `[server] public_url`, the planet
//! subscribes to the hub each member's feed announces, renews each subscription before its
//! lease runs out, and unsubscribes from members who left feeds.toml.
//!
//! What to ask is decided by [`plan`] (pure: the announced hubs, the stored subscriptions and
//! `now`); [`reconcile`] records each request in the store before sending it (a hub may verify
//! before it even answers the request), sends them, and records the hubs' refusals. The hubs'
//! verification requests and pushes arrive at the callback (`serve::websub`).
//!
//! In: the config and the store. Out: requests sent to hubs; subscriptions recorded.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use crate::config::Config;
use crate::fetch::Fetcher;
use crate::model::{Announced, Subscription};
use crate::store::Store;

/// The lease asked of hubs (`hub.lease_seconds`): ten days, as many hubs grant by default.
/// The hub decides; its verification says what it granted.
pub const LEASE_SECONDS: i64 = 10 * 86_400;

/// A request the hub has not verified (or a failed subscription) is asked again after this.
pub const RETRY_AFTER: Duration = Duration::hours(1);

/// What to ask of a hub, or to do with a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A new subscription (new callback, new secret) to the feed's announced hub.
    Subscribe(Announced),
    /// The same subscription again before its lease ends (same callback and secret).
    Renew(Subscription),
    /// A verified subscription whose member left feeds.toml (or whose feed stopped announcing
    /// that hub).
    Unsubscribe(Subscription),
    /// A subscription that never went live and is no longer wanted: dropped.
    Forget(Subscription),
}

/// When a verified subscription is renewed: a fifth of its lease (at least a minute) before
/// the lease ends.
pub fn renew_at(lease_end: DateTime<Utc>, lease_seconds: i64) -> DateTime<Utc> {
    lease_end - Duration::seconds((lease_seconds / 5).max(60))
}

/// What the subscriber should do now, in feed order.
pub fn plan(announced: &[Announced], subs: &[Subscription], now: DateTime<Utc>) -> Vec<Action> {
    let mut actions = Vec::new();
    let waited = |s: &Subscription| s.requested_at + RETRY_AFTER <= now;
    for a in announced {
        let Some(s) = subs.iter().find(|s| s.feed_id == a.feed_id) else {
            actions.push(Action::Subscribe(a.clone()));
            continue;
        };
        if s.hub != a.hub || s.topic != a.topic {
            // The feed moved to another hub or topic: a new subscription replaces the old.
            actions.push(Action::Subscribe(a.clone()));
            continue;
        }
        match s.state.as_str() {
            "active" => {
                let due = s
                    .lease_end
                    .is_none_or(|end| renew_at(end, s.lease_seconds.unwrap_or(0)) <= now);
                if due && (s.pending_mode.is_none() || waited(s)) {
                    actions.push(Action::Renew(s.clone()));
                }
            }
            // Never verified, or failed: asked again (with a new callback) after a while.
            _ if waited(s) => actions.push(Action::Subscribe(a.clone())),
            _ => {}
        }
    }
    for s in subs {
        let wanted = s.feed_active
            && announced
                .iter()
                .any(|a| a.feed_id == s.feed_id && a.hub == s.hub && a.topic == s.topic);
        let replaced = announced.iter().any(|a| a.feed_id == s.feed_id);
        if wanted || replaced {
            continue;
        }
        if s.state == "active" {
            let asked = s.pending_mode.as_deref() == Some("unsubscribe");
            if !asked || waited(s) {
                actions.push(Action::Unsubscribe(s.clone()));
            }
        } else {
            actions.push(Action::Forget(s.clone()));
        }
    }
    actions
}

/// The callback URL of `callback_id` under `public_url` (`<public_url>/websub/<id>`).
pub fn callback_url(public_url: &Url, callback_id: &str) -> String {
    let mut base = public_url.clone();
    if !base.path().ends_with('/') {
        let path = format!("{}/", base.path());
        base.set_path(&path);
    }
    base.join(&format!("websub/{callback_id}"))
        .map_or_else(|_| format!("{base}websub/{callback_id}"), String::from)
}

/// `n` random bytes as hex, from the operating system's generator.
fn random_hex(n: usize) -> anyhow::Result<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("cannot get random bytes for a WebSub secret: {e}"))?;
    Ok(crate::fingerprint::hex(&bytes))
}

/// One request to send: the feed it is for, the hub, and the form.
struct Request {
    feed_id: i64,
    feed_url: String,
    hub: String,
    form: Vec<(&'static str, String)>,
}

/// Brings the subscriptions in line with the announced hubs (see [`plan`]). Blocks the calling
/// thread while the hubs answer (each within `fetch::hub::PING_TIMEOUT`). Errors are logged;
/// the next refresh tries again.
pub fn reconcile(config: &Config, store: &Store) {
    let Some(public_url) = config.server.public_url.as_ref().map(|u| u.to_url()) else {
        return;
    };
    if let Err(e) = try_reconcile(config, store, &public_url) {
        tracing::warn!(
            "WebSub subscriptions not updated: {e:#}; trying again after the next refresh"
        );
    }
}

fn try_reconcile(config: &Config, store: &Store, public_url: &Url) -> anyhow::Result<()> {
    let now = crate::clock::now();
    let actions = plan(&store.announced_hubs()?, &store.subscriptions()?, now);
    if actions.is_empty() {
        return Ok(());
    }
    let mut requests = Vec::new();
    let urls = store.feed_urls_by_id()?;
    let url_of = |id: i64| urls.get(&id).cloned().unwrap_or_default();
    for action in actions {
        // Each request is recorded before it is sent: the hub may verify it at once.
        match action {
            Action::Subscribe(a) => {
                let sub = Subscription {
                    feed_id: a.feed_id,
                    feed_active: true,
                    callback_id: random_hex(16)?,
                    hub: a.hub.clone(),
                    topic: a.topic.clone(),
                    secret: random_hex(32)?,
                    state: "pending".into(),
                    pending_mode: Some("subscribe".into()),
                    requested_at: now,
                    lease_seconds: None,
                    lease_end: None,
                    error: None,
                    signature_floor: "sha1".into(),
                };
                store.new_subscription(&sub)?;
                requests.push(subscribe_request(&sub, public_url, a.feed_url));
            }
            Action::Renew(s) => {
                store.subscription_asked(s.feed_id, "subscribe", now)?;
                requests.push(subscribe_request(&s, public_url, url_of(s.feed_id)));
            }
            Action::Unsubscribe(s) => {
                store.subscription_asked(s.feed_id, "unsubscribe", now)?;
                requests.push(Request {
                    feed_id: s.feed_id,
                    feed_url: url_of(s.feed_id),
                    hub: s.hub.clone(),
                    form: vec![
                        ("hub.mode", "unsubscribe".into()),
                        ("hub.topic", s.topic.clone()),
                        ("hub.callback", callback_url(public_url, &s.callback_id)),
                    ],
                });
            }
            Action::Forget(s) => store.subscription_ended(s.feed_id)?,
        }
    }
    let fetcher = Fetcher::new(&config.fetch)?;
    let answers = crate::refresh::on_own_runtime(async {
        let asks = requests.iter().map(|r| async {
            let hub = Url::parse(&r.hub).map_err(|e| format!("the hub URL is invalid: {e}"))?;
            let form: Vec<(&str, &str)> = r.form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            fetcher.ask_hub(&r.feed_url, &hub, &form).await
        });
        futures_util::future::join_all(asks).await
    })?;
    for (r, answer) in requests.iter().zip(answers) {
        let mode = r.form.first().map_or("", |(_, v)| v.as_str());
        let feed = crate::model::public_url(&r.feed_url);
        let hub = crate::model::public_url(&r.hub);
        match answer {
            Ok(()) => tracing::info!(%feed, %hub, mode, "asked the feed's WebSub hub"),
            Err(why) => {
                tracing::warn!(%feed, %hub, mode, "the WebSub hub refused: {why}");
                store
                    .subscription_failed(r.feed_id, &format!("the hub refused to {mode}: {why}"))?;
            }
        }
    }
    Ok(())
}

fn subscribe_request(s: &Subscription, public_url: &Url, feed_url: String) -> Request {
    Request {
        feed_id: s.feed_id,
        feed_url,
        hub: s.hub.clone(),
        form: vec![
            ("hub.mode", "subscribe".into()),
            ("hub.topic", s.topic.clone()),
            ("hub.callback", callback_url(public_url, &s.callback_id)),
            ("hub.lease_seconds", LEASE_SECONDS.to_string()),
            ("hub.secret", s.secret.clone()),
        ],
    }
}

/// What the callback answers a hub's verification request (W3C WebSub §5.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// No subscription has this callback.
    Unknown,
    /// Not a verification request (no mode, topic or challenge).
    Malformed,
    /// Nothing of this mode and topic is pending: a replayed or forged challenge.
    NotPending,
    /// Confirmed: echo the challenge; a subscription lives for `lease_seconds`.
    Subscribed {
        lease_seconds: i64,
    },
    Unsubscribed,
    /// The hub refused the subscription, and why.
    Denied {
        reason: String,
    },
}

/// The answer to a verification request with the query `params` for the subscription `sub`
/// (by its callback). A challenge is echoed only for the mode and topic that Mercury asked
/// for and that are still pending.
pub fn verification(sub: Option<&Subscription>, params: &[(String, String)]) -> Verification {
    let Some(sub) = sub else {
        return Verification::Unknown;
    };
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(mode), Some(topic)) = (param("hub.mode"), param("hub.topic")) else {
        return Verification::Malformed;
    };
    if topic != sub.topic {
        return Verification::NotPending;
    }
    if mode == "denied" {
        let reason = param("hub.reason").unwrap_or("no reason given");
        return Verification::Denied {
            reason: crate::model::safe_text(reason).chars().take(300).collect(),
        };
    }
    if param("hub.challenge").is_none_or(str::is_empty) {
        return Verification::Malformed;
    }
    if sub.pending_mode.as_deref() != Some(mode) {
        return Verification::NotPending;
    }
    match mode {
        "subscribe" => Verification::Subscribed {
            lease_seconds: param("hub.lease_seconds")
                .and_then(|l| l.trim().parse::<i64>().ok())
                .filter(|&l| l > 0)
                .unwrap_or(LEASE_SECONDS)
                .min(365 * 86_400),
        },
        "unsubscribe" => Verification::Unsubscribed,
        _ => Verification::NotPending,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::hours(h)
    }

    fn announced(id: i64) -> Announced {
        Announced {
            feed_id: id,
            feed_url: format!("https://f{id}.example/feed"),
            hub: "https://hub.example/".into(),
            topic: format!("https://f{id}.example/feed"),
        }
    }

    fn sub(id: i64, state: &str, pending: Option<&str>, requested: i64) -> Subscription {
        Subscription {
            feed_id: id,
            feed_active: true,
            callback_id: format!("cb{id}"),
            hub: "https://hub.example/".into(),
            topic: format!("https://f{id}.example/feed"),
            secret: "s".into(),
            state: state.into(),
            pending_mode: pending.map(str::to_string),
            requested_at: at(requested),
            lease_seconds: (state == "active").then_some(100 * 3600),
            lease_end: (state == "active").then(|| at(requested + 100)),
            error: None,
            signature_floor: "sha1".into(),
        }
    }

    #[test]
    fn the_plan_subscribes_renews_retries_and_unsubscribes() {
        let now = at(10);
        // New hub: subscribe. Verified and early in the lease: nothing.
        assert_eq!(
            plan(&[announced(1)], &[], now),
            [Action::Subscribe(announced(1))]
        );
        assert_eq!(plan(&[announced(1)], &[sub(1, "active", None, 0)], now), []);
        // Within the last fifth of the lease (ends at 100 h, renewed from 80 h): renew, once.
        let active = sub(1, "active", None, 0);
        assert_eq!(
            plan(&[announced(1)], std::slice::from_ref(&active), at(80)),
            [Action::Renew(active.clone())]
        );
        let asked = sub(1, "active", Some("subscribe"), 80);
        assert_eq!(plan(&[announced(1)], &[asked], at(80)), []);
        // Not verified yet: wait; an hour on, a new subscription.
        assert_eq!(
            plan(
                &[announced(1)],
                &[sub(1, "pending", Some("subscribe"), 10)],
                now
            ),
            []
        );
        assert_eq!(
            plan(&[announced(1)], &[sub(1, "failed", None, 8)], now),
            [Action::Subscribe(announced(1))]
        );
        // The member left: unsubscribe a live subscription, forget one that never was.
        let mut left = sub(1, "active", None, 0);
        left.feed_active = false;
        assert_eq!(
            plan(&[], std::slice::from_ref(&left), now),
            [Action::Unsubscribe(left)]
        );
        let never = sub(2, "pending", Some("subscribe"), 9);
        assert_eq!(
            plan(&[], std::slice::from_ref(&never), now),
            [Action::Forget(never)]
        );
        // Asked to unsubscribe: not asked again until the retry time.
        let mut leaving = sub(1, "active", Some("unsubscribe"), 10);
        leaving.feed_active = false;
        assert_eq!(plan(&[], &[leaving], now), []);
    }

    #[test]
    fn callbacks_hang_off_the_public_url() {
        for (public, want) in [
            ("https://p.example/", "https://p.example/websub/ab12"),
            (
                "https://p.example/planet",
                "https://p.example/planet/websub/ab12",
            ),
            (
                "https://p.example/planet/",
                "https://p.example/planet/websub/ab12",
            ),
        ] {
            let url = Url::parse(public).unwrap();
            assert_eq!(callback_url(&url, "ab12"), want, "{public}");
        }
    }

    #[test]
    fn a_challenge_is_echoed_only_for_what_is_pending() {
        let pending = sub(1, "pending", Some("subscribe"), 0);
        let q = |mode: &str, topic: &str| {
            vec![
                ("hub.mode".to_string(), mode.to_string()),
                ("hub.topic".to_string(), topic.to_string()),
                ("hub.challenge".to_string(), "c".to_string()),
                ("hub.lease_seconds".to_string(), "3600".to_string()),
            ]
        };
        let topic = pending.topic.clone();
        assert_eq!(
            verification(None, &q("subscribe", &topic)),
            Verification::Unknown
        );
        assert_eq!(
            verification(Some(&pending), &q("subscribe", &topic)),
            Verification::Subscribed {
                lease_seconds: 3600
            }
        );
        assert_eq!(
            verification(Some(&pending), &q("unsubscribe", &topic)),
            Verification::NotPending
        );
        assert_eq!(
            verification(Some(&pending), &q("subscribe", "https://other.example/")),
            Verification::NotPending
        );
        // Once verified, the same challenge again is refused.
        let active = sub(1, "active", None, 0);
        assert_eq!(
            verification(Some(&active), &q("subscribe", &topic)),
            Verification::NotPending
        );
        assert_eq!(verification(Some(&pending), &[]), Verification::Malformed);
    }
}

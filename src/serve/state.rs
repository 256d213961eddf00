//! What the scheduler and the HTTP handlers share: the output folder and the planet's health
//! ([`AppState`]), the `/healthz` answer that reports it, and the plain-text responses.
//!
//! In: the config (its schedule sets how stale is too stale and how long a file may be cached)
//! and, from the scheduler, the end of each healthy refresh. Out: [`AppState`] for the handlers,
//! and `/healthz` (200 while the planet refreshes, 503 once it is stuck).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Response, StatusCode};
use chrono::{DateTime, Utc};

use crate::config::Config;

/// Shared between the scheduler and the HTTP handlers.
pub struct AppState {
    pub(super) out_dir: PathBuf,
    health: Mutex<Health>,
    /// The planet's WebSub hub and public link, while it has a hub: the merged feeds' `Link`
    /// headers name them. Follows feeds.toml edits.
    hub: Mutex<Option<HubLinks>>,
    /// The WebSub callback's and push renderer's state.
    pub(super) websub: super::websub::Subscriber,
    /// The search handler's config and database connection.
    pub(super) search: super::search::Searcher,
}

/// What a merged feed's `Link` header says (W3C WebSub §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct HubLinks {
    pub(super) hub: url::Url,
    /// The planet's public link, which roots each feed's `rel="self"` URL.
    pub(super) link: url::Url,
}

impl HubLinks {
    /// The hub links of `config`'s planet, if it has a hub.
    pub(super) fn of(config: &Config) -> Option<HubLinks> {
        let hub = config.planet.hub.as_ref()?;
        Some(HubLinks {
            hub: hub.to_url(),
            link: config.planet.link.to_url(),
        })
    }

    /// The `Link` header of the merged feed at `rel` (a path under the output folder).
    pub(super) fn header(&self, rel: &str) -> Option<String> {
        let own = self.link.join(rel).ok()?;
        Some(format!(
            "<{}>; rel=\"hub\", <{own}>; rel=\"self\"",
            self.hub
        ))
    }
}

pub(super) struct Health {
    /// End of the last refresh in which at least one feed was fetched successfully (or the
    /// planet has no feeds).
    pub(super) last_good: Option<DateTime<Utc>>,
    /// `/healthz` fails when `last_good` is older than this.
    pub(super) stale_after: chrono::Duration,
    /// `Cache-Control: max-age`, matched to the schedule.
    pub(super) max_age: u64,
}

impl AppState {
    pub fn new(out_dir: PathBuf, config: &Config, last_good: Option<DateTime<Utc>>) -> Arc<Self> {
        let (stale_after, max_age) = timing(config);
        Arc::new(AppState {
            out_dir,
            health: Mutex::new(Health {
                last_good,
                stale_after,
                max_age,
            }),
            hub: Mutex::new(HubLinks::of(config)),
            websub: super::websub::Subscriber::new(config),
            search: super::search::Searcher::new(config),
        })
    }

    /// The hub links of the merged feeds, while the planet has a hub.
    pub(super) fn hub(&self) -> Option<HubLinks> {
        self.hub.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Follows an edit of feeds.toml's `[planet] hub` or `link`.
    pub(super) fn set_hub(&self, links: Option<HubLinks>) {
        *self.hub.lock().unwrap_or_else(|p| p.into_inner()) = links;
    }

    pub(super) fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The schedule's interval, and from it the staleness bound and the cache lifetime.
pub(super) fn timing(config: &Config) -> (chrono::Duration, u64) {
    let now = crate::clock::now();
    let interval = config.schedule_interval(now);
    let stale = config.stale_bound(now);
    let max_age = interval.num_seconds().clamp(60, 86_400) as u64;
    (stale, max_age)
}

pub(super) async fn healthz(State(state): State<Arc<AppState>>) -> Response<Body> {
    let h = state.health();
    let now = crate::clock::now();
    let (status, text) = match h.last_good {
        Some(t) if now - t <= h.stale_after => (
            StatusCode::OK,
            format!("ok: last successful refresh {}\n", t.to_rfc3339()),
        ),
        Some(t) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "stale: last successful refresh {}, more than {} s ago\n",
                t.to_rfc3339(),
                h.stale_after.num_seconds()
            ),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            "no successful refresh yet\n".to_string(),
        ),
    };
    plain(status, text)
}

pub(super) fn plain(status: StatusCode, text: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(text))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(last_good: Option<DateTime<Utc>>) -> Arc<AppState> {
        Arc::new(AppState {
            out_dir: PathBuf::from("/nonexistent"),
            health: Mutex::new(Health {
                last_good,
                stale_after: chrono::Duration::hours(3),
                max_age: 3600,
            }),
            hub: Mutex::new(None),
            websub: Default::default(),
            search: Default::default(),
        })
    }

    #[tokio::test]
    async fn healthz_fails_when_the_planet_is_stuck() {
        let now = crate::clock::now();
        let cases = [
            (Some(now - chrono::Duration::minutes(5)), StatusCode::OK),
            (
                Some(now - chrono::Duration::days(14)),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
            (None, StatusCode::SERVICE_UNAVAILABLE),
        ];
        for (last_good, want) in cases {
            let response = healthz(State(state(last_good))).await;
            assert_eq!(response.status(), want, "{last_good:?}");
        }
    }
}

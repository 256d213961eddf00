//! The WebSub callback, `/websub/<id>` (W3C WebSub §5.3, §8), and the render that follows
//! pushes.
//!
//! - GET: a hub verifies a request: the challenge is echoed only for a subscription with this
//!   callback that has that mode and topic pending (`websub::subscribe::verification`); a
//!   replayed challenge or an unknown callback gets 404.
//! - POST: a hub pushes content. Refused with 404 (unknown callback), 410 (not subscribed),
//!   413 (over `[fetch] max_bytes`), 403 (missing or bad `X-Hub-Signature`) or 400 (not a
//!   feed), each logged; an accepted body goes through the refresh's per-feed processing
//!   (`refresh::ingest_push`) and asks for a render.
//! - The push renderer: waits for pushes, lets a burst settle for [`DEBOUNCE`], then renders
//!   once; never at the same time as the scheduled refresh (one lock for both).
//!
//! In: requests, and the [`Subscriber`] state in `AppState`. Out: responses; posts stored.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, Response, StatusCode, Uri};
use tokio::sync::{watch, Notify};

use super::state::{plain, AppState};
use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::refresh::{ingest_push, PushOutcome, Pushed};
use crate::store::Store;
use crate::websub::signature::{self, Method};
use crate::websub::subscribe::{verification, Verification};

/// How long a burst of pushes may keep arriving before the render: one render for the burst.
pub const DEBOUNCE: Duration = Duration::from_millis(300);

/// What the callback and the push renderer share with the scheduler.
#[derive(Default)]
pub struct Subscriber {
    /// The running configuration (none only in unit tests of other handlers).
    config: Mutex<Option<Arc<Config>>>,
    render_wanted: Notify,
    /// Held by the scheduled refresh and by a push's render: never both at once.
    pub(super) render_lock: tokio::sync::Mutex<()>,
}

impl Subscriber {
    pub(super) fn new(config: &Config) -> Subscriber {
        Subscriber {
            config: Mutex::new(Some(Arc::new(config.clone()))),
            render_wanted: Notify::new(),
            render_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub(super) fn config(&self) -> Option<Arc<Config>> {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Follows an edit of feeds.toml.
    pub(super) fn set_config(&self, config: &Config) {
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(config.clone()));
    }
}

/// GET `/websub/<id>`: a hub's verification of a (un)subscription, or its denial.
pub(super) async fn verify(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    uri: Uri,
) -> Response<Body> {
    let params: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
            .into_owned()
            .collect();
    let Some(config) = state.websub.config() else {
        return refused(StatusCode::NOT_FOUND, "unknown callback");
    };
    let answer = tokio::task::spawn_blocking(move || -> anyhow::Result<Response<Body>> {
        let store = Store::open(&config.planet.database)?;
        let sub = store.subscription_by_callback(&id)?;
        let challenge = params
            .iter()
            .find(|(k, _)| k == "hub.challenge")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let verdict = verification(sub.as_ref(), &params);
        let echo = |challenge: String| {
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .header(header::CACHE_CONTROL, "no-store")
                .body(Body::from(challenge))
                .unwrap_or_default()
        };
        Ok(match (verdict, sub) {
            (Verification::Subscribed { lease_seconds }, Some(sub)) => {
                store.subscription_verified(sub.feed_id, lease_seconds, crate::clock::now())?;
                tracing::info!(hub = %sub.hub, topic = %sub.topic, lease_seconds, "WebSub subscription verified");
                echo(challenge)
            }
            (Verification::Unsubscribed, Some(sub)) => {
                store.subscription_ended(sub.feed_id)?;
                tracing::info!(hub = %sub.hub, topic = %sub.topic, "WebSub unsubscription verified");
                echo(challenge)
            }
            (Verification::Denied { reason }, Some(sub)) => {
                store.subscription_failed(
                    sub.feed_id,
                    &format!("the hub denied the subscription: {reason}"),
                )?;
                tracing::warn!(hub = %sub.hub, topic = %sub.topic, "WebSub subscription denied: {reason}");
                plain(StatusCode::OK, String::new())
            }
            (Verification::Malformed, _) => {
                refused(StatusCode::BAD_REQUEST, "not a WebSub verification request")
            }
            (Verification::Unknown, _) => refused(StatusCode::NOT_FOUND, "unknown callback"),
            _ => refused(
                StatusCode::NOT_FOUND,
                "no request of this mode and topic is pending",
            ),
        })
    })
    .await;
    match answer {
        Ok(Ok(response)) => response,
        Ok(Err(e)) => failed(&e),
        Err(e) => failed(&anyhow::anyhow!("{e}")),
    }
}

/// POST `/websub/<id>`: content pushed by the hub.
pub(super) async fn push(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    let Some(config) = state.websub.config() else {
        return refused(StatusCode::NOT_FOUND, "unknown callback");
    };
    let max = config.fetch.max_bytes;
    let too_large = || {
        refused(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {max} bytes (fetch.max_bytes)"),
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max) {
        return too_large();
    }
    let Ok(bytes) = axum::body::to_bytes(body, usize::try_from(max).unwrap_or(usize::MAX)).await
    else {
        return too_large();
    };
    let text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let signature = text(header::HeaderName::from_static("x-hub-signature"));
    let content_type = text(header::CONTENT_TYPE);
    let config2 = config.clone();
    let answer = tokio::task::spawn_blocking(move || -> anyhow::Result<(Response<Body>, bool)> {
        let config = config2;
        let store = Store::open(&config.planet.database)?;
        let Some(sub) = store.subscription_by_callback(&id)? else {
            return Ok((refused(StatusCode::NOT_FOUND, "unknown callback"), false));
        };
        if sub.state != "active" || !sub.feed_active {
            return Ok((
                refused(StatusCode::GONE, "not subscribed to this topic"),
                false,
            ));
        }
        let floor = Method::parse(&sub.signature_floor).unwrap_or(Method::Sha256);
        let method = match signature::verify(
            signature.as_deref(),
            sub.secret.as_bytes(),
            &bytes,
            floor,
        ) {
            Ok(method) => method,
            Err(why) => {
                tracing::warn!(hub = %sub.hub, topic = %sub.topic, "WebSub push refused: {why}");
                return Ok((refused(StatusCode::FORBIDDEN, &why.to_string()), false));
            }
        };
        if method.floor_after() > floor {
            store.raise_signature_floor(sub.feed_id, method.floor_after().name())?;
        }
        let hub = url::Url::parse(&sub.hub)?;
        let pushed = Pushed {
            feed_id: sub.feed_id,
            body: bytes.to_vec(),
            content_type,
            hub,
            topic: url::Url::parse(&sub.topic).ok(),
        };
        let (_store, outcome) = ingest_push(&config, store, pushed)?;
        Ok(match outcome {
            PushOutcome::Refused(why) => {
                tracing::warn!(hub = %sub.hub, topic = %sub.topic, "WebSub push refused: {why}");
                (refused(StatusCode::BAD_REQUEST, &why), false)
            }
            PushOutcome::Stored(stats) => {
                tracing::info!(
                    topic = %sub.topic,
                    new = stats.new_entries,
                    updated = stats.updated_entries,
                    "WebSub push stored"
                );
                let changed = stats.new_entries + stats.updated_entries > 0;
                (plain(StatusCode::OK, "ok\n".into()), changed)
            }
        })
    })
    .await;
    match answer {
        Ok(Ok((response, changed))) => {
            if changed {
                state.websub.render_wanted.notify_one();
            }
            response
        }
        Ok(Err(e)) => failed(&e),
        Err(e) => failed(&anyhow::anyhow!("{e}")),
    }
}

/// Renders the site after pushes, a burst at a time, until the server stops.
pub(super) async fn push_renderer(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = state.websub.render_wanted.notified() => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        tokio::select! {
            _ = tokio::time::sleep(DEBOUNCE) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let _turn = state.websub.render_lock.lock().await;
        let Some(config) = state.websub.config() else {
            continue;
        };
        let rendered = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
            // The moderator's decisions as they stand; a broken moderation.toml skips this
            // render (the scheduled one keeps the last good decisions and says so).
            let moderation = Moderation::load(&config)?;
            let mut store = Store::open(&config.planet.database)?;
            crate::site::write(&config, &mut store, &moderation)
        })
        .await;
        match rendered {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::error!("render after a WebSub push failed: {e:#}"),
            Err(e) => tracing::error!("render after a WebSub push failed: {e}"),
        }
    }
}

fn refused(status: StatusCode, why: &str) -> Response<Body> {
    tracing::debug!(status = status.as_u16(), "WebSub callback: {why}");
    plain(status, format!("{why}\n"))
}

fn failed(e: &anyhow::Error) -> Response<Body> {
    tracing::error!("WebSub callback failed: {e:#}");
    plain(
        StatusCode::INTERNAL_SERVER_ERROR,
        "the planet could not handle this request; try again later\n".into(),
    )
}

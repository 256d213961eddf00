//! `serve`: the long-running planet. A scheduler refreshes on the cron schedule (in the planet's
//! time zone) and an HTTP server (axum on hyper, with our own connection loop: `conn`) serves the
//! output folder (`files`) and answers `/search` (`search`); `state` holds what the two share (the planet's health, /healthz);
//! `websub` is the WebSub callback (`/websub/<id>`) and the render that follows pushes.
//!
//! In: the config path and its first validated [`Config`]. Out: nothing; runs until SIGINT or
//! SIGTERM. Refreshes never overlap (one loop runs them in turn; an overrun delays the next).
//! feeds.toml and moderation.toml are re-read before each refresh: a bad edit keeps the last
//! good one in force and is logged and shown on `status.html`.

mod conn;
mod files;
mod search;
mod state;
mod websub;

pub use state::AppState;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::http::{header, HeaderValue, Response};
use axum::Router;
use chrono::Utc;
use tokio::sync::watch;

use crate::config::moderation::Moderation;
use crate::config::Config;
use crate::output::noteln;
use crate::refresh::RefreshSummary;
use crate::site;
use crate::store::Store;

/// The router: `/healthz`, `/search`, the WebSub callback, and every file of the output folder.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", axum::routing::get(state::healthz))
        // Any method: the handler refuses all but GET and HEAD as the files do.
        .route("/search", axum::routing::any(search::search))
        .route(
            "/websub/{id}",
            axum::routing::get(websub::verify).post(websub::push),
        )
        .fallback(files::serve_file)
        .with_state(state)
        .layer(axum::middleware::map_response(nosniff))
}

/// Every response, errors and `/healthz` included, tells browsers not to guess another type
/// than the one given (the review's finding 9).
async fn nosniff(mut response: Response<Body>) -> Response<Body> {
    response.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// Runs the planet until SIGINT or SIGTERM.
pub async fn run(
    config_path: PathBuf,
    config: Config,
    moderation: Moderation,
) -> anyhow::Result<()> {
    let last_good = {
        let store = Store::open(&config.planet.database)?;
        store.last_success()?
    };
    let state = AppState::new(config.planet.output_dir.clone(), &config, last_good);
    let listener = tokio::net::TcpListener::bind(config.server.listen)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {} ([server] listen)",
                config.server.listen
            )
        })?;
    let addr = listener.local_addr()?;
    tracing::info!(%addr, out = %config.planet.output_dir.display(), "serving the planet");
    noteln!(
        "Serving {} on http://{addr}/ (Ctrl-C to stop)",
        config.planet.name
    );

    let max_connections = config.server.max_connections;
    tracing::info!(
        max_connections,
        header_timeout_s = conn::HEADER_TIMEOUT.as_secs(),
        stall_timeout_s = conn::STALL_TIMEOUT.as_secs(),
        "connection limits"
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = tokio::spawn(scheduler(
        config_path,
        config,
        moderation,
        state.clone(),
        stop_rx.clone(),
    ));
    let push_renderer = tokio::spawn(websub::push_renderer(state.clone(), stop_rx.clone()));
    // Open connections get a moment to finish their request after the stop, then go.
    let server = tokio::spawn(conn::serve(
        listener,
        app(state),
        max_connections,
        stop_rx.clone(),
        Duration::from_secs(5),
    ));

    shutdown_signal().await;
    tracing::info!("shutting down: the running refresh is abandoned between feeds");
    let _ = stop_tx.send(true);
    let _ = scheduler.await;
    let _ = push_renderer.await;
    let _ = server.await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}

/// Refresh now, then at each time the schedule gives; never two at once.
async fn scheduler(
    config_path: PathBuf,
    mut config: Config,
    mut moderation: Moderation,
    state: Arc<AppState>,
    mut stop: watch::Receiver<bool>,
) {
    let mut config_error: Option<String> = None;
    let mut moderation_error: Option<String> = None;
    loop {
        let notices: Vec<String> = config_error
            .iter()
            .map(|e| {
                format!("feeds.toml has an error, so the last good configuration is running: {e}")
            })
            .chain(moderation_error.iter().map(|e| {
                format!(
                    "moderation.toml has an error, so the last good decisions are in force: {e}"
                )
            }))
            .collect();
        let cycle_stop = stop.clone();
        let cycle = async {
            // Not while a push's render runs (nor it while this refresh does).
            let _turn = state.websub.render_lock.lock().await;
            run_cycle(&config, &moderation, notices, &state, cycle_stop).await
        };
        tokio::select! {
            result = cycle => {
                if let Err(e) = result {
                    tracing::error!("refresh failed: {e:#}");
                }
            }
            _ = stop.wait_for(|s| *s) => return,
        }
        // Subscribe to the hubs the refresh found, renew, unsubscribe from members who left.
        let subscribing = subscriptions(&config);
        tokio::select! {
            _ = subscribing => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = crate::clock::now().with_timezone(&config.planet.timezone);
        let next = config.planet.schedule.after(&now).next();
        let wait = next
            .map(|n| {
                (n.with_timezone(&Utc) - crate::clock::now())
                    .to_std()
                    .unwrap_or_default()
            })
            .unwrap_or(Duration::from_secs(3600));
        tracing::debug!(?next, "next refresh");
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        // Re-read feeds.toml: a valid edit takes effect now; a bad one keeps the last good
        // config and is reported until fixed.
        match Config::load(&config_path) {
            Ok(c) => {
                if config_error.take().is_some() {
                    tracing::info!("feeds.toml is valid again");
                }
                // Logged at start; again only when an edit changed them, not every cycle.
                if c.warnings != config.warnings {
                    for warning in &c.warnings {
                        tracing::warn!("{warning}");
                    }
                }
                state.set_hub(state::HubLinks::of(&c));
                state.websub.set_config(&c);
                state.search.set_config(&c);
                let (stale, max_age) = state::timing(&c);
                {
                    let mut h = state.health();
                    h.stale_after = stale;
                    h.max_age = max_age;
                }
                config = c;
            }
            Err(e) => {
                tracing::error!("{e}; keeping the last good configuration");
                config_error = Some(e.to_string());
            }
        }
        // The moderator's decisions likewise: a bad edit keeps the last good ones in force.
        match Moderation::load(&config) {
            Ok(m) => {
                if moderation_error.take().is_some() {
                    tracing::info!("moderation.toml is valid again");
                }
                moderation = m;
            }
            Err(e) => {
                tracing::error!("{e}; keeping the last good moderation decisions");
                moderation_error = Some(e.to_string());
            }
        }
    }
}

/// Brings the WebSub subscriptions in line with the hubs the members' feeds announce (with
/// `[server] public_url` only).
async fn subscriptions(config: &Config) {
    if config.server.public_url.is_none() {
        return;
    }
    let config = config.clone();
    let done = tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let store = Store::open(&config.planet.database)?;
        crate::websub::subscribe::reconcile(&config, &store);
        Ok(())
    })
    .await;
    match done {
        Ok(Ok(())) => {}
        Ok(Err(e)) => tracing::warn!("WebSub subscriptions not updated: {e:#}"),
        Err(e) => tracing::warn!("WebSub subscriptions not updated: {e}"),
    }
}

/// One refresh and render, with `notices` (the config's or moderation file's error, if any)
/// shown on the status page.
async fn run_cycle(
    config: &Config,
    moderation: &Moderation,
    notices: Vec<String>,
    state: &Arc<AppState>,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let stop = async move {
        let _ = stop.wait_for(|stop| *stop).await;
    };
    let state = state.clone();
    // Refreshed once the site's files are in place; their compressed variants follow.
    let in_place = move |summary: &RefreshSummary| {
        // Healthy means the planet is really refreshing: some feed came through (or there are
        // none).
        let fetched_ok = summary.updated + summary.not_modified;
        if fetched_ok > 0 || summary.feeds == 0 {
            state.health().last_good = Some(crate::clock::now());
        }
    };
    site::refresh_then_render(config, moderation, notices, stop, in_place).await
}

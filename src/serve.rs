//! `serve`: the long-running planet. A scheduler refreshes on the cron schedule (in the planet's
//! time zone) and an HTTP server (axum) serves the output folder.
//!
//! In: the config path and its first validated [`Config`]. Out: nothing; runs until SIGINT or
//! SIGTERM. Refreshes never overlap (one loop runs them in turn; an overrun delays the next).
//! feeds.toml is re-read before each refresh: a bad edit keeps the last good config running and
//! is logged and shown on `status.html`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use axum::Router;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use crate::config::Config;
use crate::refresh::{self, RefreshOptions};
use crate::store::Store;

/// The page's Content-Security-Policy: no script at all; style sheets from the planet itself,
/// plus members' inline `style` attributes (already reduced to harmless declarations by the
/// sanitiser; `<style>` elements never get through it); images and media from members' http(s)
/// servers.
const CSP: &str = "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
                   img-src http: https:; \
                   media-src http: https:; base-uri 'none'; form-action 'none'; \
                   frame-ancestors 'none'";

/// Shared between the scheduler and the HTTP handlers.
pub struct AppState {
    out_dir: PathBuf,
    health: Mutex<Health>,
}

struct Health {
    /// End of the last refresh in which at least one feed was fetched successfully (or the
    /// planet has no feeds).
    last_good: Option<DateTime<Utc>>,
    /// `/healthz` fails when `last_good` is older than this.
    stale_after: chrono::Duration,
    /// `Cache-Control: max-age`, matched to the schedule.
    max_age: u64,
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
        })
    }

    fn health(&self) -> std::sync::MutexGuard<'_, Health> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The schedule's interval, and from it the staleness bound and the cache lifetime.
fn timing(config: &Config) -> (chrono::Duration, u64) {
    let interval = schedule_interval(config);
    let stale = interval * config.server.stale_after as i32;
    let max_age = interval.num_seconds().clamp(60, 86_400) as u64;
    (stale, max_age)
}

/// The time between the schedule's next two runs (at least a minute).
pub fn schedule_interval(config: &Config) -> chrono::Duration {
    let now = Utc::now().with_timezone(&config.planet.timezone);
    let mut upcoming = config.planet.schedule.after(&now);
    match (upcoming.next(), upcoming.next()) {
        (Some(a), Some(b)) => (b - a).max(chrono::Duration::seconds(1)),
        _ => chrono::Duration::days(1),
    }
}

/// The router: `/healthz`, and every file of the output folder.
pub fn app(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", axum::routing::get(healthz))
        .fallback(serve_file)
        .with_state(state)
        .layer(tower_http::compression::CompressionLayer::new())
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response<Body> {
    let h = state.health();
    let now = Utc::now();
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

fn plain(status: StatusCode, text: String) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(text))
        .unwrap_or_default()
}

/// Serves a file of the output folder with its type, validators and cache headers.
async fn serve_file(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n".into());
    }
    let Some(rel) = safe_path(uri.path()) else {
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    };
    let mut path = state.out_dir.join(&rel);
    if tokio::fs::metadata(&path).await.is_ok_and(|m| m.is_dir()) {
        path = path.join("index.html");
    }
    let (bytes, modified) = match read_file(&path).await {
        Some(x) => x,
        None => return plain(StatusCode::NOT_FOUND, "not found\n".into()),
    };
    let etag = format!(
        "W/\"{}\"",
        &crate::fingerprint::hex(&Sha256::digest(&bytes))[..20]
    );
    let last_modified = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let max_age = state.health().max_age;
    let fresh = match headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(inm) => inm.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp()),
    };
    let mut response = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::LAST_MODIFIED, &last_modified)
        .header(
            header::CACHE_CONTROL,
            format!("public, max-age={max_age}, must-revalidate"),
        )
        .header("x-content-type-options", "nosniff")
        .header(header::CONTENT_TYPE, content_type(&path));
    if content_type(&path).starts_with("text/html") {
        response = response
            .header("content-security-policy", CSP)
            .header("referrer-policy", "strict-origin-when-cross-origin");
    }
    if fresh {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default();
    }
    let len = bytes.len();
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        Body::from(bytes)
    };
    let mut r = response
        .status(StatusCode::OK)
        .body(body)
        .unwrap_or_default();
    if method == Method::HEAD {
        if let Ok(v) = HeaderValue::from_str(&len.to_string()) {
            r.headers_mut().insert(header::CONTENT_LENGTH, v);
        }
    }
    r
}

async fn read_file(path: &Path) -> Option<(Vec<u8>, DateTime<Utc>)> {
    let meta = tokio::fs::metadata(path).await.ok()?;
    if !meta.is_file() {
        return None;
    }
    let modified: DateTime<Utc> = meta.modified().ok()?.into();
    let bytes = tokio::fs::read(path).await.ok()?;
    Some((bytes, modified))
}

/// A request path as a relative path inside the output folder, or `None` when it could leave
/// it or names a hidden file (the temporary files of atomic writes start with a dot).
pub fn safe_path(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut rel = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        rel.push(segment);
    }
    if rel.as_os_str().is_empty() || decoded.ends_with('/') {
        rel.push("index.html");
    }
    Some(rel)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content types by file name: the merged feeds get their registered types.
pub fn content_type(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name {
        "atom.xml" => "application/atom+xml; charset=utf-8",
        "rss.xml" => "application/rss+xml; charset=utf-8",
        "feed.json" => "application/feed+json; charset=utf-8",
        "opml.xml" => "text/x-opml; charset=utf-8",
        _ => match name.rsplit('.').next().unwrap_or("") {
            "html" => "text/html; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "xml" => "application/xml; charset=utf-8",
            "json" => "application/json",
            "txt" => "text/plain; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "ico" => "image/x-icon",
            "woff2" => "font/woff2",
            _ => "application/octet-stream",
        },
    }
}

/// Runs the planet until SIGINT or SIGTERM.
pub async fn run(config_path: PathBuf, config: Config) -> anyhow::Result<()> {
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
    println!(
        "Serving {} on http://{addr}/ (Ctrl-C to stop)",
        config.planet.name
    );

    let (stop_tx, stop_rx) = watch::channel(false);
    let scheduler = tokio::spawn(scheduler(
        config_path,
        config,
        state.clone(),
        stop_rx.clone(),
    ));
    let mut server_stop = stop_rx.clone();
    let server = axum::serve(listener, app(state)).with_graceful_shutdown(async move {
        let _ = server_stop.wait_for(|stop| *stop).await;
    });
    let server = tokio::spawn(async move { server.await });

    shutdown_signal().await;
    tracing::info!("shutting down: the running refresh is abandoned between feeds");
    let _ = stop_tx.send(true);
    let _ = scheduler.await;
    // Give open connections a moment to finish, then go.
    let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
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
    state: Arc<AppState>,
    mut stop: watch::Receiver<bool>,
) {
    let mut config_error: Option<String> = None;
    loop {
        let cycle = run_cycle(&config, config_error.clone(), &state, stop.clone());
        tokio::select! {
            result = cycle => {
                if let Err(e) = result {
                    tracing::error!("refresh failed: {e:#}");
                }
            }
            _ = stop.wait_for(|s| *s) => return,
        }
        let now = Utc::now().with_timezone(&config.planet.timezone);
        let next = config.planet.schedule.after(&now).next();
        let wait = next
            .map(|n| {
                (n.with_timezone(&Utc) - Utc::now())
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
                let (stale, max_age) = timing(&c);
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
    }
}

/// One refresh and render.
async fn run_cycle(
    config: &Config,
    config_error: Option<String>,
    state: &AppState,
    mut stop: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let store = Store::open(&config.planet.database)?;
    // On a thread and runtime of its own (see `refresh_blocking`): the server's threads keep
    // answering meanwhile. A stop abandons it between feeds; the thread would otherwise keep
    // the process alive until the last feed answered or timed out.
    let refresh_config = config.clone();
    let refreshed = tokio::task::spawn_blocking(move || {
        refresh::on_own_runtime(async move {
            let work = refresh::refresh(&refresh_config, store, RefreshOptions::default(), &|| {});
            tokio::select! {
                done = work => Some(done),
                _ = stop.wait_for(|stop| *stop) => None,
            }
        })
    })
    .await??;
    let Some(refreshed) = refreshed else {
        return Ok(()); // stopping
    };
    let (store, summary) = refreshed?;
    let config2 = config.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        let mut site = crate::commands::build_site(&config2, &store)?;
        site.notices.extend(config_error.map(|e| {
            format!("feeds.toml has an error, so the last good configuration is running: {e}")
        }));
        crate::render::render_site(
            &site,
            &config2.planet.output_dir,
            &config2.planet.theme_dir,
            Utc::now(),
        )?;
        Ok(())
    })
    .await??;
    // Healthy means the planet is really refreshing: some feed came through (or there are none).
    let fetched_ok = summary.updated + summary.not_modified;
    if fetched_ok > 0 || summary.feeds == 0 {
        state.health().last_good = Some(Utc::now());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_output_folder() {
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("index.html")),
            ("/atom.xml", Some("atom.xml")),
            ("/page/2.html", Some("page/2.html")),
            ("/tags/x/", Some("tags/x/index.html")),
            ("/../etc/passwd", None),
            ("/%2e%2e/etc/passwd", None),
            ("/.index.html.123.tmp", None),
            ("/a%00b", None),
            ("/%zz", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                safe_path(input).map(|p| p.to_string_lossy().into_owned()),
                want.map(String::from),
                "{input}"
            );
        }
    }

    fn state(last_good: Option<DateTime<Utc>>) -> Arc<AppState> {
        Arc::new(AppState {
            out_dir: PathBuf::from("/nonexistent"),
            health: Mutex::new(Health {
                last_good,
                stale_after: chrono::Duration::hours(3),
                max_age: 3600,
            }),
        })
    }

    #[tokio::test]
    async fn healthz_fails_when_the_planet_is_stuck() {
        let now = Utc::now();
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

    #[test]
    fn feeds_get_their_registered_types() {
        for (name, want) in [
            ("atom.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
            ("opml.xml", "text/x-opml"),
            ("index.html", "text/html"),
            ("style.css", "text/css"),
        ] {
            assert!(content_type(Path::new(name)).starts_with(want), "{name}");
        }
    }
}

//! `GET /search?q=…&page=N`: the planet's full-text search, answered with a results page in
//! the planet's theme (`render::search_page`), under the same Content-Security-Policy as the
//! files. Any query is answered 200: what the reader typed is made safe by `search::Query`,
//! capped in length there and in time here ([`TIME_LIMIT`]); only `GET` and `HEAD` are
//! allowed, and with `[server] search = false` there is no `/search` (404).
//!
//! In: the request's method and query string, the config in force and the database (opened
//! read-only, one connection kept between searches). Out: the page.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, Method, Response, StatusCode, Uri};

use super::state::{plain, AppState};
use crate::config::Config;
use crate::model::SearchResults;
use crate::render::{search_page, SearchView, Theme};
use crate::search::Query;
use crate::store::Store;

/// Results per page.
pub(crate) const PER_PAGE: usize = 20;

/// A search still running after this is stopped (SQLite's progress handler) and the reader
/// told to narrow it: one search must not hold a thread and the database for long.
const TIME_LIMIT: Duration = Duration::from_secs(1);

/// The deepest results page a search goes to: the pages end where the ranked matches do
/// (`store::search::RANKED`), and a huge `page` would make SQLite skip that many rows.
const MAX_PAGE: usize = crate::store::search::RANKED / PER_PAGE;

/// What the search handler keeps: the config in force (it follows feeds.toml edits) and an
/// idle read-only connection, so a search usually finds the database's pages cached.
#[derive(Default)]
pub struct Searcher {
    config: Mutex<Option<Arc<Config>>>,
    idle: Mutex<Option<Store>>,
}

impl Searcher {
    pub(super) fn new(config: &Config) -> Self {
        let searcher = Searcher::default();
        searcher.set_config(config);
        searcher
    }

    /// Follows an edit of feeds.toml (the planet's name, language, theme, `search`).
    pub(super) fn set_config(&self, config: &Config) {
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::new(config.clone()));
        // The database may have moved: the next search opens it afresh.
        *self.idle.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn config(&self) -> Option<Arc<Config>> {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn take(&self, config: &Config) -> anyhow::Result<Store> {
        let idle = self.idle.lock().unwrap_or_else(|p| p.into_inner()).take();
        match idle {
            Some(store) => Ok(store),
            None => Store::open_read_only(&config.planet.database),
        }
    }

    fn put_back(&self, store: Store) {
        *self.idle.lock().unwrap_or_else(|p| p.into_inner()) = Some(store);
    }
}

/// The `q` and `page` of a query string. Undecodable bytes become U+FFFD, never an error.
fn params(query: Option<&str>) -> (String, usize) {
    let (mut q, mut page) = (String::new(), 1);
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
        match &*key {
            "q" => q = value.into_owned(),
            "page" => page = value.trim().parse().unwrap_or(1),
            _ => {}
        }
    }
    (q, page.clamp(1, MAX_PAGE))
}

pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n".into());
    }
    let Some(config) = state.search.config().filter(|c| c.server.search) else {
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    };
    let (text, page) = params(uri.query());
    let state2 = state.clone();
    let page_html = tokio::task::spawn_blocking(move || answer(&state2, &config, &text, page))
        .await
        .map_err(anyhow::Error::from)
        .and_then(|r| r);
    match page_html {
        Ok(html) => {
            let len = html.len();
            let body = if method == Method::HEAD {
                Body::empty()
            } else {
                Body::from(html)
            };
            Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                .header(header::CONTENT_LENGTH, len)
                .header(header::CACHE_CONTROL, "no-store")
                .header("content-security-policy", super::files::CSP)
                .header("referrer-policy", "strict-origin-when-cross-origin")
                .body(body)
                .unwrap_or_default()
        }
        Err(e) => {
            tracing::error!("search failed: {e:#}");
            plain(
                StatusCode::SERVICE_UNAVAILABLE,
                "the search is not available right now; try again in a moment\n".into(),
            )
        }
    }
}

/// Runs the search and renders its page (on a blocking thread).
fn answer(state: &AppState, config: &Config, text: &str, page: usize) -> anyhow::Result<String> {
    let query = Query::parse(text);
    let now = crate::clock::now();
    let store = state.search.take(config)?;
    let results = if query.is_empty() {
        SearchResults::default()
    } else {
        store.search(&query, page - 1, PER_PAGE, TIME_LIMIT)?
    };
    let site = crate::site::frame_site(config, &store, now)?;
    state.search.put_back(store);
    let theme = Theme::load(&site.lang, &config.planet.theme_dir)?;
    let view = SearchView {
        query: &query.text,
        results: &results,
        page,
        per_page: PER_PAGE,
    };
    Ok(search_page(&site, &theme, &view))
}

#[cfg(test)]
mod tests {
    use super::params;

    #[test]
    fn any_query_string_is_read() {
        assert_eq!(params(Some("q=caf%C3%A9&page=2")), ("café".into(), 2));
        assert_eq!(
            params(Some("q=%FF%FE%00x&page=-3")),
            ("\u{FFFD}\u{FFFD}\0x".into(), 1)
        );
        assert_eq!(
            params(Some("page=99999999999999999999")),
            (String::new(), 1)
        );
        assert_eq!(
            params(Some("page=100000")),
            (String::new(), super::MAX_PAGE)
        );
        assert_eq!(params(None), (String::new(), 1));
        assert_eq!(params(Some("q=a+b%")), ("a b%".into(), 1));
    }
}

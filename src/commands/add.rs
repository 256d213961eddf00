//! `add URL`: find the feed (the URL itself, the feeds a web page advertises, or a few
//! well-known paths), show what was found, and append it to feeds.toml.

use std::path::Path;
use std::time::Duration;

use tokio::time::Instant;
use url::Url;

use crate::cli::AddArgs;
use crate::config::edit::{self as config_edit, NewFeed};
use crate::config::{Config, FetchSettings};
use crate::error::Error;
use crate::fetch::{Fetcher, Reach};
use crate::model::{
    has_credentials, public_url, same_feed_address, FeedRequest, FetchOutcome, ParsedFeed,
};
use crate::output::{noteln, outln};
use crate::store::Store;
use crate::web_url::WebUrl;
use crate::{discover, fetch, parse};

/// Paths tried on the site's root when a page advertises no feed.
const WELL_KNOWN: &[&str] = &[
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feed.json",
];

/// At most this many candidate feeds are fetched, the advertised ones first: a hostile page
/// advertising a thousand links must not make `add` request a thousand addresses.
const MAX_CANDIDATES: usize = 10;

/// The time `add` may take in all, as a multiple of `fetch.timeout_secs` (which bounds each
/// fetch): room for the page and at least one slow candidate (60 s by default), after which it
/// stops and says what it tried, instead of running for hours on a page whose links all hang.
const BUDGET_TIMEOUTS: u32 = 2;

/// A feed that was fetched and parsed.
struct Found {
    url: String,
    /// Where fetching `url` ended, after redirects.
    final_url: Url,
    feed: ParsedFeed,
}

pub fn add(config: &Config, config_path: &Path, args: AddArgs) -> Result<(), Error> {
    let url = WebUrl::parse(args.url.trim())
        .map_err(|_| anyhow::anyhow!("{:?} is not an http(s) URL", public_url(&args.url)))?;
    if has_credentials(&url) {
        return Err(anyhow::anyhow!(
            "{} has a user name or password; nothing added: `add` never writes credentials \
             into feeds.toml. If the member gave them to you for this feed, write the [[feed]] \
             by hand: Mercury then uses them to fetch and never publishes them",
            public_url(url.as_str())
        )
        .into());
    }
    let listed = Listed::read(config)?;
    listed.check(&url, None)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(anyhow::Error::from)?;
    let found = runtime.block_on(find_feed(&config.fetch, &args.url, &url))?;
    let feed_url = Url::parse(&found.url).map_err(anyhow::Error::from)?;
    listed.check(&feed_url, None)?;
    listed.check(&found.final_url, Some(&feed_url))?;
    let name = args
        .name
        .clone()
        .or_else(|| found.feed.author.as_deref().map(crate::model::safe_text))
        .or_else(|| {
            (found.feed.title.as_deref().map(crate::model::safe_text)).filter(|t| !t.is_empty())
        })
        .unwrap_or_else(|| feed_url.host_str().unwrap_or("member").to_string());
    config_edit::append_feeds(
        config_path,
        &[NewFeed {
            url: found.url.clone(),
            name: name.clone(),
            tags: args.tag.clone(),
        }],
    )?;
    outln!(
        "added \"{name}\" <{}> to {}",
        found.url,
        config_path.display()
    );
    Ok(())
}

/// The addresses of the members already listed: each feed's URL and the permanent-redirect
/// target Mercury knows for it, compared as [`same_feed_address`]es (scheme and host case,
/// default port, trailing slash).
struct Listed<'a> {
    config: &'a Config,
    /// (address, index in the config, whether it is a redirect target Mercury knows)
    addresses: Vec<(String, usize, bool)>,
}

impl<'a> Listed<'a> {
    fn read(config: &'a Config) -> anyhow::Result<Listed<'a>> {
        let mut addresses: Vec<(String, usize, bool)> = config
            .feeds
            .iter()
            .enumerate()
            .map(|(i, f)| (same_feed_address(&f.parsed_url), i, false))
            .collect();
        // Known only once a refresh has run: `add` on a new planet creates no database.
        if config.planet.database.exists() {
            let mut store = Store::open(&config.planet.database)?;
            store.sync_feeds(&config.member_feeds())?;
            for (from, to) in store.permanent_moves()? {
                let Some(i) = config.feeds.iter().position(|f| f.url == from) else {
                    continue;
                };
                if let Ok(to) = Url::parse(&to) {
                    addresses.push((same_feed_address(&to), i, true));
                }
            }
        }
        Ok(Listed { config, addresses })
    }

    /// Refuses `url` when it gives the address of a listed member; `via` is the URL the admin
    /// gave when `url` is where it redirected.
    fn check(&self, url: &Url, via: Option<&Url>) -> anyhow::Result<()> {
        let address = same_feed_address(url);
        let Some(&(_, i, moved)) = self.addresses.iter().find(|(a, _, _)| *a == address) else {
            return Ok(());
        };
        let f = &self.config.feeds[i];
        let how = match via {
            Some(via) => format!(
                "{} redirects to {}, which is",
                public_url(via.as_str()),
                public_url(url.as_str())
            ),
            None => format!("{} is", public_url(url.as_str())),
        };
        let listed_as = if moved {
            "the new address Mercury knows for"
        } else {
            "the same feed as"
        };
        anyhow::bail!(
            "{how} {listed_as} feed[{}] \"{}\" <{}>, already in {}; nothing added (if that \
             member's feed moved, run `mercury move OLD_URL NEW_URL` instead)",
            i + 1,
            f.name,
            public_url(&f.url),
            self.config.path.display(),
        )
    }
}

/// The time `add` may take in all, counted from when it starts looking.
struct Budget {
    total: Duration,
    deadline: Instant,
}

impl Budget {
    fn start(settings: &FetchSettings) -> Self {
        let total = settings.timeout * BUDGET_TIMEOUTS;
        Budget {
            total,
            deadline: Instant::now() + total,
        }
    }

    fn spent(&self) -> bool {
        Instant::now() >= self.deadline
    }
}

/// The feed at `given`, or the first working one the page there leads to, within the budget.
async fn find_feed(settings: &FetchSettings, given: &str, url: &Url) -> anyhow::Result<Found> {
    let budget = Budget::start(settings);
    // The URL the admin typed sets the reach: candidates a public page advertises are fetched
    // as public feeds, whatever addresses they name.
    let fetcher = Fetcher::new(settings)?;
    let reach = Reach::of(url);
    let (html, base) = match probe(&fetcher, reach, url).await {
        Probe::Feed(feed, final_url) => {
            // A feed URL is kept exactly as the admin wrote it.
            describe(given, &feed);
            return Ok(Found {
                url: given.trim().to_string(),
                final_url,
                feed,
            });
        }
        Probe::Page(html, base) => (html, base),
        Probe::Failed(message) => anyhow::bail!("cannot read {url}: {message}"),
    };
    let (candidates, advertised) = candidates(&html, &base);
    match try_candidates(&fetcher, reach, &candidates, advertised, &budget).await {
        Some(f) => {
            noteln!("using {}", f.url);
            Ok(f)
        }
        None if budget.spent() => anyhow::bail!(
            "no feed found at {url} within {} s: ask the member for the address of their RSS, \
             Atom or JSON feed, and add that",
            budget.total.as_secs()
        ),
        None => anyhow::bail!(
            "no feed found at {url}: ask the member for the address of their RSS, Atom or JSON feed"
        ),
    }
}

/// The feeds to try for a web page: those it advertises (without credentials, at most
/// `MAX_CANDIDATES`), else the well-known paths on its site; and whether it advertised any.
fn candidates(html: &str, base: &Url) -> (Vec<Url>, bool) {
    let mut candidates = discover::feed_links(html, base);
    // A page's credentials are someone else's: never fetched with, never written down.
    candidates.retain(|c| {
        let keep = !has_credentials(c);
        if !keep {
            noteln!(
                "  {}: has a user name or password; skipped (`add` never writes credentials \
                 into feeds.toml)",
                public_url(c.as_str())
            );
        }
        keep
    });
    let advertised = !candidates.is_empty();
    if candidates.len() > MAX_CANDIDATES {
        noteln!(
            "{} advertises {} feeds; trying the first {MAX_CANDIDATES}",
            public_url(base.as_str()),
            candidates.len()
        );
        candidates.truncate(MAX_CANDIDATES);
    }
    if !advertised {
        noteln!(
            "{} is a web page that advertises no feed to use; trying well-known paths",
            public_url(base.as_str())
        );
        candidates = WELL_KNOWN
            .iter()
            .filter_map(|p| base.join(p).ok())
            .take(MAX_CANDIDATES)
            .collect();
    }
    (candidates, advertised)
}

/// Tries each candidate in turn until the budget is spent, describing every feed found (so the
/// admin sees the choice) and keeping the first. Failures of guessed well-known paths are
/// expected and not reported.
async fn try_candidates(
    fetcher: &Fetcher,
    reach: Reach,
    candidates: &[Url],
    advertised: bool,
    budget: &Budget,
) -> Option<Found> {
    let mut found: Option<Found> = None;
    for (tried, candidate) in candidates.iter().enumerate() {
        let Ok(probed) =
            tokio::time::timeout_at(budget.deadline, probe(fetcher, reach, candidate)).await
        else {
            noteln!(
                "stopped after {} s (add's budget: {BUDGET_TIMEOUTS} × fetch.timeout_secs), \
                 having tried {tried} of {} candidates (the last one did not answer in time)",
                budget.total.as_secs(),
                candidates.len()
            );
            break;
        };
        match probed {
            Probe::Feed(feed, final_url) => {
                describe(candidate.as_str(), &feed);
                if found.is_none() {
                    found = Some(Found {
                        url: candidate.to_string(),
                        final_url,
                        feed,
                    });
                }
            }
            Probe::Page(..) | Probe::Failed(_) if !advertised => {}
            Probe::Page(..) => noteln!("  {candidate}: a web page, not a feed"),
            Probe::Failed(message) => noteln!("  {candidate}: {message}"),
        }
    }
    found
}

fn describe(url: &str, feed: &ParsedFeed) {
    let last = feed
        .entries
        .iter()
        .filter_map(|e| e.published.or(e.updated))
        .max()
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "no dated posts".into());
    noteln!(
        "  {url}: \"{}\", {} entries, last post {last}",
        feed.title.as_deref().unwrap_or("(untitled)"),
        feed.entries.len()
    );
}

enum Probe {
    /// A feed, and its URL after redirects.
    Feed(ParsedFeed, Url),
    /// An HTML page: its text and URL (after redirects), for discovery.
    Page(String, Url),
    Failed(String),
}

async fn probe(fetcher: &Fetcher, reach: Reach, url: &Url) -> Probe {
    let req = FeedRequest::fresh(url);
    match fetcher.fetch_with_reach(reach, &req).await {
        FetchOutcome::Fetched(body) => {
            let body = *body;
            let base =
                fetch::logic::document_base(&body.final_url, body.content_location.as_deref());
            match parse::parse_feed(
                &body.body,
                &base,
                body.content_type.as_deref(),
                crate::clock::now(),
            ) {
                Ok(feed) => Probe::Feed(feed, body.final_url),
                Err(message) => {
                    let is_html = body
                        .content_type
                        .as_deref()
                        .is_some_and(|c| c.to_ascii_lowercase().contains("html"))
                        || message.contains("web page");
                    if is_html {
                        Probe::Page(
                            String::from_utf8_lossy(&body.body).into_owned(),
                            body.final_url,
                        )
                    } else {
                        Probe::Failed(message)
                    }
                }
            }
        }
        FetchOutcome::NotModified { .. } => {
            Probe::Failed("the server answered 304 to a plain GET".into())
        }
        FetchOutcome::Failed(f) => Probe::Failed(f.message),
    }
}

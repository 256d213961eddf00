//! The progress bar of `fetch` and `update`: feeds done out of feeds due, and, once most are
//! done, the ones still awaited and for how long (a slow host otherwise looks like a hang).
//!
//! In: the refresh's [`FeedProgress`] events. Out: the bar on stderr, only on a terminal and not
//! with `--quiet`; log lines go past it (`logging::show_bar`).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressState, ProgressStyle};

use crate::refresh::FeedProgress;

/// Feeds named at most in the bar's "waiting for" line.
const NAMED: usize = 3;

/// The bar and the feeds whose fetch has started and not ended, with when each started.
pub(super) struct Progress {
    bar: ProgressBar,
    awaited: Arc<Mutex<BTreeMap<String, Instant>>>,
}

impl Progress {
    /// A bar for `len` feeds on stderr when it is a terminal and `--quiet` is off; hidden
    /// otherwise (cron, CI, pipes).
    pub(super) fn start(len: u64) -> Progress {
        use std::io::IsTerminal;
        let awaited = Arc::new(Mutex::new(BTreeMap::new()));
        if !std::io::stderr().is_terminal() || crate::output::quiet() {
            return Progress {
                bar: ProgressBar::hidden(),
                awaited,
            };
        }
        let bar = ProgressBar::new(len);
        let waiting = {
            let awaited = Arc::clone(&awaited);
            move |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let now = Instant::now();
                let list: Vec<(String, Duration)> = lock(&awaited)
                    .iter()
                    .map(|(url, since)| (url.clone(), now.duration_since(*since)))
                    .collect();
                let _ = w.write_str(&waiting_for(state.pos(), state.len().unwrap_or(0), list));
            }
        };
        if let Ok(style) = ProgressStyle::with_template(
            "{spinner} fetching {pos}/{len} feeds {wide_bar} {elapsed}{waiting}",
        ) {
            bar.set_style(style.with_key("waiting", waiting));
        }
        // Redrawn every second, so the waiting times count up while nothing arrives.
        bar.enable_steady_tick(Duration::from_secs(1));
        crate::logging::show_bar(&bar);
        Progress { bar, awaited }
    }

    /// Takes one event of the refresh.
    pub(super) fn on_feed(&self, event: FeedProgress) {
        match event {
            FeedProgress::Due(n) => self.bar.set_length(n as u64),
            FeedProgress::Started(url) => {
                lock(&self.awaited).insert(url.to_string(), Instant::now());
            }
            FeedProgress::Done(url) => {
                lock(&self.awaited).remove(url);
                self.bar.inc(1);
            }
        }
    }

    /// Clears the bar; log lines go straight to stderr again.
    pub(super) fn finish(self) {
        self.bar.finish_and_clear();
        crate::logging::hide_bar();
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The bar's tail once most feeds (four in five) are done: the longest-awaited feeds, at most
/// [`NAMED`], and how many more. Empty before that, or when none is awaited.
fn waiting_for(done: u64, total: u64, mut awaited: Vec<(String, Duration)>) -> String {
    if awaited.is_empty() || done * 5 < total * 4 {
        return String::new();
    }
    // Longest first; the URL breaks ties, so the line does not flicker between equals.
    awaited.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let named: Vec<String> = awaited
        .iter()
        .take(NAMED)
        .map(|(url, d)| format!("{url} ({} s)", d.as_secs()))
        .collect();
    let mut text = format!(" waiting for {}", named.join(", "));
    if awaited.len() > NAMED {
        text.push_str(&format!(" and {} more", awaited.len() - NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(list: &[(&str, u64)]) -> Vec<(String, Duration)> {
        list.iter()
            .map(|(u, s)| (u.to_string(), Duration::from_secs(*s)))
            .collect()
    }

    #[test]
    fn names_the_awaited_feeds_once_most_are_done() {
        let one = secs(&[("https://slow.example/feed", 15)]);
        assert_eq!(waiting_for(7, 11, one.clone()), "", "not most yet");
        assert_eq!(
            waiting_for(10, 11, one),
            " waiting for https://slow.example/feed (15 s)"
        );
        assert_eq!(waiting_for(10, 10, Vec::new()), "");
    }

    #[test]
    fn longest_first_then_by_url_and_the_rest_counted() {
        let many = secs(&[("d", 1), ("c", 9), ("b", 9), ("a", 2), ("e", 0)]);
        assert_eq!(
            waiting_for(95, 100, many),
            " waiting for b (9 s), c (9 s), a (2 s) and 2 more"
        );
    }
}

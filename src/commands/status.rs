//! `status`: every feed's health for the admin, as a table or as JSON for scripts (the same
//! JSON as the site's `status.json`).

use chrono::{DateTime, Utc};

use crate::cli::StatusArgs;
use crate::config::Config;
use crate::error::Error;
use crate::model::{same_feed_address, FeedView, FetchRecord};
use crate::output::outln;
use crate::render::view::{ago, health_notes};
use crate::store::Store;

pub fn status(config: &Config, args: StatusArgs) -> Result<(), Error> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.member_feeds())?;
    let feeds = store.feed_views()?;
    let now = crate::clock::now();
    if args.json {
        let all = store.fetch_histories(crate::model::FETCHES_SHOWN)?;
        let histories: Vec<&[FetchRecord]> = feeds
            .iter()
            .map(|f| all.get(&f.member.config_url).map_or(&[][..], Vec::as_slice))
            .collect();
        let text = crate::render::status_json(&feeds, &histories, now)?;
        crate::output::bytes(text.as_bytes());
    } else {
        crate::output::bytes(table(&feeds, now).as_bytes());
    }
    for warning in same_feed_warnings(&feeds) {
        if args.json {
            tracing::warn!("{warning}");
        } else {
            outln!("\nwarning: {warning}");
        }
    }
    Ok(())
}

/// A warning for each pair of listed feeds that lead to the same feed: the same address
/// written two ways, or one whose permanent redirect goes to the other's (or to the same new
/// address). Each such member shows every post twice.
fn same_feed_warnings(feeds: &[FeedView]) -> Vec<String> {
    // One pass over every feed's addresses (a planet may list thousands of feeds).
    let mut first_with: std::collections::HashMap<String, usize> = Default::default();
    let mut pairs = std::collections::BTreeSet::new();
    for (i, f) in feeds.iter().enumerate() {
        let urls = [
            Some(f.member.config_url.as_str()),
            f.health.moved_to.as_deref(),
        ];
        for u in urls.into_iter().flatten() {
            let Ok(u) = url::Url::parse(u) else { continue };
            match first_with.entry(same_feed_address(&u)) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
                std::collections::hash_map::Entry::Occupied(o) if *o.get() != i => {
                    pairs.insert((*o.get(), i));
                }
                std::collections::hash_map::Entry::Occupied(_) => {}
            }
        }
    }
    let mut warnings = Vec::new();
    for (i, j) in pairs {
        let (f, g) = (&feeds[i].member, &feeds[j].member);
        warnings.push(format!(
            "\"{}\" <{}> and \"{}\" <{}> lead to the same feed, so its posts show \
             twice: run `mercury move {} {}` (one member, both histories) or remove \
             one of them from feeds.toml",
            f.name, f.feed_url, g.name, g.feed_url, f.feed_url, g.feed_url
        ));
    }
    warnings
}

/// The WebSub column: the subscription's state (and lease end), `-` without one.
fn push_cell(push: Option<&crate::model::PushState>) -> String {
    match push {
        None => "-".into(),
        Some(p) => match (p.state.as_str(), p.lease_end) {
            ("active", Some(end)) => format!("active until {}", end.format("%Y-%m-%d %H:%M")),
            (state, _) => state.to_string(),
        },
    }
}

/// The status table as text: one row per feed, then what needs the admin's attention in full.
pub fn table(feeds: &[FeedView], now: DateTime<Utc>) -> String {
    const HEAD: [&str; 8] = [
        "FEED",
        "LAST SUCCESS",
        "STATUS",
        "FAILS",
        "NEXT TRY",
        "ENTRIES",
        "LAST POST",
        "PUSH",
    ];
    let mut rows: Vec<[String; 8]> = vec![HEAD.map(String::from)];
    for f in feeds {
        let h = &f.health;
        rows.push([
            f.member.name.clone(),
            h.last_success
                .map(|t| ago(t, now))
                .unwrap_or_else(|| "never".into()),
            h.last_status
                .map(|s| s.to_string())
                .unwrap_or_else(|| "-".into()),
            h.consecutive_failures.to_string(),
            if h.gone {
                "never (gone)".into()
            } else {
                h.next_due
                    .filter(|d| *d > now)
                    .map(|d| format!("in {}", ago(now, d).trim_end_matches(" ago")))
                    .unwrap_or_else(|| "next run".into())
            },
            h.entries.to_string(),
            h.last_post
                .map(|t| ago(t, now))
                .unwrap_or_else(|| "-".into()),
            push_cell(h.push.as_ref()),
        ]);
    }
    let mut widths = [0usize; 8];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (w, cell) in widths.iter().zip(row) {
            line.push_str(&format!("{cell:<w$}  "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let attention: Vec<(&FeedView, Vec<String>)> = feeds
        .iter()
        .map(|f| (f, health_notes(f, now)))
        .filter(|(_, notes)| !notes.is_empty())
        .collect();
    if !attention.is_empty() {
        let failing = feeds.iter().filter(|f| f.health.is_failing()).count();
        out.push_str(&format!(
            "\n{} need attention ({failing} failing):\n",
            attention.len()
        ));
        for (f, notes) in attention {
            out.push_str(&format!("  {} <{}>\n", f.member.name, f.member.feed_url));
            for note in notes {
                out.push_str(&format!("    - {note}\n"));
            }
        }
    }
    out
}

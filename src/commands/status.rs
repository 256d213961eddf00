//! `status`: a table of every feed's health, for the admin.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::model::FeedView;
use crate::store::Store;
use crate::Error;

pub fn status(config: &Config) -> Result<(), Error> {
    let mut store = Store::open(&config.planet.database)?;
    store.sync_feeds(&config.feeds)?;
    let feeds = store.feed_views()?;
    print!("{}", table(&feeds, Utc::now()));
    Ok(())
}

/// The status table as text: one row per feed, then the errors in full.
pub fn table(feeds: &[FeedView], now: DateTime<Utc>) -> String {
    let mut rows = vec![[
        "FEED".to_string(),
        "LAST SUCCESS".to_string(),
        "STATUS".to_string(),
        "FAILS".to_string(),
        "ENTRIES".to_string(),
        "ERROR".to_string(),
    ]];
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
            h.entries.to_string(),
            h.last_error
                .as_deref()
                .map(|e| truncate(e, 60))
                .or_else(|| {
                    h.moved_to
                        .as_ref()
                        .map(|m| format!("moved to {m}: update feeds.toml"))
                })
                .unwrap_or_default(),
        ]);
    }
    let mut widths = [0usize; 6];
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = String::new();
        for (i, (w, cell)) in widths.iter().zip(row).enumerate() {
            if i == 5 {
                line.push_str(cell);
            } else {
                line.push_str(&format!("{cell:<w$}  "));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let failing: Vec<&FeedView> = feeds.iter().filter(|f| f.health.is_failing()).collect();
    if !failing.is_empty() {
        out.push_str(&format!("\n{} failing:\n", failing.len()));
        for f in failing {
            out.push_str(&format!(
                "  {} <{}>: {}\n",
                f.member.name,
                f.member.feed_url,
                f.health.last_error.as_deref().unwrap_or("failed")
            ));
        }
    }
    out
}

fn ago(t: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let secs = (now - t).num_seconds().max(0);
    match secs {
        0..=59 => format!("{secs}s ago"),
        60..=3599 => format!("{}m ago", secs / 60),
        3600..=86_399 => format!("{}h ago", secs / 3600),
        _ => format!("{}d ago", secs / 86_400),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

//! `status.html`: every member with its feed's health, for the admin (linked from no page, not
//! indexed). On a phone its table becomes one card per feed, each cell with its label.

use chrono::{DateTime, Utc};
use maud::{html, DOCTYPE};

use super::{head_start, health_class, local, opt_time, rfc3339, stale_banner};
use crate::model::Site;
use crate::render::view;

/// The table's columns: (heading, label on a phone).
const COLUMNS: [&str; 8] = [
    "Member",
    "Last success",
    "HTTP status",
    "Failures",
    "Next try",
    "Entries",
    "Last post",
    "Notes",
];

pub fn status_page(site: &Site, now: DateTime<Utc>) -> String {
    let failing = site.feeds.iter().filter(|f| f.health.is_failing()).count();
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                (head_start())
                meta name="robots" content="noindex";
                title { "Feed status · " (site.name) }
                link rel="stylesheet" href="style.css";
                link rel="icon" href="favicon.svg" type="image/svg+xml";
            }
            body {
                a.skip href="#content" { "Skip to the feeds" }
                header.site-header {
                    h1 { "Feed status" }
                    p.tagline {
                        (site.feeds.len()) " feeds, " (failing) " failing. "
                        "Generated " time datetime=(rfc3339(now)) { (local(now, site).format("%-d %B %Y, %H:%M %Z").to_string()) }
                        ". " a href="index.html" { "Back to " (site.name) }
                        " · " a href="members/index.html" { "Members" }
                        " · " a href="status.json" type="application/json" { "As JSON" }
                    }
                }
                (stale_banner(site))
                main #content .status {
                    @for notice in &site.notices {
                        p.notice role="alert" { (notice) }
                    }
                    table {
                        thead {
                            tr {
                                @for c in COLUMNS {
                                    th scope="col" { (c) }
                                }
                            }
                        }
                        tbody {
                            @for f in &site.feeds {
                                @let h = &f.health;
                                tr class=[health_class(f)] {
                                    th scope="row" {
                                        (f.member.name) " "
                                        a href=(f.member.feed_url) { "(feed)" }
                                    }
                                    td data-label=(COLUMNS[1]) { (opt_time(h.last_success, site)) }
                                    td data-label=(COLUMNS[2]) { (h.last_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())) }
                                    td data-label=(COLUMNS[3]) { (h.consecutive_failures) }
                                    td data-label=(COLUMNS[4]) {
                                        @if h.gone { "never (gone)" }
                                        @else { (opt_time(h.next_due.filter(|d| *d > now), site)) }
                                    }
                                    td data-label=(COLUMNS[5]) { (h.entries) }
                                    td data-label=(COLUMNS[6]) { (opt_time(h.last_post, site)) }
                                    td data-label=(COLUMNS[7]) {
                                        @let notes = view::health_notes(f, now);
                                        @if notes.is_empty() { "ok" }
                                        @else { ul { @for n in &notes { li { (n) } } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page.into_string()
}

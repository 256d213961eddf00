//! `status.html`: every member with its feed's health, for the admin (linked from no page, not
//! indexed), built through [`layout`]. On a phone its table becomes one card per feed, each
//! cell with its label.

use chrono::{DateTime, Utc};
use maud::html;

use super::{health_class, layout, local, opt_time, rfc3339, Parts};
use crate::model::Site;
use crate::render::strings::{fill, split};
use crate::render::{view, Theme};

pub fn status_page(site: &Site, theme: &Theme, now: DateTime<Utc>) -> String {
    let t = &theme.strings;
    // The table's columns: the heading, which is also each cell's label on a phone.
    let columns = [
        &t.member,
        &t.last_success,
        &t.http,
        &t.failures,
        &t.next_try,
        &t.entries,
        &t.last_post,
        &t.notes,
    ];
    let failing = site.feeds.iter().filter(|f| f.health.is_failing()).count();
    let (generated_before, generated_after) = split(&t.generated, "time");
    let heading = html! {
        h1 { (t.feed_status) }
        p.tagline {
            (fill(&t.feeds_failing, &[("n", &site.feeds.len().to_string()), ("failing", &failing.to_string())])) " "
            (generated_before)
            time datetime=(rfc3339(now)) { (local(now, site).format_localized(&t.date_time, theme.locale).to_string()) }
            (generated_after) " " a href="index.html" { (fill(&t.back_to, &[("site", &site.name)])) }
            " · " a href="members/index.html" { (t.members) }
            " · " a href="status.json" type="application/json" { (t.as_json) }
        }
    };
    // With the theme's own banner, the page's heading opens its content instead.
    let own_header = theme.fragments.header.is_some();
    let main = html! {
        @if own_header { (heading) }
        @for notice in &site.notices {
            p.notice role="alert" { (notice) }
        }
        table {
            thead {
                tr {
                    @for c in columns {
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
                            a href=(f.member.feed_url) { (t.feed) }
                        }
                        td data-label=(columns[1]) { (opt_time(h.last_success, site)) }
                        td data-label=(columns[2]) { (h.last_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())) }
                        td data-label=(columns[3]) { (h.consecutive_failures) }
                        td data-label=(columns[4]) {
                            @if h.gone { (t.never_gone) }
                            @else { (opt_time(h.next_due.filter(|d| *d > now), site)) }
                        }
                        td data-label=(columns[5]) { (h.entries) }
                        td data-label=(columns[6]) { (opt_time(h.last_post, site)) }
                        td data-label=(columns[7]) {
                            @let notes = view::health_notes(f, now);
                            @if notes.is_empty() { (t.ok) }
                            @else { ul { @for n in &notes { li { (n) } } } }
                        }
                    }
                }
            }
        }
    };
    layout(
        site,
        theme,
        Parts {
            root: "",
            title: format!("{} · {}", t.feed_status, site.name),
            head: html! { meta name="robots" content="noindex"; },
            skip: &t.skip_to_the_feeds,
            query: None,
            banner: html! { header.site-header { (heading) } },
            main: html! { div.status { (main) } },
            sidebar: None,
        },
    )
}

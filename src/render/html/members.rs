//! The landscape: `members/index.html` (every member by name: face, links, tags, last post,
//! activity strip, health) and `members/<slug>/index.html` (one member: their posts on the
//! planet, then "About this feed": its fetches, every stored post with its state, and what the
//! member could improve).

use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

use super::{
    entry, face, head_start, health_class, local, opt_time, planet_nav, rfc3339, site_footer, size,
    stale_banner,
};
use crate::model::{name_sort_key, FeedView, MemberPage, PostState, Site, RECENT_DAYS};
use crate::render::view::{self, QUIET_DAYS};

/// Posts of the member shown in full at the top of their page.
const NEWEST_SHOWN: usize = 5;

/// A health mark: failing, gone, moved, or quiet for [`RECENT_DAYS`] days; `None` when well.
fn health_mark(f: &FeedView, now: DateTime<Utc>) -> Option<&'static str> {
    let h = &f.health;
    if h.gone {
        Some("gone")
    } else if h.is_failing() {
        Some("failing")
    } else if h.moved_to.is_some() {
        Some("moved")
    } else if h
        .last_post
        .is_none_or(|t| (now - t).num_days() >= RECENT_DAYS.max(QUIET_DAYS))
    {
        Some("quiet")
    } else {
        None
    }
}

/// The head of a members page, `root` being the path to the site's root.
fn head(site: &Site, title: &str, root: &str) -> Markup {
    html! {
        head {
            (head_start())
            title { (title) }
            @if site.noindex {
                meta name="robots" content="noindex";
            }
            link rel="stylesheet" href={ (root) "style.css" };
            link rel="icon" href={ (root) "favicon.svg" } type="image/svg+xml";
        }
    }
}

/// The header of a members page.
fn header(site: &Site, heading: &str, root: &str) -> Markup {
    html! {
        header.site-header {
            p.tagline { a href={ (root) "index.html" } { (site.name) } }
            h1 { (heading) }
            (planet_nav(root, false))
        }
    }
}

/// `members/index.html`.
pub fn members_index(site: &Site, now: DateTime<Utc>) -> String {
    let root = "../";
    let mut order: Vec<usize> = (0..site.feeds.len()).collect();
    order.sort_by_cached_key(|&i| name_sort_key(&site.feeds[i].member.name));
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head(site, &format!("Members · {}", site.name), root))
            body {
                a.skip href="#content" { "Skip to the members" }
                (header(site, "Members", root))
                (stale_banner(site))
                main #content .landscape {
                    p { (site.feeds.len()) " members, by name. Each bar is one week of the last year." }
                    ul.landscape-list {
                        @for i in order {
                            @let f = &site.feeds[i];
                            @if let Some(m) = site.members.get(i) {
                                (member_card(site, f, m, root, now))
                            }
                        }
                    }
                }
                (site_footer(site))
            }
        }
    };
    page.into_string()
}

/// One member's line on the members page.
fn member_card(
    site: &Site,
    f: &FeedView,
    m: &MemberPage,
    root: &str,
    now: DateTime<Utc>,
) -> Markup {
    let year: u32 = m.weeks.iter().sum();
    html! {
        li class={ "member-card" @if let Some(c) = health_class(f) { " " (c) } } {
            (face(f.member.face.as_deref(), &f.member.name, root, 48))
            div {
                h2 { a href={ (m.slug) "/index.html" } { (f.member.name) } }
                p.links {
                    @if let Some(home) = &f.member.homepage {
                        a href=(home) { "Blog" } " · "
                    }
                    a href=(f.member.feed_url) { "Feed" }
                    @if let Some(mark) = health_mark(f, now) {
                        " · " span.health { (mark) }
                    }
                }
                @if !f.tags.is_empty() {
                    p.tags { "Tags: " (f.tags.join(", ")) }
                }
                p.last {
                    @if let Some((title, link, date)) = &m.last_post {
                        "Last post: "
                        @let t = title.as_deref().filter(|t| !t.is_empty()).unwrap_or("untitled");
                        @if let Some(link) = link { a href=(link) { (t) } } @else { (t) }
                        ", " time datetime=(rfc3339(*date)) { (local(*date, site).format("%-d %B %Y").to_string()) }
                        ". "
                    } @else {
                        "No post yet. "
                    }
                    (m.recent) " in the last " (RECENT_DAYS) " days."
                }
                (strip(&m.weeks, year))
            }
        }
    }
}

/// The activity strip: one bar per week, the height its post count (capped), as an image with
/// its text alternative.
fn strip(weeks: &[u32], year: u32) -> Markup {
    const BAR: usize = 4;
    const HEIGHT: u32 = 24;
    let top = weeks.iter().copied().max().unwrap_or(0).max(1);
    let width = weeks.len() * BAR;
    let label = format!(
        "{year} post{} in the last year",
        if year == 1 { "" } else { "s" }
    );
    html! {
        svg.activity role="img" aria-label=(label) viewBox={ "0 0 " (width) " " (HEIGHT) } width=(width) height=(HEIGHT) {
            title { (label) }
            rect.base x="0" y=(HEIGHT - 1) width=(width) height="1" {}
            @for (i, n) in weeks.iter().enumerate() {
                @if *n > 0 {
                    @let h = (n * (HEIGHT - 2)).div_ceil(top).max(2);
                    rect x=(i * BAR) y=(HEIGHT - h) width=(BAR - 1) height=(h) {}
                }
            }
        }
    }
}

/// `members/<slug>/index.html`.
pub fn member_page(site: &Site, i: usize, now: DateTime<Utc>) -> String {
    let root = "../../";
    let f = &site.feeds[i];
    let m = &site.members[i];
    let newest: Vec<_> = site
        .entries
        .iter()
        .filter(|e| e.member.config_url == f.member.config_url)
        .take(NEWEST_SHOWN)
        .collect();
    let notes = view::health_notes(f, now);
    let h = &f.health;
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (head(site, &format!("{} · {}", f.member.name, site.name), root))
            body {
                a.skip href="#content" { "Skip to the member's posts" }
                (header(site, &f.member.name, root))
                (stale_banner(site))
                main #content .member-page {
                    p.links {
                        (face(f.member.face.as_deref(), &f.member.name, root, 64))
                        @if let Some(home) = &f.member.homepage {
                            a href=(home) { "Blog" } " · "
                        }
                        a href=(f.member.feed_url) { "Feed" }
                        @if !f.tags.is_empty() {
                            span { "Tags: " (f.tags.join(", ")) }
                        }
                    }
                    section aria-labelledby="newest" {
                        h2 #newest { "Newest posts on the planet" }
                        @if newest.is_empty() {
                            p { "None of this member's posts is on the planet's pages now." }
                        }
                        @for e in &newest {
                            (entry(e, site, root))
                        }
                    }
                    section aria-labelledby="about" {
                        h2 #about { "About this feed" }
                        dl.facts {
                            dt { "Feed" } dd { a href=(f.member.feed_url) { (f.member.feed_url) } }
                            dt { "Last fetch" }
                            dd {
                                @if let Some(x) = m.history.first() {
                                    time datetime=(rfc3339(x.at)) { (opt_time(Some(x.at), site)) }
                                    ": HTTP " (x.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into()))
                                    ", " (x.duration_ms) " ms, " (size(x.bytes))
                                } @else {
                                    "not fetched yet"
                                }
                            }
                            dt { "Health" }
                            dd {
                                @if notes.is_empty() { "fetched without problems" }
                                @else { ul { @for n in &notes { li { (n) } } } }
                            }
                            dt { "Stored posts" } dd { (h.entries) }
                        }
                        h3 { "What the feed could do better" }
                        @if m.hints.is_empty() {
                            p { "Nothing: the planet reads this feed well." }
                        } @else {
                            ul.hints {
                                @for hint in &m.hints {
                                    li data-hint=(hint.kind) { (hint.seen) " " strong { "What to do: " } (hint.todo) }
                                }
                            }
                        }
                        h3 { "The last fetches" }
                        @if m.history.is_empty() {
                            p { "None yet." }
                        } @else {
                            ul.fetches {
                                @for x in &m.history {
                                    li {
                                        time datetime=(rfc3339(x.at)) { (opt_time(Some(x.at), site)) }
                                        " · " (x.outcome)
                                        @if let Some(s) = x.status { " · HTTP " (s) }
                                        " · " (x.duration_ms) " ms · " (size(x.bytes))
                                        @if x.new_entries > 0 { " · " (x.new_entries) " new" }
                                        @if let Some(e) = &x.error { " · " (e) }
                                    }
                                }
                            }
                        }
                        h3 { "Every post the planet stored, and whether it is shown" }
                        @if m.posts.is_empty() {
                            p { "None yet." }
                        } @else {
                            ol.stored {
                                @for (p, state) in &m.posts {
                                    li class=[(*state != PostState::Shown).then_some("hidden")] {
                                        @let t = p.title.as_deref().filter(|t| !t.is_empty()).unwrap_or("untitled");
                                        @if let Some(link) = &p.link { a href=(link) { (t) } } @else { (t) }
                                        " · " time datetime=(rfc3339(p.date)) { (opt_time(Some(p.date), site)) }
                                        " · " span.state { (state.describe()) }
                                    }
                                }
                            }
                        }
                    }
                }
                (site_footer(site))
            }
        }
    };
    page.into_string()
}

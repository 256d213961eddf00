//! The landscape: `members/index.html` (every member by name: face, links, tags, last post,
//! activity strip, health) and `members/<slug>/index.html` (one member: their posts on the
//! planet, then "About this feed": its fetches, every stored post with its state, and what the
//! member could improve). Both are built through [`layout`].

use chrono::{DateTime, Utc};
use maud::{html, Markup};

use super::{entry, face, health_class, layout, local, opt_time, planet_nav, rfc3339, size, Parts};
use crate::model::{name_sort_key, FeedView, MemberPage, Site, RECENT_DAYS};
use crate::render::strings::{fill, Strings};
use crate::render::view::{self, QUIET_DAYS};
use crate::render::Theme;

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

/// The `<head>` elements of a members page.
fn head(site: &Site) -> Markup {
    html! {
        @if site.noindex {
            meta name="robots" content="noindex";
        }
    }
}

/// The banner of a members page.
fn header(site: &Site, heading: &str, root: &str, t: &Strings) -> Markup {
    html! {
        header.site-header {
            p.tagline { a href={ (root) "index.html" } { (site.name) } }
            h1 { (heading) }
            (planet_nav(root, false, t))
        }
    }
}

/// `members/index.html`.
pub fn members_index(site: &Site, theme: &Theme, now: DateTime<Utc>) -> String {
    let t = &theme.strings;
    let root = "../";
    let mut order: Vec<usize> = (0..site.feeds.len()).collect();
    order.sort_by_cached_key(|&i| name_sort_key(&site.feeds[i].member.name));
    let main = html! {
        div.landscape {
            p { (fill(&t.members_by_name, &[("n", &site.feeds.len().to_string())])) }
            ul.landscape-list {
                @for i in order {
                    @let f = &site.feeds[i];
                    @if let Some(m) = site.members.get(i) {
                        (member_card(site, theme, f, m, root, now))
                    }
                }
            }
        }
    };
    layout(
        site,
        theme,
        Parts {
            root,
            title: format!("{} · {}", t.members, site.name),
            head: head(site),
            skip: &t.skip_to_the_members,
            query: None,
            banner: header(site, &t.members, root, t),
            main,
            sidebar: None,
        },
    )
}

/// One member's line on the members page.
fn member_card(
    site: &Site,
    theme: &Theme,
    f: &FeedView,
    m: &MemberPage,
    root: &str,
    now: DateTime<Utc>,
) -> Markup {
    let t = &theme.strings;
    let year: u32 = m.weeks.iter().sum();
    html! {
        li class={ "member-card" @if let Some(c) = health_class(f) { " " (c) } } {
            (face(f.member.face.as_deref(), &f.member.name, root, 48))
            div {
                h2 { a href={ (m.slug) "/index.html" } { (f.member.name) } }
                p.links {
                    @if let Some(home) = &f.member.homepage {
                        a href=(home) { (t.blog) } " · "
                    }
                    a href=(f.member.feed_url) { (t.feed_link) }
                    @if let Some(mark) = health_mark(f, now) {
                        " · " span.health { (mark) }
                    }
                }
                @if !f.tags.is_empty() {
                    p.tags { (fill(&t.tags_list, &[("tags", &f.tags.join(", "))])) }
                }
                p.last {
                    @if let Some((title, link, date)) = &m.last_post {
                        (t.last_post_colon) " "
                        @let title = title.as_deref().filter(|t| !t.is_empty()).unwrap_or(&t.untitled_post);
                        @if let Some(link) = link { a href=(link) { (title) } } @else { (title) }
                        ", " time datetime=(rfc3339(*date)) { (local(*date, site).format_localized(&t.long_date, theme.locale).to_string()) }
                        ". "
                    } @else {
                        (t.no_post_yet) " "
                    }
                    (fill(&t.in_the_last_days, &[("n", &m.recent.to_string()), ("days", &RECENT_DAYS.to_string())]))
                }
                (strip(&m.weeks, year, t))
            }
        }
    }
}

/// The activity strip: one bar per week, the height its post count (capped), as an image with
/// its text alternative.
fn strip(weeks: &[u32], year: u32, t: &Strings) -> Markup {
    const BAR: usize = 4;
    const HEIGHT: u32 = 24;
    let top = weeks.iter().copied().max().unwrap_or(0).max(1);
    let width = weeks.len() * BAR;
    let label = if year == 1 {
        t.one_post_in_the_last_year.clone()
    } else {
        fill(&t.posts_in_the_last_year, &[("n", &year.to_string())])
    };
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
pub fn member_page(site: &Site, theme: &Theme, i: usize, now: DateTime<Utc>) -> String {
    let t = &theme.strings;
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
    let main = html! {
                div.member-page {
                    p.links {
                        (face(f.member.face.as_deref(), &f.member.name, root, 64))
                        @if let Some(home) = &f.member.homepage {
                            a href=(home) { (t.blog) } " · "
                        }
                        a href=(f.member.feed_url) { (t.feed_link) }
                        @if !f.tags.is_empty() {
                            span { (fill(&t.tags_list, &[("tags", &f.tags.join(", "))])) }
                        }
                    }
                    section aria-labelledby="newest" {
                        h2 #newest { (t.newest_posts_on_the_planet) }
                        @if newest.is_empty() {
                            p { (t.none_on_the_pages_now) }
                        }
                        @for e in &newest {
                            (entry(e, site, t, root))
                        }
                    }
                    section aria-labelledby="about" {
                        h2 #about { (t.about_this_feed) }
                        dl.facts {
                            dt { (t.feed_link) } dd { a href=(f.member.feed_url) { (f.member.feed_url) } }
                            dt { (t.last_fetch) }
                            dd {
                                @if let Some(x) = m.history.first() {
                                    time datetime=(rfc3339(x.at)) { (opt_time(Some(x.at), site)) }
                                    ": HTTP " (x.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into()))
                                    ", " (x.duration_ms) " ms, " (size(x.bytes))
                                } @else {
                                    (t.not_fetched_yet)
                                }
                            }
                            dt { (t.health) }
                            dd {
                                @if notes.is_empty() { (t.fetched_without_problems) }
                                @else { ul { @for n in &notes { li { (n) } } } }
                            }
                            dt { (t.stored_posts) } dd { (h.entries) }
                            @if let Some(push) = &h.push {
                                dt { (t.real_time_updates) }
                                dd.push {
                                    (push.state) " · " (push.hub)
                                    @if let Some(end) = push.lease_end {
                                        " · " time datetime=(rfc3339(end)) { (opt_time(Some(end), site)) }
                                    }
                                    @if let Some(e) = &push.error { " · " (e) }
                                }
                            }
                        }
                        h3 { (t.what_the_feed_could_do_better) }
                        @if m.hints.is_empty() {
                            p { (t.nothing_to_improve) }
                        } @else {
                            ul.hints {
                                @for hint in &m.hints {
                                    li data-hint=(hint.kind) { (t.message(&hint.seen)) " " strong { (t.what_to_do) " " } (t.message(&hint.todo)) }
                                }
                            }
                        }
                        h3 { (t.the_last_fetches) }
                        @if m.history.is_empty() {
                            p { (t.none_yet) }
                        } @else {
                            ul.fetches {
                                @for x in &m.history {
                                    li {
                                        time datetime=(rfc3339(x.at)) { (opt_time(Some(x.at), site)) }
                                        " · " (x.outcome)
                                        @if let Some(s) = x.status { " · HTTP " (s) }
                                        " · " (x.duration_ms) " ms · " (size(x.bytes))
                                        @if x.new_entries > 0 { " · " (fill(&t.n_new, &[("n", &x.new_entries.to_string())])) }
                                        @if let Some(e) = &x.error { " · " (e) }
                                    }
                                }
                            }
                        }
                        h3 { (t.every_stored_post) }
                        @if m.posts.is_empty() {
                            p { (t.none_yet) }
                        } @else {
                            ol.stored {
                                @for (p, reasons) in &m.posts {
                                    li class=[(!reasons.is_empty()).then_some("hidden")] {
                                        @let title = p.title.as_deref().filter(|t| !t.is_empty()).unwrap_or(&t.untitled_post);
                                        @if let Some(link) = &p.link { a href=(link) { (title) } } @else { (title) }
                                        " · " time datetime=(rfc3339(p.date)) { (opt_time(Some(p.date), site)) }
                                        " · "
                                        @if reasons.is_empty() {
                                            span.state { (t.shown) }
                                        } @else {
                                            span.state { (reasons.iter().map(|r| t.message(r)).collect::<Vec<_>>().join("; ")) }
                                        }
                                    }
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
            root,
            title: format!("{} · {}", f.member.name, site.name),
            head: head(site),
            skip: &t.skip_to_the_members_posts,
            query: None,
            banner: header(site, &f.member.name, root, t),
            main,
            sidebar: None,
        },
    )
}

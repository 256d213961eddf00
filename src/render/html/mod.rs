//! The pages, with maud: the river of posts (`index.html`, its archive and topic pages) here,
//! the members pages in `members`, `status.html` in `status`. maud escapes every value;
//! `PreEscaped` is used only on content that was sanitised at ingest (sanitize.rs), and only in
//! this file.

mod members;
mod status;

pub use members::{member_page, members_index};
pub use status::status_page;

use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::view::{self, entry_anchor, group_by_day};
use crate::model::{name_sort_key, Enclosure, EntryView, FeedView, Site};
use crate::sanitize;

/// One page of the planet: the front page (number 1, `index.html`) or an archive page
/// (`page/N.html`).
pub struct Page<'a> {
    pub number: usize,
    pub count: usize,
    pub entries: &'a [EntryView],
    /// The path from this page to the site's root folder (`""`, `"../"` or `"../../"`).
    pub root: &'a str,
}

impl Page<'_> {
    /// The path from this page to its planet's folder (where its feeds are): a topic's front
    /// page sits beside its feeds.
    fn feeds(&self) -> &str {
        if self.number == 1 {
            ""
        } else {
            "../"
        }
    }

    /// The file name of page `n`, relative to this page.
    fn href(&self, n: usize) -> String {
        match (self.number, n) {
            (1, 1) => "index.html".into(),
            (1, n) => format!("page/{n}.html"),
            (_, 1) => "../index.html".into(),
            (_, n) => format!("{n}.html"),
        }
    }
}

/// Renders one page of the landscape: the head, the site's header, the posts by day beside the
/// sidebar of members, then the footer.
pub fn index(site: &Site, page: &Page) -> String {
    let days = group_by_day(page.entries, site.timezone);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            (index_head(site, page))
            body {
                a.skip href="#content" { "Skip to the posts" }
                (site_header(site, page))
                (stale_banner(site))
                div.layout {
                    main #content {
                        @if days.is_empty() {
                            p.empty { "No posts yet. They appear here after the next refresh." }
                        }
                        @for (day, entries) in &days {
                            (day_section(*day, entries, site, page.root))
                        }
                        @if page.count > 1 {
                            (pagination(page))
                        }
                    }
                    (sidebar(site, page.root))
                }
                (site_footer(site))
            }
        }
    };
    page.into_string()
}

/// The landscape's `<head>`: title, description, the stylesheet and the feeds it offers, and
/// the links to the neighbouring pages.
fn index_head(site: &Site, page: &Page) -> Markup {
    let root = page.root;
    let feeds = page.feeds();
    let title = if page.number == 1 {
        site.name.clone()
    } else {
        format!("{} · page {}", site.name, page.number)
    };
    html! {
        head {
            (head_start())
            title { (title) }
            @if let Some(d) = &site.description {
                meta name="description" content=(d);
            }
            @if site.noindex {
                meta name="robots" content="noindex";
            }
            meta name="generator" content=(concat!("Mercury ", env!("CARGO_PKG_VERSION")));
            link rel="stylesheet" href={ (root) "style.css" };
            link rel="icon" href={ (root) "favicon.svg" } type="image/svg+xml";
            link rel="alternate" type="application/atom+xml" title={ (site.name) " (Atom)" } href={ (feeds) "atom.xml" };
            link rel="alternate" type="application/rss+xml" title={ (site.name) " (RSS)" } href={ (feeds) "rss.xml" };
            link rel="alternate" type="application/feed+json" title={ (site.name) " (JSON Feed)" } href={ (feeds) "feed.json" };
            @if page.number > 1 {
                link rel="prev" href=(page.href(page.number - 1));
            }
            @if page.number < page.count {
                link rel="next" href=(page.href(page.number + 1));
            }
        }
    }
}

/// The site's header: its name, tagline, the way back from a topic, and the subscribe links.
fn site_header(site: &Site, page: &Page) -> Markup {
    let root = page.root;
    let feeds = page.feeds();
    html! {
        header.site-header {
            h1 { a href=(site.link.as_str()) { (site.name) } }
            @if let Some(d) = &site.description {
                p.tagline { (d) }
            }
            @if site.current_topic.is_some() {
                p.tagline { a href={ (root) "index.html" } { "All posts of the planet" } }
            }
            (planet_nav(root, true))
            nav aria-label="Subscribe" {
                ul.subscribe {
                    li { a href={ (feeds) "atom.xml" } type="application/atom+xml" { "Atom" } }
                    li { a href={ (feeds) "rss.xml" } type="application/rss+xml" { "RSS" } }
                    li { a href={ (feeds) "feed.json" } type="application/feed+json" { "JSON Feed" } }
                    li { a href={ (root) "opml.xml" } type="text/x-opml" { "OPML (all members)" } }
                }
            }
        }
    }
}

/// One day of posts: its heading (in the site's time zone), then its entries.
fn day_section(day: NaiveDate, entries: &[&EntryView], site: &Site, root: &str) -> Markup {
    let day_id = format!("d-{}", day.format("%Y-%m-%d"));
    html! {
        section.day aria-labelledby=(day_id) {
            h2 #(day_id) {
                time datetime=(day.format("%Y-%m-%d").to_string()) {
                    (day.format("%A, %-d %B %Y").to_string())
                }
            }
            @for e in entries {
                (entry(e, site, root))
            }
        }
    }
}

/// The links to the newer and older pages, under the posts.
fn pagination(page: &Page) -> Markup {
    html! {
        nav.pages aria-label="Pages" {
            @if page.number > 1 {
                a rel="prev" href=(page.href(page.number - 1)) { "← Newer posts" }
            }
            span { "Page " (page.number) " of " (page.count) }
            @if page.number < page.count {
                a rel="next" href=(page.href(page.number + 1)) { "Older posts →" }
            }
        }
    }
}

/// The site's footer: when it was last refreshed, in which time zone, and who runs it.
pub(super) fn site_footer(site: &Site) -> Markup {
    html! {
        footer.site-footer {
            p {
                @if let Some(t) = site.last_success {
                    "Last refreshed "
                    time datetime=(rfc3339(t)) { (local(t, site).format("%-d %B %Y, %H:%M %Z").to_string()) }
                    ". "
                }
                "Times are shown in " (site.timezone.name()) ". Made with Mercury."
            }
            @if let Some(owner) = &site.owner_name {
                p {
                    "Run by "
                    @if let Some(mail) = &site.owner_email {
                        a href={ "mailto:" (mail) } { (owner) }
                    } @else {
                        (owner)
                    }
                    "."
                }
            }
        }
    }
}

/// One post: its member, title and time, then its content or, folded, an excerpt, then its
/// enclosures. A post without a title (a microblog's, a podcast's) has no heading: its time
/// links to it instead.
pub(super) fn entry(e: &EntryView, site: &Site, root: &str) -> Markup {
    let member = &e.member;
    let body = e.content.as_deref().or(e.summary.as_deref());
    let title = e.title.as_deref().filter(|t| !t.trim().is_empty());
    let time = html! {
        time datetime=(rfc3339(e.date)) { (local(e.date, site).format("%H:%M").to_string()) }
    };
    html! {
        article.entry #(entry_anchor(&e.feed_url, &e.key)) {
            header {
                p.member {
                    (face(member.face.as_deref(), &member.name, root, 40))
                    @if let Some(home) = &member.homepage {
                        a href=(home) { (member.name) }
                    } @else {
                        (member.name)
                    }
                }
                @if let Some(title) = title {
                    h3.title {
                        @if let Some(link) = &e.link {
                            a href=(link) { (title) }
                        } @else {
                            (title)
                        }
                    }
                }
                p.meta {
                    @if let (Some(link), None) = (&e.link, title) {
                        a href=(link) { (time) span.visually-hidden { ": the post" } }
                    } @else {
                        (time)
                    }
                    @if let Some(author) = e.author.as_deref().filter(|a| *a != member.name) {
                        " · by " (author)
                    }
                }
                @if !e.also.is_empty() {
                    p.also {
                        "also on: "
                        @for (i, other) in e.also.iter().enumerate() {
                            @if i > 0 { ", " }
                            (other.name)
                        }
                    }
                }
            }
            @if let Some(body) = body {
                @let folded = view::excerpt(&sanitize::text_of_sanitised(body), site.excerpt_chars, member.excerpt_only);
                @if let Some(text) = folded {
                    div.content.excerpt {
                        p { (text) }
                        @if let Some(link) = &e.link {
                            p.more { a href=(link) { "Read more" span.visually-hidden { ": " (title.unwrap_or("the post")) } " →" } }
                        }
                    }
                } @else {
                    // Sanitised at ingest (sanitize::clean_html), decorated for the page here.
                    div.content { (PreEscaped(sanitize::decorate_for_page(body))) }
                }
            }
            @if !e.enclosures.is_empty() {
                (enclosures(&e.enclosures))
            }
        }
    }
}

/// A post's attachments: audio and video get a player that loads nothing until asked, and
/// every one a download link with its type and size.
fn enclosures(list: &[Enclosure]) -> Markup {
    html! {
        ul.enclosures {
            @for enc in list {
                @let kind = enc.mime_type.as_deref().unwrap_or("");
                li {
                    @if kind.starts_with("audio/") {
                        audio controls preload="none" src=(enc.url) {}
                    } @else if kind.starts_with("video/") {
                        video controls preload="none" src=(enc.url) {}
                    }
                    a href=(enc.url) download { "Download" }
                    @let about = enclosure_about(enc);
                    @if !about.is_empty() { " (" (about) ")" }
                }
            }
        }
    }
}

/// `audio/mpeg, 12.3 MB`: what an enclosure is, as far as its feed says.
fn enclosure_about(enc: &Enclosure) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = enc.mime_type.as_deref().filter(|k| !k.is_empty()) {
        parts.push(kind.to_string());
    }
    if let Some(len) = enc.length.filter(|l| *l > 0) {
        parts.push(size(len));
    }
    parts.join(", ")
}

/// A byte count as people read it: `812 bytes`, `4.2 kB`, `12.3 MB`.
pub(super) fn size(bytes: u64) -> String {
    match bytes {
        0..=999 => format!("{bytes} bytes"),
        1_000..=999_999 => format!("{:.1} kB", bytes as f64 / 1e3),
        1_000_000..=999_999_999 => format!("{:.1} MB", bytes as f64 / 1e6),
        _ => format!("{:.1} GB", bytes as f64 / 1e9),
    }
}

/// A member's picture: their face (a URL, or a theme file under `root`), else a monogram.
pub(super) fn face(face: Option<&str>, name: &str, root: &str, px: u32) -> Markup {
    html! {
        @if let Some(face) = face {
            @let src = if face.starts_with("http:") || face.starts_with("https:") {
                face.to_string()
            } else {
                format!("{root}{face}")
            };
            img.face src=(src) alt="" width=(px) height=(px) loading="lazy";
        } @else {
            span.face.monogram aria-hidden="true" style={ "--size:" (px) "px" } {
                (name.chars().find(|c| c.is_alphanumeric()).map(|c| c.to_uppercase().to_string()).unwrap_or_default())
            }
        }
    }
}

/// The links every page's header carries: to the members page and, on the river of posts, a
/// jump to the members list in the sidebar (below the posts on a phone).
pub(super) fn planet_nav(root: &str, jump: bool) -> Markup {
    html! {
        nav aria-label="Planet" {
            ul.planet-nav {
                li { a href={ (root) "members/index.html" } { "Members" } }
                @if jump {
                    li.jump { a href="#members-title" { "Jump to the members list" } }
                }
                li { a href={ (root) "index.html" } { "Posts" } }
            }
        }
    }
}

/// "This planet has not been updated since …", when its last good refresh is too old.
pub(super) fn stale_banner(site: &Site) -> Markup {
    html! {
        @if let Some(t) = site.stale_since {
            p.stale role="status" {
                "This planet has not been updated since "
                time datetime=(rfc3339(t)) { (local(t, site).format("%-d %B %Y, %H:%M %Z").to_string()) }
                ". Its posts may be out of date."
            }
        }
    }
}

/// The sidebar: the planet's topics, then its members by name with their last post's date and
/// their feeds' health.
fn sidebar(site: &Site, root: &str) -> Markup {
    let mut feeds: Vec<&FeedView> = site.feeds.iter().collect();
    feeds.sort_by_cached_key(|f| name_sort_key(&f.member.name));
    html! {
        aside.members aria-label="Topics and members" {
            @if !site.topics.is_empty() {
                h2 #topics-title { "Topics" }
                ul.topics aria-labelledby="topics-title" {
                    @for t in &site.topics {
                        @let current = site.current_topic.as_deref() == Some(t.slug.as_str());
                        li {
                            a href={ (root) "tags/" (t.slug) "/index.html" } aria-current=[current.then_some("page")] { (t.tag) }
                        }
                    }
                }
            }
            h2 #members-title { "Members" }
            ul aria-labelledby="members-title" {
                @for f in feeds {
                    @let failing = f.health.is_failing();
                    li class=[health_class(f)] {
                        a href={ (root) "members/" (f.slug) "/index.html" } { (f.member.name) }
                        " "
                        a.feed href=(f.member.feed_url) title={ "Feed of " (f.member.name) } { "(feed)" }
                        @if let Some(t) = f.health.last_post {
                            " "
                            span.last {
                                "last post "
                                time datetime=(rfc3339(t)) { (local(t, site).format("%-d %b %Y").to_string()) }
                            }
                        }
                        @if f.health.gone {
                            " "
                            span.health title="The feed answered 410 Gone" { "✖ gone" }
                        } @else if failing {
                            " "
                            span.health title=(f.health.last_error.as_deref().unwrap_or("failing")) {
                                "⚠ not updating"
                            }
                        }
                    }
                }
            }
            p { a href={ (root) "members/index.html" } { "All members, their activity and their feeds" } }
        }
    }
}

/// What every page's `<head>` starts with.
pub(super) fn head_start() -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
    }
}

pub(super) fn health_class(f: &FeedView) -> Option<&'static str> {
    if f.health.gone {
        Some("gone")
    } else if f.health.is_failing() {
        Some("failing")
    } else {
        None
    }
}

pub(super) fn opt_time(t: Option<DateTime<Utc>>, site: &Site) -> String {
    t.map(|t| local(t, site).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

pub(super) fn local(t: DateTime<Utc>, site: &Site) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&site.timezone)
}

pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

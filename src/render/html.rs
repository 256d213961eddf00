//! The landscape page, `index.html`, with maud. maud escapes every value; `PreEscaped` is used only
//! on content that was sanitised at ingest (sanitize.rs), and only in this file.

use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::view::{self, entry_anchor, group_by_day};
use crate::model::{EntryView, FeedView, Site};
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
                div.layout {
                    main #content {
                        @if days.is_empty() {
                            p.empty { "No posts yet. They appear here after the next refresh." }
                        }
                        @for (day, entries) in &days {
                            (day_section(*day, entries, site))
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
fn day_section(day: NaiveDate, entries: &[&EntryView], site: &Site) -> Markup {
    let day_id = format!("d-{}", day.format("%Y-%m-%d"));
    html! {
        section.day aria-labelledby=(day_id) {
            h2 #(day_id) {
                time datetime=(day.format("%Y-%m-%d").to_string()) {
                    (day.format("%A, %-d %B %Y").to_string())
                }
            }
            @for e in entries {
                (entry(e, site))
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
fn site_footer(site: &Site) -> Markup {
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

/// One post: its member, title and time, then its content or, folded, an excerpt.
fn entry(e: &EntryView, site: &Site) -> Markup {
    let member = &e.member;
    let body = e.content.as_deref().or(e.summary.as_deref());
    html! {
        article.entry #(entry_anchor(&e.feed_url, &e.key)) {
            header {
                p.member {
                    @if let Some(face) = &member.face {
                        img.face src=(face) alt="" width="40" height="40" loading="lazy";
                    }
                    @if let Some(home) = &member.homepage {
                        a href=(home) { (member.name) }
                    } @else {
                        (member.name)
                    }
                }
                h3.title {
                    @let title = e.title.as_deref().filter(|t| !t.is_empty()).unwrap_or("(untitled)");
                    @if let Some(link) = &e.link {
                        a href=(link) { (title) }
                    } @else {
                        (title)
                    }
                }
                p.meta {
                    time datetime=(rfc3339(e.date)) { (local(e.date, site).format("%H:%M").to_string()) }
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
                            p.more { a href=(link) { "Read more" span.visually-hidden { ": " (e.title.as_deref().unwrap_or("the post")) } " →" } }
                        }
                    }
                } @else {
                    // Sanitised at ingest (sanitize::clean_html), decorated for the page here.
                    div.content { (PreEscaped(sanitize::decorate_for_page(body))) }
                }
            }
        }
    }
}

/// The sidebar: the planet's topics, then its members with their feeds' health.
fn sidebar(site: &Site, root: &str) -> Markup {
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
                @for f in &site.feeds {
                    @let failing = f.health.is_failing();
                    li class=[health_class(f)] {
                        @if let Some(home) = &f.member.homepage {
                            a href=(home) { (f.member.name) }
                        } @else {
                            (f.member.name)
                        }
                        " "
                        a.feed href=(f.member.feed_url) title={ "Feed of " (f.member.name) } { "(feed)" }
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
        }
    }
}

/// `status.html`: every member with its feed's health, for the admin (not linked from the
/// page, not indexed).
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
                    }
                }
                main #content .status {
                    @for notice in &site.notices {
                        p.notice role="alert" { (notice) }
                    }
                    table {
                        thead {
                            tr {
                                th scope="col" { "Member" }
                                th scope="col" { "Last success" }
                                th scope="col" { "HTTP" }
                                th scope="col" { "Failures" }
                                th scope="col" { "Next try" }
                                th scope="col" { "Entries" }
                                th scope="col" { "Last post" }
                                th scope="col" { "Notes" }
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
                                    td { (opt_time(h.last_success, site)) }
                                    td { (h.last_status.map(|s| s.to_string()).unwrap_or_else(|| "-".into())) }
                                    td { (h.consecutive_failures) }
                                    td {
                                        @if h.gone { "never (gone)" }
                                        @else { (opt_time(h.next_due.filter(|d| *d > now), site)) }
                                    }
                                    td { (h.entries) }
                                    td { (opt_time(h.last_post, site)) }
                                    td {
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

/// What every page's `<head>` starts with.
fn head_start() -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
    }
}

fn health_class(f: &FeedView) -> Option<&'static str> {
    if f.health.gone {
        Some("gone")
    } else if f.health.is_failing() {
        Some("failing")
    } else {
        None
    }
}

fn opt_time(t: Option<DateTime<Utc>>, site: &Site) -> String {
    t.map(|t| local(t, site).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "-".into())
}

fn local(t: DateTime<Utc>, site: &Site) -> DateTime<chrono_tz::Tz> {
    t.with_timezone(&site.timezone)
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

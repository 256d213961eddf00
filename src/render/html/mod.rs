//! The pages, with maud: the river of posts (`index.html`, its archive and topic pages) and
//! [`layout`], the one page every page goes through, here; the members pages in `members`,
//! `status.html` in `status`, `serve`'s search results in `search`. maud escapes every value; `PreEscaped` is used only on content
//! that was sanitised at ingest (sanitize.rs) and on the admin's own theme fragments
//! (`head.html`, `header.html`, `sidebar.html`, `footer.html`), and only in this file.

mod members;
mod search;
mod status;

pub use members::{member_page, members_index};
pub use search::{search_page, SearchView};
pub use status::status_page;

use chrono::{DateTime, NaiveDate, Utc};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::digest::digest_name;
use super::strings::{fill, split, Strings};
use super::view::{self, entry_anchor, group_by_day};
use super::Theme;
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

/// What one page puts into the shared [`layout`]: every page of the site (the front page and
/// archives, tags, status, and any page added later) is built by that one function, so the
/// planet's language and the admin's fragments reach all of them alike.
pub struct Parts<'a> {
    /// The path from this page to the site's root folder (`""`, `"../"` or `"../../"`).
    pub root: &'a str,
    /// The `<title>`.
    pub title: String,
    /// The page's own `<head>` elements, after the shared ones.
    pub head: Markup,
    /// The skip link's text (it jumps to `main`).
    pub skip: &'a str,
    /// What the search box holds (the results page's query); the box is there when the
    /// planet offers search (`site.search`).
    pub query: Option<&'a str>,
    /// The default banner; the theme's `header.html` replaces it.
    pub banner: Markup,
    /// The page's content.
    pub main: Markup,
    /// The sidebar's own blocks (the theme's `sidebar.html` follows them); `None`: none.
    pub sidebar: Option<Markup>,
}

/// The page around `parts`: the head (with the theme's `head.html`), the banner (or the theme's
/// `header.html`), the content beside the sidebar (with the theme's `sidebar.html`), and the
/// footer (with the theme's `footer.html`). The fragments are the admin's own HTML, written
/// into every page as they are (trusted, like the style sheet; the page's CSP still allows no
/// script).
pub fn layout(site: &Site, theme: &Theme, parts: Parts) -> String {
    let t = &theme.strings;
    let fragment = |f: &Option<String>| f.as_deref().map(|h| h.replace("{{root}}", parts.root));
    let (head, header, sidebar, footer) = (
        fragment(&theme.fragments.head),
        fragment(&theme.fragments.header),
        fragment(&theme.fragments.sidebar),
        fragment(&theme.fragments.footer),
    );
    let root = parts.root;
    let page = html! {
        (DOCTYPE)
        html lang=(site.lang) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (parts.title) }
                @if let Some(d) = &site.description {
                    meta name="description" content=(d);
                }
                meta name="generator" content=(concat!("Mercury ", env!("CARGO_PKG_VERSION")));
                link rel="stylesheet" href={ (root) "style.css" };
                link rel="icon" href={ (root) "favicon.svg" } type="image/svg+xml";
                (parts.head)
                // The admin's own head elements (theme/head.html), trusted.
                @if let Some(h) = head { (PreEscaped(h)) }
            }
            body {
                a.skip href="#content" { (parts.skip) }
                // The admin's own banner (theme/header.html), trusted.
                @if let Some(h) = header { (PreEscaped(h)) } @else { (parts.banner) }
                @if site.search { (search_box(root, parts.query, t)) }
                (stale_banner(site, theme))
                @let aside = parts.sidebar.is_some() || sidebar.is_some();
                div.layout.solo[!aside] {
                    main #content { (parts.main) }
                    @if aside {
                        aside.members aria-label=(t.topics_and_members) {
                            @if let Some(own) = parts.sidebar { (own) }
                            // The admin's own sidebar block (theme/sidebar.html), trusted.
                            @if let Some(h) = sidebar { (PreEscaped(h)) }
                        }
                    }
                }
                footer.site-footer {
                    // The admin's own footer (theme/footer.html), trusted.
                    @if let Some(h) = footer { (PreEscaped(h)) }
                    (site_footer(site, theme))
                }
            }
        }
    };
    page.into_string()
}

/// Renders one page of the landscape: the site's header, the posts by day beside the sidebar
/// of members, then the footer.
pub fn index(site: &Site, theme: &Theme, page: &Page) -> String {
    let t = &theme.strings;
    let days = group_by_day(page.entries, site.timezone);
    let title = if page.number == 1 {
        site.name.clone()
    } else {
        fill(
            &t.site_page_n,
            &[("site", &site.name), ("n", &page.number.to_string())],
        )
    };
    let main = html! {
        @if days.is_empty() {
            p.empty { (t.no_posts_yet) }
        }
        @for (day, entries) in &days {
            (day_section(*day, entries, site, theme, page.root))
        }
        @if page.count > 1 {
            (pagination(page, t))
        }
    };
    layout(
        site,
        theme,
        Parts {
            root: page.root,
            title,
            head: index_head(site, page, t),
            skip: &t.skip_to_the_posts,
            query: None,
            banner: site_header(site, page, t),
            main,
            sidebar: Some(sidebar(site, page.root, theme)),
        },
    )
}

/// The landscape's own `<head>` elements: the robots rule, the feeds it offers, and the links
/// to the neighbouring pages.
fn index_head(site: &Site, page: &Page, t: &Strings) -> Markup {
    let feeds = page.feeds();
    html! {
        @if site.noindex {
            meta name="robots" content="noindex";
        }
        link rel="alternate" type="application/atom+xml" title={ (site.name) " (Atom)" } href={ (feeds) "atom.xml" };
        link rel="alternate" type="application/rss+xml" title={ (site.name) " (RSS)" } href={ (feeds) "rss.xml" };
        link rel="alternate" type="application/feed+json" title={ (site.name) " (JSON Feed)" } href={ (feeds) "feed.json" };
        @if let Some(d) = &site.digest {
            link rel="alternate" type="application/atom+xml" title=(digest_name(d.cadence, t)) href={ (page.root) "digest.xml" };
        }
        @if page.number > 1 {
            link rel="prev" href=(page.href(page.number - 1));
        }
        @if page.number < page.count {
            link rel="next" href=(page.href(page.number + 1));
        }
    }
}

/// The site's header: its name, tagline, the way back from a topic, and the subscribe links.
fn site_header(site: &Site, page: &Page, t: &Strings) -> Markup {
    let root = page.root;
    let feeds = page.feeds();
    html! {
        header.site-header {
            h1 { a href=(site.link.as_str()) { (site.name) } }
            @if let Some(d) = &site.description {
                p.tagline { (d) }
            }
            @if site.current_topic.is_some() {
                p.tagline { a href={ (root) "index.html" } { (t.all_posts_of_the_planet) } }
            }
            (planet_nav(root, true, t))
            nav aria-label=(t.subscribe) {
                ul.subscribe {
                    li { a href={ (feeds) "atom.xml" } type="application/atom+xml" { "Atom" } }
                    li { a href={ (feeds) "rss.xml" } type="application/rss+xml" { "RSS" } }
                    li { a href={ (feeds) "feed.json" } type="application/feed+json" { "JSON Feed" } }
                    li { a href={ (root) "opml.xml" } type="text/x-opml" { (t.opml_all_members) } }
                    @if let Some(d) = &site.digest {
                        li { a href={ (root) "digest/index.html" } { (digest_name(d.cadence, t)) } }
                    }
                }
            }
        }
    }
}

/// One day of posts: its heading (in the site's time zone), then its entries.
fn day_section(
    day: NaiveDate,
    entries: &[&EntryView],
    site: &Site,
    theme: &Theme,
    root: &str,
) -> Markup {
    let day_id = format!("d-{}", day.format("%Y-%m-%d"));
    html! {
        section.day aria-labelledby=(day_id) {
            h2 #(day_id) {
                time datetime=(day.format("%Y-%m-%d").to_string()) {
                    (day.format_localized(&theme.strings.day_heading, theme.locale).to_string())
                }
            }
            @for e in entries {
                (entry(e, site, &theme.strings, root))
            }
        }
    }
}

/// The links to the newer and older pages, under the posts.
fn pagination(page: &Page, t: &Strings) -> Markup {
    html! {
        nav.pages aria-label=(t.pages) {
            @if page.number > 1 {
                a rel="prev" href=(page.href(page.number - 1)) { (t.newer_posts) }
            }
            span { (fill(&t.page_n_of_count, &[("n", &page.number.to_string()), ("count", &page.count.to_string())])) }
            @if page.number < page.count {
                a rel="next" href=(page.href(page.number + 1)) { (t.older_posts) }
            }
        }
    }
}

/// The footer's default lines: when the site was last refreshed, in which time zone, and who
/// runs it.
pub(super) fn site_footer(site: &Site, theme: &Theme) -> Markup {
    let t = &theme.strings;
    let (refreshed_before, refreshed_after) = split(&t.last_refreshed, "time");
    let (run_by_before, run_by_after) = split(&t.run_by, "owner");
    html! {
        p {
            @if let Some(time) = site.last_success {
                (refreshed_before)
                time datetime=(rfc3339(time)) { (local(time, site).format_localized(&t.date_time, theme.locale).to_string()) }
                (refreshed_after) " "
            }
            (fill(&t.times_are_shown_in, &[("zone", site.timezone.name())])) " " (t.made_with_mercury)
        }
        @if let Some(owner) = &site.owner_name {
            p {
                (run_by_before)
                @if let Some(mail) = &site.owner_email {
                    a href={ "mailto:" (mail) } { (owner) }
                } @else {
                    (owner)
                }
                (run_by_after)
            }
        }
    }
}

/// One post: its member, title and time, then its content or, folded, an excerpt, then its
/// enclosures. A post without a title (a microblog's, a podcast's) has no heading: its time
/// links to it instead.
pub(super) fn entry(e: &EntryView, site: &Site, t: &Strings, root: &str) -> Markup {
    let member = &e.member;
    let body = e.content.as_deref().or(e.summary.as_deref());
    let title = e.title.as_deref().filter(|t| !t.trim().is_empty());
    let time = html! {
        time datetime=(rfc3339(e.date)) { (local(e.date, site).format("%H:%M").to_string()) }
    };
    html! {
        @let lang = e.lang.as_deref().filter(|l| !l.eq_ignore_ascii_case(&site.lang));
        article.entry #(entry_anchor(&e.feed_url, &e.key)) lang=[lang] {
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
                        a href=(link) { (time) span.visually-hidden { ": " (t.the_post) } }
                    } @else {
                        (time)
                    }
                    @if let Some(author) = e.author.as_deref().filter(|a| *a != member.name) {
                        (fill(&t.by_author, &[("author", author)]))
                    }
                }
                @if !e.also.is_empty() {
                    p.also {
                        (t.also_on) " "
                        @for (i, other) in e.also.iter().enumerate() {
                            @if i > 0 { ", " }
                            (other.name)
                        }
                    }
                }
            }
            @if let Some(body) = body {
                @let folded = view::excerpt(&sanitize::text_prefix_of_sanitised(body, site.excerpt_chars.max(view::SHORT_EXCERPT_CHARS)), site.excerpt_chars, member.excerpt_only);
                @if let Some(text) = folded {
                    div.content.excerpt {
                        p { (text) }
                        @if let Some(link) = &e.link {
                            p.more { a href=(link) { (t.read_more) span.visually-hidden { ": " (title.unwrap_or(&t.the_post)) } " →" } }
                        }
                    }
                } @else {
                    // Sanitised at ingest (sanitize::clean_html), decorated for the page here.
                    div.content { (PreEscaped(sanitize::decorate_for_page(body))) }
                }
            }
            @if !e.enclosures.is_empty() {
                (enclosures(&e.enclosures, t))
            }
        }
    }
}

/// A post's attachments: audio and video get a player that loads nothing until asked, and
/// every one a download link with its type and size.
fn enclosures(list: &[Enclosure], t: &Strings) -> Markup {
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
                    a href=(enc.url) download { (t.download) }
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
pub(super) fn planet_nav(root: &str, jump: bool, t: &Strings) -> Markup {
    html! {
        nav aria-label=(t.planet) {
            ul.planet-nav {
                li { a href={ (root) "members/index.html" } { (t.members) } }
                @if jump {
                    li.jump { a href="#members-title" { (t.jump_to_the_members_list) } }
                }
                li { a href={ (root) "index.html" } { (t.posts) } }
            }
        }
    }
}

/// The search box (`[server] search`): a plain GET form to `search` at the site's root, which
/// `serve` answers; no script.
fn search_box(root: &str, query: Option<&str>, t: &Strings) -> Markup {
    html! {
        form.search role="search" action={ (root) "search" } method="get" {
            label for="search-q" { (t.search_the_planet) }
            " "
            input #search-q type="search" name="q" value=[query] maxlength=(crate::search::MAX_QUERY_CHARS);
            " "
            button type="submit" { (t.search) }
        }
    }
}

/// "This planet has not been updated since …", when its last good refresh is too old.
fn stale_banner(site: &Site, theme: &Theme) -> Markup {
    let (before, after) = split(&theme.strings.not_updated_since, "time");
    html! {
        @if let Some(t) = site.stale_since {
            p.stale role="status" {
                (before)
                time datetime=(rfc3339(t)) { (local(t, site).format_localized(&theme.strings.date_time, theme.locale).to_string()) }
                (after)
            }
        }
    }
}

/// The sidebar: the planet's topics, then its members by name (each linking to their page)
/// with their last post's date and their feeds' health.
fn sidebar(site: &Site, root: &str, theme: &Theme) -> Markup {
    let t = &theme.strings;
    let mut feeds: Vec<&FeedView> = site.feeds.iter().collect();
    feeds.sort_by_cached_key(|f| name_sort_key(&f.member.name));
    html! {
        @if !site.topics.is_empty() {
            h2 #topics-title { (t.topics) }
            ul.topics aria-labelledby="topics-title" {
                @for topic in &site.topics {
                    @let current = site.current_topic.as_deref() == Some(topic.slug.as_str());
                    li {
                        a href={ (root) "tags/" (topic.slug) "/index.html" } aria-current=[current.then_some("page")] { (topic.tag) }
                    }
                }
            }
        }
        h2 #members-title { (t.members) }
        ul aria-labelledby="members-title" {
            @for f in feeds {
                @let failing = f.health.is_failing();
                li class=[health_class(f)] {
                    a href={ (root) "members/" (f.slug) "/index.html" } { (f.member.name) }
                    " "
                    a.feed href=(f.member.feed_url) title=(fill(&t.feed_of, &[("name", &f.member.name)])) { (t.feed) }
                    @if let Some(last) = f.health.last_post {
                        @let (before, after) = split(&t.last_post_on, "date");
                        " "
                        span.last {
                            (before)
                            time datetime=(rfc3339(last)) { (local(last, site).format_localized(&t.short_date, theme.locale).to_string()) }
                            (after)
                        }
                    }
                    @if f.health.gone {
                        " "
                        span.health title=(t.the_feed_answered_410_gone) { (t.gone) }
                    } @else if failing {
                        " "
                        span.health title=(f.health.last_error.as_deref().unwrap_or(&t.failing)) {
                            (t.not_updating)
                        }
                    }
                }
            }
        }
        p { a href={ (root) "members/index.html" } { (t.all_members_their_activity) } }
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

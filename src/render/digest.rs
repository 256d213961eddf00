//! The digest's pages (maud): `digest/<period>.html`, one period's posts grouped by member,
//! and `digest/index.html`, every digest newest first; the HTML content of a period's entry in
//! `digest.xml`; and the digest's words, in one place. No `PreEscaped` here: a digest shows
//! titles, links and plain-text excerpts, all escaped by maud.
//!
//! In: the [`Site`] and its [`Digest`]. Out: HTML strings, and the hash of a period's entry
//! (`digest::build` records it so that an unchanged entry keeps its `updated`).

use maud::{html, Markup};

use super::html::{layout, rfc3339, Parts};
use super::strings::Strings;
use super::view;
use super::Theme;
use crate::model::{Cadence, Digest, DigestPeriod, EntryView, Site};
use crate::sanitize;

/// "Weekly digest": the digest's name, in the header link, `<link rel="alternate">` and titles.
pub fn digest_name(cadence: Cadence, t: &Strings) -> &str {
    match cadence {
        Cadence::Daily => &t.daily_digest,
        Cadence::Weekly => &t.weekly_digest,
        Cadence::Monthly => &t.monthly_digest,
    }
}

/// A period as readers name it: "Week 48, 2026: 23 – 29 November", "Monday, 23 November 2026",
/// "November 2026".
pub fn period_title(cadence: Cadence, p: &DigestPeriod) -> String {
    let (first, last) = (p.first_day, p.last_day);
    match cadence {
        Cadence::Daily => first.format("%A, %-d %B %Y").to_string(),
        Cadence::Monthly => first.format("%B %Y").to_string(),
        Cadence::Weekly => {
            use chrono::Datelike;
            let week = first.iso_week();
            let span = if first.month() == last.month() {
                format!("{} – {}", first.format("%-d"), last.format("%-d %B %Y"))
            } else if first.year() == last.year() {
                format!("{} – {}", first.format("%-d %B"), last.format("%-d %B %Y"))
            } else {
                format!(
                    "{} – {}",
                    first.format("%-d %B %Y"),
                    last.format("%-d %B %Y")
                )
            };
            format!("Week {}, {}: {span}", week.week(), week.year())
        }
    }
}

/// "12 posts by 5 members", and "so far" while the period runs.
fn counts(p: &DigestPeriod) -> String {
    let posts = p.posts();
    let members = p.members.len();
    format!(
        "{posts} {} by {members} {}{}",
        if posts == 1 { "post" } else { "posts" },
        if members == 1 { "member" } else { "members" },
        if p.complete { "" } else { " so far" }
    )
}

/// The title and HTML content of a period's entry in `digest.xml`: the counts, then each
/// member's posts. Made only from the stored posts and the planet's time zone, never from the
/// page around it, so it changes only when the posts do.
pub fn entry_text(cadence: Cadence, p: &DigestPeriod, site_tz: chrono_tz::Tz) -> (String, String) {
    let content = html! {
        p { (counts(p)) "." }
        (members(p, site_tz))
    };
    (period_title(cadence, p), content.into_string())
}

/// Each member with their posts: name (linked to their home page), then title, date and a
/// short excerpt of each post.
fn members(p: &DigestPeriod, tz: chrono_tz::Tz) -> Markup {
    html! {
        @for m in &p.members {
            section.digest-member {
                h2 {
                    @if let Some(home) = &m.member.homepage {
                        a href=(home) { (m.member.name) }
                    } @else {
                        (m.member.name)
                    }
                }
                ul {
                    @for e in &m.entries {
                        (post(e, tz))
                    }
                }
            }
        }
    }
}

/// One post: title (linked), date, and a short excerpt of its text (the page's excerpt rule,
/// at the length used for members who want excerpts only).
fn post(e: &EntryView, tz: chrono_tz::Tz) -> Markup {
    let title = e
        .title
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or("(untitled)");
    let text = e
        .content
        .as_deref()
        .or(e.summary.as_deref())
        .map(sanitize::text_of_sanitised)
        .unwrap_or_default();
    let excerpt = view::excerpt(&text, view::SHORT_EXCERPT_CHARS, true).filter(|x| !x.is_empty());
    html! {
        li {
            @if let Some(link) = &e.link {
                a href=(link) { (title) }
            } @else {
                (title)
            }
            " · "
            time datetime=(rfc3339(e.date)) {
                (e.date.with_timezone(&tz).format("%-d %B %Y, %H:%M").to_string())
            }
            @if let Some(x) = excerpt {
                br;
                (x)
            }
        }
    }
}

/// `digest/<period>.html`: the period's header (its name, counts, the neighbouring digests),
/// then its posts by member, in the shared page layout.
pub fn page(site: &Site, theme: &Theme, digest: &Digest, i: usize) -> String {
    let p = &digest.periods[i];
    let name = digest_name(digest.cadence, &theme.strings);
    let title = period_title(digest.cadence, p);
    // Newest first: the newer digest is before this one.
    let newer = i.checked_sub(1).map(|j| &digest.periods[j]);
    let older = digest.periods.get(i + 1);
    layout(
        site,
        theme,
        Parts {
            root: "../",
            title: format!("{name}: {title} · {}", site.name),
            head: html! {
                @if site.noindex {
                    meta name="robots" content="noindex";
                }
                link rel="alternate" type="application/atom+xml" title=(name) href="../digest.xml";
                @if let Some(o) = older {
                    link rel="prev" href={ (o.label) ".html" };
                }
                @if let Some(n) = newer {
                    link rel="next" href={ (n.label) ".html" };
                }
            },
            skip: "Skip to the posts",
            banner: html! {
                header.site-header {
                    h1 { (name) ": " (title) }
                    p.tagline { (counts(p)) " on " a href="../index.html" { (site.name) } "." }
                    nav aria-label="Digests" {
                        ul.subscribe {
                            @if let Some(o) = older {
                                li { a rel="prev" href={ (o.label) ".html" } { "← " (period_title(digest.cadence, o)) } }
                            }
                            li { a href="index.html" { "All digests" } }
                            @if let Some(n) = newer {
                                li { a rel="next" href={ (n.label) ".html" } { (period_title(digest.cadence, n)) " →" } }
                            }
                            li { a href="../digest.xml" type="application/atom+xml" { "Subscribe (Atom)" } }
                        }
                    }
                }
            },
            main: html! {
                div.digest { (members(p, site.timezone)) }
            },
            sidebar: None,
        },
    )
}

/// `digest/index.html`: every digest, newest first, with its counts, in the shared layout.
pub fn index(site: &Site, theme: &Theme, digest: &Digest) -> String {
    let name = digest_name(digest.cadence, &theme.strings);
    layout(
        site,
        theme,
        Parts {
            root: "../",
            title: format!("{name} · {}", site.name),
            head: html! {
                @if site.noindex {
                    meta name="robots" content="noindex";
                }
                link rel="alternate" type="application/atom+xml" title=(name) href="../digest.xml";
            },
            skip: "Skip to the digests",
            banner: html! {
                header.site-header {
                    h1 { (name) " of " a href="../index.html" { (site.name) } }
                    p.tagline {
                        "The posts of each period in one place. "
                        a href="../digest.xml" type="application/atom+xml" { "Subscribe (Atom)" }
                        ", or have it sent by e-mail with any feed-to-email service."
                    }
                }
            },
            main: html! {
                div.digest {
                    @if digest.periods.is_empty() {
                        p.empty { "No digests yet: one appears once a period has posts." }
                    } @else {
                        ul {
                            @for p in &digest.periods {
                                li {
                                    a href={ (p.label) ".html" } { (period_title(digest.cadence, p)) }
                                    " · " (counts(p))
                                }
                            }
                        }
                    }
                }
            },
            sidebar: None,
        },
    )
}

/// The fingerprint of a period's entry (its title and content), recorded when it is published.
pub fn entry_hash(cadence: Cadence, p: &DigestPeriod, tz: chrono_tz::Tz) -> String {
    let (title, content) = entry_text(cadence, p, tz);
    crate::fingerprint::hash_hex(format!("{title}\0{content}").as_bytes())
}

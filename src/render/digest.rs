//! The digest's pages (maud): `digest/<period>.html`, one period's posts grouped by member,
//! and `digest/index.html`, every digest newest first; the HTML content of a period's entry in
//! `digest.xml`; and the digest's words, in one place. No `PreEscaped` here: a digest shows
//! titles, links and plain-text excerpts, all escaped by maud.
//!
//! In: the [`Site`] and its [`Digest`]. Out: HTML strings, and the hash of a period's entry
//! (`digest::build` records it so that an unchanged entry keeps its `updated`).

use chrono::Locale;
use maud::{html, Markup};

use super::html::{layout, rfc3339, Parts};
use super::strings::{fill, split, Strings};
use super::Theme;
use crate::model::{Cadence, Digest, DigestPeriod, DigestPost, Site};

/// "Weekly digest": the digest's name, in the header link, `<link rel="alternate">` and titles.
pub fn digest_name(cadence: Cadence, t: &Strings) -> &str {
    match cadence {
        Cadence::Daily => &t.daily_digest,
        Cadence::Weekly => &t.weekly_digest,
        Cadence::Monthly => &t.monthly_digest,
    }
}

/// A period as readers name it, in the planet's language: "Week 48, 2026: 23 – 29 November
/// 2026", "Monday, 23 November 2026", "November 2026".
pub fn period_title(cadence: Cadence, p: &DigestPeriod, t: &Strings, locale: Locale) -> String {
    let (first, last) = (p.first_day, p.last_day);
    let date =
        |d: chrono::NaiveDate, pattern: &str| d.format_localized(pattern, locale).to_string();
    match cadence {
        Cadence::Daily => date(first, &t.digest_day_title),
        Cadence::Monthly => date(first, &t.digest_month_title),
        Cadence::Weekly => {
            use chrono::Datelike;
            let week = first.iso_week();
            let first_pattern = if first.month() == last.month() {
                &t.digest_week_first_day_same_month
            } else if first.year() == last.year() {
                &t.digest_week_first_day_same_year
            } else {
                &t.digest_week_day
            };
            let span = format!(
                "{} – {}",
                date(first, first_pattern),
                date(last, &t.digest_week_day)
            );
            fill(
                &t.digest_week_title,
                &[
                    ("week", &week.week().to_string()),
                    ("year", &week.year().to_string()),
                    ("span", &span),
                ],
            )
        }
    }
}

/// "12 posts by 5 members", and "so far" while the period runs.
fn counts(p: &DigestPeriod, t: &Strings) -> String {
    let count = |n: usize, one: &str, many: &str| {
        if n == 1 {
            one.to_string()
        } else {
            fill(many, &[("n", &n.to_string())])
        }
    };
    let posts = count(p.posts(), &t.one_post, &t.n_posts);
    let members = count(p.members.len(), &t.one_member, &t.n_members);
    let mut out = fill(
        &t.posts_by_members,
        &[("posts", &posts), ("members", &members)],
    );
    if !p.complete {
        out.push_str(&t.so_far);
    }
    out
}

/// The title and HTML content of a period's entry in `digest.xml`, in the planet's language:
/// the counts, then each member's posts. Made only from the stored posts, the planet's time
/// zone and its words, never from the page around it, so it changes only when they do.
pub fn entry_text(
    cadence: Cadence,
    p: &DigestPeriod,
    site_tz: chrono_tz::Tz,
    t: &Strings,
    locale: Locale,
) -> (String, String) {
    let content = html! {
        p { (counts(p, t)) "." }
        (members(p, site_tz, t, locale))
    };
    (period_title(cadence, p, t, locale), content.into_string())
}

/// Each member with their posts: name (linked to their home page), then title, date and a
/// short excerpt of each post.
fn members(p: &DigestPeriod, tz: chrono_tz::Tz, t: &Strings, locale: Locale) -> Markup {
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
                        (post(e, tz, t, locale))
                    }
                }
            }
        }
    }
}

/// One post: title (linked), date, and a short excerpt of its text (the page's excerpt rule,
/// at the length used for members who want excerpts only).
fn post(p: &DigestPost, tz: chrono_tz::Tz, t: &Strings, locale: Locale) -> Markup {
    let e = &p.entry;
    let title = e
        .title
        .as_deref()
        .filter(|t| !t.is_empty())
        .unwrap_or(&t.untitled);
    html! {
        li {
            @if let Some(link) = &e.link {
                a href=(link) { (title) }
            } @else {
                (title)
            }
            " · "
            time datetime=(rfc3339(e.date)) {
                (e.date.with_timezone(&tz).format_localized(&t.digest_post_date, locale).to_string())
            }
            @if let Some(x) = &p.excerpt {
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
    let (t, locale) = (&theme.strings, theme.locale);
    let name = digest_name(digest.cadence, t);
    let title = period_title(digest.cadence, p, t, locale);
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
            skip: &t.skip_to_the_posts,
            query: None,
            banner: html! {
                header.site-header {
                    h1 { (name) ": " (title) }
                    @let (before, after) = split(&t.counts_on_site, "site");
                    p.tagline {
                        (fill(before, &[("counts", &counts(p, t))]))
                        a href="../index.html" { (site.name) }
                        (fill(after, &[("counts", &counts(p, t))]))
                    }
                    nav aria-label="Digests" {
                        ul.subscribe {
                            @if let Some(o) = older {
                                li { a rel="prev" href={ (o.label) ".html" } { "← " (period_title(digest.cadence, o, t, locale)) } }
                            }
                            li { a href="index.html" { (t.all_digests) } }
                            @if let Some(n) = newer {
                                li { a rel="next" href={ (n.label) ".html" } { (period_title(digest.cadence, n, t, locale)) " →" } }
                            }
                            li { a href="../digest.xml" type="application/atom+xml" { (t.subscribe_atom) } }
                        }
                    }
                }
            },
            main: html! {
                div.digest { (members(p, site.timezone, t, locale)) }
            },
            sidebar: None,
        },
    )
}

/// `digest/index.html`: every digest, newest first, with its counts, in the shared layout.
pub fn index(site: &Site, theme: &Theme, digest: &Digest) -> String {
    let (t, locale) = (&theme.strings, theme.locale);
    let name = digest_name(digest.cadence, t);
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
            skip: &t.skip_to_the_digests,
            query: None,
            banner: html! {
                header.site-header {
                    @let (before, after) = split(&t.digest_of_site, "site");
                    h1 {
                        (fill(before, &[("name", name)]))
                        a href="../index.html" { (site.name) }
                        (fill(after, &[("name", name)]))
                    }
                    p.tagline {
                        (t.digest_intro) " "
                        a href="../digest.xml" type="application/atom+xml" { (t.subscribe_atom) }
                        (t.digest_by_email)
                    }
                }
            },
            main: html! {
                div.digest {
                    @if digest.periods.is_empty() {
                        p.empty { (t.no_digests_yet) }
                    } @else {
                        ul {
                            @for p in &digest.periods {
                                li {
                                    a href={ (p.label) ".html" } { (period_title(digest.cadence, p, t, locale)) }
                                    " · " (counts(p, t))
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
/// Taken from the English text whatever the planet's language, so that it says whether the
/// posts changed, and a database written before the digest spoke other languages keeps its
/// hashes.
pub fn entry_hash(cadence: Cadence, p: &DigestPeriod, tz: chrono_tz::Tz) -> String {
    static ENGLISH: std::sync::OnceLock<Strings> = std::sync::OnceLock::new();
    let english = ENGLISH.get_or_init(|| Strings::built_in("en"));
    let locale = crate::lang::chrono_locale("en");
    let (title, content) = entry_text(cadence, p, tz, english, locale);
    crate::fingerprint::hash_hex(format!("{title}\0{content}").as_bytes())
}

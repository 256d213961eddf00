//! `serve`'s search results page (`/search?q=…`), built through [`layout`] like every page:
//! the count, each post found with its member, date, title and a snippet of its text with the
//! terms highlighted, and the links to the neighbouring pages of results. The title and the
//! snippet are plain text from the search index: they are escaped here, and only the
//! index's marker characters ([`MARK_START`], [`MARK_END`]) become `<mark>`; no markup of a
//! post reaches this page.

use maud::{html, Markup};

use super::{layout, local, planet_nav, rfc3339, Parts};
use crate::model::{SearchResults, Site, MARK_END, MARK_START};
use crate::render::strings::{fill, Strings};
use crate::render::Theme;

/// What the results page shows: the query as typed (cleaned), and one page of its results.
pub struct SearchView<'a> {
    pub query: &'a str,
    pub results: &'a SearchResults,
    /// This page's number, from 1.
    pub page: usize,
    pub per_page: usize,
}

impl SearchView<'_> {
    fn pages(&self) -> usize {
        self.results.total.div_ceil(self.per_page.max(1)).max(1)
    }

    /// The address of results page `n`, relative to the site's root.
    fn href(&self, n: usize) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("q", self.query);
        if n > 1 {
            q.append_pair("page", &n.to_string());
        }
        format!("search?{}", q.finish())
    }
}

/// The results page of `view` (for an empty query: the box and how to search).
pub fn search_page(site: &Site, theme: &Theme, view: &SearchView) -> String {
    let t = &theme.strings;
    let r = view.results;
    let title = if view.query.is_empty() {
        format!("{} · {}", t.search, site.name)
    } else {
        format!(
            "{} · {}",
            fill(&t.search_results_for, &[("query", view.query)]),
            site.name
        )
    };
    let heading = html! {
        @if view.query.is_empty() {
            h1 { (t.search) }
        } @else {
            h1 { (fill(&t.search_results_for, &[("query", view.query)])) }
        }
    };
    let own_header = theme.fragments.header.is_some();
    let main = html! {
        @if own_header { (heading) }
        @if view.query.is_empty() {
            p { (t.search_hint) }
        } @else if r.timed_out {
            p role="status" { (t.search_took_too_long) }
        } @else if r.total == 0 {
            p role="status" { (t.nothing_found) " " (t.search_hint) }
        } @else {
            p role="status" {
                @if r.more { (fill(&t.more_results_found, &[("count", &r.total.to_string())])) }
                @else if r.total == 1 { (t.one_result_found) }
                @else { (fill(&t.results_found, &[("count", &r.total.to_string())])) }
            }
            ol.results aria-label=(t.search_results) start=((view.page - 1) * view.per_page + 1) {
                @for hit in &r.hits {
                    @let lang = hit.lang.as_deref().filter(|l| !l.eq_ignore_ascii_case(&site.lang));
                    li.result lang=[lang] {
                        h2.title {
                            @let title = if hit.title.trim().is_empty() { t.untitled.as_str() } else { hit.title.as_str() };
                            @if let Some(link) = &hit.link {
                                a href=(link) { (marked(title)) }
                            } @else {
                                (marked(title))
                            }
                        }
                        p.meta {
                            a href={ "members/" (hit.member_slug) "/index.html" } { (hit.member) }
                            " · "
                            time datetime=(rfc3339(hit.date)) { (local(hit.date, site).format_localized(&t.long_date, theme.locale).to_string()) }
                        }
                        @if !hit.snippet.trim().is_empty() {
                            p.snippet { (marked(&hit.snippet)) }
                        }
                    }
                }
            }
            @if view.pages() > 1 {
                (pagination(view, t))
            }
        }
    };
    layout(
        site,
        theme,
        Parts {
            root: "",
            title,
            head: html! { meta name="robots" content="noindex"; },
            skip: &t.skip_to_the_results,
            query: Some(view.query),
            banner: html! {
                header.site-header {
                    p.site-name { a href="index.html" { (site.name) } }
                    (heading)
                    (planet_nav("", false, t))
                }
            },
            main: html! { div.search-results { (main) } },
            sidebar: None,
        },
    )
}

/// The links to the better and further results, under them.
fn pagination(view: &SearchView, t: &Strings) -> Markup {
    let (n, count) = (view.page, view.pages());
    html! {
        nav.pages aria-label=(t.pages) {
            @if n > 1 {
                a rel="prev" href=(view.href(n - 1)) { (t.newer_results) }
            }
            span { (fill(&t.page_n_of_count, &[("n", &n.to_string()), ("count", &count.to_string())])) }
            @if n < count {
                a rel="next" href=(view.href(n + 1)) { (t.older_results) }
            }
        }
    }
}

/// Text from the search index, escaped, with its marked terms in `<mark>`. Markers that do
/// not pair up (a stray one in a title) open or close nothing out of place.
fn marked(text: &str) -> Markup {
    let mut pieces: Vec<(bool, String)> = vec![(false, String::new())];
    for c in text.chars() {
        let open = pieces.last().is_some_and(|p| p.0);
        match c {
            MARK_START if !open => pieces.push((true, String::new())),
            MARK_END if open => pieces.push((false, String::new())),
            MARK_START | MARK_END => {}
            c => pieces.last_mut().expect("never empty").1.push(c),
        }
    }
    html! {
        @for (is_mark, piece) in &pieces {
            @if piece.is_empty() {
            } @else if *is_mark {
                mark { (piece) }
            } @else {
                (piece)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::marked;

    #[test]
    fn marks_are_the_only_markup() {
        let html = marked("a \u{E000}<b>café</b>\u{E001} & \u{E001}x\u{E000}y").into_string();
        assert_eq!(
            html,
            "a <mark>&lt;b&gt;café&lt;/b&gt;</mark> &amp; x<mark>y</mark>"
        );
    }
}

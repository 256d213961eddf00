//! Cross-posts: the same post in several members' feeds. Two copies are the same post when
//! their links (not a site's front page) and titles are equal once normalised
//! ([`normalise_link`]) or their titles and texts have
//! the same fingerprint, and they are dated within [`CROSS_POST_DAYS`] of each other. Of each group one
//! copy shows: the one whose member's home page is on the link's host, else the earliest.
//!
//! In: the candidates `select` read, in order. Out: for each group, the index of the copy that
//! shows and of those hidden under it.

use std::collections::HashMap;

use super::{Rules, CROSS_POST_DAYS};
use crate::model::EntryView;

/// `link` in the form cross-posts compare: scheme and host lowercase, no fragment, no
/// `utm_*`, `fbclid` or `gclid` parameter, no trailing slash on the path. `None` for a link that
/// is not a URL.
pub fn normalise_link(link: &str) -> Option<String> {
    let mut url = url::Url::parse(link.trim()).ok()?; // lowercases the scheme and the host
    url.set_fragment(None);
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !(k.starts_with("utm_") || k == "fbclid" || k == "gclid")
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    let mut s = url.to_string();
    if url.query().is_none() {
        while s.ends_with('/') {
            s.pop();
        }
    }
    Some(s)
}

/// The key a copy's link gives: its normalised link with its title (case folded, whitespace
/// collapsed). `None` for a link to a site's front page (no path, no query): feeds that give
/// every item the blog's address as its link would otherwise make unrelated posts of two members
/// on one host copies of each other. The title counts because two members who link the same page
/// under titles of their own (link blogs, "read this" posts) wrote two posts; a syndicated copy
/// keeps its title. An untitled post (a note, a link post) has only its text to tell it from
/// another member's note on the same link, so its link gives no key: its text fingerprint does.
fn link_key(link: Option<&str>, title: Option<&str>) -> Option<String> {
    let link = normalise_link(link?)?;
    let parsed = url::Url::parse(&link).ok()?;
    if matches!(parsed.path(), "" | "/") && parsed.query().is_none() {
        return None;
    }
    let title = title.unwrap_or("").to_lowercase();
    let title: Vec<&str> = title.split_whitespace().collect();
    if title.is_empty() {
        return None;
    }
    Some(format!("l:{link}\u{0}{}", title.join(" ")))
}

/// The keys one copy is known by: its normalised link and its text's fingerprint.
pub(super) fn keys(e: &EntryView) -> Vec<String> {
    let mut keys = Vec::with_capacity(2);
    if let Some(key) = link_key(e.link.as_deref(), e.title.as_deref()) {
        keys.push(key);
    }
    // Taken when the post was stored (`sanitize::words_fingerprint`).
    if let Some(f) = &e.copy_key {
        keys.push(f.clone());
    }
    keys
}

/// One group of copies: the shown one and the hidden ones (indexes into the candidates).
pub(super) struct Group {
    pub shown: usize,
    pub hidden: Vec<usize>,
}

/// The cross-post groups among `entries` (with their `keys`), each of copies from at least
/// two feeds. `entries` are newest first.
pub(super) fn groups(rules: &Rules, entries: &[&EntryView], keys: &[Vec<String>]) -> Vec<Group> {
    let window = chrono::Duration::days(CROSS_POST_DAYS);
    let mut parent: Vec<usize> = (0..entries.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    // Each key's copies, newest first; a copy joins the newest earlier one within the window.
    let mut by_key: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, ks) in keys.iter().enumerate() {
        for k in ks {
            let list = by_key.entry(k.as_str()).or_default();
            if let Some(&j) = list
                .iter()
                .rev()
                .find(|&&j| entries[j].date - entries[i].date <= window)
            {
                let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                if a != b {
                    parent[a.max(b)] = a.min(b);
                }
            }
            list.push(i);
        }
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    for i in 0..entries.len() {
        let root = find(&mut parent, i);
        members[root].push(i);
    }
    let mut out = Vec::new();
    for group in members.into_iter().filter(|g| g.len() > 1) {
        let first_feed = &entries[group[0]].member.config_url;
        if group
            .iter()
            .all(|&i| &entries[i].member.config_url == first_feed)
        {
            continue;
        }
        let shown = winner(rules, entries, &group);
        let hidden = group.into_iter().filter(|&i| i != shown).collect();
        out.push(Group { shown, hidden });
    }
    out
}

/// The copy that shows: one whose member's home page is on its link's host, else the
/// earliest (ties: the later in the newest-first order, then the lower index).
fn winner(rules: &Rules, entries: &[&EntryView], group: &[usize]) -> usize {
    let at_home = |&&i: &&usize| {
        let e = entries[i];
        let host = e
            .link
            .as_deref()
            .and_then(|l| url::Url::parse(l).ok())
            .and_then(|u| u.host_str().map(str::to_lowercase));
        let home = rules
            .homes
            .get(e.member.config_url.as_str())
            .cloned()
            .or_else(|| {
                let h = e.member.homepage.as_deref()?;
                url::Url::parse(h).ok()?.host_str().map(str::to_lowercase)
            });
        host.is_some() && host == home
    };
    let earliest = |candidates: &mut dyn Iterator<Item = &usize>| {
        candidates
            .copied()
            .min_by(|&a, &b| entries[a].date.cmp(&entries[b].date).then(b.cmp(&a)))
    };
    earliest(&mut group.iter().filter(at_home))
        .or_else(|| earliest(&mut group.iter()))
        .unwrap_or(group[0])
}

#[cfg(test)]
mod tests {
    use super::{link_key, normalise_link};

    #[test]
    fn a_front_page_link_names_no_post_and_titles_tell_link_posts_apart() {
        assert_eq!(link_key(Some("http://example.com/"), Some("A post")), None);
        assert_eq!(link_key(Some("https://Example.com"), None), None);
        assert!(link_key(Some("http://example.com/?p=12"), Some("A post")).is_some());
        assert_eq!(link_key(Some("http://example.com/?p=12"), None), None);
        assert_eq!(link_key(Some("http://example.com/1"), Some("  ")), None);
        let a = link_key(
            Some("https://blog.example.org/post/"),
            Some("Cataloguing  Notes"),
        );
        let b = link_key(
            Some("https://blog.example.org/post"),
            Some("cataloguing notes"),
        );
        assert!(a.is_some());
        assert_eq!(a, b);
        let other = link_key(Some("https://blog.example.org/post"), Some("Read this"));
        assert_ne!(a, other);
    }

    #[test]
    fn links_normalise_as_the_issue_lists() {
        let same = [
            "https://Blog.Example.org/post/",
            "HTTPS://blog.example.org/post",
            "https://blog.example.org/post#comments",
            "https://blog.example.org/post?utm_source=x&utm_medium=rss",
            "https://blog.example.org/post/?fbclid=abc",
            "https://blog.example.org/post?gclid=1",
        ];
        for link in same {
            assert_eq!(
                normalise_link(link).as_deref(),
                Some("https://blog.example.org/post"),
                "{link}"
            );
        }
        assert_eq!(
            normalise_link("https://blog.example.org/post?id=2&utm_source=x").as_deref(),
            Some("https://blog.example.org/post?id=2")
        );
        assert_ne!(
            normalise_link("http://blog.example.org/post"),
            normalise_link("https://blog.example.org/post")
        );
        assert_eq!(normalise_link("not a link"), None);
    }
}

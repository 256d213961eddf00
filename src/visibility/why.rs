//! One post, explained: a POST argument (the post's link, its id in the merged feeds, or its
//! page anchor `#e-…`) resolved to one stored post, and everything `mercury why` prints about
//! it: where it shows (which page, which tag pages, the merged feeds) or every reason it does
//! not.
//!
//! In: the stored posts' identities ([`PostRef`]), the planet's link and topics, the
//! [`Visibility`]. Out: a [`PostRef`] or an error listing the candidates; a [`Why`].

use std::fmt::Write;

use crate::model::{AlsoOn, EntryView, Topic};
use crate::render::view::entry_anchor;
use crate::store::posts::{PostRef, PostScan};

use super::{normalise_link, Hidden, Visibility};

/// How many candidates an ambiguous or unknown POST lists.
const MAX_CANDIDATES: usize = 12;

/// The one stored post `post` names, or an error that lists the candidates.
pub fn resolve(refs: &[PostRef], post: &str, planet: &url::Url) -> anyhow::Result<PostRef> {
    let post = post.trim();
    let anchor = anchor_in(post, planet);
    let found: Vec<&PostRef> = match &anchor {
        Some(a) => refs
            .iter()
            .filter(|r| entry_anchor(&r.feed_url, &r.key) == *a)
            .collect(),
        None => {
            // A link as written names its post before the copies that normalise alike.
            let exact: Vec<&PostRef> = refs
                .iter()
                .filter(|r| r.key == post || r.link.as_deref() == Some(post))
                .collect();
            let wanted = normalise_link(post);
            if !exact.is_empty() || wanted.is_none() {
                exact
            } else {
                refs.iter()
                    .filter(|r| r.link.as_deref().and_then(normalise_link) == wanted)
                    .collect()
            }
        }
    };
    match found.as_slice() {
        [one] => Ok((*one).clone()),
        [] => {
            let mut msg = format!("no stored post is {post:?}");
            // Posts on the same host, to help spot a mistyped link.
            let host = url::Url::parse(post)
                .ok()
                .and_then(|u| u.host_str().map(str::to_lowercase));
            let near: Vec<&PostRef> = match (&anchor, host) {
                (None, Some(host)) => refs
                    .iter()
                    .filter(|r| {
                        r.link
                            .as_deref()
                            .and_then(|l| url::Url::parse(l).ok())
                            .and_then(|u| u.host_str().map(str::to_lowercase))
                            .as_deref()
                            == Some(host.as_str())
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if near.is_empty() {
                msg.push_str(
                    "; give the post's link, its id in the merged feeds (the planet's link \
                     with #e-…) or its anchor on the page (#e-…)",
                );
            } else {
                msg.push_str("; stored posts on the same site:");
                list(&mut msg, &near);
            }
            anyhow::bail!(msg)
        }
        many => {
            let mut msg = format!(
                "{post:?} names {} stored posts; give one of their anchors:",
                many.len()
            );
            list(&mut msg, many);
            anyhow::bail!(msg)
        }
    }
}

/// The anchor `post` gives: `#e-…`, `e-…`, or the planet's link with `#e-…`.
fn anchor_in(post: &str, planet: &url::Url) -> Option<String> {
    let is_anchor = |a: &str| {
        a.len() == 18 && a.starts_with("e-") && a[2..].bytes().all(|b| b.is_ascii_hexdigit())
    };
    let bare = post.strip_prefix('#').unwrap_or(post);
    if is_anchor(bare) {
        return Some(bare.to_ascii_lowercase());
    }
    let mut url = url::Url::parse(post).ok()?;
    let fragment = url
        .fragment()
        .filter(|f| is_anchor(f))?
        .to_ascii_lowercase();
    url.set_fragment(None);
    (url == *planet).then_some(fragment)
}

fn list(msg: &mut String, refs: &[&PostRef]) {
    for r in refs.iter().take(MAX_CANDIDATES) {
        let _ = write!(
            msg,
            "\n  #{}  {}: {} ({})",
            entry_anchor(&r.feed_url, &r.key),
            r.member,
            r.title.as_deref().unwrap_or("(untitled)"),
            r.link.as_deref().unwrap_or("no link"),
        );
    }
    if refs.len() > MAX_CANDIDATES {
        let _ = write!(msg, "\n  … and {} more", refs.len() - MAX_CANDIDATES);
    }
}

/// Where a shown post is on one planet (the main one or a tag's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The page's file in the output folder: `index.html`, `page/3.html`, `tags/x/index.html`.
    pub file: String,
    /// On the front page, so in that planet's merged feeds too.
    pub in_feeds: bool,
}

/// Everything `why` prints about one post.
#[derive(Debug, Clone)]
pub struct Why {
    pub post: PostRef,
    pub anchor: String,
    /// Its id in the merged feeds.
    pub id: String,
    /// Empty when shown.
    pub reasons: Vec<Hidden>,
    /// The main planet's page, when shown.
    pub page: Option<Placement>,
    /// The tag sub-planets that show it.
    pub tags: Vec<Placement>,
    /// The other members who carry it, when it is a cross-post shown here.
    pub also: Vec<AlsoOn>,
}

impl Visibility<'_> {
    /// Explains `post` on the planet and on `topics` (the tags' sub-planets).
    pub fn why(&self, post: &PostRef, topics: &[Topic]) -> anyhow::Result<Why> {
        let p = &self.config.planet;
        let anchor = entry_anchor(&post.feed_url, &post.key);
        let mut id = p.link.to_url();
        id.set_fragment(Some(&anchor));
        let mut why = Why {
            post: post.clone(),
            anchor,
            id: id.to_string(),
            reasons: Vec::new(),
            page: None,
            tags: Vec::new(),
            also: Vec::new(),
        };
        let Some((entry, late)) = self.stored(post)? else {
            why.reasons.push(Hidden::Pruned);
            return Ok(why);
        };
        why.reasons = self.rules.own_reasons(&entry, late);
        if !why.reasons.is_empty() {
            return Ok(why);
        }
        let same = |e: &EntryView| e.key == post.key && e.member.config_url == post.config_url;
        let planet = self.decide(self.planet_total(), None)?;
        let mut shown = 0usize;
        for d in &planet {
            if same(&d.entry) {
                if d.hidden.is_empty() {
                    let page = shown / p.items.max(1) + 1;
                    why.page = Some(Placement {
                        file: page_file("", page),
                        in_feeds: page == 1,
                    });
                    why.also = d.entry.also.clone();
                } else {
                    why.reasons = d.hidden.clone();
                }
                break;
            }
            if d.hidden.is_empty() {
                shown += 1;
            }
        }
        if why.page.is_none() && why.reasons.is_empty() {
            why.reasons.push(Hidden::BeyondArchive);
        }
        for topic in topics
            .iter()
            .filter(|t| t.feed_urls.contains(&post.config_url))
        {
            let entries = self.shown(p.items, Some(&topic.feed_urls))?;
            if entries.iter().any(same) {
                why.tags.push(Placement {
                    file: page_file(&format!("tags/{}/", topic.slug), 1),
                    in_feeds: true,
                });
            }
        }
        Ok(why)
    }

    /// The stored post `post` and whether it joined late.
    fn stored(&self, post: &PostRef) -> anyhow::Result<Option<(EntryView, bool)>> {
        let only = [post.config_url.clone()];
        let scan = PostScan {
            only: Some(&only),
            joined_late: true,
            since: Some(post.date),
            ..PostScan::default()
        };
        let mut found = None;
        self.store.scan_posts(&scan, &mut |e, late| {
            if e.key == post.key {
                found = Some((e, late));
                return false;
            }
            true
        })?;
        Ok(found)
    }
}

fn page_file(dir: &str, page: usize) -> String {
    if page == 1 {
        format!("{dir}index.html")
    } else {
        format!("{dir}page/{page}.html")
    }
}

impl std::fmt::Display for Why {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = &self.post;
        writeln!(
            f,
            "{} by {} ({})",
            p.title.as_deref().unwrap_or("(untitled)"),
            p.member,
            p.feed_url
        )?;
        if let Some(link) = &p.link {
            writeln!(f, "  link:   {link}")?;
        }
        writeln!(f, "  key:    {}", p.key)?;
        writeln!(f, "  anchor: #{}", self.anchor)?;
        writeln!(f, "  id:     {}", self.id)?;
        match &self.page {
            Some(page) => {
                write!(f, "shown: yes, on {}", page.file)?;
                if page.in_feeds {
                    write!(f, " and in atom.xml, rss.xml and feed.json")?;
                }
                writeln!(f)?;
            }
            None => writeln!(f, "shown: no")?,
        }
        if !self.tags.is_empty() {
            let files: Vec<&str> = self.tags.iter().map(|t| t.file.as_str()).collect();
            writeln!(
                f,
                "tag pages: {} (and their merged feeds)",
                files.join(", ")
            )?;
        }
        if !self.also.is_empty() {
            let names: Vec<String> = self
                .also
                .iter()
                .map(|a| format!("{} ({})", a.name, a.feed_url))
                .collect();
            writeln!(f, "also on: {}", names.join(", "))?;
        }
        for reason in &self.reasons {
            writeln!(f, "  - {}", reason.describe())?;
        }
        Ok(())
    }
}

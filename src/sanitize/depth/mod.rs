//! How deep an HTML parser's stack of open elements can grow on a post, found in one linear
//! pass without building a tree. html5ever's tree builder walks that stack for every start tag
//! (the "has an element in scope" checks), so its cost is the number of tags times the depth:
//! a post of many `<div></x>` stalled ingest, and every render paid it again. A post that may
//! nest deeper than [`MAX_DEPTH`] is shown as its text instead.
//!
//! In: the post's HTML as the parser will get it. Out: whether the depth may pass a limit.
//!
//! The estimate must never be lower than the parser's depth, or a crafted post gets through;
//! it may be higher (a messy but shallow post then shows as text). So it models the parts of
//! the HTML tree-building rules that close elements, and where unsure it closes nothing:
//! - an end tag closes only what the parser would close: the element it names when nothing in
//!   between stops the search (a scope boundary such as `table`, or, for an end tag that is not
//!   itself special, any special element such as `div`); a stray `</x>` closes nothing;
//! - `</form>` takes out the form alone, and a misnested formatting end tag (`<b><div></b>`)
//!   closes nothing, as the adoption agency algorithm only moves elements about;
//! - formatting elements closed by another end tag are reopened before the next text or
//!   inline tag ("reconstruct the active formatting elements"), at most three alike (the
//!   "Noah's Ark" clause; alike here means the same name and the same attribute text);
//! - `<p>`, `<li>`, `<dd>` and `<dt>` close an open one of their kind, blocks close an open
//!   `p`, as the parser does;
//! - table parts (`td`, `tr`, `tbody`, `table`…) close only table parts and elements whose end
//!   tag may be left out (`p`, `li`…), from the innermost out: the parser ignores a `td`
//!   outside a table, so a looser rule would let `<td><div></td>` close a real `div`;
//! - text in comments, CDATA sections and raw-text elements (`script`, `style`, `textarea`…)
//!   may open elements in the estimate but never closes any.
//!
//! The parser also adds elements no tag asked for (`tbody` and `tr` around a bare `td`): at most
//! two per tag, so its depth is below three times the estimate. The `sanitize` fuzz target and
//! the unit tests check the estimate against the depth of what the parser really builds.

mod elements;

use self::elements::{CLOSES_P, FORMATTING, IMPLIED_END, RAW_TEXT, SCOPE, SPECIAL, VOID};
use super::policy::VOID as VOID_WRITTEN;
use crate::markup;

/// Deeper markup than this is not parsed as HTML (see `clean_html`); real posts stay far
/// below it.
pub const MAX_DEPTH: usize = 512;

/// The element nesting depth of HTML that the serialiser wrote (every element closed, in
/// order): start tags minus end tags, as a linear scan. Void elements (`<br>`, `<img>`) open
/// nothing. For HTML from a feed, see [`may_exceed`]: a stray end tag there closes
/// nothing.
pub(super) fn written_depth(html: &str) -> usize {
    // In the serialiser's output every `<` starts a tag (text and attribute values have theirs
    // escaped), so a byte scan needs no tag reader: this runs for every post on every render.
    let b = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    for at in memchr::memchr_iter(b'<', b) {
        match b.get(at + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name = &b[at + 1..];
                let len = name
                    .iter()
                    .position(|c| !c.is_ascii_alphanumeric())
                    .unwrap_or(name.len());
                if !VOID_WRITTEN
                    .iter()
                    .any(|v| v.as_bytes().eq_ignore_ascii_case(&name[..len]))
                {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            _ => {}
        }
    }
    max
}

/// Whether the parser's stack of open elements may grow deeper than `limit` on `html`.
pub(super) fn may_exceed(html: &str, limit: usize) -> bool {
    estimate(html, limit) > limit
}

/// The estimated depth, or a depth past `limit` as soon as one is seen.
fn estimate(html: &str, limit: usize) -> usize {
    let mut model = Model::default();
    let mut deepest = 0;
    let b = html.as_bytes();
    let mut i = 0;
    // Until this offset, markup only opens elements (a comment, a CDATA section, raw text).
    let mut opens_only_until = 0;
    let mut raw_text: Option<&'static str> = None;
    while i < b.len() {
        let Some(lt) = memchr::memchr(b'<', &b[i..]).map(|p| i + p) else {
            model.text(&html[i..]);
            return deepest.max(model.stack.len());
        };
        model.text(&html[i..lt]);
        deepest = deepest.max(model.stack.len());
        if deepest > limit {
            return deepest;
        }
        if let Some(name) = raw_text {
            // Inside `script`, `style`… the parser reads text up to `</name`: tags before it open
            // in the estimate (in a drawing they are real elements) but close nothing.
            if starts_with_ignore_case(&b[lt..], b"</")
                && starts_with_ignore_case(&b[lt + 2..], name.as_bytes())
            {
                raw_text = None;
            } else {
                opens_only_until = opens_only_until.max(lt + 1);
            }
        }
        let rest = &b[lt..];
        if rest.starts_with(b"<!--") {
            opens_only_until = opens_only_until.max(comment_end(b, lt + 4));
            i = lt + 4;
            continue;
        }
        if rest.starts_with(b"<![CDATA[") {
            let end = memchr::memmem::find(&b[lt..], b"]]>").map_or(b.len(), |p| lt + p + 3);
            opens_only_until = opens_only_until.max(end);
            i = lt + 9;
            continue;
        }
        if rest.starts_with(b"<!") || rest.starts_with(b"<?") {
            // A bogus comment, up to the next `>`.
            i = memchr::memchr(b'>', &b[lt..]).map_or(b.len(), |p| lt + p + 1);
            continue;
        }
        let end_tag = rest.starts_with(b"</");
        let name_at = lt + if end_tag { 2 } else { 1 };
        if !b.get(name_at).is_some_and(u8::is_ascii_alphabetic) {
            i = if end_tag && name_at < b.len() {
                // `</>` is dropped; `</` before anything else but a letter starts a bogus
                // comment up to the next `>`, quotes or not (`</<a l=">` is one comment).
                memchr::memchr(b'>', &b[name_at..]).map_or(b.len(), |p| name_at + p + 1)
            } else {
                lt + 1 // `<` as text
            };
            continue;
        }
        let name_end = name_at
            + b[name_at..]
                .iter()
                .position(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c' | b'\r' | b'/' | b'>'))
                .unwrap_or(b.len() - name_at);
        let Some(tag_end) = markup::tag_end(b, name_end) else {
            break; // a tag cut off by the end of the post is dropped by the parser
        };
        let name = html[name_at..name_end].to_ascii_lowercase();
        let closes = lt >= opens_only_until;
        if end_tag {
            if closes {
                model.end(&name);
            }
        } else {
            model.start(&name, &html[name_end..tag_end], closes);
            deepest = deepest.max(model.stack.len());
            if deepest > limit {
                return deepest;
            }
            if let Some(raw) = RAW_TEXT.iter().find(|r| **r == name) {
                raw_text = Some(raw);
            }
        }
        i = tag_end + 1;
    }
    deepest
}

/// The parser's bookkeeping, by element name: the stack of open elements and the list of active
/// formatting elements (each entry's element is open when its id is on the stack).
#[derive(Default)]
struct Model {
    stack: Vec<(String, u32)>,
    /// The ids on the stack.
    open: std::collections::HashSet<u32>,
    formatting: Vec<Formatting>,
    /// Formatting entries whose element is closed: the next text reopens them.
    closed: usize,
    next_id: u32,
}

struct Formatting {
    name: String,
    attributes: u64,
    id: u32,
}

impl Model {
    fn push(&mut self, name: &str) -> u32 {
        self.next_id += 1;
        self.stack.push((name.to_string(), self.next_id));
        self.open.insert(self.next_id);
        self.next_id
    }

    /// Closes the elements from stack position `at` up.
    fn truncate(&mut self, at: usize) {
        for (name, id) in self.stack.drain(at..) {
            self.open.remove(&id);
            if FORMATTING.contains(&name.as_str()) {
                self.closed += 1; // at most: the entry may be gone (Noah's Ark)
            }
        }
    }

    /// Closes the element at stack position `at` alone.
    fn remove(&mut self, at: usize) {
        let (_, id) = self.stack.remove(at);
        self.open.remove(&id);
    }

    /// Text reopens formatting elements that were closed around it.
    fn text(&mut self, text: &str) {
        if !text.is_empty() {
            self.reconstruct();
        }
    }

    fn reconstruct(&mut self) {
        if self.closed == 0 {
            return;
        }
        self.closed = 0;
        for k in 0..self.formatting.len() {
            if !self.open.contains(&self.formatting[k].id) {
                let name = self.formatting[k].name.clone();
                self.formatting[k].id = self.push(&name);
            }
        }
    }

    /// A start tag. `closes`: false inside a comment or raw text, where it may only open.
    fn start(&mut self, name: &str, attributes: &str, closes: bool) {
        if VOID.contains(&name) {
            return;
        }
        if closes {
            if CLOSES_P.contains(&name) {
                self.close_in_scope("p", &["button"]);
            }
            match name {
                "li" => self.close_in_scope("li", &["ol", "ul"]),
                "dd" | "dt" => {
                    self.close_in_scope("dd", &[]);
                    self.close_in_scope("dt", &[]);
                }
                "td" | "th" => self.close_table_part(&["td", "th"], &[]),
                "tr" => self.close_table_part(&["tr"], &["td", "th"]),
                "tbody" | "thead" | "tfoot" => {
                    self.close_table_part(&["tbody", "thead", "tfoot"], &["td", "th", "tr"])
                }
                // A table straight inside a table (not in a cell) closes the outer one.
                "table"
                    if self.stack.last().is_some_and(|(top, _)| {
                        matches!(top.as_str(), "table" | "tbody" | "thead" | "tfoot" | "tr")
                    }) =>
                {
                    self.close_table_part(&["table"], &["tbody", "thead", "tfoot", "tr"])
                }
                _ => {}
            }
        }
        if !CLOSES_P.contains(&name) {
            self.reconstruct();
        }
        let id = self.push(name);
        if FORMATTING.contains(&name) {
            let attributes = xxhash_rust::xxh3::xxh3_64(attributes.trim().as_bytes());
            let alike: Vec<usize> = (0..self.formatting.len())
                .filter(|&k| {
                    self.formatting[k].name == name && self.formatting[k].attributes == attributes
                })
                .collect();
            if alike.len() >= 3 {
                self.formatting.remove(alike[0]);
            }
            self.formatting.push(Formatting {
                name: name.to_string(),
                attributes,
                id,
            });
        }
    }

    /// Closes the innermost `name` if it is open and nothing but ordinary or implied elements
    /// stand above it (the `p`, `li`, `dd`/`dt` rules); a scope boundary or a special element
    /// stops the search.
    fn close_in_scope(&mut self, name: &str, also_boundaries: &[&str]) {
        for k in (0..self.stack.len()).rev() {
            let open = self.stack[k].0.as_str();
            if open == name {
                self.truncate(k);
                return;
            }
            if SCOPE.contains(&open)
                || also_boundaries.contains(&open)
                || (SPECIAL.contains(&open) && !matches!(open, "address" | "div" | "p"))
            {
                return;
            }
        }
    }

    /// The table rules, read cautiously: the innermost of `targets` is closed only when the
    /// elements above it are all of `through` or close by themselves when a cell or row ends
    /// (`p`, `li`…). A table part the parser ignored (a `td` outside any table) is then closed
    /// with nothing the parser keeps, whatever its context.
    fn close_table_part(&mut self, targets: &[&str], through: &[&str]) {
        for k in (0..self.stack.len()).rev() {
            let open = self.stack[k].0.as_str();
            if targets.contains(&open) {
                self.truncate(k);
                return;
            }
            if !through.contains(&open) && !IMPLIED_END.contains(&open) {
                return;
            }
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "td" | "th" => return self.close_table_part(&[name], &[]),
            "tr" => return self.close_table_part(&["tr"], &["td", "th"]),
            "tbody" | "thead" | "tfoot" => {
                return self.close_table_part(&[name], &["td", "th", "tr"])
            }
            "caption" | "colgroup" => return self.close_table_part(&[name], &[]),
            "table" => {
                return self.close_table_part(
                    &["table"],
                    &[
                        "td", "th", "tr", "tbody", "thead", "tfoot", "caption", "colgroup",
                    ],
                )
            }
            _ => {}
        }
        if FORMATTING.contains(&name) {
            if let Some(k) = self.formatting.iter().rposition(|f| f.name == name) {
                let id = self.formatting[k].id;
                match self.stack.iter().rposition(|(_, open)| *open == id) {
                    None => {
                        self.formatting.remove(k);
                    }
                    // A special element above it: the adoption agency moves elements about and
                    // the depth stays (an estimate that closes nothing).
                    Some(at) if self.stack[at + 1..].iter().any(|(n, _)| is_special(n)) => {}
                    Some(at) => {
                        self.truncate(at);
                        self.formatting.remove(k);
                    }
                }
                return;
            }
        }
        let heading = |n: &str| matches!(n, "h1" | "h2" | "h3" | "h4" | "h5" | "h6");
        let boundaries: &[&str] = match name {
            "li" => &["ol", "ul"],
            "p" => &["button"],
            _ => &[],
        };
        for k in (0..self.stack.len()).rev() {
            let open = self.stack[k].0.as_str();
            if open == name || (heading(name) && heading(open)) {
                if name == "form" {
                    self.remove(k); // the form alone: what it holds stays open
                } else {
                    self.truncate(k);
                }
                return;
            }
            if SCOPE.contains(&open)
                || boundaries.contains(&open)
                || (!is_special(name) && is_special(open))
            {
                return;
            }
        }
    }
}

fn is_special(name: &str) -> bool {
    SPECIAL.contains(&name)
}

fn starts_with_ignore_case(b: &[u8], prefix: &[u8]) -> bool {
    b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Where a comment opened at `from - 4` ends, at the latest: the first `-->` or `--!>`.
fn comment_end(b: &[u8], from: usize) -> usize {
    let mut at = from;
    while let Some(p) = memchr::memmem::find(&b[at.min(b.len())..], b"--") {
        let dashes = at + p;
        match b.get(dashes + 2) {
            Some(b'>') => return dashes + 3,
            Some(b'!') if b.get(dashes + 3) == Some(&b'>') => return dashes + 4,
            _ => at = dashes + 1,
        }
    }
    b.len()
}

/// For the tests and the `sanitize` fuzz target: the estimate against the depth of the tree
/// html5ever really builds. With the elements of [`CHECKED_TAGS`] allowed, ammonia's output is
/// that tree (other elements are left out, their content kept), written with every element
/// closed. The parser may add up to two elements per tag (`tbody` and `tr` around a `td`).
pub(super) fn check_against_parser(html: &str) -> Result<(), String> {
    let (estimate, real) = (estimate(html, usize::MAX), parser_depth(html));
    if real <= 3 * estimate + 3 {
        Ok(())
    } else {
        Err(format!(
            "the parser nests {real} deep, the estimate says {estimate}"
        ))
    }
}

fn parser_depth(html: &str) -> usize {
    let out = ammonia::Builder::empty()
        .add_tags(CHECKED_TAGS)
        .clean(html)
        .to_string();
    written_depth(&out)
}

#[rustfmt::skip]
const CHECKED_TAGS: &[&str] = &[
    "a", "b", "i", "em", "font", "nobr", "div", "span", "p", "ul", "ol", "li", "dl", "dd", "dt",
    "table", "tbody", "thead", "tr", "td", "th", "caption", "blockquote", "h1", "h2", "pre",
    "form", "button", "x", "svg", "g", "desc", "math", "mi", "select", "option", "section",
    "address", "ruby", "rt",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn holds(html: &str) {
        if let Err(e) = check_against_parser(html) {
            panic!("{e} for {html:?}");
        }
    }

    #[test]
    fn stray_end_tags_close_nothing() {
        // The review's post: any end tag used to count as closing something.
        let post = format!("{}deep", "<div></x>".repeat(2_000));
        assert!(estimate(&post, usize::MAX) >= 2_000);
        assert!(parser_depth(&post) >= 2_000);
        assert!(may_exceed(
            &format!("{}deep", "<div></x>".repeat(80_000)),
            512
        ));
        for post in [
            "<li><ul></li>",      // the list item is out of scope behind the list
            "<x><div></x>",       // a special element stops `</x>`
            "<form><div></form>", // `</form>` takes out the form alone
            "<b><div></b>",       // the adoption agency keeps the depth
            "<div><!--</div>-->", // a comment closes nothing
            "<div><![CDATA[</div>]]>",
            "<div><script></div></script>",
            "<div><textarea></div></textarea>",
            "<div><a title=\"></div>\">",
            "<div><a =\">\"</div>",
            "<div><a x/=\"y>\"</div>",
            "<table><td><div></table>",
            "<div><svg><desc></div>",
        ] {
            let many = post.repeat(300);
            let real = parser_depth(&many);
            let estimate = estimate(&many, usize::MAX);
            assert!(real <= 3 * estimate + 3, "{post}: {real} > 3 × {estimate}");
        }
    }

    /// Found by fuzzing (session 11): `</` before anything but a letter is a bogus comment up
    /// to the next `>`; read as text, the `<a l="` inside it swallowed the rest of the post.
    #[test]
    fn regression_fuzz_a_bogus_end_tag_comment_ignores_quotes() {
        holds("</<a l=\"><b><dd><i><div>");
        holds("</ x=\"><div><div>");
        holds("</>'<div><div>");
        let many = "</<a l=\"><div>".repeat(300);
        assert!(estimate(&many, usize::MAX) >= parser_depth(&many));
    }

    #[test]
    fn formatting_elements_reopened_by_text_are_counted() {
        // `</div>` closes the b's, the text reopens them all: the parser nests them deeper
        // each round.
        let round: String = (0..20)
            .map(|k| format!("<div><b x={k}>"))
            .collect::<String>()
            + &"</div>".repeat(20)
            + "t";
        holds(&round.repeat(30));
        assert!(
            parser_depth(&round.repeat(30)) > 100,
            "the case is a real one"
        );
    }

    #[test]
    fn ordinary_messy_posts_stay_shallow() {
        for post in [
            "<p>a<p>b<p>c".repeat(2_000),
            "<ul><li>a<li>b</ul>".repeat(2_000),
            "<p><b>bold</p><p>text</p>".repeat(2_000),
            "<dl><dt>a<dd>b<dt>c<dd>d</dl>".repeat(1_000),
            "<table><tr><td>a<td>b</table>".repeat(1_000),
            "<p>x</p><div><p>y</div>".repeat(1_000),
            "<font color=red>x</font><br>".repeat(2_000),
        ] {
            assert!(estimate(&post, usize::MAX) < 20, "{}", &post[..40]);
            holds(&post);
        }
    }

    /// Tag soup from a fixed generator: the estimate is never below the parser's depth.
    #[test]
    fn the_estimate_bounds_the_parser_on_generated_tag_soup() {
        let pieces = [
            "<div>",
            "</div>",
            "<b>",
            "</b>",
            "<b x=1>",
            "<i>",
            "</i>",
            "<p>",
            "</p>",
            "<li>",
            "</li>",
            "<ul>",
            "</ul>",
            "<table>",
            "</table>",
            "<td>",
            "</td>",
            "<tr>",
            "<form>",
            "</form>",
            "<x>",
            "</x>",
            "<a>",
            "</a>",
            "<font>",
            "</font>",
            "t",
            " ",
            "<!--",
            "-->",
            "<![CDATA[",
            "]]>",
            "<script>",
            "</script>",
            "<svg>",
            "</svg>",
            "<desc>",
            "<button>",
            "</button>",
            "<h1>",
            "</h2>",
            "<dd>",
            "<dt>",
            "<em>",
            "</em>",
            "<span>",
            "</span>",
            "<a title=\"",
            "\">",
            "<math>",
            "<mi>",
            "</math>",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..3_000 {
            let len = 20 + (next() % 200) as usize;
            let post: String = (0..len)
                .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                .collect();
            holds(&post);
        }
    }
}

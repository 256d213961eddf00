//! A reader's search, as typed into the search box, made safe: words and quoted phrases, and
//! the `member:` and `tag:` filters. Nothing the reader types reaches SQLite's FTS5 query
//! language as syntax: every term becomes a quoted string literal ([`Query::fts`]), so
//! `NEAR`, `*`, `^`, column filters and unbalanced quotes are plain text. A leaf: imports
//! nothing of Mercury.
//!
//! In: the raw `q` parameter (any bytes, already decoded lossily). Out: a [`Query`].

/// A query longer than this (in characters) is cut here: a search box is for a few words.
pub const MAX_QUERY_CHARS: usize = 256;

/// At most this many terms are searched for; the rest are ignored.
pub const MAX_TERMS: usize = 16;

/// A search as the planet runs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Words and phrases, all of which a post must hold (title, text or member's name).
    pub terms: Vec<String>,
    /// `member:NAME`: only posts of members whose name holds this (case-insensitive).
    pub member: Option<String>,
    /// `tag:TAG`: only posts of members with this tag (compared as the tag pages' folders).
    pub tag: Option<String>,
    /// The query as it is shown back in the box: cleaned, capped.
    pub text: String,
}

impl Query {
    /// Reads what a reader typed. Never fails: control characters become spaces, the text is
    /// cut at [`MAX_QUERY_CHARS`], an unbalanced quote runs to the end, terms without a letter
    /// or digit (which FTS5 would find nothing for) are dropped.
    pub fn parse(input: &str) -> Query {
        let text: String = input
            .chars()
            .map(|c| if unwanted(c) { ' ' } else { c })
            .take(MAX_QUERY_CHARS)
            .collect();
        let text = text.trim().to_string();
        let mut query = Query {
            text: text.clone(),
            ..Query::default()
        };
        for token in tokens(&text) {
            let (filter, value) = match token.split_once(':') {
                Some((f, v)) if !token.quoted && matches!(f, "member" | "tag") => {
                    (Some(f), unquote(v))
                }
                _ => (None, token.text.clone()),
            };
            let value = value.trim().to_string();
            if !value.chars().any(char::is_alphanumeric) {
                continue;
            }
            match filter {
                Some("member") => query.member = Some(value),
                Some(_) => query.tag = Some(value),
                None if query.terms.len() < MAX_TERMS => query.terms.push(value),
                None => {}
            }
        }
        query
    }

    /// Whether there is nothing to search for (no term, no filter).
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && self.member.is_none() && self.tag.is_none()
    }

    /// The FTS5 query: each term a string literal (`"` doubled), all required. `None` when
    /// there are no terms (a filter alone lists the matching posts newest first).
    pub fn fts(&self) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let quoted: Vec<String> = self
            .terms
            .iter()
            .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
            .collect();
        Some(quoted.join(" "))
    }
}

/// Characters a query never keeps: controls, the Unicode noncharacters (which HTML forbids),
/// the bidirectional overrides and isolates (which would reorder the page around the echoed
/// query), and the private-use pair the results page uses as its highlight markers.
fn unwanted(c: char) -> bool {
    let n = c as u32;
    c.is_control()
        || (0xFDD0..=0xFDEF).contains(&n)
        || n & 0xFFFE == 0xFFFE
        || matches!(n, 0x202A..=0x202E | 0x2066..=0x2069 | 0xE000 | 0xE001)
}

/// One whitespace-separated piece of the query; a quoted phrase is one piece, and so is
/// `member:"Ada Lovelace"`.
struct Token {
    text: String,
    /// The whole piece was a quoted phrase (so `"tag:x"` is a phrase, not a filter).
    quoted: bool,
}

impl Token {
    fn split_once(&self, c: char) -> Option<(&str, &str)> {
        self.text.split_once(c)
    }
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_quote = false;
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                if current.is_empty() && !in_quote {
                    quoted = true;
                }
                in_quote = !in_quote;
                current.push(c);
            }
            c if c.is_whitespace() && !in_quote => {
                if !current.is_empty() {
                    out.push(finish(&mut current, quoted));
                }
                quoted = false;
            }
            c => current.push(c),
        }
    }
    if !current.is_empty() {
        out.push(finish(&mut current, quoted));
    }
    out
}

fn finish(current: &mut String, quoted: bool) -> Token {
    let raw = std::mem::take(current);
    if quoted {
        Token {
            text: unquote(&raw),
            quoted: true,
        }
    } else {
        Token { text: raw, quoted }
    }
}

/// `"a b"` → `a b`; an unbalanced or stray quote is dropped.
fn unquote(s: &str) -> String {
    s.replace('"', "")
}

#[cfg(test)]
mod tests {
    use super::Query;

    #[test]
    fn words_phrases_and_filters() {
        let q = Query::parse(r#"bibframe "linked data" member:"Ada Love" tag:Metadata"#);
        assert_eq!(q.terms, ["bibframe", "linked data"]);
        assert_eq!(q.member.as_deref(), Some("Ada Love"));
        assert_eq!(q.tag.as_deref(), Some("Metadata"));
        assert_eq!(q.fts().unwrap(), r#""bibframe" "linked data""#);
    }

    /// Every piece of FTS5 syntax is a literal: the query never fails to parse in SQLite.
    #[test]
    fn syntax_becomes_literal_text() {
        let cases = [
            ("NEAR(a b)", vec!["NEAR(a", "b)"]),
            ("title:x", vec!["title:x"]),
            ("a* OR b", vec!["a*", "OR", "b"]),
            ("\"unbalanced quote", vec!["unbalanced quote"]),
            ("* ^ - ( )", vec![]),
            ("\"tag:x\"", vec!["tag:x"]),
            ("say \"\"\"hi", vec!["say", "hi"]),
        ];
        for (input, want) in cases {
            let q = Query::parse(input);
            assert_eq!(q.terms, want, "{input}");
            if let Some(fts) = q.fts() {
                // Quotes only as the literals' delimiters, each term one literal.
                assert_eq!(fts.matches('"').count() % 2, 0, "{fts}");
            }
        }
        // A quote inside a word stays text, doubled inside the literal.
        let q = Query::parse("a\"b");
        assert_eq!(q.fts().unwrap(), "\"a\"\"b\"");
    }

    #[test]
    fn control_characters_and_length_are_capped() {
        let q = Query::parse("caf\u{0}é\u{1b}[31m\nx");
        assert_eq!(q.terms, ["caf", "é", "[31m", "x"]);
        let long = "word ".repeat(3000);
        let q = Query::parse(&long);
        assert!(q.text.chars().count() <= super::MAX_QUERY_CHARS);
        assert_eq!(q.terms.len(), super::MAX_TERMS);
        assert!(Query::parse("   ").is_empty());
        assert!(Query::parse("member:").is_empty());
        let q = Query::parse("\u{202E}a\u{FFFF}b\u{FDD0}\u{E000}c\u{E001}\u{10FFFE}");
        assert_eq!(q.terms, ["a", "b", "c"]);
    }
}

//! [`WebUrl`]: a URL that is known to be http or https, the only schemes Mercury fetches,
//! links to or follows a redirect to. The rule lives here once (STYLE.md conventions 2 and 15):
//! config, fetch and the commands build a `WebUrl` or ask [`WebUrl::is_web`] instead of each
//! matching on the scheme.
//!
//! In: a string or a parsed [`Url`]. Out: a `WebUrl` (read through `Deref<Target = Url>`, turned
//! back into a `Url` with [`WebUrl::into_url`] or `From`), or a [`WebUrlError`] saying why not.
//! A leaf: it imports only the `url` crate, so every stage can use it.

use std::fmt;
use std::ops::Deref;

use url::Url;

/// An absolute http or https URL (which the URL standard guarantees has a host).
///
/// There is no `DerefMut`: changing the scheme through it could break the promise.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct WebUrl(Url);

/// Why a string or a URL is not a [`WebUrl`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebUrlError {
    /// Not a URL at all.
    Invalid(url::ParseError),
    /// A URL, but of this other scheme (`ftp`, `file`, `javascript` …).
    NotWeb { scheme: String },
}

impl WebUrl {
    /// The schemes of the web: the sanitiser's policy builds its own lists from these.
    pub const SCHEMES: [&'static str; 2] = ["http", "https"];

    /// Parses `s` as an absolute URL and accepts it when it is http(s). No trimming beyond the
    /// URL standard's own (C0 controls and spaces at either end): callers trim what they read.
    pub fn parse(s: &str) -> Result<WebUrl, WebUrlError> {
        let url = Url::parse(s).map_err(WebUrlError::Invalid)?;
        WebUrl::try_from(url)
    }

    /// The first character of `s` (its 0-based position among the characters, and itself)
    /// that a URL may not hold as written: whitespace, a control, or one of the ASCII
    /// characters RFC 3986 leaves out (`"<>\^`{|}`). [`WebUrl::parse`] would quietly
    /// percent-encode it, and the server would answer 404 for the address meant (a space
    /// pasted into feeds.toml). Non-ASCII letters pass: the parser encodes them as browsers do.
    pub fn unwritable_char(s: &str) -> Option<(usize, char)> {
        s.chars()
            .enumerate()
            .find(|(_, c)| c.is_whitespace() || c.is_control() || "\"<>\\^`{|}".contains(*c))
    }

    /// Whether `url` is http(s) with a host: the one test of the rule, for code that keeps a
    /// plain [`Url`] (a redirect target, a document's base).
    pub fn is_web(url: &Url) -> bool {
        WebUrl::SCHEMES.contains(&url.scheme()) && url.host().is_some()
    }

    pub fn as_url(&self) -> &Url {
        &self.0
    }

    pub fn into_url(self) -> Url {
        self.0
    }

    /// A copy as a plain [`Url`], for the types that cross stages as `Url`.
    pub fn to_url(&self) -> Url {
        self.0.clone()
    }
}

impl TryFrom<Url> for WebUrl {
    type Error = WebUrlError;

    fn try_from(url: Url) -> Result<WebUrl, WebUrlError> {
        if WebUrl::is_web(&url) {
            Ok(WebUrl(url))
        } else {
            Err(WebUrlError::NotWeb {
                scheme: url.scheme().to_string(),
            })
        }
    }
}

impl Deref for WebUrl {
    type Target = Url;

    fn deref(&self) -> &Url {
        &self.0
    }
}

impl AsRef<Url> for WebUrl {
    fn as_ref(&self) -> &Url {
        &self.0
    }
}

impl AsRef<str> for WebUrl {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl From<WebUrl> for Url {
    fn from(u: WebUrl) -> Url {
        u.0
    }
}

impl PartialEq<Url> for WebUrl {
    fn eq(&self, other: &Url) -> bool {
        &self.0 == other
    }
}

impl fmt::Display for WebUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for WebUrlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WebUrlError::Invalid(e) => write!(f, "not a valid URL ({e})"),
            WebUrlError::NotWeb { scheme } => write!(f, "not an http(s) URL (scheme {scheme:?})"),
        }
    }
}

impl std::error::Error for WebUrlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_urls_may_not_hold_are_found() {
        assert_eq!(
            WebUrl::unwritable_char("https://a.example/my feed"),
            Some((20, ' '))
        );
        assert_eq!(
            WebUrl::unwritable_char("https://a.example/\tx"),
            Some((18, '\t'))
        );
        assert_eq!(
            WebUrl::unwritable_char("https://a.example/<x>"),
            Some((18, '<'))
        );
        assert_eq!(
            WebUrl::unwritable_char("https://a.example/%20?q=1&r=é#top"),
            None
        );
    }

    #[test]
    fn only_http_and_https_pass() {
        let cases: &[(&str, Result<&str, &str>)] = &[
            ("https://a.example/feed", Ok("https://a.example/feed")),
            ("HTTP://A.example", Ok("http://a.example/")),
            (
                "http://u:p@a.example:8080/f?x",
                Ok("http://u:p@a.example:8080/f?x"),
            ),
            ("ftp://a.example/feed", Err("ftp")),
            ("file:///etc/passwd", Err("file")),
            ("javascript:alert(1)", Err("javascript")),
            ("mailto:a@example.org", Err("mailto")),
            ("data:text/html,x", Err("data")),
        ];
        for (input, want) in cases {
            let got = WebUrl::parse(input);
            match want {
                Ok(s) => assert_eq!(got.as_ref().map(|u| u.as_str()), Ok(*s), "{input}"),
                Err(scheme) => assert_eq!(
                    got,
                    Err(WebUrlError::NotWeb {
                        scheme: scheme.to_string()
                    }),
                    "{input}"
                ),
            }
        }
        for bad in ["", "/feed.xml", "a.example/feed", "http://", "https://a b/"] {
            assert!(
                matches!(WebUrl::parse(bad), Err(WebUrlError::Invalid(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn is_web_agrees_with_the_constructor() {
        for s in [
            "https://a.example/",
            "http://[::1]:8080/",
            "ftp://a.example/",
            "mailto:x@y",
            "file:///tmp/x",
        ] {
            let url = Url::parse(s).unwrap();
            assert_eq!(WebUrl::is_web(&url), WebUrl::try_from(url).is_ok(), "{s}");
        }
    }

    #[test]
    fn reads_like_a_url() {
        let u = WebUrl::parse("https://a.example/x/").unwrap();
        assert_eq!(u.to_string(), "https://a.example/x/");
        assert_eq!(u.join("y").unwrap().as_str(), "https://a.example/x/y");
        assert_eq!(u, Url::parse("https://a.example/x/").unwrap());
        assert_eq!(Url::from(u.clone()), u.into_url());
    }
}

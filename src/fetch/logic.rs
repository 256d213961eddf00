//! Pure HTTP decisions: conditional-request headers, redirect targets, status classification.
//! Unit-tested without a network.

use url::Url;

use crate::model::{FailureKind, FetchFailure};

/// At most this many redirects are followed for one fetch (RFC 9110 §15.4 suggests a limit; 5 is
/// what browsers' old limit and most feed readers use).
pub const MAX_REDIRECTS: usize = 5;

/// The headers of a conditional GET (RFC 9110 §13.1): the validators exactly as the server sent them.
pub fn conditional_headers(
    etag: Option<&str>,
    last_modified: Option<&str>,
) -> Vec<(&'static str, String)> {
    let mut headers = Vec::new();
    if let Some(etag) = etag.filter(|e| !e.is_empty()) {
        headers.push(("if-none-match", etag.to_string()));
    }
    if let Some(lm) = last_modified.filter(|l| !l.is_empty()) {
        headers.push(("if-modified-since", lm.to_string()));
    }
    headers
}

/// Resolves a `Location` header against the URL that answered, refusing anything but http(s).
pub fn redirect_target(from: &Url, location: Option<&str>) -> Result<Url, FetchFailure> {
    let location = location.ok_or_else(|| FetchFailure {
        kind: FailureKind::Redirect,
        status: None,
        message: "redirect without a Location header".into(),
    })?;
    let target = from.join(location.trim()).map_err(|e| FetchFailure {
        kind: FailureKind::Redirect,
        status: None,
        message: format!("redirect to an invalid URL {location:?}: {e}"),
    })?;
    if !matches!(target.scheme(), "http" | "https") {
        return Err(FetchFailure {
            kind: FailureKind::Redirect,
            status: None,
            message: format!(
                "redirect to {:?} refused: only http and https are followed",
                target.as_str()
            ),
        });
    }
    Ok(target)
}

/// 301 and 308 are permanent (RFC 9110 §15.4.2, §15.4.9); 302, 303 and 307 are not.
pub fn is_permanent_redirect(status: u16) -> bool {
    matches!(status, 301 | 308)
}

/// A 3xx that carries a new location (304 is not a redirect).
pub fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// The base URL for the document's relative links: its `Content-Location` (RFC 9110 §8.7)
/// resolved against the URL it came from, when that is http(s); else that URL.
pub fn document_base(final_url: &Url, content_location: Option<&str>) -> Url {
    content_location
        .and_then(|cl| final_url.join(cl.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .unwrap_or_else(|| final_url.clone())
}

/// The failure for a non-success status, with a hint for the admin.
pub fn status_failure(status: u16, reason: Option<&str>) -> FetchFailure {
    let reason = reason.unwrap_or("");
    let hint = match status {
        401 | 403 => "; the server refuses us: ask the member whether the feed is public",
        404 => "; the feed is not there: ask the member for its new address",
        410 => "; the feed is gone for good: remove it from feeds.toml",
        429 | 503 => "; the server asks us to slow down",
        500..=599 => "; the member's server has a problem, it will be retried",
        _ => "",
    };
    FetchFailure {
        kind: FailureKind::Http,
        status: Some(status),
        message: format!("HTTP {status} {reason}{hint}")
            .replace("  ", " ")
            .trim()
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditional_headers_are_sent_verbatim() {
        assert!(conditional_headers(None, None).is_empty());
        assert_eq!(
            conditional_headers(Some("W/\"abc\""), Some("Tue, 01 Jan 2030 00:00:00 GMT")),
            vec![
                ("if-none-match", "W/\"abc\"".to_string()),
                (
                    "if-modified-since",
                    "Tue, 01 Jan 2030 00:00:00 GMT".to_string()
                )
            ]
        );
        assert!(conditional_headers(Some(""), None).is_empty());
    }

    #[test]
    fn redirect_targets() {
        let from = Url::parse("https://a.example/blog/feed").unwrap();
        let cases: &[(Option<&str>, Result<&str, FailureKind>)] = &[
            (Some("/new"), Ok("https://a.example/new")),
            (Some("atom.xml"), Ok("https://a.example/blog/atom.xml")),
            (Some("http://b.example/x"), Ok("http://b.example/x")),
            (Some("file:///etc/passwd"), Err(FailureKind::Redirect)),
            (Some("javascript:alert(1)"), Err(FailureKind::Redirect)),
            (Some("ftp://b.example/x"), Err(FailureKind::Redirect)),
            (None, Err(FailureKind::Redirect)),
        ];
        for (loc, want) in cases {
            let got = redirect_target(&from, *loc);
            match (got, want) {
                (Ok(u), Ok(w)) => assert_eq!(u.as_str(), *w),
                (Err(f), Err(k)) => assert_eq!(f.kind, *k),
                (got, want) => panic!("{loc:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn content_location_sets_the_base() {
        let from = Url::parse("http://a.example/feeds/x.xml").unwrap();
        let cases = [
            (None, "http://a.example/feeds/x.xml"),
            (Some("http://b.example/feed/"), "http://b.example/feed/"),
            (Some("/feed/absolute"), "http://a.example/feed/absolute"),
            (Some("javascript:alert(1)"), "http://a.example/feeds/x.xml"),
        ];
        for (cl, want) in cases {
            assert_eq!(document_base(&from, cl).as_str(), want, "{cl:?}");
        }
    }

    #[test]
    fn redirect_classes() {
        for s in [301, 308] {
            assert!(is_permanent_redirect(s) && is_redirect(s));
        }
        for s in [302, 303, 307] {
            assert!(!is_permanent_redirect(s) && is_redirect(s));
        }
        assert!(!is_redirect(304));
    }

    #[test]
    fn status_failures_say_what_to_do() {
        let f = status_failure(404, Some("Not Found"));
        assert_eq!(f.status, Some(404));
        assert!(
            f.message.starts_with("HTTP 404 Not Found;"),
            "{}",
            f.message
        );
        assert!(status_failure(500, None).message.contains("retried"));
    }
}

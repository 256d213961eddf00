//! Pure HTTP decisions: conditional-request headers, redirect targets, status classification.
//! Unit-tested without a network.

use chrono::{DateTime, Duration, Utc};
use url::Url;

use crate::model::{public_url, FailureKind, FetchFailure};
use crate::web_url::WebUrl;

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
        retry_after: None,
        kind: FailureKind::Redirect,
        status: None,
        message: "redirect without a Location header".into(),
    })?;
    let target = from.join(location.trim()).map_err(|e| FetchFailure {
        retry_after: None,
        kind: FailureKind::Redirect,
        status: None,
        message: format!("redirect to an invalid URL {:?}: {e}", public_url(location)),
    })?;
    if !WebUrl::is_web(&target) {
        return Err(FetchFailure {
            retry_after: None,
            kind: FailureKind::Redirect,
            status: None,
            message: format!(
                "redirect to {:?} refused: only http and https are followed",
                public_url(target.as_str())
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

/// The longest a failing feed waits before its next try.
pub const MAX_BACKOFF: Duration = Duration::days(1);
/// The longest `Retry-After` honoured: a server cannot park a feed for weeks.
pub const MAX_RETRY_AFTER: u64 = 7 * 24 * 3600;

/// Exponential backoff after `failures` failures in a row: 10 minutes, doubling, at most a day.
/// A feed is never given up on: it is tried again at least daily.
pub fn backoff(failures: u32) -> Duration {
    let minutes = 10i64.saturating_mul(1i64 << failures.saturating_sub(1).min(20));
    Duration::minutes(minutes).min(MAX_BACKOFF)
}

/// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date, as seconds from `now`.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<u64> {
    let value = value.trim();
    let secs = if let Ok(n) = value.parse::<u64>() {
        n
    } else {
        let at = DateTime::parse_from_rfc2822(value)
            .ok()?
            .with_timezone(&Utc);
        (at - now).num_seconds().max(0) as u64
    };
    Some(secs.min(MAX_RETRY_AFTER))
}

/// When a feed that just failed (its `failures`-th failure in a row) may be tried again: after
/// its backoff, or later if the server asked for that.
pub fn next_due_after_failure(
    failures: u32,
    retry_after: Option<u64>,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let wait = backoff(failures).max(Duration::seconds(retry_after.unwrap_or(0) as i64));
    now + wait
}

/// Whether a feed is fetched in this refresh: not when gone or backing off, unless forced.
pub fn is_due(
    gone: bool,
    next_due: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    force: bool,
) -> bool {
    force || (!gone && next_due.is_none_or(|due| due <= now))
}

/// The base URL for the document's relative links: its `Content-Location` (RFC 9110 §8.7)
/// resolved against the URL it came from, when that is http(s); else that URL. Never with a
/// user name or password: a feed fetched with credentials would otherwise publish them in
/// every relative link of every post (`/notes/1` resolving to `http://user:secret@host/notes/1`).
pub fn document_base(final_url: &Url, content_location: Option<&str>) -> Url {
    let mut base = content_location
        .and_then(|cl| final_url.join(cl.trim()).ok())
        .filter(WebUrl::is_web)
        .unwrap_or_else(|| final_url.clone());
    // Cannot fail: an http(s) URL has a host.
    let _ = base.set_username("");
    let _ = base.set_password(None);
    base
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
        retry_after: None,
        kind: if status == 410 {
            FailureKind::Gone
        } else {
            FailureKind::Http
        },
        status: Some(status),
        message: format!("HTTP {status} {reason}{hint}")
            .replace("  ", " ")
            .trim()
            .to_string(),
    }
}

/// The `rel="hub"` and `rel="self"` targets of a response's `Link` headers (RFC 8288; W3C
/// WebSub §4), resolved against `base`, http(s) only: `(hub, self)`.
pub fn websub_links<'a>(
    values: impl IntoIterator<Item = &'a str>,
    base: &url::Url,
) -> (Option<url::Url>, Option<url::Url>) {
    let (mut hub, mut own) = (None, None);
    for value in values {
        let mut rest = value;
        // Each link is `<target>` then `;`-separated parameters up to the next `<`.
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|c| open + c) else {
                break;
            };
            let target = &rest[open + 1..close];
            let params_end = rest[close..].find('<').map_or(rest.len(), |n| close + n);
            let params = &rest[close + 1..params_end];
            rest = &rest[params_end..];
            let rels = params.split(';').filter_map(|p| {
                let (name, value) = p.split_once('=')?;
                name.trim().eq_ignore_ascii_case("rel").then(|| {
                    // The last parameter runs up to the `,` before the next link.
                    let value = value.trim().trim_end_matches(',').trim_end();
                    value.trim_matches('"').to_ascii_lowercase()
                })
            });
            let url = base
                .join(target.trim())
                .ok()
                .filter(crate::web_url::WebUrl::is_web);
            for rel in rels {
                for r in rel.split_ascii_whitespace() {
                    match r {
                        "hub" if hub.is_none() => hub = url.clone(),
                        "self" if own.is_none() => own = url.clone(),
                        _ => {}
                    }
                }
            }
        }
    }
    (hub, own)
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
        let private = Url::parse("http://user:secret@a.example/feeds/x.xml").unwrap();
        assert_eq!(
            document_base(&private, Some("y.xml")).as_str(),
            "http://a.example/feeds/y.xml"
        );
        assert_eq!(
            document_base(&private, None).as_str(),
            "http://a.example/feeds/x.xml"
        );
    }

    #[test]
    fn backoff_doubles_up_to_a_day() {
        let mins: Vec<i64> = (1..=10).map(|n| backoff(n).num_minutes()).collect();
        assert_eq!(mins, vec![10, 20, 40, 80, 160, 320, 640, 1280, 1440, 1440]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn retry_after_seconds_or_date() {
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(parse_retry_after("120", now), Some(120));
        assert_eq!(
            parse_retry_after("Thu, 01 Jan 2026 01:00:00 GMT", now),
            Some(3600)
        );
        assert_eq!(
            parse_retry_after("Wed, 31 Dec 2025 23:00:00 GMT", now),
            Some(0)
        );
        assert_eq!(parse_retry_after("99999999999", now), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("soon", now), None);
        let due = next_due_after_failure(1, Some(7200), now);
        assert_eq!((due - now).num_seconds(), 7200);
        let due = next_due_after_failure(3, Some(5), now);
        assert_eq!((due - now).num_minutes(), 40);
    }

    #[test]
    fn due_rules() {
        let now = Utc::now();
        let later = Some(now + Duration::hours(1));
        let earlier = Some(now - Duration::hours(1));
        assert!(is_due(false, None, now, false));
        assert!(is_due(false, earlier, now, false));
        assert!(!is_due(false, later, now, false));
        assert!(is_due(false, later, now, true));
        assert!(!is_due(true, None, now, false));
        assert!(is_due(true, None, now, true));
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
        assert_eq!(status_failure(410, None).kind, FailureKind::Gone);
    }

    #[test]
    fn websub_links_come_from_link_headers() {
        let base = url::Url::parse("https://blog.example/feed.xml").unwrap();
        let cases: &[(&[&str], Option<&str>, Option<&str>)] = &[
            (
                &[r#"<https://hub.example/>; rel="hub", <https://blog.example/feed>; rel="self""#],
                Some("https://hub.example/"),
                Some("https://blog.example/feed"),
            ),
            (
                &[
                    "</hub>; rel=hub",
                    r#"<feed.xml>; title="x, y"; rel="self alternate""#,
                ],
                Some("https://blog.example/hub"),
                Some("https://blog.example/feed.xml"),
            ),
            (&[r#"<javascript:alert(1)>; rel="hub""#], None, None),
            (
                &[r#"<https://a.example/>; rel="next""#, "garbage <"],
                None,
                None,
            ),
        ];
        for (values, hub, own) in cases {
            let (h, s) = websub_links(values.iter().copied(), &base);
            assert_eq!(h.as_ref().map(url::Url::as_str), *hub, "{values:?}");
            assert_eq!(s.as_ref().map(url::Url::as_str), *own, "{values:?}");
        }
    }
}

//! The files of the output folder over HTTP: which path names which file, and the response that
//! carries it (type, validators, cache headers, the compressed variant the client accepts).
//!
//! In: a request's method, path and headers, and the output folder. Out: a response whose body
//! is streamed from the open file, never read whole (200 clients of a 9.3 MB feed.json took the
//! server from 301 MB to 1.8 GB; the review's finding 4). Only a regular file inside the folder
//! is served: no symlink is followed below it, no folder, FIFO or device is opened (finding 8).

use std::fs::{File, Metadata};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, Method, Response, StatusCode, Uri};
use chrono::{DateTime, Utc};

use super::state::{plain, AppState};
use crate::render::precompress::{self, Encoding};

/// The page's Content-Security-Policy: no script at all; style sheets from the planet itself,
/// plus members' inline `style` attributes (already reduced to harmless declarations by the
/// sanitiser; `<style>` elements never get through it); images and media from members' http(s)
/// servers; forms (the search box) only to the planet itself.
pub(super) const CSP: &str =
    "default-src 'none'; style-src 'self'; style-src-attr 'unsafe-inline'; \
                   img-src http: https:; \
                   media-src http: https:; base-uri 'none'; form-action 'self'; \
                   frame-ancestors 'none'";

/// Bytes read from a file per chunk of a streamed body: with hyper's write buffer, what one
/// connection holds of a file at most while its client is slow to read.
const CHUNK: usize = 32 << 10;

/// Serves a file of the output folder with its type, validators and cache headers.
pub(super) async fn serve_file(
    State(state): State<Arc<AppState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return plain(StatusCode::METHOD_NOT_ALLOWED, "GET or HEAD only\n".into());
    }
    let Some(rel) = safe_path(uri.path()) else {
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    };
    // A folder named without its trailing slash (`/tags/x`, `/members/ada`): its page's
    // relative links (`atom.xml`, `../../style.css`) would resolve one folder too high.
    // Only a folder that would be served (its index.html a regular file, no symlink on the way).
    if !uri.path().ends_with('/') && !rel.as_os_str().is_empty() {
        let (out_dir, index) = (state.out_dir.clone(), rel.join("index.html"));
        let folder = tokio::task::spawn_blocking(move || open_in(&out_dir, &index, "").is_some())
            .await
            .unwrap_or(false);
        if folder {
            let query = uri.query().map(|q| format!("?{q}")).unwrap_or_default();
            return Response::builder()
                .status(StatusCode::MOVED_PERMANENTLY)
                .header(header::LOCATION, format!("{}/{query}", uri.path()))
                .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
                .body(Body::from("moved: the folder's address ends with /\n"))
                .unwrap_or_default();
        }
    }
    let accept = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let rel_name = rel_str(&rel);
    let out_dir = state.out_dir.clone();
    let opened = tokio::task::spawn_blocking(move || open_in(&out_dir, &rel, &accept))
        .await
        .ok()
        .flatten();
    let Some(opened) = opened else {
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    };
    let modified: DateTime<Utc> = opened.modified.into();
    let etag = etag(&opened.meta, opened.modified);
    let fresh = is_fresh(&headers, &etag, modified);
    let max_age = state.health().max_age;
    let kind = content_type(&opened.path);
    let mut response = Response::builder()
        .header(header::ETAG, &etag)
        .header(
            header::LAST_MODIFIED,
            modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string(),
        )
        .header(
            header::CACHE_CONTROL,
            format!("public, max-age={max_age}, must-revalidate"),
        )
        .header(header::CONTENT_TYPE, kind);
    if opened.varies {
        response = response.header(header::VARY, "accept-encoding");
    }
    // A merged feed names the planet's WebSub hub and its own topic URL (WebSub §4), for
    // subscribers that read headers rather than the document.
    if let Some(links) = state.hub() {
        if crate::render::is_merged_feed(&rel_name) {
            if let Some(link) = links.header(&rel_name) {
                response = response.header(header::LINK, link);
            }
        }
    }
    if kind.starts_with("text/html") {
        response = response
            .header("content-security-policy", CSP)
            .header("referrer-policy", "strict-origin-when-cross-origin");
    }
    if fresh {
        return response
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap_or_default();
    }
    if let Some(encoding) = opened.encoding {
        response = response.header(header::CONTENT_ENCODING, encoding.token());
    }
    // The length of what is sent: the file's, or its variant's. Given here, so a streamed body
    // is sent with Content-Length rather than chunked.
    let response = response
        .header(header::CONTENT_LENGTH, opened.body_len)
        .status(StatusCode::OK);
    let body = if method == Method::HEAD {
        Body::empty()
    } else {
        let file = tokio::fs::File::from_std(opened.body);
        Body::from_stream(tokio_util::io::ReaderStream::with_capacity(file, CHUNK))
    };
    response.body(body).unwrap_or_default()
}

/// `rel` as a `/`-separated path.
fn rel_str(rel: &Path) -> String {
    let parts: Vec<_> = rel.iter().map(|p| p.to_string_lossy()).collect();
    parts.join("/")
}

/// Whether the client's copy is current: If-None-Match against `etag` (weak or strong alike),
/// or, without it, If-Modified-Since against `modified` (RFC 9110, 13.1.3: If-None-Match wins).
fn is_fresh(headers: &HeaderMap, etag: &str, modified: DateTime<Utc>) -> bool {
    match headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(inm) => inm.split(',').any(|t| {
            let t = t.trim();
            t == "*" || t.trim_start_matches("W/") == etag.trim_start_matches("W/")
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| modified.timestamp() <= since.timestamp()),
    }
}

/// A file opened to be served.
struct Opened {
    /// The file's path (its name gives the type).
    path: PathBuf,
    meta: Metadata,
    modified: SystemTime,
    /// What is sent: the file itself, or the variant in `encoding`.
    body: File,
    body_len: u64,
    encoding: Option<Encoding>,
    /// The response depends on `Accept-Encoding` (the file has variants).
    varies: bool,
}

/// Opens the regular file that `rel` names inside `out_dir` (a folder's `index.html` for a
/// folder), and the variant of it that `accept` prefers, if the render made one. `None` for
/// anything else: a missing file, a symlink at any step below `out_dir` (to `/etc/hostname`, to
/// the database), a FIFO or a device, a variant asked for by its own name.
fn open_in(out_dir: &Path, rel: &Path, accept: &str) -> Option<Opened> {
    let mut path = out_dir.to_path_buf();
    let mut parts = rel.components().peekable();
    while let Some(part) = parts.next() {
        path.push(part);
        // lstat: a symlink is refused, never resolved.
        let meta = std::fs::symlink_metadata(&path).ok()?;
        if parts.peek().is_some() {
            if !meta.is_dir() {
                return None;
            }
        } else if meta.is_dir() {
            path.push("index.html");
        }
    }
    let name = path.file_name()?.to_str()?;
    if precompress::is_variant(name) {
        return None;
    }
    let (file, meta) = open_regular(&path)?;
    let modified = meta.modified().ok()?;
    let varies = precompress::compressible(name);
    let variant = varies
        .then(|| {
            preferred(accept).into_iter().find_map(|encoding| {
                let (v, vmeta) = open_regular(&precompress::variant_path(&path, encoding))?;
                // Made from this version of the file (see `precompress`), not an older one.
                (vmeta.modified().ok()? == modified).then_some((encoding, v, vmeta.len()))
            })
        })
        .flatten();
    let len = meta.len();
    let (encoding, body, body_len) = match variant {
        Some((encoding, v, vlen)) => (Some(encoding), v, vlen),
        None => (None, file, len),
    };
    Some(Opened {
        path,
        meta,
        modified,
        body,
        body_len,
        encoding,
        varies,
    })
}

/// Opens `path` for reading if it is a regular file: without following a symlink (O_NOFOLLOW),
/// without waiting on a FIFO (O_NONBLOCK), and checked after opening (fstat), so a file swapped
/// for something else between the check above and the open is refused too.
fn open_regular(path: &Path) -> Option<(File, Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = options.open(path).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta))
}

/// A weak validator from the file's size and modification time (nginx's recipe), so a request
/// never reads the file to make it. It holds across refreshes while the content does: the render
/// rewrites a file only when its bytes change (`atomic::write_atomic`).
fn etag(meta: &Metadata, modified: SystemTime) -> String {
    let nanos = modified
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("W/\"{:x}-{nanos:x}\"", meta.len())
}

/// The codings to try, best first, from an `Accept-Encoding` value (RFC 9110 §12.5.3): those
/// the client accepts (named with a q above 0, or covered by `*`), by the client's q, then by
/// the server's preference (brotli, then gzip).
pub fn preferred(accept: &str) -> Vec<Encoding> {
    let mut named: Vec<(&str, f32)> = Vec::new();
    for item in accept.split(',') {
        let mut fields = item.split(';');
        let coding = fields.next().unwrap_or("").trim();
        let q = fields
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !coding.is_empty() {
            named.push((coding, q));
        }
    }
    let q_of = |token: &str| {
        let find = |t: &str| {
            named
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(t))
                .map(|(_, q)| *q)
        };
        find(token).or_else(|| find("*")).unwrap_or(0.0)
    };
    let mut accepted: Vec<(Encoding, f32)> = Encoding::ALL
        .iter()
        .map(|e| (*e, q_of(e.token())))
        .filter(|(_, q)| *q > 0.0)
        .collect();
    // A stable sort: equal q keeps the server's order.
    accepted.sort_by(|a, b| b.1.total_cmp(&a.1));
    accepted.into_iter().map(|(e, _)| e).collect()
}

/// A request path as a relative path inside the output folder, or `None` when it could leave
/// it or names a hidden file (the temporary files of atomic writes start with a dot).
pub fn safe_path(path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut rel = PathBuf::new();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') || segment.contains('\0') {
            return None;
        }
        rel.push(segment);
    }
    if rel.as_os_str().is_empty() || decoded.ends_with('/') {
        rel.push("index.html");
    }
    Some(rel)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Content types by file name: the merged feeds get their registered types.
pub fn content_type(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name {
        "atom.xml" => "application/atom+xml; charset=utf-8",
        "rss.xml" => "application/rss+xml; charset=utf-8",
        "feed.json" => "application/feed+json; charset=utf-8",
        "opml.xml" => "text/x-opml; charset=utf-8",
        _ => match name.rsplit('.').next().unwrap_or("") {
            "html" => "text/html; charset=utf-8",
            "css" => "text/css; charset=utf-8",
            "js" => "text/javascript; charset=utf-8",
            "xml" => "application/xml; charset=utf-8",
            "json" => "application/json",
            "txt" => "text/plain; charset=utf-8",
            "svg" => "image/svg+xml",
            "png" => "image/png",
            "jpg" | "jpeg" => "image/jpeg",
            "gif" => "image/gif",
            "webp" => "image/webp",
            "ico" => "image/x-icon",
            "woff2" => "font/woff2",
            _ => "application/octet-stream",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_output_folder() {
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("index.html")),
            ("/atom.xml", Some("atom.xml")),
            ("/page/2.html", Some("page/2.html")),
            ("/tags/x/", Some("tags/x/index.html")),
            ("/../etc/passwd", None),
            ("/%2e%2e/etc/passwd", None),
            ("/.index.html.123.tmp", None),
            ("/a%00b", None),
            ("/%zz", None),
        ];
        for (input, want) in cases {
            assert_eq!(
                safe_path(input).map(|p| p.to_string_lossy().into_owned()),
                want.map(String::from),
                "{input}"
            );
        }
    }

    #[test]
    fn feeds_get_their_registered_types() {
        for (name, want) in [
            ("atom.xml", "application/atom+xml"),
            ("rss.xml", "application/rss+xml"),
            ("feed.json", "application/feed+json"),
            ("opml.xml", "text/x-opml"),
            ("index.html", "text/html"),
            ("style.css", "text/css"),
        ] {
            assert!(content_type(Path::new(name)).starts_with(want), "{name}");
        }
    }

    #[test]
    fn the_coding_is_the_best_the_client_accepts() {
        use Encoding::{Brotli, Gzip};
        let cases: &[(&str, &[Encoding])] = &[
            ("", &[]),
            ("identity", &[]),
            ("gzip", &[Gzip]),
            ("gzip, deflate, br", &[Brotli, Gzip]),
            ("br;q=0.5, gzip", &[Gzip, Brotli]),
            ("br;q=0, gzip;q=0", &[]),
            ("*", &[Brotli, Gzip]),
            ("*;q=0.1, br;q=0", &[Gzip]),
            ("GZIP; q=0.8", &[Gzip]),
        ];
        for (accept, want) in cases {
            assert_eq!(preferred(accept), *want, "{accept:?}");
        }
    }
}

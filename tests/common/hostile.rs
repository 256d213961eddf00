//! A hostile HTTP server of the tests' own, on raw TCP so that it can misbehave in ways a
//! framework would not let it: drip bytes, never answer, lie about lengths, loop redirects.
//! One thread per connection; every response closes the connection.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the hostile server saw: the request paths, in order.
pub struct HostileServer {
    pub addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    /// (in flight now, most ever in flight) for the `/slow-ok/*` paths.
    concurrency: Arc<Mutex<(usize, usize)>>,
}

pub const GOOD_FEED: &str = r#"<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title>
<link>https://good.example/</link><item><title>Healthy post</title><guid>good-1</guid>
<link>https://good.example/1</link><pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>
</channel></rss>"#;

impl HostileServer {
    pub fn start() -> HostileServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let bomb = Arc::new(gzip_bomb());
        let concurrency = Arc::new(Mutex::new((0, 0)));
        let seen2 = seen.clone();
        let conc2 = concurrency.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let seen = seen2.clone();
                let bomb = bomb.clone();
                let conc = conc2.clone();
                std::thread::spawn(move || {
                    let _ = handle(stream, &seen, &bomb, &conc);
                });
            }
        });
        HostileServer {
            addr,
            seen,
            concurrency,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }

    /// The most `/slow-ok/*` requests that were ever in flight at once.
    pub fn max_in_flight(&self) -> usize {
        self.concurrency.lock().unwrap().1
    }
}

/// 64 MiB of zeros, gzipped (about 64 KiB on the wire).
fn gzip_bomb() -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    enc.finish().unwrap()
}

/// A 200 with [`GOOD_FEED`].
fn write_good_feed(out: &mut TcpStream) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/rss+xml\r\n\
         Content-Length: {}\r\n\r\n",
        GOOD_FEED.len()
    );
    out.write_all(head.as_bytes())?;
    out.write_all(GOOD_FEED.as_bytes())
}

fn handle(
    stream: TcpStream,
    seen: &Mutex<Vec<String>>,
    bomb: &[u8],
    concurrency: &Mutex<(usize, usize)>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" || h == "\n" {
            break;
        }
    }
    seen.lock().unwrap().push(path.clone());
    let mut out = stream;
    let head = |status: &str, headers: &str| {
        format!("HTTP/1.1 {status}\r\nConnection: close\r\n{headers}\r\n")
    };
    match path.as_str() {
        "/good.xml" | "/new-home.xml" => {
            write_good_feed(&mut out)?;
        }
        p if p.starts_with("/slow-ok/") => {
            {
                let mut c = concurrency.lock().unwrap();
                c.0 += 1;
                c.1 = c.1.max(c.0);
            }
            std::thread::sleep(Duration::from_millis(300));
            concurrency.lock().unwrap().0 -= 1;
            write_good_feed(&mut out)?;
        }
        "/gzipped.xml" | "/brotli.xml" => {
            let (encoding, body) = if path == "/gzipped.xml" {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                enc.write_all(GOOD_FEED.as_bytes())?;
                ("gzip", enc.finish()?)
            } else {
                let mut out = Vec::new();
                let mut input = GOOD_FEED.as_bytes();
                brotli::BrotliCompress(&mut input, &mut out, &Default::default())?;
                ("br", out)
            };
            let h = head(
                "200 OK",
                &format!(
                    "Content-Type: application/rss+xml\r\nContent-Encoding: {encoding}\r\nContent-Length: {}\r\n",
                    body.len()
                ),
            );
            out.write_all(h.as_bytes())?;
            out.write_all(&body)?;
        }
        "/slow-drip" => {
            out.write_all(head("200 OK", "Content-Type: application/rss+xml\r\n").as_bytes())?;
            out.write_all(b"<rss version=\"2.0\"><channel>")?;
            for _ in 0..600 {
                std::thread::sleep(Duration::from_millis(500));
                out.write_all(b" ")?;
                out.flush()?;
            }
        }
        p if p.starts_with("/never") => {
            std::thread::sleep(Duration::from_secs(300));
        }
        "/huge" => {
            out.write_all(
                head(
                    "200 OK",
                    "Content-Type: application/rss+xml\r\nContent-Length: 500000000\r\n",
                )
                .as_bytes(),
            )?;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..8000 {
                out.write_all(&chunk)?;
            }
        }
        "/huge-chunked" => {
            out.write_all(
                head(
                    "200 OK",
                    "Content-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n",
                )
                .as_bytes(),
            )?;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..8000 {
                out.write_all(format!("{:x}\r\n", chunk.len()).as_bytes())?;
                out.write_all(&chunk)?;
                out.write_all(b"\r\n")?;
            }
        }
        "/gzip-bomb" => {
            let h = head(
                "200 OK",
                &format!(
                    "Content-Type: application/rss+xml\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n",
                    bomb.len()
                ),
            );
            out.write_all(h.as_bytes())?;
            out.write_all(bomb)?;
        }
        "/loop" => {
            out.write_all(head("302 Found", "Location: /loop\r\nContent-Length: 0\r\n").as_bytes())?
        }
        p if p.starts_with("/chain/") => {
            let n: u32 = p[7..].parse().unwrap_or(0);
            let h = head(
                "301 Moved Permanently",
                &format!("Location: /chain/{}\r\nContent-Length: 0\r\n", n + 1),
            );
            out.write_all(h.as_bytes())?;
        }
        "/to-file" => out.write_all(
            head(
                "302 Found",
                "Location: file:///etc/passwd\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        )?,
        "/moved" => out.write_all(
            head(
                "301 Moved Permanently",
                "Location: /new-home.xml\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        )?,
        "/temporary" => out.write_all(
            head("302 Found", "Location: /good.xml\r\nContent-Length: 0\r\n").as_bytes(),
        )?,
        "/gone" => out.write_all(head("410 Gone", "Content-Length: 0\r\n").as_bytes())?,
        "/busy" => out.write_all(
            head(
                "429 Too Many Requests",
                "Retry-After: 3600\r\nContent-Length: 0\r\n",
            )
            .as_bytes(),
        )?,
        "/page" => {
            let body = "<!DOCTYPE html><html><head><title>Blog</title>\
                <link rel=\"alternate\" type=\"application/rss+xml\" href=\"/good.xml\"></head>\
                <body>Welcome</body></html>";
            let h = head(
                "200 OK",
                &format!(
                    "Content-Type: text/html\r\nContent-Length: {}\r\n",
                    body.len()
                ),
            );
            out.write_all(h.as_bytes())?;
            out.write_all(body.as_bytes())?;
        }
        "/lies" => {
            out.write_all(
                head(
                    "200 OK",
                    "Content-Type: application/rss+xml\r\nContent-Length: 10000\r\n",
                )
                .as_bytes(),
            )?;
            out.write_all(&GOOD_FEED.as_bytes()[..100])?;
        }
        _ => out.write_all(head("404 Not Found", "Content-Length: 0\r\n").as_bytes())?,
    }
    out.flush()
}

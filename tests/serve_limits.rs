//! Guards `mercury serve` against hostile and broken clients (the adversarial review's findings
//! 4, 8 and 9): connections that never finish a request, or sit idle, are closed after the
//! header-read timeout; slow clients holding every connection slot do not keep a normal request
//! out; non-reading clients of a large file do not make the server hold the file in memory;
//! compressed variants are made by the render, not per request; nothing but a regular file
//! inside the output folder is served (no symlink is followed); every response says `nosniff`.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::*;

/// A planet without members (nothing to fetch), served on a free loopback port with `server`
/// lines added to `[server]`; returns once the first render is served.
fn serving(server: &str) -> (Planet, String, Serving) {
    serving_with(Planet::new(), server)
}

/// [`serving`] for a planet of the test's own.
fn serving_with(mut planet: Planet, server: &str) -> (Planet, String, Serving) {
    let addr = free_addr();
    planet.planet_extra = format!("[server]\nlisten = \"{addr}\"\n{server}");
    let config = planet.write_config();
    let serving = serve(&config);
    assert!(
        wait_for(20, || http_get(&addr, "/robots.txt", &[])
            .is_ok_and(|r| r.status == 200)),
        "serve never answered"
    );
    (planet, addr, serving)
}

/// Whether the server has closed `stream`: a read gives end-of-file or an error other than the
/// read timeout. Waits at most `secs` seconds.
fn closed_within(stream: &mut TcpStream, secs: u64) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue
            }
            Err(_) => return true,
        }
    }
    false
}

/// Whether the server has closed `stream` already (a read that does not wait).
fn closed_now(mut stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 4096];
    let closed = match stream.read(&mut buf) {
        Ok(n) => n == 0,
        Err(e) => e.kind() != std::io::ErrorKind::WouldBlock,
    };
    stream.set_nonblocking(false).unwrap();
    closed
}

/// Reads one whole response off a keep-alive connection (its length from `Content-Length`).
fn read_one_response(stream: &mut TcpStream) -> Vec<u8> {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream.read(&mut buf).expect("response");
        assert!(n > 0, "closed before the response ended");
        got.extend_from_slice(&buf[..n]);
        let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .map(|v| v.trim().parse().unwrap())
            .expect("content-length");
        if got.len() >= end + 4 + len {
            return got;
        }
    }
}

/// Finding 4: a connection that says nothing, one that sends half a request and one left idle
/// after a keep-alive response were all still open after 125 s. Each now closes after the
/// header-read timeout (10 s).
#[test]
fn silent_half_sent_and_idle_connections_are_closed_after_the_header_timeout() {
    let (_planet, addr, _serving) = serving("");
    let mut silent = TcpStream::connect(&addr).unwrap();
    let mut half = TcpStream::connect(&addr).unwrap();
    half.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .unwrap();
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let first = read_one_response(&mut idle);
    assert!(first.starts_with(b"HTTP/1.1 200"), "keep-alive request");

    // 10 s of timeout, and generous slack for a loaded machine.
    assert!(
        closed_within(&mut silent, 25),
        "a silent connection stays open"
    );
    assert!(
        closed_within(&mut half, 5),
        "a half-sent request stays open"
    );
    assert!(closed_within(&mut idle, 5), "an idle keep-alive stays open");
}

/// Finding 4: 1,100 connections sending partial headers blocked every other client. With
/// `max_connections = 8` held by eight such connections, a normal request is still served —
/// well before the header-read timeout would free a slot — because a new connection at the cap
/// replaces the one idle longest; and the cap holds (one of the eight was closed to make room).
#[test]
fn slow_clients_holding_the_cap_do_not_block_a_normal_request() {
    let (_planet, addr, _serving) = serving("max_connections = 8\n");
    let opened = Instant::now();
    let slow: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n").unwrap();
            s
        })
        .collect();
    // Idle for more than the one second a connection must idle before it can be replaced.
    std::thread::sleep(Duration::from_millis(1500));

    let r = http_get(&addr, "/robots.txt", &[]).expect("the normal request");
    assert_eq!(r.status, 200);
    let served_after = opened.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let closed = slow.iter().filter(|s| closed_now(s)).count();
    // Not a speed claim: it shows the request did not wait for the 10 s header timeout.
    assert!(
        served_after < Duration::from_secs(9),
        "the request waited for the header timeout ({served_after:?})"
    );
    assert!(closed >= 1, "the cap of 8 connections did not hold");
    assert!(closed < 8, "every slow connection was closed ({closed})");
}

/// Resident memory of a process, in kB (Linux).
fn rss_kb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// Finding 4: 200 clients requesting a 9.3 MB feed.json without reading raised memory from 301 MB
/// to 1.8 GB (each request read the whole file). Files are streamed now: 16 clients that never
/// read a 16 MB file cost the server well under 4 MB each (about 125 KB measured), and a client
/// that reads slowly still gets every byte.
#[cfg(target_os = "linux")]
#[test]
fn non_reading_clients_of_a_large_file_do_not_hold_it_in_memory() {
    let (planet, addr, serving) = serving("");
    // Text that compresses poorly would not matter here: the file is served as it is.
    let big: Vec<u8> = (0..16u32 << 20)
        .map(|i| b'a' + (i.wrapping_mul(2_654_435_761) >> 27) as u8 % 26)
        .collect();
    std::fs::write(planet.out("big.txt"), &big).unwrap();
    let pid = serving.0.id();
    let before = rss_kb(pid);
    let stalled: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut s = TcpStream::connect(&addr).unwrap();
            s.write_all(b"GET /big.txt HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            s
        })
        .collect();
    std::thread::sleep(Duration::from_secs(2));
    let during = rss_kb(pid);
    let grown_mb = during.saturating_sub(before) / 1024;
    // Buffering would hold most of 16 x 16 MB (what the kernel's socket buffers do not take).
    assert!(
        grown_mb < 64,
        "16 stalled clients grew the server by {grown_mb} MB"
    );

    // A reader that takes its time gets the whole file.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /big.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut got = Vec::new();
    let mut buf = vec![0u8; 256 << 10];
    loop {
        let n = slow.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
        std::thread::sleep(Duration::from_millis(2));
    }
    let end = got.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&got[..end]).to_ascii_lowercase();
    assert!(
        head.contains(&format!("content-length: {}", big.len())),
        "{head}"
    );
    assert!(
        got[end..] == big[..],
        "the streamed body differs from the file"
    );
    drop(stalled);
}

/// Finding 4: brotli was computed per request (40 parallel requests for feed.json took 5.4 s of
/// two cores). The render now writes `.gz` and `.br` beside each text file, and the server sends
/// them: replacing the variant on disk changes what is sent, so nothing is compressed per request.
#[test]
fn compressed_variants_are_made_by_the_render_not_per_request() {
    let feeds = FeedServer::start();
    feeds.fixture("/feed.xml", "rss2.xml", RSS);
    let mut planet = Planet::new();
    planet.feed(&feeds.url("/feed.xml"), "Alice");
    let (planet, addr, _serving) = serving_with(planet, "");
    assert!(
        wait_for(20, || planet.out("feed.json.br").exists()
            && planet.out("feed.json.gz").exists()),
        "no feed.json.br after the first refresh"
    );
    let json = std::fs::read(planet.out("feed.json")).unwrap();

    let mut decoded = Vec::new();
    brotli::BrotliDecompress(
        &mut &std::fs::read(planet.out("feed.json.br")).expect("feed.json.br")[..],
        &mut decoded,
    )
    .unwrap();
    assert_eq!(decoded, json, "feed.json.br holds feed.json");
    let gz = std::fs::read(planet.out("feed.json.gz")).expect("feed.json.gz");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, json, "feed.json.gz holds feed.json");

    for (accept, coding) in [
        ("br", Some("br")),
        ("gzip, br", Some("br")),
        ("gzip", Some("gzip")),
    ] {
        let r = http_get(&addr, "/feed.json", &[("Accept-Encoding", accept)]).unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(r.header("content-encoding"), coding, "{accept}");
        assert!(r
            .header("vary")
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding"));
        let want = std::fs::read(planet.out(&format!(
            "feed.json.{}",
            if accept == "gzip" { "gz" } else { "br" }
        )))
        .unwrap();
        assert_eq!(r.raw, want, "{accept}");
    }
    let plain = http_get(&addr, "/feed.json", &[]).unwrap();
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.raw, json);
    let refused = http_get(
        &addr,
        "/feed.json",
        &[("Accept-Encoding", "br;q=0, gzip;q=0")],
    )
    .unwrap();
    assert_eq!(refused.header("content-encoding"), None);
    assert_eq!(refused.raw, json);

    // The server sends what the render wrote: a variant swapped on disk (same modification time
    // as the file it belongs to, as the render sets it) is what goes out.
    let variant = planet.out("feed.json.br");
    let modified = std::fs::metadata(planet.out("feed.json"))
        .unwrap()
        .modified()
        .unwrap();
    let mut other = Vec::new();
    {
        let mut w = brotli::CompressorWriter::new(&mut other, 4096, 5, 22);
        w.write_all(b"{\"swapped\": true}").unwrap();
    }
    std::fs::write(&variant, &other).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&variant)
        .unwrap()
        .set_modified(modified)
        .unwrap();
    let r = http_get(&addr, "/feed.json", &[("Accept-Encoding", "br")]).unwrap();
    assert_eq!(r.raw, other, "the server compressed feed.json itself");

    // The variants are not pages of their own.
    assert_eq!(http_get(&addr, "/feed.json.br", &[]).unwrap().status, 404);
    assert_eq!(http_get(&addr, "/index.html.gz", &[]).unwrap().status, 404);
}

/// Finding 8: `serve` followed symlinks inside the output folder (to `/etc/hostname`, to the
/// database). Only regular files inside the folder are served: no symlink (to a file or a
/// folder), no FIFO, no folder without an index.
#[cfg(unix)]
#[test]
#[allow(unsafe_code)] // mkfifo through libc: std makes no FIFO
fn a_symlink_in_the_output_folder_is_not_followed() {
    let (planet, addr, _serving) = serving("");
    let public = planet.out("");
    std::os::unix::fs::symlink("/etc/hostname", public.join("host")).unwrap();
    std::os::unix::fs::symlink(planet.dir.path().join("mercury.db"), public.join("db.txt"))
        .unwrap();
    std::os::unix::fs::symlink("/etc", public.join("etc")).unwrap();
    std::os::unix::fs::symlink(public.join("robots.txt"), public.join("robots2.txt")).unwrap();
    std::fs::create_dir(public.join("empty")).unwrap();
    let fifo = std::ffi::CString::new(public.join("pipe").to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);

    for path in [
        "/host",
        "/db.txt",
        "/etc/hostname",
        "/etc/",
        "/robots2.txt",
        "/empty",
        "/empty/",
        "/pipe",
    ] {
        let r = http_get(&addr, path, &[]).unwrap();
        assert_eq!(r.status, 404, "{path} was served");
    }
    assert_eq!(http_get(&addr, "/robots.txt", &[]).unwrap().status, 200);
}

/// Finding 9: `/healthz` lacked `X-Content-Type-Options: nosniff`; every response carries it.
#[test]
fn healthz_says_nosniff() {
    let (_planet, addr, _serving) = serving("");
    for path in ["/healthz", "/missing.html", "/robots.txt"] {
        let r = http_get(&addr, path, &[]).unwrap();
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path} ({})",
            r.status
        );
    }
}

//! Guards WebSub subscribing under `serve` with `[server] public_url`: a member feed that
//! announces a hub is subscribed with a callback `<public_url>/websub/<id>` and a secret; the
//! hub's challenge is echoed only for the pending mode and topic (not replayed, not for unknown
//! callbacks); pushes are refused without a valid signature, over `max_bytes`, when malformed
//! or for unknown callbacks, and a valid one shows its post on the page; the subscription is
//! renewed before its lease ends (controlled clock), the feed is polled less meanwhile, and a
//! member who leaves feeds.toml is unsubscribed.

mod common;

use std::process::{Command, Stdio};

use common::hub::{http_request, sign, Hub, HubRequest};
use common::*;

const T0: &str = "2026-03-01T12:00:00Z";

fn feed(hub: &str, own: &str, posts: &[&str]) -> String {
    let items: String = posts
        .iter()
        .map(|p| {
            format!(
                "<item><title>{p}</title><guid>{p}</guid><link>https://alpha.example/{p}</link>\
                 <pubDate>Mon, 05 Jan 2026 08:00:00 GMT</pubDate></item>"
            )
        })
        .collect();
    format!(
        r#"<?xml version="1.0"?><rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
        <channel><title>Alpha</title><link>https://alpha.example/</link>
        <atom:link rel="hub" href="{hub}"/><atom:link rel="self" href="{own}"/>{items}
        </channel></rss>"#
    )
}

/// A planet that serves on `addr` with that address as its public URL, refreshing once at
/// start (the schedule's next run is a year away).
fn planet(addr: &str) -> Planet {
    let mut planet = Planet::new();
    planet.planet_extra = format!(
        "schedule = \"0 0 0 1 1 *\"\n\n[server]\nlisten = \"{addr}\"\n\
         public_url = \"http://{addr}/\"\n"
    );
    planet.fetch_extra.push_str("max_bytes = 20000\n");
    planet
}

/// `mercury serve` at the controlled time `now`.
fn serve_at(config: &std::path::Path, now: &str) -> Serving {
    let child = Command::new(env!("CARGO_BIN_EXE_mercury"))
        .arg("--config")
        .arg(config)
        .arg("serve")
        .env("MERCURY_TEST_NOW", now)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start mercury serve");
    Serving(child)
}

/// Waits for the `n`th request of `mode` at the hub.
fn nth_request(hub: &Hub, mode: &str, n: usize) -> HubRequest {
    assert!(
        wait_for(60, || hub.requests(mode).len() >= n),
        "the hub got {:?}",
        hub.seen()
    );
    hub.requests(mode)[n - 1].clone()
}

fn callback_path(req: &HubRequest) -> String {
    let callback = req.field("hub.callback").unwrap();
    let url = url::Url::parse(callback).unwrap();
    url.path().to_string()
}

fn verify_query(mode: &str, topic: &str, challenge: &str, lease: u64) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("hub.mode", mode)
        .append_pair("hub.topic", topic)
        .append_pair("hub.challenge", challenge)
        .append_pair("hub.lease_seconds", &lease.to_string())
        .finish()
}

fn status_json(config: &std::path::Path, now: &str) -> serde_json::Value {
    let out = mercury_env(config, &["status", "--json"], &[("MERCURY_TEST_NOW", now)]);
    assert!(out.status.success(), "{}", describe(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn subscription_dance_pushes_and_refusals() {
    let server = FeedServer::start();
    let hub = Hub::start();
    let feed_url = server.url("/a.xml");
    server.feed("/a.xml", &feed(&hub.url(), &feed_url, &["first"]), RSS);
    let addr = free_addr();
    let mut planet = planet(&addr);
    planet.feed(&feed_url, "Alpha");
    let config = planet.write_config();
    let mut serving = serve_at(&config, T0);

    // The subscription request: callback under the public URL, a secret, a lease.
    let req = nth_request(&hub, "subscribe", 1);
    assert_eq!(req.field("hub.topic"), Some(feed_url.as_str()));
    let callback = req.field("hub.callback").unwrap();
    assert!(
        callback.starts_with(&format!("http://{addr}/websub/")),
        "{callback}"
    );
    let id = callback.rsplit('/').next().unwrap();
    assert!(id.len() >= 32, "a guessable callback id: {id}");
    let secret = req.field("hub.secret").unwrap().to_string();
    assert!(secret.len() >= 32);
    assert!(req.field("hub.lease_seconds").is_some());
    let path = callback_path(&req);
    assert_eq!(status_json(&config, T0)[0]["websub"]["state"], "pending");

    // Challenges for what was not asked are refused: another topic, another mode, another id.
    let get =
        |path: &str, query: &str| http_request("GET", &addr, &format!("{path}?{query}"), &[], b"");
    let wrong_topic = verify_query("subscribe", "http://elsewhere.example/", "c1", 3600);
    assert_eq!(get(&path, &wrong_topic).status, 404);
    assert_eq!(
        get(&path, &verify_query("unsubscribe", &feed_url, "c2", 0)).status,
        404
    );
    let unknown = "/websub/00000000000000000000000000000000";
    assert_eq!(
        get(unknown, &verify_query("subscribe", &feed_url, "c3", 3600)).status,
        404
    );
    // Nothing is pushed before the subscription is verified.
    let early = feed(&hub.url(), &feed_url, &["early"]);
    let signed = sign("sha256", &secret, early.as_bytes());
    let r = http_request(
        "POST",
        &addr,
        &path,
        &[("X-Hub-Signature", &signed)],
        early.as_bytes(),
    );
    assert_eq!(r.status, 410);

    // The hub's verification: the challenge is echoed once; a replay is refused.
    let ok = get(
        &path,
        &verify_query("subscribe", &feed_url, "challenge-1", 3600),
    );
    assert_eq!((ok.status, ok.body.as_str()), (200, "challenge-1"));
    let replay = get(
        &path,
        &verify_query("subscribe", &feed_url, "challenge-1", 3600),
    );
    assert_eq!(replay.status, 404);
    let status = status_json(&config, T0);
    assert_eq!(status[0]["websub"]["state"], "active");
    assert_eq!(status[0]["websub"]["lease_end"], "2026-03-01T13:00:00Z");

    // Refused pushes, none of which may change a post.
    let forged = feed(&hub.url(), &feed_url, &["first", "forged"]);
    let post = |path: &str, headers: &[(&str, &str)], body: &[u8]| {
        http_request("POST", &addr, path, headers, body).status
    };
    assert_eq!(post(&path, &[], forged.as_bytes()), 403, "no signature");
    let wrong_key = sign("sha256", "not the secret", forged.as_bytes());
    assert_eq!(
        post(&path, &[("X-Hub-Signature", &wrong_key)], forged.as_bytes()),
        403
    );
    let other_body = sign("sha256", &secret, b"something else");
    assert_eq!(
        post(
            &path,
            &[("X-Hub-Signature", &other_body)],
            forged.as_bytes()
        ),
        403
    );
    let good = sign("sha256", &secret, forged.as_bytes());
    assert_eq!(
        post(unknown, &[("X-Hub-Signature", &good)], forged.as_bytes()),
        404
    );
    let huge = format!("{}{}", forged, " ".repeat(30_000));
    let huge_sig = sign("sha256", &secret, huge.as_bytes());
    assert_eq!(
        post(&path, &[("X-Hub-Signature", &huge_sig)], huge.as_bytes()),
        413
    );
    let junk = b"this is not a feed";
    let junk_sig = sign("sha256", &secret, junk);
    assert_eq!(post(&path, &[("X-Hub-Signature", &junk_sig)], junk), 400);
    // The feed is not marked failing by a bad push.
    assert_eq!(status_json(&config, T0)[0]["consecutive_failures"], 0);

    // A signed push: its post is on the page without waiting for a poll.
    let pushed = feed(&hub.url(), &feed_url, &["first", "pushed"]);
    let sig = sign("sha256", &secret, pushed.as_bytes());
    assert_eq!(
        post(
            &path,
            &[("X-Hub-Signature", &sig), ("Content-Type", RSS)],
            pushed.as_bytes()
        ),
        200
    );
    assert!(
        wait_for(30, || std::fs::read_to_string(planet.out("index.html"))
            .is_ok_and(|p| p.contains("pushed"))),
        "the pushed post never reached the page"
    );
    let page = planet.read("index.html");
    assert!(
        !page.contains("forged") && !page.contains("early"),
        "{page}"
    );
    // The member's page says the planet is subscribed to their hub.
    let members = std::fs::read_dir(planet.out("members"))
        .unwrap()
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.path().join("index.html"))
        .collect::<Vec<_>>();
    assert_eq!(members.len(), 1, "{members:?}");
    let member_page = std::fs::read_to_string(&members[0]).unwrap();
    assert!(
        member_page.contains("Real-time updates (WebSub)")
            && member_page.contains(&format!("active · {}", hub.url())),
        "{member_page}"
    );
    // The hub signed with sha256: a sha1 signature from now on is a downgrade, refused.
    let later = feed(&hub.url(), &feed_url, &["first", "pushed", "sha1"]);
    let sha1 = sign("sha1", &secret, later.as_bytes());
    assert_eq!(
        post(&path, &[("X-Hub-Signature", &sha1)], later.as_bytes()),
        403
    );

    // The member leaves feeds.toml: at the next start the hub is asked to unsubscribe.
    assert!(serving.terminate(20).is_some());
    planet.feeds.clear();
    let config = planet.write_config();
    let _serving = serve_at(&config, T0);
    let unsub = nth_request(&hub, "unsubscribe", 1);
    assert_eq!(unsub.field("hub.topic"), Some(feed_url.as_str()));
    assert_eq!(unsub.field("hub.callback"), Some(callback));
    let ok = get(&path, &verify_query("unsubscribe", &feed_url, "bye", 0));
    assert_eq!((ok.status, ok.body.as_str()), (200, "bye"));
    let left: i64 = planet
        .db()
        .query_row("SELECT COUNT(*) FROM subscriptions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    // Its callback is gone.
    assert_eq!(
        post(&path, &[("X-Hub-Signature", &sig)], pushed.as_bytes()),
        404
    );
}

#[test]
fn subscriptions_are_renewed_before_the_lease_ends_and_polled_less() {
    let server = FeedServer::start();
    let hub = Hub::start();
    let feed_url = server.url("/a.xml");
    server.feed("/a.xml", &feed(&hub.url(), &feed_url, &["first"]), RSS);
    let addr = free_addr();
    let mut planet = planet(&addr);
    planet.feed(&feed_url, "Alpha");
    let config = planet.write_config();

    let mut serving = serve_at(&config, T0);
    let req = nth_request(&hub, "subscribe", 1);
    let path = callback_path(&req);
    let query = verify_query("subscribe", &feed_url, "c", 3600);
    let ok = http_request("GET", &addr, &format!("{path}?{query}"), &[], b"");
    assert_eq!(ok.status, 200);
    assert!(serving.terminate(20).is_some());
    assert_eq!(server.seen("/a.xml").len(), 1);

    // 50 minutes on, the hour's lease is in its last fifth: renewed, same callback and secret.
    let mut serving = serve_at(&config, "2026-03-01T12:50:00Z");
    let renewal = nth_request(&hub, "subscribe", 2);
    assert_eq!(renewal.field("hub.callback"), req.field("hub.callback"));
    assert_eq!(renewal.field("hub.secret"), req.field("hub.secret"));
    assert_eq!(renewal.field("hub.topic"), Some(feed_url.as_str()));
    // The refresh before it did not poll the pushed feed (polled every 6 hours).
    assert_eq!(server.seen("/a.xml").len(), 1);
    // The renewal's verification extends the lease.
    let query = verify_query("subscribe", &feed_url, "again", 3600);
    let ok = http_request("GET", &addr, &format!("{path}?{query}"), &[], b"");
    assert_eq!((ok.status, ok.body.as_str()), (200, "again"));
    let status = status_json(&config, "2026-03-01T12:50:00Z");
    assert_eq!(status[0]["websub"]["lease_end"], "2026-03-01T13:50:00Z");
    assert!(serving.terminate(20).is_some());
}

//! Which addresses a feed may reach. A feed the admin configured with an internal address (an
//! intranet planet) may go anywhere; a feed configured with a public address never reaches a
//! loopback, private, link-local or otherwise internal address: not through DNS (the
//! [`Resolver`] drops such answers), not through a redirect to an address (`fetch_one` checks
//! every hop with [`Reach::check_url`]), and not past both (`fetch_one` checks the address the
//! response came from). A member controls their page, their redirects and their DNS, and must
//! not be able to make the planet probe its own network (review finding 6).
//!
//! Internal is decided by how the configured URL is written, never by what its name resolves
//! to: that is the member's DNS, which could turn any feed internal by changing a record. An IP
//! address in an internal range, `localhost`, and names no member can register are internal:
//! `*.localhost` (RFC 6761), `*.local` (mDNS, RFC 6762), `*.internal` (reserved for private
//! use by ICANN in 2024), `*.home.arpa` (RFC 8375) and single-label names (`http://wiki/`).
//!
//! In: URLs and resolved addresses. Out: [`Reach`], refusals as messages, and the resolver
//! that `build_client` installs.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use url::{Host, Url};

/// Where a feed may connect, decided by its configured URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Configured with a public address: internal addresses are refused.
    Public,
    /// Configured with an internal address by the admin: anything goes.
    Internal,
}

/// The end of every refusal, so the admin sees why a reachable server was not asked.
const REFUSED: &str = "refused: the feed is configured with a public address";

impl Reach {
    /// The reach of a feed configured as `url`.
    pub fn of(url: &Url) -> Reach {
        let internal = match url.host() {
            Some(Host::Ipv4(ip)) => is_internal_ip(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => is_internal_ip(IpAddr::V6(ip)),
            Some(Host::Domain(name)) => is_internal_name(name),
            None => false,
        };
        if internal {
            Reach::Internal
        } else {
            Reach::Public
        }
    }

    /// Whether this feed may send a request to `url`: only its host's spelling is checked
    /// here (an address written in the URL never goes through the resolver); names are
    /// checked on what they resolve to, by [`Resolver`].
    pub fn check_url(self, url: &Url) -> Result<(), String> {
        let ip = match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
            _ => return Ok(()),
        };
        self.check_addr(ip)
    }

    /// Whether this feed may talk to `ip`.
    pub fn check_addr(self, ip: IpAddr) -> Result<(), String> {
        if self == Reach::Public && is_internal_ip(ip) {
            return Err(format!("{ip} is a private address; {REFUSED}"));
        }
        Ok(())
    }
}

/// Names that only an intranet can give an address to (see the module comment).
fn is_internal_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    !name.contains('.')
        || ["localhost", "local", "internal", "home.arpa"]
            .iter()
            .any(|suffix| name == *suffix || name.ends_with(&format!(".{suffix}")))
}

/// Loopback, private, link-local, shared (CGNAT), unspecified, multicast and reserved
/// addresses: everything that is not the public internet. IPv6 forms that carry an IPv4
/// address (mapped, compatible, NAT64) are judged by that address.
pub fn is_internal_ip(ip: IpAddr) -> bool {
    if test_hooks::counts_as_public(ip) {
        return false;
    }
    match ip {
        IpAddr::V4(v4) => is_internal_v4(v4),
        IpAddr::V6(v6) => is_internal_v6(v6),
    }
}

fn is_internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    a == 0 // "this network": Linux connects 0.0.0.0 to the host itself
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT), RFC 6598
        || (a == 169 && b == 254) // link-local, where cloud metadata services answer
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments, RFC 6890
        || (a == 198 && (18..20).contains(&b)) // benchmarking, RFC 2544
        || a >= 224 // multicast, reserved, broadcast
}

fn is_internal_v6(ip: Ipv6Addr) -> bool {
    let s = ip.segments();
    if ip.is_unspecified() || ip.is_loopback() {
        return true;
    }
    // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64,
    // RFC 6052): a gateway or the host's own stack connects to the IPv4 address inside.
    let embedded =
        (s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0)) || s[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    if embedded {
        let [hi, lo] = [s[6], s[7]];
        return is_internal_v4(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        ));
    }
    (s[0] & 0xfe00) == 0xfc00 // unique local, fc00::/7
        || (s[0] & 0xffc0) == 0xfe80 // link-local, fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated), fec0::/10
        || (s[0] & 0xff00) == 0xff00 // multicast
}

/// The resolver of every client: the system's (getaddrinfo, as reqwest's default), with a
/// public feed's internal answers dropped. Checking here, on the addresses about to be
/// connected to, rather than resolving once beforehand, leaves no gap for a name whose answer
/// changes between a check and the connect (DNS rebinding).
#[derive(Debug, Clone, Copy)]
pub struct Resolver {
    pub reach: Reach,
}

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let reach = self.reach;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let answer: Vec<SocketAddr> = match test_hooks::answer(&host) {
                Some(ip) => vec![SocketAddr::new(ip, 0)],
                // Port 0: reqwest puts the URL's port in.
                None => tokio::net::lookup_host((host.as_str(), 0)).await?.collect(),
            };
            let first = answer.first().copied();
            let allowed: Vec<SocketAddr> = answer
                .into_iter()
                .filter(|a| reach.check_addr(a.ip()).is_ok())
                .collect();
            match first {
                Some(first) if allowed.is_empty() => Err(format!(
                    "{host} resolves only to a private address ({}); {REFUSED}",
                    first.ip()
                )
                .into()),
                _ => Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs),
            }
        })
    }
}

/// Two switches for the end-to-end tests, which have no internet (see
/// tests/internal_network.rs), compiled into debug builds only, like `crate::fault`:
/// `MERCURY_TEST_RESOLVE="name=ip,…"` answers those names with those addresses in place of
/// the system's resolver (the answer is then checked and connected to like any other), and
/// `MERCURY_TEST_PUBLIC="ip,…"` makes those addresses count as public, standing in for a
/// member's server on the internet.
#[cfg(debug_assertions)]
mod test_hooks {
    use std::net::IpAddr;

    pub fn answer(host: &str) -> Option<IpAddr> {
        let spec = std::env::var("MERCURY_TEST_RESOLVE").ok()?;
        spec.split(',').find_map(|rule| {
            let (name, ip) = rule.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case(host)
                .then(|| ip.trim().parse().ok())?
        })
    }

    pub fn counts_as_public(ip: IpAddr) -> bool {
        std::env::var("MERCURY_TEST_PUBLIC").is_ok_and(|spec| {
            spec.split(',')
                .any(|a| a.trim().parse::<IpAddr>().is_ok_and(|a| a == ip))
        })
    }
}

/// Release builds: no switches.
#[cfg(not(debug_assertions))]
mod test_hooks {
    use std::net::IpAddr;

    #[inline(always)]
    pub fn answer(_host: &str) -> Option<IpAddr> {
        None
    }

    #[inline(always)]
    pub fn counts_as_public(_ip: IpAddr) -> bool {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_addresses() {
        let internal = [
            "127.0.0.1",
            "127.8.9.10",
            "0.0.0.0",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "255.255.255.255",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ];
        for ip in internal {
            assert!(is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "172.15.255.255",
            "172.32.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ];
        for ip in public {
            assert!(!is_internal_ip(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn reach_follows_how_the_url_is_written() {
        let cases = [
            ("http://127.0.0.1:8080/feed.xml", Reach::Internal),
            ("http://[::1]/feed", Reach::Internal),
            ("http://10.0.0.5/feed", Reach::Internal),
            ("http://localhost/feed", Reach::Internal),
            ("http://LOCALHOST./feed", Reach::Internal),
            ("http://blog.localhost/feed", Reach::Internal),
            ("http://wiki/feed", Reach::Internal),
            ("http://printer.local/feed", Reach::Internal),
            ("http://blog.corp.internal/feed", Reach::Internal),
            ("http://nas.home.arpa/feed", Reach::Internal),
            ("https://blog.example.org/feed", Reach::Public),
            ("https://8.8.8.8/feed", Reach::Public),
            ("https://localhost.example.com/feed", Reach::Public),
            ("https://internal.example.com/feed", Reach::Public),
        ];
        for (url, reach) in cases {
            assert_eq!(Reach::of(&Url::parse(url).unwrap()), reach, "{url}");
        }
    }

    #[test]
    fn a_public_feed_may_not_name_an_internal_address() {
        let to = |u: &str| Url::parse(u).unwrap();
        let err = Reach::Public
            .check_url(&to("http://169.254.169.254/latest/meta-data/"))
            .unwrap_err();
        assert!(
            err.contains("private address") && err.contains(REFUSED),
            "{err}"
        );
        assert!(Reach::Public.check_url(&to("http://[::1]:22/")).is_err());
        assert!(Reach::Public.check_url(&to("http://8.8.8.8/")).is_ok());
        // Names are left to the resolver, which sees what they resolve to.
        assert!(Reach::Public.check_url(&to("http://localhost/")).is_ok());
        assert!(Reach::Internal.check_url(&to("http://127.0.0.1/")).is_ok());
    }
}

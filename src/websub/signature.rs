//! The check of a pushed body's `X-Hub-Signature` (W3C WebSub §8): `method=hex`, an HMAC of
//! the exact body bytes keyed with the subscription's secret.
//!
//! Which methods: sha256, sha384 and sha512 always; sha1 only while the hub has offered
//! nothing better. A subscriber cannot ask a hub which methods it has, so "offered" is read
//! from what the hub sends: until a hub signs a push to a subscription with sha256 or
//! stronger, its sha1 signatures are accepted (many hubs still sign with sha1 only); from its
//! first stronger signature on, the subscription's floor rises and sha1 is refused, so an
//! attacker cannot downgrade it to the weaker hash.
//!
//! In: the header, the secret, the body and the floor. Out: the method that verified, or why
//! the push is refused.

use hmac::{Hmac, KeyInit, Mac};

/// A signature method of `X-Hub-Signature`, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl Method {
    pub fn parse(name: &str) -> Option<Method> {
        match name.trim().to_ascii_lowercase().as_str() {
            "sha1" => Some(Method::Sha1),
            "sha256" => Some(Method::Sha256),
            "sha384" => Some(Method::Sha384),
            "sha512" => Some(Method::Sha512),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Sha1 => "sha1",
            Method::Sha256 => "sha256",
            Method::Sha384 => "sha384",
            Method::Sha512 => "sha512",
        }
    }

    /// The floor a subscription has once the hub signed with this method.
    pub fn floor_after(self) -> Method {
        self.min(Method::Sha256)
    }

    fn mac(self, secret: &[u8], body: &[u8]) -> Vec<u8> {
        fn run<M: Mac + KeyInit>(secret: &[u8], body: &[u8]) -> Vec<u8> {
            // HMAC takes a key of any length: this cannot fail.
            let mut mac = <M as KeyInit>::new_from_slice(secret).expect("any key length");
            mac.update(body);
            mac.finalize().into_bytes().to_vec()
        }
        match self {
            Method::Sha1 => run::<Hmac<sha1::Sha1>>(secret, body),
            Method::Sha256 => run::<Hmac<sha2::Sha256>>(secret, body),
            Method::Sha384 => run::<Hmac<sha2::Sha384>>(secret, body),
            Method::Sha512 => run::<Hmac<sha2::Sha512>>(secret, body),
        }
    }
}

/// Why a push is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    Missing,
    Malformed,
    Unsupported(String),
    /// A method weaker than the hub has used before on this subscription.
    TooWeak(Method),
    Mismatch,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Missing => write!(f, "no X-Hub-Signature"),
            Refusal::Malformed => write!(f, "X-Hub-Signature is not method=hex"),
            Refusal::Unsupported(m) => write!(f, "unsupported signature method {m:?}"),
            Refusal::TooWeak(m) => write!(
                f,
                "a {} signature from a hub that signed this subscription with a stronger one",
                m.name()
            ),
            Refusal::Mismatch => write!(f, "the signature does not match the body"),
        }
    }
}

/// Checks `header` (`X-Hub-Signature`) against `body` and `secret`, accepting no method weaker
/// than `floor`. The comparison runs in constant time (the MAC's own `verify`).
pub fn verify(
    header: Option<&str>,
    secret: &[u8],
    body: &[u8],
    floor: Method,
) -> Result<Method, Refusal> {
    let header = header.ok_or(Refusal::Missing)?;
    let (name, hex) = header.trim().split_once('=').ok_or(Refusal::Malformed)?;
    let method = Method::parse(name).ok_or_else(|| Refusal::Unsupported(name.to_string()))?;
    if method < floor {
        return Err(Refusal::TooWeak(method));
    }
    let given = unhex(hex.trim()).ok_or(Refusal::Malformed)?;
    let expected = method.mac(secret, body);
    // Constant time over the expected length: no early exit on the first differing byte.
    let same = given.len() == expected.len()
        && given
            .iter()
            .zip(&expected)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(method)
    } else {
        Err(Refusal::Mismatch)
    }
}

/// The signature header a hub would send (for the tests).
#[cfg(test)]
pub fn sign(method: Method, secret: &[u8], body: &[u8]) -> String {
    format!(
        "{}={}",
        method.name(),
        crate::fingerprint::hex(&method.mac(secret, body))
    )
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_are_checked_over_the_exact_body() {
        let body = b"<feed/>";
        let good = sign(Method::Sha256, b"s3cret", body);
        assert_eq!(
            verify(Some(&good), b"s3cret", body, Method::Sha1),
            Ok(Method::Sha256)
        );
        // RFC 4231-style known answer: HMAC-SHA256("key", "The quick brown fox…").
        assert_eq!(
            sign(
                Method::Sha256,
                b"key",
                b"The quick brown fox jumps over the lazy dog"
            ),
            "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        let cases: &[(Option<&str>, &[u8], Refusal)] = &[
            (None, body, Refusal::Missing),
            (Some("sha256"), body, Refusal::Malformed),
            (Some("sha256=zz"), body, Refusal::Malformed),
            (Some("md5=00"), body, Refusal::Unsupported("md5".into())),
            (Some(&good), b"<feed/> ", Refusal::Mismatch),
        ];
        for (header, body, want) in cases {
            assert_eq!(
                verify(*header, b"s3cret", body, Method::Sha1).as_ref(),
                Err(want),
                "{header:?}"
            );
        }
        assert_eq!(
            verify(Some(&good), b"other", body, Method::Sha1),
            Err(Refusal::Mismatch)
        );
    }

    #[test]
    fn sha1_is_accepted_only_until_the_hub_signs_with_something_better() {
        let body = b"x";
        let sha1 = sign(Method::Sha1, b"k", body);
        assert_eq!(
            verify(Some(&sha1), b"k", body, Method::Sha1),
            Ok(Method::Sha1)
        );
        let floor = Method::Sha512.floor_after();
        assert_eq!(floor, Method::Sha256);
        assert_eq!(
            verify(Some(&sha1), b"k", body, floor),
            Err(Refusal::TooWeak(Method::Sha1))
        );
        let sha384 = sign(Method::Sha384, b"k", body);
        assert_eq!(verify(Some(&sha384), b"k", body, floor), Ok(Method::Sha384));
    }
}

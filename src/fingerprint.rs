//! Fingerprints and hex: how Mercury tells whether bytes changed, and how it writes digests.
//!
//! In: bytes (a feed body, an entry's fields, a tag). Out: lowercase hex strings. A leaf with no
//! `crate::` imports, so `model`, `parse`, `store`, `render` and `serve` can all read it without
//! importing each other: it replaces `parse::hex` and `model::FINGERPRINT_PREFIX`, which made
//! `model` and `parse` import each other.

use sha2::{Digest, Sha256};

/// What every fingerprint ([`fingerprint`]: body and content hashes) starts with.
/// Databases written before fingerprints hold SHA-256 hex (no prefix): those values never equal
/// a fingerprint, and the store can tell them apart.
pub const FINGERPRINT_PREFIX: &str = "x3:";

/// The fingerprint of bytes given in `parts` (one after another, as if joined): a body's or an
/// entry's, to tell whether it changed since the last fetch: XXH3-128 in hex, after
/// [`FINGERPRINT_PREFIX`]. Not a security boundary: a fingerprint is only ever
/// compared with the same feed's previous one, so a publisher who forged a collision would only
/// hide a change of their own. It replaced SHA-256, which cost too much of a cold refresh
/// (BENCHMARKS.md).
pub fn fingerprint(parts: &[&[u8]]) -> String {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in parts {
        h.update(part);
    }
    fingerprint_of_digest(h.digest128())
}

/// The fingerprint of an XXH3-128 digest computed piece by piece (an entry's fields are hashed
/// one after another, never joined into one buffer).
pub(crate) fn fingerprint_of_digest(digest: u128) -> String {
    format!("{FINGERPRINT_PREFIX}{}", hex(&digest.to_be_bytes()))
}

/// Hex SHA-256 of `bytes`: for entry keys derived from content, which are stored and must
/// never change.
pub fn hash_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    hex(&digest)
}

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_prefixed_hex_and_differ_from_legacy_hashes() {
        assert_eq!(hex(&[0x0f, 0xa0, 0xff]), "0fa0ff");
        let f = fingerprint(&[b"body"]);
        assert!(f.starts_with(FINGERPRINT_PREFIX), "{f}");
        assert_eq!(f.len(), FINGERPRINT_PREFIX.len() + 32);
        assert_eq!(f, fingerprint(&[b"bo", b"dy"]));
        assert_ne!(f, fingerprint(&[b"body "]));
        // A SHA-256 hex from before fingerprints never looks like one.
        assert!(!hash_hex(b"body").starts_with(FINGERPRINT_PREFIX));
        assert_eq!(hash_hex(b"body").len(), 64);
    }
}

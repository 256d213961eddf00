//! The digest's types: periods of posts grouped by member (`[planet] digest`).

use chrono::{DateTime, Utc};

use super::{EntryView, Member};

/// How long one digest period is (`[planet] digest`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cadence {
    Daily,
    /// ISO weeks, Monday first.
    Weekly,
    Monthly,
}

/// The digest: the posts of the newest periods, grouped by member.
#[derive(Debug, Clone)]
pub struct Digest {
    pub cadence: Cadence,
    /// Newest first; only periods with posts. The first may be the current period, not yet
    /// complete (it has a page, not a feed entry).
    pub periods: Vec<DigestPeriod>,
}

/// One period of the digest.
#[derive(Debug, Clone)]
pub struct DigestPeriod {
    /// Its name in file names and ids: `2026-W48`, `2026-11-23`, `2026-11`.
    pub label: String,
    /// The first and last day, in the planet's time zone.
    pub first_day: chrono::NaiveDate,
    pub last_day: chrono::NaiveDate,
    /// When it ends (its next period's start), UTC.
    pub end: DateTime<Utc>,
    /// Whether it has ended: only complete periods are published in `digest.xml`.
    pub complete: bool,
    /// The `updated` its feed entry was published with: the end of the period, moved only when
    /// its content changed since (a post in it was hidden). `end` while not complete.
    pub updated: DateTime<Utc>,
    /// Members in name order, each with their posts oldest first.
    pub members: Vec<DigestMember>,
}

impl DigestPeriod {
    /// The number of posts in the period.
    pub fn posts(&self) -> usize {
        self.members.iter().map(|m| m.entries.len()).sum()
    }
}

/// One member's posts in a period.
#[derive(Debug, Clone)]
pub struct DigestMember {
    pub member: Member,
    /// Oldest first.
    pub entries: Vec<DigestPost>,
}

/// A post in the digest: the post without its bodies, and the short plain-text excerpt the
/// digest shows, made once (the page, `digest.xml` and the period's fingerprint all show it).
#[derive(Debug, Clone)]
pub struct DigestPost {
    pub entry: EntryView,
    pub excerpt: Option<String>,
}

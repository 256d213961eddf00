//! The one clock every date decision reads: what counts as "now" when a refresh records a fetch,
//! a render dates its pages, `status` says how long ago, and (as they land) retention, the stale
//! banner and digest periods decide.
//!
//! Debug builds honour `MERCURY_TEST_NOW` (an RFC 3339 time, such as `2026-03-01T12:00:00Z`) so
//! that the end-to-end tests can run the real binary at a controlled time, like the fault points
//! in `fault`. Release builds compile the override away and always read the system clock.
//! Timers (sleeps, timeouts) never read this clock: they measure elapsed time, not dates.

use chrono::{DateTime, Utc};

/// The current time, or the test override in debug builds.
pub fn now() -> DateTime<Utc> {
    #[cfg(debug_assertions)]
    if let Some(t) = test_override() {
        return t;
    }
    Utc::now()
}

/// `MERCURY_TEST_NOW`, when set to a valid RFC 3339 time. An invalid value is a test bug: it
/// panics rather than silently falling back to the real clock.
#[cfg(debug_assertions)]
fn test_override() -> Option<DateTime<Utc>> {
    let spec = std::env::var("MERCURY_TEST_NOW").ok()?;
    let t = DateTime::parse_from_rfc3339(spec.trim())
        .unwrap_or_else(|e| panic!("MERCURY_TEST_NOW={spec:?} is not an RFC 3339 time: {e}"));
    Some(t.with_timezone(&Utc))
}

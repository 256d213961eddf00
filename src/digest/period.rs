//! Digest periods, pure: which period a moment falls in, as seen in the planet's time zone
//! (a day, an ISO week from Monday, a calendar month), where periods start and end in UTC, and
//! their names (`2026-11-23`, `2026-W48`, `2026-11`).
//!
//! In: a [`Cadence`], a time zone, UTC instants. Out: [`Period`]s.

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;

use crate::model::Cadence;

/// One period, named by its first day in the planet's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Period {
    pub cadence: Cadence,
    pub first_day: NaiveDate,
}

impl Period {
    /// The period that `t` falls in, as the clocks of `tz` show it.
    pub fn containing(cadence: Cadence, tz: Tz, t: DateTime<Utc>) -> Period {
        let day = t.with_timezone(&tz).date_naive();
        let first_day = match cadence {
            Cadence::Daily => day,
            Cadence::Weekly => day - Days::new(u64::from(day.weekday().num_days_from_monday())),
            Cadence::Monthly => day.with_day(1).unwrap_or(day),
        };
        Period { cadence, first_day }
    }

    /// The period after this one.
    pub fn next(self) -> Period {
        Period {
            cadence: self.cadence,
            first_day: self.step(1),
        }
    }

    /// The period `n` periods before this one.
    pub fn back(self, n: u32) -> Period {
        let first_day = match self.cadence {
            Cadence::Daily => self.first_day - Days::new(u64::from(n)),
            Cadence::Weekly => self.first_day - Days::new(7 * u64::from(n)),
            Cadence::Monthly => self.first_day - Months::new(n),
        };
        Period {
            cadence: self.cadence,
            first_day,
        }
    }

    /// The first day of the period `n` after this one.
    fn step(self, n: u32) -> NaiveDate {
        match self.cadence {
            Cadence::Daily => self.first_day + Days::new(u64::from(n)),
            Cadence::Weekly => self.first_day + Days::new(7 * u64::from(n)),
            Cadence::Monthly => self.first_day + Months::new(n),
        }
    }

    /// The last day of the period.
    pub fn last_day(self) -> NaiveDate {
        self.step(1) - Days::new(1)
    }

    /// When the period starts: midnight of its first day in `tz`, in UTC.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.first_day, tz)
    }

    /// When the period ends: the next one's start.
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        self.next().start(tz)
    }

    /// Its name in file names and feed ids: `2026-11-23`, `2026-W48` (the ISO week's year,
    /// which differs from the calendar year around New Year), `2026-11`.
    pub fn label(self) -> String {
        match self.cadence {
            Cadence::Daily => self.first_day.format("%Y-%m-%d").to_string(),
            Cadence::Weekly => {
                let week = self.first_day.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Cadence::Monthly => self.first_day.format("%Y-%m").to_string(),
        }
    }
}

/// The first moment of `day` in `tz`. Where a clock change skips midnight (some zones change
/// at 00:00), the day starts at the first moment that exists.
fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    for minutes in (0..=180).step_by(15) {
        let t = midnight + chrono::Duration::minutes(minutes);
        if let Some(local) = tz.from_local_datetime(&t).earliest() {
            return local.with_timezone(&Utc);
        }
    }
    Utc.from_utc_datetime(&midnight)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{America::New_York, America::Santiago, Europe::London, UTC};

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn weeks_run_monday_to_sunday_in_the_planets_zone() {
        // 23:30 on Sunday 29 November in New York is 04:30 on Monday in UTC.
        let late_sunday = utc("2026-11-30T04:30:00Z");
        let ny = Period::containing(Cadence::Weekly, New_York, late_sunday);
        assert_eq!(ny.first_day, day("2026-11-23"));
        assert_eq!(ny.label(), "2026-W48");
        assert_eq!(ny.last_day(), day("2026-11-29"));
        assert_eq!(ny.start(New_York), utc("2026-11-23T05:00:00Z"));
        assert_eq!(ny.end(New_York), utc("2026-11-30T05:00:00Z"));
        let utc_week = Period::containing(Cadence::Weekly, UTC, late_sunday);
        assert_eq!(utc_week.label(), "2026-W49");
    }

    #[test]
    fn iso_week_years_differ_from_calendar_years_at_new_year() {
        let p = Period::containing(Cadence::Weekly, UTC, utc("2027-01-01T12:00:00Z"));
        assert_eq!(
            (p.label().as_str(), p.first_day),
            ("2026-W53", day("2026-12-28"))
        );
        let p = Period::containing(Cadence::Weekly, UTC, utc("2025-12-31T12:00:00Z"));
        assert_eq!(p.label(), "2026-W01");
    }

    #[test]
    fn days_and_months_have_their_names_and_bounds() {
        let t = utc("2026-03-29T00:30:00Z"); // 00:30 GMT, the night the clocks go forward
        let d = Period::containing(Cadence::Daily, London, t);
        assert_eq!(d.label(), "2026-03-29");
        assert_eq!(d.end(London), utc("2026-03-29T23:00:00Z"), "a 23-hour day");
        let m = Period::containing(Cadence::Monthly, London, t);
        assert_eq!(m.label(), "2026-03");
        assert_eq!(m.start(London), utc("2026-03-01T00:00:00Z"));
        assert_eq!(
            m.end(London),
            utc("2026-03-31T23:00:00Z"),
            "April starts in BST"
        );
        assert_eq!(m.back(3).label(), "2025-12");
        assert_eq!(m.next().last_day(), day("2026-04-30"));
        let w = Period::containing(Cadence::Weekly, London, t);
        assert_eq!(w.back(52).next().back(1), w.back(52));
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_it_exists() {
        // Chile moved its clocks from 00:00 to 01:00 on 7 September 2025.
        let start = Period {
            cadence: Cadence::Daily,
            first_day: day("2025-09-07"),
        }
        .start(Santiago);
        assert_eq!(start, utc("2025-09-07T04:00:00Z"));
    }
}

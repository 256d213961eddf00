//! Lenient feed date parsing: RFC 3339 / W3C-DTF / ISO 8601 (extended and basic), RFC 822 and
//! RFC 2822 with every zone spelling (UT, GMT, Z, US zones, military letters, numeric offsets
//! with or without a colon), and the common broken forms (no weekday or a wrong one, two-digit
//! years, no seconds, full month names, a missing zone read as UTC). Out: UTC, or `None` — never
//! a panic, whatever the input.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parses a date as feeds write them. A date without a zone is taken as UTC.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if s.as_bytes()[0].is_ascii_digit() {
        if let Some(d) = iso8601(s) {
            return Some(d);
        }
    }
    rfc822(s)
}

/// `2003-12-31T10:14:55.25+01:00`, `2003-12-31 10:14`, `2003-12-31`, `20031231T101455Z`,
/// `2003-12`, `2003`.
fn iso8601(s: &str) -> Option<DateTime<Utc>> {
    let (date_part, rest) = match s.find(['T', 't', ' ']) {
        Some(i) => (&s[..i], s[i + 1..].trim()),
        None => (s, ""),
    };
    let date = iso_date(date_part)?;
    if rest.is_empty() {
        return Some(Utc.from_utc_datetime(&date.and_time(NaiveTime::MIN)));
    }
    // Split the zone off the time.
    let zone_at = rest
        .char_indices()
        .skip(1)
        .find(|(_, c)| matches!(c, 'Z' | 'z' | '+' | '-') || c.is_ascii_alphabetic())
        .map(|(i, _)| i);
    let (time_part, zone) = match zone_at {
        Some(i) => (rest[..i].trim(), rest[i..].trim()),
        None => (rest, ""),
    };
    let time = iso_time(time_part)?;
    let offset = if zone.is_empty() {
        0
    } else {
        zone_offset(zone)?
    };
    let local = NaiveDateTime::new(date, time);
    Some(Utc.from_utc_datetime(&local) - Duration::seconds(offset as i64))
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = s.split('-').collect();
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?),
        [y, m] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, 1),
        [ymd] if ymd.len() == 8 && ymd.bytes().all(|b| b.is_ascii_digit()) => {
            NaiveDate::from_ymd_opt(
                ymd[..4].parse().ok()?,
                ymd[4..6].parse().ok()?,
                ymd[6..].parse().ok()?,
            )
        }
        [y] if y.len() == 4 => NaiveDate::from_ymd_opt(num(y)? as i32, 1, 1),
        _ => None,
    }
}

fn iso_time(s: &str) -> Option<NaiveTime> {
    let (hms, frac) = match s.find(['.', ',']) {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    };
    let nums: Vec<u32> = if hms.contains(':') {
        hms.split(':')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?
    } else if hms.len() == 6 || hms.len() == 4 {
        (0..hms.len() / 2)
            .map(|i| hms[i * 2..i * 2 + 2].parse().ok())
            .collect::<Option<_>>()?
    } else {
        return None;
    };
    let nanos = if frac.is_empty() {
        0
    } else {
        let digits: String = frac
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .take(9)
            .collect();
        format!("{digits:0<9}").parse().unwrap_or(0)
    };
    match nums.as_slice() {
        [h, m] => NaiveTime::from_hms_opt(*h, *m, 0),
        // 60 is a leap second: read it as the last second of the minute.
        [h, m, sec] => NaiveTime::from_hms_nano_opt(*h, *m, (*sec).min(59), nanos),
        _ => None,
    }
}

/// RFC 822 / 2822 and friends: `Tue, 06 Jan 2026 09:30:00 +0000`, `6 January 2026 9:30 EST`,
/// `Tue, 06 Jan 26 09:30 GMT`, `January 6, 2026 09:30:00`.
fn rfc822(s: &str) -> Option<DateTime<Utc>> {
    let cleaned: String = s.chars().map(|c| if c == ',' { ' ' } else { c }).collect();
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    // A weekday, right or wrong, says nothing we need.
    if tokens.first().is_some_and(|t| weekday(t)) {
        tokens.remove(0);
    }
    let (mut day, mut month, mut year, mut time, mut zone) = (None, None, None, None, None);
    for t in tokens {
        if let Some(m) = month_number(t) {
            month.get_or_insert(m);
        } else if t.contains(':') && time.is_none() {
            time = iso_time(t);
            time?;
        } else if t.bytes().all(|b| b.is_ascii_digit()) {
            let n: i64 = t.parse().ok()?;
            if t.len() >= 3 {
                year.get_or_insert(n as i32);
            } else if day.is_none() && (1..=31).contains(&n) {
                day = Some(n as u32);
            } else if year.is_none() {
                // Two-digit years (RFC 822): 00–49 is 20xx, 50–99 is 19xx (RFC 2822 §4.3).
                year = Some(if n < 50 {
                    2000 + n as i32
                } else {
                    1900 + n as i32
                });
            }
        } else if zone.is_none() {
            zone = Some(zone_offset(t)?);
        }
    }
    let date = NaiveDate::from_ymd_opt(year?, month?, day?)?;
    let local = NaiveDateTime::new(date, time.unwrap_or(NaiveTime::MIN));
    Some(Utc.from_utc_datetime(&local) - Duration::seconds(zone.unwrap_or(0) as i64))
}

fn weekday(t: &str) -> bool {
    let t = t.trim_end_matches('.').to_ascii_lowercase();
    t.len() >= 3
        && [
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
        ]
        .iter()
        .any(|d| d.starts_with(&t))
}

fn month_number(t: &str) -> Option<u32> {
    let t = t.trim_end_matches('.').to_ascii_lowercase();
    if t.len() < 3 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| m.starts_with(&t) || (t == "sept" && *m == "september"))
        .map(|i| i as u32 + 1)
}

/// A zone as seconds east of UTC: `Z`, `+01:00`, `-0500`, `+01`, `GMT`, `UT`, `UTC`, US zones,
/// military letters (RFC 822 §5; RFC 2822 reads them all as unknown, i.e. 0, except Z).
fn zone_offset(z: &str) -> Option<i32> {
    let z = z.trim();
    if let Some(sign) = z.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = z[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            3 => (
                digits[..1].parse::<i32>().ok()?,
                digits[1..].parse::<i32>().ok()?,
            ),
            4 => (
                digits[..2].parse::<i32>().ok()?,
                digits[2..].parse::<i32>().ok()?,
            ),
            _ => return None,
        };
        if h > 23 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let upper = z.to_ascii_uppercase();
    let hours = match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" | "Z." => 0,
        "EST" => -5,
        "EDT" => -4,
        "CST" => -6,
        "CDT" => -5,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AST" => -4,
        "ADT" => -3,
        "BST" => 1,
        "CET" => 1,
        "CEST" => 2,
        "EET" => 2,
        "EEST" => 3,
        "JST" => 9,
        _ if upper.len() == 1 && upper != "J" => {
            // Military zones: A–I = +1..+9, K–M = +10..+12, N–Y = -1..-12.
            let c = upper.as_bytes()[0];
            match c {
                b'A'..=b'I' => (c - b'A' + 1) as i32,
                b'K'..=b'M' => (c - b'K' + 10) as i32,
                b'N'..=b'Y' => -((c - b'N' + 1) as i32),
                _ => return None,
            }
        }
        _ => return None,
    };
    Some(hours * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> Option<String> {
        parse(s).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
    }

    #[test]
    fn table() {
        let cases: &[(&str, Option<&str>)] = &[
            ("2003-12-31T10:14:55Z", Some("2003-12-31T10:14:55Z")),
            (
                "2003-12-31T10:14:55.123-08:00",
                Some("2003-12-31T18:14:55Z"),
            ),
            ("2003-12-31T10:14:55+0100", Some("2003-12-31T09:14:55Z")),
            ("2003-12-31T10:14Z", Some("2003-12-31T10:14:00Z")),
            ("2003-12-31 10:14:55", Some("2003-12-31T10:14:55Z")),
            ("2003-12-31", Some("2003-12-31T00:00:00Z")),
            ("2003-12", Some("2003-12-01T00:00:00Z")),
            ("20031231T101455Z", Some("2003-12-31T10:14:55Z")),
            (
                "Wed, 31 Dec 2003 10:14:55 +0000",
                Some("2003-12-31T10:14:55Z"),
            ),
            (
                "Wed, 31 Dec 2003 10:14:55 GMT",
                Some("2003-12-31T10:14:55Z"),
            ),
            ("Wed, 31 Dec 2003 10:14:55 UT", Some("2003-12-31T10:14:55Z")),
            (
                "Wed, 31 Dec 2003 10:14:55 EST",
                Some("2003-12-31T15:14:55Z"),
            ),
            (
                "Wed, 31 Dec 2003 10:14:55 PDT",
                Some("2003-12-31T17:14:55Z"),
            ),
            ("Wed, 31 Dec 2003 10:14:55 Z", Some("2003-12-31T10:14:55Z")),
            ("Wed, 31 Dec 2003 10:14:55 A", Some("2003-12-31T09:14:55Z")),
            (
                "Wed, 31 Dec 2003 10:14:55 -05:00",
                Some("2003-12-31T15:14:55Z"),
            ),
            (
                "Mon, 31 Dec 2003 10:14:55 GMT",
                Some("2003-12-31T10:14:55Z"),
            ), // wrong weekday
            ("31 Dec 2003 10:14 GMT", Some("2003-12-31T10:14:00Z")),
            ("Wed, 31 Dec 03 10:14:55 GMT", Some("2003-12-31T10:14:55Z")),
            (
                "Wednesday, 31 December 2003 10:14:55",
                Some("2003-12-31T10:14:55Z"),
            ),
            ("December 31, 2003 10:14:55", Some("2003-12-31T10:14:55Z")),
            ("Wed, 31 Dec 2003", Some("2003-12-31T00:00:00Z")),
            ("Sun, 30 Feb 2003 10:00:00 GMT", None),
            ("2003-13-01", None),
            ("0000-01-01T00:00:00Z", Some("0000-01-01T00:00:00Z")),
            ("9999-12-31T23:59:59Z", Some("9999-12-31T23:59:59Z")),
            ("99999-12-31T23:59:59Z", None),
            ("yesterday", None),
            ("", None),
            (
                "Wed, 31 Dec 2003 10:14:60 GMT",
                Some("2003-12-31T10:14:59Z"),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(utc(input).as_deref(), *want, "{input:?}");
        }
    }

    #[test]
    fn garbage_never_panics() {
        for s in [
            "+",
            "-",
            "T",
            "2003-",
            "::",
            "Z Z Z",
            "1 1 1 1:1:1 +99999",
            "\u{0}",
            "31 Dec 2003 25:00",
        ] {
            // Not a date, and no panic on the way to saying so.
            assert_eq!(parse(s), None, "{s:?}");
        }
        // A date whose time was cut off is still that day.
        assert_eq!(
            parse("2003-12-31T").map(|d| d.to_rfc3339()).as_deref(),
            Some("2003-12-31T00:00:00+00:00")
        );
    }
}

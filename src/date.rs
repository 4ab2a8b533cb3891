//! Calendar dates as day numbers: every dated fact (an effective window, a designation, a
//! notification) compares as one integer.

use std::fmt;

/// A calendar date, stored as its Julian day number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i32);

/// Dates outside this range are refused as typing errors (no export-control fact predates
/// 1900 or lies beyond 2199).
const MIN_YEAR: i32 = 1900;
const MAX_YEAR: i32 = 2199;

impl Date {
    /// Parses `YYYY-MM-DD` strictly. The error says what is wrong in the user's terms.
    pub fn parse(text: &str) -> Result<Date, String> {
        let bytes = text.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape_ok {
            return Err(format!("`{text}` is not a date in the form YYYY-MM-DD"));
        }
        let num = |range: std::ops::Range<usize>| -> i32 {
            text.get(range)
                .and_then(|s| s.parse::<i32>().ok())
                .unwrap_or(0)
        };
        let (year, month, day) = (num(0..4), num(5..7), num(8..10));
        if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
            return Err(format!(
                "`{text}` is outside the years {MIN_YEAR} to {MAX_YEAR}"
            ));
        }
        let month_enum = u8::try_from(month)
            .ok()
            .and_then(|m| time::Month::try_from(m).ok())
            .ok_or_else(|| format!("`{text}` has no month {month}"))?;
        let date = u8::try_from(day)
            .ok()
            .and_then(|d| time::Date::from_calendar_date(year, month_enum, d).ok())
            .ok_or_else(|| format!("`{text}` is not a day of the calendar"))?;
        Ok(Date(date.to_julian_day()))
    }

    pub fn from_ymd(year: i32, month: u8, day: u8) -> Option<Date> {
        let month = time::Month::try_from(month).ok()?;
        time::Date::from_calendar_date(year, month, day)
            .ok()
            .map(|d| Date(d.to_julian_day()))
    }

    /// The date `days` calendar days earlier.
    pub fn minus_days(self, days: i32) -> Date {
        Date(self.0.saturating_sub(days))
    }

    pub fn plus_days(self, days: i32) -> Date {
        Date(self.0.saturating_add(days))
    }

    /// Calendar days from `earlier` to `self`.
    pub fn days_since(self, earlier: Date) -> i32 {
        self.0.saturating_sub(earlier.0)
    }

    pub const MIN: Date = Date(i32::MIN);
    pub const MAX: Date = Date(i32::MAX);
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match time::Date::from_julian_day(self.0) {
            Ok(d) => {
                // Written digit by digit: every report prints thousands of dates, and the
                // formatting machinery costs more than the calendar arithmetic.
                let (y, m, day) = (d.year(), i32::from(u8::from(d.month())), i32::from(d.day()));
                let digit = |v: i32| b'0' + u8::try_from(v.rem_euclid(10)).unwrap_or(0);
                if (0..=9999).contains(&y) {
                    let buf = [
                        digit(y / 1000),
                        digit(y / 100),
                        digit(y / 10),
                        digit(y),
                        b'-',
                        digit(m / 10),
                        digit(m),
                        b'-',
                        digit(day / 10),
                        digit(day),
                    ];
                    f.write_str(std::str::from_utf8(&buf).unwrap_or("????-??-??"))
                } else {
                    write!(f, "{y:04}-{m:02}-{day:02}")
                }
            }
            Err(_) if *self == Date::MIN => f.write_str("the beginning"),
            Err(_) => f.write_str("the end of time"),
        }
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// A half-open window of dates: `from` is the first day in force, `until` the first day no
/// longer in force. This matches how the Federal Register states changes ("removed effective
/// 2026-02-03": in force until, not including, 2026-02-03).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window {
    pub from: Date,
    pub until: Date,
}

/// `{"from": "2021-12-09", "until": "2026-02-03"}`, an open end written as null.
impl serde::Serialize for Window {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("from", &(self.from != Date::MIN).then_some(self.from))?;
        m.serialize_entry("until", &(self.until != Date::MAX).then_some(self.until))?;
        m.end()
    }
}

impl Window {
    pub const ALWAYS: Window = Window {
        from: Date::MIN,
        until: Date::MAX,
    };

    pub fn contains(self, d: Date) -> bool {
        self.from <= d && d < self.until
    }

    pub fn intersect(self, other: Window) -> Option<Window> {
        let w = Window {
            from: self.from.max(other.from),
            until: self.until.min(other.until),
        };
        (w.from < w.until).then_some(w)
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from == Date::MIN, self.until == Date::MAX) {
            (true, true) => f.write_str("always"),
            (false, true) => write!(f, "from {}", self.from),
            (true, false) => write!(f, "until {}", self.until),
            (false, false) => write!(f, "from {} until {}", self.from, self.until),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let d = Date::parse("2024-02-29").unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.minus_days(25).to_string(), "2024-02-04");
        assert!(Date::parse("2023-02-29").is_err());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("23-01-01").is_err());
        assert!(Date::parse("1800-01-01").is_err());
        assert!(Date::parse("2023-1-01").is_err());
    }

    #[test]
    fn windows_are_half_open() {
        let w = Window {
            from: Date::parse("2021-12-09").unwrap(),
            until: Date::parse("2026-02-03").unwrap(),
        };
        assert!(w.contains(Date::parse("2026-02-02").unwrap()));
        assert!(!w.contains(Date::parse("2026-02-03").unwrap()));
        assert!(w.contains(Date::parse("2021-12-09").unwrap()));
    }
}

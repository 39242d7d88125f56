//! Calendar dates without a clock: the civil date type, 和暦 (Japanese era) formatting and
//! parsing, Excel serial numbers, and the month arithmetic the guideline's term rules need.
//!
//! Nothing here reads the system time: "today" is always passed in by the caller.

use serde::{Serialize, Serializer};
use std::fmt;

/// A proleptic Gregorian calendar date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// The Japanese eras kyotei reads and writes, newest first: (name, Latin initial, first day).
const ERAS: [(&str, char, (i32, u32, u32)); 5] = [
    ("令和", 'R', (2019, 5, 1)),
    ("平成", 'H', (1989, 1, 8)),
    ("昭和", 'S', (1926, 12, 25)),
    ("大正", 'T', (1912, 7, 30)),
    ("明治", 'M', (1868, 1, 25)),
];

/// Excel's serial number of 1900-02-29, a day that does not exist (Excel keeps Lotus 1-2-3's
/// leap year bug).
pub const EXCEL_FICTITIOUS_DAY: i64 = 60;

/// Why a date could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// The text is not one of the accepted forms.
    Format,
    /// The form is right but the day does not exist (2月30日).
    NoSuchDay,
    /// The era year does not exist (平成32年: 平成 ended in its 31st year).
    NoSuchEraYear { era: &'static str, year: i32 },
}

pub fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl Date {
    /// A date, if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        if (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) {
            Some(Date { year, month, day })
        } else {
            None
        }
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days(days: i64) -> Date {
        let z = days + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    pub fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// The same day `n` months later (or earlier), clamped to the end of a shorter month:
    /// 31 March minus one month is 28 (or 29) February.
    pub fn add_months(self, n: i32) -> Date {
        let total = self.year * 12 + (self.month as i32 - 1) + n;
        let year = total.div_euclid(12);
        let month = (total.rem_euclid(12) + 1) as u32;
        let day = self.day.min(days_in_month(year, month));
        Date { year, month, day }
    }

    pub fn add_years(self, n: i32) -> Date {
        self.add_months(n * 12)
    }

    /// The fiscal year (年度) the date falls in: April to March. 2027-03-31 → 2026.
    pub fn fiscal_year(self) -> i32 {
        if self.month >= 4 {
            self.year
        } else {
            self.year - 1
        }
    }

    /// A date from an Excel serial number (1900 date system; the day part only). Serial 60,
    /// the 1900-02-29 that Excel counts but that never was ([`EXCEL_FICTITIOUS_DAY`]), is no
    /// date: `None`, not the day before or after.
    pub fn from_excel_serial(serial: f64) -> Option<Date> {
        if !serial.is_finite() || !(1.0..=2_958_465.0).contains(&serial) {
            return None;
        }
        let whole = serial.floor() as i64;
        if whole == EXCEL_FICTITIOUS_DAY {
            return None;
        }
        // Excel's day 60 is the non-existent 1900-02-29; serials after it are one too high.
        let base = Date {
            year: 1899,
            month: 12,
            day: 31,
        }
        .to_days();
        let days = if whole >= 60 { whole - 1 } else { whole };
        Some(Date::from_days(base + days))
    }

    /// The Excel serial number of the date (1900 date system).
    pub fn to_excel_serial(self) -> f64 {
        let base = Date {
            year: 1899,
            month: 12,
            day: 31,
        }
        .to_days();
        let n = self.to_days() - base;
        (if n >= 60 { n + 1 } else { n }) as f64
    }

    /// The era and era year of the date: (令和, 8).
    pub fn era(self) -> Option<(&'static str, i32)> {
        ERAS.iter().find_map(|&(name, _, (y, m, d))| {
            (self
                >= Date {
                    year: y,
                    month: m,
                    day: d,
                })
            .then_some((name, self.year - y + 1))
        })
    }

    /// 和暦: `令和8年4月1日`, `令和元年5月1日`.
    pub fn wareki(self) -> String {
        match self.era() {
            Some((era, y)) => format!("{era}{}年{}月{}日", era_year(y), self.month, self.day),
            None => self.iso(),
        }
    }

    /// 和暦 year and month only: `令和8年4月`.
    pub fn wareki_month(self) -> String {
        match self.era() {
            Some((era, y)) => format!("{era}{}年{}月", era_year(y), self.month),
            None => format!("{:04}-{:02}", self.year, self.month),
        }
    }

    /// `2026-04-01`.
    pub fn iso(self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// Parse the text forms of the input contract: `2026-04-01`, `2026/4/1`, `2026年4月1日`,
    /// `令和8年4月1日`, `令和元年5月1日`, `R8.4.1`, `H31.4.30` (full-width digits allowed).
    /// A time of day after the date (`2026/04/01 0:00`, `2026/4/1 00:00:00`: what Excel's
    /// text export writes for a date cell) is read and left out, as for a serial number.
    pub fn parse(text: &str) -> Result<Date, DateError> {
        let normal = crate::text::nfkc(text);
        let s: String = without_time(&normal).split_whitespace().collect();
        if s.is_empty() {
            return Err(DateError::Format);
        }
        // 和暦 with era name.
        for &(name, initial, start) in &ERAS {
            let rest = if let Some(r) = s.strip_prefix(name) {
                Some(r)
            } else {
                s.strip_prefix(initial)
                    .or_else(|| s.strip_prefix(initial.to_ascii_lowercase()))
            };
            if let Some(rest) = rest {
                let (y, m, d) = split_ymd(rest)?;
                return era_date(name, start, y, m, d);
            }
        }
        let (y, m, d) = split_ymd(&s)?;
        if !(1000..=9999).contains(&y) {
            return Err(DateError::Format);
        }
        Date::new(y, m, d).ok_or(DateError::NoSuchDay)
    }
}

/// The text without a trailing time of day (`H:MM` or `H:MM:SS`, after a space): the date
/// part is what is read.
fn without_time(s: &str) -> &str {
    let s = s.trim();
    let Some((date, time)) = s.rsplit_once(char::is_whitespace) else {
        return s;
    };
    let parts: Vec<&str> = time.split(':').collect();
    let field = |p: &str, max: u32| {
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && p.parse::<u32>().is_ok_and(|n| n <= max)
    };
    let is_time = matches!(parts.len(), 2 | 3)
        && field(parts[0], 23)
        && parts[1..].iter().all(|p| p.len() == 2 && field(p, 59));
    if is_time { date.trim_end() } else { s }
}

fn era_year(y: i32) -> String {
    if y == 1 {
        "元".to_string()
    } else {
        y.to_string()
    }
}

fn era_date(
    name: &'static str,
    start: (i32, u32, u32),
    y: i32,
    m: u32,
    d: u32,
) -> Result<Date, DateError> {
    if y < 1 {
        return Err(DateError::NoSuchEraYear { era: name, year: y });
    }
    let date = Date::new(start.0 + y - 1, m, d).ok_or(DateError::NoSuchDay)?;
    let first = Date {
        year: start.0,
        month: start.1,
        day: start.2,
    };
    if date < first {
        return Err(DateError::NoSuchDay);
    }
    // The era must still be running on that date.
    let idx = ERAS.iter().position(|e| e.0 == name).expect("known era");
    if idx > 0 {
        let (_, _, (ny, nm, nd)) = ERAS[idx - 1];
        let next = Date {
            year: ny,
            month: nm,
            day: nd,
        };
        if date >= next {
            // 平成32年 does not exist; 平成31年5月1日 neither.
            let last_year = ny - start.0 + 1;
            if y > last_year {
                return Err(DateError::NoSuchEraYear { era: name, year: y });
            }
            return Err(DateError::NoSuchDay);
        }
    }
    Ok(date)
}

/// Split `8年4月1日`, `8.4.1`, `2026/4/1`, `2026-04-01`, `元年5月1日` into numbers.
fn split_ymd(s: &str) -> Result<(i32, u32, u32), DateError> {
    let s = s.strip_suffix('日').unwrap_or(s);
    let parts: Vec<&str> = s.split(['年', '月', '.', '/', '-']).collect();
    if parts.len() != 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(DateError::Format);
    }
    let year = if parts[0] == "元" {
        1
    } else {
        num(parts[0])? as i32
    };
    Ok((year, num(parts[1])?, num(parts[2])?))
}

fn num(p: &str) -> Result<u32, DateError> {
    if p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateError::Format);
    }
    p.parse().map_err(|_| DateError::Format)
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.iso())
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.iso())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, d: u32) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn parses_every_form_of_the_contract() {
        for s in [
            "2026-04-01",
            "2026/4/1",
            "令和8年4月1日",
            "R8.4.1",
            "r8.4.1",
            "２０２６/４/１",
            "2026年4月1日",
            "令和８年４月１日",
        ] {
            assert_eq!(Date::parse(s), Ok(d(2026, 4, 1)), "{s}");
        }
        assert_eq!(Date::parse("令和元年5月1日"), Ok(d(2019, 5, 1)));
        assert_eq!(Date::parse("平成31年4月30日"), Ok(d(2019, 4, 30)));
        assert_eq!(Date::parse("H31.4.30"), Ok(d(2019, 4, 30)));
    }

    #[test]
    fn a_time_of_day_after_the_date_is_left_out() {
        for s in [
            "2026/04/01 0:00",
            "2026/4/1 00:00:00",
            "2026/4/1 23:59",
            "2026-04-01  13:05:09",
            "２０２６/４/１　０:００",
            "令和8年4月1日 0:00",
        ] {
            assert_eq!(Date::parse(s), Ok(d(2026, 4, 1)), "{s}");
        }
        // Not a time: still refused as a whole.
        for s in [
            "2026/4/1 24:00",
            "2026/4/1 0:60",
            "2026/4/1 0:0",
            "2026/4/1 午前0時",
        ] {
            assert_eq!(Date::parse(s), Err(DateError::Format), "{s}");
        }
        assert_eq!(Date::parse("2026/2/30 0:00"), Err(DateError::NoSuchDay));
    }

    #[test]
    fn rejects_impossible_dates() {
        assert_eq!(Date::parse("令和8年2月30日"), Err(DateError::NoSuchDay));
        assert_eq!(
            Date::parse("平成32年1月1日"),
            Err(DateError::NoSuchEraYear {
                era: "平成",
                year: 32
            })
        );
        assert_eq!(Date::parse("平成31年5月1日"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("令和元年4月30日"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("2026-13-01"), Err(DateError::NoSuchDay));
        assert_eq!(Date::parse("来年の春"), Err(DateError::Format));
        assert_eq!(Date::parse("4/1"), Err(DateError::Format));
    }

    #[test]
    fn writes_wareki() {
        assert_eq!(d(2026, 4, 1).wareki(), "令和8年4月1日");
        assert_eq!(d(2019, 5, 1).wareki(), "令和元年5月1日");
        assert_eq!(d(2019, 4, 30).wareki(), "平成31年4月30日");
        assert_eq!(d(1989, 1, 8).wareki(), "平成元年1月8日");
    }

    #[test]
    fn month_arithmetic_clamps_to_month_end() {
        assert_eq!(d(2027, 3, 31).add_months(-1), d(2027, 2, 28));
        assert_eq!(d(2028, 3, 31).add_months(-1), d(2028, 2, 29));
        assert_eq!(d(2026, 12, 15).add_months(1), d(2027, 1, 15));
        assert_eq!(d(2028, 2, 29).add_years(1), d(2029, 2, 28));
    }

    #[test]
    fn excel_serials_round_trip() {
        assert_eq!(Date::from_excel_serial(46113.0), Some(d(2026, 4, 1)));
        assert_eq!(d(2026, 4, 1).to_excel_serial(), 46113.0);
        for n in [61.0, 1000.0, 45000.0, 46113.0] {
            assert_eq!(Date::from_excel_serial(n).unwrap().to_excel_serial(), n);
        }
        assert_eq!(Date::from_days(d(1970, 1, 1).to_days()), d(1970, 1, 1));
        // Excel's 1900-02-29 is no day; its neighbours are.
        assert_eq!(Date::from_excel_serial(59.0), Some(d(1900, 2, 28)));
        assert_eq!(Date::from_excel_serial(60.0), None);
        assert_eq!(Date::from_excel_serial(60.5), None);
        assert_eq!(Date::from_excel_serial(61.0), Some(d(1900, 3, 1)));
        assert_eq!(d(2027, 3, 31).fiscal_year(), 2026);
    }
}

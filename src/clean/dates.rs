//! Date and time parsing for page metadata: RFC 3339 / ISO 8601, RFC 2822, the common human
//! forms ("November 19, 2019 4:00 PM EST", "19 Nov 2019", "19.11.2019"), Unix timestamps, and
//! dates in URL paths.
//!
//! Offsets are kept as written (a page's own zone is part of the fact). A time without a zone
//! is read as UTC and a date without a time as midnight UTC, so stored instants stay
//! comparable; nothing here guesses the current date or fills in missing years.

use std::sync::LazyLock;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

static DATE_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        \b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b
        | \b\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b
        | \b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b
        | \b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b
        | \b(?:updated|published|posted)\b.*\d
        | \b\d+\s+(?:minutes?|hours?|days?|weeks?)\s+ago\b",
    )
    .expect("static regex")
});

/// True when a short line reads like a date or time stamp.
pub fn looks_like_date(text: &str) -> bool {
    DATE_LIKE.is_match(text)
}

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).expect("zero offset")
}

/// Parses a date/time as found in metadata, JSON-LD, `<time datetime>` or visible text.
/// Placeholder values some CMSs emit (`0001-01-01`) are rejected so a later source can answer.
pub fn parse(raw: &str) -> Option<DateTime<FixedOffset>> {
    parse_any(raw).filter(|d| (1990..2100).contains(&d.year()))
}

fn parse_any(raw: &str) -> Option<DateTime<FixedOffset>> {
    let s = raw.trim();
    if s.is_empty() || s.len() > 200 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Some(d) = parse_iso(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    if s.len() >= 9 && s.len() <= 13 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        let secs = if s.len() == 13 { n / 1000 } else { n };
        // Plausible publication times only (2000-2100): bare numbers are often other ids.
        if (946_684_800..4_102_444_800).contains(&secs) {
            return DateTime::from_timestamp(secs, 0).map(|d| d.with_timezone(&utc()));
        }
        return None;
    }
    parse_human(s)
}

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$",
    )
    .expect("static regex")
});

fn parse_iso(s: &str) -> Option<DateTime<FixedOffset>> {
    let c = ISO.captures(s)?;
    let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(num(1)? as i32, num(2)?, num(3)?)?;
    let time = NaiveTime::from_hms_opt(
        num(4).unwrap_or(0),
        num(5).unwrap_or(0),
        num(6).unwrap_or(0),
    )?;
    let offset = match c.get(7).map(|m| m.as_str()) {
        None | Some("Z") | Some("UTC") | Some("GMT") => utc(),
        Some(o) => parse_offset(o)?,
    };
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
}

fn parse_offset(o: &str) -> Option<FixedOffset> {
    let sign = if o.starts_with('-') { -1 } else { 1 };
    let digits: String = o.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = match digits.len() {
        2 => (digits.parse::<i32>().ok()?, 0),
        4 => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
        _ => return None,
    };
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// Zone abbreviations common on English-language news sites; ambiguous ones (IST, CST in
/// China) are read the way US/UK/EU news pages use them.
fn zone(abbr: &str) -> Option<FixedOffset> {
    let h = match abbr.to_ascii_uppercase().as_str() {
        "UTC" | "GMT" | "Z" | "WET" => 0,
        "BST" | "CET" | "WEST" => 1,
        "CEST" | "EET" | "SAST" => 2,
        "EEST" | "MSK" => 3,
        "EST" => -5,
        "EDT" => -4,
        "CDT" => -5,
        "CST" => -6,
        "MST" => -7,
        "MDT" => -6,
        "PST" => -8,
        "PDT" => -7,
        "AEST" => 10,
        "AEDT" => 11,
        "JST" | "KST" => 9,
        "HKT" | "SGT" | "AWST" => 8,
        _ => return None,
    };
    FixedOffset::east_opt(h * 3600)
}

fn month(name: &str) -> Option<u32> {
    let n = name.trim_end_matches('.').to_lowercase();
    let m = match n.get(..3)? {
        "jan" | "ene" | "gen" => 1,
        "feb" | "fev" | "fév" => 2,
        "mar" | "mär" => 3,
        "apr" | "abr" | "avr" => 4,
        "may" | "mai" | "mag" => 5,
        "jun" | "jui" if n.starts_with("juin") || n.starts_with("jun") => 6,
        "jul" | "jui" | "lug" => 7,
        "aug" | "ago" | "aoû" => 8,
        "sep" | "set" => 9,
        "oct" | "okt" | "ott" | "out" => 10,
        "nov" => 11,
        "dec" | "dez" | "dic" | "déc" => 12,
        "giu" => 6,
        _ => return None,
    };
    Some(m)
}

static HUMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?ix)
        (?:
          (?P<mon1>[a-zà-ÿ]{3,9}\.?)\s+(?P<day1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year1>\d{4})
        | (?P<day2>\d{1,2})(?:st|nd|rd|th)?\.?\s+(?:de\s+)?(?P<mon2>[a-zà-ÿ]{3,9}\.?)\s+(?:de\s+)?(?P<year2>\d{4})
        | (?P<day3>\d{1,2})[./](?P<mon3>\d{1,2})[./](?P<year3>\d{4})
        )
        (?:[\s,]+(?:at\s+)?(?P<h>\d{1,2})[:.](?P<m>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ampm>[ap]\.?m\.?)?)?
        (?:\s*(?P<tz>[A-Z]{2,5}\b|[+-]\d{2}:?\d{2}))?",
    )
    .expect("static regex")
});

fn parse_human(s: &str) -> Option<DateTime<FixedOffset>> {
    let c = HUMAN.captures(s)?;
    let get = |n: &str| c.name(n).map(|m| m.as_str());
    let (day, mon, year) = if let Some(m) = get("mon1") {
        (get("day1")?, month(m)?, get("year1")?)
    } else if let Some(m) = get("mon2") {
        (get("day2")?, month(m)?, get("year2")?)
    } else {
        (get("day3")?, get("mon3")?.parse().ok()?, get("year3")?)
    };
    let date = NaiveDate::from_ymd_opt(year.parse().ok()?, mon, day.parse().ok()?)?;
    let mut hour: u32 = get("h").and_then(|h| h.parse().ok()).unwrap_or(0);
    let minute: u32 = get("m").and_then(|m| m.parse().ok()).unwrap_or(0);
    let second: u32 = get("s").and_then(|m| m.parse().ok()).unwrap_or(0);
    if let Some(ampm) = get("ampm") {
        let pm = ampm.to_ascii_lowercase().starts_with('p');
        if hour == 12 {
            hour = 0;
        }
        if pm {
            hour += 12;
        }
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    let offset = get("tz")
        .and_then(|z| {
            if z.starts_with(['+', '-']) {
                parse_offset(z)
            } else {
                zone(z)
            }
        })
        .unwrap_or_else(utc);
    offset
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .single()
}

static URL_DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"/((?:19|20)\d{2})[/_-]?(0[1-9]|1[0-2])[/_-]?(0[1-9]|[12]\d|3[01])(?:/|[_-]|\.html?|$)",
    )
    .expect("static regex")
});

/// A publication date written in a URL path (`/2019/11/19/`, `/2019-11-19-`, `/20191119/`),
/// as midnight UTC; year-and-month-only paths give no date.
pub fn from_url(path: &str) -> Option<DateTime<FixedOffset>> {
    let c = URL_DATE.captures(path)?;
    let date = NaiveDate::from_ymd_opt(c[1].parse().ok()?, c[2].parse().ok()?, c[3].parse().ok()?)?;
    utc()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse(s).map(|d| d.to_rfc3339()).unwrap_or_default()
    }

    #[test]
    fn machine_formats() {
        assert_eq!(p("2019-11-19T10:05:00-05:00"), "2019-11-19T10:05:00-05:00");
        assert_eq!(p("2019-11-19T10:05:00.000Z"), "2019-11-19T10:05:00+00:00");
        assert_eq!(p("2019-11-19T10:05:00+0100"), "2019-11-19T10:05:00+01:00");
        assert_eq!(p("2019-11-19 10:05"), "2019-11-19T10:05:00+00:00");
        assert_eq!(p("2019-11-19"), "2019-11-19T00:00:00+00:00");
        assert_eq!(
            p("Tue, 19 Nov 2019 15:05:00 GMT"),
            "2019-11-19T15:05:00+00:00"
        );
        assert_eq!(p("1574175900"), "2019-11-19T15:05:00+00:00");
        assert_eq!(p("12345"), "");
    }

    #[test]
    fn human_formats() {
        assert_eq!(
            p("November 19, 2019 4:05 PM EST"),
            "2019-11-19T16:05:00-05:00"
        );
        assert_eq!(
            p("Updated Nov. 20, 2019 at 5:27 a.m."),
            "2019-11-20T05:27:00+00:00"
        );
        assert_eq!(p("19 November 2019"), "2019-11-19T00:00:00+00:00");
        assert_eq!(p("19.11.2019 12:30"), "2019-11-19T12:30:00+00:00");
        assert_eq!(p("12 de junio de 2019"), "2019-06-12T00:00:00+00:00");
    }

    #[test]
    fn url_dates() {
        let d = |s: &str| {
            from_url(s)
                .map(|d| d.date_naive().to_string())
                .unwrap_or_default()
        };
        assert_eq!(d("/2019/11/19/opinion/x.html"), "2019-11-19");
        assert_eq!(d("/news/2019-11-19-story"), "2019-11-19");
        assert_eq!(d("/2019/11/story"), "");
        assert_eq!(d("/id/20191119/"), "2019-11-19");
    }
}

//! Dates for the `Date…` operators: ISO 8601 in its common forms or epoch seconds,
//! compared as instants (nanoseconds since 1970-01-01T00:00:00Z).
//!
//! Accepted: `2020-01-01`, `2020-01`, `2020-01-01T12:00Z`, `2020-01-01T12:00:00Z`,
//! fractional seconds (`…:00.123Z`), offsets `+hh:mm` `-hh:mm` `+hhmm` `+hh`, the
//! basic form `20200101T120000Z`, and epoch seconds (`1577836800`, `-1`, `1.5`).
//! [unconfirmed] a time without a zone is taken as UTC; a text of digits only is epoch
//! seconds (so `2020` is 1970-01-01T00:33:40Z, not a year).

/// An instant in nanoseconds since the Unix epoch.
pub type Instant = i128;

const NANOS: i128 = 1_000_000_000;

/// Parses a date; `None` when the text is not one of the accepted forms.
pub fn parse(text: &str) -> Option<Instant> {
    epoch(text).or_else(|| iso(text))
}

fn epoch(text: &str) -> Option<Instant> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, frac) = rest.split_once('.').unwrap_or((rest, ""));
    if int.is_empty()
        || int.len() > 18
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (rest.contains('.') && frac.is_empty())
    {
        return None;
    }
    let secs: i128 = int.parse().ok()?;
    let value = secs * NANOS + fraction_nanos(frac);
    Some(if negative { -value } else { value })
}

/// Nanoseconds of a fraction's digits (beyond nine digits they are dropped).
fn fraction_nanos(frac: &str) -> i128 {
    let mut n: i128 = 0;
    let mut scale = NANOS;
    for b in frac.bytes().take(9) {
        scale /= 10;
        n += i128::from(b - b'0') * scale;
    }
    n
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn eat_any(&mut self, set: &[u8]) -> bool {
        match self.peek() {
            Some(b) if set.contains(&b) => {
                self.at += 1;
                true
            }
            _ => false,
        }
    }

    fn digits(&mut self, n: usize) -> Option<i64> {
        let mut v: i64 = 0;
        for _ in 0..n {
            let b = self.peek().filter(u8::is_ascii_digit)?;
            v = v * 10 + i64::from(b - b'0');
            self.at += 1;
        }
        Some(v)
    }

    fn rest(&self) -> &[u8] {
        self.bytes.get(self.at..).unwrap_or_default()
    }

    fn done(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

fn iso(text: &str) -> Option<Instant> {
    let mut c = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    let year = c.digits(4)?;
    // Extended form `2020-01-01` or basic form `20200101`.
    let extended = c.eat(b'-');
    let month = c.digits(2)?;
    let day = if extended {
        if c.done() {
            1
        } else {
            if !c.eat(b'-') {
                return None;
            }
            c.digits(2)?
        }
    } else {
        c.digits(2)?
    };
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let mut secs = days_from_civil(year, month, day) * 86_400;
    let mut nanos: i128 = 0;
    if c.eat_any(b"Tt ") {
        let hour = c.digits(2)?;
        if extended && !c.eat(b':') {
            return None;
        }
        let minute = c.digits(2)?;
        let mut second = 0;
        let has_seconds = if extended {
            c.eat(b':')
        } else {
            c.peek().is_some_and(|b| b.is_ascii_digit())
        };
        if has_seconds {
            second = c.digits(2)?;
            if c.eat_any(b".,") {
                let start = c.at;
                while c.peek().is_some_and(|b| b.is_ascii_digit()) {
                    c.at += 1;
                }
                let frac = text.get(start..c.at).filter(|f| !f.is_empty())?;
                nanos = fraction_nanos(frac);
            }
        }
        // A leap second (`:60`) is accepted and counts into the next minute.
        if hour > 23 || minute > 59 || second > 60 {
            return None;
        }
        secs += hour * 3600 + minute * 60 + second;
        secs -= zone_offset(&mut c)?;
    }
    if !c.done() {
        return None;
    }
    Some(i128::from(secs) * NANOS + nanos)
}

/// The zone designator's offset east of UTC in seconds (none is UTC).
fn zone_offset(c: &mut Cursor<'_>) -> Option<i64> {
    if c.done() || c.eat_any(b"Zz") {
        return Some(0);
    }
    let sign = match c.peek()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    c.at += 1;
    let hours = c.digits(2)?;
    let minutes = match c.rest() {
        [] => 0,
        [b':', ..] => {
            c.at += 1;
            c.digits(2)?
        }
        _ => c.digits(2)?,
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some(sign * (hours * 3600 + minutes * 60))
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `2026-11-29T19:32:10Z` for seconds since the epoch (as AWS writes `aws:CurrentTime`).
pub fn format_utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // H. Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem / 60) % 60,
        rem % 60
    )
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc() {
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_utc(1_577_836_800), "2020-01-01T00:00:00Z");
        assert_eq!(format_utc(1_796_000_000), "2026-11-30T00:53:20Z");
        for t in [0i64, 951_782_400, 1_700_000_000, 4_102_444_800] {
            assert_eq!(parse(&format_utc(t)), Some(i128::from(t) * NANOS));
        }
    }

    fn secs(t: &str) -> Option<i128> {
        parse(t).map(|n| n / NANOS)
    }

    #[test]
    fn iso_forms() {
        assert_eq!(secs("1970-01-01"), Some(0));
        assert_eq!(secs("2020-01-01"), Some(1_577_836_800));
        assert_eq!(secs("2020-01"), Some(1_577_836_800));
        assert_eq!(secs("2020-01-01T00:00:00Z"), Some(1_577_836_800));
        assert_eq!(secs("2020-01-01T12:00Z"), Some(1_577_880_000));
        assert_eq!(secs("2020-01-01T12:00:00+02:00"), Some(1_577_872_800));
        assert_eq!(secs("2020-01-01T12:00:00-0130"), Some(1_577_885_400));
        assert_eq!(secs("2020-01-01T12:00:00+02"), Some(1_577_872_800));
        assert_eq!(secs("20200101T120000Z"), Some(1_577_880_000));
        assert_eq!(secs("2020-01-01t12:00:00z"), Some(1_577_880_000));
        assert_eq!(secs("2020-01-01T12:00:00"), Some(1_577_880_000));
        assert_eq!(secs("2024-02-29"), Some(1_709_164_800));
        assert_eq!(
            parse("2020-01-01T00:00:00.250Z"),
            Some(1_577_836_800 * NANOS + 250_000_000)
        );
        assert_eq!(
            parse("2020-01-01T00:00:00.1234567891Z"),
            Some(1_577_836_800 * NANOS + 123_456_789)
        );
        assert_eq!(secs("1969-12-31T23:59:59Z"), Some(-1));
    }

    #[test]
    fn epoch_forms() {
        assert_eq!(secs("1577836800"), Some(1_577_836_800));
        assert_eq!(parse("1.5"), Some(NANOS + NANOS / 2));
        assert_eq!(secs("-86400"), Some(-86_400));
        assert_eq!(secs("0"), Some(0));
    }

    #[test]
    fn rejects() {
        for t in [
            "",
            "2023-02-29",
            "2020-13-01",
            "2020-00-10",
            "2020-01-32",
            "2020-01-01T25:00:00Z",
            "2020-01-01T12:60:00Z",
            "2020-01-01T12:00:00+24:00",
            "2020-01-01T12:00:00Q",
            "2020-01-01T",
            "2020/01/01",
            "1.",
            "tomorrow",
            "2020-01-01T12:00:00.Z",
            "2020-1-1",
        ] {
            assert_eq!(parse(t), None, "{t:?}");
        }
    }
}

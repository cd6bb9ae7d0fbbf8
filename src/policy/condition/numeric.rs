//! Exact decimal numbers for the `Numeric…` operators: integers and decimals, an
//! optional sign and exponent, compared without rounding (`0.1` is `0.10`, `1e3` is
//! `1000`, 17-digit integers keep every digit).

use std::cmp::Ordering;

/// A parsed number, borrowed from its text.
#[derive(Debug, Clone, Copy)]
struct Parts<'a> {
    negative: bool,
    int: &'a str,
    frac: &'a str,
    exp: i64,
}

/// A number in canonical form: `0.d₁d₂… × 10^point`, no leading or trailing zeros in
/// the digits; zero has no digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    point: i64,
    digits: Box<[u8]>,
}

/// The canonical view of a number, without allocating.
#[derive(Debug, Clone, Copy)]
struct View<'a> {
    sign: i8,
    point: i64,
    parts: Parts<'a>,
    skip: usize,
    take: usize,
}

impl View<'_> {
    fn digits(&self) -> impl Iterator<Item = u8> + '_ {
        self.parts
            .int
            .bytes()
            .chain(self.parts.frac.bytes())
            .skip(self.skip)
            .take(self.take)
    }
}

impl Number {
    /// Parses a policy value; `None` when it is not a number.
    pub fn parse(text: &str) -> Option<Number> {
        let v = view(text)?;
        Some(Number {
            negative: v.sign < 0,
            point: v.point,
            digits: v.digits().collect(),
        })
    }

    /// Compares a request value with this number; `None` when it is not a number.
    pub fn compare_text(&self, text: &str) -> Option<Ordering> {
        Some(self.compare(&RequestNumber::parse(text)?))
    }

    /// How a parsed request value compares with this number (request against policy).
    pub fn compare(&self, request: &RequestNumber<'_>) -> Ordering {
        let v = &request.0;
        let sign = if self.digits.is_empty() {
            0
        } else if self.negative {
            -1
        } else {
            1
        };
        let ord = v.sign.cmp(&sign);
        if ord != Ordering::Equal || sign == 0 {
            return ord;
        }
        let magnitude = v
            .point
            .cmp(&self.point)
            .then_with(|| v.digits().cmp(self.digits.iter().copied()));
        if sign < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// A request value parsed once, borrowed from its text (no allocation).
#[derive(Debug, Clone, Copy)]
pub struct RequestNumber<'a>(View<'a>);

impl<'a> RequestNumber<'a> {
    /// `None` when the text is not a number.
    pub fn parse(text: &'a str) -> Option<Self> {
        view(text).map(RequestNumber)
    }
}

/// Most digits and the largest exponent accepted; beyond are not numbers AWS takes.
const MAX_DIGITS: usize = 4096;
const MAX_EXP: i64 = 1_000_000;

fn parse_parts(text: &str) -> Option<Parts<'_>> {
    let (negative, rest) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..)?),
        Some(b'+') => (false, text.get(1..)?),
        _ => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(at) => {
            let (m, e) = rest.split_at_checked(at)?;
            let e = e.get(1..)?;
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 8
            {
                return None;
            }
            let exp: i64 = e.strip_prefix('+').unwrap_or(e).parse().ok()?;
            if exp.abs() > MAX_EXP {
                return None;
            }
            (m, exp)
        }
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty())
        || !all_digits(int)
        || !all_digits(frac)
        || int.len() + frac.len() > MAX_DIGITS
    {
        return None;
    }
    Some(Parts {
        negative,
        int,
        frac,
        exp,
    })
}

fn view(text: &str) -> Option<View<'_>> {
    let parts = parse_parts(text)?;
    let all = || parts.int.bytes().chain(parts.frac.bytes());
    let total = parts.int.len() + parts.frac.len();
    let lead = all().take_while(|b| *b == b'0').count();
    if lead == total {
        return Some(View {
            sign: 0,
            point: 0,
            parts,
            skip: 0,
            take: 0,
        });
    }
    let trail = parts
        .frac
        .bytes()
        .rev()
        .chain(parts.int.bytes().rev())
        .take_while(|b| *b == b'0')
        .count();
    let int_len = i64::try_from(parts.int.len()).ok()?;
    let lead_i = i64::try_from(lead).ok()?;
    Some(View {
        sign: if parts.negative { -1 } else { 1 },
        point: int_len - lead_i + parts.exp,
        parts,
        skip: lead,
        take: total - lead - trail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmp(request: &str, policy: &str) -> Option<Ordering> {
        Number::parse(policy)?.compare_text(request)
    }

    #[test]
    fn compares_exactly() {
        use Ordering::*;
        assert_eq!(cmp("10", "10"), Some(Equal));
        assert_eq!(cmp("10.0", "10"), Some(Equal));
        assert_eq!(cmp("0010", "1e1"), Some(Equal));
        assert_eq!(cmp("0.1", ".10"), Some(Equal));
        assert_eq!(cmp("-0", "0.000"), Some(Equal));
        assert_eq!(cmp("9", "10"), Some(Less));
        assert_eq!(cmp("10.5", "10"), Some(Greater));
        assert_eq!(cmp("-10.5", "-10"), Some(Less));
        assert_eq!(cmp("-1", "0"), Some(Less));
        assert_eq!(cmp("0", "-1"), Some(Greater));
        assert_eq!(cmp("0.001", "0.01"), Some(Less));
        assert_eq!(cmp("12345678901234567", "12345678901234568"), Some(Less));
        assert_eq!(cmp("1.5E-1", "0.15"), Some(Equal));
        assert_eq!(cmp("100", "99.999"), Some(Greater));
    }

    #[test]
    fn rejects_non_numbers() {
        for t in [
            "",
            "-",
            ".",
            "1.2.3",
            "abc",
            "1e",
            "1e+",
            " 1",
            "1 ",
            "NaN",
            "inf",
            "0x10",
            "1e99999999",
        ] {
            assert!(Number::parse(t).is_none(), "{t:?}");
        }
        assert_eq!(cmp("abc", "1"), None);
        assert!(Number::parse("5.").is_some());
        assert!(Number::parse("+5").is_some());
    }
}

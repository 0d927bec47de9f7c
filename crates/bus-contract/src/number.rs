//! Numbers the way EventBridge compares them (spec §4.1, profile F64).
//!
//! A number takes part in numeric comparison only when it is *comparable*: its nearest double is
//! finite and prints back, with the fewest digits that round-trip, as exactly the same decimal.
//! `0.10` and `3.0e2` are comparable; `1.0000000000000001`, `9007199254740993` and `1e400` are
//! not. Non-comparable numbers only ever match by their text.

/// A decimal number reduced to its sign, its significant digits and the power of ten of its last
/// digit, so that two spellings of one value compare equal.
#[derive(Debug, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    /// Significant digits, no leading or trailing zeros; empty for zero.
    digits: Vec<u8>,
    /// Power of ten of the last digit.
    exp: i64,
}

impl Decimal {
    /// Reads a JSON-shaped number (`-`, digits, optional fraction and exponent). Huge exponents
    /// saturate, which keeps the comparison exact for every value a double can hold.
    fn parse(text: &str) -> Option<Decimal> {
        let b = text.as_bytes();
        let mut i = 0;
        let negative = b.first() == Some(&b'-');
        if negative {
            i += 1;
        }
        let mut digits = Vec::new();
        let mut frac_len: i64 = 0;
        let mut in_frac = false;
        let mut any = false;
        while let Some(&c) = b.get(i) {
            match c {
                b'0'..=b'9' => {
                    any = true;
                    if !(digits.is_empty() && c == b'0') {
                        digits.push(c - b'0');
                    }
                    if in_frac {
                        frac_len += 1;
                    }
                }
                b'.' if !in_frac => in_frac = true,
                _ => break,
            }
            i += 1;
        }
        if !any {
            return None;
        }
        let mut exp: i64 = 0;
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            let neg = match b.get(i) {
                Some(b'-') => {
                    i += 1;
                    true
                }
                Some(b'+') => {
                    i += 1;
                    false
                }
                _ => false,
            };
            let start = i;
            while let Some(&c) = b.get(i) {
                if !c.is_ascii_digit() {
                    return None;
                }
                exp = exp.saturating_mul(10).saturating_add(i64::from(c - b'0'));
                i += 1;
            }
            if i == start {
                return None;
            }
            if neg {
                exp = -exp;
            }
        }
        if i != b.len() {
            return None;
        }
        let mut exp = exp.saturating_sub(frac_len);
        while digits.last() == Some(&0) {
            digits.pop();
            exp = exp.saturating_add(1);
        }
        if digits.is_empty() {
            return Some(Decimal {
                negative: false,
                digits,
                exp: 0,
            });
        }
        Some(Decimal {
            negative,
            digits,
            exp,
        })
    }
}

/// The shortest decimal that reads back as `d`, as Java's `Double.toString` chooses it: at least
/// two significant digits, and among those the one nearest `d`. That only differs from the plain
/// shortest form for a few subnormals (`5e-324` prints as `4.9E-324`).
fn java_shortest(d: f64) -> String {
    let shortest = format!("{d:e}");
    let digits = shortest
        .split('e')
        .next()
        .unwrap_or("")
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    if digits == 1 {
        let two = format!("{d:.1e}");
        if two.parse::<f64>().ok() == Some(d) {
            return two;
        }
    }
    shortest
}

/// How numbers are compared: which numbers are comparable, and as what value.
///
/// EventBridge's engine has changed here over the years, and which profile the service runs
/// today is not known for certain (see the README's divergences).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum NumericProfile {
    /// The current engine: any number whose nearest double prints back as the same decimal
    /// compares as that double. The default.
    #[default]
    F64,
    /// The documented older engine: numbers from -5.0e9 to 5.0e9 inclusive, compared after
    /// truncation to six decimal places. Numeric operands outside the range are rejected.
    Legacy5e9,
}

impl NumericProfile {
    /// The comparable value of a number's text, or `None` when it is not comparable. Values
    /// are only ever compared with values of the same profile.
    pub(crate) fn comparable(self, text: &str) -> Option<f64> {
        match self {
            NumericProfile::F64 => comparable(text),
            NumericProfile::Legacy5e9 => micro_units(text),
        }
    }

    /// The value a number would compare as, if it is comparable: cheap (one parse, no
    /// allocation). A match on this value still needs [`NumericProfile::comparable`] to
    /// confirm, but a miss is final, so most numbers never pay for the full check.
    pub(crate) fn approx(self, text: &str) -> Option<f64> {
        match self {
            NumericProfile::F64 => {
                let d: f64 = text.parse().ok()?;
                d.is_finite().then_some(if d == 0.0 { 0.0 } else { d })
            }
            NumericProfile::Legacy5e9 => micro_units(text),
        }
    }

    /// The comparable value of an operand of `numeric` or of a numeric `anything-but`, or
    /// EventBridge's reason for rejecting it.
    pub(crate) fn operand(self, text: &str) -> Result<f64, String> {
        match self {
            NumericProfile::F64 => {
                comparable(text).ok_or_else(|| format!("Cannot compare number : {text}"))
            }
            NumericProfile::Legacy5e9 => micro_units(text)
                .ok_or_else(|| "Value must be between -5.0E9 and 5.0E9, inclusive".to_string()),
        }
    }
}

/// The number in millionths, truncated toward zero, when it lies within ±5.0e9. The result is
/// an integer below 2^53 in magnitude, so the `f64` holds it exactly.
fn micro_units(text: &str) -> Option<f64> {
    const MAX: u64 = 5_000_000_000_000_000;
    let d = Decimal::parse(text)?;
    let scale = d.exp.saturating_add(6);
    let int_digits = (d.digits.len() as i64).saturating_add(scale);
    if int_digits > 16 {
        return None;
    }
    let mut micro: u64 = 0;
    for (i, &digit) in d.digits.iter().enumerate() {
        if (i as i64) < int_digits {
            micro = micro * 10 + u64::from(digit);
        }
    }
    for _ in 0..scale.max(0) {
        micro *= 10;
    }
    if micro > MAX {
        return None;
    }
    let v = micro as f64;
    Some(if d.negative && micro != 0 { -v } else { v })
}

/// The comparable value of a number's text under [`NumericProfile::F64`], or `None` when it
/// is not comparable.
pub(crate) fn comparable(text: &str) -> Option<f64> {
    let d: f64 = text.parse().ok()?;
    if !d.is_finite() {
        return None;
    }
    // Fast path, without allocating: a decimal of at most 15 significant digits in the normal
    // range is recovered exactly from its nearest double (DBL_DIG), so its shortest
    // round-trip form is itself.
    if d == 0.0 || d.abs() >= f64::MIN_POSITIVE {
        let mantissa = text.split(['e', 'E']).next().unwrap_or(text);
        let digits = mantissa
            .bytes()
            .filter(u8::is_ascii_digit)
            .skip_while(|&b| b == b'0');
        let mut significant = 0;
        let mut zeros = 0;
        for b in digits {
            if b == b'0' {
                zeros += 1;
            } else {
                significant += zeros + 1;
                zeros = 0;
            }
        }
        // A zero double is comparable only if the text is zero (1e-400 underflows to 0).
        if d == 0.0 {
            return (significant == 0).then_some(0.0);
        }
        if significant <= 15 {
            return Some(d);
        }
    }
    let written = Decimal::parse(text)?;
    let printed = Decimal::parse(&java_shortest(d))?;
    if written == printed {
        // -0 and 0 are the same comparable value.
        Some(if d == 0.0 { 0.0 } else { d })
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_comparable_f64_profile() {
        // §4.1 examples
        for t in [
            "0.1",
            "0.10",
            "3.0e2",
            "1e21",
            "123456789012",
            "5000000001",
            "-1.7976931348623157e308",
            "4.9e-324",
            "-0.0",
            "0",
        ] {
            assert!(comparable(t).is_some(), "{t} should be comparable");
        }
        for t in [
            "1e400",
            "1e-400",
            "1.0000000000000001",
            "9007199254740993",
            "5e-324",
            "1E-325",
            "2.0e422",
        ] {
            assert!(comparable(t).is_none(), "{t} should not be comparable");
        }
        assert_eq!(comparable("-0.0"), Some(0.0));
        assert_eq!(comparable("3.0e2"), comparable("300"));
    }

    #[test]
    fn numbers_legacy_profile() {
        let p = NumericProfile::Legacy5e9;
        assert_eq!(p.comparable("5e9"), Some(5e15));
        assert_eq!(p.comparable("-5000000000"), Some(-5e15));
        assert_eq!(p.comparable("5000000001"), None);
        assert_eq!(p.comparable("123456789012"), None);
        assert_eq!(p.comparable("0.0000001"), p.comparable("0"));
        assert_eq!(p.comparable("1.5"), Some(1_500_000.0));
        assert_eq!(p.comparable("3.0e2"), p.comparable("300"));
        assert_eq!(
            p.operand("6e9").unwrap_err(),
            "Value must be between -5.0E9 and 5.0E9, inclusive"
        );
        assert_eq!(p.comparable("1e-999999"), Some(0.0));
        assert_eq!(p.comparable("1e999999"), None);
    }

    #[test]
    fn numbers_huge_texts_are_cheap() {
        let long = "1".repeat(100_000);
        assert!(comparable(&long).is_none());
        assert!(comparable("1e999999").is_none());
        assert!(comparable("1e99999999999999999999999").is_none());
    }
}

//! Money is integer fen (分), never floating point. People type yuan with at most two
//! decimals; this module turns that into fen and fen back into what people read.

use crate::error::{FieldError, Invalid};

/// The largest amount one line may carry: ¥100,000,000.00.
pub const MAX_FEN: i64 = 10_000_000_000;

/// Parses one well-formed amount in yuan into fen: digits, optionally grouped by
/// thousands with commas in the right places ("1,234,567"), optionally followed by a point
/// and one or two decimals, optionally written with a leading ¥ or a trailing 元. Anything
/// else ("5.", "1 2 3", ",,,5", "¥¥7", "-5", "1e3") is refused as
/// [`FieldError::NotAnAmount`], whose words show the expected form. Negative amounts are
/// refused: a line's kind says whether money came in or went out. The phone's form, the
/// server and the spreadsheet import all read amounts here.
pub fn parse_yuan(raw: &str, field: &'static str) -> Result<i64, Invalid> {
    let bad = || Invalid::new(field, FieldError::NotAnAmount);
    let t = raw.trim();
    if t.is_empty() {
        return Err(Invalid::new(field, FieldError::Required));
    }
    let t = match (t.strip_prefix(['¥', '￥']), t.strip_suffix('元')) {
        (Some(rest), None) | (None, Some(rest)) => rest.trim(),
        (None, None) => t,
        (Some(_), Some(_)) => return Err(bad()),
    };
    let (whole, frac) = match t.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (t, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // The whole part: plain digits, or groups of three after a first group of one to three.
    let groups: Vec<&str> = whole.split([',', '，']).collect();
    let grouped_right = groups.iter().all(|g| all_digits(g))
        && (1..=3).contains(&groups[0].len())
        && groups[1..].iter().all(|g| g.len() == 3);
    if !(groups.len() == 1 && all_digits(whole) || groups.len() > 1 && grouped_right) {
        return Err(bad());
    }
    let digits: String = groups.concat();
    if digits.len() > 1 && digits.starts_with('0') {
        return Err(bad());
    }
    let frac_fen = match frac {
        None => 0,
        Some(f) if all_digits(f) && f.len() <= 2 => {
            let n: i64 = f.parse().map_err(|_| bad())?;
            if f.len() == 1 { n * 10 } else { n }
        }
        Some(_) => return Err(bad()),
    };
    if digits.len() > 12 {
        return Err(Invalid::new(field, FieldError::OutOfRange));
    }
    let whole: i64 = digits.parse().map_err(|_| bad())?;
    let fen = whole * 100 + frac_fen;
    if fen <= 0 || fen > MAX_FEN {
        return Err(Invalid::new(field, FieldError::OutOfRange));
    }
    Ok(fen)
}

/// `123456` → "1,234.56".
pub fn format_yuan(fen: i64) -> String {
    let neg = fen < 0;
    let abs = fen.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{}.{:02}", if neg { "-" } else { "" }, grouped, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_to_fen() {
        assert_eq!(parse_yuan("1234.5", "a"), Ok(123_450));
        assert_eq!(parse_yuan("¥1,234.56", "a"), Ok(123_456));
        assert_eq!(parse_yuan("12", "a"), Ok(1_200));
        assert_eq!(parse_yuan("0.01", "a"), Ok(1));
        assert_eq!(parse_yuan("", "a").unwrap_err().reason, FieldError::Required);
        assert_eq!(parse_yuan("5元", "a"), Ok(500));
        assert_eq!(parse_yuan("￥ 1,234,567.8", "a"), Ok(123_456_780));
        assert_eq!(parse_yuan("1，234", "a"), Ok(123_400));
        assert_eq!(parse_yuan(" 0.5 ", "a"), Ok(50));
        for bad in [
            "1.234", "-5", "1e3", "abc", ".5", "1.2.3", "5.", "1 2 3", ",,,5", "¥¥7", "7元元", "¥7元", "1,23",
            "12,3456", "1234,567", ",123", "123,", "1,,234", "007", "0,123", "5.5.", "1.-5", "+5", "５",
        ] {
            assert_eq!(
                parse_yuan(bad, "a").unwrap_err().reason,
                FieldError::NotAnAmount,
                "{bad}"
            );
        }
        assert_eq!(parse_yuan("  ", "a").unwrap_err().reason, FieldError::Required);
        assert_eq!(parse_yuan("0", "a").unwrap_err().reason, FieldError::OutOfRange);
        assert_eq!(
            parse_yuan("100000000.01", "a").unwrap_err().reason,
            FieldError::OutOfRange
        );
    }

    #[test]
    fn fen_to_text() {
        assert_eq!(format_yuan(123_456), "1,234.56");
        assert_eq!(format_yuan(5), "0.05");
        assert_eq!(format_yuan(100_000_000), "1,000,000.00");
        assert_eq!(format_yuan(-250), "-2.50");
    }
}

//! Money is integer fen (分), never floating point. People type yuan with at most two
//! decimals; this module turns that into fen and fen back into what people read.

use crate::error::{FieldError, Invalid};

/// The largest amount one line may carry: ¥100,000,000.00.
pub const MAX_FEN: i64 = 10_000_000_000;

/// Parses "1234.5", "1,234.50" or "¥12" into fen. Negative amounts are refused: a line's
/// kind says whether money came in or went out.
pub fn parse_yuan(raw: &str, field: &'static str) -> Result<i64, Invalid> {
    let s: String = raw
        .trim()
        .trim_start_matches(['¥', '￥'])
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if s.is_empty() {
        return Err(Invalid::new(field, FieldError::Required));
    }
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s.as_str(), ""),
    };
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 12 {
        return Err(Invalid::new(field, FieldError::BadFormat));
    }
    let whole: i64 = whole.parse().map_err(|_| Invalid::new(field, FieldError::BadFormat))?;
    let frac: i64 = match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().unwrap_or(0) * 10,
        _ => frac.parse::<i64>().unwrap_or(0),
    };
    let fen = whole * 100 + frac;
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
        for bad in ["1.234", "-5", "1e3", "abc", ".5", "1.2.3"] {
            assert_eq!(parse_yuan(bad, "a").unwrap_err().reason, FieldError::BadFormat, "{bad}");
        }
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

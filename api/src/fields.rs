//! Validated newtypes: parse once at the edge, then carry proof of validity.
//! Both the server (authoritative) and the client (instant feedback) use these parsers.

use crate::error::{FieldError, Invalid};

/// A mainland China mobile number (11 digits, 1[3-9]…), stored without separators.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mobile(String);

impl Mobile {
    /// Accepts spaces, hyphens and a leading +86 or 86, as people type them.
    pub fn parse(raw: &str) -> Result<Mobile, Invalid> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
        let digits = digits
            .strip_prefix("+86")
            .or_else(|| digits.strip_prefix("86").filter(|d| d.len() == 11))
            .unwrap_or(&digits);
        if digits.is_empty() {
            return Err(Invalid::new("mobile", FieldError::Required));
        }
        let b = digits.as_bytes();
        let ok = b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(Mobile(digits.to_owned()))
        } else {
            Err(Invalid::new("mobile", FieldError::BadFormat))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Shown to everyone but the person themself: 138****5678.
    pub fn masked(&self) -> String {
        mask_mobile(&self.0)
    }
}

/// Masks the middle four digits of an already valid mobile number.
pub fn mask_mobile(mobile: &str) -> String {
    if mobile.len() != 11 || !mobile.is_ascii() {
        return "***".to_owned();
    }
    format!("{}****{}", &mobile[..3], &mobile[7..])
}

/// A person's name as written on their ID card: 1–20 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 20;

    pub fn parse(raw: &str) -> Result<PersonName, Invalid> {
        Self::parse_field(raw, "name")
    }

    /// Parses a name that arrives in a field with another name (e.g. a household head).
    pub fn parse_field(raw: &str, field: &'static str) -> Result<PersonName, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new(field, FieldError::Required));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(field, FieldError::TooLong));
        }
        crate::text::check(name, false).map_err(|e| Invalid::new(field, e))?;
        if name.chars().any(|c| c.is_control() || matches!(c, '<' | '>')) {
            return Err(Invalid::new(field, FieldError::BadFormat));
        }
        Ok(PersonName(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Masks a private person's name in public lists: 张*明, 王*, 欧**华.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".to_owned(),
        2 => format!("{}*", chars[0]),
        n => {
            let mut s = String::new();
            s.push(chars[0]);
            s.extend(std::iter::repeat_n('*', n - 2));
            s.push(chars[n - 1]);
            s
        }
    }
}

/// A password of 8 to 128 characters. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Password, Invalid> {
        let n = raw.chars().count();
        if n == 0 {
            Err(Invalid::new("password", FieldError::Required))
        } else if n < Self::MIN_CHARS {
            Err(Invalid::new("password", FieldError::TooShort))
        } else if n > Self::MAX_CHARS {
            Err(Invalid::new("password", FieldError::TooLong))
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// A one-time code handed over in person: an invite code or a password reset code.
/// Eight characters from an alphabet without look-alikes (no 0/O, 1/I/L), shown as
/// `ABCD-EFGH`; people may type it in lower case, with or without the hyphen.
#[derive(Clone, PartialEq, Eq)]
pub struct InviteCode(String);

impl InviteCode {
    pub const ALPHABET: &'static [u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    pub const LEN: usize = 8;

    pub fn parse(raw: &str) -> Result<InviteCode, Invalid> {
        Self::parse_field(raw, "code")
    }

    pub fn parse_field(raw: &str, field: &'static str) -> Result<InviteCode, Invalid> {
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        if code.is_empty() {
            return Err(Invalid::new(field, FieldError::Required));
        }
        let ok = code.len() == Self::LEN && code.bytes().all(|b| Self::ALPHABET.contains(&b));
        if ok {
            Ok(InviteCode(code))
        } else {
            Err(Invalid::new(field, FieldError::BadFormat))
        }
    }

    /// Builds a code from random bytes (one byte per character, rejection-free modulo:
    /// the bias of 256 mod 31 is accepted for a short-lived, rate-limited code).
    pub fn from_random(bytes: [u8; Self::LEN]) -> InviteCode {
        let s = bytes
            .iter()
            .map(|b| Self::ALPHABET[*b as usize % Self::ALPHABET.len()] as char)
            .collect();
        InviteCode(s)
    }

    /// The canonical form (upper case, no hyphen), which is what gets hashed.
    pub fn canonical(&self) -> &str {
        &self.0
    }

    /// The form shown to people: `ABCD-EFGH`.
    pub fn display(&self) -> String {
        format!("{}-{}", &self.0[..4], &self.0[4..])
    }
}

impl std::fmt::Debug for InviteCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InviteCode(***)")
    }
}

/// A resident ID card number (居民身份证号码, GB 11643): 17 digits and a check character
/// (a digit or X) computed from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCard(String);

impl IdCard {
    pub fn parse(raw: &str) -> Result<IdCard, Invalid> {
        let s: String = raw
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_uppercase();
        if s.is_empty() {
            return Err(Invalid::new("id_card", FieldError::Required));
        }
        let b = s.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) {
            return Err(Invalid::new("id_card", FieldError::BadFormat));
        }
        const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
        const CHECK: &[u8; 11] = b"10X98765432";
        let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(d, w)| (d - b'0') as u32 * w).sum();
        if CHECK[(sum % 11) as usize] != b[17] {
            return Err(Invalid::new("id_card", FieldError::BadChecksum));
        }
        Ok(IdCard(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobile_accepts_common_spellings() {
        for raw in [
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+8613812345678",
            "8613812345678",
        ] {
            assert_eq!(Mobile::parse(raw).unwrap().as_str(), "13812345678", "{raw}");
        }
    }

    #[test]
    fn mobile_rejects_bad_numbers() {
        assert_eq!(Mobile::parse("").unwrap_err().reason, FieldError::Required);
        for raw in [
            "1381234567",
            "138123456789",
            "12812345678",
            "23812345678",
            "1381234567x",
        ] {
            assert_eq!(Mobile::parse(raw).unwrap_err().reason, FieldError::BadFormat, "{raw}");
        }
    }

    #[test]
    fn mobile_is_masked() {
        assert_eq!(Mobile::parse("13812345678").unwrap().masked(), "138****5678");
        assert_eq!(mask_mobile("bad"), "***");
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(PersonName::parse("  张三 ").unwrap().as_str(), "张三");
        assert_eq!(PersonName::parse(" ").unwrap_err().reason, FieldError::Required);
        let long: String = "张".repeat(21);
        assert_eq!(PersonName::parse(&long).unwrap_err().reason, FieldError::TooLong);
        assert_eq!(
            PersonName::parse("a\u{7}b").unwrap_err().reason,
            FieldError::InvisibleCharacter
        );
        assert_eq!(
            PersonName::parse("张\u{202e}三").unwrap_err().reason,
            FieldError::InvisibleCharacter
        );
        assert_eq!(PersonName::parse("a<b").unwrap_err().reason, FieldError::BadFormat);
    }

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张晓明"), "张*明");
        assert_eq!(mask_name("王五"), "王*");
        assert_eq!(mask_name("欧阳春华"), "欧**华");
        assert_eq!(mask_name("李"), "*");
    }

    #[test]
    fn password_bounds_and_hidden_debug() {
        assert_eq!(Password::parse("short").unwrap_err().reason, FieldError::TooShort);
        assert_eq!(Password::parse("").unwrap_err().reason, FieldError::Required);
        let p = Password::parse("long enough").unwrap();
        assert!(!format!("{p:?}").contains("long"));
    }

    #[test]
    fn invite_codes_normalise() {
        let c = InviteCode::parse("abcd-efgh").unwrap();
        assert_eq!(c.canonical(), "ABCDEFGH");
        assert_eq!(c.display(), "ABCD-EFGH");
        assert_eq!(
            InviteCode::parse("ABCD EFG0").unwrap_err().reason,
            FieldError::BadFormat
        );
        assert_eq!(InviteCode::parse("ABC").unwrap_err().reason, FieldError::BadFormat);
        let r = InviteCode::from_random([0, 30, 31, 255, 7, 8, 9, 10]);
        assert!(InviteCode::parse(r.canonical()).is_ok());
    }

    #[test]
    fn id_cards_carry_their_check_digit() {
        assert_eq!(
            IdCard::parse("11010519491231002x").unwrap().as_str(),
            "11010519491231002X"
        );
        assert!(IdCard::parse("440524188001010014").is_ok());
        assert_eq!(
            IdCard::parse("440524188001010015").unwrap_err().reason,
            FieldError::BadChecksum
        );
        assert_eq!(
            IdCard::parse("4405241880010100").unwrap_err().reason,
            FieldError::BadFormat
        );
        assert_eq!(IdCard::parse(" ").unwrap_err().reason, FieldError::Required);
    }
}

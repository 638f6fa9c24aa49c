//! Regions: city → county → township → village, named by 12-digit administrative codes.
//!
//! The code itself carries the tree: a city keeps 4 significant digits, a county 6, a
//! township 9 and a village all 12, the rest zeros. So "is B inside A" is a prefix test.

use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Invalid};

/// The level of a region in the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 市
    City,
    /// 县（区）
    County,
    /// 乡镇（街道）
    Township,
    /// 村（社区）
    Village,
}

impl RegionLevel {
    /// How many leading digits of the code are significant at this level.
    pub fn significant_digits(self) -> usize {
        match self {
            RegionLevel::City => 4,
            RegionLevel::County => 6,
            RegionLevel::Township => 9,
            RegionLevel::Village => 12,
        }
    }

    pub fn parent(self) -> Option<RegionLevel> {
        match self {
            RegionLevel::City => None,
            RegionLevel::County => Some(RegionLevel::City),
            RegionLevel::Township => Some(RegionLevel::County),
            RegionLevel::Village => Some(RegionLevel::Township),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RegionLevel::City => "city",
            RegionLevel::County => "county",
            RegionLevel::Township => "township",
            RegionLevel::Village => "village",
        }
    }

    pub fn parse(s: &str) -> Option<RegionLevel> {
        Some(match s {
            "city" => RegionLevel::City,
            "county" => RegionLevel::County,
            "township" => RegionLevel::Township,
            "village" => RegionLevel::Village,
            _ => return None,
        })
    }
}

/// A 12-digit region code whose zero padding matches one of the four levels.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(raw: &str) -> Result<RegionCode, Invalid> {
        let raw = raw.trim();
        let b = raw.as_bytes();
        if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
            return Err(Invalid::new("region", FieldError::BadFormat));
        }
        let code = RegionCode(raw.to_owned());
        // The four significant city digits must not be all zero.
        if b[..4] == *b"0000" {
            return Err(Invalid::new("region", FieldError::BadFormat));
        }
        let _ = code.level();
        Ok(code)
    }

    /// The level is read from where the zero padding starts. A village whose own digits
    /// happen to be "000" does not exist in the national scheme, so this is unambiguous.
    pub fn level(&self) -> RegionLevel {
        let b = self.0.as_bytes();
        let zeros_from = |i: usize| b[i..].iter().all(|d| *d == b'0');
        if zeros_from(4) {
            RegionLevel::City
        } else if zeros_from(6) {
            RegionLevel::County
        } else if zeros_from(9) {
            RegionLevel::Township
        } else {
            RegionLevel::Village
        }
    }

    /// The significant prefix: what every region inside this one starts with.
    pub fn prefix(&self) -> &str {
        &self.0[..self.level().significant_digits()]
    }

    /// True when `other` is this region or lies below it.
    pub fn contains(&self, other: &RegionCode) -> bool {
        other.0.starts_with(self.prefix()) && other.level() >= self.level()
    }

    /// The code of the region directly above, if any.
    pub fn parent(&self) -> Option<RegionCode> {
        let parent = self.level().parent()?;
        let keep = parent.significant_digits();
        let mut s = self.0[..keep].to_owned();
        s.extend(std::iter::repeat_n('0', 12 - keep));
        Some(RegionCode(s))
    }

    /// The county this region lies in (itself for a county); `None` for a city.
    pub fn county(&self) -> Option<RegionCode> {
        if self.level() < RegionLevel::County {
            return None;
        }
        let keep = RegionLevel::County.significant_digits();
        let mut s = self.0[..keep].to_owned();
        s.extend(std::iter::repeat_n('0', 12 - keep));
        Some(RegionCode(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = Invalid;
    fn try_from(s: String) -> Result<Self, Invalid> {
        RegionCode::parse(&s)
    }
}

impl From<RegionCode> for String {
    fn from(c: RegionCode) -> String {
        c.0
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn levels_follow_padding() {
        assert_eq!(c("359900000000").level(), RegionLevel::City);
        assert_eq!(c("359901000000").level(), RegionLevel::County);
        assert_eq!(c("359901101000").level(), RegionLevel::Township);
        assert_eq!(c("359901101201").level(), RegionLevel::Village);
    }

    #[test]
    fn containment_is_by_prefix_and_level() {
        let city = c("359900000000");
        let county = c("359901000000");
        let town = c("359901101000");
        let village = c("359901101201");
        let other_town = c("359901102000");
        assert!(city.contains(&village));
        assert!(county.contains(&town));
        assert!(town.contains(&village));
        assert!(village.contains(&village));
        assert!(!village.contains(&town));
        assert!(!other_town.contains(&village));
        assert!(!c("359800000000").contains(&village));
    }

    #[test]
    fn parents() {
        assert_eq!(c("359901101201").parent(), Some(c("359901101000")));
        assert_eq!(c("359901101000").parent(), Some(c("359901000000")));
        assert_eq!(c("359901000000").parent(), Some(c("359900000000")));
        assert_eq!(c("359900000000").parent(), None);
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in ["", "35990110120", "3599011012011", "35990110120x", "000000000000"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<RegionCode>("\"12\"").is_err());
    }
}

//! Roles. Every role is held over one region (and, for staff, everything below it).

use serde::{Deserialize, Serialize};

use crate::region::RegionLevel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 村民: a member of one household of one village.
    Villager,
    /// 报账员: uploads the village's accounts.
    Accountant,
    /// 村干部: settles demands, manages households and invite codes of the village.
    Cadre,
    /// 驻村干部（审核）: reviews and seals invoices of a township's villages.
    Reviewer,
    /// 承办部门: the township, county or city office that takes demands sent up.
    Handler,
    /// 纪检监察: the discipline inspection office of a township, county or city.
    Inspector,
    /// 管理员: sets up a region subtree.
    Admin,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Villager,
        Role::Accountant,
        Role::Cadre,
        Role::Reviewer,
        Role::Handler,
        Role::Inspector,
        Role::Admin,
    ];

    /// The region levels at which this role can be held.
    pub fn levels(self) -> &'static [RegionLevel] {
        use RegionLevel::*;
        match self {
            Role::Villager | Role::Accountant | Role::Cadre => &[Village],
            Role::Reviewer => &[Township],
            Role::Handler | Role::Inspector => &[Township, County, City],
            Role::Admin => &[Village, Township, County, City],
        }
    }

    pub fn is_staff(self) -> bool {
        self != Role::Villager
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Villager => "villager",
            Role::Accountant => "accountant",
            Role::Cadre => "cadre",
            Role::Reviewer => "reviewer",
            Role::Handler => "handler",
            Role::Inspector => "inspector",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            let json = serde_json::to_string(&r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

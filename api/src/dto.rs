//! Request and response bodies, grouped by resource. Fields that need validation arrive
//! as plain strings and are parsed into `crate::fields` newtypes by the server, so a bad
//! value is reported with its field name instead of a generic deserialisation error.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{RegionCode, RegionLevel, Role, Timestamp};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// `GET /api/health`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Health {
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// The newest migration applied.
    pub schema_version: i64,
    pub version: String,
}

// ---- Session and identity ----------------------------------------------------------

/// `POST /api/session`: sign in with mobile number and password.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignIn {
    pub mobile: String,
    pub password: String,
}

/// `POST /api/registrations`: a villager signs up with a household invite code.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Register {
    pub invite_code: String,
    pub name: String,
    pub mobile: String,
    pub password: String,
}

/// `POST /api/password-resets`: set a new password with a one-time code from the village.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResetPassword {
    pub mobile: String,
    pub code: String,
    pub password: String,
}

/// One role the signed-in person holds, with the region it covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Grant {
    pub role: Role,
    pub region: RegionCode,
    pub region_name: String,
    pub region_level: RegionLevel,
    /// The household, for a villager.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<Uuid>,
}

/// `GET /api/session`: who is signed in on this browser, if anyone. Unlike `GET /api/me`
/// it answers 200 to nobody, so a page that only wants to know (the sign-in page, a public
/// page) does not log a refused request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SessionState {
    pub me: Option<Me>,
}

/// `GET /api/me`: who is signed in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Me {
    pub id: Uuid,
    pub name: String,
    /// The person's own number, unmasked: this is their own.
    pub mobile: String,
    pub grants: Vec<Grant>,
    /// Every time this person's password was reset with a code someone else issued, newest
    /// first (at most ten): shown at sign-in until acknowledged, and in 我的.
    #[serde(default)]
    pub password_resets: Vec<PasswordReset>,
}

/// A reset of one's own password with a code a cadre or administrator issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PasswordReset {
    pub id: Uuid,
    /// Who issued the code, and at which post.
    pub issued_by: String,
    pub issued_at: Timestamp,
    pub reset_at: Timestamp,
    /// Whether the person has acknowledged the notice.
    pub noticed: bool,
}

/// A reset code as a township (or any administrator or inspector above the account) sees
/// it in its list: issued for whom, by whom, and whether it was used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ResetRecord {
    pub id: Uuid,
    pub account_name: String,
    pub account_mobile: String,
    pub issued_by: String,
    pub issued_at: Timestamp,
    /// When the code was used to set a new password; none if it expired or was replaced.
    pub reset_at: Option<Timestamp>,
    /// When the person acknowledged the notice of it.
    pub noticed_at: Option<Timestamp>,
}

impl Me {
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    pub fn is_staff(&self) -> bool {
        self.grants.iter().any(|g| g.role.is_staff())
    }

    /// The village this person is a villager of, if any.
    pub fn village(&self) -> Option<&Grant> {
        self.grants.iter().find(|g| g.role == Role::Villager)
    }
}

// ---- Regions -----------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegionSummary {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
}

/// `GET /api/regions/{code}`: a region, the path to it and its children.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RegionView {
    pub code: RegionCode,
    pub name: String,
    pub level: RegionLevel,
    /// From the top of the tree down to the parent, as far as the caller may see.
    pub ancestors: Vec<RegionSummary>,
    pub children: Vec<RegionSummary>,
    /// Number of households, for a village.
    pub households: Option<i64>,
}

// ---- Households --------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Household {
    pub id: Uuid,
    pub village: RegionCode,
    /// 户号: the household's number in the village register.
    pub number: String,
    /// 户主: the head of household.
    pub head_name: String,
    /// Accounts registered to this household.
    pub members: i64,
    pub created_at: Timestamp,
}

/// `POST /api/regions/{code}/households`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewHousehold {
    pub number: String,
    pub head_name: String,
}

/// `POST /api/regions/{code}/households/import`: a CSV file with the columns
/// 户号,户主姓名 (a header line first), as UTF-8 or GBK, base64-free: sent as text after
/// the client decoded it. All rows are saved or none.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct HouseholdImport {
    pub csv: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ImportResult {
    pub created: u32,
}

// ---- Invite codes ------------------------------------------------------------------

/// `POST /api/households/{id}/invites`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewInvite {
    /// How many people may register with it (1–20).
    pub max_uses: u32,
    /// Days until it expires (1–90).
    pub valid_days: u32,
}

/// An invite code as listed: the code itself is shown only once, when issued.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Invite {
    pub id: Uuid,
    pub household: Uuid,
    pub household_number: String,
    pub max_uses: u32,
    pub uses: u32,
    pub expires_at: Timestamp,
    pub revoked: bool,
    pub created_at: Timestamp,
}

/// The answer to issuing an invite or reset code: the only time the code is shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct IssuedCode {
    pub id: Uuid,
    /// `ABCD-EFGH`
    pub code: String,
    pub expires_at: Timestamp,
}

// ---- Accounts ----------------------------------------------------------------------

/// An account as staff see it in a region's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Account {
    pub id: Uuid,
    pub name: String,
    /// Masked: 138****5678.
    pub mobile: String,
    pub roles: Vec<Role>,
    pub household_number: Option<String>,
    pub created_at: Timestamp,
}

/// `POST /api/regions/{code}/accounts`: an admin creates a staff account (or adds a role
/// to an existing account with that mobile number) in their subtree.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewStaff {
    pub name: String,
    pub mobile: String,
    pub role: Role,
    /// An initial password the person changes with a reset code if they forget it.
    pub password: String,
}

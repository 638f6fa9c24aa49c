//! Private reports (举报) to a discipline inspection office.
//!
//! Two kinds of type live here. `ReportContent`, `Identity`, `FileHeader` and
//! `MessageContent` are what the filer and the office write; they only ever cross the wire
//! encrypted (base64 strings in the wire types). Everything else is what the server sees:
//! routing fields, status and ciphertext.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    RegionCode, RegionLevel, Timestamp,
    error::{FieldError, Invalid},
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The header that carries a filer's lookup token on the follow-up routes (never in a URL,
/// so that no access log can hold it).
pub const RECEIPT_HEADER: &str = "x-sunlight-receipt";

/// Largest encrypted evidence file accepted (a re-encoded photo is far smaller).
pub const MAX_FILE_BYTES: usize = 12 * 1024 * 1024;
/// Most evidence files on one report, the filer's and the office's together.
pub const MAX_FILES: i64 = 12;
/// Largest encrypted report text or message, base64.
pub const MAX_TEXT_B64: usize = 64 * 1024;

/// Whom the report is about: a cadre of a village, a township or a county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SubjectLevel {
    Village,
    Township,
    County,
}

impl SubjectLevel {
    pub const ALL: [SubjectLevel; 3] = [SubjectLevel::Village, SubjectLevel::Township, SubjectLevel::County];

    /// The office a report about such a cadre goes to by default: one level up.
    pub fn office_level(self) -> RegionLevel {
        match self {
            SubjectLevel::Village => RegionLevel::Township,
            SubjectLevel::Township => RegionLevel::County,
            SubjectLevel::County => RegionLevel::City,
        }
    }
}

/// What the report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 违规使用集体资金
    Funds,
    /// 工程项目
    Projects,
    /// 资产资源处置
    Assets,
    /// 惠民补贴
    Subsidies,
    /// 优亲厚友
    Favouritism,
    /// 作风问题
    Conduct,
    Other,
}

impl Category {
    pub const ALL: [Category; 7] = [
        Category::Funds,
        Category::Projects,
        Category::Assets,
        Category::Subsidies,
        Category::Favouritism,
        Category::Conduct,
        Category::Other,
    ];
}

/// A report's state at the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 已收到
    Received,
    /// 已立案 (has a case number)
    Accepted,
    /// 不予立案 (the reason is a message to the filer)
    NotAccepted,
    /// 调查中
    Investigating,
    /// 已办结 (the conclusion is a message to the filer)
    Concluded,
}

impl ReportStatus {
    pub const ALL: [ReportStatus; 5] = [
        ReportStatus::Received,
        ReportStatus::Accepted,
        ReportStatus::NotAccepted,
        ReportStatus::Investigating,
        ReportStatus::Concluded,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Received => "received",
            ReportStatus::Accepted => "accepted",
            ReportStatus::NotAccepted => "not_accepted",
            ReportStatus::Investigating => "investigating",
            ReportStatus::Concluded => "concluded",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        ReportStatus::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The states an office may move a report to from this one.
    pub fn next(self) -> &'static [ReportStatus] {
        use ReportStatus::*;
        match self {
            Received => &[Accepted, NotAccepted],
            Accepted => &[Investigating, Concluded],
            Investigating => &[Concluded],
            NotAccepted | Concluded => &[],
        }
    }

    /// Moving here needs a message to the filer (the reason, the conclusion).
    pub fn needs_message(self) -> bool {
        matches!(self, ReportStatus::NotAccepted | ReportStatus::Concluded)
    }
}

/// The filer's identity, on a real-name report only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub name: String,
    pub id_card: String,
    pub mobile: String,
}

/// What a report says. Only ever sent encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportContent {
    /// `None` for an anonymous report.
    pub identity: Option<Identity>,
    pub subject_name: String,
    /// The cadre's post as the filer knows it (村主任, 报账员…).
    pub subject_post: String,
    pub subject_level: SubjectLevel,
    pub village: RegionCode,
    pub village_name: String,
    pub category: Category,
    pub text: String,
}

/// The longest report text, in characters.
pub const MAX_REPORT_CHARS: usize = 5000;

impl ReportContent {
    /// Checks every field; the phone runs this before encrypting, as the server cannot.
    pub fn validate(&self) -> Result<(), Invalid> {
        fn text(v: &str, field: &'static str, max: usize) -> Result<(), Invalid> {
            let n = v.trim().chars().count();
            if n == 0 {
                Err(Invalid::new(field, FieldError::Required))
            } else if n > max {
                Err(Invalid::new(field, FieldError::TooLong))
            } else {
                Ok(())
            }
        }
        if let Some(id) = &self.identity {
            crate::fields::PersonName::parse(&id.name)?;
            crate::fields::IdCard::parse(&id.id_card)?;
            crate::fields::Mobile::parse(&id.mobile)?;
        }
        text(&self.subject_name, "subject_name", 20)?;
        text(&self.subject_post, "subject_post", 30)?;
        text(&self.text, "text", MAX_REPORT_CHARS)?;
        if self.village.level() != RegionLevel::Village {
            return Err(Invalid::new("village", FieldError::WrongLevel));
        }
        Ok(())
    }
}

/// The clear header inside an encrypted evidence file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHeader {
    pub name: String,
    pub mime: String,
    /// Re-encoded in the phone (no metadata left); other files are kept as chosen.
    pub reencoded: bool,
}

/// A message between the filer and the office. Only ever sent encrypted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageContent {
    pub text: String,
}

/// A place in the region tree, for choosing the village a report is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Place {
    pub code: RegionCode,
    pub level: RegionLevel,
    pub name: String,
}

/// An office that could receive a report, with its current public key when it has been set
/// up to receive reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeKeyInfo {
    pub code: RegionCode,
    pub level: RegionLevel,
    pub name: String,
    pub key_id: Option<Uuid>,
    /// X25519 public key, base64.
    pub public_key: Option<String>,
    pub fingerprint: Option<String>,
    /// The member who made the current key, and their signature over it (base64): a
    /// browser seals to this key only if the signer's admission chains back to `root_key`.
    pub key_signed_by: Option<Uuid>,
    pub key_signature: Option<String>,
    /// The office's root signing key (from its recovery code), base64.
    pub root_key: Option<String>,
    /// The office's admissions, for checking `key_signed_by`.
    pub admissions: Vec<SignedAdmission>,
}

/// A proof-of-work puzzle for one filing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Challenge {
    pub challenge: String,
    pub bits: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PowAnswer {
    pub challenge: String,
    pub nonce: u64,
}

/// A report as filed: routing fields and ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewReport {
    /// Made once per form: a second send of the same report files it once.
    pub idempotency_key: Uuid,
    pub office: RegionCode,
    pub key_id: Uuid,
    /// The content key sealed to the office's key, base64.
    pub sealed_key: String,
    /// The content key locked under the receipt code's key, base64.
    pub filer_key: String,
    /// `ReportContent` as JSON, locked under the content key, base64.
    pub body: String,
    /// The receipt code's lookup token (hex); the server keeps its hash.
    pub lookup: String,
    pub pow: PowAnswer,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Filed {
    pub filed_at: Timestamp,
    pub office_name: String,
}

/// Who wrote a message or added a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Filer,
    Office,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ThreadMessage {
    pub id: Uuid,
    pub from: Party,
    /// `MessageContent` locked under the content key, base64.
    pub body: String,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ThreadFile {
    pub id: Uuid,
    pub from: Party,
    pub bytes: i64,
    pub at: Timestamp,
}

/// What the filer sees when following up with the receipt code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ReceiptView {
    pub status: ReportStatus,
    pub case_number: Option<String>,
    pub office_name: String,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
    pub filer_key: String,
    pub body: String,
    pub messages: Vec<ThreadMessage>,
    pub files: Vec<ThreadFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewMessage {
    /// `MessageContent` locked under the content key, base64.
    pub body: String,
}

/// A sealed copy of a key for one holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct KeyWrap {
    pub key_id: Uuid,
    /// The office secret key sealed to the holder's public key, base64.
    pub sealed: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeKey {
    pub id: Uuid,
    pub public_key: String,
    pub fingerprint: String,
    pub active: bool,
    pub created_at: Timestamp,
    /// The member who made this key pair, and their signature over its public key
    /// (base64); absent on keys made before signatures.
    pub signed_by: Option<Uuid>,
    pub signature: Option<String>,
}

/// A signed admission (准入): who let a member's keys into the office. The signature is
/// Ed25519 over the office code, the member's account and both public keys, and `at_ms`
/// (see `sunlight_seal::trust`); the server stores it and cannot make one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignedAdmission {
    pub member: Uuid,
    /// The member's X25519 public key, base64.
    pub public_key: String,
    /// The member's Ed25519 public key, base64.
    pub signing_key: String,
    /// The admitting member; `None` for the office's recovery key.
    pub by: Option<Uuid>,
    /// Unix milliseconds, as signed.
    pub at_ms: i64,
    /// Base64.
    pub signature: String,
}

/// An inspector enrolled in an office's key group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Member {
    pub account: Uuid,
    pub name: String,
    pub head: bool,
    pub fingerprint: String,
    pub public_key: String,
    /// The member's Ed25519 public key, base64; absent for an enrolment made before
    /// admissions were signed.
    pub signing_key: Option<String>,
    /// The server holds a sealed copy of every office key for them. Only says that rows
    /// exist: whether the member was really let in is for the browser to check against
    /// `OfficeState::admissions`.
    pub granted: bool,
}

/// The signed-in inspector's own locked key and their copies of the office keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MyKey {
    pub public_key: String,
    /// The inspector's secret key locked under their passphrase key, base64.
    pub locked_secret: String,
    /// Argon2id salt, base64.
    pub salt: String,
    pub memory_kib: u32,
    pub passes: u32,
    pub head: bool,
    pub wraps: Vec<KeyWrap>,
}

/// An office's key group, as one of its inspectors sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeState {
    pub code: RegionCode,
    pub level: RegionLevel,
    pub name: String,
    pub keys: Vec<OfficeKey>,
    pub recovery_fingerprint: Option<String>,
    /// The recovery key's public half, base64: a new office key is sealed to it too.
    pub recovery_public_key: Option<String>,
    /// The office keys sealed to the recovery key.
    pub recovery_wraps: Vec<KeyWrap>,
    /// The office's root signing key (from the recovery code), base64: every admission
    /// chains back to it.
    pub root_key: Option<String>,
    /// Every stored admission of the office.
    pub admissions: Vec<SignedAdmission>,
    pub members: Vec<Member>,
    pub me: Option<MyKey>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Enroll {
    pub public_key: String,
    /// The Ed25519 key derived from the same secret, base64.
    pub signing_key: String,
    pub locked_secret: String,
    pub salt: String,
    pub memory_kib: u32,
    pub passes: u32,
}

/// The first key pair of an office, made in its head's browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SetupOffice {
    pub public_key: String,
    pub recovery_public_key: String,
    /// The office secret sealed to the head's own key.
    pub my_wrap: String,
    /// The office secret sealed to the recovery key.
    pub recovery_wrap: String,
    /// The recovery code's signing key, base64: the office's root.
    pub recovery_signing_key: String,
    /// The head's signature over the office public key, base64.
    pub key_signature: String,
    /// The recovery key admits the founding head.
    pub admission: SignedAdmission,
}

/// Lets an enrolled inspector in: every office key sealed to their key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GrantMember {
    pub member: Uuid,
    pub wraps: Vec<KeyWrap>,
    /// The granter's signature over the newcomer's keys; for a member letting themself in
    /// again with the recovery code, the recovery key's (`by` is `None`).
    pub admission: SignedAdmission,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MemberWrap {
    pub member: Uuid,
    pub sealed: String,
}

/// Removes an inspector and starts a new office key pair for new reports, sealed to the
/// remaining members and the recovery key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct RemoveMember {
    pub member: Uuid,
    pub public_key: String,
    /// The head's signature over the new office public key, base64.
    pub key_signature: String,
    pub wraps: Vec<MemberWrap>,
    pub recovery_wrap: String,
    /// The head signs every remaining proven member in again, so that nobody's admission
    /// hangs on the removed member's.
    pub admissions: Vec<SignedAdmission>,
}

/// A report in an office's inbox: no content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct InboxItem {
    pub id: Uuid,
    pub status: ReportStatus,
    pub case_number: Option<String>,
    pub assignee: Option<String>,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
    pub messages: i64,
    /// While it waits for acceptance: when the office must have answered whether it accepts
    /// it ([`ANSWER_WORKING_DAYS`] working days after filing); absent once answered, or
    /// when the working-day calendar does not reach that far yet.
    pub answer_due: Option<Timestamp>,
    /// Waiting for acceptance past that day.
    pub late: bool,
}

/// 检举控告工作规则: a real-name report is answered whether it is accepted within 15 working
/// days of its receipt. The server cannot tell real-name from anonymous reports (their
/// content is sealed to the office), so every report gets the same clock.
pub const ANSWER_WORKING_DAYS: u32 = 15;

/// One report, as its office opens it (each open is logged).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeReport {
    pub id: Uuid,
    pub status: ReportStatus,
    pub case_number: Option<String>,
    pub assignee: Option<Uuid>,
    pub filed_at: Timestamp,
    pub updated_at: Timestamp,
    pub key_id: Uuid,
    pub sealed_key: String,
    pub body: String,
    pub messages: Vec<ThreadMessage>,
    pub files: Vec<ThreadFile>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StatusChange {
    pub status: ReportStatus,
    /// A message to the filer (`MessageContent`, locked), required for not accepted and
    /// concluded.
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Assign {
    pub assignee: Option<Uuid>,
}

/// Moves a report to another office: its content key re-sealed, in the inspector's browser,
/// to that office's current key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Transfer {
    pub to: RegionCode,
    pub key_id: Uuid,
    pub sealed_key: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AccessEntry {
    pub report: Uuid,
    pub case_number: Option<String>,
    pub who: String,
    /// open, file, status, message, assign, transfer
    pub action: String,
    pub at: Timestamp,
}

/// Report numbers of one office, for dashboards: no content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OfficeCounts {
    pub office: RegionCode,
    pub name: String,
    pub received: i64,
    pub accepted: i64,
    pub concluded: i64,
    /// Not yet concluded or refused.
    pub open: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_move_forward_only() {
        for s in ReportStatus::ALL {
            assert_eq!(ReportStatus::parse(s.as_str()), Some(s));
            assert!(!s.next().contains(&ReportStatus::Received));
        }
        assert!(ReportStatus::Concluded.next().is_empty());
        assert!(ReportStatus::NotAccepted.needs_message());
        assert_eq!(SubjectLevel::Village.office_level(), RegionLevel::Township);
    }
}

//! The village ledger (台账): monthly income and expenditure lines, reviewed and sealed by
//! the township before villagers see them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    RegionCode, Timestamp,
    date::{Date, Month},
    error::{FieldError, Invalid},
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Money in or out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 收入
    Income,
    /// 支出
    Expense,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Income => "income",
            Kind::Expense => "expense",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "income" => Some(Kind::Income),
            "expense" => Some(Kind::Expense),
            _ => None,
        }
    }
}

/// Where a month stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MonthStatus {
    /// 录入中: the accountant is entering lines.
    Draft,
    /// 待审核: submitted to the township.
    Submitted,
    /// 已公开: every line sealed; villagers see it.
    Published,
}

impl MonthStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MonthStatus::Draft => "draft",
            MonthStatus::Submitted => "submitted",
            MonthStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<MonthStatus> {
        match s {
            "draft" => Some(MonthStatus::Draft),
            "submitted" => Some(MonthStatus::Submitted),
            "published" => Some(MonthStatus::Published),
            _ => None,
        }
    }
}

/// Where a line stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Pending,
    Approved,
    Rejected,
}

impl LineStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            LineStatus::Pending => "pending",
            LineStatus::Approved => "approved",
            LineStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<LineStatus> {
        match s {
            "pending" => Some(LineStatus::Pending),
            "approved" => Some(LineStatus::Approved),
            "rejected" => Some(LineStatus::Rejected),
            _ => None,
        }
    }
}

/// How many months before this one a village may still enter accounts, for bringing in
/// old paper ledgers (补录). Later months than this one are never open.
pub const BACK_ENTRY_MONTHS: u32 = 36;

/// Whether lines may be entered for `month` when it is `this_month` (in China):
/// this month and the [`BACK_ENTRY_MONTHS`] before it.
pub fn open_for_entry(month: Month, this_month: Month) -> Result<(), Invalid> {
    if month > this_month || month < this_month.minus(BACK_ENTRY_MONTHS) {
        return Err(Invalid::new("month", FieldError::MonthNotOpen));
    }
    Ok(())
}

/// The default categories (科目); counties may configure their own later.
pub const DEFAULT_CATEGORIES: &[&str] = &[
    "办公费",
    "工程款",
    "劳务费",
    "补贴发放",
    "水电费",
    "会议费",
    "差旅费",
    "招待费",
    "维修费",
    "集体收入",
    "上级拨款",
    "租赁收入",
    "其他",
];

/// `GET`/`PUT /api/regions/{code}/ledger-categories`: the categories of a county.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Categories {
    pub categories: Vec<String>,
    /// True when the county has not configured its own and the default list applies.
    #[serde(default)]
    pub default: bool,
}

/// `GET`/`PUT /api/regions/{code}/disclosure-access`: whether a county keeps its villages'
/// published disclosures to their signed-in villagers (仅限本村村民), or lets anyone with
/// the link read them, like a notice board (村务公开栏, the default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DisclosureAccess {
    pub villagers_only: bool,
}

/// The township's seal on an approved line: who reviewed it, for which township, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Seal {
    pub township: String,
    pub reviewer: String,
    pub at: Timestamp,
}

/// What an attached file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A photo or scan: served as `thumb`, `screen` and (to staff) `original` JPEGs.
    Image,
    /// A PDF, served as it was sent.
    Pdf,
}

/// An invoice photo or PDF attached to a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Attachment {
    pub id: Uuid,
    pub kind: AttachmentKind,
    /// Pixel size of the full image, so the page can reserve its space.
    pub width: Option<u32>,
    pub height: Option<u32>,
}

/// The forms of a stored file, as `GET /api/files/{id}/{variant}` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// About 20 KB, for lists.
    Thumb,
    /// About 200 KB, for reading.
    Screen,
    /// Full resolution: staff only.
    Original,
    /// The PDF itself.
    Pdf,
}

impl Variant {
    pub fn as_str(self) -> &'static str {
        match self {
            Variant::Thumb => "thumb",
            Variant::Screen => "screen",
            Variant::Original => "original",
            Variant::Pdf => "pdf",
        }
    }
}

/// A villager's question on a line and the accountant's answer. Who asked is never shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Question {
    pub id: Uuid,
    pub question: String,
    pub asked_at: Timestamp,
    pub answer: Option<String>,
    /// The accountant who answered.
    pub answered_by: Option<String>,
    pub answered_at: Option<Timestamp>,
}

/// `POST /api/ledger-lines/{id}/questions` and `POST /api/ledger-questions/{id}/answer`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Text {
    pub text: String,
}

/// One line of a month's accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Line {
    pub id: Uuid,
    pub date: Date,
    pub kind: Kind,
    pub amount_fen: i64,
    pub category: String,
    /// Masked (张*明) for villagers when the counterparty is a private person.
    pub counterparty: String,
    pub counterparty_is_person: bool,
    pub invoice_no: Option<String>,
    pub note: Option<String>,
    pub status: LineStatus,
    /// Why the reviewer rejected it, for the accountant.
    pub reject_reason: Option<String>,
    pub seal: Option<Seal>,
    /// Why the reviewer sealed a spending line that has no invoice attached (无发票); shown
    /// to everyone who reads the line.
    #[serde(default)]
    pub no_invoice_reason: Option<String>,
    /// Reviewers only: the same invoice number appears on another line in this county.
    #[serde(default)]
    pub duplicate_invoice: bool,
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    #[serde(default)]
    pub questions: Vec<Question>,
}

impl Line {
    /// A spending line with no invoice photo or PDF attached (无发票): marked on every
    /// screen, and sealed only with a reason.
    pub fn lacks_invoice(&self) -> bool {
        self.kind == Kind::Expense && self.attachments.is_empty()
    }
}

/// Totals of one category of spending, for the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CategoryTotal {
    pub category: String,
    pub expense_fen: i64,
}

/// `GET /api/regions/{code}/ledger/{month}`: one month of a village's accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerMonth {
    pub village: RegionCode,
    pub village_name: String,
    pub month: Month,
    /// `None` when nothing has been entered for this month yet.
    pub status: Option<MonthStatus>,
    /// Submitted before the month ended, on purpose (提前结账).
    #[serde(default)]
    pub closed_early: bool,
    pub income_fen: i64,
    pub expense_fen: i64,
    pub categories: Vec<CategoryTotal>,
    /// The month's own lines, as published; totals and categories count these only.
    pub lines: Vec<Line>,
    /// Corrections of a published month (更正), oldest first: villagers see the
    /// published ones, staff all of them.
    #[serde(default)]
    pub corrections: Vec<Correction>,
}

impl LedgerMonth {
    /// The correction being entered or reviewed, if any (at most one at a time).
    pub fn open_correction(&self) -> Option<&Correction> {
        self.corrections.iter().find(|c| c.status != MonthStatus::Published)
    }

    /// Income and expense with every published correction added.
    pub fn corrected_totals(&self) -> (i64, i64) {
        self.corrections
            .iter()
            .filter(|c| c.status == MonthStatus::Published)
            .fold((self.income_fen, self.expense_fen), |(i, e), c| {
                (i + c.income_fen, e + c.expense_fen)
            })
    }
}

/// A correction (更正) of a published month: lines found after publication, with why,
/// reviewed, sealed and published like a month. The month itself never changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Correction {
    /// 1 for the month's first correction, then 2, ….
    pub seq: u32,
    /// Why the month is corrected, as the accountant wrote it; everyone sees it.
    pub reason: String,
    pub status: MonthStatus,
    pub opened_at: Timestamp,
    pub published_at: Option<Timestamp>,
    pub income_fen: i64,
    pub expense_fen: i64,
    pub lines: Vec<Line>,
}

/// One month in a year's overview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MonthSummary {
    pub month: Month,
    pub status: MonthStatus,
    pub income_fen: i64,
    pub expense_fen: i64,
    pub lines: i64,
}

/// `GET /api/regions/{code}/ledger?year=`: the months of a year a person may see.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LedgerYear {
    pub village: RegionCode,
    pub village_name: String,
    pub year: i32,
    pub months: Vec<MonthSummary>,
}

/// A line as the accountant enters it. Amount in yuan as typed ("1234.50").
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct LineInput {
    pub date: String,
    pub kind: Kind,
    pub amount: String,
    pub category: String,
    pub counterparty: String,
    #[serde(default)]
    pub counterparty_is_person: bool,
    #[serde(default)]
    pub invoice_no: String,
    #[serde(default)]
    pub note: String,
}

/// The reviewer's decision on one line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Review {
    pub approve: bool,
    /// Required when rejecting: what the accountant must fix. Required too when sealing a
    /// spending line with no invoice: why it is sealed all the same, which villagers see.
    #[serde(default)]
    pub reason: String,
}

/// `POST /api/regions/{code}/ledger/{month}/submit`. A month is submitted after its last
/// day; before that only with `close_early`, which is recorded and shown.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubmitMonth {
    #[serde(default)]
    pub close_early: bool,
}

/// `POST /api/regions/{code}/ledger/{month}/corrections`: why a published month is
/// corrected (lines found after it was published); everyone who reads the month sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct OpenCorrection {
    pub reason: String,
}

/// A submitted month waiting in a township's review queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct QueueItem {
    pub village: RegionCode,
    pub village_name: String,
    pub month: Month,
    pub pending: i64,
    pub rejected: i64,
    pub approved: i64,
    pub duplicate_invoices: i64,
    pub submitted_at: Timestamp,
    /// A correction of a published month rather than the month itself: its number.
    #[serde(default)]
    pub correction: Option<u32>,
}

/// Whether a category is subsidies paid to people (补贴, 补助): the categories 我的补助
/// looks in, whatever a county named them.
pub fn is_subsidy_category(name: &str) -> bool {
    name.contains("补贴") || name.contains("补助")
}

/// One subsidy payment in a village's published accounts (a month's or a published
/// correction's line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SubsidyPayment {
    /// The ledger line, which the month's page shows with its seal and invoice.
    pub line: Uuid,
    pub month: Month,
    pub date: Date,
    pub category: String,
    /// In full on one's own household's payments; masked (张*明) on the village's list.
    pub recipient: String,
    pub amount_fen: i64,
    pub note: Option<String>,
    /// Paid to a member of the reader's household.
    pub mine: bool,
}

/// `GET /api/me/subsidies?year=`: 我的补助, the subsidies a villager's household was paid
/// in a year as the published accounts record them, beside the village's whole published
/// list of the same subsidies, names masked, the household's own marked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MySubsidies {
    pub village: RegionCode,
    pub village_name: String,
    pub year: i32,
    /// The household's number (户号).
    pub household: String,
    /// The names the accounts are matched against: the head of the household as the
    /// village recorded it (never names people gave their own accounts).
    pub members: Vec<String>,
    pub mine: Vec<SubsidyPayment>,
    pub mine_fen: i64,
    pub list: Vec<SubsidyPayment>,
    pub list_fen: i64,
}

/// A member of a village's villagers' financial oversight group (民主理财小组).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct GroupMember {
    pub user: Uuid,
    pub name: String,
    pub appointed_at: Timestamp,
}

/// `GET /api/regions/{village}/finance-group`: who reviews and signs the village's months
/// before the township publishes them (none: the months need no signature).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct FinanceGroup {
    pub village: RegionCode,
    pub members: Vec<GroupMember>,
}

/// `POST /api/regions/{village}/finance-group`: appoints a villager of the village, by
/// the mobile number of their account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Appointment {
    pub mobile: String,
}

/// A member's signature on a month: agreeing, or not and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Signature {
    pub name: String,
    pub agree: bool,
    pub opinion: Option<String>,
    pub signed_at: Timestamp,
}

/// `POST /api/regions/{village}/ledger/{month}/signatures`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct SignMonth {
    pub agree: bool,
    /// Required when not agreeing: what is wrong.
    #[serde(default)]
    pub opinion: String,
}

/// `GET /api/regions/{village}/ledger/{month}/signatures`: the group's signatures on a
/// month, and whether the caller may sign it now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MonthSignatures {
    pub village: RegionCode,
    pub month: Month,
    /// The village has a group: the month is published only with an agreeing signature.
    pub required: bool,
    pub signatures: Vec<Signature>,
    /// The caller is a member, the month waits for review and they have not signed yet.
    pub may_sign: bool,
}

/// A month waiting for a member's signature, for their list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct MonthToSign {
    pub village: RegionCode,
    pub village_name: String,
    pub month: Month,
}

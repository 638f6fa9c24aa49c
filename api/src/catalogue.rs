//! The disclosure catalogue (公开目录): the items a county asks every village to publish,
//! how often and by when, the entries villages post for them, and whether each village is
//! up to date (completeness, 红黄绿).
//!
//! Party (党务), village (村务) and finance (财务) items; general matters at least
//! quarterly, finances monthly, major matters at once (村民委员会组织法 art. 30). A county
//! without its own catalogue uses [`DEFAULT_ITEMS`]. A county's changes apply from the next
//! month, so a period is always judged by the rules in force when it began.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    RegionCode, Timestamp,
    date::{Date, Month},
    error::{FieldError, Invalid},
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// Which of the three kinds an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// 党务公开
    Party,
    /// 村务公开
    Village,
    /// 财务公开
    Finance,
}

impl Section {
    pub const ALL: [Section; 3] = [Section::Party, Section::Village, Section::Finance];

    pub fn as_str(self) -> &'static str {
        match self {
            Section::Party => "party",
            Section::Village => "village",
            Section::Finance => "finance",
        }
    }

    pub fn parse(s: &str) -> Option<Section> {
        Section::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The section's name as a notice board writes it.
    pub fn title(self) -> &'static str {
        match self {
            Section::Party => "党务公开",
            Section::Village => "村务公开",
            Section::Finance => "财务公开",
        }
    }
}

/// How often an item is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// 每月
    Monthly,
    /// 每季度
    Quarterly,
    /// 每年
    Yearly,
    /// 随时 (per event): due a number of days after the event.
    Event,
}

impl Frequency {
    pub const ALL: [Frequency; 4] = [
        Frequency::Monthly,
        Frequency::Quarterly,
        Frequency::Yearly,
        Frequency::Event,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::Yearly => "yearly",
            Frequency::Event => "event",
        }
    }

    pub fn parse(s: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn title(self) -> &'static str {
        match self {
            Frequency::Monthly => "每月",
            Frequency::Quarterly => "每季度",
            Frequency::Yearly => "每年",
            Frequency::Event => "随时",
        }
    }
}

/// The key of the monthly accounts item, whose entries are the ledger's published months
/// rather than posts of their own.
pub const LEDGER_ITEM: &str = "finance-monthly";

/// Longest item title, in characters.
pub const TITLE_MAX: usize = 40;
/// Longest entry text, in characters.
pub const BODY_MAX: usize = 2000;
/// Most items a catalogue may hold.
pub const ITEMS_MAX: usize = 60;

/// One item of a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Item {
    /// Stable across versions; the server makes one for a new item (send it empty).
    #[serde(default)]
    pub key: String,
    pub section: Section,
    pub title: String,
    pub frequency: Frequency,
    /// For a periodic item, the day of the month after the period ends by which it is due
    /// (1–31, the month's last day when shorter); for a per-event item, the days after
    /// the event (1–60).
    pub deadline: u32,
}

impl Item {
    /// Checks the fields a county administrator sets.
    pub fn check(&self) -> Result<(), Invalid> {
        let title = self.title.trim();
        if title.is_empty() {
            return Err(Invalid::new("title", FieldError::Required));
        }
        if title.chars().count() > TITLE_MAX {
            return Err(Invalid::new("title", FieldError::TooLong));
        }
        let max = if self.frequency == Frequency::Event { 60 } else { 31 };
        if !(1..=max).contains(&self.deadline) {
            return Err(Invalid::new("deadline", FieldError::OutOfRange));
        }
        Ok(())
    }
}

const fn item(
    key: &'static str,
    section: Section,
    title: &'static str,
    frequency: Frequency,
    deadline: u32,
) -> DefaultItem {
    DefaultItem {
        key,
        section,
        title,
        frequency,
        deadline,
    }
}

/// An item of the built-in catalogue.
pub struct DefaultItem {
    pub key: &'static str,
    pub section: Section,
    pub title: &'static str,
    pub frequency: Frequency,
    pub deadline: u32,
}

impl DefaultItem {
    pub fn to_item(&self) -> Item {
        Item {
            key: self.key.to_owned(),
            section: self.section,
            title: self.title.to_owned(),
            frequency: self.frequency,
            deadline: self.deadline,
        }
    }
}

use Frequency::{Event, Monthly, Quarterly, Yearly};
use Section::{Finance, Party, Village};

/// The 27 items of the default catalogue (党务 7, 村务 10, 财务 10): general matters
/// quarterly by the 15th, finances monthly by the 10th, yearly items by the end of January,
/// major matters within 7 days.
pub const DEFAULT_ITEMS: [DefaultItem; 27] = [
    item("party-organisation", Party, "党组织设置及委员分工", Yearly, 31),
    item("party-admission", Party, "发展党员情况", Quarterly, 15),
    item("party-dues", Party, "党费收缴和使用", Quarterly, 15),
    item("party-meetings", Party, "“三会一课”开展情况", Quarterly, 15),
    item("party-appraisal", Party, "民主评议党员结果", Yearly, 31),
    item("party-decisions", Party, "党支部重要决议决定", Event, 7),
    item("party-commitments", Party, "承诺事项及落实情况", Yearly, 31),
    item("village-rules", Village, "村规民约", Event, 7),
    item("village-resolutions", Village, "村民（代表）会议决议", Event, 7),
    item("village-assistance", Village, "低保、特困救助对象及金额", Quarterly, 15),
    item("village-homesteads", Village, "宅基地审批", Quarterly, 15),
    item("village-farm-subsidies", Village, "农业补贴发放", Quarterly, 15),
    item("village-land-compensation", Village, "土地征收及补偿", Event, 7),
    item("village-projects", Village, "工程项目建设", Quarterly, 15),
    item("village-asset-disposal", Village, "集体资产资源处置", Event, 7),
    item("village-relief", Village, "救灾救济款物发放", Event, 7),
    item("village-yishiyiyi", Village, "“一事一议”筹资筹劳", Event, 7),
    item(LEDGER_ITEM, Finance, "月度收支及原始凭证", Monthly, 10),
    item("finance-assets", Finance, "集体资产登记", Yearly, 31),
    item("finance-debts", Finance, "债权债务", Quarterly, 15),
    item("finance-distribution", Finance, "收益分配", Yearly, 31),
    item("finance-transfers", Finance, "财政转移支付及专项资金", Quarterly, 15),
    item("finance-contracts", Finance, "集体土地、鱼塘、山林承包合同", Yearly, 31),
    item("finance-cadre-pay", Finance, "村干部报酬", Yearly, 31),
    item("finance-budget", Finance, "年度预决算", Yearly, 31),
    item("finance-audit", Finance, "审计结果", Event, 7),
    item("finance-hospitality", Finance, "招待费、差旅费支出", Quarterly, 15),
];

/// The default catalogue as items.
pub fn default_items() -> Vec<Item> {
    DEFAULT_ITEMS.iter().map(DefaultItem::to_item).collect()
}

/// The period an entry is for: `2026-03` (month), `2026-Q1` (quarter), `2026` (year), or
/// the date of the event, `2026-03-15`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    Month(Month),
    Quarter(i32, u32),
    Year(i32),
    Event(Date),
}

impl Period {
    /// Parses a period written for an item of `frequency`.
    pub fn parse(raw: &str, frequency: Frequency) -> Result<Period, Invalid> {
        let bad = || Invalid::new("period", FieldError::BadFormat);
        let raw = raw.trim();
        let year = |s: &str| -> Result<i32, Invalid> {
            if s.len() != 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let y: i32 = s.parse().map_err(|_| bad())?;
            if (2000..=2100).contains(&y) {
                Ok(y)
            } else {
                Err(Invalid::new("period", FieldError::OutOfRange))
            }
        };
        let relabel = |e: Invalid| Invalid::new("period", e.reason);
        match frequency {
            Frequency::Monthly => Month::parse(raw).map(Period::Month).map_err(relabel),
            Frequency::Quarterly => {
                let (y, q) = raw.split_once("-Q").ok_or_else(bad)?;
                let q = match q {
                    "1" => 1,
                    "2" => 2,
                    "3" => 3,
                    "4" => 4,
                    _ => return Err(bad()),
                };
                Ok(Period::Quarter(year(y)?, q))
            }
            Frequency::Yearly => Ok(Period::Year(year(raw)?)),
            Frequency::Event => Date::parse(raw).map(Period::Event).map_err(relabel),
        }
    }

    /// The first month of the period: the catalogue in force then is the one that judges it.
    pub fn first_month(self) -> Month {
        match self {
            Period::Month(m) => m,
            Period::Quarter(y, q) => Month {
                year: y,
                month: (q - 1) * 3 + 1,
            },
            Period::Year(y) => Month { year: y, month: 1 },
            Period::Event(d) => d.month(),
        }
    }

    /// The last day of the period (the event's own day for an event).
    pub fn last_day(self) -> Date {
        match self {
            Period::Month(m) => m.last_day(),
            Period::Quarter(y, q) => Month { year: y, month: q * 3 }.last_day(),
            Period::Year(y) => Month { year: y, month: 12 }.last_day(),
            Period::Event(d) => d,
        }
    }

    /// The day an entry for this period is due under `deadline` (see [`Item::deadline`]).
    pub fn due(self, deadline: u32) -> Date {
        match self {
            Period::Event(d) => {
                let mut due = d;
                for _ in 0..deadline {
                    due = due.next();
                }
                due
            }
            other => {
                let after = other.last_day().month().plus(1);
                let last = after.last_day();
                Date {
                    day: deadline.clamp(1, last.day),
                    ..last
                }
            }
        }
    }

    /// The periods of a periodic frequency in a calendar year (none for events).
    pub fn of_year(frequency: Frequency, year: i32) -> Vec<Period> {
        match frequency {
            Frequency::Monthly => (1..=12).map(|month| Period::Month(Month { year, month })).collect(),
            Frequency::Quarterly => (1..=4).map(|q| Period::Quarter(year, q)).collect(),
            Frequency::Yearly => vec![Period::Year(year)],
            Frequency::Event => Vec::new(),
        }
    }

    /// The period of `frequency` that contains `day`.
    pub fn containing(frequency: Frequency, day: Date) -> Period {
        match frequency {
            Frequency::Monthly => Period::Month(day.month()),
            Frequency::Quarterly => Period::Quarter(day.year, (day.month - 1) / 3 + 1),
            Frequency::Yearly => Period::Year(day.year),
            Frequency::Event => Period::Event(day),
        }
    }

    /// How a person reads it: 2026年3月, 2026年第一季度, 2026年度, 2026年3月15日.
    pub fn label(self) -> String {
        match self {
            Period::Month(m) => format!("{}年{}月", m.year, m.month),
            Period::Quarter(y, q) => format!("{y}年第{}季度", ["一", "二", "三", "四"][(q as usize - 1).min(3)]),
            Period::Year(y) => format!("{y}年度"),
            Period::Event(d) => format!("{}年{}月{}日", d.year, d.month, d.day),
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Period::Month(m) => write!(f, "{m}"),
            Period::Quarter(y, q) => write!(f, "{y:04}-Q{q}"),
            Period::Year(y) => write!(f, "{y:04}"),
            Period::Event(d) => write!(f, "{d}"),
        }
    }
}

/// Where an item's period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// 未公开: the deadline has passed and nothing is published.
    Missing,
    /// 逾期公开: published after the deadline.
    Late,
    /// 待公开: the period has ended, the deadline has not passed, nothing published yet.
    Due,
    /// 按时公开: published by the deadline.
    OnTime,
}

impl Standing {
    /// Judges one period: `published` is the day (China time) its entry was published.
    pub fn of(due: Date, published: Option<Date>, today: Date) -> Standing {
        match published {
            Some(p) if p <= due => Standing::OnTime,
            Some(_) => Standing::Late,
            None if today > due => Standing::Missing,
            None => Standing::Due,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Standing::Missing => "未公开",
            Standing::Late => "逾期公开",
            Standing::Due => "待公开",
            Standing::OnTime => "按时公开",
        }
    }
}

/// A village's light, as Zhejiang's platform shows its risk levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Light {
    /// 红: something past its deadline is still not published.
    Red,
    /// 黄: something was published late, or falls due within [`SOON_DAYS`].
    Yellow,
    /// 绿: everything due was published on time.
    Green,
}

impl Light {
    pub fn title(self) -> &'static str {
        match self {
            Light::Red => "红",
            Light::Yellow => "黄",
            Light::Green => "绿",
        }
    }
}

/// Days before a deadline from which an unpublished item turns a village yellow.
pub const SOON_DAYS: i64 = 3;

/// One item's period, as a village stands on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Obligation {
    pub item: String,
    pub item_title: String,
    /// As [`Period`] writes it.
    pub period: String,
    pub label: String,
    pub due: Date,
    pub standing: Standing,
    /// The published entry (for the monthly accounts, none: the month is the ledger's).
    pub entry: Option<Uuid>,
    pub published_at: Option<Timestamp>,
}

/// Counts of a village's or region's obligations, and its light.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Counts {
    pub on_time: u32,
    pub late: u32,
    pub due: u32,
    pub missing: u32,
    /// Unpublished items whose deadline is at most [`SOON_DAYS`] away.
    pub due_soon: u32,
}

impl Counts {
    pub fn add(&mut self, o: &Obligation, today: Date) {
        match o.standing {
            Standing::OnTime => self.on_time += 1,
            Standing::Late => self.late += 1,
            Standing::Missing => self.missing += 1,
            Standing::Due => {
                self.due += 1;
                if o.due.days_since(today) <= SOON_DAYS {
                    self.due_soon += 1;
                }
            }
        }
    }

    pub fn light(&self) -> Light {
        if self.missing > 0 {
            Light::Red
        } else if self.late > 0 || self.due_soon > 0 {
            Light::Yellow
        } else {
            Light::Green
        }
    }
}

/// A published per-event entry: its item, the event's day, the day it was published, its
/// id and instant.
pub type PostedEvent = (String, Period, Date, Uuid, Timestamp);

/// A published day, as found for each period: `(item key, period) → (day, entry)`.
pub type Published<'a> = &'a dyn Fn(&str, Period) -> Option<(Date, Option<Uuid>, Timestamp)>;

/// A village's obligations in `year` up to `today`: every period of every periodic item
/// (under the catalogue in force when the period began, `catalogue_at`) that has ended,
/// judged against what was published. Per-event items are judged only once an event is
/// posted, so they never count as missing: nobody can know of an event nobody posted.
pub fn obligations(
    catalogue_at: &dyn Fn(Month) -> Vec<Item>,
    published: Published<'_>,
    events: &[PostedEvent],
    year: i32,
    today: Date,
) -> Vec<Obligation> {
    let mut out = Vec::new();
    for month in 1..=12 {
        let first = Month { year, month };
        if first > today.month() {
            break;
        }
        for item in catalogue_at(first) {
            for period in Period::of_year(item.frequency, year) {
                if period.first_month() != first || period.last_day() >= today {
                    continue;
                }
                let due = period.due(item.deadline);
                let found = published(&item.key, period);
                out.push(Obligation {
                    item: item.key.clone(),
                    item_title: item.title.clone(),
                    period: period.to_string(),
                    label: period.label(),
                    due,
                    standing: Standing::of(due, found.map(|f| f.0), today),
                    entry: found.and_then(|f| f.1),
                    published_at: found.map(|f| f.2),
                });
            }
        }
    }
    for (key, period, published_on, entry, at) in events {
        let Period::Event(day) = period else { continue };
        if day.year != year {
            continue;
        }
        let Some(item) = catalogue_at(day.month()).into_iter().find(|i| &i.key == key) else {
            continue;
        };
        let due = period.due(item.deadline);
        out.push(Obligation {
            item: key.clone(),
            item_title: item.title.clone(),
            period: period.to_string(),
            label: period.label(),
            due,
            standing: Standing::of(due, Some(*published_on), today),
            entry: Some(*entry),
            published_at: Some(*at),
        });
    }
    out
}

/// `GET /api/regions/{code}/catalogue`: the items in force in a county in a month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Catalogue {
    pub county: RegionCode,
    pub month: Month,
    pub items: Vec<Item>,
    /// True when the county has not set its own and the default applies.
    pub default: bool,
}

/// `PUT /api/regions/{county}/catalogue`: the whole catalogue as it should be from next
/// month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CatalogueEdit {
    pub items: Vec<Item>,
}

/// Where an entry stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EntryStatus {
    /// 草稿: the village is writing it (or the township returned it).
    Draft,
    /// 待审核: submitted to the township.
    Submitted,
    /// 已公开: reviewed and sealed; everyone who may read the village sees it.
    Published,
}

impl EntryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EntryStatus::Draft => "draft",
            EntryStatus::Submitted => "submitted",
            EntryStatus::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<EntryStatus> {
        [EntryStatus::Draft, EntryStatus::Submitted, EntryStatus::Published]
            .into_iter()
            .find(|e| e.as_str() == s)
    }
}

/// A village's entry for one item and period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Entry {
    pub id: Uuid,
    pub village: RegionCode,
    pub item: String,
    /// The item's title when the entry was written.
    pub item_title: String,
    pub section: Section,
    pub period: String,
    pub period_label: String,
    pub title: String,
    pub body: String,
    pub status: EntryStatus,
    /// The township's note when it returned the entry (staff only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_note: Option<String>,
    pub created_at: Timestamp,
    pub published_at: Option<Timestamp>,
    /// Who sealed it, by name: the township's reviewer signs publicly.
    pub published_by: Option<String>,
    pub files: Vec<crate::ledger::Attachment>,
    /// The published version this one corrects, and why.
    #[serde(default)]
    pub corrects: Option<Uuid>,
    #[serde(default)]
    pub correction_reason: Option<String>,
    /// The published correction of this version, if one was published.
    #[serde(default)]
    pub corrected_by: Option<Uuid>,
    /// Withheld by law (personal data published by mistake): its title, text and files are
    /// gone; the tombstone says why, who and when.
    #[serde(default)]
    pub withdrawn: Option<Tombstone>,
    /// A project's stage: which project, which stage, and its figure.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<crate::project::StageFacts>,
    /// Villagers' questions on a published entry and the village's answers; who asked is
    /// never shown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<crate::ledger::Question>,
}

/// What stands where a withdrawn entry was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Tombstone {
    pub reason: String,
    /// Who withdrew it, by name.
    pub by: String,
    pub at: Timestamp,
}

/// `POST /api/disclosures/{id}/corrections`: a new version of a published entry (a draft,
/// reviewed and published like the first); the first stays as it was published.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewCorrection {
    pub title: String,
    pub body: String,
    /// What changed and why, shown with the new version.
    pub reason: String,
    /// A project's stage: its corrected figure (progress or amount); the original's when
    /// absent. Refused on other entries.
    #[serde(default)]
    pub progress_pct: Option<u8>,
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// `POST /api/disclosures/{id}/withdraw`: withholds a published entry by law.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Withdrawal {
    /// Why (e.g. an ID number published by mistake), shown in its place.
    pub reason: String,
}

/// `POST /api/regions/{village}/disclosures`: a new entry (a draft).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewEntry {
    pub item: String,
    /// As [`Period`] writes it for the item's frequency.
    pub period: String,
    pub title: String,
    pub body: String,
}

/// `PUT /api/disclosures/{id}`: a draft's text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntryText {
    pub title: String,
    pub body: String,
}

/// `POST /api/disclosures/{id}/review`: the township's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct EntryReview {
    /// True publishes it; false returns it to the village with `note`.
    pub approve: bool,
    #[serde(default)]
    pub note: String,
}

/// `GET /api/regions/{village}/disclosures`: a village's catalogue, entries and standing
/// over a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VillageDisclosures {
    pub village: RegionCode,
    pub village_name: String,
    pub year: i32,
    /// The items in force now.
    pub items: Vec<Item>,
    /// Published entries, and for staff every draft and submitted one too; newest first.
    pub entries: Vec<Entry>,
    pub obligations: Vec<Obligation>,
    pub counts: Counts,
    pub light: Light,
}

/// One village's line in a region's completeness.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct VillageStanding {
    pub village: RegionCode,
    pub name: String,
    pub township: String,
    pub counts: Counts,
    pub light: Light,
    /// The items past their deadline and unpublished, oldest first (at most 10).
    pub missing: Vec<Obligation>,
}

/// `GET /api/regions/{code}/completeness`: every village of a region, red first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Completeness {
    pub region: RegionCode,
    pub region_name: String,
    pub year: i32,
    pub today: Date,
    pub counts: Counts,
    pub red: u32,
    pub yellow: u32,
    pub green: u32,
    pub villages: Vec<VillageStanding>,
}

/// Sorts villages as the completeness view lists them: red, then yellow, then green; more
/// missing first, then more late, then by code.
pub fn sort_standings(v: &mut [VillageStanding]) {
    v.sort_by(|a, b| {
        a.light
            .cmp(&b.light)
            .then(b.counts.missing.cmp(&a.counts.missing))
            .then(b.counts.late.cmp(&a.counts.late))
            .then(a.village.as_str().cmp(b.village.as_str()))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_default_has_27_items_with_unique_keys_that_pass_the_checks() {
        let items = default_items();
        assert_eq!(items.len(), 27);
        let mut keys: Vec<_> = items.iter().map(|i| i.key.as_str()).collect();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), 27);
        assert!(items.iter().all(|i| i.check().is_ok()));
        let count = |s| items.iter().filter(|i| i.section == s).count();
        assert_eq!((count(Party), count(Village), count(Finance)), (7, 10, 10));
    }

    #[test]
    fn periods_parse_print_and_fall_due() {
        let q = Period::parse("2026-Q4", Quarterly).unwrap();
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.due(15), d("2027-01-15"));
        assert_eq!(q.label(), "2026年第四季度");
        assert_eq!(Period::parse("2026-02", Monthly).unwrap().due(31), d("2026-03-31"));
        assert_eq!(Period::parse("2026-01", Monthly).unwrap().due(31), d("2026-02-28"));
        assert_eq!(Period::parse("2026", Yearly).unwrap().due(31), d("2027-01-31"));
        assert_eq!(Period::parse("2026-12-30", Event).unwrap().due(7), d("2027-01-06"));
        assert!(Period::parse("2026-Q5", Quarterly).is_err());
        assert!(Period::parse("2026-03", Quarterly).is_err());
        assert!(Period::parse("1999", Yearly).is_err());
        assert!(Period::parse("26", Yearly).is_err());
        assert_eq!(Period::parse("2026-13", Monthly).unwrap_err().field, "period");
        assert_eq!(Period::containing(Quarterly, d("2026-08-31")), Period::Quarter(2026, 3));
    }

    #[test]
    fn standing_is_judged_by_the_due_day() {
        let due = d("2026-04-10");
        assert_eq!(
            Standing::of(due, Some(d("2026-04-10")), d("2026-05-01")),
            Standing::OnTime
        );
        assert_eq!(
            Standing::of(due, Some(d("2026-04-11")), d("2026-05-01")),
            Standing::Late
        );
        assert_eq!(Standing::of(due, None, d("2026-04-10")), Standing::Due);
        assert_eq!(Standing::of(due, None, d("2026-04-11")), Standing::Missing);
    }

    #[test]
    fn obligations_follow_the_catalogue_in_force_when_each_period_began() {
        // Quarterly until April, then monthly from May.
        let catalogue = |m: Month| {
            vec![Item {
                key: "x".into(),
                section: Village,
                title: "x".into(),
                frequency: if m.month < 5 { Quarterly } else { Monthly },
                deadline: 10,
            }]
        };
        let published = |_: &str, p: Period| {
            (p == Period::Quarter(2026, 1)).then(|| (d("2026-04-20"), Some(Uuid::nil()), Timestamp(0)))
        };
        let o = obligations(&catalogue, &published, &[], 2026, d("2026-07-05"));
        let got: Vec<_> = o.iter().map(|o| (o.period.as_str(), o.standing)).collect();
        // Q2 began under the quarterly rule; May and June under the monthly one; July has
        // not ended, and Q1 was published ten days late.
        assert_eq!(
            got,
            vec![
                ("2026-Q1", Standing::Late),
                ("2026-Q2", Standing::Due),
                ("2026-05", Standing::Missing),
                ("2026-06", Standing::Due),
            ]
        );
        let mut counts = Counts::default();
        o.iter().for_each(|x| counts.add(x, d("2026-07-05")));
        assert_eq!((counts.late, counts.missing, counts.due), (1, 1, 2));
        assert_eq!(counts.light(), Light::Red);
    }

    #[test]
    fn lights_order_red_first() {
        let mut c = Counts::default();
        assert_eq!(c.light(), Light::Green);
        c.due_soon = 1;
        assert_eq!(c.light(), Light::Yellow);
        c.missing = 1;
        assert_eq!(c.light(), Light::Red);
        assert!(Light::Red < Light::Yellow && Light::Yellow < Light::Green);
    }
}

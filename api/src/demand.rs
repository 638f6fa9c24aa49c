//! Demands (诉求): a villager's everyday request, worked by the village and sent up the
//! levels when the village cannot settle it, every step on record, on a clock that counts
//! working days.
//!
//! The state machine is here, once, for both sides: the server refuses a step it does not
//! allow (`demand_step_refused`), and the client offers only the steps it allows.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{RegionCode, RegionLevel, Timestamp, ledger::Attachment};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// At most this many characters of text in a demand.
pub const TEXT_MAX: usize = 1000;
/// At most this many characters in a step's note (an answer, a result, an instruction).
pub const NOTE_MAX: usize = 1000;
/// At most this many photos filed with a demand, and as many with its result.
pub const MAX_PHOTOS: usize = 9;
/// Demands one account files in a day (China time): more than a household has to raise,
/// few enough that one phone cannot flood its village's list or its cadre's inbox. Per
/// account, not per address: a whole village may share one mobile network address.
pub const MAX_PER_DAY: i64 = 10;
/// A demand closed within this many calendar days counts as "closed within 5 days", as the
/// counties count it.
pub const QUICK_DAYS: i64 = 5;

/// The five classes of Baojing's ledger (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DemandClass {
    /// 宣传教育
    Education,
    /// 公示公开
    Disclosure,
    /// 便民服务
    Service,
    /// 信访举报: never a demand; the private report page takes it.
    Petition,
    /// 舆情管控
    Opinion,
}

impl DemandClass {
    pub const ALL: [DemandClass; 5] = [
        DemandClass::Education,
        DemandClass::Disclosure,
        DemandClass::Service,
        DemandClass::Petition,
        DemandClass::Opinion,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DemandClass::Education => "education",
            DemandClass::Disclosure => "disclosure",
            DemandClass::Service => "service",
            DemandClass::Petition => "petition",
            DemandClass::Opinion => "opinion",
        }
    }

    pub fn parse(s: &str) -> Option<DemandClass> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The default subcategories (DOMAIN.md), in Chinese as the counties name them.
    pub fn subcategories(self) -> &'static [&'static str] {
        match self {
            DemandClass::Education => &["政策咨询", "法律咨询", "移风易俗"],
            DemandClass::Disclosure => &["账目疑问", "公示不及时", "项目进度", "补贴发放"],
            DemandClass::Service => &["道路交通", "水电气", "环境卫生", "医疗社保", "证照办理"],
            DemandClass::Petition => &["干部作风", "违规用权", "优亲厚友", "侵占集体资产"],
            DemandClass::Opinion => &["谣言澄清", "邻里纠纷", "安全隐患"],
        }
    }

    /// Whether this class belongs in the private report flow, never in a demand.
    pub fn is_report(self) -> bool {
        self == DemandClass::Petition
    }
}

/// Words that point at a subcategory, checked in order; the first subcategory with a word
/// in the text wins. Small on purpose: a suggestion the villager can change.
#[rustfmt::skip]
const RULES: &[(DemandClass, &str, &[&str])] = &[
    (DemandClass::Petition, "侵占集体资产", &["侵占", "私吞", "挪用", "贪污"]),
    (DemandClass::Petition, "优亲厚友", &["优亲厚友", "亲戚", "照顾关系"]),
    (DemandClass::Petition, "违规用权", &["受贿", "收钱", "好处费", "红包", "吃拿卡要", "索要"]),
    (DemandClass::Petition, "干部作风", &["干部态度", "不作为", "打牌", "喝酒"]),
    (DemandClass::Service, "道路交通", &["路灯", "道路", "马路", "路面", "坑", "桥", "公交", "车"]),
    (DemandClass::Service, "水电气", &["停水", "自来水", "水管", "停电", "电线", "电表", "燃气", "煤气", "水压"]),
    (DemandClass::Service, "环境卫生", &["垃圾", "卫生", "臭", "污水", "厕所", "河道"]),
    (DemandClass::Service, "医疗社保", &["医保", "社保", "养老金", "看病", "卫生室", "医疗"]),
    (DemandClass::Service, "证照办理", &["身份证", "户口", "证明", "办证", "营业执照", "宅基地证"]),
    (DemandClass::Disclosure, "补贴发放", &["补贴", "补助", "低保", "救助"]),
    (DemandClass::Disclosure, "账目疑问", &["账目", "发票", "开支", "报账", "花了"]),
    (DemandClass::Disclosure, "项目进度", &["工程", "项目", "施工", "进度"]),
    (DemandClass::Disclosure, "公示不及时", &["公示", "公开", "没有公布"]),
    (DemandClass::Opinion, "安全隐患", &["隐患", "危房", "塌", "火灾", "漏电", "危险"]),
    (DemandClass::Opinion, "邻里纠纷", &["邻居", "纠纷", "吵架", "占地", "边界"]),
    (DemandClass::Opinion, "谣言澄清", &["谣言", "听说", "传言"]),
    (DemandClass::Education, "法律咨询", &["法律", "律师", "合同", "官司"]),
    (DemandClass::Education, "移风易俗", &["彩礼", "酒席", "丧事", "办酒"]),
    (DemandClass::Education, "政策咨询", &["政策", "怎么申请", "条件", "咨询"]),
];

/// The class and subcategory the text most likely belongs to, or `None` when no rule
/// matches (the villager picks).
pub fn suggest(text: &str) -> Option<(DemandClass, &'static str)> {
    RULES
        .iter()
        .find(|(_, _, words)| words.iter().any(|w| text.contains(w)))
        .map(|(c, s, _)| (*c, *s))
}

/// Where a demand stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DemandState {
    /// 待受理: waiting for its holder to take it.
    Filed,
    /// 办理中: taken by its holder.
    Accepted,
    /// 已办结: closed with what was done.
    Closed,
    /// 已合并: the same problem as another demand, whose filers now follow that one.
    Merged,
}

impl DemandState {
    pub const ALL: [DemandState; 4] = [
        DemandState::Filed,
        DemandState::Accepted,
        DemandState::Closed,
        DemandState::Merged,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DemandState::Filed => "filed",
            DemandState::Accepted => "accepted",
            DemandState::Closed => "closed",
            DemandState::Merged => "merged",
        }
    }

    pub fn parse(s: &str) -> Option<DemandState> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether the demand is still being worked (its clock runs).
    pub fn is_open(self) -> bool {
        matches!(self, DemandState::Filed | DemandState::Accepted)
    }
}

/// A step someone takes on a demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// The holder takes it (受理).
    Accept,
    /// The holder tells the filer something without closing (答复).
    Answer,
    /// The holder closes it with what was done (办结).
    Close,
    /// The holder passes it up one level (上报).
    Escalate,
    /// A township, county or city holder sends it down one level with an instruction (交办).
    SendDown,
    /// An inspector presses the holder (督办).
    Press,
    /// A filer rates the result (评价).
    Rate,
    /// A filer who is not satisfied reopens it, once; it goes one level up (重新办理).
    Reopen,
    /// The holder merges it into another open demand of the village (合并).
    Merge,
}

impl Step {
    pub const ALL: [Step; 9] = [
        Step::Accept,
        Step::Answer,
        Step::Close,
        Step::Escalate,
        Step::SendDown,
        Step::Press,
        Step::Rate,
        Step::Reopen,
        Step::Merge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::Accept => "accept",
            Step::Answer => "answer",
            Step::Close => "close",
            Step::Escalate => "escalate",
            Step::SendDown => "send_down",
            Step::Press => "press",
            Step::Rate => "rate",
            Step::Reopen => "reopen",
            Step::Merge => "merge",
        }
    }

    /// Steps the holder of the demand takes (the rest: the filers' and the inspectors').
    pub fn by_holder(self) -> bool {
        matches!(
            self,
            Step::Accept | Step::Answer | Step::Close | Step::Escalate | Step::SendDown | Step::Merge
        )
    }

    /// Whether the step needs a note (what was done, why, the instruction).
    pub fn needs_note(self) -> bool {
        matches!(
            self,
            Step::Answer | Step::Close | Step::Escalate | Step::SendDown | Step::Press | Step::Reopen
        )
    }
}

/// Where a step moves the demand's holder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Stay,
    Up,
    Down,
}

/// The state machine: the state a step leads to from `state`, and where the holder goes,
/// or `None` when the step is not allowed there. `level` is the holder's level; `reopened`
/// whether the demand has been reopened before (once only).
///
/// | from | step | to | holder |
/// | --- | --- | --- | --- |
/// | filed | accept | accepted | stays |
/// | filed, accepted | escalate | filed | one level up (not past the city) |
/// | filed, accepted | send down | filed | one level down (not below the village) |
/// | filed, accepted | merge | merged | stays |
/// | filed, accepted | press | unchanged | stays |
/// | accepted | answer | accepted | stays |
/// | accepted | close | closed | stays |
/// | closed | rate | closed | stays |
/// | closed | reopen | filed | one level up (once; not past the city) |
///
/// The clock's own step (overdue: filed or accepted, past its limit, to filed one level
/// up) is [`overdue`].
pub fn transition(state: DemandState, step: Step, level: RegionLevel, reopened: bool) -> Option<(DemandState, Move)> {
    use DemandState::*;
    let up = level != RegionLevel::City;
    let down = level != RegionLevel::Village;
    match (state, step) {
        (Filed, Step::Accept) => Some((Accepted, Move::Stay)),
        (Filed | Accepted, Step::Escalate) if up => Some((Filed, Move::Up)),
        (Filed | Accepted, Step::SendDown) if down => Some((Filed, Move::Down)),
        (Filed | Accepted, Step::Merge) => Some((Merged, Move::Stay)),
        (Filed | Accepted, Step::Press) => Some((state, Move::Stay)),
        (Accepted, Step::Answer) => Some((Accepted, Move::Stay)),
        (Accepted, Step::Close) => Some((Closed, Move::Stay)),
        (Closed, Step::Rate) => Some((Closed, Move::Stay)),
        (Closed, Step::Reopen) if !reopened && up => Some((Filed, Move::Up)),
        _ => None,
    }
}

/// What the clock does to an open demand past its limit: marks it overdue and sends it one
/// level up (at the city, where there is no level above, it stays, overdue).
pub fn overdue(state: DemandState, level: RegionLevel) -> Option<(DemandState, Move)> {
    match state {
        DemandState::Filed | DemandState::Accepted if level != RegionLevel::City => {
            Some((DemandState::Filed, Move::Up))
        }
        DemandState::Filed | DemandState::Accepted => Some((state, Move::Stay)),
        _ => None,
    }
}

/// The level above, for escalation.
pub fn level_up(level: RegionLevel) -> Option<RegionLevel> {
    match level {
        RegionLevel::Village => Some(RegionLevel::Township),
        RegionLevel::Township => Some(RegionLevel::County),
        RegionLevel::County => Some(RegionLevel::City),
        RegionLevel::City => None,
    }
}

/// The level below, for sending down.
pub fn level_down(level: RegionLevel) -> Option<RegionLevel> {
    match level {
        RegionLevel::Village => None,
        RegionLevel::Township => Some(RegionLevel::Village),
        RegionLevel::County => Some(RegionLevel::Township),
        RegionLevel::City => Some(RegionLevel::County),
    }
}

/// The region at `level` on the way from `village` up to the city.
pub fn region_at(village: &RegionCode, level: RegionLevel) -> Option<RegionCode> {
    let mut r = village.clone();
    loop {
        if r.level() == level {
            return Some(r);
        }
        r = r.parent()?;
    }
}

/// How the filer found the result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    Satisfied,
    /// 基本满意
    Basic,
    /// 不满意
    Unsatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basic => "basic",
            Satisfaction::Unsatisfied => "unsatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Satisfaction> {
        [Satisfaction::Satisfied, Satisfaction::Basic, Satisfaction::Unsatisfied]
            .into_iter()
            .find(|c| c.as_str() == s)
    }

    /// Points for the average: 满意 100, 基本满意 60, 不满意 0.
    pub fn points(self) -> i64 {
        match self {
            Satisfaction::Satisfied => 100,
            Satisfaction::Basic => 60,
            Satisfaction::Unsatisfied => 0,
        }
    }
}

/// Working days each level has, set per county.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Limits {
    pub village: u32,
    pub township: u32,
    pub county: u32,
    pub city: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            village: 3,
            township: 5,
            county: 10,
            city: 15,
        }
    }
}

impl Limits {
    pub fn at(&self, level: RegionLevel) -> u32 {
        match level {
            RegionLevel::Village => self.village,
            RegionLevel::Township => self.township,
            RegionLevel::County => self.county,
            RegionLevel::City => self.city,
        }
    }

    /// Each limit between 1 and 60 working days.
    pub fn valid(&self) -> bool {
        [self.village, self.township, self.county, self.city]
            .iter()
            .all(|d| (1..=60).contains(d))
    }
}

/// `POST /api/regions/{village}/demands`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewDemand {
    pub text: String,
    pub class: DemandClass,
    pub subcategory: String,
    /// On the village's list (without the filer's name), or seen by its handlers only.
    pub public: bool,
    /// Made once per demand by the phone, so a double tap or a retry files once.
    pub idempotency_key: Uuid,
}

/// `POST /api/demands/{id}/steps`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StepIn {
    pub step: Step,
    /// What was done, why, or the instruction; required where [`Step::needs_note`].
    #[serde(default)]
    pub note: String,
    /// For `rate`.
    #[serde(default)]
    pub rating: Option<Satisfaction>,
    /// For `merge`: the demand this one joins.
    #[serde(default)]
    pub into: Option<Uuid>,
}

/// One demand in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemandSummary {
    pub id: Uuid,
    /// A short reference people can read out on the phone (e.g. `SQ-2026-4F2A`).
    pub number: String,
    pub village: RegionCode,
    pub village_name: String,
    pub class: DemandClass,
    pub subcategory: String,
    pub text: String,
    pub public: bool,
    pub state: DemandState,
    /// Who holds it now: its level and region's name.
    pub level: RegionLevel,
    pub holder: RegionCode,
    pub holder_name: String,
    pub filed_at: Timestamp,
    /// When its holder's time runs out; absent when closed, or when the working-day
    /// calendar does not reach that far yet (an administrator must add the next year).
    pub due_at: Option<Timestamp>,
    /// Open without a deadline: the working-day calendar does not reach the end of its
    /// holder's limit yet; the clock counts it once an administrator adds the year.
    pub awaiting_calendar: bool,
    /// Past a limit at some level (and so escalated by the clock), or past its current one.
    pub overdue: bool,
    /// Households following it (its filer and those who joined it).
    pub followers: u32,
    pub closed_at: Option<Timestamp>,
    /// Whether the caller filed or follows it.
    pub mine: bool,
}

/// What happened to a demand, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Filed,
    Joined,
    Accepted,
    Answered,
    Closed,
    Escalated,
    SentDown,
    /// The clock: past the limit, escalated (or, at the city, marked overdue).
    Overdue,
    Pressed,
    Rated,
    Reopened,
    /// Merged into another demand (`into`).
    Merged,
    /// Another demand was merged into this one.
    Absorbed,
}

impl EventKind {
    pub const ALL: [EventKind; 13] = [
        EventKind::Filed,
        EventKind::Joined,
        EventKind::Accepted,
        EventKind::Answered,
        EventKind::Closed,
        EventKind::Escalated,
        EventKind::SentDown,
        EventKind::Overdue,
        EventKind::Pressed,
        EventKind::Rated,
        EventKind::Reopened,
        EventKind::Merged,
        EventKind::Absorbed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Filed => "filed",
            EventKind::Joined => "joined",
            EventKind::Accepted => "accepted",
            EventKind::Answered => "answered",
            EventKind::Closed => "closed",
            EventKind::Escalated => "escalated",
            EventKind::SentDown => "sent_down",
            EventKind::Overdue => "overdue",
            EventKind::Pressed => "pressed",
            EventKind::Rated => "rated",
            EventKind::Reopened => "reopened",
            EventKind::Merged => "merged",
            EventKind::Absorbed => "absorbed",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The post a staff member took this step in, from where the demand was held: an
    /// inspector presses; a village's cadre or a handler above it does the rest.
    pub fn post(self, holder: RegionLevel, by_staff: bool) -> Option<crate::Role> {
        match self {
            EventKind::Pressed => Some(crate::Role::Inspector),
            _ if !by_staff => None,
            _ if holder == RegionLevel::Village => Some(crate::Role::Cadre),
            _ => Some(crate::Role::Handler),
        }
    }
}

/// One step in a demand's history, as its readers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemandEvent {
    pub at: Timestamp,
    pub kind: EventKind,
    /// Who: a staff member's name and role, "系统" for the clock; absent for a villager
    /// (filers are never named to others).
    pub by: Option<String>,
    /// The post they acted in (a village's cadre, a handler above it, an inspector).
    pub role: Option<crate::Role>,
    /// The region that held the demand after this step.
    pub level: RegionLevel,
    pub region_name: String,
    pub note: Option<String>,
    pub rating: Option<Satisfaction>,
    /// For `merged` and `absorbed`: the other demand.
    pub other: Option<Uuid>,
    /// Result photos a close carried.
    #[serde(default)]
    pub photos: Vec<Attachment>,
}

/// How the filers rated the result.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Ratings {
    pub satisfied: u32,
    pub basic: u32,
    pub unsatisfied: u32,
}

/// `GET /api/demands/{id}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Demand {
    pub summary: DemandSummary,
    pub photos: Vec<Attachment>,
    pub events: Vec<DemandEvent>,
    pub ratings: Ratings,
    /// The caller's own rating, when they follow it.
    pub my_rating: Option<Satisfaction>,
    pub reopened: bool,
    pub merged_into: Option<Uuid>,
    /// The steps the caller may take now.
    pub steps: Vec<Step>,
    /// Whether the caller may add photos now (the filer before it is taken, the holder
    /// before it is closed).
    pub can_add_photos: bool,
    /// The filer's voice note, if any: `GET /api/demands/{id}/voice` plays it (AAC in MP4).
    pub voice_seconds: Option<u32>,
    /// Whether the caller may add a voice note now (the filer, before it is taken, once).
    pub can_add_voice: bool,
    /// Whether the caller may join it (a villager of its village, not yet following it).
    pub can_join: bool,
    /// The filer's name and mobile number, for the staff who work it; absent for others.
    pub contact: Option<String>,
}

/// `GET /api/me/todo`: what waits for the caller, per role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TodoKind {
    /// Demands waiting to be taken at a region the caller handles.
    NewDemands,
    /// Open demands past their limit at a region the caller handles.
    OverdueDemands,
    /// Open demands past a limit in an inspector's region.
    OverdueToPress,
    /// Ledger questions nobody answered yet.
    UnansweredQuestions,
    /// Ledger lines the reviewer returned to the accountant.
    ReturnedLines,
    /// Submitted lines waiting for the reviewer.
    LinesToReview,
    /// Real-name reports whose answers are due in the office.
    ReportsDue,
    /// The villager's closed demands waiting for a rating.
    DemandsToRate,
    /// The villager's demands answered since they last looked.
    DemandAnswers,
    /// Reports received more than 15 working days ago and not yet answered whether accepted
    /// (检举控告工作规则: a real-name report must be answered within 15 working days).
    ReportsLate,
    /// The working-day calendar needs its next year (`year`); `count` demands wait for it.
    CalendarYear,
    /// Disclosure entries submitted and waiting for the township's reviewer.
    DisclosuresToReview,
    /// Catalogue items of the caller's village past their deadline and unpublished.
    DisclosuresMissing,
    /// Villages of an inspector's region in red: something past its deadline unpublished.
    VillagesInRed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct TodoItem {
    pub kind: TodoKind,
    pub region: RegionCode,
    pub region_name: String,
    pub count: u32,
    /// The calendar's year to add, for [`TodoKind::CalendarYear`].
    pub year: Option<i32>,
}

/// Counts for a dashboard row (a region, a class or a month).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemandCounts {
    pub received: u32,
    pub closed: u32,
    /// Closed within [`QUICK_DAYS`] calendar days of filing.
    pub closed_quick: u32,
    pub overdue_now: u32,
    pub rated: u32,
    pub unrated_closed: u32,
    /// Average of the ratings' points (满意 100, 基本满意 60, 不满意 0); absent with no rating.
    pub satisfaction: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct CountsRow {
    /// A region's code, a class (`service`), or a month number (`1`–`12`).
    pub key: String,
    pub name: String,
    pub counts: DemandCounts,
}

/// `GET /api/regions/{code}/demand-stats`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DemandStats {
    pub region: RegionCode,
    pub region_name: String,
    pub year: i32,
    pub total: DemandCounts,
    /// The regions one level below.
    pub children: Vec<CountsRow>,
    pub classes: Vec<CountsRow>,
    /// Months 1–12 of the year.
    pub months: Vec<CountsRow>,
    /// The open demands past a limit, longest overdue first.
    pub overdue: Vec<DemandSummary>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_table_suggests_a_class() {
        assert_eq!(
            suggest("村口的路灯坏了一个月"),
            Some((DemandClass::Service, "道路交通"))
        );
        assert_eq!(
            suggest("我家低保补贴这个月没到"),
            Some((DemandClass::Disclosure, "补贴发放"))
        );
        assert_eq!(suggest("村主任收了红包"), Some((DemandClass::Petition, "违规用权")));
        assert_eq!(suggest("你好"), None);
        for (class, sub, _) in RULES {
            assert!(
                class.subcategories().contains(sub),
                "{sub} is not a subcategory of {class:?}"
            );
        }
    }

    #[test]
    fn the_state_machine_allows_only_its_table() {
        use DemandState::*;
        use RegionLevel::*;
        assert_eq!(
            transition(Filed, Step::Accept, Village, false),
            Some((Accepted, Move::Stay))
        );
        assert_eq!(transition(Filed, Step::Close, Village, false), None);
        assert_eq!(transition(Filed, Step::Answer, Village, false), None);
        assert_eq!(
            transition(Accepted, Step::Close, Township, false),
            Some((Closed, Move::Stay))
        );
        assert_eq!(transition(Accepted, Step::Escalate, City, false), None);
        assert_eq!(transition(Filed, Step::SendDown, Village, false), None);
        assert_eq!(
            transition(Filed, Step::SendDown, County, false),
            Some((Filed, Move::Down))
        );
        assert_eq!(
            transition(Closed, Step::Reopen, Village, false),
            Some((Filed, Move::Up))
        );
        assert_eq!(transition(Closed, Step::Reopen, Village, true), None);
        assert_eq!(transition(Closed, Step::Accept, Village, false), None);
        for step in Step::ALL {
            assert_eq!(transition(Merged, step, Village, false), None);
        }
        assert_eq!(overdue(Accepted, Village), Some((Filed, Move::Up)));
        assert_eq!(overdue(Accepted, City), Some((Accepted, Move::Stay)));
        assert_eq!(overdue(Closed, Village), None);
    }

    #[test]
    fn regions_on_the_way_up() {
        let v = RegionCode::parse("359901101201").unwrap();
        assert_eq!(region_at(&v, RegionLevel::Township).unwrap().as_str(), "359901101000");
        assert_eq!(region_at(&v, RegionLevel::City).unwrap().as_str(), "359900000000");
        assert_eq!(region_at(&v, RegionLevel::Village).unwrap(), v);
    }

    #[test]
    fn names_round_trip() {
        for c in DemandClass::ALL {
            assert_eq!(DemandClass::parse(c.as_str()), Some(c));
        }
        for s in DemandState::ALL {
            assert_eq!(DemandState::parse(s.as_str()), Some(s));
        }
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
        for s in Step::ALL {
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{}\"", s.as_str()));
        }
    }
}

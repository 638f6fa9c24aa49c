//! Engineering projects (工程项目) and disposals of collective assets (资产处置), disclosed
//! along their whole chain: 立项 → 招投标 → 合同 → 施工 → 验收 → 结算.
//!
//! Each stage the village records is a catalogue [`Entry`] of the item [`PROJECT_ITEM`]
//! that names its project ([`StageFacts`]): drafted with its photos and documents,
//! reviewed and sealed by the township, logged, corrected and withdrawn exactly like any
//! other entry. A stage is recorded only after the one before it; building progress may be
//! recorded many times, never going back. The money is the budget, the contract amount
//! (from the published contract stage) and what the ledger lines linked to the project
//! paid (or, for a disposal, brought in): paying beyond the contract is flagged.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    RegionCode, Timestamp,
    catalogue::{Entry, EntryStatus},
    date::{Date, Month},
    error::{FieldError, Invalid},
    ledger::Kind,
};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

/// The catalogue item every project stage is an entry of (outside any county's catalogue:
/// stages are not counted as catalogue periods).
pub const PROJECT_ITEM: &str = "project";

/// Longest project title, in characters.
pub const TITLE_MAX: usize = 60;

/// Longest project description or stage note, in characters.
pub const NOTE_MAX: usize = 2000;

/// What kind of matter a project is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// 工程项目: the village pays for building work.
    Works,
    /// 资产资源处置: the village sells or leases collective assets and is paid.
    Disposal,
}

impl ProjectKind {
    pub const ALL: [ProjectKind; 2] = [ProjectKind::Works, ProjectKind::Disposal];

    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Works => "works",
            ProjectKind::Disposal => "disposal",
        }
    }

    pub fn parse(s: &str) -> Option<ProjectKind> {
        ProjectKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProjectKind::Works => "工程项目",
            ProjectKind::Disposal => "资产处置",
        }
    }

    /// The ledger lines that count as this project's money: what works paid out, what a
    /// disposal brought in.
    pub fn line_kind(self) -> Kind {
        match self {
            ProjectKind::Works => Kind::Expense,
            ProjectKind::Disposal => Kind::Income,
        }
    }
}

/// A stage of the chain, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 立项: the villagers' (representatives') meeting approved it.
    Approval,
    /// 招投标 (a disposal: 公开竞价).
    Tender,
    /// 合同: signed, with its amount.
    Contract,
    /// 施工 (a disposal: 交割), with progress in per cent; recorded as often as it moves.
    Construction,
    /// 验收: accepted when finished.
    Acceptance,
    /// 结算: the final amount.
    Settlement,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Approval,
        Stage::Tender,
        Stage::Contract,
        Stage::Construction,
        Stage::Acceptance,
        Stage::Settlement,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Approval => "approval",
            Stage::Tender => "tender",
            Stage::Contract => "contract",
            Stage::Construction => "construction",
            Stage::Acceptance => "acceptance",
            Stage::Settlement => "settlement",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self, kind: ProjectKind) -> &'static str {
        match (self, kind) {
            (Stage::Approval, _) => "立项",
            (Stage::Tender, ProjectKind::Works) => "招投标",
            (Stage::Tender, ProjectKind::Disposal) => "公开竞价",
            (Stage::Contract, _) => "签订合同",
            (Stage::Construction, ProjectKind::Works) => "施工",
            (Stage::Construction, ProjectKind::Disposal) => "交割",
            (Stage::Acceptance, _) => "验收",
            (Stage::Settlement, _) => "结算",
        }
    }

    pub fn next(self) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| *s > self)
    }

    /// Whether recording this stage takes an amount (the contract's, the settlement's).
    pub fn takes_amount(self) -> bool {
        matches!(self, Stage::Contract | Stage::Settlement)
    }

    /// Whether recording this stage takes progress in per cent.
    pub fn takes_progress(self) -> bool {
        self == Stage::Construction
    }
}

/// What a stage entry records beyond its text: which project and stage, and the stage's
/// figure. Part of what the publication log hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct StageFacts {
    pub project: Uuid,
    pub stage: Stage,
    /// 施工: how far the work is, 0–100.
    #[serde(default)]
    pub progress_pct: Option<u8>,
    /// 合同 and 结算: the amount, in fen.
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// `POST /api/regions/{village}/projects`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewProject {
    pub kind: ProjectKind,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// 预算 (a disposal: 底价, the reserve price), in fen.
    pub budget_fen: i64,
}

/// `POST /api/projects/{id}/stages`: a stage as a draft entry (attach its files, then
/// submit it to the township like any entry).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct NewStage {
    pub stage: Stage,
    /// When it happened (`YYYY-MM-DD`), not after today.
    pub date: Date,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub progress_pct: Option<u8>,
    #[serde(default)]
    pub amount_fen: Option<i64>,
}

/// `POST /api/projects/{id}/payments`: links a ledger line of the village to the project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct PaymentLink {
    pub line: Uuid,
}

/// A ledger line linked to a project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Payment {
    pub line: Uuid,
    pub month: Month,
    pub date: Date,
    pub amount_fen: i64,
    pub category: String,
    /// Masked (张*明) for everyone when the counterparty is a private person.
    pub counterparty: String,
    pub invoice_no: Option<String>,
    /// Whether the line's month is published (only those count, and only those are public).
    pub published: bool,
}

/// A project in a village's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct ProjectSummary {
    pub id: Uuid,
    pub kind: ProjectKind,
    pub title: String,
    pub budget_fen: i64,
    pub money: Money,
    /// The latest published stage and building progress.
    pub stage: Option<Stage>,
    pub progress_pct: Option<u8>,
    pub created_at: Timestamp,
}

/// A project's money as published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Money {
    pub contract_fen: Option<i64>,
    pub settled_fen: Option<i64>,
    /// Paid (a disposal: received) so far: the linked lines of published months.
    pub paid_fen: i64,
    /// Works that paid more than the contract amount (超合同支付).
    pub over_contract: bool,
}

/// `GET /api/projects/{id}`: a project with its chain and its payments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct Project {
    pub id: Uuid,
    pub village: RegionCode,
    pub village_name: String,
    pub kind: ProjectKind,
    pub title: String,
    pub description: String,
    pub budget_fen: i64,
    pub created_at: Timestamp,
    pub money: Money,
    pub stage: Option<Stage>,
    pub progress_pct: Option<u8>,
    /// Every recorded stage, oldest first: published ones for everyone, drafts and
    /// submitted ones for the village's staff too.
    pub stages: Vec<Entry>,
    /// Linked lines, oldest first: those of published months for everyone, all for staff.
    pub payments: Vec<Payment>,
    /// Staff only: the stages that may be recorded next.
    #[serde(default)]
    pub next: Vec<Stage>,
}

/// The stages of a chain that stand: first versions (corrections replace what they show,
/// not where they are in the chain) that are not withdrawn, with their facts.
fn standing(stages: &[Entry]) -> impl Iterator<Item = (&Entry, &StageFacts)> {
    stages
        .iter()
        .filter(|e| e.corrects.is_none() && e.withdrawn.is_none())
        .filter_map(|e| e.project.as_ref().map(|f| (e, f)))
}

/// The stages that may be recorded next after `stages`: the chain's next stage, and more
/// progress while building (acceptance only once building reached 100%).
pub fn next_stages(stages: &[Entry]) -> Vec<Stage> {
    let last = standing(stages).max_by_key(|(e, f)| (f.stage, e.period.clone()));
    match last {
        None => vec![Stage::Approval],
        Some((_, f)) if f.stage == Stage::Construction => {
            if f.progress_pct == Some(100) {
                vec![Stage::Acceptance]
            } else {
                vec![Stage::Construction]
            }
        }
        Some((_, f)) => f.stage.next().into_iter().collect(),
    }
}

/// Checks a new stage against the chain recorded so far and against `today`.
pub fn check_stage(stages: &[Entry], new: &NewStage, today: Date) -> Result<(), Invalid> {
    if !next_stages(stages).contains(&new.stage) {
        return Err(Invalid::new("stage", FieldError::OutOfRange));
    }
    if new.date > today {
        return Err(Invalid::new("date", FieldError::InFuture));
    }
    if let Some(latest) = standing(stages).filter_map(|(e, _)| Date::parse(&e.period).ok()).max()
        && new.date < latest
    {
        return Err(Invalid::new("date", FieldError::OutOfRange));
    }
    if new.stage.takes_progress() {
        let pct = new
            .progress_pct
            .ok_or(Invalid::new("progress_pct", FieldError::Required))?;
        let before = standing(stages).filter_map(|(_, f)| f.progress_pct).max().unwrap_or(0);
        if pct > 100 || pct < before {
            return Err(Invalid::new("progress_pct", FieldError::OutOfRange));
        }
    } else if new.progress_pct.is_some() {
        return Err(Invalid::new("progress_pct", FieldError::OutOfRange));
    }
    if new.stage.takes_amount() {
        let fen = new.amount_fen.ok_or(Invalid::new("amount_fen", FieldError::Required))?;
        if fen <= 0 || fen > crate::money::MAX_FEN {
            return Err(Invalid::new("amount_fen", FieldError::OutOfRange));
        }
    } else if new.amount_fen.is_some() {
        return Err(Invalid::new("amount_fen", FieldError::OutOfRange));
    }
    Ok(())
}

/// The latest published version of each standing stage: what the public chain shows.
fn published(stages: &[Entry]) -> impl Iterator<Item = &StageFacts> {
    stages
        .iter()
        .filter(|e| e.status == EntryStatus::Published && e.withdrawn.is_none() && e.corrected_by.is_none())
        .filter_map(|e| e.project.as_ref())
}

/// The published stage, progress and money of a project.
pub fn summarize(kind: ProjectKind, stages: &[Entry], payments: &[Payment]) -> (Option<Stage>, Option<u8>, Money) {
    let stage = published(stages).map(|f| f.stage).max();
    let progress = match stage {
        Some(s) if s > Stage::Construction => Some(100),
        _ => published(stages).filter_map(|f| f.progress_pct).max(),
    };
    let amount = |s: Stage| published(stages).filter(|f| f.stage == s).find_map(|f| f.amount_fen);
    let contract_fen = amount(Stage::Contract);
    let paid_fen = payments.iter().filter(|p| p.published).map(|p| p.amount_fen).sum();
    let money = Money {
        contract_fen,
        settled_fen: amount(Stage::Settlement),
        paid_fen,
        over_contract: kind == ProjectKind::Works && contract_fen.is_some_and(|c| paid_fen > c),
    };
    (stage, progress, money)
}

/// The title a stage entry carries: the project and the stage.
pub fn stage_title(project: &str, kind: ProjectKind, stage: Stage) -> String {
    format!("{project} · {}", stage.label(kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Section;

    /// A distinct id per call (the crate has no random source).
    fn fresh() -> Uuid {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        Uuid::from_u128(u128::from(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)))
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn entry(stage: Stage, day: &str, status: EntryStatus, progress: Option<u8>, amount: Option<i64>) -> Entry {
        Entry {
            id: fresh(),
            village: RegionCode::parse("359901101201").unwrap(),
            item: PROJECT_ITEM.into(),
            item_title: stage.label(ProjectKind::Works).into(),
            section: Section::Village,
            period: day.into(),
            period_label: day.into(),
            title: "t".into(),
            body: String::new(),
            status,
            review_note: None,
            created_at: Timestamp(0),
            published_at: None,
            published_by: None,
            files: Vec::new(),
            corrects: None,
            correction_reason: None,
            corrected_by: None,
            withdrawn: None,
            project: Some(StageFacts {
                project: Uuid::nil(),
                stage,
                progress_pct: progress,
                amount_fen: amount,
            }),
            questions: Vec::new(),
        }
    }

    fn new(stage: Stage, day: &str) -> NewStage {
        NewStage {
            stage,
            date: d(day),
            note: String::new(),
            progress_pct: stage.takes_progress().then_some(10),
            amount_fen: stage.takes_amount().then_some(100),
        }
    }

    const TODAY: &str = "2026-06-30";

    #[test]
    fn a_stage_is_recorded_only_after_the_one_before() {
        let today = d(TODAY);
        assert!(check_stage(&[], &new(Stage::Approval, "2026-01-05"), today).is_ok());
        let err = check_stage(&[], &new(Stage::Contract, "2026-01-05"), today).unwrap_err();
        assert_eq!((err.field, err.reason), ("stage", FieldError::OutOfRange));
        let chain = vec![entry(Stage::Approval, "2026-01-05", EntryStatus::Published, None, None)];
        assert!(check_stage(&chain, &new(Stage::Tender, "2026-02-01"), today).is_ok());
        assert!(check_stage(&chain, &new(Stage::Contract, "2026-02-01"), today).is_err());
        assert!(check_stage(&chain, &new(Stage::Approval, "2026-02-01"), today).is_err());
        // Not before the last stage's date, not in the future.
        let err = check_stage(&chain, &new(Stage::Tender, "2026-01-04"), today).unwrap_err();
        assert_eq!((err.field, err.reason), ("date", FieldError::OutOfRange));
        let err = check_stage(&chain, &new(Stage::Tender, "2026-07-01"), today).unwrap_err();
        assert_eq!(err.reason, FieldError::InFuture);
    }

    #[test]
    fn building_progress_moves_forward_and_acceptance_waits_for_a_hundred() {
        let today = d(TODAY);
        let mut chain = vec![
            entry(Stage::Approval, "2026-01-05", EntryStatus::Published, None, None),
            entry(Stage::Tender, "2026-02-05", EntryStatus::Published, None, None),
            entry(Stage::Contract, "2026-03-05", EntryStatus::Published, None, Some(500)),
            entry(
                Stage::Construction,
                "2026-04-05",
                EntryStatus::Submitted,
                Some(40),
                None,
            ),
        ];
        assert_eq!(next_stages(&chain), vec![Stage::Construction]);
        let mut back = new(Stage::Construction, "2026-05-01");
        back.progress_pct = Some(30);
        assert_eq!(check_stage(&chain, &back, today).unwrap_err().field, "progress_pct");
        back.progress_pct = Some(101);
        assert!(check_stage(&chain, &back, today).is_err());
        back.progress_pct = None;
        assert_eq!(
            check_stage(&chain, &back, today).unwrap_err().reason,
            FieldError::Required
        );
        assert!(check_stage(&chain, &new(Stage::Acceptance, "2026-05-01"), today).is_err());
        chain.push(entry(
            Stage::Construction,
            "2026-05-05",
            EntryStatus::Draft,
            Some(100),
            None,
        ));
        assert_eq!(next_stages(&chain), vec![Stage::Acceptance]);
        assert!(check_stage(&chain, &new(Stage::Acceptance, "2026-05-06"), today).is_ok());
    }

    #[test]
    fn amounts_and_progress_belong_to_their_stages() {
        let today = d(TODAY);
        let chain = vec![
            entry(Stage::Approval, "2026-01-05", EntryStatus::Published, None, None),
            entry(Stage::Tender, "2026-02-05", EntryStatus::Published, None, None),
        ];
        let mut c = new(Stage::Contract, "2026-03-01");
        c.amount_fen = None;
        assert_eq!(check_stage(&chain, &c, today).unwrap_err().field, "amount_fen");
        c.amount_fen = Some(0);
        assert_eq!(
            check_stage(&chain, &c, today).unwrap_err().reason,
            FieldError::OutOfRange
        );
        c.amount_fen = Some(100);
        c.progress_pct = Some(5);
        assert_eq!(check_stage(&chain, &c, today).unwrap_err().field, "progress_pct");
        let mut a = new(Stage::Approval, "2026-01-01");
        a.amount_fen = Some(5);
        assert_eq!(check_stage(&[], &a, today).unwrap_err().field, "amount_fen");
    }

    #[test]
    fn a_withdrawn_stage_can_be_recorded_again() {
        let mut gone = entry(Stage::Approval, "2026-01-05", EntryStatus::Published, None, None);
        gone.withdrawn = Some(crate::catalogue::Tombstone {
            reason: "r".into(),
            by: "b".into(),
            at: Timestamp(0),
        });
        assert_eq!(next_stages(&[gone]), vec![Stage::Approval]);
    }

    fn paid(fen: i64, published: bool) -> Payment {
        Payment {
            line: fresh(),
            month: Month { year: 2026, month: 4 },
            date: d("2026-04-02"),
            amount_fen: fen,
            category: "工程款".into(),
            counterparty: "某公司".into(),
            invoice_no: None,
            published,
        }
    }

    #[test]
    fn money_counts_published_lines_and_flags_paying_beyond_the_contract() {
        let mut chain = vec![
            entry(Stage::Approval, "2026-01-05", EntryStatus::Published, None, None),
            entry(Stage::Tender, "2026-02-05", EntryStatus::Published, None, None),
            entry(Stage::Contract, "2026-03-05", EntryStatus::Published, None, Some(1000)),
            entry(
                Stage::Construction,
                "2026-04-05",
                EntryStatus::Published,
                Some(40),
                None,
            ),
            entry(
                Stage::Construction,
                "2026-05-05",
                EntryStatus::Submitted,
                Some(80),
                None,
            ),
        ];
        let (stage, progress, money) = summarize(ProjectKind::Works, &chain, &[paid(600, true), paid(900, false)]);
        assert_eq!((stage, progress), (Some(Stage::Construction), Some(40)));
        assert_eq!(
            (money.contract_fen, money.paid_fen, money.over_contract),
            (Some(1000), 600, false)
        );
        let (_, _, money) = summarize(ProjectKind::Works, &chain, &[paid(600, true), paid(900, true)]);
        assert!(money.over_contract);
        // A disposal brings money in: more than the contract is no fault.
        let (_, _, money) = summarize(ProjectKind::Disposal, &chain, &[paid(600, true), paid(900, true)]);
        assert!(!money.over_contract);
        // A corrected contract counts with its published correction's amount.
        let fix = fresh();
        chain[2].corrected_by = Some(fix);
        let mut correction = entry(Stage::Contract, "2026-03-05", EntryStatus::Published, None, Some(2000));
        correction.id = fix;
        correction.corrects = Some(chain[2].id);
        chain.push(correction);
        let (_, _, money) = summarize(ProjectKind::Works, &chain, &[paid(600, true), paid(900, true)]);
        assert_eq!((money.contract_fen, money.over_contract), (Some(2000), false));
    }
}

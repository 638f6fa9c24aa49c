//! Two projects of 上坪村 in different stages: a street-lighting works under construction
//! (approved, tendered, contracted, 40% then 80% built, paid through the ledger's repair
//! lines, with the lighting plan's photo) and a fishpond lease (a disposal) approved and
//! waiting for the township to publish its public bidding.

use anyhow::Context;
use chrono::{Duration, Utc};
use sunlight_api::{
    RegionCode,
    ledger::Kind,
    project::{ProjectKind, Stage, StageFacts, stage_title},
};
use uuid::Uuid;

use super::pictures;
use crate::{
    db::{
        Db,
        attachments::Owner,
        projects::{NewProjectRow, NewStageRow},
    },
    storage::Storage,
};

const VILLAGE: &str = "359901101201";

struct Step {
    stage: Stage,
    days_ago: i64,
    note: &'static str,
    progress_pct: Option<u8>,
    amount_fen: Option<i64>,
    photo: bool,
    publish: bool,
}

pub(super) async fn load(db: &Db, storage: &Storage) -> anyhow::Result<()> {
    let village = RegionCode::parse(VILLAGE)?;
    if !db.projects_of(&village).await?.is_empty() {
        return Ok(());
    }
    let accountant = db.user_id_by_mobile("13800000002").await?.context("demo accountant")?;
    let reviewer = db.user_id_by_mobile("13800000004").await?.context("demo reviewer")?;
    let now = Utc::now();
    let lights = db
        .insert_project(NewProjectRow {
            village: &village,
            kind: ProjectKind::Works,
            title: "村道路灯安装工程",
            description: "在村主干道和上坪至下坪路段安装太阳能路灯 48 盏。经村民代表会议表决通过，资金来源为乡村振兴专项资金和村集体收入。",
            budget_fen: 30_000_000,
            by: accountant,
            at: now - Duration::days(200),
        })
        .await?;
    let steps = [
        Step {
            stage: Stage::Approval,
            days_ago: 190,
            note: "村民代表会议应到 31 人、实到 28 人，27 人同意，通过立项；预算 30 万元。",
            progress_pct: None,
            amount_fen: None,
            photo: false,
            publish: true,
        },
        Step {
            stage: Stage::Tender,
            days_ago: 160,
            note: "在县公共资源交易中心公开招标，3 家投标，清水建筑队以 26.8 万元中标。",
            progress_pct: None,
            amount_fen: None,
            photo: false,
            publish: true,
        },
        Step {
            stage: Stage::Contract,
            days_ago: 150,
            note: "与清水建筑队签订施工合同，工期 120 天，质保 3 年。",
            progress_pct: None,
            amount_fen: Some(26_800_000),
            photo: false,
            publish: true,
        },
        Step {
            stage: Stage::Construction,
            days_ago: 100,
            note: "主干道 20 盏已安装，灯杆基础全部完成。",
            progress_pct: Some(40),
            amount_fen: None,
            photo: true,
            publish: true,
        },
        Step {
            stage: Stage::Construction,
            days_ago: 40,
            note: "已安装 38 盏，上坪至下坪路段剩余 10 盏。",
            progress_pct: Some(80),
            amount_fen: None,
            photo: false,
            publish: true,
        },
    ];
    record(
        db,
        storage,
        &village,
        lights,
        "村道路灯安装工程",
        ProjectKind::Works,
        &steps,
        accountant,
        reviewer,
    )
    .await?;
    // The repairs the builder was paid for in the last months' accounts.
    for back in 1..=6u32 {
        let month = crate::demands::china_date(now).month().minus(back);
        let Some(record) = db.ledger_month(&village, month).await? else {
            continue;
        };
        for (_, line) in db.month_lines(record.id).await? {
            if line.kind == Kind::Expense && line.counterparty == "清水建筑队" {
                db.link_payment(lights, line.id, accountant).await?;
            }
        }
    }
    let pond = db
        .insert_project(NewProjectRow {
            village: &village,
            kind: ProjectKind::Disposal,
            title: "村集体鱼塘承包经营权公开发包",
            description: "村集体所有的 12 亩鱼塘，承包期 5 年，底价每年 1.2 万元，公开竞价发包。",
            budget_fen: 1_200_000,
            by: accountant,
            at: now - Duration::days(30),
        })
        .await?;
    let steps = [
        Step {
            stage: Stage::Approval,
            days_ago: 25,
            note: "村民代表会议表决通过发包方案（底价、期限、竞价办法）。",
            progress_pct: None,
            amount_fen: None,
            photo: false,
            publish: true,
        },
        Step {
            stage: Stage::Tender,
            days_ago: 3,
            note: "公开竞价会：5 人报名，最高出价每年 1.56 万元。",
            progress_pct: None,
            amount_fen: None,
            photo: false,
            publish: false,
        },
    ];
    record(
        db,
        storage,
        &village,
        pond,
        "村集体鱼塘承包经营权公开发包",
        ProjectKind::Disposal,
        &steps,
        accountant,
        reviewer,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn record(
    db: &Db,
    storage: &Storage,
    village: &RegionCode,
    project: Uuid,
    title: &str,
    kind: ProjectKind,
    steps: &[Step],
    accountant: Uuid,
    reviewer: Uuid,
) -> anyhow::Result<()> {
    let now = Utc::now();
    for s in steps {
        let at = now - Duration::days(s.days_ago);
        let facts = StageFacts {
            project,
            stage: s.stage,
            progress_pct: s.progress_pct,
            amount_fen: s.amount_fen,
        };
        let id = db
            .insert_stage(NewStageRow {
                village,
                label: s.stage.label(kind),
                date: &crate::demands::china_date(at).to_string(),
                title: &stage_title(title, kind, s.stage),
                note: s.note,
                facts: &facts,
                by: accountant,
                at,
            })
            .await?;
        if s.photo {
            crate::http::files::store_upload(
                db,
                storage,
                pictures::lighting_plan().into(),
                Owner::Disclosure(id),
                accountant,
            )
            .await
            .map_err(|e| anyhow::anyhow!("demo stage photo: {e}"))?;
        }
        db.submit_disclosure(id, at + Duration::hours(2)).await?;
        if s.publish {
            db.review_disclosure(id, true, None, reviewer, at + Duration::days(1))
                .await?;
        }
    }
    Ok(())
}

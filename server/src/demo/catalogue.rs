//! A year of catalogue entries for every demo village: most published by their deadline,
//! some late, some never (so that completeness shows red, yellow and green villages), and a
//! few per-event entries (a villagers' meeting, a relief payment).

use anyhow::Context;
use chrono::{TimeZone, Utc};
use sunlight_api::{
    RegionCode,
    catalogue::{Frequency, LEDGER_ITEM, Period, default_items},
    date::Date,
};

use super::{Lcg, REGIONS, REVIEWERS};
use crate::db::{Db, catalogue::NewEntryRow};

/// What an entry of an item says, as a village would write it.
fn body(key: &str, label: &str) -> String {
    let text = match key {
        "party-dues" => "本季度应缴党费 1,860.00 元，实缴 1,860.00 元，全部上缴镇党委；无支出。",
        "party-meetings" => "召开支部委员会 3 次、党员大会 1 次、党小组会 6 次，上党课 1 次（主题：基层监督）。",
        "party-admission" => "本季度确定入党积极分子 1 名，无新发展党员。",
        "village-assistance" => "本季度低保对象 12 户 19 人，发放低保金 31,540.00 元；特困供养 2 人。名单见附件。",
        "village-homesteads" => "本季度受理宅基地申请 2 宗，经村民代表会议讨论通过 1 宗，报镇审批。",
        "village-farm-subsidies" => "本季度发放耕地地力保护补贴 86 户，合计 42,310.00 元，已直接打入一卡通。",
        "village-projects" => "村道硬化工程完成 80%，已付工程款 24 万元；村部屋顶修缮已验收。",
        "finance-debts" => "期末应收款 3.2 万元，应付款 1.5 万元，无新增借款。",
        "finance-transfers" => "本季度收到村级组织运转经费 5 万元、乡村振兴专项资金 20 万元，专款专用。",
        "finance-hospitality" => "本季度无招待费支出；差旅费 1,240.00 元（赴县培训 2 人次）。",
        _ => "详见公开栏张贴内容及附件。",
    };
    format!("{label}：{text}")
}

/// Loads the entries of every demo village that has none yet.
pub(super) async fn load(db: &Db) -> anyhow::Result<()> {
    let accountant = db.user_id_by_mobile("13800000002").await?.context("demo accountant")?;
    let now = Utc::now();
    let today = crate::demands::china_date(now);
    let items = default_items();
    for (i, (code, _)) in REGIONS.iter().enumerate() {
        let village = RegionCode::parse(code)?;
        if village.level() != sunlight_api::RegionLevel::Village || db.has_disclosures(&village).await? {
            continue;
        }
        let town = village.parent().context("village parent")?;
        let mobile = REVIEWERS
            .iter()
            .find(|(t, _, _)| *t == town.as_str())
            .context("demo reviewer")?
            .1;
        let reviewer = db.user_id_by_mobile(mobile).await?.context("demo reviewer account")?;
        let mut rng = Lcg(0xd15c ^ ((i as u64) << 16));
        // Some villages keep up, some slip: the share of periods left unpublished and
        // published late differs by village.
        let (missing_in, late_in) = match i % 4 {
            0 => (0, 0),
            1 => (0, 6),
            2 => (9, 5),
            _ => (14, 4),
        };
        for year in [today.year - 1, today.year] {
            for item in items
                .iter()
                .filter(|it| it.key != LEDGER_ITEM && it.frequency != Frequency::Event)
            {
                for period in Period::of_year(item.frequency, year) {
                    if period.last_day() >= today {
                        continue;
                    }
                    let due = period.due(item.deadline);
                    let roll = rng.next() % 100;
                    // 上坪村, the demo's own village, keeps everything on time except its
                    // last quarter's hospitality spending, which is late.
                    let late = if i == 7 {
                        item.key == "finance-hospitality" && period == Period::Quarter(today.year, 3)
                    } else {
                        roll >= missing_in && roll < missing_in + late_in
                    };
                    if i != 7 && roll < missing_in {
                        continue;
                    }
                    let day = if late {
                        add_days(due, 3 + (rng.next() % 20) as u32)
                    } else {
                        sub_days(due, 1 + (rng.next() % 6) as u32).max(period.last_day().next())
                    };
                    let Some(published) = noon(day).filter(|p| *p < now) else {
                        continue;
                    };
                    let created = published - chrono::Duration::days(2);
                    let label = period.label();
                    db.insert_published_disclosure(
                        NewEntryRow {
                            village: &village,
                            item,
                            period: &period.to_string(),
                            title: &format!("{label}{}", item.title),
                            body: &body(&item.key, &label),
                            by: accountant,
                        },
                        created,
                        published,
                        reviewer,
                    )
                    .await?;
                }
            }
        }
        // 上坪村 corrected its first quarter's assistance list: a new version beside the old.
        if i == 7
            && let Some(first) = db
                .disclosures_of(&village, today.year, false)
                .await?
                .into_iter()
                .find(|e| e.item == "village-assistance" && e.period == format!("{}-Q1", today.year))
        {
            let fixed = db
                .insert_correction(
                    &first,
                    Frequency::Quarterly,
                    crate::db::catalogue::NewVersion {
                        title: &format!("{}（更正）", first.title),
                        body: &format!(
                            "{}（其中 1 户 2 人于 3 月退出低保，金额相应核减为 30,280.00 元。）",
                            first.body
                        ),
                        reason: "漏报 1 户退出低保，金额更正",
                        facts: None,
                    },
                    accountant,
                )
                .await?
                .context("the demo correction")?;
            anyhow::ensure!(db.submit_disclosure(fixed, now).await?, "demo correction submitted");
            anyhow::ensure!(
                db.review_disclosure(fixed, true, None, reviewer, now).await?,
                "demo correction published"
            );
        }
        // A villagers' representatives' meeting in March and a relief payment after the
        // summer's floods, each posted within days.
        for (key, month, day, text) in [
            (
                "village-resolutions",
                3,
                12,
                "村民代表会议表决通过村道硬化工程方案，应到 35 人，实到 31 人，同意 29 人。",
            ),
            (
                "village-relief",
                7,
                20,
                "7 月洪灾救灾款 2.4 万元，发放受灾农户 16 户，名单张贴于村务公开栏。",
            ),
        ] {
            let date = Date {
                year: today.year,
                month,
                day,
            };
            let Some(item) = items.iter().find(|it| it.key == key) else {
                continue;
            };
            let Some(published) = noon(add_days(date, 3)).filter(|p| *p < now) else {
                continue;
            };
            let period = Period::Event(date);
            db.insert_published_disclosure(
                NewEntryRow {
                    village: &village,
                    item,
                    period: &period.to_string(),
                    title: &format!("{}{}", period.label(), item.title),
                    body: text,
                    by: accountant,
                },
                published - chrono::Duration::days(1),
                published,
                reviewer,
            )
            .await?;
        }
    }
    Ok(())
}

fn add_days(d: Date, n: u32) -> Date {
    (0..n).fold(d, |d, _| d.next())
}

fn sub_days(d: Date, n: u32) -> Date {
    let mut out = d;
    for _ in 0..n {
        out = if out.day > 1 {
            Date {
                day: out.day - 1,
                ..out
            }
        } else {
            out.month().minus(1).last_day()
        };
    }
    out
}

/// Noon in China of a day, as an instant.
fn noon(d: Date) -> Option<chrono::DateTime<Utc>> {
    Utc.with_ymd_and_hms(d.year, d.month, d.day, 4, 0, 0).single()
}

//! Demo data: a fictional city with two counties, four townships, fourteen villages, their
//! households, and one account per role. Loading twice changes nothing.
//!
//! Every demo account's password is [`DEMO_PASSWORD`]; the README lists the accounts.

use anyhow::Context;
use sunlight_api::{
    Password, RegionCode, Role,
    date::{Date, Month},
};

use crate::{
    auth,
    db::{Db, accounts::NewUser, attachments::Owner, households::NewHousehold},
    storage::{Staged, Storage},
};

mod catalogue;
pub mod demands;
mod pictures;
mod projects;

pub const DEMO_PASSWORD: &str = "Sunlight2026";

/// (code, name) from the top down; parents come before children.
const REGIONS: &[(&str, &str)] = &[
    ("359900000000", "云溪市"),
    ("359901000000", "清水县"),
    ("359902000000", "石门县"),
    ("359901101000", "桃源镇"),
    ("359901102000", "白沙镇"),
    ("359902101000", "龙潭乡"),
    ("359902102000", "柳溪镇"),
    ("359901101201", "上坪村"),
    ("359901101202", "下坪村"),
    ("359901101203", "枫林村"),
    ("359901101204", "竹园村"),
    ("359901102201", "沙洲村"),
    ("359901102202", "河口村"),
    ("359901102203", "梅岭村"),
    ("359902101201", "龙井村"),
    ("359902101202", "石桥村"),
    ("359902101203", "茶山村"),
    ("359902102201", "柳岸村"),
    ("359902102202", "杏花村"),
    ("359902102203", "青石村"),
    ("359902102204", "溪口村"),
];

const SURNAMES: &[&str] = &["张", "王", "李", "陈", "林", "黄", "吴", "刘", "郑", "周", "许", "蔡"];
const GIVEN: &[&str] = &[
    "秀英", "建国", "春梅", "志强", "桂兰", "海生", "玉珍", "明辉", "丽华", "国庆", "淑芬", "文斌",
];

/// The demo accounts: (mobile, name, role, region, household number for villagers).
pub const ACCOUNTS: &[(&str, &str, Role, &str, Option<&str>)] = &[
    ("13800000001", "张秀英", Role::Villager, "359901101201", Some("001")),
    ("13800000002", "林会计", Role::Accountant, "359901101201", None),
    ("13800000003", "陈书记", Role::Cadre, "359901101201", None),
    ("13800000003", "陈书记", Role::Villager, "359901101201", Some("002")),
    ("13800000004", "黄审核", Role::Reviewer, "359901101000", None),
    ("13800000005", "吴办事", Role::Handler, "359901101000", None),
    ("13800000006", "郑纪检", Role::Inspector, "359901101000", None),
    ("13800000007", "周纪检", Role::Inspector, "359901000000", None),
    ("13800000009", "刘管理", Role::Admin, "359900000000", None),
];

/// Everything the demo shows: [`load`], and a year of catalogue entries and of demands
/// across the city (the API tests load without them, so that each starts from none).
pub async fn load_all(db: &Db, storage: &Storage) -> anyhow::Result<()> {
    load(db, storage).await?;
    catalogue::load(db).await.context("demo disclosures")?;
    projects::load(db, storage).await.context("demo projects")?;
    demo_demands(db).await?;
    demo_group(db).await.context("demo oversight group")
}

pub async fn load(db: &Db, storage: &Storage) -> anyhow::Result<()> {
    for (code, name) in REGIONS {
        db.upsert_region(&RegionCode::parse(code)?, name)
            .await
            .context("demo regions")?;
    }
    for (v, (code, _)) in REGIONS.iter().enumerate() {
        let code = RegionCode::parse(code)?;
        if code.level() != sunlight_api::RegionLevel::Village {
            continue;
        }
        let batch: Vec<NewHousehold> = (0..12)
            .map(|i| NewHousehold {
                number: format!("{:03}", i + 1),
                head_name: format!(
                    "{}{}",
                    SURNAMES[(i + v) % SURNAMES.len()],
                    GIVEN[(i * 5 + v) % GIVEN.len()]
                ),
            })
            .collect();
        if db.count_households(&code).await? == 0 {
            db.create_households(&code, &batch)
                .await
                .map_err(|_| anyhow::anyhow!("demo households of {code} could not be created"))?;
        }
    }
    let hash = auth::hash_password(&Password::parse(DEMO_PASSWORD)?).await?;
    for (mobile, name, role, region, household) in ACCOUNTS {
        let region = RegionCode::parse(region)?;
        let user = match db.user_id_by_mobile(mobile).await? {
            Some(id) => id,
            None => {
                let new = NewUser {
                    name,
                    mobile,
                    password_hash: &hash,
                };
                db.create_user(new)
                    .await
                    .map_err(|e| anyhow::anyhow!("demo account {mobile}: {e:?}"))?
            }
        };
        let household = match household {
            Some(n) => Some(db.household_by_number(&region, n).await?.context("demo household")?.id),
            None => None,
        };
        db.grant(user, *role, &region, household).await?;
    }
    demo_ledgers(db, storage).await?;
    demo_poll(db, storage).await?;
    tracing::info!("demo data loaded");
    Ok(())
}

/// A small deterministic generator, so the demo looks the same on every machine.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    /// A whole number of yuan in `lo..hi`, with some odd fen now and then, as fen.
    fn fen(&mut self, lo: i64, hi: i64) -> i64 {
        let yuan = lo + (self.next() as i64 % (hi - lo));
        yuan * 100
            + if self.next().is_multiple_of(3) {
                (self.next() % 100) as i64
            } else {
                0
            }
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() as usize % items.len()]
    }
}

/// The township of each demo township code: its reviewer account.
const REVIEWERS: &[(&str, &str, &str)] = &[
    ("359901101000", "13800000004", "黄审核"),
    ("359901102000", "13800000014", "蔡审核"),
    ("359902101000", "13800000015", "许审核"),
    ("359902102000", "13800000016", "郑审核"),
];

/// Twelve published months for every demo village, ending with last month, so that the
/// disclosures have something real-looking to show. This month stays open for entry.
/// A demo picture through the upload pipeline, its files staged to be published with its row.
async fn picture(storage: &Storage, bytes: Vec<u8>) -> anyhow::Result<(sunlight_api::ledger::Attachment, Staged)> {
    crate::http::files::stage_upload(storage, bytes.into())
        .await
        .map_err(|e| anyhow::anyhow!("demo picture: {e}"))
}

async fn demo_ledgers(db: &Db, storage: &Storage) -> anyhow::Result<()> {
    use chrono::{Datelike, TimeZone};
    use sunlight_api::ledger::Kind;

    use crate::db::ledger::LineFields;

    let hash = auth::hash_password(&Password::parse(DEMO_PASSWORD)?).await?;
    let mut reviewers = Vec::new();
    for (town, mobile, name) in REVIEWERS {
        let id = match db.user_id_by_mobile(mobile).await? {
            Some(id) => id,
            None => db
                .create_user(NewUser {
                    name,
                    mobile,
                    password_hash: &hash,
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        };
        db.grant(id, Role::Reviewer, &RegionCode::parse(town)?, None).await?;
        reviewers.push((town.to_string(), id));
    }
    let accountant = db.user_id_by_mobile("13800000002").await?.context("demo accountant")?;
    let now = chrono::Utc::now() + chrono::Duration::hours(8);
    let this = Month {
        year: now.year(),
        month: now.month(),
    };
    for (i, (code, _)) in REGIONS.iter().enumerate() {
        let village = RegionCode::parse(code)?;
        if village.level() != sunlight_api::RegionLevel::Village || db.has_ledger(&village).await? {
            continue;
        }
        let town = village.parent().context("village parent")?;
        let reviewer = reviewers
            .iter()
            .find(|(t, _)| *t == town.as_str())
            .context("demo reviewer")?
            .1;
        let mut rng = Lcg(0x5eed ^ (i as u64) << 20);
        // As the households above are named: 张秀英's household, whose 我的补助 has lines.
        let head_001 = format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[i % GIVEN.len()]);
        for back in (1..=12).rev() {
            let total = this.year * 12 + this.month as i32 - 1 - back;
            let month = Month {
                year: total / 12,
                month: (total % 12) as u32 + 1,
            };
            let day = |rng: &mut Lcg| Date {
                year: month.year,
                month: month.month,
                day: 1 + (rng.next() % 27) as u32,
            };
            let mut lines = Vec::new();
            let mut line =
                |rng: &mut Lcg, kind: Kind, fen: i64, category: &str, who: &str, person: bool, note: Option<&str>| {
                    let invoice_no = (kind == Kind::Expense).then(|| format!("3599{:08}", rng.next() % 100_000_000));
                    lines.push(LineFields {
                        date: day(rng),
                        kind,
                        amount_fen: fen,
                        category: category.to_owned(),
                        counterparty: who.to_owned(),
                        counterparty_is_person: person,
                        invoice_no,
                        note: note.map(str::to_owned),
                    });
                };
            if month.month % 3 == 1 {
                let fen = rng.fen(30_000, 80_000);
                line(
                    &mut rng,
                    Kind::Income,
                    fen,
                    "上级拨款",
                    "镇财政所",
                    false,
                    Some("村级组织运转经费"),
                );
            }
            let fen = rng.fen(800, 3_000);
            line(
                &mut rng,
                Kind::Income,
                fen,
                "租赁收入",
                "陈国强",
                true,
                Some("鱼塘承包费"),
            );
            let fen = rng.fen(150, 1_200);
            let shop = rng.pick(&["云溪文具店", "惠民办公用品店", "清水百货"]);
            line(&mut rng, Kind::Expense, fen, "办公费", shop, false, None);
            let fen = rng.fen(300, 900);
            line(
                &mut rng,
                Kind::Expense,
                fen,
                "水电费",
                "国网云溪供电公司",
                false,
                Some("村部及路灯电费"),
            );
            let fen = rng.fen(1_500, 2_500);
            let who = rng.pick(&["林桂兰", "吴海生"]);
            line(
                &mut rng,
                Kind::Expense,
                fen,
                "劳务费",
                who,
                true,
                Some("保洁员工资（村道保洁）"),
            );
            if rng.next().is_multiple_of(2) {
                let fen = rng.fen(300, 800);
                let who = rng.pick(&["王春梅", "李志强", "张明辉"]);
                line(
                    &mut rng,
                    Kind::Expense,
                    fen,
                    "补贴发放",
                    who,
                    true,
                    Some("困难群众临时救助"),
                );
            }
            if rng.next().is_multiple_of(3) {
                let fen = rng.fen(2_000, 20_000);
                let what = rng.pick(&["村道坑洼修补", "水渠清淤", "路灯更换", "村部屋顶防水"]);
                line(&mut rng, Kind::Expense, fen, "维修费", "清水建筑队", false, Some(what));
            }
            if rng.next().is_multiple_of(4) {
                let fen = rng.fen(200, 600);
                line(
                    &mut rng,
                    Kind::Expense,
                    fen,
                    "会议费",
                    "村民代表会议",
                    false,
                    Some("茶水及资料印制"),
                );
            }
            // Every third month, household 001's head is paid an old-age allowance (from
            // a generator of its own, so that the month's other lines stay as they were).
            if back % 3 == 0 {
                line(
                    &mut Lcg(back as u64),
                    Kind::Expense,
                    30_000,
                    "补贴发放",
                    &head_001,
                    true,
                    Some("高龄津贴（按季发放）"),
                );
            }
            let published = chrono::Utc
                .with_ymd_and_hms(
                    month.year + i32::from(month.month == 12),
                    month.month % 12 + 1,
                    5,
                    2,
                    0,
                    0,
                )
                .single()
                .context("publication time")?
                // Last month's review, on the first days of this month, has just happened:
                // never a seal dated in the future.
                .min(chrono::Utc::now() - chrono::Duration::minutes(1));
            let ids = db
                .insert_published_month(
                    &village,
                    month,
                    &lines,
                    crate::db::ledger::PastReview {
                        accountant,
                        reviewer,
                        at: published,
                        no_invoice_reason: "纸质发票存村委会档案，可预约查阅",
                    },
                )
                .await?;
            // 上坪村's last three months carry the photos of their invoices, as a village
            // running Sunlight would have them; older months were sealed with the paper
            // invoices kept in the village office, and say so.
            if *code == "359901101201" && back <= 3 {
                for (n, (id, l)) in ids.iter().zip(&lines).enumerate() {
                    if l.kind != Kind::Expense {
                        continue;
                    }
                    let (a, staged) = picture(storage, pictures::invoice(back as usize + n)).await?;
                    let publish = staged.clone();
                    let saved =
                        db.attach_archived_invoice(*id, &a, accountant, || async move {
                            Ok(storage.publish(&publish).await?)
                        })
                        .await;
                    if let Err(e) = saved {
                        storage.discard(&staged).await;
                        return Err(e);
                    }
                }
            }
            if *code == "359901101201" && back == 3 {
                demo_correction(db, &village, month, accountant, reviewer).await?;
            }
        }
    }
    Ok(())
}

/// A published correction of 上坪村's month three back: an electricity bill that arrived
/// after the month was published, entered, sealed and published beside it.
async fn demo_correction(
    db: &Db,
    village: &RegionCode,
    month: Month,
    accountant: uuid::Uuid,
    reviewer: uuid::Uuid,
) -> anyhow::Result<()> {
    use sunlight_api::ledger::Kind;

    use crate::db::ledger::LineFields;

    let record = db.ledger_month(village, month).await?.context("demo month")?;
    let id = db
        .open_correction(record.id, "电费单在本月账目公开后才送到，补记", accountant)
        .await?
        .map_err(|e| anyhow::anyhow!("demo correction: {e:?}"))?;
    let line = LineFields {
        date: Date {
            year: month.year,
            month: month.month,
            day: 28,
        },
        kind: Kind::Expense,
        amount_fen: 18_640,
        category: "水电费".into(),
        counterparty: "国网云溪供电公司".into(),
        counterparty_is_person: false,
        invoice_no: Some("359900871234".into()),
        note: Some("村部及路灯电费（补记）".into()),
    };
    let ids = db
        .insert_ledger_lines(record.id, Some(id), &[line], accountant)
        .await?
        .context("the correction is open")?;
    db.submit_correction(id).await?;
    db.review_ledger_line(ids[0], true, Some("电费单由供电公司统一开具，已核对缴费记录"), reviewer)
        .await?;
    anyhow::ensure!(db.publish_correction(id, reviewer).await?, "demo correction published");
    Ok(())
}

/// One open poll in 上坪村, one vote per household, that villagers may change.
async fn demo_poll(db: &Db, storage: &Storage) -> anyhow::Result<()> {
    use crate::db::polls::PollSpec;
    use sunlight_api::poll::{Per, QuestionKind};

    let village = RegionCode::parse("359901101201")?;
    if !db.polls_for(&village).await?.is_empty() {
        return Ok(());
    }
    let cadre = db.user_id_by_mobile("13800000003").await?.context("demo cadre")?;
    let now = chrono::Utc::now();
    let spec = PollSpec {
        title: "村部门前路灯改造方案".into(),
        villages: vec![village.clone()],
        per: Per::Household,
        opens_at: now - chrono::Duration::days(1),
        closes_at: now + chrono::Duration::days(14),
        live_results: true,
        allow_change: true,
        questions: vec![(
            QuestionKind::Single,
            "您家同意按公示的方案更换路灯吗？".into(),
            1,
            vec!["同意".into(), "不同意".into(), "弃权".into()],
        )],
    };
    let poll = db.create_poll(&village, &spec, cadre).await?;
    // The plan the question speaks of, attached before anyone votes.
    crate::http::files::store_upload(db, storage, pictures::lighting_plan().into(), Owner::Poll(poll), cadre)
        .await
        .map_err(|e| anyhow::anyhow!("demo poll plan: {e}"))?;
    Ok(())
}

/// 下坪村's financial oversight group (民主理财小组): one of its villagers, who signed its
/// latest published month (agreeing) before the township published it.
async fn demo_group(db: &Db) -> anyhow::Result<()> {
    let village = RegionCode::parse("359901101202")?;
    let index = REGIONS
        .iter()
        .position(|(c, _)| *c == village.as_str())
        .context("demo village")?;
    let member = db
        .user_id_by_mobile(&format!("1380010{index:04}"))
        .await?
        .context("demo villager of 下坪村")?;
    let cadre = db.user_id_by_mobile("13800000003").await?.context("demo cadre")?;
    if !db.appoint(&village, member, cadre).await? {
        return Ok(());
    }
    let last = chrono::Utc::now() - chrono::Duration::days(31);
    let month = crate::demands::china_date(last).month();
    if let Some(record) = db.ledger_month(&village, month).await?
        && let Some(published) = record.published_at
    {
        db.record_past_signature(
            record.id,
            member,
            "凭证已逐笔核对，同意公开。",
            published - chrono::Duration::days(1),
        )
        .await?;
    }
    Ok(())
}

/// A year of demands across the demo city, so that the dashboards show something real; and
/// for the demo villager 张秀英, one demand still open, one closed waiting for her rating, and
/// one the clock sent up to the township when the village let it run late.
async fn demo_demands(db: &Db) -> anyhow::Result<()> {
    use chrono::{Duration, TimeZone};
    use sunlight_api::demand::{DemandClass, DemandState, EventKind};

    use crate::db::demands::{DemandRecord, HistoryRow, NewEvent};

    if db.count_demands().await? > 0 {
        return Ok(());
    }
    let hash = auth::hash_password(&Password::parse(DEMO_PASSWORD)?).await?;
    let now = crate::db::now();
    let zhang = db.user_id_by_mobile("13800000001").await?.context("demo villager")?;
    let mut villages = Vec::new();
    for (i, (code, _)) in REGIONS.iter().enumerate() {
        let code = RegionCode::parse(code)?;
        if code.level() != sunlight_api::RegionLevel::Village {
            continue;
        }
        let mobile = format!("1380010{:04}", i);
        let user = match db.user_id_by_mobile(&mobile).await? {
            Some(id) => id,
            None => db
                .create_user(NewUser {
                    name: &format!("{}{}", SURNAMES[i % SURNAMES.len()], GIVEN[(i * 7) % GIVEN.len()]),
                    mobile: &mobile,
                    password_hash: &hash,
                })
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        };
        let household = db
            .household_by_number(&code, "003")
            .await?
            .context("demo household 003")?
            .id;
        db.grant(user, Role::Villager, &code, Some(household)).await?;
        let mut filers = vec![user];
        let mut cadre = format!("{}书记", SURNAMES[(i + 3) % SURNAMES.len()]);
        if code.as_str() == "359901101201" {
            filers.push(zhang);
            cadre = "陈书记".into();
        }
        villages.push(demands::Village { code, filers, cadre });
    }
    // From the first working week of 2026 (the calendar's first year), at most a year back.
    let start = chrono::Utc
        .with_ymd_and_hms(2026, 1, 5, 0, 0, 0)
        .single()
        .context("a date")?;
    let from = start.max(now - Duration::days(365));
    let mut rows = demands::generate(&villages, 8, from, now, 2026);
    // Two of her own, in 上坪村: one waiting to be taken, one closed and not yet rated.
    let village = RegionCode::parse("359901101201")?;
    for (ago, closed) in [(Duration::hours(20), false), (Duration::days(3), true)] {
        let filed = now - ago;
        let id = uuid::Uuid::new_v4();
        let text = if closed {
            "村小学门口的减速带坏了，车开得很快"
        } else {
            "三组的自来水这两天很浑，烧开了也有沉淀"
        };
        let d = DemandRecord {
            id,
            number: crate::http::demand_number(id, filed),
            village: village.clone(),
            holder: village.clone(),
            class: DemandClass::Service,
            subcategory: if closed { "道路交通" } else { "水电气" }.into(),
            text: text.into(),
            public: true,
            state: if closed {
                DemandState::Closed
            } else {
                DemandState::Filed
            },
            filer: zhang,
            filed_at: filed,
            held_since: filed,
            due_at: if closed {
                None
            } else {
                crate::demands::deadline(
                    &sunlight_api::workdays::Calendar::china(),
                    &Default::default(),
                    &village,
                    filed,
                )
            },
            late_since: None,
            overdue: false,
            reopened: false,
            closed_at: closed.then(|| filed + Duration::hours(30)),
            merged_into: None,
            version: 0,
            followers: 1,
        };
        let ev = |at, kind, by: Option<&str>, note: Option<&str>| NewEvent {
            at,
            kind,
            actor: None,
            actor_label: by.map(str::to_owned),
            holder: village.clone(),
            note: note.map(str::to_owned),
            rating: None,
            other: None,
        };
        let mut events = vec![ev(filed, EventKind::Filed, None, None)];
        if closed {
            events.push(ev(
                filed + Duration::hours(2),
                EventKind::Accepted,
                Some("陈书记"),
                None,
            ));
            events.push(ev(
                filed + Duration::hours(30),
                EventKind::Closed,
                Some("陈书记"),
                Some("已请施工队换了新的减速带"),
            ));
        }
        rows.push(HistoryRow {
            demand: d,
            events,
            ratings: Vec::new(),
        });
    }
    // And one of hers the village took and then let run late: the clock has sent it to the
    // township, whose inspectors see it overdue (whatever the generator drew around it).
    let calendar = sunlight_api::workdays::Calendar::china();
    let limits = sunlight_api::demand::Limits::default();
    let filed = now - Duration::days(8);
    let township = RegionCode::parse("359901101000")?;
    if let Some(due) = crate::demands::deadline(&calendar, &limits, &village, filed).filter(|d| *d < now) {
        let id = uuid::Uuid::new_v4();
        let ev = |at, kind, holder: &RegionCode, by: Option<&str>| NewEvent {
            at,
            kind,
            actor: None,
            actor_label: by.map(str::to_owned),
            holder: holder.clone(),
            note: None,
            rating: None,
            other: None,
        };
        rows.push(HistoryRow {
            demand: DemandRecord {
                id,
                number: crate::http::demand_number(id, filed),
                village: village.clone(),
                holder: township.clone(),
                class: DemandClass::Opinion,
                subcategory: "安全隐患".into(),
                text: "后山的挡土墙裂了一道大缝，下雨怕塌".into(),
                public: true,
                state: DemandState::Filed,
                filer: zhang,
                filed_at: filed,
                held_since: due,
                due_at: crate::demands::deadline(&calendar, &limits, &township, due),
                late_since: None,
                overdue: true,
                reopened: false,
                closed_at: None,
                merged_into: None,
                version: 0,
                followers: 1,
            },
            events: vec![
                ev(filed, EventKind::Filed, &village, None),
                ev(
                    filed + Duration::hours(2),
                    EventKind::Accepted,
                    &village,
                    Some("陈书记"),
                ),
                ev(due, EventKind::Overdue, &township, None),
            ],
            ratings: Vec::new(),
        });
    }
    db.insert_demand_history(&rows).await.context("demo demands")?;
    Ok(())
}

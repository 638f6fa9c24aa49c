//! Demo data: a fictional city with two counties, four townships, fourteen villages, their
//! households, and one account per role. Loading twice changes nothing.
//!
//! Every demo account's password is [`DEMO_PASSWORD`]; the README lists the accounts.

use anyhow::Context;
use sunlight_api::{Password, RegionCode, Role};

use crate::{
    auth,
    db::{Db, accounts::NewUser, households::NewHousehold},
};

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

pub async fn load(db: &Db) -> anyhow::Result<()> {
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
    tracing::info!("demo data loaded");
    Ok(())
}

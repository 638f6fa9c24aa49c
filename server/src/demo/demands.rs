//! A year of demands in realistic shapes, for the demo and for the dashboard's benchmark:
//! most taken and closed by the village within days, some sent up, some run late and
//! escalated by the clock, a few reopened, a few still open (some of them overdue), most
//! closed ones rated. Deterministic for a seed.

use chrono::{DateTime, Duration, Utc};
use sunlight_api::{
    RegionCode, RegionLevel,
    demand::{self, DemandClass, DemandState, EventKind, Limits, Satisfaction},
    workdays::Calendar,
};
use uuid::Uuid;

use super::Lcg;
use crate::db::demands::{DemandRecord, HistoryRow, NewEvent};

/// What villagers write, per subcategory.
const TEXTS: &[(DemandClass, &str, &[&str])] = &[
    (
        DemandClass::Service,
        "道路交通",
        &[
            "村口的路灯坏了，晚上看不见路",
            "进村道路有个大坑，下雨积水",
            "桥边护栏松了，孩子上学不安全",
        ],
    ),
    (
        DemandClass::Service,
        "水电气",
        &[
            "这两天自来水水压很低",
            "电线被树枝压着，怕出事",
            "家里电表走得特别快，想请人看看",
        ],
    ),
    (
        DemandClass::Service,
        "环境卫生",
        &["垃圾桶满了好几天没人清", "河道里漂着很多垃圾", "公共厕所太脏了"],
    ),
    (
        DemandClass::Service,
        "医疗社保",
        &["老人的医保卡丢了怎么补办", "养老金这个月没到账", "卫生室周末没人值班"],
    ),
    (
        DemandClass::Service,
        "证照办理",
        &["孩子上户口要开什么证明", "宅基地证办了半年还没下来"],
    ),
    (
        DemandClass::Disclosure,
        "账目疑问",
        &["上个月修路花了多少钱想看看明细", "村里的招待费怎么这么多"],
    ),
    (
        DemandClass::Disclosure,
        "补贴发放",
        &["我家的耕地地力补贴还没发", "低保名单什么时候公示"],
    ),
    (
        DemandClass::Disclosure,
        "项目进度",
        &["村部门前的工程停工一个月了", "自来水改造项目什么时候完工"],
    ),
    (DemandClass::Disclosure, "公示不及时", &["公开栏上还是三个月前的账"]),
    (
        DemandClass::Opinion,
        "安全隐患",
        &["后山有块石头松动，怕滚下来", "老房子墙裂了，怕倒"],
    ),
    (
        DemandClass::Opinion,
        "邻里纠纷",
        &["邻居盖房占了我家的路", "两家为排水沟吵起来了，请村里调解"],
    ),
    (
        DemandClass::Education,
        "政策咨询",
        &["危房改造补助怎么申请", "想了解新农合缴费标准"],
    ),
    (DemandClass::Education, "法律咨询", &["土地流转合同到期了怎么续"]),
];

const RESULTS: &[&str] = &[
    "已安排人员修好，请查看",
    "已联系有关部门处理完毕",
    "已当面答复并解决",
    "已协调双方，问题解决",
];

/// One village's actors in the demo history: a villager who files, and the cadre's name.
pub struct Village {
    pub code: RegionCode,
    pub filers: Vec<Uuid>,
    pub cadre: String,
}

/// Demands filed between `from` and `now` in each village, about `per_month` a month each.
pub fn generate(
    villages: &[Village],
    per_month: u64,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
    seed: u64,
) -> Vec<HistoryRow> {
    let calendar = Calendar::china();
    let limits = Limits::default();
    let mut rng = Lcg(seed);
    let mut out = Vec::new();
    let span_min = (now - from).num_minutes().max(1) as u64;
    let months = (span_min / (30 * 24 * 60)).max(1);
    for v in villages {
        for _ in 0..per_month * months {
            let mut filed = from + Duration::minutes((rng.next() % span_min) as i64);
            // Filed in the day, China time (08:00–20:00).
            let hour = (filed + Duration::hours(8))
                .format("%H")
                .to_string()
                .parse::<i64>()
                .unwrap_or(12);
            if !(8..20).contains(&hour) {
                filed -= Duration::hours(12);
            }
            if filed >= now || filed < from {
                continue;
            }
            out.push(one(&mut rng, v, filed, now, &calendar, &limits));
        }
    }
    out
}

fn one(
    rng: &mut Lcg,
    v: &Village,
    filed: DateTime<Utc>,
    now: DateTime<Utc>,
    calendar: &Calendar,
    limits: &Limits,
) -> HistoryRow {
    let weights = [0usize, 0, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    let (class, sub, texts) = TEXTS[weights[rng.next() as usize % weights.len()].min(TEXTS.len() - 1)];
    let text = texts[rng.next() as usize % texts.len()];
    let id = Uuid::from_u64_pair(rng.next() << 32 | rng.next(), rng.next() << 32 | rng.next());
    let township = demand::region_at(&v.code, RegionLevel::Township).expect("a village has a township");
    let filer = v.filers[rng.next() as usize % v.filers.len()];
    let mut d = DemandRecord {
        id,
        number: crate::http::demand_number(id, filed),
        village: v.code.clone(),
        holder: v.code.clone(),
        class,
        subcategory: sub.to_owned(),
        text: text.to_owned(),
        public: rng.next() % 10 < 7,
        state: DemandState::Filed,
        filer,
        filed_at: filed,
        held_since: filed,
        due_at: crate::demands::deadline(calendar, limits, &v.code, filed),
        late_since: None,
        overdue: false,
        reopened: false,
        closed_at: None,
        merged_into: None,
        version: 0,
        followers: 1,
    };
    let ev = |at: DateTime<Utc>, kind: EventKind, holder: &RegionCode, by: Option<&str>, note: Option<&str>| NewEvent {
        at,
        kind,
        actor: None,
        actor_label: by.map(str::to_owned),
        holder: holder.clone(),
        note: note.map(str::to_owned),
        rating: None,
        other: None,
    };
    let mut events = vec![ev(filed, EventKind::Filed, &v.code, None, None)];
    let handler = "镇便民服务中心";
    let hours = |n: u64| Duration::hours(n as i64);
    let roll = rng.next() % 100;
    let age = now - filed;
    // What happened, by a roll: (taken after, closed after, at township?, via the clock?)
    let (take, close, up, clock) = match roll {
        0..=77 => (hours(1 + rng.next() % 20), hours(20 + rng.next() % 80), false, false),
        78..=85 => (hours(2 + rng.next() % 20), hours(60 + rng.next() % 100), true, false),
        86..=91 => (hours(1), hours(150 + rng.next() % 100), true, true),
        _ => (hours(3), hours(24 * 40), false, false),
    };
    let mut at = filed + take;
    if clock {
        // Nobody took it in time: the clock sent it up at its deadline.
        let due = d.due_at.unwrap_or(filed + hours(72));
        if due >= now {
            // Still inside its time: it waits at the village.
            return out_row(d, events, Vec::new());
        }
        d.holder = township.clone();
        d.overdue = true;
        d.due_at = crate::demands::deadline(calendar, limits, &township, due);
        d.held_since = due;
        events.push(ev(due, EventKind::Overdue, &township, None, None));
        at = due + hours(2);
    }
    if at >= now || age < take {
        out_row(d, events, Vec::new())
    } else {
        d.state = DemandState::Accepted;
        let who = if d.holder == v.code { v.cadre.as_str() } else { handler };
        events.push(ev(at, EventKind::Accepted, &d.holder.clone(), Some(who), None));
        if up && !clock {
            let t = at + hours(4);
            d.holder = township.clone();
            d.state = DemandState::Filed;
            d.due_at = crate::demands::deadline(calendar, limits, &township, t);
            d.held_since = t;
            events.push(ev(
                t,
                EventKind::Escalated,
                &township,
                Some(&v.cadre),
                Some("村里解决不了，报镇里协调"),
            ));
            if t + hours(3) < now {
                d.state = DemandState::Accepted;
                events.push(ev(t + hours(3), EventKind::Accepted, &township, Some(handler), None));
            }
        }
        let closed = filed + close;
        if closed >= now || d.state != DemandState::Accepted {
            return out_row(d, events, Vec::new());
        }
        let who = if d.holder == v.code { v.cadre.as_str() } else { handler };
        d.state = DemandState::Closed;
        d.closed_at = Some(closed);
        d.due_at = None;
        events.push(ev(
            closed,
            EventKind::Closed,
            &d.holder.clone(),
            Some(who),
            Some(RESULTS[rng.next() as usize % RESULTS.len()]),
        ));
        let mut ratings = Vec::new();
        if rng.next() % 10 < 7 && closed + hours(10) < now {
            let r = match rng.next() % 20 {
                0..=15 => Satisfaction::Satisfied,
                16..=18 => Satisfaction::Basic,
                _ => Satisfaction::Unsatisfied,
            };
            let rated = closed + hours(10);
            let mut e = ev(rated, EventKind::Rated, &d.holder.clone(), None, None);
            e.rating = Some(r);
            events.push(e);
            ratings.push((filer, r, rated));
            if r == Satisfaction::Unsatisfied && d.holder == v.code && rated + hours(2) < now {
                // Reopened once, one level up, and closed there.
                let t = rated + hours(2);
                d.reopened = true;
                d.holder = township.clone();
                d.state = DemandState::Filed;
                d.closed_at = None;
                d.due_at = crate::demands::deadline(calendar, limits, &township, t);
                d.held_since = t;
                events.push(ev(t, EventKind::Reopened, &township, None, Some("问题没有解决")));
                let done = t + hours(50);
                if done < now {
                    d.state = DemandState::Closed;
                    d.closed_at = Some(done);
                    d.due_at = None;
                    events.push(ev(t + hours(5), EventKind::Accepted, &township, Some(handler), None));
                    events.push(ev(
                        done,
                        EventKind::Closed,
                        &township,
                        Some(handler),
                        Some("镇里派人重新处理，已解决"),
                    ));
                }
            }
        }
        out_row(d, events, ratings)
    }
}

fn out_row(d: DemandRecord, events: Vec<NewEvent>, ratings: Vec<(Uuid, Satisfaction, DateTime<Utc>)>) -> HistoryRow {
    HistoryRow {
        demand: d,
        events,
        ratings,
    }
}

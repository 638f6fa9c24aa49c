//! The clock of demands: each holder's deadline in working days, and the sweep that marks a
//! demand overdue and sends it one level up when its holder's time runs out.
//!
//! The sweep runs in every server process (once a minute) and after downtime catches up
//! level by level, each escalation counted from the deadline it follows, not from the
//! time the sweep happens to run. It is exactly-once without a lock: each escalation is a
//! step written under the demand's version (`db::demands`), so when two processes find the
//! same demand due, one writes and the other's write matches nothing.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use sunlight_api::{
    RegionCode,
    date::Date,
    demand::{self, EventKind, Limits},
    workdays::Calendar,
};

use crate::db::{
    Db,
    demands::{DemandRecord, NewEvent, StepRefused, StepWrite},
};

/// China's date of an instant.
pub fn china_date(t: DateTime<Utc>) -> Date {
    use chrono::Datelike;
    let local = t + Duration::hours(8);
    Date {
        year: local.year(),
        month: local.month(),
        day: local.day(),
    }
}

/// The instant a China date ends (midnight after it, +08:00).
pub fn end_of(d: Date) -> Option<DateTime<Utc>> {
    let next = NaiveDate::from_ymd_opt(d.year, d.month, d.day)?.succ_opt()?;
    let midnight = next.and_hms_opt(0, 0, 0)?;
    Some(Utc.from_utc_datetime(&midnight) - Duration::hours(8))
}

/// When a holder at `holder`'s level, given the demand at `from`, must have acted: the end
/// of the limit's last working day. `None` past the calendar's years (the demand stays
/// with its holder, without a deadline, until an administrator adds the year).
pub fn deadline(
    calendar: &Calendar,
    limits: &Limits,
    holder: &RegionCode,
    from: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    working_deadline(calendar, from, limits.at(holder.level()))
}

/// The end (China midnight) of the `days`th working day after `from`'s date; `None` past
/// the calendar's years. Also the office's clock for answering a report.
pub fn working_deadline(calendar: &Calendar, from: DateTime<Utc>, days: u32) -> Option<DateTime<Utc>> {
    end_of(calendar.add_working_days(china_date(from), days).ok()?)
}

/// The county whose limits apply to a village.
pub fn county_of(village: &RegionCode) -> Option<RegionCode> {
    demand::region_at(village, sunlight_api::RegionLevel::County)
}

/// One pass of the clock: demands that got no deadline because the calendar ended get one
/// once an administrator has added the year; then every open demand past its holder's
/// limit is marked overdue and sent one level up (or, at the city, marked late), as many
/// times as the deadlines passed while nobody looked. Returns how many escalations this
/// process wrote.
pub async fn sweep(db: &Db, calendar: &Calendar, now: DateTime<Utc>) -> anyhow::Result<usize> {
    date_waiting(db, calendar).await?;
    let mut written = 0;
    for d in db.demands_past_due(now).await? {
        let county = county_of(&d.village).ok_or_else(|| anyhow::anyhow!("demand {} outside any county", d.id))?;
        let limits = db.demand_limits(&county).await?;
        let mut current = d;
        while let Some(write) = escalation(&current, calendar, &limits, now) {
            match db.record_step(&write).await? {
                Ok(()) => {
                    written += 1;
                    current = DemandRecord {
                        version: current.version + 1,
                        ..write.after
                    };
                }
                // Another process (or a person) moved it first.
                Err(StepRefused::Changed) => break,
                Err(e) => anyhow::bail!("the clock's step was refused: {e:?}"),
            }
        }
    }
    Ok(written)
}

/// Gives a deadline to every open demand that waited for the calendar's year, where the
/// calendar now reaches it (run by each pass of the clock, and at once when a year is
/// added).
pub async fn date_waiting(db: &Db, calendar: &Calendar) -> anyhow::Result<()> {
    for d in db.undated_demands().await? {
        let county = county_of(&d.village).ok_or_else(|| anyhow::anyhow!("demand {} outside any county", d.id))?;
        let limits = db.demand_limits(&county).await?;
        if let Some(due) = deadline(calendar, &limits, &d.holder, d.held_since) {
            // A step since it was read wins; the next pass looks again.
            db.date_demand(d.id, d.version, due).await?;
        }
    }
    Ok(())
}

/// The clock's step for a demand past due at `now`, if it is.
fn escalation(d: &DemandRecord, calendar: &Calendar, limits: &Limits, now: DateTime<Utc>) -> Option<StepWrite> {
    let due = d
        .due_at
        .filter(|due| *due <= now && d.late_since.is_none() && d.state.is_open())?;
    let (state, mv) = demand::overdue(d.state, d.level())?;
    let mut after = d.clone();
    after.state = state;
    after.overdue = true;
    match mv {
        demand::Move::Up => {
            let level = demand::level_up(d.level())?;
            after.holder = demand::region_at(&d.village, level)?;
            after.due_at = deadline(calendar, limits, &after.holder, due);
            after.held_since = due;
        }
        _ => after.late_since = Some(due),
    }
    Some(StepWrite {
        event: NewEvent {
            at: due,
            kind: EventKind::Overdue,
            actor: None,
            actor_label: None,
            holder: after.holder.clone(),
            note: None,
            rating: None,
            other: None,
        },
        after,
        rating: None,
        merge_into: None,
    })
}

/// What waits for `actor`, for each of their posts, with counts: the demands and ledger
/// counts of `db::demands::todo_counts`, the office's reports past their answer deadline,
/// and (for a city's administrators) the calendar's missing year.
pub async fn todo(
    db: &Db,
    actor: &crate::authz::Actor,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<sunlight_api::demand::TodoItem>> {
    use crate::authz::{Action, authorize_deployment, permits};
    use sunlight_api::demand::{TodoItem, TodoKind};
    // Read at most once, and only for a post that counts on it: the list is on every
    // first screen.
    let mut calendar: Option<Calendar> = None;
    let mut out = Vec::new();
    let item = |kind, g: &sunlight_api::dto::Grant, count: i64, year| TodoItem {
        kind,
        region: g.region.clone(),
        region_name: g.region_name.clone(),
        count: count.clamp(0, u32::MAX as i64) as u32,
        year,
    };
    let keeps_calendar = authorize_deployment(actor, Action::ManageCalendar).is_ok();
    for g in &actor.0.grants {
        for (kind, count) in db.todo_counts(g.role, &g.region, actor.0.id, now).await? {
            if count > 0 {
                out.push(item(kind, g, count, None));
            }
        }
        // An office's members: the reports it has not answered in time.
        if permits(actor, Action::WorkReports, &g.region) && g.region.level() != sunlight_api::RegionLevel::Village {
            let received = db.received_reports(&g.region).await?;
            if !received.is_empty() && calendar.is_none() {
                calendar = Some(db.calendar().await?);
            }
            let late = received
                .into_iter()
                .filter(|filed| {
                    calendar
                        .as_ref()
                        .and_then(|c| working_deadline(c, *filed, sunlight_api::report::ANSWER_WORKING_DAYS))
                        .is_some_and(|due| due <= now)
                })
                .count();
            if late > 0
                && !out
                    .iter()
                    .any(|i: &TodoItem| i.kind == TodoKind::ReportsLate && i.region == g.region)
            {
                out.push(item(TodoKind::ReportsLate, g, late as i64, None));
            }
        }
        if keeps_calendar
            && g.region.level() == sunlight_api::RegionLevel::City
            && permits(actor, Action::ManageCalendar, &g.region)
            && !out.iter().any(|i: &TodoItem| i.kind == TodoKind::CalendarYear)
        {
            let waiting = db.count_undated_demands().await?;
            if calendar.is_none() {
                calendar = Some(db.calendar().await?);
            }
            let year = calendar
                .as_ref()
                .and_then(|c| c.year_to_add(china_date(now), waiting > 0));
            if let Some(year) = year {
                out.push(item(TodoKind::CalendarYear, g, waiting, Some(year)));
            }
        }
    }
    Ok(out)
}

/// Runs the sweep once a minute, for as long as the process lives.
pub fn spawn_clock(db: Db, clock: crate::clock::Clock) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            tick.tick().await;
            // Read each time: an administrator may have added a year, in any process.
            let calendar = match db.calendar().await {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "the working-day calendar cannot be read");
                    continue;
                }
            };
            match sweep(&db, &calendar, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(escalated = n, "demands past their limit sent up"),
                Err(e) => tracing::error!(error = %format!("{e:#}"), "the demands' clock failed"),
            }
        }
    });
}

/// Adds one group of demands to a dashboard row.
fn add(c: &mut sunlight_api::demand::DemandCounts, r: &crate::db::demands::StatRow) {
    let n = |v: i64| v.clamp(0, u32::MAX as i64) as u32;
    c.received += n(r.received);
    c.closed += n(r.closed);
    c.closed_quick += n(r.closed_quick);
    c.overdue_now += n(r.overdue_now);
    c.unrated_closed += n(r.unrated_closed);
    c.rated += n(r.ratings);
}

/// Turns the points summed into the average, once a row is complete.
fn finish(c: &mut sunlight_api::demand::DemandCounts, points: i64) {
    c.satisfaction = (c.rated > 0).then(|| (points / c.rated as i64) as u32);
}

/// The dashboard of `region` over `year`, without its overdue list; `None` for no such
/// region. "Closed within five days" counts calendar days, as the counties count them.
pub async fn stats(
    db: &Db,
    region: &RegionCode,
    year: i32,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<sunlight_api::demand::DemandStats>> {
    use sunlight_api::demand::{CountsRow, DemandClass, DemandCounts, DemandStats};
    let Some(summary) = db.region(region).await? else {
        return Ok(None);
    };
    let rows = db.demand_stat_rows(region, year, demand::QUICK_DAYS, now).await?;
    let children = db.region_children(region).await?;
    let child_level = demand::level_down(region.level());
    let mut total = (DemandCounts::default(), 0i64);
    let mut by_child: Vec<(DemandCounts, i64)> = vec![Default::default(); children.len()];
    let classes: Vec<DemandClass> = DemandClass::ALL.into_iter().filter(|c| !c.is_report()).collect();
    let mut by_class: Vec<(DemandCounts, i64)> = vec![Default::default(); classes.len()];
    let mut by_month: Vec<(DemandCounts, i64)> = vec![Default::default(); 12];
    for r in &rows {
        let put = |slot: &mut (DemandCounts, i64)| {
            add(&mut slot.0, r);
            slot.1 += r.points;
        };
        put(&mut total);
        if let (Some(level), Ok(village)) = (child_level, RegionCode::parse(&r.village_code))
            && let Some(child) = demand::region_at(&village, level)
            && let Some(i) = children.iter().position(|c| c.code == child)
        {
            put(&mut by_child[i]);
        }
        if let Some(i) = classes.iter().position(|c| c.as_str() == r.class) {
            put(&mut by_class[i]);
        }
        if let Ok(m) = r.month.parse::<usize>()
            && (1..=12).contains(&m)
        {
            put(&mut by_month[m - 1]);
        }
    }
    finish(&mut total.0, total.1);
    let rows_of = |v: Vec<(DemandCounts, i64)>, key: &dyn Fn(usize) -> (String, String)| -> Vec<CountsRow> {
        v.into_iter()
            .enumerate()
            .map(|(i, (mut counts, points))| {
                finish(&mut counts, points);
                let (key, name) = key(i);
                CountsRow { key, name, counts }
            })
            .collect()
    };
    Ok(Some(DemandStats {
        region: region.clone(),
        region_name: summary.name,
        year,
        total: total.0,
        children: rows_of(by_child, &|i| {
            (children[i].code.as_str().to_owned(), children[i].name.clone())
        }),
        classes: rows_of(by_class, &|i| (classes[i].as_str().to_owned(), String::new())),
        months: rows_of(by_month, &|i| ((i + 1).to_string(), String::new())),
        overdue: Vec::new(),
    }))
}

/// The dashboard as rows of cells for a spreadsheet: a title block (region, year, time of
/// export), then the regions below, classes and months, each with the same columns.
pub fn stats_table(s: &sunlight_api::demand::DemandStats, now: DateTime<Utc>) -> Vec<Vec<String>> {
    let head = [
        "",
        "收到",
        "办结",
        "5日内办结",
        "5日内办结率%",
        "当前超期",
        "已评价",
        "办结未评价",
        "满意度",
    ];
    let line = |name: &str, c: &sunlight_api::demand::DemandCounts| -> Vec<String> {
        let rate = if c.closed > 0 {
            format!("{:.1}", c.closed_quick as f64 * 100.0 / c.closed as f64)
        } else {
            String::new()
        };
        vec![
            name.to_owned(),
            c.received.to_string(),
            c.closed.to_string(),
            c.closed_quick.to_string(),
            rate,
            c.overdue_now.to_string(),
            c.rated.to_string(),
            c.unrated_closed.to_string(),
            c.satisfaction.map(|p| p.to_string()).unwrap_or_default(),
        ]
    };
    let class_name = |k: &str| match k {
        "education" => "宣传教育",
        "disclosure" => "公示公开",
        "service" => "便民服务",
        "opinion" => "舆情管控",
        _ => "其他",
    };
    let mut out = vec![
        vec!["地区".to_owned(), format!("{}（{}）", s.region_name, s.region.as_str())],
        vec!["期间".to_owned(), format!("{}年", s.year)],
        vec![
            "导出时间".to_owned(),
            format!("{}（北京时间）", crate::db::to_wire(now).china_string()),
        ],
        vec![],
        head.iter().map(|h| h.to_string()).collect(),
        line("合计", &s.total),
    ];
    for r in &s.children {
        out.push(line(&r.name, &r.counts));
    }
    out.push(vec![]);
    out.push(head.iter().map(|h| h.to_string()).collect());
    for r in &s.classes {
        out.push(line(class_name(&r.key), &r.counts));
    }
    out.push(vec![]);
    out.push(head.iter().map(|h| h.to_string()).collect());
    for r in &s.months {
        out.push(line(&format!("{}月", r.key), &r.counts));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn deadlines_end_at_midnight_in_china_and_skip_holidays() {
        let c = Calendar::china();
        let l = Limits::default();
        let village = RegionCode::parse("359901101201").unwrap();
        // Filed Wednesday 2026-09-23 at 10:00 in China: three working days are Thu 24, and
        // then Mon 28 and Tue 29 (25–27 are the Mid-Autumn holiday).
        let d = deadline(&c, &l, &village, at("2026-09-23T02:00:00Z")).unwrap();
        assert_eq!(d, at("2026-09-29T16:00:00Z"));
        // Filed Friday 2026-09-18 late evening China time (UTC still the 18th): Sun 20 Sep
        // is a make-up working day, so three working days end on Tue 22.
        let d = deadline(&c, &l, &village, at("2026-09-18T13:00:00Z")).unwrap();
        assert_eq!(d, at("2026-09-22T16:00:00Z"));
        // Past the calendar: no deadline rather than a guess.
        assert_eq!(deadline(&c, &l, &village, at("2026-12-29T02:00:00Z")), None);
    }
}

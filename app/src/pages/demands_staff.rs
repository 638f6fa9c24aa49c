//! The workbench's side of demands: what a region holds (its cadre's or handler's inbox),
//! what ran late there (the inspectors' overdue list), and the dashboard with its export.

use crate::router;
use leptos::prelude::*;
use sunlight_api::demand::{CountsRow, DemandCounts, DemandStats};

use super::demands::{DemandItem, DemandList, class_name};
use crate::{
    api,
    components::{ErrorRetry, Go, Loading, Page},
    i18n::{T, t},
    paths,
    words_demands::{D, dw},
};

/// `/staff/demands/:code?view=held|overdue|region`.
#[component]
pub fn DemandInbox() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let view = router::query("view").unwrap_or_else(|| "held".into());
    let (title, empty) = match view.as_str() {
        "overdue" => (dw(D::OverdueDemands), dw(D::NoOverdue)),
        "region" => (dw(D::AllDemands), dw(D::NoVillageDemands)),
        _ => (t(T::DemandInbox), t(T::DemandInboxEmpty)),
    };
    let tabs = [
        ("held", t(T::DemandInbox)),
        ("overdue", dw(D::OverdueDemands)),
        ("region", dw(D::AllDemands)),
    ];
    view! {
        <Page title=title>
            <nav class="subtabs">
                {tabs.into_iter().map(|(v, label)| view! {
                    <Go href=paths::staff_demands(&code, v) class=current(v == view)>{label}</Go>
                }).collect_view()}
            </nav>
            <DemandList url=format!("api/regions/{code}/demands?view={view}") empty=empty/>
        </Page>
    }
}

fn current(yes: bool) -> &'static str {
    if yes { "current" } else { "" }
}

fn late_class(n: u32) -> &'static str {
    if n > 0 { "late" } else { "" }
}

fn percent(part: u32, whole: u32) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.0}%", part as f64 * 100.0 / whole as f64)
    }
}

fn counts_cells(c: &DemandCounts) -> impl IntoView + use<> {
    view! {
        <td>{c.received}</td>
        <td>{c.closed}</td>
        <td>{percent(c.closed_quick, c.closed)}</td>
        <td class=late_class(c.overdue_now)>{c.overdue_now}</td>
        <td>{c.satisfaction.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</td>
    }
}

fn head() -> impl IntoView {
    view! {
        <th scope="col">{dw(D::Received)}</th>
        <th scope="col">{dw(D::ClosedCount)}</th>
        <th scope="col">{dw(D::ClosedIn5)}</th>
        <th scope="col">{dw(D::OverdueNow)}</th>
        <th scope="col">{dw(D::Satisfaction)}</th>
    }
}

/// Twelve monthly bars of received demands, labels in HTML beside the SVG so that they
/// follow large-text mode.
fn trend(months: &[CountsRow]) -> impl IntoView + use<> {
    let max = months.iter().map(|m| m.counts.received).max().unwrap_or(0).max(1);
    let bars = months
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let h = (m.counts.received as f64 / max as f64 * 100.0).round();
            view! { <rect x=(i * 25 + 4).to_string() y=(104.0 - h).to_string() width="17" height=h.to_string() class="bar-in"/> }
        })
        .collect_view();
    let labels = months
        .iter()
        .map(|m| view! { <li>{m.key.clone()}<br/>{m.counts.received}</li> })
        .collect_view();
    view! {
        <svg class="chart" viewBox="0 0 300 106" role="img" aria-label=dw(D::DemandTrend)>{bars}</svg>
        <ol class="axis">{labels}</ol>
    }
}

/// `/staff/demand-stats/:code`: a region's demands over a year.
#[component]
pub fn DemandDashboard() -> impl IntoView {
    let code = router::param("code").unwrap_or_default();
    let year = router::query("year").map(|y| format!("?year={y}")).unwrap_or_default();
    let data = api::Fetch::<DemandStats>::new(move || {
        let (code, year) = (code.clone(), year.clone());
        format!("api/regions/{code}/demand-stats{year}")
    });
    view! {
        <Page title=dw(D::DemandStats)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(s)) => view! { <Dashboard s=s/> }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn Dashboard(s: DemandStats) -> impl IntoView {
    let code = s.region.to_string();
    let csv = format!("api/regions/{code}/demand-stats/export?year={}", s.year);
    let xlsx = format!("{csv}&format=xlsx");
    let drill = !s.children.is_empty() && s.region.level() != sunlight_api::RegionLevel::Village;
    let children = s.children.clone();
    view! {
        <p class="muted">{s.region_name.clone()}" · "{s.year}</p>
        <section class="card totals">
            <p>{dw(D::Received)}" "<b>{s.total.received}</b>" · "{dw(D::ClosedCount)}" "<b>{s.total.closed}</b></p>
            <p>{dw(D::ClosedIn5)}" "<b>{percent(s.total.closed_quick, s.total.closed)}</b>
               " · "{dw(D::OverdueNow)}" "<b class=late_class(s.total.overdue_now)>{s.total.overdue_now}</b></p>
            <p>{dw(D::Satisfaction)}" "<b>{s.total.satisfaction.map(|v| v.to_string()).unwrap_or_else(|| "—".into())}</b>
               " · "{dw(D::UnratedClosed)}" "<b>{s.total.unrated_closed}</b></p>
        </section>
        <h2>{dw(D::OverdueDemands)}</h2>
        {if s.overdue.is_empty() {
            view! { <p class="muted">{dw(D::NoOverdue)}</p> }.into_any()
        } else {
            view! { <ul class="months demands">{s.overdue.into_iter().map(|d| view! { <DemandItem d=d/> }).collect_view()}</ul> }.into_any()
        }}
        <h2>{dw(D::DemandTrend)}</h2>
        {trend(&s.months)}
        {drill.then(move || view! {
            <h2>{dw(D::ByRegion)}</h2>
            <div class="scroll" tabindex="0" role="region" aria-label=dw(D::ByRegion)>
                <table>
                    <thead><tr><th scope="col">{dw(D::Region)}</th>{head()}</tr></thead>
                    <tbody>
                        {children.into_iter().map(|r| view! {
                            <tr><th scope="row"><Go href=paths::demand_stats(&r.key)>{r.name.clone()}</Go></th>{counts_cells(&r.counts)}</tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        })}
        <h2>{dw(D::ByClass)}</h2>
        <div class="scroll" tabindex="0" role="region" aria-label=dw(D::ByClass)>
            <table>
                <thead><tr><th scope="col">{dw(D::DemandClassLabel)}</th>{head()}</tr></thead>
                <tbody>
                    {s.classes.iter().map(|r| view! {
                        <tr>
                            <th scope="row">{sunlight_api::demand::DemandClass::parse(&r.key).map(class_name).unwrap_or("")}</th>
                            {counts_cells(&r.counts)}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <p class="actions">
            <a class="button secondary" href=csv download="">{dw(D::ExportStatsCsv)}</a>
            <a class="button secondary" href=xlsx download="">{dw(D::ExportStatsXlsx)}</a>
        </p>
        <p><Go href=paths::staff_demands(&code, "overdue")>{dw(D::OverdueDemands)}</Go></p>
    }
}

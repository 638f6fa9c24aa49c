//! 办理期限与工作日历: the working-day calendar every deadline counts on (a city's
//! administrators add each year from the State Council's notice) and a county's limits per
//! level.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    RegionCode, RegionLevel, Role,
    demand::Limits,
    workdays::{CalendarDay, CalendarIn, CalendarView, CalendarYear, DayKind, parse_dates},
};

use crate::{
    api::{self, Failure},
    components::{ErrorRetry, FormError, Loading, Page},
    i18n::level_name,
    session::Session,
    words_demands::{D, dw},
};

/// Whether the signed-in person administers a whole city (and so keeps the calendar).
fn keeps_calendar() -> bool {
    Session::get().0.get_untracked().flatten().is_some_and(|me| {
        me.grants
            .iter()
            .any(|g| g.role == Role::Admin && g.region_level == RegionLevel::City)
    })
}

/// `/staff/calendar`.
#[component]
pub fn CalendarPage() -> impl IntoView {
    let data = api::Fetch::<CalendarView>::new(|| "api/calendar".to_owned());
    let shown = RwSignal::new(None::<CalendarView>);
    let editing = RwSignal::new(None::<CalendarYear>);
    let keeps = keeps_calendar();
    view! {
        <Page title=dw(D::CalendarTitle)>
            <p class="hint">{dw(D::CalendarIntro)}</p>
            {move || {
                let view = shown.get().or_else(|| data.get().and_then(Result::ok));
                match (view, data.get()) {
                    (Some(v), _) => view! { <Years v=v keeps=keeps editing=editing/> }.into_any(),
                    (None, Some(Err(f))) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                    (None, _) => view! { <Loading/> }.into_any(),
                }
            }}
            {if keeps {
                view! { <YearForm shown=shown editing=editing/> }.into_any()
            } else {
                view! { <p class="muted">{dw(D::CalendarOnlyCity)}</p> }.into_any()
            }}
        </Page>
    }
}

#[component]
fn Years(v: CalendarView, keeps: bool, editing: RwSignal<Option<CalendarYear>>) -> impl IntoView {
    let missing = v.missing.map(|y| {
        view! {
            <div class="notice" role="status">
                <p><b>{dw(D::CalendarMissing).replace("{}", &y.to_string())}</b></p>
                {(v.demands_waiting > 0).then(|| view! {
                    <p>{dw(D::CalendarWaiting).replace("{}", &v.demands_waiting.to_string())}</p>
                })}
            </div>
        }
    });
    view! {
        {missing}
        {v.years.into_iter().rev().map(|y| {
            let off = y.days.iter().filter(|d| d.kind == DayKind::Holiday).count();
            let on = y.days.len() - off;
            let who = match &y.updated_by {
                None => dw(D::CalendarShipped).to_owned(),
                Some(who) => dw(D::CalendarUpdated).replace("{who}", who).replace("{at}", &y.updated_at.china_string()),
            };
            let list = |kind: DayKind| {
                y.days.iter().filter(|d| d.kind == kind).map(|d| d.date.to_string()).collect::<Vec<_>>().join("、")
            };
            let (holidays, workdays) = (list(DayKind::Holiday), list(DayKind::MakeUpWorkday));
            let edit = y.clone();
            view! {
                <section class="card">
                    <h2>{dw(D::CalendarYear).replace("{}", &y.year.to_string())}</h2>
                    <p>{dw(D::CalendarCounts).replace("{h}", &off.to_string()).replace("{w}", &on.to_string())}</p>
                    <p class="muted">{dw(D::CalendarSource)}"："{y.source.clone()}" · "{who}</p>
                    <details>
                        <summary>{dw(D::CalendarShowDays)}</summary>
                        <p><b>{dw(D::CalendarHolidays)}</b>"："{holidays}</p>
                        <p><b>{dw(D::CalendarMakeUp)}</b>"："{workdays}</p>
                    </details>
                    {keeps.then(|| view! {
                        <button type="button" class="secondary" on:click=move |_| editing.set(Some(edit.clone()))>
                            {dw(D::CalendarEdit)}
                        </button>
                    })}
                </section>
            }
        }).collect_view()}
    }
}

/// Dates of one kind as an administrator reads them back: one per line.
fn lines(days: &[CalendarDay], kind: DayKind) -> String {
    days.iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.date.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Adding a year, or correcting one chosen above.
#[component]
fn YearForm(shown: RwSignal<Option<CalendarView>>, editing: RwSignal<Option<CalendarYear>>) -> impl IntoView {
    let this_year = crate::pages::ledger::this_month().year;
    let year = RwSignal::new(this_year + 1);
    let source = RwSignal::new(String::new());
    let holidays = RwSignal::new(String::new());
    let workdays = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let unreadable = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(y) = editing.get() {
            year.set(y.year);
            source.set(y.source.clone());
            holidays.set(lines(&y.days, DayKind::Holiday));
            workdays.set(lines(&y.days, DayKind::MakeUpWorkday));
            saved.set(false);
            if let Some(el) = leptos::prelude::document().get_element_by_id("calendar-form") {
                el.scroll_into_view();
            }
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        unreadable.set(None);
        saved.set(false);
        let mut days = Vec::new();
        for (text, kind) in [
            (holidays.get_untracked(), DayKind::Holiday),
            (workdays.get_untracked(), DayKind::MakeUpWorkday),
        ] {
            match parse_dates(&text) {
                Ok(dates) => days.extend(dates.into_iter().map(|date| CalendarDay { date, kind })),
                Err(piece) => {
                    unreadable.set(Some(piece));
                    return;
                }
            }
        }
        let body = CalendarIn {
            source: source.get_untracked(),
            days,
        };
        let y = year.get_untracked();
        busy.set(true);
        spawn_local(async move {
            match api::put::<_, CalendarView>(&format!("api/calendar/{y}"), &body).await {
                Ok(v) => {
                    shown.set(Some(v));
                    editing.set(None);
                    saved.set(true);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" id="calendar-form" on:submit=submit>
            <div class="field">
                <label for="cal-year">{dw(D::CalendarYearLabel)}</label>
                <select id="cal-year" on:change=move |ev| {
                    if let Ok(y) = event_target_value(&ev).parse() { year.set(y) }
                }>
                    {[this_year, this_year + 1].into_iter().map(|y| view! {
                        <option value=y.to_string() selected=move || year.get() == y>{y.to_string()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="cal-source">{dw(D::CalendarSource)}</label>
                <input id="cal-source" type="text" maxlength=100 placeholder="国办发明电〔2026〕…号"
                    prop:value=move || source.get() on:input=move |ev| source.set(event_target_value(&ev))/>
            </div>
            <div class="field">
                <label for="cal-holidays">{dw(D::CalendarHolidays)}</label>
                <textarea id="cal-holidays" rows=6 aria-describedby="cal-holidays-hint" prop:value=move || holidays.get()
                    on:input=move |ev| holidays.set(event_target_value(&ev))></textarea>
                <p class="hint" id="cal-holidays-hint">{dw(D::CalendarHolidaysHint)}</p>
            </div>
            <div class="field">
                <label for="cal-workdays">{dw(D::CalendarMakeUp)}</label>
                <textarea id="cal-workdays" rows=3 aria-describedby="cal-workdays-hint" prop:value=move || workdays.get()
                    on:input=move |ev| workdays.set(event_target_value(&ev))></textarea>
                <p class="hint" id="cal-workdays-hint">{dw(D::CalendarMakeUpHint)}</p>
            </div>
            {move || unreadable.get().map(|p| view! {
                <div class="error" role="alert"><p>{dw(D::CalendarUnreadable).replace("{}", &p)}</p></div>
            })}
            <FormError error=error/>
            {move || saved.get().then(|| view! { <p class="notice" role="status">{dw(D::CalendarSaved)}</p> })}
            <button type="submit" class="big" disabled=move || busy.get()>{dw(D::CalendarSave)}</button>
        </form>
    }
}

/// A county's limits per level, for its administrators.
#[component]
pub fn LimitsCard(code: RegionCode) -> impl IntoView {
    let path = format!("api/regions/{code}/demand-limits");
    let load = path.clone();
    let data = api::Fetch::<Limits>::new(move || load.clone());
    let error = RwSignal::new(None::<Failure>);
    let saved = RwSignal::new(false);
    view! {
        <section class="card">
            <h2>{dw(D::LimitsTitle)}</h2>
            <p class="hint">{dw(D::LimitsHint)}</p>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(l)) => {
                    let levels = [
                        (RegionLevel::Village, RwSignal::new(l.village)),
                        (RegionLevel::Township, RwSignal::new(l.township)),
                        (RegionLevel::County, RwSignal::new(l.county)),
                        (RegionLevel::City, RwSignal::new(l.city)),
                    ];
                    let path = path.clone();
                    let submit = move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        error.set(None);
                        saved.set(false);
                        let body = Limits {
                            village: levels[0].1.get_untracked(),
                            township: levels[1].1.get_untracked(),
                            county: levels[2].1.get_untracked(),
                            city: levels[3].1.get_untracked(),
                        };
                        let path = path.clone();
                        spawn_local(async move {
                            match api::put::<_, Limits>(&path, &body).await {
                                Ok(_) => saved.set(true),
                                Err(f) => error.set(Some(f)),
                            }
                        });
                    };
                    view! {
                        <form on:submit=submit>
                            {levels.into_iter().map(|(level, days)| {
                                let id = format!("limit-{}", level.as_str());
                                view! {
                                    <div class="field">
                                        <label for=id.clone()>{dw(D::LevelLimit).replace("{}", level_name(level))}</label>
                                        <input id=id type="number" inputmode="numeric" min=1 max=60 required
                                            prop:value=move || days.get().to_string()
                                            on:input=move |ev| {
                                                if let Ok(n) = event_target_value(&ev).parse() { days.set(n) }
                                            }/>
                                        <p class="hint">{move || dw(D::LevelDays).replace("{}", &days.get().to_string())}</p>
                                    </div>
                                }
                            }).collect_view()}
                            <FormError error=error/>
                            {move || saved.get().then(|| view! { <p class="notice" role="status">{dw(D::LimitsSaved)}</p> })}
                            <button type="submit" class="big">{dw(D::LimitsSave)}</button>
                        </form>
                    }.into_any()
                }
            }}
        </section>
    }
}

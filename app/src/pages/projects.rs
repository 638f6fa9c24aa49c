//! The workbench's side of projects (工程项目) and disposals (资产处置): a village's list
//! and the form that opens one, and one project with its chain, the form for its next
//! stage, and the ledger lines linked to it. A stage, once saved, is an entry like any
//! other: its files, submission and review are on the entry's page.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    catalogue::{Entry, EntryStatus},
    date::Date,
    ledger::{LedgerMonth, Line},
    money::{format_yuan, parse_yuan},
    project::{NewProject, NewStage, PaymentLink, Project, ProjectKind, ProjectSummary, Stage},
};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{ErrorRetry, FormError, Go, Loading, Page},
    i18n::{T, t},
    paths, router,
    words_catalogue::{C, cw, kind_name, stage_name},
};

fn yuan(fen: i64) -> String {
    format!("¥{}", format_yuan(fen))
}

/// A village's projects, and for its staff the form that opens a new one.
#[component]
pub fn ProjectsCard(code: String, may_create: bool) -> impl IntoView {
    let url = StoredValue::new(format!("api/regions/{code}/projects"));
    let data = api::Fetch::<Vec<ProjectSummary>>::new(move || url.get_value());
    let kind = RwSignal::new(ProjectKind::Works);
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let budget = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let go = router::navigator();
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let budget_fen = match parse_yuan(&budget.get_untracked(), "budget_fen") {
            Ok(f) => f,
            Err(invalid) => {
                error.set(Some(Failure::from(invalid)));
                return;
            }
        };
        let req = NewProject {
            kind: kind.get_untracked(),
            title: title.get_untracked(),
            description: description.get_untracked(),
            budget_fen,
        };
        busy.set(true);
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, Project>(&url.get_value(), &req).await {
                Ok(p) => go(&paths::staff_project(&p.id)),
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <h2>{cw(C::Projects)}</h2>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">{cw(C::NoProjects)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="months">
                        {list.into_iter().map(|s| view! {
                            <li><Go href=paths::staff_project(&s.id)>
                                <b>{s.title.clone()}</b>
                                <span>{kind_name(s.kind)}" · "{s.stage.map(|st| stage_name(st, s.kind)).unwrap_or("—")}
                                    " · "{cw(C::Progress)}" "{s.progress_pct.unwrap_or(0)}"%"</span>
                                {s.money.over_contract.then(|| view! { <span class="tag bad">{cw(C::OverContract)}</span> })}
                            </Go></li>
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </section>
        {may_create.then(|| view! {
            <section class="card">
                <form on:submit=send novalidate>
                    <h2>{cw(C::NewProject)}</h2>
                    <fieldset class="field">
                        <legend>{cw(C::ProjectKind)}</legend>
                        {ProjectKind::ALL.into_iter().map(|k| view! {
                            <label class="choice">
                                <input type="radio" name="project-kind" prop:checked=move || kind.get() == k
                                    on:change=move |_| kind.set(k)/>
                                " "{kind_name(k)}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <div class="field">
                        <label for="project-title">{cw(C::ProjectTitle)}</label>
                        <input id="project-title" type="text" autocomplete="off"
                            prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="project-budget">{cw(C::Budget)}</label>
                        <input id="project-budget" type="text" inputmode="decimal" autocomplete="off"
                            prop:value=move || budget.get() on:input=move |ev| budget.set(event_target_value(&ev))/>
                    </div>
                    <div class="field">
                        <label for="project-description">{cw(C::ProjectDescription)}</label>
                        <textarea id="project-description" rows="4" prop:value=move || description.get()
                            on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                    </div>
                    <FormError error=error/>
                    <button type="submit" disabled=move || busy.get()>{cw(C::CreateProject)}</button>
                </form>
            </section>
        })}
    }
}

/// `/staff/project/:id`: one project, its chain, its next stage and its payments.
#[component]
pub fn ProjectPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let data = api::Fetch::<Project>::new(move || format!("api/projects/{id}"));
    view! {
        <Page title=cw(C::Projects)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(p)) => view! { <ProjectView p=p on_change=Callback::new(move |()| data.refetch())/> }.into_any(),
            }}
        </Page>
    }
}

fn status_word(e: &Entry) -> &'static str {
    if e.withdrawn.is_some() {
        return cw(C::Withdrawn);
    }
    match e.status {
        EntryStatus::Draft => cw(C::Draft),
        EntryStatus::Submitted => cw(C::Submitted),
        EntryStatus::Published => cw(C::Published),
    }
}

#[component]
fn ProjectView(p: Project, on_change: Callback<()>) -> impl IntoView {
    let m = p.money;
    let pct = p.progress_pct.unwrap_or(0);
    let public = format!("/projects/{}", p.id);
    let sign = format!("/projects/{}/sign", p.id);
    let may_record = !p.next.is_empty();
    let staff_may_link = may_record || p.stage == Some(Stage::Settlement);
    let kind = p.kind;
    view! {
        <section class="card">
            <p class="muted">{kind_name(p.kind)}" · "{p.village_name.clone()}</p>
            <h2>{p.title.clone()}</h2>
            {(!p.description.is_empty()).then(|| view! { <p class="prose">{p.description.clone()}</p> })}
            <p><label for="project-progress">{cw(C::Progress)}" "<b>{pct}"%"</b></label><br/>
                <progress id="project-progress" max="100" value=pct>{pct}"%"</progress></p>
            <dl class="money">
                <dt>{cw(if kind == ProjectKind::Works { C::BudgetWord } else { C::ReserveWord })}</dt><dd>{yuan(p.budget_fen)}</dd>
                {m.contract_fen.map(|c| view! { <dt>{cw(C::ContractAmount)}</dt><dd>{yuan(c)}</dd> })}
                <dt>{cw(if kind == ProjectKind::Works { C::PaidWord } else { C::ReceivedWord })}</dt><dd>{yuan(m.paid_fen)}</dd>
            </dl>
            {m.over_contract.then(|| view! { <p class="error" role="alert">{cw(C::OverContract)}</p> })}
            <p><a href=public rel="external">{cw(C::PublicPage)}</a>" · "<a href=sign rel="external">{cw(C::PrintSign)}</a></p>
        </section>
        <section class="card">
            <h2>{cw(C::Chain)}</h2>
            <ul class="months">
                {p.stages.clone().into_iter().map(|e| {
                    let f = e.project.clone();
                    view! {
                        <li><Go href=paths::staff_disclosure(&e.id)>
                            <b>{f.as_ref().map(|f| stage_name(f.stage, kind))}</b>
                            <span>{e.period.clone()}
                                {f.as_ref().and_then(|f| f.progress_pct).map(|p| format!(" · {p}%"))}
                                {f.as_ref().and_then(|f| f.amount_fen).map(|a| format!(" · {}", yuan(a)))}
                                {e.corrects.map(|_| format!(" · {}", cw(C::CorrectionOf)))}</span>
                            <span class="tag">{status_word(&e)}</span>
                        </Go></li>
                    }
                }).collect_view()}
            </ul>
            {(!may_record && p.stage == Some(Stage::Settlement)).then(|| view! { <p class="muted">{cw(C::ChainComplete)}</p> })}
        </section>
        {may_record.then(|| view! { <StageForm id=p.id kind=kind next=p.next.clone()/> })}
        <Payments p=p.clone() may_link=staff_may_link on_change=on_change/>
        <p><Go href=paths::staff_disclosures(p.village.as_str())>{t(T::Back)}</Go></p>
    }
}

#[component]
fn StageForm(id: Uuid, kind: ProjectKind, next: Vec<Stage>) -> impl IntoView {
    let first = next.first().copied().unwrap_or(Stage::Approval);
    let stage = RwSignal::new(first);
    let date = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let progress = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let go = router::navigator();
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let s = stage.get_untracked();
        let fail = |field: &'static str, reason| {
            error.set(Some(Failure::invalid(field, reason)));
        };
        let Ok(day) = Date::parse(date.get_untracked().trim()) else {
            return fail("date", sunlight_api::error::FieldError::BadFormat);
        };
        let progress_pct = if s.takes_progress() {
            match progress.get_untracked().trim().parse::<u8>() {
                Ok(n) => Some(n),
                Err(_) => return fail("progress_pct", sunlight_api::error::FieldError::OutOfRange),
            }
        } else {
            None
        };
        let amount_fen = if s.takes_amount() {
            match parse_yuan(&amount.get_untracked(), "amount_fen") {
                Ok(f) => Some(f),
                Err(invalid) => return error.set(Some(Failure::from(invalid))),
            }
        } else {
            None
        };
        let req = NewStage {
            stage: s,
            date: day,
            note: note.get_untracked(),
            progress_pct,
            amount_fen,
        };
        busy.set(true);
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/projects/{id}/stages"), &req).await {
                Ok(e) => go(&paths::staff_disclosure(&e.id)),
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <form on:submit=send novalidate>
                <h2>{cw(C::RecordStage)}</h2>
                <div class="field">
                    <label for="stage-stage">{cw(C::Stage)}</label>
                    <select id="stage-stage" on:change=move |ev| {
                        if let Some(s) = Stage::parse(&event_target_value(&ev)) { stage.set(s) }
                    }>
                        {next.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || stage.get() == s>{stage_name(s, kind)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="stage-date">{cw(C::StageDate)}</label>
                    <input id="stage-date" type="date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev))/>
                </div>
                {move || stage.get().takes_progress().then(|| view! {
                    <div class="field">
                        <label for="stage-progress">{cw(C::ProgressPct)}</label>
                        <input id="stage-progress" type="number" min="0" max="100" inputmode="numeric"
                            prop:value=move || progress.get() on:input=move |ev| progress.set(event_target_value(&ev))/>
                    </div>
                })}
                {move || stage.get().takes_amount().then(|| view! {
                    <div class="field">
                        <label for="stage-amount">{cw(C::AmountYuan)}</label>
                        <input id="stage-amount" type="text" inputmode="decimal" autocomplete="off"
                            prop:value=move || amount.get() on:input=move |ev| amount.set(event_target_value(&ev))/>
                    </div>
                })}
                <div class="field">
                    <label for="stage-note">{cw(C::StageNote)}</label>
                    <textarea id="stage-note" rows="4" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </div>
                <p class="hint">{cw(C::StageHint)}</p>
                <FormError error=error/>
                <button type="submit" disabled=move || busy.get()>{cw(C::Create)}</button>
            </form>
        </section>
    }
}

#[component]
fn Payments(p: Project, may_link: bool, on_change: Callback<()>) -> impl IntoView {
    let id = p.id;
    let village = p.village.clone();
    let want = p.kind.line_kind();
    let linked: Vec<Uuid> = p.payments.iter().map(|x| x.line).collect();
    let error = RwSignal::new(None::<Failure>);
    let month = RwSignal::new(String::new());
    let lines = RwSignal::new(None::<Vec<Line>>);
    let unlink = move |line: Uuid| {
        spawn_local(async move {
            match api::delete::<Project>(&format!("api/projects/{id}/payments/{line}")).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let link = move |line: Uuid| {
        spawn_local(async move {
            match api::post::<_, Project>(&format!("api/projects/{id}/payments"), &PaymentLink { line }).await {
                Ok(_) => on_change.run(()),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let show = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let village = village.clone();
        let linked = linked.clone();
        spawn_local(async move {
            let url = format!("api/regions/{village}/ledger/{}", month.get_untracked().trim());
            match api::get::<LedgerMonth>(&url).await {
                Ok(m) => {
                    error.set(None);
                    lines.set(Some(
                        m.lines
                            .into_iter()
                            .filter(|l| l.kind == want && !linked.contains(&l.id))
                            .collect(),
                    ))
                }
                Err(f) => error.set(Some(f)),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{cw(C::Payments)}</h2>
            {p.payments.is_empty().then(|| view! { <p class="muted">{cw(C::NoPayments)}</p> })}
            <ul class="plain">
                {p.payments.iter().map(|x| {
                    let line = x.line;
                    view! {
                        <li class="obligation">
                            {x.date.to_string()}" "<b>{yuan(x.amount_fen)}</b>" "{x.category.clone()}" · "{x.counterparty.clone()}
                            {(!x.published).then(|| view! {
                                " "<span class="tag">{cw(C::NotPublishedYet)}</span>
                                {may_link.then(|| view! { " "<button type="button" class="secondary small" on:click=move |_| unlink(line)>{cw(C::Unlink)}</button> })}
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            {may_link.then(|| view! {
                <form on:submit=show novalidate>
                    <h3>{cw(C::LinkLines)}</h3>
                    <div class="field">
                        <label for="link-month">{cw(C::LinkMonth)}</label>
                        <input id="link-month" type="text" autocomplete="off" inputmode="numeric"
                            prop:value=move || month.get() on:input=move |ev| month.set(event_target_value(&ev))/>
                    </div>
                    <button type="submit" class="secondary">{cw(C::ShowLines)}</button>
                </form>
                {move || lines.get().map(|list| if list.is_empty() {
                    view! { <p class="muted">{cw(C::NoLinesToLink)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain">
                            {list.into_iter().map(|l| {
                                let line = l.id;
                                view! {
                                    <li class="obligation">
                                        {l.date.to_string()}" "<b>{yuan(l.amount_fen)}</b>" "{l.category.clone()}" · "{l.counterparty.clone()}
                                        " "<button type="button" class="secondary small" on:click=move |_| link(line)>{cw(C::LinkThis)}</button>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            })}
            <FormError error=error/>
        </section>
    }
}

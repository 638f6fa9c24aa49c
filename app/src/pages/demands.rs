//! Demands (诉求), as the filer follows one and as the staff work it: its text, photos and
//! history (a timeline), and the steps the server says this person may take now. Built
//! into the demands bundle (villagers) and the workbench (cadres, handlers, inspectors).

use crate::router;
use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{
    Page as ListPage,
    demand::{Demand, DemandClass, DemandState, DemandSummary, EventKind, Satisfaction, Step, StepIn},
    ledger::Attachment,
};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::{Empty, ErrorRetry, FormError, Go, Loading, Page},
    i18n::{T, level_name, role_name, t},
    paths,
    words_demands::{D, dw},
};

pub fn class_name(c: DemandClass) -> &'static str {
    dw(match c {
        DemandClass::Education => D::ClassEducation,
        DemandClass::Disclosure => D::ClassDisclosure,
        DemandClass::Service => D::ClassService,
        DemandClass::Petition => D::ClassPetition,
        DemandClass::Opinion => D::ClassOpinion,
    })
}

pub fn state_text(s: DemandState) -> &'static str {
    dw(match s {
        DemandState::Filed => D::DemandFiled,
        DemandState::Accepted => D::DemandAccepted,
        DemandState::Closed => D::DemandClosed,
        DemandState::Merged => D::DemandMerged,
    })
}

fn event_text(k: EventKind) -> &'static str {
    dw(match k {
        EventKind::Filed => D::EvFiled,
        EventKind::Joined => D::EvJoined,
        EventKind::Accepted => D::EvAccepted,
        EventKind::Answered => D::EvAnswered,
        EventKind::Closed => D::EvClosed,
        EventKind::Escalated => D::EvEscalated,
        EventKind::SentDown => D::EvSentDown,
        EventKind::Overdue => D::EvOverdue,
        EventKind::Pressed => D::EvPressed,
        EventKind::Rated => D::EvRated,
        EventKind::Reopened => D::EvReopened,
        EventKind::Merged => D::EvMerged,
        EventKind::Absorbed => D::EvAbsorbed,
    })
}

pub fn rating_text(r: Satisfaction) -> &'static str {
    dw(match r {
        Satisfaction::Satisfied => D::Satisfied,
        Satisfaction::Basic => D::BasicallySatisfied,
        Satisfaction::Unsatisfied => D::Unsatisfied,
    })
}

fn step_class(s: Step) -> &'static str {
    if s == Step::Close { "" } else { "secondary" }
}

fn step_text(s: Step) -> &'static str {
    dw(match s {
        Step::Accept => D::StepAccept,
        Step::Answer => D::StepAnswer,
        Step::Close => D::StepClose,
        Step::Escalate => D::StepEscalate,
        Step::SendDown => D::StepSendDown,
        Step::Press => D::StepPress,
        Step::Rate => D::StepRate,
        Step::Reopen => D::StepReopen,
        Step::Merge => D::StepMerge,
    })
}

/// One demand in a list: its state and clock at a glance.
#[component]
pub fn DemandItem(d: DemandSummary) -> impl IntoView {
    let open = matches!(d.state, DemandState::Filed | DemandState::Accepted);
    view! {
        <li>
            <Go href=paths::demand(&d.id)>
                <b class="demand-text">{d.text.clone()}</b>
                <span class="tag">{state_text(d.state)}</span>
                {(d.overdue && open).then(|| view! { <span class="tag late">{dw(D::Overdue)}</span> })}
                {(!d.public).then(|| view! { <span class="tag">{dw(D::Private)}</span> })}
                <span class="muted">
                    {class_name(d.class)}" · "{d.subcategory.clone()}" · "{d.filed_at.china_string()}
                    {open.then(|| format!(" · {} {}", dw(D::HeldBy), d.holder_name))}
                    {(d.followers > 1).then(|| format!(" · {}", dw(D::PeopleRaised).replace("{}", &d.followers.to_string())))}
                </span>
            </Go>
        </li>
    }
}

/// A paged list of demands from `url` (which answers `Page<DemandSummary>`).
#[component]
pub fn DemandList(#[prop(into)] url: String, empty: &'static str) -> impl IntoView {
    let items = RwSignal::new(Vec::<DemandSummary>::new());
    let next = RwSignal::new(None::<String>);
    let state = RwSignal::new(None::<Result<(), Failure>>);
    let load = {
        let url = url.clone();
        move |cursor: Option<String>| {
            let url = url.clone();
            spawn_local(async move {
                let sep = if url.contains('?') { '&' } else { '?' };
                let full = match &cursor {
                    Some(c) => format!("{url}{sep}cursor={c}"),
                    None => url,
                };
                match api::get::<ListPage<DemandSummary>>(&full).await {
                    Ok(page) => {
                        items.update(|v| v.extend(page.items));
                        next.set(page.next);
                        state.set(Some(Ok(())));
                    }
                    Err(f) => state.set(Some(Err(f))),
                }
            });
        }
    };
    load(None);
    let more = load.clone();
    move || match state.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(f)) => {
            let load = load.clone();
            view! { <ErrorRetry failure=f retry=move |_| load(next.get_untracked())/> }.into_any()
        }
        Some(Ok(())) if items.with(|v| v.is_empty()) => view! { <Empty text=empty/> }.into_any(),
        Some(Ok(())) => {
            let more = more.clone();
            view! {
                <ul class="months demands">
                    {move || items.get().into_iter().map(|d| view! { <DemandItem d=d/> }).collect_view()}
                </ul>
                {move || next.get().map(|c| {
                    let more = more.clone();
                    view! { <button type="button" class="secondary" on:click=move |_| more(Some(c.clone()))>{dw(D::More)}</button> }
                })}
            }
            .into_any()
        }
    }
}

/// `/demands/:id` and `/staff/demand/:id`: one demand.
#[component]
pub fn DemandPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let data = api::Fetch::<Demand>::new(move || {
        let id = id.clone();
        format!("api/demands/{id}")
    });
    let shown = RwSignal::new(None::<Demand>);
    view! {
        <Page title=dw(D::DemandTitle)>
            {move || match (shown.get(), data.get()) {
                (Some(d), _) | (None, Some(Ok(d))) => view! { <DemandView d=d shown=shown/> }.into_any(),
                (None, None) => view! { <Loading/> }.into_any(),
                (None, Some(Err(f))) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
            }}
        </Page>
    }
}

fn photo_strip(photos: Vec<Attachment>) -> impl IntoView {
    (!photos.is_empty()).then(|| {
        view! {
            <div class="thumbs">
                {photos.into_iter().map(|p| view! {
                    <a class="thumb" href=format!("api/demand-photos/{}/screen", p.id) target="_blank" rel="noopener">
                        <img src=format!("api/demand-photos/{}/thumb", p.id) loading="lazy" width=96 height=96 alt=dw(D::Photo)/>
                    </a>
                }).collect_view()}
            </div>
        }
    })
}

/// A demand: what was asked, where it stands, its history, and this person's steps.
#[component]
fn DemandView(d: Demand, shown: RwSignal<Option<Demand>>) -> impl IntoView {
    let s = d.summary.clone();
    let open = matches!(s.state, DemandState::Filed | DemandState::Accepted);
    let due = s.due_at.map(|at| dw(D::DueEndOf).replace("{}", &at.deadline_day()));
    let awaiting = s.awaiting_calendar;
    let events = d.events.clone();
    view! {
        <section class="card demand">
            <p class="muted">{dw(D::DemandNumber)}" "{s.number.clone()}" · "{s.village_name.clone()}</p>
            <p class="demand-body">{s.text.clone()}</p>
            {d.voice_seconds.map(|secs| view! {
                <div class="voice">
                    <p>{dw(D::VoiceNote)}" "{format!("{secs}″")}</p>
                    <audio controls preload="none" src=format!("api/demands/{}/voice", s.id)></audio>
                </div>
            })}
            <p>
                <span class="tag">{state_text(s.state)}</span>
                {(s.overdue && open).then(|| view! { <span class="tag late">{dw(D::Overdue)}</span> })}
                <span class="tag">{if s.public { dw(D::PublicDemand) } else { dw(D::Private) }}</span>
                " "{class_name(s.class)}" · "{s.subcategory.clone()}
            </p>
            {open.then(|| view! {
                <p>{dw(D::HeldBy)}" "<b>{s.holder_name.clone()}</b>" （"{level_name(s.level)}"）"
                    {match due.clone() {
                        Some(due) => view! { " · "{dw(D::DueBy)}" "<b>{due}</b> }.into_any(),
                        None if awaiting => view! { " · "{dw(D::NoDueYet)} }.into_any(),
                        None => ().into_any(),
                    }}
                </p>
            })}
            {(s.followers > 1).then(|| view! { <p>{dw(D::PeopleRaised).replace("{}", &s.followers.to_string())}</p> })}
            {d.contact.clone().map(|c| view! { <p class="muted">{dw(D::FilerContact)}" "{c}</p> })}
            {d.merged_into.map(|into| view! { <p><Go href=paths::demand(&into)>{dw(D::SeeMergedInto)}</Go></p> })}
            {photo_strip(d.photos.clone())}
        </section>
        {(s.state == DemandState::Closed).then(|| view! {
            <p class="muted">
                {dw(D::RatingsSoFar)}" "{rating_text(Satisfaction::Satisfied)}" "{d.ratings.satisfied}
                " · "{rating_text(Satisfaction::Basic)}" "{d.ratings.basic}
                " · "{rating_text(Satisfaction::Unsatisfied)}" "{d.ratings.unsatisfied}
                {d.my_rating.map(|r| format!(" · {}{}", dw(D::YourRating), rating_text(r)))}
            </p>
        })}
        <Steps d=d.clone() shown=shown/>
        <h2>{dw(D::History)}</h2>
        <ol class="timeline">
            {events.into_iter().rev().map(|e| view! {
                <li>
                    <p><b>{event_text(e.kind)}</b>" · "{e.at.china_string()}</p>
                    <p class="muted">
                        {e.by.clone().map(|by| format!("{by}（{}）· ", e.role.map(role_name).unwrap_or("")))}
                        {e.region_name.clone()}
                        {e.rating.map(|r| format!(" · {}", rating_text(r)))}
                    </p>
                    {e.note.clone().map(|n| view! { <p class="note">{n}</p> })}
                    {e.other.map(|o| view! { <p><Go href=paths::demand(&o)>{dw(D::OtherDemand)}</Go></p> })}
                    {photo_strip(e.photos.clone())}
                </li>
            }).collect_view()}
        </ol>
    }
}

/// The steps this person may take, as the server listed them.
#[component]
fn Steps(d: Demand, shown: RwSignal<Option<Demand>>) -> impl IntoView {
    let id = d.summary.id;
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let send = move |body: StepIn| {
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::post::<_, Demand>(&format!("api/demands/{id}/steps"), &body).await {
                Ok(d) => {
                    note.set(String::new());
                    shown.set(Some(d));
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    let step = move |s: Step| StepIn {
        step: s,
        note: note.get_untracked(),
        rating: None,
        into: None,
    };
    let rate: Vec<Satisfaction> = if d.steps.contains(&Step::Rate) {
        vec![Satisfaction::Satisfied, Satisfaction::Basic, Satisfaction::Unsatisfied]
    } else {
        Vec::new()
    };
    let plain: Vec<Step> = d.steps.iter().copied().filter(|s| *s == Step::Accept).collect();
    let with_note: Vec<Step> = d.steps.iter().copied().filter(|s| s.needs_note()).collect();
    let merge = d.steps.contains(&Step::Merge);
    let join = d.can_join;
    let photos = d.can_add_photos;
    let holder = d.summary.holder.clone();
    view! {
        {join.then(|| view! {
            <section class="card">
                <p>{dw(D::JoinHint)}</p>
                <button type="button" class="big" disabled=move || busy.get() on:click=move |_| {
                    busy.set(true);
                    spawn_local(async move {
                        match api::post::<_, Demand>(&format!("api/demands/{id}/join"), &serde_json::json!({})).await {
                            Ok(d) => shown.set(Some(d)),
                            Err(f) => error.set(Some(f)),
                        }
                        busy.set(false);
                    });
                }>{dw(D::JoinDemand)}</button>
            </section>
        })}
        {(!rate.is_empty()).then(|| view! {
            <section class="card">
                <h2>{dw(D::RateResult)}</h2>
                <div class="actions">
                    {rate.into_iter().map(|r| view! {
                        <button type="button" class="big secondary" disabled=move || busy.get()
                            on:click=move |_| send(StepIn { rating: Some(r), ..step(Step::Rate) })>{rating_text(r)}</button>
                    }).collect_view()}
                </div>
                <p class="hint">{dw(D::RateHint)}</p>
            </section>
        })}
        {(!plain.is_empty() || !with_note.is_empty()).then(|| view! {
            <section class="card">
                {plain.into_iter().map(|s| view! {
                    <button type="button" class="big" disabled=move || busy.get() on:click=move |_| send(step(s))>{step_text(s)}</button>
                }).collect_view()}
                {(!with_note.is_empty()).then(|| view! {
                    <div class="field">
                        <label for="step-note">{dw(D::StepNote)}</label>
                        <textarea id="step-note" rows=4 prop:value=move || note.get()
                            on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                        <p class="hint">{dw(D::StepNoteHint)}</p>
                    </div>
                    <div class="actions">
                        {with_note.into_iter().map(|s| view! {
                            <button type="button" class=step_class(s) disabled=move || busy.get()
                                on:click=move |_| send(step(s))>{step_text(s)}</button>
                        }).collect_view()}
                    </div>
                })}
            </section>
        })}
        {merge.then(|| view! { <MergeInto id=id holder=holder.to_string() send=Callback::new(move |into| send(StepIn { into: Some(into), ..step(Step::Merge) }))/> })}
        {photos.then(|| view! { <AddPhoto id=id shown=shown/> })}
        <FormError error=error/>
    }
}

/// Merging into another open demand that the same region holds.
#[component]
fn MergeInto(id: Uuid, holder: String, send: Callback<Uuid>) -> impl IntoView {
    let others = api::Fetch::<ListPage<DemandSummary>>::new(move || {
        let url = format!("api/regions/{holder}/demands?view=held");
        url
    });
    let chosen = RwSignal::new(String::new());
    move || {
        let list: Vec<DemandSummary> = match others.get() {
            Some(Ok(p)) => p.items.into_iter().filter(|d| d.id != id).collect(),
            _ => Vec::new(),
        };
        (!list.is_empty()).then(|| {
            view! {
                <section class="card">
                    <div class="field">
                        <label for="merge-into">{dw(D::MergeInto)}</label>
                        <select id="merge-into" on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="">{t(T::Choose)}</option>
                            {list.into_iter().map(|d| view! {
                                <option value=d.id.to_string()>{format!("{} {}", d.number, d.text.chars().take(24).collect::<String>())}</option>
                            }).collect_view()}
                        </select>
                        <p class="hint">{dw(D::MergeHint)}</p>
                    </div>
                    <button type="button" class="secondary" on:click=move |_| {
                        if let Ok(into) = chosen.get_untracked().parse::<Uuid>() {
                            send.run(into);
                        }
                    }>{dw(D::StepMerge)}</button>
                </section>
            }
        })
    }
}

/// Adding a photo: the filer's before the demand is taken, the holder's of what was done.
#[component]
fn AddPhoto(id: Uuid, shown: RwSignal<Option<Demand>>) -> impl IntoView {
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let on_file = move |ev: leptos::ev::Event| {
        let Some(file) = crate::components::chosen_file(&ev) else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            let (blob, kind) = crate::photo::prepare(file).await;
            match api::upload::<Attachment>(&format!("api/demands/{id}/photos"), blob, &kind).await {
                Ok(_) => {
                    if let Ok(d) = api::get::<Demand>(&format!("api/demands/{id}")).await {
                        shown.set(Some(d));
                    }
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <p>
            <label class="button secondary" for="demand-photo">{move || if busy.get() { t(T::Sending) } else { dw(D::AddPhoto) }}</label>
            <input id="demand-photo" class="hidden-file" type="file" accept="image/*,application/pdf" on:change=on_file/>
        </p>
        <FormError error=error/>
    }
}

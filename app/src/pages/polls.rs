//! Polls (投票): the list of a village's polls, one poll with its ballot and results, and,
//! in the workbench, starting a poll. The ballot is secret: the server keeps who voted
//! apart from what was voted.

use leptos::prelude::*;
use sunlight_api::{
    RegionCode,
    poll::{Per, Poll, PollState, PollSummary, QuestionKind},
};

use crate::{
    api,
    components::{Empty, ErrorRetry, Go, Loading},
    i18n::{T, t},
    paths, router,
};

/// 投票, the villager's tab: the village's polls.
#[cfg(feature = "polls")]
#[component]
pub fn PollsTab() -> impl IntoView {
    use crate::{
        components::{Leave, Page},
        session::Session,
    };
    let session = Session::get();
    move || {
        let me = session.0.get().flatten()?;
        Some(match me.village().map(|v| v.region.clone()) {
            Some(code) => view! {
                <Page title=t(T::PollsTitle)><PollList code=code/></Page>
            }
            .into_any(),
            None => view! { <Leave path=paths::WORK/> }.into_any(),
        })
    }
}

fn state_text(s: PollState) -> &'static str {
    t(match s {
        PollState::Upcoming => T::PollUpcoming,
        PollState::Open => T::PollOpen,
        PollState::Closed => T::PollClosed,
    })
}

/// The polls of a region, newest first.
#[component]
pub fn PollList(code: RegionCode) -> impl IntoView {
    let url = format!("api/regions/{code}/polls");
    let data = api::Fetch::<Vec<PollSummary>>::new(move || url.clone());
    move || match data.get() {
        None => view! { <Loading/> }.into_any(),
        Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
        Some(Ok(list)) if list.is_empty() => view! { <Empty text=t(T::NoPolls)/> }.into_any(),
        Some(Ok(list)) => view! {
            <ul class="months">
                {list.into_iter().map(|p| view! {
                    <li>
                        <Go href=paths::poll(&p.id)>
                            <b>{p.title.clone()}</b>
                            <span class="tag">{state_text(p.state)}</span>
                            {p.voted.then(|| view! { <span class="tag">{t(T::Voted)}</span> })}
                            <span class="muted">{t(T::Closes)}" "{p.closes_at.china_string()}</span>
                        </Go>
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any(),
    }
}

/// `/polls/:id` (and `/staff/polls/:id`): one poll.
#[component]
pub fn PollPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let data = api::Fetch::<Poll>::new(move || {
        let id = id.clone();
        format!("api/polls/{id}")
    });
    let reload = Callback::new(move |()| data.refetch());
    view! {
        <crate::components::Page title=t(T::PollsTitle)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(p)) => view! { <PollView poll=p on_voted=reload/> }.into_any(),
            }}
        </crate::components::Page>
    }
}

#[component]
fn PollView(poll: Poll, on_voted: Callback<()>) -> impl IntoView {
    let per = t(if poll.per == Per::Household {
        T::PerHousehold
    } else {
        T::PerPerson
    });
    #[cfg(not(feature = "staff"))]
    let my_vote = poll
        .voted
        .then(|| view! { <super::polls_vote::MyVote poll=poll.clone()/> });
    #[cfg(feature = "staff")]
    let my_vote = poll
        .voted
        .then(|| view! { <p class="ok" role="status">{t(T::Voted)}</p> });
    #[cfg(not(feature = "staff"))]
    let ballot = poll
        .can_vote
        .then(|| view! { <super::polls_vote::Ballot poll=poll.clone() on_voted=on_voted/> });
    #[cfg(feature = "staff")]
    let ballot = {
        let id = poll.id;
        let error = RwSignal::new(None::<crate::api::Failure>);
        let on_file = move |ev: leptos::ev::Event| {
            let Some(file) = crate::components::chosen_file(&ev) else {
                return;
            };
            leptos::task::spawn_local(async move {
                let kind = file.type_();
                match api::upload::<sunlight_api::ledger::Attachment>(
                    &format!("api/polls/{id}/documents"),
                    file.into(),
                    &kind,
                )
                .await
                {
                    Ok(_) => on_voted.run(()),
                    Err(f) => error.set(Some(f)),
                }
            });
        };
        view! {
            <p>
                <label class="button secondary" for="poll-doc">{t(T::AttachDocument)}</label>
                <input id="poll-doc" class="hidden-file" type="file" accept="image/*,application/pdf" on:change=on_file/>
            </p>
            <crate::components::FormError error=error/>
            // Exports follow the same rule as the screen: nothing before results are shown.
            {poll.results.is_some().then(|| view! {
                <p class="actions">
                    <a class="button secondary" href=format!("api/polls/{id}/results.csv") download>{t(T::ExportCsv)}</a>
                    <a class="button secondary" href=format!("api/polls/{id}/results.xlsx") download>{t(T::ExportXlsx)}</a>
                </p>
            })}
        }
    };
    let hidden = if poll.live_results {
        T::ResultsHiddenLive
    } else {
        T::ResultsHidden
    };
    view! {
        <h2>{poll.title.clone()}" "<span class="tag">{state_text(poll.state)}</span></h2>
        <p class="muted">{per}" · "{t(T::Opens)}" "{poll.opens_at.china_string()}" · "{t(T::Closes)}" "{poll.closes_at.china_string()}</p>
        {poll.eligible.map(|n| view! {
            <p>{t(if poll.per == Per::Household { T::EligibleHouseholds } else { T::EligiblePeople })}<b>{n}</b></p>
        })}
        {my_vote}
        {(!poll.documents.is_empty()).then(|| view! {
            <div class="thumbs">
                {poll.documents.iter().map(|d| match d.kind {
                    sunlight_api::ledger::AttachmentKind::Image => view! {
                        <a href=format!("api/poll-documents/{}/screen", d.id) target="_blank" rel="noopener">
                            <img src=format!("api/poll-documents/{}/thumb", d.id) loading="lazy" width=96 alt=t(T::PollDocument)/>
                        </a>
                    }.into_any(),
                    sunlight_api::ledger::AttachmentKind::Pdf => view! {
                        <a class="button secondary" href=format!("api/poll-documents/{}/pdf", d.id) download>{t(T::PollDocument)}" (PDF)"</a>
                    }.into_any(),
                }).collect_view()}
            </div>
        })}
        {ballot}
        {match poll.results.clone() {
            None if poll.live_results && poll.eligible.is_some_and(|n| n < 5) => view! { <Empty text=t(T::TooFewForLive)/> }.into_any(),
            None => view! { <Empty text=t(hidden)/> }.into_any(),
            Some(r) => view! {
                <section class="card">
                    {(poll.state != PollState::Closed).then(|| view! { <p class="hint">{t(T::LiveResultsNote)}</p> })}
                    <p>{t(T::Turnout)}" "{r.ballots}" / "{r.eligible}</p>
                    {poll.questions.iter().zip(r.questions).map(|(q, res)| {
                        let labels: Vec<String> = match q.kind {
                            QuestionKind::Rating => (1..=5).map(|i| format!("{i} ★")).collect(),
                            _ => q.options.iter().map(|o| o.label.clone()).collect(),
                        };
                        let counts = if q.kind == QuestionKind::Rating { res.ratings.clone() } else { res.votes.clone() };
                        let total: i64 = counts.iter().sum::<i64>().max(1);
                        view! {
                            <h3>{q.prompt.clone()}</h3>
                            {(q.kind != QuestionKind::Text).then(|| view! {
                                <ul class="bars">
                                    {labels.into_iter().zip(counts).map(|(label, n)| {
                                        let pct = n * 100 / total;
                                        view! {
                                            <li>
                                                <span>{label}</span>
                                                <span class="bar" style=format!("width:{}%", pct.max(1))></span>
                                                <span class="muted">{n}" "{t(T::Votes)}" · "{pct}"%"</span>
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            })}
                            {(!res.texts.is_empty()).then(|| view! {
                                <h3>{t(T::Suggestions)}</h3>
                                <ul class="plain">{res.texts.iter().map(|x| view! { <li>"· "{x.clone()}</li> }).collect_view()}</ul>
                            })}
                        }
                    }).collect_view()}
                </section>
            }.into_any(),
        }}
    }
}

/// Starting a poll (workbench): one question, for the village, or for every village of a
/// township.
#[cfg(feature = "staff")]
#[component]
pub fn NewPollForm(code: RegionCode, villages: Vec<RegionCode>) -> impl IntoView {
    use leptos::task::spawn_local;
    use sunlight_api::{
        Timestamp,
        poll::{NewPoll, NewQuestion},
    };

    use crate::{
        api::Failure,
        components::{Field, FormError, navigator},
    };

    let title = RwSignal::new(String::new());
    let prompt = RwSignal::new(String::new());
    let kind = RwSignal::new(QuestionKind::Single);
    let options = RwSignal::new(String::new());
    let max = RwSignal::new("2".to_owned());
    let days = RwSignal::new("7".to_owned());
    let per = RwSignal::new(Per::Household);
    let live = RwSignal::new(false);
    let change = RwSignal::new(true);
    let error = RwSignal::new(None::<Failure>);
    let url = StoredValue::new(format!("api/regions/{code}/polls"));
    let villages = StoredValue::new(villages);
    let go = navigator();
    let submit = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let now = js_sys::Date::now() as i64;
        let days: i64 = days.get_untracked().trim().parse().unwrap_or(0);
        let body = NewPoll {
            title: title.get_untracked(),
            questions: vec![NewQuestion {
                kind: kind.get_untracked(),
                prompt: prompt.get_untracked(),
                options: options
                    .get_untracked()
                    .lines()
                    .map(str::to_owned)
                    .filter(|l| !l.trim().is_empty())
                    .collect(),
                max_choices: max.get_untracked().trim().parse().unwrap_or(0),
            }],
            villages: villages.get_value(),
            per: per.get_untracked(),
            opens_at: Timestamp(now),
            closes_at: Timestamp(now + days * 86_400_000),
            live_results: live.get_untracked(),
            allow_change: change.get_untracked(),
        };
        let go = go.clone();
        spawn_local(async move {
            match api::post::<_, Poll>(&url.get_value(), &body).await {
                Ok(p) => go(&paths::poll(&p.id)),
                Err(f) => error.set(Some(f)),
            }
        });
    };
    let check = |id: &'static str, label: T, value: RwSignal<bool>| {
        view! {
            <div class="field check">
                <input id=id type="checkbox" prop:checked=move || value.get() on:change=move |ev| value.set(event_target_checked(&ev))/>
                <label for=id>{t(label)}</label>
            </div>
        }
    };
    view! {
        <form on:submit=submit novalidate>
            <h3>{t(T::NewPoll)}</h3>
            <Field id="poll-title" label=T::PollTitle value=title/>
            <Field id="poll-prompt" label=T::Prompt value=prompt/>
            <div class="field">
                <label for="poll-kind">{t(T::QuestionKind)}</label>
                <select id="poll-kind" on:change=move |ev| kind.set(QuestionKind::parse(&event_target_value(&ev)).unwrap_or(QuestionKind::Single))>
                    {[(QuestionKind::Single, T::KindSingle), (QuestionKind::Multiple, T::KindMultiple), (QuestionKind::Rating, T::KindRating), (QuestionKind::Text, T::KindText)]
                        .into_iter().map(|(k, l)| view! { <option value=k.as_str()>{t(l)}</option> }).collect_view()}
                </select>
            </div>
            {move || matches!(kind.get(), QuestionKind::Single | QuestionKind::Multiple).then(|| view! {
                <div class="field">
                    <label for="poll-options">{t(T::OptionsOnePerLine)}</label>
                    <textarea id="poll-options" rows="4" prop:value=move || options.get() on:input=move |ev| options.set(event_target_value(&ev))></textarea>
                </div>
            })}
            {move || (kind.get() == QuestionKind::Multiple).then(|| view! { <Field id="poll-max" label=T::MaxChoices value=max inputmode="numeric"/> })}
            <div class="field">
                <label for="poll-per">{t(T::PerHousehold)}" / "{t(T::PerPerson)}</label>
                <select id="poll-per" on:change=move |ev| per.set(if event_target_value(&ev) == "person" { Per::Person } else { Per::Household })>
                    <option value="household">{t(T::PerHousehold)}</option>
                    <option value="person">{t(T::PerPerson)}</option>
                </select>
            </div>
            <Field id="poll-days" label=T::DaysOpen value=days inputmode="numeric"/>
            {check("poll-live", T::LiveResults, live)}
            {check("poll-change", T::AllowChange, change)}
            <FormError error=error/>
            <button type="submit">{t(T::NewPoll)}</button>
        </form>
    }
}

//! Casting a ballot, in the villagers' bundle: one tap on a choice, one on 投票. What this
//! person chose, and when, is kept on their phone only (the server keeps no link from a
//! voter to a ballot), under their own account, so that family members sharing a phone
//! each keep their own.

use leptos::{prelude::*, task::spawn_local};
use serde::{Deserialize, Serialize};
use sunlight_api::{
    Timestamp,
    poll::{AnswerIn, BallotIn, Poll, QuestionKind},
};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::FormError,
    i18n::{T, t},
    session::Session,
};

/// The signed-in person, whose phone-side records these are. Read while a component is
/// built (the context is not there inside an event handler).
fn person() -> Option<Uuid> {
    Session::get().0.get_untracked().flatten().map(|me| me.id)
}

/// A random secret kept on this phone for this person and a poll that allows changing the
/// vote; the server stores only a hash of it bound to the person, so only this person on
/// this phone can replace their ballot.
fn ballot_token(poll: Uuid, person: Uuid) -> Option<String> {
    let storage = window().local_storage().ok().flatten()?;
    let key = format!("sunlight.ballot.{poll}.{person}");
    if let Some(t) = storage.get_item(&key).ok().flatten() {
        return Some(t);
    }
    let mut bytes = [0u8; 24];
    window()
        .crypto()
        .ok()?
        .get_random_values_with_u8_array(&mut bytes)
        .ok()?;
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    storage.set_item(&key, &token).ok()?;
    Some(token)
}

/// What this person chose and when, as kept on their phone.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct MyChoice {
    /// The chosen options (or rating, or "suggestion given"), in the poll's words.
    choice: Vec<String>,
    at: i64,
    changed: bool,
}

fn choice_key(poll: Uuid, person: Uuid) -> String {
    format!("sunlight.vote.{poll}.{person}")
}

fn load_choice(poll: Uuid, person: Uuid) -> Option<MyChoice> {
    let storage = window().local_storage().ok().flatten()?;
    let raw = storage.get_item(&choice_key(poll, person)).ok().flatten()?;
    serde_json::from_str(&raw).ok()
}

fn save_choice(poll: Uuid, person: Uuid, choice: &MyChoice) {
    let Some(storage) = window().local_storage().ok().flatten() else {
        return;
    };
    if let Ok(raw) = serde_json::to_string(choice) {
        // A phone that cannot store it only loses the reminder, never the vote.
        let _ = storage.set_item(&choice_key(poll, person), &raw);
    }
}

/// After voting: what this person chose and when, from their own phone.
#[component]
pub fn MyVote(poll: Poll) -> impl IntoView {
    let mine = person().and_then(|me| load_choice(poll.id, me));
    view! {
        <div class="card my-vote" role="status">
            <p class="ok">
                {t(if mine.as_ref().is_some_and(|m| m.changed) { T::VoteChanged } else { T::Voted })}
                {mine.as_ref().map(|m| view! { " · "{t(T::CastAt)}" "{Timestamp(m.at).china_string()} })}
                {(poll.allow_change && mine.is_some()).then(|| view! { " · "{t(T::VoteChangeable)} })}
            </p>
            {mine.map(|m| view! {
                <p class="my-choice">{t(T::YourChoice)}<b>{m.choice.join("；")}</b></p>
                <p class="muted">{t(T::ChoiceKeptOnPhone)}</p>
            })}
        </div>
    }
}

/// The choices of a ballot in the poll's own words, to keep on the phone.
fn describe(poll: &Poll, answers: &[AnswerIn]) -> Vec<String> {
    poll.questions
        .iter()
        .zip(answers)
        .filter_map(|(q, a)| match q.kind {
            QuestionKind::Single | QuestionKind::Multiple => Some(
                q.options
                    .iter()
                    .filter(|o| a.options.contains(&o.id))
                    .map(|o| o.label.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
            ),
            QuestionKind::Rating => a.rating.map(|r| format!("{r} ★")),
            QuestionKind::Text => a.text.as_ref().map(|_| t(T::YourSuggestion).to_owned()),
        })
        .collect()
}

#[component]
pub fn Ballot(poll: Poll, on_voted: Callback<()>) -> impl IntoView {
    let picks: Vec<RwSignal<Vec<Uuid>>> = poll.questions.iter().map(|_| RwSignal::new(Vec::new())).collect();
    let ratings: Vec<RwSignal<Option<u8>>> = poll.questions.iter().map(|_| RwSignal::new(None)).collect();
    let texts: Vec<RwSignal<String>> = poll.questions.iter().map(|_| RwSignal::new(String::new())).collect();
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let questions = poll.questions.clone();
    let (id, allow_change, changing) = (poll.id, poll.allow_change, poll.voted);
    let stored = StoredValue::new(poll.clone());
    let me = person();
    let (p2, r2, t2) = (picks.clone(), ratings.clone(), texts.clone());
    let submit = move |_| {
        let answers = questions
            .iter()
            .enumerate()
            .map(|(i, q)| AnswerIn {
                question: q.id,
                options: p2[i].get_untracked(),
                rating: r2[i].get_untracked(),
                text: Some(t2[i].get_untracked()).filter(|s| !s.trim().is_empty()),
            })
            .collect::<Vec<_>>();
        let choice = MyChoice {
            choice: stored.with_value(|p| describe(p, &answers)),
            at: js_sys::Date::now() as i64,
            changed: changing,
        };
        let body = BallotIn {
            answers,
            token: allow_change
                .then(|| person().and_then(|me| ballot_token(id, me)))
                .flatten(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, ()>(&format!("api/polls/{id}/ballots"), &body).await {
                Ok(()) => {
                    error.set(None);
                    if let Some(me) = me {
                        save_choice(id, me, &choice);
                    }
                    on_voted.run(());
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card ballot">
            {poll.questions.iter().enumerate().map(|(i, q)| {
                let picked = picks[i];
                let rating = ratings[i];
                let text = texts[i];
                let max = q.max_choices as usize;
                let body = match q.kind {
                    QuestionKind::Single | QuestionKind::Multiple => q.options.iter().map(|o| {
                        let oid = o.id;
                        let single = q.kind == QuestionKind::Single;
                        view! {
                            <button type="button" class="choice big" aria-pressed=move || picked.get().contains(&oid).to_string()
                                on:click=move |_| picked.update(|v| {
                                    if single { *v = vec![oid]; }
                                    else if let Some(at) = v.iter().position(|x| *x == oid) { v.remove(at); }
                                    else if v.len() < max { v.push(oid); }
                                })>{o.label.clone()}</button>
                        }
                    }).collect_view().into_any(),
                    QuestionKind::Rating => (1..=5u8).map(|r| view! {
                        <button type="button" class="choice big" aria-pressed=move || (rating.get() == Some(r)).to_string()
                            on:click=move |_| rating.set(Some(r))>{r}" ★"</button>
                    }).collect_view().into_any(),
                    QuestionKind::Text => view! {
                        <label for=format!("suggest-{i}")>{t(T::YourSuggestion)}</label>
                        <textarea id=format!("suggest-{i}") rows="3" prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    }.into_any(),
                };
                view! {
                    <fieldset>
                        <legend>{q.prompt.clone()}</legend>
                        {(q.kind == QuestionKind::Multiple).then(|| view! {
                            <p class="hint">{t(T::ChooseUpTo).replace("{}", &q.max_choices.to_string())}</p>
                        })}
                        <div class="choices">{body}</div>
                    </fieldset>
                }
            }).collect_view()}
            <FormError error=error/>
            <button type="button" class="wide big" disabled=move || busy.get() on:click=submit>
                {t(if poll.voted { T::ChangeVote } else { T::VoteNow })}
            </button>
        </section>
    }
}

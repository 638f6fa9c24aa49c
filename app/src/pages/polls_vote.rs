//! Casting a ballot, in the villagers' bundle: one tap on a choice, one on 投票.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::poll::{AnswerIn, BallotIn, Poll, QuestionKind};
use uuid::Uuid;

use crate::{
    api::{self, Failure},
    components::FormError,
    i18n::{T, t},
};

/// A random secret kept on this phone for a poll that allows changing the vote; the
/// server stores only its hash, so only this phone can replace the ballot.
fn ballot_token(poll: Uuid) -> Option<String> {
    let storage = window().local_storage().ok().flatten()?;
    let key = format!("sunlight.ballot.{poll}");
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

#[component]
pub fn Ballot(poll: Poll, on_voted: Callback<()>) -> impl IntoView {
    let picks: Vec<RwSignal<Vec<Uuid>>> = poll.questions.iter().map(|_| RwSignal::new(Vec::new())).collect();
    let ratings: Vec<RwSignal<Option<u8>>> = poll.questions.iter().map(|_| RwSignal::new(None)).collect();
    let texts: Vec<RwSignal<String>> = poll.questions.iter().map(|_| RwSignal::new(String::new())).collect();
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let questions = poll.questions.clone();
    let (id, allow_change) = (poll.id, poll.allow_change);
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
            .collect();
        let body = BallotIn {
            answers,
            token: allow_change.then(|| ballot_token(id)).flatten(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, ()>(&format!("api/polls/{id}/ballots"), &body).await {
                Ok(()) => {
                    error.set(None);
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

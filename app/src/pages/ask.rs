//! `/demands/ask/:id`: a villager asks about a published entry (a project's stage or a
//! catalogue entry) from its server-rendered page. The question is shown under the entry
//! without the asker's name; the village answers it there.

use leptos::{prelude::*, task::spawn_local};
use sunlight_api::{catalogue::Entry, ledger::Text};

use crate::{
    api::{self, Failure},
    components::{ErrorRetry, FormError, Loading, Page},
    router,
    words_demands::{D, dw},
};

/// The public page the entry is on, and the entry's place on it.
fn public_page(e: &Entry) -> String {
    match &e.project {
        Some(f) => format!("projects/{}#entry-{}", f.project, e.id),
        None => format!("disclosures/{}#entry-{}", e.village, e.id),
    }
}

#[component]
pub fn AskPage() -> impl IntoView {
    let id = router::param("id").unwrap_or_default();
    let data = api::Fetch::<Entry>::new(move || format!("api/disclosures/{id}"));
    view! {
        <Page title=dw(D::AskTitle)>
            {move || match data.get() {
                None => view! { <Loading/> }.into_any(),
                Some(Err(f)) => view! { <ErrorRetry failure=f retry=move |_| data.refetch()/> }.into_any(),
                Some(Ok(e)) => view! { <AskForm e=e/> }.into_any(),
            }}
        </Page>
    }
}

#[component]
fn AskForm(e: Entry) -> impl IntoView {
    let id = e.id;
    let text = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Failure>);
    let busy = RwSignal::new(false);
    let sent = RwSignal::new(false);
    let back = public_page(&e);
    let send = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let req = Text {
            text: text.get_untracked(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::post::<_, Entry>(&format!("api/disclosures/{id}/questions"), &req).await {
                Ok(_) => {
                    error.set(None);
                    sent.set(true);
                }
                Err(f) => error.set(Some(f)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card">
            <p class="muted">{e.item_title.clone()}" · "{e.period_label.clone()}</p>
            <h2>{e.title.clone()}</h2>
            {(!e.questions.is_empty()).then(|| view! {
                <h3>{dw(D::AskAnswered)}</h3>
                <ul class="plain">
                    {e.questions.iter().map(|q| view! {
                        <li><p>"问："{q.question.clone()}</p>
                            {q.answer.clone().map(|a| view! { <p>"答："{a}</p> })}</li>
                    }).collect_view()}
                </ul>
            })}
        </section>
        {move || if sent.get() {
            view! { <p class="ok" role="status">{dw(D::AskSent)}</p> }.into_any()
        } else {
            view! {
                <form on:submit=send novalidate>
                    <p class="hint">{dw(D::AskHint)}</p>
                    <div class="field">
                        <label for="ask-text">{dw(D::AskLabel)}</label>
                        <textarea id="ask-text" rows="4" maxlength="300" prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                    </div>
                    <FormError error=error/>
                    <button type="submit" disabled=move || busy.get()>{dw(D::AskSend)}</button>
                </form>
            }.into_any()
        }}
        <p><a href=back rel="external">{dw(D::AskBack)}</a></p>
    }
}
